/* SPDX-License-Identifier: GPL-2.0 */
/*
 * unit.h - shared declarations of the protocol-core unit tests.
 *
 * Each test_*.c file exports one array of cmocka tests; main.c runs them
 * all as one group so that the output ends with a single summary.
 */
#ifndef HV_UNIT_H
#define HV_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hv_ring.h"
#include "hv_chmsg.h"

extern const struct CMUnitTest wire_tests[];
extern const size_t wire_ntests;
extern const struct CMUnitTest ring_tests[];
extern const size_t ring_ntests;
extern const struct CMUnitTest chmsg_tests[];
extern const size_t chmsg_ntests;

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

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

#endif /* HV_UNIT_H */
