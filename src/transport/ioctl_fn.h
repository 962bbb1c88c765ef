/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The seam below the kernel transports.  Every ioctl an "ndctl" or
 * "ioctl-v4" transport issues goes through one of these functions: the
 * real ioctl(2) on the card's device node, or a stand-in that answers the
 * same requests with the same structures (the simulator's sim_card_ioctl(),
 * a test's driver double).  So a simulated card is reached through exactly
 * the envelope, label-chunk and errno code a real /dev/nmemN is.
 */
#ifndef OCXLFS_TRANSPORT_IOCTL_FN_H
#define OCXLFS_TRANSPORT_IOCTL_FN_H

/*
 * Issues REQUEST with ARG on DEV.  Returns what ioctl(2) returns on
 * success (0, or a positive value some drivers use), and -errno on failure
 * instead of -1 with errno set.
 */
typedef int ocxlfs_ioctl_fn(void *dev, unsigned long request, void *arg);

#endif /* OCXLFS_TRANSPORT_IOCTL_FN_H */
