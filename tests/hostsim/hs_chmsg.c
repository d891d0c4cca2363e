// SPDX-License-Identifier: GPL-2.0
/*
 * hs_chmsg.c - the host's channel-message protocol (fact sheet B):
 * version negotiation, offers, GPADL assembly and mapping, open/close,
 * rescind, RELID_RELEASED, UNLOAD, MODIFYCHANNEL. Every message is checked
 * before use; every rule a guest breaks counts a violation. Runs on the
 * ordered host work queue with hs.lock held, one message at a time.
 */
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <linux/delay.h>
#include "hostsim.h"

/* ---- connection state ----------------------------------------------------- */

/*
 * Publish the connection for the lockless readers in the platform ops
 * (post_message reads connected/version/msg_conn_id; signal paths read the
 * pages under chan_lock or synic_lock).
 */
static void hs_set_connection(u32 version, u32 msg_conn_id, unsigned int cpu,
			      u32 *int_page, struct vmbus_monitor_page *mon1,
			      struct vmbus_monitor_page *mon2)
{
	unsigned long f1, f2;

	spin_lock_irqsave(&hs.chan_lock, f1);
	spin_lock_irqsave(&hs.synic_lock, f2);
	WRITE_ONCE(hs.version, version);
	WRITE_ONCE(hs.msg_conn_id, msg_conn_id);
	hs.msg_cpu = cpu;
	hs.int_page = int_page;
	hs.mon1 = mon1;
	hs.mon2 = mon2;
	/* pairs with smp_load_acquire() in hs_post_message(): the fields first */
	smp_store_release(&hs.connected, version ? 1 : 0);
	spin_unlock_irqrestore(&hs.synic_lock, f2);
	spin_unlock_irqrestore(&hs.chan_lock, f1);
}

/* ---- GPADLs --------------------------------------------------------------- */

static struct hs_gpadl *hs_gpadl_find(u32 handle)
{
	struct hs_gpadl *g;

	list_for_each_entry(g, &hs.gpadls, node)
		if (g->handle == handle)
			return g;
	return NULL;
}

static void hs_gpadl_unmap(struct hs_gpadl *g)
{
	if (g->va)
		vunmap(g->va);
	g->va = NULL;
}

static void hs_gpadl_free(struct hs_gpadl *g)
{
	list_del(&g->node);
	hs_gpadl_unmap(g);
	kvfree(g->pfns);
	kvfree(g->pages);
	kfree(g);
}

/*
 * The host keeps @g's pages without telling the guest: unmap it, keep
 * its PFNs on hs.held. Context: hs.lock held.
 */
static void hs_gpadl_hold(struct hs_gpadl *g)
{
	hs_gpadl_unmap(g);
	list_move_tail(&g->node, &hs.held);
}

/**
 * hs_held_check() - the pages of GPADLs the host never gave back, and
 * how many of them the guest has freed anyway (page count 0: back in the
 * page allocator). Each freed page is a protocol violation: a real host
 * may still write it. Context: process; takes hs.lock.
 * @npages: out, pages held; @nfreed: out, of which free now
 */
void hs_held_check(u32 *npages, u32 *nfreed)
{
	struct hs_gpadl *g;
	u32 i, n = 0, f = 0;

	mutex_lock(&hs.lock);
	list_for_each_entry(g, &hs.held, node) {
		for (i = 0; i < g->nrecv && i < g->npfn; i++) {
			n++;
			if (!page_count(pfn_to_page((unsigned long)g->pfns[i]))) {
				f++;
				hs_violation(HS_V_freed_host_owned_page);
			}
		}
	}
	mutex_unlock(&hs.lock);
	*npages = n;
	*nfreed = f;
}

/** hs_held_forget() - drop the held list (unload). Context: hs.lock held. */
void hs_held_forget(void)
{
	struct hs_gpadl *g, *tmp;

	list_for_each_entry_safe(g, tmp, &hs.held, node)
		hs_gpadl_free(g);
}

