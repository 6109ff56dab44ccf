// SPDX-License-Identifier: GPL-2.0
/*
 * MSI-X IRQ fds on QEMU's NVMe controller: vectors opened as a set and one
 * by one (dynamic MSI-X), their names and counts, independence, masking,
 * teardown; and real completion interrupts from an admin queue the test
 * sets up in DMA-mapped memory (Identify, Get Features), with the mask
 * holding one back until the unmask, and the PBA showing it pending.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/pci_regs.h>

#include "kselftest_harness.h"
#include "uldf_irq_util.h"

/* NVMe controller registers (NVMe 1.4, 3.1) and admin commands. */
#define NVME_CAP		0x00
#define NVME_CC			0x14
#define  NVME_CC_EN		0x1
#define  NVME_CC_IOSQES		(6 << 16)
#define  NVME_CC_IOCQES		(4 << 20)
#define NVME_CSTS		0x1c
#define  NVME_CSTS_RDY		0x1
#define NVME_AQA		0x24
#define NVME_ASQ		0x28
#define NVME_ACQ		0x30
#define NVME_SQ0TDBL		0x1000
#define NVME_ADMIN_IDENTIFY	0x06
#define NVME_ADMIN_GET_FEATURES	0x0a
#define NVME_FEAT_NUM_QUEUES	0x07
#define NVME_QD			8

struct nvme_sqe {
	uint32_t cdw0;		/* opcode, command id in 31:16 */
	uint32_t nsid;
	uint64_t rsvd;
	uint64_t mptr;
	uint64_t prp1;
	uint64_t prp2;
	uint32_t cdw10[6];
};

struct nvme_cqe {
	uint32_t result;
	uint32_t rsvd;
	uint16_t sq_head;
	uint16_t sq_id;
	uint16_t cid;
	uint16_t status;	/* phase in bit 0 */
};

FIXTURE(nvme) {
	const char *bdf;
	int dev;
	uint32_t nvec;
	/* Admin queue, when DMA mapping is available. */
	uint8_t *mem;		/* SQ page, CQ page, data page */
	uint64_t iova;
	unsigned int sq_tail, cq_head, phase;
	uint16_t cid;
};

FIXTURE_SETUP(nvme)
{
	struct uldf_device_info info = { .argsz = sizeof(info) };

	self->dev = -1;
	self->mem = NULL;
	self->bdf = uldf_test_bdf("ULDF_NVME_BDF", ULDF_DEFAULT_NVME);
	if (!uldf_test_module_loaded())
		SKIP(return, "uldf.ko not loaded; run through 'make check'");
	if (!uldf_test_device_exists(self->bdf))
		SKIP(return, "no NVMe controller at %s; run through 'make check'",
		     self->bdf);
	ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
	self->dev = uldf_test_open(self->bdf);
	if (self->dev == -EPERM && !interrupt_remapping())
		SKIP(return, "no interrupt remapping: the open is refused");
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, ioctl(self->dev, ULDF_DEVICE_GET_INFO, &info));
	self->nvec = info.num_irqs[ULDF_IRQ_TYPE_MSIX];
	if (self->nvec < 8)
		SKIP(return, "%s has %u MSI-X vectors", self->bdf, self->nvec);
	if (!interrupt_remapping())
		SKIP(return, "no interrupt remapping (allow_unsafe_interrupts is set)");
}

FIXTURE_TEARDOWN(nvme)
{
	if (self->dev >= 0)
		close(self->dev);
	if (self->mem)
		munmap(self->mem, 3 * 4096);
	uldf_test_unbind(self->bdf);
}

/* Offset of the MSI-X capability in the real config space, or 0. */
static int msix_cap(const char *bdf)
{
	int pos = uldf_test_cfg_read16(bdf, PCI_CAPABILITY_LIST) & 0xff;

	while (pos >= PCI_STD_HEADER_SIZEOF) {
		int hdr = uldf_test_cfg_read16(bdf, pos + PCI_CAP_LIST_ID);

		if ((hdr & 0xff) == PCI_CAP_ID_MSIX)
			return pos;
		pos = (hdr >> 8) & 0xfc;
	}
	return 0;
}

static bool msix_enabled(const char *bdf)
{
	int cap = msix_cap(bdf);

	return cap && (uldf_test_cfg_read16(bdf, cap + PCI_MSIX_FLAGS) &
		       PCI_MSIX_FLAGS_ENABLE);
}

