#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Device matrix, SCSI host adapter: QEMU's megasas-gen2 with a scsi-hd
# (testbed profile "hosted", 00:0f.0) passed through to the User-Mode
# Linux guest, where the stock megaraid_sas binds it on MSI-X and the SCSI
# disk appears behind it.  Data checked as in uml_dev_ahci.sh.  (INTx:
# uml_dev_intx.sh; megaraid_sas does not use MSI.)
. "$(dirname "$0")/uml_dev_lib.sh"

dev_row megasas 0000:00:0f.0 megaraid_sas disk /run/vm/mega.img
dev_require
uml_bind_rows
dev_run --fio msix
exit 0
