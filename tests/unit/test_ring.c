// SPDX-License-Identifier: GPL-2.0
/*
 * test_ring.c - ring buffer tests (fact sheet section C): round trips,
 * trailer, wrap-around (plain and mirrored), capacity rules, a seeded
 * random fill/drain against a reference model, signalling decisions,
 * pending_send_sz, interrupt masking and hostile indices / descriptors.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include "unit.h"

#define PAYLOAD_MAX	(64 * 1024)

static u8 payload[PAYLOAD_MAX];
static u8 bounce[PAYLOAD_MAX + 64];

static u8 pat(u32 seed, u32 i)
{
	return (u8)(seed * 131u + i * 7u + (i >> 8) + 1u);
}

static u32 pkt_total(u32 plen)
{
	return HV_PKT_TOTAL(sizeof(struct vmbus_pkt_desc) + plen);
}

/* Write an in-band packet of @plen payload bytes (pattern @seed). */
static int put(struct hv_ring *r, u64 tid, u32 plen, u32 seed, int *signal)
{
	struct vmbus_pkt_desc d;
	struct hv_ring_sg sg[2];
	u32 i;

	for (i = 0; i < plen; i++)
		payload[i] = pat(seed, i);
	memset(&d, 0, sizeof(d));
	d.type = VMBUS_PKT_DATA_INBAND;
	d.offset8 = sizeof(d) / 8;
	d.len8 = (u16)(HV_PKT_ALIGN8(sizeof(d) + plen) / 8);
	d.trans_id = tid;
	sg[0].buf = &d;
	sg[0].len = sizeof(d);
	sg[1].buf = payload;
	sg[1].len = plen;
	return hv_ring_write(r, sg, plen ? 2 : 1, signal);
}

/* Check a peeked packet against what put() wrote, trailer included. */
static void check_pkt(const struct test_ring *t, const struct hv_ring_pkt *pkt,
		      u64 tid, u32 plen, u32 seed)
{
	u32 i, len = HV_PKT_ALIGN8(sizeof(struct vmbus_pkt_desc) + plen);
	u32 tpos;
	u64 trailer;

	assert_int_equal(pkt->len, len);
	assert_ptr_equal(pkt->desc, pkt->bytes);
	assert_int_equal(pkt->desc->type, VMBUS_PKT_DATA_INBAND);
	assert_int_equal(pkt->desc->offset8, 2);
	assert_int_equal(pkt->desc->len8, len / 8);
	assert_int_equal(pkt->desc->trans_id, tid);
	for (i = 0; i < plen; i++)
		if (pkt->bytes[16 + i] != pat(seed, i))
			fail_msg("payload byte %u differs", i);
	for (i = 16 + plen; i < len; i++)
		assert_int_equal(pkt->bytes[i], 0);
	tpos = pkt->start + len;
	if (tpos >= t->size)
		tpos -= t->size;
	memcpy(&trailer, t->data + tpos, sizeof(trailer));
	assert_int_equal(trailer, (u64)pkt->start << 32);
}

static void set_empty_at(struct test_ring *t, u32 idx)
{
	t->hdr->write_index = idx;
	t->hdr->read_index = idx;
}

static void test_ring_init_attach(void **state)
{
	struct test_ring t;
	struct hv_ring r2;
	static struct hv_ring_header hdr;
	static u64 data[4104 / 8];

	(void)state;
	assert_int_equal(test_ring_alloc(&t, 8192, 0), 0);
	assert_int_equal(t.hdr->feature_bits, HV_RING_FEAT_PENDING_SEND_SZ);
	assert_int_equal(t.hdr->write_index, 0);
	assert_int_equal(t.hdr->read_index, 0);
	assert_int_equal(t.hdr->interrupt_mask, 0);
	assert_int_equal(t.hdr->pending_send_sz, 0);
	t.hdr->write_index = 64;
	assert_int_equal(hv_ring_attach(&r2, t.hdr, t.data, 8192, 0), 0);
	assert_int_equal(t.hdr->write_index, 64);
	assert_int_equal(hv_ring_bytes_used(&r2), 64);
	test_ring_free(&t);

	assert_int_equal(hv_ring_init(&r2, &hdr, data, 4104, 0), 0);
	assert_int_equal(hv_ring_init(&r2, &hdr, data, 4096, 1), 0);
	assert_int_equal(r2.mirrored, 1);
	assert_int_equal(hv_ring_init(&r2, &hdr, data, 4088, 0), -EINVAL);
	assert_int_equal(hv_ring_init(&r2, &hdr, data, 4100, 0), -EINVAL);
	assert_int_equal(hv_ring_init(&r2, NULL, data, 4096, 0), -EINVAL);
	assert_int_equal(hv_ring_init(&r2, &hdr, NULL, 4096, 0), -EINVAL);
	assert_int_equal(hv_ring_init(NULL, &hdr, data, 4096, 0), -EINVAL);
	assert_int_equal(hv_ring_attach(&r2, &hdr, data, 4, 0), -EINVAL);
}

