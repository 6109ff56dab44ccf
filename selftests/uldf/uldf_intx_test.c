// SPDX-License-Identifier: GPL-2.0
/*
 * INTx IRQ fds on QEMU's edu device (edu.h): the count and the EOI, with
 * DisINTx masking the function while the user services it; a raise while
 * masked, the EOI that re-fires, DisINTx cleared behind uldf's back, an
 * interrupt pending at open, the user's mask, the factorial's and the
 * DMA's interrupts, the shared line, the exclusive fallback
 * (uldf.nointxmask=1) and its IRQ_DISABLE_UNLAZY, and the virtual
 * Interrupt Disable bit.
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

#define KPROBE_DISABLE	"uldf_intx_test/irq_disable"
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

/* ---- the DMA's interrupt ------------------------------------------------- */

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

TEST_HARNESS_MAIN
