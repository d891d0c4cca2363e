// SPDX-License-Identifier: GPL-2.0
/*
 * hs_vstor.c - the VSTOR back end of the simulated storage controllers
 * (fact sheet E; device types scsi, ide, fc): the initialisation sequence
 * at the host's VSTOR version (module parameter vstor=), sub-channels
 * (B.6), EXECUTE_SRB over in-band and GPA-direct multipage packets (the
 * SCSI target is hs_scsi.c), RESET_LUN/RESET_BUS, unsolicited
 * ENUMERATE_BUS on hot add/remove, the storage faults, and the checks of
 * every rule of E a guest can break.
 *
 * Single writer: only a channel's io_work writes its outbound ring.
 * Packets born elsewhere (ENUMERATE_BUS from debugfs, completions the
 * delay_completion fault holds back, completions of dropped requests at a
 * reset, of requests of a removed LUN) are queued on the channel's pend
 * list and io_work writes them at the start of its next pass, with the
 * same space check as any reply.
 *
 * Choices where a real host's behaviour is not in the fact sheet:
 * - sub-channels live as long as the connection (a rebound guest driver
 *   finds them offered again); CREATE_SUB_CHANNELS(n) offers what is
 *   missing up to n in total.
 * - a removed LUN: the requests of it the host still holds (delayed or
 *   dropped) complete with SRB_STATUS_ABORTED (the guest retries them),
 *   later requests get SRB_STATUS_INVALID_LUN (the guest removes it).
 * - a reset completes the dropped requests in its scope with
 *   SRB_STATUS_ABORTED before it answers.
 */
#include <linux/mm.h>
#include <linux/seq_file.h>
#include "hs_vstor.h"

static const u16 hs_vstor_known[] = {
	VSTOR_VERSION_WIN2008, VSTOR_VERSION_WIN7, VSTOR_VERSION_WIN8,
	VSTOR_VERSION_WIN8_1, VSTOR_VERSION_WIN10,
};

static int hs_vstor_version_ok(u16 v)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hs_vstor_known); i++)
		if (hs_vstor_known[i] == v)
			return 1;
	return 0;
}

/**
 * hs_vstor_version_parse() - "6.2" -> 0x0602, only versions of E.
 * @s: text
 * @v: out, the version
 *
 * Return: 0 or -EINVAL.
 */
int hs_vstor_version_parse(const char *s, u16 *v)
{
	unsigned int maj, min;
	char end;

	if (sscanf(s, "%u.%u%c", &maj, &min, &end) != 2 || maj > 0xff ||
	    min > 0xff)
		return -EINVAL;
	*v = (u16)((maj << 8) | min);
	return hs_vstor_version_ok(*v) ? 0 : -EINVAL;
}

/**
 * hs_vstor_ide_address() - where the n-th IDE channel's disk sits: two
 * controllers (paths) of two devices (targets), as Hyper-V has.
 * @index: IDE channels before this one
 * @path: out, path id
 * @target: out, target id
 */
void hs_vstor_ide_address(unsigned int index, u8 *path, u8 *target)
{
	*path = (u8)(index / 2);
	*target = (u8)(index % 2);
}

/* ---- controller state ---------------------------------------------------------- */

static struct hs_lun *hs_lun_find(struct hs_vstor *vs, u8 target, u8 lun)
{
	struct hs_lun *l;

	list_for_each_entry(l, &vs->luns, node)
		if (l->target == target && l->lun == lun)
			return l;
	return NULL;
}

static int hs_target_exists(struct hs_vstor *vs, u8 target)
{
	struct hs_lun *l;

	list_for_each_entry(l, &vs->luns, node)
		if (l->target == target)
			return 1;
	return 0;
}

/* Link @l in (target, lun) order. luns_sem held for writing. */
static void hs_lun_link(struct hs_vstor *vs, struct hs_lun *l)
{
	struct hs_lun *p;

	list_for_each_entry(p, &vs->luns, node) {
		if (p->target > l->target ||
		    (p->target == l->target && p->lun > l->lun)) {
			list_add_tail(&l->node, &p->node);
			return;
		}
	}
	list_add_tail(&l->node, &vs->luns);
}

/* Port and node WWN: NAA 5, OUI 00-15-5D, 0 / 1, the inventory number. */
static void hs_make_wwn(u8 *w, u32 seq, u8 node)
{
	w[0] = 0x50;
	w[1] = 0x01;
	w[2] = 0x55;
	w[3] = 0xd0 | node;
	w[4] = (u8)(seq >> 24);
	w[5] = (u8)(seq >> 16);
	w[6] = (u8)(seq >> 8);
	w[7] = (u8)seq;
}

/**
 * hs_vstor_create() - controller state of a new storage primary channel,
 * with its first LUN: SCSI and FC 0:0, IDE its target, LUN 0, of
 * disk_mb MiB.
 * @ch: the channel (type scsi, ide or fc)
 *
 * Context: hs.lock held or module init. Return: 0 or -ENOMEM.
 */
