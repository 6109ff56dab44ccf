#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Device matrix, USB: QEMU's qemu-xhci with a usb-storage disk (testbed
# profile "hosted", 00:0d.0) passed through to the User-Mode Linux guest:
# the stock xhci_hcd drives the controller on MSI-X, the USB core
# enumerates the bus behind it and usb-storage binds the disk.  Data
# checked as in uml_dev_ahci.sh.  (INTx: uml_dev_intx.sh.)
. "$(dirname "$0")/uml_dev_lib.sh"

dev_row usb 0000:00:0d.0 xhci_hcd disk /run/vm/usb.img
dev_require
uml_bind_rows
dev_run --fio msix
[ -n "$(guest usb-storage)" ] || fail "usb-storage did not bind the disk"
note "usb: usb-storage bound the disk's interface $(guest usb-storage)"
exit 0
