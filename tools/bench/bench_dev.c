// SPDX-License-Identifier: GPL-2.0
/*
 * Opening QEMU's edu device through each framework with its raw interface:
 * uldf's device fd (include/uapi/linux/uldf.h), a VFIO type1 container,
 * group and device (<linux/vfio.h>), or uio_pci_generic's /dev/uioN with
 * the device's sysfs config and resource0 files.  Also the small shared
 * helpers of the benchmark programs: CPU and interrupt placement, sizes,
 * percentiles and the failure lines.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/pci_regs.h>
#include <linux/uldf.h>
#include <linux/vfio.h>

#include "bench.h"

#define SYSFS_PCI	"/sys/bus/pci/devices"

static const char *const fw_names[] = {
	[BENCH_ULDF] = "uldf",
	[BENCH_VFIO] = "vfio",
	[BENCH_UIO] = "uio",
};

int bench_fw_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(fw_names) / sizeof(fw_names[0]); i++)
		if (!strcmp(name, fw_names[i]))
			return i;
	return -1;
}

const char *bench_fw_name(enum bench_fw fw)
{
	return fw_names[fw];
}

static int map_bar0(struct bench_dev *d, int fd, off_t offset, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       offset);

	if (p == MAP_FAILED)
		return -errno;
	d->bar0 = p;
	d->bar0_size = size;
	return 0;
}

static int uldf_open(struct bench_dev *d, char *err, size_t errlen)
{
	struct uldf_region_info ri = {
		.argsz = sizeof(ri),
		.index = ULDF_REGION_BAR0,
	};
	char path[PATH_MAX];
	int ret;

	snprintf(path, sizeof(path), "/dev/uldf/%s", d->bdf);
	d->fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0) {
		snprintf(err, errlen, "open %s", path);
		return -errno;
	}
	if (ioctl(d->fd, ULDF_DEVICE_GET_REGION_INFO, &ri)) {
		snprintf(err, errlen, "ULDF_DEVICE_GET_REGION_INFO");
		return -errno;
	}
	ret = map_bar0(d, d->fd, ri.offset, ri.size);
	if (ret)
		snprintf(err, errlen, "mmap of BAR0");
	return ret;
}

/* The IOMMU group number of @bdf, from its sysfs iommu_group link. */
static int iommu_group_of(const char *bdf)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *slash;
	ssize_t n;

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	slash = strrchr(link, '/');
	return atoi(slash ? slash + 1 : link);
}

static int vfio_container_open(struct bench_dev *d, char *err, size_t errlen)
{
	d->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (d->container < 0) {
		snprintf(err, errlen, "open /dev/vfio/vfio");
		return -errno;
	}
	if (ioctl(d->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
		snprintf(err, errlen, "VFIO_GET_API_VERSION");
		return -EINVAL;
	}
	if (ioctl(d->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0) {
		snprintf(err, errlen, "no VFIO_TYPE1v2_IOMMU");
		return -EINVAL;
	}
	return 0;
}

static int vfio_group_open(struct bench_dev *d, char *err, size_t errlen)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	char path[PATH_MAX];
	int group;

	group = iommu_group_of(d->bdf);
	if (group < 0) {
		snprintf(err, errlen, "no IOMMU group for %s", d->bdf);
		return group;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	d->group = open(path, O_RDWR | O_CLOEXEC);
	if (d->group < 0) {
		snprintf(err, errlen, "open %s", path);
		return -errno;
	}
	if (ioctl(d->group, VFIO_GROUP_GET_STATUS, &st)) {
		snprintf(err, errlen, "VFIO_GROUP_GET_STATUS");
		return -errno;
	}
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		snprintf(err, errlen, "IOMMU group %d not viable", group);
		return -EINVAL;
	}
	if (ioctl(d->group, VFIO_GROUP_SET_CONTAINER, &d->container)) {
		snprintf(err, errlen, "VFIO_GROUP_SET_CONTAINER");
		return -errno;
	}
	if (ioctl(d->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		snprintf(err, errlen, "VFIO_SET_IOMMU");
		return -errno;
	}
	return 0;
}

static int vfio_open(struct bench_dev *d, char *err, size_t errlen)
{
	struct vfio_region_info ri = {
		.argsz = sizeof(ri),
		.index = VFIO_PCI_BAR0_REGION_INDEX,
	};
	int ret;

	ret = vfio_container_open(d, err, errlen);
	if (ret)
		return ret;
	ret = vfio_group_open(d, err, errlen);
	if (ret)
		return ret;
	d->fd = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, d->bdf);
	if (d->fd < 0) {
		snprintf(err, errlen, "VFIO_GROUP_GET_DEVICE_FD");
		return -errno;
	}
	if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &ri)) {
		snprintf(err, errlen, "VFIO_DEVICE_GET_REGION_INFO");
		return -errno;
	}
	ret = map_bar0(d, d->fd, ri.offset, ri.size);
	if (ret)
		snprintf(err, errlen, "mmap of BAR0");
	return ret;
}

