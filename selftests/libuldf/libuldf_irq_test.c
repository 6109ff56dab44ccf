// SPDX-License-Identifier: GPL-2.0
/*
 * libuldf's interrupt functions and event loop against uldf.ko and QEMU's
 * edu, with INTx and with MSI (FIXTURE_VARIANT): interrupts raised by the
 * device (edu's raise register) and by software, EOI, masking, the
 * unmask-on-read mode, eventfd wiring with resample, the io_uring loop in
 * each of its modes (in SQPOLL mode without a system call), and what an
 * IRQ fd says once the device is closed.
 */
#include <fcntl.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "uldf_util.h"
#include <libuldf.h>

#define WAIT_MS		5000	/* an interrupt that is due */
#define QUIET_MS	200	/* long enough to see one that is not */

/* What every test here works with. */
struct ctx {
	const char *bdf;
	struct uldf_dev *dev;
	void *bar;
	int fd;
};

/* Bind and open the edu, map BAR0 and open one vector of @type. */
static void ctx_setup(struct __test_metadata *_metadata, struct ctx *c,
		      unsigned int type)
{
	c->bdf = uldf_test_bdf("ULDF_EDU_BDF", ULDF_DEFAULT_EDU);
	c->dev = NULL;
	c->fd = -1;
	if (!uldf_test_module_loaded())
		SKIP(return, "uldf.ko not loaded; run through 'make check'");
	if (!uldf_test_device_exists(c->bdf))
		SKIP(return, "no edu at %s; run through 'make check'", c->bdf);
	ASSERT_EQ(0, uldf_pci_bind(c->bdf, 0));
	ASSERT_EQ(0, uldf_open(c->bdf, &c->dev));
	ASSERT_EQ(0, uldf_bar_map(c->dev, 0, 0, &c->bar, NULL));
	ASSERT_EQ(0, uldf_set_bus_master(c->dev, 1));	/* MSI writes */
	/* edu has no reset: clear what an earlier user left asserted */
	uldf_mmio_write32(c->bar, EDU_IRQ_ACK, 0xffffffff);
	c->fd = uldf_irq_open_one(c->dev, type, 0, 0);
	ASSERT_LE(0, c->fd);
}

static void ctx_teardown(struct ctx *c)
{
	if (c->fd >= 0)
		uldf_irq_close(c->fd);
	uldf_close(c->dev);
	uldf_pci_unbind(c->bdf, 0);
}

/* Tests for both mechanisms. */
FIXTURE(irq) {
	struct ctx c;
};

FIXTURE_VARIANT(irq) {
	unsigned int type;
};

FIXTURE_VARIANT_ADD(irq, intx) {
	.type = ULDF_IRQ_TYPE_INTX,
};

FIXTURE_VARIANT_ADD(irq, msi) {
	.type = ULDF_IRQ_TYPE_MSI,
};

FIXTURE_SETUP(irq)
{
	ctx_setup(_metadata, &self->c, variant->type);
}

FIXTURE_TEARDOWN(irq)
{
	ctx_teardown(&self->c);
}

/* Tests for one mechanism. */
FIXTURE(intx) {
	struct ctx c;
};

FIXTURE_SETUP(intx)
{
	ctx_setup(_metadata, &self->c, ULDF_IRQ_TYPE_INTX);
}

FIXTURE_TEARDOWN(intx)
{
	ctx_teardown(&self->c);
}

FIXTURE(msi) {
	struct ctx c;
};

FIXTURE_SETUP(msi)
{
	ctx_setup(_metadata, &self->c, ULDF_IRQ_TYPE_MSI);
}

FIXTURE_TEARDOWN(msi)
{
	ctx_teardown(&self->c);
}

static bool is_intx(const FIXTURE_VARIANT(irq) *variant)
{
	return variant->type == ULDF_IRQ_TYPE_INTX;
}

static void raise_irq(void *bar, uint32_t cause)
{
	uldf_mmio_write32(bar, EDU_IRQ_RAISE, cause);
}

static void ack_irq(void *bar)
{
	uldf_mmio_write32(bar, EDU_IRQ_ACK, uldf_mmio_read32(bar, EDU_IRQ_STATUS));
}

struct loop_state {
	void *bar;
	int calls;
	int64_t last;
};

static int on_irq(struct uldf_loop *loop, int fd, int64_t res, void *data)
{
	struct loop_state *st = data;

	st->calls++;
	st->last = res;
	if (res > 0)
		ack_irq(st->bar);
	return 0;
}

