#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two functions of different kinds in one guest, both busy: the NVMe
# controller (the guest's nvme driver) and, on the testbed's hosted
# profile, the AHCI controller (its ahci driver), each read over and over
# by the guest.  They share one DMA space on the host (one copy of guest
# RAM pinned).  SIGKILL to the UML kernel then leaves both functions free,
# bus mastering off on both, no uldf interrupt and no page pinned.
. "$(dirname "$0")/uml_lib.sh"

AHCI=${ULDF_AHCI_BDF:-0000:00:0c.0}

uml_require
[ -e "/sys/bus/pci/devices/$AHCI" ] ||
	skip "no AHCI controller at $AHCI (the testbed's hosted profile has one)"
uml_bind
uml_bind "$AHCI"
pins0=$(pins)
UML_DEVICES=$BDF,$AHCI uml_start ULDF_ACTION=busy ULDF_BUSY_ALSO=/dev/sda
uml_wait_busy
sleep 3
sed -i 's/\r$//' "$OUT"
grep -q "uldf_pv: $AHCI: shares $BDF's DMA space" "$OUT" ||
	fail "the AHCI controller did not join the NVMe controller's DMA space"
for b in "$BDF" "$AHCI"; do
	device_free "$b" && fail "$b: the device fd is not held while the guest runs"
	n=$(grep -c "uldf-.*\[$b\]" /proc/interrupts)
	[ "$n" -gt 0 ] || fail "$b: no uldf interrupt while the guest reads from it"
done
note "running: both controllers busy, $(( $(pins) - pins0 )) pages pinned (one copy of guest RAM)"

uml_check_log
uml_kill_wait
uml_check_released "$pins0" "$BDF" "$AHCI"
note "killed during I/O on both: both free, bus mastering off, no uldf interrupt, no pin"
exit 0
