// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_ring.c - libFuzzer target: the ring buffer (src/core/ring.c) over
 * a header page and data area the host wrote.
 *
 * Input (little-endian; missing bytes read as 0):
 *   @0  flags: bit 7 mirrored ring (4096 bytes mapped twice between guard
 *       pages), bit 6 indices made 8-aligned and in range (goes deeper),
 *       bit 5 interrupt_mask, bit 4 the host rewrites read_index between
 *       peek and consume, bit 3 the host rewrites the descriptor's len8
 *       and flags (with the same u32) in place after the peek, bits 0-2
 *       extra data size (plain ring: 4096 + 8 * n bytes, allocated at
 *       exactly that size)
 *   @1  bounce buffer size / 32          @2  len8 of the packet we write / 2
 *   @3  payload bytes we write / 8       @4  write_index   @8  read_index
 *   @12 pending_send_sz  @16 feature_bits
 *   @20 what the host writes after the peek (read_index, descriptor)
 *   @24 the data area's pattern, repeated (none: zeroes)
 *
 * Up to 64 packets are peeked, copied out, consumed and validated as
 * hv_channel_read() does, then one packet is written.
 *
 * Contracts checked: bytes used and free agree with the indices (both 0
 * when an index is bad) and used <= size - 8; hv_ring_peek() refuses
 * exactly the descriptors and indices hv_ring.h says it refuses, and an
 * accepted packet (len8 * 8 bytes plus trailer within the used bytes) is
 * in place only when it does not wrap (or the ring is mirrored), else in
 * the bounce buffer with the ring's bytes; hv_ring_consume() moves
 * read_index to start + len + 8 whatever the host wrote there, and asks
 * for a signal only when free space crossed pending_send_sz;
 * hv_ring_write() changes nothing on error, and on success writes only
 * its packet and trailer, at write_index, padded with zeroes, and
 * signals only as C.3 says.
 */
#include "hv_ring.h"
#include "hv_chmsg.h"
#include "support.h"
#include "fuzz.h"

struct ring_in {
	u8 flags, bounce32, wlen8, wpay8;
	u32 w, rd, pend, feat, host_rd;
	const u8 *pat;
	u32 patlen;
};

static struct test_ring mring;
static int mring_ok;
static u8 payload[255 * 8];
static volatile u32 sink;

static int idx_ok(u32 size, u32 i)
{
	return i < size && !(i & 7);
}

static u32 used_of(u32 size, u32 w, u32 rd)
{
	return (w + size - rd) % size;
}

static u32 rd32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return v;
}

