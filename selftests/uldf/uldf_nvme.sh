#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The user-level NVMe driver (drivers/uldf-nvme) on QEMU's NVMe controller:
# data written and read back across transfer sizes (4 KiB to 1 MiB), queue
# counts, MSI-X, polled and SQPOLL-loop completions; an out-of-range read
# reported as an error; SIGKILL in the middle of I/O, then a fresh run that
# works.
ksft_skip=4
bdf=${ULDF_NVME_BDF:-0000:00:05.0}
top=$(cd "$(dirname "$0")/../.." && pwd)
nvme=$top/drivers/uldf-nvme/uldf-nvme
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

[ "$(id -u)" = 0 ] || { echo "# needs root"; exit $ksft_skip; }
[ -d /sys/bus/pci/drivers/uldf ] || { echo "# uldf.ko not loaded; run through 'make check'"; exit $ksft_skip; }
[ -e /sys/bus/pci/devices/$bdf ] || { echo "# no NVMe controller at $bdf; run through 'make check'"; exit $ksft_skip; }
[ -x "$nvme" ] || { echo "# $nvme not built"; exit 1; }

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "# ok: $*"; }
ko() { fail=$((fail + 1)); echo "# FAIL: $*"; }

bind() {
	local drv
	drv=$(basename "$(readlink /sys/bus/pci/devices/$bdf/driver 2>/dev/null)" 2>/dev/null)
	[ "$drv" = uldf ] && return 0
	[ -n "$drv" ] && echo "$bdf" >/sys/bus/pci/devices/$bdf/driver/unbind
	echo uldf >/sys/bus/pci/devices/$bdf/driver_override
	echo "$bdf" >/sys/bus/pci/drivers_probe
}
bind || { echo "# cannot bind $bdf to uldf"; exit 1; }

blocks=$("$nvme" "$bdf" identify | sed -n 's/^namespace 1: *\([0-9]*\) blocks.*/\1/p')
[ -n "$blocks" ] || { echo "# identify failed"; exit 1; }
echo "# namespace: $blocks blocks"

# Round trips: write random data, read it back, compare.
lba=0
for mode in "" "--poll"; do
	for q in 1 4; do
		for size in 4096 8192 12288 65536 131072 1048576; do
			head -c $size /dev/urandom >"$tmp/in"
			what="${mode:---msix} queues=$q size=$size lba=$lba"
			if "$nvme" $mode --queues $q --quiet "$bdf" write $lba -i "$tmp/in" &&
			   "$nvme" $mode --queues $q --quiet "$bdf" read $lba $((size / 512)) -o "$tmp/out" &&
			   cmp -s "$tmp/in" "$tmp/out"; then
				ok "round trip $what"
			else
				ko "round trip $what"
			fi
			lba=$(( (lba + size / 512 + 7) & ~7 ))
		done
	done
done

# Data written through one queue count reads back through another.
head -c $((3 << 20)) /dev/urandom >"$tmp/in"
if "$nvme" --queues 4 --quiet "$bdf" write 40000 -i "$tmp/in" &&
   "$nvme" --queues 1 --poll --quiet "$bdf" read 40000 $(( (3 << 20) / 512 )) -o "$tmp/out" &&
   cmp -s "$tmp/in" "$tmp/out"; then
	ok "3 MiB across 4 queues, read back on 1 polled queue"
else
	ko "3 MiB across queue counts"
fi

# MSI-X through the SQPOLL loop (--sqpoll): the same data both ways, and
# across modes.
for size in 4096 1048576; do
	head -c $size /dev/urandom >"$tmp/in"
	if "$nvme" --sqpoll --quiet "$bdf" write $lba -i "$tmp/in" &&
	   "$nvme" --sqpoll --quiet "$bdf" read $lba $((size / 512)) -o "$tmp/out" &&
	   cmp -s "$tmp/in" "$tmp/out"; then
		ok "round trip --sqpoll size=$size lba=$lba"
	else
		ko "round trip --sqpoll size=$size lba=$lba"
	fi
	lba=$(( (lba + size / 512 + 7) & ~7 ))
done
head -c $((3 << 20)) /dev/urandom >"$tmp/in"
if "$nvme" --queues 4 --quiet "$bdf" write 50000 -i "$tmp/in" &&
   "$nvme" --queues 4 --sqpoll --quiet "$bdf" read 50000 $(( (3 << 20) / 512 )) -o "$tmp/out" &&
   cmp -s "$tmp/in" "$tmp/out"; then
	ok "3 MiB written with MSI-X, read back with --sqpoll"
else
	ko "3 MiB written with MSI-X, read back with --sqpoll"
fi
id=$("$nvme" --sqpoll "$bdf" identify)
if [ "${id#*MSI-X interrupts, SQPOLL loop}" != "$id" ]; then
	ok "identify names the SQPOLL loop"
else
	ko "identify does not name the SQPOLL loop"
fi

# Out of range: the controller's LBA Out of Range, reported clearly.
if "$nvme" --quiet "$bdf" read "$blocks" 8 -o "$tmp/out" 2>"$tmp/err"; then
	ko "read past the end succeeded"
elif grep -q "LBA out of range" "$tmp/err"; then
	ok "read past the end: $(head -n 1 "$tmp/err")"
else
	ko "read past the end: unexpected message: $(cat "$tmp/err")"
fi

# SIGKILL in the middle of I/O; the module resets the controller on
# release, and a fresh run initialises and works.
for i in 1 2 3; do
	"$nvme" --quiet "$bdf" read 0 "$blocks" >/dev/null 2>&1 &
	pid=$!
	sleep 0.$((3 + i))
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
done
head -c 65536 /dev/urandom >"$tmp/in"
if "$nvme" --quiet "$bdf" write 8 -i "$tmp/in" &&
   "$nvme" --quiet "$bdf" read 8 128 -o "$tmp/out" && cmp -s "$tmp/in" "$tmp/out"; then
	ok "fresh run after SIGKILL mid-I/O"
else
	ko "fresh run after SIGKILL mid-I/O"
fi

echo "# $pass passed, $fail failed"
[ $fail -eq 0 ]
