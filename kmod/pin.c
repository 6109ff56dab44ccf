// SPDX-License-Identifier: GPL-2.0
/*
 * uldf DMA pinning: the user pages a device may reach, and their charge.
 *
 * A map pins the user's pages with FOLL_LONGTERM (pin_user_pages_fast()),
 * in bounded steps between which a fatal signal stops it, and charges them
 * to the opener's locked_vm within RLIMIT_MEMLOCK, as VFIO type1 does;
 * CAP_IPC_LOCK lifts the limit.  A call's pages are one allocation, shared
 * by the runs made from it and freed with the last; entries whose user
 * memory follows on are pinned with the same calls.  That allocation is
 * sized before pinning, for every entry read; so that what a call leaves
 * allocated stays bounded by what it keeps pinned (and charged), the runs
 * of a block that holds more than twice the pages its runs in the tree
 * still hold, after a map that stopped early or after an unmap, move to
 * a block of their own size (uldf_dma_pages_compact()): a block is then
 * at most twice its mapped pages, unless that allocation failed, when the
 * runs keep sharing the old one.  Each entry of a call
 * is checked against
 * the limit before it is pinned, without the mmap lock, so that a call
 * that cannot fit pins nothing; the charge itself is made once per call,
 * under one mmap lock.  Unpinning marks dirty the pages the device could
 * write and credits the charge back to the mm stored at open, which may
 * happen in another process (revocation at unbind) or after the opener
 * exited.
 *
 * Nothing here takes uldf's locks, and nothing that takes an mmap_lock
 * runs under them.  The charge and the credit take the user's mmap_lock
 * for write, which its owner can hold indefinitely (a fault on a FUSE page
 * it never serves, inside a read of /proc/self/mem): a map charges before
 * it takes the device lock, unmaps and release credit after dropping it,
 * and a removal, which holds the PCI device lock throughout, leaves its
 * credit to a work item.
 */
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "uldf_private.h"

/* Pages per pin_user_pages_fast() call: a bounded step between signal checks. */
#define ULDF_DMA_PIN_CHUNK	512UL

/* ---- locked_vm accounting --------------------------------------------- */

/**
 * uldf_dma_acct_init() - start the locked_vm charge of a map call.
 * @acct: the call's charge; takes the caller's CAP_IPC_LOCK and
 *	  RLIMIT_MEMLOCK.
 */
void uldf_dma_acct_init(struct uldf_dma_acct *acct)
{
	acct->cap = capable(CAP_IPC_LOCK);
	acct->limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	acct->pending = 0;
}

static int uldf_dma_over_limit(struct uldf_device *udev,
			       unsigned long npages, unsigned long locked,
			       const struct uldf_dma_acct *acct)
{
	dev_warn_ratelimited(&udev->pdev->dev,
			     "uldf: %s[%d]: DMA map of %lu pages refused: %lu pages locked, RLIMIT_MEMLOCK allows %lu\n",
			     current->comm, task_pid_nr(current), npages,
			     locked, acct->limit);
	return -ENOMEM;
}

/**
 * uldf_dma_may_pin() - whether @npages more pages would fit the limit.
 * @udev: the device, for the message.
 * @npages: pages the caller is about to pin.
 * @acct: the call's charge, with the pages it pinned so far pending.
 *
 * A check without the mmap lock, so that a call that will not fit pins
 * nothing; the charge itself is made once per call by uldf_dma_charge().
 *
 * Return: 0, or -ENOMEM if RLIMIT_MEMLOCK would be exceeded (and a
 * rate-limited message says so).
 */
int uldf_dma_may_pin(struct uldf_device *udev, unsigned long npages,
		     const struct uldf_dma_acct *acct)
{
	unsigned long locked = READ_ONCE(current->mm->locked_vm);

	if (acct->cap || locked + acct->pending + npages <= acct->limit)
		return 0;
	return uldf_dma_over_limit(udev, npages, locked + acct->pending, acct);
}

/**
 * uldf_dma_charge() - charge pinned mappings to an address space's locked_vm.
 * @udev: the device, for the message.
 * @mm: the caller's address space (current->mm).
 * @acct: the call's charge.
 * @ents: the pinned entries, @n of them.
 * @n: entries to charge.
 * @err: set if not all were charged: -ENOMEM RLIMIT_MEMLOCK would be
 *	 exceeded; -EINTR a fatal signal while waiting for the mmap lock.
 *
 * In order, as far as RLIMIT_MEMLOCK allows; one mmap lock for the whole
 * call.  The entries charged are marked so.  Called without uldf's
 * locks: the wait for the mmap lock is the user's own.
 *
 * Return: how many of @ents were charged, from the first.
 */
