// SPDX-License-Identifier: GPL-2.0
/*
 * storvsc_drv.c - hv_storvsc.ko: one SCSI host per synthetic SCSI or
 * Fibre Channel controller (and per IDE disk channel, unless hv_blkvsc
 * serves those: compat.h, HV_COMPAT_IDE_BY_BLKVSC; ide= overrides) of
 * Hyper-V (fact sheet section E).
 *
 * Probe: open the primary channel (128 KiB rings, 24 zero bytes of user
 * data), negotiate VSTOR (BEGIN_INITIALIZATION, QUERY_PROTOCOL_VERSION
 * 6.2 -> 6.0 -> 5.1 -> 4.2 -> 2.0, QUERY_PROPERTIES, FCHBA_DATA for FC,
 * END_INITIALIZATION), size the host from the answers, ask for
 * sub-channels (>= 5.1 with the multichannel flag; they are opened as
 * their offers arrive, after probe returns), add the SCSI host and scan.
 * Remove: fail what is in flight when the host is gone, remove the SCSI
 * host, stop all senders, close the channels.
 */
#include <linux/init.h>
#include <linux/moduleparam.h>
#include "storvsc.h"

static int hv_sv_ide = -1;
module_param_named(ide, hv_sv_ide, int, 0444);
MODULE_PARM_DESC(ide, "-1 (default): also drive synthetic IDE disks unless the legacy IDE layer is built in (there hv_blkvsc keeps their hdX names); 1: always; 0: never");

static int hv_sv_ring_kb = 128;
module_param_named(ring_size_kb, hv_sv_ring_kb, int, 0444);
MODULE_PARM_DESC(ring_size_kb, "size of each ring of a channel in KiB (16-16384, default 128)");

static int hv_sv_max_xfer_kb = 512;
module_param_named(max_transfer_kb, hv_sv_max_xfer_kb, int, 0444);
MODULE_PARM_DESC(max_transfer_kb, "largest request in KiB, if the host allows it (4-8192, default 512)");

static int hv_sv_sub_channels = -1;
module_param_named(sub_channels, hv_sv_sub_channels, int, 0444);
MODULE_PARM_DESC(sub_channels, "sub-channels to ask for per host (-1: online CPUs - 1, 0: none)");

/* Class GUIDs in wire order (E; the first three fields little-endian) */
#define HV_SV_GUID_SCSI { { 0xd9, 0x63, 0x61, 0xba, 0xa1, 0x04, 0x29, 0x4d, \
			    0xb6, 0x05, 0x72, 0xe2, 0xff, 0xb1, 0xdc, 0x7f } }
#define HV_SV_GUID_FC	{ { 0x4a, 0xcc, 0x9b, 0x2f, 0x69, 0x00, 0xf3, 0x4a, \
			    0xb7, 0x6b, 0x6f, 0xd0, 0xbe, 0x52, 0x8c, 0xda } }
#define HV_SV_GUID_IDE	{ { 0x32, 0x26, 0x41, 0x32, 0xcb, 0x86, 0xa2, 0x44, \
			    0x9b, 0x5c, 0x50, 0xd1, 0x41, 0x73, 0x54, 0xf5 } }

static const struct hv_device_id hv_sv_ids[] = {
	{ HV_SV_GUID_SCSI, HV_SV_SCSI },
	{ HV_SV_GUID_FC, HV_SV_FC },
	{ { { 0 } }, 0 }
};

static const struct hv_device_id hv_sv_ids_ide[] = {
	{ HV_SV_GUID_SCSI, HV_SV_SCSI },
	{ HV_SV_GUID_FC, HV_SV_FC },
	{ HV_SV_GUID_IDE, HV_SV_IDE },
	{ { { 0 } }, 0 }
};

/* MODULE_ALIAS "vmbus:" + the 16 wire bytes of each class GUID in hex */
HV_COMPAT_VMBUS_ALIAS("vmbus:d96361baa104294db60572e2ffb1dc7f");	/* SCSI */
HV_COMPAT_VMBUS_ALIAS("vmbus:4acc9b2f6900f34ab76b6fd0be528cda");	/* FC */
HV_COMPAT_VMBUS_ALIAS("vmbus:32264132cb86a2449b5c50d1417354f5");	/* IDE */

