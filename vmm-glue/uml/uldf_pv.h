/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uldf_pv: the paravirtual PCI host of a User-Mode Linux guest, private
 * definitions shared by its files:
 *
 *   vmm-glue/uml/pv_main.c	the root bus, config access, MMIO window,
 *				module parameters and set-up;
 *   vmm-glue/uml/pv_host.c	host system calls and the device fd (config,
 *				BARs), the vmm-glue host-call table;
 *   irqchip/uldf_pv_irq.c	the guest's INTx chip and MSI domain, host
 *				IRQ fds delivered by SIGIO;
 *   iommu/uldf_pv_dma.c	guest RAM mapped through the host IOMMU;
 *   vmm-glue/vg_*.c		the device model (config space view, MSI-X
 *				table, INTx EOI loop, DMA registration).
 *
 * The UML kernel is a process of the host, and its kernel virtual
 * addresses are host virtual addresses: a host system call made here with
 * a pointer to kernel memory reaches that memory, and a host mmap() of a
 * BAR gives the guest kernel direct loads and stores to the device.
 *
 * Locking: @lock of each device serialises every call into its vmm-glue
 * state (struct vg_dev); it is a raw spinlock taken with interrupts off,
 * because the INTx chip's callbacks and the MSI-X table emulation run
 * under the guest's interrupt descriptor locks.  The host calls made under
 * it are system calls, which never sleep in the guest's sense.
 */
#ifndef ULDF_PV_H
#define ULDF_PV_H

#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include <uapi/linux/uldf.h>

#include "vg.h"

#define PV_MAX_DEVS	8		/* slots on the guest's bus */
#define PV_BUS		1		/* virt-pci owns bus 0 */
#define PV_MAX_VECS	2048		/* MSI-X table size limit */

struct pv_dev;

/**
 * struct pv_vec - one host vector.
 * @pv:		its device.
 * @type:	VG_IRQ_*.
 * @index:	vector index.
 * @fd:		host IRQ fd, or -1 while closed.
 */
struct pv_vec {
	struct pv_dev *pv;
	int type;
	unsigned int index;
	int fd;
};

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
 * @fd:		the host device fd.
 * @info:	ULDF_DEVICE_GET_INFO.
 * @regions:	ULDF_DEVICE_GET_REGION_INFO of the BARs.
 * @map:	host mappings of the BARs (NULL where none).
 * @map_len:	their lengths.
 * @bars:	ioremap() cookies for the BARs.
 * @lock:	serialises @vg (see the top of this file).
 * @vg:		the device model.
 * @epfd:	host epoll fd holding the open IRQ fds.
 * @sigio_irq:	the UML interrupt that @epfd raises.
 * @intx_virq:	the guest's INTx interrupt, or 0.
 * @intx:	the INTx vector.
 * @msi:	the MSI vector.
 * @msix:	the MSI-X vectors (@nr_msix of them).
 * @nr_msix:	host MSI-X table size.
 * @irq_open:	buffer for ULDF_DEVICE_IRQ_OPEN.
 * @sigio_name:	name of @sigio_irq.
 */
struct pv_dev {
	char bdf[16];
	unsigned int slot;
	int fd;
	struct uldf_device_info info;
	struct uldf_region_info regions[VG_NUM_BARS];
	void *map[VG_NUM_BARS];
	u64 map_len[VG_NUM_BARS];
	struct pv_bar bars[VG_NUM_BARS];
	raw_spinlock_t lock;
	struct vg_dev vg;
	int epfd;
	int sigio_irq;
	unsigned int intx_virq;
	struct pv_vec intx;
	struct pv_vec msi;
	struct pv_vec *msix;
	unsigned int nr_msix;
	struct uldf_irq_open *irq_open;
	char sigio_name[32];
};

extern struct pv_dev *pv_devs[PV_MAX_DEVS];

/* pv_host.c */
long pv_sys(long nr, long a1, long a2, long a3, long a4, long a5, long a6);
int pv_host_open(struct pv_dev *pv);
int pv_host_map_bars(struct pv_dev *pv, struct vg_dev_desc *desc);
void pv_host_close(struct pv_dev *pv);
extern const struct vg_ops pv_vg_ops;

/* uldf_pv_irq.c */
int pv_irq_init(void);
void pv_irq_exit(void);
struct irq_domain *pv_irq_msi_domain(void);
int pv_irq_dev_setup(struct pv_dev *pv);
void pv_irq_dev_teardown(struct pv_dev *pv);
int pv_irq_host_open(void *host, int type, unsigned int first,
		     unsigned int count);
void pv_irq_host_close(void *host, int type);
int pv_irq_host_mask(void *host, int type, unsigned int index, bool mask);
int pv_irq_host_trigger(void *host, int type, unsigned int index);

/* uldf_pv_dma.c */
int pv_dma_dev_setup(struct pv_dev *pv);
int pv_dma_host_map(void *host, u64 iova, u64 hva, u64 size);
int pv_dma_host_unmap(void *host, u64 iova, u64 size);

#endif /* ULDF_PV_H */
