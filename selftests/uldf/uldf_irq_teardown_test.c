// SPDX-License-Identifier: GPL-2.0
/*
 * What becomes of IRQ fds when things go away, with QEMU's edu device
 * (edu.h): the IRQ fd closed with an interrupt pending, the device fd
 * closed under a blocked reader, an unbind that signals REQ and then
 * revokes a user who does not let go, a surprise removal (QMP device_del)
 * with vectors open, and SIGKILL during an interrupt storm.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <linux/pci_regs.h>

#include "kselftest_harness.h"
#include "uldf_edu_fixture.h"

/* ---- close and unbind ---------------------------------------------------- */

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

/* ---- surprise removal ---------------------------------------------------- */

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

TEST_HARNESS_MAIN
