# SPDX-License-Identifier: GPL-2.0
#
# Static checks of the kernel code (included by the top-level Makefile);
# 'make check' runs them first, as test cases of its summary.
#
## sparse              sparse on uldf.ko and the UML guest's uldf_pv
## checkpatch          checkpatch.pl --strict on both modules' sources
## lint                sparse and checkpatch
#
# Each fails if its tool reports anything (see tools/lint/run).  They
# depend on deps (sparse, the kernel source for checkpatch.pl).

.PHONY: sparse checkpatch lint
DEPS_GOALS += sparse checkpatch lint

# After the builds of both modules, so that no two kbuilds share a
# directory at once under make -j.
sparse: module uml-guest
	tools/lint/run sparse-kmod sparse-uml

checkpatch:
	tools/lint/run checkpatch

lint: module uml-guest
	tools/lint/run
