// SPDX-License-Identifier: GPL-2.0
/*
 * uldf DMA pinning: the user pages a device may reach, and their charge.
 *
 * A map pins the user's pages with FOLL_LONGTERM (pin_user_pages_fast()),
 * in bounded steps between which a fatal signal stops it, and charges them
 * to the opener's locked_vm within RLIMIT_MEMLOCK, as VFIO type1 does;
 * CAP_IPC_LOCK lifts the limit.  Each entry of a call is checked against
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
 * @maps: the pinned mappings, @n of them.
 * @n: mappings to charge.
 * @err: set if not all were charged: -ENOMEM RLIMIT_MEMLOCK would be
 *	 exceeded; -EINTR a fatal signal while waiting for the mmap lock.
 *
 * In order, as far as RLIMIT_MEMLOCK allows; one mmap lock for the whole
 * call.  The mappings charged are marked so.  Called without uldf's
 * locks: the wait for the mmap lock is the user's own.
 *
 * Return: how many of @maps were charged, from the first.
 */
u32 uldf_dma_charge(struct uldf_device *udev, struct mm_struct *mm,
		    const struct uldf_dma_acct *acct,
		    struct uldf_dma_mapping **maps, u32 n, int *err)
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
		    mm->locked_vm + total + maps[i]->npages > acct->limit)
			break;
		total += maps[i]->npages;
	}
	__account_locked_vm(mm, total, true, current, true);
	if (i < n)
		*err = uldf_dma_over_limit(udev, maps[i]->npages,
					   mm->locked_vm, acct);
	mmap_write_unlock(mm);
	n = i;
	for (i = 0; i < n; i++)
		maps[i]->charged = true;
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

/* ---- mappings: allocation and pinning --------------------------------- */

/**
 * uldf_dma_mapping_alloc() - a mapping for a map entry, not pinned yet.
 * @req: the user's entry, checked.
 *
 * Return: the mapping, or NULL if out of memory.
 */
struct uldf_dma_mapping *uldf_dma_mapping_alloc(const struct uldf_dma_map *req)
{
	struct uldf_dma_mapping *m;

	m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);
	if (!m)
		return NULL;
	m->vaddr = req->vaddr;
	m->size = req->size;
	m->npages = req->size >> PAGE_SHIFT;
	m->iova = req->iova;
	m->limit = req->iova_limit ? req->iova_limit : ULONG_MAX;
	m->flags = req->flags;
	m->room = req->nr_segs;
	m->segs_ptr = req->segs_ptr;
	if (m->npages == 1) {
		m->pages = &m->page;
		return m;
	}
	m->pages = kvmalloc_array(m->npages, sizeof(*m->pages),
				  GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!m->pages) {
		kfree(m);
		return NULL;
	}
	return m;
}

/**
 * uldf_dma_mapping_free() - free a mapping whose pages are not pinned.
 * @m: the mapping.
 */
void uldf_dma_mapping_free(struct uldf_dma_mapping *m)
{
	if (m->pages != &m->page)
		kvfree(m->pages);
	kfree(m);
}

/**
 * uldf_dma_pin() - pin a mapping's pages.
 * @m: the mapping, from the caller's address space.
 *
 * In bounded steps; a fatal signal stops it.  On failure nothing stays
 * pinned.
 *
 * Return: 0; -EINTR a fatal signal; -EFAULT an address that is not mapped
 * (or not writable for a mapping the device may write); another errno from
 * pin_user_pages_fast() (e.g. -ENOMEM).
 */
int uldf_dma_pin(struct uldf_dma_mapping *m)
{
	unsigned int gup = FOLL_LONGTERM;
	unsigned long done = 0;
	long ret;

	if (m->flags & ULDF_DMA_MAP_WRITE)
		gup |= FOLL_WRITE;
	while (done < m->npages) {
		unsigned long nr = min(m->npages - done, ULDF_DMA_PIN_CHUNK);

		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto out_unpin;
		}
		ret = pin_user_pages_fast(m->vaddr + (done << PAGE_SHIFT), nr,
					  gup, m->pages + done);
		if (ret <= 0) {
			ret = ret ? ret : -EFAULT;
			goto out_unpin;
		}
		done += ret;
		cond_resched();
	}
	return 0;

out_unpin:
	unpin_user_pages(m->pages, done);
	return ret;
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
		uldf_dma_mapping_free(m);
		cond_resched();
	}
	return (u64)pages << PAGE_SHIFT;
}
