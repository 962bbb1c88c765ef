/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Snapshots: one generation of a file's content (docs/tree.md section 3),
 * as records of a slot table in the arena.  A node holds one reference to
 * its current snapshot, every open handle one more and every view one
 * more; the last one frees it.  A snapshot that an open handle holds is
 * pinned and is not replaced while current (a view alone does not pin: it
 * only lets one thread see what it was shown).  Both counts are recounted
 * from the records by each new worker (recover.c).  A dump's
 * file is named by its sequence number; the descriptor each worker opens
 * on it is that worker's own (tree->dump_fds).
 */
#ifndef OCXLFS_TREE_SNAPSHOT_H
#define OCXLFS_TREE_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "tree/snapbuf.h"

struct tree;
struct tree_ref;

struct snapshot {
	uint32_t state;	      /* 1 in use: published once the rest is written */
	uint32_t refs;	      /* node, handles, views: atomic */
	uint32_t node;	      /* whose it is: index into the tree's nodes */
	uint32_t pins;	      /* open handles: under the node's lock */
	uint64_t gen;	      /* per node, increasing: tells generations apart */
	struct timespec when; /* CLOCK_REALTIME: st_mtime/st_ctime */
	struct timespec born; /* CLOCK_MONOTONIC: for the lifetime rule */
	uint64_t len;
	uint64_t seq;	   /* events: newest event shown */
	snapbuf_t bytes;   /* rendered kinds: the content */
	uint64_t dump_seq; /* dump: which collected dump, 0 if none */
};

struct snapshot *snapshot_at(struct tree *t, uint32_t id);
/* The number of the record S. */
uint32_t snapshot_id(const struct tree *t, const struct snapshot *s);
/* One reference more / less; the last one frees it.  Any thread, any lock. */
void snapshot_get(struct tree *t, uint32_t id);
void snapshot_put(struct tree *t, uint32_t id);
/* Frees S (number ID) whatever its references: recovery, exit. */
void snapshot_release(struct tree *t, uint32_t id);
/* The dump file of a dump snapshot, opened in this worker on first use; -errno. */
int snapshot_dump_fd(struct tree *t, const struct tree_ref *ref, uint32_t id);
/*
 * The snapshot that stat and open of a node see now, with the node's lock
 * held: the current one while its kind says it may serve, else a new one
 * built by the kind, which becomes current.  *ID gets its number.
 */
int snapshot_current(struct tree *t, const struct tree_ref *ref, uint32_t *id);
/* Drops the node's current snapshot (lock held): the next stat or open builds one. */
void snapshot_expire(struct tree *t, const struct tree_ref *ref);

/*
 * The lifetime rule of docs/tree.md section 3.2 for the kinds that are
 * replaced at all: a snapshot serves while it is pinned or younger than
 * TREE_SNAPSHOT_TTL_MS.
 */
bool snapshot_may_serve(const struct snapshot *s);
/* Milliseconds since S was built. */
long long snapshot_age_ms(const struct snapshot *s);

#endif /* OCXLFS_TREE_SNAPSHOT_H */
