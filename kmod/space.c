// SPDX-License-Identifier: GPL-2.0
/*
 * uldf DMA space: the address space an open device's DMA goes through,
 * and its sharing by several devices of one process.
 *
 * Opening a device gives it a DMA space of its own (struct uldf_dma_state):
 * a fresh IOMMU paging domain attached to its group (domain.c), a tree of
 * IOVAs (iova.c) and the opener's mm, charged for what is pinned (pin.c).
 * ULDF_DMA_JOIN moves a device whose space is its own and empty into the
 * space of another open device of the same process: its group leaves its
 * own domain for the other's, the group's reserved regions are reserved in
 * the shared tree, and its own space is freed.  From then on a map or an
 * unmap through any member acts on the one space, so memory is pinned and
 * charged once however many devices reach it: the role of a VFIO
 * container or an iommufd IOAS, kept to one domain.
 *
 * The space holds one reference per member.  A device leaves it when it is
 * closed, when its process dies, and when unbind or hot-unplug revokes it:
 * its group is detached from the domain, so it reaches nothing from then
 * on, and the mappings stay for the others.  The last member to leave
 * frees the domain, unpins every page and credits locked_vm back, as a
 * lone device did before.  A reset changes nothing here.
 *
 * A join is refused where it would break what a space promises:
 *  - a device opened by another process than the caller (EPERM): every
 *    member of a space was opened by the process whose mm it charges, so
 *    that no process's memory is pinned for, or reached by, a device it
 *    did not open, nor stays pinned once the devices its process opened
 *    are all closed;
 *  - mappings in the joining device's own space, or a space it already
 *    shares (EBUSY): they would be lost, or taken from the others;
 *  - MSI or MSI-X vectors allocated for the joining device (EBUSY): with
 *    a software-managed MSI window their messages hold a doorbell IOVA of
 *    the device's own domain, which the join frees;
 *  - no IOMMU domain (EOPNOTSUPP): no-IOMMU mode has nothing to share;
 *  - an IOMMU that cannot use the domain (EXDEV): the IOMMU driver refuses
 *    the attach, or the two differ in cache coherency (the device's No
 *    Snoop bit was set up for its own domain);
 *  - a reserved region of the joining group over a mapping (EADDRINUSE),
 *    found before the group is attached, so that it never reaches such a
 *    mapping; the aperture, which the attach may narrow, after it.
 *
 * Locks: a join holds the joining device's lock for write, so that none of
 * its ioctls runs while its space changes, and the other device's for
 * read, so that it stays open; the two are taken in address order, so two
 * devices joining each other cannot deadlock.  The space's lock is taken
 * inside them; the joining device's own space is only looked at under its
 * own lock, never nested in the other.
 */
#include <linux/file.h>
#include <linux/iommu.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "uldf_private.h"

/* ---- the space -------------------------------------------------------- */

static struct uldf_dma_state *uldf_dma_space_alloc(void)
{
	struct uldf_dma_state *dma;

	dma = kzalloc(sizeof(*dma), GFP_KERNEL_ACCOUNT);
	if (!dma)
		return NULL;
	kref_init(&dma->kref);
	mutex_init(&dma->lock);
	mt_init_flags(&dma->mappings,
		      MT_FLAGS_ALLOC_RANGE | MT_FLAGS_LOCK_EXTERN);
	mt_set_external_lock(&dma->mappings, &dma->lock);
	dma->users = 1;
	return dma;
}

static void uldf_dma_space_free(struct kref *kref)
{
	struct uldf_dma_state *dma = container_of(kref, struct uldf_dma_state,
						  kref);

	/* No member is left, hence no reader of the ranges. */
	kfree(rcu_access_pointer(dma->ranges));
	mutex_destroy(&dma->lock);
	kfree(dma);
}

/*
 * Take @udev out of its space: detach its group, so that it reaches
 * nothing.  The last member also takes every mapping out onto @list and
 * frees the domain; returns whether @udev was the last.
 */
static bool uldf_dma_leave(struct uldf_device *udev, struct list_head *list)
{
	struct uldf_dma_state *dma = udev->dma;
	bool last;

	mutex_lock(&dma->lock);
	if (dma->domain)
		iommu_detach_group(dma->domain, udev->group);
	last = !--dma->users;
	if (last) {
		if (dma->domain)
			iommu_domain_free(dma->domain);
		dma->domain = NULL;
		uldf_dma_list_all(dma, list);
		__mt_destroy(&dma->mappings);
		dma->locked_pages = 0;
	}
	mutex_unlock(&dma->lock);
	return last;
}