static const char *const hv_sv_type_names[] = { "SCSI", "FC", "IDE" };

static const u8 hv_sv_open_userdata[HV_SV_USERDATA_LEN];

/* Hosts bound, for sub-channel offers (which name only the channel). */
static DEFINE_MUTEX(hv_sv_hosts_mutex);
static LIST_HEAD(hv_sv_hosts);

static struct hv_compat_fc hv_sv_fc;

/* ---- control requests --------------------------------------------------- */

/**
 * hv_sv_ctl_exec() - run one control request (fact sheet E: each
 * initialisation step, CREATE_SUB_CHANNELS, RESET_LUN/RESET_BUS).
 * @host: the host
 * @pkt: the request, built by hv_vstor_build_op(); replaced by the answer
 * @timeout_ms: how long to wait for the answer (and for ring space)
 * @len: out, bytes of the answer (at most sizeof(*pkt)); may be NULL
 *
 * Sends @pkt in-band on the primary channel with REQUEST_COMPLETION and
 * COMPLETION_REQUESTED under a non-zero trans_id (generation << 32 |
 * HV_SV_CTL_TAG) and waits for the COMP packet that echoes it.
 * Context: process, host->ctl_mutex held; sleeps (bounded).
 * Return: 0 (then check @pkt->status), -ETIMEDOUT, -ENODEV (host gone or
 * being removed), -EPROTO (the answer is not a COMPLETE_IO), or an error
 * of hv_channel_send().
 */
int hv_sv_ctl_exec(struct hv_sv_host *host, struct vstor_packet *pkt,
		   unsigned int timeout_ms, u32 *len)
{
	struct hv_channel *c = host->chans[0].ch;
	unsigned long deadline;
	u32 size = host->pkt_size;
	u64 trans;
	int ret;

	ret = hv_vstor_ctl_begin(&host->ctl, HV_SV_CTL_TAG, &trans);
	if (ret)
		return ret;
	deadline = jiffies + msecs_to_jiffies(timeout_ms);
	for (;;) {
		if (!hv_sv_send_begin(host, 0)) {
			ret = -ENODEV;
			break;
		}
		ret = hv_channel_send(c, pkt, size, trans,
				      VMBUS_PKT_DATA_INBAND,
				      VMBUS_PKT_FLAG_COMPLETION_REQUESTED);
		if (ret == -EAGAIN && time_before(jiffies, deadline))
			hv_channel_wait_space(c, HV_PKT_TOTAL(16 + size), 100);
		hv_sv_send_end(host);
		if (ret != -EAGAIN)
			break;
		if (!time_before(jiffies, deadline)) {
			ret = -ETIMEDOUT;
			break;
		}
	}
	return hv_vstor_ctl_end(&host->ctl, ret, deadline, pkt, len);
}

/**
 * hv_sv_ctl_complete() - the host answered a control request (E).
 * @host: the host
 * @gen: generation from the high half of the answer's trans_id
 * @vp: the answer, copied out of the ring
 * @len: its bytes
 *
 * Accepted only when @gen is the request now waiting; anything else is
 * counted as stale and dropped.
 * Context: the channel callback (softirq).
 */
void hv_sv_ctl_complete(struct hv_sv_host *host, u32 gen,
			const struct vstor_packet *vp, u32 len)
{
	if (!hv_vstor_ctl_complete(&host->ctl, gen, vp, len))
		atomic_inc(&host->stats.stale);
}

/* One initialisation step; @min_len: bytes of answer needed. */
static int hv_sv_ctl_op(struct hv_sv_host *host, u32 op, u32 arg,
			struct vstor_packet *resp, u32 min_len)
{
	u32 len = 0;
	int ret;

	ret = hv_vstor_build_op(resp, op, arg);
	if (!ret)
		ret = hv_sv_ctl_exec(host, resp, HV_SV_INIT_TIMEOUT_MS, &len);
	if (!ret && len < min_len)
		ret = -EPROTO;
	return ret;
}

/* ---- FC world wide names ------------------------------------------------ */

static u64 hv_sv_wwn(const u8 *b)
{
	u64 v = 0;
	unsigned int i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | b[i];
	return v;
}

