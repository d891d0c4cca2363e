// SPDX-License-Identifier: GPL-2.0
/*
 * test_vstor.c - VSTOR protocol core (fact sheet E): layouts, sizes per
 * version, request encoding, completion parsing with hostile input, and
 * the multipage PFN rules.
 */
#include "unit.h"
#include "hv_vstor.h"

static void test_vstor_layout(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct vstor_packet), 64);
	assert_int_equal(offsetof(struct vstor_packet, u), 12);
	assert_int_equal(sizeof(struct vmscsi_request), 0x34);
	assert_int_equal(offsetof(struct vmscsi_request, srb_status), 2);
	assert_int_equal(offsetof(struct vmscsi_request, scsi_status), 3);
	assert_int_equal(offsetof(struct vmscsi_request, port), 4);
	assert_int_equal(offsetof(struct vmscsi_request, path_id), 5);
	assert_int_equal(offsetof(struct vmscsi_request, target_id), 6);
	assert_int_equal(offsetof(struct vmscsi_request, lun), 7);
	assert_int_equal(offsetof(struct vmscsi_request, cdb_length), 8);
	assert_int_equal(offsetof(struct vmscsi_request, sense_info_length), 9);
	assert_int_equal(offsetof(struct vmscsi_request, data_in), 10);
	assert_int_equal(offsetof(struct vmscsi_request, data_transfer_length), 12);
	assert_int_equal(offsetof(struct vmscsi_request, u), 16);
	assert_int_equal(offsetof(struct vmscsi_request, reserved1), 36);
	assert_int_equal(offsetof(struct vmscsi_request, queue_tag), 38);
	assert_int_equal(offsetof(struct vmscsi_request, queue_action), 39);
	assert_int_equal(offsetof(struct vmscsi_request, srb_flags), 40);
	assert_int_equal(offsetof(struct vmscsi_request, time_out_value), 44);
	assert_int_equal(offsetof(struct vmscsi_request, queue_sort_key), 48);
	assert_int_equal(sizeof(struct vstor_channel_properties), 24);
	assert_int_equal(offsetof(struct vstor_channel_properties, max_channel_cnt), 4);
	assert_int_equal(offsetof(struct vstor_channel_properties, flags), 8);
	assert_int_equal(offsetof(struct vstor_channel_properties, max_transfer_bytes), 12);
	assert_int_equal(sizeof(struct vstor_ide_offer_data), 24);
	assert_int_equal(offsetof(struct vstor_ide_offer_data, path_id), 2);
	assert_int_equal(offsetof(struct vstor_ide_offer_data, target_id), 3);
	assert_int_equal(offsetof(struct vstor_ide_offer_data, flags), 8);
}

static void test_vstor_sizes_by_version(void **state)
{
	unsigned int i;

	(void)state;
	assert_int_equal(hv_vstor_nversions, 5);
	assert_int_equal(hv_vstor_versions[0], 0x0602);
	assert_int_equal(hv_vstor_versions[4], 0x0200);
	for (i = 1; i < hv_vstor_nversions; i++)
		assert_true(hv_vstor_versions[i] < hv_vstor_versions[i - 1]);
	assert_int_equal(hv_vstor_pkt_size(VSTOR_VERSION_WIN2008), 48);
	assert_int_equal(hv_vstor_pkt_size(VSTOR_VERSION_WIN7), 48);
	assert_int_equal(hv_vstor_pkt_size(VSTOR_VERSION_WIN8), 64);
	assert_int_equal(hv_vstor_pkt_size(VSTOR_VERSION_WIN10), 64);
	assert_int_equal(hv_vstor_srb_len(VSTOR_VERSION_WIN7), 0x24);
	assert_int_equal(hv_vstor_srb_len(VSTOR_VERSION_WIN8_1), 0x34);
	assert_int_equal(hv_vstor_sense_size(VSTOR_VERSION_WIN2008), 0x12);
	assert_int_equal(hv_vstor_sense_size(VSTOR_VERSION_WIN8), 0x14);
}

