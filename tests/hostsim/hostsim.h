/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hostsim.h - internals of hv_hostsim.ko, the simulated Hyper-V host:
 * hs_main.c (module, parameters, inventory, debugfs), hs_synic.c (the
 * platform ops: SynIC message/event delivery, interrupts, guest signals,
 * monitor page polling), hs_chmsg.c (channel messages: negotiation,
 * offers, GPADLs, open/close, rescind, unload), hs_io.c (ring service,
 * the loopback and null back ends), hs_vstor.c (the VSTOR protocol of the
 * storage controllers: SCSI, IDE, FC) and hs_scsi.c (the SCSI target its
 * LUNs are: RAM backed, sparse).
 *
 * Contexts:
 * - guest calls into the platform ops (post_message, signal_event, eom)
 *   from any context, possibly atomic: they only check, copy and queue.
 * - the "host" proper runs on hs.wq (ordered, one message at a time, under
 *   hs.lock) and on hs.io_wq (one work item per open channel).
 * - the monitor poller is a kthread that wakes every poll_us while a
 *   monitored channel is open.
 * Locks, outer to inner: hs.lock (mutex) > hs.chan_lock (spinlock, irq
 * safe: relid/connection/monitor maps, io_enabled) > hs.synic_lock
 * (spinlock, irq safe: SynIC pages, host->guest message queue).
 */
#ifndef HOSTSIM_H
#define HOSTSIM_H

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/atomic.h>
#include <linux/wait.h>
#include <linux/irq_work.h>
#include "hv_platform.h"
#include "hv_ring.h"
#include "hv_chmsg.h"
#include "hv_loopback.h"
#include "hv_vstor.h"

#define HS_MOD			"hv_hostsim"
#define HS_MAX_RELID		1024	/* relids 1..1023 */
#define HS_CONN_BASE		0x10000	/* signal connection id = base + relid */
#define HS_MSG_CONN_ID		0x0d	/* message connection id from 5.0 on */
#define HS_STATUS_FAIL		0xc0000001U	/* NT status for refusals */
#define HS_BATCH_PKTS		64	/* packets per pass (read_index, one signal) */
#define HS_DESC_COPY_MAX	8192	/* descriptor bytes copied for parsing */

/* ---- violations: rules of hyperv-protocol.md a guest can break ---------- */

/* X-macro lists: expanded into enums and name tables */
#define HS_VIOLATIONS(X)				\
	X(bad_message_size)				\
	X(unknown_message_type)				\
	X(message_before_negotiation)			\
	X(wrong_connection_id)				\
	X(contact_while_connected)			\
	X(target_vcpu_before_3_0)			\
	X(bad_target_vcpu)				\
	X(bad_contact_pages)				\
	X(bad_sint)					\
	X(requestoffers_twice)				\
	X(unknown_relid)				\
	X(open_twice)					\
	X(open_unknown_gpadl)				\
	X(bad_ring_offset)				\
	X(target_vp_before_2_4)				\
	X(bad_target_vp)				\
	X(close_not_open)				\
	X(gpadl_header_too_many_pfns)			\
	X(gpadl_body_too_many_pfns)			\
	X(gpadl_bad_range_buflen)			\
	X(gpadl_bad_rangecount)				\
	X(gpadl_bad_byte_count)				\
	X(gpadl_bad_msgnumber)				\
	X(gpadl_bad_handle)				\
	X(gpadl_body_unknown)				\
	X(gpadl_bad_pfn)				\
	X(gpadl_teardown_unknown)			\
	X(gpadl_teardown_in_use)			\
	X(gpadl_teardown_wrong_relid)			\
	X(relid_released_not_rescinded)			\
	X(relid_released_while_open)			\
	X(unload_before_3_0)				\
	X(modifychannel_before_4_1)			\
	X(signal_when_not_empty)			\
	X(signal_while_masked)				\
	X(signal_unknown_connection)			\
	X(signal_not_open)				\
	X(target_synic_off)				\
	X(bad_ring_indices)				\
	X(bad_packet)					\
	X(bad_packet_type)				\
	X(completion_trans_id_zero)			\
	X(unexpected_completion)			\
	X(loop_bad_request)				\
	X(gpa_bad_range)				\
	X(accepted_malformed_offer)			\
	X(vstor_bad_packet_size)			\
	X(vstor_bad_operation)				\
	X(vstor_before_init)				\
	X(vstor_no_completion_requested)		\
	X(vstor_bad_srb_length)				\
	X(vstor_bad_sense_length)			\
	X(vstor_bad_cdb_length)				\
	X(vstor_bad_transfer_length)			\
	X(vstor_not_multipage)				\
	X(vstor_middle_not_whole_page)			\
	X(vstor_bad_data_in)				\
	X(vstor_write_same_old_host)			\
	X(vstor_bad_subchannel_request)			\
	X(freed_host_owned_page)

