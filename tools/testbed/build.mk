# SPDX-License-Identifier: GPL-2.0
#
# The testbed (included by the top-level Makefile): the QEMU virtual
# machine every test runs in (vm, with its initramfs from mkinitramfs and
# init), the packages it and the build need (deps.sh), the distribution
# kernel it boots and builds against (kver.sh), the User-Mode Linux kernel
# of the hosted guest (uml/build), and the test runners (check on the
# host, run-tests in the guest).
#
## deps                install with apt what the build and the testbed need
## check               make lint, then every test in the testbed (a few boots)
#
# check: the static checks first, then the whole suite in one boot of the
# testbed and the short boots of their own that a few tests need (see
# check).
#
# Targets that boot the testbed depend on deps (DEPS_GOALS, see the
# top-level Makefile); 'make' alone never runs it.

.PHONY: deps check
deps:
	@tools/testbed/deps.sh

DEPS_GOALS += check
# The hosted-guest tests run the UML kernel, uldf_pv built in (uml-guest).
check: all uml-guest
	tools/testbed/check $(SELFTEST_DIRS)

# In 'make check': selftests/uldf drops into a copy of the distribution
# kernel's tools/testing/selftests and builds there (ksft-dropin-test,
# about 12 s, on this host).
.PHONY: check-host-ksft-dropin
check: check-host-ksft-dropin
check-host-ksft-dropin:
	tools/testbed/ksft-dropin-test
