// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fuse.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fs/detach.h"
#include "fs/options.h"
#include "fs/supervisor.h"
#include "fs/unit.h"
#include "fs/wire.h"
#include "fs/worker.h"
#include "tree/tree.h"
#include "util/arena.h"
#include "util/log.h"

/* Big enough for any request the kernel sends (its largest WRITE and headers). */
#define EIO_BUFSIZE ((1u << 20) + 8192)

/*
 * An upgrade: the worker stops, one from the binary on disk starts, and
 * only once it serves does this process start again from that binary (so
 * a broken binary never replaces a working supervisor).
 */
enum pending {
	PENDING_NONE,
	PENDING_UPGRADE, /* the worker stops, then one from disk starts */
	PENDING_STOP,	 /* the worker stops, then this process ends */
};

struct supervisor {
	const struct options *opt;
	const struct fuse_cmdline_opts *cmd;
	int argc;
	char **argv;
	char exec_path[PATH_MAX]; /* the binary on disk */
	bool fallback;		  /* the binary on disk does not know the arena: run this one */
	bool upgrading;		  /* the worker running is the new binary's first */
	int fuse_fd, arena_fd;
	struct fuse_session *mounted; /* when this process mounted */
	bool stored;		      /* the descriptors are in the service's store */
	dev_t mount_dev;	      /* the mount's device, once a worker served (0: unknown) */
	int sigfd;

	pid_t worker;
	int ready_fd;	  /* the worker says it serves: one byte */
	bool worker_ready; /* ... it did */
	bool served;	  /* some worker served since this process started */
	int report_fd;	  /* the shell that started a background daemon waits on it */
	struct timespec stop_asked;
	enum pending pending;

	struct timespec deaths[OCXLFS_CRASH_LIMIT];
	unsigned ndeaths;
	bool failing;	      /* answering EIO */
	struct timespec retry; /* ... until a worker is tried again */
	char *eio_buf;
};

static struct timespec now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts;
}

static double seconds_since(const struct timespec *t)
{
	struct timespec n = now_mono();

	return (double)(n.tv_sec - t->tv_sec) + (double)(n.tv_nsec - t->tv_nsec) / 1e9;
}

static int keep_across_exec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	return flags < 0 || fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) ? -errno : 0;
}

/* The binary on disk this process was started from: an upgrade replaces what it names. */
static void find_exec_path(struct supervisor *s)
{
	ssize_t n;

	if (s->opt->exec_path) {
		snprintf(s->exec_path, sizeof(s->exec_path), "%s", s->opt->exec_path);
		return;
	}
	n = readlink("/proc/self/exe", s->exec_path, sizeof(s->exec_path) - 1);
	if (n < 0) {
		snprintf(s->exec_path, sizeof(s->exec_path), "%s", s->argv[0]);
		return;
	}
	s->exec_path[n] = '\0';
}

/* The user's arguments, without the ones a supervisor adds for itself. */
static bool is_internal(const char *arg)
{
	return !strncmp(arg, "--worker=", 9) || !strncmp(arg, "--supervise=", 12) ||
	       !strncmp(arg, "--exec-path=", 12);
}

static char **command_line(const struct supervisor *s, const char *path, char *const extra[],
			   unsigned nextra)
{
	char **v = calloc((size_t)s->argc + nextra + 1, sizeof(*v));
	unsigned k = 0;

	if (!v)
		return NULL;
	v[k++] = (char *)path;
	for (unsigned i = 0; i < nextra; i++)
		v[k++] = extra[i];
	for (int i = 1; i < s->argc; i++)
		if (!is_internal(s->argv[i]))
			v[k++] = s->argv[i];
	return v;
}

static void unblock_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
}

static int start_worker(struct supervisor *s)
{
	const char *path = s->fallback ? "/proc/self/exe" : s->exec_path;
	char fds[64];
	int ready[2];
	pid_t pid;

	if (pipe2(ready, O_CLOEXEC))
		return -errno;
	snprintf(fds, sizeof(fds), "--worker=%d,%d,%d", s->fuse_fd, s->arena_fd, ready[1]);
	pid = fork();
	if (pid < 0) {
		close(ready[0]);
		close(ready[1]);
		return -errno;
	}
	if (pid == 0) {
		char *extra[] = { fds };
		char **argv = command_line(s, path, extra, 1);

		unblock_signals();
		if (!argv || keep_across_exec(s->fuse_fd) || keep_across_exec(s->arena_fd) ||
		    keep_across_exec(ready[1]))
			_exit(OCXLFS_EXIT_START);
		execv(path, argv);
		fprintf(stderr, "ocxlfs: cannot start a worker from %s: %s\n", path,
			strerror(errno));
		_exit(OCXLFS_EXIT_START);
	}
	close(ready[1]);
	s->worker = pid;
	s->worker_ready = false;
	s->ready_fd = ready[0];
	log_info("worker %d started from %s", (int)pid, path);
	return 0;
}

