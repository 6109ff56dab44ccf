// SPDX-License-Identifier: GPL-2.0
/*
 * uldf-fuzz: a bounded, targeted fuzzer for every uldf entry point.
 *
 * Several worker processes, each with a few threads sharing one device fd,
 * call the device fd's ioctls with random and boundary arguments and
 * argsz, pread/pwrite/mmap with random offsets and sizes, open IRQ fds and
 * read, write, poll and ioctl them, map and unmap DMA (also in batches and
 * with bad pointers), join one device's DMA space to another's (a second
 * device the worker opens now and then, the device itself, other fds of
 * its own and junk), fork, and close the fd while another thread is
 * inside a call.  The first thread of each worker also turns the device's decode
 * and power off and on again (Memory Space Enable, PMCSR D3hot) while the
 * others access the BARs and map DMA; a touch of a BAR mapping that meets
 * decode off is a SIGBUS, caught and counted.  The parent SIGKILLs workers
 * at random moments and starts new ones.  It stops after --calls calls or --seconds seconds and prints the
 * count; the kernel's log is the verdict (the testbed fails on any report).
 * Every ten minutes it prints the count so far on stderr.
 *
 * QEMU's edu aborts the whole VM on some DMA lengths, so writes to edu's DMA
 * registers (BAR0 0x80-0x9f, EDU_DMA_SRC to EDU_DMA_REGS_END) are left
 * out: that is a limit of the device model, not of what uldf accepts.  A
 * device is an edu when the selftests' test drivers say so (edu.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <setjmp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <linux/pci_regs.h>
#include <linux/uldf.h>

#include "edu.h"

#define MAX_WORKERS	8
#define MAX_THREADS	4
#define POOL_SIZE	(4 << 20)

struct shared {
	atomic_ulong calls;
	atomic_ulong errors;	/* calls that failed, by design mostly */
	atomic_ulong oks;
	atomic_ulong toggles;	/* decode or power turned off and on */
	atomic_ulong sigbus;	/* BAR touches that met decode off */
	atomic_ulong by_errno[256];
};

static struct shared *sh;
#define MAX_DEVICES	8
static const char *bdfs[MAX_DEVICES];
static unsigned int nr_bdfs;
static const char *bdf;		/* this worker's device */
static bool is_edu;
static atomic_int dev_fd = -1;
static atomic_int peer_fd = -1;	/* a second device, for ULDF_DMA_JOIN */
static char *pool;		/* memory for DMA maps */
static __thread uint64_t seed;
static __thread bool toggler;	/* this thread turns decode and power off */
static __thread sigjmp_buf bus_env;
static __thread volatile int in_touch;

static void on_sigbus(int sig)
{
	if (in_touch)
		siglongjmp(bus_env, 1);
	_exit(3);
}

static uint64_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

static uint64_t pick(const uint64_t *v, size_t n)
{
	return v[rnd() % n];
}

#define PICK(arr) pick(arr, sizeof(arr) / sizeof(arr[0]))

static void count(long ret)
{
	atomic_fetch_add(&sh->calls, 1);
	if (ret < 0) {
		atomic_fetch_add(&sh->errors, 1);
		atomic_fetch_add(&sh->by_errno[errno & 255], 1);
	} else
		atomic_fetch_add(&sh->oks, 1);
}

static int reopen(void)
{
	char path[64];
	int fd, old;

	snprintf(path, sizeof(path), "/dev/uldf/%s", bdf);
	fd = open(path, O_RDWR | O_CLOEXEC);
	count(fd);
	if (fd < 0) {
		usleep(2000);	/* another worker holds it (EBUSY) */
		return -1;
	}
	old = -1;
	if (!atomic_compare_exchange_strong(&dev_fd, &old, fd)) {
		close(fd);
		return atomic_load(&dev_fd);
	}
	return fd;
}

static int cur_fd(void)
{
	int fd = atomic_load(&dev_fd);

	return fd >= 0 ? fd : reopen();
}

/* Boundary-heavy sizes and offsets. */
static const uint64_t sizes[] = {
	0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 63, 64, 255, 256, 257, 4095, 4096,
	4097, 65536, 1 << 20, (1 << 20) + 1, ~0ULL, 0x7fffffff, 0x80000000,
};

static const uint64_t offsets[] = {
	0, 1, 2, 3, 4, 6, 8, 0x10, 0x24, 0x34, 0x3c, 0x40, 0x60, 0x64, 0xfc,
	0xff, 0x100, 0xffc, 0xfff, 0x1000, 0xffffc, 0xfffff, 0x100000,
	0x7fffffffffULL, ULDF_REGION_MASK, ULDF_MMAP_WC,
};

