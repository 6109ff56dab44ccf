// SPDX-License-Identifier: GPL-2.0
/*
 * An unbind never waits on the user.  Each case stalls a hostile fd
 * holder where it could hold up the removal, and times an unbind:
 *
 *   - a config pwrite, a BAR pwrite, a DMA map or unmap and the ioctls
 *     that copy an argument, stopped in the middle of their user copy (a
 *     userfaultfd page never resolved): the unbind still completes, and
 *     the call then fails with ENODEV;
 *   - the holder's own mmap_lock, held through a FUSE page it never
 *     serves, against the locked_vm charge and credit of a DMA map, an
 *     unmap and the revocation.
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


/* ---- an unbind never waits on the user -------------------------------- */

/* A page whose first touch blocks until UFFDIO_COPY resolves it. */
struct stall {
	int uffd;
	void *page;
	long psz;
};

static int stall_init(struct stall *s)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };

	s->psz = getpagesize();
	s->uffd = syscall(__NR_userfaultfd, O_CLOEXEC);
	if (s->uffd < 0)
		return -errno;
	if (ioctl(s->uffd, UFFDIO_API, &api))
		return -errno;
	s->page = mmap(NULL, s->psz, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->page == MAP_FAILED)
		return -errno;
	reg.range.start = (uintptr_t)s->page;
	reg.range.len = s->psz;
	if (ioctl(s->uffd, UFFDIO_REGISTER, &reg))
		return -errno;
	return 0;
}

