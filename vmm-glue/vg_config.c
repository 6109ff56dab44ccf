// SPDX-License-Identifier: GPL-2.0
/*
 * vmm-glue config space and BARs: what the guest sees of the function.
 *
 * The first 256 bytes of config space are an overlay on the host's: per
 * bit, @vmask says whether the guest reads the virtual value in @vval or
 * the host's register (which the host's own config virtualization already
 * protects), and for a virtual bit @vwrite says whether the guest's writes
 * change it.  The overlay is filled once, at vg_dev_init(), from one read
 * of the host's header and capability list:
 *
 *   BARs	fully virtual.  The guest assigns them addresses in its own
 *		bus space; a write keeps only the bits under the BAR's size
 *		mask, so the sizing sequence (write all ones, read back)
 *		gives the true size.  The host's BARs never move.
 *   ROM	not offered (reads as 0, cannot be sized).
 *   command	Memory Space and I/O Space Enable are the guest's (the rest
 *		is the host's); they start as the host has them.  The host's decoding stays as the
 *		host set it, whatever the guest writes: a host that revokes
 *		its BAR mappings while decoding is off would otherwise make
 *		the guest's next access through them fatal, and the guest
 *		turns decoding off routinely (BAR sizing, around a reset).
 *   PM		the PowerState field of PMCSR is the guest's (D1 and D2 only
 *		if the capability offers them); the host function stays in
 *		D0.  No_Soft_Reset reads 1, which is what the guest gets: a
 *		D3hot to D0 transition of its own loses no state, and Linux
 *		does not try it as a reset method (FLR, which the host
 *		carries out, remains).
 *   header	the multi-function bit reads as 0: every function is alone
 *		in its slot on the guest's bus.
 *   line	the interrupt line register is the guest's.
 *   MSI	emulated (vg_irq.c), with the host's Multiple Message
 *		Capable, 64-bit and Per-Vector Masking bits; Enable,
 *		Multiple Message Enable (at most Capable), the message and
 *		the mask bits are the guest's; or hidden.
 *   MSI-X	Enable and Function Mask are emulated (vg_irq.c), the table
 *		size and the table/PBA locations are the host's; or hidden.
 *   hidden	a hidden capability is unlinked from the list (its
 *		predecessor's next pointer skips it) and reads as zeros.
 *
 * While the guest has a BAR's decoding off (its Memory or I/O Space
 * Enable clear, or a power state other than D0), the guest's accesses to
 * it read all ones and drop writes, as a function that does not decode
 * would answer, and reach neither the host mapping nor the host calls.
 * A reset the guest asks for (FLR in the PCIe device control register,
 * passed to the host, which resets the function and restores its own
 * state) leaves these virtual bits as the guest last wrote them: Linux
 * turns decoding off before the reset and restores its command register
 * after it.
 *
 * Writes are dispatched by the dword they fall in, since every field with
 * a side effect is dword aligned: BAR registers, the MSI capability, the
 * MSI-X control dword, the interrupt line dword and hidden capabilities
 * are handled here, and PMCSR's power state is checked against the
 * capability.  Every other write goes to the host, but for the bits under
 * @vmask: those under @vwrite change @vval, and the host is written with
 * its own current value in all of them (read first).  In the command and
 * status registers and PMCSR, whose writes do nothing but store bits and
 * clear write-one-to-clear ones, such a write that would leave the host's
 * registers as they are and clears nothing is not made: a guest turning
 * its decoding or power state off and on again never writes the host's
 * command register or PMCSR.
 * Extended config space (256 and up) is the host's, unchanged.
 *
 * BAR accesses with decoding on go to the emulated MSI-X table and PBA,
 * to the host mapping (plain loads and stores, no host call) where the
 * VMM has one, and to the host calls otherwise.
 */
#include "vg.h"

#define VG_CAP_TTL	48	/* capabilities that fit in 192 bytes */
#define VG_MSI_MMC_MAX	5	/* Multiple Message Capable: 32 vectors */

#define VG_DECODE	(PCI_COMMAND_MEMORY | PCI_COMMAND_IO)
#define VG_D0		0	/* PMCSR power states */
#define VG_D1		1
#define VG_D2		2
#define VG_D3HOT	3

