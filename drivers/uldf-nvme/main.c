// SPDX-License-Identifier: MIT
/*
 * uldf-nvme: a user-level NVMe driver on libuldf.
 *
 *   uldf-nvme [OPTIONS] BDF identify
 *   uldf-nvme [OPTIONS] BDF read SLBA NLB [-o FILE]     (default: stdout)
 *   uldf-nvme [OPTIONS] BDF write SLBA [-i FILE]        (default: stdin)
 *   uldf-nvme [OPTIONS] BDF flush
 *   uldf-nvme [OPTIONS] BDF bench [--qd N] [--seconds S] [--bs BYTES]
 *
 * OPTIONS: --poll (completions by polling instead of MSI-X interrupts),
 * --sqpoll (MSI-X through libuldf's SQPOLL loop, no system calls while
 * busy), --queues N (I/O queue pairs, default 4), --depth N (entries per
 * queue, default 128), --quiet.
 *
 * Transfers are split into commands of at most the controller's maximum
 * transfer size, spread round-robin over the I/O queues and kept in flight
 * together; output is written in order.  A throughput line goes to stderr.
 * bench counts its own system calls in the timed window with the
 * raw_syscalls:sys_enter tracepoint (perf_event_open on this thread).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "nvme.h"

#define MAX_SLOTS	32

static bool quiet;

struct slot {
	struct nvme_ctrl *ctrl;
	bool busy;
	bool done;
	uint16_t status;
	uint64_t slba;
	uint32_t nlb;
	size_t len;
	char *buf;
	uint64_t iova;
	uint64_t start_ns;
};

static void on_signal(int sig)
{
	nvme_stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: uldf-nvme [--poll | --sqpoll] [--queues N] [--depth N] [--quiet] BDF COMMAND\n"
"  identify                 controller and namespace 1\n"
"  read SLBA NLB [-o FILE]  read NLB blocks from SLBA (to stdout)\n"
"  write SLBA [-i FILE]     write stdin (or FILE) from SLBA; the last\n"
"                           block is padded with zeros\n"
"  flush                    flush the volatile write cache\n"
"  bench [--qd N] [--seconds S] [--bs BYTES]\n"
"                           random reads; IOPS and latency\n");
}

static void trim(char *dst, const char *src, size_t n)
{
	memcpy(dst, src, n);
	dst[n] = '\0';
	while (n && dst[n - 1] == ' ')
		dst[--n] = '\0';
}

static int cmd_identify(struct nvme_ctrl *c)
{
	char mn[41], sn[21], fr[9];

	trim(mn, c->id.mn, 40);
	trim(sn, c->id.sn, 20);
	trim(fr, c->id.fr, 8);
	printf("model:        %s\n", mn);
	printf("serial:       %s\n", sn);
	printf("firmware:     %s\n", fr);
	printf("version:      %u.%u\n", c->id.ver >> 16, (c->id.ver >> 8) & 0xff);
	printf("namespaces:   %u\n", c->id.nn);
	printf("namespace 1:  %" PRIu64 " blocks of %u bytes (%" PRIu64 " MiB)\n",
	       c->nsze, 1u << c->lba_shift, (c->nsze << c->lba_shift) >> 20);
	printf("max transfer: %zu KiB\n", c->max_xfer >> 10);
	printf("I/O queues:   %u x %u entries, %s\n", c->nr_io, c->io[0].depth,
	       !c->use_irq ? "polled" : c->sqpoll ?
	       "MSI-X interrupts, SQPOLL loop" : "MSI-X interrupts");
	printf("doorbell stride: %u bytes, CAP.TO %u ms\n", c->dstrd,
	       c->timeout_ms);
	return 0;
}

static void slot_done(struct nvme_req *req, uint16_t status, uint32_t dw0)
{
	struct slot *s = req->arg;

	s->done = true;
	s->status = status;
}

static int slot_submit(struct nvme_ctrl *c, struct slot *s, unsigned int qi,
		       bool write)
{
	struct nvme_sqe sqe;
	int ret;

	ret = nvme_rw_sqe(c, &sqe, write, s->slba, s->nlb);
	if (ret)
		return ret;
	s->busy = true;
	s->done = false;
	s->start_ns = nvme_now_ns();
	return nvme_submit(&c->io[qi % c->nr_io], &sqe, s->iova, s->len,
			   slot_done, s, NULL);
}

static int slot_check(struct slot *s, bool write)
{
	if (!s->status)
		return 0;
	fprintf(stderr, "uldf-nvme: %s of %u blocks at LBA %" PRIu64 ": %s\n",
		write ? "write" : "read", s->nlb, s->slba,
		nvme_status_str(s->status));
	return nvme_status_errno(s->status);
}

/* The staging ring: MAX_SLOTS buffers of one maximum transfer each. */
static int slots_alloc(struct nvme_ctrl *c, struct slot *slots,
		       unsigned int n, struct uldf_dma_buf **bufp, bool write)
{
	unsigned int i;
	int ret;

	ret = uldf_dma_buf_alloc(c->dev, n * c->max_xfer,
				 (write ? ULDF_DMA_MAP_READ : ULDF_DMA_MAP_WRITE) |
				 ULDF_DMA_BUF_HUGEPAGE | ULDF_DMA_BUF_FALLBACK,
				 bufp);
	if (ret) {
		fprintf(stderr, "uldf-nvme: cannot allocate DMA buffers: %s\n",
			strerror(-ret));
		return ret;
	}
	for (i = 0; i < n; i++) {
		memset(&slots[i], 0, sizeof(slots[i]));
		slots[i].ctrl = c;
		slots[i].buf = (char *)uldf_dma_buf_vaddr(*bufp) + i * c->max_xfer;
		slots[i].iova = uldf_dma_buf_iova(*bufp) + i * c->max_xfer;
	}
	return 0;
}

