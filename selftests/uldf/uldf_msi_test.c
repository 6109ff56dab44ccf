// SPDX-License-Identifier: GPL-2.0
/*
 * MSI IRQ fds on QEMU's edu device (edu.h), and what opening IRQ vectors
 * allows: exact counts without an EOI, the mask holding one interrupt
 * pending, every form of read (and its errors, which lose nothing), INTx and MSI excluding each other, open() refused without
 * interrupt remapping (the noremap fixture, for a boot with
 * intremap=off: tools/testbed/check), and bad arguments to
 * ULDF_DEVICE_IRQ_OPEN.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <linux/pci_regs.h>

#include "kselftest_harness.h"
#include "uldf_edu_fixture.h"

/* ---- MSI ------------------------------------------------------------------ */

/* N raised: exactly N interrupts, no EOI needed (edge-triggered). */
TEST_F(edu, msi_counts_exact)
{
	struct uldf_irq_info info;
	char line[1024], name[64];
	int fd, i;

	fd = msi_open(self->dev);
	if (fd == -EPERM)
		SKIP(return, "no interrupt remapping");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, irq_info(fd, &info));
	EXPECT_EQ(ULDF_IRQ_TYPE_MSI, info.type);
	EXPECT_FALSE(info.flags & ULDF_IRQ_INFO_MASKED);
	snprintf(name, sizeof(name), "uldf-msi0[%s]", self->bdf);
	ASSERT_EQ(0, proc_irq_line(info.irq, line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, name));
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	for (i = 0; i < 5; i++) {
		edu_raise(&self->e, 1);
		ASSERT_EQ(1, irq_wait(fd));
		edu_ack(&self->e);
	}
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	ASSERT_EQ(0, irq_info(fd, &info));
	EXPECT_EQ(5, info.count);
	/* The factorial's interrupt arrives as MSI too. */
	edu_wr(&self->e, EDU_STATUS, EDU_STATUS_FACT_IRQ);
	edu_wr(&self->e, EDU_FACT, 5);
	EXPECT_EQ(1, irq_wait(fd));
	EXPECT_EQ(120, edu_rd(&self->e, EDU_FACT));
	edu_wr(&self->e, EDU_STATUS, 0);
	edu_ack(&self->e);
	close(fd);
	EXPECT_EQ(0, proc_irq_lines("uldf"));
}

/*
 * A masked MSI vector holds back what arrives and delivers it, once, when
 * unmasked.
 */
TEST_F(edu, msi_mask_keeps_one_pending)
{
	struct uldf_irq_info info;
	int fd;

	fd = msi_open(self->dev);
	if (fd == -EPERM)
		SKIP(return, "no interrupt remapping");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, irq_write(fd, 0));
	ASSERT_EQ(0, irq_info(fd, &info));
	EXPECT_TRUE(info.flags & ULDF_IRQ_INFO_MASKED);
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	edu_raise(&self->e, 1);
	edu_raise(&self->e, 1);
	edu_raise(&self->e, 1);
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	ASSERT_EQ(0, irq_write(fd, 1));
	EXPECT_EQ(1, irq_wait(fd));
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	/* Nothing pending: the unmask delivers nothing. */
	ASSERT_EQ(0, ioctl(fd, ULDF_IRQ_MASK));
	ASSERT_EQ(0, ioctl(fd, ULDF_IRQ_UNMASK));
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	edu_raise(&self->e, 1);
	EXPECT_EQ(1, irq_wait(fd));
	/* Closed while masked with one pending: a new open starts clean. */
	ASSERT_EQ(0, irq_write(fd, 0));
	edu_raise(&self->e, 1);
	close(fd);
	fd = irq_open1(self->dev, ULDF_IRQ_TYPE_MSI, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	edu_raise(&self->e, 1);
	EXPECT_EQ(1, irq_wait(fd));
	edu_ack(&self->e);
	close(fd);
}

/* Raise one MSI and wait until the fd is readable (nothing read). */
static int msi_pending(struct uldf_test_dev *e, int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	edu_raise(e, 1);
	if (poll(&p, 1, 5000) != 1)
		return -ETIMEDOUT;
	edu_ack(e);
	return 0;
}

/*
 * Every way to read the count: read() (the fd's own read), readv() over
 * two segments and preadv2(RWF_NOWAIT) (its read_iter, as io_uring uses
 * it).  A wrong size or an unwritable buffer is an error that loses
 * nothing: the interrupt is still there for the next read.
 */
