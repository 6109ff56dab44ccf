// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the hosted guest's kernel side, run in the User-Mode
 * Linux guest against real PCI functions that the host lends through
 * uldf: QEMU's edu (1234:11e8) and NVMe controller (1b36:0010) in the
 * testbed, and the NEC xHCI controller with MSI-X off (1033:0194) of its
 * hosted profile.  It checks, through the guest kernel's own PCI, interrupt and
 * DMA APIs, what a driver relies on from uldf_pv (pv_main.c), its
 * interrupt chip (irqchip/) and its DMA path (iommu/):
 *
 *  - config space: the IDs, class and subsystem equal the host's, the
 *    capability list is the host's (minus what is hidden), and BAR sizing
 *    gives the sizes of the host's BARs;
 *  - MMIO: pci_iomap() of edu's BAR0 reads its ident register, and writes
 *    reach the device (the liveness register inverts what was written);
 *  - interrupts on the paravirtual chip through request_irq(): INTx (one
 *    raise runs the handler once; disable_irq() holds it back and
 *    enable_irq() delivers the pending one once; a line the handler left
 *    asserted fires again after the EOI), MSI, MSI-X on the NVMe
 *    function (vectors, pci_irq_vector(), affinity calls), and multiple
 *    MSI on the xHCI function (as many vectors as it offers, each its own
 *    interrupt and its own host vector);
 *  - DMA: dma_alloc_coherent() and dma_map_single() buffers round-tripped
 *    through edu's DMA engine, and a device write to guest memory that is
 *    not DMA-able (the kernel image, below uml_reserved) faults on the host
 *    and leaves that memory as it was;
 *  - reset and removal: pci_reset_function() of the NVMe function, and
 *    pci_stop_and_remove_bus_device() then a rescan of edu.
 *
 * edu reaches 28 bits of address and UML has neither ZONE_DMA nor
 * swiotlb, so the DMA cases need all of guest physical memory (the kernel
 * image, then RAM) below 256 MiB: mem=192M;
 * with more they are skipped.  A case whose device is not passed through
 * is skipped.  The suite runs at boot when KUnit is enabled
 * (kunit.enable=1 with CONFIG_KUNIT_DEFAULT_ENABLED=n), before init, with
 * the devices' drivers possibly bound: each case binds its function to
 * the suite's own driver and gives it back to its driver after.  How the testbed runs it:
 * selftests/hosted/uml_kunit.sh.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <as-layout.h>

#include "uldf_pv.h"
#include "edu_regs.h"

#define NVME_VENDOR	0x1b36
#define NVME_DEVICE	0x0010
#define XHCI_VENDOR	0x1033		/* QEMU's nec-usb-xhci */
#define XHCI_DEVICE	0x0194
#define WAIT_MS		2000	/* for an interrupt or a DMA */
#define QUIET_MS	200	/* to see that nothing more comes */

/* The guest's function with these IDs on uldf_pv's bus, or NULL. */
static struct pci_dev *pv_kunit_find(unsigned int vendor, unsigned int device)
{
	struct pci_dev *pdev = NULL;

	while ((pdev = pci_get_device(vendor, device, pdev)))
		if (pdev->bus->number == PV_BUS)
			return pdev;
	return NULL;
}

static struct pci_dev *pv_kunit_get(struct kunit *test, unsigned int vendor,
				    unsigned int device, const char *what)
{
	struct pci_dev *pdev = pv_kunit_find(vendor, device);

	if (!pdev)
		kunit_skip(test, "no %s passed through (uldf_pv.devices=)", what);
	return pdev;
}

static struct pv_dev *pv_kunit_pv(struct pci_dev *pdev)
{
	return pv_devs[PCI_SLOT(pdev->devfn)];
}

/*
 * The cases use a function as its driver would: bound to this suite's own
 * driver (through driver_override), so that the PCI core assigns its INTx
 * at probe and releases what the case left managed (MSI data) at unbind.
 * The function's own driver, if any, gets it back afterwards.
 */
static int pv_kunit_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	return 0;
}

/* What a driver frees before its device goes (removal in use). */
static void pv_kunit_remove(struct pci_dev *pdev)
{
	pci_free_irq_vectors(pdev);
}

static struct pci_driver pv_kunit_driver = {
	.name		= "pv_kunit",
	.probe		= pv_kunit_probe,
	.remove		= pv_kunit_remove,
};

