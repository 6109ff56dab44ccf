# SPDX-License-Identifier: GPL-2.0
# The reliability lane (included by the top-level Makefile): the fuzzer
# (uldf-fuzz.c), the stress tests (stress.sh with uldf-victim.c), the
# debug kernel (debug-kernel/), the UML cost figures (host-cost.c,
# uml-cost), and run, which boots the testbed for each and records the
# figures, with guest, its half inside the testbed.
#
## fuzz                uldf-fuzz on every entry point (FUZZ_CALLS, FUZZ_SECONDS)
## stress              SIGKILL, unbind, hot-unplug, open/close abuse (ITER)
## faults              bind/unbind and fuzz, allocations failing (debug kernel)
## fuzz-coverage       uldf.ko's functions reached by uldf-fuzz and trinity
## uml-cost            system call, fault, fork, ptrace: native vs UML guest
## check-debug         check-debug-main, -hosted and -boots (debug kernel)
## check-debug-main    check's suite (no hosted), fuzz, faults, stress, kmemleak
## check-debug-hosted  the hosted-guest tests in a boot of their own, kmemleak
## check-debug-boots   check's two short boots (no IOMMU, no remapping)
## debug-kernel        build (or reuse) the KASAN, lockdep, kmemleak kernel
#
# fuzz runs FUZZ_CALLS calls or FUZZ_SECONDS seconds; faults probes
# PROBE_ROUNDS times.  check-debug-main runs make check's suite but the
# hosted-guest tests, the fuzzer, the fault-injected fuzzer and the stress
# tests, then a kmemleak scan.  DEBUG=1 runs fuzz and stress on the debug
# kernel too.  The results go to
# Documentation/reliability.md.  Every target here depends on deps (the
# testbed, the kernel source, trinity); those that run the UML kernel
# (check-debug-hosted, uml-cost) on uml-guest.
REL_CFLAGS := $(CFLAGS) $(WARNFLAGS) $(ULDF_CPPFLAGS) -pthread
REL_DIR := tools/reliability
REL_PROGS := $(addprefix $(REL_DIR)/,uldf-fuzz uldf-victim host-cost)
USER_TARGETS += $(REL_PROGS)
CLEAN_FILES += $(REL_PROGS)

$(REL_DIR)/host-cost: $(REL_DIR)/host-cost.c
	$(CC) $(CFLAGS) $(WARNFLAGS) -static -o $@ $<

# The fuzzer and the victim know edu through the selftests' library
# (selftests/build.mk).
$(REL_DIR)/uldf-fuzz $(REL_DIR)/uldf-victim: $(REL_DIR)/%: $(REL_DIR)/%.c \
		include/uapi/linux/uldf.h $(TESTLIB_OBJS) $(TESTLIB_HDRS)
	$(CC) $(REL_CFLAGS) $(TESTLIB_CPPFLAGS) -o $@ $< $(TESTLIB_OBJS)

FUZZ_CALLS ?= 1000000
FUZZ_SECONDS ?= 900
ITER ?= 1000
PROBE_ROUNDS ?= 100
REL_VM_OPTS = $(if $(DEBUG),--kernel $$($(REL_DIR)/debug-kernel/build))
# The testbed's time limit: the fuzzer's own limit plus 90 minutes for
# boot, binding, probing and the checks around it; check-debug runs the
# whole suite (over half an hour on the debug kernel), the fuzzer twice
# and the stress tests.
FUZZ_VM_TIMEOUT ?= $$(( $(FUZZ_SECONDS) + 5400 ))
CHECK_DEBUG_VM_TIMEOUT ?= $$(( 2 * $(CHECK_DEBUG_FUZZ_SECONDS) + 4 * 3600 ))

.PHONY: fuzz stress check-debug debug-kernel
DEPS_GOALS += fuzz stress check-debug check-debug-main check-debug-hosted \
	check-debug-boots debug-kernel fuzz-coverage uml-cost faults
debug-kernel:
	$(REL_DIR)/debug-kernel/build

fuzz: all $(if $(DEBUG),debug-kernel)
	$(REL_DIR)/run fuzz $(REL_VM_OPTS) --timeout $(FUZZ_VM_TIMEOUT) -- \
		FUZZ_CALLS=$(FUZZ_CALLS) FUZZ_SECONDS=$(FUZZ_SECONDS)

