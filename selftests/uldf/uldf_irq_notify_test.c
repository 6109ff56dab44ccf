// SPDX-License-Identifier: GPL-2.0
/*
 * The ERR and REQ notification vectors: the software trigger
 * (ULDF_IRQ_TRIGGER) on them and on INTx, their independence, and real
 * PCIe errors injected through QMP into the testbed's AER device, whose
 * recovery by the kernel's AER driver uldf reports on ERR.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/pci_regs.h>

#include "kselftest_harness.h"
#include "uldf_edu_fixture.h"

/* ---- software trigger, ERR and REQ ------------------------------------- */

TEST_F(edu, trigger_loopback)
{
	struct uldf_irq_info info;
	int fd, err;

	fd = irq_open1(self->dev, ULDF_IRQ_TYPE_INTX, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, ULDF_IRQ_TRIGGER));
	ASSERT_EQ(0, ioctl(fd, ULDF_IRQ_TRIGGER));
	EXPECT_EQ(2, irq_read(fd));
	ASSERT_EQ(0, irq_info(fd, &info));
	EXPECT_FALSE(info.flags & ULDF_IRQ_INFO_MASKED);	/* untouched */
	EXPECT_EQ(2, info.count);
	close(fd);

	err = irq_open1(self->dev, ULDF_IRQ_TYPE_ERR, 0);
	ASSERT_LE(0, err);
	EXPECT_EQ(-EBUSY, irq_open1(self->dev, ULDF_IRQ_TYPE_ERR, 0));
	EXPECT_EQ(-EAGAIN, irq_quiet(err));
	ASSERT_EQ(0, ioctl(err, ULDF_IRQ_TRIGGER));
	EXPECT_EQ(1, irq_wait(err));
	EXPECT_EQ(-EINVAL, irq_write(err, 0));
	EXPECT_EQ(-1, ioctl(err, ULDF_IRQ_MASK));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, irq_info(err, &info));
	EXPECT_EQ(ULDF_IRQ_TYPE_ERR, info.type);
	EXPECT_EQ(0, info.irq);
	close(err);
}

/* ERR and REQ: one vector each, independent of each other. */
TEST_F(edu, err_req_independent)
{
	int fds[2] = { -1, -1 };

	/* ERR and REQ are one vector each: two at once is out of range. */
	EXPECT_EQ(-ERANGE, irq_open(self->dev, ULDF_IRQ_TYPE_ERR, 0, 2, 0,
				    fds));
	ASSERT_EQ(0, irq_open(self->dev, ULDF_IRQ_TYPE_ERR, 0, 1, 0, fds));
	ASSERT_EQ(0, irq_open(self->dev, ULDF_IRQ_TYPE_REQ, 0, 1, 0,
			      fds + 1));
	EXPECT_NE(fds[0], fds[1]);
	ASSERT_EQ(0, ioctl(fds[1], ULDF_IRQ_TRIGGER));
	EXPECT_EQ(-EAGAIN, irq_quiet(fds[0]));
	EXPECT_EQ(1, irq_read(fds[1]));
	close(fds[0]);
	close(fds[1]);
}

/*
 * ---- AER: real errors injected into a PCIe endpoint -----------------------
 *
 * QEMU's pcie_aer_inject_error (through QMP) makes the testbed's virtio-rng
 * (tools/testbed/vm, "aerdev", a PCIe endpoint with an AER capability alone
 * on a root port) report an error to its root port; the guest's AER driver runs
 * its recovery, which calls uldf's error handlers.  The device's state is
 * watched through the virtio common configuration at BAR4 offset 0: its
 * queue_select register keeps what was written until the device is reset.
 * (QEMU 7.2 does not forward an injected correctable error from an
 * endpoint, and a correctable error calls no error_detected anyway.)
 */
#define VIRTIO_BAR		ULDF_REGION_BAR4
#define VIRTIO_NUM_QUEUES	18	/* le16, read-only: 1 for virtio-rng */
#define VIRTIO_QUEUE_SELECT	22	/* le16, read-write, 0 after a reset */

static int virtio_rd16(int dev, unsigned int off)
{
	uint16_t v;

	if (pread(dev, &v, 2, ULDF_REGION_OFFSET(VIRTIO_BAR) + off) != 2)
		return -errno;
	return v;
}