/* Bind @pdev to the suite's driver; returns whether it had a driver. */
static bool pv_kunit_claim(struct kunit *test, struct pci_dev *pdev)
{
	bool had;

	device_lock(&pdev->dev);
	had = pdev->dev.driver;
	device_unlock(&pdev->dev);
	if (had)
		device_release_driver(&pdev->dev);
	KUNIT_ASSERT_EQ(test, device_set_driver_override(&pdev->dev,
							 "pv_kunit"), 0);
	KUNIT_ASSERT_EQ_MSG(test, device_attach(&pdev->dev), 1,
			    "%s: the suite's driver did not bind", pci_name(pdev));
	return had;
}

/* Undo pv_kunit_claim(): unbind, and rebind the function's driver. */
static void pv_kunit_unclaim(struct pci_dev *pdev, bool had)
{
	device_release_driver(&pdev->dev);
	device_set_driver_override(&pdev->dev, NULL);
	if (had && device_attach(&pdev->dev) <= 0)
		pr_warn("pv_kunit: %s: its driver did not bind again\n",
			pci_name(pdev));
}

/* A dword of the host's config space, from vmm-glue's backend. */
static u32 pv_kunit_host_cfg(struct pv_dev *pv, unsigned int off)
{
	unsigned long flags;
	u32 val = ~0U;

	raw_spin_lock_irqsave(&pv->lock, flags);
	if (pv->u.vg.ops->rw(pv->u.vg.host, VG_CFG, off, &val, 4, false))
		val = ~0U;
	raw_spin_unlock_irqrestore(&pv->lock, flags);
	return val;
}

/* The capability IDs of a config space, in list order: a bit per ID. */
static u64 pv_kunit_caps_guest(struct pci_dev *pdev)
{
	u64 ids = 0;
	u8 pos = 0;
	int ttl = 48;
	u8 id;

	pci_read_config_byte(pdev, PCI_CAPABILITY_LIST, &pos);
	while (pos >= PCI_STD_HEADER_SIZEOF && ttl--) {
		pci_read_config_byte(pdev, pos + PCI_CAP_LIST_ID, &id);
		if (id < 64)
			ids |= BIT_ULL(id);
		pci_read_config_byte(pdev, pos + PCI_CAP_LIST_NEXT, &pos);
	}
	return ids;
}

static u64 pv_kunit_caps_host(struct pv_dev *pv)
{
	u64 ids = 0;
	int ttl = 48;
	u32 dw;
	u8 pos;

	pos = pv_kunit_host_cfg(pv, PCI_CAPABILITY_LIST & ~3) >> 8 * (PCI_CAPABILITY_LIST & 3);
	while (pos >= PCI_STD_HEADER_SIZEOF && ttl--) {
		dw = pv_kunit_host_cfg(pv, pos & ~3);
		dw >>= 8 * (pos & 3);
		if ((dw & 0xff) < 64)
			ids |= BIT_ULL(dw & 0xff);
		pos = (dw >> 8) & 0xfc;
	}
	return ids;
}

static void pv_kunit_config_one(struct kunit *test, struct pci_dev *pdev)
{
	static const unsigned int same[] = {
		PCI_VENDOR_ID, PCI_CLASS_REVISION, PCI_SUBSYSTEM_VENDOR_ID,
	};
	struct pv_dev *pv = pv_kunit_pv(pdev);
	u64 host_caps, guest_caps, hidden = 0;
	unsigned int i;
	u32 g;

	KUNIT_ASSERT_NOT_NULL(test, pv);
	for (i = 0; i < ARRAY_SIZE(same); i++) {
		pci_read_config_dword(pdev, same[i], &g);
		KUNIT_EXPECT_EQ_MSG(test, g, pv_kunit_host_cfg(pv, same[i]),
				    "%s: config dword 0x%02x", pci_name(pdev),
				    same[i]);
	}
	if (pv->u.vg.flags & VG_HIDE_MSI)
		hidden |= BIT_ULL(PCI_CAP_ID_MSI);
	if (pv->u.vg.flags & VG_HIDE_MSIX)
		hidden |= BIT_ULL(PCI_CAP_ID_MSIX);
	host_caps = pv_kunit_caps_host(pv);
	guest_caps = pv_kunit_caps_guest(pdev);
	KUNIT_EXPECT_NE(test, host_caps, 0);
	KUNIT_EXPECT_EQ_MSG(test, guest_caps, host_caps & ~hidden,
			    "%s: capability IDs", pci_name(pdev));

	/* BAR sizing, as the PCI core did it at enumeration. */
	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		u64 size = pv->u.region[i].size;

		if (pci_resource_flags(pdev, i) & IORESOURCE_IO)
			continue;	/* UML has no port I/O */
		KUNIT_EXPECT_EQ_MSG(test, (u64)pci_resource_len(pdev, i), size,
				    "%s: BAR %u size", pci_name(pdev), i);
	}
}

