// SPDX-License-Identifier: GPL-2.0
/*
 * storvsc_eh.c - error handling, device hooks and LUN hot plug of
 * hv_storvsc (fact sheet E).
 *
 * Error handling: a command that times out gets more time only while the
 * host keeps completing others (at most HV_SV_MAX_EXTEND periods), then
 * belongs to the midlayer's error handling. Hyper-V has no abort, so
 * eh_abort escalates; a device reset sends RESET_LUN, bus and host resets
 * send RESET_BUS. Whatever the host answers (or if it does not answer
 * within HV_SV_RESET_TIMEOUT_MS), the requests in the reset's scope are
 * given up before the handler returns (timed-out ones left to the
 * midlayer, others completed with DID_RESET): the midlayer may then reuse
 * or fail those commands, and late completions no longer match a slot. A
 * host that stops answering thus ends in failed resets, offlined devices
 * and failed commands, never in a hang.
 *
 * Hot plug: ENUMERATE_BUS and REMOVE_DEVICE from the host, a command that
 * completes with SRB_STATUS_INVALID_LUN, or sense "REPORTED LUNS DATA HAS
 * CHANGED" queue hv_sv_scan_work(): TEST UNIT READY to every LUN (those
 * gone answer INVALID_LUN), removal of the LUNs marked gone, and a scan
 * for new ones.
 */
#include "storvsc.h"

static const char *const hv_sv_op_names[] = {
	[VSTOR_OP_RESET_LUN] = "RESET_LUN",
	[VSTOR_OP_RESET_BUS] = "RESET_BUS",
};

/*
 * Send reset @op (addressed to @sdev for RESET_LUN) and give up the
 * requests in its scope. Context: the error handler thread.
 */
static int hv_sv_reset(struct hv_sv_host *host, u32 op,
		       struct scsi_device *sdev)
{
	struct vstor_packet pkt;
	unsigned int n;
	int ret;

	atomic_inc(&host->stats.resets);
	mutex_lock(&host->ctl_mutex);
	ret = hv_vstor_build_op(&pkt, op, 0);
	if (!ret && sdev) {
		/* the fact sheet gives RESET_LUN no payload: address it
		 * the way an SRB is addressed, hosts may ignore it
		 */
		pkt.u.srb.length = hv_vstor_srb_len(host->version);
		hv_sv_srb_address(host, sdev, &pkt.u.srb.path_id,
				  &pkt.u.srb.target_id, &pkt.u.srb.lun);
	}
	if (!ret)
		ret = hv_sv_ctl_exec(host, &pkt, HV_SV_RESET_TIMEOUT_MS, NULL);
	mutex_unlock(&host->ctl_mutex);
	if (!ret && pkt.status)
		ret = -EIO;

	/* an unanswered (or refused) reset is a failed one: the host may
	 * still own the requests' memory */
	n = hv_sv_abandon(host, op == VSTOR_OP_RESET_LUN ? sdev : NULL,
			  DID_RESET, ret != 0);
	pr_info(HV_SV_NAME ": host%u: %s %s (%d), %u request(s) given up\n",
		host->shost->host_no, hv_sv_op_names[op],
		ret ? "failed" : "done", ret, n);
	return ret ? FAILED : SUCCESS;
}

/**
 * hv_sv_eh_abort() - eh_abort_handler.
 * @cmd: the command to abort
 *
 * VSTOR has no abort operation (E), so nothing is sent.
 * Context: error handler. Return: FAILED, so the midlayer escalates to
 * a device reset.
 */
int hv_sv_eh_abort(struct scsi_cmnd *cmd)
{
	(void)cmd;
	return FAILED;
}

/**
 * hv_sv_eh_device_reset() - eh_device_reset_handler: RESET_LUN (E).
 * @cmd: a command of the LUN to reset
 *
 * Sends RESET_LUN for the LUN, then gives up its requests in flight.
 * Context: error handler thread; sleeps (at most HV_SV_RESET_TIMEOUT_MS
 * plus ~2 s). Return: SUCCESS when the host completed the reset with
 * status 0, else FAILED.
 */
int hv_sv_eh_device_reset(struct scsi_cmnd *cmd)
{
	return hv_sv_reset(shost_priv(cmd->device->host), VSTOR_OP_RESET_LUN,
			   cmd->device);
}

