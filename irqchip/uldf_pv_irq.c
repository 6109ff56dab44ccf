// SPDX-License-Identifier: GPL-2.0
/*
 * uldf_pv interrupts: the paravirtual interrupt controller of the User-Mode
 * Linux guest's uldf PCI host.
 *
 * The guest sees ordinary PCI interrupts.  Each device's INTx is a
 * level-triggered interrupt of the "uldf-pv-INTx" chip, handled with the
 * fasteoi flow: its mask, unmask and EOI go to the vmm-glue INTx loop, so
 * the EOI unmasks the host's line (a write on the host IRQ fd) and a line
 * still asserted fires again.  MSI and MSI-X come from a PCI MSI domain
 * stacked on the "uldf-pv-MSI" domain: the message the guest is told to
 * program carries the interrupt's hardware number, the guest's PCI core
 * writes it to the (emulated) MSI-X table or MSI capability, and masking
 * is the PCI core's own table or mask-bit write, which vmm-glue mirrors on
 * the host vector.  Host vectors are opened when the guest's PCI core
 * prepares an MSI/MSI-X allocation (the domain's prepare step, which may
 * sleep, and knows how many vectors the driver wants) and closed after it
 * frees them; INTx is open otherwise.
 *
 * Delivery: every open host IRQ fd of a device sits in one host epoll fd,
 * and has O_ASYNC set so that the host sends this process SIGIO when it
 * fires.  The epoll fd is itself a UML interrupt (um_request_irq()), so
 * UML's SIGIO handling calls pv_sigio(), which drains the epoll fd, reads
 * each ready IRQ fd's count, asks vmm-glue whether to deliver, and raises
 * the guest interrupt with generic_handle_irq(): for MSI/MSI-X the one
 * named by the message the guest programmed for that vector.  Opening and
 * closing vectors is thus only host system calls, which vmm-glue may make
 * under the device's spinlock.  Interrupts count in the guest's
 * /proc/interrupts under the chips named above, and per device under
 * "uldf-pv <BDF>" for the host side.
 */
#include <uapi/linux/eventpoll.h>
#include <linux/fcntl.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/msi.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <asm/unistd.h>
#include <irq_kern.h>

#include "uldf_pv.h"

#define PV_MSI_ADDR		0xfee00000	/* informative only */
#define PV_HWIRQ_MSIX		BIT(11)
#define PV_HWIRQ_SLOT_SHIFT	12
#define PV_EPOLL_BATCH		16
#define PV_EPOLL_ROUNDS		64

static struct fwnode_handle *pv_intx_fwnode;
static struct fwnode_handle *pv_msi_fwnode;
static struct irq_domain *pv_intx_domain;
static struct irq_domain *pv_inner_domain;
static struct irq_domain *pv_msi_domain;

static struct pv_dev *pv_from_pdev(struct pci_dev *pdev)
{
	if (pdev->bus->number != PV_BUS || PCI_FUNC(pdev->devfn) ||
	    PCI_SLOT(pdev->devfn) >= PV_MAX_DEVS)
		return NULL;
	return pv_devs[PCI_SLOT(pdev->devfn)];
}

/* ---- INTx: level-triggered, EOI through the host ------------------- */

static void pv_intx_set_mask(struct irq_data *d, bool mask)
{
	struct pv_dev *pv = irq_data_get_irq_chip_data(d);
	unsigned long flags;

	raw_spin_lock_irqsave(&pv->lock, flags);
	vg_intx_mask(&pv->vg, mask);
	raw_spin_unlock_irqrestore(&pv->lock, flags);
}

static void pv_intx_mask(struct irq_data *d)
{
	pv_intx_set_mask(d, true);
}

static void pv_intx_unmask(struct irq_data *d)
{
	pv_intx_set_mask(d, false);
}

static void pv_intx_eoi(struct irq_data *d)
{
	struct pv_dev *pv = irq_data_get_irq_chip_data(d);
	unsigned long flags;

	raw_spin_lock_irqsave(&pv->lock, flags);
	vg_intx_eoi(&pv->vg);
	raw_spin_unlock_irqrestore(&pv->lock, flags);
}

