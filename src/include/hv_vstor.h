/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv_vstor.h - VSTOR, the storage protocol of synthetic SCSI, IDE and
 * Fibre Channel controllers (shared/docs/hyperv-protocol.md section E),
 * and its protocol core (src/core/vstor.c): packet sizes per version,
 * request encoding, completion validation and status mapping.
 * Pure C: compiled into hv_storvsc/hv_blkvsc and the user-space tests.
 */
#ifndef HV_VSTOR_H
#define HV_VSTOR_H

#include "hv_types.h"

/* Class GUIDs, text form (E) */
#define HV_SCSI_GUID	"ba6163d9-04a1-4d29-b605-72e2ffb1dc7f"
#define HV_IDE_GUID	"32412632-86cb-44a2-9b5c-50d1417354f5"
#define HV_FC_GUID	"2f9bcc4a-0069-4af3-b76b-6fd0be528cda"

/* VSTOR versions: (major << 8) | minor */
#define VSTOR_VERSION_WIN2008	0x0200
#define VSTOR_VERSION_WIN7	0x0402
#define VSTOR_VERSION_WIN8	0x0501	/* multichannel, 64-byte packets */
#define VSTOR_VERSION_WIN8_1	0x0600
#define VSTOR_VERSION_WIN10	0x0602

enum vstor_operation {
	VSTOR_OP_COMPLETE_IO		= 1,
	VSTOR_OP_REMOVE_DEVICE		= 2,
	VSTOR_OP_EXECUTE_SRB		= 3,
	VSTOR_OP_RESET_LUN		= 4,
	VSTOR_OP_RESET_ADAPTER		= 5,
	VSTOR_OP_RESET_BUS		= 6,
	VSTOR_OP_BEGIN_INITIALIZATION	= 7,
	VSTOR_OP_END_INITIALIZATION	= 8,
	VSTOR_OP_QUERY_PROTOCOL_VERSION	= 9,
	VSTOR_OP_QUERY_PROPERTIES	= 10,
	VSTOR_OP_ENUMERATE_BUS		= 11,
	VSTOR_OP_FCHBA_DATA		= 12,
	VSTOR_OP_CREATE_SUB_CHANNELS	= 13,
	VSTOR_OP_MAX			= 13
};

#define VSTOR_FLAG_REQUEST_COMPLETION	0x1

/* SRB flags (win8 extension) */
#define SRB_FLAGS_QUEUE_ACTION_ENABLE		0x00000002
#define SRB_FLAGS_DISABLE_SYNCH_TRANSFER	0x00000008
#define SRB_FLAGS_DATA_IN			0x00000040
#define SRB_FLAGS_DATA_OUT			0x00000080
#define SRB_FLAGS_NO_QUEUE_FREEZE		0x00000100

/* SRB status; strip the two flag bits before comparing */
#define SRB_STATUS_SUCCESS		0x01
#define SRB_STATUS_ABORTED		0x02
#define SRB_STATUS_ERROR		0x04
#define SRB_STATUS_INVALID_LUN		0x20
#define SRB_STATUS_DATA_OVERRUN		0x12
#define SRB_STATUS_QUEUE_FROZEN		0x40
#define SRB_STATUS_AUTOSENSE_VALID	0x80
#define SRB_STATUS(s)	((s) & ~(SRB_STATUS_QUEUE_FROZEN | SRB_STATUS_AUTOSENSE_VALID))

/* data_in values */
#define VSTOR_WRITE_TYPE	0
#define VSTOR_READ_TYPE		1
#define VSTOR_UNKNOWN_TYPE	2

#define VSTOR_CDB_SIZE		16
#define VSTOR_SENSE_SIZE	0x14	/* >= 5.1 */
#define VSTOR_SENSE_SIZE_OLD	0x12	/* 2.0, 4.2 */
#define VSTOR_SRB_LEN		0x34	/* >= 5.1 */
#define VSTOR_SRB_LEN_OLD	0x24
#define VSTOR_PKT_SIZE		64	/* >= 5.1 */
#define VSTOR_PKT_SIZE_OLD	48	/* 16 bytes less */

