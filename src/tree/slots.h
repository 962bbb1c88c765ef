/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A table of fixed-size records named by number (1..capacity, 0 is none),
 * for the tree's state that lives in the arena (util/arena.h): open
 * handles, snapshot descriptors, views, writes in progress.  Every record
 * begins with a uint32_t state word, 0 for a free record; a record is
 * filled while it is still 0 and published by one aligned store of its
 * state (slots_publish), so a worker killed at any instruction leaves
 * every record either free or whole.
 *
 * The free list is this process's: slots_attach() rebuilds it from the
 * state words, so nothing a dead worker left half-done is trusted.  Alloc
 * and free take the table's lock; reading a record is the caller's
 * business.
 */
#ifndef OCXLFS_TREE_SLOTS_H
#define OCXLFS_TREE_SLOTS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct slot_table {
	pthread_mutex_t lock;
	char *records;	/* capacity * size bytes, in the arena */
	uint32_t *link; /* this process's: per record, next free one, or SLOT_IN_USE */
	size_t size;
	uint32_t capacity;
	uint32_t touched;   /* highest record handed out or found in use */
	uint32_t free_head; /* 0: take touched + 1 */
	uint32_t in_use;
};

/* Over RECORDS (in the arena): every record whose state word is not 0 is in use. */
int slots_attach(struct slot_table *st, void *records, size_t record_size, uint32_t capacity);
void slots_detach(struct slot_table *st);
/*
 * Reserves a record for this process: its number in *id.  Its state is
 * still 0 (another worker would find it free) until slots_publish().
 * -ENOSPC when all are in use.
 */
int slots_alloc(struct slot_table *st, uint32_t *id);
/* Makes the filled record ID in use for any later worker: STATE is not 0. */
void slots_publish(struct slot_table *st, uint32_t id, uint32_t state);
/* Frees ID: its state becomes 0 first, then it may be handed out again. */
void slots_free(struct slot_table *st, uint32_t id);
/* The record ID, reserved or in use, or NULL. */
void *slots_at(const struct slot_table *st, uint32_t id);
/* The record ID whatever it holds (recovery), or NULL past the table. */
void *slots_raw(const struct slot_table *st, uint32_t id);
/* The first record in use after AFTER (0: from the start), or 0. */
uint32_t slots_next_in_use(const struct slot_table *st, uint32_t after);

static inline uint32_t slots_state(const void *record)
{
	return __atomic_load_n((const uint32_t *)record, __ATOMIC_ACQUIRE);
}

#endif /* OCXLFS_TREE_SLOTS_H */
