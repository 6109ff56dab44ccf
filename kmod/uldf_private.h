/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uldf: private definitions shared by the files of uldf.ko.
 *
 * One struct uldf_device per bound PCI function.  It is reference-counted:
 * the binding holds one reference, the open device fd one, and every IRQ fd
 * one, so that an unbind (or a surprise removal) while user space still
 * holds files revokes the device without freeing what those files point to.
 *
 * Locking, outermost first:
 *   @lock (rw_semaphore): the ioctls hold it for read and check @removed;
 *	open, release and removal hold it for write.  ULDF_DMA_JOIN holds
 *	the joining device's for write and the other device's for read,
 *	the two taken in address order (space.c).
 *   irq.lock (mutex): enabling and disabling vectors.
 *   cfg.lock (mutex): the virtual config space.
 *   @memory_lock (rw_semaphore): device access against what can disable
 *	it, in the manner of vfio-pci's memory_lock.  BAR faults, BAR and
 *	config pread()/pwrite() hold it for read and check @removed and the
 *	decode and power state; config writes, resets, the MSI-X table
 *	programming and removal hold it for write, and zap every BAR mapping
 *	first when what they do disables access.  Nothing copies to or from
 *	user space, or faults in user pages, while holding it, so neither a
 *	fault nor an unbind can be made to wait on the user.
 *   dma->lock (mutex): the DMA space's IOVA tree, the IOMMU domain's page
 *	tables and the space's members; one per space, which the devices
 *	that joined it share.
 *   uldf_unlazy_lock (mutex, intx.c, one for all devices): an exclusive
 *	INTx line's IRQ_DISABLE_UNLAZY test-and-set with its request_irq(),
 *	and its free_irq() with the clear; nothing is taken inside it.
 *   per-vector spinlocks (struct uldf_irq's wq.lock, its wait queue's
 *	lock; irq.c, intx.c, msi.c, irqfd.c): counts and mask state; taken
 *	in hard interrupt context.
 * The mm's mmap_lock, held around a BAR fault, nests outside
 * @memory_lock.  No mmap_lock is taken under @lock: the user can hold
 * its own for as long as it likes, so the locked_vm charge and credit
 * (pin.c) happen outside uldf's locks, and a removal's credit in a work
 * item.  The AER callbacks run under the PCI core's pci_bus_sem, which a
 * reset takes inside @memory_lock: they take none of uldf's locks.
 */
#ifndef ULDF_PRIVATE_H
#define ULDF_PRIVATE_H

#include <linux/cdev.h>
#include <linux/kref.h>
#include <linux/maple_tree.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/poll.h>
#include <linux/rwsem.h>
#include <linux/unaligned.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <uapi/linux/uldf.h>

#define ULDF_NUM_BARS		PCI_STD_NUM_BARS

/* Module parameters (core.c). */
extern bool uldf_enable_noiommu;
extern unsigned int uldf_release_timeout_ms;

/* ---- config.c, config_perm.c, power.c: virtual config space ---------- */

/**
 * struct uldf_config - the user's view of config space.
 * @lock:	serialises accesses.
 * @size:	bytes of config space (256 or 4096).
 * @vconfig:	virtual values, read where @virt has a 1 bit.
 * @virt:	per bit, 1 if the user sees @vconfig rather than the device.
 * @write:	per bit, 1 if the user may write it (to @vconfig where
 *		virtualised, to the device otherwise).
 * @bar_mask:	per BAR (and [6] for the ROM), the size mask that a sizing
 *		write of all ones reads back; 0 for an unimplemented BAR.
 * @pm_cap:	offset of the PM capability, or 0.
 * @exp_cap:	offset of the PCI Express capability, or 0.
 * @exp_len:	bytes the PCI Express capability covers (by its version
 *		and type), or 0.
 * @msi_cap:	offset of the MSI capability, or 0.
 * @msix_cap:	offset of the MSI-X capability, or 0.
 * @virt_intx_disable: the Interrupt Disable bit as the user last wrote it.
 * @decode:	Memory and I/O Space Enable as the user last set them
 *		(PCI_COMMAND_MEMORY | PCI_COMMAND_IO bits); read under
 *		memory_lock, written with it held for write.
 * @pm_restore:	a D3hot to D0 transition loses the function's state
 *		(PMCSR No_Soft_Reset clear): uldf restores it.
 */
