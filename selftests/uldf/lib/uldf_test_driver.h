/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test drivers: tiny user-space drivers of the testbed's devices, each
 * behind a struct uldf_test_driver_ops, so that a test or a tool can make
 * a device raise interrupts and move data by DMA without knowing its
 * registers (the shape of tools/testing/selftests/vfio/lib/drivers/).
 * One driver so far: QEMU's edu (edu.c, edu.h).
 *
 * A struct uldf_test_dev is a function as the program reaches its BAR0:
 * through a mapping of it (@bar0, MMIO from this process), or else through
 * pread() and pwrite() of a file at an offset (uldf's device fd at
 * ULDF_REGION_OFFSET(ULDF_REGION_BAR0)).  Every function returns 0 or
 * -errno unless it says otherwise.
 */
#ifndef ULDF_TEST_DRIVER_H
#define ULDF_TEST_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct uldf_test_driver_ops;

/**
 * struct uldf_test_dev - a device function as a test driver reaches it
 * @fd:		file whose pread()/pwrite() at @bar0_offset reach BAR0, or -1
 * @bar0_offset: BAR0's offset in @fd
 * @bar0:	BAR0 mapped into this process, or NULL; when set, registers
 *		are reached through it rather than through @fd
 * @ops:	the driver, set by uldf_test_dev_attach()
 */
struct uldf_test_dev {
	int fd;
	uint64_t bar0_offset;
	volatile void *bar0;
	const struct uldf_test_driver_ops *ops;
};

/* Directions and options of a DMA transfer (uldf_test_dma_start()). */
#define ULDF_TEST_DMA_TO_RAM	(1u << 0)	/* device memory to RAM */
#define ULDF_TEST_DMA_IRQ	(1u << 1)	/* interrupt when done */

/**
 * struct uldf_test_driver_ops - what a test driver does for its device
 * @name:	driver name, e.g. "edu"
 * @vendor:	PCI vendor ID it drives
 * @device:	PCI device ID it drives
 * @probe:	check through BAR0 that the device is one of this driver's:
 *		0, -EIO if it is not, -EOPNOTSUPP if BAR0 cannot be reached
 * @init:	put the device in a known state: nothing pending
 * @irq_raise:	make the device raise interrupt causes @causes (INTx is
 *		asserted while any is pending; each call sends one MSI)
 * @irq_status:	the pending causes, or ~0 if they cannot be read
 * @irq_ack:	acknowledge every pending cause
 * @dma_start:	start a transfer of @len bytes between RAM at @iova and the
 *		device's own memory at @dev_addr (ULDF_TEST_DMA_* @flags)
 * @dma_wait:	wait until the transfer is done: 0, -ETIMEDOUT
 * @dma_buf:	device address of the device's own memory
 * @dma_max:	the largest transfer, in bytes
 * @dma_mask:	the highest IOVA the device can reach
 */
struct uldf_test_driver_ops {
	const char *name;
	uint16_t vendor;
	uint16_t device;
	int (*probe)(struct uldf_test_dev *dev);
	int (*init)(struct uldf_test_dev *dev);
	int (*irq_raise)(struct uldf_test_dev *dev, uint32_t causes);
	uint32_t (*irq_status)(struct uldf_test_dev *dev);
	int (*irq_ack)(struct uldf_test_dev *dev);
	int (*dma_start)(struct uldf_test_dev *dev, uint64_t iova,
			 uint64_t dev_addr, uint32_t len, unsigned int flags);
	int (*dma_wait)(struct uldf_test_dev *dev);
	uint64_t dma_buf;
	uint32_t dma_max;
	uint64_t dma_mask;
};

/* The drivers: the edu's. */
extern const struct uldf_test_driver_ops uldf_test_edu_ops;

/*
 * The driver for @bdf's PCI IDs (sysfs vendor and device files), or NULL
 * when no test driver drives it.
 */
const struct uldf_test_driver_ops *uldf_test_driver_find(const char *bdf);

/*
 * Reach BAR0 of uldf's device fd @fd through pread()/pwrite() and attach
 * driver @ops: its probe, then its init.  -EOPNOTSUPP when the device fd
 * offers no BAR access, -EIO when the device is not @ops's.
 */
int uldf_test_dev_attach(struct uldf_test_dev *dev, int fd,
			 const struct uldf_test_driver_ops *ops);

/*
 * The same for a BAR0 mapped at @bar0 (by any framework): registers are
 * read and written with MMIO.
 */
int uldf_test_dev_attach_mmio(struct uldf_test_dev *dev, volatile void *bar0,
			      const struct uldf_test_driver_ops *ops);

/* Register access at BAR0 offset @off: @len is 1, 2, 4 or 8 bytes. */
int uldf_test_dev_read(struct uldf_test_dev *dev, uint64_t off, void *val,
		       size_t len);
int uldf_test_dev_write(struct uldf_test_dev *dev, uint64_t off,
			const void *val, size_t len);

/* A 32-bit register; ~0 when it cannot be read (as a gone device reads). */
uint32_t uldf_test_dev_rd32(struct uldf_test_dev *dev, uint64_t off);
int uldf_test_dev_wr32(struct uldf_test_dev *dev, uint64_t off, uint32_t val);
int uldf_test_dev_wr64(struct uldf_test_dev *dev, uint64_t off, uint64_t val);

/* The driver's operations on @dev (see struct uldf_test_driver_ops). */
int uldf_test_irq_raise(struct uldf_test_dev *dev, uint32_t causes);
uint32_t uldf_test_irq_status(struct uldf_test_dev *dev);
int uldf_test_irq_ack(struct uldf_test_dev *dev);
int uldf_test_dma_start(struct uldf_test_dev *dev, uint64_t iova,
			uint64_t dev_addr, uint32_t len, unsigned int flags);
int uldf_test_dma_wait(struct uldf_test_dev *dev);

/*
 * One transfer between RAM at @iova and the start of the device's own
 * memory, waited for: to the device, or back to RAM.  The device reports
 * no errors: a transfer the IOMMU blocks simply moves nothing.
 */
int uldf_test_dma_to_dev(struct uldf_test_dev *dev, uint64_t iova,
			 uint32_t len);
int uldf_test_dma_to_ram(struct uldf_test_dev *dev, uint64_t iova,
			 uint32_t len);

#endif
