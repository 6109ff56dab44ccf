// SPDX-License-Identifier: GPL-2.0
/*
 * PCI Express Device Control through uldf's config region: the fields that
 * concern the whole fabric or the CPU caches stay the kernel's.
 *
 *  - Max Payload Size is virtual: the user reads back what it wrote, the
 *    device keeps the kernel's value;
 *  - Max Read Request Size reads back as written and reaches the device
 *    only through the kernel's pcie_set_readrq();
 *  - Enable No Snoop reads back as written and reaches the device only
 *    where the IOMMU enforces cache coherency (ULDF_DMA_INFO_COHERENT).
 *
 * QEMU 7.2's NVMe controller (the testbed's PCIe function; its edu is
 * conventional PCI) drops every write to these bits, so the device's
 * register cannot tell what was written to it.  The tests watch the
 * config writes themselves instead, with a kprobe on the x86 PCI
 * accessor (pci_write(), under both the port I/O and the MMCONFIG
 * paths).  Boot the testbed with --append pci=pcie_bus_perf to see the
 * kernel clamp the read request size to the payload size.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>

#include "kselftest_harness.h"
#include "uldf_util.h"

#define KPROBE		"uldf_pcie_test/cfg_write"
#define MAX_WRITES	64

/* The config writes that reached one register, as the kprobe saw them. */
struct cfg_writes {
	int n;
	uint16_t val[MAX_WRITES];	/* the register's bits written */
	uint16_t mask[MAX_WRITES];	/* which bits the write covered */
};

/* The device's own config space, from sysfs. */
static uint16_t sysfs_cfg16(const char *bdf, int off)
{
	char path[128];
	uint16_t v = 0xffff;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (pread(fd, &v, 2, off) != 2)
			v = 0xffff;
		close(fd);
	}
	return v;
}

static uint16_t uldf_cfg16(int fd, int off)
{
	uint16_t v = 0xffff;

	uldf_test_pread(fd, ULDF_REGION_CONFIG, off, &v, 2);
	return v;
}

static int uldf_wr16(int fd, int off, uint16_t v)
{
	return uldf_test_pwrite(fd, ULDF_REGION_CONFIG, off, &v, 2) == 2 ?
	       0 : -EIO;
}

static bool cmdline_has(const char *word)
{
	char buf[4096] = "";
	size_t n;
	FILE *f = fopen("/proc/cmdline", "re");

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return strstr(buf, word) != NULL;
}

FIXTURE(pcie) {
	const char *bdf;
	int fd;
	unsigned int devfn;
	int devctl;		/* offset of Device Control */
	bool coherent;
	const char *trace;	/* tracefs, once the kprobe is set */
};

FIXTURE_SETUP(pcie)
{
	struct uldf_dma_info info = { .argsz = sizeof(info) };
	unsigned int dom, bus, dev, fn;
	int exp;

	self->fd = -1;
	self->trace = NULL;
	self->bdf = uldf_test_bdf("ULDF_NVME_BDF", ULDF_DEFAULT_NVME);
	if (!uldf_test_module_loaded())
		SKIP(return, "uldf.ko not loaded; run through 'make check'");
	if (!uldf_test_device_exists(self->bdf))
		SKIP(return, "no NVMe controller at %s; run through 'make check'",
		     self->bdf);
	ASSERT_EQ(4, sscanf(self->bdf, "%x:%x:%x.%x", &dom, &bus, &dev, &fn));
	self->devfn = dev << 3 | fn;
	ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
	self->fd = uldf_test_open(self->bdf);
	ASSERT_LE(0, self->fd);
	exp = uldf_test_find_cap(self->fd, PCI_CAP_ID_EXP);
	if (!exp)
		SKIP(return, "%s has no PCI Express capability", self->bdf);
	self->devctl = exp + PCI_EXP_DEVCTL;
	ASSERT_EQ(0, ioctl(self->fd, ULDF_DMA_GET_INFO, &info));
	self->coherent = info.flags & ULDF_DMA_INFO_COHERENT;
}

FIXTURE_TEARDOWN(pcie)
{
	if (self->trace) {
		uldf_test_write_str(self->trace, "events/" KPROBE "/enable", "0", false);
		uldf_test_write_str(self->trace, "kprobe_events", "-:" KPROBE "\n", true);
	}
	if (self->fd >= 0)
		close(self->fd);
	uldf_test_unbind(self->bdf);
}