stress: all $(if $(DEBUG),debug-kernel)
	$(REL_DIR)/run stress $(REL_VM_OPTS) -- ITER=$(ITER)

# The hosted-guest tests boot User-Mode Linux guests, whose system calls
# and page faults are host ptrace stops; on the debug kernel those cost
# 74 to 181 times the distribution kernel's under one TCG thread, 44 to
# 126 times under two (make uml-cost; Documentation/reliability.md).  So
# check-debug gives them a boot of their own with a TCG thread per vCPU;
# the rest keeps the testbed's default of one.
HOSTED_DIRS = $(filter selftests/hosted,$(SELFTEST_DIRS))
HOSTED_DEBUG_VM_TIMEOUT ?= $$(( 4 * 3600 ))
# Each part is a target of its own, so a part can be rerun alone.  The
# fuzzer and the fault-injected fuzzer run CHECK_DEBUG_FUZZ_SECONDS each
# and the stress tests CHECK_DEBUG_ITER times, not FUZZ_SECONDS and ITER
# ('make fuzz', 'make faults', 'make stress'), to keep them to minutes on
# this slow kernel; the long runs are those targets' own.
CHECK_DEBUG_FUZZ_SECONDS ?= 300
CHECK_DEBUG_ITER ?= 100
.PHONY: check-debug-main check-debug-hosted check-debug-boots
# -k: every part runs, and any failing part fails the target.  With -j
# the parts, each a testbed VM of its own, run side by side ('make -j3 -O
# check-debug'); main and boots keep one host thread busy each and hosted
# two, so that is for a host with four cores or more: on fewer the
# hosted part loses the second thread it was given.
check-debug: all debug-kernel
	@$(MAKE) --no-print-directory -k check-debug-main \
		$(if $(HOSTED_DIRS),check-debug-hosted) check-debug-boots

check-debug-main: all debug-kernel
	$(REL_DIR)/run check-debug --kernel $$($(REL_DIR)/debug-kernel/build) \
		--timeout $(CHECK_DEBUG_VM_TIMEOUT) -- \
		FUZZ_CALLS=$(FUZZ_CALLS) FUZZ_SECONDS=$(CHECK_DEBUG_FUZZ_SECONDS) \
		ITER=$(CHECK_DEBUG_ITER) PROBE_ROUNDS=$(PROBE_ROUNDS) \
		SELFTEST_DIRS="$(filter-out $(HOSTED_DIRS),$(SELFTEST_DIRS))"

check-debug-hosted: all debug-kernel uml-guest
	ULDF_TCG_THREAD=multi $(REL_DIR)/run check-debug-hosted \
		--kernel $$($(REL_DIR)/debug-kernel/build) --profile hosted \
		--timeout $(HOSTED_DEBUG_VM_TIMEOUT) -- \
		SELFTEST_DIRS="$(HOSTED_DIRS)"

check-debug-boots: all debug-kernel
	ULDF_CHECK_BOOTS="noiommu nointremap" \
	ULDF_CHECK_VM_OPTS="--kernel $$($(REL_DIR)/debug-kernel/build)" \
		tools/testbed/check $(SELFTEST_DIRS)

# Which of uldf.ko's functions uldf-fuzz and trinity each reach with
# COV_CALLS calls (ftrace function probes, on the distribution kernel).
COV_CALLS ?= 20000
.PHONY: fuzz-coverage
fuzz-coverage: all
	$(REL_DIR)/run coverage --timeout $(FUZZ_VM_TIMEOUT) -- \
		FUZZ_CALLS=$(COV_CALLS) FUZZ_SECONDS=$(FUZZ_SECONDS)

# What a system call, a page fault, a fork and a ptrace round trip cost
# natively and inside a UML guest (figures only; DEBUG=1: debug kernel).
.PHONY: uml-cost
uml-cost: all uml-guest $(if $(DEBUG),debug-kernel)
	tools/testbed/vm run --no-module $(REL_VM_OPTS) --timeout 3600 -- \
		$(REL_DIR)/uml-cost

.PHONY: faults
faults: all debug-kernel
	$(REL_DIR)/run faults --kernel $$($(REL_DIR)/debug-kernel/build) \
		--timeout $(FUZZ_VM_TIMEOUT) -- \
		FUZZ_CALLS=$(FUZZ_CALLS) FUZZ_SECONDS=$(FUZZ_SECONDS) \
		PROBE_ROUNDS=$(PROBE_ROUNDS)
