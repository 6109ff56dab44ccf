// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the uldf selftests.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <linux/pci_regs.h>

#include "uldf_util.h"

#define SYSFS_PCI "/sys/bus/pci/devices"

const char *uldf_test_bdf(const char *env, const char *def)
{
	const char *v = getenv(env);

	return v && *v ? v : def;
}

bool uldf_test_device_exists(const char *bdf)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), SYSFS_PCI "/%s", bdf);
	return access(path, F_OK) == 0;
}

bool uldf_test_module_loaded(void)
{
	return access("/sys/bus/pci/drivers/uldf", F_OK) == 0;
}

static int write_file(const char *path, const char *val)
{
	int fd, ret = 0;
	ssize_t n;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int uldf_test_driver(const char *bdf, char *buf, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;
	char *slash;

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		if (errno != ENOENT)
			return -errno;
		buf[0] = '\0';
		return 0;
	}
	link[n] = '\0';
	slash = strrchr(link, '/');
	snprintf(buf, len, "%s", slash ? slash + 1 : link);
	return 0;
}

int uldf_test_unbind(const char *bdf)
{
	char path[PATH_MAX], drv[64];
	int ret;

	ret = uldf_test_driver(bdf, drv, sizeof(drv));
	if (ret)
		return ret;
	if (drv[0]) {
		snprintf(path, sizeof(path), SYSFS_PCI "/%s/driver/unbind", bdf);
		ret = write_file(path, bdf);
		if (ret)
			return ret;
	}
	snprintf(path, sizeof(path), SYSFS_PCI "/%s/driver_override", bdf);
	return write_file(path, "\n");
}

/*
 * The driver link appears before the driver's probe has finished, and a
 * device that was just hot-added may be probing in the hot-plug thread:
 * give uldf's probe up to 10 s to create /dev/uldf/<bdf>.
 */
static int wait_for_node(const char *bdf)
{
	char path[PATH_MAX];
	int i;

	snprintf(path, sizeof(path), "/dev/uldf/%s", bdf);
	for (i = 0; i < 100; i++) {
		if (!access(path, F_OK))
			return 0;
		usleep(100 * 1000);
	}
	return -ENOENT;
}

int uldf_test_bind(const char *bdf, const char *driver)
{
	char path[PATH_MAX], drv[64];
	int ret;

	ret = uldf_test_driver(bdf, drv, sizeof(drv));
	if (ret)
		return ret;
	if (!strcmp(drv, driver))
		return strcmp(driver, "uldf") ? 0 : wait_for_node(bdf);
	ret = uldf_test_unbind(bdf);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), SYSFS_PCI "/%s/driver_override", bdf);
	ret = write_file(path, driver);
	if (ret)
		return ret;
	ret = write_file("/sys/bus/pci/drivers_probe", bdf);
	if (ret)
		return ret;
	ret = uldf_test_driver(bdf, drv, sizeof(drv));
	if (ret)
		return ret;
	if (strcmp(drv, driver))
		return -ENODEV;
	return strcmp(driver, "uldf") ? 0 : wait_for_node(bdf);
}

int uldf_test_open(const char *bdf)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "/dev/uldf/%s", bdf);
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

long long uldf_test_sysfs_num(const char *bdf, const char *attr)
{
	char path[PATH_MAX], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/%s", bdf, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return strtoll(buf, NULL, 0);
}

int uldf_test_scale(int n)
{
	const char *s = getenv("ULDF_TEST_SLOW");
	long f = s ? strtol(s, NULL, 10) : 1;

	if (f > 1)
		n /= f;
	return n > 0 ? n : 1;
}

long uldf_test_slab_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f;

	f = fopen("/proc/meminfo", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

ssize_t uldf_test_pread(int fd, unsigned int region, uint64_t off,
			void *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len, ULDF_REGION_OFFSET(region) + off);

	return n < 0 ? -errno : n;
}

ssize_t uldf_test_pwrite(int fd, unsigned int region, uint64_t off,
			 const void *buf, size_t len)
{
	ssize_t n = pwrite(fd, buf, len, ULDF_REGION_OFFSET(region) + off);

	return n < 0 ? -errno : n;
}

/* Read one line from @fd within @ms milliseconds. */
static int qmp_read_line(int fd, char *buf, size_t len, int ms)
{
	size_t used = 0;

	while (used + 1 < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, ms) <= 0)
			return -ETIMEDOUT;
		n = read(fd, buf + used, 1);
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		if (buf[used] == '\n') {
			buf[used] = '\0';
			return 0;
		}
		used++;
	}
	buf[used] = '\0';
	return 0;
}

