// SPDX-License-Identifier: GPL-2.0
/*
 * The module loads and binds: /dev/uldf/<BDF> appears when QEMU's edu is
 * bound through driver_override, disappears when it is unbound, and the
 * device fd answers ULDF_DEVICE_GET_INFO with the device's real IDs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "uldf_util.h"

FIXTURE(load) {
	const char *bdf;
};

FIXTURE_SETUP(load)
{
	self->bdf = uldf_test_bdf("ULDF_EDU_BDF", ULDF_DEFAULT_EDU);
	if (!uldf_test_module_loaded())
		SKIP(return, "uldf.ko not loaded; run through 'make check'");
	if (!uldf_test_device_exists(self->bdf))
		SKIP(return, "no edu device at %s; run through 'make check'",
		     self->bdf);
}

FIXTURE_TEARDOWN(load)
{
	uldf_test_unbind(self->bdf);
}

TEST_F(load, bind_creates_node)
{
	char path[128], drv[64];

	snprintf(path, sizeof(path), "/dev/uldf/%s", self->bdf);
	ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
	ASSERT_EQ(0, uldf_test_driver(self->bdf, drv, sizeof(drv)));
	EXPECT_STREQ("uldf", drv);
	EXPECT_EQ(0, access(path, F_OK));
	ASSERT_EQ(0, uldf_test_unbind(self->bdf));
	EXPECT_NE(0, access(path, F_OK));
}

TEST_F(load, node_mode_0600)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "/dev/uldf/%s", self->bdf);
	ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(0600, st.st_mode & 0777);
	EXPECT_TRUE(S_ISCHR(st.st_mode));
}

TEST_F(load, device_info)
{
	struct uldf_device_info info = { .argsz = sizeof(info) };
	int fd;

	ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
	fd = uldf_test_open(self->bdf);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, ULDF_DEVICE_GET_INFO, &info));
	EXPECT_EQ(EDU_VENDOR, info.vendor);
	EXPECT_EQ(EDU_DEVICE, info.device);
	EXPECT_EQ(ULDF_API_VERSION, info.api_version);
	EXPECT_EQ(ULDF_NUM_REGIONS, info.num_regions);
	EXPECT_EQ(1, info.num_irqs[ULDF_IRQ_TYPE_INTX]);
	EXPECT_EQ(1, info.num_irqs[ULDF_IRQ_TYPE_MSI]);
	EXPECT_EQ(uldf_test_sysfs_num(self->bdf, "class"), info.class_code);
	EXPECT_EQ(uldf_test_sysfs_num(self->bdf, "revision"), info.revision);
	if (getenv("ULDF_IOMMU") && !strcmp(getenv("ULDF_IOMMU"), "1")) {
		EXPECT_TRUE(info.flags & ULDF_DEVICE_FLAGS_IOMMU);
		EXPECT_LE(0, info.iommu_group);
	}
	close(fd);
}

TEST_F(load, second_open_busy)
{
	int fd, fd2;

	ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
	fd = uldf_test_open(self->bdf);
	ASSERT_LE(0, fd);
	fd2 = uldf_test_open(self->bdf);
	EXPECT_EQ(-EBUSY, fd2);
	close(fd);
	fd2 = uldf_test_open(self->bdf);
	EXPECT_LE(0, fd2);
	close(fd2);
}

TEST_F(load, bad_ioctl)
{
	struct uldf_device_info info = { .argsz = 4 };
	int fd;

	ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
	fd = uldf_test_open(self->bdf);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, ULDF_DEVICE_GET_INFO, &info));
	EXPECT_EQ(EINVAL, errno);
	info.argsz = sizeof(info);
	info.flags = 1;
	EXPECT_EQ(-1, ioctl(fd, ULDF_DEVICE_GET_INFO, &info));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(fd, ULDF_DEVICE_GET_INFO, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(fd, _IO(ULDF_TYPE, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

TEST_HARNESS_MAIN
