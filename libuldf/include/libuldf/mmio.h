/* SPDX-License-Identifier: MIT */
/*
 * libuldf: MMIO accessors and memory barriers.
 *
 * A BAR mapped with uldf_bar_map() is uncached device memory.  These
 * helpers access it with one volatile load or store of the named width
 * (the device sees exactly one access of that size) and add the barriers a
 * driver needs around DMA, in the manner of the kernel's readl()/writel():
 *
 *  - uldf_mmio_writeN() orders the store after every earlier store of the
 *    CPU to normal memory, so a descriptor or data written to a DMA buffer
 *    is visible to the device before the doorbell or "start" register
 *    write that makes the device read it (a DMA write barrier before the
 *    store).
 *  - uldf_mmio_readN() orders the load before every later load from normal
 *    memory, so data read from a DMA buffer after a status register said
 *    "done" is not stale (a DMA read barrier after the load).
 *  - the _relaxed variants add no barrier.  Accesses to the same device
 *    stay in program order among themselves (uncached memory on x86,
 *    Device-nGnRE on arm64), but not with respect to DMA memory.
 *
 * Barriers, by architecture:
 *
 *  ============== ============= ============= ===========================
 *  helper         x86-64        arm64         other
 *  ============== ============= ============= ===========================
 *  uldf_mb        mfence        dsb sy        sequentially consistent fence
 *  uldf_rmb       lfence        dsb ld        sequentially consistent fence
 *  uldf_wmb       sfence        dsb st        sequentially consistent fence
 *  uldf_dma_rmb   compiler only dmb oshld     acquire fence
 *  uldf_dma_wmb   compiler only dmb oshst     release fence
 *  ============== ============= ============= ===========================
 *
 * On x86 stores are not reordered with other stores and uncached accesses
 * are not reordered with anything, so the DMA barriers only have to stop
 * the compiler.  uldf_wmb() is needed on x86 only for write-combining
 * mappings (ULDF_BAR_MAP_WC): it drains the write-combining buffers, so
 * call it after filling a WC area and before the doorbell.
 *
 * Everything here is static inline; nothing is exported for it.  This
 * header can be used alone.
 */
#ifndef LIBULDF_MMIO_H
#define LIBULDF_MMIO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__x86_64__) || defined(__i386__)
#define ULDF__MB()	__asm__ __volatile__("mfence" ::: "memory")
#define ULDF__RMB()	__asm__ __volatile__("lfence" ::: "memory")
#define ULDF__WMB()	__asm__ __volatile__("sfence" ::: "memory")
#define ULDF__DMA_RMB()	__asm__ __volatile__("" ::: "memory")
#define ULDF__DMA_WMB()	__asm__ __volatile__("" ::: "memory")
#elif defined(__aarch64__)
#define ULDF__MB()	__asm__ __volatile__("dsb sy" ::: "memory")
#define ULDF__RMB()	__asm__ __volatile__("dsb ld" ::: "memory")
#define ULDF__WMB()	__asm__ __volatile__("dsb st" ::: "memory")
#define ULDF__DMA_RMB()	__asm__ __volatile__("dmb oshld" ::: "memory")
#define ULDF__DMA_WMB()	__asm__ __volatile__("dmb oshst" ::: "memory")
#else
#define ULDF__MB()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define ULDF__RMB()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define ULDF__WMB()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define ULDF__DMA_RMB()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define ULDF__DMA_WMB()	__atomic_thread_fence(__ATOMIC_RELEASE)
#endif

/**
 * uldf_mb() - full barrier: every earlier load and store, to memory or
 * MMIO, completes before any later one.
 */
static inline void uldf_mb(void)
{
	ULDF__MB();
}

/**
 * uldf_rmb() - every earlier load, from memory or MMIO, completes before
 * any later load.
 */
static inline void uldf_rmb(void)
{
	ULDF__RMB();
}

/**
 * uldf_wmb() - every earlier store, to memory or MMIO (write-combining
 * included), completes before any later store.
 */
static inline void uldf_wmb(void)
{
	ULDF__WMB();
}

/**
 * uldf_dma_rmb() - order loads from coherent DMA memory: a load after it
 * does not see older data than a load before it (e.g. read a descriptor's
 * "done" bit, then its contents).
 */
static inline void uldf_dma_rmb(void)
{
	ULDF__DMA_RMB();
}

/**
 * uldf_dma_wmb() - order stores to coherent DMA memory: the device sees
 * stores before it no later than stores after it (e.g. fill a descriptor,
 * then set its "valid" bit).
 */
static inline void uldf_dma_wmb(void)
{
	ULDF__DMA_WMB();
}

#define ULDF__REG(type, base, off) \
	((volatile type *)((volatile uint8_t *)(base) + (off)))
