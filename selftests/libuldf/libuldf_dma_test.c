// SPDX-License-Identifier: GPL-2.0
/*
 * libuldf's DMA functions against uldf.ko and QEMU's edu, whose DMA engine
 * copies between its 4 KiB buffer and an IOVA of 28 bits: allocated and
 * fixed IOVAs under the DMA mask, unmapping, batches, DMA buffers on small
 * pages and on hugepages, locked-memory accounting, data that really went
 * through the IOMMU both ways, and a second edu joining the first's
 * address space.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "uldf_util.h"
#include <libuldf.h>

#define LEN		1024
#define PAGE		4096

/* VmLck of this process, in KiB. */
static long vmlck_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static long free_hugepages(void)
{
	char line[256];
	long n = 0;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "HugePages_Free: %ld", &n) == 1)
			break;
	fclose(f);
	return n;
}

/* One edu DMA transfer of LEN bytes, polled; 0 when it completed. */
static int edu_dma(void *bar, uint64_t src, uint64_t dst, uint32_t dir)
{
	int spins = 0;

	uldf_mmio_write64(bar, EDU_DMA_SRC, src);
	uldf_mmio_write64(bar, EDU_DMA_DST, dst);
	uldf_mmio_write64(bar, EDU_DMA_COUNT, LEN);
	uldf_mmio_write64(bar, EDU_DMA_CMD, EDU_DMA_START | dir);
	while (uldf_mmio_read64(bar, EDU_DMA_CMD) & EDU_DMA_START) {
		if (++spins > 10000000)
			return -ETIMEDOUT;
	}
	return 0;
}

/* Copy LEN bytes from @out to the device and back into @in, by IOVA. */
static int round_trip(void *bar, uint8_t *out, uint64_t out_iova,
		      uint8_t *in, uint64_t in_iova, uint8_t seed)
{
	int i, ret;

	for (i = 0; i < LEN; i++)
		out[i] = (uint8_t)(seed + i * 13);
	memset(in, 0, LEN);
	ret = edu_dma(bar, out_iova, EDU_DMA_BUF, 0);
	if (!ret)
		ret = edu_dma(bar, EDU_DMA_BUF, in_iova, EDU_DMA_TO_RAM);
	if (ret)
		return ret;
	return memcmp(out, in, LEN) ? -EIO : 0;
}

FIXTURE(dma) {
	const char *bdf;
	struct uldf_dev *dev;
	void *bar;
	void *mem;
	size_t mem_size;
};