/* One peek/copy/consume/validate; returns 0 to go on, 1 to stop. */
static int read_one(struct hv_ring *r, const struct ring_in *ri, u8 *bounce,
		    u32 blen)
{
	u32 size = r->size, rd, w, used, w0, w1, len8, off8, len, fb, fa, pend;
	struct hv_ring_pkt pkt;
	int ret, bad, sig, cross;
	u8 *copy;
	u32 i;

	rd = r->hdr->read_index;
	w = r->hdr->write_index;
	used = hv_ring_bytes_used(r);
	if (!idx_ok(size, rd) || !idx_ok(size, w)) {
		FUZZ_CHECK(used == 0 && hv_ring_bytes_free(r) == 0);
		FUZZ_CHECK(hv_ring_peek(r, &pkt, bounce, blen) == -EBADMSG);
		return 1;
	}
	FUZZ_CHECK(used == used_of(size, w, rd));
	FUZZ_CHECK(used <= size - 8);
	FUZZ_CHECK(used + hv_ring_bytes_free(r) == size);
	memset(&pkt, 0, sizeof(pkt));
	ret = hv_ring_peek(r, &pkt, bounce, blen);
	if (rd == w) {
		FUZZ_CHECK(ret == -EAGAIN);
		return 1;
	}
	w0 = rd32(r->data + rd);
	w1 = rd32(r->data + rd + 4);
	off8 = w0 >> 16;
	len8 = w1 & 0xffff;
	len = len8 * 8;
	bad = len8 < 2 || off8 < 2 || off8 > len8 || len + 8 > used;
	FUZZ_CHECK((ret == -EBADMSG) == bad);
	if (bad)
		return 1;
	if (ret == -ENOBUFS) {
		FUZZ_CHECK(!r->mirrored && len > size - rd && blen < len);
		FUZZ_CHECK(pkt.len == len && !pkt.bytes && !pkt.desc);
		return 1;
	}
	FUZZ_CHECK(ret == 0);
	FUZZ_CHECK(pkt.start == rd && pkt.len == len);
	FUZZ_CHECK((const void *)pkt.desc == (const void *)pkt.bytes);
	if (r->mirrored || len <= size - rd) {
		FUZZ_CHECK(pkt.bytes == r->data + rd);
	} else {
		FUZZ_CHECK(pkt.bytes == bounce && len <= blen);
		FUZZ_CHECK(!memcmp(bounce, r->data + rd, size - rd));
		FUZZ_CHECK(!memcmp(bounce + (size - rd), r->data,
				   len - (size - rd)));
	}
	/*
	 * The host rewrites the descriptor's second word (len8, flags) in
	 * place after the peek; the driver's copy then disagrees with
	 * pkt.len, which hv_pkt_validate() of the copy must catch.
	 */
	if (ri->flags & 0x08)
		memcpy(r->data + rd + 4, &ri->host_rd, 4);
	/* the private copy the driver parses (ASan: every byte in bounds) */
	copy = malloc(len);
	if (!copy)
		return 1;
	memcpy(copy, pkt.bytes, len);

	if (ri->flags & 0x10)
		r->hdr->read_index = ri->host_rd;
	fb = size - used;
	ret = hv_ring_consume(r, &pkt);
	FUZZ_CHECK(r->hdr->read_index == (rd + len + 8) % size);
	fa = hv_ring_bytes_free(r);
	pend = r->hdr->pending_send_sz;
	sig = ret;
	cross = (r->hdr->feature_bits & HV_RING_FEAT_PENDING_SEND_SZ) && pend &&
		fb <= pend && fa > pend;
	FUZZ_CHECK(sig == cross);

	if (hv_pkt_validate((const struct vmbus_pkt_desc *)copy, len) == 0) {
		FUZZ_CHECK((rd32(copy + 4) & 0xffff) * 8 == len);
		for (i = (rd32(copy) >> 16) * 8; i < len; i++)
			sink += copy[i];
	}
	free(copy);
	return 0;
}

static void write_one(struct hv_ring *r, const struct ring_in *ri)
{
	u32 size = r->size, w, rd, pktlen, plen, pos, i, nw;
	struct hv_ring_header save;
	struct vmbus_pkt_desc d;
	struct hv_ring_sg sg[2];
	u8 *snap, *want;
	u64 trailer;
	int ret, sig = 7, valid;

	snap = malloc(size);
	want = malloc(size);
	if (!snap || !want)
		goto out;
	memcpy(snap, r->data, size);
	memcpy(&save, r->hdr, sizeof(save));
	w = save.write_index;
	rd = save.read_index;
	valid = idx_ok(size, w) && idx_ok(size, rd);

	memset(&d, 0, sizeof(d));
	d.type = VMBUS_PKT_DATA_INBAND;
	d.offset8 = 2;
	d.len8 = (u16)(2 + ri->wlen8 * 2);
	d.trans_id = 0x1122334455667788ULL;
	pktlen = d.len8 * 8;
	plen = ri->wpay8 * 8u;
	for (i = 0; i < plen; i++)
		payload[i] = (u8)(i * 7 + 1);
	sg[0].buf = &d;
	sg[0].len = sizeof(d);
	sg[1].buf = payload;
	sg[1].len = plen;

	ret = hv_ring_write(r, sg, 2, &sig);
	if (ret) {
		FUZZ_CHECK(ret == -EINVAL || ret == -EAGAIN);
		FUZZ_CHECK(sig == 0);
		FUZZ_CHECK(!memcmp(&save, r->hdr, sizeof(save)));
		FUZZ_CHECK(!memcmp(snap, r->data, size));
		if (ret == -EINVAL)
			FUZZ_CHECK(16 + plen > pktlen || pktlen >= size - 8);
		else
			FUZZ_CHECK(!valid ||
				   size - used_of(size, w, rd) <= pktlen + 8);
		goto out;
	}
	FUZZ_CHECK(valid && 16 + plen <= pktlen && pktlen < size - 8);
	FUZZ_CHECK(size - used_of(size, w, rd) > pktlen + 8);
	nw = (w + pktlen + 8) % size;
	FUZZ_CHECK(r->hdr->write_index == nw);
	FUZZ_CHECK(r->hdr->read_index == rd);
	FUZZ_CHECK(sig == (save.interrupt_mask == 0 && rd == w));

	/* the data area as it must be: old bytes, our packet, the trailer */
	memcpy(want, snap, size);
	pos = w;
	for (i = 0; i < pktlen; i++, pos = (pos + 1) % size)
		want[pos] = i < 16 ? ((const u8 *)&d)[i] :
			    i < 16 + plen ? payload[i - 16] : 0;
	trailer = (u64)w << 32;
	for (i = 0; i < 8; i++, pos = (pos + 1) % size)
		want[pos] = ((const u8 *)&trailer)[i];
	FUZZ_CHECK(!memcmp(want, r->data, size));
out:
	free(snap);
	free(want);
}

