// SPDX-License-Identifier: GPL-2.0
/*
 * uldf IOMMU domain: the open device's paging domain and its page tables.
 *
 * Opening the device fd gives the device a fresh IOMMU paging domain,
 * attached to its IOMMU group (whose DMA ownership core.c claimed at bind),
 * so that the device reaches nothing until the user maps memory; its IOVA
 * space is then laid out (iova.c).  Where the IOMMU can, the domain
 * enforces cache coherency, set once after the attach and before any
 * mapping: the IOMMU then snoops the CPU caches on every DMA, even a
 * request with the No Snoop attribute.  config.c lets the device's Enable
 * No Snoop bit follow the user only in that case.
 *
 * The runs of a map call (entries whose IOVAs follow one another), already
 * placed in the IOVA tree, are programmed with one iommu_map_sg() each,
 * hence one IOTLB synchronisation per run, the cost that dominates under
 * an emulated IOMMU in caching mode.  iommu_map_sg() gives physically
 * contiguous memory (hugetlbfs, THP) the largest IOMMU pages that fit, but
 * an entry joins a run only if that puts no large IOMMU page across the
 * two (uldf_dma_joins()), so unmapping one entry never takes another's
 * translation with it.  Programming a call is all or nothing.
 * Unmaps gather with iommu_unmap_fast() in IOVA order and sync once; the
 * caller unpins only then.
 *
 * The page tables are programmed and unmapped under dma.lock.  The open
 * runs with the device's lock held for write, before the domain is
 * published in dma->domain; the release, which detaches and frees it, is
 * in dma.c.
 */
#include <linux/iommu.h>
#include <linux/list_sort.h>
#include <linux/scatterlist.h>

#include "uldf_private.h"

static int uldf_dma_prot(const struct uldf_dma_state *dma, u32 flags)
{
	int prot = dma->cache_prot;

	if (flags & ULDF_DMA_MAP_READ)
		prot |= IOMMU_READ;
	if (flags & ULDF_DMA_MAP_WRITE)
		prot |= IOMMU_WRITE;
	return prot;
}

/* ---- programming the IOMMU ------------------------------------------- */

/**
 * uldf_dma_joins() - whether an entry may join a run in one iommu_map_sg().
 * @dma: the DMA state, with a domain.
 * @run: the run, whose last entry's pages come right before @e's.
 * @e: the entry, placed right after @run in IOVA.
 *
 * Besides the same permissions, @e must not let iommu_map_sg() put a large
 * IOMMU page across the two: that happens only when @e's first page
 * physically follows @run's last and, for some large page size, IOVA and
 * physical address are congruent modulo it while the boundary is not
 * aligned to it.
 *
 * Return: true if it may.
 */
bool uldf_dma_joins(const struct uldf_dma_state *dma,
		    const struct uldf_dma_mapping *run,
		    const struct uldf_dma_mapping *e)
{
	unsigned long big = dma->domain->pgsize_bitmap & ~GENMASK(PAGE_SHIFT, 0);
	unsigned long iova = run->iova + run->size;
	phys_addr_t start = page_to_phys(e->pages[0]);
	unsigned int bit;

	if ((e->flags & ULDF_DMA_MAP_RW) != (run->flags & ULDF_DMA_MAP_RW))
		return false;
	if (page_to_phys(run->pages[run->npages - 1]) + PAGE_SIZE != start)
		return true;
	for_each_set_bit(bit, &big, BITS_PER_LONG) {
		unsigned long mask = BIT(bit) - 1;

		if (!((iova ^ start) & mask) && (iova & mask))
			return false;
	}
	return true;
}

/* Map @nr pages of the run @m from page @skip with one iommu_map_sg(). */
static int uldf_dma_map_pages(struct uldf_dma_state *dma,
			      struct uldf_dma_mapping *m, unsigned long skip,
			      unsigned long nr)
{
	struct sg_append_table sgt = {};
	ssize_t mapped;
	int ret;

	/* A page alone needs no scatterlist (a map call of one page). */
	if (nr == 1)
		return iommu_map(dma->domain, m->iova + (skip << PAGE_SHIFT),
				 page_to_phys(m->pages[skip]), PAGE_SIZE,
				 uldf_dma_prot(dma, m->flags),
				 GFP_KERNEL_ACCOUNT);
	ret = sg_alloc_append_table_from_pages(&sgt, m->pages + skip, nr, 0,
					       nr << PAGE_SHIFT, UINT_MAX, 0,
					       GFP_KERNEL_ACCOUNT);
	if (ret)
		goto out_free;
	mapped = iommu_map_sg(dma->domain, m->iova + (skip << PAGE_SHIFT),
			      sgt.sgt.sgl, sgt.sgt.nents,
			      uldf_dma_prot(dma, m->flags), GFP_KERNEL_ACCOUNT);
	if (mapped < 0)
		ret = mapped;
out_free:
	sg_free_append_table(&sgt);
	return ret;
}

