/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DMA helpers of the uldf selftests (uldf_dma_util.c): wrappers of the DMA
 * ioctls that return -errno, anonymous memory, what /proc says about
 * locked and pinned memory, and the IOMMU's DMAR faults in the kernel
 * log.  QEMU's edu moves the data (edu.h).
 */
#ifndef ULDF_DMA_UTIL_H
#define ULDF_DMA_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/uldf.h>

#include "uldf_util.h"

#define PAGE			4096UL
#define SZ_2M			(2UL << 20)
#define MSI_BASE		0xfee00000ULL

/*
 * ULDF_DMA_MAP of @size bytes at @buf with @flags; the IOVA asked for
 * (ULDF_DMA_MAP_FIXED_IOVA) or chosen below @limit comes back in *@iova.
 * 0 or -errno.
 */
int dma_map(int fd, void *buf, uint64_t size, uint32_t flags,
	    uint64_t *iova, uint64_t limit);

/* ULDF_DMA_UNMAP; the bytes unmapped into *@unmapped if not NULL. */
int dma_unmap(int fd, uint64_t iova, uint64_t size, uint32_t flags,
	      uint64_t *unmapped);

/* ULDF_DMA_MAP_BATCH of @count entries; how many were done into *@done. */
int dma_batch(int fd, struct uldf_dma_map *e, uint32_t count,
	      uint32_t flags, uint32_t *done);

/* ULDF_DMA_GET_INFO with room for every range; free() it.  NULL on error. */
struct uldf_dma_info *get_dma_info(int fd);

/* @size bytes of private anonymous memory, populated; NULL on failure. */
void *map_anon(size_t size);

/* Fill @buf with random bytes (aborts if the kernel has none to give). */
void fill_random(void *buf, size_t len);

/* A number from a "Key:   N" line of a /proc file; -1 if absent. */
long proc_num(const char *path, const char *key);

/* VmLck of process @pid, in KiB; -1 if absent. */
long vmlck_kb(pid_t pid);

/*
 * Pages pinned with FOLL_PIN system-wide right now; the per-CPU counter
 * deltas are folded in first (vm.stat_refresh), so the count is exact.
 */
long pinned_pages(void);

/* "00:03.0" from "0000:00:03.0", as the DMAR fault messages name it. */
const char *short_bdf(const char *bdf);

/* DMAR faults of @bdf at @iova in the kernel log so far. */
int dmar_faults(const char *bdf, uint64_t iova);

/*
 * Wait up to 10 s for the DMAR fault interrupt's report of a fault of
 * @bdf at @iova, @before being dmar_faults() before the access.
 */
bool dmar_fault_seen(const char *bdf, uint64_t iova, int before);

/*
 * Whether DMA goes through an IOMMU: ULDF_IOMMU=1 or 0 if set (the
 * testbed sets it), else the kernel's DMAR messages.
 */
bool iommu_present(void);

#endif
