# SPDX-License-Identifier: GPL-2.0
#
# Packaging: the DKMS source tree (dkms.conf at the top), the Debian
# packages (debian/) and their tests.  Included by the top-level Makefile.
#
## install-dkms-src    the module's DKMS source into /usr/src/uldf-VERSION
#
# The DKMS source is what dkms needs to build uldf.ko for any kernel: the
# module's sources, the uAPI header, the top Kbuild, dkms.conf and VERSION.
# The installed dkms.conf names the release itself (tools such as dh_dkms
# read it as text).

DKMS_SRC_DIR = $(DESTDIR)/usr/src/uldf-$(ULDF_VERSION)

.PHONY: install-dkms-src
install-dkms-src:
	install -d $(DKMS_SRC_DIR)/kmod $(DKMS_SRC_DIR)/include/uapi/linux
	install -m 0644 VERSION Kbuild $(DKMS_SRC_DIR)/
	sed 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="$(ULDF_VERSION)"/' \
		dkms.conf >$(DKMS_SRC_DIR)/dkms.conf
	install -m 0644 kmod/Kbuild \
		$(filter-out %.mod.c,$(wildcard kmod/*.c)) $(wildcard kmod/*.h) \
		$(DKMS_SRC_DIR)/kmod/
	install -m 0644 include/uapi/linux/uldf.h \
		$(DKMS_SRC_DIR)/include/uapi/linux/

## deb                 Debian packages into build/deb (dpkg-buildpackage, lintian)
.PHONY: deb
DEPS_GOALS += deb
deb:
	tools/packaging/make-deb

# In 'make check': the packages' test on this host (tools/packaging/
# deb-test: make deb, lintian, the packages unpacked into a throwaway root
# and used from there), before the testbed's boots; the DKMS boot
# (tools/packaging/dkms-test, a step of tools/testbed/check) then builds
# the module from the uldf-dkms package just made.
.PHONY: check-host-packaging
check: check-host-packaging
check: export ULDF_DKMS_DEB = $(CURDIR)/build/deb/uldf-dkms_$(ULDF_VERSION)_all.deb
check-host-packaging:
	tools/packaging/deb-test
