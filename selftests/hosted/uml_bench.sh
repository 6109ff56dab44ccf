#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Read throughput of the hosted guest as a ratio to uldf-nvme, the
# user-level NVMe driver, on the same controller in the same testbed:
# the guest's stock nvme driver reads the whole namespace (4 MiB O_DIRECT
# reads, no hashing) REPEAT times in one boot, then uldf-nvme reads it as
# often; the ratio is of the medians.  The guest reads it REPEAT times for
# each N of JOBS, with N reads in flight (uml_blk read -j N): N = 1 is one
# read at a time, a synchronous reader; uldf-nvme keeps 16 commands of the
# controller's maximum transfer in flight (4 slots per I/O queue, 4
# queues), and a guest read of 4 MiB is 8 commands of 512 KiB (the
# testbed's MDTS), so N = 2 is the like-for-like figure.  "Nw" is N warm:
# the clock starts once the reader's threads run and their buffers are
# faulted in (a page fault a page, through the host, in User-Mode Linux),
# a figure of the reads alone.  A benchmark: it prints figures and fails
# only if a run fails.  Absolute figures mean little under TCG.  On a
# slow (debug) host kernel (ULDF_TEST_SLOW) both read IO_LEN bytes, once.
. "$(dirname "$0")/uml_lib.sh"

NVME=${ULDF_NVME_DRIVER:-$top/drivers/uldf-nvme/uldf-nvme}
REPEAT=${ULDF_BENCH_REPEAT:-5}
JOBS=${ULDF_BENCH_JOBS:-1 2 4 1w 2w 4w}
[ "$IO_LEN" = 0 ] || REPEAT=${ULDF_BENCH_REPEAT:-1}

uml_require
[ -x "$NVME" ] || skip "uldf-nvme not built ($NVME)"
uml_bind
uml_run ULDF_ACTION=read ULDF_REPEAT=$REPEAT ULDF_LEN="$IO_LEN" \
	ULDF_JOBS="${JOBS// /,}"
for j in $JOBS; do
	pfx="j$j "
	[ "$j" = 1 ] && pfx=
	grep "^GUEST ${pfx}read " "$OUT" | sed "s/^GUEST ${pfx}read //" >"$OUT.guest$j"
	[ "$(wc -l <"$OUT.guest$j")" = "$REPEAT" ] ||
		fail "the guest did not read $REPEAT times with $j in flight"
done
bytes=$(guest namespace | cut -d' ' -f1)
bytes=$((bytes * 512))
[ "$IO_LEN" = 0 ] || bytes=$IO_LEN
lbs=$(guest lbasize)
nlb=$((bytes / ${lbs:-512}))
: >"$OUT.uldf"
for i in $(seq "$REPEAT"); do
	"$NVME" "$BDF" read 0 "$nlb" -o /dev/null 2>&1 | grep -E 'MiB/s' |
		tail -n 1 >>"$OUT.uldf"
done
[ "$(grep -c MiB/s "$OUT.uldf")" = "$REPEAT" ] || fail "uldf-nvme did not read"
mibs() { sed -n 's/.*: \([0-9.]*\) MiB\/s.*/\1/p' "$1"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
um=$(mibs "$OUT.uldf" | median)
cmds=$(( (bytes + (512 << 10) - 1) / (512 << 10) * REPEAT ))
note "uldf-nvme, MiB/s:                     $(mibs "$OUT.uldf" | tr '\n' ' ')"
for j in $JOBS; do
	gm=$(mibs "$OUT.guest$j" | median)
	irqs=$(guest "j$j irqs")
	note "guest (nvme in UML), $j in flight, MiB/s: $(mibs "$OUT.guest$j" | tr '\n' ' ')"
	note "  median: guest $gm MiB/s, uldf-nvme $um MiB/s; ratio guest/uldf-nvme, $j in flight: $(awk -v a="$gm" -v b="$um" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'); guest interrupts ${irqs:-?} for about $cmds commands of 512 KiB"
	note "  guest CPU over these runs (start-up included), ticks: $(guest "j$j cpu")"
	rm -f "$OUT.guest$j"
done
rm -f "$OUT.uldf"
exit 0
