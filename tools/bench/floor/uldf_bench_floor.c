// SPDX-License-Identifier: GPL-2.0
/*
 * uldf_bench_floor: the floor of the uldf benchmarks, measured in the kernel.
 *
 * A benchmark-only driver for QEMU's edu device, loaded by tools/bench's
 * guest script inside the testbed and nowhere else.  It has no ID table:
 * it binds only to a device whose driver_override names it.  Bound, it
 * owns the device's DMA (driver_managed_dma, then a claim of the group's
 * DMA ownership as VFIO and uldf make), allocates a paging domain and
 * attaches it to the group.
 *
 * Writing a sample count N to the device's "floor" attribute, from a task
 * pinned to the CPU the benchmarks use, times in the kernel, on the same
 * emulated IOMMU and device as the user-space benchmarks:
 *
 *  - 16384 4 KiB pages (physically scattered: the first page of each of
 *    16384 order-1 blocks) mapped one iommu_map() per page at consecutive
 *    IOVAs, then unmapped one iommu_unmap() per page: the floor of a map
 *    call per page (each call syncs the IOTLB, as a user-space call does);
 *  - the same pages mapped with one iommu_map_sg() and unmapped with one
 *    iommu_unmap_fast() and ONE iommu_iotlb_sync(): the floor of a batched
 *    map and unmap of scattered pages;
 *  - N edu MSIs: the time from the MMIO write that raises the interrupt to
 *    the handler (its timestamp) and to the wake-up of the writer, which
 *    waits on a completion that the handler completes;
 *  - N edu INTx cycles: raise, the handler acknowledges (lowering the line)
 *    and completes, the writer wakes and raises the next; the cycle rate
 *    and the raise-to-wake p50.
 *
 * Reading the attribute gives the last run's figures as one line of
 * key=value words (times in ns), "status=none" before any run.  A failed
 * run makes the write fail with its errno.
 */

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/device.h>
#include <linux/interrupt.h>
#include <linux/iommu.h>
#include <linux/kstrtox.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
#define EDU_INTR_STATUS		0x24
#define EDU_INTR_RAISE		0x60
#define EDU_INTR_ACK		0x64

/* As the user-space benchmark: IOVAs from 64 MiB up, 16384 pages. */
#define FLOOR_IOVA		SZ_64M
#define FLOOR_PAGES		16384
#define FLOOR_WARMUP		50
#define FLOOR_MAX_SAMPLES	100000
#define FLOOR_TIMEOUT		HZ

struct floor_irq_fig {
	u64 handler_p50;
	u64 wake_p50;
	u64 total_ns;
};

struct floor {
	struct pci_dev *pdev;
	void __iomem *bar;
	struct iommu_group *group;
	struct iommu_domain *domain;
	int prot;
	struct mutex lock;		/* one run at a time; result */
	struct completion done;
	u64 handled_ns;
	bool msi;
	char result[512];
};

static int floor_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 floor_p50(u64 *v, unsigned int n)
{
	sort(v, n, sizeof(*v), floor_cmp_u64, NULL);
	return v[n / 2];
}

/* Map and unmap @pages one call per page; then all in one batch. */
static int floor_dma(struct floor *f, struct page **pages, char *buf,
		     size_t len)
{
	struct iommu_domain *d = f->domain;
	struct iommu_iotlb_gather gather;
	u64 t0, t1, t2, t3, t4, t5;
	struct scatterlist *sg;
	struct sg_table sgt;
	size_t size = (size_t)FLOOR_PAGES * PAGE_SIZE;
	unsigned long iova;
	ssize_t mapped;
	unsigned int i;
	int ret;

	ret = sg_alloc_table(&sgt, FLOOR_PAGES, GFP_KERNEL);
	if (ret)
		return ret;
	for_each_sgtable_sg(&sgt, sg, i)
		sg_set_page(sg, pages[i], PAGE_SIZE, 0);

	t0 = ktime_get_ns();
	for (i = 0; i < FLOOR_PAGES; i++) {
		iova = FLOOR_IOVA + (unsigned long)i * PAGE_SIZE;
		ret = iommu_map(d, iova, page_to_phys(pages[i]), PAGE_SIZE,
				f->prot, GFP_KERNEL);
		if (ret) {
			iommu_unmap(d, FLOOR_IOVA, (size_t)i * PAGE_SIZE);
			goto out;
		}
	}
	t1 = ktime_get_ns();
	for (i = 0; i < FLOOR_PAGES; i++) {
		iova = FLOOR_IOVA + (unsigned long)i * PAGE_SIZE;
		if (iommu_unmap(d, iova, PAGE_SIZE) != PAGE_SIZE) {
			ret = -EIO;
			goto out;
		}
	}
	t2 = ktime_get_ns();

	t3 = ktime_get_ns();
	mapped = iommu_map_sg(d, FLOOR_IOVA, sgt.sgl, sgt.orig_nents, f->prot,
			      GFP_KERNEL);
	t4 = ktime_get_ns();
	if (mapped != (ssize_t)size) {
		if (mapped > 0)
			iommu_unmap(d, FLOOR_IOVA, mapped);
		ret = mapped < 0 ? mapped : -EIO;
		goto out;
	}
	iommu_iotlb_gather_init(&gather);
	if (iommu_unmap_fast(d, FLOOR_IOVA, size, &gather) != size)
		ret = -EIO;
	iommu_iotlb_sync(d, &gather);
	t5 = ktime_get_ns();
	if (ret)
		goto out;

	scnprintf(buf, len,
		  "pages=%u page_map_ns=%llu page_unmap_ns=%llu page_ns_per_page=%llu sg_map_ns=%llu sg_unmap_ns=%llu sg_ns_per_page=%llu",
		  FLOOR_PAGES, t1 - t0, t2 - t1, (t2 - t0) / FLOOR_PAGES,
		  t4 - t3, t5 - t4, (t5 - t3) / FLOOR_PAGES);
out:
	sg_free_table(&sgt);
	return ret;
}

