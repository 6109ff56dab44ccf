// SPDX-License-Identifier: GPL-2.0
/*
 * BAR access follows the device's decode and power state, and no mapping
 * survives an unbind (an unbind never waits on the user:
 * uldf_unbind_wait_test.c).  Each case
 * attacks the module the way a hostile fd holder would:
 *
 *   - clear Memory Space Enable (or put the function in D3hot) through
 *     uldf's config space and touch the BAR mapping: on real hardware that
 *     read is an Unsupported Request, which can take the host down, so it
 *     must be a SIGBUS, and pread()/pwrite() must be EIO;
 *   - reset the function while another thread touches the mapping: the
 *     mapping is zapped around the reset and the touch waits for it;
 *   - race mmap/touch/munmap against unbind/bind: once an unbind has
 *     returned no touch reaches the device.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/fuse.h>
#include <linux/pci_regs.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "uldf_dma_util.h"

#define NVME_VS		0x08	/* NVMe Version register, in BAR0 */

static __thread sigjmp_buf bus_env;
static __thread volatile int in_touch;

static void on_sigbus(int sig)
{
	if (in_touch)
		siglongjmp(bus_env, 1);
	abort();
}

static void catch_sigbus(void)
{
	struct sigaction sa = { .sa_handler = on_sigbus };

	sigaction(SIGBUS, &sa, NULL);
}

/* Read a register through a mapping; false if the access got SIGBUS. */
static bool touch(volatile uint32_t *reg, uint32_t *val)
{
	if (sigsetjmp(bus_env, 1)) {
		in_touch = 0;
		return false;
	}
	in_touch = 1;
	*val = *reg;
	in_touch = 0;
	return true;
}

/*
 * Page faults this thread has taken.  A BAR page is faulted in on first
 * touch and stays until something zaps it, so a new fault on the next
 * touch shows the zap (/proc/self/pagemap does not look into PFN maps).
 */
static long faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_minflt + ru.ru_majflt;
}

static int cfg_rd16(int fd, unsigned int off, uint16_t *v)
{
	return uldf_test_pread(fd, ULDF_REGION_CONFIG, off, v, 2) == 2 ? 0 : -EIO;
}

static int cfg_wr16(int fd, unsigned int off, uint16_t v)
{
	return uldf_test_pwrite(fd, ULDF_REGION_CONFIG, off, &v, 2) == 2 ? 0 : -EIO;
}

/* ---- one mapped function --------------------------------------------- */

FIXTURE(mapped) {
	const char *bdf;
	int fd;
	long psz;
	volatile uint32_t *bar;
	unsigned int reg;	/* a register that reads @ident */
	uint32_t ident;
};

FIXTURE_VARIANT(mapped) {
	const char *env;
	const char *def;
	bool nvme;
};

FIXTURE_VARIANT_ADD(mapped, edu) {
	.env = "ULDF_EDU_BDF", .def = ULDF_DEFAULT_EDU,
};

FIXTURE_VARIANT_ADD(mapped, nvme) {
	.env = "ULDF_NVME_BDF", .def = ULDF_DEFAULT_NVME, .nvme = true,
};

FIXTURE_SETUP(mapped)
{
	void *p;

	self->fd = -1;
	self->bar = NULL;
	self->psz = getpagesize();
	self->bdf = uldf_test_bdf(variant->env, variant->def);
	if (!uldf_test_module_loaded())
		SKIP(return, "uldf.ko not loaded; run through 'make check'");
	if (!uldf_test_device_exists(self->bdf))
		SKIP(return, "no device at %s; run through 'make check'", self->bdf);
	ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
	self->fd = uldf_test_open(self->bdf);
	ASSERT_LE(0, self->fd);
	p = mmap(NULL, self->psz, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 ULDF_REGION_OFFSET(0));
	ASSERT_NE(MAP_FAILED, p);
	self->bar = p;
	self->reg = variant->nvme ? NVME_VS : EDU_ID;
	ASSERT_EQ(4, uldf_test_pread(self->fd, ULDF_REGION_BAR0, self->reg,
				     &self->ident, 4));
	ASSERT_NE(0xffffffffU, self->ident);
	catch_sigbus();
}

FIXTURE_TEARDOWN(mapped)
{
	if (self->bar)
		munmap((void *)self->bar, self->psz);
	if (self->fd >= 0)
		close(self->fd);
}

