// SPDX-License-Identifier: GPL-2.0
/*
 * uldf core: claiming a PCI function and the device fd.
 *
 * uldf is a pci_driver with no ID table: a function is given to it through
 * the standard driver_override and drivers_probe sysfs files.  Binding
 * claims DMA ownership of the function's IOMMU group (the group is not
 * viable, and the bind fails, while another of its devices is bound to a
 * kernel driver that uses the DMA API), enables the function, requests its
 * BARs and creates /dev/uldf/<BDF>.
 *
 * The device fd is exclusive: one open file at a time.  Who may open is
 * decided first, before the function is touched: a function that can
 * master the bus can also write the MSI doorbell and forge any interrupt,
 * so a function whose IOMMU group does not isolate MSI (no interrupt
 * remapping) is refused unless uldf.allow_unsafe_interrupts=1; and in
 * no-IOMMU mode, where the device fd reaches all physical memory by DMA,
 * the opener needs CAP_SYS_RAWIO.  Opening saves the function's config
 * space and gives the file a DMA space with an IOMMU domain of its own,
 * which other open devices of the process may join (space.c); closing, or
 * the death of the process, turns bus mastering off, frees interrupts,
 * takes the device out of its DMA space (the last one out unmaps and
 * unpins), resets the function and restores config space as it was found.
 *
 * Removal (unbind, or a surprise removal) while the device fd is open first
 * signals the REQ notification and waits uldf.release_timeout_ms for the
 * user to close; then it revokes: BAR mappings are zapped (later accesses
 * raise SIGBUS), interrupts and DMA are torn down, and every further call
 * on the files fails with ENODEV until they are closed.  Removal never
 * waits on the user: no file operation copies user memory or pins user
 * pages while holding a lock that removal takes (uldf_private.h).
 */
#include <linux/capability.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "uldf_private.h"

#define ULDF_MAX_MINORS		256

static bool uldf_allow_unsafe_interrupts;
module_param_named(allow_unsafe_interrupts, uldf_allow_unsafe_interrupts,
		   bool, 0644);
MODULE_PARM_DESC(allow_unsafe_interrupts,
		 "Allow opening devices whose IOMMU does not isolate MSI, i.e. without interrupt remapping (unsafe: a device could forge interrupts)");

bool uldf_enable_noiommu;
module_param_named(enable_noiommu, uldf_enable_noiommu, bool, 0444);
MODULE_PARM_DESC(enable_noiommu,
		 "Allow DMA for devices without an IOMMU, with physical addresses, to openers with CAP_SYS_RAWIO (unsafe; taints the kernel)");

unsigned int uldf_release_timeout_ms = 1000;
module_param_named(release_timeout_ms, uldf_release_timeout_ms, uint, 0644);
MODULE_PARM_DESC(release_timeout_ms,
		 "On unbind, how long to wait for the user to close the device before revoking it (ms)");

static dev_t uldf_devt;
static struct cdev uldf_cdev;
static DEFINE_XARRAY_ALLOC(uldf_minors);
static struct pci_driver uldf_pci_driver;

static char *uldf_devnode(const struct device *dev, umode_t *mode)
{
	if (mode)
		*mode = 0600;
	return kasprintf(GFP_KERNEL, "uldf/%s", dev_name(dev));
}

static const struct class uldf_class = {
	.name = "uldf",
	.devnode = uldf_devnode,
};

static void uldf_device_free(struct kref *kref)
{
	struct uldf_device *udev = container_of(kref, struct uldf_device, kref);

	uldf_config_exit(udev);
	kfree(udev->bind_state);
	pci_dev_put(udev->pdev);
	kfree(udev);
}

/**
 * uldf_device_get() - take a reference on a uldf device.
 * @udev: the device.
 */
void uldf_device_get(struct uldf_device *udev)
{
	kref_get(&udev->kref);
}

/**
 * uldf_device_put() - drop a reference; the last one frees the device.
 * @udev: the device.
 */
void uldf_device_put(struct uldf_device *udev)
{
	kref_put(&udev->kref, uldf_device_free);
}

/**
 * uldf_copy_arg() - copy in an extensible ioctl argument.
 * @dst:	kernel copy, @dstsz bytes.
 * @minsz:	size of the structure as first published; @argsz below it is
 *		refused.
 * @dstsz:	size of the structure as this module knows it.
 * @src:	user pointer; its first __u32 is argsz.
 * @argsz:	out: the caller's argsz.
 *
 * Copies min(argsz, @dstsz) bytes and zeroes the rest of @dst, so an older
 * caller gets defaults for fields it does not know.
 *
 * Return: 0, -EFAULT on a bad pointer, -EINVAL if argsz < @minsz.
 */