/* Reopen the vector with @flags. */
static int reopen(struct uldf_dev *dev, unsigned int type, int *fd,
		  unsigned int flags)
{
	uldf_irq_close(*fd);
	*fd = uldf_irq_open_one(dev, type, 0, flags);
	return *fd < 0 ? *fd : 0;
}

TEST_F(irq, device_interrupt)
{
	struct uldf_irq_info info;
	uint64_t n = 0;

	raise_irq(self->c.bar, 0x1000);
	ASSERT_EQ(0, uldf_irq_wait_timeout(self->c.fd, WAIT_MS, &n));
	EXPECT_EQ(1, n);
	EXPECT_EQ(0x1000, uldf_mmio_read32(self->c.bar, EDU_IRQ_STATUS));
	ack_irq(self->c.bar);
	if (is_intx(variant))
		ASSERT_EQ(0, uldf_irq_eoi(self->c.fd));
	ASSERT_EQ(0, uldf_irq_get_info(self->c.fd, &info));
	EXPECT_EQ(variant->type, info.type);
	EXPECT_EQ(0, info.index);
	EXPECT_EQ(1, info.count);
	EXPECT_NE(0, info.irq);
	EXPECT_FALSE(info.flags & ULDF_IRQ_INFO_MASKED);
	/* nothing more */
	EXPECT_EQ(-ETIMEDOUT, uldf_irq_wait_timeout(self->c.fd, QUIET_MS, &n));
}

TEST_F(irq, software_trigger)
{
	struct uldf_irq_info info;
	uint64_t n = 0;

	ASSERT_EQ(0, uldf_irq_trigger(self->c.fd));
	ASSERT_EQ(0, uldf_irq_trigger(self->c.fd));
	ASSERT_EQ(0, uldf_irq_wait_timeout(self->c.fd, WAIT_MS, &n));
	EXPECT_EQ(2, n);
	ASSERT_EQ(0, uldf_irq_get_info(self->c.fd, &info));
	EXPECT_EQ(2, info.count);
	EXPECT_EQ(0, uldf_mmio_read32(self->c.bar, EDU_IRQ_STATUS));
}

TEST_F(irq, nonblocking)
{
	uint64_t n;

	ASSERT_EQ(0, reopen(self->c.dev, variant->type, &self->c.fd,
			    ULDF_IRQ_OPEN_NONBLOCK));
	EXPECT_EQ(-EAGAIN, uldf_irq_wait(self->c.fd, &n));
	ASSERT_EQ(0, uldf_irq_trigger(self->c.fd));
	EXPECT_EQ(0, uldf_irq_wait(self->c.fd, &n));
	EXPECT_EQ(1, n);
}

TEST_F(irq, open_errors)
{
	int other = variant->type == ULDF_IRQ_TYPE_INTX ? ULDF_IRQ_TYPE_MSI :
							  ULDF_IRQ_TYPE_INTX;
	int req;

	/* one mechanism at a time, one open per vector */
	EXPECT_EQ(-EBUSY, uldf_irq_open_one(self->c.dev, other, 0, 0));
	EXPECT_EQ(-EBUSY, uldf_irq_open_one(self->c.dev, variant->type, 0, 0));
	EXPECT_EQ(-ERANGE, uldf_irq_open_one(self->c.dev, variant->type, 1, 0));
	EXPECT_EQ(-ERANGE, uldf_irq_open_one(self->c.dev, ULDF_IRQ_TYPE_MSIX, 0,
					     0));
	/* the release request notification opens alongside, never masks */
	req = uldf_irq_open_one(self->c.dev, ULDF_IRQ_TYPE_REQ, 0, 0);
	ASSERT_LE(0, req);
	EXPECT_EQ(-EINVAL, uldf_irq_mask(req));
	uldf_irq_close(req);
}

