/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmm-glue: the little that differs between building into a kernel (the
 * User-Mode Linux guest's paravirtual PCI host) and into a user-space VMM
 * or test program.  Everything else in vmm-glue is plain C over these.
 */
#ifndef VG_COMPAT_H
#define VG_COMPAT_H

#ifdef __KERNEL__

#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/pci_regs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/unaligned.h>

/* Allocation happens only where the caller may sleep. */
static inline void *vg_zalloc(size_t size)
{
	return kzalloc(size, GFP_KERNEL);
}

static inline void vg_free(void *p)
{
	kfree(p);
}

#else

#include "vg_user.h"

#endif /* __KERNEL__ */

#endif /* VG_COMPAT_H */
