// SPDX-License-Identifier: GPL-2.0
/*
 * libuldf unit tests: the library's own logic, with no device and no
 * module.  Linked with the static library so that internal helpers can be
 * called directly.  Runs on the host as well as in the testbed.
 *
 *  - BDF parsing and canonical form;
 *  - argument checks of the public functions, and that errno survives;
 *  - the DMA buffer memory allocator (rounding, hugepages, fork);
 *  - the event loop's user_data encoding, and the loop itself on eventfds
 *    and pipes, whose read() of 8 bytes behaves like an IRQ fd's, in both
 *    multishot-read and poll mode (FIXTURE_VARIANT);
 *  - driver, IOMMU group, viability, bind and unbind on a fake sysfs tree.
 */
#include <fcntl.h>
#include <limits.h>
#include <liburing.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "internal.h"

/* ---- BDF parsing ---------------------------------------------------------- */

TEST(bdf_parse)
{
	char out[ULDF_BDF_LEN];

	ASSERT_EQ(0, uldf_pci_bdf_parse("0000:00:03.0", out));
	EXPECT_STREQ("0000:00:03.0", out);
	ASSERT_EQ(0, uldf_pci_bdf_parse("00:1f.7", out));
	EXPECT_STREQ("0000:00:1f.7", out);
	ASSERT_EQ(0, uldf_pci_bdf_parse("ABCD:Ef:1A.3", out));
	EXPECT_STREQ("abcd:ef:1a.3", out);
	ASSERT_EQ(0, uldf_pci_bdf_parse("1:2:3.4", out));
	EXPECT_STREQ("0001:02:03.4", out);

	EXPECT_EQ(-EINVAL, uldf_pci_bdf_parse(NULL, out));
	EXPECT_EQ(-EINVAL, uldf_pci_bdf_parse("", out));
	EXPECT_EQ(-EINVAL, uldf_pci_bdf_parse("0000:00:20.0", out));	/* dev */
	EXPECT_EQ(-EINVAL, uldf_pci_bdf_parse("0000:00:03.8", out));	/* fn */
	EXPECT_EQ(-EINVAL, uldf_pci_bdf_parse("10000:00:03.0", out));
	EXPECT_EQ(-EINVAL, uldf_pci_bdf_parse("0000:100:03.0", out));
	EXPECT_EQ(-EINVAL, uldf_pci_bdf_parse("0000:00:03.0 ", out));
	EXPECT_EQ(-EINVAL, uldf_pci_bdf_parse("0000:00:03", out));
	EXPECT_EQ(-EINVAL, uldf_pci_bdf_parse("0000-00:03.0", out));
	EXPECT_EQ(-EINVAL, uldf_pci_bdf_parse("0000:00:03.0/../x", out));
	EXPECT_EQ(-EINVAL, uldf_pci_bdf_parse("../../etc", out));
	EXPECT_EQ(-EINVAL, uldf_pci_bdf_parse("0:0:0:0.0", out));
}

/* ---- argument checks and errno --------------------------------------------- */

/* A handle on no device: every call that gets past its checks hits EBADF. */
static void fake_dev(struct uldf_dev *dev)
{
	memset(dev, 0, sizeof(*dev));
	dev->fd = -1;
	strcpy(dev->bdf, "0000:00:03.0");
	dev->info.num_irqs[ULDF_IRQ_TYPE_INTX] = 1;
	dev->info.num_irqs[ULDF_IRQ_TYPE_MSI] = 4;
}

