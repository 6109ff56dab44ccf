/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * uldf: user-level driver framework - the user-space API.
 *
 * A PCI device bound to the uldf driver appears as /dev/uldf/<BDF> (for
 * example /dev/uldf/0000:00:03.0), mode 0600, which one file at a time may
 * hold open (a second open() fails with EBUSY; ENODEV while the device is
 * being removed, or in the moment between the node's creation and the end
 * of the bind, when DMA ownership is taken; EPERM when the IOMMU does not
 * isolate MSI, i.e. without interrupt remapping, since a device that can
 * master the bus could write the MSI doorbell and forge any interrupt,
 * unless uldf.allow_unsafe_interrupts=1; EPERM too in no-IOMMU mode, for
 * a device without an IOMMU group, when the caller lacks CAP_SYS_RAWIO).
 * The open file is the *device fd*; through it a process reaches the
 * device's config space and BARs with pread()/pwrite()/mmap(), opens
 * interrupts as *IRQ fds* and maps its memory for the device's DMA through
 * the IOMMU.
 *
 * Conventions (those of <linux/vfio.h>):
 *  - every ioctl argument begins with @argsz (the size the caller passes,
 *    so structures may grow at their end) and @flags (unknown flags are
 *    EINVAL so that they can be given meaning later);
 *  - 64-bit fields are __aligned_u64 and padding is explicit and must be 0;
 *  - an argsz below the size of the structure as first published is
 *    EINVAL; a bad user pointer is EFAULT.
 *
 * The ioctl type 0xB9 is not used by any other kernel interface
 * (Documentation/userspace-api/ioctl/ioctl-number.rst).
 */
#ifndef _UAPI_LINUX_ULDF_H
#define _UAPI_LINUX_ULDF_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define ULDF_API_VERSION	1

#define ULDF_TYPE		0xB9
#define ULDF_BASE		0x00

/*
 * Regions of the device fd.  pread(), pwrite() and mmap() reach region @i at
 * file offset ULDF_REGION_OFFSET(i); the region's own offset is the low 40
 * bits.  BARs are regions 0 to 5, the expansion ROM region 6 and config
 * space region 7.
 */
enum {
	ULDF_REGION_BAR0,
	ULDF_REGION_BAR1,
	ULDF_REGION_BAR2,
	ULDF_REGION_BAR3,
	ULDF_REGION_BAR4,
	ULDF_REGION_BAR5,
	ULDF_REGION_ROM,
	ULDF_REGION_CONFIG,
	ULDF_NUM_REGIONS,
};

#define ULDF_REGION_SHIFT	40
#define ULDF_REGION_OFFSET(i)	((__u64)(i) << ULDF_REGION_SHIFT)
#define ULDF_REGION_MASK	((1ULL << ULDF_REGION_SHIFT) - 1)

/* Interrupt types, for ULDF_DEVICE_IRQ_OPEN and struct uldf_device_info. */
enum {
	ULDF_IRQ_TYPE_INTX,
	ULDF_IRQ_TYPE_MSI,
	ULDF_IRQ_TYPE_MSIX,
	ULDF_IRQ_TYPE_ERR,	/* AER error_detected notifications */
	ULDF_IRQ_TYPE_REQ,	/* the kernel asks for the device back */
	ULDF_NUM_IRQ_TYPES,
};

/* ---------------------------------------------------------------------- */
/* Device fd ioctls                                                        */
/* ---------------------------------------------------------------------- */

/**
 * ULDF_DEVICE_GET_INFO - _IOWR(ULDF_TYPE, ULDF_BASE + 0, struct uldf_device_info)
 *
 * Identify the device and say what it offers.
 *
 * @argsz:	in: sizeof(struct uldf_device_info) or more; out: the size
 *		the kernel filled in.
 * @flags:	out: ULDF_DEVICE_FLAGS_*.
 * @api_version:	out: ULDF_API_VERSION of the running module.
 * @vendor, @device, @subsystem_vendor, @subsystem_device: out: IDs.
 * @class_code:	out: the 24-bit class code (base, sub-class, prog-if).
 * @revision:	out: revision ID.
 * @header_type: out: config header type, without the multi-function bit.
 * @num_regions: out: ULDF_NUM_REGIONS.
 * @num_irqs:	out: vectors per ULDF_IRQ_TYPE_*: INTx 0 or 1, MSI 0 to 32,
 *		MSI-X 0 to 2048, ERR and REQ 1.
 * @iommu_group: out: the IOMMU group number, or -1 when the device has none.
 * @config_size: out: bytes of config space (256 or 4096).
 *
 * Return: 0.
 * Errors: EFAULT bad pointer; EINVAL @argsz too small or @flags not 0 on
 * input; ENODEV the device was removed.
 */
