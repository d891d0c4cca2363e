/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat_scsi.h - the SCSI midlayer, block-queue limits, scatterlists,
 * highmem mapping and the FC transport class across kernels, for
 * hv_storvsc (and hv_blkvsc). Included by those drivers after compat.h
 * (which is force-included); facts come from conftest.sh probes
 * (HV_HAVE_*). The drivers use only what is defined here.
 *
 * Shapes that drift and what the driver writes instead:
 *   queuecommand         HV_DEFINE_QUEUECOMMAND(name, fn)
 *   command completion   hv_compat_scsi_done()
 *   data buffer          hv_compat_scsi_bufflen(), struct hv_compat_sgiter
 *   residual             hv_compat_scsi_set_resid()
 *   request timeout      hv_compat_scsi_cmd_timeout()
 *   eh_timed_out         HV_DEFINE_EH_TIMED_OUT(name, fn)
 *   queue depth          HV_DEFINE_CHANGE_QUEUE_DEPTH(), ..._set_queue_depth()
 *   hardware queues      hv_compat_scsi_set_hw_queues()
 *   sdev hooks           HV_DEFINE_SDEV_CONFIGURE(), HV_SHT_SDEV_HOOKS()
 *   template flags       HV_SHT_VIRT_BOUNDARY(), HV_SHT_CLUSTERING
 *   host attributes      HV_SHOST_ATTR_RO(), hv_compat_sht_set_shost_attrs()
 *   FC transport         struct hv_compat_fc, hv_compat_fc_*()
 */
#ifndef HV_COMPAT_SCSI_H
#define HV_COMPAT_SCSI_H

#include <linux/blkdev.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/vmalloc.h>
#include <linux/string.h>
#include <scsi/scsi.h>
#include <scsi/scsi_cmnd.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_host.h>
#include <scsi/scsi_eh.h>
#ifndef HV_HAVE_SCSI_CHANGE_QUEUE_DEPTH
#include <scsi/scsi_tcq.h>
#endif
#ifdef HV_HAVE_FC_ATTRS
#include <scsi/scsi_transport_fc.h>
#endif

/* ---- queuecommand ----------------------------------------------------- */

/*
 * HV_DEFINE_QUEUECOMMAND(name, fn) defines @name with the type
 * scsi_host_template.queuecommand has on this kernel; it calls
 *	int fn(struct Scsi_Host *shost, struct scsi_cmnd *cmd)
 * which returns 0 or SCSI_MLQUEUE_*_BUSY. Before 2.6.37 the midlayer
 * calls it with the host lock held and interrupts off; after, without
 * the lock. @fn must not sleep and must not take the host lock.
 */
#if defined(HV_HAVE_SCSI_QC_STATUS)
#define HV_DEFINE_QUEUECOMMAND(name, fn)				\
static enum scsi_qc_status name(struct Scsi_Host *sh, struct scsi_cmnd *c) \
{									\
	return (enum scsi_qc_status)fn(sh, c);				\
}
#elif defined(HV_HAVE_SCSI_QUEUECOMMAND_LOCKLESS)
#define HV_DEFINE_QUEUECOMMAND(name, fn)				\
static int name(struct Scsi_Host *sh, struct scsi_cmnd *c)		\
{									\
	return fn(sh, c);						\
}
#elif defined(HV_HAVE_SCSI_QUEUECOMMAND_DONE)
#define HV_DEFINE_QUEUECOMMAND(name, fn)				\
static int name(struct scsi_cmnd *c, void (*done)(struct scsi_cmnd *))	\
{									\
	c->scsi_done = done;						\
	return fn(c->device->host, c);					\
}
#else
#error "unknown scsi_host_template.queuecommand type: add a compat case"
#endif

/* Hand a command back to the midlayer. Any context. */
static inline void hv_compat_scsi_done(struct scsi_cmnd *c)
{
#ifdef HV_HAVE_SCSI_DONE
	scsi_done(c);
#else
	c->scsi_done(c);
#endif
}

/* ---- data buffer ------------------------------------------------------ */

static inline unsigned int hv_compat_scsi_bufflen(struct scsi_cmnd *c)
{
#ifdef HV_HAVE_SCSI_CMND_REQUEST_BUFFER
	return c->request_bufflen;
#else
	return scsi_bufflen(c);
#endif
}

