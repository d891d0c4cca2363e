// SPDX-License-Identifier: GPL-2.0
/*
 * hv.c - the real Hyper-V platform (fact sheet A): CPUID detection and
 * feature checks, GUEST_OS_ID, the hypercall page (the kernel's own when it
 * set one up, else ours), per-CPU SynIC MSRs, and interrupt delivery
 * through the kernel's Hyper-V callback vector or the ACPI VMBus IRQ.
 */
#include <linux/gfp.h>
#include <linux/vmalloc.h>
#include <linux/utsname.h>
#include <asm/processor.h>
#include "vmbus_priv.h"

/* MSRs (A.2) */
#define HV_MSR_GUEST_OS_ID	0x40000000
#define HV_MSR_HYPERCALL	0x40000001
#define HV_MSR_VP_INDEX		0x40000002
#define HV_MSR_SCONTROL		0x40000080
#define HV_MSR_SIEFP		0x40000082
#define HV_MSR_SIMP		0x40000083
#define HV_MSR_EOM		0x40000084
#define HV_MSR_SINT0		0x40000090

#define HV_SINT_MASKED		(1ULL << 16)
#define HV_SINT_AUTO_EOI	(1ULL << 17)

/* CPUID (A.1) */
#define HV_CPUID_VENDOR		0x40000000
#define HV_CPUID_INTERFACE	0x40000001
#define HV_CPUID_FEATURES	0x40000003
#define HV_CPUID_ENLIGHTENMENT	0x40000004
#define HV_SIGNATURE_HV1	0x31237648	/* "Hv#1" */

struct hv_hyperv {
	struct hv_platform plat;
	void *hc_page;			/* our hypercall page, or NULL */
	int use_kernel_hc;		/* the kernel's page and helpers */
	void **input_pages;		/* per CPU, for HvPostMessage */
	u32 *vp_index;			/* per CPU */
	int auto_eoi;
	int irq;			/* ACPI IRQ, or -1 (callback vector) */
	hv_vmbus_isr_t isr;
};

static struct hv_hyperv hv_hv;

/**
 * hv_hyperv_detect() - is this a Hyper-V guest with what VMBus needs?
 * Return: 1 when CPUID says Hyper-V ("Hv#1" interface) with SynIC,
 * hypercall and VP index MSRs and the PostMessages/SignalEvents
 * privileges (A.1), else 0. Context: any.
 */
int hv_hyperv_detect(void)
{
	unsigned int eax, ebx, ecx, edx;

	cpuid(1, &eax, &ebx, &ecx, &edx);
	if (!(ecx & (1U << 31)))
		return 0;
	cpuid(HV_CPUID_VENDOR, &eax, &ebx, &ecx, &edx);
	if (eax < 0x40000005)
		return 0;
	cpuid(HV_CPUID_INTERFACE, &eax, &ebx, &ecx, &edx);
	if (eax != HV_SIGNATURE_HV1)
		return 0;
	cpuid(HV_CPUID_FEATURES, &eax, &ebx, &ecx, &edx);
	if ((eax & 0x64) != 0x64 || (ebx & 0x30) != 0x30) {
		pr_err(VMBUS_MOD ": Hyper-V lacks SynIC/hypercall/VP-index MSRs or message privileges\n");
		return 0;
	}
	return 1;
}

/* x86-64 hypercall through our page: RCX control, RDX input, R8 output */
static u64 hv_own_hypercall(u64 control, u64 in_gpa, u64 out_gpa)
{
	register u64 r8 asm("r8") = out_gpa;
	u64 status;

	asm volatile(HV_ANNOTATE_RETPOLINE_SAFE "\n\tcall *%[pg]"
		     : "=a" (status), "+c" (control), "+d" (in_gpa), "+r" (r8)
		     : [pg] "m" (hv_hv.hc_page)
		     : "cc", "memory", "r9", "r10", "r11");
	return status;
}

static u64 hv_hypercall(u64 control, void *in)
{
	if (hv_hv.use_kernel_hc)
		return hv_compat_kernel_hypercall(control, in, NULL);
	return hv_own_hypercall(control, in ? virt_to_phys(in) : 0, 0);
}

static u64 hv_fast_hypercall8(u64 control, u64 in)
{
	/* same register convention through either page */
	if (hv_hv.use_kernel_hc)
		return hv_compat_kernel_fast_hypercall8((u16)control, in);
	return hv_own_hypercall(control | HV_HYPERCALL_FAST_BIT, in, 0);
}

