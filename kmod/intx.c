// SPDX-License-Identifier: GPL-2.0
/*
 * uldf INTx: the function's legacy interrupt as an IRQ fd.
 *
 * INTx is level-triggered: the handler masks the function with DisINTx
 * (pci_check_and_mask_intx(), which also tells whether this function is
 * the one asserting a shared line) and the user's EOI unmasks it with
 * pci_check_and_unmask_intx(); if the function still asserts, that is
 * counted as a new interrupt at once and the vector stays masked.  A
 * function without a working DisINTx (or with uldf.nointxmask=1) gets its
 * line exclusively and is masked at the interrupt controller.  Whenever no
 * INTx vector is open, DisINTx is set.
 *
 * The EOI comes from read() (unmask-on-read), from a write of 1 or
 * ULDF_IRQ_UNMASK on the IRQ fd (irq.c), or from the resample eventfd's
 * wake-up (irqfd.c), which runs in atomic context: the handler, the mask
 * and the EOI work under the vector's spinlock alone.  Process-context
 * writes of DisINTx hold memory_lock for read, so that no config write
 * rewrites the command register in between.  The user's virtual Interrupt
 * Disable bit (config.c) reaches the open vector under irq.slot_lock.
 * Enabling and disabling the vector (uldf_intx_arm(), uldf_intx_disarm())
 * run under irq.lock, called from irq.c.
 */
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/module.h>
#include <linux/mutex.h>

#include "uldf_private.h"

static bool uldf_nointxmask;
module_param_named(nointxmask, uldf_nointxmask, bool, 0644);
MODULE_PARM_DESC(nointxmask,
		 "Do not mask INTx with DisINTx: take the line exclusively and mask it at the interrupt controller (for devices with broken INTx masking, and for testing)");

/**
 * uldf_intx_set() - pci_intx() from process context.
 * @udev: the device; memory_lock not held.
 * @enable: let the function assert INTx (clear DisINTx), or mask it.
 *
 * Under memory_lock (read), so that no config write changes the command
 * register between its read and its write, which would undo the user's
 * Memory Space Enable behind the decode state BAR access follows.  (A byte
 * write of the high byte alone would avoid the read-modify-write, but
 * QEMU's models ignore Interrupt Disable written that way.)
 */
void uldf_intx_set(struct uldf_device *udev, bool enable)
{
	down_read(&udev->memory_lock);
	pci_intx(udev->pdev, enable);
	up_read(&udev->memory_lock);
}

/*
 * Masked, yet the function asserts with DisINTx clear: the bit was
 * cleared behind our back, typically by a read-modify-write of the command
 * register racing the handler.  Set it again and claim the interrupt, which
 * was counted already (the EOI will find it pending); left alone, the level
 * would fire until the kernel disabled the line.  v->wq.lock held.
 */
static bool uldf_intx_remask(struct pci_dev *pdev)
{
	u32 cmd_status;

	pci_read_config_dword(pdev, PCI_COMMAND, &cmd_status);
	if (cmd_status == ~0U ||
	    !(cmd_status & (PCI_STATUS_INTERRUPT << 16)) ||
	    (cmd_status & PCI_COMMAND_INTX_DISABLE))
		return false;
	/*
	 * Under pci_lock, read and write in one: a plain read-modify-write
	 * could undo a Memory Space Enable that a config write sets meanwhile.
	 */
	pci_check_and_mask_intx(pdev);
	return true;
}

static irqreturn_t uldf_intx_handler(int irq, void *data)
{
	struct uldf_irq *v = data;
	irqreturn_t ret = IRQ_NONE;
	bool deliver = false;
	unsigned long flags;

	spin_lock_irqsave(&v->wq.lock, flags);
	if (v->exclusive) {
		/* The line is ours; a user mask may have raced with us. */
		if (!v->masked) {
			disable_irq_nosync(irq);
			v->masked = true;
			deliver = true;
		}
		ret = IRQ_HANDLED;
	} else if (!v->masked) {
		if (pci_check_and_mask_intx(v->udev->pdev)) {
			v->masked = true;
			deliver = true;
			ret = IRQ_HANDLED;
		}
	} else if (uldf_intx_remask(v->udev->pdev)) {
		ret = IRQ_HANDLED;
	}
	deliver = deliver && v->life == ULDF_IRQ_LIVE;
	spin_unlock_irqrestore(&v->wq.lock, flags);

	if (deliver)
		uldf_irq_deliver(v);
	return ret;
}

