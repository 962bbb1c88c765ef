// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Directories: listing, lookup and the attributes of any node, all from
 * the tables (table.h) and their per-card hooks.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "card/card.h"
#include "tree/tree_priv.h"

const char *tree_card_dir_name(const struct tree *t, unsigned card)
{
	return t->names[card];
}

const char *tree_card_link_name(const struct tree *t, unsigned card)
{
	return card_link_name(tree_card(t, card));
}

int tree_card_link_target(const struct tree *t, unsigned card, char *buf, size_t cap)
{
	if ((size_t)snprintf(buf, cap, "../%s", t->names[card]) >= cap)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * Child IDX of directory DIR: first one per card, then the entries of its
 * table.  -EAGAIN for one hidden now (a vanished card, sim/ of a real
 * card), -ENOENT past the end.
 */
static int dir_child(struct tree *t, const struct tree_ref *dir, size_t idx, const char **name,
		     struct tree_ref *child)
{
	const struct tree_layout *l = &t->layout[dir->scope ? TREE_SCOPE_CARD : TREE_SCOPE_MOUNT];
	const struct tree_dir *d = dir->entry->dir;
	unsigned ncards = tree_ncards(t);

	if (d->per_card) {
		if (idx < ncards) {
			uint64_t ino = tree_ino_local(t, (unsigned)idx + 1,
						      l->per_card_child[dir->local]);

			if (!tree_card_shown(t, (unsigned)idx) || tree_resolve(t, ino, child))
				return -EAGAIN;
			*name = d->per_card->name(t, (unsigned)idx);
			return 0;
		}
		idx -= ncards;
	}
	if (idx >= d->nentries)
		return -ENOENT;
	if (tree_resolve(t, tree_ino_local(t, dir->scope, l->first_child[dir->local] + (unsigned)idx),
			 child))
		return -EAGAIN;
	*name = child->entry->name;
	return 0;
}

/* The directory DIR names, for listing or lookup in it. */
static int resolve_dir(struct tree *t, uint64_t ino, struct tree_ref *dir)
{
	int rc = tree_resolve(t, ino, dir);

	if (rc)
		return rc;
	if (tree_ref_gone(t, dir))
		return -ENOENT;
	return S_ISDIR(dir->entry->mode) ? 0 : -ENOTDIR;
}

static int stat_ref(struct tree *t, const struct tree_ref *ref, const struct tree_caller *who,
		    struct stat *st, struct tree_cache *cache)
{
	if (cache)
		tree_cache_policy(NULL, cache);
	/* Names of a vanished card are gone (lookup); inodes still held get ENODEV. */
	if (tree_ref_gone(t, ref))
		return -ENODEV;
	if (S_ISDIR(ref->entry->mode)) {
		tree_stat_dir(t, ref, st);
		return 0;
	}
	if (S_ISLNK(ref->entry->mode)) {
		tree_stat_link(t, ref, st);
		return 0;
	}
	return tree_stat_file(t, ref, who, st, cache);
}

int tree_getattr(struct tree *t, uint64_t ino, const struct tree_caller *who, struct stat *st,
		 struct tree_cache *cache)
{
	struct tree_ref ref;
	int rc = tree_resolve(t, ino, &ref);

	return rc ? rc : stat_ref(t, &ref, who, st, cache);
}

int tree_lookup(struct tree *t, uint64_t parent, const char *name, const struct tree_caller *who,
		struct stat *st, struct tree_cache *cache)
{
	struct tree_ref dir, child;
	const char *child_name;
	int rc = resolve_dir(t, parent, &dir);

	if (rc)
		return rc;
	for (size_t idx = 0; (rc = dir_child(t, &dir, idx, &child_name, &child)) != -ENOENT; idx++)
		if (rc == 0 && !strcmp(name, child_name))
			return stat_ref(t, &child, who, st, cache);
	return -ENOENT;
}

int tree_readlink(struct tree *t, uint64_t ino, char *buf, size_t cap)
{
	struct tree_ref ref;

	if (tree_resolve(t, ino, &ref) || !S_ISLNK(ref.entry->mode))
		return -EINVAL;
	return ref.entry->target(t, ref.scope - 1, buf, cap);
}

int tree_dir_entry(struct tree *t, uint64_t dir_ino, size_t idx, const char **name,
		   struct stat *st)
{
	struct tree_ref dir, child;
	int rc = resolve_dir(t, dir_ino, &dir);

	if (!rc)
		rc = dir_child(t, &dir, idx, name, &child);
	if (rc)
		return rc;
	/* Listings report mode and inode only: sizes come from getattr. */
	memset(st, 0, sizeof(*st));
	st->st_ino = child.ino;
	st->st_mode = child.entry->mode & S_IFMT;
	return 0;
}
