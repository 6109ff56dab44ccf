// SPDX-License-Identifier: GPL-2.0
/*
 * DMA through the IOMMU, checked with QEMU's edu device, whose DMA engine
 * shows in the bytes that come back what a mapping lets the device do:
 *
 *  - round trips: random bytes from one mapped buffer through the device
 *    into another, compared byte for byte, with IOVAs the module allocates
 *    below the edu's 28-bit DMA mask, with fixed IOVAs, and with a batch;
 *  - isolation: DMA to an IOVA never mapped, or unmapped after use, or
 *    writing a read-only mapping, changes nothing in the process and shows
 *    as a DMAR fault in the kernel log;
 *  - the errno of each bad request, and the allocator's limit;
 *  - the domain enforcing cache coherency where the IOMMU can snoop;
 *  - a 2 MiB hugetlb page, and a transparent huge page, each mapped with
 *    one 2 MiB IOMMU page, and a batch of scattered pages costing one
 *    IOTLB sync each way, observed with kprobes on the Intel IOMMU driver
 *    (the distribution kernel has no IOMMU debugfs); the two halves of a
 *    2 MiB page mapped side by side staying independent;
 *  - no-IOMMU mode, in a testbed booted without the IOMMU
 *    (tools/testbed/vm run --no-iommu -- selftests/uldf/uldf_dma_test):
 *    DMA refused without the module parameter; with it open() needs
 *    CAP_SYS_RAWIO, the kernel is tainted and the edu copies to and from
 *    the returned bus addresses.
 *
 * uldf_dma_leak_test covers accounting, release and concurrency.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "uldf_dma_fixture.h"

TEST_F(iommu, info)
{
	struct uldf_dma_info small = { .argsz = sizeof(small) };
	struct uldf_dma_info *info = self->info;
	bool msi_excluded = true, low = false;
	uint32_t i;

	EXPECT_EQ(ULDF_DMA_INFO_IOMMU,
		  info->flags & ~(uint32_t)ULDF_DMA_INFO_COHERENT);
	EXPECT_TRUE(info->pgsize_bitmap & PAGE);
	EXPECT_EQ(0, info->pgsize_bitmap & (PAGE - 1));
	ASSERT_LE(1, info->nr_ranges);
	EXPECT_EQ(sizeof(*info) + info->nr_ranges * sizeof(info->ranges[0]),
		  info->argsz);
	for (i = 0; i < info->nr_ranges; i++) {
		struct uldf_iova_range *r = &info->ranges[i];

		EXPECT_LE(r->start, r->last);
		if (i) {
			EXPECT_LT(info->ranges[i - 1].last + 1, r->start);
		}
		if (r->start <= MSI_BASE && r->last >= MSI_BASE)
			msi_excluded = false;
		if (r->start <= 0x100000 && r->last >= EDU_DMA_MASK)
			low = true;
	}
	EXPECT_TRUE(msi_excluded);
	EXPECT_TRUE(low);

	/* Too small for ranges: the header, and the size needed. */
	ASSERT_EQ(0, ioctl(self->fd, ULDF_DMA_GET_INFO, &small));
	EXPECT_EQ(info->argsz, small.argsz);
	EXPECT_EQ(info->nr_ranges, small.nr_ranges);
	EXPECT_EQ(info->pgsize_bitmap, small.pgsize_bitmap);

	small.argsz = sizeof(small) - 1;
	EXPECT_EQ(-1, ioctl(self->fd, ULDF_DMA_GET_INFO, &small));
	EXPECT_EQ(EINVAL, errno);
	small.argsz = sizeof(small);
	small.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, ULDF_DMA_GET_INFO, &small));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * The domain enforces cache coherency exactly where the device's Intel
 * IOMMU has Snoop Control (ECAP.SC, bit 7; the testbed's has it unless
 * booted with --no-snoop-control).  The other tests show DMA working in
 * either kind of domain.
 */
TEST_F(iommu, coherent_where_iommu_snoops)
{
	unsigned long long ecap;
	char path[256];
	FILE *f;
	int n;

	snprintf(path, sizeof(path),
		 "/sys/bus/pci/devices/%s/iommu/intel-iommu/ecap", self->bdf);
	f = fopen(path, "re");
	if (!f)
		SKIP(return, "no %s: not an Intel IOMMU", path);
	n = fscanf(f, "%llx", &ecap);
	fclose(f);
	ASSERT_EQ(1, n);
	EXPECT_EQ(!!(ecap & (1 << 7)),
		  !!(self->info->flags & ULDF_DMA_INFO_COHERENT)) {
		TH_LOG("ecap %#llx, flags %#x", ecap, self->info->flags);
	}
}

TEST_F(iommu, round_trip_allocated)
{
	uint64_t a_iova = 0, b_iova = 0;
	uint8_t *a = map_anon(4 * PAGE), *b = map_anon(4 * PAGE);

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, dma_map(self->fd, a, 4 * PAGE, ULDF_DMA_MAP_READ,
			     &a_iova, EDU_DMA_MASK));
	ASSERT_EQ(0, dma_map(self->fd, b, 4 * PAGE, ULDF_DMA_MAP_WRITE,
			     &b_iova, EDU_DMA_MASK));
	EXPECT_NE(0, a_iova);
	EXPECT_EQ(0, a_iova % PAGE);
	EXPECT_LE(a_iova + 4 * PAGE - 1, EDU_DMA_MASK);
	EXPECT_LE(b_iova + 4 * PAGE - 1, EDU_DMA_MASK);
	EXPECT_TRUE(b_iova >= a_iova + 4 * PAGE || a_iova >= b_iova + 4 * PAGE);

	/* Twice, at different offsets, so stale data cannot pass. */
	EXPECT_EQ(0, round_trip(_metadata, &self->edu, a, a_iova, b, b_iova,
				EDU_XFER));
	EXPECT_EQ(0, round_trip(_metadata, &self->edu, a + 3 * PAGE,
				a_iova + 3 * PAGE, b + 2 * PAGE,
				b_iova + 2 * PAGE, EDU_XFER));
	EXPECT_EQ(0, dma_unmap(self->fd, a_iova, 4 * PAGE, 0, NULL));
	EXPECT_EQ(0, dma_unmap(self->fd, b_iova, 4 * PAGE, 0, NULL));
}