static void hs_send_gpadl_created(u32 relid, u32 handle, u32 status)
{
	struct vmbus_chmsg_gpadl_created r;

	memset(&r, 0, sizeof(r));
	r.hdr.msgtype = CHMSG_GPADL_CREATED;
	r.child_relid = relid;
	r.gpadl = handle;
	r.creation_status = status;
	hs_send_msg(&r, sizeof(r));
}

/* All PFNs are in: check them, map them, answer (B.3). */
static void hs_gpadl_complete(struct hs_gpadl *g)
{
	u32 i;

	g->complete = 1;
	if (g->failed)
		goto refuse;
	for (i = 0; i < g->npfn; i++) {
		if (!hs_pfn_ok(g->pfns[i])) {
			hs_violation(HS_V_gpadl_bad_pfn);
			goto refuse;
		}
	}
	if (hs_fault_take(HS_F_NO_ANSWER)) {
		pr_info(HS_MOD ": fault no_answer: GPADL %u of relid %u ignored (pages kept)\n",
			g->handle, g->relid);
		hs_gpadl_hold(g);
		return;
	}
	if (hs_fault_take(HS_F_FAIL_GPADL)) {
		pr_info(HS_MOD ": fault fail_gpadl: refusing GPADL %u of relid %u\n",
			g->handle, g->relid);
		goto refuse;
	}
	g->pages = kvcalloc(g->npfn, sizeof(struct page *), GFP_KERNEL);
	if (!g->pages)
		goto refuse;
	for (i = 0; i < g->npfn; i++)
		g->pages[i] = pfn_to_page((unsigned long)g->pfns[i]);
	g->va = vmap(g->pages, g->npfn, VM_MAP, PAGE_KERNEL);
	if (!g->va)
		goto refuse;
	hs_count(HS_C_gpadls_created);
	hs_send_gpadl_created(g->relid, g->handle, 0);
	return;
refuse:
	hs_send_gpadl_created(g->relid, g->handle, HS_STATUS_FAIL);
	hs_gpadl_free(g);
}

static void hs_gpadl_header(const u8 *msg, u32 size)
{
	const struct vmbus_chmsg_gpadl_header *h = (const void *)msg;
	struct hs_gpadl *g;
	u32 n, total;

	n = (size - VMBUS_GPADL_HEADER_FIXED) / 8;
	if (!h->gpadl || hs_gpadl_find(h->gpadl)) {
		hs_violation(HS_V_gpadl_bad_handle);
		/* a live handle must not be disturbed: answer nothing */
		if (!h->gpadl)
			hs_send_gpadl_created(h->child_relid, 0, HS_STATUS_FAIL);
		return;
	}
	if (!hs_chan_by_relid(h->child_relid))
		hs_violation(HS_V_unknown_relid);
	if (h->range_buflen < 16 || (h->range_buflen - 8) % 8) {
		hs_violation(HS_V_gpadl_bad_range_buflen);
		hs_send_gpadl_created(h->child_relid, h->gpadl, HS_STATUS_FAIL);
		return;
	}
	total = (u32)(h->range_buflen - 8) / 8;

	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (g)
		g->pfns = kvcalloc(total, sizeof(u64), GFP_KERNEL);
	if (!g || !g->pfns) {
		kfree(g);
		hs_send_gpadl_created(h->child_relid, h->gpadl, HS_STATUS_FAIL);
		return;
	}
	g->handle = h->gpadl;
	g->relid = h->child_relid;
	g->npfn = total;
	g->next_msgnum = 1;
	list_add_tail(&g->node, &hs.gpadls);
	if (!hs_chan_by_relid(h->child_relid))
		g->failed = 1;
	if (h->rangecount != 1) {
		hs_violation(HS_V_gpadl_bad_rangecount);
		g->failed = 1;
	}
	if (h->byte_offset != 0 || h->byte_count != total * HV_HYP_PAGE_SIZE) {
		hs_violation(HS_V_gpadl_bad_byte_count);
		g->failed = 1;
	}
	if (n > VMBUS_GPADL_HEADER_MAX_PFNS || n > total) {
		hs_violation(HS_V_gpadl_header_too_many_pfns);
		g->failed = 1;
		if (n > total)
			n = total;
	}
	memcpy(g->pfns, h->pfn, n * sizeof(u64));
	g->nrecv = n;
	if (g->nrecv == g->npfn)
		hs_gpadl_complete(g);
}