static void pv_kunit_config(struct kunit *test)
{
	struct pci_dev *edu = pv_kunit_find(EDU_VENDOR, EDU_DEVICE);
	struct pci_dev *nvme = pv_kunit_find(NVME_VENDOR, NVME_DEVICE);

	if (!edu && !nvme)
		kunit_skip(test, "neither edu nor NVMe passed through");
	if (edu)
		pv_kunit_config_one(test, edu);
	if (nvme)
		pv_kunit_config_one(test, nvme);
	pci_dev_put(edu);
	pci_dev_put(nvme);
}

/* A BAR's sizing by hand: all ones written, the mask read back. */
static void pv_kunit_bar_sizing(struct kunit *test)
{
	struct pci_dev *edu = pv_kunit_get(test, EDU_VENDOR, EDU_DEVICE, "edu");
	u32 old, mask;
	u16 cmd;

	pci_read_config_word(edu, PCI_COMMAND, &cmd);
	pci_write_config_word(edu, PCI_COMMAND, cmd & ~PCI_COMMAND_MEMORY);
	pci_read_config_dword(edu, PCI_BASE_ADDRESS_0, &old);
	pci_write_config_dword(edu, PCI_BASE_ADDRESS_0, ~0U);
	pci_read_config_dword(edu, PCI_BASE_ADDRESS_0, &mask);
	pci_write_config_dword(edu, PCI_BASE_ADDRESS_0, old);
	pci_write_config_word(edu, PCI_COMMAND, cmd);
	KUNIT_EXPECT_EQ(test, mask & PCI_BASE_ADDRESS_MEM_MASK,
			(u32)~(EDU_BAR0_SIZE - 1));
	pci_read_config_dword(edu, PCI_BASE_ADDRESS_0, &mask);
	KUNIT_EXPECT_EQ(test, mask, old);
	pci_dev_put(edu);
}

/* ---- edu: enabled, BAR0 mapped, an interrupt counter ------------------- */

struct pv_kunit_edu {
	struct pci_dev *pdev;
	bool claimed, had_driver;
	void __iomem *bar;
	int irq;
	atomic_t count;		/* handler runs that saw edu's status */
	atomic_t skip_acks;	/* runs left that leave the line asserted */
	wait_queue_head_t wq;
};

static irqreturn_t pv_kunit_edu_irq(int irq, void *data)
{
	struct pv_kunit_edu *e = data;
	u32 status = ioread32(e->bar + EDU_IRQ_STATUS);

	if (!status)
		return IRQ_NONE;
	if (atomic_dec_if_positive(&e->skip_acks) < 0)
		iowrite32(status, e->bar + EDU_IRQ_ACK);
	atomic_inc(&e->count);
	wake_up(&e->wq);
	return IRQ_HANDLED;
}

static void pv_kunit_edu_exit(struct kunit_resource *res)
{
	struct pv_kunit_edu *e = res->data;

	if (e->irq > 0)
		free_irq(e->irq, e);
	pci_free_irq_vectors(e->pdev);
	pci_clear_master(e->pdev);
	if (e->bar)
		pci_iounmap(e->pdev, e->bar);
	pci_disable_device(e->pdev);
	if (e->claimed)
		pv_kunit_unclaim(e->pdev, e->had_driver);
	pci_dev_put(e->pdev);
	kfree(e);
}

/*
 * edu enabled with BAR0 mapped, and @irq_type (0: none, PCI_IRQ_INTX or
 * PCI_IRQ_MSI) requested; undone when the case ends.
 */
