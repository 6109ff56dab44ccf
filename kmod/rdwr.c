// SPDX-License-Identifier: GPL-2.0
/*
 * uldf BARs: pread()/pwrite() and mmap() of the device's BARs and ROM.
 *
 * Every implemented BAR is mapped into the kernel at bind time (pcim_iomap,
 * so MMIO and I/O-port BARs look alike to ioread/iowrite).  pread() and
 * pwrite() of 1, 2, 4 or 8 bytes at a naturally aligned offset are one
 * device access of that width, which is what register access needs; any
 * other length is a bulk copy made of 4-byte accesses where aligned (the
 * width nearly every device accepts; 2 and 1 at unaligned edges).  8-byte
 * accesses to an I/O BAR do not exist.  The expansion ROM is read-only.
 *
 * mmap() maps memory BARs into the process, uncached, or write-combining on
 * request for a prefetchable BAR.  The pages holding the MSI-X table and
 * the PBA are never mappable (the interrupt set-up belongs to the kernel).
 * pread() of the table returns all ones, as with vfio-pci; pread() of the
 * PBA returns the function's pending bits, which a driver that masks
 * vectors may want to see (vfio-pci lets it too); pwrite() to either fails
 * with EPERM.  A BAR smaller than a page is not mappable either, since the
 * rest of its page could belong to another device.
 *
 * Access follows the device's decode and power state, as in vfio-pci: on
 * real hardware a read of a BAR whose Memory Space decode is off, or in
 * D3hot, or in the middle of a reset, is an Unsupported Request, which on
 * many machines is a machine check.  So mmap() fills nothing: a fault
 * inserts the page under memory_lock (read) if the user's command
 * register has the decode on, the function is in D0 and not removed, and
 * raises SIGBUS otherwise; pread()/pwrite() make the same check per chunk
 * and fail with EIO (or ENODEV once removed).  Whatever disables access -
 * clearing Memory Space Enable, D3hot, a reset, removal - takes
 * memory_lock for write and zaps every mapping first, so faults and
 * accesses wait for the reset to finish and then find the page again.
 * User memory is copied outside memory_lock, through a bounce buffer.
 */
#include <linux/io.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "uldf_private.h"

#define ULDF_BOUNCE_SIZE	512

/* A page-aligned hole in a BAR's mmap-able range. */
struct uldf_hole {
	resource_size_t start;
	resource_size_t end;	/* exclusive */
};

/*
 * The byte range of the MSI-X table in @bar (@pba false) or of the PBA
 * (@pba true): true if it is there.
 */
static bool uldf_msix_range(struct pci_dev *pdev, int bar, bool pba,
			    struct uldf_hole *hole)
{
	u32 where;
	u16 flags;
	int nvec;

	if (!pdev->msix_cap)
		return false;
	pci_read_config_word(pdev, pdev->msix_cap + PCI_MSIX_FLAGS, &flags);
	pci_read_config_dword(pdev, pdev->msix_cap +
			      (pba ? PCI_MSIX_PBA : PCI_MSIX_TABLE), &where);
	if ((where & PCI_MSIX_TABLE_BIR) != bar)
		return false;
	nvec = (flags & PCI_MSIX_FLAGS_QSIZE) + 1;
	hole->start = where & PCI_MSIX_TABLE_OFFSET;
	hole->end = hole->start + (pba ? DIV_ROUND_UP(nvec, 64) * 8 :
					 nvec * PCI_MSIX_ENTRY_SIZE);
	return true;
}

/* The byte ranges of the MSI-X table and PBA in @bar, if they are there. */
static int uldf_msix_holes(struct pci_dev *pdev, int bar,
			   struct uldf_hole *holes, bool page_align)
{
	int n = 0;