int uldf_copy_arg(void *dst, size_t minsz, size_t dstsz,
		  const void __user *src, u32 *argsz)
{
	u32 sz;

	if (get_user(sz, (const u32 __user *)src))
		return -EFAULT;
	if (sz < minsz)
		return -EINVAL;
	memset(dst, 0, dstsz);
	if (copy_from_user(dst, src, min_t(size_t, sz, dstsz)))
		return -EFAULT;
	*argsz = sz;
	return 0;
}

/**
 * uldf_copy_query() - copy in the argument of an info query.
 * @dst:	kernel copy, @size bytes; a structure that starts with argsz
 *		and flags, as every uldf ioctl argument does.
 * @size:	its size, also the minimum argsz.
 * @src:	user pointer.
 * @argsz:	out: the caller's argsz.
 *
 * Queries take no input flags: any is refused, so that flags can be given
 * meaning later.
 *
 * Return: 0, -EFAULT, or -EINVAL for a short argsz or input flags.
 */
int uldf_copy_query(void *dst, size_t size, const void __user *src,
		    u32 *argsz)
{
	int ret = uldf_copy_arg(dst, size, size, src, argsz);

	if (ret)
		return ret;
	return ((u32 *)dst)[1] ? -EINVAL : 0;
}

/* ---- claiming the IOMMU group ----------------------------------------- */

static int uldf_report_blocker(struct device *dev, void *data)
{
	struct device *self = data;

	if (dev == self || !dev->driver)
		return 0;
	if (dev->driver == &uldf_pci_driver.driver)
		return 0;
	dev_err(self, "uldf: IOMMU group not viable: %s is bound to %s\n",
		dev_name(dev), dev->driver->name);
	return 0;
}

static int uldf_claim_dma(struct uldf_device *udev)
{
	struct device *dev = &udev->pdev->dev;
	struct iommu_group *group;
	int ret;

	group = iommu_group_get(dev);
	if (!group) {
		dev_info(dev, "uldf: no IOMMU group; %s\n",
			 uldf_enable_noiommu ?
			 "no-IOMMU mode (unsafe) will be used for DMA" :
			 "DMA and bus mastering are disabled");
		return 0;
	}

	/*
	 * The claim fails while any device of the group is bound to a driver
	 * that uses the kernel's DMA API; name them for the administrator.
	 */
	ret = iommu_device_claim_dma_owner(dev, &uldf_pci_driver);
	if (ret) {
		iommu_group_for_each_dev(group, dev, uldf_report_blocker);
		dev_err(dev, "uldf: cannot claim DMA ownership of IOMMU group %d (%d)\n",
			iommu_group_id(group), ret);
		iommu_group_put(group);
		return ret;
	}
	udev->group = group;
	udev->owns_dma = true;
	return 0;
}

static void uldf_release_dma(struct uldf_device *udev)
{
	if (!udev->owns_dma)
		return;
	iommu_device_release_dma_owner(&udev->pdev->dev);
	iommu_group_put(udev->group);
	udev->group = NULL;
	udev->owns_dma = false;
}

/* ---- open and close ---------------------------------------------------- */

static struct uldf_device *uldf_lookup(unsigned int minor)
{
	struct uldf_device *udev;

	xa_lock(&uldf_minors);
	udev = xa_load(&uldf_minors, minor);
	if (udev)
		uldf_device_get(udev);
	xa_unlock(&uldf_minors);
	return udev;
}

/*
 * Undo an open: called with @udev->lock held for write; @dev_locked says the
 * caller (removal) holds the PCI device lock.  Bus mastering goes off first
 * so that the device stops DMA before its mappings go away.  @credit gets
 * the locked_vm to give back once the caller has dropped its locks.
 */
static void uldf_device_close(struct uldf_device *udev, bool dev_locked,
			      struct uldf_dma_credit *credit)
{
	pci_clear_master(udev->pdev);
	uldf_irq_release_all(udev);
	uldf_dma_release(udev, credit);
	uldf_reset_disable(udev, dev_locked);
	udev->open = false;
}

