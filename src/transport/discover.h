/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Finding the OpenCAPI persistent-memory cards of this machine.
 */
#ifndef OCXLFS_TRANSPORT_DISCOVER_H
#define OCXLFS_TRANSPORT_DISCOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "transport/transport.h"

struct ocxlfs_discovered {
	struct ocxlfs_transport *t;
	char name[32]; /* "nmem0", "ocxlpmem1": the kernel's device name */
	/*
	 * The card's identity as discovery saw it: from the DIMM's sysfs group
	 * "ocxlpmem" (serial, fw_version; v4 24/25) when the driver has it,
	 * else from the IDENTIFY command.  serial 0 / fw_version "": unknown
	 * (the card did not answer); card_open() asks the card again anyway.
	 */
	uint64_t serial;
	char fw_version[9];
	bool identity_from_sysfs;
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
int ocxlfs_discover(struct ocxlfs_discovered **cards, unsigned *n);

/*
 * Frees the array and destroys every transport still in it (t != NULL),
 * including entries past N (the array is terminated by an entry with an
 * empty name, so a caller that shortened N leaks nothing).  NULL is fine.
 */
void ocxlfs_discover_free(struct ocxlfs_discovered *cards, unsigned n);

/* ---- hot-plug ---- */

/* What tells two cards apart across rescans: the node it is reached by, and its serial. */
struct ocxlfs_card_key {
	char device[64]; /* the transport's device: "/dev/nmem0", "/dev/ocxlpmem1" */
	uint64_t serial; /* 0: unknown */
};

/*
 * Discovery again, compared with the cards the caller serves (KNOWN, NKNOWN
 * of them; their transports stay untouched).  On return:
 *   *added, *nadded  cards found that KNOWN does not have, in the form and
 *                    ownership of ocxlfs_discover() (free with
 *                    ocxlfs_discover_free(); the array is always allocated);
 *   gone[i]          (an array of NKNOWN the caller provides) true when
 *                    KNOWN[i] was not found: its node is gone or belongs
 *                    to a card of another serial now.
 * A card is KNOWN[i] when it is reached by the same device and has the same
 * serial.  Known cards are not sent any command when their serial can be
 * read from sysfs; otherwise IDENTIFY (no side effects) is asked, and a
 * card that does not answer it matches by device alone: a card that stops
 * answering is not "gone" (its own commands say so, with ENODEV or
 * ETIMEDOUT), only one whose node disappears or changes identity is.
 * Returns 0, or -errno when discovery itself failed (then nothing is
 * reported gone and *nadded is 0): -ENOMEM.
 * Safe to call while the known cards are in use, from any one thread.
 */
int ocxlfs_rescan(const struct ocxlfs_card_key *known, unsigned nknown,
		struct ocxlfs_discovered **added, unsigned *nadded, bool *gone);

/* The key of a discovered card (read it before taking the entry's transport). */
void ocxlfs_discovered_key(const struct ocxlfs_discovered *d, struct ocxlfs_card_key *key);

#endif /* OCXLFS_TRANSPORT_DISCOVER_H */