/**
 * hv_sv_fc_wwn_update() - FCHBA_DATA answer or unsolicited message (E).
 * @host: an FC host
 * @wwn: the host's world wide names (big-endian byte strings)
 *
 * Keeps the primary node and port names and shows them through the FC
 * transport class once the SCSI host is added.
 * Context: any.
 */
void hv_sv_fc_wwn_update(struct hv_sv_host *host,
			 const struct vstor_fc_wwn *wwn)
{
	host->node_name = hv_sv_wwn(wwn->primary_node_wwn);
	host->port_name = hv_sv_wwn(wwn->primary_port_wwn);
	if (hv_sv_state(host) == HV_SV_RUNNING)
		hv_compat_fc_set_wwn(&hv_sv_fc, host->shost, host->node_name,
				     host->port_name);
}

/* ---- negotiation (E) ---------------------------------------------------- */

static int hv_sv_negotiate(struct hv_sv_host *host)
{
	struct vstor_packet r;
	const char *step;
	unsigned int i;
	u16 v = 0;
	int ret;

	mutex_lock(&host->ctl_mutex);
	host->version = 0;
	host->pkt_size = hv_vstor_pkt_size(0);

	step = "BEGIN_INITIALIZATION";
	ret = hv_sv_ctl_op(host, VSTOR_OP_BEGIN_INITIALIZATION, 0, &r, 12);
	if (!ret && r.status)
		ret = -EIO;
	if (ret)
		goto out;

	step = "QUERY_PROTOCOL_VERSION";
	for (i = 0; i < hv_vstor_nversions; i++) {
		v = hv_vstor_versions[i];
		ret = hv_sv_ctl_op(host, VSTOR_OP_QUERY_PROTOCOL_VERSION, v,
				   &r, 12);
		if (ret)
			goto out;	/* no answer: do not try older ones */
		if (!r.status)
			break;
	}
	if (i == hv_vstor_nversions) {
		ret = -EPROTONOSUPPORT;
		goto out;
	}
	host->version = v;
	host->pkt_size = hv_vstor_pkt_size(v);

	step = "QUERY_PROPERTIES";
	ret = hv_sv_ctl_op(host, VSTOR_OP_QUERY_PROPERTIES, 0, &r,
			   12 + HV_OFFSETOF(struct vstor_channel_properties,
					    reserved2));
	if (!ret && r.status)
		ret = -EIO;
	if (ret)
		goto out;
	host->max_channel_cnt = r.u.props.max_channel_cnt;
	host->prop_flags = r.u.props.flags;
	host->max_xfer = r.u.props.max_transfer_bytes;

	if (host->type == HV_SV_FC) {
		step = "FCHBA_DATA";
		ret = hv_sv_ctl_op(host, VSTOR_OP_FCHBA_DATA, 0, &r,
				   12 + sizeof(struct vstor_fc_wwn));
		if (!ret && r.status)
			ret = -EIO;
		if (ret)
			goto out;
		hv_sv_fc_wwn_update(host, &r.u.wwn);
	}

	step = "END_INITIALIZATION";
	ret = hv_sv_ctl_op(host, VSTOR_OP_END_INITIALIZATION, 0, &r, 12);
	if (!ret && r.status)
		ret = -EIO;
out:
	mutex_unlock(&host->ctl_mutex);
	if (ret)
		dev_err(&host->hdev->dev, "VSTOR %s failed (%d, status 0x%x)\n",
			step, ret, ret == -EIO ? r.status : 0);
	return ret;
}

