/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv_chmsg.h - VMBus channel messages and packets, protocol core:
 * version table, GPADL message splitting, and validation of everything the
 * host sends (shared/docs/hyperv-protocol.md sections B and C.2).
 * Pure C: compiled into the modules and into the user-space unit tests.
 */
#ifndef HV_CHMSG_H
#define HV_CHMSG_H

#include "hv_wire.h"

/*
 * Versions the guest offers, newest first (B.1): 5.3, 5.2, 5.1, 5.0, 4.1,
 * 4.0, 3.0, 2.4, 1.1, 0.13.
 */
extern const u32 hv_vmbus_versions[];
extern const unsigned int hv_vmbus_nversions;

/**
 * hv_chmsg_min_size() - smallest valid size of a host->guest message.
 * @msgtype: CHMSG_* value
 * @version: negotiated protocol version (0 before negotiation)
 *
 * OFFERCHANNEL is 190 bytes on 0.13 and 196 from 1.1 (B.2).
 * VERSION_RESPONSE needs its 16 bytes (B.2) whatever the version, since
 * the guest reads connection_state (@9) and msg_conn_id (@12).
 * TL_CONNECT_RESULT (4.1+) and MODIFYCHANNEL_RESPONSE (5.3+) count as
 * unknown below their versions.
 * Return: size in bytes, or 0 when @msgtype is not one a host sends.
 */
u32 hv_chmsg_min_size(u32 msgtype, u32 version);

/**
 * hv_chmsg_validate() - check a message received in SIMP slot 2.
 * @msg: payload (starts with struct vmbus_chmsg_hdr)
 * @size: payload_size from the slot (<= 240)
 * @version: negotiated version (0 before negotiation)
 *
 * Return: 0, -EMSGSIZE when @size is outside 8..240 or smaller than the
 * type's minimum, -EPROTO for a type a host never sends.
 */
int hv_chmsg_validate(const void *msg, u32 size, u32 version);

/**
 * hv_offer_validate() - check an OFFERCHANNEL beyond its size.
 * @o: the offer; on 0.13 only the first 190 bytes were received and the
 *     caller must have zeroed is_dedicated_interrupt and connection_id
 * @version: negotiated version
 *
 * Checks relid in 1..hv_relid_limit(@version)-1, monitorid < 128 when
 * monitor_allocated, sub_channel_index 0 below 2.4.
 * Return: 0 or -EINVAL.
 */
int hv_offer_validate(const struct vmbus_chmsg_offer *o, u32 version);

/**
 * hv_relid_limit() - first relid a host of @version cannot use (A.4):
 * 2048 from 2.4 (one bit per relid in SIEF area 2, 2048 bits), 16384
 * below (the receive half of the interrupt page, B.5).
 */
u32 hv_relid_limit(u32 version);

/**
 * hv_gpadl_nmsgs() - messages needed to describe @npfn PFNs (B.3):
 * one header with up to 26, then bodies with up to 28 each.
 * 0 when @npfn is 0 or above 8190 (range_buflen, a u16, cannot hold it).
 */
u32 hv_gpadl_nmsgs(u32 npfn);

/**
 * hv_gpadl_build_msg() - fill GPADL message number @idx of a GPADL.
 * @idx: 0 for GPADL_HEADER, 1.. for the GPADL_BODY messages
 * @buf: at least HV_MESSAGE_PAYLOAD_MAX bytes
 * @relid: channel; @gpadl: guest-chosen non-zero handle
 * @pfns: all PFNs of the GPADL (4 KiB Hyper-V pages); @npfn: their count
 *
 * The header carries one range: byte_count = npfn * 4096, byte_offset 0,
 * range_buflen = 8 + 8 * npfn. Body k carries msgnumber = k.
 * Return: message size in bytes (<= 240), or 0 when @idx is out of range,
 * @npfn is 0 or the range does not fit range_buflen (u16).
 */
u32 hv_gpadl_build_msg(u32 idx, void *buf, u32 relid, u32 gpadl,
		       const u64 *pfns, u32 npfn);

/**
 * hv_pkt_validate() - check a packet read from a ring before use (C.2).
 * @d: descriptor; @len: bytes of the packet (len8 * 8, as peeked)
 *
 * Checks offset8 >= 2 and offset8 * 8 <= len, and for transfer-page
 * packets that range_count ranges fit before offset8 * 8 and every range
 * fits the 32-bit space; for GPA-direct packets that the ranges fit.
 * Return: 0 or -EBADMSG.
 */
int hv_pkt_validate(const struct vmbus_pkt_desc *d, u32 len);

/**
 * hv_guid_fmt() - format a wire GUID as text
 * "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (first three fields are LE on
 * the wire). @out needs 37 bytes. Return: @out.
 */
char *hv_guid_fmt(const struct hv_guid *g, char *out);

/**
 * hv_guid_parse() - parse the text form into wire order.
 * Return: 0 or -EINVAL.
 */
int hv_guid_parse(const char *s, struct hv_guid *g);

#endif /* HV_CHMSG_H */