/* A set of vectors opened at once: each has its name, its own count. */
TEST_F(nvme, open_set_names_and_counts)
{
	struct uldf_irq_info info;
	char name[64];
	int fds[4], i;

	ASSERT_EQ(0, irq_open(self->dev, ULDF_IRQ_TYPE_MSIX, 0, 4, 0, fds));
	EXPECT_TRUE(msix_enabled(self->bdf));
	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "uldf-msix%d[%s]", i, self->bdf);
		EXPECT_EQ(1, proc_irq_lines(name));
		ASSERT_EQ(0, irq_info(fds[i], &info));
		EXPECT_EQ(ULDF_IRQ_TYPE_MSIX, info.type);
		EXPECT_EQ(i, info.index);
		EXPECT_NE(0, info.irq);
		EXPECT_EQ(-EAGAIN, irq_quiet(fds[i]));
	}
	ASSERT_EQ(0, ioctl(fds[2], ULDF_IRQ_TRIGGER));
	ASSERT_EQ(0, ioctl(fds[2], ULDF_IRQ_TRIGGER));
	ASSERT_EQ(0, ioctl(fds[3], ULDF_IRQ_TRIGGER));
	EXPECT_EQ(-EAGAIN, irq_quiet(fds[0]));
	EXPECT_EQ(-EAGAIN, irq_quiet(fds[1]));
	EXPECT_EQ(2, irq_read(fds[2]));
	EXPECT_EQ(1, irq_read(fds[3]));
	/* Open already. */
	EXPECT_EQ(-EBUSY, irq_open(self->dev, ULDF_IRQ_TYPE_MSIX, 1, 1, 0,
				   fds));
	EXPECT_EQ(-EBUSY, irq_open1(self->dev, ULDF_IRQ_TYPE_INTX, 0));
	for (i = 0; i < 4; i++)
		close(fds[i]);
	EXPECT_EQ(0, proc_irq_lines("uldf"));
	EXPECT_FALSE(msix_enabled(self->bdf));
	EXPECT_TRUE(uldf_test_cfg_read16(self->bdf, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
}

/*
 * Vectors added to a running set, where the kernel allocates MSI-X
 * vectors dynamically; otherwise the first open fixes the block.
 */
TEST_F(nvme, add_vectors_while_running)
{
	int a, b, c, fds[2];
	char name[64];

	ASSERT_EQ(0, irq_open(self->dev, ULDF_IRQ_TYPE_MSIX, 1, 1, 0, &a));
	b = -1;
	if (irq_open(self->dev, ULDF_IRQ_TYPE_MSIX, 6, 1, 0, &b) == -EBUSY) {
		/* Block mode: [0, 2) was enabled; inside it works. */
		ASSERT_EQ(0, irq_open(self->dev, ULDF_IRQ_TYPE_MSIX, 0, 1, 0,
				      &c));
		close(c);
		close(a);
		SKIP(return, "this kernel cannot add MSI-X vectors dynamically");
	}
	ASSERT_LE(0, b);
	snprintf(name, sizeof(name), "uldf-msix6[%s]", self->bdf);
	EXPECT_EQ(1, proc_irq_lines(name));
	/* The first vector keeps working; each counts on its own. */
	ASSERT_EQ(0, ioctl(a, ULDF_IRQ_TRIGGER));
	EXPECT_EQ(1, irq_read(a));
	EXPECT_EQ(-EAGAIN, irq_quiet(b));
	/* Closing one leaves the other. */
	close(a);
	EXPECT_TRUE(msix_enabled(self->bdf));
	ASSERT_EQ(0, ioctl(b, ULDF_IRQ_TRIGGER));
	EXPECT_EQ(1, irq_read(b));
	/* And a closed vector can be opened again, alongside. */
	ASSERT_EQ(0, irq_open(self->dev, ULDF_IRQ_TYPE_MSIX, 0, 2, 0, fds));
	EXPECT_EQ(3, proc_irq_lines("uldf-msix"));
	close(fds[0]);
	close(fds[1]);
	close(b);
	EXPECT_FALSE(msix_enabled(self->bdf));
}

TEST_F(nvme, bad_input)
{
	int fd, fds[2];

	EXPECT_EQ(-ERANGE, irq_open(self->dev, ULDF_IRQ_TYPE_MSIX, self->nvec,
				    1, 0, &fd));
	EXPECT_EQ(-ERANGE, irq_open(self->dev, ULDF_IRQ_TYPE_MSIX,
				    self->nvec - 1, 2, 0, fds));
	/* QEMU's NVMe has MSI-X only. */
	EXPECT_EQ(-ERANGE, irq_open1(self->dev, ULDF_IRQ_TYPE_MSI, 0));
	EXPECT_EQ(-EINVAL, irq_open(self->dev, ULDF_IRQ_TYPE_MSIX, 0, 1,
				    ULDF_IRQ_OPEN_UNMASK_ON_READ, &fd));
	/* The last vector alone is fine. */
	ASSERT_EQ(0, irq_open(self->dev, ULDF_IRQ_TYPE_MSIX, self->nvec - 1,
			      1, 0, &fd));
	close(fd);
	EXPECT_EQ(0, proc_irq_lines("uldf"));
}

/* ---- real interrupts from an admin queue ------------------------------- */

static int nvme_rd32(int dev, unsigned int off, uint32_t *v)
{
	uint64_t pos = ULDF_REGION_OFFSET(ULDF_REGION_BAR0) + off;

	return pread(dev, v, 4, pos) == 4 ? 0 : -errno;
}

static int nvme_wr32(int dev, unsigned int off, uint32_t v)
{
	uint64_t pos = ULDF_REGION_OFFSET(ULDF_REGION_BAR0) + off;

	return pwrite(dev, &v, 4, pos) == 4 ? 0 : -errno;
}

static int nvme_wr64(int dev, unsigned int off, uint64_t v)
{
	uint64_t pos = ULDF_REGION_OFFSET(ULDF_REGION_BAR0) + off;

	return pwrite(dev, &v, 8, pos) == 8 ? 0 : -errno;
}

/* Wait, bounded, for CSTS.RDY to read @rdy. */
static int nvme_wait_ready(int dev, bool rdy)
{
	uint32_t csts;
	int i;

	for (i = 0; i < 1000; i++) {
		if (nvme_rd32(dev, NVME_CSTS, &csts))
			return -EIO;
		if (!!(csts & NVME_CSTS_RDY) == rdy)
			return 0;
		usleep(10 * 1000);
	}
	return -ETIMEDOUT;
}

/*
 * Map three pages for the device (admin SQ, admin CQ, a data page) and
 * enable the controller on them: 0, or -ENOTTY when DMA mapping is not
 * available.  MSI-X must be enabled (a vector open) before: the
 * controller binds the admin CQ to its vector when it is enabled, as a
 * driver's order of set-up assumes.
 */
static int nvme_admin_setup(FIXTURE_DATA(nvme) *self)
{
	struct uldf_dma_map map = { .argsz = sizeof(map) };
	int ret;

	self->mem = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (self->mem == MAP_FAILED) {
		self->mem = NULL;
		return -ENOMEM;
	}
	memset(self->mem, 0, 3 * 4096);
	map.flags = ULDF_DMA_MAP_READ | ULDF_DMA_MAP_WRITE;
	map.vaddr = (uintptr_t)self->mem;
	map.size = 3 * 4096;
	if (ioctl(self->dev, ULDF_DMA_MAP, &map))
		return -errno;
	self->iova = map.iova;

	ret = set_bus_master(self->dev);
	if (ret)
		return ret;
	if (nvme_wr32(self->dev, NVME_CC, 0) || nvme_wait_ready(self->dev, 0))
		return -EIO;
	if (nvme_wr32(self->dev, NVME_AQA,
		      (NVME_QD - 1) << 16 | (NVME_QD - 1)) ||
	    nvme_wr64(self->dev, NVME_ASQ, self->iova) ||
	    nvme_wr64(self->dev, NVME_ACQ, self->iova + 4096) ||
	    nvme_wr32(self->dev, NVME_CC, NVME_CC_EN | NVME_CC_IOSQES |
		      NVME_CC_IOCQES))
		return -EIO;
	self->sq_tail = 0;
	self->cq_head = 0;
	self->phase = 1;
	return nvme_wait_ready(self->dev, 1);
}

/* Queue an admin command and ring the doorbell. */
static int nvme_submit(FIXTURE_DATA(nvme) *self, uint8_t opc, uint32_t cdw10,
		       uint64_t prp1)
{
	struct nvme_sqe *sqe = (void *)self->mem;

	sqe += self->sq_tail;
	memset(sqe, 0, sizeof(*sqe));
	self->cid++;
	sqe->cdw0 = opc | (uint32_t)self->cid << 16;
	sqe->prp1 = prp1;
	sqe->cdw10[0] = cdw10;
	self->sq_tail = (self->sq_tail + 1) % NVME_QD;
	__sync_synchronize();
	return nvme_wr32(self->dev, NVME_SQ0TDBL, self->sq_tail);
}

/*
 * The next completion, once the device has written it (bounded wait on
 * the phase bit): its status, or -ETIMEDOUT.  Consumes it and moves the
 * CQ head doorbell.
 */
static int nvme_complete(FIXTURE_DATA(nvme) *self)
{
	volatile struct nvme_cqe *cqe = (void *)(self->mem + 4096);
	uint16_t status;
	int i;

	cqe += self->cq_head;
	for (i = 0; i < 1000 && (cqe->status & 1) != self->phase; i++)
		usleep(10 * 1000);
	if ((cqe->status & 1) != self->phase)
		return -ETIMEDOUT;
	status = cqe->status >> 1;
	if (cqe->cid != self->cid)
		return -EPROTO;
	if (++self->cq_head == NVME_QD) {
		self->cq_head = 0;
		self->phase ^= 1;
	}
	if (nvme_wr32(self->dev, NVME_SQ0TDBL + 4, self->cq_head))
		return -EIO;
	return status;
}

TEST_F(nvme, admin_completion_interrupts)
{
	struct uldf_irq_info info;
	char serial[8];
	int fd, ret, i;
	long long n;

	ASSERT_EQ(0, irq_open(self->dev, ULDF_IRQ_TYPE_MSIX, 0, 1, 0, &fd));
	ret = nvme_admin_setup(self);
	if (ret == -ENOTTY) {
		close(fd);
		SKIP(return, "no DMA mapping on the device fd yet");
	}
	ASSERT_EQ(0, ret);
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));

	/* Identify Controller: data comes back, and one interrupt. */
	ASSERT_EQ(0, nvme_submit(self, NVME_ADMIN_IDENTIFY, 1,
				 self->iova + 2 * 4096));
	ASSERT_EQ(1, irq_wait(fd));
	ASSERT_EQ(0, nvme_complete(self));
	EXPECT_EQ(0x1b36, *(uint16_t *)(self->mem + 2 * 4096));
	memcpy(serial, self->mem + 2 * 4096 + 4, 5);
	serial[5] = '\0';
	EXPECT_STREQ("uldf0", serial);

	/* One interrupt per completion, exactly. */
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, nvme_submit(self, NVME_ADMIN_GET_FEATURES,
					 NVME_FEAT_NUM_QUEUES, 0));
		ASSERT_EQ(1, irq_wait(fd));
		ASSERT_EQ(0, nvme_complete(self));
	}
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));

	/* Masked: the completion is written, the interrupt held back... */
	ASSERT_EQ(0, irq_write(fd, 0));
	ASSERT_EQ(0, nvme_submit(self, NVME_ADMIN_GET_FEATURES,
				 NVME_FEAT_NUM_QUEUES, 0));
	ASSERT_EQ(0, nvme_complete(self));
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	/* ...and delivered, once, by the unmask. */
	ASSERT_EQ(0, irq_write(fd, 1));
	EXPECT_EQ(1, irq_wait(fd));
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));

	/*
	 * Three completions while masked: one interrupt replayed by the
	 * kernel, and at most one more that the function held pending in
	 * its PBA.
	 */
	ASSERT_EQ(0, irq_write(fd, 0));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, nvme_submit(self, NVME_ADMIN_GET_FEATURES,
					 NVME_FEAT_NUM_QUEUES, 0));
		ASSERT_EQ(0, nvme_complete(self));
	}
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	ASSERT_EQ(0, irq_write(fd, 1));
	n = irq_wait(fd);
	EXPECT_LE(1, n);
	EXPECT_GE(2, n);
	EXPECT_EQ(-EAGAIN, irq_quiet(fd));
	ASSERT_EQ(0, irq_info(fd, &info));
	EXPECT_EQ(7 + n, info.count);
	EXPECT_FALSE(info.flags & ULDF_IRQ_INFO_MASKED);
	close(fd);
	EXPECT_FALSE(msix_enabled(self->bdf));
}