static inline void hv_compat_scsi_set_resid(struct scsi_cmnd *c,
					    unsigned int resid)
{
#ifdef HV_HAVE_SCSI_SET_RESID
	scsi_set_resid(c, resid);
#else
	c->resid = resid;
#endif
}

/*
 * Walk a command's data as segments of guest-physical memory:
 *	struct hv_compat_sgiter it;
 *	hv_compat_sgiter_init(&it, cmd);
 *	while (hv_compat_sgiter_next(&it, &pfn, &off, &len)) ...
 * Each segment is physically contiguous, starts @off (< PAGE_SIZE) into
 * frame @pfn and may span several frames. Empty entries are skipped.
 * Kernels before 2.6.25 may carry a flat kernel buffer (use_sg 0) instead
 * of a scatterlist; it is returned page by page.
 */
struct hv_compat_sgiter {
	struct scatterlist *sg;
	unsigned int left;		/* scatterlist entries not yet seen */
	const u8 *flat;			/* flat buffer (old kernels) */
	unsigned int flat_left;
};

static inline void hv_compat_sgiter_init(struct hv_compat_sgiter *it,
					 struct scsi_cmnd *c)
{
	memset(it, 0, sizeof(*it));
#ifdef HV_HAVE_SCSI_CMND_REQUEST_BUFFER
	if (c->use_sg) {
		it->sg = (struct scatterlist *)c->request_buffer;
		it->left = c->use_sg;
	} else if (c->request_buffer && c->request_bufflen) {
		it->flat = c->request_buffer;
		it->flat_left = c->request_bufflen;
	}
#else
	it->sg = scsi_sglist(c);
	it->left = it->sg ? scsi_sg_count(c) : 0;
#endif
}

static inline u64 hv_compat_kva_to_pfn(const void *p)
{
	void *v = (void *)p;	/* old prototypes take no const */
	unsigned long a = (unsigned long)p;

	if (a >= VMALLOC_START && a < VMALLOC_END)
		return vmalloc_to_pfn(v);
	return virt_to_phys(v) >> PAGE_SHIFT;
}

/* Next segment; 0 when there is none left. */
static inline int hv_compat_sgiter_next(struct hv_compat_sgiter *it,
					u64 *pfn, u32 *off, u32 *len)
{
	struct page *pg;
	unsigned int o;

	while (it->left) {
		struct scatterlist *s = it->sg;

#ifdef HV_HAVE_SG_PAGE
		pg = sg_page(s);
		it->sg = --it->left ? sg_next(s) : NULL;
#else
		pg = s->page;
		it->sg = --it->left ? s + 1 : NULL;
#endif
		if (!s->length || !pg)
			continue;
		o = s->offset;
		*pfn = (u64)page_to_pfn(pg) + (o >> PAGE_SHIFT);
		*off = o & (PAGE_SIZE - 1);
		*len = s->length;
		return 1;
	}
	if (it->flat_left) {
		o = (unsigned long)it->flat & (PAGE_SIZE - 1);
		*pfn = hv_compat_kva_to_pfn(it->flat);
		*off = o;
		*len = PAGE_SIZE - o < it->flat_left ? PAGE_SIZE - o :
			it->flat_left;
		it->flat += *len;
		it->flat_left -= *len;
		return 1;
	}
	return 0;
}

/*
 * Copy @len bytes between @buf and page @pg at @off (into the page when
 * @to_page); @off + @len <= PAGE_SIZE. Any context, does not sleep.
 */
