// SPDX-License-Identifier: GPL-2.0
/*
 * blkvsc_drv.c - hv_blkvsc.ko: one block device per disk on Hyper-V's
 * synthetic IDE channel (fact sheet section E).
 *
 * Probe: the disk's place from the instance GUID (path = bytes 0-3,
 * target = bytes 4-5), open the channel (128 KiB rings, 24 zero bytes of
 * user data), negotiate VSTOR (BEGIN_INITIALIZATION, QUERY_PROTOCOL_VERSION
 * 6.2 -> 6.0 -> 5.1 -> 4.2 -> 2.0, QUERY_PROPERTIES, END_INITIALIZATION;
 * no sub-channels on IDE), identify the disk (INQUIRY, serial, READ
 * CAPACITY, UNMAP support), then a gendisk with the kernel's own block API
 * (compat_blk.h).
 *
 * Naming: what the admin's fstab and boot loader already say. The disk at
 * IDE path p, target t is "hd" + ('a' + 2p + t): hda primary master, hdb
 * primary slave, hdc secondary master, hdd secondary slave - the names the
 * legacy IDE layer gave the same disk when it was driven emulated. On
 * kernels built with that layer (drivers/ide: RHEL 5, SLES 11 GA) the
 * device numbers are the IDE ones as well (major 3 for the primary
 * channel, 22 for the secondary, minors 0 and 64), so /dev/hda1 and
 * root=/dev/hda1 (or 0x301) keep working unchanged. If the IDE layer
 * holds that major, it drives the emulated disk of that channel: the disk
 * is refused rather than claimed twice (see README: the emulated driver
 * must not probe synthetic disks). Kernels without the legacy IDE layer
 * built in name the emulated disk sdX (libata); no block driver outside
 * SCSI can be sdX, so there hv_blkvsc leaves the IDE channel to
 * hv_storvsc by default (compat.h, HV_COMPAT_IDE_BY_BLKVSC) and the names
 * stay sdX; claim=1 makes it take the disks as hdX on a dynamic major.
 * UUID= and LABEL= mounts work either way.
 */
#include <linux/init.h>
#include <linux/moduleparam.h>
#include <linux/major.h>
#include "blkvsc.h"

static int hv_bv_ring_kb = 128;
module_param_named(ring_size_kb, hv_bv_ring_kb, int, 0444);
MODULE_PARM_DESC(ring_size_kb, "size of each ring of the channel in KiB (16-16384, default 128)");

static int hv_bv_max_xfer_kb = 512;
module_param_named(max_transfer_kb, hv_bv_max_xfer_kb, int, 0444);
MODULE_PARM_DESC(max_transfer_kb, "largest request in KiB, if the host allows it (4-8192, default 512)");

static int hv_bv_timeout_s = 30;
module_param_named(timeout, hv_bv_timeout_s, int, 0444);
MODULE_PARM_DESC(timeout, "seconds before a request counts as timed out (5-600, default 30)");

static int hv_bv_ide_majors = 1;
module_param_named(ide_majors, hv_bv_ide_majors, int, 0444);
MODULE_PARM_DESC(ide_majors, "1 (default): on kernels with the legacy IDE layer use the IDE device numbers (hda = 3:0); 0: a dynamic major");

static int hv_bv_claim = -1;
module_param_named(claim, hv_bv_claim, int, 0444);
MODULE_PARM_DESC(claim, "-1 (default): serve IDE disks where the legacy IDE layer is built in (hdX names stay), else leave them to hv_storvsc (sdX names stay); 1: always; 0: never");

/* IDE class GUID in wire order (E; the first three fields little-endian) */
#define HV_BV_GUID_IDE	{ { 0x32, 0x26, 0x41, 0x32, 0xcb, 0x86, 0xa2, 0x44, \
			    0x9b, 0x5c, 0x50, 0xd1, 0x41, 0x73, 0x54, 0xf5 } }

static const struct hv_device_id hv_bv_ids[] = {
	{ HV_BV_GUID_IDE, 0 },
	{ { { 0 } }, 0 }
};

HV_COMPAT_VMBUS_ALIAS("vmbus:32264132cb86a2449b5c50d1417354f5");	/* IDE */

static const u8 hv_bv_open_userdata[HV_BV_USERDATA_LEN];

