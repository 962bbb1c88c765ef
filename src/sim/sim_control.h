/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The keywords of a simulated card's sim/ control files (docs/tree.md,
 * "Steering simulated cards"), parsed and applied.  Each call takes one
 * written line without its trailing newline and returns 0 or -EINVAL
 * (unknown keyword, bad number), changing nothing on error.
 */
#ifndef OCXLFS_SIM_CONTROL_H
#define OCXLFS_SIM_CONTROL_H

#include <stdio.h>

struct sim_card;

/*
 * "errlog [COUNT]" (1..SIM_ERRLOG_CAPACITY), "errlog TYPE" (predictive-failure,
 * thermal-warning, data-loss), "health", "dump SIZE", "labels", "erase-done",
 * "smart temperature C", "smart life_remaining PCT", "smart modelled".
 */
int sim_control_inject(struct sim_card *sim, const char *line);
/*
 * "none", "delay MS", "hang", "status 0xNN", "corrupt", "fatal-firmware",
 * "fatal-hardware", "vanish".
 */
int sim_control_fault(struct sim_card *sim, const char *line);
/* The current fault in the same syntax, and a newline. */
int sim_control_render_fault(struct sim_card *sim, FILE *out);

/* sim/namespace: "enabled" or "disabled" (models an enabled pmem namespace). */
int sim_control_namespace(struct sim_card *sim, const char *text);
int sim_control_render_namespace(struct sim_card *sim, FILE *out);

#endif /* OCXLFS_SIM_CONTROL_H */
