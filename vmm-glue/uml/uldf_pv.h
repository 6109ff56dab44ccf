/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uldf_pv: the paravirtual PCI host of a User-Mode Linux guest, private
 * definitions shared by its files.  The walk from the kernel command line
 * to a guest interrupt goes one way, down this list:
 *
 *   vmm-glue/uml/pv_main.c	the command line (uldf_pv.devices=,
 *				uldf_pv.hide_msi=), the PCI host bridge: the
 *				root bus, config access, the MMIO window;
 *   irqchip/uldf_pv_irq.c	the guest's INTx chip and MSI domain, and the
 *				delivery of host interrupts (SIGIO);
 *   iommu/uldf_pv_dma.c	guest RAM mapped through the host IOMMU;
 *   vmm-glue/vg_uldf.c		vmm-glue's uldf backend: the host's uldf
 *				device (fd, BARs, IRQ fds, DMA ioctls) behind
 *				the device model;
 *   vmm-glue/vg_*.c		the device model (config space view, MSI-X
 *				table, INTx EOI loop, DMA registration);
 *   vmm-glue/uml/pv_host.c	the host system calls, the only ones made:
 *				the backend's struct vg_host_ops.
 *
 * Each calls only the ones below it.  The guest-side files (pv_main.c,
 * irqchip/, iommu/) reach the host only through vmm-glue (struct
 * vg_uldf): none makes a host call or uses the uldf uAPI.
 *
 * The UML kernel is a process of the host, and its kernel virtual
 * addresses are host virtual addresses: a host system call made with a
 * pointer to kernel memory reaches that memory, and a host mmap() of a
 * BAR gives the guest kernel direct loads and stores to the device.
 *
 * Locking: @lock of each device serialises every call into its vmm-glue
 * state (struct vg_uldf and its struct vg_dev); it is a raw spinlock
 * taken with interrupts off, because the INTx chip's callbacks and the
 * MSI-X table emulation run under the guest's interrupt descriptor locks.
 * The host calls made under it are system calls, which never sleep in the
 * guest's sense.
 */
#ifndef ULDF_PV_H
#define ULDF_PV_H

#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "vg_uldf.h"

#define PV_MAX_DEVS	8		/* slots on the guest's bus */
#define PV_BUS		1		/* virt-pci owns bus 0 */

struct pv_dev;

/**
 * struct pv_bar - what the MMIO window's ioremap() hands out for a BAR.
 * @pv:		the device.
 * @index:	the BAR.
 */
struct pv_bar {
	struct pv_dev *pv;
	unsigned int index;
};

/**
 * struct pv_dev - one passed-through host function.
 * @bdf:	host BDF (the name of /dev/uldf/<BDF>).
 * @slot:	device number on the guest's bus.
 * @bars:	ioremap() cookies for the BARs.
 * @lock:	serialises @u (see the top of this file).
 * @u:		the host function behind vmm-glue, and its device model
 *		(@u.vg).
 * @sigio_irq:	the UML interrupt that @u's event fd raises.
 * @intx_virq:	the guest's INTx interrupt, or 0.
 * @sigio_name:	name of @sigio_irq.
 * @dma_joined:	@u shares the DMA space of the device in slot 0 (which
 *		mapped guest RAM for both) instead of mapping it again.
 */
struct pv_dev {
	char bdf[16];
	unsigned int slot;
	struct pv_bar bars[VG_NUM_BARS];
	raw_spinlock_t lock;
	struct vg_uldf u;
	int sigio_irq;
	unsigned int intx_virq;
	char sigio_name[32];
	bool dma_joined;
};

extern struct pv_dev *pv_devs[PV_MAX_DEVS];

/* pv_host.c, for pv_main.c's vg_uldf_open() */
extern const struct vg_host_ops pv_host_ops;

/* irqchip/uldf_pv_irq.c */
int pv_irq_init(void);
void pv_irq_exit(void);
struct irq_domain *pv_irq_msi_domain(void);
int pv_irq_dev_setup(struct pv_dev *pv);
void pv_irq_dev_teardown(struct pv_dev *pv);

/* iommu/uldf_pv_dma.c */
int pv_dma_dev_setup(struct pv_dev *pv);

#endif /* ULDF_PV_H */
