# SPDX-License-Identifier: GPL-2.0
#
# Shared by the hosted-guest tests, which run in the testbed VM ('make
# check'): bind the NVMe controller to uldf, boot the User-Mode Linux guest
# with uml_guest.sh as its init, and read what it reported.
#
# The guest's disk is the controller's backing image, which the testbed
# shares into the VM at /run/vm/nvme0.img: reading that file reads the
# host's file, the disk as it is known outside both guests.

ksft_skip=4
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
BDF=${ULDF_NVME_BDF:-0000:00:05.0}
IMG=${ULDF_NVME_IMG:-/run/vm/nvme0.img}
UML=$top/vmm-glue/uml/linux
UML_MEM=${ULDF_UML_MEM:-128M}
# Multiplied by ULDF_TIMEOUT_SCALE on a slow (debug) host kernel.
UML_TIMEOUT=$(( ${ULDF_UML_TIMEOUT:-240} * ${ULDF_TIMEOUT_SCALE:-1} ))
OUT=$(mktemp /tmp/uml-out.XXXXXX)
# How much of the namespace the guests hash and read, in bytes: all of it
# (0), or on a slow (debug) host kernel, where ULDF_TEST_SLOW=N divides the
# tests' work, its first 1/N in whole 4 MiB chunks.
IO_LEN=0
if [ "${ULDF_TEST_SLOW:-1}" -gt 1 ] && [ -r "$IMG" ]; then
	IO_LEN=$(( ($(stat -c %s "$IMG") / ULDF_TEST_SLOW + (4 << 20) - 1) /
		   (4 << 20) * (4 << 20) ))
fi

skip() { echo "# SKIP: $*"; exit $ksft_skip; }
fail() { echo "# FAIL: $*"; exit 1; }
note() { echo "# $*"; }

uml_require() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	[ -d /sys/bus/pci/drivers/uldf ] || skip "uldf.ko not loaded; run through 'make check'"
	[ -e "/sys/bus/pci/devices/$BDF" ] || skip "no NVMe controller at $BDF; run through 'make check'"
	[ "${ULDF_IOMMU:-1}" = 1 ] || skip "the guest's DMA needs the host IOMMU (testbed without --no-iommu)"
	grep -q ' /dev/shm tmpfs ' /proc/mounts || skip "/dev/shm is not a tmpfs (the guest's memory file must be)"
	[ -x "$UML" ] || skip "no UML kernel at $UML; run 'make uml-guest'"
	[ -x "$here/uml_blk" ] || skip "uml_blk not built; run 'make'"
	[ -r "$IMG" ] || skip "the controller's backing image $IMG is not visible"
}

BOUND=""

# uml_bind [BDF]: give the function (default: the controller) to uldf.
uml_bind() {
	local bdf=${1:-$BDF} drv=""

	[ -e "/sys/bus/pci/devices/$bdf/driver" ] &&
		drv=$(basename "$(readlink "/sys/bus/pci/devices/$bdf/driver")")
	BOUND="$BOUND $bdf"
	[ "$drv" = uldf ] && return 0
	[ -n "$drv" ] && echo "$bdf" >"/sys/bus/pci/drivers/$drv/unbind"
	echo uldf >"/sys/bus/pci/devices/$bdf/driver_override"
	echo "$bdf" >/sys/bus/pci/drivers_probe
	[ -c "/dev/uldf/$bdf" ] || fail "cannot bind $bdf to uldf"
}

uml_unbind() {
	local bdf

	for bdf in $BOUND; do
		[ -e "/sys/bus/pci/drivers/uldf/$bdf" ] &&
			echo "$bdf" >/sys/bus/pci/drivers/uldf/unbind
		echo >"/sys/bus/pci/devices/$bdf/driver_override"
	done
	rm -f "$OUT"
}
trap uml_unbind EXIT

