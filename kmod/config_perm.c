// SPDX-License-Identifier: GPL-2.0
/*
 * uldf config space permissions: which bits the user sees of the device,
 * which the user may change, and the virtual copy each open starts from.
 *
 * Config space is protected by a permission table in the manner of
 * vfio_pci_config.c.  Each bit of config space has two attributes, kept as
 * byte arrays over the whole config space:
 *
 *   virt   the user reads (and writes) a virtual copy instead of the device;
 *   write  the user may write the bit (to the copy if virtual, else to the
 *          device).
 *
 * Everything starts read-only and real.  Tables then open up fields: of the
 * standard header (command bits, the status register's write-one-to-clear
 * error bits, cache line, latency timer, interrupt line),
 * and of each capability by its ID (PCI Express device control, power
 * management, vendor-specific capabilities raw).  The capabilities, and
 * the bytes each covers, are found by config_caps.c, which does not trust
 * the device's lists: bytes that two capabilities claim stay read-only.
 * Capabilities without an entry, MSI and MSI-X among them, stay
 * read-only: interrupts are set up with ULDF_DEVICE_IRQ_OPEN, never by
 * writing the capability.  The BARs and the ROM BAR, the interrupt line,
 * Interrupt Disable, and PCIe Device Control's Max Payload Size, Max Read
 * Request Size and Enable No Snoop are virtual; config.c, which carries
 * out the accesses, says what a write of each does.
 *
 * A second set of tables names the status bits, write-one-to-clear or
 * read-only beside them, that a read-modify-write of a neighbouring
 * register must not write back as it read them (uldf_cfg_rw1c()).
 *
 * The permission arrays, the BARs' size masks and the capabilities'
 * offsets are built at bind (uldf_config_init()), before the device can
 * be opened, and stay fixed until the last reference goes
 * (uldf_config_exit()).  Each open starts the virtual copy from the device
 * (uldf_config_reset(), under cfg.lock): the BARs, ROM BAR and interrupt
 * line as the device holds them, Interrupt Disable clear, the decode bits
 * and whether D3hot loses the function's state as the device says, and
 * PCIe Device Control as the device has it, the device's Enable No Snoop
 * turned off unless the IOMMU enforces cache coherency (config.c says why).
 */
#include <linux/pci.h>
#include <linux/slab.h>

#include "config_caps.h"
#include "uldf_private.h"

/* One field of a permission table; offsets relative to the capability. */
struct uldf_cfg_field {
	u16 offset;
	u8 size;
	u32 virt;
	u32 write;
};

#define FIELD(o, s, v, w)	{ .offset = (o), .size = (s), .virt = (v), .write = (w) }

#define ULDF_CMD_WRITE	(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | \
			 PCI_COMMAND_MASTER | PCI_COMMAND_PARITY | \
			 PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE)

/* The status register's write-one-to-clear error bits. */
#define ULDF_STATUS_RW1C (PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT | \
			  PCI_STATUS_REC_TARGET_ABORT | \
			  PCI_STATUS_REC_MASTER_ABORT | \
			  PCI_STATUS_SIG_SYSTEM_ERROR | \
			  PCI_STATUS_DETECTED_PARITY)

static const struct uldf_cfg_field uldf_header_fields[] = {
	FIELD(PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE, ULDF_CMD_WRITE),
	FIELD(PCI_STATUS, 2, 0, ULDF_STATUS_RW1C),
	FIELD(PCI_CACHE_LINE_SIZE, 1, 0, 0xff),
	FIELD(PCI_LATENCY_TIMER, 1, 0, 0xff),
	FIELD(PCI_BASE_ADDRESS_0, 4, ~0U, ~0U),
	FIELD(PCI_BASE_ADDRESS_1, 4, ~0U, ~0U),
	FIELD(PCI_BASE_ADDRESS_2, 4, ~0U, ~0U),
	FIELD(PCI_BASE_ADDRESS_3, 4, ~0U, ~0U),
	FIELD(PCI_BASE_ADDRESS_4, 4, ~0U, ~0U),
	FIELD(PCI_BASE_ADDRESS_5, 4, ~0U, ~0U),
	FIELD(PCI_ROM_ADDRESS, 4, ~0U, ~0U),
	FIELD(PCI_INTERRUPT_LINE, 1, 0xff, 0xff),
	{ }
};

