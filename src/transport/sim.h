/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulator transport: hands the envelopes and label-area ioctls to a
 * simulated card (src/sim) exactly as the kernel transport hands them to
 * ioctl() on /dev/nmemN.
 */
#ifndef OCXLFS_TRANSPORT_SIM_H
#define OCXLFS_TRANSPORT_SIM_H

#include "transport/transport.h"

struct sim_card;

/*
 * Kind "simulator", device "sim:<index>".  The transport does not own the
 * card: destroying it leaves the card open for its owner to close.
 */
int ocxlfs_transport_sim_new(struct sim_card *sim, unsigned index, struct ocxlfs_transport **out);

#endif /* OCXLFS_TRANSPORT_SIM_H */
