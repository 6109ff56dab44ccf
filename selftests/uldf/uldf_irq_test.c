// SPDX-License-Identifier: GPL-2.0
/*
 * IRQ fds on QEMU's edu device: INTx (DisINTx masking, EOI, unmask-on-read,
 * the shared line, the exclusive fallback), MSI (counts, mask and the
 * pending interrupt), every way of waiting (read, poll, epoll, io_uring
 * single and multishot, SIGIO), the VMM eventfd wiring, the ERR and REQ
 * notifications, teardown (close, device close, removal, SIGKILL during a
 * storm), bad input, and open() refused without interrupt remapping.
 *
 * edu raises its interrupt when BAR0+0x60 is written (the value is ORed
 * into the status at 0x24, acknowledged by writing 0x64), when a factorial
 * finishes with bit 0x80 of 0x20 set, and after a DMA with bit 2 of the
 * command.  As long as the status is not zero, edu asserts INTx; with MSI
 * enabled every raise sends one message.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <liburing.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <linux/pci_regs.h>

#include "kselftest_harness.h"
#include "edu.h"
#include "uldf_irq_util.h"

/* IORING_OP_READ_MULTISHOT (Linux 6.7), newer than liburing 2.3. */
#define ULDF_IORING_OP_READ_MULTISHOT	49

/* ---- the fixture: edu bound to uldf, opened, BAR0 mapped --------------- */

FIXTURE(edu) {
	const char *bdf;
	int dev;
	struct uldf_test_dev e;
};

FIXTURE_SETUP(edu)
{
	int ret;

	self->dev = -1;
	self->bdf = uldf_test_bdf("ULDF_EDU_BDF", ULDF_DEFAULT_EDU);
	if (!uldf_test_module_loaded())
		SKIP(return, "uldf.ko not loaded; run through 'make check'");
	if (!uldf_test_device_exists(self->bdf))
		SKIP(return, "no edu device at %s; run through 'make check'",
		     self->bdf);
	ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
	self->dev = uldf_test_open(self->bdf);
	if (self->dev == -EPERM && !interrupt_remapping())
		SKIP(return, "no interrupt remapping: open refused (noremap covers it)");
	ASSERT_LE(0, self->dev);
	ret = edu_attach(&self->e, self->dev);
	if (ret == -EOPNOTSUPP)
		SKIP(return, "no BAR access through the device fd");
	ASSERT_EQ(0, ret);
	edu_ack(&self->e);
}

FIXTURE_TEARDOWN(edu)
{
	if (self->dev >= 0) {
		edu_ack(&self->e);
		close(self->dev);
	}
	uldf_test_unbind(self->bdf);
}

/* ---- INTx ---------------------------------------------------------------- */

/* N raised, each acknowledged then EOIed: exactly N reads of 1. */
TEST_F(edu, intx_counts_exact)
{
	struct uldf_irq_info info;
	int fd, i;

	fd = irq_open1(self->dev, ULDF_IRQ_TYPE_INTX, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	for (i = 0; i < 5; i++) {
		edu_raise(&self->e, 1);
		ASSERT_EQ(1, irq_wait(fd));
		EXPECT_EQ(1, edu_rd(&self->e, EDU_IRQ_STATUS));
		ASSERT_EQ(0, irq_info(fd, &info));
		EXPECT_TRUE(info.flags & ULDF_IRQ_INFO_MASKED);
		edu_ack(&self->e);
		ASSERT_EQ(0, irq_eoi(fd));
	}
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	ASSERT_EQ(0, irq_info(fd, &info));
	EXPECT_EQ(5, info.count);
	EXPECT_EQ(ULDF_IRQ_TYPE_INTX, info.type);
	EXPECT_EQ(0, info.index);
	EXPECT_EQ(uldf_test_sysfs_num(self->bdf, "irq"), info.irq);
	EXPECT_FALSE(info.flags & ULDF_IRQ_INFO_MASKED);
	EXPECT_EQ(1, fdinfo_has(fd, "uldf-vector:\tintx 0"));
	EXPECT_EQ(1, fdinfo_has(fd, "uldf-count:\t0 unread, 5 total"));
	close(fd);
}

/* Raised again while masked: nothing until the EOI, then exactly once. */
TEST_F(edu, intx_raised_while_masked)
{
	int fd;

	fd = irq_open1(self->dev, ULDF_IRQ_TYPE_INTX, 0);
	ASSERT_LE(0, fd);
	edu_raise(&self->e, 1);
	ASSERT_EQ(1, irq_wait(fd));
	edu_ack(&self->e);
	edu_raise(&self->e, 2);		/* while masked */
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	ASSERT_EQ(0, irq_eoi(fd));	/* still asserted: counted at once */
	EXPECT_EQ(1, irq_read(fd));
	EXPECT_EQ(2, edu_rd(&self->e, EDU_IRQ_STATUS));
	edu_ack(&self->e);
	ASSERT_EQ(0, irq_eoi(fd));	/* nothing pending: only unmasks */
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	edu_raise(&self->e, 1);
	EXPECT_EQ(1, irq_wait(fd));
	close(fd);
}

/* An EOI while the device still asserts re-fires, every time. */
TEST_F(edu, intx_eoi_refires)
{
	int fd, i;

	fd = irq_open1(self->dev, ULDF_IRQ_TYPE_INTX, 0);
	ASSERT_LE(0, fd);
	edu_raise(&self->e, 1);
	ASSERT_EQ(1, irq_wait(fd));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, ioctl(fd, ULDF_IRQ_UNMASK));
		EXPECT_EQ(1, irq_read(fd));
	}
	edu_ack(&self->e);
	ASSERT_EQ(0, irq_eoi(fd));
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	close(fd);
}

/*
 * DisINTx cleared behind uldf's back while the vector is masked and the
 * function asserts (what a command-register write racing the handler
 * does): the handler masks again without counting, the EOI delivers the
 * interrupt once, and the line is not left screaming.
 */
