// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_seeds.c - writes the seed corpus of the fuzz targets
 * (`make -C tests/unit fuzz-seeds`): valid messages and packets of every
 * kind each target parses, laid out from the wire facts of
 * shared/docs/hyperv-protocol.md (B.2-B.3, C.1-C.2, E), in the input
 * format each fuzz_*.c describes at its top.
 *
 * Usage: fuzz_seeds DIR  - writes DIR/<target>/seed-<name>; the output is
 * the same on every run, so regenerating changes nothing in git.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "hv_ring.h"
#include "hv_chmsg.h"
#include "hv_vstor.h"

static const char *outdir;

static void put(const char *target, const char *name, const void *buf,
		size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, target);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/seed-%s", outdir, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* every seed is a valid input: the core must accept it */
static void must(int ok, const char *name)
{
	if (!ok) {
		fprintf(stderr, "fuzz_seeds: the core refuses seed %s\n", name);
		exit(1);
	}
}

static void le16(u8 *p, u16 v)
{
	memcpy(p, &v, 2);
}

static void le32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
}

/* ---- fuzz_chmsg: selector byte, then the message ---------------------- */

/* version indices into hv_vmbus_versions; 10 is "before negotiation" */
#define VI_5_3	0
#define VI_4_1	4
#define VI_2_4	7
#define VI_1_1	8
#define VI_0_13	9

static void chmsg(const char *name, u8 sel, const void *msg, u32 size)
{
	u8 buf[1 + 256];
	u32 vi = sel & 15, version = vi < 10 ? hv_vmbus_versions[vi] : 0;

	if (!(sel & 0x80)) {
		must(hv_chmsg_validate(msg, size, version) == 0, name);
		if (((const u32 *)msg)[0] == CHMSG_OFFERCHANNEL)
			must(hv_offer_validate(msg, version) == 0, name);
	}
	buf[0] = sel;
	memcpy(buf + 1, msg, size);
	put("chmsg", name, buf, 1 + size);
}

static void seeds_chmsg(void)
{
	u8 m[240];
	struct vmbus_chmsg_offer *o = (void *)m;
	static const struct {
		const char *name;
		u32 type, size;
		u8 vi;
	} small[] = {
		{ "rescind", CHMSG_RESCIND_CHANNELOFFER, 12, VI_5_3 },
		{ "alloffers", CHMSG_ALLOFFERS_DELIVERED, 8, VI_5_3 },
		{ "open-result", CHMSG_OPENCHANNEL_RESULT, 20, VI_5_3 },
		{ "gpadl-created", CHMSG_GPADL_CREATED, 20, VI_2_4 },
		{ "gpadl-torndown", CHMSG_GPADL_TORNDOWN, 12, VI_1_1 },
		{ "version-response", CHMSG_VERSION_RESPONSE, 16, 10 },
		{ "unload-response", CHMSG_UNLOAD_RESPONSE, 8, VI_5_3 },
		{ "tl-connect-result", CHMSG_TL_CONNECT_RESULT, 8, VI_4_1 },
		{ "modifychannel-response", CHMSG_MODIFYCHANNEL_RESPONSE, 16,
		  VI_5_3 },
	};
	unsigned int i;
	char text[] = HV_SCSI_GUID;
	u8 g[7];

	/* OFFERCHANNEL (B.3): a SCSI controller, monitored, relid 15 */
	memset(m, 0, sizeof(m));
	o->hdr.msgtype = CHMSG_OFFERCHANNEL;
	hv_guid_parse(HV_SCSI_GUID, &o->if_type);
	hv_guid_parse("11112222-3333-4444-5555-666677778888", &o->if_instance);
	o->chn_flags = VMBUS_CHAN_REQUEST_MONITORED;
	o->child_relid = 15;
	o->monitorid = 33;
	o->monitor_allocated = 1;
	o->connection_id = 0x10015;
	chmsg("offer-5.3", VI_5_3, m, VMBUS_OFFER_SIZE);
	o->sub_channel_index = 2;	/* a sub-channel (2.4+) */
	o->child_relid = 2047;
	chmsg("offer-sub-2.4", VI_2_4, m, VMBUS_OFFER_SIZE);
	o->sub_channel_index = 0;
	o->child_relid = 16383;
	chmsg("offer-1.1", VI_1_1, m, VMBUS_OFFER_SIZE);
	chmsg("offer-0.13", VI_0_13, m, VMBUS_OFFER_SIZE_V0_13);

	for (i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
		memset(m, 0, sizeof(m));
		le32(m, small[i].type);
		le32(m + 8, 15);	/* relid or gpadl */
		le32(m + 12, 0x1000);	/* openid, gpadl or msg_conn_id */
		if (small[i].type == CHMSG_VERSION_RESPONSE) {
			m[8] = 1;	/* version_supported */
			m[9] = VMBUS_CONN_STATE_OK;
		}
		chmsg(small[i].name, small[i].vi, m, small[i].size);
	}

	/* GUID text (mode 2) and GPADLs (mode 3: npfn u16, seed u32) */
	chmsg("guid", 0x80, text, 36);
	g[0] = 0xc0;
	le16(g + 1, 26);
	le32(g + 3, 1);
	put("chmsg", "gpadl-26", g, 7);
	le16(g + 1, 300);
	put("chmsg", "gpadl-300", g, 7);
	le16(g + 1, 8190);
	put("chmsg", "gpadl-8190", g, 7);
}

