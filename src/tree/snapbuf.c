// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tree/snapbuf.h"
#include "util/arena.h"

/* Frees this large give their pages back, so the arena shrinks with its content. */
#define SNAPBUF_DISCARD_MIN (64u << 10)

static size_t granules_of(size_t len)
{
	return (len + SNAPBUF_GRANULE - 1) / SNAPBUF_GRANULE;
}

static bool bit(const struct snapbufs *b, size_t g)
{
	return b->map[g / 64] >> (g % 64) & 1;
}

static void set_bits(struct snapbufs *b, size_t from, size_t n, bool on)
{
	for (size_t g = from; g < from + n; g++) {
		if (on)
			b->map[g / 64] |= 1ull << (g % 64);
		else
			b->map[g / 64] &= ~(1ull << (g % 64));
	}
}

int snapbufs_attach(struct snapbufs *b, const struct arena *arena, void *heap, size_t heap_size,
		    size_t limit)
{
	memset(b, 0, sizeof(*b));
	b->granules = heap_size / SNAPBUF_GRANULE;
	b->map = calloc(b->granules / 64 + 1, sizeof(*b->map));
	if (!b->map)
		return -ENOMEM;
	b->arena = arena;
	b->heap = heap;
	b->heap_size = heap_size;
	b->limit = limit;
	/* Granule 0 is never handed out: offset 0 means "no bytes". */
	if (b->granules)
		set_bits(b, 0, 1, true);
	b->cursor = 1;
	pthread_mutex_init(&b->lock, NULL);
	return 0;
}

void snapbufs_detach(struct snapbufs *b)
{
	if (!b->map)
		return;
	pthread_mutex_destroy(&b->lock);
	free(b->map);
	b->map = NULL;
}

bool snapbuf_mark(struct snapbufs *b, snapbuf_t buf, size_t len)
{
	size_t first = buf / SNAPBUF_GRANULE, n = granules_of(len);

	if (!buf)
		return len == 0;
	if (buf % SNAPBUF_GRANULE || first >= b->granules || n > b->granules - first || !n)
		return false;
	for (size_t g = first; g < first + n; g++)
		if (bit(b, g))
			return false;
	set_bits(b, first, n, true);
	b->used += len;
	return true;
}

/* A run of N free granules in [FROM, END), with the lock held. */
static bool find_in(const struct snapbufs *b, size_t from, size_t end, size_t n, size_t *at)
{
	size_t g = from;

	while (g + n <= end) {
		size_t run = 1;

		/* Whole words in use are skipped at once. */
		if (g % 64 == 0 && b->map[g / 64] == UINT64_MAX) {
			g += 64;
			continue;
		}
		if (bit(b, g)) {
			g++;
			continue;
		}
		while (run < n && !bit(b, g + run))
			run++;
		if (run == n) {
			*at = g;
			return true;
		}
		g += run;
	}
	return false;
}

/* Next fit from the cursor, then first fit from the start. */
static bool find_run(const struct snapbufs *b, size_t n, size_t *at)
{
	return find_in(b, b->cursor, b->granules, n, at) || find_in(b, 1, b->granules, n, at);
}

/* Counts LEN bytes; false (nothing counted) past the limit. */
static bool charge(struct snapbufs *b, size_t len)
{
	size_t now = __atomic_load_n(&b->used, __ATOMIC_RELAXED);

	do {
		if (len > b->limit - now)
			return false;
	} while (!__atomic_compare_exchange_n(&b->used, &now, now + len, true, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return true;
}

int snapbuf_adopt(struct snapbufs *b, char *data, size_t len, snapbuf_t *out)
{
	size_t n = granules_of(len), at;
	bool found;

	if (len == 0) {
		free(data);
		*out = 0;
		return 0;
	}
	if (!charge(b, len)) {
		free(data);
		return -ENOMEM;
	}
	pthread_mutex_lock(&b->lock);
	found = find_run(b, n, &at);
	if (found) {
		set_bits(b, at, n, true);
		b->cursor = at + n < b->granules ? at + n : 1;
	}
	pthread_mutex_unlock(&b->lock);
	if (!found) {
		__atomic_sub_fetch(&b->used, len, __ATOMIC_RELAXED);
		free(data);
		return -ENOMEM;
	}
	memcpy(b->heap + at * SNAPBUF_GRANULE, data, len);
	free(data);
	*out = (snapbuf_t)at * SNAPBUF_GRANULE;
	return 0;
}

const char *snapbuf_bytes(const struct snapbufs *b, snapbuf_t buf)
{
	return b->heap + buf;
}

void snapbuf_free(struct snapbufs *b, snapbuf_t buf, size_t len)
{
	if (!buf)
		return;
	if (len >= SNAPBUF_DISCARD_MIN)
		arena_discard(b->arena, b->heap + buf, len);
	pthread_mutex_lock(&b->lock);
	set_bits(b, buf / SNAPBUF_GRANULE, granules_of(len), false);
	pthread_mutex_unlock(&b->lock);
	__atomic_sub_fetch(&b->used, len, __ATOMIC_RELAXED);
}
