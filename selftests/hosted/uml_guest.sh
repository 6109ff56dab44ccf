#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Init of the User-Mode Linux guest that the hosted-guest tests boot.  The
# guest's root is the testbed's own root over hostfs, so its user space is
# the testbed's (busybox, and /usr with lspci).  The paravirtual PCI host
# is built into the guest's kernel and has set up the functions that the
# uldf_pv.* options of its command line name before this runs; the init
# waits for the stock nvme driver to bring up /dev/nvme0n1, does what
# ULDF_ACTION (an environment variable from the command line) says,
# reports in lines that start with "GUEST ", and powers off.
#
#   ULDF_ACTION=hash	SHA-256 of the namespace
#   ULDF_ACTION=read	read the namespace, timed (ULDF_REPEAT times), for
#			each N of ULDF_JOBS (a comma-separated list, default
#			1) with N reads in flight, and Nw likewise warm
#			(uml_blk read -j N [-w]): "GUEST read ..." lines for
#			1, "GUEST jN read ..." for the others, and the nvme
#			interrupts taken over each N's reads ("GUEST jN irqs
#			COUNT") and the guest CPU's time then ("GUEST jN cpu
#			user U system S idle I iowait W irq Q softirq SQ", in
#			ticks of /proc/stat)
#   ULDF_ACTION=hash-write
#			hash, then write the pattern ULDF_SEED at ULDF_OFF,
#			ULDF_WRITE_LEN bytes (one boot for both)
#   ULDF_ACTION=busy	read the namespace over and over until killed (and
#			ULDF_BUSY_ALSO, another block device, meanwhile)
#   ULDF_ACTION=refused	for a device list uldf_pv must refuse: report
#			whether any function is on the guest's bus 1
#
# hash and read take the whole namespace, or its first ULDF_LEN bytes when
# ULDF_LEN is set and not 0.
#
# ULDF_RESET=1 first resets the controller through sysfs, as a user would
# (the guest's pci_reset_function(): the nvme driver quiesces, the PCI core
# saves config space and clears the command register, resets the function
# by its first reset method, restores config space, and the driver brings
# the controller back), and reports the method and the outcome.

# proc first: busybox finds its applets through /proc/self/exe.
/bin/busybox mount -t proc proc /proc
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t sysfs sysfs /sys

# Each process costs the guest dearly: a User-Mode Linux process is a host
# process that the guest kernel drives through ptrace, page fault by page
# fault, and each of its system calls is a round trip through the host;
# on the debug host kernel a process took half a minute.  So the script
# uses shell builtins where they do the job, captures output instead of
# piping it through sed, and reads files with 'read' only when they are
# a line long.
here=${0%/*}

nl='
'
say() { echo "GUEST $*"; }

# say_lines PREFIX TEXT: a "GUEST PREFIX line" line for each line of TEXT
# (split by the shell: the read builtin would make a system call a byte).
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

finish() {
	say "interrupts"
	say_lines "irq " "$(grep -E 'uldf|nvme' /proc/interrupts)"
	say "done $1"
	poweroff -f	# syncs first
}

# nvme_irqs: the interrupts the nvme I/O queues took so far (a sum).
nvme_irqs() {
	awk '/nvme[0-9]*q[1-9]/ { for (i = 2; $i ~ /^[0-9]+$/; i++) s += $i }
	     END { print s + 0 }' /proc/interrupts
}

# A list uldf_pv refused at boot: nothing on its bus.
if [ "${ULDF_ACTION:-}" = refused ]; then
	pci=$(lspci -n -s 01:)
	if [ -n "$pci" ]; then
		say "refused no: ${pci%%"$nl"*}"
	else
		say "refused yes"
	fi
	finish ok
fi

"$here/uml_blk" wait /dev/nvme0n1 60
pci=$(lspci -n -s 01:)		# sorted: 01:00.0 first
say "lspci ${pci%%"$nl"*}"
say_lines "pci " "$pci"
drv=$(readlink /sys/bus/pci/devices/0000:01:00.0/driver)
say "driver ${drv##*/}"
[ -b /dev/nvme0n1 ] || finish no-namespace
read -r sectors </sys/block/nvme0n1/size
read -r lbasize </sys/block/nvme0n1/queue/logical_block_size
say "namespace $sectors sectors"
say "lbasize $lbasize"

if [ "${ULDF_RESET:-0}" = 1 ]; then
	dev=/sys/bus/pci/devices/0000:01:00.0
	method=none
	[ -e "$dev/reset_method" ] && read -r method <"$dev/reset_method"
	say "reset_method $method"
	if echo 1 >"$dev/reset"; then
		say "reset done"
	else
		say "reset failed"
	fi
	"$here/uml_blk" wait /dev/nvme0n1 60
fi

case "${ULDF_ACTION:=hash}" in
hash)
	say_lines "" "$("$here/uml_blk" hash /dev/nvme0n1 "${ULDF_LEN:-0}")" ;;
read)
	old_ifs=$IFS
	IFS=,
	set -- ${ULDF_JOBS:-1}
	IFS=$old_ifs
	for jobs in "$@"; do
		pfx="j$jobs "
		[ "$jobs" = 1 ] && pfx=
		warm=
		[ "${jobs%w}" = "$jobs" ] || warm=-w
		irqs0=$(nvme_irqs)
		read -r _ u0 n0 s0 i0 w0 q0 sq0 _ </proc/stat
		i=0
		while [ $i -lt "${ULDF_REPEAT:-1}" ]; do
			say_lines "$pfx" "$("$here/uml_blk" read /dev/nvme0n1 \
				"${ULDF_LEN:-0}" -j "${jobs%w}" $warm)"
			i=$((i + 1))
		done
		read -r _ u n s i w q sq _ </proc/stat
		say "j$jobs irqs $(($(nvme_irqs) - irqs0))"
		say "j$jobs cpu user $((u + n - u0 - n0)) system $((s - s0))" \
			"idle $((i - i0)) iowait $((w - w0)) irq $((q - q0))" \
			"softirq $((sq - sq0))"
	done ;;
hash-write)
	say_lines "" "$("$here/uml_blk" hash /dev/nvme0n1 "${ULDF_LEN:-0}")"
	"$here/uml_blk" write /dev/nvme0n1 "$ULDF_OFF" "$ULDF_WRITE_LEN" \
		"$ULDF_SEED" && say "written" ;;
busy)
	# ULDF_BUSY_ALSO: another block device to keep reading meanwhile.
	if [ -n "${ULDF_BUSY_ALSO:-}" ]; then
		"$here/uml_blk" wait "$ULDF_BUSY_ALSO" 60
		[ -b "$ULDF_BUSY_ALSO" ] || finish "no-$ULDF_BUSY_ALSO"
		while :; do
			"$here/uml_blk" read "$ULDF_BUSY_ALSO" >/dev/null
		done &
	fi
	say "busy"
	while :; do
		"$here/uml_blk" read /dev/nvme0n1 >/dev/null
	done ;;
esac
finish ok