/* ---- fuzz_pkt: a packet as received ----------------------------------- */

static u32 pkt_hdr(u8 *p, u16 type, u16 off8, u16 len8)
{
	memset(p, 0, (size_t)len8 * 8);
	le16(p, type);
	le16(p + 2, off8);
	le16(p + 4, len8);
	le16(p + 6, VMBUS_PKT_FLAG_COMPLETION_REQUESTED);
	memcpy(p + 8, "\x01\0\0\0\0\0\0\0", 8);	/* trans_id 1 */
	return (u32)len8 * 8;
}

static void pkt(const char *name, const u8 *p, u32 len)
{
	must(hv_pkt_validate((const struct vmbus_pkt_desc *)p, len) == 0, name);
	put("pkt", name, p, len);
}

static void seeds_pkt(void)
{
	u8 p[256];
	u32 len;

	len = pkt_hdr(p, VMBUS_PKT_DATA_INBAND, 2, 2 + 8);	/* 64-byte body */
	pkt("inband", p, len);
	len = pkt_hdr(p, VMBUS_PKT_COMP, 2, 2 + 8);
	pkt("completion", p, len);

	/* transfer pages (netvsc receive): 2 ranges, then 8 bytes of body */
	len = pkt_hdr(p, VMBUS_PKT_DATA_XFER_PAGES, 5, 6);
	le16(p + 16, 0xcafe);
	le32(p + 20, 2);
	le32(p + 24, 1514);
	le32(p + 28, 0);
	le32(p + 32, 60);
	le32(p + 36, 4096);
	pkt("xfer-pages", p, len);

	/* GPA direct, multipage (storvsc): one range of 3 pages + vstor */
	len = pkt_hdr(p, VMBUS_PKT_DATA_GPA_DIRECT, 7, 7 + 8);
	le32(p + 20, 1);
	le32(p + 24, 8192);	/* byte_count */
	le32(p + 28, 512);	/* byte_offset: touches 3 pages */
	le32(p + 32, 0x1000);
	le32(p + 40, 0x1001);
	le32(p + 48, 0x1002);
	pkt("gpa-multipage", p, len);

	/* GPA direct, page-buffer form (netvsc send): 2 ranges of 1 page */
	len = pkt_hdr(p, VMBUS_PKT_DATA_GPA_DIRECT, 7, 7 + 4);
	le32(p + 20, 2);
	le32(p + 24, 100);
	le32(p + 28, 64);
	le32(p + 32, 0x2000);
	le32(p + 40, 4096);
	le32(p + 44, 0);
	le32(p + 48, 0x2001);
	pkt("gpa-pagebuf", p, len);
}

