// SPDX-License-Identifier: GPL-2.0
/*
 * DMA helpers of the uldf selftests: the DMA ioctls, memory to map, the
 * counters of locked and pinned memory, and DMAR faults in the kernel log.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>

#include "uldf_dma_util.h"

int dma_map(int fd, void *buf, uint64_t size, uint32_t flags,
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

int dma_unmap(int fd, uint64_t iova, uint64_t size, uint32_t flags,
	      uint64_t *unmapped)
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

int dma_batch(int fd, struct uldf_dma_map *e, uint32_t count,
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

struct uldf_dma_info *get_dma_info(int fd)
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

void *map_anon(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void fill_random(void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = getrandom((char *)buf + done, len - done, 0);

		if (n <= 0)
			abort();
		done += n;
	}
}

long proc_num(const char *path, const char *key)
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

long vmlck_kb(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	return proc_num(path, "VmLck");
}

long pinned_pages(void)
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

const char *short_bdf(const char *bdf)
{
	const char *c = strchr(bdf, ':');

	return c ? c + 1 : bdf;
}

int dmar_faults(const char *bdf, uint64_t iova)
{
	char needle[128];

	snprintf(needle, sizeof(needle),
		 "Request device [%s] fault addr 0x%llx ", short_bdf(bdf),
		 (unsigned long long)iova);
	return uldf_test_dmesg_count(needle);
}

bool dmar_fault_seen(const char *bdf, uint64_t iova, int before)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (dmar_faults(bdf, iova) > before)
			return true;
		usleep(50000);
	}
	return false;
}

bool iommu_present(void)
{
	const char *v = getenv("ULDF_IOMMU");

	if (v)
		return !strcmp(v, "1");
	return access("/sys/class/iommu", F_OK) == 0 &&
	       uldf_test_dmesg_count("DMAR: IOMMU enabled") > 0;
}
