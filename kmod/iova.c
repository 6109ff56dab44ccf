// SPDX-License-Identifier: GPL-2.0
/*
 * uldf IOVA space: where mappings go in a DMA space.
 *
 * One maple tree per DMA space holds the mappings by IOVA together with
 * what may never be mapped (the outside of the domain's aperture, the MSI
 * window, RMRRs), reserved at open, so a fixed IOVA is checked and a free
 * one found (mas_empty_area) with one walk of one tree.  The ranges left
 * free are the usable ranges that ULDF_DMA_GET_INFO reports and a fixed
 * IOVA must lie in.  A device that joins the space adds the reserved
 * regions of its group, before its group is attached, and the aperture as
 * its IOMMU narrows it, after, unless a mapping lies there; the usable
 * ranges are then those of every member.  They are not given back when a
 * member leaves: the ranges of a space only shrink.
 * An allocated IOVA goes right after the previous
 * entry of the call where that is free (else to the lowest free place),
 * aligned like the user address to the largest IOMMU page that fits, so a
 * batch forms one run, stored as one entry of the tree.  An unmap takes out
 * only whole entries of a call: a range that cuts through one is refused,
 * and a run is cut in two where the range ends between two of its
 * entries (the memory for that had first, or the unmap is refused with
 * ENOMEM).  In no-IOMMU mode (noiommu.c) the tree holds only the
 * mappings, one entry each, by the bus address of their first page.
 *
 * The tree's lock is dma->lock (an external lock): everything here runs
 * under it; the usable ranges change only when a device joins, under it
 * too, and are read under it or RCU.  This file only keeps the books: the
 * IOMMU's page tables
 * are programmed in domain.c.
 */
#include <linux/iommu.h>
#include <linux/slab.h>

#include "uldf_private.h"

/* Tree entry of a range that may not be mapped. */
#define ULDF_DMA_RESERVED	xa_mk_value(0)

static unsigned long uldf_dma_key_last(const struct uldf_dma_state *dma,
				       const struct uldf_dma_mapping *m)
{
	return m->iova + (dma->noiommu ? PAGE_SIZE : m->size) - 1;
}

/* ---- placing mappings ------------------------------------------------- */

/**
 * uldf_dma_iova_usable() - whether an IOVA range may be mapped.
 * @dma: the DMA space of an open device; the device's lock held.
 * @first: first IOVA of the range.
 * @last: last IOVA of the range.
 *
 * Return: true if [@first, @last] lies inside one usable range.
 */
bool uldf_dma_iova_usable(const struct uldf_dma_state *dma, u64 first,
			  u64 last)
{
	const struct uldf_dma_ranges *usable;
	bool found = false;
	unsigned int i;

	rcu_read_lock();
	usable = rcu_dereference(dma->ranges);
	for (i = 0; usable && i < usable->nr && !found; i++)
		found = first >= usable->r[i].start && last <= usable->r[i].last;
	rcu_read_unlock();
	return found;
}

/*
 * Erasing may need a maple node; it must not fail, or the tree would keep
 * a pointer to a mapping about to be freed.
 */
#define ULDF_DMA_ERASE_GFP	(GFP_KERNEL | __GFP_NOFAIL)

/**
 * uldf_dma_unstore() - take a mapping out of the tree.
 * @dma: the DMA state; dma.lock held.
 * @m: the mapping; nothing happens if it is not in the tree at its key.
 */
void uldf_dma_unstore(struct uldf_dma_state *dma, struct uldf_dma_mapping *m)
{
	MA_STATE(mas, &dma->mappings, m->iova, m->iova);

	if (mas_walk(&mas) == m)
		mas_store_gfp(&mas, NULL, ULDF_DMA_ERASE_GFP);
}

/**
 * uldf_dma_replace() - put another mapping in the place of one in the tree.
 * @dma: the DMA state; dma.lock held.
 * @old: the mapping in the tree.
 * @new: a mapping on the same IOVAs, in its place on success.
 *
 * Return: 0, or -ENOMEM (the tree then unchanged).
 */
