/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Logging: stderr in the foreground, syslog when daemonized.  Level from
 * -d (debug) or OCXLFS_LOG=err|warning|notice|info|debug.
 */
#ifndef OCXLFS_UTIL_LOG_H
#define OCXLFS_UTIL_LOG_H

#include <syslog.h>

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

#endif /* OCXLFS_UTIL_LOG_H */
