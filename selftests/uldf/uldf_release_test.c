// SPDX-License-Identifier: GPL-2.0
/*
 * Release and revocation: what a process's death, an unbind or a surprise
 * removal leave behind.  Bus mastering goes off when the owner dies; an
 * unbind or a QMP hot-unplug while the device is open and mapped neither
 * crashes nor hangs, the process sees SIGBUS/ENODEV and closes cleanly;
 * 1000 open/close and bind/unbind cycles leave slab memory flat.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/pci_regs.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "uldf_util.h"

#define CYCLES		1000
/* A leak of even 1 KiB per cycle shows as 1 MiB over 1000 cycles. */
#define SLAB_SLACK_KB	768

static uint16_t sysfs_command(const char *bdf)
{
	char path[128];
	uint16_t cmd = 0xffff;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		if (pread(fd, &cmd, 2, 4) != 2)
			cmd = 0xffff;
		close(fd);
	}
	return cmd;
}

static long sunreclaim_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "SUnreclaim: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static sigjmp_buf bus_env;

static void on_sigbus(int sig)
{
	siglongjmp(bus_env, 1);
}

/*
 * The child side of a revocation test: open and map the device, tell the
 * parent (one byte on @ready), then read the ID register through the
 * mapping until the mapping is revoked.  Exit codes: 0 the process saw
 * SIGBUS, then ENODEV from pread, and closed cleanly; others: what failed.
 */
static int revoked_child(const char *bdf, int ready)
{
	volatile uint32_t *bar;
	uint32_t v;
	int fd, i;

	fd = uldf_test_open(bdf);
	if (fd < 0)
		return 10;
	bar = mmap(NULL, EDU_BAR0_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, ULDF_REGION_OFFSET(0));
	if (bar == MAP_FAILED)
		return 11;
	if (bar[0] != EDU_ID_VALUE)
		return 12;
	signal(SIGBUS, on_sigbus);
	if (write(ready, "r", 1) != 1)
		return 13;
	if (sigsetjmp(bus_env, 1) == 0) {
		/* Until revoked; the test's timeout catches a hang. */
		for (;;)
			v = bar[0];
	}
	/* Revoked: the fd reports the removal; close works. */
	for (i = 0; i < 3; i++)
		if (uldf_test_pread(fd, 0, 0, &v, 4) != -ENODEV)
			return 14;
	if (ioctl(fd, ULDF_DEVICE_RESET) != -1 || errno != ENODEV)
		return 15;
	if (mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) != MAP_FAILED)
		return 16;
	munmap((void *)bar, EDU_BAR0_SIZE);
	return close(fd) ? 17 : 0;
}

static pid_t start_revoked_child(struct __test_metadata *_metadata,
				 const char *bdf)
{
	int p[2];
	char c;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		_exit(revoked_child(bdf, p[1]));
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1) {
		close(p[0]);
		return -1;
	}
	close(p[0]);
	return pid;
}

FIXTURE(release) {
	const char *bdf;
};

FIXTURE_SETUP(release)
{
	self->bdf = uldf_test_bdf("ULDF_EDU_BDF", ULDF_DEFAULT_EDU);
	if (!uldf_test_module_loaded())
		SKIP(return, "uldf.ko not loaded; run through 'make check'");
	if (!uldf_test_device_exists(self->bdf))
		SKIP(return, "no edu at %s; run through 'make check'", self->bdf);
	ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
}

FIXTURE_TEARDOWN(release)
{
	uldf_test_unbind(self->bdf);
}

