// SPDX-License-Identifier: GPL-2.0
/*
 * hs_scsi.c - the SCSI target behind the simulated storage controllers:
 * each LUN is a RAM disk of 512-byte blocks whose 4 KiB chunks are
 * allocated on first write (reads of the rest return zeros) and freed by
 * UNMAP, so a large disk costs only what the guest wrote.
 *
 * Commands (SPC/SBC): TEST UNIT READY, REQUEST SENSE, INQUIRY (standard,
 * "Msft    " / "Virtual Disk    " as Hyper-V answers, and VPD pages 0x00,
 * 0x80, 0x83, 0xB0, 0xB1, 0xB2), READ CAPACITY (10) and (16), READ and
 * WRITE (6, 10, 16), SYNCHRONIZE CACHE (10, 16), MODE SENSE (6, 10: the
 * caching page with WCE set, the control page, all pages), REPORT LUNS,
 * UNMAP, WRITE SAME (10, 16; VSTOR 6.2 only, E). Anything else is
 * ILLEGAL REQUEST / INVALID COMMAND OPERATION CODE. Errors carry
 * fixed-format sense (hs_vstor.c sets AUTOSENSE_VALID).
 *
 * Every CDB field and every length the guest gives is checked before use;
 * data moves only within the GPA range hs_vstor.c validated.
 */
#include <linux/mm.h>
#include <linux/highmem.h>
#include "hs_vstor.h"

/* Operation codes (SPC, SBC) */
#define OP_TEST_UNIT_READY	0x00
#define OP_REQUEST_SENSE	0x03
#define OP_READ_6		0x08
#define OP_WRITE_6		0x0a
#define OP_INQUIRY		0x12
#define OP_MODE_SENSE_6		0x1a
#define OP_READ_CAPACITY_10	0x25
#define OP_READ_10		0x28
#define OP_WRITE_10		0x2a
#define OP_SYNC_CACHE_10	0x35
#define OP_WRITE_SAME_10	0x41
#define OP_UNMAP		0x42
#define OP_MODE_SENSE_10	0x5a
#define OP_READ_16		0x88
#define OP_WRITE_16		0x8a
#define OP_SYNC_CACHE_16	0x91
#define OP_WRITE_SAME_16	0x93
#define OP_SERVICE_ACTION_IN_16	0x9e
#define SAI_READ_CAPACITY_16	0x10
#define OP_REPORT_LUNS		0xa0

/* Sense keys and additional sense codes */
#define SK_NO_SENSE		0x0
#define SK_MEDIUM_ERROR		0x3
#define SK_ILLEGAL_REQUEST	0x5
#define ASC_WRITE_ERROR		0x0c
#define ASC_INVALID_OPCODE	0x20
#define ASC_LBA_OUT_OF_RANGE	0x21
#define ASC_INVALID_FIELD_CDB	0x24
#define ASC_INVALID_FIELD_PARAM	0x26
#define ASC_PARAM_LIST_LENGTH	0x1a

#define SAM_GOOD		0x00
#define SAM_CHECK_CONDITION	0x02

static inline u16 hs_be16(const u8 *p)
{
	return (u16)((p[0] << 8) | p[1]);
}

static inline u32 hs_be32(const u8 *p)
{
	return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) | p[3];
}

static inline u64 hs_be64(const u8 *p)
{
	return ((u64)hs_be32(p) << 32) | hs_be32(p + 4);
}

static inline void hs_put16(u8 *p, u16 v)
{
	p[0] = (v >> 8) & 0xff;
	p[1] = v & 0xff;
}

