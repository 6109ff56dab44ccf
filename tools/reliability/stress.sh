#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# stress.sh: the reliability lane's abuse tests, run inside the testbed by
# 'make stress' (and 'make check-debug').  Each prints a line
#   RESULT|test|iterations|failures|what was checked
# and the script exits non-zero if any failure was counted.  ITER scales
# the counts (default 1000; the unplug and unbind loops run ITER/10).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
victim=$top/tools/reliability/uldf-victim
nvme=$top/drivers/uldf-nvme/uldf-nvme
iter=${ITER:-1000}
edu=0000:00:03.0
nvme_bdf=0000:00:05.0
hp=0000:01:00.0
total_fail=0

result() {
	echo "RESULT|$1|$2|$3|$4"
	total_fail=$((total_fail + $3))
}

bind() {
	local bdf=$1 drv
	drv=$(basename "$(readlink /sys/bus/pci/devices/$bdf/driver 2>/dev/null)" 2>/dev/null)
	[ "$drv" = uldf ] && return 0
	[ -n "$drv" ] && echo "$bdf" >/sys/bus/pci/devices/$bdf/driver/unbind
	echo uldf >/sys/bus/pci/devices/$bdf/driver_override
	echo "$bdf" >/sys/bus/pci/drivers_probe 2>/dev/null
	[ -e /dev/uldf/$bdf ]
}

unbind() {
	echo "$1" >/sys/bus/pci/drivers/uldf/unbind 2>/dev/null
}

pins_outstanding() {
	awk '/^nr_foll_pin_acquired/ { a = $2 } /^nr_foll_pin_released/ { r = $2 }
	     END { print a - r }' /proc/vmstat
}

bus_master() {
	echo $(( 0x$(setpci -s "${1#0000:}" COMMAND) & 4 ))
}

uldf_irqs() {
	grep -c uldf /proc/interrupts
}

