// SPDX-License-Identifier: GPL-2.0
/*
 * vmm-glue interrupts: the guest programs MSI, MSI-X and INTx as on real
 * hardware, and that drives the host's vectors.
 *
 * The host offers one mechanism at a time (INTx, MSI or MSI-X) and a file
 * per vector; vmm-glue tracks which is open (@mode) and each vector's state
 * (VG_VEC_*).  Host vectors are opened by vg_irq_open(), which may sleep:
 * the VMM calls it when the guest is about to use a mechanism (the UML
 * guest does so from its MSI domain's prepare step and at device set-up
 * for INTx), or vmm-glue calls it itself from the guest's enable bit when
 * the VMM asks for VG_AUTO_IRQ.  INTx is the default mechanism: when the
 * guest has asked for it, it is reopened whenever MSI and MSI-X close.
 *
 * MSI and MSI-X are edge-triggered.  A vector is delivered when the host
 * reports it (vg_irq_fire()) unless the guest masks it: MSI or MSI-X
 * disabled, the MSI-X Function Mask, or the vector's mask bit.  Masks are
 * mirrored on the host vector, so a masked vector normally stays quiet at
 * the source; one that fires anyway (it was in flight) is remembered in
 * the pending bit (readable in the PBA or the MSI pending register) and
 * replayed through the host when the guest unmasks it.  The message used
 * for delivery is the one the guest wrote, read at delivery time.
 *
 * Multiple MSI vectors: the guest sees the function's Multiple Message
 * Capable and writes Multiple Message Enable, which is kept at most that
 * (a larger value reads back as the capable one).  Guest vector i is host
 * vector i; it is delivered with the guest's one message whose data has
 * its low-order bits, as many as Multiple Message Enable allocates,
 * replaced by i, as a function does (PCI Local Bus 3.0, 6.8.3.4).  Each
 * vector has its own mask and pending bit where the capability has
 * Per-Vector Masking.  A host vector beyond the guest's allocation counts
 * as masked (the host keeps it quiet) and one that fires is dropped: the
 * guest has no message for it.
 *
 * INTx is level-triggered; the EOI loop is:
 *	host interrupt: the host masks the line; vg_irq_fire() notes it and
 *	the VMM asserts the guest's line;
 *	guest EOI (vg_intx_eoi()): the host line is unmasked, and the host
 *	fires again at once if the device still asserts it.
 * A guest mask (vg_intx_mask()) keeps the host line masked across EOIs
 * until the guest unmasks, which then performs the deferred EOI.
 */
#include "vg.h"

static bool vg_msi_enabled(const struct vg_dev *d)
{
	return d->vval[d->msi.cap + PCI_MSI_FLAGS] & PCI_MSI_FLAGS_ENABLE;
}

/* Vectors the guest allocated (Multiple Message Enable). */
static unsigned int vg_msi_allocated(const struct vg_dev *d)
{
	u8 flags = d->vval[d->msi.cap + PCI_MSI_FLAGS];

	return 1U << ((flags & PCI_MSI_FLAGS_QSIZE) >> 4);
}

static unsigned int vg_msi_mask_reg(const struct vg_dev *d)
{
	return d->msi.cap + (d->msi.is64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32);
}

static unsigned int vg_msi_pending_reg(const struct vg_dev *d)
{
	return d->msi.cap + (d->msi.is64 ? PCI_MSI_PENDING_64 :
				 PCI_MSI_PENDING_32);
}

static u32 vg_cfg_dword(const struct vg_dev *d, unsigned int off)
{
	return get_unaligned_le32(d->vval + off);
}

static u8 *vg_vec(struct vg_dev *d, int type, unsigned int index)
{
	return type == VG_IRQ_MSI ? &d->msi.vec[index] : &d->msix.vec[index];
}

static bool vg_msi_masked(const struct vg_dev *d, unsigned int index)
{
	if (!vg_msi_enabled(d) || index >= vg_msi_allocated(d))
		return true;
	return d->msi.pvm &&
	       (vg_cfg_dword(d, vg_msi_mask_reg(d)) & BIT(index));
}

