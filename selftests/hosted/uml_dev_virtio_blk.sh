#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Device matrix, virtio: QEMU's virtio-blk-pci, modern only, DMA through
# the IOMMU (testbed profile "hosted", 00:0e.0) passed through to the
# User-Mode Linux guest: the stock virtio_pci finds its structures through
# the vendor capabilities in the 64-bit BAR 4 and takes MSI-X, and
# virtio_blk binds the virtio device.  Data checked as in uml_dev_ahci.sh.
# (INTx: uml_dev_intx.sh.)
. "$(dirname "$0")/uml_dev_lib.sh"

dev_row virtio-blk 0000:00:0e.0 virtio-pci disk /run/vm/vblk.img
dev_require
uml_bind_rows
dev_run --fio msix
[ "$(guest "s0 virtio-driver")" = virtio_blk ] ||
	fail "virtio_blk did not bind the virtio device"
note "virtio-blk: virtio_blk bound the virtio device"
exit 0
