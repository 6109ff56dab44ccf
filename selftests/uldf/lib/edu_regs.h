/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QEMU's edu device (hw/misc/edu.c, docs/specs/edu.rst): the registers of
 * its BAR0, defined once for every user: the selftests' edu driver (edu.h),
 * and, in the User-Mode Linux guest's kernel, the hosted guest's KUnit
 * suite (vmm-glue/uml/pv_kunit.c).  Plain constants only, so that both
 * kernel and user space can include it.  32-bit registers unless noted;
 * the DMA registers are 64-bit.
 */
#ifndef ULDF_EDU_REGS_H
#define ULDF_EDU_REGS_H

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

#endif /* ULDF_EDU_REGS_H */
