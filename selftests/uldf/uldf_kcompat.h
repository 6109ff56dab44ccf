/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel types and helpers that the module's pure C files
 * (kmod/config_caps.c) use, for building them into a user-space test.
 */
#ifndef ULDF_KCOMPAT_H
#define ULDF_KCOMPAT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <linux/pci_regs.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;

#ifndef BIT
#define BIT(n)		(1UL << (n))
#endif

#endif /* ULDF_KCOMPAT_H */