int hs_vstor_create(struct hs_chan *ch)
{
	struct hs_vstor *vs = kzalloc(sizeof(*vs), GFP_KERNEL);
	struct hs_lun *l;
	u8 target = 0;

	if (!vs)
		return -ENOMEM;
	vs->primary = ch;
	if (!strcmp(ch->type->name, "ide")) {
		vs->kind = HS_VS_IDE;
		target = ch->ide_target;
	} else if (!strcmp(ch->type->name, "fc")) {
		vs->kind = HS_VS_FC;
	} else {
		vs->kind = HS_VS_SCSI;
	}
	init_rwsem(&vs->luns_sem);
	INIT_LIST_HEAD(&vs->luns);
	spin_lock_init(&vs->held_lock);
	INIT_LIST_HEAD(&vs->held);
	hs_make_wwn(vs->port_wwn, ch->seq, 0);
	hs_make_wwn(vs->node_wwn, ch->seq, 1);
	l = hs_lun_new(vs, ch->relid, target, 0, hs.disk_mb);
	if (!l) {
		kfree(vs);
		return -ENOMEM;
	}
	hs_lun_link(vs, l);
	ch->vs = vs;
	return 0;
}

/**
 * hs_vstor_destroy() - free a controller, its LUNs and their data.
 * @ch: the primary; it and its sub-channels are closed
 */
void hs_vstor_destroy(struct hs_chan *ch)
{
	struct hs_vstor *vs = ch->vs;
	struct hs_lun *l, *lt;
	struct hs_vpend *p, *pt;

	if (!vs)
		return;
	list_for_each_entry_safe(l, lt, &vs->luns, node) {
		list_del(&l->node);
		hs_lun_free(l);
	}
	list_for_each_entry_safe(p, pt, &vs->held, node) {
		list_del(&p->node);
		kfree(p);
	}
	kfree(vs);
	ch->vs = NULL;
}

/* ---- packets for io_work --------------------------------------------------------- */

static void hs_timer_fn(struct work_struct *w);
static void hs_drop_pending(struct hs_chan *ch);

/**
 * hs_vstor_chan_init() - the pending-packet machinery of a new channel
 * (any type; used only by storage channels), and a storage channel's
 * response buffer.
 * @ch: the channel; ch->type set
 *
 * Return: 0 or -ENOMEM.
 */
int hs_vstor_chan_init(struct hs_chan *ch)
{
	spin_lock_init(&ch->pend_lock);
	INIT_LIST_HEAD(&ch->pend);
	INIT_LIST_HEAD(&ch->timed);
	INIT_DELAYED_WORK(&ch->timer, hs_timer_fn);
	if (ch->type->be != HS_BE_VSTOR)
		return 0;
	ch->vbuf = kmalloc(HS_VBUF, GFP_KERNEL);
	return ch->vbuf ? 0 : -ENOMEM;
}

/**
 * hs_vstor_chan_free() - a channel leaves the inventory: its pending
 * packets and buffer go.
 * @ch: the channel, closed
 */
void hs_vstor_chan_free(struct hs_chan *ch)
{
	cancel_delayed_work_sync(&ch->timer);
	hs_drop_pending(ch);
	kfree(ch->vbuf);
	ch->vbuf = NULL;
}

/* Queue @p for @ch's io_work and kick it. Any context but hard IRQ. */
static void hs_pend_add(struct hs_chan *ch, struct hs_vpend *p)
{
	unsigned long flags;

	p->ch = ch;
	spin_lock_irqsave(&ch->pend_lock, flags);
	list_add_tail(&p->node, &ch->pend);
	spin_unlock_irqrestore(&ch->pend_lock, flags);
	hs_kick(ch);
}

/* Delayed completions that are due go to pend; re-arm for the rest. */
static void hs_timer_fn(struct work_struct *w)
{
	struct hs_chan *ch = container_of(to_delayed_work(w), struct hs_chan,
					  timer);
	struct hs_vpend *p, *pt;
	unsigned long flags, next = 0;
	int moved = 0, more = 0;

	spin_lock_irqsave(&ch->pend_lock, flags);
	list_for_each_entry_safe(p, pt, &ch->timed, node) {
		if (time_after_eq(jiffies, p->due)) {
			list_move_tail(&p->node, &ch->pend);
			moved = 1;
		} else if (!more || time_before(p->due, next)) {
			next = p->due;
			more = 1;
		}
	}
	spin_unlock_irqrestore(&ch->pend_lock, flags);
	if (moved)
		hs_kick(ch);
	if (more)
		queue_delayed_work(hs.io_wq, &ch->timer,
				   time_after(next, jiffies) ? next - jiffies : 1);
}

/**
 * hs_vstor_flush() - write the packets queued for this channel (its
 * io_work, at the start of a pass).
 * @ch: the channel
 *
 * Return: 0 all written, 1 the ring is full (pending_send_sz is set: end
 * the pass and wait for the guest's signal).
 */
int hs_vstor_flush(struct hs_chan *ch)
{
	struct hs_vpend *p;
	unsigned long flags;
	u32 need;

	for (;;) {
		if (list_empty_careful(&ch->pend))
			return 0;
		spin_lock_irqsave(&ch->pend_lock, flags);
		p = list_first_entry_or_null(&ch->pend, struct hs_vpend, node);
		spin_unlock_irqrestore(&ch->pend_lock, flags);
		if (!p)
			return 0;
		need = HV_PKT_TOTAL(sizeof(struct vmbus_pkt_desc) + p->len);
		if (hv_ring_bytes_free(&ch->out) <= need &&
		    hs_io_wait_space(ch, need))
			return 1;
		spin_lock_irqsave(&ch->pend_lock, flags);
		list_del(&p->node);
		spin_unlock_irqrestore(&ch->pend_lock, flags);
		if (p->trans_id) {
			hs_io_write(ch, VMBUS_PKT_COMP, p->trans_id, &p->pkt,
				    p->len, NULL, 0);
		} else {
			hs_io_write(ch, VMBUS_PKT_DATA_INBAND, 0, &p->pkt,
				    p->len, NULL, 0);
			hs_count(HS_C_vstor_unsolicited);
		}
		kfree(p);
	}
}

