#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The documentation's first steps, as a new user takes them, against the
# output of 'make install DESTDIR=stage PREFIX=/usr' (made by 'make'):
# bind the edu with the installed uldfctl, build examples/hello-edu.c with
# 'gcc ... $(pkg-config --cflags --libs libuldf)' and nothing from the
# source tree, run it, and read the identification register.
ksft_skip=4
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
stage=$here/stage
edu=${ULDF_EDU_BDF:-0000:00:03.0}

[ "$(id -u)" = 0 ] || { echo "# needs root"; exit $ksft_skip; }
[ -d /sys/bus/pci/drivers/uldf ] || { echo "# uldf.ko not loaded; run through 'make check'"; exit $ksft_skip; }
[ -e /sys/bus/pci/devices/$edu ] || { echo "# no edu at $edu; run through 'make check'"; exit $ksft_skip; }
[ -f "$stage/usr/lib/pkgconfig/libuldf.pc" ] || { echo "# FAIL: no staged installation; run 'make'"; exit 1; }

export PKG_CONFIG_SYSROOT_DIR=$stage
export PKG_CONFIG_PATH=$stage/usr/lib/pkgconfig
export LD_LIBRARY_PATH=$stage/usr/lib
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "# FAIL: $*"; exit 1; }

flags=$(pkg-config --cflags --libs libuldf) || fail "pkg-config does not know libuldf"
echo "# pkg-config --cflags --libs libuldf: $flags"
case "$flags" in *"$top"/libuldf*|*"$top"/include*) fail "flags point into the source tree" ;; esac
cp "$top/examples/hello-edu.c" "$tmp/"
[ "$(wc -l <"$tmp/hello-edu.c")" -le 35 ] || fail "hello-edu.c grew beyond 35 lines"
# shellcheck disable=SC2086
${CC:-gcc} -Wall -Werror -o "$tmp/hello-edu" "$tmp/hello-edu.c" $flags || fail "build"

"$stage/usr/bin/uldfctl" bind "$edu" | sed 's/^/# /'
out=$("$tmp/hello-edu" "$edu" 2>&1)
rc=$?
echo "# $out"
"$stage/usr/bin/uldfctl" unbind "$edu" >/dev/null
[ $rc = 0 ] || fail "hello-edu exited with $rc"
case "$out" in *"edu identification 0x010000ed"*) ;; *) fail "wrong output" ;; esac
ldd "$tmp/hello-edu" | grep -q "$stage/usr/lib/libuldf.so.0" || fail "not linked with the installed libuldf"
echo "# hello-edu built from the installed library and read the edu"
exit 0
