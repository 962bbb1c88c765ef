/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A table of fixed-size records named by number (1..capacity, 0 is none),
 * for the tree's state that must be plain data: open handles and snapshot
 * descriptors.  Records hold numbers, never pointers, so the table can
 * later live in memory that outlives the process serving it; its pages are
 * touched only as records are used.  Alloc and free take the table's lock;
 * reading a record is the caller's business.
 */
#ifndef OCXLFS_TREE_SLOTS_H
#define OCXLFS_TREE_SLOTS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct slot_table {
	pthread_mutex_t lock;
	char *records;	/* capacity * size bytes, zeroed */
	uint32_t *link; /* per record: next free one, or SLOT_IN_USE */
	size_t size;
	uint32_t capacity;
	uint32_t touched;   /* records ever handed out: 1..touched */
	uint32_t free_head; /* 0: take touched + 1 */
	uint32_t in_use;
};

int slots_init(struct slot_table *st, size_t record_size, uint32_t capacity);
void slots_destroy(struct slot_table *st);
/* A zeroed record: its number in *id; -ENOSPC when all are in use. */
int slots_alloc(struct slot_table *st, uint32_t *id);
void slots_free(struct slot_table *st, uint32_t id);
/* The record ID, or NULL if ID is not one in use. */
void *slots_at(const struct slot_table *st, uint32_t id);
/* The first record in use after AFTER (0: from the start), or 0. */
uint32_t slots_next_in_use(const struct slot_table *st, uint32_t after);

#endif /* OCXLFS_TREE_SLOTS_H */
