// SPDX-License-Identifier: MIT
/*
 * dbbuf-intx: does the controller keep INTx asserted with an empty
 * completion queue when its shadow-doorbell event index lags?
 *
 *   dbbuf-intx BDF [lag]
 *
 * With Doorbell Buffer Config (NVMe Base 2.0, 5.11) the host writes each
 * queue's doorbell value into a shadow buffer and writes the MMIO doorbell
 * only when the controller's event index (EventIdx) lies in the span the
 * head just moved over, as Linux does (nvme_dbbuf_need_event() in
 * drivers/nvme/host/pci.c).  QEMU's nvme model lowers INTx only on an MMIO
 * completion-queue head doorbell that empties the queue, and when it posts
 * a completion it writes the event index from its cached head before it
 * reads the shadow head (nvme_post_cqes() in hw/nvme/ctrl.c, QEMU 7.2 as
 * Debian 12 ships it, with the stable fix that added the event index).
 *
 * The program sets up one I/O queue pair with interrupts on vector 0
 * (INTx, as MSI-X stays off), runs two reads and reaps them like Linux,
 * and prints the function's Interrupt Status (PCI_STATUS bit 3) at each
 * step.  Without "lag" it writes each MMIO head doorbell at once; with
 * "lag" it writes the first one only after the second completion is
 * posted, as happens when the guest is stopped between the two stores
 * (a User-Mode Linux guest is a host process, descheduled at any
 * instruction when the host is busy).  On that QEMU the second reap
 * then finds the event index still at 0, skips the MMIO write, and the
 * line stays asserted with the queue empty; the skipped write, made
 * afterwards, lowers it.
 *
 * Exit status: 0 the line went low with the queue empty; 1 it stayed
 * asserted; 2 a usage error, a controller this program cannot drive
 * (doorbell stride not 4 bytes, blocks over 4 KiB) or set up, or a
 * failed read or config space read.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "nvme.h"

#define QID		2	/* a queue of our own; 1 stays as set up */
#define DEPTH		8
#define OPC_DBBUF	0x7c	/* Doorbell Buffer Config */

static struct nvme_ctrl ctrl;
static struct nvme_queue *q;
static volatile uint32_t *shadow, *eventidx;

static int admin(uint8_t opc, uint32_t cdw10, uint64_t prp1, uint64_t prp2)
{
	struct nvme_sqe sqe;

	memset(&sqe, 0, sizeof(sqe));
	sqe.opc = opc;
	sqe.cdw10 = cdw10;
	sqe.prp1 = prp1;
	sqe.prp2 = prp2;
	return nvme_sync(&ctrl.admin, &sqe, 0, 0, NULL);
}

static int intx(void)
{
	uint16_t status = 0;

	if (uldf_cfg_read16(ctrl.dev, PCI_STATUS, &status))
		return -1;
	return !!(status & PCI_STATUS_INTERRUPT);
}

/* Read block 0 into @buf: SQ tail into the shadow, then the MMIO doorbell. */
static void submit_read(struct uldf_dma_buf *buf)
{
	struct nvme_sqe sqe;

	nvme_rw_sqe(&ctrl, &sqe, false, 0, 1);	/* checked in setup() */
	sqe.cid = q->sq_tail;
	sqe.prp1 = uldf_dma_buf_iova(buf);
	q->sq[q->sq_tail] = sqe;
	q->sq_tail = (q->sq_tail + 1) % q->depth;
	uldf_dma_wmb();
	shadow[2 * QID] = q->sq_tail;
	uldf_dma_wmb();
	uldf_mmio_write32(ctrl.bar, q->sq_db, q->sq_tail);
}

/* Wait up to 5 s for the entry at the head; 0 or -ETIMEDOUT. */
static int wait_cqe(void)
{
	volatile struct nvme_cqe *cqe = &q->cq[q->cq_head];
	int i;

	for (i = 0; i < 5000; i++) {
		if ((cqe->status & 1) == q->phase)
			return (cqe->status >> 1) ? -EIO : 0;
		usleep(1000);
	}
	return -ETIMEDOUT;
}

/*
 * Consume the entry at the head as Linux does: advance the head, store it
 * in the shadow, read the event index.  Return whether the MMIO doorbell
 * is needed: the index lies in [old head, new head).
 */
static bool reap(uint16_t *head)
{
	uint16_t old = q->cq_head, ei;

	if (++q->cq_head == q->depth) {
		q->cq_head = 0;
		q->phase ^= 1;
	}
	*head = q->cq_head;
	uldf_dma_wmb();
	shadow[2 * QID + 1] = q->cq_head;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	ei = eventidx[2 * QID + 1];
	printf("  reaped: head %u -> %u, event index %u", old, *head, ei);
	return (uint16_t)(*head - ei - 1) < (uint16_t)(*head - old);
}

