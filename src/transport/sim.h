/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A simulated card (src/sim) behind the ND_CMD_CALL transport of ndctl.c:
 * the same envelopes, label chunks and errno mapping as a real /dev/nmemN,
 * with the simulator's sim_card_ioctl() in place of ioctl(2), and the
 * simulator's own setting for whether a namespace is enabled.
 */
#ifndef OCXLFS_TRANSPORT_SIM_H
#define OCXLFS_TRANSPORT_SIM_H

#include "transport/transport.h"

struct sim_card;

/*
 * Kind "simulator", device "sim:<index>".  The transport does not own the
 * card: destroying it leaves the card open for its owner to close.
 * -EINVAL without a card.
 */
int ocxlfs_transport_sim_new(struct sim_card *sim, unsigned index, struct ocxlfs_transport **out);

#endif /* OCXLFS_TRANSPORT_SIM_H */
