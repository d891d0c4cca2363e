// SPDX-License-Identifier: GPL-2.0
/*
 * storvsc_io.c - the request path of hv_storvsc (fact sheet E, C.2):
 * the slots of the requests in flight (named by hv_vmbus's request
 * tracker), EXECUTE_SRB
 * submission (in-band without data, GPA-direct multipage packet with
 * data), the bounce buffer for scatter-gather lists that break the
 * "middle segments are whole 4 KiB pages" rule, completions (validated by
 * the protocol core, mapped to midlayer results) and unsolicited host
 * messages.
 */
#include "storvsc.h"

/* SCSI operation codes looked at here (SBC) */
#define HV_SV_OP_WRITE_SAME_10	0x41
#define HV_SV_OP_UNMAP		0x42
#define HV_SV_OP_WRITE_SAME_16	0x93

static inline u32 hv_sv_min(u32 a, u32 b)
{
	return a < b ? a : b;
}

/* ---- memory ----------------------------------------------------------- */

/**
 * hv_sv_io_alloc() - allocate the request machinery of a host.
 * @host: the host; host->max_pfns must be set
 * @nslots: requests in flight at most (the host's can_queue)
 *
 * The slot table, the per-CPU PFN scratch buffers (host->max_pfns
 * entries each) and the CPU -> channel map.
 * Context: process, may sleep. Return: 0 or -ENOMEM (nothing kept).
 */
int hv_sv_io_alloc(struct hv_sv_host *host, u32 nslots)
{
	unsigned int cpu;

	host->ncpu = hv_compat_nr_cpu_ids();
	host->nslots = nslots;
	host->slots = hv_vstor_zalloc(sizeof(*host->slots) * nslots);
	host->scratch = kcalloc(host->ncpu, sizeof(*host->scratch), GFP_KERNEL);
	host->cpu_chan = kcalloc(host->ncpu, sizeof(*host->cpu_chan),
				 GFP_KERNEL);
	if (!host->slots || !host->scratch || !host->cpu_chan ||
	    hv_rqt_init(&host->rqt, nslots))
		goto nomem;

	host->scratch_bytes = host->max_pfns *
		(sizeof(struct hv_vstor_seg) + sizeof(u64));
	for_each_possible_cpu(cpu) {
		struct hv_sv_scratch *sc;

		if (cpu >= host->ncpu)
			continue;
		sc = &host->scratch[cpu];
		sc->segs = hv_vstor_zalloc(host->scratch_bytes);
		if (!sc->segs)
			goto nomem;
		sc->pfns = (u64 *)(sc->segs + host->max_pfns);
	}
	return 0;

nomem:
	hv_sv_io_free(host);
	return -ENOMEM;
}

/**
 * hv_sv_io_free() - free what hv_sv_io_alloc() allocated.
 * @host: the host; every slot must be free (hv_sv_abandon() once the
 *	channels are closed)
 *
 * Context: process.
 */
void hv_sv_io_free(struct hv_sv_host *host)
{
	unsigned int cpu;

	if (host->scratch) {
		for (cpu = 0; cpu < host->ncpu; cpu++)
			hv_vstor_zfree(host->scratch[cpu].segs,
				    host->scratch_bytes);
		kfree(host->scratch);
	}
	host->scratch = NULL;
	if (host->slots)
		hv_vstor_zfree(host->slots, sizeof(*host->slots) * host->nslots);
	host->slots = NULL;
	host->nslots = 0;
	hv_rqt_destroy(&host->rqt);
	kfree(host->cpu_chan);
	host->cpu_chan = NULL;
}

/* ---- slots ------------------------------------------------------------ */

static inline u32 hv_sv_slot_idx(const struct hv_sv_host *host,
				 const struct hv_sv_slot *s)
{
	return (u32)(s - host->slots);
}

/*
 * A free slot for @cmd, in flight (the host's) from now on, and in @trans
 * the trans_id it goes with; NULL when all are in use. Any context.
 */
