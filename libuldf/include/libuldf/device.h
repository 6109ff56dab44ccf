/* SPDX-License-Identifier: MIT */
/*
 * libuldf: the device handle, config space, BARs and reset.
 *
 * uldf_open() opens /dev/uldf/<BDF> (the device must be bound to uldf, see
 * uldf_pci_bind()) and returns an opaque handle.  The handle owns the
 * device fd, the BAR mappings made with uldf_bar_map() and the DMA buffers
 * of uldf_dma_buf_alloc(); uldf_close() releases all of them, and the
 * kernel then turns bus mastering off, frees interrupts, unmaps DMA and
 * resets the function.  IRQ fds belong to the caller (see <libuldf/irq.h>).
 *
 * Register values pass through as the PCI bus defines them: config space
 * and BAR accessors convert between little-endian and the CPU's order.
 * Every function returns 0 on success or a negative errno value; errno is
 * left as it was.  A handle may be used from several threads for the
 * accessors (they are single system calls); opening, closing, mapping and
 * unmapping a BAR, and DMA buffer allocation need the caller's exclusion.
 */
#ifndef LIBULDF_DEVICE_H
#define LIBULDF_DEVICE_H

#include <stddef.h>
#include <stdint.h>
#include <linux/uldf.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An open uldf device (opaque). */
struct uldf_dev;

/**
 * uldf_open() - open a device bound to uldf.
 * @bdf:	"dddd:bb:dd.f" or "bb:dd.f".
 * @devp:	out: the handle.
 *
 * Opens /dev/uldf/<bdf> and checks that the module speaks
 * ULDF_API_VERSION.  Only one open at a time is allowed per device.
 *
 * Return: 0; -EINVAL malformed @bdf or NULL @devp; -ENOENT no such device
 * node (the device is not bound to uldf, or uldf.ko is not loaded);
 * -EBUSY another process (or handle) has the device open; -EACCES not
 * permitted (the node is mode 0600, owned by root); -EPERM the module
 * refused: no interrupt remapping (unless uldf.allow_unsafe_interrupts=1),
 * or no-IOMMU mode and the caller lacks CAP_SYS_RAWIO;
 * -EPROTO the module's API version differs; -ENOMEM; -ENODEV the device is
 * being removed.
 */
int uldf_open(const char *bdf, struct uldf_dev **devp);

/**
 * uldf_open_fd() - make a handle from an already open device fd.
 * @fd:		an fd of /dev/uldf/<BDF>, e.g. received from a privileged
 *		helper over a Unix socket; the handle takes ownership.
 * @devp:	out: the handle.
 *
 * The BDF is found through sysfs from the fd's device number.  On failure
 * @fd is left open and still belongs to the caller.
 *
 * Return: 0; -EINVAL NULL @devp; -EBADF @fd is not open; -ENOTTY @fd is
 * not a uldf device; -EPROTO the module's API version differs; -ENOMEM.
 */
int uldf_open_fd(int fd, struct uldf_dev **devp);

/**
 * uldf_close() - release a handle.
 * @dev:	the handle, or NULL.
 *
 * Unmaps the BARs mapped through @dev, frees its DMA buffers (their
 * pointers become invalid), and closes the device fd.  IRQ fds opened
 * through @dev fail with ENODEV from then on; close them.
 */
void uldf_close(struct uldf_dev *dev);

/**
 * uldf_dev_fd() - the device fd behind a handle, for ioctls libuldf does
 * not wrap.
 * @dev:	the handle.
 *
 * Return: the fd (owned by @dev: do not close it); -EINVAL NULL @dev.
 */
int uldf_dev_fd(const struct uldf_dev *dev);

/**
 * uldf_dev_bdf() - the address of the device.
 * @dev:	the handle.
 *
 * Return: "dddd:bb:dd.f", valid as long as @dev; NULL for a NULL @dev.
 */
const char *uldf_dev_bdf(const struct uldf_dev *dev);

/**
 * uldf_dev_get_info() - identify the device (ULDF_DEVICE_GET_INFO).
 * @dev:	the handle.
 * @info:	out: IDs, class, flags (ULDF_DEVICE_FLAGS_*), interrupt
 *		counts per ULDF_IRQ_TYPE_*, IOMMU group, config space size.
 *
 * Return: 0; -EINVAL a NULL argument; -ENODEV the device was removed.
 */
