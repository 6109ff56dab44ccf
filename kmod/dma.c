// SPDX-License-Identifier: GPL-2.0
/*
 * uldf DMA: user memory mapped into a device's DMA space.
 *
 * Opening the device fd gives the device a DMA space with a fresh IOMMU
 * paging domain (space.c, domain.c), so that the device reaches nothing
 * until the user maps memory; other devices of the process may join the
 * space, and then a map or unmap through any of them acts on all.  A map
 * pins the user's pages with FOLL_LONGTERM and charges them to the
 * opener's locked_vm within RLIMIT_MEMLOCK, as VFIO type1 does (pin.c);
 * places them in the space's IOVA space, one maple tree that also holds
 * what may never be mapped (iova.c); and programs them into the domain
 * with iommu_map_sg() (domain.c).  This file drives those steps: the DMA
 * ioctls of the device fd.  The space is read from the device under its
 * lock, which a join takes for write to change it.
 *
 * Every map is a batch (a single ULDF_DMA_MAP is a batch of one) and runs in
 * steps: pin each entry without dma.lock, since faulting pages in may take
 * long; charge them all to locked_vm under one mmap lock, before the device
 * lock, since the user can hold its mmap lock indefinitely; then, under
 * dma.lock, reserve the IOVAs in order and report them; then program the
 * IOMMU with one iommu_map_sg() (iommu_map() for a run of one page) per
 * run of entries whose IOVAs follow one another, hence one IOTLB
 * synchronisation per run, the cost that
 * dominates under an emulated IOMMU in caching mode.  An allocated IOVA
 * goes right after the previous entry of the call where that is free (else
 * to the lowest free place), so a batch forms one run.  A run is one
 * mapping in the books (one tree entry, one allocation), which keeps its
 * entries' boundaries.  The runs of a call share its page array, sized for
 * every entry read; when the runs in the tree hold less than half of it,
 * after a map that stopped early or an unmap, they move to an array of
 * their size (pin.c), so that the kernel memory a mapping keeps is bounded
 * by its pinned pages, counted in RLIMIT_MEMLOCK.  Unmaps gather with iommu_unmap_fast(), sync once
 * and only then unpin; a batch unmap takes entries that follow one
 * another in a run as one range.
 *
 * For the user each entry is a mapping: an unmap takes whole entries, and
 * cuts a run only between two of them.  A run never lets iommu_map_sg()
 * merge two entries into one large IOMMU page, so unmapping one entry
 * never takes another's translation with it.
 *
 * Whether the domain enforces cache coherency (domain.c), so that the
 * IOMMU snoops even a No Snoop request, ULDF_DMA_GET_INFO reports and
 * uldf_dma_coherent() tells config.c and config_perm.c.
 *
 * Release (close, process death, or revocation at unbind, which may run in
 * another process; space.c) detaches the device's group first, so the
 * device reaches nothing; the last device of the space then frees the
 * domain, unpins every page (dirty where the device could write) and
 * credits locked_vm back to the mm stored at open, after the device lock
 * is dropped, and from a work item at unbind (pin.c).
 *
 * No-IOMMU mode (module parameter enable_noiommu, for a device without an
 * IOMMU group; the opener needs CAP_SYS_RAWIO, which core.c checks before
 * this runs) taints the kernel; a map pins the pages and returns their
 * bus addresses as a scatterlist, and the mapping is known by the address
 * of its first page (noiommu.c).
 */
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "uldf_private.h"

#define ULDF_DMA_MAP_FLAGS	(ULDF_DMA_MAP_RW | ULDF_DMA_MAP_FIXED_IOVA)

/* ---- map ---------------------------------------------------------------- */

