/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the files of src/tree share (tests/layering.sh keeps it there).
 *
 * Inode numbers are computed, not allocated, so lookups need no table walk
 * and stay valid for the life of the mount, across workers and upgrades.
 * Every node belongs to a scope: 0 is the mount (the root and what its
 * table holds), 1 + i is card i (its directory, what is below it, and its
 * by-serial link).  Inside a scope a node has a slot: its place in the
 * arena's list of node names for that kind of scope (ino.c), which only
 * grows, so a newer binary with more files keeps every older number:
 *   ino = scope * TREE_SCOPE_SLOTS + slot + 1      (the root is 1)
 * Their values are not ABI (docs/tree.md section 1.1).
 *
 * The state of open files lives in the arena (util/arena.h) as records
 * that name each other by number: nodes, snapshots, handles, views and
 * writes in progress.  Each worker takes them over at start (recover.c).
 */
#ifndef OCXLFS_TREE_PRIV_H
#define OCXLFS_TREE_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "tree/slots.h"
#include "tree/snapbuf.h"
#include "tree/table.h"
#include "tree/tree.h"

#define TREE_SCOPE_SLOTS 256u
#define TREE_NO_SLOT 0xffffu
/* Control-file writes that can be running at once (one per FUSE thread, and room). */
#define TREE_MAX_WRITES 2048u
/* Views of callers that only stat'ed, besides one per handle. */
#define TREE_STAT_VIEWS 4096u

/* The two kinds of scope: the mount's, and every card's. */
enum { TREE_SCOPE_MOUNT, TREE_SCOPE_CARD };

/* The nodes of one kind of scope, in the order of the tables (listing order). */
struct tree_layout {
	unsigned n;
	const struct tree_entry *entry[TREE_SCOPE_SLOTS];
	/* Its own present hook or its directory's: NULL, there for every card. */
	bool (*present[TREE_SCOPE_SLOTS])(const struct card *c);
	/* The same at the root (the mount's layout only). */
	bool (*present_mount[TREE_SCOPE_SLOTS])(const struct tree *t);
	/* Directories: index of their first entry (the others follow). */
	uint16_t first_child[TREE_SCOPE_SLOTS];
	/* Directories with children per card: those children's index in the card layout. */
	uint16_t per_card_child[TREE_SCOPE_SLOTS];
	/* The card layout's per-card nodes: the mount's directory they are listed in. */
	uint16_t per_card_parent[TREE_SCOPE_SLOTS];
	uint16_t parent[TREE_SCOPE_SLOTS]; /* TREE_NO_SLOT for the first node */
	/* The node's slot in the arena's names (inode numbers), and back. */
	uint16_t slot[TREE_SCOPE_SLOTS];
	uint16_t local[TREE_SCOPE_SLOTS]; /* by slot: index here, TREE_NO_SLOT if unknown */
};

/* ---- in the arena ---- */

/* A node's path below its scope ("error_log", "sim/fault"): what a slot means. */
#define TREE_NAME_MAX 60
struct tree_name {
	uint32_t state; /* 1 once written */
	char path[TREE_NAME_MAX];
};

/* The tree's own section: what every worker must agree on. */
struct tree_shared {
	uint32_t nnames[2]; /* published after the name is written */
	struct timespec mounted;
	/* CLOCK_REALTIME when card I was first served: the time of what never changes. */
	struct timespec card_since[TREE_MAX_CARDS];
	struct tree_name names[2][TREE_SCOPE_SLOTS];
};

/* A node's state, per (scope, slot): TREE_SCOPE_SLOTS per scope. */
struct tree_node {
	pthread_mutex_t lock; /* re-made by every worker */
	uint32_t snap;	      /* current snapshot, 0 if none */
	uint64_t gens;	      /* generations built so far */
};

/*
 * An open file (tree_open).  FUSE's fh is (incarnation << 32) | number, so
 * a RELEASE that a dead worker had already executed, resent, cannot free
 * the handle that took the number since.
 */