static uint64_t rand_off(void)
{
	return rnd() & 1 ? PICK(offsets) : rnd() % 0x101000;
}

static uint64_t rand_size(void)
{
	return rnd() & 1 ? PICK(sizes) : rnd() % 8193;
}

static uint32_t rand_argsz(uint32_t real)
{
	switch (rnd() % 16) {
	case 0: return 0;
	case 1: return 4;
	case 2: return real - 1;
	case 3: return real + 8;
	case 4: return 0xffffffff;
	case 5: return rnd();
	default: return real;
	}
}

static void fill_random(void *p, size_t n)
{
	uint8_t *b = p;

	while (n--)
		*b++ = rnd();
}

static void op_rw(int fd)
{
	unsigned int region = rnd() % 10;
	uint64_t off = rand_off(), len = rand_size();
	char buf[8192 + 16];
	void *p = buf;
	long ret;

	/* Half the time, an access a driver would make. */
	if (rnd() & 1) {
		region = rnd() & 1 ? ULDF_REGION_CONFIG : ULDF_REGION_BAR0;
		len = 1u << (rnd() % 3);
		off = (rnd() % 256) & ~(len - 1);
	}

	if (len > sizeof(buf))
		p = rnd() & 1 ? NULL : (void *)8;	/* bad pointers */
	if (rnd() & 1) {
		ret = pread(fd, p, len, ULDF_REGION_OFFSET(region) + off);
	} else {
		/* Never start one of edu's DMA transfers (see the top). */
		if (is_edu && region == ULDF_REGION_BAR0 &&
		    off < EDU_DMA_REGS_END && off + len > EDU_DMA_SRC)
			return;
		fill_random(buf, sizeof(buf));
		ret = pwrite(fd, p, len, ULDF_REGION_OFFSET(region) + off);
	}
	count(ret);
}

static void op_mmap(int fd)
{
	unsigned int region = rnd() % 9;
	uint64_t off = rand_off() & ~4095ULL;
	size_t len = (rand_size() + 4095) & ~4095ULL;
	volatile uint32_t *p;

	if (!len || len > (8 << 20))
		len = 4096;
	p = mmap(NULL, len, PROT_READ | (rnd() & 1 ? PROT_WRITE : 0),
		 rnd() % 4 ? MAP_SHARED : MAP_PRIVATE, fd,
		 ULDF_REGION_OFFSET(region) + off);
	count(p == MAP_FAILED ? -1 : 0);
	if (p == MAP_FAILED)
		return;
	if (sigsetjmp(bus_env, 1) == 0) {
		in_touch = 1;
		(void)p[rnd() % (len / 4)];
	} else {
		atomic_fetch_add(&sh->sigbus, 1);
	}
	in_touch = 0;
	munmap((void *)p, len);
}

/* Offset of the power management capability through @fd, or 0. */
static unsigned int pm_cap(int fd)
{
	const uint64_t cfg = ULDF_REGION_OFFSET(ULDF_REGION_CONFIG);
	uint8_t pos = 0, id = 0;
	int ttl = 48;

	if (pread(fd, &pos, 1, cfg + PCI_CAPABILITY_LIST) != 1)
		return 0;
	while (pos >= 0x40 && ttl--) {
		if (pread(fd, &id, 1, cfg + pos) != 1)
			return 0;
		if (id == PCI_CAP_ID_PM)
			return pos;
		if (pread(fd, &pos, 1, cfg + pos + 1) != 1)
			return 0;
	}
	return 0;
}

/*
 * Turn Memory Space Enable, or the power state, off for a moment and back
 * on, while the other threads go on with BARs and DMA.
 */
static void op_power(int fd)
{
	const uint64_t cfg = ULDF_REGION_OFFSET(ULDF_REGION_CONFIG);
	unsigned int pm = rnd() & 1 ? pm_cap(fd) : 0;
	uint64_t reg = cfg + (pm ? pm + PCI_PM_CTRL : PCI_COMMAND);
	uint16_t on, off;

	if (pread(fd, &on, 2, reg) != 2)
		return;
	if (pm) {
		on &= ~PCI_PM_CTRL_STATE_MASK;		/* D0 */
		off = on | 3;				/* D3hot */
	} else {
		on |= PCI_COMMAND_MEMORY;
		off = on & ~PCI_COMMAND_MEMORY;
	}
	count(pwrite(fd, &off, 2, reg));
	usleep(rnd() % 2000);
	count(pwrite(fd, &on, 2, reg));
	atomic_fetch_add(&sh->toggles, 1);
}