/* Payload bytes of the answers of @vs's session (E). */
static u32 hs_pkt_len(const struct hs_vstor *vs)
{
	u16 v = READ_ONCE(vs->version);

	return v ? hv_vstor_pkt_size(v) : VSTOR_PKT_SIZE_OLD;
}

/**
 * hs_vstor_reply_len() - payload bytes a storage request's answer may
 * need (the largest vstor_packet): space is checked before a request is
 * taken.
 */
u32 hs_vstor_reply_len(void)
{
	return VSTOR_PKT_SIZE;
}

/* Unsolicited ENUMERATE_BUS on the primary (E): the guest rescans. */
static void hs_enumerate_bus(struct hs_vstor *vs)
{
	struct hs_chan *ch = vs->primary;
	struct hs_vpend *p;

	if (vs->kind == HS_VS_IDE || !ch->open || !READ_ONCE(vs->ended))
		return;
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return;
	p->len = hs_pkt_len(vs);
	p->pkt.operation = VSTOR_OP_ENUMERATE_BUS;
	hs_pend_add(ch, p);
}

/* Rewrite a held completion as "aborted, nothing transferred". */
static void hs_vpend_abort(struct hs_vpend *p)
{
	p->pkt.u.srb.srb_status = SRB_STATUS_ABORTED;
	p->pkt.u.srb.scsi_status = 0;
	p->pkt.u.srb.data_transfer_length = 0;
	hs_count(HS_C_vstor_errors);
}

/*
 * Complete the held requests of @vs (those of LUN @target:@lun, or all
 * when @all) as aborted, each on its own channel. Under held_lock, so a
 * channel's close (which purges its held requests under that lock) cannot
 * slip in between taking a request and queueing it.
 */
static unsigned int hs_release_held(struct hs_vstor *vs, int all, u8 target,
				    u8 lun)
{
	struct hs_vpend *p, *pt;
	unsigned long flags;
	unsigned int n = 0;

	spin_lock_irqsave(&vs->held_lock, flags);
	list_for_each_entry_safe(p, pt, &vs->held, node) {
		if (!all && (p->target != target || p->lun != lun))
			continue;
		list_del(&p->node);
		hs_vpend_abort(p);
		hs_pend_add(p->ch, p);
		n++;
	}
	spin_unlock_irqrestore(&vs->held_lock, flags);
	return n;
}

/* Free what @ch still had to write (closed, or opened anew). */
static void hs_drop_pending(struct hs_chan *ch)
{
	struct hs_vpend *p, *pt;
	unsigned long flags;
	LIST_HEAD(dead);

	spin_lock_irqsave(&ch->pend_lock, flags);
	list_splice_init(&ch->pend, &dead);
	list_splice_init(&ch->timed, &dead);
	spin_unlock_irqrestore(&ch->pend_lock, flags);
	list_for_each_entry_safe(p, pt, &dead, node) {
		list_del(&p->node);
		kfree(p);
	}
}

/**
 * hs_vstor_open() - a storage channel opened: a primary starts a new
 * session (BEGIN_INITIALIZATION comes next).
 * @ch: the channel; hs.lock held, io not yet enabled
 */
void hs_vstor_open(struct hs_chan *ch)
{
	struct hs_vstor *vs = ch->vs;

	hs_drop_pending(ch);
	if (ch->primary)
		return;
	WRITE_ONCE(vs->begun, 0);
	WRITE_ONCE(vs->ended, 0);
	WRITE_ONCE(vs->version, 0);
}

/**
 * hs_vstor_close() - a storage channel closed (its io_work is stopped):
 * forget what it was still to write and the requests held for it.
 * @ch: the channel; hs.lock held
 */
void hs_vstor_close(struct hs_chan *ch)
{
	struct hs_vstor *vs = ch->vs;
	struct hs_vpend *p, *pt;
	unsigned long flags;
	LIST_HEAD(dead);

	cancel_delayed_work_sync(&ch->timer);
	spin_lock_irqsave(&vs->held_lock, flags);
	list_for_each_entry_safe(p, pt, &vs->held, node)
		if (p->ch == ch)
			list_move_tail(&p->node, &dead);
	spin_unlock_irqrestore(&vs->held_lock, flags);
	list_for_each_entry_safe(p, pt, &dead, node) {
		list_del(&p->node);
		kfree(p);
	}
	hs_drop_pending(ch);
	if (!ch->primary)
		WRITE_ONCE(vs->subch_want, 0);
}

/* ---- sub-channels (B.6) ----------------------------------------------------------- */

/**
 * hs_vstor_subch_work_fn() - offer the sub-channels CREATE_SUB_CHANNELS
 * asked for (on hs.wq: offers need hs.lock, which io_work may not take).
 * @w: hs.subch_work
 */
void hs_vstor_subch_work_fn(struct work_struct *w)
{
	struct hs_chan *ch, *c, *sc;
	unsigned int have, want;
	u16 next;

	mutex_lock(&hs.lock);
	list_for_each_entry(ch, &hs.chans, node) {
		if (!ch->vs || ch->primary || !ch->open || ch->rescinded)
			continue;
		want = READ_ONCE(ch->vs->subch_want);
		have = 0;
		next = 1;
		list_for_each_entry(c, &hs.chans, node) {
			if (c->primary != ch)
				continue;
			have++;
			if (c->sub_index >= next)
				next = c->sub_index + 1;
		}
		while (have < want && hs.connected && hs.offers_requested) {
			sc = hs_chan_create_sub(ch->type, ch, next);
			if (!sc)
				break;
			if (hs_offer_send(sc)) {
				hs_chan_destroy(sc);
				break;
			}
			hs_count(HS_C_vstor_subchannels);
			have++;
			next++;
		}
	}
	mutex_unlock(&hs.lock);
}