static bool vg_vec_masked(const struct vg_dev *d, int type,
			  unsigned int index)
{
	if (type == VG_IRQ_MSI)
		return vg_msi_masked(d, index);
	return !d->msix.enabled || d->msix.fmask ||
	       (d->msix.table[index].ctrl & PCI_MSIX_ENTRY_CTRL_MASKBIT);
}

static void vg_set_pending(struct vg_dev *d, int type, unsigned int index,
			   bool pending)
{
	u8 *v = vg_vec(d, type, index);
	u8 *p;

	if (pending)
		*v |= VG_VEC_PENDING;
	else
		*v &= ~VG_VEC_PENDING;
	if (type != VG_IRQ_MSI || !d->msi.pvm)
		return;
	p = &d->vval[vg_msi_pending_reg(d) + index / 8];
	if (pending)
		*p |= BIT(index % 8);
	else
		*p &= ~BIT(index % 8);
}

/*
 * Bring a host vector's mask in line with the guest's, and replay an
 * interrupt that was held back while the guest masked it.
 */
static void vg_vec_sync(struct vg_dev *d, int type, unsigned int index)
{
	u8 *v = vg_vec(d, type, index);
	bool masked = vg_vec_masked(d, type, index);

	if (!(*v & VG_VEC_OPEN))
		return;
	if (masked != !!(*v & VG_VEC_HOST_MASKED) &&
	    !d->ops->irq_mask(d->host, type, index, masked))
		*v ^= VG_VEC_HOST_MASKED;
	if (!masked && (*v & VG_VEC_PENDING)) {
		vg_set_pending(d, type, index, false);
		if (d->ops->irq_trigger)
			d->ops->irq_trigger(d->host, type, index);
	}
}

static int vg_intx_open(struct vg_dev *d)
{
	int ret;

	if (d->mode != -1)
		return 0;	/* INTx already, or deferred behind MSI/MSI-X */
	ret = d->ops->irq_open(d->host, VG_IRQ_INTX, 0, 1);
	if (ret)
		return ret;
	d->mode = VG_IRQ_INTX;
	d->intx.open = true;
	d->intx.host_masked = false;
	if (d->intx.guest_masked &&
	    !d->ops->irq_mask(d->host, VG_IRQ_INTX, 0, true))
		d->intx.host_masked = true;
	return 0;
}

static void vg_intx_close(struct vg_dev *d)
{
	d->ops->irq_close(d->host, VG_IRQ_INTX);
	d->intx.open = false;
	d->intx.host_masked = false;
	d->mode = -1;
}

static unsigned int vg_num_vectors(const struct vg_dev *d, int type)
{
	if (type == VG_IRQ_MSI)
		return d->msi.cap ? d->msi.nvec : 0;
	return d->msix.cap ? d->msix.nvec : 0;
}

/**
 * vg_irq_open() - enable host vectors for the guest.
 * @d:		the device.
 * @type:	VG_IRQ_INTX, VG_IRQ_MSI or VG_IRQ_MSIX.
 * @first:	first vector (0 for INTx).
 * @count:	vectors (1 for INTx; for MSI up to the function's Multiple
 *		Message Capable, whatever the guest's Multiple Message Enable
 *		says now).
 *
 * Opening MSI or MSI-X closes INTx on the host first (the host offers one
 * mechanism at a time); INTx comes back when they are closed.  Opening
 * INTx while MSI or MSI-X is open only records that the guest wants it.
 * The new host vectors are masked at once where the guest masks them.
 * May sleep.
 *
 * Return: 0; -EINVAL for an unknown @type; -ENODEV if the guest does not
 * see that mechanism (no interrupt pin, capability absent or hidden);
 * -ERANGE for vectors beyond it; -EBUSY if the other of MSI and MSI-X is
 * open or a vector is already open; or the host's error.
 */
