// SPDX-License-Identifier: GPL-2.0
/*
 * uldf capability walk: the capability lists of a config space, and the
 * bytes each capability covers.
 *
 * config_perm.c opens fields of config space to the user by capability (the
 * permission tables); vendor-specific capabilities are opened raw over
 * their whole length.  What a capability covers is found here: its
 * position from the list, its length from its ID (and, for the
 * variable-length ones, from its own registers), as in vfio_pci_config.c.
 *
 * The config space is the device's, so none of it is trusted.  A list
 * that comes back to a capability it had, or points into the header, ends
 * there; a capability longer than its space (256 bytes for the standard
 * list, all of config space for the extended one) is cut at its end.  And
 * where two capabilities claim the same bytes - a vendor-specific
 * capability whose length byte runs over the MSI-X capability after it,
 * say - those bytes belong to neither: nothing opens them, so they stay
 * read-only (vfio-pci warns and lets the later capability have them).
 *
 * No kernel API is used, only the read callback, so that a user-space test
 * can walk crafted config spaces.
 */
#include "config_caps.h"

#ifdef __KERNEL__
#include <linux/string.h>
#endif

static u32 uldf_caps_rd(const struct uldf_caps *c, unsigned int off,
			unsigned int len)
{
	if (off + len > c->size)
		return ~0U;
	return c->read(c->ctx, off, len);
}

/* Length of the MSI capability: 64-bit address and per-vector masking. */
static unsigned int uldf_msi_len(const struct uldf_caps *c, unsigned int pos)
{
	u16 flags = uldf_caps_rd(c, pos + PCI_MSI_FLAGS, 2);
	unsigned int len = 10;

	if (flags & PCI_MSI_FLAGS_64BIT)
		len += 4;
	if (flags & PCI_MSI_FLAGS_MASKBIT)
		len += 10;
	return len;
}

/* Length of the PCI Express capability, by version and device type. */
static unsigned int uldf_exp_len(const struct uldf_caps *c, unsigned int pos)
{
	u16 flags = uldf_caps_rd(c, pos + PCI_EXP_FLAGS, 2);
	bool rc_end = ((flags & PCI_EXP_FLAGS_TYPE) >> 4) == PCI_EXP_TYPE_RC_END;

	if ((flags & PCI_EXP_FLAGS_VERS) == 1)
		return rc_end ? PCI_CAP_EXP_RC_ENDPOINT_SIZEOF_V1 :
				PCI_CAP_EXP_ENDPOINT_SIZEOF_V1;
	return rc_end ? PCI_CAP_EXP_RC_ENDPOINT_SIZEOF_V2 :
			PCI_CAP_EXP_ENDPOINT_SIZEOF_V2;
}

/*
 * Bytes covered by the standard capability @id at @pos; the header dword
 * for those whose length uldf does not know (they stay read-only).
 */
static unsigned int uldf_cap_len(const struct uldf_caps *c, u8 id,
				 unsigned int pos)
{
	u8 b;

	switch (id) {
	case PCI_CAP_ID_PM:
		return PCI_PM_SIZEOF;
	case PCI_CAP_ID_AGP:
		return PCI_AGP_SIZEOF;
	case PCI_CAP_ID_VPD:
		return PCI_CAP_VPD_SIZEOF;
	case PCI_CAP_ID_MSI:
		return uldf_msi_len(c, pos);
	case PCI_CAP_ID_PCIX:
		return PCI_X_CMD_VERSION(uldf_caps_rd(c, pos + PCI_X_CMD, 2)) ?
			PCI_CAP_PCIX_SIZEOF_V2 : PCI_CAP_PCIX_SIZEOF_V0;
	case PCI_CAP_ID_HT:
		b = uldf_caps_rd(c, pos + 3, 1);
		return (b & HT_3BIT_CAP_MASK) ? HT_CAP_SIZEOF_SHORT :
						HT_CAP_SIZEOF_LONG;
	case PCI_CAP_ID_VNDR:
		/* Its own length, in the byte after the next pointer. */
		return uldf_caps_rd(c, pos + PCI_CAP_FLAGS, 1);
	case PCI_CAP_ID_EXP:
		return uldf_exp_len(c, pos);
	case PCI_CAP_ID_MSIX:
		return PCI_CAP_MSIX_SIZEOF;
	case PCI_CAP_ID_SATA:
		b = uldf_caps_rd(c, pos + PCI_SATA_REGS, 1) & PCI_SATA_REGS_MASK;
		return b == PCI_SATA_REGS_INLINE ? PCI_SATA_SIZEOF_LONG :
						   PCI_SATA_SIZEOF_SHORT;
	case PCI_CAP_ID_AF:
		return PCI_CAP_AF_SIZEOF;
	default:
		return PCI_CAP_SIZEOF;
	}
}