static int floor_dma_run(struct floor *f, char *buf, size_t len)
{
	struct page **pages;
	unsigned int i;
	int ret = -ENOMEM;

	pages = kvcalloc(FLOOR_PAGES, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	/* The first page of order-1 blocks: no two are adjacent. */
	for (i = 0; i < FLOOR_PAGES; i++) {
		pages[i] = alloc_pages(GFP_KERNEL, 1);
		if (!pages[i])
			goto out;
	}
	ret = floor_dma(f, pages, buf, len);
out:
	for (i = 0; i < FLOOR_PAGES && pages[i]; i++)
		__free_pages(pages[i], 1);
	kvfree(pages);
	return ret;
}

static irqreturn_t floor_irq(int irq, void *data)
{
	struct floor *f = data;
	u32 status;

	if (f->msi) {
		f->handled_ns = ktime_get_ns();
		complete(&f->done);
		return IRQ_HANDLED;
	}
	/* INTx is level-triggered (and may be shared): acknowledge here. */
	status = ioread32(f->bar + EDU_INTR_STATUS);
	if (!status)
		return IRQ_NONE;
	f->handled_ns = ktime_get_ns();
	iowrite32(status, f->bar + EDU_INTR_ACK);
	complete(&f->done);
	return IRQ_HANDLED;
}

/* @n raise-to-handler-and-wake samples on the vector allocated as @type. */
static int floor_irq_run(struct floor *f, unsigned int type, unsigned int n,
			 u64 *handler, u64 *wake, struct floor_irq_fig *fig)
{
	struct pci_dev *pdev = f->pdev;
	unsigned int i, cpu = raw_smp_processor_id();
	u64 t0, t1, start = 0;
	int irq, ret;

	ret = pci_alloc_irq_vectors(pdev, 1, 1, type);
	if (ret < 0)
		return ret;
	irq = pci_irq_vector(pdev, 0);
	f->msi = type == PCI_IRQ_MSI;
	ret = request_irq(irq, floor_irq, f->msi ? 0 : IRQF_SHARED,
			  "uldf_bench_floor", f);
	if (ret)
		goto out_vectors;
	/* The interrupt on the CPU of the writer, as the benchmarks steer it. */
	ret = irq_set_affinity(irq, cpumask_of(cpu));
	if (ret)
		goto out_irq;

	for (i = 0; i < FLOOR_WARMUP + n; i++) {
		if (i == FLOOR_WARMUP)
			start = ktime_get_ns();
		reinit_completion(&f->done);
		t0 = ktime_get_ns();
		iowrite32(1, f->bar + EDU_INTR_RAISE);
		if (!wait_for_completion_timeout(&f->done, FLOOR_TIMEOUT)) {
			ret = -ETIMEDOUT;
			goto out_irq;
		}
		t1 = ktime_get_ns();
		if (f->msi)
			iowrite32(1, f->bar + EDU_INTR_ACK);
		if (i >= FLOOR_WARMUP) {
			handler[i - FLOOR_WARMUP] = f->handled_ns - t0;
			wake[i - FLOOR_WARMUP] = t1 - t0;
		}
	}
	fig->total_ns = ktime_get_ns() - start;
	fig->handler_p50 = floor_p50(handler, n);
	fig->wake_p50 = floor_p50(wake, n);
out_irq:
	free_irq(irq, f);
out_vectors:
	pci_free_irq_vectors(pdev);
	return ret;
}

static int floor_run(struct floor *f, unsigned int n)
{
	struct floor_irq_fig msi, intx;
	u64 *handler, *wake;
	char dma[256];
	int ret;

	ret = floor_dma_run(f, dma, sizeof(dma));
	if (ret)
		return ret;

	handler = kvcalloc(n, sizeof(*handler), GFP_KERNEL);
	wake = kvcalloc(n, sizeof(*wake), GFP_KERNEL);
	ret = -ENOMEM;
	if (!handler || !wake)
		goto out;
	ret = floor_irq_run(f, PCI_IRQ_MSI, n, handler, wake, &msi);
	if (ret)
		goto out;
	ret = floor_irq_run(f, PCI_IRQ_INTX, n, handler, wake, &intx);
	if (ret)
		goto out;

	scnprintf(f->result, sizeof(f->result),
		  "bench=floor status=ok %s samples=%u msi_handler_p50=%llu msi_wake_p50=%llu intx_handler_p50=%llu intx_wake_p50=%llu intx_rate=%llu\n",
		  dma, n, msi.handler_p50, msi.wake_p50, intx.handler_p50,
		  intx.wake_p50,
		  div64_u64((u64)n * NSEC_PER_SEC, intx.total_ns ?: 1));
out:
	kvfree(wake);
	kvfree(handler);
	return ret;
}

static ssize_t floor_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct floor *f = dev_get_drvdata(dev);
	ssize_t ret;

	mutex_lock(&f->lock);
	ret = sysfs_emit(buf, "%s", f->result);
	mutex_unlock(&f->lock);
	return ret;
}

