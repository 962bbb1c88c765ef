// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Card operations over the passthru contract (<ocxlfs/passthru.h>): one
 * ND_CMD_CALL envelope per operation, built here, answered by whatever
 * transport sits below (kernel, v4 ioctl shim, simulator).
 *
 * Every reply is checked the same way, in this order: transport errno;
 * nd_fw_size must cover the status word; card status byte; truncation
 * (nd_fw_size > nd_size_out) for operations that read data; then the data
 * buffer goes through the codec, which never trusts the card.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto/ops.h"
#include "util/trace.h"

/*
 * Room for replies of the small fixed-format blocks.  Generous on purpose:
 * newer cards may append fields (compatibility rule) and a reply that does
 * not fit would be refused as truncated.
 */
#define OP_SMALL_DATA 0x1000u

struct op_call {
	unsigned cmd;
	unsigned nin;	    /* input words */
	uint64_t in[1];
	size_t max_data;    /* data-buffer room; 0 = the op reads no data */
	/* Outputs: data points into pkg, valid until op_release(). */
	struct nd_cmd_pkg *pkg;
	const uint8_t *data;
	size_t data_len;
};

static const char *const cmd_names[OCXLFS_CMD_MAX + 1] = {
	[OCXLFS_CMD_SMART] = "smart",
	[OCXLFS_CMD_IDENTIFY] = "identify",
	[OCXLFS_CMD_ERRLOG_NEXT] = "errlog-next",
	[OCXLFS_CMD_ERRLOG_ACK] = "errlog-ack",
	[OCXLFS_CMD_STATS] = "stats",
	[OCXLFS_CMD_DUMP_REQUEST] = "dump-request",
	[OCXLFS_CMD_DUMP_READ] = "dump-read",
	[OCXLFS_CMD_DUMP_COMPLETE] = "dump-complete",
	[OCXLFS_CMD_HEARTBEAT] = "heartbeat",
	[OCXLFS_CMD_HEALTH_REQUEST] = "health-request",
	[OCXLFS_CMD_EVENT_CHECK] = "event-check",
	[OCXLFS_CMD_ERASE_START] = "erase-start",
	[OCXLFS_CMD_ERASE_STATUS] = "erase-status",
};

const char *ocxlfs_cmd_name(unsigned cmd)
{
	if (cmd > OCXLFS_CMD_MAX || !cmd_names[cmd])
		return "unknown";
	return cmd_names[cmd];
}

static void op_release(struct op_call *c)
{
	free(c->pkg);
	c->pkg = NULL;
	c->data = NULL;
	c->data_len = 0;
}

/*
 * Sends one envelope.  On success (0) c->data/c->data_len describe the
 * card's data buffer; the caller must op_release() in every case.  RES
 * may be NULL.
 */
static int op_exec(struct ocxlfs_transport *t, struct op_call *c, struct ocxlfs_op_result *res)
{
	const uint32_t size_in = 8u * c->nin;
	const uint32_t size_out = OCXLFS_PKG_OUT_HDR + (uint32_t)c->max_data;
	struct ocxlfs_op_result local;
	struct nd_cmd_pkg *pkg;
	uint8_t *out;
	uint32_t fw_size;
	unsigned i;
	int rc;

	if (!res)
		res = &local;
	res->status = OCXLFS_STATUS_SUCCESS;
	res->fw_size = 0;
	c->pkg = NULL;
	c->data = NULL;
	c->data_len = 0;
	if (!t || !t->ops || !t->ops->call)
		return -ENODEV;

	pkg = calloc(1, sizeof(*pkg) + size_in + size_out);
	if (!pkg)
		return -ENOMEM;
	c->pkg = pkg;
	pkg->nd_family = OCXLFS_ND_FAMILY;
	pkg->nd_command = c->cmd;
	pkg->nd_size_in = size_in;
	pkg->nd_size_out = size_out;
	for (i = 0; i < c->nin; i++)
		ocxlfs_put_le64(pkg->nd_payload + 8 * i, c->in[i]);

	ocxlfs_trace("cmd", "%s %s %llu", t->device, ocxlfs_cmd_name(c->cmd),
		     c->nin ? (unsigned long long)c->in[0] : 0ULL);
	rc = t->ops->call(t, pkg);
	if (rc < 0)
		return rc;
	if (rc > 0) /* not in the contract: do not let it pass as success */
		return -EIO;

	/* Our own sizes, not the ones in pkg: the transport may have scribbled. */
	out = pkg->nd_payload + size_in;
	fw_size = pkg->nd_fw_size;
	res->fw_size = fw_size;
	if (fw_size < OCXLFS_PKG_OUT_HDR)
		return -EBADMSG;
	res->status = (uint8_t)ocxlfs_get_le64(out);
	if (res->status != OCXLFS_STATUS_SUCCESS)
		return -ocxlfs_status_errno(res->status);
	if (!c->max_data)
		return 0; /* nothing to read: any data the card sent is ignored */
	if (fw_size > size_out)
		return -EMSGSIZE;
	c->data = out + OCXLFS_PKG_OUT_HDR;
	c->data_len = fw_size - OCXLFS_PKG_OUT_HDR;
	return 0;
}