struct uldf_device_info {
	__u32 argsz;
	__u32 flags;
#define ULDF_DEVICE_FLAGS_RESET		(1 << 0) /* ULDF_DEVICE_RESET works */
#define ULDF_DEVICE_FLAGS_IOMMU		(1 << 1) /* DMA is IOMMU-translated */
#define ULDF_DEVICE_FLAGS_NOIOMMU	(1 << 2) /* no IOMMU; physical DMA */
#define ULDF_DEVICE_FLAGS_PCIE		(1 << 3) /* PCI Express function */
	__u32 api_version;
	__u16 vendor;
	__u16 device;
	__u16 subsystem_vendor;
	__u16 subsystem_device;
	__u32 class_code;
	__u8  revision;
	__u8  header_type;
	__u16 num_regions;
	__u32 num_irqs[ULDF_NUM_IRQ_TYPES];
	__s32 iommu_group;
	__u32 config_size;
};

#define ULDF_DEVICE_GET_INFO	_IOWR(ULDF_TYPE, ULDF_BASE + 0, struct uldf_device_info)

/**
 * ULDF_DEVICE_GET_REGION_INFO - _IOWR(ULDF_TYPE, ULDF_BASE + 1, struct uldf_region_info)
 *
 * Describe region @index (a BAR, the ROM or config space).
 *
 * @argsz:	in/out as for ULDF_DEVICE_GET_INFO.
 * @flags:	out: ULDF_REGION_FLAG_*; 0 for an unimplemented BAR.
 * @index:	in: ULDF_REGION_*.
 * @nr_areas:	out: how many entries of @areas are valid.
 * @size:	out: bytes; 0 for an unimplemented BAR.
 * @offset:	out: file offset of the region, ULDF_REGION_OFFSET(@index).
 * @areas:	out: for a mmap-able region, the sub-ranges (offset within
 *		the region, size; page-aligned) that mmap() accepts.  A BAR
 *		holding the MSI-X table or PBA has those pages cut out, so it
 *		can have up to three areas.
 *
 * The second half of a 64-bit BAR is reported with size 0 and flags 0.
 * pread()/pwrite() work on every region with READ/WRITE set; mmap() only
 * within @areas, and only for memory BARs.
 *
 * Return: 0.
 * Errors: EFAULT; EINVAL @argsz too small, @flags not 0 on input, @index out
 * of range; ENODEV removed.
 */
struct uldf_region_area {
	__aligned_u64 offset;
	__aligned_u64 size;
};

#define ULDF_REGION_MAX_AREAS	3

struct uldf_region_info {
	__u32 argsz;
	__u32 flags;
#define ULDF_REGION_FLAG_READ		(1 << 0)
#define ULDF_REGION_FLAG_WRITE		(1 << 1)
#define ULDF_REGION_FLAG_MMAP		(1 << 2) /* some of it can be mmap()ed */
#define ULDF_REGION_FLAG_IO		(1 << 3) /* I/O port BAR */
#define ULDF_REGION_FLAG_MEM64		(1 << 4) /* 64-bit memory BAR */
#define ULDF_REGION_FLAG_PREFETCH	(1 << 5) /* prefetchable memory BAR */
#define ULDF_REGION_FLAG_MSIX		(1 << 6) /* holds MSI-X table or PBA */
	__u32 index;
	__u32 nr_areas;
	__aligned_u64 size;
	__aligned_u64 offset;
	struct uldf_region_area areas[ULDF_REGION_MAX_AREAS];
};

#define ULDF_DEVICE_GET_REGION_INFO _IOWR(ULDF_TYPE, ULDF_BASE + 1, struct uldf_region_info)

