// SPDX-License-Identifier: GPL-2.0
/*
 * hv_blk.c - the block-layer wrappers of compat_blk.h (see there for the
 * model). Linked into hv_blkvsc; the only code of it that knows how the
 * block layer's request path, disk allocation and limits changed.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include "compat_blk.h"

/* ---- completion ------------------------------------------------------ */

#ifndef HV_COMPAT_BLK_MQ
/* Complete @rq with the queue lock held (request_fn queues). */
static void hv_compat_blk_end_locked(struct request *rq, int err)
{
#if defined(HV_HAVE_BLK_END_REQUEST_ALL)
	__blk_end_request_all(rq, err);
#elif defined(HV_HAVE_BLK_END_REQUEST_BYTES)
	__blk_end_request(rq, err, blk_rq_bytes(rq));
#else
	int uptodate = err ? err : 1;

	/* 2.6.18: an uptodate < 0 is the error itself */
	if (!end_that_request_first(rq, uptodate, rq->hard_nr_sectors))
		end_that_request_last(rq, uptodate);
#endif
}
#endif

/**
 * hv_compat_blk_end() - complete a request the queue function took.
 * @b: the disk
 * @rq: the request
 * @err: 0 or a negative errno
 *
 * On request_fn queues this also restarts a queue stopped by
 * HV_BLK_BUSY. Context: any (takes the queue lock with interrupts off).
 */
void hv_compat_blk_end(struct hv_compat_blk *b, struct request *rq, int err)
{
#ifdef HV_COMPAT_BLK_MQ
	(void)b;
	blk_mq_end_request(rq, errno_to_blk_status(err));
#else
	unsigned long flags;

	spin_lock_irqsave(b->q->queue_lock, flags);
	hv_compat_blk_end_locked(rq, err);
	if (b->stopped) {
		b->stopped = 0;
		blk_start_queue(b->q);
	}
	spin_unlock_irqrestore(b->q->queue_lock, flags);
#endif
}

/**
 * hv_compat_blk_kick() - the driver can take requests again after it
 * answered HV_BLK_BUSY: run the queue.
 * @b: the disk
 *
 * Context: any.
 */
void hv_compat_blk_kick(struct hv_compat_blk *b)
{
#ifdef HV_COMPAT_BLK_MQ
	if (b->q)
		blk_mq_run_hw_queues(b->q, true);
#else
	unsigned long flags;

	if (!b->q)
		return;
	spin_lock_irqsave(b->q->queue_lock, flags);
	if (b->stopped) {
		b->stopped = 0;
		blk_start_queue(b->q);
	}
	spin_unlock_irqrestore(b->q->queue_lock, flags);
#endif
}

/* ---- dispatch ------------------------------------------------------- */

#ifdef HV_COMPAT_BLK_MQ
static blk_status_t hv_compat_blk_queue_rq(struct blk_mq_hw_ctx *hctx,
					   const struct blk_mq_queue_data *bd)
{
	struct hv_compat_blk *b = hctx->queue->queuedata;
	struct request *rq = bd->rq;
	int ret;

	blk_mq_start_request(rq);
	if (hv_compat_rq_kind(rq) == HV_RQ_UNSUPPORTED)
		return BLK_STS_IOERR;
	ret = b->queue(b->drv, rq);
	if (ret == HV_BLK_QUEUED)
		return BLK_STS_OK;
	if (ret == HV_BLK_BUSY)
		return BLK_STS_RESOURCE;
	return errno_to_blk_status(ret);
}

/* The driver's watchdog owns timeouts: the block layer's timer re-arms. */
#ifdef HV_HAVE_BLK_MQ_TIMEOUT_1ARG
static enum blk_eh_timer_return hv_compat_blk_timeout(struct request *rq)
{
	(void)rq;
	return BLK_EH_RESET_TIMER;
}
#else
static enum blk_eh_timer_return hv_compat_blk_timeout(struct request *rq,
						      bool reserved)
{
	(void)rq;
	(void)reserved;
	return BLK_EH_RESET_TIMER;
}
#endif

static const struct blk_mq_ops hv_compat_blk_mq_ops = {
	.queue_rq	= hv_compat_blk_queue_rq,
	.timeout	= hv_compat_blk_timeout,
};
#else /* request_fn */

static struct request *hv_compat_blk_fetch(struct request_queue *q)
{
#ifdef HV_HAVE_BLK_FETCH_REQUEST
	return blk_fetch_request(q);
#else
	struct request *rq = elv_next_request(q);