/* Argument checks fail before op_exec(): still leave res meaningful. */
static void res_reset(struct ocxlfs_op_result *res)
{
	if (res) {
		res->status = OCXLFS_STATUS_SUCCESS;
		res->fw_size = 0;
	}
}

/* Operations with no data to read: none or one parameter word. */
static int op_simple(struct ocxlfs_transport *t, unsigned cmd, unsigned nin, uint64_t in,
		     struct ocxlfs_op_result *res)
{
	struct op_call c = { .cmd = cmd, .nin = nin, .in = { in } };
	int rc = op_exec(t, &c, res);

	op_release(&c);
	return rc;
}

/* Operations that read one small fixed-format block into c->data. */
static int op_read_small(struct ocxlfs_transport *t, unsigned cmd, struct op_call *c,
			 struct ocxlfs_op_result *res)
{
	*c = (struct op_call){ .cmd = cmd, .max_data = OP_SMALL_DATA };
	return op_exec(t, c, res);
}

int ocxlfs_op_identify(struct ocxlfs_transport *t, struct ocxlfs_identity *id,
		     struct ocxlfs_op_result *res)
{
	struct op_call c;
	int rc = op_read_small(t, OCXLFS_CMD_IDENTIFY, &c, res);

	if (!rc)
		rc = ocxlfs_identity_decode(c.data, c.data_len, id);
	op_release(&c);
	return rc;
}

int ocxlfs_op_errlog_next(struct ocxlfs_transport *t, uint8_t *buf, size_t cap, size_t *len,
			  uint32_t *log_id, struct ocxlfs_op_result *res)
{
	struct op_call c = { .cmd = OCXLFS_CMD_ERRLOG_NEXT };
	struct ocxlfs_errlog el;
	int rc;

	*len = 0;
	res_reset(res);
	/* An entry larger than the caller's buffer comes back as truncated. */
	c.max_data = cap < OCXLFS_EL_MAX_SIZE ? cap : OCXLFS_EL_MAX_SIZE;
	if (c.max_data < OCXLFS_EL_FIXED)
		return -EINVAL;
	rc = op_exec(t, &c, res);
	if (rc || c.data_len == 0)
		goto out;
	/* Hand up only what decodes; the entry stays on the card until acked. */
	rc = ocxlfs_errlog_decode(c.data, c.data_len, &el);
	if (rc)
		goto out;
	memcpy(buf, c.data, c.data_len);
	*len = c.data_len;
	if (log_id)
		*log_id = el.log_id;
out:
	op_release(&c);
	return rc;
}

int ocxlfs_op_errlog_ack(struct ocxlfs_transport *t, uint32_t log_id, struct ocxlfs_op_result *res)
{
	return op_simple(t, OCXLFS_CMD_ERRLOG_ACK, 1, log_id, res);
}

