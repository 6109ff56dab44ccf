// SPDX-License-Identifier: GPL-2.0
/*
 * uldf irqfd: eventfds wired to IRQ fds, and the ERR and REQ notifications.
 *
 * ULDF_IRQ_SET_EVENTFD gives a vector the wiring of KVM's irqfd with
 * resample: a trigger eventfd that every interrupt signals instead of
 * counting on the IRQ fd, and, for INTx, a resample eventfd whose signal is
 * an EOI (uldf_intx_eoi()).  The trigger is an RCU pointer that
 * uldf_irq_deliver() (irq.c) signals outside the vector's spinlock: the
 * resample eventfd's wake-up runs under that eventfd's own wait-queue lock
 * and takes the vector's spinlock, so no path may take an eventfd's lock
 * while holding the vector's.  Wiring, replacing and unwiring happen under
 * irq.lock.  A trigger replaced on a live vector is put after a grace
 * period; those of vectors being disarmed are retired, and put after one
 * grace period for them all (uldf_irq_retire()), so that closing a device
 * with many vectors waits once.
 *
 * The ERR and REQ vectors have no interrupt behind them: the AER
 * error_detected callback and remove() signal them (uldf_irq_notify())
 * without irq.lock, so their slots, like the INTx one, are published and
 * cleared under irq.slot_lock.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/workqueue.h>

#include "uldf_private.h"

/* ---- ERR and REQ notifications ----------------------------------------- */

static struct uldf_irq **uldf_notify_slot(struct uldf_irq_state *st,
					  unsigned int type)
{
	return type == ULDF_IRQ_TYPE_ERR ? &st->err : &st->req;
}

/**
 * uldf_notify_arm() - enable an ERR or REQ vector.
 * @udev: the device; irq.lock held.
 * @v: the new vector.
 *
 * Return: 0, or -EBUSY if the device's vector of that type is open.
 */
int uldf_notify_arm(struct uldf_device *udev, struct uldf_irq *v)
{
	struct uldf_irq **slot = uldf_notify_slot(&udev->irq, v->type);
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&udev->irq.slot_lock, flags);
	if (*slot) {
		ret = -EBUSY;
	} else {
		WRITE_ONCE(v->life, ULDF_IRQ_LIVE);
		*slot = v;
	}
	spin_unlock_irqrestore(&udev->irq.slot_lock, flags);
	return ret;
}

/**
 * uldf_notify_disarm() - disable an ERR or REQ vector.
 * @udev: the device; irq.lock held.
 * @v: the live vector, DEAD afterwards.
 */
void uldf_notify_disarm(struct uldf_device *udev, struct uldf_irq *v)
{
	struct uldf_irq **slot = uldf_notify_slot(&udev->irq, v->type);
	unsigned long flags;

	spin_lock_irqsave(&udev->irq.slot_lock, flags);
	*slot = NULL;
	spin_lock(&v->wq.lock);
	WRITE_ONCE(v->life, ULDF_IRQ_DEAD);
	spin_unlock(&v->wq.lock);
	spin_unlock_irqrestore(&udev->irq.slot_lock, flags);
}

/**
 * uldf_irq_notify() - signal the ERR or REQ vector, if it is open.
 * @udev: the device; no lock needed (called from remove() and from the
 *	  AER error_detected callback), safe against a concurrent close.
 * @type: ULDF_IRQ_TYPE_ERR or ULDF_IRQ_TYPE_REQ.
 */
void uldf_irq_notify(struct uldf_device *udev, unsigned int type)
{
	struct uldf_irq_state *st = &udev->irq;
	unsigned long flags;
	struct uldf_irq *v;

	if (type != ULDF_IRQ_TYPE_ERR && type != ULDF_IRQ_TYPE_REQ)
		return;
	spin_lock_irqsave(&st->slot_lock, flags);
	v = *uldf_notify_slot(st, type);
	if (v)
		uldf_irq_deliver(v);
	spin_unlock_irqrestore(&st->slot_lock, flags);
}

/* ---- eventfd wiring ----------------------------------------------------- */

static int uldf_resample_wake(wait_queue_entry_t *wait, unsigned int mode,
			      int sync, void *key)
{
	struct uldf_irq *v = container_of(wait, struct uldf_irq,
					  resample.wait);
	__poll_t events = key_to_poll(key);
	u64 cnt;

	if (events & EPOLLIN) {
		eventfd_ctx_do_read(v->resample.ctx, &cnt);
		uldf_intx_eoi(v);
	}
	/* The eventfd is being closed: stop listening, keep the reference. */
	if (events & EPOLLHUP)
		list_del_init(&wait->entry);
	return 0;
}