static u16 hv_post_message(struct hv_platform *p, u32 conn_id,
			   const void *payload, u32 size)
{
	struct hv_input_post_message *in;
	unsigned long flags;
	u64 st;

	if (size > HV_MESSAGE_PAYLOAD_MAX)
		return HV_STATUS_INVALID_PARAMETER;
	local_irq_save(flags);
	in = hv_hv.input_pages[smp_processor_id()];
	in->connection_id = conn_id;
	in->reserved = 0;
	in->message_type = HV_POST_MESSAGE_TYPE_VMBUS;
	in->payload_size = size;
	memcpy(in->payload, payload, size);
	st = hv_hypercall(HVCALL_POST_MESSAGE, in);
	local_irq_restore(flags);
	return (u16)st;
}

static u16 hv_signal_event(struct hv_platform *p, u32 conn_id)
{
	return (u16)hv_fast_hypercall8(HVCALL_SIGNAL_EVENT, conn_id);
}

static void hv_eom(struct hv_platform *p)
{
	hv_compat_wrmsr(HV_MSR_EOM, 0);
}

static u32 hv_vp_index(struct hv_platform *p, unsigned int cpu)
{
	return hv_hv.vp_index ? hv_hv.vp_index[cpu] : cpu;
}

static int hv_synic_vector(void)
{
	return hv_compat_vmbus_vector(hv_hv.irq);
}

static int hv_synic_enable(struct hv_platform *p, unsigned int cpu,
			   struct hv_synic_pages *pg)
{
	u64 v;
	int vec = hv_synic_vector();

	if (vec < 16 || vec > 255)
		return -EINVAL;
	/* a CPU that came online after init has not been asked yet */
	hv_hv.vp_index[cpu] = (u32)hv_compat_rdmsr(HV_MSR_VP_INDEX);
	hv_compat_wrmsr(HV_MSR_SIMP, virt_to_phys(pg->simp) | 1);
	hv_compat_wrmsr(HV_MSR_SIEFP, virt_to_phys(pg->siefp) | 1);
	v = (u64)vec;
	if (hv_hv.auto_eoi)
		v |= HV_SINT_AUTO_EOI;
	hv_compat_wrmsr(HV_MSR_SINT0 + VMBUS_MESSAGE_SINT, v);
	v = hv_compat_rdmsr(HV_MSR_SCONTROL);
	hv_compat_wrmsr(HV_MSR_SCONTROL, v | 1);
	return 0;
}

static void hv_synic_disable(struct hv_platform *p, unsigned int cpu)
{
	u64 v;

	v = hv_compat_rdmsr(HV_MSR_SINT0 + VMBUS_MESSAGE_SINT);
	hv_compat_wrmsr(HV_MSR_SINT0 + VMBUS_MESSAGE_SINT, v | HV_SINT_MASKED);
	hv_compat_wrmsr(HV_MSR_SIMP, hv_compat_rdmsr(HV_MSR_SIMP) & ~1ULL);
	hv_compat_wrmsr(HV_MSR_SIEFP, hv_compat_rdmsr(HV_MSR_SIEFP) & ~1ULL);
	/* SCONTROL stays on: other SINTs (timers) may be in use by the kernel */
}

static HV_IRQ_HANDLER(hv_acpi_irq)
{
	if (hv_hv.isr)
		hv_hv.isr();
	return IRQ_HANDLED;
}

static int hv_irq_enable(struct hv_platform *p, hv_vmbus_isr_t isr)
{
	hv_hv.isr = isr;
	if (hv_hv.irq < 0)
		return hv_compat_callback_vector_set(isr);
	return request_irq(hv_hv.irq, hv_acpi_irq, 0, VMBUS_MOD, &hv_hv);
}

static void hv_irq_disable(struct hv_platform *p)
{
	if (hv_hv.irq < 0)
		hv_compat_callback_vector_clear();
	else
		free_irq(hv_hv.irq, &hv_hv);
	hv_hv.isr = NULL;
}

static const struct hv_platform_ops hv_hyperv_ops = {
	.synic_enable = hv_synic_enable,
	.synic_disable = hv_synic_disable,
	.post_message = hv_post_message,
	.signal_event = hv_signal_event,
	.eom = hv_eom,
	.irq_enable = hv_irq_enable,
	.irq_disable = hv_irq_disable,
	.vp_index = hv_vp_index,
};

static void hv_read_vp_index(void *arg)
{
	hv_hv.vp_index[smp_processor_id()] = (u32)hv_compat_rdmsr(HV_MSR_VP_INDEX);
}