/* Limits from the host's answers and the module parameters. */
static void hv_sv_limits(struct hv_sv_host *host)
{
	u32 cap, xfer, per_chan, worst, n;
	int kb;

	kb = hv_vstor_param(HV_SV_NAME, "max_transfer_kb", hv_sv_max_xfer_kb,
			    4, 8192);
	cap = (u32)kb << 10;
	xfer = host->max_xfer & ~(HV_HYP_PAGE_SIZE - 1);
	if (!host->max_xfer)
		xfer = cap;		/* not reported: ours */
	else if (xfer < HV_HYP_PAGE_SIZE)
		xfer = HV_HYP_PAGE_SIZE;
	if (xfer > cap)
		xfer = cap;
	host->max_xfer = xfer;
	host->max_pfns = hv_vstor_sg_limit(xfer);

	host->want_sub = 0;
	if (host->version >= VSTOR_VERSION_WIN8 && host->type != HV_SV_IDE &&
	    (host->prop_flags & VSTOR_PROP_MULTICHANNEL)) {
		n = num_online_cpus() > 1 ? num_online_cpus() - 1 : 0;
		if (n > host->max_channel_cnt)
			n = host->max_channel_cnt;
		if (hv_sv_sub_channels >= 0 && n > (u32)hv_sv_sub_channels)
			n = hv_sv_sub_channels;
		if (n > HV_SV_MAX_SUBCH)
			n = HV_SV_MAX_SUBCH;
		host->want_sub = n;
	}

	/* requests of the largest size that fit one channel's send ring */
	worst = HV_PKT_TOTAL(sizeof(struct vmbus_pkt_gpa_direct) +
			     sizeof(struct vmbus_mpb_range_hdr) +
			     host->max_pfns * sizeof(u64) + host->pkt_size);
	per_chan = (host->ring_bytes - HV_HYP_PAGE_SIZE - 1) / worst;
	if (!per_chan)
		per_chan = 1;
	n = per_chan * (1 + host->want_sub);
	/*
	 * n requests per hardware queue; blk-mq gives each queue can_queue
	 * tags of its own, so the slot table holds n for every queue and
	 * blk-mq never dispatches more than it holds.
	 */
	host->nhwq = hv_compat_scsi_hw_queues(num_present_cpus());
	if (n * host->nhwq > HV_SV_MAX_SLOTS)
		n = HV_SV_MAX_SLOTS / host->nhwq ? HV_SV_MAX_SLOTS / host->nhwq : 1;
	host->depth = n;
	host->nslots = n * host->nhwq;	/* hv_sv_io_alloc() allocates them */
}

/* ---- sub-channels (B.6, E) ---------------------------------------------- */

static struct hv_sv_host *hv_sv_find_host(struct hv_device *hdev)
{
	struct hv_sv_host *host;

	list_for_each_entry(host, &hv_sv_hosts, node)
		if (host->hdev == hdev)
			return host;
	return NULL;
}

/* Does @cpu submit on the primary for want of a channel of its own? */
static int hv_sv_cpu_unrouted(struct hv_sv_host *host, unsigned int cpu)
{
	return cpu < host->ncpu && cpu != host->chans[0].cpu &&
		!atomic_long_read(&host->cpu_chan[cpu]);
}

/*
 * The host rescinded sub-channel @sc alone (vmbus work queue, before it is
 * closed): the CPUs that submitted on it go to the primary from now on.
 * Its requests in flight are never answered; their timeouts and error
 * handling (resets on the primary) finish them.
 */
static void hv_sv_subchannel_rescinded(struct hv_channel *sc, void *ctx)
{
	struct hv_sv_chan *chan = ctx;
	struct hv_sv_host *host = chan->host;
	unsigned long flags;
	unsigned int cpu, n = 0;

	spin_lock_irqsave(&host->route_lock, flags);
	for (cpu = 0; cpu < host->ncpu; cpu++) {
		if (atomic_long_read(&host->cpu_chan[cpu]) == (long)chan) {
			atomic_long_set(&host->cpu_chan[cpu], 0);
			n++;
		}
	}
	spin_unlock_irqrestore(&host->route_lock, flags);
	dev_info(&host->hdev->dev, "sub-channel %u rescinded: %u CPU(s) submit on the primary now\n",
		 hv_channel_relid(sc), n);
}

/*
 * A sub-channel offer of a host's controller (vmbus work queue, process
 * context): open it and route a CPU to it.
 */
