// SPDX-License-Identifier: MIT
/*
 * libuldf: the device handle.
 *
 * A handle is the device fd plus what the library caches about it (the
 * device info, the DMA mask) and owns on its behalf (BAR mappings, DMA
 * buffers), so that uldf_close() leaves nothing behind.  Config space and
 * BARs are reached with pread()/pwrite() at the region offsets of
 * <linux/uldf.h>; the fixed-width accessors are one family over
 * region_rw(), which checks the arguments once.
 *
 * A BAR with holes (pages the module will not map, around an MSI-X table)
 * is mapped as one PROT_NONE reservation of the BAR's size, with each
 * mmap-able area mapped over it at its offset: the caller gets one base
 * address and offsets that match the BAR's.
 */
#include <endian.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "internal.h"

static int get_info(int fd, struct uldf_device_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	if (ioctl(fd, ULDF_DEVICE_GET_INFO, info))
		return -errno;
	return 0;
}

/* Wrap an open device fd in a new handle; the fd is not closed on error. */
static int dev_new(int fd, const char *bdf, struct uldf_dev **devp)
{
	struct uldf_dev *dev;
	int ret;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	ret = get_info(fd, &dev->info);
	if (ret == -EINVAL || ret == -ENOTTY) {
		ret = -ENOTTY;
		goto out_free;
	}
	if (ret)
		goto out_free;
	if (dev->info.api_version != ULDF_API_VERSION) {
		ret = -EPROTO;
		goto out_free;
	}
	dev->fd = fd;
	snprintf(dev->bdf, sizeof(dev->bdf), "%s", bdf);
	*devp = dev;
	return 0;

out_free:
	free(dev);
	return ret;
}

int uldf_open(const char *bdf, struct uldf_dev **devp)
{
	ULDFI_KEEP_ERRNO();
	char canon[ULDF_BDF_LEN], path[512];
	int fd, ret;

	if (!devp || uldf_pci_bdf_parse(bdf, canon))
		return -EINVAL;
	ret = uldfi_path(path, sizeof(path), "%s/%s", uldfi_dev_root, canon);
	if (ret)
		return ret;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = dev_new(fd, canon, devp);
	if (ret)
		close(fd);
	return ret;
}

/* The BDF of the PCI device behind the character device @fd. */
static int fd_bdf(int fd, char bdf[ULDF_BDF_LEN])
{
	char path[512], name[64];
	struct stat st;
	int ret;

	if (fstat(fd, &st))
		return -errno;
	if (!S_ISCHR(st.st_mode))
		return -ENOTTY;
	ret = uldfi_path(path, sizeof(path), "%s/dev/char/%u:%u/device",
			 uldfi_sysfs_root, major(st.st_rdev), minor(st.st_rdev));
	if (ret)
		return ret;
	ret = uldfi_readlink_base(path, name, sizeof(name));
	if (ret)
		return -ENOTTY;
	return uldf_pci_bdf_parse(name, bdf) ? -ENOTTY : 0;
}

int uldf_open_fd(int fd, struct uldf_dev **devp)
{
	ULDFI_KEEP_ERRNO();
	char bdf[ULDF_BDF_LEN];
	int ret;

	if (!devp)
		return -EINVAL;
	ret = fd_bdf(fd, bdf);
	if (ret)
		return ret;
	return dev_new(fd, bdf, devp);
}

static void bar_unmap(struct uldfi_bar_map *map)
{
	if (map->addr)
		munmap(map->addr, map->len);
	memset(map, 0, sizeof(*map));
}

void uldf_close(struct uldf_dev *dev)
{
	ULDFI_KEEP_ERRNO();
	unsigned int i;

	if (!dev)
		return;
	uldfi_dma_buf_free_all(dev);
	for (i = 0; i < ULDFI_ARRAY_SIZE(dev->bars); i++)
		bar_unmap(&dev->bars[i]);
	close(dev->fd);
	free(dev);
}

int uldf_dev_fd(const struct uldf_dev *dev)
{
	return dev ? dev->fd : -EINVAL;
}

const char *uldf_dev_bdf(const struct uldf_dev *dev)
{
	return dev ? dev->bdf : NULL;
}

int uldf_dev_get_info(struct uldf_dev *dev, struct uldf_device_info *info)
{
	ULDFI_KEEP_ERRNO();

	if (!dev || !info)
		return -EINVAL;
	return get_info(dev->fd, info);
}

int uldf_region_get_info(struct uldf_dev *dev, unsigned int index,
			 struct uldf_region_info *info)
{
	ULDFI_KEEP_ERRNO();

	if (!dev || !info || index >= ULDF_NUM_REGIONS)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	if (ioctl(dev->fd, ULDF_DEVICE_GET_REGION_INFO, info))
		return -errno;
	return 0;
}