static struct pv_kunit_edu *pv_kunit_edu(struct kunit *test,
					 unsigned int irq_type)
{
	struct pci_dev *pdev = pv_kunit_get(test, EDU_VENDOR, EDU_DEVICE, "edu");
	struct pv_kunit_edu *e;
	int ret;

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, e);
	e->pdev = pdev;
	init_waitqueue_head(&e->wq);
	kunit_alloc_resource(test, NULL, pv_kunit_edu_exit, GFP_KERNEL, e);
	e->had_driver = pv_kunit_claim(test, pdev);
	e->claimed = true;
	KUNIT_ASSERT_EQ(test, pci_enable_device(pdev), 0);
	e->bar = pci_iomap(pdev, 0, 0);
	KUNIT_ASSERT_TRUE(test, e->bar);
	KUNIT_ASSERT_EQ(test, ioread32(e->bar + EDU_ID), EDU_ID_VALUE);
	iowrite32(~0U, e->bar + EDU_IRQ_ACK);
	if (!irq_type)
		return e;
	ret = pci_alloc_irq_vectors(pdev, 1, 1, irq_type);
	KUNIT_ASSERT_EQ_MSG(test, ret, 1, "pci_alloc_irq_vectors(%s)",
			    irq_type == PCI_IRQ_MSI ? "MSI" : "INTx");
	e->irq = pci_irq_vector(pdev, 0);
	KUNIT_ASSERT_GT(test, e->irq, 0);
	/* An MSI is a memory write of the device's. */
	if (irq_type == PCI_IRQ_MSI)
		pci_set_master(pdev);
	ret = request_irq(e->irq, pv_kunit_edu_irq, IRQF_SHARED, "pv_kunit",
			  e);
	if (ret)
		e->irq = 0;
	KUNIT_ASSERT_EQ(test, ret, 0);
	return e;
}

/* Wait until the handler has run @n times, then a while for more. */
static int pv_kunit_edu_count(struct pv_kunit_edu *e, int n)
{
	wait_event_timeout(e->wq, atomic_read(&e->count) >= n,
			   msecs_to_jiffies(WAIT_MS));
	msleep(QUIET_MS);
	return atomic_read(&e->count);
}

static void pv_kunit_mmio(struct kunit *test)
{
	struct pv_kunit_edu *e = pv_kunit_edu(test, 0);
	static const u32 vals[] = { 0x12345678, 0, 0xdeadbeef };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vals); i++) {
		iowrite32(vals[i], e->bar + EDU_LIVENESS);
		KUNIT_EXPECT_EQ(test, ioread32(e->bar + EDU_LIVENESS), ~vals[i]);
	}
	/* A factorial, computed by the device. */
	iowrite32(5, e->bar + EDU_FACT);
	for (i = 0; i < 100 && ioread32(e->bar + EDU_STATUS) & EDU_STATUS_BUSY; i++)
		usleep_range(1000, 2000);
	KUNIT_EXPECT_EQ(test, ioread32(e->bar + EDU_FACT), 120);
}

static void pv_kunit_intx(struct kunit *test)
{
	struct pv_kunit_edu *e = pv_kunit_edu(test, PCI_IRQ_INTX);

	iowrite32(EDU_FACT_IRQ, e->bar + EDU_IRQ_RAISE);
	KUNIT_EXPECT_EQ_MSG(test, pv_kunit_edu_count(e, 1), 1,
			    "one raise, handler runs");
}

static void pv_kunit_intx_disable(struct kunit *test)
{
	struct pv_kunit_edu *e = pv_kunit_edu(test, PCI_IRQ_INTX);

	struct pv_dev *pv = pv_kunit_pv(e->pdev);
	unsigned long flags;
	bool masked;

	disable_irq(e->irq);
	iowrite32(EDU_FACT_IRQ, e->bar + EDU_IRQ_RAISE);
	msleep(QUIET_MS);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&e->count), 0,
			    "handler ran while disabled");
	/*
	 * The interrupt that came while disabled masked the line on the
	 * chip (the kernel's lazy disable): the mask must have reached the
	 * device model, or the host would keep delivering it.
	 */
	raw_spin_lock_irqsave(&pv->lock, flags);
	masked = pv->u.vg.intx.guest_masked;
	raw_spin_unlock_irqrestore(&pv->lock, flags);
	KUNIT_EXPECT_TRUE_MSG(test, masked,
			      "the guest's mask of the pending line did not reach vmm-glue");
	enable_irq(e->irq);
	KUNIT_EXPECT_EQ_MSG(test, pv_kunit_edu_count(e, 1), 1,
			    "the pending interrupt after enable_irq()");
}