/* What can be checked of an entry without the device's state. */
static int uldf_dma_check_map(const struct uldf_dma_map *req)
{
	u64 last;

	if ((req->flags & ~ULDF_DMA_MAP_FLAGS) ||
	    !(req->flags & ULDF_DMA_MAP_RW) || req->pad)
		return -EINVAL;
	if (!req->size || !PAGE_ALIGNED(req->size) ||
	    !PAGE_ALIGNED(req->vaddr) ||
	    check_add_overflow(req->vaddr, req->size - 1, &last))
		return -EINVAL;
	if (!access_ok(u64_to_user_ptr(req->vaddr), req->size))
		return -EFAULT;
	if ((req->flags & ULDF_DMA_MAP_FIXED_IOVA) &&
	    (!PAGE_ALIGNED(req->iova) ||
	     check_add_overflow(req->iova, req->size - 1, &last)))
		return -EINVAL;
	return 0;
}

/* Entries of a batch read from the user at once. */
#define ULDF_DMA_READ_CHUNK	8
/* Entries whose IOVA field is written in one user access section. */
#define ULDF_DMA_WRITE_CHUNK	256

/*
 * Copy in the next entries of a batch, @remain of them left at @uent, into
 * @buf (ULDF_DMA_READ_CHUNK entries): a whole chunk, else one entry, so
 * that the size is a constant and the copy needs no hardened usercopy
 * check at run time.  *@left is what copy_from_user() left.  Returns how
 * many entries were asked for.
 */
static u32 uldf_dma_copy_chunk(struct uldf_dma_map *buf,
			       const struct uldf_dma_map __user *uent,
			       u32 remain, unsigned long *left)
{
	if (remain >= ULDF_DMA_READ_CHUNK) {
		*left = copy_from_user(buf, uent,
				       ULDF_DMA_READ_CHUNK * sizeof(*buf));
		return ULDF_DMA_READ_CHUNK;
	}
	*left = copy_from_user(buf, uent, sizeof(*buf));
	return 1;
}

/*
 * First step of a map, without any of uldf's locks: check the entry @req
 * read from the user, and whether the caller's RLIMIT_MEMLOCK leaves room
 * for its pages.
 */
static int uldf_dma_read_entry(struct uldf_device *udev,
			       const struct uldf_dma_map *req, bool single,
			       const struct uldf_dma_acct *acct,
			       struct uldf_dma_mapping *e)
{
	int ret;

	if (single ? req->argsz < sizeof(*req) : req->argsz != sizeof(*req))
		return -EINVAL;
	ret = uldf_dma_check_map(req);
	if (!ret)
		ret = uldf_dma_may_pin(udev, req->size >> PAGE_SHIFT, acct);
	if (!ret)
		uldf_dma_entry_init(e, req);
	return ret;
}

/*
 * Read and pin @count entries at @uent into @ents, stopping at the first
 * failure (*@err), without any of uldf's locks, so that a page that never
 * faults in (userfaultfd) stalls only its own caller; *@block gets their
 * pages.  The entries are copied in a few at a time: a copy per entry
 * costs more than checking it.  Returns how many are pinned.
 */
static u32 uldf_dma_prepare(struct uldf_device *udev,
			    struct uldf_dma_map __user *uent, u32 count,
			    bool single, struct uldf_dma_acct *acct,
			    struct uldf_dma_mapping *ents,
			    struct uldf_dma_pages **block, int *err)
{
	struct uldf_dma_map reqs[ULDF_DMA_READ_CHUNK];
	u32 n = 0, got, i;
	unsigned long left;
	int ret = 0;

	uldf_dma_acct_init(acct);
	while (!ret && n < count) {
		got = uldf_dma_copy_chunk(reqs, &uent[n], count - n, &left);
		/* The entries copied whole count; the next is -EFAULT. */
		if (left)
			got -= DIV_ROUND_UP(left, sizeof(*reqs));
		for (i = 0; i < got; i++, n++) {
			ret = uldf_dma_read_entry(udev, &reqs[i], single, acct,
						  &ents[n]);
			if (ret)
				break;
			acct->pending += ents[n].npages;
		}
		if (!ret && left)
			ret = -EFAULT;
	}
	if (ret)
		*err = ret;
	if (!n)
		return 0;
	*block = uldf_dma_pages_alloc(ents, n);
	if (!*block) {
		*err = -ENOMEM;
		return 0;
	}
	return uldf_dma_pin(ents, n, err);
}