/* ---- the protocol ------------------------------------------------------------------ */

/* Answer @req (the guest's packet, a private copy) as COMPLETE_IO. */
static void hs_reply(struct hs_chan *ch, u64 trans_id, struct vstor_packet *req,
		     u32 status)
{
	req->operation = VSTOR_OP_COMPLETE_IO;
	req->flags = 0;
	req->status = status;
	hs_io_write(ch, VMBUS_PKT_COMP, trans_id, req, hs_pkt_len(ch->vs),
		    NULL, 0);
}

static void hs_bad(struct hs_chan *ch, enum hs_violation v, const char *why,
		   u32 op)
{
	hs_violation(v);
	pr_warn_ratelimited(HS_MOD ": relid %u: VSTOR operation %u: %s\n",
			    ch->relid, op, why);
}

/* The initialisation steps and CREATE_SUB_CHANNELS (E). */
static void hs_control(struct hs_chan *ch, u64 trans_id, struct vstor_packet *vp)
{
	struct hs_vstor *vs = ch->vs;
	u32 op = vp->operation, status = 0;
	u16 v, n;

	if (ch->primary) {
		hs_bad(ch, HS_V_vstor_bad_operation,
		       "initialisation step on a sub-channel", op);
		hs_reply(ch, trans_id, vp, HS_STATUS_FAIL);
		return;
	}
	if (op != VSTOR_OP_BEGIN_INITIALIZATION && !READ_ONCE(vs->begun)) {
		hs_bad(ch, HS_V_vstor_before_init,
		       "before BEGIN_INITIALIZATION", op);
		hs_reply(ch, trans_id, vp, HS_STATUS_FAIL);
		return;
	}
	switch (op) {
	case VSTOR_OP_BEGIN_INITIALIZATION:
		WRITE_ONCE(vs->ended, 0);
		WRITE_ONCE(vs->version, 0);
		WRITE_ONCE(vs->begun, 1);
		break;
	case VSTOR_OP_QUERY_PROTOCOL_VERSION:
		v = vp->u.version.major_minor;
		if (READ_ONCE(vs->ended)) {
			hs_bad(ch, HS_V_vstor_bad_operation,
			       "version change after END_INITIALIZATION", op);
			status = HS_STATUS_FAIL;
		} else if (!hs_vstor_version_ok(v) || v > hs.vstor_version) {
			status = HS_STATUS_REVISION_MISMATCH;
		} else {
			/* answered in the packet size of the request */
			hs_reply(ch, trans_id, vp, 0);
			WRITE_ONCE(vs->version, v);
			return;
		}
		break;
	case VSTOR_OP_QUERY_PROPERTIES:
		if (!READ_ONCE(vs->version)) {
			hs_bad(ch, HS_V_vstor_before_init,
			       "QUERY_PROPERTIES before a version", op);
			status = HS_STATUS_FAIL;
			break;
		}
		memset(&vp->u, 0, sizeof(vp->u));
		if (vs->version >= VSTOR_VERSION_WIN8 && vs->kind != HS_VS_IDE &&
		    hs.vstor_max_channels) {
			vp->u.props.max_channel_cnt = (u16)hs.vstor_max_channels;
			vp->u.props.flags = VSTOR_PROP_MULTICHANNEL;
		}
		vp->u.props.max_transfer_bytes = hs.vstor_max_xfer;
		break;
	case VSTOR_OP_FCHBA_DATA:
		if (vs->kind != HS_VS_FC || !READ_ONCE(vs->version)) {
			hs_bad(ch, HS_V_vstor_bad_operation,
			       "FCHBA_DATA not on a negotiated FC controller", op);
			status = HS_STATUS_FAIL;
			break;
		}
		memset(&vp->u, 0, sizeof(vp->u));
		vp->u.wwn.primary_active = 1;
		memcpy(vp->u.wwn.primary_port_wwn, vs->port_wwn, 8);
		memcpy(vp->u.wwn.primary_node_wwn, vs->node_wwn, 8);
		break;
	case VSTOR_OP_END_INITIALIZATION:
		if (!READ_ONCE(vs->version)) {
			hs_bad(ch, HS_V_vstor_before_init,
			       "END_INITIALIZATION before a version", op);
			status = HS_STATUS_FAIL;
			break;
		}
		WRITE_ONCE(vs->ended, 1);
		break;
	case VSTOR_OP_CREATE_SUB_CHANNELS:
		n = vp->u.sub_channel_count;
		if (!READ_ONCE(vs->ended) || vs->version < VSTOR_VERSION_WIN8 ||
		    vs->kind == HS_VS_IDE || n == 0 ||
		    n > hs.vstor_max_channels) {
			hs_bad(ch, HS_V_vstor_bad_subchannel_request,
			       "CREATE_SUB_CHANNELS before END_INITIALIZATION, below 5.1, on IDE, or a count of 0 or above max_channel_cnt",
			       op);
			status = HS_STATUS_FAIL;
			break;
		}
		if (n > READ_ONCE(vs->subch_want))
			WRITE_ONCE(vs->subch_want, n);
		queue_work(hs.wq, &hs.subch_work);
		break;
	default:
		status = HS_STATUS_FAIL;
		break;
	}
	hs_reply(ch, trans_id, vp, status);
}

