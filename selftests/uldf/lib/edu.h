/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QEMU's edu device (hw/misc/edu.c, docs/specs/edu.rst): its test driver
 * (edu.c) for the selftests, the benchmarks and the reliability tools; the
 * registers of its BAR0 are in edu_regs.h.
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

#include "edu_regs.h"
#include "uldf_test_driver.h"

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