/**
 * hv_sv_eh_bus_reset() - eh_bus_reset_handler: RESET_BUS (E).
 * @cmd: a command of the bus
 *
 * Sends RESET_BUS, then gives up every request of the host.
 * Context and return: as hv_sv_eh_device_reset().
 */
int hv_sv_eh_bus_reset(struct scsi_cmnd *cmd)
{
	return hv_sv_reset(shost_priv(cmd->device->host), VSTOR_OP_RESET_BUS,
			   NULL);
}

/**
 * hv_sv_eh_host_reset() - eh_host_reset_handler: RESET_BUS (E).
 * @cmd: a command of the host
 *
 * As the bus reset: the synthetic controller has one bus. When it fails
 * the midlayer takes the host's devices offline.
 * Context and return: as hv_sv_eh_device_reset().
 */
int hv_sv_eh_host_reset(struct scsi_cmnd *cmd)
{
	return hv_sv_reset(shost_priv(cmd->device->host), VSTOR_OP_RESET_BUS,
			   NULL);
}

/* ---- device hooks ----------------------------------------------------- */

/**
 * hv_sv_sdev_init() - slave_alloc/sdev_init hook.
 * @sdev: the device being scanned
 *
 * Per-LUN state, and the 4 KiB virtual boundary (E: middle segments whole
 * pages) where only the device queue can carry it (4.3 .. 5.2).
 * Context: process. Return: 0 or -ENOMEM.
 */
int hv_sv_sdev_init(struct scsi_device *sdev)
{
	struct hv_sv_lun *lun;

	lun = kzalloc(sizeof(*lun), GFP_KERNEL);
	if (!lun)
		return -ENOMEM;
	sdev->hostdata = lun;
	hv_compat_sdev_virt_boundary(sdev, HV_HYP_PAGE_SIZE - 1);
	return 0;
}

/**
 * hv_sv_sdev_configure() - slave_configure/sdev_configure hook.
 * @sdev: the device the midlayer adds
 *
 * No WRITE SAME for hosts <= 5.1 (E). Microsoft disks on 5.1/6.0 hosts
 * claim SPC-2 but implement the SPC-3 VPD pages sd needs to find UNMAP:
 * treat them as SPC-3. Sets the queue depth and marks the LUN added.
 * Context: process. Return: 0.
 */
int hv_sv_sdev_configure(struct scsi_device *sdev)
{
	struct hv_sv_host *host = shost_priv(sdev->host);
	struct hv_sv_lun *lun = sdev->hostdata;

	if (host->version <= VSTOR_VERSION_WIN8)
		hv_compat_sdev_no_write_same(sdev);
	if ((host->version == VSTOR_VERSION_WIN8 ||
	     host->version == VSTOR_VERSION_WIN8_1) &&
	    !strncmp(sdev->vendor, "Msft", 4) && sdev->scsi_level < SCSI_SPC_3)
		sdev->scsi_level = SCSI_SPC_3;
	hv_compat_scsi_set_queue_depth(sdev, sdev->host->cmd_per_lun);
	if (lun)
		set_bit(HV_SV_LUN_CONFIGURED, &lun->flags);
	return 0;
}

/**
 * hv_sv_sdev_destroy() - slave_destroy/sdev_destroy hook.
 * @sdev: the device going away
 *
 * Frees the per-LUN state. Context: process.
 */
void hv_sv_sdev_destroy(struct scsi_device *sdev)
{
	kfree(sdev->hostdata);
	sdev->hostdata = NULL;
}

/**
 * hv_sv_change_queue_depth() - change_queue_depth hook.
 * @sdev: the device
 * @depth: wanted depth, clamped to 1 .. can_queue
 *
 * Context: process. Return: the depth in effect.
 */
int hv_sv_change_queue_depth(struct scsi_device *sdev, int depth)
{
	if (depth < 1)
		depth = 1;
	if (depth > sdev->host->can_queue)
		depth = sdev->host->can_queue;
	return hv_compat_scsi_set_queue_depth(sdev, depth);
}

/* ---- hot plug --------------------------------------------------------- */

/**
 * hv_sv_queue_work() - ask the hot-plug work to run.
 * @host: the host
 * @what: HV_SV_WORK_SCAN (ENUMERATE_BUS, REMOVE_DEVICE, LUN data changed)
 *	or HV_SV_WORK_REMOVE (a LUN answered INVALID_LUN)
 *
 * Nothing is queued once the host is being removed. Context: any.
 */
