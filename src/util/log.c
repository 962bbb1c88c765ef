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
