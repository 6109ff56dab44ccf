// SPDX-License-Identifier: GPL-2.0
/*
 * vmm-glue's uldf backend (vg_uldf.c, the code the User-Mode Linux guest's
 * kernel runs) against a fake host: a struct vg_host_ops that plays a uldf
 * device with an interrupt pin and 4 MSI-X vectors, its IRQ fds and their
 * epoll fd, and the host's /proc/self/maps, and records what it is asked.
 * It fills in the optional calls the way the UML guest does (notify,
 * kick, resched), which a user-space VMM on the real device (vg_edu_test)
 * leaves out.  Checks: what opening and closing ask of the host (and that
 * nothing stays open, also after a failure), bad BDFs refused before any
 * host call, host vectors armed for notification and the VMM kicked once,
 * a failed arming undone, delivery through the event fd, a vector the
 * host took away leaving the event fd, guest RAM mapped in pieces with
 * the VMM let run in between (and undone on failure), the usable IOVA
 * check, and guest RAM found in /proc/self/maps.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "vg_uldf.h"

#define BDF		"0000:00:05.0"
#define DEV_FD		100
#define EP_FD		101
#define MAPS_FD		102
#define IRQ_FD0		200	/* IRQ fds: IRQ_FD0 + n, n < MAX_FDS */
#define MAX_FDS		16
#define NVEC		4
#define BAR0_SIZE	0x4000
#define CAP_MSIX	0x40
#define MIB		(1ULL << 20)

static struct fake {
	u8 cfg[256];
	u32 api_version;
	bool fd_open[IRQ_FD0 + MAX_FDS];
	int next_irq_fd;
	bool in_epoll[IRQ_FD0 + MAX_FDS];
	u64 ep_data[IRQ_FD0 + MAX_FDS];
	bool fired[IRQ_FD0 + MAX_FDS];
	int read_error;		/* returned by the next IRQ fd read */
	int opens, mmaps, munmaps, notifies, kicks, rescheds;
	int fail_notify_at;	/* fail the n-th notify (1-based), 0: never */
	int irq_opens;
	unsigned int last_irq_count;
	int unmasks;
	int dma_maps, dma_unmaps;
	int fail_dma_map_at;	/* fail the n-th ULDF_DMA_MAP, 0: never */
	struct uldf_dma_map maps[8];
	struct uldf_dma_unmap unmaps[8];
	u32 dma_flags;
	const char *proc_maps;
	size_t proc_maps_pos;
} f;

