// SPDX-License-Identifier: GPL-2.0
/*
 * uldf MSI and MSI-X: message-signalled vectors as IRQ fds.
 *
 * The first vector opened enables the block: MSI with as many vectors as
 * the highest index asked for needs, MSI-X likewise, or, where the
 * interrupt domain can allocate MSI-X vectors one by one (dynamic MSI-X),
 * with vector 0 only, the others being allocated as they are opened and
 * kept until the block is disabled.  Further vectors of the same type may
 * be opened inside the enabled block; the last one closed disables it,
 * and INTx, which disabling MSI unmasks, is masked again.  Opening several
 * vectors in one call is all or nothing: a failure disarms those armed
 * before it, in reverse.
 *
 * MSI and MSI-X are edge-triggered: the handler only delivers, and a user
 * mask is disable_irq_nosync(), whose lazy masking remembers an interrupt
 * that arrives meanwhile and replays it at enable_irq().
 *
 * The kernel programs the MSI-X table, which lives in a BAR, when vectors
 * are allocated, started and shut down: around that, memory decode is on
 * and memory_lock is held for write (uldf_memory_lock_and_enable()), so no
 * reset or power change restores state under a vector being programmed;
 * irq.c does the same around a user mask.  MSI lives in config space and
 * needs none of it, but going through here is harmless.  Enabling and
 * disabling run under irq.lock, called from irq.c; the mask runs without
 * it, under the vector's spinlock, and the handler only reads the vector's
 * state before it delivers.
 */
#include <linux/interrupt.h>
#include <linux/msi.h>
#include <linux/slab.h>

#include "uldf_private.h"

static irqreturn_t uldf_msi_handler(int irq, void *data)
{
	struct uldf_irq *v = data;

	if (READ_ONCE(v->life) == ULDF_IRQ_LIVE)
		uldf_irq_deliver(v);
	return IRQ_HANDLED;
}

/* Enable MSI or MSI-X for vectors [0, @nvec); irq.lock held. */
static int uldf_msi_enable(struct uldf_device *udev, unsigned int type,
			   unsigned int nvec)
{
	struct uldf_irq_state *st = &udev->irq;
	struct pci_dev *pdev = udev->pdev;
	unsigned int alloc = nvec, len = nvec;
	bool dyn = false;
	u16 cmd;
	int ret;

	if (type == ULDF_IRQ_TYPE_MSIX && pci_msix_can_alloc_dyn(pdev)) {
		/* Enable with vector 0; the others come on demand. */
		dyn = true;
		alloc = 1;
		len = uldf_irq_num(pdev, type);
	}
	st->vec = kcalloc(len, sizeof(*st->vec), GFP_KERNEL);
	if (!st->vec)
		return -ENOMEM;

	cmd = uldf_memory_lock_and_enable(udev);
	ret = pci_alloc_irq_vectors(pdev, alloc, alloc,
				    type == ULDF_IRQ_TYPE_MSI ?
				    PCI_IRQ_MSI : PCI_IRQ_MSIX);
	uldf_memory_unlock_and_restore(udev, cmd);
	if (ret < 0) {
		kfree(st->vec);
		st->vec = NULL;
		return ret;
	}
	st->nvec = len;
	st->dyn = dyn;
	st->mode = type;
	return 0;
}

/* Disable MSI/MSI-X after the last vector closed; irq.lock held. */
static void uldf_msi_disable(struct uldf_device *udev)
{
	struct uldf_irq_state *st = &udev->irq;
	u16 cmd;

	cmd = uldf_memory_lock_and_enable(udev);
	pci_free_irq_vectors(udev->pdev);
	uldf_memory_unlock_and_restore(udev, cmd);
	/* Disabling MSI re-enables INTx at the function: mask it again. */
	uldf_intx_set(udev, false);
	kfree(st->vec);
	st->vec = NULL;
	st->nvec = 0;
	st->dyn = false;
	st->mode = -1;
}

/*
 * Linux interrupt of vector @index, allocating it for dynamic MSI-X.  An
 * allocated vector stays allocated until the block is disabled.
 */
static int uldf_msi_vector_irq(struct uldf_device *udev, unsigned int index)
{
	struct msi_map map;
	int irq;
	u16 cmd;

	irq = pci_irq_vector(udev->pdev, index);
	if (irq > 0 || !udev->irq.dyn)
		return irq;
	cmd = uldf_memory_lock_and_enable(udev);
	map = pci_msix_alloc_irq_at(udev->pdev, index, NULL);
	uldf_memory_unlock_and_restore(udev, cmd);
	return map.index < 0 ? map.index : map.virq;
}