static int virtio_wr16(int dev, unsigned int off, uint16_t v)
{
	if (pwrite(dev, &v, 2, ULDF_REGION_OFFSET(VIRTIO_BAR) + off) != 2)
		return -errno;
	return 0;
}

static int cfg_rd16(int dev, unsigned int off)
{
	uint16_t v;

	if (pread(dev, &v, 2, ULDF_REGION_OFFSET(ULDF_REGION_CONFIG) + off) != 2)
		return -errno;
	return v;
}

/* Inject error @name (QEMU's names: UNSUP, DLP, ...) into aerdev. */
static int aer_inject(const char *name)
{
	char json[256];

	snprintf(json, sizeof(json),
		 "{\"execute\":\"human-monitor-command\",\"arguments\":"
		 "{\"command-line\":\"pcie_aer_inject_error aerdev %s\"}}",
		 name);
	return uldf_test_qmp(json);
}

/*
 * Wait for the kernel's recovery to end, @before being the count of
 * "AER: device recovery" lines before the error: 1 if it succeeded, 0 if
 * it failed, -ETIMEDOUT.
 */
static int aer_recovery_end(int before)
{
	int i;

	for (i = 0; i < WAIT_MS / 50; i++) {
		if (uldf_test_dmesg_count("AER: device recovery") > before)
			return uldf_test_dmesg_count("AER: device recovery successful") >
			       uldf_test_dmesg_count("AER: device recovery failed");
		usleep(50 * 1000);
	}
	return -ETIMEDOUT;
}

/* TOTAL_ERR_<@what> of the function's AER statistics in sysfs. */
static long long aer_stat(const char *bdf, const char *file, const char *what)
{
	char path[256], line[128], key[64];
	long long n = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, file);
	snprintf(key, sizeof(key), "TOTAL_ERR_%s ", what);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			n = atoll(line + strlen(key));
	fclose(f);
	return n;
}

FIXTURE(aer) {
	const char *bdf;
	int dev;
	int err;
};

FIXTURE_SETUP(aer)
{
	self->dev = -1;
	self->err = -1;
	self->bdf = uldf_test_bdf("ULDF_AER_BDF", ULDF_DEFAULT_AER);
	if (!uldf_test_module_loaded())
		SKIP(return, "uldf.ko not loaded; run through 'make check'");
	if (!getenv("ULDF_QMP") || !uldf_test_device_exists(self->bdf))
		SKIP(return, "no QMP channel or no AER device at %s; run through 'make check'",
		     self->bdf);
	ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
	self->dev = uldf_test_open(self->bdf);
	if (self->dev == -EPERM && !interrupt_remapping())
		SKIP(return, "no interrupt remapping: open refused (noremap covers it)");
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(1, virtio_rd16(self->dev, VIRTIO_NUM_QUEUES));
	self->err = irq_open1(self->dev, ULDF_IRQ_TYPE_ERR, 0);
	ASSERT_LE(0, self->err);
}

FIXTURE_TEARDOWN(aer)
{
	if (self->err >= 0)
		close(self->err);
	if (self->dev >= 0)
		close(self->dev);
	uldf_test_unbind(self->bdf);
}

/*
 * An uncorrectable non-fatal error (Unsupported Request): ERR counts one,
 * the kernel recovers without a reset, and the device keeps its state and
 * answers throughout.
 */
TEST_F(aer, nonfatal_signals_err_and_keeps_state)
{
	long long stat = aer_stat(self->bdf, "aer_dev_nonfatal", "NONFATAL");
	int before = uldf_test_dmesg_count("AER: device recovery");

	ASSERT_EQ(0, virtio_wr16(self->dev, VIRTIO_QUEUE_SELECT, 5));
	ASSERT_EQ(5, virtio_rd16(self->dev, VIRTIO_QUEUE_SELECT));
	EXPECT_EQ(-EAGAIN, irq_quiet(self->err));

	ASSERT_EQ(0, aer_inject("UNSUP"));
	EXPECT_EQ(1, irq_wait(self->err));
	EXPECT_EQ(5, virtio_rd16(self->dev, VIRTIO_QUEUE_SELECT));
	EXPECT_EQ(1, aer_recovery_end(before));
	EXPECT_EQ(stat + 1, aer_stat(self->bdf, "aer_dev_nonfatal", "NONFATAL"));

	EXPECT_EQ(5, virtio_rd16(self->dev, VIRTIO_QUEUE_SELECT));
	EXPECT_EQ(1, virtio_rd16(self->dev, VIRTIO_NUM_QUEUES));
	EXPECT_EQ(0x1af4, cfg_rd16(self->dev, PCI_VENDOR_ID));
	EXPECT_EQ(-EAGAIN, irq_quiet(self->err));
}

