// SPDX-License-Identifier: MIT
/*
 * libuldf: an io_uring event loop over IRQ fds.
 *
 * Each watched fd has a slot in a table and at most one multishot request
 * in flight.  Where the kernel has IORING_OP_READ_MULTISHOT (Linux 6.7;
 * the opcode is probed at run time, and the SQE is filled by hand because
 * the liburing of older distributions has no helper for it), that request
 * reads the fd into a ring of provided 8-byte buffers: every completion
 * carries one count, and the buffer goes straight back to the ring.
 * Otherwise the request is a multishot poll, and a completion is followed
 * by a non-blocking read().  An fd that rejects multishot reads falls back
 * to poll on its own.
 *
 * A request's user_data packs the kind of request, the slot and the
 * slot's generation (internal.h).  Removing an fd cancels its request and
 * bumps the generation, so completions still in the queue for it are
 * recognised as stale and dropped (their buffers recycled) even after the
 * slot is reused; the loop never holds a pointer that a completion could
 * outlive.  Handlers may add and remove fds, which may move the table, so
 * slots are addressed by index only.
 *
 * With ULDF_LOOP_SQPOLL the ring has a kernel thread that takes requests
 * from the submission queue itself (IORING_SETUP_SQPOLL), and the loop
 * stays out of the kernel: it reaps completions by reading the completion
 * queue in memory, spinning for up to ULDFI_SQPOLL_SPIN_MS before it
 * blocks in io_uring_enter(), and an EOI is a write of 1 to the IRQ fd
 * queued as a request (IORING_OP_WRITE) instead of a write() of its own.
 * The thread runs the completions' task work too, so an interrupt reaches
 * the completion queue without the loop's help.  After
 * ULDFI_SQPOLL_IDLE_MS with nothing to do the thread sleeps and flags
 * IORING_SQ_NEED_WAKEUP; liburing's io_uring_submit() then wakes it with
 * one io_uring_enter(), the only system call of a loop that is busy.  A
 * completion wakes it as well, so the EOI that follows an interrupt
 * finds it awake.  The thread is bound to a CPU outside the caller's
 * affinity where there is one (sqpoll_cpu()).
 */
#include <fcntl.h>
#include <liburing.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* From Linux 6.7's <linux/io_uring.h>; uAPI numbers never change. */
#define ULDFI_OP_READ_MULTISHOT	49

#define ULDFI_LOOP_SQES		64
#define ULDFI_LOOP_BUFS		256	/* provided buffers, a power of 2 */
#define ULDFI_LOOP_BGID		0x756c	/* buffer group id */
/*
 * The SQPOLL thread's idle before it sleeps.  An interrupt's completion
 * wakes it; the EOI that the handler then queues must find it still awake,
 * which one tick (the shortest idle) does not leave time for in a slow
 * guest.  Longer would only keep a CPU busy after the interrupts stop.
 */
#define ULDFI_SQPOLL_IDLE_MS	10
#define ULDFI_SQPOLL_SPIN_MS	20	/* a wait's spin before it blocks */

struct loop_entry {
	int fd;			/* -1: free slot */
	uint32_t gen;
	unsigned int flags;
	uldf_loop_fn fn;
	void *data;
	bool armed;		/* a multishot request is in flight */
	bool use_poll;		/* poll-then-read instead of multishot read */
};

struct uldf_loop {
	struct io_uring ring;
	bool mshot;
	bool sqpoll;
	uint64_t eoi_val;	/* what an EOI writes: 1 (unmask) */
	struct io_uring_buf_ring *br;
	size_t br_len;
	uint64_t *bufs;
	struct loop_entry *ent;
	uint32_t nent;
};

/* ---- setup ---------------------------------------------------------------- */

static bool mshot_supported(struct io_uring *ring)
{
	struct io_uring_probe *probe;
	bool ok;

	probe = io_uring_get_probe_ring(ring);
	if (!probe)
		return false;
	ok = io_uring_opcode_supported(probe, ULDFI_OP_READ_MULTISHOT);
	io_uring_free_probe(probe);
	return ok;
}

static void buf_recycle(struct uldf_loop *loop, unsigned int bid)
{
	io_uring_buf_ring_add(loop->br, &loop->bufs[bid], sizeof(uint64_t), bid,
			      io_uring_buf_ring_mask(ULDFI_LOOP_BUFS), 0);
	io_uring_buf_ring_advance(loop->br, 1);
}

