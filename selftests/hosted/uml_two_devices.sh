#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two functions in one guest: the NVMe controller and QEMU's edu (for
# which the guest has no driver) in slots 0 and 1 of the guest's bus.
# The guest's lspci shows both with their real IDs, edu's 1 MiB BAR is
# assigned in the bus window next to the controller's, and the controller
# still works.
. "$(dirname "$0")/uml_lib.sh"

EDU=${ULDF_EDU_BDF:-0000:00:03.0}

uml_require
[ -e "/sys/bus/pci/devices/$EDU" ] || skip "no edu at $EDU; run through 'make check'"
uml_bind
uml_bind "$EDU"
UML_DEVICES=$BDF,$EDU uml_run ULDF_ACTION=read ULDF_LEN="$IO_LEN"
guest_show '^GUEST pci|uldf_pv: host'
for pair in "$BDF 01:00.0" "$EDU 01:01.0"; do
	set -- $pair
	want=$(lspci -n -s "$1" | cut -d' ' -f2-)
	got=$(sed -n "s/^GUEST pci $2 //p" "$OUT")
	[ -n "$want" ] && [ "$want" = "$got" ] ||
		fail "the guest's $2 is not host $1 ($got, want $want)"
done
grep -q 'pci 0000:01:01.0: BAR 0 \[mem 0xc[0-9a-f]*-0xc[0-9a-f]*\]: assigned' "$OUT" ||
	fail "edu's BAR was not assigned in the bus window"
[ -n "$(guest read)" ] || fail "the controller does not work next to edu"
note "both functions on the guest's bus; the controller reads"
exit 0