int uldf_dma_replace(struct uldf_dma_state *dma, struct uldf_dma_mapping *old,
		     struct uldf_dma_mapping *new)
{
	MA_STATE(mas, &dma->mappings, old->iova, uldf_dma_key_last(dma, old));

	return mas_store_gfp(&mas, new, GFP_KERNEL_ACCOUNT);
}

/*
 * Whether [@first, @last] is free; *@gap_last is then the last IOVA of the
 * free range found there.
 */
static bool uldf_dma_free_at(struct ma_state *mas, unsigned long first,
			     unsigned long last, unsigned long *gap_last)
{
	mas_set(mas, first);
	if (mas_walk(mas) || mas->last < last)
		return false;
	*gap_last = mas->last;
	return true;
}

/*
 * The IOVA alignment worth having for @e: its largest IOMMU page size.  The
 * IOVA is then chosen congruent to the user address modulo it, as hugetlbfs
 * and THP pages are physically, so that iommu_map_sg() can use that size.
 */
static unsigned long uldf_dma_iova_align(const struct uldf_dma_state *dma,
					 const struct uldf_dma_mapping *e)
{
	unsigned long sizes;

	sizes = dma->domain->pgsize_bitmap & GENMASK(__fls(e->size), 0);
	return sizes > PAGE_SIZE ? BIT(__fls(sizes)) : PAGE_SIZE;
}

/* Lowest free IOVA in [@lo, @hi] for @e at @align; -ENOSPC if none. */
static int uldf_dma_search(struct ma_state *mas, struct uldf_dma_mapping *e,
			   unsigned long lo, unsigned long hi,
			   unsigned long align)
{
	unsigned long span;

	if (check_add_overflow(e->size, align - PAGE_SIZE, &span))
		return -ENOSPC;
	mas_reset(mas);
	if (hi < lo || mas_empty_area(mas, lo, hi, span))
		return -ENOSPC;
	/* It goes inside the free range the search stopped at. */
	e->iova = mas->index + ((e->vaddr - mas->index) & (align - 1));
	return 0;
}

/*
 * Whether @e may go at @iova, right after the previous entry of its call:
 * suitably aligned and within its limit (not whether it is free).
 */
static bool uldf_dma_next_fits(const struct uldf_dma_state *dma,
			       const struct uldf_dma_mapping *e,
			       unsigned long iova)
{
	unsigned long last;

	return iova &&
	       !((iova - e->vaddr) & (uldf_dma_iova_align(dma, e) - 1)) &&
	       !check_add_overflow(iova, e->size - 1, &last) &&
	       last <= e->limit;
}

/**
 * uldf_dma_find_place() - find where an entry that starts a run goes.
 * @dma: the DMA state; dma.lock held.
 * @mas: a state of the tree, left where @e goes for uldf_dma_store().
 * @e: the entry, at its fixed IOVA (or no-IOMMU key) or for an IOVA to be
 *     allocated at or below @e->limit, which is then set in @e->iova.
 * @next: where an allocated IOVA is tried first, right after the previous
 *	  allocated entry of the call (so that a batch makes one run and
 *	  costs no search); 0 if none.  Else the lowest that fits.  IOVA 0
 *	  is never handed out (a driver may well take 0 for "no address"),
 *	  as with the DMA API.
 * @gap_last: out: the last IOVA of the free range @e goes into, which the
 *	      run may grow to.
 *
 * Nothing is stored: uldf_dma_store() stores the run.
 *
 * Return: 0; -EEXIST the fixed IOVA overlaps a mapping or a reserved
 * range; -ENOSPC no free range below the limit.
 */