static struct hv_sv_slot *hv_sv_slot_get(struct hv_sv_host *host,
					 struct scsi_cmnd *cmd, u32 len,
					 u8 data_in, int eh_owned, u64 *trans)
{
	struct hv_sv_slot *s = NULL;
	unsigned long flags;
	u32 idx;

	spin_lock_irqsave(&host->rqt.lock, flags);
	if (!__hv_rqt_get(&host->rqt, &idx)) {
		s = &host->slots[idx];
		s->cmd = cmd;
		s->requested = len;
		s->data_in = data_in;
		s->extends = 0;
		s->expired = 0;
		s->eh_cmd = (u8)eh_owned;
		s->progress = host->n_done;
		/* fields first: a give-up may take it once it is BUSY */
		__hv_rqt_arm(&host->rqt, idx, trans);
	}
	spin_unlock_irqrestore(&host->rqt.lock, flags);
	return s;
}

/* Slot @s (HELD: completed, failed or given up) back to the free list. */
static void hv_sv_slot_put(struct hv_sv_host *host, struct hv_sv_slot *s)
{
	unsigned long flags;

	spin_lock_irqsave(&host->rqt.lock, flags);
	s->cmd = NULL;
	__hv_rqt_put(&host->rqt, hv_sv_slot_idx(host, s));
	spin_unlock_irqrestore(&host->rqt.lock, flags);
}

/* Is slot @s in flight (owned by the host)? Under rqt.lock. */
static inline int hv_sv_slot_busy(struct hv_sv_host *host,
				  const struct hv_sv_slot *s)
{
	return __hv_rqt_state(&host->rqt, hv_sv_slot_idx(host, s)) ==
		HV_RQT_BUSY;
}

/* The slot @cmd->host_scribble names, if it points into our table. */
static struct hv_sv_slot *hv_sv_slot_of(struct hv_sv_host *host,
					struct scsi_cmnd *cmd)
{
	unsigned long p = (unsigned long)cmd->host_scribble;
	unsigned long base = (unsigned long)host->slots;

	if (!p || !base || p < base ||
	    p >= base + sizeof(struct hv_sv_slot) * host->nslots ||
	    (p - base) % sizeof(struct hv_sv_slot))
		return NULL;
	return (struct hv_sv_slot *)p;
}

/* ---- bounce buffer ---------------------------------------------------- */

static void hv_sv_bounce_free(struct hv_sv_slot *s)
{
	u32 i;

	if (!s->bounce)
		return;
	for (i = 0; i < s->nbounce; i++)
		if (s->bounce[i])
			__free_page(s->bounce[i]);
	kfree(s->bounce);
	s->bounce = NULL;
	s->nbounce = 0;
}

/*
 * Copy the first @len bytes of the command's data into the bounce pages
 * (@to_bounce) or back out of them. Any context.
 */
static void hv_sv_bounce_copy(struct scsi_cmnd *cmd, struct hv_sv_slot *s,
			      u32 len, int to_bounce)
{
	struct hv_compat_sgiter it;
	u64 pfn;
	u32 off, seg, chunk, boff, done = 0;
	u8 *bva;

	hv_compat_sgiter_init(&it, cmd);
	while (done < len && hv_compat_sgiter_next(&it, &pfn, &off, &seg)) {
		while (seg && done < len) {
			boff = done & (PAGE_SIZE - 1);
			bva = (u8 *)page_address(s->bounce[done >> PAGE_SHIFT]);
			chunk = hv_sv_min(seg, PAGE_SIZE - off);
			chunk = hv_sv_min(chunk, PAGE_SIZE - boff);
			chunk = hv_sv_min(chunk, len - done);
			hv_compat_page_copy(pfn_to_page((unsigned long)pfn), off,
					    bva + boff, chunk, !to_bounce);
			off += chunk;
			if (off == PAGE_SIZE) {
				off = 0;
				pfn++;
			}
			seg -= chunk;
			done += chunk;
		}
	}
}

/* Bounce pages for @len bytes; writes are copied in. Any context. */
static int hv_sv_bounce_prepare(struct hv_sv_slot *s, struct scsi_cmnd *cmd,
				u32 len)
{
	u32 i, n = DIV_ROUND_UP(len, PAGE_SIZE);

	s->bounce = kcalloc(n, sizeof(struct page *), GFP_ATOMIC);
	if (!s->bounce)
		return -ENOMEM;
	s->nbounce = n;
	for (i = 0; i < n; i++) {
		s->bounce[i] = alloc_page(GFP_ATOMIC);
		if (!s->bounce[i]) {
			hv_sv_bounce_free(s);
			return -ENOMEM;
		}
	}
	if (s->data_in == VSTOR_WRITE_TYPE)
		hv_sv_bounce_copy(cmd, s, len, 1);
	return 0;
}

/* ---- submission ------------------------------------------------------- */

