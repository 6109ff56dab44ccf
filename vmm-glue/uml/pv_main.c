// SPDX-License-Identifier: GPL-2.0
/*
 * uldf_pv: a paravirtual PCI host for User-Mode Linux that gives the
 * guest's native drivers real PCI functions lent by the host through uldf.
 *
 * Given uldf_pv.devices=0000:00:05.0[,...] on the kernel command line
 * (host BDFs of functions bound to uldf on the host; devices= when it is
 * loaded as a module), it opens each through vmm-glue's uldf backend
 * (vg_uldf_open(): /dev/uldf/<BDF> on the host, its BARs mapped into this
 * process), has iommu/ map guest RAM for its DMA and irqchip/ set up its
 * interrupt delivery, and presents the functions on one root bus of their
 * own, bus 1 (UML's virt-pci owns bus 0; UML has no PCI domains), in slots
 * 0, 1, ... in the order given.  The stock drivers then bind as on
 * hardware.  The order of the walk, from here down to the host, is in
 * uldf_pv.h.
 *
 * Config accesses are forwarded to the device model (vmm-glue), which
 * answers from its virtual registers or the host's config space.  The
 * bus has one MMIO window, registered with logic_iomem, in which the
 * guest's PCI core assigns the BARs; an ioremap() inside a BAR is handed
 * the BAR, and its reads and writes become loads and stores on the host
 * mapping of the BAR (no host call per access) except for the emulated
 * MSI-X table and PBA and any part the host does not let us map, which go
 * through vmm-glue and its backend's pread()/pwrite() on the device fd.
 * The guest's Memory Space Enable and power state are virtual (vmm-glue):
 * while it has them off, its BAR accesses read all ones and drop writes,
 * and the host's decoding, and so its mapping, stays on.  Interrupts are in
 * irqchip/uldf_pv_irq.c, DMA in iommu/uldf_pv_dma.c.
 *
 * A device's BDF may be followed by options, each after a '/': "nomsi"
 * and "nomsix" hide its MSI or MSI-X capability from the guest, so that
 * its driver falls back to what is left (INTx, served by the EOI loop,
 * once both are hidden).  uldf_pv.hide_msi=1 hides both on every device.
 *
 * Built into the UML kernel (CONFIG_ULDF_PV=y) it sets up at boot, and
 * does nothing if the command line names no device.  logic_iomem regions
 * cannot be unregistered, so as a module it cannot be unloaded once it has
 * set up its window.  Killing the UML process
 * releases the devices on the host: the host module turns bus mastering
 * off, frees the interrupts, unmaps and unpins DMA, and resets them.
 */
#include <linux/init.h>
#include <linux/io.h>
#include <linux/logic_iomem.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/page.h>
#include <asm/pgtable.h>

#include "uldf_pv.h"

/* The bus's MMIO window: below virt-pci's (0xf0000000 - 32 KiB and up). */
#define PV_MMIO_START	0xc0000000UL
#define PV_MMIO_END	0xdfffffffUL

static char *devices;
module_param(devices, charp, 0444);
MODULE_PARM_DESC(devices,
		 "Host PCI functions bound to uldf to pass through, by BDF, comma-separated, each with /nomsi or /nomsix to hide a capability (e.g. 0000:00:05.0/nomsix,0000:00:03.0)");

static bool hide_msi;
module_param(hide_msi, bool, 0444);
MODULE_PARM_DESC(hide_msi,
		 "Hide MSI and MSI-X from the guest, so that its drivers use INTx");

struct pv_dev *pv_devs[PV_MAX_DEVS];
static DEFINE_MUTEX(pv_window_lock);	/* BAR lookups at ioremap() */

static struct resource pv_mmio = {
	.name	= "uldf-pv MMIO",
	.start	= PV_MMIO_START,
	.end	= PV_MMIO_END,
	.flags	= IORESOURCE_MEM,
};

static struct resource pv_busn = {
	.name	= "uldf-pv bus",
	.start	= PV_BUS,
	.end	= PV_BUS,
	.flags	= IORESOURCE_BUS,
};

/* ---- config space ------------------------------------------------------ */

