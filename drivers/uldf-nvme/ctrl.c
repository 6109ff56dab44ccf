// SPDX-License-Identifier: MIT
/*
 * uldf-nvme controller and queues.
 *
 * Bring-up follows NVMe Base 2.0, 3.5.1 (memory-based controller
 * initialization): disable and wait for CSTS.RDY to clear, program the
 * admin queue (AQA/ASQ/ACQ), enable with 4 KiB pages and the NVM command
 * set, wait for CSTS.RDY, identify, negotiate the number of queues with
 * Set Features, then create each I/O completion queue (with its own MSI-X
 * vector, or without interrupts when polling) and its submission queue.
 * Waits are bounded by CAP.TO.  Shutdown sets CC.SHN to normal and waits
 * for CSTS.SHST (3.6.1).
 *
 * Every queue, PRP list page and data buffer lives in memory mapped for
 * the device with libuldf's DMA buffers; a buffer is one contiguous IOVA
 * range, so a transfer is described by PRP1 for its first page, PRP2 for
 * its second, or PRP2 pointing at a PRP list for more (4.1.1).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nvme.h"

volatile int nvme_stop;

uint64_t nvme_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint32_t rd32(struct nvme_ctrl *c, size_t off)
{
	return uldf_mmio_read32(c->bar, off);
}

static uint64_t rd64(struct nvme_ctrl *c, size_t off)
{
	return uldf_mmio_read32(c->bar, off) |
	       (uint64_t)uldf_mmio_read32(c->bar, off + 4) << 32;
}

static void wr32(struct nvme_ctrl *c, size_t off, uint32_t v)
{
	uldf_mmio_write32(c->bar, off, v);
}

static void wr64(struct nvme_ctrl *c, size_t off, uint64_t v)
{
	uldf_mmio_write32(c->bar, off, (uint32_t)v);
	uldf_mmio_write32(c->bar, off + 4, v >> 32);
}

/* Wait until (CSTS & mask) == want, within the controller's timeout. */
static int wait_csts(struct nvme_ctrl *c, uint32_t mask, uint32_t want,
		     const char *what)
{
	uint64_t deadline = nvme_now_ns() + c->timeout_ms * 1000000ull;
	uint32_t csts;

	for (;;) {
		csts = rd32(c, NVME_REG_CSTS);
		if (csts == 0xffffffff) {
			fprintf(stderr, "uldf-nvme: controller gone while %s\n", what);
			return -ENODEV;
		}
		if ((csts & mask) == want)
			return 0;
		if (nvme_now_ns() > deadline) {
			fprintf(stderr, "uldf-nvme: timeout (%u ms, CAP.TO) while %s; CSTS=%#x\n",
				c->timeout_ms, what, csts);
			return -ETIMEDOUT;
		}
		usleep(1000);
	}
}

static int queue_alloc(struct nvme_ctrl *c, struct nvme_queue *q,
		       unsigned int qid, unsigned int depth)
{
	unsigned int i;
	int ret;

	memset(q, 0, sizeof(*q));
	q->ctrl = c;
	q->qid = qid;
	q->depth = depth;
	q->phase = 1;
	q->irq_fd = -1;
	q->sq_db = NVME_REG_DBS + (2 * qid) * c->dstrd;
	q->cq_db = NVME_REG_DBS + (2 * qid + 1) * c->dstrd;

	ret = uldf_dma_buf_alloc(c->dev, depth * sizeof(struct nvme_sqe),
				 ULDF_DMA_MAP_READ, &q->sq_buf);
	if (ret)
		return ret;
	ret = uldf_dma_buf_alloc(c->dev, depth * sizeof(struct nvme_cqe),
				 ULDF_DMA_MAP_READ | ULDF_DMA_MAP_WRITE, &q->cq_buf);
	if (ret)
		return ret;
	ret = uldf_dma_buf_alloc(c->dev, depth * NVME_PAGE, ULDF_DMA_MAP_READ,
				 &q->prp_buf);
	if (ret)
		return ret;
	q->sq = uldf_dma_buf_vaddr(q->sq_buf);
	q->cq = uldf_dma_buf_vaddr(q->cq_buf);
	memset(q->cq, 0, depth * sizeof(struct nvme_cqe));

	/* One slot stays empty: a full queue has tail + 1 == head. */
	for (i = 0; i < depth - 1; i++) {
		struct nvme_req *r = &q->reqs[i];

		r->cid = i;
		r->prp_list = (uint64_t *)((char *)uldf_dma_buf_vaddr(q->prp_buf) +
					   i * NVME_PAGE);
		r->prp_list_iova = uldf_dma_buf_iova(q->prp_buf) + i * NVME_PAGE;
		q->free_cid[q->nfree++] = depth - 2 - i;
	}
	return 0;
}

