/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv_vmbus.h - the driver API of hv_vmbus.ko, used by hv_storvsc,
 * hv_blkvsc, hv_netvsc, hv_utils and the test drivers.
 *
 * Model: hv_vmbus creates one struct hv_device per primary channel offer
 * (OFFERCHANNEL with sub_channel_index 0) on the "vmbus" bus. A struct
 * hv_driver lists the class GUIDs it serves; the driver core binds them and
 * udev loads modules by MODALIAS "vmbus:<32 hex digits of the class GUID in
 * wire byte order>".
 *
 * Channel I/O: hv_channel_open() allocates send and receive rings, creates
 * one GPADL for both and opens the channel (B.4). The channel callback runs
 * in softirq (tasklet) context on the channel's target CPU with the inbound
 * ring's interrupt_mask set; it must drain what it wants with
 * hv_channel_read() and must not sleep. When it
 * returns, hv_vmbus unmasks and calls it again if data arrived meanwhile.
 */
#ifndef HV_VMBUS_H
#define HV_VMBUS_H

#include <linux/device.h>
#include <linux/module.h>
#include "hv_ring.h"

struct hv_channel;

/* An entry of a driver's id table; the table ends with an all-zero GUID. */
struct hv_device_id {
	struct hv_guid guid;
	unsigned long driver_data;
};

/*
 * One device per primary channel offer. The bus sets dev.dma_mask and
 * coherent_dma_mask to 64 bits and, where the kernel has them, dev.dma_parms
 * to no segment size or boundary limit: VMBus carries guest-physical PFNs.
 */
struct hv_device {
	struct device dev;
	struct hv_guid class_id;	/* offer if_type */
	struct hv_guid device_id;	/* offer if_instance */
	struct hv_channel *channel;	/* primary channel */
	void *drvdata;
};

#define to_hv_device(d)	container_of(d, struct hv_device, dev)

struct hv_driver {
	const char *name;
	const struct hv_device_id *id_table;
	/*
	 * process context (hv_vmbus's device work queue, no VMBus lock held),
	 * may sleep; return 0 or -errno
	 */
	int (*probe)(struct hv_device *dev, const struct hv_device_id *id);
	/*
	 * process context, may sleep, no VMBus lock held; the channel may
	 * already be rescinded
	 */
	void (*remove)(struct hv_device *dev);
	void (*shutdown)(struct hv_device *dev);
	struct device_driver driver;
};

#define to_hv_driver(d)	container_of(d, struct hv_driver, driver)

/**
 * __hv_driver_register() - register a VMBus driver.
 * Use the hv_driver_register() macro. Context: process, may sleep.
 * Return: 0 or -errno from driver_register().
 */
int __hv_driver_register(struct hv_driver *drv, struct module *owner,
			 const char *mod_name);
#define hv_driver_register(drv) \
	__hv_driver_register(drv, THIS_MODULE, KBUILD_MODNAME)

/** hv_driver_unregister() - unbind all devices and unregister. May sleep. */
void hv_driver_unregister(struct hv_driver *drv);

static inline void hv_set_drvdata(struct hv_device *dev, void *data)
{
	dev->drvdata = data;
}

static inline void *hv_get_drvdata(struct hv_device *dev)
{
	return dev->drvdata;
}

/**
 * hv_vmbus_version() - negotiated VMBus protocol version (B.1), e.g.
 * VMBUS_VERSION_WIN8; 0 when not connected.
 */
u32 hv_vmbus_version(void);

/* ---- channels ---------------------------------------------------------- */

typedef void (*hv_channel_cb_t)(void *ctx);

/**
 * hv_channel_open() - open a channel (B.4).
 * @c: channel (dev->channel or a sub-channel)
 * @send_bytes: send ring size including its 4 KiB header page; multiple of
 *              PAGE_SIZE, 8 KiB .. 16 MiB
 * @recv_bytes: receive ring size, same rules
 * @userdata: up to 120 bytes copied into OPENCHANNEL.user_data, or NULL
 * @udlen: bytes of @userdata
 * @cb: channel callback (see the file comment); @ctx: its argument
 *
 * Context: process, may sleep (waits up to 10 s for OPENCHANNEL_RESULT).
 * Return: 0; -EINVAL bad sizes; -ENOMEM; -ENODEV channel rescinded or bus
 * going down; -ETIMEDOUT no answer; -EIO GPADL or open refused by the host.
 */
int hv_channel_open(struct hv_channel *c, u32 send_bytes, u32 recv_bytes,
		    const void *userdata, u32 udlen, hv_channel_cb_t cb,
		    void *ctx);

/**
 * hv_channel_close() - CLOSECHANNEL, tear down the ring GPADL, free the
 * rings; the callback is not running and will not run when this returns.
 * Closes open sub-channels of a primary first. Context: process, may sleep.
 */
