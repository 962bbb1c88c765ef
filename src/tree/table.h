/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The shape of the tree as data (docs/tree.md section 1).  A directory is
 * a table of entries; a directory at the root may also get one child per
 * card from a hook (the card directories, the links in by-serial/), listed
 * before its entries.  A file's entry names its kind (kinds.c: how the
 * content is built, read, cached, written and polled) and the hooks that
 * kind calls.  A new read-only file is one row in a table of files.c and
 * its renderer; nothing else in src/tree changes.
 */
#ifndef OCXLFS_TREE_TABLE_H
#define OCXLFS_TREE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

struct card;
struct card_caller;
struct snapshot;
struct tree;
struct tree_dir;
struct tree_kind;
struct tree_ref;

struct tree_entry {
	const char *name;		/* NULL: named per card by the parent's hook */
	mode_t mode;			/* S_IFREG, S_IFDIR or S_IFLNK with the permission bits */
	const struct tree_kind *kind;	/* a file: where its content comes from */
	const struct tree_dir *dir;	/* a directory: what is in it */
	/*
	 * Rendered kinds (static, snapshot): the content of a file in a card's
	 * directory, or of a file at the root (from every card at once).
	 */
	int (*render)(struct card *c, FILE *out);
	int (*render_mount)(struct card *const *cards, unsigned n, FILE *out);
	/* A file that takes writes: one written line, trailing newline removed; 0 or -errno. */
	int (*store)(struct card *c, const char *line, const struct card_caller *who);
	/* The same for a file at the root. */
	int (*store_mount)(struct tree *t, const char *line, const struct card_caller *who);
	/* A link: its target, for the card it belongs to. */
	int (*target)(const struct tree *t, unsigned card, char *buf, size_t cap);
	/* NULL: there for every card.  sim/ is there for simulated cards only. */
	bool (*present)(const struct card *c);
	/* At the root: NULL, always there.  sim/ is there on a simulated mount only. */
	bool (*present_mount)(const struct tree *t);
	/*
	 * Writable while the card is gone: the sim/ files are the simulated
	 * card's outside world, the way to plug it back in.
	 */
	bool outlives_card;
};

/* One child per card: what each is, and its name. */
struct tree_per_card {
	const struct tree_entry *entry;
	const char *(*name)(const struct tree *t, unsigned card);
};

struct tree_dir {
	const struct tree_per_card *per_card; /* NULL: none; only at the root's level */
	const struct tree_entry *entries;
	size_t nentries;
};

/* MOUNTPOINT/ (files.c). */
extern const struct tree_entry tree_root;

/* How long the kernel may keep a file's attributes. */
enum tree_attr_rule {
	TREE_ATTR_FIXED,    /* they never change while mounted: an hour */
	TREE_ATTR_NONE,	    /* not at all: every stat reaches the daemon */
};

/*
 * What a kind of file is (docs/tree.md section 2): how a snapshot of it is
 * built, how long it serves, how it is read, what the kernel may cache,
 * what a write does and whether it can be waited for.  Nothing else in
 * src/tree asks which kind a file is.
 */
struct tree_kind {
	/* Fills the new snapshot S: its content or size, and its time. */
	int (*build)(struct tree *t, const struct tree_ref *ref, struct snapshot *s);
	/* Whether the current snapshot S may still answer stat and open. */
	bool (*serves)(struct tree *t, const struct tree_ref *ref, const struct snapshot *s);
	/* Up to SIZE bytes at OFF, inside S (the caller checked the bounds). */
	ssize_t (*read)(struct tree *t, const struct tree_ref *ref, const struct snapshot *s,
			char *buf, size_t size, off_t off);
	enum tree_attr_rule attr;
	bool keep_cache; /* the page cache survives every open */
	bool direct_io;	 /* no page cache at all: generations may be held side by side */
	/* One written line, for a file with a store hook; NULL: not writable. */
	int (*write)(struct tree *t, const struct tree_ref *ref, const char *line,
		     const struct card_caller *who);
	/* NULL: always readable. */
	int (*poll)(struct tree *t, uint64_t fh, const struct tree_ref *ref,
		    const struct snapshot *s, uint64_t kh);
};

/*
 * The kinds of docs/tree.md section 2 (kinds.c).  "control" there is not a
 * kind: any file with a store hook takes writes; write_only is the kind of
 * one that has no content besides (size 0).
 */
extern const struct tree_kind tree_kind_static;
extern const struct tree_kind tree_kind_snapshot;
extern const struct tree_kind tree_kind_labels;
extern const struct tree_kind tree_kind_dump;
extern const struct tree_kind tree_kind_events;
extern const struct tree_kind tree_kind_write_only;
extern const struct tree_kind tree_kind_stream;
extern const struct tree_kind tree_kind_overwrite;

/* A mount of simulated cards (the root's sim/ folder is there). */
bool tree_mount_simulated(const struct tree *t);
/* sim/plug, sim/unplug: simulated card NUMBER plugged in or pulled out. */
int tree_sim_plug(struct tree *t, unsigned number, bool plug);

/* The per-card hooks of the root's table (dir.c). */
const char *tree_card_dir_name(const struct tree *t, unsigned card); /* "0", "1", ... */
const char *tree_card_link_name(const struct tree *t, unsigned card); /* the serial */
int tree_card_link_target(const struct tree *t, unsigned card, char *buf, size_t cap);

#endif /* OCXLFS_TREE_TABLE_H */
