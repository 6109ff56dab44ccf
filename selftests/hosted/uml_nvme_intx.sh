#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The hosted guest on INTx: the same as uml_nvme_msix.sh with MSI and
# MSI-X hidden from the guest (uldf_pv.hide_msi=1), so that its nvme
# driver falls back to the legacy interrupt, served by the EOI loop (each
# interrupt masks the host line until the guest's EOI unmasks it).
. "$(dirname "$0")/uml_lib.sh"

uml_require
uml_bind
uml_hash uldf_pv.hide_msi=1
guest_show '^GUEST irq'
n=$(guest_irqs 'uldf-pv-INTx.*nvme0q')
[ "$n" -gt 0 ] || fail "no INTx interrupt counted in the guest"
[ "$(guest_irqs 'PCI-MSI')" = 0 ] || fail "MSI/MSI-X used although hidden"
note "$n INTx interrupts in the guest's /proc/interrupts"
uml_io_checks uldf_pv.hide_msi=1
exit 0