/* Register the ring of provided buffers; fails on kernels before 5.19. */
static int bufs_setup(struct uldf_loop *loop)
{
	struct io_uring_buf_reg reg = { 0 };
	unsigned int i;
	void *p;
	int ret;

	loop->bufs = calloc(ULDFI_LOOP_BUFS, sizeof(*loop->bufs));
	if (!loop->bufs)
		return -ENOMEM;
	loop->br_len = ULDFI_LOOP_BUFS * sizeof(struct io_uring_buf);
	p = mmap(NULL, loop->br_len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	loop->br = p;
	reg.ring_addr = (uintptr_t)p;
	reg.ring_entries = ULDFI_LOOP_BUFS;
	reg.bgid = ULDFI_LOOP_BGID;
	ret = io_uring_register_buf_ring(&loop->ring, &reg, 0);
	if (ret)
		return ret;
	io_uring_buf_ring_init(loop->br);
	for (i = 0; i < ULDFI_LOOP_BUFS; i++)
		buf_recycle(loop, i);
	return 0;
}

static void bufs_release(struct uldf_loop *loop)
{
	if (loop->br)
		munmap(loop->br, loop->br_len);
	loop->br = NULL;
	free(loop->bufs);
	loop->bufs = NULL;
}

/*
 * The CPU for the SQPOLL thread: the first online CPU outside the calling
 * thread's affinity, or -1 (the scheduler's choice) if it may run on all.
 * A thread woken by a completion otherwise tends to land on the CPU that
 * took the interrupt, which is where a driver pinned next to its vectors
 * spins on the completion queue: the two then share one CPU, and each
 * completion waits for the spinner's time slice to end.
 */
static int sqpoll_cpu(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;
	int cpu;

	if (n <= 1 || sched_getaffinity(0, sizeof(set), &set))
		return -1;
	for (cpu = 0; cpu < n && cpu < CPU_SETSIZE; cpu++)
		if (!CPU_ISSET(cpu, &set))
			return cpu;
	return -1;
}

int uldf_loop_create(unsigned int flags, struct uldf_loop **loopp)
{
	ULDFI_KEEP_ERRNO();
	struct uldf_loop *loop;
	int ret;

	if (!loopp || (flags & ~(ULDF_LOOP_POLL | ULDF_LOOP_SQPOLL)))
		return -EINVAL;
	loop = calloc(1, sizeof(*loop));
	if (!loop)
		return -ENOMEM;
	loop->eoi_val = 1;
	if (flags & ULDF_LOOP_SQPOLL) {
		struct io_uring_params p = {
			.flags = IORING_SETUP_SQPOLL,
			.sq_thread_idle = ULDFI_SQPOLL_IDLE_MS,
		};
		int cpu = sqpoll_cpu();

		if (cpu >= 0) {
			p.flags |= IORING_SETUP_SQ_AFF;
			p.sq_thread_cpu = cpu;
		}
		ret = io_uring_queue_init_params(ULDFI_LOOP_SQES, &loop->ring, &p);
		if (ret == -EINVAL && cpu >= 0) {	/* not in our cpuset */
			memset(&p, 0, sizeof(p));
			p.flags = IORING_SETUP_SQPOLL;
			p.sq_thread_idle = ULDFI_SQPOLL_IDLE_MS;
			ret = io_uring_queue_init_params(ULDFI_LOOP_SQES,
							 &loop->ring, &p);
		}
		loop->sqpoll = true;
	} else {
		ret = io_uring_queue_init(ULDFI_LOOP_SQES, &loop->ring, 0);
	}
	if (ret) {
		free(loop);
		return ret;
	}
	if (!(flags & ULDF_LOOP_POLL) && mshot_supported(&loop->ring)) {
		ret = bufs_setup(loop);
		if (ret == -ENOMEM) {
			uldf_loop_destroy(loop);
			return ret;
		}
		loop->mshot = !ret;
		if (ret)
			bufs_release(loop);
	}
	*loopp = loop;
	return 0;
}

void uldf_loop_destroy(struct uldf_loop *loop)
{
	ULDFI_KEEP_ERRNO();

	if (!loop)
		return;
	/* Exiting the ring cancels every request and unregisters buffers. */
	io_uring_queue_exit(&loop->ring);
	bufs_release(loop);
	free(loop->ent);
	free(loop);
}

int uldf_loop_fd(const struct uldf_loop *loop)
{
	return loop ? loop->ring.ring_fd : -EINVAL;
}

int uldf_loop_features(const struct uldf_loop *loop)
{
	if (!loop)
		return -EINVAL;
	return (loop->mshot ? ULDF_LOOP_F_MULTISHOT : 0) |
	       (loop->sqpoll ? ULDF_LOOP_F_SQPOLL : 0);
}

/* ---- requests ------------------------------------------------------------- */

static struct io_uring_sqe *get_sqe(struct uldf_loop *loop)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&loop->ring);

	if (!sqe) {
		io_uring_submit(&loop->ring);
		sqe = io_uring_get_sqe(&loop->ring);
	}
	return sqe;
}