/* Length of a Virtual Channel capability (vfio_vc_cap_len()). */
static unsigned int uldf_vc_len(const struct uldf_caps *c, unsigned int pos)
{
	u32 cap1 = uldf_caps_rd(c, pos + PCI_VC_PORT_CAP1, 4);
	u32 cap2 = uldf_caps_rd(c, pos + PCI_VC_PORT_CAP2, 4);
	unsigned int len = PCI_CAP_VC_BASE_SIZEOF;
	unsigned int phases = 0;

	if (cap2 & PCI_VC_CAP2_128_PHASE)
		phases = 128;
	else if (cap2 & PCI_VC_CAP2_64_PHASE)
		phases = 64;
	else if (cap2 & PCI_VC_CAP2_32_PHASE)
		phases = 32;
	len += (1 + (cap1 & PCI_VC_CAP1_EVCC)) * PCI_CAP_VC_PER_VC_SIZEOF;
	if (phases)
		len = ((len + 15) & ~15U) + phases * 4 / 8;
	return len;
}

/*
 * Bytes covered by the extended capability @id at @pos; the header dword
 * for those whose length uldf does not know.
 */
static unsigned int uldf_ext_cap_len(const struct uldf_caps *c, u16 id,
				     unsigned int pos)
{
	u32 v;

	switch (id) {
	case PCI_EXT_CAP_ID_ERR:
		return PCI_ERR_ROOT_COMMAND;
	case PCI_EXT_CAP_ID_VC:
	case PCI_EXT_CAP_ID_VC9:
	case PCI_EXT_CAP_ID_MFVC:
		return uldf_vc_len(c, pos);
	case PCI_EXT_CAP_ID_DSN:
		return PCI_EXT_CAP_DSN_SIZEOF;
	case PCI_EXT_CAP_ID_PWR:
		return PCI_EXT_CAP_PWR_SIZEOF;
	case PCI_EXT_CAP_ID_VNDR:
		return PCI_VNDR_HEADER_LEN(uldf_caps_rd(c, pos + PCI_VNDR_HEADER, 4));
	case PCI_EXT_CAP_ID_ACS:
		v = uldf_caps_rd(c, pos + PCI_ACS_CAP, 1);
		if (v & PCI_ACS_EC) {
			unsigned int bits = uldf_caps_rd(c, pos + PCI_ACS_EGRESS_BITS, 1);

			bits = bits ? (bits + 31) & ~31U : 256;
			return 8 + bits / 8;
		}
		return 8;
	case PCI_EXT_CAP_ID_ARI:
		return PCI_EXT_CAP_ARI_SIZEOF;
	case PCI_EXT_CAP_ID_ATS:
		return PCI_EXT_CAP_ATS_SIZEOF;
	case PCI_EXT_CAP_ID_SRIOV:
		return PCI_EXT_CAP_SRIOV_SIZEOF;
	case PCI_EXT_CAP_ID_MCAST:
		return PCI_EXT_CAP_MCAST_ENDPOINT_SIZEOF;
	case PCI_EXT_CAP_ID_PRI:
		return PCI_EXT_CAP_PRI_SIZEOF;
	case PCI_EXT_CAP_ID_REBAR:
		v = uldf_caps_rd(c, pos + PCI_REBAR_CTRL, 1);
		return 4 + ((v & PCI_REBAR_CTRL_NBAR_MASK) >>
			    PCI_REBAR_CTRL_NBAR_SHIFT) * 8;
	case PCI_EXT_CAP_ID_DPA:
		v = uldf_caps_rd(c, pos + PCI_DPA_CAP, 1);
		return PCI_DPA_BASE_SIZEOF + (v & PCI_DPA_CAP_SUBSTATE_MASK) + 1;
	case PCI_EXT_CAP_ID_TPH:
		v = uldf_caps_rd(c, pos + PCI_TPH_CAP, 4);
		if ((v & PCI_TPH_CAP_LOC_MASK) == PCI_TPH_LOC_CAP)
			return PCI_TPH_BASE_SIZEOF + 2 +
			       ((v & PCI_TPH_CAP_ST_MASK) >> PCI_TPH_CAP_ST_SHIFT) * 2;
		return PCI_TPH_BASE_SIZEOF;
	case PCI_EXT_CAP_ID_LTR:
		return PCI_EXT_CAP_LTR_SIZEOF;
	case PCI_EXT_CAP_ID_PASID:
		return PCI_EXT_CAP_PASID_SIZEOF;
	case PCI_EXT_CAP_ID_DVSEC:
		return PCI_DVSEC_HEADER1_LEN(uldf_caps_rd(c, pos + PCI_DVSEC_HEADER1, 4));
	default:
		return PCI_CAP_SIZEOF;
	}
}

