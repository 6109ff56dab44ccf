#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Killing the User-Mode Linux guest (SIGKILL to its kernel process, with
# the guest's nvme driver busy reading) releases the controller cleanly on
# the host: the device fd can be opened again, bus mastering is off, no
# uldf interrupt is left, no page stays pinned; and a second guest then
# works.
. "$(dirname "$0")/uml_lib.sh"

# The UML kernel process: the tracer of the guest's user-space processes.
uml_kernel_pid() {
	local p t

	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/exe" 2>/dev/null)" = "$UML" ] || continue
		t=$(awk '/^TracerPid:/ { print $2 }' "$p/status" 2>/dev/null)
		[ -n "$t" ] && [ "$t" != 0 ] && { echo "$t"; return; }
	done
}

uml_procs() {
	local p n=0

	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/exe" 2>/dev/null)" = "$UML" ] && n=$((n + 1))
	done
	echo $n
}

device_free() {
	( exec 3<>"/dev/uldf/$BDF" ) 2>/dev/null
}

uld_irqs() {
	grep -c "uldf-.*\[$BDF\]" /proc/interrupts
}

uml_require
uml_bind
pins0=$(pins)
[ -n "$pins0" ] || skip "no FOLL_PIN counters in /proc/vmstat"

uml_start ULDF_ACTION=busy
for i in $(seq 120); do
	grep -q '^GUEST busy' "$OUT" && break
	grep -q '^GUEST done' "$OUT" && break
	sleep 1
done
grep -q '^GUEST busy' "$OUT" || { guest_show .; fail "the guest did not start reading"; }
sleep 3

# While it runs: the device is held, memory pinned, interrupts live.
device_free && fail "the device fd is not held while the guest runs"
[ "$(pins)" -gt "$pins0" ] || fail "no pinned pages while the guest runs"
[ "$(uld_irqs)" -gt 0 ] || fail "no uldf interrupt while the guest runs"
note "running: $(( $(pins) - pins0 )) pages pinned, $(uld_irqs) uldf interrupt(s)"

uml_check_log
pid=$(uml_kernel_pid)
[ -n "$pid" ] || fail "cannot find the UML kernel process"
kill -KILL "$pid"
for i in $(seq 60); do
	[ "$(uml_procs)" = 0 ] && device_free && break
	sleep 1
done
wait "$UML_PID" 2>/dev/null
[ "$(uml_procs)" = 0 ] || fail "UML processes survive the kill"
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