static void fake_reset(void)
{
	memset(&f, 0, sizeof(f));
	f.api_version = ULDF_API_VERSION;
	f.next_irq_fd = IRQ_FD0;
	f.dma_flags = ULDF_DMA_INFO_IOMMU;
	f.cfg[PCI_VENDOR_ID] = 0x36;
	f.cfg[PCI_VENDOR_ID + 1] = 0x1b;
	f.cfg[PCI_STATUS] = PCI_STATUS_CAP_LIST;
	f.cfg[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	f.cfg[PCI_INTERRUPT_PIN] = 1;
	f.cfg[PCI_CAPABILITY_LIST] = CAP_MSIX;
	f.cfg[CAP_MSIX] = PCI_CAP_ID_MSIX;
	f.cfg[CAP_MSIX + PCI_MSIX_FLAGS] = NVEC - 1;
	f.cfg[CAP_MSIX + PCI_MSIX_TABLE + 1] = 0x20;	/* BAR 0, 0x2000 */
	f.cfg[CAP_MSIX + PCI_MSIX_PBA + 1] = 0x30;	/* BAR 0, 0x3000 */
}

static int fds_open(void)
{
	int fd, n = 0;

	for (fd = 0; fd < IRQ_FD0 + MAX_FDS; fd++)
		n += f.fd_open[fd];
	return n;
}

static int h_open(const char *path, int flags)
{
	f.opens++;
	if (!strcmp(path, "/dev/uldf/" BDF) && (flags & O_RDWR)) {
		f.fd_open[DEV_FD] = true;
		return DEV_FD;
	}
	if (!strcmp(path, "/proc/self/maps") && f.proc_maps) {
		f.fd_open[MAPS_FD] = true;
		f.proc_maps_pos = 0;
		return MAPS_FD;
	}
	return -ENOENT;
}

static int h_close(int fd)
{
	if (fd < 0 || fd >= IRQ_FD0 + MAX_FDS || !f.fd_open[fd])
		return -EBADF;
	f.fd_open[fd] = false;
	f.in_epoll[fd] = false;
	return 0;
}

static long h_read(int fd, void *buf, size_t len)
{
	if (fd == MAPS_FD) {
		size_t n = strlen(f.proc_maps + f.proc_maps_pos);

		n = n < len ? n : len;
		memcpy(buf, f.proc_maps + f.proc_maps_pos, n);
		f.proc_maps_pos += n;
		return n;
	}
	if (fd < IRQ_FD0 || !f.fd_open[fd] || len != 8)
		return -EBADF;
	if (f.read_error)
		return f.read_error;
	if (!f.fired[fd])
		return -EAGAIN;
	f.fired[fd] = false;
	*(u64 *)buf = 1;
	return 8;
}

static long h_pread(int fd, void *buf, size_t len, u64 off)
{
	u64 cfg = ULDF_REGION_OFFSET(ULDF_REGION_CONFIG);

	if (fd != DEV_FD || off < cfg || off - cfg + len > sizeof(f.cfg))
		return -EINVAL;
	memcpy(buf, f.cfg + (off - cfg), len);
	return len;
}

static long h_pwrite(int fd, const void *buf, size_t len, u64 off)
{
	return fd == DEV_FD ? (long)len : -EBADF;
}

static int h_ioctl(int fd, unsigned int cmd, void *arg)
{
	if (fd >= IRQ_FD0) {
		if (!f.fd_open[fd])
			return -EBADF;
		f.unmasks += cmd == ULDF_IRQ_UNMASK;
		return 0;
	}
	if (fd != DEV_FD)
		return -EBADF;
	switch (cmd) {
	case ULDF_DEVICE_GET_INFO: {
		struct uldf_device_info *i = arg;

		i->api_version = f.api_version;
		i->config_size = 256;
		i->num_irqs[ULDF_IRQ_TYPE_INTX] = 1;
		i->num_irqs[ULDF_IRQ_TYPE_MSIX] = NVEC;
		return 0;
	}
	case ULDF_DEVICE_GET_REGION_INFO: {
		struct uldf_region_info *r = arg;

		if (r->index)
			return 0;
		r->size = BAR0_SIZE;
		r->offset = ULDF_REGION_OFFSET(0);
		r->flags = ULDF_REGION_FLAG_MMAP | ULDF_REGION_FLAG_MSIX;
		r->nr_areas = 1;
		r->areas[0].offset = 0;
		r->areas[0].size = 0x2000;
		return 0;
	}
	case ULDF_DEVICE_IRQ_OPEN: {
		struct uldf_irq_open *o = arg;
		unsigned int i;

		f.irq_opens++;
		f.last_irq_count = o->count;
		if (!(o->flags & ULDF_IRQ_OPEN_NONBLOCK) ||
		    f.next_irq_fd + o->count > IRQ_FD0 + MAX_FDS)
			return -EINVAL;
		for (i = 0; i < o->count; i++) {
			o->fds[i] = f.next_irq_fd++;
			f.fd_open[o->fds[i]] = true;
		}
		return 0;
	}
	case ULDF_DMA_MAP:
		if (++f.dma_maps == f.fail_dma_map_at)
			return -ENOMEM;
		if (f.dma_maps <= 8)
			f.maps[f.dma_maps - 1] = *(struct uldf_dma_map *)arg;
		return 0;
	case ULDF_DMA_UNMAP:
		if (++f.dma_unmaps <= 8)
			f.unmaps[f.dma_unmaps - 1] = *(struct uldf_dma_unmap *)arg;
		return 0;
	case ULDF_DMA_GET_INFO: {
		struct uldf_dma_info *d = arg;

		d->flags = f.dma_flags;
		d->nr_ranges = 2;
		d->ranges[0].start = 0;
		d->ranges[0].last = 0xfedfffff;
		d->ranges[1].start = 0xfef00000;
		d->ranges[1].last = ~0ULL;
		return 0;
	}
	}
	return -ENOTTY;
}

static int h_mmap(void **addr, size_t len, int prot, int flags, int fd,
		  u64 off)
{
	void *p;

	f.mmaps++;
	if (fd != -1 && fd != DEV_FD)
		return -EBADF;
	/* The device's pages are plain memory here. */
	p = mmap(*addr, len, prot,
		 (flags & ~MAP_SHARED) | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	*addr = p;
	return 0;
}

static int h_munmap(void *addr, size_t len)
{
	f.munmaps++;
	return munmap(addr, len) ? -errno : 0;
}

static int h_epoll_create(void)
{
	if (f.fd_open[EP_FD])
		return -EMFILE;
	f.fd_open[EP_FD] = true;
	return EP_FD;
}

static int h_epoll_ctl(int epfd, int op, int fd, u64 data)
{
	if (epfd != EP_FD || fd < IRQ_FD0 || !f.fd_open[fd])
		return -EBADF;
	if (op == EPOLL_CTL_ADD) {
		if (f.in_epoll[fd])
			return -EEXIST;
		f.in_epoll[fd] = true;
		f.ep_data[fd] = data;
		return 0;
	}
	if (op != EPOLL_CTL_DEL || !f.in_epoll[fd])
		return -ENOENT;
	f.in_epoll[fd] = false;
	return 0;
}

static int h_epoll_wait(int epfd, u64 *data, int max)
{
	int fd, n = 0;

	if (epfd != EP_FD)
		return -EBADF;
	for (fd = IRQ_FD0; fd < IRQ_FD0 + MAX_FDS && n < max; fd++)
		if (f.in_epoll[fd] && (f.fired[fd] || f.read_error))
			data[n++] = f.ep_data[fd];
	return n;
}

static int h_notify(int fd)
{
	if (++f.notifies == f.fail_notify_at)
		return -EPERM;
	return f.fd_open[fd] ? 0 : -EBADF;
}

static void h_kick(void)
{
	f.kicks++;
}

static void h_resched(void)
{
	f.rescheds++;
}

static const struct vg_host_ops fake_host = {
	.open = h_open,
	.close = h_close,
	.read = h_read,
	.pread = h_pread,
	.pwrite = h_pwrite,
	.ioctl = h_ioctl,
	.mmap = h_mmap,
	.munmap = h_munmap,
	.epoll_create = h_epoll_create,
	.epoll_ctl = h_epoll_ctl,
	.epoll_wait = h_epoll_wait,
	.notify = h_notify,
	.kick = h_kick,
	.resched = h_resched,
};

FIXTURE(backend) {
	struct vg_uldf u;
};

FIXTURE_SETUP(backend)
{
	fake_reset();
	ASSERT_EQ(0, vg_uldf_open(&self->u, &fake_host, BDF, 0));
}

FIXTURE_TEARDOWN(backend)
{
	vg_uldf_close(&self->u);
	EXPECT_EQ(0, fds_open());
	EXPECT_EQ(f.mmaps - 1, f.munmaps);	/* one munmap per reservation */
}

TEST_F(backend, open_maps_and_describes)
{
	struct vg_bar_desc *b = &self->u.vg.bar[0];

	EXPECT_EQ(DEV_FD, self->u.fd);
	EXPECT_EQ(EP_FD, vg_uldf_event_fd(&self->u));
	EXPECT_EQ(NVEC, self->u.nr_msix);
	EXPECT_EQ(2, fds_open());		/* no IRQ fd yet */
	/* A reservation, and the area the host lets us map over it. */
	EXPECT_EQ(2, f.mmaps);
	ASSERT_NE(NULL, b->map);
	EXPECT_EQ(1, b->nr_direct);
	EXPECT_EQ(0x2000, b->direct[0].size);
	EXPECT_EQ(BAR0_SIZE, b->size);
	EXPECT_EQ(NVEC, self->u.vg.msix.nvec);
}

TEST(bad_bdf_refused_before_any_host_call)
{
	static const char * const bad[] = {
		"", "0000:00:05", "0000:00:05.0/", "0000:00:05.00",
		"../../../../../x", "0000:0g:05.0", "0000-00:05.0",
	};
	struct vg_uldf u;
	unsigned int i;

	fake_reset();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, vg_uldf_open(&u, &fake_host, bad[i], 0));
		vg_uldf_close(&u);
	}
	EXPECT_EQ(0, f.opens);
	EXPECT_EQ(-ENOENT, vg_uldf_open(&u, &fake_host, "0000:00:06.0", 0));
	vg_uldf_close(&u);
	EXPECT_EQ(1, f.opens);
}

