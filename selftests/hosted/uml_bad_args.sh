#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# uldf_pv, built into the guest's kernel, refuses bad device lists on the
# kernel command line cleanly: a BDF that is no uldf device on the host, a
# malformed one, and the controller named twice (the second open is EBUSY
# after the first device is fully set up, so the boot unwinds a set-up
# device: interrupts, DMA mapping, BAR mappings, fd).  Each guest boots
# with nothing on its bus, says why, and its kernel log stays clean;
# then a guest with the right list works, so the refused ones left the
# host device free.
. "$(dirname "$0")/uml_lib.sh"

uml_require
uml_bind
n=0
for bad in 0000:00:1f.7 junk "$BDF,$BDF"; do
	UML_DEVICES=$bad uml_run ULDF_ACTION=refused
	guest_show 'uldf_pv|GUEST refused'
	[ "$(guest refused)" = yes ] || fail "uldf_pv.devices=$bad was not refused"
	grep -q 'uldf_pv: .*\(cannot open\|is not a BDF\)' "$OUT" ||
		fail "uldf_pv.devices=$bad refused without saying why"
	n=$((n + 1))
done
uml_run ULDF_ACTION=read ULDF_LEN="$IO_LEN"
[ "$(guest driver)" = nvme ] || fail "the right list did not work after the bad ones"
[ -n "$(guest read)" ] || fail "the guest could not read after the bad lists"
note "$n bad lists refused; then the controller works"
exit 0
