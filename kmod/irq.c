// SPDX-License-Identifier: GPL-2.0
/*
 * uldf interrupts: every vector is a file descriptor.
 *
 * ULDF_DEVICE_IRQ_OPEN enables one or more vectors of one type and returns
 * an anonymous-inode file per vector (an "IRQ fd").  The file owns its
 * struct uldf_irq and a reference on the uldf_device; the device's
 * uldf_irq_state only points at the vectors that are live.  A vector moves
 * through three states: NEW (the file exists, nothing is enabled yet),
 * LIVE (its handler is installed and it is published in the state) and DEAD
 * (it was disabled, by the close of its own file or by the close of the
 * device fd; its file is then an empty shell whose calls fail with ENODEV).
 * Enabling and disabling happen under irq.lock; everything a hard interrupt
 * handler touches (the count, the mask state, the vector's state) is under
 * the vector's spinlock, so that read(), write(), an EOI coming from a
 * resample eventfd and the config-space Interrupt Disable hook all work
 * without sleeping locks.  That spinlock is the lock of the vector's wait
 * queue (v->wq.lock), as an eventfd keeps its count under its queue's
 * lock: an interrupt that wakes a reader, a poller, epoll or io_uring
 * takes one lock, not two.
 *
 * An interrupt is counted in the vector and wakes its readers (poll, epoll,
 * io_uring and SIGIO through fasync); with a trigger eventfd attached it
 * signals that instead.  The trigger is RCU-protected so that it is
 * signalled outside the vector's spinlock: a resample eventfd's wake-up
 * runs under the eventfd's own wait-queue lock and takes the vector lock,
 * so no path may take an eventfd's lock while holding the vector lock.
 * The wake-ups of the vector's pollers run under the vector lock; that a
 * poller's callback (aio, io_uring) never signals an eventfd from there
 * rests on the kernel deferring such signals (aio_poll_wake(),
 * io_uring's IOU_F_TWQ_IN_WAKE), and on uldf_irq_wire() waiting for
 * deliveries without a trigger before a resample eventfd is attached.
 * When a signal would nest inside another eventfd's wake-up (an EOI from
 * the resample eventfd that finds the line still asserted), it is deferred
 * to a work item, as eventfd_signal() requires.
 *
 * This file holds the IRQ fd (its file operations), ULDF_DEVICE_IRQ_OPEN,
 * the delivery, the enabling and disabling of a vector by its type, and
 * the set-up and release of a device's interrupts.  Each type has its own
 * file: INTx, level-triggered and masked by the handler until the user's
 * EOI, in intx.c; MSI and MSI-X, edge-triggered, in msi.c; the ERR and REQ
 * notifications in irqfd.c, with the eventfd wiring (ULDF_IRQ_SET_EVENTFD).
 */
#include <linux/anon_inodes.h>
#include <linux/eventfd.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/workqueue.h>

#include "uldf_private.h"

static const char * const uldf_irq_type_names[] = {
	[ULDF_IRQ_TYPE_INTX] = "intx",
	[ULDF_IRQ_TYPE_MSI] = "msi",
	[ULDF_IRQ_TYPE_MSIX] = "msix",
	[ULDF_IRQ_TYPE_ERR] = "err",
	[ULDF_IRQ_TYPE_REQ] = "req",
};

static bool uldf_irq_is_msi(unsigned int type)
{
	return type == ULDF_IRQ_TYPE_MSI || type == ULDF_IRQ_TYPE_MSIX;
}

/**
 * uldf_irq_num() - vectors of a type that a function has.
 * @pdev: the function.
 * @type: ULDF_IRQ_TYPE_*.
 *
 * Used both by ULDF_DEVICE_GET_INFO and to check ULDF_DEVICE_IRQ_OPEN.
 *
 * Return: INTx 0 or 1 (0 when the pin is not connected to an interrupt),
 * MSI 0 to 32, MSI-X 0 to 2048, ERR and REQ 1; 0 for an unknown type.
 */
