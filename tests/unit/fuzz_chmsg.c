// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_chmsg.c - libFuzzer target: channel messages (src/core/chmsg.c).
 *
 * Input: byte 0 picks the negotiated version (bits 0-3, index into
 * hv_vmbus_versions; one past the end means 0, before negotiation) and
 * what is fuzzed (bits 6-7):
 *   0, 1  the rest is a message from SIMP slot 2, its payload_size the
 *         rest's length: hv_chmsg_validate(), hv_chmsg_min_size(), and
 *         for an offer hv_offer_validate();
 *   2     the rest is a GUID string: hv_guid_parse(), hv_guid_fmt();
 *   3     PFN count (u16) and seed (u32): every message of a GPADL,
 *         hv_gpadl_nmsgs(), hv_gpadl_build_msg().
 *
 * Contracts checked: a message is accepted exactly when the fact sheet
 * (B.2 sizes, the host-to-guest types at this version) says it is valid,
 * with the documented error code otherwise; then the fields the guest
 * reads are read from a buffer of exactly the received size (ASan reports
 * a field past it). An accepted offer's relid indexes a bitmap of exactly
 * hv_relid_limit() bits and its monitorid the 4 trigger groups. A parsed
 * GUID is exactly the 36-character form and formats back to itself. The
 * GPADL messages carry every PFN once, in order, within 240 bytes each.
 */
#include "hv_chmsg.h"
#include "fuzz.h"

/* B.2: smallest valid size of a host-to-guest message at @version, or 0 */
static u32 spec_min_size(u32 type, u32 version)
{
	switch (type) {
	case CHMSG_OFFERCHANNEL:
		return version >= VMBUS_VERSION_WIN7 ? 196 : 190;
	case CHMSG_RESCIND_CHANNELOFFER:
	case CHMSG_GPADL_TORNDOWN:
		return 12;
	case CHMSG_ALLOFFERS_DELIVERED:
	case CHMSG_UNLOAD_RESPONSE:
		return 8;
	case CHMSG_OPENCHANNEL_RESULT:
	case CHMSG_GPADL_CREATED:
		return 20;
	case CHMSG_VERSION_RESPONSE:
		return 16;
	case CHMSG_TL_CONNECT_RESULT:
		return version >= VMBUS_VERSION_WIN10_RS3 ? 8 : 0;
	case CHMSG_MODIFYCHANNEL_RESPONSE:
		return version >= VMBUS_VERSION_WIN10_V5_3 ? 16 : 0;
	default:
		return 0;
	}
}

static volatile u32 sink;

/* What the guest reads of each accepted message (connection.c, channel_mgmt.c) */
static void read_fields(const u8 *msg, u32 type)
{
	const struct vmbus_chmsg_relid *rel = (const void *)msg;
	const struct vmbus_chmsg_open_result *open = (const void *)msg;
	const struct vmbus_chmsg_gpadl_created *gc = (const void *)msg;
	const struct vmbus_chmsg_gpadl_torndown *gt = (const void *)msg;
	const struct vmbus_chmsg_version_response *vr = (const void *)msg;
	const struct vmbus_chmsg_modifychannel *mc = (const void *)msg;

	switch (type) {
	case CHMSG_RESCIND_CHANNELOFFER:
		sink += rel->child_relid;
		break;
	case CHMSG_OPENCHANNEL_RESULT:
		sink += open->child_relid + open->openid + open->status;
		break;
	case CHMSG_GPADL_CREATED:
		sink += gc->child_relid + gc->gpadl + gc->creation_status;
		break;
	case CHMSG_GPADL_TORNDOWN:
		sink += gt->gpadl;
		break;
	case CHMSG_VERSION_RESPONSE:
		sink += vr->version_supported + vr->connection_state +
			vr->msg_conn_id;
		break;
	case CHMSG_MODIFYCHANNEL_RESPONSE:
		/* relid @8, status @12 */
		sink += mc->child_relid + mc->target_vp;
		break;
	default:
		sink += ((const struct vmbus_chmsg_hdr *)msg)->padding;
		break;
	}
}

/* The offer as channel_mgmt.c takes it: a zeroed private copy */
static void fuzz_offer(const u8 *msg, u32 size, u32 version)
{
	struct vmbus_chmsg_offer o;
	u32 limit = hv_relid_limit(version);
	int ok, spec_ok;
	u8 *relids;
	u32 *groups;

	FUZZ_CHECK(limit == (version >= VMBUS_VERSION_WIN8 ? 2048 : 16384));
	memset(&o, 0, sizeof(o));
	memcpy(&o, msg, size < sizeof(o) ? size : sizeof(o));
	if (version < VMBUS_VERSION_WIN7) {
		o.is_dedicated_interrupt = 0;
		o.connection_id = 0;
	}
	ok = hv_offer_validate(&o, version);
	spec_ok = o.child_relid != 0 && o.child_relid < limit &&
		  (!(o.monitor_allocated & 1) || o.monitorid < 128) &&
		  (version >= VMBUS_VERSION_WIN8 || o.sub_channel_index == 0);
	FUZZ_CHECK(ok == 0 || ok == -EINVAL);
	FUZZ_CHECK((ok == 0) == spec_ok);
	if (ok)
		return;
	/* the bitmap the relid indexes, and the monitor trigger groups */
	relids = malloc(limit / 8);
	groups = malloc(VMBUS_MONITOR_GROUPS * sizeof(*groups));
	if (relids && groups) {
		memset(relids, 0, limit / 8);
		relids[o.child_relid / 8] |= (u8)(1U << (o.child_relid % 8));
		if (o.monitor_allocated & 1)
			groups[o.monitorid / VMBUS_MONITOR_PER_GROUP] =
				1U << (o.monitorid % VMBUS_MONITOR_PER_GROUP);
	}
	free(relids);
	free(groups);
}