void hv_channel_close(struct hv_channel *c);

/**
 * hv_channel_send() - send an in-band packet (C.2).
 * @type: VMBUS_PKT_DATA_INBAND or VMBUS_PKT_COMP
 * @flags: VMBUS_PKT_FLAG_COMPLETION_REQUESTED or 0; with it, @trans_id
 *         must not be 0 (hosts never complete id 0)
 * Signals the host per C.3 and B.5. Context: any; does not sleep.
 * Return: 0; -EAGAIN ring full (pending_send_sz armed: the channel
 * callback runs when space frees); -EINVAL; -ENODEV rescinded/closed.
 */
int hv_channel_send(struct hv_channel *c, const void *buf, u32 len,
		    u64 trans_id, u16 type, u16 flags);

/* GPA-direct page-buffer range: wire layout of struct vmbus_pagebuf_range */
struct hv_page_buffer {
	u32 len;
	u32 offset;	/* within the 4 KiB page */
	u64 pfn;	/* 4 KiB Hyper-V page frame */
};

/**
 * hv_channel_send_pagebuf() - GPA-direct packet, page-buffer form: one
 * range per page, at most VMBUS_MAX_PAGE_BUFFERS; completion requested;
 * @trans_id non-zero. Context and return as hv_channel_send().
 */
int hv_channel_send_pagebuf(struct hv_channel *c,
			    const struct hv_page_buffer *pb, u32 count,
			    const void *buf, u32 len, u64 trans_id);

/* GPA-direct multipage range: one range of @pfn_count 4 KiB pages */
struct hv_multipage_buffer {
	u32 len;	/* bytes */
	u32 offset;	/* in the first page */
	u32 pfn_count;
	const u64 *pfns;
};

/**
 * hv_channel_send_mpb() - GPA-direct packet, multipage form (one range:
 * descriptor = 32 + 8 * pfn_count bytes); completion requested; @trans_id
 * non-zero. Context and return as hv_channel_send().
 */
int hv_channel_send_mpb(struct hv_channel *c,
			const struct hv_multipage_buffer *mpb,
			const void *buf, u32 len, u64 trans_id);

/**
 * hv_channel_batch_begin() - start a batch of sends on @c: write several
 * packets, signal the host (at most) once.
 * @c: an open channel
 *
 * Until the matching hv_channel_batch_end(), a send that would signal the
 * host (C.3: its packet took the send ring from empty to non-empty while
 * the host's interrupt_mask was 0) records that a signal is owed instead
 * of making it; every send function above takes part. Batches nest and
 * may be open on several CPUs at once: the count of open batches and the
 * owed signal are per channel, under the channel's send lock, and
 * whoever ends the last open batch makes the signal, so none is lost. A
 * send by a caller without a batch while another caller's batch is open
 * joins that batch (its packet is in the same ring; the signal comes at
 * the batch end). With no batch open, sends behave exactly as before.
 *
 * A send that fails with -EAGAIN (ring full) inside a batch makes the
 * owed signal at once, so the host drains and the caller may wait for
 * space (hv_channel_wait_space()) without ending the batch. Otherwise the
 * host hears nothing until the batch ends: keep batches short (prepare
 * requests first, then send them).
 *
 * Context: any; does not sleep. Every begin needs one end, before
 * hv_channel_close().
 */
void hv_channel_batch_begin(struct hv_channel *c);

/**
 * hv_channel_batch_end() - end a batch started by hv_channel_batch_begin().
 * @c: the channel
 *
 * When this closes the last open batch on @c and a batched send owed the
 * host a signal: full barrier, then signal (B.5) if the host's
 * interrupt_mask on the send ring is 0. A host with the mask set is
 * draining and looks at the ring again after clearing it (C.3), so it
 * sees the packets without a signal.
 *
 * Context: any; does not sleep.
 * Return: 1 if the host was signalled, else 0.
 */
int hv_channel_batch_end(struct hv_channel *c);

/*
 * A packet read with hv_channel_read(): a private copy in the caller's
 * buffer, validated on that copy (C.2), so nothing the host rewrites in
 * the ring afterwards can change what the driver parses.
 */
struct hv_pkt {
	u16 type;		/* VMBUS_PKT_* */
	u16 flags;		/* VMBUS_PKT_FLAG_* */
	u64 trans_id;
	u32 len;		/* whole packet: len8 * 8 bytes */
	u32 desc_len;		/* offset8 * 8: descriptor and its ranges */
	const u8 *data;		/* the payload, in the caller's buffer */
	u32 data_len;		/* len - desc_len */
};