struct vmscsi_request {
	u16 length;		/* @0: VSTOR_SRB_LEN or _OLD */
	u8 srb_status;		/* @2 */
	u8 scsi_status;		/* @3 */
	u8 port;		/* @4 */
	u8 path_id;		/* @5 */
	u8 target_id;		/* @6 */
	u8 lun;			/* @7 */
	u8 cdb_length;		/* @8 */
	u8 sense_info_length;	/* @9 */
	u8 data_in;		/* @10 */
	u8 reserved;		/* @11 */
	u32 data_transfer_length;	/* @12 */
	union {
		u8 cdb[VSTOR_CDB_SIZE];
		u8 sense[VSTOR_SENSE_SIZE];
	} u;			/* @16 */
	/* win8 extension (>= 5.1) */
	u16 reserved1;		/* @36 */
	u8 queue_tag;		/* @38 */
	u8 queue_action;	/* @39 */
	u32 srb_flags;		/* @40 */
	u32 time_out_value;	/* @44, seconds */
	u32 queue_sort_key;	/* @48 */
};

/* QUERY_PROPERTIES answer, 24 bytes */
#define VSTOR_PROP_MULTICHANNEL	0x1
struct vstor_channel_properties {
	u32 reserved;		/* @0 */
	u16 max_channel_cnt;	/* @4 */
	u16 reserved1;		/* @6 */
	u32 flags;		/* @8 */
	u32 max_transfer_bytes;	/* @12 */
	u32 reserved2[2];	/* @16 (keeps the union 4-aligned at @12) */
};

struct vstor_protocol_version {
	u16 major_minor;
	u16 revision;		/* 0 */
};

/* FCHBA_DATA: the HBA's world wide names */
struct vstor_fc_wwn {
	u8 primary_active;
	u8 reserved[3];
	u8 primary_port_wwn[8];
	u8 primary_node_wwn[8];
	u8 secondary_port_wwn[8];
	u8 secondary_node_wwn[8];
};

struct vstor_packet {
	u32 operation;		/* @0: enum vstor_operation */
	u32 flags;		/* @4: VSTOR_FLAG_REQUEST_COMPLETION */
	u32 status;		/* @8: NT status, 0 = ok */
	union {			/* @12 */
		struct vmscsi_request srb;
		struct vstor_channel_properties props;
		struct vstor_protocol_version version;
		struct vstor_fc_wwn wwn;
		u16 sub_channel_count;
		u8 buffer[VSTOR_SRB_LEN];
	} u;
};

/* IDE offer user data (E): where the disk sits */
#define VSTOR_IDE_FLAG_EMULATED_PRESENT	0x2
struct vstor_ide_offer_data {
	u16 reserved;
	u8 path_id;
	u8 target_id;
	u32 reserved1;
	u32 flags;
	u8 reserved2[12];
};

HV_BUILD_ASSERT(sizeof(struct vmscsi_request) == VSTOR_SRB_LEN);
HV_BUILD_ASSERT(HV_OFFSETOF(struct vmscsi_request, data_transfer_length) == 12);
HV_BUILD_ASSERT(HV_OFFSETOF(struct vmscsi_request, u) == 16);
HV_BUILD_ASSERT(HV_OFFSETOF(struct vmscsi_request, reserved1) == VSTOR_SRB_LEN_OLD);
HV_BUILD_ASSERT(HV_OFFSETOF(struct vmscsi_request, queue_tag) == 38);
HV_BUILD_ASSERT(HV_OFFSETOF(struct vmscsi_request, srb_flags) == 40);
HV_BUILD_ASSERT(HV_OFFSETOF(struct vmscsi_request, time_out_value) == 44);
HV_BUILD_ASSERT(HV_OFFSETOF(struct vmscsi_request, queue_sort_key) == 48);
HV_BUILD_ASSERT(sizeof(struct vstor_channel_properties) == 24);
HV_BUILD_ASSERT(HV_OFFSETOF(struct vstor_channel_properties, max_transfer_bytes) == 12);
HV_BUILD_ASSERT(sizeof(struct vstor_fc_wwn) == 36);
HV_BUILD_ASSERT(sizeof(struct vstor_packet) == VSTOR_PKT_SIZE);
HV_BUILD_ASSERT(HV_OFFSETOF(struct vstor_packet, u) == 12);
HV_BUILD_ASSERT(sizeof(struct vstor_ide_offer_data) == 24);

/* ---- protocol core --------------------------------------------------- */

/* Versions the guest proposes, newest first (E): 6.2 6.0 5.1 4.2 2.0 */
extern const u16 hv_vstor_versions[];
extern const unsigned int hv_vstor_nversions;

