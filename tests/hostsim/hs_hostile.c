// SPDX-License-Identifier: GPL-2.0
/*
 * hs_hostile.c - the hostile host: with hostile_seed set, the completions
 * the host writes on one device's channels (hostile_target: a primary
 * relid; its sub-channels too) are, at hostile_rate per mille, corrupted
 * or accompanied by corrupt packets, and VMBus channel messages that are
 * wrong in one field go to the guest beside them. Everything is plausible
 * in length: the guest must check fields, not only sizes.
 *
 * Reproducible from the seed: the n-th completion of a channel while the
 * mode is on (rate > 0 and the channel a target) gets the mutation
 * hs_h_mix(seed, relid, n) picks, whatever else happens meanwhile; each
 * mutation is logged with seed, relid, n and class (the first
 * HS_H_LOG_MAX of them; debugfs "hostile" counts all).
 *
 * What the guest may do: log, drop, fail the request, reset or remove the
 * device. What it may not: oops, hang, leak, or touch another device.
 * See tests/hostsim/README.md ("The hostile host").
 */
#include <linux/moduleparam.h>
#include <linux/seq_file.h>
#include <linux/delay.h>
#include "hs_vstor.h"

#define HS_H_LOG_MAX	400	/* mutations logged one by one */
#define HS_H_FAR_RELID	1536	/* bogus relids from here (host uses < 1024) */
#define HS_H_BIG	16512	/* oversized: past hv_looptest's 16448 */

static const char *const hs_h_names[HS_H_COUNT] = {
	"bogus_id", "stale_id", "short", "long", "oversized", "sense",
	"xfer", "unsolicited", "bad_type", "bad_desc", "rewrite", "chmsg",
};

/*
 * Default: what today's guest survives (see README). bad_desc and rewrite
 * break the channel on purpose (vmbus_channel_broken()): until the
 * drivers reset or remove a device whose channel stopped, its I/O waits
 * for the SCSI timeout and the disk goes offline.
 */
#define HS_H_DEFAULT	(BIT(HS_H_BOGUS_ID) | BIT(HS_H_STALE_ID) |	\
			 BIT(HS_H_SHORT) | BIT(HS_H_LONG) |		\
			 BIT(HS_H_OVERSIZED) | BIT(HS_H_SENSE) |	\
			 BIT(HS_H_XFER) | BIT(HS_H_UNSOLICITED) |	\
			 BIT(HS_H_BAD_TYPE) | BIT(HS_H_CHMSG))

static unsigned long long hostile_seed;
module_param(hostile_seed, ullong, 0444);
MODULE_PARM_DESC(hostile_seed, "hostile host: seed of the mutation schedule; 0 = mode off (default 0)");

static unsigned int hostile_rate;
module_param(hostile_rate, uint, 0644);
MODULE_PARM_DESC(hostile_rate, "hostile host: completions mutated, per mille 0-1000 (default 0: none yet)");

static unsigned int hostile_target;
module_param(hostile_target, uint, 0644);
MODULE_PARM_DESC(hostile_target, "hostile host: relid of the primary channel under attack, with its sub-channels (0: none)");

static unsigned long hs_h_mask = HS_H_DEFAULT;

static int hs_h_classes_set(const char *val, const struct kernel_param *kp)
{
	char buf[160], *p, *w;
	unsigned long mask = 0;
	unsigned int i;

	if (strscpy(buf, val, sizeof(buf)) < 0)
		return -EINVAL;
	p = strim(buf);
	while ((w = strsep(&p, ",")) != NULL) {
		w = strim(w);
		if (!*w)
			continue;
		if (!strcmp(w, "default")) {
			mask |= HS_H_DEFAULT;
			continue;
		}
		if (!strcmp(w, "all")) {
			mask |= BIT(HS_H_COUNT) - 1;
			continue;
		}
		if (!strcmp(w, "none"))
			continue;
		for (i = 0; i < HS_H_COUNT; i++)
			if (!strcmp(w, hs_h_names[i]))
				break;
		if (i == HS_H_COUNT) {
			pr_err(HS_MOD ": hostile_classes: unknown class '%s'\n", w);
			return -EINVAL;
		}
		mask |= BIT(i);
	}
	WRITE_ONCE(hs_h_mask, mask);
	return 0;
}