/* Channel for requests submitted on @cpu: its own sub-channel, or the primary. */
static struct hv_sv_chan *hv_sv_pick_chan(struct hv_sv_host *host,
					  unsigned int cpu)
{
	struct hv_sv_chan *c = NULL;

	if (host->cpu_chan && cpu < host->ncpu)
		c = (struct hv_sv_chan *)atomic_long_read(&host->cpu_chan[cpu]);
	return c ? c : &host->chans[0];
}

static int hv_sv_send_inband(struct hv_sv_host *host, unsigned int cpu,
			     const struct vstor_packet *pkt, u64 trans)
{
	struct hv_sv_chan *c = hv_sv_pick_chan(host, cpu);
	int ret;

	ret = hv_channel_send(c->ch, pkt, host->pkt_size, trans,
			      VMBUS_PKT_DATA_INBAND,
			      VMBUS_PKT_FLAG_COMPLETION_REQUESTED);
	if (ret == -ENODEV && c != &host->chans[0])
		ret = hv_channel_send(host->chans[0].ch, pkt, host->pkt_size,
				      trans, VMBUS_PKT_DATA_INBAND,
				      VMBUS_PKT_FLAG_COMPLETION_REQUESTED);
	return ret;
}

static int hv_sv_send_data(struct hv_sv_host *host, unsigned int cpu,
			   const u64 *pfns, u32 npfn, u32 off, u32 len,
			   const struct vstor_packet *pkt, u64 trans)
{
	struct hv_sv_chan *c = hv_sv_pick_chan(host, cpu);
	struct hv_multipage_buffer mpb;
	int ret;

	mpb.len = len;
	mpb.offset = off;
	/* only the frames the transfer touches */
	mpb.pfn_count = hv_sv_min(npfn, DIV_ROUND_UP(off + len, HV_HYP_PAGE_SIZE));
	mpb.pfns = pfns;
	ret = hv_channel_send_mpb(c->ch, &mpb, pkt, host->pkt_size, trans);
	if (ret == -ENODEV && c != &host->chans[0])
		ret = hv_channel_send_mpb(host->chans[0].ch, &mpb, pkt,
					  host->pkt_size, trans);
	return ret;
}

/*
 * Send the EXECUTE_SRB @pkt of slot @s with @len bytes of data.
 * The PFN list is built in this CPU's scratch buffer with interrupts off
 * (queuecommand may run in process or softirq context). A list that breaks
 * the page rule (E: middle segments whole pages) is never sent: the data
 * goes through bounce pages instead.
 * Return: 0, -EAGAIN ring full, -ENOMEM no bounce memory, -ENODEV channel
 * gone, -EINVAL the data cannot be described.
 */
static int hv_sv_submit(struct hv_sv_host *host, struct hv_sv_slot *s,
			struct scsi_cmnd *cmd, const struct vstor_packet *pkt,
			u64 trans, u32 len)
{
	struct hv_compat_sgiter it;
	struct hv_sv_scratch *sc;
	unsigned long flags;
	unsigned int cpu;
	u32 nseg = 0, npfn, off = 0, total = 0, i, soff, slen;
	u64 pfn;
	int ret, too_many = 0;

	if (!len)
		return hv_sv_send_inband(host, raw_smp_processor_id(), pkt,
					 trans);

	local_irq_save(flags);
	cpu = smp_processor_id();
	sc = &host->scratch[cpu];
	hv_compat_sgiter_init(&it, cmd);
	while (hv_compat_sgiter_next(&it, &pfn, &soff, &slen)) {
		if (nseg == host->max_pfns) {
			too_many = 1;
			break;
		}
		sc->segs[nseg].pfn = pfn;
		sc->segs[nseg].offset = soff;
		sc->segs[nseg].len = slen;
		nseg++;
	}
	npfn = too_many ? 0 : hv_vstor_build_pfns(sc->segs, nseg, sc->pfns,
						 host->max_pfns, &off, &total);
	if (npfn && total >= len) {
		ret = hv_sv_send_data(host, cpu, sc->pfns, npfn, off, len, pkt,
				      trans);
		local_irq_restore(flags);
		return ret;
	}
	local_irq_restore(flags);
	if (npfn)
		return -EINVAL;	/* the list holds less than the command says */

	/* the list breaks the page rule: bounce */
	ret = hv_sv_bounce_prepare(s, cmd, len);
	if (ret)
		return ret;
	atomic_inc(&host->stats.bounced);
	local_irq_save(flags);
	cpu = smp_processor_id();
	sc = &host->scratch[cpu];
	for (i = 0; i < s->nbounce; i++) {
		sc->segs[i].pfn = page_to_pfn(s->bounce[i]);
		sc->segs[i].offset = 0;
		sc->segs[i].len = hv_sv_min(PAGE_SIZE, len - i * PAGE_SIZE);
	}
	npfn = hv_vstor_build_pfns(sc->segs, s->nbounce, sc->pfns,
				   host->max_pfns, &off, &total);
	ret = npfn ? hv_sv_send_data(host, cpu, sc->pfns, npfn, off, len, pkt,
				     trans) : -EINVAL;
	local_irq_restore(flags);
	return ret;
}

