// SPDX-License-Identifier: GPL-2.0
/*
 * uldf DMA: not implemented yet.
 */
#include "uldf_private.h"

void uldf_dma_init(struct uldf_device *udev)
{
	mutex_init(&udev->dma.lock);
}

int uldf_dma_open(struct uldf_device *udev)
{
	return 0;
}

void uldf_dma_release(struct uldf_device *udev)
{
}

long uldf_dma_ioctl(struct uldf_device *udev, unsigned int cmd,
		    void __user *arg)
{
	return -ENOTTY;
}

bool uldf_dma_allowed(struct uldf_device *udev)
{
	return udev->dma.group || uldf_enable_noiommu;
}
