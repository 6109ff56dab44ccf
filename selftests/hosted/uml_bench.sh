#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Read throughput of the hosted guest as a ratio to uldf-nvme, the
# user-level NVMe driver, on the same controller in the same testbed:
# the guest's stock nvme driver reads the whole namespace (4 MiB O_DIRECT
# reads, no hashing) REPEAT times in one boot, then uldf-nvme reads it as
# often; the ratio is of the medians.  A benchmark: it prints figures and
# fails only if a run fails.  Absolute figures mean little under TCG.  On
# a slow (debug) host kernel (ULDF_TEST_SLOW) both read IO_LEN bytes, once.
. "$(dirname "$0")/uml_lib.sh"

NVME=${ULDF_NVME_DRIVER:-$top/drivers/uldf-nvme/uldf-nvme}
REPEAT=${ULDF_BENCH_REPEAT:-5}
[ "$IO_LEN" = 0 ] || REPEAT=${ULDF_BENCH_REPEAT:-1}

uml_require
[ -x "$NVME" ] || skip "uldf-nvme not built ($NVME)"
uml_bind
uml_run ULDF_ACTION=read ULDF_REPEAT=$REPEAT ULDF_LEN="$IO_LEN"
grep '^GUEST read ' "$OUT" | sed 's/^GUEST read //' >"$OUT.guest"
[ "$(wc -l <"$OUT.guest")" = "$REPEAT" ] || fail "the guest did not read $REPEAT times"
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
gm=$(mibs "$OUT.guest" | median)
um=$(mibs "$OUT.uldf" | median)
note "hosted guest (nvme in UML), MiB/s: $(mibs "$OUT.guest" | tr '\n' ' ')"
note "uldf-nvme, MiB/s:                  $(mibs "$OUT.uldf" | tr '\n' ' ')"
note "median: guest $gm MiB/s, uldf-nvme $um MiB/s; ratio guest/uldf-nvme: $(awk -v a="$gm" -v b="$um" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')"
rm -f "$OUT.guest" "$OUT.uldf"
exit 0
