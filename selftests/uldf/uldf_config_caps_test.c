// SPDX-License-Identifier: GPL-2.0
/*
 * The module's capability walk (kmod/config_caps.c, built in user space)
 * against crafted config spaces: what a device could present to uldf at
 * bind.  A normal list; a standard list that loops, or points into the
 * header; a vendor-specific capability whose length runs over the next
 * capability (the shared bytes must not be writable); a capability that
 * runs past the end of its space; an extended list that loops or points
 * below 0x100; a function that reads all ones.  Each checks which
 * capabilities are found and which bytes end up writable.
 *
 * Needs no device: it runs on any machine, and in the testbed's suite.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"
#include "config_caps.h"

#define CFG_SIZE	4096

FIXTURE(caps) {
	u8 cfg[CFG_SIZE];
	u16 owner[CFG_SIZE];
	struct uldf_cap cap[ULDF_CAPS_MAX];
	u8 virt[CFG_SIZE];
	u8 write[CFG_SIZE];
	struct uldf_caps c;
};

static u32 cfg_read(void *ctx, unsigned int off, unsigned int len)
{
	const u8 *cfg = ctx;
	u32 v = 0;
	unsigned int i;

	for (i = 0; i < len; i++)
		v |= (u32)cfg[off + i] << (8 * i);
	return v;
}

static void put(u8 *cfg, unsigned int off, unsigned int len, u32 v)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		cfg[off + i] = v >> (8 * i);
}

/* A standard capability header. */
static void std_cap(u8 *cfg, unsigned int pos, u8 id, u8 next)
{
	put(cfg, pos, 1, id);
	put(cfg, pos + 1, 1, next);
}

/* A vendor-specific capability of @len bytes. */
static void vndr_cap(u8 *cfg, unsigned int pos, u8 next, u8 len)
{
	std_cap(cfg, pos, PCI_CAP_ID_VNDR, next);
	put(cfg, pos + PCI_CAP_FLAGS, 1, len);
}

/* An extended capability header (version 1). */
static void ext_cap(u8 *cfg, unsigned int pos, u16 id, u16 next)
{
	put(cfg, pos, 4, id | 1 << 16 | (u32)next << 20);
}

/* A vendor-specific extended capability of @len bytes. */
static void vsec(u8 *cfg, unsigned int pos, u16 next, u16 len)
{
	ext_cap(cfg, pos, PCI_EXT_CAP_ID_VNDR, next);
	put(cfg, pos + PCI_VNDR_HEADER, 4, 0x1234 | 1 << 16 | (u32)len << 20);
}

FIXTURE_SETUP(caps)
{
	memset(self, 0, sizeof(*self));
	put(self->cfg, PCI_VENDOR_ID, 2, 0x1b36);
	put(self->cfg, PCI_DEVICE_ID, 2, 0x0010);
	put(self->cfg, PCI_STATUS, 2, PCI_STATUS_CAP_LIST);
	self->c.size = CFG_SIZE;
	self->c.read = cfg_read;
	self->c.ctx = self->cfg;
	self->c.owner = self->owner;
	self->c.cap = self->cap;
}

FIXTURE_TEARDOWN(caps)
{
}

/* Walk, and open the vendor-specific capabilities as the module does. */
static void walk(FIXTURE_DATA(caps) *self)
{
	uldf_caps_walk(&self->c);
	uldf_caps_open_vendor(&self->c, self->virt, self->write);
}

/* Whether every byte of [off, off + len) has write bits @w. */
static bool writable_is(FIXTURE_DATA(caps) *self, unsigned int off,
			unsigned int len, u8 w)
{
	unsigned int i;

	for (i = off; i < off + len; i++)
		if (self->write[i] != w) {
			fprintf(stderr, "# byte %#x: write bits %#x, expected %#x\n",
				i, self->write[i], w);
			return false;
		}
	return true;
}