#define HS_ENUM(n)	HS_V_##n,
enum hs_violation { HS_VIOLATIONS(HS_ENUM) HS_V_COUNT };
#undef HS_ENUM

/* ---- counters ------------------------------------------------------------ */

#define HS_COUNTERS(X)					\
	X(messages)		/* guest -> host channel messages */	\
	X(host_messages)	/* host -> guest channel messages */	\
	X(guest_signals)	/* HvSignalEvent + monitor triggers seen */ \
	X(signal_events)	/* of which HvSignalEvent */	\
	X(monitor_triggers)	/* of which monitor page bits */	\
	X(host_interrupts)	/* guest isr calls raised */	\
	X(host_signals_to_guest) /* channel events raised */	\
	X(packets_in)		/* ring packets consumed, all channels */ \
	X(completions_out)	/* COMP packets written, all channels */ \
	X(bytes_in)		/* GPA-direct bytes checksummed */	\
	X(gpadls_created)					\
	X(gpadls_torndown)					\
	X(channels_opened)					\
	X(channels_closed)					\
	X(rescinds)						\
	X(offers_sent)						\
	X(monitor_polls)					\
	X(ring_full_waits)	/* host blocked on a full guest ring */ \
	X(io_passes)		/* passes over a guest send ring that took packets */ \
	X(vstor_ios)		/* EXECUTE_SRB requests served */	\
	X(vstor_bytes_read)	/* bytes moved LUN -> guest */	\
	X(vstor_bytes_written)	/* bytes moved guest -> LUN */	\
	X(vstor_fua_writes)	/* WRITEs with the FUA bit */	\
	X(vstor_unmaps)		/* UNMAP commands */		\
	X(vstor_write_same)	/* WRITE SAME commands */		\
	X(vstor_sync_cache)	/* SYNCHRONIZE CACHE commands */	\
	X(vstor_errors)		/* SRBs completed with an error */	\
	X(vstor_subchannels)	/* sub-channels offered */		\
	X(vstor_resets)		/* RESET_LUN / RESET_BUS / RESET_ADAPTER */ \
	X(vstor_unsolicited)	/* ENUMERATE_BUS packets sent */

#define HS_ENUM(n)	HS_C_##n,
enum hs_counter { HS_COUNTERS(HS_ENUM) HS_C_COUNT };
#undef HS_ENUM

/* ---- faults -------------------------------------------------------------- */

enum hs_fault {
	HS_F_MALFORMED_OFFER,	/* next hot-added offer: monitorid >= 128 */
	HS_F_FAIL_GPADL,	/* next GPADL_CREATED: non-zero status */
	HS_F_FAIL_OPEN,		/* next OPENCHANNEL_RESULT: non-zero status */
	HS_F_NO_ANSWER,		/* next request: no response at all */
	HS_F_RESCIND_BUSY,	/* rescind the next loopback channel mid-transfer */
	HS_F_CHECK_CONDITION,	/* next READ/WRITE: CHECK CONDITION, UNIT ATTENTION */
	HS_F_SRB_ERROR,		/* next READ/WRITE: SRB_STATUS_ERROR */
	HS_F_DELAY_COMPLETION,	/* next READ/WRITE completes 2 s late */
	HS_F_DROP_COMPLETION,	/* next READ/WRITE never completes (until a reset) */
	HS_F_MALFORMED_PACKET,	/* next completion: offset8 1 (C.2: at least 2) */
	HS_F_FAIL_RESET,	/* next RESET_LUN/BUS/ADAPTER: status FAIL, nothing released */
	HS_F_COUNT
};

/* ---- the hostile host (hs_hostile.c) ------------------------------------ */

