// SPDX-License-Identifier: GPL-2.0
/*
 * libuldf against uldf.ko and QEMU's devices in the testbed: finding
 * devices, binding, the device handle, config space, BAR access through
 * the fd and through a mapping, reset.  Linked with the shared library.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "uldf_util.h"
#include <libuldf.h>

#define NVME_VENDOR	0x1b36
#define NVME_DEVICE	0x0010

static void skip_unless_testbed(struct __test_metadata *_metadata,
				const char *bdf)
{
	if (!uldf_test_module_loaded())
		SKIP(return, "uldf.ko not loaded; run through 'make check'");
	if (!uldf_test_device_exists(bdf))
		SKIP(return, "no edu at %s; run through 'make check'", bdf);
}

/* ---- finding devices -------------------------------------------------------- */

FIXTURE(find) {
	const char *bdf;
};

FIXTURE_SETUP(find)
{
	self->bdf = uldf_test_bdf("ULDF_EDU_BDF", ULDF_DEFAULT_EDU);
	skip_unless_testbed(_metadata, self->bdf);
}

FIXTURE_TEARDOWN(find)
{
}

TEST_F(find, by_bdf)
{
	const struct uldf_pci_info *d;
	struct uldf_pci_list *list;

	ASSERT_EQ(1, uldf_pci_find_bdf(self->bdf, &list));
	ASSERT_EQ(1, uldf_pci_list_count(list));
	d = uldf_pci_list_get(list, 0);
	ASSERT_NE(NULL, d);
	EXPECT_STREQ(self->bdf, d->bdf);
	EXPECT_EQ(EDU_VENDOR, d->vendor);
	EXPECT_EQ(EDU_DEVICE, d->device);
	EXPECT_EQ(uldf_test_sysfs_num(self->bdf, "class"), d->class_code);
	EXPECT_EQ(uldf_test_sysfs_num(self->bdf, "revision"), d->revision);
	EXPECT_EQ(uldf_pci_iommu_group(self->bdf) >= 0 ?
		  uldf_pci_iommu_group(self->bdf) : -1, d->iommu_group);
	EXPECT_NE(NULL, d->driver);
	EXPECT_EQ(NULL, uldf_pci_list_get(list, 1));
	uldf_pci_list_free(list);

	/* short form, and a slot with nothing in it */
	ASSERT_EQ(1, uldf_pci_find_bdf(self->bdf + 5, &list));
	uldf_pci_list_free(list);
	ASSERT_EQ(0, uldf_pci_find_bdf("0000:00:1e.5", &list));
	EXPECT_EQ(0, uldf_pci_list_count(list));
	uldf_pci_list_free(list);
}

/* The testbed's two NVMe controllers, with their pci.ids names. */
TEST_F(find, by_id_and_class_with_names)
{
	const struct uldf_pci_info *a, *b;
	struct uldf_pci_list *list;
	size_t i;

	ASSERT_EQ(2, uldf_pci_find_id(NVME_VENDOR, NVME_DEVICE, &list));
	a = uldf_pci_list_get(list, 0);
	b = uldf_pci_list_get(list, 1);
	EXPECT_STREQ(ULDF_DEFAULT_NVME, a->bdf);
	EXPECT_LT(0, strcmp(b->bdf, a->bdf));		/* in BDF order */
	ASSERT_NE(NULL, a->vendor_name);
	ASSERT_NE(NULL, a->device_name);
	EXPECT_STREQ("Red Hat, Inc.", a->vendor_name);
	EXPECT_NE(NULL, strstr(a->device_name, "NVM Express"));
	EXPECT_EQ(0x010802, a->class_code);
	uldf_pci_list_free(list);

	ASSERT_EQ(2, uldf_pci_find_class(0x010802, 0xffffff, &list));
	EXPECT_STREQ(ULDF_DEFAULT_NVME, uldf_pci_list_get(list, 0)->bdf);
	uldf_pci_list_free(list);

	/* edu: two or three of them (one is hot-pluggable), not in pci.ids */
	ASSERT_LE(2, uldf_pci_find_id(EDU_VENDOR, EDU_DEVICE, &list));
	for (i = 0; i < uldf_pci_list_count(list); i++)
		EXPECT_EQ(NULL, uldf_pci_list_get(list, i)->device_name);
	uldf_pci_list_free(list);

	/* every function; the wildcard finds at least those */
	ASSERT_LE(6, uldf_pci_find_id(ULDF_PCI_ANY, ULDF_PCI_ANY, &list));
	uldf_pci_list_free(list);
	/* a base class: bridges (host, ISA, PCI) */
	ASSERT_LE(2, uldf_pci_find_class(0x060000, 0xff0000, &list));
	for (i = 0; i < uldf_pci_list_count(list); i++)
		EXPECT_EQ(0x06, uldf_pci_list_get(list, i)->class_code >> 16);
	uldf_pci_list_free(list);
}

