// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * benchio: the timing loops of bench/run, in C so that what is timed is the
 * system calls and not an interpreter.  Every comparison is made pair by
 * pair inside one process: round r times A then B (B then A on odd rounds,
 * so neither side always runs on a warm cache or a quiet machine), and the
 * figure is the median over rounds of the per-round ratio.
 *
 *   benchio orc ROUNDS ITERS A [B]      open+read-to-EOF+close, us per op
 *   benchio orcfor SECONDS A             open+read+close for SECONDS: the mean
 *                                       and the worst single operation, for
 *                                       stalls that come in bursts
 *   benchio orcset ROUNDS PAUSE_MS B -- FILE...
 *                                       after a pause, one open+read+close of
 *                                       each FILE, then as many of B: for
 *                                       files that are regenerated when stale
 *   benchio stream ROUNDS A B [cold]    read each file whole (128 KiB reads,
 *                                       as cat does), MB/s; checks the byte
 *                                       count against st_size; "cold" drops
 *                                       A's page cache before each read
 *   benchio waitsize FILE SIZE TIMEOUT  polls until FILE has SIZE bytes
 *   benchio spawn TIMEOUT FILE LOG -- CMD...
 *                                       starts CMD, polls until FILE can be
 *                                       read, prints the time and CMD's pid
 *   benchio hammer FILE PERIOD_MS       open+read+close FILE every PERIOD_MS
 *                                       until killed, ignoring errors
 *
 * Output is one line of key=value pairs for bench/run to pick apart.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STREAM_BUF (128 * 1024)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One open+read+close; returns bytes read or -errno. */
static long orc_once(const char *path, char *buf, size_t cap)
{
	long total = 0;
	ssize_t got;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -errno;
	while ((got = read(fd, buf, cap)) > 0)
		total += got;
	if (got < 0)
		total = -errno;
	close(fd);
	return total;
}

/* Seconds per operation over ITERS operations, or a negative errno. */
static double orc_batch(const char *path, long iters, char *buf, size_t cap)
{
	double t0 = now_s();

	for (long i = 0; i < iters; i++) {
		long rc = orc_once(path, buf, cap);

		if (rc < 0) {
			fprintf(stderr, "benchio: %s: %s\n", path, strerror((int)-rc));
			exit(1);
		}
	}
	return (now_s() - t0) / (double)iters;
}

static int cmd_orc(int argc, char **argv)
{
	int rounds = atoi(argv[0]);
	long iters = atol(argv[1]);
	const char *a = argv[2], *b = argc > 3 ? argv[3] : NULL;
	static char buf[64 * 1024];
	double *ta = calloc((size_t)rounds, sizeof(double));
	double *tb = calloc((size_t)rounds, sizeof(double));
	double *ratio = calloc((size_t)rounds, sizeof(double));

	if (rounds < 1 || iters < 1 || !ta || !tb || !ratio)
		return 2;
	/*
	 * Warm-up: dentries, inodes and the daemons' threads.  BENCHIO_NOWARMUP
	 * makes the operation count exact, for counting requests per operation.
	 */
	if (!getenv("BENCHIO_NOWARMUP")) {
		orc_batch(a, iters / 10 + 1, buf, sizeof(buf));
		if (b)
			orc_batch(b, iters / 10 + 1, buf, sizeof(buf));
	}
	for (int r = 0; r < rounds; r++) {
		if (b && r % 2)
			tb[r] = orc_batch(b, iters, buf, sizeof(buf));
		ta[r] = orc_batch(a, iters, buf, sizeof(buf));
		if (b && !(r % 2))
			tb[r] = orc_batch(b, iters, buf, sizeof(buf));
		ratio[r] = b ? ta[r] / tb[r] : 1.0;
	}
	printf("a_us=%.2f", median(ta, rounds) * 1e6);
	if (b)
		printf(" b_us=%.2f ratio=%.3f", median(tb, rounds) * 1e6, median(ratio, rounds));
	printf("\n");
	free(ta);
	free(tb);
	free(ratio);
	return 0;
}

static int cmd_orcfor(int argc, char **argv)
{
	double secs = atof(argv[0]), t0 = now_s(), worst = 0, t;
	const char *a = argv[1];
	static char buf[64 * 1024];
	long n = 0;

	do {
		double t1 = now_s();
		long rc = orc_once(a, buf, sizeof(buf));

		if (rc < 0) {
			fprintf(stderr, "benchio: %s: %s\n", a, strerror((int)-rc));
			return 1;
		}
		t = now_s();
		if (t - t1 > worst)
			worst = t - t1;
		n++;
	} while (t - t0 < secs);
	printf("a_us=%.2f max_us=%.0f ops=%ld\n", (t - t0) / (double)n * 1e6, worst * 1e6, n);
	return 0;
}