# Unreclaimable slab after shrinking every cache: on a KASAN kernel freed
# objects wait in its quarantine, still counted, until a shrink drains them
# (50 bind/unbind cycles on the debug kernel: +1.6 MB unshrunk, kmemleak
# empty, below the start once shrunk).
sunreclaim() {
	local f
	for f in /sys/kernel/slab/*/shrink; do
		echo 1 >"$f"
	done 2>/dev/null
	awk '/^SUnreclaim:/ { print $2 }' /proc/meminfo
}

# Start a background command and wait until it prints "ready".
start_ready() {
	local fifo=/tmp/ready.$$
	rm -f $fifo
	mkfifo $fifo
	"$@" >$fifo 2>/dev/null &
	pid=$!
	read -t 30 line <$fifo
	rm -f $fifo
	[ "$line" = ready ]
}

echo 100 >/sys/module/uldf/parameters/release_timeout_ms
bind $edu || { echo "cannot bind $edu"; exit 1; }
bind $nvme_bdf || { echo "cannot bind $nvme_bdf"; exit 1; }
base_pins=$(pins_outstanding)

# 1. SIGKILL with DMA mapped, an interrupt storm running, NVMe I/O in flight
# (uldf-nvme reading 16384 blocks, killed 0 to 0.4 s after it started: sometimes
# while it sets the controller up, mostly with reads queued).
released() {
	[ "$(pins_outstanding)" = "$base_pins" ] && [ "$(bus_master $edu)" = 0 ] &&
		[ "$(bus_master $nvme_bdf)" = 0 ] && [ "$(uldf_irqs)" = 0 ]
}
fail=0 late=0
for i in $(seq "$iter"); do
	start_ready "$victim" $edu storm 4 || { fail=$((fail + 1)); kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null; continue; }
	vpid=$pid
	npid=""
	if [ -x "$nvme" ]; then
		"$nvme" --quiet $nvme_bdf read 0 16384 >/dev/null 2>&1 &
		npid=$!
		sleep 0.$((RANDOM % 5))
	fi
	kill -9 $vpid $npid 2>/dev/null
	wait $vpid $npid 2>/dev/null
	# uldf-nvme's io_uring (its provided-buffer ring is a pinned page,
	# its pending reads hold the IRQ fds) is torn down by the kernel in
	# a worker after the process is reaped, so that page and the device
	# are released a moment later.  Give it 10 s.
	for t in $(seq 100); do
		released && break
		[ $t = 1 ] && late=$((late + 1))
		sleep 0.1
	done
	if ! released; then
		fail=$((fail + 1))
		echo "# iteration $i: pins $(pins_outstanding) (base $base_pins), bus master $(bus_master $edu)/$(bus_master $nvme_bdf), uldf IRQs $(uldf_irqs)"
	fi
done
result "SIGKILL with 4 MiB mapped + MSI storm + NVMe read in flight" "$iter" $fail \
	"pins back to baseline, bus mastering off on edu and NVMe, no uldf IRQ in /proc/interrupts (within 10 s; $late times not yet when the process was reaped)"

# 2. Unbind while open and mapped.
n=$((iter / 10)); fail=0
for i in $(seq $n); do
	start_ready "$victim" $edu hold || { fail=$((fail + 1)); kill -9 $pid; wait $pid; bind $edu; continue; }
	unbind $edu
	wait $pid || fail=$((fail + 1))
	bind $edu || fail=$((fail + 1))
done
result "unbind while open and mapped" $n $fail "SIGBUS then ENODEV in the process, clean close, rebind works"

# 3. Surprise removal (QMP device_del/device_add) while open and mapped.
n=$((iter / 10)); fail=0
qmp() {
	python3 - "$ULDF_QMP" "$1" <<'PY'
import json, os, sys, select
fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY)
def call(cmd, id):
    os.write(fd, (json.dumps(dict(cmd, id=id)) + "\n").encode())
    buf = b""
    while True:
        r, _, _ = select.select([fd], [], [], 20)
        if not r:
            sys.exit(1)
        buf += os.read(fd, 4096)
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if msg.get("id") == id:
                return "return" in msg
call({"execute": "qmp_capabilities"}, "caps-%d" % os.getpid())
sys.exit(0 if call(json.loads(sys.argv[2]), "cmd-%d" % os.getpid()) else 1)
PY
}
wait_dev() {
	local i
	for i in $(seq 600); do
		if [ "$1" = present ] && [ -e /sys/bus/pci/devices/$hp ]; then return 0; fi
		if [ "$1" = gone ] && [ ! -e /sys/bus/pci/devices/$hp ]; then return 0; fi
		sleep 0.1
	done
	return 1
}
if [ -n "${ULDF_QMP:-}" ] && [ -e /sys/bus/pci/devices/$hp ]; then
	for i in $(seq $n); do
		for t in $(seq 50); do bind $hp && break; sleep 0.1; done
		start_ready "$victim" $hp hold || { fail=$((fail + 1)); kill -9 $pid; wait $pid; continue; }
		qmp '{"execute":"device_del","arguments":{"id":"hpedu"}}' || fail=$((fail + 1))
		wait_dev gone || fail=$((fail + 1))
		wait $pid || fail=$((fail + 1))
		# QEMU refuses the add until it has finished the removal,
		# which can be seconds after the guest saw the device go.
		for t in $(seq 300); do
			qmp '{"execute":"device_add","arguments":{"driver":"edu","id":"hpedu","bus":"hp"}}' && break
			sleep 0.1
		done
		[ -e /sys/bus/pci/devices/$hp ] || wait_dev present || fail=$((fail + 1))
	done
	result "QMP hot-unplug while open and mapped" $n $fail "SIGBUS then ENODEV, clean close, device re-added and rebound"
else
	echo "# no QMP channel or hot-plug device: unplug test not run"
fi

# 4. Open/close and bind/unbind with slab totals flat.
fail=0
before=$(sunreclaim)
for i in $(seq "$iter"); do
	exec 9<>/dev/uldf/$edu || fail=$((fail + 1))
	exec 9>&-
done
after=$(sunreclaim)
[ $((after - before)) -lt 1024 ] || fail=$((fail + 1))
result "open/close" "$iter" $fail "SUnreclaim ${before} kB -> ${after} kB"

fail=0
before=$(sunreclaim)
for i in $(seq "$iter"); do
	unbind $edu
	bind $edu || fail=$((fail + 1))
done
after=$(sunreclaim)
[ $((after - before)) -lt 1024 ] || fail=$((fail + 1))
result "bind/unbind" "$iter" $fail "SUnreclaim ${before} kB -> ${after} kB"

# 5. Device writes to read-only and unmapped IOVAs.
faults_before=$(dmesg | grep -c 'DMAR: \[DMA Write')
out=$("$victim" $edu dma-probe "$iter")
rc=$?
faults=$(( $(dmesg | grep -c 'DMAR: \[DMA Write') - faults_before ))
echo "# $out; $faults DMAR write faults logged"
result "edu DMA into read-only and unmapped IOVAs" $((iter * 3)) $rc "$out"

echo "# stress: $total_fail failures"
[ $total_fail -eq 0 ]