/* Complete @cmd now with @host_byte and no data. Returns 0 for queuecommand. */
static int hv_sv_finish(struct scsi_cmnd *cmd, int host_byte)
{
	cmd->result = host_byte << 16;
	hv_compat_scsi_set_resid(cmd, hv_compat_scsi_bufflen(cmd));
	hv_compat_scsi_done(cmd);
	return 0;
}

/* CHECK CONDITION, ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE */
static int hv_sv_finish_illegal(struct scsi_cmnd *cmd)
{
	u8 *sb = cmd->sense_buffer;

	memset(sb, 0, SCSI_SENSE_BUFFERSIZE);
	sb[0] = 0x70;		/* fixed format, current */
	sb[2] = 0x05;		/* ILLEGAL REQUEST */
	sb[7] = 10;		/* additional length */
	sb[12] = 0x20;		/* INVALID COMMAND OPERATION CODE */
	cmd->result = SAM_STAT_CHECK_CONDITION;
	hv_compat_scsi_set_resid(cmd, hv_compat_scsi_bufflen(cmd));
	hv_compat_scsi_done(cmd);
	return 0;
}

/*
 * Commands a host of this version does not implement (E: no WRITE SAME
 * to hosts <= 5.1; UNMAP from 5.1). Refusing them the way a disk does
 * makes sd stop using them.
 */
static int hv_sv_refused(const struct hv_sv_host *host,
			 const struct scsi_cmnd *cmd)
{
	switch (cmd->cmnd[0]) {
	case HV_SV_OP_WRITE_SAME_10:
	case HV_SV_OP_WRITE_SAME_16:
		return host->version <= VSTOR_VERSION_WIN8;
	case HV_SV_OP_UNMAP:
		return host->version < VSTOR_VERSION_WIN8;
	default:
		return 0;
	}
}

/**
 * hv_sv_srb_address() - the SRB address (E: vmscsi_request path_id,
 * target_id, lun) of a device.
 * @host: the host
 * @sdev: the device
 * @path: out, path (bus) id
 * @target: out, target id
 * @lun: out, LUN
 *
 * IDE disks are addressed as their instance GUID says (E). Context: any.
 */
void hv_sv_srb_address(const struct hv_sv_host *host,
		       const struct scsi_device *sdev, u8 *path, u8 *target,
		       u8 *lun)
{
	if (host->type == HV_SV_IDE) {
		*path = host->ide_path;
		*target = host->ide_target;
		*lun = 0;
		return;
	}
	*path = (u8)sdev->channel;
	*target = (u8)sdev->id;
	*lun = (u8)sdev->lun;
}

/* Addresses the SRB cannot carry, or an IDE disk's siblings. */
static int hv_sv_addr_ok(const struct hv_sv_host *host,
			 const struct scsi_device *sdev)
{
	if (sdev->channel > 0xff || sdev->id > 0xff || sdev->lun > 0xff)
		return 0;
	if (host->type == HV_SV_IDE)
		return sdev->channel == 0 && sdev->id == host->ide_target &&
			sdev->lun == 0;
	return 1;
}

/*
 * A command the midlayer hands us again while its old request is still in
 * a slot: error handling reuses timed-out commands for TEST UNIT READY and
 * REQUEST SENSE. Forget the old request first; its completion, should it
 * come, no longer matches.
 * Return: 1 when the old request had timed out or was itself sent by
 * error handling (so error handling owns the command now), else 0.
 */