void hv_sv_queue_work(struct hv_sv_host *host, int what)
{
	set_bit(what, &host->work_flags);
	smp_mb();	/* the work sees the bit; teardown sees no late queueing */
	if (!atomic_read(&host->stopping))
		queue_work(host->wq, &host->scan_work);
}

/**
 * hv_sv_lun_gone() - a command to @sdev completed with INVALID_LUN (E).
 * @host: the host
 * @sdev: the device
 *
 * If the midlayer had added the LUN, schedule its removal; LUNs still
 * being scanned simply fail. Context: any.
 */
void hv_sv_lun_gone(struct hv_sv_host *host, struct scsi_device *sdev)
{
	struct hv_sv_lun *lun = sdev->hostdata;

	if (!lun || !test_bit(HV_SV_LUN_CONFIGURED, &lun->flags) ||
	    test_and_set_bit(HV_SV_LUN_GONE, &lun->flags))
		return;
	hv_sv_queue_work(host, HV_SV_WORK_REMOVE);
}

static int hv_sv_work_stopped(struct hv_sv_host *host)
{
	return atomic_read(&host->stopping) ||
		hv_sv_state(host) != HV_SV_RUNNING;
}

/* TEST UNIT READY to every added LUN: those gone answer INVALID_LUN. */
static void hv_sv_probe_luns(struct hv_sv_host *host)
{
	struct scsi_device *sdev;
	struct hv_sv_lun *lun;

	shost_for_each_device(sdev, host->shost) {
		lun = sdev->hostdata;
		if (hv_sv_work_stopped(host) || !lun ||
		    !test_bit(HV_SV_LUN_CONFIGURED, &lun->flags) ||
		    test_bit(HV_SV_LUN_GONE, &lun->flags))
			continue;
		hv_compat_scsi_tur(sdev, HV_SV_TUR_TIMEOUT, 1);
	}
}

/* Remove the LUNs marked gone, one at a time. */
static void hv_sv_remove_gone(struct hv_sv_host *host)
{
	struct scsi_device *sdev, *found;
	struct hv_sv_lun *lun;
	unsigned int rounds;

	for (rounds = 0; rounds < 1024 && !hv_sv_work_stopped(host); rounds++) {
		found = NULL;
		shost_for_each_device(sdev, host->shost) {
			lun = sdev->hostdata;
			if (lun && test_and_clear_bit(HV_SV_LUN_GONE,
						      &lun->flags)) {
				found = sdev;	/* keeps the loop's reference */
				break;
			}
		}
		if (!found)
			break;
		pr_info(HV_SV_NAME ": host%u: LUN %u:%u:%llu is gone, removing it\n",
			host->shost->host_no, found->channel, found->id,
			(unsigned long long)found->lun);
		scsi_remove_device(found);
		scsi_device_put(found);
	}
}

static void hv_sv_scan(struct hv_sv_host *host)
{
	struct scsi_device *sdev;

	if (host->type != HV_SV_IDE) {
		scsi_scan_host(host->shost);
		return;
	}
	sdev = scsi_device_lookup(host->shost, 0, host->ide_target, 0);
	if (sdev)
		scsi_device_put(sdev);
	else if (scsi_add_device(host->shost, 0, host->ide_target, 0))
		pr_warn(HV_SV_NAME ": host%u: IDE disk %u:%u not added\n",
			host->shost->host_no, host->ide_path, host->ide_target);
}

/**
 * hv_sv_scan_work() - the hot-plug work (see the file comment).
 * @work: hv_sv_host.scan_work
 *
 * Runs on the host's own work queue; does nothing once the host is being
 * removed. Context: process, may sleep.
 */
void hv_sv_scan_work(struct work_struct *work)
{
	struct hv_sv_host *host = container_of(work, struct hv_sv_host,
					       scan_work);
	int scan = 0, remove = 0;

	if (hv_sv_work_stopped(host))
		return;
	if (test_and_clear_bit(HV_SV_WORK_SCAN, &host->work_flags)) {
		hv_sv_probe_luns(host);
		scan = remove = 1;
	}
	if (test_and_clear_bit(HV_SV_WORK_REMOVE, &host->work_flags))
		remove = 1;
	if (remove)
		hv_sv_remove_gone(host);
	if (scan && !hv_sv_work_stopped(host))
		hv_sv_scan(host);
}
