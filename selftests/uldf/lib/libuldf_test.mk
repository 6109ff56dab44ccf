# SPDX-License-Identifier: GPL-2.0
#
# The uldf selftests' library, included by ../Makefile after lib.mk: each
# lib/*.c compiled once into $(OUTPUT)/lib/ and linked into every test
# program.  The library needs nothing outside this directory but the uAPI
# header and libc, so the suite still builds as
# tools/testing/selftests/uldf/ of a kernel tree.
ULDF_TEST_LIB_C := $(sort $(wildcard lib/*.c))
ULDF_TEST_LIB_H := $(sort $(wildcard lib/*.h))
ULDF_TEST_LIB_O := $(patsubst %.c,$(OUTPUT)/%.o,$(ULDF_TEST_LIB_C))

CFLAGS += -I$(CURDIR)/lib
LOCAL_HDRS += $(ULDF_TEST_LIB_H)

$(ULDF_TEST_LIB_O): $(OUTPUT)/lib/%.o: lib/%.c $(ULDF_TEST_LIB_H)
	$(call msg,CC,,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(COMPILE.c) $< -o $@

# lib.mk's rule links the prerequisites but those in LOCAL_HDRS.
$(TEST_GEN_PROGS): $(ULDF_TEST_LIB_O) $(ULDF_TEST_LIB_H)

EXTRA_CLEAN += $(ULDF_TEST_LIB_O)