# uml_start ARGS...: boot the guest in the background (pid in UML_PID),
# output in $OUT; ARGS are extra kernel command-line words.  The guest
# gets the controller, or the functions in UML_DEVICES (BDF,BDF...); its
# init is uml_guest.sh, or UML_INIT.
uml_start() {
	# The subshell outlives a killed guest, so the test's shell reports
	# nothing; the subshell's own "Killed" notice goes to /dev/null (the
	# guest's output is in $OUT).
	(cd /tmp && TMPDIR=/dev/shm timeout -s KILL "$UML_TIMEOUT" \
		"$UML" mem="$UML_MEM" root=/dev/root rootfstype=hostfs \
		rootflags=/ rw init="${UML_INIT:-$here/uml_guest.sh}" con=null \
		con0=null,fd:1 uldf_pv.devices="${UML_DEVICES:-$BDF}" "$@" \
		</dev/null >"$OUT" 2>&1; true) 2>/dev/null &
	UML_PID=$!
}

GUEST_BAD='BUG:|WARNING:|Oops|Call Trace:|Kernel panic|sleeping function called|possible (circular|recursive) locking|rcu: INFO|detected stall|nobody cared|soft lockup'

# uml_check_log: fail if the guest's kernel reported a problem.
uml_check_log() {
	grep -Eq "$GUEST_BAD" "$OUT" || return 0
	note "guest kernel log:"
	grep -E -B4 -A12 "$GUEST_BAD" "$OUT" | head -n 60 | sed 's/^/#   /'
	fail "the UML guest's kernel reported a problem"
}

# uml_run ARGS...: boot the guest and wait for it; fail unless it finished
# with a clean kernel log.
uml_run() {
	uml_start "$@"
	wait "$UML_PID"
	sed -i 's/\r$//' "$OUT"	# the guest's console is a tty
	grep -q '^GUEST done' "$OUT" || {
		note "guest output:"
		grep -v '^Checking\|^Core dump\|soft -\|hard -' "$OUT" |
			tail -n 40 | sed 's/^/#   /'
		fail "the UML guest did not finish"
	}
	uml_check_log
}

# guest KEY: the rest of the first "GUEST KEY ..." line ("" if none; a
# line with nothing after KEY gives KEY).
guest() {
	sed -n "s/^GUEST $1 //p; s/^GUEST \($1\)$/\1/p" "$OUT" | head -n 1
}

# The guest's interrupt count on lines matching PATTERN (a sum).
guest_irqs() {
	grep "^GUEST irq .*$1" "$OUT" |
		awk '{ s += $4 } END { print s + 0 }'
}

guest_show() {
	grep -v '^Checking\|^Core dump\|soft -\|hard -' "$OUT" |
		grep -E "$1" | sed 's/^/#   /'
}

# The SHA-256 of the image outside, over what the guests hash (IO_LEN).
image_sha() {
	"$here/uml_blk" hash "$IMG" "$IO_LEN" | sed -n 's/^sha256 //p'
}

# uml_hash ARGS...: boot a guest that hashes the namespace (IO_LEN bytes).
uml_hash() {
	uml_run ULDF_ACTION=hash ULDF_LEN="$IO_LEN" "$@"
}

# What the guests read: "the whole namespace" or "the first N MiB".
io_what() {
	if [ "$IO_LEN" = 0 ]; then
		echo "the whole namespace"
	else
		echo "the first $((IO_LEN >> 20)) MiB of the namespace"
	fi
}

# Pins held in the host kernel (FOLL_PIN), from /proc/vmstat, with the
# per-CPU deltas folded in first (vm.stat_refresh): without, the counts
# lag by a few pages and a comparison can be off by them.
pins() {
	echo 1 >/proc/sys/vm/stat_refresh 2>/dev/null
	awk '/^nr_foll_pin_acquired/ { a = $2 } /^nr_foll_pin_released/ { r = $2 }
	     END { print a - r }' /proc/vmstat
}

# uml_io_run ARGS...: the MSI-X and INTx runs' guest, in one boot: it
# hashes the namespace (IO_LEN bytes), then writes a random 1 MiB pattern
# at 8 MiB.  The image's SHA-256 (IMG_SHA) is taken first, as the write
# changes it; the pattern must not be in the image yet.
uml_io_run() {
	IO_OFF=$((8 << 20))
	IO_WRITE_LEN=$((1 << 20))
	IO_SEED=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
	"$here/uml_blk" check "$IMG" "$IO_OFF" "$IO_WRITE_LEN" "$IO_SEED" \
		2>/dev/null && fail "the pattern is in the image before the guest wrote it"
	IMG_SHA=$(image_sha)
	uml_run ULDF_ACTION=hash-write ULDF_LEN="$IO_LEN" ULDF_OFF="$IO_OFF" \
		ULDF_WRITE_LEN="$IO_WRITE_LEN" ULDF_SEED="$IO_SEED" "$@"
}