static int setup(const char *bdf)
{
	struct nvme_opts opts = { .queues = QID, .depth = DEPTH, .poll = true };
	struct uldf_dma_buf *dbs, *eis;
	struct nvme_sqe probe;
	int ret;

	ret = nvme_ctrl_init(&ctrl, bdf, &opts);
	if (ret)
		return ret;
	/* The shadow buffers' layout follows the doorbells' (stride 4 here). */
	if (ctrl.dstrd != 4 || ctrl.lba_shift > 12 ||
	    nvme_rw_sqe(&ctrl, &probe, false, 0, 1)) {
		fprintf(stderr, "dbbuf-intx: doorbell stride %u, block %u bytes: not handled\n",
			ctrl.dstrd, 1u << ctrl.lba_shift);
		return -EOPNOTSUPP;
	}
	/* Replace queue pair QID (made without interrupts) by one with. */
	q = &ctrl.io[QID - 1];
	ret = admin(NVME_ADMIN_DELETE_SQ, QID, 0, 0);
	if (!ret)
		ret = admin(NVME_ADMIN_DELETE_CQ, QID, 0, 0);
	if (!ret)
		ret = uldf_dma_buf_alloc(ctrl.dev, NVME_PAGE,
					 ULDF_DMA_MAP_READ | ULDF_DMA_MAP_WRITE, &dbs);
	if (!ret)
		ret = uldf_dma_buf_alloc(ctrl.dev, NVME_PAGE,
					 ULDF_DMA_MAP_READ | ULDF_DMA_MAP_WRITE, &eis);
	if (ret)
		return ret;
	shadow = uldf_dma_buf_vaddr(dbs);
	eventidx = uldf_dma_buf_vaddr(eis);
	memset((void *)shadow, 0, NVME_PAGE);
	memset((void *)eventidx, 0, NVME_PAGE);
	ret = admin(OPC_DBBUF, 0, uldf_dma_buf_iova(dbs), uldf_dma_buf_iova(eis));
	if (ret) {
		fprintf(stderr, "dbbuf-intx: no Doorbell Buffer Config\n");
		return ret;
	}
	q->sq_tail = 0;
	q->cq_head = 0;
	q->phase = 1;
	memset(q->cq, 0, q->depth * sizeof(struct nvme_cqe));
	return nvme_create_io_queue(&ctrl, q, 0);
}

int main(int argc, char **argv)
{
	bool lag = argc > 2 && !strcmp(argv[2], "lag");
	struct uldf_dma_buf *buf;
	uint16_t head1, head2;
	bool need1, need2;
	int ret, stuck;

	if (argc < 2 || (argc > 2 && !lag)) {
		fprintf(stderr, "usage: dbbuf-intx BDF [lag]\n");
		return 2;
	}
	ret = setup(argv[1]);
	if (!ret)
		ret = uldf_dma_buf_alloc(ctrl.dev, NVME_PAGE,
					 ULDF_DMA_MAP_READ | ULDF_DMA_MAP_WRITE, &buf);
	if (ret) {
		fprintf(stderr, "dbbuf-intx: %s: %s\n", argv[1], strerror(-ret));
		if (ctrl.dev)
			nvme_ctrl_shutdown(&ctrl);
		return 2;
	}
	printf("shadow doorbells on, I/O queue %u on INTx; first MMIO head doorbell %s\n",
	       QID, lag ? "after the second completion" : "at once");

	submit_read(buf);
	ret = wait_cqe();
	if (ret)
		goto io_error;
	printf("first read completed: INTx %d\n", intx());
	need1 = reap(&head1);
	printf(", MMIO doorbell needed: %s\n", need1 ? "yes" : "no");
	if (need1 && !lag)
		uldf_mmio_write32(ctrl.bar, q->cq_db, head1);

	submit_read(buf);
	ret = wait_cqe();
	if (ret)
		goto io_error;
	printf("second read completed: INTx %d\n", intx());
	if (need1 && lag) {
		uldf_mmio_write32(ctrl.bar, q->cq_db, head1);
		printf("  first MMIO head doorbell (%u) written: INTx %d\n",
		       head1, intx());
	}
	need2 = reap(&head2);
	printf(", MMIO doorbell needed: %s\n", need2 ? "yes" : "no");
	if (need2)
		uldf_mmio_write32(ctrl.bar, q->cq_db, head2);

	usleep(200 * 1000);
	stuck = intx();
	printf("queue empty, 200 ms later: INTx %d\n", stuck);
	if (!need2) {
		uldf_mmio_write32(ctrl.bar, q->cq_db, head2);
		usleep(1000);
		printf("the skipped MMIO head doorbell (%u) written: INTx %d\n",
		       head2, intx());
	}
	nvme_ctrl_shutdown(&ctrl);
	if (stuck < 0) {
		fprintf(stderr, "dbbuf-intx: cannot read the status register\n");
		return 2;
	}
	return stuck;

io_error:
	fprintf(stderr, "dbbuf-intx: read: %s\n", strerror(-ret));
	nvme_ctrl_shutdown(&ctrl);
	return 2;
}