/*
 * Second step, under @udev->lock: what depends on the open device's DMA
 * space.  A fixed IOVA must lie in a usable range; a no-IOMMU mapping
 * gets its segments counted.
 */
static int uldf_dma_check_place(struct uldf_device *udev,
				struct uldf_dma_mapping *e,
				struct uldf_dma_map __user *uent)
{
	struct uldf_dma_state *dma = udev->dma;

	if (dma->noiommu) {
		if (e->flags & ULDF_DMA_MAP_FIXED_IOVA)
			return -EINVAL;
		return uldf_dma_noiommu_prepare(udev, e, uent);
	}
	if ((e->flags & ULDF_DMA_MAP_FIXED_IOVA) &&
	    !uldf_dma_iova_usable(dma, e->iova, e->iova + e->size - 1))
		return -EINVAL;
	return 0;
}

/*
 * Tell the user where @e went.  Under dma.lock, so without faulting: the
 * caller faulted the entries in before taking any lock, and a page taken
 * away since is -EFAULT rather than a wait.
 */
static int uldf_dma_report(struct uldf_device *udev,
			   struct uldf_dma_mapping *e,
			   struct uldf_dma_map __user *uent)
{
	u64 iova = e->iova;

	/* A fixed IOVA is what uldf_dma_fault_in() wrote back already. */
	if (!(e->flags & ULDF_DMA_MAP_FIXED_IOVA) &&
	    copy_to_user_nofault(&uent->iova, &iova, sizeof(iova)))
		return -EFAULT;
	if (udev->dma->noiommu)
		return uldf_dma_noiommu_report(udev, e, uent);
	return 0;
}

/*
 * Fault in what uldf_dma_report() writes for @count entries at @uent, so
 * that it finds the pages there.  Each entry's iova field is written back
 * with the value read from it (still in @ents[i].iova): the page was just
 * read, so this only makes it writable, for much less than a walk of the
 * page tables by fault_in_safe_writeable() costs a single map.  For an
 * entry with a fixed IOVA this is the only write-back: the value is
 * already the final one.  Called with no lock held: it may fault.
 */
static int uldf_dma_fault_in(struct uldf_dma_map __user *uent, u32 count,
			     struct uldf_dma_mapping *ents)
{
	u32 i, end;

	might_fault();
	/* One user access section per bounded step, not a put_user() each. */
	for (i = 0; i < count; i = end) {
		end = min_t(u32, count, i + ULDF_DMA_WRITE_CHUNK);
		if (!user_access_begin(&uent[i], (end - i) * sizeof(*uent)))
			return -EFAULT;
		for (; i < end; i++)
			unsafe_put_user(ents[i].iova, &uent[i].iova, efault);
		user_access_end();
		cond_resched();
	}
	for (i = 0; i < count; i++) {
		char __user *segs = u64_to_user_ptr(ents[i].segs_ptr);
		size_t len = ents[i].room * sizeof(struct uldf_dma_seg);

		if (len && fault_in_safe_writeable(segs, len))
			return -EFAULT;
	}
	return 0;

efault:
	user_access_end();
	return -EFAULT;
}

/*
 * Store the run @run in the tree (@mas where its place was found) and onto
 * @runs; frees it if it cannot.
 * Returns 0, or -ENOMEM.
 */
static int uldf_dma_close_run(struct uldf_dma_state *dma,
			      struct ma_state *mas,
			      struct uldf_dma_mapping *run,
			      struct list_head *runs)
{
	int ret = uldf_dma_store(dma, mas, run);

	if (ret) {
		uldf_dma_run_free(run);
		return ret;
	}
	uldf_dma_run_track(dma, run);
	list_add_tail(&run->node, runs);
	return 0;
}

/*
 * Second step, under dma.lock: place the entries @ents[0..@n) in order,
 * each run of them whose IOVAs follow one another as one mapping on
 * @runs, and report their IOVAs; stops at the first failure (*@err).
 * Returns how many entries took their place in the tree.
 */
