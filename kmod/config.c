// SPDX-License-Identifier: GPL-2.0
/*
 * uldf config space access: pread() and pwrite() of the config region,
 * through the permission tables of config_perm.c.
 *
 * A read takes each bit from the virtual copy where the tables make it
 * virtual and from the device elsewhere; an access whose bits are all
 * virtual does not reach the device.  A write stores its writable virtual
 * bits in the copy and, if it has writable real bits, writes them to the
 * device as a read-modify-write of the register, in which status bits
 * (uldf_cfg_rw1c()) are written as 0, so that only a 1 the user wrote
 * clears one.  The command/status dword is written byte by byte
 * (uldf_cfg_write_command()).
 *
 * A few fields need more than a mask and are trapped:
 *   BARs and the ROM BAR are fully virtual.  A write stores the value under
 *	the BAR's size mask, so the sizing sequence (write all ones, read)
 *	returns the true size while the device's BAR never moves.
 *   Interrupt Disable (command bit 10) is virtual; its changes mask and
 *	unmask INTx through the IRQ layer, which owns the real bit.
 *   Bus Master Enable is refused when the device can do no safe DMA (no
 *	IOMMU, and no-IOMMU mode off).
 *   Memory and I/O Space Enable reach the device, and are remembered in
 *	cfg.decode: BAR access follows them (rdwr.c), and clearing one zaps
 *	the BAR mappings first.
 *   The power state in PMCSR goes through uldf_set_power() (power.c),
 *	which zaps the BAR mappings on the way to D3hot and restores the
 *	state the function loses there on the way back to D0.
 *   Initiate FLR in the PCIe device control register resets the function
 *	through the PCI core, which saves and restores its state.
 *
 * PCIe Device Control fields that concern more than the function stay the
 * kernel's, as with vfio-pci; the user reads back what it wrote to them:
 *   Max Payload Size is virtual.  It must match the link partner's and the
 *	fabric's, which the kernel set up and the user cannot see; a larger
 *	one would have the device send TLPs its peers treat as malformed.
 *   Max Read Request Size is virtual and trapped: a new value goes to the
 *	device through pcie_set_readrq(), raised to at least the payload
 *	size (vfio's floor) and clamped by the kernel where the bus
 *	configuration (pci=pcie_bus_perf) needs it.
 *   Enable No Snoop is virtual.  It reaches the device only where the
 *	IOMMU enforces cache coherency (domain.c; ULDF_DMA_INFO_COHERENT), so
 *	that the IOMMU snoops the CPU caches whatever the request says.
 *	Elsewhere the device keeps No Snoop off while it is open (the open
 *	turns it off, uldf_config_reset() in config_perm.c): a No Snoop
 *	read could bypass the caches and fetch a page's stale previous
 *	contents, the data of its last owner, from before the kernel
 *	cleared it.  vfio-pci passes the bit through and instead tells KVM
 *	that the guest's DMA is not coherent; uldf has no such partner.
 *   Phantom Functions Enable stays read-only: phantom requester IDs would
 *	escape the IOMMU's view of the function.
 *
 * Every access holds cfg.lock, for the virtual copy, and inside it
 * memory_lock: a write holds memory_lock for write, so whatever it
 * disables is serialised with BAR faults, BAR accesses, resets and the
 * MSI-X table programming; a read holds it for read.  The user's buffer is
 * copied before the locks are taken (and after they are dropped), so an
 * unbind never waits on a user page.
 *
 * Accesses are 1, 2 or 4 bytes at naturally aligned offsets; any other
 * length must be 4-byte aligned in offset and length and is handled as a
 * run of dword accesses.
 */
#include <linux/bitfield.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "uldf_private.h"

static int uldf_hw_read(struct pci_dev *pdev, unsigned int off,
			unsigned int len, u32 *val)
{
	u16 w;
	u8 b;
	int ret;

	switch (len) {
	case 1:
		ret = pci_user_read_config_byte(pdev, off, &b);
		*val = b;
		break;
	case 2:
		ret = pci_user_read_config_word(pdev, off, &w);
		*val = w;
		break;
	default:
		ret = pci_user_read_config_dword(pdev, off, val);
	}
	return ret ? -EIO : 0;
}

static int uldf_hw_write(struct pci_dev *pdev, unsigned int off,
			 unsigned int len, u32 val)
{
	int ret;

	switch (len) {
	case 1:
		ret = pci_user_write_config_byte(pdev, off, val);
		break;
	case 2:
		ret = pci_user_write_config_word(pdev, off, val);
		break;
	default:
		ret = pci_user_write_config_dword(pdev, off, val);
	}
	return ret ? -EIO : 0;
}

