# SPDX-License-Identifier: GPL-2.0
#
# The hosted guest: the User-Mode Linux kernel (tools/testbed/uml/build,
# cached by its config fragment and source), uldf_pv.ko built against it,
# and the hosted-guest tests.  The kernel is copied next to the module so
# that the testbed, which shares this tree, can run it.
#
## uml-guest           the hosted guest's UML kernel (cached) and uldf_pv.ko
#
# Not part of 'make': the targets that run the UML kernel (check,
# check-debug-hosted, uml-cost) or check uldf_pv.ko (lint, sparse) depend
# on uml-guest; 'make' builds the hosted-guest tests alone.

.PHONY: uml-guest
DEPS_GOALS += uml-guest
SELFTEST_DIRS += selftests/hosted
CLEAN_FILES += vmm-glue/uml/linux

uml-guest:
	@d=$$(tools/testbed/uml/build) && \
	$(MAKE) -s -C $$d ARCH=um M=$(CURDIR)/vmm-glue/uml modules && \
	{ cmp -s $$d/linux vmm-glue/uml/linux || cp $$d/linux vmm-glue/uml/linux; }
