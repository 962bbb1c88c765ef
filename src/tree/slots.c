// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tree/slots.h"

#define SLOT_IN_USE UINT32_MAX

static void *record(const struct slot_table *st, uint32_t id)
{
	return st->records + (size_t)(id - 1) * st->size;
}

int slots_attach(struct slot_table *st, void *records, size_t record_size, uint32_t capacity)
{
	memset(st, 0, sizeof(*st));
	/* calloc: links of records nobody uses stay untouched pages. */
	st->link = calloc((size_t)capacity + 1, sizeof(*st->link));
	if (!st->link)
		return -ENOMEM;
	st->records = records;
	st->size = record_size;
	st->capacity = capacity;
	pthread_mutex_init(&st->lock, NULL);
	/* Free records below the highest one in use go on the free list, lowest first. */
	for (uint32_t id = capacity; id >= 1; id--) {
		if (slots_state(record(st, id))) {
			st->link[id] = SLOT_IN_USE;
			st->in_use++;
			if (!st->touched)
				st->touched = id;
		} else if (st->touched) {
			st->link[id] = st->free_head;
			st->free_head = id;
		}
	}
	return 0;
}

void slots_detach(struct slot_table *st)
{
	if (!st->link)
		return;
	pthread_mutex_destroy(&st->lock);
	free(st->link);
	st->link = NULL;
}

int slots_alloc(struct slot_table *st, uint32_t *id)
{
	uint32_t got;

	pthread_mutex_lock(&st->lock);
	if (st->free_head) {
		got = st->free_head;
		st->free_head = st->link[got];
	} else if (st->touched < st->capacity) {
		got = ++st->touched;
	} else {
		pthread_mutex_unlock(&st->lock);
		return -ENOSPC;
	}
	/* Atomic: slots_at() reads it without the lock. */
	__atomic_store_n(&st->link[got], SLOT_IN_USE, __ATOMIC_RELAXED);
	st->in_use++;
	pthread_mutex_unlock(&st->lock);
	*id = got;
	return 0;
}

void slots_publish(struct slot_table *st, uint32_t id, uint32_t state)
{
	__atomic_store_n((uint32_t *)record(st, id), state, __ATOMIC_RELEASE);
}

void slots_free(struct slot_table *st, uint32_t id)
{
	__atomic_store_n((uint32_t *)record(st, id), 0, __ATOMIC_RELEASE);
	pthread_mutex_lock(&st->lock);
	__atomic_store_n(&st->link[id], st->free_head, __ATOMIC_RELAXED);
	st->free_head = id;
	st->in_use--;
	pthread_mutex_unlock(&st->lock);
}

void *slots_at(const struct slot_table *st, uint32_t id)
{
	if (id == 0 || id > st->capacity ||
	    __atomic_load_n(&st->link[id], __ATOMIC_RELAXED) != SLOT_IN_USE)
		return NULL;
	return record(st, id);
}

void *slots_raw(const struct slot_table *st, uint32_t id)
{
	if (id == 0 || id > st->capacity)
		return NULL;
	return record(st, id);
}

uint32_t slots_next_in_use(const struct slot_table *st, uint32_t after)
{
	for (uint32_t id = after + 1; id <= st->touched; id++)
		if (st->link[id] == SLOT_IN_USE)
			return id;
	return 0;
}
