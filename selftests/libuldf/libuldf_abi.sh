#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# libuldf's ABI discipline: the shared object exports exactly the
# functions the public headers declare, all named uldf_* and versioned
# LIBULDF_0.1, under the soname libuldf.so.0; every export has a manual
# page; the staged installation has the
# headers, the uAPI header and a pkg-config file with the right version.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
so=$top/libuldf/libuldf.so.0
man=$top/libuldf/man
stage=$here/stage
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() { echo "# FAIL: $*"; failed=1; }

[ -f "$so" ] || { echo "# FAIL: $so missing; run 'make'"; exit 1; }

# Exports: defined dynamic symbols, apart from the version node itself.
nm -D --defined-only "$so" >"$tmp/nm"
awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' "$tmp/nm" | sort >"$tmp/exported"
awk '$2 == "A" { sub(/@.*/, "", $3); print $3 }' "$tmp/nm" >"$tmp/nodes"
[ "$(cat "$tmp/nodes")" = LIBULDF_0.1 ] || fail "version nodes: $(cat "$tmp/nodes")"
bad=$(grep -v '^uldf_' "$tmp/exported")
[ -z "$bad" ] || fail "exports without the uldf_ prefix: $bad"
n=$(wc -l <"$tmp/exported")
[ "$n" -ge 60 ] || fail "only $n exports"
echo "# $n exported functions, all uldf_*"
unversioned=$(awk '$2 != "A" && $3 !~ /@@LIBULDF_0.1$/' "$tmp/nm")
[ -z "$unversioned" ] || fail "unversioned exports: $unversioned"
readelf -d "$so" | grep -q 'SONAME.*\[libuldf.so.0\]' || fail "soname is not libuldf.so.0"

# Declarations in the public headers (static inline helpers excluded).
cat "$top"/libuldf/include/libuldf.h "$top"/libuldf/include/libuldf/*.h |
	grep -v '^static' |
	sed -n 's/^[a-z].*[ *]\(uldf_[a-z0-9_]*\)(.*/\1/p' | sort -u >"$tmp/declared"
missing=$(comm -23 "$tmp/declared" "$tmp/exported")
extra=$(comm -13 "$tmp/declared" "$tmp/exported")
[ -z "$missing" ] || fail "declared, not exported: $missing"
[ -z "$extra" ] || fail "exported, not declared: $extra"

# A manual page for every export, for uldf(7) and for uldfctl(8).  (That
# they render without warnings is checked when they are built: 'make'.)
for f in $(cat "$tmp/exported") uldf.7 ../../tools/uldfctl/uldfctl.8; do
	case "$f" in *.[78]) page=$man/$f ;; *) page=$man/$f.3 ;; esac
	[ -f "$page" ] || fail "no manual page $page"
done
# a ".so" link page must point at an existing page
grep -h '^\.so ' "$man"/*.3 | sort -u | while read -r _ target; do
	[ -f "$man/${target#man3/}" ] || echo "$target"
done >"$tmp/dangling"
[ -s "$tmp/dangling" ] && fail "links to missing pages: $(cat "$tmp/dangling")"
pages=$(ls "$man"/*.3 | wc -l)
echo "# $pages manual pages in section 3"

# The staged installation.
for f in usr/include/libuldf.h usr/include/libuldf/dma.h \
	 usr/include/linux/uldf.h usr/lib/libuldf.so.0 usr/lib/libuldf.a \
	 usr/lib/pkgconfig/libuldf.pc usr/share/man/man7/uldf.7 \
	 usr/share/man/man3/uldf_open.3 usr/bin/uldfctl; do
	[ -e "$stage/$f" ] || fail "make install did not install /$f"
done
v=$(PKG_CONFIG_PATH=$stage/usr/lib/pkgconfig pkg-config --modversion libuldf)
[ "$v" = 0.1.0 ] || fail "pkg-config version '$v'"
[ $failed = 0 ] && echo "# ABI, manual pages and installation in order"
exit $failed
