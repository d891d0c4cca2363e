// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_vstor.c - libFuzzer target: the VSTOR parsers (src/core/vstor.c).
 *
 * Input: byte 0 (mod 8) picks the parser, then (little-endian; missing
 * bytes read as 0; "rest" is the remaining input in a heap block of
 * exactly its size):
 *   0  completion: version index (u8), requested bytes (u32), the packet
 *      (rest): hv_vstor_parse_completion()
 *   1  capacity: bit 0 READ CAPACITY(16) (u8), data (rest):
 *      hv_vstor_parse_capacity()
 *   2  VPD page B0 (rest): hv_vstor_parse_vpd_b0()
 *   3  VPD page B2 (rest): hv_vstor_parse_vpd_b2()
 *   4  VPD page 80: output size (u8), page (rest): hv_vstor_parse_vpd_80()
 *   5  string: output size (u8), field (rest): hv_vstor_parse_string()
 *   6  PFN list: room (u8), then segments {pfn u32, offset u16, len u32}:
 *      hv_vstor_build_pfns() and hv_vstor_pfns_init()/_add()
 *   7  requests: version index, cdb length, data_in, transfer length
 *      (u32), timeout (u32), op (u8), arg (u32), max_transfer_bytes (u32),
 *      cdb (rest): hv_vstor_build_srb(), hv_vstor_build_op(),
 *      hv_vstor_sg_limit()
 * All parsers share one target: each is a few lines, their inputs are
 * short, and one corpus keeps the VSTOR family together.
 *
 * Contracts checked (fact sheet E, hv_vstor.h): a completion is refused
 * exactly when it is short for its version, not COMPLETE_IO or its SRB
 * length is wrong; an accepted one never reports more bytes than asked,
 * its sense pointer and length stay inside the packet and the version's
 * sense size, and the result follows the status; a capacity has a legal
 * block size and a byte size that fits 64 bits; a refused VPD page
 * leaves the output alone; a serial or string is NUL-terminated inside
 * the output, printable, without trailing blanks; a PFN list covers
 * exactly the pages its offset and total touch, never more than its room,
 * and the incremental list agrees with the one-shot one.
 */
#include "hv_vstor.h"
#include "fuzz.h"

static volatile u32 sink;

static u16 pick_version(u8 b)
{
	return hv_vstor_versions[b % hv_vstor_nversions];
}

static void fuzz_completion(struct fz *f)
{
	u16 ver = pick_version(fz_u8(f));
	u32 requested = fz_u32(f);
	int win8 = ver >= 0x0501;
	u32 len, pkt_size = win8 ? 64 : 48, i;
	u8 sense_size = win8 ? 0x14 : 0x12, srb_status, scsi_status;
	struct hv_vstor_completion c;
	u8 *p = fz_rest(f, &len);
	int ret, bad;

	if (!p)
		return;
	FUZZ_CHECK(hv_vstor_pkt_size(ver) == pkt_size);
	FUZZ_CHECK(hv_vstor_srb_len(ver) == (win8 ? 0x34 : 0x24));
	FUZZ_CHECK(hv_vstor_sense_size(ver) == sense_size);
	ret = hv_vstor_parse_completion(p, len, ver, requested, &c);
	bad = len < pkt_size ||
	      (p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24) !=
		VSTOR_OP_COMPLETE_IO ||
	      (p[12] | p[13] << 8) != (win8 ? 0x34 : 0x24);
	FUZZ_CHECK(ret == 0 || ret == -EBADMSG);
	FUZZ_CHECK((ret != 0) == bad);
	if (ret) {
		FUZZ_CHECK(c.result == HV_VSTOR_BAD_COMPLETION);
		goto out;
	}
	srb_status = p[12 + 2];
	scsi_status = p[12 + 3];
	FUZZ_CHECK(c.srb_status == (srb_status & 0x3f));
	FUZZ_CHECK(c.scsi_status == scsi_status);
	FUZZ_CHECK(c.transferred <= requested);
	FUZZ_CHECK(c.sense_len <= sense_size);
	if (c.sense_len) {
		FUZZ_CHECK((srb_status & 0x80) && scsi_status);
		FUZZ_CHECK(c.sense == p + 12 + 16);
		FUZZ_CHECK(12 + 16 + (u32)c.sense_len <= len);
		for (i = 0; i < c.sense_len; i++)
			sink += c.sense[i];
	}
	if (scsi_status)
		FUZZ_CHECK(c.result == HV_VSTOR_CHECK_CONDITION);
	else if (c.srb_status == 0x01 || c.srb_status == 0x12)
		FUZZ_CHECK(c.result == HV_VSTOR_OK);
	else
		FUZZ_CHECK(c.transferred == 0 &&
			   (c.result == HV_VSTOR_INVALID_LUN ||
			    c.result == HV_VSTOR_ABORTED ||
			    c.result == HV_VSTOR_ERROR));
out:
	free(p);
}