	if (uldf_msix_range(pdev, bar, false, &holes[n]))
		n++;
	if (uldf_msix_range(pdev, bar, true, &holes[n]))
		n++;
	if (page_align) {
		int i;

		for (i = 0; i < n; i++) {
			holes[i].start = round_down(holes[i].start, PAGE_SIZE);
			holes[i].end = round_up(holes[i].end, PAGE_SIZE);
		}
	}
	if (n == 2 && holes[1].start < holes[0].start)
		swap(holes[0], holes[1]);
	return n;
}

/* The mmap-able areas of a memory BAR: the BAR minus the MSI-X pages. */
static void uldf_bar_areas(struct uldf_device *udev, int index)
{
	struct uldf_bar *bar = &udev->bars[index];
	struct uldf_hole holes[2];
	resource_size_t pos = 0;
	int i, n;

	if (bar->len < PAGE_SIZE || !PAGE_ALIGNED(bar->start))
		return;

	n = uldf_msix_holes(udev->pdev, index, holes, true);
	if (n)
		bar->flags |= ULDF_REGION_FLAG_MSIX;
	for (i = 0; i <= n; i++) {
		resource_size_t end = i < n ? holes[i].start : bar->len;

		end = min(end, bar->len);
		if (end > pos) {
			bar->areas[bar->nr_areas].offset = pos;
			bar->areas[bar->nr_areas].size = end - pos;
			bar->nr_areas++;
		}
		if (i < n)
			pos = max(pos, holes[i].end);
	}
	if (bar->nr_areas)
		bar->flags |= ULDF_REGION_FLAG_MMAP;
}

/**
 * uldf_bar_init() - describe and map the BARs at bind time.
 * @udev: the device; its BARs are already requested.
 *
 * Return: 0, or -ENOMEM if a BAR cannot be mapped into the kernel.
 */
int uldf_bar_init(struct uldf_device *udev)
{
	struct pci_dev *pdev = udev->pdev;
	int i;

	for (i = 0; i < ULDF_NUM_BARS; i++) {
		struct uldf_bar *bar = &udev->bars[i];
		unsigned long flags = pci_resource_flags(pdev, i);

		bar->len = pci_resource_len(pdev, i);
		bar->start = pci_resource_start(pdev, i);
		if (!bar->len || !(flags & (IORESOURCE_MEM | IORESOURCE_IO)))
			continue;

		bar->flags = ULDF_REGION_FLAG_READ | ULDF_REGION_FLAG_WRITE;
		if (flags & IORESOURCE_IO)
			bar->flags |= ULDF_REGION_FLAG_IO;
		if (flags & IORESOURCE_MEM_64)
			bar->flags |= ULDF_REGION_FLAG_MEM64;
		if (flags & IORESOURCE_PREFETCH)
			bar->flags |= ULDF_REGION_FLAG_PREFETCH;

		bar->io = pcim_iomap(pdev, i, 0);
		if (!bar->io)
			return -ENOMEM;
		if (flags & IORESOURCE_MEM)
			uldf_bar_areas(udev, i);
	}
	return 0;
}

/*
 * Width of the next access: an exact 8-byte request is one 8-byte access;
 * otherwise the widest naturally aligned access of at most 4 bytes.
 */
static size_t uldf_access_width(loff_t pos, size_t count, bool io)
{
	size_t w;

	if (count == 8 && !io && IS_ALIGNED(pos, 8))
		return 8;
	for (w = 4; w > 1; w >>= 1)
		if (count >= w && IS_ALIGNED(pos, w))
			return w;
	return 1;
}

static void uldf_io_read(void __iomem *addr, void *dst, size_t w)
{
	switch (w) {
	case 1:
		*(u8 *)dst = ioread8(addr);
		break;
	case 2:
		*(u16 *)dst = ioread16(addr);
		break;
	case 4:
		*(u32 *)dst = ioread32(addr);
		break;
	case 8:
		*(u64 *)dst = readq(addr);
		break;
	}
}

static void uldf_io_write(void __iomem *addr, const void *src, size_t w)
{
	switch (w) {
	case 1:
		iowrite8(*(const u8 *)src, addr);
		break;
	case 2:
		iowrite16(*(const u16 *)src, addr);
		break;
	case 4:
		iowrite32(*(const u32 *)src, addr);
		break;
	case 8:
		writeq(*(const u64 *)src, addr);
		break;
	}
}

