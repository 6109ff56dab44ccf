// SPDX-License-Identifier: GPL-2.0
/*
 * vmm-glue's logic against a fake host: a config space laid out like
 * QEMU's NVMe controller (PM, MSI with 4 vectors and per-vector masking,
 * MSI-X with 8 vectors in BAR0, PCI Express), a BAR backed by plain memory, and host
 * calls that record what vmm-glue asked for.  Checks what a guest would
 * see (config values, BAR sizing, the capability chain with MSI/MSI-X
 * hidden, the MSI-X table and PBA, BARs that stop decoding when the guest
 * turns decoding off or enters D3hot) and what the host is asked to do
 * (vectors opened, masked, re-triggered; INTx EOIs; DMA maps; no change
 * to its own decoding or power state).
 */
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"
#include "vg.h"

#define NVEC		8
#define TABLE_OFF	0x2000
#define PBA_OFF		0x3000
#define BAR0_SIZE	0x4000
#define CAP_PM		0x40
#define CAP_MSI		0x50
#define CAP_MSIX	0x70
#define CAP_EXP		0x80
#define MSI_NVEC	4		/* the MSI capability's vectors */
#define MMC_4		(2 << 1)	/* Multiple Message Capable: 4 */
#define MME(n)		((n) << 4)	/* Multiple Message Enable: 2^n */

#define MAX_CALLS	64

struct call {
	char what;	/* o open, c close, m mask, u unmask, t trigger, M map, U unmap, r/w bar */
	int type;
	unsigned int index;
	unsigned int count;
	u64 a, b;
};

struct cfg_write {
	unsigned int off;
	unsigned int len;
};

struct fake {
	u8 cfg[4096];
	int cfg_writes;
	unsigned int last_wr_off;
	u32 last_wr_val;
	struct cfg_write cfg_log[MAX_CALLS];
	struct call calls[MAX_CALLS];
	int ncalls;
	int fail_open;
	int fail_map_at;	/* fail the n-th dma_map (1-based), 0: never */
	int nmaps;
	u8 bar0[BAR0_SIZE];
};

static void rec(struct fake *f, char what, int type, unsigned int index,
		unsigned int count, u64 a, u64 b)
{
	if (f->ncalls < MAX_CALLS)
		f->calls[f->ncalls++] = (struct call){ what, type, index, count,
						       a, b };
}

/* Host config writes that touched [@off, @off + @len). */
static int host_cfg_writes(struct fake *f, unsigned int off, unsigned int len)
{
	int i, n = 0;

	for (i = 0; i < f->cfg_writes && i < MAX_CALLS; i++)
		if (f->cfg_log[i].off < off + len &&
		    off < f->cfg_log[i].off + f->cfg_log[i].len)
			n++;
	return n;
}

static int count_calls(struct fake *f, char what, int type, int index)
{
	int i, n = 0;

	for (i = 0; i < f->ncalls; i++)
		if (f->calls[i].what == what &&
		    (type < 0 || f->calls[i].type == type) &&
		    (index < 0 || f->calls[i].index == (unsigned int)index))
			n++;
	return n;
}

/* The last call of kind @what on @type (a zeroed one if none). */
static struct call last_call(struct fake *f, char what, int type)
{
	int i;

	for (i = f->ncalls - 1; i >= 0; i--)
		if (f->calls[i].what == what && f->calls[i].type == type)
			return f->calls[i];
	return (struct call){ 0 };
}

/*
 * Config space is backed by f->cfg; BAR accesses are recorded and read
 * back a fixed pattern.
 */
static int f_rw(void *h, unsigned int region, u64 off, void *buf,
		unsigned int len, bool write)
{
	struct fake *f = h;
	u64 v = 0;

	if (region == VG_CFG) {
		if (!write) {
			memcpy(buf, f->cfg + off, len);
			return 0;
		}
		memcpy(f->cfg + off, buf, len);
		memcpy(&v, buf, len);
		if (f->cfg_writes < MAX_CALLS)
			f->cfg_log[f->cfg_writes] = (struct cfg_write){ off, len };
		f->cfg_writes++;
		f->last_wr_off = off;
		f->last_wr_val = v;
		return 0;
	}
	if (write) {
		memcpy(&v, buf, len);
		rec(h, 'w', region, off, len, v, 0);
	} else {
		rec(h, 'r', region, off, len, 0, 0);
		v = 0x5a5a5a5a5a5a5a5aULL;
		memcpy(buf, &v, len);
	}
	return 0;
}

static int f_irq_open(void *h, int type, unsigned int first,
		      unsigned int count)
{
	struct fake *f = h;

	if (f->fail_open) {
		f->fail_open--;
		return -ENOSPC;
	}
	rec(f, 'o', type, first, count, 0, 0);
	return 0;
}

static void f_irq_close(void *h, int type)
{
	rec(h, 'c', type, 0, 0, 0, 0);
}

static int f_irq_mask(void *h, int type, unsigned int index, bool mask)
{
	rec(h, mask ? 'm' : 'u', type, index, 0, 0, 0);
	return 0;
}

static int f_irq_trigger(void *h, int type, unsigned int index)
{
	rec(h, 't', type, index, 0, 0, 0);
	return 0;
}

static int f_dma_map(void *h, u64 iova, u64 hva, u64 size)
{
	struct fake *f = h;

	if (f->fail_map_at && ++f->nmaps == f->fail_map_at)
		return -ENOMEM;
	rec(f, 'M', 0, 0, 0, iova, size);
	return 0;
}

static int f_dma_unmap(void *h, u64 iova, u64 size)
{
	rec(h, 'U', 0, 0, 0, iova, size);
	return 0;
}

static const struct vg_ops fake_ops = {
	.rw = f_rw,
	.irq_open = f_irq_open,
	.irq_close = f_irq_close,
	.irq_mask = f_irq_mask,
	.irq_trigger = f_irq_trigger,
	.dma_map = f_dma_map,
	.dma_unmap = f_dma_unmap,
};

static void put16(u8 *c, unsigned int off, u16 v)
{
	memcpy(c + off, &v, 2);
}

static void put32(u8 *c, unsigned int off, u32 v)
{
	memcpy(c + off, &v, 4);
}