static void test_ring_empty(void **state)
{
	struct test_ring t;
	struct hv_ring_pkt pkt;

	(void)state;
	assert_int_equal(test_ring_alloc(&t, 4096, 0), 0);
	assert_int_equal(hv_ring_peek(&t.r, &pkt, bounce, sizeof(bounce)),
			 -EAGAIN);
	assert_int_equal(hv_ring_bytes_used(&t.r), 0);
	assert_int_equal(hv_ring_bytes_free(&t.r), 4096);
	set_empty_at(&t, 4088);
	assert_int_equal(hv_ring_peek(&t.r, &pkt, NULL, 0), -EAGAIN);
	test_ring_free(&t);
}

static void test_ring_roundtrip(void **state)
{
	struct test_ring t;
	struct hv_ring_pkt pkt;
	int sig;

	(void)state;
	assert_int_equal(test_ring_alloc(&t, 4096, 0), 0);
	assert_int_equal(put(&t.r, 0x1122334455667788ULL, 100, 1, &sig), 0);
	assert_int_equal(sig, 1);
	/* 16 + 100 = 116 -> 120, + 8 trailer */
	assert_int_equal(t.hdr->write_index, 128);
	assert_int_equal(t.hdr->read_index, 0);
	assert_int_equal(hv_ring_bytes_used(&t.r), 128);
	assert_int_equal(hv_ring_bytes_free(&t.r), 4096 - 128);
	assert_int_equal(hv_ring_peek(&t.r, &pkt, NULL, 0), 0);
	assert_int_equal(pkt.start, 0);
	assert_ptr_equal(pkt.bytes, t.data);
	check_pkt(&t, &pkt, 0x1122334455667788ULL, 100, 1);
	/* peek does not consume */
	assert_int_equal(hv_ring_peek(&t.r, &pkt, NULL, 0), 0);
	assert_int_equal(hv_ring_consume(&t.r, &pkt), 0);
	assert_int_equal(t.hdr->read_index, 128);
	assert_int_equal(hv_ring_peek(&t.r, &pkt, NULL, 0), -EAGAIN);

	/* second packet: trailer carries its own start index */
	assert_int_equal(put(&t.r, 2, 0, 2, &sig), 0);
	assert_int_equal(sig, 1);
	assert_int_equal(hv_ring_peek(&t.r, &pkt, NULL, 0), 0);
	assert_int_equal(pkt.start, 128);
	check_pkt(&t, &pkt, 2, 0, 2);
	{
		u64 trailer;

		memcpy(&trailer, t.data + 128 + 16, 8);
		print_message("    trailer after packet at 128: %#llx\n",
			      (unsigned long long)trailer);
		assert_int_equal(trailer, 128ULL << 32);
	}
	hv_ring_consume(&t.r, &pkt);
	test_ring_free(&t);
}

/* Several gather pieces, odd lengths, explicit extra padding in len8. */
static void test_ring_gather_padding(void **state)
{
	struct test_ring t;
	struct hv_ring_pkt pkt;
	struct vmbus_pkt_desc d;
	struct hv_ring_sg sg[4];
	u8 a[3] = { 1, 2, 3 }, b[5] = { 4, 5, 6, 7, 8 };
	u32 i;

	(void)state;
	assert_int_equal(test_ring_alloc(&t, 4096, 0), 0);
	memset(t.data, 0xaa, 4096);
	memset(&d, 0, sizeof(d));
	d.type = VMBUS_PKT_COMP;
	d.offset8 = 2;
	d.len8 = 6;		/* 48 bytes: 16 + 3 + 0 + 5 = 24, pad 24 */
	d.trans_id = 77;
	sg[0].buf = &d;
	sg[0].len = sizeof(d);
	sg[1].buf = a;
	sg[1].len = 3;
	sg[2].buf = NULL;
	sg[2].len = 0;
	sg[3].buf = b;
	sg[3].len = 5;
	assert_int_equal(hv_ring_write(&t.r, sg, 4, NULL), 0);
	assert_int_equal(t.hdr->write_index, 56);
	assert_int_equal(hv_ring_peek(&t.r, &pkt, NULL, 0), 0);
	assert_int_equal(pkt.len, 48);
	assert_memory_equal(pkt.bytes + 16, a, 3);
	assert_memory_equal(pkt.bytes + 19, b, 5);
	for (i = 24; i < 48; i++)
		assert_int_equal(pkt.bytes[i], 0);
	assert_int_equal(t.data[56], 0xaa);	/* nothing past the trailer */
	test_ring_free(&t);
}

