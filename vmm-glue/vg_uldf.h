/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmm-glue host calls for a user-space VMM on uldf.
 *
 * struct vg_uldf opens /dev/uldf/<BDF>, maps the BARs it may map, and
 * sets up the device model (struct vg_dev) with host calls that are the
 * device fd's pread/pwrite and ioctls.  Host vectors are IRQ fds opened
 * non-blocking; the VMM polls vg_uldf_irq_fd() and calls
 * vg_uldf_irq_service() when one is readable, which tells it whether to
 * deliver the interrupt to its guest and with which message.  The caller
 * serialises the calls on one device, as for vmm-glue itself.
 */
#ifndef VG_ULDF_H
#define VG_ULDF_H

#include <linux/uldf.h>

#include "vg.h"

/**
 * struct vg_uldf - a uldf device behind vmm-glue.
 * @fd:		device fd.
 * @info:	ULDF_DEVICE_GET_INFO.
 * @region:	ULDF_DEVICE_GET_REGION_INFO of the BARs.
 * @map:	mappings of the BARs (NULL where none), @region[i].size long.
 * @intx_fd:	INTx IRQ fd, or -1.
 * @msi_fd:	MSI IRQ fd, or -1.
 * @msix_fd:	MSI-X IRQ fds (@nr_msix), -1 where closed.
 * @nr_msix:	MSI-X table size.
 * @vg:		the device model.
 */
struct vg_uldf {
	int fd;
	struct uldf_device_info info;
	struct uldf_region_info region[VG_NUM_BARS];
	void *map[VG_NUM_BARS];
	int intx_fd;
	int msi_fd;
	int *msix_fd;
	unsigned int nr_msix;
	struct vg_dev vg;
};

int vg_uldf_open(struct vg_uldf *u, const char *bdf, u32 flags);
void vg_uldf_close(struct vg_uldf *u);
int vg_uldf_irq_fd(const struct vg_uldf *u, int type, unsigned int index);
int vg_uldf_irq_service(struct vg_uldf *u, int type, unsigned int index,
			struct vg_msg *msg);

#endif /* VG_ULDF_H */
