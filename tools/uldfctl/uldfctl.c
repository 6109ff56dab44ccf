// SPDX-License-Identifier: GPL-2.0
/*
 * uldfctl: list PCI devices, bind them to uldf and back, and show what
 * uldf offers for one of them.
 *
 *   uldfctl list [-d VENDOR:DEVICE] [-c CLASS[/MASK]] [BDF]
 *   uldfctl bind BDF...
 *   uldfctl unbind [-f] BDF...
 *   uldfctl info BDF
 *
 * Everything goes through libuldf: finding devices, sysfs state, binding
 * (which records the previous driver under /run/uldf so that unbind can
 * restore it), and, for a device bound to uldf, its device fd.  What the
 * library reports as an errno, this tool turns into a sentence that says
 * what to do: load the module, unbind the device that makes an IOMMU
 * group non-viable, stop the process that holds a device.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include <libuldf.h>

#define SYS_PCI		"/sys/bus/pci"
#define SYS_GROUPS	"/sys/kernel/iommu_groups"

static const char *prog = "uldfctl";

static void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void msg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int usage(FILE *f)
{
	fprintf(f,
		"usage: %s list [-d VENDOR:DEVICE] [-c CLASS[/MASK]] [BDF]\n"
		"       %s bind BDF...\n"
		"       %s unbind [-f] BDF...\n"
		"       %s info BDF\n"
		"\n"
		"BDF is dddd:bb:dd.f or bb:dd.f; IDs and classes are hexadecimal.\n"
		"See uldfctl(8).\n", prog, prog, prog, prog);
	return f == stdout ? 0 : 2;
}

/* ---- small sysfs readers --------------------------------------------- */

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static bool module_loaded(void)
{
	return access(SYS_PCI "/drivers/uldf", F_OK) == 0;
}

static void hint_module(void)
{
	msg("the uldf driver is not loaded: load it with 'modprobe uldf' "
	    "(from a build tree: 'insmod kmod/uldf.ko')");
}

/*
 * The first process that holds /dev/uldf/@bdf open: its PID, and its
 * name in @comm.  0 if none (or /proc cannot tell).
 */
static pid_t device_user(const char *bdf, char *comm, size_t len)
{
	char node[64], path[300], link[300];
	struct dirent *p, *f;
	DIR *proc, *fds;
	pid_t found = 0;

	snprintf(node, sizeof(node), "/dev/uldf/%s", bdf);
	proc = opendir("/proc");
	if (!proc)
		return 0;
	while (!found && (p = readdir(proc))) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		fds = opendir(path);
		if (!fds)
			continue;
		while (!found && (f = readdir(fds))) {
			ssize_t n;

			n = readlinkat(dirfd(fds), f->d_name, link,
				       sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			if (!strcmp(link, node))
				found = (pid_t)atoi(p->d_name);
		}
		closedir(fds);
	}
	closedir(proc);
	if (found) {
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)found);
		if (read_line(path, comm, len))
			snprintf(comm, len, "?");
	}
	return found;
}

/* The last kernel log lines about @bdf and uldf, to explain a refusal. */
static void show_kernel_reason(const char *bdf)
{
	char rec[1024], last[3][512];
	int fd, n = 0, i;

	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return;
	for (;;) {
		ssize_t r = read(fd, rec, sizeof(rec) - 1);
		char *text;

		if (r < 0 && errno == EPIPE)
			continue;	/* overwritten records */
		if (r <= 0)
			break;
		rec[r] = '\0';
		text = strchr(rec, ';');
		if (!text || !strstr(text, bdf) || !strstr(text, "uldf"))
			continue;
		text[strcspn(text, "\n")] = '\0';
		snprintf(last[n % 3], sizeof(last[0]), "%s", text + 1);
		n++;
	}
	close(fd);
	for (i = n > 3 ? n - 3 : 0; i < n; i++)
		msg("kernel: %s", last[i % 3]);
}

/* ---- list ---------------------------------------------------------------- */

