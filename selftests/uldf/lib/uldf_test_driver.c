// SPDX-License-Identifier: GPL-2.0
/*
 * The test drivers' common part: finding a device's driver, attaching it,
 * reaching BAR0 through a mapping or through pread()/pwrite(), and the
 * operations dispatched to the driver.
 */
#include <errno.h>
#include <unistd.h>
#include <linux/uldf.h>

#include "uldf_test_driver.h"
#include "uldf_util.h"

static const struct uldf_test_driver_ops *const drivers[] = {
	&uldf_test_edu_ops,
};

const struct uldf_test_driver_ops *uldf_test_driver_find(const char *bdf)
{
	long long vendor = uldf_test_sysfs_num(bdf, "vendor");
	long long device = uldf_test_sysfs_num(bdf, "device");
	size_t i;

	for (i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (drivers[i]->vendor == vendor &&
		    drivers[i]->device == device)
			return drivers[i];
	return NULL;
}

static int attach(struct uldf_test_dev *dev,
		  const struct uldf_test_driver_ops *ops)
{
	int ret;

	dev->ops = ops;
	ret = ops->probe(dev);
	return ret ? ret : ops->init(dev);
}

int uldf_test_dev_attach(struct uldf_test_dev *dev, int fd,
			 const struct uldf_test_driver_ops *ops)
{
	*dev = (struct uldf_test_dev) {
		.fd = fd,
		.bar0_offset = ULDF_REGION_OFFSET(ULDF_REGION_BAR0),
	};
	return attach(dev, ops);
}

int uldf_test_dev_attach_mmio(struct uldf_test_dev *dev, volatile void *bar0,
			      const struct uldf_test_driver_ops *ops)
{
	*dev = (struct uldf_test_dev) { .fd = -1, .bar0 = bar0 };
	return attach(dev, ops);
}

static int mmio_rw(volatile void *addr, void *val, size_t len, bool write)
{
	switch (len) {
	case 1:
		if (write)
			*(volatile uint8_t *)addr = *(uint8_t *)val;
		else
			*(uint8_t *)val = *(volatile uint8_t *)addr;
		return 0;
	case 2:
		if (write)
			*(volatile uint16_t *)addr = *(uint16_t *)val;
		else
			*(uint16_t *)val = *(volatile uint16_t *)addr;
		return 0;
	case 4:
		if (write)
			*(volatile uint32_t *)addr = *(uint32_t *)val;
		else
			*(uint32_t *)val = *(volatile uint32_t *)addr;
		return 0;
	case 8:
		if (write)
			*(volatile uint64_t *)addr = *(uint64_t *)val;
		else
			*(uint64_t *)val = *(volatile uint64_t *)addr;
		return 0;
	}
	return -EINVAL;
}

int uldf_test_dev_read(struct uldf_test_dev *dev, uint64_t off, void *val,
		       size_t len)
{
	ssize_t n;

	if (dev->bar0)
		return mmio_rw((volatile char *)dev->bar0 + off, val, len,
			       false);
	n = pread(dev->fd, val, len, dev->bar0_offset + off);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int uldf_test_dev_write(struct uldf_test_dev *dev, uint64_t off,
			const void *val, size_t len)
{
	ssize_t n;

	if (dev->bar0)
		return mmio_rw((volatile char *)dev->bar0 + off, (void *)val,
			       len, true);
	n = pwrite(dev->fd, val, len, dev->bar0_offset + off);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

uint32_t uldf_test_dev_rd32(struct uldf_test_dev *dev, uint64_t off)
{
	uint32_t val;

	return uldf_test_dev_read(dev, off, &val, sizeof(val)) ? ~0u : val;
}

int uldf_test_dev_wr32(struct uldf_test_dev *dev, uint64_t off, uint32_t val)
{
	return uldf_test_dev_write(dev, off, &val, sizeof(val));
}

int uldf_test_dev_wr64(struct uldf_test_dev *dev, uint64_t off, uint64_t val)
{
	return uldf_test_dev_write(dev, off, &val, sizeof(val));
}

int uldf_test_irq_raise(struct uldf_test_dev *dev, uint32_t causes)
{
	return dev->ops->irq_raise(dev, causes);
}

uint32_t uldf_test_irq_status(struct uldf_test_dev *dev)
{
	return dev->ops->irq_status(dev);
}

int uldf_test_irq_ack(struct uldf_test_dev *dev)
{
	return dev->ops->irq_ack(dev);
}

int uldf_test_dma_start(struct uldf_test_dev *dev, uint64_t iova,
			uint64_t dev_addr, uint32_t len, unsigned int flags)
{
	if (len > dev->ops->dma_max)
		return -EINVAL;
	return dev->ops->dma_start(dev, iova, dev_addr, len, flags);
}

int uldf_test_dma_wait(struct uldf_test_dev *dev)
{
	return dev->ops->dma_wait(dev);
}

int uldf_test_dma_to_dev(struct uldf_test_dev *dev, uint64_t iova,
			 uint32_t len)
{
	return uldf_test_dma_start(dev, iova, dev->ops->dma_buf, len, 0) ?:
	       uldf_test_dma_wait(dev);
}

int uldf_test_dma_to_ram(struct uldf_test_dev *dev, uint64_t iova,
			 uint32_t len)
{
	return uldf_test_dma_start(dev, iova, dev->ops->dma_buf, len,
				   ULDF_TEST_DMA_TO_RAM) ?:
	       uldf_test_dma_wait(dev);
}