/* A list like a real device's: each capability found once, at its size. */
TEST_F(caps, normal_list)
{
	u8 *cfg = self->cfg;

	put(cfg, PCI_CAPABILITY_LIST, 1, 0x40);
	std_cap(cfg, 0x40, PCI_CAP_ID_PM, 0x50);
	std_cap(cfg, 0x50, PCI_CAP_ID_MSI, 0x70);
	put(cfg, 0x50 + PCI_MSI_FLAGS, 2,
	    PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT);
	std_cap(cfg, 0x70, PCI_CAP_ID_MSIX, 0x80);
	std_cap(cfg, 0x80, PCI_CAP_ID_EXP, 0xc0);
	put(cfg, 0x80 + PCI_EXP_FLAGS, 2, 2);	/* v2 endpoint */
	vndr_cap(cfg, 0xc0, 0, 0x10);
	ext_cap(cfg, 0x100, PCI_EXT_CAP_ID_ERR, 0x148);
	vsec(cfg, 0x148, 0, 0x18);
	walk(self);

	ASSERT_EQ(7, self->c.nr);
	EXPECT_EQ(0, self->c.flags);
	EXPECT_EQ(PCI_CAP_ID_PM, self->cap[0].id);
	EXPECT_EQ(0x40, self->cap[0].pos);
	EXPECT_EQ(PCI_PM_SIZEOF, self->cap[0].len);
	EXPECT_EQ(24, self->cap[1].len);	/* 64-bit, per-vector masks */
	EXPECT_EQ(PCI_CAP_MSIX_SIZEOF, self->cap[2].len);
	EXPECT_EQ(PCI_CAP_EXP_ENDPOINT_SIZEOF_V2, self->cap[3].len);
	EXPECT_EQ(0x10, self->cap[4].len);
	EXPECT_EQ(PCI_EXT_CAP_ID_ERR, self->cap[5].id);
	EXPECT_EQ(ULDF_CAP_EXT, self->cap[5].flags);
	EXPECT_EQ(PCI_ERR_ROOT_COMMAND, self->cap[5].len);
	EXPECT_EQ(0x148, self->cap[6].pos);
	EXPECT_EQ(0x18, self->cap[6].len);
	EXPECT_EQ(0, self->cap[0].flags | self->cap[1].flags |
		     self->cap[2].flags | self->cap[3].flags |
		     self->cap[4].flags);

	EXPECT_EQ(1, self->owner[0x40]);
	EXPECT_EQ(ULDF_CAP_NONE, self->owner[0x48]);
	EXPECT_EQ(2, self->owner[0x67]);
	EXPECT_EQ(ULDF_CAP_NONE, self->owner[0x68]);
	EXPECT_EQ(ULDF_CAP_NONE, self->owner[PCI_CAPABILITY_LIST]);

	/* Vendor-specific bodies raw; headers and MSI-X read-only. */
	EXPECT_TRUE(writable_is(self, 0xc0, 2, 0));
	EXPECT_TRUE(writable_is(self, 0xc2, 0xe, 0xff));
	EXPECT_TRUE(writable_is(self, 0xd0, 4, 0));
	EXPECT_TRUE(writable_is(self, 0x148, 8, 0));
	EXPECT_TRUE(writable_is(self, 0x150, 0x10, 0xff));
	EXPECT_TRUE(writable_is(self, 0x70, PCI_CAP_MSIX_SIZEOF, 0));

	/* A table's field inside its capability opens. */
	uldf_caps_open(&self->c, 0, 0x40 + PCI_PM_CTRL, 2, 0, 0x8103,
		       self->virt, self->write);
	EXPECT_EQ(0x03, self->write[0x44]);
	EXPECT_EQ(0x81, self->write[0x45]);
}

