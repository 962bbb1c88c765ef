/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The event stream's store: the last EVENT_LOG_SLOTS events of a mount,
 * numbered 1, 2, 3... by a sequence that survives restarts, in one file
 * of fixed slots ("STATE/events.log", docs/tree.md section 5.2).
 *
 * The file is allocated whole when it is opened (posix_fallocate), so an
 * append never finds the disk full; event n lives in slot n mod
 * EVENT_LOG_SLOTS and overwrites the one EVENT_LOG_SLOTS before it, so the
 * file never grows.  An append is durable (pwrite, fdatasync) before the
 * event is kept in memory and counted, so a number that was ever shown is
 * on disk and the next process continues after it.  Each slot carries a
 * CRC-32: a torn slot is ignored at open, and was never shown.
 *
 * Disk trouble degrades, never fails: a file that cannot be opened,
 * allocated or written leaves the log in memory only (logged once, and
 * once more when writes work again); those events are still shown, and
 * their numbers may be given again after a restart.
 *
 * Thread-safe.  One process at a time (a second open gets -EBUSY from
 * flock and runs in memory only).
 */
#ifndef OCXLFS_STORE_EVENT_LOG_H
#define OCXLFS_STORE_EVENT_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EVENT_LOG_SLOT	     512u
#define EVENT_LOG_SLOTS	     4096u
#define EVENT_LOG_TAG	     24u /* the card's state-directory name, NUL-ended */
#define EVENT_LOG_LINE_MAX   (EVENT_LOG_SLOT - 48u)

struct event_log;

/* Opens (or creates) PATH; 0, or -ENOMEM.  Disk trouble leaves it in memory only. */
int event_log_open(const char *path, struct event_log **out);
void event_log_close(struct event_log *log);

/*
 * Renders the next event with RENDER (its number, into BUF of CAP bytes:
 * the line's length or -errno) and stores it under TAG.  Returns the
 * event's number, or -errno if RENDER failed (nothing stored, no number
 * taken).  An event that could not be made durable is still kept.
 */
int64_t event_log_append(struct event_log *log, const char *tag,
			 int (*render)(void *arg, uint64_t seq, char *buf, size_t cap), void *arg);

/* The newest event's number; 0: none ever. */
uint64_t event_log_seq(struct event_log *log);

/* Whether the last append (or the open) reached the disk. */
bool event_log_durable(struct event_log *log);

/*
 * Calls FN for each kept event, oldest first, whose tag is TAG (NULL:
 * every event); stops at FN's first non-zero return and returns it.
 */
int event_log_foreach(struct event_log *log, const char *tag,
		      int (*fn)(void *arg, uint64_t seq, const char *line, size_t len), void *arg);

#endif /* OCXLFS_STORE_EVENT_LOG_H */
