/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv_wire.h - VMBus wire formats: hypercall blocks, SynIC pages, channel
 * messages, ring buffers and packet descriptors.
 *
 * Every layout here is asserted against the tables of
 * shared/docs/hyperv-protocol.md (sections A.3, A.4, B.2-B.5, C.1-C.2) at
 * the bottom of this file. All fields are little-endian; the guest is
 * little-endian (hv_types.h refuses to build otherwise).
 */
#ifndef HV_WIRE_H
#define HV_WIRE_H

#include "hv_types.h"

/* ---- A.3 hypercalls ---------------------------------------------------- */

#define HVCALL_POST_MESSAGE		0x005c
#define HVCALL_SIGNAL_EVENT		0x005d
#define HV_HYPERCALL_FAST_BIT		(1ULL << 16)

#define HV_STATUS_SUCCESS			0x0000
#define HV_STATUS_INVALID_HYPERCALL_CODE	0x0002
#define HV_STATUS_INVALID_HYPERCALL_INPUT	0x0003
#define HV_STATUS_INVALID_ALIGNMENT		0x0004
#define HV_STATUS_INVALID_PARAMETER		0x0005
#define HV_STATUS_ACCESS_DENIED			0x0006
#define HV_STATUS_INSUFFICIENT_MEMORY		0x000b
#define HV_STATUS_INVALID_VP_INDEX		0x000e
#define HV_STATUS_INVALID_PORT_ID		0x0011
#define HV_STATUS_INVALID_CONNECTION_ID		0x0012
#define HV_STATUS_INSUFFICIENT_BUFFERS		0x0013
#define HV_STATUS_INVALID_SYNIC_STATE		0x0018

#define HV_MESSAGE_PAYLOAD_MAX		240	/* bytes (A.3, A.4) */
#define HV_POST_MESSAGE_TYPE_VMBUS	1

/* HvPostMessage input block, 256 bytes */
struct hv_input_post_message {
	u32 connection_id;	/* low 24 bits */
	u32 reserved;
	u32 message_type;	/* HV_POST_MESSAGE_TYPE_VMBUS */
	u32 payload_size;	/* <= HV_MESSAGE_PAYLOAD_MAX */
	u8 payload[HV_MESSAGE_PAYLOAD_MAX];
};

/* HvSignalEvent input (fast call: RDX = connection_id | flag << 32) */
struct hv_input_signal_event {
	u32 connection_id;
	u16 flag_number;
	u16 reserved;
};

/* ---- A.4 SynIC --------------------------------------------------------- */

#define HV_SYNIC_SINT_COUNT		16
#define HV_SYNIC_MSG_SLOT_SIZE		256
#define HV_SYNIC_EVENT_AREA_SIZE	256	/* bytes per SINT: 2048 bits */
#define HV_MSG_NONE			0x00000000
#define HV_MSG_TIMER_EXPIRED		0x80000010
#define HV_MSG_FLAG_PENDING		0x01

struct hv_message_slot {
	u32 message_type;	/* @0, 0 = empty */
	u8 payload_size;	/* @4 */
	u8 flags;		/* @5, bit 0 MessagePending */
	u16 reserved;		/* @6 */
	u64 sender;		/* @8, port / partition */
	u8 payload[HV_MESSAGE_PAYLOAD_MAX];	/* @16 */
};

/* VMBus constants (A.4) */
#define VMBUS_MESSAGE_SINT		2
#define VMBUS_MESSAGE_CONNECTION_ID	1
#define VMBUS_EVENT_CONNECTION_ID	2	/* signals on 0.13 hosts */
#define VMBUS_MONITOR_CONNECTION_ID	3
#define VMBUS_MESSAGE_CONNECTION_ID_4	4	/* INITIATE_CONTACT from 5.0 */

/* ---- B.1 versions ------------------------------------------------------ */

