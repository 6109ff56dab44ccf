# SPDX-License-Identifier: GPL-2.0
#
# Shared by the device-matrix tests (uml_dev_*.sh): functions of the
# testbed's "hosted" profile (tools/testbed/vm --profile hosted) passed
# through to a User-Mode Linux guest whose stock drivers drive them, with
# uml_dev_guest.sh as the guest's init.  A test names its rows, one per
# function, in guest slot order (0, 1, ...):
#
#   dev_row NAME BDF DRIVER disk IMG	a disk; IMG its image as the
#					testbed sees the run directory
#   dev_row NAME BDF DRIVER nic MAC PEER	a NIC with address MAC, whose
#					peer on its QEMU hub is the
#					testbed NIC with address PEER
#
# DRIVER is the stock driver that must bind the function in the guest.
# Then dev_require, uml_bind_rows and, for each guest, dev_run with the
# interrupt kind each row must use.
#
# The data is checked against what was made outside the guest: a disk's
# SHA-256 read whole in the guest against the image's, taken in the
# testbed before the guest boots, and a pattern the guest writes found in
# the image after it is gone (read with the page cache dropped, through
# the testbed's share of the run directory, which reaches the host's
# file); a NIC's random bytes sent by the guest against what arrives at
# the testbed's NIC, and the other way round.

. "$(dirname "${BASH_SOURCE[0]}")/uml_lib.sh"
UML_INIT=$here/uml_dev_guest.sh
WORK=$(mktemp -d /tmp/uml-dev.XXXXXX)
BG=""
R_NAME=() R_BDF=() R_DRV=() R_TYPE=() R_IMG=() R_MAC=() R_PEER=()
R_RECV=() R_SHA=() R_IFC=()

dev_cleanup() {
	local p

	for p in $BG; do
		kill "$p" 2>/dev/null
	done
	rm -rf "$WORK"
	uml_unbind
}
trap dev_cleanup EXIT

dev_row() {
	local s=${#R_NAME[@]}

	R_NAME[s]=$1 R_BDF[s]=$2 R_DRV[s]=$3 R_TYPE[s]=$4
	case "$4" in
	disk) R_IMG[s]=$5 ;;
	nic) R_MAC[s]=$5 R_PEER[s]=$6 ;;
	esac
}

dev_require() {
	local s

	[ "${ULDF_PROFILE:-}" = hosted ] ||
		skip "needs the testbed's hosted profile (tools/testbed/vm --profile hosted; 'make check' boots it)"
	[ "$(id -u)" = 0 ] || skip "needs root"
	[ -d /sys/bus/pci/drivers/uldf ] || skip "uldf.ko not loaded; run through 'make check'"
	[ "${ULDF_IOMMU:-1}" = 1 ] || skip "the guest's DMA needs the host IOMMU (testbed without --no-iommu)"
	grep -q ' /dev/shm tmpfs ' /proc/mounts || skip "/dev/shm is not a tmpfs"
	[ -x "$UML" ] || skip "no UML kernel at $UML; run 'make uml-guest'"
	[ -x "$here/uml_blk" ] && [ -x "$here/uml_eth" ] || skip "uml_blk or uml_eth not built; run 'make'"
	for s in "${!R_NAME[@]}"; do
		[ -e "/sys/bus/pci/devices/${R_BDF[s]}" ] || skip "no function at ${R_BDF[s]}"
		[ "${R_TYPE[s]}" != disk ] || [ -r "${R_IMG[s]}" ] ||
			skip "the disk image ${R_IMG[s]} is not visible"
	done
}

uml_bind_rows() {
	local s

	for s in "${!R_NAME[@]}"; do
		uml_bind "${R_BDF[s]}"
	done
}

# Interrupts counted in the guest for slot $1 on chip $2 (the slot from
# the hardware number: MSI and MSI-X (PCI requester ID << 11) + vector,
# bus 1; INTx the slot).
dev_irqs() {
	grep '^GUEST irq ' "$OUT" | awk -v s="$1" -v chip="$2" '
		$5 != chip { next }
		chip ~ /MSI/ && int($6 / 16384) - 32 != s { next }
		chip ~ /INTx/ && $6 + 0 != s { next }
		{ n += $4 } END { print n + 0 }'
}

# dev_check_irqs SLOT KIND: the guest counted interrupts of kind KIND
# (msi, msix, intx) for the slot's function, and none of another kind.
dev_check_irqs() {
	local s=$1 kind=$2 chip other n mode name=${R_NAME[$1]}

	case "$kind" in
	msi|msix) chip='uldf-pv-PCI-MSI' other='uldf-pv-INTx' ;;
	intx) chip='uldf-pv-INTx' other='uldf-pv-PCI-MSI' ;;
	esac
	mode=$(guest "s$s msi-mode")
	[ "$kind" = intx ] && [ -z "$mode" ] || [ "$kind" = "$mode" ] ||
		fail "$name: the guest's ${R_DRV[s]} enabled '${mode:-INTx}', not $kind"
	n=$(dev_irqs "$s" "$chip")
	[ "$n" -gt 0 ] || fail "$name: no $kind interrupt counted in the guest"
	[ "$(dev_irqs "$s" "$other")" = 0 ] || fail "$name: $other interrupts on a $kind run"
	note "$name: $n interrupts on $kind ($(dev_irq_lines "$s"))"
}

