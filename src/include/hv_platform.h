/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv_platform.h - how hv_vmbus talks to the hypervisor.
 *
 * Two backends implement struct hv_platform: the real Hyper-V backend in
 * src/vmbus/hv.c (CPUID, hypercall page, SynIC MSRs) and the simulated host
 * in tests/hostsim, which registers itself with hv_platform_register() when
 * hv_vmbus was loaded with sim=1.
 *
 * The VMBus core owns the per-CPU SynIC pages (message page, event-flags
 * page; 4 KiB each, page aligned, zeroed) and hands them to the platform.
 * The platform delivers host messages into SIMP slot VMBUS_MESSAGE_SINT and
 * event flags into SIEF area VMBUS_MESSAGE_SINT, then raises the interrupt
 * by calling the handler passed to irq_enable() on the target CPU in
 * interrupt context (hard IRQ or equivalent: handlers must not sleep).
 */
#ifndef HV_PLATFORM_H
#define HV_PLATFORM_H

#include "hv_wire.h"

struct hv_platform;

/* Per-CPU SynIC pages, allocated by the VMBus core. */
struct hv_synic_pages {
	struct hv_message_slot *simp;	/* 16 slots x 256 bytes */
	u8 *siefp;			/* 16 areas x 256 bytes of flags */
};

typedef void (*hv_vmbus_isr_t)(void);

struct hv_platform_ops {
	/**
	 * @synic_enable: enable SynIC on @cpu with @pages (SIMP, SIEFP,
	 * SINT2 unmasked, SCONTROL). Called on @cpu itself with preemption
	 * disabled. Return 0 or -errno.
	 */
	int (*synic_enable)(struct hv_platform *p, unsigned int cpu,
			    struct hv_synic_pages *pages);
	/** @synic_disable: reverse of synic_enable, on @cpu. */
	void (*synic_disable)(struct hv_platform *p, unsigned int cpu);
	/**
	 * @post_message: HvPostMessage (A.3) of @size (<= 240) bytes to
	 * @connection_id, message type 1. Atomic context allowed.
	 * Return: hypercall status (HV_STATUS_*).
	 */
	u16 (*post_message)(struct hv_platform *p, u32 connection_id,
			    const void *payload, u32 size);
	/**
	 * @signal_event: HvSignalEvent(@connection_id, flag 0) (A.3).
	 * Atomic context allowed. Return: hypercall status.
	 */
	u16 (*signal_event)(struct hv_platform *p, u32 connection_id);
	/**
	 * @eom: write 0 to the EOM MSR of the current CPU (A.4), after the
	 * guest consumed a message that had MessagePending set.
	 */
	void (*eom)(struct hv_platform *p);
	/**
	 * @irq_enable: route the VMBus interrupt to @isr. Process context.
	 * Return 0 or -errno.
	 */
	int (*irq_enable)(struct hv_platform *p, hv_vmbus_isr_t isr);
	/** @irq_disable: stop calling the isr; waits for running calls. */
	void (*irq_disable)(struct hv_platform *p);
	/**
	 * @vp_index: Hyper-V VP index of Linux CPU @cpu (VP_INDEX MSR),
	 * used for target_vp / target_vcpu.
	 */
	u32 (*vp_index)(struct hv_platform *p, unsigned int cpu);
};

struct hv_platform {
	const char *name;		/* "hyperv" or "sim" */
	const struct hv_platform_ops *ops;
	void *priv;			/* backend's own data */
};

/**
 * hv_platform_register() - attach the simulated host to hv_vmbus.
 * @p: platform; must stay valid until hv_platform_unregister() returns.
 *
 * Only accepted when hv_vmbus was loaded with sim=1 and no platform is
 * attached. Connects synchronously: SynIC setup, version negotiation (B.1)
 * and REQUESTOFFERS; offers are then processed asynchronously.
 * Context: process, may sleep (up to the negotiation timeout, 5 s per
 * version tried).
 * Return: 0; -EBUSY (a platform is attached), -ENODEV (not sim mode),
 * -ETIMEDOUT / -EPROTO / -ECONNREFUSED when negotiation fails.
 */
int hv_platform_register(struct hv_platform *p);

/**
 * hv_platform_unregister() - detach: remove all devices, close channels,
 * UNLOAD (3.0+ hosts), disable SynIC. Context: process, may sleep.
 */
void hv_platform_unregister(struct hv_platform *p);

struct page;

/**
 * hv_ring_map_mirrored() - map one ring's pages as header page, then the
 * data pages twice back to back, so a packet that wraps is contiguous
 * (struct hv_ring.mirrored). Used by hv_vmbus for its rings and by the
 * host simulator for the guest's. @npages: header + data pages, >= 2.
 * Context: process, may sleep. Return: the mapping (vunmap() it), or NULL.
 */
void *hv_ring_map_mirrored(struct page **pages, u32 npages);

#endif /* HV_PLATFORM_H */
