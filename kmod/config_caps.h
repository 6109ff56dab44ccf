/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uldf capability walk: which capabilities a function's config space holds
 * and which bytes each one covers.  Plain C over a config-read callback, so
 * that it builds both into uldf.ko (config_perm.c) and into a user-space unit
 * test that feeds it crafted config spaces
 * (selftests/uldf/uldf_config_caps_test.c).
 */
#ifndef ULDF_CONFIG_CAPS_H
#define ULDF_CONFIG_CAPS_H

#ifdef __KERNEL__
#include <linux/bits.h>
#include <linux/pci_regs.h>
#include <linux/types.h>
#else
#include "uldf_kcompat.h"
#endif

/* Room for every capability: one per dword after the header. */
#define ULDF_CAPS_MAX	((PCI_CFG_SPACE_EXP_SIZE - PCI_STD_HEADER_SIZEOF) / \
			 PCI_CAP_SIZEOF)

/* uldf_caps.owner[] of a byte no capability covers, or two do. */
#define ULDF_CAP_NONE	0
#define ULDF_CAP_SHARED	0xffff

/* struct uldf_cap flags. */
#define ULDF_CAP_EXT	 BIT(0)	/* an extended capability (0x100 and up) */
#define ULDF_CAP_CLIPPED BIT(1)	/* its length ran past the end of its space */
#define ULDF_CAP_OVERLAP BIT(2)	/* it shares bytes with an earlier one */

/* struct uldf_caps flags: why a list ended before its last next pointer. */
#define ULDF_CAPS_LOOP		BIT(0)	/* it came back to a capability */
#define ULDF_CAPS_BAD_NEXT	BIT(1)	/* it pointed into the header */
#define ULDF_CAPS_EXT_LOOP	BIT(2)	/* the extended list came back */
#define ULDF_CAPS_EXT_BAD_NEXT	BIT(3)	/* it pointed below 0x100 */

/**
 * struct uldf_cap - one capability found by uldf_caps_walk().
 * @id:		capability ID (extended capability ID with ULDF_CAP_EXT).
 * @pos:	offset of its header in config space.
 * @len:	bytes it covers from @pos, cut at the end of its space (the
 *		standard capabilities' 256 bytes, or the whole config space).
 * @flags:	ULDF_CAP_*.
 * @shared_with: with ULDF_CAP_OVERLAP, the index of the first earlier
 *		capability it shares a byte with.
 * @shared_start: with ULDF_CAP_OVERLAP, the first byte it shares.
 * @shared_end:	with ULDF_CAP_OVERLAP, one past the last byte it shares.
 */
struct uldf_cap {
	u16 id;
	u16 pos;
	u16 len;
	u16 flags;
	u16 shared_with;
	u16 shared_start;
	u16 shared_end;
};

/**
 * struct uldf_caps - a walk of a function's capability lists.
 * @size:	in: bytes of config space, 256 or 4096.
 * @read:	in: read @len (1, 2 or 4) bytes at @off; all ones on failure.
 * @ctx:	in: passed to @read.
 * @owner:	in: room for @size entries.  Out: per byte, the index + 1 in
 *		@cap of the capability covering it, ULDF_CAP_NONE, or
 *		ULDF_CAP_SHARED where capabilities overlap.
 * @cap:	in: room for ULDF_CAPS_MAX entries.  Out: the capabilities in
 *		list order, standard ones first, each once.
 * @nr:		out: entries in @cap.
 * @flags:	out: ULDF_CAPS_*.
 * @std_stop:	out: with ULDF_CAPS_LOOP or _BAD_NEXT, the next pointer
 *		where the standard list was cut.
 * @ext_stop:	out: the same for the extended list.
 */
struct uldf_caps {
	unsigned int size;
	u32 (*read)(void *ctx, unsigned int off, unsigned int len);
	void *ctx;
	u16 *owner;
	struct uldf_cap *cap;
	unsigned int nr;
	unsigned int flags;
	u16 std_stop;
	u16 ext_stop;
};

void uldf_caps_walk(struct uldf_caps *c);
void uldf_caps_open(const struct uldf_caps *c, unsigned int i,
		    unsigned int off, unsigned int len, u32 virt, u32 write,
		    u8 *virt_map, u8 *write_map);
void uldf_caps_open_vendor(const struct uldf_caps *c, u8 *virt_map,
			   u8 *write_map);

#endif /* ULDF_CONFIG_CAPS_H */
