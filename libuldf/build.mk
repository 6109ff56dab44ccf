# SPDX-License-Identifier: MIT
#
# libuldf: the shared library (libuldf.so.0, symbols versioned by
# libuldf.map), the static library, the pkg-config file and the manual
# pages.  Included by the top-level Makefile; paths are from the top.
#
## install             module, udev rule, libuldf, uldfctl, uldf-nvme (DESTDIR, PREFIX)
## install-libuldf     the library, its headers, pkg-config file, man pages
## check-host-libuldf  libuldf's unit and header tests on this host (in check)
#
#   make install [DESTDIR=...] [PREFIX=/usr/local] [LIBDIR=...]
#
# installs the library, <libuldf.h> with <libuldf/*.h>, the uAPI header
# <linux/uldf.h> it includes, libuldf.pc and the manual pages (and, from
# the other build.mk files, uldfctl).

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
INSTALL ?= install

LIBULDF_VERSION := 0.2.0
LIBULDF_SONAME := libuldf.so.0
LIBULDF_SO := libuldf/libuldf.so.$(LIBULDF_VERSION)
LIBULDF_A := libuldf/libuldf.a
LIBULDF_SRCS := $(sort $(wildcard libuldf/src/*.c))
LIBULDF_OBJS := $(LIBULDF_SRCS:.c=.o)
LIBULDF_PIC_OBJS := $(LIBULDF_SRCS:.c=.lo)
LIBULDF_PUBLIC_HDRS := libuldf/include/libuldf.h \
	$(sort $(wildcard libuldf/include/libuldf/*.h))
LIBULDF_HDRS := $(LIBULDF_PUBLIC_HDRS) libuldf/src/internal.h \
	include/uapi/linux/uldf.h
LIBULDF_LIBS := -lpciaccess -luring
LIBULDF_CFLAGS := $(CFLAGS) $(WARNFLAGS) $(ULDF_CPPFLAGS) -std=gnu11

# What programs in this tree use to build and link against the library.
LIBULDF_USE_CFLAGS := $(CFLAGS) $(WARNFLAGS) $(ULDF_CPPFLAGS)
LIBULDF_USE_LDLIBS := -Llibuldf -luldf

USER_TARGETS += $(LIBULDF_SO) libuldf/libuldf.so.0 libuldf/libuldf.so \
	$(LIBULDF_A)
CLEAN_FILES += $(LIBULDF_OBJS) $(LIBULDF_PIC_OBJS) $(LIBULDF_SO) \
	libuldf/libuldf.so.0 libuldf/libuldf.so $(LIBULDF_A) \
	libuldf/libuldf.pc

libuldf/src/%.o: libuldf/src/%.c $(LIBULDF_HDRS) libuldf/build.mk
	$(CC) $(LIBULDF_CFLAGS) -c -o $@ $<

libuldf/src/%.lo: libuldf/src/%.c $(LIBULDF_HDRS) libuldf/build.mk
	$(CC) $(LIBULDF_CFLAGS) -fPIC -c -o $@ $<

$(LIBULDF_SO): $(LIBULDF_PIC_OBJS) libuldf/libuldf.map
	$(CC) $(CFLAGS) -shared -Wl,-soname,$(LIBULDF_SONAME) \
		-Wl,--version-script=libuldf/libuldf.map -Wl,-z,defs \
		-o $@ $(LIBULDF_PIC_OBJS) $(LIBULDF_LIBS)

libuldf/libuldf.so.0: $(LIBULDF_SO)
	ln -sf $(notdir $<) $@

libuldf/libuldf.so: libuldf/libuldf.so.0
	ln -sf $(notdir $<) $@

$(LIBULDF_A): $(LIBULDF_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

libuldf/libuldf.pc: libuldf/libuldf.pc.in libuldf/build.mk FORCE
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    -e 's|@VERSION@|$(LIBULDF_VERSION)|' $< >$@

.PHONY: install install-libuldf
install: install-libuldf

install-libuldf: $(LIBULDF_SO) $(LIBULDF_A) libuldf/libuldf.pc
	$(INSTALL) -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(INCLUDEDIR)/libuldf $(DESTDIR)$(INCLUDEDIR)/linux \
		$(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man7
	$(INSTALL) -m 0755 $(LIBULDF_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libuldf.so.$(LIBULDF_VERSION) $(DESTDIR)$(LIBDIR)/$(LIBULDF_SONAME)
	ln -sf $(LIBULDF_SONAME) $(DESTDIR)$(LIBDIR)/libuldf.so
	$(INSTALL) -m 0644 $(LIBULDF_A) $(DESTDIR)$(LIBDIR)/
	$(INSTALL) -m 0644 libuldf/libuldf.pc $(DESTDIR)$(PKGCONFIGDIR)/
	$(INSTALL) -m 0644 libuldf/include/libuldf.h $(DESTDIR)$(INCLUDEDIR)/
	$(INSTALL) -m 0644 $(wildcard libuldf/include/libuldf/*.h) \
		$(DESTDIR)$(INCLUDEDIR)/libuldf/
	$(INSTALL) -m 0644 include/uapi/linux/uldf.h $(DESTDIR)$(INCLUDEDIR)/linux/
	$(INSTALL) -m 0644 $(wildcard libuldf/man/*.3) $(DESTDIR)$(MANDIR)/man3/
	$(INSTALL) -m 0644 $(wildcard libuldf/man/*.7) $(DESTDIR)$(MANDIR)/man7/


# The library's tests (selftests/libuldf): built by 'make', run in the
# testbed by 'make check'; the unit and header tests, which need no
# device, also run on the host first.
SELFTEST_DIRS += selftests/libuldf

.PHONY: check-host-libuldf
check: check-host-libuldf
check-host-libuldf: selftests
	$(MAKE) -s -C selftests/libuldf run-host