static const char *group_viability(const char *bdf, int group)
{
	if (group < 0)
		return "-";
	return uldf_pci_group_viable(bdf, NULL, 0) > 0 ? "yes" : "no";
}

static void print_name(const struct uldf_pci_info *d)
{
	if (d->vendor_name && d->device_name)
		printf("%s %s", d->vendor_name, d->device_name);
	else if (d->vendor_name)
		printf("%s device %04x", d->vendor_name, d->device);
	else
		printf("device %04x:%04x", d->vendor, d->device);
}

static int parse_ids(const char *s, uint32_t *vendor, uint32_t *device)
{
	char *end;
	unsigned long v, d = ULDF_PCI_ANY;

	v = strtoul(s, &end, 16);
	if (end == s || v > 0xffff || (*end && *end != ':'))
		return -EINVAL;
	if (*end == ':' && end[1]) {
		s = end + 1;
		d = strtoul(s, &end, 16);
		if (end == s || *end || d > 0xffff)
			return -EINVAL;
	}
	*vendor = (uint32_t)v;
	*device = (uint32_t)d;
	return 0;
}

static int parse_class(const char *s, uint32_t *cls, uint32_t *mask)
{
	char *end;
	unsigned long c, m;

	c = strtoul(s, &end, 16);
	if (end == s || c > 0xffffff)
		return -EINVAL;
	if (*end == '/') {
		s = end + 1;
		m = strtoul(s, &end, 16);
		if (end == s || *end || m > 0xffffff)
			return -EINVAL;
	} else if (*end) {
		return -EINVAL;
	} else {
		/* "01" is a base class, "0108" a sub-class, "010802" exact */
		size_t digits = strlen(s);

		if (digits <= 2) {
			c <<= 16;
			m = 0xff0000;
		} else if (digits <= 4) {
			c <<= 8;
			m = 0xffff00;
		} else {
			m = 0xffffff;
		}
	}
	if (c & ~m)
		return -EINVAL;
	*cls = (uint32_t)c;
	*mask = (uint32_t)m;
	return 0;
}

static int cmd_list(int argc, char **argv)
{
	uint32_t vendor = ULDF_PCI_ANY, device = ULDF_PCI_ANY, cls = 0, mask = 0;
	struct uldf_pci_list *list;
	bool by_class = false;
	size_t i;
	int opt, n;

	while ((opt = getopt(argc, argv, "+d:c:")) != -1) {
		switch (opt) {
		case 'd':
			if (parse_ids(optarg, &vendor, &device)) {
				msg("bad -d %s: expected VENDOR[:DEVICE] in hex", optarg);
				return 2;
			}
			break;
		case 'c':
			if (parse_class(optarg, &cls, &mask)) {
				msg("bad -c %s: expected CLASS[/MASK] in hex", optarg);
				return 2;
			}
			by_class = true;
			break;
		default:
			return usage(stderr);
		}
	}
	if (optind < argc - 1)
		return usage(stderr);
	if (optind == argc - 1)
		n = uldf_pci_find_bdf(argv[optind], &list);
	else if (by_class)
		n = uldf_pci_find_class(cls, mask, &list);
	else
		n = uldf_pci_find_id(vendor, device, &list);
	if (n < 0) {
		msg("cannot list PCI devices: %s", strerror(-n));
		return 1;
	}

	printf("%-12s  %-9s  %-6s  %-12s  %5s  %-6s  %s\n", "BDF", "IDS", "CLASS",
	       "DRIVER", "GROUP", "VIABLE", "NAME");
	for (i = 0; i < uldf_pci_list_count(list); i++) {
		const struct uldf_pci_info *d = uldf_pci_list_get(list, i);
		char group[16] = "-";

		if (by_class && vendor != ULDF_PCI_ANY &&
		    (d->vendor != vendor || (device != ULDF_PCI_ANY &&
					     d->device != device)))
			continue;
		if (d->iommu_group >= 0)
			snprintf(group, sizeof(group), "%d", d->iommu_group);
		printf("%-12s  %04x:%04x  %06x  %-12s  %5s  %-6s  ", d->bdf,
		       d->vendor, d->device, d->class_code,
		       d->driver[0] ? d->driver : "-", group,
		       group_viability(d->bdf, d->iommu_group));
		print_name(d);
		putchar('\n');
	}
	uldf_pci_list_free(list);
	if (!n && optind == argc - 1) {
		msg("no PCI device %s", argv[optind]);
		return 1;
	}
	return 0;
}

