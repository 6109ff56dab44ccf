// SPDX-License-Identifier: MIT
/*
 * uldf-edu: a user-level driver for QEMU's "edu" teaching device, on
 * libuldf only.  It identifies the device, checks its liveness register,
 * computes a factorial and moves data by DMA in both directions, each
 * completion signalled by an interrupt (INTx or MSI), and exits non-zero
 * on any mismatch.
 *
 *   uldf-edu [--intx | --msi] [BDF]          (default: --intx 0000:00:03.0)
 *
 * The device must be bound to uldf first: uldfctl bind BDF.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libuldf.h>

/* edu registers (BAR0) */
#define EDU_ID		0x00	/* 0xRRrr00ed: major, minor version */
#define EDU_LIVENESS	0x04	/* reads back the inverse */
#define EDU_FACT	0x08	/* write n, read n! */
#define EDU_STATUS	0x20
#define   EDU_STATUS_COMPUTING	0x01
#define   EDU_STATUS_IRQ_FACT	0x80	/* interrupt when n! is done */
#define EDU_IRQ_STATUS	0x24
#define EDU_IRQ_RAISE	0x60
#define EDU_IRQ_ACK	0x64
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_COUNT	0x90
#define EDU_DMA_CMD	0x98
#define   EDU_DMA_START		0x01
#define   EDU_DMA_TO_RAM	0x02	/* device to RAM; else RAM to device */
#define   EDU_DMA_IRQ		0x04	/* raise EDU_IRQ_DMA when done */

#define EDU_IRQ_FACT	0x00000001
#define EDU_IRQ_DMA	0x00000100
#define EDU_DMA_BUF	0x40000		/* the device's 4 KiB buffer */
#define EDU_DMA_BITS	28
#define DMA_LEN		2048		/* stays clear of the buffer's end */
#define TIMEOUT_MS	10000

struct edu {
	struct uldf_dev *dev;
	void *bar;
	int irqfd;
	struct uldf_loop *loop;
	uint32_t irq_status;	/* causes the handler has acknowledged */
	unsigned long irqs;
	int failures;
};

static void check(struct edu *edu, int ok, const char *what)
{
	printf("%-40s %s\n", what, ok ? "ok" : "FAIL");
	if (!ok)
		edu->failures++;
}

/* Interrupt handler: acknowledge every cause in the device. */
static int edu_irq(struct uldf_loop *loop, int fd, int64_t res, void *data)
{
	struct edu *edu = data;
	uint32_t st;

	if (res < 0)
		return (int)res;
	edu->irqs += (unsigned long)res;
	st = uldf_mmio_read32(edu->bar, EDU_IRQ_STATUS);
	uldf_mmio_write32(edu->bar, EDU_IRQ_ACK, st);
	edu->irq_status |= st;
	return 0;	/* the loop sends the INTx EOI (ULDF_LOOP_EOI) */
}

/* Wait until the handler has seen interrupt cause @cause. */
static int wait_irq(struct edu *edu, uint32_t cause)
{
	while (!(edu->irq_status & cause)) {
		int ret = uldf_loop_wait(edu->loop, TIMEOUT_MS);

		if (ret <= 0) {
			fprintf(stderr, "no interrupt 0x%x: %s\n", cause,
				ret ? strerror(-ret) : "timed out");
			return -1;
		}
	}
	edu->irq_status &= ~cause;
	return 0;
}

static void edu_identify(struct edu *edu)
{
	uint32_t id = uldf_mmio_read32(edu->bar, EDU_ID);
	uint32_t v[] = { 0, 0x12345678, 0xffffffff };
	int ok = 1;
	size_t i;

	printf("edu %s: version %u.%u\n", uldf_dev_bdf(edu->dev), id >> 24,
	       (id >> 16) & 0xff);
	check(edu, (id & 0xffff) == 0x00ed, "identification register");
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uldf_mmio_write32(edu->bar, EDU_LIVENESS, v[i]);
		ok &= uldf_mmio_read32(edu->bar, EDU_LIVENESS) == ~v[i];
	}
	check(edu, ok, "liveness register inverts");
}

static void edu_raise(struct edu *edu)
{
	uldf_mmio_write32(edu->bar, EDU_IRQ_RAISE, 0x40000000);
	check(edu, !wait_irq(edu, 0x40000000), "interrupt raised by software");
}

static void edu_factorial(struct edu *edu, uint32_t n, uint32_t expect)
{
	char what[64];

	uldf_mmio_write32(edu->bar, EDU_STATUS, EDU_STATUS_IRQ_FACT);
	uldf_mmio_write32(edu->bar, EDU_FACT, n);
	snprintf(what, sizeof(what), "factorial %u with interrupt", n);
	check(edu, !wait_irq(edu, EDU_IRQ_FACT) &&
	      !(uldf_mmio_read32(edu->bar, EDU_STATUS) & EDU_STATUS_COMPUTING) &&
	      uldf_mmio_read32(edu->bar, EDU_FACT) == expect, what);
}

