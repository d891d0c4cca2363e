/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat_blk.h - the block layer across kernels, for hv_blkvsc. Included
 * after compat.h (force-included); facts come from conftest.sh probes
 * (HV_HAVE_*), the wrappers' bodies live in compat/hv_blk.c. The driver
 * sees one model on every kernel:
 *
 *   struct hv_compat_blk      a gendisk, its queue (and blk-mq tag set)
 *   hv_compat_blk_alloc()     queue + disk with the driver's limits and
 *                             queue function
 *   hv_compat_blk_add()       name, device numbers, capacity; add_disk
 *   hv_compat_blk_end()       complete a request (any context)
 *   hv_compat_blk_kick()      run the queue again after HV_BLK_BUSY
 *   hv_compat_blk_mark_dead() fail new I/O at once (device gone)
 *   hv_compat_blk_del()       del_gendisk (writes back, waits for I/O)
 *   hv_compat_blk_remove()    del (if not yet) and free everything
 *   hv_compat_rq_kind(), _fua(), _pos(), _bytes()  what a request asks
 *   HV_COMPAT_RQ_FOR_EACH_SEG()  its data, one page-bounded piece at a time
 *
 * The queue function, int fn(void *drv, struct request *rq), is called
 * for every request the block layer dispatches, in atomic context (a
 * request_fn runs under the queue lock with interrupts off; blk-mq's
 * queue_rq may run in softirq context): it must not sleep, and returns
 * HV_BLK_QUEUED (the driver owns the request and completes it later with
 * hv_compat_blk_end()), HV_BLK_BUSY (no resources: the request is
 * requeued and the driver calls hv_compat_blk_kick() once it can take
 * more), or a negative errno (the request fails with it now). It must not
 * call hv_compat_blk_end() itself.
 *
 * Request paths by kernel:
 *   4.13+   blk-mq (queue_rq returning blk_status_t)
 *   < 4.13  request_fn queue (blk_init_queue(), gone in 5.0)
 * Timeouts: the block layer's request timer is not used to fail I/O: on
 * blk-mq its handler only re-arms (the driver runs its own watchdog,
 * which works the same on 2.6.18, whose block layer has no timeouts), and
 * request_fn queues get no rq_timed_out_fn, so no timer is armed.
 * Flushes: ordered DRAIN_FLUSH with a prepared SYNCHRONIZE CACHE request
 * (< 2.6.36), blk_queue_flush() (2.6.37 .. 4.6), blk_queue_write_cache()
 * (4.7 .. 6.10), queue_limits.features (6.11+). Discard: only where
 * requests carry REQ_OP_DISCARD (4.8+).
 */
#ifndef HV_COMPAT_BLK_H
#define HV_COMPAT_BLK_H

#include <linux/blkdev.h>
#include <linux/fs.h>
#include <linux/spinlock.h>
#ifdef HV_HAVE_BLK_MQ_H
#include <linux/blk-mq.h>	/* 5.16+: also the request accessors */
#endif

#if defined(HV_HAVE_BLK_MQ_STATUS)
#define HV_COMPAT_BLK_MQ	1
#elif !defined(HV_HAVE_BLK_INIT_QUEUE)
#error "neither blk-mq with blk_status_t nor blk_init_queue(): add a compat case"
#endif

#if !defined(HV_HAVE_BLK_FEAT_WRITE_CACHE) && \
	!defined(HV_HAVE_BLK_QUEUE_WRITE_CACHE) && \
	!defined(HV_HAVE_BLK_QUEUE_FLUSH) && \
	!defined(HV_HAVE_BLK_QUEUE_ORDERED_PREPARE)
#error "no known way to declare a volatile write cache: add a compat case"
#endif

/* What the queue function returns (besides a negative errno) */
#define HV_BLK_QUEUED	0
#define HV_BLK_BUSY	1

/* The disk's limits, applied at allocation */
struct hv_blk_limits {
	u32 logical_block_size;		/* bytes */
	u32 physical_block_size;	/* bytes */
	u32 max_hw_sectors;		/* 512-byte units */
	u32 max_segments;
	unsigned long virt_boundary;	/* mask; 0 = none */
	int write_cache;		/* flushes wanted */
	int fua;			/* FUA writes understood */
	u32 max_discard_sectors;	/* 512-byte units; 0 = no discard */
	u32 discard_granularity;	/* bytes */
};

