/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the files of src/tree share (tests/layering.sh keeps it there).
 *
 * Inode numbers are computed, not allocated, so lookups need no table walk
 * and stay valid for the life of the mount.  Every node belongs to a
 * scope: 0 is the mount (the root and what its table holds), 1 + i is card
 * i (its directory, what is below it, and its by-serial link).  Inside a
 * scope the nodes are numbered by a walk of the tables (ino.c), so
 *   ino = scope * TREE_SCOPE_SLOTS + slot + 1      (the root is 1)
 * Their values are not ABI (docs/tree.md section 1.1).
 */
#ifndef OCXLFS_TREE_PRIV_H
#define OCXLFS_TREE_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "tree/slots.h"
#include "tree/snapbuf.h"
#include "tree/table.h"
#include "tree/tree.h"

#define TREE_SCOPE_SLOTS 256u

/* The nodes of one scope, numbered: the mount's, or any card's. */
struct tree_layout {
	unsigned n;
	const struct tree_entry *entry[TREE_SCOPE_SLOTS];
	/* Its own present hook or its directory's: NULL, there for every card. */
	bool (*present[TREE_SCOPE_SLOTS])(const struct card *c);
	/* Directories: slot of their first entry (the others follow). */
	uint16_t first_child[TREE_SCOPE_SLOTS];
	/* Directories with children per card: those children's slot in the card scope. */
	uint16_t per_card_slot[TREE_SCOPE_SLOTS];
};

/*
 * A node's state: plain data, one per (scope, slot) of the tree.  The
 * snapshot numbers refer to the tree's snapshot table.
 */
struct tree_node {
	pthread_mutex_t lock;
	uint32_t snap;		/* current snapshot, 0 if none */
	uint64_t gens;		/* generations built so far */
	uint64_t last_open_gen; /* generation the last open pinned */
};

/* An open file (tree_open): a record of the handle table, FUSE's fh its number. */
struct tree_handle {
	uint32_t node; /* index into the tree's nodes */
	uint32_t snap; /* the snapshot it pins */
};

/* Poll waiters are the front end's pointers: this process's only (poll.c). */
struct tree_waiter;

struct tree {
	/* Made at start from the tables and the cards: any process makes the same. */
	unsigned ncards;
	struct card **cards;
	char (*names)[12];	      /* card directory names */
	struct tree_layout layout[2]; /* [0] the mount's, [1] every card's */
	unsigned stride;	      /* nodes per scope */
	struct timespec mounted;
	uid_t uid;
	gid_t gid;

	/*
	 * What open files and snapshots are: plain data that refers by number
	 * only (a dump snapshot's descriptor aside), so that it could live in
	 * memory that outlives this process.
	 */
	struct tree_node *nodes;     /* (ncards + 1) * stride */
	struct slot_table snapshots; /* struct snapshot */
	struct slot_table handles;   /* struct tree_handle */
	struct snapbufs bytes;

	/* This process's only: the front end's hooks and poll handles (poll.c). */
	pthread_mutex_t poll_lock;
	struct tree_hooks hooks;
	struct tree_waiter **waiting; /* per card: handles with a waiter */
	bool *shown;		      /* per card: visible at the last notification */
};

/* A node as a request names it: resolved from an inode number (ino.c). */
struct tree_ref {
	uint64_t ino;
	unsigned scope; /* 0 the mount, 1 + card index */
	unsigned slot;
	const struct tree_entry *entry;
	struct card *card; /* NULL in the mount's scope */
	struct tree_node *node;
};

/* ---- ino.c ---- */
int tree_layout_build(struct tree *t);
/* 0, or -ENOENT for no such node (a sim/ node of a real card included). */
int tree_resolve(struct tree *t, uint64_t ino, struct tree_ref *ref);
/* The node of index IDX (a handle's, a snapshot's). */
void tree_resolve_node(struct tree *t, uint32_t idx, struct tree_ref *ref);
uint64_t tree_ino(unsigned scope, unsigned slot);
static inline uint32_t tree_node_index(const struct tree *t, const struct tree_ref *ref)
{
	return (uint32_t)(ref->node - t->nodes);
}

/* "card 0 error_log", "metrics.prom": a node as the log names it. */
void tree_ref_name(const struct tree_ref *ref, char *buf, size_t cap);

/* A vanished card's directory and link are hidden until it answers again. */
bool tree_card_shown(const struct tree *t, unsigned card);
/* The scope of a node is a card that is gone (never true for the mount's). */
bool tree_ref_gone(const struct tree *t, const struct tree_ref *ref);

/* ---- attr.c ---- */
void tree_stat_dir(const struct tree *t, const struct tree_ref *ref, struct stat *st);
void tree_stat_link(const struct tree *t, const struct tree_ref *ref, struct stat *st);
int tree_stat_file(struct tree *t, const struct tree_ref *ref, struct stat *st,
		   struct tree_cache *cache);
/* What the kernel may cache about a node in general (REF NULL: before it is known). */
void tree_cache_policy(const struct tree_ref *ref, struct tree_cache *cache);

/* ---- poll.c ---- */
int tree_poll_init(struct tree *t);
void tree_poll_destroy(struct tree *t);
/* Drops the waiter of handle FH on node REF, if it has one (release). */
void tree_poll_forget(struct tree *t, const struct tree_ref *ref, uint64_t fh);
/*
 * For a handle that has shown the card's events up to SEEN: ready, or keep
 * WAITER until the card posts a newer one.
 */
int tree_poll_events(struct tree *t, uint64_t fh, unsigned card, uint64_t seen, void *waiter);

#endif /* OCXLFS_TREE_PRIV_H */