# The slot's lines of the guest's /proc/interrupts: "NAME COUNT, ...".
dev_irq_lines() {
	local l="" chip

	for chip in uldf-pv-PCI-MSI uldf-pv-INTx; do
		l="$l$(grep '^GUEST irq ' "$OUT" | awk -v s="$1" -v chip="$chip" '
			$5 != chip { next }
			chip ~ /MSI/ && int($6 / 16384) - 32 != s { next }
			chip ~ /INTx/ && $6 + 0 != s { next }
			{ printf "%s %s, ", $7, $4 }')"
	done
	echo "${l%, }"
}

dev_check_bound() {
	local s=$1 want got name=${R_NAME[$1]}

	want=$(lspci -n -s "${R_BDF[s]}" | cut -d' ' -f2-)
	got=$(guest "lspci 01:0$s.0")
	[ -n "$want" ] && [ "$want" = "$got" ] ||
		fail "$name: the guest sees '$got', not the function's IDs '$want'"
	[ "$(guest "s$s driver")" = "${R_DRV[s]}" ] || {
		note "guest output:"
		grep -v '^Checking\|^Core dump\|soft -\|hard -' "$OUT" |
			tail -n 40 | sed 's/^/#   /'
		fail "$name: the guest's ${R_DRV[s]} did not bind (driver: '$(guest "s$s driver")')"
	}
	note "$name: ${R_DRV[s]} bound 01:0$s.0 ($got) in the guest"
}