static struct pv_dev *pv_by_devfn(struct pci_bus *bus, unsigned int devfn)
{
	if (bus->number != PV_BUS || PCI_FUNC(devfn) ||
	    PCI_SLOT(devfn) >= PV_MAX_DEVS)
		return NULL;
	return pv_devs[PCI_SLOT(devfn)];
}

static int pv_config_read(struct pci_bus *bus, unsigned int devfn, int where,
			  int size, u32 *val)
{
	struct pv_dev *pv = pv_by_devfn(bus, devfn);
	unsigned long flags;
	int ret;

	*val = ~0U;
	if (!pv)
		return PCIBIOS_DEVICE_NOT_FOUND;
	raw_spin_lock_irqsave(&pv->lock, flags);
	ret = vg_cfg_read(&pv->u.vg, where, size, val);
	raw_spin_unlock_irqrestore(&pv->lock, flags);
	if (ret) {
		*val = ~0U;
		return PCIBIOS_BAD_REGISTER_NUMBER;
	}
	return PCIBIOS_SUCCESSFUL;
}

static int pv_config_write(struct pci_bus *bus, unsigned int devfn,
			   int where, int size, u32 val)
{
	struct pv_dev *pv = pv_by_devfn(bus, devfn);
	unsigned long flags;
	int ret;

	if (!pv)
		return PCIBIOS_DEVICE_NOT_FOUND;
	raw_spin_lock_irqsave(&pv->lock, flags);
	ret = vg_cfg_write(&pv->u.vg, where, size, val);
	raw_spin_unlock_irqrestore(&pv->lock, flags);
	if (ret) {
		/* The PCI core ignores it; a refused FLR would go unseen. */
		pr_warn_ratelimited("uldf_pv: %s: config write of %d bytes at %#x failed: %d\n",
				    pv->bdf, size, where, ret);
		return PCIBIOS_BAD_REGISTER_NUMBER;
	}
	return PCIBIOS_SUCCESSFUL;
}

static struct pci_ops pv_pci_ops = {
	.read	= pv_config_read,
	.write	= pv_config_write,
};

static int pv_map_irq(const struct pci_dev *pdev, u8 slot, u8 pin)
{
	struct pv_dev *pv = pv_by_devfn(pdev->bus, pdev->devfn);

	return pv ? pv->intx_virq : 0;
}

/* ---- MMIO: the BARs behind ioremap() ---------------------------------- */

static unsigned long pv_bar_read(void *priv, unsigned int offset, int size)
{
	struct pv_bar *b = priv;
	struct pv_dev *pv = b->pv;
	unsigned long flags;
	u64 val;
	int ret;

	if (vg_bar_emulated(&pv->u.vg, b->index, offset, size)) {
		raw_spin_lock_irqsave(&pv->lock, flags);
		ret = vg_bar_read(&pv->u.vg, b->index, offset, size, &val);
		raw_spin_unlock_irqrestore(&pv->lock, flags);
	} else {
		ret = vg_bar_read(&pv->u.vg, b->index, offset, size, &val);
	}
	return ret ? ~0UL : val;
}

static void pv_bar_write(void *priv, unsigned int offset, int size,
			 unsigned long val)
{
	struct pv_bar *b = priv;
	struct pv_dev *pv = b->pv;
	unsigned long flags;

	if (vg_bar_emulated(&pv->u.vg, b->index, offset, size)) {
		raw_spin_lock_irqsave(&pv->lock, flags);
		vg_bar_write(&pv->u.vg, b->index, offset, size, val);
		raw_spin_unlock_irqrestore(&pv->lock, flags);
	} else {
		vg_bar_write(&pv->u.vg, b->index, offset, size, val);
	}
}

/* The widest access (4, 2 or 1 bytes) that fits at @offset. */
static int pv_width(unsigned int offset, int left)
{
	if (left >= 4 && !(offset & 3))
		return 4;
	if (left >= 2 && !(offset & 1))
		return 2;
	return 1;
}

static void pv_bar_set(void *priv, unsigned int offset, u8 value, int size)
{
	while (size > 0) {
		int w = pv_width(offset, size);

		pv_bar_write(priv, offset, w, value * 0x01010101UL);
		offset += w;
		size -= w;
	}
}