/* One DMA transfer of DMA_LEN bytes, completion by interrupt. */
static int edu_dma(struct edu *edu, uint64_t src, uint64_t dst, uint32_t cmd)
{
	uldf_mmio_write64(edu->bar, EDU_DMA_SRC, src);
	uldf_mmio_write64(edu->bar, EDU_DMA_DST, dst);
	uldf_mmio_write64(edu->bar, EDU_DMA_COUNT, DMA_LEN);
	/* uldf_mmio_write*() orders the buffer's contents before this */
	uldf_mmio_write64(edu->bar, EDU_DMA_CMD, cmd | EDU_DMA_START |
			  EDU_DMA_IRQ);
	return wait_irq(edu, EDU_IRQ_DMA);
}

static void edu_dma_round_trip(struct edu *edu)
{
	struct uldf_dma_buf *buf;
	uint8_t *out, *in;
	uint64_t iova;
	int ret, i;

	uldf_dma_set_mask(edu->dev, ULDF_DMA_BIT_MASK(EDU_DMA_BITS));
	ret = uldf_dma_buf_alloc(edu->dev, 2 * DMA_LEN, 0, &buf);
	if (ret) {
		fprintf(stderr, "DMA buffer: %s\n", strerror(-ret));
		check(edu, 0, "DMA buffer");
		return;
	}
	out = uldf_dma_buf_vaddr(buf);
	in = out + DMA_LEN;
	iova = uldf_dma_buf_iova(buf);
	for (i = 0; i < DMA_LEN; i++)
		out[i] = (uint8_t)(i * 7 + 3);
	memset(in, 0, DMA_LEN);
	printf("DMA buffer at IOVA 0x%llx\n", (unsigned long long)iova);

	check(edu, !edu_dma(edu, iova, EDU_DMA_BUF, 0),
	      "DMA RAM to device, interrupt");
	check(edu, !edu_dma(edu, EDU_DMA_BUF, iova + DMA_LEN, EDU_DMA_TO_RAM),
	      "DMA device to RAM, interrupt");
	check(edu, !memcmp(out, in, DMA_LEN), "DMA data round trip");
	uldf_dma_buf_free(buf);
}

static int edu_setup(struct edu *edu, const char *bdf, int msi)
{
	unsigned int type = msi ? ULDF_IRQ_TYPE_MSI : ULDF_IRQ_TYPE_INTX;
	int ret;

	ret = uldf_open(bdf, &edu->dev);
	if (ret) {
		fprintf(stderr, "cannot open %s: %s%s\n", bdf, strerror(-ret),
			ret == -ENOENT ? " (bind it: uldfctl bind BDF)" : "");
		return ret;
	}
	ret = uldf_bar_map(edu->dev, 0, 0, &edu->bar, NULL);
	if (ret) {
		fprintf(stderr, "cannot map BAR0: %s\n", strerror(-ret));
		return ret;
	}
	/* DMA, and MSI (a memory write), need bus mastering */
	ret = uldf_set_bus_master(edu->dev, 1);
	if (ret) {
		fprintf(stderr, "cannot enable bus mastering: %s\n",
			strerror(-ret));
		return ret;
	}
	/* edu has no reset: clear causes an earlier user left behind */
	uldf_mmio_write32(edu->bar, EDU_IRQ_ACK, 0xffffffff);
	edu->irqfd = uldf_irq_open_one(edu->dev, type, 0, 0);
	if (edu->irqfd < 0) {
		fprintf(stderr, "cannot enable %s: %s\n", msi ? "MSI" : "INTx",
			strerror(-edu->irqfd));
		return edu->irqfd;
	}
	ret = uldf_loop_create(0, &edu->loop);
	if (!ret)
		ret = uldf_loop_add(edu->loop, edu->irqfd,
				    msi ? 0 : ULDF_LOOP_EOI, edu_irq, edu);
	if (ret)
		fprintf(stderr, "event loop: %s\n", strerror(-ret));
	return ret;
}

static void edu_teardown(struct edu *edu)
{
	uldf_loop_destroy(edu->loop);
	if (edu->irqfd >= 0)
		uldf_irq_close(edu->irqfd);
	uldf_close(edu->dev);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "intx", no_argument, NULL, 'i' },
		{ "msi", no_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct edu edu = { .irqfd = -1 };
	int msi = 0, opt;

	while ((opt = getopt_long(argc, argv, "imh", opts, NULL)) != -1) {
		if (opt == 'h' || opt == '?') {
			fprintf(opt == 'h' ? stdout : stderr,
				"usage: %s [--intx | --msi] [BDF]\n", argv[0]);
			return opt == 'h' ? 0 : 2;
		}
		msi = opt == 'm';
	}
	if (edu_setup(&edu, optind < argc ? argv[optind] : "0000:00:03.0",
		      msi)) {
		edu_teardown(&edu);
		return 1;
	}
	printf("interrupts: %s, event loop: %s\n", msi ? "MSI" : "INTx",
	       uldf_loop_features(edu.loop) & ULDF_LOOP_F_MULTISHOT ?
	       "io_uring multishot read" : "io_uring poll");
	edu_identify(&edu);
	edu_raise(&edu);
	edu_factorial(&edu, 10, 3628800);
	edu_factorial(&edu, 12, 479001600);
	edu_dma_round_trip(&edu);
	printf("%lu interrupts, %d failures\n", edu.irqs, edu.failures);
	edu_teardown(&edu);
	return edu.failures ? 1 : 0;
}
