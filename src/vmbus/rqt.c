// SPDX-License-Identifier: GPL-2.0
/*
 * rqt.c - request tracking for VMBus drivers: the table of src/core/rqt.c
 * (rules in hv_rqt.h) behind a spinlock, exported to the drivers.
 */
#include <linux/vmalloc.h>
#include "vmbus_priv.h"

/* the table's entries: up to a page from the slab, larger from vmalloc */
static void *vmbus_rqt_alloc(size_t size)
{
	void *p;

	if (size <= PAGE_SIZE)
		return kzalloc(size, GFP_KERNEL);
	p = vmalloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}

/** hv_rqt_init() - see hv_vmbus.h. */
int hv_rqt_init(struct hv_rqt *t, u32 n)
{
	struct hv_rqt_ent *ent;
	int ret;

	memset(t, 0, sizeof(*t));
	spin_lock_init(&t->lock);
	if (n == 0 || n > HV_RQT_MAX)
		return -EINVAL;
	ent = vmbus_rqt_alloc(sizeof(*ent) * n);
	if (!ent)
		return -ENOMEM;
	ret = hv_rqt_core_init(&t->core, ent, n);
	if (ret) {
		/* cannot happen with the checks above; be safe anyway */
		if (sizeof(*ent) * n <= PAGE_SIZE)
			kfree(ent);
		else
			vfree(ent);
	}
	return ret;
}
EXPORT_SYMBOL_GPL(hv_rqt_init);

/** hv_rqt_destroy() - see hv_vmbus.h. */
void hv_rqt_destroy(struct hv_rqt *t)
{
	struct hv_rqt_ent *ent = t->core.ent;
	size_t size = sizeof(*ent) * t->core.n;

	if (!ent)
		return;
	WARN_ONCE(t->core.busy, VMBUS_MOD ": request table freed with %u requests in flight\n",
		  t->core.busy);
	t->core.ent = NULL;
	t->core.n = 0;
	t->core.free_head = -1;
	if (size <= PAGE_SIZE)
		kfree(ent);
	else
		vfree(ent);
}
EXPORT_SYMBOL_GPL(hv_rqt_destroy);

/** hv_rqt_get() - see hv_vmbus.h. */
int hv_rqt_get(struct hv_rqt *t, u32 *idx)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&t->lock, flags);
	ret = hv_rqt_core_get(&t->core, idx);
	spin_unlock_irqrestore(&t->lock, flags);
	return ret;
}
EXPORT_SYMBOL_GPL(hv_rqt_get);

/** hv_rqt_arm() - see hv_vmbus.h. */
int hv_rqt_arm(struct hv_rqt *t, u32 idx, u64 *id)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&t->lock, flags);
	ret = hv_rqt_core_arm(&t->core, idx, id);
	spin_unlock_irqrestore(&t->lock, flags);
	return ret;
}
EXPORT_SYMBOL_GPL(hv_rqt_arm);

/** hv_rqt_claim() - see hv_vmbus.h. */
int hv_rqt_claim(struct hv_rqt *t, u64 id, u32 *idx)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&t->lock, flags);
	ret = hv_rqt_core_claim(&t->core, id, idx);
	spin_unlock_irqrestore(&t->lock, flags);
	return ret;
}
EXPORT_SYMBOL_GPL(hv_rqt_claim);

/** hv_rqt_cancel() - see hv_vmbus.h. */
int hv_rqt_cancel(struct hv_rqt *t, u64 id)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&t->lock, flags);
	ret = hv_rqt_core_cancel(&t->core, id);
	spin_unlock_irqrestore(&t->lock, flags);
	return ret;
}
EXPORT_SYMBOL_GPL(hv_rqt_cancel);

/** hv_rqt_claim_idx() - see hv_vmbus.h. */
int hv_rqt_claim_idx(struct hv_rqt *t, u32 idx)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&t->lock, flags);
	ret = hv_rqt_core_claim_idx(&t->core, idx);
	spin_unlock_irqrestore(&t->lock, flags);
	return ret;
}
EXPORT_SYMBOL_GPL(hv_rqt_claim_idx);

/** hv_rqt_put() - see hv_vmbus.h. */
int hv_rqt_put(struct hv_rqt *t, u32 idx)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&t->lock, flags);
	ret = hv_rqt_core_put(&t->core, idx);
	spin_unlock_irqrestore(&t->lock, flags);
	return ret;
}
EXPORT_SYMBOL_GPL(hv_rqt_put);

/** hv_rqt_busy() - see hv_vmbus.h. */
u32 hv_rqt_busy(struct hv_rqt *t)
{
	unsigned long flags;
	u32 n;

	spin_lock_irqsave(&t->lock, flags);
	n = t->core.busy;
	spin_unlock_irqrestore(&t->lock, flags);
	return n;
}
EXPORT_SYMBOL_GPL(hv_rqt_busy);

/** hv_rqt_stale() - see hv_vmbus.h. */
u32 hv_rqt_stale(struct hv_rqt *t)
{
	unsigned long flags;
	u32 n;

	spin_lock_irqsave(&t->lock, flags);
	n = t->core.stale;
	spin_unlock_irqrestore(&t->lock, flags);
	return n;
}
EXPORT_SYMBOL_GPL(hv_rqt_stale);

/* The lock-held forms call the core directly from the drivers. */
EXPORT_SYMBOL_GPL(hv_rqt_core_get);
EXPORT_SYMBOL_GPL(hv_rqt_core_arm);
EXPORT_SYMBOL_GPL(hv_rqt_core_claim);
EXPORT_SYMBOL_GPL(hv_rqt_core_cancel);
EXPORT_SYMBOL_GPL(hv_rqt_core_claim_idx);
EXPORT_SYMBOL_GPL(hv_rqt_core_put);
EXPORT_SYMBOL_GPL(hv_rqt_core_state);
EXPORT_SYMBOL_GPL(hv_rqt_core_gen);
