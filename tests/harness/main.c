// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ocxl-harness: runs a command with simulated OpenCAPI persistent-memory
 * cards behind the kernel's interfaces (see harness.h, docs/testing.md).
 *
 *   ocxl-harness [OPTIONS] [--] COMMAND [ARG...]
 *   ocxl-harness ctl VERB [ARG...]      (from inside: steer the cards)
 *
 * Process layout: this process enters a private mount namespace, builds
 * the emulated trees, then forks the command, which installs the seccomp
 * filter on itself and passes the listener back before exec.  This process
 * answers the trapped ioctls and the control socket until the command
 * exits, and exits with its status.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "util/log.h"

static struct harness harness = {
    .lock = PTHREAD_RWLOCK_INITIALIZER,
    .trace_lock = PTHREAD_MUTEX_INITIALIZER,
};
static volatile sig_atomic_t child_pid;

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: ocxl-harness [OPTIONS] [--] COMMAND [ARG...]\n"
	    "       ocxl-harness ctl VERB [ARG...]\n\n"
	    "Runs COMMAND in a private mount namespace where simulated ocxlpmem cards\n"
	    "appear in sysfs and as /dev/nmemN and /dev/ocxlpmemN, their ioctls answered\n"
	    "by the simulator through seccomp user notification.  Needs root.\n\n"
	    "Options (the first card setup; `ctl setup` replaces it):\n"
	    "  --cards=N             cards to plug at start (default 0)\n"
	    "  --sim-dir=DIR         simulated cards' state files (required with --cards)\n"
	    "  --label-size=BYTES    label area of new cards\n"
	    "  --dump-size=BYTES     controller dump size\n"
	    "  --errlogs=N           error-log entries queued on new cards\n"
	    "  --latency-us=US       added to every command\n"
	    "  --flavour=passthru|v4 driver to emulate (default passthru)\n"
	    "  --no-sysfs-identity   no nmemN/ocxlpmem/{serial,fw_version}\n"
	    "  --root=DIR            where the emulated trees live (default a new /tmp dir)\n"
	    "  --trace=FILE          one line per trapped ioctl\n\n"
	    "ctl verbs (%s names the harness; it is set for COMMAND):\n"
	    "  setup N [dir=DIR] [label-size=B] [dump-size=B] [errlogs=N] [latency-us=US]\n"
	    "        [erase-ms=MS]\n"
	    "        [flavour=passthru|v4] [sysfs-identity=0|1] [serial-base=S]\n"
	    "        [admin-buffer=B] [v4-errlog=consume|keep] [v4-lacks=IOCTL,...]\n"
	    "                               replace all cards\n"
	    "  teardown                     remove all cards\n"
	    "  inject N VALUE | fault N [VALUE]   the sim/inject and sim/fault keywords\n"
	    "  dimm N enabled|disabled      nmemN's driver link (ndctl enable/disable-dimm)\n"
	    "  unplug N | plug N            card N leaves / comes back (hotplug)\n"
	    "  namespace N [enabled|disabled]   card N's namespace (labels busy while enabled)\n"
	    "  list                         the cards\n"
	    "  calls N                      v4 ioctls card N's node received, per ioctl\n",
	    HARNESS_ENV);
}

void harness_trace(struct harness *h, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&h->trace_lock);
	va_start(ap, fmt);
	vfprintf(h->trace, fmt, ap);
	va_end(ap);
	fputc('\n', h->trace);
	fflush(h->trace);
	pthread_mutex_unlock(&h->trace_lock);
}

static void forward(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
}