static int hv_sv_reclaim(struct hv_sv_host *host, struct scsi_cmnd *cmd)
{
	struct hv_sv_slot *s = hv_sv_slot_of(host, cmd);
	unsigned long flags;
	int mine = 0, expired = 0;

	cmd->host_scribble = NULL;
	if (!s)
		return 0;
	spin_lock_irqsave(&host->rqt.lock, flags);
	if (hv_sv_slot_busy(host, s) && s->cmd == cmd) {
		__hv_rqt_claim_idx(&host->rqt, hv_sv_slot_idx(host, s));
		expired = s->expired || s->eh_cmd;
		mine = 1;
	}
	spin_unlock_irqrestore(&host->rqt.lock, flags);
	if (!mine)
		return 0;
	hv_sv_bounce_free(s);
	hv_sv_slot_put(host, s);
	atomic_inc(&host->stats.abandoned);
	return expired;
}

/**
 * hv_sv_queue() - queuecommand (through HV_DEFINE_QUEUECOMMAND).
 * @shost: the SCSI host
 * @cmd: the command
 *
 * Encodes @cmd as EXECUTE_SRB (E) and sends it: in-band without data, as
 * a GPA-direct multipage packet (C.2) with data, on the channel of the
 * submitting CPU (else the primary).
 * Context: atomic (softirq or process with preemption possible; with the
 * host lock held before 2.6.37); does not sleep.
 * Return: 0 (sent, or completed at once with an error), or
 * SCSI_MLQUEUE_HOST_BUSY when no slot, ring space or bounce memory is free.
 */
int hv_sv_queue(struct Scsi_Host *shost, struct scsi_cmnd *cmd)
{
	struct hv_sv_host *host = shost_priv(shost);
	struct scsi_device *sdev = cmd->device;
	struct hv_vstor_cmd vc;
	struct vstor_packet pkt;
	struct hv_sv_slot *s;
	u32 len;
	u64 trans;
	int ret, eh_owned;

	if (!hv_sv_send_begin(host, 1))
		return hv_sv_finish(cmd, DID_NO_CONNECT);
	eh_owned = hv_sv_reclaim(host, cmd);
	if (!hv_sv_addr_ok(host, sdev)) {
		ret = hv_sv_finish(cmd, DID_NO_CONNECT);
		goto out;
	}
	if (cmd->cmd_len == 0 || cmd->cmd_len > VSTOR_CDB_SIZE) {
		ret = hv_sv_finish(cmd, DID_ERROR);
		goto out;
	}
	if (hv_sv_refused(host, cmd)) {
		ret = hv_sv_finish_illegal(cmd);
		goto out;
	}

	memset(&vc, 0, sizeof(vc));
	len = hv_compat_scsi_bufflen(cmd);
	if (!len || cmd->sc_data_direction == DMA_NONE) {
		len = 0;
		vc.data_in = VSTOR_UNKNOWN_TYPE;
	} else if (cmd->sc_data_direction == DMA_TO_DEVICE) {
		vc.data_in = VSTOR_WRITE_TYPE;
	} else if (cmd->sc_data_direction == DMA_FROM_DEVICE) {
		vc.data_in = VSTOR_READ_TYPE;
	} else {
		ret = hv_sv_finish(cmd, DID_ERROR);	/* bidirectional */
		goto out;
	}
	if (len > host->max_xfer) {
		pr_err_ratelimited(HV_SV_NAME ": host%u: %u-byte command over the %u-byte limit\n",
				   shost->host_no, len, host->max_xfer);
		ret = hv_sv_finish(cmd, DID_ERROR);
		goto out;
	}
	vc.cdb = cmd->cmnd;
	vc.cdb_len = (u8)cmd->cmd_len;
	hv_sv_srb_address(host, sdev, &vc.path_id, &vc.target_id, &vc.lun);
	vc.transfer_len = len;
	vc.timeout_s = (u32)(hv_compat_scsi_cmd_timeout(cmd) / HZ);
	if (hv_vstor_build_srb(&pkt, host->version, &vc)) {
		ret = hv_sv_finish(cmd, DID_ERROR);
		goto out;
	}
	pkt.u.srb.port = (u8)shost->host_no;

	s = hv_sv_slot_get(host, cmd, len, vc.data_in, eh_owned, &trans);
	if (!s) {
		atomic_inc(&host->stats.busy);
		ret = SCSI_MLQUEUE_HOST_BUSY;
		goto out;
	}
	cmd->host_scribble = (unsigned char *)s;

	ret = hv_sv_submit(host, s, cmd, &pkt, trans, len);
	if (!ret)
		goto out;	/* the completion may already have run */
	if (hv_rqt_cancel(&host->rqt, trans)) {
		/* abandoned meanwhile (teardown, reset): it finished the
		 * command and freed the slot; touching either again would
		 * complete the command twice */
		ret = 0;
		goto out;
	}
	cmd->host_scribble = NULL;
	hv_sv_bounce_free(s);
	hv_sv_slot_put(host, s);
	if (ret == -EAGAIN || ret == -ENOMEM) {
		atomic_inc(&host->stats.busy);
		ret = SCSI_MLQUEUE_HOST_BUSY;
	} else {
		ret = hv_sv_finish(cmd, ret == -ENODEV ? DID_NO_CONNECT :
				   DID_ERROR);
	}
out:
	hv_sv_send_end(host);
	return ret;
}