/**
 * hv_vstor_pkt_size() - bytes of a vstor_packet on the wire for @version:
 * 64 from 5.1, 48 before (fact sheet E).
 */
u32 hv_vstor_pkt_size(u16 version);

/** hv_vstor_srb_len() - vmscsi_request.length: 0x34 from 5.1, 0x24 before. */
u16 hv_vstor_srb_len(u16 version);

/** hv_vstor_sense_size() - sense bytes: 0x14 from 5.1, 0x12 before. */
u8 hv_vstor_sense_size(u16 version);

/* A SCSI command to encode as EXECUTE_SRB */
struct hv_vstor_cmd {
	const u8 *cdb;
	u8 cdb_len;		/* 1..16 */
	u8 path_id, target_id, lun;
	u8 data_in;		/* VSTOR_READ/WRITE/UNKNOWN_TYPE */
	u32 transfer_len;	/* bytes */
	u32 timeout_s;
};

/**
 * hv_vstor_build_srb() - fill @pkt (zeroed first) with an EXECUTE_SRB for
 * @cmd in the layout of @version (the win8 extension only from 5.1).
 * Return: 0, or -EINVAL for a bad cdb length, data direction or a
 * transfer length with no data.
 */
int hv_vstor_build_srb(struct vstor_packet *pkt, u16 version,
		       const struct hv_vstor_cmd *cmd);

/**
 * hv_vstor_build_op() - fill @pkt with a control operation (BEGIN/END
 * INITIALIZATION, QUERY_*, FCHBA_DATA, RESET_*, CREATE_SUB_CHANNELS with
 * @arg sub-channels, QUERY_PROTOCOL_VERSION for version @arg), with
 * REQUEST_COMPLETION set. Return: 0 or -EINVAL for other operations.
 */
int hv_vstor_build_op(struct vstor_packet *pkt, u32 op, u32 arg);

/* What a completion means for the request (mapped by the Linux glue) */
enum hv_vstor_result {
	HV_VSTOR_OK = 0,	/* success; residual may be non-zero */
	HV_VSTOR_CHECK_CONDITION,	/* scsi_status != 0; sense valid */
	HV_VSTOR_INVALID_LUN,	/* no such LUN: DID_NO_CONNECT */
	HV_VSTOR_ABORTED,	/* host aborted: retry */
	HV_VSTOR_ERROR,		/* host error: DID_ERROR */
	HV_VSTOR_BAD_COMPLETION	/* malformed: treat as error */
};

struct hv_vstor_completion {
	enum hv_vstor_result result;
	u8 srb_status;		/* flags stripped */
	u8 scsi_status;
	u32 transferred;	/* bytes, <= requested */
	u8 sense_len;		/* valid sense bytes, <= sense size */
	const u8 *sense;	/* into the packet */
};

/**
 * hv_vstor_parse_completion() - validate a COMPLETE_IO for a request of
 * @requested bytes; every host value is checked before use.
 * @pkt: the packet payload as received; @len: its bytes
 * @version: negotiated VSTOR version; @out: filled on success
 * Return: 0 (see @out->result), or -EBADMSG when the packet is too short,
 * not COMPLETE_IO, or its SRB length is wrong.
 */
int hv_vstor_parse_completion(const void *pkt, u32 len, u16 version,
			      u32 requested, struct hv_vstor_completion *out);

/**
 * hv_vstor_sg_limit() - scatter-gather entries for a host whose
 * max_transfer_bytes is @max_bytes: max_bytes / 4096 + 1, at least 2.
 */
u32 hv_vstor_sg_limit(u32 max_bytes);

/* A segment of a request's data, in guest physical pages */
struct hv_vstor_seg {
	u64 pfn;	/* 4 KiB frame of the segment's first byte */
	u32 offset;	/* within that frame */
	u32 len;	/* bytes */
};

/**
 * hv_vstor_build_pfns() - turn segments into the multipage range of a
 * GPA-direct packet (C.2): one range, @offset in the first page, PFNs in
 * order. Every segment but the first must start on a page boundary and
 * every segment but the last must end on one (E: middle segments whole
 * pages). Segments longer than a page contribute consecutive PFNs.
 * @pfns: out, room for @max_pfns; Return: PFN count, or 0 when a rule is
 * broken, the total is 0 or does not fit @max_pfns.
 */