static inline void hv_compat_page_copy(struct page *pg, unsigned int off,
				       void *buf, unsigned int len,
				       int to_page)
{
	u8 *va;
#if defined(CONFIG_HIGHMEM) && !defined(HV_HAVE_KMAP_LOCAL_PAGE) && \
	!defined(HV_HAVE_KMAP_ATOMIC_1ARG)
	unsigned long flags;

	local_irq_save(flags);
	va = kmap_atomic(pg, KM_IRQ0);
#elif defined(CONFIG_HIGHMEM) && defined(HV_HAVE_KMAP_LOCAL_PAGE)
	va = kmap_local_page(pg);
#elif defined(CONFIG_HIGHMEM)
	va = kmap_atomic(pg);
#else
	va = page_address(pg);	/* no highmem: every page is mapped */
#endif
	if (to_page)
		memcpy(va + off, buf, len);
	else
		memcpy(buf, va + off, len);
#if defined(CONFIG_HIGHMEM) && !defined(HV_HAVE_KMAP_LOCAL_PAGE) && \
	!defined(HV_HAVE_KMAP_ATOMIC_1ARG)
	kunmap_atomic(va, KM_IRQ0);
	local_irq_restore(flags);
#elif defined(CONFIG_HIGHMEM) && defined(HV_HAVE_KMAP_LOCAL_PAGE)
	kunmap_local(va);
#elif defined(CONFIG_HIGHMEM)
	kunmap_atomic(va);
#endif
}

/* ---- timeouts --------------------------------------------------------- */

/* The command's timeout in jiffies. */
static inline unsigned long hv_compat_scsi_cmd_timeout(struct scsi_cmnd *c)
{
#if defined(HV_HAVE_SCSI_CMD_TO_RQ)
	return scsi_cmd_to_rq(c)->timeout;
#elif defined(HV_HAVE_SCSI_CMND_TIMEOUT_PER_COMMAND)
	/* first: before 2.6.28 request.timeout may exist but is SG_IO's */
	return c->timeout_per_command;
#elif defined(HV_HAVE_SCSI_CMND_REQUEST_TIMEOUT)
	return c->request->timeout;
#else
#error "no known way to read a SCSI command's timeout: add a compat case"
#endif
}

/*
 * HV_DEFINE_EH_TIMED_OUT(name, fn) defines @name with the type of
 * scsi_host_template.eh_timed_out; @fn(cmd) returns HV_EH_RESET_TIMER
 * (give the command another timeout period) or HV_EH_NOT_HANDLED (run
 * the midlayer's error handling).
 */
#define HV_EH_NOT_HANDLED	0
#define HV_EH_RESET_TIMER	1

#if defined(HV_HAVE_SHT_EH_TIMEOUT_ACTION)
#define HV_DEFINE_EH_TIMED_OUT(name, fn)				\
static enum scsi_timeout_action name(struct scsi_cmnd *c)		\
{									\
	return fn(c) == HV_EH_RESET_TIMER ? SCSI_EH_RESET_TIMER :	\
		SCSI_EH_NOT_HANDLED;					\
}
#elif defined(HV_HAVE_SHT_EH_TIMED_OUT_BLK)
#ifdef HV_HAVE_BLK_EH_DONE
#define HV_BLK_EH_NOT_HANDLED	BLK_EH_DONE
#else
#define HV_BLK_EH_NOT_HANDLED	BLK_EH_NOT_HANDLED
#endif
#define HV_DEFINE_EH_TIMED_OUT(name, fn)				\
static enum blk_eh_timer_return name(struct scsi_cmnd *c)		\
{									\
	return fn(c) == HV_EH_RESET_TIMER ? BLK_EH_RESET_TIMER :	\
		HV_BLK_EH_NOT_HANDLED;					\
}
#elif defined(HV_HAVE_SHT_EH_TIMED_OUT_SCSI)
#define HV_DEFINE_EH_TIMED_OUT(name, fn)				\
static enum scsi_eh_timer_return name(struct scsi_cmnd *c)		\
{									\
	return fn(c) == HV_EH_RESET_TIMER ? EH_RESET_TIMER :		\
		EH_NOT_HANDLED;						\
}
#else
#error "unknown scsi_host_template.eh_timed_out type: add a compat case"
#endif

/* ---- hardware queues -------------------------------------------------- */

/**
 * hv_compat_scsi_set_hw_queues() - ask blk-mq for @n hardware queues.
 * @sh: the host, before scsi_add_host()
 * @n: queues wanted, >= 1 (one per CPU is what a VMBus HBA wants: each
 *	CPU submits on its own channel)
 *
 * On scsi-mq kernels (3.17+) a host with more than one hardware queue
 * gets no I/O scheduler by default, where a single-queue host gets
 * mq-deadline, whose dispatch from kblockd costs a VMBus HBA most of its
 * IOPS. Each queue then has can_queue tags of its own; the driver answers
 * what its slot table cannot hold with SCSI_MLQUEUE_HOST_BUSY. (One
 * shared tag space, host_tagset, would bring mq-deadline back: blk-mq
 * treats shared tags as one queue.) Kernels without scsi-mq: nothing to
 * do.
 * Context: process.
 */
