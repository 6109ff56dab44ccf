// SPDX-License-Identifier: GPL-2.0
/*
 * vmm-glue in a user-space VMM, on a real device: QEMU's edu bound to
 * uldf, driven through the device model and its uldf backend (vg_uldf.c,
 * the same code the User-Mode Linux guest's kernel runs, here with the
 * libc host calls of vg_host_libc.c) the way a VMM would for its guest.  The guest's view of config space, MMIO through the host
 * mapping, an MSI that the "guest" programmed arriving with the guest's
 * message (found through the device's event fd, as the UML guest finds
 * it), the INTx EOI loop re-firing while the device still asserts its
 * line, DMA by the device into "guest RAM" at IOVA = guest physical, and
 * the guest's Memory Space Enable kept from the device.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "uldf_util.h"
#include "vg_uldf.h"


#define GUEST_RAM	0x100000	/* guest physical, below edu's 28 bits */
#define RAM_SIZE	(16 << 10)
#define WAIT_MS		10000
#define QUIET_MS	200

static u32 rd(struct vg_uldf *u, unsigned int reg)
{
	u64 v = 0xdeadbeef;

	vg_bar_read(&u->vg, 0, reg, 4, &v);
	return v;
}

static void wr(struct vg_uldf *u, unsigned int reg, u64 v)
{
	vg_bar_write(&u->vg, 0, reg, reg >= EDU_DMA_SRC ? 8 : 4, v);
}

static u32 cfg(struct vg_uldf *u, unsigned int off, unsigned int len)
{
	u32 v = 0xdeadbeef;

	vg_cfg_read(&u->vg, off, len, &v);
	return v;
}

/* The offset of the guest-visible capability @id, or 0. */
static unsigned int find_cap(struct vg_uldf *u, u8 id)
{
	unsigned int pos = cfg(u, PCI_CAPABILITY_LIST, 1);
	int ttl = 48;

	while (pos && ttl--) {
		if (cfg(u, pos, 1) == id)
			return pos;
		pos = cfg(u, pos + 1, 1);
	}
	return 0;
}

/* The device's own command register, as the host kernel reads it. */
static int host_command(const char *bdf)
{
	char path[64];
	uint16_t cmd;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = pread(fd, &cmd, sizeof(cmd), PCI_COMMAND);
	close(fd);
	return n == sizeof(cmd) ? cmd : -EIO;
}

static int wait_fd(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms);
}

FIXTURE(edu) {
	const char *bdf;
	struct vg_uldf u;
	bool open;
};

FIXTURE_VARIANT(edu) {
	u32 flags;
};

FIXTURE_VARIANT_ADD(edu, auto_irq) {
	.flags = VG_AUTO_IRQ,
};

FIXTURE_SETUP(edu)
{
	int ret;

	self->bdf = uldf_test_bdf("ULDF_EDU_BDF", ULDF_DEFAULT_EDU);
	if (!uldf_test_module_loaded())
		SKIP(return, "uldf.ko not loaded; run through 'make check'");
	if (!uldf_test_device_exists(self->bdf))
		SKIP(return, "no edu device at %s; run through 'make check'",
		     self->bdf);
	ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
	ret = vg_uldf_open(&self->u, &vg_host_libc, self->bdf,
			   variant->flags);
	ASSERT_EQ(0, ret);
	self->open = true;
}

FIXTURE_TEARDOWN(edu)
{
	if (self->open)
		vg_uldf_close(&self->u);
	uldf_test_unbind(self->bdf);
}

TEST_F(edu, config_view)
{
	unsigned int msi;

	EXPECT_EQ(EDU_VENDOR, cfg(&self->u, PCI_VENDOR_ID, 2));
	EXPECT_EQ(EDU_DEVICE, cfg(&self->u, PCI_DEVICE_ID, 2));
	/* BAR 0 starts unassigned and sizes as 1 MiB. */
	EXPECT_EQ(0, cfg(&self->u, PCI_BASE_ADDRESS_0, 4));
	vg_cfg_write(&self->u.vg, PCI_BASE_ADDRESS_0, 4, ~0U);
	EXPECT_EQ((u32)~(EDU_BAR0_SIZE - 1), cfg(&self->u, PCI_BASE_ADDRESS_0, 4));
	vg_cfg_write(&self->u.vg, PCI_BASE_ADDRESS_0, 4, 0xc0100000);
	EXPECT_EQ(0xc0100000ULL, vg_bar_addr(&self->u.vg, 0));
	/* MSI is offered with one vector. */
	msi = find_cap(&self->u, PCI_CAP_ID_MSI);
	ASSERT_NE(0, msi);
	EXPECT_EQ(0, cfg(&self->u, msi + PCI_MSI_FLAGS, 2) &
		  (PCI_MSI_FLAGS_QMASK | PCI_MSI_FLAGS_ENABLE));
}

