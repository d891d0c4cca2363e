// SPDX-License-Identifier: GPL-2.0
/*
 * hs_synic.c - the simulated hypervisor side of hv_platform (fact sheet
 * A.3, A.4, B.5): the SynIC message and event-flags pages the guest hands
 * over, delivery of host messages into SIMP slot 2 with MessagePending /
 * EOM, channel events (SIEF area 2 from 2.4, the interrupt page before),
 * the guest's interrupt raised in hard-IRQ context on the target CPU,
 * HvPostMessage / HvSignalEvent as the guest calls them, and the poller of
 * monitor page 2.
 */
#include <linux/mm.h>
#include <linux/smp.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/ioport.h>
#include "hostsim.h"

/* ---- guest memory -------------------------------------------------------- */

/**
 * hs_pfn_ok() - may the host touch a 4 KiB guest frame? It must have a
 * struct page and be RAM: anything else a guest names is refused.
 * @pfn: the frame
 *
 * Context: process (page_is_ram() takes a read lock). Return: 1 or 0.
 */
int hs_pfn_ok(u64 pfn)
{
	if (pfn > (u64)ULONG_MAX || !pfn_valid((unsigned long)pfn))
		return 0;
	return page_is_ram((unsigned long)pfn);
}

/**
 * hs_gpa_to_va() - kernel address of a guest page (interrupt and monitor
 * pages, B.1).
 * @gpa: guest physical address; must be page aligned RAM
 *
 * Return: VA or NULL.
 */
void *hs_gpa_to_va(u64 gpa)
{
	if (!gpa || (gpa & (HV_HYP_PAGE_SIZE - 1)) ||
	    !hs_pfn_ok(gpa >> HV_HYP_PAGE_SHIFT))
		return NULL;
	return page_address(pfn_to_page((unsigned long)(gpa >> HV_HYP_PAGE_SHIFT)));
}

/* ---- interrupts ------------------------------------------------------------ */

static void hs_call_isr(void)
{
	hv_vmbus_isr_t isr = READ_ONCE(hs.isr);

	if (isr) {
		hs_count(HS_C_host_interrupts);
		isr();
	}
}

static void hs_irq_work_fn(struct irq_work *w)
{
	hs_call_isr();
}

static void hs_csd_fn(void *info)
{
	hs_call_isr();
}

/*
 * Raise the guest's VMBus interrupt on @cpu: a self-IPI through irq_work
 * when @cpu is this CPU, an IPI (async cross call) otherwise; both run the
 * isr in hard-IRQ context. A raise already pending on that CPU covers this
 * one (the isr scans everything when it runs). Context: any.
 */
static void hs_raise(unsigned int cpu)
{
	unsigned long flags;
	unsigned int me;

	if (cpu >= hs.ncpus || !cpu_online(cpu) || !READ_ONCE(hs.isr))
		return;
	me = get_cpu();
	if (cpu == me) {
		irq_work_queue(&hs.irq_work[cpu]);
	} else {
		/* the "busy?" test of an async cross call is not atomic */
		spin_lock_irqsave(&hs.raise_lock, flags);
		smp_call_function_single_async(cpu, &hs.csd[cpu]);
		spin_unlock_irqrestore(&hs.raise_lock, flags);
	}
	put_cpu();
}

static void hs_nop(void *info)
{
}

/* Wait until no raise is pending or running on any CPU. Process context. */
static void hs_irq_quiesce(void)
{
	unsigned int cpu;

	for (cpu = 0; cpu < hs.ncpus; cpu++)
		irq_work_sync(&hs.irq_work[cpu]);
	/* cross calls run in order: one sync call drains the earlier ones */
	for_each_online_cpu(cpu)
		smp_call_function_single(cpu, hs_nop, NULL, 1);
	for (cpu = 0; cpu < hs.ncpus; cpu++)
		irq_work_sync(&hs.irq_work[cpu]);
}

/* ---- host -> guest messages (A.4) ---------------------------------------- */

