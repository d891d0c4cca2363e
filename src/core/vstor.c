// SPDX-License-Identifier: GPL-2.0
/*
 * vstor.c - VSTOR protocol core (fact sheet E): packet sizes per version,
 * EXECUTE_SRB and control-operation encoding, completion validation and
 * the multipage PFN list of a request. Pure C, see hv_vstor.h.
 */
#include "hv_vstor.h"

const u16 hv_vstor_versions[] = {
	VSTOR_VERSION_WIN10,
	VSTOR_VERSION_WIN8_1,
	VSTOR_VERSION_WIN8,
	VSTOR_VERSION_WIN7,
	VSTOR_VERSION_WIN2008,
};
const unsigned int hv_vstor_nversions =
	sizeof(hv_vstor_versions) / sizeof(hv_vstor_versions[0]);

u32 hv_vstor_pkt_size(u16 version)
{
	return version >= VSTOR_VERSION_WIN8 ? VSTOR_PKT_SIZE : VSTOR_PKT_SIZE_OLD;
}

u16 hv_vstor_srb_len(u16 version)
{
	return version >= VSTOR_VERSION_WIN8 ? VSTOR_SRB_LEN : VSTOR_SRB_LEN_OLD;
}

u8 hv_vstor_sense_size(u16 version)
{
	return version >= VSTOR_VERSION_WIN8 ? VSTOR_SENSE_SIZE :
		VSTOR_SENSE_SIZE_OLD;
}

int hv_vstor_build_srb(struct vstor_packet *pkt, u16 version,
		       const struct hv_vstor_cmd *cmd)
{
	struct vmscsi_request *srb = &pkt->u.srb;

	if (!cmd->cdb || cmd->cdb_len == 0 || cmd->cdb_len > VSTOR_CDB_SIZE)
		return -EINVAL;
	if (cmd->data_in > VSTOR_UNKNOWN_TYPE)
		return -EINVAL;
	if ((cmd->data_in == VSTOR_UNKNOWN_TYPE) != (cmd->transfer_len == 0))
		return -EINVAL;
	memset(pkt, 0, sizeof(*pkt));
	pkt->operation = VSTOR_OP_EXECUTE_SRB;
	pkt->flags = VSTOR_FLAG_REQUEST_COMPLETION;
	srb->length = hv_vstor_srb_len(version);
	srb->path_id = cmd->path_id;
	srb->target_id = cmd->target_id;
	srb->lun = cmd->lun;
	srb->cdb_length = cmd->cdb_len;
	srb->sense_info_length = hv_vstor_sense_size(version);
	srb->data_in = cmd->data_in;
	srb->data_transfer_length = cmd->transfer_len;
	memcpy(srb->u.cdb, cmd->cdb, cmd->cdb_len);
	if (version >= VSTOR_VERSION_WIN8) {
		srb->srb_flags = SRB_FLAGS_DISABLE_SYNCH_TRANSFER;
		if (cmd->data_in == VSTOR_READ_TYPE)
			srb->srb_flags |= SRB_FLAGS_DATA_IN;
		else if (cmd->data_in == VSTOR_WRITE_TYPE)
			srb->srb_flags |= SRB_FLAGS_DATA_OUT;
		srb->time_out_value = cmd->timeout_s;
	}
	return 0;
}

int hv_vstor_build_op(struct vstor_packet *pkt, u32 op, u32 arg)
{
	memset(pkt, 0, sizeof(*pkt));
	switch (op) {
	case VSTOR_OP_BEGIN_INITIALIZATION:
	case VSTOR_OP_END_INITIALIZATION:
	case VSTOR_OP_QUERY_PROPERTIES:
	case VSTOR_OP_FCHBA_DATA:
	case VSTOR_OP_RESET_LUN:
	case VSTOR_OP_RESET_ADAPTER:
	case VSTOR_OP_RESET_BUS:
		break;
	case VSTOR_OP_QUERY_PROTOCOL_VERSION:
		if (arg > 0xffff)
			return -EINVAL;
		pkt->u.version.major_minor = (u16)arg;
		pkt->u.version.revision = 0;
		break;
	case VSTOR_OP_CREATE_SUB_CHANNELS:
		if (arg == 0 || arg > 0xffff)
			return -EINVAL;
		pkt->u.sub_channel_count = (u16)arg;
		break;
	default:
		return -EINVAL;
	}
	pkt->operation = op;
	pkt->flags = VSTOR_FLAG_REQUEST_COMPLETION;
	return 0;
}