struct uldf_config {
	struct mutex lock;	/* serialises config accesses */
	unsigned int size;
	u8 *vconfig;
	u8 *virt;
	u8 *write;
	u32 bar_mask[ULDF_NUM_BARS + 1];
	u8 pm_cap;
	u8 exp_cap;
	u8 exp_len;
	u8 msi_cap;
	u8 msix_cap;
	bool virt_intx_disable;
	u16 decode;
	bool pm_restore;
};

/**
 * uldf_cfg_bits() - read a field of a config-space map.
 * @map:	a byte array laid out as config space (struct uldf_config's
 *		@vconfig, @virt or @write).
 * @off:	byte offset of the field in @map.
 * @len:	1, 2 or 4.
 *
 * Return: the @len little-endian bytes at @off.
 */
static inline u32 uldf_cfg_bits(const u8 *map, unsigned int off,
				unsigned int len)
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

/**
 * uldf_cfg_store() - write a field of a config-space map.
 * @map:	a byte array laid out as config space.
 * @off:	byte offset of the field in @map.
 * @len:	1, 2 or 4.
 * @v:		the value; its low @len bytes are stored little-endian.
 */
static inline void uldf_cfg_store(u8 *map, unsigned int off,
				  unsigned int len, u32 v)
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

/* ---- rdwr.c: BAR access and mmap ------------------------------------- */

/**
 * struct uldf_bar - one BAR as the module keeps it.
 * @start:	bus-independent physical start (pci_resource_start()).
 * @len:	size in bytes; 0 for an unimplemented BAR.
 * @flags:	ULDF_REGION_FLAG_* to report.
 * @io:		kernel mapping for pread()/pwrite() (MMIO or port), or NULL.
 * @nr_areas:	mmap-able areas.
 * @areas:	the mmap-able sub-ranges (MSI-X table and PBA pages cut out).
 */
struct uldf_bar {
	resource_size_t start;
	resource_size_t len;
	u32 flags;
	void __iomem *io;
	u32 nr_areas;
	struct uldf_region_area areas[ULDF_REGION_MAX_AREAS];
};

/* ---- irq.c, intx.c, msi.c, irqfd.c: interrupts as file descriptors -- */

/* The life of a vector; see the top of irq.c. */
enum uldf_irq_life {
	ULDF_IRQ_NEW,
	ULDF_IRQ_LIVE,
	ULDF_IRQ_DEAD,
};

/**
 * struct uldf_irq_resample - a resample eventfd watched from the kernel.
 * @ctx:	the eventfd, or NULL.
 * @wqh:	its wait queue, on which @wait sits until it is detached.
 * @wait:	our wake-up callback's entry.
 * @pt:		poll table used once, to add @wait to @wqh.
 */
struct uldf_irq_resample {
	struct eventfd_ctx *ctx;
	wait_queue_head_t *wqh;
	wait_queue_entry_t wait;
	poll_table pt;
};

/**
 * struct uldf_irq - one vector and its IRQ fd.
 * @udev:	the device (a reference is held).
 * @type:	ULDF_IRQ_TYPE_*.
 * @index:	vector index within @type.
 * @irq:	Linux interrupt number; 0 for ERR and REQ.
 * @exclusive:	INTx masked at the interrupt controller, not with DisINTx.
 * @set_unlazy:	exclusive INTx: uldf set the line's IRQ_DISABLE_UNLAZY (it
 *		was not set before) and clears it when done.
 * @unmask_on_read: INTx: read() performs the EOI owed by the previous read.
 * @life:	enum uldf_irq_life.
 * @masked:	INTx: masked (by the handler or the user); MSI/MSI-X: masked
 *		by the user.
 * @virt_disabled: INTx: the user's virtual Interrupt Disable bit is set.
 * @eoi_due:	unmask-on-read: the last read returned interrupts.
 * @count:	interrupts since the last read.
 * @total:	interrupts since the vector was opened.
 * @wq:		readers and pollers; its lock (wq.lock) is the vector's
 *		spinlock, guarding @life to @total and the queue; taken in
 *		hard interrupt context.
 * @fasync:	SIGIO subscribers.
 * @trigger:	eventfd signalled instead of @count, or NULL (RCU).
 * @retired_trigger: the trigger taken off by a disarm, put once no RCU
 *		reader can hold it any more (uldf_irq_retire()).
 * @retire_node: entry in a list of vectors whose @retired_trigger is due.
 * @inject:	signals @trigger when that cannot be done in place.
 * @resample:	INTx: eventfd whose signal is an EOI.
 * @name:	name in /proc/interrupts.
 */
