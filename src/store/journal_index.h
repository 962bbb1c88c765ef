/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The journal's index of its retained records: an array in journal order
 * and two hash sets over it, so that finding a repeat, adding an entry and
 * dropping the oldest cost the same however many entries are retained
 * (one log identifier 40,000 times included).  Internal to src/store; the
 * journal's lock covers it.
 */
#ifndef OCXLFS_STORE_JOURNAL_INDEX_H
#define OCXLFS_STORE_JOURNAL_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One retained record. */
struct jent {
	uint32_t id, crc, len;
	uint32_t off; /* of the record in its file */
};

/* Open addressing, linear probing; slots hold an ents[] index + 1, 0 = empty. */
struct jidx_set {
	uint32_t *slot;
	size_t n; /* power of two, or 0 */
	size_t used;
};

struct jindex {
	struct jent *ents; /* retained: ents[head, tail) */
	size_t head, tail, cap;
	struct jidx_set pairs; /* every entry, by (id, record CRC) */
	struct jidx_set ids;   /* the newest entry of each id */
};

void jindex_free(struct jindex *x);
/* Room for one more entry, so that jindex_add() cannot fail.  -ENOMEM, -EFBIG. */
int jindex_reserve(struct jindex *x);
/* Appends e (after jindex_reserve()); returns its ents[] index. */
size_t jindex_add(struct jindex *x, const struct jent *e);
/*
 * The entries with this (id, crc, len), newest or oldest first in no
 * particular order, each offered to same(ctx, index): 1 from it ends the
 * search with *found, a negative errno is returned as is.  0: none.
 */
int jindex_find(const struct jindex *x, uint32_t id, uint32_t crc, uint32_t len,
		int (*same)(void *ctx, size_t index), void *ctx, size_t *found);
/* Whether any retained entry has this id. */
bool jindex_has_id(const struct jindex *x, uint32_t id);
/* Forgets the N oldest entries. */
void jindex_drop(struct jindex *x, size_t n);
/*
 * Moves the retained entries to the front of ents[] once half of it is
 * dropped ones; returns by how much every ents[] index moved down (0: none).
 */
size_t jindex_compact(struct jindex *x);

#endif /* OCXLFS_STORE_JOURNAL_INDEX_H */