static void op_info(int fd)
{
	union {
		struct uldf_device_info d;
		struct uldf_region_info r;
		struct { struct uldf_dma_info i; struct uldf_iova_range r[8]; } dma;
		char raw[512];
	} u;
	static const unsigned long cmds[] = {
		ULDF_DEVICE_GET_INFO, ULDF_DEVICE_GET_REGION_INFO,
		ULDF_DMA_GET_INFO, ULDF_DEVICE_RESET,
		_IO(ULDF_TYPE, 0x3f), _IOWR(ULDF_TYPE, 0, char[3]), 0,
	};
	unsigned long cmd = PICK(cmds);

	fill_random(&u, sizeof(u));
	u.d.argsz = rand_argsz(sizeof(u.d));
	if (rnd() & 1)
		u.d.flags = 0;
	if (cmd == ULDF_DEVICE_GET_REGION_INFO)
		u.r.index = rnd() % 12;
	if (cmd == ULDF_DEVICE_RESET && rnd() % 16)
		return;		/* resets are slow; keep them rare */
	count(ioctl(fd, cmd, rnd() % 16 ? (void *)&u : (void *)(uintptr_t)rnd()));
}

static void op_dma(int fd)
{
	struct uldf_dma_map m;
	struct uldf_dma_unmap um;
	struct uldf_dma_map batch[8];
	struct uldf_dma_batch b;
	unsigned int i;

	switch (rnd() % 4) {
	case 0:
	case 1:
		memset(&m, 0, sizeof(m));
		m.argsz = rand_argsz(sizeof(m));
		m.flags = rnd() % 8 ? (rnd() % 7) + 1 : rnd();
		m.vaddr = rnd() % 8 ? (uintptr_t)pool + (rnd() % 1024) * 4096 :
				      rnd() & ~4095ULL;
		if (rnd() % 8 == 0)
			m.vaddr |= rnd() % 4096;
		m.size = rnd() % 8 ? (rnd() % 16 + 1) * 4096 : rand_size();
		m.iova = rnd() % 2 ? (rnd() % 0x10000) << 12 : rnd();
		m.iova_limit = rnd() % 2 ? 0x0fffffff : rnd();
		count(ioctl(fd, ULDF_DMA_MAP, &m));
		break;
	case 2:
		memset(&um, 0, sizeof(um));
		um.argsz = rand_argsz(sizeof(um));
		um.flags = rnd() % 16 ? 0 : (rnd() % 4 ? ULDF_DMA_UNMAP_ALL : rnd());
		um.iova = (rnd() % 0x10000) << 12;
		um.size = (rnd() % 16 + 1) * 4096;
		if (um.flags & ULDF_DMA_UNMAP_ALL)
			um.iova = um.size = 0;
		count(ioctl(fd, ULDF_DMA_UNMAP, &um));
		break;
	default:
		for (i = 0; i < 8; i++) {
			memset(&batch[i], 0, sizeof(batch[i]));
			batch[i].argsz = rnd() % 8 ? sizeof(batch[i]) : rnd();
			batch[i].flags = ULDF_DMA_MAP_READ | ULDF_DMA_MAP_WRITE;
			batch[i].vaddr = (uintptr_t)pool + (rnd() % 1024) * 4096;
			batch[i].size = 4096;
			batch[i].iova_limit = 0x0fffffff;
		}
		/* Now and then at fixed IOVAs in no particular order. */
		if (rnd() % 4 == 0)
			for (i = 0; i < 8; i++) {
				batch[i].flags |= ULDF_DMA_MAP_FIXED_IOVA;
				batch[i].iova = (rnd() % 0x1000) << 12;
			}
		memset(&b, 0, sizeof(b));
		b.argsz = rand_argsz(sizeof(b));
		b.flags = rnd() % 4 ? 0 : ULDF_DMA_BATCH_UNMAP;
		b.count = rnd() % 8 ? rnd() % 9 : rnd();
		b.entries_ptr = rnd() % 8 ? (uintptr_t)batch : rnd();
		count(ioctl(fd, ULDF_DMA_MAP_BATCH, &b));
	}
}

/*
 * Open a second device (any of the list; another worker's is busy) to
 * join spaces with; the one already open if there is one.
 */