/* The function's real BAR4 (low dword), as the PCI core reads it. */
static uint32_t real_bar4(const char *bdf)
{
	return (uint32_t)uldf_test_cfg_read16(bdf, PCI_BASE_ADDRESS_4) |
	       (uint32_t)uldf_test_cfg_read16(bdf, PCI_BASE_ADDRESS_4 + 2) << 16;
}

/*
 * An uncorrectable fatal error (Data Link Protocol): ERR counts one, and
 * the kernel resets the link, leaving the function unconfigured (command
 * register 0, BAR4 unassigned).  ULDF_DEVICE_RESET then gives the user a
 * working function again: config space as at open, the BAR where it was,
 * the device reset (queue_select 0), register access through pread() and
 * through a mapping made before the error.
 */
TEST_F(aer, fatal_then_reset_restores_config)
{
	int before = uldf_test_dmesg_count("AER: device recovery");
	int cmd = uldf_test_cfg_read16(self->bdf, PCI_COMMAND);
	uint32_t bar4 = real_bar4(self->bdf);
	long psz = sysconf(_SC_PAGESIZE);
	volatile uint16_t *map;
	void *p;
	int i, ret;

	ASSERT_TRUE(cmd & PCI_COMMAND_MEMORY);
	p = mmap(NULL, psz, PROT_READ | PROT_WRITE, MAP_SHARED, self->dev,
		 ULDF_REGION_OFFSET(VIRTIO_BAR));
	ASSERT_NE(MAP_FAILED, p);
	map = p;
	ASSERT_EQ(0, virtio_wr16(self->dev, VIRTIO_QUEUE_SELECT, 5));
	ASSERT_EQ(5, map[VIRTIO_QUEUE_SELECT / 2]);

	ASSERT_EQ(0, aer_inject("DLP"));
	EXPECT_EQ(1, irq_wait(self->err));
	EXPECT_EQ(1, aer_recovery_end(before));
	/* What the link reset left: nothing decodes. */
	EXPECT_EQ(0, uldf_test_cfg_read16(self->bdf, PCI_COMMAND) &
		     PCI_COMMAND_MEMORY);

	/* EAGAIN while the AER core still holds the device lock. */
	for (i = 0; (ret = ioctl(self->dev, ULDF_DEVICE_RESET)) &&
		    errno == EAGAIN && i < 100; i++)
		usleep(10 * 1000);
	ASSERT_EQ(0, ret) TH_LOG("ULDF_DEVICE_RESET: %s", strerror(errno));
	EXPECT_EQ(cmd & ~PCI_COMMAND_MASTER,
		  uldf_test_cfg_read16(self->bdf, PCI_COMMAND) & ~PCI_COMMAND_MASTER);
	EXPECT_EQ(bar4, real_bar4(self->bdf));
	EXPECT_EQ(0, virtio_rd16(self->dev, VIRTIO_QUEUE_SELECT));
	EXPECT_EQ(1, virtio_rd16(self->dev, VIRTIO_NUM_QUEUES));
	EXPECT_EQ(0, virtio_wr16(self->dev, VIRTIO_QUEUE_SELECT, 7));
	EXPECT_EQ(7, virtio_rd16(self->dev, VIRTIO_QUEUE_SELECT));
	EXPECT_EQ(7, map[VIRTIO_QUEUE_SELECT / 2]);
	EXPECT_EQ(1, map[VIRTIO_NUM_QUEUES / 2]);
	EXPECT_EQ(0x1af4, cfg_rd16(self->dev, PCI_VENDOR_ID));
	EXPECT_EQ(-EAGAIN, irq_quiet(self->err));
	munmap(p, psz);
}

/*
 * After a fatal error the user turns decoding back on through the command
 * register, without a reset: the function's BARs are put back first, never
 * decoding at the address 0 the link reset left in them.
 */
