/* SPDX-License-Identifier: MIT */
/*
 * libuldf: finding PCI devices and handing them to uldf.
 *
 * Enumeration uses libpciaccess and names come from the pci.ids database
 * it reads.  What libpciaccess does not know (the bound driver, the IOMMU
 * group and whether that group can be given to user space) comes from
 * sysfs.  A device is named by its BDF, "dddd:bb:dd.f" (domain, bus,
 * device, function, in hexadecimal); every function here also accepts the
 * short form "bb:dd.f" for domain 0.
 *
 * Every function returns 0 (or a count) on success and a negative errno
 * value on failure; none of them reports through errno, and errno keeps
 * the value it had before the call.
 */
#ifndef LIBULDF_PCI_H
#define LIBULDF_PCI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Length of a BDF string "dddd:bb:dd.f" with its terminating NUL. */
#define ULDF_BDF_LEN		13

/* Wildcard for uldf_pci_find_id(). */
#define ULDF_PCI_ANY		0xffffffffu

/**
 * struct uldf_pci_info - one PCI function, as found by uldf_pci_find_*().
 * @bdf:	"dddd:bb:dd.f".
 * @vendor:	vendor ID.
 * @device:	device ID.
 * @subsystem_vendor: subsystem vendor ID.
 * @subsystem_device: subsystem ID.
 * @class_code:	24-bit class code (base class, sub-class, programming
 *		interface), e.g. 0x010802 for an NVMe controller.
 * @revision:	revision ID.
 * @iommu_group: IOMMU group number, or -1 when the device has none.
 * @vendor_name: vendor name from pci.ids, or NULL if it is not listed.
 * @device_name: device name from pci.ids, or NULL if it is not listed.
 * @driver:	name of the bound driver, "" when none.
 *
 * Only libuldf allocates this structure; new fields are only ever added
 * at its end.  It lives as long as the list it came from.
 */
struct uldf_pci_info {
	char bdf[ULDF_BDF_LEN];
	uint16_t vendor;
	uint16_t device;
	uint16_t subsystem_vendor;
	uint16_t subsystem_device;
	uint32_t class_code;
	uint8_t revision;
	int iommu_group;
	const char *vendor_name;
	const char *device_name;
	const char *driver;
};

/**
 * uldf_pci_bdf_parse() - check a PCI address and write it in canonical form.
 * @in:		"dddd:bb:dd.f" or "bb:dd.f" (domain 0), hexadecimal, either
 *		case, as lspci and sysfs write them.
 * @out:	out: "dddd:bb:dd.f", lower case, NUL-terminated, at most
 *		ULDF_BDF_LEN bytes with the NUL; the name of the function's
 *		sysfs directory and of its /dev/uldf node.
 *
 * Every libuldf function that takes a BDF accepts both forms through this
 * parser.  Since LIBULDF_0.2.
 *
 * Return: 0; -EINVAL a NULL argument, a malformed @in, or a field out of
 * range (domain above 0xffff, bus above 0xff, device above 0x1f, function
 * above 7; PCI Local Bus spec 3.0, section 3.2.2.3.1).
 */
int uldf_pci_bdf_parse(const char *in, char out[ULDF_BDF_LEN]);

/* A list of found devices (opaque). */
struct uldf_pci_list;

/**
 * uldf_pci_find_bdf() - find the PCI function with a given address.
 * @bdf:	"dddd:bb:dd.f" or "bb:dd.f".
 * @listp:	out: a new list, to be freed with uldf_pci_list_free(), also
 *		when it is empty.
 *
 * uldf_pci_find_id() finds functions by vendor and device ID, either of
 * which may be ULDF_PCI_ANY (both: every function);
 * uldf_pci_find_class() finds those whose class code, masked with @mask,
 * equals @class_code (e.g. 0x010802 and 0xffffff for NVMe, 0x020000 and
 * 0xff0000 for every network controller).  Lists are in BDF order.
 *
 * The functions start and stop libpciaccess (pci_system_init() and
 * pci_system_cleanup()) around the scan, so they must not be called while
 * the program itself holds libpciaccess initialised.
 *
 * Return: the number of functions found (0 or 1 for a BDF), or -EINVAL a
 * malformed @bdf, a NULL @listp, @mask without @class_code's bits, or a
 * vendor or device ID above 0xffff that is not ULDF_PCI_ANY; -ENOMEM;
 * or the error of pci_system_init() (e.g. -ENOENT without sysfs).
 */
int uldf_pci_find_bdf(const char *bdf, struct uldf_pci_list **listp);
int uldf_pci_find_id(uint32_t vendor, uint32_t device,
		     struct uldf_pci_list **listp);
int uldf_pci_find_class(uint32_t class_code, uint32_t mask,
			struct uldf_pci_list **listp);

