// SPDX-License-Identifier: MIT
/*
 * libuldf: DMA mapping and DMA buffers.
 *
 * Mapping is the ULDF_DMA_MAP family of ioctls with the handle's DMA mask
 * filled in as the IOVA limit.  A DMA buffer is two halves: memory
 * (uldfi_mem_alloc(): anonymous, private, optionally on 2 MiB hugepages,
 * kept out of fork() children so that a child's copy-on-write never
 * touches pinned pages), then one mapping of all of it.  The memory half
 * needs no device and is what the host unit tests exercise.  Buffers are
 * kept on a list in the handle so that uldf_close() frees what the
 * caller forgot.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

#define ULDFI_DMA_DIR	(ULDF_DMA_MAP_READ | ULDF_DMA_MAP_WRITE)
#define ULDFI_DMA_MAP_FLAGS	(ULDFI_DMA_DIR | ULDF_DMA_MAP_FIXED_IOVA)
#define ULDFI_DMA_BUF_FLAGS \
	(ULDFI_DMA_DIR | ULDF_DMA_BUF_HUGEPAGE | ULDF_DMA_BUF_FALLBACK)

struct uldf_dma_buf {
	struct uldf_dev *dev;
	struct uldfi_mem mem;
	uint64_t iova;
	struct uldf_dma_buf *next;
};

int uldf_dma_set_mask(struct uldf_dev *dev, uint64_t mask)
{
	if (!dev || mask < ULDF_DMA_BIT_MASK(12) || (mask & (mask + 1)))
		return -EINVAL;
	dev->dma_limit = mask == ~(uint64_t)0 ? 0 : mask;
	return 0;
}

int uldf_dma_get_info(struct uldf_dev *dev, uint32_t *flags,
		      uint64_t *pgsizes, struct uldf_iova_range *ranges,
		      unsigned int *nr_ranges)
{
	ULDFI_KEEP_ERRNO();
	struct uldf_dma_info *info;
	unsigned int room = 0;
	size_t argsz;
	int ret = 0;

	if (!dev || (ranges && !nr_ranges))
		return -EINVAL;
	if (ranges)
		room = *nr_ranges;
	argsz = sizeof(*info) + (size_t)room * sizeof(info->ranges[0]);
	info = calloc(1, argsz);
	if (!info)
		return -ENOMEM;
	info->argsz = argsz;
	if (ioctl(dev->fd, ULDF_DMA_GET_INFO, info)) {
		ret = -errno;
		goto out;
	}
	if (flags)
		*flags = info->flags;
	if (pgsizes)
		*pgsizes = info->pgsize_bitmap;
	if (ranges)
		memcpy(ranges, info->ranges,
		       (info->nr_ranges < room ? info->nr_ranges : room) *
		       sizeof(*ranges));
	if (nr_ranges)
		*nr_ranges = info->nr_ranges;
out:
	free(info);
	return ret;
}

int uldf_dma_join(struct uldf_dev *dev, struct uldf_dev *other)
{
	ULDFI_KEEP_ERRNO();
	struct uldf_dma_join j = { .argsz = sizeof(j) };

	if (!dev || !other)
		return -EINVAL;
	j.fd = other->fd;
	return ioctl(dev->fd, ULDF_DMA_JOIN, &j) ? -errno : 0;
}

/* Fill in a struct uldf_dma_map for the ioctls. */
static void map_init(struct uldf_dev *dev, struct uldf_dma_map *m,
		     void *vaddr, size_t size, unsigned int flags, uint64_t iova)
{
	memset(m, 0, sizeof(*m));
	m->argsz = sizeof(*m);
	m->flags = flags;
	m->vaddr = (uintptr_t)vaddr;
	m->size = size;
	m->iova = iova;
	if (!(flags & ULDF_DMA_MAP_FIXED_IOVA))
		m->iova_limit = dev->dma_limit;
}

static int map_check(struct uldf_dev *dev, unsigned int flags, size_t size)
{
	if (!dev || !size || (flags & ~ULDFI_DMA_MAP_FLAGS) ||
	    !(flags & ULDFI_DMA_DIR))
		return -EINVAL;
	return 0;
}

int uldf_dma_map(struct uldf_dev *dev, void *vaddr, size_t size,
		 unsigned int flags, uint64_t *iova)
{
	ULDFI_KEEP_ERRNO();
	struct uldf_dma_map m;
	int ret;

	ret = map_check(dev, flags, size);
	if (ret || !iova)
		return -EINVAL;
	map_init(dev, &m, vaddr, size, flags, *iova);
	if (ioctl(dev->fd, ULDF_DMA_MAP, &m))
		return -errno;
	*iova = m.iova;
	return 0;
}

