// SPDX-License-Identifier: GPL-2.0
/*
 * hs_io.c - the host's side of an open channel (fact sheet C): draining
 * the guest's send ring, the device back ends (loopback, null), writing
 * completions into the guest's receive ring, and the signalling rules of
 * C.3 on the host's side.
 *
 * Reading: the host walks the guest's ring with a private cursor in
 * passes; a pass ends after HS_BATCH_PKTS packets, when the ring is empty,
 * or when the host must wait for space on its outbound ring. At the end of
 * a pass it publishes read_index (honouring the guest's pending_send_sz)
 * and signals the guest at most once. It masks interrupts (interrupt_mask
 * = 1 on the guest->host ring) while it drains.
 *
 * Writing: completions go into the guest's receive ring as the packets
 * are handled; a write that hv_ring_write() says needs a signal (ring was
 * empty, guest's interrupt_mask 0: C.3) only marks the pass as owing one.
 * The pass end makes it, after a full barrier, unless the guest has
 * masked interrupts meanwhile (it is draining and looks again when it
 * unmasks) or has already taken everything. So the guest gets one
 * interrupt per pass, never none when it needs one.
 *
 * Why the signal checks of hs_guest_signal_locked() cannot misfire: a
 * correct guest signals a write that starts at offset W only when, after
 * publishing it, it reads interrupt_mask == 0 and read_index == W. Since
 * the host publishes read_index only at pass ends, read_index == W means
 * the host published W as a pass end; each publish grants at most one
 * such signal, and the host counts the allowance before the publish is
 * visible. If W was published while the host was masked and the ring was
 * empty at the host's last look at write_index, the guest's write was not
 * visible yet, so the guest read interrupt_mask after the host had set it:
 * a correct guest stays quiet until the host unmasks. A guest that
 * batches its sends makes that signal later, after a fresh look at
 * interrupt_mask == 0, and once per batch: still at most one per such W,
 * and never while it sees the mask set. Signals for pending_send_sz do not
 * look at the mask. Monitor triggers are seen late, which only makes the
 * checks more lenient.
 */
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include "hostsim.h"

/* Distance from @from to @to in a ring of @size bytes. */
static u32 hs_ring_dist(u32 size, u32 from, u32 to)
{
	return to >= from ? to - from : size - (from - to);
}

static int hs_idx_ok(const struct hv_ring *r, u32 idx)
{
	return idx < r->size && !(idx & 7);
}

/*
 * End of a pass: publish the private cursor as read_index and make the
 * one signal the pass owes the guest, if any. @empty: the ring was empty
 * at the last look at write_index (grants one guest signal, see above).
 * hv_ring_consume() on a pseudo packet spanning the pass does the store,
 * the barriers and the pending_send_sz decision of C.3.
 */
static void hs_pass_end(struct hs_chan *ch, u32 start, u32 cursor, int empty)
{
	struct hv_ring_pkt batch;
	u32 dist = hs_ring_dist(ch->in.size, start, cursor);
	int sig = 0;

	if (dist) {
		hs_count(HS_C_io_passes);
		if (empty)
			atomic_inc(&ch->allow_empty);
		memset(&batch, 0, sizeof(batch));
		batch.start = start;
		batch.len = dist - VMBUS_PKT_TRAILER_SIZE;
		sig = hv_ring_consume(&ch->in, &batch);
	}
	if (ch->sig_owed) {
		ch->sig_owed = 0;
		/* our write_index stores before the look at the guest's mask */
		smp_mb();
		if (!READ_ONCE(ch->out.hdr->interrupt_mask) &&
		    hv_ring_bytes_used(&ch->out))
			sig = 1;
	}
	if (sig)
		hs_signal_guest(ch);
}

/* ---- writing to the guest ------------------------------------------------ */

