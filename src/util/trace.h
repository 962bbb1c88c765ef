/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A trace of what the daemon does that only its order proves right: every
 * flush of the state directory and every command sent to a card.  Off
 * unless the environment names a file (OCXLFS_TRACE=FILE); then one line
 * per event, appended with one write(2) to a file opened O_APPEND, so that
 * lines of threads and processes never interleave and their order is the
 * order in which the events happened:
 *
 *     NS CONTEXT EVENT ARGS...
 *
 * NS is CLOCK_MONOTONIC in nanoseconds; CONTEXT says on whose behalf, in
 * two words: "request PID" for a request of process PID, "monitor N" for
 * card N's monitor, "thread -" for any other thread.  The events and their arguments (docs/testing.md):
 *
 *     persist PATH OFF LEN     bytes of a mapped file flushed
 *     fsync PATH               a file or directory synced (fsync, fdatasync)
 *     rename PATH              a file renamed into place at PATH
 *     allocate PATH OFF LEN    blocks of a file allocated (posix_fallocate)
 *     append PATH OFF LEN ID   a journal record written (not yet flushed)
 *     cmd DEVICE NAME ARG      a command about to be sent to a card
 *     wait DEVICE              a reader waits for a card another command holds
 *     label DEVICE OFF LEN     a label-area read about to be sent
 *
 * A flush is traced by the primitive that flushes, once it has returned
 * success: delete the call and its line is gone.
 */
#ifndef OCXLFS_UTIL_TRACE_H
#define OCXLFS_UTIL_TRACE_H

#include <stdbool.h>
#include <stddef.h>

#define OCXLFS_TRACE_ENV "OCXLFS_TRACE"

/* Opens the trace the environment names, if any; main() calls it first. */
void ocxlfs_trace_init(void);
bool ocxlfs_tracing(void);
/* This thread's CONTEXT from now on (at most 31 characters). */
void ocxlfs_trace_context(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One line: EVENT then the rest as FMT says; nothing when tracing is off. */
void ocxlfs_trace(const char *event, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The path of descriptor FD for a trace line ("?" if unknown). */
void ocxlfs_trace_fd_path(int fd, char *buf, size_t cap);

#endif /* OCXLFS_UTIL_TRACE_H */
