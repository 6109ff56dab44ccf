// SPDX-License-Identifier: GPL-2.0
/*
 * uldf-uml: run a command in a User-Mode Linux guest that drives real PCI
 * functions with its own stock drivers.
 *
 *   uldf-uml [-d BDF[,nomsi][,nomsix]]... [-r DIR [-w]] [-m SIZE]
 *            [-- COMMAND [ARG]...]
 *
 * The launcher does what a user would otherwise do by hand, in order:
 *
 *  1. binds each function to uldf if it is not (libuldf's uldf_pci_bind(),
 *     which records the previous driver), and gives it back at exit;
 *  2. writes what the guest is to run into a private run directory, which
 *     the guest mounts over hostfs (see uldf-uml-init.c for the format);
 *  3. starts the UML kernel with its RAM file on tmpfs (TMPDIR; the host
 *     pins that memory for the device's DMA), the host's root read-only
 *     over hostfs, uldf-uml-init as init, and the functions on the
 *     paravirtual host's command line (uldf_pv.devices=);
 *  4. relays the guest's console: through a pseudo-terminal when standard
 *     input is a terminal (which is then in raw mode, as with a serial
 *     console), through a pipe otherwise.  UML never gets the caller's own
 *     terminal or descriptors: it would set them non-blocking and
 *     asynchronous, and make the terminal its controlling terminal, which
 *     is hung up when UML exits (every later write then fails with EIO);
 *  5. returns the command's exit status, which the guest's init wrote to
 *     the run directory, or 128 + the signal that ended it.
 *
 * Exit status: the command's; 2 for a bad command line; 124 when the
 * guest ran out of time (--timeout); 125 when the launcher or the guest
 * failed before the command ended; 126 and 127 when the command could not
 * be run or found in the guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#include <libuldf.h>

/*
 * Where an installed launcher finds its kernel and init (build.mk sets
 * it); the launcher in the tree finds them relative to itself.
 */
#define MAX_DEVICES	8	/* slots of the guest's bus 1 */
#define MAX_WORDS	256	/* of the guest's kernel command line */
#define EXIT_USAGE	2
#define EXIT_TIMEOUT	124
#define EXIT_FAIL	125

static const char *prog = "uldf-uml";

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
		"usage: %s [OPTION]... [--] [COMMAND [ARG]...]\n"
		"Run COMMAND (default: a shell) in a User-Mode Linux guest whose\n"
		"stock drivers drive the given PCI functions through uldf.\n"
		"\n"
		"  -d, --device BDF[,nomsi][,nomsix]\n"
		"                      pass the function through (repeatable, at most %d);\n"
		"                      nomsi/nomsix hide its MSI/MSI-X capability\n"
		"  -r, --root DIR      run COMMAND in DIR over hostfs (default: the\n"
		"                      host's / read-only)\n"
		"  -w, --writable      mount the root of --root writable\n"
		"  -i, --init PATH     boot PATH (in DIR, or the host's /) as the\n"
		"                      guest's init instead of running COMMAND\n"
		"  -m, --mem SIZE      guest RAM, e.g. 256M (default 256M)\n"
		"  -k, --kernel FILE   the UML kernel to run\n"
		"  -t, --timeout SECS  kill the guest after SECS seconds (exit 124)\n"
		"  -s, --settle SECS   wait up to SECS for drivers to bind (default 10)\n"
		"  -n, --no-bind       fail on a function not bound to uldf\n"
		"  -K, --keep-bound    leave the functions bound to uldf at exit\n"
		"  -a, --append ARGS   more guest kernel command line\n"
		"  -l, --log FILE      write the UML process's own output to FILE\n"
		"  -v, --verbose       show the guest kernel's log on the console\n"
		"  -A, --aslr          keep the UML process's address space randomised\n"
		"  -h, --help          this text\n"
		"\n"
		"Exit status: COMMAND's; 2 bad usage; 124 timeout; 125 the launcher\n"
		"or the guest failed; 126/127 COMMAND not runnable/not found.\n"
		"See uldf-uml(1).\n", prog, MAX_DEVICES);
	return f == stdout ? 0 : EXIT_USAGE;
}

struct device {
	char bdf[ULDF_BDF_LEN];
	bool nomsi, nomsix;
	bool bound_here;	/* we bound it: give it back at exit */
};