TEST_F(edu, intx_disintx_cleared_while_masked)
{
	int cmd, fd;

	fd = irq_open1(self->dev, ULDF_IRQ_TYPE_INTX, 0);
	ASSERT_LE(0, fd);
	edu_raise(&self->e, 1);
	ASSERT_EQ(1, irq_wait(fd));
	cmd = uldf_test_cfg_read16(self->bdf, PCI_COMMAND);
	ASSERT_TRUE(cmd & PCI_COMMAND_INTX_DISABLE);
	ASSERT_EQ(0, uldf_test_cfg_write16(self->bdf, PCI_COMMAND,
				 cmd & ~PCI_COMMAND_INTX_DISABLE));
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	EXPECT_TRUE(uldf_test_cfg_read16(self->bdf, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
	ASSERT_EQ(0, irq_eoi(fd));
	EXPECT_EQ(1, irq_read(fd));
	edu_ack(&self->e);
	ASSERT_EQ(0, irq_eoi(fd));
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	edu_raise(&self->e, 1);
	EXPECT_EQ(1, irq_wait(fd));
	edu_ack(&self->e);
	close(fd);
	EXPECT_EQ(0, uldf_test_dmesg_count("nobody cared"));
}

/* A pending interrupt at open time is delivered at once. */
TEST_F(edu, intx_pending_at_open)
{
	int fd;

	edu_raise(&self->e, 1);
	fd = irq_open1(self->dev, ULDF_IRQ_TYPE_INTX, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(1, irq_read(fd));
	edu_ack(&self->e);
	ASSERT_EQ(0, irq_eoi(fd));
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	close(fd);
}

/* The user's mask holds an interrupt back; the unmask delivers it once. */
TEST_F(edu, intx_user_mask)
{
	struct uldf_irq_info info;
	int fd;

	fd = irq_open1(self->dev, ULDF_IRQ_TYPE_INTX, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, irq_write(fd, 0));
	ASSERT_EQ(0, irq_info(fd, &info));
	EXPECT_TRUE(info.flags & ULDF_IRQ_INFO_MASKED);
	EXPECT_TRUE(uldf_test_cfg_read16(self->bdf, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
	edu_raise(&self->e, 1);
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	ASSERT_EQ(0, ioctl(fd, ULDF_IRQ_MASK));	/* idempotent */
	ASSERT_EQ(0, irq_write(fd, 1));
	EXPECT_EQ(1, irq_read(fd));
	edu_ack(&self->e);
	ASSERT_EQ(0, irq_eoi(fd));
	EXPECT_FALSE(uldf_test_cfg_read16(self->bdf, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	close(fd);
}

/* A factorial with its interrupt bit set interrupts when it completes. */
TEST_F(edu, intx_factorial)
{
	int fd;

	fd = irq_open1(self->dev, ULDF_IRQ_TYPE_INTX, 0);
	ASSERT_LE(0, fd);
	edu_wr(&self->e, EDU_STATUS, EDU_STATUS_FACT_IRQ);
	edu_wr(&self->e, EDU_FACT, 10);
	ASSERT_EQ(1, irq_wait(fd));
	EXPECT_EQ(EDU_FACT_IRQ, edu_rd(&self->e, EDU_IRQ_STATUS));
	EXPECT_EQ(3628800, edu_rd(&self->e, EDU_FACT));
	edu_wr(&self->e, EDU_STATUS, 0);
	edu_ack(&self->e);
	ASSERT_EQ(0, irq_eoi(fd));
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	close(fd);
}

/* Raise an interrupt from another thread, once the caller is waiting. */
static void *raise_later(void *arg)
{
	struct uldf_test_dev *e = arg;

	usleep(100 * 1000);
	edu_raise(e, 1);
	return NULL;
}

/*
 * Unmask-on-read mode, waited for the way a non-blocking or io_uring user
 * does: the read performs the EOI the previous read owed, even when it
 * then finds nothing (EAGAIN); then poll, then read again.
 */
static long long uor_wait(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	long long n;

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	n = irq_read(fd);
	fcntl(fd, F_SETFL, fl);
	return n == -EAGAIN ? irq_wait(fd) : n;
}

/*
 * Unmask-on-read: each read() performs the EOI that the previous read()
 * owed, then blocks; one system call per interrupt.
 */
TEST_F(edu, intx_unmask_on_read)
{
	struct uldf_irq_info info;
	pthread_t t;
	int fd, i;

	fd = irq_open1(self->dev, ULDF_IRQ_TYPE_INTX,
		       ULDF_IRQ_OPEN_UNMASK_ON_READ);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, irq_info(fd, &info));
	EXPECT_TRUE(info.flags & ULDF_IRQ_INFO_UNMASK_ON_READ);
	for (i = 0; i < 4; i++) {
		edu_raise(&self->e, 1);
		ASSERT_EQ(1, uor_wait(fd));	/* leaves it masked */
		ASSERT_EQ(0, irq_info(fd, &info));
		EXPECT_TRUE(info.flags & ULDF_IRQ_INFO_MASKED);
		edu_ack(&self->e);
	}
	/* A raise while masked waits for the next read's EOI. */
	edu_raise(&self->e, 1);
	EXPECT_EQ(0, readable(fd, QUIET_MS));
	EXPECT_EQ(1, irq_read(fd));	/* EOI finds it asserted */
	edu_ack(&self->e);
	/* This read unmasks (nothing pending) and finds nothing. */
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	ASSERT_EQ(0, irq_info(fd, &info));
	EXPECT_FALSE(info.flags & ULDF_IRQ_INFO_MASKED);
	EXPECT_EQ(5, info.count);

	/* The plain blocking loop: read, service, read... */
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, pthread_create(&t, NULL, raise_later, &self->e));
		EXPECT_EQ(1, irq_read(fd));
		pthread_join(t, NULL);
		edu_ack(&self->e);
	}
	close(fd);
}

/* A blocked read() wakes for the interrupt. */
TEST_F(edu, intx_blocking_read)
{
	pthread_t t;
	int fd;

	fd = irq_open1(self->dev, ULDF_IRQ_TYPE_INTX, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pthread_create(&t, NULL, raise_later, &self->e));
	EXPECT_EQ(1, irq_read(fd));
	pthread_join(t, NULL);
	close(fd);
}

/*
 * The shared-line path: when another edu shares the line, each handler
 * claims only its own function's interrupts (IRQ_NONE otherwise) and no
 * interrupt is left unhandled.
 */
TEST_F(edu, intx_shared_line)
{
	const char *bdf2 = uldf_test_bdf("ULDF_HP_EDU_BDF", ULDF_DEFAULT_HP_EDU);
	struct uldf_irq_info info, info2;
	struct uldf_test_dev e2;
	char line[1024], name[64];
	int dev2, fd, fd2, i;
	long unhandled;

	fd = irq_open1(self->dev, ULDF_IRQ_TYPE_INTX, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, irq_info(fd, &info));
	EXPECT_TRUE(info.flags & ULDF_IRQ_INFO_SHARED);
	snprintf(name, sizeof(name), "uldf-intx[%s]", self->bdf);
	ASSERT_EQ(0, proc_irq_line(info.irq, line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, name));

	if (!uldf_test_device_exists(bdf2)) {
		close(fd);
		SKIP(return, "no second edu at %s", bdf2);
	}
	ASSERT_EQ(0, uldf_test_bind(bdf2, "uldf"));
	if (uldf_test_sysfs_num(bdf2, "irq") != info.irq) {
		close(fd);
		uldf_test_unbind(bdf2);
		SKIP(return, "%s is not on interrupt %u", bdf2, info.irq);
	}
	dev2 = uldf_test_open(bdf2);
	ASSERT_LE(0, dev2);
	ASSERT_EQ(0, edu_attach(&e2, dev2));
	edu_ack(&e2);
	fd2 = irq_open1(dev2, ULDF_IRQ_TYPE_INTX, 0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, irq_info(fd2, &info2));
	EXPECT_EQ(info.irq, info2.irq);
	ASSERT_EQ(0, proc_irq_line(info.irq, line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, name));
	snprintf(name, sizeof(name), "uldf-intx[%s]", bdf2);
	EXPECT_NE(NULL, strstr(line, name));

	unhandled = irq_unhandled(info.irq);
	for (i = 0; i < 3; i++) {
		edu_raise(&self->e, 1);
		ASSERT_EQ(1, irq_wait(fd));
		EXPECT_EQ(-EAGAIN, irq_quiet(fd2));
		edu_ack(&self->e);
		ASSERT_EQ(0, irq_eoi(fd));

		edu_raise(&e2, 1);
		ASSERT_EQ(1, irq_wait(fd2));
		EXPECT_EQ(-EAGAIN, irq_quiet(fd));
		edu_ack(&e2);
		ASSERT_EQ(0, irq_eoi(fd2));
	}
	EXPECT_EQ(unhandled, irq_unhandled(info.irq));
	ASSERT_EQ(0, irq_info(fd, &info));
	ASSERT_EQ(0, irq_info(fd2, &info2));
	EXPECT_EQ(3, info.count);
	EXPECT_EQ(3, info2.count);

	close(fd2);
	close(dev2);
	uldf_test_unbind(bdf2);
	close(fd);
}

/*
 * uldf.nointxmask=1: the line is taken exclusively and masked at the
 * interrupt controller; the EOI semantics are the same.
 */
TEST_F(edu, intx_exclusive_fallback)
{
	struct uldf_irq_info info;
	int fd, i;

	ASSERT_EQ(0, uldf_test_write_param("nointxmask", "1"));
	fd = irq_open1(self->dev, ULDF_IRQ_TYPE_INTX, 0);
	uldf_test_write_param("nointxmask", "0");
	if (fd == -EBUSY)
		SKIP(return, "the INTx line is in use by another driver");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, irq_info(fd, &info));
	EXPECT_FALSE(info.flags & ULDF_IRQ_INFO_SHARED);
	for (i = 0; i < 3; i++) {
		edu_raise(&self->e, 1);
		ASSERT_EQ(1, irq_wait(fd));
		EXPECT_EQ(-EAGAIN, irq_quiet(fd));	/* masked */
		edu_ack(&self->e);
		ASSERT_EQ(0, irq_eoi(fd));
	}
	/* Still asserted at the EOI: the controller fires again at once. */
	edu_raise(&self->e, 1);
	ASSERT_EQ(1, irq_wait(fd));
	ASSERT_EQ(0, irq_eoi(fd));
	EXPECT_EQ(1, irq_wait(fd));
	edu_ack(&self->e);
	ASSERT_EQ(0, irq_eoi(fd));
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	/* A user mask holds it back. */
	ASSERT_EQ(0, irq_write(fd, 0));
	edu_raise(&self->e, 1);
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	ASSERT_EQ(0, irq_write(fd, 1));
	EXPECT_EQ(1, irq_wait(fd));
	edu_ack(&self->e);
	close(fd);
	EXPECT_TRUE(uldf_test_cfg_read16(self->bdf, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
	EXPECT_EQ(0, proc_irq_lines("uldf"));
}

/* ---- the line's IRQ_DISABLE_UNLAZY, seen with a kprobe ------------------ */

#define KPROBE_DISABLE	"uldf_irq_test/irq_disable"
#define IRQ_DISABLE_UNLAZY_BIT	(1u << 19)	/* include/linux/irq.h */

/*
 * The irq_desc status flags that irq_disable() found for @irq in the last
 * traced call, or -ENOENT if it was not called for @irq.
 */
static long long traced_status(const char *dir, unsigned int irq)
{
	char path[256], line[512], *p;
	unsigned int at, st;
	long long found = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace", dir);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		p = strstr(line, " irq=");
		if (strstr(line, "irq_disable:") && p &&
		    sscanf(p, " irq=%u st=%x", &at, &st) == 2 && at == irq)
			found = st;
	}
	fclose(f);
	return found;
}

/*
 * uldf.nointxmask=1 takes the line exclusively and sets its
 * IRQ_DISABLE_UNLAZY, so that masking it at the controller happens at
 * once.  A second function on the same line then fails to open INTx; it
 * must not clear the flag that the first one set and still relies on.
 * Seen with a kprobe on irq_disable(), which reads the flag when the
 * first function's handler masks the line.
 */
TEST_F(edu, intx_exclusive_busy_keeps_unlazy)
{
	const char *bdf2 = uldf_test_bdf("ULDF_HP_EDU_BDF", ULDF_DEFAULT_HP_EDU);
	struct uldf_irq_info info;
	const char *dir;
	char probe[256];
	int dev2, fd, fd2;
	long long st;

	if (!uldf_test_device_exists(bdf2))
		SKIP(return, "no second edu at %s", bdf2);
	dir = uldf_test_tracefs();
	if (!dir)
		SKIP(return, "no tracefs");
	ASSERT_EQ(0, uldf_test_write_param("nointxmask", "1"));
	fd = irq_open1(self->dev, ULDF_IRQ_TYPE_INTX, 0);
	if (fd == -EBUSY) {
		uldf_test_write_param("nointxmask", "0");
		SKIP(return, "the INTx line is in use by another driver");
	}
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, irq_info(fd, &info));
	ASSERT_EQ(0, uldf_test_bind(bdf2, "uldf"));
	if (uldf_test_sysfs_num(bdf2, "irq") != info.irq) {
		uldf_test_write_param("nointxmask", "0");
		close(fd);
		uldf_test_unbind(bdf2);
		SKIP(return, "%s is not on interrupt %u", bdf2, info.irq);
	}
	dev2 = uldf_test_open(bdf2);
	ASSERT_LE(0, dev2);
	fd2 = irq_open1(dev2, ULDF_IRQ_TYPE_INTX, 0);
	uldf_test_write_param("nointxmask", "0");
	EXPECT_EQ(-EBUSY, fd2);
	if (fd2 >= 0)
		close(fd2);
	close(dev2);
	uldf_test_unbind(bdf2);

	uldf_test_write_str(dir, "kprobe_events", "-:" KPROBE_DISABLE "\n", true);
	snprintf(probe, sizeof(probe), "p:%s irq_disable irq=desc->irq_data.irq:u32 st=desc->status_use_accessors:x32\n",
		 KPROBE_DISABLE);
	if (uldf_test_write_str(dir, "kprobe_events", probe, true)) {
		close(fd);
		SKIP(return, "cannot kprobe irq_disable() with BTF arguments");
	}
	ASSERT_EQ(0, uldf_test_write_str(dir, "trace", "", false));
	ASSERT_EQ(0, uldf_test_write_str(dir, "events/" KPROBE_DISABLE "/enable", "1", false));
	edu_raise(&self->e, 1);
	EXPECT_EQ(1, irq_wait(fd));
	uldf_test_write_str(dir, "events/" KPROBE_DISABLE "/enable", "0", false);
	st = traced_status(dir, info.irq);
	uldf_test_write_str(dir, "kprobe_events", "-:" KPROBE_DISABLE "\n", true);
	ASSERT_LE(0, st);
	EXPECT_TRUE(st & IRQ_DISABLE_UNLAZY_BIT) {
		TH_LOG("interrupt %u: status %#llx, no IRQ_DISABLE_UNLAZY",
		       info.irq, st);
	}
	edu_ack(&self->e);
	ASSERT_EQ(0, irq_eoi(fd));
	close(fd);
}

/*
 * The user's virtual Interrupt Disable bit (command register, through the
 * device fd's config region) masks INTx; clearing it delivers what is
 * pending.
 */
TEST_F(edu, intx_virtual_disable)
{
	uint64_t off = ULDF_REGION_OFFSET(ULDF_REGION_CONFIG) + PCI_COMMAND;
	uint16_t cmd;
	int fd;

	if (pread(self->dev, &cmd, 2, off) != 2)
		SKIP(return, "no config region on the device fd yet");
	fd = irq_open1(self->dev, ULDF_IRQ_TYPE_INTX, 0);
	ASSERT_LE(0, fd);
	/* Whatever the bit shows at open, start from "enabled". */
	cmd &= ~PCI_COMMAND_INTX_DISABLE;
	ASSERT_EQ(2, pwrite(self->dev, &cmd, 2, off));
	edu_raise(&self->e, 1);
	ASSERT_EQ(1, irq_wait(fd));
	edu_ack(&self->e);
	ASSERT_EQ(0, irq_eoi(fd));

	cmd |= PCI_COMMAND_INTX_DISABLE;
	ASSERT_EQ(2, pwrite(self->dev, &cmd, 2, off));
	ASSERT_EQ(2, pread(self->dev, &cmd, 2, off));
	EXPECT_TRUE(cmd & PCI_COMMAND_INTX_DISABLE);
	edu_raise(&self->e, 1);
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	ASSERT_EQ(0, irq_eoi(fd));		/* no effect while disabled */
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	cmd &= ~PCI_COMMAND_INTX_DISABLE;
	ASSERT_EQ(2, pwrite(self->dev, &cmd, 2, off));
	EXPECT_EQ(1, irq_wait(fd));
	edu_ack(&self->e);
	ASSERT_EQ(0, irq_eoi(fd));
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	close(fd);
}

/* Closing the IRQ fd frees the interrupt and leaves INTx disabled. */
TEST_F(edu, intx_close_cleans_up)
{
	char name[64];
	int fd;

	snprintf(name, sizeof(name), "uldf-intx[%s]", self->bdf);
	EXPECT_TRUE(uldf_test_cfg_read16(self->bdf, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
	fd = irq_open1(self->dev, ULDF_IRQ_TYPE_INTX, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(1, proc_irq_lines(name));
	EXPECT_FALSE(uldf_test_cfg_read16(self->bdf, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
	edu_raise(&self->e, 1);
	ASSERT_EQ(1, readable(fd, WAIT_MS));
	close(fd);			/* with an interrupt pending */
	EXPECT_EQ(0, proc_irq_lines("uldf"));
	EXPECT_TRUE(uldf_test_cfg_read16(self->bdf, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
	/* And it can be opened again, getting the pending interrupt. */
	fd = irq_open1(self->dev, ULDF_IRQ_TYPE_INTX, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(1, irq_read(fd));
	close(fd);
}

/* Closing the device fd kills its IRQ fds and wakes a blocked reader. */
static void *read_in_thread(void *arg)
{
	int fd = *(int *)arg;

	return (void *)(intptr_t)irq_read(fd);
}

TEST_F(edu, device_close_kills_irq_fds)
{
	struct uldf_irq_info info;
	struct pollfd p;
	pthread_t t;
	void *res;
	int fd, req;

	fd = irq_open1(self->dev, ULDF_IRQ_TYPE_INTX, 0);
	ASSERT_LE(0, fd);
	req = irq_open1(self->dev, ULDF_IRQ_TYPE_REQ, 0);
	ASSERT_LE(0, req);
	ASSERT_EQ(0, pthread_create(&t, NULL, read_in_thread, &fd));
	usleep(100 * 1000);
	close(self->dev);
	self->dev = -1;
	pthread_join(t, &res);
	EXPECT_EQ(-ENODEV, (intptr_t)res);

	EXPECT_EQ(-ENODEV, irq_read(fd));
	EXPECT_EQ(-ENODEV, irq_eoi(fd));
	EXPECT_EQ(-ENODEV, irq_info(fd, &info));
	EXPECT_EQ(-1, ioctl(fd, ULDF_IRQ_TRIGGER));
	EXPECT_EQ(ENODEV, errno);
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	EXPECT_EQ(1, poll(&p, 1, 0));
	EXPECT_TRUE(p.revents & (POLLERR | POLLHUP));
	EXPECT_EQ(-ENODEV, irq_read(req));
	EXPECT_EQ(0, proc_irq_lines("uldf"));
	EXPECT_TRUE(uldf_test_cfg_read16(self->bdf, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);

	/* The device can be opened again while the dead fds linger. */
	self->dev = uldf_test_open(self->bdf);
	ASSERT_LE(0, self->dev);
	close(fd);
	close(req);
}

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
	edu_ack(&e);
	self->fd = msi_open(self->dev);
	ASSERT_LE(0, self->fd);
	edu_raise(&e, 1);
	EXPECT_EQ(1, irq_wait(self->fd));
	edu_ack(&e);
}

/* An interrupt after a DMA transfer, once DMA mapping is available. */
TEST_F(edu, dma_interrupt)
{
	struct uldf_dma_map map = { .argsz = sizeof(map) };
	long psz = sysconf(_SC_PAGESIZE);
	uint8_t *buf;
	int fd;

	buf = mmap(NULL, psz, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	memset(buf, 0x5a, psz);
	map.flags = ULDF_DMA_MAP_READ | ULDF_DMA_MAP_WRITE;
	map.vaddr = (uintptr_t)buf;
	map.size = psz;
	map.iova_limit = 0x0fffffff;
	if (ioctl(self->dev, ULDF_DMA_MAP, &map)) {
		munmap(buf, psz);
		if (errno == ENOTTY || errno == ENODEV)
			SKIP(return, "no DMA mapping (%s)", strerror(errno));
		ASSERT_EQ(0, errno);
	}
	ASSERT_EQ(0, set_bus_master(self->dev));
	fd = irq_open1(self->dev, ULDF_IRQ_TYPE_INTX, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, edu_dma_start(&self->e, map.iova, EDU_DMA_BUF, 64,
				   EDU_DMA_IRQ));
	EXPECT_EQ(1, irq_wait(fd));
	EXPECT_EQ(EDU_DMA_IRQ_STATUS, edu_rd(&self->e, EDU_IRQ_STATUS));
	edu_ack(&self->e);
	ASSERT_EQ(0, irq_eoi(fd));
	close(fd);
	munmap(buf, psz);
}

/* ---- ways of waiting --------------------------------------------------- */

enum waiter {
	WAIT_POLL,
	WAIT_EPOLL,
	WAIT_URING,
	WAIT_URING_MULTISHOT,
	WAIT_SIGIO,
};

FIXTURE(wake) {
	const char *bdf;
	int dev;
	int fd;
	struct uldf_test_dev e;
	int epfd;
	struct io_uring ring;
	bool ring_up;
	struct io_uring_buf_ring *br;
	uint64_t bufs[8];
	uint64_t ubuf;
	sigset_t sigio;
};

FIXTURE_VARIANT(wake) {
	enum waiter how;
	uint32_t type;
};

#define WAKE_VARIANT(name, w, t) \
	FIXTURE_VARIANT_ADD(wake, name) { .how = w, .type = t }
WAKE_VARIANT(intx_poll, WAIT_POLL, ULDF_IRQ_TYPE_INTX);
WAKE_VARIANT(intx_epoll, WAIT_EPOLL, ULDF_IRQ_TYPE_INTX);
WAKE_VARIANT(intx_io_uring, WAIT_URING, ULDF_IRQ_TYPE_INTX);
WAKE_VARIANT(intx_io_uring_multishot, WAIT_URING_MULTISHOT, ULDF_IRQ_TYPE_INTX);
WAKE_VARIANT(intx_sigio, WAIT_SIGIO, ULDF_IRQ_TYPE_INTX);
WAKE_VARIANT(msi_poll, WAIT_POLL, ULDF_IRQ_TYPE_MSI);
WAKE_VARIANT(msi_epoll, WAIT_EPOLL, ULDF_IRQ_TYPE_MSI);
WAKE_VARIANT(msi_io_uring, WAIT_URING, ULDF_IRQ_TYPE_MSI);
WAKE_VARIANT(msi_io_uring_multishot, WAIT_URING_MULTISHOT, ULDF_IRQ_TYPE_MSI);
WAKE_VARIANT(msi_sigio, WAIT_SIGIO, ULDF_IRQ_TYPE_MSI);

FIXTURE_SETUP(wake)
{
	int ret;

	self->dev = -1;
	self->fd = -1;
	self->epfd = -1;
	self->ring_up = false;
	self->bdf = uldf_test_bdf("ULDF_EDU_BDF", ULDF_DEFAULT_EDU);
	if (!uldf_test_module_loaded())
		SKIP(return, "uldf.ko not loaded; run through 'make check'");
	if (!uldf_test_device_exists(self->bdf))
		SKIP(return, "no edu device at %s; run through 'make check'",
		     self->bdf);
	ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
	self->dev = uldf_test_open(self->bdf);
	if (self->dev == -EPERM && !interrupt_remapping())
		SKIP(return, "no interrupt remapping: open refused (noremap covers it)");
	ASSERT_LE(0, self->dev);
	ret = edu_attach(&self->e, self->dev);
	if (ret == -EOPNOTSUPP)
		SKIP(return, "no BAR access through the device fd");
	ASSERT_EQ(0, ret);
	edu_ack(&self->e);
	if (variant->type == ULDF_IRQ_TYPE_MSI) {
		self->fd = msi_open(self->dev);
		if (self->fd == -EPERM)
			SKIP(return, "no interrupt remapping");
	} else {
		self->fd = irq_open1(self->dev, variant->type, 0);
	}
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(wake)
{
	if (self->ring_up)
		io_uring_queue_exit(&self->ring);
	if (self->epfd >= 0)
		close(self->epfd);
	if (self->fd >= 0)
		close(self->fd);
	if (self->dev >= 0) {
		edu_ack(&self->e);
		close(self->dev);
	}
	uldf_test_unbind(self->bdf);
}

static int uring_submit_read(FIXTURE_DATA(wake) *self)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&self->ring);

	io_uring_prep_read(sqe, self->fd, &self->ubuf, 8, 0);
	return io_uring_submit(&self->ring);
}

static void wake_arm(struct __test_metadata *_metadata,
		     FIXTURE_DATA(wake) *self, enum waiter how)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct io_uring_buf_reg reg = { 0 };
	struct io_uring_sqe *sqe;
	int i;

	switch (how) {
	case WAIT_POLL:
		break;
	case WAIT_EPOLL:
		self->epfd = epoll_create1(EPOLL_CLOEXEC);
		ASSERT_LE(0, self->epfd);
		ASSERT_EQ(0, epoll_ctl(self->epfd, EPOLL_CTL_ADD, self->fd,
				       &ev));
		break;
	case WAIT_URING:
		ASSERT_EQ(0, io_uring_queue_init(8, &self->ring, 0));
		self->ring_up = true;
		ASSERT_EQ(1, uring_submit_read(self));
		break;
	case WAIT_URING_MULTISHOT:
		ASSERT_EQ(0, io_uring_queue_init(8, &self->ring, 0));
		self->ring_up = true;
		self->br = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, self->br);
		reg.ring_addr = (uintptr_t)self->br;
		reg.ring_entries = 8;
		reg.bgid = 1;
		ASSERT_EQ(0, io_uring_register_buf_ring(&self->ring, &reg, 0));
		io_uring_buf_ring_init(self->br);
		for (i = 0; i < 8; i++)
			io_uring_buf_ring_add(self->br, &self->bufs[i], 8, i,
					      io_uring_buf_ring_mask(8), i);
		io_uring_buf_ring_advance(self->br, 8);
		sqe = io_uring_get_sqe(&self->ring);
		io_uring_prep_rw(ULDF_IORING_OP_READ_MULTISHOT, sqe, self->fd,
				 NULL, 0, 0);
		sqe->flags |= IOSQE_BUFFER_SELECT;
		sqe->buf_group = 1;
		ASSERT_EQ(1, io_uring_submit(&self->ring));
		break;
	case WAIT_SIGIO:
		sigemptyset(&self->sigio);
		sigaddset(&self->sigio, SIGIO);
		ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &self->sigio, NULL));
		ASSERT_EQ(0, fcntl(self->fd, F_SETOWN, getpid()));
		ASSERT_EQ(0, fcntl(self->fd, F_SETFL,
				   fcntl(self->fd, F_GETFL) | O_ASYNC));
		break;
	}
}

/*
 * Wait up to @ms for the waiter to report an interrupt: 1 when it did
 * (the count, read or completed, is in *cnt), 0 when it stayed quiet.
 */
static int wake_wait(FIXTURE_DATA(wake) *self, enum waiter how, int ms,
		     uint64_t *cnt, bool *more)
{
	struct __kernel_timespec kts = { ms / 1000, (ms % 1000) * 1000000L };
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	struct epoll_event ev;
	struct io_uring_cqe *cqe;
	long long n;
	int ret = -EINVAL;

	*more = false;
	switch (how) {
	case WAIT_POLL:
		ret = readable(self->fd, ms);
		break;
	case WAIT_EPOLL:
		ret = epoll_wait(self->epfd, &ev, 1, ms);
		if (ret == 1 && !(ev.events & EPOLLIN))
			return -EIO;
		break;
	case WAIT_SIGIO:
		ret = sigtimedwait(&self->sigio, NULL, &ts);
		if (ret < 0)
			return errno == EAGAIN ? 0 : -errno;
		ret = ret == SIGIO;
		break;
	case WAIT_URING:
	case WAIT_URING_MULTISHOT:
		ret = io_uring_wait_cqe_timeout(&self->ring, &cqe, &kts);
		if (ret == -ETIME)
			return 0;
		if (ret)
			return ret;
		if (cqe->res != 8) {
			ret = cqe->res < 0 ? cqe->res : -EIO;
			io_uring_cqe_seen(&self->ring, cqe);
			return ret;
		}
		if (how == WAIT_URING) {
			*cnt = self->ubuf;
		} else {
			*cnt = self->bufs[cqe->flags >> IORING_CQE_BUFFER_SHIFT];
			*more = cqe->flags & IORING_CQE_F_MORE;
			io_uring_buf_ring_add(self->br,
				&self->bufs[cqe->flags >> IORING_CQE_BUFFER_SHIFT],
				8, cqe->flags >> IORING_CQE_BUFFER_SHIFT,
				io_uring_buf_ring_mask(8), 0);
			io_uring_buf_ring_advance(self->br, 1);
		}
		io_uring_cqe_seen(&self->ring, cqe);
		return 1;
	}
	if (ret <= 0)
		return ret;
	n = irq_read(self->fd);
	if (n < 0)
		return n;
	*cnt = n;
	return 1;
}

/* Quiet without an interrupt; woken by each of two interrupts. */
TEST_F(wake, wakes_and_stays_quiet)
{
	bool intx = variant->type == ULDF_IRQ_TYPE_INTX;
	uint64_t cnt = 0;
	bool more;
	int i;

	wake_arm(_metadata, self, variant->how);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, wake_wait(self, variant->how, QUIET_MS, &cnt,
				       &more));
		edu_raise(&self->e, 1);
		ASSERT_EQ(1, wake_wait(self, variant->how, WAIT_MS, &cnt,
				       &more));
		EXPECT_EQ(1, cnt);
		if (variant->how == WAIT_URING_MULTISHOT)
			EXPECT_TRUE(more);
		edu_ack(&self->e);
		if (intx)
			ASSERT_EQ(0, irq_eoi(self->fd));
		if (variant->how == WAIT_URING)
			ASSERT_EQ(1, uring_submit_read(self));
	}
	EXPECT_EQ(0, wake_wait(self, variant->how, QUIET_MS, &cnt, &more));
}

/* ---- VMM wiring: trigger and resample eventfds ------------------------- */

struct vmm {
	int trigger;
	int resample;
	struct uldf_test_dev *e;
	int rounds;
	int seen;
	int done;		/* eventfd: the VMM handled one interrupt */
};

/*
 * The VMM: each trigger signal is an interrupt for the guest, whose
 * driver acknowledges the device; the guest's EOI is a write to the
 * resample eventfd.
 */
static void *vmm_thread(void *arg)
{
	struct vmm *m = arg;
	uint64_t one = 1, cnt;

	while (m->seen < m->rounds) {
		if (readable(m->trigger, WAIT_MS) != 1)
			break;
		if (read(m->trigger, &cnt, 8) != 8)
			break;
		m->seen += cnt;
		edu_ack(m->e);
		if (write(m->resample, &one, 8) != 8)
			break;
		if (write(m->done, &one, 8) != 8)
			break;
	}
	return NULL;
}

static int set_eventfd(int fd, int trigger, int resample)
{
	struct uldf_irq_eventfd req = {
		.argsz = sizeof(req), .trigger = trigger, .resample = resample,
	};

	return ioctl(fd, ULDF_IRQ_SET_EVENTFD, &req) ? -errno : 0;
}

TEST_F(edu, eventfd_trigger_and_resample)
{
	struct vmm m = { .e = &self->e, .rounds = 5 };
	struct uldf_irq_info info;
	pthread_t t;
	uint64_t cnt;
	int fd, i;

	fd = irq_open1(self->dev, ULDF_IRQ_TYPE_INTX, 0);
	ASSERT_LE(0, fd);
	m.trigger = eventfd(0, EFD_CLOEXEC);
	m.resample = eventfd(0, EFD_CLOEXEC);
	m.done = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, m.trigger);
	ASSERT_LE(0, m.resample);
	ASSERT_LE(0, m.done);
	ASSERT_EQ(0, set_eventfd(fd, m.trigger, m.resample));
	ASSERT_EQ(0, irq_info(fd, &info));
	EXPECT_TRUE(info.flags & ULDF_IRQ_INFO_EVENTFD);
	EXPECT_TRUE(info.flags & ULDF_IRQ_INFO_RESAMPLE);

	ASSERT_EQ(0, pthread_create(&t, NULL, vmm_thread, &m));
	for (i = 0; i < m.rounds; i++) {
		edu_raise(&self->e, 1);
		ASSERT_EQ(1, readable(m.done, WAIT_MS));
		ASSERT_EQ(8, read(m.done, &cnt, 8));
	}
	pthread_join(t, NULL);
	EXPECT_EQ(m.rounds, m.seen);
	/* The IRQ fd itself stayed quiet; the interrupts were counted. */
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	ASSERT_EQ(0, irq_info(fd, &info));
	EXPECT_EQ(m.rounds, info.count);
	EXPECT_FALSE(info.flags & ULDF_IRQ_INFO_MASKED);

	/* An EOI through the resample eventfd while still asserted re-fires. */
	edu_raise(&self->e, 1);
	ASSERT_EQ(1, readable(m.trigger, WAIT_MS));
	ASSERT_EQ(8, read(m.trigger, &cnt, 8));
	cnt = 1;
	ASSERT_EQ(8, write(m.resample, &cnt, 8));
	ASSERT_EQ(1, readable(m.trigger, WAIT_MS));
	ASSERT_EQ(8, read(m.trigger, &cnt, 8));
	EXPECT_EQ(1, cnt);
	edu_ack(&self->e);
	cnt = 1;
	ASSERT_EQ(8, write(m.resample, &cnt, 8));
	EXPECT_EQ(0, readable(m.trigger, QUIET_MS));

	/* Unwired, the IRQ fd counts again. */
	ASSERT_EQ(0, set_eventfd(fd, -1, -1));
	ASSERT_EQ(0, irq_info(fd, &info));
	EXPECT_FALSE(info.flags & (ULDF_IRQ_INFO_EVENTFD |
				   ULDF_IRQ_INFO_RESAMPLE));
	edu_raise(&self->e, 1);
	EXPECT_EQ(1, irq_wait(fd));
	EXPECT_EQ(0, readable(m.trigger, 0));
	edu_ack(&self->e);
	close(fd);
	close(m.trigger);
	close(m.resample);
	close(m.done);
}

/* A trigger eventfd on MSI; closing the eventfds first is harmless. */
TEST_F(edu, eventfd_msi_and_early_close)
{
	int fd, trig;
	uint64_t cnt;

	fd = msi_open(self->dev);
	if (fd == -EPERM)
		SKIP(return, "no interrupt remapping");
	ASSERT_LE(0, fd);
	trig = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, trig);
	ASSERT_EQ(0, set_eventfd(fd, trig, -1));
	edu_raise(&self->e, 1);
	ASSERT_EQ(1, readable(trig, WAIT_MS));
	ASSERT_EQ(8, read(trig, &cnt, 8));
	EXPECT_EQ(1, cnt);
	ASSERT_EQ(0, ioctl(fd, ULDF_IRQ_TRIGGER));
	ASSERT_EQ(1, readable(trig, WAIT_MS));
	ASSERT_EQ(8, read(trig, &cnt, 8));
	close(trig);		/* the module keeps its own reference */
	edu_raise(&self->e, 1);
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	ASSERT_EQ(0, set_eventfd(fd, -1, -1));
	edu_raise(&self->e, 1);
	EXPECT_EQ(1, irq_wait(fd));	/* counted on the fd again */
	close(fd);
	edu_ack(&self->e);
}

TEST_F(edu, eventfd_resample_closed_first)
{
	struct uldf_irq_info info;
	int fd, trig, res;
	uint64_t cnt;

	fd = irq_open1(self->dev, ULDF_IRQ_TYPE_INTX, 0);
	ASSERT_LE(0, fd);
	trig = eventfd(0, EFD_CLOEXEC);
	res = eventfd(0, EFD_CLOEXEC);
	ASSERT_EQ(0, set_eventfd(fd, trig, res));
	close(res);
	edu_raise(&self->e, 1);
	ASSERT_EQ(1, readable(trig, WAIT_MS));
	ASSERT_EQ(8, read(trig, &cnt, 8));
	edu_ack(&self->e);
	ASSERT_EQ(0, irq_eoi(fd));	/* the EOI by hand still works */
	ASSERT_EQ(0, irq_info(fd, &info));
	EXPECT_FALSE(info.flags & ULDF_IRQ_INFO_MASKED);
	close(fd);			/* drops the dead resample eventfd */
	close(trig);
}

TEST_F(edu, eventfd_bad_input)
{
	struct uldf_irq_eventfd req = { .argsz = sizeof(req) };
	int fd, efd, p[2];

	fd = irq_open1(self->dev, ULDF_IRQ_TYPE_INTX, 0);
	ASSERT_LE(0, fd);
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, pipe(p));
	EXPECT_EQ(-EBADF, set_eventfd(fd, p[0], -1));
	EXPECT_EQ(-EBADF, set_eventfd(fd, 1000, -1));
	EXPECT_EQ(-EBADF, set_eventfd(fd, efd, p[0]));
	EXPECT_EQ(-EINVAL, set_eventfd(fd, -1, efd));	/* no trigger */
	EXPECT_EQ(-EINVAL, set_eventfd(fd, efd, efd));	/* same eventfd */
	EXPECT_EQ(-EINVAL, set_eventfd(fd, -2, -1));
	req.trigger = efd;
	req.resample = -1;
	req.flags = 1;
	EXPECT_EQ(-1, ioctl(fd, ULDF_IRQ_SET_EVENTFD, &req));
	EXPECT_EQ(EINVAL, errno);
	req.flags = 0;
	req.argsz = 8;
	EXPECT_EQ(-1, ioctl(fd, ULDF_IRQ_SET_EVENTFD, &req));
	EXPECT_EQ(EINVAL, errno);
	close(fd);

	/* No resample eventfd on an edge-triggered or notification vector. */
	fd = irq_open1(self->dev, ULDF_IRQ_TYPE_REQ, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, set_eventfd(fd, efd, p[0]));
	EXPECT_EQ(0, set_eventfd(fd, efd, -1));
	close(fd);
	close(efd);
	close(p[0]);
	close(p[1]);
}

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

struct unbinder {
	const char *bdf;
	int ret;
};

static void *unbind_thread(void *arg)
{
	struct unbinder *u = arg;

	u->ret = uldf_test_unbind(u->bdf);
	return NULL;
}

/* Unbinding signals REQ; the user closes, and the unbind completes. */
TEST_F(edu, req_on_unbind)
{
	struct unbinder u = { .bdf = self->bdf };
	char drv[64];
	pthread_t t;
	int req;

	req = irq_open1(self->dev, ULDF_IRQ_TYPE_REQ, 0);
	ASSERT_LE(0, req);
	ASSERT_EQ(0, uldf_test_write_param("release_timeout_ms", "20000"));
	ASSERT_EQ(0, pthread_create(&t, NULL, unbind_thread, &u));
	EXPECT_EQ(1, irq_wait(req));
	close(self->dev);
	self->dev = -1;
	pthread_join(t, NULL);
	uldf_test_write_param("release_timeout_ms", "1000");
	EXPECT_EQ(0, u.ret);
	EXPECT_EQ(-ENODEV, irq_read(req));
	ASSERT_EQ(0, uldf_test_driver(self->bdf, drv, sizeof(drv)));
	EXPECT_STREQ("", drv);
	close(req);
}

/* A user who does not let go is revoked: its IRQ fds die, readers wake. */
TEST_F(edu, revoked_on_unbind)
{
	struct unbinder u = { .bdf = self->bdf };
	pthread_t t, r;
	void *res;
	int fd, req;

	fd = irq_open1(self->dev, ULDF_IRQ_TYPE_INTX, 0);
	ASSERT_LE(0, fd);
	req = irq_open1(self->dev, ULDF_IRQ_TYPE_REQ, 0);
	ASSERT_LE(0, req);
	ASSERT_EQ(0, pthread_create(&r, NULL, read_in_thread, &fd));
	ASSERT_EQ(0, uldf_test_write_param("release_timeout_ms", "100"));
	ASSERT_EQ(0, pthread_create(&t, NULL, unbind_thread, &u));
	pthread_join(t, NULL);
	uldf_test_write_param("release_timeout_ms", "1000");
	EXPECT_EQ(0, u.ret);
	pthread_join(r, &res);
	EXPECT_EQ(-ENODEV, (intptr_t)res);
	EXPECT_EQ(-ENODEV, irq_read(req));
	EXPECT_EQ(0, proc_irq_lines("uldf"));
	EXPECT_TRUE(uldf_test_cfg_read16(self->bdf, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
	close(fd);
	close(req);
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
	EXPECT_EQ(0x1af4, cfg_rd16(self->dev, 0));
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
	EXPECT_EQ(0x1af4, cfg_rd16(self->dev, 0));
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
 * Surprise removal (QMP device_del of the edu behind the root port) with
 * MSI and REQ open and a reader blocked: REQ fires, the user does not let
 * go, the device is revoked, the reader wakes with ENODEV, and nothing is
 * left in /proc/interrupts.  The device is plugged back afterwards.
 */
static bool wait_present(const char *bdf, bool present)
{
	int i;

	for (i = 0; i < 1200; i++) {
		if (uldf_test_device_exists(bdf) == present)
			return true;
		usleep(100 * 1000);
	}
	return false;
}

/*
 * Hot-unplug and re-plug each take QEMU and the guest's PCIe hotplug
 * several seconds, far more on a debug kernel: a fixture for the timeout.
 */
FIXTURE(hotplug) {};
FIXTURE_SETUP(hotplug) {}
FIXTURE_TEARDOWN(hotplug) {}

TEST_F_TIMEOUT(hotplug, hot_unplug_with_irq_fds_open, 300)
{
	const char *bdf = uldf_test_bdf("ULDF_HP_EDU_BDF", ULDF_DEFAULT_HP_EDU);
	int dev, msi, req;
	struct uldf_test_dev e;
	pthread_t r;
	void *res;

	if (!uldf_test_module_loaded())
		SKIP(return, "uldf.ko not loaded; run through 'make check'");
	if (!getenv("ULDF_QMP") || !uldf_test_device_exists(bdf))
		SKIP(return, "no QMP channel or no hot-pluggable edu");
	if (!interrupt_remapping())
		SKIP(return, "no interrupt remapping");
	ASSERT_EQ(0, uldf_test_bind(bdf, "uldf"));
	dev = uldf_test_open(bdf);
	ASSERT_LE(0, dev);
	ASSERT_EQ(0, edu_attach(&e, dev));
	ASSERT_EQ(0, set_bus_master(dev));
	msi = irq_open1(dev, ULDF_IRQ_TYPE_MSI, 0);
	ASSERT_LE(0, msi);
	req = irq_open1(dev, ULDF_IRQ_TYPE_REQ, 0);
	ASSERT_LE(0, req);
	edu_raise(&e, 1);
	ASSERT_EQ(1, irq_wait(msi));
	ASSERT_EQ(0, pthread_create(&r, NULL, read_in_thread, &msi));

	ASSERT_EQ(0, uldf_test_write_param("release_timeout_ms", "200"));
	ASSERT_EQ(0, uldf_test_qmp("{\"execute\":\"device_del\","
				   "\"arguments\":{\"id\":\"hpedu\"}}"));
	EXPECT_EQ(1, irq_wait(req));
	EXPECT_TRUE(wait_present(bdf, false));
	uldf_test_write_param("release_timeout_ms", "1000");
	pthread_join(r, &res);
	EXPECT_EQ(-ENODEV, (intptr_t)res);
	EXPECT_EQ(-ENODEV, irq_read(req));
	EXPECT_EQ(0, proc_irq_lines("uldf"));
	close(msi);
	close(req);
	close(dev);

	ASSERT_EQ(0, uldf_test_qmp_retry("{\"execute\":\"device_add\","
					 "\"arguments\":{\"driver\":\"edu\","
					 "\"id\":\"hpedu\",\"bus\":\"hp\"}}",
					 60));
	EXPECT_TRUE(wait_present(bdf, true));
}

/* ---- SIGKILL during an interrupt storm ----------------------------------- */

/*
 * The child takes interrupts as fast as it can: one thread raises them
 * without pause, the other reads, acknowledges and (INTx, unmask-on-read)
 * EOIs them, reporting each on a pipe.  It is killed in the middle.
 * Nothing may be left behind.
 */
static void *storm_raiser(void *arg)
{
	struct uldf_test_dev *e = arg;

	for (;;)
		edu_raise(e, 1);
	return NULL;
}

static void storm(const char *bdf, uint32_t type, int report)
{
	struct uldf_test_dev e;
	int dev, fd;
	char c = 'x';
	pthread_t t;

	dev = uldf_test_open(bdf);
	if (dev < 0 || edu_attach(&e, dev))
		_exit(1);
	if (type == ULDF_IRQ_TYPE_MSI) {
		if (set_bus_master(dev))
			_exit(1);
	}
	fd = irq_open1(dev, type, type == ULDF_IRQ_TYPE_INTX ?
		       ULDF_IRQ_OPEN_UNMASK_ON_READ : 0);
	if (fd < 0)
		_exit(fd == -EPERM ? 4 : 1);
	if (pthread_create(&t, NULL, storm_raiser, &e))
		_exit(1);
	for (;;) {
		if (irq_read(fd) < 1)
			_exit(2);
		edu_ack(&e);
		if (write(report, &c, 1) != 1)
			_exit(3);
	}
}

static void storm_and_kill(struct __test_metadata *_metadata,
			   FIXTURE_DATA(edu) *self, uint32_t type)
{
	int p[2], status, warnings, dev;
	char buf[64];
	int seen = 0;
	pid_t pid;

	/* The child opens the device itself. */
	close(self->dev);
	self->dev = -1;
	warnings = uldf_test_dmesg_count("WARNING");
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(p[0]);
		storm(self->bdf, type, p[1]);
	}
	close(p[1]);
	while (seen < 200) {
		ssize_t n = read(p[0], buf, sizeof(buf));

		if (n <= 0)
			break;
		seen += n;
	}
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(p[0]);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 4)
		SKIP(return, "no interrupt remapping");
	ASSERT_TRUE(WIFSIGNALED(status));
	EXPECT_LE(200, seen);

	EXPECT_EQ(0, proc_irq_lines("uldf"));
	EXPECT_TRUE(uldf_test_cfg_read16(self->bdf, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
	EXPECT_FALSE(uldf_test_cfg_read16(self->bdf, PCI_COMMAND) & PCI_COMMAND_MASTER);
	EXPECT_EQ(warnings, uldf_test_dmesg_count("WARNING"));
	EXPECT_EQ(0, uldf_test_dmesg_count("nobody cared"));
	dev = uldf_test_open(self->bdf);
	ASSERT_LE(0, dev);
	self->dev = dev;
	ASSERT_EQ(0, edu_attach(&self->e, dev));
}

TEST_F(edu, sigkill_during_intx_storm)
{
	storm_and_kill(_metadata, self, ULDF_IRQ_TYPE_INTX);
}

TEST_F(edu, sigkill_during_msi_storm)
{
	storm_and_kill(_metadata, self, ULDF_IRQ_TYPE_MSI);
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

TEST_F(edu, bad_read_write)
{
	void *volatile bad = (void *)8;
	struct uldf_irq_info info = { .argsz = 4 };
	uint64_t v[2] = { 1, 1 };
	uint32_t small = 1;
	int fd;

	ASSERT_EQ(0, irq_open(self->dev, ULDF_IRQ_TYPE_INTX, 0, 1,
			      ULDF_IRQ_OPEN_NONBLOCK, &fd));
	EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK);
	EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(-1, read(fd, &small, 4));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, read(fd, v, 16));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, read(fd, v, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, read(fd, v, 8));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(-1, read(fd, bad, 8));
	EXPECT_EQ(EAGAIN, errno);	/* nothing to copy yet */
	EXPECT_EQ(-1, write(fd, &small, 4));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(fd, v, 16));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-EINVAL, irq_write(fd, 2));
	EXPECT_EQ(-EINVAL, irq_write(fd, ~0ULL));
	EXPECT_EQ(-1, write(fd, bad, 8));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(fd, ULDF_IRQ_GET_INFO, &info));
	EXPECT_EQ(EINVAL, errno);
	info.argsz = sizeof(info);
	info.flags = 1;
	EXPECT_EQ(-1, ioctl(fd, ULDF_IRQ_GET_INFO, &info));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(fd, _IO(ULDF_TYPE, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	/* A failed read loses nothing. */
	ASSERT_EQ(0, ioctl(fd, ULDF_IRQ_TRIGGER));
	EXPECT_EQ(-1, read(fd, bad, 8));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(1, irq_read(fd));
	close(fd);
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

TEST_HARNESS_MAIN
