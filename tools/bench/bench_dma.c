// SPDX-License-Identifier: GPL-2.0
/*
 * bench-dma: the cost of mapping memory for a device's DMA through the
 * IOMMU and unmapping it again, as nanoseconds per 4 KiB page.  The memory
 * is allocated and touched before the clock starts, so page faults are not
 * counted; pinning and the IOMMU page tables and invalidations are.
 *
 *   -m page	4 KiB pages (THP off), one map call per page, then one
 *		unmap call per page
 *   -m whole	the same memory in one map call and one unmap call
 *   -m batch	(uldf) every other 4 KiB page of twice the memory, so that
 *		no two are adjacent, in ULDF_DMA_MAP_BATCH calls of -b
 *		entries, then unmapped the same way with ULDF_DMA_BATCH_UNMAP
 *   -m huge	2 MiB hugetlb pages, one map call and one unmap call each
 *   -m huge-whole  the hugetlb memory in one map call and one unmap call
 *
 * IOVAs are chosen by the program (uldf: ULDF_DMA_MAP_FIXED_IOVA), packed
 * from 64 MiB up, below the edu's 28-bit DMA mask.  -r repeats the map and
 * unmap of the same memory (for profiling, so that the allocation before
 * the clock starts weighs less); the times are then totals.
 *
 * Usage: bench-dma -f uldf|vfio -m MODE [-s SIZE] [-b BATCH] [-r REPEAT]
 *		    [-d BDF] [-c CPU]
 * Prints: bench=dma fw=.. mode=.. size=N pages=N calls=N map_ns=N
 * unmap_ns=N ns_per_page=N: the bytes mapped each time, the 4 KiB pages and
 * map calls over all repeats, the times, and map and unmap together per
 * 4 KiB page.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/uldf.h>

#include "bench.h"

#define PAGE_4K		4096ull
#define PAGE_2M		(2ull << 20)
#define IOVA_BASE	(64ull << 20)

enum dma_mode { MODE_PAGE, MODE_WHOLE, MODE_BATCH, MODE_HUGE, MODE_HUGE_WHOLE };

static const char *const mode_names[] = {
	"page", "whole", "batch", "huge", "huge-whole",
};

struct dma_ctx {
	struct bench_dev dev;
	enum dma_mode mode;
	uint64_t size;		/* bytes mapped */
	uint64_t chunk;		/* bytes per map call (page, whole, huge) */
	uint64_t batch;		/* entries per batch call */
	char *mem;
	uint64_t mem_size;	/* bytes allocated (twice @size for batch) */
	struct uldf_dma_map *entries;
	uint64_t calls;
};

static const char *words;

static char *alloc_memory(uint64_t size, bool huge)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	char *p;

	if (huge)
		flags |= MAP_HUGETLB;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED)
		bench_fail(words, "allocating %llu bytes%s: %s",
			   (unsigned long long)size,
			   huge ? " of hugetlb memory" : "", strerror(errno));
	if (!huge && madvise(p, size, MADV_NOHUGEPAGE))
		bench_fail(words, "MADV_NOHUGEPAGE: %s", strerror(errno));
	/* Write every page so that each is a private, present 4 KiB page. */
	for (uint64_t off = 0; off < size; off += PAGE_4K)
		p[off] = 1;
	return p;
}

static void check(struct dma_ctx *c, int ret, const char *what,
		  uint64_t iova)
{
	if (ret == -ENOTTY && c->dev.fw == BENCH_ULDF)
		bench_unsupported(words, what);
	if (ret)
		bench_fail(words, "%s at IOVA 0x%llx: %s", what,
			   (unsigned long long)iova, strerror(-ret));
}

static void map_chunks(struct dma_ctx *c)
{
	for (uint64_t off = 0; off < c->size; off += c->chunk) {
		check(c, bench_dma_map(&c->dev, c->mem + off, IOVA_BASE + off,
				       c->chunk),
		      c->dev.fw == BENCH_ULDF ? "ULDF_DMA_MAP" : "VFIO_IOMMU_MAP_DMA",
		      IOVA_BASE + off);
		c->calls++;
	}
}

static void unmap_chunks(struct dma_ctx *c)
{
	for (uint64_t off = 0; off < c->size; off += c->chunk)
		check(c, bench_dma_unmap(&c->dev, IOVA_BASE + off, c->chunk),
		      c->dev.fw == BENCH_ULDF ? "ULDF_DMA_UNMAP" : "VFIO_IOMMU_UNMAP_DMA",
		      IOVA_BASE + off);
}

/* One entry per 4 KiB page: every other page of the memory. */
static void fill_entries(struct dma_ctx *c)
{
	uint64_t n = c->size / PAGE_4K;

	c->entries = calloc(n, sizeof(*c->entries));
	if (!c->entries)
		bench_fail(words, "out of memory");
	for (uint64_t i = 0; i < n; i++)
		c->entries[i] = (struct uldf_dma_map) {
			.argsz = sizeof(struct uldf_dma_map),
			.flags = ULDF_DMA_MAP_READ | ULDF_DMA_MAP_WRITE |
				 ULDF_DMA_MAP_FIXED_IOVA,
			.vaddr = (uintptr_t)(c->mem + 2 * i * PAGE_4K),
			.size = PAGE_4K,
			.iova = IOVA_BASE + i * PAGE_4K,
		};
}

