// SPDX-License-Identifier: GPL-2.0
/*
 * What DMA mappings cost and leave behind, checked with QEMU's edu device:
 *
 *  - locked_vm (VmLck) and page pins (FOLL_PIN counts in /proc/vmstat)
 *    back to where they were after unmap, close, SIGKILL of a process
 *    holding 64 MiB mapped, and revocation by an unbind from another
 *    process; RLIMIT_MEMLOCK enforced once CAP_IPC_LOCK is dropped, also
 *    for batches; no slab growth over many map/unmap cycles;
 *  - two threads mapping and unmapping at once, also racing for one fixed
 *    IOVA, while the device copies through a stable mapping.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "uldf_dma_fixture.h"

TEST_F(iommu, locked_vm_unmap_and_close)
{
	const size_t size = 4UL << 20;
	long base = vmlck_kb(getpid()), pins = pinned_pages();
	uint8_t *buf = map_anon(size);
	uint64_t iova = 0;

	ASSERT_NE(NULL, buf);
	ASSERT_LE(0, base);
	ASSERT_EQ(0, dma_map(self->fd, buf, size, ULDF_DMA_MAP_READ |
			     ULDF_DMA_MAP_WRITE, &iova, 0));
	EXPECT_EQ(base + (long)(size >> 10), vmlck_kb(getpid()));
	EXPECT_EQ(pins + (long)(size / PAGE), pinned_pages());
	ASSERT_EQ(0, dma_unmap(self->fd, iova, size, 0, NULL));
	EXPECT_EQ(base, vmlck_kb(getpid()));
	EXPECT_EQ(pins, pinned_pages());

	/* Left mapped at close. */
	iova = 0;
	ASSERT_EQ(0, dma_map(self->fd, buf, size, ULDF_DMA_MAP_READ, &iova, 0));
	EXPECT_EQ(base + (long)(size >> 10), vmlck_kb(getpid()));
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(base, vmlck_kb(getpid()));
	EXPECT_EQ(pins, pinned_pages());
	self->fd = uldf_test_open(self->bdf);
	ASSERT_LE(0, self->fd);
}

/*
 * A batch whose entries can be read but not written back (where the
 * IOVAs are reported): EFAULT, and the pages it pinned are unpinned.
 */
TEST_F(iommu, unreportable_batch_pins_nothing)
{
	enum { N = 4 };
	long base = vmlck_kb(getpid()), pins = pinned_pages();
	uint8_t *buf = map_anon(N * PAGE);
	struct uldf_dma_map *e;
	uint32_t done = 7, i;

	ASSERT_NE(NULL, buf);
	e = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, e);
	for (i = 0; i < N; i++)
		e[i] = (struct uldf_dma_map) {
			.argsz = sizeof(e[i]),
			.flags = ULDF_DMA_MAP_READ | ULDF_DMA_MAP_WRITE,
			.vaddr = (uintptr_t)(buf + i * PAGE),
			.size = PAGE,
			.iova_limit = EDU_DMA_MASK,
		};
	ASSERT_EQ(0, mprotect(e, PAGE, PROT_READ));
	EXPECT_EQ(-EFAULT, dma_batch(self->fd, e, N, 0, &done));
	EXPECT_EQ(0, done);
	EXPECT_EQ(-1, ioctl(self->fd, ULDF_DMA_MAP, &e[0]));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(pins, pinned_pages());
	EXPECT_EQ(base, vmlck_kb(getpid()));
	munmap(e, PAGE);
	munmap(buf, N * PAGE);
}

