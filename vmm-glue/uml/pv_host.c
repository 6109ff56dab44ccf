// SPDX-License-Identifier: GPL-2.0
/*
 * uldf_pv host calls: the User-Mode Linux guest reaching the host's uldf
 * device fd.
 *
 * These are the 2006 design's "supervisor system calls".  The UML kernel
 * runs as a host process, so it makes them as plain x86-64 system calls
 * (the syscall instruction, as UML's own stub code does) and gets the
 * host's -errno back without going through the host C library.  Pointers
 * passed to the host are guest kernel addresses, which are valid host
 * addresses of this process.
 *
 * A BAR that the host lets us mmap() is mapped into this process once, at
 * set-up: an inaccessible reservation the size of the BAR, with each
 * mmap-able area (the BAR minus the MSI-X table and PBA pages) mapped over
 * it at its offset.  Guest MMIO to those areas is then a plain load or
 * store (vg_bar_read()/vg_bar_write()); the rest of the BAR, config space,
 * and I/O BARs go through pread()/pwrite() at the uldf region offsets.
 */
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/mman.h>
#include <linux/string.h>
#include <asm/unistd.h>

#include "uldf_pv.h"

/* One host system call. */
static long pv_syscall6(long nr, long a1, long a2, long a3, long a4, long a5,
			long a6)
{
	register long r10 asm("r10") = a4;
	register long r8 asm("r8") = a5;
	register long r9 asm("r9") = a6;
	long ret;

	asm volatile ("syscall"
		      : "=a" (ret)
		      : "a" (nr), "D" (a1), "S" (a2), "d" (a3), "r" (r10),
			"r" (r8), "r" (r9)
		      : "rcx", "r11", "memory");
	return ret;
}

/**
 * pv_sys() - make a host system call.
 * @nr:		host system call number (x86-64).
 * @a1:		first argument.
 * @a2:		second argument.
 * @a3:		third argument.
 * @a4:		fourth argument.
 * @a5:		fifth argument.
 * @a6:		sixth argument.
 *
 * A call interrupted by a host signal (the guest's timer or SIGIO) is
 * restarted.
 *
 * Return: the host's result: non-negative, or a negative errno.
 */
long pv_sys(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	long ret;

	do {
		ret = pv_syscall6(nr, a1, a2, a3, a4, a5, a6);
	} while (ret == -EINTR);
	return ret;
}

static long pv_ioctl(struct pv_dev *pv, unsigned int cmd, void *arg)
{
	return pv_sys(__NR_ioctl, pv->fd, cmd, (long)arg, 0, 0, 0);
}

static int pv_get_region(struct pv_dev *pv, unsigned int i)
{
	struct uldf_region_info *r = &pv->regions[i];

	memset(r, 0, sizeof(*r));
	r->argsz = sizeof(*r);
	r->index = i;
	return pv_ioctl(pv, ULDF_DEVICE_GET_REGION_INFO, r);
}

/**
 * pv_host_open() - open /dev/uldf/<BDF> on the host and describe it.
 * @pv:	the device; @pv->bdf set.
 *
 * Return: 0; -ENOENT if the host has no such uldf device (not bound);
 * -EBUSY if another process holds it; -EPROTO for another uAPI version;
 * or another host error.
 */
int pv_host_open(struct pv_dev *pv)
{
	char path[48];
	long ret;
	int i;

	snprintf(path, sizeof(path), "/dev/uldf/%s", pv->bdf);
	ret = pv_sys(__NR_openat, AT_FDCWD, (long)path, O_RDWR | O_CLOEXEC,
		     0, 0, 0);
	if (ret < 0)
		return ret;
	pv->fd = ret;

	memset(&pv->info, 0, sizeof(pv->info));
	pv->info.argsz = sizeof(pv->info);
	ret = pv_ioctl(pv, ULDF_DEVICE_GET_INFO, &pv->info);
	if (!ret && pv->info.api_version != ULDF_API_VERSION)
		ret = -EPROTO;
	for (i = 0; !ret && i < VG_NUM_BARS; i++)
		ret = pv_get_region(pv, i);
	if (ret) {
		pv_sys(__NR_close, pv->fd, 0, 0, 0, 0, 0);
		pv->fd = -1;
	}
	return ret;
}