/* Whether [pos, pos + count) touches the MSI-X table or PBA of @index. */
static bool uldf_touches_msix(struct uldf_device *udev, int index,
			      loff_t pos, size_t count)
{
	struct uldf_hole holes[2];
	int i, n;

	if (!udev->pdev->msix_cap)
		return false;
	n = uldf_msix_holes(udev->pdev, index, holes, false);
	for (i = 0; i < n; i++)
		if (pos < holes[i].end && pos + count > holes[i].start)
			return true;
	return false;
}

/*
 * Whether the user's view lets BARs of this kind be accessed: the decode
 * bit of the user's command register, the function in D0, not removed.
 * memory_lock held.
 */
static bool uldf_decode_enabled(struct uldf_device *udev, u16 bit)
{
	struct pci_dev *pdev = udev->pdev;

	lockdep_assert_held(&udev->memory_lock);
	/* A VF's memory decode is its PF's business (no_command_memory). */
	if (bit == PCI_COMMAND_MEMORY && pdev->no_command_memory)
		bit = 0;
	return !udev->removed && !uldf_pm_is_d3(pdev->current_state) &&
	       (!bit || (udev->cfg.decode & bit));
}

/**
 * uldf_memory_enabled() - whether memory BARs may be accessed now.
 * @udev: the device; memory_lock held (read or write).
 *
 * Return: true if the device is bound, in D0 and the user's command
 * register has Memory Space Enable set (vfio-pci's
 * __vfio_pci_memory_enabled()).
 */
bool uldf_memory_enabled(struct uldf_device *udev)
{
	return uldf_decode_enabled(udev, PCI_COMMAND_MEMORY);
}

/*
 * One chunk between @bounce and the BAR, under memory_lock (read).  The
 * bytes of @table (the MSI-X table, or NULL) read as all ones; a write
 * never reaches them (uldf_bar_rw() refuses it).
 */
static int uldf_bar_chunk(struct uldf_device *udev, struct uldf_bar *bar,
			  const struct uldf_hole *table, u8 *bounce,
			  size_t count, loff_t pos, bool write)
{
	bool io = bar->flags & ULDF_REGION_FLAG_IO;
	size_t done = 0;
	int ret = 0;

	down_read(&udev->memory_lock);
	if (udev->removed) {
		ret = -ENODEV;
		goto out_unlock;
	}
	if (!uldf_decode_enabled(udev, io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY)) {
		ret = -EIO;
		goto out_unlock;
	}
	while (done < count) {
		loff_t at = pos + done;
		size_t n = count - done, w;

		if (table && at >= table->start && at < table->end) {
			w = min_t(size_t, n, table->end - at);
			memset(bounce + done, 0xff, w);
			done += w;
			continue;
		}
		if (table && at < table->start)
			n = min_t(size_t, n, table->start - at);
		w = uldf_access_width(at, n, io);
		if (write)
			uldf_io_write(bar->io + pos + done, bounce + done, w);
		else
			uldf_io_read(bar->io + pos + done, bounce + done, w);
		done += w;
	}
out_unlock:
	up_read(&udev->memory_lock);
	return ret;
}

/*
 * Read @count bytes of the ROM at @pos into @bounce.  Mapping the ROM
 * turns its decode on and unmapping turns it off, so readers are
 * serialised by memory_lock held for write.
 */
static int uldf_rom_chunk(struct uldf_device *udev, u8 *bounce, size_t count,
			  loff_t pos)
{
	void __iomem *rom;
	size_t size;
	int ret = 0;

	down_write(&udev->memory_lock);
	if (udev->removed) {
		ret = -ENODEV;
		goto out_unlock;
	}
	if (!uldf_memory_enabled(udev)) {
		ret = -EIO;
		goto out_unlock;
	}
	rom = pci_map_rom(udev->pdev, &size);
	if (!rom) {
		ret = -EIO;
		goto out_unlock;
	}
	if (pos >= size || count > size - pos)
		ret = -EINVAL;
	else
		memcpy_fromio(bounce, rom + pos, count);
	pci_unmap_rom(udev->pdev, rom);
out_unlock:
	up_write(&udev->memory_lock);
	return ret;
}