u32 uldf_dma_charge(struct uldf_device *udev, struct mm_struct *mm,
		    const struct uldf_dma_acct *acct,
		    struct uldf_dma_mapping *ents, u32 n, int *err)
{
	unsigned long total = 0;
	u32 i;

	if (!n)
		return 0;
	if (mmap_write_lock_killable(mm)) {
		*err = -EINTR;
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (!acct->cap &&
		    mm->locked_vm + total + ents[i].npages > acct->limit)
			break;
		total += ents[i].npages;
	}
	__account_locked_vm(mm, total, true, current, true);
	if (i < n)
		*err = uldf_dma_over_limit(udev, ents[i].npages,
					   mm->locked_vm, acct);
	mmap_write_unlock(mm);
	n = i;
	for (i = 0; i < n; i++)
		ents[i].charged = true;
	return n;
}

/**
 * uldf_dma_credit() - credit pages back to an address space's locked_vm.
 * @mm: the address space charged, held by mmgrab(); possibly another
 *	process's, or one whose process exited (then nothing is done).
 * @npages: pages to credit.
 *
 * Takes @mm's mmap_lock for write, which its owner can hold for as long
 * as it likes: called without uldf's locks.
 */
void uldf_dma_credit(struct mm_struct *mm, unsigned long npages)
{
	if (!npages || !mmget_not_zero(mm))
		return;		/* the address space is gone with its count */
	mmap_write_lock(mm);
	__account_locked_vm(mm, npages, false, current, true);
	mmap_write_unlock(mm);
	mmput(mm);
}

static struct workqueue_struct *uldf_credit_wq;

struct uldf_dma_credit_work {
	struct work_struct work;
	struct uldf_dma_credit credit;
};

static void uldf_dma_credit_fn(struct work_struct *work)
{
	struct uldf_dma_credit_work *w =
		container_of(work, struct uldf_dma_credit_work, work);

	uldf_dma_credit(w->credit.mm, w->credit.npages);
	mmdrop(w->credit.mm);
	kfree(w);
}

/**
 * uldf_dma_credit_put() - pay a credit and drop its address space.
 * @credit: from uldf_dma_release(); emptied.
 * @async: pay it from a work item: the caller holds what an unbind needs
 *	   (the PCI device lock) and must not wait on the user's mmap_lock.
 *
 * Without uldf's locks held.  If the work item cannot be allocated the
 * credit is paid here.
 */
void uldf_dma_credit_put(struct uldf_dma_credit *credit, bool async)
{
	struct uldf_dma_credit_work *w;

	if (!credit->mm)
		return;
	if (async && credit->npages) {
		w = kmalloc(sizeof(*w), GFP_KERNEL);
		if (w) {
			w->credit = *credit;
			INIT_WORK(&w->work, uldf_dma_credit_fn);
			queue_work(uldf_credit_wq, &w->work);
			credit->mm = NULL;
			return;
		}
	}
	uldf_dma_credit(credit->mm, credit->npages);
	mmdrop(credit->mm);
	credit->mm = NULL;
	credit->npages = 0;
}

/**
 * uldf_dma_credit_init() - create the work queue of deferred credits.
 *
 * Return: 0, or -ENOMEM.
 */
int uldf_dma_credit_init(void)
{
	uldf_credit_wq = alloc_workqueue("uldf_credit", WQ_UNBOUND, 0);
	return uldf_credit_wq ? 0 : -ENOMEM;
}

/**
 * uldf_dma_credit_exit() - pay every deferred credit, at module unload.
 */
void uldf_dma_credit_exit(void)
{
	destroy_workqueue(uldf_credit_wq);
}

/* ---- entries, runs and their pages ------------------------------------- */

/**
 * uldf_dma_entry_init() - an entry of a map call, from the user's.
 * @e: the entry; its pages come with uldf_dma_pages_alloc().
 * @req: the user's entry, checked.
 */