static void test_vstor_build_srb(void **state)
{
	static const u8 read10[10] = { 0x28, 0, 0, 0, 0, 8, 0, 0, 8, 0 };
	struct vstor_packet p;
	struct hv_vstor_cmd c;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.cdb = read10;
	c.cdb_len = sizeof(read10);
	c.path_id = 1;
	c.target_id = 2;
	c.lun = 3;
	c.data_in = VSTOR_READ_TYPE;
	c.transfer_len = 4096;
	c.timeout_s = 30;
	assert_int_equal(hv_vstor_build_srb(&p, VSTOR_VERSION_WIN10, &c), 0);
	assert_int_equal(p.operation, VSTOR_OP_EXECUTE_SRB);
	assert_int_equal(p.flags, VSTOR_FLAG_REQUEST_COMPLETION);
	assert_int_equal(p.u.srb.length, 0x34);
	assert_int_equal(p.u.srb.sense_info_length, 0x14);
	assert_int_equal(p.u.srb.cdb_length, 10);
	assert_int_equal(p.u.srb.path_id, 1);
	assert_int_equal(p.u.srb.target_id, 2);
	assert_int_equal(p.u.srb.lun, 3);
	assert_int_equal(p.u.srb.data_in, VSTOR_READ_TYPE);
	assert_int_equal(p.u.srb.data_transfer_length, 4096);
	assert_memory_equal(p.u.srb.u.cdb, read10, 10);
	assert_int_equal(p.u.srb.srb_flags,
			 SRB_FLAGS_DISABLE_SYNCH_TRANSFER | SRB_FLAGS_DATA_IN);
	assert_int_equal(p.u.srb.time_out_value, 30);

	/* pre-5.1: short SRB, no win8 extension */
	assert_int_equal(hv_vstor_build_srb(&p, VSTOR_VERSION_WIN7, &c), 0);
	assert_int_equal(p.u.srb.length, 0x24);
	assert_int_equal(p.u.srb.sense_info_length, 0x12);
	assert_int_equal(p.u.srb.srb_flags, 0);
	assert_int_equal(p.u.srb.time_out_value, 0);

	/* hostile or wrong requests */
	c.cdb_len = 17;
	assert_int_equal(hv_vstor_build_srb(&p, VSTOR_VERSION_WIN10, &c), -EINVAL);
	c.cdb_len = 0;
	assert_int_equal(hv_vstor_build_srb(&p, VSTOR_VERSION_WIN10, &c), -EINVAL);
	c.cdb_len = 10;
	c.data_in = VSTOR_UNKNOWN_TYPE;	/* no data but a length */
	assert_int_equal(hv_vstor_build_srb(&p, VSTOR_VERSION_WIN10, &c), -EINVAL);
	c.transfer_len = 0;
	assert_int_equal(hv_vstor_build_srb(&p, VSTOR_VERSION_WIN10, &c), 0);
	c.data_in = 3;
	assert_int_equal(hv_vstor_build_srb(&p, VSTOR_VERSION_WIN10, &c), -EINVAL);
}

static void test_vstor_build_op(void **state)
{
	struct vstor_packet p;

	(void)state;
	assert_int_equal(hv_vstor_build_op(&p, VSTOR_OP_QUERY_PROTOCOL_VERSION,
					   VSTOR_VERSION_WIN8_1), 0);
	assert_int_equal(p.operation, 9);
	assert_int_equal(p.u.version.major_minor, 0x0600);
	assert_int_equal(p.u.version.revision, 0);
	assert_int_equal(hv_vstor_build_op(&p, VSTOR_OP_CREATE_SUB_CHANNELS, 3), 0);
	assert_int_equal(p.u.sub_channel_count, 3);
	assert_int_equal(hv_vstor_build_op(&p, VSTOR_OP_CREATE_SUB_CHANNELS, 0), -EINVAL);
	assert_int_equal(hv_vstor_build_op(&p, VSTOR_OP_BEGIN_INITIALIZATION, 0), 0);
	assert_int_equal(p.flags, VSTOR_FLAG_REQUEST_COMPLETION);
	assert_int_equal(hv_vstor_build_op(&p, VSTOR_OP_EXECUTE_SRB, 0), -EINVAL);
	assert_int_equal(hv_vstor_build_op(&p, 99, 0), -EINVAL);
}

static void make_completion(struct vstor_packet *p, u16 version, u8 srb,
			    u8 scsi, u32 xfer)
{
	memset(p, 0, sizeof(*p));
	p->operation = VSTOR_OP_COMPLETE_IO;
	p->u.srb.length = hv_vstor_srb_len(version);
	p->u.srb.srb_status = srb;
	p->u.srb.scsi_status = scsi;
	p->u.srb.data_transfer_length = xfer;
}

