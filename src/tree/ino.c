// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Inode numbers (tree_priv.h): the tables of files.c walked once into two
 * layouts, the mount's and the one every card shares, each node given its
 * slot in the arena's names, and an inode number turned back into its node.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "card/card.h"
#include "tree/tree_priv.h"

static int layout_add(struct tree_layout *l, const struct tree_entry *e,
		      bool (*present)(const struct card *c),
		      bool (*present_mount)(const struct tree *t), unsigned parent, uint16_t *idx)
{
	if (l->n >= TREE_SCOPE_SLOTS)
		return -E2BIG;
	l->entry[l->n] = e;
	/* Below a directory that is not there, nothing is. */
	l->present[l->n] = e->present ? e->present : present;
	l->present_mount[l->n] = e->present_mount ? e->present_mount : present_mount;
	l->parent[l->n] = (uint16_t)parent;
	*idx = (uint16_t)l->n++;
	return 0;
}

/*
 * Breadth first, so that a directory's entries get consecutive indexes;
 * the children a directory has per card start (or extend) the card layout.
 */
int tree_layout_build(struct tree *t)
{
	struct tree_layout *mount = &t->layout[TREE_SCOPE_MOUNT], *card = &t->layout[TREE_SCOPE_CARD];
	uint16_t idx;
	int rc = layout_add(mount, &tree_root, NULL, NULL, TREE_NO_SLOT, &idx);

	for (unsigned kind = 0; kind < 2 && !rc; kind++) {
		struct tree_layout *l = &t->layout[kind];

		for (unsigned s = 0; s < l->n && !rc; s++) {
			const struct tree_dir *d = l->entry[s]->dir;

			if (!d)
				continue;
			if (d->per_card) {
				/* Below a card they would need a scope per card and child. */
				if (kind)
					return -EINVAL;
				rc = layout_add(card, d->per_card->entry, NULL, NULL, s,
						&l->per_card_child[s]);
				card->per_card_parent[l->per_card_child[s]] = (uint16_t)s;
			}
			l->first_child[s] = (uint16_t)l->n;
			for (size_t k = 0; k < d->nentries && !rc; k++)
				rc = layout_add(l, &d->entries[k], l->present[s],
						l->present_mount[s], s, &idx);
		}
	}
	return rc;
}

/*
 * The path of a node below its scope, with "*" for the node a directory of
 * the mount has per card: the root is "", then "by-serial", "metrics.prom";
 * a card's directory is "*", its link "by-serial/" and "*", its files "*"
 * and "/error_log".
 */
static int node_path(const struct tree *t, unsigned kind, unsigned idx, char *buf, size_t cap)
{
	const struct tree_layout *l = &t->layout[kind];
	char up[TREE_NAME_MAX];
	const char *name;
	int rc;

	if (kind == TREE_SCOPE_MOUNT && idx == 0) {
		buf[0] = '\0'; /* the root */
		return 0;
	}
	name = l->entry[idx]->name ? l->entry[idx]->name : "*";
	if (kind == TREE_SCOPE_CARD && !l->entry[idx]->name)
		rc = node_path(t, TREE_SCOPE_MOUNT, l->per_card_parent[idx], up, sizeof(up));
	else if (l->parent[idx] == TREE_NO_SLOT || (kind == TREE_SCOPE_MOUNT && l->parent[idx] == 0))
		rc = (up[0] = '\0', 0);
	else
		rc = node_path(t, kind, l->parent[idx], up, sizeof(up));
	if (rc)
		return rc;
	if ((size_t)snprintf(buf, cap, "%s%s%s", up, up[0] ? "/" : "", name) >= cap)
		return -ENAMETOOLONG;
	return 0;
}

int tree_names_bind(struct tree *t)
{
	struct tree_shared *sh = t->shared;

	for (unsigned kind = 0; kind < 2; kind++) {
		struct tree_layout *l = &t->layout[kind];

		for (unsigned s = 0; s < TREE_SCOPE_SLOTS; s++)
			l->local[s] = TREE_NO_SLOT;
		for (unsigned idx = 0; idx < l->n; idx++) {
			uint32_t n = __atomic_load_n(&sh->nnames[kind], __ATOMIC_ACQUIRE), slot;
			char path[TREE_NAME_MAX];
			int rc = node_path(t, kind, idx, path, sizeof(path));

			if (rc)
				return rc;
			for (slot = 0; slot < n; slot++)
				if (!strcmp(sh->names[kind][slot].path, path))
					break;
			if (slot == n) {
				/* New to the arena: appended, so every older number stays. */
				if (n == TREE_SCOPE_SLOTS)
					return -E2BIG;
				snprintf(sh->names[kind][n].path, TREE_NAME_MAX, "%s", path);
				sh->names[kind][n].state = 1;
				__atomic_store_n(&sh->nnames[kind], n + 1, __ATOMIC_RELEASE);
			}
			l->slot[idx] = (uint16_t)slot;
			l->local[slot] = (uint16_t)idx;
		}
	}
	return 0;
}

