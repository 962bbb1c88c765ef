// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The journal's index (see journal_index.h).  The pair set is keyed on
 * (log id, record CRC), so entries that share an id but not their bytes
 * spread over the table instead of forming one probe run; the id set
 * keeps the newest entry of each id, which is what a drop of the oldest
 * entries must check before it removes an id.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/journal_index.h"

static size_t hash_pair(uint32_t id, uint32_t crc)
{
	uint64_t k = (((uint64_t)id << 32) | crc) * 0x9E3779B97F4A7C15ull;

	return (size_t)(k ^ (k >> 29));
}

static size_t hash_id(uint32_t id)
{
	uint64_t k = (uint64_t)id * 0x9E3779B97F4A7C15ull;

	return (size_t)(k ^ (k >> 29));
}

static size_t home(const struct jindex *x, const struct jidx_set *s, size_t e)
{
	const struct jent *r = &x->ents[e];

	return (s == &x->pairs ? hash_pair(r->id, r->crc) : hash_id(r->id)) & (s->n - 1);
}

static void set_insert(struct jindex *x, struct jidx_set *s, size_t e)
{
	size_t i = home(x, s, e);

	while (s->slot[i])
		i = (i + 1) & (s->n - 1);
	s->slot[i] = (uint32_t)(e + 1);
	s->used++;
}

/* Removes entry e (which must be in s), shifting its probe run back over the gap. */
static void set_remove(struct jindex *x, struct jidx_set *s, size_t e)
{
	size_t mask = s->n - 1, i = home(x, s, e), k;

	while (s->slot[i] != e + 1)
		i = (i + 1) & mask;
	for (size_t n = (i + 1) & mask; s->slot[n]; n = (n + 1) & mask) {
		k = home(x, s, s->slot[n] - 1);
		/* The entry at n stays unless its home is outside (i, n]. */
		if (i <= n ? (i < k && k <= n) : (i < k || k <= n))
			continue;
		s->slot[i] = s->slot[n];
		i = n;
	}
	s->slot[i] = 0;
	s->used--;
}

/* Slot of the id set holding an entry with this id, or the empty slot where it would go. */
static size_t ids_find(const struct jindex *x, uint32_t id)
{
	const struct jidx_set *s = &x->ids;
	size_t i = hash_id(id) & (s->n - 1);

	while (s->slot[i] && x->ents[s->slot[i] - 1].id != id)
		i = (i + 1) & (s->n - 1);
	return i;
}

/* Makes e the newest entry of its id. */
static void ids_note(struct jindex *x, size_t e)
{
	size_t i = ids_find(x, x->ents[e].id);

	if (!x->ids.slot[i])
		x->ids.used++;
	x->ids.slot[i] = (uint32_t)(e + 1);
}

/* Fills both sets from ents[head, tail); they are empty and of their size. */
static void sets_fill(struct jindex *x)
{
	for (size_t e = x->head; e < x->tail; e++) {
		set_insert(x, &x->pairs, e);
		ids_note(x, e);
	}
}

void jindex_free(struct jindex *x)
{
	free(x->ents);
	free(x->pairs.slot);
	free(x->ids.slot);
	memset(x, 0, sizeof(*x));
}

int jindex_reserve(struct jindex *x)
{
	size_t live = x->tail - x->head;

	if (x->tail == x->cap) {
		size_t n = x->cap ? x->cap * 2 : 256;
		struct jent *r;

		if (n > UINT32_MAX - 1)
			return -EFBIG;
		r = realloc(x->ents, n * sizeof(*r));
		if (!r)
			return -ENOMEM;
		x->ents = r;
		x->cap = n;
	}
	/* Both sets at most half full, so that probe runs stay short. */
	if ((live + 1) * 2 > x->pairs.n) {
		size_t n = x->pairs.n ? x->pairs.n * 2 : 256;
		uint32_t *pairs = calloc(n, sizeof(*pairs)), *ids = calloc(n, sizeof(*ids));

		if (!pairs || !ids) {
			free(pairs);
			free(ids);
			return -ENOMEM;
		}
		free(x->pairs.slot);
		free(x->ids.slot);
		x->pairs = (struct jidx_set){.slot = pairs, .n = n};
		x->ids = (struct jidx_set){.slot = ids, .n = n};
		sets_fill(x);
	}
	return 0;
}

size_t jindex_add(struct jindex *x, const struct jent *e)
{
	size_t i = x->tail++;

	x->ents[i] = *e;
	set_insert(x, &x->pairs, i);
	ids_note(x, i);
	return i;
}

int jindex_find(const struct jindex *x, uint32_t id, uint32_t crc, uint32_t len,
		int (*same)(void *ctx, size_t index), void *ctx, size_t *found)
{
	const struct jidx_set *s = &x->pairs;

	if (!s->n)
		return 0;
	for (size_t i = hash_pair(id, crc) & (s->n - 1); s->slot[i]; i = (i + 1) & (s->n - 1)) {
		size_t e = s->slot[i] - 1;
		const struct jent *r = &x->ents[e];
		int rc;

		if (r->id != id || r->crc != crc || r->len != len)
			continue;
		rc = same(ctx, e);
		if (rc > 0)
			*found = e;
		if (rc)
			return rc;
	}
	return 0;
}

bool jindex_has_id(const struct jindex *x, uint32_t id)
{
	return x->ids.n && x->ids.slot[ids_find(x, id)];
}

void jindex_drop(struct jindex *x, size_t n)
{
	for (size_t e = x->head; e < x->head + n; e++) {
		size_t slot = ids_find(x, x->ents[e].id);

		set_remove(x, &x->pairs, e);
		/* Only if no newer entry has the id. */
		if (x->ids.slot[slot] == e + 1)
			set_remove(x, &x->ids, e);
	}
	x->head += n;
}

size_t jindex_compact(struct jindex *x)
{
	size_t head = x->head;

	if (head < 4096 || head * 2 < x->tail)
		return 0;
	memmove(x->ents, x->ents + head, (x->tail - head) * sizeof(*x->ents));
	x->tail -= head;
	x->head = 0;
	/* Same sizes: nothing to allocate, so this cannot fail. */
	memset(x->pairs.slot, 0, x->pairs.n * sizeof(*x->pairs.slot));
	memset(x->ids.slot, 0, x->ids.n * sizeof(*x->ids.slot));
	x->pairs.used = x->ids.used = 0;
	sets_fill(x);
	return head;
}
