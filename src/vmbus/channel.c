// SPDX-License-Identifier: GPL-2.0
/*
 * channel.c - channel I/O: GPADLs (fact sheet B.3), open/close (B.4),
 * sending in-band and GPA-direct packets and receiving (C.2), with the
 * signalling rules of C.3 and B.5.
 */
#include <linux/vmalloc.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include "vmbus_priv.h"

#define HV_RING_MIN_BYTES	(2 * PAGE_SIZE)
#define HV_RING_MAX_BYTES	(16U << 20)

/* ---- GPADL ------------------------------------------------------------ */

static u32 vmbus_next_gpadl(void)
{
	u32 h;

	do {
		h = (u32)atomic_inc_return(&vmbus_conn.next_gpadl);
	} while (h == 0);
	return h;
}

static int vmbus_gpadl_create_pfns(struct hv_channel *c, const u64 *pfns,
				   u32 npfn, u32 *gpadl_out)
{
	struct vmbus_waiter w;
	const struct vmbus_chmsg_gpadl_created *r;
	u8 *buf;
	u32 i, n, size, gpadl;
	int ret = 0;

	if (c->rescinded || vmbus_conn.state != VMBUS_CONNECTED)
		return -ENODEV;
	n = hv_gpadl_nmsgs(npfn);
	if (!n)
		return -EINVAL;
	buf = kmalloc(HV_MESSAGE_PAYLOAD_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	gpadl = vmbus_next_gpadl();
	vmbus_waiter_init(&w, CHMSG_GPADL_CREATED, c->relid, gpadl);
	vmbus_waiter_add(&w);
	/* header and bodies back to back, then wait (B.3) */
	for (i = 0; i < n; i++) {
		size = hv_gpadl_build_msg(i, buf, c->relid, gpadl, pfns, npfn);
		if (!size) {
			ret = -EINVAL;
			break;
		}
		ret = vmbus_post_msg(buf, size, 1);
		if (ret)
			break;
	}
	kfree(buf);
	if (ret) {
		vmbus_waiter_del(&w);
		return ret;
	}
	ret = vmbus_waiter_wait(&w, VMBUS_REQUEST_TIMEOUT_MS);
	if (ret) {
		pr_err(VMBUS_MOD ": relid %u: GPADL %u not created (%d)\n",
		       c->relid, gpadl, ret);
		return ret;
	}
	r = (const void *)w.resp;
	if (r->creation_status) {
		pr_err(VMBUS_MOD ": relid %u: host refused GPADL %u (status 0x%x)\n",
		       c->relid, gpadl, r->creation_status);
		return -EIO;
	}
	*gpadl_out = gpadl;
	return 0;
}

static int vmbus_is_vmalloc(const void *p)
{
	unsigned long a = (unsigned long)p;

	return a >= VMALLOC_START && a < VMALLOC_END;
}

/**
 * hv_gpadl_create() - see hv_vmbus.h. PFNs are 4 KiB Hyper-V frames
 * (PAGE_SIZE is 4 KiB on x86).
 */
int hv_gpadl_create(struct hv_channel *c, void *kbuf, u32 size, u32 *gpadl)
{
	u64 *pfns;
	u32 i, npfn;
	int ret;

	if (!c || !kbuf || !size || ((unsigned long)kbuf & (PAGE_SIZE - 1)) ||
	    (size & (PAGE_SIZE - 1)))
		return -EINVAL;
	npfn = size >> HV_HYP_PAGE_SHIFT;
	pfns = vmalloc(sizeof(u64) * npfn);
	if (!pfns)
		return -ENOMEM;
	for (i = 0; i < npfn; i++) {
		u8 *va = (u8 *)kbuf + ((unsigned long)i << HV_HYP_PAGE_SHIFT);

		pfns[i] = vmbus_is_vmalloc(va) ? vmalloc_to_pfn(va) :
			(virt_to_phys(va) >> HV_HYP_PAGE_SHIFT);
	}
	ret = vmbus_gpadl_create_pfns(c, pfns, npfn, gpadl);
	vfree(pfns);
	return ret;
}
EXPORT_SYMBOL_GPL(hv_gpadl_create);

/** hv_gpadl_teardown() - see hv_vmbus.h. */
int hv_gpadl_teardown(struct hv_channel *c, u32 gpadl)
{
	struct vmbus_chmsg_gpadl_teardown msg;
	struct vmbus_waiter w;
	int ret;

	if (c->rescinded || vmbus_conn.state == VMBUS_DISCONNECTED)
		return -ENODEV;
	memset(&msg, 0, sizeof(msg));
	msg.hdr.msgtype = CHMSG_GPADL_TEARDOWN;
	msg.child_relid = c->relid;
	msg.gpadl = gpadl;
	vmbus_waiter_init(&w, CHMSG_GPADL_TORNDOWN, c->relid, gpadl);
	vmbus_waiter_add(&w);
	ret = vmbus_post_msg(&msg, sizeof(msg), 1);
	if (ret) {
		vmbus_waiter_del(&w);
		return ret;
	}
	ret = vmbus_waiter_wait(&w, VMBUS_REQUEST_TIMEOUT_MS);
	if (ret)
		pr_err(VMBUS_MOD ": relid %u: GPADL %u teardown: %d\n",
		       c->relid, gpadl, ret);
	return ret;
}
EXPORT_SYMBOL_GPL(hv_gpadl_teardown);

/* ---- rings ------------------------------------------------------------ */

static void vmbus_ring_free(struct hv_channel *c)
{
	u32 i;

	if (c->send_va)
		vunmap(c->send_va);
	if (c->recv_va)
		vunmap(c->recv_va);
	c->send_va = c->recv_va = NULL;
	if (c->pages) {
		for (i = 0; i < c->npages; i++)
			if (c->pages[i])
				__free_page(c->pages[i]);
		vfree(c->pages);
	}
	c->pages = NULL;
	c->npages = 0;
}

/**
 * hv_vmbus_withhold() - see hv_vmbus.h.
 */
void hv_vmbus_withhold(struct hv_channel *c, unsigned long npages,
		       const char *what)
{
	atomic_long_add(npages, &vmbus_conn.withheld_pages);
	atomic_long_inc(&vmbus_conn.withheld_sets);
	if (c)
		pr_warn(VMBUS_MOD ": relid %u: the host did not give back %lu page(s) (%s); set aside, never reused\n",
			c->relid, npages, what);
	else
		pr_warn(VMBUS_MOD ": the host did not give back %lu page(s) (%s); set aside, never reused\n",
			npages, what);
}
EXPORT_SYMBOL_GPL(hv_vmbus_withhold);

/*
 * The host may still own the ring pages (a close, open or GPADL teardown
 * it never answered): drop our mappings, keep the pages allocated for
 * good and count them.
 */
static void vmbus_ring_withhold(struct hv_channel *c)
{
	u32 i, n = 0;

	if (c->send_va)
		vunmap(c->send_va);
	if (c->recv_va)
		vunmap(c->recv_va);
	c->send_va = c->recv_va = NULL;
	if (c->pages) {
		for (i = 0; i < c->npages; i++)
			if (c->pages[i])
				n++;
		vfree(c->pages);	/* our list of them, not the pages */
	}
	c->pages = NULL;
	c->npages = 0;
	if (n)
		hv_vmbus_withhold(c, n, "ring");
}

/*
 * Map one ring: header page, then its data pages twice, so packets that
 * wrap are contiguous in our virtual memory (struct hv_ring.mirrored).
 */
/**
 * hv_ring_map_mirrored() - see hv_vmbus.h.
 */
void *hv_ring_map_mirrored(struct page **pages, u32 npages)
{
	struct page **map;
	u32 i, ndata = npages - 1;
	void *va;

	map = vmalloc(sizeof(struct page *) * (1 + 2 * ndata));
	if (!map)
		return NULL;
	map[0] = pages[0];
	for (i = 0; i < ndata; i++) {
		map[1 + i] = pages[1 + i];
		map[1 + ndata + i] = pages[1 + i];
	}
	va = vmap(map, 1 + 2 * ndata, VM_MAP, PAGE_KERNEL);
	vfree(map);
	return va;
}
EXPORT_SYMBOL_GPL(hv_ring_map_mirrored);

static int vmbus_ring_alloc(struct hv_channel *c, u32 send_bytes,
			    u32 recv_bytes)
{
	u32 i;

	c->send_npages = send_bytes >> PAGE_SHIFT;
	c->npages = c->send_npages + (recv_bytes >> PAGE_SHIFT);
	c->pages = vmalloc(sizeof(struct page *) * c->npages);
	if (!c->pages)
		return -ENOMEM;
	memset(c->pages, 0, sizeof(struct page *) * c->npages);
	for (i = 0; i < c->npages; i++) {
		c->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!c->pages[i])
			goto nomem;
	}
	c->send_va = hv_ring_map_mirrored(c->pages, c->send_npages);
	c->recv_va = hv_ring_map_mirrored(c->pages + c->send_npages,
				    c->npages - c->send_npages);
	if (!c->send_va || !c->recv_va)
		goto nomem;
	hv_ring_init(&c->out, c->send_va, (u8 *)c->send_va + PAGE_SIZE,
		     send_bytes - PAGE_SIZE, 1);
	hv_ring_init(&c->in, c->recv_va, (u8 *)c->recv_va + PAGE_SIZE,
		     recv_bytes - PAGE_SIZE, 1);
	return 0;
nomem:
	vmbus_ring_free(c);
	return -ENOMEM;
}

