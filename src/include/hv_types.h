/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv_types.h - the few types and primitives the protocol core needs.
 *
 * The protocol core (src/core/) is compiled twice: by kbuild into the
 * modules, and by tests/unit into user-space tests. This header is the only
 * place that knows which of the two it is.
 */
#ifndef HV_TYPES_H
#define HV_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#include <linux/errno.h>
/* hv_core_mb() and friends come from the force-included compat.h */
#define hv_core_mb()	hv_compat_mb()
#define hv_core_rmb()	hv_compat_rmb()
#define hv_core_wmb()	hv_compat_wmb()
#define HV_READ_ONCE32(x)	(*(volatile u32 *)&(x))
#define HV_WRITE_ONCE32(x, v)	(*(volatile u32 *)&(x) = (v))
#else /* user space: tests/unit */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <errno.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;
#ifndef __packed
#define __packed __attribute__((packed))
#endif
#if defined(__x86_64__)
/* a locked add orders like mfence for ordinary memory and costs less
 * (what the kernel's smp_mb()/virt_mb() use on x86-64)
 */
#define hv_core_mb() \
	__asm__ __volatile__("lock; addl $0,-4(%%rsp)" : : : "memory", "cc")
#else
#define hv_core_mb()	__sync_synchronize()
#endif
#if defined(__x86_64__) || defined(__i386__)
/* x86 is TSO: like the kernel's virt_rmb()/virt_wmb(), compiler-only */
#define hv_core_rmb()	__asm__ __volatile__("" : : : "memory")
#define hv_core_wmb()	__asm__ __volatile__("" : : : "memory")
#else
#define hv_core_rmb()	__sync_synchronize()
#define hv_core_wmb()	__sync_synchronize()
#endif
#define HV_READ_ONCE32(x)	(*(volatile u32 *)&(x))
#define HV_WRITE_ONCE32(x, v)	(*(volatile u32 *)&(x) = (v))
#endif

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#error "Hyper-V guests are little-endian; the wire structs assume it"
#endif

/*
 * Compile-time assertion usable at file scope under gnu89 (no
 * _Static_assert in gcc 4.1): a negative array size fails the build.
 */
#define HV_ASSERT_PASTE2(a, b)	a##b
#define HV_ASSERT_PASTE(a, b)	HV_ASSERT_PASTE2(a, b)
#define HV_BUILD_ASSERT(cond) \
	typedef char HV_ASSERT_PASTE(hv_build_assert_, __LINE__)[(cond) ? 1 : -1] \
	__attribute__((unused))

#define HV_OFFSETOF(type, member)	__builtin_offsetof(type, member)

/* Hyper-V pages are 4 KiB whatever the guest page size (fact sheet B.3) */
#define HV_HYP_PAGE_SHIFT	12
#define HV_HYP_PAGE_SIZE	4096U
#define HV_HYP_PAGE_MASK	(~((u64)HV_HYP_PAGE_SIZE - 1))

/* A GUID as it travels on the wire: 16 bytes, first three fields LE. */
struct hv_guid {
	u8 b[16];
};

#endif /* HV_TYPES_H */