static void hs_gpadl_body(const u8 *msg, u32 size)
{
	const struct vmbus_chmsg_gpadl_body *b = (const void *)msg;
	struct hs_gpadl *g;
	u32 n;

	n = (size - VMBUS_GPADL_BODY_FIXED) / 8;
	g = hs_gpadl_find(b->gpadl);
	if (!g || g->complete) {
		hs_violation(HS_V_gpadl_body_unknown);
		return;
	}
	if (b->msgnumber != g->next_msgnum) {
		hs_violation(HS_V_gpadl_bad_msgnumber);
		g->failed = 1;
	}
	g->next_msgnum++;
	if (n > VMBUS_GPADL_BODY_MAX_PFNS || n > g->npfn - g->nrecv) {
		hs_violation(HS_V_gpadl_body_too_many_pfns);
		g->failed = 1;
		if (n > g->npfn - g->nrecv)
			n = g->npfn - g->nrecv;
	}
	memcpy(g->pfns + g->nrecv, b->pfn, n * sizeof(u64));
	g->nrecv += n;
	if (g->nrecv == g->npfn)
		hs_gpadl_complete(g);
}

static void hs_gpadl_teardown(const u8 *msg)
{
	const struct vmbus_chmsg_gpadl_teardown *t = (const void *)msg;
	struct vmbus_chmsg_gpadl_torndown r;
	struct hs_gpadl *g;
	struct hs_chan *ch;

	g = hs_gpadl_find(t->gpadl);
	if (!g || !g->complete) {
		hs_violation(HS_V_gpadl_teardown_unknown);
	} else {
		if (g->relid != t->child_relid)
			hs_violation(HS_V_gpadl_teardown_wrong_relid);
		if (g->ring_users) {
			/* the guest frees the pages next: stop using them */
			hs_violation(HS_V_gpadl_teardown_in_use);
			list_for_each_entry(ch, &hs.chans, node)
				if (ch->ring_gpadl == g)
					hs_chan_close(ch);
		}
	}
	hs_count(HS_C_gpadls_torndown);
	if (hs_fault_take(HS_F_NO_ANSWER)) {
		pr_info(HS_MOD ": fault no_answer: GPADL_TEARDOWN %u ignored (pages kept)\n",
			t->gpadl);
		if (g)
			hs_gpadl_hold(g);
		return;
	}
	if (g)
		hs_gpadl_free(g);
	memset(&r, 0, sizeof(r));
	r.hdr.msgtype = CHMSG_GPADL_TORNDOWN;
	r.gpadl = t->gpadl;
	hs_send_msg(&r, sizeof(r));
}

/* Unmap (rescind) or free (release, unload) the GPADLs of a relid. */
static void hs_gpadls_drop(u32 relid, int free_them)
{
	struct hs_gpadl *g, *tmp;

	list_for_each_entry_safe(g, tmp, &hs.gpadls, node) {
		if (g->relid != relid)
			continue;
		if (free_them) {
			hs_gpadl_free(g);
		} else {
			hs_gpadl_unmap(g);
			g->revoked = 1;
		}
	}
}

/* ---- channels: open / close ------------------------------------------------ */

/**
 * hs_chan_close() - the host side of CLOSECHANNEL: stop the I/O, unmap the
 * rings.
 * @ch: the channel; nothing happens unless it is open
 *
 * Context: process, hs.lock held.
 */
void hs_chan_close(struct hs_chan *ch)
{
	if (!ch->open)
		return;
	hs_io_stop(ch);	/* also drops signals the poller has not seen */
	if (ch->vs)
		hs_vstor_close(ch);
	if (ch->monitored)
		atomic_dec(&hs.nmon_open);
	if (ch->in_va)
		vunmap(ch->in_va);
	if (ch->out_va)
		vunmap(ch->out_va);
	ch->in_va = ch->out_va = NULL;
	if (ch->ring_gpadl)
		ch->ring_gpadl->ring_users--;
	ch->ring_gpadl = NULL;
	ch->open = 0;
	hs_count(HS_C_channels_closed);
}

