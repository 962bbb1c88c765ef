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
 * Bounds on what callers can make the daemon hold (docs/tree.md section
 * 4.2): open files (EMFILE beyond), per user too, with a reserve that only
 * root and the daemon's own user may take, and the bytes of all rendered
 * snapshots together (ENOMEM).
 */
#define TREE_MAX_HANDLES 16384u
#define TREE_MAX_HANDLES_PER_USER 4096u
#define TREE_HANDLES_RESERVED 1024u
#define TREE_MAX_SNAPSHOT_BYTES ((size_t)512 << 20)
struct tree_limits {
	unsigned max_handles;	       /* 0: TREE_MAX_HANDLES */
	unsigned max_handles_per_user; /* 0: TREE_MAX_HANDLES_PER_USER, or max_handles if less */
	unsigned handles_reserved;     /* 0: TREE_HANDLES_RESERVED, or a quarter of max_handles */
	size_t max_snapshot_bytes;     /* 0: TREE_MAX_SNAPSHOT_BYTES */
};

/* Cards a tree can hold: indexes 0 to TREE_MAX_CARDS - 1. */
#define TREE_MAX_CARDS 1024u

/* Snapshots younger than this are reused by getattr/open (tar's stat, open, fstat). */
#define TREE_SNAPSHOT_TTL_MS 1000

/*
 * Who asks, from the FUSE request.  The thread is what a view belongs to
 * (docs/tree.md section 3.2): what a thread was shown by stat is what its
 * open pins.  KEY is the request's number without the resend bit, and
 * RESEND says the kernel sent it again because the worker that had read it
 * died: an OPEN or a WRITE then finds what that worker did (tree/open.c).
 */
struct tree_caller {
	uid_t uid;
	pid_t tid;
	uint64_t key;
	bool resend;
};

struct arena;

/* The arena sections (util/arena.h) a tree with LIMITS (NULL: defaults) needs, in bytes. */
void tree_arena_sizes(const struct tree_limits *limits, uint64_t *sizes);
/*
 * The tree of this worker over the arena A: what open files, snapshots and
 * views a previous worker left there is checked and taken over (recover.c).
 * No card yet: tree_add_card() adds them.  LIMITS may be NULL (the
 * defaults); the arena's sizes win over them where they differ.
 */
int tree_attach(struct arena *a, const struct tree_limits *limits, struct tree **out);
/* Frees what is this process's; the arena keeps what open files need. */
void tree_free(struct tree *t);
/*
 * Serves card C as card INDEX (< TREE_MAX_CARDS, not taken), before the
 * mount is served or later (hot-plug: then tell the kernel, below).
 */
int tree_add_card(struct tree *t, unsigned index, struct card *c);
/*
 * The kernel drops what it cached of card INDEX's names and of the
 * directories they are in (the root, by-serial/): a card was added.  From
 * a thread that serves no request (tree_hooks).
 */
void tree_card_added(struct tree *t, unsigned index);
/* The card of INDEX, NULL if none. */
struct card *tree_card(const struct tree *t, unsigned index);
/* 1 + the highest card index served. */
unsigned tree_ncards(const struct tree *t);
/*
 * While no worker runs (the supervisor answering EIO): the handle FH is
 * released.  The next worker's recovery drops what it pinned.
 */
void tree_arena_release(const struct arena *a, uint64_t fh);
/*
 * After a worker took over: the kernel poll handles the previous one was
 * to wake.  Each is handed to WAKE once and forgotten (a spurious wake-up
 * only makes the kernel poll again).
 */
void tree_wake_inherited(struct tree *t, void (*wake)(void *ctx, uint64_t kh), void *ctx);

/*
 * Lookup and getattr also say, in *cache (may be NULL), how long the kernel
 * may keep the answer: decided together with the attributes, under the
 * same lock, so a cached size never outlives the snapshot it describes.
 */
int tree_lookup(struct tree *t, uint64_t parent, const char *name, const struct tree_caller *who,
		struct stat *st, struct tree_cache *cache);
