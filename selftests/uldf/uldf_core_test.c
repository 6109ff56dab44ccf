// SPDX-License-Identifier: GPL-2.0
/*
 * The device fd on QEMU's edu: BAR access through pread/pwrite and mmap,
 * region info, config space virtualization and protection, bad input.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/pci_regs.h>

#include "kselftest_harness.h"
#include "uldf_util.h"

/* The device's own config space, from sysfs, for comparison. */
static int sysfs_config(const char *bdf, void *buf, size_t len, off_t off)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = pread(fd, buf, len, off);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

static uint32_t rd32(int fd, uint64_t off)
{
	uint32_t v = 0xdeadbeef;

	if (uldf_test_pread(fd, ULDF_REGION_BAR0, off, &v, 4) != 4)
		return 0xdeadbeef;
	return v;
}

static void wr32(int fd, uint64_t off, uint32_t v)
{
	uldf_test_pwrite(fd, ULDF_REGION_BAR0, off, &v, 4);
}

static uint32_t cfg32(int fd, uint64_t off)
{
	uint32_t v = 0xdeadbeef;

	uldf_test_pread(fd, ULDF_REGION_CONFIG, off, &v, 4);
	return v;
}

FIXTURE(edu) {
	const char *bdf;
	int fd;
};

FIXTURE_SETUP(edu)
{
	self->fd = -1;
	self->bdf = uldf_test_bdf("ULDF_EDU_BDF", ULDF_DEFAULT_EDU);
	if (!uldf_test_module_loaded())
		SKIP(return, "uldf.ko not loaded; run through 'make check'");
	if (!uldf_test_device_exists(self->bdf))
		SKIP(return, "no edu at %s; run through 'make check'", self->bdf);
	ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
	self->fd = uldf_test_open(self->bdf);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(edu)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(edu, id_register_pread)
{
	EXPECT_EQ(EDU_ID_VALUE, rd32(self->fd, EDU_ID));
}

TEST_F(edu, id_register_mmap)
{
	volatile uint32_t *bar;

	bar = mmap(NULL, EDU_BAR0_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, ULDF_REGION_OFFSET(ULDF_REGION_BAR0));
	ASSERT_NE(MAP_FAILED, bar);
	EXPECT_EQ(EDU_ID_VALUE, bar[EDU_ID / 4]);
	bar[EDU_LIVENESS / 4] = 0x12345678;
	EXPECT_EQ(~0x12345678U, bar[EDU_LIVENESS / 4]);
	munmap((void *)bar, EDU_BAR0_SIZE);
}

TEST_F(edu, liveness_inverse)
{
	uint32_t vals[] = { 0, 1, 0xa5a5a5a5, 0xffffffff, 0x80000000 };
	unsigned int i;

	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		wr32(self->fd, EDU_LIVENESS, vals[i]);
		EXPECT_EQ(~vals[i], rd32(self->fd, EDU_LIVENESS));
	}
}

TEST_F(edu, factorial)
{
	static const uint32_t want[] = { 1, 1, 2, 6, 24, 120, 720, 5040,
					 40320, 362880, 3628800 };
	unsigned int n;

	for (n = 0; n < sizeof(want) / sizeof(want[0]); n++) {
		int spins = 100000;

		wr32(self->fd, EDU_FACT, n);
		while ((rd32(self->fd, EDU_STATUS) & 1) && --spins)
			;
		ASSERT_NE(0, spins);
		EXPECT_EQ(want[n], rd32(self->fd, EDU_FACT));
	}
}

TEST_F(edu, access_widths)
{
	uint64_t q = 0x0123456789abcdefULL, r = 0;
	uint32_t lo = 0;

	/*
	 * edu's DMA address registers take 8-byte accesses: one 8-byte write
	 * reads back whole, and a dword read returns its low half.
	 */
	ASSERT_EQ(8, uldf_test_pwrite(self->fd, 0, 0x80, &q, 8));
	ASSERT_EQ(8, uldf_test_pread(self->fd, 0, 0x80, &r, 8));
	EXPECT_EQ(q, r);
	ASSERT_EQ(4, uldf_test_pread(self->fd, 0, 0x80, &lo, 4));
	EXPECT_EQ(0x89abcdefU, lo);
	q = 0;
	ASSERT_EQ(8, uldf_test_pwrite(self->fd, 0, 0x80, &q, 8));
}