static int vmbus_ring_size_ok(u32 bytes)
{
	return bytes >= HV_RING_MIN_BYTES && bytes <= HV_RING_MAX_BYTES &&
		!(bytes & (PAGE_SIZE - 1));
}

/* ---- open / close ----------------------------------------------------- */

/** hv_channel_open() - see hv_vmbus.h (B.4). */
int hv_channel_open(struct hv_channel *c, u32 send_bytes, u32 recv_bytes,
		    const void *userdata, u32 udlen, hv_channel_cb_t cb,
		    void *ctx)
{
	struct vmbus_chmsg_open msg;
	const struct vmbus_chmsg_open_result *r;
	struct vmbus_waiter w;
	u64 *pfns = NULL;
	u32 i;
	int ret, host_owned = 0;

	if (!c || !cb || !vmbus_ring_size_ok(send_bytes) ||
	    !vmbus_ring_size_ok(recv_bytes) ||
	    udlen > VMBUS_OPEN_USER_DATA_SIZE || (udlen && !userdata))
		return -EINVAL;
	mutex_lock(&c->lock);
	ret = -EBUSY;
	if (c->state != HV_CHAN_OFFERED)
		goto out_unlock;
	ret = -ENODEV;
	if (c->rescinded || vmbus_conn.state != VMBUS_CONNECTED)
		goto out_unlock;
	c->state = HV_CHAN_OPENING;
	c->broken = 0;
	c->batch_open = 0;
	c->batch_signal = 0;
	ret = vmbus_ring_alloc(c, send_bytes, recv_bytes);
	if (ret)
		goto out_state;
	pfns = vmalloc(sizeof(u64) * c->npages);
	ret = -ENOMEM;
	if (!pfns)
		goto out_ring;
	for (i = 0; i < c->npages; i++)
		pfns[i] = page_to_pfn(c->pages[i]);
	ret = vmbus_gpadl_create_pfns(c, pfns, c->npages, &c->ring_gpadl);
	vfree(pfns);
	if (ret) {
		/* no answer: the host may still create it and use the pages */
		host_owned = ret == -ETIMEDOUT && !READ_ONCE(c->rescinded);
		goto out_ring;
	}

	c->cb = cb;
	c->cb_ctx = ctx;
	memset(&msg, 0, sizeof(msg));
	msg.hdr.msgtype = CHMSG_OPENCHANNEL;
	msg.child_relid = c->relid;
	msg.openid = c->relid;
	msg.ring_gpadl = c->ring_gpadl;
	/* target_vp is honoured from 2.4; 0 below (B.3) */
	msg.target_vp = vmbus_conn.version >= VMBUS_VERSION_WIN8 ? c->target_vp : 0;
	msg.downstream_ring_offset = c->send_npages;
	if (udlen)
		memcpy(msg.user_data, userdata, udlen);
	vmbus_waiter_init(&w, CHMSG_OPENCHANNEL_RESULT, c->relid, c->relid);
	vmbus_waiter_add(&w);
	ret = vmbus_post_msg(&msg, sizeof(msg), 1);
	if (ret) {
		vmbus_waiter_del(&w);
		goto out_gpadl;
	}
	ret = vmbus_waiter_wait(&w, VMBUS_REQUEST_TIMEOUT_MS);
	if (ret) {
		pr_err(VMBUS_MOD ": relid %u: no answer to OPENCHANNEL (%d)\n",
		       c->relid, ret);
		goto out_gpadl;
	}
	r = (const void *)w.resp;
	if (r->status) {
		pr_err(VMBUS_MOD ": relid %u: host refused to open (status 0x%x)\n",
		       c->relid, r->status);
		ret = -EIO;
		goto out_gpadl;
	}
	c->state = HV_CHAN_OPEN;
	mutex_unlock(&c->lock);
	/* data may have arrived before we were ready to look */
	tasklet_schedule(&c->tasklet);
	return 0;

out_gpadl:
	c->cb = NULL;
	/* the host may have opened late: it gives the ring back by answering
	 * the teardown (or by rescinding the channel) */
	if (hv_gpadl_teardown(c, c->ring_gpadl) && !READ_ONCE(c->rescinded))
		host_owned = 1;
	c->ring_gpadl = 0;
out_ring:
	if (host_owned)
		vmbus_ring_withhold(c);
	else
		vmbus_ring_free(c);
out_state:
	c->state = HV_CHAN_OFFERED;
out_unlock:
	mutex_unlock(&c->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(hv_channel_open);

static void vmbus_close_one(struct hv_channel *c)
{
	struct vmbus_chmsg_relid msg;
	unsigned long flags;
	int ret, given_back;

	mutex_lock(&c->lock);
	c->rescind_cb = NULL;	/* the driver is done with the channel */
	if (c->state != HV_CHAN_OPEN) {
		mutex_unlock(&c->lock);
		return;
	}
	/* senders test the state under out_lock: none is writing after this */
	spin_lock_irqsave(&c->out_lock, flags);
	c->state = HV_CHAN_CLOSING;
	spin_unlock_irqrestore(&c->out_lock, flags);
	tasklet_disable(&c->tasklet);
	c->cb = NULL;
	tasklet_enable(&c->tasklet);
	tasklet_kill(&c->tasklet);
	wake_up_all(&c->space_wq);
	/*
	 * CLOSECHANNEL, then tear down the ring GPADL (B.4). The host gives
	 * the ring back by answering the teardown, or by rescinding the
	 * channel; without either it may still write the pages.
	 */
	given_back = READ_ONCE(c->rescinded);
	if (!given_back && vmbus_conn.state != VMBUS_DISCONNECTED) {
		memset(&msg, 0, sizeof(msg));
		msg.hdr.msgtype = CHMSG_CLOSECHANNEL;
		msg.child_relid = c->relid;
		ret = vmbus_post_msg(&msg, sizeof(msg), 1);
		if (ret)
			pr_err(VMBUS_MOD ": relid %u: CLOSECHANNEL not sent (%d)\n",
			       c->relid, ret);
		else
			ret = hv_gpadl_teardown(c, c->ring_gpadl);
		given_back = !ret || READ_ONCE(c->rescinded);
	}
	c->ring_gpadl = 0;
	if (given_back)
		vmbus_ring_free(c);
	else
		vmbus_ring_withhold(c);
	c->state = HV_CHAN_OFFERED;
	mutex_unlock(&c->lock);
}

/** hv_channel_close() - see hv_vmbus.h. */
void hv_channel_close(struct hv_channel *c)
{
	struct hv_channel *sc;

	if (!c)
		return;
	if (!c->primary) {
		mutex_lock(&c->sc_mutex);
		list_for_each_entry(sc, &c->sc_list, sc_node)
			vmbus_close_one(sc);
		mutex_unlock(&c->sc_mutex);
	}
	vmbus_close_one(c);
}
EXPORT_SYMBOL_GPL(hv_channel_close);

/* ---- events ----------------------------------------------------------- */

/**
 * hv_channel_event() - the host signalled @c: run the driver callback
 * with inbound interrupts masked, re-run while data keeps arriving (C.3),
 * and wake senders waiting for space. Context: softirq (channel tasklet).
 */
void hv_channel_event(struct hv_channel *c)
{
	hv_channel_cb_t cb;
	unsigned int rounds = 0;

	cb = c->cb;
	if (c->state != HV_CHAN_OPEN || !cb)
		return;
	wake_up_all(&c->space_wq);
	if (READ_ONCE(c->polled)) {
		/* the driver's poll drains and unmasks (hv_channel_unmask) */
		hv_ring_mask_interrupts(&c->in);
		cb(c->cb_ctx);
		return;
	}
	for (;;) {
		hv_ring_mask_interrupts(&c->in);
		cb(c->cb_ctx);
		if (!hv_ring_unmask_interrupts(&c->in) || c->broken)
			break;
		if (++rounds >= 16) {
			/* be fair to other softirq work; come back soon */
			tasklet_schedule(&c->tasklet);
			break;
		}
	}
}

/**
 * hv_channel_isr() - interrupt context: the host flagged @c; run the
 * channel's tasklet on this CPU (the channel's target CPU).
 */
void hv_channel_isr(struct hv_channel *c)
{
	c->n_events++;
	tasklet_schedule(&c->tasklet);
}

/* ---- send ------------------------------------------------------------- */

/*
 * A batched write owed the host a signal (C.3: it took the ring from empty
 * to non-empty while the host's interrupt_mask was 0); the batch is over
 * or cannot go on. Is the signal still needed? Not if the host is draining
 * now: one that set interrupt_mask clears it, barriers and looks at
 * write_index again (C.3 batching), and our write_index is published
 * before we look at the mask, so either it sees our packets or we see its
 * mask at 0. Called with out_lock held (close cannot free the ring header
 * under us); the caller signals before dropping it (see vmbus_send_sg()).
 */
static int vmbus_batch_signal_due(struct hv_channel *c)
{
	if (c->state != HV_CHAN_OPEN || c->rescinded)
		return 0;
	/* write_index stores before the interrupt_mask load */
	hv_compat_mb();
	return HV_READ_ONCE32(c->out.hdr->interrupt_mask) == 0;
}

static int vmbus_send_sg(struct hv_channel *c, struct hv_ring_sg *sg,
			 unsigned int nsg, u32 total)
{
	unsigned long flags;
	int ret, signal = 0, flush = 0;

	spin_lock_irqsave(&c->out_lock, flags);
	/* under out_lock: close cannot free the rings while we write */
	if (c->state != HV_CHAN_OPEN || c->rescinded) {
		spin_unlock_irqrestore(&c->out_lock, flags);
		return -ENODEV;
	}
	ret = hv_ring_write(&c->out, sg, nsg, &signal);
	if (ret == -EAGAIN) {
		/* ask the host to signal when the packet would fit (C.3) */
		hv_ring_set_pending_send(&c->out, HV_PKT_TOTAL(total));
		c->pending_armed = 1;
		/*
		 * The ring is full: the host must hear of what the open
		 * batches wrote before anyone waits for space.
		 */
		if (c->batch_signal) {
			c->batch_signal = 0;
			flush = vmbus_batch_signal_due(c);
		}
	} else if (!ret && c->pending_armed) {
		hv_ring_set_pending_send(&c->out, 0);
		c->pending_armed = 0;
	}
	if (signal && c->batch_open) {
		/* the end of the last open batch signals for it */
		c->batch_signal = 1;
		signal = 0;
	}
	/*
	 * Signal before dropping out_lock: close sets CLOSING under this
	 * lock before it tells the host, so no signal can follow CLOSECHANNEL.
	 */
	if (signal || flush)
		vmbus_signal_host(c);
	spin_unlock_irqrestore(&c->out_lock, flags);
	return ret;
}

/** hv_channel_batch_begin() - see hv_vmbus.h. */
void hv_channel_batch_begin(struct hv_channel *c)
{
	unsigned long flags;

	spin_lock_irqsave(&c->out_lock, flags);
	c->batch_open++;
	spin_unlock_irqrestore(&c->out_lock, flags);
}
EXPORT_SYMBOL_GPL(hv_channel_batch_begin);

/** hv_channel_batch_end() - see hv_vmbus.h. */
int hv_channel_batch_end(struct hv_channel *c)
{
	unsigned long flags;
	int signal = 0;

	spin_lock_irqsave(&c->out_lock, flags);
	if (WARN_ON_ONCE(!c->batch_open)) {
		spin_unlock_irqrestore(&c->out_lock, flags);
		return 0;
	}
	if (--c->batch_open == 0 && c->batch_signal) {
		c->batch_signal = 0;
		signal = vmbus_batch_signal_due(c);
	}
	if (signal)
		vmbus_signal_host(c);	/* under out_lock, see vmbus_send_sg() */
	spin_unlock_irqrestore(&c->out_lock, flags);
	return signal;
}
EXPORT_SYMBOL_GPL(hv_channel_batch_end);

/** hv_channel_send() - see hv_vmbus.h. */
int hv_channel_send(struct hv_channel *c, const void *buf, u32 len,
		    u64 trans_id, u16 type, u16 flags)
{
	struct vmbus_pkt_desc d;
	struct hv_ring_sg sg[2];
	u32 total = sizeof(d) + len;

	if ((flags & VMBUS_PKT_FLAG_COMPLETION_REQUESTED) && !trans_id)
		return -EINVAL;
	if (type != VMBUS_PKT_DATA_INBAND && type != VMBUS_PKT_COMP)
		return -EINVAL;
	if (len && !buf)
		return -EINVAL;
	if (HV_PKT_ALIGN8(total) / 8 > 0xffff)
		return -EINVAL;
	d.type = type;
	d.offset8 = sizeof(d) / 8;
	d.len8 = (u16)(HV_PKT_ALIGN8(total) / 8);
	d.flags = flags;
	d.trans_id = trans_id;
	sg[0].buf = &d;
	sg[0].len = sizeof(d);
	sg[1].buf = buf;
	sg[1].len = len;
	return vmbus_send_sg(c, sg, len ? 2 : 1, total);
}
EXPORT_SYMBOL_GPL(hv_channel_send);

/** hv_channel_send_pagebuf() - see hv_vmbus.h. */
int hv_channel_send_pagebuf(struct hv_channel *c,
			    const struct hv_page_buffer *pb, u32 count,
			    const void *buf, u32 len, u64 trans_id)
{
	struct vmbus_pkt_gpa_direct d;
	struct hv_ring_sg sg[3];
	u32 dsize, total;

	if (!count || count > VMBUS_MAX_PAGE_BUFFERS || !pb || !trans_id ||
	    (len && !buf))
		return -EINVAL;
	dsize = sizeof(d) + count * sizeof(struct vmbus_pagebuf_range);
	total = dsize + len;
	if (HV_PKT_ALIGN8(total) / 8 > 0xffff)
		return -EINVAL;
	memset(&d, 0, sizeof(d));
	d.d.type = VMBUS_PKT_DATA_GPA_DIRECT;
	d.d.offset8 = (u16)(dsize / 8);
	d.d.len8 = (u16)(HV_PKT_ALIGN8(total) / 8);
	d.d.flags = VMBUS_PKT_FLAG_COMPLETION_REQUESTED;
	d.d.trans_id = trans_id;
	d.range_count = count;
	sg[0].buf = &d;
	sg[0].len = sizeof(d);
	sg[1].buf = pb;
	sg[1].len = count * sizeof(struct vmbus_pagebuf_range);
	sg[2].buf = buf;
	sg[2].len = len;
	return vmbus_send_sg(c, sg, len ? 3 : 2, total);
}
EXPORT_SYMBOL_GPL(hv_channel_send_pagebuf);

/** hv_channel_send_mpb() - see hv_vmbus.h. */
int hv_channel_send_mpb(struct hv_channel *c,
			const struct hv_multipage_buffer *mpb,
			const void *buf, u32 len, u64 trans_id)
{
	struct {
		struct vmbus_pkt_gpa_direct g;
		struct vmbus_mpb_range_hdr r;
	} d;
	struct hv_ring_sg sg[3];
	u32 dsize, total;

	if (!mpb || !mpb->pfn_count || !mpb->pfns || !trans_id ||
	    mpb->offset >= HV_HYP_PAGE_SIZE || (len && !buf) ||
	    mpb->pfn_count > (0xffffU * 8 - 32) / 8)
		return -EINVAL;
	/* the range must lie within the pages it names */
	if ((u64)mpb->offset + mpb->len >
	    (u64)mpb->pfn_count * HV_HYP_PAGE_SIZE)
		return -EINVAL;
	dsize = sizeof(d) + mpb->pfn_count * sizeof(u64);
	total = dsize + len;
	if (HV_PKT_ALIGN8(total) / 8 > 0xffff)
		return -EINVAL;
	memset(&d, 0, sizeof(d));
	d.g.d.type = VMBUS_PKT_DATA_GPA_DIRECT;
	d.g.d.offset8 = (u16)(dsize / 8);
	d.g.d.len8 = (u16)(HV_PKT_ALIGN8(total) / 8);
	d.g.d.flags = VMBUS_PKT_FLAG_COMPLETION_REQUESTED;
	d.g.d.trans_id = trans_id;
	d.g.range_count = 1;
	d.r.len = mpb->len;
	d.r.offset = mpb->offset;
	sg[0].buf = &d;
	sg[0].len = sizeof(d);
	sg[1].buf = mpb->pfns;
	sg[1].len = mpb->pfn_count * sizeof(u64);
	sg[2].buf = buf;
	sg[2].len = len;
	return vmbus_send_sg(c, sg, len ? 3 : 2, total);
}
EXPORT_SYMBOL_GPL(hv_channel_send_mpb);

/* ---- receive ---------------------------------------------------------- */

/*
 * The host sent something the channel cannot carry on from: stop reading
 * (every later read fails with -EBADMSG), say which field was wrong, and
 * have the device reset (its driver unbound and bound again: new rings).
 */
static void vmbus_channel_broken(struct hv_channel *c, const char *what,
				 u32 a, u32 b)
{
	struct hv_channel *primary = c->primary ? c->primary : c;

	if (xchg(&c->broken, 1))
		return;
	pr_err_ratelimited(VMBUS_MOD ": relid %u: malformed packet from the host (%s: %u, %u); channel stopped, device %s\n",
			   c->relid, what, a, b,
			   READ_ONCE(primary->device) ? "reset" : "left alone");
	vmbus_device_reset_async(primary);
}

static void vmbus_consume(struct hv_channel *c, const struct hv_ring_pkt *rp)
{
	if (hv_ring_consume(&c->in, rp))
		vmbus_signal_host(c);
}

/** hv_channel_read() - see hv_vmbus.h (C.2). */
int hv_channel_read(struct hv_channel *c, void *buf, u32 buflen,
		    struct hv_pkt *pkt)
{
	struct hv_ring_pkt rp;
	struct vmbus_pkt_desc d;
	int ret;

	if (READ_ONCE(c->state) != HV_CHAN_OPEN)
		return -ENODEV;
	if (READ_ONCE(c->broken))
		return -EBADMSG;
	/* our rings are mapped twice (mirrored): no bounce copy needed */
	ret = hv_ring_peek(&c->in, &rp, NULL, 0);
	if (ret == -EAGAIN)
		return ret;
	if (ret) {
		vmbus_channel_broken(c, "ring indices or packet descriptor at read_index; read_index, write_index",
				     HV_READ_ONCE32(c->in.hdr->read_index),
				     HV_READ_ONCE32(c->in.hdr->write_index));
		return -EBADMSG;
	}
	pkt->len = rp.len;
	if (rp.len > buflen) {
		/* more than this driver ever takes: drop it, go on */
		vmbus_consume(c, &rp);
		c->n_oversize++;
		return -EMSGSIZE;
	}
	memcpy(buf, rp.bytes, rp.len);
	vmbus_consume(c, &rp);
	/* from here on only the private copy is read */
	ret = hv_pkt_validate(buf, rp.len);
	memcpy(&d, buf, sizeof(d));
	if (ret) {
		if ((u32)d.len8 * 8 != rp.len)
			vmbus_channel_broken(c, "len8 changed after publication, bytes then and now",
					     rp.len, (u32)d.len8 * 8);
		else
			vmbus_channel_broken(c, "type, offset8 (or its ranges)",
					     d.type, d.offset8);
		return -EBADMSG;
	}
	pkt->type = d.type;
	pkt->flags = d.flags;
	pkt->trans_id = d.trans_id;
	pkt->desc_len = (u32)d.offset8 * 8;
	pkt->data = (const u8 *)buf + pkt->desc_len;
	pkt->data_len = rp.len - pkt->desc_len;
	return 0;
}
EXPORT_SYMBOL_GPL(hv_channel_read);

/** hv_channel_wait_space() - see hv_vmbus.h. */
/* true when the send ring has room for @bytes or the channel is gone */
static int vmbus_space_or_gone(struct hv_channel *c, u32 bytes)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&c->out_lock, flags);
	ret = c->state != HV_CHAN_OPEN || c->rescinded ||
		hv_ring_bytes_free(&c->out) > bytes;
	spin_unlock_irqrestore(&c->out_lock, flags);
	return ret;
}