int uldf_dma_find_place(struct uldf_dma_state *dma, struct ma_state *mas,
			struct uldf_dma_mapping *e, unsigned long next,
			unsigned long *gap_last)
{
	unsigned long align;
	int ret;

	if (dma->noiommu || (e->flags & ULDF_DMA_MAP_FIXED_IOVA))
		return uldf_dma_free_at(mas, e->iova, uldf_dma_key_last(dma, e),
					gap_last) ? 0 : -EEXIST;
	if (next && uldf_dma_next_fits(dma, e, next) &&
	    uldf_dma_free_at(mas, next, next + e->size - 1, gap_last)) {
		e->iova = next;
		return 0;
	}
	align = uldf_dma_iova_align(dma, e);
	ret = uldf_dma_search(mas, e, PAGE_SIZE, e->limit, align);
	if (ret == -ENOSPC && align > PAGE_SIZE)
		ret = uldf_dma_search(mas, e, PAGE_SIZE, e->limit, PAGE_SIZE);
	if (!ret && !uldf_dma_free_at(mas, e->iova, e->iova + e->size - 1,
				      gap_last))
		ret = -ENOSPC;
	return ret;
}

/**
 * uldf_dma_extends() - whether an entry continues a run.
 * @dma: the DMA state, with a domain; dma.lock held.
 * @run: the run, not stored yet, inside a free range up to @gap_last.
 * @e: the entry after the run's last in the call; its IOVA is set if so.
 * @next: as for uldf_dma_find_place().
 * @gap_last: the last IOVA free after @run.
 *
 * It does if it goes right after the run (its fixed IOVA, or the next
 * allocated one, which fits it), free, with the same access and within a
 * run's size, and no IOMMU page would cross from the run into it.  A run
 * that ends at the top of the IOVA space is never extended: IOVA 0 does
 * not follow it.
 *
 * Return: true if @e joins @run.
 */
bool uldf_dma_extends(const struct uldf_dma_state *dma,
		      const struct uldf_dma_mapping *run,
		      struct uldf_dma_mapping *e, unsigned long next,
		      unsigned long gap_last)
{
	unsigned long iova, last;

	/* A run never wraps: nothing follows one that ends at the top. */
	if (check_add_overflow(run->iova, run->size, &iova) || !iova)
		return false;
	if (dma->noiommu || run->npages >= ULDF_DMA_RUN_PAGES ||
	    e->npages > ULDF_DMA_RUN_PAGES - run->npages)
		return false;
	if (e->flags & ULDF_DMA_MAP_FIXED_IOVA) {
		if (e->iova != iova)
			return false;
	} else if (next != iova || !uldf_dma_next_fits(dma, e, iova)) {
		return false;
	}
	if (check_add_overflow(iova, e->size - 1, &last) || last > gap_last ||
	    !uldf_dma_joins(dma, run, e))
		return false;
	e->iova = iova;
	return true;
}

/**
 * uldf_dma_store() - put a run in the tree, where it was placed.
 * @dma: the DMA state; dma.lock held.
 * @mas: the state uldf_dma_find_place() left at the run's first entry,
 *	 the tree unchanged since.
 * @m: the run, on free IOVAs (uldf_dma_find_place(), uldf_dma_extends()).
 *
 * Return: 0; -ENOMEM; -EINVAL the run wraps past the top of the IOVA space
 * (a bug: the placement never makes one).
 */
int uldf_dma_store(struct uldf_dma_state *dma, struct ma_state *mas,
		   struct uldf_dma_mapping *m)
{
	mas->index = m->iova;
	mas->last = uldf_dma_key_last(dma, m);
	/* Placed runs never wrap (uldf_dma_extends()). */
	if (WARN_ON_ONCE(mas->last < mas->index))
		return -EINVAL;
	return mas_store_gfp(mas, m, GFP_KERNEL_ACCOUNT);
}

static int uldf_dma_reserve(struct uldf_dma_state *dma, unsigned long first,
			    unsigned long last)
{
	MA_STATE(mas, &dma->mappings, first, last);

	if (first > last)
		return 0;
	return mas_store_gfp(&mas, ULDF_DMA_RESERVED, GFP_KERNEL);
}

/* ---- taking mappings out ---------------------------------------------- */

/* Take the range of @m, not stored under its own pointer, out of the tree. */
static void uldf_dma_erase_piece(struct uldf_dma_state *dma,
				 struct uldf_dma_mapping *m)
{
	MA_STATE(mas, &dma->mappings, m->iova, m->iova + m->size - 1);

