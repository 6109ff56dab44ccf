#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print the version of the distribution's 6.12 kernel that the testbed uses:
# the newest one for which the image, the modules and the matching headers are
# all installed.  Nothing is hard-coded; the distribution updates 6.12 often.
#
# With --source, print instead the directory where the matching kernel source
# (from the linux-source-6.12 package) is unpacked, unpacking it on first use
# into the cache (ULDF_CACHE, default ~/.cache/uldf).
set -eu

kver=""
for d in $(ls -d /lib/modules/6.12.* 2>/dev/null | sort -V); do
	v=${d#/lib/modules/}
	case "$v" in *-rt-*|*-cloud-*) continue ;; esac
	[ -f "/boot/vmlinuz-$v" ] || continue
	[ -f "$d/build/Makefile" ] || continue
	kver=$v
done
if [ -z "$kver" ]; then
	echo "kver: no 6.12 kernel with matching image and headers; run 'make deps'" >&2
	exit 1
fi

if [ "${1:-}" != "--source" ]; then
	echo "$kver"
	exit 0
fi

tarball=/usr/src/linux-source-6.12.tar.xz
if [ ! -f "$tarball" ]; then
	echo "kver: $tarball missing; run 'make deps'" >&2
	exit 1
fi
cache=${ULDF_CACHE:-$HOME/.cache/uldf}
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
dir=$cache/src-$srcver
if [ ! -f "$dir/.unpacked" ]; then
	mkdir -p "$dir"
	tar -xf "$tarball" -C "$dir" --strip-components=1
	touch "$dir/.unpacked"
fi
echo "$dir"