static void hs_send_open_result(u32 relid, u32 openid, u32 status)
{
	struct vmbus_chmsg_open_result r;

	memset(&r, 0, sizeof(r));
	r.hdr.msgtype = CHMSG_OPENCHANNEL_RESULT;
	r.child_relid = relid;
	r.openid = openid;
	r.status = status;
	hs_send_msg(&r, sizeof(r));
}

static unsigned int hs_vp_to_cpu(u32 vp, int *ok)
{
	*ok = vp < hs.ncpus && cpu_online(vp) && hs.pages[vp].simp;
	return *ok ? vp : 0;
}

static void hs_open(const u8 *msg)
{
	const struct vmbus_chmsg_open *o = (const void *)msg;
	struct hs_chan *ch;
	struct hs_gpadl *g;
	u32 off, n;
	unsigned long flags;
	int ok;

	ch = hs_chan_by_relid(o->child_relid);
	if (!ch) {
		hs_violation(HS_V_unknown_relid);
		hs_send_open_result(o->child_relid, o->openid, HS_STATUS_FAIL);
		return;
	}
	if (!ch->offered) {
		hs_violation(HS_V_unknown_relid);
		hs_send_open_result(o->child_relid, o->openid, HS_STATUS_FAIL);
		return;
	}
	if (ch->malformed)
		hs_violation(HS_V_accepted_malformed_offer);
	if (ch->rescinded) {
		/* a race with our rescind, not a guest error */
		hs_send_open_result(o->child_relid, o->openid, HS_STATUS_FAIL);
		return;
	}
	if (ch->open) {
		hs_violation(HS_V_open_twice);
		hs_send_open_result(o->child_relid, o->openid, HS_STATUS_FAIL);
		return;
	}
	if (hs.version < VMBUS_VERSION_WIN8 && o->target_vp)
		hs_violation(HS_V_target_vp_before_2_4);
	g = hs_gpadl_find(o->ring_gpadl);
	if (!g || !g->complete || g->revoked || g->relid != ch->relid || !g->va) {
		hs_violation(HS_V_open_unknown_gpadl);
		hs_send_open_result(o->child_relid, o->openid, HS_STATUS_FAIL);
		return;
	}
	off = o->downstream_ring_offset;
	n = g->npfn;
	if (off < 2 || off > n || n - off < 2) {
		hs_violation(HS_V_bad_ring_offset);
		hs_send_open_result(o->child_relid, o->openid, HS_STATUS_FAIL);
		return;
	}
	if (hs_fault_take(HS_F_NO_ANSWER)) {
		pr_info(HS_MOD ": fault no_answer: OPENCHANNEL of relid %u ignored\n",
			ch->relid);
		return;
	}
	if (hs_fault_take(HS_F_FAIL_OPEN)) {
		pr_info(HS_MOD ": fault fail_open: refusing to open relid %u\n",
			ch->relid);
		hs_send_open_result(o->child_relid, o->openid, HS_STATUS_FAIL);
		return;
	}
	ch->target_cpu = 0;
	if (hs.version >= VMBUS_VERSION_WIN8) {
		ch->target_cpu = hs_vp_to_cpu(o->target_vp, &ok);
		if (!ok)
			hs_violation(HS_V_bad_target_vp);
	}
	/* the guest's send ring is our inbound ring (B.4, C.1) */
	ch->in_va = hv_ring_map_mirrored(g->pages, off);
	ch->out_va = hv_ring_map_mirrored(g->pages + off, n - off);
	if (!ch->in_va || !ch->out_va ||
	    hv_ring_attach(&ch->in, ch->in_va, (u8 *)ch->in_va + HV_HYP_PAGE_SIZE,
			   (off - 1) * HV_HYP_PAGE_SIZE, 1) ||
	    hv_ring_attach(&ch->out, ch->out_va,
			   (u8 *)ch->out_va + HV_HYP_PAGE_SIZE,
			   (n - off - 1) * HV_HYP_PAGE_SIZE, 1)) {
		if (ch->in_va)
			vunmap(ch->in_va);
		if (ch->out_va)
			vunmap(ch->out_va);
		ch->in_va = ch->out_va = NULL;
		hs_send_open_result(o->child_relid, o->openid, HS_STATUS_FAIL);
		return;
	}
	ch->ring_gpadl = g;
	g->ring_users++;
	ch->openid = o->openid;
	ch->open = 1;
	hs_io_open(ch);
	hs_clear_stale_signals(ch);
	spin_lock_irqsave(&hs.chan_lock, flags);
	ch->io_enabled = 1;
	spin_unlock_irqrestore(&hs.chan_lock, flags);
	if (ch->monitored) {
		atomic_inc(&hs.nmon_open);
		wake_up(&hs.poll_wq);
	}
	hs_count(HS_C_channels_opened);
	hs_send_open_result(ch->relid, o->openid, 0);
	hs_kick(ch);
}

