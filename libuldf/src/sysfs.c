// SPDX-License-Identifier: MIT
/*
 * libuldf: what sysfs knows about a PCI function - its driver and IOMMU
 * group, whether that group may be handed to user space - and binding a
 * function to uldf and back.
 *
 * Binding goes through the PCI core's standard files: the function is
 * unbound from its driver, "uldf" is written to its driver_override and
 * its BDF to drivers_probe.  The driver it had (and its driver_override,
 * for drivers such as vfio-pci that are bound by override too) is recorded
 * in a small file under /run/uldf/ named after the BDF, so that unbinding,
 * maybe from another process, can give the function back.  /run is a
 * tmpfs: the record does not outlive a reboot, which also resets the
 * bindings.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define ULDF_DRIVER		"uldf"
#define PCI_CLASS_BRIDGE_PCI	0x0604

/* Path of @bdf's sysfs attribute @attr (or the directory, for ""). */
static int dev_path(char *buf, size_t len, const char *bdf, const char *attr)
{
	return uldfi_path(buf, len, "%s/bus/pci/devices/%s%s%s",
			  uldfi_sysfs_root, bdf, *attr ? "/" : "", attr);
}

static bool dev_exists(const char *bdf)
{
	char path[512];

	return !dev_path(path, sizeof(path), bdf, "") && !access(path, F_OK);
}

/**
 * uldfi_pci_driver() - as uldf_pci_driver(), for a canonical @bdf.
 * @bdf:	the function.
 * @buf:	out: the driver's name, "" when unbound.
 * @len:	size of @buf.
 *
 * Return: 0; -ENODEV no such function; -ENAMETOOLONG.
 */
int uldfi_pci_driver(const char *bdf, char *buf, size_t len)
{
	char path[512];
	int ret;

	ret = dev_path(path, sizeof(path), bdf, "driver");
	if (ret)
		return ret;
	ret = uldfi_readlink_base(path, buf, len);
	if (ret == -ENOENT) {
		if (!dev_exists(bdf))
			return -ENODEV;
		buf[0] = '\0';
		return 0;
	}
	return ret;
}

/**
 * uldfi_pci_iommu_group() - as uldf_pci_iommu_group(), for a canonical
 * @bdf.
 * @bdf:	the function.
 *
 * Return: the group; -ENOENT none; -ENODEV no such function.
 */
int uldfi_pci_iommu_group(const char *bdf)
{
	char path[512], name[32], *end;
	long group;
	int ret;

	ret = dev_path(path, sizeof(path), bdf, "iommu_group");
	if (ret)
		return ret;
	ret = uldfi_readlink_base(path, name, sizeof(name));
	if (ret == -ENOENT && !dev_exists(bdf))
		return -ENODEV;
	if (ret)
		return ret;
	group = strtol(name, &end, 10);
	if (*end || group < 0 || group > 0x7fffffff)
		return -EINVAL;
	return (int)group;
}

int uldf_pci_driver(const char *bdf, char *buf, size_t len)
{
	ULDFI_KEEP_ERRNO();
	char canon[ULDF_BDF_LEN];

	if (!buf || !len || uldf_pci_bdf_parse(bdf, canon))
		return -EINVAL;
	return uldfi_pci_driver(canon, buf, len);
}

int uldf_pci_iommu_group(const char *bdf)
{
	ULDFI_KEEP_ERRNO();
	char canon[ULDF_BDF_LEN];

	if (uldf_pci_bdf_parse(bdf, canon))
		return -EINVAL;
	return uldfi_pci_iommu_group(canon);
}

/* Whether @name, a device of an IOMMU group, lets the group be viable. */
static int member_harmless(const char *name)
{
	char path[512], drv[64];
	unsigned long cls;
	int ret;

	ret = dev_path(path, sizeof(path), name, "driver");
	if (ret)
		return ret;
	ret = uldfi_readlink_base(path, drv, sizeof(drv));
	if (ret == -ENOENT)
		return 1;			/* unbound */
	if (ret)
		return ret;
	if (!strcmp(drv, ULDF_DRIVER) || !strcmp(drv, "pci-stub"))
		return 1;
	ret = dev_path(path, sizeof(path), name, "class");
	if (ret)
		return ret;
	if (!uldfi_read_hex(path, &cls) && (cls >> 8) == PCI_CLASS_BRIDGE_PCI)
		return 1;
	return 0;
}