int vg_irq_open(struct vg_dev *d, int type, unsigned int first,
		unsigned int count)
{
	unsigned int n, i;
	int ret;

	if (type == VG_IRQ_INTX) {
		if (!d->intx.pin)
			return -ENODEV;
		if (first || count != 1)
			return -ERANGE;
		d->intx.wanted = true;
		return vg_intx_open(d);
	}
	if (type != VG_IRQ_MSI && type != VG_IRQ_MSIX)
		return -EINVAL;
	n = vg_num_vectors(d, type);
	if (!n)
		return -ENODEV;
	if (!count || first >= n || count > n - first)
		return -ERANGE;
	if (d->mode != -1 && d->mode != VG_IRQ_INTX && d->mode != type)
		return -EBUSY;
	for (i = first; i < first + count; i++)
		if (*vg_vec(d, type, i) & VG_VEC_OPEN)
			return -EBUSY;

	if (d->mode == VG_IRQ_INTX)
		vg_intx_close(d);
	ret = d->ops->irq_open(d->host, type, first, count);
	if (ret) {
		if (d->mode == -1 && d->intx.wanted)
			vg_intx_open(d);
		return ret;
	}
	d->mode = type;
	for (i = first; i < first + count; i++) {
		*vg_vec(d, type, i) = VG_VEC_OPEN;
		vg_vec_sync(d, type, i);
	}
	return 0;
}

/**
 * vg_irq_close() - disable every host vector of one mechanism.
 * @d:		the device.
 * @type:	VG_IRQ_INTX, VG_IRQ_MSI or VG_IRQ_MSIX.
 *
 * Closing INTx also forgets that the guest wants it.  Closing MSI or
 * MSI-X reopens INTx if the guest wants it.  May sleep.
 */
void vg_irq_close(struct vg_dev *d, int type)
{
	unsigned int i, n;

	if (type == VG_IRQ_INTX) {
		d->intx.wanted = false;
		if (d->intx.open)
			vg_intx_close(d);
		return;
	}
	if (d->mode != type || (type != VG_IRQ_MSI && type != VG_IRQ_MSIX))
		return;
	d->ops->irq_close(d->host, type);
	n = vg_num_vectors(d, type);
	for (i = 0; i < n; i++) {
		vg_set_pending(d, type, i, false);
		*vg_vec(d, type, i) = 0;
	}
	d->mode = -1;
	if (d->intx.wanted)
		vg_intx_open(d);
}

/* Vector @index's message: the guest's, @index in the data's low bits. */
static void vg_msi_msg(const struct vg_dev *d, unsigned int index,
		       struct vg_msg *msg)
{
	unsigned int cap = d->msi.cap;
	u32 low = vg_msi_allocated(d) - 1;

	msg->addr = vg_cfg_dword(d, cap + PCI_MSI_ADDRESS_LO);
	if (d->msi.is64) {
		msg->addr |= (u64)vg_cfg_dword(d, cap + PCI_MSI_ADDRESS_HI) << 32;
		msg->data = vg_cfg_dword(d, cap + PCI_MSI_DATA_64) & 0xffff;
	} else {
		msg->data = vg_cfg_dword(d, cap + PCI_MSI_DATA_32) & 0xffff;
	}
	msg->data = (msg->data & ~low) | index;
}

/**
 * vg_irq_fire() - the host reports an interrupt on a vector.
 * @d:		the device.
 * @type:	VG_IRQ_*.
 * @index:	vector.
 * @msg:	out, for MSI and MSI-X: the message the guest programmed
 *		(for MSI, with @index in the low bits of the data).
 *
 * For INTx the host has masked the line; it stays masked until the
 * guest's EOI.
 *
 * Return: true if the VMM must deliver the interrupt to the guest now
 * (for INTx: assert the guest's line); false if it is not open, is an MSI
 * vector beyond those the guest allocated, or is held pending because the
 * guest masks it.
 */
bool vg_irq_fire(struct vg_dev *d, int type, unsigned int index,
		 struct vg_msg *msg)
{
	const struct vg_msix_entry *e;