/* Device numbers: the IDE majors (legacy IDE kernels) or our own. */
#define HV_BV_MAX_DISKS	4	/* 2 channels x 2 devices (E) */
static DEFINE_MUTEX(hv_bv_majors_mutex);
static int hv_bv_dyn_major;		/* registered at module init, or 0 */
static int hv_bv_ide_refs[2];		/* disks on IDE0_MAJOR, IDE1_MAJOR */
static unsigned long hv_bv_used;	/* disk indexes taken */

static const struct block_device_operations hv_bv_fops = {
	.owner = THIS_MODULE,
};

/* ---- control requests ---------------------------------------------------- */

/**
 * hv_bv_ctl_exec() - run one control request (E: each initialisation
 * step, RESET_LUN, RESET_BUS).
 * @dev: the disk
 * @pkt: the request, built by hv_vstor_build_op(); replaced by the answer
 * @timeout_ms: how long to wait for the answer (and for ring space)
 * @len: out, bytes of the answer; may be NULL
 *
 * In-band with REQUEST_COMPLETION and COMPLETION_REQUESTED under a
 * non-zero trans_id (generation << 32 | HV_BV_CTL_TAG); waits for the
 * COMP packet that echoes it.
 * Context: process, dev->ctl_mutex held; sleeps (bounded).
 * Return: 0 (then check @pkt->status), -ETIMEDOUT, -ENODEV (disk going
 * away), -EPROTO (the answer is not a COMPLETE_IO), or an error of
 * hv_channel_send().
 */
int hv_bv_ctl_exec(struct hv_bv_dev *dev, struct vstor_packet *pkt,
		   unsigned int timeout_ms, u32 *len)
{
	unsigned long deadline;
	u64 trans;
	int ret;

	ret = hv_vstor_ctl_begin(&dev->ctl, HV_BV_CTL_TAG, &trans);
	if (ret)
		return ret;
	deadline = jiffies + msecs_to_jiffies(timeout_ms);
	for (;;) {
		if (!hv_bv_send_begin(dev, 0)) {
			ret = -ENODEV;
			break;
		}
		ret = hv_channel_send(dev->ch, pkt, dev->pkt_size, trans,
				      VMBUS_PKT_DATA_INBAND,
				      VMBUS_PKT_FLAG_COMPLETION_REQUESTED);
		hv_bv_send_end(dev);
		if (ret != -EAGAIN)
			break;
		if (!time_before(jiffies, deadline)) {
			ret = -ETIMEDOUT;
			break;
		}
		hv_channel_wait_space(dev->ch, HV_PKT_TOTAL(16 + dev->pkt_size),
				      100);
	}
	return hv_vstor_ctl_end(&dev->ctl, ret, deadline, pkt, len);
}

/**
 * hv_bv_ctl_complete() - the host answered a control request.
 * @dev: the disk
 * @gen: generation from the high half of the answer's trans_id
 * @vp: the answer, copied out of the ring
 * @len: its bytes
 *
 * Accepted only for the request now waiting; otherwise counted as stale.
 * Context: the channel callback (softirq).
 */
void hv_bv_ctl_complete(struct hv_bv_dev *dev, u32 gen,
			const struct vstor_packet *vp, u32 len)
{
	if (!hv_vstor_ctl_complete(&dev->ctl, gen, vp, len))
		atomic_inc(&dev->stats.stale);
}

static int hv_bv_ctl_op(struct hv_bv_dev *dev, u32 op, u32 arg,
			struct vstor_packet *resp, u32 min_len,
			unsigned int timeout_ms)
{
	u32 len = 0;
	int ret;

	ret = hv_vstor_build_op(resp, op, arg);
	if (!ret && op == VSTOR_OP_RESET_LUN) {
		/* address the LUN the way an SRB is addressed */
		resp->u.srb.length = hv_vstor_srb_len(dev->version);
		resp->u.srb.path_id = dev->path;
		resp->u.srb.target_id = dev->target;
	}
	if (!ret)
		ret = hv_bv_ctl_exec(dev, resp, timeout_ms, &len);
	if (!ret && len < min_len)
		ret = -EPROTO;
	if (!ret && resp->status)
		ret = -EIO;
	return ret;
}