/*
 * mmap() of a memory BAR: the offset is ULDF_REGION_OFFSET(bar) plus a
 * page-aligned offset inside one of the region's areas; the mapping is
 * uncached.  For a prefetchable BAR, write-combining is asked for by adding
 * ULDF_MMAP_WC to the offset.  A mapping that reaches past an area, or asks
 * for WC on a BAR that is not prefetchable, is EINVAL.  Once the device is
 * removed (unbind, surprise removal) every mapping is revoked: an access
 * raises SIGBUS and a new mmap() fails with ENODEV.
 */
#define ULDF_MMAP_WC		(1ULL << 39)

/**
 * ULDF_DEVICE_RESET - _IO(ULDF_TYPE, ULDF_BASE + 2)
 *
 * Reset the function with pci_try_reset_function() (FLR, PM, or a bus reset
 * when the device is alone on its bus), saving and restoring config space
 * around it.  Interrupts enabled through IRQ fds stay enabled; the IOMMU
 * mappings stay.
 *
 * Return: 0.
 * Errors: ENOTTY the device has no reset method
 * (ULDF_DEVICE_FLAGS_RESET clear); EAGAIN another reset or a config access
 * lock is in progress, try again; ENODEV removed.
 */
#define ULDF_DEVICE_RESET	_IO(ULDF_TYPE, ULDF_BASE + 2)

/**
 * ULDF_DEVICE_IRQ_OPEN - _IOWR(ULDF_TYPE, ULDF_BASE + 3, struct uldf_irq_open)
 *
 * Enable @count vectors of @type, starting at @index, and return one IRQ fd
 * per vector in @fds.  Closing an IRQ fd disables its vector; closing the
 * device fd disables every vector (the IRQ fds then fail with ENODEV).
 *
 * @argsz:	in: at least sizeof(struct uldf_irq_open) + 4 * @count.
 * @flags:	in: ULDF_IRQ_OPEN_* (UNMASK_ON_READ: INTx only).
 * @type:	in: ULDF_IRQ_TYPE_*.
 * @index:	in: first vector.
 * @count:	in: number of vectors, at least 1.
 * @fds:	out: the new file descriptors (O_CLOEXEC), @count of them.
 *
 * INTx, MSI and MSI-X exclude one another: a device uses one mechanism at a
 * time (PCI Local Bus 3.0, 6.8; MSI-X ECN).  MSI vectors are enabled as a
 * block: the first open of MSI enables index + count vectors, and a later
 * open may only name vectors inside that block.  MSI-X vectors are added
 * one by one where the kernel can allocate them dynamically; otherwise the
 * first open fixes the block as for MSI.  ERR and REQ have one vector,
 * index 0, and may be opened along with any mechanism.  An MSI or MSI-X
 * message is a memory write by the device: it is delivered only while Bus
 * Master Enable (command register bit 2) is set, which the user does through
 * config space.
 *
 * Return: 0, with @fds filled in.
 * Errors: EINVAL unknown @type or @flags, UNMASK_ON_READ on a type other
 * than INTx, @count 0, @pad not 0, @argsz too small; ERANGE @index +
 * @count beyond the type's num_irqs; EBUSY a vector is already open,
 * another mechanism is in use, the MSI/MSI-X block cannot grow while
 * vectors are open, or an INTx line that must be exclusive (no working
 * Interrupt Disable bit) is held by another driver; ENOSPC no interrupt
 * vectors left; EMFILE out of file descriptors; ENODEV removed.  (Interrupt
 * isolation is checked at the open of the device, not here.)
 */
struct uldf_irq_open {
	__u32 argsz;
	__u32 flags;
#define ULDF_IRQ_OPEN_NONBLOCK		(1 << 0) /* O_NONBLOCK on the fds */
#define ULDF_IRQ_OPEN_UNMASK_ON_READ	(1 << 1) /* INTx: read() EOIs first */
	__u32 type;
	__u32 index;
	__u32 count;
	__u32 pad;
	__s32 fds[];
};

#define ULDF_DEVICE_IRQ_OPEN	_IOWR(ULDF_TYPE, ULDF_BASE + 3, struct uldf_irq_open)