TEST_F(iommu, round_trip_fixed)
{
	uint64_t a_iova = 0x123000, b_iova = 0x0ff00000, got;
	uint8_t *a = map_anon(PAGE), *b = map_anon(2 * PAGE);

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	got = a_iova;
	ASSERT_EQ(0, dma_map(self->fd, a, PAGE,
			     ULDF_DMA_MAP_READ | ULDF_DMA_MAP_FIXED_IOVA,
			     &got, 0));
	EXPECT_EQ(a_iova, got);
	got = b_iova;
	ASSERT_EQ(0, dma_map(self->fd, b, 2 * PAGE,
			     ULDF_DMA_MAP_READ | ULDF_DMA_MAP_WRITE |
			     ULDF_DMA_MAP_FIXED_IOVA, &got, 0));
	EXPECT_EQ(b_iova, got);
	EXPECT_EQ(0, round_trip(_metadata, &self->edu, a, a_iova, b + PAGE,
				b_iova + PAGE, EDU_XFER));
	/* A read-write mapping works both ways. */
	EXPECT_EQ(0, round_trip(_metadata, &self->edu, b + PAGE, b_iova + PAGE,
				b, b_iova, EDU_XFER));
}

TEST_F(iommu, round_trip_batch)
{
	enum { N = 64 };
	struct uldf_dma_map e[N];
	uint8_t *buf = map_anon(2 * N * PAGE);
	uint64_t unmapped;
	uint32_t done, i;

	ASSERT_NE(NULL, buf);
	/* Every other page: scattered in the process, one run in IOVA. */
	for (i = 0; i < N; i++)
		e[i] = (struct uldf_dma_map) {
			.argsz = sizeof(e[i]),
			.flags = ULDF_DMA_MAP_READ | ULDF_DMA_MAP_WRITE,
			.vaddr = (uintptr_t)(buf + 2 * i * PAGE),
			.size = PAGE,
			.iova_limit = EDU_DMA_MASK,
		};
	ASSERT_EQ(0, dma_batch(self->fd, e, N, 0, &done));
	EXPECT_EQ(N, done);
	for (i = 0; i < N; i++) {
		EXPECT_NE(0, e[i].iova);
		EXPECT_LE(e[i].iova + PAGE - 1, EDU_DMA_MASK);
		if (i)
			EXPECT_NE(e[i - 1].iova, e[i].iova);
	}
	EXPECT_EQ(0, round_trip(_metadata, &self->edu, buf, e[0].iova,
				buf + 2 * (N - 1) * PAGE, e[N - 1].iova,
				EDU_XFER));
	EXPECT_EQ(0, round_trip(_metadata, &self->edu, buf + 2 * 17 * PAGE,
				e[17].iova, buf + 2 * 40 * PAGE, e[40].iova,
				EDU_XFER));

	ASSERT_EQ(0, dma_batch(self->fd, e, N, ULDF_DMA_BATCH_UNMAP, &done));
	EXPECT_EQ(N, done);
	EXPECT_EQ(-ENOENT, dma_unmap(self->fd, e[5].iova, PAGE, 0, &unmapped));
	EXPECT_EQ(0, unmapped);
}

TEST_F(iommu, batch_stops_at_first_failure)
{
	struct uldf_dma_map e[4];
	uint8_t *buf = map_anon(4 * PAGE);
	uint32_t done, i;

	ASSERT_NE(NULL, buf);
	for (i = 0; i < 4; i++)
		e[i] = (struct uldf_dma_map) {
			.argsz = sizeof(e[i]),
			.flags = ULDF_DMA_MAP_READ | ULDF_DMA_MAP_FIXED_IOVA,
			.vaddr = (uintptr_t)(buf + i * PAGE),
			.size = PAGE,
			.iova = 0x400000 + i * PAGE,
		};
	e[2].iova = 0x400000;		/* overlaps entry 0 */
	EXPECT_EQ(-EEXIST, dma_batch(self->fd, e, 4, 0, &done));
	EXPECT_EQ(2, done);
	EXPECT_EQ(0, dma_unmap(self->fd, 0x400000, 2 * PAGE, 0, NULL));
	EXPECT_EQ(-ENOENT, dma_unmap(self->fd, 0x403000, PAGE, 0, NULL));

	e[2].iova = 0x402000;
	e[1].size = 0;			/* invalid */
	EXPECT_EQ(-EINVAL, dma_batch(self->fd, e, 4, 0, &done));
	EXPECT_EQ(1, done);
	e[1].size = PAGE;
	e[3].argsz = sizeof(e[3]) + 8;	/* batch entries must be exact */
	EXPECT_EQ(-EINVAL, dma_batch(self->fd, e + 1, 3, 0, &done));
	EXPECT_EQ(2, done);

	/* Unmap batch: entries 0 to 2 are there, entry 3 was never made. */
	e[3].argsz = sizeof(e[3]);
	EXPECT_EQ(-ENOENT, dma_batch(self->fd, e, 4, ULDF_DMA_BATCH_UNMAP,
				     &done));
	EXPECT_EQ(3, done);
	EXPECT_EQ(-ENOENT, dma_unmap(self->fd, 0x400000, PAGE, 0, NULL));

	EXPECT_EQ(-EINVAL, dma_batch(self->fd, e, 0, 0, &done));
	EXPECT_EQ(-EINVAL, dma_batch(self->fd, e, ULDF_DMA_BATCH_MAX + 1, 0,
				     &done));
	EXPECT_EQ(-EINVAL, dma_batch(self->fd, e, 1, 0x80, &done));
	EXPECT_EQ(-EFAULT, dma_batch(self->fd, (void *)8, 1, 0, &done));
}