/* ---- fuzz_ring: header fields, then the data area --------------------- */

#define RING_SIZE	4096

static void ring_seed(const char *name, u8 flags, u8 bounce32, u32 start,
		      u32 npkts, u32 pend, u32 host_rd)
{
	static u8 data[RING_SIZE];
	static u8 out[24 + RING_SIZE];
	struct hv_ring_header *hdr = calloc(1, sizeof(*hdr));
	struct hv_ring r;
	struct vmbus_pkt_desc d;
	struct hv_ring_sg sg[2];
	u8 body[1024];
	u32 i;

	if (!hdr)
		exit(1);
	memset(data, 0, sizeof(data));
	hv_ring_init(&r, hdr, data, RING_SIZE, 0);
	hdr->write_index = start;
	hdr->read_index = start;
	for (i = 0; i < npkts; i++) {
		memset(&d, 0, sizeof(d));
		d.type = VMBUS_PKT_DATA_INBAND;
		d.offset8 = 2;
		d.len8 = (u16)(2 + (40 + 80 * i) / 8);
		d.trans_id = i + 1;
		memset(body, 0x30 + i, sizeof(body));
		sg[0].buf = &d;
		sg[0].len = sizeof(d);
		sg[1].buf = body;
		sg[1].len = 40 + 80 * i;
		if (hv_ring_write(&r, sg, 2, NULL)) {
			fprintf(stderr, "ring seed %s: write failed\n", name);
			exit(1);
		}
	}
	out[0] = flags;
	out[1] = bounce32;
	out[2] = 20;		/* we write len8 42: 336 bytes */
	out[3] = 30;		/* with 240 bytes of payload */
	le32(out + 4, hdr->write_index);
	le32(out + 8, hdr->read_index);
	le32(out + 12, pend);
	le32(out + 16, pend ? HV_RING_FEAT_PENDING_SEND_SZ : 0);
	le32(out + 20, host_rd);
	memcpy(out + 24, data, RING_SIZE);
	put("ring", name, out, sizeof(out));
	free(hdr);
}

static void seeds_ring(void)
{
	ring_seed("empty", 0x40, 0, 0, 0, 0, 0);
	ring_seed("three-packets", 0x40, 0, 0, 3, 0, 0);
	/* starts near the end: the third packet wraps */
	ring_seed("wrap-bounce", 0x40, 16, 3840, 3, 0, 0);
	ring_seed("wrap-mirrored", 0xc0, 0, 3840, 3, 0, 0);
	ring_seed("wrap-no-bounce", 0x40, 1, 3840, 3, 0, 0);
	/* the producer waits for 3900 free bytes: consuming signals */
	ring_seed("pending-send", 0x40, 0, 0, 3, 3900, 0);
	/* the host scribbles over read_index between peek and consume */
	ring_seed("host-rewrites-read-index", 0x50, 0, 0, 2, 0, 0xdead);
	/* ... and over the descriptor's len8 (now 4) after the peek */
	ring_seed("host-rewrites-len8", 0x48, 0, 0, 2, 0, 0x00010004);
	ring_seed("masked-eight", 0x60, 0, 0, 8, 0, 0);
}

/* ---- fuzz_vstor: parser selector, then its input ---------------------- */

