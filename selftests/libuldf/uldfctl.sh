#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# uldfctl as an administrator meets it: list with names, bind and unbind
# (giving an NVMe controller back to the kernel's nvme driver), info, and
# the messages for a missing module, a non-viable IOMMU group, a device in
# use and a bad address.
ksft_skip=4
top=$(cd "$(dirname "$0")/../.." && pwd)
ctl=$top/tools/uldfctl/uldfctl
edu=${ULDF_EDU_BDF:-0000:00:03.0}
nvme=${ULDF_NVME_BDF:-0000:00:05.0}
# An ICH9 IOMMU group of the q35 machine: three functions.
grp_a=0000:00:1f.2
grp_b=0000:00:1f.3
sys=/sys/bus/pci/devices

[ "$(id -u)" = 0 ] || { echo "# needs root"; exit $ksft_skip; }
[ -d /sys/bus/pci/drivers/uldf ] || { echo "# uldf.ko not loaded; run through 'make check'"; exit $ksft_skip; }
[ -e $sys/$edu ] || { echo "# no edu at $edu; run through 'make check'"; exit $ksft_skip; }

failed=0
fail() { echo "# FAIL: $*"; failed=1; }
drv() { basename "$(readlink $sys/$1/driver 2>/dev/null)" 2>/dev/null; }
# run CMD...: output in $out, status in $rc
run() { out=$("$@" 2>&1); rc=$?; echo "$out" | sed 's/^/#   /'; }
expect() { # expect RC TEXT: last run's status and a substring of its output
	[ "$rc" = "$1" ] || fail "'$cmd': status $rc, expected $1"
	case "$out" in *"$2"*) ;; *) fail "'$cmd': no '$2' in the output" ;; esac
}
step() { cmd="$*"; echo "# \$ uldfctl $*"; run "$ctl" "$@"; }

step list
expect 0 "$edu  1234:11e8"
expect 0 "QEMU NVM Express Controller"
step list -d 1b36:0010
[ "$(echo "$out" | grep -c '^0000:')" = 2 ] || fail "list -d: not 2 NVMe lines"
step list -c 0108
expect 0 "$nvme"
echo "$out" | grep -q "$edu" && fail "list -c 0108 shows the edu"
step list 00:1e.7
expect 1 "no PCI device"

step bind "$edu"
expect 0 "bound to uldf as /dev/uldf/$edu"
expect 0 "to bind it at every boot: driverctl set-override $edu uldf"
[ "$(drv $edu)" = uldf ] || fail "edu not bound to uldf"
[ -c /dev/uldf/$edu ] || fail "no /dev/uldf/$edu"
step bind "$edu"
expect 0 "already bound to uldf"

step info "$edu"
expect 0 "BAR0         memory 1 MiB"
expect 0 "INTx 1, MSI 1, MSI-X 0"
expect 0 "IOMMU"

# A device in use: named by PID, kept unless forced.
sh -c "exec 3<>/dev/uldf/$edu; exec sleep 60" &
holder=$!
for i in 1 2 3 4 5 6 7 8 9 10; do
	[ -e /proc/$holder/fd/3 ] && break
	sleep 0.2
done
step unbind "$edu"
expect 1 "in use by PID $holder (sleep)"
[ "$(drv $edu)" = uldf ] || fail "unbind without -f unbound a device in use"
step info "$edu"
expect 0 "in use by PID $holder"
step bind "$edu"
expect 0 "in use by PID $holder"
kill $holder; wait $holder 2>/dev/null

step unbind "$edu"
expect 0 "unbound from uldf"
[ -z "$(drv $edu)" ] || fail "edu still bound after unbind"
step unbind "$edu"
expect 0 "not bound to uldf"
step bind 00:03.0
expect 0 "$edu: bound to uldf as /dev/uldf/$edu"
step unbind 00:03.0
expect 0 "$edu: unbound from uldf"

# Back to the previous driver.
modprobe nvme 2>/dev/null
for i in $(seq 50); do [ "$(drv $nvme)" = nvme ] && break; sleep 0.2; done
if [ "$(drv $nvme)" = nvme ]; then
	step bind "$nvme"
	expect 0 "(was nvme)"
	[ "$(drv $nvme)" = uldf ] || fail "nvme controller not bound to uldf"
	step unbind "$nvme"
	expect 0 "back with nvme"
	[ "$(drv $nvme)" = nvme ] || fail "nvme controller not given back to nvme"
else
	fail "the nvme driver did not take $nvme"
fi

# A group that is not viable: one function bound to vfio-pci.  (Only
# where both functions start without a driver: a kernel with the AHCI and
# SMBus drivers built in, such as the debug kernel, holds them already.)
if [ -n "$(drv $grp_a)$(drv $grp_b)" ]; then
	echo "# not-viable check not run: $grp_a/$grp_b are bound to $(drv $grp_a) $(drv $grp_b) on this kernel"
elif [ -e $sys/$grp_a ] && [ -e $sys/$grp_b ] &&
   [ "$(readlink $sys/$grp_a/iommu_group)" = "$(readlink $sys/$grp_b/iommu_group)" ]; then
	modprobe vfio-pci 2>/dev/null
	echo vfio-pci >$sys/$grp_a/driver_override
	echo $grp_a >/sys/bus/pci/drivers_probe 2>/dev/null
	if [ "$(drv $grp_a)" = vfio-pci ]; then
		step bind "$grp_b"
		expect 1 "is not viable: $grp_a (vfio-pci)"
		[ -z "$(drv $grp_b)" ] || fail "$grp_b was bound anyway"
		step list "$grp_b"
		expect 0 " no  "
		step info "$grp_b"
		expect 0 "not viable ($grp_a (vfio-pci))"
	else
		fail "vfio-pci did not take $grp_a"
	fi
	echo $grp_a >$sys/$grp_a/driver/unbind 2>/dev/null
	echo >$sys/$grp_a/driver_override
else
	fail "no multi-function IOMMU group at $grp_a/$grp_b"
fi

# Bad input.
step bind 00:03
expect 2 "bad BDF '00:03'"
step frobnicate
expect 2 "unknown command"

# No module: say how to load it.
if rmmod uldf; then
	step bind "$edu"
	expect 1 "modprobe uldf"
	# The module the testbed loaded (another one under --kernel).
	insmod "${ULDF_KO:-$top/kmod/uldf.ko}" || fail "cannot reload uldf.ko"
else
	fail "cannot unload uldf to test the message"
fi

[ $failed = 0 ] && echo "# uldfctl: all checks passed"
exit $failed