/**
 * hv_channel_read() - copy the next packet out of the receive ring.
 * @c: an open channel
 * @buf: private buffer for the whole packet (descriptor, ranges, payload)
 * @buflen: bytes of @buf; the most a packet of this channel's protocol
 *          may take (a VSTOR packet, an NVSP message with its ranges, ...)
 * @pkt: out: the copy's fields, all read from @buf after validation
 *
 * The packet is consumed (read_index advanced; the host signalled when
 * its pending_send_sz threshold is crossed, C.3) before this returns, and
 * its descriptor (length, offset, ranges of transfer-page and GPA-direct
 * packets) is validated on the copy (hv_pkt_validate()). There is no
 * in-place receive: drivers only ever see a private copy.
 *
 * Context: the channel callback, or with it excluded; does not sleep.
 * Return: 0; -EAGAIN ring empty; -EMSGSIZE the packet is longer than
 * @buflen: it was dropped (counted) and @pkt->len says its size;
 * -EBADMSG the host broke the ring or packet rules: the channel is marked
 * broken, one log line names the relid and the field, every later read
 * returns -EBADMSG until the channel is closed and opened again;
 * -ENODEV the channel is not open.
 */
int hv_channel_read(struct hv_channel *c, void *buf, u32 buflen,
		    struct hv_pkt *pkt);

/**
 * hv_channel_wait_space() - sleep until the send ring has more than
 * @bytes free, the channel goes away, or @timeout_ms passes.
 * Context: process, may sleep. Return: 0, -ETIMEDOUT, -ENODEV.
 */
int hv_channel_wait_space(struct hv_channel *c, u32 bytes,
			  unsigned int timeout_ms);

/**
 * hv_gpadl_create() - describe @size bytes at @kbuf (page aligned, from
 * vmalloc or the page allocator) to the host (B.3).
 * @gpadl: out, the handle. Context: process, may sleep.
 * Return: 0; -EINVAL; -ENOMEM; -ETIMEDOUT; -EIO host refused; -ENODEV.
 */
int hv_gpadl_create(struct hv_channel *c, void *kbuf, u32 size, u32 *gpadl);

/**
 * hv_gpadl_teardown() - GPADL_TEARDOWN and wait (up to 10 s) for
 * GPADL_TORNDOWN (B.3).
 *
 * Only a 0 return (or a rescinded channel, hv_channel_rescinded()) means
 * the host gave the memory back. On any other error the host may still
 * read and write it: the caller must not free or reuse it, but set it
 * aside and report it with hv_vmbus_withhold().
 * Context: process, may sleep.
 * Return: 0; -ENODEV channel rescinded or bus gone; -ETIMEDOUT no answer;
 * -errno from posting the message.
 */
int hv_gpadl_teardown(struct hv_channel *c, u32 gpadl);

/**
 * hv_vmbus_withhold() - account memory the host did not give back.
 * @c: the channel it was shared on (for the log line), or NULL
 * @npages: 4 KiB pages set aside
 * @what: what it was, for the log line ("ring", "bounce", ...)
 *
 * The caller keeps the memory allocated for good (never frees or reuses
 * it): a host that never answered may still write it. The totals are in
 * debugfs, hv_vmbus/withheld_pages and hv_vmbus/withheld_sets.
 * Context: any.
 */
void hv_vmbus_withhold(struct hv_channel *c, unsigned long npages,
		       const char *what);

/** Offer of the channel, as received (read-only). */
const struct vmbus_chmsg_offer *hv_channel_offer(const struct hv_channel *c);
u32 hv_channel_relid(const struct hv_channel *c);
struct hv_device *hv_channel_device(const struct hv_channel *c);
/** Linux CPU the channel's callback runs on. */
unsigned int hv_channel_target_cpu(const struct hv_channel *c);
/** Non-zero once the host rescinded the channel. */
int hv_channel_rescinded(const struct hv_channel *c);

/**
 * hv_channel_set_subchannel_cb() - @cb is called (process context) for
 * every sub-channel offer (B.6) of @primary's device: those already
 * offered and not yet opened, at once, and those that arrive later; the
 * driver opens it with hv_channel_open(). Offers are handled apart from
 * probes, so @cb may run while the driver's probe is still running, and a
 * probe may wait (bounded) for the sub-channels it asked for. NULL stops
 * the calls; when this returns no call is running. @cb runs under the primary's sub-channel
 * lock: it must not call hv_channel_close(@primary) or this function.
 * A sub-channel rescinded on its own stays valid (calls on it fail with
 * -ENODEV) until its primary goes. Context: process.
 */
void hv_channel_set_subchannel_cb(struct hv_channel *primary,
				  void (*cb)(struct hv_channel *sc));

#endif /* HV_VMBUS_H */