static int peer_open(void)
{
	char path[64];
	int fd, old = -1;

	fd = atomic_load(&peer_fd);
	if (fd >= 0 || nr_bdfs < 2)
		return fd;
	snprintf(path, sizeof(path), "/dev/uldf/%s", bdfs[rnd() % nr_bdfs]);
	fd = open(path, O_RDWR | O_CLOEXEC);
	count(fd);
	if (fd < 0)
		return -1;
	if (!atomic_compare_exchange_strong(&peer_fd, &old, fd)) {
		close(fd);
		return old;
	}
	return fd;
}

/*
 * ULDF_DMA_JOIN: the device joins the second device's space or the other
 * way round (with or without mappings, IRQs open, or after either joined
 * a third), or is given itself, another fd of ours, an eventfd, a closed
 * or negative fd; with bad flags, pad, argsz or pointer now and then.  The
 * second device is closed again now and then, so that other workers get
 * their devices.
 */
static void op_join(int fd)
{
	struct uldf_dma_join j = { .argsz = sizeof(j), .fd = -1 };
	int dev = fd, peer, junk = -1;

	switch (rnd() % 8) {
	case 0:
	case 1:
		j.fd = peer_open();
		break;
	case 2:
		peer = peer_open();
		if (peer < 0)
			return;
		dev = peer;
		j.fd = fd;
		break;
	case 3:
		peer = atomic_exchange(&peer_fd, -1);
		if (peer >= 0)
			count(close(peer));
		return;
	case 4:
		j.fd = fd;
		break;
	case 5:
		j.fd = rnd() % 64;	/* IRQ fds, eventfds, whatever is open */
		break;
	case 6:
		junk = eventfd(0, EFD_CLOEXEC);
		j.fd = junk;
		break;
	default:
		j.fd = rnd() % 2 ? -1 : (int)rnd();
	}
	if (rnd() % 8 == 0) {
		j.flags = rnd() % 2 ? 1u << (rnd() % 32) : rnd();
		j.pad = rnd() % 2 ? 0 : rnd();
		j.argsz = rand_argsz(sizeof(j));
	}
	count(ioctl(dev, ULDF_DMA_JOIN,
		    rnd() % 16 ? (void *)&j : (void *)(uintptr_t)rnd()));
	if (junk >= 0)
		close(junk);
}

/*
 * Attach real eventfds as the trigger and (for INTx) the resample, fire the
 * vector by software loopback, EOI through the resample eventfd, and leave
 * them attached or detach them; our copies are closed either way (the
 * module holds its own references).
 */
static void irq_eventfd_ops(int ifd)
{
	struct uldf_irq_eventfd e = { .argsz = rand_argsz(sizeof(e)) };
	int trig = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	int res = rnd() % 2 ? eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC) : -1;
	uint64_t v = 1;

	e.trigger = trig;
	e.resample = res;
	count(ioctl(ifd, ULDF_IRQ_SET_EVENTFD, &e));
	count(ioctl(ifd, ULDF_IRQ_TRIGGER));
	if (res >= 0)
		count(write(res, &v, 8));
	if (trig >= 0)
		count(read(trig, &v, 8));
	if (rnd() % 2) {
		e.trigger = e.resample = -1;
		count(ioctl(ifd, ULDF_IRQ_SET_EVENTFD, &e));
	}
	if (trig >= 0)
		close(trig);
	if (res >= 0)
		close(res);
}

/* fdinfo, and SIGIO on interrupts (ignored by the workers). */
static void irq_file_ops(int ifd)
{
	char path[64], buf[512];
	int f;

	if (rnd() % 2) {
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", ifd);
		f = open(path, O_RDONLY | O_CLOEXEC);
		if (f >= 0) {
			count(read(f, buf, sizeof(buf)));
			close(f);
		}
		return;
	}
	count(fcntl(ifd, F_SETOWN, getpid()));
	count(fcntl(ifd, F_SETFL, O_NONBLOCK | (rnd() % 2 ? O_ASYNC : 0)));
}