/**
 * ULDF_DMA_GET_INFO - _IOWR(ULDF_TYPE, ULDF_BASE + 4, struct uldf_dma_info)
 *
 * Describe the device's DMA address space.
 *
 * @argsz:	in: sizeof(struct uldf_dma_info) + 16 * room in @ranges;
 *		out: the size needed for every range (call again with it if
 *		it grew).
 * @flags:	out: ULDF_DMA_INFO_*.
 * @pgsize_bitmap: out: IOMMU page sizes the domain supports (bit n set:
 *		2^n bytes); in no-IOMMU mode, the CPU page size.
 * @nr_ranges:	out: number of usable IOVA ranges (also when larger than the
 *		room given; only the room is filled).
 * @ranges:	out: inclusive [start, last] IOVA ranges a mapping may use:
 *		the domain's aperture minus reserved regions (the MSI window,
 *		RMRRs).  None in no-IOMMU mode, where the IOVA is not chosen.
 *
 * ULDF_DMA_INFO_COHERENT: the IOMMU enforces cache coherency for the
 * domain: it snoops the CPU caches on every DMA, No Snoop attribute or
 * not.  Only then does the Enable No Snoop bit of the PCI Express Device
 * Control register, written through the config region, reach the device;
 * without it the bit is virtual and the device keeps No Snoop off.
 *
 * ULDF_DMA_INFO_SHARED: the space has other members now: this device
 * joined another's space, or another device joined this one's
 * (ULDF_DMA_JOIN), and not all of the others have left.  The ranges are
 * those usable by every device that ever was a member (ULDF_DMA_JOIN).
 *
 * A device that cannot do DMA (no IOMMU, and no-IOMMU mode off), or whose
 * DMA is blocked after a failed ULDF_DMA_JOIN (see there), reports
 * @flags, @pgsize_bitmap and @nr_ranges 0.
 *
 * Return: 0.
 * Errors: EFAULT; EINVAL @argsz too small or @flags set on input; ENODEV.
 */
struct uldf_iova_range {
	__aligned_u64 start;
	__aligned_u64 last;
};

struct uldf_dma_info {
	__u32 argsz;
	__u32 flags;
#define ULDF_DMA_INFO_IOMMU	(1 << 0) /* translated by an IOMMU */
#define ULDF_DMA_INFO_NOIOMMU	(1 << 1) /* no IOMMU: IOVA = physical */
#define ULDF_DMA_INFO_COHERENT	(1 << 2) /* the IOMMU snoops every DMA */
#define ULDF_DMA_INFO_SHARED	(1 << 3) /* the space has other members */
	__aligned_u64 pgsize_bitmap;
	__u32 nr_ranges;
	__u32 pad;
	struct uldf_iova_range ranges[];
};

#define ULDF_DMA_GET_INFO	_IOWR(ULDF_TYPE, ULDF_BASE + 4, struct uldf_dma_info)

/**
 * ULDF_DMA_MAP - _IOWR(ULDF_TYPE, ULDF_BASE + 5, struct uldf_dma_map)
 *
 * Pin @size bytes of the caller's memory at @vaddr and map them for the
 * device's DMA.  The pages are charged to the caller's locked_vm (VmLck in
 * /proc/PID/status) within RLIMIT_MEMLOCK, unless it has CAP_IPC_LOCK, as
 * VFIO type1 does.  Physically contiguous runs (hugetlbfs, THP) use the
 * largest IOMMU page that fits.
 *
 * @argsz:	in: sizeof(struct uldf_dma_map).
 * @flags:	in: ULDF_DMA_MAP_*.  READ lets the device read the memory,
 *		WRITE lets it write; at least one must be set.  FIXED_IOVA
 *		maps at @iova; otherwise the module picks an IOVA at which
 *		the mapping ends at or below @iova_limit.
 * @vaddr:	in: page-aligned user address.
 * @size:	in: bytes, a multiple of the page size, not 0.
 * @iova:	in with FIXED_IOVA (page-aligned); out: the IOVA used.
 * @iova_limit:	in without FIXED_IOVA: highest IOVA the device can reach,
 *		typically its DMA mask (0x0fffffff for a 28-bit device); 0
 *		means no limit.  The module never picks IOVA 0.  In no-IOMMU
 *		mode the bus addresses of the memory must be at or below it.
 * @nr_segs:	in: room in @segs_ptr (no-IOMMU mode only, else 0);
 *		out: segments returned.
 * @segs_ptr:	in: user pointer to an array of struct uldf_dma_seg that, in
 *		no-IOMMU mode, receives the physical scatterlist of the
 *		pinned memory (the device must be given those addresses).
 *		@iova is then the address of the first segment, and names
 *		the mapping for ULDF_DMA_UNMAP.
 *
 * Only the process that opened the device fd may map (its locked_vm is
 * what is charged); any holder of the fd may unmap.
 *
 * Return: 0.
 * Errors: EINVAL unknown flags, neither READ nor WRITE, @pad not 0, @vaddr,
 * @size or @iova unaligned, @size 0, or a fixed @iova outside the usable
 * ranges (FIXED_IOVA is EINVAL in no-IOMMU mode); EEXIST a fixed range
 * overlaps an existing mapping (no-IOMMU: the first page is already
 * mapped); ENOSPC no free IOVA range of @size below @iova_limit; ERANGE
 * no-IOMMU memory above @iova_limit; ENOMEM RLIMIT_MEMLOCK exceeded (the
 * kernel log says so) or out of memory; EFAULT @vaddr not mapped with the
 * needed access, or a bad @segs_ptr; E2BIG no-IOMMU segments do not fit
 * in @nr_segs (which is set to the count needed); EPERM the caller is not
 * in the process that opened the device fd; EINTR a fatal signal while
 * pinning; EIO the device's DMA is blocked after a failed ULDF_DMA_JOIN
 * (see there); ENODEV the device has no IOMMU and no-IOMMU mode is off, or
 * it was removed.
 */
