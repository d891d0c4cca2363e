// SPDX-License-Identifier: GPL-2.0
/*
 * test_chmsg.c - version table, channel message validation, offer checks,
 * GPADL splitting, packet validation and GUID text form (fact sheet
 * sections B and C.2).
 */
#include <stdlib.h>
#include "unit.h"

/* ---- versions ----------------------------------------------------------- */

static void test_versions(void **state)
{
	static const u32 want[] = {
		0x00050003, 0x00050002, 0x00050001, 0x00050000, 0x00040001,
		0x00040000, 0x00030000, 0x00020004, 0x00010001, 0x0000000d,
	};
	unsigned int i;

	(void)state;
	assert_int_equal(hv_vmbus_nversions, ARRAY_SIZE(want));
	for (i = 0; i < hv_vmbus_nversions; i++)
		assert_int_equal(hv_vmbus_versions[i], want[i]);
}

/* ---- channel messages --------------------------------------------------- */

struct min_case {
	u32 type;
	u32 version;
	u32 min;	/* 0: not a message a host sends at that version */
};

static const struct min_case min_cases[] = {
	{ CHMSG_OFFERCHANNEL, VMBUS_VERSION_WS2008, 190 },
	{ CHMSG_OFFERCHANNEL, 0, 190 },
	{ CHMSG_OFFERCHANNEL, VMBUS_VERSION_WIN7, 196 },
	{ CHMSG_OFFERCHANNEL, VMBUS_VERSION_WIN10_V5_3, 196 },
	{ CHMSG_RESCIND_CHANNELOFFER, VMBUS_VERSION_WIN8, 12 },
	{ CHMSG_ALLOFFERS_DELIVERED, VMBUS_VERSION_WIN8, 8 },
	{ CHMSG_OPENCHANNEL_RESULT, VMBUS_VERSION_WS2008, 20 },
	{ CHMSG_GPADL_CREATED, VMBUS_VERSION_WIN8, 20 },
	{ CHMSG_GPADL_TORNDOWN, VMBUS_VERSION_WIN8, 12 },
	/* 16 (B.2): connection_state @9 and msg_conn_id @12 are read */
	{ CHMSG_VERSION_RESPONSE, 0, 16 },
	{ CHMSG_VERSION_RESPONSE, VMBUS_VERSION_WS2008, 16 },
	{ CHMSG_VERSION_RESPONSE, VMBUS_VERSION_WIN10_V5_3, 16 },
	{ CHMSG_UNLOAD_RESPONSE, VMBUS_VERSION_WIN8_1, 8 },
	{ CHMSG_TL_CONNECT_RESULT, VMBUS_VERSION_WIN10, 0 },
	{ CHMSG_TL_CONNECT_RESULT, VMBUS_VERSION_WIN10_RS3, 8 },
	{ CHMSG_MODIFYCHANNEL_RESPONSE, VMBUS_VERSION_WIN10_V5_2, 0 },
	{ CHMSG_MODIFYCHANNEL_RESPONSE, VMBUS_VERSION_WIN10_V5_3, 16 },
	/* guest -> host and unknown types */
	{ CHMSG_INVALID, VMBUS_VERSION_WIN8, 0 },
	{ CHMSG_REQUESTOFFERS, VMBUS_VERSION_WIN8, 0 },
	{ CHMSG_OPENCHANNEL, VMBUS_VERSION_WIN8, 0 },
	{ CHMSG_CLOSECHANNEL, VMBUS_VERSION_WIN8, 0 },
	{ CHMSG_GPADL_HEADER, VMBUS_VERSION_WIN8, 0 },
	{ CHMSG_GPADL_BODY, VMBUS_VERSION_WIN8, 0 },
	{ CHMSG_GPADL_TEARDOWN, VMBUS_VERSION_WIN8, 0 },
	{ CHMSG_RELID_RELEASED, VMBUS_VERSION_WIN8, 0 },
	{ CHMSG_INITIATE_CONTACT, VMBUS_VERSION_WIN8, 0 },
	{ CHMSG_UNLOAD, VMBUS_VERSION_WIN8, 0 },
	{ CHMSG_18, VMBUS_VERSION_WIN10_V5_3, 0 },
	{ CHMSG_19, VMBUS_VERSION_WIN10_V5_3, 0 },
	{ CHMSG_20, VMBUS_VERSION_WIN10_V5_3, 0 },
	{ CHMSG_TL_CONNECT_REQUEST, VMBUS_VERSION_WIN10_V5_3, 0 },
	{ CHMSG_MODIFYCHANNEL, VMBUS_VERSION_WIN10_V5_3, 0 },
	{ CHMSG_COUNT, VMBUS_VERSION_WIN10_V5_3, 0 },
	{ 0x80000001u, VMBUS_VERSION_WIN10_V5_3, 0 },
	{ 0xffffffffu, VMBUS_VERSION_WIN10_V5_3, 0 },
};

