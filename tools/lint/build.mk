# SPDX-License-Identifier: GPL-2.0
#
# Static checks of the kernel code (included by the top-level Makefile);
# 'make check' runs them first, as test cases of its summary.
#
#   make sparse      sparse on uldf.ko and on the UML guest's uldf_pv.ko
#   make checkpatch  checkpatch.pl --strict on their sources
#   make lint        both
#
# Each fails if its tool reports anything (see tools/lint/run).

.PHONY: sparse checkpatch lint

# After the builds of both modules, so that no two kbuilds share a
# directory at once under make -j.
sparse: deps module uml-guest
	tools/lint/run sparse-kmod sparse-uml

checkpatch: deps
	tools/lint/run checkpatch

lint: deps module uml-guest
	tools/lint/run