/* ---- binding ------------------------------------------------------------------- */

TEST_F(find, bind_and_unbind)
{
	char drv[64], path[128];

	uldf_test_unbind(self->bdf);
	ASSERT_EQ(1, uldf_pci_group_viable(self->bdf, NULL, 0));
	ASSERT_EQ(0, uldf_pci_bind(self->bdf, 0));
	ASSERT_EQ(0, uldf_pci_driver(self->bdf, drv, sizeof(drv)));
	EXPECT_STREQ("uldf", drv);
	snprintf(path, sizeof(path), "/dev/uldf/%s", self->bdf);
	EXPECT_EQ(0, access(path, F_OK));
	EXPECT_EQ(0, uldf_pci_bind(self->bdf, 0));		/* no-op */
	ASSERT_EQ(0, uldf_pci_unbind(self->bdf, 0));
	ASSERT_EQ(0, uldf_pci_driver(self->bdf, drv, sizeof(drv)));
	EXPECT_STREQ("", drv);
	EXPECT_NE(0, access(path, F_OK));
	EXPECT_EQ(-ENODEV, uldf_pci_bind("0000:00:1e.5", 0));
}

/* ---- the device handle ------------------------------------------------------------ */

FIXTURE(dev) {
	const char *bdf;
	struct uldf_dev *dev;
};

FIXTURE_SETUP(dev)
{
	self->bdf = uldf_test_bdf("ULDF_EDU_BDF", ULDF_DEFAULT_EDU);
	self->dev = NULL;
	skip_unless_testbed(_metadata, self->bdf);
	ASSERT_EQ(0, uldf_pci_bind(self->bdf, 0));
	ASSERT_EQ(0, uldf_open(self->bdf, &self->dev));
}

FIXTURE_TEARDOWN(dev)
{
	uldf_close(self->dev);
	uldf_pci_unbind(self->bdf, 0);
}

TEST_F(dev, open_is_exclusive)
{
	struct uldf_dev *again;

	EXPECT_STREQ(self->bdf, uldf_dev_bdf(self->dev));
	EXPECT_LE(0, uldf_dev_fd(self->dev));
	EXPECT_EQ(-EBUSY, uldf_open(self->bdf, &again));
	uldf_close(self->dev);
	self->dev = NULL;
	ASSERT_EQ(0, uldf_open(self->bdf + 5, &self->dev));	/* short form */
	EXPECT_STREQ(self->bdf, uldf_dev_bdf(self->dev));
}

TEST_F(dev, open_unbound_device)
{
	const char *other = uldf_test_bdf("ULDF_EDU2_BDF", ULDF_DEFAULT_EDU2);
	struct uldf_dev *dev;

	uldf_test_unbind(other);
	EXPECT_EQ(-ENOENT, uldf_open(other, &dev));
}

TEST_F(dev, open_fd)
{
	struct uldf_dev *dev;
	char path[64];
	int fd;

	uldf_close(self->dev);
	self->dev = NULL;
	snprintf(path, sizeof(path), "/dev/uldf/%s", self->bdf);
	fd = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, uldf_open_fd(fd, &dev));
	EXPECT_STREQ(self->bdf, uldf_dev_bdf(dev));
	EXPECT_EQ(fd, uldf_dev_fd(dev));
	self->dev = dev;
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	EXPECT_EQ(-ENOTTY, uldf_open_fd(fd, &dev));
	close(fd);
}

TEST_F(dev, info)
{
	struct uldf_device_info info;
	struct uldf_region_info ri;

	ASSERT_EQ(0, uldf_dev_get_info(self->dev, &info));
	EXPECT_EQ(EDU_VENDOR, info.vendor);
	EXPECT_EQ(EDU_DEVICE, info.device);
	EXPECT_EQ(1, info.num_irqs[ULDF_IRQ_TYPE_INTX]);
	EXPECT_EQ(1, info.num_irqs[ULDF_IRQ_TYPE_MSI]);
	EXPECT_EQ(0, info.num_irqs[ULDF_IRQ_TYPE_MSIX]);

	ASSERT_EQ(0, uldf_region_get_info(self->dev, ULDF_REGION_BAR0, &ri));
	EXPECT_EQ(1 << 20, ri.size);
	EXPECT_TRUE(ri.flags & ULDF_REGION_FLAG_MMAP);
	EXPECT_FALSE(ri.flags & ULDF_REGION_FLAG_IO);
	ASSERT_EQ(0, uldf_region_get_info(self->dev, ULDF_REGION_BAR1, &ri));
	EXPECT_EQ(0, ri.size);
}