static struct {
	struct device dev[MAX_DEVICES];
	int nr_dev;
	const char *root, *init, *mem, *kernel, *append, *log;
	bool writable, no_bind, keep_bound, verbose, aslr;
	int timeout, settle;
} opt = { .mem = "256M", .settle = 10 };

static char run_dir[PATH_MAX];
static struct termios saved_tio;
static bool tio_saved;
static volatile sig_atomic_t got_signal, got_winch, got_alarm;

static void on_signal(int sig)
{
	if (sig == SIGWINCH)
		got_winch = 1;
	else if (sig == SIGALRM)
		got_alarm = 1;
	else
		got_signal = sig;
}

/* "BDF[,nomsi][,nomsix]" */
static int parse_device(const char *arg)
{
	char buf[64], *opts, *o, *save;
	struct device *d;
	int err;

	if (opt.nr_dev == MAX_DEVICES) {
		msg("--device %s: at most %d functions", arg, MAX_DEVICES);
		return -1;
	}
	d = &opt.dev[opt.nr_dev];
	snprintf(buf, sizeof(buf), "%s", arg);
	opts = strchr(buf, ',');
	if (opts)
		*opts++ = '\0';
	err = uldf_pci_bdf_parse(buf, d->bdf);
	if (err) {
		msg("--device '%s': not a PCI address (dddd:bb:dd.f or bb:dd.f)",
		    buf);
		return -1;
	}
	for (o = opts ? strtok_r(opts, ",", &save) : NULL; o;
	     o = strtok_r(NULL, ",", &save)) {
		if (!strcmp(o, "nomsi"))
			d->nomsi = true;
		else if (!strcmp(o, "nomsix"))
			d->nomsix = true;
		else {
			msg("--device %s: unknown option '%s' (nomsi, nomsix)",
			    arg, o);
			return -1;
		}
	}
	for (int i = 0; i < opt.nr_dev; i++)
		if (!strcmp(opt.dev[i].bdf, d->bdf)) {
			msg("--device %s: given twice", d->bdf);
			return -1;
		}
	opt.nr_dev++;
	return 0;
}

static int parse_seconds(const char *name, const char *arg, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 0 || v > INT_MAX) {
		msg("%s '%s': not a number of seconds", name, arg);
		return -1;
	}
	*out = v;
	return 0;
}

/* Guest RAM sizes as UML takes them: a number with K, M or G. */
static int check_mem(const char *arg)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || end == arg || v == 0 ||
	    (*end && (strchr("KkMmGg", *end) == NULL || end[1]))) {
		msg("--mem '%s': not a size (e.g. 256M)", arg);
		return -1;
	}
	return 0;
}