int uldf_dev_get_info(struct uldf_dev *dev, struct uldf_device_info *info);

/**
 * uldf_region_get_info() - describe a region (ULDF_DEVICE_GET_REGION_INFO).
 * @dev:	the handle.
 * @index:	ULDF_REGION_BAR0 to ULDF_REGION_BAR5, ULDF_REGION_ROM or
 *		ULDF_REGION_CONFIG.
 * @info:	out: flags (ULDF_REGION_FLAG_*), size in bytes (0 for an
 *		unimplemented BAR), and the mmap-able areas.
 *
 * Return: 0; -EINVAL a NULL argument or @index out of range; -ENODEV the
 * device was removed.
 */
int uldf_region_get_info(struct uldf_dev *dev, unsigned int index,
			 struct uldf_region_info *info);

/**
 * uldf_reset() - reset the function (ULDF_DEVICE_RESET).
 * @dev:	the handle.
 *
 * FLR, PM reset or a bus reset, whichever the function supports; config
 * space is saved and restored around it; interrupts and DMA mappings stay.
 *
 * Return: 0; -EINVAL NULL @dev; -ENOTTY the function has no reset method;
 * -EAGAIN a reset or an unbind is in progress, try again; -ENODEV removed.
 */
int uldf_reset(struct uldf_dev *dev);

/**
 * uldf_set_bus_master() - let the device master the bus, or stop it.
 * @dev:	the handle.
 * @enable:	1 to set Bus Master Enable in the command register, 0 to
 *		clear it.
 *
 * A device needs bus mastering for DMA and for MSI/MSI-X (an MSI is a
 * memory write by the device).  Opening the device turns it off, and so
 * does closing it.
 *
 * Return: 0; -EINVAL NULL @dev; -EPERM the module refused (no IOMMU and
 * no-IOMMU mode off: the device could reach all of memory); otherwise as
 * uldf_cfg_read().
 */
int uldf_set_bus_master(struct uldf_dev *dev, int enable);

/**
 * uldf_cfg_read() - read config space.
 * @dev:	the handle.
 * @off:	byte offset.
 * @buf:	out: the bytes.
 * @len:	byte count, 1 or more.
 *
 * The module virtualizes parts of config space (BARs, MSI and MSI-X
 * capabilities, the Interrupt Disable bit): reads see its view and writes
 * to protected bits are dropped.  uldf_cfg_write() writes @len bytes.
 *
 * Return: 0; -EINVAL a NULL argument, @len 0, or a range beyond config
 * space; -EIO a short transfer; -ENODEV removed.
 */
int uldf_cfg_read(struct uldf_dev *dev, uint32_t off, void *buf, size_t len);
int uldf_cfg_write(struct uldf_dev *dev, uint32_t off, const void *buf,
		   size_t len);

/**
 * uldf_cfg_read8() - read one config register.
 * @dev:	the handle.
 * @off:	byte offset, aligned to the width.
 * @val:	out: the value, converted from little-endian.
 *
 * uldf_cfg_read16(), uldf_cfg_read32() and uldf_cfg_read64() read wider
 * registers; uldf_cfg_write8() to uldf_cfg_write64() write them.
 *
 * Return: 0; -EINVAL a NULL argument or an unaligned @off; otherwise as
 * uldf_cfg_read().
 */
int uldf_cfg_read8(struct uldf_dev *dev, uint32_t off, uint8_t *val);
int uldf_cfg_read16(struct uldf_dev *dev, uint32_t off, uint16_t *val);
int uldf_cfg_read32(struct uldf_dev *dev, uint32_t off, uint32_t *val);
int uldf_cfg_read64(struct uldf_dev *dev, uint32_t off, uint64_t *val);
int uldf_cfg_write8(struct uldf_dev *dev, uint32_t off, uint8_t val);
int uldf_cfg_write16(struct uldf_dev *dev, uint32_t off, uint16_t val);
int uldf_cfg_write32(struct uldf_dev *dev, uint32_t off, uint32_t val);
int uldf_cfg_write64(struct uldf_dev *dev, uint32_t off, uint64_t val);

