// SPDX-License-Identifier: GPL-2.0
/*
 * uldf power: the function's power state, and the decode bits the PCI core
 * leaves in the command register.
 *
 * The user moves the function between D0 and D3hot by writing the power
 * state in PMCSR (trapped by config.c); release and reset bring it back
 * to D0 (reset.c).  Every change goes through pci_set_power_state(), as in
 * vfio-pci: entering D3hot zaps the BAR mappings and saves the function's
 * state; coming back to D0 restores it where the function loses it
 * (PMCSR No_Soft_Reset clear, remembered in cfg.pm_restore at open), so
 * the command register, BARs and MSI/MSI-X read as before.  The saved
 * state is kept in pm_state until then, and dropped at release or when a
 * fatal error's lost config space is put back (reset.c).
 *
 * After a power transition or a reset the command register is whatever the
 * PCI core restored, so the user's decode bits (cfg.decode, which BAR
 * access follows, rdwr.c) are taken from the device again.
 *
 * Everything here runs with memory_lock held for write, so a BAR fault or
 * access waits until the function is back in D0 and decoding.
 */
#include <linux/pci.h>
#include <linux/slab.h>

#include "uldf_private.h"

/**
 * uldf_sync_decode() - take the user's decode bits from the device.
 * @udev: the device; memory_lock held for write.
 *
 * After a reset or a power transition the command register is what the
 * PCI core restored, which is what the user reads (Memory and I/O Space
 * Enable are not virtual): BAR access must follow that, never a value
 * remembered from before.
 */
void uldf_sync_decode(struct uldf_device *udev)
{
	u16 cmd;

	lockdep_assert_held_write(&udev->memory_lock);
	pci_read_config_word(udev->pdev, PCI_COMMAND, &cmd);
	udev->cfg.decode = cmd & (PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
}

/**
 * uldf_set_power() - a power state for the function, as vfio-pci's
 * vfio_pci_set_power_state().
 * @udev: the device; memory_lock held for write.
 * @state: PCI_D0 to PCI_D3hot.
 *
 * Entering D3hot zaps the BAR mappings and, when the function loses its
 * state in D3hot (No_Soft_Reset clear), saves it; the way back to D0
 * restores it.  The user's decode bits are then taken from the device.
 *
 * Return: 0, or -EIO if the PCI core refuses the state.
 */
int uldf_set_power(struct uldf_device *udev, pci_power_t state)
{
	struct pci_dev *pdev = udev->pdev;
	bool was_d3 = uldf_pm_is_d3(pdev->current_state);
	bool to_d3 = uldf_pm_is_d3(state);
	int ret;

	if (state == pdev->current_state)
		return 0;
	if (to_d3) {
		uldf_bar_zap(udev);
		if (udev->cfg.pm_restore && !was_d3)
			pci_save_state(pdev);
	}
	ret = pci_set_power_state(pdev, state);
	if (ret) {
		pci_info_ratelimited(pdev, "uldf: power state %s refused (%d)\n",
				     pci_power_name(state), ret);
		return -EIO;
	}
	/* A quirk may keep the function out of D3hot: check where it is. */
	if (!udev->cfg.pm_restore) {
		/* nothing saved, nothing to restore */
	} else if (to_d3 && !was_d3 && uldf_pm_is_d3(pdev->current_state)) {
		kfree(udev->pm_state);
		udev->pm_state = pci_store_saved_state(pdev);
	} else if (was_d3 && state == PCI_D0 && udev->pm_state) {
		pci_load_and_free_saved_state(pdev, &udev->pm_state);
		pci_restore_state(pdev);
	}
	uldf_sync_decode(udev);
	return 0;
}