u32 uldf_irq_num(struct pci_dev *pdev, unsigned int type)
{
	int n;

	switch (type) {
	case ULDF_IRQ_TYPE_INTX:
		return pdev->pin && pdev->irq && pdev->irq != IRQ_NOTCONNECTED;
	case ULDF_IRQ_TYPE_MSI:
		n = pci_msi_vec_count(pdev);
		return n > 0 ? n : 0;
	case ULDF_IRQ_TYPE_MSIX:
		n = pci_msix_vec_count(pdev);
		return n > 0 ? n : 0;
	case ULDF_IRQ_TYPE_ERR:
	case ULDF_IRQ_TYPE_REQ:
		return 1;
	}
	return 0;
}

/* ---- delivery ---------------------------------------------------------- */

static void uldf_irq_inject(struct work_struct *work)
{
	struct uldf_irq *v = container_of(work, struct uldf_irq, inject);
	struct eventfd_ctx *trigger;

	rcu_read_lock();
	trigger = rcu_dereference(v->trigger);
	if (trigger)
		eventfd_signal(trigger);
	rcu_read_unlock();
}

/**
 * uldf_irq_deliver() - deliver one interrupt of a vector.
 * @v: the vector; any context, never with v->wq.lock held (it wakes the
 *     queue under that lock).
 *
 * To the trigger eventfd if one is attached, else to the count that read()
 * returns, waking the readers.
 */
void uldf_irq_deliver(struct uldf_irq *v)
{
	struct eventfd_ctx *trigger;
	unsigned long flags;

	rcu_read_lock();
	trigger = rcu_dereference(v->trigger);
	spin_lock_irqsave(&v->wq.lock, flags);
	v->total++;
	if (!trigger) {
		WRITE_ONCE(v->count, v->count + 1);
		/*
		 * The count and the queue are under the one lock, as an
		 * eventfd's are: a reader or poller that found no count is
		 * on the queue now, and the common case of an interrupt
		 * that beats the read looks at an empty queue.
		 */
		if (waitqueue_active(&v->wq))
			wake_up_locked_poll(&v->wq, EPOLLIN | EPOLLRDNORM);
	}
	spin_unlock_irqrestore(&v->wq.lock, flags);

	if (!trigger)
		kill_fasync(&v->fasync, SIGIO, POLL_IN);
	else if (eventfd_signal_allowed())
		eventfd_signal(trigger);
	else
		schedule_work(&v->inject);
	rcu_read_unlock();
}

/* ---- enabling and disabling one vector ---------------------------------- */

/*
 * Undo a LIVE vector; irq.lock held.  Leaves it DEAD, its readers woken,
 * and its trigger eventfd (if any) on @retired, for uldf_irq_retire() to
 * put.
 */
static void uldf_irq_disarm(struct uldf_irq *v, struct list_head *retired)
{
	struct uldf_device *udev = v->udev;

	lockdep_assert_held(&udev->irq.lock);
	if (v->life != ULDF_IRQ_LIVE)
		return;

	uldf_resample_detach(v);
	switch (v->type) {
	case ULDF_IRQ_TYPE_INTX:
		uldf_intx_disarm(udev, v);
		break;
	case ULDF_IRQ_TYPE_MSI:
	case ULDF_IRQ_TYPE_MSIX:
		uldf_msi_disarm(udev, v);
		break;
	default:
		uldf_notify_disarm(udev, v);
	}
	uldf_trigger_retire(v, retired);

	wake_up_poll(&v->wq, EPOLLHUP | EPOLLERR);
	kill_fasync(&v->fasync, SIGIO, POLL_HUP);
}

static int uldf_irq_arm_set(struct uldf_device *udev, struct uldf_irq **vs,
			    const struct uldf_irq_open *op)
{
	struct uldf_irq_state *st = &udev->irq;
	int ret;

	lockdep_assert_held(&st->lock);
	switch (op->type) {
	case ULDF_IRQ_TYPE_INTX:
		if (st->mode != -1)
			return -EBUSY;
		ret = uldf_intx_arm(udev, vs[0]);
		if (!ret)
			uldf_intx_eoi(vs[0]);
		return ret;
	case ULDF_IRQ_TYPE_MSI:
	case ULDF_IRQ_TYPE_MSIX:
		return uldf_msi_arm_set(udev, vs, op->type, op->index,
					op->count);
	default:
		return uldf_notify_arm(udev, vs[0]);
	}
}

