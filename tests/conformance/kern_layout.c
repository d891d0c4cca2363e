// SPDX-License-Identifier: GPL-2.0
/*
 * kern_layout.c - compiled to assembly against a kernel's own headers
 * (include/linux/hyperv.h, an independent definition of the VMBus wire
 * formats, see design.md "Wire conformance"). Each HVK() emits a marker
 * line "->NAME VALUE" that the Makefile turns into kern_layout.h, which
 * check.c compares with our src/include/hv_wire.h at compile time.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/stddef.h>
#include <linux/hyperv.h>

#define HVK(sym, val) \
	asm volatile("\n.ascii \"->" #sym " %c0\"" : : "i" ((long)(val)))
#define HVK_SIZE(name, type)	HVK(K_SIZE_##name, sizeof(struct type))
#define HVK_OFF(name, type, member) \
	HVK(K_OFF_##name##_##member, offsetof(struct type, member))

void hv_conformance_layout(void);
void hv_conformance_layout(void)
{
	/* channel messages (fact sheet B.2, B.3) */
	HVK_SIZE(hdr, vmbus_channel_message_header);
	HVK_SIZE(offer, vmbus_channel_offer_channel);
	HVK_OFF(offer, vmbus_channel_offer_channel, child_relid);
	HVK_OFF(offer, vmbus_channel_offer_channel, monitorid);
	HVK_OFF(offer, vmbus_channel_offer_channel, connection_id);
	HVK(K_OFF_offer_chn_flags, 8 + offsetof(struct vmbus_channel_offer, chn_flags));
	HVK(K_OFF_offer_user_def, 8 + offsetof(struct vmbus_channel_offer, u));
	HVK(K_OFF_offer_sub_channel_index, 8 + offsetof(struct vmbus_channel_offer, sub_channel_index));
	HVK(K_OFF_offer_if_instance, 8 + offsetof(struct vmbus_channel_offer, if_instance));
	HVK_SIZE(rescind, vmbus_channel_rescind_offer);
	HVK_SIZE(open, vmbus_channel_open_channel);
	HVK_OFF(open, vmbus_channel_open_channel, openid);
	HVK_OFF(open, vmbus_channel_open_channel, ringbuffer_gpadlhandle);
	HVK_OFF(open, vmbus_channel_open_channel, target_vp);
	HVK_OFF(open, vmbus_channel_open_channel, downstream_ringbuffer_pageoffset);
	HVK_OFF(open, vmbus_channel_open_channel, userdata);
	HVK_SIZE(open_result, vmbus_channel_open_result);
	HVK_OFF(open_result, vmbus_channel_open_result, status);
	HVK_SIZE(close, vmbus_channel_close_channel);
	HVK_SIZE(gpadl_header, vmbus_channel_gpadl_header);
	HVK_OFF(gpadl_header, vmbus_channel_gpadl_header, range_buflen);
	HVK_OFF(gpadl_header, vmbus_channel_gpadl_header, rangecount);
	HVK_OFF(gpadl_header, vmbus_channel_gpadl_header, range);
	HVK_SIZE(gpa_range, gpa_range);
	HVK_SIZE(gpadl_body, vmbus_channel_gpadl_body);
	HVK_OFF(gpadl_body, vmbus_channel_gpadl_body, pfn);
	HVK_SIZE(gpadl_created, vmbus_channel_gpadl_created);
	HVK_OFF(gpadl_created, vmbus_channel_gpadl_created, creation_status);
	HVK_SIZE(gpadl_teardown, vmbus_channel_gpadl_teardown);
	HVK_SIZE(gpadl_torndown, vmbus_channel_gpadl_torndown);
	HVK_SIZE(relid_released, vmbus_channel_relid_released);
	HVK_SIZE(initiate, vmbus_channel_initiate_contact);
	HVK_OFF(initiate, vmbus_channel_initiate_contact, target_vcpu);
	HVK_OFF(initiate, vmbus_channel_initiate_contact, interrupt_page);
	HVK_OFF(initiate, vmbus_channel_initiate_contact, monitor_page1);
	HVK_OFF(initiate, vmbus_channel_initiate_contact, monitor_page2);
	HVK_SIZE(version_response, vmbus_channel_version_response);
	HVK_OFF(version_response, vmbus_channel_version_response, connection_state);
	HVK_OFF(version_response, vmbus_channel_version_response, msg_conn_id);
	HVK_SIZE(modifychannel, vmbus_channel_modifychannel);

	/* message numbers (B.2) */
	HVK(K_MSG_OFFERCHANNEL, CHANNELMSG_OFFERCHANNEL);
	HVK(K_MSG_RESCIND_CHANNELOFFER, CHANNELMSG_RESCIND_CHANNELOFFER);
	HVK(K_MSG_REQUESTOFFERS, CHANNELMSG_REQUESTOFFERS);
	HVK(K_MSG_ALLOFFERS_DELIVERED, CHANNELMSG_ALLOFFERS_DELIVERED);
	HVK(K_MSG_OPENCHANNEL, CHANNELMSG_OPENCHANNEL);
	HVK(K_MSG_OPENCHANNEL_RESULT, CHANNELMSG_OPENCHANNEL_RESULT);
	HVK(K_MSG_CLOSECHANNEL, CHANNELMSG_CLOSECHANNEL);
	HVK(K_MSG_GPADL_HEADER, CHANNELMSG_GPADL_HEADER);
	HVK(K_MSG_GPADL_BODY, CHANNELMSG_GPADL_BODY);
	HVK(K_MSG_GPADL_CREATED, CHANNELMSG_GPADL_CREATED);
	HVK(K_MSG_GPADL_TEARDOWN, CHANNELMSG_GPADL_TEARDOWN);
	HVK(K_MSG_GPADL_TORNDOWN, CHANNELMSG_GPADL_TORNDOWN);
	HVK(K_MSG_RELID_RELEASED, CHANNELMSG_RELID_RELEASED);
	HVK(K_MSG_INITIATE_CONTACT, CHANNELMSG_INITIATE_CONTACT);
	HVK(K_MSG_VERSION_RESPONSE, CHANNELMSG_VERSION_RESPONSE);
	HVK(K_MSG_UNLOAD, CHANNELMSG_UNLOAD);
	HVK(K_MSG_UNLOAD_RESPONSE, CHANNELMSG_UNLOAD_RESPONSE);
	HVK(K_MSG_MODIFYCHANNEL, CHANNELMSG_MODIFYCHANNEL);

	/* versions (B.1) */
	HVK(K_VER_WS2008, VERSION_WS2008);
	HVK(K_VER_WIN7, VERSION_WIN7);
	HVK(K_VER_WIN8, VERSION_WIN8);
	HVK(K_VER_WIN8_1, VERSION_WIN8_1);
	HVK(K_VER_WIN10, VERSION_WIN10);
	HVK(K_VER_WIN10_V5, VERSION_WIN10_V5);

	/* ring buffer and packets (C.1, C.2) */
	HVK_OFF(ring, hv_ring_buffer, write_index);
	HVK_OFF(ring, hv_ring_buffer, read_index);
	HVK_OFF(ring, hv_ring_buffer, interrupt_mask);
	HVK_OFF(ring, hv_ring_buffer, pending_send_sz);
	HVK_OFF(ring, hv_ring_buffer, feature_bits);
	HVK_SIZE(pkt_desc, vmpacket_descriptor);
	HVK_OFF(pkt_desc, vmpacket_descriptor, offset8);
	HVK_OFF(pkt_desc, vmpacket_descriptor, len8);
	HVK_OFF(pkt_desc, vmpacket_descriptor, flags);
	HVK_OFF(pkt_desc, vmpacket_descriptor, trans_id);
	HVK_SIZE(xfer_hdr, vmtransfer_page_packet_header);
	HVK_OFF(xfer_hdr, vmtransfer_page_packet_header, xfer_pageset_id);
	HVK_OFF(xfer_hdr, vmtransfer_page_packet_header, range_cnt);
	HVK_OFF(xfer_hdr, vmtransfer_page_packet_header, ranges);
	HVK_OFF(mpb_array, vmbus_packet_mpb_array, rangecount);
	HVK_OFF(mpb_array, vmbus_packet_mpb_array, range);
	HVK(K_PKT_DATA_INBAND, VM_PKT_DATA_INBAND);
	HVK(K_PKT_DATA_USING_XFER_PAGES, VM_PKT_DATA_USING_XFER_PAGES);
	HVK(K_PKT_DATA_USING_GPA_DIRECT, VM_PKT_DATA_USING_GPA_DIRECT);
	HVK(K_PKT_COMP, VM_PKT_COMP);
	HVK(K_PKT_FLAG_COMPLETION_REQUESTED, VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED);

	/* SynIC message slot (A.4); the monitor page and the VMBus
	 * connection ids are private to drivers/hv, not in these headers */
	HVK(K_SIZE_message, sizeof(struct hv_message));
	HVK(K_OFF_message_payload, offsetof(struct hv_message, u));
}
