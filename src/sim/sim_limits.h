/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulated card's fixed capacities: the card (sim.c) enforces them and
 * its state file (sim_state.c) is laid out by them, so both take them from
 * here rather than one from the other.
 */
#ifndef OCXLFS_SIM_LIMITS_H
#define OCXLFS_SIM_LIMITS_H

/* Largest label area a simulated card can have. */
#define SIM_MAX_LABEL_SIZE (16u * 1024 * 1024)
/* Error-log entries the card's queue holds (one ring slot each). */
#define SIM_ERRLOG_CAPACITY 4096u

#endif /* OCXLFS_SIM_LIMITS_H */
