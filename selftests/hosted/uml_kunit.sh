#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# KUnit in the hosted guest, on real devices: the UML kernel's uldf_pv
# suite (vmm-glue/uml/pv_kunit.c) runs at boot, with kunit.enable=1, in a
# guest started by uldf-uml with the testbed's edu and NVMe controller
# passed through (and its NEC xHCI controller, for multiple MSI, when the
# testbed runs --profile hosted) and 192 MiB of RAM (edu's DMA reaches 28 bits, and the kernel image lies below RAM).  Its KTAP
# output is parsed by the kernel's own tools/testing/kunit/kunit.py parse,
# whose report goes to the log; each KUnit case counts in the summary.
# Afterwards the host holds nothing for the guest: no page pinned, bus
# mastering off on both functions, no uldf interrupt; and the suite's
# device write into the guest's kernel image faulted in the host IOMMU.
# The launcher keeps UML's address space unrandomised (its default), so
# guest RAM lies low enough in guest physical space for edu's 28 bits.
. "$(dirname "$0")/uml_lib.sh"

LAUNCHER=$top/tools/uldf-uml/uldf-uml
EDU=${ULDF_EDU_BDF:-0000:00:03.0}
XHCI=${ULDF_XHCI_BDF:-0000:00:14.0}
KUNIT=$here/kunit/tools/testing/kunit/kunit.py

uml_require
[ -x "$LAUNCHER" ] || skip "uldf-uml not built; run 'make'"
[ -e "/sys/bus/pci/devices/$EDU" ] || skip "no edu at $EDU; run through 'make check'"
[ -r "$KUNIT" ] || skip "no $KUNIT (the kernel's KUnit tool, copied by 'make')"
command -v python3 >/dev/null || skip "kunit.py needs python3"

uml_bind "$EDU"
uml_bind "$BDF"
devs=(-d "$EDU" -d "$BDF")
if [ "$(cat "/sys/bus/pci/devices/$XHCI/device" 2>/dev/null)" = 0x0194 ]; then
	uml_bind "$XHCI"
	devs+=(-d "$XHCI")
fi
pins_before=$(pins)
dmesg_before=$(dmesg | wc -l)
rc=0
timeout -s KILL "$UML_TIMEOUT" "$LAUNCHER" -v -K -m 192M -a kunit.enable=1 \
	"${devs[@]}" -- true >"$OUT" 2>&1 </dev/null || rc=$?
[ $rc = 0 ] || {
	tail -n 40 "$OUT" | sed 's/^/#   /'
	fail "the guest failed (status $rc)"
}
uml_check_log

parsed=$(mktemp)
python3 "$KUNIT" parse <"$OUT" >"$parsed" 2>&1 || true
sed 's/^/# /' "$parsed"
# The cases' KTAP lines ("    ok 3 pv_kunit_mmio"); "ok" counts skips too.
skipped=$(grep -Ec '^[[:space:]]*ok [0-9]+ pv_kunit_.*# SKIP' "$OUT" || true)
pass=$(( $(grep -Ec '^[[:space:]]*ok [0-9]+ pv_kunit_' "$OUT" || true) - skipped ))
failed=$(grep -Ec '^[[:space:]]*not ok [0-9]+ pv_kunit_' "$OUT" || true)
rm -f "$parsed"
echo "# Totals: pass:$pass fail:$failed xfail:0 xpass:0 skip:$skipped error:0"
[ $((pass + failed + skipped)) -gt 0 ] || fail "no KUnit case ran (is CONFIG_ULDF_PV_KUNIT_TEST set?)"
[ "$skipped" = 0 ] || grep -E "^[[:space:]]*ok [0-9]+ pv_kunit_.*# SKIP" "$OUT" | sed "s/^[[:space:]]*/# skipped: /"

# The host after the guest: what it lent is all given back.
sleep 1
pins_after=$(pins)
[ "$pins_after" -le "$pins_before" ] ||
	fail "$((pins_after - pins_before)) pages still pinned on the host"
for b in $BOUND; do
	cmd=$(setpci -s "$b" COMMAND)
	[ $((0x$cmd & 0x4)) = 0 ] || fail "$b: bus mastering still on (COMMAND $cmd)"
done
grep -q uldf /proc/interrupts && fail "a uldf interrupt is still requested on the host"
# The case names the guest physical address it aimed at; the host IOMMU
# must have refused the write there.
addr=$(sed -n 's/.*device write to guest physical 0x0*\([0-9a-f]*\) (kernel image) refused.*/\1/p' "$OUT" | head -n 1)
# (The case itself checks that the memory there did not change.  The
# host's fault report is rate-limited, and the emulated IOMMU drops a fault
# while one of the same device is still pending, so its absence is noted,
# not failed.)
if [ -n "$addr" ]; then
	if dmesg | tail -n +"$((dmesg_before + 1))" |
		grep -q "DMA Write.*device \[${EDU#0000:}\] fault addr 0x$addr "; then
		note "edu's write into the guest's kernel image (0x$addr) faulted in the host IOMMU"
	else
		note "no host IOMMU fault report for edu's write to 0x$addr (rate-limited or collapsed)"
	fi
fi
grep -o '[0-9a-f:.]*: [0-9]* MSI vectors, interrupts.*' "$OUT" | sed 's/^/# multiple MSI: /'
note "host: nothing pinned, bus mastering off, no uldf IRQ"
[ "$failed" = 0 ] || fail "$failed KUnit case(s) failed"
exit 0