/*
 * Move queued messages into SIMP slot 2 of the message CPU while it is
 * free. When it is occupied, set MessagePending and look again after a full
 * barrier: the guest clears message_type, barriers, then reads the flag, so
 * either it sees the flag (and writes EOM) or we see the free slot.
 * Return: 1 when a message was written (raise the interrupt).
 */
static int hs_deliver_locked(void)
{
	struct hv_message_slot *slot;
	struct hs_hmsg *m;
	unsigned int cpu = hs.msg_cpu;
	int wrote = 0;

	if (cpu >= hs.ncpus || !hs.pages[cpu].simp)
		return 0;
	slot = &hs.pages[cpu].simp[VMBUS_MESSAGE_SINT];
	while (!list_empty(&hs.hmsgs)) {
		if (READ_ONCE(slot->message_type) != HV_MSG_NONE) {
			WRITE_ONCE(slot->flags, slot->flags | HV_MSG_FLAG_PENDING);
			/* flag, then look: the guest frees, then looks (Dekker) */
			smp_mb();
			if (READ_ONCE(slot->message_type) != HV_MSG_NONE)
				break;
		}
		m = list_first_entry(&hs.hmsgs, struct hs_hmsg, node);
		list_del(&m->node);
		slot->payload_size = (u8)m->size;
		slot->sender = 0;
		memcpy(slot->payload, m->payload, m->size);
		WRITE_ONCE(slot->flags, list_empty(&hs.hmsgs) ? 0 :
			   HV_MSG_FLAG_PENDING);
		/* the message before its type: the guest reads type first */
		smp_wmb();
		WRITE_ONCE(slot->message_type, HV_POST_MESSAGE_TYPE_VMBUS);
		kfree(m);
		wrote = 1;
	}
	return wrote;
}

/**
 * hs_send_msg() - send a channel message to the guest (SIMP slot 2 of the
 * message CPU, queued while the slot is busy).
 * @msg: the message, starting with struct vmbus_chmsg_hdr
 * @size: its size, 8..240
 *
 * Context: process or atomic (allocates with GFP_ATOMIC).
 * Return: 0 or -ENOMEM / -EINVAL.
 */
int hs_send_msg(const void *msg, u32 size)
{
	struct hs_hmsg *m;
	unsigned long flags;
	int raise;

	if (size < sizeof(struct vmbus_chmsg_hdr) || size > HV_MESSAGE_PAYLOAD_MAX)
		return -EINVAL;
	m = kzalloc(sizeof(*m), GFP_ATOMIC);
	if (!m)
		return -ENOMEM;
	memcpy(m->payload, msg, size);
	m->size = size;
	hs_count(HS_C_host_messages);
	spin_lock_irqsave(&hs.synic_lock, flags);
	list_add_tail(&m->node, &hs.hmsgs);
	raise = hs_deliver_locked();
	spin_unlock_irqrestore(&hs.synic_lock, flags);
	if (raise)
		hs_raise(hs.msg_cpu);
	return 0;
}

/* ---- host -> guest channel events (A.4, B.5) ----------------------------- */

/**
 * hs_signal_guest() - tell the guest that a channel has news: relid bit
 * in SIEF area 2 of the channel's CPU (2.4+), or the relid bit in the
 * receive half of the interrupt page plus bit 0 of SIEF area 2 of CPU 0
 * (older hosts); then the interrupt.
 * @ch: the channel
 *
 * Context: any.
 */