static struct irq_chip pv_intx_chip = {
	.name		= "uldf-pv-INTx",
	.irq_mask	= pv_intx_mask,
	.irq_unmask	= pv_intx_unmask,
	.irq_eoi	= pv_intx_eoi,
};

static int pv_intx_map(struct irq_domain *domain, unsigned int virq,
		       irq_hw_number_t hwirq)
{
	struct pv_dev *pv = hwirq < PV_MAX_DEVS ? pv_devs[hwirq] : NULL;

	if (!pv)
		return -EINVAL;
	irq_set_chip_and_handler_name(virq, &pv_intx_chip, handle_fasteoi_irq,
				      "level");
	irq_set_chip_data(virq, pv);
	irq_set_status_flags(virq, IRQ_LEVEL);
	return 0;
}

static const struct irq_domain_ops pv_intx_domain_ops = {
	.map = pv_intx_map,
	.xlate = irq_domain_xlate_onecell,
};

/* ---- MSI and MSI-X ---------------------------------------------------- */

static irq_hw_number_t pv_hwirq(struct pv_dev *pv, bool msix,
				unsigned int index)
{
	return (pv->slot << PV_HWIRQ_SLOT_SHIFT) | (msix ? PV_HWIRQ_MSIX : 0) |
	       index;
}

static void pv_msi_compose(struct irq_data *d, struct msi_msg *msg)
{
	msg->address_hi = 0;
	msg->address_lo = PV_MSI_ADDR;
	msg->data = d->hwirq;
}

static struct irq_chip pv_msi_bottom_chip = {
	.name			= "uldf-pv-MSI",
	.irq_compose_msi_msg	= pv_msi_compose,
};

static int pv_inner_alloc(struct irq_domain *domain, unsigned int virq,
			  unsigned int nr_irqs, void *arg)
{
	msi_alloc_info_t *info = arg;
	struct msi_desc *desc = info->desc;
	struct pv_dev *pv;

	if (nr_irqs != 1 || !desc)
		return -EINVAL;
	pv = pv_from_pdev(msi_desc_to_pci_dev(desc));
	if (!pv)
		return -ENODEV;
	irq_domain_set_info(domain, virq,
			    pv_hwirq(pv, desc->pci.msi_attrib.is_msix,
				     desc->msi_index),
			    &pv_msi_bottom_chip, pv, handle_simple_irq,
			    NULL, NULL);
	return 0;
}

static void pv_inner_free(struct irq_domain *domain, unsigned int virq,
			  unsigned int nr_irqs)
{
	unsigned int i;

	for (i = 0; i < nr_irqs; i++)
		irq_domain_reset_irq_data(irq_domain_get_irq_data(domain,
								  virq + i));
}

static const struct irq_domain_ops pv_inner_domain_ops = {
	.alloc = pv_inner_alloc,
	.free = pv_inner_free,
};

/* Open the host vectors the guest is about to allocate. */
static int pv_msi_prepare(struct irq_domain *domain, struct device *dev,
			  int nvec, msi_alloc_info_t *arg)
{
	struct pv_dev *pv = pv_from_pdev(to_pci_dev(dev));
	struct msi_desc *desc;
	unsigned int count = 0;
	unsigned long flags;
	bool msix = false;
	int ret;

	if (!pv)
		return -ENODEV;
	msi_for_each_desc(desc, dev, MSI_DESC_NOTASSOCIATED) {
		count = max(count, desc->msi_index + 1);
		msix = desc->pci.msi_attrib.is_msix;
	}
	if (!count)
		return -EINVAL;

	raw_spin_lock_irqsave(&pv->lock, flags);
	ret = vg_irq_open(&pv->vg, msix ? VG_IRQ_MSIX : VG_IRQ_MSI, 0, count);
	raw_spin_unlock_irqrestore(&pv->lock, flags);
	if (ret)
		dev_warn(dev, "uldf_pv: cannot open %u host %s vectors: %d\n",
			 count, msix ? "MSI-X" : "MSI", ret);
	memset(arg, 0, sizeof(*arg));
	return ret;
}