	if (type == VG_IRQ_INTX) {
		if (!d->intx.open || index)
			return false;
		d->intx.host_masked = true;
		return true;
	}
	if ((type != VG_IRQ_MSI && type != VG_IRQ_MSIX) ||
	    index >= vg_num_vectors(d, type) ||
	    !(*vg_vec(d, type, index) & VG_VEC_OPEN))
		return false;
	if (type == VG_IRQ_MSI && index >= vg_msi_allocated(d))
		return false;
	if (vg_vec_masked(d, type, index)) {
		vg_set_pending(d, type, index, true);
		return false;
	}
	if (type == VG_IRQ_MSI) {
		vg_msi_msg(d, index, msg);
		return true;
	}
	e = &d->msix.table[index];
	msg->addr = (u64)e->addr_hi << 32 | e->addr_lo;
	msg->data = e->data;
	return true;
}

/**
 * vg_intx_eoi() - the guest's end of interrupt for INTx.
 * @d:	the device.
 *
 * Unmasks the host line unless the guest masks INTx (then its unmask
 * will); a line still asserted fires again on the host.
 */
void vg_intx_eoi(struct vg_dev *d)
{
	if (!d->intx.open || d->intx.guest_masked || !d->intx.host_masked)
		return;
	if (!d->ops->irq_mask(d->host, VG_IRQ_INTX, 0, false))
		d->intx.host_masked = false;
}

/**
 * vg_intx_mask() - the guest's interrupt controller masks or unmasks INTx.
 * @d:		the device.
 * @mask:	true to mask.
 *
 * Unmasking also performs an EOI that was deferred while masked.
 */
void vg_intx_mask(struct vg_dev *d, bool mask)
{
	d->intx.guest_masked = mask;
	if (!d->intx.open || mask == d->intx.host_masked)
		return;
	if (!d->ops->irq_mask(d->host, VG_IRQ_INTX, 0, mask))
		d->intx.host_masked = mask;
}

/* A bit per vector the function offers. */
static u32 vg_msi_all(const struct vg_dev *d)
{
	return (u32)((1ULL << d->msi.nvec) - 1);
}

/* Bits of the MSI capability byte at @rel the guest may write. */
static u8 vg_msi_wmask(const struct vg_dev *d, unsigned int rel)
{
	unsigned int data = d->msi.is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32;
	unsigned int mask = d->msi.is64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32;

	if (rel == PCI_MSI_FLAGS)
		return PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE;
	if (rel == PCI_MSI_ADDRESS_LO)
		return 0xfc;
	if (rel > PCI_MSI_ADDRESS_LO && rel < data)
		return 0xff;		/* rest of the address */
	if (rel == data || rel == data + 1)
		return 0xff;
	if (d->msi.pvm && rel >= mask && rel < mask + 4)
		/* a mask bit per vector the function offers */
		return (u8)(vg_msi_all(d) >> (8 * (rel - mask)));
	return 0;
}

/* Multiple Message Enable beyond Multiple Message Capable reads as it. */
static void vg_msi_clamp_mme(struct vg_dev *d)
{
	u8 *flags = &d->vval[d->msi.cap + PCI_MSI_FLAGS];
	u8 mmc = (*flags & PCI_MSI_FLAGS_QMASK) >> 1;

	if (((*flags & PCI_MSI_FLAGS_QSIZE) >> 4) > mmc)
		*flags = (*flags & ~PCI_MSI_FLAGS_QSIZE) | (mmc << 4);
}

/* MSI opens the vectors the guest allocated, MSI-X its whole table. */
static void vg_auto_irq(struct vg_dev *d, int type, bool was, bool now)
{
	if (!(d->flags & VG_AUTO_IRQ) || was == now)
		return;
	if (now && d->mode != type)
		vg_irq_open(d, type, 0, type == VG_IRQ_MSI ?
			    vg_msi_allocated(d) : vg_num_vectors(d, type));
	else if (!now)
		vg_irq_close(d, type);
}

/**
 * vg_msi_cfg_write() - a guest write inside the emulated MSI capability.
 * @d:		the device.
 * @off:	config offset inside the capability.
 * @len:	1, 2 or 4.
 * @val:	the value.
 *
 * For vg_cfg_write(); bytes past the capability are ignored.
 */
