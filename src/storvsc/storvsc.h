/* SPDX-License-Identifier: GPL-2.0 */
/*
 * storvsc.h - internals of hv_storvsc.ko, the synthetic SCSI (and Fibre
 * Channel, and with ide=1 IDE) host of Hyper-V (fact sheet section E),
 * shared by its files:
 *   storvsc_drv.c  module, VMBus driver, probe/remove, VSTOR negotiation,
 *                  control requests, sub-channels, host template
 *   storvsc_io.c   request slots, queuecommand, data transfer (GPA-direct
 *                  or bounce), completions, unsolicited host messages
 *   storvsc_eh.c   error handling, device hooks, LUN hot plug
 *
 * Request naming: every request in flight owns a slot of the host's
 * table, tracked by hv_vmbus's request tracker (struct hv_rqt, hv_rqt.h):
 * its VMBus trans_id is (generation << 32) | (slot index + 1); control
 * requests (initialisation, resets) use the tag HV_SV_CTL_TAG with their
 * own generation. A completion is accepted only when its id names a slot
 * in flight in the same generation; anything else is counted and dropped,
 * never dereferenced.
 */
#ifndef HV_STORVSC_H
#define HV_STORVSC_H

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include "hv_vmbus.h"
#include "hv_vstor.h"
#include "hv_vstor_client.h"
#include "../compat/compat_scsi.h"

#define HV_SV_NAME		KBUILD_MODNAME	/* hv_storvsc, or hvl_storvsc */

#define HV_SV_MAX_SUBCH		63	/* sub-channels used per host */
#define HV_SV_MAX_SLOTS		2048	/* requests in flight per host, all queues */
#define HV_SV_MAX_EXTEND	2	/* timer extensions while the host progresses */
#define HV_SV_CTL_TAG		0xffffffffU	/* trans_id tag of control requests */
#define HV_SV_INIT_TIMEOUT_MS	10000	/* each initialisation step */
#define HV_SV_SUBCH_WAIT_MS	5000	/* for sub-channel offers at probe */
#define HV_SV_RESET_TIMEOUT_MS	10000	/* RESET_LUN / RESET_BUS */
#define HV_SV_TUR_TIMEOUT	(10 * HZ)	/* hot-plug TEST UNIT READY */
#define HV_SV_USERDATA_LEN	24	/* OPENCHANNEL user data, zero (E) */

/* Addressing (E): SCSI 2 targets x 255 LUNs; FC as upstream; IDE 1 disk */
#define HV_SV_SCSI_MAX_TARGETS	2
#define HV_SV_SCSI_MAX_LUNS	255
#define HV_SV_FC_MAX_TARGETS	128
#define HV_SV_FC_MAX_LUNS	255

enum hv_sv_type {
	HV_SV_SCSI = 0,
	HV_SV_FC = 1,
	HV_SV_IDE = 2,
};

enum hv_sv_state {
	HV_SV_INIT = 0,		/* probe: negotiating, no midlayer I/O */
	HV_SV_RUNNING,		/* I/O flows */
	HV_SV_GONE,		/* rescinded/removed: new I/O fails at once */
	HV_SV_DEAD,		/* nothing is sent any more; channel closing */
};

struct hv_sv_host;

/* One open channel: the primary (chans[0]) or a sub-channel. */
struct hv_sv_chan {
	struct hv_sv_host *host;
	struct hv_channel *ch;
	unsigned int cpu;	/* the channel's target CPU */
	int open;
};

/*
 * A request: slot i is entry i of hv_sv_host.rqt, whose state says who
 * owns it (HV_RQT_BUSY: sent, the host's; HV_RQT_HELD: being completed,
 * failed or given up). Fields change under hv_sv_host.rqt.lock.
 */
struct hv_sv_slot {
	struct scsi_cmnd *cmd;
	struct page **bounce;	/* bounce pages, or NULL */
	u32 nbounce;
	u32 requested;		/* data_transfer_length sent */
	u8 data_in;		/* VSTOR_READ/WRITE/UNKNOWN_TYPE */
	u8 extends;		/* eh_timed_out extensions granted */
	u8 expired;		/* timed out: error handling owns cmd */
	u8 eh_cmd;		/* sent by error handling (TUR etc.) */
	unsigned long progress;	/* hv_sv_host.n_done when (re)armed */
};

/* Per-CPU scratch for building a request's PFN list (interrupts off). */
struct hv_sv_scratch {
	struct hv_vstor_seg *segs;	/* max_pfns entries */
	u64 *pfns;			/* max_pfns entries */
};

/* scsi_device.hostdata */
struct hv_sv_lun {
	unsigned long flags;
};
#define HV_SV_LUN_CONFIGURED	0	/* added by the midlayer */
#define HV_SV_LUN_GONE		1	/* answered INVALID_LUN: remove it */

/* hv_sv_host.work_flags */
#define HV_SV_WORK_SCAN		0	/* ENUMERATE_BUS / REMOVE_DEVICE */
#define HV_SV_WORK_REMOVE	1	/* a LUN answered INVALID_LUN */

struct hv_sv_stats {
	atomic_t stale;		/* completions of unknown/stale trans_ids */
	atomic_t bad;		/* malformed completions/messages */
	atomic_t unsolicited;	/* ENUMERATE_BUS, REMOVE_DEVICE, FCHBA_DATA */
	atomic_t bounced;	/* requests sent through bounce pages */
	atomic_t busy;		/* queuecommand refused: ring/slots full */
	atomic_t resets;	/* RESET_LUN / RESET_BUS sent */
	atomic_t abandoned;	/* requests given up (reset, removal) */
	atomic_t extended;	/* timeouts extended for a slow host */
};