static uint64_t entry_ud(const struct uldf_loop *loop, uint32_t slot)
{
	const struct loop_entry *e = &loop->ent[slot];

	return uldfi_ud_pack(e->use_poll ? ULDFI_OP_POLL : ULDFI_OP_READ,
			     e->gen, slot);
}

/* Queue @slot's multishot request. */
static int arm(struct uldf_loop *loop, uint32_t slot)
{
	struct loop_entry *e = &loop->ent[slot];
	struct io_uring_sqe *sqe;

	sqe = get_sqe(loop);
	if (!sqe)
		return -EBUSY;
	if (e->use_poll) {
		io_uring_prep_poll_multishot(sqe, e->fd, POLLIN);
	} else {
		io_uring_prep_rw(ULDFI_OP_READ_MULTISHOT, sqe, e->fd, NULL, 0, 0);
		sqe->flags |= IOSQE_BUFFER_SELECT;
		sqe->buf_group = ULDFI_LOOP_BGID;
	}
	io_uring_sqe_set_data64(sqe, entry_ud(loop, slot));
	e->armed = true;
	return 0;
}

static int arm_all(struct uldf_loop *loop)
{
	uint32_t i;
	int ret;

	for (i = 0; i < loop->nent; i++) {
		if (loop->ent[i].fd < 0 || loop->ent[i].armed)
			continue;
		ret = arm(loop, i);
		if (ret)
			return ret;
	}
	return 0;
}

/* Cancel the request with user_data @ud; its completions are then stale. */
static void cancel(struct uldf_loop *loop, uint64_t ud)
{
	struct io_uring_sqe *sqe = get_sqe(loop);

	if (!sqe)
		return;		/* retried when a stale completion arrives */
	io_uring_prep_cancel64(sqe, ud, 0);
	io_uring_sqe_set_data64(sqe, uldfi_ud_pack(ULDFI_OP_CANCEL, 0, 0));
	io_uring_submit(&loop->ring);
}

/* Free @slot: cancel its request and make its completions stale. */
static void entry_drop(struct uldf_loop *loop, uint32_t slot)
{
	struct loop_entry *e = &loop->ent[slot];

	if (e->armed)
		cancel(loop, entry_ud(loop, slot));
	e->fd = -1;
	e->gen = (e->gen + 1) & ULDFI_GEN_MASK;
	e->armed = false;
	e->fn = NULL;
	e->data = NULL;
}

static int find_slot(const struct uldf_loop *loop, int fd)
{
	uint32_t i;

	for (i = 0; i < loop->nent; i++)
		if (loop->ent[i].fd == fd)
			return (int)i;
	return -1;
}

/* A free slot, growing the table if needed; -ENOMEM. */
static int new_slot(struct uldf_loop *loop)
{
	struct loop_entry *ent;
	uint32_t i, n;
	int slot = find_slot(loop, -1);

	if (slot >= 0)
		return slot;
	n = loop->nent ? loop->nent * 2 : 8;
	ent = realloc(loop->ent, n * sizeof(*ent));
	if (!ent)
		return -ENOMEM;
	for (i = loop->nent; i < n; i++) {
		memset(&ent[i], 0, sizeof(ent[i]));
		ent[i].fd = -1;
	}
	slot = (int)loop->nent;
	loop->ent = ent;
	loop->nent = n;
	return slot;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	if (!(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK))
		return -errno;
	return 0;
}

