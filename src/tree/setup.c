// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A tree's life: its tables laid out, its state allocated, and everything
 * freed at the end, including what the kernel never released.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tree/snapshot.h"
#include "tree/tree_priv.h"

int tree_new(struct card **cards, unsigned ncards, const struct tree_limits *limits,
	     struct tree **out)
{
	const struct tree_limits none = { 0 };
	struct tree *t = calloc(1, sizeof(*t));
	unsigned max_handles;
	size_t nnodes;
	int rc;

	if (!t)
		return -ENOMEM;
	if (!limits)
		limits = &none;
	max_handles = limits->max_handles ? limits->max_handles : TREE_MAX_HANDLES;
	snapbufs_init(&t->bytes, limits->max_snapshot_bytes ? limits->max_snapshot_bytes
							     : TREE_MAX_SNAPSHOT_BYTES);
	t->ncards = ncards;
	t->cards = cards;
	clock_gettime(CLOCK_REALTIME, &t->mounted);
	t->uid = getuid();
	t->gid = getgid();
	rc = tree_layout_build(t);
	if (rc)
		goto fail;
	nnodes = (size_t)(ncards + 1) * t->stride;
	t->names = calloc(ncards ? ncards : 1, sizeof(*t->names));
	t->nodes = calloc(nnodes, sizeof(*t->nodes));
	if (!t->names || !t->nodes) {
		rc = -ENOMEM;
		goto fail;
	}
	for (size_t k = 0; k < nnodes; k++)
		pthread_mutex_init(&t->nodes[k].lock, NULL);
	for (unsigned i = 0; i < ncards; i++)
		snprintf(t->names[i], sizeof(t->names[i]), "%u", i);
	rc = slots_init(&t->handles, sizeof(struct tree_handle), max_handles);
	if (rc)
		goto fail;
	/* Each node's current snapshot, one being built in its place, and one per handle. */
	rc = slots_init(&t->snapshots, sizeof(struct snapshot), 2 * (uint32_t)nnodes + max_handles);
	if (rc)
		goto fail;
	rc = tree_poll_init(t);
	if (rc)
		goto fail;
	*out = t;
	return 0;
fail:
	tree_free(t);
	return rc;
}

void tree_free(struct tree *t)
{
	size_t nnodes;

	if (!t)
		return;
	/* Handles the kernel never released: files still open at unmount. */
	for (uint32_t fh = slots_next_in_use(&t->handles, 0); fh;
	     fh = slots_next_in_use(&t->handles, fh))
		tree_release(t, fh);
	nnodes = t->nodes ? (size_t)(t->ncards + 1) * t->stride : 0;
	for (size_t k = 0; k < nnodes; k++) {
		snapshot_put(t, t->nodes[k].snap);
		pthread_mutex_destroy(&t->nodes[k].lock);
	}
	tree_poll_destroy(t);
	slots_destroy(&t->snapshots);
	slots_destroy(&t->handles);
	free(t->nodes);
	free(t->names);
	free(t);
}