int LLVMFuzzerTestOneInput(const u8 *in, size_t n)
{
	struct fz f;
	struct ring_in ri;
	struct hv_ring r;
	struct hv_ring_header *hdr;
	u8 *data, *bounce;
	u32 size, i, blen;
	int k;

	f.p = in;
	f.n = n;
	ri.flags = fz_u8(&f);
	ri.bounce32 = fz_u8(&f);
	ri.wlen8 = fz_u8(&f);
	ri.wpay8 = fz_u8(&f);
	ri.w = fz_u32(&f);
	ri.rd = fz_u32(&f);
	ri.pend = fz_u32(&f);
	ri.feat = fz_u32(&f);
	ri.host_rd = fz_u32(&f);
	ri.pat = f.p;
	ri.patlen = (u32)f.n;

	if (ri.flags & 0x80) {
		if (!mring_ok)
			mring_ok = test_ring_alloc(&mring, 4096, 1) == 0 ? 1 : -1;
		if (mring_ok < 0)
			return 0;
		size = 4096;
		hdr = mring.hdr;
		data = mring.data;
	} else {
		size = 4096 + 8 * (ri.flags & 7);
		hdr = malloc(sizeof(*hdr));
		data = malloc(size);
		if (!hdr || !data) {
			free(hdr);
			free(data);
			return 0;
		}
	}
	FUZZ_CHECK(hv_ring_attach(&r, hdr, data, size, ri.flags & 0x80) == 0);
	memset(hdr, 0, sizeof(*hdr));
	hdr->write_index = ri.w;
	hdr->read_index = ri.rd;
	if (ri.flags & 0x40) {
		hdr->write_index = (ri.w % size) & ~7u;
		hdr->read_index = (ri.rd % size) & ~7u;
	}
	hdr->interrupt_mask = (ri.flags & 0x20) ? 1 : 0;
	hdr->pending_send_sz = ri.pend;
	hdr->feature_bits = ri.feat;
	for (i = 0; i < size; i++)
		data[i] = ri.patlen ? ri.pat[i % ri.patlen] : 0;

	blen = ri.bounce32 * 32u;
	bounce = malloc(blen ? blen : 1);
	if (bounce) {
		for (k = 0; k < 64; k++)
			if (read_one(&r, &ri, bounce, blen))
				break;
		write_one(&r, &ri);
		FUZZ_CHECK(hv_ring_unmask_interrupts(&r) == hv_ring_bytes_used(&r));
		FUZZ_CHECK(hdr->interrupt_mask == 0);
	}
	free(bounce);
	if (!(ri.flags & 0x80)) {
		free(hdr);
		free(data);
	}
	return 0;
}