static int uldf_msi_arm(struct uldf_device *udev, struct uldf_irq *v)
{
	struct uldf_irq_state *st = &udev->irq;
	int irq, ret;
	u16 cmd;

	irq = uldf_msi_vector_irq(udev, v->index);
	if (irq < 0)
		return irq;
	v->irq = irq;
	v->masked = false;
	cmd = uldf_memory_lock_and_enable(udev);
	ret = request_irq(irq, uldf_msi_handler, 0, v->name, v);
	uldf_memory_unlock_and_restore(udev, cmd);
	if (ret)
		return ret;
	WRITE_ONCE(v->life, ULDF_IRQ_LIVE);
	st->vec[v->index] = v;
	st->nopen++;
	return 0;
}

/**
 * uldf_msi_disarm() - disable an MSI or MSI-X vector.
 * @udev: the device; irq.lock held.
 * @v: the live vector.
 *
 * The vector is DEAD and its handler freed afterwards; the last vector of
 * the block to go disables the block.
 */
void uldf_msi_disarm(struct uldf_device *udev, struct uldf_irq *v)
{
	struct uldf_irq_state *st = &udev->irq;
	unsigned long flags;
	u16 cmd;

	spin_lock_irqsave(&v->wq.lock, flags);
	WRITE_ONCE(v->life, ULDF_IRQ_DEAD);
	spin_unlock_irqrestore(&v->wq.lock, flags);

	/* free_irq() also undoes a user mask (disable_irq_nosync()). */
	cmd = uldf_memory_lock_and_enable(udev);
	free_irq(v->irq, v);
	uldf_memory_unlock_and_restore(udev, cmd);
	st->vec[v->index] = NULL;
	if (!--st->nopen)
		uldf_msi_disable(udev);
}

/**
 * uldf_msi_mask() - mask or unmask a vector for the user.
 * @v: the MSI or MSI-X vector; the caller holds memory_lock for write with
 *     memory decode on (uldf_memory_lock_and_enable()).
 * @mask: mask, or unmask.
 *
 * Does nothing to a vector that is not LIVE or is in that state already.
 */
void uldf_msi_mask(struct uldf_irq *v, bool mask)
{
	unsigned long flags;

	spin_lock_irqsave(&v->wq.lock, flags);
	if (v->life == ULDF_IRQ_LIVE && v->masked != mask) {
		if (mask)
			disable_irq_nosync(v->irq);
		else
			enable_irq(v->irq);
		v->masked = mask;
	}
	spin_unlock_irqrestore(&v->wq.lock, flags);
}

/*
 * Check that the vectors can be opened: the mechanism is free or already
 * this one, and, for a block that is already enabled, they lie inside it
 * and are not open yet.  irq.lock held.
 */
static int uldf_msi_check(struct uldf_device *udev, unsigned int type,
			  unsigned int index, unsigned int count)
{
	struct uldf_irq_state *st = &udev->irq;
	unsigned int i;

	if (st->mode == -1)
		return 0;
	if (st->mode != type)
		return -EBUSY;
	if (index + count > st->nvec)
		return -EBUSY;
	for (i = index; i < index + count; i++)
		if (st->vec[i])
			return -EBUSY;
	return 0;
}

/**
 * uldf_msi_arm_set() - enable MSI or MSI-X vectors.
 * @udev: the device; irq.lock held.
 * @vs: the new vectors, @count of them, for indices @index on.
 * @type: ULDF_IRQ_TYPE_MSI or ULDF_IRQ_TYPE_MSIX.
 * @index: the first vector's index.
 * @count: vectors to enable.
 *
 * Enables the block first if no mechanism is in use.  All or nothing: on
 * failure no vector of @vs is left enabled, nor the block if this call
 * enabled it.
 *
 * Return: 0, or a negative errno: -EBUSY another mechanism is in use, or
 * the vectors lie outside the enabled block or are open already; -ENOSPC
 * no interrupt vectors left; -ENOMEM out of memory; another errno from
 * pci_alloc_irq_vectors(), pci_msix_alloc_irq_at() or request_irq().
 */
int uldf_msi_arm_set(struct uldf_device *udev, struct uldf_irq **vs,
		     unsigned int type, unsigned int index, unsigned int count)
{
	struct uldf_irq_state *st = &udev->irq;
	unsigned int i;
	int ret;

	ret = uldf_msi_check(udev, type, index, count);
	if (ret)
		return ret;
	if (st->mode == -1) {
		ret = uldf_msi_enable(udev, type, index + count);
		if (ret)
			return ret;
	}
	for (i = 0; i < count; i++) {
		ret = uldf_msi_arm(udev, vs[i]);
		if (ret)
			goto out_disarm;
	}
	return 0;

out_disarm:
	while (i--)
		uldf_msi_disarm(udev, vs[i]);
	/* The last disarm disabled the block; else it is ours to undo. */
	if (st->mode != -1 && !st->nopen)
		uldf_msi_disable(udev);
	return ret;
}