/* ---- bind and unbind --------------------------------------------------------- */

static int bind_one(const char *arg)
{
	char drv[64], blocker[80], comm[64], bdf[ULDF_BDF_LEN];
	int ret, group;
	pid_t pid;

	if (uldf_pci_bdf_parse(arg, bdf)) {
		msg("bad BDF '%s': expected dddd:bb:dd.f or bb:dd.f", arg);
		return 2;
	}
	ret = uldf_pci_driver(bdf, drv, sizeof(drv));
	if (ret) {
		msg("no PCI device %s", bdf);
		return 1;
	}
	if (!module_loaded()) {
		hint_module();
		return 1;
	}
	if (!strcmp(drv, "uldf")) {
		pid = device_user(bdf, comm, sizeof(comm));
		if (pid)
			printf("%s: already bound to uldf, in use by PID %d (%s)\n",
			       bdf, (int)pid, comm);
		else
			printf("%s: already bound to uldf\n", bdf);
		return 0;
	}
	group = uldf_pci_iommu_group(bdf);
	ret = uldf_pci_group_viable(bdf, blocker, sizeof(blocker));
	if (ret == 0) {
		msg("cannot bind %s: IOMMU group %d is not viable: %s uses the "
		    "kernel's DMA API; unbind it first (or bind it to uldf too)",
		    bdf, group, blocker);
		return 1;
	}

	ret = uldf_pci_bind(bdf, 0);
	if (ret == -EIO) {
		msg("uldf refused %s%s%s", bdf, drv[0] ? "; it is back with " : "",
		    drv);
		show_kernel_reason(bdf);
		return 1;
	}
	if (ret == -EACCES || ret == -EPERM) {
		msg("cannot bind %s: %s (run as root)", bdf, strerror(-ret));
		return 1;
	}
	if (ret) {
		msg("cannot bind %s: %s", bdf, strerror(-ret));
		return 1;
	}
	printf("%s: bound to uldf as /dev/uldf/%s", bdf, bdf);
	if (drv[0])
		printf(" (was %s)", drv);
	putchar('\n');
	/* Permanence is driverctl's job (a saved override, applied by udev). */
	printf("%s: until reboot; to bind it at every boot: "
	       "driverctl set-override %s uldf\n", bdf, bdf);
	return 0;
}

static int unbind_one(const char *arg, bool force)
{
	char drv[64], comm[64], bdf[ULDF_BDF_LEN];
	bool was_uldf;
	pid_t pid;
	int ret;

	if (uldf_pci_bdf_parse(arg, bdf)) {
		msg("bad BDF '%s': expected dddd:bb:dd.f or bb:dd.f", arg);
		return 2;
	}
	ret = uldf_pci_driver(bdf, drv, sizeof(drv));
	if (ret) {
		msg("no PCI device %s", bdf);
		return 1;
	}
	if (drv[0] && strcmp(drv, "uldf")) {
		msg("%s is bound to %s, not uldf; nothing to do", bdf, drv);
		return 1;
	}
	pid = drv[0] ? device_user(bdf, comm, sizeof(comm)) : 0;
	if (pid && !force) {
		msg("%s is in use by PID %d (%s); stop it first, or use -f to "
		    "revoke its access", bdf, (int)pid, comm);
		return 1;
	}
	was_uldf = drv[0];
	ret = uldf_pci_unbind(bdf, 0);
	if (ret) {
		msg("cannot unbind %s: %s%s", bdf, strerror(-ret),
		    ret == -EIO ? " (the previous driver did not take it back)" :
		    ret == -EACCES || ret == -EPERM ? " (run as root)" : "");
		return 1;
	}
	ret = uldf_pci_driver(bdf, drv, sizeof(drv));
	if (!was_uldf)
		printf("%s: not bound to uldf\n", bdf);
	else if (!ret && drv[0])
		printf("%s: unbound from uldf, back with %s\n", bdf, drv);
	else
		printf("%s: unbound from uldf\n", bdf);
	return 0;
}