/* RESET_LUN (the LUN its SRB fields name), RESET_BUS, RESET_ADAPTER. */
static void hs_reset(struct hs_chan *ch, u64 trans_id, struct vstor_packet *vp)
{
	struct hs_vstor *vs = ch->vs;
	int all = vp->operation != VSTOR_OP_RESET_LUN;
	unsigned int n;

	if (!READ_ONCE(vs->ended)) {
		hs_bad(ch, HS_V_vstor_before_init,
		       "reset before END_INITIALIZATION", vp->operation);
		hs_reply(ch, trans_id, vp, HS_STATUS_FAIL);
		return;
	}
	hs_count(HS_C_vstor_resets);
	if (hs_fault_take(HS_F_FAIL_RESET)) {
		pr_info(HS_MOD ": fault fail_reset: relid %u: %s answered with a failure, nothing released\n",
			ch->relid, all ? "RESET_BUS/ADAPTER" : "RESET_LUN");
		hs_reply(ch, trans_id, vp, HS_STATUS_FAIL);
		return;
	}
	n = hs_release_held(vs, all, vp->u.srb.target_id, vp->u.srb.lun);
	pr_info(HS_MOD ": relid %u: %s%s: %u held request(s) completed as aborted\n",
		ch->relid, all ? "RESET_BUS/ADAPTER" : "RESET_LUN",
		all ? "" : " (addressed by the SRB fields)", n);
	hs_reply(ch, trans_id, vp, 0);
}

/* The LUN an SRB addresses (IDE: only the channel's own disk, E). */
static void hs_srb_address(struct hs_vstor *vs, struct hs_chan *ch,
			   const struct vmscsi_request *srb, struct hs_srb *r)
{
	r->target = srb->target_id;
	r->lunid = srb->lun;
	if (vs->kind == HS_VS_IDE &&
	    (srb->path_id != ch->ide_path || srb->target_id != ch->ide_target ||
	     srb->lun != 0)) {
		r->lun = NULL;
		r->target_exists = 0;
		return;
	}
	r->lun = hs_lun_find(vs, r->target, r->lunid);
	r->target_exists = r->lun || hs_target_exists(vs, r->target);
}

/*
 * Check the data description of an EXECUTE_SRB (E, C.2): in-band without
 * data, GPA-direct with one multipage range of exactly
 * data_transfer_length bytes. Return: 0, or the violation to count.
 */
static int hs_srb_data(struct hs_chan *ch, const struct vmbus_pkt_desc *d,
		       const struct vmscsi_request *srb, struct hs_srb *r,
		       const char **why)
{
	struct hs_gpa *g = ch->gpa;
	u32 i;

	r->range = NULL;
	if (d->type == VMBUS_PKT_DATA_INBAND) {
		if (srb->data_transfer_length) {
			*why = "data_transfer_length without a GPA range";
			return HS_V_vstor_bad_transfer_length;
		}
		return 0;
	}
	if (hs_gpa_parse(ch->desc_buf, d->offset8 * 8, g, why))
		return HS_V_gpa_bad_range;
	if (g->count != 1) {
		/* page-buffer form: say whether the middle rule holds */
		for (i = 0; i < g->count; i++) {
			if ((i > 0 && g->r[i].offset) ||
			    (i + 1 < g->count &&
			     g->r[i].offset + g->r[i].len != HV_HYP_PAGE_SIZE)) {
				*why = "a middle segment is not a whole page";
				return HS_V_vstor_middle_not_whole_page;
			}
		}
		*why = "more than one range (not the multipage form)";
		return HS_V_vstor_not_multipage;
	}
	if (g->r[0].len != srb->data_transfer_length) {
		*why = "data_transfer_length differs from the range's bytes";
		return HS_V_vstor_bad_transfer_length;
	}
	if (srb->data_in == VSTOR_UNKNOWN_TYPE) {
		*why = "data_in says no data, but a range is given";
		return HS_V_vstor_bad_data_in;
	}
	r->range = &g->r[0];
	return 0;
}

/* Is data_in (and from 5.1 srb_flags) consistent with the CDB? */
static int hs_srb_dir_ok(const struct hs_vstor *vs,
			 const struct vmscsi_request *srb)
{
	int dir;

	if (srb->data_in > VSTOR_UNKNOWN_TYPE)
		return 0;
	if (!srb->data_transfer_length)
		return 1;
	dir = hs_scsi_dir(srb->u.cdb);
	if (dir >= 0 && srb->data_in != dir)
		return 0;
	if (vs->version >= VSTOR_VERSION_WIN8) {
		if (srb->data_in == VSTOR_READ_TYPE &&
		    !(srb->srb_flags & SRB_FLAGS_DATA_IN))
			return 0;
		if (srb->data_in == VSTOR_WRITE_TYPE &&
		    !(srb->srb_flags & SRB_FLAGS_DATA_OUT))
			return 0;
	}
	return 1;
}