struct hv_compat_blk {
	struct gendisk *disk;
	struct request_queue *q;
	void *drv;
	int (*queue)(void *drv, struct request *rq);
	int added;
#ifdef HV_COMPAT_BLK_MQ
	struct blk_mq_tag_set set;
	int set_ready;
#else
	int stopped;			/* under the queue lock */
#endif
};

/**
 * hv_compat_blk_can_discard() - 1 when this kernel's requests can carry a
 * discard the driver recognises (hv_compat_rq_kind() HV_RQ_DISCARD).
 */
static inline int hv_compat_blk_can_discard(void)
{
#if defined(HV_HAVE_REQ_OP) && (defined(HV_HAVE_BLK_MQ_ALLOC_DISK_LIM) || \
	defined(HV_HAVE_BLK_QUEUE_MAX_DISCARD))
	return 1;
#else
	return 0;
#endif
}

int hv_compat_blk_alloc(struct hv_compat_blk *b, void *drv,
			int (*queue)(void *drv, struct request *rq),
			unsigned int depth, int minors,
			const struct hv_blk_limits *lim);
int hv_compat_blk_add(struct hv_compat_blk *b, struct device *parent,
		      int major, int first_minor, const char *name,
		      const struct block_device_operations *fops,
		      void *private_data, u64 sectors);
void hv_compat_blk_end(struct hv_compat_blk *b, struct request *rq, int err);
void hv_compat_blk_kick(struct hv_compat_blk *b);
void hv_compat_blk_mark_dead(struct hv_compat_blk *b);
void hv_compat_blk_del(struct hv_compat_blk *b);
void hv_compat_blk_remove(struct hv_compat_blk *b);

/* ---- what a request asks --------------------------------------------- */

enum hv_rq_kind {
	HV_RQ_UNSUPPORTED = 0,	/* pass-through and anything else: fail */
	HV_RQ_READ,
	HV_RQ_WRITE,
	HV_RQ_FLUSH,		/* flush the volatile cache, no data */
	HV_RQ_DISCARD,
};

/* Bytes of data (0 for flushes). */
static inline unsigned int hv_compat_rq_bytes(struct request *rq)
{
#if defined(HV_HAVE_BLK_RQ_POS) || defined(HV_HAVE_BLK_END_REQUEST_BYTES)
	return blk_rq_bytes(rq);
#else
	return (unsigned int)rq->hard_nr_sectors << 9;
#endif
}

/* First sector, in 512-byte units. */
static inline u64 hv_compat_rq_pos(struct request *rq)
{
#ifdef HV_HAVE_BLK_RQ_POS
	return blk_rq_pos(rq);
#else
	return rq->sector;
#endif
}

/* A file-system request (not a pass-through or special one). */
static inline int hv_compat_rq_is_fs(struct request *rq)
{
#if defined(HV_HAVE_BLK_FS_REQUEST)
	return blk_fs_request(rq);
#elif defined(HV_HAVE_RQ_CMD_TYPE)
	return rq->cmd_type == REQ_TYPE_FS;
#else
	return !blk_rq_is_passthrough(rq);
#endif
}

/* The SYNCHRONIZE CACHE request hv_blk.c prepares for barriers (< 2.6.36) */
static inline int hv_compat_rq_is_prepared_flush(struct request *rq)
{
#if defined(HV_HAVE_BLK_QUEUE_ORDERED_PREPARE) && defined(HV_HAVE_RQ_CMD_TYPE)
	return rq->cmd_type == REQ_TYPE_BLOCK_PC && rq->cmd[0] == 0x35;
#elif defined(HV_HAVE_BLK_QUEUE_ORDERED_PREPARE)
	return (rq->flags & REQ_BLOCK_PC) && rq->cmd[0] == 0x35;
#else
	(void)rq;
	return 0;
#endif
}