	mas_store_gfp(&mas, NULL, ULDF_DMA_ERASE_GFP);
}

/**
 * uldf_dma_take_range() - take the mappings of an IOVA range out.
 * @dma: the DMA state; dma.lock held.
 * @iova: first IOVA of the range, page aligned.
 * @size: bytes, page aligned, not 0; the range does not wrap.
 * @list: where the mappings go, for the caller to unmap and unpin.
 *
 * Takes the entries that [@iova, @iova + @size) covers exactly out of the
 * tree and onto @list, as runs, cutting a run at the range's ends where
 * they fall between two of its entries, and off the device's locked page
 * count.  In no-IOMMU mode the range must be one mapping (whose key is
 * only its first page).
 *
 * A cut needs a record for the part taken out, allocated before anything
 * changes; the part that stays keeps the run's record, and so its place
 * in the tree, but for a range inside one run: the run's rest after the
 * range gets a tree entry of its own, stored first.  If either fails the
 * range is refused, nothing taken.
 *
 * Return: 0; -ENOENT no mapping starts at @iova; -EBUSY the range cuts
 * through an entry (or, no-IOMMU, is not exactly one mapping); -ENOMEM out
 * of memory for a cut.
 */
int uldf_dma_take_range(struct uldf_dma_state *dma, u64 iova, u64 size,
			struct list_head *list)
{
	MA_STATE(mas, &dma->mappings, iova, iova);
	unsigned long last = iova + size - 1;
	struct uldf_dma_mapping *m, *end = NULL, *head = NULL, *tail = NULL;
	LIST_HEAD(found);
	void *entry;

	entry = mas_walk(&mas);
	if (!entry || xa_is_value(entry))
		return -ENOENT;
	m = entry;
	if (m->iova == iova && m->size == size) {
		/* The common case, one whole run: erase it where we are. */
		mas_store_gfp(&mas, NULL, ULDF_DMA_ERASE_GFP);
		uldf_dma_run_untrack(dma, m);
		list_add_tail(&m->node, list);
		return 0;
	}
	if (dma->noiommu ||
	    !uldf_dma_run_bound(m, (iova - m->iova) >> PAGE_SHIFT))
		return -EBUSY;
	mas_set(&mas, last);
	entry = mas_walk(&mas);
	if (entry && !xa_is_value(entry)) {
		end = entry;
		if (end->iova + end->size - 1 == last)
			end = NULL;
		else if (!uldf_dma_run_bound(end,
					     (last + 1 - end->iova) >> PAGE_SHIFT))
			return -EBUSY;
	}

	/* Checked; what the cuts need comes before any change. */
	if (m->iova != iova) {
		head = kmalloc(sizeof(*head), GFP_KERNEL_ACCOUNT);
		if (!head)
			return -ENOMEM;
	}
	if (end) {
		tail = kmalloc(sizeof(*tail), GFP_KERNEL_ACCOUNT);
		if (!tail)
			goto nomem;
	}
	if (head && end == m) {
		/* Inside one run: its rest, @tail, in the tree first. */
		MA_STATE(rmas, &dma->mappings, last + 1,
			 m->iova + m->size - 1);

		if (mas_store_gfp(&rmas, tail, GFP_KERNEL_ACCOUNT))
			goto nomem;
	}

