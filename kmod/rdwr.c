// SPDX-License-Identifier: GPL-2.0
/*
 * uldf BAR access: not implemented yet.
 */
#include "uldf_private.h"

int uldf_bar_init(struct uldf_device *udev)
{
	return 0;
}

ssize_t uldf_bar_rw(struct uldf_device *udev, unsigned int index,
		    char __user *buf, size_t count, loff_t pos, bool write)
{
	return -EINVAL;
}

long uldf_region_info(struct uldf_device *udev, void __user *arg)
{
	return -ENOTTY;
}

int uldf_bar_mmap(struct uldf_device *udev, struct vm_area_struct *vma)
{
	return -EINVAL;
}

void uldf_bar_revoke(struct uldf_device *udev)
{
}
