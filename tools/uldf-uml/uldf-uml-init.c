// SPDX-License-Identifier: GPL-2.0
/*
 * uldf-uml-init: the first process of a User-Mode Linux guest that
 * uldf-uml(1) starts.  It runs in the guest, from the host's root mounted
 * read-only over hostfs, and does what a minimal init must before a
 * command can run there:
 *
 *  - mounts /proc first (the C library and busybox find themselves through
 *    /proc/self/exe), then /sys, /dev (devtmpfs), and tmpfs on /run and
 *    /tmp (the root is read-only);
 *  - mounts the launcher's run directory (ULDF_UML_RUN, a host path, over
 *    hostfs) and reads from its "cmd" file what to run: the guest root
 *    (a host directory, mounted over hostfs and chrooted into), the
 *    working directory, the environment and the argument vector;
 *  - loads the paravirtual PCI host from a file when it is not built into
 *    the kernel (a module build of the guest);
 *  - waits, at most a few seconds, for the stock drivers to bind to the
 *    passed-through functions, so that the command finds their devices;
 *  - runs the command as a session leader with the console as its
 *    controlling terminal, reaps every orphan meanwhile (it is PID 1), and
 *    writes the command's exit status to the run directory's "status"
 *    file for the launcher to return;
 *  - syncs and powers the guest off.
 *
 * The "cmd" file is a sequence of NUL-terminated strings, each a one-letter
 * tag and its value:
 *
 *   R<dir>    the guest root, a host directory ("" or absent: stay on /)
 *   W         mount that root writable
 *   C<dir>    working directory of the command
 *   E<var=v>  an environment variable of the command
 *   A<arg>    the next argument of the command (argv[0] first)
 *   M<file>   the paravirtual host's module, loaded unless built in
 *   P<args>   its parameters ("devices=... hide_msi=...")
 *   S<secs>   how long to wait for drivers to bind
 *   T         the launcher's side of the console is a terminal
 *
 * It is a static program, so that starting it in the guest (where every
 * page fault of a process is a round trip through the host) costs no
 * dynamic loading.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define RUN_DIR		"/run/uldf-uml"
#define HOST_DIR	RUN_DIR "/host"
#define ROOT_DIR	RUN_DIR "/root"
#define GUEST_BUS	"/sys/bus/pci/devices"
#define MAX_ARGS	1024

extern char **environ;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("uldf-uml-init: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void power_off(void)
{
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

static void try_mount(const char *src, const char *dir, const char *type,
		      unsigned long flags, const char *data)
{
	if (mount(src, dir, type, flags, data) && errno != EBUSY)
		say("cannot mount %s on %s: %s", type, dir, strerror(errno));
}

/* The launcher's command, parsed from the "cmd" file. */
struct command {
	char *buf;
	const char *root, *cwd, *module, *params;
	int root_rw, tty, settle;
	char *argv[MAX_ARGS + 1], *envp[MAX_ARGS + 1];
};

static int read_command(struct command *c)
{
	int argc = 0, envc = 0, fd;
	char *p, *end;
	struct stat st;

	fd = open(HOST_DIR "/cmd", O_RDONLY);
	if (fd < 0 || fstat(fd, &st) || !st.st_size)
		return -1;
	c->buf = calloc(1, st.st_size + 1);
	if (!c->buf || read(fd, c->buf, st.st_size) != st.st_size)
		return -1;
	close(fd);
	c->settle = 10;
	for (p = c->buf, end = c->buf + st.st_size; p < end;
	     p += strlen(p) + 1) {
		switch (*p) {
		case 'R': c->root = p + 1; break;
		case 'W': c->root_rw = 1; break;
		case 'C': c->cwd = p + 1; break;
		case 'M': c->module = p + 1; break;
		case 'P': c->params = p + 1; break;
		case 'S': c->settle = atoi(p + 1); break;
		case 'T': c->tty = 1; break;
		case 'E':
			if (envc < MAX_ARGS)
				c->envp[envc++] = p + 1;
			break;
		case 'A':
			if (argc < MAX_ARGS)
				c->argv[argc++] = p + 1;
			break;
		}
	}
	return argc ? 0 : -1;
}

