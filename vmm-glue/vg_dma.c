// SPDX-License-Identifier: GPL-2.0
/*
 * vmm-glue DMA: guest RAM in the device's IOVA space.
 *
 * The device is given guest-physical addresses by the guest's unmodified
 * drivers, so guest RAM is mapped through the host IOMMU at IOVA = guest
 * physical.  The VMM registers each slot of guest RAM (guest-physical
 * start, host virtual address, size) with vg_dma_add_ram().
 *
 * Whole mapping (the default): a slot is mapped, and so pinned, entirely
 * when it is registered.  Nothing happens per I/O; vg_dma_get() only
 * checks that a range is RAM.  This is what the User-Mode Linux guest
 * uses: it has no hook on its DMA API to call per I/O.
 *
 * On demand (VG_DMA_ON_DEMAND): a slot is cut into granules (2 MiB by
 * default) and nothing is mapped at registration.  The VMM calls
 * vg_dma_get() for each buffer the guest hands the device (its DMA-map
 * hook, or a paravirtual IOMMU's map request) and vg_dma_put() when the
 * guest is done with it.  A granule is mapped on its first use and counted;
 * when no use is left it stays mapped, idle, as a cache, until the idle
 * granules exceed the budget; then the least recently released are
 * unmapped (and unpinned) first.  The device can only reach granules that
 * are mapped, so memory is pinned only while (and shortly after) it is
 * used for DMA.  The eviction scan is linear in the number of granules,
 * which is small (128 for 256 MiB of RAM at 2 MiB).
 */
#include "vg.h"

#define VG_PAGE_SIZE		4096ULL
#define VG_DEFAULT_GRANULE	(2ULL << 20)

/**
 * vg_dma_init() - DMA state at vg_dev_init().
 * @d:		the device.
 * @desc:	its description (flags, granule, budget).
 *
 * Return: 0, or -EINVAL for a granule that is not a power of two of at
 * least a page.
 */
int vg_dma_init(struct vg_dev *d, const struct vg_dev_desc *desc)
{
	u64 g = desc->dma_granule ? desc->dma_granule : VG_DEFAULT_GRANULE;

	if (!(desc->flags & VG_DMA_ON_DEMAND))
		return 0;
	if (g < VG_PAGE_SIZE || (g & (g - 1)))
		return -EINVAL;
	d->dma.granule = g;
	d->dma.budget = desc->dma_budget;
	return 0;
}

static int vg_slot_of(const struct vg_dev *d, u64 gpa)
{
	unsigned int i;

	for (i = 0; i < d->dma.nr_ram; i++)
		if (gpa >= d->dma.ram[i].start &&
		    gpa - d->dma.ram[i].start < d->dma.ram[i].size)
			return i;
	return -1;
}

static u64 vg_nr_granules(const struct vg_dev *d, unsigned int s)
{
	return DIV_ROUND_UP(d->dma.ram[s].size, d->dma.granule);
}

static u64 vg_granule_len(const struct vg_dev *d, unsigned int s, u64 i)
{
	return min(d->dma.granule, d->dma.ram[s].size - i * d->dma.granule);
}