TEST(null_and_bad_arguments)
{
	struct uldf_pci_list *list = (struct uldf_pci_list *)1;
	struct uldf_dma_buf *buf;
	struct uldf_loop *loop;
	struct uldf_dev *dev;
	uint32_t v32;
	void *addr;
	int fds[2];

	EXPECT_EQ(-EINVAL, uldf_open(NULL, &dev));
	EXPECT_EQ(-EINVAL, uldf_open("0000:00:03.0", NULL));
	EXPECT_EQ(-EINVAL, uldf_open("nonsense", &dev));
	EXPECT_EQ(-EINVAL, uldf_open_fd(0, NULL));
	uldf_close(NULL);
	EXPECT_EQ(-EINVAL, uldf_dev_fd(NULL));
	EXPECT_EQ(NULL, uldf_dev_bdf(NULL));
	EXPECT_EQ(-EINVAL, uldf_dev_get_info(NULL, NULL));
	EXPECT_EQ(-EINVAL, uldf_reset(NULL));
	EXPECT_EQ(-EINVAL, uldf_cfg_read32(NULL, 0, &v32));
	EXPECT_EQ(-EINVAL, uldf_bar_map(NULL, 0, 0, &addr, NULL));
	EXPECT_EQ(-EINVAL, uldf_irq_open(NULL, 0, 0, 1, 0, fds));
	EXPECT_EQ(-EINVAL, uldf_dma_map(NULL, NULL, 4096, ULDF_DMA_MAP_READ,
					NULL));
	EXPECT_EQ(-EINVAL, uldf_dma_buf_alloc(NULL, 4096, 0, &buf));
	EXPECT_EQ(-EINVAL, uldf_dma_set_mask(NULL, ULDF_DMA_BIT_MASK(32)));
	EXPECT_EQ(-EINVAL, uldf_loop_create(0x80, &loop));
	EXPECT_EQ(-EINVAL, uldf_loop_create(0, NULL));
	EXPECT_EQ(-EINVAL, uldf_loop_wait(NULL, 0));
	EXPECT_EQ(-EINVAL, uldf_pci_find_bdf("0000:00:03.0", NULL));
	EXPECT_EQ(-EINVAL, uldf_pci_find_bdf("0000:00:03", &list));
	EXPECT_EQ(-EINVAL, uldf_pci_find_id(0x10000, ULDF_PCI_ANY, &list));
	EXPECT_EQ(-EINVAL, uldf_pci_find_class(0x010802, 0xff0000, &list));
	EXPECT_EQ(-EINVAL, uldf_pci_find_class(0x1000000, 0xffffff, &list));
	EXPECT_EQ(-EINVAL, uldf_pci_bind("0000:00:03.0", 1));
	EXPECT_EQ(-EINVAL, uldf_pci_unbind("0000:00:03.0", 1));
	EXPECT_EQ(-EINVAL, uldf_pci_driver("0000:00:03.0", NULL, 0));
	EXPECT_EQ(0, uldf_pci_list_count(NULL));
	EXPECT_EQ(NULL, uldf_pci_list_get(NULL, 0));
	uldf_pci_list_free(NULL);
	uldf_dma_buf_free(NULL);
	uldf_loop_destroy(NULL);
	EXPECT_EQ(NULL, uldf_dma_buf_vaddr(NULL));
	EXPECT_EQ(0, uldf_dma_buf_size(NULL));
	EXPECT_EQ(-EBADF, uldf_irq_eoi(-1));
	EXPECT_EQ(-EBADF, uldf_irq_wait(-1, NULL));
	EXPECT_EQ(-EINVAL, uldf_irq_get_info(0, NULL));
}

TEST(handle_argument_checks)
{
	struct uldf_dma_map maps[2] = { 0 };
	struct uldf_dma_buf *buf;
	struct uldf_dev dev;
	uint64_t iova = 0, v64;
	uint32_t v32;
	uint16_t v16;
	char page[64];
	int fds[4];

	fake_dev(&dev);
	/* alignment and region checks come before any system call */
	EXPECT_EQ(-EINVAL, uldf_cfg_read16(&dev, 1, &v16));
	EXPECT_EQ(-EINVAL, uldf_cfg_read32(&dev, 2, &v32));
	EXPECT_EQ(-EINVAL, uldf_cfg_read64(&dev, 4, &v64));
	EXPECT_EQ(-EINVAL, uldf_cfg_write32(&dev, 6, 0));
	EXPECT_EQ(-EINVAL, uldf_bar_read32(&dev, 0, 2, &v32));
	EXPECT_EQ(-EINVAL, uldf_bar_read32(&dev, ULDF_REGION_CONFIG, 0, &v32));
	EXPECT_EQ(-EINVAL, uldf_bar_write64(&dev, 0, 4, 0));
	EXPECT_EQ(-EINVAL, uldf_bar_read(&dev, 0, 0, page, 0));
	EXPECT_EQ(-EINVAL, uldf_bar_read(&dev, 0, ULDF_REGION_MASK, page, 2));
	EXPECT_EQ(-EINVAL, uldf_cfg_read(&dev, 0, NULL, 4));
	EXPECT_EQ(-EINVAL, uldf_bar_map(&dev, ULDF_REGION_ROM, 0, (void **)&buf,
					NULL));
	EXPECT_EQ(-EINVAL, uldf_bar_map(&dev, 0, 2, (void **)&buf, NULL));
	EXPECT_EQ(-ENOENT, uldf_bar_unmap(&dev, 0));
	EXPECT_EQ(-EINVAL, uldf_region_get_info(&dev, ULDF_NUM_REGIONS,
						(struct uldf_region_info *)page));
	/* well-formed calls reach the (closed) fd */
	EXPECT_EQ(-EBADF, uldf_cfg_read32(&dev, 0, &v32));
	EXPECT_EQ(-EBADF, uldf_bar_write8(&dev, 0, 3, 1));
	EXPECT_EQ(-EBADF, uldf_reset(&dev));

	/* IRQ vectors are checked against the device's counts */
	EXPECT_EQ(-EINVAL, uldf_irq_open(&dev, ULDF_NUM_IRQ_TYPES, 0, 1, 0, fds));
	EXPECT_EQ(-EINVAL, uldf_irq_open(&dev, ULDF_IRQ_TYPE_MSI, 0, 0, 0, fds));
	EXPECT_EQ(-EINVAL, uldf_irq_open(&dev, ULDF_IRQ_TYPE_MSI, 0, 1, 4, fds));
	EXPECT_EQ(-ERANGE, uldf_irq_open(&dev, ULDF_IRQ_TYPE_INTX, 1, 1, 0, fds));
	EXPECT_EQ(-ERANGE, uldf_irq_open(&dev, ULDF_IRQ_TYPE_MSI, 2, 3, 0, fds));
	EXPECT_EQ(-ERANGE, uldf_irq_open(&dev, ULDF_IRQ_TYPE_MSIX, 0, 1, 0, fds));
	EXPECT_EQ(-ERANGE, uldf_irq_open(&dev, ULDF_IRQ_TYPE_MSI, 0xffffffff, 4,
					 0, fds));
	EXPECT_EQ(-EBADF, uldf_irq_open(&dev, ULDF_IRQ_TYPE_MSI, 1, 3, 0, fds));
	EXPECT_EQ(-EBADF, uldf_irq_open_one(&dev, ULDF_IRQ_TYPE_INTX, 0, 0));

	/* DMA */
	EXPECT_EQ(-EINVAL, uldf_dma_map(&dev, page, 4096, 0, &iova));
	EXPECT_EQ(-EINVAL, uldf_dma_map(&dev, page, 4096, 0x80 | 1, &iova));
	EXPECT_EQ(-EINVAL, uldf_dma_map(&dev, page, 0, ULDF_DMA_MAP_READ, &iova));
	EXPECT_EQ(-EINVAL, uldf_dma_map(&dev, page, 4096, ULDF_DMA_MAP_READ,
					NULL));
	EXPECT_EQ(-EBADF, uldf_dma_map(&dev, page, 4096, ULDF_DMA_MAP_READ,
				       &iova));
	EXPECT_EQ(-EINVAL, uldf_dma_unmap(&dev, 0, 0));
	EXPECT_EQ(-EINVAL, uldf_dma_map_batch(&dev, maps, 0, NULL));
	EXPECT_EQ(-EINVAL, uldf_dma_map_batch(&dev, maps, ULDF_DMA_BATCH_MAX + 1,
					      NULL));
	EXPECT_EQ(-EINVAL, uldf_dma_buf_alloc(&dev, 0, 0, &buf));
	EXPECT_EQ(-EINVAL, uldf_dma_buf_alloc(&dev, 4096, 1u << 20, &buf));
	EXPECT_EQ(-EINVAL, uldf_dma_get_info(&dev, NULL, NULL,
					     (struct uldf_iova_range *)page,
					     NULL));
}