static void hv_sv_subchannel_offer(struct hv_channel *sc)
{
	struct hv_sv_host *host;
	struct hv_sv_chan *chan;
	unsigned long flags;
	unsigned int cpu, c;
	int ret;

	mutex_lock(&hv_sv_hosts_mutex);
	host = hv_sv_find_host(hv_channel_device(sc));
	if (!host || atomic_read(&host->stopping) ||
	    host->nsub >= host->want_sub)
		goto out;
	chan = &host->chans[1 + host->nsub];
	chan->host = host;
	chan->ch = sc;
	chan->cpu = hv_channel_target_cpu(sc);
	ret = hv_channel_open(sc, host->ring_bytes, host->ring_bytes,
			      hv_sv_open_userdata, HV_SV_USERDATA_LEN,
			      hv_sv_on_channel, chan);
	if (ret) {
		dev_warn(&host->hdev->dev, "sub-channel %u not opened (%d)\n",
			 hv_channel_relid(sc), ret);
		chan->ch = NULL;
		goto out;
	}
	chan->open = 1;
	hv_channel_set_rescind_cb(sc, hv_sv_subchannel_rescinded, chan);
	host->nsub++;
	wake_up_all(&host->sub_wq);
	smp_wmb();	/* the channel is ready before CPUs are sent to it */
	/*
	 * Submissions of one CPU go to this sub-channel: its interrupt CPU if
	 * that has none yet, else the first online CPU without a channel
	 * (VMBus may give it the primary's CPU: then it would never be used).
	 */
	cpu = chan->cpu;
	if (!hv_sv_cpu_unrouted(host, cpu)) {
		cpu = host->ncpu;
		for_each_online_cpu(c) {
			if (hv_sv_cpu_unrouted(host, c)) {
				cpu = c;
				break;
			}
		}
	}
	if (cpu < host->ncpu) {
		spin_lock_irqsave(&host->route_lock, flags);
		atomic_long_set(&host->cpu_chan[cpu], (long)chan);
		spin_unlock_irqrestore(&host->route_lock, flags);
	}
out:
	mutex_unlock(&hv_sv_hosts_mutex);
}

/* sub-channels opened so far (hv_sv_subchannel_offer() writes it) */
static unsigned int hv_sv_nsub(struct hv_sv_host *host)
{
	unsigned int n;

	mutex_lock(&hv_sv_hosts_mutex);
	n = host->nsub;
	mutex_unlock(&hv_sv_hosts_mutex);
	return n;
}

/*
 * Ask for sub-channels and wait (at most HV_SV_SUBCH_WAIT_MS) until they
 * are open, so the disks start with every CPU routed to its own channel.
 * hv_vmbus handles offers apart from probes, so they arrive while we wait.
 */
static void hv_sv_request_subchannels(struct hv_sv_host *host)
{
	struct vstor_packet pkt;
	int ret;

	hv_channel_set_subchannel_cb(host->chans[0].ch, hv_sv_subchannel_offer);
	mutex_lock(&host->ctl_mutex);
	ret = hv_vstor_build_op(&pkt, VSTOR_OP_CREATE_SUB_CHANNELS,
				host->want_sub);
	if (!ret)
		ret = hv_sv_ctl_exec(host, &pkt, HV_SV_INIT_TIMEOUT_MS, NULL);
	mutex_unlock(&host->ctl_mutex);
	if (ret || pkt.status) {
		dev_warn(&host->hdev->dev, "CREATE_SUB_CHANNELS(%u) failed (%d, status 0x%x): one channel\n",
			 host->want_sub, ret, ret ? 0 : pkt.status);
		return;
	}
	wait_event_timeout(host->sub_wq, hv_sv_nsub(host) >= host->want_sub,
			   msecs_to_jiffies(HV_SV_SUBCH_WAIT_MS));
	dev_info(&host->hdev->dev, "sub-channels open at probe: %u of %u\n",
		 hv_sv_nsub(host), host->want_sub);
}

/* ---- host attributes ------------------------------------------------------ */

static ssize_t hv_sv_stats_fill(struct Scsi_Host *sh, char *buf)
{
	struct hv_sv_host *host = shost_priv(sh);
	struct hv_sv_stats *st = &host->stats;

	return snprintf(buf, PAGE_SIZE,
			"type %s\nvstor_version %u.%u\nchannels %u\nslots %u\n"
			"max_transfer %u\nstale %d\nbad %d\nunsolicited %d\n"
			"bounced %d\nbusy %d\nresets %d\nabandoned %d\n"
			"extended %d\n",
			hv_sv_type_names[host->type], host->version >> 8,
			host->version & 0xff, 1 + host->nsub, host->nslots,
			host->max_xfer, atomic_read(&st->stale),
			atomic_read(&st->bad), atomic_read(&st->unsolicited),
			atomic_read(&st->bounced), atomic_read(&st->busy),
			atomic_read(&st->resets), atomic_read(&st->abandoned),
			atomic_read(&st->extended));
}
HV_SHOST_ATTR_RO(hv_stats, hv_sv_stats_fill);

