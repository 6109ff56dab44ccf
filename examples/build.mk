# SPDX-License-Identifier: MIT
#
# Example user-level drivers on libuldf, built against the in-tree shared
# library (found through a relative run path).

EXAMPLES := examples/uldf-edu/uldf-edu examples/hello-edu

# Fragments are read in name order, so libuldf's variables may not be set
# yet when these rules are read: name the headers here.
ULDF_LIB_HDRS := $(wildcard libuldf/include/*.h libuldf/include/libuldf/*.h)

USER_TARGETS += $(EXAMPLES)
CLEAN_FILES += $(EXAMPLES)

examples/uldf-edu/uldf-edu: examples/uldf-edu/uldf-edu.c libuldf/libuldf.so \
		$(ULDF_LIB_HDRS)
	$(CC) $(LIBULDF_USE_CFLAGS) -o $@ $< $(LIBULDF_USE_LDLIBS) \
		-Wl,-rpath,'$$ORIGIN/../../libuldf'

examples/hello-edu: examples/hello-edu.c libuldf/libuldf.so \
		$(ULDF_LIB_HDRS)
	$(CC) $(LIBULDF_USE_CFLAGS) -o $@ $< $(LIBULDF_USE_LDLIBS) \
		-Wl,-rpath,'$$ORIGIN/../libuldf'