/* The guest freed its MSI/MSI-X vectors: close the host's (INTx returns). */
static void pv_msi_post_free(struct irq_domain *domain, struct device *dev)
{
	struct pv_dev *pv = pv_from_pdev(to_pci_dev(dev));
	unsigned long flags;

	if (!pv)
		return;
	raw_spin_lock_irqsave(&pv->lock, flags);
	vg_irq_close(&pv->vg, VG_IRQ_MSIX);
	vg_irq_close(&pv->vg, VG_IRQ_MSI);
	raw_spin_unlock_irqrestore(&pv->lock, flags);
}

static struct msi_domain_ops pv_msi_ops = {
	.msi_prepare	= pv_msi_prepare,
	.msi_post_free	= pv_msi_post_free,
};

static struct irq_chip pv_msi_chip = {
	.name = "uldf-pv-PCI-MSI",
};

static struct msi_domain_info pv_msi_info = {
	.flags	= MSI_FLAG_USE_DEF_DOM_OPS | MSI_FLAG_USE_DEF_CHIP_OPS |
		  MSI_FLAG_PCI_MSIX,
	.ops	= &pv_msi_ops,
	.chip	= &pv_msi_chip,
};

/* The guest interrupt a message names, if it is one of @pv's. */
static unsigned int pv_msi_virq(struct pv_dev *pv, u32 data)
{
	if (data >> PV_HWIRQ_SLOT_SHIFT != pv->slot)
		return 0;
	return irq_find_mapping(pv_inner_domain, data);
}

/* ---- host IRQ fds ------------------------------------------------------ */

static int pv_uldf_type(int type)
{
	static const int map[VG_NUM_IRQ_TYPES] = {
		[VG_IRQ_INTX] = ULDF_IRQ_TYPE_INTX,
		[VG_IRQ_MSI] = ULDF_IRQ_TYPE_MSI,
		[VG_IRQ_MSIX] = ULDF_IRQ_TYPE_MSIX,
	};

	return map[type];
}

static struct pv_vec *pv_vec(struct pv_dev *pv, int type, unsigned int index)
{
	if (type == VG_IRQ_INTX)
		return index ? NULL : &pv->intx;
	if (type == VG_IRQ_MSI)
		return index ? NULL : &pv->msi;
	if (type == VG_IRQ_MSIX && index < pv->nr_msix)
		return &pv->msix[index];
	return NULL;
}

static long pv_epoll_ctl(struct pv_dev *pv, int op, struct pv_vec *vec)
{
	struct epoll_event ev = {
		.events = EPOLLIN,
		.data = (unsigned long)vec,
	};

	return pv_sys(__NR_epoll_ctl, pv->epfd, op, vec->fd, (long)&ev, 0, 0);
}

static void pv_vec_disarm(struct pv_dev *pv, struct pv_vec *vec)
{
	if (vec->fd < 0)
		return;
	pv_epoll_ctl(pv, EPOLL_CTL_DEL, vec);
	pv_sys(__NR_close, vec->fd, 0, 0, 0, 0, 0);
	vec->fd = -1;
}

/* Watch the IRQ fd from the epoll fd, and have the host signal us. */
static int pv_vec_arm(struct pv_dev *pv, struct pv_vec *vec)
{
	long ret;

	ret = pv_epoll_ctl(pv, EPOLL_CTL_ADD, vec);
	if (!ret)
		ret = pv_sys(__NR_fcntl, vec->fd, F_SETOWN,
			     pv_sys(__NR_getpid, 0, 0, 0, 0, 0, 0), 0, 0, 0);
	if (!ret)
		ret = pv_sys(__NR_fcntl, vec->fd, F_SETFL, O_NONBLOCK | FASYNC,
			     0, 0, 0);
	return ret;
}

