/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulated card's fixed geometry, shared by its interface (sim.h) and
 * its state file (sim_state.h), which must not include each other.
 */
#ifndef OCXLFS_SIM_LIMITS_H
#define OCXLFS_SIM_LIMITS_H

/* Largest label area a simulated card can have. */
#define SIM_MAX_LABEL_SIZE (16u * 1024 * 1024)
/* Error-log entries the card can hold before it is drained. */
#define SIM_ERRLOG_CAPACITY 4096u

#endif /* OCXLFS_SIM_LIMITS_H */