int uldf_loop_add(struct uldf_loop *loop, int fd, unsigned int flags,
		  uldf_loop_fn fn, void *data)
{
	ULDFI_KEEP_ERRNO();
	struct uldf_irq_info info;
	struct loop_entry *e;
	int slot, ret;

	if (!loop || fd < 0 || !fn || (flags & ~ULDF_LOOP_EOI))
		return -EINVAL;
	if (find_slot(loop, fd) >= 0)
		return -EEXIST;
	/*
	 * An unmask-on-read fd would end each interrupt when the loop reads
	 * it, before the handler has cleared the cause: refuse it.
	 */
	if (!uldf_irq_get_info(fd, &info) &&
	    (info.flags & ULDF_IRQ_INFO_UNMASK_ON_READ))
		return -EINVAL;
	ret = set_nonblock(fd);
	if (ret)
		return ret;
	slot = new_slot(loop);
	if (slot < 0)
		return slot;
	e = &loop->ent[slot];
	e->fd = fd;
	e->flags = flags;
	e->fn = fn;
	e->data = data;
	e->armed = false;
	e->use_poll = !loop->mshot;
	/* Arm now, so that a caller polling uldf_loop_fd() is woken. */
	if (!arm(loop, slot))
		io_uring_submit(&loop->ring);
	return 0;
}

int uldf_loop_remove(struct uldf_loop *loop, int fd)
{
	ULDFI_KEEP_ERRNO();
	int slot;

	if (!loop || fd < 0)
		return -EINVAL;
	slot = find_slot(loop, fd);
	if (slot < 0)
		return -ENOENT;
	entry_drop(loop, slot);
	return 0;
}

/* ---- completions ---------------------------------------------------------- */

/*
 * End @slot's interrupt: a write() of its own, or with SQPOLL a write
 * request that the thread carries out.  A successful one posts no
 * completion; a failed one is handed to the fd's handler.
 */
static void eoi(struct uldf_loop *loop, uint32_t slot)
{
	struct loop_entry *e = &loop->ent[slot];
	struct io_uring_sqe *sqe;

	if (loop->sqpoll) {
		sqe = get_sqe(loop);
		if (sqe) {
			io_uring_prep_write(sqe, e->fd, &loop->eoi_val,
					    sizeof(loop->eoi_val), 0);
			sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
			io_uring_sqe_set_data64(sqe, uldfi_ud_pack(ULDFI_OP_EOI,
								   e->gen, slot));
			io_uring_submit(&loop->ring);	/* enters only to wake it */
			return;
		}
	}
	uldf_irq_eoi(e->fd);
}

/* Call @slot's handler with @res; 0, or the handler's negative return. */
static int deliver(struct uldf_loop *loop, uint32_t slot, int64_t res,
		   int *calls)
{
	struct loop_entry *e = &loop->ent[slot];
	uldf_loop_fn fn = e->fn;
	void *data = e->data;
	uint32_t gen = e->gen;
	int fd = e->fd;
	int ret;

	if (res < 0)
		entry_drop(loop, slot);
	ret = fn(loop, fd, res, data);
	(*calls)++;
	if (ret < 0)
		return ret;
	/* The handler may have removed the fd, or put another in its slot. */
	e = &loop->ent[slot];
	if (res > 0 && e->fd == fd && e->gen == gen && (e->flags & ULDF_LOOP_EOI))
		eoi(loop, slot);
	return 0;
}

/* After a poll completion: read the count without blocking. */
static int read_count(struct uldf_loop *loop, uint32_t slot, int *calls)
{
	uint64_t count;
	ssize_t n;

	n = read(loop->ent[slot].fd, &count, sizeof(count));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n < 0)
		return deliver(loop, slot, -errno, calls);
	if (n != sizeof(count))
		return deliver(loop, slot, -EIO, calls);
	return deliver(loop, slot, (int64_t)count, calls);
}

static int read_done(struct uldf_loop *loop, uint32_t slot, int res,
		     uint64_t count, int *calls)
{
	switch (res) {
	case sizeof(uint64_t):
		return deliver(loop, slot, (int64_t)count, calls);
	case -ENOBUFS:		/* buffers ran out; re-armed by the caller */
	case -EAGAIN:
	case -ECANCELED:
	case -EINTR:
		return 0;
	case -EINVAL:		/* the fd does not do multishot reads */
	case -EOPNOTSUPP:
		loop->ent[slot].use_poll = true;
		return 0;
	}
	return deliver(loop, slot, res < 0 ? res : -EIO, calls);
}

static int poll_done(struct uldf_loop *loop, uint32_t slot, int res,
		     int *calls)
{
	if (res == -ECANCELED || res == -EINTR)
		return 0;
	if (res < 0)
		return deliver(loop, slot, res, calls);
	return read_count(loop, slot, calls);
}

