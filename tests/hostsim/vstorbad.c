// SPDX-License-Identifier: GPL-2.0
/*
 * vstorbad.c - hv_vstorbad.ko: a deliberately wrong VSTOR guest for the
 * simulated host's storage checker. It binds the synthetic SCSI class
 * (load it instead of hv_storvsc), opens the channel and, on probe, sends
 * a fixed sequence of packets that break the rules of fact sheet E one at
 * a time, interleaved with correct ones, and checks every answer: the
 * host must answer each broken request with an error (or not at all
 * where the guest asked for no completion) and keep serving the correct
 * ones. The host's violation counters say whether each rule was seen;
 * tests/qemu/scenarios/58-hostsim-vstor-checker.sh checks them. The host
 * must run vstor=5.1 (64-byte packets, no WRITE SAME, 4 sub-channels).
 *
 *   cat /sys/bus/vmbus/devices/<dev>/result    "ok N cases" or "fail: ..."
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/jiffies.h>
#include <linux/device.h>
#include "hv_vmbus.h"
#include "hv_vstor.h"
#include "hv_vstor_client.h"

#define VB_MOD		"hv_vstorbad"
#define VB_RING_BYTES	(64 * 1024)
#define VB_WAIT_MS	3000

struct vb_dev {
	struct hv_device *hdev;
	struct hv_channel *chan;
	spinlock_t lock;
	wait_queue_head_t wq;
	u64 want;			/* trans_id awaited */
	int got;
	u32 len;			/* bytes of the answer */
	struct vstor_packet resp;
	unsigned long stray;		/* packets nobody waited for */
	struct page *page;		/* data page */
	u64 next_tid;
	char result[256];
};

static void vb_cb(void *ctx)
{
	struct vb_dev *vb = ctx;
	struct hv_pkt pkt;
	u64 buf[HV_VSTOR_RX_MAX / 8];
	u32 n;
	int ret;

	for (;;) {
		ret = hv_channel_read(vb->chan, buf, sizeof(buf), &pkt);
		if (ret == -EMSGSIZE) {
			spin_lock(&vb->lock);
			vb->stray++;
			spin_unlock(&vb->lock);
			continue;
		}
		if (ret)
			break;
		spin_lock(&vb->lock);
		if (pkt.type == VMBUS_PKT_COMP && pkt.trans_id == vb->want &&
		    !vb->got) {
			n = min_t(u32, pkt.data_len, sizeof(vb->resp));
			memset(&vb->resp, 0, sizeof(vb->resp));
			memcpy(&vb->resp, pkt.data, n);
			vb->len = n;
			vb->got = 1;
		} else {
			vb->stray++;
		}
		spin_unlock(&vb->lock);
	}
	wake_up(&vb->wq);
}

enum vb_data { VB_INBAND, VB_MPB, VB_PAGEBUF };

/* How a case's request goes out. */
struct vb_req {
	struct vstor_packet pkt;
	u32 len;		/* bytes of pkt sent */
	int data;		/* enum vb_data */
	u32 xfer;		/* GPA range bytes (MPB) */
	u64 pfn;		/* MPB: the one PFN (0: the data page) */
	struct hv_page_buffer pb[2];	/* PAGEBUF */
	u16 flags;		/* VMBus flags for in-band */
};

/*
 * Send @r and wait for its answer. Return: 1 answered (vb->resp), 0 no
 * answer within VB_WAIT_MS (or @wait_ms), < 0 send error.
 */
static int vb_xchg(struct vb_dev *vb, struct vb_req *r, unsigned int wait_ms)
{
	struct hv_multipage_buffer mpb;
	u64 pfn, tid;
	int ret;

	spin_lock_bh(&vb->lock);
	tid = ++vb->next_tid;
	vb->want = tid;
	vb->got = 0;
	spin_unlock_bh(&vb->lock);
	switch (r->data) {
	case VB_MPB:
		pfn = r->pfn ? r->pfn : page_to_pfn(vb->page);
		mpb.len = r->xfer;
		mpb.offset = 0;
		mpb.pfn_count = 1;
		mpb.pfns = &pfn;
		ret = hv_channel_send_mpb(vb->chan, &mpb, &r->pkt, r->len, tid);
		break;
	case VB_PAGEBUF:
		ret = hv_channel_send_pagebuf(vb->chan, r->pb, 2, &r->pkt,
					      r->len, tid);
		break;
	default:
		ret = hv_channel_send(vb->chan, &r->pkt, r->len, tid,
				      VMBUS_PKT_DATA_INBAND, r->flags);
		break;
	}
	if (ret)
		return ret;
	wait_event_timeout(vb->wq, READ_ONCE(vb->got),
			   msecs_to_jiffies(wait_ms ? wait_ms : VB_WAIT_MS));
	spin_lock_bh(&vb->lock);
	ret = vb->got;
	vb->want = 0;
	spin_unlock_bh(&vb->lock);
	return ret;
}

