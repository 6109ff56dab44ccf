/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmm-glue's uldf backend: a VMM's side of a PCI function that the host
 * lends through uldf, written once for every VMM.
 *
 * struct vg_uldf opens /dev/uldf/<BDF>, maps the BARs it may map, and sets
 * up the device model (struct vg_dev) with host calls (struct vg_ops) that
 * are the device fd's pread/pwrite and the uldf ioctls.  Every system call
 * it makes goes through a small table, struct vg_host_ops, that the VMM
 * fills in: the User-Mode Linux guest with its host system calls
 * (vmm-glue/uml/pv_host.c), a user-space VMM or test with libc
 * (vg_host_libc.c).  This file and vg_uldf.c are the only places that use
 * the uldf uAPI.
 *
 * Host vectors are IRQ fds, opened non-blocking, which the backend keeps
 * in one host epoll fd per device, the device's event fd.  A VMM waits for
 * the event fd (a user-space VMM polls it; the UML guest has the host
 * signal it, struct vg_host_ops.notify), takes the ready vectors with
 * vg_uldf_poll(), and serves each with vg_uldf_irq_service(), which tells
 * it whether to deliver the interrupt to its guest and with which
 * message.  The caller serialises the calls on one device as for vmm-glue
 * itself, except vg_uldf_poll() and vg_uldf_event_fd(), which touch no
 * device state and may run concurrently with anything.
 */
#ifndef VG_ULDF_H
#define VG_ULDF_H

#ifdef __KERNEL__
#include <uapi/linux/uldf.h>
#else
#include <linux/uldf.h>
#endif

#include "vg.h"

/**
 * struct vg_host_ops - the host system calls of the uldf backend.
 * @open:	open(@path, @flags) (O_RDWR or O_RDONLY, with O_CLOEXEC).
 * @close:	close(@fd).
 * @read:	read(@fd, @buf, @len).
 * @pread:	pread(@fd, @buf, @len, @off).
 * @pwrite:	pwrite(@fd, @buf, @len, @off).
 * @ioctl:	ioctl(@fd, @cmd, @arg).
 * @mmap:	mmap(*@addr, @len, @prot, @flags, @fd, @off); on success
 *		*@addr is the mapping.
 * @munmap:	munmap(@addr, @len).
 * @epoll_create: epoll_create1(EPOLL_CLOEXEC).
 * @epoll_ctl:	epoll_ctl(@epfd, @op, @fd, {EPOLLIN, @data}); @op is
 *		EPOLL_CTL_ADD or EPOLL_CTL_DEL.
 * @epoll_wait:	epoll_wait(@epfd, ..., @max, 0), without waiting: stores
 *		the data of each ready fd in @data.
 * @notify:	optional: have the host tell the VMM when @fd becomes
 *		readable (the UML guest: SIGIO to its process).  NULL for a
 *		VMM that polls the event fd.
 * @kick:	optional: have the VMM look at its event fds now, for
 *		interrupts that came before @notify took effect.
 * @resched:	optional: let the VMM run between the pieces of a long
 *		operation (mapping guest RAM for DMA).
 *
 * Pointers are addresses of the VMM's own process (for the UML guest, its
 * kernel addresses, which are host addresses of its process).  Each call
 * returns what the system call returns, or a negative errno (never -1 and
 * errno); a call interrupted by a signal is restarted.  Flags and
 * operations have their Linux values, the same in the kernel's headers and
 * libc's.
 */
struct vg_host_ops {
	int (*open)(const char *path, int flags);
	int (*close)(int fd);
	long (*read)(int fd, void *buf, size_t len);
	long (*pread)(int fd, void *buf, size_t len, u64 off);
	long (*pwrite)(int fd, const void *buf, size_t len, u64 off);
	int (*ioctl)(int fd, unsigned int cmd, void *arg);
	int (*mmap)(void **addr, size_t len, int prot, int flags, int fd,
		    u64 off);
	int (*munmap)(void *addr, size_t len);
	int (*epoll_create)(void);
	int (*epoll_ctl)(int epfd, int op, int fd, u64 data);
	int (*epoll_wait)(int epfd, u64 *data, int max);
	int (*notify)(int fd);
	void (*kick)(void);
	void (*resched)(void);
};

/* The libc fill of the table, for user-space VMMs and tests. */
extern const struct vg_host_ops vg_host_libc;

struct vg_uldf;

/**
 * struct vg_uldf_vec - one host vector.
 * @u:		its device.
 * @type:	VG_IRQ_*.
 * @index:	vector index.
 * @fd:		IRQ fd, or -1 while closed.
 */
struct vg_uldf_vec {
	struct vg_uldf *u;
	int type;
	unsigned int index;
	int fd;
};

/**
 * struct vg_uldf_event - a host vector that fired (vg_uldf_poll()).
 * @type:	VG_IRQ_*.
 * @index:	vector index.
 */
struct vg_uldf_event {
	int type;
	unsigned int index;
};

/**
 * struct vg_uldf - a uldf device behind vmm-glue.
 * @host:	the host calls.
 * @fd:		device fd.
 * @epfd:	event fd: a host epoll fd holding the open IRQ fds.
 * @info:	ULDF_DEVICE_GET_INFO.
 * @region:	ULDF_DEVICE_GET_REGION_INFO of the BARs.
 * @map:	mappings of the BARs (NULL where none), @region[i].size long.
 * @intx:	the INTx vector.
 * @msi:	the MSI vectors (@nr_msi).
 * @nr_msi:	MSI vectors offered (the host's Multiple Message Capable).
 * @msix:	the MSI-X vectors (@nr_msix).
 * @nr_msix:	MSI-X vectors offered (the host's table size, at most
 *		VG_ULDF_MAX_VECS).
 * @irq_open:	buffer for ULDF_DEVICE_IRQ_OPEN (opening vectors allocates
 *		nothing: the UML guest does it under a spinlock).
 * @vg:		the device model.
 */
struct vg_uldf {
	const struct vg_host_ops *host;
	int fd;
	int epfd;
	struct uldf_device_info info;
	struct uldf_region_info region[VG_NUM_BARS];
	void *map[VG_NUM_BARS];
	struct vg_uldf_vec intx;
	struct vg_uldf_vec msi[VG_MSI_MAX_VECS];
	unsigned int nr_msi;
	struct vg_uldf_vec *msix;
	unsigned int nr_msix;
	struct uldf_irq_open *irq_open;
	struct vg_dev vg;
};

#define VG_ULDF_MAX_VECS	2048	/* MSI-X table size limit */
#define VG_ULDF_DMA_CHUNK	(16ULL << 20)	/* bytes per ULDF_DMA_MAP */

int vg_uldf_open(struct vg_uldf *u, const struct vg_host_ops *host,
		 const char *bdf, u32 flags);
void vg_uldf_close(struct vg_uldf *u);
int vg_uldf_event_fd(const struct vg_uldf *u);
int vg_uldf_poll(struct vg_uldf *u, struct vg_uldf_event *ev,
		 unsigned int max);
int vg_uldf_irq_fd(const struct vg_uldf *u, int type, unsigned int index);
int vg_uldf_irq_service(struct vg_uldf *u, int type, unsigned int index,
			struct vg_msg *msg);
int vg_uldf_dma_check(struct vg_uldf *u, u64 iova, u64 size);
int vg_uldf_dma_join(struct vg_uldf *u, struct vg_uldf *owner);
int vg_uldf_find_mapping(const struct vg_host_ops *host, u64 addr,
			 struct vg_range *range, u64 *file_off);

#endif /* VG_ULDF_H */
