/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The arena: a memfd that the supervisor keeps and every worker maps, so
 * that what open files need outlives the process serving them
 * (docs/architecture.md section 5).  It is laid out once, by the first
 * worker, as numbered sections; the header is published last, with one
 * aligned store, so a worker killed while laying it out leaves an arena
 * the next one lays out again.
 *
 * Nothing in it is allocator metadata or a lock a new worker has to trust:
 * every section holds records whose own state word says whether they are
 * in use, and each worker rebuilds its free lists and reference counts
 * from them (src/tree/recover.c).  Only one worker maps it at a time.
 */
#ifndef OCXLFS_UTIL_ARENA_H
#define OCXLFS_UTIL_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The format.  A worker that finds another version exits with
 * OCXLFS_EXIT_ARENA_VERSION (fs/worker.h) and the supervisor runs the
 * binary it is itself (which laid it out) instead.
 */
#define ARENA_MAGIC "OCXLARN\0"
#define ARENA_VERSION 1u

enum arena_section {
	ARENA_SEC_INIT,	     /* the kernel's FUSE_INIT, and libfuse's answer (fs/worker.c) */
	ARENA_SEC_CARDS,     /* card index by serial (fs/cards.c) */
	ARENA_SEC_TREE,	     /* mount time, node names: inode numbers that stay (tree/ino.c) */
	ARENA_SEC_NODES,     /* per node: its current snapshot */
	ARENA_SEC_SNAPSHOTS, /* snapshot descriptors */
	ARENA_SEC_HANDLES,   /* open files */
	ARENA_SEC_VIEWS,     /* which snapshot a caller was shown (docs/tree.md 3.2) */
	ARENA_SEC_WRITES,    /* control-file writes being executed: exactly once */
	ARENA_SEC_HEAP,	     /* snapshot bytes */
	ARENA_SEC_COUNT
};

struct arena_extent {
	uint64_t off;
	uint64_t size;
};

struct arena_header {
	char magic[8];
	uint32_t version; /* published last: 0 until the layout is complete */
	uint32_t header_size;
	uint64_t size;
	uint64_t workers; /* workers that attached so far */
	struct arena_extent sec[16];
};

struct arena {
	int fd;
	char *base;
	size_t size;
};

/* An empty arena (memfd, size 0); *fd is close-on-exec. */
int arena_create(int *fd);
/*
 * Maps the arena FD.  An arena whose layout was never completed is laid
 * out anew with SIZES (bytes per section); a complete one keeps its own.
 * -EPROTO: laid out by another version (*version says which).
 */
int arena_attach(int fd, const uint64_t sizes[ARENA_SEC_COUNT], struct arena *a,
		 uint32_t *version);
/*
 * Maps a complete arena without laying it out (the supervisor, to free
 * handles while no worker runs); -ENOENT if it has no layout yet.
 */
int arena_peek(int fd, struct arena *a);
void arena_detach(struct arena *a);

static inline struct arena_header *arena_header(const struct arena *a)
{
	return (struct arena_header *)a->base;
}

/* Section S and its size in *size (may be NULL). */
void *arena_section(const struct arena *a, enum arena_section s, size_t *size);
/* Gives the pages fully inside [p, p + len) back to the kernel: they read as zero. */
void arena_discard(const struct arena *a, void *p, size_t len);

#endif /* OCXLFS_UTIL_ARENA_H */