# The testbed's interface with MAC address $1 (its virtio_net NIC).
dev_peer_if() {
	local a

	modprobe virtio_net 2>/dev/null
	for a in /sys/class/net/*/address; do
		[ "$(cat "$a")" = "$1" ] && { basename "$(dirname "$a")"; return 0; }
	done
	return 1
}

# Before a guest: a disk's SHA-256 and the pattern's absence; a NIC's
# files (128 KiB of random bytes each way) and the testbed's side of the
# transfers, in the background.
dev_prepare() {
	local s=$1 ifc

	case "${R_TYPE[s]}" in
	disk)
		"$here/uml_blk" check "${R_IMG[s]}" "$DEV_OFF" "$DEV_LEN" \
			"$((DEV_SEED + s))" 2>/dev/null &&
			fail "${R_NAME[s]}: the pattern is in the image before the guest wrote it"
		R_SHA[s]=$("$here/uml_blk" hash "${R_IMG[s]}" | sed -n 's/^sha256 //p')
		;;
	nic)
		ifc=$(dev_peer_if "${R_PEER[s]}") ||
			fail "${R_NAME[s]}: no testbed NIC with address ${R_PEER[s]}"
		R_IFC[s]=$ifc
		ip link set "$ifc" up || fail "cannot bring $ifc up"
		head -c 131072 /dev/urandom >"$WORK/tx.$s"	# the guest sends it
		head -c 131072 /dev/urandom >"$WORK/src.$s"	# the testbed sends it
		rm -f "$WORK/rx.$s"
		"$here/uml_eth" recv "$ifc" "${R_MAC[s]}" 1 "$WORK/got.$s" \
			"$UML_TIMEOUT" >"$WORK/got.$s.log" 2>&1 &
		R_RECV[s]=$!
		BG="$BG $!"
		"$here/uml_eth" send "$ifc" "${R_MAC[s]}" 2 "$WORK/src.$s" \
			"$UML_TIMEOUT" >/dev/null 2>&1 &
		BG="$BG $!"
		;;
	esac
}

dev_check_disk() {
	local s=$1 got fio name=${R_NAME[$1]}

	got=$(guest "s$s sha256")
	note "$name: image outside $(echo "${R_SHA[s]}" | cut -c1-16)..., guest read $(echo "$got" | cut -c1-16)... ($(guest "s$s disk"); $(guest "s$s read"))"
	[ -n "$got" ] && [ "$got" = "${R_SHA[s]}" ] ||
		fail "$name: the guest read other data than the image holds"
	[ -n "$(guest "s$s written")" ] || {
		guest_show "GUEST s$s|uml_blk|I/O|error"
		fail "$name: the guest could not write"
	}
	echo 3 >/proc/sys/vm/drop_caches
	"$here/uml_blk" check "${R_IMG[s]}" "$DEV_OFF" "$DEV_LEN" "$((DEV_SEED + s))" ||
		fail "$name: the pattern the guest wrote is not in the image"
	note "$name: SHA-256 of the whole disk equal inside and outside; the 1 MiB pattern the guest wrote at $((DEV_OFF >> 20)) MiB is in the image"
	[ -n "${DEV_FIO:-}" ] || return 0
	fio=$(guest "s$s fio")
	if [ -z "$fio" ]; then
		note "$name: no fio in the guest (install it with 'make deps')"
		return 0
	fi
	[ "$fio" = 0 ] || {
		guest_show "^GUEST s$s fio-out "
		fail "$name: fio's verification failed in the guest (exit $fio)"
	}
	note "$name: fio (4 MiB of 64 KiB random writes, --verify=crc32c) passed: $(guest "s$s fio-out  *WRITE:" | cut -d, -f1)"
}

dev_check_nic() {
	local s=$1 pid=${R_RECV[$1]} i rc want have name=${R_NAME[$1]}

	note "$name: guest interface $(guest "s$s interface"): $(guest "s$s tx"); $(guest "s$s rx" | sed 's/sha256 [0-9a-f]*, //')"
	# The guest is gone: what it sent has arrived or never will.
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill "$pid" 2>/dev/null
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" = 0 ] || {
		note "testbed ${R_IFC[s]}: $(cat "$WORK/got.$s.log")"
		fail "$name: the testbed's NIC did not receive the guest's data"
	}
	want=$(sha256sum <"$WORK/tx.$s" | cut -d' ' -f1)
	have=$(sha256sum <"$WORK/got.$s" | cut -d' ' -f1)
	[ "$want" = "$have" ] ||
		fail "$name: what arrived at the testbed's NIC differs from what the guest sent"
	want=$(sha256sum <"$WORK/src.$s" | cut -d' ' -f1)
	have=$(sha256sum <"$WORK/rx.$s" 2>/dev/null | cut -d' ' -f1)
	[ "$want" = "$have" ] ||
		fail "$name: what the guest received differs from what the testbed sent"
	note "$name: 128 KiB of random bytes from the guest arrived intact at the testbed's ${R_IFC[s]}, and 128 KiB from there in the guest"
}

# dev_run [--fio] KIND... -- ARGS...: one guest with every row, ARGS
# extra words of its command line; KIND the interrupt kind row 0, 1, ...
# must use (msi, msix, intx).  The disks are hashed whole, a random
# pattern of 1 MiB written at DEV_OFF (default 8 MiB), and with --fio a
# fio verification job run 4 MiB further on; each NIC sends and
# receives 128 KiB.  Then every row's checks.
dev_run() {
	local kinds=() s devs="" disks="" nics="" extra=()

	DEV_FIO=""
	[ "$1" = --fio ] && { DEV_FIO=1; shift; }
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		kinds+=("$1")
		shift
	done
	[ "${1:-}" = -- ] && shift
	DEV_OFF=${DEV_OFF:-$((8 << 20))}
	DEV_LEN=$((1 << 20))
	DEV_SEED=$(od -An -N4 -tu2 /dev/urandom | tr -d ' ')
	for s in "${!R_NAME[@]}"; do
		dev_prepare "$s"
		devs="$devs,${R_BDF[s]}"
		case "${R_TYPE[s]}" in
		disk) disks="$disks $s" ;;
		nic) nics="$nics $s"; extra+=("ULDF_PEER_$s=${R_PEER[s]}") ;;
		esac
	done
	[ -z "$DEV_FIO" ] || extra+=(ULDF_FIO=$((DEV_OFF + (4 << 20))))
	UML_DEVICES=${devs#,}
	# The lists go in as "0,1,2": a word of the command line each.
	uml_run ULDF_DISKS="$(echo $disks | tr ' ' ,)" \
		ULDF_NICS="$(echo $nics | tr ' ' ,)" ULDF_SEED="$DEV_SEED" \
		ULDF_OFF="$DEV_OFF" ULDF_WRITE_LEN="$DEV_LEN" \
		ULDF_TX="$WORK/tx" ULDF_RX="$WORK/rx" "${extra[@]}" "$@"
	for s in "${!R_NAME[@]}"; do
		dev_check_bound "$s"
		dev_check_irqs "$s" "${kinds[s]}"
		case "${R_TYPE[s]}" in
		disk) dev_check_disk "$s" ;;
		nic) dev_check_nic "$s" ;;
		esac
	done
}

# dev_host_driver BDF MODULE [PARAM...]: the function driven by the
# testbed's own kernel instead (to compare what the model does under the
# distribution kernel's driver): unbind it from uldf, load MODULE with
# PARAMs, which binds it, and put the kernel log lines of the function
# since in HOST_LOG.  dev_host_driver_off MODULE unloads it again.
dev_host_driver() {
	local bdf=$1 m=$2 seen
	shift 2

	seen=$(dmesg | wc -l)
	[ -e "/sys/bus/pci/drivers/uldf/$bdf" ] &&
		echo "$bdf" >/sys/bus/pci/drivers/uldf/unbind
	echo >"/sys/bus/pci/devices/$bdf/driver_override"
	modprobe "$m" "$@" || fail "cannot load $m in the testbed"
	echo "$bdf" >/sys/bus/pci/drivers_probe 2>/dev/null
	HOST_LOG=$(dmesg | tail -n +"$((seen + 1))" | grep -F "${bdf#0000:}")
}

dev_host_driver_off() {
	modprobe -r "$1" 2>/dev/null
}
