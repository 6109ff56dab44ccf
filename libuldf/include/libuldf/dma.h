/* SPDX-License-Identifier: MIT */
/*
 * libuldf: DMA through the IOMMU.
 *
 * An open device has its own IOMMU domain, or shares one with other
 * devices of the process (uldf_dma_join()): the device reaches exactly the
 * memory mapped here, at the I/O virtual addresses (IOVAs) returned.
 * Mapping pins the pages and charges them to the process's locked memory
 * (RLIMIT_MEMLOCK, "ulimit -l"), as VFIO does.
 *
 * A device that addresses fewer than 64 bits declares it with
 * uldf_dma_set_mask(); IOVAs the module allocates then fit under it.  The
 * DMA buffer helper allocates page- or hugepage-backed memory, maps it and
 * returns its IOVA in one call:
 *
 *	struct uldf_dma_buf *buf;
 *	uldf_dma_set_mask(dev, ULDF_DMA_BIT_MASK(28));
 *	uldf_dma_buf_alloc(dev, 4096, 0, &buf);
 *	uldf_set_bus_master(dev, 1);
 *	... program the device with uldf_dma_buf_iova(buf), touch the data
 *	    at uldf_dma_buf_vaddr(buf) ...
 *	uldf_dma_buf_free(buf);
 *
 * Every function returns 0 on success or a negative errno value; errno is
 * left as it was.
 */
#ifndef LIBULDF_DMA_H
#define LIBULDF_DMA_H

#include <stddef.h>
#include <stdint.h>
#include <linux/uldf.h>

#ifdef __cplusplus
extern "C" {
#endif

struct uldf_dev;

/* A mask of the low @n address bits, as the kernel's DMA_BIT_MASK(). */
#define ULDF_DMA_BIT_MASK(n) \
	((n) >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << (n)) - 1))

/**
 * uldf_dma_set_mask() - declare how many address bits the device drives.
 * @dev:	the device.
 * @mask:	ULDF_DMA_BIT_MASK(n), 12 <= n <= 64; the default is 64 bits.
 *
 * IOVAs that uldf_dma_map() (without ULDF_DMA_MAP_FIXED_IOVA),
 * uldf_dma_map_batch() and uldf_dma_buf_alloc() allocate end at or below
 * @mask.  Existing mappings are not moved.
 *
 * Return: 0; -EINVAL NULL @dev or @mask not of the form 2^n - 1 with
 * n >= 12.
 */
int uldf_dma_set_mask(struct uldf_dev *dev, uint64_t mask);

/**
 * uldf_dma_get_info() - describe the device's DMA address space.
 * @dev:	the device.
 * @flags:	out, if not NULL: ULDF_DMA_INFO_IOMMU (with
 *		ULDF_DMA_INFO_COHERENT where the IOMMU snoops every DMA) or
 *		ULDF_DMA_INFO_NOIOMMU.
 * @pgsizes:	out, if not NULL: bitmap of IOMMU page sizes (bit n: 2^n).
 * @ranges:	out, if not NULL: usable IOVA ranges, inclusive.
 * @nr_ranges:	in: room in @ranges (ignored when it is NULL); out: the
 *		number of usable ranges, which may exceed the room (only the
 *		room is filled).  May be NULL when @ranges is.
 *
 * Return: 0; -EINVAL NULL @dev, or @ranges without @nr_ranges; -ENOMEM;
 * -ENODEV removed, or the device has no IOMMU and no-IOMMU mode is off.
 */
int uldf_dma_get_info(struct uldf_dev *dev, uint32_t *flags,
		      uint64_t *pgsizes, struct uldf_iova_range *ranges,
		      unsigned int *nr_ranges);