void uldf_dma_entry_init(struct uldf_dma_mapping *e,
			 const struct uldf_dma_map *req)
{
	*e = (struct uldf_dma_mapping) {
		.vaddr = req->vaddr,
		.size = req->size,
		.npages = req->size >> PAGE_SHIFT,
		.iova = req->iova,
		.limit = req->iova_limit ? req->iova_limit : ULONG_MAX,
		.flags = req->flags,
		.room = req->nr_segs,
		.segs_ptr = req->segs_ptr,
	};
}

/* A block for @total pages, no boundary marked, one reference. */
static struct uldf_dma_pages *uldf_dma_pages_new(unsigned long total)
{
	struct uldf_dma_pages *block;
	size_t size, bitmap;

	bitmap = BITS_TO_LONGS(total + 1) * sizeof(long);
	if (check_add_overflow(struct_size(block, pages, total), bitmap, &size))
		return NULL;
	block = kvmalloc(size, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!block)
		return NULL;
	refcount_set(&block->ref, 1);
	block->run_used = false;
	INIT_LIST_HEAD(&block->runs);
	block->live = 0;
	block->npages = total;
	block->starts = (unsigned long *)&block->pages[total];
	memset(block->starts, 0, bitmap);
	return block;
}

/**
 * uldf_dma_pages_alloc() - room for the pages of a call's entries.
 * @ents: the entries, @n of them; each gets its slice of the pages.
 * @n: entries, at least 1.
 *
 * One allocation for the call, in entry order, with the entries'
 * boundaries marked; the caller holds the one reference.
 *
 * Return: the pages, or NULL if out of memory.
 */
struct uldf_dma_pages *uldf_dma_pages_alloc(struct uldf_dma_mapping *ents,
					    u32 n)
{
	struct uldf_dma_pages *block;
	unsigned long total = 0, off;
	u32 i;

	for (i = 0; i < n; i++)
		if (check_add_overflow(total, ents[i].npages, &total))
			return NULL;
	block = uldf_dma_pages_new(total);
	if (!block)
		return NULL;
	for (i = 0, off = 0; i < n; off += ents[i].npages, i++) {
		__set_bit(off, block->starts);
		ents[i].block = block;
		ents[i].pages = &block->pages[off];
	}
	__set_bit(total, block->starts);
	return block;
}

/**
 * uldf_dma_pages_put() - drop a reference to a call's pages.
 * @block: the pages; freed with the last reference (they are unpinned).
 */
void uldf_dma_pages_put(struct uldf_dma_pages *block)
{
	if (block && refcount_dec_and_test(&block->ref))
		kvfree(block);
}

/**
 * uldf_dma_run_track() - count a run just stored in the tree.
 * @dma: the DMA state; dma.lock held.
 * @m: the run.
 *
 * On its block's list, in the device's locked pages.
 */
void uldf_dma_run_track(struct uldf_dma_state *dma, struct uldf_dma_mapping *m)
{
	lockdep_assert_held(&dma->lock);
	list_add_tail(&m->sibling, &m->block->runs);
	m->block->live += m->npages;
	dma->locked_pages += m->npages;
}

/**
 * uldf_dma_run_untrack() - uncount a run just taken out of the tree.
 * @dma: the DMA state; dma.lock held.
 * @m: the run, counted by uldf_dma_run_track().
 */
void uldf_dma_run_untrack(struct uldf_dma_state *dma,
			  struct uldf_dma_mapping *m)
{
	lockdep_assert_held(&dma->lock);
	list_del_init(&m->sibling);
	m->block->live -= m->npages;
	dma->locked_pages -= m->npages;
}

/**
 * uldf_dma_pages_compact() - give the runs of a mostly unused block their own.
 * @dma: the DMA state; dma.lock held.
 * @block: the pages of a call, which a run of @dma's tree held or holds.
 *
 * If the runs still in the tree hold less than half of @block's pages
 * (the rest never mapped, or unmapped since), their pages and entry
 * boundaries move to a block of their size, and the run kept in @block
 * itself, if one is in the tree, to the new block, in the tree too.  If
 * that cannot be allocated they keep sharing @block.  Only the books
 * change: neither the pins nor the IOMMU's page tables.  The runs' @node
 * must be unused (on no list being walked).
 */
void uldf_dma_pages_compact(struct uldf_dma_state *dma,
			    struct uldf_dma_pages *block)
{
	struct uldf_dma_mapping *m, *tmp, *old_run = &block->run;
	struct uldf_dma_pages *new;
	unsigned long off = 0, base, k;
	unsigned int nruns = 0;