enum hs_hostile_class {
	HS_H_BOGUS_ID,		/* extra completion, trans_id never sent */
	HS_H_STALE_ID,		/* extra completion of an earlier trans_id */
	HS_H_SHORT,		/* the completion cut short */
	HS_H_LONG,		/* an extra, longer copy of the completion first */
	HS_H_OVERSIZED,		/* an extra copy past the guest's buffer first */
	HS_H_SENSE,		/* VSTOR: CHECK CONDITION, sense length overruns */
	HS_H_XFER,		/* VSTOR: data_transfer_length overruns */
	HS_H_UNSOLICITED,	/* extra in-band packet, unknown operation */
	HS_H_BAD_TYPE,		/* extra packet of a type C.2 does not have */
	HS_H_BAD_DESC,		/* extra packet, offset8 outside 2..len8 */
	HS_H_REWRITE,		/* header changed after publication and signal */
	HS_H_CHMSG,		/* a VMBus message wrong in one field */
	HS_H_COUNT
};

/* ---- device types and back ends ------------------------------------------ */

enum hs_backend {
	HS_BE_NULL = 0,		/* completes what asks for it, nothing else */
	HS_BE_LOOP,		/* hv_loopback.h */
	HS_BE_VSTOR,		/* hs_vstor.c: SCSI, IDE, FC controllers */
};

struct hs_devtype {
	const char *name;	/* devices= word */
	const char *desc;	/* human name */
	const char *guid;	/* class GUID, text */
	u16 code;		/* in the instance GUID */
	enum hs_backend be;
};

/* ---- GPADLs -------------------------------------------------------------- */

struct hs_gpadl {
	struct list_head node;		/* hs.gpadls */
	u32 handle;
	u32 relid;
	u32 npfn;			/* announced by range_buflen */
	u32 nrecv;			/* PFNs received so far */
	u32 next_msgnum;		/* next GPADL_BODY msgnumber */
	int complete;
	int revoked;			/* unmapped by a rescind */
	int failed;			/* bad PFN or such: answered non-zero */
	u64 *pfns;
	struct page **pages;
	void *va;			/* vmap of all pages once complete */
	unsigned int ring_users;	/* open channels whose rings are in it */
};

/* ---- channels ------------------------------------------------------------ */

struct hs_chan {
	struct list_head node;		/* hs.chans */
	const struct hs_devtype *type;
	u32 seq;			/* inventory sequence number */
	u32 relid;
	struct hv_guid instance;
	int monitored;
	u8 monitorid;
	u32 conn_id;
	int malformed;			/* offered with a bad monitorid */

	int offered;			/* OFFERCHANNEL sent */
	int rescinded;			/* RESCIND sent, RELID_RELEASED awaited */
	int open;
	u32 openid;
	unsigned int target_cpu;
	struct hs_gpadl *ring_gpadl;
	void *in_va, *out_va;		/* mirrored vmaps of the two rings */
	struct hv_ring in;		/* guest -> host (the guest's send ring) */
	struct hv_ring out;		/* host -> guest (the guest's receive ring) */

	/* I/O service: hs_io.c */
	struct work_struct io_work;
	int io_enabled;			/* under hs.chan_lock */
	int broken;			/* the guest corrupted the ring */
	int pend_set;			/* we set pending_send_sz on out */
	int sig_owed;			/* a write of this pass owes the guest a signal */
	struct hv_ring_header *cursor_hdr;	/* private read cursor */
	struct hv_ring cursor;		/* in's data, cursor_hdr's indices */
	u8 *desc_buf;			/* HS_DESC_COPY_MAX bytes */
	struct hs_gpa *gpa;		/* the parsed GPA-direct ranges */
	int rescind_countdown;		/* rescind_busy fault: packets to go */
	u64 h_events;			/* hostile: completions looked at */
	u64 h_last_tid;			/* hostile: the last one's trans_id */

	/* storage controllers (hs_vstor.c) */
	struct hs_vstor *vs;		/* the controller; owned by the primary */
	struct hs_chan *primary;	/* sub-channels: their primary (B.6) */
	u16 sub_index;			/* 0 primary, 1..n sub-channels */
	u8 ide_path, ide_target;	/* IDE: the address in the instance (E) */
	spinlock_t pend_lock;		/* pend, timed */
	struct list_head pend;		/* packets io_work writes next */
	struct list_head timed;		/* delayed completions, by due time */
	struct delayed_work timer;	/* moves due timed packets to pend */
	u8 *vbuf;			/* HS_VBUF bytes: SCSI responses */

