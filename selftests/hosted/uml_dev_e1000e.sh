#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Device matrix, NIC: QEMU's e1000e (testbed profile "hosted", 00:10.0)
# passed through to the User-Mode Linux guest, where the stock e1000e
# binds it, on MSI-X (its rx, tx and other vectors), then asked for MSI
# (e1000e.IntMode=1).  Each time 128 KiB of random bytes the guest sends
# in raw Ethernet frames arrive intact at the testbed's own NIC
# (virtio_net, the only other port of the isolated QEMU hub), and 128 KiB
# that NIC sends arrive intact in the guest.  (INTx: uml_dev_intx.sh.)
#
# Asked for MSI, e1000e tests the vector when the interface comes up (an
# Interrupt Cause Set write, then 100 ms for the interrupt), and QEMU's
# e1000e (7.2) does not send it: the driver falls back to INTx.  The
# testbed's own e1000e does the same on the same function (checked here
# at the end), so it is the model's doing, not the passthrough's.
. "$(dirname "$0")/uml_dev_lib.sh"

msi_fails='MSI interrupt test failed, using legacy interrupt'
bdf=0000:00:10.0

dev_row e1000e $bdf e1000e nic 52:54:00:00:10:00 52:54:00:00:12:00
dev_require
uml_bind_rows
dev_run msix
n=$(grep -c '^GUEST irq .*uldf-pv-PCI-MSI' "$OUT")
[ "$n" -ge 3 ] || fail "e1000e used $n MSI-X vectors, not its three"
note "e1000e: $n MSI-X vectors"

dev_run intx -- e1000e.IntMode=1
grep -q "$msi_fails" "$OUT" || fail "e1000e asked for MSI fell back to INTx for another reason"
note "e1000e: asked for MSI, the guest's driver said \"$msi_fails\""

uml_unbind
BOUND=""
dev_host_driver $bdf e1000e IntMode=1
ifc=$(ls "/sys/bus/pci/devices/$bdf/net" 2>/dev/null)
[ -n "$ifc" ] || { dev_host_driver_off e1000e; fail "the testbed's e1000e made no interface"; }
seen=$(dmesg | wc -l)
ip link set "$ifc" up
sleep 1
log=$(dmesg | tail -n +"$((seen + 1))" | grep -F "${bdf#0000:}")
dev_host_driver_off e1000e
echo "$log" | sed 's/^/#   testbed: /'
echo "$log" | grep -q "$msi_fails" ||
	fail "the testbed's e1000e passed its MSI test where the guest's did not"
note "e1000e: the testbed's own driver fails its MSI test on the same function the same way"
exit 0
