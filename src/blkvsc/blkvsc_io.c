// SPDX-License-Identifier: GPL-2.0
/*
 * blkvsc_io.c - the request path of hv_blkvsc (fact sheet E, C.2).
 *
 * Every block request becomes one EXECUTE_SRB carrying a SCSI command:
 * READ/WRITE(10) or (16) (FUA bit for FUA writes), SYNCHRONIZE CACHE(10)
 * for flushes, UNMAP for discards. Data goes as a GPA-direct multipage
 * packet built straight from the request's segments; only a request whose
 * segments break the "middle pieces are whole 4 KiB pages" rule is copied
 * through bounce pages. Completions are validated by the protocol core
 * before anything in them is used.
 *
 * The watchdog thread (one per disk) owns timeouts on every kernel: a
 * request older than the timeout gets more time only while the host keeps
 * completing others (at most HV_BV_MAX_EXTEND periods); then RESET_LUN
 * (RESET_BUS if that fails) and the timed-out requests are sent again (at
 * most HV_BV_MAX_RETRIES times) or failed. A host that answers neither
 * reset takes the disk offline: everything in flight and everything after
 * fails with -EIO. Nothing waits for the host without a bound.
 */
#include "blkvsc.h"

/* SCSI operation codes (SBC, SPC) */
#define HV_BV_INQUIRY		0x12
#define HV_BV_READ_CAPACITY	0x25
#define HV_BV_READ_10		0x28
#define HV_BV_WRITE_10		0x2a
#define HV_BV_SYNC_CACHE_10	0x35
#define HV_BV_UNMAP		0x42
#define HV_BV_READ_16		0x88
#define HV_BV_WRITE_16		0x8a
#define HV_BV_SERVICE_IN_16	0x9e
#define HV_BV_SAI_READ_CAP_16	0x10

/* sense keys */
#define HV_BV_SK_NOT_READY	0x2
#define HV_BV_SK_ILLEGAL	0x5
#define HV_BV_SK_UNIT_ATTENTION	0x6
#define HV_BV_SK_ABORTED	0xb

static inline u32 hv_bv_min(u32 a, u32 b)
{
	return a < b ? a : b;
}


static void hv_bv_put_be32(u8 *p, u32 v)
{
	p[0] = (u8)(v >> 24);
	p[1] = (u8)(v >> 16);
	p[2] = (u8)(v >> 8);
	p[3] = (u8)v;
}

static void hv_bv_put_be64(u8 *p, u64 v)
{
	hv_bv_put_be32(p, (u32)(v >> 32));
	hv_bv_put_be32(p + 4, (u32)v);
}

/* ---- memory ------------------------------------------------------------ */

/**
 * hv_bv_io_alloc() - allocate the request machinery of a disk.
 * @dev: the disk; dev->nslots (<= HV_BV_MAX_SLOTS) and dev->max_pfns set
 *
 * The slot table, a PFN list per slot and one page for the slots' UNMAP
 * parameter lists. Context: process, may sleep.
 * Return: 0 or -ENOMEM (nothing kept).
 */
int hv_bv_io_alloc(struct hv_bv_dev *dev)
{
	u32 i;
	u8 *pbase;

	if (!dev->nslots || dev->nslots > HV_BV_MAX_SLOTS)
		return -EINVAL;
	dev->slots = hv_vstor_zalloc(sizeof(*dev->slots) * dev->nslots);
	dev->pfn_pool = hv_vstor_zalloc(sizeof(u64) * dev->max_pfns *
				     dev->nslots);
	dev->param_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!dev->slots || !dev->pfn_pool || !dev->param_page ||
	    hv_rqt_init(&dev->rqt, dev->nslots)) {
		hv_bv_io_free(dev);
		return -ENOMEM;
	}
	pbase = page_address(dev->param_page);
	for (i = 0; i < dev->nslots; i++) {
		struct hv_bv_slot *s = &dev->slots[i];

		s->pfns = dev->pfn_pool + (size_t)i * dev->max_pfns;
		s->param = pbase + i * HV_BV_PARAM_SIZE;
		s->param_pfn = page_to_pfn(dev->param_page);
		s->param_off = i * HV_BV_PARAM_SIZE;
	}
	return 0;
}

/**
 * hv_bv_io_free() - free what hv_bv_io_alloc() allocated.
 * @dev: the disk; no slot may be in use (hv_bv_abandon() after the
 *	 channel is closed)
 *
 * Context: process.
 */
void hv_bv_io_free(struct hv_bv_dev *dev)
{
	hv_vstor_zfree(dev->slots, sizeof(*dev->slots) * dev->nslots);
	dev->slots = NULL;
	hv_vstor_zfree(dev->pfn_pool, sizeof(u64) * dev->max_pfns * dev->nslots);
	dev->pfn_pool = NULL;
	if (dev->param_page)
		__free_page(dev->param_page);
	dev->param_page = NULL;
	hv_rqt_destroy(&dev->rqt);
}

/* ---- slots -------------------------------------------------------------- */

static inline u32 hv_bv_slot_idx(const struct hv_bv_dev *dev,
				 const struct hv_bv_slot *s)
{
	return (u32)(s - dev->slots);
}

/* Is slot @s in flight (the host's)? Under rqt.lock. */
static inline int hv_bv_slot_busy(struct hv_bv_dev *dev,
				  const struct hv_bv_slot *s)
{
	return __hv_rqt_state(&dev->rqt, hv_bv_slot_idx(dev, s)) ==
		HV_RQT_BUSY;
}

/* A free slot, ours (HELD) until hv_bv_slot_arm(); NULL if none. */
static struct hv_bv_slot *hv_bv_slot_get(struct hv_bv_dev *dev)
{
	struct hv_bv_slot *s = NULL;
	unsigned long flags;
	u32 idx;