/* ---- completion -------------------------------------------------------- */

/* UNIT ATTENTION, REPORTED LUNS DATA HAS CHANGED (fixed or descriptor sense) */
static int hv_sv_sense_luns_changed(const u8 *sense, u32 len)
{
	u8 key, asc, ascq;

	if (len < 4)
		return 0;
	switch (sense[0] & 0x7f) {
	case 0x70:
	case 0x71:
		if (len < 14)
			return 0;
		key = sense[2] & 0x0f;
		asc = sense[12];
		ascq = sense[13];
		break;
	case 0x72:
	case 0x73:
		key = sense[1] & 0x0f;
		asc = sense[2];
		ascq = sense[3];
		break;
	default:
		return 0;
	}
	return key == 0x06 && asc == 0x3f && ascq == 0x0e;
}

/* Finish slot @s (state DONE) with the COMPLETE_IO @vp of @len bytes. */
static void hv_sv_complete_io(struct hv_sv_host *host, struct hv_sv_slot *s,
			      const struct vstor_packet *vp, u32 len)
{
	struct scsi_cmnd *cmd = s->cmd;
	struct hv_vstor_completion c;
	u32 bufflen, xfer = 0, n;
	int result;

	if (s->expired && !s->eh_cmd) {
		/* too late: error handling owns the command; leave it be */
		hv_sv_bounce_free(s);
		atomic_inc(&host->stats.stale);
		return;
	}
	bufflen = hv_compat_scsi_bufflen(cmd);
	if (hv_vstor_parse_completion(vp, len, host->version, s->requested,
				      &c)) {
		atomic_inc(&host->stats.bad);
		pr_err_ratelimited(HV_SV_NAME ": host%u: malformed completion (%u bytes, operation %u)\n",
				   host->shost->host_no, len, vp->operation);
		result = DID_ERROR << 16;
	} else {
		xfer = c.transferred;
		switch (c.result) {
		case HV_VSTOR_OK:
			result = DID_OK << 16;
			break;
		case HV_VSTOR_CHECK_CONDITION:
			result = (DID_OK << 16) | c.scsi_status;
			if (c.sense && c.sense_len) {
				n = hv_sv_min(c.sense_len, SCSI_SENSE_BUFFERSIZE);
				memset(cmd->sense_buffer, 0, SCSI_SENSE_BUFFERSIZE);
				memcpy(cmd->sense_buffer, c.sense, n);
				if (hv_sv_sense_luns_changed(c.sense, n))
					hv_sv_queue_work(host, HV_SV_WORK_SCAN);
			}
			break;
		case HV_VSTOR_INVALID_LUN:
			result = DID_NO_CONNECT << 16;
			hv_sv_lun_gone(host, cmd->device);
			break;
		case HV_VSTOR_ABORTED:
			result = DID_RESET << 16;	/* retried by the midlayer */
			break;
		default:
			result = DID_ERROR << 16;
			break;
		}
	}
	if (s->bounce) {
		if (s->data_in == VSTOR_READ_TYPE && xfer)
			hv_sv_bounce_copy(cmd, s, xfer, 0);
		hv_sv_bounce_free(s);
	}
	hv_compat_scsi_set_resid(cmd, bufflen > xfer ? bufflen - xfer : 0);
	cmd->result = result;
	cmd->host_scribble = NULL;
	hv_compat_scsi_done(cmd);
}