static hv_shost_attr_t *hv_sv_host_attrs[] = {
	HV_SHOST_ATTR(hv_stats),
	NULL
};
static struct hv_compat_shost_attrs hv_sv_host_attr_groups;

/* ---- SCSI host template ------------------------------------------------- */

HV_DEFINE_QUEUECOMMAND(hv_sv_queuecommand, hv_sv_queue)
HV_DEFINE_EH_TIMED_OUT(hv_sv_eh_timed_out, hv_sv_timed_out)
HV_DEFINE_CHANGE_QUEUE_DEPTH(hv_sv_sht_change_queue_depth,
			     hv_sv_change_queue_depth)
HV_DEFINE_SDEV_CONFIGURE(hv_sv_sht_sdev_configure, hv_sv_sdev_configure)

/* can_queue, sg_tablesize, max_sectors and cmd_per_lun are set per host */
static struct scsi_host_template hv_sv_template = {
	.module			= THIS_MODULE,
	.name			= HV_SV_NAME,
	.proc_name		= HV_SV_NAME,
	.queuecommand		= hv_sv_queuecommand,
	.eh_timed_out		= hv_sv_eh_timed_out,
	.eh_abort_handler	= hv_sv_eh_abort,
	.eh_device_reset_handler = hv_sv_eh_device_reset,
	.eh_bus_reset_handler	= hv_sv_eh_bus_reset,
	.eh_host_reset_handler	= hv_sv_eh_host_reset,
	.change_queue_depth	= hv_sv_sht_change_queue_depth,
	HV_SHT_SDEV_HOOKS(hv_sv_sdev_init, hv_sv_sht_sdev_configure,
			  hv_sv_sdev_destroy)
	.can_queue		= 1,
	.this_id		= -1,
	.sg_tablesize		= 2,
	.cmd_per_lun		= 1,
	HV_SHT_VIRT_BOUNDARY(HV_HYP_PAGE_SIZE - 1)
	HV_SHT_CLUSTERING
};

/* ---- probe / remove ------------------------------------------------------ */

/*
 * Wait for senders (hv_sv_send_begin/end) to leave: they never sleep long
 * (a control request waits 100 ms at most, a full ring makes them return
 * busy), so 10 s without progress means a bug: say so, loudly.
 */
static void hv_sv_wait_senders(struct hv_sv_host *host)
{
	unsigned int i;

	for (i = 0; atomic_read(&host->senders) && i < 500; i++)
		msleep(20);
	WARN_ONCE(atomic_read(&host->senders),
		  HV_SV_NAME ": host%u: %d sender(s) still busy after 10 s\n",
		  host->shost->host_no, atomic_read(&host->senders));
}

/*
 * Did the host break the rules on one of our channels (a malformed
 * packet)? Then it answers nothing more there, and hv_vmbus resets us.
 */
static int hv_sv_broken(struct hv_sv_host *host)
{
	unsigned int i;

	for (i = 0; i <= host->nsub && i <= HV_SV_MAX_SUBCH; i++)
		if (host->chans[i].ch && host->chans[i].open &&
		    hv_channel_broken(host->chans[i].ch))
			return 1;
	return 0;
}

/* Everything probe set up, in reverse; @added: scsi_add_host() succeeded. */
static void hv_sv_teardown(struct hv_sv_host *host, int added)
{
	struct hv_channel *primary = host->chans[0].ch;

	mutex_lock(&hv_sv_hosts_mutex);
	list_del_init(&host->node);
	atomic_set(&host->stopping, 1);	/* no more sub-channels, no more work */
	mutex_unlock(&hv_sv_hosts_mutex);
	hv_channel_set_subchannel_cb(primary, NULL);

	if (!added || hv_channel_rescinded(primary) || hv_sv_broken(host)) {
		/* the host is gone: nothing it holds will come back */
		hv_sv_set_state(host, HV_SV_GONE);
		hv_vstor_ctl_cancel(&host->ctl);
		/* senders in flight still use their slots: let them finish
		 * (they never sleep long) before giving requests up */
		hv_sv_wait_senders(host);
		if (host->slots)
			hv_sv_abandon(host, NULL, DID_NO_CONNECT,
				      !hv_channel_rescinded(primary));
	}
	flush_workqueue(host->wq);
	if (added) {
		/* a host still there completes the last I/O (cache flushes) */
		hv_compat_fc_host_remove(&hv_sv_fc, host->shost);
		scsi_remove_host(host->shost);
	}

	hv_sv_set_state(host, HV_SV_DEAD);
	hv_vstor_ctl_cancel(&host->ctl);
	hv_sv_wait_senders(host);
	if (host->slots)
		hv_sv_abandon(host, NULL, DID_NO_CONNECT,
			      !hv_channel_rescinded(primary));
	hv_channel_close(primary);	/* sub-channels too; no callback after */
	destroy_workqueue(host->wq);
	hv_sv_io_free(host);
	hv_set_drvdata(host->hdev, NULL);
}