/* The N of the uioN that uio_pci_generic made for @bdf. */
static int uio_index_of(const char *bdf)
{
	char path[PATH_MAX];
	struct dirent *de;
	int index = -ENOENT;
	DIR *dir;

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/uio", bdf);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((de = readdir(dir)))
		if (!strncmp(de->d_name, "uio", 3)) {
			index = atoi(de->d_name + 3);
			break;
		}
	closedir(dir);
	return index;
}

static int uio_open(struct bench_dev *d, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct stat st;
	int index, res, ret;

	index = uio_index_of(d->bdf);
	if (index < 0) {
		snprintf(err, errlen, "%s has no uio device", d->bdf);
		return index;
	}
	snprintf(path, sizeof(path), "/dev/uio%d", index);
	d->fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0) {
		snprintf(err, errlen, "open %s", path);
		return -errno;
	}
	snprintf(path, sizeof(path), SYSFS_PCI "/%s/config", d->bdf);
	d->config = open(path, O_RDWR | O_CLOEXEC);
	if (d->config < 0) {
		snprintf(err, errlen, "open %s", path);
		return -errno;
	}
	snprintf(path, sizeof(path), SYSFS_PCI "/%s/resource0", d->bdf);
	res = open(path, O_RDWR | O_CLOEXEC);
	if (res < 0 || fstat(res, &st)) {
		snprintf(err, errlen, "open %s", path);
		ret = -errno;
		if (res >= 0)
			close(res);
		return ret;
	}
	ret = map_bar0(d, res, 0, st.st_size);
	close(res);
	if (ret)
		snprintf(err, errlen, "mmap of %s", path);
	return ret;
}

/* Config space: uldf region 7, VFIO's config region, UIO's sysfs file. */
static int config_fd(struct bench_dev *d, off_t *base)
{
	struct vfio_region_info ri = {
		.argsz = sizeof(ri),
		.index = VFIO_PCI_CONFIG_REGION_INDEX,
	};

	switch (d->fw) {
	case BENCH_ULDF:
		*base = ULDF_REGION_OFFSET(ULDF_REGION_CONFIG);
		return d->fd;
	case BENCH_VFIO:
		if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &ri))
			return -errno;
		*base = ri.offset;
		return d->fd;
	default:
		*base = 0;
		return d->config;
	}
}

/*
 * Let the device master the bus, as a driver does before DMA; MSI is a
 * memory write of the device's too, and QEMU drops it without this.
 */
static int set_bus_master(struct bench_dev *d, char *err, size_t errlen)
{
	uint16_t cmd;
	off_t base = 0;
	int fd;

	fd = config_fd(d, &base);
	if (fd < 0) {
		snprintf(err, errlen, "no config space");
		return fd;
	}
	if (pread(fd, &cmd, 2, base + PCI_COMMAND) != 2) {
		snprintf(err, errlen, "config read");
		return -errno;
	}
	cmd |= PCI_COMMAND_MASTER;
	if (pwrite(fd, &cmd, 2, base + PCI_COMMAND) != 2) {
		snprintf(err, errlen, "config write");
		return -errno;
	}
	return 0;
}

