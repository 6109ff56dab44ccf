#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The guest half of 'make demo' (run by tools/testbed/vm inside the testbed):
# bind the NVMe controller to uldf, identify it, read the whole namespace
# through uldf-nvme and check its SHA-256, write a pattern and read it back.
#
#   demo-guest.sh BDF SHA256 PATTERN_FILE PATTERN_LBA
set -e
bdf=$1 want=$2 pattern=$3 lba=$4
top=$(cd "$(dirname "$0")/../.." && pwd)
nvme=$top/drivers/uldf-nvme/uldf-nvme
ctl=$top/tools/uldfctl/uldfctl

step() { echo; echo "== $*"; }

step "binding $bdf to uldf"
if [ -x "$ctl" ]; then
	"$ctl" bind "$bdf"
else
	echo uldf >/sys/bus/pci/devices/$bdf/driver_override
	echo "$bdf" >/sys/bus/pci/drivers_probe
fi
ls -l /dev/uldf/

step "identify"
"$nvme" "$bdf" identify | tee /tmp/id
blocks=$(sed -n 's/^namespace 1: *\([0-9]*\) blocks.*/\1/p' /tmp/id)

step "reading all $blocks blocks through uldf-nvme (MSI-X, 4 queues)"
got=$("$nvme" "$bdf" read 0 "$blocks" | sha256sum | cut -d' ' -f1)
echo "sha256 in the VM:   $got"
echo "sha256 outside:     $want"
[ "$got" = "$want" ] || { echo "MISMATCH"; exit 1; }
echo "checksum verified"
echo "(the rate above counts the pipe to sha256sum and the hashing, both in"
echo " an emulated CPU: it measures them, not the device; raw rates follow)"

step "reading again with polled completions"
got=$("$nvme" --poll "$bdf" read 0 "$blocks" | sha256sum | cut -d' ' -f1)
[ "$got" = "$want" ] || { echo "MISMATCH (polled)"; exit 1; }
echo "checksum verified"

step "throughput, reading the namespace to /dev/null"
echo "-- MSI-X interrupts, 4 queues:"
"$nvme" "$bdf" read 0 "$blocks" >/dev/null
echo "-- polled completions, 4 queues:"
"$nvme" --poll "$bdf" read 0 "$blocks" >/dev/null
echo "-- MSI-X interrupts, 1 queue:"
"$nvme" --queues 1 "$bdf" read 0 "$blocks" >/dev/null

size=$(stat -c %s "$pattern")
step "writing a $size-byte pattern at LBA $lba"
"$nvme" "$bdf" write "$lba" -i "$pattern"
"$nvme" "$bdf" flush
"$nvme" "$bdf" read "$lba" $((size / 512)) -o /tmp/back
cmp "$pattern" /tmp/back
echo "pattern read back in the VM"
