// SPDX-License-Identifier: GPL-2.0
/*
 * test_rqt.c - request tracking (hv_rqt.h): ids, generations, stale and
 * bogus completions, give-up races, the free list.
 */
#include <stdlib.h>
#include "unit.h"
#include "hv_rqt.h"

#define NENT	4

static void test_rqt_init(void **state)
{
	struct hv_rqt_core t;
	struct hv_rqt_ent ent[NENT];

	(void)state;
	assert_int_equal(hv_rqt_core_init(&t, ent, 0), -EINVAL);
	assert_int_equal(hv_rqt_core_init(&t, NULL, NENT), -EINVAL);
	assert_int_equal(hv_rqt_core_init(&t, ent, HV_RQT_MAX + 1), -EINVAL);
	assert_int_equal(hv_rqt_core_init(&t, ent, NENT), 0);
	assert_int_equal(t.held, 0);
	assert_int_equal(t.busy, 0);
	assert_int_equal(hv_rqt_core_state(&t, 0), HV_RQT_FREE);
	assert_int_equal(hv_rqt_core_state(&t, NENT), -EINVAL);
}

/* every entry once, then full; ids never 0 and all different */
static void test_rqt_get_full(void **state)
{
	struct hv_rqt_core t;
	struct hv_rqt_ent ent[NENT];
	u64 id[NENT];
	u32 idx, seen = 0, i, j;

	(void)state;
	hv_rqt_core_init(&t, ent, NENT);
	for (i = 0; i < NENT; i++) {
		assert_int_equal(hv_rqt_core_get(&t, &idx), 0);
		assert_true(idx < NENT);
		assert_false(seen & (1u << idx));
		seen |= 1u << idx;
		assert_int_equal(hv_rqt_core_arm(&t, idx, &id[i]), 0);
		assert_true(id[i] != 0);
		for (j = 0; j < i; j++)
			assert_true(id[i] != id[j]);
	}
	assert_int_equal(hv_rqt_core_get(&t, &idx), -EBUSY);
	assert_int_equal(t.busy, NENT);
	assert_int_equal(t.held, 0);
}

/* a completion takes its request once; the second one is stale */
static void test_rqt_claim_once(void **state)
{
	struct hv_rqt_core t;
	struct hv_rqt_ent ent[NENT];
	u64 id;
	u32 idx, got;

	(void)state;
	hv_rqt_core_init(&t, ent, NENT);
	hv_rqt_core_get(&t, &idx);
	/* a HELD entry is the driver's: no completion can take it */
	assert_int_equal(hv_rqt_core_claim(&t, hv_rqt_make_id(0, idx), &got),
			 -ENOENT);
	assert_int_equal(hv_rqt_core_claim(&t, hv_rqt_make_id(1, idx), &got),
			 -ENOENT);
	hv_rqt_core_arm(&t, idx, &id);
	assert_int_equal(hv_rqt_core_claim(&t, id, &got), 0);
	assert_int_equal(got, idx);
	assert_int_equal(hv_rqt_core_state(&t, idx), HV_RQT_HELD);
	assert_int_equal(hv_rqt_core_claim(&t, id, &got), -ENOENT);
	assert_int_equal(t.stale, 3);
	assert_int_equal(hv_rqt_core_put(&t, idx), 0);
	assert_int_equal(hv_rqt_core_state(&t, idx), HV_RQT_FREE);
	assert_int_equal(t.held, 0);
}

/* a late completion of an earlier trip of the same entry is refused */
static void test_rqt_stale_generation(void **state)
{
	struct hv_rqt_core t;
	struct hv_rqt_ent ent[1];
	u64 old, cur;
	u32 idx, got;

	(void)state;
	hv_rqt_core_init(&t, ent, 1);
	hv_rqt_core_get(&t, &idx);
	hv_rqt_core_arm(&t, idx, &old);
	/* given up (reset), freed, reused */
	assert_int_equal(hv_rqt_core_claim_idx(&t, idx), 0);
	hv_rqt_core_put(&t, idx);
	hv_rqt_core_get(&t, &idx);
	hv_rqt_core_arm(&t, idx, &cur);
	assert_true(old != cur);
	assert_int_equal(hv_rqt_core_claim(&t, old, &got), -ENOENT);
	assert_int_equal(hv_rqt_core_state(&t, idx), HV_RQT_BUSY);
	assert_int_equal(hv_rqt_core_claim(&t, cur, &got), 0);
	/* a resend of a HELD entry is a new trip with a new id */
	hv_rqt_core_arm(&t, idx, &cur);
	assert_int_equal(hv_rqt_core_gen(&t, idx), 3);
	assert_int_equal(hv_rqt_core_claim(&t, hv_rqt_make_id(2, idx), &got),
			 -ENOENT);
	assert_int_equal(hv_rqt_core_claim(&t, cur, &got), 0);
}

