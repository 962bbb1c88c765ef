// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Inode numbers (tree_priv.h): the tables of files.c walked once into two
 * layouts, the mount's and the one every card shares, and an inode number
 * turned back into its node.
 */
#include <errno.h>
#include <stdio.h>

#include "card/card.h"
#include "tree/tree_priv.h"

static int layout_add(struct tree_layout *l, const struct tree_entry *e,
		      bool (*present)(const struct card *c), uint16_t *slot)
{
	if (l->n >= TREE_SCOPE_SLOTS)
		return -E2BIG;
	l->entry[l->n] = e;
	/* Below a directory that is not there, nothing is. */
	l->present[l->n] = e->present ? e->present : present;
	*slot = (uint16_t)l->n++;
	return 0;
}

/*
 * Breadth first, so that a directory's entries get consecutive slots; the
 * children a directory has per card start (or extend) the card layout.
 */
int tree_layout_build(struct tree *t)
{
	struct tree_layout *mount = &t->layout[0], *card = &t->layout[1];
	uint16_t slot;
	int rc = layout_add(mount, &tree_root, NULL, &slot);

	for (unsigned scope = 0; scope < 2 && !rc; scope++) {
		struct tree_layout *l = &t->layout[scope];

		for (unsigned s = 0; s < l->n && !rc; s++) {
			const struct tree_dir *d = l->entry[s]->dir;

			if (!d)
				continue;
			if (d->per_card) {
				/* Below a card they would need a scope per card and child. */
				if (scope)
					return -EINVAL;
				rc = layout_add(card, d->per_card->entry, NULL,
						&l->per_card_slot[s]);
			}
			l->first_child[s] = (uint16_t)l->n;
			for (size_t k = 0; k < d->nentries && !rc; k++)
				rc = layout_add(l, &d->entries[k], l->present[s], &slot);
		}
	}
	t->stride = mount->n > card->n ? mount->n : card->n;
	return rc;
}

uint64_t tree_ino(unsigned scope, unsigned slot)
{
	return (uint64_t)scope * TREE_SCOPE_SLOTS + slot + 1;
}

static void ref_fill(struct tree *t, unsigned scope, unsigned slot, struct tree_ref *ref)
{
	const struct tree_layout *l = &t->layout[scope ? 1 : 0];

	ref->ino = tree_ino(scope, slot);
	ref->scope = scope;
	ref->slot = slot;
	ref->entry = l->entry[slot];
	ref->card = scope ? t->cards[scope - 1] : NULL;
	ref->node = &t->nodes[(size_t)scope * t->stride + slot];
}

int tree_resolve(struct tree *t, uint64_t ino, struct tree_ref *ref)
{
	uint64_t scope, slot;
	const struct tree_layout *l;

	if (ino == 0)
		return -ENOENT;
	scope = (ino - 1) / TREE_SCOPE_SLOTS;
	slot = (ino - 1) % TREE_SCOPE_SLOTS;
	if (scope > t->ncards)
		return -ENOENT;
	l = &t->layout[scope ? 1 : 0];
	if (slot >= l->n)
		return -ENOENT;
	if (scope && l->present[slot] && !l->present[slot](t->cards[scope - 1]))
		return -ENOENT;
	ref_fill(t, (unsigned)scope, (unsigned)slot, ref);
	return 0;
}

void tree_resolve_node(struct tree *t, uint32_t idx, struct tree_ref *ref)
{
	ref_fill(t, idx / t->stride, idx % t->stride, ref);
}

void tree_ref_name(const struct tree_ref *ref, char *buf, size_t cap)
{
	if (ref->card)
		snprintf(buf, cap, "card %u %s", card_index(ref->card), ref->entry->name);
	else
		snprintf(buf, cap, "%s", ref->entry->name);
}

bool tree_card_shown(const struct tree *t, unsigned card)
{
	return card_get_state(t->cards[card]) != CARD_GONE;
}

bool tree_ref_gone(const struct tree *t, const struct tree_ref *ref)
{
	return ref->scope && !tree_card_shown(t, ref->scope - 1);
}