#define ULDF__CREG(type, base, off) \
	((const volatile type *)((const volatile uint8_t *)(base) + (off)))

/**
 * uldf_mmio_read8_relaxed() - load 8 bits from a mapped BAR, no barrier.
 * @base: start of the mapping (from uldf_bar_map()).
 * @off: byte offset of the register.
 *
 * The 16, 32 and 64-bit variants are the same for wider registers; @off
 * must be aligned to the width.
 *
 * Return: the register's value.
 */
static inline uint8_t uldf_mmio_read8_relaxed(const volatile void *base,
					      size_t off)
{
	return *ULDF__CREG(uint8_t, base, off);
}

static inline uint16_t uldf_mmio_read16_relaxed(const volatile void *base,
						size_t off)
{
	return *ULDF__CREG(uint16_t, base, off);
}

static inline uint32_t uldf_mmio_read32_relaxed(const volatile void *base,
						size_t off)
{
	return *ULDF__CREG(uint32_t, base, off);
}

static inline uint64_t uldf_mmio_read64_relaxed(const volatile void *base,
						size_t off)
{
	return *ULDF__CREG(uint64_t, base, off);
}

/**
 * uldf_mmio_write8_relaxed() - store 8 bits to a mapped BAR, no barrier.
 * @base: start of the mapping (from uldf_bar_map()).
 * @off: byte offset of the register, aligned to the width.
 * @val: the value.
 *
 * The 16, 32 and 64-bit variants are the same for wider registers.
 */
static inline void uldf_mmio_write8_relaxed(volatile void *base, size_t off,
					    uint8_t val)
{
	*ULDF__REG(uint8_t, base, off) = val;
}

static inline void uldf_mmio_write16_relaxed(volatile void *base, size_t off,
					     uint16_t val)
{
	*ULDF__REG(uint16_t, base, off) = val;
}

static inline void uldf_mmio_write32_relaxed(volatile void *base, size_t off,
					     uint32_t val)
{
	*ULDF__REG(uint32_t, base, off) = val;
}

static inline void uldf_mmio_write64_relaxed(volatile void *base, size_t off,
					     uint64_t val)
{
	*ULDF__REG(uint64_t, base, off) = val;
}

/**
 * uldf_mmio_read8() - load 8 bits from a mapped BAR, then uldf_dma_rmb().
 * @base: start of the mapping (from uldf_bar_map()).
 * @off: byte offset of the register, aligned to the width.
 *
 * Later loads from DMA memory are not satisfied before this load.  The
 * 16, 32 and 64-bit variants are the same for wider registers.
 *
 * Return: the register's value.
 */
static inline uint8_t uldf_mmio_read8(const volatile void *base, size_t off)
{
	uint8_t v = uldf_mmio_read8_relaxed(base, off);

	uldf_dma_rmb();
	return v;
}

static inline uint16_t uldf_mmio_read16(const volatile void *base, size_t off)
{
	uint16_t v = uldf_mmio_read16_relaxed(base, off);

	uldf_dma_rmb();
	return v;
}

static inline uint32_t uldf_mmio_read32(const volatile void *base, size_t off)
{
	uint32_t v = uldf_mmio_read32_relaxed(base, off);

	uldf_dma_rmb();
	return v;
}

static inline uint64_t uldf_mmio_read64(const volatile void *base, size_t off)
{
	uint64_t v = uldf_mmio_read64_relaxed(base, off);

	uldf_dma_rmb();
	return v;
}

/**
 * uldf_mmio_write8() - uldf_dma_wmb(), then store 8 bits to a mapped BAR.
 * @base: start of the mapping (from uldf_bar_map()).
 * @off: byte offset of the register, aligned to the width.
 * @val: the value.
 *
 * Earlier stores to DMA memory are visible to the device before this
 * store, so it may start DMA.  The 16, 32 and 64-bit variants are the same
 * for wider registers.
 */
static inline void uldf_mmio_write8(volatile void *base, size_t off,
				    uint8_t val)
{
	uldf_dma_wmb();
	uldf_mmio_write8_relaxed(base, off, val);
}

static inline void uldf_mmio_write16(volatile void *base, size_t off,
				     uint16_t val)
{
	uldf_dma_wmb();
	uldf_mmio_write16_relaxed(base, off, val);
}

static inline void uldf_mmio_write32(volatile void *base, size_t off,
				     uint32_t val)
{
	uldf_dma_wmb();
	uldf_mmio_write32_relaxed(base, off, val);
}

static inline void uldf_mmio_write64(volatile void *base, size_t off,
				     uint64_t val)
{
	uldf_dma_wmb();
	uldf_mmio_write64_relaxed(base, off, val);
}

#ifdef __cplusplus
}
#endif

#endif /* LIBULDF_MMIO_H */