/*
 * The device of what the mountpoint shows, 0 if that cannot be said.  From
 * cached attributes only (AT_STATX_DONT_SYNC): no request reaches the file
 * system mounted there, which is this process's own.
 */
static dev_t dev_at(const char *mountpoint)
{
	struct statx stx;

	if (statx(AT_FDCWD, mountpoint, AT_STATX_DONT_SYNC | AT_NO_AUTOMOUNT, STATX_TYPE, &stx))
		return 0;
	return makedev(stx.stx_dev_major, stx.stx_dev_minor);
}

/* The connection is gone: unmounted everywhere, or aborted. */
static bool connection_gone(const struct supervisor *s)
{
	struct pollfd p = { .fd = s->fuse_fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP | POLLNVAL));
}

static void report_start(struct supervisor *s, char status)
{
	if (s->report_fd < 0)
		return;
	if (write(s->report_fd, &status, 1) != 1)
		log_dbg("start-up report: %s", strerror(errno));
	close(s->report_fd);
	s->report_fd = -1;
}

/* ---- answering EIO while no worker can run ---- */

static void enter_failing(struct supervisor *s, const char *why)
{
	s->failing = true;
	s->retry = now_mono();
	s->retry.tv_sec += OCXLFS_CRASH_RETRY_S;
	log_err("%s: %s answers EIO to every request until a worker stays up "
		"(SIGHUP, systemctl reload ocxlfs, starts the binary on disk again; "
		"another try in %d s)", why, s->cmd->mountpoint, OCXLFS_CRASH_RETRY_S);
	{
		char status[256];

		snprintf(status, sizeof(status), "STATUS=answering EIO: %s", why);
		unit_notify(status);
	}
}

/* One request, answered EIO (FORGET needs no answer, RELEASE frees its handle). */
static void answer_eio(struct supervisor *s, struct arena *a)
{
	const struct fuse_in_header *in = (const void *)s->eio_buf;
	ssize_t n = read(s->fuse_fd, s->eio_buf, EIO_BUFSIZE);

	if (n < (ssize_t)sizeof(*in))
		return;
	switch (in->opcode) {
	case FUSE_FORGET:
	case FUSE_BATCH_FORGET:
	case FUSE_INTERRUPT:
		return;
	case FUSE_RELEASE:
		if (a->base && (size_t)n >= sizeof(*in) + sizeof(struct fuse_release_in))
			tree_arena_release(a, ((const struct fuse_release_in *)(in + 1))->fh);
		wire_reply_error(s->fuse_fd, in->unique, 0);
		return;
	case FUSE_RELEASEDIR:
		wire_reply_error(s->fuse_fd, in->unique, 0);
		return;
	default:
		wire_reply_error(s->fuse_fd, in->unique, EIO);
	}
}

/* ---- what a worker's end means ---- */

static void describe(int status, char *buf, size_t cap)
{
	if (WIFSIGNALED(status))
		snprintf(buf, cap, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, cap, "exit status %d", WEXITSTATUS(status));
}

/* A death counts towards the crash limit; true when the limit is reached. */
static bool crash_loop(struct supervisor *s)
{
	unsigned k = s->ndeaths % OCXLFS_CRASH_LIMIT;

	s->deaths[k] = now_mono();
	s->ndeaths++;
	if (s->ndeaths < OCXLFS_CRASH_LIMIT)
		return false;
	/* The oldest of the last OCXLFS_CRASH_LIMIT deaths. */
	return seconds_since(&s->deaths[s->ndeaths % OCXLFS_CRASH_LIMIT]) <= OCXLFS_CRASH_WINDOW_S;
}

enum next { NEXT_RESTART, NEXT_WAIT, NEXT_EXIT };

static enum next worker_ended(struct supervisor *s, int status, int *exit_code)
{
	bool was_ready = s->worker_ready;
	char what[96];