/**
 * hs_io_write() - write one packet into the guest's receive ring; its
 * payload comes in two pieces. The caller checked the space (a reply is
 * never taken on without it); a write that needs a signal makes the pass
 * owe one.
 * @ch: the channel; only its io_work writes (single writer)
 * @type: VMBus packet type (C.2)
 * @trans_id: the request's, or 0 for unsolicited packets
 * @p1: first piece, @l1 bytes
 * @l1: bytes of @p1
 * @p2: second piece or NULL
 * @l2: bytes of @p2
 */
void hs_io_write(struct hs_chan *ch, u16 type, u64 trans_id,
		 const void *p1, u32 l1, const void *p2, u32 l2)
{
	struct vmbus_pkt_desc d;
	struct hv_ring_sg sg[3];
	unsigned int n = 1;
	int ret, sig = 0;

	if (!l2 && hs_hostile_write(ch, type, trans_id, p1, l1)) {
		/* written (changed) by the hostile host */
		if (type == VMBUS_PKT_COMP) {
			atomic64_inc(&ch->completions_out);
			hs_count(HS_C_completions_out);
		}
		return;
	}
	memset(&d, 0, sizeof(d));
	d.type = type;
	d.offset8 = sizeof(d) / 8;
	d.len8 = (u16)(HV_PKT_ALIGN8(sizeof(d) + l1 + l2) / 8);
	d.trans_id = trans_id;
	if (type == VMBUS_PKT_COMP && hs_fault_take(HS_F_MALFORMED_PACKET)) {
		/* shorter than the descriptor itself: the guest must refuse it */
		d.offset8 = 1;
		pr_info(HS_MOD ": fault malformed_packet: relid %u, completion 0x%llx sent with offset8 1\n",
			ch->relid, (unsigned long long)trans_id);
	}
	sg[0].buf = &d;
	sg[0].len = sizeof(d);
	if (l1) {
		sg[n].buf = p1;
		sg[n++].len = l1;
	}
	if (l2) {
		sg[n].buf = p2;
		sg[n++].len = l2;
	}
	ret = hv_ring_write(&ch->out, sg, n, &sig);
	if (ret) {
		/* space was checked before the request was taken */
		pr_err(HS_MOD ": relid %u: reply write failed (%d)\n",
		       ch->relid, ret);
		return;
	}
	if (type == VMBUS_PKT_COMP) {
		atomic64_inc(&ch->completions_out);
		hs_count(HS_C_completions_out);
	}
	/* signalled once, at the end of the pass */
	if (sig)
		ch->sig_owed = 1;
}

static void hs_complete_status(struct hs_chan *ch, u64 trans_id, u32 status,
			       u64 tag)
{
	struct hv_loop_resp r;

	memset(&r, 0, sizeof(r));
	r.status = status;
	r.tag = tag;
	hs_io_write(ch, VMBUS_PKT_COMP, trans_id, &r, sizeof(r), NULL, 0);
}

/* ---- GPA-direct descriptors (C.2), shared by the back ends ------------------ */

/**
 * hs_gpa_parse() - check every range of a GPA-direct descriptor and the
 * PFNs it names (C.2): 1..32 ranges, each non-empty with its offset inside
 * the first page, its PFN list inside the descriptor, every PFN guest RAM;
 * with several ranges (page-buffer form) each stays within one page.
 * @desc: private copy of the descriptor (the guest cannot change it)
 * @dlen: its bytes (offset8 * 8)
 * @g: out, the ranges, pointing into @desc
 * @why: out, what is wrong when the answer is non-zero
 *
 * Context: process (hs_pfn_ok()). Return: 0, or -EINVAL when the guest
 * described something it may not.
 */