/* The first capability before @before that covers byte @off. */
static unsigned int uldf_caps_cover(const struct uldf_caps *c,
				    unsigned int before, unsigned int off)
{
	unsigned int i;

	for (i = 0; i < before; i++)
		if (off >= c->cap[i].pos && off < c->cap[i].pos + c->cap[i].len)
			return i;
	return before;
}

/* Whether the list already had a capability at @pos. */
static bool uldf_caps_seen(const struct uldf_caps *c, unsigned int pos)
{
	unsigned int i;

	for (i = 0; i < c->nr; i++)
		if (c->cap[i].pos == pos)
			return true;
	return false;
}

/*
 * Record a capability, cut at @end, and mark the bytes it covers; bytes
 * that an earlier capability covers already are shared.
 */
static void uldf_caps_add(struct uldf_caps *c, u16 id, unsigned int pos,
			  unsigned int len, u16 flags, unsigned int end)
{
	unsigned int i, idx = c->nr;
	struct uldf_cap *cap;

	if (c->nr >= ULDF_CAPS_MAX)
		return;
	if (len > end - pos) {
		len = end - pos;
		flags |= ULDF_CAP_CLIPPED;
	}
	cap = &c->cap[c->nr++];
	*cap = (struct uldf_cap){ .id = id, .pos = pos, .len = len,
				  .flags = flags };
	for (i = pos; i < pos + len; i++) {
		if (c->owner[i] == ULDF_CAP_NONE) {
			c->owner[i] = idx + 1;
			continue;
		}
		if (!(cap->flags & ULDF_CAP_OVERLAP)) {
			cap->flags |= ULDF_CAP_OVERLAP;
			cap->shared_with = uldf_caps_cover(c, idx, i);
			cap->shared_start = i;
		}
		cap->shared_end = i + 1;
		c->owner[i] = ULDF_CAP_SHARED;
	}
}

/*
 * The standard list: dword-aligned pointers after the header, each
 * capability at most once (48 fit), within the first 256 bytes.
 */