/* ---- the IRQ fd --------------------------------------------------------- */

static void uldf_irq_free(struct uldf_irq *v)
{
	cancel_work_sync(&v->inject);
	uldf_device_put(v->udev);
	kfree(v);
}

static int uldf_irq_fop_release(struct inode *inode, struct file *file)
{
	struct uldf_irq *v = file->private_data;
	struct uldf_device *udev = v->udev;
	LIST_HEAD(retired);

	mutex_lock(&udev->irq.lock);
	uldf_irq_disarm(v, &retired);
	uldf_irq_retire(udev, &retired);
	mutex_unlock(&udev->irq.lock);
	uldf_irq_free(v);
	return 0;
}

/* Perform the EOI owed by the previous read (unmask-on-read mode). */
static void uldf_irq_eoi_on_read(struct uldf_irq *v)
{
	bool due;

	spin_lock_irq(&v->wq.lock);
	due = v->eoi_due;
	v->eoi_due = false;
	spin_unlock_irq(&v->wq.lock);
	if (due)
		uldf_intx_eoi(v);
}

/* Something for a reader: interrupts, or the vector died; v->wq.lock held. */
static bool uldf_irq_ready(struct uldf_irq *v)
{
	return v->count || v->life != ULDF_IRQ_LIVE;
}

/* Take the count, waiting for one unless @nowait; v->wq.lock held. */
static int uldf_irq_wait_count(struct uldf_irq *v, bool nowait, u64 *cnt)
{
	int ret;

	for (;;) {
		if (v->life != ULDF_IRQ_LIVE)
			return -ENODEV;
		if (v->count) {
			*cnt = v->count;
			WRITE_ONCE(v->count, 0);
			v->eoi_due = v->unmask_on_read;
			return 0;
		}
		if (nowait)
			return -EAGAIN;
		ret = wait_event_interruptible_locked_irq(v->wq,
							  uldf_irq_ready(v));
		if (ret)
			return ret;
	}
}

/*
 * What a read() returns: the EOI owed by the previous read, then the count,
 * waiting for one unless @nowait.  Return: 0, -ENODEV, -EAGAIN or
 * -ERESTARTSYS.
 */
static int uldf_irq_take(struct uldf_irq *v, bool nowait, u64 *cnt)
{
	int ret;

	if (v->unmask_on_read)
		uldf_irq_eoi_on_read(v);
	/*
	 * Nothing to take and no waiting (io_uring's first try, before it
	 * polls): no lock.  An interrupt counted just after this test came
	 * after the read, as it would have had the read taken the lock.
	 */
	if (nowait && !READ_ONCE(v->count) &&
	    READ_ONCE(v->life) == ULDF_IRQ_LIVE)
		return -EAGAIN;

	spin_lock_irq(&v->wq.lock);
	ret = uldf_irq_wait_count(v, nowait, cnt);
	spin_unlock_irq(&v->wq.lock);
	return ret;
}

/* The copy to the user failed: nothing was returned, keep the interrupts. */
static void uldf_irq_untake(struct uldf_irq *v, u64 cnt)
{
	spin_lock_irq(&v->wq.lock);
	WRITE_ONCE(v->count, v->count + cnt);
	spin_unlock_irq(&v->wq.lock);
}

/*
 * read(): the plain entry, which vfs_read() prefers, spares a read() the
 * kiocb and the iov_iter of read_iter for a single u64; io_uring and
 * readv() use uldf_irq_read_iter().
 */
static ssize_t uldf_irq_read(struct file *file, char __user *buf, size_t len,
			     loff_t *ppos)
{
	struct uldf_irq *v = file->private_data;
	u64 cnt;
	int ret;

	if (len != sizeof(cnt))
		return -EINVAL;
	ret = uldf_irq_take(v, file->f_flags & O_NONBLOCK, &cnt);
	if (ret)
		return ret;
	if (put_user(cnt, (u64 __user *)buf)) {
		uldf_irq_untake(v, cnt);
		return -EFAULT;
	}
	return sizeof(cnt);
}

