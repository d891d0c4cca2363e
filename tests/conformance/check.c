// SPDX-License-Identifier: GPL-2.0
/*
 * check.c - compare hv_wire.h with the layout of the kernel's
 * linux/hyperv.h (kern_layout.h, generated). Every comparison is a
 * compile-time assertion; the program only prints what was compared.
 */
#include <stdio.h>
#include "hv_wire.h"
#include "kern_layout.h"

#define SAME(ours, theirs) HV_BUILD_ASSERT((long)(ours) == (long)(theirs))
#define CHECKS 84
#define OFF(type, member)	HV_OFFSETOF(struct type, member)

/* channel messages (B.2, B.3) */
SAME(sizeof(struct vmbus_chmsg_hdr), K_SIZE_hdr);
SAME(sizeof(struct vmbus_chmsg_offer), K_SIZE_offer);
SAME(OFF(vmbus_chmsg_offer, if_instance), K_OFF_offer_if_instance);
SAME(OFF(vmbus_chmsg_offer, chn_flags), K_OFF_offer_chn_flags);
SAME(OFF(vmbus_chmsg_offer, user_def), K_OFF_offer_user_def);
SAME(OFF(vmbus_chmsg_offer, sub_channel_index), K_OFF_offer_sub_channel_index);
SAME(OFF(vmbus_chmsg_offer, child_relid), K_OFF_offer_child_relid);
SAME(OFF(vmbus_chmsg_offer, monitorid), K_OFF_offer_monitorid);
SAME(OFF(vmbus_chmsg_offer, connection_id), K_OFF_offer_connection_id);
SAME(sizeof(struct vmbus_chmsg_relid), K_SIZE_rescind);
SAME(sizeof(struct vmbus_chmsg_relid), K_SIZE_close);
SAME(sizeof(struct vmbus_chmsg_relid), K_SIZE_relid_released);
SAME(sizeof(struct vmbus_chmsg_open), K_SIZE_open);
SAME(OFF(vmbus_chmsg_open, openid), K_OFF_open_openid);
SAME(OFF(vmbus_chmsg_open, ring_gpadl), K_OFF_open_ringbuffer_gpadlhandle);
SAME(OFF(vmbus_chmsg_open, target_vp), K_OFF_open_target_vp);
SAME(OFF(vmbus_chmsg_open, downstream_ring_offset), K_OFF_open_downstream_ringbuffer_pageoffset);
SAME(OFF(vmbus_chmsg_open, user_data), K_OFF_open_userdata);
SAME(sizeof(struct vmbus_chmsg_open_result), K_SIZE_open_result);
SAME(OFF(vmbus_chmsg_open_result, status), K_OFF_open_result_status);
/* the kernel's header ends in a flexible range array: fixed part 20 */
SAME(OFF(vmbus_chmsg_gpadl_header, range_buflen), K_OFF_gpadl_header_range_buflen);
SAME(OFF(vmbus_chmsg_gpadl_header, rangecount), K_OFF_gpadl_header_rangecount);
SAME(OFF(vmbus_chmsg_gpadl_header, byte_count), K_OFF_gpadl_header_range);
SAME(OFF(vmbus_chmsg_gpadl_header, pfn), K_OFF_gpadl_header_range + K_SIZE_gpa_range);
SAME(OFF(vmbus_chmsg_gpadl_body, pfn), K_OFF_gpadl_body_pfn);
SAME(sizeof(struct vmbus_chmsg_gpadl_created), K_SIZE_gpadl_created);
SAME(OFF(vmbus_chmsg_gpadl_created, creation_status), K_OFF_gpadl_created_creation_status);
SAME(sizeof(struct vmbus_chmsg_gpadl_teardown), K_SIZE_gpadl_teardown);
SAME(sizeof(struct vmbus_chmsg_gpadl_torndown), K_SIZE_gpadl_torndown);
SAME(sizeof(struct vmbus_chmsg_initiate_contact), K_SIZE_initiate);
SAME(OFF(vmbus_chmsg_initiate_contact, target_vcpu), K_OFF_initiate_target_vcpu);
SAME(OFF(vmbus_chmsg_initiate_contact, u), K_OFF_initiate_interrupt_page);
SAME(OFF(vmbus_chmsg_initiate_contact, monitor_page1), K_OFF_initiate_monitor_page1);
SAME(OFF(vmbus_chmsg_initiate_contact, monitor_page2), K_OFF_initiate_monitor_page2);
SAME(sizeof(struct vmbus_chmsg_version_response), K_SIZE_version_response);
SAME(OFF(vmbus_chmsg_version_response, connection_state), K_OFF_version_response_connection_state);
SAME(OFF(vmbus_chmsg_version_response, msg_conn_id), K_OFF_version_response_msg_conn_id);
SAME(sizeof(struct vmbus_chmsg_modifychannel), K_SIZE_modifychannel);