TEST_F(edu, msi_read_forms)
{
	uint64_t a = 0, big[2];
	struct iovec iov[2];
	void *bad;
	int fd;

	fd = msi_open(self->dev);
	if (fd == -EPERM)
		SKIP(return, "no interrupt remapping");
	ASSERT_LE(0, fd);
	bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, bad);
	iov[0] = (struct iovec){ .iov_base = &a, .iov_len = sizeof(a) };
	EXPECT_EQ(-1, preadv2(fd, iov, 1, -1, RWF_NOWAIT));
	EXPECT_EQ(EAGAIN, errno);

	ASSERT_EQ(0, msi_pending(&self->e, fd));
	EXPECT_EQ(-1, read(fd, &a, 4));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, read(fd, big, sizeof(big)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, read(fd, bad, sizeof(a)));
	EXPECT_EQ(EFAULT, errno);
	iov[0] = (struct iovec){ .iov_base = bad, .iov_len = 4 };
	iov[1] = (struct iovec){ .iov_base = &a, .iov_len = 4 };
	EXPECT_EQ(-1, readv(fd, iov, 2));
	EXPECT_EQ(EFAULT, errno);
	iov[0] = (struct iovec){ .iov_base = &a, .iov_len = 4 };
	iov[1] = (struct iovec){ .iov_base = (char *)&a + 4, .iov_len = 4 };
	EXPECT_EQ(sizeof(a), readv(fd, iov, 2));
	EXPECT_EQ(1, a);
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));

	ASSERT_EQ(0, msi_pending(&self->e, fd));
	a = 0;
	iov[0] = (struct iovec){ .iov_base = &a, .iov_len = sizeof(a) };
	EXPECT_EQ(sizeof(a), preadv2(fd, iov, 1, -1, RWF_NOWAIT));
	EXPECT_EQ(1, a);
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	munmap(bad, 4096);
	close(fd);
}

/* INTx and MSI exclude each other; MSI is given back on close. */
TEST_F(edu, mechanisms_exclusive)
{
	int fd, fd2;

	fd = irq_open1(self->dev, ULDF_IRQ_TYPE_INTX, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBUSY, irq_open1(self->dev, ULDF_IRQ_TYPE_MSI, 0));
	EXPECT_EQ(-EBUSY, irq_open1(self->dev, ULDF_IRQ_TYPE_INTX, 0));
	close(fd);
	fd = msi_open(self->dev);
	if (fd == -EPERM)
		SKIP(return, "no interrupt remapping");
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBUSY, irq_open1(self->dev, ULDF_IRQ_TYPE_INTX, 0));
	EXPECT_EQ(-EBUSY, irq_open1(self->dev, ULDF_IRQ_TYPE_MSI, 0));
	/* ERR and REQ go along with any mechanism. */
	fd2 = irq_open1(self->dev, ULDF_IRQ_TYPE_ERR, 0);
	EXPECT_LE(0, fd2);
	close(fd2);
	close(fd);
	/* MSI is off again, INTx masked: INTx can be had. */
	EXPECT_TRUE(uldf_test_cfg_read16(self->bdf, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
	fd = irq_open1(self->dev, ULDF_IRQ_TYPE_INTX, 0);
	ASSERT_LE(0, fd);
	edu_raise(&self->e, 1);
	EXPECT_EQ(1, irq_wait(fd));
	edu_ack(&self->e);
	close(fd);
}

/*
 * Without interrupt remapping a device that can master the bus can write
 * the MSI doorbell and forge any interrupt, MSI vector or not, so open()
 * itself is refused unless uldf.allow_unsafe_interrupts=1; what an open
 * was allowed stays allowed until its close.  Run with
 * tools/testbed/vm run --append intremap=off to exercise it.
 */
FIXTURE(noremap) {
	const char *bdf;
	int dev;
	int fd;
};

FIXTURE_SETUP(noremap)
{
	self->dev = self->fd = -1;
	self->bdf = uldf_test_bdf("ULDF_EDU_BDF", ULDF_DEFAULT_EDU);
	if (!uldf_test_module_loaded())
		SKIP(return, "uldf.ko not loaded; run through 'make check'");
	if (!uldf_test_device_exists(self->bdf))
		SKIP(return, "no edu device at %s; run through 'make check'",
		     self->bdf);
	if (interrupt_remapping())
		SKIP(return, "interrupt remapping is on (boot with intremap=off)");
	if (!getenv("ULDF_IOMMU") || strcmp(getenv("ULDF_IOMMU"), "1"))
		SKIP(return, "no IOMMU: a device without an IOMMU group is not checked");
	ASSERT_EQ(0, uldf_test_write_param("allow_unsafe_interrupts", "0"));
	ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
}

FIXTURE_TEARDOWN(noremap)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->dev >= 0)
		close(self->dev);
	uldf_test_write_param("allow_unsafe_interrupts", "0");
	uldf_test_unbind(self->bdf);
}

