/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the uldf DMA selftests: QEMU's edu device as a DMA engine
 * (its engine copies between RAM, at an IOVA, and a 4 KiB buffer inside
 * the device at device address 0x40000), wrappers of the DMA ioctls, what
 * /proc says about locked and pinned memory, DMAR faults in the kernel
 * log, and the fixture: edu bound to uldf, open, bus mastering on.
 */
#ifndef ULDF_DMA_UTIL_H
#define ULDF_DMA_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>

#include "kselftest_harness.h"
#include "uldf_util.h"

/* Stay clear of the end of the edu buffer (QEMU 7.2 aborts there). */
#define EDU_XFER		2048

#define PAGE			4096UL
#define SZ_2M			(2UL << 20)
#define MSI_BASE		0xfee00000ULL

/* ---- helpers ------------------------------------------------------------ */

static inline int edu_rd(int fd, uint32_t reg, uint32_t *val)
{
	ssize_t n = uldf_test_pread(fd, ULDF_REGION_BAR0, reg, val, 4);

	return n == 4 ? 0 : (n < 0 ? n : -EIO);
}

static inline int edu_wr(int fd, uint32_t reg, uint32_t val)
{
	ssize_t n = uldf_test_pwrite(fd, ULDF_REGION_BAR0, reg, &val, 4);

	return n == 4 ? 0 : (n < 0 ? n : -EIO);
}

/* Turn bus mastering on through the virtual config space. */
static inline int bus_master_on(int fd)
{
	uint16_t cmd;

	if (uldf_test_pread(fd, ULDF_REGION_CONFIG, 4, &cmd, 2) != 2)
		return -EIO;
	cmd |= 0x4;
	if (uldf_test_pwrite(fd, ULDF_REGION_CONFIG, 4, &cmd, 2) != 2)
		return -EIO;
	if (uldf_test_pread(fd, ULDF_REGION_CONFIG, 4, &cmd, 2) != 2)
		return -EIO;
	return cmd & 0x4 ? 0 : -EPERM;
}

/*
 * Run one transfer of the edu's DMA engine and wait until the engine says
 * it is done (the engine has no error status: a blocked transfer simply
 * moves nothing).  The wait is bounded only to turn a hang into a failure.
 */
static inline int edu_dma(int fd, uint64_t src, uint64_t dst, uint32_t len,
			  bool to_ram)
{
	uint32_t cmd;
	int i, ret;

	if (src >> 32 || dst >> 32)
		return -EINVAL;
	ret = edu_wr(fd, EDU_DMA_SRC, src);
	ret = ret ?: edu_wr(fd, EDU_DMA_SRC + 4, 0);
	ret = ret ?: edu_wr(fd, EDU_DMA_DST, dst);
	ret = ret ?: edu_wr(fd, EDU_DMA_DST + 4, 0);
	ret = ret ?: edu_wr(fd, EDU_DMA_COUNT, len);
	ret = ret ?: edu_wr(fd, EDU_DMA_CMD,
			    EDU_DMA_START | (to_ram ? EDU_DMA_TO_RAM : 0));
	for (i = 0; !ret && i < 600000; i++) {
		ret = edu_rd(fd, EDU_DMA_CMD, &cmd);
		if (!ret && !(cmd & EDU_DMA_START))
			return 0;
		usleep(50);
	}
	return ret ?: -ETIMEDOUT;
}

static inline int ram_to_edu(int fd, uint64_t iova, uint32_t len)
{
	return edu_dma(fd, iova, EDU_DMA_BUF, len, false);
}

static inline int edu_to_ram(int fd, uint64_t iova, uint32_t len)
{
	return edu_dma(fd, EDU_DMA_BUF, iova, len, true);
}

static inline int dma_map(int fd, void *buf, uint64_t size, uint32_t flags,
			  uint64_t *iova, uint64_t limit)
{
	struct uldf_dma_map m = {
		.argsz = sizeof(m),
		.flags = flags,
		.vaddr = (uintptr_t)buf,
		.size = size,
		.iova = *iova,
		.iova_limit = limit,
	};

	if (ioctl(fd, ULDF_DMA_MAP, &m))
		return -errno;
	*iova = m.iova;
	return 0;
}

static inline int dma_unmap(int fd, uint64_t iova, uint64_t size,
			    uint32_t flags, uint64_t *unmapped)
{
	struct uldf_dma_unmap u = {
		.argsz = sizeof(u),
		.flags = flags,
		.iova = iova,
		.size = size,
	};
	int ret = ioctl(fd, ULDF_DMA_UNMAP, &u) ? -errno : 0;

	if (unmapped)
		*unmapped = u.unmapped;
	return ret;
}

