/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture of the uldf IRQ selftests: QEMU's edu bound to uldf, its
 * device fd open, edu's test driver attached to BAR0 through the device
 * fd (nothing left pending).  Include after kselftest_harness.h.
 */
#ifndef ULDF_EDU_FIXTURE_H
#define ULDF_EDU_FIXTURE_H

#include <errno.h>
#include <unistd.h>

#include "edu.h"
#include "uldf_irq_util.h"

FIXTURE(edu) {
	const char *bdf;
	int dev;
	struct uldf_test_dev e;
};

/*
 * The edu fixture's set-up, for any fixture with the same bdf, dev and e
 * members: skips (returning from the set-up) where the testbed lacks
 * something, asserts the rest.
 */
#define EDU_FIXTURE_OPEN(self)						\
do {									\
	int __ret;							\
									\
	(self)->dev = -1;						\
	(self)->bdf = uldf_test_bdf("ULDF_EDU_BDF", ULDF_DEFAULT_EDU);	\
	if (!uldf_test_module_loaded())					\
		SKIP(return, "uldf.ko not loaded; run through 'make check'"); \
	if (!uldf_test_device_exists((self)->bdf))			\
		SKIP(return, "no edu device at %s; run through 'make check'", \
		     (self)->bdf);					\
	ASSERT_EQ(0, uldf_test_bind((self)->bdf, "uldf"));		\
	(self)->dev = uldf_test_open((self)->bdf);			\
	if ((self)->dev == -EPERM && !interrupt_remapping())		\
		SKIP(return, "no interrupt remapping: open refused (noremap covers it)"); \
	ASSERT_LE(0, (self)->dev);					\
	__ret = edu_attach(&(self)->e, (self)->dev);			\
	if (__ret == -EOPNOTSUPP)					\
		SKIP(return, "no BAR access through the device fd");	\
	ASSERT_EQ(0, __ret);						\
} while (0)

FIXTURE_SETUP(edu)
{
	EDU_FIXTURE_OPEN(self);
}

FIXTURE_TEARDOWN(edu)
{
	if (self->dev >= 0) {
		edu_ack(&self->e);
		close(self->dev);
	}
	uldf_test_unbind(self->bdf);
}

#endif