/* An operation with REQUEST_COMPLETION, @len bytes, in-band. */
static void vb_op(struct vb_req *r, u32 op, u32 len)
{
	memset(r, 0, sizeof(*r));
	r->pkt.operation = op;
	r->pkt.flags = VSTOR_FLAG_REQUEST_COMPLETION;
	r->len = len;
	r->flags = VMBUS_PKT_FLAG_COMPLETION_REQUESTED;
}

/* A correct 5.1 EXECUTE_SRB for LUN 0:0 with CDB @cdb (@clen bytes). */
static void vb_srb(struct vb_req *r, const u8 *cdb, u8 clen, u8 data_in,
		   u32 xfer)
{
	struct vmscsi_request *s = &r->pkt.u.srb;

	vb_op(r, VSTOR_OP_EXECUTE_SRB, VSTOR_PKT_SIZE);
	s->length = VSTOR_SRB_LEN;
	s->cdb_length = clen;
	s->sense_info_length = VSTOR_SENSE_SIZE;
	s->data_in = data_in;
	s->data_transfer_length = xfer;
	memcpy(s->u.cdb, cdb, clen);
	s->srb_flags = data_in == VSTOR_READ_TYPE ? SRB_FLAGS_DATA_IN :
		data_in == VSTOR_WRITE_TYPE ? SRB_FLAGS_DATA_OUT : 0;
	if (xfer) {
		r->data = VB_MPB;
		r->xfer = xfer;
	}
}

static const u8 vb_tur[6];
static const u8 vb_read1[10] = { 0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0 };
static const u8 vb_read8[10] = { 0x28, 0, 0, 0, 0, 0, 0, 0, 8, 0 };
static const u8 vb_read_far[10] = { 0x28, 0, 0xff, 0xff, 0xff, 0xf0, 0, 0, 1, 0 };
static const u8 vb_ws16[16] = { 0x93, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8,
				0, 0 };
static const u8 vb_unmap[10] = { 0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0 };

/* Expectations on an answer */
enum vb_expect {
	VB_E_STATUS_FAIL,	/* vstor status != 0 */
	VB_E_STATUS_OK,		/* vstor status == 0 */
	VB_E_SRB_ERROR,		/* COMPLETE_IO, SRB status not SUCCESS */
	VB_E_SRB_OK,		/* SRB SUCCESS, scsi status 0 */
	VB_E_SENSE,		/* CHECK CONDITION, autosense: key/asc given */
	VB_E_INVALID_LUN,	/* SRB_STATUS_INVALID_LUN */
	VB_E_NONE,		/* no answer at all */
};

static int vb_check(struct vb_dev *vb, const char *name, int got,
		    enum vb_expect e, u8 key, u8 asc)
{
	const struct vstor_packet *p = &vb->resp;
	const struct vmscsi_request *s = &p->u.srb;
	const char *why = NULL;

	if (got < 0) {
		why = "send failed";
	} else if (e == VB_E_NONE) {
		if (got)
			why = "answered a request that asked for no completion";
	} else if (!got) {
		why = "no answer";
	} else if (p->operation != VSTOR_OP_COMPLETE_IO) {
		why = "answer is not COMPLETE_IO";
	} else {
		switch (e) {
		case VB_E_STATUS_FAIL:
			if (!p->status)
				why = "status 0";
			break;
		case VB_E_STATUS_OK:
			if (p->status)
				why = "status not 0";
			break;
		case VB_E_SRB_ERROR:
			if (SRB_STATUS(s->srb_status) == SRB_STATUS_SUCCESS &&
			    !s->scsi_status)
				why = "SRB succeeded";
			break;
		case VB_E_SRB_OK:
			if (SRB_STATUS(s->srb_status) != SRB_STATUS_SUCCESS ||
			    s->scsi_status)
				why = "SRB failed";
			break;
		case VB_E_SENSE:
			if (s->scsi_status != 2 ||
			    !(s->srb_status & SRB_STATUS_AUTOSENSE_VALID) ||
			    (s->u.sense[2] & 0xf) != key || s->u.sense[12] != asc)
				why = "not the expected CHECK CONDITION";
			break;
		case VB_E_INVALID_LUN:
			if (SRB_STATUS(s->srb_status) != SRB_STATUS_INVALID_LUN)
				why = "not INVALID_LUN";
			break;
		default:
			break;
		}
	}
	if (!why)
		return 0;
	snprintf(vb->result, sizeof(vb->result),
		 "fail: case %s: %s (got %d, status 0x%x, srb 0x%x, scsi 0x%x, sense %02x/%02x)",
		 name, why, got, p->status, s->srb_status, s->scsi_status,
		 s->u.sense[2], s->u.sense[12]);
	return -1;
}