static void uldf_caps_walk_std(struct uldf_caps *c)
{
	unsigned int pos, len;
	u16 hdr;
	u8 id;

	if (!(uldf_caps_rd(c, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
		return;
	pos = uldf_caps_rd(c, PCI_CAPABILITY_LIST, 1) & ~3;
	while (pos) {
		if (pos < PCI_STD_HEADER_SIZEOF || uldf_caps_seen(c, pos)) {
			c->flags |= pos < PCI_STD_HEADER_SIZEOF ?
				    ULDF_CAPS_BAD_NEXT : ULDF_CAPS_LOOP;
			c->std_stop = pos;
			return;
		}
		hdr = uldf_caps_rd(c, pos, 2);
		id = hdr & 0xff;
		if (id == 0xff)		/* the function does not answer */
			return;
		len = uldf_cap_len(c, id, pos);
		uldf_caps_add(c, id, pos, len < 2 ? 2 : len, 0,
			      PCI_CFG_SPACE_SIZE);
		pos = (hdr >> 8) & ~3;
	}
}

/*
 * The extended list: from 0x100, dword-aligned pointers above 0x100, each
 * capability at most once (one per dword at the most).
 */
static void uldf_caps_walk_ext(struct uldf_caps *c)
{
	unsigned int pos = PCI_CFG_SPACE_SIZE, len;
	u32 hdr;
	u16 id;

	if (c->size <= PCI_CFG_SPACE_SIZE)
		return;
	hdr = uldf_caps_rd(c, pos, 4);
	/* No extended capabilities: ID, version and next all 0. */
	if (!hdr || hdr == ~0U)
		return;
	for (;;) {
		if (uldf_caps_seen(c, pos)) {
			c->flags |= ULDF_CAPS_EXT_LOOP;
			c->ext_stop = pos;
			return;
		}
		id = PCI_EXT_CAP_ID(hdr);
		len = uldf_ext_cap_len(c, id, pos);
		uldf_caps_add(c, id, pos, len < PCI_CAP_SIZEOF ? PCI_CAP_SIZEOF : len,
			      ULDF_CAP_EXT, c->size);
		pos = PCI_EXT_CAP_NEXT(hdr);
		if (!pos)
			return;
		if (pos < PCI_CFG_SPACE_SIZE) {
			c->flags |= ULDF_CAPS_EXT_BAD_NEXT;
			c->ext_stop = pos;
			return;
		}
		hdr = uldf_caps_rd(c, pos, 4);
		if (hdr == ~0U)
			return;
	}
}

/**
 * uldf_caps_walk() - find the capabilities of a config space.
 * @c: the walk: @c->size, @c->read, @c->ctx, @c->owner and @c->cap set.
 *
 * Fills @c->cap, @c->nr, @c->owner and @c->flags.  The device is not
 * trusted: a list ends where it comes back to a capability it had, or
 * points into the header (below 0x40, or below 0x100 for the extended
 * list); a capability ends where its space does; bytes that two
 * capabilities claim are ULDF_CAP_SHARED, and neither can open them.
 */
void uldf_caps_walk(struct uldf_caps *c)
{
	memset(c->owner, 0, c->size * sizeof(*c->owner));
	c->nr = 0;
	c->flags = 0;
	c->std_stop = 0;
	c->ext_stop = 0;
	uldf_caps_walk_std(c);
	uldf_caps_walk_ext(c);
}

/**
 * uldf_caps_open() - open a field of capability @i to the user, where the
 * capability alone covers it.
 * @c:		a finished walk.
 * @i:		index of the capability in @c->cap.
 * @off:	offset of the field in config space.
 * @len:	its bytes (at most 4).
 * @virt:	bits the user sees virtualised, in the field's byte order.
 * @write:	bits the user may write.
 * @virt_map:	config_perm.c's per-byte virt bits, of @c->size bytes.
 * @write_map:	config_perm.c's per-byte write bits, of @c->size bytes.
 */
void uldf_caps_open(const struct uldf_caps *c, unsigned int i,
		    unsigned int off, unsigned int len, u32 virt, u32 write,
		    u8 *virt_map, u8 *write_map)
{
	unsigned int b;

	for (b = 0; b < len && off + b < c->size; b++) {
		if (c->owner[off + b] != i + 1)
			continue;
		virt_map[off + b] = virt >> (8 * b);
		write_map[off + b] = write >> (8 * b);
	}
}

/*
 * Raw access to the bytes of [@off, @off + @len) that capability @i alone
 * covers: written to the device as they come.
 */
static void uldf_caps_raw(const struct uldf_caps *c, unsigned int i,
			  unsigned int off, unsigned int len, u8 *virt_map,
			  u8 *write_map)
{
	unsigned int b;

	for (b = off; b < off + len && b < c->size; b++) {
		if (c->owner[b] != i + 1)
			continue;
		write_map[b] = 0xff;
		virt_map[b] = 0;
	}
}

/**
 * uldf_caps_open_vendor() - open the vendor-specific capabilities raw.
 * @c:		a finished walk.
 * @virt_map:	config_perm.c's per-byte virt bits, of @c->size bytes.
 * @write_map:	config_perm.c's per-byte write bits, of @c->size bytes.
 *
 * A vendor-specific capability's registers are the device's own business:
 * the user reads and writes them as they are, all but the headers (ID and
 * next pointer; for an extended one, the two header dwords) and the bytes
 * another capability claims too.
 */
void uldf_caps_open_vendor(const struct uldf_caps *c, u8 *virt_map,
			   u8 *write_map)
{
	const struct uldf_cap *cap;
	unsigned int i;

	for (i = 0; i < c->nr; i++) {
		cap = &c->cap[i];
		if (!(cap->flags & ULDF_CAP_EXT) && cap->id == PCI_CAP_ID_VNDR &&
		    cap->len > 2)
			uldf_caps_raw(c, i, cap->pos + 2, cap->len - 2,
				      virt_map, write_map);
		else if ((cap->flags & ULDF_CAP_EXT) &&
			 cap->id == PCI_EXT_CAP_ID_VNDR &&
			 cap->len > PCI_VNDR_HEADER + 4)
			uldf_caps_raw(c, i, cap->pos + PCI_VNDR_HEADER + 4,
				      cap->len - PCI_VNDR_HEADER - 4,
				      virt_map, write_map);
	}
}