struct tree_handle {
	uint32_t state; /* the incarnation while open, 0 when free */
	uint32_t node;	/* index into the tree's nodes */
	uint32_t snap;	/* the snapshot it pins */
	uint32_t view;	/* the view it was opened through */
	uint32_t uid;
	uint32_t incarnation; /* the last one, kept while free */
	uint64_t open_key;    /* the OPEN request's number: a resent OPEN finds it */
	uint64_t poll_kh;     /* kernel poll handle to wake, 0 if none */
};

/* What thread TID was shown of a node, until EXPIRES (docs/tree.md section 3.2). */
struct tree_view {
	uint32_t state; /* 1 in use */
	uint32_t node;
	int32_t tid;
	uint32_t snap;	   /* pinned by the view */
	uint32_t holders;  /* handles opened through it (recomputed at start) */
	uint32_t pad;
	uint64_t expires;  /* CLOCK_MONOTONIC, ns */
};

/* A write to a control file being executed: a resent one is not executed twice. */
enum { TREE_WRITE_RUNNING = 1, TREE_WRITE_DONE = 2 };
struct tree_write {
	uint32_t state;
	int32_t result; /* bytes or -errno, once done */
	uint64_t key;	/* the WRITE request's number */
	uint64_t worker; /* the worker that started it */
};

/* ---- this process's ---- */

/* Open files per user (limits.c). */
struct tree_user {
	uint32_t uid;
	uint32_t open;
};

struct tree {
	struct arena *arena;
	struct tree_shared *shared;
	uint64_t worker; /* this worker's number */
	struct tree_layout layout[2];
	uid_t uid;
	gid_t gid;

	/* Cards: [0, ncards) may hold NULL, an index whose card is not here now. */
	pthread_mutex_t cards_lock; /* adding one */
	unsigned ncards;	    /* atomic */
	struct card *cards[TREE_MAX_CARDS];
	char names[TREE_MAX_CARDS][12]; /* card directory names */

	/* Records in the arena. */
	struct tree_node *nodes; /* (TREE_MAX_CARDS + 1) * TREE_SCOPE_SLOTS */
	struct slot_table snapshots; /* struct snapshot */
	struct slot_table handles;   /* struct tree_handle */
	struct slot_table views;     /* struct tree_view */
	struct slot_table writes;    /* struct tree_write */
	struct snapbufs bytes;
	int *dump_fds; /* per snapshot: its dump file opened here, + 1; 0: not yet */

	/* Views: one lock, their index by (node, thread), their order of expiry (view.c). */
	pthread_mutex_t view_lock;
	void *view_ring_index;
	void *view_ring;
	uint32_t view_head, view_count, view_cap;

	/* Open files per user. */
	pthread_mutex_t users_lock;
	struct tree_user *users;
	unsigned nusers, users_cap;
	unsigned nopen; /* all users together */
	unsigned max_handles, max_per_user, reserved;

	/* The front end's hooks and poll handles (poll.c). */
	pthread_mutex_t poll_lock;
	struct tree_hooks hooks;
	struct card_stream *stream; /* the event stream, NULL: none (tree_set_stream) */
	/* Per card, and [TREE_MAX_CARDS] for the mount's files: handles with a poll handle. */
	struct tree_waiter *waiting[TREE_MAX_CARDS + 1];
	bool shown[TREE_MAX_CARDS];		     /* per card: visible at the last notification */
};

struct tree_waiter;

/* A node as a request names it: resolved from an inode number (ino.c). */
struct tree_ref {
	uint64_t ino;
	unsigned scope; /* 0 the mount, 1 + card index */
	unsigned slot;	/* in the arena's names */
	unsigned local; /* in the layout */
	const struct tree_entry *entry;
	struct card *card; /* NULL in the mount's scope */
	struct tree_node *node;
};

/* ---- ino.c ---- */
int tree_layout_build(struct tree *t);
/* Gives every node of the layouts its slot in the arena's names (new ones appended). */
int tree_names_bind(struct tree *t);
/* 0, or -ENOENT for no such node (a sim/ node of a real card included). */
int tree_resolve(struct tree *t, uint64_t ino, struct tree_ref *ref);
/* The node of index IDX (a handle's, a snapshot's); -ENOENT if this binary has none such. */
int tree_resolve_node(struct tree *t, uint32_t idx, struct tree_ref *ref);
uint64_t tree_ino(unsigned scope, unsigned slot);
/* The inode of the node at index LOCAL of the layout of SCOPE. */
uint64_t tree_ino_local(const struct tree *t, unsigned scope, unsigned local);
static inline uint32_t tree_node_index(const struct tree *t, const struct tree_ref *ref)
{
	return (uint32_t)(ref->node - t->nodes);
}
#define TREE_NNODES ((size_t)(TREE_MAX_CARDS + 1) * TREE_SCOPE_SLOTS)