static int drop_cap_ipc_lock(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[CAP_IPC_LOCK / 32].effective &= ~(1U << (CAP_IPC_LOCK % 32));
	data[CAP_IPC_LOCK / 32].permitted &= ~(1U << (CAP_IPC_LOCK % 32));
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

TEST_F(iommu, rlimit_memlock)
{
	long base = vmlck_kb(getpid());
	uint8_t *buf = map_anon(3UL << 20);
	uint64_t iova = 0, iova2 = 0;
	struct uldf_dma_map e[3];
	struct rlimit rl;
	uint32_t done;
	int logged, i;

	ASSERT_NE(NULL, buf);
	/* The harness runs each test in its own process: this stays here. */
	ASSERT_EQ(0, drop_cap_ipc_lock());
	rl.rlim_cur = rl.rlim_max = (base << 10) + (1UL << 20);
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &rl));

	ASSERT_EQ(0, dma_map(self->fd, buf, 512 << 10, ULDF_DMA_MAP_READ,
			     &iova, 0));
	logged = uldf_test_dmesg_count("RLIMIT_MEMLOCK");
	EXPECT_EQ(-ENOMEM, dma_map(self->fd, buf + (1UL << 20), 1UL << 20,
				   ULDF_DMA_MAP_READ, &iova2, 0));
	EXPECT_LT(logged, uldf_test_dmesg_count("RLIMIT_MEMLOCK"));
	EXPECT_EQ(base + 512, vmlck_kb(getpid()));
	/* Up to the limit exactly is fine. */
	EXPECT_EQ(0, dma_map(self->fd, buf + (1UL << 20), 512 << 10,
			     ULDF_DMA_MAP_READ, &iova2, 0));
	EXPECT_EQ(base + 1024, vmlck_kb(getpid()));
	EXPECT_EQ(0, dma_unmap(self->fd, 0, 0, ULDF_DMA_UNMAP_ALL, NULL));
	EXPECT_EQ(base, vmlck_kb(getpid()));
	/* A batch is charged in order: what fits takes effect. */
	for (i = 0; i < 3; i++)
		e[i] = (struct uldf_dma_map) {
			.argsz = sizeof(e[i]), .flags = ULDF_DMA_MAP_READ,
			.vaddr = (uintptr_t)(buf + i * (512 << 10)),
			.size = 512 << 10,
		};
	EXPECT_EQ(-ENOMEM, dma_batch(self->fd, e, 3, 0, &done));
	EXPECT_EQ(2, done);
	EXPECT_EQ(base + 1024, vmlck_kb(getpid()));
	/* The limit counts what is mapped now. */
	EXPECT_EQ(-ENOMEM, dma_map(self->fd, buf, PAGE, ULDF_DMA_MAP_READ,
				   &iova2, 0));
	EXPECT_EQ(0, dma_batch(self->fd, e, 2, ULDF_DMA_BATCH_UNMAP, &done));
	EXPECT_EQ(base, vmlck_kb(getpid()));
}