TEST(other_api_version_leaves_nothing_open)
{
	struct vg_uldf u;

	fake_reset();
	f.api_version = ULDF_API_VERSION + 1;
	EXPECT_EQ(-EPROTO, vg_uldf_open(&u, &fake_host, BDF, 0));
	EXPECT_EQ(0, fds_open());
	vg_uldf_close(&u);	/* harmless after a failed open */
	EXPECT_EQ(0, fds_open());
}

TEST_F(backend, vectors_armed_and_vmm_kicked)
{
	struct vg_uldf_event ev[8];
	int fd;

	ASSERT_EQ(0, vg_irq_open(&self->u.vg, VG_IRQ_MSIX, 0, NVEC));
	EXPECT_EQ(NVEC, f.last_irq_count);
	EXPECT_EQ(NVEC, f.notifies);
	EXPECT_EQ(1, f.kicks);
	for (fd = IRQ_FD0; fd < IRQ_FD0 + NVEC; fd++)
		EXPECT_TRUE(f.in_epoll[fd]);
	EXPECT_EQ(IRQ_FD0 + 2, vg_uldf_irq_fd(&self->u, VG_IRQ_MSIX, 2));

	/* Vector 2 fires: the event fd names it. */
	EXPECT_EQ(0, vg_uldf_poll(&self->u, ev, 8));
	f.fired[IRQ_FD0 + 2] = true;
	ASSERT_EQ(1, vg_uldf_poll(&self->u, ev, 8));
	EXPECT_EQ(VG_IRQ_MSIX, ev[0].type);
	EXPECT_EQ(2, ev[0].index);

	/* Closing disarms and closes every vector. */
	vg_irq_close(&self->u.vg, VG_IRQ_MSIX);
	EXPECT_EQ(2, fds_open());
	EXPECT_EQ(-1, vg_uldf_irq_fd(&self->u, VG_IRQ_MSIX, 2));
	EXPECT_EQ(0, vg_uldf_poll(&self->u, ev, 8));
}