int uldf_reset(struct uldf_dev *dev)
{
	ULDFI_KEEP_ERRNO();

	if (!dev)
		return -EINVAL;
	if (ioctl(dev->fd, ULDF_DEVICE_RESET))
		return -errno;
	return 0;
}

/* ---- config space and BARs through the device fd ---------------------- */

/*
 * The core of every accessor: @len bytes at @off of @region.  The
 * module checks the range against the region's size; here only what
 * would make a meaningless file offset is refused.
 */
static int region_rw(struct uldf_dev *dev, unsigned int region, uint64_t off,
		     void *buf, size_t len, bool write)
{
	uint64_t pos;
	ssize_t n;

	if (!dev || !buf || !len || region >= ULDF_NUM_REGIONS)
		return -EINVAL;
	if (off > ULDF_REGION_MASK || len > ULDF_REGION_MASK + 1 - off)
		return -EINVAL;
	pos = ULDF_REGION_OFFSET(region) + off;
	if (write)
		n = uldfi_pwrite_full(dev->fd, buf, len, pos);
	else
		n = uldfi_pread_full(dev->fd, buf, len, pos);
	return n < 0 ? (int)n : 0;
}

int uldf_cfg_read(struct uldf_dev *dev, uint32_t off, void *buf, size_t len)
{
	ULDFI_KEEP_ERRNO();

	return region_rw(dev, ULDF_REGION_CONFIG, off, buf, len, false);
}

int uldf_cfg_write(struct uldf_dev *dev, uint32_t off, const void *buf,
		   size_t len)
{
	ULDFI_KEEP_ERRNO();

	return region_rw(dev, ULDF_REGION_CONFIG, off, (void *)buf, len, true);
}

int uldf_bar_read(struct uldf_dev *dev, unsigned int bar, uint64_t off,
		  void *buf, size_t len)
{
	ULDFI_KEEP_ERRNO();

	if (bar > ULDF_REGION_ROM)
		return -EINVAL;
	return region_rw(dev, bar, off, buf, len, false);
}

int uldf_bar_write(struct uldf_dev *dev, unsigned int bar, uint64_t off,
		   const void *buf, size_t len)
{
	ULDFI_KEEP_ERRNO();

	if (bar > ULDF_REGION_ROM)
		return -EINVAL;
	return region_rw(dev, bar, off, (void *)buf, len, true);
}

/* One aligned register of @width bytes: the core of the fixed widths. */
static int reg_rw(struct uldf_dev *dev, unsigned int region, uint64_t off,
		  void *le, size_t width, bool write)
{
	if (off & (width - 1))
		return -EINVAL;
	return region_rw(dev, region, off, le, width, write);
}

/* endian.h has no 8-bit conversions. */
#define le8toh(x)	(x)
#define htole8(x)	(x)

#define ULDFI_DEFINE_CFG_RW(bits)					\
int uldf_cfg_read##bits(struct uldf_dev *dev, uint32_t off,		\
			uint##bits##_t *val)				\
{									\
	ULDFI_KEEP_ERRNO();						\
	uint##bits##_t le;						\
	int ret;							\
									\
	if (!val)							\
		return -EINVAL;						\
	ret = reg_rw(dev, ULDF_REGION_CONFIG, off, &le, sizeof(le),	\
		     false);						\
	if (!ret)							\
		*val = le##bits##toh(le);				\
	return ret;							\
}									\
									\
int uldf_cfg_write##bits(struct uldf_dev *dev, uint32_t off,		\
			 uint##bits##_t val)				\
{									\
	ULDFI_KEEP_ERRNO();						\
	uint##bits##_t le = htole##bits(val);				\
									\
	return reg_rw(dev, ULDF_REGION_CONFIG, off, &le, sizeof(le),	\
		      true);						\
}

#define ULDFI_DEFINE_BAR_RW(bits)					\
int uldf_bar_read##bits(struct uldf_dev *dev, unsigned int bar,		\
			uint64_t off, uint##bits##_t *val)		\
{									\
	ULDFI_KEEP_ERRNO();						\
	uint##bits##_t le;						\
	int ret;							\
									\
	if (!val || bar > ULDF_REGION_ROM)				\
		return -EINVAL;						\
	ret = reg_rw(dev, bar, off, &le, sizeof(le), false);		\
	if (!ret)							\
		*val = le##bits##toh(le);				\
	return ret;							\
}									\
									\
int uldf_bar_write##bits(struct uldf_dev *dev, unsigned int bar,	\
			 uint64_t off, uint##bits##_t val)		\
{									\
	ULDFI_KEEP_ERRNO();						\
	uint##bits##_t le = htole##bits(val);				\
									\
	if (bar > ULDF_REGION_ROM)					\
		return -EINVAL;						\
	return reg_rw(dev, bar, off, &le, sizeof(le), true);		\
}

