// SPDX-License-Identifier: GPL-2.0
/*
 * uldf config space: not implemented yet.
 */
#include "uldf_private.h"

int uldf_config_init(struct uldf_device *udev)
{
	mutex_init(&udev->cfg.lock);
	return 0;
}

void uldf_config_reset(struct uldf_device *udev)
{
}

void uldf_config_exit(struct uldf_device *udev)
{
}

ssize_t uldf_config_rw(struct uldf_device *udev, char __user *buf,
		       size_t count, loff_t pos, bool write)
{
	return -EINVAL;
}
