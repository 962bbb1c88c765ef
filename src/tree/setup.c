// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A tree's life in one worker: its tables laid out, its records taken over
 * from the arena, its cards added, and what is this process's freed at
 * the end.  What open files need stays in the arena for the next worker.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "card/card.h"
#include "tree/snapshot.h"
#include "tree/tree_priv.h"
#include "util/arena.h"
#include "util/log.h"

/* Nodes a scope may come to have (newer binaries add files): what snapshots are sized for. */
#define TREE_NODES_PER_SCOPE 64u

struct tree_capacity {
	uint32_t snapshots, handles, views, writes;
	size_t heap, limit;
};

static void capacity_of(const struct tree_limits *limits, struct tree_capacity *c)
{
	unsigned handles = limits && limits->max_handles ? limits->max_handles : TREE_MAX_HANDLES;
	size_t limit = limits && limits->max_snapshot_bytes ? limits->max_snapshot_bytes
							   : TREE_MAX_SNAPSHOT_BYTES;

	c->handles = handles;
	c->views = handles + TREE_STAT_VIEWS;
	/* Each node's current snapshot and one being built, one per handle, one per view. */
	c->snapshots = 2 * (TREE_MAX_CARDS + 1) * TREE_NODES_PER_SCOPE + c->handles + c->views;
	c->writes = TREE_MAX_WRITES;
	c->limit = limit;
	/* Room for fragmentation: the limit counts bytes, the heap only holds them. */
	c->heap = 2 * limit + 2 * SNAPBUF_GRANULE;
}

void tree_arena_sizes(const struct tree_limits *limits, uint64_t *sizes)
{
	struct tree_capacity c;

	capacity_of(limits, &c);
	sizes[ARENA_SEC_TREE] = sizeof(struct tree_shared);
	sizes[ARENA_SEC_NODES] = TREE_NNODES * sizeof(struct tree_node);
	sizes[ARENA_SEC_SNAPSHOTS] = (uint64_t)c.snapshots * sizeof(struct snapshot);
	sizes[ARENA_SEC_HANDLES] = (uint64_t)c.handles * sizeof(struct tree_handle);
	sizes[ARENA_SEC_VIEWS] = (uint64_t)c.views * sizeof(struct tree_view);
	sizes[ARENA_SEC_WRITES] = (uint64_t)c.writes * sizeof(struct tree_write);
	sizes[ARENA_SEC_HEAP] = c.heap;
}

/* A section as a table of records of SIZE bytes. */
static int attach_table(struct tree *t, struct slot_table *st, enum arena_section sec,
			size_t size)
{
	size_t bytes;
	void *p = arena_section(t->arena, sec, &bytes);

	return slots_attach(st, p, size, (uint32_t)(bytes / size));
}

static void init_scope_locks(struct tree *t, unsigned scope)
{
	for (unsigned s = 0; s < TREE_SCOPE_SLOTS; s++)
		pthread_mutex_init(&t->nodes[(size_t)scope * TREE_SCOPE_SLOTS + s].lock, NULL);
}

static void set_limits(struct tree *t, const struct tree_limits *limits)
{
	unsigned max = limits && limits->max_handles ? limits->max_handles : TREE_MAX_HANDLES;
	unsigned per = limits && limits->max_handles_per_user ? limits->max_handles_per_user
							       : TREE_MAX_HANDLES_PER_USER;
	unsigned reserved = limits && limits->handles_reserved ? limits->handles_reserved
								: TREE_HANDLES_RESERVED;

	/* The arena's table wins over an option that changed across an upgrade. */
	if (max > t->handles.capacity)
		max = t->handles.capacity;
	if (!(limits && limits->handles_reserved) && reserved > max / 4)
		reserved = max / 4;
	if (reserved > max)
		reserved = max;
	if (per > max)
		per = max;
	t->max_handles = max;
	t->max_per_user = per;
	t->reserved = reserved;
}