static void fuzz_capacity(struct fz *f)
{
	int cdb16 = fz_u8(f) & 1;
	struct hv_vstor_capacity cap;
	u32 len;
	u8 *p = fz_rest(f, &len);
	int ret;

	if (!p)
		return;
	ret = hv_vstor_parse_capacity(p, len, cdb16, &cap);
	FUZZ_CHECK(ret == 0 || ret == -EBADMSG || ret == -EOVERFLOW);
	if (ret == -EOVERFLOW)
		FUZZ_CHECK(!cdb16 && len >= 8 && p[0] == 0xff && p[1] == 0xff &&
			   p[2] == 0xff && p[3] == 0xff);
	if (ret == 0) {
		FUZZ_CHECK(len >= (cdb16 ? 12U : 8U));
		FUZZ_CHECK(cap.block_size == 512 || cap.block_size == 1024 ||
			   cap.block_size == 2048 || cap.block_size == 4096);
		FUZZ_CHECK(cap.blocks >= 1);
		FUZZ_CHECK(cap.blocks <= ~0ULL / cap.block_size);
		FUZZ_CHECK(cap.phys_exp <= 15 && cap.lbpme <= 1);
	}
	free(p);
}

static void fuzz_vpd_b(struct fz *f, int b2)
{
	struct hv_vstor_unmap u, before;
	u32 len;
	u8 *p = fz_rest(f, &len);
	int ret;

	if (!p)
		return;
	memset(&u, 0xa5, sizeof(u));
	before = u;
	ret = b2 ? hv_vstor_parse_vpd_b2(p, len, &u) :
		   hv_vstor_parse_vpd_b0(p, len, &u);
	FUZZ_CHECK(ret == 0 || ret == -EBADMSG);
	if (ret) {
		FUZZ_CHECK(!memcmp(&u, &before, sizeof(u)));
	} else {
		FUZZ_CHECK(len >= (b2 ? 6U : 32U));
		FUZZ_CHECK(p[1] == (b2 ? 0xb2 : 0xb0));
		FUZZ_CHECK(((u32)p[2] << 8 | p[3]) >= (b2 ? 2U : 28U));
		if (b2)
			FUZZ_CHECK(u.lbpu == ((p[5] & 0x80) ? 1 : 0));
	}
	free(p);
}

/* @out of @outlen bytes holds a clean string of @n characters */
static void check_string(const char *out, u32 outlen, u32 n)
{
	u32 i;

	FUZZ_CHECK(outlen >= 1 && n < outlen);
	FUZZ_CHECK(out[n] == '\0' && strlen(out) == n);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(out[i] >= 0x20 && out[i] < 0x7f);
	FUZZ_CHECK(n == 0 || out[n - 1] != ' ');
}

static void fuzz_vpd_80(struct fz *f)
{
	u32 outlen = fz_u8(f), len;
	char *out = malloc(outlen ? outlen : 1);
	u8 *p = fz_rest(f, &len);
	int ret;

	if (!p || !out)
		goto out;
	ret = hv_vstor_parse_vpd_80(p, len, out, outlen);
	FUZZ_CHECK(ret == 0 || ret == -EBADMSG);
	if (ret == 0) {
		FUZZ_CHECK(len >= 4 && p[1] == 0x80);
		FUZZ_CHECK(((u32)p[2] << 8 | p[3]) <= len - 4);
		if (outlen) {
			check_string(out, outlen, (u32)strlen(out));
			FUZZ_CHECK(out[0] != ' ');
		}
	} else if (outlen) {
		FUZZ_CHECK(out[0] == '\0');
	}
out:
	free(p);
	free(out);
}

static void fuzz_string(struct fz *f)
{
	u32 outlen = fz_u8(f), len, n;
	char *out = malloc(outlen ? outlen : 1);
	u8 *p = fz_rest(f, &len);

	if (!p || !out)
		goto out;
	n = hv_vstor_parse_string(p, len, out, outlen);
	if (!outlen)
		FUZZ_CHECK(n == 0);
	else
		check_string(out, outlen, n);
	FUZZ_CHECK(n <= len);
out:
	free(p);
	free(out);
}

#define MAX_SEGS	64