static int handle_cqe(struct uldf_loop *loop, const struct io_uring_cqe *cqe,
		      int *calls)
{
	uint64_t ud = io_uring_cqe_get_data64(cqe);
	enum uldfi_op op = uldfi_ud_op(ud);
	uint32_t slot = uldfi_ud_slot(ud);
	uint64_t count = 0;
	struct loop_entry *e;

	if (op == ULDFI_OP_READ && (cqe->flags & IORING_CQE_F_BUFFER)) {
		unsigned int bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;

		if (bid < ULDFI_LOOP_BUFS) {
			count = loop->bufs[bid];
			buf_recycle(loop, bid);
		}
	}
	if (op != ULDFI_OP_READ && op != ULDFI_OP_POLL && op != ULDFI_OP_EOI)
		return 0;
	if (slot >= loop->nent || loop->ent[slot].fd < 0 ||
	    loop->ent[slot].gen != uldfi_ud_gen(ud)) {
		if (cqe->flags & IORING_CQE_F_MORE)
			cancel(loop, ud);	/* a cancel that did not fit */
		return 0;
	}
	e = &loop->ent[slot];
	if (op == ULDFI_OP_EOI)		/* only failures complete */
		return cqe->res < 0 ? deliver(loop, slot, cqe->res, calls) : 0;
	if (!(cqe->flags & IORING_CQE_F_MORE))
		e->armed = false;
	if (op == ULDFI_OP_READ)
		return read_done(loop, slot, cqe->res, count, calls);
	return poll_done(loop, slot, cqe->res, calls);
}

/*
 * Handle the completions that are ready; stop at a handler's error.  Only
 * those ready on entry: an EOI can raise the next interrupt at once (a
 * line still asserted), and the loop must not spin on it here.
 */
static int drain(struct uldf_loop *loop, int *calls)
{
	unsigned int n = io_uring_cq_ready(&loop->ring);
	struct io_uring_cqe *cqe;
	int ret;

	while (n-- && !io_uring_peek_cqe(&loop->ring, &cqe)) {
		struct io_uring_cqe copy = *cqe;

		/* Seen first: a handler may re-enter the loop's functions. */
		io_uring_cqe_seen(&loop->ring, cqe);
		ret = handle_cqe(loop, &copy, calls);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * SQPOLL: watch the completion queue in memory for up to @ms (-1: the
 * spin limit).  True when a completion is there, or when the kernel holds
 * some back (a full queue overflowed) and only io_uring_enter() gets them.
 */
static bool spin_cqe(struct uldf_loop *loop, int64_t ms)
{
	int64_t end;

	if (ms < 0 || ms > ULDFI_SQPOLL_SPIN_MS)
		ms = ULDFI_SQPOLL_SPIN_MS;
	end = now_ms() + ms;
	do {
		if (io_uring_cq_ready(&loop->ring) ||
		    (IO_URING_READ_ONCE(*loop->ring.sq.kflags) &
		     IORING_SQ_CQ_OVERFLOW))
			return true;
	} while (now_ms() < end);
	return false;
}

/* Wait up to @ms (-1: forever) for a completion. */
static int wait_cqe(struct uldf_loop *loop, int64_t ms)
{
	struct __kernel_timespec ts;
	struct io_uring_cqe *cqe;
	int64_t start = 0;
	int ret;

	if (loop->sqpoll) {
		start = now_ms();
		if (spin_cqe(loop, ms) && io_uring_cq_ready(&loop->ring))
			return 0;
		if (ms >= 0) {
			ms -= now_ms() - start;
			if (ms <= 0)
				return 0;
		}
	}
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	ret = io_uring_wait_cqe_timeout(&loop->ring, &cqe, ms < 0 ? NULL : &ts);
	return ret == -ETIME ? 0 : ret;
}

int uldf_loop_wait(struct uldf_loop *loop, int timeout_ms)
{
	ULDFI_KEEP_ERRNO();
	int64_t deadline = 0, left = -1;
	int calls = 0, ret;

	if (!loop)
		return -EINVAL;
	if (timeout_ms >= 0)
		deadline = now_ms() + timeout_ms;
	for (;;) {
		ret = arm_all(loop);
		if (ret)
			return ret;
		ret = io_uring_submit(&loop->ring);
		if (ret < 0)
			return ret;
		ret = drain(loop, &calls);
		if (ret < 0)
			return ret;
		if (calls)
			return calls;
		if (timeout_ms >= 0) {
			left = deadline - now_ms();
			if (left <= 0)
				return 0;
		}
		ret = wait_cqe(loop, left);
		if (ret < 0)
			return ret;
	}
}
