/* SPDX-License-Identifier: GPL-2.0 */
/*
 * support.h - helpers shared by the unit tests and the benchmark (no
 * cmocka dependency).
 */
#ifndef HV_TEST_SUPPORT_H
#define HV_TEST_SUPPORT_H

#include <stddef.h>
#include "hv_ring.h"

/*
 * A ring for tests. Plain rings have their data area allocated with
 * malloc() at exactly @size bytes, so AddressSanitizer catches any access
 * past either end. Mirrored rings map the same memfd pages twice back to
 * back between two PROT_NONE guard pages, so any access outside
 * [data, data + 2 * size) faults.
 */
struct test_ring {
	struct hv_ring r;
	struct hv_ring_header *hdr;
	u8 *data;
	u32 size;
	int mirrored;
	void *map;
	size_t maplen;
};

/* Allocate and hv_ring_init(); size must be a multiple of 4096 if mirrored */
int test_ring_alloc(struct test_ring *t, u32 size, int mirrored);
void test_ring_free(struct test_ring *t);
/* Map @size bytes (multiple of the page size) twice back to back. */
void *mirror_map(u32 size, void **map, size_t *maplen);

/* Deterministic PRNG (xorshift64*) so random tests are reproducible. */
struct prng {
	u64 s;
};
void prng_seed(struct prng *p, u64 seed);
u64 prng_next(struct prng *p);
u32 prng_below(struct prng *p, u32 n);	/* 0 .. n-1 */

#endif /* HV_TEST_SUPPORT_H */