/* INTx: an EOI with the line still asserted delivers the interrupt again. */
TEST_F(intx, eoi_refires_while_asserted)
{
	struct uldf_irq_info info;
	uint64_t n = 0;

	raise_irq(self->c.bar, 0x2);
	ASSERT_EQ(0, uldf_irq_wait_timeout(self->c.fd, WAIT_MS, &n));
	ASSERT_EQ(0, uldf_irq_get_info(self->c.fd, &info));
	EXPECT_TRUE(info.flags & ULDF_IRQ_INFO_MASKED);
	/* masked: nothing more, although the line stays up */
	EXPECT_EQ(-ETIMEDOUT, uldf_irq_wait_timeout(self->c.fd, QUIET_MS, &n));
	ASSERT_EQ(0, uldf_irq_eoi(self->c.fd));		/* not acked yet */
	ASSERT_EQ(0, uldf_irq_wait_timeout(self->c.fd, WAIT_MS, &n));
	EXPECT_EQ(1, n);
	ack_irq(self->c.bar);
	ASSERT_EQ(0, uldf_irq_unmask(self->c.fd));	/* the ioctl EOI */
	EXPECT_EQ(-ETIMEDOUT, uldf_irq_wait_timeout(self->c.fd, QUIET_MS, &n));
	ASSERT_EQ(0, uldf_irq_get_info(self->c.fd, &info));
	EXPECT_FALSE(info.flags & ULDF_IRQ_INFO_MASKED);
	EXPECT_EQ(2, info.count);
}

/* INTx with UNMASK_ON_READ: each read ends the previous interrupt. */
TEST_F(intx, unmask_on_read)
{
	struct uldf_irq_info info;
	int i;

	ASSERT_EQ(0, reopen(self->c.dev, ULDF_IRQ_TYPE_INTX, &self->c.fd,
			    ULDF_IRQ_OPEN_UNMASK_ON_READ));
	ASSERT_EQ(0, uldf_irq_get_info(self->c.fd, &info));
	EXPECT_TRUE(info.flags & ULDF_IRQ_INFO_UNMASK_ON_READ);
	for (i = 0; i < 3; i++) {
		uint64_t n = 0;

		raise_irq(self->c.bar, 0x4);
		ASSERT_EQ(0, uldf_irq_wait_timeout(self->c.fd, WAIT_MS, &n));
		EXPECT_EQ(1, n);
		ack_irq(self->c.bar);		/* and no explicit EOI */
	}
}

/* The loop refuses an unmask-on-read fd: its reads would EOI too early. */
TEST_F(intx, unmask_on_read_not_for_the_loop)
{
	struct uldf_loop *loop;
	struct loop_state *st = NULL;

	ASSERT_EQ(0, reopen(self->c.dev, ULDF_IRQ_TYPE_INTX, &self->c.fd,
			    ULDF_IRQ_OPEN_UNMASK_ON_READ));
	ASSERT_EQ(0, uldf_loop_create(0, &loop));
	EXPECT_EQ(-EINVAL, uldf_loop_add(loop, self->c.fd, 0, on_irq, st));
	uldf_loop_destroy(loop);
}

/* MSI: a masked vector keeps one interrupt pending until unmasked. */
TEST_F(msi, mask_keeps_pending)
{
	uint64_t n = 0;

	ASSERT_EQ(0, uldf_irq_mask(self->c.fd));
	raise_irq(self->c.bar, 0x8);
	EXPECT_EQ(-ETIMEDOUT, uldf_irq_wait_timeout(self->c.fd, QUIET_MS, &n));
	ASSERT_EQ(0, uldf_irq_unmask(self->c.fd));
	ASSERT_EQ(0, uldf_irq_wait_timeout(self->c.fd, WAIT_MS, &n));
	EXPECT_EQ(1, n);
	ack_irq(self->c.bar);
}

static int eventfd_wait(int efd, int ms, uint64_t *n)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };

	if (poll(&p, 1, ms) != 1)
		return -ETIMEDOUT;
	return read(efd, n, sizeof(*n)) == sizeof(*n) ? 0 : -EIO;
}