static int cmd_bind(int argc, char **argv)
{
	int i, ret = 0;

	if (argc < 2)
		return usage(stderr);
	for (i = 1; i < argc; i++) {
		int r = bind_one(argv[i]);

		if (r > ret)
			ret = r;
	}
	return ret;
}

static int cmd_unbind(int argc, char **argv)
{
	bool force = false;
	int opt, ret = 0;

	while ((opt = getopt(argc, argv, "+f")) != -1) {
		if (opt != 'f')
			return usage(stderr);
		force = true;
	}
	if (optind >= argc)
		return usage(stderr);
	for (; optind < argc; optind++) {
		int r = unbind_one(argv[optind], force);

		if (r > ret)
			ret = r;
	}
	return ret;
}

/* ---- info ----------------------------------------------------------------------- */

static const char *size_str(uint64_t size, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned int u = 0;

	while (size >= 1024 && !(size % 1024) && u < 4) {
		size /= 1024;
		u++;
	}
	snprintf(buf, len, "%" PRIu64 " %s", size, unit[u]);
	return buf;
}

/* Interrupts the function has, from its config space (sysfs). */
static void sysfs_irqs(const char *bdf, unsigned int *pin, unsigned int *msi,
		       unsigned int *msix)
{
	unsigned char cfg[256];
	char path[128];
	unsigned int pos, guard = 0;
	ssize_t n;
	int fd;

	*pin = *msi = *msix = 0;
	snprintf(path, sizeof(path), SYS_PCI "/devices/%s/config", bdf);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, cfg, sizeof(cfg));
	close(fd);
	if (n < 64)
		return;
	*pin = cfg[PCI_INTERRUPT_PIN];
	if (!(cfg[PCI_STATUS] & PCI_STATUS_CAP_LIST) || n < 256)
		return;			/* no capability list */
	for (pos = cfg[PCI_CAPABILITY_LIST] & 0xfc;
	     pos >= PCI_STD_HEADER_SIZEOF && guard++ < 48;
	     pos = cfg[pos + PCI_CAP_LIST_NEXT] & 0xfc) {
		unsigned int ctl = cfg[pos + PCI_MSI_FLAGS] |
				   cfg[pos + PCI_MSI_FLAGS + 1] << 8;

		/* MSI and MSI-X keep Message Control at the same offset. */
		if (cfg[pos + PCI_CAP_LIST_ID] == PCI_CAP_ID_MSI)
			*msi = 1u << ((ctl & PCI_MSI_FLAGS_QMASK) >> 1);
		else if (cfg[pos + PCI_CAP_LIST_ID] == PCI_CAP_ID_MSIX)
			*msix = (ctl & PCI_MSIX_FLAGS_QSIZE) + 1;
	}
}

static const char *region_name(unsigned int i, char *buf, size_t len)
{
	if (i == ULDF_REGION_ROM)
		return "ROM";
	snprintf(buf, len, "BAR%u", i);
	return buf;
}