void hs_signal_guest(struct hs_chan *ch)
{
	unsigned long flags;
	unsigned int cpu = 0;
	u32 *area;

	spin_lock_irqsave(&hs.synic_lock, flags);
	if (hs.version >= VMBUS_VERSION_WIN8) {
		cpu = READ_ONCE(ch->target_cpu);
		if (cpu < hs.ncpus && hs.pages[cpu].siefp) {
			area = (u32 *)(hs.pages[cpu].siefp +
				       VMBUS_MESSAGE_SINT * HV_SYNIC_EVENT_AREA_SIZE);
			hv_compat_sync_set_bit(ch->relid, area);
		} else if (READ_ONCE(ch->open) && !READ_ONCE(ch->rescinded)) {
			/* the guest turned off the SynIC its channel targets */
			hs_violation(HS_V_target_synic_off);
		}
	} else if (hs.int_page && hs.pages[0].siefp) {
		hv_compat_sync_set_bit(ch->relid, hs.int_page);
		area = (u32 *)(hs.pages[0].siefp +
			       VMBUS_MESSAGE_SINT * HV_SYNIC_EVENT_AREA_SIZE);
		hv_compat_sync_set_bit(0, area);
	}
	spin_unlock_irqrestore(&hs.synic_lock, flags);
	atomic64_inc(&ch->host_signals);
	hs_count(HS_C_host_signals_to_guest);
	hs_raise(cpu);
}

/* ---- platform ops -------------------------------------------------------- */

static int hs_synic_enable(struct hv_platform *p, unsigned int cpu,
			   struct hv_synic_pages *pages)
{
	unsigned long flags;
	int raise;

	if (cpu >= hs.ncpus || !pages || !pages->simp || !pages->siefp)
		return -EINVAL;
	spin_lock_irqsave(&hs.synic_lock, flags);
	hs.pages[cpu] = *pages;
	raise = cpu == hs.msg_cpu && hs_deliver_locked();
	spin_unlock_irqrestore(&hs.synic_lock, flags);
	if (raise)
		hs_raise(cpu);
	return 0;
}

static void hs_synic_disable(struct hv_platform *p, unsigned int cpu)
{
	unsigned long flags;

	if (cpu >= hs.ncpus)
		return;
	spin_lock_irqsave(&hs.synic_lock, flags);
	hs.pages[cpu].simp = NULL;
	hs.pages[cpu].siefp = NULL;
	spin_unlock_irqrestore(&hs.synic_lock, flags);
}

/*
 * HvPostMessage: the connection id check is the hypercall's own answer and
 * is given synchronously; the message itself is copied and handed to the
 * host worker. INITIATE_CONTACT for 5.0+ goes to connection 4, which a
 * <= 4.0 host does not have (B.1); everything else goes to the negotiated
 * message connection (1 below 5.0).
 */
static u16 hs_post_message(struct hv_platform *p, u32 conn_id,
			   const void *payload, u32 size)
{
	const struct vmbus_chmsg_hdr *h = payload;
	struct hs_gmsg *m;
	unsigned long flags;
	u32 ver = 0, want;

	if (!payload || size < sizeof(*h) || size > HV_MESSAGE_PAYLOAD_MAX) {
		hs_violation(HS_V_bad_message_size);
		return HV_STATUS_INVALID_PARAMETER;
	}
	if (h->msgtype == CHMSG_INITIATE_CONTACT) {
		if (size >= 12)
			memcpy(&ver, (const u8 *)payload + 8, sizeof(ver));
		if (conn_id == VMBUS_MESSAGE_CONNECTION_ID_4) {
			if (hs.host_version < VMBUS_VERSION_WIN10_V5)
				return HV_STATUS_INVALID_CONNECTION_ID;
			if (ver < VMBUS_VERSION_WIN10_V5) {
				hs_violation(HS_V_wrong_connection_id);
				return HV_STATUS_INVALID_CONNECTION_ID;
			}
		} else if (conn_id == VMBUS_MESSAGE_CONNECTION_ID) {
			if (ver >= VMBUS_VERSION_WIN10_V5 &&
			    hs.host_version >= VMBUS_VERSION_WIN10_V5) {
				hs_violation(HS_V_wrong_connection_id);
				return HV_STATUS_INVALID_CONNECTION_ID;
			}
		} else {
			hs_violation(HS_V_wrong_connection_id);
			return HV_STATUS_INVALID_CONNECTION_ID;
		}
	} else {
		want = VMBUS_MESSAGE_CONNECTION_ID;
		/* pairs with smp_store_release() in hs_set_connection() */
		if (smp_load_acquire(&hs.connected) &&
		    READ_ONCE(hs.version) >= VMBUS_VERSION_WIN10_V5)
			want = READ_ONCE(hs.msg_conn_id);
		if (conn_id != want) {
			hs_violation(HS_V_wrong_connection_id);
			return HV_STATUS_INVALID_CONNECTION_ID;
		}
	}

	m = kmalloc(sizeof(*m), GFP_ATOMIC);
	if (!m)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	m->conn_id = conn_id;
	m->size = size;
	memcpy(m->payload, payload, size);
	hs_count(HS_C_messages);
	spin_lock_irqsave(&hs.gmsg_lock, flags);
	list_add_tail(&m->node, &hs.gmsgs);
	spin_unlock_irqrestore(&hs.gmsg_lock, flags);
	queue_work(hs.wq, &hs.msg_work);
	return HV_STATUS_SUCCESS;
}