static void queue_free(struct nvme_queue *q)
{
	if (q->irq_fd >= 0)
		uldf_irq_close(q->irq_fd);
	uldf_dma_buf_free(q->sq_buf);
	uldf_dma_buf_free(q->cq_buf);
	uldf_dma_buf_free(q->prp_buf);
	q->sq_buf = q->cq_buf = q->prp_buf = NULL;
	q->irq_fd = -1;
}

/* Describe [iova, iova + len) with PRP1/PRP2 and, if needed, a PRP list. */
static int build_prps(struct nvme_sqe *sqe, struct nvme_req *r,
		      uint64_t iova, size_t len)
{
	uint64_t first = NVME_PAGE - (iova & (NVME_PAGE - 1));
	uint64_t page;
	unsigned int n = 0;

	sqe->prp1 = iova;
	sqe->prp2 = 0;
	if (len <= first)
		return 0;
	page = iova + first;
	if (len <= first + NVME_PAGE) {
		sqe->prp2 = page;
		return 0;
	}
	for (; page < iova + len; page += NVME_PAGE) {
		if (n == NVME_PAGE / 8)
			return -E2BIG;	/* max_xfer keeps us in one list page */
		r->prp_list[n++] = page;
	}
	sqe->prp2 = r->prp_list_iova;
	return 0;
}

int nvme_submit(struct nvme_queue *q, struct nvme_sqe *sqe, uint64_t iova,
		size_t len, nvme_done_fn fn, void *arg, struct nvme_req **reqp)
{
	struct nvme_req *r;
	int ret;

	if (!q->nfree)
		return -EBUSY;
	r = &q->reqs[q->free_cid[--q->nfree]];
	if (len) {
		ret = build_prps(sqe, r, iova, len);
		if (ret) {
			q->nfree++;
			return ret;
		}
	}
	sqe->cid = r->cid;
	r->busy = true;
	r->done = false;
	r->fn = fn;
	r->arg = arg;
	r->start_ns = nvme_now_ns();
	q->sq[q->sq_tail] = *sqe;
	if (++q->sq_tail == q->depth)
		q->sq_tail = 0;
	q->inflight++;
	/* The entry (and any PRP list) must be visible before the doorbell. */
	uldf_dma_wmb();
	uldf_mmio_write32_relaxed(q->ctrl->bar, q->sq_db, q->sq_tail);
	if (reqp)
		*reqp = r;
	return 0;
}

int nvme_reap(struct nvme_queue *q)
{
	int n = 0;

	for (;;) {
		volatile struct nvme_cqe *cqe = &q->cq[q->cq_head];
		uint16_t status = cqe->status;
		struct nvme_req *r;

		if ((status & 1) != q->phase)
			break;
		/* Read the rest of the entry only after its phase bit. */
		uldf_dma_rmb();
		if (cqe->cid >= q->depth - 1 || !q->reqs[cqe->cid].busy) {
			fprintf(stderr, "uldf-nvme: queue %u: completion for unknown command %u\n",
				q->qid, cqe->cid);
		} else {
			r = &q->reqs[cqe->cid];
			r->busy = false;
			r->done = true;
			r->status = status >> 1;
			r->dw0 = cqe->dw0;
			q->free_cid[q->nfree++] = r->cid;
			q->inflight--;
			if (r->fn)
				r->fn(r, r->status, r->dw0);
		}
		if (++q->cq_head == q->depth) {
			q->cq_head = 0;
			q->phase ^= 1;
		}
		n++;
	}
	if (n) {
		q->completions += n;
		uldf_mmio_write32(q->ctrl->bar, q->cq_db, q->cq_head);
	}
	return n;
}

/* The loop's handler: an I/O queue's vector fired; reap its completions. */
static int on_vector(struct uldf_loop *loop, int fd, int64_t res, void *data)
{
	if (res < 0) {
		fprintf(stderr, "uldf-nvme: interrupt fd failed: %s\n",
			strerror((int)-res));
		return (int)res;
	}
	nvme_reap(data);
	return 0;
}

