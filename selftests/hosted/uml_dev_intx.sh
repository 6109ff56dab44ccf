#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Device matrix on INTx: the six functions of the testbed's hosted
# profile in one User-Mode Linux guest (slots 0 to 5) with MSI and MSI-X
# hidden (uldf_pv.hide_msi=1), so that every stock driver falls back to
# the legacy interrupt, served by the EOI loop: ahci, xhci_hcd with
# usb-storage, virtio_pci with virtio_blk, megaraid_sas, e1000e and
# 8139cp.  Each binds its function, counts INTx interrupts, and its data
# is checked as in the single-device tests (uml_dev_*.sh): the disks read
# whole against their images and a pattern written by the guest found in
# them, 128 KiB each way between each NIC and its testbed peer.
. "$(dirname "$0")/uml_dev_lib.sh"

dev_row ahci 0000:00:0c.0 ahci disk /run/vm/ahci.img
dev_row usb 0000:00:0d.0 xhci_hcd disk /run/vm/usb.img
dev_row virtio-blk 0000:00:0e.0 virtio-pci disk /run/vm/vblk.img
dev_row megasas 0000:00:0f.0 megaraid_sas disk /run/vm/mega.img
dev_row e1000e 0000:00:10.0 e1000e nic 52:54:00:00:10:00 52:54:00:00:12:00
dev_row rtl8139 0000:00:11.0 8139cp nic 52:54:00:00:11:00 52:54:00:00:13:00
dev_require
uml_bind_rows
DEV_OFF=$((20 << 20))
dev_run intx intx intx intx intx intx -- uldf_pv.hide_msi=1
[ -n "$(guest usb-storage)" ] || fail "usb-storage did not bind the disk"
[ "$(guest "s2 virtio-driver")" = virtio_blk ] ||
	fail "virtio_blk did not bind the virtio device"
exit 0