/* A write to a BAR or the ROM BAR: keep it, under the size mask. */
static void uldf_cfg_write_bar(struct uldf_config *cfg, unsigned int off,
			       unsigned int len, u32 val)
{
	unsigned int base = off & ~3;
	unsigned int bar = base == PCI_ROM_ADDRESS ? ULDF_NUM_BARS :
			   (base - PCI_BASE_ADDRESS_0) / 4;
	u32 old = uldf_cfg_bits(cfg->vconfig, base, 4);
	u32 keep_mask = bar == ULDF_NUM_BARS ? PCI_ROM_ADDRESS_ENABLE : 0;
	u32 shift = (off - base) * 8;
	u32 lanes = (len == 4 ? ~0U : ((1U << (len * 8)) - 1)) << shift;
	u32 v = (old & ~lanes) | ((val << shift) & lanes);
	u32 ro = cfg->bar_mask[bar] ? ~(cfg->bar_mask[bar] | keep_mask) : ~0U;

	/* Size-mask the address; the low type bits stay as the device has them. */
	v = (v & ~ro) | (old & ro);
	if (!cfg->bar_mask[bar])
		v = 0;
	uldf_cfg_store(cfg->vconfig, base, 4, v);
}

/*
 * PCIe Device Control, as in vfio_exp_config_write(): a new Max Read
 * Request Size (virtual; @old is the user's previous value) goes to the
 * device through pcie_set_readrq(), at least the device's payload size, so
 * a user without the fabric's view cannot make it inefficiently small;
 * the kernel clamps it to the payload size where the bus configuration
 * needs it.  Enable No Snoop (virtual) also reaches the device, in the
 * generic write, where the IOMMU enforces cache coherency.  Max Payload
 * Size is virtual only.
 */
static void uldf_cfg_trap_devctl(struct uldf_device *udev, u32 lanes,
				 u32 dval, u32 *wmask)
{
	struct uldf_config *cfg = &udev->cfg;
	struct pci_dev *pdev = udev->pdev;
	u32 old = uldf_cfg_bits(cfg->vconfig, cfg->exp_cap + PCI_EXP_DEVCTL, 2);
	int rq, ret;

	if ((lanes & PCI_EXP_DEVCTL_NOSNOOP_EN) && uldf_dma_coherent(udev))
		*wmask |= PCI_EXP_DEVCTL_NOSNOOP_EN;

	if (!(lanes & PCI_EXP_DEVCTL_READRQ) ||
	    !((dval ^ old) & PCI_EXP_DEVCTL_READRQ))
		return;
	rq = 128 << FIELD_GET(PCI_EXP_DEVCTL_READRQ, dval);
	rq = max(rq, pcie_get_mps(pdev));
	ret = pcie_set_readrq(pdev, rq);
	if (ret)
		pci_dbg(pdev, "uldf: max read request size %d refused (%d)\n",
			rq, ret);
}

/*
 * Trapped writes: side effects that go through the kernel's own helpers.
 * @base is the dword holding the access, @lanes the bits it writes, @dval
 * the written value in place (only @lanes valid); bits cleared from @wmask
 * (same layout) do not reach the device, virtual bits set in it do.
 * Every trapped register below is 16 bits at a dword-aligned offset
 * (capabilities are dword aligned).
 */