/**
 * uldf_bar_read() - read a BAR (or the ROM) through the device fd.
 * @dev:	the handle.
 * @bar:	ULDF_REGION_BAR0 to ULDF_REGION_BAR5, or ULDF_REGION_ROM.
 * @off:	byte offset in the BAR.
 * @buf:	out: the bytes.
 * @len:	byte count, 1 or more.
 *
 * One pread() (pwrite() for uldf_bar_write()) of the region; the module
 * splits it into accesses of the widest naturally aligned size.  This
 * works for I/O port BARs and needs no mapping, but costs a system call;
 * use uldf_bar_map() on hot paths.
 *
 * Return: 0; -EINVAL a NULL argument, @len 0, @bar out of range, or a
 * range beyond the BAR; -EIO a short transfer; -ENODEV removed.
 */
int uldf_bar_read(struct uldf_dev *dev, unsigned int bar, uint64_t off,
		  void *buf, size_t len);
int uldf_bar_write(struct uldf_dev *dev, unsigned int bar, uint64_t off,
		   const void *buf, size_t len);

/**
 * uldf_bar_read32() - read one register of a BAR through the device fd.
 * @dev:	the handle.
 * @bar:	ULDF_REGION_BAR0 to ULDF_REGION_BAR5, or ULDF_REGION_ROM.
 * @off:	byte offset, aligned to the width.
 * @val:	out: the value, converted from little-endian.
 *
 * uldf_bar_read8(), uldf_bar_read16() and uldf_bar_read64() read other
 * widths; uldf_bar_write8() to uldf_bar_write64() write.  Each is exactly
 * one device access of that width.
 *
 * Return: 0; -EINVAL a NULL argument or an unaligned @off; otherwise as
 * uldf_bar_read().
 */
int uldf_bar_read8(struct uldf_dev *dev, unsigned int bar, uint64_t off,
		   uint8_t *val);
int uldf_bar_read16(struct uldf_dev *dev, unsigned int bar, uint64_t off,
		    uint16_t *val);
int uldf_bar_read32(struct uldf_dev *dev, unsigned int bar, uint64_t off,
		    uint32_t *val);
int uldf_bar_read64(struct uldf_dev *dev, unsigned int bar, uint64_t off,
		    uint64_t *val);
int uldf_bar_write8(struct uldf_dev *dev, unsigned int bar, uint64_t off,
		    uint8_t val);
int uldf_bar_write16(struct uldf_dev *dev, unsigned int bar, uint64_t off,
		     uint16_t val);
int uldf_bar_write32(struct uldf_dev *dev, unsigned int bar, uint64_t off,
		     uint32_t val);
int uldf_bar_write64(struct uldf_dev *dev, unsigned int bar, uint64_t off,
		     uint64_t val);

/* uldf_bar_map() flags */
#define ULDF_BAR_MAP_WC		(1u << 0) /* write-combining (prefetchable BAR) */

/**
 * uldf_bar_map() - map a memory BAR into the process.
 * @dev:	the handle.
 * @bar:	ULDF_REGION_BAR0 to ULDF_REGION_BAR5.
 * @flags:	0, or ULDF_BAR_MAP_WC for a write-combining mapping of a
 *		prefetchable BAR.
 * @addrp:	out: the mapping's start, which corresponds to offset 0 of
 *		the BAR; access it with uldf_mmio_read32() and friends.
 * @sizep:	out, if not NULL: the BAR's size in bytes.
 *
 * The whole BAR is mapped at one address.  Pages the module does not let
 * user space map (the MSI-X table and PBA) are left inaccessible: touching
 * them raises SIGSEGV; use uldf_bar_read() there.  A BAR is mapped once
 * per handle: a second call returns the same mapping if @flags match.
 * After the device is removed, an access raises SIGBUS.
 *
 * Return: 0; -EINVAL a NULL argument, unknown @flags, @bar out of range,
 * or ULDF_BAR_MAP_WC on a BAR that is not prefetchable; -ENXIO the BAR is
 * not implemented, is an I/O port BAR, or has no mmap-able area; -EBUSY
 * already mapped with other @flags; -ENOMEM; -ENODEV removed.
 */
int uldf_bar_map(struct uldf_dev *dev, unsigned int bar, unsigned int flags,
		 void **addrp, size_t *sizep);

/**
 * uldf_bar_unmap() - undo uldf_bar_map().
 * @dev:	the handle.
 * @bar:	the BAR.
 *
 * Return: 0; -EINVAL NULL @dev or @bar out of range; -ENOENT not mapped.
 */
int uldf_bar_unmap(struct uldf_dev *dev, unsigned int bar);

#ifdef __cplusplus
}
#endif

#endif /* LIBULDF_DEVICE_H */
