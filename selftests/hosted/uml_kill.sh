#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Killing the User-Mode Linux guest (SIGKILL to its kernel process, with
# the guest's nvme driver busy reading) releases the controller cleanly on
# the host: the device fd can be opened again, bus mastering is off, no
# uldf interrupt is left, no page stays pinned; and a second guest then
# works.
. "$(dirname "$0")/uml_lib.sh"

uld_irqs() {
	grep -c "uldf-.*\[$BDF\]" /proc/interrupts
}

uml_require
uml_bind
pins0=$(pins)
[ -n "$pins0" ] || skip "no FOLL_PIN counters in /proc/vmstat"

uml_start ULDF_ACTION=busy
uml_wait_busy
sleep 3

# While it runs: the device is held, memory pinned, interrupts live.
device_free && fail "the device fd is not held while the guest runs"
[ "$(pins)" -gt "$pins0" ] || fail "no pinned pages while the guest runs"
[ "$(uld_irqs)" -gt 0 ] || fail "no uldf interrupt while the guest runs"
note "running: $(( $(pins) - pins0 )) pages pinned, $(uld_irqs) uldf interrupt(s)"

uml_check_log
uml_kill_wait
for i in $(seq 30); do
	device_free && break
	sleep 1
done
device_free || fail "the device fd is still held after the kill"

cmd=$(od -An -tx2 -j4 -N2 "/sys/bus/pci/devices/$BDF/config" | tr -d ' ')
(( (0x$cmd & 0x4) == 0 )) || fail "bus mastering still on (command $cmd)"
[ "$(uld_irqs)" = 0 ] || fail "uldf interrupts left: $(grep uldf /proc/interrupts)"
[ "$(pins)" = "$pins0" ] || fail "$(( $(pins) - pins0 )) pages still pinned"
note "killed: device free, bus mastering off (command $cmd), no interrupt, no pin"

uml_hash
[ "$(guest sha256)" = "$(image_sha)" ] || fail "the second guest read wrong data"
note "a second guest reads $(io_what) correctly"
exit 0
