// SPDX-License-Identifier: GPL-2.0
/*
 * chmsg.c - VMBus channel messages and packets: version table, GPADL
 * message splitting, validation of host messages, offers and ring packets,
 * GUID text form (shared/docs/hyperv-protocol.md sections B and C.2).
 *
 * Pure C (see hv_types.h): built into the modules and the unit tests.
 * Fields of a packet that may still be in shared memory are read once,
 * with volatile loads, and only the local copies are checked and used.
 */
#include "hv_chmsg.h"

const u32 hv_vmbus_versions[] = {
	VMBUS_VERSION_WIN10_V5_3,
	VMBUS_VERSION_WIN10_V5_2,
	VMBUS_VERSION_WIN10_V5_1,
	VMBUS_VERSION_WIN10_V5,
	VMBUS_VERSION_WIN10_RS3,
	VMBUS_VERSION_WIN10,
	VMBUS_VERSION_WIN8_1,
	VMBUS_VERSION_WIN8,
	VMBUS_VERSION_WIN7,
	VMBUS_VERSION_WS2008,
};
const unsigned int hv_vmbus_nversions =
	sizeof(hv_vmbus_versions) / sizeof(hv_vmbus_versions[0]);

/* ---- channel messages --------------------------------------------------- */

/*
 * VERSION_RESPONSE is 16 bytes (B.2): version_supported @8,
 * connection_state @9, msg_conn_id @12 (meaningful from 5.0). The guest
 * reads all three fields, so a shorter message is refused whatever the
 * version asked for.
 *
 * TL_CONNECT_RESULT (4.1+) has no layout in the fact sheet: header only.
 * MODIFYCHANNEL_RESPONSE exists from 5.3, TL_CONNECT_RESULT from 4.1; at a
 * lower negotiated version they are types the host does not send.
 */
#define VERSION_RESPONSE_MIN	16

u32 hv_chmsg_min_size(u32 msgtype, u32 version)
{
	switch (msgtype) {
	case CHMSG_OFFERCHANNEL:
		return version >= VMBUS_VERSION_WIN7 ? VMBUS_OFFER_SIZE :
						       VMBUS_OFFER_SIZE_V0_13;
	case CHMSG_RESCIND_CHANNELOFFER:
		return sizeof(struct vmbus_chmsg_relid);
	case CHMSG_ALLOFFERS_DELIVERED:
		return sizeof(struct vmbus_chmsg_hdr);
	case CHMSG_OPENCHANNEL_RESULT:
		return sizeof(struct vmbus_chmsg_open_result);
	case CHMSG_GPADL_CREATED:
		return sizeof(struct vmbus_chmsg_gpadl_created);
	case CHMSG_GPADL_TORNDOWN:
		return sizeof(struct vmbus_chmsg_gpadl_torndown);
	case CHMSG_VERSION_RESPONSE:
		return VERSION_RESPONSE_MIN;
	case CHMSG_UNLOAD_RESPONSE:
		return sizeof(struct vmbus_chmsg_hdr);
	case CHMSG_TL_CONNECT_RESULT:
		return version >= VMBUS_VERSION_WIN10_RS3 ?
			sizeof(struct vmbus_chmsg_hdr) : 0;
	case CHMSG_MODIFYCHANNEL_RESPONSE:
		return version >= VMBUS_VERSION_WIN10_V5_3 ? 16 : 0;
	default:
		return 0;
	}
}

int hv_chmsg_validate(const void *msg, u32 size, u32 version)
{
	u32 type, min;

	if (!msg || size < sizeof(struct vmbus_chmsg_hdr) ||
	    size > HV_MESSAGE_PAYLOAD_MAX)
		return -EMSGSIZE;
	memcpy(&type, msg, sizeof(type));
	min = hv_chmsg_min_size(type, version);
	if (!min)
		return -EPROTO;
	if (size < min)
		return -EMSGSIZE;
	return 0;
}

u32 hv_relid_limit(u32 version)
{
	return version >= VMBUS_VERSION_WIN8 ? HV_SYNIC_EVENT_AREA_SIZE * 8 :
					       VMBUS_MAX_RELID;
}

int hv_offer_validate(const struct vmbus_chmsg_offer *o, u32 version)
{
	if (!o)
		return -EINVAL;
	/*
	 * A relid must have a bit where the guest looks for it (A.4): from
	 * 2.4 the event flags are SIEF area 2 (2048 bits), before that the
	 * receive half of the interrupt page (16384 bits).
	 */
	if (o->child_relid == 0 || o->child_relid >= hv_relid_limit(version))
		return -EINVAL;
	if ((o->monitor_allocated & 1) && o->monitorid >= VMBUS_MAX_MONITOR_ID)
		return -EINVAL;
	if (version < VMBUS_VERSION_WIN8 && o->sub_channel_index != 0)
		return -EINVAL;
	return 0;
}

