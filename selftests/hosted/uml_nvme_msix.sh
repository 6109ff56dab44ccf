#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The hosted guest on MSI-X: a User-Mode Linux guest in the testbed gets
# the NVMe controller through uldf; its lspci shows the controller's real
# IDs, the stock nvme driver binds, its MSI-X interrupts count in the
# guest's /proc/interrupts, reading the whole namespace in the guest gives
# the SHA-256 of the disk image outside, and a pattern the guest writes is
# in the image once the guest is gone.
. "$(dirname "$0")/uml_lib.sh"

uml_require
uml_bind
uml_io_run
guest_show '^GUEST irq'
n=$(guest_irqs 'uldf-pv-PCI-MSI.*nvme0q')
[ "$n" -gt 0 ] || fail "no MSI-X interrupt counted in the guest"
[ "$(guest_irqs 'uldf-pv-INTx')" = 0 ] || fail "INTx used while MSI-X is on"
note "$n MSI-X interrupts in the guest's /proc/interrupts"
uml_io_checks
exit 0