static ssize_t uldf_irq_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct file *file = iocb->ki_filp;
	struct uldf_irq *v = file->private_data;
	bool nowait = (file->f_flags & O_NONBLOCK) ||
		      (iocb->ki_flags & IOCB_NOWAIT);
	u64 cnt;
	int ret;

	if (iov_iter_count(to) != sizeof(cnt))
		return -EINVAL;
	ret = uldf_irq_take(v, nowait, &cnt);
	if (ret)
		return ret;
	/* io_uring's buffer: one put_user(), as read() does. */
	if (iter_is_ubuf(to)) {
		if (put_user(cnt, (u64 __user *)(to->ubuf + to->iov_offset)))
			goto fault;
		iov_iter_advance(to, sizeof(cnt));
	} else if (copy_to_iter(&cnt, sizeof(cnt), to) != sizeof(cnt)) {
		goto fault;
	}
	return sizeof(cnt);

fault:
	uldf_irq_untake(v, cnt);
	return -EFAULT;
}

static int uldf_irq_set_masked(struct uldf_irq *v, bool mask)
{
	unsigned long flags;
	bool live;

	struct uldf_device *udev = v->udev;
	bool intx_mask = mask && v->type == ULDF_IRQ_TYPE_INTX;
	u16 cmd;

	if (!uldf_irq_is_msi(v->type) && v->type != ULDF_IRQ_TYPE_INTX)
		return -EINVAL;

	/*
	 * The INTx mask rewrites the command register, which a config write
	 * must not change meanwhile (it would undo a Memory Space Enable);
	 * an MSI-X mask writes the vector table in a BAR, which must decode.
	 */
	if (intx_mask)
		down_read(&udev->memory_lock);
	spin_lock_irqsave(&v->wq.lock, flags);
	live = v->life == ULDF_IRQ_LIVE;
	if (live && intx_mask)
		uldf_intx_mask_locked(v);
	spin_unlock_irqrestore(&v->wq.lock, flags);
	if (intx_mask)
		up_read(&udev->memory_lock);
	if (!live)
		return -ENODEV;

	if (uldf_irq_is_msi(v->type)) {
		cmd = uldf_memory_lock_and_enable(udev);
		uldf_msi_mask(v, mask);
		uldf_memory_unlock_and_restore(udev, cmd);
	} else if (!mask) {
		uldf_intx_eoi(v);
	}
	return 0;
}

static ssize_t uldf_irq_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct uldf_irq *v = iocb->ki_filp->private_data;
	u64 val;
	int ret;

	if (iov_iter_count(from) != sizeof(val))
		return -EINVAL;
	if (!copy_from_iter_full(&val, sizeof(val), from))
		return -EFAULT;
	if (val > 1)
		return -EINVAL;
	ret = uldf_irq_set_masked(v, !val);
	return ret ? ret : sizeof(val);
}

static __poll_t uldf_irq_poll(struct file *file, poll_table *wait)
{
	struct uldf_irq *v = file->private_data;

	/*
	 * As eventfd_poll(): the count and the state change under the
	 * queue's lock, which poll_wait() takes to queue a poller, so a
	 * change after the tests below wakes the poller.
	 */
	poll_wait(file, &v->wq, wait);
	if (READ_ONCE(v->life) != ULDF_IRQ_LIVE)
		return EPOLLERR | EPOLLHUP;
	if (READ_ONCE(v->count))
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}

static int uldf_irq_fasync(int fd, struct file *file, int on)
{
	struct uldf_irq *v = file->private_data;

	return fasync_helper(fd, file, on, &v->fasync);
}