int nvme_wait(struct nvme_queue *q, int timeout_ms)
{
	uint64_t deadline = nvme_now_ns() + (uint64_t)timeout_ms * 1000000ull;
	uint64_t before = q->completions;
	int ret;

	for (;;) {
		nvme_reap(q);
		if (q->completions != before)
			return (int)(q->completions - before);
		if (nvme_stop)
			return -EINTR;
		if (nvme_now_ns() > deadline)
			return -ETIMEDOUT;
		if (q->irq_fd < 0)
			continue;	/* polling */
		/* Every queue's handler runs; ours may be among them. */
		ret = uldf_loop_wait(q->ctrl->loop, 100);
		if (ret < 0 && ret != -EINTR)
			return ret;
	}
}

static uint64_t total_completions(struct nvme_ctrl *c)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < c->nr_io; i++)
		n += c->io[i].completions;
	return n;
}

int nvme_wait_any(struct nvme_ctrl *c, int timeout_ms)
{
	uint64_t deadline = nvme_now_ns() + (uint64_t)timeout_ms * 1000000ull;
	uint64_t before = total_completions(c);
	unsigned int i;
	int ret;

	for (;;) {
		/* Completions count whether we reap them or a handler does. */
		for (i = 0; i < c->nr_io; i++)
			nvme_reap(&c->io[i]);
		if (total_completions(c) != before)
			return (int)(total_completions(c) - before);
		if (nvme_stop)
			return -EINTR;
		if (nvme_now_ns() > deadline)
			return -ETIMEDOUT;
		if (!c->use_irq)
			continue;
		ret = uldf_loop_wait(c->loop, 100);
		if (ret < 0 && ret != -EINTR)
			return ret;
	}
}

int nvme_sync(struct nvme_queue *q, struct nvme_sqe *sqe, uint64_t iova,
	      size_t len, uint32_t *dw0)
{
	unsigned int timeout = q->ctrl->timeout_ms;
	struct nvme_req *r;
	int ret;

	ret = nvme_submit(q, sqe, iova, len, NULL, NULL, &r);
	if (ret)
		return ret;
	while (!r->done) {
		ret = nvme_wait(q, timeout);
		if (ret < 0) {
			fprintf(stderr, "uldf-nvme: command %#x on queue %u: %s\n",
				sqe->opc, q->qid, strerror(-ret));
			return ret;
		}
	}
	if (dw0)
		*dw0 = r->dw0;
	if (r->status) {
		fprintf(stderr, "uldf-nvme: command %#x on queue %u failed: %s\n",
			sqe->opc, q->qid, nvme_status_str(r->status));
		return nvme_status_errno(r->status);
	}
	return 0;
}

static int ctrl_disable(struct nvme_ctrl *c)
{
	uint32_t cc = rd32(c, NVME_REG_CC);

	if (cc & NVME_CC_EN)
		wr32(c, NVME_REG_CC, cc & ~NVME_CC_EN);
	return wait_csts(c, NVME_CSTS_RDY, 0, "disabling");
}

static int ctrl_enable(struct nvme_ctrl *c)
{
	uint32_t cc = NVME_CC_EN | NVME_CC_CSS_NVM | NVME_CC_MPS(12) |
		      NVME_CC_AMS_RR | NVME_CC_IOSQES(6) | NVME_CC_IOCQES(4);

	wr32(c, NVME_REG_AQA, (c->admin.depth - 1) << 16 | (c->admin.depth - 1));
	wr64(c, NVME_REG_ASQ, uldf_dma_buf_iova(c->admin.sq_buf));
	wr64(c, NVME_REG_ACQ, uldf_dma_buf_iova(c->admin.cq_buf));
	wr32(c, NVME_REG_CC, cc);
	return wait_csts(c, NVME_CSTS_RDY, NVME_CSTS_RDY, "enabling");
}

