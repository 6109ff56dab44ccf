#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Multiple MSI in the hosted guest: the testbed's NEC xHCI controller with
# MSI-X off (16 MSI vectors, --profile hosted) passed through by uldf-uml
# to the guest's stock xhci_hcd.  The driver must bind on MSI, not MSI-X
# nor INTx, with as many vectors as it asks for (min(CPUs + 1, its
# interrupters): 2 in a one-CPU UML guest), each a guest interrupt of its
# own and a host vector of its own (uldf's MSI vectors of the function on
# the host, while the guest runs); and its interrupts count: the root hub
# comes up and the usb-hub behind the controller enumerates, which takes
# command completions and transfer events.
. "$(dirname "$0")/uml_lib.sh"

LAUNCHER=$top/tools/uldf-uml/uldf-uml
XHCI=${ULDF_XHCI_BDF:-0000:00:14.0}
GUEST_BDF=0000:01:00.0

uml_require
[ -x "$LAUNCHER" ] || skip "uldf-uml not built; run 'make'"
[ "$(cat "/sys/bus/pci/devices/$XHCI/device" 2>/dev/null)" = 0x0194 ] ||
	skip "no nec-usb-xhci at $XHCI; boot the testbed with --profile hosted"

# The guest: wait for the hub (1-1) to enumerate, report, and stay a
# moment so that the host's vectors can be seen open.
guest_cmd='d=/sys/bus/pci/devices/'$GUEST_BDF'
i=0
while [ ! -e /sys/bus/usb/devices/1-1 ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
echo "GUEST driver $(basename "$(readlink $d/driver)")"
for f in $d/msi_irqs/*; do [ -e "$f" ] && echo "GUEST msi_irq ${f##*/} $(cat $f)"; done
echo "GUEST usb $(ls /sys/bus/usb/devices | tr "\n" " ")"
grep -E "xhci|uldf-pv" /proc/interrupts | sed "s/^/GUEST irq /"
echo "GUEST ready"
sleep 5'

uml_bind "$XHCI"
pins_before=$(pins)
rc=0
timeout -s KILL "$UML_TIMEOUT" "$LAUNCHER" -d "$XHCI" -- sh -c "$guest_cmd" \
	>"$OUT" 2>&1 </dev/null &
pid=$!
for _ in $(seq "$UML_TIMEOUT"); do
	grep -q '^GUEST ready' "$OUT" && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 1
done
host_vecs=$(grep -c "uldf-msi[0-9]*\[$XHCI\]" /proc/interrupts || true)
host_lines=$(grep "uldf-[a-z]*[0-9]*\[$XHCI\]" /proc/interrupts || true)
wait "$pid" || rc=$?
sed -i 's/\r$//' "$OUT"
[ $rc = 0 ] || {
	tail -n 40 "$OUT" | sed 's/^/#   /'
	fail "the guest failed (status $rc)"
}
uml_check_log
guest_show '^GUEST'

[ "$(guest driver)" = xhci_hcd ] || fail "the guest's xhci_hcd did not bind"
nmsi=$(grep -c '^GUEST msi_irq [0-9]* msi$' "$OUT" || true)
grep -q '^GUEST msi_irq [0-9]* msix$' "$OUT" && fail "the guest's xhci_hcd is on MSI-X"
[ "$nmsi" -gt 0 ] || fail "the guest's xhci_hcd is not on MSI (INTx?)"
[ "$(guest_irqs 'uldf-pv-INTx')" = 0 ] || fail "INTx used while MSI is on"
[ "$nmsi" -ge 2 ] || fail "the guest's xhci_hcd got $nmsi MSI vector, not 2 or more"
note "the guest's xhci_hcd bound on MSI with $nmsi vectors"

n=$(guest_irqs 'uldf-pv-PCI-MSI.*xhci')
[ "$n" -gt 0 ] || fail "no MSI interrupt of xhci_hcd counted in the guest"
guest usb | grep -q 'usb1 ' || fail "the guest's root hub did not come up"
guest usb | grep -q '1-1 ' || fail "the usb-hub behind the controller did not enumerate"
note "$n MSI interrupts of xhci_hcd in the guest; the root hub and the usb-hub enumerated"

echo "$host_lines" | sed 's/^/#   host: /'
[ "$host_vecs" = "$nmsi" ] ||
	fail "the host had $host_vecs uldf MSI vectors of $XHCI open, the guest $nmsi"
note "the host opened $host_vecs MSI vectors of $XHCI, one per guest vector"

# Nothing left behind on the host.
sleep 1
[ "$(pins)" -le "$pins_before" ] || fail "pages still pinned on the host"
grep -q "uldf-.*\[$XHCI\]" /proc/interrupts && fail "a uldf interrupt of $XHCI is still requested"
exit 0