struct uldf_dma_seg {
	__aligned_u64 addr;
	__aligned_u64 len;
};

struct uldf_dma_map {
	__u32 argsz;
	__u32 flags;
#define ULDF_DMA_MAP_READ	(1 << 0) /* device may read */
#define ULDF_DMA_MAP_WRITE	(1 << 1) /* device may write */
#define ULDF_DMA_MAP_FIXED_IOVA	(1 << 2) /* map at @iova */
	__aligned_u64 vaddr;
	__aligned_u64 size;
	__aligned_u64 iova;
	__aligned_u64 iova_limit;
	__u32 nr_segs;
	__u32 pad;
	__aligned_u64 segs_ptr;
};

#define ULDF_DMA_MAP		_IOWR(ULDF_TYPE, ULDF_BASE + 5, struct uldf_dma_map)

/**
 * ULDF_DMA_UNMAP - _IOWR(ULDF_TYPE, ULDF_BASE + 6, struct uldf_dma_unmap)
 *
 * Unmap and unpin.  Without flags, [@iova, @iova + @size) must cover whole
 * mappings exactly as they were made (a mapping is never split), and may
 * hold several, and gaps; with ULDF_DMA_UNMAP_ALL every mapping goes and
 * @iova, @size must be 0.  In no-IOMMU mode the range must be exactly one
 * mapping (its @iova and @size).  Pages the device could write are marked
 * dirty; locked_vm is credited back.
 *
 * @argsz:	in: sizeof(struct uldf_dma_unmap).
 * @flags:	in: ULDF_DMA_UNMAP_ALL or 0.
 * @iova:	in: start of the range.
 * @size:	in: bytes.
 * @unmapped:	out: bytes unmapped.
 *
 * Return: 0.
 * Errors: EINVAL unknown flags, unaligned or zero range, ALL with a range;
 * ENOENT no mapping starts at @iova; EBUSY the range cuts through a mapping;
 * ENOMEM out of memory to keep the books of a batch's mappings that the
 * range separates (nothing unmapped); ENODEV removed (everything was
 * unmapped then anyway).
 */
struct uldf_dma_unmap {
	__u32 argsz;
	__u32 flags;
#define ULDF_DMA_UNMAP_ALL	(1 << 0)
	__aligned_u64 iova;
	__aligned_u64 size;
	__aligned_u64 unmapped;
};

#define ULDF_DMA_UNMAP		_IOWR(ULDF_TYPE, ULDF_BASE + 6, struct uldf_dma_unmap)