u32 hv_vstor_build_pfns(const struct hv_vstor_seg *segs, u32 nsegs,
			u64 *pfns, u32 max_pfns, u32 *offset, u32 *total);

/*
 * Incremental form of hv_vstor_build_pfns(), for callers that walk their
 * data once (a block request's segments): start with
 * hv_vstor_pfns_init(), add segments in order, read the result from the
 * struct. A segment that continues the previous one inside the same page
 * (the previous ended mid-page exactly where this one starts) is merged
 * with it, so sub-page pieces of one page do not break the page rule.
 */
struct hv_vstor_pfn_list {
	u64 *pfns;	/* room for max entries */
	u32 max;
	u32 n;		/* PFNs so far */
	u32 offset;	/* in the first page */
	u32 total;	/* bytes so far */
	u32 end;	/* offset where the last segment ended in its page */
	int broken;	/* a rule was broken: the list is unusable */
};

/** hv_vstor_pfns_init() - empty list over @pfns (room for @max PFNs). */
void hv_vstor_pfns_init(struct hv_vstor_pfn_list *l, u64 *pfns, u32 max);

/**
 * hv_vstor_pfns_add() - append @len bytes starting @offset (< 4096) into
 * 4 KiB frame @pfn. Return: 0, or -EINVAL when the list can no longer
 * describe the data (E: middle segments whole pages; too many PFNs; a
 * total over 4 GiB); the list is then marked broken.
 */
int hv_vstor_pfns_add(struct hv_vstor_pfn_list *l, u64 pfn, u32 offset,
		      u32 len);

/* ---- SCSI answers read at probe (validated before use) ---------------- */

/* What a READ CAPACITY (10 or 16) answer says */
struct hv_vstor_capacity {
	u64 blocks;		/* number of logical blocks (last LBA + 1) */
	u32 block_size;		/* bytes: 512, 1024, 2048 or 4096 */
	u8 phys_exp;		/* (16) log2 physical blocks per logical block */
	u8 lbpme;		/* (16) logical block provisioning enabled */
};

/**
 * hv_vstor_parse_capacity() - READ CAPACITY(10) (@cdb16 0, 8 bytes) or
 * READ CAPACITY(16) (@cdb16 1, at least 12 bytes) data of @len bytes.
 * Return: 0, -EBADMSG when too short, the block size is not one of
 * 512/1024/2048/4096, or the last LBA is 2^52 - 1 or more (blocks times
 * 4096 must fit 64 bits; @out->blocks is then at least 1); -EOVERFLOW
 * when a (10) answer says 0xffffffff (ask READ CAPACITY(16)).
 */
int hv_vstor_parse_capacity(const u8 *buf, u32 len, int cdb16,
			    struct hv_vstor_capacity *out);

/* Logical block provisioning from VPD pages B0 and B2 */
struct hv_vstor_unmap {
	u32 max_lba;		/* B0: MAXIMUM UNMAP LBA COUNT, 0 = none */
	u32 max_desc;		/* B0: MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT */
	u32 granularity;	/* B0: OPTIMAL UNMAP GRANULARITY (blocks) */
	u8 lbpu;		/* B2: UNMAP command supported */
};

/**
 * hv_vstor_parse_vpd_b0() / hv_vstor_parse_vpd_b2() - fill @out from the
 * page's @len bytes. Return: 0, or -EBADMSG when the page code or its
 * length is wrong (then @out is unchanged).
 */
int hv_vstor_parse_vpd_b0(const u8 *buf, u32 len, struct hv_vstor_unmap *out);
int hv_vstor_parse_vpd_b2(const u8 *buf, u32 len, struct hv_vstor_unmap *out);

/**
 * hv_vstor_parse_string() - copy the printable bytes of a host-supplied
 * field (INQUIRY vendor/product, VPD 80 serial) into @out (@outlen >= 1,
 * always NUL-terminated), trailing blanks removed, other bytes as '?'.
 * Return: the length of @out.
 */
u32 hv_vstor_parse_string(const u8 *buf, u32 len, char *out, u32 outlen);

/**
 * hv_vstor_parse_vpd_80() - the serial number of a VPD page 0x80 answer
 * of @len bytes into @out (as hv_vstor_parse_string()).
 * Return: 0 or -EBADMSG (page code wrong or page length beyond @len).
 */
int hv_vstor_parse_vpd_80(const u8 *buf, u32 len, char *out, u32 outlen);

#endif /* HV_VSTOR_H */