uint64_t tree_ino(unsigned scope, unsigned slot)
{
	return (uint64_t)scope * TREE_SCOPE_SLOTS + slot + 1;
}

uint64_t tree_ino_local(const struct tree *t, unsigned scope, unsigned local)
{
	return tree_ino(scope, t->layout[scope ? TREE_SCOPE_CARD : TREE_SCOPE_MOUNT].slot[local]);
}

/* 0 and REF filled, or -ENOENT: no card there, or a node this binary does not have. */
static int ref_fill(struct tree *t, unsigned scope, unsigned slot, struct tree_ref *ref)
{
	const struct tree_layout *l = &t->layout[scope ? TREE_SCOPE_CARD : TREE_SCOPE_MOUNT];
	unsigned local = slot < TREE_SCOPE_SLOTS ? l->local[slot] : TREE_NO_SLOT;

	if (local == TREE_NO_SLOT || scope > tree_ncards(t))
		return -ENOENT;
	ref->card = scope ? tree_card(t, scope - 1) : NULL;
	if (scope && !ref->card)
		return -ENOENT;
	ref->ino = tree_ino(scope, slot);
	ref->scope = scope;
	ref->slot = slot;
	ref->local = local;
	ref->entry = l->entry[local];
	ref->node = &t->nodes[(size_t)scope * TREE_SCOPE_SLOTS + slot];
	return 0;
}

int tree_resolve(struct tree *t, uint64_t ino, struct tree_ref *ref)
{
	const struct tree_layout *l;
	int rc;

	if (ino == 0 || (ino - 1) / TREE_SCOPE_SLOTS > TREE_MAX_CARDS)
		return -ENOENT;
	rc = ref_fill(t, (unsigned)((ino - 1) / TREE_SCOPE_SLOTS),
		      (unsigned)((ino - 1) % TREE_SCOPE_SLOTS), ref);
	if (rc)
		return rc;
	l = &t->layout[ref->scope ? TREE_SCOPE_CARD : TREE_SCOPE_MOUNT];
	if (ref->scope && l->present[ref->local] && !l->present[ref->local](ref->card))
		return -ENOENT;
	if (!ref->scope && l->present_mount[ref->local] && !l->present_mount[ref->local](t))
		return -ENOENT;
	return 0;
}

bool tree_mount_simulated(const struct tree *t)
{
	return t->hooks.simulated;
}

int tree_sim_plug(struct tree *t, unsigned number, bool plug)
{
	return t->hooks.sim_plug ? t->hooks.sim_plug(t->hooks.ctx, number, plug) : -ENODEV;
}

int tree_resolve_node(struct tree *t, uint32_t idx, struct tree_ref *ref)
{
	if (idx >= TREE_NNODES)
		return -ENOENT;
	return ref_fill(t, idx / TREE_SCOPE_SLOTS, idx % TREE_SCOPE_SLOTS, ref);
}

void tree_ref_name(const struct tree_ref *ref, char *buf, size_t cap)
{
	if (ref->card)
		snprintf(buf, cap, "card %u %s", card_index(ref->card), ref->entry->name);
	else
		snprintf(buf, cap, "%s", ref->entry->name);
}

struct card *tree_card(const struct tree *t, unsigned index)
{
	if (index >= tree_ncards(t))
		return NULL;
	return __atomic_load_n(&t->cards[index], __ATOMIC_ACQUIRE);
}

unsigned tree_ncards(const struct tree *t)
{
	return __atomic_load_n(&t->ncards, __ATOMIC_ACQUIRE);
}

bool tree_card_shown(const struct tree *t, unsigned card)
{
	struct card *c = tree_card(t, card);

	return c && card_get_state(c) != CARD_GONE;
}

bool tree_ref_gone(const struct tree *t, const struct tree_ref *ref)
{
	return ref->scope && !tree_card_shown(t, ref->scope - 1);
}

struct timespec tree_fixed_time(const struct tree *t, const struct tree_ref *ref)
{
	return ref->scope ? t->shared->card_since[ref->scope - 1] : t->shared->mounted;
}
