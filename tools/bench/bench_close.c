// SPDX-License-Identifier: GPL-2.0
/*
 * bench-close: the cost of tearing down MSI-X vectors wired to eventfds,
 * as a VMM leaves them (every vector's interrupts go to a trigger eventfd).
 * Each iteration opens the device, enables vectors [0, N) of MSI-X as IRQ
 * fds, wires each to an eventfd with ULDF_IRQ_SET_EVENTFD (or not, with
 * -u), then times the teardown:
 *
 *   device	close the device fd while the IRQ fds stay open: its release
 *		disables every vector at once (the IRQ fds, closed after the
 *		timed part, are dead shells by then)
 *   irqfds	close the N IRQ fds one after the other (each close disables
 *		its vector), then the device fd; the time is that of the N
 *		closes
 *
 * The device's release also resets it and tears down its DMA domain, which
 * costs the same whatever the vectors: compare with -u (vectors enabled,
 * no eventfd) to see what the wiring adds.  Any device with MSI-X will do;
 * the default is the testbed's NVMe controller bound to uldf.
 *
 * Usage: bench-close [-f uldf] [-m device|irqfds] [-d BDF] [-v VECTORS]
 *		      [-n ITERATIONS] [-u]
 *   -v 0 (the default) enables every MSI-X vector of the device; -f takes
 *   only uldf, and is there so that the program is run as the others are.
 * Prints: bench=close fw=uldf mode=.. vectors=N wired=0|1 iterations=N
 * close_p50= close_min= close_max= (ns), then the median in words.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <linux/uldf.h>

#include "bench.h"

static char words[128];

/* MSI-X vectors of the device open as @dev (ULDF_DEVICE_GET_INFO). */
static unsigned int msix_vectors(int dev)
{
	struct uldf_device_info info = { .argsz = sizeof(info) };

	if (ioctl(dev, ULDF_DEVICE_GET_INFO, &info))
		bench_fail(words, "ULDF_DEVICE_GET_INFO: %s", strerror(errno));
	return info.num_irqs[ULDF_IRQ_TYPE_MSIX];
}

static int open_dev(const char *bdf)
{
	char path[PATH_MAX];
	int dev;

	snprintf(path, sizeof(path), "/dev/uldf/%s", bdf);
	dev = open(path, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		bench_fail(words, "open %s: %s", path, strerror(errno));
	return dev;
}

/* Enable MSI-X vectors [0, @n) of @dev into @irq; wire them to @efd. */
static void open_vectors(int dev, unsigned int n, int *irq, const int *efd)
{
	size_t sz = sizeof(struct uldf_irq_open) + n * sizeof(int32_t);
	struct uldf_irq_open *op = calloc(1, sz);
	unsigned int i;

	if (!op)
		bench_fail(words, "out of memory");
	op->argsz = sz;
	op->type = ULDF_IRQ_TYPE_MSIX;
	op->count = n;
	if (ioctl(dev, ULDF_DEVICE_IRQ_OPEN, op))
		bench_fail(words, "ULDF_DEVICE_IRQ_OPEN of %u MSI-X: %s", n,
			   strerror(errno));
	for (i = 0; i < n; i++) {
		struct uldf_irq_eventfd w = {
			.argsz = sizeof(w),
			.trigger = efd ? efd[i] : -1,
			.resample = -1,
		};

		irq[i] = op->fds[i];
		if (efd && ioctl(irq[i], ULDF_IRQ_SET_EVENTFD, &w))
			bench_fail(words, "ULDF_IRQ_SET_EVENTFD: %s",
				   strerror(errno));
	}
	free(op);
}

/* One set-up and teardown; returns the teardown's time in ns. */
static uint64_t one(const char *bdf, bool by_irqfd, unsigned int n,
		    int *irq, const int *efd)
{
	uint64_t t0, t1;
	unsigned int i;
	int dev;

	dev = open_dev(bdf);
	open_vectors(dev, n, irq, efd);
	t0 = bench_now_ns();
	if (by_irqfd) {
		for (i = 0; i < n; i++)
			close(irq[i]);
		t1 = bench_now_ns();
		close(dev);
	} else {
		close(dev);
		t1 = bench_now_ns();
		for (i = 0; i < n; i++)
			close(irq[i]);
	}
	return t1 - t0;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-close [-f uldf] [-m device|irqfds] [-d BDF] [-v VECTORS] [-n ITERATIONS] [-u]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *bdf = "0000:00:05.0", *mode = "device";
	unsigned int n = 0, i;
	bool wired = true;
	uint64_t *t;
	long iters = 7, k;
	int *irq, *efd = NULL;
	struct rlimit rl;
	int opt, dev;

	while ((opt = getopt(argc, argv, "f:m:d:v:n:u")) != -1) {
		switch (opt) {
		case 'f':
			if (bench_fw_parse(optarg) != BENCH_ULDF)
				usage();
			break;
		case 'm':
			mode = optarg;
			break;
		case 'd':
			bdf = optarg;
			break;
		case 'v':
			n = atoi(optarg);
			break;
		case 'n':
			iters = atol(optarg);
			break;
		case 'u':
			wired = false;
			break;
		default:
			usage();
		}
	}
	if ((strcmp(mode, "device") && strcmp(mode, "irqfds")) || iters <= 0)
		usage();

	snprintf(words, sizeof(words), "bench=close fw=uldf mode=%s", mode);
	dev = open_dev(bdf);
	if (!n)
		n = msix_vectors(dev);
	else if (n > msix_vectors(dev))
		bench_fail(words, "%s has %u MSI-X vectors, not %u", bdf,
			   msix_vectors(dev), n);
	close(dev);
	if (!n)
		bench_fail(words, "%s has no MSI-X", bdf);
	snprintf(words, sizeof(words),
		 "bench=close fw=uldf mode=%s vectors=%u wired=%d", mode, n,
		 wired);

	/* Two descriptors per vector, and a few more. */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < 2 * n + 16) {
		rl.rlim_cur = rl.rlim_max < 2 * n + 16 ? rl.rlim_max :
			      2 * n + 16;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	t = calloc(iters, sizeof(*t));
	irq = calloc(n, sizeof(*irq));
	if (!t || !irq)
		bench_fail(words, "out of memory");
	if (wired) {
		efd = calloc(n, sizeof(*efd));
		if (!efd)
			bench_fail(words, "out of memory");
		for (i = 0; i < n; i++) {
			efd[i] = eventfd(0, EFD_CLOEXEC);
			if (efd[i] < 0)
				bench_fail(words, "eventfd: %s",
					   strerror(errno));
		}
	}

	for (k = 0; k < iters; k++)
		t[k] = one(bdf, !strcmp(mode, "irqfds"), n, irq, efd);

	bench_sort(t, iters);
	printf("%s iterations=%ld close_p50=%llu close_min=%llu close_max=%llu status=ok\n",
	       words, iters, (unsigned long long)bench_percentile(t, iters, 50),
	       (unsigned long long)t[0], (unsigned long long)t[iters - 1]);
	printf("close (%s) with %u %s vectors: %llu us (median of %ld; %llu to %llu)\n",
	       !strcmp(mode, "irqfds") ? "IRQ fds, one by one" : "device fd",
	       n, wired ? "wired" : "unwired",
	       (unsigned long long)bench_percentile(t, iters, 50) / 1000,
	       iters, (unsigned long long)t[0] / 1000,
	       (unsigned long long)t[iters - 1] / 1000);
	return 0;
}
