// SPDX-License-Identifier: GPL-2.0
/*
 * uml_blk: block I/O for the hosted-guest tests, in few system calls
 * (a system call is slow in a User-Mode Linux guest under emulation).
 *
 *   uml_blk hash PATH [LEN]		SHA-256 of the device or file
 *   uml_blk read PATH [LEN] [-j N] [-w]	read it, only to time it
 *   uml_blk write PATH OFF LEN SEED	write a pattern, then fsync
 *   uml_blk check PATH OFF LEN SEED	exit 0 if the pattern is there
 *   uml_blk wait PATH SECONDS		exit 0 once PATH is a block device
 *
 * "hash" and "read" take the whole device or file, or its first LEN bytes
 * (a multiple of 4096; 0 means all).  Reads and writes go in 4 MiB chunks,
 * with O_DIRECT where the file allows it.  "hash" prints "sha256 HEX";
 * both it and "read" print a line with the bytes read, the seconds taken
 * and the throughput (for "hash" including the hashing).  The pattern is a
 * function of the seed and of each 8-byte word's offset, so data written
 * at the wrong place does not match either.
 *
 * "read -j N" keeps N reads in flight: N threads, each with its own buffer,
 * pread the 4 MiB chunks that a shared counter hands out, so the device
 * sees N chunks' commands at a time instead of one chunk's and then none
 * (as a driver with a queue kept full does; without -j, or with -j 1, one
 * read at a time, in order).  "-w" (warm) starts the clock once the
 * threads run and their buffers are faulted in: the first touch of a
 * buffer is costly in a User-Mode Linux guest (a page fault a page, each
 * a round trip through the host), and with -w the figure is of the reads
 * alone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/evp.h>

#define CHUNK	(4u << 20)
#define ALIGN	4096

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int open_path(const char *path, int flags)
{
	int fd = open(path, flags | O_DIRECT);

	if (fd < 0 && errno == EINVAL)
		fd = open(path, flags);
	if (fd < 0)
		fprintf(stderr, "uml_blk: %s: %s\n", path, strerror(errno));
	return fd;
}

static void *alloc_buf(void)
{
	void *p = NULL;

	if (posix_memalign(&p, ALIGN, CHUNK)) {
		fprintf(stderr, "uml_blk: out of memory\n");
		exit(2);
	}
	return p;
}

static uint64_t word(uint64_t seed, uint64_t off)
{
	uint64_t z = seed + off / 8 * 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void fill(uint64_t *buf, uint64_t off, size_t len, uint64_t seed)
{
	size_t i;

	for (i = 0; i < len / 8; i++)
		buf[i] = word(seed, off + 8 * i);
}

static int do_read(const char *path, uint64_t len, bool hash)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen, i;
	uint64_t total = 0;
	EVP_MD_CTX *ctx;
	double t0, t;
	ssize_t n = 0;
	size_t want;
	char *buf;
	int fd;

	fd = open_path(path, O_RDONLY);
	if (fd < 0)
		return 2;
	buf = alloc_buf();
	ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		return 2;
	t0 = now();
	for (;;) {
		want = len && len - total < CHUNK ? len - total : CHUNK;
		if (!want)
			break;
		n = read(fd, buf, want);
		if (n <= 0)
			break;
		if (hash)
			EVP_DigestUpdate(ctx, buf, n);
		total += n;
	}
	t = now() - t0;
	if (n < 0) {
		fprintf(stderr, "uml_blk: read %s: %s\n", path, strerror(errno));
		return 2;
	}
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	if (hash) {
		printf("sha256 ");
		for (i = 0; i < mdlen; i++)
			printf("%02x", md[i]);
		printf("\n");
	}
	printf("read %" PRIu64 " bytes in %.3f s: %.2f MiB/s\n", total, t,
	       t > 0 ? total / t / (1 << 20) : 0.0);
	close(fd);
	free(buf);
	return 0;
}

struct pread_job {
	int fd;
	uint64_t end;
	atomic_ullong next;
	atomic_ullong total;
	atomic_int err;
	pthread_barrier_t go;
	bool warm;
};

static void *pread_worker(void *arg)
{
	struct pread_job *job = arg;
	char *buf = alloc_buf();

	if (job->warm) {
		memset(buf, 0, CHUNK);
		pthread_barrier_wait(&job->go);
	}
	for (;;) {
		uint64_t off = atomic_fetch_add(&job->next, CHUNK);
		size_t want;
		ssize_t n;

		if (off >= job->end || atomic_load(&job->err))
			break;
		want = job->end - off < CHUNK ? job->end - off : CHUNK;
		n = pread(job->fd, buf, want, off);
		if (n < 0) {
			atomic_store(&job->err, errno);
			break;
		}
		atomic_fetch_add(&job->total, n);
		if ((size_t)n < want)	/* the end of the file */
			break;
	}
	free(buf);
	return NULL;
}

/*
 * "read" with @jobs threads, each with one read in flight; @warm: start the
 * clock once the threads' buffers are faulted in.
 */