/*
 * A function that can master the bus can write the MSI doorbell (0xFEExxxxx)
 * by DMA and so forge any interrupt, whether it has an MSI vector or not:
 * unless its IOMMU group isolates MSI (interrupt remapping), opening it is
 * refused, as VFIO refuses to attach such a group, unless the administrator
 * allows unsafe interrupts.  A function without an IOMMU group is exempt:
 * it cannot master the bus, or it is in no-IOMMU mode (see below).
 * The parameter is read here only: what an open was allowed, it keeps
 * until its close.
 */
static int uldf_open_check_msi_isolation(struct uldf_device *udev)
{
	if (!udev->group || READ_ONCE(uldf_allow_unsafe_interrupts))
		return 0;
	if (iommu_group_has_isolated_msi(udev->group))
		return 0;
	pci_notice_ratelimited(udev->pdev,
			       "uldf: open refused: no interrupt remapping, the device could forge interrupts (uldf.allow_unsafe_interrupts=1 overrides)\n");
	return -EPERM;
}

/*
 * In no-IOMMU mode the device fd lets its holder DMA to all physical
 * memory, so the opener needs CAP_SYS_RAWIO, as for VFIO's no-IOMMU groups.
 * Without the mode a function without an IOMMU group cannot DMA at all, and
 * opens as any other.
 */
static int uldf_open_check_noiommu(struct uldf_device *udev)
{
	if (udev->group || !uldf_enable_noiommu)
		return 0;
	if (capable(CAP_SYS_RAWIO))
		return 0;
	pci_notice_ratelimited(udev->pdev,
			       "uldf: open refused: no-IOMMU mode needs CAP_SYS_RAWIO, which %s[%d] lacks\n",
			       current->comm, task_pid_nr(current));
	return -EPERM;
}

static int uldf_open(struct inode *inode, struct file *file)
{
	struct uldf_device *udev;
	int ret;

	udev = uldf_lookup(iminor(inode));
	if (!udev)
		return -ENODEV;

	down_write(&udev->lock);
	if (udev->removed) {
		ret = -ENODEV;
		goto out_unlock;
	}
	ret = uldf_open_check_msi_isolation(udev);
	if (ret)
		goto out_unlock;
	ret = uldf_open_check_noiommu(udev);
	if (ret)
		goto out_unlock;
	if (udev->open) {
		ret = -EBUSY;
		goto out_unlock;
	}
	ret = uldf_reset_enable(udev);
	if (ret)
		goto out_unlock;
	ret = uldf_dma_open(udev);
	if (ret)
		goto out_disable;
	uldf_config_reset(udev);

	udev->open = true;
	down_write(&udev->memory_lock);
	udev->mapping = file->f_mapping;
	up_write(&udev->memory_lock);
	file->private_data = udev;
	up_write(&udev->lock);
	return 0;

out_disable:
	uldf_reset_disable(udev, false);
out_unlock:
	up_write(&udev->lock);
	uldf_device_put(udev);
	return ret;
}

static int uldf_release(struct inode *inode, struct file *file)
{
	struct uldf_device *udev = file->private_data;
	struct uldf_dma_credit credit = {};

	down_write(&udev->lock);
	if (!udev->removed && udev->open)
		uldf_device_close(udev, false, &credit);
	down_write(&udev->memory_lock);
	udev->mapping = NULL;
	up_write(&udev->memory_lock);
	up_write(&udev->lock);
	wake_up_all(&udev->release_wq);
	uldf_dma_credit_put(&credit, false);
	uldf_device_put(udev);
	return 0;
}

/* ---- device fd operations --------------------------------------------- */