static void test_chmsg_min_size(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(min_cases); i++) {
		print_message("    type %10u version %#010x: min %3u\n",
			      min_cases[i].type, min_cases[i].version,
			      min_cases[i].min);
		assert_int_equal(hv_chmsg_min_size(min_cases[i].type,
						   min_cases[i].version),
				 min_cases[i].min);
	}
}

static void test_chmsg_validate(void **state)
{
	u32 msg[64];
	unsigned int i;
	const struct min_case *c;

	(void)state;
	memset(msg, 0, sizeof(msg));
	for (i = 0; i < ARRAY_SIZE(min_cases); i++) {
		c = &min_cases[i];
		msg[0] = c->type;
		if (!c->min) {
			assert_int_equal(hv_chmsg_validate(msg, 100, c->version),
					 -EPROTO);
			continue;
		}
		assert_int_equal(hv_chmsg_validate(msg, c->min, c->version), 0);
		assert_int_equal(hv_chmsg_validate(msg, c->min - 1, c->version),
				 -EMSGSIZE);
		assert_int_equal(hv_chmsg_validate(msg, 240, c->version), 0);
		assert_int_equal(hv_chmsg_validate(msg, 241, c->version),
				 -EMSGSIZE);
		assert_int_equal(hv_chmsg_validate(msg, 0xffffffffu,
						   c->version), -EMSGSIZE);
	}
	/* offers: 190 bytes only on 0.13 */
	msg[0] = CHMSG_OFFERCHANNEL;
	assert_int_equal(hv_chmsg_validate(msg, 190, VMBUS_VERSION_WS2008), 0);
	assert_int_equal(hv_chmsg_validate(msg, 190, VMBUS_VERSION_WIN7),
			 -EMSGSIZE);
	assert_int_equal(hv_chmsg_validate(msg, 190, VMBUS_VERSION_WIN8),
			 -EMSGSIZE);
	assert_int_equal(hv_chmsg_validate(msg, 196, VMBUS_VERSION_WS2008), 0);
	assert_int_equal(hv_chmsg_validate(msg, 196, VMBUS_VERSION_WIN7), 0);
	/* too small to hold a header, whatever the type */
	assert_int_equal(hv_chmsg_validate(msg, 7, VMBUS_VERSION_WIN8),
			 -EMSGSIZE);
	assert_int_equal(hv_chmsg_validate(msg, 0, VMBUS_VERSION_WIN8),
			 -EMSGSIZE);
	msg[0] = 999;
	assert_int_equal(hv_chmsg_validate(msg, 4, VMBUS_VERSION_WIN8),
			 -EMSGSIZE);
	assert_int_equal(hv_chmsg_validate(msg, 8, VMBUS_VERSION_WIN8),
			 -EPROTO);
	assert_int_equal(hv_chmsg_validate(NULL, 8, VMBUS_VERSION_WIN8),
			 -EMSGSIZE);
}

static void good_offer(struct vmbus_chmsg_offer *o)
{
	memset(o, 0, sizeof(*o));
	o->hdr.msgtype = CHMSG_OFFERCHANNEL;
	o->child_relid = 1;
	o->monitor_allocated = 1;
	o->monitorid = 0;
}