/**
 * uldf_dma_join() - put a device in another device's DMA address space.
 * @dev:	the device that joins; it has no mappings (and no DMA
 *		buffers) yet, and does not share its space already.
 * @other:	another device opened by this process, whose address space
 *		@dev joins (it may itself have joined another's).
 *
 * From then on the two devices (and any other that joined) use one IOMMU
 * address space: memory mapped through either, by uldf_dma_map(),
 * uldf_dma_map_batch() or uldf_dma_buf_alloc(), both reach at the same
 * IOVA, and it is pinned and counted against RLIMIT_MEMLOCK once.  What
 * is unmapped through either, neither reaches; uldf_dma_unmap_all()
 * empties the whole space.  Each handle keeps its own DMA mask.  A DMA
 * buffer belongs to the handle it was allocated with: uldf_close() of
 * that handle unmaps it for every device.  The space lasts until the last
 * of its devices is closed; closing one leaves the others' mappings.
 *
 * Return: 0; -EINVAL NULL @dev or @other, or the same device twice;
 * -EPERM either device was opened by another process (uldf_open_fd() of
 * a received fd); -EALREADY the two already share a space; -EOPNOTSUPP
 * either device's DMA is not translated by an IOMMU; -EBUSY @dev has
 * mappings, already shares its space, or has MSI or MSI-X interrupts
 * open (join before opening them); -EXDEV the two devices' IOMMUs
 * cannot share one address space; -EADDRINUSE a reserved region of
 * @dev's IOMMU group covers a mapping of the space; -ENOMEM; -EIO either
 * device's DMA is blocked since a failed join (the IOMMU refused its
 * group its own domain back; it stays so until closed); -ENODEV
 * either device was removed; -ENOTTY a uldf module without
 * ULDF_DMA_JOIN.
 */
int uldf_dma_join(struct uldf_dev *dev, struct uldf_dev *other);

/**
 * uldf_dma_map() - pin memory and map it for the device.
 * @dev:	the device.
 * @vaddr:	page-aligned start.
 * @size:	bytes, a multiple of the page size.
 * @flags:	ULDF_DMA_MAP_READ (the device reads the memory) and/or
 *		ULDF_DMA_MAP_WRITE (the device writes it); with
 *		ULDF_DMA_MAP_FIXED_IOVA the mapping is made at *@iova.
 * @iova:	in with ULDF_DMA_MAP_FIXED_IOVA: the IOVA wanted (page
 *		aligned); out: the IOVA of @vaddr.
 *
 * Without ULDF_DMA_MAP_FIXED_IOVA the module picks an IOVA below the mask
 * of uldf_dma_set_mask().  The memory must stay mapped in the process
 * until it is unmapped here.
 *
 * Return: 0; -EINVAL a NULL argument, unknown @flags, neither READ nor
 * WRITE, unaligned @vaddr, @size or @iova, @size 0, or a fixed IOVA
 * outside the usable ranges; -EEXIST a fixed range overlaps a mapping;
 * -ENOSPC no free IOVA range below the mask; -ENOMEM out of memory or
 * RLIMIT_MEMLOCK exceeded; -EFAULT @vaddr not mapped with the access
 * needed; -E2BIG the device is in no-IOMMU mode (use uldf_dma_map_segs());
 * -EIO the device's DMA is blocked after a failed uldf_dma_join();
 * -ENODEV removed, or no IOMMU and no-IOMMU mode is off.
 */
int uldf_dma_map(struct uldf_dev *dev, void *vaddr, size_t size,
		 unsigned int flags, uint64_t *iova);

/**
 * uldf_dma_map_segs() - pin and map memory in no-IOMMU mode.
 * @dev:	the device, whose uldf_dma_get_info() flags say
 *		ULDF_DMA_INFO_NOIOMMU.
 * @vaddr:	page-aligned start.
 * @size:	bytes, a multiple of the page size.
 * @flags:	ULDF_DMA_MAP_READ and/or ULDF_DMA_MAP_WRITE.
 * @segs:	out: the physical scatterlist of the pinned memory, which is
 *		what the device must be given.
 * @nr_segs:	in: room in @segs; out: the number of segments (also when
 *		-E2BIG says the room was too small).
 * @iova:	out, if not NULL: the handle to pass to uldf_dma_unmap().
 *
 * Without an IOMMU the device reaches all of memory: the module allows
 * this only with uldf.enable_noiommu=1, to a process that opened the
 * device with CAP_SYS_RAWIO, and it taints the kernel.
 *
 * Return: 0; -E2BIG @segs too small (*@nr_segs is the count needed);
 * -ERANGE a segment lies above the DMA mask; otherwise as uldf_dma_map().
 */
int uldf_dma_map_segs(struct uldf_dev *dev, void *vaddr, size_t size,
		      unsigned int flags, struct uldf_dma_seg *segs,
		      unsigned int *nr_segs, uint64_t *iova);

/**
 * uldf_dma_unmap() - unmap and unpin one mapping.
 * @dev:	the device.
 * @iova:	the IOVA the mapping starts at.
 * @size:	its size; a mapping is never split.
 *
 * uldf_dma_unmap_all() removes every mapping of @dev (including those of
 * DMA buffers, which then must still be freed with uldf_dma_buf_free()).
 *
 * Return: 0; -EINVAL NULL @dev, an unaligned or empty range; -ENOENT no
 * mapping starts at @iova; -EBUSY the range cuts through a mapping;
 * -ENODEV removed.
 */