/* Finish @vp as the completion of SRB @r. */
static void hs_srb_result(struct hs_vstor *vs, struct vstor_packet *vp,
			  const struct hs_srb *r)
{
	struct vmscsi_request *srb = &vp->u.srb;
	u8 smax = hv_vstor_sense_size(vs->version);

	vp->operation = VSTOR_OP_COMPLETE_IO;
	vp->flags = 0;
	vp->status = 0;
	srb->length = hv_vstor_srb_len(vs->version);
	srb->srb_status = r->srb_status;
	srb->scsi_status = r->scsi_status;
	srb->data_transfer_length = r->done;
	if (r->scsi_status && r->sense_len) {
		memset(srb->u.sense, 0, sizeof(srb->u.sense));
		memcpy(srb->u.sense, r->sense, min_t(u32, r->sense_len, smax));
		srb->sense_info_length = min_t(u8, r->sense_len, smax);
		srb->srb_status |= SRB_STATUS_AUTOSENSE_VALID;
	}
	if (SRB_STATUS(srb->srb_status) != SRB_STATUS_SUCCESS || srb->scsi_status)
		hs_count(HS_C_vstor_errors);
}

/* A fault on a READ/WRITE: 0 none; else what happened to the SRB. */
enum { HS_FX_NONE, HS_FX_DONE, HS_FX_DELAY, HS_FX_DROP };

static int hs_srb_fault(struct hs_chan *ch, struct hs_srb *r)
{
	if (!r->lun || !hs_scsi_is_rw(r->cdb))
		return HS_FX_NONE;
	if (hs_fault_take(HS_F_CHECK_CONDITION)) {
		/* UNIT ATTENTION, POWER ON OR RESET OCCURRED: the midlayer retries */
		hs_scsi_sense(r, 0x6, 0x29, 0x00);
		r->done = 0;
		pr_info(HS_MOD ": fault check_condition: relid %u LUN %u:%u opcode 0x%02x -> CHECK CONDITION, UNIT ATTENTION 29/00\n",
			ch->relid, r->target, r->lunid, r->cdb[0]);
		return HS_FX_DONE;
	}
	if (hs_fault_take(HS_F_SRB_ERROR)) {
		r->srb_status = SRB_STATUS_ERROR;
		r->scsi_status = 0;
		r->done = 0;
		pr_info(HS_MOD ": fault srb_error: relid %u LUN %u:%u opcode 0x%02x -> SRB_STATUS_ERROR\n",
			ch->relid, r->target, r->lunid, r->cdb[0]);
		return HS_FX_DONE;
	}
	if (hs_fault_take(HS_F_DELAY_COMPLETION)) {
		pr_info(HS_MOD ": fault delay_completion: relid %u LUN %u:%u opcode 0x%02x completes in %u ms\n",
			ch->relid, r->target, r->lunid, r->cdb[0], HS_DELAY_MS);
		return HS_FX_DELAY;
	}
	if (hs_fault_take(HS_F_DROP_COMPLETION)) {
		pr_info(HS_MOD ": fault drop_completion: relid %u LUN %u:%u opcode 0x%02x never completes (until a reset)\n",
			ch->relid, r->target, r->lunid, r->cdb[0]);
		return HS_FX_DROP;
	}
	return HS_FX_NONE;
}

/* Keep a completion for later: on ch->timed (@delay) or vs->held. */
static void hs_srb_defer(struct hs_chan *ch, u64 trans_id,
			 const struct vstor_packet *vp, const struct hs_srb *r,
			 int delay)
{
	struct hs_vstor *vs = ch->vs;
	struct hs_vpend *p = kzalloc(sizeof(*p), GFP_KERNEL);
	unsigned long flags;

	if (!p) {
		/* no memory to hold it: complete it now */
		hs_io_write(ch, VMBUS_PKT_COMP, trans_id, vp, hs_pkt_len(vs),
			    NULL, 0);
		return;
	}
	p->ch = ch;
	p->trans_id = trans_id;
	p->target = r->target;
	p->lun = r->lunid;
	p->len = hs_pkt_len(vs);
	p->pkt = *vp;
	if (delay) {
		p->due = jiffies + msecs_to_jiffies(HS_DELAY_MS);
		spin_lock_irqsave(&ch->pend_lock, flags);
		list_add_tail(&p->node, &ch->timed);
		spin_unlock_irqrestore(&ch->pend_lock, flags);
		queue_delayed_work(hs.io_wq, &ch->timer,
				   msecs_to_jiffies(HS_DELAY_MS));
	} else {
		spin_lock_irqsave(&vs->held_lock, flags);
		list_add_tail(&p->node, &vs->held);
		spin_unlock_irqrestore(&vs->held_lock, flags);
	}
}

static void hs_execute_srb(struct hs_chan *ch, const struct vmbus_pkt_desc *d,
			   struct vstor_packet *vp, int want)
{
	struct hs_vstor *vs = ch->vs;
	struct vmscsi_request *srb = &vp->u.srb;
	struct hs_srb r;
	const char *why = NULL;
	int v, fx;

