# SPDX-License-Identifier: GPL-2.0
#
# Benchmarks of uldf against vfio-pci and uio_pci_generic (included by the
# top-level Makefile).
#
## bench               interrupts, DMA, open: uldf, vfio-pci, uio_pci_generic
## bench-report        bench's tables and plots again from its last figures
#
# bench builds, runs every benchmark in one testbed boot, then writes
# Documentation/benchmarks/results.md, the raw figures and the plots.
#
# BENCH_RUNS sets the number of runs per figure (frameworks alternate run
# by run); BENCH_ARGS passes options to the guest script (see run-guest;
# the default -p adds perf profiles).

BENCH_DIR := tools/bench
BENCH_PROGS := $(addprefix $(BENCH_DIR)/bench-,intx msi dma open close)
BENCH_OUT := $(BENCH_DIR)/out
BENCH_DOC := Documentation/benchmarks
BENCH_RUNS ?= 7
BENCH_TIMEOUT ?= 1700
BENCH_ARGS ?= -p

USER_TARGETS += $(BENCH_PROGS)
CLEAN_FILES += $(BENCH_PROGS)

BENCH_LDLIBS_msi := -luring

# edu's registers and test driver come from the selftests' library
# (selftests/build.mk).
$(BENCH_DIR)/bench-%: $(BENCH_DIR)/bench_%.c $(BENCH_DIR)/bench_dev.c \
		$(BENCH_DIR)/bench.h include/uapi/linux/uldf.h \
		$(TESTLIB_OBJS) $(TESTLIB_HDRS)
	$(CC) $(CFLAGS) $(WARNFLAGS) $(ULDF_CPPFLAGS) $(TESTLIB_CPPFLAGS) \
		-o $@ $< $(BENCH_DIR)/bench_dev.c $(TESTLIB_OBJS) \
		$(BENCH_LDLIBS_$*)

.PHONY: bench bench-report
# Both depend on deps (the testbed, perf, gnuplot).
DEPS_GOALS += bench bench-report
# With a host thread per vCPU, as the published figures were measured.
bench: all
	rm -rf $(BENCH_OUT)
	mkdir -p $(BENCH_OUT)
	tools/testbed/vm run --tcg-thread multi --timeout $(BENCH_TIMEOUT) -- \
		$(BENCH_DIR)/run-guest -r $(BENCH_RUNS) $(BENCH_ARGS) $(BENCH_OUT)
	$(MAKE) -s bench-report

# Tables and plots again from the last run's raw figures.
bench-report:
	$(BENCH_DIR)/report $(BENCH_OUT) $(BENCH_DOC)