static void test_offer_validate(void **state)
{
	struct vmbus_chmsg_offer o;
	u32 v = VMBUS_VERSION_WIN8;

	(void)state;
	good_offer(&o);
	assert_int_equal(hv_offer_validate(&o, v), 0);
	o.child_relid = 0;
	assert_int_equal(hv_offer_validate(&o, v), -EINVAL);
	/* 2.4+: relid bits in SIEF area 2, 2048 of them (A.4) */
	o.child_relid = 2047;
	assert_int_equal(hv_offer_validate(&o, v), 0);
	o.child_relid = 2048;
	assert_int_equal(hv_offer_validate(&o, v), -EINVAL);
	o.child_relid = 16383;
	assert_int_equal(hv_offer_validate(&o, VMBUS_VERSION_WIN10_V5_3),
			 -EINVAL);
	/* below 2.4: the interrupt page's receive half, 16384 bits (B.5) */
	o.child_relid = 16383;
	assert_int_equal(hv_offer_validate(&o, VMBUS_VERSION_WIN7), 0);
	assert_int_equal(hv_offer_validate(&o, VMBUS_VERSION_WS2008), 0);
	o.child_relid = 16384;
	assert_int_equal(hv_offer_validate(&o, VMBUS_VERSION_WIN7), -EINVAL);
	o.child_relid = 0xffffffffu;
	assert_int_equal(hv_offer_validate(&o, v), -EINVAL);
	assert_int_equal(hv_offer_validate(&o, VMBUS_VERSION_WIN7), -EINVAL);
	assert_int_equal(hv_relid_limit(VMBUS_VERSION_WIN8), 2048);
	assert_int_equal(hv_relid_limit(VMBUS_VERSION_WIN8_1), 2048);
	assert_int_equal(hv_relid_limit(VMBUS_VERSION_WIN7), 16384);

	good_offer(&o);
	o.monitorid = 127;
	assert_int_equal(hv_offer_validate(&o, v), 0);
	o.monitorid = 128;
	assert_int_equal(hv_offer_validate(&o, v), -EINVAL);
	o.monitorid = 255;
	assert_int_equal(hv_offer_validate(&o, v), -EINVAL);
	o.monitor_allocated = 0;	/* monitorid unused then */
	assert_int_equal(hv_offer_validate(&o, v), 0);
	o.monitor_allocated = 2;	/* only bit 0 counts */
	assert_int_equal(hv_offer_validate(&o, v), 0);
	o.monitor_allocated = 3;
	assert_int_equal(hv_offer_validate(&o, v), -EINVAL);

	good_offer(&o);
	o.sub_channel_index = 1;
	assert_int_equal(hv_offer_validate(&o, VMBUS_VERSION_WIN8), 0);
	assert_int_equal(hv_offer_validate(&o, VMBUS_VERSION_WIN10_V5_3), 0);
	assert_int_equal(hv_offer_validate(&o, VMBUS_VERSION_WIN7), -EINVAL);
	assert_int_equal(hv_offer_validate(&o, VMBUS_VERSION_WS2008), -EINVAL);
	o.sub_channel_index = 0;
	assert_int_equal(hv_offer_validate(&o, VMBUS_VERSION_WS2008), 0);
	assert_int_equal(hv_offer_validate(NULL, v), -EINVAL);
}

/* ---- GPADL -------------------------------------------------------------- */

static u32 rd32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return v;
}

static u16 rd16(const u8 *p)
{
	u16 v;

	memcpy(&v, p, 2);
	return v;
}