/* Send @json and wait for the reply carrying @id; 0 if it is a "return". */
static int qmp_call(int fd, const char *json, const char *id)
{
	char line[4096];
	int ret;

	if (write(fd, json, strlen(json)) < 0 || write(fd, "\n", 1) < 0)
		return -errno;
	for (;;) {
		ret = qmp_read_line(fd, line, sizeof(line), 10000);
		if (ret)
			return ret;
		if (!strstr(line, id))
			continue;	/* greeting, events, stale replies */
		return strstr(line, "\"return\"") ? 0 : -EIO;
	}
}

int uldf_test_qmp(const char *json)
{
	const char *dev = getenv("ULDF_QMP");
	char cmd[2048], id[64];
	static unsigned int seq;
	int fd, ret;

	if (!dev)
		return -ENOENT;
	fd = open(dev, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;

	snprintf(id, sizeof(id), "uldf-%d-%u", getpid(), seq++);
	snprintf(cmd, sizeof(cmd),
		 "{\"execute\":\"qmp_capabilities\",\"id\":\"%s\"}", id);
	qmp_call(fd, cmd, id);	/* fails harmlessly if already negotiated */

	snprintf(id, sizeof(id), "uldf-%d-%u", getpid(), seq++);
	/* @json is an object without its closing brace's id: add it. */
	snprintf(cmd, sizeof(cmd), "%.*s,\"id\":\"%s\"}",
		 (int)(strrchr(json, '}') - json), json, id);
	ret = qmp_call(fd, cmd, id);
	close(fd);
	return ret;
}

int uldf_test_qmp_retry(const char *json, int seconds)
{
	int i, ret = -EIO;

	for (i = 0; i <= seconds * 10; i++) {
		ret = uldf_test_qmp(json);
		if (ret != -EIO)
			break;
		usleep(100 * 1000);
	}
	return ret;
}

int uldf_test_dmesg_count(const char *needle)
{
	char line[1024];
	int count = 0;
	FILE *f;

	f = popen("dmesg", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, needle))
			count++;
	pclose(f);
	return count;
}

int uldf_test_command_set(int fd, uint16_t bits)
{
	uint16_t cmd;

	if (uldf_test_pread(fd, ULDF_REGION_CONFIG, PCI_COMMAND, &cmd, 2) != 2)
		return -EIO;
	cmd |= bits;
	if (uldf_test_pwrite(fd, ULDF_REGION_CONFIG, PCI_COMMAND, &cmd, 2) != 2)
		return -EIO;
	if (uldf_test_pread(fd, ULDF_REGION_CONFIG, PCI_COMMAND, &cmd, 2) != 2)
		return -EIO;
	return (cmd & bits) == bits ? 0 : -EPERM;
}

int set_bus_master(int fd)
{
	return uldf_test_command_set(fd, PCI_COMMAND_MASTER);
}

int uldf_test_write_param(const char *name, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/uldf/parameters/%s", name);
	return write_file(path, val);
}

const char *uldf_test_tracefs(void)
{
	if (access("/sys/kernel/tracing/kprobe_events", F_OK) == 0)
		return "/sys/kernel/tracing";
	if (access("/sys/kernel/debug/tracing/kprobe_events", F_OK) == 0)
		return "/sys/kernel/debug/tracing";
	if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0)
		return "/sys/kernel/tracing";
	return NULL;
}

int uldf_test_write_str(const char *dir, const char *file, const char *s,
			bool append)
{
	char path[PATH_MAX];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC | (append ? O_APPEND : O_TRUNC));
	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int uldf_test_find_cap(int fd, uint8_t id)
{
	uint8_t pos = 0, cid = 0;
	int ttl = 48;	/* at most 48 capabilities fit in 192 bytes */

	uldf_test_pread(fd, ULDF_REGION_CONFIG, PCI_CAPABILITY_LIST, &pos, 1);
	while (pos && ttl--) {
		if (uldf_test_pread(fd, ULDF_REGION_CONFIG, pos, &cid, 1) != 1)
			return 0;
		if (cid == id)
			return pos;
		if (uldf_test_pread(fd, ULDF_REGION_CONFIG, pos + PCI_CAP_LIST_NEXT,
				    &pos, 1) != 1)
			return 0;
	}
	return 0;
}

/* pread() or pwrite() of @len bytes of @bdf's config space via sysfs. */
static int sysfs_cfg_rw(const char *bdf, unsigned int off, void *buf,
			size_t len, bool write)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/config", bdf);
	fd = open(path, (write ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write ? pwrite(fd, buf, len, off) : pread(fd, buf, len, off);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

int uldf_test_cfg_read16(const char *bdf, unsigned int off)
{
	uint16_t v;
	int ret = sysfs_cfg_rw(bdf, off, &v, sizeof(v), false);

	return ret ? ret : v;
}

int uldf_test_cfg_write16(const char *bdf, unsigned int off, uint16_t v)
{
	return sysfs_cfg_rw(bdf, off, &v, sizeof(v), true);
}
