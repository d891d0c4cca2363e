// SPDX-License-Identifier: GPL-2.0
/*
 * ring.c - VMBus ring buffer: write, peek, consume and the signalling
 * decisions of shared/docs/hyperv-protocol.md section C.
 *
 * Pure C (see hv_types.h): built into the modules and the unit tests.
 *
 * Trust model: the header page and the data area are shared with the peer,
 * which may write anything at any time. Every index is read once into a
 * local, checked (< size, 8-aligned) and only the local copy is used; every
 * descriptor field that bounds an access is read once the same way. All
 * index arithmetic is written so that it cannot overflow 32 bits, whatever
 * the ring size.
 */
#include "hv_ring.h"

/* Descriptor word 0 holds type (low 16) and offset8 (high 16); word 1 holds
 * len8 (low 16) and flags (high 16).
 */
#define RING_DESC_W0	0
#define RING_DESC_W1	4

HV_BUILD_ASSERT(HV_OFFSETOF(struct vmbus_pkt_desc, offset8) == RING_DESC_W0 + 2);
HV_BUILD_ASSERT(HV_OFFSETOF(struct vmbus_pkt_desc, len8) == RING_DESC_W1);

/**
 * ring_idx_ok() - is @idx a usable index for a ring of @size bytes?
 * @size: data size (multiple of 8)
 * @idx: value read from the shared header
 *
 * Packets start and end on 8-byte boundaries, so a valid index is below
 * @size and a multiple of 8.
 */
static inline int ring_idx_ok(u32 size, u32 idx)
{
	return idx < size && (idx & 7) == 0;
}

/**
 * ring_used() - bytes between @rd and @w, i.e. (w - rd) mod size.
 * @size: data size
 * @w: write index, already checked < @size
 * @rd: read index, already checked < @size
 */
static inline u32 ring_used(u32 size, u32 w, u32 rd)
{
	return w >= rd ? w - rd : size - (rd - w);
}

/**
 * ring_advance() - (pos + n) mod size without forming pos + n.
 * @size: data size
 * @pos: current offset, < @size
 * @n: bytes to move forward, <= @size
 */
static inline u32 ring_advance(u32 size, u32 pos, u32 n)
{
	u32 room = size - pos;

	return n < room ? pos + n : n - room;
}

/**
 * ring_put() - copy into the data area, wrapping if needed.
 * @r: ring
 * @pos: data offset to copy to, < size
 * @src: bytes to copy
 * @len: how many, at most the ring size
 *
 * A mirrored ring takes one memcpy even when the copy runs past the end (it
 * lands in the second mapping); otherwise the copy is split in two.
 */
static inline void ring_put(const struct hv_ring *r, u32 pos, const void *src,
			    u32 len)
{
	u32 room = r->size - pos;

	if (len <= room || r->mirrored) {
		memcpy(r->data + pos, src, len);
	} else {
		memcpy(r->data + pos, src, room);
		memcpy(r->data, (const u8 *)src + room, len - room);
	}
}

/* ring_zero() - as ring_put(), writing zeroes (packet padding). */
static void ring_zero(const struct hv_ring *r, u32 pos, u32 len)
{
	u32 room = r->size - pos;

	if (len <= room || r->mirrored) {
		memset(r->data + pos, 0, len);
	} else {
		memset(r->data + pos, 0, room);
		memset(r->data, 0, len - room);
	}
}

static int ring_describe(struct hv_ring *r, void *hdr, void *data, u32 size,
			 int mirrored)
{
	if (!r || !hdr || !data || size < HV_HYP_PAGE_SIZE || (size & 7))
		return -EINVAL;
	r->hdr = (struct hv_ring_header *)hdr;
	r->data = (u8 *)data;
	r->size = size;
	r->mirrored = mirrored ? 1 : 0;
	return 0;
}

int hv_ring_init(struct hv_ring *r, void *hdr, void *data, u32 size,
		 int mirrored)
{
	int ret = ring_describe(r, hdr, data, size, mirrored);

	if (ret)
		return ret;
	/* reserved fields too: the page is shared, leave nothing stale */
	memset(hdr, 0, sizeof(struct hv_ring_header));
	r->hdr->feature_bits = HV_RING_FEAT_PENDING_SEND_SZ;
	hv_core_wmb();
	return 0;
}

