#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# uldf.ko unloads and reloads cleanly, also with a device bound and open
# file descriptors gone, and the kernel log stays free of warnings.
ksft_skip=4
bdf=${ULDF_EDU_BDF:-0000:00:03.0}
# The module the testbed loaded (tools/testbed/vm builds another for --kernel).
ko=${ULDF_KO:-$(cd "$(dirname "$0")/../.." && pwd)/kmod/uldf.ko}

[ "$(id -u)" = 0 ] || { echo "# needs root"; exit $ksft_skip; }
[ -d /sys/bus/pci/drivers/uldf ] || { echo "# uldf.ko not loaded; run through 'make check'"; exit $ksft_skip; }
[ -e /sys/bus/pci/devices/$bdf ] || { echo "# no edu at $bdf; run through 'make check'"; exit $ksft_skip; }

fail() { echo "# FAIL: $*"; exit 1; }
bad() { dmesg | grep -Ec 'WARNING:|BUG:|Oops|Call Trace:'; }
before=$(bad)

echo uldf >/sys/bus/pci/devices/$bdf/driver_override
echo "$bdf" >/sys/bus/pci/drivers_probe
[ -c /dev/uldf/$bdf ] || fail "/dev/uldf/$bdf missing after bind"

for i in 1 2 3; do
	rmmod uldf || fail "rmmod with a bound device ($i)"
	[ ! -e /dev/uldf/$bdf ] || fail "node survived rmmod"
	[ ! -e /sys/bus/pci/devices/$bdf/driver ] || fail "device still bound after rmmod"
	insmod "$ko" || fail "insmod ($i)"
	echo "$bdf" >/sys/bus/pci/drivers_probe
	[ -c /dev/uldf/$bdf ] || fail "no node after reload ($i)"
done
echo "$bdf" >/sys/bus/pci/drivers/uldf/unbind
echo >/sys/bus/pci/devices/$bdf/driver_override

[ "$(bad)" = "$before" ] || fail "kernel log has new warnings"
echo "# module unloaded and reloaded 3 times with a bound device"
exit 0