int hs_gpa_parse(const u8 *desc, u32 dlen, struct hs_gpa *g, const char **why)
{
	u32 count, i, pos, bc, bo, npfn, k;
	u64 pfn;

	g->count = 0;
	g->total = 0;
	if (dlen < sizeof(struct vmbus_pkt_gpa_direct)) {
		*why = "descriptor shorter than a GPA-direct header";
		return -EINVAL;
	}
	memcpy(&count, desc + HV_OFFSETOF(struct vmbus_pkt_gpa_direct,
					  range_count), sizeof(count));
	if (count == 0 || count > VMBUS_MAX_PAGE_BUFFERS) {
		*why = "no ranges, or more than 32";
		return -EINVAL;
	}
	pos = sizeof(struct vmbus_pkt_gpa_direct);
	for (i = 0; i < count; i++) {
		if (dlen - pos < sizeof(struct vmbus_mpb_range_hdr)) {
			*why = "ranges overrun the descriptor";
			return -EINVAL;
		}
		memcpy(&bc, desc + pos, 4);
		memcpy(&bo, desc + pos + 4, 4);
		pos += sizeof(struct vmbus_mpb_range_hdr);
		if (bc == 0 || bo >= HV_HYP_PAGE_SIZE) {
			*why = "empty range or offset beyond the first page";
			return -EINVAL;
		}
		npfn = (u32)(((u64)bo + bc + HV_HYP_PAGE_SIZE - 1) >>
			     HV_HYP_PAGE_SHIFT);
		if (npfn > (dlen - pos) / sizeof(u64)) {
			*why = "PFN list overruns the descriptor";
			return -EINVAL;
		}
		/* page-buffer form: several ranges, each within one page */
		if (count > 1 && npfn != 1) {
			*why = "page-buffer range spans pages";
			return -EINVAL;
		}
		for (k = 0; k < npfn; k++) {
			memcpy(&pfn, desc + pos + 8 * k, sizeof(pfn));
			if (!hs_pfn_ok(pfn)) {
				*why = "PFN is not guest RAM";
				return -EINVAL;
			}
		}
		g->r[i].len = bc;
		g->r[i].offset = bo;
		g->r[i].npfn = npfn;
		g->r[i].pfns = desc + pos;
		pos += npfn * (u32)sizeof(u64);
		g->total += bc;
	}
	g->count = count;
	return 0;
}

/**
 * hs_gpa_pfn() - PFN @k of a range hs_gpa_parse() accepted.
 * @r: the range
 * @k: index, < r->npfn
 */
u64 hs_gpa_pfn(const struct hs_gpa_range *r, u32 k)
{
	u64 pfn;

	memcpy(&pfn, r->pfns + 8 * (size_t)k, sizeof(pfn));
	return pfn;
}

/* ---- the loopback back end (hv_loopback.h) -------------------------------- */

/* Checksum, then invert, every byte the (checked) ranges describe. */
static void hs_gpa_not_sum(const struct hs_gpa *g, struct hv_loop_sum *sum)
{
	u32 i, bc, bo, seg, k, j;
	u64 *w;
	u8 *va;

	for (i = 0; i < g->count; i++) {
		bc = g->r[i].len;
		bo = g->r[i].offset;
		k = 0;
		while (bc) {
			seg = HV_HYP_PAGE_SIZE - bo;
			if (seg > bc)
				seg = bc;
			va = (u8 *)page_address(pfn_to_page((unsigned long)
					hs_gpa_pfn(&g->r[i], k))) + bo;
			hv_loop_sum_update(sum, va, seg);
			for (j = 0; j < seg && ((unsigned long)(va + j) & 7); j++)
				va[j] = ~va[j];
			for (; j + 8 <= seg; j += 8) {
				w = (u64 *)(va + j);
				*w = ~*w;
			}
			for (; j < seg; j++)
				va[j] = ~va[j];
			bc -= seg;
			bo = 0;
			k++;
		}
	}
}

