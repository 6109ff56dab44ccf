// SPDX-License-Identifier: GPL-2.0
/*
 * uldf config space: what the user sees, and what the user may change.
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
 * writing the capability.
 *
 * A few fields need more than a mask and are trapped:
 *   BARs and the ROM BAR are fully virtual.  A write stores the value under
 *	the BAR's size mask, so the sizing sequence (write all ones, read)
 *	returns the true size while the device's BAR never moves.
 *   Interrupt Disable (command bit 10) is virtual; its changes mask and
 *	unmask INTx through the IRQ layer, which owns the real bit.
 *   Bus Master Enable is refused when the device can do no safe DMA (no
 *	IOMMU, and no-IOMMU mode off).
 *   Memory and I/O Space Enable reach the device, and are remembered in
 *	cfg.decode: BAR access follows them (rdwr.c), and clearing one zaps
 *	the BAR mappings first.
 *   The power state in PMCSR goes through uldf_set_power() (power.c),
 *	which zaps the BAR mappings on the way to D3hot and restores the
 *	state the function loses there on the way back to D0.
 *   Initiate FLR in the PCIe device control register resets the function
 *	through the PCI core, which saves and restores its state.
 *
 * PCIe Device Control fields that concern more than the function stay the
 * kernel's, as with vfio-pci; the user reads back what it wrote to them:
 *   Max Payload Size is virtual.  It must match the link partner's and the
 *	fabric's, which the kernel set up and the user cannot see; a larger
 *	one would have the device send TLPs its peers treat as malformed.
 *   Max Read Request Size is virtual and trapped: a new value goes to the
 *	device through pcie_set_readrq(), raised to at least the payload
 *	size (vfio's floor) and clamped by the kernel where the bus
 *	configuration (pci=pcie_bus_perf) needs it.
 *   Enable No Snoop is virtual.  It reaches the device only where the
 *	IOMMU enforces cache coherency (domain.c; ULDF_DMA_INFO_COHERENT), so
 *	that the IOMMU snoops the CPU caches whatever the request says.
 *	Elsewhere the device keeps No Snoop off while it is open: a No Snoop
 *	read could bypass the caches and fetch a page's stale previous
 *	contents, the data of its last owner, from before the kernel
 *	cleared it.  vfio-pci passes the bit through and instead tells KVM
 *	that the guest's DMA is not coherent; uldf has no such partner.
 *   Phantom Functions Enable stays read-only: phantom requester IDs would
 *	escape the IOMMU's view of the function.
 *
 * A write holds memory_lock for write, so whatever it disables is
 * serialised with BAR faults, BAR accesses, resets and the MSI-X table
 * programming; a read holds it for read.  The user's buffer is copied
 * before the locks are taken (and after they are dropped), so an unbind
 * never waits on a user page.
 *
 * Accesses are 1, 2 or 4 bytes at naturally aligned offsets; any other
 * length must be 4-byte aligned in offset and length and is handled as a
 * run of dword accesses.
 */
#include <linux/bitfield.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/unaligned.h>

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

/* @len (1, 2 or 4) little-endian bytes of a config-space map at @off. */
static u32 uldf_cfg_bits(const u8 *map, unsigned int off, unsigned int len)
{
	switch (len) {
	case 1:
		return map[off];
	case 2:
		return get_unaligned_le16(map + off);
	default:
		return get_unaligned_le32(map + off);
	}
}

static void uldf_cfg_store(u8 *map, unsigned int off, unsigned int len, u32 v)
{
	switch (len) {
	case 1:
		map[off] = v;
		break;
	case 2:
		put_unaligned_le16(v, map + off);
		break;
	default:
		put_unaligned_le32(v, map + off);
	}
}

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

	c.owner = kvcalloc(c.size, sizeof(*c.owner), GFP_KERNEL);
	c.cap = kvcalloc(ULDF_CAPS_MAX, sizeof(*c.cap), GFP_KERNEL);
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

static int uldf_hw_read(struct pci_dev *pdev, unsigned int off,
			unsigned int len, u32 *val)
{
	u16 w;
	u8 b;
	int ret;

	switch (len) {
	case 1:
		ret = pci_user_read_config_byte(pdev, off, &b);
		*val = b;
		break;
	case 2:
		ret = pci_user_read_config_word(pdev, off, &w);
		*val = w;
		break;
	default:
		ret = pci_user_read_config_dword(pdev, off, val);
	}
	return ret ? -EIO : 0;
}

