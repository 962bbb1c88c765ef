/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one seam between ocxlfs and a card.  Above it everything is the same
 * for a real card and a simulated one: the card operations (src/proto/ops.c)
 * build ND_CMD_CALL envelopes and hand them to ->call(); the label area goes
 * through the three config-data operations, as libndctl does.
 *
 * Every op returns 0 or a negative errno.  Calls on one transport are
 * serialized by the caller (the card's lock).
 */
#ifndef OCXLFS_TRANSPORT_H
#define OCXLFS_TRANSPORT_H

#include <stdint.h>
#include <linux/ndctl.h>

struct ocxlfs_transport;

struct ocxlfs_transport_ops {
	/* ND_CMD_CALL: pkg is followed by nd_size_in + nd_size_out bytes. */
	int (*call)(struct ocxlfs_transport *t, struct nd_cmd_pkg *pkg);
	int (*label_size)(struct ocxlfs_transport *t, uint32_t *size, uint32_t *max_xfer);
	int (*label_read)(struct ocxlfs_transport *t, void *buf, uint32_t off, uint32_t len);
	int (*label_write)(struct ocxlfs_transport *t, const void *buf, uint32_t off, uint32_t len);
	/*
	 * 1 if a namespace on the card is enabled (its media is in use), 0 if
	 * none is, -EOPNOTSUPP if the host cannot tell.  Overwrite asks first.
	 */
	int (*namespaces_enabled)(struct ocxlfs_transport *t);
	void (*destroy)(struct ocxlfs_transport *t);
};

struct ocxlfs_transport {
	const struct ocxlfs_transport_ops *ops;
	const char *kind;   /* "simulator", "ndctl", "ioctl-v4" */
	char device[64];    /* "/dev/nmem0", "sim:0" */
};

static inline void ocxlfs_transport_destroy(struct ocxlfs_transport *t)
{
	if (t)
		t->ops->destroy(t);
}

#endif /* OCXLFS_TRANSPORT_H */
