# SPDX-License-Identifier: GPL-2.0
#
# uldf-uml: the hosted guest's launcher, and uldf-uml-init, the init it
# boots in the guest (static: no dynamic loading in a guest where every
# page fault is a round trip through the host).  The launcher is built
# twice like uldfctl: in the tree it finds the UML kernel and the init
# next to it, installed it finds them in $(LIBEXECDIR)/uldf.
#
## install-uldf-uml    uldf-uml, its init and man page, and the UML kernel if built

LIBEXECDIR ?= $(PREFIX)/libexec
ULDF_UML := tools/uldf-uml/uldf-uml
ULDF_UML_INIT := tools/uldf-uml/uldf-uml-init

USER_TARGETS += $(ULDF_UML) $(ULDF_UML_INIT)
CLEAN_FILES += $(ULDF_UML) $(ULDF_UML).install $(ULDF_UML_INIT)

$(ULDF_UML): tools/uldf-uml/uldf-uml.c libuldf/libuldf.so $(ULDF_LIB_HDRS)
	$(CC) $(LIBULDF_USE_CFLAGS) -o $@ $< $(LIBULDF_USE_LDLIBS) -lutil \
		-Wl,-rpath,'$$ORIGIN/../../libuldf'

$(ULDF_UML).install: tools/uldf-uml/uldf-uml.c libuldf/libuldf.so $(ULDF_LIB_HDRS)
	$(CC) $(LIBULDF_USE_CFLAGS) \
		-DULDF_UML_LIBEXEC='"$(LIBEXECDIR)/uldf"' -o $@ $< \
		$(LIBULDF_USE_LDLIBS) -lutil

$(ULDF_UML_INIT): tools/uldf-uml/uldf-uml-init.c
	$(CC) $(CFLAGS) $(WARNFLAGS) -static -o $@ $<

.PHONY: install-uldf-uml
install: install-uldf-uml

install-uldf-uml: $(ULDF_UML).install $(ULDF_UML_INIT)
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(LIBEXECDIR)/uldf
	$(INSTALL) -m 0755 $(ULDF_UML).install $(DESTDIR)$(BINDIR)/uldf-uml
	$(INSTALL) -m 0755 $(ULDF_UML_INIT) $(DESTDIR)$(LIBEXECDIR)/uldf/
	$(INSTALL) -m 0644 tools/uldf-uml/uldf-uml.1 $(DESTDIR)$(MANDIR)/man1/
	@if [ -x vmm-glue/uml/linux ]; then \
		echo "$(INSTALL) -m 0755 vmm-glue/uml/linux $(DESTDIR)$(LIBEXECDIR)/uldf/linux"; \
		$(INSTALL) -m 0755 vmm-glue/uml/linux $(DESTDIR)$(LIBEXECDIR)/uldf/linux; \
	else \
		echo "install-uldf-uml: no UML kernel built ('make uml-guest' first); uldf-uml needs --kernel"; \
	fi

## demo-uml            the stock nvme driver in a UML guest on the testbed's NVMe, via uldf-uml
.PHONY: demo-uml
DEPS_GOALS += demo-uml
demo-uml: all uml-guest
	tools/uldf-uml/demo.sh