#define VMBUS_MAKE_VERSION(maj, min)	(((u32)(maj) << 16) | (u32)(min))
#define VMBUS_VERSION_MAJOR(v)		((v) >> 16)
#define VMBUS_VERSION_MINOR(v)		((v) & 0xffff)
#define VMBUS_VERSION_WS2008		VMBUS_MAKE_VERSION(0, 13)
#define VMBUS_VERSION_WIN7		VMBUS_MAKE_VERSION(1, 1)
#define VMBUS_VERSION_WIN8		VMBUS_MAKE_VERSION(2, 4)
#define VMBUS_VERSION_WIN8_1		VMBUS_MAKE_VERSION(3, 0)
#define VMBUS_VERSION_WIN10		VMBUS_MAKE_VERSION(4, 0)
#define VMBUS_VERSION_WIN10_RS3		VMBUS_MAKE_VERSION(4, 1)
#define VMBUS_VERSION_WIN10_V5		VMBUS_MAKE_VERSION(5, 0)
#define VMBUS_VERSION_WIN10_V5_1	VMBUS_MAKE_VERSION(5, 1)
#define VMBUS_VERSION_WIN10_V5_2	VMBUS_MAKE_VERSION(5, 2)
#define VMBUS_VERSION_WIN10_V5_3	VMBUS_MAKE_VERSION(5, 3)

/* ---- B.2 channel message types ---------------------------------------- */

enum vmbus_chmsg_type {
	CHMSG_INVALID			= 0,
	CHMSG_OFFERCHANNEL		= 1,
	CHMSG_RESCIND_CHANNELOFFER	= 2,
	CHMSG_REQUESTOFFERS		= 3,
	CHMSG_ALLOFFERS_DELIVERED	= 4,
	CHMSG_OPENCHANNEL		= 5,
	CHMSG_OPENCHANNEL_RESULT	= 6,
	CHMSG_CLOSECHANNEL		= 7,
	CHMSG_GPADL_HEADER		= 8,
	CHMSG_GPADL_BODY		= 9,
	CHMSG_GPADL_CREATED		= 10,
	CHMSG_GPADL_TEARDOWN		= 11,
	CHMSG_GPADL_TORNDOWN		= 12,
	CHMSG_RELID_RELEASED		= 13,
	CHMSG_INITIATE_CONTACT		= 14,
	CHMSG_VERSION_RESPONSE		= 15,
	CHMSG_UNLOAD			= 16,
	CHMSG_UNLOAD_RESPONSE		= 17,
	CHMSG_18			= 18,
	CHMSG_19			= 19,
	CHMSG_20			= 20,
	CHMSG_TL_CONNECT_REQUEST	= 21,
	CHMSG_MODIFYCHANNEL		= 22,
	CHMSG_TL_CONNECT_RESULT		= 23,
	CHMSG_MODIFYCHANNEL_RESPONSE	= 24,
	CHMSG_COUNT
};

struct vmbus_chmsg_hdr {
	u32 msgtype;
	u32 padding;
};

/* B.3 OFFERCHANNEL: 196 bytes (190 before 1.1) */
#define VMBUS_OFFER_USER_DEF_SIZE	120
#define VMBUS_OFFER_SIZE		196
#define VMBUS_OFFER_SIZE_V0_13		190

#define VMBUS_CHAN_ENUMERATE_IFACE	0x0001
#define VMBUS_CHAN_XFER_PAGES		0x0002
#define VMBUS_CHAN_GPADLS		0x0004
#define VMBUS_CHAN_NAMED_PIPE		0x0010
#define VMBUS_CHAN_LOOPBACK		0x0100
#define VMBUS_CHAN_PARENT_OFFER		0x0200
#define VMBUS_CHAN_REQUEST_MONITORED	0x0400
#define VMBUS_CHAN_HVSOCK		0x2000

struct vmbus_chmsg_offer {
	struct vmbus_chmsg_hdr hdr;	/* @0 */
	struct hv_guid if_type;		/* @8 */
	struct hv_guid if_instance;	/* @24 */
	u8 reserved1[16];		/* @40 */
	u16 chn_flags;			/* @56 */
	u16 mmio_megabytes;		/* @58 */
	u8 user_def[VMBUS_OFFER_USER_DEF_SIZE];	/* @60 */
	u16 sub_channel_index;		/* @180 */
	u16 reserved2;			/* @182 */
	u32 child_relid;		/* @184 */
	u8 monitorid;			/* @188 */
	u8 monitor_allocated;		/* @189, bit 0 */
	u16 is_dedicated_interrupt;	/* @190, bit 0, 1.1+ */
	u32 connection_id;		/* @192, 1.1+ */
};

/* RESCIND_CHANNELOFFER, CLOSECHANNEL, RELID_RELEASED: 12 bytes */
struct vmbus_chmsg_relid {
	struct vmbus_chmsg_hdr hdr;
	u32 child_relid;		/* @8 */
};