static void irq_fd_ops(int ifd)
{
	uint64_t v;
	struct uldf_irq_info info;
	struct pollfd p = { .fd = ifd, .events = POLLIN };
	unsigned int i, n = rnd() % 16;
	static const unsigned long cmds[] = {
		ULDF_IRQ_GET_INFO, ULDF_IRQ_MASK, ULDF_IRQ_UNMASK,
		ULDF_IRQ_TRIGGER, ULDF_IRQ_SET_EVENTFD, _IO(ULDF_TYPE, 0x2f),
	};

	for (i = 0; i < n; i++) {
		switch (rnd() % 7) {
		case 5:
			irq_eventfd_ops(ifd);
			break;
		case 6:
			irq_file_ops(ifd);
			break;
		case 0:
			count(read(ifd, &v, rnd() % 4 ? 8 : rand_size() % 64));
			break;
		case 1:
			v = rnd() % 4 ? rnd() % 2 : rnd();
			count(write(ifd, &v, rnd() % 4 ? 8 : rnd() % 16));
			break;
		case 2:
			count(poll(&p, 1, 0));
			break;
		case 3: {
			struct uldf_irq_eventfd e = {
				.argsz = rand_argsz(sizeof(e)),
				.trigger = rnd() % 4 ? -1 : (int)(rnd() % 32),
				.resample = rnd() % 4 ? -1 : (int)(rnd() % 32),
			};
			count(ioctl(ifd, ULDF_IRQ_SET_EVENTFD, &e));
			break;
		}
		default:
			fill_random(&info, sizeof(info));
			info.argsz = rand_argsz(sizeof(info));
			count(ioctl(ifd, PICK(cmds), &info));
		}
	}
}

static void op_irq(int fd)
{
	struct {
		struct uldf_irq_open o;
		int32_t fds[8];
	} req;
	unsigned int i, n;

	memset(&req, 0, sizeof(req));
	req.o.argsz = rand_argsz(sizeof(req));
	req.o.flags = rnd() % 4 ? ULDF_IRQ_OPEN_NONBLOCK : rnd();
	req.o.type = rnd() % 8;
	req.o.index = rnd() % 4 ? rnd() % 3 : rnd();
	req.o.count = rnd() % 4 ? 1 + rnd() % 2 : rnd();
	if (ioctl(fd, ULDF_DEVICE_IRQ_OPEN, &req) < 0) {
		count(-1);
		return;
	}
	count(0);
	/*
	 * An MSI or MSI-X message is a memory write by the device: let edu
	 * send it (Bus Master Enable; edu's DMA registers stay untouched).
	 */
	if (is_edu && (req.o.type == ULDF_IRQ_TYPE_MSI ||
		       req.o.type == ULDF_IRQ_TYPE_MSIX) && rnd() % 2) {
		const uint64_t reg = ULDF_REGION_OFFSET(ULDF_REGION_CONFIG) +
				     PCI_COMMAND;
		uint16_t cmd;

		if (pread(fd, &cmd, 2, reg) == 2) {
			cmd |= PCI_COMMAND_MASTER;
			count(pwrite(fd, &cmd, 2, reg));
		}
	}
	n = req.o.count > 8 ? 8 : req.o.count;
	for (i = 0; i < n; i++) {
		if (req.fds[i] < 0)
			continue;
		/* Raise edu's interrupt now and then. */
		if (is_edu && rnd() % 2) {
			uint32_t v = 1;

			pwrite(fd, &v, 4, ULDF_REGION_OFFSET(ULDF_REGION_BAR0) +
			       EDU_IRQ_RAISE);
		}
		irq_fd_ops(req.fds[i]);
		if (rnd() % 8)
			close(req.fds[i]);	/* else: leaked to the exit path */
	}
}

static void op_close(void)
{
	int fd = atomic_exchange(&dev_fd, -1);

	if (fd >= 0)
		count(close(fd));
}

static void op_fork(int fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		/* The child shares the open file: a few calls, then _exit. */
		op_rw(fd);
		op_dma(fd);
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	count(pid);
}

static void one_op(void)
{
	int fd = cur_fd();
	unsigned int r = rnd() % 100;

	if (fd < 0)
		return;
	if (toggler && r < 25)
		op_power(fd);
	else if (r < 35)
		op_rw(fd);
	else if (r < 45)
		op_mmap(fd);
	else if (r < 60)
		op_info(fd);
	else if (r < 79)
		op_dma(fd);
	else if (r < 82)
		op_join(fd);
	else if (r < 96)
		op_irq(fd);
	else if (r < 98)
		op_close();
	else
		op_fork(fd);
}

static unsigned long max_calls;
static time_t deadline;
#define PROGRESS_SECONDS	600

static bool done(void)
{
	return atomic_load(&sh->calls) >= max_calls || time(NULL) >= deadline;
}

static void *thread_main(void *arg)
{
	seed = (uintptr_t)arg * 0x9e3779b97f4a7c15ULL + time(NULL) + getpid();
	toggler = (uintptr_t)arg % 16 == 1;	/* the worker's first thread */
	while (!done())
		one_op();
	return NULL;
}