static void pv_kunit_intx_eoi(struct kunit *test)
{
	struct pv_kunit_edu *e = pv_kunit_edu(test, PCI_IRQ_INTX);

	/* The first run leaves the line asserted: the EOI must re-fire it. */
	atomic_set(&e->skip_acks, 1);
	iowrite32(EDU_FACT_IRQ, e->bar + EDU_IRQ_RAISE);
	KUNIT_EXPECT_EQ_MSG(test, pv_kunit_edu_count(e, 2), 2,
			    "a line left asserted fires again after the EOI");
	KUNIT_EXPECT_EQ(test, ioread32(e->bar + EDU_IRQ_STATUS), 0);
}

static void pv_kunit_msi(struct kunit *test)
{
	struct pv_kunit_edu *e = pv_kunit_edu(test, PCI_IRQ_MSI);
	int i;

	KUNIT_EXPECT_TRUE(test, e->pdev->msi_enabled);
	for (i = 1; i <= 3; i++) {
		iowrite32(EDU_FACT_IRQ, e->bar + EDU_IRQ_RAISE);
		KUNIT_EXPECT_EQ_MSG(test, pv_kunit_edu_count(e, i), i,
				    "MSI %d", i);
	}
}

/* ---- DMA through edu ---------------------------------------------------- */

/* One edu transfer of @len bytes; 0 once the engine is idle again. */
static int pv_kunit_edu_dma(struct pv_kunit_edu *e, u64 src, u64 dst,
			    u64 len, u64 cmd)
{
	int i;

	lo_hi_writeq(src, e->bar + EDU_DMA_SRC);
	lo_hi_writeq(dst, e->bar + EDU_DMA_DST);
	lo_hi_writeq(len, e->bar + EDU_DMA_COUNT);
	lo_hi_writeq(cmd | EDU_DMA_START, e->bar + EDU_DMA_CMD);
	for (i = 0; i < WAIT_MS; i++) {
		if (!(lo_hi_readq(e->bar + EDU_DMA_CMD) & EDU_DMA_START))
			return 0;
		usleep_range(1000, 2000);
	}
	return -ETIMEDOUT;
}

static struct pv_kunit_edu *pv_kunit_edu_dma_ready(struct kunit *test)
{
	struct pv_kunit_edu *e;

	if (__pa(high_physmem) > EDU_DMA_MASK + 1)
		kunit_skip(test,
			   "guest RAM ends at guest physical 0x%lx, beyond edu's 28-bit DMA reach (boot with less RAM)",
			   (unsigned long)__pa(high_physmem));
	e = pv_kunit_edu(test, 0);
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(&e->pdev->dev,
							EDU_DMA_MASK), 0);
	pci_set_master(e->pdev);
	return e;
}

/* @out = @in through edu's buffer: RAM to device, then back. */
static void pv_kunit_roundtrip(struct kunit *test, struct pv_kunit_edu *e,
			       dma_addr_t in, dma_addr_t out, size_t len)
{
	KUNIT_ASSERT_LE(test, in + len - 1, EDU_DMA_MASK);
	KUNIT_ASSERT_LE(test, out + len - 1, EDU_DMA_MASK);
	KUNIT_ASSERT_EQ(test, pv_kunit_edu_dma(e, in, EDU_DMA_BUF, len, 0), 0);
	KUNIT_ASSERT_EQ(test, pv_kunit_edu_dma(e, EDU_DMA_BUF, out, len,
					       EDU_DMA_TO_RAM), 0);
}

static void pv_kunit_dma_coherent(struct kunit *test)
{
	struct pv_kunit_edu *e = pv_kunit_edu_dma_ready(test);
	struct device *dev = &e->pdev->dev;
	dma_addr_t in_dma, out_dma;
	u8 *in, *out;

	in = dma_alloc_coherent(dev, PAGE_SIZE, &in_dma, GFP_KERNEL);
	out = dma_alloc_coherent(dev, PAGE_SIZE, &out_dma, GFP_KERNEL);
	if (in && out) {
		get_random_bytes(in, EDU_XFER);
		memset(out, 0, EDU_XFER);
		pv_kunit_roundtrip(test, e, in_dma, out_dma, EDU_XFER);
		KUNIT_EXPECT_MEMEQ(test, out, in, EDU_XFER);
	}
	if (in)
		dma_free_coherent(dev, PAGE_SIZE, in, in_dma);
	if (out)
		dma_free_coherent(dev, PAGE_SIZE, out, out_dma);
	KUNIT_EXPECT_TRUE(test, in && out);
}