/* The directory of this program, for the files next to it in the tree. */
static const char *self_dir(void)
{
	static char dir[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	char *slash;

	if (n <= 0)
		return ".";
	dir[n] = '\0';
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	return dir;
}

/* FILE in the installed directory, or in the tree at DIR/TREE. */
static char *find_file(const char *installed, const char *tree)
{
	char path[PATH_MAX];
	int n;

#ifdef ULDF_UML_LIBEXEC
	(void)tree;
	n = snprintf(path, sizeof(path), "%s/%s", ULDF_UML_LIBEXEC, installed);
#else
	(void)installed;
	n = snprintf(path, sizeof(path), "%s/%s", self_dir(), tree);
#endif
	return n < (int)sizeof(path) ? strdup(path) : strdup(tree);
}

static int bind_devices(void)
{
	char drv[64], blocker[64];
	int err;

	if (opt.nr_dev && access("/sys/bus/pci/drivers/uldf", F_OK)) {
		msg("uldf.ko is not loaded (modprobe uldf)");
		return -1;
	}
	for (int i = 0; i < opt.nr_dev; i++) {
		struct device *d = &opt.dev[i];

		err = uldf_pci_driver(d->bdf, drv, sizeof(drv));
		if (err == -ENODEV) {
			msg("%s: no such PCI function", d->bdf);
			return -1;
		}
		if (!err && !strcmp(drv, "uldf"))
			continue;
		if (opt.no_bind) {
			msg("%s: bound to %s, not uldf (uldfctl bind %s)",
			    d->bdf, *drv ? drv : "no driver", d->bdf);
			return -1;
		}
		err = uldf_pci_bind(d->bdf, 0);
		if (err == -EBUSY &&
		    uldf_pci_group_viable(d->bdf, blocker, sizeof(blocker)) == 0)
			msg("%s: its IOMMU group is not viable: %s is bound to another driver",
			    d->bdf, blocker);
		else if (err)
			msg("%s: cannot bind to uldf: %s", d->bdf,
			    strerror(-err));
		if (err)
			return -1;
		d->bound_here = true;
	}
	return 0;
}

static void unbind_devices(void)
{
	int err;

	for (int i = 0; i < opt.nr_dev; i++) {
		if (!opt.dev[i].bound_here || opt.keep_bound)
			continue;
		err = uldf_pci_unbind(opt.dev[i].bdf, 0);
		if (err)
			msg("%s: cannot give back to its driver: %s",
			    opt.dev[i].bdf, strerror(-err));
	}
}

/* Append the NUL-terminated TAG+VALUE to the command file. */
static int put(FILE *f, char tag, const char *value)
{
	return fprintf(f, "%c%s", tag, value ?: "") < 0 ||
	       fputc('\0', f) == EOF ? -1 : 0;
}

static int write_command(char **argv, int argc, bool tty, const char *pv_ko,
			 const char *pv_params)
{
	static const char *const keep_env[] = { "TERM", "LANG", "TZ" };
	char path[PATH_MAX + 8], cwd[PATH_MAX], env[PATH_MAX];
	const char *shell = "/bin/sh";
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "%s/cmd", run_dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	if (opt.root) {
		err |= put(f, 'R', opt.root);
		if (opt.writable)
			err |= put(f, 'W', NULL);
		err |= put(f, 'C', "/");
	} else if (getcwd(cwd, sizeof(cwd))) {
		err |= put(f, 'C', cwd);
	}
	err |= put(f, 'E', "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	err |= put(f, 'E', "HOME=/root");
	for (size_t i = 0; i < sizeof(keep_env) / sizeof(keep_env[0]); i++) {
		const char *v = getenv(keep_env[i]);

		if (v) {
			snprintf(env, sizeof(env), "%s=%s", keep_env[i], v);
			err |= put(f, 'E', env);
		}
	}
	if (argc == 0)
		err |= put(f, 'A', shell);
	for (int i = 0; i < argc; i++)
		err |= put(f, 'A', argv[i]);
	if (pv_ko)
		err |= put(f, 'M', pv_ko);
	err |= put(f, 'P', pv_params);
	snprintf(env, sizeof(env), "%d", opt.settle);
	err |= put(f, 'S', env);
	if (tty)
		err |= put(f, 'T', NULL);
	if (fclose(f))
		err = -1;
	return err ? -1 : 0;
}

/* uldf_pv.devices=: "BDF[/nomsi][/nomsix],..." */
static void pv_devices(char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < opt.nr_dev && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%s%s%s", i ? "," : "",
			      opt.dev[i].bdf, opt.dev[i].nomsi ? "/nomsi" : "",
			      opt.dev[i].nomsix ? "/nomsix" : "");
}

/* The guest's RAM file must be on tmpfs: the host pins it for DMA. */
static const char *ram_dir(void)
{
	const char *dir = getenv("ULDF_UML_RAM_DIR") ?: "/dev/shm";
	struct statfs s;

	if (statfs(dir, &s) || s.f_type != TMPFS_MAGIC) {
		msg("%s is not a tmpfs: the guest's RAM must be (set ULDF_UML_RAM_DIR)",
		    dir);
		return NULL;
	}
	return dir;
}

static void restore_tty(void)
{
	if (tio_saved)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_tio);
	tio_saved = false;
}

static void copy_winsize(int pty)
{
	struct winsize ws;

	if (!ioctl(STDIN_FILENO, TIOCGWINSZ, &ws))
		ioctl(pty, TIOCSWINSZ, &ws);
}

static int write_all(int fd, const char *buf, ssize_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		n -= w;
	}
	return 0;
}

/*
 * The kernel's "reboot: Power down" when the init powers the guest off
 * (an emergency-level message, shown even with "quiet"), once the command
 * has ended.
 */
static bool is_power_down(const char *buf, ssize_t n)
{
	static const char line[] = "reboot: Power down";
	char path[PATH_MAX + 8];

	if (opt.verbose || n < (ssize_t)sizeof(line) - 1 ||
	    memcmp(buf, line, sizeof(line) - 1))
		return false;
	snprintf(path, sizeof(path), "%s/status", run_dir);
	return access(path, F_OK) == 0 || opt.init;
}