ULDFI_DEFINE_CFG_RW(8)
ULDFI_DEFINE_CFG_RW(16)
ULDFI_DEFINE_CFG_RW(32)
ULDFI_DEFINE_CFG_RW(64)
ULDFI_DEFINE_BAR_RW(8)
ULDFI_DEFINE_BAR_RW(16)
ULDFI_DEFINE_BAR_RW(32)
ULDFI_DEFINE_BAR_RW(64)

#define PCI_COMMAND		0x04
#define PCI_COMMAND_MASTER	0x0004

int uldf_set_bus_master(struct uldf_dev *dev, int enable)
{
	ULDFI_KEEP_ERRNO();
	uint16_t cmd, want;
	int ret;

	if (!dev)
		return -EINVAL;
	ret = uldf_cfg_read16(dev, PCI_COMMAND, &cmd);
	if (ret)
		return ret;
	want = enable ? cmd | PCI_COMMAND_MASTER : cmd & ~PCI_COMMAND_MASTER;
	if (want != cmd) {
		ret = uldf_cfg_write16(dev, PCI_COMMAND, want);
		if (ret)
			return ret;
		ret = uldf_cfg_read16(dev, PCI_COMMAND, &cmd);
		if (ret)
			return ret;
	}
	return (cmd & PCI_COMMAND_MASTER) == (want & PCI_COMMAND_MASTER) ?
	       0 : -EPERM;
}

/* ---- BAR mapping -------------------------------------------------------- */

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* Map the areas of @ri over the reservation at @base. */
static int map_areas(struct uldf_dev *dev, const struct uldf_region_info *ri,
		     uint64_t wc, uint8_t *base)
{
	unsigned int i;

	for (i = 0; i < ri->nr_areas && i < ULDF_REGION_MAX_AREAS; i++) {
		const struct uldf_region_area *a = &ri->areas[i];
		void *p;

		if (!a->size || a->offset + a->size > ri->size)
			return -EIO;
		p = mmap(base + a->offset, a->size, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, dev->fd,
			 (off_t)(ri->offset + a->offset + wc));
		if (p == MAP_FAILED)
			return -errno;
	}
	return 0;
}

static int bar_map_new(struct uldf_dev *dev, unsigned int bar,
		       unsigned int flags, struct uldfi_bar_map *map)
{
	struct uldf_region_info ri;
	size_t len;
	void *base;
	int ret;

	ret = uldf_region_get_info(dev, bar, &ri);
	if (ret)
		return ret;
	if (!ri.size || (ri.flags & ULDF_REGION_FLAG_IO) ||
	    !(ri.flags & ULDF_REGION_FLAG_MMAP) || !ri.nr_areas)
		return -ENXIO;
	if ((flags & ULDF_BAR_MAP_WC) && !(ri.flags & ULDF_REGION_FLAG_PREFETCH))
		return -EINVAL;

	len = (ri.size + page_size() - 1) & ~(page_size() - 1);
	base = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		    MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return -errno;
	ret = map_areas(dev, &ri, (flags & ULDF_BAR_MAP_WC) ? ULDF_MMAP_WC : 0,
			base);
	if (ret) {
		munmap(base, len);
		return ret;
	}
	map->addr = base;
	map->len = len;
	map->flags = flags;
	return 0;
}

int uldf_bar_map(struct uldf_dev *dev, unsigned int bar, unsigned int flags,
		 void **addrp, size_t *sizep)
{
	ULDFI_KEEP_ERRNO();
	struct uldfi_bar_map *map;
	struct uldf_region_info ri;
	int ret;

	if (!dev || !addrp || bar > ULDF_REGION_BAR5 ||
	    (flags & ~ULDF_BAR_MAP_WC))
		return -EINVAL;
	map = &dev->bars[bar];
	if (map->addr && map->flags != flags)
		return -EBUSY;
	if (!map->addr) {
		ret = bar_map_new(dev, bar, flags, map);
		if (ret)
			return ret;
	}
	if (sizep) {
		ret = uldf_region_get_info(dev, bar, &ri);
		*sizep = ret ? map->len : (size_t)ri.size;
	}
	*addrp = map->addr;
	return 0;
}

int uldf_bar_unmap(struct uldf_dev *dev, unsigned int bar)
{
	ULDFI_KEEP_ERRNO();

	if (!dev || bar > ULDF_REGION_BAR5)
		return -EINVAL;
	if (!dev->bars[bar].addr)
		return -ENOENT;
	bar_unmap(&dev->bars[bar]);
	return 0;
}