static void vstor(const char *name, const u8 *pre, u32 npre, const void *b,
		  u32 len)
{
	u8 buf[1024];
	const u8 *d = b;
	u16 ver = hv_vstor_versions[pre[1] % hv_vstor_nversions];
	struct hv_vstor_completion c;
	struct hv_vstor_capacity cap;
	struct hv_vstor_unmap u;
	struct hv_vstor_seg segs[8];
	struct hv_vstor_cmd cmd;
	struct vstor_packet pk;
	struct hv_vstor_pfn_list l;
	u64 pfns[16];
	u32 i;
	char text[64];

	switch (pre[0]) {
	case 0:
		must(!hv_vstor_parse_completion(b, len, ver, 65536, &c), name);
		break;
	case 1:
		must(!hv_vstor_parse_capacity(b, len, pre[1] & 1, &cap), name);
		break;
	case 2:
		must(!hv_vstor_parse_vpd_b0(b, len, &u), name);
		break;
	case 3:
		must(!hv_vstor_parse_vpd_b2(b, len, &u), name);
		break;
	case 4:
		must(!hv_vstor_parse_vpd_80(b, len, text, pre[1]), name);
		break;
	case 6:
		for (i = 0; i < len / 10; i++) {
			memcpy(&segs[i].pfn, d + 10 * i, 4);
			segs[i].pfn &= 0xffffffffULL;
			segs[i].offset = d[10 * i + 4] | d[10 * i + 5] << 8;
			memcpy(&segs[i].len, d + 10 * i + 6, 4);
		}
		/* the incremental list (the one-shot one refuses pieces) */
		hv_vstor_pfns_init(&l, pfns, pre[1]);
		for (i = 0; i < len / 10; i++)
			hv_vstor_pfns_add(&l, segs[i].pfn, segs[i].offset,
					  segs[i].len);
		must(len % 10 == 0 && !l.broken, name);
		break;
	case 7:
		memset(&cmd, 0, sizeof(cmd));
		cmd.cdb = b;
		cmd.cdb_len = pre[2];
		cmd.data_in = pre[3];
		memcpy(&cmd.transfer_len, pre + 4, 4);
		must(!hv_vstor_build_srb(&pk, ver, &cmd), name);
		break;
	default:
		break;
	}
	memcpy(buf, pre, npre);
	memcpy(buf + npre, b, len);
	put("vstor", name, buf, npre + len);
}

static void completion(const char *name, u8 vi, u16 ver, u8 srb, u8 scsi,
		       u32 xfer)
{
	struct vstor_packet p;
	u8 pre[6];

	memset(&p, 0, sizeof(p));
	p.operation = VSTOR_OP_COMPLETE_IO;
	p.u.srb.length = hv_vstor_srb_len(ver);
	p.u.srb.srb_status = srb;
	p.u.srb.scsi_status = scsi;
	p.u.srb.sense_info_length = hv_vstor_sense_size(ver);
	p.u.srb.data_transfer_length = xfer;
	p.u.srb.u.sense[0] = 0x70;
	p.u.srb.u.sense[2] = 0x05;	/* ILLEGAL REQUEST */
	p.u.srb.u.sense[7] = 10;
	pre[0] = 0;
	pre[1] = vi;
	le32(pre + 2, 65536);		/* requested */
	vstor(name, pre, 6, &p, hv_vstor_pkt_size(ver));
}

