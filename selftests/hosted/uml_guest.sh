#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Init of the User-Mode Linux guest that the hosted-guest tests boot.  The
# guest's root is the testbed's own root over hostfs, so its user space is
# the testbed's (busybox, and /usr with lspci).  It loads uldf_pv.ko with
# the uldf_pv.* options of its command line, waits for the stock nvme
# driver to bring up /dev/nvme0n1, does what ULDF_ACTION (an environment
# variable from the command line) says, reports in lines that start with
# "GUEST ", and powers off.
#
#   ULDF_ACTION=hash	SHA-256 of the namespace
#   ULDF_ACTION=read	read the namespace, timed (ULDF_REPEAT times)
#   ULDF_ACTION=write	write the pattern ULDF_SEED at ULDF_OFF, ULDF_LEN bytes
#   ULDF_ACTION=busy	read the namespace over and over until killed
#
# hash and read take the whole namespace, or its first ULDF_LEN bytes when
# ULDF_LEN is set and not 0.
#
# ULDF_BAD_DEVICES lists devices= values, separated by '/', with which
# loading the module must fail first.

# proc first: busybox finds its applets through /proc/self/exe.
/bin/busybox mount -t proc proc /proc
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t sysfs sysfs /sys

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

say() { echo "GUEST $*"; }
finish() {
	say "interrupts"
	grep -E 'uldf|nvme' /proc/interrupts | sed 's/^/GUEST irq /'
	say "done $1"
	sync
	poweroff -f
}

# Loads that must fail, and leave nothing behind (ULDF_BAD_DEVICES: values
# of devices= separated by '/').
for bad in $(echo "${ULDF_BAD_DEVICES:-}" | tr / ' '); do
	if insmod "$top/vmm-glue/uml/uldf_pv.ko" devices="$bad" 2>/dev/null; then
		say "bad-insmod $bad loaded"
		finish bad-insmod-loaded
	fi
	say "bad-insmod $bad refused"
done

args=""
for w in $(cat /proc/cmdline); do
	case "$w" in
	uldf_pv.*) args="$args ${w#uldf_pv.}" ;;
	esac
done
# shellcheck disable=SC2086
insmod "$top/vmm-glue/uml/uldf_pv.ko" $args || finish insmod-failed

i=0
while [ ! -b /dev/nvme0n1 ] && [ $i -lt 60 ]; do
	sleep 1
	i=$((i + 1))
done
say "lspci $(lspci -n -s 01:00.0)"
lspci -n -s 01: | sed 's/^/GUEST pci /'
say "driver $(basename "$(readlink /sys/bus/pci/devices/0000:01:00.0/driver)")"
[ -b /dev/nvme0n1 ] || finish no-namespace
say "namespace $(cat /sys/block/nvme0n1/size) sectors"
say "lbasize $(cat /sys/block/nvme0n1/queue/logical_block_size)"

case "${ULDF_ACTION:=hash}" in
hash)
	"$here/uml_blk" hash /dev/nvme0n1 "${ULDF_LEN:-0}" | sed 's/^/GUEST /' ;;
read)
	for i in $(seq "${ULDF_REPEAT:-1}"); do
		"$here/uml_blk" read /dev/nvme0n1 "${ULDF_LEN:-0}" |
			sed 's/^/GUEST /'
	done ;;
write)
	"$here/uml_blk" write /dev/nvme0n1 "$ULDF_OFF" "$ULDF_LEN" "$ULDF_SEED" &&
		say "written" ;;
busy)
	say "busy"
	while :; do
		"$here/uml_blk" read /dev/nvme0n1 >/dev/null
	done ;;
esac
finish ok