int uldf_dma_map_segs(struct uldf_dev *dev, void *vaddr, size_t size,
		      unsigned int flags, struct uldf_dma_seg *segs,
		      unsigned int *nr_segs, uint64_t *iova)
{
	ULDFI_KEEP_ERRNO();
	struct uldf_dma_map m;
	int ret;

	ret = map_check(dev, flags, size);
	if (ret || !segs || !nr_segs || !*nr_segs)
		return -EINVAL;
	map_init(dev, &m, vaddr, size, flags, iova ? *iova : 0);
	m.nr_segs = *nr_segs;
	m.segs_ptr = (uintptr_t)segs;
	ret = ioctl(dev->fd, ULDF_DMA_MAP, &m) ? -errno : 0;
	if (!ret || ret == -E2BIG)
		*nr_segs = m.nr_segs;
	if (!ret && iova)
		*iova = m.iova;
	return ret;
}

static int unmap(struct uldf_dev *dev, uint32_t flags, uint64_t iova,
		 uint64_t size)
{
	struct uldf_dma_unmap u = {
		.argsz = sizeof(u),
		.flags = flags,
		.iova = iova,
		.size = size,
	};

	if (ioctl(dev->fd, ULDF_DMA_UNMAP, &u))
		return -errno;
	return 0;
}

int uldf_dma_unmap(struct uldf_dev *dev, uint64_t iova, size_t size)
{
	ULDFI_KEEP_ERRNO();

	if (!dev || !size)
		return -EINVAL;
	return unmap(dev, 0, iova, size);
}

int uldf_dma_unmap_all(struct uldf_dev *dev)
{
	ULDFI_KEEP_ERRNO();

	if (!dev)
		return -EINVAL;
	return unmap(dev, ULDF_DMA_UNMAP_ALL, 0, 0);
}

static int batch(struct uldf_dev *dev, uint32_t flags,
		 struct uldf_dma_map *maps, unsigned int count,
		 unsigned int *done)
{
	struct uldf_dma_batch b = {
		.argsz = sizeof(b),
		.flags = flags,
		.count = count,
		.entries_ptr = (uintptr_t)maps,
	};
	unsigned int i;
	int ret = 0;

	if (done)
		*done = 0;
	if (!dev || !maps || !count || count > ULDF_DMA_BATCH_MAX)
		return -EINVAL;
	for (i = 0; i < count; i++) {
		maps[i].argsz = sizeof(maps[i]);
		if (!(flags & ULDF_DMA_BATCH_UNMAP) && !maps[i].iova_limit &&
		    !(maps[i].flags & ULDF_DMA_MAP_FIXED_IOVA))
			maps[i].iova_limit = dev->dma_limit;
	}
	if (ioctl(dev->fd, ULDF_DMA_MAP_BATCH, &b))
		ret = -errno;
	if (done)
		*done = b.done;
	return ret;
}

int uldf_dma_map_batch(struct uldf_dev *dev, struct uldf_dma_map *maps,
		       unsigned int count, unsigned int *done)
{
	ULDFI_KEEP_ERRNO();

	return batch(dev, 0, maps, count, done);
}

int uldf_dma_unmap_batch(struct uldf_dev *dev, struct uldf_dma_map *maps,
			 unsigned int count, unsigned int *done)
{
	ULDFI_KEEP_ERRNO();

	return batch(dev, ULDF_DMA_BATCH_UNMAP, maps, count, done);
}

/* ---- DMA buffers -------------------------------------------------------- */

static int mem_map(size_t size, bool huge, struct uldfi_mem *mem)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	void *p;

	if (huge)
		flags |= MAP_HUGETLB;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	if (madvise(p, size, MADV_DONTFORK)) {
		int ret = -errno;

		munmap(p, size);
		return ret;
	}
	mem->addr = p;
	mem->size = size;
	mem->huge = huge;
	return 0;
}

static size_t round_up(size_t size, size_t align, bool *overflow)
{
	size_t r = (size + align - 1) & ~(align - 1);

	*overflow = r < size;
	return r;
}