static void fuzz_msg(struct fz *f, u32 version)
{
	u32 size, type = 0, min, spec;
	int ret, want;
	u8 *msg = fz_rest(f, &size);

	if (!msg)
		return;
	if (size >= 4)
		memcpy(&type, msg, 4);
	ret = hv_chmsg_validate(msg, size, version);
	min = hv_chmsg_min_size(type, version);
	spec = spec_min_size(type, version);
	FUZZ_CHECK(min == spec);
	if (size < 8 || size > HV_MESSAGE_PAYLOAD_MAX)
		want = -EMSGSIZE;
	else if (!spec)
		want = -EPROTO;
	else if (size < spec)
		want = -EMSGSIZE;
	else
		want = 0;
	FUZZ_CHECK(ret == want);
	if (ret == 0) {
		read_fields(msg, type);
		if (type == CHMSG_OFFERCHANNEL)
			fuzz_offer(msg, size, version);
	}
	free(msg);
}

static int spec_guid_ok(const char *s, size_t n)
{
	size_t i;

	if (n != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
			     (s[i] >= 'a' && s[i] <= 'f') ||
			     (s[i] >= 'A' && s[i] <= 'F'))) {
			return 0;
		}
	}
	return 1;
}

static void fuzz_guid(struct fz *f)
{
	struct hv_guid g, h;
	char text[37];
	u32 n;
	u8 *s = fz_rest(f, &n);
	char *z = malloc(n + 1);
	int ret;

	if (s && z) {
		memcpy(z, s, n);
		z[n] = '\0';
		memset(&g, 0x5a, sizeof(g));
		ret = hv_guid_parse(z, &g);
		FUZZ_CHECK((ret == 0) == spec_guid_ok(z, strlen(z)));
		if (ret == 0) {
			hv_guid_fmt(&g, text);
			FUZZ_CHECK(strlen(text) == 36);
			FUZZ_CHECK(hv_guid_parse(text, &h) == 0);
			FUZZ_CHECK(memcmp(&g, &h, sizeof(g)) == 0);
		}
	}
	free(s);
	free(z);
}

static void fuzz_gpadl(struct fz *f)
{
	u32 npfn = fz_u16(f) & 0x3fff;
	u32 seed = fz_u32(f);
	u32 nmsgs = hv_gpadl_nmsgs(npfn);
	u32 idx, sz, got = 0, i, n;
	u64 *pfns = malloc((npfn ? npfn : 1) * sizeof(u64));
	u8 *buf = malloc(HV_MESSAGE_PAYLOAD_MAX);
	const struct vmbus_chmsg_gpadl_header *h = (const void *)buf;
	const struct vmbus_chmsg_gpadl_body *b = (const void *)buf;

	if (!pfns || !buf)
		goto out;
	for (i = 0; i < npfn; i++)
		pfns[i] = (u64)seed * 0x9e3779b97f4a7c15ULL + i;
	FUZZ_CHECK((nmsgs == 0) == (npfn == 0 || npfn > 8190));
	for (idx = 0; idx <= nmsgs; idx++) {
		sz = hv_gpadl_build_msg(idx, buf, 7, 9, pfns, npfn);
		if (idx == nmsgs) {
			FUZZ_CHECK(sz == 0);
			break;
		}
		FUZZ_CHECK(sz > 0 && sz <= HV_MESSAGE_PAYLOAD_MAX);
		if (idx == 0) {
			FUZZ_CHECK(h->hdr.msgtype == CHMSG_GPADL_HEADER);
			FUZZ_CHECK(h->range_buflen == 8 + 8 * npfn);
			FUZZ_CHECK(h->rangecount == 1);
			FUZZ_CHECK(h->byte_count == npfn * 4096);
			FUZZ_CHECK(sz >= VMBUS_GPADL_HEADER_FIXED &&
				   (sz - VMBUS_GPADL_HEADER_FIXED) % 8 == 0);
			n = (sz - VMBUS_GPADL_HEADER_FIXED) / 8;
			FUZZ_CHECK(n <= npfn - got);
			FUZZ_CHECK(!memcmp(h->pfn, pfns + got, n * 8));
		} else {
			FUZZ_CHECK(b->hdr.msgtype == CHMSG_GPADL_BODY);
			FUZZ_CHECK(b->msgnumber == idx);
			FUZZ_CHECK(sz >= VMBUS_GPADL_BODY_FIXED &&
				   (sz - VMBUS_GPADL_BODY_FIXED) % 8 == 0);
			n = (sz - VMBUS_GPADL_BODY_FIXED) / 8;
			FUZZ_CHECK(n > 0 && n <= npfn - got);
			FUZZ_CHECK(!memcmp(b->pfn, pfns + got, n * 8));
		}
		got += n;
	}
	FUZZ_CHECK(got == (nmsgs ? npfn : 0));
out:
	free(pfns);
	free(buf);
}

int LLVMFuzzerTestOneInput(const u8 *in, size_t n)
{
	struct fz f;
	u8 sel;
	u32 version, vi;

	if (n < 1)
		return 0;
	f.p = in;
	f.n = n;
	sel = fz_u8(&f);
	vi = (sel & 15) % (hv_vmbus_nversions + 1);
	version = vi < hv_vmbus_nversions ? hv_vmbus_versions[vi] : 0;
	switch (sel >> 6) {
	case 2:
		fuzz_guid(&f);
		break;
	case 3:
		fuzz_gpadl(&f);
		break;
	default:
		fuzz_msg(&f, version);
		break;
	}
	return 0;
}