struct uldf_irq {
	struct uldf_device *udev;
	unsigned int type;
	unsigned int index;
	unsigned int irq;
	bool exclusive;
	bool set_unlazy;
	bool unmask_on_read;

	/* @life to @total: under wq.lock, taken in hard interrupt context */
	int life;
	bool masked;
	bool virt_disabled;
	bool eoi_due;
	u64 count;
	u64 total;

	wait_queue_head_t wq;
	struct fasync_struct *fasync;
	struct eventfd_ctx __rcu *trigger;
	struct eventfd_ctx *retired_trigger;
	struct list_head retire_node;
	struct work_struct inject;
	struct uldf_irq_resample resample;
	char name[48];
};

/**
 * struct uldf_irq_state - the device's interrupt set-up.
 * @lock:	serialises enabling and disabling vectors, and the eventfd
 *		wiring of an IRQ fd.
 * @slot_lock:	spinlock guarding @intx, @err, @req and
 *		@intx_virt_disabled for the callers that cannot take @lock:
 *		uldf_irq_notify() and uldf_irq_intx_virt_disable().  Nests
 *		inside @lock and outside the per-vector spinlocks.
 * @mode:	ULDF_IRQ_TYPE_INTX, _MSI or _MSIX while any of those vectors
 *		is open, else -1.
 * @nvec:	MSI/MSI-X: length of @vec; the enabled block, or with
 *		dynamic MSI-X the function's table size.
 * @nopen:	MSI/MSI-X: vectors open; the last close disables the block.
 * @dyn:	MSI-X vectors are allocated one by one (dynamic MSI-X).
 * @intx_virt_disabled: the Interrupt Disable bit of the user's virtual
 *		command register; while set an INTx EOI does not unmask.
 * @intx:	the INTx vector, or NULL.
 * @vec:	MSI/MSI-X vectors by index, NULL where not open.
 * @err:	the AER error notification vector, or NULL.
 * @req:	the release-request notification vector, or NULL.
 */
struct uldf_irq_state {
	struct mutex lock;	/* see above */
	spinlock_t slot_lock;	/* see above */
	int mode;
	unsigned int nvec;
	unsigned int nopen;
	bool dyn;
	bool intx_virt_disabled;
	struct uldf_irq *intx;
	struct uldf_irq **vec;
	struct uldf_irq *err;
	struct uldf_irq *req;
};

/* ---- dma.c, pin.c, iova.c, domain.c, noiommu.c: DMA ----------------- */

/**
 * struct uldf_dma_ranges - the usable IOVA ranges of a DMA space.
 * @rcu:	frees a set replaced when a device joins.
 * @nr:		entries in @r.
 * @r:		the ranges, in increasing order.
 */
struct uldf_dma_ranges {
	struct rcu_head rcu;
	unsigned int nr;
	struct uldf_iova_range r[] __counted_by(nr);
};

/**
 * struct uldf_dma_state - a DMA address space (space.c): one device's from
 *	its open, shared with every device that joins it.
 * @kref:	one reference per member device: the memory only; what the
 *		space holds goes with its last member (@users).
 * @lock:	serialises map, unmap, joins and leaves; the external lock of
 *		@mappings.
 * @users:	member devices, under @lock.
 * @domain:	the IOMMU paging domain their groups are attached to, or
 *		NULL (no IOMMU); fixed for the life of the space.
 * @noiommu:	no IOMMU and no-IOMMU mode is on: IOVA = physical address.
 * @mappings:	maple tree of mappings and reserved ranges, by IOVA (in
 *		no-IOMMU mode, of mappings by the bus address of their first
 *		page).
 * @mm:		the opener's mm (grabbed), charged for pinned pages; NULL
 *		if the device cannot do DMA.  Every member was opened by it.
 * @locked_pages: pages of the mappings in @mappings, all charged to @mm.
 * @cache_prot:	IOMMU_CACHE if the IOMMU keeps the devices' DMA coherent.
 * @coherent:	the domain enforces cache coherency: the IOMMU snoops every
 *		DMA, even one with the No Snoop attribute; fixed at open.
 * @blocked:	the device's own space, after a failed join in which the
 *		IOMMU refused its group this domain back: the group reaches
 *		nothing, so map and join fail with -EIO and
 *		ULDF_DMA_GET_INFO reports no DMA; set under the device's lock
 *		held for write, read under it.
 * @ranges:	usable IOVA ranges: the domain's aperture minus the reserved
 *		regions of the group of every device that joined, also of
 *		those that left since (the ranges only shrink); replaced
 *		under @lock when a device joins, read under @lock or RCU.
 */
