// SPDX-License-Identifier: GPL-2.0
/*
 * vmm-glue host calls for a user-space VMM on uldf: the same device model
 * the User-Mode Linux guest runs in its kernel, here with the host calls
 * of an ordinary process (see vg_uldf.h).
 *
 * Config space and unmapped BAR ranges are pread()/pwrite() at the uldf
 * region offsets; each BAR area the host lets us mmap() is mapped over a
 * reservation the size of the BAR, so that vmm-glue reaches it with plain
 * loads and stores.  IRQ fds are opened non-blocking and closed to disable
 * their vectors; masks, EOIs and replays are the IRQ fd ioctls.  Guest RAM
 * is mapped with ULDF_DMA_MAP at a fixed IOVA (the guest-physical address).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "vg_uldf.h"

/* struct vg_ops.rw: a pread()/pwrite() of the device fd. */
static int u_rw(void *host, unsigned int region, u64 off, void *buf,
		unsigned int len, bool write)
{
	struct vg_uldf *u = host;
	off_t pos;
	ssize_t n;

	if (region == VG_CFG)
		region = ULDF_REGION_CONFIG;
	pos = ULDF_REGION_OFFSET(region) + off;
	n = write ? pwrite(u->fd, buf, len, pos) : pread(u->fd, buf, len, pos);
	if (n < 0)
		return -errno;
	return n == len ? 0 : -EIO;
}

static int *u_vec_fd(struct vg_uldf *u, int type, unsigned int index)
{
	if (type == VG_IRQ_INTX)
		return index ? NULL : &u->intx_fd;
	if (type == VG_IRQ_MSI)
		return index ? NULL : &u->msi_fd;
	if (type == VG_IRQ_MSIX && index < u->nr_msix)
		return &u->msix_fd[index];
	return NULL;
}

static int u_irq_open(void *host, int type, unsigned int first,
		      unsigned int count)
{
	static const unsigned int utype[VG_NUM_IRQ_TYPES] = {
		[VG_IRQ_INTX] = ULDF_IRQ_TYPE_INTX,
		[VG_IRQ_MSI] = ULDF_IRQ_TYPE_MSI,
		[VG_IRQ_MSIX] = ULDF_IRQ_TYPE_MSIX,
	};
	struct vg_uldf *u = host;
	struct uldf_irq_open *o;
	size_t size = sizeof(*o) + count * sizeof(o->fds[0]);
	unsigned int i;
	int ret = 0;

	if (!count || !u_vec_fd(u, type, first) ||
	    !u_vec_fd(u, type, first + count - 1))
		return -ERANGE;
	o = calloc(1, size);
	if (!o)
		return -ENOMEM;
	o->argsz = size;
	o->flags = ULDF_IRQ_OPEN_NONBLOCK;
	o->type = utype[type];
	o->index = first;
	o->count = count;
	if (ioctl(u->fd, ULDF_DEVICE_IRQ_OPEN, o))
		ret = -errno;
	for (i = 0; !ret && i < count; i++)
		*u_vec_fd(u, type, first + i) = o->fds[i];
	free(o);
	return ret;
}

static void u_irq_close(void *host, int type)
{
	struct vg_uldf *u = host;
	unsigned int i, n = type == VG_IRQ_MSIX ? u->nr_msix : 1;

	for (i = 0; i < n; i++) {
		int *fd = u_vec_fd(u, type, i);

		if (fd && *fd >= 0) {
			close(*fd);
			*fd = -1;
		}
	}
}

static int u_vec_ioctl(void *host, int type, unsigned int index,
		       unsigned long cmd)
{
	int *fd = u_vec_fd(host, type, index);

	if (!fd || *fd < 0)
		return -EBADF;
	return ioctl(*fd, cmd) ? -errno : 0;
}

static int u_irq_mask(void *host, int type, unsigned int index, bool mask)
{
	return u_vec_ioctl(host, type, index,
			   mask ? ULDF_IRQ_MASK : ULDF_IRQ_UNMASK);
}

static int u_irq_trigger(void *host, int type, unsigned int index)
{
	return u_vec_ioctl(host, type, index, ULDF_IRQ_TRIGGER);
}

static int u_dma_map(void *host, u64 iova, u64 hva, u64 size)
{
	struct vg_uldf *u = host;
	struct uldf_dma_map map = {
		.argsz = sizeof(map),
		.flags = ULDF_DMA_MAP_READ | ULDF_DMA_MAP_WRITE |
			 ULDF_DMA_MAP_FIXED_IOVA,
		.vaddr = hva,
		.size = size,
		.iova = iova,
	};

	return ioctl(u->fd, ULDF_DMA_MAP, &map) ? -errno : 0;
}

static int u_dma_unmap(void *host, u64 iova, u64 size)
{
	struct vg_uldf *u = host;
	struct uldf_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = size,
	};

	return ioctl(u->fd, ULDF_DMA_UNMAP, &unmap) ? -errno : 0;
}

static const struct vg_ops vg_uldf_ops = {
	.rw = u_rw,
	.irq_open = u_irq_open,
	.irq_close = u_irq_close,
	.irq_mask = u_irq_mask,
	.irq_trigger = u_irq_trigger,
	.dma_map = u_dma_map,
	.dma_unmap = u_dma_unmap,
};

/* Reserve the BAR's size, then map each mmap-able area over it. */
static int vg_uldf_map_bar(struct vg_uldf *u, unsigned int i,
			   struct vg_bar_desc *b)
{
	const struct uldf_region_info *r = &u->region[i];
	unsigned int a;
	char *base;