/* Bad writes are refused and leave the ring untouched. */
static void test_ring_write_einval(void **state)
{
	struct test_ring t;
	struct vmbus_pkt_desc d;
	struct hv_ring_sg sg[2];
	int sig = 5;

	(void)state;
	assert_int_equal(test_ring_alloc(&t, 4096, 0), 0);
	memset(t.data, 0x55, 4096);
	memset(&d, 0, sizeof(d));
	d.offset8 = 2;
	d.len8 = 2;
	sg[0].buf = &d;
	sg[0].len = 16;
	sg[1].buf = payload;
	sg[1].len = 8;

	assert_int_equal(hv_ring_write(&t.r, sg, 0, &sig), -EINVAL);
	assert_int_equal(sig, 0);
	assert_int_equal(hv_ring_write(&t.r, NULL, 1, NULL), -EINVAL);
	sg[0].len = 15;
	assert_int_equal(hv_ring_write(&t.r, sg, 1, NULL), -EINVAL);
	sg[0].len = 16;
	/* pieces (24 bytes) longer than len8 * 8 (16) */
	assert_int_equal(hv_ring_write(&t.r, sg, 2, NULL), -EINVAL);
	/* a huge piece must not wrap the length sum */
	sg[1].len = 0xfffffff8u;
	d.len8 = 4;
	assert_int_equal(hv_ring_write(&t.r, sg, 2, NULL), -EINVAL);
	sg[1].len = 8;
	sg[1].buf = NULL;
	assert_int_equal(hv_ring_write(&t.r, sg, 2, NULL), -EINVAL);
	/* packet + trailer == ring size can never fit */
	d.len8 = (4096 - 8) / 8;
	assert_int_equal(hv_ring_write(&t.r, sg, 1, NULL), -EINVAL);
	d.len8 = 0xffff;
	assert_int_equal(hv_ring_write(&t.r, sg, 1, NULL), -EINVAL);
	/* the largest packet that can ever fit: T = size - 8 */
	d.len8 = (4096 - 16) / 8;
	assert_int_equal(t.hdr->write_index, 0);
	assert_int_equal(t.data[0], 0x55);
	assert_int_equal(hv_ring_write(&t.r, sg, 1, NULL), 0);
	assert_int_equal(hv_ring_bytes_free(&t.r), 8);
	test_ring_free(&t);
}

/*
 * Wrap-around on a plain ring: descriptor straddling the end, payload
 * straddling the end, trailer landing at 0, and -ENOBUFS.
 */
static void test_ring_wrap_plain(void **state)
{
	static const u32 starts[] = { 4088, 4080, 4000, 3968 };
	struct test_ring t;
	struct hv_ring_pkt pkt;
	unsigned int i;
	u32 plen = 200, len = HV_PKT_ALIGN8(16 + 200);

	(void)state;
	for (i = 0; i < ARRAY_SIZE(starts); i++) {
		assert_int_equal(test_ring_alloc(&t, 4096, 0), 0);
		set_empty_at(&t, starts[i]);
		assert_int_equal(put(&t.r, i + 1, plen, i, NULL), 0);
		assert_int_equal(t.hdr->write_index,
				 starts[i] + pkt_total(plen) - 4096);
		print_message("    start %u: write_index now %u\n", starts[i],
			      t.hdr->write_index);

		memset(&pkt, 0, sizeof(pkt));
		assert_int_equal(hv_ring_peek(&t.r, &pkt, NULL, 0), -ENOBUFS);
		assert_int_equal(pkt.len, len);
		assert_int_equal(hv_ring_peek(&t.r, &pkt, bounce, len - 1),
				 -ENOBUFS);
		assert_int_equal(pkt.len, len);
		assert_int_equal(hv_ring_peek(&t.r, &pkt, bounce, len), 0);
		assert_ptr_equal(pkt.bytes, bounce);
		assert_int_equal(pkt.start, starts[i]);
		check_pkt(&t, &pkt, i + 1, plen, i);
		assert_int_equal(hv_ring_consume(&t.r, &pkt), 0);
		assert_int_equal(t.hdr->read_index, t.hdr->write_index);
		test_ring_free(&t);
	}

	/* packet ends exactly at the end: trailer at 4088, write_index 0 */
	assert_int_equal(test_ring_alloc(&t, 4096, 0), 0);
	set_empty_at(&t, 4096 - pkt_total(plen) - 8);
	assert_int_equal(put(&t.r, 9, plen, 9, NULL), 0);
	assert_int_equal(t.hdr->write_index, 4088);
	hv_ring_peek(&t.r, &pkt, NULL, 0);
	hv_ring_consume(&t.r, &pkt);
	assert_int_equal(put(&t.r, 10, 8, 10, NULL), 0);
	assert_int_equal(hv_ring_peek(&t.r, &pkt, bounce, sizeof(bounce)), 0);
	assert_ptr_equal(pkt.bytes, bounce);
	check_pkt(&t, &pkt, 10, 8, 10);
	hv_ring_consume(&t.r, &pkt);
	set_empty_at(&t, 4096 - pkt_total(plen));
	assert_int_equal(put(&t.r, 11, plen, 11, NULL), 0);
	assert_int_equal(t.hdr->write_index, 0);
	assert_int_equal(hv_ring_peek(&t.r, &pkt, NULL, 0), 0);
	assert_ptr_equal(pkt.bytes, t.data + 4096 - pkt_total(plen));
	check_pkt(&t, &pkt, 11, plen, 11);
	test_ring_free(&t);
}