/**
 * pv_irq_host_open() - vmm-glue host call: open host vectors.
 * @host:	the device.
 * @type:	VG_IRQ_*.
 * @first:	first vector.
 * @count:	vectors.
 *
 * Opens the IRQ fds with ULDF_DEVICE_IRQ_OPEN and arms them for delivery.
 * Only host system calls: callable under the device's spinlock.
 *
 * Return: 0; -ERANGE beyond the host's vectors; or the host's error (no
 * vector stays open then).
 */
int pv_irq_host_open(void *host, int type, unsigned int first,
		     unsigned int count)
{
	struct pv_dev *pv = host;
	struct uldf_irq_open *o = pv->irq_open;
	unsigned int i;
	long ret;

	if (!count || !pv_vec(pv, type, first) ||
	    !pv_vec(pv, type, first + count - 1))
		return -ERANGE;
	memset(o, 0, sizeof(*o));
	o->argsz = sizeof(*o) + count * sizeof(o->fds[0]);
	o->flags = ULDF_IRQ_OPEN_NONBLOCK;
	o->type = pv_uldf_type(type);
	o->index = first;
	o->count = count;
	ret = pv_sys(__NR_ioctl, pv->fd, ULDF_DEVICE_IRQ_OPEN, (long)o,
		     0, 0, 0);
	if (ret)
		return ret;

	for (i = 0; i < count; i++)
		pv_vec(pv, type, first + i)->fd = o->fds[i];
	for (i = 0; i < count && !ret; i++)
		ret = pv_vec_arm(pv, pv_vec(pv, type, first + i));
	if (ret) {
		for (i = 0; i < count; i++)
			pv_vec_disarm(pv, pv_vec(pv, type, first + i));
		return ret;
	}
	/* Catch anything that fired before the fds had O_ASYNC. */
	pv_sys(__NR_kill, pv_sys(__NR_getpid, 0, 0, 0, 0, 0, 0), SIGIO,
	       0, 0, 0, 0);
	return 0;
}

/**
 * pv_irq_host_close() - vmm-glue host call: close every vector of a type.
 * @host:	the device.
 * @type:	VG_IRQ_*.
 *
 * Closing the IRQ fds disables the vectors on the host.
 */
void pv_irq_host_close(void *host, int type)
{
	struct pv_dev *pv = host;
	unsigned int i;

	if (type == VG_IRQ_INTX)
		pv_vec_disarm(pv, &pv->intx);
	else if (type == VG_IRQ_MSI)
		pv_vec_disarm(pv, &pv->msi);
	else
		for (i = 0; i < pv->nr_msix; i++)
			pv_vec_disarm(pv, &pv->msix[i]);
}

static int pv_vec_ioctl(void *host, int type, unsigned int index,
			unsigned int cmd)
{
	struct pv_vec *vec = pv_vec(host, type, index);

	if (!vec || vec->fd < 0)
		return -EBADF;
	return pv_sys(__NR_ioctl, vec->fd, cmd, 0, 0, 0, 0);
}

/**
 * pv_irq_host_mask() - vmm-glue host call: mask or unmask a host vector.
 * @host:	the device.
 * @type:	VG_IRQ_*.
 * @index:	vector.
 * @mask:	true to mask; false to unmask (for INTx: the EOI).
 *
 * Return: 0, -EBADF if the vector is not open, or the host's error.
 */
int pv_irq_host_mask(void *host, int type, unsigned int index, bool mask)
{
	return pv_vec_ioctl(host, type, index,
			    mask ? ULDF_IRQ_MASK : ULDF_IRQ_UNMASK);
}

/**
 * pv_irq_host_trigger() - vmm-glue host call: replay one interrupt.
 * @host:	the device.
 * @type:	VG_IRQ_*.
 * @index:	vector.
 *
 * Return: 0, -EBADF if the vector is not open, or the host's error.
 */
int pv_irq_host_trigger(void *host, int type, unsigned int index)
{
	return pv_vec_ioctl(host, type, index, ULDF_IRQ_TRIGGER);
}