TEST(dma_mask)
{
	struct uldf_dma_map maps[2] = { 0 };
	struct uldf_dev dev;

	fake_dev(&dev);
	EXPECT_EQ(0, dev.dma_limit);
	EXPECT_EQ(0, uldf_dma_set_mask(&dev, ULDF_DMA_BIT_MASK(28)));
	EXPECT_EQ(0x0fffffffULL, dev.dma_limit);
	EXPECT_EQ(0, uldf_dma_set_mask(&dev, ULDF_DMA_BIT_MASK(12)));
	EXPECT_EQ(-EINVAL, uldf_dma_set_mask(&dev, ULDF_DMA_BIT_MASK(11)));
	EXPECT_EQ(-EINVAL, uldf_dma_set_mask(&dev, 0x0ffff000));
	EXPECT_EQ(-EINVAL, uldf_dma_set_mask(&dev, 0));
	EXPECT_EQ(0, uldf_dma_set_mask(&dev, ULDF_DMA_BIT_MASK(64)));
	EXPECT_EQ(0, dev.dma_limit);		/* 64 bits: no limit */

	/* a batch gets the mask as its limit unless it has one or is fixed */
	uldf_dma_set_mask(&dev, ULDF_DMA_BIT_MASK(32));
	maps[1].flags = ULDF_DMA_MAP_READ | ULDF_DMA_MAP_FIXED_IOVA;
	EXPECT_EQ(-EBADF, uldf_dma_map_batch(&dev, maps, 2, NULL));
	EXPECT_EQ(sizeof(maps[0]), maps[0].argsz);
	EXPECT_EQ(0xffffffffULL, maps[0].iova_limit);
	EXPECT_EQ(0, maps[1].iova_limit);
}

TEST(errno_preserved)
{
	const char *old = uldfi_dev_root;
	struct uldf_loop *loop;
	struct uldf_dev *dev;
	uint64_t count;

	uldfi_dev_root = "/nonexistent-uldf";
	errno = 4321;
	EXPECT_EQ(-ENOENT, uldf_open("0000:00:03.0", &dev));
	EXPECT_EQ(4321, errno);
	EXPECT_EQ(-EINVAL, uldf_open("x", &dev));
	EXPECT_EQ(4321, errno);
	EXPECT_EQ(-EBADF, uldf_irq_wait(-1, &count));
	EXPECT_EQ(4321, errno);
	EXPECT_EQ(-ENOTTY, uldf_open_fd(open("/dev/null", O_RDWR), &dev));
	EXPECT_EQ(4321, errno);
	ASSERT_EQ(0, uldf_loop_create(0, &loop));
	EXPECT_EQ(4321, errno);
	EXPECT_EQ(0, uldf_loop_wait(loop, 0));
	EXPECT_EQ(4321, errno);
	uldf_loop_destroy(loop);
	EXPECT_EQ(4321, errno);
	uldfi_dev_root = old;
}

/* ---- the DMA memory allocator ----------------------------------------------- */

static long free_hugepages(void)
{
	char line[256];
	long n = 0;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "HugePages_Free: %ld", &n) == 1)
			break;
	fclose(f);
	return n;
}