/**
 * ULDF_DMA_MAP_BATCH - _IOWR(ULDF_TYPE, ULDF_BASE + 7, struct uldf_dma_batch)
 *
 * Make (or, with ULDF_DMA_BATCH_UNMAP, undo) @count mappings in one call,
 * with one IOTLB synchronisation for the batch.  Each entry is a struct
 * uldf_dma_map (its @argsz must be sizeof(struct uldf_dma_map)); for unmap,
 * @iova and @size of each entry name the mapping (the other fields are not
 * used, so the array that made the mappings can undo them).  Entries are
 * processed in order; on the first failure processing stops, @done says
 * how many succeeded, those stay in effect, and the call fails with that
 * entry's error.  Should the IOMMU itself fail (out of memory for its page
 * tables), no entry of the batch takes effect and @done is 0.
 *
 * One IOTLB synchronisation is made per run of entries whose IOVAs follow
 * one another; IOVAs the module picks for a batch normally form one run.
 *
 * @argsz:	in: sizeof(struct uldf_dma_batch).
 * @flags:	in: 0 or ULDF_DMA_BATCH_UNMAP.
 * @count:	in: entries, 1 to ULDF_DMA_BATCH_MAX.
 * @done:	out: entries that took effect.
 * @entries_ptr: in: user pointer to @count struct uldf_dma_map.
 *
 * Return: 0 when all took effect.
 * Errors: those of ULDF_DMA_MAP / ULDF_DMA_UNMAP for the failing entry;
 * EINVAL @count 0 or above ULDF_DMA_BATCH_MAX, unknown flags.
 */
#define ULDF_DMA_BATCH_MAX	65536

struct uldf_dma_batch {
	__u32 argsz;
	__u32 flags;
#define ULDF_DMA_BATCH_UNMAP	(1 << 0)
	__u32 count;
	__u32 done;
	__aligned_u64 entries_ptr;
};

#define ULDF_DMA_MAP_BATCH	_IOWR(ULDF_TYPE, ULDF_BASE + 7, struct uldf_dma_batch)

/**
 * ULDF_DMA_JOIN - _IOW(ULDF_TYPE, ULDF_BASE + 8, struct uldf_dma_join)
 *
 * Put this device in the DMA address space of another open uldf device of
 * the same process, so that the two use one set of mappings: what either
 * maps, both reach at the same IOVA, pinned once and charged to locked_vm
 * once; what either unmaps, neither reaches any more.  This is the role
 * of a VFIO container or an iommufd IOAS: a process that drives several
 * devices (a VMM with guest RAM at IOVA = guest physical, say) pins its
 * memory once, not once per device.
 *
 * This device's IOMMU group is attached to the other device's IOMMU
 * domain, and its own (empty) address space is freed.  The shared space
 * lives until the last of its devices leaves it: a device leaves when its
 * fd is closed (or its process dies) and when an unbind or a hot-unplug
 * revokes it; its group is then taken off the domain, so it reaches
 * nothing, while the mappings stay for the others.  The last one to leave
 * unmaps and unpins everything and gives the charge back.  A reset does
 * not leave the space.  Nothing but closing the fd gives a device a space
 * of its own again.
 *
 * The usable IOVA ranges of a shared space are the domain's aperture minus
 * the reserved regions of the IOMMU group of every device that joined it,
 * including those that have left since: the ranges of a space only
 * shrink.  ULDF_DMA_GET_INFO on any member reports them, with
 * ULDF_DMA_INFO_SHARED while it has other members.  Map and unmap
 * through any member act on the whole space; the opener's rules of
 * ULDF_DMA_MAP and ULDF_DMA_UNMAP hold for each member.
 *
 * @argsz:	in: sizeof(struct uldf_dma_join).
 * @flags:	in: 0.
 * @fd:		in: the device fd of the other device, whose DMA space this
 *		device joins (it may itself have joined another's).
 * @pad:	in: 0.
 *
 * Return: 0.
 * Errors: EFAULT bad argument pointer; EINVAL @argsz smaller than
 * struct uldf_dma_join, unknown flags, @pad not 0, @fd not a uldf device
 * fd, or the fd of this very device; EBADF @fd is not an open file;
 * EOPNOTSUPP either device's DMA is not translated by an IOMMU (no-IOMMU
 * mode, or no DMA at all); EPERM either device fd was opened with another
 * address space (mm) than the caller's: every device of a space is
 * opened by the process whose memory it pins.  The test is the mm, not
 * the process: a forked child, or the opener itself after an execve(),
 * is refused; a thread, or a sibling created with CLONE_VM, is allowed;
 * EALREADY the two devices already share one space; EBUSY this
 * device has mappings, already shares its space with other devices, or has
 * MSI or MSI-X vectors open (join before opening them: where the IOMMU maps
 * the MSI doorbell, as an ARM SMMU does, a vector's message holds an IOVA
 * of the device's own space);
 * EXDEV the IOMMUs cannot share one domain: the IOMMU driver refuses to
 * attach this device's group to it (another kind of IOMMU, one with
 * fewer address bits than the IOMMU the domain was made for, which VT-d
 * refuses even when the space maps nothing, no snoop control where the
 * domain enforces coherency), or the two differ in cache coherency;
 * EADDRINUSE a reserved region of this device's IOMMU group, or the
 * aperture as its IOMMU narrows it, covers a mapping of the space; ENOMEM
 * out of memory; EIO either device's DMA is blocked (below); ENODEV either
 * device was removed; another errno from the IOMMU driver when it
 * attaches the group or reserves its MSI window (e.g. ENOSPC, ENOMEM).
 * On failure this device keeps its own space.  Should the IOMMU then
 * refuse to give its group its own domain back, its DMA stays blocked
 * until it is closed: the kernel log says so, ULDF_DMA_MAP and
 * ULDF_DMA_JOIN (either way) fail with EIO, and ULDF_DMA_GET_INFO reports
 * no DMA.
 */