static void pv_kunit_dma_single(struct kunit *test)
{
	struct pv_kunit_edu *e = pv_kunit_edu_dma_ready(test);
	struct device *dev = &e->pdev->dev;
	dma_addr_t in_dma, out_dma;
	u8 *in, *out;

	in = kunit_kmalloc(test, EDU_XFER, GFP_KERNEL);
	out = kunit_kzalloc(test, EDU_XFER, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_ASSERT_NOT_NULL(test, out);
	get_random_bytes(in, EDU_XFER);
	in_dma = dma_map_single(dev, in, EDU_XFER, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, in_dma));
	out_dma = dma_map_single(dev, out, EDU_XFER, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, out_dma)) {
		dma_unmap_single(dev, in_dma, EDU_XFER, DMA_TO_DEVICE);
		KUNIT_FAIL(test, "dma_map_single() of the output buffer");
		return;
	}
	pv_kunit_roundtrip(test, e, in_dma, out_dma, EDU_XFER);
	dma_unmap_single(dev, out_dma, EDU_XFER, DMA_FROM_DEVICE);
	dma_unmap_single(dev, in_dma, EDU_XFER, DMA_TO_DEVICE);
	KUNIT_EXPECT_MEMEQ(test, out, in, EDU_XFER);
}

/*
 * Memory the DMA path does not map: a page of this kernel image, below
 * uml_reserved.  A device write there must fault in the host IOMMU (the
 * testbed's script finds the fault in the host's log) and change nothing.
 */
static u8 pv_kunit_image_page[PAGE_SIZE] __aligned(PAGE_SIZE);

static void pv_kunit_dma_not_dmaable(struct kunit *test)
{
	struct pv_kunit_edu *e = pv_kunit_edu_dma_ready(test);
	dma_addr_t target = __pa(pv_kunit_image_page);
	u8 *src;
	dma_addr_t src_dma;
	struct device *dev = &e->pdev->dev;

	KUNIT_ASSERT_LT(test, (unsigned long)pv_kunit_image_page,
			uml_reserved);
	KUNIT_ASSERT_LE(test, target + EDU_XFER - 1, EDU_DMA_MASK);
	memset(pv_kunit_image_page, 0x5a, sizeof(pv_kunit_image_page));

	/* A pattern into edu's buffer the legitimate way... */
	src = dma_alloc_coherent(dev, PAGE_SIZE, &src_dma, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, src);
	memset(src, 0xa5, EDU_XFER);
	KUNIT_EXPECT_EQ(test, pv_kunit_edu_dma(e, src_dma, EDU_DMA_BUF,
					       EDU_XFER, 0), 0);
	dma_free_coherent(dev, PAGE_SIZE, src, src_dma);
	/* ...then out to the kernel image... */
	KUNIT_EXPECT_EQ(test, pv_kunit_edu_dma(e, EDU_DMA_BUF, target, EDU_XFER,
					       EDU_DMA_TO_RAM), 0);
	KUNIT_EXPECT_TRUE_MSG(test, memchr_inv(pv_kunit_image_page, 0x5a,
					       sizeof(pv_kunit_image_page)) == NULL,
			      "a device write landed in the kernel image at guest physical %pad",
			      &target);
	kunit_info(test, "device write to guest physical %pad (kernel image) refused\n",
		   &target);
	/* The engine did write: the same buffer lands in RAM that is mapped. */
	src = dma_alloc_coherent(dev, PAGE_SIZE, &src_dma, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, src);
	memset(src, 0, EDU_XFER);
	KUNIT_EXPECT_EQ(test, pv_kunit_edu_dma(e, EDU_DMA_BUF, src_dma,
					       EDU_XFER, EDU_DMA_TO_RAM), 0);
	KUNIT_EXPECT_TRUE_MSG(test, !memchr_inv(src, 0xa5, EDU_XFER),
			      "control: edu's buffer did not reach mapped RAM");
	dma_free_coherent(dev, PAGE_SIZE, src, src_dma);
	/* ...and past the end of RAM, where the guest has nothing. */
	target = __pa(high_physmem);
	if (target + EDU_XFER - 1 <= EDU_DMA_MASK) {
		KUNIT_EXPECT_EQ(test, pv_kunit_edu_dma(e, EDU_DMA_BUF, target,
						       EDU_XFER, EDU_DMA_TO_RAM), 0);
		kunit_info(test, "device write to guest physical %pad (past RAM) done\n",
			   &target);
	}
}

/* ---- NVMe (MSI-X, reset) and xHCI (multiple MSI) ------------------------ */

struct pv_kunit_fn {
	struct pci_dev *pdev;
	bool claimed, had_driver;
};

