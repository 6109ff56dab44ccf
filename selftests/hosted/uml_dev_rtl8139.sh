#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Device matrix, NIC on INTx only: QEMU's rtl8139 (testbed profile
# "hosted", 00:11.0; no MSI capability) passed through to the User-Mode
# Linux guest.  The model is an RTL8139C+ (revision 0x20), which 8139too
# declines ("use 8139cp"; the testbed's own 8139too, checked here at the
# end); the guest has 8139too built too (CONFIG_8139TOO_PIO=n, for the
# memory BAR), and the stock 8139cp binds the function through its
# memory BAR 1.  Data checked as in uml_dev_e1000e.sh, through the
# testbed's NIC on the rtl8139's own hub.
. "$(dirname "$0")/uml_dev_lib.sh"

bdf=0000:00:11.0
dev_row rtl8139 $bdf 8139cp nic 52:54:00:00:11:00 52:54:00:00:13:00
dev_require
uml_bind_rows
dev_run intx
uml_unbind
BOUND=""
dev_host_driver $bdf 8139too
dev_host_driver_off 8139too
echo "$HOST_LOG" | sed 's/^/#   testbed: /'
echo "$HOST_LOG" | grep -q 'enhanced 8139C+ chip, use 8139cp' ||
	fail "the testbed's 8139too did not decline the model"
note "rtl8139: the testbed's own 8139too declines the model too: 8139cp is its driver"
exit 0
