// SPDX-License-Identifier: GPL-2.0
/*
 * The test driver of QEMU's edu device (edu.h): its interrupt, raised and
 * acknowledged through two registers, and its DMA engine, which copies
 * between RAM at an IOVA and a 4 KiB buffer inside the device.
 */
#include <errno.h>
#include <unistd.h>

#include "edu.h"

uint32_t edu_rd(struct uldf_test_dev *edu, unsigned int reg)
{
	return uldf_test_dev_rd32(edu, reg);
}

int edu_wr(struct uldf_test_dev *edu, unsigned int reg, uint32_t val)
{
	return uldf_test_dev_wr32(edu, reg, val);
}

int edu_wr64(struct uldf_test_dev *edu, unsigned int reg, uint64_t val)
{
	return uldf_test_dev_wr64(edu, reg, val);
}

int edu_raise(struct uldf_test_dev *edu, uint32_t bits)
{
	return edu_wr(edu, EDU_IRQ_RAISE, bits);
}

int edu_ack(struct uldf_test_dev *edu)
{
	return edu_wr(edu, EDU_IRQ_ACK, edu_rd(edu, EDU_IRQ_STATUS));
}

int edu_dma_start(struct uldf_test_dev *edu, uint64_t src, uint64_t dst,
		  uint32_t len, uint32_t flags)
{
	int ret;

	if (src >> 32 || dst >> 32)
		return -EINVAL;
	ret = edu_wr64(edu, EDU_DMA_SRC, src);
	ret = ret ?: edu_wr64(edu, EDU_DMA_DST, dst);
	ret = ret ?: edu_wr64(edu, EDU_DMA_COUNT, len);
	return ret ?: edu_wr64(edu, EDU_DMA_CMD, EDU_DMA_START | flags);
}

int edu_dma_wait(struct uldf_test_dev *edu)
{
	uint32_t cmd;
	int i, ret;

	for (i = 0; i < 600000; i++) {
		ret = uldf_test_dev_read(edu, EDU_DMA_CMD, &cmd, sizeof(cmd));
		if (ret)
			return ret;
		if (!(cmd & EDU_DMA_START))
			return 0;
		usleep(50);
	}
	return -ETIMEDOUT;
}

int ram_to_edu(struct uldf_test_dev *edu, uint64_t iova, uint32_t len)
{
	return edu_dma_start(edu, iova, EDU_DMA_BUF, len, 0) ?:
	       edu_dma_wait(edu);
}

int edu_to_ram(struct uldf_test_dev *edu, uint64_t iova, uint32_t len)
{
	return edu_dma_start(edu, EDU_DMA_BUF, iova, len, EDU_DMA_TO_RAM) ?:
	       edu_dma_wait(edu);
}

int edu_attach(struct uldf_test_dev *edu, int fd)
{
	return uldf_test_dev_attach(edu, fd, &uldf_test_edu_ops);
}

/* The ID register reads QEMU's edu, version 1.0. */
static int edu_probe(struct uldf_test_dev *edu)
{
	uint32_t id;
	int ret;

	ret = uldf_test_dev_read(edu, EDU_ID, &id, sizeof(id));
	if (ret)
		return ret == -EINVAL || ret == -ENOTTY ? -EOPNOTSUPP : ret;
	return id == EDU_ID_VALUE ? 0 : -EIO;
}

/* edu has no reset: clear the causes an earlier user left pending. */
static int edu_init(struct uldf_test_dev *edu)
{
	return edu_ack(edu);
}

static uint32_t edu_irq_status(struct uldf_test_dev *edu)
{
	return edu_rd(edu, EDU_IRQ_STATUS);
}

static int edu_dma_start_op(struct uldf_test_dev *edu, uint64_t iova,
			    uint64_t dev_addr, uint32_t len,
			    unsigned int flags)
{
	uint32_t cmd = flags & ULDF_TEST_DMA_IRQ ? EDU_DMA_IRQ : 0;

	if (flags & ULDF_TEST_DMA_TO_RAM)
		return edu_dma_start(edu, dev_addr, iova, len,
				     cmd | EDU_DMA_TO_RAM);
	return edu_dma_start(edu, iova, dev_addr, len, cmd);
}

const struct uldf_test_driver_ops uldf_test_edu_ops = {
	.name = "edu",
	.vendor = EDU_VENDOR,
	.device = EDU_DEVICE,
	.probe = edu_probe,
	.init = edu_init,
	.irq_raise = edu_raise,
	.irq_status = edu_irq_status,
	.irq_ack = edu_ack,
	.dma_start = edu_dma_start_op,
	.dma_wait = edu_dma_wait,
	.dma_buf = EDU_DMA_BUF,
	.dma_max = EDU_XFER,
	.dma_mask = EDU_DMA_MASK,
};