static void fuzz_pfns(struct fz *f)
{
	u32 max = fz_u8(f), nsegs = 0, i, k, n, off = 0, total = 0;
	struct hv_vstor_seg segs[MAX_SEGS];
	struct hv_vstor_pfn_list l;
	u64 *a = malloc((max ? max : 1) * sizeof(u64));
	u64 *b = malloc((max ? max : 1) * sizeof(u64));
	u64 sum = 0;
	int broken = 0;

	if (!a || !b)
		goto out;
	while (f->n && nsegs < MAX_SEGS) {
		segs[nsegs].pfn = fz_u32(f);
		segs[nsegs].offset = fz_u16(f);
		segs[nsegs].len = fz_u32(f);
		sum += segs[nsegs].len;
		nsegs++;
	}
	n = hv_vstor_build_pfns(segs, nsegs, a, max, &off, &total);
	FUZZ_CHECK(n <= max);
	if (n) {
		FUZZ_CHECK(total == sum && total > 0);
		FUZZ_CHECK(off == segs[0].offset && off < 4096);
		FUZZ_CHECK(n == ((u64)off + total + 4095) / 4096);
		FUZZ_CHECK(a[0] == segs[0].pfn);
	}

	hv_vstor_pfns_init(&l, b, max);
	for (i = 0; i < nsegs; i++)
		if (hv_vstor_pfns_add(&l, segs[i].pfn, segs[i].offset,
				      segs[i].len))
			broken = 1;
	FUZZ_CHECK(l.broken == broken);
	FUZZ_CHECK(l.n <= max);
	if (!broken && nsegs) {
		FUZZ_CHECK(l.total == sum);
		FUZZ_CHECK(l.offset == segs[0].offset);
		FUZZ_CHECK(l.n == ((u64)l.offset + l.total + 4095) / 4096);
		FUZZ_CHECK(l.end == (l.offset + (u64)l.total) % 4096);
	}
	/* the one-shot rules are stricter: what it takes, the list takes */
	if (n) {
		FUZZ_CHECK(!broken && l.n == n && l.offset == off &&
			   l.total == total);
		for (k = 0; k < n; k++)
			FUZZ_CHECK(a[k] == b[k]);
	}
out:
	free(a);
	free(b);
}

static void fuzz_requests(struct fz *f)
{
	u16 ver = pick_version(fz_u8(f));
	struct hv_vstor_cmd cmd;
	struct vstor_packet pkt;
	u32 op, arg, maxb, len, lim;
	u8 *cdb;
	int ret, win8 = ver >= 0x0501;

	memset(&cmd, 0, sizeof(cmd));
	cmd.cdb_len = fz_u8(f);
	cmd.data_in = fz_u8(f);
	cmd.transfer_len = fz_u32(f);
	cmd.timeout_s = fz_u32(f);
	op = fz_u8(f);
	arg = fz_u32(f);
	maxb = fz_u32(f);
	cdb = fz_rest(f, &len);
	if (!cdb)
		return;
	if (cmd.cdb_len > len)
		cmd.cdb_len = (u8)len;	/* the caller's cdb holds cdb_len */
	cmd.cdb = cdb;
	ret = hv_vstor_build_srb(&pkt, ver, &cmd);
	FUZZ_CHECK(ret == 0 || ret == -EINVAL);
	FUZZ_CHECK((ret == 0) == (cmd.cdb_len >= 1 && cmd.cdb_len <= 16 &&
				  cmd.data_in <= 2 &&
				  (cmd.data_in == 2) == (cmd.transfer_len == 0)));
	if (ret == 0) {
		FUZZ_CHECK(pkt.operation == VSTOR_OP_EXECUTE_SRB);
		FUZZ_CHECK(pkt.u.srb.length == (win8 ? 0x34 : 0x24));
		FUZZ_CHECK(pkt.u.srb.sense_info_length == (win8 ? 0x14 : 0x12));
		FUZZ_CHECK(pkt.u.srb.cdb_length == cmd.cdb_len);
		FUZZ_CHECK(!memcmp(pkt.u.srb.u.cdb, cdb, cmd.cdb_len));
		FUZZ_CHECK(pkt.u.srb.data_transfer_length == cmd.transfer_len);
		if (!win8)
			FUZZ_CHECK(!pkt.u.srb.srb_flags &&
				   !pkt.u.srb.time_out_value);
	}
	ret = hv_vstor_build_op(&pkt, op, arg);
	FUZZ_CHECK(ret == 0 || ret == -EINVAL);
	if (ret == 0) {
		FUZZ_CHECK(pkt.operation == op &&
			   pkt.flags == VSTOR_FLAG_REQUEST_COMPLETION);
		FUZZ_CHECK(op >= VSTOR_OP_RESET_LUN && op <= VSTOR_OP_MAX &&
			   op != VSTOR_OP_ENUMERATE_BUS);
	}
	lim = hv_vstor_sg_limit(maxb);
	FUZZ_CHECK(lim >= 2 && lim <= maxb / 4096 + 2);
	free(cdb);
}

int LLVMFuzzerTestOneInput(const u8 *in, size_t n)
{
	struct fz f;

	if (n < 1)
		return 0;
	f.p = in;
	f.n = n;
	switch (fz_u8(&f) % 8) {
	case 0:
		fuzz_completion(&f);
		break;
	case 1:
		fuzz_capacity(&f);
		break;
	case 2:
		fuzz_vpd_b(&f, 0);
		break;
	case 3:
		fuzz_vpd_b(&f, 1);
		break;
	case 4:
		fuzz_vpd_80(&f);
		break;
	case 5:
		fuzz_string(&f);
		break;
	case 6:
		fuzz_pfns(&f);
		break;
	default:
		fuzz_requests(&f);
		break;
	}
	return 0;
}