/* One ready IRQ fd: take its count and raise the guest's interrupt. */
static void pv_vec_service(struct pv_dev *pv, struct pv_vec *vec)
{
	unsigned int virq = 0;
	struct vg_msg msg;
	unsigned long flags;
	bool deliver = false;
	u64 count;
	long ret;

	raw_spin_lock_irqsave(&pv->lock, flags);
	if (vec->fd >= 0) {
		ret = pv_sys(__NR_read, vec->fd, (long)&count, sizeof(count),
			     0, 0, 0);
		if (ret == sizeof(count))
			deliver = vg_irq_fire(&pv->vg, vec->type, vec->index,
					      &msg);
		else if (ret != -EAGAIN)
			pv_epoll_ctl(pv, EPOLL_CTL_DEL, vec);	/* host gone */
	}
	raw_spin_unlock_irqrestore(&pv->lock, flags);
	if (!deliver)
		return;
	if (vec->type == VG_IRQ_INTX)
		virq = pv->intx_virq;
	else
		virq = pv_msi_virq(pv, msg.data);
	if (virq)
		generic_handle_irq(virq);
}

static irqreturn_t pv_sigio(int irq, void *data)
{
	struct epoll_event ev[PV_EPOLL_BATCH];
	struct pv_dev *pv = data;
	int round;
	long n, i;

	for (round = 0; round < PV_EPOLL_ROUNDS; round++) {
		n = pv_sys(__NR_epoll_wait, pv->epfd, (long)ev, ARRAY_SIZE(ev),
			   0, 0, 0);
		if (n <= 0)
			break;
		for (i = 0; i < n; i++)
			pv_vec_service(pv, (struct pv_vec *)(unsigned long)ev[i].data);
	}
	return IRQ_HANDLED;
}

static void pv_vec_init(struct pv_dev *pv, struct pv_vec *vec, int type,
			unsigned int index)
{
	vec->pv = pv;
	vec->type = type;
	vec->index = index;
	vec->fd = -1;
}

static int pv_irq_alloc_vecs(struct pv_dev *pv)
{
	unsigned int i;

	pv->nr_msix = min_t(u32, pv->info.num_irqs[ULDF_IRQ_TYPE_MSIX],
			    PV_MAX_VECS);
	pv->msix = kcalloc(max(pv->nr_msix, 1U), sizeof(*pv->msix),
			   GFP_KERNEL);
	pv->irq_open = kzalloc(struct_size(pv->irq_open, fds,
					   max(pv->nr_msix, 1U)), GFP_KERNEL);
	if (!pv->msix || !pv->irq_open)
		return -ENOMEM;
	pv_vec_init(pv, &pv->intx, VG_IRQ_INTX, 0);
	pv_vec_init(pv, &pv->msi, VG_IRQ_MSI, 0);
	for (i = 0; i < pv->nr_msix; i++)
		pv_vec_init(pv, &pv->msix[i], VG_IRQ_MSIX, i);
	return 0;
}

/* INTx starts masked, as the guest's interrupt descriptor does. */
static void pv_irq_intx_setup(struct pv_dev *pv)
{
	unsigned long flags;
	int ret;

	if (!pv->vg.intx.pin)
		return;
	pv->intx_virq = irq_create_mapping(pv_intx_domain, pv->slot);
	if (!pv->intx_virq)
		return;
	raw_spin_lock_irqsave(&pv->lock, flags);
	vg_intx_mask(&pv->vg, true);
	ret = vg_irq_open(&pv->vg, VG_IRQ_INTX, 0, 1);
	raw_spin_unlock_irqrestore(&pv->lock, flags);
	if (ret) {
		pr_warn("uldf_pv: %s: no INTx: %d\n", pv->bdf, ret);
		irq_dispose_mapping(pv->intx_virq);
		pv->intx_virq = 0;
	}
}

/**
 * pv_irq_dev_setup() - interrupt delivery for one device.
 * @pv:	the device, with its vmm-glue state initialised and @pv->slot
 *	published in pv_devs[].
 *
 * Creates the host epoll fd and its UML interrupt, and opens INTx (if the
 * device has a pin); MSI and MSI-X open when the guest asks for them.
 *
 * Return: 0; -ENOMEM; or the host's or UML's error.
 */