TEST_F(iommu, unmapped_iova_faults)
{
	uint8_t *a = map_anon(PAGE), *b = map_anon(PAGE);
	uint8_t *copy = map_anon(PAGE);
	uint64_t a_iova = 0, b_iova = 0, never = 0x0a000000;
	int before;

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	ASSERT_NE(NULL, copy);
	ASSERT_EQ(0, dma_map(self->fd, a, PAGE, ULDF_DMA_MAP_READ, &a_iova,
			     EDU_DMA_MASK));
	ASSERT_EQ(0, dma_map(self->fd, b, PAGE, ULDF_DMA_MAP_WRITE, &b_iova,
			     EDU_DMA_MASK));
	/* Use B once, so that its translation was live (and cached). */
	ASSERT_EQ(0, round_trip(_metadata, &self->edu, a, a_iova, b, b_iova,
				EDU_XFER));
	ASSERT_EQ(0, dma_unmap(self->fd, b_iova, PAGE, 0, NULL));

	/* New bytes in the device; B must not receive them. */
	fill_random(a, PAGE);
	ASSERT_EQ(0, ram_to_edu(&self->edu, a_iova, EDU_XFER));
	memcpy(copy, b, PAGE);
	before = dmar_faults(self->bdf, b_iova);
	ASSERT_EQ(0, edu_to_ram(&self->edu, b_iova, EDU_XFER));
	EXPECT_TRUE(dmar_fault_seen(self->bdf, b_iova, before));
	EXPECT_EQ(0, memcmp(copy, b, PAGE));

	/* An IOVA never mapped. */
	memcpy(copy, a, PAGE);
	before = dmar_faults(self->bdf, never);
	ASSERT_EQ(0, edu_to_ram(&self->edu, never, EDU_XFER));
	EXPECT_TRUE(dmar_fault_seen(self->bdf, never, before));
	EXPECT_EQ(0, memcmp(copy, a, PAGE));
	EXPECT_NE(0, memcmp(b, a, EDU_XFER));
}

TEST_F(iommu, read_only_blocks_device_writes)
{
	uint8_t *ro = map_anon(PAGE), *rw = map_anon(PAGE);
	uint8_t *copy = map_anon(PAGE);
	uint64_t ro_iova = 0, rw_iova = 0;
	int before;

	ASSERT_NE(NULL, ro);
	ASSERT_NE(NULL, rw);
	ASSERT_NE(NULL, copy);
	fill_random(ro, PAGE);
	ASSERT_EQ(0, dma_map(self->fd, ro, PAGE, ULDF_DMA_MAP_READ, &ro_iova,
			     EDU_DMA_MASK));
	ASSERT_EQ(0, dma_map(self->fd, rw, PAGE,
			     ULDF_DMA_MAP_READ | ULDF_DMA_MAP_WRITE, &rw_iova,
			     EDU_DMA_MASK));
	/*
	 * The device cannot write the read-only mapping.  (Done first: QEMU
	 * blocks a write through a read-only translation it has cached
	 * without reporting a fault.)
	 */
	fill_random(rw, PAGE);
	ASSERT_EQ(0, ram_to_edu(&self->edu, rw_iova, EDU_XFER));
	memcpy(copy, ro, PAGE);
	before = dmar_faults(self->bdf, ro_iova);
	ASSERT_EQ(0, edu_to_ram(&self->edu, ro_iova, EDU_XFER));
	EXPECT_TRUE(dmar_fault_seen(self->bdf, ro_iova, before));
	EXPECT_EQ(0, memcmp(copy, ro, PAGE));
	/* But it can read it. */
	EXPECT_EQ(0, round_trip(_metadata, &self->edu, ro, ro_iova, rw, rw_iova,
				EDU_XFER));
}

