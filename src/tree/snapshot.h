/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Snapshots: one generation of a file's content (docs/tree.md section 3),
 * as plain data in a slot table.  A node holds one reference to its
 * current snapshot and every open handle one more, so a snapshot with more
 * than one reference is pinned and is never replaced.  The one member that
 * only means something in this process is a dump's open file descriptor.
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
	uint32_t refs;	      /* under the node's lock */
	uint32_t node;	      /* whose it is: index into the tree's nodes */
	uint64_t gen;	      /* per node, increasing: tells generations apart */
	struct timespec when; /* CLOCK_REALTIME: st_mtime/st_ctime */
	struct timespec born; /* CLOCK_MONOTONIC: for the lifetime rule */
	uint64_t len;
	uint64_t seq;	 /* events: newest event shown */
	snapbuf_t bytes; /* rendered kinds: the content */
	int fd;		 /* dump: the dump file, -1 if none */
};

struct snapshot *snapshot_at(struct tree *t, uint32_t id);
/* Drops one reference, with the node's lock held; the last one frees it. */
void snapshot_put(struct tree *t, uint32_t id);
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