FIXTURE_SETUP(dma)
{
	self->bdf = uldf_test_bdf("ULDF_EDU_BDF", ULDF_DEFAULT_EDU);
	self->dev = NULL;
	self->mem = MAP_FAILED;
	self->mem_size = 64 * PAGE;
	if (!uldf_test_module_loaded())
		SKIP(return, "uldf.ko not loaded; run through 'make check'");
	if (!uldf_test_device_exists(self->bdf))
		SKIP(return, "no edu at %s; run through 'make check'", self->bdf);
	ASSERT_EQ(0, uldf_pci_bind(self->bdf, 0));
	ASSERT_EQ(0, uldf_open(self->bdf, &self->dev));
	ASSERT_EQ(0, uldf_bar_map(self->dev, 0, 0, &self->bar, NULL));
	ASSERT_EQ(0, uldf_dma_set_mask(self->dev, EDU_DMA_MASK));
	ASSERT_EQ(0, uldf_set_bus_master(self->dev, 1));
	self->mem = mmap(NULL, self->mem_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
}

FIXTURE_TEARDOWN(dma)
{
	uldf_close(self->dev);
	if (self->mem != MAP_FAILED)
		munmap(self->mem, self->mem_size);
	uldf_pci_unbind(self->bdf, 0);
}

TEST_F(dma, info)
{
	struct uldf_iova_range r[4];
	unsigned int n = 0, i;
	uint64_t pgsizes = 0;
	uint32_t flags = 0;

	ASSERT_EQ(0, uldf_dma_get_info(self->dev, &flags, &pgsizes, NULL, &n));
	EXPECT_TRUE(flags & ULDF_DMA_INFO_IOMMU);
	EXPECT_TRUE(pgsizes & PAGE);
	ASSERT_LE(1, n);
	n = 4;
	ASSERT_EQ(0, uldf_dma_get_info(self->dev, NULL, NULL, r, &n));
	for (i = 0; i < n && i < 4; i++)
		EXPECT_LE(r[i].start, r[i].last);
	/* the edu's range starts at 0 */
	EXPECT_EQ(0, r[0].start);
}

TEST_F(dma, map_under_the_mask)
{
	uint8_t *mem = self->mem;
	long before = vmlck_kb();
	uint64_t iova = 0;

	ASSERT_EQ(0, uldf_dma_map(self->dev, mem, self->mem_size,
				  ULDF_DMA_MAP_READ | ULDF_DMA_MAP_WRITE, &iova));
	EXPECT_EQ(0, iova % PAGE);
	EXPECT_GE(EDU_DMA_MASK, iova + self->mem_size - 1);
	EXPECT_EQ(before + (long)self->mem_size / 1024, vmlck_kb());
	ASSERT_EQ(0, round_trip(self->bar, mem, iova, mem + 8 * PAGE,
				iova + 8 * PAGE, 1));
	ASSERT_EQ(0, uldf_dma_unmap(self->dev, iova, self->mem_size));
	EXPECT_EQ(before, vmlck_kb());
	EXPECT_EQ(-ENOENT, uldf_dma_unmap(self->dev, iova, self->mem_size));
}

TEST_F(dma, fixed_iova)
{
	uint8_t *mem = self->mem;
	uint64_t iova = 0x200000, other;

	ASSERT_EQ(0, uldf_dma_map(self->dev, mem, 4 * PAGE, ULDF_DMA_MAP_READ |
				  ULDF_DMA_MAP_WRITE | ULDF_DMA_MAP_FIXED_IOVA,
				  &iova));
	EXPECT_EQ(0x200000, iova);
	ASSERT_EQ(0, round_trip(self->bar, mem, 0x200000, mem + 2 * PAGE,
				0x200000 + 2 * PAGE, 2));

	other = 0x200000 + PAGE;
	EXPECT_EQ(-EEXIST, uldf_dma_map(self->dev, mem + 8 * PAGE, PAGE,
					ULDF_DMA_MAP_READ |
					ULDF_DMA_MAP_FIXED_IOVA, &other));
	other = 0x200000 + 1;
	EXPECT_EQ(-EINVAL, uldf_dma_map(self->dev, mem + 8 * PAGE, PAGE,
					ULDF_DMA_MAP_READ |
					ULDF_DMA_MAP_FIXED_IOVA, &other));
	EXPECT_EQ(-EINVAL, uldf_dma_map(self->dev, mem + 1, PAGE,
					ULDF_DMA_MAP_READ, &other));
	/* a mapping is never split */
	EXPECT_EQ(-EBUSY, uldf_dma_unmap(self->dev, 0x200000, PAGE));
	ASSERT_EQ(0, uldf_dma_unmap(self->dev, 0x200000, 4 * PAGE));
}

TEST_F(dma, batch)
{
	struct uldf_dma_map m[4];
	uint8_t *mem = self->mem;
	unsigned int done = 99, i;

	memset(m, 0, sizeof(m));
	for (i = 0; i < 4; i++) {
		m[i].vaddr = (uintptr_t)(mem + i * 2 * PAGE);
		m[i].size = PAGE;
		m[i].flags = ULDF_DMA_MAP_READ | ULDF_DMA_MAP_WRITE;
	}
	ASSERT_EQ(0, uldf_dma_map_batch(self->dev, m, 4, &done));
	EXPECT_EQ(4, done);
	for (i = 0; i < 4; i++)
		EXPECT_GE(EDU_DMA_MASK, m[i].iova + PAGE - 1);
	EXPECT_NE(m[0].iova, m[1].iova);
	ASSERT_EQ(0, round_trip(self->bar, mem, m[0].iova, mem + 2 * PAGE,
				m[1].iova, 3));
	ASSERT_EQ(0, uldf_dma_unmap_batch(self->dev, m, 4, &done));
	EXPECT_EQ(4, done);

	/* a bad third entry: two take effect */
	m[2].vaddr += 1;
	EXPECT_EQ(-EINVAL, uldf_dma_map_batch(self->dev, m, 4, &done));
	EXPECT_EQ(2, done);
	ASSERT_EQ(0, uldf_dma_unmap_all(self->dev));
	EXPECT_EQ(-ENOENT, uldf_dma_unmap(self->dev, m[0].iova, PAGE));
}

TEST_F(dma, buffer)
{
	struct uldf_dma_buf *a, *b;
	long before = vmlck_kb();
	uint8_t *va, *vb;

	ASSERT_EQ(0, uldf_dma_buf_alloc(self->dev, 5000, 0, &a));
	EXPECT_EQ(2 * PAGE, uldf_dma_buf_size(a));
	EXPECT_EQ(0, uldf_dma_buf_hugepage(a));
	EXPECT_GE(EDU_DMA_MASK, uldf_dma_buf_iova(a) + uldf_dma_buf_size(a) - 1);
	ASSERT_EQ(0, uldf_dma_buf_alloc(self->dev, LEN, ULDF_DMA_MAP_WRITE, &b));
	va = uldf_dma_buf_vaddr(a);
	vb = uldf_dma_buf_vaddr(b);
	EXPECT_EQ(0, va[4999]);				/* zeroed */
	ASSERT_EQ(0, round_trip(self->bar, va, uldf_dma_buf_iova(a), vb,
				uldf_dma_buf_iova(b), 4));
	EXPECT_EQ(before + 12, vmlck_kb());
	uldf_dma_buf_free(b);
	uldf_dma_buf_free(a);
	EXPECT_EQ(before, vmlck_kb());
}

TEST_F(dma, hugepage_buffer)
{
	long free_pages = free_hugepages();
	struct uldf_dma_buf *buf;
	uint8_t *v;

	if (free_pages < 1)
		SKIP(return, "no free hugepage (the testbed reserves 64)");
	ASSERT_EQ(0, uldf_dma_buf_alloc(self->dev, PAGE, ULDF_DMA_BUF_HUGEPAGE,
					&buf));
	EXPECT_EQ(1, uldf_dma_buf_hugepage(buf));
	EXPECT_EQ(2 << 20, uldf_dma_buf_size(buf));
	EXPECT_EQ(free_pages - 1, free_hugepages());
	v = uldf_dma_buf_vaddr(buf);
	/* across the middle of the hugepage */
	ASSERT_EQ(0, round_trip(self->bar, v + (1 << 20) - 512,
				uldf_dma_buf_iova(buf) + (1 << 20) - 512,
				v + (3 << 19), uldf_dma_buf_iova(buf) + (3 << 19),
				5));
	uldf_dma_buf_free(buf);
	EXPECT_EQ(free_pages, free_hugepages());

	/* more than the pool holds: a clear ENOMEM */
	EXPECT_EQ(-ENOMEM, uldf_dma_buf_alloc(self->dev,
					      (free_pages + 1) * (2 << 20),
					      ULDF_DMA_BUF_HUGEPAGE, &buf));
}

/* uldf_close() frees the buffers left behind, and unpins them. */
TEST_F(dma, close_frees_buffers)
{
	struct uldf_dma_buf *buf;
	long before = vmlck_kb();
	int i;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, uldf_dma_buf_alloc(self->dev, PAGE, 0, &buf));
	EXPECT_EQ(before + 12, vmlck_kb());
	uldf_close(self->dev);
	self->dev = NULL;
	EXPECT_EQ(before, vmlck_kb());
}

