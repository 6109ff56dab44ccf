// SPDX-License-Identifier: GPL-2.0
/*
 * Smoke test of the benchmark programs in tools/bench/ (make bench), so that
 * they do not rot: each runs for a tiny count against uldf, vfio-pci or
 * uio_pci_generic, and its output line must report what was asked for
 * (cycles, samples, pages, map calls, iterations, vectors) with sane
 * figures.  bench-close drives the NVMe controller, the others the edus.  No
 * figure is compared with a threshold: the test checks that the programs
 * work, not how fast anything is.  The report script must also still
 * turn the committed raw figures into a table.
 *
 * A uldf interface that the module does not implement yet makes the
 * program print status=unsupported, which is a SKIP here.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "uldf_util.h"

#define DMA_SIZE	(4u << 20)

FIXTURE(bench) {
	const char *edu;
	const char *peer;
	const char *nvme;
	char top[PATH_MAX];
	char line[4096];
};

/*
 * @prog and @args: the program in tools/bench/ and its options (the
 * device is added); @fw: the framework, which says which edu it drives.
 */
FIXTURE_VARIANT(bench) {
	const char *prog;
	const char *fw;
	const char *args;
};

#define BENCH_VARIANT(name, p, f, a) \
	FIXTURE_VARIANT_ADD(bench, name) { .prog = p, .fw = f, .args = a }

BENCH_VARIANT(intx_uldf_write, "bench-intx", "uldf", "-e write -n 50 -w 5");
BENCH_VARIANT(intx_uldf_unmask_on_read, "bench-intx", "uldf", "-e read -n 50 -w 5");
BENCH_VARIANT(intx_vfio, "bench-intx", "vfio", "-n 50 -w 5");
BENCH_VARIANT(intx_uio, "bench-intx", "uio", "-n 50 -w 5");
BENCH_VARIANT(msi_uldf_read, "bench-msi", "uldf", "-m read -n 40 -w 2");
BENCH_VARIANT(msi_vfio_read, "bench-msi", "vfio", "-m read -n 40 -w 2");
BENCH_VARIANT(msi_uldf_epoll, "bench-msi", "uldf", "-m epoll -n 40 -w 2");
BENCH_VARIANT(msi_vfio_epoll, "bench-msi", "vfio", "-m epoll -n 40 -w 2");
BENCH_VARIANT(msi_uldf_uring, "bench-msi", "uldf", "-m uring -n 40 -w 2");
BENCH_VARIANT(msi_vfio_uring, "bench-msi", "vfio", "-m uring -n 40 -w 2");
BENCH_VARIANT(dma_uldf_page, "bench-dma", "uldf", "-m page -s 4M");
BENCH_VARIANT(dma_vfio_page, "bench-dma", "vfio", "-m page -s 4M");
BENCH_VARIANT(dma_uldf_whole, "bench-dma", "uldf", "-m whole -s 4M");
BENCH_VARIANT(dma_vfio_whole, "bench-dma", "vfio", "-m whole -s 4M");
BENCH_VARIANT(dma_uldf_batch, "bench-dma", "uldf", "-m batch -s 4M -b 100");
BENCH_VARIANT(dma_uldf_huge, "bench-dma", "uldf", "-m huge -s 4M");
BENCH_VARIANT(dma_vfio_huge, "bench-dma", "vfio", "-m huge -s 4M");
BENCH_VARIANT(dma_uldf_huge_whole, "bench-dma", "uldf", "-m huge-whole -s 4M");
BENCH_VARIANT(open_uldf, "bench-open", "uldf", "-n 2");
BENCH_VARIANT(open_vfio, "bench-open", "vfio", "-n 2");
BENCH_VARIANT(close_uldf_device, "bench-close", "uldf", "-m device -n 2");
BENCH_VARIANT(close_uldf_irqfds, "bench-close", "uldf", "-m irqfds -v 4 -n 2");

/* The value of " key=" in @line as a number; -1 when it is missing. */
static double field(const char *line, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(line, pat);
	return p ? strtod(p + strlen(pat), NULL) : -1;
}

