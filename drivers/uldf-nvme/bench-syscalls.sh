#!/bin/bash
# SPDX-License-Identifier: MIT
#
# System calls per I/O of uldf-nvme: 4 KiB random reads at QD1 and QD32
# on the controller at 0000:00:05.0, completions by MSI-X through the
# io_uring loop (msix), by polling the completion queues (poll) and by
# MSI-X through the loop's SQPOLL mode (sqpoll), in one boot of the
# testbed.  Prints one table row per queue depth and mode: IOPS and the
# system calls the driver's thread made per I/O in the timed window, as
# 'uldf-nvme bench' counts them (raw_syscalls:sys_enter through
# perf_event_open; the SQPOLL thread enters the kernel by no system call).
#
#   bench-syscalls.sh            (host) boot the testbed and run the guest half
#   bench-syscalls.sh --guest    (inside the testbed)
#
# SECONDS_PER_RUN (default 5) and ROUNDS (default 1; with more, medians).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
rounds=${ROUNDS:-1}
secs=${SECONDS_PER_RUN:-5}

if [ "${1:-}" != --guest ]; then
	cache=${ULDF_CACHE:-$HOME/.cache/uldf}
	mkdir -p "$cache"
	dir=$(mktemp -d "$cache/nvme-syscalls.XXXXXX")
	trap 'rm -rf "$dir"' EXIT
	# Data on the disk, so that no read finds an unwritten block.
	head -c 256M /dev/urandom >"$dir/a.img"
	"$top/tools/testbed/vm" run --tcg-thread multi --disk "$dir/a.img" -- \
		env ROUNDS="$rounds" SECONDS_PER_RUN="$secs" "$here/bench-syscalls.sh" --guest
	exit
fi

# ---- inside the testbed ----
bdf=0000:00:05.0
nvme=$top/drivers/uldf-nvme/uldf-nvme
echo uldf >/sys/bus/pci/devices/$bdf/driver_override
echo $bdf >/sys/bus/pci/drivers_probe

# "... N IOPS, mean ..., p99 Z us, S syscalls/IO (...)" -> "N S"
run() {	# qd mode
	local opt=""
	[ "$2" = msix ] || opt=--$2
	"$nvme" $opt --queues 4 "$bdf" bench --qd "$1" --seconds "$secs" |
		sed -n 's/.*: \([0-9.]*\) IOPS, .* us, \([0-9.na/]*\) syscalls\/IO.*/\1 \2/p'
}

median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "| queue depth | mode | IOPS | syscalls/IO |"
echo "|---|---|---|---|"
for qd in 1 32; do
	for mode in msix poll sqpoll; do
		iops="" sys=""
		for r in $(seq "$rounds"); do
			read -r a b <<<"$(run "$qd" "$mode")"
			echo "# qd=$qd round=$r $mode: $a IOPS, $b syscalls/IO" >&2
			iops+="$a " sys+="$b "
		done
		echo "| $qd | $mode | $(echo "$iops" | median) | $(echo "$sys" | median) |"
	done
done
echo "NOTE syscalls/IO: the system calls of uldf-nvme's thread in bench's timed window (raw_syscalls:sys_enter, perf_event_open) over the I/Os completed; sqpoll: MSI-X through libuldf's io_uring loop with an SQPOLL thread (ULDF_LOOP_SQPOLL), waits spinning on the completion queue."