	base = mmap(NULL, r->size, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return -errno;
	u->map[i] = base;
	for (a = 0; a < r->nr_areas && a < VG_MAX_DIRECT; a++) {
		const struct uldf_region_area *area = &r->areas[a];

		if (mmap(base + area->offset, area->size,
			 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, u->fd,
			 r->offset + area->offset) == MAP_FAILED)
			return -errno;
		b->direct[a].start = area->offset;
		b->direct[a].size = area->size;
		b->nr_direct++;
	}
	b->map = (u8 *)base;
	return 0;
}

static int vg_uldf_describe(struct vg_uldf *u, struct vg_dev_desc *desc)
{
	unsigned int i;
	int ret;

	u->info.argsz = sizeof(u->info);
	if (ioctl(u->fd, ULDF_DEVICE_GET_INFO, &u->info))
		return -errno;
	desc->cfg_size = u->info.config_size;
	for (i = 0; i < VG_NUM_BARS; i++) {
		struct uldf_region_info *r = &u->region[i];
		struct vg_bar_desc *b = &desc->bar[i];

		r->argsz = sizeof(*r);
		r->index = i;
		if (ioctl(u->fd, ULDF_DEVICE_GET_REGION_INFO, r))
			return -errno;
		if (!r->size)
			continue;
		b->size = r->size;
		if (r->flags & ULDF_REGION_FLAG_IO)
			b->flags |= VG_BAR_IO;
		if (r->flags & ULDF_REGION_FLAG_MEM64)
			b->flags |= VG_BAR_MEM64;
		if (r->flags & ULDF_REGION_FLAG_PREFETCH)
			b->flags |= VG_BAR_PREFETCH;
		if (r->flags & ULDF_REGION_FLAG_MMAP) {
			ret = vg_uldf_map_bar(u, i, b);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/**
 * vg_uldf_open() - open a uldf device and set up its device model.
 * @u:		out: the device.
 * @bdf:	host BDF of a function bound to uldf.
 * @flags:	VG_* for vg_dev_init().
 *
 * Return: 0 or a negative errno (from open(), the ioctls, mmap() or
 * vg_dev_init()); nothing stays open on failure.
 */
int vg_uldf_open(struct vg_uldf *u, const char *bdf, u32 flags)
{
	struct vg_dev_desc desc = { .flags = flags };
	char path[64];
	unsigned int i;
	int ret;

	memset(u, 0, sizeof(*u));
	u->intx_fd = -1;
	u->msi_fd = -1;
	snprintf(path, sizeof(path), "/dev/uldf/%s", bdf);
	u->fd = open(path, O_RDWR | O_CLOEXEC);
	if (u->fd < 0)
		return -errno;
	ret = vg_uldf_describe(u, &desc);
	if (ret)
		goto out_close;
	u->nr_msix = u->info.num_irqs[ULDF_IRQ_TYPE_MSIX];
	u->msix_fd = malloc((u->nr_msix + 1) * sizeof(*u->msix_fd));
	if (!u->msix_fd) {
		ret = -ENOMEM;
		goto out_close;
	}
	for (i = 0; i < u->nr_msix; i++)
		u->msix_fd[i] = -1;
	ret = vg_dev_init(&u->vg, &vg_uldf_ops, u, &desc);
	if (ret) {
		u->vg.ops = NULL;	/* vg_dev_init() undid itself */
		goto out_close;
	}
	return 0;

out_close:
	vg_uldf_close(u);
	return ret;
}

/**
 * vg_uldf_close() - close host vectors, unmap DMA and BARs, close.
 * @u:	the device (also one that vg_uldf_open() failed on).
 */
void vg_uldf_close(struct vg_uldf *u)
{
	unsigned int i;

	if (u->vg.ops)
		vg_dev_exit(&u->vg);
	u->vg.ops = NULL;
	for (i = 0; i < VG_NUM_BARS; i++) {
		if (u->map[i])
			munmap(u->map[i], u->region[i].size);
		u->map[i] = NULL;
	}
	free(u->msix_fd);
	u->msix_fd = NULL;
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
}

/**
 * vg_uldf_irq_fd() - the IRQ fd to poll for a host vector.
 * @u:		the device.
 * @type:	VG_IRQ_*.
 * @index:	vector.
 *
 * Return: the fd, or -1 while the vector is closed.
 */
int vg_uldf_irq_fd(const struct vg_uldf *u, int type, unsigned int index)
{
	int *fd = u_vec_fd((struct vg_uldf *)u, type, index);

	return fd ? *fd : -1;
}

/**
 * vg_uldf_irq_service() - take a readable IRQ fd's interrupts.
 * @u:		the device.
 * @type:	VG_IRQ_*.
 * @index:	vector.
 * @msg:	out, for MSI and MSI-X: the message to deliver.
 *
 * Return: 1 if the VMM must deliver the interrupt (for INTx: assert its
 * line, and later call vg_intx_eoi()); 0 if nothing arrived or the guest
 * masks it (vmm-glue holds it pending); or a negative errno from read().
 */
int vg_uldf_irq_service(struct vg_uldf *u, int type, unsigned int index,
			struct vg_msg *msg)
{
	int fd = vg_uldf_irq_fd(u, type, index);
	u64 count;
	ssize_t n;

	if (fd < 0)
		return -EBADF;
	n = read(fd, &count, sizeof(count));
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	return vg_irq_fire(&u->vg, type, index, msg) ? 1 : 0;
}