static long uldf_get_info(struct uldf_device *udev, void __user *arg)
{
	struct pci_dev *pdev = udev->pdev;
	struct uldf_device_info info;
	unsigned int i;
	u32 argsz;
	int ret;

	ret = uldf_copy_query(&info, sizeof(info), arg, &argsz);
	if (ret)
		return ret;
	ret = uldf_lock_live(udev);
	if (ret)
		return ret;

	info.argsz = sizeof(info);
	if (uldf_reset_supported(udev))
		info.flags |= ULDF_DEVICE_FLAGS_RESET;
	if (udev->group)
		info.flags |= ULDF_DEVICE_FLAGS_IOMMU;
	else if (uldf_enable_noiommu)
		info.flags |= ULDF_DEVICE_FLAGS_NOIOMMU;
	if (pci_is_pcie(pdev))
		info.flags |= ULDF_DEVICE_FLAGS_PCIE;
	info.api_version = ULDF_API_VERSION;
	info.vendor = pdev->vendor;
	info.device = pdev->device;
	info.subsystem_vendor = pdev->subsystem_vendor;
	info.subsystem_device = pdev->subsystem_device;
	info.class_code = pdev->class;
	info.revision = pdev->revision;
	info.header_type = pdev->hdr_type;
	info.num_regions = ULDF_NUM_REGIONS;
	for (i = 0; i < ULDF_NUM_IRQ_TYPES; i++)
		info.num_irqs[i] = uldf_irq_num(pdev, i);
	info.iommu_group = udev->group ? iommu_group_id(udev->group) : -1;
	info.config_size = pdev->cfg_size;
	up_read(&udev->lock);

	if (copy_to_user(arg, &info, min_t(u32, argsz, sizeof(info))))
		return -EFAULT;
	return 0;
}

/**
 * uldf_lock_live() - take @udev->lock for read if the device is bound.
 * @udev: the device.
 *
 * Return: 0 with @udev->lock held for read; -ENODEV, not held, once the
 * device is removed.
 */
int uldf_lock_live(struct uldf_device *udev)
{
	down_read(&udev->lock);
	if (!udev->removed)
		return 0;
	up_read(&udev->lock);
	return -ENODEV;
}

static long uldf_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct uldf_device *udev = file->private_data;
	void __user *argp = (void __user *)arg;
	long ret;

	/*
	 * Each ioctl takes @udev->lock itself (uldf_lock_live()), only
	 * around what needs the device: its argument is copied in before
	 * and out after, so that a user page that never faults in cannot
	 * hold up an unbind.
	 */
	switch (cmd) {
	case ULDF_DEVICE_GET_INFO:
		return uldf_get_info(udev, argp);
	case ULDF_DEVICE_GET_REGION_INFO:
		return uldf_region_info(udev, argp);
	case ULDF_DEVICE_RESET:
		ret = uldf_lock_live(udev);
		if (ret)
			return ret;
		ret = uldf_reset_ioctl(udev);
		up_read(&udev->lock);
		return ret;
	case ULDF_DEVICE_IRQ_OPEN:
		return uldf_irq_open_ioctl(udev, argp);
	case ULDF_DMA_GET_INFO:
	case ULDF_DMA_MAP:
	case ULDF_DMA_UNMAP:
	case ULDF_DMA_MAP_BATCH:
		return uldf_dma_ioctl(udev, cmd, argp);
	case ULDF_DMA_JOIN:
		return uldf_dma_join_ioctl(udev, argp);
	}
	return -ENOTTY;
}

/*
 * pread()/pwrite(): without @udev->lock; config.c and rdwr.c copy the
 * user's buffer outside their locks and check @removed under them.
 */
static ssize_t uldf_rw(struct file *file, char __user *buf, size_t count,
		       loff_t *ppos, bool write)
{
	struct uldf_device *udev = file->private_data;
	unsigned int index;
	loff_t pos;
	ssize_t ret;

	if (*ppos < 0)
		return -EINVAL;
	index = *ppos >> ULDF_REGION_SHIFT;
	pos = *ppos & ULDF_REGION_MASK;
	if (index >= ULDF_NUM_REGIONS)
		return -EINVAL;
	if (!count)
		return 0;

	if (index == ULDF_REGION_CONFIG)
		ret = uldf_config_rw(udev, buf, count, pos, write);
	else
		ret = uldf_bar_rw(udev, index, buf, count, pos, write);

	if (ret > 0)
		*ppos += ret;
	return ret;
}

static ssize_t uldf_read(struct file *file, char __user *buf, size_t count,
			 loff_t *ppos)
{
	return uldf_rw(file, buf, count, ppos, false);
}

static ssize_t uldf_write(struct file *file, const char __user *buf,
			  size_t count, loff_t *ppos)
{
	return uldf_rw(file, (char __user *)buf, count, ppos, true);
}

/*
 * Called with the mm's mmap_lock held, without uldf's locks.  The check of
 * @removed is only for a clear error: a mapping that slips past it is
 * never filled, since the fault checks again under memory_lock.
 */
static int uldf_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct uldf_device *udev = file->private_data;

	if (READ_ONCE(udev->removed))
		return -ENODEV;
	return uldf_bar_mmap(udev, vma);
}