/* Write-one-to-clear bits of the status register. */
#define VG_STATUS_W1C	(PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT | \
			 PCI_STATUS_REC_TARGET_ABORT | \
			 PCI_STATUS_REC_MASTER_ABORT | \
			 PCI_STATUS_SIG_SYSTEM_ERROR | \
			 PCI_STATUS_DETECTED_PARITY)

/* @len (1, 2 or 4) little-endian bytes of a config-space map at @off. */
static u32 vg_bytes_get(const u8 *a, unsigned int off, unsigned int len)
{
	switch (len) {
	case 1:
		return a[off];
	case 2:
		return get_unaligned_le16(a + off);
	default:
		return get_unaligned_le32(a + off);
	}
}

static void vg_bytes_put(u8 *a, unsigned int off, unsigned int len, u32 v)
{
	switch (len) {
	case 1:
		a[off] = v;
		break;
	case 2:
		put_unaligned_le16(v, a + off);
		break;
	default:
		put_unaligned_le32(v, a + off);
	}
}

static u32 vg_len_mask(unsigned int len)
{
	return len == 4 ? ~0U : (1U << (8 * len)) - 1;
}

/* Make [@off, @off + @len) (1 to 4 bytes) fully virtual with value @v. */
static void vg_virt(struct vg_dev *d, unsigned int off, unsigned int len,
		    u32 v)
{
	vg_bytes_put(d->vmask, off, len, vg_len_mask(len));
	vg_bytes_put(d->vval, off, len, v);
}

/* Make [@pos, @pos + @len) fully virtual, reading zeros. */
static void vg_virt_zero(struct vg_dev *d, unsigned int pos, unsigned int len)
{
	unsigned int i;

	for (i = pos; i < pos + len && i < 256; i++) {
		d->vmask[i] = 0xff;
		d->vval[i] = 0;
	}
}

/*
 * Make the bits @mask of [@off, @off + @len) virtual with their value from
 * @v, and writable by the guest if @writable.
 */
static void vg_virt_bits(struct vg_dev *d, unsigned int off, unsigned int len,
			 u32 mask, u32 v, bool writable)
{
	u32 vv = vg_bytes_get(d->vval, off, len);
	u32 vw = vg_bytes_get(d->vwrite, off, len);
	u32 vm = vg_bytes_get(d->vmask, off, len);

	vg_bytes_put(d->vmask, off, len, vm | mask);
	vg_bytes_put(d->vval, off, len, (vv & ~mask) | (v & mask));
	vg_bytes_put(d->vwrite, off, len, writable ? vw | mask : vw & ~mask);
}

/* Recompute @decode from the guest's command register and power state. */
static void vg_update_decode(struct vg_dev *d)
{
	u8 on = d->vval[PCI_COMMAND] & VG_DECODE;

	if (d->pm.cap &&
	    (d->vval[d->pm.cap + PCI_PM_CTRL] & PCI_PM_CTRL_STATE_MASK) != VG_D0)
		on = 0;
	WRITE_ONCE(d->decode, on);
}

static bool vg_is_bar_reg(unsigned int base)
{
	return (base >= PCI_BASE_ADDRESS_0 && base <= PCI_BASE_ADDRESS_5) ||
	       base == PCI_ROM_ADDRESS;
}

static unsigned int vg_bar_index(unsigned int base)
{
	return base == PCI_ROM_ADDRESS ? VG_ROM :
	       (base - PCI_BASE_ADDRESS_0) / 4;
}

static unsigned int vg_bar_reg(unsigned int bar)
{
	return bar == VG_ROM ? PCI_ROM_ADDRESS : PCI_BASE_ADDRESS_0 + 4 * bar;
}

/* The BAR registers' low type bits and size masks; addresses start at 0. */
static void vg_init_bars(struct vg_dev *d)
{
	unsigned int i;

	for (i = 0; i < VG_NUM_BARS; i++) {
		const struct vg_bar_desc *b = &d->bar[i];
		u64 mask = ~(b->size - 1);
		u32 type = 0;

		if (!b->size) {
			vg_virt(d, vg_bar_reg(i), 4, 0);
			continue;
		}
		if (b->flags & VG_BAR_IO) {
			type = PCI_BASE_ADDRESS_SPACE_IO;
			d->bar_mask[i] = (u32)mask & PCI_BASE_ADDRESS_IO_MASK;
		} else {
			if (b->flags & VG_BAR_MEM64)
				type |= PCI_BASE_ADDRESS_MEM_TYPE_64;
			if (b->flags & VG_BAR_PREFETCH)
				type |= PCI_BASE_ADDRESS_MEM_PREFETCH;
			d->bar_mask[i] = (u32)mask & PCI_BASE_ADDRESS_MEM_MASK;
		}
		vg_virt(d, vg_bar_reg(i), 4, type);
		if ((b->flags & VG_BAR_MEM64) && i + 1 < VG_NUM_BARS) {
			d->bar_mask[i + 1] = mask >> 32;
			vg_virt(d, vg_bar_reg(i + 1), 4, 0);
			i++;
		}
	}
	vg_virt(d, PCI_ROM_ADDRESS, 4, 0);
}