int tree_getattr(struct tree *t, uint64_t ino, const struct tree_caller *who, struct stat *st,
		 struct tree_cache *cache);
int tree_readlink(struct tree *t, uint64_t ino, char *buf, size_t cap);

/*
 * Directory entry IDX of DIR ("." and ".." excluded): -ENOENT past the end,
 * -EAGAIN for an entry that is hidden now (a vanished card: skip it),
 * -ENOTDIR if DIR is not a directory.
 */
int tree_dir_entry(struct tree *t, uint64_t dir, size_t idx, const char **name,
		   struct stat *st);

/* How the kernel is to treat an open file's pages. */
struct tree_open_mode {
	bool keep_cache; /* its page cache is still right: a file that never changes */
	bool direct_io;	 /* no page cache: two callers may hold two snapshots of it */
};

/*
 * Opens a file and pins its snapshot for the life of the handle *FH (never
 * 0): the snapshot the caller's thread was shown by its stat, if that was
 * within TREE_SNAPSHOT_TTL_MS, else the current one.  A resent OPEN gets
 * the handle the dead worker had made for it.
 */
int tree_open(struct tree *t, uint64_t ino, int flags, const struct tree_caller *who,
	      uint64_t *fh, struct tree_open_mode *mode);
/* Reads into buf; returns bytes (0 at the end) or -errno. */
ssize_t tree_read(struct tree *t, uint64_t fh, char *buf, size_t size, off_t off);
void tree_release(struct tree *t, uint64_t fh);
/*
 * A write to a control file, with sysfs store() semantics: the offset is
 * ignored, one trailing '\n' or '\0' is dropped, an empty, oversized or
 * multi-line value is -EINVAL, and the whole write is one command.
 * Returns size or -errno.  Exactly once across a worker's death: the
 * outcome is recorded in the arena (*RECORD) until the answer has reached
 * the kernel (tree_write_answered), and a resent WRITE gets that outcome
 * instead of running again.
 */
ssize_t tree_write(struct tree *t, uint64_t fh, const char *buf, size_t size,
		   const struct tree_caller *who, uint32_t *record);
void tree_write_answered(struct tree *t, uint32_t record);
/* truncate(2) to 0 of a writable file (O_TRUNC, `>`): accepted, nothing else is. */
int tree_truncate(struct tree *t, uint64_t ino, off_t size, const struct tree_caller *who,
		  struct stat *st, struct tree_cache *cache);

/*
 * poll() support.  Every file is always readable except N/events, which is
 * readable (TREE_POLL_READY) once the card posted an event its handle has
 * not shown yet.  Otherwise the kernel's poll handle KH (0: none asked) is
 * kept, in the arena too, and later handed to the wake hook from the thread
 * that posts the event.  Returns TREE_POLL_READY, 0 (not ready) or -errno.
 */
#define TREE_POLL_READY 1
int tree_poll(struct tree *t, uint64_t fh, uint64_t kh);

/*
 * What the front end does for the tree from a monitor or hot-plug thread
 * (never from a request): wake a poll handle, and drop a cached name or a
 * node's cached attributes when a card vanishes, comes back or is added.
 */
struct tree_hooks {
	void *ctx;
	void (*wake)(void *ctx, uint64_t kh);
	void (*inval_entry)(void *ctx, uint64_t parent, const char *name);
	void (*inval_inode)(void *ctx, uint64_t ino);
	/*
	 * A mount of simulated cards: the root's sim/ folder plugs them in and
	 * out (docs/tree.md section 4.3), from a request; 0 or -errno.
	 */
	bool simulated;
	int (*sim_plug)(void *ctx, unsigned number, bool plug);
};
void tree_set_hooks(struct tree *t, const struct tree_hooks *hooks);
/* The mount's event stream (card/stream.h), shown by MOUNTPOINT/events.json; before serving. */
struct card_stream;
void tree_set_stream(struct tree *t, struct card_stream *stream);

#endif /* OCXLFS_TREE_H */
