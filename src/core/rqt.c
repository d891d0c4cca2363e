// SPDX-License-Identifier: GPL-2.0
/*
 * rqt.c - request tracking: trans_id <-> request table (see hv_rqt.h).
 *
 * Pure C (see hv_types.h): built into hv_vmbus and the unit tests. The
 * caller serialises all calls on one table.
 */
#include "hv_rqt.h"

int hv_rqt_core_init(struct hv_rqt_core *t, struct hv_rqt_ent *ent, u32 n)
{
	u32 i;

	if (!ent || n == 0 || n > HV_RQT_MAX)
		return -EINVAL;
	t->ent = ent;
	t->n = n;
	for (i = 0; i < n; i++) {
		ent[i].gen = 0;
		ent[i].state = HV_RQT_FREE;
		ent[i].reserved = 0;
		ent[i].next_free = i + 1 < n ? (s32)(i + 1) : -1;
	}
	t->free_head = 0;
	t->held = 0;
	t->busy = 0;
	t->stale = 0;
	return 0;
}

int hv_rqt_core_get(struct hv_rqt_core *t, u32 *idx)
{
	struct hv_rqt_ent *e;

	if (t->free_head < 0)
		return -EBUSY;
	e = &t->ent[t->free_head];
	*idx = (u32)t->free_head;
	t->free_head = e->next_free;
	e->next_free = -1;
	e->state = HV_RQT_HELD;
	t->held++;
	return 0;
}

int hv_rqt_core_arm(struct hv_rqt_core *t, u32 idx, u64 *id)
{
	struct hv_rqt_ent *e;

	if (idx >= t->n || t->ent[idx].state != HV_RQT_HELD)
		return -EINVAL;
	e = &t->ent[idx];
	e->gen++;		/* a new trip, a new trans_id */
	e->state = HV_RQT_BUSY;
	t->held--;
	t->busy++;
	*id = hv_rqt_make_id(e->gen, idx);
	return 0;
}

static void hv_rqt_unbusy(struct hv_rqt_core *t, u32 idx)
{
	t->ent[idx].state = HV_RQT_HELD;
	t->busy--;
	t->held++;
}

/* The BUSY entry @id names in its generation: 0 and its index, or -ENOENT. */
static int hv_rqt_find(const struct hv_rqt_core *t, u64 id, u32 *idx)
{
	u32 low = (u32)id, gen = (u32)(id >> 32);

	/* low is index + 1: 0 and anything past the table name nothing */
	if (low == 0 || low > t->n ||
	    t->ent[low - 1].state != HV_RQT_BUSY ||
	    t->ent[low - 1].gen != gen)
		return -ENOENT;
	*idx = low - 1;
	return 0;
}

int hv_rqt_core_claim(struct hv_rqt_core *t, u64 id, u32 *idx)
{
	u32 i;

	if (hv_rqt_find(t, id, &i)) {
		t->stale++;
		return -ENOENT;
	}
	hv_rqt_unbusy(t, i);
	*idx = i;
	return 0;
}

int hv_rqt_core_cancel(struct hv_rqt_core *t, u64 id)
{
	u32 i;

	if (hv_rqt_find(t, id, &i))
		return -ENOENT;
	hv_rqt_unbusy(t, i);
	return 0;
}

int hv_rqt_core_claim_idx(struct hv_rqt_core *t, u32 idx)
{
	if (idx >= t->n)
		return -EINVAL;
	if (t->ent[idx].state != HV_RQT_BUSY)
		return -ENOENT;
	hv_rqt_unbusy(t, idx);
	return 0;
}

int hv_rqt_core_put(struct hv_rqt_core *t, u32 idx)
{
	struct hv_rqt_ent *e;

	if (idx >= t->n || t->ent[idx].state != HV_RQT_HELD)
		return -EINVAL;
	e = &t->ent[idx];
	e->state = HV_RQT_FREE;
	e->next_free = t->free_head;
	t->free_head = (s32)idx;
	t->held--;
	return 0;
}

int hv_rqt_core_state(const struct hv_rqt_core *t, u32 idx)
{
	if (idx >= t->n)
		return -EINVAL;
	return t->ent[idx].state;
}

u32 hv_rqt_core_gen(const struct hv_rqt_core *t, u32 idx)
{
	return idx < t->n ? t->ent[idx].gen : 0;
}
