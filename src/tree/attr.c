// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Attributes and what the kernel may cache of them (docs/tree.md sections
 * 1.1 and 3.2).
 */
#include <string.h>

#include "tree/snapshot.h"
#include "tree/tree_priv.h"

/*
 * Names and the attributes of directories, links and fixed files do not
 * change while mounted; a card that vanishes or returns has its names
 * invalidated explicitly by the monitor (poll.c).
 */
#define TREE_FIXED_TIMEOUT_S 3600.0

static void stat_common(const struct tree *t, const struct tree_ref *ref, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ref->ino;
	st->st_mode = ref->entry->mode;
	st->st_nlink = 1;
	st->st_uid = t->uid;
	st->st_gid = t->gid;
	st->st_mtim = st->st_ctim = st->st_atim = t->shared->mounted;
}

static bool entry_present(const struct tree *t, const struct tree_entry *e, const struct card *c)
{
	if (e->present_mount)
		return e->present_mount(t);
	return !e->present || e->present(c);
}

/* Two, and one for each subdirectory's "..". */
void tree_stat_dir(const struct tree *t, const struct tree_ref *ref, struct stat *st)
{
	const struct tree_dir *d = ref->entry->dir;

	stat_common(t, ref, st);
	st->st_nlink = 2;
	if (d->per_card && S_ISDIR(d->per_card->entry->mode))
		for (unsigned i = 0; i < tree_ncards(t); i++)
			st->st_nlink += tree_card_shown(t, i);
	for (size_t k = 0; k < d->nentries; k++)
		if (S_ISDIR(d->entries[k].mode) && entry_present(t, &d->entries[k], ref->card))
			st->st_nlink++;
	st->st_blksize = 4096;
}

void tree_stat_link(const struct tree *t, const struct tree_ref *ref, struct stat *st)
{
	char target[64];

	stat_common(t, ref, st);
	if (ref->entry->target(t, ref->scope - 1, target, sizeof(target)) == 0)
		st->st_size = (off_t)strlen(target);
}

void tree_cache_policy(const struct tree_ref *ref, struct tree_cache *cache)
{
	const struct tree_kind *kind = ref ? ref->entry->kind : NULL;

	cache->entry_timeout = TREE_FIXED_TIMEOUT_S;
	cache->attr_timeout = TREE_FIXED_TIMEOUT_S;
	cache->keep_cache = false;
	if (!kind)
		return; /* not yet known, a directory or a link */
	cache->keep_cache = kind->keep_cache;
	if (kind->attr != TREE_ATTR_FIXED)
		cache->attr_timeout = 0.0;
}

/*
 * A file whose snapshot can be replaced has no cached attributes: two
 * callers may be shown two generations of it (views), and the kernel's
 * one attribute cache per inode would show one caller the other's.
 */
int tree_stat_file(struct tree *t, const struct tree_ref *ref, const struct tree_caller *who,
		   struct stat *st, struct tree_cache *cache)
{
	const struct snapshot *s;
	uint32_t id, view;
	int rc;

	pthread_mutex_lock(&ref->node->lock);
	rc = tree_view_snapshot(t, ref, who, false, &id, &view);
	if (!rc) {
		s = snapshot_at(t, id);
		stat_common(t, ref, st);
		st->st_size = (off_t)s->len;
		st->st_blocks = (blkcnt_t)((s->len + 511) / 512);
		st->st_blksize = 4096;
		st->st_mtim = st->st_ctim = st->st_atim = s->when;
		if (cache)
			tree_cache_policy(ref, cache);
	}
	pthread_mutex_unlock(&ref->node->lock);
	return rc;
}