static int uldf_cfg_trap(struct uldf_device *udev, unsigned int base,
			 u32 lanes, u32 dval, u32 *wmask)
{
	struct uldf_config *cfg = &udev->cfg;
	struct pci_dev *pdev = udev->pdev;

	if (base == PCI_COMMAND) {
		bool intx_disable = dval & PCI_COMMAND_INTX_DISABLE;
		u16 decode = PCI_COMMAND_MEMORY | PCI_COMMAND_IO;

		/* Not with the BARs a fatal error left unassigned. */
		if (lanes & dval & decode) {
			int ret = uldf_restore_lost_config(udev);

			if (ret)
				return ret;
		}
		decode = (cfg->decode & ~(lanes & decode)) |
			 (dval & lanes & decode);
		if (cfg->decode & ~decode)
			uldf_bar_zap(udev);
		cfg->decode = decode;

		if ((lanes & dval & PCI_COMMAND_MASTER) &&
		    !uldf_dma_allowed(udev)) {
			pci_info_ratelimited(pdev, "uldf: bus mastering refused: no IOMMU and no-IOMMU mode is off\n");
			*wmask &= ~(u32)PCI_COMMAND_MASTER;
		}
		if ((lanes & PCI_COMMAND_INTX_DISABLE) &&
		    intx_disable != cfg->virt_intx_disable) {
			cfg->virt_intx_disable = intx_disable;
			uldf_irq_intx_virt_disable(udev, intx_disable);
		}
	}

	if (cfg->pm_cap && base == cfg->pm_cap + PCI_PM_CTRL &&
	    (lanes & PCI_PM_CTRL_STATE_MASK) &&
	    (uldf_cfg_bits(cfg->write, base, 2) & PCI_PM_CTRL_STATE_MASK)) {
		*wmask &= ~(u32)PCI_PM_CTRL_STATE_MASK;
		return uldf_set_power(udev, (__force pci_power_t)
				      (dval & PCI_PM_CTRL_STATE_MASK));
	}

	if (cfg->exp_cap && base == cfg->exp_cap + PCI_EXP_DEVCTL)
		uldf_cfg_trap_devctl(udev, lanes, dval, wmask);

	if (cfg->exp_cap && base == cfg->exp_cap + PCI_EXP_DEVCTL &&
	    (lanes & dval & PCI_EXP_DEVCTL_BCR_FLR)) {
		u32 devcap;

		*wmask &= ~(u32)PCI_EXP_DEVCTL_BCR_FLR;
		pcie_capability_read_dword(pdev, PCI_EXP_DEVCAP, &devcap);
		if (devcap & PCI_EXP_DEVCAP_FLR) {
			uldf_bar_zap(udev);
			return uldf_reset_function(udev);
		}
	}
	return 0;
}

/*
 * The command/status dword: write the command register's bytes one by one,
 * and only those whose writable bits change.  The IRQ layer's handler sets
 * the real Interrupt Disable bit (in the high byte) at any moment; a
 * read-modify-write of the whole register could clear it behind its back.
 * The status register gets exactly the 1s the user wrote to its
 * write-one-to-clear bits, and nothing at all if there are none: what was
 * read back is never written to it.
 */
static int uldf_cfg_write_command(struct uldf_device *udev, unsigned int off,
				  unsigned int len, u32 val, u32 hwmask)
{
	u16 clear = 0;
	unsigned int i;
	int ret;

	for (i = 0; i < len; i++) {
		unsigned int reg = off + i;
		u8 m = hwmask >> (8 * i), v = val >> (8 * i);
		u8 cur;

		if (!m)
			continue;
		if (reg >= PCI_STATUS) {
			clear |= (u16)(v & m) << (8 * (reg - PCI_STATUS));
			continue;
		}
		ret = pci_user_read_config_byte(udev->pdev, reg, &cur);
		if (ret)
			return -EIO;
		if (!((cur ^ v) & m))
			continue;
		ret = pci_user_write_config_byte(udev->pdev, reg,
						 (cur & ~m) | (v & m));
		if (ret)
			return -EIO;
	}
	if (clear && pci_user_write_config_word(udev->pdev, PCI_STATUS, clear))
		return -EIO;
	return 0;
}

/* Read one naturally aligned access of @len (1, 2, 4) bytes at @off. */
static int uldf_cfg_read_one(struct uldf_device *udev, unsigned int off,
			     unsigned int len, u32 *val)
{
	struct uldf_config *cfg = &udev->cfg;
	u32 virt = uldf_cfg_bits(cfg->virt, off, len);
	u32 hw = 0;
	int ret;

	if (virt != (len == 4 ? ~0U : (1U << (len * 8)) - 1)) {
		ret = uldf_hw_read(udev->pdev, off, len, &hw);
		if (ret)
			return ret;
	}
	*val = (hw & ~virt) | (uldf_cfg_bits(cfg->vconfig, off, len) & virt);
	return 0;
}

