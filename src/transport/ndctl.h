/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel transport: ND_CMD_CALL envelopes of the passthru contract on
 * /dev/nmemN (a libnvdimm DIMM found with libndctl), and the DIMM's label
 * area through the generic GET_CONFIG_SIZE / GET_CONFIG_DATA /
 * SET_CONFIG_DATA commands.
 */
#ifndef OCXLFS_TRANSPORT_NDCTL_H
#define OCXLFS_TRANSPORT_NDCTL_H

#include <ndctl/libndctl.h>

#include "transport/transport.h"

#include <ocxlfs/passthru.h>

/*
 * Creates a transport for DIMM (kind "ndctl", device "/dev/nmemN").  It
 * takes its own reference on CTX (ndctl_ref), dropped by destroy, so the
 * caller may ndctl_unref() its own at once; DIMM stays valid as long as
 * CTX lives.  The device node is opened on first use and kept open.
 */
int ocxlfs_transport_ndctl_new(struct ndctl_ctx *ctx, struct ndctl_dimm *dimm,
			     struct ocxlfs_transport **out);

/*
 * The card's DIMM behind T: an "ndctl" transport's, or the one an
 * "ioctl-v4" transport keeps for its label area; NULL otherwise.  Valid
 * as long as T lives.
 */
struct ndctl_dimm *ocxlfs_transport_ndctl_dimm(struct ocxlfs_transport *t);

/*
 * 1 if any namespace of a region that maps DIMM is enabled (or active
 * through a btt/pfn/dax claim), 0 if none, -ENODEV if DIMM's bus is gone,
 * or another negative errno.  Reads a fresh view of sysfs on every call: a
 * namespace created after discovery must still block an overwrite.
 * "Enabled" is what libndctl sees: the namespace's driver link in sysfs.
 */
int ocxlfs_ndctl_namespaces_enabled(struct ndctl_dimm *dimm);

/*
 * The size rule the kernel applies before it touches an ND_CMD_CALL
 * envelope (__nd_ioctl: 64 + nd_size_in + nd_size_out <= 4 MiB).
 * 0 or -EINVAL; exposed for the tests.
 */
int ocxlfs_ndctl_envelope_check(const struct nd_cmd_pkg *pkg);

/* Routes libndctl's messages for CTX into our log, at our level. */
void ocxlfs_ndctl_log_setup(struct ndctl_ctx *ctx);

/* Serializes every use of libndctl objects, which are not thread-safe. */
void ocxlfs_ndctl_lock(void);
void ocxlfs_ndctl_unlock(void);

#endif /* OCXLFS_TRANSPORT_NDCTL_H */
