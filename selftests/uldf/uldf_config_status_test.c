// SPDX-License-Identifier: GPL-2.0
/*
 * Write-one-to-clear status bits through the device fd's config region,
 * on QEMU's NVMe controller: writing 1 to an error bit of the status
 * register (or of the PCI Express device status register) clears it on
 * the device; writing 0 leaves it, and so does a write that only meant to
 * change the register next to it (the command register, device control)
 * in the same dword.
 *
 * The bits are set for real by QEMU: its monitor's pcie_aer_inject_error,
 * sent over the testbed's QMP channel, makes the controller record an
 * Unsupported Request (Signaled System Error in the status register with
 * SERR# enabled; Non-Fatal Error and Unsupported Request Detected in the
 * device status register) or a correctable error (Correctable Error
 * Detected).  QEMU's controller has no AER capability and no root port
 * above it, so nothing reaches the kernel's AER driver.  QEMU 7.2's
 * controller keeps its device status bits whatever is written to them,
 * so the device status case skips there (it is checked through sysfs
 * first).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "kselftest_harness.h"
#include "uldf_util.h"

/* The testbed's QEMU id of the NVMe controller at ULDF_DEFAULT_NVME. */
#define NVME_QEMU_ID	"nvme0"

static uint32_t rd(int fd, unsigned int off, size_t len)
{
	uint32_t v = 0;

	if (uldf_test_pread(fd, ULDF_REGION_CONFIG, off, &v, len) != (ssize_t)len)
		return ~0U;
	return v;
}

static int wr(int fd, unsigned int off, size_t len, uint32_t v)
{
	ssize_t n = uldf_test_pwrite(fd, ULDF_REGION_CONFIG, off, &v, len);

	return n == (ssize_t)len ? 0 : n < 0 ? n : -EIO;
}

/* pcie_aer_inject_error on the controller: "UNSUP", or "-c " and "0x1". */
static int inject(const char *flags, const char *error)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd),
		 "{\"execute\":\"human-monitor-command\",\"arguments\":"
		 "{\"command-line\":\"pcie_aer_inject_error %s%s %s\"}}",
		 flags, NVME_QEMU_ID, error);
	return uldf_test_qmp(cmd);
}

FIXTURE(nvme) {
	const char *bdf;
	int fd;
	unsigned int exp;	/* PCI Express capability */
};

FIXTURE_SETUP(nvme)
{
	uint8_t pos = 0, id = 0;
	int ttl = 48;

	self->fd = -1;
	self->bdf = uldf_test_bdf("ULDF_NVME_BDF", ULDF_DEFAULT_NVME);
	if (!uldf_test_module_loaded())
		SKIP(return, "uldf.ko not loaded; run through 'make check'");
	if (!uldf_test_device_exists(self->bdf))
		SKIP(return, "no NVMe controller at %s; run through 'make check'",
		     self->bdf);
	if (!getenv("ULDF_QMP"))
		SKIP(return, "no QMP channel to QEMU; run through 'make check'");
	ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
	self->fd = uldf_test_open(self->bdf);
	if (self->fd == -EPERM)
		SKIP(return, "open refused (no interrupt remapping?)");
	ASSERT_LE(0, self->fd);

	uldf_test_pread(self->fd, ULDF_REGION_CONFIG, PCI_CAPABILITY_LIST, &pos, 1);
	while (pos && ttl--) {
		uldf_test_pread(self->fd, ULDF_REGION_CONFIG, pos, &id, 1);
		if (id == PCI_CAP_ID_EXP)
			break;
		uldf_test_pread(self->fd, ULDF_REGION_CONFIG, pos + 1, &pos, 1);
	}
	self->exp = id == PCI_CAP_ID_EXP ? pos : 0;
	/* Errors are signalled with SERR# enabled. */
	ASSERT_EQ(0, wr(self->fd, PCI_COMMAND, 2,
			rd(self->fd, PCI_COMMAND, 2) | PCI_COMMAND_SERR));
}

FIXTURE_TEARDOWN(nvme)
{
	if (self->fd >= 0)
		close(self->fd);
	uldf_test_unbind(self->bdf);
}