/* Memory Space Enable off: SIGBUS through the mapping, EIO through pread. */
TEST_F(mapped, memory_off_blocks_access)
{
	volatile uint32_t *reg = self->bar + self->reg / 4;
	uint16_t cmd;
	uint32_t v;

	ASSERT_TRUE(touch(reg, &v));
	ASSERT_EQ(self->ident, v);
	ASSERT_EQ(0, cfg_rd16(self->fd, PCI_COMMAND, &cmd));
	ASSERT_TRUE(cmd & PCI_COMMAND_MEMORY);

	ASSERT_EQ(0, cfg_wr16(self->fd, PCI_COMMAND, cmd & ~PCI_COMMAND_MEMORY));
	EXPECT_FALSE(touch(reg, &v));
	EXPECT_EQ(-EIO, uldf_test_pread(self->fd, ULDF_REGION_BAR0, self->reg,
					&v, 4));
	v = 0;
	EXPECT_EQ(-EIO, uldf_test_pwrite(self->fd, ULDF_REGION_BAR0, 0x100,
					 &v, 4));
	/* A second look: still blocked, not a one-shot. */
	EXPECT_FALSE(touch(reg, &v));

	ASSERT_EQ(0, cfg_wr16(self->fd, PCI_COMMAND, cmd));
	ASSERT_TRUE(touch(reg, &v));
	EXPECT_EQ(self->ident, v);
	EXPECT_EQ(4, uldf_test_pread(self->fd, ULDF_REGION_BAR0, self->reg,
				     &v, 4));
	EXPECT_EQ(self->ident, v);
}

/*
 * D3hot through PMCSR: SIGBUS and EIO; back to D0, the command register
 * reads as before and the same mapping works again.
 */
TEST_F(mapped, d3hot_blocks_access)
{
	volatile uint32_t *reg = self->bar + self->reg / 4;
	uint16_t cmd, cmd2, pmcsr;
	uint32_t v;
	int pm;

	pm = uldf_test_find_cap(self->fd, PCI_CAP_ID_PM);
	if (!pm)
		SKIP(return, "%s has no power management capability", self->bdf);
	ASSERT_EQ(0, cfg_rd16(self->fd, PCI_COMMAND, &cmd));
	ASSERT_EQ(0, cfg_rd16(self->fd, pm + PCI_PM_CTRL, &pmcsr));
	ASSERT_TRUE(touch(reg, &v));

	ASSERT_EQ(0, cfg_wr16(self->fd, pm + PCI_PM_CTRL,
			      (pmcsr & ~PCI_PM_CTRL_STATE_MASK) | 3));
	ASSERT_EQ(0, cfg_rd16(self->fd, pm + PCI_PM_CTRL, &cmd2));
	EXPECT_EQ(3, cmd2 & PCI_PM_CTRL_STATE_MASK);
	EXPECT_FALSE(touch(reg, &v));
	EXPECT_EQ(-EIO, uldf_test_pread(self->fd, ULDF_REGION_BAR0, self->reg,
					&v, 4));

	ASSERT_EQ(0, cfg_wr16(self->fd, pm + PCI_PM_CTRL,
			      pmcsr & ~PCI_PM_CTRL_STATE_MASK));
	ASSERT_EQ(0, cfg_rd16(self->fd, PCI_COMMAND, &cmd2));
	EXPECT_EQ(cmd, cmd2);
	ASSERT_TRUE(touch(reg, &v));
	EXPECT_EQ(self->ident, v);
}

struct toucher {
	volatile uint32_t *reg;
	uint32_t ident;
	volatile int stop;
	long reads, bad, sigbus;
};

static void *toucher_run(void *arg)
{
	struct toucher *t = arg;
	uint32_t v;

	while (!t->stop) {
		if (!touch(t->reg, &v))
			t->sigbus++;
		else if (v != t->ident)
			t->bad++;
		t->reads++;
	}
	return NULL;
}

/*
 * A reset zaps the mapping (the next touch faults again) and a touch from another thread during the reset waits
 * for it, then reads the device: never a SIGBUS, never a stale value.
 */
TEST_F(mapped, reset_zaps_and_waits)
{
	struct toucher t = { .reg = self->bar + self->reg / 4,
			     .ident = self->ident };
	struct uldf_device_info info = { .argsz = sizeof(info) };
	pthread_t th;
	uint32_t v;
	long f;
	int i, n = uldf_test_scale(20);

	ASSERT_EQ(0, ioctl(self->fd, ULDF_DEVICE_GET_INFO, &info));
	if (!(info.flags & ULDF_DEVICE_FLAGS_RESET))
		SKIP(return, "%s has no reset method", self->bdf);

	/* Once touched, the page stays mapped: a touch without a fault. */
	for (i = 0; i < 5; i++) {
		f = faults();
		ASSERT_TRUE(touch(t.reg, &v));
		if (f == faults())
			break;
	}
	ASSERT_GT(5, i);
	for (i = 0; ioctl(self->fd, ULDF_DEVICE_RESET) && errno == EAGAIN &&
		    i < 100; i++)
		usleep(10000);
	ASSERT_GT(100, i);
	f = faults();
	ASSERT_TRUE(touch(t.reg, &v));
	EXPECT_LT(f, faults()) TH_LOG("the reset did not zap the mapping");
	EXPECT_EQ(self->ident, v);

	ASSERT_EQ(0, pthread_create(&th, NULL, toucher_run, &t));
	for (i = 0; i < n; i++) {
		int ret = ioctl(self->fd, ULDF_DEVICE_RESET);

		if (ret && errno == EAGAIN)
			continue;
		EXPECT_EQ(0, ret);
		EXPECT_EQ(4, uldf_test_pread(self->fd, ULDF_REGION_BAR0,
					     self->reg, &v, 4));
	}
	t.stop = 1;
	pthread_join(th, NULL);
	EXPECT_LT(0, t.reads);
	EXPECT_EQ(0, t.sigbus);
	EXPECT_EQ(0, t.bad);
}

