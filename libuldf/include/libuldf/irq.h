/* SPDX-License-Identifier: MIT */
/*
 * libuldf: interrupts as file descriptors.
 *
 * Each vector a program enables is an *IRQ fd*, a plain file descriptor
 * that belongs to the caller: read it, poll it, put it in an epoll set or
 * an io_uring (uldf_loop_add() does that), close it with close() or
 * uldf_irq_close().  Reading returns the number of interrupts since the
 * previous read.
 *
 * INTx is level-triggered: the module masks the vector when the interrupt
 * arrives, and the driver, after clearing the cause in the device, ends it
 * with uldf_irq_eoi(), which unmasks (an interrupt still pending then is
 * delivered again at once).  With ULDF_IRQ_OPEN_UNMASK_ON_READ each read
 * does that EOI before it waits.  MSI and MSI-X are edge-triggered and need
 * no EOI.  The details are in <linux/uldf.h>.
 *
 * Every function returns 0 (or an fd) on success and a negative errno
 * value on failure; errno is left as it was.
 */
#ifndef LIBULDF_IRQ_H
#define LIBULDF_IRQ_H

#include <stdint.h>
#include <linux/uldf.h>

#ifdef __cplusplus
extern "C" {
#endif

struct uldf_dev;

/**
 * uldf_irq_open() - enable interrupt vectors and get an IRQ fd for each.
 * @dev:	the device.
 * @type:	ULDF_IRQ_TYPE_INTX, _MSI, _MSIX, _ERR or _REQ.
 * @index:	first vector (0 for INTx, ERR, REQ).
 * @count:	number of vectors, 1 or more.
 * @flags:	0 or ULDF_IRQ_OPEN_NONBLOCK (reads fail with -EAGAIN instead
 *		of blocking) and, for INTx, ULDF_IRQ_OPEN_UNMASK_ON_READ.
 * @fds:	out: @count file descriptors (close-on-exec), for vectors
 *		@index to @index + @count - 1.
 *
 * INTx, MSI and MSI-X exclude one another.  MSI vectors are enabled as a
 * block by the first open; MSI-X vectors may be added later where the
 * kernel supports it.  uldf_irq_open_one() opens a single vector and
 * returns its fd.
 *
 * Return: 0 (uldf_irq_open_one(): the fd); -EINVAL a NULL argument,
 * unknown @type or @flags, @count 0; -ERANGE vectors beyond what the
 * device has (struct uldf_device_info @num_irqs); -EBUSY a vector is
 * already open or another mechanism is in use; -ENOSPC no vectors left;
 * -EMFILE; -ENOMEM; -ENODEV removed.
 */
int uldf_irq_open(struct uldf_dev *dev, unsigned int type, unsigned int index,
		  unsigned int count, unsigned int flags, int *fds);
int uldf_irq_open_one(struct uldf_dev *dev, unsigned int type,
		      unsigned int index, unsigned int flags);

/**
 * uldf_irq_close() - close an IRQ fd, disabling its vector.
 * @fd:		the IRQ fd.
 *
 * Return: 0; -EBADF @fd is not open.
 */
int uldf_irq_close(int fd);

/**
 * uldf_irq_wait() - wait for interrupts.
 * @fd:		the IRQ fd.
 * @count:	out, if not NULL: interrupts since the previous read (1 or
 *		more).
 *
 * Blocks until at least one interrupt arrived (unless the fd was opened
 * with ULDF_IRQ_OPEN_NONBLOCK).  uldf_irq_wait_timeout() waits at most
 * @timeout_ms milliseconds (-1: forever, 0: just check), with poll() and
 * non-blocking reads (RWF_NOWAIT), which on an unmask-on-read fd also
 * perform the EOI owed by the previous read.
 *
 * Return: 0; -EAGAIN none yet and the fd is non-blocking;
 * -ETIMEDOUT none within @timeout_ms; -EINTR interrupted by a signal;
 * -ENODEV the device fd was closed or the device removed; -EBADF.
 */
int uldf_irq_wait(int fd, uint64_t *count);
int uldf_irq_wait_timeout(int fd, int timeout_ms, uint64_t *count);

/**
 * uldf_irq_eoi() - end of interrupt: unmask an INTx vector.
 * @fd:		the IRQ fd.
 *
 * Call it after the device's interrupt cause is cleared.  If the device
 * still asserts INTx, the interrupt is counted again at once.
 * uldf_irq_unmask() is the same for any vector, through an ioctl, and
 * uldf_irq_mask() masks (an MSI or MSI-X vector then keeps one pending
 * interrupt until it is unmasked).
 *
 * Return: 0; -EINVAL on an ERR or REQ vector; -ENODEV the device fd was
 * closed; -EBADF.
 */
int uldf_irq_eoi(int fd);
int uldf_irq_mask(int fd);
int uldf_irq_unmask(int fd);

/**
 * uldf_irq_trigger() - deliver an interrupt by software (loopback).
 * @fd:		the IRQ fd.
 *
 * Counts one interrupt on the vector as if the device had raised it,
 * without touching the device or the mask state.  Meant for tests.
 *
 * Return: 0; -ENODEV the device fd was closed; -EBADF.
 */
int uldf_irq_trigger(int fd);

/**
 * uldf_irq_set_eventfd() - route a vector to eventfds (VMM wiring).
 * @fd:		the IRQ fd.
 * @trigger:	an eventfd signalled on every interrupt instead of counting
 *		on @fd, or -1 to remove it.
 * @resample:	INTx only: an eventfd whose signal is an EOI, or -1.
 *
 * The shape of KVM's irqfd with resample: the interrupt and its EOI reach
 * a guest with no hop through this process.
 *
 * Return: 0; -EINVAL a @resample on a vector that is not INTx, or without
 * @trigger; -EBADF a descriptor that is not an eventfd; -ENODEV.
 */
int uldf_irq_set_eventfd(int fd, int trigger, int resample);

/**
 * uldf_irq_get_info() - state of a vector (ULDF_IRQ_GET_INFO).
 * @fd:		the IRQ fd.
 * @info:	out: type, index, Linux IRQ number, flags
 *		(ULDF_IRQ_INFO_MASKED and others), interrupts since open.
 *
 * Return: 0; -EINVAL NULL @info; -ENODEV; -EBADF.
 */
int uldf_irq_get_info(int fd, struct uldf_irq_info *info);

#ifdef __cplusplus
}
#endif

#endif /* LIBULDF_IRQ_H */