static int load_module(const char *name)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "modprobe %s 2>/dev/null", name);
	return system(cmd);
}

FIXTURE_SETUP(bench)
{
	const char *proj = getenv("ULDF_PROJ");
	const char *drv = NULL;

	self->edu = uldf_test_bdf("ULDF_EDU_BDF", ULDF_DEFAULT_EDU);
	self->peer = uldf_test_bdf("ULDF_EDU2_BDF", ULDF_DEFAULT_EDU2);
	self->nvme = uldf_test_bdf("ULDF_NVME_BDF", ULDF_DEFAULT_NVME);
	snprintf(self->top, sizeof(self->top), "%s", proj ? proj : "../..");
	if (!uldf_test_module_loaded())
		SKIP(return, "uldf.ko not loaded; run through 'make check'");
	if (!uldf_test_device_exists(self->edu) ||
	    !uldf_test_device_exists(self->peer))
		SKIP(return, "no edu devices at %s and %s; run through 'make check'",
		     self->edu, self->peer);

	if (!strcmp(variant->prog, "bench-close")) {
		if (!uldf_test_device_exists(self->nvme))
			SKIP(return, "no NVMe controller at %s; run through 'make check'",
			     self->nvme);
		ASSERT_EQ(0, uldf_test_bind(self->nvme, "uldf"));
		return;
	}
	if (!strcmp(variant->fw, "uldf")) {
		ASSERT_EQ(0, uldf_test_bind(self->edu, "uldf"));
		return;
	}
	if (!strcmp(variant->fw, "vfio")) {
		if (load_module("vfio-pci") || load_module("vfio_iommu_type1"))
			SKIP(return, "vfio-pci cannot be loaded");
		drv = "vfio-pci";
	} else {
		if (load_module("uio_pci_generic"))
			SKIP(return, "uio_pci_generic cannot be loaded");
		drv = "uio_pci_generic";
	}
	ASSERT_EQ(0, uldf_test_bind(self->peer, drv));
}

FIXTURE_TEARDOWN(bench)
{
	uldf_test_unbind(self->edu);
	uldf_test_unbind(self->peer);
	if (!strcmp(variant->prog, "bench-close"))
		uldf_test_unbind(self->nvme);
}

