# SPDX-License-Identifier: GPL-2.0
#
# uldf top-level build.  Every target, one line each: 'make help' (the
# lines starting with '## ' here and in each build.mk).
#
## all                 build module, library, tools, examples, tests ('make')
## module              uldf.ko, against the distribution's 6.12 headers
## modules_install     uldf.ko into /lib/modules/KVER/updates, then depmod
## install-udev        the udev rule for /dev/uldf/* (root, 0600)
## user                the libraries and user-space programs
## selftests           build the tests and list them in DIR/.tests
## demo                the main job: uldf-nvme on QEMU's NVMe controller
## clean               remove what the build made (not the cache)
## help                this list
#
# 'make' never runs apt and never builds the UML kernel: make deps and
# make check are the testbed's (tools/testbed/build.mk), make lint is
# tools/lint/build.mk's.  The kernel is the distribution's 6.12 (found by
# tools/testbed/kver.sh; plain 'make' needs its headers and source, which
# 'make deps' installs).  Warnings are errors.

KVER = $(shell tools/testbed/kver.sh)
KDIR = /lib/modules/$(KVER)/build

# The release, named in this one file (the module, the DKMS source and the
# packages take it from there).
ULDF_VERSION := $(shell cat VERSION)

CC ?= gcc
CFLAGS ?= -O2 -g
WARNFLAGS := -Wall -Wextra -Werror -Wno-unused-parameter
ULDF_CPPFLAGS := -Iinclude/uapi -Ilibuldf/include -D_GNU_SOURCE

# Components add their user-space targets here (see */build.mk and
# */*/build.mk).
USER_TARGETS :=
CLEAN_FILES :=
SELFTEST_DIRS := selftests/uldf

# Goals that need more than the build does (the testbed, the UML or debug
# kernel, the tools of the benchmarks and the reliability lane): each
# depends on deps, which installs with apt what is missing.  Components
# add theirs here rather than naming deps themselves.
DEPS_GOALS := demo

.PHONY: all module user selftests demo clean clean-user FORCE
all: module user selftests

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# Installing the module, as a driver's 'make install' does: into
# /lib/modules/KVER/updates (which depmod ranks above the distribution's
# own modules), then depmod, so that 'modprobe uldf' finds it.  KVER is the
# testbed's kernel unless given ('make KVER=$$(uname -r) modules_install'
# for the running one).  INSTALL_MOD_PATH (default DESTDIR) stages it under
# another root, and depmod then writes that root's index.  DKMS (dkms.conf)
# and the uldf-dkms package are the way that survives kernel updates.
INSTALL_MOD_PATH ?= $(DESTDIR)
UDEVRULESDIR ?= /lib/udev/rules.d
DEPMOD ?= /sbin/depmod

.PHONY: modules_install install-udev
modules_install: module
	install -D -m 0644 kmod/uldf.ko \
		$(INSTALL_MOD_PATH)/lib/modules/$(KVER)/updates/uldf.ko
	$(DEPMOD) -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KVER)

install-udev:
	install -D -m 0644 udev/60-uldf.rules \
		$(DESTDIR)$(UDEVRULESDIR)/60-uldf.rules

# 'make install' (libuldf/build.mk and the tools add theirs): the module,
# its udev rule, the library and the tools.
install: modules_install install-udev

-include $(sort $(wildcard */build.mk */*/build.mk))

$(DEPS_GOALS): deps

# When such a goal is asked for, deps runs before anything is built, also
# under -j (a first run installs the compiler's libraries and the kernel
# headers).  Plain 'make' never runs it.
ifneq ($(filter $(DEPS_GOALS),$(MAKECMDGOALS)),)
module user selftests $(USER_TARGETS) \
	$(LIBULDF_OBJS) $(LIBULDF_PIC_OBJS): | deps
endif

user: $(USER_TARGETS)

# The list of tests is written for real under 'make -n' too, where a
# sub-make given -n would write the list's command instead.
selftests: user
	@for d in $(SELFTEST_DIRS); do \
		$(MAKE) -s -C $$d all || exit 1; \
		env -u MAKEFLAGS -u MFLAGS $(MAKE) -s -C $$d list \
			> $$d/.tests || exit 1; \
	done

# The '## ' lines of this Makefile, of the testbed's fragment (deps,
# check), then of the other fragments in name order.
HELP_FILES := $(firstword $(MAKEFILE_LIST)) tools/testbed/build.mk
.PHONY: help
help:
	@echo "make TARGET, one of:"
	@sed -n 's/^## /  /p' $(HELP_FILES) \
		$(filter-out $(HELP_FILES),$(MAKEFILE_LIST))

# What the user-space build made, and nothing that needs the kernel's
# headers or source (the Debian packages' clean).
clean-user:
	rm -f $(CLEAN_FILES)

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	@for d in $(SELFTEST_DIRS); do $(MAKE) -s -C $$d clean; rm -f $$d/.tests; done
	rm -f $(CLEAN_FILES)

# The main job: uldf-nvme reads and writes QEMU's NVMe controller in the
# testbed; the data is checked against a disk image outside the VM.
demo: all
	drivers/uldf-nvme/demo.sh
