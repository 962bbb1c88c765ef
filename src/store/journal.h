/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The error-log journal: an append-only file of the raw 'EL' entries drained
 * from one card, mapped with libpmem2.  An append is persisted (pmem2
 * persist: cache flush on DAX, msync elsewhere) before it returns, so the
 * caller may then acknowledge the entry to the card.  Records carry a
 * CRC-32; opening a torn or corrupt journal keeps every record before the
 * first bad one, logs what it dropped and truncates the rest.  Entries are
 * deduplicated by log identifier and content: the same entry twice is
 * stored once, a reused identifier with other bytes is a new entry.
 *
 * Not thread-safe: callers serialize every call on one journal (the card
 * lock).  A second open of the same file, from any process, gets -EBUSY.
 */
#ifndef OCXLFS_STORE_JOURNAL_H
#define OCXLFS_STORE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec/codec.h"

struct errlog_journal;

/* Largest raw entry accepted: the largest the card can send. */
#define JOURNAL_MAX_ENTRY OCXLFS_EL_MAX_SIZE

struct journal_recovery {
	size_t records;	      /* good records kept */
	size_t dropped_bytes; /* bytes after the first bad record */
	bool damaged;
};

/*
 * Opens or creates PATH (its directory must exist).  REC (may be NULL) says
 * what recovery found: damaged with dropped_bytes > 0 if records were cut
 * off (or, for a damaged file header, the whole file moved aside to
 * "PATH.corrupt-<epoch>" and an empty journal started).  If intact records
 * follow the damage, the dropped bytes are first saved to
 * "PATH.dropped-<epoch>".  Never fails because of what is in the file.
 */
int errlog_journal_open(const char *path, struct errlog_journal **out,
			struct journal_recovery *rec);
void errlog_journal_close(struct errlog_journal *j);

/*
 * 0 appended and persisted; 1 an equal record (same log_id, same bytes) is
 * already present, nothing written; -errno: -EINVAL if len >
 * JOURNAL_MAX_ENTRY (or raw is NULL with len > 0).
 */
int errlog_journal_append(struct errlog_journal *j, uint32_t log_id,
			  const void *raw, size_t len);
/* Whether any record has this log identifier. */
bool errlog_journal_contains(struct errlog_journal *j, uint32_t log_id);
size_t errlog_journal_count(struct errlog_journal *j);

/*
 * Oldest first; stops early and returns fn's value if it is non-zero.  RAW
 * points into the mapping: valid only during the call, and fn must not
 * append to this journal.
 */
typedef int (*journal_visit_fn)(void *ctx, uint32_t log_id, const uint8_t *raw, size_t len);
int errlog_journal_foreach(struct errlog_journal *j, journal_visit_fn fn, void *ctx);

#endif /* OCXLFS_STORE_JOURNAL_H */
