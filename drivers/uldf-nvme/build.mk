# SPDX-License-Identifier: MIT
# uldf-nvme: the user-level NVMe driver.
NVME_DIR := drivers/uldf-nvme
NVME_SRCS := $(NVME_DIR)/ctrl.c $(NVME_DIR)/main.c
NVME_BIN := $(NVME_DIR)/uldf-nvme

NVME_DBBUF := $(NVME_DIR)/dbbuf-intx

USER_TARGETS += $(NVME_BIN) $(NVME_DBBUF)
CLEAN_FILES += $(NVME_BIN) $(NVME_DBBUF)

$(NVME_BIN): $(NVME_SRCS) $(NVME_DIR)/nvme.h libuldf/libuldf.a
	$(CC) $(CFLAGS) $(WARNFLAGS) $(ULDF_CPPFLAGS) -o $@ $(NVME_SRCS) \
		$(LIBULDF_A) $(LIBULDF_LIBS)

# INTx with shadow doorbells on QEMU's nvme model (Documentation/hosted-guest.rst).
$(NVME_DBBUF): $(NVME_DIR)/dbbuf-intx.c $(NVME_DIR)/ctrl.c $(NVME_DIR)/nvme.h \
		libuldf/libuldf.a
	$(CC) $(CFLAGS) $(WARNFLAGS) $(ULDF_CPPFLAGS) -o $@ $(NVME_DIR)/dbbuf-intx.c \
		$(NVME_DIR)/ctrl.c $(LIBULDF_A) $(LIBULDF_LIBS)

# 4 KiB random reads, uldf-nvme's modes against the kernel nvme driver's
# interrupt and polled paths (fio, in the testbed: it depends on deps);
# ROUNDS, SECONDS_PER_RUN, BENCH_CPU as in bench.sh.
## bench-nvme          uldf-nvme vs the kernel's nvme driver (fio), ~9 min
.PHONY: bench-nvme
DEPS_GOALS += bench-nvme
bench-nvme: all
	drivers/uldf-nvme/bench.sh

## install-nvme        uldf-nvme and its man page (DESTDIR, PREFIX)
.PHONY: install-nvme
install: install-nvme
install-nvme: $(NVME_BIN)
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	$(INSTALL) -m 0755 $(NVME_BIN) $(DESTDIR)$(BINDIR)/uldf-nvme
	$(INSTALL) -m 0644 $(NVME_DIR)/uldf-nvme.1 $(DESTDIR)$(MANDIR)/man1/