static void gpadl_case(u32 npfn, u32 want_msgs)
{
	u64 *pfns, *seen;
	u64 buf64[31];
	u8 *buf = (u8 *)buf64;
	u32 nm, idx, sz, k, got = 0, i, last = 0;

	pfns = malloc((npfn + 1) * sizeof(u64));
	seen = malloc((npfn + 1) * sizeof(u64));
	assert_non_null(pfns);
	assert_non_null(seen);
	for (i = 0; i < npfn; i++)
		pfns[i] = 0x123400000ULL + i * 3;

	nm = hv_gpadl_nmsgs(npfn);
	assert_int_equal(nm, want_msgs);
	for (idx = 0; idx < nm; idx++) {
		memset(buf, 0xcc, sizeof(buf64));
		sz = hv_gpadl_build_msg(idx, buf, 7, 0xabcd, pfns, npfn);
		assert_true(sz <= HV_MESSAGE_PAYLOAD_MAX);
		for (i = sz; i < sizeof(buf64); i++)
			assert_int_equal(buf[i], 0xcc);
		if (idx == 0) {
			k = npfn < 26 ? npfn : 26;
			assert_int_equal(sz, 28 + 8 * k);
			assert_int_equal(rd32(buf + 0), CHMSG_GPADL_HEADER);
			assert_int_equal(rd32(buf + 4), 0);
			assert_int_equal(rd32(buf + 8), 7);
			assert_int_equal(rd32(buf + 12), 0xabcd);
			assert_int_equal(rd16(buf + 16), 8 + 8 * npfn);
			assert_int_equal(rd16(buf + 18), 1);
			assert_int_equal(rd32(buf + 20), npfn * 4096);
			assert_int_equal(rd32(buf + 24), 0);
			memcpy(seen + got, buf + 28, 8 * k);
		} else {
			k = (sz - 16) / 8;
			assert_int_equal(sz, 16 + 8 * k);
			assert_true(k >= 1 && k <= 28);
			/* every body but the last is full */
			if (idx < nm - 1)
				assert_int_equal(k, 28);
			assert_int_equal(rd32(buf + 0), CHMSG_GPADL_BODY);
			assert_int_equal(rd32(buf + 4), 0);
			assert_int_equal(rd32(buf + 8), idx);	/* msgnumber */
			assert_int_equal(rd32(buf + 12), 0xabcd);
			memcpy(seen + got, buf + 16, 8 * k);
		}
		got += k;
		last = sz;
	}
	assert_int_equal(got, nm ? npfn : 0);
	if (nm)
		assert_memory_equal(seen, pfns, npfn * sizeof(u64));
	/* out of range: 0 and nothing written */
	memset(buf, 0xcc, sizeof(buf64));
	assert_int_equal(hv_gpadl_build_msg(nm, buf, 7, 0xabcd, pfns, npfn), 0);
	assert_int_equal(hv_gpadl_build_msg(nm + 100, buf, 7, 0xabcd, pfns,
					    npfn), 0);
	assert_int_equal(hv_gpadl_build_msg(0xffffffffu, buf, 7, 0xabcd, pfns,
					    npfn), 0);
	for (i = 0; i < sizeof(buf64); i++)
		assert_int_equal(buf[i], 0xcc);
	print_message("    npfn %5u: %3u message(s), range_buflen %u, "
		      "byte_count %u, last message %u bytes\n", npfn, nm,
		      (8 + 8 * npfn) & 0xffff, npfn * 4096, last);
	free(pfns);
	free(seen);
}

static void test_gpadl_split(void **state)
{
	(void)state;
	gpadl_case(0, 0);
	gpadl_case(1, 1);
	gpadl_case(25, 1);
	gpadl_case(26, 1);
	gpadl_case(27, 2);
	gpadl_case(53, 2);
	gpadl_case(54, 2);
	gpadl_case(55, 3);
	gpadl_case(82, 3);
	gpadl_case(83, 4);
	gpadl_case(4096, 147);	/* 16 MiB ring: 1 + ceil(4070 / 28) */
	gpadl_case(8190, 293);	/* largest range_buflen that fits u16 */
	gpadl_case(8191, 0);	/* 8 + 8 * 8191 > 0xffff */
}

static void test_gpadl_args(void **state)
{
	u64 buf[31], pfn = 5;

	(void)state;
	assert_int_equal(hv_gpadl_nmsgs(0xffffffffu), 0);
	assert_int_equal(hv_gpadl_build_msg(0, NULL, 1, 1, &pfn, 1), 0);
	assert_int_equal(hv_gpadl_build_msg(0, buf, 1, 1, NULL, 1), 0);
	assert_int_equal(hv_gpadl_build_msg(0, buf, 1, 1, &pfn, 0), 0);
	assert_int_equal(hv_gpadl_build_msg(0, buf, 1, 1, &pfn, 1), 36);
}

/* ---- packets ------------------------------------------------------------ */