static inline void hv_compat_scsi_set_hw_queues(struct Scsi_Host *sh,
						unsigned int n)
{
#ifdef HV_HAVE_SHOST_NR_HW_QUEUES
	sh->nr_hw_queues = n ? n : 1;
#else
	(void)sh;
	(void)n;
#endif
}

/**
 * hv_compat_scsi_hw_queues() - hardware queues a host asking
 * hv_compat_scsi_set_hw_queues(@n) gets: @n on scsi-mq kernels (each with
 * can_queue tags, so up to @n * can_queue commands at once), 1 before
 * (can_queue is then the host's whole depth). Context: any.
 */
static inline unsigned int hv_compat_scsi_hw_queues(unsigned int n)
{
#ifdef HV_HAVE_SHOST_NR_HW_QUEUES
	return n ? n : 1;
#else
	(void)n;
	return 1;
#endif
}

/* ---- devices ---------------------------------------------------------- */

/* Set @sdev's queue depth; returns the depth now in effect. Process. */
static inline int hv_compat_scsi_set_queue_depth(struct scsi_device *sdev,
						 int depth)
{
#ifdef HV_HAVE_SCSI_CHANGE_QUEUE_DEPTH
	return scsi_change_queue_depth(sdev, depth);
#else
	scsi_adjust_queue_depth(sdev, sdev->tagged_supported ?
				MSG_SIMPLE_TAG : 0, depth);
	return sdev->queue_depth;
#endif
}

/*
 * HV_DEFINE_CHANGE_QUEUE_DEPTH(name, fn): @name for the template's
 * change_queue_depth; calls int fn(struct scsi_device *, int depth).
 */
#ifdef HV_HAVE_SHT_CHANGE_QUEUE_DEPTH_REASON
#define HV_DEFINE_CHANGE_QUEUE_DEPTH(name, fn)				\
static int name(struct scsi_device *sdev, int depth, int reason)	\
{									\
	if (reason != SCSI_QDEPTH_DEFAULT)				\
		return -EOPNOTSUPP;					\
	return fn(sdev, depth);						\
}
#else
#define HV_DEFINE_CHANGE_QUEUE_DEPTH(name, fn)				\
static int name(struct scsi_device *sdev, int depth)			\
{									\
	return fn(sdev, depth);						\
}
#endif

/*
 * Device hooks: the driver writes int init(struct scsi_device *),
 * int configure(struct scsi_device *) and void destroy(struct
 * scsi_device *); HV_DEFINE_SDEV_CONFIGURE(name, configure) makes the
 * template's configure hook and HV_SHT_SDEV_HOOKS(init, name, destroy)
 * fills the template (slave_* before 6.14, sdev_* after).
 */
#if defined(HV_HAVE_SHT_SDEV_INIT)
#define HV_DEFINE_SDEV_CONFIGURE(name, fn)				\
static int name(struct scsi_device *sdev, struct queue_limits *lim)	\
{									\
	(void)lim;							\
	return fn(sdev);						\
}
#define HV_SHT_SDEV_HOOKS(init, configure, destroy)			\
	.sdev_init = init, .sdev_configure = configure, .sdev_destroy = destroy,
#elif defined(HV_HAVE_SHT_SLAVE_CONFIGURE)
#define HV_DEFINE_SDEV_CONFIGURE(name, fn)				\
static int name(struct scsi_device *sdev)				\
{									\
	return fn(sdev);						\
}
#define HV_SHT_SDEV_HOOKS(init, configure, destroy)			\
	.slave_alloc = init, .slave_configure = configure,		\
	.slave_destroy = destroy,
#else
#error "unknown scsi_host_template device hooks: add a compat case"
#endif

/* Tell sd not to send WRITE SAME (3.7+); older sd never sends it for zeroing. */
static inline void hv_compat_sdev_no_write_same(struct scsi_device *sdev)
{
#ifdef HV_HAVE_SDEV_NO_WRITE_SAME
	sdev->no_write_same = 1;
#else
	(void)sdev;
#endif
}

