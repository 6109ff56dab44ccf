# SPDX-License-Identifier: GPL-2.0
#
# The hosted guest's tests.
SELFTEST_DIRS += selftests/hosted