void vg_msi_cfg_write(struct vg_dev *d, unsigned int off, unsigned int len,
		      u32 val)
{
	bool was = vg_msi_enabled(d);
	unsigned int i;

	for (i = 0; i < len; i++) {
		unsigned int rel = off + i - d->msi.cap;
		u8 w;

		if (rel >= d->msi.len)
			break;
		w = vg_msi_wmask(d, rel);
		d->vval[off + i] = (d->vval[off + i] & ~w) | ((val >> (8 * i)) & w);
	}
	vg_msi_clamp_mme(d);
	vg_auto_irq(d, VG_IRQ_MSI, was, vg_msi_enabled(d));
	if (d->mode != VG_IRQ_MSI)
		return;
	for (i = 0; i < d->msi.nvec; i++)
		vg_vec_sync(d, VG_IRQ_MSI, i);
}

/**
 * vg_msix_ctrl_write() - the guest writes MSI-X Enable and Function Mask.
 * @d:		the device.
 * @ctrl:	PCI_MSIX_FLAGS_ENABLE and PCI_MSIX_FLAGS_MASKALL as written.
 *
 * For vg_cfg_write().
 */
void vg_msix_ctrl_write(struct vg_dev *d, u16 ctrl)
{
	bool was = d->msix.enabled;
	unsigned int i;

	d->msix.enabled = ctrl & PCI_MSIX_FLAGS_ENABLE;
	d->msix.fmask = ctrl & PCI_MSIX_FLAGS_MASKALL;
	vg_auto_irq(d, VG_IRQ_MSIX, was, d->msix.enabled);
	if (d->mode != VG_IRQ_MSIX)
		return;
	for (i = 0; i < d->msix.nvec; i++)
		vg_vec_sync(d, VG_IRQ_MSIX, i);
}

static u64 vg_table_size(const struct vg_dev *d)
{
	return (u64)d->msix.nvec * PCI_MSIX_ENTRY_SIZE;
}

static u64 vg_pba_size(const struct vg_dev *d)
{
	return DIV_ROUND_UP(d->msix.nvec, 64) * 8;
}

static bool vg_overlaps(u64 off, unsigned int len, u64 start, u64 size)
{
	return off < start + size && off + len > start;
}

/**
 * vg_msix_in_table() - whether a BAR access touches the MSI-X table or PBA.
 * @d:		the device.
 * @bar:	BAR.
 * @off:	offset in the BAR.
 * @len:	bytes.
 *
 * Return: true if it does (and MSI-X is not hidden).
 */
bool vg_msix_in_table(const struct vg_dev *d, unsigned int bar, u64 off,
		      unsigned int len)
{
	if (!d->msix.cap)
		return false;
	return (bar == d->msix.table_bar &&
		vg_overlaps(off, len, d->msix.table_off, vg_table_size(d))) ||
	       (bar == d->msix.pba_bar &&
		vg_overlaps(off, len, d->msix.pba_off, vg_pba_size(d)));
}

/* The byte at @off of the table (relative to its start). */
static u8 vg_table_byte(const struct vg_dev *d, u64 off)
{
	const struct vg_msix_entry *e = &d->msix.table[off / PCI_MSIX_ENTRY_SIZE];
	u32 w;

	switch (off % PCI_MSIX_ENTRY_SIZE / 4) {
	case 0:
		w = e->addr_lo;
		break;
	case 1:
		w = e->addr_hi;
		break;
	case 2:
		w = e->data;
		break;
	default:
		w = e->ctrl;
	}
	return w >> (8 * (off % 4));
}

static u8 vg_pba_byte(const struct vg_dev *d, u64 off)
{
	unsigned int i;
	u8 b = 0;

	for (i = 0; i < 8; i++) {
		u64 vec = off * 8 + i;

		if (vec < d->msix.nvec &&
		    (d->msix.vec[vec] & VG_VEC_PENDING))
			b |= 1 << i;
	}
	return b;
}

/**
 * vg_msix_read() - a guest read of the MSI-X table or PBA.
 * @d:		the device.
 * @bar:	BAR.
 * @off:	offset in the BAR.
 * @len:	1, 2, 4 or 8, naturally aligned.
 *
 * Bytes outside both read as all ones.
 *
 * Return: the value.
 */
