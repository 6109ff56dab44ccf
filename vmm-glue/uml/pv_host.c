// SPDX-License-Identifier: GPL-2.0
/*
 * uldf_pv host calls: the User-Mode Linux guest's fill of vmm-glue's table
 * of host system calls (struct vg_host_ops, vmm-glue/vg_uldf.h), through
 * which vmm-glue's uldf backend reaches the host's uldf device.  Nothing
 * else in uldf_pv calls the host.
 *
 * These are the 2006 design's "supervisor system calls".  The UML kernel
 * runs as a host process, so it makes them as plain x86-64 system calls
 * (the syscall instruction, as UML's own stub code does) and gets the
 * host's -errno back without going through the host C library, which
 * also lets uldf_pv build as a module (UML exports few of its host-call
 * helpers, os_*(), to modules).  Pointers passed to the host are guest
 * kernel addresses, which are valid host addresses of this process.
 *
 * Interrupts: the backend keeps the host IRQ fds in an epoll fd that
 * irqchip/uldf_pv_irq.c registers as a UML interrupt; @notify gives each
 * IRQ fd O_ASYNC, so that the host sends this process SIGIO when it
 * fires, and @kick raises SIGIO once, for interrupts that fired before.
 */
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/sched.h>
#include <asm/unistd.h>
#include <uapi/linux/eventpoll.h>

#include "uldf_pv.h"

#define PV_EPOLL_BATCH	16

/* One host system call. */
static long pv_syscall6(long nr, long a1, long a2, long a3, long a4, long a5,
			long a6)
{
	register long r10 asm("r10") = a4;
	register long r8 asm("r8") = a5;
	register long r9 asm("r9") = a6;
	long ret;

	asm volatile ("syscall"
		      : "=a" (ret)
		      : "a" (nr), "D" (a1), "S" (a2), "d" (a3), "r" (r10),
			"r" (r8), "r" (r9)
		      : "rcx", "r11", "memory");
	return ret;
}

/*
 * A host system call: the host's result, non-negative or a negative
 * errno.  A call interrupted by a host signal (the guest's timer or SIGIO)
 * is restarted.
 */
static long pv_sys(long nr, long a1, long a2, long a3, long a4, long a5,
		   long a6)
{
	long ret;

	do {
		ret = pv_syscall6(nr, a1, a2, a3, a4, a5, a6);
	} while (ret == -EINTR);
	return ret;
}

static int pv_open(const char *path, int flags)
{
	return pv_sys(__NR_openat, AT_FDCWD, (long)path, flags, 0, 0, 0);
}

static int pv_close(int fd)
{
	return pv_sys(__NR_close, fd, 0, 0, 0, 0, 0);
}

static long pv_read(int fd, void *buf, size_t len)
{
	return pv_sys(__NR_read, fd, (long)buf, len, 0, 0, 0);
}

static long pv_pread(int fd, void *buf, size_t len, u64 off)
{
	return pv_sys(__NR_pread64, fd, (long)buf, len, off, 0, 0);
}

static long pv_pwrite(int fd, const void *buf, size_t len, u64 off)
{
	return pv_sys(__NR_pwrite64, fd, (long)buf, len, off, 0, 0);
}

static int pv_ioctl(int fd, unsigned int cmd, void *arg)
{
	return pv_sys(__NR_ioctl, fd, cmd, (long)arg, 0, 0, 0);
}

static int pv_mmap(void **addr, size_t len, int prot, int flags, int fd,
		   u64 off)
{
	long ret = pv_sys(__NR_mmap, (long)*addr, len, prot, flags, fd, off);

	if (IS_ERR_VALUE(ret))
		return ret;
	*addr = (void *)ret;
	return 0;
}

static int pv_munmap(void *addr, size_t len)
{
	return pv_sys(__NR_munmap, (long)addr, len, 0, 0, 0, 0);
}

static int pv_epoll_create(void)
{
	return pv_sys(__NR_epoll_create1, EPOLL_CLOEXEC, 0, 0, 0, 0, 0);
}

static int pv_epoll_ctl(int epfd, int op, int fd, u64 data)
{
	struct epoll_event ev = { .events = EPOLLIN, .data = data };

	return pv_sys(__NR_epoll_ctl, epfd, op, fd, (long)&ev, 0, 0);
}

static int pv_epoll_wait(int epfd, u64 *data, int max)
{
	struct epoll_event ev[PV_EPOLL_BATCH];
	int n, i;

	n = pv_sys(__NR_epoll_wait, epfd, (long)ev,
		   min(max, PV_EPOLL_BATCH), 0, 0, 0);
	for (i = 0; i < n; i++)
		data[i] = ev[i].data;
	return n;
}

/* The host sends this process SIGIO when @fd becomes readable. */
static int pv_notify(int fd)
{
	long ret;

	ret = pv_sys(__NR_fcntl, fd, F_SETOWN,
		     pv_sys(__NR_getpid, 0, 0, 0, 0, 0, 0), 0, 0, 0);
	if (!ret)
		ret = pv_sys(__NR_fcntl, fd, F_SETFL, O_NONBLOCK | FASYNC,
			     0, 0, 0);
	return ret;
}

static void pv_kick(void)
{
	pv_sys(__NR_kill, pv_sys(__NR_getpid, 0, 0, 0, 0, 0, 0), SIGIO,
	       0, 0, 0, 0);
}

static void pv_resched(void)
{
	cond_resched();
}

const struct vg_host_ops pv_host_ops = {
	.open = pv_open,
	.close = pv_close,
	.read = pv_read,
	.pread = pv_pread,
	.pwrite = pv_pwrite,
	.ioctl = pv_ioctl,
	.mmap = pv_mmap,
	.munmap = pv_munmap,
	.epoll_create = pv_epoll_create,
	.epoll_ctl = pv_epoll_ctl,
	.epoll_wait = pv_epoll_wait,
	.notify = pv_notify,
	.kick = pv_kick,
	.resched = pv_resched,
};