int hv_channel_wait_space(struct hv_channel *c, u32 bytes,
			  unsigned int timeout_ms)
{
	long left;

	left = wait_event_timeout(c->space_wq,
			vmbus_space_or_gone(c, bytes),
			msecs_to_jiffies(timeout_ms));
	if (c->state != HV_CHAN_OPEN || c->rescinded)
		return -ENODEV;
	return left ? 0 : -ETIMEDOUT;
}
EXPORT_SYMBOL_GPL(hv_channel_wait_space);

/* ---- accessors -------------------------------------------------------- */

const struct vmbus_chmsg_offer *hv_channel_offer(const struct hv_channel *c)
{
	return &c->offer;
}
EXPORT_SYMBOL_GPL(hv_channel_offer);

u32 hv_channel_relid(const struct hv_channel *c)
{
	return c->relid;
}
EXPORT_SYMBOL_GPL(hv_channel_relid);

struct hv_device *hv_channel_device(const struct hv_channel *c)
{
	return c->primary ? c->primary->device : c->device;
}
EXPORT_SYMBOL_GPL(hv_channel_device);

unsigned int hv_channel_target_cpu(const struct hv_channel *c)
{
	return c->target_cpu;
}
EXPORT_SYMBOL_GPL(hv_channel_target_cpu);