static void pv_kunit_fn_exit(struct kunit_resource *res)
{
	struct pv_kunit_fn *n = res->data;

	pci_free_irq_vectors(n->pdev);
	pci_disable_device(n->pdev);
	if (n->claimed)
		pv_kunit_unclaim(n->pdev, n->had_driver);
	pci_dev_put(n->pdev);
	kfree(n);
}

/* A function, taken from its driver and enabled for the case. */
static struct pv_kunit_fn *pv_kunit_fn(struct kunit *test, unsigned int vendor,
				       unsigned int device, const char *what)
{
	struct pci_dev *pdev = pv_kunit_get(test, vendor, device, what);
	struct pv_kunit_fn *n;

	n = kzalloc(sizeof(*n), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, n);
	n->pdev = pdev;
	kunit_alloc_resource(test, NULL, pv_kunit_fn_exit, GFP_KERNEL, n);
	n->had_driver = pv_kunit_claim(test, pdev);
	n->claimed = true;
	KUNIT_ASSERT_EQ(test, pci_enable_device(pdev), 0);
	return n;
}

static struct pv_kunit_fn *pv_kunit_nvme(struct kunit *test)
{
	return pv_kunit_fn(test, NVME_VENDOR, NVME_DEVICE, "NVMe controller");
}

static void pv_kunit_msix(struct kunit *test)
{
	struct pv_kunit_fn *n = pv_kunit_nvme(test);
	struct pci_dev *pdev = n->pdev;
	int table, nvec, i, j, irq;

	table = pci_msix_vec_count(pdev);
	KUNIT_ASSERT_GT(test, table, 1);
	nvec = pci_alloc_irq_vectors(pdev, 1, min(table, 8), PCI_IRQ_MSIX);
	KUNIT_ASSERT_EQ(test, nvec, min(table, 8));
	KUNIT_EXPECT_TRUE(test, pdev->msix_enabled);
	for (i = 0; i < nvec; i++) {
		irq = pci_irq_vector(pdev, i);
		KUNIT_EXPECT_GT(test, irq, 0);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_NE(test, irq, pci_irq_vector(pdev, j));
		/* UML has one CPU: these must do nothing harmful. */
		irq_set_affinity_hint(irq, cpumask_of(0));
		irq_set_affinity(irq, cpu_online_mask);
		irq_set_affinity_hint(irq, NULL);
	}
	KUNIT_EXPECT_EQ(test, pci_irq_vector(pdev, nvec), -EINVAL);
}

/*
 * Multiple MSI: the guest gets every vector the function offers (16 for
 * nec-usb-xhci), each its own interrupt, and the host opened as many.
 */
static void pv_kunit_msi_multi(struct kunit *test)
{
	struct pv_kunit_fn *n = pv_kunit_fn(test, XHCI_VENDOR, XHCI_DEVICE,
					    "xHCI controller (nec-usb-xhci)");
	struct pci_dev *pdev = n->pdev;
	struct pv_dev *pv = pv_kunit_pv(pdev);
	int offered, nvec, i, j, irq;

	offered = pci_msi_vec_count(pdev);
	KUNIT_ASSERT_GT_MSG(test, offered, 1, "Multiple Message Capable");
	KUNIT_EXPECT_EQ(test, offered, pv->u.nr_msi);
	nvec = pci_alloc_irq_vectors(pdev, 1, 32, PCI_IRQ_MSI);
	KUNIT_ASSERT_EQ(test, nvec, offered);
	KUNIT_EXPECT_TRUE(test, pdev->msi_enabled);
	KUNIT_EXPECT_FALSE(test, pdev->msix_enabled);
	for (i = 0; i < nvec; i++) {
		irq = pci_irq_vector(pdev, i);
		KUNIT_EXPECT_GT(test, irq, 0);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_NE(test, irq, pci_irq_vector(pdev, j));
		KUNIT_EXPECT_GE_MSG(test, vg_uldf_irq_fd(&pv->u, VG_IRQ_MSI, i),
				    0, "host vector %d open", i);
	}
	KUNIT_EXPECT_EQ(test, pci_irq_vector(pdev, nvec), -EINVAL);
	KUNIT_EXPECT_EQ(test, vg_uldf_irq_fd(&pv->u, VG_IRQ_MSI, nvec), -1);
	kunit_info(test, "%s: %d MSI vectors, interrupts %d to %d\n",
		   pci_name(pdev), nvec, pci_irq_vector(pdev, 0),
		   pci_irq_vector(pdev, nvec - 1));

	/* Freed: the host's vectors close, and INTx is open again. */
	pci_free_irq_vectors(pdev);
	KUNIT_EXPECT_FALSE(test, pdev->msi_enabled);
	for (i = 0; i < nvec; i++)
		KUNIT_EXPECT_EQ(test, vg_uldf_irq_fd(&pv->u, VG_IRQ_MSI, i), -1);
}

