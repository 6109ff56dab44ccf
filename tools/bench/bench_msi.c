// SPDX-License-Identifier: GPL-2.0
/*
 * bench-msi: MSI wake-up latency, from the MMIO write that makes edu send
 * its MSI (register 0x60) to the moment the waiting process has the
 * interrupt in hand, measured with CLOCK_MONOTONIC on each side:
 *
 *   -m read	a blocking read() of the fd returns
 *   -m epoll	epoll_wait() returns, then the read() that consumes the count
 *   -m uring	an io_uring read, submitted before the raise, completes
 *		(io_uring_wait_cqe() returns)
 *
 * The fd is a uldf MSI IRQ fd or the eventfd that VFIO_DEVICE_SET_IRQS
 * wired to the vector.  After each sample the interrupt is acknowledged
 * at the device (0x64).  MSI is edge-triggered: there is no EOI.
 *
 * Usage: bench-msi -f uldf|vfio [-m read|epoll|uring] [-d BDF] [-n SAMPLES]
 *		    [-w WARMUP] [-c CPU]
 * Prints: bench=msi fw=.. mode=.. samples=N min= p50= p90= p99= max= mean=
 * (ns) and pct=P1,P2,..,P99, the percentiles 1 to 99.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <liburing.h>

#include "bench.h"

enum msi_mode { MODE_READ, MODE_EPOLL, MODE_URING };

static const char *const mode_names[] = { "read", "epoll", "uring" };

struct msi_ctx {
	struct bench_dev dev;
	int irq_fd;
	int epoll_fd;
	struct io_uring ring;
	uint64_t buf;
};

static const char *words;

/* Each raise is one interrupt: a count other than 1 is a lost or extra one. */
static void check_count(uint64_t n)
{
	if (n != 1)
		bench_fail(words, "%llu interrupts where one was raised",
			   (unsigned long long)n);
}

static uint64_t sample_read(struct msi_ctx *c)
{
	uint64_t t0, t1, n;

	t0 = bench_now_ns();
	edu_write(&c->dev, EDU_IRQ_RAISE, 1);
	if (read(c->irq_fd, &n, sizeof(n)) != sizeof(n))
		bench_fail(words, "read: %s", strerror(errno));
	t1 = bench_now_ns();
	check_count(n);
	return t1 - t0;
}

static uint64_t sample_epoll(struct msi_ctx *c)
{
	struct epoll_event ev;
	uint64_t t0, t1, n;

	t0 = bench_now_ns();
	edu_write(&c->dev, EDU_IRQ_RAISE, 1);
	if (epoll_wait(c->epoll_fd, &ev, 1, -1) != 1)
		bench_fail(words, "epoll_wait: %s", strerror(errno));
	if (read(c->irq_fd, &n, sizeof(n)) != sizeof(n))
		bench_fail(words, "read: %s", strerror(errno));
	t1 = bench_now_ns();
	check_count(n);
	return t1 - t0;
}

static uint64_t sample_uring(struct msi_ctx *c)
{
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	uint64_t t0, t1;
	int ret;

	sqe = io_uring_get_sqe(&c->ring);
	io_uring_prep_read(sqe, c->irq_fd, &c->buf, sizeof(c->buf), 0);
	ret = io_uring_submit(&c->ring);
	if (ret != 1)
		bench_fail(words, "io_uring_submit: %s", strerror(-ret));
	t0 = bench_now_ns();
	edu_write(&c->dev, EDU_IRQ_RAISE, 1);
	ret = io_uring_wait_cqe(&c->ring, &cqe);
	t1 = bench_now_ns();
	if (ret)
		bench_fail(words, "io_uring_wait_cqe: %s", strerror(-ret));
	if (cqe->res != sizeof(c->buf))
		bench_fail(words, "io_uring read: %s",
			   cqe->res < 0 ? strerror(-cqe->res) : "short");
	io_uring_cqe_seen(&c->ring, cqe);
	check_count(c->buf);
	return t1 - t0;
}

static void setup(struct msi_ctx *c, enum bench_fw fw, const char *bdf,
		  enum msi_mode mode)
{
	struct epoll_event ev = { .events = EPOLLIN };
	char err[128];
	int ret;