int hv_ring_attach(struct hv_ring *r, void *hdr, void *data, u32 size,
		   int mirrored)
{
	return ring_describe(r, hdr, data, size, mirrored);
}

u32 hv_ring_bytes_used(const struct hv_ring *r)
{
	u32 w = HV_READ_ONCE32(r->hdr->write_index);
	u32 rd = HV_READ_ONCE32(r->hdr->read_index);

	if (!ring_idx_ok(r->size, w) || !ring_idx_ok(r->size, rd))
		return 0;
	return ring_used(r->size, w, rd);
}

u32 hv_ring_bytes_free(const struct hv_ring *r)
{
	u32 w = HV_READ_ONCE32(r->hdr->write_index);
	u32 rd = HV_READ_ONCE32(r->hdr->read_index);

	if (!ring_idx_ok(r->size, w) || !ring_idx_ok(r->size, rd))
		return 0;
	return r->size - ring_used(r->size, w, rd);
}

/*
 * A packet whose packet + trailer is >= size can never be written (free
 * space never exceeds size and must be strictly greater), so it is refused
 * with -EINVAL rather than -EAGAIN, which would make a caller wait forever.
 * Corrupt indices in the header count as a full ring (-EAGAIN), as in
 * hv_ring_bytes_free().
 */
int hv_ring_write(struct hv_ring *r, const struct hv_ring_sg *sg,
		  unsigned int nsg, int *signal)
{
	u32 size = r->size;
	u32 pktlen, total, w, rd, pos;
	unsigned int i;
	u16 len8;
	u64 trailer;

	if (signal)
		*signal = 0;
	if (!sg || nsg == 0 || !sg[0].buf ||
	    sg[0].len < sizeof(struct vmbus_pkt_desc))
		return -EINVAL;

	memcpy(&len8, (const u8 *)sg[0].buf +
	       HV_OFFSETOF(struct vmbus_pkt_desc, len8), sizeof(len8));
	pktlen = (u32)len8 * 8;
	total = 0;
	for (i = 0; i < nsg; i++) {
		if (sg[i].len > pktlen - total || (sg[i].len && !sg[i].buf))
			return -EINVAL;
		total += sg[i].len;
	}
	if (pktlen >= size - VMBUS_PKT_TRAILER_SIZE)
		return -EINVAL;

	w = HV_READ_ONCE32(r->hdr->write_index);
	rd = HV_READ_ONCE32(r->hdr->read_index);
	if (!ring_idx_ok(size, w) || !ring_idx_ok(size, rd))
		return -EAGAIN;
	if (size - ring_used(size, w, rd) <= pktlen + VMBUS_PKT_TRAILER_SIZE)
		return -EAGAIN;

	pos = w;
	for (i = 0; i < nsg; i++) {
		if (!sg[i].len)
			continue;
		ring_put(r, pos, sg[i].buf, sg[i].len);
		pos = ring_advance(size, pos, sg[i].len);
	}
	if (total < pktlen) {
		ring_zero(r, pos, pktlen - total);
		pos = ring_advance(size, pos, pktlen - total);
	}
	/* pos is 8-aligned here, so the trailer never straddles the end */
	trailer = (u64)w << 32;
	memcpy(r->data + pos, &trailer, sizeof(trailer));
	pos = ring_advance(size, pos, VMBUS_PKT_TRAILER_SIZE);

	/*
	 * Release: the packet's bytes before the index that covers them. The
	 * reader pairs this with the read barrier after its look at
	 * write_index; a write barrier is enough (on x86 stores are not
	 * reordered with stores, and virt_wmb() is a compiler barrier).
	 */
	hv_core_wmb();
	HV_WRITE_ONCE32(r->hdr->write_index, pos);

	if (signal) {
		/* the publish must be visible before we look at the reader */
		hv_core_mb();
		*signal = HV_READ_ONCE32(r->hdr->interrupt_mask) == 0 &&
			  HV_READ_ONCE32(r->hdr->read_index) == w;
	}
	return 0;
}

/*
 * The descriptor's offset8 and len8 lie in its first 8 bytes, which never
 * straddle the end of the data area (packets start 8-aligned), so they are
 * read in place with single 32-bit loads whatever the layout. When the
 * packet is copied to @bounce, the validated snapshot of those 8 bytes is
 * written over the copy so that the bounce copy agrees with pkt->len even
 * if the peer rewrote the descriptor meanwhile.
 */
