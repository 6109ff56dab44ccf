// SPDX-License-Identifier: GPL-2.0
/*
 * uldf_pv DMA: the User-Mode Linux guest's RAM, mapped through the host
 * IOMMU at IOVA = guest physical.
 *
 * UML's DMA API is dma-direct with no offset: a driver's DMA address is
 * the guest-physical address of its buffer.  So if every page of guest RAM
 * is mapped in the device's host IOMMU domain at its guest-physical
 * address, unmodified drivers hand the device addresses that are right,
 * and the device can reach nothing else (anything outside faults in the
 * host IOMMU).
 *
 * Guest RAM is a shared mapping, in this host process, of a file in
 * TMPDIR; guest-physical address p is host address uml_physmem + p.  The
 * mapping of the file starts at uml_reserved, not at uml_physmem: below
 * it lie the kernel image's text, data and bss and its initial heap,
 * which are not in the file.  Those pages, UML's iomem regions (after the
 * end of RAM) and vmalloc space are not DMA-able; a driver that gave a
 * device the address of a static buffer would see the access fault on the
 * host instead of landing in the kernel image.  Drivers get DMA memory
 * from the page allocator, dma_alloc_coherent() and kmalloc(), all of
 * which come from the file.
 *
 * The range is found the way the host sees it: the line of this process's
 * /proc/self/maps (read on the host) that holds the last byte of guest
 * RAM, extended over adjacent pieces of the same file.  It must lie in
 * one usable IOVA range of the device (ULDF_DMA_GET_INFO: the host's
 * IOMMU reserves, e.g., the x86 MSI window at 0xfee00000), which bounds
 * guest RAM to a little under 4 GiB on x86.  The host pins it with
 * FOLL_LONGTERM, which works for tmpfs (shmem) files but not for files on
 * disk file systems: run UML with TMPDIR=/dev/shm (or another tmpfs).
 *
 * Pinning all of guest RAM is the price of having no hook: UML 6.12 has
 * no per-device DMA operations (ARCH_HAS_DMA_OPS), so nothing runs when a
 * driver maps a buffer.  vmm-glue also implements on-demand mapping
 * (VG_DMA_ON_DEMAND: granules mapped on first use, counted, cached idle up
 * to a budget, unmapped least recently used first); a guest with a DMA-map
 * hook (per-device dma_map_ops, or a paravirtual IOMMU's map requests)
 * would call vg_dma_get()/vg_dma_put() from it.  See
 * Documentation/hosted-guest.rst.
 */
#include <linux/fcntl.h>
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/unistd.h>
#include <as-layout.h>

#include "uldf_pv.h"

#define PV_MAPS_SIZE	(64 * 1024)
#define PV_MAX_RANGES	16
#define PV_DMA_CHUNK	(16ULL << 20)	/* bytes per host mapping call */

/**
 * struct pv_map - one line of /proc/self/maps.
 * @start:	first address.
 * @end:	address after the last.
 * @offset:	file offset of @start.
 * @inode:	file inode number.
 */
struct pv_map {
	unsigned long start;
	unsigned long end;
	unsigned long long offset;
	unsigned long inode;
};

static long pv_read_host_file(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	long fd, n;

	fd = pv_sys(__NR_openat, AT_FDCWD, (long)path, O_RDONLY | O_CLOEXEC,
		    0, 0, 0);
	if (fd < 0)
		return fd;
	while (len < size - 1) {
		n = pv_sys(__NR_read, fd, (long)(buf + len), size - 1 - len,
			   0, 0, 0);
		if (n <= 0)
			break;
		len += n;
	}
	pv_sys(__NR_close, fd, 0, 0, 0, 0, 0);
	buf[len] = '\0';
	return len;
}

/* The mapping that holds @addr, or one that ends at @addr (@ending). */
static bool pv_find_map(char *maps, unsigned long addr, bool ending,
			struct pv_map *out)
{
	char *line, *p = maps;

	while ((line = strsep(&p, "\n"))) {
		struct pv_map m;

		if (sscanf(line, "%lx-%lx %*s %llx %*s %lu", &m.start, &m.end,
			   &m.offset, &m.inode) != 4)
			continue;
		if (ending ? m.end == addr : m.start <= addr && addr < m.end) {
			*out = m;
			return true;
		}
	}
	return false;
}

/*
 * Host addresses [*@start, *@end) of the file mapping that holds guest RAM
 * (see the top of this file).
 */
static int pv_ram_range(unsigned long *start, unsigned long *end)
{
	struct pv_map m, prev;
	char *buf, *copy;
	long len;
	int ret = -ENOENT;

	buf = kmalloc(PV_MAPS_SIZE, GFP_KERNEL);
	copy = kmalloc(PV_MAPS_SIZE, GFP_KERNEL);
	if (!buf || !copy) {
		ret = -ENOMEM;
		goto out_free;
	}
	len = pv_read_host_file("/proc/self/maps", buf, PV_MAPS_SIZE);
	if (len < 0) {
		ret = len;
		goto out_free;
	}
	memcpy(copy, buf, len + 1);
	if (!pv_find_map(copy, high_physmem - 1, false, &m))
		goto out_free;
	for (;;) {
		memcpy(copy, buf, len + 1);
		if (!pv_find_map(copy, m.start, true, &prev) ||
		    prev.inode != m.inode ||
		    prev.offset + (prev.end - prev.start) != m.offset)
			break;
		m.start = prev.start;
		m.offset = prev.offset;
	}
	/* The file offset is the guest-physical address. */
	if (m.offset != m.start - uml_physmem || m.end != high_physmem) {
		ret = -EINVAL;
		goto out_free;
	}
	*start = m.start;
	*end = m.end;
	ret = 0;
out_free:
	kfree(copy);
	kfree(buf);
	return ret;
}