static long uldf_irq_get_info(struct uldf_irq *v, void __user *arg)
{
	struct uldf_irq_info info;
	unsigned long flags;
	u32 argsz;
	int ret;

	ret = uldf_copy_query(&info, sizeof(info), arg, &argsz);
	if (ret)
		return ret;

	spin_lock_irqsave(&v->wq.lock, flags);
	if (v->life != ULDF_IRQ_LIVE) {
		spin_unlock_irqrestore(&v->wq.lock, flags);
		return -ENODEV;
	}
	if (v->masked)
		info.flags |= ULDF_IRQ_INFO_MASKED;
	if (v->unmask_on_read)
		info.flags |= ULDF_IRQ_INFO_UNMASK_ON_READ;
	if (rcu_access_pointer(v->trigger))
		info.flags |= ULDF_IRQ_INFO_EVENTFD;
	if (v->resample.ctx)
		info.flags |= ULDF_IRQ_INFO_RESAMPLE;
	if (v->type == ULDF_IRQ_TYPE_INTX && !v->exclusive)
		info.flags |= ULDF_IRQ_INFO_SHARED;
	info.count = v->total;
	spin_unlock_irqrestore(&v->wq.lock, flags);

	info.argsz = sizeof(info);
	info.type = v->type;
	info.index = v->index;
	info.irq = v->irq;
	if (copy_to_user(arg, &info, min_t(u32, argsz, sizeof(info))))
		return -EFAULT;
	return 0;
}

/* /proc/PID/fdinfo/N: what the vector is and where it stands. */
static void uldf_irq_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct uldf_irq *v = file->private_data;
	unsigned long flags;
	u64 total, count;
	bool masked;
	int life;

	spin_lock_irqsave(&v->wq.lock, flags);
	life = v->life;
	masked = v->masked;
	count = v->count;
	total = v->total;
	spin_unlock_irqrestore(&v->wq.lock, flags);

	seq_printf(m, "uldf-device:\t%s\n", pci_name(v->udev->pdev));
	seq_printf(m, "uldf-vector:\t%s %u\n", uldf_irq_type_names[v->type],
		   v->index);
	seq_printf(m, "uldf-irq:\t%u\n", v->irq);
	seq_printf(m, "uldf-state:\t%s%s\n",
		   life == ULDF_IRQ_LIVE ? "live" : "dead",
		   masked ? " masked" : "");
	seq_printf(m, "uldf-count:\t%llu unread, %llu total\n", count, total);
}

static long uldf_irq_trigger(struct uldf_irq *v)
{
	if (READ_ONCE(v->life) != ULDF_IRQ_LIVE)
		return -ENODEV;
	uldf_irq_deliver(v);
	return 0;
}

static long uldf_irq_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct uldf_irq *v = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case ULDF_IRQ_GET_INFO:
		return uldf_irq_get_info(v, argp);
	case ULDF_IRQ_MASK:
		return uldf_irq_set_masked(v, true);
	case ULDF_IRQ_UNMASK:
		return uldf_irq_set_masked(v, false);
	case ULDF_IRQ_TRIGGER:
		return uldf_irq_trigger(v);
	case ULDF_IRQ_SET_EVENTFD:
		return uldf_irq_set_eventfd(v, argp);
	}
	return -ENOTTY;
}

static const struct file_operations uldf_irq_fops = {
	.owner = THIS_MODULE,
	.release = uldf_irq_fop_release,
	.read = uldf_irq_read,
	.read_iter = uldf_irq_read_iter,
	.write_iter = uldf_irq_write_iter,
	.poll = uldf_irq_poll,
	.fasync = uldf_irq_fasync,
	.unlocked_ioctl = uldf_irq_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
	.show_fdinfo = uldf_irq_show_fdinfo,
};

/* ---- ULDF_DEVICE_IRQ_OPEN ------------------------------------------------ */

static struct uldf_irq *uldf_irq_alloc(struct uldf_device *udev,
				       const struct uldf_irq_open *op,
				       unsigned int index)
{
	struct uldf_irq *v;

	v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v)
		return NULL;
	v->udev = udev;
	v->type = op->type;
	v->index = index;
	v->unmask_on_read = op->flags & ULDF_IRQ_OPEN_UNMASK_ON_READ;
	v->life = ULDF_IRQ_NEW;
	init_waitqueue_head(&v->wq);
	INIT_LIST_HEAD(&v->retire_node);
	INIT_WORK(&v->inject, uldf_irq_inject);
	if (uldf_irq_is_msi(op->type))
		snprintf(v->name, sizeof(v->name), "uldf-%s%u[%s]",
			 uldf_irq_type_names[op->type], index,
			 pci_name(udev->pdev));
	else
		snprintf(v->name, sizeof(v->name), "uldf-%s[%s]",
			 uldf_irq_type_names[op->type], pci_name(udev->pdev));
	uldf_device_get(udev);
	return v;
}

