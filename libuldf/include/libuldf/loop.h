/* SPDX-License-Identifier: MIT */
/*
 * libuldf: an event loop over IRQ fds, on io_uring.
 *
 * One loop waits on any number of IRQ fds (or any fd whose read() of 8
 * bytes returns a count, such as an eventfd) and calls a handler with the
 * count.  Each fd is read with one multishot read (IORING_OP_READ_MULTISHOT
 * with a ring of provided 8-byte buffers, Linux 6.7 and later): an
 * interrupt costs no system call of its own beyond the loop's wait.  When
 * the kernel lacks multishot reads, or an fd refuses them, the loop falls
 * back to a multishot poll followed by a non-blocking read().  With
 * ULDF_LOOP_SQPOLL a kernel thread submits the loop's requests and the
 * wait spins on the completion queue: a busy loop makes no system call.
 *
 *	static int on_irq(struct uldf_loop *loop, int fd, int64_t res,
 *			  void *data)
 *	{
 *		if (res < 0)
 *			return res;	// the fd failed; stop the loop
 *		... res interrupts; clear the cause in the device ...
 *		return 0;
 *	}
 *
 *	uldf_loop_create(0, &loop);
 *	uldf_loop_add(loop, irqfd, ULDF_LOOP_EOI, on_irq, drv);
 *	while (running)
 *		uldf_loop_wait(loop, -1);
 *
 * A program with its own epoll loop can instead add the IRQ fds (or
 * uldf_loop_fd()) to it.  A loop belongs to one thread at a time.
 *
 * Every function returns 0 (or a count) on success and a negative errno
 * value on failure; errno is left as it was.
 */
#ifndef LIBULDF_LOOP_H
#define LIBULDF_LOOP_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An event loop (opaque). */
struct uldf_loop;

/**
 * typedef uldf_loop_fn - an IRQ fd's handler.
 * @loop:	the loop calling it; the handler may add and remove fds, but
 *		must not wait on or destroy the loop.
 * @fd:		the IRQ fd.
 * @res:	interrupts counted (1 or more); or a negative errno value
 *		when reading the fd failed (e.g. -ENODEV: the device was
 *		closed or removed), after which the fd is no longer watched.
 * @data:	the pointer given to uldf_loop_add().
 *
 * Return: 0 to go on; a negative value stops the dispatch and
 * uldf_loop_wait() returns it.
 */
typedef int (*uldf_loop_fn)(struct uldf_loop *loop, int fd, int64_t res,
			    void *data);

/* uldf_loop_create() flags */
#define ULDF_LOOP_POLL		(1u << 0) /* never use multishot reads */
#define ULDF_LOOP_SQPOLL	(1u << 1) /* no system calls while busy */

/* uldf_loop_add() flags */
#define ULDF_LOOP_EOI		(1u << 0) /* uldf_irq_eoi() after the handler */

/* uldf_loop_features() bits */
#define ULDF_LOOP_F_MULTISHOT	(1u << 0) /* multishot reads are used */
#define ULDF_LOOP_F_SQPOLL	(1u << 1) /* a kernel thread submits */

/**
 * uldf_loop_create() - create an event loop.
 * @flags:	0, or a combination of: ULDF_LOOP_POLL to use poll-then-read
 *		even where multishot reads work; ULDF_LOOP_SQPOLL for a loop
 *		that makes no system call while interrupts keep arriving: a
 *		kernel thread takes its requests (IORING_SETUP_SQPOLL),
 *		uldf_loop_wait() watches the completion queue in memory,
 *		spinning up to 20 ms before it blocks, and ULDF_LOOP_EOI's
 *		EOI is a write request on the ring.  The thread sleeps after
 *		10 ms without work; waking it for a request costs one
 *		io_uring_enter().  It trades a CPU for the system calls.
 * @loopp:	out: the loop.
 *
 * Return: 0; -EINVAL NULL @loopp or unknown @flags; -ENOMEM; -EPERM or
 * -ENOSYS io_uring is disabled (kernel.io_uring_disabled) or missing;
 * another -errno of io_uring_queue_init() (with ULDF_LOOP_SQPOLL, -EPERM
 * also when the kernel does not let this process have a polling thread).
 */