static void uldf_resample_queue(struct file *file, wait_queue_head_t *wqh,
				poll_table *pt)
{
	struct uldf_irq *v = container_of(pt, struct uldf_irq, resample.pt);

	v->resample.wqh = wqh;
	add_wait_queue(wqh, &v->resample.wait);
}

/**
 * uldf_resample_detach() - stop watching the resample eventfd and drop it.
 * @v: the vector; irq.lock held.  Nothing happens if it has none.
 */
void uldf_resample_detach(struct uldf_irq *v)
{
	struct uldf_irq_resample *r = &v->resample;
	unsigned long flags;

	if (!r->ctx)
		return;
	spin_lock_irqsave(&r->wqh->lock, flags);
	if (!list_empty(&r->wait.entry))
		__remove_wait_queue(r->wqh, &r->wait);
	spin_unlock_irqrestore(&r->wqh->lock, flags);
	eventfd_ctx_put(r->ctx);
	r->ctx = NULL;
	r->wqh = NULL;
}

/*
 * Watch eventfd @file for EOIs; irq.lock held.  A signal already pending
 * on it is an EOI too.
 */
static void uldf_resample_attach(struct uldf_irq *v, struct file *file,
				 struct eventfd_ctx *ctx)
{
	struct uldf_irq_resample *r = &v->resample;
	unsigned long flags;
	__poll_t events;
	u64 cnt;

	r->ctx = ctx;
	init_waitqueue_func_entry(&r->wait, uldf_resample_wake);
	init_poll_funcptr(&r->pt, uldf_resample_queue);
	events = vfs_poll(file, &r->pt);
	if (events & EPOLLIN) {
		spin_lock_irqsave(&r->wqh->lock, flags);
		eventfd_ctx_do_read(ctx, &cnt);
		spin_unlock_irqrestore(&r->wqh->lock, flags);
		uldf_intx_eoi(v);
	}
}

/*
 * Replace the trigger eventfd of a live vector (NULL removes it); irq.lock
 * held.  The old one is put after a grace period, and an injection still
 * queued for it is dropped rather than sent to the new one.
 */
static void uldf_trigger_replace(struct uldf_irq *v, struct eventfd_ctx *ctx)
{
	struct eventfd_ctx *old;

	old = rcu_replace_pointer(v->trigger, ctx,
				  lockdep_is_held(&v->udev->irq.lock));
	if (!old)
		return;
	synchronize_rcu();
	cancel_work_sync(&v->inject);
	eventfd_ctx_put(old);
}

/**
 * uldf_trigger_retire() - take the trigger eventfd off a disarmed vector.
 * @v: the vector being disarmed; irq.lock held.
 * @retired: the list of vectors whose trigger is due, for
 *	     uldf_irq_retire().
 *
 * The trigger is not put yet: a reader may still be signalling it.  The
 * vector goes on @retired if it had one.
 */
void uldf_trigger_retire(struct uldf_irq *v, struct list_head *retired)
{
	struct eventfd_ctx *old;

	old = rcu_replace_pointer(v->trigger, NULL,
				  lockdep_is_held(&v->udev->irq.lock));
	if (!old)
		return;
	v->retired_trigger = old;
	list_add_tail(&v->retire_node, retired);
}

/**
 * uldf_irq_retire() - put the triggers of disarmed vectors.
 * @udev: the device; irq.lock held since before the vectors' disarm, so the
 *	  close of an IRQ fd cannot free one of them meanwhile.
 * @retired: the vectors uldf_trigger_retire() took the triggers off; empty
 *	     on return.
 *
 * Puts them after one grace period for them all.
 *
 * One synchronize_rcu() is enough for any number of vectors.  A trigger is
 * dereferenced only inside rcu_read_lock() (uldf_irq_deliver(),
 * uldf_irq_inject()).  Each vector here is disarmed: DEAD, its handler
 * freed (free_irq() waits for a handler running on another CPU), its
 * resample eventfd unhooked, its INTx, ERR or REQ slot cleared under
 * slot_lock, and its trigger pointer NULL.  What may still hold an old
 * trigger (ULDF_IRQ_TRIGGER or a re-firing EOI on an IRQ fd still open,
 * which saw the vector LIVE before the disarm; an injection already
 * running) read it in a read-side critical section begun before the
 * pointer was cleared, and a grace period outlasts every critical section
 * running when it starts, whichever pointer that section read.  Readers
 * that start later find NULL; an injection queued meanwhile does nothing,
 * and uldf_irq_free() cancels it before the vector is freed.
 */