/*
 * Virtual boundary: middle scatter-gather segments whole pages. From 5.3
 * the template carries it (HV_SHT_VIRT_BOUNDARY); 4.3 .. 5.2 set it on
 * each device's queue (hv_compat_sdev_virt_boundary(), from the init
 * hook); older kernels cannot, and the driver bounces lists that break
 * the rule. hv_compat_sdev_virt_boundary() returns 1 when the block
 * layer enforces the boundary for @sdev.
 */
#ifdef HV_HAVE_SHT_VIRT_BOUNDARY_MASK
#define HV_SHT_VIRT_BOUNDARY(mask)	.virt_boundary_mask = (mask),
static inline int hv_compat_sdev_virt_boundary(struct scsi_device *sdev,
					       unsigned long mask)
{
	(void)sdev;
	(void)mask;
	return 1;
}
#else
#define HV_SHT_VIRT_BOUNDARY(mask)
static inline int hv_compat_sdev_virt_boundary(struct scsi_device *sdev,
					       unsigned long mask)
{
#ifdef HV_HAVE_BLK_QUEUE_VIRT_BOUNDARY
	blk_queue_virt_boundary(sdev->request_queue, mask);
	return 1;
#else
	(void)sdev;
	(void)mask;
	return 0;
#endif
}
#endif

/* Merge physically contiguous pages into one segment (default from 5.0). */
#ifdef HV_HAVE_SHT_USE_CLUSTERING
#define HV_SHT_CLUSTERING	.use_clustering = ENABLE_CLUSTERING,
#else
#define HV_SHT_CLUSTERING
#endif

/* TEST UNIT READY, @timeout in jiffies. Process context. */
static inline int hv_compat_scsi_tur(struct scsi_device *sdev, int timeout,
				     int retries)
{
#ifdef HV_HAVE_SCSI_TUR_SSHDR
	struct scsi_sense_hdr sshdr;

	return scsi_test_unit_ready(sdev, timeout, retries, &sshdr);
#else
	return scsi_test_unit_ready(sdev, timeout, retries);
#endif
}

/* ---- host attributes (sysfs, /sys/class/scsi_host/hostN/) ------------ */

/*
 * HV_SHOST_ATTR_RO(name, fill) defines a read-only host attribute whose
 * value is ssize_t fill(struct Scsi_Host *, char *buf); list them as
 *	static hv_shost_attr_t *attrs[] = { HV_SHOST_ATTR(name), ..., NULL };
 * and call hv_compat_sht_set_shost_attrs() before the first host is
 * allocated.
 */