static void info_sysfs_bars(const char *bdf)
{
	unsigned long long start, end, flags;
	char path[128], line[128], sz[32], name[8];
	FILE *f;
	unsigned int i;

	snprintf(path, sizeof(path), SYS_PCI "/devices/%s/resource", bdf);
	f = fopen(path, "re");
	if (!f)
		return;
	for (i = 0; i < 7 && fgets(line, sizeof(line), f); i++) {
		if (sscanf(line, "%llx %llx %llx", &start, &end, &flags) != 3 ||
		    !end)
			continue;
		printf("  %-12s %s %s at 0x%llx%s%s\n",
		       region_name(i, name, sizeof(name)), flags & 0x100 ? "I/O" : "memory",
		       size_str(end - start + 1, sz, sizeof(sz)), start,
		       flags & 0x100000 ? ", 64-bit" : "",
		       flags & 0x2000 ? ", prefetchable" : "");
	}
	fclose(f);
}

static void info_region(struct uldf_dev *dev, unsigned int i)
{
	struct uldf_region_info ri;
	char sz[32], asz[32], name[8];
	unsigned int a;

	if (uldf_region_get_info(dev, i, &ri) || !ri.size)
		return;
	printf("  %-12s %s %s%s%s%s%s", region_name(i, name, sizeof(name)),
	       ri.flags & ULDF_REGION_FLAG_IO ? "I/O" : "memory",
	       size_str(ri.size, sz, sizeof(sz)),
	       ri.flags & ULDF_REGION_FLAG_MEM64 ? ", 64-bit" : "",
	       ri.flags & ULDF_REGION_FLAG_PREFETCH ? ", prefetchable" : "",
	       ri.flags & ULDF_REGION_FLAG_MSIX ? ", MSI-X table/PBA" : "",
	       ri.flags & ULDF_REGION_FLAG_MMAP ? ", mmap" : "");
	for (a = 0; a < ri.nr_areas && a < ULDF_REGION_MAX_AREAS; a++)
		printf("%s0x%llx+%s", a ? " " : " [", (unsigned long long)
		       ri.areas[a].offset,
		       size_str(ri.areas[a].size, asz, sizeof(asz)));
	printf("%s\n", ri.nr_areas ? "]" : "");
}

static void print_pgsizes(uint64_t bitmap)
{
	char sz[32];
	int bit, shown = 0;

	for (bit = 0; bit < 64; bit++) {
		if (!(bitmap & (1ULL << bit)))
			continue;
		printf("%s%s", shown++ ? ", " : "",
		       size_str(1ULL << bit, sz, sizeof(sz)));
	}
}

static void info_dma(struct uldf_dev *dev)
{
	struct uldf_iova_range r[8];
	unsigned int n = 8, i;
	uint64_t pgsizes;
	uint32_t flags;
	int ret;

	ret = uldf_dma_get_info(dev, &flags, &pgsizes, r, &n);
	if (ret) {
		printf("  %-12s unavailable (%s)\n", "DMA", strerror(-ret));
		return;
	}
	printf("  %-12s %s%s; IOMMU pages ", "DMA",
	       flags & ULDF_DMA_INFO_NOIOMMU ? "no-IOMMU (physical addresses)" :
	       "IOMMU-translated",
	       flags & ULDF_DMA_INFO_COHERENT ? ", cache-coherent" : "");
	print_pgsizes(pgsizes);
	printf("\n  %-12s", "IOVA ranges");
	for (i = 0; i < n && i < 8; i++)
		printf(" 0x%llx-0x%llx", (unsigned long long)r[i].start,
		       (unsigned long long)r[i].last);
	printf("%s\n", n > 8 ? " ..." : "");
}

