// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * bench/journalbench: what an error-log journal append and a restart cost
 * per entry, early and late in a journal's life (docs/performance.md).
 * Built by bench/run from src/store/journal.c itself, on the bench's tmpfs.
 *
 *   journalbench DIR [ENTRIES [ROUNDS]]
 *
 * Two journals of ENTRIES entries (default 100,000): one with distinct log
 * identifiers as a card hands them out, one where every entry has the same
 * identifier and other bytes (a card whose counter is stuck).  For each it
 * prints, as key=value pairs on one line:
 *
 *   append_first_us, append_last_us   mean cost of one append over the first
 *                                     and over the last tenth of the entries
 *   append_ratio                      last / first
 *   open_first_us, open_last_us       marginal cost per entry of reopening:
 *                                     (open(N/10) - open(0)) / (N/10) and
 *                                     (open(N) - open(9N/10)) / (N/10),
 *                                     each open the fastest of ROUNDS
 *   open_ratio                        last / first
 *   append_s, open_s                  all appends; one open of the whole journal
 *   files, bytes                      what the journal left in DIR
 *
 * Times are this thread's CPU time (user and kernel).  Nothing is
 * asserted: bench/run prints the ratios.
 */
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/journal.h"
#include "util/log.h"

/*
 * CPU time of this thread, kernel time included: an append and an open on
 * the bench's tmpfs are CPU-bound, and the machine is shared, so this is
 * what the code costs rather than what the scheduler did meanwhile.
 */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "journalbench: %s: %s\n", what, strerror(rc < 0 ? -rc : rc));
	exit(1);
}

/* An entry the size of the simulator's (0x48 fixed bytes + 16..64 bytes). */
static size_t entry(uint64_t i, uint8_t *buf)
{
	size_t len = 0x48 + 16 + (size_t)(i % 7) * 8;

	for (size_t k = 0; k < len; k++)
		buf[k] = (uint8_t)(i * 131 + k * 7 + (i >> 8));
	memcpy(buf + 8, &i, sizeof(i));
	return len;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The fastest of ROUNDS opens of the journal at PATH, seconds: the least disturbed. */
static double open_time(const char *path, unsigned rounds, size_t want)
{
	double t[64];

	if (rounds > 64)
		rounds = 64;
	for (unsigned r = 0; r < rounds; r++) {
		struct errlog_journal *j;
		double t0 = now_s();
		int rc = errlog_journal_open(path, &j, NULL);

		if (rc)
			die("open", rc);
		t[r] = now_s() - t0;
		if (errlog_journal_count(j) != want) {
			fprintf(stderr, "journalbench: %zu entries after reopen, want %zu\n",
				errlog_journal_count(j), want);
			exit(1);
		}
		errlog_journal_close(j);
	}
	qsort(t, rounds, sizeof(*t), cmp_double);
	return t[0];
}

static void dir_usage(const char *dir, unsigned *files, uint64_t *bytes)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	*files = 0;
	*bytes = 0;
	if (!d)
		die("opendir", errno);
	while ((de = readdir(d))) {
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		if (!fstatat(dirfd(d), de->d_name, &st, 0) && S_ISREG(st.st_mode)) {
			(*files)++;
			*bytes += (uint64_t)st.st_blocks * 512;
		}
	}
	closedir(d);
}

static void run(const char *dir, const char *name, size_t n, unsigned rounds, bool same_id)
{
	uint8_t buf[JOURNAL_MAX_ENTRY];
	size_t tenth = n / 10;
	double t_first = 0, t_last = 0, t_all = 0, o0, o1 = 0, o9 = 0, o10, t0, t;
	struct errlog_journal *j;
	char sub[4096], path[4200];
	uint64_t bytes;
	unsigned files;
	int rc;

	snprintf(sub, sizeof(sub), "%s/%s", dir, name);
	if (mkdir(sub, 0700) && errno != EEXIST)
		die(sub, errno);
	snprintf(path, sizeof(path), "%s/errlog.journal", sub);

	o0 = open_time(path, rounds, 0);
	rc = errlog_journal_open(path, &j, NULL);
	if (rc)
		die("open", rc);
	for (size_t i = 0; i < n; i++) {
		size_t len = entry(i, buf);

		t0 = now_s();
		rc = errlog_journal_append(j, same_id ? 7u : (uint32_t)(i + 1), buf, len);
		t = now_s() - t0;
		if (rc)
			die("append", rc);
		t_all += t;
		if (i < tenth)
			t_first += t;
		else if (i >= n - tenth)
			t_last += t;
		/* Reopen times at 1/10 and 9/10 of the way. */
		if (i + 1 == tenth || i + 1 == n - tenth) {
			errlog_journal_close(j);
			if (i + 1 == tenth)
				o1 = open_time(path, rounds, i + 1);
			else
				o9 = open_time(path, rounds, i + 1);
			rc = errlog_journal_open(path, &j, NULL);
			if (rc)
				die("reopen", rc);
		}
	}
	errlog_journal_close(j);
	o10 = open_time(path, rounds, n);
	dir_usage(sub, &files, &bytes);

	printf("journal=%s entries=%zu append_first_us=%.3f append_last_us=%.3f "
	       "append_ratio=%.3f open_first_us=%.3f open_last_us=%.3f open_ratio=%.3f "
	       "append_s=%.3f open_s=%.4f files=%u bytes=%" PRIu64 "\n",
	       name, n, t_first / (double)tenth * 1e6, t_last / (double)tenth * 1e6,
	       t_last / t_first, (o1 - o0) / (double)tenth * 1e6, (o10 - o9) / (double)tenth * 1e6,
	       (o10 - o9) / (o1 - o0), t_all, o10, files, bytes);
}

int main(int argc, char **argv)
{
	size_t n = argc > 2 ? strtoul(argv[2], NULL, 0) : 100000;
	unsigned rounds = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 0) : 5;

	if (argc < 2 || n < 10) {
		fprintf(stderr, "usage: journalbench DIR [ENTRIES [ROUNDS]]\n");
		return 2;
	}
	log_set_level(LOG_ERR);
	run(argv[1], "distinct-ids", n, rounds, false);
	run(argv[1], "one-id", n, rounds, true);
	return 0;
}