static unsigned int nr_slots(struct nvme_ctrl *c)
{
	unsigned int n = c->nr_io * 4;

	return n > MAX_SLOTS ? MAX_SLOTS : n;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

static void report(const char *what, uint64_t bytes, uint64_t ns)
{
	if (quiet)
		return;
	fprintf(stderr, "uldf-nvme: %s %" PRIu64 " bytes in %.3f s: %.1f MiB/s\n",
		what, bytes, ns / 1e9, ns ? bytes / 1048576.0 / (ns / 1e9) : 0);
}

static int cmd_read(struct nvme_ctrl *c, uint64_t slba, uint64_t nlb, int out)
{
	uint32_t chunk = c->max_xfer >> c->lba_shift;
	struct slot slots[MAX_SLOTS];
	struct uldf_dma_buf *buf;
	unsigned int n = nr_slots(c);
	uint64_t next = 0, emitted = 0, total, start = nvme_now_ns();
	uint64_t k_sub = 0, k_out = 0;
	int ret;

	/* The controller checks the range (LBA Out of Range, 0x80). */
	if (!nlb)
		return -EINVAL;
	ret = slots_alloc(c, slots, n, &buf, false);
	if (ret)
		return ret;
	total = nlb;
	while (emitted < total) {
		/* Keep every slot busy. */
		while (next < total && !slots[k_sub % n].busy) {
			struct slot *s = &slots[k_sub % n];

			s->slba = slba + next;
			s->nlb = total - next < chunk ? total - next : chunk;
			s->len = (size_t)s->nlb << c->lba_shift;
			ret = slot_submit(c, s, k_sub, false);
			if (ret)
				goto out;
			next += s->nlb;
			k_sub++;
		}
		/* Emit in order; wait only when nothing could be emitted. */
		if (k_out < k_sub && slots[k_out % n].done) {
			struct slot *s = &slots[k_out % n];

			ret = slot_check(s, false);
			if (ret)
				goto out;
			ret = write_all(out, s->buf, s->len);
			if (ret) {
				fprintf(stderr, "uldf-nvme: output: %s\n", strerror(-ret));
				goto out;
			}
			emitted += s->nlb;
			s->busy = s->done = false;
			k_out++;
			continue;
		}
		ret = nvme_wait_any(c, c->timeout_ms);
		if (ret < 0) {
			fprintf(stderr, "uldf-nvme: waiting for reads: %s\n",
				strerror(-ret));
			goto out;
		}
	}
	ret = 0;
	report("read", total << c->lba_shift, nvme_now_ns() - start);
out:
	/* Let what is in flight land before its buffer goes. */
	while (ret && c->io[0].ctrl && nvme_wait_any(c, 1000) > 0)
		;
	uldf_dma_buf_free(buf);
	return ret;
}

static ssize_t read_full(int fd, char *p, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!n)
			break;
		got += n;
	}
	return got;
}