	/*
	 * Signal accounting (see hs_io.c): allowances the host granted and
	 * signals it saw. Exact under races: never a false violation.
	 */
	atomic_t sig_seen;
	atomic_t allow_empty;		/* read_index published at an empty ring */
	atomic_t allow_pend;		/* pending_send_sz set on out */
	atomic_t allow_at_mask;		/* allow_empty when the mask was set */
	int masked;			/* the host is draining with mask set */

	/* statistics */
	atomic64_t packets_in;
	atomic64_t completions_out;
	atomic64_t guest_signals;
	atomic64_t host_signals;
};

/* ---- host -> guest messages waiting for SIMP slot 2 ----------------------- */

struct hs_hmsg {
	struct list_head node;
	u32 size;
	u8 payload[HV_MESSAGE_PAYLOAD_MAX];
};

/* guest -> host messages waiting for the host worker */
struct hs_gmsg {
	struct list_head node;
	u32 conn_id;
	u32 size;
	u8 payload[HV_MESSAGE_PAYLOAD_MAX];
};

/* ---- the host ------------------------------------------------------------ */

struct seq_file;

struct hs_host {
	struct hv_platform plat;
	u32 host_version;		/* what this host speaks, module param */
	unsigned int poll_us;

	struct mutex lock;		/* all host state below unless noted */
	struct list_head chans;
	struct list_head gpadls;
	/*
	 * GPADLs the host kept without telling the guest (a GPADL_CREATED or
	 * GPADL_TORNDOWN it never sent): the guest must never free their
	 * pages (hs_held_check()).
	 */
	struct list_head held;
	u32 next_seq;

	/* connection (written under lock; read locklessly by the ops) */
	int connected;
	u32 version;
	u32 msg_conn_id;
	unsigned int msg_cpu;
	int offers_requested;
	u32 *int_page;			/* < 5.0: recv half, send half */
	struct vmbus_monitor_page *mon1, *mon2;

	/* maps for lookups from any context: under chan_lock */
	spinlock_t chan_lock;
	struct hs_chan *relid_map[HS_MAX_RELID];
	struct hs_chan *mon_map[VMBUS_MAX_MONITOR_ID];

	/* SynIC: under synic_lock */
	spinlock_t synic_lock;
	unsigned int ncpus;
	struct hv_synic_pages *pages;	/* ncpus entries */
	struct list_head hmsgs;
	hv_vmbus_isr_t isr;
	struct irq_work *irq_work;	/* per CPU, local raise */
	call_single_data_t *csd;	/* per CPU, remote raise */
	spinlock_t raise_lock;		/* serialises remote raises */

	/* guest -> host message queue */
	spinlock_t gmsg_lock;
	struct list_head gmsgs;
	struct work_struct msg_work;
	struct workqueue_struct *wq;	/* ordered: messages, rescinds */
	struct workqueue_struct *io_wq;	/* channel I/O */

	/* fault-driven rescind */
	struct work_struct rescind_work;
	u32 rescind_relid;

	/* storage: parameters and the sub-channel offers (off the I/O path) */
	u16 vstor_version;		/* VSTOR version of the host (E) */
	unsigned int vstor_max_channels;	/* QUERY_PROPERTIES max_channel_cnt */
	u32 vstor_max_xfer;		/* QUERY_PROPERTIES max_transfer_bytes */
	unsigned int disk_mb;		/* size of the initial LUNs */
	struct work_struct subch_work;

	/* monitor poller */
	struct task_struct *poller;
	wait_queue_head_t poll_wq;
	atomic_t nmon_open;

	unsigned long faults;		/* bits of enum hs_fault */
	atomic_t fault_left[HS_F_COUNT];	/* events an armed fault still takes */
	atomic_t viol[HS_V_COUNT];
	atomic64_t cnt[HS_C_COUNT];
	struct dentry *dbg;
};

extern struct hs_host hs;
extern unsigned int hs_rescind_gap_ms;
extern const char *const hs_violation_names[HS_V_COUNT];
extern const char *const hs_counter_names[HS_C_COUNT];
extern const char *const hs_fault_names[HS_F_COUNT];

static inline void hs_violation(enum hs_violation v)
{
	atomic_inc(&hs.viol[v]);
}

static inline void hs_count(enum hs_counter c)
{
	atomic64_inc(&hs.cnt[c]);
}

static inline void hs_count_add(enum hs_counter c, s64 n)
{
	atomic64_add(n, &hs.cnt[c]);
}

/*
 * Does fault @f fire on this event? An armed fault fires on the next
 * fault_left[f] matching events (1 unless armed with a count), then
 * disarms itself.
 */