static void hs_loop_gpa(struct hs_chan *ch, const struct hv_ring_pkt *pkt,
			const u8 *desc, u32 dlen, u64 trans_id)
{
	struct hv_loop_req req;
	struct hv_loop_resp r;
	struct hv_loop_sum sum;
	struct hs_gpa *g = ch->gpa;
	const char *why = NULL;
	u64 total;
	u32 status = HV_LOOP_ST_OK;

	memset(&req, 0, sizeof(req));
	if (pkt->len - dlen < sizeof(req)) {
		why = "payload shorter than the request";
		status = HV_LOOP_ST_BAD_REQUEST;
		goto bad;
	}
	memcpy(&req, pkt->bytes + dlen, sizeof(req));
	if (req.op != HV_LOOP_OP_NOT_SUM) {
		why = "unknown op";
		status = HV_LOOP_ST_BAD_OP;
		goto bad;
	}
	total = hs_gpa_parse(desc, dlen, g, &why) ? 0 : g->total;
	if (!total) {
		status = HV_LOOP_ST_BAD_RANGE;
		hs_violation(HS_V_gpa_bad_range);
		goto out;
	}
	if (req.flags || total != req.total_len) {
		why = "flags or total_len do not match the ranges";
		status = HV_LOOP_ST_BAD_REQUEST;
		goto bad;
	}
	hv_loop_sum_init(&sum);
	hs_gpa_not_sum(g, &sum);
	memset(&r, 0, sizeof(r));
	r.status = HV_LOOP_ST_OK;
	r.tag = req.tag;
	r.bytes = total;
	r.checksum = hv_loop_sum_final(&sum);
	hs_count_add(HS_C_bytes_in, total);
	hs_io_write(ch, VMBUS_PKT_COMP, trans_id, &r, sizeof(r), NULL, 0);
	return;
bad:
	hs_violation(HS_V_loop_bad_request);
out:
	pr_warn_ratelimited(HS_MOD ": relid %u: bad loopback request: %s\n",
			    ch->relid, why ? why : "?");
	hs_complete_status(ch, trans_id, status, req.tag);
}

/* Payload bytes of the reply a packet needs, so space is checked first. */
static u32 hs_reply_len(const struct hs_chan *ch, const struct vmbus_pkt_desc *d,
			u32 len)
{
	int want = d->flags & VMBUS_PKT_FLAG_COMPLETION_REQUESTED;

	if (ch->type->be == HS_BE_LOOP && d->type == VMBUS_PKT_DATA_INBAND)
		return want ? len - d->offset8 * 8 : 0;
	if (d->type == VMBUS_PKT_COMP)
		return 0;
	if (ch->type->be == HS_BE_VSTOR)
		return hs_vstor_reply_len();
	if (ch->type->be == HS_BE_LOOP && d->type == VMBUS_PKT_DATA_GPA_DIRECT)
		return sizeof(struct hv_loop_resp);
	return want ? sizeof(struct hv_loop_resp) : 0;
}

/* One packet, already validated against the private descriptor copy @d. */
static void hs_handle_pkt(struct hs_chan *ch, const struct hv_ring_pkt *pkt,
			  const struct vmbus_pkt_desc *d)
{
	u32 dlen = d->offset8 * 8;
	int want = d->flags & VMBUS_PKT_FLAG_COMPLETION_REQUESTED;

	if (want && d->trans_id == 0)
		hs_violation(HS_V_completion_trans_id_zero);
	if (d->type == VMBUS_PKT_COMP) {
		/* the host never asks for completions on these devices */
		hs_violation(HS_V_unexpected_completion);
		return;
	}
	if (ch->type->be == HS_BE_VSTOR) {
		hs_vstor_handle(ch, pkt, d);
		return;
	}
	if (ch->type->be != HS_BE_LOOP) {
		/* null back end: complete what asks for it */
		if (want)
			hs_complete_status(ch, d->trans_id,
					   HV_LOOP_ST_UNSUPPORTED, 0);
		return;
	}
	switch (d->type) {
	case VMBUS_PKT_DATA_INBAND:
		if (want)
			hs_io_write(ch, VMBUS_PKT_COMP, d->trans_id,
				     pkt->bytes + dlen, pkt->len - dlen, NULL, 0);
		break;
	case VMBUS_PKT_DATA_GPA_DIRECT:
		hs_loop_gpa(ch, pkt, ch->desc_buf, dlen, d->trans_id);
		break;
	default:
		hs_violation(HS_V_bad_packet_type);
		if (want)
			hs_complete_status(ch, d->trans_id,
					   HV_LOOP_ST_UNSUPPORTED, 0);
		break;
	}
}