TEST_F(edu, bulk_read)
{
	uint32_t buf[8];

	wr32(self->fd, EDU_LIVENESS, 0x0f0f0f0f);
	ASSERT_EQ(sizeof(buf), uldf_test_pread(self->fd, 0, 0, buf, sizeof(buf)));
	EXPECT_EQ(EDU_ID_VALUE, buf[0]);
	EXPECT_EQ(0xf0f0f0f0U, buf[1]);
}

TEST_F(edu, region_info)
{
	struct uldf_region_info ri = { .argsz = sizeof(ri) };

	ri.index = ULDF_REGION_BAR0;
	ASSERT_EQ(0, ioctl(self->fd, ULDF_DEVICE_GET_REGION_INFO, &ri));
	EXPECT_EQ(EDU_BAR0_SIZE, ri.size);
	EXPECT_EQ(ULDF_REGION_OFFSET(0), ri.offset);
	EXPECT_TRUE(ri.flags & ULDF_REGION_FLAG_MMAP);
	EXPECT_FALSE(ri.flags & ULDF_REGION_FLAG_IO);
	ASSERT_EQ(1, ri.nr_areas);
	EXPECT_EQ(0, ri.areas[0].offset);
	EXPECT_EQ(EDU_BAR0_SIZE, ri.areas[0].size);

	memset(&ri, 0, sizeof(ri));
	ri.argsz = sizeof(ri);
	ri.index = ULDF_REGION_BAR1;
	ASSERT_EQ(0, ioctl(self->fd, ULDF_DEVICE_GET_REGION_INFO, &ri));
	EXPECT_EQ(0, ri.size);
	EXPECT_EQ(0, ri.flags);

	memset(&ri, 0, sizeof(ri));
	ri.argsz = sizeof(ri);
	ri.index = ULDF_REGION_CONFIG;
	ASSERT_EQ(0, ioctl(self->fd, ULDF_DEVICE_GET_REGION_INFO, &ri));
	EXPECT_TRUE(ri.size == 256 || ri.size == 4096);
	EXPECT_EQ(ULDF_REGION_FLAG_READ | ULDF_REGION_FLAG_WRITE, ri.flags);

	ri.index = ULDF_NUM_REGIONS;
	EXPECT_EQ(-1, ioctl(self->fd, ULDF_DEVICE_GET_REGION_INFO, &ri));
	EXPECT_EQ(EINVAL, errno);
	ri.index = 0;
	ri.argsz = 8;
	EXPECT_EQ(-1, ioctl(self->fd, ULDF_DEVICE_GET_REGION_INFO, &ri));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(edu, config_header_matches_sysfs)
{
	uint8_t mine[64], real[64];

	ASSERT_EQ(64, uldf_test_pread(self->fd, ULDF_REGION_CONFIG, 0, mine, 64));
	ASSERT_EQ(0, sysfs_config(self->bdf, real, 64, 0));
	/*
	 * Interrupt Disable is virtual: the device has it set while no INTx
	 * vector is open, the user sees what it wrote (0 at first).
	 */
	EXPECT_EQ(0, mine[PCI_COMMAND + 1] & (PCI_COMMAND_INTX_DISABLE >> 8));
	EXPECT_EQ(PCI_COMMAND_INTX_DISABLE >> 8,
		  real[PCI_COMMAND + 1] & (PCI_COMMAND_INTX_DISABLE >> 8));
	mine[PCI_COMMAND + 1] &= ~(PCI_COMMAND_INTX_DISABLE >> 8);
	real[PCI_COMMAND + 1] &= ~(PCI_COMMAND_INTX_DISABLE >> 8);
	EXPECT_EQ(0, memcmp(mine, real, 64));
	EXPECT_EQ(EDU_DEVICE << 16 | EDU_VENDOR, cfg32(self->fd, PCI_VENDOR_ID));
}

TEST_F(edu, bar_sizing_virtual)
{
	uint32_t before, real, sized, ones = 0xffffffff;
	long long res_before = uldf_test_sysfs_num(self->bdf, "resource");

	before = cfg32(self->fd, PCI_BASE_ADDRESS_0);
	ASSERT_EQ(4, uldf_test_pwrite(self->fd, ULDF_REGION_CONFIG,
				      PCI_BASE_ADDRESS_0, &ones, 4));
	sized = cfg32(self->fd, PCI_BASE_ADDRESS_0);
	/* 1 MiB, 32-bit, non-prefetchable memory BAR. */
	EXPECT_EQ(0xfff00000U, sized);
	ASSERT_EQ(0, sysfs_config(self->bdf, &real, 4, PCI_BASE_ADDRESS_0));
	EXPECT_EQ(before, real);
	EXPECT_EQ(res_before, uldf_test_sysfs_num(self->bdf, "resource"));
	/* The device still answers where it was. */
	EXPECT_EQ(EDU_ID_VALUE, rd32(self->fd, EDU_ID));
	ASSERT_EQ(4, uldf_test_pwrite(self->fd, ULDF_REGION_CONFIG,
				      PCI_BASE_ADDRESS_0, &before, 4));
	EXPECT_EQ(before, cfg32(self->fd, PCI_BASE_ADDRESS_0));
	/* An unimplemented BAR sizes as 0. */
	ASSERT_EQ(4, uldf_test_pwrite(self->fd, ULDF_REGION_CONFIG,
				      PCI_BASE_ADDRESS_1, &ones, 4));
	EXPECT_EQ(0, cfg32(self->fd, PCI_BASE_ADDRESS_1));
}

TEST_F(edu, msi_capability_not_writable)
{
	uint8_t before[16], after[16], junk[16];
	int msi = uldf_test_find_cap(self->fd, PCI_CAP_ID_MSI);

	ASSERT_NE(0, msi);
	ASSERT_EQ(0, sysfs_config(self->bdf, before, sizeof(before), msi));
	memset(junk, 0x5a, sizeof(junk));
	/* Control, address and data: every write is dropped. */
	ASSERT_EQ(2, uldf_test_pwrite(self->fd, ULDF_REGION_CONFIG,
				      msi + PCI_MSI_FLAGS, junk, 2));
	ASSERT_EQ(12, uldf_test_pwrite(self->fd, ULDF_REGION_CONFIG,
				       msi + PCI_MSI_ADDRESS_LO, junk, 12));
	ASSERT_EQ(0, sysfs_config(self->bdf, after, sizeof(after), msi));
	EXPECT_EQ(0, memcmp(before, after, sizeof(before)));
}

TEST_F(edu, command_register)
{
	uint16_t cmd, real;

	ASSERT_EQ(2, uldf_test_pread(self->fd, ULDF_REGION_CONFIG, PCI_COMMAND,
				     &cmd, 2));
	cmd |= PCI_COMMAND_MASTER;
	ASSERT_EQ(2, uldf_test_pwrite(self->fd, ULDF_REGION_CONFIG, PCI_COMMAND,
				      &cmd, 2));
	ASSERT_EQ(0, sysfs_config(self->bdf, &real, 2, PCI_COMMAND));
	if (getenv("ULDF_IOMMU") && !strcmp(getenv("ULDF_IOMMU"), "1")) {
		EXPECT_TRUE(real & PCI_COMMAND_MASTER);
	} else {
		EXPECT_FALSE(real & PCI_COMMAND_MASTER);
	}
	/* Memory decoding stays on; the device answers. */
	EXPECT_TRUE(real & PCI_COMMAND_MEMORY);
	EXPECT_EQ(EDU_ID_VALUE, rd32(self->fd, EDU_ID));
	/* The vendor ID is read-only. */
	cmd = 0;
	ASSERT_EQ(2, uldf_test_pwrite(self->fd, ULDF_REGION_CONFIG, PCI_VENDOR_ID,
				      &cmd, 2));
	EXPECT_EQ(EDU_DEVICE << 16 | EDU_VENDOR, cfg32(self->fd, PCI_VENDOR_ID));
}

TEST_F(edu, closing_turns_bus_master_off)
{
	uint16_t cmd, real;

	ASSERT_EQ(2, uldf_test_pread(self->fd, ULDF_REGION_CONFIG, PCI_COMMAND,
				     &cmd, 2));
	cmd |= PCI_COMMAND_MASTER;
	ASSERT_EQ(2, uldf_test_pwrite(self->fd, ULDF_REGION_CONFIG, PCI_COMMAND,
				      &cmd, 2));
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, sysfs_config(self->bdf, &real, 2, PCI_COMMAND));
	EXPECT_FALSE(real & PCI_COMMAND_MASTER);
}