static int hv_sv_ide_address(struct hv_sv_host *host)
{
	const u8 *b = host->hdev->device_id.b;
	u32 path = b[0] | (b[1] << 8) | (b[2] << 16) | ((u32)b[3] << 24);
	u32 target = b[4] | (b[5] << 8);

	/* Hyper-V uses 0/1 (two controllers, two devices); the SRB carries u8 */
	if (path > 0xff || target > 0xff) {
		dev_err(&host->hdev->dev, "IDE address %u:%u out of range\n",
			path, target);
		return -ENODEV;
	}
	host->ide_path = (u8)path;
	host->ide_target = (u8)target;
	return 0;
}

static void hv_sv_host_params(struct hv_sv_host *host)
{
	struct Scsi_Host *sh = host->shost;

	sh->can_queue = host->depth;
	sh->cmd_per_lun = (short)host->depth;
	/* one hardware queue per CPU, as each CPU has its channel (E) */
	hv_compat_scsi_set_hw_queues(sh, host->nhwq);
	sh->sg_tablesize = (unsigned short)host->max_pfns;
	sh->max_sectors = host->max_xfer >> 9;
	sh->max_cmd_len = VSTOR_CDB_SIZE;
	sh->max_channel = 0;
	switch (host->type) {
	case HV_SV_FC:
		sh->max_id = HV_SV_FC_MAX_TARGETS;
		sh->max_lun = HV_SV_FC_MAX_LUNS;
		break;
	case HV_SV_IDE:
		sh->max_id = host->ide_target + 1;
		sh->max_lun = 1;
		break;
	default:
		sh->max_id = HV_SV_SCSI_MAX_TARGETS;
		sh->max_lun = HV_SV_SCSI_MAX_LUNS;
		break;
	}
}