	lockdep_assert_held(&dma->lock);
	if (list_empty(&block->runs) || block->live >= block->npages / 2)
		return;
	new = uldf_dma_pages_new(block->live);
	if (!new)
		return;
	if (block->run_used && !list_empty(&old_run->sibling)) {
		new->run = *old_run;
		if (uldf_dma_replace(dma, old_run, &new->run)) {
			kvfree(new);
			return;
		}
		list_replace_init(&old_run->sibling, &new->run.sibling);
		new->run_used = true;
	}
	list_for_each_entry_safe(m, tmp, &block->runs, sibling) {
		base = m->pages - block->pages;
		memcpy(&new->pages[off], m->pages, m->npages * sizeof(*m->pages));
		__set_bit(off, new->starts);
		for (k = 1; k < m->npages; k++)
			if (test_bit(base + k, block->starts))
				__set_bit(off + k, new->starts);
		m->pages = &new->pages[off];
		m->block = new;
		off += m->npages;
		list_move_tail(&m->sibling, &new->runs);
		nruns++;
	}
	__set_bit(off, new->starts);
	new->live = off;
	block->live = 0;
	refcount_set(&new->ref, nruns);
	if (refcount_sub_and_test(nruns, &block->ref))
		kvfree(block);
}

/*
 * Entries from @ents[0] whose user memory follows on, with the same
 * access, up to @n of them: pinned with the same calls.
 */
static u32 uldf_dma_pin_group(const struct uldf_dma_mapping *ents, u32 n,
			      unsigned long *npages)
{
	u32 i;

	*npages = ents[0].npages;
	for (i = 1; i < n; i++) {
		if (ents[i].vaddr != ents[i - 1].vaddr + ents[i - 1].size ||
		    ((ents[i].flags ^ ents[0].flags) & ULDF_DMA_MAP_WRITE))
			break;
		*npages += ents[i].npages;
	}
	return i;
}

/*
 * Pin @npages pages from @vaddr into @pages, in bounded steps; a fatal
 * signal stops it.  Returns how many were pinned; *@err is set if fewer.
 */
static unsigned long uldf_dma_pin_pages(unsigned long vaddr,
					unsigned long npages, bool write,
					struct page **pages, int *err)
{
	unsigned int gup = FOLL_LONGTERM | (write ? FOLL_WRITE : 0);
	unsigned long done = 0;
	long ret;

	while (done < npages) {
		unsigned long nr = min(npages - done, ULDF_DMA_PIN_CHUNK);

		if (fatal_signal_pending(current)) {
			*err = -EINTR;
			break;
		}
		ret = pin_user_pages_fast(vaddr + (done << PAGE_SHIFT), nr,
					  gup, pages + done);
		if (ret <= 0) {
			*err = ret ? ret : -EFAULT;
			break;
		}
		done += ret;
		cond_resched();
	}
	return done;
}

/**
 * uldf_dma_pin() - pin the pages of a call's entries.
 * @ents: the entries, from the caller's address space, with their pages
 *	  from uldf_dma_pages_alloc().
 * @n: entries.
 * @err: set if not all were pinned: -EINTR a fatal signal; -EFAULT an
 *	 address that is not mapped (or not writable for an entry the
 *	 device may write); another errno from pin_user_pages_fast() (e.g.
 *	 -ENOMEM).
 *
 * In order, entries whose user memory follows on with one pin call per
 * bounded step.  The entry that fails keeps none of its pages pinned.
 *
 * Return: how many entries were pinned, from the first.
 */
u32 uldf_dma_pin(struct uldf_dma_mapping *ents, u32 n, int *err)
{
	unsigned long npages, done;
	u32 i = 0, k;

	while (i < n) {
		k = uldf_dma_pin_group(&ents[i], n - i, &npages);
		done = uldf_dma_pin_pages(ents[i].vaddr, npages,
					  ents[i].flags & ULDF_DMA_MAP_WRITE,
					  ents[i].pages, err);
		if (done < npages) {
			/* Keep the entries pinned whole; @done < npages. */
			while (done >= ents[i].npages) {
				done -= ents[i].npages;
				i++;
			}
			unpin_user_pages(ents[i].pages, done);
			return i;
		}
		i += k;
	}
	return n;
}

