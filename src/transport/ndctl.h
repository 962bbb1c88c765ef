/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ND_CMD_CALL transport: envelopes of the passthru contract and the
 * DIMM's label area (GET_CONFIG_SIZE / GET_CONFIG_DATA / SET_CONFIG_DATA)
 * on /dev/nmemN, a libnvdimm DIMM found with libndctl.  The same code
 * serves a simulated card (transport/sim.h) with the simulator's ioctl in
 * place of the kernel's.
 */
#ifndef OCXLFS_TRANSPORT_NDCTL_H
#define OCXLFS_TRANSPORT_NDCTL_H

#include <ndctl/libndctl.h>

#include "transport/transport.h"

/*
 * Creates a transport for DIMM (kind "ndctl", device "/dev/nmemN").  It
 * takes its own reference on CTX (ndctl_ref), dropped by destroy, so the
 * caller may ndctl_unref() its own at once; DIMM stays valid as long as
 * CTX lives.  The device node is opened on first use and kept open.
 */
int ocxlfs_transport_ndctl_new(struct ndctl_ctx *ctx, struct ndctl_dimm *dimm,
			       struct ocxlfs_transport **out);

/*
 * 1 if any namespace of a region that maps DIMM is enabled (or active
 * through a btt/pfn/dax claim), 0 if none, -ENODEV if DIMM's bus is gone,
 * or another negative errno.  Reads a fresh view of sysfs on every call: a
 * namespace created after discovery must still block an overwrite.
 * "Enabled" is what libndctl sees: the namespace's driver link in sysfs.
 */
int ocxlfs_ndctl_namespaces_enabled(struct ndctl_dimm *dimm);

/* Routes libndctl's messages for CTX into our log, at our level. */
void ocxlfs_ndctl_log_setup(struct ndctl_ctx *ctx);

/* Serializes every use of libndctl objects, which are not thread-safe. */
void ocxlfs_ndctl_lock(void);
void ocxlfs_ndctl_unlock(void);

#endif /* OCXLFS_TRANSPORT_NDCTL_H */