struct uldf_dma_state {
	struct kref kref;
	struct mutex lock;	/* map/unmap/join/leave; the lock of @mappings */
	unsigned int users;
	struct iommu_domain *domain;
	bool noiommu;
	struct maple_tree mappings;
	struct mm_struct *mm;
	unsigned long locked_pages;
	int cache_prot;
	bool coherent;
	bool blocked;
	struct uldf_dma_ranges __rcu *ranges;
};

/**
 * struct uldf_dma_join_resv - what a join reserved in a space's IOVA tree
 *	(iova.c), between uldf_dma_join_reserve() and the commit or abort.
 * @regions:	the joining group's reserved regions (struct
 *		iommu_resv_region).
 * @pieces:	the ranges the join reserved, free in the tree before.
 * @n:		entries of @pieces reserved so far.
 */
struct uldf_dma_join_resv {
	struct list_head regions;
	struct uldf_iova_range *pieces;
	unsigned int n;
};

/* A map entry's access flags (dma.c, domain.c). */
#define ULDF_DMA_MAP_RW		(ULDF_DMA_MAP_READ | ULDF_DMA_MAP_WRITE)

/* Pages of a run (one iommu_map_sg()): bounds its scatterlist to 2 MiB. */
#define ULDF_DMA_RUN_PAGES	65536UL

struct uldf_dma_pages;

/**
 * struct uldf_dma_mapping - one map entry while a call makes it; in the
 *	IOVA tree, a run of entries of one call at consecutive IOVAs, made
 *	and programmed together.
 * @iova:	first IOVA (no-IOMMU: bus address of the first page).
 * @size:	bytes.
 * @npages:	pages, @size >> PAGE_SHIFT.
 * @vaddr:	user address it was made from (an entry; a run's first).
 * @limit:	highest IOVA the caller's device reaches (allocation only).
 * @flags:	ULDF_DMA_MAP_* as asked.
 * @charged:	@npages are charged to locked_vm.
 * @nr_segs:	no-IOMMU: physically contiguous segments.
 * @room:	no-IOMMU: segments the caller has room for.
 * @segs_ptr:	no-IOMMU: where the segments are reported.
 * @block:	the call's pages, which @pages points into.
 * @pages:	the pinned pages.
 * @node:	on a list of mappings being made or torn down.
 * @sibling:	a run in the tree: on @block's list of runs (dma.lock).
 *
 * The entries of a run are one mapping each for the user: an unmap takes
 * whole entries, and splits a run at an entry boundary (@block->starts).
 * A run never holds an IOMMU page across two of its entries (domain.c).
 */
struct uldf_dma_mapping {
	unsigned long iova;
	unsigned long size;
	unsigned long npages;
	unsigned long vaddr;
	unsigned long limit;
	u32 flags;
	bool charged;
	u32 nr_segs;
	u32 room;
	u64 segs_ptr;
	struct uldf_dma_pages *block;
	struct page **pages;
	struct list_head node;
	struct list_head sibling;
};

/**
 * struct uldf_dma_pages - the pinned pages of one map call, shared by the
 *	mappings made from it (pin.c).
 * @ref:	the mappings that hold pages of it, and the call while it runs.
 * @starts:	bit i set if an entry of the call starts at page i, and bit
 *		@npages: the boundaries that an unmap may cut a mapping at.
 * @run:	room for the call's first run, saving an allocation.
 * @run_used:	@run was handed out (under dma.lock).
 * @runs:	the runs in the tree that hold pages of it (dma.lock).
 * @live:	their pages (dma.lock).
 * @npages:	pages of the call's entries.
 * @pages:	the pages, entry after entry.
 */
struct uldf_dma_pages {
	refcount_t ref;
	unsigned long *starts;
	struct uldf_dma_mapping run;
	bool run_used;
	struct list_head runs;
	unsigned long live;
	unsigned long npages;
	struct page *pages[] __counted_by(npages);
};