/*
 * Map the run @m, in pieces if it is an entry too large for one
 * scatterlist; *@mapped says how far it got on failure.
 */
static int uldf_dma_map_run(struct uldf_dma_state *dma,
			    struct uldf_dma_mapping *m, unsigned long *mapped)
{
	unsigned long off, nr;
	int ret;

	for (off = 0; off < m->npages; off += nr) {
		nr = min(m->npages - off, ULDF_DMA_RUN_PAGES);
		ret = uldf_dma_map_pages(dma, m, off, nr);
		if (ret) {
			*mapped = off;
			return ret;
		}
	}
	return 0;
}

/*
 * Undo the programming of the runs on @runs before @stop, and of @partial
 * pages of @stop.
 */
static void uldf_dma_unprogram(struct uldf_dma_state *dma,
			       struct list_head *runs,
			       struct uldf_dma_mapping *stop,
			       unsigned long partial)
{
	struct iommu_iotlb_gather gather;
	struct uldf_dma_mapping *m;

	iommu_iotlb_gather_init(&gather);
	list_for_each_entry(m, runs, node) {
		if (m == stop)
			break;
		iommu_unmap_fast(dma->domain, m->iova, m->size, &gather);
	}
	if (partial)
		iommu_unmap_fast(dma->domain, stop->iova, partial << PAGE_SHIFT,
				 &gather);
	iommu_iotlb_sync(dma->domain, &gather);
}

/**
 * uldf_dma_program() - program runs into the IOMMU.
 * @dma: the DMA state, with a domain; dma.lock held.
 * @runs: the runs of a map call (struct uldf_dma_mapping), already in
 *	  the tree.
 *
 * One iommu_map_sg() (iommu_map() for a run of one page), hence one IOTLB
 * synchronisation, per run.  All or nothing: on failure what was programmed is unmapped again.
 *
 * Return: 0; -ENOMEM out of memory; another errno from iommu_map_sg().
 */
int uldf_dma_program(struct uldf_dma_state *dma, struct list_head *runs)
{
	unsigned long partial = 0;
	struct uldf_dma_mapping *m;
	int ret;

	list_for_each_entry(m, runs, node) {
		ret = uldf_dma_map_run(dma, m, &partial);
		if (ret) {
			uldf_dma_unprogram(dma, runs, m, partial);
			return ret;
		}
		cond_resched();
	}
	return 0;
}

static int uldf_dma_cmp_node(void *priv, const struct list_head *a,
			     const struct list_head *b)
{
	const struct uldf_dma_mapping *x, *y;

	x = list_entry(a, struct uldf_dma_mapping, node);
	y = list_entry(b, struct uldf_dma_mapping, node);
	return x->iova > y->iova;
}

static bool uldf_dma_list_sorted(struct list_head *list)
{
	struct uldf_dma_mapping *m, *prev = NULL;

	list_for_each_entry(m, list, node) {
		if (prev && prev->iova > m->iova)
			return false;
		prev = m;
	}
	return true;
}

/**
 * uldf_dma_unmap_list() - remove the translations of mappings.
 * @dma: the DMA state; dma.lock held.  Nothing happens without a domain.
 * @list: the mappings, out of the tree; sorted by IOVA here.
 *
 * In IOVA order so that the IOTLB gather stays one range where it can,
 * with one sync.
 */
void uldf_dma_unmap_list(struct uldf_dma_state *dma, struct list_head *list)
{
	struct iommu_iotlb_gather gather;
	struct uldf_dma_mapping *m;

	if (!dma->domain || list_empty(list))
		return;
	if (!uldf_dma_list_sorted(list))
		list_sort(NULL, list, uldf_dma_cmp_node);
	iommu_iotlb_gather_init(&gather);
	list_for_each_entry(m, list, node) {
		iommu_unmap_fast(dma->domain, m->iova, m->size, &gather);
		cond_resched();
	}
	iommu_iotlb_sync(dma->domain, &gather);
}

/* ---- the domain, at open ---------------------------------------------- */

/*
 * Have the IOMMU snoop every DMA of the domain, No Snoop attribute or not,
 * where it can, as vfio type1 and iommufd do.  It must be decided before
 * the first mapping (Intel's second-level tables set a snoop bit per PTE)
 * and after the attach, which is what tells the driver which IOMMU units
 * must support it (an Intel domain made to snoop before it is attached
 * refuses a unit without Snoop Control).  There is no wrapper for the
 * domain op; iommufd and type1 call it directly too.
 */
static void uldf_dma_enforce_coherency(struct uldf_device *udev,
				       struct iommu_domain *domain)
{
	struct uldf_dma_state *dma = udev->dma;

	dma->coherent = domain->ops->enforce_cache_coherency &&
			domain->ops->enforce_cache_coherency(domain);
	pci_dbg(udev->pdev, "uldf: the IOMMU %s cache coherency\n",
		dma->coherent ? "enforces" : "cannot enforce");
}

