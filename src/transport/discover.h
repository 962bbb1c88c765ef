/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Finding the OpenCAPI persistent-memory cards of this machine.
 */
#ifndef OCXLFS_TRANSPORT_DISCOVER_H
#define OCXLFS_TRANSPORT_DISCOVER_H

#include "transport/transport.h"

struct ocxl_discovered {
	struct ocxl_transport *t;
	char name[32]; /* "nmem0", "ocxlpmem1": the kernel's device name */
};

/*
 * Every card, in a stable order (natural sort of the names), one transport
 * each:
 *   - libnvdimm buses whose provider is "ocxlpmem" (v4), "ocxl-pmem" (v3)
 *     or "scm" (v1): each DIMM that accepts ND_CMD_CALL and answers the
 *     passthru contract (probed with IDENTIFY) gets an "ndctl" transport;
 *   - a DIMM that does not (the posted v4 driver only knows SMART, and
 *     stock kernels refuse family 6) is served through its card's
 *     /dev/ocxlpmemN with an "ioctl-v4" transport that keeps the DIMM for
 *     the label area and SMART;
 *   - every /dev/ocxlpmem* no bus claimed (a card whose probe failed keeps
 *     its character device): "ioctl-v4" alone.  When some bus cannot be
 *     matched to its character device through sysfs, unclaimed nodes are
 *     only used if no bus was found at all, so a card is never listed twice.
 * No card: *n = 0, return 0 (the caller words the message).  A card whose
 * transport cannot be set up is logged and left out; if that leaves no
 * card, its errno is returned.  Other errors: -ENOMEM.
 *
 * Ownership: the array and its transports belong to the caller.  Take a
 * transport by copying it out and setting the entry's t to NULL; the
 * libndctl context lives on inside the "ndctl" transports and goes with
 * the last of them.
 */
int ocxl_discover(struct ocxl_discovered **cards, unsigned *n);

/*
 * Frees the array and destroys every transport still in it (t != NULL),
 * including entries past N (the array is terminated by an entry with an
 * empty name, so a caller that shortened N leaks nothing).  NULL is fine.
 */
void ocxl_discover_free(struct ocxl_discovered *cards, unsigned n);

#endif /* OCXLFS_TRANSPORT_DISCOVER_H */