/* Write one naturally aligned access of @len (1, 2, 4) bytes at @off. */
static int uldf_cfg_write_one(struct uldf_device *udev, unsigned int off,
			      unsigned int len, u32 val)
{
	struct uldf_config *cfg = &udev->cfg;
	u32 virt = uldf_cfg_bits(cfg->virt, off, len);
	u32 write = uldf_cfg_bits(cfg->write, off, len);
	u32 hwmask, hw, vv, lanes, dwmask, shift;
	int ret;

	if ((off & ~3) >= PCI_BASE_ADDRESS_0 && (off & ~3) <= PCI_ROM_ADDRESS &&
	    ((off & ~3) <= PCI_BASE_ADDRESS_5 || (off & ~3) == PCI_ROM_ADDRESS)) {
		uldf_cfg_write_bar(cfg, off, len, val);
		return 0;
	}

	hwmask = write & ~virt;
	shift = (off & 3) * 8;
	lanes = (len == 4 ? ~0U : (1U << (len * 8)) - 1) << shift;
	dwmask = hwmask << shift;
	ret = uldf_cfg_trap(udev, off & ~3, lanes, val << shift, &dwmask);
	if (ret)
		return ret;
	hwmask = dwmask >> shift;

	vv = uldf_cfg_bits(cfg->vconfig, off, len);
	vv = (vv & ~(virt & write)) | (val & virt & write);
	uldf_cfg_store(cfg->vconfig, off, len, vv);

	if (!hwmask)
		return 0;
	if ((off & ~3) == PCI_COMMAND)
		return uldf_cfg_write_command(udev, off, len, val, hwmask);
	ret = uldf_hw_read(udev->pdev, off, len, &hw);
	if (ret)
		return ret;
	hw &= ~uldf_cfg_rw1c(udev, off, len);
	hw = (hw & ~hwmask) | (val & hwmask);
	return uldf_hw_write(udev->pdev, off, len, hw);
}

/* The accesses of one pread()/pwrite(), on a kernel copy @kbuf. */
static int uldf_config_access(struct uldf_device *udev, __le32 *kbuf,
			      size_t count, loff_t pos, bool write)
{
	size_t done;
	int ret = 0;

	for (done = 0; done < count && !ret; done += 4) {
		unsigned int len = min_t(size_t, count - done, 4);
		u32 val;

		if (write) {
			ret = uldf_cfg_write_one(udev, pos + done, len,
						 le32_to_cpu(kbuf[done / 4]));
		} else {
			ret = uldf_cfg_read_one(udev, pos + done, len, &val);
			kbuf[done / 4] = cpu_to_le32(val);
		}
	}
	return ret;
}

/**
 * uldf_config_rw() - pread()/pwrite() of config space.
 * @udev:	the device; no lock held.
 * @buf:	user buffer of @count bytes.
 * @count:	1, 2 or 4 at a naturally aligned @pos, or a multiple of 4
 *		at a 4-byte aligned @pos.
 * @pos:	offset in config space.
 * @write:	direction.
 *
 * Reads show the device's registers through the virtualisation described
 * at the top of this file and of config_perm.c; writes change only what
 * the tables allow.  The user's buffer is copied in before, and out after,
 * the accesses, which run under cfg.lock and memory_lock (held for write
 * by a write).  A multi-dword access that fails part way has made the
 * accesses before the failing dword.
 *
 * Return: @count; -EINVAL for an access beyond config space or misaligned;
 * -EFAULT for a bad buffer; -ENOMEM; -EIO if the device does not answer
 * or refuses a power state; -EAGAIN if a trapped FLR cannot take the
 * device lock; -ENODEV once the device is removed.
 */
ssize_t uldf_config_rw(struct uldf_device *udev, char __user *buf,
		       size_t count, loff_t pos, bool write)
{
	struct uldf_config *cfg = &udev->cfg;
	__le32 *kbuf;
	int ret;

	if (pos >= cfg->size || count > cfg->size - pos)
		return -EINVAL;
	if (count == 1 || count == 2 || count == 4) {
		if (!IS_ALIGNED(pos, count))
			return -EINVAL;
	} else if (!IS_ALIGNED(pos, 4) || !IS_ALIGNED(count, 4)) {
		return -EINVAL;
	}

	kbuf = kzalloc(ALIGN(count, 4), GFP_KERNEL);
	if (!kbuf)
		return -ENOMEM;
	if (write && copy_from_user(kbuf, buf, count)) {
		ret = -EFAULT;
		goto out_free;
	}

	mutex_lock(&cfg->lock);
	if (write)
		down_write(&udev->memory_lock);
	else
		down_read(&udev->memory_lock);
	ret = udev->removed ? -ENODEV :
	      uldf_config_access(udev, kbuf, count, pos, write);
	if (write)
		up_write(&udev->memory_lock);
	else
		up_read(&udev->memory_lock);
	mutex_unlock(&cfg->lock);

	if (!ret && !write && copy_to_user(buf, kbuf, count))
		ret = -EFAULT;
out_free:
	kfree(kbuf);
	return ret ? ret : count;
}