static int identify(struct nvme_ctrl *c)
{
	struct uldf_dma_buf *buf;
	struct nvme_sqe sqe;
	struct nvme_id_ns *ns;
	unsigned int mps;
	int ret;

	ret = uldf_dma_buf_alloc(c->dev, NVME_PAGE, ULDF_DMA_MAP_WRITE, &buf);
	if (ret)
		return ret;

	memset(&sqe, 0, sizeof(sqe));
	sqe.opc = NVME_ADMIN_IDENTIFY;
	sqe.cdw10 = NVME_ID_CNS_CTRL;
	ret = nvme_sync(&c->admin, &sqe, uldf_dma_buf_iova(buf), NVME_PAGE, NULL);
	if (ret)
		goto out;
	memcpy(&c->id, uldf_dma_buf_vaddr(buf), sizeof(c->id));

	c->nsid = 1;
	memset(&sqe, 0, sizeof(sqe));
	sqe.opc = NVME_ADMIN_IDENTIFY;
	sqe.nsid = c->nsid;
	sqe.cdw10 = NVME_ID_CNS_NS;
	ret = nvme_sync(&c->admin, &sqe, uldf_dma_buf_iova(buf), NVME_PAGE, NULL);
	if (ret)
		goto out;
	ns = uldf_dma_buf_vaddr(buf);
	c->nsze = ns->nsze;
	c->lba_shift = ns->lbaf[ns->flbas & 0xf].lbads;
	if (!c->nsze || c->lba_shift < 9 || c->lba_shift > 16) {
		fprintf(stderr, "uldf-nvme: namespace 1 is not usable (size %llu, LBA shift %u)\n",
			(unsigned long long)c->nsze, c->lba_shift);
		ret = -ENODEV;
		goto out;
	}

	/* MDTS is in units of the minimum page size; 0 means no limit. */
	mps = 12 + NVME_CAP_MPSMIN(c->cap);
	c->max_xfer = 512 * 1024;	/* one PRP list page: 512 entries */
	if (c->id.mdts && ((size_t)1 << (c->id.mdts + mps)) < c->max_xfer)
		c->max_xfer = (size_t)1 << (c->id.mdts + mps);
out:
	uldf_dma_buf_free(buf);
	return ret;
}

/* Set Features, Number of Queues (5.27.1.5): returns how many we got. */
static int set_num_queues(struct nvme_ctrl *c, unsigned int want)
{
	struct nvme_sqe sqe;
	uint32_t dw0;
	unsigned int nsq, ncq;
	int ret;

	memset(&sqe, 0, sizeof(sqe));
	sqe.opc = NVME_ADMIN_SET_FEATURES;
	sqe.cdw10 = NVME_FEAT_NUM_QUEUES;
	sqe.cdw11 = (want - 1) << 16 | (want - 1);
	ret = nvme_sync(&c->admin, &sqe, 0, 0, &dw0);
	if (ret)
		return ret;
	nsq = (dw0 & 0xffff) + 1;
	ncq = (dw0 >> 16) + 1;
	return want < nsq ? (want < ncq ? want : ncq) : (nsq < ncq ? nsq : ncq);
}

int nvme_create_io_queue(struct nvme_ctrl *c, struct nvme_queue *q, int vector)
{
	struct nvme_sqe sqe;
	int ret;

	memset(&sqe, 0, sizeof(sqe));
	sqe.opc = NVME_ADMIN_CREATE_CQ;
	sqe.prp1 = uldf_dma_buf_iova(q->cq_buf);
	sqe.cdw10 = (q->depth - 1) << 16 | q->qid;
	/* Physically contiguous; interrupts enabled on @vector, if any. */
	sqe.cdw11 = 1 | (vector >= 0 ? (uint32_t)vector << 16 | 2 : 0);
	ret = nvme_sync(&c->admin, &sqe, 0, 0, NULL);
	if (ret)
		return ret;

	memset(&sqe, 0, sizeof(sqe));
	sqe.opc = NVME_ADMIN_CREATE_SQ;
	sqe.prp1 = uldf_dma_buf_iova(q->sq_buf);
	sqe.cdw10 = (q->depth - 1) << 16 | q->qid;
	sqe.cdw11 = q->qid << 16 | 1;	/* CQ id, physically contiguous */
	return nvme_sync(&c->admin, &sqe, 0, 0, NULL);
}