	if (rq)
		blkdev_dequeue_request(rq);
	return rq;
#endif
}

/* Called by the block layer with the queue lock held, interrupts off. */
static void hv_compat_blk_request_fn(struct request_queue *q)
{
	struct hv_compat_blk *b = q->queuedata;
	struct request *rq;
	int ret;

	while ((rq = hv_compat_blk_fetch(q)) != NULL) {
		if (!b || hv_compat_rq_kind(rq) == HV_RQ_UNSUPPORTED)
			ret = -EIO;
		else
			ret = b->queue(b->drv, rq);
		if (ret == HV_BLK_BUSY) {
			blk_requeue_request(q, rq);
			blk_stop_queue(q);
			b->stopped = 1;
			return;
		}
		if (ret < 0)
			hv_compat_blk_end_locked(rq, ret);
	}
}

#ifdef HV_HAVE_BLK_QUEUE_ORDERED_PREPARE
/* Barriers (< 2.6.36): the flush the block layer issues around them. */
static void hv_compat_blk_prep_flush(struct request_queue *q,
				     struct request *rq)
{
	(void)q;
#ifdef HV_HAVE_RQ_CMD_TYPE
	rq->cmd_type = REQ_TYPE_BLOCK_PC;
#else
	rq->flags |= REQ_BLOCK_PC;
#endif
	memset(rq->cmd, 0, 10);
	rq->cmd[0] = 0x35;	/* SYNCHRONIZE CACHE(10) */
	rq->cmd_len = 10;
}
#endif
#endif /* request_fn */

/* ---- limits ------------------------------------------------------------ */

#ifndef HV_HAVE_BLK_MQ_ALLOC_DISK_LIM
/* Kernels before 6.9: the limits through the queue's setters. */
static void hv_compat_blk_set_limits(struct request_queue *q,
				     const struct hv_blk_limits *l)
{
#ifdef HV_HAVE_BLK_QUEUE_LOGICAL_BLOCK_SIZE
	blk_queue_logical_block_size(q, l->logical_block_size);
	blk_queue_physical_block_size(q, l->physical_block_size);
#else
	blk_queue_hardsect_size(q, (unsigned short)l->logical_block_size);
#endif
#ifdef HV_HAVE_BLK_QUEUE_MAX_SEGMENTS
	blk_queue_max_hw_sectors(q, l->max_hw_sectors);
	blk_queue_max_segments(q, (unsigned short)l->max_segments);
#else
	blk_queue_max_sectors(q, l->max_hw_sectors);
	blk_queue_max_phys_segments(q, (unsigned short)l->max_segments);
	blk_queue_max_hw_segments(q, (unsigned short)l->max_segments);
#endif
#ifdef HV_HAVE_BLK_QUEUE_VIRT_BOUNDARY
	if (l->virt_boundary)
		blk_queue_virt_boundary(q, l->virt_boundary);
#endif
#if defined(HV_HAVE_BLK_QUEUE_WRITE_CACHE)
	blk_queue_write_cache(q, l->write_cache, l->fua);
#elif defined(HV_HAVE_BLK_QUEUE_FLUSH)
	blk_queue_flush(q, (l->write_cache ? REQ_FLUSH : 0) |
			(l->fua ? REQ_FUA : 0));
#elif defined(HV_HAVE_BLK_QUEUE_ORDERED_PREPARE)
	if (l->write_cache)
		blk_queue_ordered(q, QUEUE_ORDERED_DRAIN_FLUSH,
				  hv_compat_blk_prep_flush);
#endif
#if defined(HV_HAVE_REQ_OP) && defined(HV_HAVE_BLK_QUEUE_MAX_DISCARD)
	if (l->max_discard_sectors) {
		blk_queue_max_discard_sectors(q, l->max_discard_sectors);
		q->limits.discard_granularity = l->discard_granularity;
#if defined(HV_HAVE_QUEUE_FLAG_DISCARD) && defined(HV_HAVE_BLK_QUEUE_FLAG_SET)
		blk_queue_flag_set(QUEUE_FLAG_DISCARD, q);
#elif defined(HV_HAVE_QUEUE_FLAG_DISCARD)
		queue_flag_set_unlocked(QUEUE_FLAG_DISCARD, q);
#endif
	}
#endif
}
#endif