/* Mirrored ring: wrapped packets are returned in place, across the end. */
static void test_ring_wrap_mirrored(void **state)
{
	static const u32 starts[] = { 4088, 4080, 4000, 0, 2048 };
	struct test_ring t;
	struct hv_ring_pkt pkt;
	unsigned int i;
	u32 plen = 1000;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(starts); i++) {
		assert_int_equal(test_ring_alloc(&t, 4096, 1), 0);
		set_empty_at(&t, starts[i]);
		assert_int_equal(put(&t.r, i + 1, plen, i, NULL), 0);
		assert_int_equal(hv_ring_peek(&t.r, &pkt, NULL, 0), 0);
		assert_ptr_equal(pkt.bytes, t.data + starts[i]);
		check_pkt(&t, &pkt, i + 1, plen, i);
		/* what was written past the end is at the start too */
		if (starts[i] + pkt.len > 4096)
			assert_memory_equal(t.data, t.data + 4096,
					    starts[i] + pkt.len - 4096);
		assert_int_equal(hv_ring_consume(&t.r, &pkt), 0);
		assert_int_equal(hv_ring_bytes_used(&t.r), 0);
		test_ring_free(&t);
	}
}

/*
 * A mirrored and a plain view of the same memory: what one writes across
 * the end the other reads back identically, both ways.
 */
static void test_ring_wrap_interop(void **state)
{
	struct test_ring t;
	struct hv_ring plain;
	struct hv_ring_pkt pkt;

	(void)state;
	assert_int_equal(test_ring_alloc(&t, 8192, 1), 0);
	assert_int_equal(hv_ring_attach(&plain, t.hdr, t.data, 8192, 0), 0);
	set_empty_at(&t, 8192 - 104);
	assert_int_equal(put(&t.r, 1, 3000, 1, NULL), 0);
	assert_int_equal(hv_ring_peek(&plain, &pkt, bounce, sizeof(bounce)), 0);
	assert_ptr_equal(pkt.bytes, bounce);
	check_pkt(&t, &pkt, 1, 3000, 1);
	hv_ring_consume(&plain, &pkt);

	set_empty_at(&t, 8192 - 8);
	assert_int_equal(put(&plain, 2, 5000, 2, NULL), 0);
	assert_int_equal(hv_ring_peek(&t.r, &pkt, NULL, 0), 0);
	assert_ptr_equal(pkt.bytes, t.data + 8192 - 8);
	check_pkt(&t, &pkt, 2, 5000, 2);
	hv_ring_consume(&t.r, &pkt);
	test_ring_free(&t);
}

/* free == needed -> -EAGAIN; free == needed + 8 -> ok (C.2 capacity) */
static void test_ring_exact_fit(void **state)
{
	struct test_ring t;
	u32 free_now, plen;
	int m;

	(void)state;
	for (m = 0; m < 2; m++) {
		assert_int_equal(test_ring_alloc(&t, 4096, m), 0);
		set_empty_at(&t, 1024);	/* also exercises the wrap */
		assert_int_equal(put(&t.r, 1, 1000, 1, NULL), 0);
		free_now = hv_ring_bytes_free(&t.r);
		assert_int_equal(free_now, 4096 - pkt_total(1000));
		/* T == free */
		plen = free_now - 8 - 16;
		assert_int_equal(pkt_total(plen), free_now);
		assert_int_equal(put(&t.r, 2, plen, 2, NULL), -EAGAIN);
		assert_int_equal(hv_ring_bytes_free(&t.r), free_now);
		/* T == free - 8 */
		plen -= 8;
		assert_int_equal(put(&t.r, 2, plen, 2, NULL), 0);
		assert_int_equal(hv_ring_bytes_free(&t.r), 8);
		/* now nothing fits, not even an empty packet (T = 24) */
		assert_int_equal(put(&t.r, 3, 0, 3, NULL), -EAGAIN);
		print_message("    %s: free %u, T %u refused, T %u accepted\n",
			      m ? "mirrored" : "plain", free_now, free_now,
			      free_now - 8);
		test_ring_free(&t);
	}
}

/* Fill with fixed-size packets until -EAGAIN, then drain in order. */
static void test_ring_full(void **state)
{
	struct test_ring t;
	struct hv_ring_pkt pkt;
	u32 n = 0, i, T = pkt_total(100);
	int sig;

	(void)state;
	assert_int_equal(test_ring_alloc(&t, 8192, 0), 0);
	while (put(&t.r, n + 1, 100, n, &sig) == 0) {
		assert_int_equal(sig, n == 0);
		n++;
	}
	print_message("    %u packets of %u bytes in 8192, %u free\n", n, T,
		      hv_ring_bytes_free(&t.r));
	assert_int_equal(n, (8192 - 1) / T);
	assert_true(hv_ring_bytes_free(&t.r) <= T);
	assert_true(hv_ring_bytes_free(&t.r) > 0);
	assert_int_equal(hv_ring_bytes_used(&t.r) + hv_ring_bytes_free(&t.r),
			 8192);
	for (i = 0; i < n; i++) {
		assert_int_equal(hv_ring_peek(&t.r, &pkt, bounce,
					      sizeof(bounce)), 0);
		check_pkt(&t, &pkt, i + 1, 100, i);
		hv_ring_consume(&t.r, &pkt);
	}
	assert_int_equal(hv_ring_peek(&t.r, &pkt, bounce, sizeof(bounce)),
			 -EAGAIN);
	test_ring_free(&t);
}

