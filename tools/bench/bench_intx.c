// SPDX-License-Identifier: GPL-2.0
/*
 * bench-intx: INTx cycles per second.  One cycle is what a user-level
 * driver does for each level-triggered interrupt: the device raises it
 * (edu register 0x60), the process wakes in read(), acknowledges it at the
 * device (0x64, which lowers the line) and ends it with the framework's
 * EOI, which unmasks the line:
 *
 *   uldf, -e write	read() the IRQ fd, write() 1 to it (two calls)
 *   uldf, -e read	the IRQ fd opened with ULDF_IRQ_OPEN_UNMASK_ON_READ:
 *			the next read() is the EOI (one call per cycle)
 *   vfio		read() the trigger eventfd, VFIO_DEVICE_SET_IRQS
 *			with VFIO_IRQ_SET_ACTION_UNMASK
 *   uio		read() /dev/uioN, clear Interrupt Disable with a
 *			one-byte pwrite() of the config file, as the UIO
 *			how-to shows for uio_pci_generic
 *
 * With unmask-on-read the next interrupt is raised while the line is still
 * masked; the EOI in read() finds it pending and delivers it, which is the
 * documented behaviour of the mode.
 *
 * Usage: bench-intx -f uldf|vfio|uio [-e write|read] [-d BDF] [-n CYCLES]
 *		     [-w WARMUP] [-c CPU]
 * Prints: bench=intx fw=.. eoi=.. cycles=N ns=N rate=N (cycles per second)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/pci_regs.h>
#include <linux/uldf.h>
#include <linux/vfio.h>

#include "bench.h"

struct intx_ctx {
	struct bench_dev dev;
	int irq_fd;
	bool unmask_on_read;
	uint8_t command_hi;			/* UIO: Interrupt Disable clear */
	struct vfio_irq_set unmask;		/* VFIO: the EOI */
	uint32_t uio_last;
	uint64_t events;
};

static const char *words;

static void uldf_cycle(struct intx_ctx *c)
{
	static const uint64_t one = 1;
	uint64_t n;

	edu_write(&c->dev, EDU_IRQ_RAISE, 1);
	if (read(c->irq_fd, &n, sizeof(n)) != sizeof(n))
		bench_fail(words, "read of the IRQ fd: %s", strerror(errno));
	c->events += n;
	edu_write(&c->dev, EDU_IRQ_ACK, 1);
	if (c->unmask_on_read)
		return;
	if (write(c->irq_fd, &one, sizeof(one)) != sizeof(one))
		bench_fail(words, "EOI write: %s", strerror(errno));
}

static void vfio_cycle(struct intx_ctx *c)
{
	uint64_t n;

	edu_write(&c->dev, EDU_IRQ_RAISE, 1);
	if (read(c->irq_fd, &n, sizeof(n)) != sizeof(n))
		bench_fail(words, "read of the eventfd: %s", strerror(errno));
	c->events += n;
	edu_write(&c->dev, EDU_IRQ_ACK, 1);
	if (ioctl(c->dev.fd, VFIO_DEVICE_SET_IRQS, &c->unmask))
		bench_fail(words, "ACTION_UNMASK: %s", strerror(errno));
}

static void uio_cycle(struct intx_ctx *c)
{
	uint32_t n;

	edu_write(&c->dev, EDU_IRQ_RAISE, 1);
	if (read(c->irq_fd, &n, sizeof(n)) != sizeof(n))
		bench_fail(words, "read of /dev/uio: %s", strerror(errno));
	c->events += n - c->uio_last;	/* UIO reports a running total */
	c->uio_last = n;
	edu_write(&c->dev, EDU_IRQ_ACK, 1);
	if (pwrite(c->dev.config, &c->command_hi, 1, PCI_COMMAND + 1) != 1)
		bench_fail(words, "config write: %s", strerror(errno));
}