static void fake_init(struct fake *f)
{
	u8 *c = f->cfg;

	memset(f, 0, sizeof(*f));
	put16(c, PCI_VENDOR_ID, 0x1b36);
	put16(c, PCI_DEVICE_ID, 0x0010);
	/* Decoding on, as the host module leaves it. */
	put16(c, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	put16(c, PCI_STATUS, PCI_STATUS_CAP_LIST);
	put32(c, PCI_CLASS_REVISION, 0x01080202);
	c[PCI_HEADER_TYPE] = 0x80;		/* multi-function */
	put32(c, PCI_BASE_ADDRESS_0, 0xfebd0004);	/* the host's address */
	put32(c, PCI_BASE_ADDRESS_2, 0xfe000008);
	put32(c, PCI_BASE_ADDRESS_4, 0xc001);
	c[PCI_INTERRUPT_LINE] = 11;
	c[PCI_INTERRUPT_PIN] = 1;
	c[PCI_CAPABILITY_LIST] = CAP_PM;
	c[CAP_PM] = PCI_CAP_ID_PM;
	c[CAP_PM + 1] = CAP_MSI;
	put16(c, CAP_PM + PCI_PM_PMC, 3);	/* version 1.2, D0 and D3 only */
	put16(c, CAP_PM + PCI_PM_CTRL, 0);	/* D0, No_Soft_Reset clear */
	c[CAP_MSI] = PCI_CAP_ID_MSI;
	c[CAP_MSI + 1] = CAP_MSIX;
	/* 64-bit, per-vector mask, 4 vectors capable */
	put16(c, CAP_MSI + PCI_MSI_FLAGS, PCI_MSI_FLAGS_64BIT |
	      PCI_MSI_FLAGS_MASKBIT | MMC_4);
	c[CAP_MSIX] = PCI_CAP_ID_MSIX;
	c[CAP_MSIX + 1] = CAP_EXP;
	put16(c, CAP_MSIX + PCI_MSIX_FLAGS, NVEC - 1);
	put32(c, CAP_MSIX + PCI_MSIX_TABLE, TABLE_OFF | 0);
	put32(c, CAP_MSIX + PCI_MSIX_PBA, PBA_OFF | 0);
	c[CAP_EXP] = PCI_CAP_ID_EXP;
	c[CAP_EXP + 1] = 0;
	put32(c, 0x100, 0x12345678);		/* an extended capability */
}

static void desc_init(struct vg_dev_desc *desc, struct fake *f, u32 flags)
{
	memset(desc, 0, sizeof(*desc));
	desc->cfg_size = 4096;
	desc->flags = flags;
	desc->bar[0].size = BAR0_SIZE;
	desc->bar[0].flags = VG_BAR_MEM64;
	desc->bar[0].map = f->bar0;
	desc->bar[0].nr_direct = 1;
	desc->bar[0].direct[0] = (struct vg_range){ 0, 0x2000 };
	desc->bar[2].size = 0x1000;
	desc->bar[2].flags = VG_BAR_PREFETCH;
	desc->bar[4].size = 32;
	desc->bar[4].flags = VG_BAR_IO;
}

static u32 cfg(struct vg_dev *d, unsigned int off, unsigned int len)
{
	u32 v = 0xdeadbeef;

	if (vg_cfg_read(d, off, len, &v))
		return 0xdeadbeef;
	return v;
}

/* The guest's capability chain, as IDs in order. */
static int cap_chain(struct vg_dev *d, u8 *ids, int max)
{
	unsigned int pos = cfg(d, PCI_CAPABILITY_LIST, 1);
	int n = 0;

	if (!(cfg(d, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
		return 0;
	while (pos && n < max) {
		ids[n++] = cfg(d, pos, 1);
		pos = cfg(d, pos + 1, 1);
	}
	return n;
}

static void msix_entry(struct vg_dev *d, unsigned int i, u64 addr,
		       u32 data, bool masked)
{
	u64 base = TABLE_OFF + i * PCI_MSIX_ENTRY_SIZE;

	vg_bar_write(d, 0, base, 8, addr);
	vg_bar_write(d, 0, base + 8, 4, data);
	vg_bar_write(d, 0, base + 12, 4, masked);
}

FIXTURE(vg) {
	struct fake f;
	struct vg_dev d;
	struct vg_dev_desc desc;
};

FIXTURE_VARIANT(vg) {
	u32 flags;
};

FIXTURE_VARIANT_ADD(vg, plain) {
	.flags = 0,
};

FIXTURE_VARIANT_ADD(vg, auto_irq) {
	.flags = VG_AUTO_IRQ,
};

FIXTURE_SETUP(vg)
{
	fake_init(&self->f);
	desc_init(&self->desc, &self->f, variant->flags);
	ASSERT_EQ(0, vg_dev_init(&self->d, &fake_ops, &self->f, &self->desc));
}

FIXTURE_TEARDOWN(vg)
{
	vg_dev_exit(&self->d);
}

TEST_F(vg, ids_and_header)
{
	EXPECT_EQ(0x1b36, cfg(&self->d, PCI_VENDOR_ID, 2));
	EXPECT_EQ(0x0010, cfg(&self->d, PCI_DEVICE_ID, 2));
	EXPECT_EQ(0x00101b36, cfg(&self->d, 0, 4));
	EXPECT_EQ(0x01080202, cfg(&self->d, PCI_CLASS_REVISION, 4));
	/* Every function is alone in its slot. */
	EXPECT_EQ(0, cfg(&self->d, PCI_HEADER_TYPE, 1));
	EXPECT_EQ(1, cfg(&self->d, PCI_INTERRUPT_PIN, 1));
	/* Extended config space is the host's. */
	EXPECT_EQ(0x12345678, cfg(&self->d, 0x100, 4));
}

TEST_F(vg, bad_config_access)
{
	u32 v;

	EXPECT_EQ(-EINVAL, vg_cfg_read(&self->d, 1, 2, &v));
	EXPECT_EQ(-EINVAL, vg_cfg_read(&self->d, 0, 3, &v));
	EXPECT_EQ(-EINVAL, vg_cfg_read(&self->d, 4096, 1, &v));
	EXPECT_EQ(-EINVAL, vg_cfg_write(&self->d, 4094, 4, 0));
	EXPECT_EQ(0, self->f.cfg_writes);
}

TEST_F(vg, bar_sizing)
{
	/* BARs start unassigned, with the host's type bits. */
	EXPECT_EQ(PCI_BASE_ADDRESS_MEM_TYPE_64, cfg(&self->d, PCI_BASE_ADDRESS_0, 4));
	EXPECT_EQ(PCI_BASE_ADDRESS_MEM_PREFETCH, cfg(&self->d, PCI_BASE_ADDRESS_2, 4));
	EXPECT_EQ(PCI_BASE_ADDRESS_SPACE_IO, cfg(&self->d, PCI_BASE_ADDRESS_4, 4));
	EXPECT_EQ(0, cfg(&self->d, PCI_BASE_ADDRESS_3, 4));

	/* Sizing: all ones reads back the size mask. */
	vg_cfg_write(&self->d, PCI_BASE_ADDRESS_0, 4, ~0U);
	vg_cfg_write(&self->d, PCI_BASE_ADDRESS_1, 4, ~0U);
	EXPECT_EQ(0xffffc004, cfg(&self->d, PCI_BASE_ADDRESS_0, 4));
	EXPECT_EQ(0xffffffff, cfg(&self->d, PCI_BASE_ADDRESS_1, 4));
	vg_cfg_write(&self->d, PCI_BASE_ADDRESS_2, 4, ~0U);
	EXPECT_EQ(0xfffff008, cfg(&self->d, PCI_BASE_ADDRESS_2, 4));
	vg_cfg_write(&self->d, PCI_BASE_ADDRESS_4, 4, ~0U);
	EXPECT_EQ(0xffffffe1, cfg(&self->d, PCI_BASE_ADDRESS_4, 4));
	vg_cfg_write(&self->d, PCI_BASE_ADDRESS_3, 4, ~0U);
	EXPECT_EQ(0, cfg(&self->d, PCI_BASE_ADDRESS_3, 4));
	vg_cfg_write(&self->d, PCI_ROM_ADDRESS, 4, ~0U);
	EXPECT_EQ(0, cfg(&self->d, PCI_ROM_ADDRESS, 4));

	/* Assignment, including above 4 GiB and by halves. */
	vg_cfg_write(&self->d, PCI_BASE_ADDRESS_0, 4, 0xc0004000);
	vg_cfg_write(&self->d, PCI_BASE_ADDRESS_1, 4, 0x1);
	EXPECT_EQ(0x1c0004000ULL, vg_bar_addr(&self->d, 0));
	vg_cfg_write(&self->d, PCI_BASE_ADDRESS_0 + 2, 2, 0xc123);
	EXPECT_EQ(0x1c1234000ULL, vg_bar_addr(&self->d, 0));
	vg_cfg_write(&self->d, PCI_BASE_ADDRESS_2, 4, 0xc0100000);
	EXPECT_EQ(0xc0100000ULL, vg_bar_addr(&self->d, 2));
	EXPECT_EQ(0, vg_bar_addr(&self->d, 1));
	EXPECT_EQ(0, vg_bar_addr(&self->d, 3));

	/* The host's BARs never saw any of it. */
	EXPECT_EQ(0, self->f.cfg_writes);
}

TEST_F(vg, line_and_decode_are_virtual)
{
	vg_cfg_write(&self->d, PCI_INTERRUPT_LINE, 1, 42);
	EXPECT_EQ(42, cfg(&self->d, PCI_INTERRUPT_LINE, 1));
	EXPECT_EQ(11, self->f.cfg[PCI_INTERRUPT_LINE]);
	EXPECT_EQ(0, self->f.cfg_writes);

	/* The rest of the command register is the host's... */
	vg_cfg_write(&self->d, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	EXPECT_EQ(1, self->f.cfg_writes);
	EXPECT_EQ(PCI_COMMAND, self->f.last_wr_off);
	EXPECT_EQ(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER,
		  cfg(&self->d, PCI_COMMAND, 2));
	/* ... but its decoding is left as the host had it. */
	EXPECT_EQ(PCI_COMMAND_MEMORY | PCI_COMMAND_IO | PCI_COMMAND_MASTER,
		  self->f.last_wr_val);

	/* Restoring the command/status dword: only what changes goes out. */
	vg_cfg_write(&self->d, PCI_COMMAND, 4, PCI_COMMAND_MASTER |
		     (PCI_STATUS_CAP_LIST << 16));
	EXPECT_EQ(1, self->f.cfg_writes);
	EXPECT_EQ(PCI_COMMAND_MASTER, cfg(&self->d, PCI_COMMAND, 2));
	/* A status bit the guest clears (write one) reaches the host. */
	vg_cfg_write(&self->d, PCI_COMMAND, 4, PCI_COMMAND_MASTER |
		     ((PCI_STATUS_CAP_LIST | PCI_STATUS_REC_MASTER_ABORT) << 16));
	EXPECT_EQ(2, self->f.cfg_writes);
	EXPECT_EQ(PCI_COMMAND_MEMORY | PCI_COMMAND_IO | PCI_COMMAND_MASTER |
		  ((PCI_STATUS_CAP_LIST | PCI_STATUS_REC_MASTER_ABORT) << 16),
		  self->f.last_wr_val);
}

/*
 * Expect every kind of BAR access to read all ones, drop writes and reach
 * no host (BAR0's mapping, its host-call range and MSI-X table, memory
 * BAR2 and I/O BAR4), or, with @on, to reach them.
 */
static void bars_decode(struct __test_metadata *_metadata, struct vg_dev *d,
			struct fake *f, bool on)
{
	int reads = count_calls(f, 'r', -1, -1);
	int writes = count_calls(f, 'w', -1, -1);
	u64 v;

	memcpy(f->bar0 + 0x10, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	ASSERT_EQ(0, vg_bar_read(d, 0, 0x10, 8, &v));
	EXPECT_EQ(on ? 0x8877665544332211ULL : ~0ULL, v);
	ASSERT_EQ(0, vg_bar_read(d, 0, 0x12, 2, &v));
	EXPECT_EQ(on ? 0x4433 : 0xffff, v);
	ASSERT_EQ(0, vg_bar_read(d, 0, 0x11, 1, &v));
	EXPECT_EQ(on ? 0x22 : 0xff, v);
	ASSERT_EQ(0, vg_bar_write(d, 0, 0x10, 4, 0xcafef00d));
	EXPECT_EQ(0, memcmp(f->bar0 + 0x10, on ? "\x0d\xf0\xfe\xca" :
			    "\x11\x22\x33\x44", 4));
	ASSERT_EQ(0, vg_bar_read(d, 0, TABLE_OFF + 12, 4, &v));
	EXPECT_EQ(on ? 1 : 0xffffffff, v);	/* vector 0 masked */

	ASSERT_EQ(0, vg_bar_read(d, 0, 0x3800, 4, &v));
	EXPECT_EQ(on ? 0x5a5a5a5aULL : 0xffffffffULL, v);
	ASSERT_EQ(0, vg_bar_read(d, 2, 0, 4, &v));
	ASSERT_EQ(0, vg_bar_write(d, 2, 8, 4, 1));
	ASSERT_EQ(0, vg_bar_write(d, 4, 4, 2, 7));
	EXPECT_EQ(reads + (on ? 2 : 0), count_calls(f, 'r', -1, -1));
	EXPECT_EQ(writes + (on ? 2 : 0), count_calls(f, 'w', -1, -1));
}

TEST_F(vg, memory_space_off)
{
	u16 cmd = cfg(&self->d, PCI_COMMAND, 2);
	u64 v;

	/* The guest starts with the host's decoding. */
	ASSERT_EQ(PCI_COMMAND_MEMORY | PCI_COMMAND_IO, cmd);
	bars_decode(_metadata, &self->d, &self->f, true);

	/* Linux around BAR sizing and a reset: decoding off... */
	vg_cfg_write(&self->d, PCI_COMMAND, 2,
		     cmd & ~(PCI_COMMAND_MEMORY | PCI_COMMAND_IO));
	EXPECT_EQ(0, cfg(&self->d, PCI_COMMAND, 2));
	bars_decode(_metadata, &self->d, &self->f, false);

	/* ... and on again.  The host's command register never changed. */
	vg_cfg_write(&self->d, PCI_COMMAND, 2, cmd);
	EXPECT_EQ(cmd, cfg(&self->d, PCI_COMMAND, 2));
	bars_decode(_metadata, &self->d, &self->f, true);
	EXPECT_EQ(0, host_cfg_writes(&self->f, PCI_COMMAND, 2));
	EXPECT_EQ(PCI_COMMAND_MEMORY | PCI_COMMAND_IO,
		  self->f.cfg[PCI_COMMAND]);

	/* I/O Space Enable alone: the memory BARs still decode. */
	vg_cfg_write(&self->d, PCI_COMMAND, 1, PCI_COMMAND_MEMORY);
	ASSERT_EQ(0, vg_bar_read(&self->d, 0, 0x10, 4, &v));
	EXPECT_EQ(0xcafef00dULL, v);
	ASSERT_EQ(0, vg_bar_read(&self->d, 4, 4, 2, &v));
	EXPECT_EQ(0xffff, v);
	EXPECT_EQ(0, count_calls(&self->f, 'r', 4, -1));
	EXPECT_EQ(0, host_cfg_writes(&self->f, PCI_COMMAND, 2));
}

TEST_F(vg, d3hot)
{
	const unsigned int pmcsr = CAP_PM + PCI_PM_CTRL;
	u16 v;

	/* No_Soft_Reset reads 1: the guest's D3hot keeps the state. */
	EXPECT_EQ(PCI_PM_CTRL_NO_SOFT_RESET, cfg(&self->d, pmcsr, 2));

	/* Linux's pci_set_power_state(): read, set the state, write. */
	v = cfg(&self->d, pmcsr, 2);
	vg_cfg_write(&self->d, pmcsr, 2, v | 3);
	EXPECT_EQ(PCI_PM_CTRL_NO_SOFT_RESET | 3, cfg(&self->d, pmcsr, 2));
	/* The guest's decoding bits stay as it set them, but do not decode. */
	EXPECT_EQ(PCI_COMMAND_MEMORY | PCI_COMMAND_IO,
		  cfg(&self->d, PCI_COMMAND, 2));
	bars_decode(_metadata, &self->d, &self->f, false);

	/* D1 is not offered: the write leaves the function in D3hot. */
	vg_cfg_write(&self->d, pmcsr, 2, PCI_PM_CTRL_NO_SOFT_RESET | 1);
	EXPECT_EQ(PCI_PM_CTRL_NO_SOFT_RESET | 3, cfg(&self->d, pmcsr, 2));
	bars_decode(_metadata, &self->d, &self->f, false);

	vg_cfg_write(&self->d, pmcsr, 2, PCI_PM_CTRL_NO_SOFT_RESET);
	EXPECT_EQ(PCI_PM_CTRL_NO_SOFT_RESET, cfg(&self->d, pmcsr, 2));
	bars_decode(_metadata, &self->d, &self->f, true);

	/* The host function stayed in D0, its PMCSR never written. */
	EXPECT_EQ(0, host_cfg_writes(&self->f, pmcsr, 2));
	EXPECT_EQ(0, self->f.cfg[pmcsr] & PCI_PM_CTRL_STATE_MASK);

	/* PME_Status is the host's: a one written clears it there. */
	self->f.cfg[pmcsr + 1] = PCI_PM_CTRL_PME_STATUS >> 8;
	EXPECT_EQ(PCI_PM_CTRL_PME_STATUS | PCI_PM_CTRL_NO_SOFT_RESET,
		  cfg(&self->d, pmcsr, 2));
	vg_cfg_write(&self->d, pmcsr, 2, PCI_PM_CTRL_PME_STATUS |
		     PCI_PM_CTRL_NO_SOFT_RESET | 3);
	EXPECT_EQ(1, host_cfg_writes(&self->f, pmcsr, 2));
	EXPECT_EQ(pmcsr, self->f.last_wr_off);
	EXPECT_EQ(PCI_PM_CTRL_PME_STATUS, self->f.last_wr_val);
	EXPECT_EQ(3, cfg(&self->d, pmcsr, 2) & PCI_PM_CTRL_STATE_MASK);
}

TEST_F(vg, caps_visible)
{
	u8 ids[8];

	ASSERT_EQ(4, cap_chain(&self->d, ids, 8));
	EXPECT_EQ(PCI_CAP_ID_PM, ids[0]);
	EXPECT_EQ(PCI_CAP_ID_MSI, ids[1]);
	EXPECT_EQ(PCI_CAP_ID_MSIX, ids[2]);
	EXPECT_EQ(PCI_CAP_ID_EXP, ids[3]);
	/* MSI and MSI-X offer the host's vectors, disabled. */
	EXPECT_EQ(PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT | MMC_4,
		  cfg(&self->d, CAP_MSI + PCI_MSI_FLAGS, 2));
	EXPECT_EQ(NVEC - 1, cfg(&self->d, CAP_MSIX + PCI_MSIX_FLAGS, 2));
	EXPECT_EQ(TABLE_OFF, cfg(&self->d, CAP_MSIX + PCI_MSIX_TABLE, 4));
}

TEST_F(vg, msix_table_and_masks)
{
	struct vg_msg msg;
	u64 v;

	/* The table reads back what was written; reserved bits stay 0. */
	msix_entry(&self->d, 3, 0xfee01000, 0x4043, true);
	vg_bar_write(&self->d, 0, TABLE_OFF + 3 * 16 + 12, 4, 0xfffffffe);
	ASSERT_EQ(0, vg_bar_read(&self->d, 0, TABLE_OFF + 3 * 16, 8, &v));
	EXPECT_EQ(0xfee01000ULL, v);
	ASSERT_EQ(0, vg_bar_read(&self->d, 0, TABLE_OFF + 3 * 16 + 8, 8, &v));
	EXPECT_EQ(0x4043ULL, v);	/* control: masked bit cleared, rest 0 */
	vg_bar_write(&self->d, 0, TABLE_OFF + 3 * 16 + 12, 4, 1);
	ASSERT_EQ(0, vg_bar_read(&self->d, 0, TABLE_OFF + 5 * 16 + 12, 4, &v));
	EXPECT_EQ(1, v);		/* reset state: masked */
	EXPECT_TRUE(vg_bar_emulated(&self->d, 0, TABLE_OFF, 4));
	EXPECT_TRUE(vg_bar_emulated(&self->d, 0, PBA_OFF, 8));
	EXPECT_FALSE(vg_bar_emulated(&self->d, 0, 0x1000, 4));

	/* The guest's enable sequence: enable with the function masked. */
	vg_cfg_write(&self->d, CAP_MSIX + PCI_MSIX_FLAGS, 2,
		     PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	if (!(variant->flags & VG_AUTO_IRQ)) {
		EXPECT_EQ(0, count_calls(&self->f, 'o', -1, -1));
		ASSERT_EQ(0, vg_irq_open(&self->d, VG_IRQ_MSIX, 0, NVEC));
	}
	EXPECT_EQ(1, count_calls(&self->f, 'o', VG_IRQ_MSIX, 0));
	EXPECT_EQ(VG_IRQ_MSIX, self->d.mode);
	/* Every new host vector is masked at once. */
	EXPECT_EQ(NVEC, count_calls(&self->f, 'm', VG_IRQ_MSIX, -1));
	EXPECT_EQ(0, count_calls(&self->f, 'u', VG_IRQ_MSIX, -1));

	msix_entry(&self->d, 0, 0xfee00000, 0x4041, false);
	/* Still function-masked: no host unmask, and no delivery. */
	EXPECT_EQ(0, count_calls(&self->f, 'u', VG_IRQ_MSIX, -1));
	EXPECT_FALSE(vg_irq_fire(&self->d, VG_IRQ_MSIX, 0, &msg));
	ASSERT_EQ(0, vg_bar_read(&self->d, 0, PBA_OFF, 8, &v));
	EXPECT_EQ(1, v);

	/* Function unmasked: vector 0 unmasks and its held interrupt replays. */
	vg_cfg_write(&self->d, CAP_MSIX + PCI_MSIX_FLAGS, 2,
		     PCI_MSIX_FLAGS_ENABLE);
	EXPECT_EQ(1, count_calls(&self->f, 'u', VG_IRQ_MSIX, 0));
	EXPECT_EQ(0, count_calls(&self->f, 'u', VG_IRQ_MSIX, 3));
	EXPECT_EQ(1, count_calls(&self->f, 't', VG_IRQ_MSIX, 0));
	ASSERT_EQ(0, vg_bar_read(&self->d, 0, PBA_OFF, 8, &v));
	EXPECT_EQ(0, v);

	/* Delivery uses the guest's message. */
	memset(&msg, 0, sizeof(msg));
	EXPECT_TRUE(vg_irq_fire(&self->d, VG_IRQ_MSIX, 0, &msg));
	EXPECT_EQ(0xfee00000ULL, msg.addr);
	EXPECT_EQ(0x4041, msg.data);
	EXPECT_FALSE(vg_irq_fire(&self->d, VG_IRQ_MSIX, 3, &msg));
	EXPECT_FALSE(vg_irq_fire(&self->d, VG_IRQ_MSIX, NVEC, &msg));

	/* A per-vector mask reaches the host; the same write again does not. */
	vg_bar_write(&self->d, 0, TABLE_OFF + 12, 4, 1);
	vg_bar_write(&self->d, 0, TABLE_OFF + 12, 4, 1);
	EXPECT_EQ(NVEC + 1, count_calls(&self->f, 'm', VG_IRQ_MSIX, -1));
	EXPECT_FALSE(vg_irq_fire(&self->d, VG_IRQ_MSIX, 0, &msg));
}

TEST_F(vg, bar_direct_and_fallback)
{
	u64 v;

	memcpy(self->f.bar0 + 0x10, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	ASSERT_EQ(0, vg_bar_read(&self->d, 0, 0x10, 8, &v));
	EXPECT_EQ(0x8877665544332211ULL, v);
	ASSERT_EQ(0, vg_bar_read(&self->d, 0, 0x12, 2, &v));
	EXPECT_EQ(0x4433, v);
	ASSERT_EQ(0, vg_bar_write(&self->d, 0, 0x1008, 4, 0xcafef00d));
	EXPECT_EQ(0, memcmp(self->f.bar0 + 0x1008, "\x0d\xf0\xfe\xca", 4));
	EXPECT_EQ(0, count_calls(&self->f, 'r', -1, -1));
	EXPECT_EQ(0, count_calls(&self->f, 'w', -1, -1));

	/* Outside the direct range (but not the table): host calls. */
	ASSERT_EQ(0, vg_bar_read(&self->d, 0, 0x3800, 4, &v));
	EXPECT_EQ(0x5a5a5a5aULL, v);	/* 4 bytes of the pattern, no more */
	EXPECT_EQ(1, count_calls(&self->f, 'r', 0, 0x3800));
	ASSERT_EQ(0, vg_bar_read(&self->d, 2, 0, 4, &v));
	EXPECT_EQ(1, count_calls(&self->f, 'r', 2, 0));
	ASSERT_EQ(0, vg_bar_write(&self->d, 4, 4, 2, 7));
	EXPECT_EQ(1, count_calls(&self->f, 'w', 4, 4));

	EXPECT_EQ(-EINVAL, vg_bar_read(&self->d, 0, 0x11, 4, &v));
	EXPECT_EQ(-EINVAL, vg_bar_read(&self->d, 0, BAR0_SIZE, 4, &v));
	EXPECT_EQ(-EINVAL, vg_bar_read(&self->d, 1, 0, 4, &v));
	EXPECT_EQ(-EINVAL, vg_bar_read(&self->d, 0, 0, 3, &v));
	EXPECT_EQ(-EINVAL, vg_bar_write(&self->d, 6, 0, 4, 0));
}

TEST_F(vg, intx_eoi_loop)
{
	struct vg_msg msg;

	ASSERT_EQ(0, vg_irq_open(&self->d, VG_IRQ_INTX, 0, 1));
	EXPECT_EQ(1, count_calls(&self->f, 'o', VG_IRQ_INTX, 0));

	/* Fire: the host masked the line; EOI unmasks it, once. */
	EXPECT_TRUE(vg_irq_fire(&self->d, VG_IRQ_INTX, 0, &msg));
	EXPECT_EQ(0, count_calls(&self->f, 'u', VG_IRQ_INTX, 0));
	vg_intx_eoi(&self->d);
	EXPECT_EQ(1, count_calls(&self->f, 'u', VG_IRQ_INTX, 0));
	vg_intx_eoi(&self->d);
	EXPECT_EQ(1, count_calls(&self->f, 'u', VG_IRQ_INTX, 0));

	/* Guest masked: the EOI is deferred to the unmask. */
	vg_intx_mask(&self->d, true);
	EXPECT_EQ(1, count_calls(&self->f, 'm', VG_IRQ_INTX, 0));
	EXPECT_TRUE(vg_irq_fire(&self->d, VG_IRQ_INTX, 0, &msg));
	vg_intx_eoi(&self->d);
	EXPECT_EQ(1, count_calls(&self->f, 'u', VG_IRQ_INTX, 0));
	vg_intx_mask(&self->d, false);
	EXPECT_EQ(2, count_calls(&self->f, 'u', VG_IRQ_INTX, 0));

	/* Masking while an interrupt waits for its EOI needs no host call. */
	EXPECT_TRUE(vg_irq_fire(&self->d, VG_IRQ_INTX, 0, &msg));
	vg_intx_mask(&self->d, true);
	EXPECT_EQ(1, count_calls(&self->f, 'm', VG_IRQ_INTX, 0));
	vg_intx_mask(&self->d, false);
	EXPECT_EQ(3, count_calls(&self->f, 'u', VG_IRQ_INTX, 0));
}

TEST_F(vg, mechanisms_exclude)
{
	ASSERT_EQ(0, vg_irq_open(&self->d, VG_IRQ_INTX, 0, 1));
	/* MSI-X closes INTx on the host first... */
	ASSERT_EQ(0, vg_irq_open(&self->d, VG_IRQ_MSIX, 0, 2));
	EXPECT_EQ(1, count_calls(&self->f, 'c', VG_IRQ_INTX, -1));
	EXPECT_FALSE(self->d.intx.open);
	EXPECT_EQ(-EBUSY, vg_irq_open(&self->d, VG_IRQ_MSI, 0, 1));
	EXPECT_EQ(-EBUSY, vg_irq_open(&self->d, VG_IRQ_MSIX, 1, 2));
	ASSERT_EQ(0, vg_irq_open(&self->d, VG_IRQ_MSIX, 2, 6));
	EXPECT_EQ(-ERANGE, vg_irq_open(&self->d, VG_IRQ_MSIX, 8, 1));
	/* ... and INTx comes back when it closes. */
	vg_irq_close(&self->d, VG_IRQ_MSIX);
	EXPECT_EQ(1, count_calls(&self->f, 'c', VG_IRQ_MSIX, -1));
	EXPECT_EQ(2, count_calls(&self->f, 'o', VG_IRQ_INTX, 0));
	EXPECT_TRUE(self->d.intx.open);

	/* A failed open restores INTx. */
	self->f.fail_open = 1;
	EXPECT_EQ(-ENOSPC, vg_irq_open(&self->d, VG_IRQ_MSI, 0, 1));
	self->f.fail_open = 0;
	EXPECT_EQ(VG_IRQ_INTX, self->d.mode);
	EXPECT_EQ(3, count_calls(&self->f, 'o', VG_IRQ_INTX, 0));
	EXPECT_EQ(-EINVAL, vg_irq_open(&self->d, 7, 0, 1));
}

/* The guest's MSI programming: message, then enable with 2^@mme vectors. */
static void msi_program(struct vg_dev *d, u32 data, unsigned int mme)
{
	vg_cfg_write(d, CAP_MSI + PCI_MSI_ADDRESS_LO, 4, 0xfee00003);
	vg_cfg_write(d, CAP_MSI + PCI_MSI_ADDRESS_HI, 4, 0);
	vg_cfg_write(d, CAP_MSI + PCI_MSI_DATA_64, 2, data);
	vg_cfg_write(d, CAP_MSI + PCI_MSI_FLAGS, 2,
		     PCI_MSI_FLAGS_ENABLE | MME(mme));
}

TEST_F(vg, msi_one_vector)
{
	struct vg_msg msg;
	unsigned int mask = CAP_MSI + PCI_MSI_MASK_64;

	msi_program(&self->d, 0x4055, 0);
	EXPECT_EQ(0xfee00000, cfg(&self->d, CAP_MSI + PCI_MSI_ADDRESS_LO, 4));
	EXPECT_EQ(PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT | MMC_4 |
		  PCI_MSI_FLAGS_ENABLE, cfg(&self->d, CAP_MSI + PCI_MSI_FLAGS, 2));
	if (!(variant->flags & VG_AUTO_IRQ))
		ASSERT_EQ(0, vg_irq_open(&self->d, VG_IRQ_MSI, 0, 1));
	EXPECT_EQ(1, count_calls(&self->f, 'o', VG_IRQ_MSI, 0));
	EXPECT_EQ(1, last_call(&self->f, 'o', VG_IRQ_MSI).count);
	EXPECT_EQ(0, count_calls(&self->f, 'm', VG_IRQ_MSI, 0));
	ASSERT_TRUE(vg_irq_fire(&self->d, VG_IRQ_MSI, 0, &msg));
	EXPECT_EQ(0xfee00000ULL, msg.addr);
	EXPECT_EQ(0x4055, msg.data);

	/* Per-vector mask: held pending, visible, replayed on unmask. */
	vg_cfg_write(&self->d, mask, 4, 0xffffffff);
	EXPECT_EQ((1U << MSI_NVEC) - 1, cfg(&self->d, mask, 4));
	EXPECT_EQ(1, count_calls(&self->f, 'm', VG_IRQ_MSI, 0));
	EXPECT_FALSE(vg_irq_fire(&self->d, VG_IRQ_MSI, 0, &msg));
	EXPECT_EQ(1, cfg(&self->d, CAP_MSI + PCI_MSI_PENDING_64, 4));
	vg_cfg_write(&self->d, mask, 4, 0);
	EXPECT_EQ(1, count_calls(&self->f, 'u', VG_IRQ_MSI, 0));
	EXPECT_EQ(1, count_calls(&self->f, 't', VG_IRQ_MSI, 0));
	EXPECT_EQ(0, cfg(&self->d, CAP_MSI + PCI_MSI_PENDING_64, 4));

	/* Disabling closes the host vectors only with VG_AUTO_IRQ. */
	vg_cfg_write(&self->d, CAP_MSI + PCI_MSI_FLAGS, 2, 0);
	EXPECT_EQ(variant->flags & VG_AUTO_IRQ ? 1 : 0,
		  count_calls(&self->f, 'c', VG_IRQ_MSI, -1));
}

TEST_F(vg, msi_mme_clamped_to_mmc)
{
	const unsigned int flags = CAP_MSI + PCI_MSI_FLAGS;
	const u16 ro = PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT | MMC_4;
	unsigned int i;
	int opens;

	/* Each allocation up to the capable one reads back as written... */
	for (i = 0; i <= 2; i++) {
		vg_cfg_write(&self->d, flags, 2, MME(i));
		EXPECT_EQ(ro | MME(i), cfg(&self->d, flags, 2));
	}
	/* ... one beyond it (8, 32, the reserved 7) reads as the capable. */
	for (i = 3; i <= 7; i++) {
		vg_cfg_write(&self->d, flags, 2, MME(i));
		EXPECT_EQ(ro | MME(2), cfg(&self->d, flags, 2));
	}
	/* Capable, 64-bit and Per-Vector Masking are read-only. */
	vg_cfg_write(&self->d, flags, 2, 0);
	EXPECT_EQ(ro, cfg(&self->d, flags, 2));
	vg_cfg_write(&self->d, flags, 1, 0xff);
	EXPECT_EQ(ro | MME(2) | PCI_MSI_FLAGS_ENABLE, cfg(&self->d, flags, 2));
	/* The capability never reaches the host's config space. */
	EXPECT_EQ(0, host_cfg_writes(&self->f, CAP_MSI, 24));

	/* The host is never asked for more vectors than the function has. */
	vg_cfg_write(&self->d, flags, 2, 0);
	opens = count_calls(&self->f, 'o', VG_IRQ_MSI, -1);
	EXPECT_EQ(-ERANGE, vg_irq_open(&self->d, VG_IRQ_MSI, 0, MSI_NVEC + 1));
	EXPECT_EQ(-ERANGE, vg_irq_open(&self->d, VG_IRQ_MSI, 3, 2));
	EXPECT_EQ(opens, count_calls(&self->f, 'o', VG_IRQ_MSI, -1));
	/* An enable with "8" opens the 4 there are (VG_AUTO_IRQ). */
	vg_cfg_write(&self->d, flags, 2, PCI_MSI_FLAGS_ENABLE | MME(3));
	if (variant->flags & VG_AUTO_IRQ) {
		ASSERT_EQ(opens + 1, count_calls(&self->f, 'o', VG_IRQ_MSI, 0));
		EXPECT_EQ(MSI_NVEC, last_call(&self->f, 'o', VG_IRQ_MSI).count);
	}
}

TEST_F(vg, msi_multi_delivery)
{
	struct vg_msg msg;
	unsigned int i;

	/* Linux's multi-MSI data has zero low bits; two vectors allocated. */
	msi_program(&self->d, 0x4060, 1);
	if (!(variant->flags & VG_AUTO_IRQ))
		ASSERT_EQ(0, vg_irq_open(&self->d, VG_IRQ_MSI, 0, 2));
	ASSERT_EQ(1, count_calls(&self->f, 'o', VG_IRQ_MSI, 0));
	EXPECT_EQ(VG_IRQ_MSI, self->d.mode);

	/* Each host vector is delivered as its own guest vector. */
	for (i = 0; i < 2; i++) {
		memset(&msg, 0, sizeof(msg));
		ASSERT_TRUE(vg_irq_fire(&self->d, VG_IRQ_MSI, i, &msg));
		EXPECT_EQ(0xfee00000ULL, msg.addr);
		EXPECT_EQ(0x4060 + i, msg.data);
	}
	/* The function replaces the allocated low bits, and only those. */
	vg_cfg_write(&self->d, CAP_MSI + PCI_MSI_DATA_64, 2, 0x4063);
	ASSERT_TRUE(vg_irq_fire(&self->d, VG_IRQ_MSI, 0, &msg));
	EXPECT_EQ(0x4062, msg.data);
	ASSERT_TRUE(vg_irq_fire(&self->d, VG_IRQ_MSI, 1, &msg));
	EXPECT_EQ(0x4063, msg.data);
	/* Beyond the guest's allocation or the function: not delivered. */
	EXPECT_FALSE(vg_irq_fire(&self->d, VG_IRQ_MSI, 2, &msg));
	EXPECT_FALSE(vg_irq_fire(&self->d, VG_IRQ_MSI, MSI_NVEC, &msg));

	/* All four: vector 3 carries 3 in its low two bits. */
	vg_cfg_write(&self->d, CAP_MSI + PCI_MSI_FLAGS, 2, 0);
	vg_irq_close(&self->d, VG_IRQ_MSI);
	msi_program(&self->d, 0x4070, 2);
	if (!(variant->flags & VG_AUTO_IRQ))
		ASSERT_EQ(0, vg_irq_open(&self->d, VG_IRQ_MSI, 0, MSI_NVEC));
	EXPECT_EQ(2, count_calls(&self->f, 'o', VG_IRQ_MSI, 0));
	EXPECT_EQ(MSI_NVEC, last_call(&self->f, 'o', VG_IRQ_MSI).count);
	for (i = 0; i < MSI_NVEC; i++) {
		ASSERT_TRUE(vg_irq_fire(&self->d, VG_IRQ_MSI, i, &msg));
		EXPECT_EQ(0x4070 + i, msg.data);
	}
}

TEST_F(vg, msi_multi_masks)
{
	unsigned int mask = CAP_MSI + PCI_MSI_MASK_64;
	unsigned int pending = CAP_MSI + PCI_MSI_PENDING_64;
	struct vg_msg msg;

	/* Opened before the guest enables (the UML guest's order). */
	if (!(variant->flags & VG_AUTO_IRQ)) {
		ASSERT_EQ(0, vg_irq_open(&self->d, VG_IRQ_MSI, 0, MSI_NVEC));
		/* Disabled: every new host vector is masked at once. */
		EXPECT_EQ(MSI_NVEC, count_calls(&self->f, 'm', VG_IRQ_MSI, -1));
	}
	/* Enabled with vector 2 masked: the others unmask on the host. */
	vg_cfg_write(&self->d, mask, 4, BIT(2));
	msi_program(&self->d, 0x4080, 2);
	EXPECT_EQ(1, count_calls(&self->f, 'o', VG_IRQ_MSI, 0));
	EXPECT_EQ(BIT(2), cfg(&self->d, mask, 4));
	EXPECT_EQ(variant->flags & VG_AUTO_IRQ ? 1 : MSI_NVEC,
		  count_calls(&self->f, 'm', VG_IRQ_MSI, -1));
	EXPECT_EQ(1, count_calls(&self->f, 'm', VG_IRQ_MSI, 2));
	EXPECT_EQ(0, count_calls(&self->f, 'u', VG_IRQ_MSI, 2));
	EXPECT_EQ(variant->flags & VG_AUTO_IRQ ? 0 : 1,
		  count_calls(&self->f, 'u', VG_IRQ_MSI, 3));

	/* Vector 2 fires masked: pending bit 2 only; the others deliver. */
	EXPECT_FALSE(vg_irq_fire(&self->d, VG_IRQ_MSI, 2, &msg));
	EXPECT_EQ(BIT(2), cfg(&self->d, pending, 4));
	ASSERT_TRUE(vg_irq_fire(&self->d, VG_IRQ_MSI, 3, &msg));
	EXPECT_EQ(0x4083, msg.data);
	EXPECT_EQ(BIT(2), cfg(&self->d, pending, 4));

	/* Masking vector 1 too touches only vector 1 on the host. */
	vg_cfg_write(&self->d, mask, 4, BIT(1) | BIT(2));
	EXPECT_EQ(1, count_calls(&self->f, 'm', VG_IRQ_MSI, 1) -
		  (variant->flags & VG_AUTO_IRQ ? 0 : 1));
	EXPECT_FALSE(vg_irq_fire(&self->d, VG_IRQ_MSI, 1, &msg));
	EXPECT_EQ(BIT(1) | BIT(2), cfg(&self->d, pending, 4));
	/* The pending register is read-only. */
	vg_cfg_write(&self->d, pending, 4, 0);
	EXPECT_EQ(BIT(1) | BIT(2), cfg(&self->d, pending, 4));

	/* Unmasking 2 replays 2 alone, and clears its pending bit alone. */
	vg_cfg_write(&self->d, mask, 4, BIT(1));
	EXPECT_EQ(1, count_calls(&self->f, 't', VG_IRQ_MSI, 2));
	EXPECT_EQ(0, count_calls(&self->f, 't', VG_IRQ_MSI, 1));
	EXPECT_EQ(BIT(1), cfg(&self->d, pending, 4));
	/* Mask bits beyond the function's vectors are reserved: read 0. */
	vg_cfg_write(&self->d, mask, 4, 0xffffffff);
	EXPECT_EQ((1U << MSI_NVEC) - 1, cfg(&self->d, mask, 4));
	vg_cfg_write(&self->d, mask, 4, 0);
	EXPECT_EQ(1, count_calls(&self->f, 't', VG_IRQ_MSI, 1));
	EXPECT_EQ(0, cfg(&self->d, pending, 4));
}

TEST(msi_32_vectors)
{
	struct vg_dev_desc desc;
	struct vg_msg msg;
	struct vg_dev d;
	struct fake f;
	unsigned int i;

	/* 32-bit address, no per-vector masking, 32 vectors capable. */
	fake_init(&f);
	put16(f.cfg, CAP_MSI + PCI_MSI_FLAGS, 5 << 1);
	desc_init(&desc, &f, 0);
	ASSERT_EQ(0, vg_dev_init(&d, &fake_ops, &f, &desc));
	EXPECT_EQ(5 << 1, cfg(&d, CAP_MSI + PCI_MSI_FLAGS, 2));
	EXPECT_EQ(32, d.msi.nvec);
	vg_cfg_write(&d, CAP_MSI + PCI_MSI_ADDRESS_LO, 4, 0xfee00000);
	vg_cfg_write(&d, CAP_MSI + PCI_MSI_DATA_32, 2, 0x4100);
	vg_cfg_write(&d, CAP_MSI + PCI_MSI_FLAGS, 2,
		     PCI_MSI_FLAGS_ENABLE | MME(5));
	EXPECT_EQ((5 << 1) | MME(5) | PCI_MSI_FLAGS_ENABLE,
		  cfg(&d, CAP_MSI + PCI_MSI_FLAGS, 2));
	ASSERT_EQ(0, vg_irq_open(&d, VG_IRQ_MSI, 0, 32));
	EXPECT_EQ(-ERANGE, vg_irq_open(&d, VG_IRQ_MSI, 0, 33));
	for (i = 0; i < 32; i++) {
		ASSERT_TRUE(vg_irq_fire(&d, VG_IRQ_MSI, i, &msg));
		EXPECT_EQ(0xfee00000ULL, msg.addr);
		EXPECT_EQ(0x4100 + i, msg.data);
	}
	/* No mask register: writes past the data are dropped. */
	EXPECT_EQ(0, count_calls(&f, 'm', VG_IRQ_MSI, -1));
	vg_dev_exit(&d);

	/* A reserved Multiple Message Capable (6, 7) offers 32. */
	fake_init(&f);
	put16(f.cfg, CAP_MSI + PCI_MSI_FLAGS, 7 << 1);
	ASSERT_EQ(0, vg_dev_init(&d, &fake_ops, &f, &desc));
	EXPECT_EQ(5 << 1, cfg(&d, CAP_MSI + PCI_MSI_FLAGS, 2));
	vg_dev_exit(&d);
}

TEST(hidden_caps)
{
	struct vg_dev_desc desc;
	struct vg_dev d;
	struct fake f;
	u8 ids[8];
	u64 v;

	fake_init(&f);
	desc_init(&desc, &f, VG_HIDE_MSI | VG_HIDE_MSIX);
	ASSERT_EQ(0, vg_dev_init(&d, &fake_ops, &f, &desc));
	ASSERT_EQ(2, cap_chain(&d, ids, 8));
	EXPECT_EQ(PCI_CAP_ID_PM, ids[0]);
	EXPECT_EQ(PCI_CAP_ID_EXP, ids[1]);
	EXPECT_EQ(0, cfg(&d, CAP_MSI, 4));
	EXPECT_EQ(0, cfg(&d, CAP_MSIX, 4));
	EXPECT_EQ(0, cfg(&d, CAP_MSIX + PCI_MSIX_TABLE, 4));
	vg_cfg_write(&d, CAP_MSIX + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	vg_cfg_write(&d, CAP_MSI + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE);
	EXPECT_EQ(0, f.cfg_writes);
	EXPECT_EQ(-ENODEV, vg_irq_open(&d, VG_IRQ_MSIX, 0, 1));
	EXPECT_EQ(-ENODEV, vg_irq_open(&d, VG_IRQ_MSI, 0, 1));
	/* The table area is plain BAR space again: host calls. */
	EXPECT_FALSE(vg_bar_emulated(&d, 0, TABLE_OFF, 4));
	ASSERT_EQ(0, vg_bar_read(&d, 0, TABLE_OFF, 4, &v));
	EXPECT_EQ(1, count_calls(&f, 'r', 0, TABLE_OFF));
	vg_dev_exit(&d);

	/* Hiding the first capability relinks the list head. */
	fake_init(&f);
	f.cfg[PCI_CAPABILITY_LIST] = CAP_MSI;
	desc_init(&desc, &f, VG_HIDE_MSI | VG_HIDE_MSIX);
	ASSERT_EQ(0, vg_dev_init(&d, &fake_ops, &f, &desc));
	ASSERT_EQ(1, cap_chain(&d, ids, 8));
	EXPECT_EQ(PCI_CAP_ID_EXP, ids[0]);
	vg_dev_exit(&d);
}

TEST(d2_when_offered)
{
	const unsigned int pmcsr = CAP_PM + PCI_PM_CTRL;
	struct vg_dev_desc desc;
	struct vg_dev d;
	struct fake f;
	u64 v;

	fake_init(&f);
	put16(f.cfg, CAP_PM + PCI_PM_PMC, 3 | PCI_PM_CAP_D2);
	desc_init(&desc, &f, 0);
	ASSERT_EQ(0, vg_dev_init(&d, &fake_ops, &f, &desc));
	vg_cfg_write(&d, pmcsr, 2, 2);
	EXPECT_EQ(PCI_PM_CTRL_NO_SOFT_RESET | 2, cfg(&d, pmcsr, 2));
	ASSERT_EQ(0, vg_bar_read(&d, 2, 0, 4, &v));
	EXPECT_EQ(0xffffffffULL, v);
	vg_cfg_write(&d, pmcsr, 2, 1);		/* D1 is not */
	EXPECT_EQ(PCI_PM_CTRL_NO_SOFT_RESET | 2, cfg(&d, pmcsr, 2));
	EXPECT_EQ(0, count_calls(&f, 'r', -1, -1));
	EXPECT_EQ(0, f.cfg_writes);
	vg_dev_exit(&d);
}

TEST(dma_whole)
{
	struct vg_dev_desc desc;
	struct vg_dev d;
	struct fake f;

	fake_init(&f);
	desc_init(&desc, &f, 0);
	ASSERT_EQ(0, vg_dev_init(&d, &fake_ops, &f, &desc));
	ASSERT_EQ(0, vg_dma_add_ram(&d, 0x1000000, 0x7f0000000000ULL, 0x8000000));
	EXPECT_EQ(1, count_calls(&f, 'M', -1, -1));
	EXPECT_EQ(0x1000000ULL, f.calls[0].a);
	EXPECT_EQ(0x8000000ULL, f.calls[0].b);
	EXPECT_EQ(-EEXIST, vg_dma_add_ram(&d, 0x8000000, 0x7f0100000000ULL, 0x1000000));
	EXPECT_EQ(-EINVAL, vg_dma_add_ram(&d, 0x20000800, 0x7f0200000000ULL, 0x1000));
	EXPECT_EQ(-EINVAL, vg_dma_add_ram(&d, 0x20000000, 0x7f0200000000ULL, 0));
	/* Use is only checked. */
	EXPECT_EQ(0, vg_dma_get(&d, 0x1000000, 0x1000));
	EXPECT_EQ(-ENOENT, vg_dma_get(&d, 0x8fff000, 0x2000));
	EXPECT_EQ(-ENOENT, vg_dma_get(&d, 0, 0x1000));
	EXPECT_EQ(1, count_calls(&f, 'M', -1, -1));
	vg_dev_exit(&d);
	EXPECT_EQ(1, count_calls(&f, 'U', -1, -1));
}

TEST(dma_on_demand)
{
	const u64 g = 0x200000, base = 0x1000000;
	struct vg_dev_desc desc;
	struct vg_dev d;
	struct fake f;

	fake_init(&f);
	desc_init(&desc, &f, VG_DMA_ON_DEMAND);
	desc.dma_budget = 2 * g;
	ASSERT_EQ(0, vg_dev_init(&d, &fake_ops, &f, &desc));
	ASSERT_EQ(0, vg_dma_add_ram(&d, base, 0x7f0000000000ULL, 16 * g));
	EXPECT_EQ(0, count_calls(&f, 'M', -1, -1));

	/* A buffer across a granule boundary maps both granules, once. */
	ASSERT_EQ(0, vg_dma_get(&d, base + g - 0x1000, 0x2000));
	ASSERT_EQ(0, vg_dma_get(&d, base + g, 0x1000));
	EXPECT_EQ(2, count_calls(&f, 'M', -1, -1));
	EXPECT_EQ(2 * g, d.dma.mapped);

	/* Released granules stay cached up to the budget... */
	vg_dma_put(&d, base + g - 0x1000, 0x2000);
	EXPECT_EQ(0, count_calls(&f, 'U', -1, -1));
	vg_dma_put(&d, base + g, 0x1000);
	ASSERT_EQ(0, vg_dma_get(&d, base + 5 * g, 0x1000));
	vg_dma_put(&d, base + 5 * g, 0x1000);
	/* ... then the least recently released goes first (granule 0). */
	EXPECT_EQ(1, count_calls(&f, 'U', -1, -1));
	EXPECT_EQ(base, f.calls[f.ncalls - 1].a);
	EXPECT_EQ(2 * g, d.dma.mapped);

	/* A cached granule is reused without a host call. */
	ASSERT_EQ(0, vg_dma_get(&d, base + g, 0x1000));
	EXPECT_EQ(3, count_calls(&f, 'M', -1, -1));

	/* A failure in the middle leaves nothing in use. */
	f.fail_map_at = 2;
	EXPECT_EQ(-ENOMEM, vg_dma_get(&d, base + 8 * g, 3 * g));
	EXPECT_EQ(0, d.dma.refs[0][8]);		/* mapped, idle */
	EXPECT_EQ(-1, d.dma.refs[0][9]);
	EXPECT_EQ(-1, d.dma.refs[0][10]);
	f.fail_map_at = 0;
	EXPECT_EQ(-ENOENT, vg_dma_get(&d, base + 15 * g, 2 * g));
	EXPECT_GE(0, d.dma.refs[0][15]);
	EXPECT_EQ(1, d.dma.refs[0][1]);
	EXPECT_GE(2 * g, d.dma.idle);

	vg_dev_exit(&d);
	EXPECT_EQ(0, d.dma.mapped);
	EXPECT_EQ(count_calls(&f, 'M', -1, -1), count_calls(&f, 'U', -1, -1));
}

TEST_HARNESS_MAIN
