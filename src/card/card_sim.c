// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The side door to the simulator (card.h): the N/sim/ files reach the
 * simulated card behind a card object through this table, so nothing
 * above src/card holds a struct sim_card.
 */
#include <errno.h>

#include "card/card_priv.h"
#include "sim/sim_control.h"

static const struct {
	int (*write)(struct sim_card *sim, const char *line);
	int (*render)(struct sim_card *sim, FILE *out);
	/* The card may have posted something or changed state: look now. */
	bool kick_monitor;
} sim_files[] = {
	[CARD_SIM_INJECT] = { sim_control_inject, NULL, true },
	[CARD_SIM_FAULT] = { sim_control_fault, sim_control_render_fault, true },
	[CARD_SIM_NAMESPACE] = { sim_control_namespace, sim_control_render_namespace, false },
};

bool card_is_simulated(const struct card *c)
{
	return c->sim != NULL;
}

int card_sim_write(struct card *c, enum card_sim_file f, const char *line)
{
	int rc;

	if (!c->sim || !sim_files[f].write)
		return -ENODEV;
	rc = sim_files[f].write(c->sim, line);
	if (!rc && sim_files[f].kick_monitor) {
		/* Its answers may differ now: the pass asks again, at once. */
		card_cache_stale(c);
		card_wake_monitor(c);
	}
	return rc;
}

int card_sim_render(struct card *c, enum card_sim_file f, FILE *out)
{
	if (!c->sim || !sim_files[f].render)
		return -ENODEV;
	return sim_files[f].render(c->sim, out);
}