/**
 * uldfi_mem_alloc() - the memory of a DMA buffer.
 * @size:	bytes, 1 or more.
 * @flags:	ULDF_DMA_BUF_HUGEPAGE, ULDF_DMA_BUF_FALLBACK (others are
 *		ignored here).
 * @mem:	out: address, rounded size, whether hugepage-backed.
 *
 * Return: 0; -EINVAL @size 0 or so large that it wraps when rounded;
 * -ENOMEM (also: no hugepage free and no fallback); other -errno of mmap().
 */
int uldfi_mem_alloc(size_t size, unsigned int flags, struct uldfi_mem *mem)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), len;
	bool overflow;
	int ret;

	if (!size)
		return -EINVAL;
	if (flags & ULDF_DMA_BUF_HUGEPAGE) {
		len = round_up(size, ULDFI_HUGEPAGE_SIZE, &overflow);
		if (overflow)
			return -EINVAL;
		ret = mem_map(len, true, mem);
		/* No reserved hugepage gives ENOMEM; no hugetlbfs, EINVAL. */
		if (!ret || !(flags & ULDF_DMA_BUF_FALLBACK) ||
		    (ret != -ENOMEM && ret != -EINVAL))
			return ret == -EINVAL ? -ENOMEM : ret;
	}
	len = round_up(size, pg, &overflow);
	if (overflow)
		return -EINVAL;
	return mem_map(len, false, mem);
}

/**
 * uldfi_mem_free() - free what uldfi_mem_alloc() allocated.
 * @mem:	the memory; cleared.
 */
void uldfi_mem_free(struct uldfi_mem *mem)
{
	if (mem->addr)
		munmap(mem->addr, mem->size);
	memset(mem, 0, sizeof(*mem));
}

int uldf_dma_buf_alloc(struct uldf_dev *dev, size_t size, unsigned int flags,
		       struct uldf_dma_buf **bufp)
{
	ULDFI_KEEP_ERRNO();
	unsigned int dir = flags & ULDFI_DMA_DIR;
	struct uldf_dma_buf *buf;
	int ret;

	if (!dev || !bufp || !size || (flags & ~ULDFI_DMA_BUF_FLAGS))
		return -EINVAL;
	buf = calloc(1, sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	ret = uldfi_mem_alloc(size, flags, &buf->mem);
	if (ret)
		goto out_free;
	ret = uldf_dma_map(dev, buf->mem.addr, buf->mem.size,
			   dir ? dir : ULDFI_DMA_DIR, &buf->iova);
	if (ret)
		goto out_mem;
	buf->dev = dev;
	buf->next = dev->bufs;
	dev->bufs = buf;
	*bufp = buf;
	return 0;

out_mem:
	uldfi_mem_free(&buf->mem);
out_free:
	free(buf);
	return ret;
}

/* Unlink @buf from its device's list. */
static void buf_unlink(struct uldf_dma_buf *buf)
{
	struct uldf_dma_buf **pp;

	for (pp = &buf->dev->bufs; *pp; pp = &(*pp)->next) {
		if (*pp == buf) {
			*pp = buf->next;
			return;
		}
	}
}

/* Unmap (the device must not see freed memory), then free. */
static void buf_release(struct uldf_dma_buf *buf)
{
	unmap(buf->dev, 0, buf->iova, buf->mem.size);
	uldfi_mem_free(&buf->mem);
	free(buf);
}

void uldf_dma_buf_free(struct uldf_dma_buf *buf)
{
	ULDFI_KEEP_ERRNO();

	if (!buf)
		return;
	buf_unlink(buf);
	buf_release(buf);
}

/**
 * uldfi_dma_buf_free_all() - free every DMA buffer of a handle.
 * @dev:	the handle, about to be closed.
 */
void uldfi_dma_buf_free_all(struct uldf_dev *dev)
{
	while (dev->bufs) {
		struct uldf_dma_buf *buf = dev->bufs;

		dev->bufs = buf->next;
		buf_release(buf);
	}
}

void *uldf_dma_buf_vaddr(const struct uldf_dma_buf *buf)
{
	return buf ? buf->mem.addr : NULL;
}

uint64_t uldf_dma_buf_iova(const struct uldf_dma_buf *buf)
{
	return buf ? buf->iova : 0;
}

size_t uldf_dma_buf_size(const struct uldf_dma_buf *buf)
{
	return buf ? buf->mem.size : 0;
}

int uldf_dma_buf_hugepage(const struct uldf_dma_buf *buf)
{
	return buf && buf->mem.huge;
}
