// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_pkt.c - libFuzzer target: ring packets (hv_pkt_validate() in
 * src/core/chmsg.c), as hv_channel_read() hands them over: a private copy
 * whose length is len8 * 8 as peeked.
 *
 * Input: the packet (descriptor first), in a heap block of exactly its
 * length.
 *
 * Contracts checked on an accepted packet, with the rules of fact sheet
 * C.2 walked here independently of the validator: the length is len8 * 8,
 * offset8 is 2..len8; a transfer-page packet's range_count ranges lie
 * between byte 24 and offset8 * 8 and no range's end wraps 32 bits; a
 * GPA-direct packet's ranges (each {byte_count, byte_offset < 4096, the
 * PFNs of the pages it touches}, none empty) lie between byte 24 and
 * offset8 * 8. Every byte a driver then reads (ranges, PFNs, payload) is
 * read, so AddressSanitizer sees any read past the packet.
 */
#include "hv_chmsg.h"
#include "fuzz.h"

static volatile u64 sink;

static u32 rd32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return v;
}

static void walk_xfer(const u8 *p, u32 dlen)
{
	u32 count, i, bc, bo;

	FUZZ_CHECK(dlen >= 24);
	count = rd32(p + 20);
	FUZZ_CHECK(count <= (dlen - 24) / 8);
	for (i = 0; i < count; i++) {
		bc = rd32(p + 24 + 8 * i);
		bo = rd32(p + 28 + 8 * i);
		FUZZ_CHECK((u64)bo + bc <= 0xffffffffULL);
		sink += bo + bc;	/* a driver may add them in 32 bits */
	}
}

static void walk_gpa(const u8 *p, u32 dlen)
{
	u32 count, i, k, pos = 24, bc, bo, npfn;

	FUZZ_CHECK(dlen >= 24);
	count = rd32(p + 20);
	for (i = 0; i < count; i++) {
		FUZZ_CHECK(pos <= dlen && dlen - pos >= 8);
		bc = rd32(p + pos);
		bo = rd32(p + pos + 4);
		FUZZ_CHECK(bc != 0 && bo < 4096);
		npfn = (u32)(((u64)bo + bc + 4095) / 4096);
		pos += 8;
		FUZZ_CHECK((u64)npfn * 8 <= dlen - pos);
		for (k = 0; k < npfn; k++) {
			u64 pfn;

			memcpy(&pfn, p + pos + 8 * k, 8);
			sink += pfn;
		}
		pos += npfn * 8;
	}
}

int LLVMFuzzerTestOneInput(const u8 *in, size_t n)
{
	struct fz f;
	u32 len, i, type, offset8, len8;
	u8 *p;
	int ret;

	f.p = in;
	f.n = n > 0x80000 ? 0x80000 : n;
	p = fz_rest(&f, &len);
	if (!p)
		return 0;
	ret = hv_pkt_validate((const struct vmbus_pkt_desc *)p, len);
	FUZZ_CHECK(ret == 0 || ret == -EBADMSG);
	if (ret == 0) {
		FUZZ_CHECK(len >= 16);
		type = rd32(p) & 0xffff;
		offset8 = rd32(p) >> 16;
		len8 = rd32(p + 4) & 0xffff;
		FUZZ_CHECK(len == len8 * 8);
		FUZZ_CHECK(offset8 >= 2 && offset8 <= len8);
		if (type == VMBUS_PKT_DATA_XFER_PAGES)
			walk_xfer(p, offset8 * 8);
		else if (type == VMBUS_PKT_DATA_GPA_DIRECT)
			walk_gpa(p, offset8 * 8);
		for (i = offset8 * 8; i < len; i++)
			sink += p[i];
	}
	free(p);
	return 0;
}