int tree_attach(struct arena *a, const struct tree_limits *limits, struct tree **out)
{
	struct tree_capacity cap;
	struct tree *t = calloc(1, sizeof(*t));
	size_t bytes, heap_bytes;
	void *heap;
	int rc;

	if (!t)
		return -ENOMEM;
	capacity_of(limits, &cap);
	t->arena = a;
	t->shared = arena_section(a, ARENA_SEC_TREE, &bytes);
	if (bytes < sizeof(*t->shared)) {
		free(t);
		return -EPROTO;
	}
	t->worker = __atomic_add_fetch(&arena_header(a)->workers, 1, __ATOMIC_ACQ_REL);
	if (!t->shared->mounted.tv_sec)
		clock_gettime(CLOCK_REALTIME, &t->shared->mounted);
	t->uid = getuid();
	t->gid = getgid();
	/* Every lock first, so that tree_free() may run from any failure below. */
	pthread_mutex_init(&t->cards_lock, NULL);
	pthread_mutex_init(&t->poll_lock, NULL);
	pthread_mutex_init(&t->users_lock, NULL);
	pthread_mutex_init(&t->view_lock, NULL);
	rc = tree_layout_build(t);
	if (!rc)
		rc = tree_names_bind(t);
	if (rc)
		goto fail;
	t->nodes = arena_section(a, ARENA_SEC_NODES, &bytes);
	if (bytes < TREE_NNODES * sizeof(struct tree_node)) {
		rc = -EPROTO;
		goto fail;
	}
	init_scope_locks(t, 0);
	rc = attach_table(t, &t->snapshots, ARENA_SEC_SNAPSHOTS, sizeof(struct snapshot));
	if (!rc)
		rc = attach_table(t, &t->handles, ARENA_SEC_HANDLES, sizeof(struct tree_handle));
	if (!rc)
		rc = attach_table(t, &t->views, ARENA_SEC_VIEWS, sizeof(struct tree_view));
	if (!rc)
		rc = attach_table(t, &t->writes, ARENA_SEC_WRITES, sizeof(struct tree_write));
	if (rc)
		goto fail;
	heap = arena_section(a, ARENA_SEC_HEAP, &heap_bytes);
	rc = snapbufs_attach(&t->bytes, a, heap, heap_bytes, cap.limit);
	if (rc)
		goto fail;
	t->dump_fds = calloc((size_t)t->snapshots.capacity + 1, sizeof(*t->dump_fds));
	if (!t->dump_fds) {
		rc = -ENOMEM;
		goto fail;
	}
	set_limits(t, limits);
	rc = tree_recover(t);
	if (!rc)
		rc = tree_views_init(t);
	if (!rc)
		rc = tree_users_init(t);
	if (rc)
		goto fail;
	*out = t;
	return 0;
fail:
	tree_free(t);
	return rc;
}

int tree_add_card(struct tree *t, unsigned index, struct card *c)
{
	if (index >= TREE_MAX_CARDS)
		return -E2BIG;
	pthread_mutex_lock(&t->cards_lock);
	if (index < tree_ncards(t) && t->cards[index]) {
		pthread_mutex_unlock(&t->cards_lock);
		return -EEXIST;
	}
	init_scope_locks(t, index + 1);
	snprintf(t->names[index], sizeof(t->names[index]), "%u", index);
	if (!t->shared->card_since[index].tv_sec)
		clock_gettime(CLOCK_REALTIME, &t->shared->card_since[index]);
	/* Dumps that snapshots left by a previous worker show stay on disk. */
	for (uint32_t id = slots_next_in_use(&t->snapshots, 0); id;
	     id = slots_next_in_use(&t->snapshots, id)) {
		const struct snapshot *s = snapshot_at(t, id);

		if (s->dump_seq && s->node / TREE_SCOPE_SLOTS == index + 1)
			card_dump_hold(c, s->dump_seq);
	}
	__atomic_store_n(&t->cards[index], c, __ATOMIC_RELEASE);
	if (index >= tree_ncards(t))
		__atomic_store_n(&t->ncards, index + 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&t->cards_lock);
	tree_poll_add_card(t, index);
	return 0;
}

void tree_card_added(struct tree *t, unsigned index)
{
	/* The kernel may hold a negative entry for its names, and the root's link count. */
	tree_notify_card(t, index);
}

void tree_arena_release(const struct arena *a, uint64_t fh)
{
	size_t bytes;
	struct tree_handle *h = arena_section(a, ARENA_SEC_HANDLES, &bytes);
	uint32_t id = (uint32_t)fh;

	if (id == 0 || id > bytes / sizeof(*h))
		return;
	h += id - 1;
	/* Only this incarnation: a number taken again since is another file. */
	if (slots_state(h) == (uint32_t)(fh >> 32))
		__atomic_store_n(&h->state, 0, __ATOMIC_RELEASE);
}

void tree_free(struct tree *t)
{
	if (!t)
		return;
	tree_poll_destroy(t);
	tree_users_destroy(t);
	tree_views_destroy(t);
	for (uint32_t id = 0; t->dump_fds && id <= t->snapshots.capacity; id++)
		if (t->dump_fds[id])
			close(t->dump_fds[id] - 1);
	free(t->dump_fds);
	snapbufs_detach(&t->bytes);
	slots_detach(&t->writes);
	slots_detach(&t->views);
	slots_detach(&t->handles);
	slots_detach(&t->snapshots);
	pthread_mutex_destroy(&t->cards_lock);
	free(t);
}
