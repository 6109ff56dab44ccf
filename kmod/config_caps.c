// SPDX-License-Identifier: GPL-2.0
/*
 * uldf capability walk: the capability lists of a config space, and the
 * bytes each capability covers.
 *
 * config.c opens fields of config space to the user by capability (the
 * permission tables); vendor-specific capabilities are opened raw over
 * their whole length.  What a capability covers is found here: its
 * position from the list, its length from its ID (and, for the
 * variable-length ones, from its own registers), as in vfio_pci_config.c.
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

/* Record a capability and mark the bytes it covers. */
static void uldf_caps_add(struct uldf_caps *c, u16 id, unsigned int pos,
			  unsigned int len, u16 flags)
{
	unsigned int i, idx = c->nr;
	struct uldf_cap *cap;

	if (c->nr >= ULDF_CAPS_MAX)
		return;
	cap = &c->cap[c->nr++];
	cap->id = id;
	cap->pos = pos;
	cap->len = len;
	cap->flags = flags;
	for (i = 0; i < len && pos + i < c->size; i++)
		c->owner[pos + i] = idx + 1;
}

static void uldf_caps_walk_std(struct uldf_caps *c)
{
	int ttl = 48;	/* at most 48 capabilities fit in 192 bytes */
	u8 pos, id;

	pos = uldf_caps_rd(c, PCI_CAPABILITY_LIST, 1);
	while (pos >= PCI_STD_HEADER_SIZEOF && ttl--) {
		pos &= ~3;
		id = uldf_caps_rd(c, pos + PCI_CAP_LIST_ID, 1);
		uldf_caps_add(c, id, pos, uldf_cap_len(c, id, pos), 0);
		pos = uldf_caps_rd(c, pos + PCI_CAP_LIST_NEXT, 1);
	}
}

/* The next extended capability @id after @start (pci_find_next_ext_capability()). */
static u16 uldf_caps_next_ext(const struct uldf_caps *c, u16 start, u16 id)
{
	int ttl = (PCI_CFG_SPACE_EXP_SIZE - PCI_CFG_SPACE_SIZE) / 8;
	u16 pos = start ? start : PCI_CFG_SPACE_SIZE;
	u32 header = uldf_caps_rd(c, pos, 4);

	if (!header)
		return 0;
	while (ttl-- > 0) {
		if (PCI_EXT_CAP_ID(header) == id && pos != start)
			return pos;
		pos = PCI_EXT_CAP_NEXT(header);
		if (pos < PCI_CFG_SPACE_SIZE)
			break;
		header = uldf_caps_rd(c, pos, 4);
	}
	return 0;
}

static void uldf_caps_walk_ext(struct uldf_caps *c)
{
	u16 pos = 0;

	if (c->size <= PCI_CFG_SPACE_SIZE)
		return;
	while ((pos = uldf_caps_next_ext(c, pos, PCI_EXT_CAP_ID_VNDR)))
		uldf_caps_add(c, PCI_EXT_CAP_ID_VNDR, pos,
			      uldf_ext_cap_len(c, PCI_EXT_CAP_ID_VNDR, pos),
			      ULDF_CAP_EXT);
}

/**
 * uldf_caps_walk() - find the capabilities of a config space.
 * @c: the walk: @c->size, @c->read, @c->ctx, @c->owner and @c->cap set.
 *
 * Fills @c->cap, @c->nr and @c->owner.
 */
void uldf_caps_walk(struct uldf_caps *c)
{
	memset(c->owner, 0, c->size * sizeof(*c->owner));
	c->nr = 0;
	uldf_caps_walk_std(c);
	uldf_caps_walk_ext(c);
}

/**
 * uldf_caps_open() - open a field of capability @i to the user.
 * @c:		a finished walk.
 * @i:		index of the capability in @c->cap.
 * @off:	offset of the field in config space.
 * @len:	its bytes (at most 4).
 * @virt:	bits the user sees virtualised, in the field's byte order.
 * @write:	bits the user may write.
 * @virt_map:	config.c's per-byte virt bits, of @c->size bytes.
 * @write_map:	config.c's per-byte write bits, of @c->size bytes.
 */
void uldf_caps_open(const struct uldf_caps *c, unsigned int i,
		    unsigned int off, unsigned int len, u32 virt, u32 write,
		    u8 *virt_map, u8 *write_map)
{
	unsigned int b;

	for (b = 0; b < len && off + b < c->size; b++) {
		virt_map[off + b] = virt >> (8 * b);
		write_map[off + b] = write >> (8 * b);
	}
}

/* Raw access to [@off, @off + @len): written to the device as it comes. */
static void uldf_caps_raw(const struct uldf_caps *c, unsigned int off,
			  unsigned int len, u8 *virt_map, u8 *write_map)
{
	if (off >= c->size)
		return;
	if (len > c->size - off)
		len = c->size - off;
	memset(write_map + off, 0xff, len);
	memset(virt_map + off, 0, len);
}

/**
 * uldf_caps_open_vendor() - open the vendor-specific capabilities raw.
 * @c:		a finished walk.
 * @virt_map:	config.c's per-byte virt bits, of @c->size bytes.
 * @write_map:	config.c's per-byte write bits, of @c->size bytes.
 *
 * A vendor-specific capability's registers are the device's own business:
 * the user reads and writes them as they are, all but the headers (ID and
 * next pointer; for an extended one, the two header dwords).
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
			uldf_caps_raw(c, cap->pos + 2, cap->len - 2, virt_map,
				      write_map);
		else if ((cap->flags & ULDF_CAP_EXT) &&
			 cap->id == PCI_EXT_CAP_ID_VNDR &&
			 cap->len > PCI_VNDR_HEADER + 4)
			uldf_caps_raw(c, cap->pos + PCI_VNDR_HEADER + 4,
				      cap->len - PCI_VNDR_HEADER - 4,
				      virt_map, write_map);
	}
}