static void batch_all(struct dma_ctx *c, uint32_t flags)
{
	uint64_t n = c->size / PAGE_4K;

	for (uint64_t i = 0; i < n; i += c->batch) {
		struct uldf_dma_batch b = {
			.argsz = sizeof(b),
			.flags = flags,
			.count = n - i < c->batch ? n - i : c->batch,
			.entries_ptr = (uintptr_t)&c->entries[i],
		};
		int ret = ioctl(c->dev.fd, ULDF_DMA_MAP_BATCH, &b) ? -errno : 0;

		check(c, ret, "ULDF_DMA_MAP_BATCH", c->entries[i + b.done].iova);
		if (b.done != b.count)
			bench_fail(words, "batch did %u of %u", b.done, b.count);
		if (!(flags & ULDF_DMA_BATCH_UNMAP))
			c->calls++;
	}
}

static void setup(struct dma_ctx *c, enum bench_fw fw, const char *bdf)
{
	bool huge = c->mode == MODE_HUGE || c->mode == MODE_HUGE_WHOLE;
	char err[128];
	int ret;

	ret = bench_dev_open(&c->dev, fw, bdf, err, sizeof(err));
	if (ret)
		bench_fail(words, "%s: %s", err, strerror(-ret));
	c->mem_size = c->mode == MODE_BATCH ? 2 * c->size : c->size;
	c->mem = alloc_memory(c->mem_size, huge);
	switch (c->mode) {
	case MODE_PAGE:
		c->chunk = PAGE_4K;
		break;
	case MODE_HUGE:
		c->chunk = PAGE_2M;
		break;
	case MODE_BATCH:
		fill_entries(c);
		/* fall through */
	default:
		c->chunk = c->size;
		break;
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-dma -f uldf|vfio -m page|whole|batch|huge|huge-whole [-s SIZE] [-b BATCH] [-r REPEAT] [-d BDF] [-c CPU]\n");
	exit(2);
}

static int parse_mode(const char *s)
{
	for (int i = 0; i <= MODE_HUGE_WHOLE; i++)
		if (!strcmp(s, mode_names[i]))
			return i;
	return -1;
}

int main(int argc, char **argv)
{
	const char *bdf = "0000:00:03.0";
	struct dma_ctx c = { .size = 64ull << 20, .batch = 65536 };
	uint64_t t0, map_ns = 0, unmap_ns = 0, pages;
	long repeat = 1, i;
	int fw = -1, mode = -1, cpu = 1, opt;
	bool pinned;
	char buf[128];

	while ((opt = getopt(argc, argv, "f:m:s:b:r:d:c:")) != -1) {
		switch (opt) {
		case 'f':
			fw = bench_fw_parse(optarg);
			break;
		case 'm':
			mode = parse_mode(optarg);
			break;
		case 's':
			c.size = bench_parse_size(optarg);
			break;
		case 'b':
			c.batch = strtoull(optarg, NULL, 0);
			break;
		case 'r':
			repeat = atol(optarg);
			break;
		case 'd':
			bdf = optarg;
			break;
		case 'c':
			cpu = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if ((fw != BENCH_ULDF && fw != BENCH_VFIO) || mode < 0 ||
	    !c.size || c.size % PAGE_2M || !c.batch || repeat < 1 ||
	    c.batch > ULDF_DMA_BATCH_MAX ||
	    (mode == MODE_BATCH && fw != BENCH_ULDF))
		usage();
	c.mode = mode;
	snprintf(buf, sizeof(buf), "bench=dma fw=%s mode=%s",
		 bench_fw_name(fw), mode_names[mode]);
	words = buf;
	if (bench_pin(bdf, cpu, false, &pinned))
		bench_fail(words, "cannot run on CPU %d", cpu);
	setup(&c, fw, bdf);

	for (i = 0; i < repeat; i++) {
		t0 = bench_now_ns();
		if (mode == MODE_BATCH)
			batch_all(&c, 0);
		else
			map_chunks(&c);
		map_ns += bench_now_ns() - t0;
		t0 = bench_now_ns();
		if (mode == MODE_BATCH)
			batch_all(&c, ULDF_DMA_BATCH_UNMAP);
		else
			unmap_chunks(&c);
		unmap_ns += bench_now_ns() - t0;
	}

	pages = c.size / PAGE_4K * repeat;
	printf("%s size=%llu pages=%llu calls=%llu map_ns=%llu unmap_ns=%llu ns_per_page=%.1f status=ok\n",
	       words, (unsigned long long)c.size, (unsigned long long)pages,
	       (unsigned long long)c.calls, (unsigned long long)map_ns,
	       (unsigned long long)unmap_ns,
	       (double)(map_ns + unmap_ns) / pages);
	munmap(c.mem, c.mem_size);
	free(c.entries);
	bench_dev_close(&c.dev);
	return 0;
}
