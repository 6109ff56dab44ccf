# SPDX-License-Identifier: GPL-2.0
#
# The hosted guest: the User-Mode Linux kernel with uldf's paravirtual PCI
# host built in (tools/testbed/uml/build: cached by its config fragment and
# source, uldf_pv's sources rebuilt into it incrementally), the same
# sources built as uldf_pv.ko against it (from the one Kbuild,
# vmm-glue/uml/Kbuild; the tests use the built-in one), and the
# hosted-guest tests.  The kernel is copied to vmm-glue/uml/linux so that
# the testbed, which shares this tree, can run it.
#
## uml-guest           the hosted guest's UML kernel, uldf_pv built in (cached), and uldf_pv.ko
#
# Not part of 'make': the targets that run the UML kernel (check,
# check-debug-hosted, uml-cost) or check uldf_pv (lint, sparse) depend on
# uml-guest; 'make' builds the hosted-guest tests alone.

.PHONY: uml-guest
DEPS_GOALS += uml-guest
SELFTEST_DIRS += selftests/hosted
CLEAN_FILES += vmm-glue/uml/linux

# The module builds under a shared hold of the kernel build's lock, so that
# no other tree's rebuild of the kernel (tools/testbed/uml/build) runs
# meanwhile.  The KUnit suite is built in only (it DMAs to a page of the
# kernel image): not in the module.
uml-guest:
	@d=$$(tools/testbed/uml/build $(CURDIR)/vmm-glue/uml/linux) && \
	flock -s $$d.lock $(MAKE) -s -C $$d ARCH=um M=$(CURDIR)/vmm-glue/uml \
		CONFIG_ULDF_PV=m CONFIG_ULDF_PV_KUNIT_TEST= modules