TEST_F(backend, failed_arming_is_undone)
{
	f.fail_notify_at = 3;
	EXPECT_EQ(-EPERM, vg_irq_open(&self->u.vg, VG_IRQ_MSIX, 0, NVEC));
	EXPECT_EQ(2, fds_open());
	EXPECT_EQ(0, f.kicks);
	EXPECT_EQ(-1, vg_uldf_irq_fd(&self->u, VG_IRQ_MSIX, 0));
	/* Nothing half-open: it opens once the host lets it. */
	f.fail_notify_at = 0;
	EXPECT_EQ(0, vg_irq_open(&self->u.vg, VG_IRQ_MSIX, 0, NVEC));
}

TEST_F(backend, intx_through_the_event_fd)
{
	struct vg_uldf_event ev[8];
	struct vg_msg msg;
	int fd;

	ASSERT_EQ(0, vg_irq_open(&self->u.vg, VG_IRQ_INTX, 0, 1));
	fd = vg_uldf_irq_fd(&self->u, VG_IRQ_INTX, 0);
	ASSERT_LE(IRQ_FD0, fd);
	f.fired[fd] = true;
	ASSERT_EQ(1, vg_uldf_poll(&self->u, ev, 8));
	EXPECT_EQ(VG_IRQ_INTX, ev[0].type);
	EXPECT_EQ(1, vg_uldf_irq_service(&self->u, ev[0].type, ev[0].index,
					 &msg));
	/* Taken: nothing more, until the EOI unmasks the host line. */
	EXPECT_EQ(0, vg_uldf_irq_service(&self->u, VG_IRQ_INTX, 0, &msg));
	EXPECT_EQ(0, f.unmasks);
	vg_intx_eoi(&self->u.vg);
	EXPECT_EQ(1, f.unmasks);
	EXPECT_EQ(-EBADF, vg_uldf_irq_service(&self->u, VG_IRQ_MSI, 0, &msg));
}