TEST_F(dev, config_space)
{
	uint64_t v64;
	uint32_t v32;
	uint16_t v16;
	uint8_t v8, raw[4];

	ASSERT_EQ(0, uldf_cfg_read16(self->dev, 0x00, &v16));
	EXPECT_EQ(EDU_VENDOR, v16);
	ASSERT_EQ(0, uldf_cfg_read16(self->dev, 0x02, &v16));
	EXPECT_EQ(EDU_DEVICE, v16);
	ASSERT_EQ(0, uldf_cfg_read32(self->dev, 0x00, &v32));
	EXPECT_EQ(EDU_DEVICE << 16 | EDU_VENDOR, v32);
	ASSERT_EQ(0, uldf_cfg_read8(self->dev, 0x3d, &v8));
	EXPECT_EQ(1, v8);				/* INTA# */
	ASSERT_EQ(0, uldf_cfg_read64(self->dev, 0x00, &v64));
	EXPECT_EQ(v32, (uint32_t)v64);
	ASSERT_EQ(0, uldf_cfg_read(self->dev, 0x00, raw, sizeof(raw)));
	EXPECT_EQ(0x34, raw[0]);			/* little-endian bytes */
	EXPECT_EQ(0x12, raw[1]);

	/* the cache line size register is the user's to write */
	ASSERT_EQ(0, uldf_cfg_write8(self->dev, 0x0c, 0x10));
	ASSERT_EQ(0, uldf_cfg_read8(self->dev, 0x0c, &v8));
	EXPECT_EQ(0x10, v8);
	/* the vendor ID is not */
	uldf_cfg_write16(self->dev, 0x00, 0xbeef);
	ASSERT_EQ(0, uldf_cfg_read16(self->dev, 0x00, &v16));
	EXPECT_EQ(EDU_VENDOR, v16);
	/* beyond config space */
	EXPECT_GT(0, uldf_cfg_read32(self->dev, 0x1000, &v32));
}

TEST_F(dev, bar_through_the_fd)
{
	uint64_t v64;
	uint32_t v32;
	uint16_t v16;
	uint8_t v8;

	ASSERT_EQ(0, uldf_bar_read32(self->dev, 0, EDU_ID, &v32));
	EXPECT_EQ(0x00ed, v32 & 0xffff);
	ASSERT_EQ(0, uldf_bar_write32(self->dev, 0, EDU_LIVENESS, 0x12345678));
	ASSERT_EQ(0, uldf_bar_read32(self->dev, 0, EDU_LIVENESS, &v32));
	EXPECT_EQ(~0x12345678u, v32);
	ASSERT_EQ(0, uldf_bar_write64(self->dev, 0, EDU_DMA_SRC,
				      0x123456789abcull));
	ASSERT_EQ(0, uldf_bar_read64(self->dev, 0, EDU_DMA_SRC, &v64));
	EXPECT_EQ(0x123456789abcull, v64);
	/*
	 * edu decodes only 4- and 8-byte accesses: narrow reads that were
	 * really single narrow accesses do not see the low bytes of the ID.
	 */
	ASSERT_EQ(0, uldf_bar_read8(self->dev, 0, EDU_ID, &v8));
	EXPECT_NE(0xed, v8);
	ASSERT_EQ(0, uldf_bar_read16(self->dev, 0, EDU_ID, &v16));
	EXPECT_NE(0x00ed, v16);
	/* beyond the BAR, and a BAR that does not exist */
	EXPECT_GT(0, uldf_bar_read32(self->dev, 0, 1 << 20, &v32));
	EXPECT_GT(0, uldf_bar_read32(self->dev, 1, 0, &v32));
}

