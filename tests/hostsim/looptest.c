// SPDX-License-Identifier: GPL-2.0
/*
 * looptest.c - hv_looptest.ko: a VMBus driver for the simulated host's
 * loopback device (hv_loopback.h). It opens the channel on probe and moves
 * data on demand through sysfs, on the device:
 *
 *   echo "MODE BYTES QDEPTH" > /sys/bus/vmbus/devices/<dev>/run
 *   cat /sys/bus/vmbus/devices/<dev>/result
 *   cat /sys/bus/vmbus/devices/<dev>/dma
 *
 * dma shows the DMA limits the bus gave the device, as the kernel's DMA
 * API reports them to any driver: "mask 0x.. coherent 0x.. max_segment
 * 0x.. boundary 0x..".
 *
 * MODE: inband (echoed in-band packets), pagebuf (GPA-direct, one range
 * per page) or mpb (GPA-direct, one multipage range). BYTES are moved with
 * up to QDEPTH (1..128) requests in flight, payload sizes varied, content
 * from a seeded pattern, trans_ids non-zero and unique. The write returns
 * when the run is over; result then reads "ok ..." or "fail: why".
 * Requests go out in batches (hv_channel_batch_begin/end: at most one
 * signal to the host per batch): a request is prepared for every free
 * slot, then all are sent; refills wait until half the slots are free.
 * Verification: in-band echoes equal what was sent; for GPA-direct the
 * host's checksum equals ours and the pages hold the bitwise NOT of the
 * pattern exactly where the ranges said (and the pattern elsewhere).
 * Bounded waits: a host that stops answering gives "fail: timeout"; a
 * rescind ends the run with an error and remove() completes.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include "hv_vmbus.h"
#include "hv_loopback.h"

#define LT_MOD			"hv_looptest"
#define LT_RING_KB_MIN		16
#define LT_RING_KB_MAX		16384
#define LT_MAX_QDEPTH		128
#define LT_INBAND_MAX		16384
/* a host packet: descriptor (16) and an echo of up to LT_INBAND_MAX bytes */
#define LT_RXBUF_MAX		(LT_INBAND_MAX + 64)
#define LT_PAGEBUF_PAGES	VMBUS_MAX_PAGE_BUFFERS	/* 32 */
#define LT_MPB_PAGES		64
#define LT_PAGE			4096U

/*
 * Ring size: 256 KiB by default, less than QD 64 of in-band packets of up
 * to 16 KiB need, so the tests run the ring-full paths; the bench also
 * runs with rings that hold a whole queue.
 */
static unsigned int lt_ring_kb = 256;
module_param_named(ring_kb, lt_ring_kb, uint, 0444);
MODULE_PARM_DESC(ring_kb, "size of each ring in KiB, a multiple of 4 (16-16384, default 256)");
/*
 * polled=1: the channel runs in hv_vmbus's polled mode, as a NAPI driver
 * would: the callback only schedules a poll (a tasklet), which reads at
 * most LT_POLL_BUDGET packets per round and unmasks the host's interrupts
 * (hv_channel_unmask()) only when it found the ring drained.
 */
static bool lt_polled;
module_param_named(polled, lt_polled, bool, 0444);
MODULE_PARM_DESC(polled, "use the channel's polled mode (driver-controlled interrupt masking), default 0");
#define LT_POLL_BUDGET		8

#define LT_IDLE_MS		10000	/* no progress for this long: timeout */
#define LT_MAX_BYTES		(1ULL << 34)
/*
 * Refill in batches: new requests go out (one batch, at most one signal)
 * once half of QDEPTH slots are free, or when none is in flight.
 */
#define LT_REFILL_MIN(qd)	((qd) / 2 ? (qd) / 2 : 1)

enum lt_mode { LT_INBAND, LT_PAGEBUF, LT_MPB };
static const char *const lt_mode_names[] = { "inband", "pagebuf", "mpb" };