static u32 uldf_dma_place(struct uldf_device *udev,
			  struct uldf_dma_map __user *uent,
			  struct uldf_dma_mapping *ents, u32 n,
			  struct list_head *runs, int *err)
{
	MA_STATE(mas, &udev->dma->mappings, 0, 0);
	struct uldf_dma_state *dma = udev->dma;
	unsigned long next = 0, gap_last = 0;
	struct uldf_dma_mapping *run = NULL;
	u32 i, first = 0;
	int ret = 0;

	for (i = 0; i < n; i++) {
		struct uldf_dma_mapping *e = &ents[i];
		bool joins = run && uldf_dma_extends(dma, run, e, next,
						     gap_last);

		if (!joins && run) {
			ret = uldf_dma_close_run(dma, &mas, run, runs);
			run = NULL;
			if (ret) {
				i = first;
				break;
			}
		}
		if (!joins) {
			ret = uldf_dma_find_place(dma, &mas, e, next,
						  &gap_last);
			if (ret)
				break;
		}
		ret = uldf_dma_report(udev, e, &uent[i]);
		if (ret)
			break;
		if (!(e->flags & ULDF_DMA_MAP_FIXED_IOVA))
			next = e->iova + e->size;
		if (joins) {
			run->size += e->size;
			run->npages += e->npages;
		} else {
			run = uldf_dma_run_alloc(e, GFP_KERNEL_ACCOUNT);
			if (!run) {
				ret = -ENOMEM;
				break;
			}
			first = i;
		}
		cond_resched();
	}
	if (run && uldf_dma_close_run(dma, &mas, run, runs)) {
		ret = -ENOMEM;
		i = first;
	}
	if (i < n)
		*err = ret;
	return i;
}

/*
 * The runs on @list were just taken out of the tree: their blocks may be
 * left mostly unused by the runs still in it.  dma.lock held.
 */
static void uldf_dma_compact_list(struct uldf_dma_state *dma,
				  struct list_head *list)
{
	struct uldf_dma_mapping *m;

	list_for_each_entry(m, list, node) {
		uldf_dma_pages_compact(dma, m->block);
		cond_resched();
	}
}

/* Take the runs on @runs out of the tree again and onto @list. */
static void uldf_dma_unplace(struct uldf_dma_state *dma,
			     struct list_head *runs, struct list_head *list)
{
	struct uldf_dma_mapping *m;

	list_for_each_entry(m, runs, node) {
		uldf_dma_unstore(dma, m);
		uldf_dma_run_untrack(dma, m);
	}
	list_splice_tail_init(runs, list);
}

/*
 * Record that entry @at failed with @ret, unless an earlier entry (or
 * @at itself, first) already did: the errno returned is the one of the
 * entry *done points at.
 */
static void uldf_dma_failed(int *err, u32 *err_at, int ret, u32 at)
{
	if (at < *err_at) {
		*err = ret;
		*err_at = at;
	}
}

/*
 * Map @count entries at @uent; *@done says how many took effect.  The
 * entries after the first failure are undone.
 */
