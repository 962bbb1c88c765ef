// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "card/card.h"
#include "tree/snapshot.h"
#include "tree/tree_priv.h"
#include "util/log.h"

struct snapshot *snapshot_at(struct tree *t, uint32_t id)
{
	return slots_at(&t->snapshots, id);
}

void snapshot_release(struct tree *t, uint32_t id)
{
	struct snapshot *s = snapshot_at(t, id);
	struct tree_ref ref;
	snapbuf_t bytes;
	uint64_t len;

	if (!s)
		return;
	if (s->dump_seq && tree_resolve_node(t, s->node, &ref) == 0 && ref.card)
		card_dump_unhold(ref.card, s->dump_seq);
	if (t->dump_fds[id]) {
		close(t->dump_fds[id] - 1);
		t->dump_fds[id] = 0;
	}
	bytes = s->bytes;
	len = s->len;
	/* Unpublished first: a worker killed now finds it free, its bytes unmarked. */
	slots_free(&t->snapshots, id);
	snapbuf_free(&t->bytes, bytes, len);
}

uint32_t snapshot_id(const struct tree *t, const struct snapshot *s)
{
	return (uint32_t)(((const char *)s - t->snapshots.records) / t->snapshots.size) + 1;
}

void snapshot_get(struct tree *t, uint32_t id)
{
	struct snapshot *s = snapshot_at(t, id);

	if (s)
		__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
}

void snapshot_put(struct tree *t, uint32_t id)
{
	struct snapshot *s = snapshot_at(t, id);

	if (s && __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0)
		snapshot_release(t, id);
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
	return s->pins > 0 || snapshot_age_ms(s) < TREE_SNAPSHOT_TTL_MS;
}

static int snapshot_build(struct tree *t, const struct tree_ref *ref, uint32_t *out)
{
	struct snapshot *s;
	uint32_t id;
	int rc;

	/* Sized for every node's snapshot, every handle's and every view's: full means a bug. */
	if (slots_alloc(&t->snapshots, &id)) {
		log_err("snapshot table full (%u)", t->snapshots.capacity);
		return -ENOMEM;
	}
	s = slots_raw(&t->snapshots, id);
	*s = (struct snapshot){ .refs = 1, .node = tree_node_index(t, ref),
				.gen = ++ref->node->gens };
	clock_gettime(CLOCK_REALTIME, &s->when);
	clock_gettime(CLOCK_MONOTONIC, &s->born);
	rc = ref->entry->kind->build(t, ref, s);
	if (rc) {
		if (t->dump_fds[id]) {
			close(t->dump_fds[id] - 1);
			t->dump_fds[id] = 0;
		}
		snapbuf_free(&t->bytes, s->bytes, s->len);
		slots_free(&t->snapshots, id);
		return rc;
	}
	if (s->dump_seq && card_dump_hold(ref->card, s->dump_seq))
		log_warn("card %u: dump %llu may be pruned while shown", card_index(ref->card),
			 (unsigned long long)s->dump_seq);
	/* Whole now: a later worker may take it over. */
	slots_publish(&t->snapshots, id, 1);
	*out = id;
	return 0;
}

int snapshot_current(struct tree *t, const struct tree_ref *ref, uint32_t *id)
{
	const struct tree_kind *kind = ref->entry->kind;
	struct tree_node *n = ref->node;
	struct snapshot *s = snapshot_at(t, n->snap);
	uint32_t fresh, old = n->snap;
	int rc;

	if (s && s->node != tree_node_index(t, ref))
		s = NULL, old = 0; /* a number a dropped snapshot left behind */
	if (s && (!kind->serves || kind->serves(t, ref, s))) {
		*id = n->snap;
		return 0;
	}
	rc = snapshot_build(t, ref, &fresh);
	if (rc)
		return rc; /* the previous snapshot stays (docs/tree.md section 3.2, rule 6) */
	/* One aligned store makes it current; the old one is unreferenced after. */
	__atomic_store_n(&n->snap, fresh, __ATOMIC_RELEASE);
	snapshot_put(t, old);
	*id = fresh;
	return 0;
}

void snapshot_expire(struct tree *t, const struct tree_ref *ref)
{
	uint32_t old = ref->node->snap;
	const struct snapshot *s = snapshot_at(t, old);

	__atomic_store_n(&ref->node->snap, 0, __ATOMIC_RELEASE);
	if (s && s->node == tree_node_index(t, ref))
		snapshot_put(t, old);
}

int snapshot_dump_fd(struct tree *t, const struct tree_ref *ref, uint32_t id)
{
	const struct snapshot *s = snapshot_at(t, id);
	uint64_t seq;
	size_t size;
	int fd, have, rc;

	if (!s || !s->dump_seq)
		return -EBADF;
	have = __atomic_load_n(&t->dump_fds[id], __ATOMIC_ACQUIRE);
	if (have)
		return have - 1;
	/* A snapshot a previous worker pinned: the same dump again, by its number. */
	seq = s->dump_seq;
	rc = card_open_dump_seq(ref->card, &seq, &fd, &size, NULL);
	if (rc) {
		log_err("card %u: dump %llu shown to an open file cannot be opened again: %s",
			card_index(ref->card), (unsigned long long)s->dump_seq, strerror(-rc));
		return rc;
	}
	have = 0;
	if (!__atomic_compare_exchange_n(&t->dump_fds[id], &have, fd + 1, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		close(fd); /* another thread opened it first */
		return have - 1;
	}
	return fd;
}