int pv_irq_dev_setup(struct pv_dev *pv)
{
	long ret;

	ret = pv_irq_alloc_vecs(pv);
	if (ret)
		goto out_teardown;
	ret = pv_sys(__NR_epoll_create1, EPOLL_CLOEXEC, 0, 0, 0, 0, 0);
	if (ret < 0)
		goto out_teardown;
	pv->epfd = ret;
	snprintf(pv->sigio_name, sizeof(pv->sigio_name), "uldf-pv %s",
		 pv->bdf);
	ret = um_request_irq(UM_IRQ_ALLOC, pv->epfd, IRQ_READ, pv_sigio, 0,
			     pv->sigio_name, pv);
	if (ret < 0)
		goto out_teardown;
	pv->sigio_irq = ret;
	pv_irq_intx_setup(pv);
	return 0;

out_teardown:
	pv_irq_dev_teardown(pv);
	return ret;
}

/**
 * pv_irq_dev_teardown() - undo pv_irq_dev_setup() (also a partial one).
 * @pv:	the device; its vmm-glue state already closed its vectors.
 */
void pv_irq_dev_teardown(struct pv_dev *pv)
{
	if (pv->sigio_irq > 0)
		um_free_irq(pv->sigio_irq, pv);
	pv->sigio_irq = 0;
	if (pv->epfd >= 0)
		pv_sys(__NR_close, pv->epfd, 0, 0, 0, 0, 0);
	pv->epfd = -1;
	if (pv->intx_virq)
		irq_dispose_mapping(pv->intx_virq);
	pv->intx_virq = 0;
	kfree(pv->msix);
	kfree(pv->irq_open);
	pv->msix = NULL;
	pv->irq_open = NULL;
}

/**
 * pv_irq_msi_domain() - the PCI MSI domain for the host bridge.
 *
 * Return: the domain (pv_irq_init() succeeded).
 */
struct irq_domain *pv_irq_msi_domain(void)
{
	return pv_msi_domain;
}

/**
 * pv_irq_init() - create the INTx and MSI domains.
 *
 * Return: 0 or -ENOMEM.
 */
int pv_irq_init(void)
{
	pv_intx_fwnode = irq_domain_alloc_named_fwnode("uldf-pv-intx");
	pv_msi_fwnode = irq_domain_alloc_named_fwnode("uldf-pv-msi");
	if (!pv_intx_fwnode || !pv_msi_fwnode)
		goto out_exit;
	pv_intx_domain = irq_domain_create_linear(pv_intx_fwnode, PV_MAX_DEVS,
						  &pv_intx_domain_ops, NULL);
	pv_inner_domain = irq_domain_create_hierarchy(NULL, 0, 0, pv_msi_fwnode,
						      &pv_inner_domain_ops,
						      NULL);
	if (!pv_intx_domain || !pv_inner_domain)
		goto out_exit;
	pv_msi_domain = pci_msi_create_irq_domain(pv_msi_fwnode, &pv_msi_info,
						  pv_inner_domain);
	if (!pv_msi_domain)
		goto out_exit;
	return 0;

out_exit:
	pv_irq_exit();
	return -ENOMEM;
}

/**
 * pv_irq_exit() - remove the domains (no interrupt of theirs may be in use).
 */
void pv_irq_exit(void)
{
	if (pv_msi_domain)
		irq_domain_remove(pv_msi_domain);
	if (pv_inner_domain)
		irq_domain_remove(pv_inner_domain);
	if (pv_intx_domain)
		irq_domain_remove(pv_intx_domain);
	if (pv_msi_fwnode)
		irq_domain_free_fwnode(pv_msi_fwnode);
	if (pv_intx_fwnode)
		irq_domain_free_fwnode(pv_intx_fwnode);
	pv_msi_domain = NULL;
	pv_inner_domain = NULL;
	pv_intx_domain = NULL;
	pv_msi_fwnode = NULL;
	pv_intx_fwnode = NULL;
}