	describe(status, what, sizeof(what));
	if (s->ready_fd >= 0) {
		close(s->ready_fd);
		s->ready_fd = -1;
	}
	s->worker = 0;
	if (connection_gone(s)) {
		log_notice("the mount is gone (unmounted); worker %s", what);
		/* A worker's own verdict (valgrind's, say) is the daemon's. */
		*exit_code = WIFEXITED(status) && WEXITSTATUS(status) != OCXLFS_EXIT_STOPPED
				     ? WEXITSTATUS(status)
				     : 0;
		if (!s->served)
			*exit_code = 1;
		return NEXT_EXIT;
	}
	if (s->pending != PENDING_NONE)
		return NEXT_WAIT; /* the stop we asked for */
	if (s->upgrading) {
		s->upgrading = false;
		s->fallback = true;
		log_err("upgrade: the binary on disk (%s) could not serve (%s); this one goes on",
			s->exec_path, what);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == OCXLFS_EXIT_ARENA_VERSION &&
	    !s->fallback) {
		log_warn("the binary on disk (%s) does not know this mount's arena: running "
			 "the one this supervisor is", s->exec_path);
		s->fallback = true;
		return NEXT_RESTART;
	}
	if (!s->served) {
		/* The first start: nothing was ever served, so nothing is kept. */
		log_err("the first worker could not start (%s)", what);
		*exit_code = 1;
		return NEXT_EXIT;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == OCXLFS_EXIT_STOPPED) {
		log_notice("worker stopped by someone else: starting another");
		return NEXT_RESTART;
	}
	/*
	 * A crash: a worker that could not start, or that failed by itself (a
	 * fault, an abort, an error exit).  SIGKILL after it served is someone
	 * else's doing (an admin, the OOM killer): the next worker takes over
	 * without counting it, however often.
	 */
	if ((!was_ready || !WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) && crash_loop(s)) {
		char why[160];

		snprintf(why, sizeof(why), "the worker died %d times in %d s (last: %s)",
			 OCXLFS_CRASH_LIMIT, OCXLFS_CRASH_WINDOW_S, what);
		enter_failing(s, why);
		return NEXT_WAIT;
	}
	if (s->failing || !was_ready) {
		/* A retry that did not come up: back to EIO at once. */
		if (s->failing) {
			enter_failing(s, "the retried worker died too");
			return NEXT_WAIT;
		}
	}
	log_warn("worker died (%s): a new one takes over the mount", what);
	return NEXT_RESTART;
}

/* ---- the upgrade: this process again, from the binary on disk ---- */

static void reexec(struct supervisor *s)
{
	char fds[64], path_opt[PATH_MAX + 16];
	char *extra[] = { fds, path_opt };
	char **argv;

	/* The worker stays this process's child across execve: the next image adopts it. */
	snprintf(fds, sizeof(fds), "--supervise=%d,%d,%d", s->fuse_fd, s->arena_fd, (int)s->worker);
	snprintf(path_opt, sizeof(path_opt), "--exec-path=%s", s->exec_path);
	argv = command_line(s, s->exec_path, extra, 2);
	if (!argv || keep_across_exec(s->fuse_fd) || keep_across_exec(s->arena_fd)) {
		log_err("upgrade: %s", strerror(errno));
		free(argv);
		return;
	}
	log_notice("upgrade: the new worker serves; starting the supervisor again from %s",
		   s->exec_path);
	/* execve keeps the pid, the service manager's main process, and the descriptors. */
	execv(s->exec_path, argv);
	log_err("upgrade: cannot start %s: %s; this binary goes on serving", s->exec_path,
		strerror(errno));
	fcntl(s->fuse_fd, F_SETFD, FD_CLOEXEC);
	fcntl(s->arena_fd, F_SETFD, FD_CLOEXEC);
	unit_notify("READY=1");
	free(argv);
}

static void ask_worker_to_stop(struct supervisor *s, enum pending why)
{
	s->pending = why;
	if (s->worker) {
		kill(s->worker, SIGTERM);
		s->stop_asked = now_mono();
	}
}

/* ---- the loop ---- */

static int open_signals(struct supervisor *s)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	s->sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	return s->sigfd < 0 ? -errno : 0;
}

static int finish(struct supervisor *s)
{
	int rc;

	if (s->pending != PENDING_STOP || connection_gone(s))
		return 0;
	/*
	 * Unmounted already, by the unit's ExecStop or by hand.  The unmount is
	 * lazy, so the connection can outlive it (a file held open, a request
	 * in flight): the mountpoint says so at once, the connection may not.
	 */
	if (s->mount_dev && dev_at(s->cmd->mountpoint) != s->mount_dev) {
		log_notice("stopped; %s was unmounted", s->cmd->mountpoint);
		return 0;
	}
	if (s->stored) {
		/*
		 * Under systemd, with the descriptors in the service's store: a
		 * restart (the unit's ExecStop left it mounted) or a stray
		 * SIGTERM.  The mount lives on; the next supervisor takes it.
		 */
		log_notice("stopping; %s stays mounted for the next start", s->cmd->mountpoint);
		return OCXLFS_EXIT_KEPT;
	}
	unit_notify("STOPPING=1");
	rc = unit_unmount(s->cmd->mountpoint);
	if (rc)
		log_warn("unmounting %s: %s", s->cmd->mountpoint, strerror(-rc));
	log_notice("stopped, %s unmounted", s->cmd->mountpoint);
	return 0;
}