static void pv_bar_copy_from(void *priv, void *buffer, unsigned int offset,
			     int size)
{
	u8 *p = buffer;

	while (size > 0) {
		int w = pv_width(offset, size);
		unsigned long v = pv_bar_read(priv, offset, w);

		memcpy(p, &v, w);
		p += w;
		offset += w;
		size -= w;
	}
}

static void pv_bar_copy_to(void *priv, unsigned int offset,
			   const void *buffer, int size)
{
	const u8 *p = buffer;

	while (size > 0) {
		int w = pv_width(offset, size);
		unsigned long v = 0;

		memcpy(&v, p, w);
		pv_bar_write(priv, offset, w, v);
		p += w;
		offset += w;
		size -= w;
	}
}

static const struct logic_iomem_ops pv_bar_ops = {
	.read		= pv_bar_read,
	.write		= pv_bar_write,
	.set		= pv_bar_set,
	.copy_from	= pv_bar_copy_from,
	.copy_to	= pv_bar_copy_to,
};

/* ioremap() of [offset, offset + size) of the window: find the BAR. */
static long pv_window_map(unsigned long offset, size_t size,
			  const struct logic_iomem_ops **ops, void **priv)
{
	u64 addr = pv_mmio.start + offset;
	unsigned int s, i;

	guard(mutex)(&pv_window_lock);
	for (s = 0; s < PV_MAX_DEVS; s++) {
		struct pv_dev *pv = pv_devs[s];

		for (i = 0; pv && i < VG_NUM_BARS; i++) {
			u64 base = vg_bar_addr(&pv->u.vg, i);
			u64 len = pv->u.vg.bar[i].size;

			if (!base || (pv->u.vg.bar[i].flags & VG_BAR_IO) ||
			    addr < base || addr - base + size > len)
				continue;
			*ops = &pv_bar_ops;
			*priv = &pv->bars[i];
			return addr - base;
		}
	}
	return -ENOENT;
}

static const struct logic_iomem_region_ops pv_window_ops = {
	.map = pv_window_map,
};

/* ---- devices ----------------------------------------------------------- */

static void pv_dev_free(struct pv_dev *pv)
{
	pv_devs[pv->slot] = NULL;
	kfree(pv);
}

/*
 * The options after a device's BDF: VG_HIDE_* flags, or -EINVAL for an
 * unknown one.  @opts is NULL or "opt[/opt...]" and is cut up.
 */
static int pv_dev_flags(const char *bdf, char *opts)
{
	int flags = hide_msi ? VG_HIDE_MSI | VG_HIDE_MSIX : 0;
	char *opt;

	while ((opt = strsep(&opts, "/"))) {
		if (!strcmp(opt, "nomsi")) {
			flags |= VG_HIDE_MSI;
		} else if (!strcmp(opt, "nomsix")) {
			flags |= VG_HIDE_MSIX;
		} else {
			pr_err("uldf_pv: %s: unknown option '%s' (nomsi, nomsix)\n",
			       bdf, opt);
			return -EINVAL;
		}
	}
	return flags;
}

/* Open host function @bdf ("BDF[/option...]") and give it guest slot @slot. */
static int pv_dev_add(char *bdf, unsigned int slot)
{
	char *opts = strchr(bdf, '/');
	struct pv_dev *pv;
	unsigned int i;
	int flags, ret;

	if (opts)
		*opts++ = '\0';
	flags = pv_dev_flags(bdf, opts);
	if (flags < 0)
		return flags;

	pv = kzalloc(sizeof(*pv), GFP_KERNEL);
	if (!pv)
		return -ENOMEM;
	strscpy(pv->bdf, bdf, sizeof(pv->bdf));
	pv->slot = slot;
	raw_spin_lock_init(&pv->lock);
	for (i = 0; i < VG_NUM_BARS; i++)
		pv->bars[i] = (struct pv_bar){ .pv = pv, .index = i };

	ret = vg_uldf_open(&pv->u, &pv_host_ops, bdf, flags);
	if (ret == -EINVAL) {
		pr_err("uldf_pv: '%s' is not a BDF (DDDD:BB:DD.F)\n", bdf);
		goto out_free;
	}
	if (ret) {
		pr_err("uldf_pv: cannot open /dev/uldf/%s on the host: %d\n",
		       bdf, ret);
		goto out_free;
	}
	pv_devs[slot] = pv;
	ret = pv_dma_dev_setup(pv);
	if (ret)
		goto out_close;
	ret = pv_irq_dev_setup(pv);
	if (ret) {
		pr_err("uldf_pv: %s: interrupt set-up failed: %d\n", bdf, ret);
		goto out_close;
	}
	pr_info("uldf_pv: host %s [%04x:%04x] is 0000:%02x:%02x.0%s%s\n", bdf,
		pv->u.info.vendor, pv->u.info.device, PV_BUS, slot,
		flags & VG_HIDE_MSI ? " (MSI hidden)" : "",
		flags & VG_HIDE_MSIX ? " (MSI-X hidden)" : "");
	return 0;

out_close:
	vg_uldf_close(&pv->u);
out_free:
	pv_dev_free(pv);
	return ret;
}