	/* Nothing can fail from here. */
	if (head)
		uldf_dma_run_split(m, (iova - m->iova) >> PAGE_SHIFT, head,
				   false);
	if (head && end == m) {
		uldf_dma_run_split(head, size >> PAGE_SHIFT, tail, false);
		tail = NULL;
	} else if (tail) {
		uldf_dma_run_split(end, (last + 1 - end->iova) >> PAGE_SHIFT,
				   tail, true);
	}
	if (head) {
		uldf_dma_erase_piece(dma, head);
		uldf_dma_run_untrack(dma, head);
		list_add_tail(&head->node, &found);
	}
	if (tail)
		uldf_dma_erase_piece(dma, tail);
	/* Left in the range: whole runs. */
	mas_set(&mas, iova);
	mas_for_each(&mas, entry, last)
		if (!xa_is_value(entry))
			list_add_tail(&((struct uldf_dma_mapping *)entry)->node,
				      &found);
	list_for_each_entry(m, &found, node) {
		if (m != head) {
			uldf_dma_unstore(dma, m);
			uldf_dma_run_untrack(dma, m);
		}
	}
	if (tail) {
		uldf_dma_run_untrack(dma, tail);
		list_add_tail(&tail->node, &found);
	}
	list_splice_tail(&found, list);
	return 0;

nomem:
	kfree(tail);
	kfree(head);
	return -ENOMEM;
}

/**
 * uldf_dma_list_all() - list every mapping, leaving the tree as it is.
 * @dma: the DMA state; dma.lock held.
 * @list: where the mappings go.
 */
void uldf_dma_list_all(struct uldf_dma_state *dma, struct list_head *list)
{
	MA_STATE(mas, &dma->mappings, 0, 0);
	void *entry;

	mas_for_each(&mas, entry, ULONG_MAX) {
		if (!xa_is_value(entry))
			list_add_tail(&((struct uldf_dma_mapping *)entry)->node,
				      list);
		cond_resched();
	}
}

/**
 * uldf_dma_take_all() - take every mapping out of the tree.
 * @dma: the DMA state; dma.lock held.
 * @list: where the mappings go, for the caller to unmap and unpin.
 *
 * The reserved ranges stay; the device's locked page count drops to 0.
 */
void uldf_dma_take_all(struct uldf_dma_state *dma, struct list_head *list)
{
	struct uldf_dma_mapping *m;
	LIST_HEAD(found);

	uldf_dma_list_all(dma, &found);
	list_for_each_entry(m, &found, node) {
		uldf_dma_unstore(dma, m);
		uldf_dma_run_untrack(dma, m);
	}
	list_splice_tail(&found, list);
}

/* ---- the reserved regions and the usable ranges, at open --------------- */

static void uldf_dma_free_resv(struct list_head *resv)
{
	struct iommu_resv_region *r, *tmp;

	list_for_each_entry_safe(r, tmp, resv, list)
		kfree(r);
}

/*
 * Put in the tree what may never be mapped: the outside of the aperture and
 * the group's reserved regions, except those a device may ignore (RMRRs
 * for USB and graphics).  A software-managed MSI window gets its cookie.
 */
static int uldf_dma_reserve_regions(struct uldf_dma_state *dma,
				    struct iommu_domain *domain,
				    struct iommu_group *group)
{
	const struct iommu_domain_geometry *geo = &domain->geometry;
	struct iommu_resv_region *r;
	phys_addr_t sw_msi = 0;
	bool has_sw_msi = false;
	LIST_HEAD(resv);
	u64 last;
	int ret;

	if (geo->force_aperture) {
		ret = 0;
		if (geo->aperture_start)
			ret = uldf_dma_reserve(dma, 0, geo->aperture_start - 1);
		if (!ret && geo->aperture_end < ULONG_MAX)
			ret = uldf_dma_reserve(dma, geo->aperture_end + 1,
					       ULONG_MAX);
		if (ret)
			return ret;
	}
	ret = iommu_get_group_resv_regions(group, &resv);
	list_for_each_entry(r, &resv, list) {
		if (ret)
			break;
		if (r->type == IOMMU_RESV_DIRECT_RELAXABLE || !r->length)
			continue;
		if (r->type == IOMMU_RESV_SW_MSI) {
			sw_msi = r->start;
			has_sw_msi = true;
		}
		if (check_add_overflow((u64)r->start, (u64)r->length - 1, &last))
			last = U64_MAX;
		ret = uldf_dma_reserve(dma, r->start, min_t(u64, last, ULONG_MAX));
	}
	uldf_dma_free_resv(&resv);
	if (!ret && has_sw_msi) {
		ret = iommu_get_msi_cookie(domain, sw_msi);
		if (ret == -ENODEV)
			ret = 0;
	}
	return ret;
}

