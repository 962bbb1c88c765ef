// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A worker takes over the arena (docs/architecture.md section 5): the
 * previous one may have been killed at any instruction.  Records are
 * published whole (slots.h), so each is either free or complete; what is
 * not trusted is everything derived: reference and pin counts, view
 * holders, which heap extents are in use.  Those are recounted here from
 * the records that refer to each other, and whatever no longer refers to
 * anything valid is dropped, before the first request is served.
 */
#include <errno.h>

#include "tree/snapshot.h"
#include "tree/tree_priv.h"
#include "util/log.h"

/* A node index this arena knows: a scope in range, a slot that has a name. */
static bool node_known(const struct tree *t, uint32_t node)
{
	unsigned scope = node / TREE_SCOPE_SLOTS, slot = node % TREE_SCOPE_SLOTS;

	if (scope > TREE_MAX_CARDS)
		return false;
	return slot < t->shared->nnames[scope ? TREE_SCOPE_CARD : TREE_SCOPE_MOUNT];
}

/* Snapshot ID in use and belonging to NODE. */
static struct snapshot *snapshot_of(struct tree *t, uint32_t id, uint32_t node)
{
	struct snapshot *s = snapshot_at(t, id);

	return s && s->node == node ? s : NULL;
}

static void drop_snapshot(struct tree *t, uint32_t id)
{
	struct snapshot *s = snapshot_at(t, id);

	if (t->nodes[s->node].snap == id)
		t->nodes[s->node].snap = 0;
	slots_free(&t->snapshots, id);
}

int tree_recover(struct tree *t)
{
	unsigned dropped = 0, handles = 0, views = 0;

	/* Snapshots: structurally sound, counts from zero. */
	for (uint32_t id = slots_next_in_use(&t->snapshots, 0); id;
	     id = slots_next_in_use(&t->snapshots, id)) {
		struct snapshot *s = snapshot_at(t, id);

		if (!node_known(t, s->node)) {
			slots_free(&t->snapshots, id);
			dropped++;
			continue;
		}
		s->refs = 0;
		s->pins = 0;
		if (t->nodes[s->node].snap == id)
			s->refs++;
	}
	/* Handles: each refers to a snapshot of its node, which it pins. */
	for (uint32_t id = slots_next_in_use(&t->handles, 0); id;
	     id = slots_next_in_use(&t->handles, id)) {
		struct tree_handle *h = slots_at(&t->handles, id);
		struct snapshot *s = node_known(t, h->node) ? snapshot_of(t, h->snap, h->node) : NULL;

		if (!s) {
			log_err("an open file whose snapshot was lost is closed (node %u)", h->node);
			slots_free(&t->handles, id);
			continue;
		}
		s->refs++;
		s->pins++;
		handles++;
	}
	/* Views: each refers to a snapshot of its node; holders are the handles opened through it. */
	for (uint32_t id = slots_next_in_use(&t->views, 0); id;
	     id = slots_next_in_use(&t->views, id)) {
		struct tree_view *v = slots_at(&t->views, id);
		struct snapshot *s = snapshot_of(t, v->snap, v->node);

		if (!s) {
			slots_free(&t->views, id);
			continue;
		}
		s->refs++;
		v->holders = 0;
		views++;
	}
	for (uint32_t id = slots_next_in_use(&t->handles, 0); id;
	     id = slots_next_in_use(&t->handles, id)) {
		struct tree_handle *h = slots_at(&t->handles, id);
		struct tree_view *v = slots_at(&t->views, h->view);

		if (v && v->node == h->node)
			v->holders++;
		else
			h->view = 0;
	}
	/* Nothing refers to it: what a dead worker was building or replacing. */
	for (uint32_t id = slots_next_in_use(&t->snapshots, 0); id;
	     id = slots_next_in_use(&t->snapshots, id)) {
		struct snapshot *s = snapshot_at(t, id);

		if (s->refs == 0) {
			drop_snapshot(t, id);
			dropped++;
		} else if (!snapbuf_mark(&t->bytes, s->bytes, s->bytes ? s->len : 0)) {
			log_err("snapshot %u: its bytes lie outside the heap or overlap another's",
				id);
			s->len = 0;
			s->bytes = 0;
		}
	}
	if (handles || views || dropped)
		log_notice("took over %u open file%s and %u view%s; %u snapshot%s dropped",
			   handles, handles == 1 ? "" : "s", views, views == 1 ? "" : "s",
			   dropped, dropped == 1 ? "" : "s");
	return 0;
}
