/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv_vstor_client.h - code hv_storvsc and hv_blkvsc share as VSTOR
 * clients (linked into both; src/vstor/vstor_client.c).
 *
 * The control-request slot: one VSTOR control request at a time (fact
 * sheet E: BEGIN_INITIALIZATION .. END_INITIALIZATION, QUERY_*, resets).
 * The driver owns the send (its channel, its send gate); the slot keeps
 * the request's generation, the wait and the answer, and refuses answers
 * that are not for the request now waiting.
 *
 * A control request's trans_id is (generation << 32) | tag, where tag is
 * the driver's value that no I/O request uses (HV_*_CTL_TAG).
 */
#ifndef HV_VSTOR_CLIENT_H
#define HV_VSTOR_CLIENT_H

#include <linux/completion.h>
#include <linux/spinlock.h>
#include "hv_vstor.h"

/*
 * Receive buffer for one host packet on a VSTOR channel (hv_channel_read()):
 * the 16-byte descriptor and one vstor_packet (VSTOR_PKT_SIZE, 64 bytes),
 * with room for a host that pads. A longer packet is dropped and counted.
 */
#define HV_VSTOR_RX_MAX		256

struct hv_vstor_ctl {
	spinlock_t lock;		/* everything below */
	struct completion done;
	u32 gen;			/* generation of the request now or last sent */
	int busy, got, cancel;
	u32 len;			/* bytes of @resp the host sent */
	struct vstor_packet resp;
};

void hv_vstor_ctl_init(struct hv_vstor_ctl *c);
int hv_vstor_ctl_begin(struct hv_vstor_ctl *c, u32 tag, u64 *trans);
int hv_vstor_ctl_end(struct hv_vstor_ctl *c, int sent, unsigned long deadline,
		     struct vstor_packet *pkt, u32 *len);
int hv_vstor_ctl_complete(struct hv_vstor_ctl *c, u32 gen,
			  const struct vstor_packet *vp, u32 len);
void hv_vstor_ctl_cancel(struct hv_vstor_ctl *c);

int hv_vstor_param(const char *mod, const char *name, int val, int lo,
		   int hi);

void *hv_vstor_zalloc(size_t size);
void hv_vstor_zfree(void *p, size_t size);

#endif /* HV_VSTOR_CLIENT_H */