/* ---- allocation ---------------------------------------------------------- */

/**
 * hv_compat_blk_alloc() - allocate a disk, its queue and limits.
 * @b: the disk (zeroed by the caller)
 * @drv: argument of @queue
 * @queue: the queue function (see compat_blk.h)
 * @depth: requests the driver takes at once (blk-mq tag depth)
 * @minors: device numbers of the disk (whole disk + partitions)
 * @lim: limits; a discard limit is ignored unless
 *	 hv_compat_blk_can_discard()
 *
 * Context: process, may sleep. Return: 0 or -errno (nothing kept).
 */
int hv_compat_blk_alloc(struct hv_compat_blk *b, void *drv,
			int (*queue)(void *drv, struct request *rq),
			unsigned int depth, int minors,
			const struct hv_blk_limits *lim)
{
#ifdef HV_COMPAT_BLK_MQ
	int ret;
#ifdef HV_HAVE_BLK_MQ_ALLOC_DISK_LIM
	struct queue_limits ql;
#endif

	b->drv = drv;
	b->queue = queue;
	memset(&b->set, 0, sizeof(b->set));
	b->set.ops = &hv_compat_blk_mq_ops;
	b->set.nr_hw_queues = 1;
	b->set.queue_depth = depth;
	b->set.numa_node = NUMA_NO_NODE;
#ifdef HV_HAVE_BLK_MQ_F_SHOULD_MERGE
	b->set.flags = BLK_MQ_F_SHOULD_MERGE;
#endif
#ifdef HV_HAVE_BLK_MQ_F_NO_SCHED_BY_DEFAULT
	/*
	 * The host schedules the virtual disk's I/O; an elevator in the
	 * guest only adds a kblockd dispatch per request (the admin can
	 * still pick one in queue/scheduler).
	 */
	b->set.flags |= BLK_MQ_F_NO_SCHED_BY_DEFAULT;
#endif
	ret = blk_mq_alloc_tag_set(&b->set);
	if (ret)
		return ret;
	b->set_ready = 1;

#if defined(HV_HAVE_BLK_MQ_ALLOC_DISK_LIM)
	memset(&ql, 0, sizeof(ql));
	ql.logical_block_size = lim->logical_block_size;
	ql.physical_block_size = lim->physical_block_size;
	ql.max_hw_sectors = lim->max_hw_sectors;
	ql.max_segments = lim->max_segments;
	ql.virt_boundary_mask = lim->virt_boundary;
	if (hv_compat_blk_can_discard() && lim->max_discard_sectors) {
		ql.max_hw_discard_sectors = lim->max_discard_sectors;
		ql.discard_granularity = lim->discard_granularity;
	}
#ifdef HV_HAVE_BLK_FEAT_WRITE_CACHE
	if (lim->write_cache)
		ql.features |= BLK_FEAT_WRITE_CACHE;
	if (lim->fua)
		ql.features |= BLK_FEAT_FUA;
#endif
	b->disk = blk_mq_alloc_disk(&b->set, &ql, b);
	if (IS_ERR(b->disk)) {
		ret = PTR_ERR(b->disk);
		goto fail;
	}
	b->q = b->disk->queue;
#ifndef HV_HAVE_BLK_FEAT_WRITE_CACHE
	blk_queue_write_cache(b->q, lim->write_cache, lim->fua);	/* 6.9, 6.10 */
#endif
#elif defined(HV_HAVE_BLK_MQ_ALLOC_DISK)
	b->disk = blk_mq_alloc_disk(&b->set, b);
	if (IS_ERR(b->disk)) {
		ret = PTR_ERR(b->disk);
		goto fail;
	}
	b->q = b->disk->queue;
	hv_compat_blk_set_limits(b->q, lim);
#else
	b->q = blk_mq_init_queue(&b->set);
	if (IS_ERR(b->q)) {
		ret = PTR_ERR(b->q);
		b->q = NULL;
		goto fail;
	}
	b->q->queuedata = b;
	b->disk = alloc_disk(minors);
	if (!b->disk) {
		blk_cleanup_queue(b->q);
		b->q = NULL;
		ret = -ENOMEM;
		goto fail;
	}
	b->disk->queue = b->q;
	hv_compat_blk_set_limits(b->q, lim);
#endif
	b->disk->minors = minors;
	return 0;

fail:
	b->disk = NULL;
	blk_mq_free_tag_set(&b->set);
	b->set_ready = 0;
	return ret;
#else /* request_fn */
	b->drv = drv;
	b->queue = queue;
	(void)depth;
	b->q = blk_init_queue(hv_compat_blk_request_fn, NULL);
	if (!b->q)
		return -ENOMEM;
	b->q->queuedata = b;
	b->disk = alloc_disk(minors);
	if (!b->disk) {
		blk_cleanup_queue(b->q);
		b->q = NULL;
		return -ENOMEM;
	}
	b->disk->queue = b->q;
	hv_compat_blk_set_limits(b->q, lim);
	return 0;
#endif
}

