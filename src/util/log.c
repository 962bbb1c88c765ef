// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/log.h"

static int log_to_syslog;
static int log_level = LOG_NOTICE;

void log_init(enum log_target target, int level)
{
	log_to_syslog = target != LOG_TO_STDERR;
	log_level = level;
	if (log_to_syslog) {
		closelog();
		openlog("ocxlfs", LOG_PID | (target == LOG_TO_BOTH ? LOG_PERROR : 0), LOG_DAEMON);
	}
}

void log_set_level(int level)
{
	log_level = level;
}

int log_get_level(void)
{
	return log_level;
}

int log_level_parse(const char *name)
{
	static const struct {
		const char *name;
		int level;
	} names[] = {
		{ "err", LOG_ERR },	  { "error", LOG_ERR },	 { "warning", LOG_WARNING },
		{ "warn", LOG_WARNING }, { "notice", LOG_NOTICE }, { "info", LOG_INFO },
		{ "debug", LOG_DEBUG },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(name, names[i].name))
			return names[i].level;
	return -1;
}

void log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	if (prio > log_level)
		return;
	va_start(ap, fmt);
	if (log_to_syslog) {
		vsyslog(prio, fmt, ap);
	} else {
		/* One fprintf per message so lines from threads do not interleave. */
		char line[1024];

		vsnprintf(line, sizeof(line), fmt, ap);
		fprintf(stderr, "ocxlfs: %s\n", line);
	}
	va_end(ap);
}

/* ---- repeated failures ---- */

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

void log_repeat_init(struct log_repeat *r)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
}

void log_repeat_destroy(struct log_repeat *r)
{
	pthread_mutex_destroy(&r->lock);
}

/* With the lock held: 1 log the line, 0 say nothing, -1 a count is due. */
static int repeat_step(struct log_repeat *r, long key, const struct timespec *now)
{
	if (r->key != key) {
		r->key = key;
		r->count = 1;
		r->unreported = 0;
		r->first = r->reported = *now;
		return 1;
	}
	r->count++;
	r->unreported++;
	if (seconds_between(&r->reported, now) < LOG_REPEAT_INTERVAL_S)
		return 0;
	return -1;
}

bool log_repeat(struct log_repeat *r, long key, int prio, const char *fmt, ...)
{
	struct timespec now;
	char line[768];
	unsigned n;
	double span;
	va_list ap;
	int step;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&r->lock);
	step = repeat_step(r, key, &now);
	n = r->unreported;
	span = seconds_between(&r->reported, &now);
	if (step < 0) {
		r->unreported = 0;
		r->reported = now;
	}
	pthread_mutex_unlock(&r->lock);
	if (!step)
		return false;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (step > 0)
		log_msg(prio, "%s", line);
	else
		log_msg(prio, "%s (%u more time%s in %.0f s)", line, n, n == 1 ? "" : "s", span);
	return true;
}

void log_repeat_note(struct log_repeat *r, long key)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&r->lock);
	if (repeat_step(r, key, &now) < 0) {
		/* The caller's line said it; the count is due from here on. */
		r->unreported = 0;
		r->reported = now;
	}
	pthread_mutex_unlock(&r->lock);
}

void log_repeat_end(struct log_repeat *r, unsigned *count, double *seconds)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&r->lock);
	*count = r->key ? r->count : 0;
	*seconds = r->key ? seconds_between(&r->first, &now) : 0.0;
	r->key = 0;
	r->count = r->unreported = 0;
	pthread_mutex_unlock(&r->lock);
}
