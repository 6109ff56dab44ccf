#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The hosted guest on MSI-X: a User-Mode Linux guest in the testbed gets
# the NVMe controller through uldf; its lspci shows the controller's real
# IDs, the stock nvme driver binds, and the guest resets the controller
# through sysfs (an FLR that the host carries out, with the guest's decode
# turned off around it, which must not reach the host's).  After that its
# MSI-X interrupts count in the guest's /proc/interrupts, reading the whole
# namespace in the guest gives the SHA-256 of the disk image outside, and a
# pattern the guest writes is in the image once the guest is gone.
. "$(dirname "$0")/uml_lib.sh"

uml_require
uml_bind
uml_io_run ULDF_RESET=1
guest_show '^GUEST (irq|reset)'
[ "$(guest reset_method)" = flr ] ||
	fail "the guest's reset method is '$(guest reset_method)', not flr"
[ "$(guest reset)" = done ] || fail "the guest's reset of the controller failed"
grep -q 'uldf_pv: .*config write.*failed' "$OUT" && {
	guest_show 'uldf_pv: .*config write'
	fail "a config write of the guest failed on the host (the FLR?)"
}
n=$(grep -c 'nvme nvme0: .* default/read/poll queues' "$OUT")
[ "$n" -ge 2 ] || fail "the nvme driver did not set up its queues again after the reset"
note "the guest reset the controller by FLR and its driver came back"
n=$(guest_irqs 'uldf-pv-PCI-MSI.*nvme0q')
[ "$n" -gt 0 ] || fail "no MSI-X interrupt counted in the guest"
[ "$(guest_irqs 'uldf-pv-INTx')" = 0 ] || fail "INTx used while MSI-X is on"
note "$n MSI-X interrupts in the guest's /proc/interrupts"
uml_io_checks
exit 0