static u64 pkbuf[128];

static u8 *pkt_init(u16 type, u16 offset8, u16 len8)
{
	struct vmbus_pkt_desc *d = (struct vmbus_pkt_desc *)pkbuf;

	memset(pkbuf, 0, sizeof(pkbuf));
	d->type = type;
	d->offset8 = offset8;
	d->len8 = len8;
	d->trans_id = 1;
	return (u8 *)pkbuf;
}

static void wr32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
}

#define PKT	((const struct vmbus_pkt_desc *)pkbuf)

static void test_pkt_validate_basic(void **state)
{
	(void)state;
	pkt_init(VMBUS_PKT_DATA_INBAND, 2, 4);
	assert_int_equal(hv_pkt_validate(PKT, 32), 0);
	assert_int_equal(hv_pkt_validate(PKT, 40), -EBADMSG);	/* len8 */
	assert_int_equal(hv_pkt_validate(PKT, 24), -EBADMSG);
	assert_int_equal(hv_pkt_validate(PKT, 8), -EBADMSG);
	assert_int_equal(hv_pkt_validate(NULL, 32), -EBADMSG);
	pkt_init(VMBUS_PKT_DATA_INBAND, 4, 4);	/* no payload */
	assert_int_equal(hv_pkt_validate(PKT, 32), 0);
	pkt_init(VMBUS_PKT_DATA_INBAND, 5, 4);	/* offset8 > len8 */
	assert_int_equal(hv_pkt_validate(PKT, 32), -EBADMSG);
	pkt_init(VMBUS_PKT_DATA_INBAND, 1, 4);	/* inside the descriptor */
	assert_int_equal(hv_pkt_validate(PKT, 32), -EBADMSG);
	pkt_init(VMBUS_PKT_COMP, 0, 4);
	assert_int_equal(hv_pkt_validate(PKT, 32), -EBADMSG);
	pkt_init(VMBUS_PKT_COMP, 2, 1);
	assert_int_equal(hv_pkt_validate(PKT, 8), -EBADMSG);
	pkt_init(VMBUS_PKT_COMP, 2, 0);
	assert_int_equal(hv_pkt_validate(PKT, 0), -EBADMSG);
	pkt_init(0x1234, 2, 2);	/* unknown types are the driver's business */
	assert_int_equal(hv_pkt_validate(PKT, 16), 0);
}

static void test_pkt_validate_xfer(void **state)
{
	u8 *p;

	(void)state;
	/* 3 ranges: descriptor 24 + 24 = 48 = offset8 6 */
	p = pkt_init(VMBUS_PKT_DATA_XFER_PAGES, 6, 8);
	wr32(p + 20, 3);
	wr32(p + 24, 100);
	wr32(p + 28, 0);
	wr32(p + 32, 0x0f);
	wr32(p + 36, 0xfffffff0u);	/* end offset 0xffffffff */
	wr32(p + 40, 1);
	wr32(p + 44, 4096);
	assert_int_equal(hv_pkt_validate(PKT, 64), 0);
	wr32(p + 32, 0x10);		/* end offset wraps to 0 */
	assert_int_equal(hv_pkt_validate(PKT, 64), -EBADMSG);
	wr32(p + 32, 0x0f);
	wr32(p + 20, 4);		/* one range too many */
	assert_int_equal(hv_pkt_validate(PKT, 64), -EBADMSG);
	wr32(p + 20, 0x20000000u);	/* 8 * count wraps to 0 in 32 bits */
	assert_int_equal(hv_pkt_validate(PKT, 64), -EBADMSG);
	wr32(p + 20, 0x20000003u);	/* ... to 24 */
	assert_int_equal(hv_pkt_validate(PKT, 64), -EBADMSG);
	wr32(p + 20, 0xffffffffu);
	assert_int_equal(hv_pkt_validate(PKT, 64), -EBADMSG);
	wr32(p + 20, 0);
	assert_int_equal(hv_pkt_validate(PKT, 64), 0);
	/* descriptor too short to hold range_count */
	p = pkt_init(VMBUS_PKT_DATA_XFER_PAGES, 2, 8);
	assert_int_equal(hv_pkt_validate(PKT, 64), -EBADMSG);
	p = pkt_init(VMBUS_PKT_DATA_XFER_PAGES, 3, 8);
	wr32(p + 20, 0);
	assert_int_equal(hv_pkt_validate(PKT, 64), 0);
	wr32(p + 20, 1);
	assert_int_equal(hv_pkt_validate(PKT, 64), -EBADMSG);
	/* ranges may not run into the payload even if len8 would hold them */
	p = pkt_init(VMBUS_PKT_DATA_XFER_PAGES, 4, 16);
	wr32(p + 20, 2);
	assert_int_equal(hv_pkt_validate(PKT, 128), -EBADMSG);
}