static const struct uldf_cfg_field uldf_pm_fields[] = {
	FIELD(PCI_PM_CTRL, 2, 0, PCI_PM_CTRL_STATE_MASK | PCI_PM_CTRL_PME_ENABLE |
				 PCI_PM_CTRL_PME_STATUS),
	{ }
};

/* Device Control fields that concern the fabric or the CPU caches. */
#define ULDF_DEVCTL_VIRT	(PCI_EXP_DEVCTL_PAYLOAD | PCI_EXP_DEVCTL_READRQ | \
				 PCI_EXP_DEVCTL_NOSNOOP_EN)

static const struct uldf_cfg_field uldf_exp_fields[] = {
	FIELD(PCI_EXP_DEVCTL, 2, ULDF_DEVCTL_VIRT,
	      ~(u32)PCI_EXP_DEVCTL_PHANTOM & 0xffff),
	FIELD(PCI_EXP_DEVSTA, 2, 0, PCI_EXP_DEVSTA_CED | PCI_EXP_DEVSTA_NFED |
				    PCI_EXP_DEVSTA_FED | PCI_EXP_DEVSTA_URD),
	FIELD(PCI_EXP_DEVCTL2, 2, 0, 0xffff),
	{ }
};

/*
 * Status bits: write-one-to-clear, or read-only or reserved (write 0)
 * beside them.  A write that reaches the device as a read-modify-write
 * of the register next to them gives them 0, not the 1 it read back, so
 * that only a 1 the user wrote there (where the tables allow) clears one.
 * A capability's entries count only inside its length.
 */
static const struct uldf_cfg_field uldf_rw1c_header[] = {
	FIELD(PCI_STATUS, 2, 0, ULDF_STATUS_RW1C),
	{ }
};

static const struct uldf_cfg_field uldf_rw1c_pm[] = {
	FIELD(PCI_PM_CTRL, 2, 0, PCI_PM_CTRL_PME_STATUS),
	{ }
};

static const struct uldf_cfg_field uldf_rw1c_exp[] = {
	FIELD(PCI_EXP_DEVSTA, 2, 0, 0xffff),
	FIELD(PCI_EXP_LNKSTA, 2, 0, 0xffff),
	FIELD(PCI_EXP_SLTSTA, 2, 0, 0xffff),
	FIELD(PCI_EXP_RTSTA, 4, 0, ~0U),
	FIELD(PCI_EXP_DEVSTA2, 2, 0, 0xffff),
	FIELD(PCI_EXP_LNKSTA2, 2, 0, 0xffff),
	FIELD(PCI_EXP_SLTSTA2, 2, 0, 0xffff),
	{ }
};

/* The permission table of each capability ID; NULL: read-only. */
static const struct uldf_cfg_field *const uldf_cap_fields[PCI_CAP_ID_MAX + 1] = {
	[PCI_CAP_ID_PM] = uldf_pm_fields,
	[PCI_CAP_ID_EXP] = uldf_exp_fields,
};

static void uldf_cfg_apply(struct uldf_config *cfg, unsigned int base,
			   const struct uldf_cfg_field *f)
{
	for (; f->size; f++) {
		uldf_cfg_store(cfg->virt, base + f->offset, f->size, f->virt);
		uldf_cfg_store(cfg->write, base + f->offset, f->size, f->write);
	}
}

