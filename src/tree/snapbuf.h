/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where the bytes of rendered snapshots live: a heap in the arena
 * (util/arena.h), so that an open file's snapshot outlives the worker that
 * rendered it, and the bound on all of them together (docs/tree.md
 * section 4.2, --max-snapshot-size).  A snapshot refers to its bytes by a
 * snapbuf_t, an offset into the heap.
 *
 * Which parts of the heap are free is this process's own (a bitmap of
 * SNAPBUF_GRANULE-byte granules): a new worker rebuilds it from the extents
 * that the snapshots still in use refer to (snapbuf_mark), and never trusts
 * what a dead worker's allocator left.
 */
#ifndef OCXLFS_TREE_SNAPBUF_H
#define OCXLFS_TREE_SNAPBUF_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

typedef uint64_t snapbuf_t; /* offset into the heap; 0: no bytes */

#define SNAPBUF_GRANULE 64u

struct snapbufs {
	pthread_mutex_t lock;
	const struct arena *arena;
	char *heap;
	size_t heap_size;
	uint64_t *map; /* a bit per granule: in use */
	size_t granules;
	size_t cursor; /* next fit starts here */
	size_t used;   /* bytes held, all snapshots together; atomic */
	size_t limit;  /* -ENOMEM beyond */
};

/* Over HEAP (in ARENA), with nothing in use yet. */
int snapbufs_attach(struct snapbufs *b, const struct arena *arena, void *heap, size_t heap_size,
		    size_t limit);
void snapbufs_detach(struct snapbufs *b);
/*
 * Recovery: BUF, LEN bytes, is still referred to.  false when it does not
 * lie inside the heap or overlaps an extent marked before: a record to drop.
 */
bool snapbuf_mark(struct snapbufs *b, snapbuf_t buf, size_t len);
/*
 * Copies DATA (LEN bytes from malloc, as open_memstream() leaves them) into
 * the heap, counts it and frees DATA.  Past the limit, or with no room,
 * nothing is counted and the answer is -ENOMEM.
 */
int snapbuf_adopt(struct snapbufs *b, char *data, size_t len, snapbuf_t *out);
const char *snapbuf_bytes(const struct snapbufs *b, snapbuf_t buf);
/* Frees BUF, which holds LEN bytes; 0 is ignored. */
void snapbuf_free(struct snapbufs *b, snapbuf_t buf, size_t len);

#endif /* OCXLFS_TREE_SNAPBUF_H */
