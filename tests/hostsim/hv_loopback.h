/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv_loopback.h - the loopback test device of hyperv-lic, shared by the
 * host simulator's back end (hv_hostsim.ko) and the guest test driver
 * (hv_looptest.ko). Not a Hyper-V device: our own class GUID and protocol.
 *
 * Protocol, on one VMBus channel:
 * - DATA_INBAND with COMPLETION_REQUESTED: the host answers with a COMP
 *   packet of the same trans_id whose payload is the request's payload.
 * - DATA_USING_GPA_DIRECT (type 9), page-buffer form (one 16-byte range per
 *   page) or multipage form (one range with n PFNs), completion requested,
 *   payload struct hv_loop_req: the host reads the bytes the ranges
 *   describe, checksums them (hv_loop_sum_*), writes back the bitwise NOT
 *   of every byte into the same guest pages and completes with a COMP
 *   packet carrying struct hv_loop_resp.
 * - Anything else that requests a completion is completed with an error
 *   status in struct hv_loop_resp.
 */
#ifndef HV_LOOPBACK_H
#define HV_LOOPBACK_H

#include "hv_types.h"

/* Class GUID bedc7e92-524b-4f74-a823-c91c9c22a15b (random, version 4) */
#define HV_LOOPBACK_GUID_TEXT	"bedc7e92-524b-4f74-a823-c91c9c22a15b"
#define HV_LOOPBACK_GUID_BYTES	{ \
	0x92, 0x7e, 0xdc, 0xbe, 0x4b, 0x52, 0x74, 0x4f, \
	0xa8, 0x23, 0xc9, 0x1c, 0x9c, 0x22, 0xa1, 0x5b }

#define HV_LOOP_OP_NOT_SUM	1	/* checksum the bytes, then invert them */

/* Payload of a GPA-direct request, after the range descriptors. */
struct hv_loop_req {
	u32 op;			/* HV_LOOP_OP_* */
	u32 flags;		/* 0 */
	u64 tag;		/* echoed in the response */
	u32 total_len;		/* sum of the byte counts of all ranges */
	u32 reserved;
};

#define HV_LOOP_ST_OK		0
#define HV_LOOP_ST_BAD_REQUEST	1	/* payload too short, flags, length */
#define HV_LOOP_ST_BAD_RANGE	2	/* a range the guest may not describe */
#define HV_LOOP_ST_BAD_OP	3	/* unknown op */
#define HV_LOOP_ST_UNSUPPORTED	4	/* packet type the device does not take */

/* Payload of the COMP packet answering a GPA-direct (or bad) request. */
struct hv_loop_resp {
	u32 status;		/* HV_LOOP_ST_* */
	u32 reserved;
	u64 tag;		/* hv_loop_req.tag */
	u64 bytes;		/* bytes checksummed and inverted */
	u64 checksum;		/* hv_loop_sum over those bytes, in order */
};

HV_BUILD_ASSERT(sizeof(struct hv_loop_req) == 24);
HV_BUILD_ASSERT(sizeof(struct hv_loop_resp) == 32);

/*
 * A 64-bit streaming checksum over a byte sequence, independent of how the
 * sequence is split into pieces: bytes are taken eight at a time as a
 * little-endian word; the last partial word and the total length are mixed
 * in at the end. Not cryptographic; strong enough to catch lost, reordered
 * or altered bytes in a test.
 */
struct hv_loop_sum {
	u64 h;
	u64 carry;		/* bytes of an incomplete word */
	u32 ncarry;		/* 0..7 */
	u64 total;
};

#define HV_LOOP_SUM_SEED	0x6a09e667f3bcc909ULL
#define HV_LOOP_SUM_MUL		0x9e3779b97f4a7c15ULL

static inline u64 hv_loop_mix(u64 h, u64 w)
{
	h ^= w;
	h *= HV_LOOP_SUM_MUL;
	return h ^ (h >> 29);
}

static inline void hv_loop_sum_init(struct hv_loop_sum *s)
{
	s->h = HV_LOOP_SUM_SEED;
	s->carry = 0;
	s->ncarry = 0;
	s->total = 0;
}

static inline void hv_loop_sum_byte(struct hv_loop_sum *s, u8 b)
{
	s->carry |= (u64)b << (8 * s->ncarry);
	if (++s->ncarry == 8) {
		s->h = hv_loop_mix(s->h, s->carry);
		s->carry = 0;
		s->ncarry = 0;
	}
}

static inline void hv_loop_sum_update(struct hv_loop_sum *s, const void *buf,
				      u32 len)
{
	const u8 *p = (const u8 *)buf;
	u64 w;

	s->total += len;
	while (len && s->ncarry) {
		hv_loop_sum_byte(s, *p++);
		len--;
	}
	while (len >= 8) {
		memcpy(&w, p, sizeof(w));
		s->h = hv_loop_mix(s->h, w);
		p += 8;
		len -= 8;
	}
	while (len--)
		hv_loop_sum_byte(s, *p++);
}

static inline u64 hv_loop_sum_final(const struct hv_loop_sum *s)
{
	u64 h = s->h;

	if (s->ncarry)
		h = hv_loop_mix(h, s->carry ^ ((u64)s->ncarry << 56));
	return hv_loop_mix(h, s->total);
}

#endif /* HV_LOOPBACK_H */