	spin_lock_irqsave(&dev->rqt.lock, flags);
	if (dev->slots && !__hv_rqt_get(&dev->rqt, &idx)) {
		s = &dev->slots[idx];
		s->rq = NULL;
		s->sync = NULL;
		s->npfn = 0;
		s->off = 0;
		s->len = 0;
		s->retries = 0;
		s->extends = 0;
		s->expired = 0;
		s->is_unmap = 0;
		s->resend = 0;
	}
	spin_unlock_irqrestore(&dev->rqt.lock, flags);
	return s;
}

/* Slot @s (HELD) back to the free list. */
static void hv_bv_slot_put(struct hv_bv_dev *dev, struct hv_bv_slot *s)
{
	unsigned long flags;

	spin_lock_irqsave(&dev->rqt.lock, flags);
	s->rq = NULL;
	s->sync = NULL;
	s->resend = 0;
	__hv_rqt_put(&dev->rqt, hv_bv_slot_idx(dev, s));
	spin_unlock_irqrestore(&dev->rqt.lock, flags);
}

/*
 * Make slot @s (ours, HELD) busy under a new generation and return its
 * trans_id: from here on the host owns it.
 */
static u64 hv_bv_slot_arm(struct hv_bv_dev *dev, struct hv_bv_slot *s)
{
	unsigned long flags;
	u64 trans = 0;

	spin_lock_irqsave(&dev->rqt.lock, flags);
	s->expired = 0;
	s->resend = 0;
	s->start = jiffies;
	s->progress = dev->n_done;
	__hv_rqt_arm(&dev->rqt, hv_bv_slot_idx(dev, s), &trans);
	spin_unlock_irqrestore(&dev->rqt.lock, flags);
	return trans;
}

/* Take back a slot whose send failed; 0 if a completion got it first. */
static int hv_bv_slot_disarm(struct hv_bv_dev *dev, u64 trans)
{
	return !hv_rqt_cancel(&dev->rqt, trans);
}

/* ---- bounce pages ------------------------------------------------------- */

static void hv_bv_bounce_free(struct hv_bv_slot *s)
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

/* Copy @len bytes of @rq's data into the bounce pages or back. Any context. */
static void hv_bv_bounce_copy(struct hv_bv_slot *s, struct request *rq,
			      u32 len, int to_bounce)
{
	struct hv_compat_rq_iter it;
	struct page *pg;
	u32 off, seg, chunk, boff, done = 0;
	u8 *bva;

	HV_COMPAT_RQ_FOR_EACH_SEG(rq, &it) {
		pg = hv_compat_seg_page(&it);
		off = hv_compat_seg_off(&it);
		seg = hv_compat_seg_len(&it);
		pg += off >> PAGE_SHIFT;
		off &= PAGE_SIZE - 1;
		while (seg && done < len) {
			boff = done & (PAGE_SIZE - 1);
			bva = (u8 *)page_address(s->bounce[done >> PAGE_SHIFT]);
			chunk = hv_bv_min(seg, PAGE_SIZE - off);
			chunk = hv_bv_min(chunk, PAGE_SIZE - boff);
			chunk = hv_bv_min(chunk, len - done);
			hv_compat_page_copy(pg, off, bva + boff, chunk,
					    !to_bounce);
			off += chunk;
			if (off == PAGE_SIZE) {
				off = 0;
				pg++;
			}
			seg -= chunk;
			done += chunk;
		}
	}
}

/* Bounce pages for @len bytes, as the slot's PFN list. Any context. */
static int hv_bv_bounce(struct hv_bv_dev *dev, struct hv_bv_slot *s,
			struct request *rq, u32 len)
{
	struct hv_vstor_pfn_list l;
	u32 i, n = DIV_ROUND_UP(len, PAGE_SIZE);

	if (n > dev->max_pfns)
		return -EIO;
	s->bounce = kcalloc(n, sizeof(struct page *), GFP_ATOMIC);
	if (!s->bounce)
		return -ENOMEM;
	s->nbounce = n;
	for (i = 0; i < n; i++) {
		s->bounce[i] = alloc_page(GFP_ATOMIC);
		if (!s->bounce[i]) {
			hv_bv_bounce_free(s);
			return -ENOMEM;
		}
	}
	if (s->data_in == VSTOR_WRITE_TYPE)
		hv_bv_bounce_copy(s, rq, len, 1);
	hv_vstor_pfns_init(&l, s->pfns, dev->max_pfns);
	for (i = 0; i < n; i++)
		hv_vstor_pfns_add(&l, page_to_pfn(s->bounce[i]), 0,
				  hv_bv_min(PAGE_SIZE, len - i * PAGE_SIZE));
	if (l.broken || l.total != len) {
		hv_bv_bounce_free(s);
		return -EIO;
	}
	s->npfn = l.n;
	s->off = 0;
	s->len = len;
	atomic_inc(&dev->stats.bounced);
	return 0;
}

/* The request's own pages as the slot's PFN list, else bounce. */
static int hv_bv_map(struct hv_bv_dev *dev, struct hv_bv_slot *s,
		     struct request *rq, u32 len)
{
	struct hv_compat_rq_iter it;
	struct hv_vstor_pfn_list l;
	struct page *pg;
	u32 off;

	hv_vstor_pfns_init(&l, s->pfns, dev->max_pfns);
	HV_COMPAT_RQ_FOR_EACH_SEG(rq, &it) {
		if (l.broken)
			continue;
		pg = hv_compat_seg_page(&it);
		off = hv_compat_seg_off(&it);
		hv_vstor_pfns_add(&l, (u64)page_to_pfn(pg) + (off >> PAGE_SHIFT),
				  off & (PAGE_SIZE - 1),
				  hv_compat_seg_len(&it));
	}
	if (!l.broken) {
		if (l.total != len)
			return -EIO;	/* segments and size disagree */
		s->npfn = l.n;
		s->off = l.offset;
		s->len = len;
		return 0;
	}
	return hv_bv_bounce(dev, s, rq, len);
}

