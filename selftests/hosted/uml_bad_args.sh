#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# uldf_pv refuses bad device lists cleanly: a BDF that is no uldf device
# on the host, a malformed one, and the controller named twice (the second
# open is EBUSY after the first device is fully set up, so the load
# unwinds a set-up device: interrupts, DMA mapping, BAR mappings, fd).
# Each load fails, the guest's kernel log stays clean, and the module then
# loads with the right list and the stock nvme driver works, so the failed
# loads left the host device free.
. "$(dirname "$0")/uml_lib.sh"

uml_require
uml_bind
uml_run ULDF_ACTION=read ULDF_LEN="$IO_LEN" \
	ULDF_BAD_DEVICES="0000:00:1f.7/junk/$BDF,$BDF"
guest_show 'bad-insmod|uldf_pv'
[ "$(grep -c '^GUEST bad-insmod .* refused' "$OUT")" = 3 ] ||
	fail "a bad device list was not refused"
[ "$(guest driver)" = nvme ] || fail "the good load did not work after the bad ones"
[ -n "$(guest read)" ] || fail "the guest could not read after the bad loads"
note "3 bad lists refused; then the controller works"
exit 0