int hv_vstor_parse_completion(const void *buf, u32 len, u16 version,
			      u32 requested, struct hv_vstor_completion *out)
{
	const struct vstor_packet *pkt = buf;
	const struct vmscsi_request *srb = &pkt->u.srb;
	u8 sense_max = hv_vstor_sense_size(version);

	memset(out, 0, sizeof(*out));
	out->result = HV_VSTOR_BAD_COMPLETION;
	if (len < hv_vstor_pkt_size(version) ||
	    pkt->operation != VSTOR_OP_COMPLETE_IO)
		return -EBADMSG;
	if (srb->length != hv_vstor_srb_len(version))
		return -EBADMSG;

	out->srb_status = SRB_STATUS(srb->srb_status);
	out->scsi_status = srb->scsi_status;
	/* the host may report less than asked, never more */
	out->transferred = srb->data_transfer_length <= requested ?
		srb->data_transfer_length : requested;
	if ((srb->srb_status & SRB_STATUS_AUTOSENSE_VALID) && srb->scsi_status) {
		out->sense_len = srb->sense_info_length < sense_max ?
			srb->sense_info_length : sense_max;
		out->sense = srb->u.sense;
	}

	if (srb->scsi_status) {
		out->result = HV_VSTOR_CHECK_CONDITION;
		return 0;
	}
	switch (out->srb_status) {
	case SRB_STATUS_SUCCESS:
	case SRB_STATUS_DATA_OVERRUN:	/* short transfer: residual */
		out->result = HV_VSTOR_OK;
		break;
	case SRB_STATUS_INVALID_LUN:
		out->result = HV_VSTOR_INVALID_LUN;
		out->transferred = 0;
		break;
	case SRB_STATUS_ABORTED:
		out->result = HV_VSTOR_ABORTED;
		out->transferred = 0;
		break;
	default:
		out->result = HV_VSTOR_ERROR;
		out->transferred = 0;
		break;
	}
	return 0;
}

u32 hv_vstor_sg_limit(u32 max_bytes)
{
	u32 n = max_bytes / HV_HYP_PAGE_SIZE + 1;

	return n < 2 ? 2 : n;
}

u32 hv_vstor_build_pfns(const struct hv_vstor_seg *segs, u32 nsegs,
			u64 *pfns, u32 max_pfns, u32 *offset, u32 *total)
{
	u32 i, n = 0, npages, k;
	u64 sum = 0;

	if (!nsegs)
		return 0;
	for (i = 0; i < nsegs; i++) {
		const struct hv_vstor_seg *s = &segs[i];

		if (!s->len || s->offset >= HV_HYP_PAGE_SIZE)
			return 0;
		if (i > 0 && s->offset)
			return 0;	/* starts mid-page after the first */
		if (i + 1 < nsegs &&
		    ((s->offset + (u64)s->len) & (HV_HYP_PAGE_SIZE - 1)))
			return 0;	/* ends mid-page before the last */
		npages = (u32)((s->offset + (u64)s->len + HV_HYP_PAGE_SIZE - 1) >>
			       HV_HYP_PAGE_SHIFT);
		if (npages > max_pfns - n)
			return 0;
		for (k = 0; k < npages; k++)
			pfns[n++] = s->pfn + k;
		sum += s->len;
	}
	if (sum > 0xffffffffULL)
		return 0;
	*offset = segs[0].offset;
	*total = (u32)sum;
	return n;
}

void hv_vstor_pfns_init(struct hv_vstor_pfn_list *l, u64 *pfns, u32 max)
{
	memset(l, 0, sizeof(*l));
	l->pfns = pfns;
	l->max = max;
}

