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
 *
 * The one reset uldf does not start is the PCI core's recovery from a
 * fatal (or DPC-contained) error, which resets the link with a secondary
 * bus or slot reset that neither saves nor restores config space.
 * error_detected() freezes the function first: the mappings are zapped,
 * BAR and config access and ULDF_DEVICE_RESET fail with EIO (a fault
 * raises SIGBUS), and config space is saved as it is - the user's, or as
 * found if the device fd is closed or the function no longer answers (a
 * link already down, as under DPC).  slot_reset(), after the reset,
 * restores it and lets access through again, so the function comes back
 * as after ULDF_DEVICE_RESET.  If the recovery fails, the function stays
 * frozen.  Both callbacks run under the PCI device lock and take @lock
 * for write, like removal, so they are serialised with open and close.
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
	uldf_memory_lock_and_zap(udev);
	if (udev->frozen || pci_channel_offline(pdev)) {
		/*
		 * An error took the function offline: it is not reset or
		 * written now.  The state as found becomes what the PCI
		 * core's recovery restores after its reset
		 * (uldf_error_thaw()).
		 */
		pci_load_and_free_saved_state(pdev, &udev->saved_state);
		goto out_unlock;
	}
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
out_unlock:
	up_write(&udev->memory_lock);
}

/**
 * uldf_reset_function() - reset the function for its user.
 * @udev: the device; memory_lock held for write, BAR mappings zapped.
 *
 * The PCI core saves the function's state (the user's command register,
 * BARs, MSI/MSI-X) before the reset and restores it after, so access comes
 * back as the user had it.
 *
 * Return: 0; -ENOTTY without a reset method; -EAGAIN if the device lock is
 * contended (an unbind in progress) or a reset is already running.
 */
int uldf_reset_function(struct uldf_device *udev)
{
	int ret;

	lockdep_assert_held_write(&udev->memory_lock);
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
 * Return: as uldf_reset_function(); -EIO while the function is frozen by
 * an error (uldf_error_freeze()).
 */
long uldf_reset_ioctl(struct uldf_device *udev)
{
	int ret;

	if (!uldf_reset_supported(udev))
		return -ENOTTY;
	uldf_memory_lock_and_zap(udev);
	ret = udev->frozen ? -EIO : uldf_reset_function(udev);
	up_write(&udev->memory_lock);
	return ret;
}

/**
 * uldf_error_freeze() - block access before the PCI core's error reset.
 * @udev: the device; called from error_detected() with the PCI device
 *	  lock held, for an error that took the function offline.
 *
 * Zaps the BAR mappings and marks the function frozen (rdwr.c and
 * config.c then refuse access), and leaves saved the config space that
 * uldf_error_thaw() restores: while the device fd is open, the user's,
 * or the state as found at open if the function no longer answers (its
 * link is already down, as under DPC); while it is closed, the state as
 * found, which the close either handed over (a close while the function
 * was offline) or wrote back to the function.
 */
void uldf_error_freeze(struct uldf_device *udev)
{
	struct pci_dev *pdev = udev->pdev;
	bool present;

	down_write(&udev->lock);
	uldf_memory_lock_and_zap(udev);
	udev->frozen = true;
	present = pci_device_is_present(pdev);
	if (present && (udev->open || !pdev->state_saved))
		pci_save_state(pdev);
	else if (!present && udev->open)
		pci_load_saved_state(pdev, udev->saved_state);
	up_write(&udev->memory_lock);
	up_write(&udev->lock);
}

/**
 * uldf_error_thaw() - bring the function back after the error reset.
 * @udev: the device; called from slot_reset() with the PCI device lock
 *	  held, after the PCI core has reset the link.
 *
 * Restores the config space uldf_error_freeze() left saved - command
 * register, BARs, MSI/MSI-X, PCIe and AER control - and lets BAR and
 * config access through again.  Nothing to do if the function was not
 * frozen (a reset another device's driver asked for).
 *
 * Return: true; false if there was no state to restore (a closed
 * function that did not answer at the error): it stays frozen, since
 * its BARs are no longer where the kernel assigned them.
 */
bool uldf_error_thaw(struct uldf_device *udev)
{
	struct pci_dev *pdev = udev->pdev;
	bool ret = true;

	down_write(&udev->lock);
	down_write(&udev->memory_lock);
	if (udev->frozen && pdev->state_saved) {
		pci_restore_state(pdev);
		uldf_sync_decode(udev);
		udev->frozen = false;
	} else if (udev->frozen) {
		ret = false;
	}
	up_write(&udev->memory_lock);
	up_write(&udev->lock);
	return ret;
}