/* ---- commands ------------------------------------------------------------ */

/* Encode @cdb as the slot's EXECUTE_SRB (E). */
static int hv_bv_build(struct hv_bv_dev *dev, struct hv_bv_slot *s,
		       const u8 *cdb, u8 cdb_len, u8 data_in, u32 len)
{
	struct hv_vstor_cmd vc;

	memset(&vc, 0, sizeof(vc));
	vc.cdb = cdb;
	vc.cdb_len = cdb_len;
	vc.path_id = dev->path;
	vc.target_id = dev->target;
	vc.lun = 0;
	vc.data_in = data_in;
	vc.transfer_len = len;
	vc.timeout_s = dev->timeout / HZ;
	s->data_in = data_in;
	return hv_vstor_build_srb(&s->pkt, dev->version, &vc);
}

/* READ/WRITE(10) when LBA and count fit, else (16). */
static u8 hv_bv_rw_cdb(u8 *cdb, int write, int fua, u64 lba, u32 blocks)
{
	memset(cdb, 0, 16);
	if (lba <= 0xffffffffULL && lba + blocks <= 0x100000000ULL &&
	    blocks <= 0xffff) {
		cdb[0] = write ? HV_BV_WRITE_10 : HV_BV_READ_10;
		cdb[1] = fua ? 0x08 : 0;
		hv_bv_put_be32(cdb + 2, (u32)lba);
		cdb[7] = (u8)(blocks >> 8);
		cdb[8] = (u8)blocks;
		return 10;
	}
	cdb[0] = write ? HV_BV_WRITE_16 : HV_BV_READ_16;
	cdb[1] = fua ? 0x08 : 0;
	hv_bv_put_be64(cdb + 2, lba);
	hv_bv_put_be32(cdb + 10, blocks);
	return 16;
}

/* Send slot @s (ours, encoded) under a fresh trans_id. */
static int hv_bv_send(struct hv_bv_dev *dev, struct hv_bv_slot *s)
{
	struct hv_multipage_buffer mpb;
	u64 trans = hv_bv_slot_arm(dev, s);
	int ret;

	if (!s->len) {
		ret = hv_channel_send(dev->ch, &s->pkt, dev->pkt_size, trans,
				      VMBUS_PKT_DATA_INBAND,
				      VMBUS_PKT_FLAG_COMPLETION_REQUESTED);
	} else {
		mpb.len = s->len;
		mpb.offset = s->off;
		mpb.pfn_count = s->npfn;
		mpb.pfns = s->pfns;
		ret = hv_channel_send_mpb(dev->ch, &mpb, &s->pkt,
					  dev->pkt_size, trans);
	}
	if (ret && !hv_bv_slot_disarm(dev, trans))
		ret = 0;	/* completed (or given up) already: not ours */
	return ret;
}

/* Encode block request @rq into slot @s. Any context. */
static int hv_bv_prepare(struct hv_bv_dev *dev, struct hv_bv_slot *s,
			 struct request *rq)
{
	unsigned int shift = ilog2(dev->block_size) - 9;
	u32 bytes = hv_compat_rq_bytes(rq), blocks;
	u64 pos = hv_compat_rq_pos(rq), lba;
	enum hv_rq_kind kind = hv_compat_rq_kind(rq);
	u8 cdb[16], cdb_len, *p;
	int ret;

	if (kind == HV_RQ_FLUSH) {
		memset(cdb, 0, sizeof(cdb));
		cdb[0] = HV_BV_SYNC_CACHE_10;
		return hv_bv_build(dev, s, cdb, 10, VSTOR_UNKNOWN_TYPE, 0);
	}
	if ((pos & ((1U << shift) - 1)) || (bytes & (dev->block_size - 1)))
		return -EIO;	/* not on logical block boundaries */
	lba = pos >> shift;
	blocks = bytes >> ilog2(dev->block_size);
	if (!blocks || lba + blocks > dev->blocks)
		return -EIO;

	switch (kind) {
	case HV_RQ_READ:
	case HV_RQ_WRITE:
		if (bytes > dev->max_xfer)
			return -EIO;
		cdb_len = hv_bv_rw_cdb(cdb, kind == HV_RQ_WRITE,
				       kind == HV_RQ_WRITE &&
				       hv_compat_rq_fua(rq), lba, blocks);
		ret = hv_bv_build(dev, s, cdb, cdb_len,
				  kind == HV_RQ_WRITE ? VSTOR_WRITE_TYPE :
				  VSTOR_READ_TYPE, bytes);
		if (!ret)
			ret = hv_bv_map(dev, s, rq, bytes);
		return ret;
	case HV_RQ_DISCARD:
		if (!dev->discard || blocks > dev->unmap_max_blocks)
			return -EOPNOTSUPP;
		/* UNMAP parameter list: header + one block descriptor (SBC) */
		p = s->param;
		memset(p, 0, 24);
		p[1] = 22;		/* data length: bytes after this field */
		p[3] = 16;		/* block descriptor data length */
		hv_bv_put_be64(p + 8, lba);
		hv_bv_put_be32(p + 16, blocks);
		memset(cdb, 0, sizeof(cdb));
		cdb[0] = HV_BV_UNMAP;
		cdb[8] = 24;		/* parameter list length */
		ret = hv_bv_build(dev, s, cdb, 10, VSTOR_WRITE_TYPE, 24);
		if (ret)
			return ret;
		s->pfns[0] = s->param_pfn;
		s->npfn = 1;
		s->off = s->param_off;
		s->len = 24;
		s->is_unmap = 1;
		return 0;
	default:
		return -EIO;
	}
}