/*
 * Relay the console until UML has exited and its side is drained.
 * @in: the console's input side for the guest (-1: no input), @out: its
 * output.  Returns UML's wait status.
 */
static int relay(pid_t uml, int in, int out)
{
	bool stdin_open = in >= 0, exited = false;
	int status = 0, killed_at = 0;
	char buf[4096];

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = out, .events = POLLIN },
			{ .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
		};
		int n;

		if (got_winch && in >= 0) {
			got_winch = 0;
			copy_winsize(in);
		}
		if ((got_signal || got_alarm) && !killed_at) {
			/* A whole process group: UML's helpers die too. */
			kill(-uml, got_alarm ? SIGKILL : SIGTERM);
			killed_at = time(NULL);
		}
		if (killed_at && time(NULL) - killed_at > 5)
			kill(-uml, SIGKILL);
		if (!exited && waitpid(uml, &status, WNOHANG) == uml)
			exited = true;
		n = poll(p, 2, exited ? 0 : 200);
		if (n < 0 && errno != EINTR)
			break;
		if (n <= 0) {
			if (exited)
				break;
			continue;
		}
		if (p[0].revents) {
			ssize_t r = read(out, buf, sizeof(buf));

			if (r <= 0) {
				if (r < 0 && errno == EINTR)
					continue;
				if (exited)
					break;
				/* Our copy of the other end keeps it open. */
			} else if (is_power_down(buf, r)) {
				/* The guest's last word, not the command's. */
			} else if (write_all(STDOUT_FILENO, buf, r)) {
				/* Nobody reads our output any more. */
				kill(-uml, SIGKILL);
			}
		}
		if (p[1].revents) {
			ssize_t r = read(STDIN_FILENO, buf, sizeof(buf));

			if (r <= 0)
				stdin_open = false;
			else
				write_all(in, buf, r);
		}
	}
	if (!exited)
		waitpid(uml, &status, 0);
	return status;
}

static void remove_run_dir(void)
{
	static const char *const files[] = { "cmd", "status", "status.tmp" };
	char path[PATH_MAX + 16];

	if (!*run_dir)
		return;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", run_dir, files[i]);
		unlink(path);
	}
	/* UML's own files (uml_dir=): its umid directory. */
	snprintf(path, sizeof(path), "rm -rf -- '%s'", run_dir);
	if (!strchr(run_dir, '\''))
		(void)!system(path);
}

/* After a failure: the end of UML's own output, unless it went to --log. */
static void show_log(void)
{
	char path[PATH_MAX + 16], line[512], ring[20][512];
	int n = 0;
	FILE *f;

	if (opt.log) {
		msg("UML's output is in %s", opt.log);
		return;
	}
	snprintf(path, sizeof(path), "%s/uml.log", run_dir);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		snprintf(ring[n++ % 20], sizeof(ring[0]), "%s", line);
	fclose(f);
	msg("the end of UML's output:");
	for (int i = n > 20 ? n - 20 : 0; i < n; i++)
		fprintf(stderr, "  %s", ring[i % 20]);
}

