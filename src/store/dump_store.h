/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Collected controller dumps of one card, kept in a directory.  A dump is
 * written into a temporary file whose space was allocated when it was
 * started, made durable whole, then renamed into place (and the directory
 * fsync'd) before the caller tells the card "dump complete".  Memory does
 * not grow with the dump.  A full or failing disk is a -errno from begin,
 * write or commit, after which the card must keep its dump.  The newest dump and up to KEEP-1 older
 * ones are kept; older ones are deleted on commit.
 */
#ifndef OCXLFS_STORE_DUMP_STORE_H
#define OCXLFS_STORE_DUMP_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct dump_store;
struct dump_writer;

#define DUMP_STORE_DEFAULT_KEEP 4

/*
 * Creates DIR (and its parents) if missing, deletes temporary files left by
 * an interrupted collection.  keep 0 means DUMP_STORE_DEFAULT_KEEP.  -EBUSY
 * if another process has DIR open as a dump store.
 */
int dump_store_open(const char *dir, unsigned keep, struct dump_store **out);
void dump_store_close(struct dump_store *ds);

/*
 * Starts a dump of at most max_size bytes (0 allowed).  The space is
 * allocated up front: a full disk fails here with -ENOSPC.  A writer is used
 * by one thread at a time.
 */
int dump_store_begin(struct dump_store *ds, size_t max_size, struct dump_writer **out);
/* -EINVAL if [off, off + len) is not inside max_size. */
int dump_writer_write(struct dump_writer *w, size_t off, const void *buf, size_t len);
/*
 * Persists final_size bytes and makes it the newest dump. Frees w, also on
 * failure (e.g. -EINVAL if final_size > max_size): then the dump is not
 * durable and the card must not be told "dump complete".
 */
int dump_writer_commit(struct dump_writer *w, size_t final_size);
/* Drops the partial dump. Frees w. */
void dump_writer_abort(struct dump_writer *w);

/*
 * Opens the newest committed dump read-only: *fd for pread, its size and
 * commit time.  -ENOENT if none.  The fd stays valid after a newer commit.
 */
int dump_store_open_newest(struct dump_store *ds, int *fd, size_t *size,
			   struct timespec *when);
/*
 * The same for dump *SEQ, or the newest when *SEQ is 0 (*SEQ then gets
 * which it was): a reader that pinned a dump reopens it by its number.
 */
int dump_store_open_seq(struct dump_store *ds, uint64_t *seq, int *fd, size_t *size,
			struct timespec *when);
/*
 * Dump SEQ is shown to a reader (a pinned snapshot, which a later worker
 * reopens by number): committing newer dumps does not delete it until
 * every hold is dropped.  Holds are counted; -ENOMEM.
 */
int dump_store_hold(struct dump_store *ds, uint64_t seq);
void dump_store_unhold(struct dump_store *ds, uint64_t seq);
/* Number of committed dumps kept. */
unsigned dump_store_count(struct dump_store *ds);
/*
 * 0, or the -errno of the last begin, write or commit that failed (disk
 * trouble: -ENOSPC, -EIO); 0 again once a commit succeeds.  Lock-free.
 */
int dump_store_last_error(struct dump_store *ds);

#endif /* OCXLFS_STORE_DUMP_STORE_H */
