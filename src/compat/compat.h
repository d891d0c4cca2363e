/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - the only code in hyperv-lic that knows kernel versions.
 *
 * Force-included into every object (src/Kbuild). Facts about the target
 * kernel come from compile probes (conftest.sh -> hv_compat_gen.h,
 * HV_HAVE_*); version predicates are kept for the floor/ceiling and for
 * behaviour that does not show in types. Drivers use the hv_compat_* and
 * HV_* wrappers below and never test versions or HV_HAVE_* themselves.
 */
#ifndef HV_COMPAT_H
#define HV_COMPAT_H

#include <linux/version.h>
#include "hv_compat_gen.h"

#ifdef __ASSEMBLY__
#error "compat.h is for C"
#endif

#include <linux/kernel.h>
#include <linux/types.h>
#include <linux/list.h>
#include <linux/interrupt.h>
#include <linux/workqueue.h>
#include <linux/completion.h>
#include <linux/device.h>
#include <linux/smp.h>
#include <linux/cpu.h>
#include <asm/msr.h>
#ifdef HV_HAVE_ASM_BARRIER_H
#include <asm/barrier.h>
#else
#include <asm/system.h>
#endif

/*
 * READ_ONCE()/WRITE_ONCE() arrived in 3.19 (ACCESS_ONCE before, itself
 * absent from 2.6.18): one volatile access of a scalar, which is all the
 * drivers use them for (flags shared between contexts).
 */
#ifndef READ_ONCE
#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#endif
#ifndef WRITE_ONCE
#define WRITE_ONCE(x, v)	do { *(volatile __typeof__(x) *)&(x) = (v); } while (0)
#endif

/* ---- version predicates (VirtualBox-style names) ---------------------- */