/**
 * hv_bv_queue() - the queue function (compat_blk.h) of the disk.
 * @drv: the struct hv_bv_dev
 * @rq: a block request
 *
 * Encodes @rq as EXECUTE_SRB and sends it (in-band without data, else a
 * GPA-direct multipage packet).
 * Context: atomic; does not sleep.
 * Return: HV_BLK_QUEUED, HV_BLK_BUSY (no slot, ring space or bounce
 * memory), or -errno to fail @rq now (-EIO offline or malformed,
 * -ENODEV gone, -EOPNOTSUPP discard refused).
 */
int hv_bv_queue(void *drv, struct request *rq)
{
	struct hv_bv_dev *dev = drv;
	struct hv_bv_slot *s;
	int ret;

	if (!hv_bv_send_begin(dev, 1)) {
		atomic_inc(&dev->stats.failed);
		return hv_bv_state(dev) == HV_BV_OFFLINE ? -EIO : -ENODEV;
	}
	s = hv_bv_slot_get(dev);
	if (!s) {
		ret = HV_BLK_BUSY;
		goto busy;
	}
	s->rq = rq;
	ret = hv_bv_prepare(dev, s, rq);
	if (!ret)
		ret = hv_bv_send(dev, s);
	if (!ret) {
		hv_bv_send_end(dev);
		return HV_BLK_QUEUED;	/* the completion may have run */
	}
	hv_bv_bounce_free(s);
	hv_bv_slot_put(dev, s);
	if (ret == -EAGAIN || ret == -ENOMEM) {
		ret = HV_BLK_BUSY;
		goto busy;
	}
	atomic_inc(&dev->stats.failed);
	hv_bv_send_end(dev);
	return ret == -ENODEV || ret == -EOPNOTSUPP ? ret : -EIO;

busy:
	dev->busy = 1;
	atomic_inc(&dev->stats.busy);
	hv_bv_send_end(dev);
	return ret;
}

/* ---- completion ----------------------------------------------------------- */

/* Sense key and ASC of fixed or descriptor sense data; 0 when unreadable. */
static u8 hv_bv_sense_key(const u8 *sense, u32 len, u8 *asc)
{
	*asc = 0;
	if (!sense || len < 4)
		return 0;
	switch (sense[0] & 0x7f) {
	case 0x70:
	case 0x71:
		if (len < 13)
			return len >= 3 ? sense[2] & 0x0f : 0;
		*asc = sense[12];
		return sense[2] & 0x0f;
	case 0x72:
	case 0x73:
		*asc = sense[2];
		return sense[1] & 0x0f;
	default:
		return 0;
	}
}

/* Finish slot @s (state DONE, ours) with @err; frees it. Any context. */
static void hv_bv_finish(struct hv_bv_dev *dev, struct hv_bv_slot *s,
			 int err, u32 xfer, u8 key, u8 asc)
{
	struct request *rq = s->rq;
	struct hv_bv_sync *sync = s->sync;

	if (rq && s->bounce && s->data_in == VSTOR_READ_TYPE && !err)
		hv_bv_bounce_copy(s, rq, s->len, 0);
	hv_bv_bounce_free(s);
	if (sync) {
		sync->err = err;
		sync->xfer = xfer;
		sync->sense_key = key;
		sync->asc = asc;
	}
	hv_bv_slot_put(dev, s);
	if (rq) {
		if (err)
			atomic_inc(&dev->stats.failed);
		hv_compat_blk_end(&dev->blk, rq, err);
	} else if (sync) {
		complete(&sync->done);
	}
	if (dev->busy) {
		dev->busy = 0;
		hv_compat_blk_kick(&dev->blk);
	}
}

/* Hand slot @s to the watchdog to be sent again, or finish it with @err. */
static void hv_bv_retry_or_fail(struct hv_bv_dev *dev, struct hv_bv_slot *s,
				int err)
{
	unsigned long flags;

	if (s->rq && s->retries < HV_BV_MAX_RETRIES &&
	    hv_bv_state(dev) == HV_BV_RUNNING) {
		spin_lock_irqsave(&dev->rqt.lock, flags);
		s->resend = 1;
		spin_unlock_irqrestore(&dev->rqt.lock, flags);
		hv_bv_wake_watchdog(dev);
		return;
	}
	hv_bv_finish(dev, s, err, 0, 0, 0);
}

/* Slot @s (DONE) got the COMPLETE_IO @vp of @len bytes. */
static void hv_bv_complete(struct hv_bv_dev *dev, struct hv_bv_slot *s,
			   const struct vstor_packet *vp, u32 len)
{
	struct hv_vstor_completion c;
	u8 key = 0, asc = 0;
	int err;

	if (hv_vstor_parse_completion(vp, len, dev->version, s->len, &c)) {
		atomic_inc(&dev->stats.bad);
		pr_err_ratelimited(HV_BV_NAME ": %s: malformed completion (%u bytes)\n",
				   dev->name, len);
		hv_bv_finish(dev, s, -EIO, 0, 0, 0);
		return;
	}
	switch (c.result) {
	case HV_VSTOR_OK:
		/* a block request must move all its bytes */
		err = (s->rq && c.transferred != s->len) ? -EIO : 0;
		hv_bv_finish(dev, s, err, c.transferred, 0, 0);
		return;
	case HV_VSTOR_CHECK_CONDITION:
		key = hv_bv_sense_key(c.sense, c.sense_len, &asc);
		if (key == HV_BV_SK_UNIT_ATTENTION || key == HV_BV_SK_NOT_READY ||
		    key == HV_BV_SK_ABORTED) {
			hv_bv_retry_or_fail(dev, s, -EIO);
			return;
		}
		if (s->is_unmap && key == HV_BV_SK_ILLEGAL) {
			dev->discard = 0;	/* the host refuses UNMAP */
			hv_bv_finish(dev, s, -EOPNOTSUPP, 0, key, asc);
			return;
		}
		if (s->rq)
			pr_err_ratelimited(HV_BV_NAME ": %s: I/O error, sense key 0x%x asc 0x%x\n",
					   dev->name, key, asc);
		hv_bv_finish(dev, s, -EIO, 0, key, asc);
		return;
	case HV_VSTOR_ABORTED:
		hv_bv_retry_or_fail(dev, s, -EIO);
		return;
	case HV_VSTOR_INVALID_LUN:
		hv_bv_finish(dev, s, -ENODEV, 0, 0, 0);
		return;
	default:
		hv_bv_finish(dev, s, -EIO, 0, 0, 0);
		return;
	}
}