/**
 * uldf_dma_run_alloc() - a run of entries, starting with one.
 * @e: the run's first entry, placed; its pages are the run's from here.
 * @gfp: allocation flags.
 *
 * The run takes a reference to the call's pages.
 *
 * Return: the run, or NULL if out of memory.
 */
struct uldf_dma_mapping *uldf_dma_run_alloc(const struct uldf_dma_mapping *e,
					    gfp_t gfp)
{
	struct uldf_dma_pages *block = e->block;
	struct uldf_dma_mapping *m;

	if (!block->run_used) {
		block->run_used = true;
		m = &block->run;
		*m = *e;
	} else {
		m = kmemdup(e, sizeof(*m), gfp);
		if (!m)
			return NULL;
	}
	refcount_inc(&block->ref);
	return m;
}

/**
 * uldf_dma_run_free() - free a run whose pages are unpinned.
 * @m: the run, out of the tree.
 */
void uldf_dma_run_free(struct uldf_dma_mapping *m)
{
	struct uldf_dma_pages *block = m->block;

	if (m != &block->run)
		kfree(m);
	uldf_dma_pages_put(block);
}

/**
 * uldf_dma_run_bound() - whether an entry of a run starts at a page.
 * @m: the run.
 * @off: pages from its first, at most @m->npages (its end: true).
 *
 * Return: true if @off is the boundary of two entries, or an end of @m.
 */
bool uldf_dma_run_bound(const struct uldf_dma_mapping *m, unsigned long off)
{
	return !off || off == m->npages ||
	       test_bit(m->pages - m->block->pages + off, m->block->starts);
}

/**
 * uldf_dma_run_split() - cut a run in two at an entry boundary.
 * @m: the run, counted by uldf_dma_run_track(); dma.lock held.
 * @off: pages, a boundary inside @m (uldf_dma_run_bound()), not 0.
 * @piece: room for a mapping (kmalloc()), which becomes one of the two
 *	   parts, counted with its block like @m; @m keeps the other.
 * @left: @piece becomes the first @off pages, else the rest.
 *
 * Nothing is allocated: the cut cannot fail.
 */
void uldf_dma_run_split(struct uldf_dma_mapping *m, unsigned long off,
			struct uldf_dma_mapping *piece, bool left)
{
	struct uldf_dma_mapping *first = left ? piece : m;
	struct uldf_dma_mapping *rest = left ? m : piece;

	*piece = *m;
	refcount_inc(&m->block->ref);
	list_add(&piece->sibling, &m->sibling);
	rest->iova = m->iova + (off << PAGE_SHIFT);
	rest->vaddr = 0;
	rest->npages = m->npages - off;
	rest->size = rest->npages << PAGE_SHIFT;
	rest->pages = m->pages + off;
	first->npages = off;
	first->size = off << PAGE_SHIFT;
}

/**
 * uldf_dma_put_entries() - unpin entries that were never mapped.
 * @ents: the entries, @n of them, pinned.
 * @n: entries.
 * @charged: increased by the pages of them charged to locked_vm, for the
 *	     caller to credit back.
 */
void uldf_dma_put_entries(struct uldf_dma_mapping *ents, u32 n,
			  unsigned long *charged)
{
	u32 i;

	for (i = 0; i < n; i++) {
		if (ents[i].charged)
			*charged += ents[i].npages;
		unpin_user_pages(ents[i].pages, ents[i].npages);
		cond_resched();
	}
}

/**
 * uldf_dma_put_list() - unpin and free mappings.
 * @list: the mappings, out of the tree and the IOMMU; emptied.
 * @charged: out: increased by the pages of them charged to locked_vm,
 *	     which the caller credits with uldf_dma_credit() once it holds
 *	     none of uldf's locks.
 *
 * Pages the device could write are marked dirty.  Takes no mmap_lock.
 *
 * Return: the bytes unpinned.
 */
u64 uldf_dma_put_list(struct list_head *list, unsigned long *charged)
{
	struct uldf_dma_mapping *m, *tmp;
	unsigned long pages = 0;

	list_for_each_entry_safe(m, tmp, list, node) {
		pages += m->npages;
		if (m->charged)
			*charged += m->npages;
		unpin_user_pages_dirty_lock(m->pages, m->npages,
					    m->flags & ULDF_DMA_MAP_WRITE);
		uldf_dma_run_free(m);
		cond_resched();
	}
	return (u64)pages << PAGE_SHIFT;
}