/**
 * hv_bv_reset() - RESET_LUN, then RESET_BUS if that fails (E).
 * @dev: the disk
 *
 * Context: process (the watchdog), may sleep (at most twice
 * HV_BV_RESET_TIMEOUT_MS). Return: 0 when the host completed a reset
 * with status 0, else -errno.
 */
int hv_bv_reset(struct hv_bv_dev *dev)
{
	static const u32 ops[2] = { VSTOR_OP_RESET_LUN, VSTOR_OP_RESET_BUS };
	struct vstor_packet r;
	unsigned int i;
	int ret = -EIO;

	for (i = 0; i < 2; i++) {
		atomic_inc(&dev->stats.resets);
		mutex_lock(&dev->ctl_mutex);
		ret = hv_bv_ctl_op(dev, ops[i], 0, &r, 12,
				   HV_BV_RESET_TIMEOUT_MS);
		mutex_unlock(&dev->ctl_mutex);
		pr_info(HV_BV_NAME ": %s: %s %s (%d)\n", dev->name,
			i ? "RESET_BUS" : "RESET_LUN", ret ? "failed" : "done",
			ret);
		if (!ret || ret == -ENODEV)
			break;
	}
	return ret;
}

/* ---- negotiation (E) ------------------------------------------------------ */

static int hv_bv_negotiate(struct hv_bv_dev *dev)
{
	struct vstor_packet r;
	const char *step;
	unsigned int i;
	u32 xfer, cap;
	u16 v = 0;
	int ret, kb;

	mutex_lock(&dev->ctl_mutex);
	dev->version = 0;
	dev->pkt_size = hv_vstor_pkt_size(0);
	memset(&r, 0, sizeof(r));

	step = "BEGIN_INITIALIZATION";
	ret = hv_bv_ctl_op(dev, VSTOR_OP_BEGIN_INITIALIZATION, 0, &r, 12,
			   HV_BV_INIT_TIMEOUT_MS);
	if (ret)
		goto out;

	step = "QUERY_PROTOCOL_VERSION";
	for (i = 0; i < hv_vstor_nversions; i++) {
		v = hv_vstor_versions[i];
		ret = hv_bv_ctl_op(dev, VSTOR_OP_QUERY_PROTOCOL_VERSION, v, &r,
				   12, HV_BV_INIT_TIMEOUT_MS);
		if (!ret)
			break;
		if (ret != -EIO)
			goto out;	/* no answer: do not try older ones */
	}
	if (i == hv_vstor_nversions) {
		ret = -EPROTONOSUPPORT;
		goto out;
	}
	dev->version = v;
	dev->pkt_size = hv_vstor_pkt_size(v);

	step = "QUERY_PROPERTIES";
	ret = hv_bv_ctl_op(dev, VSTOR_OP_QUERY_PROPERTIES, 0, &r,
			   12 + HV_OFFSETOF(struct vstor_channel_properties,
					    reserved2), HV_BV_INIT_TIMEOUT_MS);
	if (ret)
		goto out;
	/* IDE: one disk, one channel; the multichannel flag is ignored */
	xfer = r.u.props.max_transfer_bytes & ~(HV_HYP_PAGE_SIZE - 1);

	step = "END_INITIALIZATION";
	ret = hv_bv_ctl_op(dev, VSTOR_OP_END_INITIALIZATION, 0, &r, 12,
			   HV_BV_INIT_TIMEOUT_MS);
	if (ret)
		goto out;

	kb = hv_vstor_param(HV_BV_NAME, "max_transfer_kb", hv_bv_max_xfer_kb,
			    4, 8192);
	cap = (u32)kb << 10;
	if (!xfer || xfer > cap)
		xfer = cap;	/* not reported, or more than we take */
	dev->max_xfer = xfer;
	dev->max_pfns = hv_vstor_sg_limit(xfer);
out:
	mutex_unlock(&dev->ctl_mutex);
	if (ret)
		dev_err(&dev->hdev->dev, "VSTOR %s failed (%d, status 0x%x)\n",
			step, ret, ret == -EIO ? r.status : 0);
	return ret;
}

/* Requests in flight: as many of the largest as fit the send ring. */
static u32 hv_bv_nslots(struct hv_bv_dev *dev)
{
	u32 worst, n;

	worst = HV_PKT_TOTAL(sizeof(struct vmbus_pkt_gpa_direct) +
			     sizeof(struct vmbus_mpb_range_hdr) +
			     dev->max_pfns * sizeof(u64) + dev->pkt_size);
	n = (dev->ring_bytes - HV_HYP_PAGE_SIZE - 1) / worst;
	if (n < 2)
		n = 2;
	if (n > HV_BV_MAX_SLOTS)
		n = HV_BV_MAX_SLOTS;
	return n;
}