static int uldf_hw_write(struct pci_dev *pdev, unsigned int off,
			 unsigned int len, u32 val)
{
	int ret;

	switch (len) {
	case 1:
		ret = pci_user_write_config_byte(pdev, off, val);
		break;
	case 2:
		ret = pci_user_write_config_word(pdev, off, val);
		break;
	default:
		ret = pci_user_write_config_dword(pdev, off, val);
	}
	return ret ? -EIO : 0;
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

/* Status bits of [off, off + len): never written back as read. */
static u32 uldf_cfg_rw1c(struct uldf_device *udev, unsigned int off,
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

/* A write to a BAR or the ROM BAR: keep it, under the size mask. */
static void uldf_cfg_write_bar(struct uldf_config *cfg, unsigned int off,
			       unsigned int len, u32 val)
{
	unsigned int base = off & ~3;
	unsigned int bar = base == PCI_ROM_ADDRESS ? ULDF_NUM_BARS :
			   (base - PCI_BASE_ADDRESS_0) / 4;
	u32 old = uldf_cfg_bits(cfg->vconfig, base, 4);
	u32 keep_mask = bar == ULDF_NUM_BARS ? PCI_ROM_ADDRESS_ENABLE : 0;
	u32 shift = (off - base) * 8;
	u32 lanes = (len == 4 ? ~0U : ((1U << (len * 8)) - 1)) << shift;
	u32 v = (old & ~lanes) | ((val << shift) & lanes);
	u32 ro = cfg->bar_mask[bar] ? ~(cfg->bar_mask[bar] | keep_mask) : ~0U;

	/* Size-mask the address; the low type bits stay as the device has them. */
	v = (v & ~ro) | (old & ro);
	if (!cfg->bar_mask[bar])
		v = 0;
	uldf_cfg_store(cfg->vconfig, base, 4, v);
}

/*
 * PCIe Device Control, as in vfio_exp_config_write(): a new Max Read
 * Request Size (virtual; @old is the user's previous value) goes to the
 * device through pcie_set_readrq(), at least the device's payload size, so
 * a user without the fabric's view cannot make it inefficiently small;
 * the kernel clamps it to the payload size where the bus configuration
 * needs it.  Enable No Snoop (virtual) also reaches the device, in the
 * generic write, where the IOMMU enforces cache coherency.  Max Payload
 * Size is virtual only.
 */
static void uldf_cfg_trap_devctl(struct uldf_device *udev, u32 lanes,
				 u32 dval, u32 *wmask)
{
	struct uldf_config *cfg = &udev->cfg;
	struct pci_dev *pdev = udev->pdev;
	u32 old = uldf_cfg_bits(cfg->vconfig, cfg->exp_cap + PCI_EXP_DEVCTL, 2);
	int rq, ret;

	if ((lanes & PCI_EXP_DEVCTL_NOSNOOP_EN) && uldf_dma_coherent(udev))
		*wmask |= PCI_EXP_DEVCTL_NOSNOOP_EN;

	if (!(lanes & PCI_EXP_DEVCTL_READRQ) ||
	    !((dval ^ old) & PCI_EXP_DEVCTL_READRQ))
		return;
	rq = 128 << FIELD_GET(PCI_EXP_DEVCTL_READRQ, dval);
	rq = max(rq, pcie_get_mps(pdev));
	ret = pcie_set_readrq(pdev, rq);
	if (ret)
		pci_dbg(pdev, "uldf: max read request size %d refused (%d)\n",
			rq, ret);
}

/*
 * Trapped writes: side effects that go through the kernel's own helpers.
 * @base is the dword holding the access, @lanes the bits it writes, @dval
 * the written value in place (only @lanes valid); bits cleared from @wmask
 * (same layout) do not reach the device, virtual bits set in it do.
 * Every trapped register below is 16 bits at a dword-aligned offset
 * (capabilities are dword aligned).
 */
static int uldf_cfg_trap(struct uldf_device *udev, unsigned int base,
			 u32 lanes, u32 dval, u32 *wmask)
{
	struct uldf_config *cfg = &udev->cfg;
	struct pci_dev *pdev = udev->pdev;

	if (base == PCI_COMMAND) {
		bool intx_disable = dval & PCI_COMMAND_INTX_DISABLE;
		u16 decode = PCI_COMMAND_MEMORY | PCI_COMMAND_IO;

		if (lanes & dval & decode)
			uldf_restore_lost_config(udev);
		decode = (cfg->decode & ~(lanes & decode)) |
			 (dval & lanes & decode);
		if (cfg->decode & ~decode)
			uldf_bar_zap(udev);
		cfg->decode = decode;

		if ((lanes & dval & PCI_COMMAND_MASTER) &&
		    !uldf_dma_allowed(udev)) {
			pci_info_ratelimited(pdev, "uldf: bus mastering refused: no IOMMU and no-IOMMU mode is off\n");
			*wmask &= ~(u32)PCI_COMMAND_MASTER;
		}
		if ((lanes & PCI_COMMAND_INTX_DISABLE) &&
		    intx_disable != cfg->virt_intx_disable) {
			cfg->virt_intx_disable = intx_disable;
			uldf_irq_intx_virt_disable(udev, intx_disable);
		}
	}

	if (cfg->pm_cap && base == cfg->pm_cap + PCI_PM_CTRL &&
	    (lanes & PCI_PM_CTRL_STATE_MASK) &&
	    (uldf_cfg_bits(cfg->write, base, 2) & PCI_PM_CTRL_STATE_MASK)) {
		*wmask &= ~(u32)PCI_PM_CTRL_STATE_MASK;
		return uldf_set_power(udev, (__force pci_power_t)
				      (dval & PCI_PM_CTRL_STATE_MASK));
	}

	if (cfg->exp_cap && base == cfg->exp_cap + PCI_EXP_DEVCTL)
		uldf_cfg_trap_devctl(udev, lanes, dval, wmask);

	if (cfg->exp_cap && base == cfg->exp_cap + PCI_EXP_DEVCTL &&
	    (lanes & dval & PCI_EXP_DEVCTL_BCR_FLR)) {
		u32 devcap;

		*wmask &= ~(u32)PCI_EXP_DEVCTL_BCR_FLR;
		pcie_capability_read_dword(pdev, PCI_EXP_DEVCAP, &devcap);
		if (devcap & PCI_EXP_DEVCAP_FLR) {
			uldf_bar_zap(udev);
			return uldf_reset_function(udev);
		}
	}
	return 0;
}

/*
 * The command/status dword: write the command register's bytes one by one,
 * and only those whose writable bits change.  The IRQ layer's handler sets
 * the real Interrupt Disable bit (in the high byte) at any moment; a
 * read-modify-write of the whole register could clear it behind its back.
 * The status register gets exactly the 1s the user wrote to its
 * write-one-to-clear bits, and nothing at all if there are none: what was
 * read back is never written to it.
 */
static int uldf_cfg_write_command(struct uldf_device *udev, unsigned int off,
				  unsigned int len, u32 val, u32 hwmask)
{
	u16 clear = 0;
	unsigned int i;
	int ret;

	for (i = 0; i < len; i++) {
		unsigned int reg = off + i;
		u8 m = hwmask >> (8 * i), v = val >> (8 * i);
		u8 cur;

		if (!m)
			continue;
		if (reg >= PCI_STATUS) {
			clear |= (u16)(v & m) << (8 * (reg - PCI_STATUS));
			continue;
		}
		ret = pci_user_read_config_byte(udev->pdev, reg, &cur);
		if (ret)
			return -EIO;
		if (!((cur ^ v) & m))
			continue;
		ret = pci_user_write_config_byte(udev->pdev, reg,
						 (cur & ~m) | (v & m));
		if (ret)
			return -EIO;
	}
	if (clear && pci_user_write_config_word(udev->pdev, PCI_STATUS, clear))
		return -EIO;
	return 0;
}

/* Read one naturally aligned access of @len (1, 2, 4) bytes at @off. */
static int uldf_cfg_read_one(struct uldf_device *udev, unsigned int off,
			     unsigned int len, u32 *val)
{
	struct uldf_config *cfg = &udev->cfg;
	u32 virt = uldf_cfg_bits(cfg->virt, off, len);
	u32 hw = 0;
	int ret;

	if (virt != (len == 4 ? ~0U : (1U << (len * 8)) - 1)) {
		ret = uldf_hw_read(udev->pdev, off, len, &hw);
		if (ret)
			return ret;
	}
	*val = (hw & ~virt) | (uldf_cfg_bits(cfg->vconfig, off, len) & virt);
	return 0;
}

/* Write one naturally aligned access of @len (1, 2, 4) bytes at @off. */
static int uldf_cfg_write_one(struct uldf_device *udev, unsigned int off,
			      unsigned int len, u32 val)
{
	struct uldf_config *cfg = &udev->cfg;
	u32 virt = uldf_cfg_bits(cfg->virt, off, len);
	u32 write = uldf_cfg_bits(cfg->write, off, len);
	u32 hwmask, hw, vv, lanes, dwmask, shift;
	int ret;

	if ((off & ~3) >= PCI_BASE_ADDRESS_0 && (off & ~3) <= PCI_ROM_ADDRESS &&
	    ((off & ~3) <= PCI_BASE_ADDRESS_5 || (off & ~3) == PCI_ROM_ADDRESS)) {
		uldf_cfg_write_bar(cfg, off, len, val);
		return 0;
	}

	hwmask = write & ~virt;
	shift = (off & 3) * 8;
	lanes = (len == 4 ? ~0U : (1U << (len * 8)) - 1) << shift;
	dwmask = hwmask << shift;
	ret = uldf_cfg_trap(udev, off & ~3, lanes, val << shift, &dwmask);
	if (ret)
		return ret;
	hwmask = dwmask >> shift;

	vv = uldf_cfg_bits(cfg->vconfig, off, len);
	vv = (vv & ~(virt & write)) | (val & virt & write);
	uldf_cfg_store(cfg->vconfig, off, len, vv);

	if (!hwmask)
		return 0;
	if ((off & ~3) == PCI_COMMAND)
		return uldf_cfg_write_command(udev, off, len, val, hwmask);
	ret = uldf_hw_read(udev->pdev, off, len, &hw);
	if (ret)
		return ret;
	hw &= ~uldf_cfg_rw1c(udev, off, len);
	hw = (hw & ~hwmask) | (val & hwmask);
	return uldf_hw_write(udev->pdev, off, len, hw);
}

/* The accesses of one pread()/pwrite(), on a kernel copy @kbuf. */
static int uldf_config_access(struct uldf_device *udev, __le32 *kbuf,
			      size_t count, loff_t pos, bool write)
{
	size_t done;
	int ret = 0;

	for (done = 0; done < count && !ret; done += 4) {
		unsigned int len = min_t(size_t, count - done, 4);
		u32 val;

		if (write) {
			ret = uldf_cfg_write_one(udev, pos + done, len,
						 le32_to_cpu(kbuf[done / 4]));
		} else {
			ret = uldf_cfg_read_one(udev, pos + done, len, &val);
			kbuf[done / 4] = cpu_to_le32(val);
		}
	}
	return ret;
}

/**
 * uldf_config_rw() - pread()/pwrite() of config space.
 * @udev:	the device; no lock held.
 * @buf:	user buffer of @count bytes.
 * @count:	1, 2 or 4 at a naturally aligned @pos, or a multiple of 4
 *		at a 4-byte aligned @pos.
 * @pos:	offset in config space.
 * @write:	direction.
 *
 * Reads show the device's registers through the virtualisation described
 * at the top of this file; writes change only what the tables allow.  The
 * user's buffer is copied in before, and out after, the accesses, which
 * run under cfg.lock and memory_lock (held for write by a write).  A
 * multi-dword access that fails part way has made the accesses before the
 * failing dword.
 *
 * Return: @count; -EINVAL for an access beyond config space or misaligned;
 * -EFAULT for a bad buffer; -ENOMEM; -EIO if the device does not answer
 * or refuses a power state; -EAGAIN if a trapped FLR cannot take the
 * device lock; -ENODEV once the device is removed.
 */
ssize_t uldf_config_rw(struct uldf_device *udev, char __user *buf,
		       size_t count, loff_t pos, bool write)
{
	struct uldf_config *cfg = &udev->cfg;
	__le32 *kbuf;
	int ret;

	if (pos >= cfg->size || count > cfg->size - pos)
		return -EINVAL;
	if (count == 1 || count == 2 || count == 4) {
		if (!IS_ALIGNED(pos, count))
			return -EINVAL;
	} else if (!IS_ALIGNED(pos, 4) || !IS_ALIGNED(count, 4)) {
		return -EINVAL;
	}

	kbuf = kzalloc(ALIGN(count, 4), GFP_KERNEL);
	if (!kbuf)
		return -ENOMEM;
	if (write && copy_from_user(kbuf, buf, count)) {
		ret = -EFAULT;
		goto out_free;
	}

	mutex_lock(&cfg->lock);
	if (write)
		down_write(&udev->memory_lock);
	else
		down_read(&udev->memory_lock);
	ret = udev->removed ? -ENODEV :
	      uldf_config_access(udev, kbuf, count, pos, write);
	if (write)
		up_write(&udev->memory_lock);
	else
		up_read(&udev->memory_lock);
	mutex_unlock(&cfg->lock);

	if (!ret && !write && copy_to_user(buf, kbuf, count))
		ret = -EFAULT;
out_free:
	kfree(kbuf);
	return ret ? ret : count;
}
