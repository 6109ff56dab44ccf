// SPDX-License-Identifier: MIT
/*
 * libuldf: finding PCI functions.
 *
 * libpciaccess does the scan (its Linux back end reads sysfs) and looks
 * names up in pci.ids.  Its state is global and not reference-counted, so
 * each search initialises it, copies what it found into a list that
 * libuldf owns, and cleans it up again; the caller never sees a
 * libpciaccess object.  The three public searches are one core helper
 * with a slot match or an ID match.
 */
#include <errno.h>
#include <pciaccess.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct uldf_pci_list {
	size_t count;
	struct uldf_pci_info *items;
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void info_release(struct uldf_pci_info *info)
{
	free((char *)info->vendor_name);
	free((char *)info->device_name);
	free((char *)info->driver);
}

static int info_fill(struct pci_device *pd, struct uldf_pci_info *info)
{
	const char *vname, *dname;
	char drv[64];
	int group;

	memset(info, 0, sizeof(*info));
	snprintf(info->bdf, sizeof(info->bdf), "%04x:%02x:%02x.%x",
		 pd->domain & 0xffff, pd->bus, pd->dev & 0x1f, pd->func & 7);
	info->vendor = pd->vendor_id;
	info->device = pd->device_id;
	info->subsystem_vendor = pd->subvendor_id;
	info->subsystem_device = pd->subdevice_id;
	info->class_code = pd->device_class & 0xffffff;
	info->revision = pd->revision;
	group = uldfi_pci_iommu_group(info->bdf);
	info->iommu_group = group >= 0 ? group : -1;
	if (uldfi_pci_driver(info->bdf, drv, sizeof(drv)))
		drv[0] = '\0';

	vname = pci_device_get_vendor_name(pd);
	dname = pci_device_get_device_name(pd);
	info->vendor_name = dup_or_null(vname);
	info->device_name = dup_or_null(dname);
	info->driver = strdup(drv);
	if ((vname && !info->vendor_name) || (dname && !info->device_name) ||
	    !info->driver) {
		info_release(info);
		return -ENOMEM;
	}
	return 0;
}

static int list_append(struct uldf_pci_list *list, struct pci_device *pd)
{
	struct uldf_pci_info *items;
	int ret;

	items = realloc(list->items, (list->count + 1) * sizeof(*items));
	if (!items)
		return -ENOMEM;
	list->items = items;
	ret = info_fill(pd, &items[list->count]);
	if (ret)
		return ret;
	list->count++;
	return 0;
}

static int cmp_bdf(const void *a, const void *b)
{
	const struct uldf_pci_info *x = a, *y = b;

	return strcmp(x->bdf, y->bdf);
}

/* Collect what @iter yields into a new list. */
static int collect(struct pci_device_iterator *iter,
		   struct uldf_pci_list **listp)
{
	struct uldf_pci_list *list;
	struct pci_device *pd;
	int ret = 0;

	list = calloc(1, sizeof(*list));
	if (!list)
		return -ENOMEM;
	while (!ret && (pd = pci_device_next(iter)))
		ret = list_append(list, pd);
	if (ret) {
		uldf_pci_list_free(list);
		return ret;
	}
	if (list->count)
		qsort(list->items, list->count, sizeof(*list->items), cmp_bdf);
	*listp = list;
	return (int)list->count;
}

/* The core search: by slot if @slot is given, else by @id. */
static int find(const struct pci_slot_match *slot,
		const struct pci_id_match *id, struct uldf_pci_list **listp)
{
	struct pci_device_iterator *iter;
	int ret;

	if (!listp)
		return -EINVAL;
	*listp = NULL;
	ret = pci_system_init();
	if (ret)
		return ret > 0 ? -ret : -EIO;
	iter = slot ? pci_slot_match_iterator_create(slot) :
		      pci_id_match_iterator_create(id);
	if (!iter) {
		pci_system_cleanup();
		return -ENOMEM;
	}
	ret = collect(iter, listp);
	pci_iterator_destroy(iter);
	pci_system_cleanup();
	return ret;
}

int uldf_pci_find_bdf(const char *bdf, struct uldf_pci_list **listp)
{
	ULDFI_KEEP_ERRNO();
	struct pci_slot_match slot = { 0 };
	char canon[ULDF_BDF_LEN];
	unsigned int d, b, s, f;

	if (uldf_pci_bdf_parse(bdf, canon) ||
	    sscanf(canon, "%x:%x:%x.%x", &d, &b, &s, &f) != 4)
		return -EINVAL;
	slot.domain = d;
	slot.bus = b;
	slot.dev = s;
	slot.func = f;
	return find(&slot, NULL, listp);
}

int uldf_pci_find_id(uint32_t vendor, uint32_t device,
		     struct uldf_pci_list **listp)
{
	ULDFI_KEEP_ERRNO();
	struct pci_id_match id = {
		.vendor_id = vendor,
		.device_id = device,
		.subvendor_id = PCI_MATCH_ANY,
		.subdevice_id = PCI_MATCH_ANY,
	};

	if ((vendor > 0xffff && vendor != ULDF_PCI_ANY) ||
	    (device > 0xffff && device != ULDF_PCI_ANY))
		return -EINVAL;
	return find(NULL, &id, listp);
}

int uldf_pci_find_class(uint32_t class_code, uint32_t mask,
			struct uldf_pci_list **listp)
{
	ULDFI_KEEP_ERRNO();
	struct pci_id_match id = {
		.vendor_id = PCI_MATCH_ANY,
		.device_id = PCI_MATCH_ANY,
		.subvendor_id = PCI_MATCH_ANY,
		.subdevice_id = PCI_MATCH_ANY,
		.device_class = class_code,
		.device_class_mask = mask,
	};

	if (class_code > 0xffffff || mask > 0xffffff || (class_code & ~mask))
		return -EINVAL;
	return find(NULL, &id, listp);
}

size_t uldf_pci_list_count(const struct uldf_pci_list *list)
{
	return list ? list->count : 0;
}

const struct uldf_pci_info *uldf_pci_list_get(const struct uldf_pci_list *list,
					      size_t i)
{
	if (!list || i >= list->count)
		return NULL;
	return &list->items[i];
}

void uldf_pci_list_free(struct uldf_pci_list *list)
{
	ULDFI_KEEP_ERRNO();
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->count; i++)
		info_release(&list->items[i]);
	free(list->items);
	free(list);
}
