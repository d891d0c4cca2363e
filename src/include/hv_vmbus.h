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
 * In polled mode (hv_channel_set_polled(), for NAPI) the callback is only
 * told that the host signalled: interrupts stay masked until the driver's
 * poll has drained the ring and calls hv_channel_unmask().
 */
#ifndef HV_VMBUS_H
#define HV_VMBUS_H

#include <linux/device.h>
#include <linux/module.h>
#include <linux/spinlock.h>
#include "hv_ring.h"
#include "hv_rqt.h"

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
 * hv_channel_set_polled() - callback mode of @c.
 * @on: 0 (default): hv_vmbus drains; the callback runs with inbound
 *      interrupts masked, and again while data keeps arriving, then
 *      hv_vmbus unmasks. 1: polled: the callback runs once per host signal
 *      with interrupts masked and they stay masked (C.3: the host does not
 *      signal while interrupt_mask is set) until the driver calls
 *      hv_channel_unmask(), typically at the end of a NAPI poll that read
 *      less than its budget.
 * Set it before hv_channel_open() or with the callback excluded.
 * Context: any.
 */
void hv_channel_set_polled(struct hv_channel *c, int on);

/**
 * hv_channel_mask() - set the inbound interrupt_mask (C.3): the host stops
 * signalling @c. Context: any, serialised with hv_channel_unmask() by the
 * caller (the driver's poll).
 */
void hv_channel_mask(struct hv_channel *c);

/**
 * hv_channel_unmask() - clear the inbound interrupt_mask, then look at the
 * ring again (C.3: a packet written while masked brought no signal).
 * Context: any, serialised with the driver's reads on @c.
 * Return: 0 when the ring is empty (the host signals the next packet);
 * non-zero (bytes waiting) when the driver must poll again: it may mask
 * again, or keep polling with interrupts unmasked.
 */
u32 hv_channel_unmask(struct hv_channel *c);

/**
 * hv_channel_set_rescind_cb() - @cb(@c, @ctx) is called once when the
 * host rescinds @c (a primary or a sub-channel), before anything of the
 * channel is closed: every call on @c fails with -ENODEV from then on,
 * and its requests in flight will not be answered. For a primary the
 * device's remove follows; a sub-channel is closed right after @cb
 * returns (the driver stops sending on it, e.g. moves its CPUs to another
 * channel). @cb runs in process context (hv_vmbus's offer work queue,
 * with its channel lock held): it must not sleep long, close @c or call
 * this function. NULL clears; hv_channel_close() clears it too; when
 * either returns no call of @cb is running. Context: process, may sleep.
 */
void hv_channel_set_rescind_cb(struct hv_channel *c,
			       void (*cb)(struct hv_channel *c, void *ctx),
			       void *ctx);

/**
 * hv_channel_broken() - non-zero once the host broke the ring or packet
 * rules on @c (hv_channel_read() returned -EBADMSG), until it is opened
 * again. hv_vmbus then resets the device: the driver is unbound (its
 * remove runs; requests in flight on a broken channel will not be
 * answered, so it gives them up at once) and bound again, at most 3 times
 * in 10 minutes, after which it stays unbound (debugfs hv_vmbus/
 * device_resets, device_unbinds). Context: any.
 */
int hv_channel_broken(const struct hv_channel *c);

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

/* ---- request tracking -------------------------------------------------- */

/*
 * A table naming a driver's requests in flight by trans_id (the rules and
 * states are in hv_rqt.h): a completion finds its request only through an
 * id of an entry that is BUSY in the same generation, and exactly one of
 * completion, timeout, reset, teardown or a failed send takes a request
 * back from the host. The driver keeps its own per-request data in an
 * array indexed like the table.
 *
 * @lock may be taken by the driver to change its per-request data
 * atomically with an entry's state: under it, call the __hv_rqt_*()
 * forms, which are the hv_rqt_core_*() functions on @core. The other
 * functions take @lock themselves (irqsave: any context).
 */
struct hv_rqt {
	spinlock_t lock;
	struct hv_rqt_core core;
};