/* Describe the blocking device @name as "BDF (driver)" in @buf. */
static void describe_blocker(const char *name, char *buf, size_t len)
{
	char path[512], drv[64] = "?";

	if (!buf || !len)
		return;
	if (!dev_path(path, sizeof(path), name, "driver"))
		uldfi_readlink_base(path, drv, sizeof(drv));
	snprintf(buf, len, "%s (%s)", name, drv);
}

static int group_viable(const char *bdf, int group, char *blocker, size_t len)
{
	char path[512];
	struct dirent *de;
	int ret, viable = 1;
	DIR *dir;

	ret = uldfi_path(path, sizeof(path), "%s/kernel/iommu_groups/%d/devices",
			 uldfi_sysfs_root, group);
	if (ret)
		return ret;
	dir = opendir(path);
	if (!dir)
		return -errno;
	while (viable == 1 && (de = readdir(dir))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, bdf))
			continue;
		viable = member_harmless(de->d_name);
		if (!viable)
			describe_blocker(de->d_name, blocker, len);
	}
	closedir(dir);
	return viable;
}

int uldf_pci_group_viable(const char *bdf, char *blocker, size_t len)
{
	ULDFI_KEEP_ERRNO();
	char canon[ULDF_BDF_LEN];
	int group;

	if (uldf_pci_bdf_parse(bdf, canon))
		return -EINVAL;
	if (blocker && len)
		blocker[0] = '\0';
	group = uldfi_pci_iommu_group(canon);
	if (group == -ENOENT)
		return 1;
	if (group < 0)
		return group;
	return group_viable(canon, group, blocker, len);
}

/* ---- the record of the previous driver -------------------------------- */

struct prev_binding {
	char driver[64];
	char override[64];
};

static int record_path(char *buf, size_t len, const char *bdf)
{
	return uldfi_path(buf, len, "%s/%s", uldfi_run_root, bdf);
}

/* Write @text to a new file @path (replacing an old one) with mode 0644. */
static int write_new(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

static int record_save(const char *bdf, const struct prev_binding *prev)
{
	char path[512], text[160];
	int ret;

	if (mkdir(uldfi_run_root, 0755) && errno != EEXIST)
		return -errno;
	ret = record_path(path, sizeof(path), bdf);
	if (ret)
		return ret;
	/* An override of "uldf" is ours from an earlier bind: not recorded. */
	snprintf(text, sizeof(text), "driver=%s\noverride=%s\n", prev->driver,
		 strcmp(prev->override, ULDF_DRIVER) ? prev->override : "");
	return write_new(path, text);
}

/* Parse "key=value" lines; unknown keys are ignored. */
static int record_load(const char *bdf, struct prev_binding *prev)
{
	char path[512], text[256], *line, *save = NULL;
	int ret;

	memset(prev, 0, sizeof(*prev));
	ret = record_path(path, sizeof(path), bdf);
	if (ret)
		return ret;
	ret = uldfi_read_file(path, text, sizeof(text));
	if (ret)
		return ret;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "driver=", 7))
			snprintf(prev->driver, sizeof(prev->driver), "%s",
				 line + 7);
		else if (!strncmp(line, "override=", 9))
			snprintf(prev->override, sizeof(prev->override), "%s",
				 line + 9);
	}
	return 0;
}

static void record_remove(const char *bdf)
{
	char path[512];

	if (!record_path(path, sizeof(path), bdf))
		unlink(path);
}

/* ---- binding ------------------------------------------------------------ */

static int set_override(const char *bdf, const char *drv)
{
	char path[512];
	int ret;

	ret = dev_path(path, sizeof(path), bdf, "driver_override");
	if (ret)
		return ret;
	return uldfi_write_file(path, *drv ? drv : "\n");
}

static int probe(const char *bdf)
{
	char path[512];
	int ret;

	ret = uldfi_path(path, sizeof(path), "%s/bus/pci/drivers_probe",
			 uldfi_sysfs_root);
	if (ret)
		return ret;
	return uldfi_write_file(path, bdf);
}

static int detach(const char *bdf)
{
	char path[512];
	int ret;

	ret = dev_path(path, sizeof(path), bdf, "driver/unbind");
	if (ret)
		return ret;
	ret = uldfi_write_file(path, bdf);
	return ret == -ENOENT ? 0 : ret;	/* already unbound */
}