static u32 uldf_caps_read(void *ctx, unsigned int off, unsigned int len)
{
	struct pci_dev *pdev = ctx;
	u32 v;
	u16 w;
	u8 b;

	/* A failed read sets all ones (PCI_SET_ERROR_RESPONSE). */
	switch (len) {
	case 1:
		pci_read_config_byte(pdev, off, &b);
		return b;
	case 2:
		pci_read_config_word(pdev, off, &w);
		return w;
	default:
		pci_read_config_dword(pdev, off, &v);
		return v;
	}
}

/* Say where the device's capability lists are broken, once, at bind. */
static void uldf_cfg_report_caps(struct pci_dev *pdev,
				 const struct uldf_caps *c)
{
	unsigned int i;

	if (c->flags & ULDF_CAPS_LOOP)
		pci_info(pdev, "uldf: capability list loops back to %#x; ends there\n",
			 c->std_stop);
	if (c->flags & ULDF_CAPS_BAD_NEXT)
		pci_info(pdev, "uldf: capability list points into the header (%#x); ends there\n",
			 c->std_stop);
	if (c->flags & ULDF_CAPS_EXT_LOOP)
		pci_info(pdev, "uldf: extended capability list loops back to %#x; ends there\n",
			 c->ext_stop);
	if (c->flags & ULDF_CAPS_EXT_BAD_NEXT)
		pci_info(pdev, "uldf: extended capability list points below 0x100 (%#x); ends there\n",
			 c->ext_stop);
	for (i = 0; i < c->nr; i++) {
		const struct uldf_cap *cap = &c->cap[i];
		const char *kind = cap->flags & ULDF_CAP_EXT ? "extended " : "";

		if (cap->flags & ULDF_CAP_CLIPPED)
			pci_info(pdev, "uldf: %scapability %#x at %#x runs past the end of its space; cut at %#x\n",
				 kind, cap->id, cap->pos, cap->pos + cap->len);
		if (cap->flags & ULDF_CAP_OVERLAP)
			pci_info(pdev, "uldf: %scapability %#x at %#x overlaps capability %#x at %#x: [%#x, %#x) read-only\n",
				 kind, cap->id, cap->pos,
				 c->cap[cap->shared_with].id,
				 c->cap[cap->shared_with].pos,
				 cap->shared_start, cap->shared_end);
	}
}

/*
 * Open the capabilities' fields by their permission tables, and the
 * vendor-specific capabilities raw (config_caps.c finds them).  Only the
 * bytes a capability alone covers are opened: where two overlap, the
 * bytes stay read-only.
 */
static int uldf_cfg_walk_caps(struct uldf_device *udev)
{
	struct uldf_config *cfg = &udev->cfg;
	struct uldf_caps c = {
		.size = cfg->size,
		.read = uldf_caps_read,
		.ctx = udev->pdev,
	};
	const struct uldf_cfg_field *f;
	unsigned int i;

	c.owner = kvcalloc(c.size, sizeof(*c.owner), GFP_KERNEL | __GFP_NOWARN);
	c.cap = kvcalloc(ULDF_CAPS_MAX, sizeof(*c.cap), GFP_KERNEL | __GFP_NOWARN);
	if (!c.owner || !c.cap) {
		kvfree(c.owner);
		kvfree(c.cap);
		return -ENOMEM;
	}
	uldf_caps_walk(&c);
	uldf_cfg_report_caps(udev->pdev, &c);

	for (i = 0; i < c.nr; i++) {
		const struct uldf_cap *cap = &c.cap[i];

		if ((cap->flags & ULDF_CAP_EXT) || cap->id > PCI_CAP_ID_MAX)
			continue;
		if (cap->id == PCI_CAP_ID_EXP && cap->pos == cfg->exp_cap)
			cfg->exp_len = cap->len;
		f = uldf_cap_fields[cap->id];
		for (; f && f->size; f++)
			uldf_caps_open(&c, i, cap->pos + f->offset, f->size,
				       f->virt, f->write, cfg->virt, cfg->write);
	}
	uldf_caps_open_vendor(&c, cfg->virt, cfg->write);

	kvfree(c.owner);
	kvfree(c.cap);
	return 0;
}