TEST_F(backend, vector_the_host_took_away_leaves_the_event_fd)
{
	struct vg_uldf_event ev[8];
	struct vg_msg msg;
	int fd;

	ASSERT_EQ(0, vg_irq_open(&self->u.vg, VG_IRQ_INTX, 0, 1));
	fd = vg_uldf_irq_fd(&self->u, VG_IRQ_INTX, 0);
	f.read_error = -ENODEV;
	ASSERT_EQ(1, vg_uldf_poll(&self->u, ev, 8));
	EXPECT_EQ(-ENODEV, vg_uldf_irq_service(&self->u, VG_IRQ_INTX, 0, &msg));
	EXPECT_FALSE(f.in_epoll[fd]);
	EXPECT_EQ(0, vg_uldf_poll(&self->u, ev, 8));
	f.read_error = 0;
}

TEST_F(backend, dma_in_pieces)
{
	const u64 size = 40 * MIB, gpa = 0x100000, hva = 0x7f0000000000ULL;

	ASSERT_EQ(0, vg_dma_add_ram(&self->u.vg, gpa, hva, size));
	ASSERT_EQ(3, f.dma_maps);
	EXPECT_EQ(3, f.rescheds);
	EXPECT_EQ(gpa, f.maps[0].iova);
	EXPECT_EQ(hva, f.maps[0].vaddr);
	EXPECT_EQ(16 * MIB, f.maps[0].size);
	EXPECT_EQ(gpa + 32 * MIB, f.maps[2].iova);
	EXPECT_EQ(hva + 32 * MIB, f.maps[2].vaddr);
	EXPECT_EQ(8 * MIB, f.maps[2].size);
	EXPECT_TRUE(f.maps[0].flags & ULDF_DMA_MAP_FIXED_IOVA);
	vg_dma_remove_all(&self->u.vg);
	EXPECT_EQ(3, f.dma_unmaps);
	EXPECT_EQ(gpa + 16 * MIB, f.unmaps[1].iova);
}

TEST_F(backend, failed_dma_piece_is_undone)
{
	f.fail_dma_map_at = 3;
	EXPECT_EQ(-ENOMEM, vg_dma_add_ram(&self->u.vg, 0, 0x7f0000000000ULL,
					  40 * MIB));
	/* The two pieces mapped before are unmapped, nothing else. */
	ASSERT_EQ(2, f.dma_unmaps);
	EXPECT_EQ(0, f.unmaps[0].iova);
	EXPECT_EQ(16 * MIB, f.unmaps[1].iova);
	EXPECT_EQ(0, self->u.vg.dma.mapped);
}

TEST_F(backend, usable_iova_check)
{
	EXPECT_EQ(0, vg_uldf_dma_check(&self->u, 0x1000000, 128 * MIB));
	/* Across the MSI window the host reserves. */
	EXPECT_EQ(-ERANGE, vg_uldf_dma_check(&self->u, 0xfe000000, 64 * MIB));
	f.dma_flags = ULDF_DMA_INFO_NOIOMMU;
	EXPECT_EQ(-ENODEV, vg_uldf_dma_check(&self->u, 0x1000000, MIB));
}

TEST(ram_found_in_proc_self_maps)
{
	struct vg_range r;
	u64 off;

	fake_reset();
	/* Guest RAM: one file mapped in two adjacent pieces, after the
	 * kernel image; another file's mapping right after it.
	 */
	f.proc_maps =
		"60000000-60400000 r-xp 00000000 08:01 11 /usr/bin/linux\n"
		"60400000-60600000 rw-p 00000000 00:00 0 [heap]\n"
		"60600000-61000000 rw-s 00600000 00:1a 42 /dev/shm/vm_file-x (deleted)\n"
		"61000000-68000000 rw-s 01000000 00:1a 42 /dev/shm/vm_file-x (deleted)\n"
		"68000000-68001000 rw-s 00000000 00:1a 43 /dev/shm/other\n";
	ASSERT_EQ(0, vg_uldf_find_mapping(&fake_host, 0x67ffffff, &r, &off));
	EXPECT_EQ(0x60600000, r.start);
	EXPECT_EQ(0x68000000 - 0x60600000, r.size);
	EXPECT_EQ(0x600000, off);
	EXPECT_FALSE(f.fd_open[MAPS_FD]);
	EXPECT_EQ(-ENOENT, vg_uldf_find_mapping(&fake_host, 0x70000000, &r,
						&off));
}

TEST_HARNESS_MAIN