/* One case: send, wait, check. Return 0 (counted in *n) or -1 (result set). */
static int vb_case(struct vb_dev *vb, struct vb_req *r, unsigned int *n,
		   const char *name, enum vb_expect e, u8 key, u8 asc,
		   unsigned int wait_ms)
{
	if (vb_check(vb, name, vb_xchg(vb, r, wait_ms), e, key, asc))
		return -1;
	(*n)++;
	return 0;
}

static void vb_run(struct vb_dev *vb)
{
	struct vb_req r;
	u8 *d = page_address(vb->page);
	unsigned int n = 0;

	/* before BEGIN_INITIALIZATION: refused (vstor_before_init) */
	vb_srb(&r, vb_tur, 6, VSTOR_UNKNOWN_TYPE, 0);
	r.len = VSTOR_PKT_SIZE_OLD;
	if (vb_case(vb, &r, &n, "srb-before-init", VB_E_SRB_ERROR, 0, 0, 0))
		return;
	vb_op(&r, VSTOR_OP_QUERY_PROPERTIES, VSTOR_PKT_SIZE_OLD);
	if (vb_case(vb, &r, &n, "props-before-begin", VB_E_STATUS_FAIL, 0, 0, 0))
		return;
	vb_op(&r, VSTOR_OP_BEGIN_INITIALIZATION, VSTOR_PKT_SIZE_OLD);
	if (vb_case(vb, &r, &n, "begin", VB_E_STATUS_OK, 0, 0, 0))
		return;
	/* 64 bytes before a version (vstor_bad_packet_size) */
	vb_op(&r, VSTOR_OP_BEGIN_INITIALIZATION, VSTOR_PKT_SIZE);
	if (vb_case(vb, &r, &n, "size-before-version", VB_E_STATUS_FAIL, 0, 0, 0))
		return;
	vb_op(&r, VSTOR_OP_QUERY_PROTOCOL_VERSION, VSTOR_PKT_SIZE_OLD);
	r.pkt.u.version.major_minor = VSTOR_VERSION_WIN10;
	if (vb_case(vb, &r, &n, "version-6.2-refused", VB_E_STATUS_FAIL, 0, 0, 0))
		return;
	vb_op(&r, VSTOR_OP_QUERY_PROTOCOL_VERSION, VSTOR_PKT_SIZE_OLD);
	r.pkt.u.version.major_minor = VSTOR_VERSION_WIN8;
	if (vb_case(vb, &r, &n, "version-5.1", VB_E_STATUS_OK, 0, 0, 0))
		return;
	vb_op(&r, VSTOR_OP_QUERY_PROPERTIES, VSTOR_PKT_SIZE);
	if (vb_case(vb, &r, &n, "props", VB_E_STATUS_OK, 0, 0, 0))
		return;
	if (!(vb->resp.u.props.flags & VSTOR_PROP_MULTICHANNEL) ||
	    !vb->resp.u.props.max_channel_cnt) {
		snprintf(vb->result, sizeof(vb->result),
			 "fail: case props: no multichannel at 5.1");
		return;
	}
	/* EXECUTE_SRB before END_INITIALIZATION (vstor_before_init) */
	vb_srb(&r, vb_tur, 6, VSTOR_UNKNOWN_TYPE, 0);
	if (vb_case(vb, &r, &n, "srb-before-end", VB_E_SRB_ERROR, 0, 0, 0))
		return;
	vb_op(&r, VSTOR_OP_END_INITIALIZATION, VSTOR_PKT_SIZE);
	if (vb_case(vb, &r, &n, "end", VB_E_STATUS_OK, 0, 0, 0))
		return;
	/* 48 bytes after 5.1 was agreed (vstor_bad_packet_size) */
	vb_srb(&r, vb_tur, 6, VSTOR_UNKNOWN_TYPE, 0);
	r.len = VSTOR_PKT_SIZE_OLD;
	if (vb_case(vb, &r, &n, "size-after-version", VB_E_STATUS_FAIL, 0, 0, 0))
		return;

	vb_srb(&r, vb_tur, 6, VSTOR_UNKNOWN_TYPE, 0);
	if (vb_case(vb, &r, &n, "tur", VB_E_SRB_OK, 0, 0, 0))
		return;
	vb_srb(&r, vb_tur, 6, VSTOR_UNKNOWN_TYPE, 0);
	r.pkt.u.srb.length = VSTOR_SRB_LEN_OLD;
	if (vb_case(vb, &r, &n, "srb-length", VB_E_SRB_ERROR, 0, 0, 0))
		return;
	vb_srb(&r, vb_tur, 6, VSTOR_UNKNOWN_TYPE, 0);
	r.pkt.u.srb.sense_info_length = VSTOR_SENSE_SIZE_OLD;
	if (vb_case(vb, &r, &n, "sense-length", VB_E_SRB_ERROR, 0, 0, 0))
		return;
	vb_srb(&r, vb_tur, 6, VSTOR_UNKNOWN_TYPE, 0);
	r.pkt.u.srb.cdb_length = 0;
	if (vb_case(vb, &r, &n, "cdb-length-0", VB_E_SRB_ERROR, 0, 0, 0))
		return;
	vb_srb(&r, vb_tur, 6, VSTOR_UNKNOWN_TYPE, 0);
	r.pkt.u.srb.cdb_length = 17;
	if (vb_case(vb, &r, &n, "cdb-length-17", VB_E_SRB_ERROR, 0, 0, 0))
		return;
	vb_srb(&r, vb_read1, 10, VSTOR_READ_TYPE, 0);
	r.pkt.u.srb.data_transfer_length = 512;
	if (vb_case(vb, &r, &n, "inband-with-length", VB_E_SRB_ERROR, 0, 0, 0))
		return;
	vb_srb(&r, vb_read1, 10, VSTOR_READ_TYPE, 512);
	r.pkt.u.srb.data_transfer_length = 1024;
	if (vb_case(vb, &r, &n, "length-not-range", VB_E_SRB_ERROR, 0, 0, 0))
		return;
	vb_srb(&r, vb_read1, 10, VSTOR_READ_TYPE, 512);
	r.pfn = 1ULL << 40;	/* far beyond the guest's RAM */
	if (vb_case(vb, &r, &n, "pfn-not-ram", VB_E_SRB_ERROR, 0, 0, 0))
		return;
	vb_srb(&r, vb_read8, 10, VSTOR_READ_TYPE, 4096);
	r.data = VB_PAGEBUF;	/* two ranges, the first ends mid-page */
	r.pb[0].len = 2048;
	r.pb[0].pfn = page_to_pfn(vb->page);
	r.pb[1].len = 2048;
	r.pb[1].pfn = page_to_pfn(vb->page);
	if (vb_case(vb, &r, &n, "middle-not-whole", VB_E_SRB_ERROR, 0, 0, 0))
		return;
	r.pb[0].offset = 2048;	/* now a legal split, still two ranges */
	if (vb_case(vb, &r, &n, "not-multipage", VB_E_SRB_ERROR, 0, 0, 0))
		return;
	vb_srb(&r, vb_read1, 10, VSTOR_WRITE_TYPE, 512);
	if (vb_case(vb, &r, &n, "data-in-contradicts-cdb", VB_E_SRB_ERROR, 0, 0, 0))
		return;
	vb_srb(&r, vb_read1, 10, VSTOR_READ_TYPE, 512);
	r.pkt.u.srb.srb_flags = 0;
	if (vb_case(vb, &r, &n, "srb-flags-contradict", VB_E_SRB_ERROR, 0, 0, 0))
		return;
	memset(d, 0, 512);
	vb_srb(&r, vb_ws16, 16, VSTOR_WRITE_TYPE, 512);
	if (vb_case(vb, &r, &n, "write-same-at-5.1", VB_E_SENSE, 0x5, 0x20, 0))
		return;
	vb_op(&r, VSTOR_OP_CREATE_SUB_CHANNELS, VSTOR_PKT_SIZE);
	r.pkt.u.sub_channel_count = 100;
	if (vb_case(vb, &r, &n, "subchannels-too-many", VB_E_STATUS_FAIL, 0, 0, 0))
		return;
	vb_op(&r, 99, VSTOR_PKT_SIZE);
	if (vb_case(vb, &r, &n, "unknown-operation", VB_E_STATUS_FAIL, 0, 0, 0))
		return;
	vb_op(&r, VSTOR_OP_COMPLETE_IO, VSTOR_PKT_SIZE);
	if (vb_case(vb, &r, &n, "host-operation", VB_E_STATUS_FAIL, 0, 0, 0))
		return;
	vb_srb(&r, vb_tur, 6, VSTOR_UNKNOWN_TYPE, 0);
	r.flags = 0;
	r.pkt.flags = 0;
	if (vb_case(vb, &r, &n, "no-completion-requested", VB_E_NONE, 0, 0, 500))
		return;

	/* correct requests with error answers: no violation */
	vb_srb(&r, vb_read_far, 10, VSTOR_READ_TYPE, 512);
	if (vb_case(vb, &r, &n, "lba-out-of-range", VB_E_SENSE, 0x5, 0x21, 0))
		return;
	vb_srb(&r, vb_tur, 6, VSTOR_UNKNOWN_TYPE, 0);
	r.pkt.u.srb.target_id = 1;
	if (vb_case(vb, &r, &n, "no-such-lun", VB_E_INVALID_LUN, 0, 0, 0))
		return;
	memset(d, 0, 24);
	d[1] = 22;		/* data length 6 + 16 */
	d[3] = 20;		/* descriptor bytes: not a multiple of 16 */
	vb_srb(&r, vb_unmap, 10, VSTOR_WRITE_TYPE, 24);
	if (vb_case(vb, &r, &n, "unmap-bad-list", VB_E_SENSE, 0x5, 0x26, 0))
		return;
	vb_srb(&r, vb_read8, 10, VSTOR_READ_TYPE, 4096);
	if (vb_case(vb, &r, &n, "read", VB_E_SRB_OK, 0, 0, 0))
		return;
	if (vb->resp.u.srb.data_transfer_length != 4096) {
		snprintf(vb->result, sizeof(vb->result),
			 "fail: case read: data_transfer_length %u",
			 vb->resp.u.srb.data_transfer_length);
		return;
	}
	snprintf(vb->result, sizeof(vb->result), "ok %u cases, %lu stray",
		 n, vb->stray);
}