/**
 * uldf_dma_open() - give the device its DMA space at open.
 * @udev:	the device; called with @udev->lock held for write, in the
 *		opening process.
 *
 * A space of its own.  With an IOMMU group: allocate a paging domain,
 * attach it, have it enforce cache coherency where the IOMMU can, and
 * reserve in the IOVA tree what may not be mapped.  Without one, in
 * no-IOMMU mode (the opener was found to hold CAP_SYS_RAWIO): taint the
 * kernel and say so.  Otherwise DMA stays refused (the map ioctls fail
 * with -ENODEV) but the open succeeds.  The opener's mm is kept to account
 * pinned pages to.
 *
 * Return: 0, or a negative errno: -ENOMEM out of memory; -ENODEV the
 * IOMMU cannot give the device a domain; -EINVAL the IOMMU's smallest page
 * is larger than the CPU's; another errno from iommu_attach_group() (e.g.
 * -EBUSY).
 */
int uldf_dma_open(struct uldf_device *udev)
{
	struct uldf_dma_state *dma;
	int ret;

	dma = uldf_dma_space_alloc();
	if (!dma)
		return -ENOMEM;
	udev->dma = dma;
	if (udev->group) {
		ret = uldf_dma_open_domain(udev);
		if (ret) {
			udev->dma = NULL;
			kref_put(&dma->kref, uldf_dma_space_free);
			return ret;
		}
	} else if (uldf_enable_noiommu) {
		uldf_dma_open_noiommu(udev);
	} else {
		return 0;
	}
	mmgrab(current->mm);
	dma->mm = current->mm;
	udev->dma_coherent = dma->coherent;
	return 0;
}

/**
 * uldf_dma_release() - take the device out of its DMA space.
 * @udev:	the device; called with @udev->lock held for write, at close
 *		or when unbind revokes the device (then possibly in another
 *		process), after bus mastering was turned off.
 * @credit:	out: the locked_vm to credit back to the opener's mm, with
 *		that mm, for uldf_dma_credit_put() once @udev->lock is
 *		dropped (the opener's mmap_lock must not be waited for under
 *		it); empty unless @udev was the last member of its space.
 *
 * Detaches the device's group first, so that it reaches nothing more.  The
 * other members of a shared space keep its mappings; the last one frees
 * the domain, then unpins every page (marking dirty those the devices
 * could write).
 */
void uldf_dma_release(struct uldf_device *udev, struct uldf_dma_credit *credit)
{
	struct uldf_dma_state *dma = udev->dma;
	LIST_HEAD(list);

	if (uldf_dma_leave(udev, &list) && dma->mm) {
		uldf_dma_put_list(&list, &credit->npages);
		credit->mm = dma->mm;	/* the open's mmgrab() passes on */
		dma->mm = NULL;
	}
	udev->dma = NULL;
	udev->dma_coherent = false;
	kref_put(&dma->kref, uldf_dma_space_free);
}

/* ---- joining another device's space ------------------------------------ */

/* Whether @udev may leave its own space, which must be empty and unshared. */
static int uldf_dma_own_idle(struct uldf_device *udev)
{
	struct uldf_dma_state *own = udev->dma;
	int ret = 0;

	mutex_lock(&own->lock);
	if (own->users > 1 || own->locked_pages)
		ret = -EBUSY;
	mutex_unlock(&own->lock);
	return ret;
}

/*
 * Whether @udev has no MSI or MSI-X vector allocated.  Where the IOMMU maps
 * the MSI doorbell through a software-managed window (an ARM SMMU with a
 * GIC ITS), allocating a vector mapped the doorbell in the domain the
 * device had then, and wrote that IOVA into the vector's message
 * (iommu_dma_prepare_msi()); a join frees that domain, and the vector's
 * interrupts would be lost.  Opening a vector needs @udev->lock, which
 * the join holds for write; closing one (an IRQ fd's release) needs only
 * irq.lock.
 */
static int uldf_dma_msi_idle(struct uldf_device *udev)
{
	int ret = 0;

	mutex_lock(&udev->irq.lock);
	if (udev->irq.vec)
		ret = -EBUSY;
	mutex_unlock(&udev->irq.lock);
	return ret;
}

/*
 * @udev joins @other's space; @udev->lock held for write, @other->lock for
 * read, both live.  @udev's own space is freed on success.
 */