static void pv_kunit_reset(struct kunit *test)
{
	struct pv_kunit_fn *n = pv_kunit_nvme(test);
	u32 id;

	KUNIT_EXPECT_EQ(test, pci_reset_function(n->pdev), 0);
	pci_read_config_dword(n->pdev, PCI_VENDOR_ID, &id);
	KUNIT_EXPECT_EQ(test, id, (u32)(NVME_DEVICE << 16 | NVME_VENDOR));
}

static void pv_kunit_remove_rescan(struct kunit *test)
{
	struct pci_dev *edu = pv_kunit_get(test, EDU_VENDOR, EDU_DEVICE, "edu");
	struct pci_bus *bus = edu->bus;
	unsigned int devfn = edu->devfn;
	struct pv_kunit_edu *e;
	void __iomem *bar;

	/* Removed in use: bound, enabled, bus master, MSI on, BAR mapped. */
	pv_kunit_claim(test, edu);
	KUNIT_ASSERT_EQ(test, pci_enable_device(edu), 0);
	pci_set_master(edu);
	KUNIT_EXPECT_EQ(test, pci_alloc_irq_vectors(edu, 1, 1, PCI_IRQ_MSI), 1);
	bar = pci_iomap(edu, 0, 0);
	KUNIT_EXPECT_TRUE(test, bar);
	if (bar)
		pci_iounmap(edu, bar);

	pci_lock_rescan_remove();
	pci_stop_and_remove_bus_device(edu);
	pci_unlock_rescan_remove();
	pci_dev_put(edu);
	KUNIT_EXPECT_NULL(test, pci_get_slot(bus, devfn));

	pci_lock_rescan_remove();
	pci_rescan_bus(bus);
	pci_unlock_rescan_remove();
	edu = pv_kunit_find(EDU_VENDOR, EDU_DEVICE);
	KUNIT_ASSERT_NOT_NULL(test, edu);
	KUNIT_EXPECT_EQ(test, edu->devfn, devfn);
	KUNIT_EXPECT_FALSE(test, edu->msi_enabled);
	pv_kunit_config_one(test, edu);
	pci_dev_put(edu);

	/* The new device works as a fresh one: MMIO and INTx. */
	e = pv_kunit_edu(test, PCI_IRQ_INTX);
	iowrite32(EDU_FACT_IRQ, e->bar + EDU_IRQ_RAISE);
	KUNIT_EXPECT_EQ_MSG(test, pv_kunit_edu_count(e, 1), 1,
			    "INTx after the rescan");
}

static struct kunit_case pv_kunit_cases[] = {
	KUNIT_CASE(pv_kunit_config),
	KUNIT_CASE(pv_kunit_bar_sizing),
	KUNIT_CASE(pv_kunit_mmio),
	KUNIT_CASE(pv_kunit_intx),
	KUNIT_CASE(pv_kunit_intx_disable),
	KUNIT_CASE(pv_kunit_intx_eoi),
	KUNIT_CASE(pv_kunit_msi),
	KUNIT_CASE(pv_kunit_dma_coherent),
	KUNIT_CASE(pv_kunit_dma_single),
	KUNIT_CASE(pv_kunit_dma_not_dmaable),
	KUNIT_CASE(pv_kunit_msix),
	KUNIT_CASE(pv_kunit_msi_multi),
	KUNIT_CASE(pv_kunit_reset),
	KUNIT_CASE(pv_kunit_remove_rescan),
	{}
};

static int pv_kunit_suite_init(struct kunit_suite *suite)
{
	return pci_register_driver(&pv_kunit_driver);
}

static void pv_kunit_suite_exit(struct kunit_suite *suite)
{
	pci_unregister_driver(&pv_kunit_driver);
}

static struct kunit_suite pv_kunit_suite = {
	.name = "uldf_pv",
	.suite_init = pv_kunit_suite_init,
	.suite_exit = pv_kunit_suite_exit,
	.test_cases = pv_kunit_cases,
};

kunit_test_suite(pv_kunit_suite);
