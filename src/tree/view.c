// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Views (docs/tree.md section 3.2, rule 8): which snapshot of a node one
 * thread was shown.  tar stats a file, opens it and stats it again; if the
 * file's snapshot was replaced in between (it was older than a second, or
 * an event renewed `events`), the open would pin a newer one than the
 * stat showed and tar would say "file changed as we read it".  So a stat
 * by a thread leaves a view, kept for TREE_SNAPSHOT_TTL_MS from when it
 * was made (never renewed, so it cannot keep old content alive); that
 * thread's next stat or open sees the view's snapshot.  An open holds the
 * view (one is made if there was none) until the handle is released, and
 * while it is held the thread's stats answer what it has open; the last
 * release ends the view, so the next open after a close sees what is
 * current (the poll(), wake, open again of `events`).
 *
 * The records are in the arena; the index by (node, thread) and the order
 * of expiry are this process's, rebuilt by recover.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "tree/snapshot.h"
#include "tree/tree_priv.h"

#define VIEW_BUCKETS 4096u

struct view_index {
	uint32_t head[VIEW_BUCKETS];
	uint32_t *next; /* per view */
};

struct view_slot {
	uint32_t id;
	uint64_t expires;
};

static struct view_index *index_of(struct tree *t)
{
	return (struct view_index *)t->view_ring_index;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static unsigned bucket(uint32_t node, int32_t tid)
{
	return ((uint32_t)tid * 2654435761u ^ node * 40503u) % VIEW_BUCKETS;
}

static struct tree_view *view_at(struct tree *t, uint32_t id)
{
	return slots_at(&t->views, id);
}

/* With view_lock held. */
static void index_add(struct tree *t, uint32_t id)
{
	struct view_index *ix = index_of(t);
	const struct tree_view *v = view_at(t, id);
	unsigned b = bucket(v->node, v->tid);

	ix->next[id] = ix->head[b];
	ix->head[b] = id;
}

static void index_del(struct tree *t, uint32_t id)
{
	struct view_index *ix = index_of(t);
	const struct tree_view *v = view_at(t, id);
	uint32_t *link = &ix->head[bucket(v->node, v->tid)];

	while (*link && *link != id)
		link = &ix->next[*link];
	if (*link)
		*link = ix->next[id];
}

static uint32_t index_find(struct tree *t, uint32_t node, int32_t tid)
{
	const struct view_index *ix = index_of(t);

	for (uint32_t id = ix->head[bucket(node, tid)]; id; id = ix->next[id]) {
		const struct tree_view *v = view_at(t, id);

		if (v->node == node && v->tid == tid)
			return id;
	}
	return 0;
}

/* The order of expiry: every view enters the ring when made. */
static void ring_push(struct tree *t, uint32_t id, uint64_t expires)
{
	struct view_slot *ring = (struct view_slot *)t->view_ring;

	ring[(t->view_head + t->view_count) % t->view_cap] = (struct view_slot){ id, expires };
	t->view_count++;
}

/* With view_lock held: the view is forgotten, its snapshot reference dropped. */
static void view_drop(struct tree *t, uint32_t id)
{
	struct tree_view *v = view_at(t, id);
	uint32_t snap = v->snap;

	index_del(t, id);
	slots_free(&t->views, id);
	snapshot_put(t, snap);
}

/*
 * Drops the expired views nobody holds, oldest first; FORCE: also the
 * oldest one when the ring is full.  With view_lock held.
 */
static void views_sweep(struct tree *t, uint64_t now, bool force)
{
	struct view_slot *ring = (struct view_slot *)t->view_ring;

	while (t->view_count) {
		struct view_slot *head = &ring[t->view_head];
		struct tree_view *v = view_at(t, head->id);
		bool full = force && t->view_count == t->view_cap;

		if (head->expires > now && !full)
			break;
		/* A number that was dropped and made again meanwhile is another view. */
		if (v && v->expires == head->expires && v->holders == 0)
			view_drop(t, head->id);
		t->view_head = (t->view_head + 1) % t->view_cap;
		t->view_count--;
	}
}

int tree_view_snapshot(struct tree *t, const struct tree_ref *ref, const struct tree_caller *who,
		       bool hold, uint32_t *snap, uint32_t *view)
{
	uint32_t node = tree_node_index(t, ref), id, cur;
	uint64_t now = now_ns();
	struct tree_view *v;
	int rc;

	*view = 0;
	if (!who || !who->tid)
		return snapshot_current(t, ref, snap);
	pthread_mutex_lock(&t->view_lock);
	views_sweep(t, now, false);
	id = index_find(t, node, who->tid);
	v = id ? view_at(t, id) : NULL;
	/* Held: what the thread has open.  Young: what its stat showed. */
	if (v && (v->holders || now < v->expires)) {
		if (hold)
			v->holders++;
		*snap = v->snap;
		*view = id;
		pthread_mutex_unlock(&t->view_lock);
		return 0;
	}
	if (v)
		view_drop(t, id);
	pthread_mutex_unlock(&t->view_lock);

	rc = snapshot_current(t, ref, &cur);
	if (rc)
		return rc;
	*snap = cur;

	pthread_mutex_lock(&t->view_lock);
	if (t->view_count == t->view_cap)
		views_sweep(t, now, true);
	if (slots_alloc(&t->views, &id) == 0) {
		v = slots_raw(&t->views, id);
		*v = (struct tree_view){ .node = node, .tid = who->tid, .snap = cur,
					 .holders = hold, .expires = now + TREE_SNAPSHOT_TTL_MS * 1000000ull };
		snapshot_get(t, cur);
		slots_publish(&t->views, id, 1);
		index_add(t, id);
		ring_push(t, id, v->expires);
		*view = id;
	}
	/* No room for a view: the caller still gets the current snapshot. */
	pthread_mutex_unlock(&t->view_lock);
	return 0;
}

void tree_view_unhold(struct tree *t, uint32_t id)
{
	struct tree_view *v;

	if (!id)
		return;
	pthread_mutex_lock(&t->view_lock);
	v = view_at(t, id);
	/* The thread has closed what it was shown: its next open sees what is current. */
	if (v && v->holders && --v->holders == 0)
		view_drop(t, id);
	pthread_mutex_unlock(&t->view_lock);
}

static int by_expiry(const void *a, const void *b)
{
	const struct view_slot *x = a, *y = b;

	return x->expires < y->expires ? -1 : x->expires > y->expires;
}

int tree_views_init(struct tree *t)
{
	struct view_index *ix = calloc(1, sizeof(*ix));

	t->view_cap = t->views.capacity ? t->views.capacity : 1;
	t->view_ring = calloc(t->view_cap, sizeof(struct view_slot));
	if (!ix || !t->view_ring) {
		free(ix);
		return -ENOMEM;
	}
	ix->next = calloc((size_t)t->views.capacity + 1, sizeof(*ix->next));
	if (!ix->next) {
		free(ix);
		free(t->view_ring);
		t->view_ring = NULL;
		return -ENOMEM;
	}
	t->view_ring_index = ix;
	/* What a previous worker left: indexed, and in the ring in the order of expiry. */
	for (uint32_t id = slots_next_in_use(&t->views, 0); id;
	     id = slots_next_in_use(&t->views, id)) {
		index_add(t, id);
		((struct view_slot *)t->view_ring)[t->view_count++] =
			(struct view_slot){ id, view_at(t, id)->expires };
	}
	qsort(t->view_ring, t->view_count, sizeof(struct view_slot), by_expiry);
	return 0;
}

void tree_views_destroy(struct tree *t)
{
	struct view_index *ix = index_of(t);

	pthread_mutex_destroy(&t->view_lock);
	if (!ix)
		return;
	free(ix->next);
	free(ix);
	free(t->view_ring);
	t->view_ring_index = NULL;
	t->view_ring = NULL;
}