/* ids a hostile host may make up */
static void test_rqt_bogus_ids(void **state)
{
	static const u64 bogus[] = {
		0, 0xffffffffull, 0xffffffffffffffffull,
		(u64)NENT + 1, ((u64)1 << 32) | (NENT + 1),
		(u64)0x80000000u, ((u64)1 << 32),
	};
	struct hv_rqt_core t;
	struct hv_rqt_ent ent[NENT];
	u64 id;
	u32 idx, got, i;

	(void)state;
	hv_rqt_core_init(&t, ent, NENT);
	for (i = 0; i < NENT; i++) {
		hv_rqt_core_get(&t, &idx);
		hv_rqt_core_arm(&t, idx, &id);
	}
	for (i = 0; i < ARRAY_SIZE(bogus); i++) {
		got = 0xdead;
		assert_int_equal(hv_rqt_core_claim(&t, bogus[i], &got), -ENOENT);
		assert_int_equal(got, 0xdead);
	}
	assert_int_equal(t.stale, ARRAY_SIZE(bogus));
	assert_int_equal(t.busy, NENT);
}

/* completion and give-up race: exactly one of them takes the entry */
static void test_rqt_claim_race(void **state)
{
	struct hv_rqt_core t;
	struct hv_rqt_ent ent[NENT];
	u64 id;
	u32 idx, got;

	(void)state;
	hv_rqt_core_init(&t, ent, NENT);
	hv_rqt_core_get(&t, &idx);
	hv_rqt_core_arm(&t, idx, &id);
	assert_int_equal(hv_rqt_core_claim_idx(&t, idx), 0);
	assert_int_equal(hv_rqt_core_claim(&t, id, &got), -ENOENT);
	assert_int_equal(hv_rqt_core_claim_idx(&t, idx), -ENOENT);
	assert_int_equal(hv_rqt_core_claim_idx(&t, NENT), -EINVAL);
	assert_int_equal(hv_rqt_core_cancel(&t, id), -ENOENT);
	/* a BUSY entry cannot be freed: the host owns it */
	hv_rqt_core_put(&t, idx);
	hv_rqt_core_get(&t, &idx);
	hv_rqt_core_arm(&t, idx, &id);
	assert_int_equal(hv_rqt_core_put(&t, idx), -EINVAL);
	assert_int_equal(hv_rqt_core_arm(&t, idx, &id), -EINVAL);
	assert_int_equal(hv_rqt_core_claim(&t, id, &got), 0);
	assert_int_equal(hv_rqt_core_claim_idx(&t, idx), -ENOENT);
	assert_int_equal(hv_rqt_core_put(&t, idx), 0);
	assert_int_equal(hv_rqt_core_put(&t, idx), -EINVAL);
	assert_int_equal(t.held + t.busy, 0);
}

/* a failed send takes its own request back; a late cancel does not
 * count as a stale completion and cannot take a newer trip */
static void test_rqt_cancel(void **state)
{
	struct hv_rqt_core t;
	struct hv_rqt_ent ent[1];
	u64 id, id2;
	u32 idx;

	(void)state;
	hv_rqt_core_init(&t, ent, 1);
	hv_rqt_core_get(&t, &idx);
	hv_rqt_core_arm(&t, idx, &id);
	assert_int_equal(hv_rqt_core_cancel(&t, id), 0);
	assert_int_equal(hv_rqt_core_state(&t, idx), HV_RQT_HELD);
	hv_rqt_core_arm(&t, idx, &id2);
	assert_int_equal(hv_rqt_core_cancel(&t, id), -ENOENT);
	assert_int_equal(hv_rqt_core_state(&t, idx), HV_RQT_BUSY);
	assert_int_equal(t.stale, 0);
}

/* the generation wraps without ever making id 0 */
static void test_rqt_gen_wrap(void **state)
{
	struct hv_rqt_core t;
	struct hv_rqt_ent ent[1];
	u64 id;
	u32 idx, got;

	(void)state;
	hv_rqt_core_init(&t, ent, 1);
	ent[0].gen = 0xfffffffeu;
	hv_rqt_core_get(&t, &idx);
	hv_rqt_core_arm(&t, idx, &id);
	assert_true(id == 0xffffffff00000001ull);
	hv_rqt_core_claim(&t, id, &got);
	hv_rqt_core_arm(&t, idx, &id);
	assert_true(id == 1);
	assert_int_equal(hv_rqt_core_claim(&t, id, &got), 0);
}

const struct CMUnitTest rqt_tests[] = {
	cmocka_unit_test(test_rqt_init),
	cmocka_unit_test(test_rqt_get_full),
	cmocka_unit_test(test_rqt_claim_once),
	cmocka_unit_test(test_rqt_stale_generation),
	cmocka_unit_test(test_rqt_bogus_ids),
	cmocka_unit_test(test_rqt_claim_race),
	cmocka_unit_test(test_rqt_cancel),
	cmocka_unit_test(test_rqt_gen_wrap),
};
const size_t rqt_ntests = ARRAY_SIZE(rqt_tests);
