#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# uldf-nvme's answers to bad arguments, as a new user meets them: each is
# exit status 2 with a message that names the argument (a zero block
# count, a negative LBA, a word for a number, a missing or unknown
# argument), and the advice after a failed open fits the cause: "try
# 'uldfctl bind'" only for a PCI function that exists while uldf is
# loaded; for a missing function or a missing module, what to do instead.
# The argument cases need no device and run anywhere; the open cases use
# the testbed's second NVMe controller (the kernel's) and a free slot.
ksft_skip=4
top=$(cd "$(dirname "$0")/../.." && pwd)
nvme=$top/drivers/uldf-nvme/uldf-nvme
kbdf=${ULDF_NVME2_BDF:-0000:00:06.0}	# present, not bound to uldf
none=0000:00:1e.6			# no such function

[ -x "$nvme" ] || { echo "# $nvme not built"; exit 1; }

failed=0
# case STATUS TEXT [!TEXT] -- ARGS...: uldf-nvme ARGS exits with STATUS
# and prints TEXT (and not the text after !).
case_() {
	local want=$1 text=$2 not="" out rc
	shift 2
	if [ "$1" != -- ]; then not=${1#!}; shift; fi
	shift
	out=$("$nvme" "$@" 2>&1 </dev/null >/dev/null)
	rc=$?
	echo "# \$ uldf-nvme $*: $rc: $(echo "$out" | head -n 1)"
	if [ $rc -ne "$want" ]; then
		echo "# FAIL: exit status $rc, expected $want"; failed=1
	fi
	case "$out" in *"$text"*) ;; *) echo "# FAIL: no '$text'"; failed=1 ;; esac
	if [ -n "$not" ]; then
		case "$out" in *"$not"*) echo "# FAIL: '$not' printed"; failed=1 ;; esac
	fi
}

case_ 2 "read: NLB must be at least 1" -- "$kbdf" read 0 0
case_ 2 "read: bad SLBA '-5'" -- "$kbdf" read -5 1
case_ 2 "write: bad SLBA '-1'" -- "$kbdf" write -1
case_ 2 "read: bad NLB '8k'" -- "$kbdf" read 0 8k
case_ 2 "read: bad SLBA ''" -- "$kbdf" read "" 1
case_ 2 "write needs SLBA" -- "$kbdf" write
case_ 2 "read: unknown argument '-z'" -- "$kbdf" read 0 1 -z
case_ 2 "--poll and --sqpoll exclude each other" -- --poll --sqpoll "$kbdf" identify

if [ -d /sys/bus/pci/drivers/uldf ]; then
	case_ 1 "no such PCI function" "!uldfctl bind" -- "$none" identify
	if [ -e "/sys/bus/pci/devices/$kbdf" ] && [ ! -e "/dev/uldf/$kbdf" ]; then
		case_ 1 "try 'uldfctl bind'" -- "$kbdf" identify
	else
		echo "# no function outside uldf at $kbdf; run through 'make check'"
	fi
else
	any=$(ls /sys/bus/pci/devices | head -n 1)
	if [ -n "$any" ]; then
		case_ 1 "the uldf module is not loaded" "!uldfctl bind" -- "$any" identify
	fi
fi
exit $failed