static void hv_bv_on_completion(struct hv_bv_dev *dev, u64 trans_id,
				const struct vstor_packet *vp, u32 len)
{
	struct hv_bv_slot *s = NULL;
	unsigned long flags;
	u32 idx;

	if ((u32)trans_id == HV_BV_CTL_TAG) {
		hv_bv_ctl_complete(dev, (u32)(trans_id >> 32), vp, len);
		return;
	}
	spin_lock_irqsave(&dev->rqt.lock, flags);
	if (dev->slots && !__hv_rqt_claim(&dev->rqt, trans_id, &idx)) {
		s = &dev->slots[idx];
		dev->n_done++;
	}
	spin_unlock_irqrestore(&dev->rqt.lock, flags);
	if (!s) {
		atomic_inc(&dev->stats.stale);
		pr_warn_ratelimited(HV_BV_NAME ": %s: dropped completion with unknown or stale id 0x%llx\n",
				    dev->name, (unsigned long long)trans_id);
		return;
	}
	hv_bv_complete(dev, s, vp, len);
}

/**
 * hv_bv_on_channel() - channel callback: drain the receive ring (C.2).
 * @ctx: the struct hv_bv_dev
 *
 * Each packet is copied out (at most one vstor_packet) and consumed
 * before it is acted on. COMP packets with a non-zero trans_id complete
 * requests; anything else (IDE has no hot plug on its channel) is counted
 * and dropped. Context: softirq; does not sleep.
 */
void hv_bv_on_channel(void *ctx)
{
	struct hv_bv_dev *dev = ctx;
	struct hv_pkt pkt;
	struct vstor_packet vp;
	u64 buf[HV_VSTOR_RX_MAX / 8];
	u32 len;
	int ret;

	for (;;) {
		ret = hv_channel_read(dev->ch, buf, sizeof(buf), &pkt);
		if (ret == -EMSGSIZE) {
			atomic_inc(&dev->stats.bad);
			pr_warn_ratelimited(HV_BV_NAME ": %s: dropped a %u-byte host packet\n",
					    dev->name, pkt.len);
			continue;
		}
		if (ret)
			break;
		memset(&vp, 0, sizeof(vp));
		len = hv_bv_min(pkt.data_len, sizeof(vp));
		memcpy(&vp, pkt.data, len);
		if (pkt.type == VMBUS_PKT_COMP && pkt.trans_id) {
			hv_bv_on_completion(dev, pkt.trans_id, &vp, len);
		} else {
			atomic_inc(&dev->stats.bad);
			pr_warn_ratelimited(HV_BV_NAME ": %s: ignored host packet (type %u, %u bytes)\n",
					    dev->name, pkt.type, len);
		}
	}
	if (dev->busy) {
		/* ring space may have come back */
		dev->busy = 0;
		hv_compat_blk_kick(&dev->blk);
	}
}

/* ---- giving up, draining ------------------------------------------------- */

/**
 * hv_bv_abandon() - fail every request in flight (or waiting to be sent
 * again) with @err; late completions no longer match a slot.
 * @dev: the disk
 * @err: negative errno for the requests
 * @host_owned: the host did not give the requests back (resets it did
 * not answer): their bounce pages are set aside for good
 * (hv_vmbus_withhold()), never freed. The pages of a request's own bios
 * go back to the block layer with the failed request: only a host that
 * answered is known to be done with them.
 *
 * Then waits (at most ~2 s) for completions other CPUs are finishing.
 * Context: process, may sleep. Return: requests given up.
 */
unsigned int hv_bv_abandon(struct hv_bv_dev *dev, int err, int host_owned)
{
	struct hv_bv_slot *s;
	unsigned long flags;
	unsigned int n = 0, tries;
	int mine, busy;
	u32 i;

	for (i = 0; dev->slots && i < dev->nslots; i++) {
		s = &dev->slots[i];
		spin_lock_irqsave(&dev->rqt.lock, flags);
		if (hv_bv_slot_busy(dev, s)) {
			__hv_rqt_claim_idx(&dev->rqt, i);
			mine = 1;
		} else {
			/* one waiting for the watchdog is ours to finish */
			mine = s->resend;
			s->resend = 0;
		}
		spin_unlock_irqrestore(&dev->rqt.lock, flags);
		if (!mine)
			continue;
		n++;
		if (host_owned && s->bounce) {
			/* the host may still write them: set aside for good */
			hv_vmbus_withhold(dev->ch, s->nbounce, "bounce");
			kfree(s->bounce);	/* our list, not the pages */
			s->bounce = NULL;
			s->nbounce = 0;
		}
		hv_bv_finish(dev, s, err, 0, 0, 0);
	}
	for (tries = 0; dev->slots && tries < 100; tries++) {
		busy = 0;
		spin_lock_irqsave(&dev->rqt.lock, flags);
		/* HELD: being prepared or completed elsewhere */
		for (i = 0; i < dev->nslots && !busy; i++)
			busy = __hv_rqt_state(&dev->rqt, i) == HV_RQT_HELD;
		spin_unlock_irqrestore(&dev->rqt.lock, flags);
		if (!busy)
			break;
		msleep(20);
	}
	return n;
}