#define VMBUS_OPEN_USER_DATA_SIZE	120
struct vmbus_chmsg_open {
	struct vmbus_chmsg_hdr hdr;
	u32 child_relid;		/* @8 */
	u32 openid;			/* @12 */
	u32 ring_gpadl;			/* @16 */
	u32 target_vp;			/* @20, 2.4+, else 0 */
	u32 downstream_ring_offset;	/* @24, in pages: send-ring pages */
	u8 user_data[VMBUS_OPEN_USER_DATA_SIZE];	/* @28 */
};

struct vmbus_chmsg_open_result {
	struct vmbus_chmsg_hdr hdr;
	u32 child_relid;		/* @8 */
	u32 openid;			/* @12 */
	u32 status;			/* @16, 0 = ok */
};

/* GPADL_HEADER: 28 bytes + 8 per PFN, at most 26 PFNs in 240 bytes */
#define VMBUS_GPADL_HEADER_FIXED	28
#define VMBUS_GPADL_HEADER_MAX_PFNS	26
#define VMBUS_GPADL_BODY_FIXED		16
#define VMBUS_GPADL_BODY_MAX_PFNS	28

struct vmbus_chmsg_gpadl_header {
	struct vmbus_chmsg_hdr hdr;
	u32 child_relid;		/* @8 */
	u32 gpadl;			/* @12 */
	u16 range_buflen;		/* @16: 8 + 8 * PFNs */
	u16 rangecount;			/* @18: 1 */
	u32 byte_count;			/* @20 */
	u32 byte_offset;		/* @24: 0 */
	u64 pfn[VMBUS_GPADL_HEADER_MAX_PFNS];	/* @28 */
} __packed;

struct vmbus_chmsg_gpadl_body {
	struct vmbus_chmsg_hdr hdr;
	u32 msgnumber;			/* @8 */
	u32 gpadl;			/* @12 */
	u64 pfn[VMBUS_GPADL_BODY_MAX_PFNS];	/* @16 */
};

struct vmbus_chmsg_gpadl_created {
	struct vmbus_chmsg_hdr hdr;
	u32 child_relid;		/* @8 */
	u32 gpadl;			/* @12 */
	u32 creation_status;		/* @16, 0 = ok */
};

struct vmbus_chmsg_gpadl_teardown {
	struct vmbus_chmsg_hdr hdr;
	u32 child_relid;		/* @8 */
	u32 gpadl;			/* @12 */
};

struct vmbus_chmsg_gpadl_torndown {
	struct vmbus_chmsg_hdr hdr;
	u32 gpadl;			/* @8 */
};

struct vmbus_chmsg_initiate_contact {
	struct vmbus_chmsg_hdr hdr;
	u32 version;			/* @8 */
	u32 target_vcpu;		/* @12, 0 below 3.0 */
	union {
		u64 interrupt_page;	/* @16, < 5.0 */
		struct {
			u8 sint;	/* @16, >= 5.0 */
			u8 vtl;		/* @17 */
			u8 pad[6];
		} s;
	} u;
	u64 monitor_page1;		/* @24: parent -> child */
	u64 monitor_page2;		/* @32: child -> parent */
};

#define VMBUS_CONN_STATE_OK		0
#define VMBUS_CONN_STATE_LOW_RESOURCES	1
#define VMBUS_CONN_STATE_FAILURE	2

struct vmbus_chmsg_version_response {
	struct vmbus_chmsg_hdr hdr;
	u8 version_supported;		/* @8 */
	u8 connection_state;		/* @9 */
	u16 pad;			/* @10 */
	u32 msg_conn_id;		/* @12, 5.0+ */
};

struct vmbus_chmsg_modifychannel {
	struct vmbus_chmsg_hdr hdr;
	u32 child_relid;		/* @8 */
	u32 target_vp;			/* @12 */
};

/* ---- B.5 signalling pages --------------------------------------------- */

#define VMBUS_INTPAGE_HALF		2048	/* receive half, then send half */
#define VMBUS_MAX_RELID			(VMBUS_INTPAGE_HALF * 8)	/* 16384 */
#define VMBUS_MONITOR_GROUPS		4
#define VMBUS_MONITOR_PER_GROUP		32
#define VMBUS_MAX_MONITOR_ID	(VMBUS_MONITOR_GROUPS * VMBUS_MONITOR_PER_GROUP)