/*
 * The second edu joins the first's address space: memory mapped through
 * the first is charged once and reached by both, also after the second
 * is closed.
 */
TEST_F(dma, join_shares_one_space)
{
	const char *bdf2 = uldf_test_bdf("ULDF_EDU2_BDF", ULDF_DEFAULT_EDU2);
	const unsigned int rw = ULDF_DMA_MAP_READ | ULDF_DMA_MAP_WRITE;
	struct uldf_dev *dev2 = NULL;
	uint8_t *mem = self->mem;
	long before = vmlck_kb();
	uint64_t iova = 0;
	uint32_t flags = 0;
	void *bar2;

	if (!uldf_test_device_exists(bdf2))
		SKIP(return, "no second edu at %s", bdf2);
	ASSERT_EQ(0, uldf_pci_bind(bdf2, 0));
	ASSERT_EQ(0, uldf_open(bdf2, &dev2));
	ASSERT_EQ(0, uldf_bar_map(dev2, 0, 0, &bar2, NULL));
	ASSERT_EQ(0, uldf_set_bus_master(dev2, 1));
	EXPECT_EQ(-EINVAL, uldf_dma_join(dev2, NULL));
	EXPECT_EQ(-EINVAL, uldf_dma_join(dev2, dev2));
	ASSERT_EQ(0, uldf_dma_join(dev2, self->dev));
	EXPECT_EQ(-EALREADY, uldf_dma_join(dev2, self->dev));
	ASSERT_EQ(0, uldf_dma_get_info(dev2, &flags, NULL, NULL, NULL));
	EXPECT_TRUE(flags & ULDF_DMA_INFO_SHARED);

	ASSERT_EQ(0, uldf_dma_map(self->dev, mem, self->mem_size, rw, &iova));
	EXPECT_EQ(before + (long)self->mem_size / 1024, vmlck_kb());
	EXPECT_EQ(0, round_trip(bar2, mem, iova, mem + 8 * PAGE,
				iova + 8 * PAGE, 5));
	EXPECT_EQ(0, round_trip(self->bar, mem + PAGE, iova + PAGE,
				mem + 9 * PAGE, iova + 9 * PAGE, 6));
	uldf_close(dev2);
	EXPECT_EQ(0, round_trip(self->bar, mem + 2 * PAGE, iova + 2 * PAGE,
				mem + 10 * PAGE, iova + 10 * PAGE, 7));
	EXPECT_EQ(0, uldf_dma_unmap(self->dev, iova, self->mem_size));
	EXPECT_EQ(before, vmlck_kb());
	uldf_pci_unbind(bdf2, 0);
}

TEST_HARNESS_MAIN