static void test_vstor_completion(void **state)
{
	struct vstor_packet p;
	struct hv_vstor_completion c;
	u16 v = VSTOR_VERSION_WIN10;

	(void)state;
	make_completion(&p, v, SRB_STATUS_SUCCESS, 0, 4096);
	assert_int_equal(hv_vstor_parse_completion(&p, 64, v, 4096, &c), 0);
	assert_int_equal(c.result, HV_VSTOR_OK);
	assert_int_equal(c.transferred, 4096);
	assert_null(c.sense);

	/* the host claims more than we asked: clamp */
	make_completion(&p, v, SRB_STATUS_SUCCESS, 0, 0xffffffff);
	assert_int_equal(hv_vstor_parse_completion(&p, 64, v, 512, &c), 0);
	assert_int_equal(c.transferred, 512);

	/* short transfer */
	make_completion(&p, v, SRB_STATUS_DATA_OVERRUN | SRB_STATUS_QUEUE_FROZEN,
			0, 100);
	assert_int_equal(hv_vstor_parse_completion(&p, 64, v, 4096, &c), 0);
	assert_int_equal(c.result, HV_VSTOR_OK);
	assert_int_equal(c.srb_status, SRB_STATUS_DATA_OVERRUN);
	assert_int_equal(c.transferred, 100);

	/* CHECK CONDITION with autosense; a hostile sense length is clamped */
	make_completion(&p, v, SRB_STATUS_ERROR | SRB_STATUS_AUTOSENSE_VALID,
			2, 0);
	p.u.srb.sense_info_length = 200;
	p.u.srb.u.sense[2] = 0x5;
	assert_int_equal(hv_vstor_parse_completion(&p, 64, v, 4096, &c), 0);
	assert_int_equal(c.result, HV_VSTOR_CHECK_CONDITION);
	assert_int_equal(c.sense_len, 0x14);
	assert_non_null(c.sense);
	assert_int_equal(c.sense[2], 0x5);
	make_completion(&p, VSTOR_VERSION_WIN7, SRB_STATUS_ERROR |
			SRB_STATUS_AUTOSENSE_VALID, 2, 0);
	p.u.srb.sense_info_length = 0x14;
	assert_int_equal(hv_vstor_parse_completion(&p, 48, VSTOR_VERSION_WIN7,
						   4096, &c), 0);
	assert_int_equal(c.sense_len, 0x12);

	/* sense without AUTOSENSE_VALID is not used */
	make_completion(&p, v, SRB_STATUS_ERROR, 2, 0);
	assert_int_equal(hv_vstor_parse_completion(&p, 64, v, 4096, &c), 0);
	assert_int_equal(c.sense_len, 0);
	assert_null(c.sense);

	make_completion(&p, v, SRB_STATUS_INVALID_LUN, 0, 4096);
	assert_int_equal(hv_vstor_parse_completion(&p, 64, v, 4096, &c), 0);
	assert_int_equal(c.result, HV_VSTOR_INVALID_LUN);
	assert_int_equal(c.transferred, 0);
	make_completion(&p, v, SRB_STATUS_ABORTED, 0, 4096);
	assert_int_equal(hv_vstor_parse_completion(&p, 64, v, 4096, &c), 0);
	assert_int_equal(c.result, HV_VSTOR_ABORTED);
	make_completion(&p, v, 0x33, 0, 4096);
	assert_int_equal(hv_vstor_parse_completion(&p, 64, v, 4096, &c), 0);
	assert_int_equal(c.result, HV_VSTOR_ERROR);

	/* malformed: too short, wrong operation, wrong SRB length */
	make_completion(&p, v, SRB_STATUS_SUCCESS, 0, 0);
	assert_int_equal(hv_vstor_parse_completion(&p, 63, v, 0, &c), -EBADMSG);
	assert_int_equal(c.result, HV_VSTOR_BAD_COMPLETION);
	p.operation = VSTOR_OP_EXECUTE_SRB;
	assert_int_equal(hv_vstor_parse_completion(&p, 64, v, 0, &c), -EBADMSG);
	make_completion(&p, v, SRB_STATUS_SUCCESS, 0, 0);
	p.u.srb.length = 0x24;
	assert_int_equal(hv_vstor_parse_completion(&p, 64, v, 0, &c), -EBADMSG);
	/* an old host's 48-byte completion is complete for 4.2 */
	make_completion(&p, VSTOR_VERSION_WIN7, SRB_STATUS_SUCCESS, 0, 8);
	assert_int_equal(hv_vstor_parse_completion(&p, 48, VSTOR_VERSION_WIN7,
						   8, &c), 0);
}