/**
 * uldf_bar_rw() - pread()/pwrite() of a BAR or the ROM.
 * @udev:	the device; no lock held.
 * @index:	ULDF_REGION_BAR0 to _BAR5, or ULDF_REGION_ROM.
 * @buf:	user buffer of @count bytes.
 * @count:	bytes; 1, 2, 4 or 8 is a single access of that width.
 * @pos:	offset in the region.
 * @write:	direction.
 *
 * The user buffer is copied through a bounce buffer of at most
 * ULDF_BOUNCE_SIZE bytes, outside memory_lock; each chunk's device access
 * is made under it.  The ROM is read in chunks of the same size.  The
 * MSI-X table reads as all ones; the PBA reads as the device has it.
 *
 * Return: bytes done (a short count if a later chunk failed), or
 * -EINVAL for an unimplemented region, an access past its end, a single
 * access that is not naturally aligned, an 8-byte access to an I/O BAR or
 * a write to the ROM; -EPERM for a write to the MSI-X table or PBA;
 * -EFAULT for a bad buffer; -ENOMEM; -EIO while the user's command
 * register has the BAR's decode off or the function is in D3hot, or if
 * the ROM cannot be mapped; -ENODEV once the device is removed.
 */
ssize_t uldf_bar_rw(struct uldf_device *udev, unsigned int index,
		    char __user *buf, size_t count, loff_t pos, bool write)
{
	struct uldf_hole table_hole, *table = NULL;
	struct uldf_bar *bar = NULL;
	size_t done = 0;
	u8 *bounce;
	int ret = 0;

	if (index == ULDF_REGION_ROM) {
		size_t len = pci_resource_len(udev->pdev, PCI_ROM_RESOURCE);

		if (write || !len || pos >= len || count > len - pos)
			return -EINVAL;
	} else {
		bool io;

		if (index >= ULDF_NUM_BARS)
			return -EINVAL;
		bar = &udev->bars[index];
		if (!bar->io || pos >= bar->len || count > bar->len - pos)
			return -EINVAL;
		io = bar->flags & ULDF_REGION_FLAG_IO;
		if (is_power_of_2(count) && count <= 8 &&
		    (!IS_ALIGNED(pos, count) || (io && count == 8)))
			return -EINVAL;
		if (write && uldf_touches_msix(udev, index, pos, count))
			return -EPERM;
		if (uldf_msix_range(udev->pdev, index, false, &table_hole))
			table = &table_hole;
	}

	bounce = kmalloc(min_t(size_t, count, ULDF_BOUNCE_SIZE), GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	while (done < count) {
		size_t n = min_t(size_t, count - done, ULDF_BOUNCE_SIZE);

		if (write && copy_from_user(bounce, buf + done, n)) {
			ret = -EFAULT;
			break;
		}
		if (bar)
			ret = uldf_bar_chunk(udev, bar, table, bounce, n,
					     pos + done, write);
		else
			ret = uldf_rom_chunk(udev, bounce, n, pos + done);
		if (ret)
			break;
		if (!write && copy_to_user(buf + done, bounce, n)) {
			ret = -EFAULT;
			break;
		}
		done += n;
	}
	kfree(bounce);
	return done ? done : ret;
}

/**
 * uldf_region_info() - ULDF_DEVICE_GET_REGION_INFO.
 * @udev: the device; no lock held (the BARs are described at bind and
 *	do not change).
 * @arg: user pointer to struct uldf_region_info.
 *
 * Return: 0, -EFAULT, or -EINVAL for a short @argsz, input flags or an
 * index out of range.
 */
long uldf_region_info(struct uldf_device *udev, void __user *arg)
{
	struct uldf_region_info info;
	struct pci_dev *pdev = udev->pdev;
	u32 argsz;
	int ret;

	ret = uldf_copy_query(&info, sizeof(info), arg, &argsz);
	if (ret)
		return ret;
	if (info.index >= ULDF_NUM_REGIONS)
		return -EINVAL;
	if (READ_ONCE(udev->removed))
		return -ENODEV;

	info.argsz = sizeof(info);
	info.offset = ULDF_REGION_OFFSET(info.index);
	if (info.index < ULDF_NUM_BARS) {
		struct uldf_bar *bar = &udev->bars[info.index];

		if (bar->io) {
			info.flags = bar->flags;
			info.size = bar->len;
			info.nr_areas = bar->nr_areas;
			memcpy(info.areas, bar->areas, sizeof(info.areas));
		}
	} else if (info.index == ULDF_REGION_ROM) {
		info.size = pci_resource_len(pdev, PCI_ROM_RESOURCE);
		if (info.size)
			info.flags = ULDF_REGION_FLAG_READ;
	} else {
		info.size = pdev->cfg_size;
		info.flags = ULDF_REGION_FLAG_READ | ULDF_REGION_FLAG_WRITE;
	}

	if (copy_to_user(arg, &info, min_t(u32, argsz, sizeof(info))))
		return -EFAULT;
	return 0;
}

/*
 * A fault on a BAR mapping: insert the page while access is allowed, else
 * SIGBUS.  The offset in the file (vm_pgoff) names the BAR and the page in
 * it, as at mmap(); ULDF_MMAP_WC only chose the page protection.
 */
static vm_fault_t uldf_bar_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct uldf_device *udev = vma->vm_private_data;
	u64 off = ((u64)vma->vm_pgoff << PAGE_SHIFT) +
		  (vmf->address - vma->vm_start);
	unsigned int index = off >> ULDF_REGION_SHIFT;
	u64 boff = off & ULDF_REGION_MASK & ~ULDF_MMAP_WC;
	vm_fault_t ret = VM_FAULT_SIGBUS;

	down_read(&udev->memory_lock);
	if (uldf_memory_enabled(udev))
		ret = vmf_insert_pfn(vma, vmf->address,
				     (udev->bars[index].start + boff) >> PAGE_SHIFT);
	up_read(&udev->memory_lock);
	return ret;
}