static int run(struct supervisor *s)
{
	struct arena a = { 0 };
	int exit_code = 0;

	if (!s->worker && start_worker(s)) {
		log_err("cannot start a worker: %s", strerror(errno));
		return 1;
	}
	for (;;) {
		struct pollfd p[3] = {
			{ .fd = s->sigfd, .events = POLLIN },
			{ .fd = s->ready_fd, .events = POLLIN },
			{ .fd = s->failing && !s->worker ? s->fuse_fd : -1, .events = POLLIN },
		};
		int timeout = 1000;

		if (poll(p, 3, timeout) < 0 && errno != EINTR)
			return 1;
		if (p[1].revents) {
			bool ready;
			char c;

			/* EOF: the worker died before it served (its end comes as SIGCHLD). */
			ready = read(s->ready_fd, &c, 1) == 1;
			if (ready) {
				s->worker_ready = true;
				if (!s->mount_dev)
					s->mount_dev = dev_at(s->cmd->mountpoint);
				if (s->failing)
					log_notice("a worker serves again: %s answers requests",
						   s->cmd->mountpoint);
				s->served = true;
				s->failing = false;
				if (a.base)
					arena_detach(&a);
				if (s->report_fd >= 0) {
					/* The shell that started us has its answer: detach from it. */
					report_start(s, 0);
					ocxlfs_detach_stdio();
				}
				unit_notify("READY=1\nSTATUS=serving");
			}
			close(s->ready_fd);
			s->ready_fd = -1;
			if (ready && s->upgrading) {
				s->upgrading = false;
				reexec(s);
			}
		}
		if (p[2].revents & POLLIN) {
			if (!a.base)
				arena_peek(s->arena_fd, &a);
			answer_eio(s, &a);
		}
		if (p[2].revents & (POLLERR | POLLHUP))
			return finish(s);
		if (p[0].revents) {
			struct signalfd_siginfo si;

			if (read(s->sigfd, &si, sizeof(si)) != sizeof(si))
				continue;
			if (si.ssi_signo == SIGHUP) {
				unit_notify("RELOADING=1");
				if (s->worker) {
					log_notice("upgrade: the worker stops and one from %s takes over",
						   s->exec_path);
					ask_worker_to_stop(s, PENDING_UPGRADE);
				} else {
					log_notice("upgrade: a worker from %s starts", s->exec_path);
					s->fallback = false;
					s->upgrading = true;
					start_worker(s);
				}
			} else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
				ask_worker_to_stop(s, PENDING_STOP);
				if (!s->worker)
					return finish(s);
			}
			while (s->worker) {
				int status;
				pid_t pid = waitpid(s->worker, &status, WNOHANG);

				if (pid <= 0)
					break;
				switch (worker_ended(s, status, &exit_code)) {
				case NEXT_EXIT:
					return exit_code;
				case NEXT_RESTART:
					start_worker(s);
					break;
				case NEXT_WAIT:
					if (s->pending == PENDING_UPGRADE) {
						s->pending = PENDING_NONE;
						s->fallback = false;
						s->upgrading = true;
						start_worker(s);
					} else if (s->pending == PENDING_STOP) {
						return finish(s);
					} else if (s->failing) {
						/* What the dead worker had read gets its EIO too. */
						wire_notify_resend(s->fuse_fd);
					}
					break;
				}
			}
		}
		if (s->pending != PENDING_NONE && s->worker &&
		    seconds_since(&s->stop_asked) > OCXLFS_STOP_GRACE_S) {
			log_warn("worker %d did not stop within %d s: killed", (int)s->worker,
				 OCXLFS_STOP_GRACE_S);
			kill(s->worker, SIGKILL);
			s->stop_asked = now_mono();
		}
		if (s->failing && !s->worker && seconds_since(&s->retry) >= 0) {
			log_notice("trying a worker again");
			s->fallback = false;
			start_worker(s);
		}
	}
}

/*
 * A mount a killed daemon left ("Transport endpoint is not connected"):
 * out of the way.  statfs, not stat: the kernel may still have the root's
 * attributes cached, but statfs always asks the connection.
 */