/* A list that comes back to itself is walked once. */
TEST_F_TIMEOUT(caps, std_loop, 10)
{
	put(self->cfg, PCI_CAPABILITY_LIST, 1, 0x40);
	vndr_cap(self->cfg, 0x40, 0x50, 8);
	std_cap(self->cfg, 0x50, PCI_CAP_ID_PM, 0x40);
	walk(self);

	EXPECT_EQ(2, self->c.nr);
	EXPECT_EQ(ULDF_CAPS_LOOP, self->c.flags);
	EXPECT_EQ(0x40, self->c.std_stop);
}

/* A next pointer into the header ends the list; nothing there is opened. */
TEST_F(caps, next_into_header)
{
	unsigned int i;

	put(self->cfg, PCI_CAPABILITY_LIST, 1, 0x40);
	vndr_cap(self->cfg, 0x40, 0x10, 8);
	/* What the walk would find at 0x10 if it followed the pointer. */
	vndr_cap(self->cfg, 0x10, 0, 0x30);
	walk(self);

	EXPECT_EQ(1, self->c.nr);
	EXPECT_EQ(ULDF_CAPS_BAD_NEXT, self->c.flags);
	EXPECT_EQ(0x10, self->c.std_stop);
	for (i = 0; i < PCI_STD_HEADER_SIZEOF; i++)
		EXPECT_EQ(ULDF_CAP_NONE, self->owner[i]);
	EXPECT_TRUE(writable_is(self, 0, PCI_STD_HEADER_SIZEOF, 0));

	/* The same from the capability pointer itself. */
	put(self->cfg, PCI_CAPABILITY_LIST, 1, 0x20);
	walk(self);
	EXPECT_EQ(0, self->c.nr);
	EXPECT_EQ(ULDF_CAPS_BAD_NEXT, self->c.flags);
}

/*
 * A vendor-specific capability whose length runs over the MSI-X
 * capability after it: opening it raw would let the user write MSI-X's
 * Message Control and table offset.  The shared bytes stay read-only.
 */
TEST_F(caps, vendor_overlaps_next)
{
	put(self->cfg, PCI_CAPABILITY_LIST, 1, 0x40);
	vndr_cap(self->cfg, 0x40, 0x50, 0x20);
	std_cap(self->cfg, 0x50, PCI_CAP_ID_MSIX, 0);
	walk(self);

	ASSERT_EQ(2, self->c.nr);
	EXPECT_EQ(0, self->cap[0].flags);
	EXPECT_EQ(ULDF_CAP_OVERLAP, self->cap[1].flags);
	EXPECT_EQ(0, self->cap[1].shared_with);
	EXPECT_EQ(0x50, self->cap[1].shared_start);
	EXPECT_EQ(0x5c, self->cap[1].shared_end);
	EXPECT_EQ(ULDF_CAP_SHARED, self->owner[0x50]);
	EXPECT_EQ(ULDF_CAP_SHARED, self->owner[0x5b]);
	EXPECT_TRUE(writable_is(self, 0x42, 0xe, 0xff));
	EXPECT_TRUE(writable_is(self, 0x50, PCI_CAP_MSIX_SIZEOF, 0));
	EXPECT_TRUE(writable_is(self, 0x5c, 4, 0xff));
}

/* The other way round: a vendor capability that starts inside MSI-X. */
TEST_F(caps, vendor_inside_previous)
{
	put(self->cfg, PCI_CAPABILITY_LIST, 1, 0x40);
	std_cap(self->cfg, 0x40, PCI_CAP_ID_MSIX, 0x48);
	vndr_cap(self->cfg, 0x48, 0, 0x10);
	walk(self);

	ASSERT_EQ(2, self->c.nr);
	EXPECT_EQ(ULDF_CAP_OVERLAP, self->cap[1].flags);
	EXPECT_EQ(0x48, self->cap[1].shared_start);
	EXPECT_EQ(0x4c, self->cap[1].shared_end);
	/* The PBA offset register stays read-only. */
	EXPECT_TRUE(writable_is(self, 0x40, PCI_CAP_MSIX_SIZEOF, 0));
	EXPECT_TRUE(writable_is(self, 0x4c, 0xc, 0xff));
}

