// SPDX-License-Identifier: GPL-2.0
/*
 * hv_kernel.c - what hyperv-lic uses of the kernel's own Hyper-V platform
 * support (arch/x86 hyperv: hypercall page, callback vector). Kept apart
 * because asm/mshyperv.h clashes with our wire headers; see compat.h.
 */
#include <linux/module.h>
#include <asm/hw_irq.h>

/*
 * Usable only when declared by the headers AND exported by the kernel
 * (7.x declares hv_hypercall_pg but calls through an exported static call).
 */
#if defined(HV_HAVE_KERNEL_HYPERCALL_PG) && \
	(defined(HV_HAVE_EXPORT_HV_HYPERCALL_PG) || \
	 defined(HV_HAVE_EXPORT_SCT__HV_HYPERCALL))
#define HV_KERNEL_HC 1
#endif
#if defined(HV_HAVE_HV_SETUP_VMBUS_HANDLER) && \
	defined(HV_HAVE_EXPORT_HV_SETUP_VMBUS_HANDLER)
#define HV_KERNEL_CB_HANDLER 1
#elif defined(HV_HAVE_HV_SETUP_VMBUS_IRQ) && \
	defined(HV_HAVE_EXPORT_HV_SETUP_VMBUS_IRQ)
#define HV_KERNEL_CB_IRQ 1
#endif
#if defined(HV_KERNEL_HC) || defined(HV_KERNEL_CB_HANDLER) || \
	defined(HV_KERNEL_CB_IRQ)
#include <asm/mshyperv.h>
#endif

int hv_compat_callback_vector_available(void)
{
#if defined(HV_KERNEL_CB_HANDLER) || defined(HV_KERNEL_CB_IRQ)
	return 1;
#else
	return 0;
#endif
}

int hv_compat_callback_vector_set(void (*isr)(void))
{
#if defined(HV_KERNEL_CB_HANDLER)
	hv_setup_vmbus_handler(isr);	/* 5.12+ */
	return 0;
#elif defined(HV_KERNEL_CB_IRQ)
	hv_setup_vmbus_irq(isr);	/* 4.x .. 5.11 */
	return 0;
#else
	(void)isr;
	return -EOPNOTSUPP;
#endif
}

void hv_compat_callback_vector_clear(void)
{
#if defined(HV_KERNEL_CB_HANDLER)
	hv_remove_vmbus_handler();
#elif defined(HV_KERNEL_CB_IRQ)
	hv_remove_vmbus_irq();
#endif
}

/*
 * ISA IRQ vectors: ISA_IRQ_VECTOR() (3.x+), IRQ0_VECTOR (2.6.2x); on
 * 2.6.18 x86-64 the legacy IRQs start at FIRST_EXTERNAL_VECTOR + 0x10.
 */
int hv_compat_vmbus_vector(int irq)
{
	if (irq < 0) {
#ifdef HYPERVISOR_CALLBACK_VECTOR
		return HYPERVISOR_CALLBACK_VECTOR;
#else
		return -1;
#endif
	}
#if defined(ISA_IRQ_VECTOR)
	return ISA_IRQ_VECTOR(irq);
#elif defined(IRQ0_VECTOR)
	return IRQ0_VECTOR + irq;
#else
	return FIRST_EXTERNAL_VECTOR + 0x10 + irq;
#endif
}

int hv_compat_kernel_hypercall_available(void)
{
#if defined(HV_KERNEL_HC) && defined(HV_HAVE_EXPORT_HV_HYPERCALL_PG)
	return hv_hypercall_pg != NULL;
#elif defined(HV_KERNEL_HC)
	/* static-call kernels: set up at boot when the MSR says enabled */
	return 1;
#else
	return 0;
#endif
}

u64 hv_compat_kernel_hypercall(u64 control, void *in, void *out)
{
#ifdef HV_KERNEL_HC
	return hv_do_hypercall(control, in, out);
#else
	(void)control;
	(void)in;
	(void)out;
	return ~0ULL;
#endif
}

u64 hv_compat_kernel_fast_hypercall8(u16 code, u64 in)
{
#ifdef HV_KERNEL_HC
	return hv_do_fast_hypercall8(code, in);
#else
	(void)code;
	(void)in;
	return ~0ULL;
#endif
}