static void test_vstor_pfns(void **state)
{
	struct hv_vstor_seg s[4];
	u64 pfns[16];
	u32 off = 99, total = 99;

	(void)state;
	assert_int_equal(hv_vstor_sg_limit(512 * 1024), 129);
	assert_int_equal(hv_vstor_sg_limit(0), 2);

	/* first segment mid-page to its end, whole middle, partial last */
	s[0].pfn = 100; s[0].offset = 512; s[0].len = 4096 - 512;
	s[1].pfn = 7;   s[1].offset = 0;   s[1].len = 8192;
	s[2].pfn = 50;  s[2].offset = 0;   s[2].len = 100;
	assert_int_equal(hv_vstor_build_pfns(s, 3, pfns, 16, &off, &total), 4);
	assert_int_equal(off, 512);
	assert_int_equal(total, 4096 - 512 + 8192 + 100);
	assert_int_equal(pfns[0], 100);
	assert_int_equal(pfns[1], 7);
	assert_int_equal(pfns[2], 8);
	assert_int_equal(pfns[3], 50);

	/* a single segment spanning pages */
	s[0].pfn = 9; s[0].offset = 4000; s[0].len = 200;
	assert_int_equal(hv_vstor_build_pfns(s, 1, pfns, 16, &off, &total), 2);
	assert_int_equal(pfns[1], 10);

	/* middle segment not whole pages */
	s[0].pfn = 1; s[0].offset = 0; s[0].len = 4096;
	s[1].pfn = 2; s[1].offset = 0; s[1].len = 100;
	s[2].pfn = 3; s[2].offset = 0; s[2].len = 4096;
	assert_int_equal(hv_vstor_build_pfns(s, 3, pfns, 16, &off, &total), 0);
	/* later segment starting mid-page */
	s[1].len = 4096; s[2].offset = 8;
	assert_int_equal(hv_vstor_build_pfns(s, 3, pfns, 16, &off, &total), 0);
	/* too many PFNs for the room */
	s[0].pfn = 1; s[0].offset = 0; s[0].len = 17 * 4096;
	assert_int_equal(hv_vstor_build_pfns(s, 1, pfns, 16, &off, &total), 0);
	/* empty and zero-length */
	assert_int_equal(hv_vstor_build_pfns(s, 0, pfns, 16, &off, &total), 0);
	s[0].len = 0;
	assert_int_equal(hv_vstor_build_pfns(s, 1, pfns, 16, &off, &total), 0);
	s[0].len = 1; s[0].offset = 4096;
	assert_int_equal(hv_vstor_build_pfns(s, 1, pfns, 16, &off, &total), 0);
}

static void test_vstor_pfn_list(void **state)
{
	struct hv_vstor_pfn_list l;
	u64 pfns[4];

	(void)state;
	/* two pieces of one page merge; then whole pages */
	hv_vstor_pfns_init(&l, pfns, 4);
	assert_int_equal(hv_vstor_pfns_add(&l, 10, 1024, 512), 0);
	assert_int_equal(hv_vstor_pfns_add(&l, 10, 1536, 2560), 0);
	assert_int_equal(hv_vstor_pfns_add(&l, 20, 0, 8192), 0);
	assert_int_equal(hv_vstor_pfns_add(&l, 30, 0, 100), 0);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.offset, 1024);
	assert_int_equal(l.total, 512 + 2560 + 8192 + 100);
	assert_true(pfns[0] == 10 && pfns[1] == 20 && pfns[2] == 21 &&
		    pfns[3] == 30);
	/* full: one more page does not fit; broken stays broken */
	assert_int_equal(hv_vstor_pfns_add(&l, 30, 100, 4096), -EINVAL);
	assert_true(l.broken);
	assert_int_equal(hv_vstor_pfns_add(&l, 30, 100, 1), -EINVAL);

	/* a gap inside a page; a mid-page start after a whole page */
	hv_vstor_pfns_init(&l, pfns, 4);
	assert_int_equal(hv_vstor_pfns_add(&l, 1, 0, 512), 0);
	assert_int_equal(hv_vstor_pfns_add(&l, 1, 1024, 512), -EINVAL);
	hv_vstor_pfns_init(&l, pfns, 4);
	assert_int_equal(hv_vstor_pfns_add(&l, 1, 0, 4096), 0);
	assert_int_equal(hv_vstor_pfns_add(&l, 2, 8, 512), -EINVAL);
	/* another page at the right offset is not a continuation */
	hv_vstor_pfns_init(&l, pfns, 4);
	assert_int_equal(hv_vstor_pfns_add(&l, 1, 0, 512), 0);
	assert_int_equal(hv_vstor_pfns_add(&l, 2, 512, 512), -EINVAL);
	/* empty and out-of-page segments */
	hv_vstor_pfns_init(&l, pfns, 4);
	assert_int_equal(hv_vstor_pfns_add(&l, 1, 0, 0), -EINVAL);
	hv_vstor_pfns_init(&l, pfns, 4);
	assert_int_equal(hv_vstor_pfns_add(&l, 1, 4096, 1), -EINVAL);
}