static void test_pkt_validate_gpa(void **state)
{
	u8 *p;
	unsigned int i;

	(void)state;
	/* page-buffer form: 3 ranges x 16 = 72 bytes = offset8 9 */
	p = pkt_init(VMBUS_PKT_DATA_GPA_DIRECT, 9, 12);
	wr32(p + 20, 3);
	for (i = 0; i < 3; i++) {
		wr32(p + 24 + 16 * i, 100 + i);		/* len */
		wr32(p + 28 + 16 * i, 8 * i);		/* offset */
		wr32(p + 32 + 16 * i, 0x1000 + i);	/* pfn low */
	}
	assert_int_equal(hv_pkt_validate(PKT, 96), 0);
	wr32(p + 24 + 16, 4096);	/* whole page from offset 8: 2 PFNs */
	assert_int_equal(hv_pkt_validate(PKT, 96), -EBADMSG);
	wr32(p + 24 + 16, 4096 - 8);	/* up to the end of the page */
	assert_int_equal(hv_pkt_validate(PKT, 96), 0);
	wr32(p + 24 + 16, 0);		/* empty range */
	assert_int_equal(hv_pkt_validate(PKT, 96), -EBADMSG);
	wr32(p + 24 + 16, 100);
	wr32(p + 28 + 16, 4096);	/* offset outside the first page */
	assert_int_equal(hv_pkt_validate(PKT, 96), -EBADMSG);
	wr32(p + 28 + 16, 8);
	wr32(p + 20, 4);
	assert_int_equal(hv_pkt_validate(PKT, 96), -EBADMSG);
	wr32(p + 20, 0xffffffffu);
	assert_int_equal(hv_pkt_validate(PKT, 96), -EBADMSG);
	wr32(p + 20, 0);
	assert_int_equal(hv_pkt_validate(PKT, 96), 0);

	/* multipage form: 3 pages from offset 100 touch 4 PFNs: 32 + 32 */
	p = pkt_init(VMBUS_PKT_DATA_GPA_DIRECT, 8, 10);
	wr32(p + 20, 1);
	wr32(p + 24, 3 * 4096);
	wr32(p + 28, 100);
	assert_int_equal(hv_pkt_validate(PKT, 80), 0);
	wr32(p + 28, 0);		/* 3 PFNs suffice */
	assert_int_equal(hv_pkt_validate(PKT, 80), 0);
	wr32(p + 24, 4 * 4096);		/* exactly 4 */
	assert_int_equal(hv_pkt_validate(PKT, 80), 0);
	wr32(p + 24, 4 * 4096 + 1);	/* 5: one PFN short */
	assert_int_equal(hv_pkt_validate(PKT, 80), -EBADMSG);
	wr32(p + 24, 0xffffffffu);	/* huge: no overflow in the count */
	wr32(p + 28, 4095);
	assert_int_equal(hv_pkt_validate(PKT, 80), -EBADMSG);
	/* descriptor too short for range_count */
	p = pkt_init(VMBUS_PKT_DATA_GPA_DIRECT, 2, 10);
	assert_int_equal(hv_pkt_validate(PKT, 80), -EBADMSG);
	/* range header itself does not fit */
	p = pkt_init(VMBUS_PKT_DATA_GPA_DIRECT, 3, 10);
	wr32(p + 20, 1);
	assert_int_equal(hv_pkt_validate(PKT, 80), -EBADMSG);
}

/* ---- GUIDs -------------------------------------------------------------- */