static const struct file_operations uldf_fops = {
	.owner = THIS_MODULE,
	.open = uldf_open,
	.release = uldf_release,
	.read = uldf_read,
	.write = uldf_write,
	.unlocked_ioctl = uldf_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = uldf_mmap,
	.llseek = default_llseek,
};

/**
 * uldf_device_from_file() - the device behind a uldf device fd.
 * @file: any open file.
 *
 * The file's reference on the device lasts as long as the caller holds
 * the file.
 *
 * Return: the device, or NULL if @file is not a uldf device fd.
 */
struct uldf_device *uldf_device_from_file(struct file *file)
{
	return file->f_op == &uldf_fops ? file->private_data : NULL;
}

/* ---- binding ----------------------------------------------------------- */

static int uldf_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct uldf_device *udev;
	u32 minor;
	int ret;

	if (pdev->hdr_type != PCI_HEADER_TYPE_NORMAL) {
		pci_info(pdev, "uldf: only type 0 (endpoint) functions are supported\n");
		return -EINVAL;
	}

	/*
	 * Firmware or the previous driver may have left bus mastering on.  A
	 * device handed to uldf stops DMA now, whether or not the bind below
	 * succeeds, so nothing it does can reach memory freed since.
	 */
	pci_clear_master(pdev);

	udev = kzalloc(sizeof(*udev), GFP_KERNEL);
	if (!udev)
		return -ENOMEM;
	kref_init(&udev->kref);
	init_rwsem(&udev->lock);
	init_rwsem(&udev->memory_lock);
	init_waitqueue_head(&udev->release_wq);
	udev->pdev = pci_dev_get(pdev);
	uldf_irq_init(udev);

	/*
	 * Everything that can fail comes before the claim of DMA ownership:
	 * giving ownership back re-attaches the group's default domain, which
	 * the IOMMU core treats as unable to fail (iommu.c WARNs if it does),
	 * so no error path here has to.
	 */
	ret = pcim_enable_device(pdev);
	if (ret)
		goto out_put;
	ret = pcim_request_all_regions(pdev, "uldf");
	if (ret) {
		if (ret == -EBUSY)
			pci_err(pdev, "uldf: BARs are in use by another driver\n");
		goto out_put;
	}
	pci_intx(pdev, 0);

	ret = uldf_bar_init(udev);
	if (ret)
		goto out_put;
	ret = uldf_config_init(udev);
	if (ret)
		goto out_put;
	pci_save_state(pdev);
	udev->bind_state = pci_store_saved_state(pdev);
	if (!udev->bind_state) {
		ret = -ENOMEM;
		goto out_put;
	}

	/*
	 * The minor is reserved (opens find nothing and fail with ENODEV)
	 * until ownership is held; publishing @udev then stores into the
	 * reserved slot, which allocates nothing and cannot fail.
	 */
	ret = xa_alloc(&uldf_minors, &minor, NULL,
		       XA_LIMIT(0, ULDF_MAX_MINORS - 1), GFP_KERNEL);
	if (ret)
		goto out_put;
	udev->minor = minor;
	udev->chrdev = device_create(&uldf_class, &pdev->dev,
				     MKDEV(MAJOR(uldf_devt), minor), udev,
				     "%s", pci_name(pdev));
	if (IS_ERR(udev->chrdev)) {
		ret = PTR_ERR(udev->chrdev);
		goto out_erase;
	}

	ret = uldf_claim_dma(udev);
	if (ret)
		goto out_destroy;
	xa_store(&uldf_minors, minor, udev, 0);

	pci_set_drvdata(pdev, udev);
	pci_info(pdev, "uldf: bound as /dev/uldf/%s\n", pci_name(pdev));
	return 0;

out_destroy:
	device_destroy(&uldf_class, MKDEV(MAJOR(uldf_devt), minor));
out_erase:
	xa_erase(&uldf_minors, minor);
out_put:
	uldf_device_put(udev);
	return ret;
}