struct vmbus_monitor_trigger_group {
	u32 pending;
	u32 armed;
};

struct vmbus_monitor_parameter {
	u32 connection_id;
	u16 flag_number;
	u16 reserved;
};

struct vmbus_monitor_page {
	u32 trigger_state;				/* @0x000 */
	u32 reserved1;
	struct vmbus_monitor_trigger_group trigger_group[VMBUS_MONITOR_GROUPS];	/* @0x008 */
	u64 reserved2[3];				/* @0x028 */
	s32 next_checktime[VMBUS_MONITOR_GROUPS][VMBUS_MONITOR_PER_GROUP];	/* @0x040 */
	u16 latency[VMBUS_MONITOR_GROUPS][VMBUS_MONITOR_PER_GROUP];		/* @0x240 */
	u64 reserved3[32];				/* @0x340 */
	struct vmbus_monitor_parameter parameter[VMBUS_MONITOR_GROUPS][VMBUS_MONITOR_PER_GROUP];	/* @0x440 */
	u8 reserved4[1984];				/* @0x840 */
};

/* ---- C.1 ring buffer header ------------------------------------------- */

#define HV_RING_FEAT_PENDING_SEND_SZ	0x1

struct hv_ring_header {
	u32 write_index;	/* @0: producer, byte offset into data */
	u32 read_index;		/* @4: consumer */
	u32 interrupt_mask;	/* @8: non-zero = "don't interrupt me" */
	u32 pending_send_sz;	/* @12 */
	u32 reserved1[12];	/* @16 */
	u32 feature_bits;	/* @64, bit 0: pending_send_sz supported */
	u8 reserved2[4096 - 68];
};

/* ---- C.2 packets ------------------------------------------------------- */

#define VMBUS_PKT_INVALID		0x0
#define VMBUS_PKT_DATA_INBAND		0x6
#define VMBUS_PKT_DATA_XFER_PAGES	0x7
#define VMBUS_PKT_DATA_GPADL		0x8
#define VMBUS_PKT_DATA_GPA_DIRECT	0x9
#define VMBUS_PKT_COMP			0xb

#define VMBUS_PKT_FLAG_COMPLETION_REQUESTED	0x1

struct vmbus_pkt_desc {
	u16 type;	/* @0 */
	u16 offset8;	/* @2: payload start, 8-byte units */
	u16 len8;	/* @4: packet without trailer, 8-byte units */
	u16 flags;	/* @6 */
	u64 trans_id;	/* @8 */
};

#define VMBUS_PKT_TRAILER_SIZE		8

struct vmbus_xfer_range {
	u32 byte_count;
	u32 byte_offset;
};

struct vmbus_pkt_xfer_pages {
	struct vmbus_pkt_desc d;	/* @0 */
	u16 xfer_pageset_id;		/* @16 */
	u8 sender_owns_set;		/* @18 */
	u8 reserved;			/* @19 */
	u32 range_count;		/* @20 */
	struct vmbus_xfer_range ranges[1];	/* @24 */
};

/* GPA-direct page-buffer form: one 16-byte range per page, at most 32 */
#define VMBUS_MAX_PAGE_BUFFERS		32

struct vmbus_pagebuf_range {
	u32 len;
	u32 offset;
	u64 pfn;
};

struct vmbus_pkt_gpa_direct {
	struct vmbus_pkt_desc d;	/* @0 */
	u32 reserved;			/* @16 */
	u32 range_count;		/* @20 */
	/* @24: ranges */
};

/* Multipage form: one range {len, offset, pfn[n]}: descriptor = 32 + 8n */
struct vmbus_mpb_range_hdr {
	u32 len;
	u32 offset;
	/* u64 pfn[n] follows */
};

/* ---- layout assertions (fact sheet tables) ---------------------------- */

