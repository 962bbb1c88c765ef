// SPDX-License-Identifier: LGPL-2.1-or-later
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "util/trace.h"

/* Set once, before any thread starts; -1 when tracing is off. */
static int trace_fd = -1;
static __thread char trace_who[32];

void ocxlfs_trace_init(void)
{
	const char *path = getenv(OCXLFS_TRACE_ENV);

	if (trace_fd >= 0 || !path || !*path)
		return;
	trace_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
}

bool ocxlfs_tracing(void)
{
	return trace_fd >= 0;
}

void ocxlfs_trace_context(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(trace_who, sizeof(trace_who), fmt, ap);
	va_end(ap);
}

void ocxlfs_trace(const char *event, const char *fmt, ...)
{
	char line[512];
	struct timespec now;
	va_list ap;
	int n, m;

	if (trace_fd < 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	n = snprintf(line, sizeof(line), "%lld %s %s ",
		     (long long)now.tv_sec * 1000000000LL + now.tv_nsec,
		     trace_who[0] ? trace_who : "thread -", event);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m < (int)(sizeof(line) - (size_t)n - 1) ? m : (int)(sizeof(line) - (size_t)n - 2);
	line[n++] = '\n';
	/* One write per line: O_APPEND keeps whole lines in order. */
	if (write(trace_fd, line, (size_t)n) < 0)
		return;
}

void ocxlfs_trace_fd_path(int fd, char *buf, size_t cap)
{
	char link[32];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, cap - 1);
	if (n < 0)
		n = snprintf(buf, cap, "?");
	buf[n] = '\0';
}