/* Interrupt delivery first: it sits on the event fd that closing closes. */
static void pv_dev_remove(struct pv_dev *pv)
{
	pv_irq_dev_teardown(pv);
	vg_uldf_close(&pv->u);
	pv_dev_free(pv);
}

/* Last first: slot 0 holds the DMA space the others may share. */
static void pv_remove_all(void)
{
	unsigned int s;

	for (s = PV_MAX_DEVS; s-- > 0;)
		if (pv_devs[s])
			pv_dev_remove(pv_devs[s]);
}

static int pv_add_all(void)
{
	char *list, *p, *bdf;
	unsigned int slot = 0;
	int ret = 0;

	list = kstrdup(devices, GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	p = list;
	while (!ret && (bdf = strsep(&p, ","))) {
		if (!*bdf)
			continue;
		if (slot == PV_MAX_DEVS) {
			pr_err("uldf_pv: at most %d devices\n", PV_MAX_DEVS);
			ret = -E2BIG;
			break;
		}
		ret = pv_dev_add(bdf, slot++);
	}
	kfree(list);
	if (!ret && !slot)
		ret = -ENODEV;
	if (ret)
		pv_remove_all();
	return ret;
}

static int pv_bridge_probe(void)
{
	struct pci_host_bridge *bridge;
	int ret;

	bridge = pci_alloc_host_bridge(0);
	if (!bridge)
		return -ENOMEM;
	pci_add_resource(&bridge->windows, &pv_mmio);
	pci_add_resource(&bridge->windows, &pv_busn);
	bridge->ops = &pv_pci_ops;
	bridge->map_irq = pv_map_irq;
	/* The PCI core asks the bridge before falling back to virt-pci's. */
	dev_set_msi_domain(&bridge->dev, pv_irq_msi_domain());
	ret = pci_host_probe(bridge);
	if (ret) {
		pci_free_resource_list(&bridge->windows);
		pci_free_host_bridge(bridge);
	}
	return ret;
}

static int __init pv_init(void)
{
	int ret;

	if (!devices || !*devices) {
#ifdef MODULE
		pr_err("uldf_pv: no devices; give devices=BDF[,BDF...]\n");
		return -ENODEV;
#else
		return 0;	/* built in, and no device on the command line */
#endif
	}
	if (__pa(end_iomem) > PV_MMIO_START) {
		pr_err("uldf_pv: guest memory reaches the MMIO window at %#lx\n",
		       PV_MMIO_START);
		return -ENOSPC;
	}
	ret = pv_irq_init();
	if (ret)
		return ret;
	ret = pv_add_all();
	if (ret)
		goto out_irq_exit;

	/* From here on the module stays: the window cannot be removed. */
	ret = logic_iomem_add_region(&pv_mmio, &pv_window_ops);
	if (ret) {
		pr_err("uldf_pv: cannot register the MMIO window: %d\n", ret);
		goto out_remove_all;
	}
	ret = pv_bridge_probe();
	if (ret)
		pr_err("uldf_pv: PCI host bridge: %d\n", ret);
	return 0;

out_remove_all:
	pv_remove_all();
out_irq_exit:
	pv_irq_exit();
	return ret;
}
module_init(pv_init);

MODULE_DESCRIPTION("uldf paravirtual PCI host for User-Mode Linux");
MODULE_LICENSE("GPL");