/* One MSI-X vector per I/O queue: vector i for queue i (0 is the admin's). */
static int open_vectors(struct nvme_ctrl *c)
{
	int fds[NVME_MAX_QUEUES];
	unsigned int i;
	int ret;

	ret = uldf_irq_open(c->dev, ULDF_IRQ_TYPE_MSIX, 1, c->nr_io, 0, fds);
	if (ret) {
		fprintf(stderr, "uldf-nvme: cannot open MSI-X vectors 1-%u: %s\n",
			c->nr_io, strerror(-ret));
		return ret;
	}
	ret = uldf_loop_create(c->sqpoll ? ULDF_LOOP_SQPOLL : 0, &c->loop);
	if (ret) {
		fprintf(stderr, "uldf-nvme: cannot create the io_uring loop%s: %s\n",
			c->sqpoll ? " with an SQPOLL thread" : "",
			strerror(-ret));
		return ret;
	}
	for (i = 0; i < c->nr_io; i++) {
		c->io[i].irq_fd = fds[i];
		ret = uldf_loop_add(c->loop, fds[i], 0, on_vector, &c->io[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * What to do when the device node is missing (ENOENT): the advice depends
 * on why.  No such PCI function, or no uldf module, and binding would not
 * help; only a present function with the module loaded needs a bind.
 */
static const char *open_hint(const char *bdf, int err)
{
	char canon[ULDF_BDF_LEN], path[64];

	if (err != -ENOENT)
		return "";
	if (uldf_pci_bdf_parse(bdf, canon))
		return " (not a PCI address: dddd:bb:dd.f or bb:dd.f)";
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", canon);
	if (access(path, F_OK))
		return " (no such PCI function; 'uldfctl list -c 0108' lists NVMe controllers)";
	if (access("/sys/bus/pci/drivers/uldf", F_OK))
		return " (the uldf module is not loaded: 'modprobe uldf')";
	return " (is it bound to uldf? try 'uldfctl bind')";
}

int nvme_ctrl_init(struct nvme_ctrl *c, const char *bdf,
		   const struct nvme_opts *opts)
{
	struct uldf_device_info info;
	unsigned int i, depth;
	int ret, n;

	memset(c, 0, sizeof(*c));
	c->admin.irq_fd = -1;
	for (i = 0; i < NVME_MAX_QUEUES; i++)
		c->io[i].irq_fd = -1;
	c->use_irq = !opts->poll;
	c->sqpoll = c->use_irq && opts->sqpoll;

	ret = uldf_open(bdf, &c->dev);
	if (ret) {
		fprintf(stderr, "uldf-nvme: cannot open %s: %s%s\n", bdf,
			strerror(-ret), open_hint(bdf, ret));
		c->dev = NULL;
		return ret;
	}
	ret = uldf_dev_get_info(c->dev, &info);
	if (ret)
		goto fail;
	if ((info.class_code >> 8) != 0x0108) {
		fprintf(stderr, "uldf-nvme: %s is not an NVMe controller (class %06x)\n",
			bdf, info.class_code);
		ret = -ENODEV;
		goto fail;
	}
	if (c->use_irq && info.num_irqs[ULDF_IRQ_TYPE_MSIX] < 2) {
		fprintf(stderr, "uldf-nvme: no MSI-X; use --poll\n");
		ret = -ENOTSUP;
		goto fail;
	}
	ret = uldf_bar_map(c->dev, 0, 0, (void **)&c->bar, &c->bar_size);
	if (ret) {
		fprintf(stderr, "uldf-nvme: cannot map BAR0: %s\n", strerror(-ret));
		goto fail;
	}
	/* Memory decoding and bus mastering on. */
	{
		uint16_t cmd;

		ret = uldf_cfg_read16(c->dev, 4, &cmd);
		if (!ret)
			ret = uldf_cfg_write16(c->dev, 4, cmd | 0x6);
		if (ret)
			goto fail;
	}

	c->cap = rd64(c, NVME_REG_CAP);
	c->dstrd = 4u << NVME_CAP_DSTRD(c->cap);
	c->timeout_ms = (NVME_CAP_TO(c->cap) ? NVME_CAP_TO(c->cap) : 1) * 500;
	if (!NVME_CAP_CSS_NVM(c->cap) || NVME_CAP_MPSMIN(c->cap) > 0) {
		fprintf(stderr, "uldf-nvme: controller lacks the NVM command set or 4 KiB pages\n");
		ret = -ENOTSUP;
		goto fail;
	}

	ret = ctrl_disable(c);
	if (ret)
		goto fail;
	depth = NVME_ADMIN_DEPTH;
	if (depth > NVME_CAP_MQES(c->cap))
		depth = NVME_CAP_MQES(c->cap);
	ret = queue_alloc(c, &c->admin, 0, depth);
	if (ret)
		goto fail;
	ret = ctrl_enable(c);
	if (ret)
		goto fail;
	c->enabled = true;

	ret = identify(c);
	if (ret)
		goto fail;
	n = set_num_queues(c, opts->queues);
	if (n < 0) {
		ret = n;
		goto fail;
	}
	c->nr_io = n;

	depth = opts->depth;
	if (depth > NVME_CAP_MQES(c->cap))
		depth = NVME_CAP_MQES(c->cap);
	for (i = 0; i < c->nr_io; i++) {
		ret = queue_alloc(c, &c->io[i], i + 1, depth);
		if (ret)
			goto fail;
	}
	if (c->use_irq) {
		ret = open_vectors(c);
		if (ret)
			goto fail;
	}
	for (i = 0; i < c->nr_io; i++) {
		ret = nvme_create_io_queue(c, &c->io[i],
					   c->use_irq ? (int)c->io[i].qid : -1);
		if (ret)
			goto fail;
	}
	return 0;

fail:
	nvme_ctrl_shutdown(c);
	return ret;
}

void nvme_ctrl_shutdown(struct nvme_ctrl *c)
{
	unsigned int i;

	if (!c->dev)
		return;
	if (c->enabled) {
		uint32_t cc = rd32(c, NVME_REG_CC);

		wr32(c, NVME_REG_CC, (cc & ~NVME_CC_SHN_MASK) | NVME_CC_SHN_NORMAL);
		wait_csts(c, NVME_CSTS_SHST_MASK, NVME_CSTS_SHST_DONE,
			  "shutting down");
		c->enabled = false;
	}
	uldf_loop_destroy(c->loop);
	c->loop = NULL;
	for (i = 0; i < NVME_MAX_QUEUES; i++)
		queue_free(&c->io[i]);
	queue_free(&c->admin);
	uldf_close(c->dev);
	c->dev = NULL;
}

int nvme_rw_sqe(struct nvme_ctrl *c, struct nvme_sqe *sqe, bool write,
		uint64_t slba, uint32_t nlb)
{
	if (!nlb || nlb > 0x10000 ||
	    ((size_t)nlb << c->lba_shift) > c->max_xfer)
		return -EINVAL;
	memset(sqe, 0, sizeof(*sqe));
	sqe->opc = write ? NVME_CMD_WRITE : NVME_CMD_READ;
	sqe->nsid = c->nsid;
	sqe->cdw10 = (uint32_t)slba;
	sqe->cdw11 = slba >> 32;
	sqe->cdw12 = nlb - 1;
	return 0;
}

/* Status codes (4.6.1.2): the generic ones a user can cause. */
const char *nvme_status_str(uint16_t status)
{
	unsigned int sct = NVME_STATUS_SCT(status), sc = NVME_STATUS_SC(status);
	static char buf[64];

	if (sct == 0) {
		switch (sc) {
		case 0x00: return "success";
		case 0x01: return "invalid command opcode";
		case 0x02: return "invalid field in command";
		case 0x04: return "data transfer error";
		case 0x06: return "internal error";
		case 0x0b: return "invalid namespace or format";
		case 0x13: return "invalid PRP offset";
		case 0x80: return "LBA out of range";
		case 0x81: return "capacity exceeded";
		case 0x82: return "namespace not ready";
		}
	} else if (sct == 1) {
		switch (sc) {
		case 0x01: return "invalid queue identifier";
		case 0x02: return "invalid queue size";
		case 0x08: return "invalid interrupt vector";
		}
	} else if (sct == 2) {
		switch (sc) {
		case 0x80: return "write fault";
		case 0x81: return "unrecovered read error";
		case 0x86: return "access denied";
		}
	}
	snprintf(buf, sizeof(buf), "status type %u code %#x", sct, sc);
	return buf;
}

int nvme_status_errno(uint16_t status)
{
	unsigned int sct = NVME_STATUS_SCT(status), sc = NVME_STATUS_SC(status);

	if (!status)
		return 0;
	if (sct == 0 && (sc == 0x80 || sc == 0x81))
		return -ERANGE;
	if (sct == 0 && (sc == 0x01 || sc == 0x02 || sc == 0x0b))
		return -EINVAL;
	if (sct == 2 && sc == 0x86)
		return -EACCES;
	return -EIO;
}