/* The mask a sizing write of all ones reads back, per BAR and the ROM. */
static void uldf_cfg_bar_masks(struct uldf_device *udev)
{
	struct uldf_config *cfg = &udev->cfg;
	struct pci_dev *pdev = udev->pdev;
	int i;

	for (i = 0; i < ULDF_NUM_BARS; i++) {
		unsigned long flags = pci_resource_flags(pdev, i);
		u64 len = pci_resource_len(pdev, i);
		u64 mask;

		if (!len)
			continue;
		mask = ~(len - 1);
		if (flags & IORESOURCE_IO) {
			cfg->bar_mask[i] = (u32)mask & PCI_BASE_ADDRESS_IO_MASK;
			continue;
		}
		cfg->bar_mask[i] = (u32)mask & PCI_BASE_ADDRESS_MEM_MASK;
		if ((flags & IORESOURCE_MEM_64) && i + 1 < ULDF_NUM_BARS)
			cfg->bar_mask[++i] = mask >> 32;
	}
	if (pci_resource_len(pdev, PCI_ROM_RESOURCE))
		cfg->bar_mask[ULDF_NUM_BARS] =
			~(u32)(pci_resource_len(pdev, PCI_ROM_RESOURCE) - 1) &
			PCI_ROM_ADDRESS_MASK;
}

/**
 * uldf_config_init() - build the permission tables at bind time.
 * @udev: the device.
 *
 * Return: 0, or -ENOMEM.
 */
int uldf_config_init(struct uldf_device *udev)
{
	struct uldf_config *cfg = &udev->cfg;

	mutex_init(&cfg->lock);
	cfg->size = udev->pdev->cfg_size;
	cfg->vconfig = kzalloc(cfg->size, GFP_KERNEL);
	cfg->virt = kzalloc(cfg->size, GFP_KERNEL);
	cfg->write = kzalloc(cfg->size, GFP_KERNEL);
	if (!cfg->vconfig || !cfg->virt || !cfg->write) {
		uldf_config_exit(udev);
		return -ENOMEM;
	}
	cfg->pm_cap = udev->pdev->pm_cap;
	cfg->exp_cap = udev->pdev->pcie_cap;
	cfg->msi_cap = udev->pdev->msi_cap;
	cfg->msix_cap = udev->pdev->msix_cap;

	uldf_cfg_apply(cfg, 0, uldf_header_fields);
	if (uldf_cfg_walk_caps(udev)) {
		uldf_config_exit(udev);
		return -ENOMEM;
	}
	uldf_cfg_bar_masks(udev);
	return 0;
}

/*
 * The user's Device Control starts as the device's.  Where the IOMMU does
 * not enforce cache coherency, the device's No Snoop goes off while the
 * device is open; the state restored at close brings it back.
 */
static void uldf_cfg_reset_devctl(struct uldf_device *udev)
{
	struct uldf_config *cfg = &udev->cfg;
	struct pci_dev *pdev = udev->pdev;
	u16 devctl;

	if (!cfg->exp_cap)
		return;
	pcie_capability_read_word(pdev, PCI_EXP_DEVCTL, &devctl);
	uldf_cfg_store(cfg->vconfig, cfg->exp_cap + PCI_EXP_DEVCTL, 2, devctl);
	if ((devctl & PCI_EXP_DEVCTL_NOSNOOP_EN) && !uldf_dma_coherent(udev))
		pcie_capability_clear_word(pdev, PCI_EXP_DEVCTL,
					   PCI_EXP_DEVCTL_NOSNOOP_EN);
}

/**
 * uldf_config_reset() - start a new user's view from the device's state.
 * @udev: the device; @udev->lock held for write.
 *
 * The virtual BARs, ROM BAR and interrupt line take the device's current
 * values, so a new user first reads what the device holds; so do the
 * virtual fields of PCIe Device Control, whose No Snoop bit the device
 * loses unless the IOMMU enforces coherency (so call this after
 * uldf_dma_open()).  Interrupt Disable reads 0: the real bit is set while
 * no INTx vector is open, but that is uldf's resting state, not something
 * the user asked for.
 */