static u32 pv_bar_flags(const struct uldf_region_info *r)
{
	u32 flags = 0;

	if (r->flags & ULDF_REGION_FLAG_IO)
		flags |= VG_BAR_IO;
	if (r->flags & ULDF_REGION_FLAG_MEM64)
		flags |= VG_BAR_MEM64;
	if (r->flags & ULDF_REGION_FLAG_PREFETCH)
		flags |= VG_BAR_PREFETCH;
	return flags;
}

/* Reserve the BAR's size, then map each mmap-able area over it. */
static int pv_map_bar(struct pv_dev *pv, unsigned int i,
		      struct vg_bar_desc *b)
{
	const struct uldf_region_info *r = &pv->regions[i];
	unsigned long base;
	long ret;
	u32 a;

	base = pv_sys(__NR_mmap, 0, r->size, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (IS_ERR_VALUE(base))
		return (long)base;
	pv->map[i] = (void *)base;
	pv->map_len[i] = r->size;

	for (a = 0; a < r->nr_areas && a < VG_MAX_DIRECT; a++) {
		const struct uldf_region_area *area = &r->areas[a];

		ret = pv_sys(__NR_mmap, base + area->offset, area->size,
			     PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			     pv->fd, ULDF_REGION_OFFSET(i) + area->offset);
		if (IS_ERR_VALUE(ret))
			return ret;
		b->direct[a].start = area->offset;
		b->direct[a].size = area->size;
		b->nr_direct++;
	}
	b->map = pv->map[i];
	return 0;
}

/**
 * pv_host_map_bars() - describe the BARs for vmm-glue, mapping what the
 * host lets us map.
 * @pv:		the device, open.
 * @desc:	out: its BARs.
 *
 * Return: 0, or the host's mmap() error (the mappings made so far stay,
 * for pv_host_close()).
 */
int pv_host_map_bars(struct pv_dev *pv, struct vg_dev_desc *desc)
{
	unsigned int i;
	int ret;

	for (i = 0; i < VG_NUM_BARS; i++) {
		const struct uldf_region_info *r = &pv->regions[i];
		struct vg_bar_desc *b = &desc->bar[i];

		if (!r->size)
			continue;
		b->size = r->size;
		b->flags = pv_bar_flags(r);
		if (!(r->flags & ULDF_REGION_FLAG_MMAP) || !r->nr_areas)
			continue;
		ret = pv_map_bar(pv, i, b);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * pv_host_close() - unmap the BARs and close the device fd.
 * @pv:	the device.
 *
 * The host then turns bus mastering off, frees what is left of the
 * interrupts and DMA mappings, and resets the function.
 */
void pv_host_close(struct pv_dev *pv)
{
	unsigned int i;

	for (i = 0; i < VG_NUM_BARS; i++) {
		if (pv->map[i])
			pv_sys(__NR_munmap, (long)pv->map[i], pv->map_len[i],
			       0, 0, 0, 0);
		pv->map[i] = NULL;
	}
	if (pv->fd >= 0)
		pv_sys(__NR_close, pv->fd, 0, 0, 0, 0, 0);
	pv->fd = -1;
}

/* struct vg_ops.rw: a pread()/pwrite() of the device fd on the host. */
static int pv_region_rw(void *host, unsigned int region, u64 off, void *buf,
			unsigned int len, bool write)
{
	struct pv_dev *pv = host;
	long ret;

	if (region == VG_CFG)
		region = ULDF_REGION_CONFIG;
	ret = pv_sys(write ? __NR_pwrite64 : __NR_pread64, pv->fd, (long)buf,
		     len, ULDF_REGION_OFFSET(region) + off, 0, 0);
	if (ret < 0)
		return ret;
	return ret == len ? 0 : -EIO;
}

const struct vg_ops pv_vg_ops = {
	.rw = pv_region_rw,
	.irq_open = pv_irq_host_open,
	.irq_close = pv_irq_host_close,
	.irq_mask = pv_irq_host_mask,
	.irq_trigger = pv_irq_host_trigger,
	.dma_map = pv_dma_host_map,
	.dma_unmap = pv_dma_host_unmap,
};