int uldf_dma_unmap(struct uldf_dev *dev, uint64_t iova, size_t size);
int uldf_dma_unmap_all(struct uldf_dev *dev);

/**
 * uldf_dma_map_batch() - make several mappings with one call.
 * @dev:	the device.
 * @maps:	@count entries; in each, @vaddr, @size, @flags and (with
 *		ULDF_DMA_MAP_FIXED_IOVA) @iova are set by the caller, @iova
 *		is filled in.  libuldf sets @argsz, and @iova_limit from the
 *		device's mask unless the caller set one.
 * @count:	1 to ULDF_DMA_BATCH_MAX.
 * @done:	out, if not NULL: entries that took effect.
 *
 * Entries are processed in order with one IOTLB flush.  On a failure the
 * entries before it stay mapped (*@done of them) and the call returns the
 * failing entry's error.  uldf_dma_unmap_batch() unmaps entries named by
 * @iova and @size.
 *
 * Return: 0 when all took effect; -EINVAL NULL @dev or @maps, @count 0 or
 * above ULDF_DMA_BATCH_MAX; otherwise the error of uldf_dma_map() or
 * uldf_dma_unmap() for the failing entry.
 */
int uldf_dma_map_batch(struct uldf_dev *dev, struct uldf_dma_map *maps,
		       unsigned int count, unsigned int *done);
int uldf_dma_unmap_batch(struct uldf_dev *dev, struct uldf_dma_map *maps,
			 unsigned int count, unsigned int *done);

/* A DMA buffer (opaque). */
struct uldf_dma_buf;

/* uldf_dma_buf_alloc() flags (ULDF_DMA_MAP_READ/WRITE may be added) */
#define ULDF_DMA_BUF_HUGEPAGE	(1u << 16) /* back with 2 MiB hugepages */
#define ULDF_DMA_BUF_FALLBACK	(1u << 17) /* ... or small pages if none */

/**
 * uldf_dma_buf_alloc() - allocate zeroed memory and map it for DMA.
 * @dev:	the device.
 * @size:	bytes, 1 or more; rounded up to the page (2 MiB with
 *		ULDF_DMA_BUF_HUGEPAGE).
 * @flags:	ULDF_DMA_MAP_READ and/or ULDF_DMA_MAP_WRITE for one
 *		direction (default both); ULDF_DMA_BUF_HUGEPAGE to use 2 MiB
 *		hugepages (contiguous, mapped with large IOMMU pages), with
 *		ULDF_DMA_BUF_FALLBACK to use small pages when no hugepage is
 *		free.
 * @bufp:	out: the buffer.
 *
 * The memory is anonymous, private, excluded from fork() (MADV_DONTFORK),
 * and mapped at an IOVA below the device's mask.  Hugepages come from the
 * pool the administrator reserves (vm.nr_hugepages, or hugepages= on the
 * kernel command line).
 *
 * Return: 0; -EINVAL a NULL argument, @size 0 or unknown @flags; -ENOMEM
 * out of memory, or no free hugepage (without ULDF_DMA_BUF_FALLBACK), or
 * RLIMIT_MEMLOCK exceeded; otherwise the error of uldf_dma_map().
 */
int uldf_dma_buf_alloc(struct uldf_dev *dev, size_t size, unsigned int flags,
		       struct uldf_dma_buf **bufp);

/**
 * uldf_dma_buf_free() - unmap and free a DMA buffer.
 * @buf:	the buffer, or NULL.
 *
 * The caller must make sure the device no longer accesses it.
 */
void uldf_dma_buf_free(struct uldf_dma_buf *buf);

/**
 * uldf_dma_buf_vaddr() - where the CPU sees a DMA buffer.
 * @buf:	the buffer.
 *
 * uldf_dma_buf_iova() gives the address the device uses,
 * uldf_dma_buf_size() the size after rounding, and
 * uldf_dma_buf_hugepage() whether it is backed by hugepages.
 *
 * Return: the address (NULL for a NULL @buf); the IOVA (0 for NULL); the
 * size in bytes (0 for NULL); 1 or 0 (0 for NULL).
 */
void *uldf_dma_buf_vaddr(const struct uldf_dma_buf *buf);
uint64_t uldf_dma_buf_iova(const struct uldf_dma_buf *buf);
size_t uldf_dma_buf_size(const struct uldf_dma_buf *buf);
int uldf_dma_buf_hugepage(const struct uldf_dma_buf *buf);

#ifdef __cplusplus
}
#endif

#endif /* LIBULDF_DMA_H */
