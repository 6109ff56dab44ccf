#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two functions in one guest: the NVMe controller and QEMU's edu (for
# which the guest has no driver) in slots 0 and 1 of the guest's bus.
# The guest's lspci shows both with their real IDs, edu's 1 MiB BAR is
# assigned in the bus window next to the controller's, and the controller
# works.  The two share one DMA space on the host (ULDF_DMA_JOIN): the
# UML process's VmLck and the host's pinned pages are one copy of guest
# RAM, not two.  Killed with SIGKILL while the controller is busy, the
# guest leaves both functions free, bus mastering off, no uldf interrupt
# and no page pinned.  (The KUnit run, uml_kunit.sh, has edu's DMA engine
# and the controller work in one such shared space.)
. "$(dirname "$0")/uml_lib.sh"

EDU=${ULDF_EDU_BDF:-0000:00:03.0}

uml_require
[ -e "/sys/bus/pci/devices/$EDU" ] || skip "no edu at $EDU; run through 'make check'"
uml_bind
uml_bind "$EDU"
pins0=$(pins)
UML_DEVICES=$BDF,$EDU uml_start ULDF_ACTION=busy
uml_wait_busy
sed -i 's/\r$//' "$OUT"
guest_show '^GUEST pci|uldf_pv: (host|.*DMA)'
for pair in "$BDF 01:00.0" "$EDU 01:01.0"; do
	set -- $pair
	want=$(lspci -n -s "$1" | cut -d' ' -f2-)
	got=$(sed -n "s/^GUEST pci $2 //p" "$OUT")
	[ -n "$want" ] && [ "$want" = "$got" ] ||
		fail "the guest's $2 is not host $1 ($got, want $want)"
done
grep -q 'pci 0000:01:01.0: BAR 0 \[mem 0xc[0-9a-f]*-0xc[0-9a-f]*\]: assigned' "$OUT" ||
	fail "edu's BAR was not assigned in the bus window"
note "both functions on the guest's bus; the controller is busy reading"

# One copy of guest RAM: "guest RAM FIRST-LAST mapped for DMA" once, and
# the second device in the first's space.
grep -q "uldf_pv: $EDU: shares $BDF's DMA space" "$OUT" ||
	fail "edu did not join the controller's DMA space"
range=$(sed -n "s/.*uldf_pv: $BDF: guest RAM \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\) mapped.*/\1 \2/p" "$OUT")
[ -n "$range" ] || fail "no guest RAM mapping in the guest's log"
read -r first last <<<"$range"
ram_kb=$(( (last - first + 1) >> 10 ))
pid=$(uml_kernel_pid)
[ -n "$pid" ] || fail "cannot find the UML kernel process"
vmlck=$(awk '/^VmLck:/ { print $2 }' "/proc/$pid/status")
pinned=$(( $(pins) - pins0 ))
note "guest RAM $ram_kb kB; UML's VmLck $vmlck kB; $pinned pages pinned"
[ "$vmlck" = "$ram_kb" ] || fail "VmLck is $vmlck kB, not one copy of guest RAM ($ram_kb kB)"
[ "$pinned" = $((ram_kb / 4)) ] || fail "$pinned pages pinned, not one copy of guest RAM ($((ram_kb / 4)))"
note "two devices, one copy of guest RAM pinned and charged"

uml_check_log
uml_kill_wait
uml_check_released "$pins0" "$BDF" "$EDU"
note "killed: both functions free, bus mastering off, no uldf interrupt, no pin"
exit 0