/* message numbers (B.2) */
SAME(CHMSG_OFFERCHANNEL, K_MSG_OFFERCHANNEL);
SAME(CHMSG_RESCIND_CHANNELOFFER, K_MSG_RESCIND_CHANNELOFFER);
SAME(CHMSG_REQUESTOFFERS, K_MSG_REQUESTOFFERS);
SAME(CHMSG_ALLOFFERS_DELIVERED, K_MSG_ALLOFFERS_DELIVERED);
SAME(CHMSG_OPENCHANNEL, K_MSG_OPENCHANNEL);
SAME(CHMSG_OPENCHANNEL_RESULT, K_MSG_OPENCHANNEL_RESULT);
SAME(CHMSG_CLOSECHANNEL, K_MSG_CLOSECHANNEL);
SAME(CHMSG_GPADL_HEADER, K_MSG_GPADL_HEADER);
SAME(CHMSG_GPADL_BODY, K_MSG_GPADL_BODY);
SAME(CHMSG_GPADL_CREATED, K_MSG_GPADL_CREATED);
SAME(CHMSG_GPADL_TEARDOWN, K_MSG_GPADL_TEARDOWN);
SAME(CHMSG_GPADL_TORNDOWN, K_MSG_GPADL_TORNDOWN);
SAME(CHMSG_RELID_RELEASED, K_MSG_RELID_RELEASED);
SAME(CHMSG_INITIATE_CONTACT, K_MSG_INITIATE_CONTACT);
SAME(CHMSG_VERSION_RESPONSE, K_MSG_VERSION_RESPONSE);
SAME(CHMSG_UNLOAD, K_MSG_UNLOAD);
SAME(CHMSG_UNLOAD_RESPONSE, K_MSG_UNLOAD_RESPONSE);
SAME(CHMSG_MODIFYCHANNEL, K_MSG_MODIFYCHANNEL);

/* versions (B.1) */
SAME(VMBUS_VERSION_WS2008, K_VER_WS2008);
SAME(VMBUS_VERSION_WIN7, K_VER_WIN7);
SAME(VMBUS_VERSION_WIN8, K_VER_WIN8);
SAME(VMBUS_VERSION_WIN8_1, K_VER_WIN8_1);
SAME(VMBUS_VERSION_WIN10, K_VER_WIN10);
SAME(VMBUS_VERSION_WIN10_V5, K_VER_WIN10_V5);

/* ring buffer, packets (C.1, C.2) */
SAME(OFF(hv_ring_header, write_index), K_OFF_ring_write_index);
SAME(OFF(hv_ring_header, read_index), K_OFF_ring_read_index);
SAME(OFF(hv_ring_header, interrupt_mask), K_OFF_ring_interrupt_mask);
SAME(OFF(hv_ring_header, pending_send_sz), K_OFF_ring_pending_send_sz);
SAME(OFF(hv_ring_header, feature_bits), K_OFF_ring_feature_bits);
SAME(sizeof(struct vmbus_pkt_desc), K_SIZE_pkt_desc);
SAME(OFF(vmbus_pkt_desc, offset8), K_OFF_pkt_desc_offset8);
SAME(OFF(vmbus_pkt_desc, len8), K_OFF_pkt_desc_len8);
SAME(OFF(vmbus_pkt_desc, flags), K_OFF_pkt_desc_flags);
SAME(OFF(vmbus_pkt_desc, trans_id), K_OFF_pkt_desc_trans_id);
SAME(OFF(vmbus_pkt_xfer_pages, xfer_pageset_id), K_OFF_xfer_hdr_xfer_pageset_id);
SAME(OFF(vmbus_pkt_xfer_pages, range_count), K_OFF_xfer_hdr_range_cnt);
SAME(OFF(vmbus_pkt_xfer_pages, ranges), K_OFF_xfer_hdr_ranges);
SAME(OFF(vmbus_pkt_gpa_direct, range_count), K_OFF_mpb_array_rangecount);
SAME(sizeof(struct vmbus_pkt_gpa_direct), K_OFF_mpb_array_range);
SAME(VMBUS_PKT_DATA_INBAND, K_PKT_DATA_INBAND);
SAME(VMBUS_PKT_DATA_XFER_PAGES, K_PKT_DATA_USING_XFER_PAGES);
SAME(VMBUS_PKT_DATA_GPA_DIRECT, K_PKT_DATA_USING_GPA_DIRECT);
SAME(VMBUS_PKT_COMP, K_PKT_COMP);
SAME(VMBUS_PKT_FLAG_COMPLETION_REQUESTED, K_PKT_FLAG_COMPLETION_REQUESTED);

/* SynIC message slot (A.4) */
SAME(sizeof(struct hv_message_slot), K_SIZE_message);
SAME(OFF(hv_message_slot, payload), K_OFF_message_payload);

int main(void)
{
	printf("wire conformance: hv_wire.h matches the kernel's linux/hyperv.h (%d checks at compile time)\n",
	       CHECKS);
	return 0;
}