TEST_F(edu, mmio_through_the_mapping)
{
	ASSERT_NE(NULL, self->u.vg.bar[0].map);
	EXPECT_EQ(EDU_ID_VALUE, rd(&self->u, EDU_ID));
	wr(&self->u, EDU_LIVENESS, 0x12345678);
	EXPECT_EQ(~0x12345678U, rd(&self->u, EDU_LIVENESS));
	/* The mapping is the device: the same register, read directly. */
	EXPECT_EQ(EDU_ID_VALUE, *(volatile u32 *)self->u.vg.bar[0].map);
}

TEST_F(edu, memory_space_is_the_guests)
{
	u16 cmd = cfg(&self->u, PCI_COMMAND, 2);
	volatile u32 *map = (volatile u32 *)self->u.vg.bar[0].map;

	ASSERT_NE(NULL, map);
	ASSERT_TRUE(cmd & PCI_COMMAND_MEMORY);
	ASSERT_LE(0, host_command(self->bdf));
	ASSERT_TRUE(host_command(self->bdf) & PCI_COMMAND_MEMORY);
	wr(&self->u, EDU_LIVENESS, 0x11111111);

	/* Off for the guest: all ones, writes dropped... */
	vg_cfg_write(&self->u.vg, PCI_COMMAND, 2, cmd & ~PCI_COMMAND_MEMORY);
	EXPECT_EQ(0, cfg(&self->u, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY);
	EXPECT_EQ(0xffffffff, rd(&self->u, EDU_ID));
	wr(&self->u, EDU_LIVENESS, 0x22222222);
	/* ... while the device decodes, and its mapping works, on the host. */
	EXPECT_TRUE(host_command(self->bdf) & PCI_COMMAND_MEMORY);
	EXPECT_EQ(EDU_ID_VALUE, map[EDU_ID / 4]);
	EXPECT_EQ(~0x11111111U, map[EDU_LIVENESS / 4]);

	vg_cfg_write(&self->u.vg, PCI_COMMAND, 2, cmd);
	EXPECT_EQ(cmd, cfg(&self->u, PCI_COMMAND, 2));
	EXPECT_EQ(EDU_ID_VALUE, rd(&self->u, EDU_ID));
	wr(&self->u, EDU_LIVENESS, 0x12345678);
	EXPECT_EQ(~0x12345678U, rd(&self->u, EDU_LIVENESS));
}

TEST_F(edu, msi_arrives_with_the_guests_message)
{
	unsigned int msi = find_cap(&self->u, PCI_CAP_ID_MSI);
	struct vg_uldf_event ev[4];
	struct vg_msg msg = { };
	int fd, evfd = vg_uldf_event_fd(&self->u);

	ASSERT_LE(0, evfd);
	ASSERT_NE(0, msi);
	vg_cfg_write(&self->u.vg, PCI_COMMAND, 2,
		     PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	vg_cfg_write(&self->u.vg, msi + PCI_MSI_ADDRESS_LO, 4, 0xfee01000);
	vg_cfg_write(&self->u.vg, msi + PCI_MSI_ADDRESS_HI, 4, 0);
	vg_cfg_write(&self->u.vg, msi + PCI_MSI_DATA_64, 2, 0x4321);
	/* Enabling MSI opens the host vector (VG_AUTO_IRQ). */
	EXPECT_EQ(-1, vg_uldf_irq_fd(&self->u, VG_IRQ_MSI, 0));
	vg_cfg_write(&self->u.vg, msi + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE);
	fd = vg_uldf_irq_fd(&self->u, VG_IRQ_MSI, 0);
	ASSERT_LE(0, fd);

	EXPECT_EQ(0, wait_fd(evfd, QUIET_MS));
	EXPECT_EQ(0, vg_uldf_poll(&self->u, ev, 4));
	wr(&self->u, EDU_IRQ_RAISE, 1);
	/* The event fd says which vector fired, as the guest's SIGIO does. */
	ASSERT_EQ(1, wait_fd(evfd, WAIT_MS));
	ASSERT_EQ(1, vg_uldf_poll(&self->u, ev, 4));
	EXPECT_EQ(VG_IRQ_MSI, ev[0].type);
	EXPECT_EQ(0, ev[0].index);
	EXPECT_EQ(1, wait_fd(fd, 0));
	ASSERT_EQ(1, vg_uldf_irq_service(&self->u, VG_IRQ_MSI, 0, &msg));
	EXPECT_EQ(0xfee01000ULL, msg.addr);
	EXPECT_EQ(0x4321, msg.data);
	wr(&self->u, EDU_IRQ_ACK, 1);
	/* Taken: nothing is left to serve. */
	EXPECT_EQ(0, vg_uldf_poll(&self->u, ev, 4));
	EXPECT_EQ(0, vg_uldf_irq_service(&self->u, VG_IRQ_MSI, 0, &msg));

	/* Disabling MSI closes it again. */
	vg_cfg_write(&self->u.vg, msi + PCI_MSI_FLAGS, 2, 0);
	EXPECT_EQ(-1, vg_uldf_irq_fd(&self->u, VG_IRQ_MSI, 0));
}

TEST_F(edu, intx_eoi_loop)
{
	struct vg_msg msg;
	int fd;

	ASSERT_EQ(0, vg_irq_open(&self->u.vg, VG_IRQ_INTX, 0, 1));
	fd = vg_uldf_irq_fd(&self->u, VG_IRQ_INTX, 0);
	ASSERT_LE(0, fd);
	wr(&self->u, EDU_IRQ_RAISE, 0x10);
	ASSERT_EQ(1, wait_fd(fd, WAIT_MS));
	ASSERT_EQ(1, vg_uldf_irq_service(&self->u, VG_IRQ_INTX, 0, &msg));

	/* EOI while the device still asserts the line: it fires again. */
	vg_intx_eoi(&self->u.vg);
	ASSERT_EQ(1, wait_fd(fd, WAIT_MS));
	ASSERT_EQ(1, vg_uldf_irq_service(&self->u, VG_IRQ_INTX, 0, &msg));

	/* A guest mask defers the EOI: nothing until it unmasks. */
	vg_intx_mask(&self->u.vg, true);
	vg_intx_eoi(&self->u.vg);
	EXPECT_EQ(0, wait_fd(fd, QUIET_MS));
	vg_intx_mask(&self->u.vg, false);
	ASSERT_EQ(1, wait_fd(fd, WAIT_MS));
	ASSERT_EQ(1, vg_uldf_irq_service(&self->u, VG_IRQ_INTX, 0, &msg));

	/* Acknowledged at the device, the EOI brings nothing more. */
	EXPECT_EQ(0x10, rd(&self->u, EDU_IRQ_STATUS));
	wr(&self->u, EDU_IRQ_ACK, 0x10);
	vg_intx_eoi(&self->u.vg);
	EXPECT_EQ(0, wait_fd(fd, QUIET_MS));
}

static bool dma_done(struct vg_uldf *u)
{
	struct timespec ts = { 0, 1000000 };
	int ms;

	for (ms = 0; ms < WAIT_MS; ms++) {
		if (!(rd(u, EDU_DMA_CMD) & 1))
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

TEST_F(edu, dma_at_guest_physical)
{
	const u32 len = 4000;	/* edu: at most 4095 bytes from its buffer */
	u8 *ram;
	u32 i;

	ASSERT_EQ(0, posix_memalign((void **)&ram, 4096, RAM_SIZE));
	memset(ram, 0, RAM_SIZE);
	for (i = 0; i < len; i++)
		ram[i] = i * 7 + 3;
	ASSERT_EQ(0, vg_dma_add_ram(&self->u.vg, GUEST_RAM, (u64)ram,
				    RAM_SIZE));
	vg_cfg_write(&self->u.vg, PCI_COMMAND, 2,
		     PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);

	/* Guest RAM to the device, at the guest-physical address... */
	wr(&self->u, EDU_DMA_SRC, GUEST_RAM);
	wr(&self->u, EDU_DMA_DST, EDU_DMA_BUF);
	wr(&self->u, EDU_DMA_COUNT, len);
	wr(&self->u, EDU_DMA_CMD, 1);
	ASSERT_TRUE(dma_done(&self->u));
	/* ... and back into another page of it. */
	wr(&self->u, EDU_DMA_SRC, EDU_DMA_BUF);
	wr(&self->u, EDU_DMA_DST, GUEST_RAM + 8192);
	wr(&self->u, EDU_DMA_COUNT, len);
	wr(&self->u, EDU_DMA_CMD, 1 | 2);
	ASSERT_TRUE(dma_done(&self->u));
	EXPECT_EQ(0, memcmp(ram, ram + 8192, len));

	vg_uldf_close(&self->u);
	self->open = false;
	free(ram);
}

TEST_HARNESS_MAIN