/* ---- random fill/drain against a reference model ------------------------ */

struct model_pkt {
	u32 plen;
	u32 seed;
	u64 tid;
};

#define MODEL_Q	4096

static void run_model(u32 size, int mirrored, u64 seed, unsigned int steps)
{
	static struct model_pkt q[MODEL_Q];
	struct test_ring t;
	struct hv_ring_pkt pkt;
	struct prng rng;
	u32 head = 0, tail = 0, used = 0, plen, T, blen;
	u32 writes = 0, reads = 0, refused = 0, nobufs = 0, wraps = 0;
	u64 tid = 1;
	unsigned int s;
	int ret, sig;

	assert_int_equal(test_ring_alloc(&t, size, mirrored), 0);
	prng_seed(&rng, seed);
	for (s = 0; s < steps; s++) {
		if (head == tail || prng_below(&rng, 100) < 55) {
			switch (prng_below(&rng, 4)) {
			case 0:
				plen = prng_below(&rng, 64);
				break;
			case 1:
				plen = prng_below(&rng, 512);
				break;
			case 2:
				plen = prng_below(&rng, size / 2);
				break;
			default:
				plen = prng_below(&rng, size);
				break;
			}
			T = pkt_total(plen);
			ret = put(&t.r, tid, plen, (u32)tid, &sig);
			if (T >= size) {
				assert_int_equal(ret, -EINVAL);
			} else if (size - used > T) {
				assert_int_equal(ret, 0);
				assert_int_equal(sig, used == 0);
				assert_true(head - tail < MODEL_Q);
				q[head % MODEL_Q].plen = plen;
				q[head % MODEL_Q].seed = (u32)tid;
				q[head % MODEL_Q].tid = tid;
				head++;
				used += T;
				writes++;
				tid++;
			} else {
				assert_int_equal(ret, -EAGAIN);
				assert_int_equal(sig, 0);
				refused++;
			}
		} else {
			const struct model_pkt *m = &q[tail % MODEL_Q];
			u32 len = HV_PKT_ALIGN8(16 + m->plen);
			u32 rd = t.hdr->read_index;
			int wraps_here = rd + len > size;

			blen = prng_below(&rng, 8) == 0 ? len - 8 : len;
			ret = hv_ring_peek(&t.r, &pkt, bounce, blen);
			if (wraps_here && !mirrored && blen < len) {
				assert_int_equal(ret, -ENOBUFS);
				assert_int_equal(pkt.len, len);
				nobufs++;
				ret = hv_ring_peek(&t.r, &pkt, bounce, len);
			}
			assert_int_equal(ret, 0);
			if (wraps_here)
				wraps++;
			assert_ptr_equal(pkt.bytes, wraps_here && !mirrored ?
					 bounce : t.data + rd);
			check_pkt(&t, &pkt, m->tid, m->plen, m->seed);
			assert_int_equal(hv_ring_consume(&t.r, &pkt), 0);
			used -= len + 8;
			tail++;
			reads++;
		}
		assert_int_equal(hv_ring_bytes_used(&t.r), used);
		assert_int_equal(hv_ring_bytes_free(&t.r), size - used);
	}
	while (head != tail) {
		const struct model_pkt *m = &q[tail % MODEL_Q];

		assert_int_equal(hv_ring_peek(&t.r, &pkt, bounce,
					      sizeof(bounce)), 0);
		check_pkt(&t, &pkt, m->tid, m->plen, m->seed);
		hv_ring_consume(&t.r, &pkt);
		tail++;
	}
	assert_int_equal(hv_ring_peek(&t.r, &pkt, bounce, sizeof(bounce)),
			 -EAGAIN);
	print_message("    size %5u %-8s seed %#llx: %u writes, %u reads "
		      "(%u wrapped), %u refused full, %u -ENOBUFS\n", size,
		      mirrored ? "mirrored" : "plain",
		      (unsigned long long)seed, writes, reads, wraps, refused,
		      nobufs);
	assert_true(wraps > 0);
	assert_true(refused > 0);
	test_ring_free(&t);
}

static void test_ring_random_plain(void **state)
{
	(void)state;
	run_model(4096, 0, 0x1234, 20000);
	run_model(4104, 0, 0x5678, 20000);
	run_model(65536, 0, 0x9abc, 20000);
}

static void test_ring_random_mirrored(void **state)
{
	(void)state;
	run_model(4096, 1, 0x4321, 20000);
	run_model(65536, 1, 0x8765, 20000);
}