static int uldf_dma_map_entries(struct uldf_device *udev,
				struct uldf_dma_map __user *uent, u32 count,
				bool single, u32 *done)
{
	struct uldf_dma_mapping one, *ents;
	struct uldf_dma_pages *block = NULL;
	struct uldf_dma_state *dma;
	u32 n, checked, charged, placed, kept, err_at = count;
	unsigned long credit = 0;
	struct uldf_dma_acct acct;
	LIST_HEAD(runs);
	LIST_HEAD(undo);
	int err = 0, step_err = 0, ret;

	*done = 0;
	ents = count == 1 ? &one :
	       kvmalloc_array(count, sizeof(*ents),
			      GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!ents)
		return -ENOMEM;

	n = uldf_dma_prepare(udev, uent, count, single, &acct, ents, &block,
			     &step_err);
	if (n < count)
		uldf_dma_failed(&err, &err_at, step_err, n);
	/*
	 * Where the IOVAs cannot be reported, none of them is placed.  The
	 * charge takes the caller's mmap_lock, before the device lock (see
	 * pin.c); a caller whose mm is not the opener's is refused below,
	 * and its charge credited back.
	 */
	ret = n ? uldf_dma_fault_in(uent, n, ents) : 0;
	charged = 0;
	if (!ret) {
		charged = uldf_dma_charge(udev, current->mm, &acct, ents, n,
					  &step_err);
		if (charged < n)
			uldf_dma_failed(&err, &err_at, step_err, charged);
		ret = uldf_lock_live(udev);
	}
	if (ret) {
		uldf_dma_put_entries(ents, n, &credit);
		uldf_dma_credit(current->mm, credit);
		uldf_dma_failed(&err, &err_at, ret, 0);
		goto out_free;
	}
	dma = udev->dma;	/* a join changes it under the device lock */
	if (!dma->domain && !dma->noiommu)
		ret = -ENODEV;
	else if (dma->blocked)
		ret = -EIO;
	else if (current->mm != dma->mm)
		ret = -EPERM;
	for (checked = 0; !ret && checked < charged; checked++)
		ret = uldf_dma_check_place(udev, &ents[checked],
					   &uent[checked]);
	if (ret) {
		if (checked)
			checked--;
		uldf_dma_failed(&err, &err_at, ret, checked);
	}

	mutex_lock(&dma->lock);
	placed = uldf_dma_place(udev, uent, ents, checked, &runs, &step_err);
	if (placed < checked)
		uldf_dma_failed(&err, &err_at, step_err, placed);
	kept = placed;
	if (placed && dma->domain) {
		int ret = uldf_dma_program(dma, &runs);

		/* All or nothing: the runs join the rest on @undo. */
		if (ret) {
			uldf_dma_unplace(dma, &runs, &undo);
			kept = 0;
			uldf_dma_failed(&err, &err_at, ret, 0);
		}
	}
	/* The block was sized for every entry read, not those kept. */
	if (kept)
		uldf_dma_pages_compact(dma, block);
	mutex_unlock(&dma->lock);

	uldf_dma_put_list(&undo, &credit);
	uldf_dma_put_entries(ents + placed, n - placed, &credit);
	up_read(&udev->lock);
	uldf_dma_credit(current->mm, credit);
	*done = kept;
out_free:
	uldf_dma_pages_put(block);
	if (ents != &one)
		kvfree(ents);
	return err;
}

static long uldf_dma_map_ioctl(struct uldf_device *udev, void __user *arg)
{
	u32 done;

	return uldf_dma_map_entries(udev, arg, 1, true, &done);
}

/* ---- unmap ---------------------------------------------------------------- */

static int uldf_dma_check_range(u64 iova, u64 size)
{
	u64 last;

	if (!size || !PAGE_ALIGNED(iova) || !PAGE_ALIGNED(size) ||
	    check_add_overflow(iova, size - 1, &last) || last > ULONG_MAX)
		return -EINVAL;
	return 0;
}

/* The device can do DMA: -ENODEV if not.  @udev->lock held. */
static int uldf_dma_check_space(struct uldf_device *udev)
{
	struct uldf_dma_state *dma = udev->dma;

	if (dma->domain || dma->noiommu)
		return 0;
	pci_notice_ratelimited(udev->pdev,
			       "uldf: DMA refused: the device has no IOMMU and no-IOMMU mode is off\n");
	return -ENODEV;
}

/*
 * Unpin the mappings on @list and note in @credit what to credit back to
 * the opener's locked_vm once the device lock is dropped (pin.c).
 * @udev->lock held.
 */
static u64 uldf_dma_put_credit(struct uldf_dma_state *dma,
			       struct list_head *list,
			       struct uldf_dma_credit *credit)
{
	u64 bytes = uldf_dma_put_list(list, &credit->npages);

	if (credit->npages && dma->mm && !credit->mm) {
		credit->mm = dma->mm;
		mmgrab(credit->mm);
	}
	return bytes;
}