TEST(mem_alloc_rounds_and_zeroes)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	struct uldfi_mem mem;
	unsigned char *p;
	size_t i;

	ASSERT_EQ(0, uldfi_mem_alloc(1, 0, &mem));
	EXPECT_EQ(pg, mem.size);
	EXPECT_FALSE(mem.huge);
	EXPECT_EQ(0, (uintptr_t)mem.addr % pg);
	uldfi_mem_free(&mem);
	EXPECT_EQ(NULL, mem.addr);

	ASSERT_EQ(0, uldfi_mem_alloc(3 * pg + 1, 0, &mem));
	EXPECT_EQ(4 * pg, mem.size);
	p = mem.addr;
	for (i = 0; i < mem.size; i++)
		ASSERT_EQ(0, p[i]);
	memset(p, 0xa5, mem.size);
	uldfi_mem_free(&mem);

	EXPECT_EQ(-EINVAL, uldfi_mem_alloc(0, 0, &mem));
	EXPECT_EQ(-EINVAL, uldfi_mem_alloc(SIZE_MAX, 0, &mem));
	EXPECT_EQ(-EINVAL, uldfi_mem_alloc(SIZE_MAX - 10, ULDF_DMA_BUF_HUGEPAGE,
					   &mem));
}

TEST(mem_alloc_hugepage)
{
	struct uldfi_mem mem;
	int ret;

	ret = uldfi_mem_alloc(4096, ULDF_DMA_BUF_HUGEPAGE, &mem);
	if (free_hugepages() > 0) {
		ASSERT_EQ(0, ret);
		EXPECT_TRUE(mem.huge);
		EXPECT_EQ(ULDFI_HUGEPAGE_SIZE, mem.size);
		EXPECT_EQ(0, (uintptr_t)mem.addr % ULDFI_HUGEPAGE_SIZE);
		memset(mem.addr, 1, mem.size);
		uldfi_mem_free(&mem);
	} else {
		/* no hugepage reserved: a clear ENOMEM, not a silent fallback */
		EXPECT_EQ(-ENOMEM, ret);
		ASSERT_EQ(0, uldfi_mem_alloc(4096, ULDF_DMA_BUF_HUGEPAGE |
					     ULDF_DMA_BUF_FALLBACK, &mem));
		EXPECT_FALSE(mem.huge);
		EXPECT_EQ((size_t)sysconf(_SC_PAGESIZE), mem.size);
		uldfi_mem_free(&mem);
	}
}

TEST(mem_alloc_not_inherited_by_fork)
{
	struct uldfi_mem mem;
	int status;
	pid_t pid;

	ASSERT_EQ(0, uldfi_mem_alloc(4096, 0, &mem));
	*(volatile int *)mem.addr = 7;
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* MADV_DONTFORK: the child has no such mapping */
		_exit(*(volatile int *)mem.addr == 7 ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGSEGV, WTERMSIG(status));
	EXPECT_EQ(7, *(volatile int *)mem.addr);
	uldfi_mem_free(&mem);
}

/* ---- the loop's helpers ------------------------------------------------------- */

TEST(ring_user_data)
{
	uint64_t ud;

	ud = uldfi_ud_pack(ULDFI_OP_READ, 5, 7);
	EXPECT_EQ(ULDFI_OP_READ, uldfi_ud_op(ud));
	EXPECT_EQ(5, uldfi_ud_gen(ud));
	EXPECT_EQ(7, uldfi_ud_slot(ud));

	ud = uldfi_ud_pack(ULDFI_OP_POLL, ULDFI_GEN_MASK + 3, 0xffffffffu);
	EXPECT_EQ(ULDFI_OP_POLL, uldfi_ud_op(ud));
	EXPECT_EQ(2, uldfi_ud_gen(ud));		/* wraps at 24 bits */
	EXPECT_EQ(0xffffffffu, uldfi_ud_slot(ud));

	ud = uldfi_ud_pack(ULDFI_OP_CANCEL, 0, 0);
	EXPECT_EQ(ULDFI_OP_CANCEL, uldfi_ud_op(ud));
	EXPECT_NE(uldfi_ud_pack(ULDFI_OP_READ, 1, 3),
		  uldfi_ud_pack(ULDFI_OP_READ, 2, 3));
}

/* ---- the loop on eventfds ------------------------------------------------------ */

#define MAX_CALLS	8

struct calls {
	int n;
	int fd[MAX_CALLS];
	int64_t res[MAX_CALLS];
	int ret;		/* what the handler returns */
	int remove_fd;		/* a fd the handler removes, or -1 */
	int add_fd;		/* a fd the handler adds, or -1 */
};

static int record(struct uldf_loop *loop, int fd, int64_t res, void *data)
{
	struct calls *c = data;

	if (c->n < MAX_CALLS) {
		c->fd[c->n] = fd;
		c->res[c->n] = res;
	}
	c->n++;
	if (c->remove_fd >= 0) {
		uldf_loop_remove(loop, c->remove_fd);
		c->remove_fd = -1;
	}
	if (c->add_fd >= 0) {
		uldf_loop_add(loop, c->add_fd, 0, record, c);
		c->add_fd = -1;
	}
	return c->ret;
}

static int signal_fd(int fd, uint64_t n)
{
	return write(fd, &n, sizeof(n)) == sizeof(n) ? 0 : -errno;
}