/* ---- signalling (C.3) --------------------------------------------------- */

static void test_ring_signal(void **state)
{
	struct test_ring t;
	struct hv_ring_pkt pkt;
	int sig;

	(void)state;
	assert_int_equal(test_ring_alloc(&t, 8192, 0), 0);
	/* empty -> non-empty signals */
	assert_int_equal(put(&t.r, 1, 10, 1, &sig), 0);
	assert_int_equal(sig, 1);
	/* non-empty -> non-empty does not */
	assert_int_equal(put(&t.r, 2, 10, 2, &sig), 0);
	assert_int_equal(sig, 0);
	/* reader took one, ring still non-empty */
	hv_ring_peek(&t.r, &pkt, NULL, 0);
	hv_ring_consume(&t.r, &pkt);
	assert_int_equal(put(&t.r, 3, 10, 3, &sig), 0);
	assert_int_equal(sig, 0);
	/* drained: next write signals again */
	while (hv_ring_peek(&t.r, &pkt, NULL, 0) == 0)
		hv_ring_consume(&t.r, &pkt);
	assert_int_equal(put(&t.r, 4, 10, 4, &sig), 0);
	assert_int_equal(sig, 1);
	/* the reader masked interrupts: no signal even on empty -> non-empty */
	hv_ring_peek(&t.r, &pkt, NULL, 0);
	hv_ring_consume(&t.r, &pkt);
	hv_ring_mask_interrupts(&t.r);
	assert_int_equal(t.hdr->interrupt_mask, 1);
	assert_int_equal(put(&t.r, 5, 10, 5, &sig), 0);
	assert_int_equal(sig, 0);
	/* any non-zero mask value counts */
	hv_ring_peek(&t.r, &pkt, NULL, 0);
	hv_ring_consume(&t.r, &pkt);
	t.hdr->interrupt_mask = 0x100;
	assert_int_equal(put(&t.r, 6, 10, 6, &sig), 0);
	assert_int_equal(sig, 0);
	/* refused write: signal cleared, not left stale */
	hv_ring_peek(&t.r, &pkt, NULL, 0);
	hv_ring_consume(&t.r, &pkt);
	t.hdr->interrupt_mask = 0;
	sig = 1;
	assert_int_equal(put(&t.r, 7, 9000, 7, &sig), -EINVAL);
	assert_int_equal(sig, 0);
	/* a NULL signal pointer is allowed */
	assert_int_equal(put(&t.r, 8, 10, 8, NULL), 0);
	test_ring_free(&t);
}

/*
 * pending_send_sz: the consumer signals only when a read moves free space
 * from <= pending_send_sz to > pending_send_sz, with the feature bit set.
 * Setup: 8192-byte ring, 7 packets of 1024 bytes: free 1024 before the
 * read, 2048 after.
 */
static int pending_case(u32 pend, int feature)
{
	struct test_ring t;
	struct hv_ring_pkt pkt;
	int i, ret;

	assert_int_equal(test_ring_alloc(&t, 8192, 0), 0);
	for (i = 0; i < 7; i++)
		assert_int_equal(put(&t.r, i + 1, 1000, i, NULL), 0);
	assert_int_equal(pkt_total(1000), 1024);
	assert_int_equal(hv_ring_bytes_free(&t.r), 1024);
	hv_ring_set_pending_send(&t.r, pend);
	assert_int_equal(t.hdr->pending_send_sz, pend);
	if (!feature)
		t.hdr->feature_bits = 0;
	assert_int_equal(hv_ring_peek(&t.r, &pkt, NULL, 0), 0);
	ret = hv_ring_consume(&t.r, &pkt);
	assert_int_equal(hv_ring_bytes_free(&t.r), 2048);
	print_message("    pending_send_sz %4u feature %d: free 1024 -> 2048,"
		      " signal %d\n", pend, feature, ret);
	test_ring_free(&t);
	return ret;
}

static void test_ring_pending_send(void **state)
{
	(void)state;
	assert_int_equal(pending_case(0, 1), 0);	/* not armed */
	assert_int_equal(pending_case(1023, 1), 0);	/* was already above */
	assert_int_equal(pending_case(1024, 1), 1);	/* exactly at: before */
	assert_int_equal(pending_case(1500, 1), 1);	/* crossed */
	assert_int_equal(pending_case(2047, 1), 1);	/* just crossed */
	assert_int_equal(pending_case(2048, 1), 0);	/* exactly at: after */
	assert_int_equal(pending_case(4000, 1), 0);	/* still below */
	assert_int_equal(pending_case(1500, 0), 0);	/* feature bit off */
}

/* Crossing detected when the read empties a ring that wrapped. */
static void test_ring_pending_send_wrap(void **state)
{
	struct test_ring t;
	struct hv_ring_pkt pkt;

	(void)state;
	assert_int_equal(test_ring_alloc(&t, 4096, 1), 0);
	set_empty_at(&t, 4000);
	assert_int_equal(put(&t.r, 1, 2000, 1, NULL), 0);
	hv_ring_set_pending_send(&t.r, 4000);
	assert_int_equal(hv_ring_peek(&t.r, &pkt, NULL, 0), 0);
	assert_int_equal(hv_ring_consume(&t.r, &pkt), 1);
	assert_int_equal(hv_ring_bytes_free(&t.r), 4096);
	test_ring_free(&t);
}