/* What the uldf device fd says. */
static int info_device(const char *bdf)
{
	static const char *const irq_name[] = { "INTx", "MSI", "MSI-X" };
	struct uldf_device_info di;
	struct uldf_dev *dev;
	char comm[64];
	unsigned int i;
	pid_t pid;
	int ret;

	ret = uldf_open(bdf, &dev);
	if (ret == -EBUSY) {
		pid = device_user(bdf, comm, sizeof(comm));
		printf("  %-12s in use by PID %d (%s): no device details\n",
		       "device", (int)pid, pid ? comm : "?");
		return 0;
	}
	if (ret) {
		msg("cannot open /dev/uldf/%s: %s", bdf, strerror(-ret));
		return 1;
	}
	uldf_dev_get_info(dev, &di);
	printf("  %-12s %s%s%s\n", "uldf", di.flags & ULDF_DEVICE_FLAGS_PCIE ?
	       "PCIe" : "PCI", di.flags & ULDF_DEVICE_FLAGS_RESET ?
	       ", reset supported" : ", no reset method",
	       di.flags & ULDF_DEVICE_FLAGS_NOIOMMU ? ", no-IOMMU mode" : "");
	printf("  %-12s", "interrupts");
	for (i = 0; i < 3; i++)
		printf("%s %s %u", i ? "," : "", irq_name[i], di.num_irqs[i]);
	printf("\n");
	for (i = 0; i <= ULDF_REGION_ROM; i++)
		info_region(dev, i);
	info_dma(dev);
	uldf_close(dev);
	return 0;
}

static void info_iommu(const char *bdf, int group)
{
	char path[128], type[32], blocker[80];

	if (group < 0) {
		printf("  %-12s none: DMA only in uldf's no-IOMMU mode "
		       "(uldf.enable_noiommu=1, unsafe)\n", "IOMMU");
		return;
	}
	snprintf(path, sizeof(path), SYS_GROUPS "/%d/type", group);
	if (read_line(path, type, sizeof(type)))
		snprintf(type, sizeof(type), "?");
	printf("  %-12s group %d, kernel domain type %s, ", "IOMMU", group, type);
	if (uldf_pci_group_viable(bdf, blocker, sizeof(blocker)) > 0)
		printf("viable\n");
	else
		printf("not viable (%s)\n", blocker);
}

static int cmd_info(int argc, char **argv)
{
	const struct uldf_pci_info *d;
	struct uldf_pci_list *list;
	unsigned int pin, msi, msix;
	int n, ret = 0;

	if (argc != 2)
		return usage(stderr);
	n = uldf_pci_find_bdf(argv[1], &list);
	if (n == -EINVAL) {
		msg("bad BDF '%s': expected dddd:bb:dd.f", argv[1]);
		return 2;
	}
	if (n <= 0) {
		msg("no PCI device %s", argv[1]);
		uldf_pci_list_free(list);
		return 1;
	}
	d = uldf_pci_list_get(list, 0);
	printf("%s  %04x:%04x  ", d->bdf, d->vendor, d->device);
	print_name(d);
	printf("\n  %-12s %06x, revision %02x, subsystem %04x:%04x\n", "class",
	       d->class_code, d->revision, d->subsystem_vendor,
	       d->subsystem_device);
	printf("  %-12s %s\n", "driver", d->driver[0] ? d->driver : "none");
	info_iommu(d->bdf, d->iommu_group);
	if (!strcmp(d->driver, "uldf")) {
		ret = info_device(d->bdf);
	} else {
		sysfs_irqs(d->bdf, &pin, &msi, &msix);
		printf("  %-12s INTx %u, MSI %u, MSI-X %u\n", "interrupts",
		       pin ? 1 : 0, msi, msix);
		info_sysfs_bars(d->bdf);
		printf("  (bind it to uldf for mmap areas and DMA details)\n");
	}
	uldf_pci_list_free(list);
	return ret;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd)
		return usage(stderr);
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help"))
		return usage(stdout);
	if (!strcmp(cmd, "--version")) {
		printf("uldfctl (libuldf %s)\n", ULDF_LIB_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "list"))
		return cmd_list(argc - 1, argv + 1);
	if (!strcmp(cmd, "bind"))
		return cmd_bind(argc - 1, argv + 1);
	if (!strcmp(cmd, "unbind"))
		return cmd_unbind(argc - 1, argv + 1);
	if (!strcmp(cmd, "info"))
		return cmd_info(argc - 1, argv + 1);
	msg("unknown command '%s'", cmd);
	return usage(stderr);
}