TEST_F(edu, bad_offsets)
{
	uint32_t v;
	uint64_t q;

	/* Past the end of config space and of the BAR. */
	EXPECT_EQ(-EINVAL, uldf_test_pread(self->fd, ULDF_REGION_CONFIG, 4096, &v, 4));
	EXPECT_EQ(-EINVAL, uldf_test_pread(self->fd, ULDF_REGION_BAR0, EDU_BAR0_SIZE, &v, 4));
	EXPECT_EQ(-EINVAL, uldf_test_pread(self->fd, ULDF_REGION_BAR0, EDU_BAR0_SIZE - 2, &v, 4));
	/* Misaligned. */
	EXPECT_EQ(-EINVAL, uldf_test_pread(self->fd, ULDF_REGION_CONFIG, 2, &v, 4));
	EXPECT_EQ(-EINVAL, uldf_test_pread(self->fd, ULDF_REGION_CONFIG, 1, &v, 2));
	EXPECT_EQ(-EINVAL, uldf_test_pread(self->fd, ULDF_REGION_BAR0, 4, &q, 8));
	EXPECT_EQ(-EINVAL, uldf_test_pread(self->fd, ULDF_REGION_BAR0, 2, &v, 4));
	/* Unimplemented BAR, ROM absent, region out of range. */
	EXPECT_EQ(-EINVAL, uldf_test_pread(self->fd, ULDF_REGION_BAR1, 0, &v, 4));
	EXPECT_EQ(-EINVAL, uldf_test_pread(self->fd, ULDF_REGION_ROM, 0, &v, 4));
	EXPECT_EQ(-EINVAL, uldf_test_pread(self->fd, ULDF_NUM_REGIONS, 0, &v, 4));
	EXPECT_EQ(-EINVAL, uldf_test_pwrite(self->fd, ULDF_REGION_ROM, 0, &v, 4));
	/* A bad buffer. */
	EXPECT_EQ(-EFAULT, uldf_test_pread(self->fd, ULDF_REGION_BAR0, 0, (void *)8, 4));
	EXPECT_EQ(-EFAULT, uldf_test_pwrite(self->fd, ULDF_REGION_CONFIG, 0x3c, (void *)8, 1));
}

