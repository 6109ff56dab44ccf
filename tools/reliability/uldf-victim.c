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
#include <unistd.h>
#include <sys/mman.h>
#include <linux/pci_regs.h>
#include <linux/uldf.h>

#include "edu.h"
#include "uldf_dma_util.h"
#include "uldf_irq_util.h"
#include "uldf_util.h"

static int open_dev(const char *bdf)
{
	int fd = uldf_test_open(bdf);

	if (fd < 0) {
		fprintf(stderr, "/dev/uldf/%s: %s\n", bdf, strerror(-fd));
		exit(2);
	}
	return fd;
}

/* A register access that failed: the device is gone from under us. */
static void must(int ret)
{
	if (ret)
		exit(3);
}

/* Open @bdf, memory decode and bus mastering on, edu's driver attached. */
static int open_edu(const char *bdf, struct uldf_test_dev *edu)
{
	int fd = open_dev(bdf);

	uldf_test_command_set(fd, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	must(edu_attach(edu, fd));
	return fd;
}

static int storm(const char *bdf, unsigned long mib)
{
	struct uldf_test_dev edu;
	int fd = open_edu(bdf, &edu);
	size_t len = mib << 20;
	uint64_t iova = 0;
	char *buf;
	int irq;

	buf = map_anon(len);
	if (!buf || dma_map(fd, buf, len, ULDF_DMA_MAP_READ |
			    ULDF_DMA_MAP_WRITE, &iova, EDU_DMA_MASK))
		return 4;
	irq = irq_open1(fd, ULDF_IRQ_TYPE_MSI, 0);
	if (irq < 0)
		return 5;
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		must(edu_raise(&edu, 1));
		if (irq_read(irq) < 0)
			return 6;
		must(edu_ack(&edu));
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

/*
 * edu copies its buffer to RAM at @iova; a copy that never ends (the
 * engine hung) is let go after edu_dma_wait()'s bound.
 */
static void probe_write(struct uldf_test_dev *edu, uint64_t iova)
{
	int ret = edu_to_ram(edu, iova, EDU_XFER);

	if (ret && ret != -ETIMEDOUT)
		exit(3);
}

static int dma_probe(const char *bdf, unsigned long n)
{
	struct uldf_test_dev edu;
	int fd = open_edu(bdf, &edu);
	unsigned long i, changed = 0, tries = 0;
	char *ro, *gone, *fill;
	uint64_t ro_iova = 0, gone_iova = 0, fill_iova = 0;

	ro = map_anon(4096);
	gone = map_anon(4096);
	fill = map_anon(4096);
	if (!ro || !gone || !fill)
		return 4;
	memset(ro, 0x11, 4096);
	memset(gone, 0x22, 4096);
	memset(fill, 0x5a, 4096);
	/* Fill the device's buffer with 0x5a so a leaked write shows. */
	if (dma_map(fd, fill, 4096, ULDF_DMA_MAP_READ, &fill_iova,
		    EDU_DMA_MASK))
		return 4;
	must(ram_to_edu(&edu, fill_iova, EDU_XFER));
	if (dma_map(fd, ro, 4096, ULDF_DMA_MAP_READ, &ro_iova, EDU_DMA_MASK))
		return 5;

	for (i = 0; i < n; i++) {
		/* Into a read-only mapping. */
		probe_write(&edu, ro_iova);
		tries++;
		/* Into memory mapped, then unmapped. */
		gone_iova = 0;
		if (dma_map(fd, gone, 4096, ULDF_DMA_MAP_WRITE, &gone_iova,
			    EDU_DMA_MASK))
			return 6;
		if (dma_unmap(fd, gone_iova, 4096, 0, NULL))
			return 7;
		probe_write(&edu, gone_iova);
		tries++;
		/* To an IOVA never mapped. */
		probe_write(&edu, 0x0ff00000);
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