# The checks after uml_io_run: the guest saw the real controller, the
# stock driver bound, the namespace (IO_LEN) hashed as the image outside,
# and the pattern the guest wrote is in the image.
uml_io_checks() {
	local want got

	want=$(lspci -n -s "$BDF" | cut -d' ' -f2-)
	got=$(guest lspci | cut -d' ' -f2-)
	note "host:  $BDF $want"
	note "guest: 0000:01:00.0 $got"
	[ -n "$want" ] && [ "$want" = "$got" ] || fail "the guest does not see the controller's IDs"
	[ "$(guest driver)" = nvme ] || fail "the guest's nvme driver did not bind"
	[ -n "$(guest namespace)" ] || fail "no /dev/nvme0n1 in the guest"

	got=$(guest sha256)
	note "image outside: $IMG_SHA"
	note "guest read:    $got ($(guest read))"
	[ -n "$got" ] && [ "$got" = "$IMG_SHA" ] || fail "the guest read other data than the image holds"
	note "SHA-256 of $(io_what) equal inside and outside"

	[ -n "$(guest written)" ] || {
		guest_show 'GUEST|uml_blk|nvme|I/O'
		fail "the guest could not write"
	}
	"$here/uml_blk" check "$IMG" "$IO_OFF" "$IO_WRITE_LEN" "$IO_SEED" ||
		fail "the pattern the guest wrote is not in the image"
	note "a 1 MiB pattern written by the guest at 8 MiB is in the image"
}

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

# device_free [BDF]: whether the function's device fd can be opened (no
# guest holds it).
device_free() {
	( exec 3<>"/dev/uldf/${1:-$BDF}" ) 2>/dev/null
}

# uml_wait_busy: wait until the guest started (ULDF_ACTION=busy) reading.
uml_wait_busy() {
	local i

	for i in $(seq 120); do
		grep -q '^GUEST busy' "$OUT" && break
		grep -q '^GUEST done' "$OUT" && break
		sleep 1
	done
	grep -q '^GUEST busy' "$OUT" || { guest_show .; fail "the guest did not start reading"; }
}

# uml_kill_wait: SIGKILL the UML kernel process, wait for every UML
# process to be gone.
uml_kill_wait() {
	local pid i

	pid=$(uml_kernel_pid)
	[ -n "$pid" ] || fail "cannot find the UML kernel process"
	kill -KILL "$pid"
	for i in $(seq 60); do
		[ "$(uml_procs)" = 0 ] && break
		sleep 1
	done
	wait "$UML_PID" 2>/dev/null
	[ "$(uml_procs)" = 0 ] || fail "UML processes survive the kill"
}

# bus_master BDF: whether the function has Bus Master Enable on.
bus_master() {
	local cmd

	cmd=$(od -An -tx2 -j4 -N2 "/sys/bus/pci/devices/$1/config" | tr -d ' ')
	(( (0x$cmd & 0x4) != 0 ))
}

# uml_check_released PINS BDF...: after the guest is gone, each function's
# device fd opens again and its bus mastering is off, no uldf interrupt is
# left, and the host's pinned pages are back at PINS.
uml_check_released() {
	local pins0=$1 b i

	shift
	for b; do
		for i in $(seq 30); do
			device_free "$b" && break
			sleep 1
		done
		device_free "$b" || fail "$b: the device fd is still held after the kill"
		bus_master "$b" && fail "$b: bus mastering still on after the kill"
	done
	grep -q 'uldf-' /proc/interrupts && fail "uldf interrupts left: $(grep uldf- /proc/interrupts)"
	[ "$(pins)" = "$pins0" ] || fail "$(( $(pins) - pins0 )) pages still pinned after the kill"
}