/* Wait for the fault on the page (up to 10 s); 0 once a thread is stuck. */
static int stall_wait_fault(struct stall *s)
{
	struct uffd_msg msg;
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	fcntl(s->uffd, F_SETFL, O_NONBLOCK);
	for (i = 0; i < 1000; i++) {
		if (read(s->uffd, &msg, sizeof(msg)) == sizeof(msg))
			return msg.event == UFFD_EVENT_PAGEFAULT ? 0 : -EIO;
		nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT;
}

/* Resolve the fault with a page of @src. */
static int stall_resolve(struct stall *s, const void *src)
{
	struct uffdio_copy copy = {
		.dst = (uintptr_t)s->page,
		.src = (uintptr_t)src,
		.len = s->psz,
	};

	return ioctl(s->uffd, UFFDIO_COPY, &copy) ? -errno : 0;
}

static void stall_fini(struct stall *s)
{
	munmap(s->page, s->psz);
	close(s->uffd);
}

/* Unbind @bdf in a child; seconds it took, or -1 if not done in 15 s. */
static int timed_unbind(const char *bdf, pid_t *child)
{
	int i, status;

	*child = fork();
	if (*child == 0)
		_exit(uldf_test_unbind(bdf) ? 1 : 0);
	for (i = 0; i < 150; i++) {
		if (waitpid(*child, &status, WNOHANG) == *child) {
			*child = 0;
			return WIFEXITED(status) && !WEXITSTATUS(status) ?
			       i / 10 : -2;
		}
		usleep(100 * 1000);
	}
	return -1;
}

enum stalled_call {
	STALL_CONFIG, STALL_BAR, STALL_DMA, STALL_INFO, STALL_IRQ_OPEN,
	STALL_UNMAP, STALL_BATCH_UNMAP, STALL_DMA_INFO,
};

/*
 * What the stalled page holds once resolved: for the ioctls, a valid
 * argument (the stalled call is the copy of that argument).
 */
static void stall_fill(enum stalled_call what, void *page)
{
	struct uldf_device_info *info = page;
	struct uldf_irq_open *op = page;
	struct uldf_dma_unmap *um = page;
	struct uldf_dma_map *ent = page;
	struct uldf_dma_info *di = page;

	switch (what) {
	case STALL_INFO:
		info->argsz = sizeof(*info);
		break;
	case STALL_IRQ_OPEN:
		op->argsz = sizeof(*op) + sizeof(op->fds[0]);
		op->type = ULDF_IRQ_TYPE_INTX;
		op->count = 1;
		break;
	case STALL_UNMAP:
		um->argsz = sizeof(*um);
		um->flags = ULDF_DMA_UNMAP_ALL;
		break;
	case STALL_BATCH_UNMAP:
		ent->argsz = sizeof(*ent);
		ent->flags = ULDF_DMA_MAP_READ;
		ent->iova = 0x100000;
		ent->size = getpagesize();
		break;
	case STALL_DMA_INFO:
		di->argsz = sizeof(*di);
		break;
	default:
		break;
	}
}

struct stalled {
	int fd;
	enum stalled_call what;
	void *buf;
	long psz;
	long ret;
	int err;
};

static void *stalled_run(void *arg)
{
	struct stalled *s = arg;
	struct uldf_dma_map map = { .argsz = sizeof(map) };
	struct uldf_dma_batch batch = {
		.argsz = sizeof(batch),
		.flags = ULDF_DMA_BATCH_UNMAP,
		.count = 1,
	};

	switch (s->what) {
	case STALL_CONFIG:	/* the cache line size register */
		s->ret = pwrite(s->fd, s->buf, 1, ULDF_REGION_OFFSET(
					ULDF_REGION_CONFIG) + PCI_CACHE_LINE_SIZE);
		break;
	case STALL_BAR:
		s->ret = pwrite(s->fd, s->buf, 4, ULDF_REGION_OFFSET(
					ULDF_REGION_BAR0) + EDU_LIVENESS);
		break;
	case STALL_DMA:
		map.flags = ULDF_DMA_MAP_READ | ULDF_DMA_MAP_WRITE;
		map.vaddr = (uintptr_t)s->buf;
		map.size = s->psz;
		map.iova_limit = EDU_DMA_MASK;
		s->ret = ioctl(s->fd, ULDF_DMA_MAP, &map);
		break;
	case STALL_INFO:
		s->ret = ioctl(s->fd, ULDF_DEVICE_GET_INFO, s->buf);
		break;
	case STALL_IRQ_OPEN:
		s->ret = ioctl(s->fd, ULDF_DEVICE_IRQ_OPEN, s->buf);
		break;
	case STALL_UNMAP:
		s->ret = ioctl(s->fd, ULDF_DMA_UNMAP, s->buf);
		break;
	case STALL_BATCH_UNMAP:
		batch.entries_ptr = (uintptr_t)s->buf;
		s->ret = ioctl(s->fd, ULDF_DMA_MAP_BATCH, &batch);
		break;
	case STALL_DMA_INFO:
		s->ret = ioctl(s->fd, ULDF_DMA_GET_INFO, s->buf);
		break;
	}
	s->err = s->ret < 0 ? errno : 0;
	return NULL;
}

FIXTURE(stall) {
	const char *bdf;
	int fd;
	struct stall s;
};

FIXTURE_VARIANT(stall) {
	enum stalled_call what;
};

FIXTURE_VARIANT_ADD(stall, config_pwrite) { .what = STALL_CONFIG };
FIXTURE_VARIANT_ADD(stall, bar_pwrite) { .what = STALL_BAR };
FIXTURE_VARIANT_ADD(stall, dma_map) { .what = STALL_DMA };
FIXTURE_VARIANT_ADD(stall, get_info) { .what = STALL_INFO };
FIXTURE_VARIANT_ADD(stall, irq_open) { .what = STALL_IRQ_OPEN };
FIXTURE_VARIANT_ADD(stall, dma_unmap) { .what = STALL_UNMAP };
FIXTURE_VARIANT_ADD(stall, dma_batch_unmap) { .what = STALL_BATCH_UNMAP };
FIXTURE_VARIANT_ADD(stall, dma_get_info) { .what = STALL_DMA_INFO };

FIXTURE_SETUP(stall)
{
	int ret;

	self->fd = -1;
	self->bdf = uldf_test_bdf("ULDF_EDU_BDF", ULDF_DEFAULT_EDU);
	if (!uldf_test_module_loaded())
		SKIP(return, "uldf.ko not loaded; run through 'make check'");
	if (!uldf_test_device_exists(self->bdf))
		SKIP(return, "no edu at %s; run through 'make check'", self->bdf);
	ret = stall_init(&self->s);
	if (ret == -ENOSYS || ret == -EPERM)
		SKIP(return, "no userfaultfd (%s)", strerror(-ret));
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
	self->fd = uldf_test_open(self->bdf);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(stall)
{
	if (self->fd >= 0)
		close(self->fd);
	stall_fini(&self->s);
	uldf_test_write_param("release_timeout_ms", "1000");
	uldf_test_bind(self->bdf, "uldf");
}

/*
 * The call stops in its user copy (or page pinning); the unbind must still
 * complete within seconds.  Once the page is resolved the call fails with
 * ENODEV, and nothing reached the device or stayed pinned.  The ioctls'
 * case: the argument itself sits on the stalled page.
 */
TEST_F(stall, unbind_completes)
{
	struct stalled st = { .fd = self->fd, .what = variant->what,
			      .buf = self->s.page, .psz = self->s.psz };
	uint8_t *src = calloc(1, self->s.psz);
	long pins = pinned_pages();
	uint32_t live = 0;
	pthread_t th;
	pid_t child;
	int secs;

	ASSERT_NE(NULL, src);
	memset(src, 0x5a, self->s.psz);
	if (variant->what >= STALL_INFO) {
		memset(src, 0, self->s.psz);
		stall_fill(variant->what, src);
	}
	ASSERT_EQ(0, uldf_test_write_param("release_timeout_ms", "200"));
	ASSERT_EQ(0, pthread_create(&th, NULL, stalled_run, &st));
	ASSERT_EQ(0, stall_wait_fault(&self->s));

	secs = timed_unbind(self->bdf, &child);
	EXPECT_LE(0, secs) TH_LOG("unbind still blocked after 15 s");

	ASSERT_EQ(0, stall_resolve(&self->s, src));
	pthread_join(th, NULL);
	if (child > 0)
		waitpid(child, NULL, 0);
	EXPECT_EQ(-1, st.ret);
	EXPECT_EQ(ENODEV, st.err);
	EXPECT_EQ(pins, pinned_pages());

	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
	self->fd = uldf_test_open(self->bdf);
	ASSERT_LE(0, self->fd);
	if (variant->what == STALL_BAR) {
		/* edu's liveness register reads the inverse of the last write. */
		ASSERT_EQ(4, uldf_test_pread(self->fd, ULDF_REGION_BAR0,
					     EDU_LIVENESS, &live, 4));
		EXPECT_NE(~0x5a5a5a5aU, live);
	}
	free(src);
}

/*
 * ---- an unbind never waits on the user's mmap_lock ------------------------
 *
 * A process can hold its own mmap_lock for as long as it likes: a read of
 * /proc/self/mem faults in a page without letting go of the lock (GUP
 * without FOLL_UNLOCKABLE), and when that page is backed by a FUSE file
 * whose server, the same process, never answers the READ, the lock stays
 * held.  The DMA charge and credit take the opener's mmap_lock for write
 * (locked_vm); if uldf does so while holding what the removal needs, the
 * unbind waits on the user.  The holder is a child (a fork() of the
 * stalled process itself would wait on the same lock), locked in memory so
 * that its FUSE server never faults behind a queued writer.
 */
struct fuse_stall {
	int fd;
	char dir[64];
	pthread_t server;
	uint64_t read_unique;	/* the READ left unanswered */
	uint32_t read_size;
	volatile int reads;
	int abort_fd;
};

static int fuse_reply(int fd, uint64_t unique, int error, const void *arg,
		      size_t len)
{
	struct fuse_out_header oh = {
		.len = sizeof(oh) + len, .error = error, .unique = unique,
	};
	struct iovec iov[2] = { { &oh, sizeof(oh) }, { (void *)arg, len } };

	return writev(fd, iov, len ? 2 : 1) < 0 ? -errno : 0;
}

static void fuse_attr_fill(struct fuse_attr *a, uint64_t nodeid)
{
	memset(a, 0, sizeof(*a));
	a->ino = nodeid;
	a->nlink = nodeid == FUSE_ROOT_ID ? 2 : 1;
	a->mode = nodeid == FUSE_ROOT_ID ? S_IFDIR | 0755 : S_IFREG | 0444;
	a->size = nodeid == FUSE_ROOT_ID ? 0 : 4096;
	a->blocks = a->size / 512;
	a->blksize = 4096;
}

/*
 * Threads of the holder run on stacks in its (locked) data segment: once
 * its mmap_lock is held, neither mmap() of a new stack nor a fault on one
 * could proceed.
 */
static char holder_stacks[3][256 * 1024] __attribute__((aligned(4096)));

static int holder_thread(pthread_t *t, int i, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	int ret;

	pthread_attr_init(&attr);
	pthread_attr_setstack(&attr, holder_stacks[i], sizeof(holder_stacks[i]));
	ret = pthread_create(t, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return ret;
}

/* A file system of one 4 KiB file, "f", whose reads are never answered. */
static void *fuse_serve(void *arg)
{
	static char buf[FUSE_MIN_READ_BUFFER + 65536];
	struct fuse_stall *fs = arg;

	for (;;) {
		struct fuse_in_header *in = (void *)buf;
		void *body = buf + sizeof(*in);
		ssize_t n = read(fs->fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < (ssize_t)sizeof(*in))
			return NULL;	/* unmounted */
		switch (in->opcode) {
		case FUSE_INIT: {
			const struct fuse_init_in *ii = body;
			struct fuse_init_out o = {
				.major = FUSE_KERNEL_VERSION,
				.minor = FUSE_KERNEL_MINOR_VERSION,
				.max_readahead = ii->max_readahead,
				.max_background = 16,
				.congestion_threshold = 12,
				.max_write = 4096,
				.time_gran = 1,
			};

			fuse_reply(fs->fd, in->unique, 0, &o, sizeof(o));
			break;
		}
		case FUSE_LOOKUP: {
			struct fuse_entry_out e = {
				.nodeid = 2, .entry_valid = 3600,
				.attr_valid = 3600,
			};

			if (in->nodeid != FUSE_ROOT_ID || strcmp(body, "f")) {
				fuse_reply(fs->fd, in->unique, -ENOENT, NULL, 0);
				break;
			}
			fuse_attr_fill(&e.attr, 2);
			fuse_reply(fs->fd, in->unique, 0, &e, sizeof(e));
			break;
		}
		case FUSE_GETATTR: {
			struct fuse_attr_out a = { .attr_valid = 3600 };

			fuse_attr_fill(&a.attr, in->nodeid);
			fuse_reply(fs->fd, in->unique, 0, &a, sizeof(a));
			break;
		}
		case FUSE_OPEN: {
			struct fuse_open_out o = { .fh = 1 };

			fuse_reply(fs->fd, in->unique, 0, &o, sizeof(o));
			break;
		}
		case FUSE_READ:
			fs->read_unique = in->unique;
			fs->read_size = ((struct fuse_read_in *)body)->size;
			__atomic_add_fetch(&fs->reads, 1, __ATOMIC_SEQ_CST);
			break;		/* no answer: the reader waits */
		case FUSE_FORGET:
		case FUSE_BATCH_FORGET:
		case FUSE_INTERRUPT:
			break;		/* no answer expected */
		case FUSE_FLUSH:
		case FUSE_RELEASE:
			fuse_reply(fs->fd, in->unique, 0, NULL, 0);
			break;
		default:
			fuse_reply(fs->fd, in->unique, -ENOSYS, NULL, 0);
		}
	}
}

static int fuse_stall_mount(struct fuse_stall *fs)
{
	char opts[128];

	memset(fs, 0, sizeof(*fs));
	strcpy(fs->dir, "/tmp/uldf-fuse-XXXXXX");
	if (!mkdtemp(fs->dir))
		return -errno;
	fs->fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fs->fd < 0)
		return -errno;
	snprintf(opts, sizeof(opts),
		 "fd=%d,rootmode=40000,user_id=0,group_id=0", fs->fd);
	if (mount("uldf-stall", fs->dir, "fuse", MS_NOSUID | MS_NODEV, opts))
		return -errno;
	return -holder_thread(&fs->server, 0, fuse_serve, fs);
}

/*
 * End the stall by aborting the connection through fusectl: the READ
 * fails, and the reader lets go of its mmap_lock.  (Answering the READ
 * would copy the data in through GUP, which can wait behind a writer
 * queued on that same mmap_lock.)  Opened at mount time, so that the
 * abort itself touches no new user memory.
 */
static int fuse_stall_abort_open(struct fuse_stall *fs)
{
	char path[96];
	struct stat st;

	if (mount("fusectl", "/sys/fs/fuse/connections", "fusectl", 0, NULL) &&
	    errno != EBUSY)
		return -errno;
	if (stat(fs->dir, &st))
		return -errno;
	snprintf(path, sizeof(path), "/sys/fs/fuse/connections/%u/abort",
		 minor(st.st_dev));
	fs->abort_fd = open(path, O_WRONLY | O_CLOEXEC);
	return fs->abort_fd < 0 ? -errno : 0;
}

static void fuse_stall_resolve(struct fuse_stall *fs)
{
	if (write(fs->abort_fd, "1", 1) != 1)
		perror("fusectl abort");
}

enum lock_holder_call { HOLD_ONLY, HOLD_DMA_MAP, HOLD_DMA_UNMAP };

struct lock_call {
	int fd;
	enum lock_holder_call what;
	void *buf;
	long ret;
	int err;
};

static void *lock_call_run(void *arg)
{
	struct lock_call *c = arg;
	struct uldf_dma_map map = {
		.argsz = sizeof(map),
		.flags = ULDF_DMA_MAP_READ | ULDF_DMA_MAP_WRITE,
		.vaddr = (uintptr_t)c->buf, .size = getpagesize(),
		.iova = 0x200000,
	};
	struct uldf_dma_unmap um = {
		.argsz = sizeof(um), .flags = ULDF_DMA_UNMAP_ALL,
	};

	c->ret = ioctl(c->fd, c->what == HOLD_DMA_MAP ? ULDF_DMA_MAP :
			      ULDF_DMA_UNMAP, c->what == HOLD_DMA_MAP ?
			      (void *)&map : (void *)&um);
	c->err = c->ret < 0 ? errno : 0;
	return NULL;
}

static void *mem_reader_run(void *arg)
{
	char page[4096];
	int fd = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (pread(fd, page, sizeof(page), (off_t)(uintptr_t)arg) < 0)
			page[0] = 0;
		close(fd);
	}
	return NULL;
}

/* Whether thread @tid of this process sleeps uninterruptibly. */
static bool thread_in_d(pid_t tid)
{
	char path[64], buf[256], *p;
	int fd, n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'D';
}

struct lock_call_thread {
	struct lock_call *c;
	volatile pid_t tid;
	volatile int go;
};

/* Started before the stall, the call is made once @go is set. */
static void *lock_call_thread_run(void *arg)
{
	struct lock_call_thread *t = arg;

	t->tid = syscall(SYS_gettid);
	while (!t->go)
		usleep(1000);
	return lock_call_run(t->c);
}

/*
 * The holder: opens @bdf, maps a page for DMA (charged to its locked_vm),
 * stalls its mmap_lock on the FUSE page, optionally starts @what and waits
 * for it to sleep on the lock, says 'S' on @out, waits for a byte on @in,
 * ends the stall, writes the call's errno (0: none) on @out, and exits
 * after one more byte on @in.
 */
static void lock_holder(const char *bdf, enum lock_holder_call what,
			int in, int out)
{
	struct lock_call c = { .what = what };
	struct lock_call_thread ct = { .c = &c };
	struct uldf_dma_map map = {
		.argsz = sizeof(map), .flags = ULDF_DMA_MAP_READ,
		.size = getpagesize(), .iova = 0x100000,
	};
	struct fuse_stall fs;
	pthread_t reader, caller;
	char b = 'S';
	void *file, *buf;
	int i, f, err;

	/* No MCL_FUTURE: it would populate the FUSE mapping at mmap(). */
	if (mlockall(MCL_CURRENT))
		_exit(10);
	c.fd = uldf_test_open(bdf);
	buf = mmap(NULL, 2 * getpagesize(), PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (c.fd < 0 || buf == MAP_FAILED)
		_exit(11);
	map.vaddr = (uintptr_t)buf;
	c.buf = (char *)buf + getpagesize();
	if (ioctl(c.fd, ULDF_DMA_MAP, &map))
		_exit(12);
	if (fuse_stall_mount(&fs) || fuse_stall_abort_open(&fs))
		_exit(13);
	snprintf((char *)c.buf, 96, "%s/f", fs.dir);
	f = open((char *)c.buf, O_RDONLY | O_CLOEXEC);
	file = f < 0 ? MAP_FAILED : mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, f, 0);
	if (file == MAP_FAILED)
		_exit(14);
	if (what != HOLD_ONLY && holder_thread(&caller, 1, lock_call_thread_run, &ct))
		_exit(15);
	if (holder_thread(&reader, 2, mem_reader_run, file))
		_exit(15);
	for (i = 0; i < 1000 && !fs.reads; i++)
		usleep(10 * 1000);
	if (!fs.reads)
		_exit(15);
	if (what != HOLD_ONLY) {
		ct.go = 1;
		for (i = 0; i < 1000 && !(ct.tid && thread_in_d(ct.tid)); i++)
			usleep(10 * 1000);
		if (i == 1000)
			_exit(18);	/* the call never waited */
	}
	if (write(out, &b, 1) != 1 || read(in, &b, 1) != 1)
		_exit(16);
	fuse_stall_resolve(&fs);
	pthread_join(reader, NULL);
	if (what != HOLD_ONLY)
		pthread_join(caller, NULL);
	err = c.err;
	if (write(out, &err, sizeof(err)) != sizeof(err) || read(in, &b, 1) != 1)
		_exit(17);
	munmap(file, 4096);
	close(f);
	umount2(fs.dir, MNT_DETACH);
	rmdir(fs.dir);
	_exit(0);
}

FIXTURE(mmap_lock) {
	const char *bdf;
};

FIXTURE_VARIANT(mmap_lock) {
	enum lock_holder_call what;
	int err;		/* what the holder's call returns, once answered */
};

/* The removal revokes the device and credits the holder's locked_vm. */
FIXTURE_VARIANT_ADD(mmap_lock, revoke) { .what = HOLD_ONLY, .err = 0 };
/* A DMA map waits to charge locked_vm; then finds the device gone. */
FIXTURE_VARIANT_ADD(mmap_lock, dma_map) { .what = HOLD_DMA_MAP, .err = ENODEV };
/* A DMA unmap waits to credit locked_vm. */
FIXTURE_VARIANT_ADD(mmap_lock, dma_unmap) { .what = HOLD_DMA_UNMAP, .err = 0 };

FIXTURE_SETUP(mmap_lock)
{
	self->bdf = uldf_test_bdf("ULDF_EDU_BDF", ULDF_DEFAULT_EDU);
	if (!uldf_test_module_loaded())
		SKIP(return, "uldf.ko not loaded; run through 'make check'");
	if (!uldf_test_device_exists(self->bdf))
		SKIP(return, "no edu at %s; run through 'make check'", self->bdf);
	if (access("/dev/fuse", R_OK | W_OK))
		SKIP(return, "no /dev/fuse (%s)", strerror(errno));
	ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
	ASSERT_EQ(0, uldf_test_write_param("release_timeout_ms", "200"));
}

FIXTURE_TEARDOWN(mmap_lock)
{
	uldf_test_write_param("release_timeout_ms", "1000");
	uldf_test_bind(self->bdf, "uldf");
}

TEST_F_TIMEOUT(mmap_lock, unbind_completes, 90)
{
	int to_holder[2], from_holder[2], status, err = -1, secs, i;
	long page_kb = getpagesize() / 1024, pins = pinned_pages(), locked;
	pid_t holder, child;
	char b;

	ASSERT_EQ(0, pipe(to_holder));
	ASSERT_EQ(0, pipe(from_holder));
	holder = fork();
	ASSERT_LE(0, holder);
	if (!holder)
		lock_holder(self->bdf, variant->what, to_holder[0],
			    from_holder[1]);
	ASSERT_EQ(1, read(from_holder[0], &b, 1)) TH_LOG("the holder could not stall");
	locked = vmlck_kb(holder);	/* its mlockall() and the DMA page */

	secs = timed_unbind(self->bdf, &child);
	EXPECT_LE(0, secs) TH_LOG("unbind still blocked after 15 s");
	/* The stall holds the lock: no credit has been paid yet. */
	EXPECT_EQ(locked, vmlck_kb(holder));

	ASSERT_EQ(1, write(to_holder[1], "R", 1));
	ASSERT_EQ(sizeof(err), read(from_holder[0], &err, sizeof(err)));
	EXPECT_EQ(variant->err, err);
	/* Then the DMA page is credited back once (possibly by a worker). */
	for (i = 0; i < 500 && vmlck_kb(holder) != locked - page_kb; i++)
		usleep(10 * 1000);
	EXPECT_EQ(locked - page_kb, vmlck_kb(holder));
	ASSERT_EQ(1, write(to_holder[1], "X", 1));
	ASSERT_EQ(holder, waitpid(holder, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	if (child > 0)
		waitpid(child, NULL, 0);
	EXPECT_EQ(pins, pinned_pages());
	ASSERT_EQ(0, uldf_test_bind(self->bdf, "uldf"));
}

TEST_HARNESS_MAIN