static void test_vstor_capacity(void **state)
{
	struct hv_vstor_capacity c;
	u8 b[32];

	(void)state;
	memset(b, 0, sizeof(b));
	b[3] = 0xff;		/* last LBA 255 */
	b[6] = 0x02;		/* 512 */
	assert_int_equal(hv_vstor_parse_capacity(b, 8, 0, &c), 0);
	assert_true(c.blocks == 256 && c.block_size == 512);
	assert_int_equal(hv_vstor_parse_capacity(b, 7, 0, &c), -EBADMSG);
	b[6] = 0x03;		/* 768: not a block size */
	assert_int_equal(hv_vstor_parse_capacity(b, 8, 0, &c), -EBADMSG);
	b[6] = 0;
	assert_int_equal(hv_vstor_parse_capacity(b, 8, 0, &c), -EBADMSG);
	memset(b, 0xff, 4);
	b[6] = 0x02;
	assert_int_equal(hv_vstor_parse_capacity(b, 8, 0, &c), -EOVERFLOW);

	memset(b, 0, sizeof(b));
	b[3] = 1;		/* last LBA 2^32 */
	b[10] = 0x10;		/* 4096 */
	b[13] = 0x03;
	b[14] = 0x80;
	assert_int_equal(hv_vstor_parse_capacity(b, 32, 1, &c), 0);
	assert_true(c.blocks == 0x100000001ULL && c.block_size == 4096 &&
		    c.phys_exp == 3 && c.lbpme == 1);
	assert_int_equal(hv_vstor_parse_capacity(b, 11, 1, &c), -EBADMSG);
	memset(b, 0xff, 8);	/* absurd capacity */
	assert_int_equal(hv_vstor_parse_capacity(b, 32, 1, &c), -EBADMSG);
}

static void test_vstor_vpd(void **state)
{
	struct hv_vstor_unmap u;
	char s[8];
	u8 b[64];

	(void)state;
	memset(b, 0, sizeof(b));
	memset(&u, 0, sizeof(u));
	b[1] = 0xb0;
	b[3] = 0x3c;
	b[23] = 0x80;		/* max unmap LBAs 128 */
	b[27] = 1;
	b[31] = 8;
	assert_int_equal(hv_vstor_parse_vpd_b0(b, 64, &u), 0);
	assert_true(u.max_lba == 128 && u.max_desc == 1 && u.granularity == 8);
	assert_int_equal(hv_vstor_parse_vpd_b0(b, 20, &u), -EBADMSG);
	b[3] = 4;		/* the page claims too little */
	assert_int_equal(hv_vstor_parse_vpd_b0(b, 64, &u), -EBADMSG);
	assert_int_equal(hv_vstor_parse_vpd_b2(b, 64, &u), -EBADMSG);
	b[1] = 0xb2;
	b[5] = 0x80;
	assert_int_equal(hv_vstor_parse_vpd_b2(b, 8, &u), 0);
	assert_int_equal(u.lbpu, 1);

	memset(b, 0, sizeof(b));
	b[1] = 0x80;
	b[3] = 6;
	memcpy(b + 4, "  AB\001 ", 6);
	assert_int_equal(hv_vstor_parse_vpd_80(b, 10, s, sizeof(s)), 0);
	assert_string_equal(s, "AB?");
	assert_int_equal(hv_vstor_parse_vpd_80(b, 9, s, sizeof(s)), -EBADMSG);
	assert_int_equal(hv_vstor_parse_string((const u8 *)"abcdefghij", 10,
					       s, sizeof(s)), 7);
	assert_string_equal(s, "abcdefg");
}

const struct CMUnitTest vstor_tests[] = {
	cmocka_unit_test(test_vstor_layout),
	cmocka_unit_test(test_vstor_sizes_by_version),
	cmocka_unit_test(test_vstor_build_srb),
	cmocka_unit_test(test_vstor_build_op),
	cmocka_unit_test(test_vstor_completion),
	cmocka_unit_test(test_vstor_pfns),
	cmocka_unit_test(test_vstor_pfn_list),
	cmocka_unit_test(test_vstor_capacity),
	cmocka_unit_test(test_vstor_vpd),
};
const size_t vstor_ntests = ARRAY_SIZE(vstor_tests);