/* Run the variant's program; its one output line goes to self->line. */
static int run(struct __test_metadata *_metadata, FIXTURE_DATA(bench) *self,
	       const FIXTURE_VARIANT(bench) *variant)
{
	const char *bdf = strcmp(variant->fw, "uldf") ? self->peer : self->edu;
	char cmd[PATH_MAX + 256], rest[256];
	FILE *p;
	int status;

	if (!strcmp(variant->prog, "bench-close"))
		bdf = self->nvme;
	snprintf(cmd, sizeof(cmd), "timeout 60 %s/tools/bench/%s -f %s -d %s %s 2>&1",
		 self->top, variant->prog, variant->fw, bdf, variant->args);
	p = popen(cmd, "r");
	if (!p)
		return -errno;
	self->line[0] = '\0';
	if (!fgets(self->line, sizeof(self->line), p))
		self->line[0] = '\0';
	/* Read to the end: a program still writing must not get SIGPIPE. */
	while (fgets(rest, sizeof(rest), p))
		;
	status = pclose(p);
	TH_LOG("%.300s", self->line);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Each program takes seconds; a debug kernel makes that minutes. */
TEST_F_TIMEOUT(bench, program_runs, 300)
{
	const char *line = self->line;
	double pages = DMA_SIZE / 4096.0;
	char path[PATH_MAX + 64];
	int ret;

	snprintf(path, sizeof(path), "%s/tools/bench/%s", self->top,
		 variant->prog);
	if (access(path, X_OK))
		SKIP(return, "%.200s not built; run 'make'", path);

	ret = run(_metadata, self, variant);
	if (ret == 4 && strstr(line, "status=unsupported"))
		SKIP(return, "uldf side not in this module: %.300s", line);
	ASSERT_EQ(0, ret);
	ASSERT_NE(NULL, strstr(line, "status=ok"));

	if (!strcmp(variant->prog, "bench-intx")) {
		EXPECT_EQ(50, field(line, "cycles"));
		EXPECT_LT(0, field(line, "rate"));
		EXPECT_LT(0, field(line, "ns"));
	} else if (!strcmp(variant->prog, "bench-msi")) {
		EXPECT_EQ(40, field(line, "samples"));
		EXPECT_LT(0, field(line, "min"));
		EXPECT_LE(field(line, "min"), field(line, "p50"));
		EXPECT_LE(field(line, "p50"), field(line, "p99"));
		EXPECT_LE(field(line, "p99"), field(line, "max"));
		EXPECT_NE(NULL, strstr(line, " pct="));
	} else if (!strcmp(variant->prog, "bench-dma")) {
		double calls = strstr(variant->args, "page") ? pages :
			       strstr(variant->args, "batch") ? 11 :
			       strstr(variant->args, "huge ") ? 2 : 1;

		EXPECT_EQ(DMA_SIZE, field(line, "size"));
		EXPECT_EQ(pages, field(line, "pages"));
		EXPECT_EQ(calls, field(line, "calls"));
		EXPECT_LT(0, field(line, "map_ns"));
		EXPECT_LT(0, field(line, "unmap_ns"));
		EXPECT_LT(0, field(line, "ns_per_page"));
	} else if (!strcmp(variant->prog, "bench-close")) {
		EXPECT_EQ(2, field(line, "iterations"));
		EXPECT_EQ(1, field(line, "wired"));
		if (strstr(variant->args, "-v 4")) {
			EXPECT_EQ(4, field(line, "vectors"));
		} else {
			/* Every MSI-X vector; QEMU's NVMe has 65. */
			EXPECT_LT(1, field(line, "vectors"));
		}
		EXPECT_LT(0, field(line, "close_min"));
		EXPECT_LE(field(line, "close_min"), field(line, "close_p50"));
		EXPECT_LE(field(line, "close_p50"), field(line, "close_max"));
	} else {
		EXPECT_EQ(2, field(line, "iterations"));
		EXPECT_LT(0, field(line, "ready_p50"));
		EXPECT_LE(field(line, "ready_min"), field(line, "ready_max"));
		EXPECT_LT(0, field(line, "close_p50"));
	}
}

/*
 * The report still turns the committed raw figures into a table.  (Its
 * plots are left to make bench: gnuplot is slow to start in the testbed.)
 */
FIXTURE(report) {
	char top[PATH_MAX];
};

FIXTURE_SETUP(report)
{
	const char *proj = getenv("ULDF_PROJ");

	snprintf(self->top, sizeof(self->top), "%s", proj ? proj : "../..");
}

FIXTURE_TEARDOWN(report)
{
}

TEST_F_TIMEOUT(report, builds_table, 120)
{
	char cmd[3 * PATH_MAX], line[512];
	char dir[] = "/tmp/uldf-bench-XXXXXX";
	bool goals = false, intx = false;
	FILE *f;

	snprintf(cmd, sizeof(cmd),
		 "%s/Documentation/benchmarks/data/icount/raw.txt", self->top);
	if (access(cmd, R_OK))
		SKIP(return, "no committed figures at %.200s", cmd);
	if (system("command -v python3 >/dev/null"))
		SKIP(return, "python3 missing");
	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(cmd, sizeof(cmd),
		 "%s/tools/bench/report --no-plots %s/Documentation/benchmarks/data %s >/dev/null 2>&1",
		 self->top, self->top, dir);
	EXPECT_EQ(0, system(cmd));
	snprintf(cmd, sizeof(cmd), "%s/results.md", dir);
	f = fopen(cmd, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		goals |= !strncmp(line, "## Goals", 8);
		intx |= strstr(line, "| vfio-pci, read() + SET_IRQS unmask |") != NULL;
	}
	fclose(f);
	EXPECT_TRUE(goals);
	EXPECT_TRUE(intx);
	snprintf(cmd, sizeof(cmd), "%s/data/icount/intx.dat", dir);
	EXPECT_EQ(0, access(cmd, R_OK));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	EXPECT_EQ(0, system(cmd));
}

TEST_HARNESS_MAIN
