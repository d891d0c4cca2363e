/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz.h - helpers shared by the libFuzzer targets (fuzz_*.c): a cursor
 * over the input and the contract check.
 *
 * A target feeds host-controlled bytes to a parser of src/core and then
 * checks what the parser promises in its kernel-doc (a validated length
 * never exceeds the buffer, an offset is in range, a count is bounded).
 * A broken promise aborts with one line naming it, so libFuzzer keeps the
 * input as a crash, just as it does for an AddressSanitizer report.
 */
#ifndef HV_FUZZ_H
#define HV_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include "hv_types.h"

int LLVMFuzzerTestOneInput(const u8 *in, size_t n);

static void fuzz_fail(const char *what, const char *file, int line)
{
	fprintf(stderr, "fuzz: contract broken: %s (%s:%d)\n", what, file,
		line);
	abort();
}

#define FUZZ_CHECK(cond) \
	do { \
		if (!(cond)) \
			fuzz_fail(#cond, __FILE__, __LINE__); \
	} while (0)

/* Reads from the input; past its end every read gives zeroes. */
struct fz {
	const u8 *p;
	size_t n;
};

static inline u8 fz_u8(struct fz *f)
{
	u8 v = 0;

	if (f->n) {
		v = f->p[0];
		f->p++;
		f->n--;
	}
	return v;
}

static inline u16 fz_u16(struct fz *f)
{
	u16 v = fz_u8(f);

	return (u16)(v | (u16)fz_u8(f) << 8);
}

static inline u32 fz_u32(struct fz *f)
{
	u32 v = fz_u16(f);

	return v | (u32)fz_u16(f) << 16;
}

/*
 * The rest of the input in a heap block of exactly its size (at least one
 * byte allocated), so AddressSanitizer reports a read past its end.
 * Returns NULL only when out of memory; *len gets the size.
 */
static inline u8 *fz_rest(struct fz *f, u32 *len)
{
	u8 *b = malloc(f->n ? f->n : 1);

	*len = (u32)f->n;
	if (b && f->n)
		memcpy(b, f->p, f->n);
	f->p += f->n;
	f->n = 0;
	return b;
}

#endif /* HV_FUZZ_H */
