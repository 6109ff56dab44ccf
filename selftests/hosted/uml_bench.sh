#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Read throughput of the hosted guest as a ratio to uldf-nvme, the
# user-level NVMe driver, on the same controller in the same testbed:
# the guest's stock nvme driver reads the whole namespace (4 MiB O_DIRECT
# reads, no hashing), then uldf-nvme reads it.  A benchmark: it prints figures and
# fails only if a run fails.  Absolute figures mean little under TCG.
. "$(dirname "$0")/uml_lib.sh"

NVME=${ULDF_NVME_DRIVER:-$top/drivers/uldf-nvme/uldf-nvme}

uml_require
[ -x "$NVME" ] || skip "uldf-nvme not built ($NVME)"
uml_bind
uml_run ULDF_ACTION=read
g=$(guest read)
[ -n "$g" ] || fail "the guest did not read"
bytes=$(guest namespace | cut -d' ' -f1)
bytes=$((bytes * 512))
lbs=$(guest lbasize)
nlb=$((bytes / ${lbs:-512}))
u=$("$NVME" "$BDF" read 0 "$nlb" -o /dev/null 2>&1 | grep -E 'MiB/s' | tail -n 1)
[ -n "$u" ] || fail "uldf-nvme did not read"
gm=$(echo "$g" | sed -n 's/.*: \([0-9.]*\) MiB\/s.*/\1/p')
um=$(echo "$u" | sed -n 's/.*: \([0-9.]*\) MiB\/s.*/\1/p')
note "hosted guest (nvme in UML): $g"
note "uldf-nvme:                  $u"
note "ratio guest/uldf-nvme: $(awk -v a="$gm" -v b="$um" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')"
exit 0
