/* SPDX-License-Identifier: GPL-2.0 */
/*
 * blkvsc.h - internals of hv_blkvsc.ko, the block driver for disks on
 * Hyper-V's synthetic IDE channel (fact sheet section E: VSTOR on the
 * IDE class GUID, one disk per channel), shared by its files:
 *   blkvsc_drv.c  module, VMBus driver, probe/remove, VSTOR negotiation,
 *                 control requests, naming and device numbers
 *   blkvsc_io.c   request slots, READ/WRITE/SYNCHRONIZE CACHE/UNMAP as
 *                 EXECUTE_SRB, data (GPA-direct or bounce), completions,
 *                 the watchdog (timeouts, resets, retries), commands at
 *                 probe (INQUIRY, VPD, READ CAPACITY)
 *
 * Request naming as in hv_storvsc: every request in flight owns a slot,
 * tracked by hv_vmbus's request tracker (struct hv_rqt, hv_rqt.h); its
 * trans_id is (generation << 32) | (slot index + 1), with a new
 * generation for every send (a resend too); control requests use
 * HV_BV_CTL_TAG. A completion is accepted only when its id names a slot
 * in flight in the same generation; anything else is counted and
 * dropped, never dereferenced.
 */
#ifndef HV_BLKVSC_H
#define HV_BLKVSC_H

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include "hv_vmbus.h"
#include "hv_vstor.h"
#include "hv_vstor_client.h"
#include "../compat/compat_scsi.h"
#include "../compat/compat_blk.h"

#define HV_BV_NAME		KBUILD_MODNAME	/* hv_blkvsc, or hvl_blkvsc */

#define HV_BV_MINORS		64	/* per disk, as the IDE layer: hda1..hda63 */
#define HV_BV_MAX_SLOTS		128	/* requests in flight (one page of UNMAP lists) */
#define HV_BV_PARAM_SIZE	32	/* per-slot UNMAP parameter list */
#define HV_BV_CTL_TAG		0xffffffffU
#define HV_BV_INIT_TIMEOUT_MS	10000	/* each initialisation step */
#define HV_BV_RESET_TIMEOUT_MS	10000	/* RESET_LUN / RESET_BUS */
#define HV_BV_CMD_TIMEOUT_MS	15000	/* commands at probe and removal */
#define HV_BV_MAX_RETRIES	3	/* resends of one request */
#define HV_BV_MAX_EXTEND	2	/* timeout extensions while the host progresses */
#define HV_BV_USERDATA_LEN	24	/* OPENCHANNEL user data, zero (E) */

enum hv_bv_state {
	HV_BV_INIT = 0,		/* probe: negotiating, internal commands only */
	HV_BV_RUNNING,		/* I/O flows */
	HV_BV_OFFLINE,		/* the host stopped answering: I/O fails */
	HV_BV_GONE,		/* rescinded/removed: I/O fails at once */
	HV_BV_DEAD,		/* nothing is sent any more; channel closing */
};

/* An internal command's waiter (commands at probe, cache flush at removal) */
struct hv_bv_sync {
	struct completion done;
	int err;
	u32 xfer;		/* bytes the host transferred */
	u8 sense_key;		/* with -EIO after CHECK CONDITION, else 0 */
	u8 asc;
};

/*
 * A request: slot i is entry i of hv_bv_dev.rqt, whose state says who owns
 * it: HV_RQT_BUSY sent, the host's; HV_RQT_HELD ours (being prepared,
 * completed or given up, or with @resend waiting for the watchdog to send
 * it again). Fields change under hv_bv_dev.rqt.lock.
 */
struct hv_bv_slot {
	struct request *rq;	/* block request, or NULL (internal) */
	struct hv_bv_sync *sync;	/* internal command's waiter */
	struct vstor_packet pkt;	/* EXECUTE_SRB as sent */
	u64 *pfns;		/* max_pfns entries (data description) */
	u32 npfn, off, len;	/* GPA-direct range; len 0: in-band */
	struct page **bounce;	/* bounce pages, or NULL */
	u32 nbounce;
	u8 *param;		/* HV_BV_PARAM_SIZE bytes in one page */
	u64 param_pfn;
	u32 param_off;
	u8 resend;		/* HELD: to be sent again by the watchdog */
	u8 data_in;		/* VSTOR_READ/WRITE/UNKNOWN_TYPE */
	u8 retries;		/* resends so far */
	u8 extends;		/* timeout extensions so far */
	u8 expired;		/* timed out, waiting for the reset */
	u8 is_unmap;
	unsigned long start;	/* jiffies when (re)sent */
	unsigned long progress;	/* hv_bv_dev.n_done then */
};

