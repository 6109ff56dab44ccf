# SPDX-License-Identifier: GPL-2.0
#
# uldfctl: list, bind, unbind and inspect devices for uldf.  Built against
# the in-tree shared library (found through a relative run path), and
# linked again without it for installation.
#
## install-uldfctl     uldfctl and its man page

ULDFCTL := tools/uldfctl/uldfctl

# Fragments are read in name order, so libuldf's variables may not be set
# yet when these rules are read: name the headers here.
ULDF_LIB_HDRS := $(wildcard libuldf/include/*.h libuldf/include/libuldf/*.h)

USER_TARGETS += $(ULDFCTL)
CLEAN_FILES += $(ULDFCTL) $(ULDFCTL).install

$(ULDFCTL): tools/uldfctl/uldfctl.c libuldf/libuldf.so $(ULDF_LIB_HDRS)
	$(CC) $(LIBULDF_USE_CFLAGS) -o $@ $< $(LIBULDF_USE_LDLIBS) \
		-Wl,-rpath,'$$ORIGIN/../../libuldf'

$(ULDFCTL).install: tools/uldfctl/uldfctl.c libuldf/libuldf.so $(ULDF_LIB_HDRS)
	$(CC) $(LIBULDF_USE_CFLAGS) -o $@ $< $(LIBULDF_USE_LDLIBS)

.PHONY: install-uldfctl
install: install-uldfctl

install-uldfctl: $(ULDFCTL).install
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8
	$(INSTALL) -m 0755 $(ULDFCTL).install $(DESTDIR)$(BINDIR)/uldfctl
	$(INSTALL) -m 0644 tools/uldfctl/uldfctl.8 $(DESTDIR)$(MANDIR)/man8/