static void hv_sv_on_completion(struct hv_sv_host *host, u64 trans_id,
				const struct vstor_packet *vp, u32 len)
{
	struct hv_sv_slot *s = NULL;
	unsigned long flags;
	u32 idx;

	if ((u32)trans_id == HV_SV_CTL_TAG) {
		hv_sv_ctl_complete(host, (u32)(trans_id >> 32), vp, len);
		return;
	}
	spin_lock_irqsave(&host->rqt.lock, flags);
	if (!__hv_rqt_claim(&host->rqt, trans_id, &idx)) {
		s = &host->slots[idx];
		host->n_done++;
	}
	spin_unlock_irqrestore(&host->rqt.lock, flags);
	if (!s) {
		atomic_inc(&host->stats.stale);
		pr_warn_ratelimited(HV_SV_NAME ": host%u: dropped completion with unknown or stale id 0x%llx\n",
				    host->shost->host_no,
				    (unsigned long long)trans_id);
		return;
	}
	hv_sv_complete_io(host, s, vp, len);
	hv_sv_slot_put(host, s);
}

/* Operations only the host starts (E); never answers to our requests. */
static int hv_sv_is_host_message(const struct vstor_packet *vp, u32 len)
{
	if (len < 12)
		return 0;
	return vp->operation == VSTOR_OP_ENUMERATE_BUS ||
		vp->operation == VSTOR_OP_REMOVE_DEVICE ||
		vp->operation == VSTOR_OP_FCHBA_DATA;
}

/* A message the host sent on its own (trans_id 0 / not a completion). */
static void hv_sv_on_unsolicited(struct hv_sv_host *host,
				 const struct vstor_packet *vp, u32 len)
{
	if (len >= 12) {
		switch (vp->operation) {
		case VSTOR_OP_ENUMERATE_BUS:
		case VSTOR_OP_REMOVE_DEVICE:
			atomic_inc(&host->stats.unsolicited);
			hv_sv_queue_work(host, HV_SV_WORK_SCAN);
			return;
		case VSTOR_OP_FCHBA_DATA:
			if (host->type != HV_SV_FC ||
			    len < 12 + sizeof(struct vstor_fc_wwn))
				break;
			atomic_inc(&host->stats.unsolicited);
			hv_sv_fc_wwn_update(host, &vp->u.wwn);
			return;
		default:
			break;
		}
	}
	atomic_inc(&host->stats.bad);
	pr_warn_ratelimited(HV_SV_NAME ": host%u: ignored host message (%u bytes, operation %u)\n",
			    host->shost->host_no, len,
			    len >= 4 ? vp->operation : 0);
}

/**
 * hv_sv_on_channel() - channel callback of the primary and each
 * sub-channel: drain the receive ring (C.2).
 * @ctx: the channel's struct hv_sv_chan
 *
 * Each packet is copied out (at most one vstor_packet) and consumed
 * before it is acted on, so the host cannot change it under us. COMP
 * packets with a non-zero trans_id complete requests (E: COMPLETE_IO);
 * ENUMERATE_BUS, REMOVE_DEVICE and FCHBA_DATA are host messages whatever
 * packet carries them; anything else is counted and dropped.
 * Context: softirq (the channel's tasklet); does not sleep.
 */
void hv_sv_on_channel(void *ctx)
{
	struct hv_sv_chan *chan = ctx;
	struct hv_sv_host *host = chan->host;
	struct hv_pkt pkt;
	struct vstor_packet vp;
	u64 buf[HV_VSTOR_RX_MAX / 8];
	u32 len;
	int ret;

	for (;;) {
		ret = hv_channel_read(chan->ch, buf, sizeof(buf), &pkt);
		if (ret == -EMSGSIZE) {
			pr_warn_ratelimited(HV_SV_NAME ": host%u: relid %u: dropped a %u-byte host packet\n",
					    host->shost->host_no,
					    hv_channel_relid(chan->ch), pkt.len);
			continue;
		}
		if (ret)
			break;
		memset(&vp, 0, sizeof(vp));
		len = hv_sv_min(pkt.data_len, sizeof(vp));
		memcpy(&vp, pkt.data, len);
		if (pkt.type == VMBUS_PKT_COMP && pkt.trans_id &&
		    !hv_sv_is_host_message(&vp, len))
			hv_sv_on_completion(host, pkt.trans_id, &vp, len);
		else
			hv_sv_on_unsolicited(host, &vp, len);
	}
}

/* ---- giving requests up ------------------------------------------------ */

