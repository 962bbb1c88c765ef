// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <unistd.h>

#include "tree/snapshot.h"
#include "tree/tree_priv.h"
#include "util/log.h"

struct snapshot *snapshot_at(struct tree *t, uint32_t id)
{
	return slots_at(&t->snapshots, id);
}

void snapshot_put(struct tree *t, uint32_t id)
{
	struct snapshot *s = snapshot_at(t, id);

	if (!s || --s->refs)
		return;
	if (s->fd >= 0)
		close(s->fd);
	snapbuf_free(&t->bytes, s->bytes, s->len);
	slots_free(&t->snapshots, id);
}

long long snapshot_age_ms(const struct snapshot *s)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - s->born.tv_sec) * 1000LL + (now.tv_nsec - s->born.tv_nsec) / 1000000;
}

/*
 * Pinned or young: so stat-open-read-fstat (tar) sees one size and one
 * ctime, and every process that has the file open sees the same bytes.
 */
bool snapshot_may_serve(const struct snapshot *s)
{
	return s->refs > 1 || snapshot_age_ms(s) < TREE_SNAPSHOT_TTL_MS;
}

static int snapshot_build(struct tree *t, const struct tree_ref *ref, uint32_t *out)
{
	struct snapshot *s;
	uint32_t id;
	int rc;

	/* Sized for every node's snapshot and every handle's: full means a bug. */
	if (slots_alloc(&t->snapshots, &id)) {
		log_err("snapshot table full (%u)", t->snapshots.capacity);
		return -ENOMEM;
	}
	s = snapshot_at(t, id);
	s->refs = 1;
	s->node = tree_node_index(t, ref);
	s->gen = ++ref->node->gens;
	s->fd = -1;
	clock_gettime(CLOCK_REALTIME, &s->when);
	clock_gettime(CLOCK_MONOTONIC, &s->born);
	rc = ref->entry->kind->build(t, ref, s);
	if (rc) {
		snapshot_put(t, id);
		return rc;
	}
	*out = id;
	return 0;
}

int snapshot_current(struct tree *t, const struct tree_ref *ref, uint32_t *id)
{
	const struct tree_kind *kind = ref->entry->kind;
	struct tree_node *n = ref->node;
	struct snapshot *s = snapshot_at(t, n->snap);
	uint32_t fresh;
	int rc;

	if (s && (!kind->serves || kind->serves(t, ref, s))) {
		*id = n->snap;
		return 0;
	}
	rc = snapshot_build(t, ref, &fresh);
	if (rc)
		return rc; /* the previous snapshot stays (docs/tree.md section 3.2, rule 6) */
	snapshot_put(t, n->snap);
	n->snap = fresh;
	*id = fresh;
	return 0;
}

void snapshot_expire(struct tree *t, const struct tree_ref *ref)
{
	snapshot_put(t, ref->node->snap);
	ref->node->snap = 0;
}
