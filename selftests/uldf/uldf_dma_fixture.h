/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture of the uldf DMA selftests: edu bound to uldf, open, its DMA
 * ranges read, bus mastering on, its test driver attached; and the round
 * trip through edu's buffer that checks a pair of mappings.  Include after
 * kselftest_harness.h.
 */
#ifndef ULDF_DMA_FIXTURE_H
#define ULDF_DMA_FIXTURE_H

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "edu.h"
#include "uldf_dma_util.h"

FIXTURE(iommu) {
	const char *bdf;
	int fd;
	struct uldf_test_dev edu;
	struct uldf_dma_info *info;
};

FIXTURE_SETUP(iommu)
{
	self->fd = -1;
	self->bdf = uldf_test_bdf("ULDF_EDU_BDF", ULDF_DEFAULT_EDU);
	if (!uldf_test_module_loaded())
		SKIP(return, "uldf.ko not loaded; run through 'make check'");
	if (!uldf_test_device_exists(self->bdf))
		SKIP(return, "no edu at %s; run through 'make check'",
		     self->bdf);
	if (!iommu_present())
		SKIP(return, "no IOMMU in this VM (the noiommu tests cover it)");
	ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
	self->fd = uldf_test_open(self->bdf);
	ASSERT_LE(0, self->fd);
	self->info = get_dma_info(self->fd);
	ASSERT_NE(NULL, self->info);
	ASSERT_EQ(0, set_bus_master(self->fd));
	ASSERT_EQ(0, edu_attach(&self->edu, self->fd));
}

FIXTURE_TEARDOWN(iommu)
{
	if (self->fd >= 0)
		close(self->fd);
	free(self->info);
	uldf_test_unbind(self->bdf);
}

/* Random bytes A -> edu -> B; returns memcmp of A and B's first bytes. */
static inline int round_trip(struct __test_metadata *_metadata,
			     struct uldf_test_dev *edu, uint8_t *a,
			     uint64_t a_iova, uint8_t *b, uint64_t b_iova,
			     size_t len)
{
	fill_random(a, len);
	memset(b, 0, len);
	EXPECT_EQ(0, ram_to_edu(edu, a_iova, len));
	EXPECT_EQ(0, edu_to_ram(edu, b_iova, len));
	return memcmp(a, b, len);
}

#endif