/* Start recording config writes; false if the kprobe cannot be set. */
static bool trace_start(FIXTURE_DATA(pcie) *self)
{
	const char *dir = uldf_test_tracefs();

	if (!dir)
		return false;
	uldf_test_write_str(dir, "kprobe_events", "-:" KPROBE "\n", true);
	if (uldf_test_write_str(dir, "kprobe_events",
		      "p:" KPROBE " pci_write devfn=$arg2:u32 where=$arg3:s32 size=$arg4:s32 val=$arg5:x32\n",
		      true))
		return false;
	self->trace = dir;
	if (uldf_test_write_str(dir, "trace", "", false) ||
	    uldf_test_write_str(dir, "events/" KPROBE "/enable", "1", false))
		return false;
	return true;
}

/* Stop recording; collect the writes that covered Device Control. */
static int trace_stop(FIXTURE_DATA(pcie) *self, struct cfg_writes *w)
{
	unsigned int devfn, val;
	int where, size, i, shift;
	char path[256], line[512], *p;
	uint32_t v, m;
	FILE *f;

	uldf_test_write_str(self->trace, "events/" KPROBE "/enable", "0", false);
	snprintf(path, sizeof(path), "%s/trace", self->trace);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	w->n = 0;
	while (fgets(line, sizeof(line), f) && w->n < MAX_WRITES) {
		p = strstr(line, "devfn=");
		if (!strstr(line, "cfg_write:") || !p ||
		    sscanf(p, "devfn=%u where=%d size=%d val=%x", &devfn,
			   &where, &size, &val) != 4)
			continue;
		if (devfn != self->devfn || where + size <= self->devctl ||
		    where >= self->devctl + 2)
			continue;
		/* Line the written bytes up with the register. */
		shift = (self->devctl - where) * 8;
		m = size == 4 ? ~0U : (1U << (size * 8)) - 1;
		v = shift >= 0 ? val >> shift : val << -shift;
		m = shift >= 0 ? m >> shift : m << -shift;
		w->val[w->n] = v & m;
		w->mask[w->n] = m;
		w->n++;
	}
	fclose(f);
	for (i = 0; i < w->n; i++)
		printf("# config write to Device Control: %#06x (bits %#06x)\n",
		       w->val[i], w->mask[i]);
	return 0;
}

/*
 * MPS: the user writes 4096 bytes (as a word, then 256 bytes as a byte)
 * and reads each back; the device's register keeps the kernel's value,
 * and no config write carries another payload size to it.
 */
TEST_F(pcie, max_payload_virtual)
{
	uint16_t user, real, set;
	uint8_t lo;
	struct cfg_writes w;
	int i;

	if (!trace_start(self))
		SKIP(return, "cannot kprobe pci_write (not x86?)");
	user = uldf_cfg16(self->fd, self->devctl);
	real = sysfs_cfg16(self->bdf, self->devctl);

	set = (user & ~PCI_EXP_DEVCTL_PAYLOAD) | PCI_EXP_DEVCTL_PAYLOAD_4096B;
	ASSERT_EQ(0, uldf_wr16(self->fd, self->devctl, set));
	EXPECT_EQ(PCI_EXP_DEVCTL_PAYLOAD_4096B,
		  uldf_cfg16(self->fd, self->devctl) & PCI_EXP_DEVCTL_PAYLOAD);

	lo = (set & ~PCI_EXP_DEVCTL_PAYLOAD) | PCI_EXP_DEVCTL_PAYLOAD_256B;
	ASSERT_EQ(1, uldf_test_pwrite(self->fd, ULDF_REGION_CONFIG,
				      self->devctl, &lo, 1));
	EXPECT_EQ(PCI_EXP_DEVCTL_PAYLOAD_256B,
		  uldf_cfg16(self->fd, self->devctl) & PCI_EXP_DEVCTL_PAYLOAD);

	ASSERT_EQ(0, trace_stop(self, &w));
	EXPECT_EQ(real & PCI_EXP_DEVCTL_PAYLOAD,
		  sysfs_cfg16(self->bdf, self->devctl) & PCI_EXP_DEVCTL_PAYLOAD);
	for (i = 0; i < w.n; i++)
		EXPECT_EQ(real & PCI_EXP_DEVCTL_PAYLOAD & w.mask[i],
			  w.val[i] & PCI_EXP_DEVCTL_PAYLOAD);
}

