// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tree/slots.h"

#define SLOT_IN_USE UINT32_MAX

int slots_init(struct slot_table *st, size_t record_size, uint32_t capacity)
{
	memset(st, 0, sizeof(*st));
	/* calloc: pages nobody uses stay untouched, so a large capacity costs nothing. */
	st->records = calloc(capacity ? capacity : 1, record_size);
	st->link = calloc((size_t)capacity + 1, sizeof(*st->link));
	if (!st->records || !st->link) {
		free(st->records);
		free(st->link);
		return -ENOMEM;
	}
	st->size = record_size;
	st->capacity = capacity;
	pthread_mutex_init(&st->lock, NULL);
	return 0;
}

void slots_destroy(struct slot_table *st)
{
	if (!st->link)
		return;
	pthread_mutex_destroy(&st->lock);
	free(st->records);
	free(st->link);
	st->records = NULL;
	st->link = NULL;
}

static void *record(const struct slot_table *st, uint32_t id)
{
	return st->records + (size_t)(id - 1) * st->size;
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
	st->link[got] = SLOT_IN_USE;
	st->in_use++;
	pthread_mutex_unlock(&st->lock);
	memset(record(st, got), 0, st->size);
	*id = got;
	return 0;
}

void slots_free(struct slot_table *st, uint32_t id)
{
	pthread_mutex_lock(&st->lock);
	st->link[id] = st->free_head;
	st->free_head = id;
	st->in_use--;
	pthread_mutex_unlock(&st->lock);
}

void *slots_at(const struct slot_table *st, uint32_t id)
{
	if (id == 0 || id > st->capacity || st->link[id] != SLOT_IN_USE)
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
