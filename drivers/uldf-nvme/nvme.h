/* SPDX-License-Identifier: MIT */
/*
 * uldf-nvme: the parts of the NVM Express Base Specification (2.0) and the
 * NVM Command Set Specification that the driver uses, and its own types.
 * Section numbers below refer to NVMe Base 2.0c.
 */
#ifndef ULDF_NVME_H
#define ULDF_NVME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libuldf.h>

/* Controller registers (3.1.3), offsets in BAR0. */
#define NVME_REG_CAP	0x00	/* Controller Capabilities */
#define NVME_REG_VS	0x08	/* Version */
#define NVME_REG_INTMS	0x0c	/* Interrupt Mask Set */
#define NVME_REG_INTMC	0x10	/* Interrupt Mask Clear */
#define NVME_REG_CC	0x14	/* Controller Configuration */
#define NVME_REG_CSTS	0x1c	/* Controller Status */
#define NVME_REG_AQA	0x24	/* Admin Queue Attributes */
#define NVME_REG_ASQ	0x28	/* Admin Submission Queue Base Address */
#define NVME_REG_ACQ	0x30	/* Admin Completion Queue Base Address */
#define NVME_REG_DBS	0x1000	/* first doorbell */

#define NVME_CAP_MQES(cap)	((uint32_t)((cap) & 0xffff) + 1)
#define NVME_CAP_TO(cap)	(((cap) >> 24) & 0xff)	/* 500 ms units */
#define NVME_CAP_DSTRD(cap)	(((cap) >> 32) & 0xf)
#define NVME_CAP_CSS_NVM(cap)	(((cap) >> 37) & 1)
#define NVME_CAP_MPSMIN(cap)	(((cap) >> 48) & 0xf)

#define NVME_CC_EN		(1u << 0)
#define NVME_CC_CSS_NVM		(0u << 4)
#define NVME_CC_MPS(shift)	(((shift) - 12) << 7)
#define NVME_CC_AMS_RR		(0u << 11)
#define NVME_CC_SHN_NORMAL	(1u << 14)
#define NVME_CC_SHN_MASK	(3u << 14)
#define NVME_CC_IOSQES(n)	((n) << 16)
#define NVME_CC_IOCQES(n)	((n) << 20)

#define NVME_CSTS_RDY		(1u << 0)
#define NVME_CSTS_CFS		(1u << 1)
#define NVME_CSTS_SHST_MASK	(3u << 2)
#define NVME_CSTS_SHST_DONE	(2u << 2)

/* Submission queue entry (4.2), 64 bytes. */
struct nvme_sqe {
	uint8_t opc;
	uint8_t flags;
	uint16_t cid;
	uint32_t nsid;
	uint32_t cdw2;
	uint32_t cdw3;
	uint64_t mptr;
	uint64_t prp1;
	uint64_t prp2;
	uint32_t cdw10;
	uint32_t cdw11;
	uint32_t cdw12;
	uint32_t cdw13;
	uint32_t cdw14;
	uint32_t cdw15;
};

/* Completion queue entry (4.6), 16 bytes. */
struct nvme_cqe {
	uint32_t dw0;
	uint32_t dw1;
	uint16_t sqhd;
	uint16_t sqid;
	uint16_t cid;
	uint16_t status;	/* bit 0: phase tag; then SC, SCT, CRD, M, DNR */
};

/* Status codes as the driver keeps them: the CQE status without the phase. */
#define NVME_STATUS_SC(s)	((s) & 0xff)
#define NVME_STATUS_SCT(s)	(((s) >> 8) & 0x7)

/* Admin commands (5). */
#define NVME_ADMIN_DELETE_SQ	0x00
#define NVME_ADMIN_CREATE_SQ	0x01
#define NVME_ADMIN_DELETE_CQ	0x04
#define NVME_ADMIN_CREATE_CQ	0x05
#define NVME_ADMIN_IDENTIFY	0x06
#define NVME_ADMIN_SET_FEATURES	0x09
#define NVME_ADMIN_GET_FEATURES	0x0a

#define NVME_FEAT_NUM_QUEUES	0x07

#define NVME_ID_CNS_NS		0x00
#define NVME_ID_CNS_CTRL	0x01

/* NVM commands (NVM Command Set 3). */
#define NVME_CMD_FLUSH		0x00
#define NVME_CMD_WRITE		0x01
#define NVME_CMD_READ		0x02

/* Identify Controller data structure (5.17.2.1), the fields we read. */
struct nvme_id_ctrl {
	uint16_t vid;
	uint16_t ssvid;
	char sn[20];
	char mn[40];
	char fr[8];
	uint8_t rab;
	uint8_t ieee[3];
	uint8_t cmic;
	uint8_t mdts;		/* max transfer: 2^mdts units of CAP.MPSMIN */
	uint16_t cntlid;
	uint32_t ver;
	uint8_t pad1[512 - 84];
	uint8_t sqes;
	uint8_t cqes;
	uint16_t maxcmd;
	uint32_t nn;		/* number of namespaces */
	uint8_t pad2[4096 - 520];
};

/* Identify Namespace data structure (NVM Command Set 4.1.5.1). */
struct nvme_lbaf {
	uint16_t ms;
	uint8_t lbads;		/* LBA data size, log2 */
	uint8_t rp;
};