static void hs_close(const u8 *msg)
{
	const struct vmbus_chmsg_relid *c = (const void *)msg;
	struct hs_chan *ch = hs_chan_by_relid(c->child_relid);

	if (!ch) {
		hs_violation(HS_V_unknown_relid);
		return;
	}
	if (ch->rescinded)
		return;		/* closed by our rescind already */
	if (!ch->open) {
		hs_violation(HS_V_close_not_open);
		return;
	}
	hs_chan_close(ch);
}

/* ---- offers, rescind, release ---------------------------------------------- */

/**
 * hs_offer_send() - send OFFERCHANNEL (B.3): 190 bytes on 0.13 hosts, 196
 * with is_dedicated_interrupt and connection_id from 1.1.
 * @ch: the device to offer
 *
 * Context: hs.lock held. Return: 0 or -errno.
 */
int hs_offer_send(struct hs_chan *ch)
{
	struct vmbus_chmsg_offer o;
	int ret;

	memset(&o, 0, sizeof(o));
	o.hdr.msgtype = CHMSG_OFFERCHANNEL;
	if (hv_guid_parse(ch->type->guid, &o.if_type))
		return -EINVAL;
	o.if_instance = ch->instance;
	o.chn_flags = VMBUS_CHAN_GPADLS;
	if (!strcmp(ch->type->name, "ide")) {
		/* offer user data: reserved u16, path_id u8, target_id u8 (E) */
		o.user_def[2] = ch->ide_path;
		o.user_def[3] = ch->ide_target;
	}
	o.sub_channel_index = ch->sub_index;
	o.child_relid = ch->relid;
	if (ch->monitored) {
		o.monitorid = ch->monitorid;
		o.monitor_allocated = 1;
		o.chn_flags |= VMBUS_CHAN_REQUEST_MONITORED;
	}
	if (ch->malformed) {
		o.monitorid = 200;	/* >= 128: invalid */
		o.monitor_allocated = 1;
	}
	if (hs.version >= VMBUS_VERSION_WIN7) {
		o.is_dedicated_interrupt = 0;
		o.connection_id = ch->conn_id;
	}
	ret = hs_send_msg(&o, hs.version >= VMBUS_VERSION_WIN7 ?
			  VMBUS_OFFER_SIZE : VMBUS_OFFER_SIZE_V0_13);
	if (!ret) {
		ch->offered = 1;
		hs_count(HS_C_offers_sent);
	}
	return ret;
}

/**
 * hs_rescind() - host-initiated removal of a device (B.4): stop serving
 * it, revoke its GPADLs (the guest frees that memory without tearing them
 * down), send RESCIND_CHANNELOFFER and wait for RELID_RELEASED. A channel
 * never offered just disappears. A primary's sub-channels are rescinded
 * first.
 * @ch: the channel
 *
 * Context: hs.lock held. Return: 0 or -EALREADY.
 */