static inline int hs_fault_take(enum hs_fault f)
{
	int left;

	if (!test_bit(f, &hs.faults))
		return 0;
	left = atomic_dec_return(&hs.fault_left[f]);
	if (left <= 0)
		clear_bit(f, &hs.faults);
	return left >= 0;
}

/* hs_main.c */
const struct hs_devtype *hs_devtype_find(const char *name);
struct hs_chan *hs_chan_create(const struct hs_devtype *t);
struct hs_chan *hs_chan_create_sub(const struct hs_devtype *t,
				   struct hs_chan *primary, u16 sub_index);
void hs_chan_destroy(struct hs_chan *ch);
struct hs_chan *hs_chan_by_relid(u32 relid);
int hs_version_parse(const char *s, u32 *v);
int hs_version_known(u32 v);
char *hs_version_str(u32 v, char *buf, size_t len);

/* hs_synic.c */
extern const struct hv_platform_ops hs_platform_ops;
int hs_synic_init(void);
void hs_synic_exit(void);
int hs_send_msg(const void *msg, u32 size);
void hs_signal_guest(struct hs_chan *ch);
void hs_guest_signal_locked(struct hs_chan *ch);
void hs_clear_stale_signals(struct hs_chan *ch);
void hs_clear_stale_signals_locked(struct hs_chan *ch);
int hs_poller_start(void);
void hs_poller_stop(void);
void *hs_gpa_to_va(u64 gpa);
int hs_pfn_ok(u64 pfn);

/* hs_chmsg.c */
void hs_msg_work_fn(struct work_struct *w);
void hs_rescind_work_fn(struct work_struct *w);
int hs_offer_send(struct hs_chan *ch);
int hs_rescind(struct hs_chan *ch);
void hs_chan_close(struct hs_chan *ch);
void hs_forget_all(void);
void hs_held_check(u32 *npages, u32 *nfreed);
void hs_held_forget(void);

/* hs_io.c */
void hs_kick(struct hs_chan *ch);
void hs_io_work_fn(struct work_struct *w);
void hs_io_open(struct hs_chan *ch);
void hs_io_stop(struct hs_chan *ch);
void hs_io_write(struct hs_chan *ch, u16 type, u64 trans_id,
		 const void *p1, u32 l1, const void *p2, u32 l2);
int hs_io_wait_space(struct hs_chan *ch, u32 need);

/* hs_hostile.c */
int hs_hostile_init(void);
int hs_hostile_write(struct hs_chan *ch, u16 type, u64 trans_id,
		     const void *p, u32 len);
int hs_hostile_show(struct seq_file *s, void *unused);

/* A GPA-direct descriptor (C.2), checked; ranges point into the copy */
struct hs_gpa_range {
	u32 len;		/* byte_count */
	u32 offset;		/* byte_offset in the first page */
	u32 npfn;		/* PFNs the range spans */
	const u8 *pfns;		/* npfn u64s, unaligned, in the private copy */
};

struct hs_gpa {
	u32 count;		/* ranges, 1..VMBUS_MAX_PAGE_BUFFERS */
	u64 total;		/* bytes of all ranges */
	struct hs_gpa_range r[VMBUS_MAX_PAGE_BUFFERS];
};

int hs_gpa_parse(const u8 *desc, u32 dlen, struct hs_gpa *g,
		 const char **why);
u64 hs_gpa_pfn(const struct hs_gpa_range *r, u32 k);

/* hs_vstor.c */
struct hs_vstor;
int hs_vstor_create(struct hs_chan *ch);
void hs_vstor_destroy(struct hs_chan *ch);
int hs_vstor_chan_init(struct hs_chan *ch);
void hs_vstor_chan_free(struct hs_chan *ch);
void hs_vstor_open(struct hs_chan *ch);
void hs_vstor_close(struct hs_chan *ch);
u32 hs_vstor_reply_len(void);
void hs_vstor_handle(struct hs_chan *ch, const struct hv_ring_pkt *pkt,
		     const struct vmbus_pkt_desc *d);
int hs_vstor_flush(struct hs_chan *ch);
void hs_vstor_subch_work_fn(struct work_struct *w);
void hs_vstor_ide_address(unsigned int index, u8 *path, u8 *target);
int hs_luns_show(struct seq_file *s, void *unused);
int hs_luns_cmd(char *buf);
int hs_vstor_version_parse(const char *s, u16 *v);

#endif /* HOSTSIM_H */