int hv_channel_rescinded(const struct hv_channel *c)
{
	return READ_ONCE(c->rescinded);
}
EXPORT_SYMBOL_GPL(hv_channel_rescinded);

int hv_channel_broken(const struct hv_channel *c)
{
	return READ_ONCE(c->broken);
}
EXPORT_SYMBOL_GPL(hv_channel_broken);

void hv_channel_set_polled(struct hv_channel *c, int on)
{
	WRITE_ONCE(c->polled, !!on);
}
EXPORT_SYMBOL_GPL(hv_channel_set_polled);

void hv_channel_mask(struct hv_channel *c)
{
	if (READ_ONCE(c->state) == HV_CHAN_OPEN)
		hv_ring_mask_interrupts(&c->in);
}
EXPORT_SYMBOL_GPL(hv_channel_mask);

u32 hv_channel_unmask(struct hv_channel *c)
{
	if (READ_ONCE(c->state) != HV_CHAN_OPEN)
		return 0;
	return hv_ring_unmask_interrupts(&c->in);
}
EXPORT_SYMBOL_GPL(hv_channel_unmask);

void hv_channel_set_rescind_cb(struct hv_channel *c,
			       void (*cb)(struct hv_channel *c, void *ctx),
			       void *ctx)
{
	mutex_lock(&c->lock);
	c->rescind_cb = cb;
	c->rescind_ctx = ctx;
	mutex_unlock(&c->lock);
}
EXPORT_SYMBOL_GPL(hv_channel_set_rescind_cb);

/**
 * vmbus_channel_rescind_notify() - tell @c's driver that the host
 * rescinded it (hv_channel_set_rescind_cb()). Context: process (the offer
 * work queue); @c is marked rescinded already.
 */
void vmbus_channel_rescind_notify(struct hv_channel *c)
{
	mutex_lock(&c->lock);
	if (c->rescind_cb)
		c->rescind_cb(c, c->rescind_ctx);
	c->rescind_cb = NULL;
	mutex_unlock(&c->lock);
}

void hv_channel_set_subchannel_cb(struct hv_channel *primary,
				  void (*cb)(struct hv_channel *sc))
{
	struct hv_channel *sc;

	mutex_lock(&primary->sc_mutex);
	primary->sc_cb = cb;
	/* sub-channels offered before the driver asked (e.g. a rebind) */
	if (cb)
		list_for_each_entry(sc, &primary->sc_list, sc_node)
			if (sc->state == HV_CHAN_OFFERED && !sc->rescinded)
				cb(sc);
	mutex_unlock(&primary->sc_mutex);
}
EXPORT_SYMBOL_GPL(hv_channel_set_subchannel_cb);
