// SPDX-License-Identifier: GPL-2.0
/*
 * vstor_client.c - what hv_storvsc and hv_blkvsc share as VSTOR clients:
 * the control-request slot and zeroed table allocation. See
 * hv_vstor_client.h. Kernel code, linked into both modules.
 */
#include <linux/kernel.h>
#include <linux/jiffies.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "hv_vstor_client.h"

/**
 * hv_vstor_zalloc() - zeroed memory for a driver table (slots, PFN lists).
 * @size: bytes; up to a page from the slab, larger from vmalloc
 * Context: process, may sleep.
 * Return: the memory, or NULL. Free with hv_vstor_zfree(@size).
 */
void *hv_vstor_zalloc(size_t size)
{
	void *p;

	if (size <= PAGE_SIZE)
		return kzalloc(size, GFP_KERNEL);
	p = vmalloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}

/**
 * hv_vstor_zfree() - free what hv_vstor_zalloc() gave.
 * @p: the memory, or NULL
 * @size: the size it was allocated with
 * Context: process.
 */
void hv_vstor_zfree(void *p, size_t size)
{
	if (!p)
		return;
	if (size <= PAGE_SIZE)
		kfree(p);
	else
		vfree(p);
}

/**
 * hv_vstor_ctl_init() - an idle control slot.
 * @c: the slot, in memory that outlives every request
 * Context: process.
 */
void hv_vstor_ctl_init(struct hv_vstor_ctl *c)
{
	memset(c, 0, sizeof(*c));
	spin_lock_init(&c->lock);
	init_completion(&c->done);
}

/**
 * hv_vstor_ctl_begin() - start a control request.
 * @c: the slot; the caller serialises requests (its ctl_mutex)
 * @tag: low half of the trans_id, a value no I/O request uses
 * @trans: set to the request's trans_id, (new generation << 32) | @tag
 *
 * The caller sends the request next and then calls hv_vstor_ctl_end()
 * whatever the send returned.
 * Context: process.
 * Return: 0, or -ENODEV once hv_vstor_ctl_cancel() was called (nothing to
 * end then).
 */
int hv_vstor_ctl_begin(struct hv_vstor_ctl *c, u32 tag, u64 *trans)
{
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	if (c->cancel) {
		spin_unlock_irqrestore(&c->lock, flags);
		return -ENODEV;
	}
	c->gen++;
	c->busy = 1;
	c->got = 0;
	reinit_completion(&c->done);
	*trans = ((u64)c->gen << 32) | tag;
	spin_unlock_irqrestore(&c->lock, flags);
	return 0;
}

/**
 * hv_vstor_ctl_end() - wait for the answer and close the request.
 * @c: the slot
 * @sent: what sending the request returned (0: sent, so wait)
 * @deadline: jiffies by which the answer must have come
 * @pkt: receives the answer (sizeof(struct vstor_packet) bytes)
 * @len: if not NULL, receives the answer's length in bytes
 *
 * An answer that arrives after this returns is stale
 * (hv_vstor_ctl_complete() refuses it).
 * Context: process, sleeps until @deadline at most.
 * Return: @sent if it is an error; else 0 with the answer in @pkt (then
 * check its status), -ETIMEDOUT (no answer), -ENODEV (cancelled while
 * waiting) or -EPROTO (shorter than 12 bytes, or not a COMPLETE_IO).
 */
int hv_vstor_ctl_end(struct hv_vstor_ctl *c, int sent, unsigned long deadline,
		     struct vstor_packet *pkt, u32 *len)
{
	unsigned long flags, left;
	int got, cancel;
	u32 rlen;

	if (!sent) {
		left = time_before(jiffies, deadline) ? deadline - jiffies : 1;
		wait_for_completion_timeout(&c->done, left);
	}
	spin_lock_irqsave(&c->lock, flags);
	c->busy = 0;
	got = c->got;
	cancel = c->cancel;
	rlen = c->len;
	if (got)
		memcpy(pkt, &c->resp, sizeof(*pkt));
	spin_unlock_irqrestore(&c->lock, flags);

	if (sent)
		return sent;
	if (!got)
		return cancel ? -ENODEV : -ETIMEDOUT;
	if (len)
		*len = rlen;
	if (rlen < 12 || pkt->operation != VSTOR_OP_COMPLETE_IO)
		return -EPROTO;
	return 0;
}

/**
 * hv_vstor_ctl_complete() - the host answered a control request (E).
 * @c: the slot
 * @gen: generation from the high half of the answer's trans_id
 * @vp: the answer, copied out of the ring
 * @len: its bytes, at most sizeof(*vp)
 *
 * Context: the channel callback (softirq).
 * Return: 1 if it answers the request now waiting, 0 if stale (dropped;
 * the caller counts it).
 */
int hv_vstor_ctl_complete(struct hv_vstor_ctl *c, u32 gen,
			  const struct vstor_packet *vp, u32 len)
{
	unsigned long flags;
	int ok = 0;

	spin_lock_irqsave(&c->lock, flags);
	if (c->busy && !c->got && gen == c->gen) {
		memcpy(&c->resp, vp, sizeof(*vp));
		c->len = len;
		c->got = 1;
		complete(&c->done);
		ok = 1;
	}
	spin_unlock_irqrestore(&c->lock, flags);
	return ok;
}

/**
 * hv_vstor_ctl_cancel() - wake a request that waits and refuse new ones
 * (the device is going away).
 * @c: the slot
 * Context: any.
 */
void hv_vstor_ctl_cancel(struct hv_vstor_ctl *c)
{
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	c->cancel = 1;
	if (c->busy)
		complete(&c->done);
	spin_unlock_irqrestore(&c->lock, flags);
}

/**
 * hv_vstor_param() - a module parameter's value within its range.
 * @mod: module name, @name: parameter name, for the log line
 * @val: the value the admin gave
 * @lo: smallest value taken, @hi: largest
 *
 * Return: @val clamped to @lo..@hi; a value that had to change is logged
 * (one line, per call: the drivers call it once per device).
 * Context: any.
 */
int hv_vstor_param(const char *mod, const char *name, int val, int lo, int hi)
{
	int v = val < lo ? lo : val > hi ? hi : val;

	if (v != val)
		pr_warn("%s: %s=%d is outside %d..%d: using %d\n", mod, name,
			val, lo, hi, v);
	return v;
}
