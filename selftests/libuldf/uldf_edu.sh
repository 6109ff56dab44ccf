#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# examples/uldf-edu, the example user-level driver, passes its own checks
# (identification, liveness, interrupts, factorial, DMA both ways) with
# INTx and with MSI.
ksft_skip=4
top=$(cd "$(dirname "$0")/../.." && pwd)
edu=${ULDF_EDU_BDF:-0000:00:03.0}

[ "$(id -u)" = 0 ] || { echo "# needs root"; exit $ksft_skip; }
[ -d /sys/bus/pci/drivers/uldf ] || { echo "# uldf.ko not loaded; run through 'make check'"; exit $ksft_skip; }
[ -e /sys/bus/pci/devices/$edu ] || { echo "# no edu at $edu; run through 'make check'"; exit $ksft_skip; }

"$top/tools/uldfctl/uldfctl" bind "$edu" >/dev/null || exit 1
failed=0
for mode in --intx --msi; do
	echo "# uldf-edu $mode $edu"
	out=$("$top/examples/uldf-edu/uldf-edu" $mode "$edu" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/#   /'
	if [ $rc != 0 ]; then
		echo "# FAIL: uldf-edu $mode exited with $rc"
		failed=1
	fi
done
"$top/tools/uldfctl/uldfctl" unbind "$edu" >/dev/null
exit $failed