static int uldf_dma_join(struct uldf_device *udev, struct uldf_device *other)
{
	struct uldf_dma_state *own = udev->dma, *space = other->dma;
	int ret;

	if (!own->domain || !space->domain)
		return -EOPNOTSUPP;
	if (own->blocked || space->blocked)
		return -EIO;
	if (current->mm != own->mm || current->mm != space->mm)
		return -EPERM;
	if (own == space)
		return -EALREADY;
	ret = uldf_dma_own_idle(udev);
	if (!ret)
		ret = uldf_dma_msi_idle(udev);
	if (ret)
		return ret;

	mutex_lock(&space->lock);
	ret = uldf_dma_join_domain(udev, space);
	if (!ret) {
		space->users++;
		kref_get(&space->kref);
	}
	mutex_unlock(&space->lock);
	if (ret)
		return ret;

	/* The own space: empty, its group already detached; its mm is ours. */
	mutex_lock(&own->lock);
	own->users--;
	__mt_destroy(&own->mappings);
	mutex_unlock(&own->lock);
	iommu_domain_free(own->domain);
	mmdrop(own->mm);
	kref_put(&own->kref, uldf_dma_space_free);
	udev->dma = space;
	pci_dbg(udev->pdev, "uldf: DMA space of %s joined\n",
		pci_name(other->pdev));
	return 0;
}

/* Take @a->lock for write and @b->lock for read, in address order. */
static void uldf_dma_lock_pair(struct uldf_device *a, struct uldf_device *b)
{
	if (a < b) {
		down_write(&a->lock);
		down_read_nested(&b->lock, SINGLE_DEPTH_NESTING);
	} else {
		down_read(&b->lock);
		down_write_nested(&a->lock, SINGLE_DEPTH_NESTING);
	}
}

/**
 * uldf_dma_join_ioctl() - ULDF_DMA_JOIN: join another device's DMA space.
 * @udev:	the open device that joins; called without its lock.
 * @arg:	the user's struct uldf_dma_join, as documented in uldf.h.
 *
 * Return: 0; -EFAULT bad user pointer; -EINVAL bad argsz, flags or pad,
 * not a uldf device fd, or @udev's own; -EBADF not an open fd; -EPERM
 * either device was opened with another mm than the caller's; -EALREADY
 * the two already share a space; -EOPNOTSUPP either has no IOMMU domain;
 * -EBUSY @udev has mappings, already shares its space, or has MSI or MSI-X
 * vectors allocated; -EIO either device's DMA is blocked since a failed
 * join (the IOMMU refused its group its own domain back); -EXDEV the IOMMUs
 * cannot share one domain; -EADDRINUSE a reserved region of @udev's group
 * covers a mapping of the space; -ENOMEM out of memory; -ENODEV either
 * device was removed; another errno from iommu_attach_group(),
 * iommu_get_group_resv_regions() or iommu_get_msi_cookie().
 */
long uldf_dma_join_ioctl(struct uldf_device *udev, void __user *arg)
{
	struct uldf_device *other;
	struct uldf_dma_join req;
	struct file *file;
	u32 argsz;
	int ret;

	ret = uldf_copy_arg(&req, sizeof(req), sizeof(req), arg, &argsz);
	if (ret)
		return ret;
	if (req.flags || req.pad)
		return -EINVAL;
	file = fget(req.fd);
	if (!file)
		return -EBADF;
	other = uldf_device_from_file(file);
	if (!other || other == udev) {
		ret = -EINVAL;
		goto out_put;
	}

	uldf_dma_lock_pair(udev, other);
	if (udev->removed || other->removed)
		ret = -ENODEV;
	else
		ret = uldf_dma_join(udev, other);
	up_read(&other->lock);
	up_write(&udev->lock);
out_put:
	fput(file);
	return ret;
}

/* ---- what other files ask ---------------------------------------------- */

/**
 * uldf_dma_allowed() - whether the user may enable bus mastering.
 * @udev:	the device.
 *
 * Return: true if the device's DMA is translated by an IOMMU, or no-IOMMU
 * mode is on; false otherwise.
 */
bool uldf_dma_allowed(struct uldf_device *udev)
{
	return udev->group || uldf_enable_noiommu;
}

/**
 * uldf_dma_coherent() - whether the IOMMU keeps all of the device's DMA
 * coherent with the CPU caches.
 * @udev:	the open device.
 *
 * Return: true if the domain enforces cache coherency: the IOMMU snoops
 * even the device's No Snoop requests.  False without a domain (no IOMMU,
 * no-IOMMU mode, or the device is not open).
 */
bool uldf_dma_coherent(struct uldf_device *udev)
{
	return udev->dma_coherent;
}