static void test_ring_mask_unmask(void **state)
{
	struct test_ring t;
	struct hv_ring_pkt pkt;

	(void)state;
	assert_int_equal(test_ring_alloc(&t, 8192, 0), 0);
	hv_ring_mask_interrupts(&t.r);
	assert_int_equal(t.hdr->interrupt_mask, 1);
	assert_int_equal(hv_ring_unmask_interrupts(&t.r), 0);
	assert_int_equal(t.hdr->interrupt_mask, 0);

	/* data arriving while masked is reported on unmask */
	hv_ring_mask_interrupts(&t.r);
	assert_int_equal(put(&t.r, 1, 100, 1, NULL), 0);
	assert_int_equal(put(&t.r, 2, 200, 2, NULL), 0);
	assert_int_equal(hv_ring_unmask_interrupts(&t.r),
			 pkt_total(100) + pkt_total(200));
	hv_ring_peek(&t.r, &pkt, NULL, 0);
	hv_ring_consume(&t.r, &pkt);
	assert_int_equal(hv_ring_unmask_interrupts(&t.r), pkt_total(200));
	hv_ring_peek(&t.r, &pkt, NULL, 0);
	hv_ring_consume(&t.r, &pkt);
	assert_int_equal(hv_ring_unmask_interrupts(&t.r), 0);
	test_ring_free(&t);
}

/* ---- hostile peer ------------------------------------------------------- */

static void test_ring_hostile_indices(void **state)
{
	static const u32 bad[][2] = {	/* { write_index, read_index } */
		{ 4096, 0 }, { 4104, 0 }, { 0xfffffff8u, 0 }, { 4, 0 },
		{ 4092, 0 }, { 0, 4096 }, { 0, 8192 }, { 64, 12 },
		{ 64, 0xffffffffu }, { 4095, 4095 }, { 1, 1 },
	};
	struct test_ring t;
	struct hv_ring_pkt pkt;
	unsigned int i, m;
	int sig;

	(void)state;
	for (m = 0; m < 2; m++) {
		assert_int_equal(test_ring_alloc(&t, 4096, m), 0);
		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			t.hdr->write_index = bad[i][0];
			t.hdr->read_index = bad[i][1];
			assert_int_equal(hv_ring_peek(&t.r, &pkt, bounce,
						      sizeof(bounce)),
					 -EBADMSG);
			assert_int_equal(hv_ring_bytes_used(&t.r), 0);
			assert_int_equal(hv_ring_bytes_free(&t.r), 0);
			assert_int_equal(put(&t.r, 1, 8, 1, &sig), -EAGAIN);
			assert_int_equal(sig, 0);
			assert_int_equal(hv_ring_unmask_interrupts(&t.r), 0);
			/* nothing was published */
			assert_int_equal(t.hdr->write_index, bad[i][0]);
		}
		test_ring_free(&t);
	}
}

/*
 * Hostile descriptors. The packet is placed in the last 8 bytes of the
 * data area so that any read driven by an unchecked len8 would run past
 * the end: ASan (plain) or the guard page (mirrored) would catch it.
 */
static void hostile_desc(int mirrored)
{
	struct {
		u16 offset8, len8;
		int want;
	} c[] = {
		{ 2, 0, -EBADMSG },	/* len8 0 */
		{ 2, 1, -EBADMSG },	/* len8 1 */
		{ 0, 2, -EBADMSG },	/* offset8 below the descriptor */
		{ 1, 2, -EBADMSG },
		{ 3, 2, -EBADMSG },	/* offset8 > len8 */
		{ 0xffff, 2, -EBADMSG },
		{ 2, 3, -EBADMSG },	/* 24 + 8 > 24 available */
		{ 2, 0xffff, -EBADMSG },
		{ 2, 2, 0 },		/* exactly what is available */
	};
	struct test_ring t;
	struct hv_ring_pkt pkt;
	unsigned int i, j;
	u32 w0, w1, sum;

	assert_int_equal(test_ring_alloc(&t, 4096, mirrored), 0);
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		t.hdr->read_index = 4088;
		t.hdr->write_index = 16;	/* 24 bytes available */
		w0 = VMBUS_PKT_DATA_INBAND | (u32)c[i].offset8 << 16;
		w1 = c[i].len8;
		memcpy(t.data + 4088, &w0, 4);
		memcpy(t.data + 4092, &w1, 4);
		assert_int_equal(hv_ring_peek(&t.r, &pkt, bounce,
					      sizeof(bounce)), c[i].want);
		if (c[i].want)
			continue;
		/* touch every byte of what was accepted */
		for (sum = 0, j = 0; j < pkt.len; j++)
			sum += pkt.bytes[j];
		(void)sum;
		assert_int_equal(pkt.len, 16);
	}

	/* len8 one unit larger than the largest possible packet */
	t.hdr->read_index = 0;
	t.hdr->write_index = 4088;	/* size - 8 available: maximum */
	w0 = VMBUS_PKT_DATA_INBAND | 2u << 16;
	w1 = 4088 / 8;
	memcpy(t.data, &w0, 4);
	memcpy(t.data + 4, &w1, 4);
	assert_int_equal(hv_ring_peek(&t.r, &pkt, NULL, 0), -EBADMSG);
	w1 = 4080 / 8;
	memcpy(t.data + 4, &w1, 4);
	assert_int_equal(hv_ring_peek(&t.r, &pkt, NULL, 0), 0);
	assert_int_equal(pkt.len, 4080);
	for (sum = 0, j = 0; j < pkt.len; j++)
		sum += pkt.bytes[j];

	/* read_index ahead of write_index by less than a packet */
	t.hdr->read_index = 4000;
	t.hdr->write_index = 4008;	/* only 8 bytes */
	w1 = 2;
	memcpy(t.data + 4000, &w0, 4);
	memcpy(t.data + 4004, &w1, 4);
	assert_int_equal(hv_ring_peek(&t.r, &pkt, NULL, 0), -EBADMSG);
	test_ring_free(&t);
}