static void seeds_vstor(void)
{
	u8 pre[32], b[128];
	const u8 read10[10] = { 0x28, 0, 0, 0, 0x10, 0, 0, 0, 0x80, 0 };

	/* versions: 0 = 6.2, 2 = 5.1, 3 = 4.2, 4 = 2.0 */
	completion("completion-ok-6.2", 0, VSTOR_VERSION_WIN10,
		   SRB_STATUS_SUCCESS, 0, 65536);
	completion("completion-short-5.1", 2, VSTOR_VERSION_WIN8,
		   SRB_STATUS_DATA_OVERRUN, 0, 4096);
	completion("completion-sense-4.2", 3, VSTOR_VERSION_WIN7,
		   SRB_STATUS_ERROR | SRB_STATUS_AUTOSENSE_VALID, 2, 0);
	completion("completion-invalid-lun-2.0", 4, VSTOR_VERSION_WIN2008,
		   SRB_STATUS_INVALID_LUN, 0, 0);
	completion("completion-aborted-6.2", 0, VSTOR_VERSION_WIN10,
		   SRB_STATUS_ABORTED | SRB_STATUS_QUEUE_FROZEN, 0, 512);

	/* READ CAPACITY(10): 1 GiB of 512-byte blocks; (16): 4 KiB, LBPME */
	memset(b, 0, sizeof(b));
	b[0] = 0x00; b[1] = 0x1f; b[2] = 0xff; b[3] = 0xff;
	b[6] = 0x02;
	pre[0] = 1;
	pre[1] = 0;
	vstor("capacity10", pre, 2, b, 8);
	memset(b, 0, sizeof(b));
	b[4] = 0x00; b[5] = 0x3f; b[6] = 0xff; b[7] = 0xff;
	b[10] = 0x10;
	b[13] = 0x03;
	b[14] = 0x80;
	pre[1] = 1;
	vstor("capacity16", pre, 2, b, 32);

	/* VPD B0 (block limits, page length 0x3c) and B2 (LBPU) */
	memset(b, 0, sizeof(b));
	b[1] = 0xb0;
	b[3] = 0x3c;
	b[23] = 0x40;	/* MAXIMUM UNMAP LBA COUNT */
	b[27] = 0x01;	/* descriptors */
	b[31] = 0x08;	/* granularity */
	pre[0] = 2;
	vstor("vpd-b0", pre, 1, b, 64);
	memset(b, 0, sizeof(b));
	b[1] = 0xb2;
	b[3] = 4;
	b[5] = 0x80;
	pre[0] = 3;
	vstor("vpd-b2", pre, 1, b, 8);

	/* VPD 80 serial, padded with blanks; INQUIRY product string */
	memset(b, 0, sizeof(b));
	b[1] = 0x80;
	b[3] = 14;
	memcpy(b + 4, "  6002248012ab ", 14);
	pre[0] = 4;
	pre[1] = 64;
	vstor("vpd-80", pre, 2, b, 18);
	pre[0] = 5;
	pre[1] = 17;
	vstor("string", pre, 2, "Virtual Disk    ", 16);

	/* PFN lists: first mid-page, whole middle pages, short last */
	pre[0] = 6;
	pre[1] = 16;
	memset(b, 0, sizeof(b));
	le32(b, 0x100);		le16(b + 4, 512);	le32(b + 6, 3584);
	le32(b + 10, 0x200);	le16(b + 14, 0);	le32(b + 16, 8192);
	le32(b + 20, 0x300);	le16(b + 24, 0);	le32(b + 26, 100);
	vstor("pfns-three", pre, 2, b, 30);
	/* sub-page pieces of one page, then the next page */
	le32(b, 0x100);		le16(b + 4, 0);		le32(b + 6, 1024);
	le32(b + 10, 0x100);	le16(b + 14, 1024);	le32(b + 16, 3072);
	le32(b + 20, 0x101);	le16(b + 24, 0);	le32(b + 26, 4096);
	vstor("pfns-pieces", pre, 2, b, 30);

	/* an EXECUTE_SRB READ(10) of 64 KiB at 6.2; QUERY_PROTOCOL_VERSION */
	memset(pre, 0, sizeof(pre));
	pre[0] = 7;
	pre[1] = 0;			/* version index */
	pre[2] = sizeof(read10);	/* cdb length */
	pre[3] = VSTOR_READ_TYPE;
	le32(pre + 4, 65536);
	le32(pre + 8, 60);
	pre[12] = VSTOR_OP_QUERY_PROTOCOL_VERSION;
	le32(pre + 13, VSTOR_VERSION_WIN10);
	le32(pre + 17, 2 * 1024 * 1024);
	vstor("requests", pre, 21, read10, sizeof(read10));
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	mkdir(outdir, 0755);
	seeds_chmsg();
	seeds_pkt();
	seeds_ring();
	seeds_vstor();
	return 0;
}