/**
 * hs_guest_signal_locked() - account a guest signal and kick the host.
 * @ch: the channel signalled
 *
 * A guest signal for @ch, from HvSignalEvent or a monitor trigger. The
 * checks (B.5, C.3) compare signals seen with allowances the host granted:
 * one each time it published a read_index at which the ring was empty (a
 * write starting there may signal, once), one each time it set
 * pending_send_sz on its outbound ring (the guest signals when it frees
 * that much). More signals than allowances: the guest signalled a ring
 * that had not gone empty->non-empty. While the host drains with
 * interrupt_mask set, only allowances granted before the mask was set
 * (plus pending_send_sz ones, which ignore the mask) can be in use; see
 * hs_io.c for why this has no false positives. Caller holds chan_lock.
 */
void hs_guest_signal_locked(struct hs_chan *ch)
{
	int n, pend;

	if (!ch->io_enabled) {
		if (!ch->rescinded && !ch->broken)
			hs_violation(HS_V_signal_not_open);
		return;
	}
	hs_count(HS_C_guest_signals);
	atomic64_inc(&ch->guest_signals);
	n = atomic_inc_return(&ch->sig_seen);
	pend = atomic_read(&ch->allow_pend);
	if (n > atomic_read(&ch->allow_empty) + pend) {
		hs_violation(HS_V_signal_when_not_empty);
		atomic_dec(&ch->sig_seen);
	} else if (READ_ONCE(ch->masked)) {
		/* flag, then snapshot: pairs with smp_wmb() in hs_drain() */
		smp_rmb();
		if (n > atomic_read(&ch->allow_at_mask) + pend) {
			hs_violation(HS_V_signal_while_masked);
			atomic_dec(&ch->sig_seen);
		}
	}
	hs_kick(ch);
}

/* Clear the relid bit the guest set in the send half of the interrupt page. */
static void hs_clear_send_bit(u32 relid)
{
	u32 *send_half;

	if (!hs.int_page || relid >= VMBUS_MAX_RELID)
		return;
	send_half = (u32 *)((u8 *)hs.int_page + VMBUS_INTPAGE_HALF);
	if (READ_ONCE(send_half[relid / 32]) & (1U << (relid % 32)))
		hv_compat_sync_clear_bit(relid, send_half);
}

/**
 * hs_clear_stale_signals() - forget the signal bits of a channel's relid
 * and monitor id that the host has not looked at.
 * @ch: the channel
 *
 * Called when a channel is closed (they were for it), and before one is
 * opened (an earlier user of the relid or monitor id may have left some,
 * e.g. a guest that kept signalling a channel the host had already
 * rescinded). Context: any.
 */
void hs_clear_stale_signals(struct hs_chan *ch)
{
	unsigned long flags;

	spin_lock_irqsave(&hs.chan_lock, flags);
	hs_clear_stale_signals_locked(ch);
	spin_unlock_irqrestore(&hs.chan_lock, flags);
}

/* The same with hs.chan_lock held (the poller and HvSignalEvent take it). */
void hs_clear_stale_signals_locked(struct hs_chan *ch)
{
	struct vmbus_monitor_page *mp;

	hs_clear_send_bit(ch->relid);
	mp = hs.mon2;
	if (mp && ch->monitored)
		hv_compat_sync_clear_bit(ch->monitorid % VMBUS_MONITOR_PER_GROUP,
			&mp->trigger_group[ch->monitorid / VMBUS_MONITOR_PER_GROUP].pending);
}