TEST_F(irq, eventfd_trigger)
{
	struct uldf_irq_info info;
	uint64_t n = 0;
	int efd;

	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, uldf_irq_set_eventfd(self->c.fd, efd, -1));
	ASSERT_EQ(0, uldf_irq_get_info(self->c.fd, &info));
	EXPECT_TRUE(info.flags & ULDF_IRQ_INFO_EVENTFD);
	raise_irq(self->c.bar, 0x10);
	ASSERT_EQ(0, eventfd_wait(efd, WAIT_MS, &n));
	EXPECT_EQ(1, n);
	/* the IRQ fd itself stays quiet */
	EXPECT_EQ(-ETIMEDOUT, uldf_irq_wait_timeout(self->c.fd, 0, &n));
	ack_irq(self->c.bar);
	if (is_intx(variant))
		uldf_irq_eoi(self->c.fd);

	/* removed: back to counting on the IRQ fd */
	ASSERT_EQ(0, uldf_irq_set_eventfd(self->c.fd, -1, -1));
	raise_irq(self->c.bar, 0x10);
	ASSERT_EQ(0, uldf_irq_wait_timeout(self->c.fd, WAIT_MS, &n));
	ack_irq(self->c.bar);
	EXPECT_EQ(-ETIMEDOUT, eventfd_wait(efd, 0, &n));
	close(efd);
	/* not an eventfd */
	efd = open("/dev/null", O_RDWR | O_CLOEXEC);
	EXPECT_EQ(-EBADF, uldf_irq_set_eventfd(self->c.fd, efd, -1));
	close(efd);
}

/* INTx: a signal on the resample eventfd is the EOI. */
TEST_F(intx, eventfd_resample)
{
	uint64_t n = 0, one = 1;
	int trig, res;

	trig = eventfd(0, EFD_CLOEXEC);
	res = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, trig);
	ASSERT_LE(0, res);
	EXPECT_EQ(-EINVAL, uldf_irq_set_eventfd(self->c.fd, -1, res));
	ASSERT_EQ(0, uldf_irq_set_eventfd(self->c.fd, trig, res));
	raise_irq(self->c.bar, 0x20);
	ASSERT_EQ(0, eventfd_wait(trig, WAIT_MS, &n));
	ack_irq(self->c.bar);
	/* masked until the resample: the next one does not come */
	raise_irq(self->c.bar, 0x20);
	EXPECT_EQ(-ETIMEDOUT, eventfd_wait(trig, QUIET_MS, &n));
	ASSERT_EQ(sizeof(one), write(res, &one, sizeof(one)));
	ASSERT_EQ(0, eventfd_wait(trig, WAIT_MS, &n));
	ack_irq(self->c.bar);
	ASSERT_EQ(sizeof(one), write(res, &one, sizeof(one)));
	uldf_irq_set_eventfd(self->c.fd, -1, -1);
	close(trig);
	close(res);
}

/* MSI needs no EOI: a resample eventfd is refused. */
TEST_F(msi, eventfd_resample_refused)
{
	int trig, res;

	trig = eventfd(0, EFD_CLOEXEC);
	res = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, trig);
	ASSERT_LE(0, res);
	EXPECT_EQ(-EINVAL, uldf_irq_set_eventfd(self->c.fd, trig, res));
	close(trig);
	close(res);
}

/* The event loop, in multishot-read and in poll mode, on a real IRQ fd. */
TEST_F(irq, event_loop)
{
	unsigned int modes[] = { 0, ULDF_LOOP_POLL };
	unsigned int m;
	int i;

	for (m = 0; m < 2; m++) {
		struct loop_state st = { .bar = self->c.bar };
		struct uldf_loop *loop;

		ASSERT_EQ(0, uldf_loop_create(modes[m], &loop));
		ASSERT_EQ(0, uldf_loop_add(loop, self->c.fd,
					   is_intx(variant) ? ULDF_LOOP_EOI : 0,
					   on_irq, &st));
		for (i = 0; i < 5; i++) {
			raise_irq(self->c.bar, 0x40);
			ASSERT_EQ(1, uldf_loop_wait(loop, WAIT_MS));
			EXPECT_EQ(1, st.last);
		}
		EXPECT_EQ(5, st.calls);
		EXPECT_EQ(0, uldf_loop_wait(loop, QUIET_MS));
		uldf_loop_destroy(loop);
		TH_LOG("loop mode %s: %d interrupts",
		       m ? "poll" : "multishot", st.calls);
	}
}

/*
 * A counter of this thread's system calls: the raw_syscalls:sys_enter
 * tracepoint through perf_event_open(), created disabled.  Returns the
 * perf fd, or -1 where tracing or perf is not available.
 */
static int syscall_counter(void)
{
	static const char * const ids[] = {
		"/sys/kernel/tracing/events/raw_syscalls/sys_enter/id",
		"/sys/kernel/debug/tracing/events/raw_syscalls/sys_enter/id",
	};
	struct perf_event_attr attr = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(attr),
		.disabled = 1,
	};
	unsigned int i;
	FILE *f;

	for (i = 0; i < 2 && !attr.config; i++) {
		f = fopen(ids[i], "r");
		if (!f)
			continue;
		if (fscanf(f, "%llu", (unsigned long long *)&attr.config) != 1)
			attr.config = 0;
		fclose(f);
	}
	if (!attr.config)
		return -1;
	return syscall(SYS_perf_event_open, &attr, 0, -1, -1,
		       PERF_FLAG_FD_CLOEXEC);
}

