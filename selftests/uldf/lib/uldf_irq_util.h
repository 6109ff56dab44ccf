/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IRQ fd helpers of the uldf selftests (uldf_irq_util.c): opening vectors,
 * reading and writing IRQ fds, waiting with a bound, and looking at what
 * the kernel shows (/proc/interrupts, /proc/self/fdinfo).  Every function
 * returns what it found or -errno; none of them fails a test by itself.
 */
#ifndef ULDF_IRQ_UTIL_H
#define ULDF_IRQ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/uldf.h>

#include "uldf_util.h"

/* Long enough for TCG; only ever waited out when a test fails. */
#define WAIT_MS			10000
/* How long "nothing arrives" is watched for. */
#define QUIET_MS		200

/*
 * ULDF_DEVICE_IRQ_OPEN of @count vectors of @type from @index on, with
 * @flags; their fds into @fds.  0 or -errno.
 */
int irq_open(int dev, uint32_t type, uint32_t index, uint32_t count,
	     uint32_t flags, int *fds);

/* The same for vector 0 alone: its fd, or -errno. */
int irq_open1(int dev, uint32_t type, uint32_t flags);

/*
 * MSI vector 0 of @dev, with bus mastering turned on first (MSI messages
 * are memory writes) and the interrupt steered to CPU 0 (see
 * irq_steer_to_cpu0()): its fd, -EPERM when the open is refused for want
 * of interrupt remapping, -EIO when bus mastering cannot be turned on, or
 * -errno.
 */
int msi_open(int dev);

/*
 * Deliver @fd's interrupt to CPU 0 and run the calling process there too.
 * With two vCPUs an MSI raised by our MMIO write otherwise reaches the
 * other vCPU some time later, and a test that masks, raises and unmasks
 * could see it land after the unmask as a second interrupt.  Best effort.
 */
void irq_steer_to_cpu0(int fd);

/* read() of the count: the count, or -errno. */
long long irq_read(int fd);

/* write() of @val (1: EOI or unmask, 0: mask): 0 or -errno. */
int irq_write(int fd, uint64_t val);

/* The EOI: irq_write(@fd, 1). */
int irq_eoi(int fd);

/* ULDF_IRQ_GET_INFO into @info: 0 or -errno. */
int irq_info(int fd, struct uldf_irq_info *info);

/* Wait up to @ms for @fd to poll readable: 1, 0 on timeout, or -errno. */
int readable(int fd, int ms);

/* Wait for the next interrupt and return the count read (-ETIMEDOUT). */
long long irq_wait(int fd);

/*
 * Nothing arrives on @fd for QUIET_MS: then a non-blocking read, which
 * is -EAGAIN when nothing is pending.  -EEXIST if @fd became readable.
 */
long long irq_quiet(int fd);

/* Lines of /proc/interrupts containing @needle, or -errno. */
int proc_irq_lines(const char *needle);

/* The line of /proc/interrupts for interrupt @irq into @buf: 0, -ENOENT. */
int proc_irq_line(unsigned int irq, char *buf, size_t len);

/* "unhandled" of /proc/irq/@irq/spurious: interrupts no handler claimed. */
long irq_unhandled(unsigned int irq);

/* Whether interrupts are remapped (IR- chips in /proc/interrupts). */
bool interrupt_remapping(void);

/* Whether /proc/self/fdinfo/@fd has a line starting with @line: 1, 0. */
int fdinfo_has(int fd, const char *line);

#endif