/*
 * MRRS: the user writes 4096 bytes and reads it back; the device gets,
 * through pcie_set_readrq(), 4096 but at least the payload size (vfio's
 * floor), clamped to the payload size under pci=pcie_bus_perf.  That write
 * leaves the payload size the kernel's.
 */
TEST_F(pcie, max_read_request_through_kernel)
{
	uint16_t user, real, set, want;
	struct cfg_writes w;
	int i, mps, rq, found = 0;

	if (!trace_start(self))
		SKIP(return, "cannot kprobe pci_write (not x86?)");
	user = uldf_cfg16(self->fd, self->devctl);
	real = sysfs_cfg16(self->bdf, self->devctl);
	mps = 128 << ((real & PCI_EXP_DEVCTL_PAYLOAD) >> 5);
	rq = 4096 > mps ? 4096 : mps;
	if (cmdline_has("pci=pcie_bus_perf") && rq > mps)
		rq = mps;
	want = (__builtin_ctz(rq) - 7) << 12;

	set = (user & ~PCI_EXP_DEVCTL_READRQ) | PCI_EXP_DEVCTL_READRQ_4096B;
	ASSERT_EQ(0, uldf_wr16(self->fd, self->devctl, set));
	EXPECT_EQ(PCI_EXP_DEVCTL_READRQ_4096B,
		  uldf_cfg16(self->fd, self->devctl) & PCI_EXP_DEVCTL_READRQ);
	ASSERT_EQ(0, trace_stop(self, &w));

	/*
	 * Any later write of the register's other bits carries its read
	 * request size as read back: the new one, or with QEMU, which drops
	 * the write, the old one.
	 */
	for (i = 0; i < w.n; i++) {
		uint16_t got = w.val[i] & PCI_EXP_DEVCTL_READRQ;

		if (!(w.mask[i] & PCI_EXP_DEVCTL_READRQ))
			continue;
		if (got == want) {
			found++;
		} else {
			EXPECT_EQ(real & PCI_EXP_DEVCTL_READRQ, got);
		}
		EXPECT_EQ(real & PCI_EXP_DEVCTL_PAYLOAD & w.mask[i],
			  w.val[i] & PCI_EXP_DEVCTL_PAYLOAD);
	}
	EXPECT_LT(0, found) {
		TH_LOG("no write of read request size %d (%#06x)", rq, want);
	}
	/* Back to what the user found. */
	EXPECT_EQ(0, uldf_wr16(self->fd, self->devctl, user));
	EXPECT_EQ(user & PCI_EXP_DEVCTL_READRQ,
		  uldf_cfg16(self->fd, self->devctl) & PCI_EXP_DEVCTL_READRQ);
}

/*
 * No Snoop: the user sets Enable No Snoop and reads it back; the bit
 * reaches the device only if the IOMMU enforces coherency.  Without that a
 * No Snoop DMA could read memory around the CPU's caches: stale data of
 * a page's previous owner, from before the kernel cleared it.
 */
TEST_F(pcie, no_snoop_needs_coherency)
{
	uint16_t user, set;
	struct cfg_writes w;
	int i, found = 0;

	if (!trace_start(self))
		SKIP(return, "cannot kprobe pci_write (not x86?)");
	user = uldf_cfg16(self->fd, self->devctl);
	set = user | PCI_EXP_DEVCTL_NOSNOOP_EN;
	ASSERT_EQ(0, uldf_wr16(self->fd, self->devctl, set));
	EXPECT_TRUE(uldf_cfg16(self->fd, self->devctl) &
		    PCI_EXP_DEVCTL_NOSNOOP_EN);
	ASSERT_EQ(0, trace_stop(self, &w));
	for (i = 0; i < w.n; i++)
		if (w.mask[i] & w.val[i] & PCI_EXP_DEVCTL_NOSNOOP_EN)
			found++;
	printf("# DMA kept coherent by the IOMMU: %s\n",
	       self->coherent ? "yes" : "no");
	if (self->coherent) {
		EXPECT_LT(0, found);
	} else {
		EXPECT_EQ(0, found);
	}

	set = user & ~PCI_EXP_DEVCTL_NOSNOOP_EN;
	ASSERT_EQ(0, uldf_wr16(self->fd, self->devctl, set));
	EXPECT_FALSE(uldf_cfg16(self->fd, self->devctl) &
		     PCI_EXP_DEVCTL_NOSNOOP_EN);
}

TEST_HARNESS_MAIN