static void uldf_remove(struct pci_dev *pdev)
{
	struct uldf_device *udev = pci_get_drvdata(pdev);
	struct uldf_dma_credit credit = {};

	/* No new opens from here on. */
	xa_erase(&uldf_minors, udev->minor);
	device_destroy(&uldf_class, MKDEV(MAJOR(uldf_devt), udev->minor));

	if (READ_ONCE(udev->open)) {
		uldf_irq_notify(udev, ULDF_IRQ_TYPE_REQ);
		wait_event_timeout(udev->release_wq, !READ_ONCE(udev->open),
				   msecs_to_jiffies(uldf_release_timeout_ms));
	}

	/*
	 * From here no BAR or config access reaches the device: they check
	 * @removed under memory_lock, and the mappings are gone.
	 */
	uldf_memory_lock_and_zap(udev);
	WRITE_ONCE(udev->removed, true);
	up_write(&udev->memory_lock);

	down_write(&udev->lock);
	if (udev->open) {
		pci_warn(pdev, "uldf: device still open by user space; revoking it\n");
		uldf_device_close(udev, true, &credit);
	}
	up_write(&udev->lock);
	wake_up_all(&udev->release_wq);
	/* The opener may hold its mmap_lock: not under the device lock. */
	uldf_dma_credit_put(&credit, true);

	uldf_release_dma(udev);
	pci_set_drvdata(pdev, NULL);
	uldf_device_put(udev);
}

/*
 * The AER core's report of an uncorrectable error (PCI Express Base spec,
 * section 6.2; Documentation/PCI/pci-error-recovery.rst): the user is told
 * through its ERR vector and, as vfio-pci answers, the function can
 * recover; the user decides what to do.  After a fatal error
 * (pci_channel_io_frozen) the core resets the link below the port, which
 * leaves the function's config space as after a reset (BARs unassigned,
 * decoding off) and restores nothing; uldf notes it, so that the user's
 * ULDF_DEVICE_RESET first puts back the config space saved at open
 * (reset.c).  This runs under the PCI core's pci_bus_sem, which a reset
 * takes inside memory_lock: it must not take uldf's locks.
 */
static pci_ers_result_t uldf_error_detected(struct pci_dev *pdev,
					    pci_channel_state_t state)
{
	struct uldf_device *udev = pci_get_drvdata(pdev);

	if (!udev)
		return PCI_ERS_RESULT_CAN_RECOVER;
	if (state == pci_channel_io_frozen)
		set_bit(ULDF_ERR_CONFIG_LOST, &udev->err_flags);
	uldf_irq_notify(udev, ULDF_IRQ_TYPE_ERR);
	return PCI_ERS_RESULT_CAN_RECOVER;
}

static const struct pci_error_handlers uldf_err_handlers = {
	.error_detected = uldf_error_detected,
};

static struct pci_driver uldf_pci_driver = {
	.name = "uldf",
	.id_table = NULL,	/* bound only through driver_override */
	.probe = uldf_probe,
	.remove = uldf_remove,
	.err_handler = &uldf_err_handlers,
	.driver_managed_dma = true,
};

static int __init uldf_init(void)
{
	int ret;

	ret = uldf_dma_credit_init();
	if (ret)
		return ret;
	ret = alloc_chrdev_region(&uldf_devt, 0, ULDF_MAX_MINORS, "uldf");
	if (ret)
		goto out_credit;
	cdev_init(&uldf_cdev, &uldf_fops);
	uldf_cdev.owner = THIS_MODULE;
	ret = cdev_add(&uldf_cdev, uldf_devt, ULDF_MAX_MINORS);
	if (ret)
		goto out_region;
	ret = class_register(&uldf_class);
	if (ret)
		goto out_cdev;
	ret = pci_register_driver(&uldf_pci_driver);
	if (ret)
		goto out_class;
	if (uldf_enable_noiommu)
		pr_warn("uldf: no-IOMMU mode enabled: user space may DMA to any physical address\n");
	return 0;

out_class:
	class_unregister(&uldf_class);
out_cdev:
	cdev_del(&uldf_cdev);
out_region:
	unregister_chrdev_region(uldf_devt, ULDF_MAX_MINORS);
out_credit:
	uldf_dma_credit_exit();
	return ret;
}

static void __exit uldf_exit(void)
{
	pci_unregister_driver(&uldf_pci_driver);
	class_unregister(&uldf_class);
	cdev_del(&uldf_cdev);
	unregister_chrdev_region(uldf_devt, ULDF_MAX_MINORS);
	xa_destroy(&uldf_minors);
	uldf_dma_credit_exit();
}

module_init(uldf_init);
module_exit(uldf_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("uldf: user-level driver framework for PCI devices");
MODULE_AUTHOR("The uldf developers");
MODULE_VERSION(ULDF_VERSION);