struct uldf_dma_join {
	__u32 argsz;
	__u32 flags;
	__s32 fd;
	__u32 pad;
};

#define ULDF_DMA_JOIN		_IOW(ULDF_TYPE, ULDF_BASE + 8, struct uldf_dma_join)

/* ---------------------------------------------------------------------- */
/* IRQ fd                                                                  */
/* ---------------------------------------------------------------------- */

/*
 * An IRQ fd stands for one vector.
 *
 * read() of exactly 8 bytes blocks until at least one interrupt arrived
 * since the previous read, then returns their number as a __u64 and resets
 * it.  With O_NONBLOCK it fails with EAGAIN instead of blocking.  Any other
 * size is EINVAL; a read that cannot copy the count out (EFAULT) keeps it.
 * poll()/epoll report EPOLLIN while the count is not zero, and EPOLLERR |
 * EPOLLHUP once the vector is dead (below); io_uring reads (also
 * multishot) work without a worker thread; with O_ASYNC (fcntl F_SETFL and
 * F_SETOWN) SIGIO is sent on every interrupt (POLL_IN), and when the
 * vector dies (POLL_HUP).
 *
 * write() of exactly 8 bytes: the __u64 value 1 unmasks the vector, 0 masks
 * it; other values and sizes are EINVAL.
 *
 * INTx is level-triggered and shared.  The handler masks the function with
 * the Interrupt Disable bit of the command register (PCI Local Bus 3.0,
 * 6.2.2) when the device's Interrupt Status bit says it is the one
 * asserting, so the line can be shared; a device without Interrupt
 * Disable gets the line exclusively and it is masked at the interrupt
 * controller instead.  The vector then stays masked until the EOI: a
 * write() of 1 (or ULDF_IRQ_UNMASK, or a signal on the resample eventfd).
 * If the device still asserts the line at EOI, the interrupt is counted
 * again at once and the vector stays masked, so an interrupt raised while
 * masked is delivered once after the EOI and never lost.  With
 * ULDF_IRQ_OPEN_UNMASK_ON_READ a read() first performs the EOI owed by the
 * previous read that returned interrupts (also when it then fails with
 * EAGAIN), then waits (the 2004 user-level driver semantics), so one
 * system call serves each interrupt; poll() never EOIs, and multishot
 * io_uring reads do not suit this mode.  A function without a working
 * Interrupt Disable bit, or any while uldf.nointxmask=1, takes its line
 * exclusively, masked at the interrupt controller; the semantics are the
 * same.
 *
 * MSI and MSI-X are edge-triggered: no automatic mask and no EOI.  A masked
 * vector (write of 0) remembers that interrupts arrived and delivers them
 * when it is unmasked: as one, or as at most two for a function that masks
 * per vector and holds one pending itself (MSI-X).
 *
 * Races: an EOI that finds nothing pending only unmasks; an EOI with an
 * interrupt pending delivers it.  Closing an IRQ fd while its interrupt is
 * in flight waits for the handler (free_irq) and drops the count; closing
 * the device fd disables every vector and wakes blocked readers with ENODEV.
 * Such a *dead* IRQ fd fails every call with ENODEV until it is closed.
 * Documentation/interrupts.rst spells out all the rules.
 */