static ssize_t result_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct vb_dev *vb = hv_get_drvdata(to_hv_device(dev));

	return snprintf(buf, PAGE_SIZE, "%s\n", vb->result);
}
static DEVICE_ATTR_RO(result);

static int vb_probe(struct hv_device *hdev, const struct hv_device_id *id)
{
	struct vb_dev *vb;
	int ret;

	vb = kzalloc(sizeof(*vb), GFP_KERNEL);
	if (!vb)
		return -ENOMEM;
	vb->page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!vb->page) {
		kfree(vb);
		return -ENOMEM;
	}
	vb->hdev = hdev;
	vb->chan = hdev->channel;
	spin_lock_init(&vb->lock);
	init_waitqueue_head(&vb->wq);
	strscpy(vb->result, "fail: not run", sizeof(vb->result));
	ret = hv_channel_open(vb->chan, VB_RING_BYTES, VB_RING_BYTES, NULL, 0,
			      vb_cb, vb);
	if (ret) {
		__free_page(vb->page);
		kfree(vb);
		return ret;
	}
	hv_set_drvdata(hdev, vb);
	vb_run(vb);
	dev_info(&hdev->dev, "%s\n", vb->result);
	ret = device_create_file(&hdev->dev, &dev_attr_result);
	if (ret) {
		hv_channel_close(vb->chan);
		hv_set_drvdata(hdev, NULL);
		__free_page(vb->page);
		kfree(vb);
	}
	return ret;
}

