/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cards one worker serves: found (simulated, or discovered), given
 * their index, opened, monitored, and added to the tree; later ones too
 * (hot-plug: udev events and a periodic rescan; sim/plug on a simulated
 * mount).  A card's index is kept in the arena by serial, so the next
 * worker, and a card that comes back, number the cards the same way.
 */
#ifndef OCXLFS_FS_CARDS_H
#define OCXLFS_FS_CARDS_H

#include <stdbool.h>
#include <stdint.h>

struct arena;
struct cards;
struct options;
struct tree;

/* Bytes of the arena's section of card indexes. */
uint64_t cards_arena_size(void);

/*
 * Opens every card (those of the arena's list first, at their index) and
 * adds it to T.  -ENODEV when there is none (real cards).
 */
int cards_open(const struct options *opt, struct arena *a, struct tree *t, struct cards **out);
/* Monitors and hot-plug start: after the tree serves. */
int cards_start(struct cards *cs);
/* They stop: before the tree goes. */
void cards_stop(struct cards *cs);
void cards_close(struct cards *cs);

/* sim/plug, sim/unplug of a simulated mount (docs/tree.md section 4.2). */
int cards_sim_plug(struct cards *cs, unsigned number);
int cards_sim_unplug(struct cards *cs, unsigned number);

#endif /* OCXLFS_FS_CARDS_H */