/* Sublevels past 255 overflow KERNEL_VERSION (4.9.256, 4.14.256): clamp. */
#define HV_KVER_CODE(a, b, c) \
	(((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))
#define HV_KVER_GE(a, b, c)	(LINUX_VERSION_CODE >= HV_KVER_CODE(a, b, c))

#ifdef RHEL_RELEASE_CODE
#define HV_RHEL_GE(a, b)	(RHEL_RELEASE_CODE >= RHEL_RELEASE_VERSION(a, b))
#else
#define HV_RHEL_GE(a, b)	0
#endif

#ifdef SLE_VERSION_CODE
#define HV_SLE_GE(a, b)		(SLE_VERSION_CODE >= SLE_VERSION(a, b, 0))
#else
#define HV_SLE_GE(a, b)		0
#endif

/*
 * 1 when the kernel has its own VMBus driver built in (Kbuild.compat then
 * names our module hvl_vmbus): on Hyper-V that driver owns the bus.
 */
#ifdef HV_KERNEL_VMBUS_BUILTIN
#define hv_compat_kernel_vmbus_builtin()	1
#else
#define hv_compat_kernel_vmbus_builtin()	0
#endif

/* ---- module aliases ---------------------------------------------------- */

/*
 * HV_COMPAT_VMBUS_ALIAS("vmbus:<32 hex>"): MODULE_ALIAS for a VMBus class,
 * except where the kernel has its own VMBus driver built in (Kbuild.compat,
 * hvl_* module names): there our drivers serve only the host simulator
 * and must not be loaded for the guest's real devices.
 */
#ifdef HV_KERNEL_VMBUS_BUILTIN
#define HV_COMPAT_VMBUS_ALIAS(alias)	extern int hv_compat_no_vmbus_alias
#else
#define HV_COMPAT_VMBUS_ALIAS(alias)	MODULE_ALIAS(alias)
#endif

/* The running kernel's version, as reported to Hyper-V (GUEST_OS_ID). */
#define HV_COMPAT_KERNEL_CODE	LINUX_VERSION_CODE

/* Supported floor: RHEL 5 (2.6.18). */
#if !HV_KVER_GE(2, 6, 18)
#error "hyperv-lic needs Linux 2.6.18 or newer"
#endif

#if !defined(CONFIG_X86_64) && !defined(CONFIG_X86)
#error "hyperv-lic supports x86 guests"
#endif

/* ---- barriers (protocol core) ----------------------------------------- */

/*
 * The other side is the hypervisor, also on UP builds: virt_*() (4.4+)
 * order against it without the cost of mb()'s mfence; mb() before.
 */
#ifdef virt_mb
#define hv_compat_mb()	virt_mb()	/* full barrier vs the host */
#define hv_compat_rmb()	virt_rmb()	/* reads vs the host */
#define hv_compat_wmb()	virt_wmb()	/* writes vs the host */
#else
#define hv_compat_mb()	mb()	/* full barrier vs the host */
#define hv_compat_rmb()	rmb()	/* reads vs the host */
#define hv_compat_wmb()	wmb()	/* writes vs the host */
#endif

/* ---- small helpers missing on old kernels ----------------------------- */

#ifndef pr_err	/* 2.6.24 */
#define pr_err(fmt, ...)	printk(KERN_ERR fmt, ##__VA_ARGS__)
#define pr_warning(fmt, ...)	printk(KERN_WARNING fmt, ##__VA_ARGS__)
#define pr_notice(fmt, ...)	printk(KERN_NOTICE fmt, ##__VA_ARGS__)
#endif
#ifndef pr_warn		/* 3.2 */
#define pr_warn(fmt, ...)	printk(KERN_WARNING fmt, ##__VA_ARGS__)
#endif

#ifndef pr_err_ratelimited	/* 2.6.35 */
#define pr_err_ratelimited(fmt, ...) \
	do { if (printk_ratelimit()) pr_err(fmt, ##__VA_ARGS__); } while (0)
#define pr_warn_ratelimited(fmt, ...) \
	do { if (printk_ratelimit()) pr_warn(fmt, ##__VA_ARGS__); } while (0)
#endif

/* Size of per-CPU tables indexed by CPU id. */
#ifdef HV_HAVE_NR_CPU_IDS
#define hv_compat_nr_cpu_ids()	nr_cpu_ids
#else
#define hv_compat_nr_cpu_ids()	NR_CPUS
#endif

#ifndef list_first_entry	/* 2.6.22 */
#define list_first_entry(ptr, type, member) \
	list_entry((ptr)->next, type, member)
#endif

#ifndef DIV_ROUND_UP		/* 2.6.19 */
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#endif

#ifndef __percpu		/* 2.6.33 */
#define __percpu
#endif

#ifdef INIT_COMPLETION		/* reinit_completion(): 3.13 */
#define reinit_completion(x)	INIT_COMPLETION(*(x))
#endif

/* ---- work items ------------------------------------------------------- */

/* Work functions take the work_struct on every kernel. */
#ifdef HV_HAVE_WORK_FUNC_WORK
#define HV_INIT_WORK(w, fn)	INIT_WORK((w), (fn))
#else	/* 2.6.18/19: func(void *data); pass the work itself as data */
#define HV_INIT_WORK(w, fn) \
	INIT_WORK((w), (void (*)(void *))(fn), (w))
#endif

/*
 * HV_COMPAT_WQ_PERCPU: the alloc_workqueue() flag that asks for per-CPU
 * (bound) workers. Kernels since 6.17 have it and from 7.x warn when
 * neither it nor WQ_UNBOUND is given; per-CPU was the only default before.
 */
#ifdef HV_HAVE_WQ_PERCPU
#define HV_COMPAT_WQ_PERCPU WQ_PERCPU
#else
#define HV_COMPAT_WQ_PERCPU 0
#endif

/* ---- tasklets --------------------------------------------------------- */

static inline void hv_compat_tasklet_init(struct tasklet_struct *t,
					  void (*fn)(unsigned long),
					  unsigned long data)
{
#ifdef HV_HAVE_TASKLET_INIT
	tasklet_init(t, fn, data);
#else
#error "this kernel has no tasklet_init(): add a compat case"
#endif
}

/* ---- CPUs ------------------------------------------------------------- */

/*
 * hv_compat_cpus_read_lock() - keep the set of online CPUs (and the
 * hotplug callbacks below) still until hv_compat_cpus_read_unlock().
 * Context: process, may sleep.
 */
#if defined(HV_HAVE_CPUS_READ_LOCK)
#define hv_compat_cpus_read_lock()	cpus_read_lock()
#define hv_compat_cpus_read_unlock()	cpus_read_unlock()
#elif defined(HV_HAVE_GET_ONLINE_CPUS)
#define hv_compat_cpus_read_lock()	get_online_cpus()
#define hv_compat_cpus_read_unlock()	put_online_cpus()
#else
#define hv_compat_cpus_read_lock()	lock_cpu_hotplug()
#define hv_compat_cpus_read_unlock()	unlock_cpu_hotplug()
#endif

/**
 * hv_compat_call_on_cpu() - run @fn(@info) on @cpu and wait for it.
 * Runs locally (interrupts off) when @cpu is the current CPU: 2.6.18's
 * smp_call_function_single() refuses that case. Context: process.
 * Return: 0 or -errno from the IPI.
 */
static inline int hv_compat_call_on_cpu(unsigned int cpu,
					void (*fn)(void *), void *info)
{
	int ret = 0;
	unsigned long flags;

	if ((unsigned int)get_cpu() == cpu) {
		local_irq_save(flags);
		fn(info);
		local_irq_restore(flags);
	} else {
#ifdef HV_HAVE_SMP_CALL_4ARG
		ret = smp_call_function_single(cpu, fn, info, 1);
#else
		ret = smp_call_function_single(cpu, fn, info, 0, 1);
#endif
	}
	put_cpu();
	return ret;
}

/* ---- MSRs ------------------------------------------------------------- */

static inline u64 hv_compat_rdmsr(u32 msr)
{
	u64 v;
#ifdef HV_HAVE_RDMSRQ
	rdmsrq(msr, v);
#else
	rdmsrl(msr, v);
#endif
	return v;
}

static inline void hv_compat_wrmsr(u32 msr, u64 v)
{
#ifdef HV_HAVE_RDMSRQ
	wrmsrq(msr, v);
#else
	wrmsrl(msr, v);
#endif
}

/* asm prefix for the one deliberate indirect call (the hypercall page) */
#ifdef HV_HAVE_NOSPEC_BRANCH_H
#include <asm/nospec-branch.h>
#define HV_ANNOTATE_RETPOLINE_SAFE	ANNOTATE_RETPOLINE_SAFE
#else
#define HV_ANNOTATE_RETPOLINE_SAFE	""
#endif

/* ---- bit operations shared with the host ------------------------------ */

/*
 * Set bit @nr of a bitmap the host reads concurrently. Always a locked
 * instruction, also on UP builds (the host is the other party).
 */
static inline void hv_compat_sync_set_bit(unsigned int nr, volatile u32 *map)
{
	volatile u32 *w = map + (nr >> 5);

	asm volatile("lock; btsl %1,%0"
		     : "+m" (*w) : "Ir" (nr & 31) : "memory");
}

static inline void hv_compat_sync_clear_bit(unsigned int nr, volatile u32 *map)
{
	volatile u32 *w = map + (nr >> 5);

	asm volatile("lock; btrl %1,%0"
		     : "+m" (*w) : "Ir" (nr & 31) : "memory");
}

/* Atomically read and clear a 32-bit word of flags. */
static inline u32 hv_compat_xchg32(volatile u32 *p, u32 v)
{
	return xchg((u32 *)p, v);
}

/* ---- driver model ----------------------------------------------------- */

#ifndef HV_HAVE_DEV_NAME
static inline const char *dev_name(const struct device *dev)
{
	return dev->bus_id;
}
#endif

/**
 * hv_compat_dev_set_name() - name a device: @long_name where the kernel
 * takes arbitrary names (2.6.26+), else @short_name (BUS_ID_SIZE = 20).
 */
static inline int hv_compat_dev_set_name(struct device *dev,
					 const char *long_name,
					 const char *short_name)
{
#ifdef HV_HAVE_DEV_SET_NAME
	(void)short_name;
	return dev_set_name(dev, "%s", long_name);
#else
	(void)long_name;
	snprintf(dev->bus_id, BUS_ID_SIZE, "%s", short_name);
	return 0;
#endif
}

static inline void hv_compat_driver_set_mod_name(struct device_driver *d,
						 const char *mod_name)
{
#ifdef HV_HAVE_DRIVER_MOD_NAME
	d->mod_name = mod_name;
#else
	(void)d;
	(void)mod_name;
#endif
}

/*
 * uevent: drivers write
 *	static int fill(struct device *dev, struct hv_uevent *ue)
 * using hv_uevent_add(ue, fmt, ...), and HV_DEFINE_BUS_UEVENT(name, fill)
 * makes a function of the type bus_type.uevent has on this kernel.
 */
struct hv_uevent {
#ifdef HV_HAVE_UEVENT_ENV
	struct kobj_uevent_env *env;
#else
	char **envp;
	int num_envp;
	char *buffer;
	int buffer_size;
	int i;
	int len;
#endif
};

#ifdef HV_HAVE_UEVENT_ENV
#define hv_uevent_add(ue, fmt, ...)	add_uevent_var((ue)->env, fmt, ##__VA_ARGS__)
#ifdef HV_HAVE_BUS_UEVENT_CONST
#define HV_DEFINE_BUS_UEVENT(name, fill)				\
static int name(const struct device *dev, struct kobj_uevent_env *env)	\
{									\
	struct hv_uevent ue;						\
	ue.env = env;							\
	return fill((struct device *)dev, &ue);				\
}
#else
#define HV_DEFINE_BUS_UEVENT(name, fill)				\
static int name(struct device *dev, struct kobj_uevent_env *env)	\
{									\
	struct hv_uevent ue;						\
	ue.env = env;							\
	return fill(dev, &ue);						\
}
#endif
#else /* 2.6.18 .. 2.6.23 */
#define hv_uevent_add(ue, fmt, ...)					\
	add_uevent_var((ue)->envp, (ue)->num_envp, &(ue)->i, (ue)->buffer, \
		       (ue)->buffer_size, &(ue)->len, fmt, ##__VA_ARGS__)
#define HV_DEFINE_BUS_UEVENT(name, fill)				\
static int name(struct device *dev, char **envp, int num_envp,		\
		char *buffer, int buffer_size)				\
{									\
	struct hv_uevent ue;						\
	int ret;							\
	ue.envp = envp;							\
	ue.num_envp = num_envp;						\
	ue.buffer = buffer;						\
	ue.buffer_size = buffer_size;					\
	ue.i = 0;							\
	ue.len = 0;							\
	ret = fill(dev, &ue);						\
	if (!ret)							\
		envp[ue.i] = NULL;					\
	return ret;							\
}
#endif

/* bus_type.match: const driver from 6.11 */
#ifdef HV_HAVE_BUS_MATCH_CONST
#define HV_DEFINE_BUS_MATCH(name, fn)					\
static int name(struct device *dev, const struct device_driver *drv)	\
{									\
	return fn(dev, (struct device_driver *)drv);			\
}
#else
#define HV_DEFINE_BUS_MATCH(name, fn)					\
static int name(struct device *dev, struct device_driver *drv)		\
{									\
	return fn(dev, drv);						\
}
#endif

/* bus_type.remove: void from 5.15 */
#ifdef HV_HAVE_BUS_REMOVE_VOID
#define HV_DEFINE_BUS_REMOVE(name, fn)					\
static void name(struct device *dev)					\
{									\
	fn(dev);							\
}
#else
#define HV_DEFINE_BUS_REMOVE(name, fn)					\
static int name(struct device *dev)					\
{									\
	fn(dev);							\
	return 0;							\
}
#endif

/*
 * Device attributes of a bus: drivers define one NULL-terminated array of
 * struct device_attribute (HV_DEVICE_ATTRS) and call
 * hv_compat_bus_set_dev_attrs(); on 3.11+ a group is built from it.
 */
#ifdef HV_HAVE_BUS_DEV_GROUPS
struct hv_compat_attr_groups {
	struct attribute *attrs[32];
	struct attribute_group group;
	const struct attribute_group *groups[2];
};
static inline void hv_compat_bus_set_dev_attrs(struct bus_type *bus,
					struct device_attribute *attrs,
					struct hv_compat_attr_groups *g)
{
	unsigned int i;

	for (i = 0; attrs[i].attr.name && i < 31; i++)
		g->attrs[i] = &attrs[i].attr;
	g->attrs[i] = NULL;
	g->group.attrs = g->attrs;
	g->groups[0] = &g->group;
	g->groups[1] = NULL;
	bus->dev_groups = g->groups;
}
#else
struct hv_compat_attr_groups {
	int unused;
};
static inline void hv_compat_bus_set_dev_attrs(struct bus_type *bus,
					struct device_attribute *attrs,
					struct hv_compat_attr_groups *g)
{
	(void)g;
	bus->dev_attrs = attrs;
}
#endif

/* ---- interrupts ------------------------------------------------------- */

#ifdef HV_HAVE_IRQ_HANDLER_2ARG
#define HV_IRQ_HANDLER(name)	irqreturn_t name(int irq, void *dev_id)
#else
#define HV_IRQ_HANDLER(name) \
	irqreturn_t name(int irq, void *dev_id, struct pt_regs *regs)
#endif

/* ---- which driver serves Hyper-V IDE disks ----------------------------- */

/*
 * A synthetic IDE disk keeps the name its emulated twin had. Where the
 * legacy IDE layer is built into the kernel (RHEL 5: CONFIG_IDE=y,
 * CONFIG_BLK_DEV_IDE=y) the emulated disk was hdX: hv_blkvsc serves the
 * IDE channel and keeps hdX. Elsewhere (libata, or IDE as modules that
 * distributions did not use for PIIX, e.g. SLES 11) it was sdX, from
 * ata_piix or the kernel's own storvsc: hv_storvsc serves it and keeps sdX.
 * The drivers' claim/ide parameters override this default.
 */
#if defined(CONFIG_IDE) || defined(CONFIG_BLK_DEV_IDE)
#define HV_COMPAT_IDE_BY_BLKVSC	1
#else
#define HV_COMPAT_IDE_BY_BLKVSC	0
#endif

/* ---- DMA limits of bus devices ----------------------------------------- */

/*
 * VMBus hands the host guest-physical page numbers (64-bit PFNs), so a
 * VMBus device can address all memory and has no segment limit of its
 * own. The bus gives every device a DMA mask and, where struct device has
 * them (2.6.24+), DMA parameters, so drivers and the block/SCSI layers
 * (6.12 WARNs without dma_parms) see the truth. Storage for both lives
 * beside the device, in this struct.
 */
struct hv_compat_bus_dma {
	u64 mask;
#ifdef HV_HAVE_DEVICE_DMA_PARMS
	struct device_dma_parameters parms;
#endif
};

/**
 * hv_compat_bus_dma_init() - point @dev's DMA mask (and DMA parameters)
 * at @dd, set to 64 bits and no segment size or boundary limit.
 * @dev: a device not yet added
 * @dd: storage that lives as long as @dev
 * Context: any.
 */
static inline void hv_compat_bus_dma_init(struct device *dev,
					  struct hv_compat_bus_dma *dd)
{
	memset(dd, 0, sizeof(*dd));
	dd->mask = ~0ULL;
	dev->dma_mask = &dd->mask;
	dev->coherent_dma_mask = ~0ULL;
#ifdef HV_HAVE_DEVICE_DMA_PARMS
	dd->parms.max_segment_size = 0xffffffffU;
	dd->parms.segment_boundary_mask = ~0UL;
	dev->dma_parms = &dd->parms;
#endif
}

/* ---- CPU hotplug ------------------------------------------------------- */

/*
 * One client (hv_vmbus) is told about CPUs coming and going, through the
 * hotplug state machine (4.10+) or a CPU notifier (before): compat/hv_cpuhp.c.
 */

/**
 * hv_compat_cpuhp_register() - call @online(cpu) after a CPU came online
 * and @offline(cpu) before one goes offline; a non-zero return from
 * @offline refuses the offline (the CPU stays up). Neither is called for
 * the CPUs online at registration. Both run in process context, may
 * sleep, and never concurrently with each other or with a section under
 * hv_compat_cpus_read_lock(). @online must not fail the CPU: its return
 * value is only logged.
 * @name: state name (shown in /sys/devices/system/cpu/hotplug/states)
 * @online: bring-up callback
 * @offline: tear-down callback, may veto
 * Context: process, may sleep; not under hv_compat_cpus_read_lock().
 * Return: 0 or -errno.
 */
int hv_compat_cpuhp_register(const char *name, int (*online)(unsigned int),
			     int (*offline)(unsigned int));

/** hv_compat_cpuhp_unregister() - undo hv_compat_cpuhp_register(). */
void hv_compat_cpuhp_unregister(void);

/* ---- system shutdown --------------------------------------------------- */

/**
 * hv_compat_shutdown_register() - call @fn once when the system goes down
 * (reboot, power off, kexec), after every device's shutdown (so after
 * sd's SYNCHRONIZE CACHE), with the other CPUs still running: syscore
 * shutdown (2.6.39+). One client (hv_vmbus). Context: module init.
 * @fn: callback; process context, may sleep briefly
 * Return: 0, or -EOPNOTSUPP on kernels before 2.6.39 (no such hook a
 * module can use: a reboot notifier runs before device shutdown).
 */
int hv_compat_shutdown_register(void (*fn)(void));

/** hv_compat_shutdown_unregister() - undo hv_compat_shutdown_register(). */
void hv_compat_shutdown_unregister(void);

/*
 * The kernel's own Hyper-V support (asm/mshyperv.h) defines names that
 * clash with our wire headers, so it is used only from compat/hv_kernel.c
 * through these functions.
 */

/**
 * hv_compat_callback_vector_available() - 1 when the kernel can route
 * HYPERVISOR_CALLBACK_VECTOR to a module's handler (4.x+, CONFIG_HYPERV).
 */
int hv_compat_callback_vector_available(void);

/**
 * hv_compat_callback_vector_set() - route the Hyper-V callback vector to
 * @isr. Return: 0, or -EOPNOTSUPP when the kernel has no such hook (use the
 * ACPI IRQ).
 */
int hv_compat_callback_vector_set(void (*isr)(void));
void hv_compat_callback_vector_clear(void);

/**
 * hv_compat_vmbus_vector() - the IDT vector SINT2 must name: the Hyper-V
 * callback vector (@irq < 0), or the vector of legacy (ISA) IRQ @irq when
 * VMBus interrupts arrive through the ACPI device's IRQ.
 * Return: vector, or -1 when unknown.
 */
int hv_compat_vmbus_vector(int irq);

/**
 * hv_compat_kernel_hypercall_available() - 1 when the kernel set up the
 * hypercall page itself (4.14+ with CONFIG_HYPERV) and exports helpers.
 */
int hv_compat_kernel_hypercall_available(void);

/**
 * hv_compat_kernel_hypercall() - slow hypercall through the kernel's page;
 * @in/@out are kernel virtual addresses of parameter blocks that do not
 * cross a page. Return: hypercall result (status in bits 15:0).
 */
u64 hv_compat_kernel_hypercall(u64 control, void *in, void *out);

/** hv_compat_kernel_fast_hypercall8() - fast hypercall, one 8-byte input. */
u64 hv_compat_kernel_fast_hypercall8(u16 code, u64 in);

/**
 * hv_compat_alloc_exec_page() - one zeroed executable page for our own
 * hypercall page, where the kernel lets modules have one (before 5.8).
 * Return: the page, or NULL.
 */
#include <linux/vmalloc.h>
static inline void *hv_compat_alloc_exec_page(void)
{
#ifdef HV_HAVE_VMALLOC_PGPROT
	return __vmalloc(PAGE_SIZE, GFP_KERNEL | __GFP_ZERO, PAGE_KERNEL_EXEC);
#else
	return NULL;
#endif
}

/* ---- ACPI: the VMBus device's IRQ (kernels without a callback vector) - */

#ifdef CONFIG_ACPI
#include <linux/acpi.h>

static inline acpi_status hv_compat_acpi_crs_cb(struct acpi_resource *res,
						void *ctx)
{
	int *irq = ctx;

	if (res->type == ACPI_RESOURCE_TYPE_IRQ &&
	    res->data.irq.interrupt_count)
		*irq = res->data.irq.interrupts[0];
	else if (res->type == ACPI_RESOURCE_TYPE_EXTENDED_IRQ &&
		 res->data.extended_irq.interrupt_count)
		*irq = res->data.extended_irq.interrupts[0];
	return AE_OK;
}

static inline acpi_status hv_compat_acpi_dev_cb(acpi_handle h, u32 lvl,
						void *ctx, void **rv)
{
	acpi_walk_resources(h, METHOD_NAME__CRS, hv_compat_acpi_crs_cb, ctx);
	return AE_CTRL_TERMINATE;
}

/**
 * hv_compat_acpi_vmbus_irq() - IRQ of the ACPI "VMBUS"/"VMBus" device
 * (_CRS), a legacy IRQ on Hyper-V generation 1 VMs.
 * Return: the IRQ, or -ENODEV.
 */
static inline int hv_compat_acpi_vmbus_irq(void)
{
	int irq = -1;

	acpi_get_devices("VMBUS", hv_compat_acpi_dev_cb, &irq, NULL);
	if (irq < 0)
		acpi_get_devices("VMBus", hv_compat_acpi_dev_cb, &irq, NULL);
	return irq < 0 ? -ENODEV : irq;
}
#else
static inline int hv_compat_acpi_vmbus_irq(void)
{
	return -ENODEV;
}
#endif

/* bus attributes: show() takes a const bus_type from 6.3 */
#ifdef HV_HAVE_BUS_ATTR_CONST
#define HV_DEFINE_BUS_ATTR_SHOW(name, fn)				\
static ssize_t name(const struct bus_type *b, char *buf)		\
{									\
	return fn(buf);							\
}
#else
#define HV_DEFINE_BUS_ATTR_SHOW(name, fn)				\
static ssize_t name(struct bus_type *b, char *buf)			\
{									\
	return fn(buf);							\
}
#endif

#endif /* HV_COMPAT_H */
