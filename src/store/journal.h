/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The error-log journal: the raw 'EL' entries drained from one card, in
 * append-only files.  An append is durable before it returns 0, so the
 * caller may then acknowledge the entry to the card; every byte is
 * allocated before it is written, so a full or failing disk is a -errno
 * (-ENOSPC, -EIO), never a crash, and the caller leaves the entry on the
 * card.  Records carry a CRC-32; opening a torn or corrupt journal keeps
 * every record before the first bad one, logs what it dropped and cuts the
 * rest.  Entries are deduplicated by log identifier and content: the same
 * entry twice is stored once, a reused identifier with other bytes is a
 * new entry.
 *
 * Bounded (docs/tree.md, section 5.4): the active file PATH is rotated to
 * "PATH.<index of its first entry>" before it would grow past
 * file_bytes, and the oldest rotated file is deleted when more than
 * keep_files of them exist, unless an open reader still needs it (a pin).
 * What is deleted is logged and counted (journal_stats.dropped_entries).
 *
 * Entries are addressed by an absolute index: the n-th entry ever taken
 * into this journal has index n-1, whatever was dropped since, and keeps
 * it across restarts.  The retained entries are [first, end).
 *
 * Thread-safe: appends, reads and pins may come from different threads
 * without any lock of the caller's.  A second open of the same journal,
 * from any process, gets -EBUSY.
 */
#ifndef OCXLFS_STORE_JOURNAL_H
#define OCXLFS_STORE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/journal_record.h"

struct errlog_journal;

/* Defaults of struct journal_options (docs/tree.md, section 5.4). */
#define JOURNAL_DEFAULT_FILE_BYTES ((size_t)1 << 20)
#define JOURNAL_DEFAULT_KEEP_FILES 15u

struct journal_options {
	size_t file_bytes;   /* rotate before the active file holds more; 0: default */
	unsigned keep_files; /* rotated files kept; 0: default */
	bool read_only;	     /* inspect: no recovery writes, appends fail with -EROFS */
};

struct journal_recovery {
	size_t records;	      /* good records kept, in every file */
	size_t dropped_bytes; /* bytes after the first bad record of a file */
	bool damaged;
};

/*
 * Opens or creates PATH (its directory must exist) and the files rotated
 * from it.  REC (may be NULL) says what recovery found: damaged with
 * dropped_bytes > 0 if records were cut off (or, for a damaged file
 * header, the whole file moved aside to "<file>.corrupt-<epoch>" and, for
 * PATH, an empty journal started).  If intact records follow the damage,
 * the dropped bytes are first saved to "<file>.dropped-<epoch>".  Never
 * fails because of what is in the files, nor because the disk is full:
 * then the journal opens and appends fail until there is room.
 */
int errlog_journal_open(const char *path, struct errlog_journal **out,
			struct journal_recovery *rec);
/* The same with limits (OPT may be NULL: the defaults). */
int errlog_journal_open_opts(const char *path, const struct journal_options *opt,
			     struct errlog_journal **out, struct journal_recovery *rec);
void errlog_journal_close(struct errlog_journal *j);

/*
 * 0 appended and durable; 1 an equal record (same log_id, same bytes) is
 * already present, nothing written; -errno: -EINVAL if len >
 * JOURNAL_MAX_ENTRY (or raw is NULL with len > 0), -ENOSPC, -EIO and the
 * like from the disk (nothing was appended; the next append tries again),
 * -EROFS for a read-only journal.
 */
int errlog_journal_append(struct errlog_journal *j, uint32_t log_id, const void *raw, size_t len);
/* Retained entries. */
size_t errlog_journal_count(struct errlog_journal *j);
/* The retained range of indexes [*first, *end). */
void errlog_journal_range(struct errlog_journal *j, uint64_t *first, uint64_t *end);

struct journal_entry {
	uint32_t log_id;
	uint32_t len;	 /* payload bytes */
	uint64_t offset; /* of its record in its file (docs/tree.md, section 5.3) */
};

/*
 * Reads entry INDEX: fills *e and, if buf is not NULL, copies its bytes to
 * buf.  -ENOENT if INDEX is not retained (dropped, not yet written, or cut
 * off by recovery), -EMSGSIZE if size < e->len (*e filled), -EIO if the
 * record no longer passes its CRC or the disk fails.
 */
int errlog_journal_read(struct errlog_journal *j, uint64_t index, struct journal_entry *e,
			void *buf, size_t size);

/*
 * Oldest first; stops early and returns fn's value if it is non-zero, or
 * the -errno of a failed read.  RAW is valid only during the call.  FN may
 * call into the journal (appends from another thread may run meanwhile;
 * the walk ends at the end it found when it started).
 */
typedef int (*journal_visit_fn)(void *ctx, uint32_t log_id, const uint8_t *raw, size_t len);
int errlog_journal_foreach(struct errlog_journal *j, journal_visit_fn fn, void *ctx);

/*
 * A reader's floor: while pinned at INDEX, rotation deletes no entry at or
 * above INDEX (the journal then holds more than its limits say, and says so
 * once in the log).  The caller owns the struct; pin, move and unpin it on
 * the same journal.
 */
struct journal_pin {
	uint64_t index;
	struct journal_pin *next, **pprev;
};
void errlog_journal_pin(struct errlog_journal *j, struct journal_pin *p, uint64_t index);
void errlog_journal_pin_move(struct errlog_journal *j, struct journal_pin *p, uint64_t index);
void errlog_journal_unpin(struct errlog_journal *j, struct journal_pin *p);

/* What the card layer shows about its journal (state, health, metrics). */
struct journal_stats {
	uint64_t first, end;	  /* retained indexes */
	size_t entries;		  /* retained */
	unsigned files;		  /* rotated files + the active one */
	uint64_t bytes;		  /* the files' sizes */
	uint64_t dropped_entries; /* deleted by rotation since open */
	uint64_t reused_ids;	  /* entries kept although their id was present */
	uint64_t failed_appends;  /* appends that failed on the disk since open */
	int last_error;		  /* -errno of the last append, 0 once one succeeded */
};
void errlog_journal_stats(struct errlog_journal *j, struct journal_stats *st);

#endif /* OCXLFS_STORE_JOURNAL_H */