struct nvme_id_ns {
	uint64_t nsze;
	uint64_t ncap;
	uint64_t nuse;
	uint8_t nsfeat;
	uint8_t nlbaf;
	uint8_t flbas;
	uint8_t pad1[128 - 27];
	struct nvme_lbaf lbaf[64];
	uint8_t pad2[4096 - 384];
};

/* ---- the driver ---------------------------------------------------- */

#define NVME_PAGE		4096u
#define NVME_MAX_QUEUES		16
#define NVME_MAX_DEPTH		128
#define NVME_ADMIN_DEPTH	32

struct nvme_ctrl;
struct nvme_req;

/* Called when a command completes; @status is the CQE status without the
 * phase bit (0: success). */
typedef void (*nvme_done_fn)(struct nvme_req *req, uint16_t status,
			     uint32_t dw0);

struct nvme_req {
	uint16_t cid;
	bool busy;
	uint16_t status;
	uint32_t dw0;
	bool done;
	nvme_done_fn fn;
	void *arg;
	uint64_t start_ns;
	uint64_t *prp_list;	/* one page per command, for PRP lists */
	uint64_t prp_list_iova;
};

struct nvme_queue {
	struct nvme_ctrl *ctrl;
	unsigned int qid;
	unsigned int depth;
	struct nvme_sqe *sq;
	struct nvme_cqe *cq;
	struct uldf_dma_buf *sq_buf, *cq_buf, *prp_buf;
	uint32_t sq_db, cq_db;	/* doorbell offsets in BAR0 */
	uint16_t sq_tail;
	uint16_t cq_head;
	uint8_t phase;
	unsigned int inflight;
	struct nvme_req reqs[NVME_MAX_DEPTH];
	uint16_t free_cid[NVME_MAX_DEPTH];
	unsigned int nfree;
	int irq_fd;		/* MSI-X vector fd, or -1 when polling */
	uint64_t completions;
};

struct nvme_ctrl {
	struct uldf_dev *dev;
	volatile void *bar;
	size_t bar_size;
	uint64_t cap;
	unsigned int dstrd;	/* doorbell stride, bytes */
	unsigned int timeout_ms;
	struct nvme_queue admin;
	struct nvme_queue io[NVME_MAX_QUEUES];
	unsigned int nr_io;
	bool use_irq;
	bool sqpoll;		/* the loop has an SQPOLL thread */
	struct uldf_loop *loop;
	bool enabled;
	/* Identify data. */
	struct nvme_id_ctrl id;
	uint32_t nsid;
	uint64_t nsze;		/* namespace size, blocks */
	unsigned int lba_shift;
	size_t max_xfer;	/* bytes per command */
};

/* Options for nvme_ctrl_init(). */
struct nvme_opts {
	unsigned int queues;	/* I/O queue pairs wanted, 1..NVME_MAX_QUEUES */
	unsigned int depth;	/* entries per I/O queue, 2..NVME_MAX_DEPTH */
	bool poll;		/* completions by polling, not MSI-X */
	bool sqpoll;		/* MSI-X through an SQPOLL loop: no syscalls */
};

int nvme_ctrl_init(struct nvme_ctrl *ctrl, const char *bdf,
		   const struct nvme_opts *opts);
void nvme_ctrl_shutdown(struct nvme_ctrl *ctrl);

/*
 * Create @q's completion queue, then its submission queue, on the
 * controller (Create I/O Completion/Submission Queue, NVMe Base 2.0,
 * 5.4 and 5.5), both physically contiguous, with the completion queue's
 * interrupts on MSI-X or INTx vector @vector, or off when @vector < 0.
 * Return: 0, or -errno from nvme_sync().
 */
int nvme_create_io_queue(struct nvme_ctrl *ctrl, struct nvme_queue *q,
			 int vector);

/* Queue a command on @q; the caller fills @sqe except cid and PRPs. */
int nvme_submit(struct nvme_queue *q, struct nvme_sqe *sqe, uint64_t iova,
		size_t len, nvme_done_fn fn, void *arg, struct nvme_req **reqp);
/* Reap completions of @q; returns how many. */
int nvme_reap(struct nvme_queue *q);
/* Wait (interrupt or poll) until at least one completion on @q, or
 * @timeout_ms passes; returns completions reaped or -errno. */
int nvme_wait(struct nvme_queue *q, int timeout_ms);
/* Wait until any I/O queue completes something; returns completions. */
int nvme_wait_any(struct nvme_ctrl *ctrl, int timeout_ms);
/* Run one command synchronously on @q. */
int nvme_sync(struct nvme_queue *q, struct nvme_sqe *sqe, uint64_t iova,
	      size_t len, uint32_t *dw0);

/* Read/write @nlb blocks at @slba to/from DMA memory at @iova. */
int nvme_rw_sqe(struct nvme_ctrl *ctrl, struct nvme_sqe *sqe, bool write,
		uint64_t slba, uint32_t nlb);

/* Map an NVMe status to -errno and a message. */
int nvme_status_errno(uint16_t status);
const char *nvme_status_str(uint16_t status);

uint64_t nvme_now_ns(void);

extern volatile int nvme_stop;	/* set by SIGINT/SIGTERM */

#endif
