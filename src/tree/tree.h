/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The node table: every directory, file and symlink of the mount, its inode
 * number, mode and content source, and the snapshots that give each file an
 * exact size and a stable time (docs/tree.md section 3).  It knows nothing
 * of FUSE; src/fs translates requests into these calls.  What the tree
 * holds is data (tree/table.h, the tables in files.c); docs/architecture.md
 * says which file of src/tree does what.
 */
#ifndef OCXLFS_TREE_H
#define OCXLFS_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

struct card;
struct card_caller;
struct tree;

#define TREE_ROOT_INO 1u

/* Longest write a control file accepts, as sysfs accepts at most a page. */
#define TREE_CONTROL_MAX 256

/* What the kernel may cache about a node. */
struct tree_cache {
	double entry_timeout;
	double attr_timeout;
	bool keep_cache; /* page cache survives open() */
};

/*
 * Bounds on what callers can make the daemon hold: open files (EMFILE
 * beyond) and the bytes of all rendered snapshots together (ENOMEM).
 */
#define TREE_MAX_HANDLES 16384u
#define TREE_MAX_SNAPSHOT_BYTES ((size_t)512 << 20)
struct tree_limits {
	unsigned max_handles;	   /* 0: TREE_MAX_HANDLES */
	size_t max_snapshot_bytes; /* 0: TREE_MAX_SNAPSHOT_BYTES */
};

/* Snapshots younger than this are reused by getattr/open (tar's stat, open, fstat). */
#define TREE_SNAPSHOT_TTL_MS 1000

/* LIMITS may be NULL (the defaults). */
int tree_new(struct card **cards, unsigned ncards, const struct tree_limits *limits,
	     struct tree **out);
void tree_free(struct tree *t);

/*
 * Lookup and getattr also say, in *cache (may be NULL), how long the kernel
 * may keep the answer: decided together with the attributes, under the
 * same lock, so a cached size never outlives the snapshot it describes.
 */
int tree_lookup(struct tree *t, uint64_t parent, const char *name, struct stat *st,
		struct tree_cache *cache);
int tree_getattr(struct tree *t, uint64_t ino, struct stat *st, struct tree_cache *cache);
int tree_readlink(struct tree *t, uint64_t ino, char *buf, size_t cap);

/*
 * Directory entry IDX of DIR ("." and ".." excluded): -ENOENT past the end,
 * -EAGAIN for an entry that is hidden now (a vanished card: skip it),
 * -ENOTDIR if DIR is not a directory.
 */
int tree_dir_entry(struct tree *t, uint64_t dir, size_t idx, const char **name,
		   struct stat *st);

/*
 * Opens a file and pins its snapshot for the life of the handle *FH (never
 * 0).  *KEEP_CACHE says whether the kernel's page cache of the file is
 * still right: a static file, or the same generation the previous open
 * pinned.
 */
int tree_open(struct tree *t, uint64_t ino, int flags, uint64_t *fh, bool *keep_cache);
/* Reads into buf; returns bytes (0 at the end) or -errno. */
ssize_t tree_read(struct tree *t, uint64_t fh, char *buf, size_t size, off_t off);
void tree_release(struct tree *t, uint64_t fh);
/*
 * A write to a control file, with sysfs store() semantics: the offset is
 * ignored, one trailing '\n' or '\0' is dropped, an empty, oversized or
 * multi-line value is -EINVAL, and the whole write is one command.
 * Returns size or -errno.
 */
ssize_t tree_write(struct tree *t, uint64_t fh, const char *buf, size_t size,
		   const struct card_caller *who);
/* truncate(2) to 0 of a writable file (O_TRUNC, `>`): accepted, nothing else is. */
int tree_truncate(struct tree *t, uint64_t ino, off_t size, struct stat *st,
		  struct tree_cache *cache);

/*
 * poll() support.  Every file is always readable except N/events, which is
 * readable (TREE_POLL_READY) once the card posted an event its handle has
 * not shown yet.  Otherwise WAITER (the front end's opaque poll handle, may
 * be NULL) is kept and later handed to the wake hook from the thread that
 * posts the event; a waiter replaced or left at release goes to the drop
 * hook.  Returns TREE_POLL_READY, 0 (not ready) or -errno.
 */
#define TREE_POLL_READY 1
int tree_poll(struct tree *t, uint64_t fh, void *waiter);

/*
 * What the front end does for the tree from a monitor thread (never from
 * a request): wake a poll waiter, free one, and drop a cached name when a
 * card vanishes or comes back.
 */
struct tree_hooks {
	void *ctx;
	void (*wake)(void *ctx, void *waiter); /* wake and free the waiter */
	void (*drop)(void *ctx, void *waiter); /* free it without waking */
	void (*inval_entry)(void *ctx, uint64_t parent, const char *name);
};
void tree_set_hooks(struct tree *t, const struct tree_hooks *hooks);

#endif /* OCXLFS_TREE_H */