/**
 * uldf_dma_open_domain() - give the device being opened its domain.
 * @udev: the device, with an IOMMU group; @udev->lock held for write.
 *
 * Allocates a paging domain, attaches it to the group, has it enforce
 * cache coherency where the IOMMU can and lays its IOVA space out; then
 * publishes it in dma->domain.  On failure nothing is left attached.
 *
 * Return: 0; -ENOMEM out of memory; -ENODEV the IOMMU cannot give the
 * device a domain; -EINVAL the IOMMU's smallest page is larger than the
 * CPU's; another errno from iommu_attach_group() (e.g. -EBUSY) or from
 * uldf_dma_setup_iova().
 */
int uldf_dma_open_domain(struct uldf_device *udev)
{
	struct uldf_dma_state *dma = udev->dma;
	struct device *dev = &udev->pdev->dev;
	struct iommu_domain *domain;
	int ret;

	domain = iommu_paging_domain_alloc(dev);
	if (IS_ERR(domain))
		return PTR_ERR(domain);
	if (__ffs(domain->pgsize_bitmap) > PAGE_SHIFT) {
		pci_err(udev->pdev, "uldf: the IOMMU's smallest page (%#lx) is larger than the CPU's\n",
			BIT(__ffs(domain->pgsize_bitmap)));
		ret = -EINVAL;
		goto out_free;
	}
	ret = iommu_attach_group(domain, udev->group);
	if (ret)
		goto out_free;
	uldf_dma_enforce_coherency(udev, domain);
	ret = uldf_dma_setup_iova(dma, domain, udev->group);
	if (ret)
		goto out_detach;
	dma->cache_prot = device_iommu_capable(dev, IOMMU_CAP_CACHE_COHERENCY) ?
			  IOMMU_CACHE : 0;
	dma->domain = domain;
	return 0;

out_detach:
	iommu_detach_group(domain, udev->group);
out_free:
	iommu_domain_free(domain);
	return ret;
}

/* ---- another space's domain, at a join -------------------------------- */

/*
 * The IOMMU driver refuses a domain the device's IOMMU cannot use with
 * -EINVAL (the convention of attach_dev) or -EMEDIUMTYPE: the user is told
 * that the two cannot share, not that its argument was bad.
 */
static int uldf_dma_attach_errno(int ret)
{
	return ret == -EINVAL || ret == -EMEDIUMTYPE ? -EXDEV : ret;
}

/**
 * uldf_dma_join_domain() - move a device's group into another space's domain.
 * @udev: the device, whose own space (@udev->dma) has a domain and no
 *	  mapping; @udev->lock held for write.
 * @space: the space to join, with a domain; its lock held.
 *
 * Reserves in @space's IOVA tree the group's reserved regions first,
 * refusing if a mapping lies there, so that the group never reaches such
 * a mapping; then detaches the group from the device's own domain,
 * attaches it to @space's and reserves the outside of the aperture as the
 * group's IOMMU left it (uldf_dma_join_reserve(), uldf_dma_join_commit()).
 * On failure the tree is as it was and the group is given its own domain
 * back; should the IOMMU refuse that too, the group stays blocked (it
 * reaches nothing, and its own domain is empty), the log says so, and the
 * own space is marked blocked (map and join then fail with -EIO).
 *
 * Return: 0; -EXDEV the IOMMU cannot use @space's domain, or differs from
 * it in cache coherency; -EADDRINUSE the group's reserved regions, or the
 * aperture as its IOMMU narrows it, cover a mapping of @space; -ENOMEM
 * out of memory; another errno from iommu_attach_group(),
 * iommu_get_group_resv_regions() or iommu_get_msi_cookie().
 */
int uldf_dma_join_domain(struct uldf_device *udev,
			 struct uldf_dma_state *space)
{
	struct iommu_domain *own = udev->dma->domain;
	struct uldf_dma_join_resv jr;
	int ret;

	/*
	 * The device's Enable No Snoop bit was set up for its own domain,
	 * and the mappings' IOMMU_CACHE for the space's first device.
	 */
	if (udev->dma->coherent != space->coherent ||
	    udev->dma->cache_prot != space->cache_prot)
		return -EXDEV;
	ret = uldf_dma_join_reserve(space, udev->group, &jr);
	if (ret)
		return ret;
	iommu_detach_group(own, udev->group);
	ret = iommu_attach_group(space->domain, udev->group);
	if (ret) {
		ret = uldf_dma_attach_errno(ret);
		uldf_dma_join_abort(space, &jr);
		goto out_restore;
	}
	ret = uldf_dma_join_commit(space, &jr);
	if (!ret)
		return 0;
	iommu_detach_group(space->domain, udev->group);
out_restore:
	if (iommu_attach_group(own, udev->group)) {
		pci_err(udev->pdev, "uldf: the IOMMU refused the device its own domain back; its DMA is blocked until it is closed\n");
		udev->dma->blocked = true;
	}
	return ret;
}