static void test_ring_hostile_desc_plain(void **state)
{
	(void)state;
	hostile_desc(0);
}

static void test_ring_hostile_desc_mirrored(void **state)
{
	(void)state;
	hostile_desc(1);
}

/* A bounced packet's descriptor agrees with pkt->len. */
static void test_ring_bounce_snapshot(void **state)
{
	struct test_ring t;
	struct hv_ring_pkt pkt;

	(void)state;
	assert_int_equal(test_ring_alloc(&t, 4096, 0), 0);
	set_empty_at(&t, 4064);
	assert_int_equal(put(&t.r, 1, 100, 1, NULL), 0);
	assert_int_equal(hv_ring_peek(&t.r, &pkt, bounce, sizeof(bounce)), 0);
	assert_int_equal(pkt.desc->len8 * 8, pkt.len);
	assert_int_equal(pkt.desc->offset8, 2);
	test_ring_free(&t);
}

/* consume() ignores a packet that cannot have come from peek(). */
static void test_ring_consume_bad_pkt(void **state)
{
	struct test_ring t;
	struct hv_ring_pkt pkt;

	(void)state;
	assert_int_equal(test_ring_alloc(&t, 4096, 0), 0);
	assert_int_equal(put(&t.r, 1, 100, 1, NULL), 0);
	hv_ring_set_pending_send(&t.r, 4000);
	assert_int_equal(hv_ring_peek(&t.r, &pkt, NULL, 0), 0);
	pkt.start = 4;
	assert_int_equal(hv_ring_consume(&t.r, &pkt), 0);
	pkt.start = 4096;
	assert_int_equal(hv_ring_consume(&t.r, &pkt), 0);
	pkt.start = 0;
	pkt.len = 4088;
	assert_int_equal(hv_ring_consume(&t.r, &pkt), 0);
	pkt.len = 12;
	assert_int_equal(hv_ring_consume(&t.r, &pkt), 0);
	assert_int_equal(t.hdr->read_index, 0);
	/* and a corrupt write_index at consume time does not signal */
	pkt.len = 120;
	t.hdr->write_index = 4092;
	assert_int_equal(hv_ring_consume(&t.r, &pkt), 0);
	assert_int_equal(t.hdr->read_index, 128);
	test_ring_free(&t);
}

const struct CMUnitTest ring_tests[] = {
	cmocka_unit_test(test_ring_init_attach),
	cmocka_unit_test(test_ring_empty),
	cmocka_unit_test(test_ring_roundtrip),
	cmocka_unit_test(test_ring_gather_padding),
	cmocka_unit_test(test_ring_write_einval),
	cmocka_unit_test(test_ring_wrap_plain),
	cmocka_unit_test(test_ring_wrap_mirrored),
	cmocka_unit_test(test_ring_wrap_interop),
	cmocka_unit_test(test_ring_exact_fit),
	cmocka_unit_test(test_ring_full),
	cmocka_unit_test(test_ring_random_plain),
	cmocka_unit_test(test_ring_random_mirrored),
	cmocka_unit_test(test_ring_signal),
	cmocka_unit_test(test_ring_pending_send),
	cmocka_unit_test(test_ring_pending_send_wrap),
	cmocka_unit_test(test_ring_mask_unmask),
	cmocka_unit_test(test_ring_hostile_indices),
	cmocka_unit_test(test_ring_hostile_desc_plain),
	cmocka_unit_test(test_ring_hostile_desc_mirrored),
	cmocka_unit_test(test_ring_bounce_snapshot),
	cmocka_unit_test(test_ring_consume_bad_pkt),
};
const size_t ring_ntests = ARRAY_SIZE(ring_tests);
