/* SPDX-License-Identifier: MIT */
/*
 * libuldf internals, shared by the files of the library and its unit
 * tests.  Nothing here is exported from the shared object: the version
 * script exports uldf_* only, so internal names use the uldfi_ prefix.
 */
#ifndef LIBULDF_INTERNAL_H
#define LIBULDF_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "libuldf.h"

/*
 * Every exported function starts with ULDFI_KEEP_ERRNO(): whatever the
 * system calls inside do to errno, the caller finds it unchanged.
 */
static inline void uldfi_errno_restore(int *saved)
{
	errno = *saved;
}

#define ULDFI_KEEP_ERRNO() \
	int uldfi_saved_errno __attribute__((cleanup(uldfi_errno_restore))) = errno

#define ULDFI_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Where the library looks; the unit tests point these at a fake tree. */
extern const char *uldfi_sysfs_root;	/* "/sys" */
extern const char *uldfi_dev_root;	/* "/dev/uldf" */
extern const char *uldfi_run_root;	/* "/run/uldf" */

/* util.c */
int uldfi_path(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int uldfi_read_file(const char *path, char *buf, size_t len);
int uldfi_write_file(const char *path, const char *val);
int uldfi_readlink_base(const char *path, char *buf, size_t len);
int uldfi_read_hex(const char *path, unsigned long *val);
ssize_t uldfi_pread_full(int fd, void *buf, size_t len, uint64_t off);
ssize_t uldfi_pwrite_full(int fd, const void *buf, size_t len, uint64_t off);

/* sysfs.c */
int uldfi_pci_driver(const char *bdf, char *buf, size_t len);
int uldfi_pci_iommu_group(const char *bdf);

/* device.c and dma.c */
struct uldfi_bar_map {
	void *addr;
	size_t len;
	unsigned int flags;
};

struct uldf_dev {
	int fd;
	char bdf[ULDF_BDF_LEN];
	struct uldf_device_info info;
	uint64_t dma_limit;
	struct uldfi_bar_map bars[ULDF_REGION_ROM];
	struct uldf_dma_buf *bufs;
};

void uldfi_dma_buf_free_all(struct uldf_dev *dev);

/* dma.c: the memory half of a DMA buffer, testable without a device */
struct uldfi_mem {
	void *addr;
	size_t size;
	bool huge;
};

#define ULDFI_HUGEPAGE_SIZE	(2UL << 20)

int uldfi_mem_alloc(size_t size, unsigned int flags, struct uldfi_mem *mem);
void uldfi_mem_free(struct uldfi_mem *mem);

/*
 * loop.c: the encoding of an io_uring request's user_data and the ring of
 * provided buffers, exposed for the unit tests.
 *
 * user_data = kind (8 bits) | generation (24 bits) | slot (32 bits).  A
 * completion whose generation no longer matches its slot belongs to an fd
 * that was removed (and perhaps replaced), and is dropped.
 */
enum uldfi_op {
	ULDFI_OP_READ = 1,	/* multishot read */
	ULDFI_OP_POLL,		/* multishot poll */
	ULDFI_OP_CANCEL,	/* a cancellation; its completion is ignored */
	ULDFI_OP_EOI,		/* an EOI written through the ring (SQPOLL) */
};

#define ULDFI_GEN_MASK		0xffffffu

static inline uint64_t uldfi_ud_pack(enum uldfi_op op, uint32_t gen,
				     uint32_t slot)
{
	return (uint64_t)op << 56 | (uint64_t)(gen & ULDFI_GEN_MASK) << 32 |
	       slot;
}

static inline enum uldfi_op uldfi_ud_op(uint64_t ud)
{
	return (enum uldfi_op)(ud >> 56);
}

static inline uint32_t uldfi_ud_gen(uint64_t ud)
{
	return (ud >> 32) & ULDFI_GEN_MASK;
}

static inline uint32_t uldfi_ud_slot(uint64_t ud)
{
	return (uint32_t)ud;
}

#endif /* LIBULDF_INTERNAL_H */
