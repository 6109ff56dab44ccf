// SPDX-License-Identifier: MIT
/*
 * libuldf: small helpers for the rest of the library - parsing a BDF,
 * building paths, reading and writing sysfs attributes, and whole
 * transfers with pread()/pwrite().  They return -errno like the public
 * functions, and leave the errno bookkeeping to those.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

const char *uldfi_sysfs_root = "/sys";
const char *uldfi_dev_root = "/dev/uldf";
const char *uldfi_run_root = "/run/uldf";

/* Parse 1 to @max hex digits at *@s, up to @limit; advance *@s. */
static int parse_hex(const char **s, int max, unsigned long limit,
		     unsigned long *val)
{
	unsigned long v = 0;
	int n = 0;

	while (n < max) {
		char c = (*s)[n];
		int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			break;
		v = v * 16 + d;
		n++;
	}
	if (!n || v > limit)
		return -EINVAL;
	*s += n;
	*val = v;
	return 0;
}

static int expect(const char **s, char c)
{
	if (**s != c)
		return -EINVAL;
	(*s)++;
	return 0;
}

/* Documented in <libuldf/pci.h>. */
int uldf_pci_bdf_parse(const char *in, char out[ULDF_BDF_LEN])
{
	unsigned long dom = 0, bus, dev, fn;
	const char *s = in;
	const char *colon;

	if (!in || !out)
		return -EINVAL;
	colon = strchr(in, ':');
	if (colon && strchr(colon + 1, ':')) {
		if (parse_hex(&s, 4, 0xffff, &dom) || expect(&s, ':'))
			return -EINVAL;
	}
	if (parse_hex(&s, 2, 0xff, &bus) || expect(&s, ':') ||
	    parse_hex(&s, 2, 0x1f, &dev) || expect(&s, '.') ||
	    parse_hex(&s, 1, 7, &fn) || *s)
		return -EINVAL;
	snprintf(out, ULDF_BDF_LEN, "%04lx:%02lx:%02lx.%lx", dom, bus, dev, fn);
	return 0;
}

/**
 * uldfi_path() - snprintf() into a path buffer.
 * @buf:	out: the path.
 * @len:	size of @buf.
 * @fmt:	format.
 *
 * Return: 0; -ENAMETOOLONG it did not fit.
 */
int uldfi_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

/**
 * uldfi_read_file() - read a small file (a sysfs attribute) as a string.
 * @path:	the file.
 * @buf:	out: its contents, without a trailing newline.
 * @len:	size of @buf.
 *
 * Return: 0; -errno of open() or read().
 */
int uldfi_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return 0;
}

/**
 * uldfi_write_file() - write a string to a file (a sysfs attribute).
 * @path:	the file.
 * @val:	the string.
 *
 * Return: 0; -errno of open() or write(); -EIO a short write.
 */
int uldfi_write_file(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, ret = 0;

	/* O_TRUNC, as a shell's ">" has it: sysfs ignores it. */
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	close(fd);
	return ret;
}

/**
 * uldfi_readlink_base() - the last component of a symbolic link's target.
 * @path:	the link.
 * @buf:	out: the name.
 * @len:	size of @buf.
 *
 * Return: 0; -errno of readlink() (-ENOENT: no such link);
 * -ENAMETOOLONG the name does not fit.
 */
int uldfi_readlink_base(const char *path, char *buf, size_t len)
{
	char link[4096];
	const char *base;
	ssize_t n;

	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}

/**
 * uldfi_read_hex() - read a sysfs attribute holding a number ("0x1234").
 * @path:	the file.
 * @val:	out: the number.
 *
 * Return: 0; -errno of uldfi_read_file(); -EINVAL not a number.
 */
int uldfi_read_hex(const char *path, unsigned long *val)
{
	char buf[64], *end;
	int ret;

	ret = uldfi_read_file(path, buf, sizeof(buf));
	if (ret)
		return ret;
	errno = 0;
	*val = strtoul(buf, &end, 0);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

/**
 * uldfi_pread_full() - pread() all of @len bytes.
 * @fd:		the file.
 * @buf:	out: the data.
 * @len:	bytes.
 * @off:	file offset.
 *
 * Return: @len; -errno of pread(); -EIO a short read.
 */
ssize_t uldfi_pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n;

	do {
		n = pread(fd, buf, len, (off_t)off);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? n : -EIO;
}

/**
 * uldfi_pwrite_full() - pwrite() all of @len bytes.
 * @fd:		the file.
 * @buf:	the data.
 * @len:	bytes.
 * @off:	file offset.
 *
 * Return: @len; -errno of pwrite(); -EIO a short write.
 */
ssize_t uldfi_pwrite_full(int fd, const void *buf, size_t len, uint64_t off)
{
	ssize_t n;

	do {
		n = pwrite(fd, buf, len, (off_t)off);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? n : -EIO;
}