static bool bound_to(const char *bdf, const char *drv)
{
	char cur[64];

	return !uldfi_pci_driver(bdf, cur, sizeof(cur)) && !strcmp(cur, drv);
}

/*
 * Give @bdf back to @prev->driver: directly through the driver's bind file
 * (drivers with an ID table), else through driver_override and a probe.
 */
static int restore(const char *bdf, const struct prev_binding *prev)
{
	char path[512];
	int ret;

	ret = set_override(bdf, prev->override);
	if (ret)
		return ret;
	if (!prev->driver[0])
		return 0;
	ret = uldfi_path(path, sizeof(path), "%s/bus/pci/drivers/%s/bind",
			 uldfi_sysfs_root, prev->driver);
	if (ret)
		return ret;
	if (uldfi_write_file(path, bdf) && !bound_to(bdf, prev->driver)) {
		if (!prev->override[0])
			set_override(bdf, prev->driver);
		probe(bdf);
		if (!prev->override[0])
			set_override(bdf, "");
	}
	return bound_to(bdf, prev->driver) ? 0 : -EIO;
}

static int current_binding(const char *bdf, struct prev_binding *cur)
{
	char path[512];
	int ret;

	ret = uldfi_pci_driver(bdf, cur->driver, sizeof(cur->driver));
	if (ret)
		return ret;
	ret = dev_path(path, sizeof(path), bdf, "driver_override");
	if (ret)
		return ret;
	ret = uldfi_read_file(path, cur->override, sizeof(cur->override));
	if (ret)
		return ret;
	if (!strcmp(cur->override, "(null)"))
		cur->override[0] = '\0';
	return 0;
}

static int driver_registered(void)
{
	char path[512];
	int ret;

	ret = uldfi_path(path, sizeof(path), "%s/bus/pci/drivers/%s",
			 uldfi_sysfs_root, ULDF_DRIVER);
	if (ret)
		return ret;
	return access(path, F_OK) ? -ENOENT : 0;
}

/* Unbind @bdf from @cur->driver and offer it to uldf. */
static int attach_uldf(const char *bdf, const struct prev_binding *cur)
{
	int ret;

	if (cur->driver[0]) {
		ret = detach(bdf);
		if (ret)
			return ret;
	}
	ret = set_override(bdf, ULDF_DRIVER);
	if (ret)
		return ret;
	/* A failed probe shows in the driver link, checked below. */
	probe(bdf);
	return bound_to(bdf, ULDF_DRIVER) ? 0 : -EIO;
}

int uldf_pci_bind(const char *bdf, unsigned int flags)
{
	ULDFI_KEEP_ERRNO();
	char canon[ULDF_BDF_LEN];
	struct prev_binding cur;
	int ret;

	if (flags || uldf_pci_bdf_parse(bdf, canon))
		return -EINVAL;
	ret = current_binding(canon, &cur);
	if (ret)
		return ret == -ENOENT ? -ENODEV : ret;
	ret = driver_registered();
	if (ret)
		return ret;
	if (!strcmp(cur.driver, ULDF_DRIVER))
		return 0;
	ret = uldf_pci_group_viable(canon, NULL, 0);
	if (ret <= 0)
		return ret ? ret : -EBUSY;

	ret = record_save(canon, &cur);
	if (ret)
		return ret;
	ret = attach_uldf(canon, &cur);
	if (ret) {
		detach(canon);
		restore(canon, &cur);
		record_remove(canon);
	}
	return ret;
}

int uldf_pci_unbind(const char *bdf, unsigned int flags)
{
	ULDFI_KEEP_ERRNO();
	char canon[ULDF_BDF_LEN];
	struct prev_binding cur, prev;
	int ret;

	if (flags || uldf_pci_bdf_parse(bdf, canon))
		return -EINVAL;
	ret = current_binding(canon, &cur);
	if (ret)
		return ret == -ENOENT ? -ENODEV : ret;
	if (cur.driver[0] && strcmp(cur.driver, ULDF_DRIVER))
		return -ENXIO;
	if (record_load(canon, &prev)) {
		/* Unbound, and nothing of ours to undo: leave it alone. */
		if (!cur.driver[0] && strcmp(cur.override, ULDF_DRIVER))
			return 0;
		memset(&prev, 0, sizeof(prev));
	}

	ret = detach(canon);
	if (ret)
		return ret;
	ret = restore(canon, &prev);
	if (!ret)
		record_remove(canon);
	return ret;
}
