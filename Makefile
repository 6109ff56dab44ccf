# SPDX-License-Identifier: GPL-2.0
#
# uldf top-level build.
#
#   make            build the module, the library, tools, examples, tests
#   make deps       install what the build and the testbed need (apt)
#   make check      build, run the static checks (make lint), then every
#                   test in one testbed boot
#   make lint       sparse and checkpatch on the kernel code (make sparse,
#                   make checkpatch: one of them)
#   make demo       the main job: uldf-nvme on QEMU's NVMe controller
#   make clean
#
# deps and check are the testbed's (tools/testbed/build.mk).  The kernel is
# the distribution's 6.12 (found by tools/testbed/kver.sh).  Warnings are
# errors.

KVER = $(shell tools/testbed/kver.sh)
KDIR = /lib/modules/$(KVER)/build

CC ?= gcc
CFLAGS ?= -O2 -g
WARNFLAGS := -Wall -Wextra -Werror -Wno-unused-parameter
ULDF_CPPFLAGS := -Iinclude/uapi -Ilibuldf/include -D_GNU_SOURCE

# Components add their user-space targets here (see */build.mk and
# */*/build.mk).
USER_TARGETS :=
CLEAN_FILES :=
SELFTEST_DIRS := selftests/uldf

.PHONY: all module user selftests demo clean FORCE
all: deps module user selftests

module: deps
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

-include $(sort $(wildcard */build.mk */*/build.mk))

user: $(USER_TARGETS)

selftests: user
	@for d in $(SELFTEST_DIRS); do \
		$(MAKE) -s -C $$d all || exit 1; \
		$(MAKE) -s -C $$d list > $$d/.tests || exit 1; \
	done

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	@for d in $(SELFTEST_DIRS); do $(MAKE) -s -C $$d clean; rm -f $$d/.tests; done
	rm -f $(CLEAN_FILES)

# The main job: uldf-nvme reads and writes QEMU's NVMe controller in the
# testbed; the data is checked against a disk image outside the VM.
demo: all
	drivers/uldf-nvme/demo.sh
