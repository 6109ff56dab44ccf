// SPDX-License-Identifier: GPL-2.0
/*
 * uldf-victim: a process that holds a uldf device busy, for the stress
 * tests to kill, unbind or unplug under it.
 *
 *   uldf-victim BDF storm MIB   map MIB MiB for DMA, open edu's MSI vector
 *                               and keep raising and taking interrupts;
 *                               prints "ready" once all is set up
 *   uldf-victim BDF hold        open, mmap BAR0, read it until revoked;
 *                               exit 0 after SIGBUS and ENODEV, else 1
 *   uldf-victim BDF dma-probe N N times: edu DMA (device to RAM) into a
 *                               read-only mapping and to an IOVA never or
 *                               no longer mapped; prints how many changed
 *                               memory (must be 0)
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/uldf.h>

#include "edu.h"

static int open_dev(const char *bdf)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/uldf/%s", bdf);
	fd = open(path, O_RDWR);
	if (fd < 0) {
		perror(path);
		exit(2);
	}
	return fd;
}

static void bar_w32(int fd, uint64_t off, uint32_t v)
{
	if (pwrite(fd, &v, 4, ULDF_REGION_OFFSET(0) + off) != 4)
		exit(3);
}

static void bar_w64(int fd, uint64_t off, uint64_t v)
{
	if (pwrite(fd, &v, 8, ULDF_REGION_OFFSET(0) + off) != 8)
		exit(3);
}

static uint32_t bar_r32(int fd, uint64_t off)
{
	uint32_t v = 0;

	if (pread(fd, &v, 4, ULDF_REGION_OFFSET(0) + off) != 4)
		exit(3);
	return v;
}

static void bus_master(int fd)
{
	uint16_t cmd;

	pread(fd, &cmd, 2, ULDF_REGION_OFFSET(ULDF_REGION_CONFIG) + 4);
	cmd |= 0x6;
	pwrite(fd, &cmd, 2, ULDF_REGION_OFFSET(ULDF_REGION_CONFIG) + 4);
}

static int dma_map(int fd, void *p, size_t len, uint32_t flags, uint64_t *iova)
{
	struct uldf_dma_map m = {
		.argsz = sizeof(m), .flags = flags,
		.vaddr = (uintptr_t)p, .size = len, .iova_limit = 0x0fffffff,
	};

	if (ioctl(fd, ULDF_DMA_MAP, &m))
		return -errno;
	*iova = m.iova;
	return 0;
}

static int dma_unmap(int fd, uint64_t iova, size_t len)
{
	struct uldf_dma_unmap u = { .argsz = sizeof(u), .iova = iova, .size = len };

	return ioctl(fd, ULDF_DMA_UNMAP, &u) ? -errno : 0;
}

static int storm(const char *bdf, unsigned long mib)
{
	int fd = open_dev(bdf);
	struct { struct uldf_irq_open o; int32_t fd; } req = {
		.o = { .argsz = sizeof(req), .type = ULDF_IRQ_TYPE_MSI, .count = 1 },
	};
	size_t len = mib << 20;
	uint64_t iova, n;
	char *buf;

	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (buf == MAP_FAILED || dma_map(fd, buf, len,
			ULDF_DMA_MAP_READ | ULDF_DMA_MAP_WRITE, &iova))
		return 4;
	bus_master(fd);
	if (ioctl(fd, ULDF_DEVICE_IRQ_OPEN, &req))
		return 5;
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		bar_w32(fd, EDU_IRQ_RAISE, 1);
		if (read(req.fd, &n, 8) != 8)
			return 6;
		bar_w32(fd, EDU_IRQ_ACK, bar_r32(fd, EDU_IRQ_STATUS));
	}
}

static sigjmp_buf bus_env;

static void on_sigbus(int sig)
{
	siglongjmp(bus_env, 1);
}

static int hold(const char *bdf)
{
	int fd = open_dev(bdf);
	volatile uint32_t *bar;
	uint32_t v;

	bar = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, ULDF_REGION_OFFSET(0));
	if (bar == MAP_FAILED)
		return 4;
	signal(SIGBUS, on_sigbus);
	printf("ready\n");
	fflush(stdout);
	if (sigsetjmp(bus_env, 1) == 0)
		for (;;)
			v = bar[0];
	(void)v;
	if (pread(fd, &v, 4, ULDF_REGION_OFFSET(0)) != -1 || errno != ENODEV)
		return 1;
	return close(fd) ? 1 : 0;
}

/* edu copies its buffer to RAM at @iova; 0 when the copy is done. */
static void edu_to_ram(int fd, uint64_t iova, uint32_t len)
{
	int spins = 1000000;

	bar_w64(fd, EDU_DMA_SRC, EDU_DMA_BUF);
	bar_w64(fd, EDU_DMA_DST, iova);
	bar_w64(fd, EDU_DMA_COUNT, len);
	bar_w64(fd, EDU_DMA_CMD, 1 | 2);
	while ((bar_r32(fd, EDU_DMA_CMD) & 1) && --spins)
		;
}

static int dma_probe(const char *bdf, unsigned long n)
{
	int fd = open_dev(bdf);
	unsigned long i, changed = 0, tries = 0;
	char *ro, *gone, *fill;
	uint64_t ro_iova = 0, gone_iova = 0, fill_iova = 0;

	ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	fill = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	memset(ro, 0x11, 4096);
	memset(gone, 0x22, 4096);
	memset(fill, 0x5a, 4096);
	bus_master(fd);
	/* Fill the device's buffer with 0x5a so a leaked write shows. */
	if (dma_map(fd, fill, 4096, ULDF_DMA_MAP_READ, &fill_iova))
		return 4;
	bar_w64(fd, EDU_DMA_SRC, fill_iova);
	bar_w64(fd, EDU_DMA_DST, EDU_DMA_BUF);
	bar_w64(fd, EDU_DMA_COUNT, 2048);
	bar_w64(fd, EDU_DMA_CMD, 1);
	while (bar_r32(fd, EDU_DMA_CMD) & 1)
		;
	if (dma_map(fd, ro, 4096, ULDF_DMA_MAP_READ, &ro_iova))
		return 5;

	for (i = 0; i < n; i++) {
		/* Into a read-only mapping. */
		edu_to_ram(fd, ro_iova, 2048);
		tries++;
		/* Into memory mapped, then unmapped. */
		if (dma_map(fd, gone, 4096, ULDF_DMA_MAP_WRITE, &gone_iova))
			return 6;
		if (dma_unmap(fd, gone_iova, 4096))
			return 7;
		edu_to_ram(fd, gone_iova, 2048);
		tries++;
		/* To an IOVA never mapped. */
		edu_to_ram(fd, 0x0ff00000, 2048);
		tries++;
	}
	for (i = 0; i < 4096; i++) {
		changed += ro[i] != 0x11;
		changed += gone[i] != 0x22;
	}
	printf("dma-probe: %lu device writes attempted, %lu bytes of process memory changed\n",
	       tries, changed);
	return changed ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[2], "storm"))
		return storm(argv[1], strtoul(argv[3], NULL, 0));
	if (argc >= 3 && !strcmp(argv[2], "hold"))
		return hold(argv[1]);
	if (argc >= 4 && !strcmp(argv[2], "dma-probe"))
		return dma_probe(argv[1], strtoul(argv[3], NULL, 0));
	fprintf(stderr, "usage: uldf-victim BDF storm MIB | hold | dma-probe N\n");
	return 2;
}