/* ---- place, name, device numbers ----------------------------------------- */

static int hv_bv_place(struct hv_bv_dev *dev)
{
	const u8 *b = dev->hdev->device_id.b;
	const struct vmbus_chmsg_offer *o = hv_channel_offer(dev->ch);
	struct vstor_ide_offer_data ud;
	u32 path = b[0] | (b[1] << 8) | (b[2] << 16) | ((u32)b[3] << 24);
	u32 target = b[4] | (b[5] << 8);

	/* Hyper-V: two IDE channels with two devices each (E) */
	if (path > 1 || target > 1) {
		dev_err(&dev->hdev->dev, "IDE address %u:%u out of range\n",
			path, target);
		return -ENODEV;
	}
	dev->path = (u8)path;
	dev->target = (u8)target;
	dev->index = path * 2 + target;
	snprintf(dev->name, sizeof(dev->name), "hd%c", 'a' + dev->index);
	if (o) {
		memcpy(&ud, o->user_def, sizeof(ud));
		dev->offer_flags = ud.flags;
		if (ud.path_id != dev->path || ud.target_id != dev->target)
			dev_warn(&dev->hdev->dev, "offer says IDE %u:%u, instance GUID %u:%u: using the GUID\n",
				 ud.path_id, ud.target_id, path, target);
	}
	return 0;
}

/* Device numbers for the disk (see the file comment). */
static int hv_bv_get_major(struct hv_bv_dev *dev)
{
	int major, ret = 0;

	mutex_lock(&hv_bv_majors_mutex);
	if (test_bit(dev->index, &hv_bv_used)) {
		dev_err(&dev->hdev->dev, "%s exists already: disk not added\n",
			dev->name);
		ret = -EEXIST;
		goto out;
	}
	if (HV_COMPAT_LEGACY_IDE && hv_bv_ide_majors) {
		major = dev->path ? IDE1_MAJOR : IDE0_MAJOR;
		if (!hv_bv_ide_refs[dev->path]) {
			ret = register_blkdev(major, "hd");
			if (ret < 0) {
				dev_err(&dev->hdev->dev, "%s: block major %d is taken (%d): the IDE driver drives this channel; disk not added (see the hyperv-lic README: ide_core noprobe / hdX=noprobe)\n",
					dev->name, major, ret);
				goto out;
			}
			ret = 0;
		}
		hv_bv_ide_refs[dev->path]++;
		dev->major = major;
		dev->first_minor = dev->target * HV_BV_MINORS;
	} else {
		if (!hv_bv_dyn_major) {
			ret = -ENODEV;
			goto out;
		}
		dev->major = hv_bv_dyn_major;
		dev->first_minor = dev->index * HV_BV_MINORS;
	}
	set_bit(dev->index, &hv_bv_used);
	dev->major_ref = 1;
out:
	mutex_unlock(&hv_bv_majors_mutex);
	return ret;
}

static void hv_bv_put_major(struct hv_bv_dev *dev)
{
	if (!dev->major_ref)
		return;
	mutex_lock(&hv_bv_majors_mutex);
	clear_bit(dev->index, &hv_bv_used);
	if (dev->major != hv_bv_dyn_major && --hv_bv_ide_refs[dev->path] == 0)
		unregister_blkdev(dev->major, "hd");
	mutex_unlock(&hv_bv_majors_mutex);
	dev->major_ref = 0;
}

/* ---- sysfs: /sys/bus/vmbus/devices/<dev>/blkvsc/, one value per file ---- */