/**
 * ULDF_IRQ_GET_INFO - _IOWR(ULDF_TYPE, ULDF_BASE + 16, struct uldf_irq_info)
 *
 * @argsz:	in: sizeof(struct uldf_irq_info).
 * @flags:	out: ULDF_IRQ_INFO_*.
 * @type:	out: ULDF_IRQ_TYPE_*.
 * @index:	out: vector index.
 * @irq:	out: Linux interrupt number (as in /proc/interrupts), or 0 for
 *		ERR and REQ.
 * @pad:	out: 0.
 * @count:	out: interrupts since the fd was opened (never reset).
 *
 * Return: 0.  Errors: EFAULT; EINVAL; ENODEV the device fd was closed.
 */
struct uldf_irq_info {
	__u32 argsz;
	__u32 flags;
#define ULDF_IRQ_INFO_MASKED		(1 << 0)
#define ULDF_IRQ_INFO_UNMASK_ON_READ	(1 << 1)
#define ULDF_IRQ_INFO_EVENTFD		(1 << 2) /* a trigger eventfd is set */
#define ULDF_IRQ_INFO_RESAMPLE		(1 << 3) /* a resample eventfd is set */
#define ULDF_IRQ_INFO_SHARED		(1 << 4) /* INTx line shared (DisINTx) */
	__u32 type;
	__u32 index;
	__u32 irq;
	__u32 pad;
	__aligned_u64 count;
};

#define ULDF_IRQ_GET_INFO	_IOWR(ULDF_TYPE, ULDF_BASE + 16, struct uldf_irq_info)

/**
 * ULDF_IRQ_MASK - _IO(ULDF_TYPE, ULDF_BASE + 17)
 * ULDF_IRQ_UNMASK - _IO(ULDF_TYPE, ULDF_BASE + 18)
 *
 * Mask or unmask the vector, as a write() of 0 or 1 does.  For INTx
 * ULDF_IRQ_UNMASK is the EOI.  ERR and REQ vectors cannot be masked.
 *
 * Return: 0.  Errors: EINVAL on ERR/REQ; ENODEV device fd closed.
 */
#define ULDF_IRQ_MASK		_IO(ULDF_TYPE, ULDF_BASE + 17)
#define ULDF_IRQ_UNMASK		_IO(ULDF_TYPE, ULDF_BASE + 18)

/**
 * ULDF_IRQ_TRIGGER - _IO(ULDF_TYPE, ULDF_BASE + 19)
 *
 * Software loopback: deliver one interrupt on this vector as if the device
 * had raised it (counted, waking readers, signalling the trigger eventfd),
 * without touching the device or the mask state.
 *
 * Return: 0.  Errors: ENODEV device fd closed.
 */
#define ULDF_IRQ_TRIGGER	_IO(ULDF_TYPE, ULDF_BASE + 19)

/**
 * ULDF_IRQ_SET_EVENTFD - _IOW(ULDF_TYPE, ULDF_BASE + 20, struct uldf_irq_eventfd)
 *
 * VMM wiring, in the shape of KVM's irqfd with resample.  With a @trigger
 * eventfd set, every interrupt signals it instead of counting on the IRQ fd
 * (which then stays quiet), so the interrupt reaches e.g. KVM with no
 * user-space hop.  For INTx a @resample eventfd may be set as well: a
 * signal on it is an EOI (it unmasks, re-firing if the line is still
 * asserted), so the guest's EOI can come back with no user-space hop.
 * -1 removes that eventfd.
 *
 * @argsz:	in: sizeof(struct uldf_irq_eventfd).
 * @flags:	in: 0.
 * @trigger:	in: eventfd, or -1.
 * @resample:	in: eventfd, or -1; INTx only.
 *
 * Return: 0.
 * Errors: EINVAL unknown flags, @trigger or @resample below -1, a resample
 * eventfd on a non-INTx vector, without a trigger, or the same as the
 * trigger; EBADF an fd that is not an eventfd; ENODEV.
 */
struct uldf_irq_eventfd {
	__u32 argsz;
	__u32 flags;
	__s32 trigger;
	__s32 resample;
};

#define ULDF_IRQ_SET_EVENTFD	_IOW(ULDF_TYPE, ULDF_BASE + 20, struct uldf_irq_eventfd)

#endif /* _UAPI_LINUX_ULDF_H */