static unsigned int vg_msi_cap_len(u16 flags)
{
	unsigned int len = flags & PCI_MSI_FLAGS_64BIT ? 14 : 10;

	if (flags & PCI_MSI_FLAGS_MASKBIT)
		len += 10;	/* mask and pending, from a dword boundary */
	return len;
}

/* Hide [@pos, @pos + @len): zeros, writes dropped. */
static void vg_hide(struct vg_dev *d, unsigned int pos, unsigned int len)
{
	vg_virt_zero(d, pos, len);
	memset(d->hidden + pos, 1, min(len, 256 - pos));
}

/* The power state and No_Soft_Reset (see the top of this file). */
static void vg_init_pm(struct vg_dev *d, const u8 *hcfg, unsigned int pos)
{
	u16 pmc = vg_bytes_get(hcfg, pos + PCI_PM_PMC, 2);
	u16 pmcsr = vg_bytes_get(hcfg, pos + PCI_PM_CTRL, 2);

	d->pm.cap = pos;
	d->pm.states = BIT(VG_D0) | BIT(VG_D3HOT);
	if (pmc & PCI_PM_CAP_D1)
		d->pm.states |= BIT(VG_D1);
	if (pmc & PCI_PM_CAP_D2)
		d->pm.states |= BIT(VG_D2);
	vg_virt_bits(d, pos + PCI_PM_CTRL, 2, PCI_PM_CTRL_STATE_MASK, pmcsr,
		     true);
	vg_virt_bits(d, pos + PCI_PM_CTRL, 2, PCI_PM_CTRL_NO_SOFT_RESET,
		     PCI_PM_CTRL_NO_SOFT_RESET, false);
}