static long uldf_dma_unmap_ioctl(struct uldf_device *udev, void __user *arg)
{
	struct uldf_dma_unmap __user *uarg = arg;
	struct uldf_dma_state *dma;
	struct uldf_dma_credit credit = {};
	struct uldf_dma_unmap req;
	LIST_HEAD(list);
	u64 unmapped = 0;
	u32 argsz;
	int ret;

	ret = uldf_copy_arg(&req, sizeof(req), sizeof(req), arg, &argsz);
	if (ret)
		return ret;
	if (req.flags & ~ULDF_DMA_UNMAP_ALL)
		return -EINVAL;
	if (req.flags & ULDF_DMA_UNMAP_ALL)
		ret = req.iova || req.size ? -EINVAL : 0;
	else
		ret = uldf_dma_check_range(req.iova, req.size);
	if (ret)
		return ret;

	ret = uldf_lock_live(udev);
	if (ret)
		return ret;
	ret = uldf_dma_check_space(udev);
	if (ret)
		goto out_unlock;
	dma = udev->dma;
	mutex_lock(&dma->lock);
	if (req.flags & ULDF_DMA_UNMAP_ALL)
		uldf_dma_take_all(dma, &list);
	else
		ret = uldf_dma_take_range(dma, req.iova, req.size, &list);
	uldf_dma_unmap_list(dma, &list);
	uldf_dma_compact_list(dma, &list);
	mutex_unlock(&dma->lock);
	unmapped = uldf_dma_put_credit(dma, &list, &credit);
out_unlock:
	up_read(&udev->lock);
	uldf_dma_credit_put(&credit, false);

	if (put_user(unmapped, &uarg->unmapped))
		return -EFAULT;
	return ret;
}

/* What can be checked of an unmap entry without the device's state. */
static int uldf_dma_check_unmap(const struct uldf_dma_map *req)
{
	if (req->argsz != sizeof(*req) || (req->flags & ~ULDF_DMA_MAP_FLAGS))
		return -EINVAL;
	return uldf_dma_check_range(req->iova, req->size);
}

/* An unmap entry as kept once read and checked. */
struct uldf_dma_range {
	u64 iova;
	u64 size;
};

/*
 * How many of the @count unmap entries at @reqs, from the first, may be
 * taken out with one range: entries that follow one another in IOVA, each
 * starting an entry of the same run in the tree.  Whether the first
 * starts one, and the last ends one, the take checks.  dma.lock held.
 */
static u32 uldf_dma_unmap_group(struct uldf_dma_state *dma,
				const struct uldf_dma_range *reqs, u32 count)
{
	MA_STATE(mas, &dma->mappings, reqs[0].iova, reqs[0].iova);
	struct uldf_dma_mapping *m;
	unsigned long run_last;
	void *entry;
	u32 i;

	if (count < 2)
		return 1;
	entry = mas_walk(&mas);
	if (!entry || xa_is_value(entry))
		return 1;
	m = entry;
	run_last = m->iova + m->size - 1;
	for (i = 1; i < count; i++) {
		const struct uldf_dma_range *req = &reqs[i];

		if (req->iova != reqs[i - 1].iova + reqs[i - 1].size ||
		    req->iova > run_last ||
		    req->size - 1 > run_last - req->iova ||
		    !uldf_dma_run_bound(m, (req->iova - m->iova) >> PAGE_SHIFT))
			break;
		cond_resched();
	}
	return i;
}

/*
 * Copy in and check the @count unmap entries at @uent, a few at a time,
 * into @reqs.  Returns how many from the first are valid; *@bad is then
 * the errno of the next, 0 if all are.  -EFAULT if any of them cannot be
 * read, valid or not.
 */
static int uldf_dma_read_unmaps(struct uldf_dma_map __user *uent, u32 count,
				struct uldf_dma_range *reqs, u32 *valid,
				int *bad)
{
	struct uldf_dma_map buf[ULDF_DMA_READ_CHUNK];
	unsigned long left;
	u32 n, got, i;

	*valid = count;
	*bad = 0;
	for (n = 0; n < count; n += got) {
		got = uldf_dma_copy_chunk(buf, &uent[n], count - n, &left);
		if (left)
			return -EFAULT;
		for (i = 0; i < got && !*bad; i++) {
			*bad = uldf_dma_check_unmap(&buf[i]);
			if (*bad)
				*valid = n + i;
			reqs[n + i].iova = buf[i].iova;
			reqs[n + i].size = buf[i].size;
		}
		cond_resched();
	}
	return 0;
}

