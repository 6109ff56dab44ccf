# SPDX-License-Identifier: MIT
# uldf-nvme: the user-level NVMe driver.
NVME_DIR := drivers/uldf-nvme
NVME_SRCS := $(NVME_DIR)/ctrl.c $(NVME_DIR)/main.c
NVME_BIN := $(NVME_DIR)/uldf-nvme

USER_TARGETS += $(NVME_BIN)
CLEAN_FILES += $(NVME_BIN)

$(NVME_BIN): $(NVME_SRCS) $(NVME_DIR)/nvme.h libuldf/libuldf.a
	$(CC) $(CFLAGS) $(WARNFLAGS) $(ULDF_CPPFLAGS) -o $@ $(NVME_SRCS) \
		$(LIBULDF_A) $(LIBULDF_LIBS)

# 4 KiB random reads, uldf-nvme against the kernel's nvme driver.
.PHONY: bench-nvme
bench-nvme: all
	drivers/uldf-nvme/bench.sh