struct hv_bv_stats {
	atomic_t stale;		/* completions of unknown/stale trans_ids */
	atomic_t bad;		/* malformed completions/messages */
	atomic_t bounced;	/* requests sent through bounce pages */
	atomic_t busy;		/* queue function said busy */
	atomic_t timeouts;	/* requests that timed out */
	atomic_t resets;	/* RESET_LUN / RESET_BUS sent */
	atomic_t retries;	/* requests sent again */
	atomic_t failed;	/* requests completed with an error */
	atomic_t extended;	/* timeouts extended for a slow host */
};

/* hv_bv_dev.wd_flags */
#define HV_BV_WD_WAKE		0	/* the watchdog has work now */

struct hv_bv_dev {
	struct hv_device *hdev;
	struct hv_channel *ch;
	atomic_t state;			/* enum hv_bv_state */
	int sysfs_group;		/* the blkvsc/ attributes exist */
	atomic_t senders;		/* inside hv_bv_send_begin/end */
	int open;			/* channel opened */
	struct page *lost_page;		/* internal command's page the host
					 * kept (no answer): withheld */

	/* where the disk sits (E: instance GUID) and its name */
	u8 path, target;
	u32 offer_flags;		/* IDE offer user data flags */
	int index;			/* path * 2 + target: hda.. */
	char name[8];
	int major, first_minor;
	int major_ref;			/* holds a reference on the major */

	/* negotiated (E) */
	u16 version;
	u32 pkt_size;
	u32 max_xfer;			/* bytes per request */
	u32 max_pfns;
	u32 ring_bytes;

	/* the disk, from the commands at probe */
	u64 blocks;
	u32 block_size;
	u32 phys_block_size;
	char vendor[9], product[17], revision[5], serial[64];
	int write_cache;
	u32 unmap_max_blocks;		/* 0: no discard */
	u32 unmap_granularity;		/* blocks */
	int discard;			/* advertised and not refused */
	unsigned int timeout;		/* request timeout, jiffies */
	struct hv_compat_blk blk;

	/* requests */
	struct hv_rqt rqt;		/* trans_id <-> slot; its lock guards slots */
	struct hv_bv_slot *slots;
	u32 nslots;
	unsigned long n_done;		/* completions accepted */
	u64 *pfn_pool;
	struct page *param_page;
	int busy;			/* the queue was told to wait */

	/* control requests (initialisation, resets); ctl_mutex serialises */
	struct mutex ctl_mutex;
	struct hv_vstor_ctl ctl;

	/* the watchdog thread */
	struct task_struct *wd;
	unsigned long wd_flags;

	struct hv_bv_stats stats;
};

static inline int hv_bv_state(struct hv_bv_dev *dev)
{
	return atomic_read(&dev->state);
}

static inline void hv_bv_set_state(struct hv_bv_dev *dev, int state)
{
	atomic_set(&dev->state, state);
	smp_mb();	/* pairs with hv_bv_send_begin() */
}

/*
 * Sections that send on the channel are bracketed by these, so teardown
 * can stop all senders before it closes the channel. hv_bv_send_begin()
 * enters only while the disk is RUNNING (or also INIT when @running_only
 * is 0) and returns 1 then.
 */
static inline void hv_bv_send_end(struct hv_bv_dev *dev)
{
	smp_mb();	/* our sends are done before we stop counting */
	atomic_dec(&dev->senders);
}

static inline int hv_bv_send_begin(struct hv_bv_dev *dev, int running_only)
{
	int st;

	atomic_inc(&dev->senders);
	smp_mb();	/* count us before reading the state */
	st = hv_bv_state(dev);
	if (st == HV_BV_RUNNING || (!running_only && st == HV_BV_INIT))
		return 1;
	hv_bv_send_end(dev);
	return 0;
}

static inline void hv_bv_wake_watchdog(struct hv_bv_dev *dev)
{
	set_bit(HV_BV_WD_WAKE, &dev->wd_flags);
	if (dev->wd)
		wake_up_process(dev->wd);
}

/* blkvsc_drv.c */
int hv_bv_ctl_exec(struct hv_bv_dev *dev, struct vstor_packet *pkt,
		   unsigned int timeout_ms, u32 *len);
void hv_bv_ctl_complete(struct hv_bv_dev *dev, u32 gen,
			const struct vstor_packet *vp, u32 len);
int hv_bv_reset(struct hv_bv_dev *dev);

/* blkvsc_io.c */
int hv_bv_io_alloc(struct hv_bv_dev *dev);
void hv_bv_io_free(struct hv_bv_dev *dev);
int hv_bv_queue(void *drv, struct request *rq);
void hv_bv_on_channel(void *ctx);
unsigned int hv_bv_abandon(struct hv_bv_dev *dev, int err, int host_owned);
int hv_bv_drain(struct hv_bv_dev *dev, unsigned int timeout_ms);
int hv_bv_watchdog(void *arg);
int hv_bv_identify(struct hv_bv_dev *dev);
int hv_bv_sync_cache(struct hv_bv_dev *dev);

#endif /* HV_BLKVSC_H */