static ssize_t floor_store(struct device *dev, struct device_attribute *attr,
			   const char *buf, size_t count)
{
	struct floor *f = dev_get_drvdata(dev);
	unsigned int n;
	int ret;

	ret = kstrtouint(buf, 0, &n);
	if (ret)
		return ret;
	if (!n || n > FLOOR_MAX_SAMPLES)
		return -EINVAL;
	mutex_lock(&f->lock);
	ret = floor_run(f, n);
	mutex_unlock(&f->lock);
	return ret ?: count;
}
static DEVICE_ATTR_RW(floor);

static struct attribute *floor_attrs[] = {
	&dev_attr_floor.attr,
	NULL,
};
ATTRIBUTE_GROUPS(floor);

static int floor_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct floor *f;
	int ret;

	if (pdev->vendor != EDU_VENDOR || pdev->device != EDU_DEVICE)
		return -ENODEV;
	f = devm_kzalloc(dev, sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->pdev = pdev;
	mutex_init(&f->lock);
	init_completion(&f->done);
	strscpy(f->result, "bench=floor status=none\n", sizeof(f->result));

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	f->bar = pcim_iomap_region(pdev, 0, "uldf_bench_floor");
	if (IS_ERR(f->bar))
		return PTR_ERR(f->bar);
	pci_set_master(pdev);

	f->group = iommu_group_get(dev);
	if (!f->group)
		return -ENODEV;
	ret = iommu_device_claim_dma_owner(dev, f);
	if (ret)
		goto out_group;
	f->domain = iommu_paging_domain_alloc(dev);
	if (IS_ERR(f->domain)) {
		ret = PTR_ERR(f->domain);
		goto out_owner;
	}
	ret = iommu_attach_group(f->domain, f->group);
	if (ret)
		goto out_domain;
	f->prot = IOMMU_READ | IOMMU_WRITE;
	if (device_iommu_capable(dev, IOMMU_CAP_CACHE_COHERENCY))
		f->prot |= IOMMU_CACHE;
	pci_set_drvdata(pdev, f);
	return 0;

out_domain:
	iommu_domain_free(f->domain);
out_owner:
	iommu_device_release_dma_owner(dev);
out_group:
	iommu_group_put(f->group);
	return ret;
}

static void floor_remove(struct pci_dev *pdev)
{
	struct floor *f = pci_get_drvdata(pdev);

	iommu_detach_group(f->domain, f->group);
	iommu_domain_free(f->domain);
	iommu_device_release_dma_owner(&pdev->dev);
	iommu_group_put(f->group);
	pci_clear_master(pdev);
}

static struct pci_driver floor_driver = {
	.name = "uldf_bench_floor",
	.probe = floor_probe,
	.remove = floor_remove,
	.driver_managed_dma = true,
	.dev_groups = floor_groups,
};
module_pci_driver(floor_driver);

MODULE_DESCRIPTION("uldf benchmarks: the in-kernel floor on an edu device");
MODULE_LICENSE("GPL");