#if defined(HV_HAVE_SHT_SHOST_GROUPS) || defined(HV_HAVE_SHT_SHOST_ATTRS_DEV)
typedef struct device_attribute hv_shost_attr_t;
#define HV_SHOST_ATTR_RO(name, fill)					\
static ssize_t hv_shost_##name##_show(struct device *dev,		\
				      struct device_attribute *a, char *buf) \
{									\
	(void)a;							\
	return fill(class_to_shost(dev), buf);				\
}									\
static struct device_attribute hv_shost_attr_##name =			\
	__ATTR(name, 0444, hv_shost_##name##_show, NULL)
#elif defined(HV_HAVE_SHT_SHOST_ATTRS_CLASSDEV)
typedef struct class_device_attribute hv_shost_attr_t;
#define HV_SHOST_ATTR_RO(name, fill)					\
static ssize_t hv_shost_##name##_show(struct class_device *cdev, char *buf) \
{									\
	return fill(class_to_shost(cdev), buf);				\
}									\
static struct class_device_attribute hv_shost_attr_##name =		\
	__ATTR(name, 0444, hv_shost_##name##_show, NULL)
#else
#error "unknown scsi_host_template host attribute type: add a compat case"
#endif
#define HV_SHOST_ATTR(name)	(&hv_shost_attr_##name)

#define HV_SHOST_MAX_ATTRS	8
#ifdef HV_HAVE_SHT_SHOST_GROUPS
struct hv_compat_shost_attrs {
	struct attribute *attrs[HV_SHOST_MAX_ATTRS + 1];
	struct attribute_group group;
	const struct attribute_group *groups[2];
};
#else
struct hv_compat_shost_attrs {
	int unused;
};
#endif

static inline void hv_compat_sht_set_shost_attrs(struct scsi_host_template *t,
						 hv_shost_attr_t **attrs,
						 struct hv_compat_shost_attrs *g)
{
#ifdef HV_HAVE_SHT_SHOST_GROUPS
	unsigned int i;

	for (i = 0; attrs[i] && i < HV_SHOST_MAX_ATTRS; i++)
		g->attrs[i] = &attrs[i]->attr;
	g->attrs[i] = NULL;
	g->group.attrs = g->attrs;
	g->groups[0] = &g->group;
	g->groups[1] = NULL;
	t->shost_groups = g->groups;
#else
	(void)g;
	t->shost_attrs = attrs;
#endif
}

/* ---- FC transport class ---------------------------------------------- */

/*
 * One struct hv_compat_fc per driver (static storage: the transport keeps
 * a pointer to the function template). Without the FC transport class in
 * the kernel configuration every call is a no-op and FC hosts are plain
 * SCSI hosts.
 */
struct hv_compat_fc {
	struct scsi_transport_template *tt;
#ifdef HV_HAVE_FC_ATTRS
	struct fc_function_template ft;
#endif
};

/* Module init: attach the transport. Return: 0 or -ENOMEM. */
static inline int hv_compat_fc_init(struct hv_compat_fc *fc)
{
#ifdef HV_HAVE_FC_ATTRS
	memset(&fc->ft, 0, sizeof(fc->ft));
	fc->ft.show_host_node_name = 1;
	fc->ft.show_host_port_name = 1;
	fc->tt = fc_attach_transport(&fc->ft);
	return fc->tt ? 0 : -ENOMEM;
#else
	fc->tt = NULL;
	return 0;
#endif
}

static inline void hv_compat_fc_exit(struct hv_compat_fc *fc)
{
#ifdef HV_HAVE_FC_ATTRS
	if (fc->tt)
		fc_release_transport(fc->tt);
#endif
	fc->tt = NULL;
}

/* Before scsi_add_host(): make @sh an FC host. */
static inline void hv_compat_fc_host_prepare(struct hv_compat_fc *fc,
					     struct Scsi_Host *sh)
{
	if (fc->tt)
		sh->transportt = fc->tt;
}

/* After scsi_add_host() (or later, any context): the host's WWNs. */
static inline void hv_compat_fc_set_wwn(struct hv_compat_fc *fc,
					struct Scsi_Host *sh, u64 node,
					u64 port)
{
#ifdef HV_HAVE_FC_ATTRS
	if (fc->tt && sh->transportt == fc->tt) {
		fc_host_node_name(sh) = node;
		fc_host_port_name(sh) = port;
	}
#else
	(void)fc;
	(void)sh;
	(void)node;
	(void)port;
#endif
}

/*
 * After scsi_add_host(): a dummy-initiator remote port, so that user
 * scans through the FC transport reach the host (4.12+). Process context.
 */
static inline void hv_compat_fc_add_rport(struct hv_compat_fc *fc,
					  struct Scsi_Host *sh)
{
#if defined(HV_HAVE_FC_ATTRS) && defined(HV_HAVE_FC_DUMMY_INITIATOR)
	struct fc_rport_identifiers ids;

	if (!fc->tt || sh->transportt != fc->tt)
		return;
	memset(&ids, 0, sizeof(ids));
	ids.roles = FC_PORT_ROLE_FCP_DUMMY_INITIATOR;
	if (!fc_remote_port_add(sh, 0, &ids))
		pr_warn("scsi host%u: could not add the FC remote port\n",
			sh->host_no);
#else
	(void)fc;
	(void)sh;
#endif
}

/* Before scsi_remove_host(). Process context. */
static inline void hv_compat_fc_host_remove(struct hv_compat_fc *fc,
					    struct Scsi_Host *sh)
{
#ifdef HV_HAVE_FC_ATTRS
	if (fc->tt && sh->transportt == fc->tt)
		fc_remove_host(sh);
#else
	(void)fc;
	(void)sh;
#endif
}

#endif /* HV_COMPAT_SCSI_H */