/*
 * 0.13: one event connection for all; the send half says which relids.
 * Monitored channels set their relid bit too (B.5), but signal through the
 * monitor page: their bits are cleared here and counted by the poller.
 */
static void hs_scan_send_half_locked(void)
{
	struct hs_chan *ch;
	u32 *send_half;
	u32 w, word, bit, relid;

	if (!hs.int_page)
		return;
	send_half = (u32 *)((u8 *)hs.int_page + VMBUS_INTPAGE_HALF);
	for (w = 0; w < HS_MAX_RELID / 32; w++) {
		if (!READ_ONCE(send_half[w]))
			continue;
		word = hv_compat_xchg32(&send_half[w], 0);
		while (word) {
			bit = __ffs(word);
			word &= ~(1U << bit);
			relid = w * 32 + bit;
			ch = relid ? hs.relid_map[relid] : NULL;
			/* a monitored channel's signal is its monitor bit */
			if (ch && !ch->monitored)
				hs_guest_signal_locked(ch);
		}
	}
}

static u16 hs_signal_event(struct hv_platform *p, u32 conn_id)
{
	struct hs_chan *ch = NULL;
	unsigned long flags;
	u32 relid;
	u16 st = HV_STATUS_SUCCESS;

	hs_count(HS_C_signal_events);
	spin_lock_irqsave(&hs.chan_lock, flags);
	if (!hs.connected) {
		st = HV_STATUS_INVALID_CONNECTION_ID;
	} else if (hs.version < VMBUS_VERSION_WIN7) {
		if (conn_id == VMBUS_EVENT_CONNECTION_ID)
			hs_scan_send_half_locked();
		else
			st = HV_STATUS_INVALID_CONNECTION_ID;
	} else {
		relid = conn_id - HS_CONN_BASE;
		if (conn_id >= HS_CONN_BASE && relid < HS_MAX_RELID)
			ch = hs.relid_map[relid];
		if (ch && ch->conn_id == conn_id) {
			hs_clear_send_bit(relid);
			hs_guest_signal_locked(ch);
		} else {
			st = HV_STATUS_INVALID_CONNECTION_ID;
		}
	}
	spin_unlock_irqrestore(&hs.chan_lock, flags);
	if (st != HV_STATUS_SUCCESS)
		hs_violation(HS_V_signal_unknown_connection);
	return st;
}

static void hs_eom(struct hv_platform *p)
{
	unsigned long flags;
	int raise;

	spin_lock_irqsave(&hs.synic_lock, flags);
	raise = hs_deliver_locked();
	spin_unlock_irqrestore(&hs.synic_lock, flags);
	if (raise)
		hs_raise(hs.msg_cpu);
}

static int hs_irq_enable(struct hv_platform *p, hv_vmbus_isr_t isr)
{
	if (!isr)
		return -EINVAL;
	WRITE_ONCE(hs.isr, isr);
	return 0;
}

static void hs_irq_disable(struct hv_platform *p)
{
	WRITE_ONCE(hs.isr, NULL);
	hs_irq_quiesce();
}

/* VP index = Linux CPU number: the identity mapping of this host. */
static u32 hs_vp_index(struct hv_platform *p, unsigned int cpu)
{
	return cpu;
}

const struct hv_platform_ops hs_platform_ops = {
	.synic_enable = hs_synic_enable,
	.synic_disable = hs_synic_disable,
	.post_message = hs_post_message,
	.signal_event = hs_signal_event,
	.eom = hs_eom,
	.irq_enable = hs_irq_enable,
	.irq_disable = hs_irq_disable,
	.vp_index = hs_vp_index,
};

/* ---- monitor page poller (B.5) --------------------------------------------- */