/* Block requests in flight or waiting to be sent again. */
static unsigned int hv_bv_inflight(struct hv_bv_dev *dev)
{
	unsigned long flags;
	unsigned int n = 0;
	u32 i;

	spin_lock_irqsave(&dev->rqt.lock, flags);
	for (i = 0; dev->slots && i < dev->nslots; i++)
		if (__hv_rqt_state(&dev->rqt, i) != HV_RQT_FREE &&
		    dev->slots[i].rq)
			n++;
	spin_unlock_irqrestore(&dev->rqt.lock, flags);
	return n;
}

/**
 * hv_bv_drain() - wait until no block request is in flight; the watchdog
 * keeps failing those the host does not answer, so this ends.
 * @dev: the disk
 * @timeout_ms: upper bound; then what is left is failed with -EIO
 *
 * Context: process, may sleep. Return: 0, or -ETIMEDOUT when requests
 * had to be given up.
 */
int hv_bv_drain(struct hv_bv_dev *dev, unsigned int timeout_ms)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(timeout_ms);

	while (hv_bv_inflight(dev)) {
		if (!time_before(jiffies, deadline)) {
			hv_bv_abandon(dev, -EIO, 1);
			return -ETIMEDOUT;
		}
		msleep(50);
	}
	return 0;
}

/* ---- the watchdog --------------------------------------------------------- */

/* Send slot @s (RESEND or timed out, now DONE and ours) again. Process. */
static void hv_bv_resend(struct hv_bv_dev *dev, struct hv_bv_slot *s)
{
	unsigned int tries;
	int ret = -ENODEV;

	s->retries++;
	atomic_inc(&dev->stats.retries);
	for (tries = 0; tries < 20; tries++) {
		if (!hv_bv_send_begin(dev, 1)) {
			ret = -ENODEV;
			break;
		}
		ret = hv_bv_send(dev, s);
		hv_bv_send_end(dev);
		if (ret != -EAGAIN)
			break;
		hv_channel_wait_space(dev->ch, HV_PKT_TOTAL(64 + dev->pkt_size +
					8 * s->npfn), 100);
	}
	if (ret)
		hv_bv_finish(dev, s, -EIO, 0, 0, 0);
}

/*
 * Take a block request's slot: with @expired, one in flight that timed
 * out (taken back from the host); else one waiting to be sent again.
 * It is ours (HELD) on return; NULL when there is none.
 */
static struct hv_bv_slot *hv_bv_take(struct hv_bv_dev *dev, int expired)
{
	struct hv_bv_slot *s;
	unsigned long flags;
	u32 i;

	spin_lock_irqsave(&dev->rqt.lock, flags);
	for (i = 0; i < dev->nslots; i++) {
		s = &dev->slots[i];
		if (!s->rq)
			continue;
		if (expired ? s->expired && hv_bv_slot_busy(dev, s) :
		    s->resend) {
			if (expired)
				__hv_rqt_claim_idx(&dev->rqt, i);
			s->resend = 0;
			s->expired = 0;
			spin_unlock_irqrestore(&dev->rqt.lock, flags);
			return s;
		}
	}
	spin_unlock_irqrestore(&dev->rqt.lock, flags);
	return NULL;
}

/* Mark block requests past their time; returns how many expired. */
static unsigned int hv_bv_check_timeouts(struct hv_bv_dev *dev)
{
	struct hv_bv_slot *s;
	unsigned long flags, now = jiffies;
	unsigned int expired = 0, extended = 0;
	u32 i;

	spin_lock_irqsave(&dev->rqt.lock, flags);
	for (i = 0; i < dev->nslots; i++) {
		s = &dev->slots[i];
		if (!hv_bv_slot_busy(dev, s) || !s->rq || s->expired ||
		    !time_after(now, s->start + dev->timeout))
			continue;
		if (s->extends < HV_BV_MAX_EXTEND && s->progress != dev->n_done) {
			s->extends++;	/* slow, not dead: the host progresses */
			s->start = now;
			s->progress = dev->n_done;
			extended++;
		} else {
			s->expired = 1;
			expired++;
		}
	}
	spin_unlock_irqrestore(&dev->rqt.lock, flags);
	if (extended)
		atomic_add(extended, &dev->stats.extended);
	if (expired)
		atomic_add(expired, &dev->stats.timeouts);
	return expired;
}

/* Requests timed out: reset, then send them again or fail them. */
static void hv_bv_recover(struct hv_bv_dev *dev, unsigned int expired)
{
	struct hv_bv_slot *s;
	unsigned int n;

	pr_warn(HV_BV_NAME ": %s: %u request(s) timed out after %u s: resetting\n",
		dev->name, expired, dev->timeout / HZ);
	if (hv_bv_reset(dev)) {
		/* no answer to either reset: the host is gone for us */
		if (atomic_cmpxchg(&dev->state, HV_BV_RUNNING,
				   HV_BV_OFFLINE) == HV_BV_RUNNING) {
			n = hv_bv_abandon(dev, -EIO, 1);
			pr_err(HV_BV_NAME ": %s: the host does not answer: disk offline, %u request(s) failed\n",
			       dev->name, n);
		}
		return;
	}
	while ((s = hv_bv_take(dev, 1)) != NULL) {
		if (s->retries < HV_BV_MAX_RETRIES)
			hv_bv_resend(dev, s);
		else
			hv_bv_finish(dev, s, -EIO, 0, 0, 0);
	}
}