/* ---- GPADL messages ----------------------------------------------------- */

/* range_buflen (u16) = 8 + 8 * npfn must fit: at most 8190 PFNs (32 MiB) */
#define GPADL_MAX_PFNS	((0xffffU - 8) / 8)

/*
 * Also 0 when @npfn is 0 or more than one GPADL can describe (the range
 * length field is 16 bits), matching hv_gpadl_build_msg() which then
 * builds nothing.
 */
u32 hv_gpadl_nmsgs(u32 npfn)
{
	u32 rest;

	if (npfn == 0 || npfn > GPADL_MAX_PFNS)
		return 0;
	if (npfn <= VMBUS_GPADL_HEADER_MAX_PFNS)
		return 1;
	rest = npfn - VMBUS_GPADL_HEADER_MAX_PFNS;
	return 1 + (rest + VMBUS_GPADL_BODY_MAX_PFNS - 1) /
		   VMBUS_GPADL_BODY_MAX_PFNS;
}

u32 hv_gpadl_build_msg(u32 idx, void *buf, u32 relid, u32 gpadl,
		       const u64 *pfns, u32 npfn)
{
	struct vmbus_chmsg_gpadl_header *h;
	struct vmbus_chmsg_gpadl_body *b;
	u32 first, n;

	if (!buf || !pfns || idx >= hv_gpadl_nmsgs(npfn))
		return 0;

	if (idx == 0) {
		n = npfn < VMBUS_GPADL_HEADER_MAX_PFNS ?
			npfn : VMBUS_GPADL_HEADER_MAX_PFNS;
		h = (struct vmbus_chmsg_gpadl_header *)buf;
		h->hdr.msgtype = CHMSG_GPADL_HEADER;
		h->hdr.padding = 0;
		h->child_relid = relid;
		h->gpadl = gpadl;
		h->range_buflen = (u16)(8 + 8 * npfn);
		h->rangecount = 1;
		h->byte_count = npfn << HV_HYP_PAGE_SHIFT;
		h->byte_offset = 0;
		memcpy(h->pfn, pfns, n * sizeof(u64));
		return VMBUS_GPADL_HEADER_FIXED + n * (u32)sizeof(u64);
	}

	first = VMBUS_GPADL_HEADER_MAX_PFNS +
		(idx - 1) * VMBUS_GPADL_BODY_MAX_PFNS;
	n = npfn - first;
	if (n > VMBUS_GPADL_BODY_MAX_PFNS)
		n = VMBUS_GPADL_BODY_MAX_PFNS;
	b = (struct vmbus_chmsg_gpadl_body *)buf;
	b->hdr.msgtype = CHMSG_GPADL_BODY;
	b->hdr.padding = 0;
	b->msgnumber = idx;
	b->gpadl = gpadl;
	memcpy(b->pfn, pfns + first, n * sizeof(u64));
	return VMBUS_GPADL_BODY_FIXED + n * (u32)sizeof(u64);
}

/* ---- ring packets ------------------------------------------------------- */

/**
 * pkt_rd32() - read a little-endian u32 of a packet exactly once.
 * @p: 4-byte aligned (packets start 8-aligned; every u32 the validators
 *     read sits at a multiple of 4 from the start).
 */
static inline u32 pkt_rd32(const u8 *p)
{
	return *(const volatile u32 *)p;
}

/**
 * pkt_validate_xfer() - check a transfer-page packet (type 7).
 * @p: the packet, 8-byte aligned
 * @dlen: offset8 * 8, already checked <= the packet length
 *
 * range_count ranges of 8 bytes must fit between byte 24 and @dlen, and
 * every range's end offset (byte_offset + byte_count) must be a u32, so a
 * driver may compute it in 32 bits without wrapping.
 * Return: 0 or -EBADMSG.
 */
static int pkt_validate_xfer(const u8 *p, u32 dlen)
{
	u32 count, i, bc, bo;

	if (dlen < HV_OFFSETOF(struct vmbus_pkt_xfer_pages, ranges))
		return -EBADMSG;
	count = pkt_rd32(p + HV_OFFSETOF(struct vmbus_pkt_xfer_pages,
					 range_count));
	if (count > (dlen - HV_OFFSETOF(struct vmbus_pkt_xfer_pages, ranges)) /
		    sizeof(struct vmbus_xfer_range))
		return -EBADMSG;
	p += HV_OFFSETOF(struct vmbus_pkt_xfer_pages, ranges);
	for (i = 0; i < count; i++, p += sizeof(struct vmbus_xfer_range)) {
		bc = pkt_rd32(p);
		bo = pkt_rd32(p + 4);
		if (bc > 0xffffffffU - bo)
			return -EBADMSG;
	}
	return 0;
}