int ocxlfs_op_stats(struct ocxlfs_transport *t, struct ocxlfs_stats *st, struct ocxlfs_op_result *res)
{
	struct op_call c;
	int rc = op_read_small(t, OCXLFS_CMD_STATS, &c, res);

	if (!rc)
		rc = ocxlfs_stats_decode(c.data, c.data_len, st);
	op_release(&c);
	return rc;
}

int ocxlfs_op_smart(struct ocxlfs_transport *t, struct ocxlfs_smart *sm, struct ocxlfs_op_result *res)
{
	struct op_call c;
	int rc = op_read_small(t, OCXLFS_CMD_SMART, &c, res);

	if (!rc)
		rc = ocxlfs_smart_decode(c.data, c.data_len, sm);
	op_release(&c);
	return rc;
}

int ocxlfs_op_dump_request(struct ocxlfs_transport *t, struct ocxlfs_op_result *res)
{
	return op_simple(t, OCXLFS_CMD_DUMP_REQUEST, 0, 0, res);
}

int ocxlfs_op_dump_read(struct ocxlfs_transport *t, uint32_t off, uint32_t size, uint8_t *dst,
		      size_t *got, struct ocxlfs_op_result *res)
{
	struct op_call c = { .cmd = OCXLFS_CMD_DUMP_READ, .nin = 1 };
	const uint8_t *payload;
	size_t plen;
	int rc;

	*got = 0;
	res_reset(res);
	if (size == 0 || size % 8 || size > OCXLFS_DUMP_CHUNK_MAX)
		return -EINVAL;
	c.in[0] = ((uint64_t)off << 32) | size;
	c.max_data = 8u + size; /* 'CD' header + payload */
	rc = op_exec(t, &c, res);
	if (rc)
		goto out;
	rc = ocxlfs_dump_chunk_decode(c.data, c.data_len, &payload, &plen);
	if (rc)
		goto out;
	if (plen > size) { /* more than asked for: do not overrun dst */
		rc = -EMSGSIZE;
		goto out;
	}
	if (plen)
		memcpy(dst, payload, plen);
	*got = plen;
out:
	op_release(&c);
	return rc;
}

int ocxlfs_op_dump_complete(struct ocxlfs_transport *t, struct ocxlfs_op_result *res)
{
	return op_simple(t, OCXLFS_CMD_DUMP_COMPLETE, 0, 0, res);
}

int ocxlfs_op_heartbeat(struct ocxlfs_transport *t, struct ocxlfs_op_result *res)
{
	return op_simple(t, OCXLFS_CMD_HEARTBEAT, 0, 0, res);
}

int ocxlfs_op_health_request(struct ocxlfs_transport *t, struct ocxlfs_op_result *res)
{
	return op_simple(t, OCXLFS_CMD_HEALTH_REQUEST, 0, 0, res);
}

int ocxlfs_op_event_check(struct ocxlfs_transport *t, uint64_t *mask, struct ocxlfs_op_result *res)
{
	struct op_call c;
	int rc;

	*mask = 0;
	rc = op_read_small(t, OCXLFS_CMD_EVENT_CHECK, &c, res);
	if (!rc && c.data_len < 8)
		rc = -EBADMSG;
	if (!rc)
		*mask = ocxlfs_get_le64(c.data);
	op_release(&c);
	return rc;
}

int ocxlfs_op_erase_start(struct ocxlfs_transport *t, struct ocxlfs_op_result *res)
{
	return op_simple(t, OCXLFS_CMD_ERASE_START, 0, 0, res);
}

int ocxlfs_op_erase_status(struct ocxlfs_transport *t, struct ocxlfs_erase_status *es,
			 struct ocxlfs_op_result *res)
{
	struct op_call c;
	int rc = op_read_small(t, OCXLFS_CMD_ERASE_STATUS, &c, res);

	if (!rc)
		rc = ocxlfs_erase_status_decode(c.data, c.data_len, es);
	op_release(&c);
	return rc;
}