TEST_F(nvme, status_write_one_to_clear)
{
	const uint16_t sse = PCI_STATUS_SIG_SYSTEM_ERROR;
	uint16_t cmd;

	ASSERT_EQ(0, inject("", "UNSUP"));
	if (!(uldf_test_cfg_read16(self->bdf, PCI_STATUS) & sse))
		SKIP(return, "QEMU's injected error set no status bit");
	EXPECT_TRUE(rd(self->fd, PCI_STATUS, 2) & sse);

	/* Zeros leave it, as does a dword write meant for the command register. */
	ASSERT_EQ(0, wr(self->fd, PCI_STATUS, 2, 0));
	EXPECT_TRUE(uldf_test_cfg_read16(self->bdf, PCI_STATUS) & sse);
	cmd = rd(self->fd, PCI_COMMAND, 2);
	ASSERT_EQ(0, wr(self->fd, PCI_COMMAND, 4, cmd));
	EXPECT_TRUE(uldf_test_cfg_read16(self->bdf, PCI_STATUS) & sse);
	ASSERT_EQ(0, wr(self->fd, PCI_COMMAND, 4,
			rd(self->fd, PCI_COMMAND, 4) & ~((uint32_t)sse << 16)));
	EXPECT_TRUE(uldf_test_cfg_read16(self->bdf, PCI_STATUS) & sse);

	/* A 1 clears it on the device. */
	ASSERT_EQ(0, wr(self->fd, PCI_STATUS, 2, sse));
	EXPECT_FALSE(uldf_test_cfg_read16(self->bdf, PCI_STATUS) & sse);
	EXPECT_FALSE(rd(self->fd, PCI_STATUS, 2) & sse);

	/* So does a 1 in a dword write, or a byte write; the command stays. */
	ASSERT_EQ(0, inject("", "UNSUP"));
	ASSERT_TRUE(uldf_test_cfg_read16(self->bdf, PCI_STATUS) & sse);
	ASSERT_EQ(0, wr(self->fd, PCI_COMMAND, 4, cmd | (uint32_t)sse << 16));
	EXPECT_FALSE(uldf_test_cfg_read16(self->bdf, PCI_STATUS) & sse);
	EXPECT_EQ(cmd, rd(self->fd, PCI_COMMAND, 2));
	ASSERT_EQ(0, inject("", "UNSUP"));
	ASSERT_TRUE(uldf_test_cfg_read16(self->bdf, PCI_STATUS) & sse);
	ASSERT_EQ(0, wr(self->fd, PCI_STATUS + 1, 1, sse >> 8));
	EXPECT_FALSE(uldf_test_cfg_read16(self->bdf, PCI_STATUS) & sse);
}

TEST_F(nvme, devsta_write_one_to_clear)
{
	const uint16_t err = PCI_EXP_DEVSTA_NFED | PCI_EXP_DEVSTA_URD;
	unsigned int devsta = self->exp + PCI_EXP_DEVSTA;
	uint16_t ctl;

	if (!self->exp)
		SKIP(return, "%s has no PCI Express capability", self->bdf);
	ASSERT_EQ(0, inject("", "UNSUP"));
	if ((uldf_test_cfg_read16(self->bdf, devsta) & err) != err)
		SKIP(return, "QEMU's injected error set no device status bit");
	/*
	 * QEMU makes these bits write-one-to-clear only in devices that
	 * report errors (pcie_cap_deverr_init()); its NVMe controller
	 * does not, and keeps them whatever is written.
	 */
	ASSERT_EQ(0, uldf_test_cfg_write16(self->bdf, devsta, err));
	if (uldf_test_cfg_read16(self->bdf, devsta) & err)
		SKIP(return, "the device keeps its device status bits when 1 is written (QEMU's NVMe does)");
	ASSERT_EQ(0, inject("", "UNSUP"));
	ASSERT_EQ(err, uldf_test_cfg_read16(self->bdf, devsta) & err);
	EXPECT_EQ(err, rd(self->fd, devsta, 2) & err);

	/* A dword write meant for device control leaves the status alone. */
	ctl = rd(self->fd, self->exp + PCI_EXP_DEVCTL, 2);
	ASSERT_EQ(0, wr(self->fd, self->exp + PCI_EXP_DEVCTL, 4, ctl));
	EXPECT_EQ(err, uldf_test_cfg_read16(self->bdf, devsta) & err);
	ASSERT_EQ(0, wr(self->fd, devsta, 2, 0));
	EXPECT_EQ(err, uldf_test_cfg_read16(self->bdf, devsta) & err);

	/* Each 1 clears its bit, and only it. */
	ASSERT_EQ(0, wr(self->fd, devsta, 2, PCI_EXP_DEVSTA_URD));
	EXPECT_EQ(PCI_EXP_DEVSTA_NFED, uldf_test_cfg_read16(self->bdf, devsta) & err);
	ASSERT_EQ(0, wr(self->fd, self->exp + PCI_EXP_DEVCTL, 4,
			ctl | (uint32_t)PCI_EXP_DEVSTA_NFED << 16));
	EXPECT_EQ(0, uldf_test_cfg_read16(self->bdf, devsta) & err);
	EXPECT_EQ(ctl, rd(self->fd, self->exp + PCI_EXP_DEVCTL, 2));

	/* A correctable error, cleared with a byte write. */
	ASSERT_EQ(0, inject("-c ", "0x1"));
	ASSERT_TRUE(uldf_test_cfg_read16(self->bdf, devsta) & PCI_EXP_DEVSTA_CED);
	ASSERT_EQ(0, wr(self->fd, devsta, 1, 0));
	EXPECT_TRUE(uldf_test_cfg_read16(self->bdf, devsta) & PCI_EXP_DEVSTA_CED);
	ASSERT_EQ(0, wr(self->fd, devsta, 1, PCI_EXP_DEVSTA_CED));
	EXPECT_FALSE(uldf_test_cfg_read16(self->bdf, devsta) & PCI_EXP_DEVSTA_CED);
}

TEST_HARNESS_MAIN