TEST_F(release, sigkill_turns_bus_master_off)
{
	int p[2], status;
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = uldf_test_open(self->bdf);

		if (fd < 0)
			_exit(1);
		uldf_test_command_set(fd, PCI_COMMAND_MEMORY |
				      PCI_COMMAND_MASTER);
		if (write(p[1], "r", 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	close(p[1]);
	ASSERT_EQ(1, read(p[0], &c, 1));
	close(p[0]);
	if (getenv("ULDF_IOMMU") && !strcmp(getenv("ULDF_IOMMU"), "1")) {
		EXPECT_TRUE(sysfs_command(self->bdf) & 0x4);
	}
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_FALSE(sysfs_command(self->bdf) & 0x4);
	/* The device is free again. */
	status = uldf_test_open(self->bdf);
	EXPECT_LE(0, status);
	if (status >= 0)
		close(status);
}

TEST_F(release, unbind_while_open_and_mapped)
{
	int status;
	pid_t pid;

	pid = start_revoked_child(_metadata, self->bdf);
	ASSERT_LT(0, pid);
	/* Unbinding waits for the user a while, then revokes. */
	ASSERT_EQ(0, uldf_test_unbind(self->bdf));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_FALSE(sysfs_command(self->bdf) & 0x4);
	/* And the device can be bound and used again. */
	ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
	status = uldf_test_open(self->bdf);
	ASSERT_LE(0, status);
	close(status);
}

TEST_F_TIMEOUT(release, open_close_slab_flat, 600)
{
	const int cycles = uldf_test_scale(CYCLES);
	long before, after;
	int i, fd;

	for (i = 0; i < 100; i++) {
		fd = uldf_test_open(self->bdf);
		ASSERT_LE(0, fd);
		close(fd);
	}
	before = sunreclaim_kb();
	for (i = 0; i < cycles; i++) {
		fd = uldf_test_open(self->bdf);
		ASSERT_LE(0, fd);
		close(fd);
	}
	after = sunreclaim_kb();
	TH_LOG("SUnreclaim %ld kB -> %ld kB over %d open/close", before, after,
	       cycles);
	EXPECT_LT(after - before, SLAB_SLACK_KB);
}

TEST_F_TIMEOUT(release, bind_unbind_slab_flat, 900)
{
	const int cycles = uldf_test_scale(CYCLES);
	long before, after;
	int i;

	for (i = 0; i < 50; i++) {
		ASSERT_EQ(0, uldf_test_unbind(self->bdf));
		ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
	}
	before = sunreclaim_kb();
	for (i = 0; i < cycles; i++) {
		ASSERT_EQ(0, uldf_test_unbind(self->bdf));
		ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
	}
	after = sunreclaim_kb();
	TH_LOG("SUnreclaim %ld kB -> %ld kB over %d bind/unbind", before,
	       after, cycles);
	EXPECT_LT(after - before, SLAB_SLACK_KB);
}

/* Surprise removal of the hot-pluggable edu behind the root port. */
FIXTURE(hotplug) {
	const char *bdf;
};

static bool wait_for_device(const char *bdf, bool present, int seconds)
{
	int i;

	for (i = 0; i < seconds * 10; i++) {
		if (uldf_test_device_exists(bdf) == present)
			return true;
		usleep(100000);
	}
	return false;
}

FIXTURE_SETUP(hotplug)
{
	self->bdf = uldf_test_bdf("ULDF_HP_EDU_BDF", ULDF_DEFAULT_HP_EDU);
	if (!uldf_test_module_loaded())
		SKIP(return, "uldf.ko not loaded; run through 'make check'");
	if (!getenv("ULDF_QMP"))
		SKIP(return, "no QMP channel to QEMU; run through 'make check'");
	if (!uldf_test_device_exists(self->bdf))
		SKIP(return, "no hot-pluggable edu at %s", self->bdf);
	ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
}

FIXTURE_TEARDOWN(hotplug)
{
	if (!uldf_test_device_exists(self->bdf) && getenv("ULDF_QMP")) {
		uldf_test_qmp_retry("{\"execute\":\"device_add\",\"arguments\":"
				    "{\"driver\":\"edu\",\"id\":\"hpedu\",\"bus\":\"hp\"}}",
				    60);
		wait_for_device(self->bdf, true, 60);
	}
	if (uldf_test_device_exists(self->bdf))
		uldf_test_unbind(self->bdf);
}

TEST_F_TIMEOUT(hotplug, surprise_removal_while_open_and_mapped, 240)
{
	int status;
	pid_t pid;

	pid = start_revoked_child(_metadata, self->bdf);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, uldf_test_qmp("{\"execute\":\"device_del\",\"arguments\":"
				   "{\"id\":\"hpedu\"}}"));
	ASSERT_TRUE(wait_for_device(self->bdf, false, 120));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	/* Plug it back: it comes up, binds and works. */
	ASSERT_EQ(0, uldf_test_qmp_retry("{\"execute\":\"device_add\",\"arguments\":"
					 "{\"driver\":\"edu\",\"id\":\"hpedu\",\"bus\":\"hp\"}}",
					 60));
	ASSERT_TRUE(wait_for_device(self->bdf, true, 120));
	/* The directory appears before the PCI core lets drivers match. */
	for (int i = 0; i < 300 && uldf_test_bind(self->bdf, "uldf"); i++)
		usleep(100000);
	ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
	status = uldf_test_open(self->bdf);
	ASSERT_LE(0, status);
	close(status);
}

TEST_HARNESS_MAIN