int hs_rescind(struct hs_chan *ch)
{
	struct vmbus_chmsg_relid r;
	struct hs_chan *c, *tmp;
	unsigned int gap;

	if (ch->rescinded)
		return -EALREADY;
	/* a primary's sub-channels go with it, before it (B.6) */
	if (!ch->primary)
		list_for_each_entry_safe(c, tmp, &hs.chans, node)
			if (c->primary == ch && !c->rescinded)
				hs_rescind(c);
	if (!ch->offered || !hs.connected) {
		hs_chan_destroy(ch);
		return 0;
	}
	/*
	 * Rescinded before the I/O stops: from here on the guest's signals
	 * are ones it sent before it heard of the rescind, not violations
	 * (hs_guest_signal_locked() reads the flag under chan_lock, which
	 * hs_io_stop() takes after this store).
	 */
	WRITE_ONCE(ch->rescinded, 1);
	hs_chan_close(ch);
	hs_gpadls_drop(ch->relid, 0);
	gap = min(READ_ONCE(hs_rescind_gap_ms), 1000U);
	if (gap)
		msleep(gap);
	memset(&r, 0, sizeof(r));
	r.hdr.msgtype = CHMSG_RESCIND_CHANNELOFFER;
	r.child_relid = ch->relid;
	hs_send_msg(&r, sizeof(r));
	hs_count(HS_C_rescinds);
	return 0;
}

static void hs_relid_released(const u8 *msg)
{
	const struct vmbus_chmsg_relid *m = (const void *)msg;
	struct hs_chan *ch = hs_chan_by_relid(m->child_relid);

	if (!ch) {
		hs_violation(HS_V_unknown_relid);
		return;
	}
	if (!ch->rescinded)
		hs_violation(HS_V_relid_released_not_rescinded);
	if (ch->open) {
		hs_violation(HS_V_relid_released_while_open);
		hs_chan_close(ch);
	}
	hs_gpadls_drop(ch->relid, 1);
	hs_chan_destroy(ch);
}

/**
 * hs_rescind_work_fn() - the rescind_busy fault, off the I/O path.
 * @w: hs.rescind_work
 */
void hs_rescind_work_fn(struct work_struct *w)
{
	struct hs_chan *ch;

	mutex_lock(&hs.lock);
	ch = hs_chan_by_relid(READ_ONCE(hs.rescind_relid));
	if (ch && !ch->rescinded) {
		pr_info(HS_MOD ": fault rescind_busy: rescinding relid %u mid-transfer\n",
			ch->relid);
		hs_rescind(ch);
	}
	mutex_unlock(&hs.lock);
}

/**
 * hs_forget_all() - UNLOAD (or a new contact): close every channel, free
 * every GPADL; devices the guest still holds go back to "not offered".
 * hs.lock held.
 */
void hs_forget_all(void)
{
	struct hs_chan *ch, *tmp;
	struct hs_gpadl *g, *gt;

	/* sub-channels live for one connection: a new one asks again */
	list_for_each_entry_safe(ch, tmp, &hs.chans, node)
		if (ch->primary)
			hs_chan_destroy(ch);
	list_for_each_entry_safe(ch, tmp, &hs.chans, node) {
		hs_chan_close(ch);
		if (ch->rescinded || ch->malformed) {
			hs_chan_destroy(ch);
			continue;
		}
		ch->offered = 0;
	}
	list_for_each_entry_safe(g, gt, &hs.gpadls, node)
		hs_gpadl_free(g);
	hs.offers_requested = 0;
	hs_set_connection(0, 0, hs.msg_cpu, NULL, NULL, NULL);
}

/* ---- negotiation (B.1) ------------------------------------------------------ */