static int hs_h_classes_get(char *buf, const struct kernel_param *kp)
{
	unsigned long mask = READ_ONCE(hs_h_mask);
	unsigned int i;
	int n = 0;

	for (i = 0; i < HS_H_COUNT; i++)
		if (mask & BIT(i))
			n += scnprintf(buf + n, PAGE_SIZE - n, "%s%s",
				       n ? "," : "", hs_h_names[i]);
	n += scnprintf(buf + n, PAGE_SIZE - n, "\n");
	return n;
}

static const struct kernel_param_ops hs_h_classes_ops = {
	.set = hs_h_classes_set,
	.get = hs_h_classes_get,
};
module_param_cb(hostile_classes, &hs_h_classes_ops, NULL, 0644);
MODULE_PARM_DESC(hostile_classes, "hostile host: comma-separated classes (bogus_id stale_id short long oversized sense xfer unsolicited bad_type bad_desc rewrite chmsg), or default, all, none");

static atomic64_t hs_h_count[HS_H_COUNT];
static atomic64_t hs_h_events;		/* completions looked at */
static atomic64_t hs_h_nospace;		/* mutations skipped: ring too full */
static atomic_t hs_h_logged;

/* splitmix64 finaliser: a fixed, well-mixed function of its input */
static u64 hs_h_mix(u64 x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static int hs_h_targets(const struct hs_chan *ch)
{
	u32 t = READ_ONCE(hostile_target);

	return t && (ch->relid == t || (ch->primary && ch->primary->relid == t));
}

static void hs_h_log(const struct hs_chan *ch, u64 n, unsigned int cls,
		     const char *what, u64 a, u64 b)
{
	atomic64_inc(&hs_h_count[cls]);
	if (atomic_inc_return(&hs_h_logged) > HS_H_LOG_MAX)
		return;
	pr_info(HS_MOD ": hostile seed=%llu relid %u event %llu: %s: %s (%#llx, %llu)\n",
		hostile_seed, ch->relid, (unsigned long long)n, hs_h_names[cls],
		what, (unsigned long long)a, (unsigned long long)b);
}

/* Write one packet with the descriptor as given (len8 sets its extent). */
static int hs_h_raw(struct hs_chan *ch, const struct vmbus_pkt_desc *d,
		    const void *p, u32 l, int *sig)
{
	struct hv_ring_sg sg[2];
	unsigned int n = 1;

	sg[0].buf = d;
	sg[0].len = sizeof(*d);
	if (l) {
		sg[1].buf = p;
		sg[1].len = l;
		n = 2;
	}
	return hv_ring_write(&ch->out, sg, n, sig);
}

/* Room for @extra bytes of packets beside the reply already accounted. */
static int hs_h_room(struct hs_chan *ch, u32 extra, u32 reply)
{
	if (hv_ring_bytes_free(&ch->out) > extra + reply + 64)
		return 1;
	atomic64_inc(&hs_h_nospace);
	return 0;
}

/* An extra packet: @type, @trans_id, @plen bytes of @p (zero padded). */
static void hs_h_extra(struct hs_chan *ch, u16 type, u16 offset8, u64 trans_id,
		       const void *p, u32 plen, u32 reply)
{
	struct vmbus_pkt_desc d;
	int sig = 0;

	memset(&d, 0, sizeof(d));
	d.type = type;
	d.offset8 = offset8 ? offset8 : sizeof(d) / 8;
	d.len8 = (u16)(HV_PKT_ALIGN8(sizeof(d) + plen) / 8);
	d.trans_id = trans_id;
	if (!hs_h_room(ch, HV_PKT_TOTAL(sizeof(d) + plen), reply))
		return;
	if (!hs_h_raw(ch, &d, p, plen, &sig) && sig)
		ch->sig_owed = 1;
}

/* ---- channel messages ------------------------------------------------------ */

/* Unused relid from the far end of the valid range (none of the host's). */
static u32 hs_h_far_relid(u64 x)
{
	u32 lim = hv_relid_limit(READ_ONCE(hs.version));

	return HS_H_FAR_RELID + (u32)(x % (lim - HS_H_FAR_RELID));
}

/*
 * One channel message wrong in one field: each variant names something
 * that does not exist, answers something never asked, or has a size its
 * type does not allow. None names a relid of another device in a way
 * that could remove or change it.
 */
static void hs_h_chmsg(struct hs_chan *ch, u64 n, u64 x)
{
	struct hs_chan *pri = ch->primary ? ch->primary : ch;
	u64 bufq[HV_MESSAGE_PAYLOAD_MAX / 8];
	u8 *buf = (u8 *)bufq;
	struct vmbus_chmsg_offer *o = (void *)buf;
	struct vmbus_chmsg_hdr *h = (void *)buf;
	u32 *w = (u32 *)buf;
	u32 v = READ_ONCE(hs.version), size, relid;
	unsigned int var = (unsigned int)(x % 11);
	const char *what;

	memset(bufq, 0, sizeof(bufq));
	x = hs_h_mix(x);
	size = v >= VMBUS_VERSION_WIN7 ? VMBUS_OFFER_SIZE : VMBUS_OFFER_SIZE_V0_13;
	switch (var) {
	case 0:		/* the target's offer again, same relid */
	case 1:		/* the target's instance under an unused relid */
	case 2:		/* an offer with relid 0 or past the version's limit */
	case 3:		/* monitor id past 127 */
		o->hdr.msgtype = CHMSG_OFFERCHANNEL;
		if (hv_guid_parse(pri->type->guid, &o->if_type))
			return;
		o->if_instance = pri->instance;
		o->chn_flags = VMBUS_CHAN_GPADLS;
		o->child_relid = pri->relid;
		if (pri->monitored) {
			o->monitorid = pri->monitorid;
			o->monitor_allocated = 1;
		}
		o->connection_id = pri->conn_id;
		if (var == 0) {
			what = "OFFERCHANNEL: duplicate of the target's offer";
		} else if (var == 1) {
			o->child_relid = hs_h_far_relid(x);
			what = "OFFERCHANNEL: target's instance under a new relid";
		} else if (var == 2) {
			o->child_relid = (x & 1) ? 0 :
				hv_relid_limit(v) + (u32)(x >> 1) % 4096;
			/* a new instance: only the relid is wrong */
			o->if_instance.b[15] ^= 0x5a;
			what = "OFFERCHANNEL: relid 0 or past the limit";
		} else {
			o->child_relid = hs_h_far_relid(x);
			o->if_instance.b[14] ^= 0xa5;
			o->monitorid = 128 + (u8)(x % 128);
			o->monitor_allocated = 1;
			what = "OFFERCHANNEL: monitor id past 127";
		}
		relid = o->child_relid;
		break;
	case 4:		/* rescind of a relid never offered, or out of range */
		h->msgtype = CHMSG_RESCIND_CHANNELOFFER;
		relid = (x & 1) ? hs_h_far_relid(x >> 1) : 0xffffffffU - (u32)(x % 7);
		w[2] = relid;
		size = sizeof(struct vmbus_chmsg_relid);
		what = "RESCIND_CHANNELOFFER: unknown relid";
		break;
	case 5:		/* an answer to an OPENCHANNEL never sent now */
		h->msgtype = CHMSG_OPENCHANNEL_RESULT;
		relid = (x & 1) ? ch->relid : hs_h_far_relid(x >> 1);
		w[2] = relid;
		w[3] = (u32)(x >> 8);		/* openid */
		w[4] = (x & 2) ? 0 : HS_STATUS_FAIL;
		size = sizeof(struct vmbus_chmsg_open_result);
		what = "OPENCHANNEL_RESULT: nothing pending";
		break;
	case 6:		/* GPADL_CREATED / TORNDOWN for a handle never used */
		relid = ch->relid;
		if (x & 1) {
			h->msgtype = CHMSG_GPADL_CREATED;
			w[2] = relid;
			w[3] = 0x7f000000U | (u32)(x >> 8 & 0xffffff);
			w[4] = 0;
			size = sizeof(struct vmbus_chmsg_gpadl_created);
			what = "GPADL_CREATED: unknown handle";
		} else {
			h->msgtype = CHMSG_GPADL_TORNDOWN;
			w[2] = 0x7f000000U | (u32)(x >> 8 & 0xffffff);
			size = sizeof(struct vmbus_chmsg_gpadl_torndown);
			what = "GPADL_TORNDOWN: unknown handle";
		}
		break;
	case 7:		/* VERSION_RESPONSE with nothing asked */
		h->msgtype = CHMSG_VERSION_RESPONSE;
		buf[8] = 1;
		relid = 0;
		size = 24;
		what = "VERSION_RESPONSE: nothing asked";
		break;
	case 8:		/* a known type, shorter than its layout */
		relid = 0;
		switch (x % 4) {
		case 0:
			h->msgtype = CHMSG_OFFERCHANNEL;
			size = VMBUS_OFFER_SIZE_V0_13 - 8 - (u32)(x >> 2) % 64;
			break;
		case 1:
			h->msgtype = CHMSG_OPENCHANNEL_RESULT;
			size = 12;
			break;
		case 2:
			h->msgtype = CHMSG_GPADL_CREATED;
			size = 16;
			break;
		default:
			h->msgtype = CHMSG_RESCIND_CHANNELOFFER;
			size = 8;
			break;
		}
		if (size >= 12)
			w[2] = ch->relid;
		what = "short message";
		break;
	case 9:		/* a message padded to 240 bytes */
		h->msgtype = CHMSG_RESCIND_CHANNELOFFER;
		relid = hs_h_far_relid(x);
		w[2] = relid;
		memset(buf + 12, 0xa5, sizeof(bufq) - 12);
		size = HV_MESSAGE_PAYLOAD_MAX;
		what = "oversized RESCIND_CHANNELOFFER of an unknown relid";
		break;
	default:	/* a type a host does not send */
		h->msgtype = 0x40 + (u32)(x % 0x40);
		relid = ch->relid;
		w[2] = relid;
		size = 16 + 8 * (u32)((x >> 8) % 20);
		what = "unknown message type";
		break;
	}
	hs_h_log(ch, n, HS_H_CHMSG, what, h->msgtype, relid);
	hs_send_msg(buf, size);
}

/* ---- packets ---------------------------------------------------------------- */

/* Classes that make sense for a packet of this channel. */
static unsigned long hs_h_applicable(const struct hs_chan *ch, u16 type,
				     u32 len)
{
	unsigned long m = BIT(HS_H_COUNT) - 1;

	if (type != VMBUS_PKT_COMP)
		return 0;
	if (ch->type->be != HS_BE_VSTOR || len < 12 + 16)
		m &= ~(BIT(HS_H_SENSE) | BIT(HS_H_XFER));
	if (len <= 4)
		m &= ~BIT(HS_H_SHORT);
	return m;
}

/* A VSTOR completion with its sense and status made to overrun. */
static void hs_h_sense(struct vstor_packet *vp, u64 x)
{
	struct vmscsi_request *srb = &vp->u.srb;

	srb->scsi_status = 0x02;	/* CHECK CONDITION */
	srb->srb_status = SRB_STATUS_ERROR | SRB_STATUS_AUTOSENSE_VALID;
	memset(srb->u.sense, 0, sizeof(srb->u.sense));
	srb->u.sense[0] = 0x70;
	srb->u.sense[2] = 0x06;		/* UNIT ATTENTION: retried */
	srb->u.sense[7] = 0xff;		/* additional length past the buffer */
	srb->u.sense[12] = 0x29;
	srb->sense_info_length = (x & 1) ? 0xff : VSTOR_SENSE_SIZE + 1 +
		(u8)(x % 200);
	srb->data_transfer_length = 0;
}

/* Apply class @cls to the packet (@mut: a copy of @p with 256 spare bytes). */
static int hs_h_apply(struct hs_chan *ch, unsigned int cls, u64 n, u64 y,
		      u64 prev, u16 type, u64 trans_id, const void *p, u8 *mut,
		      u32 len, u32 reply)
{
	struct vmbus_pkt_desc d;
	u32 w0, plen;
	u64 x;
	int sig = 0;

	switch (cls) {
	case HS_H_BOGUS_ID:
		/* never sent: the top bit no guest generation reaches */
		x = y | (1ULL << 63);
		hs_h_log(ch, n, cls, "extra completion, trans_id never sent", x, len);
		hs_h_extra(ch, VMBUS_PKT_COMP, 0, x, p, len, reply);
		return 0;
	case HS_H_STALE_ID:
		if (!prev)
			return 0;
		hs_h_log(ch, n, cls, "extra completion of an earlier trans_id", prev, len);
		hs_h_extra(ch, VMBUS_PKT_COMP, 0, prev, p, len, reply);
		return 0;
	case HS_H_SHORT:
		plen = 4 + 8 * (u32)(y % ((len - 1) / 8 + 1));
		if (plen >= len)
			plen = len - 4;
		hs_h_log(ch, n, cls, "completion cut short (bytes, of)", plen, len);
		memset(&d, 0, sizeof(d));
		d.type = type;
		d.offset8 = sizeof(d) / 8;
		d.len8 = (u16)(HV_PKT_ALIGN8(sizeof(d) + plen) / 8);
		d.trans_id = trans_id;
		if (!hs_h_raw(ch, &d, mut, plen, &sig) && sig)
			ch->sig_owed = 1;
		return 1;
	case HS_H_LONG:
		plen = len + 8 + 8 * (u32)(y % 24);
		memset(mut + len, 0x5a, plen - len);
		hs_h_log(ch, n, cls, "extra copy, longer (bytes)", trans_id, plen);
		hs_h_extra(ch, type, 0, trans_id, mut, plen, reply);
		return 0;
	case HS_H_OVERSIZED: {
		/* past every guest receive buffer of the bench (256, 16448) */
		u8 *big;

		plen = max_t(u32, len + 64, HS_H_BIG) + 8 * (u32)(y % 16);
		big = kmalloc(plen, GFP_KERNEL);
		if (!big)
			return 0;
		memcpy(big, p, len);
		memset(big + len, 0xc3, plen - len);
		hs_h_log(ch, n, cls, "extra copy, oversized (bytes)", trans_id, plen);
		hs_h_extra(ch, type, 0, trans_id, big, plen, reply);
		kfree(big);
		return 0;
	}
	case HS_H_SENSE:
		hs_h_sense((struct vstor_packet *)mut, y);
		hs_h_log(ch, n, cls, "CHECK CONDITION, sense_info_length past the buffer",
			 trans_id, ((struct vstor_packet *)mut)->u.srb.sense_info_length);
		break;
	case HS_H_XFER: {
		struct vmscsi_request *srb = &((struct vstor_packet *)mut)->u.srb;

		srb->data_transfer_length = (y & 1) ? 0xffffffffU :
			srb->data_transfer_length + 512 + (u32)(y % (1U << 20));
		hs_h_log(ch, n, cls, "data_transfer_length past the buffer",
			 trans_id, srb->data_transfer_length);
		break;
	}
	case HS_H_UNSOLICITED:
		/* in-band, no completion: an operation no host sends */
		((u32 *)mut)[0] = (y & 1) ? 0 : 0x100 + (u32)(y % 0x100);
		hs_h_log(ch, n, cls, "in-band packet, operation", ((u32 *)mut)[0], len);
		hs_h_extra(ch, VMBUS_PKT_DATA_INBAND, 0, (y & 2) ? 0 : y, mut,
			   len, reply);
		return 0;
	case HS_H_BAD_TYPE:
		x = 0x0c + y % 0x30;	/* not a type of C.2 */
		hs_h_log(ch, n, cls, "extra packet of unknown type", x, len);
		hs_h_extra(ch, (u16)x, 0, trans_id, p, len, reply);
		return 0;
	case HS_H_BAD_DESC:
		/* offset8 outside 2..len8 */
		x = (y & 1) ? 1 : HV_PKT_ALIGN8(sizeof(d) + len) / 8 + 1 + y % 8;
		hs_h_log(ch, n, cls, "extra packet, offset8 outside 2..len8", x, len);
		hs_h_extra(ch, type, (u16)x, trans_id, p, len, reply);
		return 0;
	case HS_H_REWRITE:
		/* publish, signal, then change the header in the ring */
		w0 = READ_ONCE(ch->out.hdr->write_index);
		memset(&d, 0, sizeof(d));
		d.type = type;
		d.offset8 = sizeof(d) / 8;
		d.len8 = (u16)(HV_PKT_ALIGN8(sizeof(d) + len) / 8);
		d.trans_id = trans_id;
		if (hs_h_raw(ch, &d, p, len, &sig))
			return 1;
		hs_signal_guest(ch);
		udelay((unsigned long)(y % 20));
		switch ((y >> 8) % 3) {
		case 0:
			d.len8 += 1 + (u16)((y >> 16) % 4);
			break;
		case 1:
			d.offset8 = 0;
			break;
		default:
			d.trans_id = y | (1ULL << 63);
			break;
		}
		memcpy(ch->out.data + w0, &d, sizeof(d));
		hs_h_log(ch, n, cls, "header rewritten after publication (len8, offset8)",
			 d.len8, d.offset8);
		return 1;
	case HS_H_CHMSG:
		hs_h_chmsg(ch, n, y);
		return 0;
	default:
		return 0;
	}
	/* the genuine packet, changed in place */
	memset(&d, 0, sizeof(d));
	d.type = type;
	d.offset8 = sizeof(d) / 8;
	d.len8 = (u16)(HV_PKT_ALIGN8(sizeof(d) + len) / 8);
	d.trans_id = trans_id;
	if (!hs_h_raw(ch, &d, mut, len, &sig) && sig)
		ch->sig_owed = 1;
	return 1;
}


/**
 * hs_hostile_write() - the hostile host's turn at a packet the host is
 * about to write into the guest's receive ring.
 * @ch: the channel (its io_work; single writer)
 * @type: the packet's type
 * @trans_id: its transaction id
 * @p: payload (one piece: the caller joined them)
 * @len: payload bytes
 *
 * Context: the channel's io_work. Return: 1 when the genuine packet was
 * written here (changed or not), 0 when the caller writes it as usual.
 */
int hs_hostile_write(struct hs_chan *ch, u16 type, u64 trans_id,
		     const void *p, u32 len)
{
	unsigned int rate = READ_ONCE(hostile_rate), cls, nok, i;
	unsigned long ok;
	u32 reply = HV_PKT_TOTAL(sizeof(struct vmbus_pkt_desc) + len);
	u64 n, x, y, prev;
	u8 *mut;
	int ret;

	if (!hostile_seed || !rate || !hs_h_targets(ch) || !trans_id)
		return 0;
	ok = hs_h_applicable(ch, type, len) & READ_ONCE(hs_h_mask);
	if (!ok)
		return 0;
	n = ch->h_events++;
	atomic64_inc(&hs_h_events);
	prev = ch->h_last_tid;
	ch->h_last_tid = trans_id;
	x = hs_h_mix(hostile_seed ^ ((u64)ch->relid << 48) ^ n);
	if (x % 1000 >= min(rate, 1000U))
		return 0;
	y = hs_h_mix(x);
	nok = hweight_long(ok);
	cls = 0;
	for (i = (unsigned int)((x >> 10) % nok); ; cls++)
		if ((ok & BIT(cls)) && i-- == 0)
			break;
	/* room for the longer copies; io_work may sleep */
	mut = kmalloc(max_t(u32, len, sizeof(struct vstor_packet)) + 256,
		      GFP_KERNEL);
	if (!mut)
		return 0;
	memcpy(mut, p, len);
	ret = hs_h_apply(ch, cls, n, y, prev, type, trans_id, p, mut, len, reply);
	kfree(mut);
	return ret;
}

/**
 * hs_hostile_init() - check the mode's parameters at module load.
 *
 * Return: 0 or -EINVAL.
 */
int hs_hostile_init(void)
{
	if (hostile_rate > 1000) {
		pr_err(HS_MOD ": hostile_rate is per mille, 0-1000\n");
		return -EINVAL;
	}
	if (hostile_seed)
		pr_info(HS_MOD ": hostile host armed: seed=%llu rate=%u target=%u classes mask %#lx\n",
			hostile_seed, hostile_rate, hostile_target, hs_h_mask);
	return 0;
}

/**
 * hs_hostile_show() - the debugfs "hostile" file: seed, rate, target,
 * classes enabled, completions looked at, mutations per class.
 * @s: the seq_file
 * @unused: -
 *
 * Return: 0.
 */
int hs_hostile_show(struct seq_file *s, void *unused)
{
	unsigned int i;
	u64 total = 0;

	seq_printf(s, "seed %llu\nrate %u\ntarget %u\n", hostile_seed,
		   READ_ONCE(hostile_rate), READ_ONCE(hostile_target));
	seq_printf(s, "events %lld\nnospace %lld\n",
		   (long long)atomic64_read(&hs_h_events),
		   (long long)atomic64_read(&hs_h_nospace));
	for (i = 0; i < HS_H_COUNT; i++) {
		total += atomic64_read(&hs_h_count[i]);
		seq_printf(s, "%s %lld %s\n", hs_h_names[i],
			   (long long)atomic64_read(&hs_h_count[i]),
			   READ_ONCE(hs_h_mask) & BIT(i) ? "on" : "off");
	}
	seq_printf(s, "mutations %llu\n", (unsigned long long)total);
	return 0;
}