/* The system calls between enabling @pfd and this call's own. */
static int64_t syscalls_since(int pfd)
{
	uint64_t n = 0;

	ioctl(pfd, PERF_EVENT_IOC_DISABLE, 0);	/* counted itself: minus 1 */
	if (read(pfd, &n, sizeof(n)) != sizeof(n))
		return -1;
	return (int64_t)n - 1;
}

/*
 * The SQPOLL loop: interrupts arrive, INTx's EOI goes through the ring,
 * and a window of interrupts costs the waiting thread no system call at
 * all.  TCG can stall the guest for longer than the loop's spin, and a
 * wait that blocks is one io_uring_enter(): a window is tried up to 3
 * times, and one without a system call is what the mode promises.
 */
#define SQPOLL_IRQS	20

TEST_F(irq, event_loop_sqpoll)
{
	struct loop_state st = { .bar = self->c.bar };
	struct uldf_loop *loop;
	int64_t calls = -1;
	int pfd, i, w, ret;

	ret = uldf_loop_create(ULDF_LOOP_SQPOLL, &loop);
	if (ret == -EPERM || ret == -EINVAL || ret == -ENOSYS)
		SKIP(return, "no SQPOLL io_uring here: %s", strerror(-ret));
	ASSERT_EQ(0, ret);
	EXPECT_EQ(ULDF_LOOP_F_SQPOLL,
		  uldf_loop_features(loop) & ULDF_LOOP_F_SQPOLL);
	ASSERT_EQ(0, uldf_loop_add(loop, self->c.fd,
				   is_intx(variant) ? ULDF_LOOP_EOI : 0,
				   on_irq, &st));
	/* Warm up: the thread and the first interrupt. */
	raise_irq(self->c.bar, 0x40);
	ASSERT_EQ(1, uldf_loop_wait(loop, WAIT_MS));
	EXPECT_EQ(1, st.last);

	pfd = syscall_counter();
	for (w = 0; w < 3 && calls; w++) {
		if (pfd >= 0)
			ASSERT_EQ(0, ioctl(pfd, PERF_EVENT_IOC_RESET, 0) |
				     ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0));
		for (i = 0; i < SQPOLL_IRQS; i++) {
			raise_irq(self->c.bar, 0x40);
			ASSERT_EQ(1, uldf_loop_wait(loop, WAIT_MS));
			EXPECT_EQ(1, st.last);
		}
		if (pfd < 0)
			break;
		calls = syscalls_since(pfd);
		TH_LOG("window %d: %d interrupts, %lld system calls", w,
		       SQPOLL_IRQS, (long long)calls);
	}
	EXPECT_EQ(1 + (w * SQPOLL_IRQS), st.calls);
	EXPECT_EQ(0, uldf_loop_wait(loop, QUIET_MS));
	uldf_loop_destroy(loop);
	if (pfd < 0)
		SKIP(return, "interrupts arrived; no raw_syscalls tracepoint to count system calls");
	close(pfd);
	EXPECT_EQ(0, calls);
}

/* Closing the device: readers and the loop learn ENODEV. */
TEST_F(irq, device_close)
{
	struct loop_state st = { .bar = self->c.bar };
	struct uldf_loop *loop;
	uint64_t n;
	int fd2;

	fd2 = dup(self->c.fd);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, uldf_loop_create(0, &loop));
	ASSERT_EQ(0, uldf_loop_add(loop, fd2, 0, on_irq, &st));
	uldf_close(self->c.dev);
	self->c.dev = NULL;
	EXPECT_EQ(-ENODEV, uldf_irq_wait_timeout(self->c.fd, WAIT_MS, &n));
	EXPECT_EQ(-ENODEV, uldf_irq_trigger(self->c.fd));
	ASSERT_EQ(1, uldf_loop_wait(loop, WAIT_MS));
	EXPECT_EQ(-ENODEV, st.last);
	EXPECT_EQ(-ENOENT, uldf_loop_remove(loop, fd2));
	uldf_loop_destroy(loop);
	close(fd2);
}