/*
 * Where the MSI-X table or PBA is (@reg: PCI_MSIX_TABLE or PCI_MSIX_PBA),
 * from the user's config space.
 */
static int msix_where(FIXTURE_DATA(nvme) *self, unsigned int reg,
		      unsigned int *bar, uint64_t *off)
{
	uint64_t cfg = ULDF_REGION_OFFSET(ULDF_REGION_CONFIG);
	int cap = msix_cap(self->bdf);
	uint32_t v;

	if (!cap || pread(self->dev, &v, 4, cfg + cap + reg) != 4)
		return -ENOENT;
	*bar = v & PCI_MSIX_TABLE_BIR;
	*off = v & PCI_MSIX_TABLE_OFFSET;
	return 0;
}

/*
 * The PBA reads the function's pending bits (as with vfio-pci): none at
 * rest; a vector masked at the function holds its next message there
 * until the unmask sends it.  The MSI-X table still reads as all ones,
 * and neither takes a write.
 */
TEST_F(nvme, pba_reads_pending_bits)
{
	uint64_t pba_off, table_off, pba, table[2];
	unsigned int pba_bar, table_bar;
	int fd, ret, i;
	long long n;

	ASSERT_EQ(0, msix_where(self, PCI_MSIX_PBA, &pba_bar, &pba_off));
	ASSERT_EQ(0, msix_where(self, PCI_MSIX_TABLE, &table_bar, &table_off));
	ASSERT_EQ(0, irq_open(self->dev, ULDF_IRQ_TYPE_MSIX, 0, 1, 0, &fd));
	ret = nvme_admin_setup(self);
	if (ret == -ENOTTY) {
		close(fd);
		SKIP(return, "no DMA mapping on the device fd yet");
	}
	ASSERT_EQ(0, ret);

	ASSERT_EQ(8, uldf_test_pread(self->dev, pba_bar, pba_off, &pba, 8));
	EXPECT_EQ(0, pba);
	ASSERT_EQ(16, uldf_test_pread(self->dev, table_bar, table_off, table,
				      16));
	EXPECT_EQ(~0ULL, table[0]);
	EXPECT_EQ(~0ULL, table[1]);
	EXPECT_EQ(-EPERM, uldf_test_pwrite(self->dev, pba_bar, pba_off, &pba, 8));
	EXPECT_EQ(-EPERM, uldf_test_pwrite(self->dev, table_bar, table_off,
					   table, 4));

	/*
	 * Masked: the first message is held back by the kernel, which then
	 * masks the vector at the function (lazily); the function keeps
	 * the next ones pending in its PBA.
	 */
	ASSERT_EQ(0, irq_write(fd, 0));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, nvme_submit(self, NVME_ADMIN_GET_FEATURES,
					 NVME_FEAT_NUM_QUEUES, 0));
		ASSERT_EQ(0, nvme_complete(self));
	}
	ASSERT_EQ(8, uldf_test_pread(self->dev, pba_bar, pba_off, &pba, 8));
	EXPECT_EQ(1, pba);
	ASSERT_EQ(0, irq_write(fd, 1));
	n = irq_wait(fd);
	EXPECT_LE(1, n);
	ASSERT_EQ(8, uldf_test_pread(self->dev, pba_bar, pba_off, &pba, 8));
	EXPECT_EQ(0, pba);
	close(fd);
}