/**
 * uldf_pci_list_count() - number of functions in a list.
 * @list:	a list from uldf_pci_find_*(), or NULL.
 *
 * Return: the count; 0 for NULL.
 */
size_t uldf_pci_list_count(const struct uldf_pci_list *list);

/**
 * uldf_pci_list_get() - one function of a list.
 * @list:	a list from uldf_pci_find_*().
 * @i:		index, below uldf_pci_list_count().
 *
 * Return: the function's description, valid until the list is freed; NULL
 * when @list is NULL or @i is out of range.
 */
const struct uldf_pci_info *uldf_pci_list_get(const struct uldf_pci_list *list,
					      size_t i);

/**
 * uldf_pci_list_free() - free a list and every description in it.
 * @list:	the list, or NULL.
 */
void uldf_pci_list_free(struct uldf_pci_list *list);

/**
 * uldf_pci_driver() - name of the driver a function is bound to.
 * @bdf:	the function.
 * @buf:	out: the name, "" when unbound.
 * @len:	size of @buf.
 *
 * Return: 0; -EINVAL malformed @bdf, NULL @buf or @len 0; -ENODEV no such
 * function; -ENAMETOOLONG the name does not fit in @buf.
 */
int uldf_pci_driver(const char *bdf, char *buf, size_t len);

/**
 * uldf_pci_iommu_group() - IOMMU group of a function.
 * @bdf:	the function.
 *
 * Return: the group number (0 or more); -ENOENT the function is in no
 * IOMMU group (no IOMMU, or it is disabled); -EINVAL malformed @bdf;
 * -ENODEV no such function.
 */
int uldf_pci_iommu_group(const char *bdf);

/**
 * uldf_pci_group_viable() - whether a function's IOMMU group can be given
 * to uldf.
 * @bdf:	the function.
 * @blocker:	out, if not NULL: when the group is not viable, the first
 *		device that blocks it and its driver, "dddd:bb:dd.f (driver)".
 * @len:	size of @blocker.
 *
 * A group is viable when every other device in it is unbound, bound to
 * uldf or pci-stub, or is a PCI bridge (class 0x0604, which includes PCIe
 * ports); a device bound to any other driver might DMA with the kernel's
 * mappings, which uldf would take away.  @bdf itself may be bound to
 * anything: binding unbinds it first.  A function without an IOMMU group
 * is viable (uldf then allows DMA only in its opt-in no-IOMMU mode).
 *
 * Return: 1 viable, 0 not viable; -EINVAL malformed @bdf; -ENODEV no such
 * function; another -errno if sysfs cannot be read.
 */
int uldf_pci_group_viable(const char *bdf, char *blocker, size_t len);

/**
 * uldf_pci_bind() - give a function to uldf.
 * @bdf:	the function.
 * @flags:	0 (reserved).
 *
 * Records the driver the function is bound to (in /run/uldf/), unbinds it,
 * sets driver_override to "uldf" and asks the PCI core to probe, so that
 * /dev/uldf/<bdf> appears.  A function already bound to uldf is left as
 * it is.  If uldf does not take the function, the previous driver is
 * restored.  Needs root (write access to sysfs).
 *
 * Return: 0; -EINVAL malformed @bdf or @flags not 0; -ENODEV no such
 * function; -ENOENT the uldf driver is not registered (uldf.ko is not
 * loaded); -EBUSY the IOMMU group is not viable (see
 * uldf_pci_group_viable()); -EIO uldf refused the function (the kernel
 * log says why); -EACCES or -EPERM not allowed to write sysfs; another
 * -errno from sysfs.
 */
int uldf_pci_bind(const char *bdf, unsigned int flags);

/**
 * uldf_pci_unbind() - take a function back from uldf.
 * @bdf:	the function.
 * @flags:	0 (reserved).
 *
 * Unbinds the function from uldf, restores its driver_override and binds
 * it again to the driver recorded by uldf_pci_bind(), if there was one.
 * An open /dev/uldf/<bdf> is revoked by the kernel (after giving its user
 * uldf.release_timeout_ms to close it).  An unbound function gets its
 * binding restored if uldf_pci_bind() recorded one or its driver_override
 * is still "uldf", and is left alone otherwise.
 *
 * Return: 0; -EINVAL malformed @bdf or @flags not 0; -ENODEV no such
 * function; -ENXIO the function is bound to another driver than uldf;
 * -EIO the previous driver did not take the function back (it is left
 * unbound); -EACCES or -EPERM not allowed to write sysfs; another -errno
 * from sysfs.
 */
int uldf_pci_unbind(const char *bdf, unsigned int flags);

#ifdef __cplusplus
}
#endif

#endif /* LIBULDF_PCI_H */