/*
 * MSI-X, on QEMU's NVMe controller: a block of vectors, one fd each,
 * raised by software (the device itself would need its queues set up).
 */
#define NVEC	4

FIXTURE(msix) {
	const char *bdf;
	struct uldf_dev *dev;
	int fds[NVEC];
};

FIXTURE_SETUP(msix)
{
	struct uldf_device_info info;
	int i;

	self->bdf = uldf_test_bdf("ULDF_NVME_BDF", ULDF_DEFAULT_NVME);
	self->dev = NULL;
	for (i = 0; i < NVEC; i++)
		self->fds[i] = -1;
	if (!uldf_test_module_loaded())
		SKIP(return, "uldf.ko not loaded; run through 'make check'");
	if (!uldf_test_device_exists(self->bdf))
		SKIP(return, "no NVMe at %s; run through 'make check'", self->bdf);
	ASSERT_EQ(0, uldf_pci_bind(self->bdf, 0));
	ASSERT_EQ(0, uldf_open(self->bdf, &self->dev));
	ASSERT_EQ(0, uldf_dev_get_info(self->dev, &info));
	ASSERT_LE(NVEC, info.num_irqs[ULDF_IRQ_TYPE_MSIX]);
	ASSERT_EQ(0, uldf_irq_open(self->dev, ULDF_IRQ_TYPE_MSIX, 0, NVEC, 0,
				   self->fds));
}

FIXTURE_TEARDOWN(msix)
{
	int i;

	for (i = 0; i < NVEC; i++)
		if (self->fds[i] >= 0)
			uldf_irq_close(self->fds[i]);
	uldf_close(self->dev);
	uldf_pci_unbind(self->bdf, 0);
}

TEST_F(msix, one_fd_per_vector)
{
	struct uldf_irq_info info;
	uint64_t n;
	int i;

	for (i = 0; i < NVEC; i++) {
		ASSERT_EQ(0, uldf_irq_get_info(self->fds[i], &info));
		EXPECT_EQ(ULDF_IRQ_TYPE_MSIX, info.type);
		EXPECT_EQ(i, info.index);
	}
	ASSERT_EQ(0, uldf_irq_trigger(self->fds[2]));
	ASSERT_EQ(0, uldf_irq_wait_timeout(self->fds[2], WAIT_MS, &n));
	EXPECT_EQ(1, n);
	for (i = 0; i < NVEC; i++)
		if (i != 2)
			EXPECT_EQ(-ETIMEDOUT,
				  uldf_irq_wait_timeout(self->fds[i], 0, &n));
	/* INTx and MSI are excluded while MSI-X is on */
	EXPECT_EQ(-EBUSY, uldf_irq_open_one(self->dev, ULDF_IRQ_TYPE_INTX, 0, 0));
}

struct seen {
	int fds[NVEC];
	int64_t count[NVEC];
};

static int on_vector(struct uldf_loop *loop, int fd, int64_t res, void *data)
{
	struct seen *s = data;
	int i;

	for (i = 0; i < NVEC; i++)
		if (s->fds[i] == fd)
			s->count[i] += res;
	return 0;
}

/* One loop over every vector: each interrupt reaches its own fd's entry. */
TEST_F(msix, loop_over_vectors)
{
	struct seen s = { 0 };
	struct uldf_loop *loop;
	int64_t total = 0;
	int i;

	memcpy(s.fds, self->fds, sizeof(s.fds));
	ASSERT_EQ(0, uldf_loop_create(0, &loop));
	for (i = 0; i < NVEC; i++)
		ASSERT_EQ(0, uldf_loop_add(loop, self->fds[i], 0, on_vector, &s));
	for (i = 0; i < NVEC; i++) {
		int k;

		for (k = 0; k <= i; k++)
			ASSERT_EQ(0, uldf_irq_trigger(self->fds[i]));
	}
	/* 1 + 2 + 3 + 4 interrupts, in as many completions as it takes */
	while (total < NVEC * (NVEC + 1) / 2) {
		ASSERT_LT(0, uldf_loop_wait(loop, WAIT_MS));
		for (total = 0, i = 0; i < NVEC; i++)
			total += s.count[i];
	}
	for (i = 0; i < NVEC; i++)
		EXPECT_EQ(i + 1, s.count[i]);
	uldf_loop_destroy(loop);
}

TEST_HARNESS_MAIN
