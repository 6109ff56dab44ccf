// SPDX-License-Identifier: GPL-2.0
/*
 * Every way of waiting on an IRQ fd, with QEMU's edu device (edu.h)
 * raising the interrupts: a blocking read(), unmask-on-read, poll, epoll,
 * io_uring single and multishot, and SIGIO, on INTx and on MSI; and what
 * read() and write() of an IRQ fd accept.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <liburing.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "uldf_edu_fixture.h"

/* IORING_OP_READ_MULTISHOT (Linux 6.7), newer than liburing 2.3. */
#define ULDF_IORING_OP_READ_MULTISHOT	49

/* ---- read(): blocking, and unmask-on-read -------------------------------- */

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

/* ---- bad sizes and pointers ---------------------------------------------- */

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

/* ---- poll, epoll, io_uring and SIGIO, on INTx and on MSI ----------------- */

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
	self->fd = -1;
	self->epfd = -1;
	self->ring_up = false;
	EDU_FIXTURE_OPEN(self);
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

TEST_HARNESS_MAIN