/**
 * hv_rqt_init() - allocate and set up a table of @n entries, all free.
 * @t: the table (embedded in the driver's structure)
 * @n: entries, 1 .. HV_RQT_MAX
 * Context: process, may sleep. Return: 0, -EINVAL, -ENOMEM.
 */
int hv_rqt_init(struct hv_rqt *t, u32 n);

/**
 * hv_rqt_destroy() - free the table. Entries still BUSY are the host's:
 * the caller must have claimed them (and set their memory aside if the
 * host never gave it back); one warning if any are left. Safe on a table
 * hv_rqt_init() failed on or never saw (zeroed). Context: process.
 */
void hv_rqt_destroy(struct hv_rqt *t);

/**
 * hv_rqt_get() - take a free entry (HELD: the driver's until armed).
 * @idx: out, its index
 * Context: any. Return: 0, or -EBUSY when all entries are in use.
 */
int hv_rqt_get(struct hv_rqt *t, u32 *idx);

/**
 * hv_rqt_arm() - entry @idx goes to the host: BUSY with a new generation.
 * @id: out, the trans_id to send it with (never 0)
 * Context: any. Return: 0, or -EINVAL (out of range, not HELD).
 */
int hv_rqt_arm(struct hv_rqt *t, u32 idx, u64 *id);

/**
 * hv_rqt_claim() - take back the entry a completion's trans_id names.
 * @id: the trans_id the host sent (any value)
 * @idx: out, the entry (now HELD)
 * Context: any. Return: 0; -ENOENT the id names no request in flight
 * (stale, duplicate or made up): counted (hv_rqt_stale()), nothing done.
 */
int hv_rqt_claim(struct hv_rqt *t, u64 id, u32 *idx);

/**
 * hv_rqt_cancel() - after a failed send, take request @id back if it is
 * still the sender's (see hv_rqt_core_cancel()).
 * Context: any. Return: 0 taken back (the sender finishes it); -ENOENT a
 * completion or a give-up took it first and finishes it.
 */
int hv_rqt_cancel(struct hv_rqt *t, u64 id);

/**
 * hv_rqt_claim_idx() - give up request @idx whatever its generation:
 * BUSY -> HELD. For teardown, reset and failed sends: a 0 return makes the
 * caller the one path that finishes the request.
 * Context: any. Return: 0; -ENOENT not BUSY (taken by someone else);
 * -EINVAL out of range.
 */
int hv_rqt_claim_idx(struct hv_rqt *t, u32 idx);

/**
 * hv_rqt_put() - HELD entry @idx back to the free list.
 * Context: any. Return: 0, or -EINVAL (out of range, not HELD).
 */
int hv_rqt_put(struct hv_rqt *t, u32 idx);

/** hv_rqt_busy() - entries in flight (BUSY) now. Context: any. */
u32 hv_rqt_busy(struct hv_rqt *t);

/** hv_rqt_stale() - completions refused since hv_rqt_init(). Context: any. */
u32 hv_rqt_stale(struct hv_rqt *t);

/* Under t->lock (see struct hv_rqt). */
#define __hv_rqt_get(t, idx)		hv_rqt_core_get(&(t)->core, idx)
#define __hv_rqt_arm(t, idx, id)	hv_rqt_core_arm(&(t)->core, idx, id)
#define __hv_rqt_claim(t, id, idx)	hv_rqt_core_claim(&(t)->core, id, idx)
#define __hv_rqt_cancel(t, id)		hv_rqt_core_cancel(&(t)->core, id)
#define __hv_rqt_claim_idx(t, idx)	hv_rqt_core_claim_idx(&(t)->core, idx)
#define __hv_rqt_put(t, idx)		hv_rqt_core_put(&(t)->core, idx)
#define __hv_rqt_state(t, idx)		hv_rqt_core_state(&(t)->core, idx)
#define __hv_rqt_gen(t, idx)		hv_rqt_core_gen(&(t)->core, idx)

#endif /* HV_VMBUS_H */
