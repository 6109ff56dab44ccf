# SPDX-License-Identifier: GPL-2.0
#
# The uldf selftests' library (selftests/uldf/lib: the helpers and the
# test drivers of the testbed's devices) for the programs outside the
# suites that drive those devices too: the benchmarks and the
# reliability tools link TESTLIB_OBJS.  Included by the top-level
# Makefile.  selftests/uldf/Makefile builds the same objects in place
# when it runs first; each build's objects serve the other.
TESTLIB_DIR := selftests/uldf/lib
TESTLIB_OBJS := $(patsubst %.c,%.o,$(sort $(wildcard $(TESTLIB_DIR)/*.c)))
TESTLIB_HDRS := $(sort $(wildcard $(TESTLIB_DIR)/*.h))
TESTLIB_CPPFLAGS := -I$(TESTLIB_DIR)
CLEAN_FILES += $(TESTLIB_OBJS)

$(TESTLIB_OBJS): $(TESTLIB_DIR)/%.o: $(TESTLIB_DIR)/%.c $(TESTLIB_HDRS) \
		include/uapi/linux/uldf.h
	$(CC) $(CFLAGS) $(WARNFLAGS) $(ULDF_CPPFLAGS) -c -o $@ $<