/**
 * pkt_validate_gpa() - check a GPA-direct packet (type 9).
 * @p: the packet, 8-byte aligned
 * @dlen: offset8 * 8, already checked <= the packet length
 *
 * range_count ranges {byte_count, byte_offset, pfn[n]} must fit between
 * byte 24 and @dlen, where n is the number of 4 KiB pages that byte_offset
 * (within the first page, so < 4096) + byte_count touch. This covers both
 * the page-buffer form (n = 1) and the multipage form. Empty ranges are
 * refused. The loop ends when the bytes run out, whatever the count claims.
 * Return: 0 or -EBADMSG.
 */
static int pkt_validate_gpa(const u8 *p, u32 dlen)
{
	u32 count, i, pos, bc, bo, npfn;

	if (dlen < sizeof(struct vmbus_pkt_gpa_direct))
		return -EBADMSG;
	count = pkt_rd32(p + HV_OFFSETOF(struct vmbus_pkt_gpa_direct,
					 range_count));
	pos = sizeof(struct vmbus_pkt_gpa_direct);
	for (i = 0; i < count; i++) {
		if (dlen - pos < sizeof(struct vmbus_mpb_range_hdr))
			return -EBADMSG;
		bc = pkt_rd32(p + pos);
		bo = pkt_rd32(p + pos + 4);
		if (bc == 0 || bo >= HV_HYP_PAGE_SIZE)
			return -EBADMSG;
		npfn = (u32)(((u64)bo + bc + HV_HYP_PAGE_SIZE - 1) >>
			     HV_HYP_PAGE_SHIFT);
		pos += sizeof(struct vmbus_mpb_range_hdr);
		if (npfn > (dlen - pos) / sizeof(u64))
			return -EBADMSG;
		pos += npfn * (u32)sizeof(u64);
	}
	return 0;
}

int hv_pkt_validate(const struct vmbus_pkt_desc *d, u32 len)
{
	const u8 *p = (const u8 *)d;
	u32 w0, w1, type, offset8, len8;

	if (!d || len < sizeof(struct vmbus_pkt_desc))
		return -EBADMSG;
	w0 = pkt_rd32(p);	/* type | offset8 << 16 */
	w1 = pkt_rd32(p + 4);	/* len8 | flags << 16 */
	type = w0 & 0xffff;
	offset8 = w0 >> 16;
	len8 = w1 & 0xffff;
	if (len8 * 8 != len || offset8 < 2 || offset8 > len8)
		return -EBADMSG;

	switch (type) {
	case VMBUS_PKT_DATA_XFER_PAGES:
		return pkt_validate_xfer(p, offset8 * 8);
	case VMBUS_PKT_DATA_GPA_DIRECT:
		return pkt_validate_gpa(p, offset8 * 8);
	default:
		return 0;
	}
}

/* ---- GUID text form ----------------------------------------------------- */

/*
 * Text position i (0..15, two hex digits each) shows wire byte
 * guid_text_order[i]: the first three fields are little-endian on the wire.
 */
static const u8 guid_text_order[16] = {
	3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15
};

static inline int guid_dash_before(unsigned int i)
{
	return i == 4 || i == 6 || i == 8 || i == 10;
}

char *hv_guid_fmt(const struct hv_guid *g, char *out)
{
	static const char hex[] = "0123456789abcdef";
	char *q = out;
	unsigned int i;
	u8 b;

	for (i = 0; i < 16; i++) {
		if (guid_dash_before(i))
			*q++ = '-';
		b = g->b[guid_text_order[i]];
		*q++ = hex[b >> 4];
		*q++ = hex[b & 15];
	}
	*q = '\0';
	return out;
}

static int guid_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Exactly 36 characters then NUL; hex digits in either case. The string is
 * scanned left to right and rejected at the first unexpected character, so
 * a short string is never read past its terminator. @g is written only on
 * success.
 */
int hv_guid_parse(const char *s, struct hv_guid *g)
{
	struct hv_guid tmp;
	unsigned int i;
	int hi, lo;

	if (!s || !g)
		return -EINVAL;
	for (i = 0; i < 16; i++) {
		if (guid_dash_before(i) && *s++ != '-')
			return -EINVAL;
		hi = guid_hexval(*s++);
		if (hi < 0)
			return -EINVAL;
		lo = guid_hexval(*s++);
		if (lo < 0)
			return -EINVAL;
		tmp.b[guid_text_order[i]] = (u8)(hi << 4 | lo);
	}
	if (*s != '\0')
		return -EINVAL;
	*g = tmp;
	return 0;
}
