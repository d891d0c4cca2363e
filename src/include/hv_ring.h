/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv_ring.h - VMBus ring buffer, protocol core (shared/docs/hyperv-protocol.md
 * section C). Pure C: compiled into hv_vmbus.ko, hv_hostsim.ko and the
 * user-space unit tests.
 *
 * One struct hv_ring describes one direction (one header page + data area)
 * as seen by one side. The same code serves the guest (producer on its send
 * ring, consumer on its receive ring) and the simulated host (the reverse).
 *
 * Locking: none inside. One producer and one consumer may run concurrently
 * on the two ends of a ring; callers serialise producers among themselves
 * and consumers among themselves.
 */
#ifndef HV_RING_H
#define HV_RING_H

#include "hv_wire.h"

struct hv_ring {
	struct hv_ring_header *hdr;	/* shared header page */
	u8 *data;			/* data area, size bytes */
	u32 size;			/* data bytes: multiple of 8, >= 4096 */
	/*
	 * Non-zero when data[size .. 2*size) aliases data[0 .. size) (the data
	 * pages are mapped twice back to back), so every packet is contiguous
	 * in virtual memory and can be read in place.
	 */
	u32 mirrored;
};

/* One piece of a packet being written (gather list for hv_ring_write). */
struct hv_ring_sg {
	const void *buf;
	u32 len;
};

/* A packet found by hv_ring_peek(). */
struct hv_ring_pkt {
	const struct vmbus_pkt_desc *desc;	/* == (void *)bytes */
	const u8 *bytes;	/* whole packet, len bytes, no trailer */
	u32 len;		/* desc->len8 * 8 */
	u32 start;		/* read_index at which the packet starts */
};

/**
 * hv_ring_init() - reset a ring's header and describe it (owner side).
 * @r: ring to fill
 * @hdr: header page (4096 bytes), shared with the other end
 * @data: data area
 * @size: data size in bytes; multiple of 8 and at least 4096 (C.1)
 * @mirrored: data is mapped twice back to back (see struct hv_ring)
 *
 * Zeroes indices, interrupt_mask and pending_send_sz, and sets feature_bits
 * to HV_RING_FEAT_PENDING_SEND_SZ (C.1). Context: any; does not sleep.
 * Return: 0, or -EINVAL for a bad size or NULL pointer.
 */
int hv_ring_init(struct hv_ring *r, void *hdr, void *data, u32 size,
		 int mirrored);

/**
 * hv_ring_attach() - describe a ring set up by the other end (no reset).
 * Same parameters and return as hv_ring_init(); the header is left as is.
 */
int hv_ring_attach(struct hv_ring *r, void *hdr, void *data, u32 size,
		   int mirrored);

/**
 * hv_ring_bytes_free() - bytes the producer could write now.
 * free = size - ((write - read) mod size) (C.2). A write of T bytes needs
 * free > T. Indices out of range (a hostile peer) count as a full ring.
 */
u32 hv_ring_bytes_free(const struct hv_ring *r);

/**
 * hv_ring_bytes_used() - bytes waiting for the consumer, 0..size-8.
 * Indices out of range count as empty.
 */
u32 hv_ring_bytes_used(const struct hv_ring *r);

/**
 * hv_ring_write() - append one packet (+ 8-byte trailer) to the ring.
 * @r: ring, producer side
 * @sg: pieces of the packet; the first must begin with a struct
 *      vmbus_pkt_desc whose len8 covers the packet, all pieces and padding
 * @nsg: number of pieces, >= 1
 * @signal: out, set to 1 when the peer must be signalled: the ring went
 *          from empty to non-empty and the peer's interrupt_mask is 0
 *          (C.3); set to 0 otherwise. May be NULL.
 *
 * The pieces are copied back to back and zero-padded to desc->len8 * 8; the
 * trailer holds the start write_index in its high 32 bits. write_index is
 * published after a write barrier; the signal decision reads the peer's
 * interrupt_mask and read_index after a full barrier. Nothing is written
 * on error.
 * Context: any; does not sleep.
 * Return: 0; -EINVAL when len8*8 is smaller than the pieces or larger than
 * the ring; -EAGAIN when free space is not strictly greater than the packet
 * plus trailer (the ring is never completely full).
 */
int hv_ring_write(struct hv_ring *r, const struct hv_ring_sg *sg,
		  unsigned int nsg, int *signal);

/**
 * hv_ring_peek() - find the next packet without consuming it.
 * @r: ring, consumer side
 * @pkt: out, the packet
 * @bounce: buffer used when the packet wraps and the ring is not mirrored
 * @bounce_len: size of @bounce
 *
 * Validates what the peer wrote before anything is used: indices in range
 * and 8-aligned, len8 >= 2, offset8 >= 2 and <= len8, packet plus trailer
 * not longer than the bytes available.
 * Context: any; does not sleep.
 * Return: 0 and @pkt filled; -EAGAIN when the ring is empty; -EBADMSG when
 * the peer wrote a malformed descriptor or indices; -ENOBUFS when the packet
 * wraps, the ring is not mirrored and @bounce is too small (pkt->len set).
 */
int hv_ring_peek(const struct hv_ring *r, struct hv_ring_pkt *pkt,
		 void *bounce, u32 bounce_len);

/**
 * hv_ring_consume() - release the packet returned by hv_ring_peek().
 * @r: ring, consumer side
 * @pkt: the packet last peeked (consumed in order)
 *
 * Advances read_index by len + 8 after a read barrier, then a full barrier.
 * Context: any; does not sleep.
 * Return: 1 when the producer must be signalled because it advertised
 * pending_send_sz (feature bit set, value non-zero) and this read moved the
 * free space from <= pending_send_sz to > pending_send_sz (C.3); else 0.
 */
int hv_ring_consume(struct hv_ring *r, const struct hv_ring_pkt *pkt);

/**
 * hv_ring_mask_interrupts() - consumer: set interrupt_mask = 1 (C.3
 * batching) so the producer does not signal while we drain.
 */
void hv_ring_mask_interrupts(struct hv_ring *r);

/**
 * hv_ring_unmask_interrupts() - consumer: set interrupt_mask = 0, full
 * barrier, re-check.
 * Return: bytes available to read after unmasking; non-zero means data
 * arrived while masked and the caller must keep draining.
 */
u32 hv_ring_unmask_interrupts(struct hv_ring *r);

/**
 * hv_ring_set_pending_send() - producer: ask to be signalled when more than
 * @bytes are free (0 clears the request). Full barrier after the store.
 */
void hv_ring_set_pending_send(struct hv_ring *r, u32 bytes);

/* Packet length helpers: a payload of n bytes after a header of h bytes. */
#define HV_PKT_ALIGN8(n)	(((n) + 7U) & ~7U)
#define HV_PKT_TOTAL(n)		(HV_PKT_ALIGN8(n) + VMBUS_PKT_TRAILER_SIZE)

#endif /* HV_RING_H */