/*
 * Unmap @count entries at @uent, stopping at the first failure.  The
 * entries are copied in first, so that the locks are taken only once the
 * user's memory has been read; only their IOVA ranges are kept.
 */
static int uldf_dma_unmap_entries(struct uldf_device *udev,
				  struct uldf_dma_map __user *uent, u32 count,
				  u32 *done)
{
	struct uldf_dma_credit credit = {};
	struct uldf_dma_range *reqs;
	struct uldf_dma_state *dma;
	LIST_HEAD(list);
	u32 i, n, valid, alone = 0;
	int ret, bad;

	*done = 0;
	reqs = kvmalloc_array(count, sizeof(*reqs),
			      GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!reqs)
		return -ENOMEM;
	ret = uldf_dma_read_unmaps(uent, count, reqs, &valid, &bad);
	if (ret)
		goto out_free;
	ret = uldf_lock_live(udev);
	if (ret)
		goto out_free;
	ret = uldf_dma_check_space(udev);
	if (ret)
		goto out_unlock;

	dma = udev->dma;
	mutex_lock(&dma->lock);
	for (i = 0; i < valid; i += n) {
		/*
		 * Entries that follow one another in a run are taken at once;
		 * if that fails, one by one, to find the one that fails.
		 */
		n = i < alone ? 1 : uldf_dma_unmap_group(dma, &reqs[i],
							 valid - i);
		if (n > 1) {
			if (!uldf_dma_take_range(dma, reqs[i].iova,
						 reqs[i + n - 1].iova +
						 reqs[i + n - 1].size -
						 reqs[i].iova, &list))
				continue;
			alone = i + n;
			n = 1;
		}
		ret = uldf_dma_take_range(dma, reqs[i].iova, reqs[i].size,
					  &list);
		if (ret)
			break;
		cond_resched();
	}
	if (!ret)
		ret = bad;
	uldf_dma_unmap_list(dma, &list);
	uldf_dma_compact_list(dma, &list);
	mutex_unlock(&dma->lock);
	uldf_dma_put_credit(dma, &list, &credit);
	*done = i;
out_unlock:
	up_read(&udev->lock);
	uldf_dma_credit_put(&credit, false);
out_free:
	kvfree(reqs);
	return ret;
}

static long uldf_dma_batch_ioctl(struct uldf_device *udev, void __user *arg)
{
	struct uldf_dma_batch __user *uarg = arg;
	struct uldf_dma_map __user *uent;
	struct uldf_dma_batch req;
	u32 argsz, done = 0;
	int ret;

	ret = uldf_copy_arg(&req, sizeof(req), sizeof(req), arg, &argsz);
	if (ret)
		return ret;
	if ((req.flags & ~ULDF_DMA_BATCH_UNMAP) || !req.count ||
	    req.count > ULDF_DMA_BATCH_MAX)
		return -EINVAL;

	uent = u64_to_user_ptr(req.entries_ptr);
	if (req.flags & ULDF_DMA_BATCH_UNMAP)
		ret = uldf_dma_unmap_entries(udev, uent, req.count, &done);
	else
		ret = uldf_dma_map_entries(udev, uent, req.count, false, &done);
	if (put_user(done, &uarg->done))
		return -EFAULT;
	return ret;
}

/* ---- info ---------------------------------------------------------------- */

