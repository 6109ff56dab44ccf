# SPDX-License-Identifier: GPL-2.0
#
# Packaging: the DKMS source tree (dkms.conf at the top), the Debian
# packages (debian/) and their tests.  Included by the top-level Makefile.
#
## install-dkms-src    the module's DKMS source into /usr/src/uldf-VERSION
#
# The DKMS source is what dkms needs to build uldf.ko for any kernel: the
# module's sources, the uAPI header, the top Kbuild, dkms.conf and VERSION.

DKMS_SRC_DIR = $(DESTDIR)/usr/src/uldf-$(ULDF_VERSION)

.PHONY: install-dkms-src
install-dkms-src:
	install -d $(DKMS_SRC_DIR)/kmod $(DKMS_SRC_DIR)/include/uapi/linux
	install -m 0644 dkms.conf VERSION Kbuild $(DKMS_SRC_DIR)/
	install -m 0644 kmod/Kbuild \
		$(filter-out %.mod.c,$(wildcard kmod/*.c)) $(wildcard kmod/*.h) \
		$(DKMS_SRC_DIR)/kmod/
	install -m 0644 include/uapi/linux/uldf.h \
		$(DKMS_SRC_DIR)/include/uapi/linux/