u64 vg_msix_read(struct vg_dev *d, unsigned int bar, u64 off,
		 unsigned int len)
{
	u64 val = 0;
	unsigned int i;

	for (i = 0; i < len; i++) {
		u64 o = off + i;
		u8 b = 0xff;

		if (bar == d->msix.table_bar && o >= d->msix.table_off &&
		    o - d->msix.table_off < vg_table_size(d))
			b = vg_table_byte(d, o - d->msix.table_off);
		else if (bar == d->msix.pba_bar && o >= d->msix.pba_off &&
			 o - d->msix.pba_off < vg_pba_size(d))
			b = vg_pba_byte(d, o - d->msix.pba_off);
		val |= (u64)b << (8 * i);
	}
	return val;
}

static void vg_table_write_byte(struct vg_dev *d, u64 off, u8 b)
{
	struct vg_msix_entry *e = &d->msix.table[off / PCI_MSIX_ENTRY_SIZE];
	unsigned int shift = 8 * (off % 4);
	u32 *w, wmask;

	switch (off % PCI_MSIX_ENTRY_SIZE / 4) {
	case 0:
		w = &e->addr_lo;
		wmask = ~3U;		/* dword-aligned address */
		break;
	case 1:
		w = &e->addr_hi;
		wmask = ~0U;
		break;
	case 2:
		w = &e->data;
		wmask = ~0U;
		break;
	default:
		w = &e->ctrl;
		wmask = PCI_MSIX_ENTRY_CTRL_MASKBIT;
	}
	wmask &= 0xffU << shift;
	*w = (*w & ~wmask) | (((u32)b << shift) & wmask);
}

/**
 * vg_msix_write() - a guest write to the MSI-X table (the PBA is read-only).
 * @d:		the device.
 * @bar:	BAR.
 * @off:	offset in the BAR.
 * @len:	1, 2, 4 or 8, naturally aligned.
 * @val:	the value.
 *
 * A change of a vector's mask bit is mirrored on its host vector.
 */
void vg_msix_write(struct vg_dev *d, unsigned int bar, u64 off,
		   unsigned int len, u64 val)
{
	unsigned int i;

	if (bar != d->msix.table_bar)
		return;
	for (i = 0; i < len; i++) {
		u64 o = off + i;
		u64 rel = o - d->msix.table_off;

		if (o < d->msix.table_off || rel >= vg_table_size(d))
			continue;
		vg_table_write_byte(d, rel, val >> (8 * i));
		if (d->mode == VG_IRQ_MSIX &&
		    rel % PCI_MSIX_ENTRY_SIZE == PCI_MSIX_ENTRY_VECTOR_CTRL)
			vg_vec_sync(d, VG_IRQ_MSIX, rel / PCI_MSIX_ENTRY_SIZE);
	}
}

/**
 * vg_irq_init() - interrupt state at vg_dev_init().
 * @d:	the device, with its capabilities found.
 *
 * Return: 0 or -ENOMEM.
 */
int vg_irq_init(struct vg_dev *d)
{
	unsigned int i;

	if (!d->msix.cap)
		return 0;
	d->msix.table = vg_zalloc(d->msix.nvec * sizeof(*d->msix.table));
	d->msix.vec = vg_zalloc(d->msix.nvec);
	if (!d->msix.table || !d->msix.vec) {
		vg_irq_exit(d);
		return -ENOMEM;
	}
	for (i = 0; i < d->msix.nvec; i++)
		d->msix.table[i].ctrl = PCI_MSIX_ENTRY_CTRL_MASKBIT;
	return 0;
}

/**
 * vg_irq_exit() - close every host vector and free the table.
 * @d:	the device.  May sleep.
 */
void vg_irq_exit(struct vg_dev *d)
{
	if (d->mode == VG_IRQ_INTX)
		vg_irq_close(d, VG_IRQ_INTX);
	else if (d->mode != -1)
		d->ops->irq_close(d->host, d->mode);
	d->mode = -1;
	d->intx.wanted = false;
	vg_free(d->msix.table);
	vg_free(d->msix.vec);
	d->msix.table = NULL;
	d->msix.vec = NULL;
}
