// SPDX-License-Identifier: GPL-2.0
/*
 * uldf interrupts: not implemented yet.
 */
#include "uldf_private.h"

void uldf_irq_init(struct uldf_device *udev)
{
	mutex_init(&udev->irq.lock);
	udev->irq.mode = -1;
}

long uldf_irq_open_ioctl(struct uldf_device *udev, void __user *arg)
{
	return -ENOTTY;
}

void uldf_irq_release_all(struct uldf_device *udev)
{
}

void uldf_irq_notify(struct uldf_device *udev, unsigned int type)
{
}

void uldf_irq_intx_virt_disable(struct uldf_device *udev, bool disable)
{
}
