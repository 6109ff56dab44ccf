#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Init of the User-Mode Linux guest of the device-matrix tests
# (uml_dev_*.sh, through uml_dev_lib.sh).  Like uml_guest.sh, its root is
# the testbed's root over hostfs.  The UML kernel's built-in uldf_pv has
# set up the functions of uldf_pv.devices= on its command line (they are
# 0000:01:0S.0 in the guest, S = 0, 1, ... in that order); it waits for
# what the stock drivers bring up, checks data as its environment (words
# of the command line) says, reports in lines that start with "GUEST " ("GUEST sS ..."
# for slot S), and powers off.
#
#   ULDF_DISKS=S,...	slots with a disk: SHA-256 of the whole of it, then
#			the pattern ULDF_SEED + S written at ULDF_OFF,
#			ULDF_WRITE_LEN bytes (uml_blk)
#   ULDF_FIO=OFF	then a fio job with verification on each disk,
#			4 MiB at byte OFF (when fio is installed)
#   ULDF_NICS=S,...	slots with a NIC: bring its interface up, send the
#			file ULDF_TX.S to the MAC address ULDF_PEER_S, then
#			receive a file from it into ULDF_RX.S (uml_eth)

/bin/busybox mount -t proc proc /proc
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t sysfs sysfs /sys

# Few processes, few pipes: each costs the guest dearly (see uml_guest.sh).
# The slot lists come as "0,1,2" (a word of the command line each).
ULDF_DISKS=${ULDF_DISKS:-}
ULDF_DISKS=${ULDF_DISKS//,/ }
ULDF_NICS=${ULDF_NICS:-}
ULDF_NICS=${ULDF_NICS//,/ }
here=${0%/*}
top=${here%/selftests/hosted}
nl='
'
say() { echo "GUEST $*"; }

say_lines() {
	local line old_ifs="$IFS"

	IFS=$nl
	set -f
	for line in $2; do
		say "$1$line"
	done
	set +f
	IFS=$old_ifs
}

pcidev() { echo "/sys/bus/pci/devices/0000:01:0$1.0"; }

finish() {
	local s f m drv

	for s in ${ULDF_DISKS:-} ${ULDF_NICS:-}; do
		drv=$(readlink "$(pcidev "$s")/driver")
		say "s$s driver ${drv##*/}"
		# MSI or MSI-X, as the guest's PCI core enabled it.
		for f in "$(pcidev "$s")"/msi_irqs/*; do
			[ -e "$f" ] && read -r m <"$f" && say "s$s msi-mode $m"
		done
		# The drivers behind the function: of a virtio device.
		for f in "$(pcidev "$s")"/virtio*/driver; do
			[ -e "$f" ] && drv=$(readlink "$f") &&
				say "s$s virtio-driver ${drv##*/}"
		done
	done
	# Of a USB disk's interface.
	for f in /sys/bus/usb/drivers/usb-storage/*:*; do
		[ -e "$f" ] && say "usb-storage ${f##*/}"
	done
	say "interrupts"
	say_lines "irq " "$(grep uldf /proc/interrupts)"
	say "done $1"
	poweroff -f
}

say_lines "lspci " "$(lspci -n -s 01:)"

# Each disk slot's block device, found by its place in sysfs (the SCSI
# disks of three kinds of adapter come up in any order); up to a minute.
disks=""
i=0
while [ -n "${ULDF_DISKS:-}" ] && [ $i -lt 120 ]; do
	blocks=$(ls -l /sys/block)
	disks="" missing=0
	for s in $ULDF_DISKS; do
		b=""
		IFS=$nl
		for l in $blocks; do
			case "$l" in
			*"/0000:01:0$s.0/"*) b=${l##*/} ;;
			esac
		done
		IFS=" 	$nl"
		[ -n "$b" ] && [ -b "/dev/$b" ] || missing=1
		disks="$disks $s:$b"
	done
	[ $missing = 0 ] && break
	sleep 0.5
	i=$((i + 1))
done

for sb in $disks; do
	s=${sb%%:*} b=${sb#*:}
	[ -n "$b" ] || { say "s$s no-disk"; continue; }
	read -r sectors <"/sys/block/$b/size"
	say "s$s disk $b $sectors sectors"
	say_lines "s$s " "$("$here/uml_blk" hash "/dev/$b" 0)"
	"$here/uml_blk" write "/dev/$b" "$ULDF_OFF" "$ULDF_WRITE_LEN" \
		"$((ULDF_SEED + s))" && say "s$s written"
	if [ -n "${ULDF_FIO:-}" ] && [ -x /usr/bin/fio ]; then
		# fio maps some 60 libraries, more than the heuristic lets
		# a 128 MiB guest without swap have.
		echo 1 >/proc/sys/vm/overcommit_memory
		out=$(fio --name=verify --filename="/dev/$b" --direct=1 \
			--ioengine=psync --rw=randwrite --bs=64k \
			--offset="$ULDF_FIO" --size=4M --verify=crc32c \
			--verify_fatal=1 --do_verify=1 2>&1)
		rc=$?
		say_lines "s$s fio-out " "$out"
		say "s$s fio $rc"
	fi
done

for s in ${ULDF_NICS:-}; do
	set -- "$(pcidev "$s")"/net/*
	[ -e "$1" ] || { say "s$s no-interface"; continue; }
	ifc=${1##*/}
	eval "peer=\${ULDF_PEER_$s}"
	say "s$s interface $ifc"
	ip link set "$ifc" up || { say "s$s link-up-failed"; continue; }
	say_lines "s$s tx " "$("$here/uml_eth" send "$ifc" "$peer" 1 \
		"$ULDF_TX.$s" 60 2>&1)"
	say_lines "s$s rx " "$("$here/uml_eth" recv "$ifc" "$peer" 2 \
		"$ULDF_RX.$s" 60 2>&1)"
done
finish ok
