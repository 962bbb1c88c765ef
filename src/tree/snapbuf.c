// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "tree/snapbuf.h"

void snapbufs_init(struct snapbufs *b, size_t limit)
{
	b->used = 0;
	b->limit = limit;
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
	if (!charge(b, len)) {
		free(data);
		return -ENOMEM;
	}
	*out = (snapbuf_t)(uintptr_t)data;
	return 0;
}

const char *snapbuf_bytes(const struct snapbufs *b, snapbuf_t buf)
{
	return (const char *)(uintptr_t)buf;
}

void snapbuf_free(struct snapbufs *b, snapbuf_t buf, size_t len)
{
	if (!buf)
		return;
	__atomic_sub_fetch(&b->used, len, __ATOMIC_RELAXED);
	free((void *)(uintptr_t)buf);
}