static int cmd_write(struct nvme_ctrl *c, uint64_t slba, int in)
{
	uint32_t bs = 1u << c->lba_shift;
	struct slot slots[MAX_SLOTS];
	struct uldf_dma_buf *buf;
	unsigned int n = nr_slots(c), i, busy;
	uint64_t lba = slba, bytes = 0, k = 0, start = nvme_now_ns();
	bool eof = false;
	int ret;

	ret = slots_alloc(c, slots, n, &buf, true);
	if (ret)
		return ret;
	for (;;) {
		/* Collect finished writes. */
		for (busy = 0, i = 0; i < n; i++) {
			if (slots[i].busy && slots[i].done) {
				slots[i].busy = slots[i].done = false;
				if (!ret)
					ret = slot_check(&slots[i], true);
			}
			busy += slots[i].busy;
		}
		if (ret && !busy)
			break;
		/* Fill free slots from the input, in order. */
		while (!ret && !eof && !slots[k % n].busy) {
			struct slot *s = &slots[k % n];
			ssize_t got = read_full(in, s->buf, c->max_xfer);
			size_t len;

			if (got < 0) {
				ret = got;
				fprintf(stderr, "uldf-nvme: input: %s\n", strerror(-ret));
				break;
			}
			if ((size_t)got < c->max_xfer)
				eof = true;
			if (!got)
				break;
			len = (got + bs - 1) & ~(size_t)(bs - 1);
			memset(s->buf + got, 0, len - got);
			s->slba = lba;
			s->nlb = len >> c->lba_shift;
			s->len = len;
			ret = slot_submit(c, s, k, true);
			if (ret)
				break;
			lba += s->nlb;
			bytes += got;
			busy++;
			k++;
		}
		if (!busy && (eof || ret))
			break;
		if (busy) {
			int w = nvme_wait_any(c, c->timeout_ms);

			if (w < 0) {
				fprintf(stderr, "uldf-nvme: waiting for writes: %s\n",
					strerror(-w));
				ret = w;
				break;
			}
		}
	}
	if (!ret)
		report("wrote", bytes, nvme_now_ns() - start);
	uldf_dma_buf_free(buf);
	return ret;
}

static int cmd_flush(struct nvme_ctrl *c)
{
	struct nvme_sqe sqe;

	memset(&sqe, 0, sizeof(sqe));
	sqe.opc = NVME_CMD_FLUSH;
	sqe.nsid = c->nsid;
	return nvme_sync(&c->io[0], &sqe, 0, 0, NULL);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * A counter of this thread's system calls: the raw_syscalls:sys_enter
 * tracepoint through perf_event_open(), created disabled.  The perf fd, or
 * -1 without tracefs or perf.  Only this thread counts: the loop's SQPOLL
 * thread runs in the kernel and never enters through a system call.
 */
static int syscall_counter(void)
{
	static const char * const ids[] = {
		"/sys/kernel/tracing/events/raw_syscalls/sys_enter/id",
		"/sys/kernel/debug/tracing/events/raw_syscalls/sys_enter/id",
	};
	struct perf_event_attr attr = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(attr),
		.disabled = 1,
	};
	unsigned long long id = 0;
	unsigned int i;
	FILE *f;

	for (i = 0; i < 2 && !id; i++) {
		f = fopen(ids[i], "r");
		if (!f)
			continue;
		if (fscanf(f, "%llu", &id) != 1)
			id = 0;
		fclose(f);
	}
	if (!id)
		return -1;
	attr.config = id;
	return syscall(SYS_perf_event_open, &attr, 0, -1, -1,
		       PERF_FLAG_FD_CLOEXEC);
}

/* Stop @pfd: the system calls counted, less the ioctl that stops it. */
static int64_t syscall_count(int pfd)
{
	uint64_t n = 0;

	if (pfd < 0 || ioctl(pfd, PERF_EVENT_IOC_DISABLE, 0) ||
	    read(pfd, &n, sizeof(n)) != sizeof(n) || !n)
		return -1;
	return (int64_t)n - 1;
}

