#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The command that make demo-uml runs in the User-Mode Linux guest:
# demo-guest.sh SHA LBA.  The guest's stock nvme driver has the host's
# controller; this hashes the namespace (which must equal SHA, the image's
# hash outside), writes 1 MiB of a pattern at LBA and shows the
# controller's interrupts in the guest.
set -eu
sha=$1 lba=$2
i=0
while [ ! -b /dev/nvme0n1 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
echo "-- the guest's PCI bus and driver"
lspci -nn -s 01:00.0
echo "driver: $(basename "$(readlink /sys/bus/pci/devices/0000:01:00.0/driver)")"
echo "-- SHA-256 of /dev/nvme0n1, read by the guest's nvme driver"
got=$(sha256sum /dev/nvme0n1 | cut -d' ' -f1)
echo "guest:   $got"
echo "outside: $sha"
[ "$got" = "$sha" ] || { echo "MISMATCH"; exit 1; }
echo "-- writing 1 MiB at LBA $lba"
yes 'uldf-uml demo pattern' | head -c $((1 << 20)) |
	dd of=/dev/nvme0n1 bs=512 seek="$lba" oflag=direct status=none
sync
echo "-- the controller's interrupts in the guest"
grep -E 'nvme' /proc/interrupts