static void uldf_dma_add_range(struct uldf_iova_range *ranges,
			       unsigned int *n, unsigned long start,
			       unsigned long last)
{
	if (ranges) {
		ranges[*n].start = start;
		ranges[*n].last = last;
	}
	(*n)++;
}

/*
 * The gaps between the reserves of the tree, mappings counting as free:
 * into @ranges if not NULL; returns how many.
 */
static unsigned int uldf_dma_gaps(struct uldf_dma_state *dma,
				  struct uldf_iova_range *ranges)
{
	MA_STATE(mas, &dma->mappings, 0, 0);
	unsigned long next = 0;
	unsigned int n = 0;
	void *entry;

	mas_for_each(&mas, entry, ULONG_MAX) {
		if (!xa_is_value(entry))
			continue;
		if (mas.index > next)
			uldf_dma_add_range(ranges, &n, next, mas.index - 1);
		if (mas.last == ULONG_MAX)
			return n;
		next = mas.last + 1;
	}
	uldf_dma_add_range(ranges, &n, next, ULONG_MAX);
	return n;
}

/* The usable ranges as the tree has them now; NULL if out of memory. */
static struct uldf_dma_ranges *uldf_dma_collect_ranges(struct uldf_dma_state *dma)
{
	unsigned int n = uldf_dma_gaps(dma, NULL);
	struct uldf_dma_ranges *usable;

	usable = kzalloc(struct_size(usable, r, n), GFP_KERNEL_ACCOUNT);
	if (!usable)
		return NULL;
	usable->nr = n;
	uldf_dma_gaps(dma, usable->r);
	return usable;
}

/* Publish @usable; readers of the ranges it replaces may be under RCU. */
static void uldf_dma_publish_ranges(struct uldf_dma_state *dma,
				    struct uldf_dma_ranges *usable)
{
	struct uldf_dma_ranges *old;

	old = rcu_replace_pointer(dma->ranges, usable,
				  lockdep_is_held(&dma->lock));
	if (old)
		kfree_rcu(old, rcu);
}

/**
 * uldf_dma_setup_iova() - lay out a new domain's IOVA space.
 * @dma: the DMA space of the device being opened; takes dma->lock.
 * @domain: the paging domain, attached to the device's group.
 * @group: the device's IOMMU group.
 *
 * Reserves in the empty tree what may never be mapped, gives a
 * software-managed MSI window its cookie, and keeps the usable ranges
 * left.  On failure the tree is empty again.
 *
 * Return: 0; -ENOMEM out of memory; another errno from
 * iommu_get_group_resv_regions() or iommu_get_msi_cookie().
 */
int uldf_dma_setup_iova(struct uldf_dma_state *dma,
			struct iommu_domain *domain, struct iommu_group *group)
{
	struct uldf_dma_ranges *usable = NULL;
	int ret;

	mutex_lock(&dma->lock);
	ret = uldf_dma_reserve_regions(dma, domain, group);
	if (!ret) {
		usable = uldf_dma_collect_ranges(dma);
		ret = usable ? 0 : -ENOMEM;
	}
	if (ret)
		__mt_destroy(&dma->mappings);
	else
		uldf_dma_publish_ranges(dma, usable);
	mutex_unlock(&dma->lock);
	return ret;
}

/* ---- a device joining the space ----------------------------------------- */

static unsigned long uldf_dma_resv_last(const struct iommu_resv_region *r)
{
	u64 last;

	if (check_add_overflow((u64)r->start, (u64)r->length - 1, &last))
		return ULONG_MAX;
	return min_t(u64, last, ULONG_MAX);
}

/*
 * The outside of the domain's aperture, as reserved regions: a joining
 * group's IOMMU may have narrowed it at the attach.
 */
static int uldf_dma_aperture_regions(struct uldf_dma_state *dma,
				     struct list_head *resv)
{
	const struct iommu_domain_geometry *geo = &dma->domain->geometry;
	struct iommu_resv_region *r;

