// SPDX-License-Identifier: GPL-2.0
/*
 * The VMM wiring of IRQ fds, with QEMU's edu device (edu.h) raising the
 * interrupts: a trigger eventfd signalled for each interrupt and a
 * resample eventfd whose write is the EOI, on INTx and on MSI; eventfds
 * closed before the IRQ fd; and eventfds that are refused.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "uldf_edu_fixture.h"

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

TEST_HARNESS_MAIN