/* Whether [@iova, @last] lies in one usable IOVA range of the device. */
static int pv_check_iova(struct pv_dev *pv, u64 iova, u64 last)
{
	struct uldf_dma_info *info;
	size_t size = struct_size(info, ranges, PV_MAX_RANGES);
	u32 i;
	long ret;

	info = kzalloc(size, GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	info->argsz = size;
	ret = pv_sys(__NR_ioctl, pv->fd, ULDF_DMA_GET_INFO, (long)info,
		     0, 0, 0);
	if (!ret && !(info->flags & ULDF_DMA_INFO_IOMMU))
		ret = -ENODEV;
	if (!ret) {
		ret = -ERANGE;
		for (i = 0; i < min_t(u32, info->nr_ranges, PV_MAX_RANGES); i++)
			if (iova >= info->ranges[i].start &&
			    last <= info->ranges[i].last)
				ret = 0;
	}
	kfree(info);
	return ret;
}

/**
 * pv_dma_dev_setup() - map all of guest RAM for one device.
 * @pv:	the device, open, with its vmm-glue state initialised.
 *
 * Return: 0; -ENOENT or -EINVAL if guest RAM cannot be found in the host's
 * view of this process; -ENODEV if the host has no IOMMU for the device;
 * -ERANGE if guest RAM does not fit in one usable IOVA range; or the
 * host's mapping error.
 */
int pv_dma_dev_setup(struct pv_dev *pv)
{
	unsigned long start, end;
	u64 gpa;
	int ret;

	ret = pv_ram_range(&start, &end);
	if (ret) {
		pr_err("uldf_pv: cannot find guest RAM in /proc/self/maps: %d\n",
		       ret);
		return ret;
	}
	gpa = start - uml_physmem;
	ret = pv_check_iova(pv, gpa, gpa + (end - start) - 1);
	if (ret) {
		pr_err("uldf_pv: %s: guest RAM %#llx-%#llx is not DMA-able on the host (%d); %s\n",
		       pv->bdf, gpa, gpa + (end - start) - 1, ret,
		       ret == -ERANGE ? "give the guest less memory" :
		       "the host needs an IOMMU for the device");
		return ret;
	}
	ret = vg_dma_add_ram(&pv->vg, gpa, start, end - start);
	if (ret) {
		pr_err("uldf_pv: %s: mapping guest RAM for DMA failed: %d%s\n",
		       pv->bdf, ret, ret == -EFAULT || ret == -EOPNOTSUPP ?
		       " (is TMPDIR on tmpfs, e.g. /dev/shm?)" : "");
		return ret;
	}
	pr_info("uldf_pv: %s: guest RAM %#llx-%#llx mapped for DMA (IOVA = guest physical)\n",
		pv->bdf, gpa, gpa + (end - start) - 1);
	return 0;
}

static long pv_dma_map_chunk(struct pv_dev *pv, u64 iova, u64 hva, u64 size)
{
	struct uldf_dma_map map = {
		.argsz = sizeof(map),
		.flags = ULDF_DMA_MAP_READ | ULDF_DMA_MAP_WRITE |
			 ULDF_DMA_MAP_FIXED_IOVA,
		.vaddr = hva,
		.size = size,
		.iova = iova,
	};

	return pv_sys(__NR_ioctl, pv->fd, ULDF_DMA_MAP, (long)&map, 0, 0, 0);
}

static long pv_dma_unmap_chunk(struct pv_dev *pv, u64 iova, u64 size)
{
	struct uldf_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = size,
	};

	return pv_sys(__NR_ioctl, pv->fd, ULDF_DMA_UNMAP, (long)&unmap,
		      0, 0, 0);
}

/**
 * pv_dma_host_unmap() - vmm-glue host call: undo one pv_dma_host_map().
 * @host:	the device.
 * @iova:	IOVA it was mapped at.
 * @size:	its size.
 *
 * Unmaps the chunks pv_dma_host_map() made.  May sleep.
 *
 * Return: 0 or the host's first ULDF_DMA_UNMAP error (the other chunks
 * are still unmapped).
 */
int pv_dma_host_unmap(void *host, u64 iova, u64 size)
{
	u64 done, len;
	long ret = 0, err;

	for (done = 0; done < size; done += len) {
		len = min_t(u64, size - done, PV_DMA_CHUNK);
		err = pv_dma_unmap_chunk(host, iova + done, len);
		if (err && !ret)
			ret = err;
		cond_resched();
	}
	return ret;
}

/**
 * pv_dma_host_map() - vmm-glue host call: map host memory for the device.
 * @host:	the device.
 * @iova:	IOVA (the guest-physical address).
 * @hva:	host virtual address.
 * @size:	bytes.
 *
 * Maps in chunks of PV_DMA_CHUNK, giving the guest a chance to run in
 * between: the host pins and maps while this whole UML kernel waits in
 * the system call, and under emulation a mapping of all guest RAM in one
 * call can outlast the guest's RCU stall timeout.  May sleep.
 *
 * Return: 0 or the host's ULDF_DMA_MAP error (nothing stays mapped then).
 */
int pv_dma_host_map(void *host, u64 iova, u64 hva, u64 size)
{
	u64 done, len;
	long ret;

	for (done = 0; done < size; done += len) {
		len = min_t(u64, size - done, PV_DMA_CHUNK);
		ret = pv_dma_map_chunk(host, iova + done, hva + done, len);
		if (ret) {
			if (done)
				pv_dma_host_unmap(host, iova, done);
			return ret;
		}
		cond_resched();
	}
	return 0;
}