/* "card 0 error_log", "metrics.prom": a node as the log names it. */
void tree_ref_name(const struct tree_ref *ref, char *buf, size_t cap);

/* A vanished card's directory and link are hidden until it answers again. */
bool tree_card_shown(const struct tree *t, unsigned card);
/* The scope of a node is a card that is gone (never true for the mount's). */
bool tree_ref_gone(const struct tree *t, const struct tree_ref *ref);
/* The time of what never changes in REF's scope. */
struct timespec tree_fixed_time(const struct tree *t, const struct tree_ref *ref);

/* ---- attr.c ---- */
void tree_stat_dir(const struct tree *t, const struct tree_ref *ref, struct stat *st);
void tree_stat_link(const struct tree *t, const struct tree_ref *ref, struct stat *st);
int tree_stat_file(struct tree *t, const struct tree_ref *ref, const struct tree_caller *who,
		   struct stat *st, struct tree_cache *cache);
/* What the kernel may cache about a node in general (REF NULL: before it is known). */
void tree_cache_policy(const struct tree_ref *ref, struct tree_cache *cache);

/* ---- view.c ---- */
int tree_views_init(struct tree *t);
void tree_views_destroy(struct tree *t);
/*
 * The snapshot WHO is to see of REF now, with the node's lock held: what
 * its thread holds open or was shown within TREE_SNAPSHOT_TTL_MS, else the
 * current one (made a view of, so the thread's next stat or open sees it
 * again).  *VIEW gets the view (0 if none could be kept), with a new
 * holder if HOLD (an open).
 */
int tree_view_snapshot(struct tree *t, const struct tree_ref *ref, const struct tree_caller *who,
		       bool hold, uint32_t *snap, uint32_t *view);
/* A handle opened through VIEW was released (node's lock held). */
void tree_view_unhold(struct tree *t, uint32_t view);

/* ---- limits.c ---- */
int tree_users_init(struct tree *t);
void tree_users_destroy(struct tree *t);
/* One more open file for UID: -EMFILE past its share or the total. */
int tree_user_take(struct tree *t, uid_t uid);
void tree_user_give(struct tree *t, uid_t uid);

/* ---- poll.c ---- */
void tree_poll_destroy(struct tree *t);
/* Card INDEX is served: its events reach poll() waiters and listings. */
void tree_poll_add_card(struct tree *t, unsigned index);
/* Tells the kernel to drop what it cached of card CARD's names and their directories. */
void tree_notify_card(struct tree *t, unsigned card);
/* Drops the waiter of handle FH on node REF, if it has one (release). */
void tree_poll_forget(struct tree *t, const struct tree_ref *ref, uint64_t fh);
/*
 * For a handle that has shown the card's events up to SEEN: ready, or keep
 * KH until the card posts a newer one.
 */
/*
 * poll() of handle FH on REF: ready if CURRENT(t, ref) is no longer SEEN,
 * else KH is woken by the next event of REF's card (of any card at the
 * mount's level).  CURRENT is read under the lock events are posted by.
 */
int tree_poll_events(struct tree *t, uint64_t fh, const struct tree_ref *ref,
		     uint64_t (*current)(struct tree *t, const struct tree_ref *ref), uint64_t seen,
		     uint64_t kh);

/* ---- open.c ---- */
/* The handle FH and its node; NULL for a number that is not an open handle. */
struct tree_handle *tree_handle_ref(struct tree *t, uint64_t fh, struct tree_ref *ref);

/* ---- recover.c ---- */
/* Takes over what the previous worker left in the arena: before any request. */
int tree_recover(struct tree *t);

#endif /* OCXLFS_TREE_PRIV_H */
