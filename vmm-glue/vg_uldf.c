// SPDX-License-Identifier: GPL-2.0
/*
 * vmm-glue's uldf backend (see vg_uldf.h): the one place where a VMM's
 * side of a uldf function meets the uldf uAPI.  The same file builds into
 * the User-Mode Linux guest's kernel (uldf_pv) and into user-space VMMs
 * and tests; every system call goes through struct vg_host_ops.
 *
 * Config space and unmapped BAR ranges are pread()/pwrite() at the uldf
 * region offsets.  Each BAR the host lets us mmap() is mapped over a
 * reservation the size of the BAR, one mapping per area the host offers
 * (the BAR minus the pages of the MSI-X table and PBA), so that vmm-glue
 * reaches it with plain loads and stores.  Host vectors are IRQ fds,
 * opened non-blocking with ULDF_DEVICE_IRQ_OPEN and closed to disable
 * them, one per guest vector (for MSI as many as the guest allocates, up
 * to the host function's Multiple Message Capable); each open one sits in
 * the device's epoll fd (and, where the VMM asks, makes the host signal
 * it); masks, EOIs and replays are the IRQ fds' ioctls.  Guest RAM is
 * mapped with ULDF_DMA_MAP at a fixed IOVA (the guest-physical address),
 * in pieces of VG_ULDF_DMA_CHUNK: the host pins while the caller waits,
 * and the UML guest's whole kernel waits with it.
 */
#ifdef __KERNEL__
#include <linux/ctype.h>
#include <linux/fcntl.h>
#include <linux/kernel.h>
#include <linux/mman.h>
#include <uapi/linux/eventpoll.h>
#else
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#endif

#include "vg_uldf.h"

#define VG_ULDF_POLL_BATCH	16
#define VG_ULDF_MAX_RANGES	16
#define VG_ULDF_MAPS_SIZE	(64 * 1024)

static const unsigned int vg_uldf_irq_type[VG_NUM_IRQ_TYPES] = {
	[VG_IRQ_INTX] = ULDF_IRQ_TYPE_INTX,
	[VG_IRQ_MSI] = ULDF_IRQ_TYPE_MSI,
	[VG_IRQ_MSIX] = ULDF_IRQ_TYPE_MSIX,
};

static int u_ioctl(struct vg_uldf *u, unsigned int cmd, void *arg)
{
	return u->host->ioctl(u->fd, cmd, arg);
}

/* ---- struct vg_ops: config space and BARs ------------------------------ */

/* A pread()/pwrite() of the device fd. */
static int u_rw(void *host, unsigned int region, u64 off, void *buf,
		unsigned int len, bool write)
{
	struct vg_uldf *u = host;
	u64 pos;
	long n;

	if (region == VG_CFG)
		region = ULDF_REGION_CONFIG;
	pos = ULDF_REGION_OFFSET(region) + off;
	n = write ? u->host->pwrite(u->fd, buf, len, pos) :
		    u->host->pread(u->fd, buf, len, pos);
	if (n < 0)
		return n;
	return n == len ? 0 : -EIO;
}

/* ---- struct vg_ops: host vectors -------------------------------------- */

static struct vg_uldf_vec *u_vec(struct vg_uldf *u, int type,
				 unsigned int index)
{
	if (type == VG_IRQ_INTX)
		return index ? NULL : &u->intx;
	if (type == VG_IRQ_MSI && index < u->nr_msi)
		return &u->msi[index];
	if (type == VG_IRQ_MSIX && index < u->nr_msix)
		return &u->msix[index];
	return NULL;
}

static void u_vec_disarm(struct vg_uldf *u, struct vg_uldf_vec *vec)
{
	if (vec->fd < 0)
		return;
	u->host->epoll_ctl(u->epfd, EPOLL_CTL_DEL, vec->fd, 0);
	u->host->close(vec->fd);
	vec->fd = -1;
}