static int cmd_bench(struct nvme_ctrl *c, unsigned int qd, double seconds,
		     size_t bs)
{
	char sys_per_io[32] = "n/a";
	int64_t nsys = -1;
	int pfd = -1;
	struct slot slots[NVME_MAX_DEPTH];
	struct uldf_dma_buf *buf;
	uint64_t *lat, nlat = 0, cap = 4000000, seed = 0x9e3779b97f4a7c15ull;
	uint64_t blocks, start, end, sum = 0;
	uint32_t nlb = bs >> c->lba_shift;
	unsigned int i, inflight = 0;
	int ret;

	if (!qd || qd > NVME_MAX_DEPTH || !nlb || bs > c->max_xfer ||
	    (bs & ((1u << c->lba_shift) - 1))) {
		fprintf(stderr, "uldf-nvme: bench: bad --qd or --bs\n");
		return -EINVAL;
	}
	blocks = c->nsze / nlb;
	lat = malloc(cap * sizeof(*lat));
	if (!lat)
		return -ENOMEM;
	ret = uldf_dma_buf_alloc(c->dev, (size_t)qd * ((bs + NVME_PAGE - 1) & ~(size_t)(NVME_PAGE - 1)),
				 ULDF_DMA_MAP_WRITE, &buf);
	if (ret) {
		free(lat);
		return ret;
	}
	for (i = 0; i < qd; i++) {
		size_t stride = (bs + NVME_PAGE - 1) & ~(size_t)(NVME_PAGE - 1);

		memset(&slots[i], 0, sizeof(slots[i]));
		slots[i].buf = (char *)uldf_dma_buf_vaddr(buf) + i * stride;
		slots[i].iova = uldf_dma_buf_iova(buf) + i * stride;
		slots[i].nlb = nlb;
		slots[i].len = bs;
	}

	pfd = syscall_counter();
	if (pfd >= 0 && ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0)) {
		close(pfd);
		pfd = -1;
	}
	start = nvme_now_ns();
	end = start + (uint64_t)(seconds * 1e9);
	for (;;) {
		uint64_t now = nvme_now_ns();

		for (i = 0; i < qd; i++) {
			struct slot *s = &slots[i];

			if (s->busy && s->done) {
				ret = slot_check(s, false);
				if (ret)
					goto out;
				if (nlat < cap)
					lat[nlat++] = now - s->start_ns;
				sum += now - s->start_ns;
				s->busy = s->done = false;
				inflight--;
			}
			if (!s->busy && now < end) {
				s->slba = (rnd(&seed) % blocks) * nlb;
				/* QD1 uses one queue; deeper spread over all. */
				ret = slot_submit(c, s, qd == 1 ? 0 : i, false);
				if (ret)
					goto out;
				inflight++;
			}
		}
		if (!inflight)
			break;
		ret = nvme_wait_any(c, c->timeout_ms);
		if (ret < 0) {
			fprintf(stderr, "uldf-nvme: bench: %s\n", strerror(-ret));
			goto out;
		}
	}
	ret = 0;
	{
		double secs = (nvme_now_ns() - start) / 1e9;

		nsys = syscall_count(pfd);
		if (nsys >= 0 && nlat)
			snprintf(sys_per_io, sizeof(sys_per_io), "%.3f",
				 (double)nsys / nlat);
		qsort(lat, nlat, sizeof(*lat), cmp_u64);
		printf("bench: qd=%u bs=%zu queues=%u %s: %.0f IOPS, mean %.1f us, p50 %.1f us, p99 %.1f us, %s syscalls/IO (%" PRIu64 " I/Os, %" PRId64 " syscalls in %.2f s)\n",
		       qd, bs, qd == 1 ? 1 : c->nr_io,
		       !c->use_irq ? "poll" : c->sqpoll ? "sqpoll" : "msix",
		       nlat / secs,
		       nlat ? sum / 1e3 / nlat : 0,
		       nlat ? lat[nlat / 2] / 1e3 : 0,
		       nlat ? lat[nlat * 99 / 100] / 1e3 : 0, sys_per_io,
		       nlat, nsys, secs);
	}
out:
	if (pfd >= 0)
		close(pfd);
	free(lat);
	uldf_dma_buf_free(buf);
	return ret;
}

/*
 * A command's number argument: decimal or 0x hexadecimal, never negative
 * (strtoull would take "-5" as 2^64 - 5), at least @min.  A bad one is
 * named in the message; the caller exits with 2.
 */