/*
 * A table's field opens only inside its own capability: DEVCTL2 (0x28) is
 * past the end of a version 1 PCI Express capability, and a field on
 * shared bytes stays closed.
 */
TEST_F(caps, fields_stay_inside_their_capability)
{
	put(self->cfg, PCI_CAPABILITY_LIST, 1, 0x80);
	std_cap(self->cfg, 0x80, PCI_CAP_ID_EXP, 0xa4);
	put(self->cfg, 0x80 + PCI_EXP_FLAGS, 2, 1);	/* v1 endpoint */
	std_cap(self->cfg, 0xa4, PCI_CAP_ID_MSIX, 0x40);
	vndr_cap(self->cfg, 0x40, 0x44, 8);
	std_cap(self->cfg, 0x44, PCI_CAP_ID_PM, 0);
	walk(self);

	ASSERT_EQ(4, self->c.nr);
	EXPECT_EQ(PCI_CAP_EXP_ENDPOINT_SIZEOF_V1, self->cap[0].len);
	uldf_caps_open(&self->c, 0, 0x80 + PCI_EXP_DEVCTL2, 2, 0, 0xffff,
		       self->virt, self->write);
	EXPECT_TRUE(writable_is(self, 0xa8, 2, 0));
	uldf_caps_open(&self->c, 0, 0x80 + PCI_EXP_DEVCTL, 2, 0, 0xffff,
		       self->virt, self->write);
	EXPECT_TRUE(writable_is(self, 0x88, 2, 0xff));
	/* PM (0x44-0x4b) shares 0x44-0x47 with the vendor capability. */
	EXPECT_EQ(ULDF_CAP_OVERLAP, self->cap[3].flags);
	EXPECT_TRUE(writable_is(self, 0x42, 2, 0xff));
	uldf_caps_open(&self->c, 3, 0x44 + PCI_PM_PMC, 2, 0, 0xffff,
		       self->virt, self->write);
	EXPECT_TRUE(writable_is(self, 0x44, 4, 0));
	uldf_caps_open(&self->c, 3, 0x44 + PCI_PM_CTRL, 2, 0, 0xffff,
		       self->virt, self->write);
	EXPECT_TRUE(writable_is(self, 0x48, 2, 0xff));
}

/*
 * A standard capability must end by 0x100: a vendor capability at 0xf0
 * whose length says 0x20 would otherwise open the first extended
 * capability's header.
 */
TEST_F(caps, std_cap_past_end)
{
	put(self->cfg, PCI_CAPABILITY_LIST, 1, 0xf0);
	vndr_cap(self->cfg, 0xf0, 0, 0x20);
	vsec(self->cfg, 0x100, 0, 0x10);
	walk(self);

	ASSERT_EQ(2, self->c.nr);
	EXPECT_EQ(ULDF_CAP_CLIPPED, self->cap[0].flags);
	EXPECT_EQ(0x10, self->cap[0].len);
	EXPECT_TRUE(writable_is(self, 0xf2, 0xe, 0xff));
	EXPECT_TRUE(writable_is(self, 0x100, 8, 0));
	EXPECT_TRUE(writable_is(self, 0x108, 8, 0xff));
}

/* The same in a 256-byte config space (a conventional PCI function). */
TEST_F(caps, std_cap_past_end_of_small_space)
{
	self->c.size = PCI_CFG_SPACE_SIZE;
	put(self->cfg, PCI_CAPABILITY_LIST, 1, 0xf8);
	vndr_cap(self->cfg, 0xf8, 0, 0x40);
	walk(self);

	ASSERT_EQ(1, self->c.nr);
	EXPECT_EQ(ULDF_CAP_CLIPPED, self->cap[0].flags);
	EXPECT_EQ(8, self->cap[0].len);
	EXPECT_TRUE(writable_is(self, 0xfa, 6, 0xff));
}