TEST_F(iommu, errors)
{
	uint8_t *buf = map_anon(4 * PAGE);
	uint64_t iova, unmapped;
	struct uldf_dma_map m;
	void *ro;
	uint32_t i;

	ASSERT_NE(NULL, buf);
	/* Flags. */
	iova = 0;
	EXPECT_EQ(-EINVAL, dma_map(self->fd, buf, PAGE, 0, &iova, 0));
	EXPECT_EQ(-EINVAL, dma_map(self->fd, buf, PAGE,
				   ULDF_DMA_MAP_READ | 0x100, &iova, 0));
	/* Alignment and size. */
	EXPECT_EQ(-EINVAL, dma_map(self->fd, buf + 8, PAGE, ULDF_DMA_MAP_READ,
				   &iova, 0));
	EXPECT_EQ(-EINVAL, dma_map(self->fd, buf, PAGE + 8, ULDF_DMA_MAP_READ,
				   &iova, 0));
	EXPECT_EQ(-EINVAL, dma_map(self->fd, buf, 0, ULDF_DMA_MAP_READ,
				   &iova, 0));
	iova = 0x100800;
	EXPECT_EQ(-EINVAL, dma_map(self->fd, buf, PAGE, ULDF_DMA_MAP_READ |
				   ULDF_DMA_MAP_FIXED_IOVA, &iova, 0));
	/* Fixed IOVAs outside the usable ranges. */
	iova = MSI_BASE;
	EXPECT_EQ(-EINVAL, dma_map(self->fd, buf, PAGE, ULDF_DMA_MAP_READ |
				   ULDF_DMA_MAP_FIXED_IOVA, &iova, 0));
	iova = self->info->ranges[self->info->nr_ranges - 1].last + 1;
	if (iova) {
		EXPECT_EQ(-EINVAL, dma_map(self->fd, buf, PAGE,
					   ULDF_DMA_MAP_READ |
					   ULDF_DMA_MAP_FIXED_IOVA, &iova, 0));
	}
	iova = -PAGE;
	EXPECT_EQ(-EINVAL, dma_map(self->fd, buf, 2 * PAGE, ULDF_DMA_MAP_READ |
				   ULDF_DMA_MAP_FIXED_IOVA, &iova, 0));
	/* Memory that is not there, or not writable. */
	iova = 0;
	EXPECT_EQ(-EFAULT, dma_map(self->fd, (void *)PAGE, PAGE,
				   ULDF_DMA_MAP_READ, &iova, 0));
	ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(-EFAULT, dma_map(self->fd, ro, PAGE, ULDF_DMA_MAP_WRITE,
				   &iova, 0));
	EXPECT_EQ(0, dma_map(self->fd, ro, PAGE, ULDF_DMA_MAP_READ, &iova, 0));
	EXPECT_EQ(0, dma_unmap(self->fd, iova, PAGE, 0, NULL));

	/* No room below the limit. */
	iova = 0;
	EXPECT_EQ(-ENOSPC, dma_map(self->fd, buf, 2 * PAGE, ULDF_DMA_MAP_READ,
				   &iova, 2 * PAGE - 1));
	/* argsz and padding. */
	m = (struct uldf_dma_map) {
		.argsz = sizeof(m) - 8, .flags = ULDF_DMA_MAP_READ,
		.vaddr = (uintptr_t)buf, .size = PAGE,
	};
	EXPECT_EQ(-1, ioctl(self->fd, ULDF_DMA_MAP, &m));
	EXPECT_EQ(EINVAL, errno);
	m.argsz = sizeof(m);
	m.pad = 1;
	EXPECT_EQ(-1, ioctl(self->fd, ULDF_DMA_MAP, &m));
	EXPECT_EQ(EINVAL, errno);

	/* Overlap. */
	iova = 0x200000;
	ASSERT_EQ(0, dma_map(self->fd, buf, 2 * PAGE, ULDF_DMA_MAP_READ |
			     ULDF_DMA_MAP_FIXED_IOVA, &iova, 0));
	for (i = 0; i < 3; i++) {
		iova = 0x1ff000 + i * PAGE;
		EXPECT_EQ(-EEXIST, dma_map(self->fd, buf + 2 * PAGE, 2 * PAGE,
					   ULDF_DMA_MAP_READ |
					   ULDF_DMA_MAP_FIXED_IOVA, &iova, 0));
	}
	/* Unmap: never mapped, cut through, unaligned, zero, ALL + range. */
	EXPECT_EQ(-ENOENT, dma_unmap(self->fd, 0x300000, PAGE, 0, &unmapped));
	EXPECT_EQ(0, unmapped);
	EXPECT_EQ(-ENOENT, dma_unmap(self->fd, 0x1ff000, 2 * PAGE, 0, NULL));
	EXPECT_EQ(-EBUSY, dma_unmap(self->fd, 0x201000, PAGE, 0, NULL));
	EXPECT_EQ(-EBUSY, dma_unmap(self->fd, 0x200000, PAGE, 0, NULL));
	EXPECT_EQ(-EINVAL, dma_unmap(self->fd, 0x200800, PAGE, 0, NULL));
	EXPECT_EQ(-EINVAL, dma_unmap(self->fd, 0x200000, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, dma_unmap(self->fd, 0x200000, PAGE,
				     ULDF_DMA_UNMAP_ALL, NULL));
	EXPECT_EQ(-EINVAL, dma_unmap(self->fd, 0x200000, PAGE, 0x8, NULL));
	/* A range may cover several whole mappings, and gaps. */
	iova = 0x204000;
	ASSERT_EQ(0, dma_map(self->fd, buf + 2 * PAGE, PAGE, ULDF_DMA_MAP_READ |
			     ULDF_DMA_MAP_FIXED_IOVA, &iova, 0));
	EXPECT_EQ(0, dma_unmap(self->fd, 0x200000, 8 * PAGE, 0, &unmapped));
	EXPECT_EQ(3 * PAGE, unmapped);
	EXPECT_EQ(-ENOENT, dma_unmap(self->fd, 0x204000, PAGE, 0, NULL));

	/* UNMAP_ALL. */
	iova = 0;
	ASSERT_EQ(0, dma_map(self->fd, buf, PAGE, ULDF_DMA_MAP_READ, &iova, 0));
	iova = 0;
	ASSERT_EQ(0, dma_map(self->fd, buf + PAGE, PAGE, ULDF_DMA_MAP_READ,
			     &iova, 0));
	EXPECT_EQ(0, dma_unmap(self->fd, 0, 0, ULDF_DMA_UNMAP_ALL, &unmapped));
	EXPECT_EQ(2 * PAGE, unmapped);
	EXPECT_EQ(0, dma_unmap(self->fd, 0, 0, ULDF_DMA_UNMAP_ALL, &unmapped));
	EXPECT_EQ(0, unmapped);
}

/* The module hands out the lowest free IOVAs, all within the limit. */
TEST_F(iommu, allocator_fills_below_limit)
{
	const uint64_t limit = 0x7fffff;	/* 8 MiB, IOVA 0 never used */
	uint8_t *buf = map_anon(PAGE);
	uint64_t iova, seen = 0;
	int i, ret;

	ASSERT_NE(NULL, buf);
	for (i = 0; i < 2048; i++) {
		iova = 0;
		ret = dma_map(self->fd, buf, PAGE, ULDF_DMA_MAP_READ, &iova,
			      limit);
		if (ret)
			break;
		EXPECT_NE(0, iova);
		EXPECT_LE(iova, limit - PAGE + 1);
		seen++;
	}
	EXPECT_EQ(-ENOSPC, ret);
	EXPECT_EQ(limit / PAGE, seen);
	EXPECT_EQ(0, dma_unmap(self->fd, 0, 0, ULDF_DMA_UNMAP_ALL, NULL));
}
/* ---- 2 MiB pages and IOTLB syncs ------------------------------------- */

#define KPROBE		"uldf_dma_test/iommu_map_pages"

/*
 * Of the intel_iommu_map_pages() calls for [@iova, @iova + @size), count
 * those that map it with one @size page; *@other counts the rest.
 */
static int count_map_pages(const char *dir, uint64_t iova, uint64_t size,
			   uint64_t *other)
{
	unsigned long long at, pgsize, pgcount;
	char path[256], line[512], *p;
	int count = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace", dir);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	*other = 0;
	while (fgets(line, sizeof(line), f)) {
		p = strstr(line, "iova=");
		if (!strstr(line, "iommu_map_pages:") || !p ||
		    sscanf(p, "iova=%llx pgsize=%llx pgcount=%llu", &at,
			   &pgsize, &pgcount) != 3)
			continue;
		if (at < iova || at >= iova + size)
			continue;
		if (at == iova && pgsize == size && pgcount == 1)
			count++;
		else
			(*other)++;
	}
	fclose(f);
	return count;
}

/*
 * Map the 2 MiB page at @huge and check, with a kprobe on the Intel IOMMU
 * driver's map_pages, that it went in as one 2 MiB IOMMU page; then that
 * the device reaches all of it.
 */
static void check_2m_page(struct __test_metadata *_metadata,
			  FIXTURE_DATA(iommu) *self, uint8_t *huge)
{
	uint64_t iova = 0, b_iova = 0, other;
	uint8_t *b = map_anon(PAGE);
	const char *dir;
	int count;

	ASSERT_NE(NULL, b);
	dir = uldf_test_tracefs();
	if (!dir)
		SKIP(return, "no tracefs to observe the IOMMU page size");
	uldf_test_write_str(dir, "kprobe_events", "-:" KPROBE "\n", true);
	if (uldf_test_write_str(dir, "kprobe_events",
		      "p:" KPROBE " intel_iommu_map_pages iova=$arg2:x64 pgsize=$arg4:x64 pgcount=$arg5:u64\n",
		      true))
		SKIP(return, "cannot kprobe intel_iommu_map_pages (not an Intel IOMMU?)");
	ASSERT_EQ(0, uldf_test_write_str(dir, "trace", "", false));
	ASSERT_EQ(0, uldf_test_write_str(dir, "events/" KPROBE "/enable", "1", false));

	ASSERT_EQ(0, dma_map(self->fd, huge, SZ_2M, ULDF_DMA_MAP_READ |
			     ULDF_DMA_MAP_WRITE, &iova, EDU_DMA_MASK));
	EXPECT_EQ(0, uldf_test_write_str(dir, "events/" KPROBE "/enable", "0", false));
	EXPECT_EQ(0, iova % SZ_2M);
	count = count_map_pages(dir, iova, SZ_2M, &other);
	EXPECT_EQ(1, count) {
		TH_LOG("%d map_pages calls with a 2 MiB page at %#llx, %llu others",
		       count, (unsigned long long)iova,
		       (unsigned long long)other);
	}
	EXPECT_EQ(0, other);
	uldf_test_write_str(dir, "kprobe_events", "-:" KPROBE "\n", true);

	/* And the device reaches all of it: the last 2 KiB of the page. */
	ASSERT_EQ(0, dma_map(self->fd, b, PAGE, ULDF_DMA_MAP_READ |
			     ULDF_DMA_MAP_WRITE, &b_iova, EDU_DMA_MASK));
	EXPECT_EQ(0, round_trip(_metadata, &self->edu, huge + SZ_2M - EDU_XFER,
				iova + SZ_2M - EDU_XFER, b, b_iova, EDU_XFER));
	EXPECT_EQ(0, round_trip(_metadata, &self->edu, b, b_iova,
				huge + SZ_2M / 2, iova + SZ_2M / 2, EDU_XFER));
	EXPECT_EQ(0, dma_unmap(self->fd, iova, SZ_2M, 0, NULL));
}

TEST_F(iommu, hugetlb_2m_iommu_page)
{
	uint8_t *huge;

	if (!(self->info->pgsize_bitmap & SZ_2M))
		SKIP(return, "the IOMMU offers no 2 MiB pages (bitmap %#llx)",
		     (unsigned long long)self->info->pgsize_bitmap);
	huge = mmap(NULL, SZ_2M, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE,
		    -1, 0);
	if (huge == MAP_FAILED)
		SKIP(return, "no 2 MiB hugetlb page (vm.nr_hugepages)");
	check_2m_page(_metadata, self, huge);
}

/* Whether the 2 MiB at @addr are one transparent huge page (smaps). */
static bool is_thp(void *addr)
{
	unsigned long start, end, want = (uintptr_t)addr;
	char line[256];
	bool in = false, thp = false;
	long kb;
	FILE *f;

	f = fopen("/proc/self/smaps", "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2)
			in = start <= want && want + SZ_2M <= end;
		else if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			thp = kb >= 2048;
	}
	fclose(f);
	return thp;
}

TEST_F(iommu, thp_2m_iommu_page)
{
	uint8_t *area, *huge;

	if (!(self->info->pgsize_bitmap & SZ_2M))
		SKIP(return, "the IOMMU offers no 2 MiB pages (bitmap %#llx)",
		     (unsigned long long)self->info->pgsize_bitmap);
	area = mmap(NULL, 2 * SZ_2M, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	huge = (uint8_t *)(((uintptr_t)area + SZ_2M - 1) & ~(SZ_2M - 1));
	madvise(huge, SZ_2M, MADV_HUGEPAGE);
	memset(huge, 0x5a, SZ_2M);
	if (!is_thp(huge))
		SKIP(return, "no transparent huge page for the buffer (THP off, or memory fragmented)");
	check_2m_page(_metadata, self, huge);
}

#define KPROBE_SYNC_MAP	"uldf_dma_test/iotlb_sync_map"
#define KPROBE_TLB_SYNC	"uldf_dma_test/iotlb_sync"

/* Count traced syncs whose [first, last] overlaps [@lo, @hi]; -1 on error. */
static int count_syncs(const char *dir, const char *event, uint64_t lo,
		       uint64_t hi, uint64_t *first, uint64_t *last)
{
	unsigned long long a, b;
	char path[256], line[512], *p;
	int count = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace", dir);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		p = strstr(line, "first=");
		if (!strstr(line, event) || !p ||
		    sscanf(p, "first=%llx last=%llx", &a, &b) != 2)
			continue;
		if (b < lo || a > hi)
			continue;
		*first = a;
		*last = b;
		count++;
	}
	fclose(f);
	return count;
}

/*
 * A batch of scattered pages costs one IOTLB synchronisation to map and
 * one to unmap (the cost of each under an emulated IOMMU in caching mode),
 * seen with kprobes on the Intel IOMMU driver's sync callbacks.
 */
TEST_F(iommu, batch_costs_one_iotlb_sync)
{
	enum { N = 64 };
	uint8_t *buf = map_anon(2 * N * PAGE);
	uint64_t lo = UINT64_MAX, hi = 0, first = 0, last = 0;
	struct uldf_dma_map e[N];
	const char *dir = uldf_test_tracefs();
	uint32_t done, i;

	ASSERT_NE(NULL, buf);
	if (!dir)
		SKIP(return, "no tracefs to count IOTLB syncs");
	uldf_test_write_str(dir, "kprobe_events", "-:" KPROBE_SYNC_MAP "\n", true);
	uldf_test_write_str(dir, "kprobe_events", "-:" KPROBE_TLB_SYNC "\n", true);
	if (uldf_test_write_str(dir, "kprobe_events",
		      "p:" KPROBE_SYNC_MAP " intel_iommu_iotlb_sync_map first=$arg2:x64 last=$arg3:x64\n",
		      true) ||
	    uldf_test_write_str(dir, "kprobe_events",
		      "p:" KPROBE_TLB_SYNC " intel_iommu_tlb_sync first=+0($arg2):x64 last=+8($arg2):x64\n",
		      true))
		SKIP(return, "cannot kprobe the Intel IOMMU's sync callbacks");
	for (i = 0; i < N; i++)
		e[i] = (struct uldf_dma_map) {
			.argsz = sizeof(e[i]),
			.flags = ULDF_DMA_MAP_READ | ULDF_DMA_MAP_WRITE,
			.vaddr = (uintptr_t)(buf + 2 * i * PAGE),
			.size = PAGE,
			.iova_limit = EDU_DMA_MASK,
		};

	ASSERT_EQ(0, uldf_test_write_str(dir, "trace", "", false));
	ASSERT_EQ(0, uldf_test_write_str(dir, "events/uldf_dma_test/enable", "1", false));
	ASSERT_EQ(0, dma_batch(self->fd, e, N, 0, &done));
	EXPECT_EQ(0, uldf_test_write_str(dir, "events/uldf_dma_test/enable", "0", false));
	for (i = 0; i < N; i++) {
		lo = e[i].iova < lo ? e[i].iova : lo;
		hi = e[i].iova + PAGE - 1 > hi ? e[i].iova + PAGE - 1 : hi;
	}
	/* The module picked one run of IOVAs: one sync over all of it. */
	EXPECT_EQ(N * PAGE - 1, hi - lo);
	EXPECT_EQ(1, count_syncs(dir, "iotlb_sync_map:", lo, hi, &first,
				 &last));
	/* intel_iommu_iotlb_sync_map() takes (iova, size). */
	EXPECT_EQ(lo, first);
	EXPECT_EQ(N * PAGE, last);

	ASSERT_EQ(0, uldf_test_write_str(dir, "trace", "", false));
	ASSERT_EQ(0, uldf_test_write_str(dir, "events/uldf_dma_test/enable", "1", false));
	ASSERT_EQ(0, dma_batch(self->fd, e, N, ULDF_DMA_BATCH_UNMAP, &done));
	EXPECT_EQ(0, uldf_test_write_str(dir, "events/uldf_dma_test/enable", "0", false));
	EXPECT_EQ(1, count_syncs(dir, "iotlb_sync:", lo, hi, &first, &last));
	EXPECT_EQ(lo, first);
	EXPECT_EQ(hi, last);
	uldf_test_write_str(dir, "kprobe_events", "-:" KPROBE_SYNC_MAP "\n", true);
	uldf_test_write_str(dir, "kprobe_events", "-:" KPROBE_TLB_SYNC "\n", true);
}

/*
 * The two halves of one 2 MiB page, mapped as two mappings side by side in
 * one batch: unmapping one must leave the other reachable (a single 2 MiB
 * IOMMU page across both would go with either).
 */
TEST_F(iommu, hugetlb_halves_stay_independent)
{
	const uint64_t base = 0x800000, half = SZ_2M / 2;
	uint8_t *huge, *b = map_anon(PAGE);
	struct uldf_dma_map e[2];
	uint64_t b_iova = 0;
	uint32_t done;
	int before, i;

	ASSERT_NE(NULL, b);
	huge = mmap(NULL, SZ_2M, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE,
		    -1, 0);
	if (huge == MAP_FAILED)
		SKIP(return, "no 2 MiB hugetlb page (vm.nr_hugepages)");
	for (i = 0; i < 2; i++)
		e[i] = (struct uldf_dma_map) {
			.argsz = sizeof(e[i]),
			.flags = ULDF_DMA_MAP_READ | ULDF_DMA_MAP_WRITE |
				 ULDF_DMA_MAP_FIXED_IOVA,
			.vaddr = (uintptr_t)(huge + i * half),
			.size = half,
			.iova = base + i * half,
		};
	ASSERT_EQ(0, dma_batch(self->fd, e, 2, 0, &done));
	ASSERT_EQ(0, dma_map(self->fd, b, PAGE, ULDF_DMA_MAP_READ |
			     ULDF_DMA_MAP_WRITE, &b_iova, EDU_DMA_MASK));
	ASSERT_EQ(0, dma_unmap(self->fd, base, half, 0, NULL));

	/* The second half still works both ways, without a fault. */
	before = dmar_faults(self->bdf, base + half);
	EXPECT_EQ(0, round_trip(_metadata, &self->edu, huge + half, base + half,
				b, b_iova, EDU_XFER));
	EXPECT_EQ(0, round_trip(_metadata, &self->edu, b, b_iova,
				huge + SZ_2M - PAGE, base + SZ_2M - PAGE,
				EDU_XFER));
	EXPECT_EQ(before, dmar_faults(self->bdf, base + half));
	EXPECT_EQ(0, dma_unmap(self->fd, base + half, half, 0, NULL));
}

/* ---- no-IOMMU mode -------------------------------------------------- */

FIXTURE(noiommu) {
	const char *bdf;
	int fd;
	struct uldf_test_dev edu;
	bool reloaded;
};

/*
 * The uldf.ko the testbed loaded: $ULDF_KO (built for the kernel that
 * booted, which may be the debug kernel's), else the tree's own.
 */
static const char *module_path(char *buf, size_t len)
{
	const char *ko = getenv("ULDF_KO");
	const char *proj = getenv("ULDF_PROJ");

	if (ko && *ko)
		snprintf(buf, len, "%s", ko);
	else if (proj)
		snprintf(buf, len, "%s/kmod/uldf.ko", proj);
	else
		snprintf(buf, len, "../../kmod/uldf.ko");
	return buf;
}

/* Reload uldf.ko with @params; 0 on success. */
static int reload_uldf(const char *params)
{
	char ko[512], cmd[700];

	snprintf(cmd, sizeof(cmd), "rmmod uldf && insmod %s %s",
		 module_path(ko, sizeof(ko)), params);
	return system(cmd) ? -EIO : 0;
}

static long tainted(void)
{
	char buf[32] = "";
	int fd = open("/proc/sys/kernel/tainted", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = '\0';
	if (fd >= 0)
		close(fd);
	return strtol(buf, NULL, 10);
}

#define TAINT_USER_BIT		(1L << 6)

/* Take @cap out of the effective set, or put it back (it stays permitted). */
static int cap_effective(int cap, bool on)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	if (on)
		data[cap / 32].effective |= 1U << (cap % 32);
	else
		data[cap / 32].effective &= ~(1U << (cap % 32));
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

FIXTURE_SETUP(noiommu)
{
	self->fd = -1;
	self->reloaded = false;
	self->bdf = uldf_test_bdf("ULDF_EDU_BDF", ULDF_DEFAULT_EDU);
	if (!uldf_test_module_loaded())
		SKIP(return, "uldf.ko not loaded; run through 'make check'");
	if (!uldf_test_device_exists(self->bdf))
		SKIP(return, "no edu at %s", self->bdf);
	if (iommu_present())
		SKIP(return, "needs a VM without an IOMMU: tools/testbed/vm run --no-iommu -- selftests/uldf/uldf_dma_test");
}

FIXTURE_TEARDOWN(noiommu)
{
	if (self->fd >= 0)
		close(self->fd);
	uldf_test_unbind(self->bdf);
	if (self->reloaded)
		reload_uldf("");
}

TEST_F(noiommu, refused_without_parameter)
{
	struct uldf_dma_info info = { .argsz = sizeof(info) };
	uint8_t *buf = map_anon(PAGE);
	uint64_t iova = 0;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, reload_uldf(""));
	self->reloaded = true;
	ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
	/* A device that cannot DMA needs no CAP_SYS_RAWIO. */
	ASSERT_EQ(0, cap_effective(CAP_SYS_RAWIO, false));
	self->fd = uldf_test_open(self->bdf);
	ASSERT_EQ(0, cap_effective(CAP_SYS_RAWIO, true));
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioctl(self->fd, ULDF_DMA_GET_INFO, &info));
	EXPECT_EQ(0, info.flags);
	EXPECT_EQ(0, info.nr_ranges);
	EXPECT_EQ(-ENODEV, dma_map(self->fd, buf, PAGE, ULDF_DMA_MAP_READ,
				   &iova, 0));
	EXPECT_NE(0, set_bus_master(self->fd));
}