/* ---- draining ------------------------------------------------------------ */

enum { HS_DRAIN_EMPTY, HS_DRAIN_BLOCKED, HS_DRAIN_BROKEN, HS_DRAIN_BUDGET };

static void hs_break_channel(struct hs_chan *ch, const char *why)
{
	ch->broken = 1;
	pr_err(HS_MOD ": relid %u: %s; channel stopped\n", ch->relid, why);
}

static void hs_rescind_busy_tick(struct hs_chan *ch)
{
	if (ch->type->be != HS_BE_LOOP)
		return;
	if (!ch->rescind_countdown && hs_fault_take(HS_F_RESCIND_BUSY))
		ch->rescind_countdown = 32;
	if (ch->rescind_countdown && --ch->rescind_countdown == 0) {
		WRITE_ONCE(hs.rescind_relid, ch->relid);
		queue_work(hs.wq, &hs.rescind_work);
	}
}

/**
 * hs_io_wait_space() - block on a full outbound ring: ask the guest for a
 * signal when more than @need bytes are free, then look again (the guest
 * may have freed the space before it could see the request).
 * @ch: the channel (its io_work)
 * @need: bytes of the packet (with trailer) that must fit
 *
 * Return: 1 still blocked (end the pass and wait), 0 it fits now.
 */
int hs_io_wait_space(struct hs_chan *ch, u32 need)
{
	atomic_inc(&ch->allow_pend);
	hv_ring_set_pending_send(&ch->out, need);
	ch->pend_set = 1;
	if (hv_ring_bytes_free(&ch->out) > need) {
		hv_ring_set_pending_send(&ch->out, 0);
		ch->pend_set = 0;
		return 0;
	}
	hs_count(HS_C_ring_full_waits);
	return 1;
}

/*
 * Allowances a correct guest can no longer use are written off, so the
 * checker's slack stays bounded instead of growing with traffic (an
 * allowance whose write came before the publish, so the guest saw
 * another read_index and stayed quiet, is never used; such allowances
 * used to pile up, and later signals without reason went uncounted).
 * What a correct guest can still use at any moment: a writer holding its
 * out_lock between its look at read_index and its signal (one: writes
 * and their signals are serialised by that lock, a batch defers at most
 * one), a write at the read_index published last (one), a reader that
 * crossed pending_send_sz and has not signalled yet (one: the channel
 * callback is single), and the pending_send_sz set now (one). Called
 * only while the host is not masked (allow_at_mask is not in use), under
 * chan_lock against the signal path.
 */
#define HS_SIG_SLACK	4

static void hs_sig_writeoff(struct hs_chan *ch)
{
	unsigned long flags;
	int credit;

	spin_lock_irqsave(&hs.chan_lock, flags);
	credit = atomic_read(&ch->allow_empty) + atomic_read(&ch->allow_pend) -
		atomic_read(&ch->sig_seen);
	if (credit > HS_SIG_SLACK)
		atomic_add(credit - HS_SIG_SLACK, &ch->sig_seen);
	spin_unlock_irqrestore(&hs.chan_lock, flags);
}