/* Watch the IRQ fd from the event fd, and have the host tell the VMM. */
static int u_vec_arm(struct vg_uldf *u, struct vg_uldf_vec *vec)
{
	int ret;

	ret = u->host->epoll_ctl(u->epfd, EPOLL_CTL_ADD, vec->fd,
				 (u64)(unsigned long)vec);
	if (!ret && u->host->notify)
		ret = u->host->notify(vec->fd);
	return ret;
}

/* Only system calls, and no allocation: the UML guest holds a spinlock. */
static int u_irq_open(void *host, int type, unsigned int first,
		      unsigned int count)
{
	struct vg_uldf *u = host;
	struct uldf_irq_open *o = u->irq_open;
	size_t size = sizeof(*o) + count * sizeof(o->fds[0]);
	unsigned int i;
	int ret;

	if (!count || !u_vec(u, type, first) ||
	    !u_vec(u, type, first + count - 1))
		return -ERANGE;
	memset(o, 0, size);
	o->argsz = size;
	o->flags = ULDF_IRQ_OPEN_NONBLOCK;
	o->type = vg_uldf_irq_type[type];
	o->index = first;
	o->count = count;
	ret = u_ioctl(u, ULDF_DEVICE_IRQ_OPEN, o);
	if (ret)
		return ret;

	for (i = 0; i < count; i++)
		u_vec(u, type, first + i)->fd = o->fds[i];
	for (i = 0; i < count && !ret; i++)
		ret = u_vec_arm(u, u_vec(u, type, first + i));
	if (ret) {
		for (i = 0; i < count; i++)
			u_vec_disarm(u, u_vec(u, type, first + i));
		return ret;
	}
	if (u->host->kick)
		u->host->kick();
	return 0;
}

/* Closing the IRQ fds disables the vectors on the host. */
static void u_irq_close(void *host, int type)
{
	struct vg_uldf *u = host;
	unsigned int i, n;

	switch (type) {
	case VG_IRQ_MSI:
		n = u->nr_msi;
		break;
	case VG_IRQ_MSIX:
		n = u->nr_msix;
		break;
	default:
		n = 1;
	}

	for (i = 0; i < n; i++) {
		struct vg_uldf_vec *vec = u_vec(u, type, i);

		if (vec)
			u_vec_disarm(u, vec);
	}
}