void uldf_config_reset(struct uldf_device *udev)
{
	struct uldf_config *cfg = &udev->cfg;
	struct pci_dev *pdev = udev->pdev;
	unsigned int off;
	u16 cmd;
	u8 line;

	mutex_lock(&cfg->lock);
	for (off = PCI_BASE_ADDRESS_0; off <= PCI_ROM_ADDRESS; off += 4) {
		u32 v;

		if (off > PCI_BASE_ADDRESS_5 && off != PCI_ROM_ADDRESS)
			continue;
		pci_read_config_dword(pdev, off, &v);
		uldf_cfg_store(cfg->vconfig, off, 4, v);
	}
	pci_read_config_byte(pdev, PCI_INTERRUPT_LINE, &line);
	cfg->vconfig[PCI_INTERRUPT_LINE] = line;
	uldf_cfg_store(cfg->vconfig, PCI_COMMAND, 2, 0);
	cfg->virt_intx_disable = false;
	pci_read_config_word(pdev, PCI_COMMAND, &cmd);
	cfg->decode = cmd & (PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	cfg->pm_restore = false;
	if (cfg->pm_cap) {
		pci_read_config_word(pdev, cfg->pm_cap + PCI_PM_CTRL, &cmd);
		cfg->pm_restore = !(cmd & PCI_PM_CTRL_NO_SOFT_RESET);
	}
	uldf_cfg_reset_devctl(udev);
	mutex_unlock(&cfg->lock);
}

/**
 * uldf_config_exit() - free what uldf_config_init() allocated.
 * @udev: the device.
 */
void uldf_config_exit(struct uldf_device *udev)
{
	struct uldf_config *cfg = &udev->cfg;

	kfree(cfg->vconfig);
	kfree(cfg->virt);
	kfree(cfg->write);
	cfg->vconfig = NULL;
	cfg->virt = NULL;
	cfg->write = NULL;
}

/*
 * Put in @map the status bits of table @f, for a capability at @cap of
 * @len bytes, that lie in the dword at @base.
 */
static void uldf_cfg_rw1c_table(u8 *map, unsigned int base, unsigned int cap,
				unsigned int len, const struct uldf_cfg_field *f)
{
	for (; f->size; f++)
		if (f->offset + f->size <= len && cap + f->offset >= base &&
		    cap + f->offset < base + 4)
			uldf_cfg_store(map, cap + f->offset - base, f->size,
				       f->write);
}

/**
 * uldf_cfg_rw1c() - the status bits of an access, never written back as read.
 * @udev: the device.
 * @off: offset in config space.
 * @len: 1, 2 or 4, @off naturally aligned.
 *
 * Return: the bits of [@off, @off + @len), lowest address in the low
 * byte, that are write-one-to-clear, or read-only or reserved beside them:
 * a write that reaches the device as a read-modify-write gives them 0.
 */
u32 uldf_cfg_rw1c(struct uldf_device *udev, unsigned int off,
		  unsigned int len)
{
	struct uldf_config *cfg = &udev->cfg;
	u8 map[8] = { };
	unsigned int base = off & ~3;

	uldf_cfg_rw1c_table(map, base, 0, PCI_STD_HEADER_SIZEOF,
			    uldf_rw1c_header);
	if (cfg->pm_cap)
		uldf_cfg_rw1c_table(map, base, cfg->pm_cap, PCI_PM_SIZEOF,
				    uldf_rw1c_pm);
	if (cfg->exp_cap)
		uldf_cfg_rw1c_table(map, base, cfg->exp_cap, cfg->exp_len,
				    uldf_rw1c_exp);
	return uldf_cfg_bits(map, off - base, len);
}