int bench_dev_open(struct bench_dev *d, enum bench_fw fw, const char *bdf,
		   char *err, size_t errlen)
{
	int ret;

	*d = (struct bench_dev) {
		.fw = fw, .bdf = bdf,
		.fd = -1, .container = -1, .group = -1, .config = -1,
	};
	switch (fw) {
	case BENCH_ULDF:
		ret = uldf_open(d, err, errlen);
		break;
	case BENCH_VFIO:
		ret = vfio_open(d, err, errlen);
		break;
	default:
		ret = uio_open(d, err, errlen);
		break;
	}
	if (!ret && uldf_test_dev_attach_mmio(&d->edu, d->bar0,
					      &uldf_test_edu_ops)) {
		snprintf(err, errlen, "BAR0 reads id 0x%x, not edu's",
			 edu_read(d, EDU_ID));
		ret = -ENODEV;
	}
	if (!ret)
		ret = set_bus_master(d, err, errlen);
	if (ret)
		bench_dev_close(d);
	return ret;
}

void bench_dev_close(struct bench_dev *d)
{
	if (d->bar0)
		munmap((void *)d->bar0, d->bar0_size);
	if (d->config >= 0)
		close(d->config);
	if (d->fd >= 0)
		close(d->fd);
	if (d->group >= 0)
		close(d->group);
	if (d->container >= 0)
		close(d->container);
	d->bar0 = NULL;
	d->fd = d->group = d->container = d->config = -1;
}

static int uldf_irq_open(struct bench_dev *d, bool msi, unsigned int flags)
{
	struct {
		struct uldf_irq_open hdr;
		int32_t fd;
	} o = {
		.hdr = {
			.argsz = sizeof(o),
			.flags = flags,
			.type = msi ? ULDF_IRQ_TYPE_MSI : ULDF_IRQ_TYPE_INTX,
			.count = 1,
		},
	};

	if (ioctl(d->fd, ULDF_DEVICE_IRQ_OPEN, &o))
		return -errno;
	return o.hdr.fds[0];
}

static int vfio_irq_open(struct bench_dev *d, bool msi)
{
	struct {
		struct vfio_irq_set hdr;
		int32_t fd;
	} s = {
		.hdr = {
			.argsz = sizeof(s),
			.flags = VFIO_IRQ_SET_DATA_EVENTFD |
				 VFIO_IRQ_SET_ACTION_TRIGGER,
			.index = msi ? VFIO_PCI_MSI_IRQ_INDEX :
				       VFIO_PCI_INTX_IRQ_INDEX,
			.count = 1,
		},
	};
	int efd, ret;

	efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0)
		return -errno;
	s.fd = efd;
	if (ioctl(d->fd, VFIO_DEVICE_SET_IRQS, &s)) {
		ret = -errno;
		close(efd);
		return ret;
	}
	return efd;
}

/*
 * uio_pci_generic masks INTx with the Interrupt Disable bit in its handler
 * and leaves unmasking to the process, through the config file; start
 * unmasked.
 */
static int uio_irq_open(struct bench_dev *d, bool msi)
{
	uint8_t hi;

	if (msi)
		return -EOPNOTSUPP;
	if (pread(d->config, &hi, 1, PCI_COMMAND + 1) != 1)
		return -errno;
	hi &= ~(PCI_COMMAND_INTX_DISABLE >> 8);
	if (pwrite(d->config, &hi, 1, PCI_COMMAND + 1) != 1)
		return -errno;
	return d->fd;
}

int bench_irq_open(struct bench_dev *d, bool msi, unsigned int uldf_flags)
{
	switch (d->fw) {
	case BENCH_ULDF:
		return uldf_irq_open(d, msi, uldf_flags);
	case BENCH_VFIO:
		return vfio_irq_open(d, msi);
	default:
		return uio_irq_open(d, msi);
	}
}

int bench_dma_map(struct bench_dev *d, void *vaddr, uint64_t iova,
		  uint64_t size)
{
	struct vfio_iommu_type1_dma_map vm = {
		.argsz = sizeof(vm),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)vaddr,
		.iova = iova,
		.size = size,
	};
	struct uldf_dma_map um = {
		.argsz = sizeof(um),
		.flags = ULDF_DMA_MAP_READ | ULDF_DMA_MAP_WRITE |
			 ULDF_DMA_MAP_FIXED_IOVA,
		.vaddr = (uintptr_t)vaddr,
		.size = size,
		.iova = iova,
	};
	int ret;

	if (d->fw == BENCH_ULDF)
		ret = ioctl(d->fd, ULDF_DMA_MAP, &um);
	else if (d->fw == BENCH_VFIO)
		ret = ioctl(d->container, VFIO_IOMMU_MAP_DMA, &vm);
	else
		return -EOPNOTSUPP;
	return ret ? -errno : 0;
}

