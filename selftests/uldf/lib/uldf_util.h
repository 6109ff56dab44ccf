/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the uldf selftests: finding the testbed's devices,
 * binding them to uldf, opening them, and raw uAPI wrappers.
 */
#ifndef ULDF_UTIL_H
#define ULDF_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/uldf.h>

#include "edu.h"

/*
 * The testbed (tools/testbed/vm) puts QEMU's edu devices at these addresses;
 * ULDF_EDU_BDF, ULDF_EDU2_BDF, ULDF_NVME_BDF, ULDF_HP_EDU_BDF and
 * ULDF_AER_BDF override them.  The AER device is a virtio-rng with an AER
 * capability, on a root port of its own (QMP id "aerdev").
 */
#define ULDF_DEFAULT_EDU	"0000:00:03.0"
#define ULDF_DEFAULT_EDU2	"0000:00:04.0"
#define ULDF_DEFAULT_NVME	"0000:00:05.0"
#define ULDF_DEFAULT_HP_EDU	"0000:01:00.0"
#define ULDF_DEFAULT_AER	"0000:02:00.0"


/* Return the BDF from environment variable @env, else @def. */
const char *uldf_test_bdf(const char *env, const char *def);

/* Whether a PCI device with this BDF exists. */
bool uldf_test_device_exists(const char *bdf);

/* Whether the uldf module is loaded. */
bool uldf_test_module_loaded(void);

/* Name of the driver @bdf is bound to, into @buf; "" if none. */
int uldf_test_driver(const char *bdf, char *buf, size_t len);

/* Bind @bdf to @driver ("uldf", "vfio-pci", ...) via driver_override. */
int uldf_test_bind(const char *bdf, const char *driver);

/* Unbind @bdf from whatever driver holds it and clear driver_override. */
int uldf_test_unbind(const char *bdf);

/* Open /dev/uldf/<bdf>; returns fd or -errno. */
int uldf_test_open(const char *bdf);

/* Read a sysfs attribute of @bdf as a number; -errno on failure. */
long long uldf_test_sysfs_num(const char *bdf, const char *attr);

/*
 * An iteration count scaled for a slow kernel: @n divided by the
 * ULDF_TEST_SLOW environment variable (a whole factor; 'make check-debug'
 * sets it for the KASAN/lockdep kernel, which runs uldf's paths tens of
 * times slower), never below 1.  Without the variable, @n.
 */
int uldf_test_scale(int n);

/* Sum of the slab total (Slab: kB) in /proc/meminfo. */
long uldf_test_slab_kb(void);

/* pread()/pwrite() helpers at a region offset; return bytes or -errno. */
ssize_t uldf_test_pread(int fd, unsigned int region, uint64_t off,
			void *buf, size_t len);
ssize_t uldf_test_pwrite(int fd, unsigned int region, uint64_t off,
			 const void *buf, size_t len);

/* Send a QMP command (a JSON object) to the testbed's QEMU; 0 on success. */
int uldf_test_qmp(const char *json);

/*
 * The same, tried again every 100 ms for up to @seconds while QEMU answers
 * with an error: a device_add right after a device_del fails until QEMU
 * has finished the removal (the guest sees the device gone a little
 * before; on a slow kernel, seconds before).
 */
int uldf_test_qmp_retry(const char *json, int seconds);

/* Count of kernel log lines matching @needle so far. */
int uldf_test_dmesg_count(const char *needle);

/*
 * Offset of capability @id in config space read through the device fd
 * @fd (as uldf virtualizes it), or 0.
 */
int uldf_test_find_cap(int fd, uint8_t id);

/*
 * 16 bits of @bdf's real config space at @off, through sysfs (what the PCI
 * core reads, not uldf's virtualized view), or -errno.
 */
int uldf_test_cfg_read16(const char *bdf, unsigned int off);

/* Write them behind uldf's back; 0 or -errno. */
int uldf_test_cfg_write16(const char *bdf, unsigned int off, uint16_t v);

/*
 * Set @bits in the command register of the device fd @fd's config region
 * (uldf's virtual one); 0 once it reads them back set, -EPERM if they do
 * not stick, -EIO if the config region cannot be read or written.
 */
int uldf_test_command_set(int fd, uint16_t bits);

/*
 * Bus mastering, which MSI and MSI-X messages and DMA need:
 * uldf_test_command_set(@fd, PCI_COMMAND_MASTER).
 */
int set_bus_master(int fd);

/* Write @val to uldf's module parameter @name; 0 or -errno. */
int uldf_test_write_param(const char *name, const char *val);

/* The tracefs directory (mounted if need be), or NULL. */
const char *uldf_test_tracefs(void);

/* Write @s to @dir/@file, appending or truncating; 0 or -errno. */
int uldf_test_write_str(const char *dir, const char *file, const char *s,
			bool append);

#endif