/**
 * hv_bv_watchdog() - the disk's watchdog thread (see the file comment):
 * once a second, or when woken, sends again what completions handed back,
 * checks timeouts and recovers, and runs a queue told to wait.
 * @arg: the struct hv_bv_dev
 *
 * Context: kthread; ends on kthread_stop(). Return: 0.
 */
int hv_bv_watchdog(void *arg)
{
	struct hv_bv_dev *dev = arg;
	struct hv_bv_slot *s;
	unsigned int expired;

	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!test_and_clear_bit(HV_BV_WD_WAKE, &dev->wd_flags) &&
		    !kthread_should_stop())
			schedule_timeout(HZ);
		__set_current_state(TASK_RUNNING);
		if (kthread_should_stop())
			break;
		if (hv_bv_state(dev) != HV_BV_RUNNING)
			continue;
		while ((s = hv_bv_take(dev, 0)) != NULL)
			hv_bv_resend(dev, s);
		expired = hv_bv_check_timeouts(dev);
		if (expired)
			hv_bv_recover(dev, expired);
		if (dev->busy) {
			dev->busy = 0;
			hv_compat_blk_kick(&dev->blk);
		}
	}
	return 0;
}

/* ---- internal commands ------------------------------------------------------- */

/*
 * Run one SCSI command and wait for it (probe, removal). @page holds the
 * data (@len <= PAGE_SIZE bytes, from offset 0) or is NULL.
 * Context: process, may sleep (bounded by HV_BV_CMD_TIMEOUT_MS).
 */
static int hv_bv_exec(struct hv_bv_dev *dev, const u8 *cdb, u8 cdb_len,
		      u8 data_in, struct page *page, u32 len,
		      struct hv_bv_sync *sync)
{
	unsigned long deadline, flags;
	struct hv_bv_slot *s;
	int ret, tries, mine;
	u32 gen;

	init_completion(&sync->done);
	sync->err = -EIO;
	sync->xfer = 0;
	sync->sense_key = 0;
	sync->asc = 0;
	deadline = jiffies + msecs_to_jiffies(HV_BV_CMD_TIMEOUT_MS);
	s = hv_bv_slot_get(dev);
	if (!s)
		return -EBUSY;
	s->sync = sync;
	ret = hv_bv_build(dev, s, cdb, cdb_len, data_in, len);
	if (ret) {
		hv_bv_slot_put(dev, s);
		return ret;
	}
	if (len) {
		s->pfns[0] = page_to_pfn(page);
		s->npfn = 1;
		s->len = len;
	}
	for (tries = 0; ; tries++) {
		ret = -ENODEV;
		if (!hv_bv_send_begin(dev, 0))
			break;
		ret = hv_bv_send(dev, s);
		hv_bv_send_end(dev);
		if (ret != -EAGAIN || !time_before(jiffies, deadline))
			break;
		hv_channel_wait_space(dev->ch, HV_PKT_TOTAL(64 + dev->pkt_size),
				      100);
	}
	if (ret) {
		hv_bv_slot_put(dev, s);
		return ret;
	}
	gen = 0;
	if (!wait_for_completion_timeout(&sync->done,
					 time_before(jiffies, deadline) ?
					 deadline - jiffies : 1)) {
		/* no answer: take the slot back unless a completion has it */
		spin_lock_irqsave(&dev->rqt.lock, flags);
		mine = hv_bv_slot_busy(dev, s) && s->sync == sync;
		if (mine)
			__hv_rqt_claim_idx(&dev->rqt, hv_bv_slot_idx(dev, s));
		gen = __hv_rqt_gen(&dev->rqt, hv_bv_slot_idx(dev, s));
		spin_unlock_irqrestore(&dev->rqt.lock, flags);
		if (!mine) {
			wait_for_completion(&sync->done);	/* being finished */
			return sync->err;
		}
		hv_bv_slot_put(dev, s);
		pr_err(HV_BV_NAME ": %s: command 0x%02x not answered (generation %u)\n",
		       dev->name, cdb[0], gen);
		if (page) {
			/* the host may still write it: never reused or freed */
			hv_vmbus_withhold(dev->ch, 1, "internal command");
			dev->lost_page = page;
		}
		return -ETIMEDOUT;
	}
	return sync->err;
}

/* As hv_bv_exec(), again on UNIT ATTENTION / NOT READY (a few times). */
static int hv_bv_exec_retry(struct hv_bv_dev *dev, const u8 *cdb, u8 cdb_len,
			    u8 data_in, struct page *page, u32 len, u32 *xfer)
{
	struct hv_bv_sync sync;
	int ret = -EIO, i;

	for (i = 0; i < 4; i++) {
		if (page && page == dev->lost_page)
			return -ETIMEDOUT;	/* the host's now, not ours */
		if (page)
			memset(page_address(page), 0, PAGE_SIZE);
		ret = hv_bv_exec(dev, cdb, cdb_len, data_in, page, len, &sync);
		if (ret != -EIO || (sync.sense_key != HV_BV_SK_UNIT_ATTENTION &&
				    sync.sense_key != HV_BV_SK_NOT_READY))
			break;
		msleep(100);
	}
	if (xfer)
		*xfer = ret ? 0 : sync.xfer;
	return ret;
}

static int hv_bv_inquiry(struct hv_bv_dev *dev, struct page *page, u8 evpd,
			 u8 pagecode, u32 alloc, u32 *xfer)
{
	u8 cdb[6];

	memset(cdb, 0, sizeof(cdb));
	cdb[0] = HV_BV_INQUIRY;
	cdb[1] = evpd;
	cdb[2] = pagecode;
	cdb[3] = (u8)(alloc >> 8);
	cdb[4] = (u8)alloc;
	return hv_bv_exec_retry(dev, cdb, 6, VSTOR_READ_TYPE, page, alloc, xfer);
}