TEST_F(aer, fatal_then_decode_on_restores_bars)
{
	int before = uldf_test_dmesg_count("AER: device recovery");
	int cmd = uldf_test_cfg_read16(self->bdf, PCI_COMMAND);
	uint32_t bar4 = real_bar4(self->bdf);
	uint16_t ucmd;

	ASSERT_TRUE(cmd & PCI_COMMAND_MEMORY);
	ucmd = cfg_rd16(self->dev, PCI_COMMAND);
	ASSERT_EQ(0, aer_inject("DLP"));
	EXPECT_EQ(1, irq_wait(self->err));
	EXPECT_EQ(1, aer_recovery_end(before));
	EXPECT_EQ(0, uldf_test_cfg_read16(self->bdf, PCI_COMMAND) &
		     PCI_COMMAND_MEMORY);

	ASSERT_EQ(2, pwrite(self->dev, &ucmd, 2,
			    ULDF_REGION_OFFSET(ULDF_REGION_CONFIG) + PCI_COMMAND));
	EXPECT_EQ(bar4, real_bar4(self->bdf));
	EXPECT_TRUE(uldf_test_cfg_read16(self->bdf, PCI_COMMAND) &
		    PCI_COMMAND_MEMORY);
	EXPECT_EQ(0, virtio_rd16(self->dev, VIRTIO_QUEUE_SELECT));
	EXPECT_EQ(1, virtio_rd16(self->dev, VIRTIO_NUM_QUEUES));
}

/*
 * The user turns decode on the moment ERR fires, while the kernel may
 * still be resetting the link: the write fails with EAGAIN until the
 * recovery is over (a restore made meanwhile would be lost), and once it
 * goes through the BARs are back.
 */
TEST_F(aer, fatal_decode_on_during_recovery_restores_bars)
{
	int before = uldf_test_dmesg_count("AER: device recovery");
	uint32_t bar4 = real_bar4(self->bdf);
	uint16_t ucmd = cfg_rd16(self->dev, PCI_COMMAND);
	int i, again = 0;
	ssize_t n = -1;

	ASSERT_TRUE(ucmd & PCI_COMMAND_MEMORY);
	ASSERT_EQ(0, aer_inject("DLP"));
	EXPECT_EQ(1, irq_wait(self->err));
	for (i = 0; i < WAIT_MS; i++) {
		n = pwrite(self->dev, &ucmd, 2,
			   ULDF_REGION_OFFSET(ULDF_REGION_CONFIG) + PCI_COMMAND);
		if (n == 2 || errno != EAGAIN)
			break;
		again++;
		usleep(1000);
	}
	ASSERT_EQ(2, n) TH_LOG("command write: %s", strerror(errno));
	TH_LOG("%d writes refused with EAGAIN during the recovery", again);
	EXPECT_EQ(1, aer_recovery_end(before));
	EXPECT_EQ(bar4, real_bar4(self->bdf));
	EXPECT_EQ(1, virtio_rd16(self->dev, VIRTIO_NUM_QUEUES));
}

/*
 * A fatal error while nobody has the device open: the next open puts back
 * the config space of the bind, and the device answers.
 */
TEST_F(aer, fatal_while_closed_open_restores_bars)
{
	int before = uldf_test_dmesg_count("AER: device recovery");
	uint32_t bar4 = real_bar4(self->bdf);
	int i;

	close(self->err);
	close(self->dev);
	self->err = self->dev = -1;
	ASSERT_EQ(0, aer_inject("DLP"));
	EXPECT_EQ(1, aer_recovery_end(before));
	EXPECT_EQ(0, uldf_test_cfg_read16(self->bdf, PCI_COMMAND) &
		     PCI_COMMAND_MEMORY);
	for (i = 0; i < 100; i++) {
		self->dev = uldf_test_open(self->bdf);
		if (self->dev != -EAGAIN)
			break;
		usleep(10 * 1000);
	}
	ASSERT_LE(0, self->dev);
	EXPECT_EQ(bar4, real_bar4(self->bdf));
	EXPECT_EQ(1, virtio_rd16(self->dev, VIRTIO_NUM_QUEUES));
}

TEST_HARNESS_MAIN