static int uldf_irq_check_open(struct uldf_device *udev,
			       const struct uldf_irq_open *op, u32 argsz)
{
	if (op->flags & ~(ULDF_IRQ_OPEN_NONBLOCK |
			  ULDF_IRQ_OPEN_UNMASK_ON_READ))
		return -EINVAL;
	if (op->type >= ULDF_NUM_IRQ_TYPES || !op->count || op->pad)
		return -EINVAL;
	if ((op->flags & ULDF_IRQ_OPEN_UNMASK_ON_READ) &&
	    op->type != ULDF_IRQ_TYPE_INTX)
		return -EINVAL;
	if ((u64)op->index + op->count > uldf_irq_num(udev->pdev, op->type))
		return -ERANGE;
	if (argsz < sizeof(*op) + (u64)op->count * sizeof(op->fds[0]))
		return -EINVAL;
	return 0;
}

/*
 * What one ULDF_DEVICE_IRQ_OPEN builds before anything is enabled: a
 * vector, a reserved descriptor and a file per requested vector.
 */
struct uldf_irq_batch {
	unsigned int count;
	struct uldf_irq **vs;
	struct file **files;
	int *fds;
};

static void uldf_irq_batch_free(struct uldf_irq_batch *b)
{
	unsigned int i;

	for (i = 0; i < b->count; i++) {
		if (b->files[i])
			fput(b->files[i]);	/* its release frees vs[i] */
		else if (b->vs[i])
			uldf_irq_free(b->vs[i]);
		if (b->fds[i] >= 0)
			put_unused_fd(b->fds[i]);
	}
	kfree(b->fds);
	kfree(b->files);
	kfree(b->vs);
}

static int uldf_irq_batch_build(struct uldf_device *udev,
				const struct uldf_irq_open *op,
				struct uldf_irq_batch *b)
{
	int fflags = O_RDWR;
	unsigned int i;

	if (op->flags & ULDF_IRQ_OPEN_NONBLOCK)
		fflags |= O_NONBLOCK;
	b->count = op->count;
	b->vs = kcalloc(op->count, sizeof(*b->vs), GFP_KERNEL);
	b->files = kcalloc(op->count, sizeof(*b->files), GFP_KERNEL);
	b->fds = kmalloc_array(op->count, sizeof(*b->fds), GFP_KERNEL);
	if (!b->vs || !b->files || !b->fds) {
		b->count = 0;
		return -ENOMEM;
	}
	memset(b->fds, -1, op->count * sizeof(*b->fds));

	for (i = 0; i < op->count; i++) {
		b->vs[i] = uldf_irq_alloc(udev, op, op->index + i);
		if (!b->vs[i])
			return -ENOMEM;
		b->fds[i] = get_unused_fd_flags(O_CLOEXEC);
		if (b->fds[i] < 0)
			return b->fds[i];
		b->files[i] = anon_inode_getfile("[uldf-irq]", &uldf_irq_fops,
						 b->vs[i], fflags);
		if (IS_ERR(b->files[i])) {
			int ret = PTR_ERR(b->files[i]);

			b->files[i] = NULL;
			return ret;
		}
		b->files[i]->f_mode |= FMODE_NOWAIT;
	}
	return 0;
}

