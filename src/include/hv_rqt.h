/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv_rqt.h - request tracking: which guest request a VMBus trans_id names.
 *
 * A VSC that asks the host for a completion (C.2: flags
 * COMPLETION_REQUESTED) must map the trans_id of the completion back to
 * its request. The host echoes any 64-bit value it was given, but a host
 * outside the guest's trust may also send a completion twice, late (after
 * the request was given up and its entry reused), or for an id it never
 * got. So the id is never a pointer: it names an entry of a table and the
 * entry's incarnation:
 *
 *     trans_id = (generation << 32) | (index + 1)
 *
 * never 0 (hosts never complete id 0). A completion is accepted only when
 * its id names an entry that is in flight (BUSY) with the same
 * generation; the generation changes each time an entry goes to the host,
 * so a stale completion of an earlier use of the same entry, or one that
 * arrives after the guest gave the request up, is refused and counted.
 *
 * Entry states:
 *   FREE  in the free list;
 *   HELD  owned by the driver: being prepared, being completed, given up,
 *         or waiting to be sent again; no completion can take it;
 *   BUSY  sent: owned by the host until a completion (or the driver's
 *         give-up, hv_rqt_core_claim_idx()) takes it back to HELD.
 *
 *     get: FREE -> HELD     arm: HELD -> BUSY (new generation, new id)
 *     claim, cancel, claim_idx: BUSY -> HELD      put: HELD -> FREE
 *
 * Exactly one path claims a BUSY entry, so a request is completed once,
 * whoever races (completion, timeout, reset, teardown, a failed send).
 *
 * Pure C (hv_types.h), no locking: the caller serialises every call on
 * one table (hv_vmbus wraps it with a spinlock, struct hv_rqt). Built into
 * hv_vmbus and into the unit tests.
 */
#ifndef HV_RQT_H
#define HV_RQT_H

#include "hv_types.h"

#define HV_RQT_FREE	0
#define HV_RQT_HELD	1
#define HV_RQT_BUSY	2

/* Entries per table at most: the index must fit the low 32 bits. */
#define HV_RQT_MAX	65536U

struct hv_rqt_ent {
	u32 gen;	/* incarnation: high half of the trans_id */
	u16 state;	/* HV_RQT_* */
	u16 reserved;
	s32 next_free;	/* free list; -1 ends it */
};

struct hv_rqt_core {
	struct hv_rqt_ent *ent;	/* n entries, owned by the caller */
	u32 n;
	s32 free_head;		/* -1: table full */
	u32 held;		/* entries HELD */
	u32 busy;		/* entries BUSY */
	u32 stale;		/* claims by id refused (stale, bogus) */
};

/* The trans_id of entry @idx in incarnation @gen. */
static inline u64 hv_rqt_make_id(u32 gen, u32 idx)
{
	return ((u64)gen << 32) | (u64)(idx + 1);
}

/**
 * hv_rqt_core_init() - set up a table of @n entries, all FREE.
 * @t: the table
 * @ent: @n entries of storage (contents ignored)
 * @n: 1 .. HV_RQT_MAX
 * Return: 0, or -EINVAL for a bad @n or NULL @ent.
 */
int hv_rqt_core_init(struct hv_rqt_core *t, struct hv_rqt_ent *ent, u32 n);

/**
 * hv_rqt_core_get() - take a FREE entry: it becomes HELD.
 * @idx: out, its index (0 .. n-1)
 * Return: 0, or -EBUSY when every entry is in use.
 */
int hv_rqt_core_get(struct hv_rqt_core *t, u32 *idx);

/**
 * hv_rqt_core_arm() - HELD entry @idx goes to the host: BUSY, with a new
 * generation.
 * @id: out, the trans_id to send it with (never 0)
 * Return: 0, or -EINVAL when @idx is out of range or not HELD.
 */
int hv_rqt_core_arm(struct hv_rqt_core *t, u32 idx, u64 *id);

/**
 * hv_rqt_core_claim() - a completion with trans_id @id arrived: take the
 * entry it names back from the host (BUSY -> HELD).
 * @id: the trans_id as the host sent it (any value)
 * @idx: out, the entry's index
 * Return: 0 when @id names a BUSY entry of that generation; -ENOENT
 * otherwise (index out of range or 0, entry not BUSY, other generation):
 * counted in @t->stale, nothing changes.
 */
int hv_rqt_core_claim(struct hv_rqt_core *t, u64 id, u32 *idx);

/**
 * hv_rqt_core_cancel() - the sender takes back its own request @id after
 * a failed send: BUSY -> HELD if @id still names it (same generation).
 * Unlike hv_rqt_core_claim() a refusal is not counted as stale: it means
 * a give-up (hv_rqt_core_claim_idx()) or a completion took it first and
 * now owns the request.
 * Return: 0 taken back; -ENOENT someone else took it.
 */
int hv_rqt_core_cancel(struct hv_rqt_core *t, u64 id);

/**
 * hv_rqt_core_claim_idx() - give a request up: take BUSY entry @idx back
 * whatever its generation (teardown, reset, a failed send).
 * Return: 0 taken (now HELD); -ENOENT not BUSY (a completion, or another
 * give-up, took it first); -EINVAL @idx out of range.
 */
int hv_rqt_core_claim_idx(struct hv_rqt_core *t, u32 idx);

/**
 * hv_rqt_core_put() - HELD entry @idx is done with: back to the free list.
 * Return: 0, or -EINVAL when @idx is out of range or not HELD (a BUSY
 * entry must be claimed first: the host still owns it).
 */
int hv_rqt_core_put(struct hv_rqt_core *t, u32 idx);

/**
 * hv_rqt_core_state() - state of entry @idx (HV_RQT_*), or -EINVAL.
 */
int hv_rqt_core_state(const struct hv_rqt_core *t, u32 idx);

/**
 * hv_rqt_core_gen() - generation of entry @idx (that of its current or
 * last trip to the host); 0 for an index out of range.
 */
u32 hv_rqt_core_gen(const struct hv_rqt_core *t, u32 idx);

#endif /* HV_RQT_H */