int hv_ring_peek(const struct hv_ring *r, struct hv_ring_pkt *pkt,
		 void *bounce, u32 bounce_len)
{
	u32 size = r->size;
	u32 rd, w, avail, w0, w1, len8, offset8, len, room;
	const u8 *p;

	rd = HV_READ_ONCE32(r->hdr->read_index);
	w = HV_READ_ONCE32(r->hdr->write_index);
	if (!ring_idx_ok(size, rd) || !ring_idx_ok(size, w))
		return -EBADMSG;
	if (rd == w)
		return -EAGAIN;
	avail = ring_used(size, w, rd);	/* >= 8: both indices 8-aligned */

	/* the data must not be read before the write_index that covers it */
	hv_core_rmb();

	p = r->data + rd;
	w0 = *(const volatile u32 *)(p + RING_DESC_W0);
	w1 = *(const volatile u32 *)(p + RING_DESC_W1);
	offset8 = w0 >> 16;
	len8 = w1 & 0xffff;
	if (len8 < 2 || offset8 < 2 || offset8 > len8)
		return -EBADMSG;
	len = len8 * 8;
	if (len > avail - VMBUS_PKT_TRAILER_SIZE)
		return -EBADMSG;

	pkt->start = rd;
	pkt->len = len;
	room = size - rd;
	if (len <= room || r->mirrored) {
		pkt->bytes = p;
	} else {
		if (!bounce || bounce_len < len) {
			pkt->bytes = NULL;
			pkt->desc = NULL;
			return -ENOBUFS;
		}
		memcpy(bounce, p, room);
		memcpy((u8 *)bounce + room, r->data, len - room);
		memcpy((u8 *)bounce + RING_DESC_W0, &w0, sizeof(w0));
		memcpy((u8 *)bounce + RING_DESC_W1, &w1, sizeof(w1));
		pkt->bytes = (const u8 *)bounce;
	}
	pkt->desc = (const struct vmbus_pkt_desc *)pkt->bytes;
	return 0;
}

/*
 * The new read index is derived from pkt->start and pkt->len (values that
 * hv_ring_peek() validated), never from the shared read_index. A @pkt that
 * cannot have come from hv_ring_peek() on this ring is ignored.
 *
 * Free space before and after are computed against the same write_index
 * snapshot, read after the barrier that follows the publish: the producer
 * stores pending_send_sz, barriers, then re-reads read_index, so one of the
 * two sides always sees the other.
 */
int hv_ring_consume(struct hv_ring *r, const struct hv_ring_pkt *pkt)
{
	u32 size = r->size;
	u32 start = pkt->start;
	u32 len = pkt->len;
	u32 next, pend, w, free_new;

	if (!ring_idx_ok(size, start) || (len & 7) ||
	    len >= size - VMBUS_PKT_TRAILER_SIZE)
		return 0;
	next = ring_advance(size, start, len + VMBUS_PKT_TRAILER_SIZE);

	/* finish reading the packet before handing its space back */
	hv_core_rmb();
	HV_WRITE_ONCE32(r->hdr->read_index, next);
	hv_core_mb();

	if (!(HV_READ_ONCE32(r->hdr->feature_bits) &
	      HV_RING_FEAT_PENDING_SEND_SZ))
		return 0;
	pend = HV_READ_ONCE32(r->hdr->pending_send_sz);
	if (!pend)
		return 0;
	w = HV_READ_ONCE32(r->hdr->write_index);
	if (!ring_idx_ok(size, w))
		return 0;
	free_new = size - ring_used(size, w, next);
	if (free_new <= pend)
		return 0;
	return size - ring_used(size, w, start) <= pend;
}

void hv_ring_mask_interrupts(struct hv_ring *r)
{
	HV_WRITE_ONCE32(r->hdr->interrupt_mask, 1);
	hv_core_mb();
}

u32 hv_ring_unmask_interrupts(struct hv_ring *r)
{
	HV_WRITE_ONCE32(r->hdr->interrupt_mask, 0);
	hv_core_mb();
	return hv_ring_bytes_used(r);
}

void hv_ring_set_pending_send(struct hv_ring *r, u32 bytes)
{
	HV_WRITE_ONCE32(r->hdr->pending_send_sz, bytes);
	hv_core_mb();
}
