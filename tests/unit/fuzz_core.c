// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_core.c - libFuzzer target for the protocol core (`make fuzz`).
 *
 * The first input byte picks what is fuzzed: channel message and offer
 * validation, packet validation, the ring consumer (and producer) over a
 * hostile header and data area, GUID parsing, GPADL message building.
 * Buffers are allocated at their exact size so that AddressSanitizer
 * reports any access outside them; the mirrored ring has guard pages.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include "hv_ring.h"
#include "hv_chmsg.h"
#include "support.h"

int LLVMFuzzerTestOneInput(const u8 *in, size_t n);

static u32 get32(const u8 *in, size_t n, size_t at)
{
	u32 v = 0;

	if (at + 4 <= n)
		memcpy(&v, in + at, 4);
	return v;
}

static u32 fuzz_version(u8 b)
{
	return b % (hv_vmbus_nversions + 1) == hv_vmbus_nversions ?
		0 : hv_vmbus_versions[b % (hv_vmbus_nversions + 1)];
}

static void fuzz_chmsg(const u8 *in, size_t n)
{
	u64 buf[32];
	struct vmbus_chmsg_offer o;
	u32 version, size;

	if (n < 1)
		return;
	version = fuzz_version(in[0]);
	in++;
	n--;
	memset(buf, 0, sizeof(buf));
	memcpy(buf, in, n < sizeof(buf) ? n : sizeof(buf));
	size = (u32)n;
	if (hv_chmsg_validate(buf, size, version) == 0 &&
	    ((u32 *)buf)[0] == CHMSG_OFFERCHANNEL) {
		memset(&o, 0, sizeof(o));
		memcpy(&o, buf, size < sizeof(o) ? size : sizeof(o));
		hv_offer_validate(&o, version);
	}
	hv_chmsg_min_size(get32(in, n, 0), version);
}

static void fuzz_pkt(const u8 *in, size_t n)
{
	u32 len = (u32)(n & ~(size_t)7);
	u8 *p;

	if (len > 0x80000)
		len = 0x80000;
	p = malloc(len ? len : 1);
	if (!p)
		return;
	memcpy(p, in, len);
	hv_pkt_validate((const struct vmbus_pkt_desc *)p, len);
	free(p);
}

static struct test_ring mring;
static int mring_ok;

static void ring_steps(struct hv_ring *r, const u8 *in, size_t n)
{
	static u8 payload[4096];
	struct hv_ring_pkt pkt;
	struct vmbus_pkt_desc d;
	struct hv_ring_sg sg[2];
	u8 *bounce;
	u32 blen, i, j, sum = 0;
	int k, sig;

	blen = (n > 1 ? in[1] : 0) * 32u;
	bounce = malloc(blen ? blen : 1);
	if (!bounce)
		return;
	for (k = 0; k < 64; k++) {
		i = hv_ring_bytes_used(r);
		j = hv_ring_bytes_free(r);
		if (i + j != r->size && !(i == 0 && j == 0))
			abort();
		if (hv_ring_peek(r, &pkt, bounce, blen))
			break;
		if (hv_pkt_validate(pkt.desc, pkt.len) == 0)
			for (j = 0; j < pkt.len; j++)
				sum += pkt.bytes[j];
		hv_ring_consume(r, &pkt);
	}
	/* and the producer side over whatever state is left */
	memset(&d, 0, sizeof(d));
	d.offset8 = 2;
	d.len8 = (u16)(2 + (n > 2 ? in[2] : 0) * 2);
	sg[0].buf = &d;
	sg[0].len = sizeof(d);
	sg[1].buf = payload;
	sg[1].len = (n > 3 ? in[3] : 0) * 8u;
	hv_ring_write(r, sg, 2, &sig);
	hv_ring_unmask_interrupts(r);
	free(bounce);
	(void)sum;
}

static void fuzz_ring(const u8 *in, size_t n)
{
	struct hv_ring r;
	struct hv_ring_header *hdr;
	u32 size;
	u8 *data;
	size_t i;
	int mirrored = n > 0 && (in[0] & 0x80);

	if (n < 24)
		return;
	size = mirrored ? 4096 : 4096 + 8 * (in[0] & 7);
	if (mirrored) {
		if (!mring_ok)
			mring_ok = test_ring_alloc(&mring, 4096, 1) == 0 ? 1 : -1;
		if (mring_ok < 0)
			return;
		hdr = mring.hdr;
		data = mring.data;
	} else {
		hdr = malloc(sizeof(*hdr));
		data = malloc(size);
		if (!hdr || !data) {
			free(hdr);
			free(data);
			return;
		}
	}
	hv_ring_attach(&r, hdr, data, size, mirrored);
	hdr->write_index = get32(in, n, 4);
	hdr->read_index = get32(in, n, 8);
	if (in[0] & 0x40) {	/* mostly valid indices: go deeper */
		hdr->write_index = (hdr->write_index % size) & ~7u;
		hdr->read_index = (hdr->read_index % size) & ~7u;
	}
	hdr->interrupt_mask = in[0] & 0x20 ? 1 : 0;
	hdr->pending_send_sz = get32(in, n, 12);
	hdr->feature_bits = get32(in, n, 16);
	for (i = 0; i < size; i++)
		data[i] = in[20 + i % (n - 20)];
	ring_steps(&r, in, n);
	if (!mirrored) {
		free(hdr);
		free(data);
	}
}

static void fuzz_guid(const u8 *in, size_t n)
{
	char *s = malloc(n + 1);
	struct hv_guid g, h;
	char text[37];

	if (!s)
		return;
	memcpy(s, in, n);
	s[n] = '\0';
	if (hv_guid_parse(s, &g) == 0) {
		hv_guid_fmt(&g, text);
		if (hv_guid_parse(text, &h) || memcmp(&g, &h, sizeof(g)))
			abort();
	}
	free(s);
}

static void fuzz_gpadl(const u8 *in, size_t n)
{
	u32 npfn = get32(in, n, 0) & 0x3fff;
	u32 idx = get32(in, n, 4) & 0x1ff;
	u64 *pfns;
	u8 *buf;
	u32 sz;

	pfns = malloc((npfn ? npfn : 1) * sizeof(u64));
	buf = malloc(HV_MESSAGE_PAYLOAD_MAX);
	if (pfns && buf) {
		memset(pfns, 0x11, (npfn ? npfn : 1) * sizeof(u64));
		sz = hv_gpadl_build_msg(idx, buf, 1, 2, pfns, npfn);
		if (sz > HV_MESSAGE_PAYLOAD_MAX ||
		    (idx < hv_gpadl_nmsgs(npfn)) != (sz != 0))
			abort();
	}
	free(pfns);
	free(buf);
}

int LLVMFuzzerTestOneInput(const u8 *in, size_t n)
{
	if (n < 1)
		return 0;
	switch (in[0] % 5) {
	case 0:
		fuzz_chmsg(in + 1, n - 1);
		break;
	case 1:
		fuzz_pkt(in + 1, n - 1);
		break;
	case 2:
		fuzz_ring(in + 1, n - 1);
		break;
	case 3:
		fuzz_guid(in + 1, n - 1);
		break;
	default:
		fuzz_gpadl(in + 1, n - 1);
		break;
	}
	return 0;
}