	hs_count(HS_C_vstor_ios);
	memset(&r, 0, sizeof(r));
	r.vs = vs;
	r.buf = ch->vbuf;
	if (!READ_ONCE(vs->ended)) {
		hs_bad(ch, HS_V_vstor_before_init,
		       "EXECUTE_SRB before END_INITIALIZATION", vp->operation);
		r.srb_status = SRB_STATUS_ERROR;
		goto reply;
	}
	if (srb->length != hv_vstor_srb_len(vs->version)) {
		hs_bad(ch, HS_V_vstor_bad_srb_length,
		       "vmscsi_request length wrong for the version",
		       vp->operation);
		r.srb_status = SRB_STATUS_ERROR;
		goto reply;
	}
	if (srb->sense_info_length != hv_vstor_sense_size(vs->version)) {
		hs_bad(ch, HS_V_vstor_bad_sense_length,
		       "sense_info_length wrong for the version", vp->operation);
		r.srb_status = SRB_STATUS_ERROR;
		goto reply;
	}
	if (srb->cdb_length == 0 || srb->cdb_length > VSTOR_CDB_SIZE) {
		hs_bad(ch, HS_V_vstor_bad_cdb_length, "cdb_length not 1..16",
		       vp->operation);
		r.srb_status = SRB_STATUS_ERROR;
		goto reply;
	}
	v = hs_srb_data(ch, d, srb, &r, &why);
	if (v) {
		hs_bad(ch, v, why, vp->operation);
		r.srb_status = SRB_STATUS_ERROR;
		goto reply;
	}
	if (!hs_srb_dir_ok(vs, srb)) {
		hs_bad(ch, HS_V_vstor_bad_data_in,
		       "data_in or srb_flags contradict the CDB", vp->operation);
		r.srb_status = SRB_STATUS_ERROR;
		goto reply;
	}
	r.cdb = srb->u.cdb;
	r.cdb_len = srb->cdb_length;
	r.data_in = srb->data_in;
	r.xfer_len = srb->data_transfer_length;

	down_read(&vs->luns_sem);
	hs_srb_address(vs, ch, srb, &r);
	fx = hs_srb_fault(ch, &r);
	if (fx == HS_FX_NONE || fx == HS_FX_DELAY)
		hs_scsi_exec(&r);
	up_read(&vs->luns_sem);
	if (!want)
		return;
	hs_srb_result(vs, vp, &r);
	if (fx == HS_FX_DELAY || fx == HS_FX_DROP) {
		hs_srb_defer(ch, d->trans_id, vp, &r, fx == HS_FX_DELAY);
		return;
	}
	hs_io_write(ch, VMBUS_PKT_COMP, d->trans_id, vp, hs_pkt_len(vs),
		    NULL, 0);
	return;
reply:
	if (want) {
		hs_srb_result(vs, vp, &r);
		hs_io_write(ch, VMBUS_PKT_COMP, d->trans_id, vp,
			    hs_pkt_len(vs), NULL, 0);
	}
}

/**
 * hs_vstor_handle() - one packet from the guest on a storage channel
 * (primary or sub-channel), validated by the ring code (descriptor in
 * ch->desc_buf).
 * @ch: the channel (its io_work)
 * @pkt: the packet in the ring
 * @d: private copy of its descriptor
 *
 * Checks the packet size for the session's version (E: 48 bytes before
 * 5.1, 64 from 5.1; 48 until a version is agreed), REQUEST_COMPLETION in
 * both the VMBus and the VSTOR flags, the operation and the point of the
 * sequence it comes at; then runs it. Answers are completions with
 * operation COMPLETE_IO; what the guest got wrong counts a violation and
 * gets an error answer, never a crash.
 */
void hs_vstor_handle(struct hs_chan *ch, const struct hv_ring_pkt *pkt,
		     const struct vmbus_pkt_desc *d)
{
	struct hs_vstor *vs = ch->vs;
	struct vstor_packet vp;
	u32 dlen = d->offset8 * 8, plen = pkt->len - dlen;
	u32 expect = hs_pkt_len(vs);
	int want = d->flags & VMBUS_PKT_FLAG_COMPLETION_REQUESTED;

	memset(&vp, 0, sizeof(vp));
	/* read once: the guest can rewrite the ring under us */
	memcpy(&vp, pkt->bytes + dlen, min_t(u32, plen, sizeof(vp)));
	if (d->type != VMBUS_PKT_DATA_INBAND &&
	    d->type != VMBUS_PKT_DATA_GPA_DIRECT) {
		hs_violation(HS_V_bad_packet_type);
		if (want)
			hs_reply(ch, d->trans_id, &vp, HS_STATUS_FAIL);
		return;
	}
	if (plen != expect) {
		hs_bad(ch, HS_V_vstor_bad_packet_size,
		       "packet size wrong for the VSTOR version", vp.operation);
		if (want)
			hs_reply(ch, d->trans_id, &vp, HS_STATUS_FAIL);
		return;
	}
	if (!want || !(vp.flags & VSTOR_FLAG_REQUEST_COMPLETION))
		hs_bad(ch, HS_V_vstor_no_completion_requested,
		       "REQUEST_COMPLETION / COMPLETION_REQUESTED missing",
		       vp.operation);
	if (d->type == VMBUS_PKT_DATA_GPA_DIRECT &&
	    vp.operation != VSTOR_OP_EXECUTE_SRB) {
		hs_violation(HS_V_bad_packet_type);
		if (want)
			hs_reply(ch, d->trans_id, &vp, HS_STATUS_FAIL);
		return;
	}
	switch (vp.operation) {
	case VSTOR_OP_EXECUTE_SRB:
		hs_execute_srb(ch, d, &vp, want);
		return;
	case VSTOR_OP_BEGIN_INITIALIZATION:
	case VSTOR_OP_QUERY_PROTOCOL_VERSION:
	case VSTOR_OP_QUERY_PROPERTIES:
	case VSTOR_OP_FCHBA_DATA:
	case VSTOR_OP_END_INITIALIZATION:
	case VSTOR_OP_CREATE_SUB_CHANNELS:
		if (want)
			hs_control(ch, d->trans_id, &vp);
		return;
	case VSTOR_OP_RESET_LUN:
	case VSTOR_OP_RESET_ADAPTER:
	case VSTOR_OP_RESET_BUS:
		if (want)
			hs_reset(ch, d->trans_id, &vp);
		return;
	default:
		hs_bad(ch, HS_V_vstor_bad_operation,
		       "not an operation a guest sends", vp.operation);
		if (want)
			hs_reply(ch, d->trans_id, &vp, HS_STATUS_FAIL);
		return;
	}
}

