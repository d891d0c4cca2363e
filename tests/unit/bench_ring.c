// SPDX-License-Identifier: GPL-2.0
/*
 * bench_ring.c - cost of hv_ring_write + hv_ring_peek + hv_ring_consume of
 * one packet with a 4 KiB payload on a mirrored 256 KiB ring (read in
 * place), as a ratio to a bare memcpy of 4096 bytes measured in the same
 * run. Many short batches of the three loops are interleaved and the
 * median batch of each is used, so a noisy moment (other work on the
 * machine) affects all of them alike and drops out of the medians.
 *
 * Two memcpy baselines are printed:
 *  - "hot": source and destination fixed (both stay in L1);
 *  - "ring-sized": the destination walks through a 256 KiB buffer with the
 *    ring's stride, i.e. the same cache footprint as the ring's data area.
 * The ring's data walks 256 KiB, so its stores miss L1 like the second
 * baseline's; the first shows what a cache-hot copy costs on this machine.
 * Always exits 0: it reports, it does not judge.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "support.h"

#define RING_SIZE	(256 * 1024)
#define PAYLOAD		4096
#define ITERS		2000
#define BATCHES		301

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sorts @v; returns the median, *q1 and *q3 the quartiles. */
static double quartiles(double *v, int n, double *q1, double *q3)
{
	qsort(v, n, sizeof(*v), cmp_double);
	*q1 = v[n / 4];
	*q3 = v[3 * n / 4];
	return v[n / 2];
}

/* Keep the compiler from dropping or merging copies. */
#define CLOBBER(p)	__asm__ __volatile__("" : : "r"(p) : "memory")

static u8 src[PAYLOAD] __attribute__((aligned(64)));
static u8 dst[PAYLOAD] __attribute__((aligned(64)));
static u8 *walk;

static double batch_ring(struct hv_ring *r)
{
	struct vmbus_pkt_desc d;
	struct hv_ring_sg sg[2];
	struct hv_ring_pkt pkt;
	double t0, t1;
	int i, sig;

	memset(&d, 0, sizeof(d));
	d.type = VMBUS_PKT_DATA_INBAND;
	d.offset8 = 2;
	d.len8 = (sizeof(d) + PAYLOAD) / 8;
	sg[0].buf = &d;
	sg[0].len = sizeof(d);
	sg[1].buf = src;
	sg[1].len = PAYLOAD;
	t0 = now_ns();
	for (i = 0; i < ITERS; i++) {
		d.trans_id = i;
		if (hv_ring_write(r, sg, 2, &sig) ||
		    hv_ring_peek(r, &pkt, NULL, 0)) {
			fprintf(stderr, "bench: ring error\n");
			exit(0);
		}
		CLOBBER(pkt.bytes);
		hv_ring_consume(r, &pkt);
	}
	t1 = now_ns();
	return (t1 - t0) / ITERS;
}

static double batch_memcpy_hot(void)
{
	double t0, t1;
	int i;

	t0 = now_ns();
	for (i = 0; i < ITERS; i++) {
		memcpy(dst, src, PAYLOAD);
		CLOBBER(dst);
	}
	t1 = now_ns();
	return (t1 - t0) / ITERS;
}

static double batch_memcpy_walk(void)
{
	const u32 stride = HV_PKT_TOTAL(16 + PAYLOAD);
	double t0, t1;
	u32 pos = 0;
	int i;

	t0 = now_ns();
	for (i = 0; i < ITERS; i++) {
		memcpy(walk + pos, src, PAYLOAD);
		CLOBBER(walk);
		pos += stride;
		if (pos >= RING_SIZE)
			pos -= RING_SIZE;
	}
	t1 = now_ns();
	return (t1 - t0) / ITERS;
}

int main(void)
{
	static double ring[BATCHES], hot[BATCHES], wlk[BATCHES];
	struct test_ring t;
	double mr, mh, mw, r1, r3, h1, h3, w1, w3;
	int b;

	if (test_ring_alloc(&t, RING_SIZE, 1)) {
		printf("bench: cannot map a mirrored ring\n");
		return 0;
	}
	walk = malloc(2 * RING_SIZE);
	if (!walk) {
		printf("bench: out of memory\n");
		return 0;
	}
	memset(src, 0x5a, sizeof(src));
	memset(walk, 0, 2 * RING_SIZE);

	/* warm up: page faults, caches, branch predictors, frequency */
	for (b = 0; b < 50; b++) {
		batch_ring(&t.r);
		batch_memcpy_hot();
		batch_memcpy_walk();
	}
	for (b = 0; b < BATCHES; b++) {
		ring[b] = batch_ring(&t.r);
		hot[b] = batch_memcpy_hot();
		wlk[b] = batch_memcpy_walk();
	}
	mr = quartiles(ring, BATCHES, &r1, &r3);
	mh = quartiles(hot, BATCHES, &h1, &h3);
	mw = quartiles(wlk, BATCHES, &w1, &w3);

	printf("ring: mirrored %u KiB, packet = 16-byte descriptor + %u-byte "
	       "payload, read in place\n", RING_SIZE / 1024, PAYLOAD);
	printf("median of %d interleaved batches x %d iterations "
	       "(quartiles in brackets)\n", BATCHES, ITERS);
	printf("  write+peek+consume       %8.1f ns/op  [%.1f .. %.1f]\n",
	       mr, r1, r3);
	printf("  memcpy 4096 (hot)        %8.1f ns/op  [%.1f .. %.1f]\n",
	       mh, h1, h3);
	printf("  memcpy 4096 (ring-sized) %8.1f ns/op  [%.1f .. %.1f]\n",
	       mw, w1, w3);
	printf("ratio vs hot memcpy        %8.2f\n", mr / mh);
	printf("ratio vs ring-sized memcpy %8.2f\n", mr / mw);
	printf("target <= 1.3\n");
	free(walk);
	test_ring_free(&t);
	return 0;
}
