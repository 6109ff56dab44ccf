// SPDX-License-Identifier: GPL-2.0
/*
 * libuldf's public headers from C++.  Every header was also compiled
 * alone, as C99 and as C++11, into the objects linked here (see the
 * Makefile); this program is linked with the shared library, so calls
 * that resolve prove the extern "C" guards, and it runs the inline MMIO
 * helpers on ordinary memory.
 */
#include <libuldf.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

static int failures;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		std::printf("# %s:%d: %s\n", __FILE__, __LINE__, #cond);	\
		failures++;						\
	}								\
} while (0)

static void test_mmio(void)
{
	alignas(8) unsigned char mem[16];

	std::memset(mem, 0, sizeof(mem));
	uldf_mmio_write32(mem, 4, 0x11223344u);
	CHECK(uldf_mmio_read32(mem, 4) == 0x11223344u);
	CHECK(uldf_mmio_read8(mem, 4) == 0x44);		/* little-endian CPU */
	CHECK(uldf_mmio_read16(mem, 6) == 0x1122);
	uldf_mmio_write64(mem, 8, 0x0102030405060708ull);
	CHECK(uldf_mmio_read64_relaxed(mem, 8) == 0x0102030405060708ull);
	uldf_mmio_write8_relaxed(mem, 0, 0xab);
	uldf_mmio_write16(mem, 2, 0xcdef);
	CHECK(uldf_mmio_read32_relaxed(mem, 0) == 0xcdef00abu);
	uldf_mb();
	uldf_rmb();
	uldf_wmb();
	uldf_dma_rmb();
	uldf_dma_wmb();
	CHECK(ULDF_DMA_BIT_MASK(28) == 0x0fffffffull);
	CHECK(ULDF_DMA_BIT_MASK(64) == ~0ull);
}

/* Calls through C linkage into the shared object. */
static void test_linkage(void)
{
	struct uldf_loop *loop = nullptr;
	struct uldf_dev *dev = nullptr;

	CHECK(uldf_pci_list_count(nullptr) == 0);
	CHECK(uldf_dev_bdf(nullptr) == nullptr);
	CHECK(uldf_open("not-a-bdf", &dev) == -EINVAL);
	CHECK(uldf_loop_features(loop) == -EINVAL);
	CHECK(uldf_dma_buf_iova(nullptr) == 0);
	CHECK(uldf_irq_close(-1) == -EBADF);
}

int main(void)
{
	std::printf("TAP version 13\n1..1\n");
	test_mmio();
	test_linkage();
	std::printf("%s 1 headers from C++ (%s)\n", failures ? "not ok" : "ok",
		    ULDF_LIB_VERSION);
	return failures ? 1 : 0;
}
