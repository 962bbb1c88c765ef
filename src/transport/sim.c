// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Simulator transport.  The label area is moved in max_xfer chunks through
 * GET_CONFIG_DATA / SET_CONFIG_DATA, as libndctl does on a real DIMM, so the
 * chunking and bounds paths are the same ones the kernel sees.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/ndctl.h>

#include "sim/sim.h"
#include "transport/sim.h"

struct sim_transport {
	struct ocxlfs_transport base;
	struct sim_card *sim;
	uint32_t max_xfer; /* 0 until the first GET_CONFIG_SIZE */
	uint8_t *buf;	   /* one ioctl's header + chunk + trailing status */
};

static struct sim_transport *to_st(struct ocxlfs_transport *t)
{
	return (struct sim_transport *)t;
}

static int st_call(struct ocxlfs_transport *t, struct nd_cmd_pkg *pkg)
{
	return sim_card_ioctl(to_st(t)->sim, ND_IOCTL_CALL, pkg);
}

static int st_label_size(struct ocxlfs_transport *t, uint32_t *size, uint32_t *max_xfer)
{
	struct sim_transport *st = to_st(t);
	struct nd_cmd_get_config_size cs = { 0 };
	int rc = sim_card_ioctl(st->sim, ND_IOCTL_GET_CONFIG_SIZE, &cs);

	if (rc)
		return rc;
	if (cs.status)
		return -EIO;
	if (cs.max_xfer == 0)
		return -EPROTO;
	if (st->max_xfer != cs.max_xfer) {
		uint8_t *b = malloc(sizeof(struct nd_cmd_get_config_data_hdr) + cs.max_xfer + 4);

		if (!b)
			return -ENOMEM;
		free(st->buf);
		st->buf = b;
		st->max_xfer = cs.max_xfer;
	}
	if (size)
		*size = cs.config_size;
	if (max_xfer)
		*max_xfer = cs.max_xfer;
	return 0;
}

static int ensure_xfer(struct sim_transport *st)
{
	return st->max_xfer ? 0 : st_label_size(&st->base, NULL, NULL);
}

static int st_label_read(struct ocxlfs_transport *t, void *buf, uint32_t off, uint32_t len)
{
	struct sim_transport *st = to_st(t);
	int rc = ensure_xfer(st);

	if (rc)
		return rc;
	if ((uint64_t)off + len > UINT32_MAX)
		return -EINVAL;
	for (uint32_t done = 0; done < len;) {
		struct nd_cmd_get_config_data_hdr *h = (void *)st->buf;
		uint32_t n = len - done < st->max_xfer ? len - done : st->max_xfer;

		h->in_offset = off + done;
		h->in_length = n;
		h->status = 0;
		rc = sim_card_ioctl(st->sim, ND_IOCTL_GET_CONFIG_DATA, h);
		if (rc)
			return rc;
		if (h->status)
			return -EIO;
		memcpy((uint8_t *)buf + done, h->out_buf, n);
		done += n;
	}
	return 0;
}

static int st_label_write(struct ocxlfs_transport *t, const void *buf, uint32_t off, uint32_t len)
{
	struct sim_transport *st = to_st(t);
	int rc = ensure_xfer(st);

	if (rc)
		return rc;
	if ((uint64_t)off + len > UINT32_MAX)
		return -EINVAL;
	for (uint32_t done = 0; done < len;) {
		struct nd_cmd_set_config_hdr *h = (void *)st->buf;
		uint32_t n = len - done < st->max_xfer ? len - done : st->max_xfer;
		uint32_t status;

		h->in_offset = off + done;
		h->in_length = n;
		memcpy(h->in_buf, (const uint8_t *)buf + done, n);
		memset(h->in_buf + n, 0xFF, sizeof(status));
		rc = sim_card_ioctl(st->sim, ND_IOCTL_SET_CONFIG_DATA, h);
		if (rc)
			return rc;
		/* The status word follows the data, unaligned. */
		memcpy(&status, h->in_buf + n, sizeof(status));
		if (status)
			return -EIO;
		done += n;
	}
	return 0;
}

static int st_namespaces_enabled(struct ocxlfs_transport *t)
{
	return sim_card_namespace_enabled(to_st(t)->sim) ? 1 : 0;
}

static void st_destroy(struct ocxlfs_transport *t)
{
	struct sim_transport *st = to_st(t);

	free(st->buf);
	free(st);
}

static const struct ocxlfs_transport_ops sim_ops = {
	.call = st_call,
	.label_size = st_label_size,
	.label_read = st_label_read,
	.label_write = st_label_write,
	.namespaces_enabled = st_namespaces_enabled,
	.destroy = st_destroy,
};

int ocxlfs_transport_sim_new(struct sim_card *sim, unsigned index, struct ocxlfs_transport **out)
{
	struct sim_transport *st;

	*out = NULL;
	if (!sim)
		return -EINVAL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->base.ops = &sim_ops;
	st->base.kind = "simulator";
	snprintf(st->base.device, sizeof(st->base.device), "sim:%u", index);
	st->sim = sim;
	*out = &st->base;
	return 0;
}
