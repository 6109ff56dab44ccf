#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Device matrix, AHCI: QEMU's ich9-ahci with a disk (testbed profile
# "hosted", 00:0c.0) passed through to the User-Mode Linux guest, where the
# stock ahci driver binds it through its MMIO BAR 5 (ABAR) and takes its
# interrupts on MSI (the controller offers one vector).  The whole disk
# read in the guest hashes (SHA-256) as the random image outside, a
# pattern the guest writes is in the image afterwards, and fio verifies
# its own writes in the guest.  (INTx: uml_dev_intx.sh.)
. "$(dirname "$0")/uml_dev_lib.sh"

dev_row ahci 0000:00:0c.0 ahci disk /run/vm/ahci.img
dev_require
uml_bind_rows
dev_run --fio msi
exit 0