/* Decide for one capability; return whether the guest keeps seeing it. */
static bool vg_init_cap(struct vg_dev *d, const u8 *hcfg, unsigned int pos)
{
	u16 flags = vg_bytes_get(hcfg, pos + PCI_CAP_FLAGS, 2);
	unsigned int len, mmc;
	u32 table, pba;

	switch (hcfg[pos + PCI_CAP_LIST_ID]) {
	case PCI_CAP_ID_PM:
		if (pos + PCI_PM_SIZEOF <= 256)	/* else left to the host */
			vg_init_pm(d, hcfg, pos);
		return true;
	case PCI_CAP_ID_MSI:
		len = vg_msi_cap_len(flags);
		if (d->flags & VG_HIDE_MSI) {
			vg_hide(d, pos, len);
			return false;
		}
		d->msi.cap = pos;
		d->msi.len = len;
		d->msi.is64 = flags & PCI_MSI_FLAGS_64BIT;
		d->msi.pvm = flags & PCI_MSI_FLAGS_MASKBIT;
		mmc = (flags & PCI_MSI_FLAGS_QMASK) >> 1;
		if (mmc > VG_MSI_MMC_MAX)	/* reserved encodings */
			mmc = VG_MSI_MMC_MAX;
		d->msi.nvec = 1U << mmc;
		/* The host's vectors, disabled, one allocated, all unmasked. */
		vg_virt_zero(d, pos, len);
		vg_bytes_put(d->vval, pos, 2, vg_bytes_get(hcfg, pos, 2));
		vg_bytes_put(d->vval, pos + PCI_MSI_FLAGS, 2,
			     (flags & (PCI_MSI_FLAGS_64BIT |
				       PCI_MSI_FLAGS_MASKBIT)) | mmc << 1);
		return true;
	case PCI_CAP_ID_MSIX:
		if (d->flags & VG_HIDE_MSIX) {
			vg_hide(d, pos, PCI_CAP_MSIX_SIZEOF);
			return false;
		}
		table = vg_bytes_get(hcfg, pos + PCI_MSIX_TABLE, 4);
		pba = vg_bytes_get(hcfg, pos + PCI_MSIX_PBA, 4);
		d->msix.cap = pos;
		d->msix.nvec = (flags & PCI_MSIX_FLAGS_QSIZE) + 1;
		d->msix.table_bar = table & PCI_MSIX_TABLE_BIR;
		d->msix.table_off = table & PCI_MSIX_TABLE_OFFSET;
		d->msix.pba_bar = pba & PCI_MSIX_PBA_BIR;
		d->msix.pba_off = pba & PCI_MSIX_PBA_OFFSET;
		vg_bytes_put(d->vmask, pos + PCI_MSIX_FLAGS, 2,
			     PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
		vg_bytes_put(d->vval, pos + PCI_MSIX_FLAGS, 2, 0);
		return true;
	default:
		return true;
	}
}

/*
 * Walk the host's capability list, emulate or hide MSI and MSI-X, and
 * relink the list around hidden capabilities.
 */
static void vg_init_caps(struct vg_dev *d, const u8 *hcfg)
{
	unsigned int link = PCI_CAPABILITY_LIST;	/* byte to patch */
	unsigned int pos = hcfg[PCI_CAPABILITY_LIST];
	unsigned int ttl = VG_CAP_TTL;
	bool any = false;

	if (!(vg_bytes_get(hcfg, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
		return;
	while (pos >= PCI_STD_HEADER_SIZEOF && pos < 256 && ttl--) {
		pos &= ~3U;
		if (vg_init_cap(d, hcfg, pos)) {
			vg_virt(d, link, 1, pos);
			link = pos + PCI_CAP_LIST_NEXT;
			any = true;
		}
		pos = hcfg[pos + PCI_CAP_LIST_NEXT];
	}
	vg_virt(d, link, 1, 0);
	if (!any) {
		d->vmask[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
		d->vval[PCI_STATUS] &= ~PCI_STATUS_CAP_LIST;
	}
}

/**
 * vg_dev_init() - build the guest's view of a host function.
 * @d:		the device, zeroed or not; overwritten.
 * @ops:	host calls.
 * @host:	their context.
 * @desc:	BARs, config size, options.
 *
 * Reads the host's config header and capability list through @ops.  May
 * sleep (allocates the MSI-X table).  No interrupt is opened: see
 * vg_irq_open().
 *
 * Return: 0; -EINVAL for a config size other than 256 or 4096, a BAR size
 * that is not a power of two, or a bad DMA granule; -ENOMEM; or the error
 * of a host read.  Nothing needs undoing on failure.
 */
int vg_dev_init(struct vg_dev *d, const struct vg_ops *ops, void *host,
		const struct vg_dev_desc *desc)
{
	u8 hcfg[256];
	unsigned int off, i;
	u32 v;
	int ret;

	if (desc->cfg_size != 256 && desc->cfg_size != 4096)
		return -EINVAL;
	for (i = 0; i < VG_NUM_BARS; i++)
		if (desc->bar[i].size & (desc->bar[i].size - 1))
			return -EINVAL;

	memset(d, 0, sizeof(*d));
	d->ops = ops;
	d->host = host;
	d->flags = desc->flags;
	d->cfg_size = desc->cfg_size;
	d->mode = -1;
	memcpy(d->bar, desc->bar, sizeof(d->bar));
	d->bar[VG_ROM].size = 0;	/* see the top of this file */

	for (off = 0; off < sizeof(hcfg); off += 4) {
		v = 0;
		ret = ops->rw(host, VG_CFG, off, &v, 4, false);
		if (ret)
			return ret;
		vg_bytes_put(hcfg, off, 4, v);
	}

	vg_init_bars(d);
	vg_virt_bits(d, PCI_COMMAND, 2, VG_DECODE,
		     vg_bytes_get(hcfg, PCI_COMMAND, 2), true);
	d->vmask[PCI_HEADER_TYPE] = 0x80;	/* multi-function bit */
	vg_virt(d, PCI_INTERRUPT_LINE, 1, 0);
	d->intx.pin = hcfg[PCI_INTERRUPT_PIN];
	vg_init_caps(d, hcfg);
	vg_update_decode(d);

	ret = vg_irq_init(d);
	if (ret)
		return ret;
	ret = vg_dma_init(d, desc);
	if (ret)
		vg_irq_exit(d);
	return ret;
}

/**
 * vg_dev_exit() - close host interrupts, unmap DMA, free.
 * @d:	the device.  May sleep.
 */
void vg_dev_exit(struct vg_dev *d)
{
	vg_irq_exit(d);
	vg_dma_remove_all(d);
}

static bool vg_access_ok(const struct vg_dev *d, unsigned int off,
			 unsigned int len)
{
	if (len != 1 && len != 2 && len != 4)
		return false;
	return !(off & (len - 1)) && off < d->cfg_size &&
	       len <= d->cfg_size - off;
}

/* A host config-space read of @len bytes (little-endian, as @val). */
static int vg_host_cfg_read(struct vg_dev *d, unsigned int off,
			    unsigned int len, u32 *val)
{
	*val = 0;
	return d->ops->rw(d->host, VG_CFG, off, val, len, false);
}

/**
 * vg_cfg_read() - a guest config-space read.
 * @d:		the device.
 * @off:	offset, naturally aligned for @len.
 * @len:	1, 2 or 4.
 * @val:	out: the value.
 *
 * Return: 0; -EINVAL for a bad size, alignment or offset; or the host
 * read's error.
 */
int vg_cfg_read(struct vg_dev *d, unsigned int off, unsigned int len,
		u32 *val)
{
	u32 vm, hw = 0;
	int ret;

	if (!vg_access_ok(d, off, len))
		return -EINVAL;
	if (off >= 256)
		return vg_host_cfg_read(d, off, len, val);

	vm = vg_bytes_get(d->vmask, off, len);
	if (vm != vg_len_mask(len)) {
		ret = vg_host_cfg_read(d, off, len, &hw);
		if (ret)
			return ret;
	}
	*val = (hw & ~vm) | (vg_bytes_get(d->vval, off, len) & vm);
	return 0;
}

/* Merge a write of @len bytes at @off into the dword @old at @base. */
static u32 vg_merge(u32 old, unsigned int base, unsigned int off,
		    unsigned int len, u32 val)
{
	unsigned int shift = 8 * (off - base);
	u32 lanes = vg_len_mask(len) << shift;

	return (old & ~lanes) | ((val << shift) & lanes);
}

static void vg_bar_reg_write(struct vg_dev *d, unsigned int base,
			     unsigned int off, unsigned int len, u32 val)
{
	unsigned int bar = vg_bar_index(base);
	u32 old = vg_bytes_get(d->vval, base, 4);
	u32 v = vg_merge(old, base, off, len, val);
	u32 mask = d->bar_mask[bar];

	/* Address bits under the size mask; the type bits stay. */
	v = (v & mask) | (old & ~mask);
	if (!mask)
		v = 0;
	vg_bytes_put(d->vval, base, 4, v);
}

static void vg_msix_cap_write(struct vg_dev *d, unsigned int base,
			      unsigned int off, unsigned int len, u32 val)
{
	u32 dw = vg_merge(vg_bytes_get(d->vval, base, 4), base, off, len, val);
	u16 ctrl = (dw >> 16) & (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);

	if (off + len <= base + PCI_MSIX_FLAGS)
		return;		/* ID and next pointer only */
	vg_bytes_put(d->vval, base + PCI_MSIX_FLAGS, 2, ctrl);
	vg_msix_ctrl_write(d, ctrl);
}

/*
 * Whether the dword at @base holds registers whose writes do nothing but
 * store the written bits, apart from @w1c (out), the write-one-to-clear
 * ones: the command and status registers, PMCSR and the two read-only
 * bytes after it.
 */
static bool vg_plain_dword(const struct vg_dev *d, unsigned int base,
			   u32 *w1c)
{
	if (base == PCI_COMMAND) {
		*w1c = (u32)VG_STATUS_W1C << 16;
		return true;
	}
	if (d->pm.cap && base == d->pm.cap + PCI_PM_CTRL) {
		*w1c = PCI_PM_CTRL_PME_STATUS;
		return true;
	}
	return false;
}

/*
 * A write that goes to the host, with the guest's bits under @vmask taken
 * out of it (see the top of this file).
 */
static int vg_host_cfg_write(struct vg_dev *d, unsigned int off,
			     unsigned int len, u32 val)
{
	u32 vm = vg_bytes_get(d->vmask, off, len);
	u32 vw = vg_bytes_get(d->vwrite, off, len) & vm;
	u32 hw, w1c;
	int ret;

	if (vm) {
		vg_bytes_put(d->vval, off, len,
			     (vg_bytes_get(d->vval, off, len) & ~vw) |
			     (val & vw));
		vg_update_decode(d);
		ret = vg_host_cfg_read(d, off, len, &hw);
		if (ret)
			return ret;
		val = (val & ~vm) | (hw & vm);
		if (val == hw && vg_plain_dword(d, off & ~3U, &w1c) &&
		    !(val & (w1c >> (8 * (off & 3)))))
			return 0;
	}
	return d->ops->rw(d->host, VG_CFG, off, &val, len, true);
}

/* PMCSR: a power state the function does not offer is not entered. */
static int vg_pmcsr_write(struct vg_dev *d, unsigned int off,
			  unsigned int len, u32 val)
{
	unsigned int ctrl = d->pm.cap + PCI_PM_CTRL;

	if (off == ctrl &&
	    !(d->pm.states & BIT(val & PCI_PM_CTRL_STATE_MASK)))
		val = (val & ~PCI_PM_CTRL_STATE_MASK) |
		      (d->vval[ctrl] & PCI_PM_CTRL_STATE_MASK);
	return vg_host_cfg_write(d, off, len, val);
}

/**
 * vg_cfg_write() - a guest config-space write.
 * @d:		the device.
 * @off:	offset, naturally aligned for @len.
 * @len:	1, 2 or 4.
 * @val:	the value.
 *
 * Return: 0; -EINVAL for a bad size, alignment or offset; or the error
 * of the host read or write it needed.
 */
int vg_cfg_write(struct vg_dev *d, unsigned int off, unsigned int len,
		 u32 val)
{
	unsigned int base = off & ~3U;

	if (!vg_access_ok(d, off, len))
		return -EINVAL;
	if (off >= 256)
		return d->ops->rw(d->host, VG_CFG, off, &val, len, true);

	if (vg_is_bar_reg(base)) {
		vg_bar_reg_write(d, base, off, len, val);
	} else if (d->hidden[off]) {
		/* dropped */
	} else if (d->msi.cap && off >= d->msi.cap &&
		   off < d->msi.cap + d->msi.len) {
		vg_msi_cfg_write(d, off, len, val);
	} else if (d->msix.cap && base == d->msix.cap) {
		vg_msix_cap_write(d, base, off, len, val);
	} else if (base == PCI_INTERRUPT_LINE) {
		if (off == PCI_INTERRUPT_LINE)
			d->vval[PCI_INTERRUPT_LINE] = val;
	} else if (d->pm.cap && base == d->pm.cap + PCI_PM_CTRL) {
		return vg_pmcsr_write(d, off, len, val);
	} else {
		return vg_host_cfg_write(d, off, len, val);
	}
	return 0;
}

/**
 * vg_bar_addr() - where the guest put a BAR.
 * @d:		the device.
 * @bar:	0 to 5.
 *
 * Return: the guest bus address the guest programmed (0 until it does),
 * or 0 for an unimplemented BAR.
 */
u64 vg_bar_addr(const struct vg_dev *d, unsigned int bar)
{
	u32 lo;
	u64 addr;

	if (bar >= VG_NUM_BARS || !d->bar[bar].size)
		return 0;
	lo = vg_bytes_get(d->vval, vg_bar_reg(bar), 4);
	if (d->bar[bar].flags & VG_BAR_IO)
		return lo & PCI_BASE_ADDRESS_IO_MASK;
	addr = lo & PCI_BASE_ADDRESS_MEM_MASK;
	if ((d->bar[bar].flags & VG_BAR_MEM64) && bar + 1 < VG_NUM_BARS)
		addr |= (u64)vg_bytes_get(d->vval, vg_bar_reg(bar + 1), 4) << 32;
	return addr;
}

/**
 * vg_bar_emulated() - whether a BAR access hits emulated registers.
 * @d:		the device.
 * @bar:	0 to 5.
 * @off:	offset in the BAR.
 * @len:	bytes.
 *
 * Return: true if [@off, @off + @len) touches the MSI-X table or PBA, whose
 * accesses must be serialised with the other vmm-glue calls.
 */
bool vg_bar_emulated(const struct vg_dev *d, unsigned int bar, u64 off,
		     unsigned int len)
{
	return vg_msix_in_table(d, bar, off, len);
}

static u8 *vg_direct(const struct vg_dev *d, unsigned int bar, u64 off,
		     unsigned int len)
{
	const struct vg_bar_desc *b = &d->bar[bar];
	unsigned int i;

	if (!b->map)
		return NULL;
	for (i = 0; i < b->nr_direct; i++) {
		const struct vg_range *r = &b->direct[i];

		if (off >= r->start && off - r->start + len <= r->size)
			return b->map + off;
	}
	return NULL;
}

/* Whether the guest has @bar's decoding on (see the top of this file). */
static bool vg_bar_decodes(const struct vg_dev *d, unsigned int bar)
{
	u8 on = d->bar[bar].flags & VG_BAR_IO ? PCI_COMMAND_IO :
						 PCI_COMMAND_MEMORY;

	return READ_ONCE(d->decode) & on;
}

static bool vg_bar_access_ok(const struct vg_dev *d, unsigned int bar,
			     u64 off, unsigned int len)
{
	if (bar >= VG_NUM_BARS || !d->bar[bar].size)
		return false;
	if (len != 1 && len != 2 && len != 4 && len != 8)
		return false;
	return !(off & (len - 1)) && off < d->bar[bar].size &&
	       len <= d->bar[bar].size - off;
}

/**
 * vg_bar_read() - a guest read of a BAR.
 * @d:		the device.
 * @bar:	0 to 5.
 * @off:	offset in the BAR, naturally aligned for @len.
 * @len:	1, 2, 4 or 8.
 * @val:	out: the value.
 *
 * Reads all ones, without reaching the host, while the guest has the
 * BAR's decoding off.  See vg_bar_emulated() for the locking.
 *
 * Return: 0; -EINVAL for an unimplemented BAR or a bad size, alignment or
 * offset; or the host read's error.
 */
int vg_bar_read(struct vg_dev *d, unsigned int bar, u64 off,
		unsigned int len, u64 *val)
{
	u8 *p;

	if (!vg_bar_access_ok(d, bar, off, len))
		return -EINVAL;
	if (!vg_bar_decodes(d, bar)) {
		*val = ~0ULL >> (64 - 8 * len);
		return 0;
	}
	if (vg_msix_in_table(d, bar, off, len)) {
		*val = vg_msix_read(d, bar, off, len);
		return 0;
	}
	p = vg_direct(d, bar, off, len);
	if (!p) {
		*val = 0;
		return d->ops->rw(d->host, bar, off, val, len, false);
	}
	switch (len) {
	case 1:
		*val = READ_ONCE(*p);
		break;
	case 2:
		*val = READ_ONCE(*(u16 *)p);
		break;
	case 4:
		*val = READ_ONCE(*(u32 *)p);
		break;
	default:
		*val = READ_ONCE(*(u64 *)p);
	}
	return 0;
}

/**
 * vg_bar_write() - a guest write to a BAR.
 * @d:		the device.
 * @bar:	0 to 5.
 * @off:	offset in the BAR, naturally aligned for @len.
 * @len:	1, 2, 4 or 8.
 * @val:	the value.
 *
 * Dropped, without reaching the host, while the guest has the BAR's
 * decoding off.  See vg_bar_emulated() for the locking.
 *
 * Return: 0; -EINVAL as for vg_bar_read(); or the host write's error.
 */
int vg_bar_write(struct vg_dev *d, unsigned int bar, u64 off,
		 unsigned int len, u64 val)
{
	u8 *p;

	if (!vg_bar_access_ok(d, bar, off, len))
		return -EINVAL;
	if (!vg_bar_decodes(d, bar))
		return 0;
	if (vg_msix_in_table(d, bar, off, len)) {
		vg_msix_write(d, bar, off, len, val);
		return 0;
	}
	p = vg_direct(d, bar, off, len);
	if (!p)
		return d->ops->rw(d->host, bar, off, &val, len, true);
	switch (len) {
	case 1:
		WRITE_ONCE(*p, val);
		break;
	case 2:
		WRITE_ONCE(*(u16 *)p, val);
		break;
	case 4:
		WRITE_ONCE(*(u32 *)p, val);
		break;
	default:
		WRITE_ONCE(*(u64 *)p, val);
	}
	return 0;
}
