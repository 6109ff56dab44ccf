/* SPDX-License-Identifier: MIT */
/*
 * libuldf: user-level PCI drivers on the uldf kernel module.
 *
 * The umbrella header.  It pulls in the families, each of which may also
 * be included on its own:
 *
 *   <libuldf/pci.h>     find devices (libpciaccess, pci.ids names), IOMMU
 *                       groups, bind to and unbind from uldf
 *   <libuldf/device.h>  open and close, device and region info, config
 *                       space and BAR access, BAR mapping, reset
 *   <libuldf/mmio.h>    MMIO accessors with barriers (inline)
 *   <libuldf/irq.h>     IRQ fds: wait, EOI, mask, trigger, eventfds
 *   <libuldf/dma.h>     DMA mapping, batches, DMA buffers
 *   <libuldf/loop.h>    an io_uring event loop over IRQ fds
 *
 * Conventions (those of liburing): one prefix, uldf_; opaque handles;
 * every function returns a negative errno value on failure and never
 * reports through errno (whose value a call leaves unchanged).  The
 * kernel interface underneath is <linux/uldf.h>, installed with the
 * library.  The library's version is ULDF_LIB_VERSION; its shared object
 * is libuldf.so.0 and its symbols are versioned (LIBULDF_0.1, LIBULDF_0.2).
 *
 * The manual pages (uldf(7) and one per function) and
 * Documentation/libuldf.rst in the source tree describe the API.
 */
#ifndef LIBULDF_H
#define LIBULDF_H

#define ULDF_LIB_VERSION_MAJOR	0
#define ULDF_LIB_VERSION_MINOR	2
#define ULDF_LIB_VERSION	"0.2"

#include <libuldf/pci.h>
#include <libuldf/device.h>
#include <libuldf/mmio.h>
#include <libuldf/irq.h>
#include <libuldf/dma.h>
#include <libuldf/loop.h>

#endif /* LIBULDF_H */