TEST_F(edu, bad_mmap)
{
	void *p;

	/* Beyond the BAR. */
	p = mmap(NULL, 2 * EDU_BAR0_SIZE, PROT_READ, MAP_SHARED, self->fd,
		 ULDF_REGION_OFFSET(0));
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd,
		 ULDF_REGION_OFFSET(0) + EDU_BAR0_SIZE);
	EXPECT_EQ(MAP_FAILED, p);
	/* Private, config space, unimplemented BAR, WC on a non-prefetchable BAR. */
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, self->fd, ULDF_REGION_OFFSET(0));
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd,
		 ULDF_REGION_OFFSET(ULDF_REGION_CONFIG));
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, ULDF_REGION_OFFSET(1));
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd,
		 ULDF_REGION_OFFSET(0) + ULDF_MMAP_WC);
	EXPECT_EQ(MAP_FAILED, p);
	/* A page in the middle is fine. */
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd,
		 ULDF_REGION_OFFSET(0) + 4096);
	EXPECT_NE(MAP_FAILED, p);
	if (p != MAP_FAILED) {
		munmap(p, 4096);
	}
}

/* ---- the expansion ROM ---------------------------------------------- */

/* The ROM as the kernel's sysfs file shows it: bytes read, or -errno. */
static ssize_t sysfs_rom(const char *bdf, uint8_t *buf, size_t len)
{
	char path[128];
	ssize_t n, done = 0;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/rom", bdf);
	fd = open(path, O_RDWR);
	if (fd < 0)
		return -errno;
	if (write(fd, "1", 1) != 1) {
		close(fd);
		return -EIO;
	}
	while ((size_t)done < len &&
	       (n = pread(fd, buf + done, len - done, done)) > 0)
		done += n;
	if (write(fd, "0", 1) != 1)
		done = -EIO;
	close(fd);
	return done;
}

struct rom_reader {
	int fd;
	size_t len;
	const uint8_t *want;
	int bad;
};

