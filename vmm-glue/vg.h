/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmm-glue: the device-virtualization core a VMM needs to give a guest a
 * PCI function that the host lends through uldf.
 *
 * It is independent of who the VMM is.  The same files build into the
 * User-Mode Linux guest's paravirtual PCI host (in its kernel) and into
 * user-space programs; everything that reaches the host goes through a
 * small table of host calls (struct vg_ops).  For uldf, the backend in
 * vg_uldf.c fills it in, once for every VMM, with the device fd's
 * pread/pwrite and ioctls.
 *
 * What it does for one device (struct vg_dev):
 *  - config space as the guest sees it: BARs at guest addresses with
 *    working sizing, the multi-function bit cleared, the interrupt line,
 *    the Memory and I/O Space Enable bits and the power state virtual,
 *    the MSI and MSI-X capabilities emulated or hidden (so that the guest
 *    falls back to INTx), the rest passed to the host, which protects it;
 *  - the BARs: while the guest has their decoding off (or its function
 *    out of D0) they read all ones and drop writes, without reaching the
 *    host; otherwise accesses to the MSI-X table and PBA are emulated, the
 *    rest go straight to a host mapping of the BAR where there is one,
 *    else through the host calls;
 *  - interrupts: the guest's MSI/MSI-X programming (enable, function mask,
 *    per-vector masks, messages; for MSI the number of vectors, up to what
 *    the function offers) drives host vectors, one per guest vector; INTx
 *    follows the EOI loop (a host interrupt masks the line until the
 *    guest's EOI unmasks it; the host re-fires a line still asserted);
 *  - DMA: guest RAM registered with the host IOMMU at IOVA = guest
 *    physical, either whole or on demand (vg_dma.c).
 *
 * Concurrency: vmm-glue takes no locks.  The caller serialises all calls
 * on one device, except vg_bar_read()/vg_bar_write() on ranges for which
 * vg_bar_emulated() is false: those only read the guest's decode state and
 * touch the host mapping or the host calls, and may run concurrently with
 * anything (one that races with a config write changing the decode state
 * sees the state from before or after that write).  The host calls are made
 * with the caller's serialisation held; only irq_open, irq_close, dma_map
 * and dma_unmap are made from the calls documented as sleeping.
 */
#ifndef VG_H
#define VG_H

#include "vg_compat.h"

#define VG_NUM_BARS	6
#define VG_ROM		VG_NUM_BARS	/* index of the ROM in the BAR arrays */
#define VG_CFG		(VG_NUM_BARS + 1) /* struct vg_ops.rw: config space */
#define VG_MAX_DIRECT	3
#define VG_MAX_RAM	8
#define VG_MSI_MAX_VECS	32	/* MSI: Multiple Message Capable at most 5 */

/* Interrupt mechanisms (the host's, one at a time). */
enum vg_irq_type {
	VG_IRQ_INTX,
	VG_IRQ_MSI,
	VG_IRQ_MSIX,
	VG_NUM_IRQ_TYPES,
};

/* struct vg_bar_desc.flags */
#define VG_BAR_IO	BIT(0)	/* I/O port BAR */
#define VG_BAR_MEM64	BIT(1)	/* 64-bit memory BAR (uses the next BAR too) */
#define VG_BAR_PREFETCH	BIT(2)

/* struct vg_dev_desc.flags */
#define VG_HIDE_MSI	BIT(0)	/* the guest does not see the MSI capability */
#define VG_HIDE_MSIX	BIT(1)	/* ... nor MSI-X: it falls back to INTx */
#define VG_DMA_ON_DEMAND BIT(2)	/* guest RAM is mapped in granules on use */
#define VG_AUTO_IRQ	BIT(3)	/* the guest's enable bits open host vectors */

/**
 * struct vg_ops - host calls.
 * @rw:		read (@write false) or write @len bytes at @off of the host
 *		function's @region into or from @buf: @region is VG_CFG for
 *		config space (@len 1, 2 or 4) or a BAR index 0 to 5 (@len 1,
 *		2, 4 or 8; only ranges the guest does not reach directly).
 * @irq_open:	enable host vectors [@first, @first + @count) of @type; from
 *		then on the host reports each interrupt with vg_irq_fire().
 *		Host vectors start unmasked.  May sleep.
 * @irq_close:	disable every host vector of @type.  May sleep.
 * @irq_mask:	mask or unmask a host vector; for INTx unmasking is the EOI
 *		(a line still asserted fires again).
 * @irq_trigger: make the host report one interrupt on the vector (used to
 *		replay an interrupt that arrived while the guest had it
 *		masked); may be NULL, then the replay is lost.
 * @dma_map:	map @size bytes of host memory at @hva for the device at
 *		@iova, readable and writable.  May sleep.
 * @dma_unmap:	undo one @dma_map exactly.  May sleep.
 *
 * Each returns 0 or a negative errno.
 */
struct vg_ops {
	int (*rw)(void *host, unsigned int region, u64 off, void *buf,
		  unsigned int len, bool write);
	int (*irq_open)(void *host, int type, unsigned int first,
			unsigned int count);
	void (*irq_close)(void *host, int type);
	int (*irq_mask)(void *host, int type, unsigned int index, bool mask);
	int (*irq_trigger)(void *host, int type, unsigned int index);
	int (*dma_map)(void *host, u64 iova, u64 hva, u64 size);
	int (*dma_unmap)(void *host, u64 iova, u64 size);
};

/**
 * struct vg_range - a byte range [@start, @start + @size).
 * @start:	first byte.
 * @size:	length in bytes.
 */
struct vg_range {
	u64 start;
	u64 size;
};

/**
 * struct vg_bar_desc - one host BAR as the VMM found it.
 * @size:	bytes; 0 for an unimplemented BAR (and for the upper half of
 *		a 64-bit BAR).
 * @flags:	VG_BAR_*.
 * @map:	host virtual address of a mapping that spans the whole BAR,
 *		or NULL; only @direct ranges of it may be touched.
 * @nr_direct:	entries in @direct.
 * @direct:	offsets in the BAR that @map reaches (the host leaves out the
 *		pages of the MSI-X table and PBA).
 */
struct vg_bar_desc {
	u64 size;
	u32 flags;
	u8 *map;
	unsigned int nr_direct;
	struct vg_range direct[VG_MAX_DIRECT];
};

/**
 * struct vg_dev_desc - what vg_dev_init() needs to know.
 * @cfg_size:	bytes of host config space (256 or 4096).
 * @bar:	the BARs and, at [VG_ROM], the expansion ROM (size only).
 * @flags:	VG_HIDE_MSI, VG_HIDE_MSIX, VG_DMA_ON_DEMAND, VG_AUTO_IRQ
 *		(for VMMs whose irq_open may be called from a config write).
 * @dma_granule: on-demand mapping unit in bytes (a power of two, at least
 *		the page size); 0 for the default, 2 MiB.
 * @dma_budget:	on-demand: bytes that may stay mapped while unused before
 *		the least recently released granules are unmapped; 0 for no
 *		cache (unmap as soon as unused).
 */
struct vg_dev_desc {
	unsigned int cfg_size;
	struct vg_bar_desc bar[VG_NUM_BARS + 1];
	u32 flags;
	u64 dma_granule;
	u64 dma_budget;
};

/**
 * struct vg_msg - an MSI message as the guest programmed it.
 * @addr:	address.
 * @data:	data.
 */
struct vg_msg {
	u64 addr;
	u32 data;
};

/* Per-vector state bits (struct vg_msix.vec, struct vg_msi.vec). */
#define VG_VEC_OPEN		BIT(0)	/* host vector enabled */
#define VG_VEC_HOST_MASKED	BIT(1)	/* host vector masked by us */
#define VG_VEC_PENDING		BIT(2)	/* fired while the guest masked it */

/**
 * struct vg_msix_entry - one MSI-X table entry as the guest wrote it.
 * @addr_lo:	message address, low half.
 * @addr_hi:	message address, high half.
 * @data:	message data.
 * @ctrl:	vector control (bit 0: masked).
 */
struct vg_msix_entry {
	u32 addr_lo;
	u32 addr_hi;
	u32 data;
	u32 ctrl;
};

/**
 * struct vg_msix - MSI-X capability and table emulation.
 * @cap:	capability offset, 0 if absent or hidden.
 * @nvec:	table size.
 * @table_bar:	BAR of the table.
 * @table_off:	offset of the table in it.
 * @pba_bar:	BAR of the PBA.
 * @pba_off:	offset of the PBA in it.
 * @enabled:	the guest set MSI-X Enable.
 * @fmask:	the guest set Function Mask.
 * @table:	the guest's table.
 * @vec:	VG_VEC_* per vector.
 */
struct vg_msix {
	u8 cap;
	u16 nvec;
	u8 table_bar;
	u32 table_off;
	u8 pba_bar;
	u32 pba_off;
	bool enabled;
	bool fmask;
	struct vg_msix_entry *table;
	u8 *vec;
};

/**
 * struct vg_msi - MSI capability emulation.
 * @cap:	capability offset, 0 if absent or hidden.
 * @len:	capability length.
 * @is64:	64-bit address.
 * @pvm:	per-vector masking.
 * @nvec:	vectors the function offers (its Multiple Message Capable:
 *		1, 2, 4, 8, 16 or 32).
 * @vec:	VG_VEC_* per vector.
 */
struct vg_msi {
	u8 cap;
	u8 len;
	bool is64;
	bool pvm;
	u8 nvec;
	u8 vec[VG_MSI_MAX_VECS];
};

/**
 * struct vg_intx - the INTx EOI loop.
 * @pin:	interrupt pin (0: none).
 * @wanted:	INTx should be open whenever MSI and MSI-X are not.
 * @open:	the host vector is open.
 * @host_masked: the host has the line masked (after an interrupt, until
 *		the EOI; or because the guest masked it).
 * @guest_masked: the guest's interrupt controller masks it.
 */
struct vg_intx {
	u8 pin;
	bool wanted;
	bool open;
	bool host_masked;
	bool guest_masked;
};

/**
 * struct vg_dma - guest RAM as the device sees it.
 * @nr_ram:	registered RAM slots.
 * @ram:	guest-physical ranges (IOVA = guest physical).
 * @ram_hva:	host virtual address of each slot.
 * @granule:	on-demand mapping unit; 0 when RAM is mapped whole.
 * @budget:	on-demand: unused bytes that may stay mapped.
 * @refs:	on-demand: per slot, a use count per granule (-1: unmapped).
 * @lru:	on-demand: per slot, per granule, when it was last released.
 * @clock:	on-demand: release counter for @lru.
 * @idle:	on-demand: bytes mapped with no user.
 * @mapped:	bytes mapped now.
 */
struct vg_dma {
	unsigned int nr_ram;
	struct vg_range ram[VG_MAX_RAM];
	u64 ram_hva[VG_MAX_RAM];
	u64 granule;
	u64 budget;
	int *refs[VG_MAX_RAM];
	u64 *lru[VG_MAX_RAM];
	u64 clock;
	u64 idle;
	u64 mapped;
};

/**
 * struct vg_pm - the power management capability.
 * @cap:	its offset, 0 if the function has none.
 * @states:	BIT(n) for each power state Dn the guest may enter (D0 and
 *		D3hot always, D1 and D2 as the capability says).
 */
struct vg_pm {
	u8 cap;
	u8 states;
};

/**
 * struct vg_dev - one passed-through function.
 * @ops:	host calls.
 * @host:	their context.
 * @flags:	VG_* from the description.
 * @cfg_size:	bytes of config space.
 * @vmask:	per bit of the first 256 bytes: the guest sees @vval.
 * @vval:	virtual values.
 * @vwrite:	per bit under @vmask, in registers whose writes go to the
 *		host: the guest's writes change @vval (else the virtual bit
 *		is read-only).
 * @hidden:	per byte of the first 256: belongs to a hidden capability.
 * @bar:	the BARs as described.
 * @bar_mask:	per BAR register (and the ROM), the sizing mask.
 * @pm:		power management.
 * @decode:	PCI_COMMAND_MEMORY and PCI_COMMAND_IO as in effect for the
 *		guest's BAR accesses: its command bits while its power state
 *		is D0, none otherwise.
 * @mode:	host interrupt mechanism open now (VG_IRQ_*), or -1.
 * @intx:	INTx emulation.
 * @msi:	MSI emulation.
 * @msix:	MSI-X emulation.
 * @dma:	guest RAM.
 */
struct vg_dev {
	const struct vg_ops *ops;
	void *host;
	u32 flags;
	unsigned int cfg_size;
	u8 vmask[256];
	u8 vval[256];
	u8 vwrite[256];
	u8 hidden[256];
	struct vg_bar_desc bar[VG_NUM_BARS + 1];
	u32 bar_mask[VG_NUM_BARS + 1];
	struct vg_pm pm;
	u8 decode;
	int mode;
	struct vg_intx intx;
	struct vg_msi msi;
	struct vg_msix msix;
	struct vg_dma dma;
};

/* vg_config.c */
int vg_dev_init(struct vg_dev *d, const struct vg_ops *ops, void *host,
		const struct vg_dev_desc *desc);
void vg_dev_exit(struct vg_dev *d);
int vg_cfg_read(struct vg_dev *d, unsigned int off, unsigned int len,
		u32 *val);
int vg_cfg_write(struct vg_dev *d, unsigned int off, unsigned int len,
		 u32 val);
u64 vg_bar_addr(const struct vg_dev *d, unsigned int bar);
bool vg_bar_emulated(const struct vg_dev *d, unsigned int bar, u64 off,
		     unsigned int len);
int vg_bar_read(struct vg_dev *d, unsigned int bar, u64 off,
		unsigned int len, u64 *val);
int vg_bar_write(struct vg_dev *d, unsigned int bar, u64 off,
		 unsigned int len, u64 val);

/* vg_irq.c */
int vg_irq_open(struct vg_dev *d, int type, unsigned int first,
		unsigned int count);
void vg_irq_close(struct vg_dev *d, int type);
bool vg_irq_fire(struct vg_dev *d, int type, unsigned int index,
		 struct vg_msg *msg);
void vg_intx_eoi(struct vg_dev *d);
void vg_intx_mask(struct vg_dev *d, bool mask);

/* vg_irq.c, for vg_config.c */
void vg_msi_cfg_write(struct vg_dev *d, unsigned int off, unsigned int len,
		      u32 val);
void vg_msix_ctrl_write(struct vg_dev *d, u16 ctrl);
bool vg_msix_in_table(const struct vg_dev *d, unsigned int bar, u64 off,
		      unsigned int len);
u64 vg_msix_read(struct vg_dev *d, unsigned int bar, u64 off,
		 unsigned int len);
void vg_msix_write(struct vg_dev *d, unsigned int bar, u64 off,
		   unsigned int len, u64 val);
int vg_irq_init(struct vg_dev *d);
void vg_irq_exit(struct vg_dev *d);

/* vg_dma.c */
int vg_dma_init(struct vg_dev *d, const struct vg_dev_desc *desc);
int vg_dma_add_ram(struct vg_dev *d, u64 gpa, u64 hva, u64 size);
void vg_dma_remove_all(struct vg_dev *d);
int vg_dma_get(struct vg_dev *d, u64 gpa, u64 size);
void vg_dma_put(struct vg_dev *d, u64 gpa, u64 size);

#endif /* VG_H */