static void worker(unsigned int id, unsigned int generation,
		   unsigned int threads)
{
	pthread_t t[MAX_THREADS];
	unsigned int i;

	/* A worker and its replacements keep one device each. */
	signal(SIGIO, SIG_IGN);		/* IRQ fds set to O_ASYNC */
	signal(SIGBUS, on_sigbus);	/* BAR touches with decode off */
	bdf = bdfs[id % nr_bdfs];
	is_edu = uldf_test_driver_find(bdf) == &uldf_test_edu_ops;
	pool = mmap(NULL, POOL_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (pool == MAP_FAILED)
		_exit(1);
	for (i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, thread_main,
			       (void *)(uintptr_t)((generation * 64 + id) * 16 + i + 1));
	for (i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	_exit(0);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "calls", required_argument, NULL, 'c' },
		{ "seconds", required_argument, NULL, 's' },
		{ "workers", required_argument, NULL, 'w' },
		{ "threads", required_argument, NULL, 't' },
		{ "seed", required_argument, NULL, 'S' },
		{ "no-kill", no_argument, NULL, 'K' },
		{ }
	};
	unsigned int workers = 3, threads = 3, kills = 0, restarts = 0, i;
	pid_t pids[MAX_WORKERS];
	time_t start, last_report;
	unsigned long seconds = 120;
	bool kill_workers = true;
	int c;

	max_calls = 1000000;
	seed = time(NULL);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': max_calls = strtoul(optarg, NULL, 0); break;
		case 's': seconds = strtoul(optarg, NULL, 0); break;
		case 'w': workers = atoi(optarg); break;
		case 't': threads = atoi(optarg); break;
		case 'S': seed = strtoull(optarg, NULL, 0); break;
		case 'K': kill_workers = false; break;
		default:
			fprintf(stderr, "usage: uldf-fuzz [--calls N] [--seconds S] [--workers N] [--threads N] [--seed N] [--no-kill] BDF...\n");
			return 2;
		}
	}
	for (; optind < argc && nr_bdfs < MAX_DEVICES; optind++)
		bdfs[nr_bdfs++] = argv[optind];
	if (!nr_bdfs) {
		fprintf(stderr, "uldf-fuzz: name at least one device bound to uldf\n");
		return 2;
	}
	if (workers < 1 || workers > MAX_WORKERS || threads < 1 ||
	    threads > MAX_THREADS) {
		fprintf(stderr, "uldf-fuzz: 1-%d workers, 1-%d threads\n",
			MAX_WORKERS, MAX_THREADS);
		return 2;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	start = time(NULL);
	deadline = start + seconds;
	printf("uldf-fuzz: %u device(s), %u workers x %u threads, seed %llu, up to %lu calls or %lu s\n",
	       nr_bdfs, workers, threads, (unsigned long long)seed, max_calls, seconds);
	fflush(stdout);

	for (i = 0; i < workers; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			worker(i, 0, threads);
	}
	last_report = start;
	while (!done()) {
		usleep(50000 + rnd() % 200000);
		if (time(NULL) - last_report >= PROGRESS_SECONDS) {
			last_report = time(NULL);
			fprintf(stderr, "uldf-fuzz: %lu calls after %ld s\n",
				atomic_load(&sh->calls),
				(long)(last_report - start));
		}
		if (!kill_workers || rnd() % 3)
			continue;
		i = rnd() % workers;
		kill(pids[i], SIGKILL);
		waitpid(pids[i], NULL, 0);
		kills++;
		pids[i] = fork();
		restarts++;
		if (pids[i] == 0)
			worker(i, restarts, threads);
	}
	for (i = 0; i < workers; i++)
		waitpid(pids[i], NULL, 0);

	printf("uldf-fuzz: %lu calls (%lu succeeded, %lu failed with an errno), %u workers killed with SIGKILL\n",
	       atomic_load(&sh->calls), atomic_load(&sh->oks),
	       atomic_load(&sh->errors), kills);
	printf("uldf-fuzz: decode or power turned off and on %lu times; %lu BAR touches got SIGBUS\n",
	       atomic_load(&sh->toggles), atomic_load(&sh->sigbus));
	printf("uldf-fuzz: errnos:");
	for (i = 1; i < 256; i++)
		if (atomic_load(&sh->by_errno[i]))
			printf(" %s %lu", strerrorname_np(i) ? strerrorname_np(i) : "?",
			       atomic_load(&sh->by_errno[i]));
	printf("\n");
	return 0;
}