	if (!geo->force_aperture)
		return 0;
	if (geo->aperture_start) {
		r = iommu_alloc_resv_region(0, geo->aperture_start, 0,
					    IOMMU_RESV_RESERVED, GFP_KERNEL);
		if (!r)
			return -ENOMEM;
		list_add_tail(&r->list, resv);
	}
	if (geo->aperture_end < ULONG_MAX) {
		r = iommu_alloc_resv_region(geo->aperture_end + 1,
					    ULONG_MAX - geo->aperture_end, 0,
					    IOMMU_RESV_RESERVED, GFP_KERNEL);
		if (!r)
			return -ENOMEM;
		list_add_tail(&r->list, resv);
	}
	return 0;
}

/*
 * The pieces of [@first, @last] free in the tree, into @pieces from *@n
 * on (only counted in *@n if @pieces is NULL).  A mapping there makes it
 * -EADDRINUSE.
 */
static int uldf_dma_free_pieces(struct uldf_dma_state *dma,
				unsigned long first, unsigned long last,
				struct uldf_iova_range *pieces, unsigned int *n)
{
	MA_STATE(mas, &dma->mappings, first, first);
	unsigned long pos = first;
	void *entry;

	for (;;) {
		mas_set(&mas, pos);
		entry = mas_walk(&mas);
		if (entry && !xa_is_value(entry))
			return -EADDRINUSE;
		if (!entry)
			uldf_dma_add_range(pieces, n, pos, min(mas.last, last));
		if (mas.last >= last)
			return 0;
		pos = mas.last + 1;
	}
}

/* The free pieces of every region of @resv a device may not ignore. */
static int uldf_dma_resv_pieces(struct uldf_dma_state *dma,
				struct list_head *resv,
				struct uldf_iova_range *pieces, unsigned int *n)
{
	struct iommu_resv_region *r;
	int ret;