static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {0};
	char byte = 'L';
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	struct msghdr m = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &m, 0) == 1 ? 0 : -errno;
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {0};
	char byte;
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	struct msghdr m = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *cm;
	int fd = -1;

	if (recvmsg(sock, &m, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&m);
	if (cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* The command's side of the fork: filter, hand over the listener, exec. */
static void run_child(int sock, char **argv)
{
	int fd = supervisor_install_filter();

	if (fd < 0) {
		fprintf(stderr, "ocxl-harness: seccomp user notification: %s\n", strerror(-fd));
		_exit(126);
	}
	if (send_fd(sock, fd) < 0)
		_exit(126);
	close(fd);
	close(sock);
	execvp(argv[0], argv);
	fprintf(stderr, "ocxl-harness: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int parse_opts(int argc, char **argv, struct harness_setup *s, char **root, char **trace)
{
	static const struct option opts[] = {
	    {"cards", required_argument, NULL, 'c'},
	    {"sim-dir", required_argument, NULL, 'd'},
	    {"label-size", required_argument, NULL, 'l'},
	    {"dump-size", required_argument, NULL, 'D'},
	    {"errlogs", required_argument, NULL, 'e'},
	    {"latency-us", required_argument, NULL, 'L'},
	    {"flavour", required_argument, NULL, 'f'},
	    {"no-sysfs-identity", no_argument, NULL, 'n'},
	    {"root", required_argument, NULL, 'r'},
	    {"trace", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static const char *const keys[] = {
	    ['d'] = "dir",     ['l'] = "label-size", ['D'] = "dump-size",
	    ['e'] = "errlogs", ['L'] = "latency-us", ['f'] = "flavour",
	};
	char kv[PATH_MAX + 32], *end;
	int o;

	while ((o = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			s->count = (unsigned)strtoul(optarg, &end, 10);
			if (*end || s->count > HARNESS_MAX_CARDS)
				return -EINVAL;
			break;
		case 'n':
			s->sysfs_identity = false;
			break;
		case 'r':
			*root = optarg;
			break;
		case 't':
			*trace = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'd':
		case 'l':
		case 'D':
		case 'e':
		case 'L':
		case 'f':
			snprintf(kv, sizeof(kv), "%s=%s", keys[o], optarg);
			if (harness_setup_option(s, kv))
				return -EINVAL;
			break;
		default:
			return -EINVAL;
		}
	}
	return optind < argc ? optind : -EINVAL;
}

int main(int argc, char **argv)
{
	struct harness_setup setup;
	pthread_t sup, ctl;
	char *root = NULL, *trace = NULL, tmp[] = "/tmp/ocxl-harness.XXXXXX";
	const char *env = getenv("OCXL_HARNESS_LOG");
	bool made_root = false;
	int sv[2] = {-1, -1}, first, status = 1, rc, ws;

	log_init(0, env && log_level_parse(env) >= 0 ? log_level_parse(env) : LOG_WARNING);
	if (argc >= 2 && !strcmp(argv[1], "ctl"))
		return control_client(getenv(HARNESS_ENV), argc - 2, argv + 2);
	harness_setup_defaults(&setup);
	first = parse_opts(argc, argv, &setup, &root, &trace);
	if (first < 0) {
		usage(stderr);
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "ocxl-harness: needs root (mount namespace, mknod, seccomp)\n");
		return 1;
	}
	if (!root) {
		root = mkdtemp(tmp);
		made_root = root != NULL;
	} else if (mkdir(root, 0700) == 0) {
		made_root = true;
	}
	if (!root || strlen(root) >= sizeof(harness.root)) {
		fprintf(stderr, "ocxl-harness: no root directory: %s\n", strerror(errno));
		return 1;
	}
	strcpy(harness.root, root);
	if (trace) {
		harness.trace = fopen(trace, "ae");
		if (!harness.trace) {
			fprintf(stderr, "ocxl-harness: %s: %s\n", trace, strerror(errno));
			goto out;
		}
	}
	rc = sysfs_enter(&harness);
	if (rc)
		goto out;
	control_fd = control_listen(&harness);
	if (control_fd < 0) {
		log_err("harness: control socket: %s", strerror(-control_fd));
		goto out;
	}
	if (setup.count) {
		rc = cards_setup(&harness, &setup);
		if (rc)
			goto out;
	}
	setenv(HARNESS_ENV, harness.root, 1);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		goto out;
	child_pid = fork();
	if (child_pid == 0) {
		close(sv[0]);
		run_child(sv[1], argv + first);
	}
	if (child_pid < 0)
		goto out;
	close(sv[1]);
	sv[1] = -1;
	signal(SIGINT, forward);
	signal(SIGTERM, forward);
	signal(SIGHUP, forward);
	supervisor_listener = recv_fd(sv[0]);
	/* Without its threads the command would hang on its first card ioctl. */
	if ((supervisor_listener >= 0 &&
	     pthread_create(&sup, NULL, supervisor_main, &harness) != 0) ||
	    pthread_create(&ctl, NULL, control_main, &harness) != 0) {
		log_err("harness: cannot start its threads");
		kill(child_pid, SIGKILL);
	}
	while (waitpid(child_pid, &ws, 0) < 0 && errno == EINTR)
		;
	status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
out:
	/* Threads may still be answering; the cards' state files are closed cleanly. */
	pthread_rwlock_wrlock(&harness.lock);
	cards_teardown(&harness);
	if (made_root) {
		/* Out of the tmpfs, the directory is the (empty) host one again. */
		umount2(harness.root, MNT_DETACH);
		rmdir(harness.root);
	}
	_exit(status);
}