struct lt_slot {
	int ready;		/* prepared, not yet sent */
	int busy;		/* sent, not yet reaped */
	int done;		/* the callback saw its completion */
	u64 trans_id;
	u32 len;		/* payload bytes (inband) or range bytes (GPA) */
	u32 offset;		/* GPA: offset in the first page */
	u32 npages;		/* GPA: pages the range touches */
	u64 seed;
	u64 sum;		/* GPA: checksum of the bytes before the host */
	struct hv_loop_resp resp;
	u8 *buf;		/* inband payload, LT_INBAND_MAX bytes */
	struct page **pages;	/* GPA: LT_MPB_PAGES pages */
	u64 *pfns;
};

struct lt_dev {
	struct hv_device *hdev;
	struct hv_channel *chan;
	struct mutex run_lock;		/* one run at a time */
	spinlock_t lock;		/* below: shared with the callback */
	wait_queue_head_t wq;
	int removing;
	int running;
	int stale;			/* an aborted run left requests out */
	int mode;
	u32 qdepth;
	u32 ndone;			/* completions not yet reaped */
	int cb_failed;
	char cb_err[128];
	unsigned long stray;		/* completions outside a run */
	struct lt_slot slots[LT_MAX_QDEPTH];
	u16 run_seq;
	char result[256];
	u8 *rxbuf;			/* LT_RXBUF_MAX: the callback's packet copy */
	/* polled mode */
	struct tasklet_struct poll;
	unsigned long polls;		/* poll rounds */
	unsigned long poll_full;	/* rounds that used their whole budget */
	unsigned long unmask_again;	/* unmask found packets: polled again */
};

/* ---- pattern -------------------------------------------------------------- */

