// SPDX-License-Identifier: GPL-2.0
/*
 * IRQ fd helpers of the uldf selftests: thin wrappers of the IRQ fd uAPI
 * (ULDF_DEVICE_IRQ_OPEN, read, write, ULDF_IRQ_GET_INFO) that return
 * -errno, bounded waits, and what /proc shows about interrupts.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* sched_setaffinity() */
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "uldf_irq_util.h"

int irq_open(int dev, uint32_t type, uint32_t index, uint32_t count,
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

int irq_open1(int dev, uint32_t type, uint32_t flags)
{
	int fd, ret;

	ret = irq_open(dev, type, 0, 1, flags, &fd);
	return ret ? ret : fd;
}

void irq_steer_to_cpu0(int fd)
{
	struct uldf_irq_info info = { .argsz = sizeof(info) };
	char path[64];
	cpu_set_t set;
	int f;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
	if (ioctl(fd, ULDF_IRQ_GET_INFO, &info) || !info.irq)
		return;
	snprintf(path, sizeof(path), "/proc/irq/%u/smp_affinity_list", info.irq);
	f = open(path, O_WRONLY);
	if (f >= 0) {
		/* Best effort: not every interrupt can move. */
		ssize_t n = write(f, "0", 1);

		(void)n;
		close(f);
	}
}

int msi_open(int dev)
{
	int fd;

	if (set_bus_master(dev))
		return -EIO;
	fd = irq_open1(dev, ULDF_IRQ_TYPE_MSI, 0);
	if (fd == -EPERM && !interrupt_remapping())
		return -EPERM;
	if (fd >= 0)
		irq_steer_to_cpu0(fd);
	return fd;
}

long long irq_read(int fd)
{
	uint64_t cnt;
	ssize_t n = read(fd, &cnt, sizeof(cnt));

	if (n < 0)
		return -errno;
	return n == sizeof(cnt) ? (long long)cnt : -EIO;
}

int irq_write(int fd, uint64_t val)
{
	ssize_t n = write(fd, &val, sizeof(val));

	return n < 0 ? -errno : n == sizeof(val) ? 0 : -EIO;
}

int irq_eoi(int fd)
{
	return irq_write(fd, 1);
}

int irq_info(int fd, struct uldf_irq_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return ioctl(fd, ULDF_IRQ_GET_INFO, info) ? -errno : 0;
}

int readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n = poll(&p, 1, ms);

	return n < 0 ? -errno : n > 0 && (p.revents & POLLIN);
}

long long irq_wait(int fd)
{
	if (readable(fd, WAIT_MS) != 1)
		return -ETIMEDOUT;
	return irq_read(fd);
}

long long irq_quiet(int fd)
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

int proc_irq_lines(const char *needle)
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

int proc_irq_line(unsigned int irq, char *buf, size_t len)
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

long irq_unhandled(unsigned int irq)
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

bool interrupt_remapping(void)
{
	return proc_irq_lines("IR-") > 0;
}

int fdinfo_has(int fd, const char *line)
{
	char path[64], buf[256];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(buf, sizeof(buf), f))
		if (!strncmp(buf, line, strlen(line)))
			found = 1;
	fclose(f);
	return found;
}