#define HV_BV_ATTR(_name, _fmt, _args...)				\
static ssize_t hv_bv_show_##_name(struct device *d,			\
				  struct device_attribute *a, char *buf)	\
{									\
	struct hv_bv_dev *dev = hv_get_drvdata(to_hv_device(d));	\
									\
	(void)a;							\
	if (!dev)							\
		return -ENODEV;						\
	return snprintf(buf, PAGE_SIZE, _fmt "\n", ## _args);		\
}									\
static struct device_attribute hv_bv_attr_##_name =			\
	__ATTR(_name, 0444, hv_bv_show_##_name, NULL)

#define HV_BV_STAT(_name) HV_BV_ATTR(_name, "%d", atomic_read(&dev->stats._name))

HV_BV_ATTR(disk, "%s", dev->name);
HV_BV_ATTR(ide, "%u:%u", dev->path, dev->target);
HV_BV_ATTR(emulated_also, "%u",
	   (dev->offer_flags & VSTOR_IDE_FLAG_EMULATED_PRESENT) ? 1 : 0);
HV_BV_ATTR(devno, "%d:%d", dev->major, dev->first_minor);
HV_BV_ATTR(vendor, "%s", dev->vendor);
HV_BV_ATTR(product, "%s", dev->product);
HV_BV_ATTR(revision, "%s", dev->revision);
HV_BV_ATTR(serial, "%s", dev->serial);
HV_BV_ATTR(blocks, "%llu", (unsigned long long)dev->blocks);
HV_BV_ATTR(block_size, "%u", dev->block_size);
HV_BV_ATTR(vstor_version, "%u.%u", dev->version >> 8, dev->version & 0xff);
HV_BV_ATTR(max_transfer, "%u", dev->max_xfer);
HV_BV_ATTR(slots, "%u", dev->nslots);
HV_BV_ATTR(write_cache, "%d", dev->write_cache);
HV_BV_ATTR(discard, "%d", dev->discard);
HV_BV_ATTR(state, "%d", hv_bv_state(dev));
HV_BV_STAT(stale);
HV_BV_STAT(bad);
HV_BV_STAT(bounced);
HV_BV_STAT(busy);
HV_BV_STAT(timeouts);
HV_BV_STAT(resets);
HV_BV_STAT(retries);
HV_BV_STAT(failed);
HV_BV_STAT(extended);

static struct attribute *hv_bv_attrs[] = {
	&hv_bv_attr_disk.attr, &hv_bv_attr_ide.attr,
	&hv_bv_attr_emulated_also.attr, &hv_bv_attr_devno.attr,
	&hv_bv_attr_vendor.attr, &hv_bv_attr_product.attr,
	&hv_bv_attr_revision.attr, &hv_bv_attr_serial.attr,
	&hv_bv_attr_blocks.attr, &hv_bv_attr_block_size.attr,
	&hv_bv_attr_vstor_version.attr, &hv_bv_attr_max_transfer.attr,
	&hv_bv_attr_slots.attr, &hv_bv_attr_write_cache.attr,
	&hv_bv_attr_discard.attr, &hv_bv_attr_state.attr,
	&hv_bv_attr_stale.attr, &hv_bv_attr_bad.attr,
	&hv_bv_attr_bounced.attr, &hv_bv_attr_busy.attr,
	&hv_bv_attr_timeouts.attr, &hv_bv_attr_resets.attr,
	&hv_bv_attr_retries.attr, &hv_bv_attr_failed.attr,
	&hv_bv_attr_extended.attr,
	NULL
};

static struct attribute_group hv_bv_attr_group = {
	.name = "blkvsc",
	.attrs = hv_bv_attrs,
};

/* ---- probe / remove -------------------------------------------------------- */

/* The disk's limits from what the host and the disk said. */
static void hv_bv_limits(struct hv_bv_dev *dev, struct hv_blk_limits *l)
{
	u64 dmax;

	memset(l, 0, sizeof(*l));
	l->logical_block_size = dev->block_size;
	l->physical_block_size = dev->phys_block_size;
	l->max_hw_sectors = dev->max_xfer >> 9;
	l->max_segments = dev->max_pfns;
	l->virt_boundary = HV_HYP_PAGE_SIZE - 1;	/* E: whole middle pages */
	l->write_cache = 1;	/* Hyper-V disks may cache: flushes go through */
	l->fua = dev->version >= VSTOR_VERSION_WIN8;
	dev->write_cache = l->write_cache;
	dev->discard = 0;
	if (dev->unmap_max_blocks) {
		dmax = (u64)dev->unmap_max_blocks * (dev->block_size >> 9);
		if (dmax > 0x3fffff)
			dmax = 0x3fffff;	/* 2 GiB per discard */
		l->max_discard_sectors = (u32)dmax;
		l->discard_granularity = dev->unmap_granularity *
			dev->block_size;
		dev->discard = 1;
	}
}

/*
 * Wait for senders (hv_bv_send_begin/end) to leave: they never wait long
 * (100 ms at most for ring space), so 10 s without progress is a bug.
 */
static void hv_bv_wait_senders(struct hv_bv_dev *dev)
{
	unsigned int i;

	for (i = 0; atomic_read(&dev->senders) && i < 500; i++)
		msleep(20);
	WARN_ONCE(atomic_read(&dev->senders),
		  HV_BV_NAME ": %s: %d sender(s) still busy after 10 s\n",
		  dev->name, atomic_read(&dev->senders));
}

/* Everything probe set up, in reverse (see README "Removal"). */
static void hv_bv_teardown(struct hv_bv_dev *dev)
{
	/* a broken channel (malformed packet) answers nothing any more */
	int gone = hv_channel_rescinded(dev->ch) ||
		hv_channel_broken(dev->ch) ||
		hv_bv_state(dev) != HV_BV_RUNNING;

	if (gone && hv_bv_state(dev) != HV_BV_OFFLINE) {
		/* the host is gone: nothing it holds comes back */
		hv_bv_set_state(dev, HV_BV_GONE);
		hv_vstor_ctl_cancel(&dev->ctl);
		hv_bv_wait_senders(dev);
		if (dev->slots)
			hv_bv_abandon(dev, -EIO,
				      !hv_channel_rescinded(dev->ch));
		hv_compat_blk_mark_dead(&dev->blk);
	}
	/* a live host completes the last writes; a dead one fails them */
	hv_compat_blk_del(&dev->blk);
	if (dev->slots)
		hv_bv_drain(dev, dev->timeout / HZ * 1000 + 30000);
	if (!gone && dev->write_cache && hv_bv_state(dev) == HV_BV_RUNNING)
		hv_bv_sync_cache(dev);
	hv_compat_blk_remove(&dev->blk);

	hv_bv_set_state(dev, HV_BV_DEAD);
	hv_vstor_ctl_cancel(&dev->ctl);
	if (dev->wd)
		kthread_stop(dev->wd);
	dev->wd = NULL;
	hv_bv_wait_senders(dev);
	if (dev->slots)
		hv_bv_abandon(dev, -EIO, !hv_channel_rescinded(dev->ch));
	if (dev->open)
		hv_channel_close(dev->ch);	/* no callback after this */
	dev->open = 0;
	hv_bv_io_free(dev);
	hv_bv_put_major(dev);
}

static int hv_bv_probe(struct hv_device *hdev, const struct hv_device_id *id)
{
	struct hv_blk_limits lim;
	struct hv_bv_dev *dev;
	int kb = hv_bv_ring_kb, t = hv_bv_timeout_s, ret;

	(void)id;
	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	dev->hdev = hdev;
	dev->ch = hdev->channel;
	atomic_set(&dev->state, HV_BV_INIT);
	atomic_set(&dev->senders, 0);
	spin_lock_init(&dev->rqt.lock);
	mutex_init(&dev->ctl_mutex);
	hv_vstor_ctl_init(&dev->ctl);
	kb = hv_vstor_param(HV_BV_NAME, "ring_size_kb", kb, 16, 16384);
	dev->ring_bytes = ((u32)kb << 10) & ~((u32)PAGE_SIZE - 1);
	t = hv_vstor_param(HV_BV_NAME, "timeout", t, 5, 600);
	dev->timeout = (unsigned int)t * HZ;

	ret = hv_bv_place(dev);
	if (ret)
		goto fail_free;
	hv_set_drvdata(hdev, dev);

	ret = hv_channel_open(dev->ch, dev->ring_bytes, dev->ring_bytes,
			      hv_bv_open_userdata, HV_BV_USERDATA_LEN,
			      hv_bv_on_channel, dev);
	if (ret) {
		dev_err(&hdev->dev, "%s: channel not opened (%d)\n",
			dev->name, ret);
		goto fail_free;
	}
	dev->open = 1;
	ret = hv_bv_negotiate(dev);
	if (ret)
		goto fail;
	dev->nslots = hv_bv_nslots(dev);
	ret = hv_bv_io_alloc(dev);
	if (ret)
		goto fail;
	ret = hv_bv_identify(dev);
	if (ret)
		goto fail;
	ret = hv_bv_get_major(dev);
	if (ret)
		goto fail;

	hv_bv_limits(dev, &lim);
	ret = hv_compat_blk_alloc(&dev->blk, dev, hv_bv_queue, dev->nslots,
				  HV_BV_MINORS, &lim);
	if (ret)
		goto fail;
	dev->wd = kthread_run(hv_bv_watchdog, dev, "%s/%s", HV_BV_NAME,
			      dev->name);
	if (IS_ERR(dev->wd)) {
		ret = PTR_ERR(dev->wd);
		dev->wd = NULL;
		goto fail;
	}
	hv_bv_set_state(dev, HV_BV_RUNNING);
	ret = hv_compat_blk_add(&dev->blk, &hdev->dev, dev->major,
				dev->first_minor, dev->name, &hv_bv_fops, dev,
				dev->blocks << (ilog2(dev->block_size) - 9));
	if (ret) {
		dev_err(&hdev->dev, "%s: disk not added (%d)\n", dev->name, ret);
		goto fail;
	}
	if (sysfs_create_group(&hdev->dev.kobj, &hv_bv_attr_group))
		dev_warn(&hdev->dev, "%s: no blkvsc sysfs attributes\n", dev->name);
	else
		dev->sysfs_group = 1;
	dev_info(&hdev->dev, "%s (%d:%d): %s %s %s, serial %s, %llu x %u bytes, VSTOR %u.%u, %u-byte requests, %u slots%s%s\n",
		 dev->name, dev->major, dev->first_minor, dev->vendor,
		 dev->product, dev->revision,
		 dev->serial[0] ? dev->serial : "-",
		 (unsigned long long)dev->blocks, dev->block_size,
		 dev->version >> 8, dev->version & 0xff, dev->max_xfer,
		 dev->nslots, dev->discard ? ", discard" : "",
		 (dev->offer_flags & VSTOR_IDE_FLAG_EMULATED_PRESENT) ?
		 ", also emulated" : "");
	return 0;

fail:
	hv_bv_teardown(dev);
fail_free:
	hv_set_drvdata(hdev, NULL);
	kfree(dev);
	return ret;
}

static void hv_bv_remove(struct hv_device *hdev)
{
	struct hv_bv_dev *dev = hv_get_drvdata(hdev);

	if (!dev)
		return;
	if (dev->sysfs_group)
		sysfs_remove_group(&hdev->dev.kobj, &hv_bv_attr_group);
	hv_bv_teardown(dev);
	hv_set_drvdata(hdev, NULL);
	kfree(dev);
}

static struct hv_driver hv_bv_driver = {
	.name = HV_BV_NAME,
	.id_table = hv_bv_ids,
	.probe = hv_bv_probe,
	.remove = hv_bv_remove,
};

static int hv_bv_registered;

static int __init hv_bv_init(void)
{
	int ret;

	if (hv_bv_claim == 0 || (hv_bv_claim < 0 && !HV_COMPAT_IDE_BY_BLKVSC)) {
		pr_info("%s: IDE disks are served by hv_storvsc on this kernel (sdX names); load with claim=1 to take them\n",
			HV_BV_NAME);
		return 0;
	}
	if (!HV_COMPAT_LEGACY_IDE || !hv_bv_ide_majors) {
		ret = register_blkdev(0, HV_BV_NAME);
		if (ret < 0)
			return ret;
		hv_bv_dyn_major = ret;
	}
	ret = hv_driver_register(&hv_bv_driver);
	if (ret && hv_bv_dyn_major) {
		unregister_blkdev(hv_bv_dyn_major, HV_BV_NAME);
		hv_bv_dyn_major = 0;
	}
	hv_bv_registered = !ret;
	return ret;
}

static void __exit hv_bv_exit(void)
{
	if (hv_bv_registered)
		hv_driver_unregister(&hv_bv_driver);
	if (hv_bv_dyn_major)
		unregister_blkdev(hv_bv_dyn_major, HV_BV_NAME);
}

module_init(hv_bv_init);
module_exit(hv_bv_exit);

MODULE_LICENSE("GPL");
MODULE_VERSION(HV_LIC_VERSION);
MODULE_DESCRIPTION("Hyper-V synthetic IDE disk driver (hyperv-lic)");
MODULE_AUTHOR("hyperv-lic developers");