static void vb_remove(struct hv_device *hdev)
{
	struct vb_dev *vb = hv_get_drvdata(hdev);

	if (!vb)
		return;
	device_remove_file(&hdev->dev, &dev_attr_result);
	hv_channel_close(vb->chan);
	/* the host no longer touches the page */
	__free_page(vb->page);
	hv_set_drvdata(hdev, NULL);
	kfree(vb);
}

/* SCSI class GUID ba6163d9-04a1-4d29-b605-72e2ffb1dc7f, wire order */
static const struct hv_device_id vb_ids[] = {
	{ .guid = { .b = { 0xd9, 0x63, 0x61, 0xba, 0xa1, 0x04, 0x29, 0x4d,
			   0xb6, 0x05, 0x72, 0xe2, 0xff, 0xb1, 0xdc, 0x7f } } },
	{ }
};

static struct hv_driver vb_driver = {
	.name = VB_MOD,
	.id_table = vb_ids,
	.probe = vb_probe,
	.remove = vb_remove,
};

static int __init vb_init(void)
{
	return hv_driver_register(&vb_driver);
}

static void __exit vb_exit(void)
{
	hv_driver_unregister(&vb_driver);
}

module_init(vb_init);
module_exit(vb_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Deliberately wrong VSTOR guest for the hyperv-lic host simulator's checker");
MODULE_AUTHOR("hyperv-lic developers");
