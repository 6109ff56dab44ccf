#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# libuldf's ABI discipline: the shared object exports exactly the
# functions the public headers declare, all named uldf_* and each in the
# version node libuldf.abi records, under the soname libuldf.so.0; every export has a manual
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

# Exports: defined dynamic symbols, apart from the version nodes themselves.
nm -D --defined-only "$so" >"$tmp/nm"
awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' "$tmp/nm" | sort >"$tmp/exported"
awk '$2 == "A" { sub(/@.*/, "", $3); print $3 }' "$tmp/nm" | sort >"$tmp/nodes"
bad=$(grep -v '^uldf_' "$tmp/exported")
[ -z "$bad" ] || fail "exports without the uldf_ prefix: $bad"
n=$(wc -l <"$tmp/exported")
[ "$n" -ge 60 ] || fail "only $n exports"
echo "# $n exported functions, all uldf_*"
readelf -d "$so" | grep -q 'SONAME.*\[libuldf.so.0\]' || fail "soname is not libuldf.so.0"

# Versions: the map lists every symbol by name (no wildcard but the
# "local: *"), and each export's default version is the node that
# libuldf.abi records for it: a symbol that moves to another node, one
# that disappears and a new one not recorded all fail.
awk '/^[[:space:]]*(\/\*|\*)/ { next }
     /global:/ { g = 1 } /local:/ { g = 0 } /}/ { g = 0 }
     g && /[*?]/ { bad = 1 } END { exit bad }' "$top/libuldf/libuldf.map" ||
	fail "libuldf.map exports by wildcard"
awk '$2 != "A" { sub(/@@/, " ", $3); print $3 }' "$tmp/nm" | sort >"$tmp/have"
grep -v '^#' "$here/libuldf.abi" | sort >"$tmp/want"
moved=$(comm -13 "$tmp/have" "$tmp/want")
new=$(comm -23 "$tmp/have" "$tmp/want")
[ -z "$moved" ] || fail "recorded in libuldf.abi, not exported so: $moved"
[ -z "$new" ] || fail "exported, not recorded in libuldf.abi (or in another node): $new"
awk '{ print $2 }' "$tmp/want" | sort -u >"$tmp/want_nodes"
cmp -s "$tmp/nodes" "$tmp/want_nodes" ||
	fail "version nodes $(echo $(cat "$tmp/nodes")), libuldf.abi has $(echo $(cat "$tmp/want_nodes"))"
echo "# version nodes: $(echo $(cat "$tmp/nodes"))"

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
# The header-only helpers (static inline) need one as much.
cat "$top"/libuldf/include/libuldf.h "$top"/libuldf/include/libuldf/*.h |
	sed -n 's/^static inline .*[ *]\(uldf_[a-z0-9_]*\)(.*/\1/p' | sort -u >"$tmp/inline"
for f in $(cat "$tmp/exported" "$tmp/inline") uldf.7 ../../tools/uldfctl/uldfctl.8; do
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
[ "$v" = 0.2.0 ] || fail "pkg-config version '$v'"
[ $failed = 0 ] && echo "# ABI, manual pages and installation in order"
exit $failed
