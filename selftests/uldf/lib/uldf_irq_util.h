/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the IRQ fd selftests: opening vectors, reading and
 * writing IRQ fds, waiting with a bound, and looking at what the kernel
 * shows (/proc/interrupts, the function's config space).
 */
#ifndef ULDF_IRQ_UTIL_H
#define ULDF_IRQ_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/pci_regs.h>

#include "uldf_util.h"

/* Long enough for TCG; only ever waited out when a test fails. */
#define WAIT_MS			10000
/* How long "nothing arrives" is watched for. */
#define QUIET_MS		200

static inline int irq_open(int dev, uint32_t type, uint32_t index, uint32_t count,
		    uint32_t flags, int *fds)
{
	size_t sz = sizeof(struct uldf_irq_open) + count * sizeof(int32_t);
	struct uldf_irq_open *op = calloc(1, sz);
	int ret;

	if (!op)
		return -ENOMEM;
	op->argsz = sz;
	op->flags = flags;
	op->type = type;
	op->index = index;
	op->count = count;
	ret = ioctl(dev, ULDF_DEVICE_IRQ_OPEN, op) ? -errno : 0;
	if (!ret)
		memcpy(fds, op->fds, count * sizeof(int32_t));
	free(op);
	return ret;
}

static inline int irq_open1(int dev, uint32_t type, uint32_t flags)
{
	int fd, ret;

	ret = irq_open(dev, type, 0, 1, flags, &fd);
	return ret ? ret : fd;
}

/* read() of the count: the count, or -errno. */
static inline long long irq_read(int fd)
{
	uint64_t cnt;
	ssize_t n = read(fd, &cnt, sizeof(cnt));

	if (n < 0)
		return -errno;
	return n == sizeof(cnt) ? (long long)cnt : -EIO;
}

static inline int irq_write(int fd, uint64_t val)
{
	ssize_t n = write(fd, &val, sizeof(val));

	return n < 0 ? -errno : n == sizeof(val) ? 0 : -EIO;
}

static inline int irq_eoi(int fd)
{
	return irq_write(fd, 1);
}

static inline int irq_info(int fd, struct uldf_irq_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return ioctl(fd, ULDF_IRQ_GET_INFO, info) ? -errno : 0;
}

/* Wait up to @ms for @fd to poll readable: 1, 0 on timeout. */
static inline int readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n = poll(&p, 1, ms);

	return n < 0 ? -errno : n > 0 && (p.revents & POLLIN);
}

/* Wait for the next interrupt and return the count read. */
static inline long long irq_wait(int fd)
{
	if (readable(fd, WAIT_MS) != 1)
		return -ETIMEDOUT;
	return irq_read(fd);
}

/* Nothing arrives on @fd for a while: a non-blocking read is EAGAIN. */
static inline long long irq_quiet(int fd)
{
	uint64_t cnt;
	int fl = fcntl(fd, F_GETFL);
	ssize_t n;

	if (readable(fd, QUIET_MS))
		return -EEXIST;
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	n = read(fd, &cnt, sizeof(cnt));
	fcntl(fd, F_SETFL, fl);
	return n < 0 ? -errno : (long long)cnt;
}

/*
 * MSI and MSI-X messages, and DMA, need bus mastering; it is set through
 * the device fd's config region.
 */
static inline int set_bus_master(int dev)
{
	uint64_t off = ULDF_REGION_OFFSET(ULDF_REGION_CONFIG) + PCI_COMMAND;
	uint16_t cmd;

	if (pread(dev, &cmd, 2, off) != 2)
		return -errno;
	cmd |= PCI_COMMAND_MASTER;
	return pwrite(dev, &cmd, 2, off) == 2 ? 0 : -errno;
}

/* Lines of /proc/interrupts containing @needle. */
static inline int proc_irq_lines(const char *needle)
{
	char line[1024];
	int n = 0;
	FILE *f;

	f = fopen("/proc/interrupts", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, needle))
			n++;
	fclose(f);
	return n;
}

/* The line of /proc/interrupts for interrupt @irq, into @buf. */
static inline int proc_irq_line(unsigned int irq, char *buf, size_t len)
{
	char line[1024], head[32];
	FILE *f;

	snprintf(head, sizeof(head), "%u:", irq);
	f = fopen("/proc/interrupts", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " ");

		if (!strncmp(p, head, strlen(head))) {
			snprintf(buf, len, "%s", p);
			fclose(f);
			return 0;
		}
	}
	fclose(f);
	return -ENOENT;
}

/* "unhandled" of /proc/irq/N/spurious: interrupts no handler claimed. */
static inline long irq_unhandled(unsigned int irq)
{
	char path[64], key[32];
	long val, ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/irq/%u/spurious", irq);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fscanf(f, "%31s %ld%*[^\n]", key, &val) == 2)
		if (!strcmp(key, "unhandled"))
			ret = val;
	fclose(f);
	return ret;
}

static inline bool interrupt_remapping(void)
{
	return proc_irq_lines("IR-") > 0;
}

#endif