static u64 lt_mix(u64 x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Word @i of page @j of a request with @seed. */
static u64 lt_pat(u64 seed, u32 j, u32 i)
{
	return lt_mix(seed + (((u64)j << 9) + i) * 0x9e3779b97f4a7c15ULL);
}

static u64 lt_rand(u64 *state)
{
	u64 x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

/* ---- completions (channel callback, softirq) -------------------------------- */

static void lt_cb_fail(struct lt_dev *lt, const char *fmt, u64 a, u64 b)
{
	if (lt->cb_failed)
		return;
	lt->cb_failed = 1;
	snprintf(lt->cb_err, sizeof(lt->cb_err), fmt, a, b);
}

static void lt_complete(struct lt_dev *lt, u16 type, u64 tid,
			const u8 *payload, u32 plen)
{
	struct lt_slot *s;
	u32 idx = (u32)(tid & 0xff), i;

	if (!lt->running) {
		lt->stray++;
		return;
	}
	if (type != VMBUS_PKT_COMP) {
		lt_cb_fail(lt, "host sent packet type %llu (trans_id %#llx), not a completion",
			   type, tid);
		return;
	}
	s = idx < lt->qdepth ? &lt->slots[idx] : NULL;
	if (!s || !s->busy || s->done || s->trans_id != tid) {
		lt_cb_fail(lt, "completion for unknown trans_id %#llx (%llu bytes)",
			   tid, plen);
		return;
	}
	if (lt->mode == LT_INBAND) {
		if (plen != HV_PKT_ALIGN8(s->len) ||
		    memcmp(payload, s->buf, s->len)) {
			lt_cb_fail(lt, "in-band echo of trans_id %#llx differs (%llu bytes back)",
				   tid, plen);
			return;
		}
		for (i = s->len; i < plen; i++) {
			if (payload[i]) {
				lt_cb_fail(lt, "in-band echo of trans_id %#llx: padding byte %llu not zero",
					   tid, i);
				return;
			}
		}
	} else {
		if (plen < sizeof(s->resp)) {
			lt_cb_fail(lt, "GPA completion of trans_id %#llx too short (%llu bytes)",
				   tid, plen);
			return;
		}
		memcpy(&s->resp, payload, sizeof(s->resp));
	}
	s->done = 1;
	lt->ndone++;
}

/*
 * Read at most @budget packets (0: until the ring is empty); return how
 * many were read. Context: the channel callback or the poll tasklet.
 */
static u32 lt_drain(struct lt_dev *lt, u32 budget)
{
	struct hv_pkt pkt;
	u32 n = 0;
	int ret;

	for (;;) {
		if (budget && n == budget) {
			ret = 0;
			break;
		}
		ret = hv_channel_read(lt->chan, lt->rxbuf, LT_RXBUF_MAX, &pkt);
		if (ret == -EMSGSIZE) {
			spin_lock(&lt->lock);
			lt_cb_fail(lt, "host sent a %llu-byte packet (%llu at most)",
				   pkt.len, LT_RXBUF_MAX);
			spin_unlock(&lt->lock);
			continue;
		}
		if (ret)
			break;
		n++;
		spin_lock(&lt->lock);
		lt_complete(lt, pkt.type, pkt.trans_id, pkt.data, pkt.data_len);
		spin_unlock(&lt->lock);
	}
	if (ret == -EBADMSG) {
		spin_lock(&lt->lock);
		lt_cb_fail(lt, "host sent a malformed packet (%llu, %llu)", 0, 0);
		spin_unlock(&lt->lock);
	}
	wake_up(&lt->wq);
	return n;
}

static void lt_cb(void *ctx)
{
	struct lt_dev *lt = ctx;

	if (lt_polled)
		tasklet_schedule(&lt->poll);	/* interrupts stay masked */
	else
		lt_drain(lt, 0);
}

/* Polled mode: one round of the poll (see lt_polled). */
static void lt_poll_fn(unsigned long data)
{
	struct lt_dev *lt = (struct lt_dev *)data;

	lt->polls++;
	if (lt_drain(lt, LT_POLL_BUDGET) == LT_POLL_BUDGET) {
		lt->poll_full++;
		tasklet_schedule(&lt->poll);	/* more: still masked */
		return;
	}
	/* drained: let the host signal again, unless it wrote meanwhile */
	if (hv_channel_unmask(lt->chan)) {
		lt->unmask_again++;
		hv_channel_mask(lt->chan);
		tasklet_schedule(&lt->poll);
	}
}

/* ---- requests ------------------------------------------------------------------ */

static int lt_slot_alloc(struct lt_slot *s, int mode)
{
	u32 i;

	if (mode == LT_INBAND) {
		if (!s->buf)
			s->buf = kmalloc(LT_INBAND_MAX, GFP_KERNEL);
		return s->buf ? 0 : -ENOMEM;
	}
	if (!s->pages) {
		s->pages = kcalloc(LT_MPB_PAGES, sizeof(*s->pages), GFP_KERNEL);
		s->pfns = kcalloc(LT_MPB_PAGES, sizeof(*s->pfns), GFP_KERNEL);
		if (!s->pages || !s->pfns)
			return -ENOMEM;
	}
	for (i = 0; i < LT_MPB_PAGES; i++) {
		if (s->pages[i])
			continue;
		s->pages[i] = alloc_page(GFP_KERNEL);
		if (!s->pages[i])
			return -ENOMEM;
		s->pfns[i] = page_to_pfn(s->pages[i]);
	}
	return 0;
}

static void lt_slot_free(struct lt_slot *s)
{
	u32 i;

	kfree(s->buf);
	s->buf = NULL;
	if (s->pages) {
		for (i = 0; i < LT_MPB_PAGES; i++)
			if (s->pages[i])
				__free_page(s->pages[i]);
	}
	kfree(s->pages);
	kfree(s->pfns);
	s->pages = NULL;
	s->pfns = NULL;
}

/* Choose size and content of the next request (@left bytes remain). */
static void lt_prepare(struct lt_dev *lt, struct lt_slot *s, u64 *rnd, u64 left)
{
	struct hv_loop_sum sum;
	u32 maxpages, max, j, i, seg, pos, end;
	u64 *w;

	s->seed = lt_rand(rnd);
	if (lt->mode == LT_INBAND) {
		s->len = 1 + (u32)(lt_rand(rnd) % LT_INBAND_MAX);
		if (s->len > left)
			s->len = (u32)left;
		w = (u64 *)s->buf;
		for (i = 0; i < HV_PKT_ALIGN8(s->len) / 8; i++)
			w[i] = lt_pat(s->seed, 0, i);
		return;
	}
	maxpages = lt->mode == LT_PAGEBUF ? LT_PAGEBUF_PAGES : LT_MPB_PAGES;
	s->offset = (lt_rand(rnd) & 3) ? (u32)(lt_rand(rnd) % LT_PAGE) : 0;
	max = maxpages * LT_PAGE - s->offset;
	s->len = 1 + (u32)(lt_rand(rnd) % max);
	if (s->len > left)
		s->len = (u32)left;
	s->npages = DIV_ROUND_UP(s->offset + s->len, LT_PAGE);
	hv_loop_sum_init(&sum);
	pos = s->offset;
	end = s->offset + s->len;
	for (j = 0; j < s->npages; j++) {
		w = page_address(s->pages[j]);
		for (i = 0; i < LT_PAGE / 8; i++)
			w[i] = lt_pat(s->seed, j, i);
		seg = (end < (j + 1) * LT_PAGE ? end : (j + 1) * LT_PAGE) - pos;
		hv_loop_sum_update(&sum, (u8 *)w + (pos - j * LT_PAGE), seg);
		pos += seg;
	}
	s->sum = hv_loop_sum_final(&sum);
}

/* Bytes the packet of @s takes in the ring (for hv_channel_wait_space). */
static u32 lt_pkt_bytes(const struct lt_dev *lt, const struct lt_slot *s)
{
	u32 d;

	if (lt->mode == LT_INBAND)
		return HV_PKT_TOTAL(sizeof(struct vmbus_pkt_desc) + s->len);
	if (lt->mode == LT_PAGEBUF)
		d = sizeof(struct vmbus_pkt_gpa_direct) +
			s->npages * sizeof(struct vmbus_pagebuf_range);
	else
		d = sizeof(struct vmbus_pkt_gpa_direct) +
			sizeof(struct vmbus_mpb_range_hdr) + s->npages * 8;
	return HV_PKT_TOTAL(d + sizeof(struct hv_loop_req));
}

static int lt_send(struct lt_dev *lt, struct lt_slot *s)
{
	struct hv_page_buffer pb[LT_PAGEBUF_PAGES];
	struct hv_multipage_buffer mpb;
	struct hv_loop_req req;
	u32 j, left;

	if (lt->mode == LT_INBAND)
		return hv_channel_send(lt->chan, s->buf, s->len, s->trans_id,
				       VMBUS_PKT_DATA_INBAND,
				       VMBUS_PKT_FLAG_COMPLETION_REQUESTED);
	memset(&req, 0, sizeof(req));
	req.op = HV_LOOP_OP_NOT_SUM;
	req.tag = s->trans_id;
	req.total_len = s->len;
	if (lt->mode == LT_MPB) {
		mpb.len = s->len;
		mpb.offset = s->offset;
		mpb.pfn_count = s->npages;
		mpb.pfns = s->pfns;
		return hv_channel_send_mpb(lt->chan, &mpb, &req, sizeof(req),
					   s->trans_id);
	}
	left = s->len;
	for (j = 0; j < s->npages; j++) {
		pb[j].offset = j ? 0 : s->offset;
		pb[j].len = LT_PAGE - pb[j].offset;
		if (pb[j].len > left)
			pb[j].len = left;
		pb[j].pfn = s->pfns[j];
		left -= pb[j].len;
	}
	return hv_channel_send_pagebuf(lt->chan, pb, s->npages, &req,
				       sizeof(req), s->trans_id);
}

/* The pages must hold NOT(pattern) inside the range, the pattern outside. */
static int lt_verify_pages(const struct lt_slot *s, char *why, size_t wlen)
{
	u32 j, i, b, rs, re, lo;
	u64 mask, exp;
	const u64 *w;

	for (j = 0; j < s->npages; j++) {
		w = page_address(s->pages[j]);
		rs = j ? 0 : s->offset;
		re = s->offset + s->len - j * LT_PAGE;
		if (re > LT_PAGE)
			re = LT_PAGE;
		for (i = 0; i < LT_PAGE / 8; i++) {
			lo = i * 8;
			if (lo >= rs && lo + 8 <= re) {
				mask = ~0ULL;
			} else if (lo + 8 <= rs || lo >= re) {
				mask = 0;
			} else {
				mask = 0;
				for (b = 0; b < 8; b++)
					if (lo + b >= rs && lo + b < re)
						mask |= 0xffULL << (8 * b);
			}
			exp = lt_pat(s->seed, j, i) ^ mask;
			if (w[i] != exp) {
				snprintf(why, wlen, "trans_id %#llx: page %u byte %u: %#llx, expected %#llx",
					 s->trans_id, j, lo,
					 (unsigned long long)w[i],
					 (unsigned long long)exp);
				return -EIO;
			}
		}
	}
	return 0;
}

static int lt_check_gpa(const struct lt_slot *s, char *why, size_t wlen)
{
	const struct hv_loop_resp *r = &s->resp;

	if (r->status != HV_LOOP_ST_OK) {
		snprintf(why, wlen, "trans_id %#llx: host status %u",
			 s->trans_id, r->status);
		return -EIO;
	}
	if (r->tag != s->trans_id || r->bytes != s->len) {
		snprintf(why, wlen, "trans_id %#llx: response tag %#llx bytes %llu, expected %u",
			 s->trans_id, r->tag, r->bytes, s->len);
		return -EIO;
	}
	if (r->checksum != s->sum) {
		snprintf(why, wlen, "trans_id %#llx: host checksum %#llx, ours %#llx",
			 s->trans_id, r->checksum, s->sum);
		return -EIO;
	}
	return lt_verify_pages(s, why, wlen);
}

/* ---- a run ----------------------------------------------------------------------- */

struct lt_stats {
	u64 bytes;		/* completed and verified */
	u64 packets;
	u32 inflight;		/* sent, not yet reaped */
	u32 ready;		/* prepared, not yet sent */
	u64 planned;		/* bytes given to requests so far */
	u64 req_no;		/* requests prepared so far */
	u64 rnd;		/* lt_rand() state */
	u64 batches;		/* batches that sent at least one request */
	u64 waits;		/* waits for ring space (a batch cut short) */
};

/* Verify and free completed slots. Return: 0 or -EIO (why filled). */
static int lt_reap(struct lt_dev *lt, struct lt_stats *st, char *why,
		   size_t wlen)
{
	struct lt_slot *s;
	u32 i;
	int done, ret = 0;

	for (i = 0; i < lt->qdepth; i++) {
		s = &lt->slots[i];
		spin_lock_bh(&lt->lock);
		done = s->busy && s->done;
		spin_unlock_bh(&lt->lock);
		if (!done)
			continue;
		if (lt->mode != LT_INBAND && !ret)
			ret = lt_check_gpa(s, why, wlen);
		spin_lock_bh(&lt->lock);
		s->busy = 0;
		s->done = 0;
		lt->ndone--;
		spin_unlock_bh(&lt->lock);
		st->inflight--;
		st->bytes += s->len;
		st->packets++;
	}
	return ret;
}

/*
 * Give every free slot a request while bytes remain, then send all the
 * prepared ones in one batch (hv_channel_batch_begin()): the host gets at
 * most one signal for the lot. Preparing comes first so that the batch
 * itself is short. Return: 0; -EAGAIN when the send ring is full (*need
 * is then what the next request takes; it stays prepared); other -errno.
 */
static int lt_fill(struct lt_dev *lt, struct lt_stats *st, u64 total,
		   u32 *need)
{
	struct lt_slot *s;
	u32 i, sent = 0;
	int ret = 0;

	for (i = 0; i < lt->qdepth && st->planned < total; i++) {
		s = &lt->slots[i];
		if (s->busy || s->ready)
			continue;
		lt_prepare(lt, s, &st->rnd, total - st->planned);
		st->req_no++;
		s->trans_id = ((u64)lt->run_seq << 48) |
			((st->req_no & 0xffffffffffULL) << 8) | i;
		s->ready = 1;
		st->ready++;
		st->planned += s->len;
	}
	if (!st->ready)
		return 0;
	hv_channel_batch_begin(lt->chan);
	for (i = 0; i < lt->qdepth && st->ready; i++) {
		s = &lt->slots[i];
		if (!s->ready)
			continue;
		spin_lock_bh(&lt->lock);
		s->busy = 1;
		s->done = 0;
		spin_unlock_bh(&lt->lock);
		ret = lt_send(lt, s);
		if (ret) {
			spin_lock_bh(&lt->lock);
			s->busy = 0;
			spin_unlock_bh(&lt->lock);
			if (ret == -EAGAIN)
				*need = lt_pkt_bytes(lt, s);
			break;
		}
		s->ready = 0;
		st->ready--;
		st->inflight++;
		sent++;
	}
	hv_channel_batch_end(lt->chan);
	if (sent)
		st->batches++;
	return ret;
}

static int lt_wake(struct lt_dev *lt)
{
	int r;

	spin_lock_bh(&lt->lock);
	r = lt->ndone || lt->cb_failed || lt->removing;
	spin_unlock_bh(&lt->lock);
	return r || hv_channel_rescinded(lt->chan);
}

static void lt_run(struct lt_dev *lt, int mode, u64 total, u32 qdepth)
{
	struct lt_stats st;
	char why[160];
	u64 usec, mbps10;
	unsigned long last;
	ktime_t t0;
	u32 i, need = 0, refill, sent0;
	int ret = 0, n;

	why[0] = '\0';
	memset(&st, 0, sizeof(st));
	for (i = 0; i < qdepth; i++) {
		lt->slots[i].ready = 0;
		if (lt_slot_alloc(&lt->slots[i], mode)) {
			snprintf(lt->result, sizeof(lt->result), "fail: out of memory for %u requests", qdepth);
			return;
		}
	}
	spin_lock_bh(&lt->lock);
	if (++lt->run_seq == 0)
		lt->run_seq = 1;
	lt->mode = mode;
	lt->qdepth = qdepth;
	lt->ndone = 0;
	lt->cb_failed = 0;
	lt->cb_err[0] = '\0';
	lt->running = 1;
	spin_unlock_bh(&lt->lock);
	st.rnd = lt_mix(((u64)lt->run_seq << 32) ^ hv_channel_relid(lt->chan) ^
			total ^ ((u64)mode << 16)) | 1;
	/* refill once this many slots are free (or nothing is in flight) */
	refill = LT_REFILL_MIN(qdepth);
	t0 = ktime_get();
	last = jiffies;

	for (;;) {
		ret = lt_reap(lt, &st, why, sizeof(why));
		if (ret)
			break;
		spin_lock_bh(&lt->lock);
		if (lt->cb_failed) {
			strscpy(why, lt->cb_err, sizeof(why));
			ret = -EIO;
		} else if (lt->removing) {
			strscpy(why, "device removed during the run", sizeof(why));
			ret = -ENODEV;
		}
		spin_unlock_bh(&lt->lock);
		if (ret)
			break;
		if (hv_channel_rescinded(lt->chan)) {
			strscpy(why, "channel rescinded by the host", sizeof(why));
			ret = -ENODEV;
			break;
		}
		if (st.planned >= total && !st.ready && !st.inflight)
			break;
		if (time_after(jiffies, last + msecs_to_jiffies(LT_IDLE_MS))) {
			snprintf(why, sizeof(why), "timeout: no progress for %u ms, %u requests unanswered",
				 LT_IDLE_MS, st.inflight);
			ret = -ETIMEDOUT;
			break;
		}
		if (st.ready || (st.planned < total &&
				 (qdepth - st.inflight >= refill || !st.inflight))) {
			sent0 = st.inflight;
			ret = lt_fill(lt, &st, total, &need);
			if (st.inflight != sent0)
				last = jiffies;
			if (ret == -EAGAIN) {
				st.waits++;
				ret = hv_channel_wait_space(lt->chan, need, 500);
				if (ret == -ETIMEDOUT || ret == -ENODEV || !ret) {
					ret = 0;
					continue;
				}
			}
			if (ret) {
				snprintf(why, sizeof(why), "send failed: %d", ret);
				break;
			}
		}
		wait_event_timeout(lt->wq, lt_wake(lt), HZ / 2);
	}

	spin_lock_bh(&lt->lock);
	lt->running = 0;
	if (st.inflight)
		lt->stale = 1;
	spin_unlock_bh(&lt->lock);

	usec = ktime_to_us(ktime_sub(ktime_get(), t0));
	if (!usec)
		usec = 1;
	if (ret) {
		snprintf(lt->result, sizeof(lt->result),
			 "fail: %s (mode=%s after %llu bytes, %llu packets)",
			 why, lt_mode_names[mode], st.bytes, st.packets);
		return;
	}
	mbps10 = st.bytes * 10 / usec;
	n = snprintf(lt->result, sizeof(lt->result),
		     "ok mode=%s bytes=%llu packets=%llu errors=0 qdepth=%u usec=%llu MBps=%llu.%llu batches=%llu waits=%llu",
		     lt_mode_names[mode], st.bytes, st.packets, qdepth, usec,
		     mbps10 / 10, mbps10 % 10, st.batches, st.waits);
	if (lt_polled && n > 0 && n < (int)sizeof(lt->result))
		snprintf(lt->result + n, sizeof(lt->result) - n,
			 " polls=%lu poll_full=%lu unmask_again=%lu",
			 lt->polls, lt->poll_full, lt->unmask_again);
}

/* ---- sysfs ----------------------------------------------------------------------- */

static ssize_t run_store(struct device *dev, struct device_attribute *attr,
			 const char *buf, size_t count)
{
	struct lt_dev *lt = hv_get_drvdata(to_hv_device(dev));
	char mode[16];
	unsigned long long bytes;
	unsigned int qd, m;

	if (sscanf(buf, "%15s %llu %u", mode, &bytes, &qd) != 3)
		return -EINVAL;
	for (m = 0; m < ARRAY_SIZE(lt_mode_names); m++)
		if (!strcmp(mode, lt_mode_names[m]))
			break;
	if (m == ARRAY_SIZE(lt_mode_names) || !bytes || bytes > LT_MAX_BYTES ||
	    !qd || qd > LT_MAX_QDEPTH)
		return -EINVAL;
	mutex_lock(&lt->run_lock);
	if (lt->removing)
		strscpy(lt->result, "fail: device is going away", sizeof(lt->result));
	else if (lt->stale)
		strscpy(lt->result, "fail: an earlier run left requests unanswered", sizeof(lt->result));
	else
		lt_run(lt, m, bytes, qd);
	mutex_unlock(&lt->run_lock);
	return count;
}

static ssize_t result_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct lt_dev *lt = hv_get_drvdata(to_hv_device(dev));
	ssize_t n;

	mutex_lock(&lt->run_lock);
	n = snprintf(buf, PAGE_SIZE, "%s\n", lt->result);
	mutex_unlock(&lt->run_lock);
	return n;
}

static ssize_t dma_show(struct device *dev, struct device_attribute *attr,
			char *buf)
{
	return snprintf(buf, PAGE_SIZE,
			"mask 0x%llx coherent 0x%llx max_segment 0x%x boundary 0x%lx\n",
			(unsigned long long)dma_get_mask(dev),
			(unsigned long long)dev->coherent_dma_mask,
			dma_get_max_seg_size(dev),
			(unsigned long)dma_get_seg_boundary(dev));
}

static DEVICE_ATTR_WO(run);
static DEVICE_ATTR_RO(result);
static DEVICE_ATTR_RO(dma);

static struct attribute *lt_attrs[] = {
	&dev_attr_run.attr,
	&dev_attr_result.attr,
	&dev_attr_dma.attr,
	NULL
};

static const struct attribute_group lt_attr_group = {
	.attrs = lt_attrs,
};

/* ---- driver ---------------------------------------------------------------------- */

static int lt_probe(struct hv_device *hdev, const struct hv_device_id *id)
{
	struct lt_dev *lt;
	int ret;

	lt = kzalloc(sizeof(*lt), GFP_KERNEL);
	if (!lt)
		return -ENOMEM;
	lt->rxbuf = kmalloc(LT_RXBUF_MAX, GFP_KERNEL);
	if (!lt->rxbuf) {
		kfree(lt);
		return -ENOMEM;
	}
	lt->hdev = hdev;
	lt->chan = hdev->channel;
	mutex_init(&lt->run_lock);
	spin_lock_init(&lt->lock);
	init_waitqueue_head(&lt->wq);
	strscpy(lt->result, "idle", sizeof(lt->result));
	hv_compat_tasklet_init(&lt->poll, lt_poll_fn, (unsigned long)lt);
	hv_channel_set_polled(lt->chan, lt_polled);
	ret = hv_channel_open(lt->chan, lt_ring_kb * 1024, lt_ring_kb * 1024,
			      NULL, 0, lt_cb, lt);
	if (ret) {
		dev_err(&hdev->dev, "cannot open the loopback channel: %d\n", ret);
		kfree(lt->rxbuf);
		kfree(lt);
		return ret;
	}
	hv_set_drvdata(hdev, lt);
	ret = sysfs_create_group(&hdev->dev.kobj, &lt_attr_group);
	if (ret) {
		hv_channel_close(lt->chan);
		tasklet_kill(&lt->poll);
		hv_set_drvdata(hdev, NULL);
		kfree(lt->rxbuf);
		kfree(lt);
		return ret;
	}
	dev_info(&hdev->dev, "loopback channel %u open\n",
		 hv_channel_relid(lt->chan));
	return 0;
}

static void lt_remove(struct hv_device *hdev)
{
	struct lt_dev *lt = hv_get_drvdata(hdev);
	u32 i;

	if (!lt)
		return;
	spin_lock_bh(&lt->lock);
	lt->removing = 1;
	spin_unlock_bh(&lt->lock);
	wake_up_all(&lt->wq);
	/* waits for a run in progress, which now ends quickly */
	sysfs_remove_group(&hdev->dev.kobj, &lt_attr_group);
	hv_channel_close(lt->chan);
	tasklet_kill(&lt->poll);	/* no callback schedules it any more */
	/* the host no longer touches our pages */
	for (i = 0; i < LT_MAX_QDEPTH; i++)
		lt_slot_free(&lt->slots[i]);
	if (lt->stray)
		dev_info(&hdev->dev, "%lu completions arrived outside a run\n",
			 lt->stray);
	hv_set_drvdata(hdev, NULL);
	kfree(lt->rxbuf);
	kfree(lt);
}

static const struct hv_device_id lt_ids[] = {
	{ .guid = { .b = HV_LOOPBACK_GUID_BYTES } },
	{ }
};

static struct hv_driver lt_driver = {
	.name = LT_MOD,
	.id_table = lt_ids,
	.probe = lt_probe,
	.remove = lt_remove,
};

static int __init lt_init(void)
{
	if (lt_ring_kb < LT_RING_KB_MIN || lt_ring_kb > LT_RING_KB_MAX ||
	    lt_ring_kb % 4) {
		pr_err(LT_MOD ": ring_kb=%u: want a multiple of 4 in %u..%u\n",
		       lt_ring_kb, LT_RING_KB_MIN, LT_RING_KB_MAX);
		return -EINVAL;
	}
	return hv_driver_register(&lt_driver);
}

static void __exit lt_exit(void)
{
	hv_driver_unregister(&lt_driver);
}

module_init(lt_init);
module_exit(lt_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Loopback test driver for the hyperv-lic host simulator");
MODULE_AUTHOR("hyperv-lic developers");
MODULE_ALIAS("vmbus:927edcbe4b52744fa823c91c9c22a15b");
