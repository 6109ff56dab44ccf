#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo-uml: the stock Linux nvme driver, in a User-Mode Linux guest
# started by uldf-uml, drives QEMU's NVMe controller through uldf.  Makes a
# disk image of random data, boots the testbed with it behind the
# controller at 0000:00:05.0, and there runs
#
#   uldf-uml -d 0000:00:05.0 -- tools/uldf-uml/demo-guest.sh SHA LBA
#
# whose guest hashes the namespace, writes a pattern and shows its
# interrupts; the image is then checked from outside both guests.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${ULDF_CACHE:-$HOME/.cache/uldf}
mib=${DEMO_MIB:-64}
bdf=0000:00:05.0
lba=4096

mkdir -p "$cache"
dir=$(mktemp -d "$cache/demo-uml.XXXXXX")
trap 'rm -rf "$dir"' EXIT
img=$dir/disk.img

echo "== a $mib MiB disk image of random data"
head -c $((mib << 20)) /dev/urandom >"$img"
sha=$(sha256sum "$img" | cut -d' ' -f1)
echo "sha256: $sha"
cp "$img" "$dir/expected.img"
# What the guest writes: 1 MiB of this line at LBA 4096 (2 MiB).
(set +o pipefail; yes 'uldf-uml demo pattern' | head -c $((1 << 20))) |
	dd of="$dir/expected.img" bs=512 seek=$lba conv=notrunc status=none

echo "== booting the testbed; in it:"
echo "   uldf-uml -d $bdf -- tools/uldf-uml/demo-guest.sh"
"$top/tools/testbed/vm" run --disk "$img" -- \
	"$here/uldf-uml" -d "$bdf" -- "$here/demo-guest.sh" "$sha" "$lba"

echo
echo "== checking the image from outside the VM"
if cmp -s "$img" "$dir/expected.img"; then
	echo "pattern at LBA $lba present, every other byte unchanged: OK"
	echo
	echo "make demo-uml: passed"
else
	echo "the image outside does not hold what the guest wrote" >&2
	exit 1
fi
