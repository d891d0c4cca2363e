// SPDX-License-Identifier: GPL-2.0
/*
 * support.c - ring allocation (plain and mirrored) and a seeded PRNG for
 * the unit tests and the benchmark.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include "support.h"

void *mirror_map(u32 size, void **map, size_t *maplen)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = (size_t)size * 2 + (size_t)page * 2;
	u8 *base, *a, *b;
	int fd;

	*map = NULL;
	if (size % page)
		return NULL;
	fd = memfd_create("hv-ring", 0);
	if (fd < 0)
		return NULL;
	if (ftruncate(fd, size) < 0)
		goto fail_fd;
	base = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		goto fail_fd;
	a = mmap(base + page, size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, fd, 0);
	b = mmap(base + page + size, size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, fd, 0);
	if (a == MAP_FAILED || b == MAP_FAILED) {
		munmap(base, len);
		goto fail_fd;
	}
	close(fd);
	*map = base;
	*maplen = len;
	return a;
fail_fd:
	close(fd);
	return NULL;
}

int test_ring_alloc(struct test_ring *t, u32 size, int mirrored)
{
	void *hdr;

	memset(t, 0, sizeof(*t));
	if (posix_memalign(&hdr, 4096, sizeof(struct hv_ring_header)))
		return -1;
	t->hdr = hdr;
	t->size = size;
	t->mirrored = mirrored;
	if (mirrored)
		t->data = mirror_map(size, &t->map, &t->maplen);
	else
		t->data = malloc(size);
	if (!t->data) {
		free(hdr);
		return -1;
	}
	return hv_ring_init(&t->r, t->hdr, t->data, size, mirrored);
}

void test_ring_free(struct test_ring *t)
{
	if (t->mirrored)
		munmap(t->map, t->maplen);
	else
		free(t->data);
	free(t->hdr);
	memset(t, 0, sizeof(*t));
}

void prng_seed(struct prng *p, u64 seed)
{
	p->s = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

u64 prng_next(struct prng *p)
{
	u64 x = p->s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	p->s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

u32 prng_below(struct prng *p, u32 n)
{
	return (u32)((prng_next(p) >> 32) % n);
}