/* Lives in the Scsi_Host's hostdata. */
struct hv_sv_host {
	struct Scsi_Host *shost;
	struct hv_device *hdev;
	struct list_head node;		/* hv_sv_hosts, under its mutex */
	int type;			/* enum hv_sv_type */
	atomic_t state;			/* enum hv_sv_state */
	atomic_t senders;		/* inside hv_sv_send_begin/end */
	atomic_t stopping;		/* no more hot-plug work, sub-channels */

	/* negotiated (E) */
	u16 version;			/* VSTOR protocol, 0 before */
	u32 pkt_size;			/* vstor_packet bytes on the wire */
	u32 max_xfer;			/* bytes per request */
	u32 max_pfns;			/* PFNs (SG entries) per request */
	u16 max_channel_cnt;		/* QUERY_PROPERTIES */
	u32 prop_flags;
	u8 ide_path, ide_target;	/* IDE: from the instance GUID */
	u64 node_name, port_name;	/* FC: primary WWNs */

	/* channels */
	u32 ring_bytes;
	struct hv_sv_chan chans[1 + HV_SV_MAX_SUBCH];	/* [0]: primary */
	unsigned int nsub;		/* sub-channels opened */
	unsigned int want_sub;		/* sub-channels asked for */
	wait_queue_head_t sub_wq;	/* woken when one opens */
	atomic_long_t *cpu_chan;	/* hv_sv_chan * by CPU; 0: primary */
	spinlock_t route_lock;		/* writers of cpu_chan */
	unsigned int ncpu;		/* entries of cpu_chan and scratch */

	/* requests */
	struct hv_rqt rqt;		/* trans_id <-> slot; its lock guards slots */
	struct hv_sv_slot *slots;
	u32 nslots;			/* depth * nhwq */
	u32 depth;			/* can_queue: tags per hardware queue */
	u32 nhwq;			/* blk-mq hardware queues (1 before) */
	unsigned long n_done;		/* completions accepted */
	struct hv_sv_scratch *scratch;	/* ncpu entries */
	u32 scratch_bytes;		/* bytes of each CPU's buffer */

	/* control requests (initialisation, resets); ctl_mutex serialises */
	struct mutex ctl_mutex;
	struct hv_vstor_ctl ctl;

	/* hot plug */
	struct workqueue_struct *wq;
	char wq_name[24];
	struct work_struct scan_work;
	unsigned long work_flags;

	struct hv_sv_stats stats;
};

static inline int hv_sv_state(struct hv_sv_host *host)
{
	return atomic_read(&host->state);
}

static inline void hv_sv_set_state(struct hv_sv_host *host, int state)
{
	atomic_set(&host->state, state);
	smp_mb();	/* pairs with hv_sv_send_begin() */
}

/*
 * Sections that send on the channels are bracketed by these, so that
 * teardown can stop all senders before it closes the channels: it sets
 * HV_SV_DEAD and waits for hv_sv_host.senders to drain.
 * hv_sv_send_begin() returns 0 (and does not enter) unless the host is
 * RUNNING, or also INIT when @running_only is 0.
 */
static inline void hv_sv_send_end(struct hv_sv_host *host)
{
	smp_mb();	/* our sends are done before we stop counting */
	atomic_dec(&host->senders);
}

static inline int hv_sv_send_begin(struct hv_sv_host *host, int running_only)
{
	int st;

	atomic_inc(&host->senders);
	smp_mb();	/* count us before reading the state (set_state pairs) */
	st = hv_sv_state(host);
	if (st == HV_SV_RUNNING || (!running_only && st == HV_SV_INIT))
		return 1;
	hv_sv_send_end(host);
	return 0;
}

/* storvsc_drv.c */
int hv_sv_ctl_exec(struct hv_sv_host *host, struct vstor_packet *pkt,
		   unsigned int timeout_ms, u32 *len);
void hv_sv_ctl_complete(struct hv_sv_host *host, u32 gen,
			const struct vstor_packet *vp, u32 len);
void hv_sv_fc_wwn_update(struct hv_sv_host *host,
			 const struct vstor_fc_wwn *wwn);

/* storvsc_io.c */
int hv_sv_io_alloc(struct hv_sv_host *host, u32 nslots);
void hv_sv_io_free(struct hv_sv_host *host);
int hv_sv_queue(struct Scsi_Host *shost, struct scsi_cmnd *cmd);
void hv_sv_on_channel(void *ctx);
unsigned int hv_sv_abandon(struct hv_sv_host *host, struct scsi_device *sdev,
			   int host_byte, int host_owned);
int hv_sv_timed_out(struct scsi_cmnd *cmd);
void hv_sv_srb_address(const struct hv_sv_host *host,
		       const struct scsi_device *sdev, u8 *path, u8 *target,
		       u8 *lun);

/* storvsc_eh.c */
int hv_sv_eh_abort(struct scsi_cmnd *cmd);
int hv_sv_eh_device_reset(struct scsi_cmnd *cmd);
int hv_sv_eh_bus_reset(struct scsi_cmnd *cmd);
int hv_sv_eh_host_reset(struct scsi_cmnd *cmd);
int hv_sv_sdev_init(struct scsi_device *sdev);
int hv_sv_sdev_configure(struct scsi_device *sdev);
void hv_sv_sdev_destroy(struct scsi_device *sdev);
int hv_sv_change_queue_depth(struct scsi_device *sdev, int depth);
void hv_sv_queue_work(struct hv_sv_host *host, int what);
void hv_sv_lun_gone(struct hv_sv_host *host, struct scsi_device *sdev);
void hv_sv_scan_work(struct work_struct *work);

#endif /* HV_STORVSC_H */
