# SPDX-License-Identifier: GPL-2.0
#
# uldf top-level build.
#
#   make            build the module, the library, tools, examples, tests
#   make deps       install what the build and the testbed need (apt)
#   make check      build, then run every test in one testbed boot
#   make demo       the main job: uldf-nvme on QEMU's NVMe controller
#   make clean
#
# The kernel is the distribution's 6.12 (found by tools/kver.sh).  Warnings
# are errors.

KVER = $(shell tools/kver.sh)
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

.PHONY: all deps module user selftests check demo clean FORCE
all: deps module user selftests

deps:
	@tools/deps.sh

module: deps
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

-include $(sort $(wildcard */build.mk */*/build.mk))

user: $(USER_TARGETS)

selftests: user
	@for d in $(SELFTEST_DIRS); do \
		$(MAKE) -s -C $$d all || exit 1; \
		$(MAKE) -s -C $$d list > $$d/.tests || exit 1; \
	done

check: all
	tools/vm run -- tools/testbed/run-tests $(SELFTEST_DIRS)

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	@for d in $(SELFTEST_DIRS); do $(MAKE) -s -C $$d clean; rm -f $$d/.tests; done
	rm -f $(CLEAN_FILES)

# Until the NVMe driver lands, the demo is the smoke run: boot the testbed,
# bind an edu to uldf and show what the guest sees.
demo: all
	tools/vm run -- sh -c 'lspci -nn; echo; \
		for g in /sys/kernel/iommu_groups/*; do echo "group $${g##*/}: $$(ls $$g/devices)"; done; \
		echo uldf > /sys/bus/pci/devices/0000:00:03.0/driver_override; \
		echo 0000:00:03.0 > /sys/bus/pci/drivers_probe; ls -l /dev/uldf'