static void *rom_reader(void *arg)
{
	struct rom_reader *r = arg;
	uint8_t *buf = malloc(r->len);
	int i;

	for (i = 0; buf && i < 20; i++)
		if (uldf_test_pread(r->fd, ULDF_REGION_ROM, 0, buf, r->len) !=
		    (ssize_t)r->len || memcmp(buf, r->want, r->len))
			r->bad++;
	free(buf);
	return NULL;
}

/*
 * The expansion ROM through pread(): read-only; a read far longer than
 * the module's bounce buffer comes back whole, equal to a read in odd
 * pieces and to the kernel's own sysfs copy; readers in parallel see the
 * same bytes (the module serialises its ROM mappings, which switch the
 * ROM's decode on and off); and a read needs memory decode like any BAR.
 * The testbed's functions have no ROM (QEMU gives edu and nvme none):
 * ULDF_ROM_BDF names one that has, e.g. an edu with romfile= in QEMU.
 */
TEST(rom_read)
{
	const char *bdf = uldf_test_bdf("ULDF_ROM_BDF", ULDF_DEFAULT_EDU2);
	struct uldf_region_info ri = { .argsz = sizeof(ri),
				       .index = ULDF_REGION_ROM };
	struct rom_reader r[2];
	pthread_t t[2];
	uint8_t *whole, *pieces, *real;
	uint16_t cmd;
	ssize_t len;
	size_t at, n;
	uint32_t v;
	int fd, i;

	if (!uldf_test_module_loaded())
		SKIP(return, "uldf.ko not loaded; run through 'make check'");
	if (!uldf_test_device_exists(bdf))
		SKIP(return, "no device at %s", bdf);
	ASSERT_EQ(0, uldf_test_bind(bdf, "uldf"));
	fd = uldf_test_open(bdf);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, ULDF_DEVICE_GET_REGION_INFO, &ri));
	if (!ri.size) {
		close(fd);
		uldf_test_unbind(bdf);
		SKIP(return, "%s has no expansion ROM (no testbed function has one; set ULDF_ROM_BDF)",
		     bdf);
	}
	EXPECT_EQ(ULDF_REGION_FLAG_READ, ri.flags);

	real = calloc(1, ri.size);
	whole = calloc(1, ri.size);
	pieces = calloc(1, ri.size);
	ASSERT_TRUE(real && whole && pieces);
	len = sysfs_rom(bdf, real, ri.size);
	ASSERT_LT(0, len);
	EXPECT_EQ(0x55, real[0]);
	EXPECT_EQ(0xaa, real[1]);

	ASSERT_EQ(len, uldf_test_pread(fd, ULDF_REGION_ROM, 0, whole, len));
	EXPECT_EQ(0, memcmp(whole, real, len));
	for (at = 0; at < (size_t)len; at += n) {
		n = (size_t)len - at < 333 ? (size_t)len - at : 333;
		ASSERT_EQ(n, uldf_test_pread(fd, ULDF_REGION_ROM, at,
					     pieces + at, n));
	}
	EXPECT_EQ(0, memcmp(pieces, real, len));

	for (i = 0; i < 2; i++) {
		r[i] = (struct rom_reader){ .fd = fd, .len = len, .want = real };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, rom_reader, &r[i]));
	}
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, r[i].bad);
	}

	EXPECT_EQ(-EINVAL, uldf_test_pwrite(fd, ULDF_REGION_ROM, 0, &v, 4));
	EXPECT_EQ(-EINVAL, uldf_test_pread(fd, ULDF_REGION_ROM, ri.size, &v, 4));
	ASSERT_EQ(2, uldf_test_pread(fd, ULDF_REGION_CONFIG, PCI_COMMAND, &cmd, 2));
	cmd &= ~PCI_COMMAND_MEMORY;
	ASSERT_EQ(2, uldf_test_pwrite(fd, ULDF_REGION_CONFIG, PCI_COMMAND, &cmd, 2));
	EXPECT_EQ(-EIO, uldf_test_pread(fd, ULDF_REGION_ROM, 0, &v, 4));
	cmd |= PCI_COMMAND_MEMORY;
	ASSERT_EQ(2, uldf_test_pwrite(fd, ULDF_REGION_CONFIG, PCI_COMMAND, &cmd, 2));
	EXPECT_EQ(4, uldf_test_pread(fd, ULDF_REGION_ROM, 0, &v, 4));

	free(real);
	free(whole);
	free(pieces);
	close(fd);
	uldf_test_unbind(bdf);
}

TEST_HARNESS_MAIN