static inline int dma_batch(int fd, struct uldf_dma_map *e, uint32_t count,
			    uint32_t flags, uint32_t *done)
{
	struct uldf_dma_batch b = {
		.argsz = sizeof(b),
		.flags = flags,
		.count = count,
		.entries_ptr = (uintptr_t)e,
	};
	int ret = ioctl(fd, ULDF_DMA_MAP_BATCH, &b) ? -errno : 0;

	if (done)
		*done = b.done;
	return ret;
}

static inline void *map_anon(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static inline void fill_random(void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = getrandom((char *)buf + done, len - done, 0);

		if (n <= 0)
			abort();
		done += n;
	}
}

/* A number from a "Key:   N" line of a /proc file; -1 if absent. */
static inline long proc_num(const char *path, const char *key)
{
	char line[256];
	size_t kl = strlen(key);
	long val = -1;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) &&
		    (line[kl] == ':' || line[kl] == ' ')) {
			val = strtol(line + kl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return val;
}

static inline long vmlck_kb(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	return proc_num(path, "VmLck");
}

/*
 * Pages pinned with FOLL_PIN system-wide right now; the per-CPU counter
 * deltas are folded in first (vm.stat_refresh), so the count is exact.
 */
static inline long pinned_pages(void)
{
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, "1", 1) != 1)
			perror("stat_refresh");
		close(fd);
	}
	return proc_num("/proc/vmstat", "nr_foll_pin_acquired") -
	       proc_num("/proc/vmstat", "nr_foll_pin_released");
}

/* "00:03.0" from "0000:00:03.0", as the DMAR fault messages name it. */
static inline const char *short_bdf(const char *bdf)
{
	const char *c = strchr(bdf, ':');

	return c ? c + 1 : bdf;
}

static inline int dmar_faults(const char *bdf, uint64_t iova)
{
	char needle[128];

	snprintf(needle, sizeof(needle),
		 "Request device [%s] fault addr 0x%llx ", short_bdf(bdf),
		 (unsigned long long)iova);
	return uldf_test_dmesg_count(needle);
}

/* Wait for the DMAR fault interrupt's report of a fault at @iova. */
static inline bool dmar_fault_seen(const char *bdf, uint64_t iova, int before)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (dmar_faults(bdf, iova) > before)
			return true;
		usleep(50000);
	}
	return false;
}

static inline bool iommu_present(void)
{
	const char *v = getenv("ULDF_IOMMU");

	if (v)
		return !strcmp(v, "1");
	return access("/sys/class/iommu", F_OK) == 0 &&
	       uldf_test_dmesg_count("DMAR: IOMMU enabled") > 0;
}

static inline struct uldf_dma_info *get_dma_info(int fd)
{
	struct uldf_dma_info head = { .argsz = sizeof(head) }, *info;

	if (ioctl(fd, ULDF_DMA_GET_INFO, &head))
		return NULL;
	info = calloc(1, head.argsz);
	if (!info)
		return NULL;
	info->argsz = head.argsz;
	if (ioctl(fd, ULDF_DMA_GET_INFO, info)) {
		free(info);
		return NULL;
	}
	return info;
}

/* ---- the fixture: edu bound to uldf, open, bus mastering on ------------ */

FIXTURE(iommu) {
	const char *bdf;
	int fd;
	struct uldf_dma_info *info;
};

static inline void setup_iommu_fixture(struct __test_metadata *_metadata,
				       FIXTURE_DATA(iommu) *self)
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
	ASSERT_EQ(0, bus_master_on(self->fd));
}

FIXTURE_SETUP(iommu)
{
	setup_iommu_fixture(_metadata, self);
}

FIXTURE_TEARDOWN(iommu)
{
	if (self->fd >= 0)
		close(self->fd);
	free(self->info);
	uldf_test_unbind(self->bdf);
}

/* Random bytes A -> edu -> B; returns memcmp of A and B's first bytes. */
static inline int round_trip(struct __test_metadata *_metadata, int fd,
			     uint8_t *a, uint64_t a_iova, uint8_t *b,
			     uint64_t b_iova, size_t len)
{
	fill_random(a, len);
	memset(b, 0, len);
	EXPECT_EQ(0, ram_to_edu(fd, a_iova, len));
	EXPECT_EQ(0, edu_to_ram(fd, b_iova, len));
	return memcmp(a, b, len);
}

#endif