/* ---- no mapping survives an unbind ------------------------------------ */

struct racer {
	const char *bdf;
	volatile int stop;
	volatile unsigned int unbound;	/* unbinds from uldf that returned */
	long touches, late;
};

/*
 * mmap, touch, munmap in a loop, reopening after every revocation.  A
 * touch that began after an unbind had returned, through a mapping of the
 * fd opened before that unbind, and that still read the device, is late.
 */
static void *racer_run(void *arg)
{
	struct racer *r = arg;
	long psz = getpagesize();

	while (!r->stop) {
		unsigned int gen = r->unbound;
		volatile uint32_t *bar;
		int fd = uldf_test_open(r->bdf);
		int i;

		if (fd < 0)
			continue;
		if (r->unbound != gen) {
			close(fd);
			continue;
		}
		for (i = 0; i < 50 && !r->stop; i++) {
			unsigned int seen;
			uint32_t v;
			bool ok;

			bar = mmap(NULL, psz, PROT_READ, MAP_SHARED, fd,
				   ULDF_REGION_OFFSET(0));
			if (bar == MAP_FAILED)
				break;
			seen = r->unbound;
			ok = touch(bar, &v);
			munmap((void *)bar, psz);
			r->touches++;
			if (ok && seen != gen && v == EDU_ID_VALUE)
				r->late++;
			if (!ok)
				break;
		}
		close(fd);
	}
	return NULL;
}

FIXTURE(unbind) {
	const char *bdf;
};

FIXTURE_SETUP(unbind)
{
	self->bdf = uldf_test_bdf("ULDF_EDU_BDF", ULDF_DEFAULT_EDU);
	if (!uldf_test_module_loaded())
		SKIP(return, "uldf.ko not loaded; run through 'make check'");
	if (!uldf_test_device_exists(self->bdf))
		SKIP(return, "no edu at %s; run through 'make check'", self->bdf);
	catch_sigbus();
	ASSERT_EQ(0, uldf_test_write_param("release_timeout_ms", "0"));
	ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
}

FIXTURE_TEARDOWN(unbind)
{
	uldf_test_write_param("release_timeout_ms", "1000");
	uldf_test_bind(self->bdf, "uldf");
}

/*
 * A mapping touched before an unbind, in this process and in a child that
 * inherited it, reaches nothing after: both touches get SIGBUS.
 */
TEST_F(unbind, mapping_dies_with_unbind)
{
	long psz = getpagesize();
	volatile uint32_t *bar;
	int fd, p[2], q[2], status;
	uint32_t v;
	pid_t pid;
	char c;

	fd = uldf_test_open(self->bdf);
	ASSERT_LE(0, fd);
	bar = mmap(NULL, psz, PROT_READ, MAP_SHARED, fd, ULDF_REGION_OFFSET(0));
	ASSERT_NE(MAP_FAILED, bar);
	ASSERT_TRUE(touch(bar, &v));
	ASSERT_EQ(EDU_ID_VALUE, v);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, pipe(q));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint32_t w;

		/* Touched before the unbind (q), touched again after it (p). */
		if (!touch(bar, &w) || write(q[1], "t", 1) != 1 ||
		    read(p[0], &c, 1) != 1)
			_exit(2);
		_exit(touch(bar, &w) ? 1 : 0);
	}
	ASSERT_EQ(1, read(q[0], &c, 1));
	ASSERT_EQ(0, uldf_test_unbind(self->bdf));
	ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
	EXPECT_FALSE(touch(bar, &v));
	ASSERT_EQ(1, write(p[1], "u", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("the child's inherited mapping still reached the device");
	munmap((void *)bar, psz);
	close(fd);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

TEST_F_TIMEOUT(unbind, mmap_races_unbind, 300)
{
	struct racer r = { .bdf = self->bdf };
	int i, n = uldf_test_scale(60);
	pthread_t th;

	if (system("modprobe uio_pci_generic 2>/dev/null"))
		SKIP(return, "uio_pci_generic cannot be loaded");
	ASSERT_EQ(0, pthread_create(&th, NULL, racer_run, &r));
	for (i = 0; i < n; i++) {
		usleep(2000 + (i % 7) * 1000);
		if (uldf_test_unbind(self->bdf))
			break;
		r.unbound++;
		/* Another driver owns the function now, then uldf again. */
		if (uldf_test_bind(self->bdf, i & 1 ? "uio_pci_generic" : "uldf") ||
		    uldf_test_bind(self->bdf, "uldf"))
			break;
	}
	r.stop = 1;
	pthread_join(th, NULL);
	ASSERT_EQ(n, i) TH_LOG("unbind/bind failed in round %d", i);
	TH_LOG("%ld touches over %d unbinds", r.touches, n);
	EXPECT_LT(0, r.touches);
	EXPECT_EQ(0, r.late);
}

TEST_HARNESS_MAIN
