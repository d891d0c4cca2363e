// SPDX-License-Identifier: GPL-2.0
/*
 * test_wire.c - wire struct sizes and field offsets against the tables of
 * shared/docs/hyperv-protocol.md (A.3, A.4, B.3, B.5, C.1, C.2). The build
 * asserts in hv_wire.h cover part of this at compile time; these tests
 * check every listed field and print each check.
 */
#include "unit.h"

static void check(const char *what, unsigned long got, unsigned long want)
{
	print_message("    %-62s %5lu  (want %lu)\n", what, got, want);
	assert_int_equal(got, want);
}

static void check_hex(const char *what, unsigned long got, unsigned long want)
{
	print_message("    %-58s %#9lx  (want %#lx)\n", what, got, want);
	assert_int_equal(got, want);
}

#define OFF(type, member, want) \
	check("@ " #type "." #member, \
	      (unsigned long)offsetof(struct type, member), want)
#define SIZE(type, want) \
	check("sizeof " #type, (unsigned long)sizeof(struct type), want)
#define VAL(name, want)	check_hex(#name, (unsigned long)(name), want)

/* A.3 hypercall input blocks */
static void test_wire_hypercall(void **state)
{
	(void)state;
	SIZE(hv_input_post_message, 256);
	OFF(hv_input_post_message, connection_id, 0);
	OFF(hv_input_post_message, reserved, 4);
	OFF(hv_input_post_message, message_type, 8);
	OFF(hv_input_post_message, payload_size, 12);
	OFF(hv_input_post_message, payload, 16);
	VAL(HV_MESSAGE_PAYLOAD_MAX, 240);
	SIZE(hv_input_signal_event, 8);
	OFF(hv_input_signal_event, connection_id, 0);
	OFF(hv_input_signal_event, flag_number, 4);
	OFF(hv_input_signal_event, reserved, 6);
	VAL(HVCALL_POST_MESSAGE, 0x5c);
	VAL(HVCALL_SIGNAL_EVENT, 0x5d);
	VAL(HV_HYPERCALL_FAST_BIT, 1UL << 16);
	VAL(HV_POST_MESSAGE_TYPE_VMBUS, 1);
	VAL(HV_STATUS_INVALID_CONNECTION_ID, 0x12);
	VAL(HV_STATUS_INSUFFICIENT_MEMORY, 0x0b);
	VAL(HV_STATUS_INSUFFICIENT_BUFFERS, 0x13);
}

/* A.4 SynIC message slot and VMBus constants */
static void test_wire_synic(void **state)
{
	(void)state;
	SIZE(hv_message_slot, 256);
	OFF(hv_message_slot, message_type, 0);
	OFF(hv_message_slot, payload_size, 4);
	OFF(hv_message_slot, flags, 5);
	OFF(hv_message_slot, reserved, 6);
	OFF(hv_message_slot, sender, 8);
	OFF(hv_message_slot, payload, 16);
	VAL(HV_SYNIC_SINT_COUNT * HV_SYNIC_MSG_SLOT_SIZE, 4096);
	VAL(HV_SYNIC_SINT_COUNT * HV_SYNIC_EVENT_AREA_SIZE, 4096);
	VAL(HV_MSG_TIMER_EXPIRED, 0x80000010UL);
	VAL(HV_MSG_FLAG_PENDING, 1);
	VAL(VMBUS_MESSAGE_SINT, 2);
	VAL(VMBUS_MESSAGE_CONNECTION_ID, 1);
	VAL(VMBUS_EVENT_CONNECTION_ID, 2);
	VAL(VMBUS_MONITOR_CONNECTION_ID, 3);
	VAL(VMBUS_MESSAGE_CONNECTION_ID_4, 4);
}

/* B.1 versions and B.2 message types */
static void test_wire_numbers(void **state)
{
	(void)state;
	VAL(VMBUS_VERSION_WS2008, 0x0000000d);
	VAL(VMBUS_VERSION_WIN7, 0x00010001);
	VAL(VMBUS_VERSION_WIN8, 0x00020004);
	VAL(VMBUS_VERSION_WIN8_1, 0x00030000);
	VAL(VMBUS_VERSION_WIN10, 0x00040000);
	VAL(VMBUS_VERSION_WIN10_RS3, 0x00040001);
	VAL(VMBUS_VERSION_WIN10_V5, 0x00050000);
	VAL(VMBUS_VERSION_WIN10_V5_1, 0x00050001);
	VAL(VMBUS_VERSION_WIN10_V5_2, 0x00050002);
	VAL(VMBUS_VERSION_WIN10_V5_3, 0x00050003);
	VAL(CHMSG_OFFERCHANNEL, 1);
	VAL(CHMSG_RESCIND_CHANNELOFFER, 2);
	VAL(CHMSG_REQUESTOFFERS, 3);
	VAL(CHMSG_ALLOFFERS_DELIVERED, 4);
	VAL(CHMSG_OPENCHANNEL, 5);
	VAL(CHMSG_OPENCHANNEL_RESULT, 6);
	VAL(CHMSG_CLOSECHANNEL, 7);
	VAL(CHMSG_GPADL_HEADER, 8);
	VAL(CHMSG_GPADL_BODY, 9);
	VAL(CHMSG_GPADL_CREATED, 10);
	VAL(CHMSG_GPADL_TEARDOWN, 11);
	VAL(CHMSG_GPADL_TORNDOWN, 12);
	VAL(CHMSG_RELID_RELEASED, 13);
	VAL(CHMSG_INITIATE_CONTACT, 14);
	VAL(CHMSG_VERSION_RESPONSE, 15);
	VAL(CHMSG_UNLOAD, 16);
	VAL(CHMSG_UNLOAD_RESPONSE, 17);
	VAL(CHMSG_MODIFYCHANNEL, 22);
	VAL(CHMSG_TL_CONNECT_RESULT, 23);
	VAL(CHMSG_MODIFYCHANNEL_RESPONSE, 24);
	VAL(VMBUS_CHAN_ENUMERATE_IFACE, 0x1);
	VAL(VMBUS_CHAN_XFER_PAGES, 0x2);
	VAL(VMBUS_CHAN_GPADLS, 0x4);
	VAL(VMBUS_CHAN_NAMED_PIPE, 0x10);
	VAL(VMBUS_CHAN_LOOPBACK, 0x100);
	VAL(VMBUS_CHAN_PARENT_OFFER, 0x200);
	VAL(VMBUS_CHAN_REQUEST_MONITORED, 0x400);
	VAL(VMBUS_CHAN_HVSOCK, 0x2000);
}

/* B.3 payloads (offsets include the 8-byte header), sizes from B.2 */
static void test_wire_chmsg(void **state)
{
	(void)state;
	SIZE(vmbus_chmsg_hdr, 8);
	OFF(vmbus_chmsg_hdr, msgtype, 0);
	OFF(vmbus_chmsg_hdr, padding, 4);

	SIZE(vmbus_chmsg_offer, 196);
	OFF(vmbus_chmsg_offer, if_type, 8);
	OFF(vmbus_chmsg_offer, if_instance, 24);
	OFF(vmbus_chmsg_offer, reserved1, 40);
	OFF(vmbus_chmsg_offer, chn_flags, 56);
	OFF(vmbus_chmsg_offer, mmio_megabytes, 58);
	OFF(vmbus_chmsg_offer, user_def, 60);
	OFF(vmbus_chmsg_offer, sub_channel_index, 180);
	OFF(vmbus_chmsg_offer, reserved2, 182);
	OFF(vmbus_chmsg_offer, child_relid, 184);
	OFF(vmbus_chmsg_offer, monitorid, 188);
	OFF(vmbus_chmsg_offer, monitor_allocated, 189);
	OFF(vmbus_chmsg_offer, is_dedicated_interrupt, 190);
	OFF(vmbus_chmsg_offer, connection_id, 192);
	VAL(VMBUS_OFFER_SIZE_V0_13, 190);

	SIZE(vmbus_chmsg_relid, 12);
	OFF(vmbus_chmsg_relid, child_relid, 8);

	SIZE(vmbus_chmsg_open, 148);
	OFF(vmbus_chmsg_open, child_relid, 8);
	OFF(vmbus_chmsg_open, openid, 12);
	OFF(vmbus_chmsg_open, ring_gpadl, 16);
	OFF(vmbus_chmsg_open, target_vp, 20);
	OFF(vmbus_chmsg_open, downstream_ring_offset, 24);
	OFF(vmbus_chmsg_open, user_data, 28);

	SIZE(vmbus_chmsg_open_result, 20);
	OFF(vmbus_chmsg_open_result, child_relid, 8);
	OFF(vmbus_chmsg_open_result, openid, 12);
	OFF(vmbus_chmsg_open_result, status, 16);

	SIZE(vmbus_chmsg_initiate_contact, 40);
	OFF(vmbus_chmsg_initiate_contact, version, 8);
	OFF(vmbus_chmsg_initiate_contact, target_vcpu, 12);
	OFF(vmbus_chmsg_initiate_contact, u.interrupt_page, 16);
	OFF(vmbus_chmsg_initiate_contact, u.s.sint, 16);
	OFF(vmbus_chmsg_initiate_contact, u.s.vtl, 17);
	OFF(vmbus_chmsg_initiate_contact, monitor_page1, 24);
	OFF(vmbus_chmsg_initiate_contact, monitor_page2, 32);

	SIZE(vmbus_chmsg_version_response, 16);
	OFF(vmbus_chmsg_version_response, version_supported, 8);
	OFF(vmbus_chmsg_version_response, connection_state, 9);
	OFF(vmbus_chmsg_version_response, pad, 10);
	OFF(vmbus_chmsg_version_response, msg_conn_id, 12);

	/* header: 28 + 8 * 26 = 236 bytes at most */
	SIZE(vmbus_chmsg_gpadl_header, 236);
	OFF(vmbus_chmsg_gpadl_header, child_relid, 8);
	OFF(vmbus_chmsg_gpadl_header, gpadl, 12);
	OFF(vmbus_chmsg_gpadl_header, range_buflen, 16);
	OFF(vmbus_chmsg_gpadl_header, rangecount, 18);
	OFF(vmbus_chmsg_gpadl_header, byte_count, 20);
	OFF(vmbus_chmsg_gpadl_header, byte_offset, 24);
	OFF(vmbus_chmsg_gpadl_header, pfn, 28);
	VAL(VMBUS_GPADL_HEADER_MAX_PFNS, 26);

	SIZE(vmbus_chmsg_gpadl_body, 240);
	OFF(vmbus_chmsg_gpadl_body, msgnumber, 8);
	OFF(vmbus_chmsg_gpadl_body, gpadl, 12);
	OFF(vmbus_chmsg_gpadl_body, pfn, 16);
	VAL(VMBUS_GPADL_BODY_MAX_PFNS, 28);

	SIZE(vmbus_chmsg_gpadl_created, 20);
	OFF(vmbus_chmsg_gpadl_created, child_relid, 8);
	OFF(vmbus_chmsg_gpadl_created, gpadl, 12);
	OFF(vmbus_chmsg_gpadl_created, creation_status, 16);

	SIZE(vmbus_chmsg_gpadl_teardown, 16);
	OFF(vmbus_chmsg_gpadl_teardown, child_relid, 8);
	OFF(vmbus_chmsg_gpadl_teardown, gpadl, 12);

	SIZE(vmbus_chmsg_gpadl_torndown, 12);
	OFF(vmbus_chmsg_gpadl_torndown, gpadl, 8);

	SIZE(vmbus_chmsg_modifychannel, 16);
	OFF(vmbus_chmsg_modifychannel, child_relid, 8);
	OFF(vmbus_chmsg_modifychannel, target_vp, 12);
}

/* B.5 monitor page and interrupt page constants */
static void test_wire_monitor(void **state)
{
	(void)state;
	SIZE(vmbus_monitor_page, 4096);
	OFF(vmbus_monitor_page, trigger_state, 0x000);
	OFF(vmbus_monitor_page, trigger_group, 0x008);
	OFF(vmbus_monitor_page, trigger_group[0].pending, 0x008);
	OFF(vmbus_monitor_page, trigger_group[0].armed, 0x00c);
	OFF(vmbus_monitor_page, trigger_group[3].pending, 0x020);
	OFF(vmbus_monitor_page, next_checktime, 0x040);
	OFF(vmbus_monitor_page, next_checktime[1][0], 0x0c0);
	OFF(vmbus_monitor_page, latency, 0x240);
	OFF(vmbus_monitor_page, latency[1][0], 0x280);
	OFF(vmbus_monitor_page, parameter, 0x440);
	OFF(vmbus_monitor_page, parameter[0][0].connection_id, 0x440);
	OFF(vmbus_monitor_page, parameter[0][0].flag_number, 0x444);
	OFF(vmbus_monitor_page, parameter[0][0].reserved, 0x446);
	OFF(vmbus_monitor_page, parameter[1][0], 0x540);
	OFF(vmbus_monitor_page, parameter[3][31], 0x838);
	SIZE(vmbus_monitor_trigger_group, 8);
	SIZE(vmbus_monitor_parameter, 8);
	VAL(VMBUS_INTPAGE_HALF, 2048);
	VAL(VMBUS_MAX_RELID, 16384);
	VAL(VMBUS_MAX_MONITOR_ID, 128);
}

/* C.1 ring header */
static void test_wire_ring_header(void **state)
{
	(void)state;
	SIZE(hv_ring_header, 4096);
	OFF(hv_ring_header, write_index, 0);
	OFF(hv_ring_header, read_index, 4);
	OFF(hv_ring_header, interrupt_mask, 8);
	OFF(hv_ring_header, pending_send_sz, 12);
	OFF(hv_ring_header, reserved1, 16);
	OFF(hv_ring_header, feature_bits, 64);
	VAL(HV_RING_FEAT_PENDING_SEND_SZ, 1);
}

/* C.2 packets */
static void test_wire_packets(void **state)
{
	(void)state;
	SIZE(vmbus_pkt_desc, 16);
	OFF(vmbus_pkt_desc, type, 0);
	OFF(vmbus_pkt_desc, offset8, 2);
	OFF(vmbus_pkt_desc, len8, 4);
	OFF(vmbus_pkt_desc, flags, 6);
	OFF(vmbus_pkt_desc, trans_id, 8);
	VAL(VMBUS_PKT_TRAILER_SIZE, 8);
	VAL(VMBUS_PKT_DATA_INBAND, 0x6);
	VAL(VMBUS_PKT_DATA_XFER_PAGES, 0x7);
	VAL(VMBUS_PKT_DATA_GPADL, 0x8);
	VAL(VMBUS_PKT_DATA_GPA_DIRECT, 0x9);
	VAL(VMBUS_PKT_COMP, 0xb);
	VAL(VMBUS_PKT_FLAG_COMPLETION_REQUESTED, 0x1);

	OFF(vmbus_pkt_xfer_pages, xfer_pageset_id, 16);
	OFF(vmbus_pkt_xfer_pages, sender_owns_set, 18);
	OFF(vmbus_pkt_xfer_pages, reserved, 19);
	OFF(vmbus_pkt_xfer_pages, range_count, 20);
	OFF(vmbus_pkt_xfer_pages, ranges, 24);
	OFF(vmbus_pkt_xfer_pages, ranges[0].byte_count, 24);
	OFF(vmbus_pkt_xfer_pages, ranges[0].byte_offset, 28);
	SIZE(vmbus_xfer_range, 8);

	SIZE(vmbus_pkt_gpa_direct, 24);
	OFF(vmbus_pkt_gpa_direct, reserved, 16);
	OFF(vmbus_pkt_gpa_direct, range_count, 20);
	SIZE(vmbus_pagebuf_range, 16);
	OFF(vmbus_pagebuf_range, len, 0);
	OFF(vmbus_pagebuf_range, offset, 4);
	OFF(vmbus_pagebuf_range, pfn, 8);
	VAL(VMBUS_MAX_PAGE_BUFFERS, 32);
	/* multipage: descriptor = 24 + 8 (range header) + 8n = 32 + 8n */
	SIZE(vmbus_mpb_range_hdr, 8);
	OFF(vmbus_mpb_range_hdr, len, 0);
	OFF(vmbus_mpb_range_hdr, offset, 4);
}

const struct CMUnitTest wire_tests[] = {
	cmocka_unit_test(test_wire_hypercall),
	cmocka_unit_test(test_wire_synic),
	cmocka_unit_test(test_wire_numbers),
	cmocka_unit_test(test_wire_chmsg),
	cmocka_unit_test(test_wire_monitor),
	cmocka_unit_test(test_wire_ring_header),
	cmocka_unit_test(test_wire_packets),
};
const size_t wire_ntests = ARRAY_SIZE(wire_tests);
