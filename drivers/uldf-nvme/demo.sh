#!/bin/bash
# SPDX-License-Identifier: MIT
#
# make demo: uldf-nvme on QEMU's NVMe controller.  Generates a disk image of
# random data and notes its SHA-256, boots the testbed with the image behind
# the controller at 0000:00:05.0, lets demo-guest.sh read it all and write
# a pattern through uldf-nvme, then checks the pattern (and that nothing
# else changed) from outside, after the VM has exited.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${ULDF_CACHE:-$HOME/.cache/uldf}
mib=${DEMO_MIB:-64}
bdf=0000:00:05.0
lba=2048

mkdir -p "$cache"
dir=$(mktemp -d "$cache/demo.XXXXXX")
trap 'rm -rf "$dir"' EXIT
img=$dir/disk.img
pattern=$top/.demo-pattern.$$
trap 'rm -rf "$dir" "$pattern"' EXIT

echo "== generating a $mib MiB disk image of random data"
head -c $((mib << 20)) /dev/urandom >"$img"
sha=$(sha256sum "$img" | cut -d' ' -f1)
echo "sha256: $sha"
# A recognisable 1 MiB + 512 B pattern (not a multiple of the 512 KiB chunk).
python3 -c '
import sys
n = (1 << 20) + 512
line = b"uldf-nvme demo pattern "
sys.stdout.buffer.write((line * (n // len(line) + 1))[:n])' >"$pattern"
cp "$img" "$dir/expected.img"
dd if="$pattern" of="$dir/expected.img" bs=512 seek=$lba conv=notrunc status=none

echo "== booting the testbed"
"$top/tools/testbed/vm" run --disk "$img" -- \
	"$here/demo-guest.sh" "$bdf" "$sha" "$pattern" "$lba"

echo
echo "== checking the image from outside the VM"
if cmp -s "$img" "$dir/expected.img"; then
	echo "pattern at LBA $lba present, every other byte unchanged: OK"
	echo
	echo "make demo: passed"
else
	echo "the image outside does not hold what uldf-nvme wrote" >&2
	exit 1
fi