/**
 * uldf_intx_mask_locked() - mask an INTx vector.
 * @v: the INTx vector; v->wq.lock held.
 *
 * With DisINTx, or at the interrupt controller for an exclusive line.
 */
void uldf_intx_mask_locked(struct uldf_irq *v)
{
	if (v->masked)
		return;
	if (v->exclusive)
		disable_irq_nosync(v->irq);
	else
		pci_intx(v->udev->pdev, 0);
	v->masked = true;
}

/**
 * uldf_intx_eoi() - the EOI of an INTx vector.
 * @v: the INTx vector; v->wq.lock not held.
 *
 * Unmask INTx unless the user's virtual Interrupt Disable bit is set.  If
 * the function still asserts the line, count a new interrupt and stay
 * masked.  Atomic context is fine (it runs from a resample eventfd's
 * wake-up).
 */
void uldf_intx_eoi(struct uldf_irq *v)
{
	unsigned long flags;
	bool refire = false;

	spin_lock_irqsave(&v->wq.lock, flags);
	if (v->life == ULDF_IRQ_LIVE && v->masked && !v->virt_disabled) {
		if (v->exclusive) {
			enable_irq(v->irq);
			v->masked = false;
		} else if (pci_check_and_unmask_intx(v->udev->pdev)) {
			v->masked = false;
		} else {
			refire = true;
		}
	}
	spin_unlock_irqrestore(&v->wq.lock, flags);

	if (refire)
		uldf_irq_deliver(v);
}

static bool uldf_intx_use_disintx(struct pci_dev *pdev)
{
	return !READ_ONCE(uldf_nointxmask) && pci_intx_mask_supported(pdev);
}

/*
 * An exclusive INTx line must be masked at the controller at once when
 * the handler disables it, not lazily: it is level-triggered.  That is
 * the line's IRQ_DISABLE_UNLAZY setting, which is not uldf's alone: uldf
 * sets it only where it is clear and clears only what it set, so a flag
 * that the line's other user set survives uldf (a second function on a
 * line that the first holds exclusively fails to request it, and must
 * not clear the first one's flag).  The lock makes the test and the set
 * one step against uldf's own clears.
 */
static DEFINE_MUTEX(uldf_unlazy_lock);

static int uldf_intx_request_exclusive(struct uldf_irq *v)
{
	int ret;

	mutex_lock(&uldf_unlazy_lock);
	v->set_unlazy = !irq_check_status_bit(v->irq, IRQ_DISABLE_UNLAZY);
	if (v->set_unlazy)
		irq_set_status_flags(v->irq, IRQ_DISABLE_UNLAZY);
	ret = request_irq(v->irq, uldf_intx_handler, IRQF_NO_AUTOEN, v->name,
			  v);
	if (ret && v->set_unlazy) {
		irq_clear_status_flags(v->irq, IRQ_DISABLE_UNLAZY);
		v->set_unlazy = false;
	}
	mutex_unlock(&uldf_unlazy_lock);
	return ret;
}

static void uldf_intx_free_exclusive(struct uldf_irq *v)
{
	mutex_lock(&uldf_unlazy_lock);
	free_irq(v->irq, v);
	if (v->set_unlazy)
		irq_clear_status_flags(v->irq, IRQ_DISABLE_UNLAZY);
	v->set_unlazy = false;
	mutex_unlock(&uldf_unlazy_lock);
}