int bench_dma_unmap(struct bench_dev *d, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_unmap vu = {
		.argsz = sizeof(vu),
		.iova = iova,
		.size = size,
	};
	struct uldf_dma_unmap uu = {
		.argsz = sizeof(uu),
		.iova = iova,
		.size = size,
	};
	int ret;

	if (d->fw == BENCH_ULDF)
		ret = ioctl(d->fd, ULDF_DMA_UNMAP, &uu);
	else if (d->fw == BENCH_VFIO)
		ret = ioctl(d->container, VFIO_IOMMU_UNMAP_DMA, &vu);
	else
		return -EOPNOTSUPP;
	return ret ? -errno : 0;
}

/* The Linux interrupt number of @bdf's first MSI vector or INTx line. */
static int irq_of(const char *bdf, bool msi)
{
	char path[PATH_MAX], buf[32];
	struct dirent *de;
	int irq = -ENOENT;
	ssize_t n;
	DIR *dir;
	int fd;

	if (msi) {
		snprintf(path, sizeof(path), SYSFS_PCI "/%s/msi_irqs", bdf);
		dir = opendir(path);
		if (!dir)
			return -errno;
		while ((de = readdir(dir)))
			if (de->d_name[0] >= '0' && de->d_name[0] <= '9') {
				irq = atoi(de->d_name);
				break;
			}
		closedir(dir);
		return irq;
	}
	snprintf(path, sizeof(path), SYSFS_PCI "/%s/irq", bdf);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	return atoi(buf);
}

/* The interrupt steered by bench_pin() and its affinity before, for exit. */
static char pinned_path[64];
static char pinned_before[64];
static int pinned_irq;

static void unpin_irq(void)
{
	int fd = open(pinned_path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, pinned_before, strlen(pinned_before)) < 0)
		fprintf(stderr, "cannot restore %s\n", pinned_path);
	close(fd);
}

/*
 * Write @cpu to @path, remembering what was there for unpin_irq().  procfs
 * affinity files take no pwrite(), hence one open to read, one to write.
 */
static bool pin_irq(const char *path, int cpu)
{
	char val[16];
	ssize_t n;
	bool ok;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, pinned_before, sizeof(pinned_before) - 1);
	close(fd);
	if (n > 0 && !pinned_path[0]) {
		pinned_before[n] = '\0';
		snprintf(pinned_path, sizeof(pinned_path), "%s", path);
		atexit(unpin_irq);
	}
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = snprintf(val, sizeof(val), "%d\n", cpu);
	ok = write(fd, val, n) == n;
	close(fd);
	return ok;
}

int bench_pin(const char *bdf, int cpu, bool msi, bool *irq_pinned)
{
	char path[64];
	cpu_set_t set;
	int irq;

	*irq_pinned = false;
	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -errno;
	irq = irq_of(bdf, msi);
	if (irq <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/irq/%d/smp_affinity_list", irq);
	*irq_pinned = pin_irq(path, cpu);
	pinned_irq = irq;
	return 0;
}

int bench_irq_cpu(void)
{
	char path[64], buf[32];
	ssize_t n;
	int fd;

	if (pinned_irq <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/irq/%d/effective_affinity_list",
		 pinned_irq);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return atoi(buf);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void bench_sort(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
}

uint64_t bench_percentile(const uint64_t *v, size_t n, double pct)
{
	size_t rank;

	if (!n)
		return 0;
	rank = (size_t)(pct / 100.0 * n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

uint64_t bench_parse_size(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	switch (*end) {
	case 'G':
		v <<= 10;
		/* fall through */
	case 'M':
		v <<= 10;
		/* fall through */
	case 'K':
		v <<= 10;
		end++;
		break;
	}
	return *end ? 0 : v;
}

void bench_fail(const char *words, const char *fmt, ...)
{
	va_list ap;

	printf("%s status=error msg=\"", words);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\"\n");
	exit(1);
}

void bench_unsupported(const char *words, const char *what)
{
	printf("%s status=unsupported msg=\"%s not implemented by this uldf.ko\"\n",
	       words, what);
	exit(BENCH_EXIT_UNSUPPORTED);
}