static int u_vec_ioctl(struct vg_uldf *u, int type, unsigned int index,
		       unsigned int cmd)
{
	struct vg_uldf_vec *vec = u_vec(u, type, index);

	if (!vec || vec->fd < 0)
		return -EBADF;
	return u->host->ioctl(vec->fd, cmd, NULL);
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

/* ---- struct vg_ops: DMA ------------------------------------------------ */

static int u_dma_unmap(void *host, u64 iova, u64 size)
{
	struct vg_uldf *u = host;
	struct uldf_dma_unmap unmap = { .argsz = sizeof(unmap) };
	u64 done, len;
	int ret = 0, err;

	for (done = 0; done < size; done += len) {
		len = min(size - done, VG_ULDF_DMA_CHUNK);
		unmap.iova = iova + done;
		unmap.size = len;
		err = u_ioctl(u, ULDF_DMA_UNMAP, &unmap);
		if (err && !ret)
			ret = err;
		if (u->host->resched)
			u->host->resched();
	}
	return ret;
}

static int u_dma_map(void *host, u64 iova, u64 hva, u64 size)
{
	struct vg_uldf *u = host;
	struct uldf_dma_map map = {
		.argsz = sizeof(map),
		.flags = ULDF_DMA_MAP_READ | ULDF_DMA_MAP_WRITE |
			 ULDF_DMA_MAP_FIXED_IOVA,
	};
	u64 done, len;
	int ret;

	for (done = 0; done < size; done += len) {
		len = min(size - done, VG_ULDF_DMA_CHUNK);
		map.vaddr = hva + done;
		map.iova = iova + done;
		map.size = len;
		ret = u_ioctl(u, ULDF_DMA_MAP, &map);
		if (ret) {
			if (done)
				u_dma_unmap(u, iova, done);
			return ret;
		}
		if (u->host->resched)
			u->host->resched();
	}
	return 0;
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

/* ---- set-up ------------------------------------------------------------ */

/* Reserve the BAR's size, then map each mmap-able area over it. */
static int u_map_bar(struct vg_uldf *u, unsigned int i, struct vg_bar_desc *b)
{
	const struct uldf_region_info *r = &u->region[i];
	unsigned int a;
	void *base = NULL;
	int ret;

	ret = u->host->mmap(&base, r->size, PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ret)
		return ret;
	u->map[i] = base;
	for (a = 0; a < r->nr_areas && a < VG_MAX_DIRECT; a++) {
		const struct uldf_region_area *area = &r->areas[a];
		void *p = (u8 *)base + area->offset;

		ret = u->host->mmap(&p, area->size, PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_FIXED, u->fd,
				    r->offset + area->offset);
		if (ret)
			return ret;
		b->direct[a].start = area->offset;
		b->direct[a].size = area->size;
		b->nr_direct++;
	}
	b->map = base;
	return 0;
}

/* Describe the device for vg_dev_init(), mapping what the host lets us. */
static int u_describe(struct vg_uldf *u, struct vg_dev_desc *desc)
{
	unsigned int i;
	int ret;

	u->info.argsz = sizeof(u->info);
	ret = u_ioctl(u, ULDF_DEVICE_GET_INFO, &u->info);
	if (ret)
		return ret;
	if (u->info.api_version != ULDF_API_VERSION)
		return -EPROTO;
	desc->cfg_size = u->info.config_size;
	for (i = 0; i < VG_NUM_BARS; i++) {
		struct uldf_region_info *r = &u->region[i];
		struct vg_bar_desc *b = &desc->bar[i];

		r->argsz = sizeof(*r);
		r->index = i;
		ret = u_ioctl(u, ULDF_DEVICE_GET_REGION_INFO, r);
		if (ret)
			return ret;
		if (!r->size)
			continue;
		b->size = r->size;
		if (r->flags & ULDF_REGION_FLAG_IO)
			b->flags |= VG_BAR_IO;
		if (r->flags & ULDF_REGION_FLAG_MEM64)
			b->flags |= VG_BAR_MEM64;
		if (r->flags & ULDF_REGION_FLAG_PREFETCH)
			b->flags |= VG_BAR_PREFETCH;
		if (!(r->flags & ULDF_REGION_FLAG_MMAP) || !r->nr_areas)
			continue;
		ret = u_map_bar(u, i, b);
		if (ret)
			return ret;
	}
	return 0;
}

static void u_vec_init(struct vg_uldf *u, struct vg_uldf_vec *vec, int type,
		       unsigned int index)
{
	vec->u = u;
	vec->type = type;
	vec->index = index;
	vec->fd = -1;
}

static int u_alloc_vecs(struct vg_uldf *u)
{
	unsigned int i, n;

	u->nr_msix = min_t(u32, u->info.num_irqs[ULDF_IRQ_TYPE_MSIX],
			   VG_ULDF_MAX_VECS);
	u->nr_msi = min_t(u32, u->info.num_irqs[ULDF_IRQ_TYPE_MSI],
			  VG_MSI_MAX_VECS);
	n = max(max(u->nr_msix, u->nr_msi), 1U);
	u->msix = vg_zalloc(max(u->nr_msix, 1U) * sizeof(*u->msix));
	u->irq_open = vg_zalloc(sizeof(*u->irq_open) +
				n * sizeof(u->irq_open->fds[0]));
	if (!u->msix || !u->irq_open)
		return -ENOMEM;
	u_vec_init(u, &u->intx, VG_IRQ_INTX, 0);
	for (i = 0; i < u->nr_msix; i++)
		u_vec_init(u, &u->msix[i], VG_IRQ_MSIX, i);
	return 0;
}

/* Whether @bdf reads "DDDD:BB:DD.F" in hex (it becomes a host path). */
static bool u_bdf_valid(const char *bdf)
{
	static const char form[] = "xxxx:xx:xx.x";
	unsigned int i;

	for (i = 0; form[i]; i++)
		if (form[i] == 'x' ? !isxdigit((unsigned char)bdf[i]) :
		    bdf[i] != form[i])
			return false;
	return !bdf[i];
}

/**
 * vg_uldf_open() - open a uldf device and set up its device model.
 * @u:		out: the device.
 * @host:	the host calls (kept until vg_uldf_close()).
 * @bdf:	host BDF, "DDDD:BB:DD.F", of a function bound to uldf.
 * @flags:	VG_* for vg_dev_init().
 *
 * Opens /dev/uldf/@bdf, maps the BARs that the host lets us map, creates
 * the event fd, and sets up @u->vg.  No host vector is open yet.  May
 * sleep.
 *
 * Return: 0; -EINVAL if @bdf is not a BDF; -ENOENT if the host has no
 * such uldf device (not bound); -EBUSY if another process holds it;
 * -EPROTO for another uAPI version; -ENOMEM; or another error of the host
 * (open(), the ioctls, mmap(), epoll_create1()) or of vg_dev_init().
 * Nothing stays open on failure.
 */
int vg_uldf_open(struct vg_uldf *u, const struct vg_host_ops *host,
		 const char *bdf, u32 flags)
{
	struct vg_dev_desc desc = { .flags = flags };
	unsigned int i;
	char path[32];
	int ret;

	memset(u, 0, sizeof(*u));
	u->host = host;
	u->fd = -1;
	u->epfd = -1;
	u_vec_init(u, &u->intx, VG_IRQ_INTX, 0);
	for (i = 0; i < VG_MSI_MAX_VECS; i++)
		u_vec_init(u, &u->msi[i], VG_IRQ_MSI, i);
	if (!u_bdf_valid(bdf))
		return -EINVAL;
	snprintf(path, sizeof(path), "/dev/uldf/%s", bdf);
	ret = host->open(path, O_RDWR | O_CLOEXEC);
	if (ret < 0)
		return ret;
	u->fd = ret;
	ret = u_describe(u, &desc);
	if (!ret)
		ret = u_alloc_vecs(u);
	if (!ret) {
		ret = host->epoll_create();
		if (ret >= 0) {
			u->epfd = ret;
			ret = 0;
		}
	}
	if (!ret)
		ret = vg_dev_init(&u->vg, &vg_uldf_ops, u, &desc);
	if (ret) {
		u->vg.ops = NULL;	/* vg_dev_init() undid itself */
		vg_uldf_close(u);
	}
	return ret;
}

/**
 * vg_uldf_close() - close host vectors, unmap DMA and BARs, close.
 * @u:	the device (also one that vg_uldf_open() failed on).
 *
 * The host then turns bus mastering off, frees what is left of the
 * interrupts and DMA mappings, and resets the function.  May sleep.
 */
void vg_uldf_close(struct vg_uldf *u)
{
	unsigned int i;

	if (u->vg.ops)
		vg_dev_exit(&u->vg);
	u->vg.ops = NULL;
	for (i = 0; i < VG_NUM_BARS; i++) {
		if (u->map[i])
			u->host->munmap(u->map[i], u->region[i].size);
		u->map[i] = NULL;
	}
	vg_free(u->msix);
	vg_free(u->irq_open);
	u->msix = NULL;
	u->irq_open = NULL;
	u->nr_msix = 0;
	u->nr_msi = 0;
	if (u->epfd >= 0)
		u->host->close(u->epfd);
	if (u->fd >= 0)
		u->host->close(u->fd);
	u->epfd = -1;
	u->fd = -1;
}

/* ---- interrupts -------------------------------------------------------- */

/**
 * vg_uldf_event_fd() - the fd that is readable when a host vector fired.
 * @u:	the device.
 *
 * Return: the event fd (an epoll fd holding the open IRQ fds).
 */
int vg_uldf_event_fd(const struct vg_uldf *u)
{
	return u->epfd;
}

/**
 * vg_uldf_poll() - the host vectors that fired, without waiting.
 * @u:		the device.
 * @ev:		out: the vectors.
 * @max:	room in @ev (at most 16 are taken per call).
 *
 * Touches no device state: needs no serialisation.  Serve each vector
 * with vg_uldf_irq_service().
 *
 * Return: how many vectors it stored (0 if none fired), or the host's
 * epoll_wait() error.
 */
int vg_uldf_poll(struct vg_uldf *u, struct vg_uldf_event *ev,
		 unsigned int max)
{
	u64 data[VG_ULDF_POLL_BATCH];
	int n, i;

	n = u->host->epoll_wait(u->epfd, data,
				min_t(unsigned int, max, VG_ULDF_POLL_BATCH));
	for (i = 0; i < n; i++) {
		const struct vg_uldf_vec *vec =
			(const struct vg_uldf_vec *)(unsigned long)data[i];

		ev[i].type = vec->type;
		ev[i].index = vec->index;
	}
	return n;
}

/**
 * vg_uldf_irq_fd() - the IRQ fd of a host vector.
 * @u:		the device.
 * @type:	VG_IRQ_*.
 * @index:	vector.
 *
 * Return: the fd, or -1 while the vector is closed.
 */
int vg_uldf_irq_fd(const struct vg_uldf *u, int type, unsigned int index)
{
	const struct vg_uldf_vec *vec = u_vec((struct vg_uldf *)u, type, index);

	return vec ? vec->fd : -1;
}

/**
 * vg_uldf_irq_service() - take a host vector's interrupts.
 * @u:		the device.
 * @type:	VG_IRQ_*.
 * @index:	vector.
 * @msg:	out, for MSI and MSI-X: the message to deliver.
 *
 * Reads the IRQ fd's count and asks the device model.  An IRQ fd that
 * fails (the host took the device away) leaves the event fd, so that it
 * does not keep it readable.
 *
 * Return: 1 if the VMM must deliver the interrupt (for INTx: assert its
 * line, and later call vg_intx_eoi()); 0 if nothing arrived or the guest
 * masks it (vmm-glue holds it pending); -EBADF if the vector is not open;
 * or the host's read() error (-EIO for a short read).
 */
int vg_uldf_irq_service(struct vg_uldf *u, int type, unsigned int index,
			struct vg_msg *msg)
{
	struct vg_uldf_vec *vec = u_vec(u, type, index);
	u64 count;
	long n;

	if (!vec || vec->fd < 0)
		return -EBADF;
	n = u->host->read(vec->fd, &count, sizeof(count));
	if (n == -EAGAIN)
		return 0;
	if (n != sizeof(count)) {
		u->host->epoll_ctl(u->epfd, EPOLL_CTL_DEL, vec->fd, 0);
		return n < 0 ? n : -EIO;
	}
	return vg_irq_fire(&u->vg, type, index, msg) ? 1 : 0;
}

/* ---- DMA set-up -------------------------------------------------------- */

/**
 * vg_uldf_dma_check() - whether a range can be mapped at IOVA = itself.
 * @u:		the device.
 * @iova:	first IOVA.
 * @size:	bytes (not 0).
 *
 * May sleep.
 *
 * Return: 0 if [@iova, @iova + @size) lies in one usable IOVA range of the
 * device (ULDF_DMA_GET_INFO); -ENODEV if the host has no IOMMU for it;
 * -ERANGE if the range does not fit; -ENOMEM; or the host's error.
 */
int vg_uldf_dma_check(struct vg_uldf *u, u64 iova, u64 size)
{
	struct uldf_dma_info *info;
	size_t len = sizeof(*info) +
		     VG_ULDF_MAX_RANGES * sizeof(info->ranges[0]);
	u64 last = iova + size - 1;
	u32 i;
	int ret;

	info = vg_zalloc(len);
	if (!info)
		return -ENOMEM;
	info->argsz = len;
	ret = u_ioctl(u, ULDF_DMA_GET_INFO, info);
	if (!ret && !(info->flags & ULDF_DMA_INFO_IOMMU))
		ret = -ENODEV;
	if (!ret) {
		ret = -ERANGE;
		for (i = 0; i < min_t(u32, info->nr_ranges, VG_ULDF_MAX_RANGES); i++)
			if (iova >= info->ranges[i].start &&
			    last <= info->ranges[i].last)
				ret = 0;
	}
	vg_free(info);
	return ret;
}

/**
 * vg_uldf_dma_join() - put a device in another's DMA space.
 * @u:		the device that joins; it has mapped nothing yet and opened
 *		no MSI or MSI-X vector.
 * @owner:	an open device of this process whose DMA space @u joins.
 *
 * ULDF_DMA_JOIN: from then on the two share one set of mappings, so guest
 * RAM that @owner mapped is reached by @u at the same IOVA, pinned and
 * charged once.  A VMM with several devices maps its RAM through the first
 * and has the others join it.  May sleep.
 *
 * Return: 0; -EXDEV or -EADDRINUSE if the host's IOMMU cannot put the two
 * in one space (the VMM then maps for @u on its own); -EOPNOTSUPP without
 * an IOMMU; or another error of the host's ULDF_DMA_JOIN.
 */
int vg_uldf_dma_join(struct vg_uldf *u, struct vg_uldf *owner)
{
	struct uldf_dma_join join = {
		.argsz = sizeof(join),
		.fd = owner->fd,
	};

	return u_ioctl(u, ULDF_DMA_JOIN, &join);
}

/**
 * struct vg_uldf_map - one line of the host's /proc/self/maps.
 * @start:	first address.
 * @end:	address after the last.
 * @offset:	file offset of @start.
 * @inode:	file inode number.
 */
struct vg_uldf_map {
	unsigned long start;
	unsigned long end;
	unsigned long long offset;
	unsigned long inode;
};

/* The mapping in @maps that holds @addr, or one that ends at @addr. */
static bool u_find_map(char *maps, unsigned long addr, bool ending,
		       struct vg_uldf_map *out)
{
	char *line, *p = maps;

	while ((line = strsep(&p, "\n"))) {
		struct vg_uldf_map m;

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

static long u_read_file(const struct vg_host_ops *host, const char *path,
			char *buf, size_t size)
{
	size_t len = 0;
	long n;
	int fd;

	fd = host->open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fd;
	while (len < size - 1) {
		n = host->read(fd, buf + len, size - 1 - len);
		if (n <= 0)
			break;
		len += n;
	}
	host->close(fd);
	buf[len] = '\0';
	return len;
}

/**
 * vg_uldf_find_mapping() - the host's file mapping that holds an address.
 * @host:	the host calls.
 * @addr:	an address of the VMM's process.
 * @range:	out: the mapping, extended back over the mappings of the same
 *		file just before it at the matching file offsets.
 * @file_off:	out: the file offset of @range->start.
 *
 * For a VMM whose guest RAM is a file mapping: read from the host's
 * /proc/self/maps, as the host sees the process.  May sleep.
 *
 * Return: 0; -ENOENT if no mapping holds @addr; -ENOMEM; or the host's
 * error reading /proc/self/maps.
 */
int vg_uldf_find_mapping(const struct vg_host_ops *host, u64 addr,
			 struct vg_range *range, u64 *file_off)
{
	struct vg_uldf_map m, prev;
	char *buf, *copy;
	long len;
	int ret = -ENOENT;

	buf = vg_zalloc(VG_ULDF_MAPS_SIZE);
	copy = vg_zalloc(VG_ULDF_MAPS_SIZE);
	if (!buf || !copy) {
		ret = -ENOMEM;
		goto out_free;
	}
	len = u_read_file(host, "/proc/self/maps", buf, VG_ULDF_MAPS_SIZE);
	if (len < 0) {
		ret = len;
		goto out_free;
	}
	memcpy(copy, buf, len + 1);
	if (!u_find_map(copy, addr, false, &m))
		goto out_free;
	for (;;) {
		memcpy(copy, buf, len + 1);
		if (!u_find_map(copy, m.start, true, &prev) ||
		    prev.inode != m.inode ||
		    prev.offset + (prev.end - prev.start) != m.offset)
			break;
		m.start = prev.start;
		m.offset = prev.offset;
	}
	range->start = m.start;
	range->size = m.end - m.start;
	*file_off = m.offset;
	ret = 0;
out_free:
	vg_free(copy);
	vg_free(buf);
	return ret;
}
