#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install, with apt, everything uldf's build, testbed and tests need.
# Idempotent: when every package is present it only checks and returns.
# The 6.12 kernel's exact version is whatever the distribution ships today;
# the image and the headers are installed through their meta-packages so
# that they always match.  dkms, debhelper (with dh-dkms), lintian and
# driverctl are for the packaging: make deb, the DKMS build test and the
# persistent-binding test.
set -eu

PKGS="build-essential make gcc pkg-config bc flex bison libelf-dev libssl-dev
 linux-image-6.12-amd64 linux-headers-6.12-amd64 linux-source-6.12
 qemu-system-x86 qemu-utils busybox-static cpio kmod xz-utils zstd
 liburing-dev libpciaccess-dev pciutils pci.ids
 python3 gnuplot-nox rsync fio linux-perf trinity sparse
 dkms dh-dkms debhelper lintian driverctl fakeroot man-db"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done

if [ -n "$missing" ]; then
	echo "deps: installing:$missing"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	export DEBIAN_FRONTEND=noninteractive
	log=$(mktemp)
	$SUDO apt-get update -qq >"$log" 2>&1 || true
	# shellcheck disable=SC2086
	if ! $SUDO apt-get install -y -qq --no-install-recommends $missing \
			>>"$log" 2>&1; then
		cat "$log" >&2
		rm -f "$log"
		echo "deps: apt-get install failed" >&2
		exit 1
	fi
	rm -f "$log"
	echo "deps: done"
fi

# The kernel source package ships a tarball; unpack it once, outside the tree.
"$(dirname "$0")/kver.sh" >/dev/null