/**
 * hv_compat_blk_add() - name the disk, give it device numbers and a
 * capacity, and add it (partitions are scanned; I/O starts).
 * @b: a disk from hv_compat_blk_alloc()
 * @parent: the device it hangs under in sysfs
 * @major: block major; @first_minor: its first minor
 * @name: disk name ("hda"), at most 31 characters
 * @fops: block device operations (at least .owner)
 * @private_data: gendisk.private_data
 * @sectors: capacity in 512-byte units
 *
 * Context: process, may sleep. Return: 0 or -errno (add_disk failed,
 * 5.15+; the disk is then not added, hv_compat_blk_remove() frees it).
 */
int hv_compat_blk_add(struct hv_compat_blk *b, struct device *parent,
		      int major, int first_minor, const char *name,
		      const struct block_device_operations *fops,
		      void *private_data, u64 sectors)
{
	struct gendisk *d = b->disk;
	int ret = 0;

	d->major = major;
	d->first_minor = first_minor;
	d->fops = (void *)fops;	/* not const before 2.6.30 */
	d->private_data = private_data;
	snprintf(d->disk_name, sizeof(d->disk_name), "%s", name);
	set_capacity(d, (sector_t)sectors);
#if defined(HV_HAVE_ADD_DISK_INT)
	ret = device_add_disk(parent, d, NULL);
#elif defined(HV_HAVE_DEVICE_ADD_DISK_GROUPS)
	device_add_disk(parent, d, NULL);
#elif defined(HV_HAVE_DEVICE_ADD_DISK)
	device_add_disk(parent, d);
#else
	d->driverfs_dev = parent;
	add_disk(d);
#endif
	if (!ret)
		b->added = 1;
	return ret;
}

/**
 * hv_compat_blk_mark_dead() - the device is gone: new I/O fails without
 * reaching the driver (5.18+; before, the driver's queue function fails it).
 * @b: the disk
 *
 * Context: process.
 */
void hv_compat_blk_mark_dead(struct hv_compat_blk *b)
{
#ifdef HV_HAVE_BLK_MARK_DISK_DEAD
	if (b->added)
		blk_mark_disk_dead(b->disk);
#else
	(void)b;
#endif
}

/**
 * hv_compat_blk_del() - take the disk out of use (del_gendisk()). On
 * current kernels this writes back and waits for the requests in flight:
 * the driver must keep completing or failing them meanwhile.
 * @b: the disk; nothing happens unless it was added
 *
 * Context: process, may sleep.
 */
void hv_compat_blk_del(struct hv_compat_blk *b)
{
	if (b->added)
		del_gendisk(b->disk);
	b->added = 0;
}

/**
 * hv_compat_blk_remove() - hv_compat_blk_del(), then free the disk, the
 * queue and the tag set. No request may be in flight in the driver.
 * @b: the disk; nothing of it is used afterwards
 *
 * Context: process, may sleep.
 */
void hv_compat_blk_remove(struct hv_compat_blk *b)
{
	if (!b->disk && !b->q)
		return;
	hv_compat_blk_del(b);
#ifdef HV_COMPAT_BLK_MQ
#if defined(HV_HAVE_BLK_MQ_ALLOC_DISK_LIM) || defined(HV_HAVE_BLK_MQ_ALLOC_DISK)
#ifdef HV_HAVE_BLK_CLEANUP_DISK
	blk_cleanup_disk(b->disk);
#else
	put_disk(b->disk);
#endif
#else
	blk_cleanup_queue(b->q);
	put_disk(b->disk);
#endif
	if (b->set_ready)
		blk_mq_free_tag_set(&b->set);
	b->set_ready = 0;
#else
	blk_cleanup_queue(b->q);
	put_disk(b->disk);
#endif
	b->disk = NULL;
	b->q = NULL;
}