static int do_read_jobs(const char *path, uint64_t len, unsigned int jobs,
			bool warm)
{
	struct pread_job job = { 0 };
	pthread_t *tids;
	unsigned int i;
	uint64_t total;
	double t0, t;
	off_t size;
	int ret = 0;

	job.fd = open_path(path, O_RDONLY);
	if (job.fd < 0)
		return 2;
	size = lseek(job.fd, 0, SEEK_END);
	if (size < 0) {
		fprintf(stderr, "uml_blk: %s: %s\n", path, strerror(errno));
		return 2;
	}
	job.end = len && len < (uint64_t)size ? len : (uint64_t)size;
	tids = calloc(jobs, sizeof(*tids));
	if (!tids) {
		fprintf(stderr, "uml_blk: out of memory\n");
		return 2;
	}
	job.warm = warm;
	if (warm)
		pthread_barrier_init(&job.go, NULL, jobs + 1);
	t0 = now();
	for (i = 0; i < jobs; i++) {
		errno = pthread_create(&tids[i], NULL, pread_worker, &job);
		if (errno) {	/* (the threads started wait for the others) */
			fprintf(stderr, "uml_blk: thread: %s\n", strerror(errno));
			exit(2);
		}
	}
	if (warm) {
		pthread_barrier_wait(&job.go);
		t0 = now();
	}
	for (i = 0; i < jobs; i++)
		pthread_join(tids[i], NULL);
	t = now() - t0;
	total = atomic_load(&job.total);
	if (!ret && atomic_load(&job.err)) {
		fprintf(stderr, "uml_blk: read %s: %s\n", path,
			strerror(atomic_load(&job.err)));
		ret = 2;
	}
	if (!ret)
		printf("read %" PRIu64 " bytes in %.3f s: %.2f MiB/s (%u in flight%s)\n",
		       total, t, t > 0 ? total / t / (1 << 20) : 0.0, jobs,
		       warm ? ", warm" : "");
	if (warm)
		pthread_barrier_destroy(&job.go);
	close(job.fd);
	free(tids);
	return ret;
}

static int do_pattern(const char *path, uint64_t off, uint64_t len,
		      uint64_t seed, int write_it)
{
	uint64_t done = 0;
	uint64_t *buf, *want;
	int fd, ret = 0;

	if (off % ALIGN || len % ALIGN) {
		fprintf(stderr, "uml_blk: offset and length must be multiples of %d\n",
			ALIGN);
		return 2;
	}
	fd = open_path(path, write_it ? O_WRONLY : O_RDONLY);
	if (fd < 0)
		return 2;
	buf = alloc_buf();
	want = alloc_buf();
	while (done < len && !ret) {
		size_t n = len - done < CHUNK ? len - done : CHUNK;

		fill(want, off + done, n, seed);
		if (write_it) {
			if (pwrite(fd, want, n, off + done) != (ssize_t)n)
				ret = 2;
		} else if (pread(fd, buf, n, off + done) != (ssize_t)n) {
			ret = 2;
		} else if (memcmp(buf, want, n)) {
			ret = 1;
		}
		done += n;
	}
	if (write_it && !ret && fsync(fd))
		ret = 2;
	if (ret == 2)
		fprintf(stderr, "uml_blk: %s: I/O error: %s\n", path,
			strerror(errno));
	else if (ret == 1)
		fprintf(stderr, "uml_blk: %s: pattern mismatch near %" PRIu64 "\n",
			path, off + done);
	close(fd);
	free(buf);
	free(want);
	return ret;
}

/* Poll every 100 ms, in one process (a guest's "sleep 1" loop is many). */
static int do_wait(const char *path, unsigned int seconds)
{
	struct timespec tick = { 0, 100 * 1000 * 1000 };
	double end = now() + seconds;
	struct stat st;

	do {
		if (!stat(path, &st) && S_ISBLK(st.st_mode))
			return 0;
		nanosleep(&tick, NULL);
	} while (now() < end);
	return 1;
}

int main(int argc, char **argv)
{
	bool hash = argc > 1 && !strcmp(argv[1], "hash");
	unsigned long jobs = 1;
	bool warm = false;

	/* read ... [-j N] [-w]: the options last. */
	while (argc >= 4 && !strcmp(argv[1], "read")) {
		char *end;

		if (!strcmp(argv[argc - 1], "-w")) {
			warm = true;
			argc--;
			continue;
		}
		if (argc < 5 || strcmp(argv[argc - 2], "-j"))
			break;
		jobs = strtoul(argv[argc - 1], &end, 0);
		if (*end || !jobs || jobs > 64) {
			fprintf(stderr, "uml_blk: -j takes 1 to 64\n");
			return 2;
		}
		argc -= 2;
	}
	if ((argc == 3 || argc == 4) &&
	    (hash || !strcmp(argv[1], "read"))) {
		uint64_t len = argc == 4 ? strtoull(argv[3], NULL, 0) : 0;

		if (len % ALIGN) {
			fprintf(stderr, "uml_blk: the length must be a multiple of %d\n",
				ALIGN);
			return 2;
		}
		if (jobs > 1 || warm)
			return do_read_jobs(argv[2], len, jobs, warm);
		return do_read(argv[2], len, hash);
	}
	if (argc == 6 && (!strcmp(argv[1], "write") || !strcmp(argv[1], "check")))
		return do_pattern(argv[2], strtoull(argv[3], NULL, 0),
				  strtoull(argv[4], NULL, 0),
				  strtoull(argv[5], NULL, 0),
				  !strcmp(argv[1], "write"));
	if (argc == 4 && !strcmp(argv[1], "wait"))
		return do_wait(argv[2], strtoul(argv[3], NULL, 0));
	fprintf(stderr, "usage: uml_blk hash PATH [LEN] | read PATH [LEN] [-j N] [-w] | wait PATH SECONDS | write|check PATH OFF LEN SEED\n");
	return 2;
}