static int hs_drain(struct hs_chan *ch)
{
	struct hv_ring_pkt pkt;
	struct vmbus_pkt_desc d;
	u32 start, w, cursor, need, copy;
	unsigned int npkts = 0, batches = 0;
	int ret, valid, too_big;

	hs_sig_writeoff(ch);
	atomic_set(&ch->allow_at_mask, atomic_read(&ch->allow_empty));
	/* the snapshot before the flag: pairs with smp_rmb() in the checker */
	smp_wmb();
	WRITE_ONCE(ch->masked, 1);
	hv_ring_mask_interrupts(&ch->in);

	start = READ_ONCE(ch->in.hdr->read_index);
	if (!hs_idx_ok(&ch->in, start)) {
		hs_violation(HS_V_bad_ring_indices);
		hs_break_channel(ch, "guest wrote a bad read_index");
		return HS_DRAIN_BROKEN;
	}
	cursor = start;
	for (;;) {
		/* packets other contexts queued for this ring go out first */
		if (ch->type->be == HS_BE_VSTOR && hs_vstor_flush(ch)) {
			hs_pass_end(ch, start, cursor, 0);
			return HS_DRAIN_BLOCKED;
		}
		w = READ_ONCE(ch->in.hdr->write_index);
		ch->cursor_hdr->read_index = cursor;
		ch->cursor_hdr->write_index = w;
		ret = hv_ring_peek(&ch->cursor, &pkt, NULL, 0);
		if (ret == -EAGAIN) {
			hs_pass_end(ch, start, cursor, 1);
			return HS_DRAIN_EMPTY;
		}
		if (ret) {
			hs_violation(HS_V_bad_ring_indices);
			hs_pass_end(ch, start, cursor, 0);
			hs_break_channel(ch, "malformed ring contents");
			return HS_DRAIN_BROKEN;
		}
		/* parse a private copy: the guest can rewrite the ring */
		copy = pkt.len < HS_DESC_COPY_MAX ? pkt.len : HS_DESC_COPY_MAX;
		memcpy(ch->desc_buf, pkt.bytes, copy);
		memcpy(&d, ch->desc_buf, sizeof(d));
		valid = d.len8 * 8 == pkt.len && d.offset8 >= 2 &&
			d.offset8 * 8 <= copy &&
			!hv_pkt_validate((const struct vmbus_pkt_desc *)ch->desc_buf,
					 pkt.len);
		need = 0;
		too_big = 0;
		if (!valid) {
			hs_violation(HS_V_bad_packet);
			pr_warn_ratelimited(HS_MOD ": relid %u: malformed packet (type %u, len8 %u, offset8 %u) skipped\n",
					    ch->relid, d.type, d.len8, d.offset8);
		} else {
			need = hs_reply_len(ch, &d, pkt.len);
			if (need)
				need = HV_PKT_TOTAL(sizeof(struct vmbus_pkt_desc) + need);
			if (need >= ch->out.size - VMBUS_PKT_TRAILER_SIZE) {
				/* an echo that can never fit the guest's ring */
				pr_warn_ratelimited(HS_MOD ": relid %u: request of %u bytes cannot be echoed into a %u-byte ring\n",
						    ch->relid, pkt.len, ch->out.size);
				too_big = 1;
				need = HV_PKT_TOTAL(sizeof(struct vmbus_pkt_desc) +
						    sizeof(struct hv_loop_resp));
			}
		}
		if (need && hv_ring_bytes_free(&ch->out) <= need &&
		    hs_io_wait_space(ch, need)) {
			hs_pass_end(ch, start, cursor, 0);
			return HS_DRAIN_BLOCKED;
		}
		atomic64_inc(&ch->packets_in);
		hs_count(HS_C_packets_in);
		if (too_big)
			hs_complete_status(ch, d.trans_id, HV_LOOP_ST_BAD_REQUEST, 0);
		else if (valid)
			hs_handle_pkt(ch, &pkt, &d);
		hv_ring_consume(&ch->cursor, &pkt);
		cursor = ch->cursor_hdr->read_index;
		hs_rescind_busy_tick(ch);
		if (++npkts >= HS_BATCH_PKTS) {
			w = READ_ONCE(ch->in.hdr->write_index);
			hs_pass_end(ch, start, cursor, w == cursor);
			start = cursor;
			npkts = 0;
			if (++batches >= 16)
				return HS_DRAIN_BUDGET;
		}
	}
}

