// SPDX-License-Identifier: GPL-2.0
/*
 * uldf_pv DMA: the User-Mode Linux guest's RAM, mapped through the host
 * IOMMU at IOVA = guest physical.
 *
 * UML's DMA API is dma-direct with no offset: a driver's DMA address is
 * the guest-physical address of its buffer.  So if every page of guest RAM
 * is mapped in the device's host IOMMU domain at its guest-physical
 * address, unmodified drivers hand the device addresses that are right,
 * and the device can reach nothing else (anything outside faults in the
 * host IOMMU).
 *
 * Guest RAM is a shared mapping, in this host process, of a file in
 * TMPDIR; guest-physical address p is host address uml_physmem + p.  The
 * mapping of the file starts at uml_reserved, not at uml_physmem: below
 * it lie the kernel image's text, data and bss and its initial heap,
 * which are not in the file.  Those pages, UML's iomem regions (after the
 * end of RAM) and vmalloc space are not DMA-able; a driver that gave a
 * device the address of a static buffer would see the access fault on the
 * host instead of landing in the kernel image.  Drivers get DMA memory
 * from the page allocator, dma_alloc_coherent() and kmalloc(), all of
 * which come from the file.
 *
 * The range is found the way the host sees it: vmm-glue's backend reads
 * this process's /proc/self/maps on the host and gives the file mapping
 * that holds the last byte of guest RAM, extended back over adjacent
 * pieces of the same file (vg_uldf_find_mapping()).  It must lie in one
 * usable IOVA range of the device (vg_uldf_dma_check(): the host's IOMMU
 * reserves, e.g., the x86 MSI window at 0xfee00000), which bounds guest
 * RAM to a little under 4 GiB on x86.  The host pins it with
 * FOLL_LONGTERM, which works for tmpfs (shmem) files but not for files on
 * disk file systems: run UML with TMPDIR=/dev/shm (or another tmpfs).
 * Mapping it (vg_dma_add_ram()) goes down through vmm-glue to the host's
 * DMA mapping call, in pieces, letting the guest run in between: the whole
 * UML kernel waits in each host call, and under emulation a mapping of all
 * guest RAM in one call can outlast the guest's RCU stall timeout.  This
 * file makes no host call of its own.
 *
 * With several devices, the first maps guest RAM and each of the others
 * joins its DMA space on the host (vg_uldf_dma_join(), uldf's
 * ULDF_DMA_JOIN), so that RAM is pinned and charged to the host's
 * locked_vm once, not once per device; a device whose IOMMU cannot share
 * (another IOMMU, other reserved regions) maps it on its own.  The devices
 * leave in the reverse order, the first last.
 *
 * Pinning all of guest RAM is the price of having no hook: UML 6.12 has
 * no per-device DMA operations (ARCH_HAS_DMA_OPS), so nothing runs when a
 * driver maps a buffer.  vmm-glue also implements on-demand mapping
 * (VG_DMA_ON_DEMAND: granules mapped on first use, counted, cached idle up
 * to a budget, unmapped least recently used first); a guest with a DMA-map
 * hook (per-device dma_map_ops, or a paravirtual IOMMU's map requests)
 * would call vg_dma_get()/vg_dma_put() from it.  See
 * Documentation/hosted-guest.rst.
 */
#include <linux/kernel.h>
#include <as-layout.h>

#include "uldf_pv.h"

/**
 * pv_dma_dev_setup() - map all of guest RAM for one device.
 * @pv:	the device, open, with its vmm-glue state initialised.
 *
 * May sleep.
 *
 * Return: 0; -ENOENT or -EINVAL if guest RAM cannot be found in the host's
 * view of this process; -ENODEV if the host has no IOMMU for the device;
 * -ERANGE if guest RAM does not fit in one usable IOVA range; -ENOMEM; or
 * the host's error reading its view or mapping.
 */
int pv_dma_dev_setup(struct pv_dev *pv)
{
	struct pv_dev *owner = pv->slot ? pv_devs[0] : NULL;
	struct vg_range ram;
	u64 gpa, last;
	int ret;

	if (owner && !owner->dma_joined) {
		ret = vg_uldf_dma_join(&pv->u, &owner->u);
		if (!ret) {
			pv->dma_joined = true;
			pr_info("uldf_pv: %s: shares %s's DMA space (guest RAM mapped and pinned once)\n",
				pv->bdf, owner->bdf);
			return 0;
		}
		pr_info("uldf_pv: %s: cannot share %s's DMA space (%d); mapping guest RAM for it too\n",
			pv->bdf, owner->bdf, ret);
	}

	ret = vg_uldf_find_mapping(pv->u.host, high_physmem - 1, &ram, &gpa);
	/* The file offset is the guest-physical address. */
	if (!ret && (gpa != ram.start - uml_physmem ||
		     ram.start + ram.size != high_physmem))
		ret = -EINVAL;
	if (ret) {
		pr_err("uldf_pv: cannot find guest RAM in /proc/self/maps: %d\n",
		       ret);
		return ret;
	}
	last = gpa + ram.size - 1;
	ret = vg_uldf_dma_check(&pv->u, gpa, ram.size);
	if (ret) {
		pr_err("uldf_pv: %s: guest RAM %#llx-%#llx is not DMA-able on the host (%d); %s\n",
		       pv->bdf, gpa, last, ret,
		       ret == -ERANGE ? "give the guest less memory" :
		       "the host needs an IOMMU for the device");
		return ret;
	}
	ret = vg_dma_add_ram(&pv->u.vg, gpa, ram.start, ram.size);
	if (ret) {
		pr_err("uldf_pv: %s: mapping guest RAM for DMA failed: %d%s\n",
		       pv->bdf, ret, ret == -EFAULT || ret == -EOPNOTSUPP ?
		       " (is TMPDIR on tmpfs, e.g. /dev/shm?)" : "");
		return ret;
	}
	pr_info("uldf_pv: %s: guest RAM %#llx-%#llx mapped for DMA (IOVA = guest physical)\n",
		pv->bdf, gpa, last);
	return 0;
}
