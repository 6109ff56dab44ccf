// SPDX-License-Identifier: GPL-2.0
/*
 * bench-open: open-to-ready time.  "Ready" is what a user-level driver
 * needs before its first command: the device open, BAR0 mapped (and its
 * ID register read through the mapping), one MSI vector enabled with an fd
 * to wait on, and 1 MiB of memory mapped for DMA.  Then everything is
 * closed, which is timed too ("close"): the frameworks reset the device,
 * free the vector and unpin the memory on release.
 *
 *   uldf	open /dev/uldf/<BDF>, ULDF_DEVICE_GET_REGION_INFO, mmap,
 *		ULDF_DEVICE_IRQ_OPEN (MSI), ULDF_DMA_MAP
 *   vfio	open /dev/vfio/vfio, check the API and type1v2, open the
 *		group, check it is viable, VFIO_GROUP_SET_CONTAINER,
 *		VFIO_SET_IOMMU, VFIO_GROUP_GET_DEVICE_FD,
 *		VFIO_DEVICE_GET_REGION_INFO, mmap, eventfd +
 *		VFIO_DEVICE_SET_IRQS (MSI), VFIO_IOMMU_MAP_DMA
 *
 * The 1 MiB buffer is allocated and touched once, before the first
 * iteration.
 *
 * Usage: bench-open -f uldf|vfio [-n ITERATIONS] [-d BDF] [-c CPU]
 * Prints: bench=open fw=.. iterations=N ready_p50= ready_min= ready_max=
 * close_p50= close_min= close_max= (ns)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "bench.h"

#define DMA_SIZE	(1ull << 20)
#define DMA_IOVA	(1ull << 20)

static const char *words;

/* One open-to-ready and close; the two times in @ready and @closing. */
static void one(enum bench_fw fw, const char *bdf, void *buf,
		uint64_t *ready, uint64_t *closing)
{
	struct bench_dev d;
	uint64_t t0, t1, t2;
	char err[128];
	int irq_fd, ret;

	t0 = bench_now_ns();
	ret = bench_dev_open(&d, fw, bdf, err, sizeof(err));
	if (ret)
		bench_fail(words, "%s: %s", err, strerror(-ret));
	irq_fd = bench_irq_open(&d, true, 0);
	if (irq_fd == -ENOTTY && fw == BENCH_ULDF)
		bench_unsupported(words, "ULDF_DEVICE_IRQ_OPEN");
	if (irq_fd < 0)
		bench_fail(words, "enabling MSI: %s", strerror(-irq_fd));
	ret = bench_dma_map(&d, buf, DMA_IOVA, DMA_SIZE);
	if (ret == -ENOTTY && fw == BENCH_ULDF)
		bench_unsupported(words, "ULDF_DMA_MAP");
	if (ret)
		bench_fail(words, "DMA map: %s", strerror(-ret));
	t1 = bench_now_ns();
	close(irq_fd);
	bench_dev_close(&d);
	t2 = bench_now_ns();
	*ready = t1 - t0;
	*closing = t2 - t1;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-open -f uldf|vfio [-n ITERATIONS] [-d BDF] [-c CPU]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *bdf = "0000:00:03.0";
	uint64_t *ready, *closing;
	long n = 20, i;
	int fw = -1, cpu = 1, opt;
	bool pinned;
	char words_buf[64];
	char *buf;

	while ((opt = getopt(argc, argv, "f:n:d:c:")) != -1) {
		switch (opt) {
		case 'f':
			fw = bench_fw_parse(optarg);
			break;
		case 'n':
			n = atol(optarg);
			break;
		case 'd':
			bdf = optarg;
			break;
		case 'c':
			cpu = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if ((fw != BENCH_ULDF && fw != BENCH_VFIO) || n <= 0)
		usage();
	snprintf(words_buf, sizeof(words_buf), "bench=open fw=%s",
		 bench_fw_name(fw));
	words = words_buf;

	if (bench_pin(bdf, cpu, false, &pinned))
		bench_fail(words, "cannot run on CPU %d", cpu);
	ready = calloc(n, sizeof(*ready));
	closing = calloc(n, sizeof(*closing));
	buf = mmap(NULL, DMA_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (!ready || !closing || buf == MAP_FAILED)
		bench_fail(words, "out of memory");
	memset(buf, 1, DMA_SIZE);

	for (i = 0; i < n; i++)
		one(fw, bdf, buf, &ready[i], &closing[i]);

	bench_sort(ready, n);
	bench_sort(closing, n);
	printf("%s iterations=%ld ready_p50=%llu ready_min=%llu ready_max=%llu close_p50=%llu close_min=%llu close_max=%llu status=ok\n",
	       words, n, (unsigned long long)bench_percentile(ready, n, 50),
	       (unsigned long long)ready[0], (unsigned long long)ready[n - 1],
	       (unsigned long long)bench_percentile(closing, n, 50),
	       (unsigned long long)closing[0],
	       (unsigned long long)closing[n - 1]);
	munmap(buf, DMA_SIZE);
	free(ready);
	free(closing);
	return 0;
}