static const struct vm_operations_struct uldf_bar_vm_ops = {
	.fault = uldf_bar_fault,
};

/**
 * uldf_bar_mmap() - map part of a memory BAR into the caller.
 * @udev: the device; called under the mm's mmap_lock, without uldf's locks.
 * @vma: the new mapping; its file offset selects the BAR (ULDF_REGION_OFFSET),
 *	the offset inside it, and ULDF_MMAP_WC.
 *
 * Nothing is mapped yet: each page is inserted on its first access
 * (uldf_bar_fault()), which checks the decode and power state and whether
 * the device is still bound, so a mapping made while an unbind runs can
 * never reach the device.
 *
 * Return: 0; -EINVAL if the mapping is private, is not inside one mmap-able
 * area of a memory BAR, or asks for write-combining on a BAR that is not
 * prefetchable.
 */
int uldf_bar_mmap(struct uldf_device *udev, struct vm_area_struct *vma)
{
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	unsigned int index = off >> ULDF_REGION_SHIFT;
	size_t size = vma->vm_end - vma->vm_start;
	bool wc = off & ULDF_MMAP_WC;
	struct uldf_bar *bar;
	u64 boff;
	u32 i;

	if (index >= ULDF_NUM_BARS || !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	bar = &udev->bars[index];
	boff = off & ULDF_REGION_MASK & ~ULDF_MMAP_WC;
	if (!(bar->flags & ULDF_REGION_FLAG_MMAP))
		return -EINVAL;
	if (wc && !(bar->flags & ULDF_REGION_FLAG_PREFETCH))
		return -EINVAL;
	for (i = 0; i < bar->nr_areas; i++) {
		const struct uldf_region_area *a = &bar->areas[i];

		if (boff >= a->offset && size <= a->size &&
		    boff - a->offset <= a->size - size)
			break;
	}
	if (i == bar->nr_areas)
		return -EINVAL;

	vma->vm_page_prot = wc ? pgprot_writecombine(vma->vm_page_prot) :
				 pgprot_noncached(vma->vm_page_prot);
	vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_private_data = udev;
	vma->vm_ops = &uldf_bar_vm_ops;
	return 0;
}

/**
 * uldf_bar_zap() - remove every page of the user's BAR mappings.
 * @udev: the device; memory_lock held for write.
 *
 * The mappings stay; their next access faults and finds out whether
 * access is allowed again (uldf_bar_fault()).
 */
void uldf_bar_zap(struct uldf_device *udev)
{
	lockdep_assert_held_write(&udev->memory_lock);
	if (udev->mapping)
		unmap_mapping_range(udev->mapping, 0, 0, true);
}

/**
 * uldf_memory_lock_and_zap() - block BAR access for something that
 * disables it.
 * @udev: the device.
 *
 * Takes memory_lock for write and zaps the BAR mappings (vfio-pci's
 * vfio_pci_zap_and_down_write_memory_lock()); release with up_write().
 */
void uldf_memory_lock_and_zap(struct uldf_device *udev)
{
	down_write(&udev->memory_lock);
	uldf_bar_zap(udev);
}

/**
 * uldf_memory_lock_and_enable() - turn memory decode on for the kernel's
 * own BAR accesses.
 * @udev: the device.
 *
 * The kernel programs the MSI-X table, which lives in a BAR, when vectors
 * are allocated, started and shut down; those writes are lost while the
 * user has memory decode off.  Takes memory_lock for write, so that no
 * reset, power change or user access runs meanwhile, and turns Memory
 * Space Enable on if it is off (vfio_pci_memory_lock_and_enable()).
 *
 * Return: the command register as found, for
 * uldf_memory_unlock_and_restore(); PCI_COMMAND_MEMORY, so that nothing is
 * undone, when decode was left off because a fatal error's lost config
 * space cannot be restored yet.
 */
u16 uldf_memory_lock_and_enable(struct uldf_device *udev)
{
	struct pci_dev *pdev = udev->pdev;
	u16 cmd;

	down_write(&udev->memory_lock);
	/*
	 * Until a fatal error's lost config space is back the BARs are
	 * unassigned: decode stays off (the table writes are lost, and
	 * pci_restore_state() writes the vectors again when it is back).
	 */
	if (uldf_restore_lost_config(udev))
		return PCI_COMMAND_MEMORY;
	pci_read_config_word(pdev, PCI_COMMAND, &cmd);
	if (!(cmd & PCI_COMMAND_MEMORY))
		pci_write_config_word(pdev, PCI_COMMAND,
				      cmd | PCI_COMMAND_MEMORY);
	return cmd;
}

/**
 * uldf_memory_unlock_and_restore() - undo uldf_memory_lock_and_enable().
 * @udev: the device.
 * @cmd: what uldf_memory_lock_and_enable() returned.
 *
 * Turns Memory Space Enable back off if it was off; the other bits of the
 * command register are left as they are now (the INTx handler may have
 * changed Interrupt Disable meanwhile).
 */
void uldf_memory_unlock_and_restore(struct uldf_device *udev, u16 cmd)
{
	struct pci_dev *pdev = udev->pdev;
	u16 now;

	if (!(cmd & PCI_COMMAND_MEMORY)) {
		pci_read_config_word(pdev, PCI_COMMAND, &now);
		pci_write_config_word(pdev, PCI_COMMAND,
				      now & ~PCI_COMMAND_MEMORY);
	}
	up_write(&udev->memory_lock);
}