static int parse_arg(const char *cmd, const char *name, const char *s,
		     uint64_t min, uint64_t *v)
{
	const char *p = s;
	char *end;

	while (isspace((unsigned char)*p))
		p++;
	errno = 0;
	*v = *p == '-' || !*p ? 0 : strtoull(p, &end, 0);
	if (*p == '-' || !*p || errno || *end) {
		fprintf(stderr, "uldf-nvme: %s: bad %s '%s': not a number of 0 or more\n",
			cmd, name, s);
		return -EINVAL;
	}
	if (*v < min) {
		fprintf(stderr, "uldf-nvme: %s: %s must be at least %" PRIu64 "\n",
			cmd, name, min);
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "poll", no_argument, NULL, 'p' },
		{ "sqpoll", no_argument, NULL, 's' },
		{ "queues", required_argument, NULL, 'q' },
		{ "depth", required_argument, NULL, 'd' },
		{ "quiet", no_argument, NULL, 'Q' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct nvme_opts o = { .queues = 4, .depth = NVME_MAX_DEPTH };
	struct nvme_ctrl ctrl;
	const char *bdf, *cmd, *file = NULL;
	uint64_t a = 0, b = 0;
	unsigned int qd = 1;
	double seconds = 5;
	size_t bs = 4096;
	int c, ret, fd = -1;

	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o.poll = true;
			break;
		case 's':
			o.sqpoll = true;
			break;
		case 'q':
			o.queues = atoi(optarg);
			break;
		case 'd':
			o.depth = atoi(optarg);
			break;
		case 'Q':
			quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind < 2 || o.queues < 1 || o.queues > NVME_MAX_QUEUES ||
	    o.depth < 2 || o.depth > NVME_MAX_DEPTH) {
		usage(stderr);
		return 2;
	}
	if (o.poll && o.sqpoll) {
		fprintf(stderr, "uldf-nvme: --poll and --sqpoll exclude each other\n");
		return 2;
	}
	bdf = argv[optind++];
	cmd = argv[optind++];

	/* Command arguments. */
	if (!strcmp(cmd, "read") || !strcmp(cmd, "write")) {
		bool rd = !strcmp(cmd, "read");

		if (argc - optind < (rd ? 2 : 1)) {
			fprintf(stderr, "uldf-nvme: %s needs %s\n", cmd,
				rd ? "SLBA and NLB" : "SLBA");
			usage(stderr);
			return 2;
		}
		if (parse_arg(cmd, "SLBA", argv[optind], 0, &a) ||
		    (rd && parse_arg(cmd, "NLB", argv[optind + 1], 1, &b)))
			return 2;
		optind += rd ? 2 : 1;
		while (optind < argc) {
			if (optind + 1 < argc &&
			    !strcmp(argv[optind], rd ? "-o" : "-i")) {
				file = argv[optind + 1];
				optind += 2;
			} else {
				fprintf(stderr, "uldf-nvme: %s: unknown argument '%s'\n",
					cmd, argv[optind]);
				usage(stderr);
				return 2;
			}
		}
	} else if (!strcmp(cmd, "bench")) {
		for (; optind < argc; optind += 2) {
			if (optind + 1 >= argc) {
				usage(stderr);
				return 2;
			}
			if (!strcmp(argv[optind], "--qd"))
				qd = atoi(argv[optind + 1]);
			else if (!strcmp(argv[optind], "--seconds"))
				seconds = atof(argv[optind + 1]);
			else if (!strcmp(argv[optind], "--bs"))
				bs = atol(argv[optind + 1]);
			else {
				usage(stderr);
				return 2;
			}
		}
	} else if (strcmp(cmd, "identify") && strcmp(cmd, "flush")) {
		usage(stderr);
		return 2;
	}

	if (file) {
		fd = !strcmp(cmd, "read") ?
		     open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644) :
		     open(file, O_RDONLY);
		if (fd < 0) {
			perror(file);
			return 1;
		}
	} else {
		fd = !strcmp(cmd, "read") ? STDOUT_FILENO : STDIN_FILENO;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);

	ret = nvme_ctrl_init(&ctrl, bdf, &o);
	if (ret)
		return 1;
	if (!strcmp(cmd, "identify"))
		ret = cmd_identify(&ctrl);
	else if (!strcmp(cmd, "read"))
		ret = cmd_read(&ctrl, a, b, fd);
	else if (!strcmp(cmd, "write"))
		ret = cmd_write(&ctrl, a, fd);
	else if (!strcmp(cmd, "flush"))
		ret = cmd_flush(&ctrl);
	else
		ret = cmd_bench(&ctrl, qd, seconds, bs);
	nvme_ctrl_shutdown(&ctrl);
	if (nvme_stop) {
		fprintf(stderr, "uldf-nvme: interrupted; controller shut down\n");
		return 130;
	}
	return ret ? 1 : 0;
}