static void hs_poll_monitor(void)
{
	struct vmbus_monitor_page *mp;
	unsigned long flags;
	unsigned int g, bit, id;
	u32 pend;
	struct hs_chan *ch;

	spin_lock_irqsave(&hs.chan_lock, flags);
	mp = hs.mon2;
	if (!mp)
		goto out;
	hs_count(HS_C_monitor_polls);
	for (g = 0; g < VMBUS_MONITOR_GROUPS; g++) {
		if (!READ_ONCE(mp->trigger_group[g].pending))
			continue;
		pend = hv_compat_xchg32(&mp->trigger_group[g].pending, 0);
		while (pend) {
			bit = __ffs(pend);
			pend &= ~(1U << bit);
			id = g * VMBUS_MONITOR_PER_GROUP + bit;
			ch = hs.mon_map[id];
			if (!ch)
				continue;
			hs_count(HS_C_monitor_triggers);
			hs_clear_send_bit(ch->relid);
			hs_guest_signal_locked(ch);
		}
	}
out:
	spin_unlock_irqrestore(&hs.chan_lock, flags);
}

/*
 * The poller sleeps while no monitored channel is open; otherwise it looks
 * at monitor page 2 every poll_us microseconds (module parameter, default
 * 500), the latency a monitored channel's first packet of a burst sees.
 */
static int hs_poller_fn(void *arg)
{
	unsigned int us;

	while (!kthread_should_stop()) {
		if (!atomic_read(&hs.nmon_open)) {
			wait_event_interruptible(hs.poll_wq,
				kthread_should_stop() ||
				atomic_read(&hs.nmon_open) > 0);
			continue;
		}
		us = hs.poll_us ? hs.poll_us : 1;
		usleep_range(us, us + us / 4 + 1);
		hs_poll_monitor();
	}
	return 0;
}

/** hs_poller_start() - start the monitor page poller thread. */
int hs_poller_start(void)
{
	struct task_struct *t;

	init_waitqueue_head(&hs.poll_wq);
	t = kthread_run(hs_poller_fn, NULL, "hv_hostsim_mon");
	if (IS_ERR(t))
		return PTR_ERR(t);
	hs.poller = t;
	return 0;
}

/** hs_poller_stop() - stop it (process context). */
void hs_poller_stop(void)
{
	if (hs.poller) {
		kthread_stop(hs.poller);
		hs.poller = NULL;
	}
}

/* ---- setup ----------------------------------------------------------------- */

/** hs_synic_init() - per-CPU state for SynIC pages and interrupts. */
int hs_synic_init(void)
{
	unsigned int cpu;

	spin_lock_init(&hs.synic_lock);
	spin_lock_init(&hs.raise_lock);
	INIT_LIST_HEAD(&hs.hmsgs);
	hs.ncpus = nr_cpu_ids;
	hs.pages = kcalloc(hs.ncpus, sizeof(*hs.pages), GFP_KERNEL);
	hs.irq_work = kcalloc(hs.ncpus, sizeof(*hs.irq_work), GFP_KERNEL);
	hs.csd = kcalloc(hs.ncpus, sizeof(*hs.csd), GFP_KERNEL);
	if (!hs.pages || !hs.irq_work || !hs.csd) {
		hs_synic_exit();
		return -ENOMEM;
	}
	for (cpu = 0; cpu < hs.ncpus; cpu++) {
		init_irq_work(&hs.irq_work[cpu], hs_irq_work_fn);
		hs.csd[cpu].func = hs_csd_fn;
		hs.csd[cpu].info = NULL;
	}
	return 0;
}

/** hs_synic_exit() - free what hs_synic_init() allocated; drop messages. */
void hs_synic_exit(void)
{
	struct hs_hmsg *m, *tmp;

	if (hs.irq_work && hs.csd) {
		WRITE_ONCE(hs.isr, NULL);
		hs_irq_quiesce();
	}
	list_for_each_entry_safe(m, tmp, &hs.hmsgs, node) {
		list_del(&m->node);
		kfree(m);
	}
	kfree(hs.pages);
	kfree(hs.irq_work);
	kfree(hs.csd);
	hs.pages = NULL;
	hs.irq_work = NULL;
	hs.csd = NULL;
}
