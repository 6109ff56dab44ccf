// SPDX-License-Identifier: GPL-2.0
/*
 * uldf no-IOMMU DMA: pinned user memory as a scatterlist of bus addresses.
 *
 * No-IOMMU mode (module parameter enable_noiommu, for a device without an
 * IOMMU group; the opener needs CAP_SYS_RAWIO, which core.c checks before
 * this runs) taints the kernel at open.  Nothing translates the device's
 * DMA: a map pins the pages and charges them as with an IOMMU (pin.c), and
 * returns their bus addresses as a scatterlist, one segment per physically
 * contiguous run, all below the caller's limit.  The mapping is known by
 * the bus address of its first page, its key in the IOVA tree, which holds
 * nothing else in this mode; a fixed IOVA is refused.  The segments are
 * counted under the device's lock and reported under dma.lock, without
 * faulting: dma.c faults the user's memory in before it takes either.
 */
#include <linux/dma-direct.h>
#include <linux/panic.h>
#include <linux/sched.h>
#include <linux/uaccess.h>

#include "uldf_private.h"

/* The physically contiguous segment of @m that starts at page *@i. */
static void uldf_dma_next_seg(struct device *dev,
			      const struct uldf_dma_mapping *m,
			      unsigned long *i, struct uldf_dma_seg *seg)
{
	unsigned long first = *i, j = first + 1;

	while (j < m->npages &&
	       page_to_pfn(m->pages[j]) == page_to_pfn(m->pages[j - 1]) + 1)
		j++;
	seg->addr = phys_to_dma(dev, page_to_phys(m->pages[first]));
	seg->len = (u64)(j - first) << PAGE_SHIFT;
	*i = j;
}

/**
 * uldf_dma_noiommu_prepare() - count a no-IOMMU mapping's segments.
 * @udev: the device; @udev->lock held for read.
 * @m: the pinned mapping; its key (@m->iova) is set to the bus address of
 *     its first page.
 * @uent: the user's entry, where the count needed is reported if the
 *	  caller's room is too small.
 *
 * Checks the segments against the caller's DMA limit and room.
 *
 * Return: 0; -ERANGE memory above the caller's limit; -E2BIG more segments
 * than the caller has room for; -EFAULT the count needed could not be
 * written.
 */
int uldf_dma_noiommu_prepare(struct uldf_device *udev,
			     struct uldf_dma_mapping *m,
			     struct uldf_dma_map __user *uent)
{
	struct device *dev = &udev->pdev->dev;
	struct uldf_dma_seg seg;
	unsigned long i = 0;
	u32 nr = 0;

	while (i < m->npages) {
		uldf_dma_next_seg(dev, m, &i, &seg);
		if (!nr)
			m->iova = seg.addr;
		nr++;
		if (seg.addr + seg.len - 1 > m->limit)
			return -ERANGE;
	}
	if (nr > m->room) {
		if (copy_to_user_nofault(&uent->nr_segs, &nr, sizeof(nr)))
			return -EFAULT;
		return -E2BIG;
	}
	m->nr_segs = nr;
	return 0;
}

/**
 * uldf_dma_noiommu_report() - write a no-IOMMU mapping's segments out.
 * @udev: the device; dma.lock held.
 * @m: the mapping, counted by uldf_dma_noiommu_prepare().
 * @uent: the user's entry; its segments and @nr_segs are written without
 *	  faulting.
 *
 * Return: 0, or -EFAULT if the user's memory is not there.
 */
int uldf_dma_noiommu_report(struct uldf_device *udev,
			    struct uldf_dma_mapping *m,
			    struct uldf_dma_map __user *uent)
{
	struct uldf_dma_seg __user *useg = u64_to_user_ptr(m->segs_ptr);
	struct device *dev = &udev->pdev->dev;
	struct uldf_dma_seg seg;
	unsigned long i = 0;

	while (i < m->npages) {
		uldf_dma_next_seg(dev, m, &i, &seg);
		if (copy_to_user_nofault(useg++, &seg, sizeof(seg)))
			return -EFAULT;
	}
	if (copy_to_user_nofault(&uent->nr_segs, &m->nr_segs,
				 sizeof(m->nr_segs)))
		return -EFAULT;
	return 0;
}

/**
 * uldf_dma_open_noiommu() - open the device for DMA in no-IOMMU mode.
 * @udev: the device; @udev->lock held for write, in the opening process.
 *
 * Taints the kernel and says who may now reach all physical memory.
 */
void uldf_dma_open_noiommu(struct uldf_device *udev)
{
	add_taint(TAINT_USER, LOCKDEP_STILL_OK);
	pci_warn(udev->pdev,
		 "uldf: no-IOMMU mode: %s[%d] may now make this device read and write any physical memory; kernel tainted\n",
		 current->comm, task_pid_nr(current));
	udev->dma->noiommu = true;
}