static void hs_contact(const u8 *msg)
{
	const struct vmbus_chmsg_initiate_contact *c = (const void *)msg;
	struct vmbus_chmsg_version_response r;
	u32 v = c->version, *ip = NULL;
	struct vmbus_monitor_page *m1, *m2;
	unsigned int cpu = 0;
	int ok;
	char vs[16];

	if (hs.connected) {
		hs_violation(HS_V_contact_while_connected);
		hs_forget_all();
	}
	memset(&r, 0, sizeof(r));
	r.hdr.msgtype = CHMSG_VERSION_RESPONSE;
	if (!hs_version_known(v) || v > hs.host_version) {
		r.version_supported = 0;
		hs_send_msg(&r, sizeof(r));
		return;
	}
	r.version_supported = 1;
	r.connection_state = VMBUS_CONN_STATE_OK;
	if (v < VMBUS_VERSION_WIN8_1) {
		if (c->target_vcpu)
			hs_violation(HS_V_target_vcpu_before_3_0);
	} else {
		cpu = hs_vp_to_cpu(c->target_vcpu, &ok);
		if (!ok)
			hs_violation(HS_V_bad_target_vcpu);
	}
	if (v >= VMBUS_VERSION_WIN10_V5) {
		if (c->u.s.sint != VMBUS_MESSAGE_SINT || c->u.s.vtl != 0) {
			hs_violation(HS_V_bad_sint);
			r.connection_state = VMBUS_CONN_STATE_FAILURE;
		}
	} else {
		ip = hs_gpa_to_va(c->u.interrupt_page);
		if (!ip) {
			hs_violation(HS_V_bad_contact_pages);
			r.connection_state = VMBUS_CONN_STATE_FAILURE;
		}
	}
	m1 = hs_gpa_to_va(c->monitor_page1);
	m2 = hs_gpa_to_va(c->monitor_page2);
	if (!m1 || !m2 || m1 == m2) {
		hs_violation(HS_V_bad_contact_pages);
		r.connection_state = VMBUS_CONN_STATE_FAILURE;
	}
	if (hs_fault_take(HS_F_NO_ANSWER)) {
		pr_info(HS_MOD ": fault no_answer: INITIATE_CONTACT ignored\n");
		return;
	}
	if (r.connection_state == VMBUS_CONN_STATE_OK) {
		hs_set_connection(v, v >= VMBUS_VERSION_WIN10_V5 ?
				  HS_MSG_CONN_ID : VMBUS_MESSAGE_CONNECTION_ID,
				  cpu, ip, m1, m2);
		if (v >= VMBUS_VERSION_WIN10_V5)
			r.msg_conn_id = HS_MSG_CONN_ID;
		pr_info(HS_MOD ": guest connected at VMBus %s (message CPU %u)\n",
			hs_version_str(v, vs, sizeof(vs)), cpu);
	}
	hs_send_msg(&r, sizeof(r));
}

static void hs_request_offers(void)
{
	struct vmbus_chmsg_hdr h;
	struct hs_chan *ch;

	if (hs.offers_requested) {
		hs_violation(HS_V_requestoffers_twice);
		return;
	}
	hs.offers_requested = 1;
	list_for_each_entry(ch, &hs.chans, node)
		if (!ch->offered && !ch->malformed)
			hs_offer_send(ch);
	memset(&h, 0, sizeof(h));
	h.msgtype = CHMSG_ALLOFFERS_DELIVERED;
	hs_send_msg(&h, sizeof(h));
}

static void hs_unload(void)
{
	struct vmbus_chmsg_hdr h;

	if (hs.version < VMBUS_VERSION_WIN8_1) {
		hs_violation(HS_V_unload_before_3_0);
		return;
	}
	hs_forget_all();
	if (hs_fault_take(HS_F_NO_ANSWER)) {
		pr_info(HS_MOD ": fault no_answer: UNLOAD ignored\n");
		return;
	}
	memset(&h, 0, sizeof(h));
	h.msgtype = CHMSG_UNLOAD_RESPONSE;
	hs_send_msg(&h, sizeof(h));
	pr_info(HS_MOD ": UNLOAD answered: every channel and GPADL forgotten\n");
}

static void hs_modify(const u8 *msg)
{
	const struct vmbus_chmsg_modifychannel *m = (const void *)msg;
	struct hs_chan *ch;
	struct {
		struct vmbus_chmsg_hdr hdr;
		u32 child_relid;
		u32 status;
	} r;
	int ok;

	if (hs.version < VMBUS_VERSION_WIN10_RS3) {
		hs_violation(HS_V_modifychannel_before_4_1);
		return;
	}
	ch = hs_chan_by_relid(m->child_relid);
	if (!ch) {
		hs_violation(HS_V_unknown_relid);
		return;
	}
	ch->target_cpu = hs_vp_to_cpu(m->target_vp, &ok);
	if (!ok)
		hs_violation(HS_V_bad_target_vp);
	if (hs.version >= VMBUS_VERSION_WIN10_V5_3) {
		memset(&r, 0, sizeof(r));
		r.hdr.msgtype = CHMSG_MODIFYCHANNEL_RESPONSE;
		r.child_relid = m->child_relid;
		r.status = ok ? 0 : HS_STATUS_FAIL;
		hs_send_msg(&r, sizeof(r));
	}
}

