/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a kind of file is (docs/tree.md section 2): how a snapshot of it is
 * built, how long it serves, how it is read, what the kernel may cache,
 * what a write does and whether it can be waited for.  The kinds
 * themselves are in kinds.c; nothing else in src/tree asks which kind a
 * file is.
 */
#ifndef OCXLFS_TREE_KINDS_H
#define OCXLFS_TREE_KINDS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct card_caller;
struct snapshot;
struct tree;
struct tree_ref;

/* How long the kernel may keep a file's attributes. */
enum tree_attr_rule {
	TREE_ATTR_FIXED,    /* they never change while mounted: an hour */
	TREE_ATTR_SNAPSHOT, /* until shortly before the snapshot may be replaced */
	TREE_ATTR_NONE,	    /* not at all: every stat reaches the daemon */
};

struct tree_kind {
	/* Fills the new snapshot S: its content or size, and its time. */
	int (*build)(struct tree *t, const struct tree_ref *ref, struct snapshot *s);
	/* Whether the current snapshot S may still answer stat and open. */
	bool (*serves)(struct tree *t, const struct tree_ref *ref, const struct snapshot *s);
	/* Up to SIZE bytes at OFF, inside S (the caller checked the bounds). */
	ssize_t (*read)(struct tree *t, const struct tree_ref *ref, const struct snapshot *s,
			char *buf, size_t size, off_t off);
	enum tree_attr_rule attr;
	bool keep_cache;	  /* the page cache survives every open */
	bool keep_cache_same_gen; /* ... an open that pins what the previous one pinned */
	/* One written line, for a file with a store hook; NULL: not writable. */
	int (*write)(struct tree *t, const struct tree_ref *ref, const char *line,
		     const struct card_caller *who);
	/* NULL: always readable. */
	int (*poll)(struct tree *t, uint64_t fh, const struct tree_ref *ref,
		    const struct snapshot *s, void *waiter);
};

#endif /* OCXLFS_TREE_KINDS_H */