/*
 * The MSI-X table sits in a BAR: vectors set up while the user has memory
 * decoding off must still be programmed, and work once it is back on.
 */
TEST_F(nvme, vectors_set_up_with_memory_off)
{
	uint64_t off = ULDF_REGION_OFFSET(ULDF_REGION_CONFIG) + PCI_COMMAND;
	uint16_t cmd;
	int fd, ret;

	ASSERT_EQ(2, pread(self->dev, &cmd, 2, off));
	cmd &= ~PCI_COMMAND_MEMORY;
	ASSERT_EQ(2, pwrite(self->dev, &cmd, 2, off));
	ASSERT_EQ(0, irq_open(self->dev, ULDF_IRQ_TYPE_MSIX, 0, 1, 0, &fd));
	EXPECT_FALSE(uldf_test_cfg_read16(self->bdf, PCI_COMMAND) & PCI_COMMAND_MEMORY);
	cmd |= PCI_COMMAND_MEMORY;
	ASSERT_EQ(2, pwrite(self->dev, &cmd, 2, off));

	ret = nvme_admin_setup(self);
	if (ret == -ENOTTY) {
		close(fd);
		SKIP(return, "no DMA mapping on the device fd yet");
	}
	ASSERT_EQ(0, ret);

	ASSERT_EQ(0, nvme_submit(self, NVME_ADMIN_GET_FEATURES,
				 NVME_FEAT_NUM_QUEUES, 0));
	EXPECT_EQ(1, irq_wait(fd));
	ASSERT_EQ(0, nvme_complete(self));
	close(fd);
}

TEST_HARNESS_MAIN