/**
 * struct uldf_dma_acct - the locked_vm charge of one map call.
 * @cap:	the caller has CAP_IPC_LOCK: no limit.
 * @limit:	RLIMIT_MEMLOCK in pages.
 * @pending:	pages pinned by the call and not charged yet.
 */
struct uldf_dma_acct {
	bool cap;
	unsigned long limit;
	unsigned long pending;
};

/* ---- core.c ---------------------------------------------------------- */

/* Bits of uldf_device.err_flags. */
#define ULDF_ERR_CONFIG_LOST	0

/**
 * struct uldf_device - a PCI function bound to uldf.
 * @kref:	see the top of this file.
 * @pdev:	the function (a reference is held until the last put).
 * @lock:	see the top of this file.
 * @removed:	the driver was unbound or the device removed: every
 *		operation fails with -ENODEV.
 * @open:	a device fd is open.
 * @release_wq:	removal waits here for the device fd to be closed.
 * @cdev:	the character device behind /dev/uldf/<BDF>.
 * @chrdev:	the class device.
 * @minor:	our minor number.
 * @owns_dma:	DMA ownership of the IOMMU group was claimed at probe.
 * @group:	the function's IOMMU group, held from probe to removal, or
 *		NULL.
 * @saved_state: config space as found when the device fd was opened.
 * @bind_state: config space as found at bind, restored at open after a
 *		fatal error while closed (reset.c).
 * @pm_state:	config space saved on entry to D3hot, restored on the way
 *		back to D0 (with cfg.pm_restore); NULL otherwise.
 * @err_flags:	ULDF_ERR_CONFIG_LOST: a fatal error's link reset (AER)
 *		left config space as after reset; set from error_detected
 *		without uldf's locks, tested and cleared with memory_lock
 *		held for write (uldf_restore_lost_config()).
 * @memory_lock: see the top of this file.
 * @mapping:	the open file's address_space, whose BAR mappings are
 *		zapped; NULL while closed.  Changed under @memory_lock held
 *		for write.
 * @bars:	BARs (rdwr.c).
 * @cfg:	virtual config space (config.c, config_perm.c, power.c).
 * @irq:	interrupts (irq.c, intx.c, msi.c, irqfd.c).
 * @dma:	the DMA space while open, else NULL; changed under @lock
 *		held for write (space.c; dma.c, pin.c, iova.c, domain.c,
 *		noiommu.c).
 * @dma_coherent: @dma->coherent, kept here for the config-space code,
 *		which does not hold @lock; it cannot change while open.
 */
struct uldf_device {
	struct kref kref;
	struct pci_dev *pdev;
	struct rw_semaphore lock;
	bool removed;
	bool open;
	wait_queue_head_t release_wq;
	struct cdev cdev;
	struct device *chrdev;
	int minor;
	bool owns_dma;
	struct iommu_group *group;
	struct pci_saved_state *saved_state;
	struct pci_saved_state *bind_state;
	struct pci_saved_state *pm_state;
	unsigned long err_flags;
	struct rw_semaphore memory_lock;	/* see above */
	struct address_space *mapping;

	struct uldf_bar bars[ULDF_NUM_BARS];
	struct uldf_config cfg;
	struct uldf_irq_state irq;
	struct uldf_dma_state *dma;
	bool dma_coherent;
};

/* Whether @state is D3hot or D3cold, where BARs do not decode. */
static inline bool uldf_pm_is_d3(pci_power_t state)
{
	return state == PCI_D3hot || state == PCI_D3cold;
}

void uldf_device_get(struct uldf_device *udev);
struct uldf_device *uldf_device_from_file(struct file *file);
int uldf_lock_live(struct uldf_device *udev);
void uldf_device_put(struct uldf_device *udev);

/* config.c */
ssize_t uldf_config_rw(struct uldf_device *udev, char __user *buf,
		       size_t count, loff_t pos, bool write);

/* config_perm.c */
int uldf_config_init(struct uldf_device *udev);
void uldf_config_reset(struct uldf_device *udev);
void uldf_config_exit(struct uldf_device *udev);
u32 uldf_cfg_rw1c(struct uldf_device *udev, unsigned int off,
		  unsigned int len);

/* power.c */
int uldf_set_power(struct uldf_device *udev, pci_power_t state);
void uldf_sync_decode(struct uldf_device *udev);

/* rdwr.c */
int uldf_bar_init(struct uldf_device *udev);
ssize_t uldf_bar_rw(struct uldf_device *udev, unsigned int index,
		    char __user *buf, size_t count, loff_t pos, bool write);
