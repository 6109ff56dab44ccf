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
 * Return: 0; -ENOMEM if the saved state cannot be stored; -EAGAIN while
 * the AER core recovers the function from a fatal error.
 */
int uldf_reset_enable(struct uldf_device *udev)
{
	struct pci_dev *pdev = udev->pdev;
	int ret;

	/* A fatal error while closed: first the config space of the bind. */
	down_write(&udev->memory_lock);
	ret = uldf_restore_lost_config(udev);
	up_write(&udev->memory_lock);
	if (ret)
		return ret;
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
	if (pci_channel_offline(pdev)) {
		kfree(udev->saved_state);
		udev->saved_state = NULL;
		return;
	}
	uldf_memory_lock_and_zap(udev);
	/* Removal holds the device lock: a lost config stays noted then. */
	if (!dev_locked)
		uldf_restore_lost_config(udev);
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
 * @udev: the device; memory_lock held for write, the PCI device lock not.
 *
 * After a fatal error's link reset (see uldf_error_detected()) the
 * function's BARs are unassigned: turning decode on would make it answer
 * at address 0.  Restores the config space saved at open (at bind, for a
 * device not open: pci_store_saved_state()) and, through
 * pci_restore_state(), the MSI/MSI-X vectors set up since; bus mastering
 * stays off.  Called before anything turns memory decode on (the user's
 * command register write, the kernel's MSI-X table writes), before a
 * reset, and at open and close, as vfio-pci restores lost BARs at the
 * command write (vfio_bar_restore()).  From the error until its
 * report_resume() the AER core keeps the channel state off normal
 * (pcie_do_recovery()), and it resets the link with the device lock held;
 * config writes made meanwhile would be lost.  So the restore runs only
 * once the channel is normal again, checked under the device lock, which
 * it takes only if free.
 *
 * Return: 0 (nothing was lost, or it is restored); -EAGAIN while the
 * recovery runs (the function still has no BARs: leave decode off).
 */
int uldf_restore_lost_config(struct uldf_device *udev)
{
	struct pci_saved_state *state = udev->saved_state ?: udev->bind_state;
	struct pci_dev *pdev = udev->pdev;

	lockdep_assert_held_write(&udev->memory_lock);
	if (!test_bit(ULDF_ERR_CONFIG_LOST, &udev->err_flags))
		return 0;
	if (!pci_dev_trylock(pdev))
		return -EAGAIN;
	if (pdev->error_state != pci_channel_io_normal) {
		pci_dev_unlock(pdev);
		return -EAGAIN;
	}
	clear_bit(ULDF_ERR_CONFIG_LOST, &udev->err_flags);
	kfree(udev->pm_state);
	udev->pm_state = NULL;
	pci_load_saved_state(pdev, state);
	pci_restore_state(pdev);
	pci_dev_unlock(pdev);
	uldf_sync_decode(udev);
	pci_info(pdev, "uldf: config space lost in a fatal error restored\n");
	return 0;
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
 * contended (an unbind in progress, an AER recovery) or a reset is already
 * running.
 */
int uldf_reset_function(struct uldf_device *udev)
{
	int ret;

	lockdep_assert_held_write(&udev->memory_lock);
	ret = uldf_restore_lost_config(udev);
	if (ret)
		return ret;
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