/* A process holding 64 MiB mapped is killed: pins and memory come back. */
TEST_F(iommu, sigkill_releases_everything)
{
	const size_t size = 64UL << 20;
	long pins = pinned_pages(), lck = -1;
	uint64_t iova = 0, a_iova = 0, b_iova = 0;
	int pipefd[2], status;
	uint8_t *a, *b;
	char c = 0;
	pid_t pid;

	close(self->fd);	/* the child opens it: the open is exclusive */
	self->fd = -1;
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint8_t *buf = map_anon(size);
		int fd = uldf_test_open(self->bdf);

		c = fd >= 0 && buf &&
		    !dma_map(fd, buf, size, ULDF_DMA_MAP_READ |
			     ULDF_DMA_MAP_WRITE, &iova, 0);
		if (write(pipefd[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	ASSERT_EQ(1, read(pipefd[0], &c, 1));
	ASSERT_EQ(1, c);
	lck = vmlck_kb(pid);
	EXPECT_LE((long)(size >> 10), lck);
	EXPECT_LE(pins + (long)(size / PAGE), pinned_pages());
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(pins, pinned_pages());
	/* The device is free again, and works. */
	self->fd = uldf_test_open(self->bdf);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, set_bus_master(self->fd));
	ASSERT_EQ(0, edu_attach(&self->edu, self->fd));
	a = map_anon(PAGE);
	b = map_anon(PAGE);
	ASSERT_EQ(0, dma_map(self->fd, a, PAGE, ULDF_DMA_MAP_READ, &a_iova,
			     EDU_DMA_MASK));
	ASSERT_EQ(0, dma_map(self->fd, b, PAGE, ULDF_DMA_MAP_WRITE, &b_iova,
			     EDU_DMA_MASK));
	EXPECT_EQ(0, round_trip(_metadata, &self->edu, a, a_iova, b, b_iova,
				EDU_XFER));
}

/* Unbind from another process revokes the device and unpins. */
TEST_F(iommu, unbind_revokes_mappings)
{
	const size_t size = 8UL << 20;
	long base = vmlck_kb(getpid()), pins = pinned_pages();
	uint8_t *buf = map_anon(size);
	uint64_t iova = 0;
	int status;
	pid_t pid;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, dma_map(self->fd, buf, size, ULDF_DMA_MAP_WRITE, &iova,
			     0));
	EXPECT_EQ(base + (long)(size >> 10), vmlck_kb(getpid()));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(uldf_test_unbind(self->bdf) ? 1 : 0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(base, vmlck_kb(getpid()));
	EXPECT_EQ(pins, pinned_pages());
	iova = 0;
	EXPECT_EQ(-ENODEV, dma_map(self->fd, buf, PAGE, ULDF_DMA_MAP_READ,
				   &iova, 0));
	EXPECT_EQ(-ENODEV, dma_unmap(self->fd, 0, 0, ULDF_DMA_UNMAP_ALL, NULL));
}

TEST_F_TIMEOUT(iommu, no_slab_growth, 300)
{
	enum { N = 16 };
	const int warm = uldf_test_scale(100), cycles = uldf_test_scale(3000);
	uint8_t *buf = map_anon(N * 2 * PAGE);
	struct uldf_dma_map e[N];
	long base = 0, slab;
	uint32_t done;
	int i, j;

	ASSERT_NE(NULL, buf);
	for (j = 0; j < N; j++)
		e[j] = (struct uldf_dma_map) {
			.argsz = sizeof(e[j]),
			.flags = ULDF_DMA_MAP_READ | ULDF_DMA_MAP_WRITE,
			.vaddr = (uintptr_t)(buf + 2 * j * PAGE),
			.size = PAGE,
			.iova_limit = EDU_DMA_MASK,
		};
	for (i = 0; i < warm + cycles; i++) {
		uint64_t iova = 0;

		if (i == warm)
			base = uldf_test_slab_kb();
		ASSERT_EQ(0, dma_batch(self->fd, e, N, 0, &done));
		ASSERT_EQ(0, dma_batch(self->fd, e, N, ULDF_DMA_BATCH_UNMAP,
				       &done));
		ASSERT_EQ(0, dma_map(self->fd, buf, 2 * PAGE,
				     ULDF_DMA_MAP_READ, &iova, 0));
		ASSERT_EQ(0, dma_unmap(self->fd, iova, 2 * PAGE, 0, NULL));
	}
	slab = uldf_test_slab_kb();
	/*
	 * 51000 mappings made and torn down (3000 cycles): a 32-byte leak
	 * each is 1.6 MB.  Fewer cycles on a slow kernel, where kmemleak
	 * watches as well.
	 */
	EXPECT_LT(slab - base, 1024) {
		TH_LOG("slab grew from %ld kB to %ld kB", base, slab);
	}
}

/* ---- concurrency --------------------------------------------------------- */

struct hammer {
	int fd;
	int id;
	uint8_t *buf;		/* 64 pages of its own */
	uint8_t *shared;	/* a page both map at one fixed IOVA */
	atomic_bool *stop;
	atomic_long *shared_maps;
	long ops;
	long errors;
	char what[128];
};

#define HAMMER_SHARED_IOVA	0x0e000000ULL

static void hammer_fail(struct hammer *h, const char *what, int ret)
{
	if (!h->errors++)
		snprintf(h->what, sizeof(h->what), "%s: %d", what, ret);
}

static void hammer_once(struct hammer *h, unsigned int seed)
{
	struct uldf_dma_map e[8];
	uint64_t iova = 0, unmapped;
	unsigned int pages = 1 + seed % 8, i;
	uint32_t done;
	int ret;

	/* An allocated mapping, within the limit. */
	ret = dma_map(h->fd, h->buf + (seed % 32) * PAGE, pages * PAGE,
		      ULDF_DMA_MAP_READ | ULDF_DMA_MAP_WRITE, &iova,
		      EDU_DMA_MASK);
	if (ret || iova + pages * PAGE - 1 > EDU_DMA_MASK)
		return hammer_fail(h, "map", ret);
	ret = dma_unmap(h->fd, iova, pages * PAGE, 0, &unmapped);
	if (ret || unmapped != pages * PAGE)
		return hammer_fail(h, "unmap", ret);

	/* Both threads race for one fixed IOVA. */
	iova = HAMMER_SHARED_IOVA;
	ret = dma_map(h->fd, h->shared, PAGE, ULDF_DMA_MAP_READ |
		      ULDF_DMA_MAP_FIXED_IOVA, &iova, 0);
	if (ret == 0) {
		atomic_fetch_add(h->shared_maps, 1);
		ret = dma_unmap(h->fd, HAMMER_SHARED_IOVA, PAGE, 0, NULL);
		if (ret)
			return hammer_fail(h, "unmap shared", ret);
	} else if (ret != -EEXIST) {
		return hammer_fail(h, "map shared", ret);
	}

	/* A batch of scattered pages, and its undoing. */
	for (i = 0; i < 8; i++)
		e[i] = (struct uldf_dma_map) {
			.argsz = sizeof(e[i]),
			.flags = ULDF_DMA_MAP_READ,
			.vaddr = (uintptr_t)(h->buf + (32 + 4 * i) * PAGE),
			.size = PAGE,
			.iova_limit = EDU_DMA_MASK,
		};
	ret = dma_batch(h->fd, e, 8, 0, &done);
	if (ret || done != 8)
		return hammer_fail(h, "batch map", ret);
	ret = dma_batch(h->fd, e, 8, ULDF_DMA_BATCH_UNMAP, &done);
	if (ret || done != 8)
		return hammer_fail(h, "batch unmap", ret);
	h->ops++;
}

static void *hammer_thread(void *arg)
{
	struct hammer *h = arg;
	unsigned int seed = h->id * 7919;

	while (!atomic_load(h->stop))
		hammer_once(h, seed++);
	return NULL;
}

TEST_F(iommu, threads_map_unmap_during_dma)
{
	atomic_bool stop = false;
	atomic_long shared_maps = 0;
	struct hammer h[2];
	pthread_t t[2];
	long base = vmlck_kb(getpid()), pins;
	uint8_t *a = map_anon(PAGE), *b = map_anon(PAGE);
	uint8_t *shared = map_anon(PAGE);
	uint64_t a_iova = 0, b_iova = 0;
	int i, bad = 0;

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	ASSERT_NE(NULL, shared);
	ASSERT_EQ(0, dma_map(self->fd, a, PAGE, ULDF_DMA_MAP_READ, &a_iova,
			     EDU_DMA_MASK));
	ASSERT_EQ(0, dma_map(self->fd, b, PAGE, ULDF_DMA_MAP_WRITE, &b_iova,
			     EDU_DMA_MASK));
	pins = pinned_pages();
	for (i = 0; i < 2; i++) {
		h[i] = (struct hammer) {
			.fd = self->fd, .id = i + 1, .buf = map_anon(64 * PAGE),
			.shared = shared, .stop = &stop,
			.shared_maps = &shared_maps,
		};
		ASSERT_NE(NULL, h[i].buf);
		ASSERT_EQ(0, pthread_create(&t[i], NULL, hammer_thread, &h[i]));
	}
	for (i = 0; i < 10; i++)
		bad += round_trip(_metadata, &self->edu, a, a_iova, b, b_iova,
				  EDU_XFER) != 0;
	atomic_store(&stop, true);
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, h[i].errors) {
			TH_LOG("thread %d: %ld errors, first %s", i,
			       h[i].errors, h[i].what);
		}
		EXPECT_LT(0, h[i].ops);
	}
	EXPECT_EQ(0, bad);
	EXPECT_LT(0, atomic_load(&shared_maps));
	TH_LOG("%ld + %ld rounds of map/unmap during 10 device round trips",
	       h[0].ops, h[1].ops);
	EXPECT_EQ(pins, pinned_pages());
	EXPECT_EQ(-ENOENT, dma_unmap(self->fd, HAMMER_SHARED_IOVA, PAGE, 0,
				     NULL));
	EXPECT_EQ(0, dma_unmap(self->fd, 0, 0, ULDF_DMA_UNMAP_ALL, NULL));
	EXPECT_EQ(base, vmlck_kb(getpid()));
}

TEST_HARNESS_MAIN
