/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Logging: stderr in the foreground, syslog when daemonized.  Level from
 * -d (debug) or OCXLFS_LOG=err|warning|notice|info|debug.
 */
#ifndef OCXLFS_UTIL_LOG_H
#define OCXLFS_UTIL_LOG_H

#include <pthread.h>
#include <stdbool.h>
#include <syslog.h>
#include <time.h>

enum log_target {
	LOG_TO_STDERR,
	LOG_TO_SYSLOG,
	/* Start-up of a daemon: syslog keeps it, the terminal still sees it. */
	LOG_TO_BOTH,
};
void log_init(enum log_target target, int level);
void log_set_level(int level);
int log_get_level(void);
int log_level_parse(const char *name); /* -1 if unknown */
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_dbg(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/*
 * Repeated failures, logged once with a count (docs/tree.md section 5.6):
 * the first failure of a kind (KEY: the caller's code for what failed and
 * how) is logged; the same one again is counted, and a line with the count
 * comes at most every LOG_REPEAT_INTERVAL_S while it goes on.  When the
 * failure ends, log_repeat_end() says for how long and how often.
 */
#define LOG_REPEAT_INTERVAL_S 60
struct log_repeat {
	pthread_mutex_t lock;
	long key;		 /* 0: nothing failing */
	unsigned count;		 /* failures since the first */
	unsigned unreported;	 /* since the last line about it */
	struct timespec first;	 /* CLOCK_MONOTONIC */
	struct timespec reported; /* the last line about it */
};
void log_repeat_init(struct log_repeat *r);
void log_repeat_destroy(struct log_repeat *r);
/*
 * One failure: logs the line FMT at PRIO if it is the first of KEY (or a
 * new KEY), or a count of the repeats ("(N more times in S s)") if the
 * interval has passed; otherwise nothing.  Returns true if it logged.
 */
bool log_repeat(struct log_repeat *r, long key, int prio, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Counts a failure already logged by the caller (a state change said it). */
void log_repeat_note(struct log_repeat *r, long key);
/*
 * The failure ended: *count failures over *seconds (both 0 if nothing was
 * failing).  Nothing is logged; the caller says it once, in its words.
 */
void log_repeat_end(struct log_repeat *r, unsigned *count, double *seconds);

#endif /* OCXLFS_UTIL_LOG_H */