	ret = bench_dev_open(&c->dev, fw, bdf, err, sizeof(err));
	if (ret)
		bench_fail(words, "%s: %s", err, strerror(-ret));
	c->irq_fd = bench_irq_open(&c->dev, true, 0);
	if (c->irq_fd == -ENOTTY && fw == BENCH_ULDF)
		bench_unsupported(words, "ULDF_DEVICE_IRQ_OPEN");
	if (c->irq_fd < 0)
		bench_fail(words, "enabling MSI: %s", strerror(-c->irq_fd));
	if (mode == MODE_EPOLL) {
		c->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
		if (c->epoll_fd < 0 ||
		    epoll_ctl(c->epoll_fd, EPOLL_CTL_ADD, c->irq_fd, &ev))
			bench_fail(words, "epoll: %s", strerror(errno));
	} else if (mode == MODE_URING) {
		ret = io_uring_queue_init(4, &c->ring, 0);
		if (ret)
			bench_fail(words, "io_uring_queue_init: %s",
				   strerror(-ret));
	}
}

static void print_result(uint64_t *lat, long n)
{
	uint64_t sum = 0;
	long i;

	for (i = 0; i < n; i++)
		sum += lat[i];
	bench_sort(lat, n);
	printf("%s samples=%ld min=%llu p50=%llu p90=%llu p99=%llu max=%llu mean=%llu pct=",
	       words, n, (unsigned long long)lat[0],
	       (unsigned long long)bench_percentile(lat, n, 50),
	       (unsigned long long)bench_percentile(lat, n, 90),
	       (unsigned long long)bench_percentile(lat, n, 99),
	       (unsigned long long)lat[n - 1], (unsigned long long)(sum / n));
	for (i = 1; i <= 99; i++)
		printf("%llu%s", (unsigned long long)bench_percentile(lat, n, i),
		       i < 99 ? "," : "");
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-msi -f uldf|vfio [-m read|epoll|uring] [-d BDF] [-n SAMPLES] [-w WARMUP] [-c CPU]\n");
	exit(2);
}

static int parse_mode(const char *s)
{
	for (int i = 0; i < 3; i++)
		if (!strcmp(s, mode_names[i]))
			return i;
	return -1;
}

int main(int argc, char **argv)
{
	uint64_t (*sample)(struct msi_ctx *c);
	const char *bdf = "0000:00:03.0";
	int fw = -1, mode = MODE_READ, cpu = 1, opt;
	long samples = 2000, warmup = 50, i;
	struct msi_ctx c = { .epoll_fd = -1 };
	char buf[128];
	uint64_t *lat;
	bool pinned;

	while ((opt = getopt(argc, argv, "f:m:d:n:w:c:")) != -1) {
		switch (opt) {
		case 'f':
			fw = bench_fw_parse(optarg);
			break;
		case 'm':
			mode = parse_mode(optarg);
			break;
		case 'd':
			bdf = optarg;
			break;
		case 'n':
			samples = atol(optarg);
			break;
		case 'w':
			warmup = atol(optarg);
			break;
		case 'c':
			cpu = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if ((fw != BENCH_ULDF && fw != BENCH_VFIO) || mode < 0 ||
	    samples <= 0 || warmup < 0)
		usage();
	snprintf(buf, sizeof(buf), "bench=msi fw=%s mode=%s",
		 bench_fw_name(fw), mode_names[mode]);
	words = buf;
	sample = mode == MODE_READ ? sample_read :
		 mode == MODE_EPOLL ? sample_epoll : sample_uring;
	lat = calloc(samples, sizeof(*lat));
	if (!lat)
		bench_fail(words, "out of memory");

	setup(&c, fw, bdf, mode);
	if (bench_pin(bdf, cpu, true, &pinned))
		bench_fail(words, "cannot run on CPU %d", cpu);

	for (i = 0; i < warmup + samples; i++) {
		uint64_t ns = sample(&c);

		edu_write(&c.dev, EDU_IRQ_ACK, 1);
		if (i >= warmup)
			lat[i - warmup] = ns;
	}
	print_result(lat, samples);
	printf(" irq_pinned=%d irq_cpu=%d status=ok\n", pinned, bench_irq_cpu());

	if (mode == MODE_URING)
		io_uring_queue_exit(&c.ring);
	if (c.epoll_fd >= 0)
		close(c.epoll_fd);
	close(c.irq_fd);
	bench_dev_close(&c.dev);
	free(lat);
	return 0;
}
