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
 * the host vector.  MSI may have several vectors (MSI_FLAG_MULTI_PCI_MSI):
 * the PCI core allocates them as one block of consecutive interrupts and
 * programs the first one's message; the block's hardware numbers are
 * consecutive from one whose low bits are zero, so that the data vmm-glue
 * delivers for vector i (the programmed data with i in its low bits, as a
 * function sends it) is vector i's hardware number.  Host vectors are
 * opened when the guest's PCI core prepares an MSI/MSI-X allocation (the
 * domain's prepare step, which may sleep, and knows how many vectors the
 * driver wants: one per guest vector) and closed after it frees them;
 * INTx is open otherwise.
 *
 * Delivery: vmm-glue's uldf backend keeps every open host IRQ fd of a
 * device in the device's event fd (a host epoll fd), and has the host send
 * this process SIGIO when one fires (vmm-glue/uml/pv_host.c).  The event
 * fd is itself a UML interrupt (um_request_irq()), so UML's SIGIO handling
 * calls pv_sigio(), which takes the vectors that fired from vmm-glue
 * (vg_uldf_poll()), has it read each one's count and say whether to
 * deliver (vg_uldf_irq_service()), and raises the guest interrupt with
 * generic_handle_irq(): for MSI/MSI-X the one named by the message the
 * guest programmed for that vector.  Opening and closing vectors is only
 * host system calls, which vmm-glue may make under the device's spinlock.
 * This file makes no host call of its own.  Interrupts count in the
 * guest's /proc/interrupts under the chips named above, and per device
 * under "uldf-pv <BDF>" for the host side.
 */
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/msi.h>
#include <linux/pci.h>
#include <irq_kern.h>

#include "uldf_pv.h"

#define PV_MSI_ADDR		0xfee00000	/* informative only */
#define PV_HWIRQ_MSIX		BIT(11)
#define PV_HWIRQ_SLOT_SHIFT	12
#define PV_POLL_BATCH		16
#define PV_POLL_ROUNDS		64

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
	vg_intx_mask(&pv->u.vg, mask);
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
	vg_intx_eoi(&pv->u.vg);
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

	unsigned int i;
	bool msix;

	if (!desc || (desc->pci.msi_attrib.is_msix && nr_irqs != 1) ||
	    desc->msi_index + nr_irqs > PV_HWIRQ_MSIX)
		return -EINVAL;
	pv = pv_from_pdev(msi_desc_to_pci_dev(desc));
	if (!pv)
		return -ENODEV;
	msix = desc->pci.msi_attrib.is_msix;
	/* Multiple MSI: vector i of the block is hardware number base + i. */
	for (i = 0; i < nr_irqs; i++)
		irq_domain_set_info(domain, virq + i,
				    pv_hwirq(pv, msix, desc->msi_index + i),
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
		/* Multiple MSI is one descriptor for the whole block. */
		count = max(count, desc->msi_index + desc->nvec_used);
		msix = desc->pci.msi_attrib.is_msix;
	}
	if (!count)
		return -EINVAL;

	raw_spin_lock_irqsave(&pv->lock, flags);
	ret = vg_irq_open(&pv->u.vg, msix ? VG_IRQ_MSIX : VG_IRQ_MSI, 0, count);
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
	vg_irq_close(&pv->u.vg, VG_IRQ_MSIX);
	vg_irq_close(&pv->u.vg, VG_IRQ_MSI);
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
		  MSI_FLAG_MULTI_PCI_MSI | MSI_FLAG_PCI_MSIX,
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

/* ---- delivery ---------------------------------------------------------- */

/* One host vector fired: have vmm-glue take it, raise the guest's. */
static void pv_vec_service(struct pv_dev *pv, const struct vg_uldf_event *ev)
{
	unsigned int virq;
	struct vg_msg msg;
	unsigned long flags;
	int ret;

	raw_spin_lock_irqsave(&pv->lock, flags);
	ret = vg_uldf_irq_service(&pv->u, ev->type, ev->index, &msg);
	raw_spin_unlock_irqrestore(&pv->lock, flags);
	if (ret != 1)
		return;
	if (ev->type == VG_IRQ_INTX)
		virq = pv->intx_virq;
	else
		virq = pv_msi_virq(pv, msg.data);
	if (virq)
		generic_handle_irq(virq);
}

/* UML's SIGIO handling found the device's event fd readable. */
static irqreturn_t pv_sigio(int irq, void *data)
{
	struct vg_uldf_event ev[PV_POLL_BATCH];
	struct pv_dev *pv = data;
	int round, n, i;

	for (round = 0; round < PV_POLL_ROUNDS; round++) {
		n = vg_uldf_poll(&pv->u, ev, ARRAY_SIZE(ev));
		if (n <= 0)
			break;
		for (i = 0; i < n; i++)
			pv_vec_service(pv, &ev[i]);
		/*
		 * A batch with room left held every vector that was ready:
		 * polling again would cost a host call that finds nothing.
		 * A vector that fires from now on raises SIGIO anew.
		 */
		if (n < ARRAY_SIZE(ev))
			break;
	}
	return IRQ_HANDLED;
}

/* INTx starts masked, as the guest's interrupt descriptor does. */
static void pv_irq_intx_setup(struct pv_dev *pv)
{
	unsigned long flags;
	int ret;

	if (!pv->u.vg.intx.pin)
		return;
	pv->intx_virq = irq_create_mapping(pv_intx_domain, pv->slot);
	if (!pv->intx_virq)
		return;
	raw_spin_lock_irqsave(&pv->lock, flags);
	vg_intx_mask(&pv->u.vg, true);
	ret = vg_irq_open(&pv->u.vg, VG_IRQ_INTX, 0, 1);
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
 * Makes the device's event fd a UML interrupt, and opens INTx (if the
 * device has a pin); MSI and MSI-X open when the guest asks for them.
 *
 * Return: 0, or UML's error.
 */
int pv_irq_dev_setup(struct pv_dev *pv)
{
	int ret;

	snprintf(pv->sigio_name, sizeof(pv->sigio_name), "uldf-pv %s",
		 pv->bdf);
	ret = um_request_irq(UM_IRQ_ALLOC, vg_uldf_event_fd(&pv->u), IRQ_READ,
			     pv_sigio, 0, pv->sigio_name, pv);
	if (ret < 0)
		return ret;
	pv->sigio_irq = ret;
	pv_irq_intx_setup(pv);
	return 0;
}

/**
 * pv_irq_dev_teardown() - undo pv_irq_dev_setup() (also a partial one).
 * @pv:	the device, still open (vg_uldf_close() closes its vectors and its
 *	event fd after this).
 */
void pv_irq_dev_teardown(struct pv_dev *pv)
{
	if (pv->sigio_irq > 0)
		um_free_irq(pv->sigio_irq, pv);
	pv->sigio_irq = 0;
	if (pv->intx_virq)
		irq_dispose_mapping(pv->intx_virq);
	pv->intx_virq = 0;
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