	list_for_each_entry(r, resv, list) {
		if (r->type == IOMMU_RESV_DIRECT_RELAXABLE || !r->length ||
		    r->start > ULONG_MAX)
			continue;
		ret = uldf_dma_free_pieces(dma, r->start, uldf_dma_resv_last(r),
					   pieces, n);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Reserve in the tree the free pieces of the regions on @resv, each noted
 * in @jr as it is reserved, so that uldf_dma_join_abort() frees exactly
 * those.
 */
static int uldf_dma_reserve_resv(struct uldf_dma_state *dma,
				 struct list_head *resv,
				 struct uldf_dma_join_resv *jr)
{
	struct uldf_iova_range *pieces;
	unsigned int n = 0, i;
	int ret;

	ret = uldf_dma_resv_pieces(dma, resv, NULL, &n);
	if (ret || !n)
		return ret;
	pieces = krealloc_array(jr->pieces, jr->n + n, sizeof(*pieces),
				GFP_KERNEL);
	if (!pieces)
		return -ENOMEM;
	jr->pieces = pieces;
	/* The same walk over the same tree: it cannot fail now. */
	n = jr->n;
	uldf_dma_resv_pieces(dma, resv, pieces, &n);
	for (i = jr->n; i < n; i++) {
		ret = uldf_dma_reserve(dma, pieces[i].start, pieces[i].last);
		if (ret)
			return ret;
		jr->n++;
	}
	return 0;
}

/* A software-managed MSI window of the group: the domain's cookie. */
static int uldf_dma_join_msi(struct iommu_domain *domain,
			     struct list_head *resv)
{
	struct iommu_resv_region *r;
	int ret;

	list_for_each_entry(r, resv, list) {
		if (r->type != IOMMU_RESV_SW_MSI)
			continue;
		/* A window the space already has keeps its cookie. */
		ret = iommu_get_msi_cookie(domain, r->start);
		return ret == -ENODEV || ret == -EEXIST ? 0 : ret;
	}
	return 0;
}

/* Free what @jr holds, leaving the tree as it is. */
static void uldf_dma_join_free(struct uldf_dma_join_resv *jr)
{
	kfree(jr->pieces);
	jr->pieces = NULL;
	jr->n = 0;
	uldf_dma_free_resv(&jr->regions);
	INIT_LIST_HEAD(&jr->regions);
}

/**
 * uldf_dma_join_abort() - undo uldf_dma_join_reserve().
 * @dma: the space; dma->lock held since uldf_dma_join_reserve().
 * @jr: what it reserved; freed here.
 *
 * Each piece was free before the join: it is free again.
 */
void uldf_dma_join_abort(struct uldf_dma_state *dma,
			 struct uldf_dma_join_resv *jr)
{
	lockdep_assert_held(&dma->lock);
	while (jr->n) {
		MA_STATE(mas, &dma->mappings, jr->pieces[jr->n - 1].start,
			 jr->pieces[jr->n - 1].last);

		mas_store_gfp(&mas, NULL, ULDF_DMA_ERASE_GFP);
		jr->n--;
	}
	uldf_dma_join_free(jr);
}

/**
 * uldf_dma_join_reserve() - make room in a space for a joining group,
 *	before the group is attached.
 * @dma: the space, with a domain; dma->lock held until
 *	 uldf_dma_join_commit() or uldf_dma_join_abort().
 * @group: the joining device's IOMMU group, not attached to the domain.
 * @jr: out: what was reserved, for the commit or the abort.
 *
 * Reserves in the space's tree the group's reserved regions where they
 * are not reserved yet, but refuses if one of them covers a mapping: this
 * runs before the attach, so that the group never reaches a mapping over
 * its own reserved regions (an MSI window, an RMRR).  On failure the tree
 * is as it was and @jr holds nothing.
 *
 * Return: 0; -EADDRINUSE a reserved region of the group covers a mapping;
 * -ENOMEM out of memory; another errno from iommu_get_group_resv_regions().
 */
int uldf_dma_join_reserve(struct uldf_dma_state *dma,
			  struct iommu_group *group,
			  struct uldf_dma_join_resv *jr)
{
	int ret;

	lockdep_assert_held(&dma->lock);
	INIT_LIST_HEAD(&jr->regions);
	jr->pieces = NULL;
	jr->n = 0;
	ret = iommu_get_group_resv_regions(group, &jr->regions);
	if (!ret)
		ret = uldf_dma_reserve_resv(dma, &jr->regions, jr);
	if (ret)
		uldf_dma_join_abort(dma, jr);
	return ret;
}

/**
 * uldf_dma_join_commit() - finish making room for a group just attached.
 * @dma: the space, which the group was just attached to; dma->lock held.
 * @jr: what uldf_dma_join_reserve() reserved; freed here.
 *
 * Reserves the outside of the aperture as the group's IOMMU left it, gives
 * a software-managed MSI window of the group its cookie and publishes the
 * usable ranges left: those of every member.  On failure everything the
 * join reserved is freed again, as by uldf_dma_join_abort().
 *
 * Return: 0; -EADDRINUSE the narrowed aperture leaves out a mapping;
 * -ENOMEM out of memory; another errno from iommu_get_msi_cookie().
 */
int uldf_dma_join_commit(struct uldf_dma_state *dma,
			 struct uldf_dma_join_resv *jr)
{
	struct uldf_dma_ranges *usable = NULL;
	LIST_HEAD(aperture);
	int ret;

	lockdep_assert_held(&dma->lock);
	ret = uldf_dma_aperture_regions(dma, &aperture);
	if (!ret)
		ret = uldf_dma_reserve_resv(dma, &aperture, jr);
	if (!ret) {
		usable = uldf_dma_collect_ranges(dma);
		ret = usable ? 0 : -ENOMEM;
	}
	if (!ret)
		ret = uldf_dma_join_msi(dma->domain, &jr->regions);
	uldf_dma_free_resv(&aperture);
	if (ret) {
		kfree(usable);
		uldf_dma_join_abort(dma, jr);
		return ret;
	}
	uldf_dma_publish_ranges(dma, usable);
	uldf_dma_join_free(jr);
	return 0;
}