int uldf_loop_create(unsigned int flags, struct uldf_loop **loopp);

/**
 * uldf_loop_destroy() - tear a loop down.
 * @loop:	the loop, or NULL.
 *
 * Cancels every pending read; the fds themselves stay open.
 */
void uldf_loop_destroy(struct uldf_loop *loop);

/**
 * uldf_loop_add() - watch an IRQ fd.
 * @loop:	the loop.
 * @fd:		the IRQ fd.  It is switched to non-blocking mode
 *		(O_NONBLOCK), which io_uring needs to read it asynchronously.
 * @flags:	0, or ULDF_LOOP_EOI to call uldf_irq_eoi() on @fd after each
 *		successful handler call (INTx whose handler cleared the cause).
 *		An fd opened with ULDF_IRQ_OPEN_UNMASK_ON_READ is refused: the
 *		loop's reads would end each interrupt before the handler ran.
 * @fn:		the handler.
 * @data:	passed to @fn.
 *
 * Return: 0; -EINVAL a negative @fd, NULL @loop or @fn, unknown @flags, an
 * unmask-on-read IRQ fd;
 * -EEXIST @fd is already watched; -EBADF @fd is not open; -ENOMEM.
 */
int uldf_loop_add(struct uldf_loop *loop, int fd, unsigned int flags,
		  uldf_loop_fn fn, void *data);

/**
 * uldf_loop_remove() - stop watching an fd.
 * @loop:	the loop.
 * @fd:		the fd.
 *
 * The fd's handler is not called again.  The kernel drops its reference
 * to the fd when the cancellation completes, at the latest during the
 * next uldf_loop_wait(); until then closing the fd does not yet disable
 * the vector.
 *
 * Return: 0; -EINVAL NULL @loop; -ENOENT @fd is not watched.
 */
int uldf_loop_remove(struct uldf_loop *loop, int fd);

/**
 * uldf_loop_wait() - wait for interrupts and call the handlers.
 * @loop:	the loop.
 * @timeout_ms:	longest wait for the first event, in milliseconds; -1
 *		waits forever, 0 only dispatches what is ready.
 *
 * Dispatches every event that is ready once the first one arrives.  A
 * ULDF_LOOP_SQPOLL loop spins on its completion queue for up to 20 ms of
 * the wait before it blocks, and then sees a signal only once it blocks.
 *
 * Return: the number of handler calls (0 on timeout); a handler's negative
 * return value; -EINVAL NULL @loop; -EINTR a signal arrived; another
 * -errno of io_uring.
 */
int uldf_loop_wait(struct uldf_loop *loop, int timeout_ms);

/**
 * uldf_loop_fd() - the loop's io_uring fd.
 * @loop:	the loop.
 *
 * The fd polls readable when completions are waiting, so the loop can be
 * nested in another event loop: when it is readable, call
 * uldf_loop_wait(loop, 0).
 *
 * Return: the fd (owned by the loop); -EINVAL NULL @loop.
 */
int uldf_loop_fd(const struct uldf_loop *loop);

/**
 * uldf_loop_features() - how the loop waits.
 * @loop:	the loop.
 *
 * Return: ULDF_LOOP_F_MULTISHOT if fds are read with multishot reads (0
 * if with poll-then-read), or'ed with ULDF_LOOP_F_SQPOLL if the loop was
 * created with ULDF_LOOP_SQPOLL; -EINVAL NULL @loop.
 */
int uldf_loop_features(const struct uldf_loop *loop);

#ifdef __cplusplus
}
#endif

#endif /* LIBULDF_LOOP_H */
