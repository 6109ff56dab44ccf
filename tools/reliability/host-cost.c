// SPDX-License-Identifier: GPL-2.0
/*
 * host-cost: what a system call, an anonymous page fault, a fork and a
 * ptrace round trip cost here, in milliseconds each.
 *
 * The hosted-guest tests run a User-Mode Linux guest inside the testbed.
 * Every system call and page fault of a UML process is a ptrace stop of a
 * host process that the UML kernel, itself a host process, handles and
 * resumes, so a kernel that makes ptrace round trips dear makes UML far
 * dearer still.  uml-cost runs this program natively and as a UML guest's
 * init, on the distribution and the debug kernel, to put numbers on that.
 * Built static, so that as init it needs no shared library.  As init
 * (pid 1) it powers the guest off when done.
 *
 *   host-cost [N]	N iterations of each measurement (default 200)
 *
 * The ptrace round trip is the one UML makes: PTRACE_SYSEMU to let the
 * child run to its next system call, waitpid() for the stop, then
 * PTRACE_GETREGS and PTRACE_SETREGS to "handle" it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>

#ifndef PTRACE_SYSEMU
#define PTRACE_SYSEMU	31
#endif

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void report(const char *what, int n, double start)
{
	printf("host-cost: %-22s %5d: %10.3f ms each\n", what, n,
	       (now() - start) * 1e3 / n);
	fflush(stdout);
}

static void syscalls(int n)
{
	double t = now();
	int i;

	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	report("system call", n, t);
}

static void faults(int n)
{
	char *p = mmap(NULL, (size_t)n * 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	double t;
	int i;

	if (p == MAP_FAILED)
		return;
	t = now();
	for (i = 0; i < n; i++)
		p[(size_t)i * 4096] = 1;
	report("anonymous page fault", n, t);
	munmap(p, (size_t)n * 4096);
}

static void forks(int n)
{
	double t = now();
	int i;

	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
	report("fork+exit+wait", n, t);
}

static void ptrace_round_trips(int n)
{
	struct user_regs_struct regs;
	double t;
	pid_t pid;
	int i, st;

	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		for (;;)
			syscall(SYS_getppid);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st) ||
	    ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)PTRACE_O_EXITKILL)) {
		printf("host-cost: ptrace is not available here\n");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return;
	}
	t = now();
	for (i = 0; i < n; i++) {
		/* UML, for one, has no PTRACE_SYSEMU for its own processes. */
		if (ptrace(PTRACE_SYSEMU, pid, NULL, NULL) ||
		    waitpid(pid, &st, __WALL) != pid || !WIFSTOPPED(st) ||
		    ptrace(PTRACE_GETREGS, pid, NULL, &regs))
			break;
		regs.rax = 1;
		ptrace(PTRACE_SETREGS, pid, NULL, &regs);
	}
	if (i == n)
		report("ptrace round trip", n, t);
	else
		printf("host-cost: PTRACE_SYSEMU round trips do not work here\n");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 200;

	if (n < 1)
		n = 1;
	syscalls(n);
	faults(n);
	forks(n / 20 + 1);
	ptrace_round_trips(n);
	if (getpid() == 1) {
		sync();
		reboot(RB_POWER_OFF);
	}
	return 0;
}