/**
 * uldf_irq_open_ioctl() - ULDF_DEVICE_IRQ_OPEN: enable vectors as IRQ fds.
 * @udev: the device; no lock held.
 * @arg: user pointer to struct uldf_irq_open, followed by room for
 *	 @count descriptors.
 *
 * Builds a vector and an IRQ fd for each requested index and copies the
 * descriptor numbers out, without uldf's locks; then, under @udev->lock
 * (read) and irq.lock, enables the vectors (INTx:
 * installs the handler and performs a first EOI; MSI/MSI-X: enables the
 * block on first use, or allocates dynamic MSI-X vectors, and installs the
 * handlers) and finally installs the descriptors.  On any failure nothing
 * stays enabled and no descriptor is installed.
 *
 * Return: 0 with the descriptors written to @arg->fds.
 * -ENODEV the device was removed; -EFAULT bad pointer; -EINVAL unknown
 * type or flag, @count 0, non-zero
 * pad, UNMASK_ON_READ on a type other than INTx, @argsz too small;
 * -ERANGE @index + @count beyond the type's vectors; -EBUSY a vector is
 * open already, another mechanism is in use, the vectors lie outside an
 * enabled MSI/MSI-X block, or a shared INTx line is held exclusively;
 * -ENOSPC no interrupt vectors left; -EMFILE out of descriptors; -ENOMEM.
 * A function whose IOMMU does not isolate MSI (no interrupt remapping)
 * never gets here: open() refuses it with -EPERM unless
 * uldf.allow_unsafe_interrupts is set (core.c).
 */
long uldf_irq_open_ioctl(struct uldf_device *udev, void __user *arg)
{
	struct uldf_irq_batch b = {};
	struct uldf_irq_open op;
	unsigned int i;
	u32 argsz;
	int ret;

	ret = uldf_copy_arg(&op, sizeof(op), sizeof(op), arg, &argsz);
	if (ret)
		return ret;
	ret = uldf_irq_check_open(udev, &op, argsz);
	if (ret)
		return ret;

	ret = uldf_irq_batch_build(udev, &op, &b);
	if (ret)
		goto out_free;
	if (copy_to_user(arg + offsetof(struct uldf_irq_open, fds), b.fds,
			 op.count * sizeof(b.fds[0]))) {
		ret = -EFAULT;
		goto out_free;
	}

	ret = uldf_lock_live(udev);
	if (ret)
		goto out_free;
	mutex_lock(&udev->irq.lock);
	ret = uldf_irq_arm_set(udev, b.vs, &op);
	mutex_unlock(&udev->irq.lock);
	up_read(&udev->lock);
	if (ret)
		goto out_free;

	for (i = 0; i < op.count; i++)
		fd_install(b.fds[i], b.files[i]);
	kfree(b.fds);
	kfree(b.files);
	kfree(b.vs);
	return 0;

out_free:
	uldf_irq_batch_free(&b);
	return ret;
}

/* ---- hooks for the rest of the module ----------------------------------- */

/**
 * uldf_irq_init() - set up the interrupt state at probe.
 * @udev: the device.
 *
 * INTx stays masked at the function (DisINTx, set by probe) until an INTx
 * vector is opened.
 */
void uldf_irq_init(struct uldf_device *udev)
{
	mutex_init(&udev->irq.lock);
	spin_lock_init(&udev->irq.slot_lock);
	udev->irq.mode = -1;
}

/**
 * uldf_irq_release_all() - disable every vector of the device.
 * @udev: the device; @udev->lock held for write (device-fd close, or
 *	  revocation at removal).
 *
 * Frees every handler, disables MSI/MSI-X, leaves INTx masked at the
 * function (DisINTx set) and drops the eventfds.  IRQ fds still open become
 * dead: their calls fail with -ENODEV and blocked readers are woken.
 * However many vectors had a trigger eventfd, this waits for one RCU grace
 * period, not one per vector.
 */
void uldf_irq_release_all(struct uldf_device *udev)
{
	struct uldf_irq_state *st = &udev->irq;
	unsigned long flags;
	LIST_HEAD(retired);
	unsigned int i;

	mutex_lock(&st->lock);
	if (st->intx)
		uldf_irq_disarm(st->intx, &retired);
	/* The last MSI/MSI-X vector to go disables the block and frees @vec. */
	for (i = 0; st->vec && i < st->nvec; i++)
		if (st->vec[i])
			uldf_irq_disarm(st->vec[i], &retired);
	if (st->err)
		uldf_irq_disarm(st->err, &retired);
	if (st->req)
		uldf_irq_disarm(st->req, &retired);
	uldf_irq_retire(udev, &retired);
	spin_lock_irqsave(&st->slot_lock, flags);
	st->intx_virt_disabled = false;
	spin_unlock_irqrestore(&st->slot_lock, flags);
	mutex_unlock(&st->lock);
}