/* ---- debugfs: luns ------------------------------------------------------------------ */

/**
 * hs_luns_show() - the "luns" file: a header, then one line per LUN.
 * @s: the seq_file
 * @unused: -
 *
 * Return: 0.
 */
int hs_luns_show(struct seq_file *s, void *unused)
{
	struct hs_chan *ch;
	struct hs_lun *l;

	seq_puts(s, "relid target lun size_mb reads writes unmaps write_same bytes_read bytes_written allocated_kb\n");
	mutex_lock(&hs.lock);
	list_for_each_entry(ch, &hs.chans, node) {
		if (!ch->vs || ch->primary)
			continue;
		down_read(&ch->vs->luns_sem);
		list_for_each_entry(l, &ch->vs->luns, node)
			seq_printf(s, "%u %u %u %u %lld %lld %lld %lld %lld %lld %lu\n",
				   ch->relid, l->target, l->lun, l->size_mb,
				   (long long)atomic64_read(&l->reads),
				   (long long)atomic64_read(&l->writes),
				   (long long)atomic64_read(&l->unmaps),
				   (long long)atomic64_read(&l->write_same),
				   (long long)atomic64_read(&l->bytes_read),
				   (long long)atomic64_read(&l->bytes_written),
				   READ_ONCE(l->nchunks) * (HS_CHUNK / 1024));
		up_read(&ch->vs->luns_sem);
	}
	mutex_unlock(&hs.lock);
	return 0;
}

/* Requests of a removed LUN still held on the channels: abort them. */
static unsigned int hs_abort_lun_io(struct hs_vstor *vs, u8 target, u8 lun)
{
	struct hs_chan *ch;
	struct hs_vpend *p, *pt;
	unsigned long flags;
	unsigned int n;
	int moved;

	n = hs_release_held(vs, 0, target, lun);
	list_for_each_entry(ch, &hs.chans, node) {
		if (ch->vs != vs)
			continue;
		moved = 0;
		spin_lock_irqsave(&ch->pend_lock, flags);
		list_for_each_entry_safe(p, pt, &ch->timed, node) {
			if (p->target == target && p->lun == lun) {
				hs_vpend_abort(p);
				list_move_tail(&p->node, &ch->pend);
				moved = 1;
				n++;
			}
		}
		spin_unlock_irqrestore(&ch->pend_lock, flags);
		if (moved)
			hs_kick(ch);
	}
	return n;
}

/**
 * hs_luns_cmd() - a line written to the "luns" file:
 * "add RELID TARGET LUN SIZE_MB" or "remove RELID TARGET LUN". Both tell
 * the guest with an unsolicited ENUMERATE_BUS (SCSI and FC controllers).
 * @buf: the line (modified)
 *
 * Context: process. Return: 0 or -errno.
 */
int hs_luns_cmd(char *buf)
{
	unsigned int relid, target, lun, size = 0, n;
	struct hs_chan *ch;
	struct hs_vstor *vs;
	struct hs_lun *l;
	char cmd[8];
	int add, ret = 0;

	n = sscanf(buf, "%7s %u %u %u %u", cmd, &relid, &target, &lun, &size);
	add = !strcmp(cmd, "add");
	if ((add && n != 5) || (!add && (strcmp(cmd, "remove") || n != 4)))
		return -EINVAL;
	if (lun > 254 || target > 127 || (add && (size < 1 || size > (1U << 20))))
		return -EINVAL;
	mutex_lock(&hs.lock);
	ch = hs_chan_by_relid(relid);
	vs = ch ? ch->vs : NULL;
	if (!vs || ch->primary || vs->kind == HS_VS_IDE) {
		ret = -ENODEV;
		goto out;
	}
	if (vs->kind == HS_VS_SCSI && target > 1) {
		ret = -EINVAL;		/* E: 2 targets */
		goto out;
	}
	if (add) {
		l = hs_lun_new(vs, relid, (u8)target, (u8)lun, size);
		if (!l) {
			ret = -ENOMEM;
			goto out;
		}
		down_write(&vs->luns_sem);
		if (hs_lun_find(vs, (u8)target, (u8)lun)) {
			up_write(&vs->luns_sem);
			hs_lun_free(l);
			ret = -EEXIST;
			goto out;
		}
		hs_lun_link(vs, l);
		up_write(&vs->luns_sem);
		pr_info(HS_MOD ": relid %u: LUN %u:%u added (%u MiB)\n", relid,
			target, lun, size);
	} else {
		down_write(&vs->luns_sem);
		l = hs_lun_find(vs, (u8)target, (u8)lun);
		if (l)
			list_del(&l->node);
		up_write(&vs->luns_sem);
		if (!l) {
			ret = -ENOENT;
			goto out;
		}
		n = hs_abort_lun_io(vs, (u8)target, (u8)lun);
		hs_lun_free(l);
		pr_info(HS_MOD ": relid %u: LUN %u:%u removed, %u request(s) in flight aborted\n",
			relid, target, lun, n);
	}
	hs_enumerate_bus(vs);
out:
	mutex_unlock(&hs.lock);
	return ret;
}