static inline enum hv_rq_kind hv_compat_rq_kind(struct request *rq)
{
#if defined(HV_HAVE_REQ_OP)
	if (!hv_compat_rq_is_fs(rq))
		return HV_RQ_UNSUPPORTED;
	switch (req_op(rq)) {
	case REQ_OP_READ:
		return HV_RQ_READ;
	case REQ_OP_WRITE:
		return HV_RQ_WRITE;
	case REQ_OP_FLUSH:
		return HV_RQ_FLUSH;
	case REQ_OP_DISCARD:
		return HV_RQ_DISCARD;
	default:
		return HV_RQ_UNSUPPORTED;
	}
#else
	if (hv_compat_rq_is_prepared_flush(rq))
		return HV_RQ_FLUSH;
	if (!hv_compat_rq_is_fs(rq))
		return HV_RQ_UNSUPPORTED;
#ifdef HV_HAVE_REQ_FLUSH_FLAG
	if (rq->cmd_flags & REQ_DISCARD)
		return HV_RQ_UNSUPPORTED;	/* never advertised here */
	if ((rq->cmd_flags & REQ_FLUSH) && !hv_compat_rq_bytes(rq))
		return HV_RQ_FLUSH;
#endif
	return rq_data_dir(rq) == WRITE ? HV_RQ_WRITE : HV_RQ_READ;
#endif
}

/* Forced unit access asked for this write. */
static inline int hv_compat_rq_fua(struct request *rq)
{
#if defined(HV_HAVE_REQ_OP) || defined(HV_HAVE_REQ_FLUSH_FLAG)
	return (rq->cmd_flags & REQ_FUA) != 0;
#else
	(void)rq;
	return 0;
#endif
}

/*
 * The data of a request, one piece at a time; each piece lies within
 * one page:
 *	struct hv_compat_rq_iter it;
 *	HV_COMPAT_RQ_FOR_EACH_SEG(rq, &it) {
 *		page = hv_compat_seg_page(&it); off = ...; len = ...;
 *	}
 */
#if defined(HV_HAVE_RQ_SEGMENT_BVEC)
struct hv_compat_rq_iter {
	struct req_iterator ri;
	struct bio_vec bv;
};

#define HV_COMPAT_RQ_FOR_EACH_SEG(rq, it) \
	rq_for_each_segment((it)->bv, rq, (it)->ri)
#define hv_compat_seg_page(it)	((it)->bv.bv_page)
#define hv_compat_seg_off(it)	((it)->bv.bv_offset)
#define hv_compat_seg_len(it)	((it)->bv.bv_len)
#elif defined(HV_HAVE_RQ_SEGMENT_BVEC_PTR)
struct hv_compat_rq_iter {
	struct req_iterator ri;
	struct bio_vec *bv;
};

#define HV_COMPAT_RQ_FOR_EACH_SEG(rq, it) \
	rq_for_each_segment((it)->bv, rq, (it)->ri)
#define hv_compat_seg_page(it)	((it)->bv->bv_page)
#define hv_compat_seg_off(it)	((it)->bv->bv_offset)
#define hv_compat_seg_len(it)	((it)->bv->bv_len)
#else	/* 2.6.18 without the RHEL backport */
struct hv_compat_rq_iter {
	struct bio *bio;
	struct bio_vec *bv;
	int i;
};

#define HV_COMPAT_RQ_FOR_EACH_SEG(rq, it)				\
	for ((it)->bio = (rq)->bio; (it)->bio; (it)->bio = (it)->bio->bi_next) \
		bio_for_each_segment((it)->bv, (it)->bio, (it)->i)
#define hv_compat_seg_page(it)	((it)->bv->bv_page)
#define hv_compat_seg_off(it)	((it)->bv->bv_offset)
#define hv_compat_seg_len(it)	((it)->bv->bv_len)
#endif

/* ---- block device numbers -------------------------------------------- */

/*
 * 1 when the kernel was built with the legacy IDE layer (drivers/ide,
 * hda..hdt on majors 3, 22, 33, 34, ...): there the emulated IDE disk had
 * those device numbers and hv_blkvsc takes them over.
 */
#if defined(CONFIG_IDE) || defined(CONFIG_IDE_MODULE) || \
	defined(CONFIG_BLK_DEV_IDE) || defined(CONFIG_BLK_DEV_IDE_MODULE)
#define HV_COMPAT_LEGACY_IDE	1
#else
#define HV_COMPAT_LEGACY_IDE	0
#endif

#endif /* HV_COMPAT_BLK_H */