/**
 * hv_sv_abandon() - forget requests in flight.
 * @host: the host
 * @sdev: the LUN whose requests go, or NULL for all of them
 * @host_byte: each command is completed with it (DID_RESET after a reset,
 * DID_NO_CONNECT on removal), except those that timed out or that error
 * handling sent: the midlayer's error handling owns them.
 * @host_owned: the host did not give the requests back (a reset it did
 * not answer or refused): their bounce pages are set aside for good
 * (hv_vmbus_withhold()), never freed. Pages of the command's own
 * scatterlist belong to the block layer, which reuses them once the
 * midlayer fails the command: only a host that completed or reset the
 * request is known to be done with them.
 *
 * Then waits (at most ~2 s) for completions other CPUs are finishing, so
 * no command of the scope is touched after this returns. The slots are
 * freed, so late completions are dropped.
 * Context: process, may sleep. Return: requests abandoned.
 */
unsigned int hv_sv_abandon(struct hv_sv_host *host, struct scsi_device *sdev,
			   int host_byte, int host_owned)
{
	struct hv_sv_slot *s;
	struct scsi_cmnd *cmd;
	unsigned long flags;
	unsigned int n = 0, tries;
	u32 i;
	int busy, expired = 0;

	for (i = 0; i < host->nslots; i++) {
		s = &host->slots[i];
		cmd = NULL;
		spin_lock_irqsave(&host->rqt.lock, flags);
		if (hv_sv_slot_busy(host, s) && s->cmd &&
		    (!sdev || s->cmd->device == sdev)) {
			__hv_rqt_claim_idx(&host->rqt, i);
			cmd = s->cmd;
			expired = s->expired || s->eh_cmd;
		}
		spin_unlock_irqrestore(&host->rqt.lock, flags);
		if (!cmd)
			continue;
		n++;
		if (host_owned && s->bounce) {
			/* the host may still write them: set aside for good */
			hv_vmbus_withhold(host->chans[0].ch, s->nbounce,
					  "bounce");
			kfree(s->bounce);	/* our list, not the pages */
			s->bounce = NULL;
			s->nbounce = 0;
		}
		hv_sv_bounce_free(s);
		cmd->host_scribble = NULL;
		if (!expired)
			hv_sv_finish(cmd, host_byte);
		hv_sv_slot_put(host, s);
	}
	for (tries = 0; tries < 100; tries++) {
		busy = 0;
		spin_lock_irqsave(&host->rqt.lock, flags);
		for (i = 0; i < host->nslots && !busy; i++) {
			s = &host->slots[i];
			/* HELD with a command: being completed elsewhere */
			if (__hv_rqt_state(&host->rqt, i) == HV_RQT_HELD &&
			    s->cmd && (!sdev || s->cmd->device == sdev))
				busy = 1;
		}
		spin_unlock_irqrestore(&host->rqt.lock, flags);
		if (!busy)
			break;
		msleep(20);
	}
	if (n)
		atomic_add(n, &host->stats.abandoned);
	return n;
}

/**
 * hv_sv_timed_out() - eh_timed_out (through HV_DEFINE_EH_TIMED_OUT).
 * @cmd: the command whose timer expired
 *
 * Gives a command more time, at most HV_SV_MAX_EXTEND periods, only while
 * the host keeps completing other requests (slow, not dead); otherwise
 * let the midlayer's error handling (and our resets) run.
 * Context: timer or workqueue; does not sleep.
 * Return: HV_EH_RESET_TIMER or HV_EH_NOT_HANDLED.
 */
int hv_sv_timed_out(struct scsi_cmnd *cmd)
{
	struct hv_sv_host *host = shost_priv(cmd->device->host);
	struct hv_sv_slot *s;
	unsigned long flags;
	int ret = HV_EH_NOT_HANDLED;

	spin_lock_irqsave(&host->rqt.lock, flags);
	s = hv_sv_slot_of(host, cmd);
	if (s && hv_sv_slot_busy(host, s) && s->cmd == cmd) {
		if (hv_sv_state(host) == HV_SV_RUNNING &&
		    s->extends < HV_SV_MAX_EXTEND &&
		    host->n_done != s->progress) {
			s->extends++;
			s->progress = host->n_done;
			ret = HV_EH_RESET_TIMER;
		} else {
			s->expired = 1;	/* error handling takes it over */
		}
	}
	spin_unlock_irqrestore(&host->rqt.lock, flags);
	if (ret == HV_EH_RESET_TIMER)
		atomic_inc(&host->stats.extended);
	return ret;
}