/* ---- dispatch ----------------------------------------------------------------- */

/* Is @size right for guest->host message @type? (B.2, B.3) */
static int hs_size_ok(u32 type, u32 size)
{
	switch (type) {
	case CHMSG_REQUESTOFFERS:
	case CHMSG_UNLOAD:
		return size == sizeof(struct vmbus_chmsg_hdr);
	case CHMSG_OPENCHANNEL:
		return size == sizeof(struct vmbus_chmsg_open);
	case CHMSG_CLOSECHANNEL:
	case CHMSG_RELID_RELEASED:
		return size == sizeof(struct vmbus_chmsg_relid);
	case CHMSG_GPADL_HEADER:
		return size >= VMBUS_GPADL_HEADER_FIXED + 8 &&
			!((size - VMBUS_GPADL_HEADER_FIXED) % 8);
	case CHMSG_GPADL_BODY:
		return size >= VMBUS_GPADL_BODY_FIXED + 8 &&
			!((size - VMBUS_GPADL_BODY_FIXED) % 8);
	case CHMSG_GPADL_TEARDOWN:
		return size == sizeof(struct vmbus_chmsg_gpadl_teardown);
	case CHMSG_INITIATE_CONTACT:
		return size == sizeof(struct vmbus_chmsg_initiate_contact);
	case CHMSG_MODIFYCHANNEL:
		return size == sizeof(struct vmbus_chmsg_modifychannel);
	default:
		return 1;
	}
}

static void hs_handle_msg(const struct hs_gmsg *m)
{
	u8 buf[HV_MESSAGE_PAYLOAD_MAX];
	const struct vmbus_chmsg_hdr *h = (const void *)buf;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, m->payload, m->size);
	if (!hs_size_ok(h->msgtype, m->size)) {
		hs_violation(HS_V_bad_message_size);
		pr_warn(HS_MOD ": guest message type %u has bad size %u\n",
			h->msgtype, m->size);
		return;
	}
	if (h->msgtype != CHMSG_INITIATE_CONTACT && !hs.connected) {
		hs_violation(HS_V_message_before_negotiation);
		return;
	}
	switch (h->msgtype) {
	case CHMSG_INITIATE_CONTACT:
		hs_contact(buf);
		break;
	case CHMSG_REQUESTOFFERS:
		hs_request_offers();
		break;
	case CHMSG_OPENCHANNEL:
		hs_open(buf);
		break;
	case CHMSG_CLOSECHANNEL:
		hs_close(buf);
		break;
	case CHMSG_GPADL_HEADER:
		hs_gpadl_header(buf, m->size);
		break;
	case CHMSG_GPADL_BODY:
		hs_gpadl_body(buf, m->size);
		break;
	case CHMSG_GPADL_TEARDOWN:
		hs_gpadl_teardown(buf);
		break;
	case CHMSG_RELID_RELEASED:
		hs_relid_released(buf);
		break;
	case CHMSG_UNLOAD:
		hs_unload();
		break;
	case CHMSG_MODIFYCHANNEL:
		hs_modify(buf);
		break;
	default:
		hs_violation(HS_V_unknown_message_type);
		pr_warn(HS_MOD ": guest sent message type %u, which a guest does not send\n",
			h->msgtype);
		break;
	}
}

/**
 * hs_msg_work_fn() - the host worker: take the guest's messages in the
 * order they were posted and handle each under hs.lock.
 * @w: hs.msg_work
 */
void hs_msg_work_fn(struct work_struct *w)
{
	struct hs_gmsg *m;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&hs.gmsg_lock, flags);
		m = list_first_entry_or_null(&hs.gmsgs, struct hs_gmsg, node);
		if (m)
			list_del(&m->node);
		spin_unlock_irqrestore(&hs.gmsg_lock, flags);
		if (!m)
			break;
		mutex_lock(&hs.lock);
		hs_handle_msg(m);
		mutex_unlock(&hs.lock);
		kfree(m);
	}
}