static int cmd_orcset(int argc, char **argv)
{
	int rounds = atoi(argv[0]);
	unsigned pause = (unsigned)atoi(argv[1]);
	const char *b = argv[2];
	char **files = argv + 4;
	int nfiles = argc - 4;
	static char buf[64 * 1024];
	double *ta = calloc((size_t)rounds, sizeof(double));
	double *tb = calloc((size_t)rounds, sizeof(double));
	double *ratio = calloc((size_t)rounds, sizeof(double));

	if (rounds < 1 || nfiles < 1 || strcmp(argv[3], "--") || !ta || !tb || !ratio)
		return 2;
	for (int r = 0; r < rounds; r++) {
		double t0;

		sleep_ms(pause);
		t0 = now_s();
		for (int i = 0; i < nfiles; i++) {
			long rc = orc_once(files[i], buf, sizeof(buf));

			if (rc < 0) {
				fprintf(stderr, "benchio: %s: %s\n", files[i], strerror((int)-rc));
				return 1;
			}
		}
		ta[r] = (now_s() - t0) / nfiles;
		tb[r] = orc_batch(b, nfiles, buf, sizeof(buf));
		ratio[r] = ta[r] / tb[r];
	}
	printf("a_us=%.2f b_us=%.2f ratio=%.3f\n", median(ta, rounds) * 1e6,
	       median(tb, rounds) * 1e6, median(ratio, rounds));
	free(ta);
	free(tb);
	free(ratio);
	return 0;
}

/*
 * Bytes per second reading PATH whole, or exits if it is not st_size bytes.
 * COLD first drops the file's clean page cache, so a file system that keeps
 * its cache across opens is timed on a first read, not a re-read.
 */
static double stream_once(const char *path, char *buf, int cold)
{
	struct stat st;
	long long total = 0;
	ssize_t got;
	double t0, dt;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "benchio: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	if (cold)
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	t0 = now_s();
	while ((got = read(fd, buf, STREAM_BUF)) > 0)
		total += got;
	close(fd);
	dt = now_s() - t0;
	if (got < 0 || total != st.st_size) {
		fprintf(stderr, "benchio: %s: read %lld of %lld bytes\n", path, total,
			(long long)st.st_size);
		exit(1);
	}
	return (double)total / dt;
}

static int cmd_stream(int argc, char **argv)
{
	int rounds = atoi(argv[0]);
	const char *a = argv[1], *b = argv[2];
	int cold = argc > 3 && !strcmp(argv[3], "cold");
	char *buf = malloc(STREAM_BUF);
	double *ta = calloc((size_t)rounds, sizeof(double));
	double *tb = calloc((size_t)rounds, sizeof(double));
	double *ratio = calloc((size_t)rounds, sizeof(double));

	if (rounds < 1 || !buf || !ta || !tb || !ratio)
		return 2;
	for (int r = 0; r < rounds; r++) {
		if (r % 2)
			tb[r] = stream_once(b, buf, 0);
		ta[r] = stream_once(a, buf, cold);
		if (!(r % 2))
			tb[r] = stream_once(b, buf, 0);
		ratio[r] = ta[r] / tb[r];
	}
	printf("a_MBps=%.1f b_MBps=%.1f ratio=%.3f\n", median(ta, rounds) / 1e6,
	       median(tb, rounds) / 1e6, median(ratio, rounds));
	free(buf);
	free(ta);
	free(tb);
	free(ratio);
	return 0;
}

static int cmd_waitsize(int argc, char **argv)
{
	const char *path = argv[0];
	long long want = atoll(argv[1]);
	double timeout = atof(argv[2]), t0 = now_s();
	struct stat st;

	while (now_s() - t0 < timeout) {
		if (stat(path, &st) == 0 && st.st_size == want) {
			printf("secs=%.3f\n", now_s() - t0);
			return 0;
		}
		sleep_ms(20);
	}
	fprintf(stderr, "benchio: %s did not reach %lld bytes in %.0f s\n", path, want, timeout);
	return 1;
}

static int cmd_spawn(int argc, char **argv)
{
	double timeout = atof(argv[0]), t0;
	const char *file = argv[1], *log = argv[2];
	static char buf[4096];
	pid_t pid;

	if (argc < 5 || strcmp(argv[3], "--"))
		return 2;
	t0 = now_s();
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[4], argv + 4);
		_exit(127);
	}
	while (now_s() - t0 < timeout) {
		int status;

		/* Served means readable: the file system is mounted and answering. */
		if (orc_once(file, buf, sizeof(buf)) > 0) {
			printf("pid=%d secs=%.4f\n", (int)pid, now_s() - t0);
			return 0;
		}
		if (waitpid(pid, &status, WNOHANG) == pid) {
			fprintf(stderr, "benchio: %s exited during start-up\n", argv[4]);
			return 1;
		}
		sleep_ms(1);
	}
	fprintf(stderr, "benchio: %s not served within %.0f s\n", file, timeout);
	kill(pid, SIGTERM);
	return 1;
}

static int cmd_hammer(int argc, char **argv)
{
	const char *path = argv[0];
	unsigned period = (unsigned)atoi(argv[1]);
	static char buf[64 * 1024];

	for (;;) {
		orc_once(path, buf, sizeof(buf));
		if (period)
			sleep_ms(period);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int min_args;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
	    {"orc", 3, cmd_orc},       {"orcset", 5, cmd_orcset},     {"orcfor", 2, cmd_orcfor},
	    {"stream", 3, cmd_stream}, {"waitsize", 3, cmd_waitsize}, {"spawn", 5, cmd_spawn},
	    {"hammer", 2, cmd_hammer},
	};

	for (size_t i = 0; argc > 1 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name)) {
			if (argc - 2 < cmds[i].min_args)
				break;
			return cmds[i].fn(argc - 2, argv + 2);
		}
	fprintf(stderr, "usage: benchio orc|orcfor|orcset|stream|waitsize|spawn|hammer ARGS "
			"(see the comment at the top of bench/benchio.c)\n");
	return 2;
}