/* An extended list that loops is walked once (it used to spin forever). */
TEST_F_TIMEOUT(caps, ext_loop, 10)
{
	vsec(self->cfg, 0x100, 0x140, 0x10);
	vsec(self->cfg, 0x140, 0x100, 0x10);
	walk(self);

	EXPECT_EQ(2, self->c.nr);
	EXPECT_EQ(ULDF_CAPS_EXT_LOOP, self->c.flags);
	EXPECT_EQ(0x100, self->c.ext_stop);

	/* A capability that points at itself. */
	vsec(self->cfg, 0x100, 0x100, 0x10);
	walk(self);
	EXPECT_EQ(1, self->c.nr);
	EXPECT_EQ(ULDF_CAPS_EXT_LOOP, self->c.flags);
}

/* An extended next pointer below 0x100 ends the list. */
TEST_F(caps, ext_next_below_0x100)
{
	put(self->cfg, PCI_CAPABILITY_LIST, 1, 0x40);
	vndr_cap(self->cfg, 0x40, 0, 8);
	vsec(self->cfg, 0x100, 0x40, 0x10);
	walk(self);

	EXPECT_EQ(2, self->c.nr);
	EXPECT_EQ(ULDF_CAPS_EXT_BAD_NEXT, self->c.flags);
	EXPECT_EQ(0x40, self->c.ext_stop);
}

/* An extended capability is cut at the end of config space. */
TEST_F(caps, ext_cap_past_end)
{
	vsec(self->cfg, 0x100, 0xff0, 0x10);
	vsec(self->cfg, 0xff0, 0, 0x40);
	walk(self);

	ASSERT_EQ(2, self->c.nr);
	EXPECT_EQ(ULDF_CAP_EXT | ULDF_CAP_CLIPPED, self->cap[1].flags);
	EXPECT_EQ(0x10, self->cap[1].len);
	EXPECT_TRUE(writable_is(self, 0xff8, 8, 0xff));
}

/* A vendor-specific extended capability whose length runs over AER. */
TEST_F(caps, ext_vendor_overlaps_next)
{
	vsec(self->cfg, 0x100, 0x120, 0x40);
	ext_cap(self->cfg, 0x120, PCI_EXT_CAP_ID_ERR, 0);
	walk(self);

	ASSERT_EQ(2, self->c.nr);
	EXPECT_EQ(PCI_EXT_CAP_ID_ERR, self->cap[1].id);
	EXPECT_EQ(ULDF_CAP_EXT | ULDF_CAP_OVERLAP, self->cap[1].flags);
	EXPECT_EQ(0x120, self->cap[1].shared_start);
	EXPECT_EQ(0x140, self->cap[1].shared_end);
	EXPECT_TRUE(writable_is(self, 0x108, 0x18, 0xff));
	/* AER's status registers are not the user's to clear. */
	EXPECT_TRUE(writable_is(self, 0x120, 0x20, 0));
}

/* A function that reads all ones has no capabilities. */
TEST_F(caps, all_ones)
{
	memset(self->cfg, 0xff, sizeof(self->cfg));
	walk(self);

	EXPECT_EQ(0, self->c.nr);
	EXPECT_TRUE(writable_is(self, 0, CFG_SIZE, 0));
}

/* Capabilities count only with the status register's Capabilities List. */
TEST_F(caps, no_capabilities_list)
{
	put(self->cfg, PCI_STATUS, 2, 0);
	put(self->cfg, PCI_CAPABILITY_LIST, 1, 0x40);
	vndr_cap(self->cfg, 0x40, 0, 0x10);
	walk(self);

	EXPECT_EQ(0, self->c.nr);
	EXPECT_TRUE(writable_is(self, 0x40, 0x10, 0));
}

TEST_HARNESS_MAIN