/* The paravirtual host, when the guest kernel has it as a module. */
static void load_pv_host(const struct command *c)
{
	int fd;

	if (!c->module || !access("/sys/module/uldf_pv", F_OK))
		return;
	fd = open(c->module, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || syscall(SYS_finit_module, fd, c->params ?: "", 0))
		say("cannot load %s: %s", c->module, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/*
 * Whether every PCI function of the guest that some driver could take has
 * one: a function with no driver after the settle time is left alone.
 */
static int all_bound(void)
{
	char path[512];
	struct dirent *d;
	int ok = 1;
	DIR *dir;

	dir = opendir(GUEST_BUS);
	if (!dir)
		return 1;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), GUEST_BUS "/%s/driver", d->d_name);
		if (access(path, F_OK))
			ok = 0;
	}
	closedir(dir);
	return ok;
}

static void settle(int secs)
{
	struct timespec t = { 0, 20 * 1000 * 1000 };
	long n = secs * 50L;

	while (n-- > 0 && !all_bound())
		nanosleep(&t, NULL);
}

/* The command's view of the system: the host's root, or a root of its own. */
static const char *prepare_root(const struct command *c)
{
	static const char *const sub[][2] = {
		{ "/proc", "proc" }, { "/sys", "sysfs" }, { "/dev", "devtmpfs" },
	};
	char path[4096];
	size_t i;

	if (!c->root || !*c->root)
		return NULL;
	mkdir(ROOT_DIR, 0755);
	if (mount("none", ROOT_DIR, "hostfs", c->root_rw ? 0 : MS_RDONLY,
		  c->root)) {
		say("cannot mount the root %s: %s", c->root, strerror(errno));
		return NULL;
	}
	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		snprintf(path, sizeof(path), ROOT_DIR "%s", sub[i][0]);
		if (!access(path, F_OK))
			try_mount(sub[i][1], path, sub[i][1], 0, NULL);
	}
	return ROOT_DIR;
}

static void run_child(const struct command *c, const char *root)
{
	int err;

	setsid();
	if (c->tty)
		ioctl(0, TIOCSCTTY, 1);
	if (root && (chroot(root) || chdir("/"))) {
		say("cannot enter the root %s: %s", c->root, strerror(errno));
		_exit(125);
	}
	if (c->cwd && chdir(c->cwd) && chdir("/"))
		_exit(125);
	environ = (char **)c->envp;
	execvp(c->argv[0], c->argv);
	err = errno;
	say("%s: %s", c->argv[0], strerror(err));
	_exit(err == ENOENT ? 127 : 126);
}

static void write_status(int status)
{
	char line[32];
	int fd, n;

	if (WIFEXITED(status))
		n = snprintf(line, sizeof(line), "exit %d\n",
			     WEXITSTATUS(status));
	else
		n = snprintf(line, sizeof(line), "signal %d\n",
			     WTERMSIG(status));
	fd = open(HOST_DIR "/status.tmp", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, line, n) != n || fsync(fd) ||
	    rename(HOST_DIR "/status.tmp", HOST_DIR "/status"))
		say("cannot report the exit status: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	const char *run = getenv("ULDF_UML_RUN");
	struct command c = { 0 };
	struct termios tio;
	const char *root;
	int status;
	pid_t pid, w;

	try_mount("proc", "/proc", "proc", 0, NULL);
	try_mount("sysfs", "/sys", "sysfs", 0, NULL);
	try_mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	try_mount("tmpfs", "/run", "tmpfs", 0, "mode=0755");
	try_mount("tmpfs", "/tmp", "tmpfs", 0, "mode=1777");
	mkdir(RUN_DIR, 0755);
	mkdir(HOST_DIR, 0755);
	if (!run || mount("none", HOST_DIR, "hostfs", 0, run) ||
	    read_command(&c)) {
		say("no command from the launcher (ULDF_UML_RUN=%s)",
		    run ?: "");
		power_off();
	}
	/* Output to a pipe on the host: no carriage returns. */
	if (!c.tty && !tcgetattr(1, &tio)) {
		tio.c_oflag &= ~ONLCR;
		tcsetattr(1, TCSANOW, &tio);
	}
	load_pv_host(&c);
	settle(c.settle);
	root = prepare_root(&c);

	pid = fork();
	if (pid < 0) {
		say("fork: %s", strerror(errno));
		power_off();
	}
	if (!pid)
		run_child(&c, root);
	/* PID 1 reaps every orphan until its own child is gone. */
	do {
		w = wait(&status);
	} while (w != pid && !(w < 0 && errno != EINTR));
	write_status(w == pid ? status : 125 << 8);
	power_off();
}