/* The command's status from the guest, or -1. */
static int guest_status(void)
{
	char path[PATH_MAX + 8], word[16];
	int v = -1, rc = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/status", run_dir);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%15s %d", word, &v) == 2 && v >= 0 && v < 256) {
		if (!strcmp(word, "exit"))
			rc = v;
		else if (!strcmp(word, "signal"))
			rc = 128 + v;
	}
	fclose(f);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "root", required_argument, NULL, 'r' },
		{ "writable", no_argument, NULL, 'w' },
		{ "init", required_argument, NULL, 'i' },
		{ "mem", required_argument, NULL, 'm' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "timeout", required_argument, NULL, 't' },
		{ "settle", required_argument, NULL, 's' },
		{ "no-bind", no_argument, NULL, 'n' },
		{ "keep-bound", no_argument, NULL, 'K' },
		{ "append", required_argument, NULL, 'a' },
		{ "log", required_argument, NULL, 'l' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "aslr", no_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char devices[MAX_DEVICES * 32], params[sizeof(devices) + 32];
	char *kernel, *init, *pv_ko, cmdline[8192], fdspec[64];
	int c, status, rc, in = -1, out = -1, uml_in = -1, uml_out = -1;
	bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	const char *ram;
	struct sigaction sa = { .sa_handler = on_signal };
	struct stat st;
	pid_t uml;

	while ((c = getopt_long(argc, argv, "+d:r:wi:m:k:t:s:nKa:l:vAh",
				longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (parse_device(optarg))
				return EXIT_USAGE;
			break;
		case 'r': opt.root = optarg; break;
		case 'w': opt.writable = true; break;
		case 'i': opt.init = optarg; break;
		case 'm':
			if (check_mem(optarg))
				return EXIT_USAGE;
			opt.mem = optarg;
			break;
		case 'k': opt.kernel = optarg; break;
		case 't':
			if (parse_seconds("--timeout", optarg, &opt.timeout))
				return EXIT_USAGE;
			break;
		case 's':
			if (parse_seconds("--settle", optarg, &opt.settle))
				return EXIT_USAGE;
			break;
		case 'n': opt.no_bind = true; break;
		case 'K': opt.keep_bound = true; break;
		case 'a': opt.append = optarg; break;
		case 'l': opt.log = optarg; break;
		case 'v': opt.verbose = true; break;
		case 'A': opt.aslr = true; break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (opt.root && (stat(opt.root, &st) || !S_ISDIR(st.st_mode))) {
		msg("--root %s: not a directory", opt.root);
		return EXIT_USAGE;
	}
	if (opt.root && opt.root[0] != '/') {
		msg("--root %s: give an absolute path", opt.root);
		return EXIT_USAGE;
	}
	if (opt.writable && !opt.root) {
		msg("--writable needs --root (the host's / is always read-only)");
		return EXIT_USAGE;
	}
	if (opt.init && optind < argc) {
		msg("--init and a command: give one");
		return EXIT_USAGE;
	}
	kernel = opt.kernel ? strdup(opt.kernel) :
		 getenv("ULDF_UML_KERNEL") ? strdup(getenv("ULDF_UML_KERNEL")) :
		 find_file("linux", "../../vmm-glue/uml/linux");
	init = find_file("uldf-uml-init", "uldf-uml-init");
	pv_ko = find_file("uldf_pv.ko", "../../vmm-glue/uml/uldf_pv.ko");
	if (access(kernel, X_OK)) {
		msg("%s: no UML kernel there (--kernel FILE, or 'make uml-guest')",
		    kernel);
		return EXIT_FAIL;
	}
	if (!opt.init && access(init, X_OK)) {
		msg("%s: the guest's init is missing", init);
		return EXIT_FAIL;
	}
	if (access(pv_ko, R_OK)) {
		free(pv_ko);
		pv_ko = NULL;
	}
	ram = ram_dir();
	if (!ram)
		return EXIT_FAIL;

	if (bind_devices()) {
		unbind_devices();
		return EXIT_FAIL;
	}

	snprintf(run_dir, sizeof(run_dir), "%s/uldf-uml.XXXXXX",
		 getenv("ULDF_UML_RUN_DIR") ?: "/tmp");
	if (!mkdtemp(run_dir)) {
		msg("cannot make a run directory: %s", strerror(errno));
		*run_dir = '\0';
		unbind_devices();
		return EXIT_FAIL;
	}
	pv_devices(devices, sizeof(devices));
	snprintf(params, sizeof(params), "devices=%s", devices);
	if (!opt.init && write_command(argv + optind, argc - optind, tty,
				       pv_ko, params)) {
		msg("cannot write %s/cmd", run_dir);
		rc = EXIT_FAIL;
		goto out;
	}

	/* The console: a pseudo-terminal or a pipe, never our own fds. */
	if (tty) {
		if (openpty(&in, &uml_in, NULL, NULL, NULL)) {
			msg("openpty: %s", strerror(errno));
			rc = EXIT_FAIL;
			goto out;
		}
		out = in;
		uml_out = uml_in;
		copy_winsize(in);
	} else {
		int p[2];

		if (pipe2(p, O_CLOEXEC)) {
			msg("pipe: %s", strerror(errno));
			rc = EXIT_FAIL;
			goto out;
		}
		out = p[0];
		uml_out = p[1];
	}
	if (uml_in >= 0)
		snprintf(fdspec, sizeof(fdspec), "con0=fd:%d,fd:%d", uml_in,
			 uml_out);
	else
		snprintf(fdspec, sizeof(fdspec), "con0=null,fd:%d", uml_out);

	c = snprintf(cmdline, sizeof(cmdline),
		 "mem=%s root=/dev/root rootfstype=hostfs rootflags=%s %s "
		 "init=%s uml_dir=%s con=null %s %s%s%s ULDF_UML_RUN=%s %s",
		 opt.mem, opt.init && opt.root ? opt.root : "/",
		 opt.init && opt.root && opt.writable ? "rw" : "ro",
		 opt.init ?: init, run_dir, fdspec, opt.verbose ? "" : "quiet",
		 opt.nr_dev ? " uldf_pv.devices=" : "", devices, run_dir,
		 opt.append ?: "");
	if (c >= (int)sizeof(cmdline)) {
		msg("the guest's command line is too long");
		rc = EXIT_FAIL;
		goto out;
	}

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGWINCH, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (tty) {
		struct termios raw;

		if (!tcgetattr(STDIN_FILENO, &saved_tio)) {
			tio_saved = true;
			raw = saved_tio;
			cfmakeraw(&raw);
			tcsetattr(STDIN_FILENO, TCSANOW, &raw);
		}
	}

	uml = fork();
	if (uml < 0) {
		msg("fork: %s", strerror(errno));
		rc = EXIT_FAIL;
		goto out;
	}
	if (uml == 0) {
		char logpath[PATH_MAX + 16], *uml_argv[MAX_WORDS + 2] = { 0 };
		int fd, n = 0, devnull = open("/dev/null", O_RDWR);

		setpgid(0, 0);
		if (opt.log)
			snprintf(logpath, sizeof(logpath), "%s", opt.log);
		else
			snprintf(logpath, sizeof(logpath), "%s/uml.log",
				 run_dir);
		fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			  0644);
		dup2(devnull, STDIN_FILENO);
		dup2(fd >= 0 ? fd : devnull, STDOUT_FILENO);
		dup2(fd >= 0 ? fd : devnull, STDERR_FILENO);
		if (uml_in >= 0)
			fcntl(uml_in, F_SETFD, 0);
		fcntl(uml_out, F_SETFD, 0);
		setenv("TMPDIR", ram, 1);
		/*
		 * Guest physical addresses are offsets in UML's address space
		 * from its image; with the heap randomised, guest RAM starts
		 * up to a GiB higher, beyond devices with narrow DMA masks,
		 * and moves from run to run.
		 */
		if (!opt.aslr)
			personality(personality(0xffffffff) | ADDR_NO_RANDOMIZE);
		uml_argv[0] = kernel;
		for (char *w = strtok(cmdline, " "); w && n < MAX_WORDS;
		     w = strtok(NULL, " "))
			uml_argv[++n] = w;
		execv(kernel, uml_argv);
		fprintf(stderr, "%s: %s: %s\n", prog, kernel, strerror(errno));
		_exit(EXIT_FAIL);
	}
	setpgid(uml, uml);
	/* Only UML holds its ends: EOF and EIO come when it is gone. */
	if (uml_in >= 0 && uml_in != uml_out)
		close(uml_in);
	close(uml_out);
	if (opt.timeout)
		alarm(opt.timeout);

	status = relay(uml, tty ? in : -1, out);
	restore_tty();
	alarm(0);
	kill(-uml, SIGKILL);	/* any helper UML left behind */

	rc = opt.init ? (WIFEXITED(status) && !WEXITSTATUS(status) ? 0 :
			 EXIT_FAIL) : guest_status();
	if (got_alarm) {
		msg("the guest ran out of time (--timeout %d)", opt.timeout);
		rc = EXIT_TIMEOUT;
	} else if (got_signal && rc < 0) {
		rc = 128 + got_signal;
	} else if (rc < 0) {
		msg("the guest stopped before its command ended (UML %s %d)",
		    WIFSIGNALED(status) ? "killed by signal" : "exit status",
		    WIFSIGNALED(status) ? WTERMSIG(status) :
		    WEXITSTATUS(status));
		show_log();
		rc = EXIT_FAIL;
	}
out:
	restore_tty();
	if (in >= 0)
		close(in);
	if (out >= 0 && out != in)
		close(out);
	remove_run_dir();
	unbind_devices();
	return rc;
}
