// SPDX-License-Identifier: GPL-2.0
/*
 * vmm-glue's host calls in user space: the libc fill of struct vg_host_ops
 * (vg_uldf.h), for user-space VMMs and tests.  A VMM that polls the event
 * fd (vg_uldf_event_fd()) needs no notification, so @notify and @kick are
 * left out; nothing here takes long enough to need @resched.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "vg_uldf.h"

/* A system call's -1 and errno as a negative errno, restarting on EINTR. */
#define VG_LIBC(call) ({					\
	long _r;						\
	do {							\
		_r = (call);					\
	} while (_r == -1 && errno == EINTR);			\
	_r == -1 ? -errno : _r;					\
})

static int libc_open(const char *path, int flags)
{
	return VG_LIBC(open(path, flags));
}

static int libc_close(int fd)
{
	return close(fd) ? -errno : 0;
}

static long libc_read(int fd, void *buf, size_t len)
{
	return VG_LIBC(read(fd, buf, len));
}

static long libc_pread(int fd, void *buf, size_t len, u64 off)
{
	return VG_LIBC(pread(fd, buf, len, off));
}

static long libc_pwrite(int fd, const void *buf, size_t len, u64 off)
{
	return VG_LIBC(pwrite(fd, buf, len, off));
}

static int libc_ioctl(int fd, unsigned int cmd, void *arg)
{
	return VG_LIBC(ioctl(fd, cmd, arg));
}

static int libc_mmap(void **addr, size_t len, int prot, int flags, int fd,
		     u64 off)
{
	void *p = mmap(*addr, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		return -errno;
	*addr = p;
	return 0;
}

static int libc_munmap(void *addr, size_t len)
{
	return munmap(addr, len) ? -errno : 0;
}

static int libc_epoll_create(void)
{
	return VG_LIBC(epoll_create1(EPOLL_CLOEXEC));
}

static int libc_epoll_ctl(int epfd, int op, int fd, u64 data)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = data };

	return VG_LIBC(epoll_ctl(epfd, op, fd, &ev));
}

static int libc_epoll_wait(int epfd, u64 *data, int max)
{
	struct epoll_event ev[16];
	int n, i;

	if (max > 16)
		max = 16;
	n = VG_LIBC(epoll_wait(epfd, ev, max, 0));
	for (i = 0; i < n; i++)
		data[i] = ev[i].data.u64;
	return n;
}

const struct vg_host_ops vg_host_libc = {
	.open = libc_open,
	.close = libc_close,
	.read = libc_read,
	.pread = libc_pread,
	.pwrite = libc_pwrite,
	.ioctl = libc_ioctl,
	.mmap = libc_mmap,
	.munmap = libc_munmap,
	.epoll_create = libc_epoll_create,
	.epoll_ctl = libc_epoll_ctl,
	.epoll_wait = libc_epoll_wait,
};