static void setup(struct intx_ctx *c, enum bench_fw fw, const char *bdf)
{
	unsigned int flags = c->unmask_on_read ? ULDF_IRQ_OPEN_UNMASK_ON_READ : 0;
	char err[128];
	int ret;

	ret = bench_dev_open(&c->dev, fw, bdf, err, sizeof(err));
	if (ret)
		bench_fail(words, "%s: %s", err, strerror(-ret));
	c->irq_fd = bench_irq_open(&c->dev, false, flags);
	if (c->irq_fd == -ENOTTY && fw == BENCH_ULDF)
		bench_unsupported(words, "ULDF_DEVICE_IRQ_OPEN");
	if (c->irq_fd < 0)
		bench_fail(words, "enabling INTx: %s", strerror(-c->irq_fd));
	c->unmask = (struct vfio_irq_set) {
		.argsz = sizeof(c->unmask),
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
		.index = VFIO_PCI_INTX_IRQ_INDEX,
		.count = 1,
	};
	if (fw == BENCH_UIO) {
		if (pread(c->dev.config, &c->command_hi, 1, PCI_COMMAND + 1) != 1)
			bench_fail(words, "config read: %s", strerror(errno));
		c->command_hi &= ~(PCI_COMMAND_INTX_DISABLE >> 8);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-intx -f uldf|vfio|uio [-e write|read] [-d BDF] [-n CYCLES] [-w WARMUP] [-c CPU]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *bdf = "0000:00:03.0", *eoi = NULL;
	long cycles = 20000, warmup = 200, i;
	void (*cycle)(struct intx_ctx *c);
	struct intx_ctx c = { 0 };
	char buf[128];
	int fw = -1, cpu = 1, opt;
	uint64_t t0, t1;
	bool pinned;

	while ((opt = getopt(argc, argv, "f:e:d:n:w:c:")) != -1) {
		switch (opt) {
		case 'f':
			fw = bench_fw_parse(optarg);
			break;
		case 'e':
			eoi = optarg;
			break;
		case 'd':
			bdf = optarg;
			break;
		case 'n':
			cycles = atol(optarg);
			break;
		case 'w':
			warmup = atol(optarg);
			break;
		case 'c':
			cpu = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (fw < 0 || cycles <= 0 || warmup < 1)
		usage();
	if (fw == BENCH_ULDF) {
		if (!eoi)
			eoi = "write";
		if (strcmp(eoi, "write") && strcmp(eoi, "read"))
			usage();
		c.unmask_on_read = !strcmp(eoi, "read");
		cycle = uldf_cycle;
	} else if (fw == BENCH_VFIO) {
		eoi = "ioctl";
		cycle = vfio_cycle;
	} else {
		eoi = "config";
		cycle = uio_cycle;
	}
	snprintf(buf, sizeof(buf), "bench=intx fw=%s eoi=%s",
		 bench_fw_name(fw), eoi);
	words = buf;

	setup(&c, fw, bdf);
	if (bench_pin(bdf, cpu, false, &pinned))
		bench_fail(words, "cannot run on CPU %d", cpu);

	for (i = 0; i < warmup; i++)
		cycle(&c);
	c.events = 0;
	t0 = bench_now_ns();
	for (i = 0; i < cycles; i++)
		cycle(&c);
	t1 = bench_now_ns();

	if (edu_read(&c.dev, EDU_IRQ_STATUS))
		bench_fail(words, "interrupt status 0x%x after the run",
			   edu_read(&c.dev, EDU_IRQ_STATUS));
	if (c.events != (uint64_t)cycles)
		bench_fail(words, "%llu interrupts counted for %ld cycles",
			   (unsigned long long)c.events, cycles);
	printf("%s cycles=%ld ns=%llu rate=%.0f irq_pinned=%d irq_cpu=%d status=ok\n",
	       words, cycles, (unsigned long long)(t1 - t0),
	       cycles * 1e9 / (t1 - t0), pinned, bench_irq_cpu());
	if (c.irq_fd != c.dev.fd)
		close(c.irq_fd);
	bench_dev_close(&c.dev);
	return 0;
}