HV_BUILD_ASSERT(sizeof(struct hv_input_post_message) == 256);
HV_BUILD_ASSERT(sizeof(struct hv_input_signal_event) == 8);
HV_BUILD_ASSERT(sizeof(struct hv_message_slot) == 256);
HV_BUILD_ASSERT(HV_OFFSETOF(struct hv_message_slot, sender) == 8);
HV_BUILD_ASSERT(HV_OFFSETOF(struct hv_message_slot, payload) == 16);
HV_BUILD_ASSERT(sizeof(struct vmbus_chmsg_hdr) == 8);
HV_BUILD_ASSERT(sizeof(struct vmbus_chmsg_offer) == VMBUS_OFFER_SIZE);
HV_BUILD_ASSERT(HV_OFFSETOF(struct vmbus_chmsg_offer, chn_flags) == 56);
HV_BUILD_ASSERT(HV_OFFSETOF(struct vmbus_chmsg_offer, user_def) == 60);
HV_BUILD_ASSERT(HV_OFFSETOF(struct vmbus_chmsg_offer, sub_channel_index) == 180);
HV_BUILD_ASSERT(HV_OFFSETOF(struct vmbus_chmsg_offer, child_relid) == 184);
HV_BUILD_ASSERT(HV_OFFSETOF(struct vmbus_chmsg_offer, monitorid) == 188);
HV_BUILD_ASSERT(HV_OFFSETOF(struct vmbus_chmsg_offer, is_dedicated_interrupt) == VMBUS_OFFER_SIZE_V0_13);
HV_BUILD_ASSERT(HV_OFFSETOF(struct vmbus_chmsg_offer, connection_id) == 192);
HV_BUILD_ASSERT(sizeof(struct vmbus_chmsg_relid) == 12);
HV_BUILD_ASSERT(sizeof(struct vmbus_chmsg_open) == 148);
HV_BUILD_ASSERT(HV_OFFSETOF(struct vmbus_chmsg_open, user_data) == 28);
HV_BUILD_ASSERT(sizeof(struct vmbus_chmsg_open_result) == 20);
HV_BUILD_ASSERT(sizeof(struct vmbus_chmsg_gpadl_header) == 240 - 4);
HV_BUILD_ASSERT(HV_OFFSETOF(struct vmbus_chmsg_gpadl_header, pfn) == VMBUS_GPADL_HEADER_FIXED);
HV_BUILD_ASSERT(sizeof(struct vmbus_chmsg_gpadl_body) == 240);
HV_BUILD_ASSERT(HV_OFFSETOF(struct vmbus_chmsg_gpadl_body, pfn) == VMBUS_GPADL_BODY_FIXED);
HV_BUILD_ASSERT(sizeof(struct vmbus_chmsg_gpadl_created) == 20);
HV_BUILD_ASSERT(sizeof(struct vmbus_chmsg_gpadl_teardown) == 16);
HV_BUILD_ASSERT(sizeof(struct vmbus_chmsg_gpadl_torndown) == 12);
HV_BUILD_ASSERT(sizeof(struct vmbus_chmsg_initiate_contact) == 40);
HV_BUILD_ASSERT(HV_OFFSETOF(struct vmbus_chmsg_initiate_contact, monitor_page1) == 24);
HV_BUILD_ASSERT(sizeof(struct vmbus_chmsg_version_response) == 16);
HV_BUILD_ASSERT(HV_OFFSETOF(struct vmbus_chmsg_version_response, msg_conn_id) == 12);
HV_BUILD_ASSERT(sizeof(struct vmbus_chmsg_modifychannel) == 16);
HV_BUILD_ASSERT(sizeof(struct vmbus_monitor_page) == 4096);
HV_BUILD_ASSERT(HV_OFFSETOF(struct vmbus_monitor_page, trigger_group) == 0x008);
HV_BUILD_ASSERT(HV_OFFSETOF(struct vmbus_monitor_page, next_checktime) == 0x040);
HV_BUILD_ASSERT(HV_OFFSETOF(struct vmbus_monitor_page, latency) == 0x240);
HV_BUILD_ASSERT(HV_OFFSETOF(struct vmbus_monitor_page, parameter) == 0x440);
HV_BUILD_ASSERT(sizeof(struct hv_ring_header) == 4096);
HV_BUILD_ASSERT(HV_OFFSETOF(struct hv_ring_header, feature_bits) == 64);
HV_BUILD_ASSERT(sizeof(struct vmbus_pkt_desc) == 16);
HV_BUILD_ASSERT(HV_OFFSETOF(struct vmbus_pkt_xfer_pages, ranges) == 24);
HV_BUILD_ASSERT(sizeof(struct vmbus_pkt_gpa_direct) == 24);
HV_BUILD_ASSERT(sizeof(struct vmbus_pagebuf_range) == 16);

#endif /* HV_WIRE_H */