static void clear_dead_mount(const char *mountpoint)
{
	struct statfs st;

	if (statfs(mountpoint, &st) == 0 || errno != ENOTCONN)
		return;
	log_notice("%s: a dead mount left behind is unmounted first", mountpoint);
	unit_unmount(mountpoint);
}

static int mount_fresh(struct supervisor *s, struct fuse_args *args)
{
	static const struct fuse_lowlevel_ops none;
	int rc;

	clear_dead_mount(s->cmd->mountpoint);
	/* Permission bits are the access policy (0400 dumps, 0444 health). */
	fuse_opt_add_arg(args, "-odefault_permissions");
	s->mounted = fuse_session_new(args, &none, sizeof(none), NULL);
	if (!s->mounted)
		return -EINVAL;
	if (fuse_session_mount(s->mounted, s->cmd->mountpoint) != 0)
		return -EIO;
	s->fuse_fd = fuse_session_fd(s->mounted);
	rc = arena_create(&s->arena_fd);
	if (rc)
		log_err("arena: %s", strerror(-rc));
	return rc;
}

/*
 * In the background: the shell that started us waits until the first
 * worker serves (or could not), so that "no card" is its exit status.
 */
static void go_background(struct supervisor *s)
{
	int report[2];
	char status = 1;
	pid_t pid;

	if (pipe(report)) {
		log_err("background: %s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid < 0) {
		log_err("background: %s", strerror(errno));
		return;
	}
	if (pid > 0) {
		close(report[1]);
		if (read(report[0], &status, 1) != 1)
			status = 1;
		_exit(status);
	}
	close(report[0]);
	setsid();
	if (chdir("/"))
		log_warn("chdir /: %s", strerror(errno));
	s->report_fd = report[1];
}

int supervisor_main(struct fuse_args *args, const struct options *opt,
		    const struct fuse_cmdline_opts *cmd, int argc, char **argv)
{
	struct supervisor s = {
		.opt = opt, .cmd = cmd, .argc = argc, .argv = argv,
		.fuse_fd = -1, .arena_fd = -1, .sigfd = -1, .ready_fd = -1, .report_fd = -1,
	};
	bool fresh = false;
	int rc, exit_code = 1;

	find_exec_path(&s);
	s.eio_buf = malloc(EIO_BUFSIZE);
	if (!s.eio_buf)
		return 1;
	if (opt->supervise) {
		int worker = 0;

		/* Started again by an upgrade: the mount, and the worker serving it, are ours. */
		if (sscanf(opt->supervise, "%d,%d,%d", &s.fuse_fd, &s.arena_fd, &worker) < 2) {
			log_err("--supervise=%s: expected FUSE-FD,ARENA-FD[,WORKER]", opt->supervise);
			goto out;
		}
		s.worker = worker;
		fcntl(s.fuse_fd, F_SETFD, FD_CLOEXEC);
		fcntl(s.arena_fd, F_SETFD, FD_CLOEXEC);
		s.served = true;
		log_notice("upgraded: serving %s again", cmd->mountpoint);
		if (s.worker)
			unit_notify("READY=1\nSTATUS=serving");
	} else if (unit_take_fds(&s.fuse_fd, &s.arena_fd) == 0) {
		fcntl(s.fuse_fd, F_SETFD, FD_CLOEXEC);
		fcntl(s.arena_fd, F_SETFD, FD_CLOEXEC);
		s.served = true;
		log_notice("taking over %s from the service's descriptor store",
			   cmd->mountpoint);
	} else {
		rc = mount_fresh(&s, args);
		if (rc)
			goto out;
		fresh = true;
	}
	if (unit_managed())
		s.stored = unit_store_fds(s.fuse_fd, s.arena_fd) == 0;
	if (fresh && !cmd->foreground)
		go_background(&s);
	if (open_signals(&s)) {
		log_err("signals: %s", strerror(errno));
		goto out;
	}
	exit_code = run(&s);
	if (!s.served && fresh)
		unit_unmount(cmd->mountpoint);
	report_start(&s, (char)exit_code);
out:
	if (s.mounted) {
		/* Unmounted by now, or meant to be: this frees libfuse's copy of the mount point. */
		if (exit_code != OCXLFS_EXIT_KEPT)
			fuse_session_unmount(s.mounted);
		fuse_session_destroy(s.mounted); /* closes the connection's descriptor */
	}
	else if (s.fuse_fd >= 0)
		close(s.fuse_fd);
	if (s.arena_fd >= 0)
		close(s.arena_fd);
	if (s.sigfd >= 0)
		close(s.sigfd);
	free(s.eio_buf);
	return exit_code;
}