TEST_F(dev, bar_mapping)
{
	void *bar, *again;
	size_t size = 0;
	int i;

	ASSERT_EQ(0, uldf_bar_map(self->dev, 0, 0, &bar, &size));
	EXPECT_EQ(1 << 20, size);
	EXPECT_EQ(0x00ed, uldf_mmio_read32(bar, EDU_ID) & 0xffff);
	for (i = 0; i < 4; i++) {
		uint32_t v = 0x01010101u * i;

		uldf_mmio_write32(bar, EDU_LIVENESS, v);
		EXPECT_EQ(~v, uldf_mmio_read32(bar, EDU_LIVENESS));
	}
	/* factorial, polled */
	uldf_mmio_write32(bar, EDU_FACT, 8);
	while (uldf_mmio_read32(bar, EDU_STATUS) & 1)
		;
	EXPECT_EQ(40320, uldf_mmio_read32(bar, EDU_FACT));
	/* 64-bit register through the mapping */
	uldf_mmio_write64(bar, EDU_DMA_SRC, 0xfedcba98765ull);
	EXPECT_EQ(0xfedcba98765ull, uldf_mmio_read64(bar, EDU_DMA_SRC));

	ASSERT_EQ(0, uldf_bar_map(self->dev, 0, 0, &again, NULL));
	EXPECT_EQ(bar, again);
	EXPECT_EQ(-EBUSY, uldf_bar_map(self->dev, 0, ULDF_BAR_MAP_WC, &again,
				       NULL));
	EXPECT_EQ(-ENXIO, uldf_bar_map(self->dev, 1, 0, &again, NULL));
	ASSERT_EQ(0, uldf_bar_unmap(self->dev, 0));
	EXPECT_EQ(-ENOENT, uldf_bar_unmap(self->dev, 0));
	/* write-combining needs a prefetchable BAR */
	EXPECT_EQ(-EINVAL, uldf_bar_map(self->dev, 0, ULDF_BAR_MAP_WC, &again,
					NULL));
}

/* uldf_close() takes the mapping down: touching it afterwards faults. */
TEST_F(dev, close_unmaps)
{
	int status;
	void *bar;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (uldf_bar_map(self->dev, 0, 0, &bar, NULL))
			_exit(2);
		uldf_close(self->dev);
		uldf_mmio_read32(bar, EDU_ID);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGSEGV, WTERMSIG(status));
}

TEST_F(dev, reset)
{
	struct uldf_device_info info;
	int ret;

	ASSERT_EQ(0, uldf_dev_get_info(self->dev, &info));
	ret = uldf_reset(self->dev);
	if (info.flags & ULDF_DEVICE_FLAGS_RESET) {
		EXPECT_EQ(0, ret);
	} else {
		EXPECT_EQ(-ENOTTY, ret);
	}
}

/* ---- a BAR with an MSI-X hole: QEMU's NVMe controller ---------------------- */

#define NVME_CAP	0x00
#define NVME_VS		0x08

FIXTURE(nvme) {
	const char *bdf;
	struct uldf_dev *dev;
};

FIXTURE_SETUP(nvme)
{
	self->bdf = uldf_test_bdf("ULDF_NVME_BDF", ULDF_DEFAULT_NVME);
	self->dev = NULL;
	skip_unless_testbed(_metadata, self->bdf);
	ASSERT_EQ(0, uldf_pci_bind(self->bdf, 0));
	ASSERT_EQ(0, uldf_open(self->bdf, &self->dev));
}

FIXTURE_TEARDOWN(nvme)
{
	uldf_close(self->dev);
	uldf_pci_unbind(self->bdf, 0);
}

/* The first page of BAR @ri that no mmap area covers, or -1. */
static long hole_page(const struct uldf_region_info *ri)
{
	uint64_t off;
	unsigned int a;

	for (off = 0; off < ri->size; off += 4096) {
		bool covered = false;

		for (a = 0; a < ri->nr_areas; a++)
			if (off >= ri->areas[a].offset &&
			    off < ri->areas[a].offset + ri->areas[a].size)
				covered = true;
		if (!covered)
			return (long)off;
	}
	return -1;
}

TEST_F(nvme, bar_with_msix_hole)
{
	struct uldf_region_info ri;
	int status;
	long hole;
	size_t size;
	void *bar;
	pid_t pid;

	ASSERT_EQ(0, uldf_region_get_info(self->dev, 0, &ri));
	if (!(ri.flags & ULDF_REGION_FLAG_MSIX))
		SKIP(return, "BAR0 of %s holds no MSI-X structure", self->bdf);
	hole = hole_page(&ri);
	ASSERT_LE(0, hole);

	ASSERT_EQ(0, uldf_bar_map(self->dev, 0, 0, &bar, &size));
	EXPECT_EQ(ri.size, size);
	/* registers at their BAR offsets: capabilities, version 1.x */
	EXPECT_NE(0, uldf_mmio_read64(bar, NVME_CAP));
	EXPECT_EQ(1, uldf_mmio_read32(bar, NVME_VS) >> 16);

	/* the MSI-X page is in the address range but not accessible */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		uldf_mmio_read32(bar, hole);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGSEGV, WTERMSIG(status));
}

TEST_HARNESS_MAIN