/*
 * No-IOMMU mode lets the holder of the device fd DMA to all physical
 * memory, so open() needs CAP_SYS_RAWIO (as VFIO's no-IOMMU groups do);
 * refused, it grants nothing and says why in the log.
 */
TEST_F(noiommu, open_needs_cap_sys_rawio)
{
	struct uldf_dma_info info = { .argsz = sizeof(info) };
	int logged, granted;

	ASSERT_EQ(0, reload_uldf("enable_noiommu=1"));
	self->reloaded = true;
	ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
	logged = uldf_test_dmesg_count("CAP_SYS_RAWIO");
	granted = uldf_test_dmesg_count("no-IOMMU mode:");

	ASSERT_EQ(0, cap_effective(CAP_SYS_RAWIO, false));
	self->fd = uldf_test_open(self->bdf);
	ASSERT_EQ(0, cap_effective(CAP_SYS_RAWIO, true));
	EXPECT_EQ(-EPERM, self->fd);
	if (self->fd >= 0) {
		close(self->fd);
		self->fd = -1;
	}
	EXPECT_LT(logged, uldf_test_dmesg_count("CAP_SYS_RAWIO"));
	EXPECT_EQ(granted, uldf_test_dmesg_count("no-IOMMU mode:"));

	/* With it, the open works as before. */
	self->fd = uldf_test_open(self->bdf);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioctl(self->fd, ULDF_DMA_GET_INFO, &info));
	EXPECT_EQ(ULDF_DMA_INFO_NOIOMMU, info.flags);
	EXPECT_EQ(0, set_bus_master(self->fd));
}