/**
 * uldf_intx_arm() - enable the INTx vector.
 * @udev: the device; irq.lock held, no INTx vector open.
 * @v: the new vector.
 *
 * Install the INTx handler.  The function is masked (DisINTx set, the
 * resting state) and stays so until the first EOI, which the caller
 * performs once the vector is published.
 *
 * Return: 0, or the errno of request_irq(): -EBUSY the line is held by a
 * handler that does not share it (a shared line held exclusively, or an
 * exclusive line in use); -ENOMEM out of memory; -EINVAL or -ENOSYS no
 * usable interrupt line.
 */
int uldf_intx_arm(struct uldf_device *udev, struct uldf_irq *v)
{
	struct pci_dev *pdev = udev->pdev;
	unsigned long flags;
	int ret;

	v->irq = pdev->irq;
	v->exclusive = !uldf_intx_use_disintx(pdev);
	v->masked = true;
	uldf_intx_set(udev, false);

	if (v->exclusive)
		ret = uldf_intx_request_exclusive(v);
	else
		ret = request_irq(v->irq, uldf_intx_handler, IRQF_SHARED,
				  v->name, v);
	if (ret)
		return ret;
	/* Masked at the controller now; let the function assert INTx. */
	if (v->exclusive)
		uldf_intx_set(udev, true);

	spin_lock_irqsave(&udev->irq.slot_lock, flags);
	spin_lock(&v->wq.lock);
	v->virt_disabled = udev->irq.intx_virt_disabled;
	WRITE_ONCE(v->life, ULDF_IRQ_LIVE);
	spin_unlock(&v->wq.lock);
	udev->irq.intx = v;
	spin_unlock_irqrestore(&udev->irq.slot_lock, flags);
	udev->irq.mode = ULDF_IRQ_TYPE_INTX;
	return 0;
}

/**
 * uldf_intx_disarm() - disable the INTx vector.
 * @udev: the device; irq.lock held.
 * @v: the live INTx vector.
 *
 * Mask the function, then remove the handler: no line is left asserted.
 * The vector is DEAD afterwards.
 */
void uldf_intx_disarm(struct uldf_device *udev, struct uldf_irq *v)
{
	struct pci_dev *pdev = udev->pdev;
	unsigned long flags;

	down_read(&udev->memory_lock);
	spin_lock_irqsave(&udev->irq.slot_lock, flags);
	udev->irq.intx = NULL;
	spin_lock(&v->wq.lock);
	WRITE_ONCE(v->life, ULDF_IRQ_DEAD);
	pci_intx(pdev, 0);
	spin_unlock(&v->wq.lock);
	spin_unlock_irqrestore(&udev->irq.slot_lock, flags);
	up_read(&udev->memory_lock);

	if (v->exclusive)
		uldf_intx_free_exclusive(v);
	else
		free_irq(v->irq, v);
	udev->irq.mode = -1;
}

/* ---- the virtual Interrupt Disable bit ---------------------------------- */

/**
 * uldf_irq_intx_virt_disable() - the user wrote the Interrupt Disable bit.
 * @udev: the device; called from config space emulation, any lock held
 *	  but the per-vector ones (it does not sleep).
 * @disable: the bit's new value.
 *
 * Setting the bit masks an open INTx vector; clearing it performs an EOI
 * (which delivers an interrupt the function still asserts).  While it is
 * set an EOI does not unmask, and an INTx vector opened later starts
 * masked, as vfio-pci does.
 */
void uldf_irq_intx_virt_disable(struct uldf_device *udev, bool disable)
{
	struct uldf_irq_state *st = &udev->irq;
	unsigned long flags;
	struct uldf_irq *v;

	spin_lock_irqsave(&st->slot_lock, flags);
	st->intx_virt_disabled = disable;
	v = st->intx;
	if (v) {
		spin_lock(&v->wq.lock);
		v->virt_disabled = disable;
		if (disable)
			uldf_intx_mask_locked(v);
		spin_unlock(&v->wq.lock);
		if (!disable)
			uldf_intx_eoi(v);
	}
	spin_unlock_irqrestore(&st->slot_lock, flags);
}