void uldf_irq_retire(struct uldf_device *udev, struct list_head *retired)
{
	struct uldf_irq *v, *tmp;

	lockdep_assert_held(&udev->irq.lock);
	if (list_empty(retired))
		return;
	synchronize_rcu();
	list_for_each_entry_safe(v, tmp, retired, retire_node) {
		list_del_init(&v->retire_node);
		eventfd_ctx_put(v->retired_trigger);
		v->retired_trigger = NULL;
	}
}

/* ---- ULDF_IRQ_SET_EVENTFD ------------------------------------------------ */

/* Take an eventfd by descriptor; -1 gives NULL.  Not an eventfd: EBADF. */
static struct eventfd_ctx *uldf_eventfd_get(struct file *file)
{
	struct eventfd_ctx *ctx;

	if (!file)
		return ERR_PTR(-EBADF);
	ctx = eventfd_ctx_fileget(file);
	return IS_ERR(ctx) ? ERR_PTR(-EBADF) : ctx;
}

/* Install @trigger and @resample (either may be NULL); irq.lock held. */
static int uldf_irq_wire(struct uldf_irq *v, struct eventfd_ctx *trigger,
			 struct file *resample_file,
			 struct eventfd_ctx *resample)
{
	bool had_trigger = rcu_access_pointer(v->trigger);

	if (v->life != ULDF_IRQ_LIVE)
		return -ENODEV;
	uldf_resample_detach(v);
	uldf_trigger_replace(v, trigger);
	if (resample) {
		/*
		 * A delivery that found no trigger wakes the vector's pollers
		 * under v->wq.lock, and a poller's callback may signal an
		 * eventfd; the resample eventfd's wake-up takes v->wq.lock
		 * under that eventfd's lock.  Let every delivery that read no
		 * trigger end (it runs under rcu_read_lock()) before the
		 * resample eventfd can reach the vector, so that the two
		 * never wait on each other.
		 */
		if (!had_trigger)
			synchronize_rcu();
		uldf_resample_attach(v, resample_file, resample);
	}
	return 0;
}

/**
 * uldf_irq_set_eventfd() - ULDF_IRQ_SET_EVENTFD: wire eventfds to a vector.
 * @v: the vector of the IRQ fd; no lock held.
 * @arg: user pointer to struct uldf_irq_eventfd.
 *
 * Replaces the vector's trigger and resample eventfds (-1 removes one).
 *
 * Return: 0, or a negative errno: -EFAULT bad pointer; -EINVAL @argsz too
 * small, unknown flags, @trigger or @resample below -1, a resample eventfd
 * on a vector other than INTx, without a trigger, or the same as the
 * trigger; -EBADF a descriptor that is not an eventfd; -ENODEV the vector
 * is dead.
 */
long uldf_irq_set_eventfd(struct uldf_irq *v, void __user *arg)
{
	struct eventfd_ctx *trigger = NULL, *resample = NULL;
	struct uldf_irq_eventfd req;
	struct file *rfile = NULL;
	struct fd tf = {}, rf = {};
	u32 argsz;
	int ret;

	ret = uldf_copy_arg(&req, sizeof(req), sizeof(req), arg, &argsz);
	if (ret)
		return ret;
	if (req.flags || req.trigger < -1 || req.resample < -1)
		return -EINVAL;
	if (req.resample != -1 &&
	    (v->type != ULDF_IRQ_TYPE_INTX || req.trigger == -1))
		return -EINVAL;

	if (req.trigger != -1) {
		tf = fdget(req.trigger);
		trigger = uldf_eventfd_get(fd_file(tf));
		if (IS_ERR(trigger)) {
			ret = PTR_ERR(trigger);
			goto out_fdput;
		}
	}
	if (req.resample != -1) {
		rf = fdget(req.resample);
		rfile = fd_file(rf);
		resample = uldf_eventfd_get(rfile);
		if (IS_ERR(resample)) {
			ret = PTR_ERR(resample);
			goto out_put_trigger;
		}
		/* Its wake-up would signal itself under its own lock. */
		if (resample == trigger) {
			ret = -EINVAL;
			goto out_put_resample;
		}
	}

	mutex_lock(&v->udev->irq.lock);
	ret = uldf_irq_wire(v, trigger, rfile, resample);
	mutex_unlock(&v->udev->irq.lock);
	if (!ret)
		goto out_fdput;	/* the references now belong to @v */

out_put_resample:
	if (resample)
		eventfd_ctx_put(resample);
out_put_trigger:
	if (trigger && !IS_ERR(trigger))
		eventfd_ctx_put(trigger);
out_fdput:
	fdput(rf);
	fdput(tf);
	return ret;
}