static inline void hs_put32(u8 *p, u32 v)
{
	p[0] = (v >> 24) & 0xff;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

static inline void hs_put64(u8 *p, u64 v)
{
	hs_put32(p, (u32)(v >> 32));
	hs_put32(p + 4, (u32)v);
}

/**
 * hs_scsi_dir() - the data direction a CDB implies.
 * @cdb: the command
 *
 * Return: VSTOR_READ_TYPE, VSTOR_WRITE_TYPE, or -1 when it carries no
 * data or is unknown (then nothing can be checked).
 */
int hs_scsi_dir(const u8 *cdb)
{
	switch (cdb[0]) {
	case OP_REQUEST_SENSE:
	case OP_READ_6:
	case OP_INQUIRY:
	case OP_MODE_SENSE_6:
	case OP_READ_CAPACITY_10:
	case OP_READ_10:
	case OP_MODE_SENSE_10:
	case OP_READ_16:
	case OP_SERVICE_ACTION_IN_16:
	case OP_REPORT_LUNS:
		return VSTOR_READ_TYPE;
	case OP_WRITE_6:
	case OP_WRITE_10:
	case OP_WRITE_SAME_10:
	case OP_UNMAP:
	case OP_WRITE_16:
	case OP_WRITE_SAME_16:
		return VSTOR_WRITE_TYPE;
	default:
		return -1;
	}
}

/**
 * hs_scsi_is_rw() - is the command a READ or WRITE (the faults' targets)?
 * @cdb: the command
 */
int hs_scsi_is_rw(const u8 *cdb)
{
	switch (cdb[0]) {
	case OP_READ_6:
	case OP_READ_10:
	case OP_READ_16:
	case OP_WRITE_6:
	case OP_WRITE_10:
	case OP_WRITE_16:
		return 1;
	default:
		return 0;
	}
}

/**
 * hs_scsi_sense() - end a command with CHECK CONDITION and fixed-format
 * sense data (SPC: response code 0x70, additional length 10).
 * @r: the command
 * @key: sense key
 * @asc: additional sense code
 * @ascq: its qualifier
 */
void hs_scsi_sense(struct hs_srb *r, u8 key, u8 asc, u8 ascq)
{
	memset(r->sense, 0, sizeof(r->sense));
	r->sense[0] = 0x70;
	r->sense[2] = key;
	r->sense[7] = HS_SENSE_LEN - 8;
	r->sense[12] = asc;
	r->sense[13] = ascq;
	r->sense_len = HS_SENSE_LEN;
	r->scsi_status = SAM_CHECK_CONDITION;
	r->srb_status = SRB_STATUS_ERROR;
}

/* ---- moving bytes ----------------------------------------------------------- */

/*
 * Copy @len bytes between @buf and the guest's range at byte @goff of it
 * (to the guest when @to_guest). The range was checked (every PFN RAM);
 * the caller keeps goff + len within it.
 */
static void hs_guest_copy(const struct hs_gpa_range *rg, u32 goff, void *buf,
			  u32 len, int to_guest)
{
	u64 pos = (u64)rg->offset + goff;
	u32 off, piece;
	u8 *va, *b = buf;

	while (len) {
		off = (u32)(pos & (HV_HYP_PAGE_SIZE - 1));
		piece = min_t(u32, HV_HYP_PAGE_SIZE - off, len);
		va = (u8 *)page_address(pfn_to_page((unsigned long)
				hs_gpa_pfn(rg, (u32)(pos >> HV_HYP_PAGE_SHIFT)))) + off;
		if (to_guest)
			memcpy(va, b, piece);
		else
			memcpy(b, va, piece);
		b += piece;
		pos += piece;
		len -= piece;
	}
}

/* Return @n bytes of @r->buf as the command's data-in, as far as allowed. */
static void hs_data_in(struct hs_srb *r, u32 n, u32 alloc)
{
	n = min(n, alloc);
	n = min(n, r->xfer_len);
	if (!r->range)
		n = 0;
	if (n)
		hs_guest_copy(r->range, 0, r->buf, n, 1);
	r->done = n;
}

/* The chunk holding byte @idx * HS_CHUNK of @l; allocated if @alloc. */
static u8 *hs_chunk(struct hs_lun *l, u64 idx, int alloc)
{
	void *p = xa_load(&l->chunks, (unsigned long)idx);

	if (p || !alloc)
		return p;
	p = (void *)get_zeroed_page(GFP_KERNEL);
	if (!p)
		return NULL;
	if (xa_is_err(xa_store(&l->chunks, (unsigned long)idx, p, GFP_KERNEL))) {
		free_page((unsigned long)p);
		return NULL;
	}
	l->nchunks++;
	return p;
}

static void hs_chunk_drop(struct hs_lun *l, u64 idx)
{
	void *p = xa_erase(&l->chunks, (unsigned long)idx);

	if (p) {
		free_page((unsigned long)p);
		l->nchunks--;
	}
}

/*
 * Move @bytes between LUN byte @lpos and the guest range from its start
 * (write: guest -> LUN). Return: 0, or -ENOMEM when a chunk could not be
 * allocated (what came before is written).
 */
static int hs_lun_rw(struct hs_srb *r, u64 lpos, u32 bytes, int write)
{
	struct hs_lun *l = r->lun;
	u32 done = 0, coff, piece;
	u8 *c;
	int ret = 0;

	mutex_lock(&l->lock);
	while (done < bytes) {
		coff = (u32)((lpos + done) & (HS_CHUNK - 1));
		piece = min_t(u32, HS_CHUNK - coff, bytes - done);
		c = hs_chunk(l, (lpos + done) / HS_CHUNK, write);
		if (write && !c) {
			ret = -ENOMEM;
			break;
		}
		if (c)
			hs_guest_copy(r->range, done, c + coff, piece, !write);
		else
			hs_guest_copy(r->range, done,
				      page_address(ZERO_PAGE(0)), piece, 1);
		done += piece;
	}
	mutex_unlock(&l->lock);
	r->done = done;
	return ret;
}

/* Zero (unmap) blocks @lba .. @lba + @n - 1: whole chunks are freed. */
static void hs_lun_unmap(struct hs_lun *l, u64 lba, u64 n)
{
	u64 pos = lba * HS_BLOCK, end = (lba + n) * HS_BLOCK;
	u32 coff, piece;
	u8 *c;

	mutex_lock(&l->lock);
	while (pos < end) {
		coff = (u32)(pos & (HS_CHUNK - 1));
		piece = (u32)min_t(u64, HS_CHUNK - coff, end - pos);
		if (piece == HS_CHUNK) {
			hs_chunk_drop(l, pos / HS_CHUNK);
		} else {
			c = hs_chunk(l, pos / HS_CHUNK, 0);
			if (c)
				memset(c + coff, 0, piece);
		}
		pos += piece;
		if (need_resched()) {
			mutex_unlock(&l->lock);
			cond_resched();
			mutex_lock(&l->lock);
		}
	}
	mutex_unlock(&l->lock);
}

/* Write the block @blk to @n blocks from @lba. Return 0 or -ENOMEM. */
static int hs_lun_fill(struct hs_lun *l, u64 lba, u64 n, const u8 *blk)
{
	u64 b;
	u8 *c;
	int ret = 0;

	mutex_lock(&l->lock);
	for (b = lba; b < lba + n; b++) {
		c = hs_chunk(l, b * HS_BLOCK / HS_CHUNK, 1);
		if (!c) {
			ret = -ENOMEM;
			break;
		}
		memcpy(c + (b * HS_BLOCK & (HS_CHUNK - 1)), blk, HS_BLOCK);
		cond_resched();
	}
	mutex_unlock(&l->lock);
	return ret;
}

/* ---- commands ---------------------------------------------------------------- */

static int hs_range_ok(struct hs_srb *r, u64 lba, u64 n)
{
	if (lba > r->lun->nblocks || n > r->lun->nblocks - lba) {
		hs_scsi_sense(r, SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE, 0);
		return 0;
	}
	return 1;
}

static void hs_cmd_rw(struct hs_srb *r, int write)
{
	const u8 *cdb = r->cdb;
	u64 lba, n, bytes;

	switch (cdb[0]) {
	case OP_READ_6:
	case OP_WRITE_6:
		lba = ((u32)(cdb[1] & 0x1f) << 16) | hs_be16(cdb + 2);
		n = cdb[4] ? cdb[4] : 256;
		break;
	case OP_READ_10:
	case OP_WRITE_10:
		lba = hs_be32(cdb + 2);
		n = hs_be16(cdb + 7);
		break;
	default:
		lba = hs_be64(cdb + 2);
		n = hs_be32(cdb + 10);
		break;
	}
	if (!hs_range_ok(r, lba, n))
		return;
	bytes = n * HS_BLOCK;
	if (bytes > r->xfer_len || (bytes && !r->range)) {
		/* the CDB asks for more than the request describes */
		hs_scsi_sense(r, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB, 0);
		return;
	}
	if (!bytes)
		return;
	if (hs_lun_rw(r, lba * HS_BLOCK, (u32)bytes, write)) {
		hs_scsi_sense(r, SK_MEDIUM_ERROR, ASC_WRITE_ERROR, 0);
		return;
	}
	if (write) {
		/* FUA: bit 3 of byte 1 in WRITE(10) and (16) */
		if (cdb[0] != OP_WRITE_6 && (cdb[1] & 0x08))
			hs_count(HS_C_vstor_fua_writes);
		atomic64_inc(&r->lun->writes);
		atomic64_add(bytes, &r->lun->bytes_written);
		hs_count_add(HS_C_vstor_bytes_written, bytes);
	} else {
		atomic64_inc(&r->lun->reads);
		atomic64_add(bytes, &r->lun->bytes_read);
		hs_count_add(HS_C_vstor_bytes_read, bytes);
	}
}

static void hs_std_inquiry(struct hs_srb *r, u8 *b)
{
	memset(b, 0, 36);
	b[0] = r->lun ? 0x00 : 0x7f;	/* disk, or "no LUN here" (PQ 3) */
	/* SPC-4 from VSTOR 6.2, SPC-2 before (hv_storvsc lifts 5.1/6.0) */
	b[2] = r->vs->version >= VSTOR_VERSION_WIN10 ? 0x06 : 0x04;
	b[3] = 0x02;			/* response data format */
	b[4] = 36 - 5;
	b[7] = 0x02;			/* CmdQue */
	memcpy(b + 8, "Msft    ", 8);
	memcpy(b + 16, "Virtual Disk    ", 16);
	memcpy(b + 32, "1.0 ", 4);
}

/* VPD page @page into @b; return its length, 0 if not supported. */
static u32 hs_vpd(struct hs_srb *r, u8 page, u8 *b)
{
	static const u8 pages[] = { 0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2 };
	struct hs_lun *l = r->lun;
	u32 n, maxb = hs.vstor_max_xfer / HS_BLOCK;

	memset(b, 0, 64);
	b[1] = page;
	switch (page) {
	case 0x00:
		memcpy(b + 4, pages, sizeof(pages));
		n = sizeof(pages);
		break;
	case 0x80:
		n = strlen(l->serial);
		memcpy(b + 4, l->serial, n);
		break;
	case 0x83:
		b[4] = 0x01;		/* binary */
		b[5] = 0x03;		/* LUN association, NAA */
		b[7] = sizeof(l->naa);
		memcpy(b + 8, l->naa, sizeof(l->naa));
		n = 4 + sizeof(l->naa);
		break;
	case 0xb0:
		hs_put16(b + 6, HS_CHUNK / HS_BLOCK);	/* optimal granularity */
		hs_put32(b + 8, maxb);			/* maximum transfer */
		hs_put32(b + 12, maxb);			/* optimal transfer */
		hs_put32(b + 20, HS_MAX_UNMAP_BLOCKS);
		hs_put32(b + 24, HS_MAX_UNMAP_DESC);
		hs_put32(b + 28, HS_CHUNK / HS_BLOCK);	/* unmap granularity */
		hs_put32(b + 32, 0x80000000U);		/* UGAVALID, alignment 0 */
		hs_put64(b + 36, HS_MAX_WS_BLOCKS);
		n = 0x3c;
		break;
	case 0xb1:
		hs_put16(b + 4, 0x0001);		/* non-rotating medium */
		n = 0x3c;
		break;
	case 0xb2:
		b[5] = 0x80;				/* LBPU: UNMAP */
		if (r->vs->version >= VSTOR_VERSION_WIN10)
			b[5] |= 0x40 | 0x20;		/* LBPWS, LBPWS10 */
		b[5] |= 0x04;				/* LBPRZ */
		b[6] = 0x02;				/* thin provisioned */
		n = 4;
		break;
	default:
		return 0;
	}
	hs_put16(b + 2, (u16)n);
	return n + 4;
}

static void hs_cmd_inquiry(struct hs_srb *r)
{
	const u8 *cdb = r->cdb;
	u32 alloc = hs_be16(cdb + 3), n;

	if (cdb[1] & 0x01) {
		n = r->lun ? hs_vpd(r, cdb[2], r->buf) : 0;
		if (!n) {
			hs_scsi_sense(r, SK_ILLEGAL_REQUEST,
				      ASC_INVALID_FIELD_CDB, 0);
			return;
		}
	} else {
		if (cdb[2]) {
			hs_scsi_sense(r, SK_ILLEGAL_REQUEST,
				      ASC_INVALID_FIELD_CDB, 0);
			return;
		}
		hs_std_inquiry(r, r->buf);
		n = 36;
	}
	hs_data_in(r, n, alloc);
}

static void hs_cmd_read_capacity(struct hs_srb *r, int sixteen)
{
	u64 last = r->lun->nblocks - 1;
	u8 *b = r->buf;

	if (!sixteen) {
		hs_put32(b, last > 0xffffffffULL ? 0xffffffffU : (u32)last);
		hs_put32(b + 4, HS_BLOCK);
		hs_data_in(r, 8, 8);
		return;
	}
	memset(b, 0, 32);
	hs_put64(b, last);
	hs_put32(b + 8, HS_BLOCK);
	b[14] = 0x80 | 0x40;		/* LBPME, LBPRZ */
	hs_data_in(r, 32, hs_be32(r->cdb + 10));
}

/* Append mode page @page (current or, @changeable, its mask) at @b. */
static u32 hs_mode_page(u8 page, int changeable, u8 *b)
{
	switch (page) {
	case 0x08:			/* caching */
		memset(b, 0, 20);
		b[0] = 0x08;
		b[1] = 0x12;
		if (!changeable)
			b[2] = 0x04;	/* WCE */
		return 20;
	case 0x0a:			/* control */
		memset(b, 0, 12);
		b[0] = 0x0a;
		b[1] = 0x0a;
		return 12;
	default:
		return 0;
	}
}

static void hs_cmd_mode_sense(struct hs_srb *r, int ten)
{
	const u8 *cdb = r->cdb;
	u8 *b = r->buf, page = cdb[2] & 0x3f, sub = cdb[3];
	int dbd = cdb[1] & 0x08, changeable = (cdb[2] >> 6) == 1;
	u32 hdr = ten ? 8 : 4, n, alloc;
	u64 nb = r->lun->nblocks;

	alloc = ten ? hs_be16(cdb + 7) : cdb[4];
	if ((sub && !(page == 0x3f && sub == 0xff)) ||
	    (page != 0x08 && page != 0x0a && page != 0x3f)) {
		hs_scsi_sense(r, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB, 0);
		return;
	}
	memset(b, 0, hdr + 8);
	n = hdr;
	if (!dbd) {
		/* short block descriptor: blocks (capped), block length */
		hs_put32(b + n, nb > 0xffffff ? 0xffffff : (u32)nb);
		b[n] = 0;
		hs_put32(b + n + 4, HS_BLOCK);
		n += 8;
	}
	if (page == 0x08 || page == 0x3f)
		n += hs_mode_page(0x08, changeable, b + n);
	if (page == 0x0a || page == 0x3f)
		n += hs_mode_page(0x0a, changeable, b + n);
	if (ten) {
		hs_put16(b, (u16)(n - 2));
		b[3] = 0x10;		/* DPOFUA */
		hs_put16(b + 6, dbd ? 0 : 8);
	} else {
		b[0] = (u8)(n - 1);
		b[2] = 0x10;
		b[3] = dbd ? 0 : 8;
	}
	hs_data_in(r, n, alloc);
}

static void hs_cmd_report_luns(struct hs_srb *r)
{
	struct hs_lun *l;
	u8 *b = r->buf;
	u32 n = 8;

	if (r->cdb[2] > 2) {
		hs_scsi_sense(r, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB, 0);
		return;
	}
	memset(b, 0, 8);
	list_for_each_entry(l, &r->vs->luns, node) {
		if (l->target != r->target || n + 8 > HS_VBUF)
			continue;
		memset(b + n, 0, 8);
		b[n + 1] = l->lun;	/* peripheral addressing, bus 0 */
		n += 8;
	}
	hs_put32(b, n - 8);
	hs_data_in(r, n, hs_be32(r->cdb + 6));
}

static void hs_cmd_request_sense(struct hs_srb *r)
{
	u8 *b = r->buf;

	memset(b, 0, HS_SENSE_LEN);
	b[0] = 0x70;
	b[2] = SK_NO_SENSE;
	b[7] = HS_SENSE_LEN - 8;
	hs_data_in(r, HS_SENSE_LEN, r->cdb[4]);
}

static void hs_cmd_unmap(struct hs_srb *r)
{
	u32 plen = hs_be16(r->cdb + 7), dlen, i, nd;
	u64 lba, n;
	u8 *b = r->buf, *d;

	if (!plen)
		return;
	if (plen > r->xfer_len || !r->range || plen < 8 || plen > HS_VBUF) {
		hs_scsi_sense(r, SK_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH, 0);
		return;
	}
	hs_guest_copy(r->range, 0, b, plen, 0);
	r->done = plen;
	dlen = hs_be16(b + 2);
	if (dlen % 16 || dlen > plen - 8 || hs_be16(b) < dlen + 6) {
		hs_scsi_sense(r, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_PARAM, 0);
		return;
	}
	nd = dlen / 16;
	if (nd > HS_MAX_UNMAP_DESC) {
		hs_scsi_sense(r, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_PARAM, 0);
		return;
	}
	/* check all descriptors before changing anything */
	for (i = 0; i < nd; i++) {
		d = b + 8 + 16 * i;
		lba = hs_be64(d);
		n = hs_be32(d + 8);
		if (n > HS_MAX_UNMAP_BLOCKS) {
			hs_scsi_sense(r, SK_ILLEGAL_REQUEST,
				      ASC_INVALID_FIELD_PARAM, 0);
			return;
		}
		if (!hs_range_ok(r, lba, n))
			return;
	}
	for (i = 0; i < nd; i++) {
		d = b + 8 + 16 * i;
		hs_lun_unmap(r->lun, hs_be64(d), hs_be32(d + 8));
	}
	atomic64_inc(&r->lun->unmaps);
	hs_count(HS_C_vstor_unmaps);
}

static void hs_cmd_write_same(struct hs_srb *r, int sixteen)
{
	const u8 *cdb = r->cdb;
	int ndob = sixteen && (cdb[1] & 0x01);
	u64 lba, n;
	u8 *blk = r->buf;
	u32 i;

	if (r->vs->version < VSTOR_VERSION_WIN10) {
		/*
		 * Only a 6.2 host implements it. Sending it to a host <= 5.1
		 * breaks a rule of E; a 6.0 host just refuses it (sd then
		 * stops using it).
		 */
		if (r->vs->version <= VSTOR_VERSION_WIN8)
			hs_violation(HS_V_vstor_write_same_old_host);
		hs_scsi_sense(r, SK_ILLEGAL_REQUEST, ASC_INVALID_OPCODE, 0);
		return;
	}
	lba = sixteen ? hs_be64(cdb + 2) : hs_be32(cdb + 2);
	n = sixteen ? hs_be32(cdb + 10) : hs_be16(cdb + 7);
	if (n > HS_MAX_WS_BLOCKS) {
		hs_scsi_sense(r, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB, 0);
		return;
	}
	if (!hs_range_ok(r, lba, n))
		return;
	memset(blk, 0, HS_BLOCK);
	if (!ndob) {
		if (r->xfer_len < HS_BLOCK || !r->range) {
			hs_scsi_sense(r, SK_ILLEGAL_REQUEST,
				      ASC_INVALID_FIELD_CDB, 0);
			return;
		}
		hs_guest_copy(r->range, 0, blk, HS_BLOCK, 0);
		r->done = HS_BLOCK;
	}
	for (i = 0; i < HS_BLOCK && !blk[i]; i++)
		;
	atomic64_inc(&r->lun->write_same);
	hs_count(HS_C_vstor_write_same);
	if (i == HS_BLOCK) {
		/*
		 * Zeros, with UNMAP or without: unmapped blocks read back as
		 * zeros (LBPRZ), so the RAM of a large zeroing is not spent.
		 */
		hs_lun_unmap(r->lun, lba, n);
		return;
	}
	if (hs_lun_fill(r->lun, lba, n, blk))
		hs_scsi_sense(r, SK_MEDIUM_ERROR, ASC_WRITE_ERROR, 0);
}

/**
 * hs_scsi_exec() - execute one command against the LUN @r names.
 * @r: the command: vs, lun (NULL: no such LUN), target_exists, cdb,
 *	xfer_len and range (data, checked by hs_vstor.c) and buf set
 *
 * Sets srb_status, scsi_status, sense and done. A target without LUNs
 * answers SRB_STATUS_INVALID_LUN; at a target with LUNs, INQUIRY and
 * REPORT LUNS to a missing LUN work (peripheral qualifier 3) so the
 * guest's scan finds the others.
 * Context: process (the channel's io_work), vs->luns_sem held for reading.
 */
void hs_scsi_exec(struct hs_srb *r)
{
	const u8 *cdb = r->cdb;

	r->srb_status = SRB_STATUS_SUCCESS;
	r->scsi_status = SAM_GOOD;
	r->sense_len = 0;
	r->done = 0;
	if (!r->lun && !(r->target_exists &&
			 (cdb[0] == OP_INQUIRY || cdb[0] == OP_REPORT_LUNS ||
			  cdb[0] == OP_REQUEST_SENSE))) {
		r->srb_status = SRB_STATUS_INVALID_LUN;
		return;
	}
	switch (cdb[0]) {
	case OP_TEST_UNIT_READY:
	case OP_SYNC_CACHE_10:
	case OP_SYNC_CACHE_16:
		/* RAM holds nothing back: counted, so tests see flushes arrive */
		hs_count(HS_C_vstor_sync_cache);
		break;
	case OP_REQUEST_SENSE:
		hs_cmd_request_sense(r);
		break;
	case OP_INQUIRY:
		hs_cmd_inquiry(r);
		break;
	case OP_READ_CAPACITY_10:
		hs_cmd_read_capacity(r, 0);
		break;
	case OP_SERVICE_ACTION_IN_16:
		if ((cdb[1] & 0x1f) != SAI_READ_CAPACITY_16)
			goto invalid;
		hs_cmd_read_capacity(r, 1);
		break;
	case OP_READ_6:
	case OP_READ_10:
	case OP_READ_16:
		hs_cmd_rw(r, 0);
		break;
	case OP_WRITE_6:
	case OP_WRITE_10:
	case OP_WRITE_16:
		hs_cmd_rw(r, 1);
		break;
	case OP_MODE_SENSE_6:
		hs_cmd_mode_sense(r, 0);
		break;
	case OP_MODE_SENSE_10:
		hs_cmd_mode_sense(r, 1);
		break;
	case OP_REPORT_LUNS:
		hs_cmd_report_luns(r);
		break;
	case OP_UNMAP:
		hs_cmd_unmap(r);
		break;
	case OP_WRITE_SAME_10:
		hs_cmd_write_same(r, 0);
		break;
	case OP_WRITE_SAME_16:
		hs_cmd_write_same(r, 1);
		break;
	default:
		goto invalid;
	}
	return;
invalid:
	hs_scsi_sense(r, SK_ILLEGAL_REQUEST, ASC_INVALID_OPCODE, 0);
}

/* ---- LUNs ------------------------------------------------------------------------ */

/**
 * hs_lun_new() - a LUN of @size_mb MiB, all zeros, nothing allocated.
 * @vs: its controller (not linked here)
 * @relid: the controller's relid, for the serial number
 * @target: target id
 * @lun: LUN
 * @size_mb: size in MiB
 *
 * Serial (VPD 0x80) "HSIM-Rrrrr-Ttt-Llll" and NAA (VPD 0x83) are
 * deterministic from relid, target and LUN. Return: the LUN or NULL.
 */
struct hs_lun *hs_lun_new(struct hs_vstor *vs, u32 relid, u8 target, u8 lun,
			  u32 size_mb)
{
	struct hs_lun *l = kzalloc(sizeof(*l), GFP_KERNEL);
	u64 id;

	BUILD_BUG_ON(PAGE_SIZE != HS_CHUNK);
	if (!l)
		return NULL;
	l->target = target;
	l->lun = lun;
	l->size_mb = size_mb;
	l->nblocks = (u64)size_mb << (20 - 9);
	mutex_init(&l->lock);
	xa_init(&l->chunks);
	snprintf(l->serial, sizeof(l->serial), "HSIM-R%04u-T%02u-L%03u",
		 relid, target, lun);
	/* NAA 5, OUI 00-15-5D, then relid, target, LUN */
	id = (5ULL << 60) | (0x00155dULL << 36) | ((u64)(relid & 0xfffff) << 16) |
		((u64)target << 8) | lun;
	hs_put64(l->naa, id);
	atomic64_set(&l->reads, 0);
	atomic64_set(&l->writes, 0);
	atomic64_set(&l->unmaps, 0);
	atomic64_set(&l->write_same, 0);
	atomic64_set(&l->bytes_read, 0);
	atomic64_set(&l->bytes_written, 0);
	return l;
}

/**
 * hs_lun_free() - free a LUN and every chunk it holds.
 * @l: the LUN, unlinked, no command on it
 */
void hs_lun_free(struct hs_lun *l)
{
	unsigned long idx;
	void *p;

	if (!l)
		return;
	xa_for_each(&l->chunks, idx, p)
		free_page((unsigned long)p);
	xa_destroy(&l->chunks);
	kfree(l);
}