long uldf_region_info(struct uldf_device *udev, void __user *arg);
int uldf_bar_mmap(struct uldf_device *udev, struct vm_area_struct *vma);
void uldf_bar_zap(struct uldf_device *udev);
bool uldf_memory_enabled(struct uldf_device *udev);
void uldf_memory_lock_and_zap(struct uldf_device *udev);
u16 uldf_memory_lock_and_enable(struct uldf_device *udev);
void uldf_memory_unlock_and_restore(struct uldf_device *udev, u16 cmd);

/* reset.c */
int uldf_reset_enable(struct uldf_device *udev);
void uldf_reset_disable(struct uldf_device *udev, bool dev_locked);
int uldf_reset_function(struct uldf_device *udev);
int uldf_restore_lost_config(struct uldf_device *udev);
long uldf_reset_ioctl(struct uldf_device *udev);
bool uldf_reset_supported(struct uldf_device *udev);

/* irq.c */
void uldf_irq_init(struct uldf_device *udev);
long uldf_irq_open_ioctl(struct uldf_device *udev, void __user *arg);
void uldf_irq_release_all(struct uldf_device *udev);
u32 uldf_irq_num(struct pci_dev *pdev, unsigned int type);
void uldf_irq_deliver(struct uldf_irq *v);

/* intx.c */
void uldf_intx_set(struct uldf_device *udev, bool enable);
void uldf_intx_mask_locked(struct uldf_irq *v);
void uldf_intx_eoi(struct uldf_irq *v);
int uldf_intx_arm(struct uldf_device *udev, struct uldf_irq *v);
void uldf_intx_disarm(struct uldf_device *udev, struct uldf_irq *v);
void uldf_irq_intx_virt_disable(struct uldf_device *udev, bool disable);

/* msi.c */
int uldf_msi_arm_set(struct uldf_device *udev, struct uldf_irq **vs,
		     unsigned int type, unsigned int index, unsigned int count);
void uldf_msi_disarm(struct uldf_device *udev, struct uldf_irq *v);
void uldf_msi_mask(struct uldf_irq *v, bool mask);

/* irqfd.c */
int uldf_notify_arm(struct uldf_device *udev, struct uldf_irq *v);
void uldf_notify_disarm(struct uldf_device *udev, struct uldf_irq *v);
void uldf_irq_notify(struct uldf_device *udev, unsigned int type);
void uldf_resample_detach(struct uldf_irq *v);
void uldf_trigger_retire(struct uldf_irq *v, struct list_head *retired);
void uldf_irq_retire(struct uldf_device *udev, struct list_head *retired);
long uldf_irq_set_eventfd(struct uldf_irq *v, void __user *arg);

/**
 * struct uldf_dma_credit - locked_vm owed back to an address space.
 * @mm:		the address space charged, held by mmgrab(); NULL if none.
 * @npages:	pages to credit.
 *
 * Paid with uldf_dma_credit_put() once uldf's locks are dropped.
 */
struct uldf_dma_credit {
	struct mm_struct *mm;
	unsigned long npages;
};

/* dma.c */
long uldf_dma_ioctl(struct uldf_device *udev, unsigned int cmd,
		    void __user *arg);

/* space.c */
int uldf_dma_open(struct uldf_device *udev);
void uldf_dma_release(struct uldf_device *udev, struct uldf_dma_credit *credit);
long uldf_dma_join_ioctl(struct uldf_device *udev, void __user *arg);
bool uldf_dma_allowed(struct uldf_device *udev);
bool uldf_dma_coherent(struct uldf_device *udev);

/* pin.c */
void uldf_dma_acct_init(struct uldf_dma_acct *acct);
int uldf_dma_may_pin(struct uldf_device *udev, unsigned long npages,
		     const struct uldf_dma_acct *acct);
u32 uldf_dma_charge(struct uldf_device *udev, struct mm_struct *mm,
		    const struct uldf_dma_acct *acct,
		    struct uldf_dma_mapping *ents, u32 n, int *err);
void uldf_dma_credit(struct mm_struct *mm, unsigned long npages);
void uldf_dma_credit_put(struct uldf_dma_credit *credit, bool async);
int uldf_dma_credit_init(void);
void uldf_dma_credit_exit(void);
void uldf_dma_entry_init(struct uldf_dma_mapping *e,
			 const struct uldf_dma_map *req);