static void hv_free_input_pages(void)
{
	unsigned int cpu;

	if (!hv_hv.input_pages)
		return;
	for (cpu = 0; cpu < hv_compat_nr_cpu_ids(); cpu++)
		if (hv_hv.input_pages[cpu])
			free_page((unsigned long)hv_hv.input_pages[cpu]);
	kfree(hv_hv.input_pages);
	hv_hv.input_pages = NULL;
}

/* GUEST_OS_ID for an open-source Linux guest (A.2) */
static u64 hv_guest_os_id(void)
{
	return (0x8100ULL << 48) | ((u64)HV_COMPAT_KERNEL_CODE << 16);
}

static int hv_hypercall_setup(void)
{
	u64 v;

	if (!hv_compat_rdmsr(HV_MSR_GUEST_OS_ID))
		hv_compat_wrmsr(HV_MSR_GUEST_OS_ID, hv_guest_os_id());
	v = hv_compat_rdmsr(HV_MSR_HYPERCALL);
	if ((v & 1) && hv_compat_kernel_hypercall_available()) {
		/* the kernel enabled the page at boot: reuse it (A.2) */
		hv_hv.use_kernel_hc = 1;
		return 0;
	}
	hv_hv.hc_page = hv_compat_alloc_exec_page();
	if (!hv_hv.hc_page) {
		pr_err(VMBUS_MOD ": cannot map a hypercall page on this kernel\n");
		return -ENODEV;
	}
	v = (v & 0xffe) | (vmalloc_to_pfn(hv_hv.hc_page) << 12) | 1;
	hv_compat_wrmsr(HV_MSR_HYPERCALL, v);
	if (!(hv_compat_rdmsr(HV_MSR_HYPERCALL) & 1)) {
		vfree(hv_hv.hc_page);
		hv_hv.hc_page = NULL;
		pr_err(VMBUS_MOD ": Hyper-V did not enable the hypercall page\n");
		return -ENODEV;
	}
	return 0;
}

/**
 * hv_hyperv_platform_init() - set up the real Hyper-V backend.
 * @out: the platform on success. Context: process, may sleep.
 * Return: 0 or -errno (nothing left behind).
 */
int hv_hyperv_platform_init(struct hv_platform **out)
{
	unsigned int cpu, eax, ebx, ecx, edx;
	int ret;

	memset(&hv_hv, 0, sizeof(hv_hv));
	hv_hv.irq = -1;
	cpuid(HV_CPUID_ENLIGHTENMENT, &eax, &ebx, &ecx, &edx);
	hv_hv.auto_eoi = !(eax & (1U << 9));

	ret = -ENOMEM;
	hv_hv.vp_index = kcalloc(hv_compat_nr_cpu_ids(), sizeof(u32), GFP_KERNEL);
	hv_hv.input_pages = kcalloc(hv_compat_nr_cpu_ids(), sizeof(void *), GFP_KERNEL);
	if (!hv_hv.vp_index || !hv_hv.input_pages)
		goto fail;
	/* every possible CPU: one may come online later (hotplug) */
	for_each_possible_cpu(cpu) {
		hv_hv.input_pages[cpu] = (void *)get_zeroed_page(GFP_KERNEL);
		if (!hv_hv.input_pages[cpu])
			goto fail;
	}
	for_each_online_cpu(cpu)
		hv_compat_call_on_cpu(cpu, hv_read_vp_index, NULL);
	ret = hv_hypercall_setup();
	if (ret)
		goto fail;
	if (hv_compat_callback_vector_available() == 0) {
		hv_hv.irq = hv_compat_acpi_vmbus_irq();
		if (hv_hv.irq < 0) {
			pr_err(VMBUS_MOD ": no Hyper-V callback vector and no ACPI VMBus IRQ\n");
			ret = -ENODEV;
			goto fail;
		}
	}
	hv_hv.plat.name = "hyperv";
	hv_hv.plat.ops = &hv_hyperv_ops;
	*out = &hv_hv.plat;
	return 0;
fail:
	hv_hyperv_platform_exit();
	return ret;
}

/** hv_hyperv_platform_exit() - undo hv_hyperv_platform_init(). */
void hv_hyperv_platform_exit(void)
{
	if (hv_hv.hc_page) {
		hv_compat_wrmsr(HV_MSR_HYPERCALL,
				hv_compat_rdmsr(HV_MSR_HYPERCALL) & ~1ULL);
		vfree(hv_hv.hc_page);
		hv_hv.hc_page = NULL;
	}
	hv_free_input_pages();
	kfree(hv_hv.vp_index);
	hv_hv.vp_index = NULL;
}