/* READ CAPACITY (10), then (16) when the disk is too big for it. */
static int hv_bv_capacity(struct hv_bv_dev *dev, struct page *page)
{
	struct hv_vstor_capacity cap;
	u8 cdb[16], *buf = page_address(page);
	u32 xfer;
	int ret;

	memset(cdb, 0, sizeof(cdb));
	cdb[0] = HV_BV_READ_CAPACITY;
	ret = hv_bv_exec_retry(dev, cdb, 10, VSTOR_READ_TYPE, page, 8, &xfer);
	if (!ret)
		ret = hv_vstor_parse_capacity(buf, xfer, 0, &cap);
	if (ret == -EOVERFLOW) {
		memset(cdb, 0, sizeof(cdb));
		cdb[0] = HV_BV_SERVICE_IN_16;
		cdb[1] = HV_BV_SAI_READ_CAP_16;
		cdb[13] = 32;
		ret = hv_bv_exec_retry(dev, cdb, 16, VSTOR_READ_TYPE, page, 32,
				       &xfer);
		if (!ret)
			ret = hv_vstor_parse_capacity(buf, xfer, 1, &cap);
	}
	if (ret)
		return ret;
	dev->blocks = cap.blocks;
	dev->block_size = cap.block_size;
	dev->phys_block_size = cap.block_size << (cap.phys_exp > 3 ? 0 :
						  cap.phys_exp);
	if (dev->phys_block_size > 4096)
		dev->phys_block_size = cap.block_size;
	return 0;
}

/* VPD B0/B2: UNMAP, only from VSTOR 5.1 (E: hosts before lack it). */
static void hv_bv_discard_caps(struct hv_bv_dev *dev, struct page *page)
{
	struct hv_vstor_unmap u;
	u8 *buf = page_address(page);
	u32 xfer;

	dev->unmap_max_blocks = 0;
	if (dev->version < VSTOR_VERSION_WIN8 || !hv_compat_blk_can_discard())
		return;
	memset(&u, 0, sizeof(u));
	if (hv_bv_inquiry(dev, page, 1, 0xb0, 64, &xfer) ||
	    hv_vstor_parse_vpd_b0(buf, xfer, &u))
		return;
	if (hv_bv_inquiry(dev, page, 1, 0xb2, 8, &xfer) ||
	    hv_vstor_parse_vpd_b2(buf, xfer, &u))
		return;
	if (!u.lbpu || !u.max_lba || !u.max_desc)
		return;
	dev->unmap_max_blocks = u.max_lba == 0xffffffffU ? 0x7fffffffU :
		u.max_lba;
	/* an absurd granularity (over 1 GiB) is ignored, not trusted */
	dev->unmap_granularity = u.granularity &&
		(u64)u.granularity * dev->block_size <= (1ULL << 30) ?
		u.granularity : 1;
}

/**
 * hv_bv_identify() - the commands at probe: INQUIRY (a disk, vendor,
 * product), VPD 0x80 (serial), READ CAPACITY (size, block size), VPD
 * B0/B2 (UNMAP). Every answer is validated before use.
 * @dev: the disk, negotiated (state INIT)
 *
 * Context: process, may sleep. Return: 0; -ENODEV not a disk (the
 * synthetic IDE channel carries disks only; DVDs stay emulated); -EIO
 * or -ETIMEDOUT from the commands; -EBADMSG a malformed answer.
 */
int hv_bv_identify(struct hv_bv_dev *dev)
{
	struct page *page = alloc_page(GFP_KERNEL);
	u8 *buf;
	u32 xfer;
	int ret;

	if (!page)
		return -ENOMEM;
	buf = page_address(page);
	ret = hv_bv_inquiry(dev, page, 0, 0, 96, &xfer);
	if (ret)
		goto out;
	if (xfer < 36) {
		ret = -EBADMSG;
		goto out;
	}
	if ((buf[0] & 0x1f) != 0 || (buf[0] >> 5) != 0) {
		dev_err(&dev->hdev->dev, "IDE device type 0x%x is not a disk\n",
			buf[0]);
		ret = -ENODEV;
		goto out;
	}
	hv_vstor_parse_string(buf + 8, 8, dev->vendor, sizeof(dev->vendor));
	hv_vstor_parse_string(buf + 16, 16, dev->product, sizeof(dev->product));
	hv_vstor_parse_string(buf + 32, 4, dev->revision, sizeof(dev->revision));

	dev->serial[0] = '\0';
	if (!hv_bv_inquiry(dev, page, 1, 0x80, 255, &xfer))
		hv_vstor_parse_vpd_80(buf, xfer, dev->serial,
				      sizeof(dev->serial));

	ret = hv_bv_capacity(dev, page);
	if (ret) {
		dev_err(&dev->hdev->dev, "READ CAPACITY failed (%d)\n", ret);
		goto out;
	}
	hv_bv_discard_caps(dev, page);
out:
	if (page == dev->lost_page)
		dev->lost_page = NULL;	/* withheld by hv_bv_exec() */
	else
		__free_page(page);
	return ret;
}

/**
 * hv_bv_sync_cache() - SYNCHRONIZE CACHE before the disk goes (host alive).
 * @dev: the disk
 *
 * Context: process, may sleep (bounded). Return: 0 or -errno.
 */
int hv_bv_sync_cache(struct hv_bv_dev *dev)
{
	struct hv_bv_sync sync;
	u8 cdb[10];

	memset(cdb, 0, sizeof(cdb));
	cdb[0] = HV_BV_SYNC_CACHE_10;
	return hv_bv_exec(dev, cdb, 10, VSTOR_UNKNOWN_TYPE, NULL, 0, &sync);
}
