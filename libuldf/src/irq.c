// SPDX-License-Identifier: MIT
/*
 * libuldf: IRQ fds.
 *
 * Thin wrappers over ULDF_DEVICE_IRQ_OPEN and the IRQ fd's read(),
 * write() and ioctls, with the argument checks done before the system
 * call and the results turned into -errno.  The IRQ fds are the caller's;
 * the library keeps no state about them.
 */
#include <poll.h>
#include <sys/uio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

#define ULDFI_IRQ_OPEN_FLAGS \
	(ULDF_IRQ_OPEN_NONBLOCK | ULDF_IRQ_OPEN_UNMASK_ON_READ)

int uldf_irq_open(struct uldf_dev *dev, unsigned int type, unsigned int index,
		  unsigned int count, unsigned int flags, int *fds)
{
	ULDFI_KEEP_ERRNO();
	struct uldf_irq_open *arg;
	size_t argsz;
	int ret = 0;

	if (!dev || !fds || !count || type >= ULDF_NUM_IRQ_TYPES ||
	    (flags & ~ULDFI_IRQ_OPEN_FLAGS))
		return -EINVAL;
	if (count > dev->info.num_irqs[type] ||
	    index > dev->info.num_irqs[type] - count)
		return -ERANGE;

	argsz = sizeof(*arg) + count * sizeof(arg->fds[0]);
	arg = calloc(1, argsz);
	if (!arg)
		return -ENOMEM;
	arg->argsz = argsz;
	arg->flags = flags;
	arg->type = type;
	arg->index = index;
	arg->count = count;
	if (ioctl(dev->fd, ULDF_DEVICE_IRQ_OPEN, arg))
		ret = -errno;
	else
		memcpy(fds, arg->fds, count * sizeof(arg->fds[0]));
	free(arg);
	return ret;
}

int uldf_irq_open_one(struct uldf_dev *dev, unsigned int type,
		      unsigned int index, unsigned int flags)
{
	int fd, ret;

	ret = uldf_irq_open(dev, type, index, 1, flags, &fd);
	return ret ? ret : fd;
}

int uldf_irq_close(int fd)
{
	ULDFI_KEEP_ERRNO();

	/* Linux frees the descriptor even when close() fails with EINTR. */
	if (close(fd) && errno == EBADF)
		return -EBADF;
	return 0;
}

int uldf_irq_wait(int fd, uint64_t *count)
{
	ULDFI_KEEP_ERRNO();
	uint64_t n;
	ssize_t r;

	r = read(fd, &n, sizeof(n));
	if (r < 0)
		return -errno;
	if (r != sizeof(n))
		return -EIO;
	if (count)
		*count = n;
	return 0;
}

/*
 * One read that never blocks, whatever the fd's O_NONBLOCK says: 0 with a
 * count, -EAGAIN, or an error.  On an unmask-on-read INTx fd this read
 * also performs the EOI owed by the previous one, which poll() alone
 * would never do.
 */
static int read_nowait(int fd, uint64_t *n)
{
	struct iovec iov = { .iov_base = n, .iov_len = sizeof(*n) };
	ssize_t r;

	r = preadv2(fd, &iov, 1, -1, RWF_NOWAIT);
	if (r < 0)
		return -errno;
	return r == sizeof(*n) ? 0 : -EIO;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left until @deadline, for poll(); -1 without a timeout. */
static int left_ms(int timeout_ms, int64_t deadline)
{
	int64_t left;

	if (timeout_ms < 0)
		return -1;
	left = deadline - now_ms();
	return left > 0 ? (int)left : 0;
}

int uldf_irq_wait_timeout(int fd, int timeout_ms, uint64_t *count)
{
	ULDFI_KEEP_ERRNO();
	int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t n;
	int ret;

	for (;;) {
		ret = read_nowait(fd, &n);
		if (!ret) {
			if (count)
				*count = n;
			return 0;
		}
		if (ret == -EOPNOTSUPP)
			break;
		if (ret != -EAGAIN)
			return ret;
		if (timeout_ms >= 0 && now_ms() >= deadline)
			return -ETIMEDOUT;
		ret = poll(&pfd, 1, left_ms(timeout_ms, deadline));
		if (ret < 0)
			return -errno;
		if (pfd.revents & POLLNVAL)
			return -EBADF;
	}

	/* A file without RWF_NOWAIT: poll, then an ordinary read. */
	ret = poll(&pfd, 1, left_ms(timeout_ms, deadline));
	if (ret < 0)
		return -errno;
	if (!ret)
		return -ETIMEDOUT;
	if (pfd.revents & POLLNVAL)
		return -EBADF;
	return uldf_irq_wait(fd, count);
}

static int irq_write(int fd, uint64_t val)
{
	ssize_t r;

	r = write(fd, &val, sizeof(val));
	if (r < 0)
		return -errno;
	return r == sizeof(val) ? 0 : -EIO;
}

int uldf_irq_eoi(int fd)
{
	ULDFI_KEEP_ERRNO();

	return irq_write(fd, 1);
}

static int irq_ioctl(int fd, unsigned long cmd, void *arg)
{
	if (ioctl(fd, cmd, arg))
		return -errno;
	return 0;
}

int uldf_irq_mask(int fd)
{
	ULDFI_KEEP_ERRNO();

	return irq_ioctl(fd, ULDF_IRQ_MASK, NULL);
}

int uldf_irq_unmask(int fd)
{
	ULDFI_KEEP_ERRNO();

	return irq_ioctl(fd, ULDF_IRQ_UNMASK, NULL);
}

int uldf_irq_trigger(int fd)
{
	ULDFI_KEEP_ERRNO();

	return irq_ioctl(fd, ULDF_IRQ_TRIGGER, NULL);
}

int uldf_irq_set_eventfd(int fd, int trigger, int resample)
{
	ULDFI_KEEP_ERRNO();
	struct uldf_irq_eventfd arg = {
		.argsz = sizeof(arg),
		.trigger = trigger,
		.resample = resample,
	};

	return irq_ioctl(fd, ULDF_IRQ_SET_EVENTFD, &arg);
}

int uldf_irq_get_info(int fd, struct uldf_irq_info *info)
{
	ULDFI_KEEP_ERRNO();

	if (!info)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return irq_ioctl(fd, ULDF_IRQ_GET_INFO, info);
}