static bool mshot_kernel(void)
{
	struct io_uring_probe *p = io_uring_get_probe();
	bool ok = p && io_uring_opcode_supported(p, 49);

	if (p)
		io_uring_free_probe(p);
	return ok;
}

FIXTURE(loop) {
	struct uldf_loop *loop;
	struct calls c;
	int efd[3];
};

FIXTURE_VARIANT(loop) {
	unsigned int flags;
};

FIXTURE_VARIANT_ADD(loop, multishot) {
	.flags = 0,
};

FIXTURE_VARIANT_ADD(loop, poll) {
	.flags = ULDF_LOOP_POLL,
};

FIXTURE_SETUP(loop)
{
	int i, ret;

	memset(&self->c, 0, sizeof(self->c));
	self->c.remove_fd = -1;
	self->c.add_fd = -1;
	for (i = 0; i < 3; i++) {
		self->efd[i] = eventfd(0, EFD_CLOEXEC);
		ASSERT_LE(0, self->efd[i]);
	}
	ret = uldf_loop_create(variant->flags, &self->loop);
	if (ret == -EPERM || ret == -ENOSYS)
		SKIP(return, "io_uring is not available (%d)", ret);
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(loop)
{
	int i;

	uldf_loop_destroy(self->loop);
	for (i = 0; i < 3; i++)
		close(self->efd[i]);
}

TEST_F(loop, features)
{
	int f = uldf_loop_features(self->loop);

	if (variant->flags & ULDF_LOOP_POLL) {
		EXPECT_EQ(0, f);
	} else {
		EXPECT_EQ(mshot_kernel() ? ULDF_LOOP_F_MULTISHOT : 0, f);
	}
	EXPECT_LE(0, uldf_loop_fd(self->loop));
}

TEST_F(loop, one_fd_counts)
{
	ASSERT_EQ(0, uldf_loop_add(self->loop, self->efd[0], 0, record, &self->c));
	EXPECT_EQ(-EEXIST, uldf_loop_add(self->loop, self->efd[0], 0, record,
					 &self->c));
	EXPECT_TRUE(fcntl(self->efd[0], F_GETFL) & O_NONBLOCK);

	EXPECT_EQ(0, uldf_loop_wait(self->loop, 0));
	EXPECT_EQ(0, self->c.n);
	ASSERT_EQ(0, signal_fd(self->efd[0], 3));
	ASSERT_EQ(1, uldf_loop_wait(self->loop, 5000));
	EXPECT_EQ(self->efd[0], self->c.fd[0]);
	EXPECT_EQ(3, self->c.res[0]);
	/* the count was consumed */
	EXPECT_EQ(0, uldf_loop_wait(self->loop, 20));
	EXPECT_EQ(1, self->c.n);
}

TEST_F(loop, two_fds)
{
	int seen = 0, i;

	ASSERT_EQ(0, uldf_loop_add(self->loop, self->efd[0], 0, record, &self->c));
	ASSERT_EQ(0, uldf_loop_add(self->loop, self->efd[1], 0, record, &self->c));
	ASSERT_EQ(0, signal_fd(self->efd[1], 2));
	ASSERT_EQ(0, signal_fd(self->efd[0], 5));
	while (self->c.n < 2)
		ASSERT_LT(0, uldf_loop_wait(self->loop, 5000));
	ASSERT_EQ(2, self->c.n);
	for (i = 0; i < 2; i++) {
		if (self->c.fd[i] == self->efd[0]) {
			EXPECT_EQ(5, self->c.res[i]);
			seen |= 1;
		} else if (self->c.fd[i] == self->efd[1]) {
			EXPECT_EQ(2, self->c.res[i]);
			seen |= 2;
		}
	}
	EXPECT_EQ(3, seen);
}

/* More rounds than provided buffers: they must be recycled. */
TEST_F(loop, many_rounds)
{
	int i;

	ASSERT_EQ(0, uldf_loop_add(self->loop, self->efd[0], 0, record, &self->c));
	for (i = 0; i < 600; i++) {
		ASSERT_EQ(0, signal_fd(self->efd[0], 1));
		ASSERT_EQ(1, uldf_loop_wait(self->loop, 5000));
		ASSERT_EQ(i + 1, self->c.n);
	}
	EXPECT_EQ(1, self->c.res[MAX_CALLS - 1]);
}

TEST_F(loop, remove)
{
	ASSERT_EQ(0, uldf_loop_add(self->loop, self->efd[0], 0, record, &self->c));
	ASSERT_EQ(0, uldf_loop_remove(self->loop, self->efd[0]));
	EXPECT_EQ(-ENOENT, uldf_loop_remove(self->loop, self->efd[0]));
	ASSERT_EQ(0, signal_fd(self->efd[0], 1));
	EXPECT_EQ(0, uldf_loop_wait(self->loop, 50));
	EXPECT_EQ(0, self->c.n);

	/* added again, the fd works (and the old request stays quiet) */
	ASSERT_EQ(0, uldf_loop_add(self->loop, self->efd[0], 0, record, &self->c));
	ASSERT_EQ(1, uldf_loop_wait(self->loop, 5000));
	EXPECT_EQ(1, self->c.res[0]);
	ASSERT_EQ(0, signal_fd(self->efd[0], 4));
	ASSERT_EQ(1, uldf_loop_wait(self->loop, 5000));
	EXPECT_EQ(4, self->c.res[1]);
	EXPECT_EQ(2, self->c.n);
}

TEST_F(loop, handler_changes_the_set)
{
	self->c.remove_fd = self->efd[0];
	self->c.add_fd = self->efd[1];
	ASSERT_EQ(0, uldf_loop_add(self->loop, self->efd[0], 0, record, &self->c));
	ASSERT_EQ(0, signal_fd(self->efd[0], 1));
	ASSERT_EQ(1, uldf_loop_wait(self->loop, 5000));
	/* efd[0] is gone, efd[1] is watched */
	ASSERT_EQ(0, signal_fd(self->efd[0], 1));
	ASSERT_EQ(0, signal_fd(self->efd[1], 6));
	ASSERT_EQ(1, uldf_loop_wait(self->loop, 5000));
	EXPECT_EQ(self->efd[1], self->c.fd[1]);
	EXPECT_EQ(6, self->c.res[1]);
	EXPECT_EQ(0, uldf_loop_wait(self->loop, 50));
	EXPECT_EQ(2, self->c.n);
}

TEST_F(loop, handler_error_stops)
{
	self->c.ret = -EHOSTDOWN;
	ASSERT_EQ(0, uldf_loop_add(self->loop, self->efd[0], 0, record, &self->c));
	ASSERT_EQ(0, signal_fd(self->efd[0], 1));
	EXPECT_EQ(-EHOSTDOWN, uldf_loop_wait(self->loop, 5000));
	EXPECT_EQ(1, self->c.n);
	/* the fd is still watched */
	self->c.ret = 0;
	ASSERT_EQ(0, signal_fd(self->efd[0], 2));
	ASSERT_EQ(1, uldf_loop_wait(self->loop, 5000));
	EXPECT_EQ(2, self->c.res[1]);
}

/* ULDF_LOOP_EOI writes 1 after each handler call; an eventfd counts it. */
TEST_F(loop, eoi_after_handler)
{
	ASSERT_EQ(0, uldf_loop_add(self->loop, self->efd[0], ULDF_LOOP_EOI,
				   record, &self->c));
	ASSERT_EQ(0, signal_fd(self->efd[0], 5));
	ASSERT_EQ(1, uldf_loop_wait(self->loop, 5000));
	EXPECT_EQ(5, self->c.res[0]);
	ASSERT_EQ(1, uldf_loop_wait(self->loop, 5000));
	EXPECT_EQ(1, self->c.res[1]);
	uldf_loop_remove(self->loop, self->efd[0]);
}

TEST_F(loop, timeout)
{
	ASSERT_EQ(0, uldf_loop_add(self->loop, self->efd[0], 0, record, &self->c));
	EXPECT_EQ(0, uldf_loop_wait(self->loop, 30));
	EXPECT_EQ(0, self->c.n);
}

/* The ring fd can be nested in another poll loop. */
TEST_F(loop, nested_in_poll)
{
	struct pollfd p = { .fd = uldf_loop_fd(self->loop), .events = POLLIN };

	ASSERT_EQ(0, uldf_loop_add(self->loop, self->efd[0], 0, record, &self->c));
	EXPECT_EQ(0, poll(&p, 1, 0));
	ASSERT_EQ(0, signal_fd(self->efd[0], 1));
	ASSERT_EQ(1, poll(&p, 1, 5000));
	EXPECT_EQ(1, uldf_loop_wait(self->loop, 0));
	EXPECT_EQ(1, self->c.n);
}

/* A read error (here EOF on a pipe) reaches the handler and drops the fd. */
TEST_F(loop, read_error)
{
	int p[2];

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ASSERT_EQ(0, uldf_loop_add(self->loop, p[0], 0, record, &self->c));
	ASSERT_EQ(0, signal_fd(p[1], 9));
	ASSERT_EQ(1, uldf_loop_wait(self->loop, 5000));
	EXPECT_EQ(9, self->c.res[0]);
	close(p[1]);
	ASSERT_EQ(1, uldf_loop_wait(self->loop, 5000));
	EXPECT_EQ(-EIO, self->c.res[1]);
	EXPECT_EQ(-ENOENT, uldf_loop_remove(self->loop, p[0]));
	EXPECT_EQ(0, uldf_loop_wait(self->loop, 30));
	EXPECT_EQ(2, self->c.n);
	close(p[0]);
}

TEST_F(loop, bad_add)
{
	EXPECT_EQ(-EINVAL, uldf_loop_add(self->loop, -1, 0, record, &self->c));
	EXPECT_EQ(-EINVAL, uldf_loop_add(self->loop, self->efd[0], 0, NULL, NULL));
	EXPECT_EQ(-EINVAL, uldf_loop_add(self->loop, self->efd[0], 2, record,
					 &self->c));
	EXPECT_EQ(-EBADF, uldf_loop_add(self->loop, 1000, 0, record, &self->c));
	EXPECT_EQ(-EINVAL, uldf_loop_remove(self->loop, -1));
}

/* ---- sysfs logic on a fake tree ------------------------------------------------ */

FIXTURE(fakesys) {
	char root[64];
	char sys[128];
	char run[128];
	const char *old_sys, *old_run;
};

static void mkfile(const char *root, const char *rel, const char *text)
{
	char path[512], *slash;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (slash = strchr(path + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	if (text) {
		FILE *f = fopen(path, "we");

		fputs(text, f);
		fclose(f);
	} else {
		mkdir(path, 0755);
	}
}

static void mklink(const char *root, const char *rel, const char *target)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	unlink(path);
	if (symlink(target, path))
		perror("symlink");
}

static void slurp(const char *root, const char *rel, char *buf, size_t len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	buf[0] = '\0';
	uldfi_read_file(path, buf, len);
}

#define DEV(bdf, attr)	"bus/pci/devices/" bdf "/" attr

/* A PCI device @bdf in IOMMU group @group, bound to @drv (or unbound). */
static void fake_device(const char *sys, const char *bdf, const char *cls,
			int group, const char *drv)
{
	char rel[256], target[256];

	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/class", bdf);
	mkfile(sys, rel, cls);
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/driver_override", bdf);
	mkfile(sys, rel, "(null)\n");
	if (group >= 0) {
		snprintf(rel, sizeof(rel), "kernel/iommu_groups/%d/devices", group);
		mkfile(sys, rel, NULL);
		snprintf(rel, sizeof(rel), "kernel/iommu_groups/%d/devices/%s",
			 group, bdf);
		mklink(sys, rel, "../../../../bus/pci/devices/x");
		snprintf(rel, sizeof(rel), "bus/pci/devices/%s/iommu_group", bdf);
		snprintf(target, sizeof(target), "../../../kernel/iommu_groups/%d",
			 group);
		mklink(sys, rel, target);
	}
	if (drv) {
		snprintf(rel, sizeof(rel), "bus/pci/drivers/%s/unbind", drv);
		mkfile(sys, rel, "");
		snprintf(rel, sizeof(rel), "bus/pci/drivers/%s/bind", drv);
		mkfile(sys, rel, "");
		snprintf(rel, sizeof(rel), "bus/pci/devices/%s/driver", bdf);
		snprintf(target, sizeof(target), "../../drivers/%s", drv);
		mklink(sys, rel, target);
	}
}

FIXTURE_SETUP(fakesys)
{
	strcpy(self->root, "/tmp/libuldf-unit.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	snprintf(self->sys, sizeof(self->sys), "%s/sys", self->root);
	snprintf(self->run, sizeof(self->run), "%s/run", self->root);
	mkfile(self->sys, "bus/pci/drivers_probe", "");
	/* group 5: an NVMe function, a NIC and a bridge */
	fake_device(self->sys, "0000:00:05.0", "0x010802\n", 5, "nvme");
	fake_device(self->sys, "0000:00:05.1", "0x020000\n", 5, "e1000e");
	fake_device(self->sys, "0000:00:05.2", "0x060400\n", 5, "pcieport");
	/* group 7: edu, unbound, and a stub-bound function */
	fake_device(self->sys, "0000:00:03.0", "0x00ff00\n", 7, NULL);
	fake_device(self->sys, "0000:00:03.1", "0x00ff00\n", 7, "pci-stub");
	/* no IOMMU group */
	fake_device(self->sys, "0000:00:09.0", "0x00ff00\n", -1, "uldf");
	self->old_sys = uldfi_sysfs_root;
	self->old_run = uldfi_run_root;
	uldfi_sysfs_root = self->sys;
	uldfi_run_root = self->run;
}

FIXTURE_TEARDOWN(fakesys)
{
	char cmd[128];

	uldfi_sysfs_root = self->old_sys;
	uldfi_run_root = self->old_run;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->root);
	if (system(cmd))
		TH_LOG("cannot remove %s", self->root);
}

TEST_F(fakesys, driver_and_group)
{
	char drv[64];

	ASSERT_EQ(0, uldf_pci_driver("0000:00:05.0", drv, sizeof(drv)));
	EXPECT_STREQ("nvme", drv);
	ASSERT_EQ(0, uldf_pci_driver("00:03.0", drv, sizeof(drv)));
	EXPECT_STREQ("", drv);
	EXPECT_EQ(-ENAMETOOLONG, uldf_pci_driver("0000:00:05.0", drv, 3));
	EXPECT_EQ(-ENODEV, uldf_pci_driver("0000:00:0a.0", drv, sizeof(drv)));
	EXPECT_EQ(5, uldf_pci_iommu_group("0000:00:05.0"));
	EXPECT_EQ(7, uldf_pci_iommu_group("0000:00:03.0"));
	EXPECT_EQ(-ENOENT, uldf_pci_iommu_group("0000:00:09.0"));
	EXPECT_EQ(-ENODEV, uldf_pci_iommu_group("0000:00:0a.0"));
}

TEST_F(fakesys, viability)
{
	char blocker[64];

	EXPECT_EQ(0, uldf_pci_group_viable("0000:00:05.0", blocker,
					   sizeof(blocker)));
	EXPECT_STREQ("0000:00:05.1 (e1000e)", blocker);
	/* the NIC itself is blocked by the NVMe function */
	EXPECT_EQ(0, uldf_pci_group_viable("0000:00:05.1", blocker,
					   sizeof(blocker)));
	EXPECT_STREQ("0000:00:05.0 (nvme)", blocker);
	/* unbound + pci-stub: viable */
	EXPECT_EQ(1, uldf_pci_group_viable("0000:00:03.0", blocker,
					   sizeof(blocker)));
	EXPECT_STREQ("", blocker);
	/* no group: viable */
	EXPECT_EQ(1, uldf_pci_group_viable("0000:00:09.0", NULL, 0));

	/* unbinding the NIC leaves the bridge, which does not block */
	unlink(strcat(strcpy(blocker, self->sys), "/" DEV("0000:00:05.1", "driver")));
	EXPECT_EQ(1, uldf_pci_group_viable("0000:00:05.0", NULL, 0));
	EXPECT_EQ(-ENODEV, uldf_pci_group_viable("0000:00:0a.0", NULL, 0));
}

TEST_F(fakesys, bind_errors)
{
	char text[64];
	char from[256], to[256];

	/* uldf not registered */
	snprintf(from, sizeof(from), "%s/bus/pci/drivers/uldf", self->sys);
	snprintf(to, sizeof(to), "%s/bus/pci/drivers/uldf.off", self->sys);
	ASSERT_EQ(0, rename(from, to));
	EXPECT_EQ(-ENOENT, uldf_pci_bind("0000:00:03.0", 0));
	ASSERT_EQ(0, rename(to, from));
	EXPECT_EQ(-ENODEV, uldf_pci_bind("0000:00:0a.0", 0));
	/* not viable: nothing is touched */
	EXPECT_EQ(-EBUSY, uldf_pci_bind("0000:00:05.0", 0));
	slurp(self->sys, DEV("0000:00:05.0", "driver_override"), text,
	      sizeof(text));
	EXPECT_STREQ("(null)", text);
	slurp(self->sys, "bus/pci/drivers/nvme/unbind", text, sizeof(text));
	EXPECT_STREQ("", text);
	/* already bound to uldf */
	EXPECT_EQ(0, uldf_pci_bind("0000:00:09.0", 0));
}

/*
 * In a fake tree nothing reacts to the writes, so uldf never takes the
 * device: bind must report -EIO, put the override back and forget its
 * record.  The writes show what it did.
 */
TEST_F(fakesys, bind_rolls_back)
{
	char text[64], path[256];

	mkfile(self->sys, "bus/pci/drivers/uldf/bind", "");
	unlink(strcat(strcpy(path, self->sys), "/" DEV("0000:00:05.1", "driver")));
	EXPECT_EQ(-EIO, uldf_pci_bind("0000:00:05.0", 0));
	slurp(self->sys, "bus/pci/drivers/nvme/unbind", text, sizeof(text));
	EXPECT_STREQ("0000:00:05.0", text);
	slurp(self->sys, "bus/pci/drivers_probe", text, sizeof(text));
	EXPECT_STREQ("0000:00:05.0", text);
	slurp(self->sys, "bus/pci/drivers/nvme/bind", text, sizeof(text));
	EXPECT_STREQ("0000:00:05.0", text);
	slurp(self->sys, DEV("0000:00:05.0", "driver_override"), text,
	      sizeof(text));
	EXPECT_STREQ("", text);			/* "\n" clears it */
	snprintf(path, sizeof(path), "%s/0000:00:05.0", self->run);
	EXPECT_NE(0, access(path, F_OK));
}

TEST_F(fakesys, unbind)
{
	char text[64], path[256];

	/* bound to another driver: not ours to unbind */
	EXPECT_EQ(-ENXIO, uldf_pci_unbind("0000:00:05.0", 0));

	/* bound to uldf, previously to nvme: restores nvme */
	mkfile(self->sys, "bus/pci/drivers/uldf/unbind", "");
	mkfile(self->run, "0000:00:09.0", "driver=nvme\noverride=\n");
	mkfile(self->sys, "bus/pci/drivers/nvme/bind", "");
	EXPECT_EQ(-EIO, uldf_pci_unbind("0000:00:09.0", 0));	/* fake: no bind */
	slurp(self->sys, "bus/pci/drivers/uldf/unbind", text, sizeof(text));
	EXPECT_STREQ("0000:00:09.0", text);
	slurp(self->sys, "bus/pci/drivers/nvme/bind", text, sizeof(text));
	EXPECT_STREQ("0000:00:09.0", text);
	/* the record stays, to retry */
	snprintf(path, sizeof(path), "%s/0000:00:09.0", self->run);
	EXPECT_EQ(0, access(path, F_OK));

	/* unbound, no record, someone else's override: left alone */
	mkfile(self->sys, DEV("0000:00:03.0", "driver_override"), "vfio-pci\n");
	EXPECT_EQ(0, uldf_pci_unbind("0000:00:03.0", 0));
	slurp(self->sys, DEV("0000:00:03.0", "driver_override"), text,
	      sizeof(text));
	EXPECT_STREQ("vfio-pci", text);

	/* unbound, no record, our override from a failed bind: cleared */
	mkfile(self->sys, DEV("0000:00:03.0", "driver_override"), "uldf\n");
	EXPECT_EQ(0, uldf_pci_unbind("0000:00:03.0", 0));
	slurp(self->sys, DEV("0000:00:03.0", "driver_override"), text,
	      sizeof(text));
	EXPECT_STREQ("", text);
}

TEST_HARNESS_MAIN