static int hv_sv_probe(struct hv_device *hdev, const struct hv_device_id *id)
{
	struct Scsi_Host *shost;
	struct hv_sv_host *host;
	int kb = hv_sv_ring_kb, ret, added = 0;

	if (id->driver_data > HV_SV_IDE)
		return -ENODEV;
	shost = scsi_host_alloc(&hv_sv_template, sizeof(*host));
	if (!shost)
		return -ENOMEM;
	host = shost_priv(shost);
	memset(host, 0, sizeof(*host));
	host->shost = shost;
	host->hdev = hdev;
	host->type = (int)id->driver_data;
	atomic_set(&host->state, HV_SV_INIT);
	atomic_set(&host->stopping, 0);
	INIT_LIST_HEAD(&host->node);
	init_waitqueue_head(&host->sub_wq);
	atomic_set(&host->senders, 0);
	spin_lock_init(&host->rqt.lock);
	spin_lock_init(&host->route_lock);
	mutex_init(&host->ctl_mutex);
	hv_vstor_ctl_init(&host->ctl);
	HV_INIT_WORK(&host->scan_work, hv_sv_scan_work);
	kb = hv_vstor_param(HV_SV_NAME, "ring_size_kb", kb, 16, 16384);
	host->ring_bytes = ((u32)kb << 10) & ~((u32)PAGE_SIZE - 1);

	if (host->type == HV_SV_IDE) {
		ret = hv_sv_ide_address(host);
		if (ret)
			goto fail_put;
	}
	snprintf(host->wq_name, sizeof(host->wq_name), "hv_storvsc_%u",
		 shost->host_no);
	host->wq = create_singlethread_workqueue(host->wq_name);
	if (!host->wq) {
		ret = -ENOMEM;
		goto fail_put;
	}
	hv_set_drvdata(hdev, host);

	host->chans[0].host = host;
	host->chans[0].ch = hdev->channel;
	host->chans[0].cpu = hv_channel_target_cpu(hdev->channel);
	ret = hv_channel_open(hdev->channel, host->ring_bytes,
			      host->ring_bytes, hv_sv_open_userdata,
			      HV_SV_USERDATA_LEN, hv_sv_on_channel,
			      &host->chans[0]);
	if (ret) {
		dev_err(&hdev->dev, "channel not opened (%d)\n", ret);
		goto fail_teardown;
	}
	host->chans[0].open = 1;

	ret = hv_sv_negotiate(host);
	if (ret)
		goto fail_teardown;
	hv_sv_limits(host);
	ret = hv_sv_io_alloc(host, host->nslots);
	if (ret)
		goto fail_teardown;
	hv_sv_host_params(host);

	mutex_lock(&hv_sv_hosts_mutex);
	list_add_tail(&host->node, &hv_sv_hosts);
	mutex_unlock(&hv_sv_hosts_mutex);
	if (host->want_sub)
		hv_sv_request_subchannels(host);

	if (host->type == HV_SV_FC)
		hv_compat_fc_host_prepare(&hv_sv_fc, shost);
	ret = scsi_add_host(shost, &hdev->dev);
	if (ret) {
		dev_err(&hdev->dev, "SCSI host not added (%d)\n", ret);
		goto fail_teardown;
	}
	added = 1;
	hv_sv_set_state(host, HV_SV_RUNNING);
	if (host->type == HV_SV_FC) {
		hv_compat_fc_set_wwn(&hv_sv_fc, shost, host->node_name,
				     host->port_name);
		hv_compat_fc_add_rport(&hv_sv_fc, shost);
	}
	dev_info(&hdev->dev, "host%u: %s, VSTOR %u.%u, %u-byte requests, %u slots, %u sub-channel(s) asked\n",
		 shost->host_no, hv_sv_type_names[host->type],
		 host->version >> 8, host->version & 0xff, host->max_xfer,
		 host->nslots, host->want_sub);

	if (host->type == HV_SV_IDE) {
		ret = scsi_add_device(shost, 0, host->ide_target, 0);
		if (ret) {
			dev_err(&hdev->dev, "IDE disk not added (%d)\n", ret);
			goto fail_teardown;
		}
	} else {
		scsi_scan_host(shost);
	}
	return 0;

fail_teardown:
	hv_sv_teardown(host, added);
fail_put:
	scsi_host_put(shost);
	return ret;
}

static void hv_sv_remove(struct hv_device *hdev)
{
	struct hv_sv_host *host = hv_get_drvdata(hdev);
	struct Scsi_Host *shost;

	if (!host)
		return;
	shost = host->shost;
	hv_sv_teardown(host, 1);
	scsi_host_put(shost);
}

static struct hv_driver hv_sv_driver = {
	.name = HV_SV_NAME,
	.id_table = hv_sv_ids,
	.probe = hv_sv_probe,
	.remove = hv_sv_remove,
};

static int __init hv_sv_init(void)
{
	int ret;

	hv_compat_sht_set_shost_attrs(&hv_sv_template, hv_sv_host_attrs,
				      &hv_sv_host_attr_groups);
	ret = hv_compat_fc_init(&hv_sv_fc);
	if (ret)
		return ret;
	if (hv_sv_ide > 0 || (hv_sv_ide < 0 && !HV_COMPAT_IDE_BY_BLKVSC))
		hv_sv_driver.id_table = hv_sv_ids_ide;
	ret = hv_driver_register(&hv_sv_driver);
	if (ret)
		hv_compat_fc_exit(&hv_sv_fc);
	return ret;
}

static void __exit hv_sv_exit(void)
{
	hv_driver_unregister(&hv_sv_driver);
	hv_compat_fc_exit(&hv_sv_fc);
}

module_init(hv_sv_init);
module_exit(hv_sv_exit);

MODULE_LICENSE("GPL");
MODULE_VERSION(HV_LIC_VERSION);
MODULE_DESCRIPTION("Hyper-V synthetic SCSI and FC host (hyperv-lic)");
MODULE_AUTHOR("hyperv-lic developers");