static const char ide_text[] = "32412632-86cb-44a2-9b5c-50d1417354f5";
static const u8 ide_wire[16] = {
	0x32, 0x26, 0x41, 0x32, 0xcb, 0x86, 0xa2, 0x44,
	0x9b, 0x5c, 0x50, 0xd1, 0x41, 0x73, 0x54, 0xf5,
};

static void test_guid_ide(void **state)
{
	struct hv_guid g;
	char text[37];

	(void)state;
	memset(text, 'x', sizeof(text));
	assert_int_equal(hv_guid_parse(ide_text, &g), 0);
	assert_memory_equal(g.b, ide_wire, 16);
	assert_ptr_equal(hv_guid_fmt(&g, text), text);
	assert_string_equal(text, ide_text);
	print_message("    %s <-> %02x %02x %02x %02x %02x %02x %02x %02x "
		      "...\n", text, g.b[0], g.b[1], g.b[2], g.b[3], g.b[4],
		      g.b[5], g.b[6], g.b[7]);
	assert_int_equal(hv_guid_parse("32412632-86CB-44A2-9B5C-50D1417354F5",
				       &g), 0);
	assert_memory_equal(g.b, ide_wire, 16);
}

static void test_guid_roundtrip(void **state)
{
	struct hv_guid g, h;
	struct prng rng;
	char text[37];
	unsigned int i, j;

	(void)state;
	prng_seed(&rng, 42);
	for (i = 0; i < 2000; i++) {
		for (j = 0; j < 16; j++)
			g.b[j] = (u8)prng_next(&rng);
		hv_guid_fmt(&g, text);
		assert_int_equal(strlen(text), 36);
		assert_int_equal(hv_guid_parse(text, &h), 0);
		assert_memory_equal(g.b, h.b, 16);
	}
}

static void test_guid_bad(void **state)
{
	static const char *const bad[] = {
		"",
		"32412632",
		"32412632-86cb-44a2-9b5c-50d1417354f",
		"32412632-86cb-44a2-9b5c-50d1417354f50",
		"32412632-86cb-44a2-9b5c-50d1417354f5 ",
		"{32412632-86cb-44a2-9b5c-50d1417354f5}",
		" 32412632-86cb-44a2-9b5c-50d1417354f5",
		"32412632_86cb-44a2-9b5c-50d1417354f5",
		"3241263-286cb-44a2-9b5c-50d1417354f5",
		"32412632-86cb-44a29-b5c-50d1417354f5",
		"32412632-86cb-44a2-9b5c50d1417354f5-",
		"3241263g-86cb-44a2-9b5c-50d1417354f5",
		"32412632-86cb-44a2-9b5c-50d1417354fG",
		"32412632-86cb-44a2-9b5c-50d14173-4f5",
		"3241263286cb44a29b5c50d1417354f5",
		"32412632-86cb-44a2-9b5c-50d1417354f\n",
	};
	struct hv_guid g;
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&g, 0x77, sizeof(g));
		assert_int_equal(hv_guid_parse(bad[i], &g), -EINVAL);
		assert_int_equal(g.b[0], 0x77);	/* untouched */
	}
	assert_int_equal(hv_guid_parse(NULL, &g), -EINVAL);
	assert_int_equal(hv_guid_parse(ide_text, NULL), -EINVAL);
}

const struct CMUnitTest chmsg_tests[] = {
	cmocka_unit_test(test_versions),
	cmocka_unit_test(test_chmsg_min_size),
	cmocka_unit_test(test_chmsg_validate),
	cmocka_unit_test(test_offer_validate),
	cmocka_unit_test(test_gpadl_split),
	cmocka_unit_test(test_gpadl_args),
	cmocka_unit_test(test_pkt_validate_basic),
	cmocka_unit_test(test_pkt_validate_xfer),
	cmocka_unit_test(test_pkt_validate_gpa),
	cmocka_unit_test(test_guid_ide),
	cmocka_unit_test(test_guid_roundtrip),
	cmocka_unit_test(test_guid_bad),
};
const size_t chmsg_ntests = ARRAY_SIZE(chmsg_tests);
