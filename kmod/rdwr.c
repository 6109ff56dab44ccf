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
 * the PBA are never mappable (the interrupt set-up belongs to the kernel,
 * as with vfio-pci); pread() of them returns all ones and pwrite() fails
 * with EPERM.  A BAR smaller than a page is not mappable either, since the
 * rest of its page could belong to another device.  When the device is
 * removed while mapped, uldf_bar_revoke() zaps every mapping; a later access
 * faults with SIGBUS.
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

/* The byte range of the MSI-X table and PBA in @bar, if they are there. */
static int uldf_msix_holes(struct pci_dev *pdev, int bar,
			   struct uldf_hole *holes, bool page_align)
{
	u32 table, pba;
	u16 flags;
	int n = 0, nvec;

	if (!pdev->msix_cap)
		return 0;
	pci_read_config_word(pdev, pdev->msix_cap + PCI_MSIX_FLAGS, &flags);
	pci_read_config_dword(pdev, pdev->msix_cap + PCI_MSIX_TABLE, &table);
	pci_read_config_dword(pdev, pdev->msix_cap + PCI_MSIX_PBA, &pba);
	nvec = (flags & PCI_MSIX_FLAGS_QSIZE) + 1;

	if ((table & PCI_MSIX_TABLE_BIR) == bar) {
		holes[n].start = table & PCI_MSIX_TABLE_OFFSET;
		holes[n].end = holes[n].start + nvec * PCI_MSIX_ENTRY_SIZE;
		n++;
	}
	if ((pba & PCI_MSIX_PBA_BIR) == bar) {
		holes[n].start = pba & PCI_MSIX_PBA_OFFSET;
		holes[n].end = holes[n].start + DIV_ROUND_UP(nvec, 64) * 8;
		n++;
	}
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

/* Copy one bounce buffer's worth between user space and the BAR. */
static ssize_t uldf_bar_chunk(void __iomem *base, bool io, u8 *bounce,
			      char __user *buf, size_t count, loff_t pos,
			      bool write)
{
	size_t done = 0;

	if (write && copy_from_user(bounce, buf, count))
		return -EFAULT;
	while (done < count) {
		size_t w = uldf_access_width(pos + done, count - done, io);

		if (write)
			uldf_io_write(base + pos + done, bounce + done, w);
		else
			uldf_io_read(base + pos + done, bounce + done, w);
		done += w;
	}
	if (!write && copy_to_user(buf, bounce, count))
		return -EFAULT;
	return count;
}

static ssize_t uldf_rom_read(struct uldf_device *udev, char __user *buf,
			     size_t count, loff_t pos)
{
	void __iomem *rom;
	size_t size;
	ssize_t ret = count;
	u8 *bounce;

	rom = pci_map_rom(udev->pdev, &size);
	if (!rom)
		return -EIO;
	if (pos >= size || count > size - pos) {
		ret = -EINVAL;
		goto out_unmap;
	}
	bounce = kmalloc(count, GFP_KERNEL);
	if (!bounce) {
		ret = -ENOMEM;
		goto out_unmap;
	}
	memcpy_fromio(bounce, rom + pos, count);
	if (copy_to_user(buf, bounce, count))
		ret = -EFAULT;
	kfree(bounce);
out_unmap:
	pci_unmap_rom(udev->pdev, rom);
	return ret;
}

/* The MSI-X table and PBA are the kernel's business: they read as all ones. */
static ssize_t uldf_fill_ones(char __user *buf, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (put_user(0xff, buf + i))
			return -EFAULT;
	return count;
}

/**
 * uldf_bar_rw() - pread()/pwrite() of a BAR or the ROM.
 * @udev:	the device; @udev->lock held for read.
 * @index:	ULDF_REGION_BAR0 to _BAR5, or ULDF_REGION_ROM.
 * @buf:	user buffer of @count bytes.
 * @count:	bytes; 1, 2, 4 or 8 is a single access of that width.
 * @pos:	offset in the region.
 * @write:	direction.
 *
 * Return: @count, or -EINVAL for an unimplemented region, an access past
 * its end, a single access that is not naturally aligned, an 8-byte access
 * to an I/O BAR or a write to the ROM; -EPERM for a write to the MSI-X
 * table or PBA; -EFAULT for a bad buffer; -ENOMEM; -EIO if the ROM cannot
 * be mapped.
 */
ssize_t uldf_bar_rw(struct uldf_device *udev, unsigned int index,
		    char __user *buf, size_t count, loff_t pos, bool write)
{
	struct uldf_bar *bar;
	size_t done = 0;
	bool io;
	u8 *bounce;

	if (index == ULDF_REGION_ROM) {
		if (write || !pci_resource_len(udev->pdev, PCI_ROM_RESOURCE))
			return -EINVAL;
		return uldf_rom_read(udev, buf, count, pos);
	}
	if (index >= ULDF_NUM_BARS)
		return -EINVAL;
	bar = &udev->bars[index];
	if (!bar->io || pos >= bar->len || count > bar->len - pos)
		return -EINVAL;
	io = bar->flags & ULDF_REGION_FLAG_IO;
	if (is_power_of_2(count) && count <= 8 &&
	    (!IS_ALIGNED(pos, count) || (io && count == 8)))
		return -EINVAL;
	if (uldf_touches_msix(udev, index, pos, count))
		return write ? -EPERM : uldf_fill_ones(buf, count);

	bounce = kmalloc(min_t(size_t, count, ULDF_BOUNCE_SIZE), GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	while (done < count) {
		size_t n = min_t(size_t, count - done, ULDF_BOUNCE_SIZE);
		ssize_t ret;

		ret = uldf_bar_chunk(bar->io, io, bounce, buf + done, n,
				     pos + done, write);
		if (ret < 0) {
			kfree(bounce);
			return done ? done : ret;
		}
		done += n;
	}
	kfree(bounce);
	return done;
}

/**
 * uldf_region_info() - ULDF_DEVICE_GET_REGION_INFO.
 * @udev: the device; @udev->lock held for read.
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

/* A revoked mapping is never re-populated: the access gets SIGBUS. */
static vm_fault_t uldf_bar_fault(struct vm_fault *vmf)
{
	return VM_FAULT_SIGBUS;
}

static const struct vm_operations_struct uldf_bar_vm_ops = {
	.fault = uldf_bar_fault,
};

/**
 * uldf_bar_mmap() - map part of a memory BAR into the caller.
 * @udev: the device; @udev->mmap_mutex held (not @udev->lock: see
 *	uldf_private.h).
 * @vma: the new mapping; its file offset selects the BAR (ULDF_REGION_OFFSET),
 *	the offset inside it, and ULDF_MMAP_WC.
 *
 * Return: 0; -EINVAL if the mapping is private, is not inside one mmap-able
 * area of a memory BAR, or asks for write-combining on a BAR that is not
 * prefetchable; -EAGAIN if the page tables cannot be filled.
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
	vma->vm_ops = &uldf_bar_vm_ops;
	return io_remap_pfn_range(vma, vma->vm_start,
				  (bar->start + boff) >> PAGE_SHIFT, size,
				  vma->vm_page_prot);
}

/**
 * uldf_bar_revoke() - zap every user mapping of the device's BARs.
 * @udev: the device; @udev->lock held for write and @udev->removed set.
 *
 * Later accesses through those mappings fault with SIGBUS; mmap() fails
 * from here on, since it checks @udev->removed under @udev->mmap_mutex.
 */
void uldf_bar_revoke(struct uldf_device *udev)
{
	mutex_lock(&udev->mmap_mutex);
	if (udev->mapping)
		unmap_mapping_range(udev->mapping, 0, 0, true);
	mutex_unlock(&udev->mmap_mutex);
}