struct uldf_dma_pages *uldf_dma_pages_alloc(struct uldf_dma_mapping *ents,
					    u32 n);
void uldf_dma_pages_put(struct uldf_dma_pages *block);
void uldf_dma_pages_compact(struct uldf_dma_state *dma,
			    struct uldf_dma_pages *block);
void uldf_dma_run_track(struct uldf_dma_state *dma,
			struct uldf_dma_mapping *m);
void uldf_dma_run_untrack(struct uldf_dma_state *dma,
			  struct uldf_dma_mapping *m);
u32 uldf_dma_pin(struct uldf_dma_mapping *ents, u32 n, int *err);
struct uldf_dma_mapping *uldf_dma_run_alloc(const struct uldf_dma_mapping *e,
					    gfp_t gfp);
void uldf_dma_run_free(struct uldf_dma_mapping *m);
void uldf_dma_run_split(struct uldf_dma_mapping *m, unsigned long off,
			struct uldf_dma_mapping *piece, bool left);
bool uldf_dma_run_bound(const struct uldf_dma_mapping *m, unsigned long off);
void uldf_dma_put_entries(struct uldf_dma_mapping *ents, u32 n,
			  unsigned long *charged);
u64 uldf_dma_put_list(struct list_head *list, unsigned long *charged);

/* domain.c */
bool uldf_dma_joins(const struct uldf_dma_state *dma,
		    const struct uldf_dma_mapping *run,
		    const struct uldf_dma_mapping *e);
int uldf_dma_program(struct uldf_dma_state *dma, struct list_head *runs);
void uldf_dma_unmap_list(struct uldf_dma_state *dma, struct list_head *list);
int uldf_dma_open_domain(struct uldf_device *udev);
int uldf_dma_join_domain(struct uldf_device *udev,
			 struct uldf_dma_state *space);

/* iova.c */
bool uldf_dma_iova_usable(const struct uldf_dma_state *dma, u64 first,
			  u64 last);
void uldf_dma_unstore(struct uldf_dma_state *dma, struct uldf_dma_mapping *m);
int uldf_dma_replace(struct uldf_dma_state *dma, struct uldf_dma_mapping *old,
		     struct uldf_dma_mapping *new);
int uldf_dma_find_place(struct uldf_dma_state *dma, struct ma_state *mas,
			struct uldf_dma_mapping *e, unsigned long next,
			unsigned long *gap_last);
bool uldf_dma_extends(const struct uldf_dma_state *dma,
		      const struct uldf_dma_mapping *run,
		      struct uldf_dma_mapping *e, unsigned long next,
		      unsigned long gap_last);
int uldf_dma_store(struct uldf_dma_state *dma, struct ma_state *mas,
		   struct uldf_dma_mapping *m);
int uldf_dma_take_range(struct uldf_dma_state *dma, u64 iova, u64 size,
			struct list_head *list);
void uldf_dma_list_all(struct uldf_dma_state *dma, struct list_head *list);
void uldf_dma_take_all(struct uldf_dma_state *dma, struct list_head *list);
int uldf_dma_setup_iova(struct uldf_dma_state *dma,
			struct iommu_domain *domain, struct iommu_group *group);
int uldf_dma_join_reserve(struct uldf_dma_state *dma,
			  struct iommu_group *group,
			  struct uldf_dma_join_resv *jr);
int uldf_dma_join_commit(struct uldf_dma_state *dma,
			 struct uldf_dma_join_resv *jr);
void uldf_dma_join_abort(struct uldf_dma_state *dma,
			 struct uldf_dma_join_resv *jr);

/* noiommu.c */
int uldf_dma_noiommu_prepare(struct uldf_device *udev,
			     struct uldf_dma_mapping *m,
			     struct uldf_dma_map __user *uent);
int uldf_dma_noiommu_report(struct uldf_device *udev,
			    struct uldf_dma_mapping *m,
			    struct uldf_dma_map __user *uent);
void uldf_dma_open_noiommu(struct uldf_device *udev);

/* Copy in an extensible ioctl argument (see uldf.h); core.c. */
int uldf_copy_arg(void *dst, size_t minsz, size_t dstsz,
		  const void __user *src, u32 *argsz);
int uldf_copy_query(void *dst, size_t size, const void __user *src,
		    u32 *argsz);

#endif /* ULDF_PRIVATE_H */
