// SPDX-License-Identifier: GPL-2.0
/*
 * uldf reset: the function's state around an open, and ULDF_DEVICE_RESET.
 *
 * Opening the device fd saves config space as found (the kernel's
 * pci_save_state() copy, kept with pci_store_saved_state()) and turns bus
 * mastering off.  Closing resets the function, if it has a reset method, and
 * restores that copy, so the next user, or the next driver, finds the
 * function as this one did: bus mastering off, memory decoding as it was,
 * interrupts disabled.  Like vfio-pci, the reset uses the "try" variant
 * from a file operation (a caller must not sleep on the device lock that an
 * unbind holds while it waits for the same file to close) and the "locked"
 * variant from removal, which already holds that lock.
 *
 * Every reset runs with memory_lock held for write and the BAR mappings
 * zapped (rdwr.c): the function does not decode while it resets, so a
 * fault or a pread()/pwrite() waits for the reset to finish.
 */
#include <linux/pci.h>

#include "uldf_private.h"

/**
 * uldf_reset_supported() - whether the function has a reset method.
 * @udev: the device.
 *
 * Return: true if pci_try_reset_function() can reset it (FLR, PM reset,
 * or a secondary bus reset when the function is alone on its bus).
 */
bool uldf_reset_supported(struct uldf_device *udev)
{
	return udev->pdev->reset_methods[0] != 0;
}

/**
 * uldf_reset_enable() - prepare the function for a new device-fd owner.
 * @udev: the device; @udev->lock held for write.
 *
 * Saves config space as found and disables bus mastering.
 *
 * Return: 0, or -ENOMEM if the saved state cannot be stored.
 */
int uldf_reset_enable(struct uldf_device *udev)
{
	struct pci_dev *pdev = udev->pdev;

	pci_save_state(pdev);
	udev->saved_state = pci_store_saved_state(pdev);
	if (!udev->saved_state)
		return -ENOMEM;
	clear_bit(ULDF_ERR_CONFIG_LOST, &udev->err_flags);
	pci_clear_master(pdev);
	return 0;
}

/**
 * uldf_reset_disable() - return the function as it was found.
 * @udev:	the device; @udev->lock held for write.
 * @dev_locked:	the caller holds the PCI device lock (removal).
 *
 * Resets the function when it can be reset and is still present, then
 * restores the config space saved by uldf_reset_enable().
 */
void uldf_reset_disable(struct uldf_device *udev, bool dev_locked)
{
	struct pci_dev *pdev = udev->pdev;
	int ret = 0;

	kfree(udev->pm_state);
	udev->pm_state = NULL;
	if (!udev->saved_state)
		return;
	if (pci_channel_offline(pdev)) {
		kfree(udev->saved_state);
		udev->saved_state = NULL;
		return;
	}
	uldf_memory_lock_and_zap(udev);
	uldf_set_power(udev, PCI_D0);
	if (uldf_reset_supported(udev)) {
		if (dev_locked)
			ret = pci_reset_function_locked(pdev);
		else
			ret = pci_try_reset_function(pdev);
		if (ret)
			pci_dbg(pdev, "uldf: reset on release failed (%d)\n", ret);
	}
	pci_load_and_free_saved_state(pdev, &udev->saved_state);
	pci_restore_state(pdev);
	up_write(&udev->memory_lock);
}

/**
 * uldf_restore_lost_config() - put back config space a fatal error lost.
 * @udev: the open device; memory_lock held for write.
 *
 * After a fatal error's link reset (see uldf_error_detected()) the
 * function's BARs are unassigned: enabling decode would make it answer at
 * address 0.  Restores the config space saved at open (pci_store_saved_state())
 * and, through pci_restore_state(), the MSI/MSI-X vectors set up since;
 * bus mastering stays off.  Called before a reset and before the user's
 * command register write turns decoding on, as vfio-pci restores lost
 * BARs at that write (vfio_bar_restore()).  Does nothing if no fatal error
 * came since the last call.
 */
void uldf_restore_lost_config(struct uldf_device *udev)
{
	lockdep_assert_held_write(&udev->memory_lock);
	if (!test_and_clear_bit(ULDF_ERR_CONFIG_LOST, &udev->err_flags) ||
	    !udev->saved_state)
		return;
	kfree(udev->pm_state);
	udev->pm_state = NULL;
	pci_load_saved_state(udev->pdev, udev->saved_state);
	pci_restore_state(udev->pdev);
	uldf_sync_decode(udev);
	pci_info(udev->pdev, "uldf: config space lost in a fatal error restored\n");
}

/**
 * uldf_reset_function() - reset the function for its user.
 * @udev: the device; memory_lock held for write, BAR mappings zapped.
 *
 * The PCI core saves the function's state (the user's command register,
 * BARs, MSI/MSI-X) before the reset and restores it after, so access comes
 * back as the user had it.  After a fatal error's link reset (AER, see
 * uldf_error_detected()) that state is gone: the config space saved at
 * open is put back first, with the MSI/MSI-X vectors the user has set up,
 * so the function decodes its BARs again, bus mastering off.
 *
 * Return: 0; -ENOTTY without a reset method; -EAGAIN if the device lock is
 * contended (an unbind in progress) or a reset is already running.
 */
int uldf_reset_function(struct uldf_device *udev)
{
	int ret;

	lockdep_assert_held_write(&udev->memory_lock);
	uldf_restore_lost_config(udev);
	/*
	 * In D3hot the PCI core's reset would save, and so restore, the
	 * state D3hot left: first come back to D0 with the user's state.
	 */
	uldf_set_power(udev, PCI_D0);
	ret = pci_try_reset_function(udev->pdev);
	uldf_sync_decode(udev);
	return ret;
}

/**
 * uldf_reset_ioctl() - ULDF_DEVICE_RESET.
 * @udev: the device; @udev->lock held for read.
 *
 * Return: as uldf_reset_function().
 */
long uldf_reset_ioctl(struct uldf_device *udev)
{
	int ret;

	if (!uldf_reset_supported(udev))
		return -ENOTTY;
	uldf_memory_lock_and_zap(udev);
	ret = uldf_reset_function(udev);
	up_write(&udev->memory_lock);
	return ret;
}