TEST_F(noremap, open_needs_isolated_msi)
{
	int logged = uldf_test_dmesg_count("allow_unsafe_interrupts");
	struct uldf_test_dev e;

	/* Earlier refusals may have used up the log's rate limit (5 s). */
	if (logged > 0)
		sleep(6);
	self->dev = uldf_test_open(self->bdf);
	EXPECT_EQ(-EPERM, self->dev);
	if (self->dev >= 0) {
		close(self->dev);
		self->dev = -1;
	}
	/* The log names the parameter that would allow it. */
	EXPECT_LT(logged, uldf_test_dmesg_count("allow_unsafe_interrupts"));

	/* Allowed at open: MSI works, even with the parameter reset after. */
	ASSERT_EQ(0, uldf_test_write_param("allow_unsafe_interrupts", "1"));
	self->dev = uldf_test_open(self->bdf);
	ASSERT_EQ(0, uldf_test_write_param("allow_unsafe_interrupts", "0"));
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, edu_attach(&e, self->dev));
	self->fd = msi_open(self->dev);
	ASSERT_LE(0, self->fd);
	edu_raise(&e, 1);
	EXPECT_EQ(1, irq_wait(self->fd));
	edu_ack(&e);
}

/* ---- bad input ------------------------------------------------------------ */

TEST_F(edu, bad_open)
{
	struct uldf_irq_open op = { .argsz = sizeof(op) + 4, .count = 1 };
	struct uldf_device_info info = { .argsz = sizeof(info) };
	int fds[2], fd;

	ASSERT_EQ(0, ioctl(self->dev, ULDF_DEVICE_GET_INFO, &info));
	EXPECT_EQ(-EINVAL, irq_open(self->dev, ULDF_NUM_IRQ_TYPES, 0, 1, 0,
				    fds));
	EXPECT_EQ(-EINVAL, irq_open(self->dev, 77, 0, 1, 0, fds));
	EXPECT_EQ(-EINVAL, irq_open(self->dev, ULDF_IRQ_TYPE_INTX, 0, 1,
				    1 << 7, fds));
	EXPECT_EQ(-EINVAL, irq_open(self->dev, ULDF_IRQ_TYPE_INTX, 0, 0, 0,
				    fds));
	EXPECT_EQ(-EINVAL, irq_open(self->dev, ULDF_IRQ_TYPE_MSI, 0, 1,
				    ULDF_IRQ_OPEN_UNMASK_ON_READ, fds));
	EXPECT_EQ(-ERANGE, irq_open(self->dev, ULDF_IRQ_TYPE_INTX, 1, 1, 0,
				    fds));
	EXPECT_EQ(-ERANGE, irq_open(self->dev, ULDF_IRQ_TYPE_INTX, 0, 2, 0,
				    fds));
	EXPECT_EQ(-ERANGE, irq_open(self->dev, ULDF_IRQ_TYPE_MSI,
				    info.num_irqs[ULDF_IRQ_TYPE_MSI], 1, 0,
				    fds));
	EXPECT_EQ(-ERANGE, irq_open(self->dev, ULDF_IRQ_TYPE_MSIX, 0, 1, 0,
				    fds));
	EXPECT_EQ(-ERANGE, irq_open(self->dev, ULDF_IRQ_TYPE_REQ, 1, 1, 0,
				    fds));
	EXPECT_EQ(-ERANGE, irq_open(self->dev, ULDF_IRQ_TYPE_INTX, 0xffffffff,
				    2, 0, fds));

	/* Out of range is told before the room for descriptors. */
	op.type = ULDF_IRQ_TYPE_MSI;
	op.count = 0x10000000;
	EXPECT_EQ(-1, ioctl(self->dev, ULDF_DEVICE_IRQ_OPEN, &op));
	EXPECT_EQ(ERANGE, errno);
	op.count = 1;

	/* argsz without room for the descriptors; padding not zero. */
	op.type = ULDF_IRQ_TYPE_INTX;
	op.argsz = sizeof(op);
	EXPECT_EQ(-1, ioctl(self->dev, ULDF_DEVICE_IRQ_OPEN, &op));
	EXPECT_EQ(EINVAL, errno);
	op.argsz = 8;
	EXPECT_EQ(-1, ioctl(self->dev, ULDF_DEVICE_IRQ_OPEN, &op));
	EXPECT_EQ(EINVAL, errno);
	op.argsz = sizeof(op) + 4;
	op.pad = 1;
	EXPECT_EQ(-1, ioctl(self->dev, ULDF_DEVICE_IRQ_OPEN, &op));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->dev, ULDF_DEVICE_IRQ_OPEN, (void *)8));
	EXPECT_EQ(EFAULT, errno);

	/* The same vector twice. */
	fd = irq_open1(self->dev, ULDF_IRQ_TYPE_INTX, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBUSY, irq_open1(self->dev, ULDF_IRQ_TYPE_INTX, 0));
	close(fd);
	fd = irq_open1(self->dev, ULDF_IRQ_TYPE_REQ, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBUSY, irq_open1(self->dev, ULDF_IRQ_TYPE_REQ, 0));
	close(fd);
	/* Nothing was left behind by the failures. */
	EXPECT_EQ(0, proc_irq_lines("uldf"));
}

TEST_HARNESS_MAIN