int hv_vstor_pfns_add(struct hv_vstor_pfn_list *l, u64 pfn, u32 offset,
		      u32 len)
{
	u64 span;
	u32 first = 0, npages, k;

	if (l->broken || !len || offset >= HV_HYP_PAGE_SIZE ||
	    (u64)l->total + len > 0xffffffffULL)
		goto broken;
	if (l->n == 0) {
		l->offset = offset;
	} else if (l->end) {
		/* the previous segment ended mid-page: only its continuation */
		if (pfn != l->pfns[l->n - 1] || offset != l->end)
			goto broken;
		first = 1;	/* that page is in the list already */
	} else if (offset) {
		goto broken;	/* starts mid-page after a whole page */
	}
	span = ((u64)offset + len + HV_HYP_PAGE_SIZE - 1) >> HV_HYP_PAGE_SHIFT;
	npages = (u32)span - first;
	if (npages > l->max - l->n)
		goto broken;
	for (k = 0; k < npages; k++)
		l->pfns[l->n++] = pfn + first + k;
	l->total += len;
	l->end = (u32)((offset + (u64)len) & (HV_HYP_PAGE_SIZE - 1));
	return 0;

broken:
	l->broken = 1;
	return -EINVAL;
}

static u32 hv_vstor_be32(const u8 *b)
{
	return ((u32)b[0] << 24) | ((u32)b[1] << 16) | ((u32)b[2] << 8) | b[3];
}

int hv_vstor_parse_capacity(const u8 *buf, u32 len, int cdb16,
			    struct hv_vstor_capacity *out)
{
	u64 last;
	u32 bs;

	memset(out, 0, sizeof(*out));
	if (len < (cdb16 ? 12U : 8U))
		return -EBADMSG;
	if (cdb16) {
		last = ((u64)hv_vstor_be32(buf) << 32) | hv_vstor_be32(buf + 4);
		bs = hv_vstor_be32(buf + 8);
		if (len >= 14)
			out->phys_exp = buf[13] & 0x0f;
		if (len >= 15)
			out->lbpme = (buf[14] & 0x80) ? 1 : 0;
	} else {
		last = hv_vstor_be32(buf);
		bs = hv_vstor_be32(buf + 4);
		if (last == 0xffffffffULL)
			return -EOVERFLOW;
	}
	if (bs != 512 && bs != 1024 && bs != 2048 && bs != 4096)
		return -EBADMSG;
	/* last LBA + 1 blocks; the byte size must fit u64 */
	if (last >= (~0ULL >> 12))
		return -EBADMSG;
	out->blocks = last + 1;
	out->block_size = bs;
	return 0;
}

/* VPD page @code with at least @need bytes of page data after the header */
static int hv_vstor_vpd_ok(const u8 *buf, u32 len, u8 code, u32 need)
{
	u32 plen;

	if (len < 4 || buf[1] != code)
		return 0;
	plen = ((u32)buf[2] << 8) | buf[3];
	return plen >= need && len >= 4 + need;
}

int hv_vstor_parse_vpd_b0(const u8 *buf, u32 len, struct hv_vstor_unmap *out)
{
	/* MAXIMUM UNMAP LBA COUNT @20, DESCRIPTOR COUNT @24, GRANULARITY @28 */
	if (!hv_vstor_vpd_ok(buf, len, 0xb0, 28))
		return -EBADMSG;
	out->max_lba = hv_vstor_be32(buf + 20);
	out->max_desc = hv_vstor_be32(buf + 24);
	out->granularity = hv_vstor_be32(buf + 28);
	return 0;
}

int hv_vstor_parse_vpd_b2(const u8 *buf, u32 len, struct hv_vstor_unmap *out)
{
	/* byte 5 bit 7: LBPU (UNMAP supported) */
	if (!hv_vstor_vpd_ok(buf, len, 0xb2, 2))
		return -EBADMSG;
	out->lbpu = (buf[5] & 0x80) ? 1 : 0;
	return 0;
}

u32 hv_vstor_parse_string(const u8 *buf, u32 len, char *out, u32 outlen)
{
	u32 i, n = 0;

	if (!outlen)
		return 0;
	for (i = 0; i < len && n + 1 < outlen; i++) {
		if (!buf[i])
			break;
		out[n++] = (buf[i] >= 0x20 && buf[i] < 0x7f) ? (char)buf[i] : '?';
	}
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	return n;
}

int hv_vstor_parse_vpd_80(const u8 *buf, u32 len, char *out, u32 outlen)
{
	u32 plen;

	if (outlen)
		out[0] = '\0';
	if (len < 4 || buf[1] != 0x80)
		return -EBADMSG;
	plen = ((u32)buf[2] << 8) | buf[3];
	if (plen > len - 4)
		return -EBADMSG;
	/* leading blanks are padding too */
	while (plen && buf[4] == ' ') {
		buf++;
		plen--;
	}
	hv_vstor_parse_string(buf + 4, plen, out, outlen);
	return 0;
}