static int vg_slot_alloc(struct vg_dev *d, unsigned int s)
{
	u64 i, n = vg_nr_granules(d, s);

	d->dma.refs[s] = vg_zalloc(n * sizeof(*d->dma.refs[s]));
	d->dma.lru[s] = vg_zalloc(n * sizeof(*d->dma.lru[s]));
	if (!d->dma.refs[s] || !d->dma.lru[s]) {
		vg_free(d->dma.refs[s]);
		vg_free(d->dma.lru[s]);
		d->dma.refs[s] = NULL;
		d->dma.lru[s] = NULL;
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		d->dma.refs[s][i] = -1;
	return 0;
}

/**
 * vg_dma_add_ram() - register a slot of guest RAM for DMA.
 * @d:		the device.
 * @gpa:	guest-physical start, which is also the IOVA.
 * @hva:	host virtual address of the slot.
 * @size:	bytes.
 *
 * Whole mapping: maps the slot now.  On demand: maps nothing yet.  May
 * sleep.
 *
 * Return: 0; -EINVAL for a range that is empty, wraps or is not
 * page-aligned; -EEXIST if it overlaps a registered slot; -ENOSPC if
 * VG_MAX_RAM slots are registered; -ENOMEM; or the host's error.
 */
int vg_dma_add_ram(struct vg_dev *d, u64 gpa, u64 hva, u64 size)
{
	unsigned int s = d->dma.nr_ram, i;
	int ret;

	if (!size || ((gpa | hva | size) & (VG_PAGE_SIZE - 1)) ||
	    gpa + size < gpa)
		return -EINVAL;
	if (s == VG_MAX_RAM)
		return -ENOSPC;
	for (i = 0; i < s; i++) {
		const struct vg_range *r = &d->dma.ram[i];

		if (gpa < r->start + r->size && gpa + size > r->start)
			return -EEXIST;
	}

	d->dma.ram[s].start = gpa;
	d->dma.ram[s].size = size;
	d->dma.ram_hva[s] = hva;
	if (d->dma.granule) {
		ret = vg_slot_alloc(d, s);
	} else {
		ret = d->ops->dma_map(d->host, gpa, hva, size);
		if (!ret)
			d->dma.mapped += size;
	}
	if (ret)
		return ret;
	d->dma.nr_ram++;
	return 0;
}

static int vg_granule_map(struct vg_dev *d, unsigned int s, u64 i)
{
	u64 off = i * d->dma.granule;

	return d->ops->dma_map(d->host, d->dma.ram[s].start + off,
			       d->dma.ram_hva[s] + off, vg_granule_len(d, s, i));
}

static int vg_granule_unmap(struct vg_dev *d, unsigned int s, u64 i)
{
	return d->ops->dma_unmap(d->host,
				 d->dma.ram[s].start + i * d->dma.granule,
				 vg_granule_len(d, s, i));
}

/**
 * vg_dma_remove_all() - unmap and forget every slot.
 * @d:	the device.  May sleep.
 */
void vg_dma_remove_all(struct vg_dev *d)
{
	unsigned int s;
	u64 i;

	for (s = 0; s < d->dma.nr_ram; s++) {
		if (!d->dma.granule) {
			d->ops->dma_unmap(d->host, d->dma.ram[s].start,
					  d->dma.ram[s].size);
			continue;
		}
		for (i = 0; i < vg_nr_granules(d, s); i++)
			if (d->dma.refs[s][i] >= 0)
				vg_granule_unmap(d, s, i);
		vg_free(d->dma.refs[s]);
		vg_free(d->dma.lru[s]);
		d->dma.refs[s] = NULL;
		d->dma.lru[s] = NULL;
	}
	d->dma.nr_ram = 0;
	d->dma.mapped = 0;
	d->dma.idle = 0;
}

/* Unmap idle granules, least recently released first, down to the budget. */
static void vg_dma_evict(struct vg_dev *d)
{
	while (d->dma.idle > d->dma.budget) {
		unsigned int s, best_s = 0;
		u64 i, best_i = 0, best = ~0ULL;

		for (s = 0; s < d->dma.nr_ram; s++)
			for (i = 0; i < vg_nr_granules(d, s); i++)
				if (!d->dma.refs[s][i] && d->dma.lru[s][i] < best) {
					best = d->dma.lru[s][i];
					best_s = s;
					best_i = i;
				}
		if (best == ~0ULL || vg_granule_unmap(d, best_s, best_i))
			return;
		d->dma.refs[best_s][best_i] = -1;
		d->dma.idle -= vg_granule_len(d, best_s, best_i);
		d->dma.mapped -= vg_granule_len(d, best_s, best_i);
	}
}

/*
 * Call @fn on each (slot, granule) that [@gpa, @gpa + @size) touches, or,
 * in whole mode, only check that it is all RAM.  Stops at the first error;
 * *@done says how many bytes were covered before it.
 */
static int vg_dma_walk(struct vg_dev *d, u64 gpa, u64 size, u64 *done,
		       int (*fn)(struct vg_dev *d, unsigned int s, u64 i))
{
	u64 pos = gpa, end = gpa + size;
	int ret;

	*done = 0;
	if (!size || end < gpa)
		return -EINVAL;
	while (pos < end) {
		int s = vg_slot_of(d, pos);
		const struct vg_range *r;
		u64 i, next;

		if (s < 0)
			return -ENOENT;
		r = &d->dma.ram[s];
		if (!d->dma.granule) {
			next = r->start + r->size;
		} else {
			i = (pos - r->start) / d->dma.granule;
			next = min(r->start + (i + 1) * d->dma.granule,
				   r->start + r->size);
			ret = fn(d, s, i);
			if (ret)
				return ret;
		}
		pos = next;
		*done = min(pos, end) - gpa;
	}
	return 0;
}

static int vg_granule_get(struct vg_dev *d, unsigned int s, u64 i)
{
	int *r = &d->dma.refs[s][i];
	int ret;

	if (*r < 0) {
		ret = vg_granule_map(d, s, i);
		if (ret)
			return ret;
		*r = 0;
		d->dma.mapped += vg_granule_len(d, s, i);
	} else if (!*r) {
		d->dma.idle -= vg_granule_len(d, s, i);
	}
	(*r)++;
	return 0;
}

static int vg_granule_put(struct vg_dev *d, unsigned int s, u64 i)
{
	int *r = &d->dma.refs[s][i];

	if (*r <= 0)
		return 0;	/* unbalanced put: ignored */
	if (!--*r) {
		d->dma.lru[s][i] = ++d->dma.clock;
		d->dma.idle += vg_granule_len(d, s, i);
	}
	return 0;
}

/**
 * vg_dma_put() - the guest no longer lets the device use a range.
 * @d:		the device.
 * @gpa:	guest-physical start.
 * @size:	bytes.
 *
 * On demand: releases the granules a vg_dma_get() of the same range took,
 * then unmaps idle granules beyond the budget.  Whole mapping: nothing.
 * May sleep.
 */
void vg_dma_put(struct vg_dev *d, u64 gpa, u64 size)
{
	u64 done;

	if (!d->dma.granule)
		return;
	vg_dma_walk(d, gpa, size, &done, vg_granule_put);
	vg_dma_evict(d);
}

/**
 * vg_dma_get() - the guest lets the device use a range of its RAM.
 * @d:		the device.
 * @gpa:	guest-physical start (the IOVA the device will be given).
 * @size:	bytes.
 *
 * On demand: maps the granules the range touches that are not mapped yet
 * and counts a use of each.  Whole mapping: only checks.  May sleep.
 *
 * Return: 0; -EINVAL for an empty or wrapping range; -ENOENT if part of it
 * is not registered RAM; or the host's error (nothing stays taken then).
 */
int vg_dma_get(struct vg_dev *d, u64 gpa, u64 size)
{
	u64 done;
	int ret;

	ret = vg_dma_walk(d, gpa, size, &done, vg_granule_get);
	if (ret && done && d->dma.granule)
		vg_dma_put(d, gpa, done);
	return ret;
}
