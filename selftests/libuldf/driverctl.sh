#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Persistent binding is driverctl's job (Documentation/uldf.rst): its
# set-override gives a function to uldf through driver_override, as
# uldfctl bind does, and (without --nosave) saves it for udev to apply at
# every boot.  The testbed has no udev, so this checks the part that runs
# without it, --nosave: set-override binds the edu to uldf and its device
# node appears, list-overrides shows it, unset-override gives it up.
ksft_skip=4
edu=${ULDF_EDU_BDF:-0000:00:03.0}
sys=/sys/bus/pci/devices

[ "$(id -u)" = 0 ] || { echo "# needs root"; exit $ksft_skip; }
[ -d /sys/bus/pci/drivers/uldf ] || { echo "# uldf.ko not loaded; run through 'make check'"; exit $ksft_skip; }
[ -e $sys/$edu ] || { echo "# no edu at $edu; run through 'make check'"; exit $ksft_skip; }
command -v driverctl >/dev/null || { echo "# driverctl not installed; run 'make deps'"; exit $ksft_skip; }
[ -z "$(cat $sys/$edu/driver_override 2>/dev/null | grep -v '(null)')" ] ||
	{ echo "# $edu already has a driver_override"; exit $ksft_skip; }

failed=0
fail() { echo "# FAIL: $*"; failed=1; }
drv() { basename "$(readlink $sys/$1/driver 2>/dev/null)" 2>/dev/null; }

echo "# \$ driverctl --nosave set-override $edu uldf"
driverctl --nosave set-override "$edu" uldf 2>&1 | sed 's/^/#   /'
[ "$(drv "$edu")" = uldf ] || fail "not bound to uldf: '$(drv "$edu")'"
[ -c "/dev/uldf/$edu" ] || fail "no /dev/uldf/$edu"
out=$(driverctl --nosave list-overrides 2>&1)
echo "$out" | sed 's/^/#   list-overrides: /'
echo "$out" | grep -q "^$edu uldf" || fail "list-overrides does not show $edu uldf"

echo "# \$ driverctl --nosave unset-override $edu"
driverctl --nosave unset-override "$edu" 2>&1 | sed 's/^/#   /'
[ "$(drv "$edu")" != uldf ] || fail "still bound to uldf"
[ ! -e "/dev/uldf/$edu" ] || fail "/dev/uldf/$edu still there"
case "$(cat $sys/$edu/driver_override)" in ""|"(null)") ;; *) fail "driver_override left set" ;; esac
exit $failed