/**
 * hs_kick() - have @ch's io_work run (again) soon.
 * @ch: an open channel
 *
 * The work runs on the next online CPU after the channel's target CPU
 * (the target itself on a one-CPU guest): a real host serves a channel on
 * its own cores, not on the vCPU that waits for the channel's interrupt,
 * so the simulated host keeps off that vCPU where it can. The work stays
 * non-reentrant (workqueue rule), so it still never runs twice at once.
 * Context: any but hard IRQ.
 */
void hs_kick(struct hs_chan *ch)
{
	unsigned int cpu = cpumask_next(READ_ONCE(ch->target_cpu),
					cpu_online_mask);

	if (cpu >= nr_cpu_ids)
		cpu = cpumask_first(cpu_online_mask);
	queue_work_on(cpu, hs.io_wq, &ch->io_work);
}

/**
 * hs_io_work_fn() - service an open channel: drain, reply, unmask and
 * look again (C.3). Runs on hs.io_wq; never concurrently with itself.
 * @work: the channel's io_work
 */
void hs_io_work_fn(struct work_struct *work)
{
	struct hs_chan *ch = container_of(work, struct hs_chan, io_work);
	unsigned int rounds = 0;
	int ret;

	if (!READ_ONCE(ch->io_enabled) || ch->broken)
		return;
	if (ch->pend_set) {
		hv_ring_set_pending_send(&ch->out, 0);
		ch->pend_set = 0;
	}
	for (;;) {
		ret = hs_drain(ch);
		WRITE_ONCE(ch->masked, 0);
		/* the flag clears before the guest can see interrupt_mask 0 */
		smp_wmb();
		if (ret == HS_DRAIN_BROKEN) {
			hv_ring_unmask_interrupts(&ch->in);
			return;
		}
		if (!hv_ring_unmask_interrupts(&ch->in) ||
		    ret == HS_DRAIN_BLOCKED) {
			/* idle: the slack is bounded while no I/O runs too */
			hs_sig_writeoff(ch);
			return;
		}
		if (ret == HS_DRAIN_BUDGET || ++rounds >= 16) {
			/* let other channels run; come back */
			hs_kick(ch);
			return;
		}
	}
}

/**
 * hs_io_open() - reset the per-open I/O state of a channel whose rings
 * are attached. Called under hs.lock before io_enabled is set.
 * @ch: the channel
 */
void hs_io_open(struct hs_chan *ch)
{
	ch->broken = 0;
	ch->pend_set = 0;
	ch->sig_owed = 0;
	ch->masked = 0;
	ch->rescind_countdown = 0;
	memset(ch->cursor_hdr, 0, sizeof(*ch->cursor_hdr));
	ch->cursor.hdr = ch->cursor_hdr;
	ch->cursor.data = ch->in.data;
	ch->cursor.size = ch->in.size;
	ch->cursor.mirrored = ch->in.mirrored;
	atomic_set(&ch->sig_seen, 0);
	/* the ring starts empty at read_index 0: the first write may signal */
	atomic_set(&ch->allow_empty, 1);
	atomic_set(&ch->allow_pend, 0);
	atomic_set(&ch->allow_at_mask, 0);
	if (ch->vs)
		hs_vstor_open(ch);
}

/**
 * hs_io_stop() - no more I/O on a channel: no new kicks, the running one
 * done. Process context, hs.lock held.
 * @ch: the channel
 *
 * The signal bits still pending for the channel go in the same critical
 * section as io_enabled: the guest set them before it closed (a monitor
 * trigger waits up to poll_us for the poller), so a poller that ran
 * between the two would count them as signals to a closed channel.
 */
void hs_io_stop(struct hs_chan *ch)
{
	unsigned long flags;

	spin_lock_irqsave(&hs.chan_lock, flags);
	ch->io_enabled = 0;
	hs_clear_stale_signals_locked(ch);
	spin_unlock_irqrestore(&hs.chan_lock, flags);
	cancel_work_sync(&ch->io_work);
}
