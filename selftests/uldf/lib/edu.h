/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QEMU's edu device (hw/misc/edu.c, docs/specs/edu.rst): the registers of
 * its BAR0, and its test driver (edu.c) for the selftests, the benchmarks
 * and the reliability tools.  32-bit registers unless noted; the DMA
 * registers are 64-bit.
 *
 * edu raises its interrupt when EDU_IRQ_RAISE is written (the value is
 * ORed into EDU_IRQ_STATUS, acknowledged by writing EDU_IRQ_ACK), when a
 * factorial finishes with EDU_STATUS_FACT_IRQ set, and after a DMA with
 * EDU_DMA_IRQ in the command.  As long as the status is not zero, edu
 * asserts INTx; with MSI enabled every raise sends one message.
 */
#ifndef ULDF_SELFTEST_EDU_H
#define ULDF_SELFTEST_EDU_H

#include <stdbool.h>
#include <stdint.h>

#include "uldf_test_driver.h"

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
#define EDU_BAR0_SIZE		(1 << 20)

#define EDU_ID			0x00	/* 0xRRrr00ed: major, minor version */
#define  EDU_ID_VALUE		0x010000ed	/* QEMU's: version 1.0 */
#define EDU_LIVENESS		0x04	/* reads back the inverse of what was written */
#define EDU_FACT		0x08	/* factorial of the value written */
#define EDU_STATUS		0x20
#define  EDU_STATUS_BUSY	0x01	/* factorial in progress */
#define  EDU_STATUS_FACT_IRQ	0x80	/* raise an interrupt when it is done */
#define EDU_IRQ_STATUS		0x24	/* pending interrupt bits */
#define  EDU_FACT_IRQ		0x00000001
#define  EDU_DMA_IRQ_STATUS	0x00000100
#define EDU_IRQ_RAISE		0x60	/* write: set these status bits, interrupt */
#define EDU_IRQ_ACK		0x64	/* write: clear these status bits */
#define EDU_DMA_SRC		0x80	/* 64-bit */
#define EDU_DMA_DST		0x88	/* 64-bit */
#define EDU_DMA_COUNT		0x90	/* 64-bit, bytes */
#define EDU_DMA_CMD		0x98	/* 64-bit */
#define  EDU_DMA_START		0x1	/* start; reads 1 while running */
#define  EDU_DMA_TO_RAM		0x2	/* direction: device buffer to RAM */
#define  EDU_DMA_IRQ		0x4	/* raise EDU_DMA_IRQ_STATUS when done */
#define EDU_DMA_REGS_END	0xa0	/* end of the DMA registers */

/*
 * The device's 4 KiB buffer, at this device address.  QEMU 7.2 aborts the
 * whole VM on a transfer that ends exactly at its end: keep transfers
 * shorter, EDU_XFER bytes at most.
 */
#define EDU_DMA_BUF		0x40000
#define EDU_DMA_BUF_SIZE	4096
#define EDU_XFER		2048
/* edu truncates DMA addresses to 28 bits: its DMA mask. */
#define EDU_DMA_MASK		0x0fffffffULL

/*
 * edu's driver on uldf's device fd @fd: uldf_test_dev_attach() with
 * uldf_test_edu_ops (checks EDU_ID, acknowledges what is pending).
 */
int edu_attach(struct uldf_test_dev *edu, int fd);

/* A register: edu_rd() is ~0 when it cannot be read. */
uint32_t edu_rd(struct uldf_test_dev *edu, unsigned int reg);
int edu_wr(struct uldf_test_dev *edu, unsigned int reg, uint32_t val);
int edu_wr64(struct uldf_test_dev *edu, unsigned int reg, uint64_t val);

/* Set @bits in EDU_IRQ_STATUS: an interrupt. */
int edu_raise(struct uldf_test_dev *edu, uint32_t bits);

/* Acknowledge every pending bit of EDU_IRQ_STATUS. */
int edu_ack(struct uldf_test_dev *edu);

/*
 * Start a transfer of @len bytes from @src to @dst (RAM to the device
 * buffer, or back when @flags has EDU_DMA_TO_RAM), EDU_DMA_IRQ in @flags
 * for an interrupt when it is done.  -EINVAL for an address beyond 32 bits.
 */
int edu_dma_start(struct uldf_test_dev *edu, uint64_t src, uint64_t dst,
		  uint32_t len, uint32_t flags);

/*
 * Wait until the engine says the transfer is done (the engine has no
 * error status: a blocked transfer simply moves nothing).  The wait is
 * bounded, 30 s, only to turn a hang into -ETIMEDOUT.
 */
int edu_dma_wait(struct uldf_test_dev *edu);

/* One transfer, waited for: @len bytes at @iova to the device buffer. */
int ram_to_edu(struct uldf_test_dev *edu, uint64_t iova, uint32_t len);

/* One transfer, waited for: @len bytes of the device buffer to @iova. */
int edu_to_ram(struct uldf_test_dev *edu, uint64_t iova, uint32_t len);

#endif