/* Map one page below the edu's DMA mask; return its bus address. */
static int map_low_page(int fd, uint8_t *pages, int n, uint8_t **page,
			uint64_t *addr)
{
	struct uldf_dma_seg seg;
	int i;

	for (i = 0; i < n; i++) {
		struct uldf_dma_map m = {
			.argsz = sizeof(m),
			.flags = ULDF_DMA_MAP_READ | ULDF_DMA_MAP_WRITE,
			.vaddr = (uintptr_t)(pages + i * PAGE),
			.size = PAGE,
			.iova_limit = EDU_DMA_MASK,
			.nr_segs = 1,
			.segs_ptr = (uintptr_t)&seg,
		};

		if (ioctl(fd, ULDF_DMA_MAP, &m) == 0) {
			if (m.nr_segs != 1 || seg.addr != m.iova ||
			    seg.len != PAGE)
				return -EIO;
			*page = pages + i * PAGE;
			*addr = seg.addr;
			return 0;
		}
		if (errno != ERANGE)
			return -errno;
	}
	return -ERANGE;
}

TEST_F(noiommu, physical_dma)
{
	enum { N = 1024 };
	uint8_t *pages = map_anon(N * PAGE), *a, *b;
	long taint_before = tainted();
	struct uldf_dma_info info = { .argsz = sizeof(info) };
	struct uldf_dma_seg segs[4];
	struct uldf_dma_map m;
	uint64_t a_addr, b_addr;
	int ret;

	ASSERT_NE(NULL, pages);
	ASSERT_EQ(0, reload_uldf("enable_noiommu=1"));
	self->reloaded = true;
	ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
	self->fd = uldf_test_open(self->bdf);
	ASSERT_LE(0, self->fd);
	EXPECT_TRUE(tainted() & TAINT_USER_BIT) {
		TH_LOG("tainted %#lx before, %#lx after", taint_before,
		       tainted());
	}
	EXPECT_LT(0, uldf_test_dmesg_count("no-IOMMU mode:"));
	ASSERT_EQ(0, ioctl(self->fd, ULDF_DMA_GET_INFO, &info));
	EXPECT_EQ(ULDF_DMA_INFO_NOIOMMU, info.flags);
	EXPECT_EQ(PAGE, info.pgsize_bitmap);
	ASSERT_EQ(0, set_bus_master(self->fd));
	ASSERT_EQ(0, edu_attach(&self->edu, self->fd));

	/* Not enough room for the segments: E2BIG and the count needed. */
	m = (struct uldf_dma_map) {
		.argsz = sizeof(m), .flags = ULDF_DMA_MAP_READ,
		.vaddr = (uintptr_t)pages, .size = 4 * PAGE,
	};
	EXPECT_EQ(-1, ioctl(self->fd, ULDF_DMA_MAP, &m));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_LE(1, m.nr_segs);
	EXPECT_GE(4, m.nr_segs);
	m.segs_ptr = (uintptr_t)segs;
	ASSERT_EQ(0, ioctl(self->fd, ULDF_DMA_MAP, &m));
	EXPECT_EQ(segs[0].addr, m.iova);
	EXPECT_EQ(-EBUSY, dma_unmap(self->fd, m.iova, PAGE, 0, NULL));
	EXPECT_EQ(0, dma_unmap(self->fd, m.iova, 4 * PAGE, 0, NULL));
	/* A fixed IOVA means nothing without an IOMMU. */
	m.flags |= ULDF_DMA_MAP_FIXED_IOVA;
	EXPECT_EQ(-1, ioctl(self->fd, ULDF_DMA_MAP, &m));
	EXPECT_EQ(EINVAL, errno);

	/* The edu reaches 28 bits: find pages it can address. */
	ret = map_low_page(self->fd, pages, N / 2, &a, &a_addr);
	if (ret == -ERANGE)
		SKIP(return, "no page below the edu's 28-bit DMA mask; boot the VM with --mem 256");
	ASSERT_EQ(0, ret);
	ret = map_low_page(self->fd, pages + N / 2 * PAGE, N / 2, &b, &b_addr);
	if (ret == -ERANGE)
		SKIP(return, "no page below the edu's 28-bit DMA mask; boot the VM with --mem 256");
	ASSERT_EQ(0, ret);
	EXPECT_EQ(0, round_trip(_metadata, &self->edu, a, a_addr, b, b_addr,
				EDU_XFER));
	EXPECT_EQ(0, round_trip(_metadata, &self->edu, b, b_addr, a, a_addr,
				EDU_XFER));
	EXPECT_EQ(0, dma_unmap(self->fd, 0, 0, ULDF_DMA_UNMAP_ALL, NULL));
}

TEST_HARNESS_MAIN
