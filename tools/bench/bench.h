/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared pieces of the uldf benchmark programs: opening QEMU's edu device
 * through uldf, vfio-pci (type1 container) or uio_pci_generic with the raw
 * kernel interfaces, the edu registers, a clock, and statistics.
 *
 * The programs print their figures as one line of key=value words, so that
 * a script can gather them; a failure prints "status=error" with the reason
 * and a uldf interface that the running module does not implement yet
 * prints "status=unsupported".  Nothing here is a library over the
 * frameworks: each timed loop in the programs makes its system calls and
 * MMIO accesses itself, so the figures are those of the kernel paths.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* QEMU edu's registers and test driver (selftests/uldf/lib). */
#include "edu.h"

/* Exit status of a program whose uldf side is not in the running module. */
#define BENCH_EXIT_UNSUPPORTED	4

enum bench_fw {
	BENCH_ULDF,
	BENCH_VFIO,
	BENCH_UIO,
};

/**
 * struct bench_dev - one edu device opened through one framework.
 * @fw:		the framework.
 * @bdf:	PCI address, e.g. "0000:00:03.0".
 * @fd:		uldf: the device fd; VFIO: the device fd; UIO: /dev/uioN.
 * @container:	VFIO: /dev/vfio/vfio, set to the type1 IOMMU; else -1.
 * @group:	VFIO: /dev/vfio/<group>; else -1.
 * @config:	UIO: the sysfs config file; else -1.
 * @bar0:	BAR0 mapped into this process.
 * @bar0_size:	its size in bytes.
 * @edu:	edu's test driver on @bar0, which checked the device.
 */
struct bench_dev {
	enum bench_fw fw;
	const char *bdf;
	int fd;
	int container;
	int group;
	int config;
	volatile uint32_t *bar0;
	size_t bar0_size;
	struct uldf_test_dev edu;
};

/* Parse "uldf", "vfio" or "uio"; -1 if none of those. */
int bench_fw_parse(const char *name);
const char *bench_fw_name(enum bench_fw fw);

/*
 * Open @bdf through @fw, map its BAR0, check it is an edu with nothing
 * pending (edu's test driver) and turn on bus mastering (through the
 * framework's config-space access).  Returns 0 or -errno; on failure
 * @err gets a short reason.  bench_dev_close() undoes everything.
 */
int bench_dev_open(struct bench_dev *d, enum bench_fw fw, const char *bdf,
		   char *err, size_t errlen);
void bench_dev_close(struct bench_dev *d);

/*
 * Enable one interrupt (INTx, or MSI when @msi) and return the fd a process
 * waits on: a uldf IRQ fd (opened with @uldf_flags), a VFIO trigger
 * eventfd, or the UIO device itself.  -errno on failure; -ENOTTY when the
 * uldf module does not implement IRQ fds.
 */
int bench_irq_open(struct bench_dev *d, bool msi, unsigned int uldf_flags);

/*
 * Map @size bytes at @vaddr for DMA at @iova (uldf: FIXED_IOVA) and unmap
 * them again; READ and WRITE access.  0 or -errno.
 */
int bench_dma_map(struct bench_dev *d, void *vaddr, uint64_t iova,
		  uint64_t size);
int bench_dma_unmap(struct bench_dev *d, uint64_t iova, uint64_t size);

/*
 * Run this process on @cpu and steer the device's interrupt (its first MSI
 * vector when @msi, else its INTx line) to the same CPU, so that every
 * framework is measured with the same placement.  A negative @cpu does
 * nothing.  Returns 0 or -errno; the interrupt steering is best effort and
 * *irq_pinned says whether it worked.  The interrupt's affinity is put back
 * when the program exits normally.
 */
int bench_pin(const char *bdf, int cpu, bool msi, bool *irq_pinned);
/* The CPU the pinned interrupt is delivered to (effective affinity), or -1. */
int bench_irq_cpu(void);

static inline uint32_t edu_read(struct bench_dev *d, unsigned int reg)
{
	return d->bar0[reg / 4];
}

static inline void edu_write(struct bench_dev *d, unsigned int reg,
			     uint32_t val)
{
	d->bar0[reg / 4] = val;
}

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Sort @v; then bench_percentile() gives its @pct percentile (nearest rank). */
void bench_sort(uint64_t *v, size_t n);
uint64_t bench_percentile(const uint64_t *v, size_t n, double pct);

/* Parse a size with an optional K, M or G suffix; 0 when malformed. */
uint64_t bench_parse_size(const char *s);

/* Print "status=error msg=..." after the fixed words and exit 1. */
void bench_fail(const char *words, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
/* Print "status=unsupported msg=..." and exit BENCH_EXIT_UNSUPPORTED. */
void bench_unsupported(const char *words, const char *what)
	__attribute__((noreturn));

#endif