static long uldf_dma_get_info(struct uldf_device *udev, void __user *arg)
{
	struct uldf_iova_range *ranges = NULL;
	const struct uldf_dma_ranges *usable;
	struct uldf_dma_state *dma;
	struct uldf_dma_info info;
	u32 argsz, room;
	int ret;

	ret = uldf_copy_query(&info, sizeof(info), arg, &argsz);
	if (ret)
		return ret;
	room = (argsz - sizeof(info)) / sizeof(*ranges);

	/*
	 * A copy of what to report, taken under the locks (a join replaces
	 * the ranges under dma->lock), copied out after.
	 */
	ret = uldf_lock_live(udev);
	if (ret)
		return ret;
	dma = udev->dma;
	memset(&info, 0, sizeof(info));
	mutex_lock(&dma->lock);
	/* A blocked device reaches nothing: it reports no DMA at all. */
	usable = dma->blocked ? NULL :
		 rcu_dereference_protected(dma->ranges,
					   lockdep_is_held(&dma->lock));
	if (usable) {
		room = min(room, usable->nr);
		info.nr_ranges = usable->nr;
		ranges = kmemdup_array(usable->r, room, sizeof(*ranges),
				       GFP_KERNEL);
	}
	if (dma->users > 1)
		info.flags = ULDF_DMA_INFO_SHARED;
	mutex_unlock(&dma->lock);
	if (usable && room && !ranges) {
		up_read(&udev->lock);
		return -ENOMEM;
	}
	info.argsz = sizeof(info) + info.nr_ranges * sizeof(*ranges);
	if (dma->domain && !dma->blocked) {
		info.flags |= ULDF_DMA_INFO_IOMMU;
		if (dma->coherent)
			info.flags |= ULDF_DMA_INFO_COHERENT;
		info.pgsize_bitmap = dma->domain->pgsize_bitmap;
	} else if (dma->noiommu) {
		info.flags |= ULDF_DMA_INFO_NOIOMMU;
		info.pgsize_bitmap = PAGE_SIZE;
	}
	up_read(&udev->lock);

	if (copy_to_user(arg, &info, sizeof(info)) ||
	    (ranges && copy_to_user(arg + sizeof(info), ranges,
				    room * sizeof(*ranges))))
		ret = -EFAULT;
	kfree(ranges);
	return ret;
}

/**
 * uldf_dma_ioctl() - the DMA ioctls of the device fd.
 * @udev:	the open device; called without @udev->lock, which each
 *		ioctl takes for read itself, only once the user's memory has
 *		been read (a map pins the user's pages before), so that a
 *		page that never faults in cannot hold up an unbind.
 * @cmd:	ULDF_DMA_GET_INFO, ULDF_DMA_MAP, ULDF_DMA_UNMAP or
 *		ULDF_DMA_MAP_BATCH.
 * @arg:	the user's argument, as documented in uldf.h.
 *
 * Return: 0 on success, else a negative errno: -EFAULT bad user pointer;
 * -EINVAL bad argsz, flags, alignment, size or fixed IOVA; -EEXIST a fixed
 * IOVA overlaps a mapping; -ENOSPC no free IOVA range below the limit;
 * -ENOMEM RLIMIT_MEMLOCK exceeded or out of memory; -ERANGE (no-IOMMU)
 * memory above the caller's limit; -E2BIG (no-IOMMU) too little room for
 * the segments; -ENOENT no mapping starts at the IOVA to unmap; -EBUSY the
 * range to unmap cuts through a mapping; -EPERM a map from a process other
 * than the opener; -EINTR a fatal signal while pinning; -EIO a map while
 * the device's DMA is blocked (the IOMMU refused its group its own domain
 * back after a failed ULDF_DMA_JOIN); -ENODEV the device
 * has no IOMMU and no-IOMMU mode is off, or was removed; -ENOTTY another
 * @cmd.
 */
long uldf_dma_ioctl(struct uldf_device *udev, unsigned int cmd,
		    void __user *arg)
{
	switch (cmd) {
	case ULDF_DMA_GET_INFO:
		return uldf_dma_get_info(udev, arg);
	case ULDF_DMA_MAP:
		return uldf_dma_map_ioctl(udev, arg);
	case ULDF_DMA_UNMAP:
		return uldf_dma_unmap_ioctl(udev, arg);
	case ULDF_DMA_MAP_BATCH:
		return uldf_dma_batch_ioctl(udev, arg);
	}
	return -ENOTTY;
}
