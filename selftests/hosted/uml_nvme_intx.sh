#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The hosted guest on INTx: the same as uml_nvme_msix.sh with MSI and
# MSI-X hidden from the guest (uldf_pv.hide_msi=1), so that its nvme
# driver falls back to the legacy interrupt, served by the EOI loop (each
# interrupt masks the host line until the guest's EOI unmasks it).
#
# The guest's nvme driver keeps one command in flight per I/O queue
# (nvme.io_queue_depth=2).  QEMU's nvme model (7.2 as Debian 12 ships
# it) writes the shadow-doorbell event index from its cached completion
# queue head before it reads the host's shadow head, so the index can
# lag one completion behind; Linux then skips the MMIO head doorbell
# (nvme_dbbuf_need_event), and the model, which lowers INTx only on that
# MMIO write, keeps the level asserted with the queue empty until the
# guest's kernel disables the line ("nobody cared").  With one command in
# flight no completion can be posted between the guest's shadow write
# and its MMIO write, so the index cannot lag.  The reproduction:
# drivers/uldf-nvme/dbbuf-intx (Documentation/hosted-guest.rst).
. "$(dirname "$0")/uml_lib.sh"

uml_require
uml_bind
uml_io_run uldf_pv.hide_msi=1 nvme.io_queue_depth=2
guest_show '^GUEST irq'
n=$(guest_irqs 'uldf-pv-INTx.*nvme0q')
[ "$n" -gt 0 ] || fail "no INTx interrupt counted in the guest"
[ "$(guest_irqs 'PCI-MSI')" = 0 ] || fail "MSI/MSI-X used although hidden"
note "$n INTx interrupts in the guest's /proc/interrupts"
uml_io_checks
exit 0
