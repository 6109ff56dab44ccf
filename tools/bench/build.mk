# SPDX-License-Identifier: GPL-2.0
#
# Benchmarks of uldf against vfio-pci and uio_pci_generic (included by the
# top-level Makefile).
#
## bench               interrupts, DMA, open: uldf, vfio-pci, uio_pci_generic
## bench-floor         the benchmarks' in-kernel floor module (tools/bench/floor)
## bench-report        bench's tables and plots again from its last figures
#
# bench builds, runs every benchmark in one testbed boot, then writes
# Documentation/benchmarks/results.md, the raw figures and the plots.
#
# BENCH_RUNS sets the number of runs per figure (frameworks alternate run
# by run); BENCH_ARGS passes options to the guest script (see run-guest;
# the default -p adds perf profiles).
#
# BENCH_LANE=icount|wallclock|both (default both): one boot per lane.  The
# icount lane (tools/testbed/vm --icount BENCH_ICOUNT_SHIFT, one TCG
# thread) gives deterministic guest time, counting guest instructions only;
# its ratios are the goals' figures.  The wall-clock lane (a host thread
# per vCPU) includes the emulated hardware's cost and the host's noise.
# Each boot also runs the floor module (tools/bench/floor), the same
# operations done inside the kernel.

BENCH_DIR := tools/bench
BENCH_PROGS := $(addprefix $(BENCH_DIR)/bench-,intx msi dma open close)
BENCH_OUT := $(BENCH_DIR)/out
BENCH_DOC := Documentation/benchmarks
BENCH_RUNS ?= 7
BENCH_TIMEOUT ?= 1700
BENCH_ARGS ?= -p
BENCH_LANE ?= both
BENCH_ICOUNT_SHIFT ?= 3
BENCH_LANES := $(if $(filter both,$(BENCH_LANE)),icount wallclock,$(BENCH_LANE))
BENCH_VM_icount := --icount $(BENCH_ICOUNT_SHIFT) --tcg-thread single
BENCH_VM_wallclock := --tcg-thread multi
BENCH_FLOOR := $(BENCH_DIR)/floor

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

.PHONY: bench bench-report bench-floor
# All depend on deps (the testbed, perf, gnuplot, the kernel's headers).
DEPS_GOALS += bench bench-report bench-floor

# The floor module, against the testbed's kernel as uldf.ko is.
bench-floor:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(BENCH_FLOOR) modules
CLEAN_FILES += $(addprefix $(BENCH_FLOOR)/,*.o *.ko *.mod *.mod.c .*.cmd \
	modules.order Module.symvers)

# The commit the figures are of (-dirty: with changes outside the
# benchmarks' own output), for the report's repeatability table.
BENCH_SOURCE = r=$$(git rev-parse --short=12 HEAD 2>/dev/null) || r=unknown; \
	git diff --quiet HEAD -- . ':!$(BENCH_DOC)' 2>/dev/null || r=$$r-dirty; \
	echo $$r

# One boot per lane, OUT/LANE/ each.
bench: all bench-floor
	$(if $(filter-out icount wallclock,$(BENCH_LANES)),\
		$(error BENCH_LANE: icount, wallclock or both))
	rm -rf $(BENCH_OUT)
	$(foreach l,$(BENCH_LANES),mkdir -p $(BENCH_OUT)/$(l) && \
		tools/testbed/vm run $(BENCH_VM_$(l)) --timeout $(BENCH_TIMEOUT) -- \
		$(BENCH_DIR)/run-guest -l $(l) -r $(BENCH_RUNS) $(BENCH_ARGS) \
		$(BENCH_OUT)/$(l) && \
		echo "source: $$($(BENCH_SOURCE))" >>$(BENCH_OUT)/$(l)/env.txt &&) true
	$(MAKE) -s bench-report

# Tables and plots again from the last run's raw figures.
bench-report:
	$(BENCH_DIR)/report $(BENCH_OUT) $(BENCH_DOC)
