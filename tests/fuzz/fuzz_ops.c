// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target: the card operations (src/proto/ops.c) against a
 * hostile transport.  The transport answers every envelope with bytes from
 * the input: any return code, any nd_fw_size (larger or smaller than what
 * it wrote), any status, any data, and it may scribble over the sizes in
 * the envelope.  Like the kernel, it never writes more than nd_size_out
 * output bytes.  The oracle is docs/protocol.md 2.4 (check order), 3.4
 * (sizes offered) and 5 (status to errno); data buffers go through the
 * decoders, which have targets of their own.
 *
 * Input: op, transport mode, nd_fw_size (le32), two parameters (le32 each),
 * then the output bytes (preamble word and data buffer).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proto/ops.h"

#define IN_HEAD 14u

#define MODE_ERRNO    0x80u /* the ioctl fails with -((mode & 0x3F) + 1) */
#define MODE_POSITIVE 0x40u /* the ioctl returns a positive value */
#define MODE_HONEST   0x20u /* nd_fw_size = the bytes given, as a sane card */
#define MODE_SCRIBBLE 0x10u /* overwrite nd_size_in/out after answering */

struct hostile {
	struct ocxlfs_transport t;
	const uint8_t *reply;
	size_t reply_len;
	uint8_t mode;
	uint32_t fw_size;
	/* What the op sent, and what the answer looked like after copying. */
	unsigned calls;
	uint64_t family, command;
	uint32_t size_in, size_out;
	uint64_t in0;
	uint8_t *out_copy; /* nd_size_out bytes as the op will see them */
};

static int transport_rc(const struct hostile *h)
{
	if (h->mode & MODE_ERRNO)
		return -(int)((h->mode & 0x3F) + 1);
	return (h->mode & MODE_POSITIVE) ? 1 : 0;
}

static int hostile_call(struct ocxlfs_transport *t, struct nd_cmd_pkg *pkg)
{
	struct hostile *h = (struct hostile *)t;
	uint8_t *out = pkg->nd_payload + pkg->nd_size_in;
	size_t n;

	h->calls++;
	h->family = pkg->nd_family;
	h->command = pkg->nd_command;
	h->size_in = pkg->nd_size_in;
	h->size_out = pkg->nd_size_out;
	h->in0 = pkg->nd_size_in >= 8 ? fuzz_le64(pkg->nd_payload) : 0;
	if (h->mode & (MODE_ERRNO | MODE_POSITIVE))
		return transport_rc(h);
	n = h->reply_len < pkg->nd_size_out ? h->reply_len : pkg->nd_size_out;
	memcpy(out, h->reply, n);
	pkg->nd_fw_size = h->fw_size;
	h->out_copy = calloc(1, pkg->nd_size_out ? pkg->nd_size_out : 1);
	FUZZ_ASSERT(h->out_copy);
	memcpy(h->out_copy, out, pkg->nd_size_out);
	if (h->mode & MODE_SCRIBBLE) {
		pkg->nd_size_in = 0xFFFFFFF0u;
		pkg->nd_size_out = 0xFFFFFFF0u;
	}
	return 0;
}

static const struct ocxlfs_transport_ops hostile_ops = {.call = hostile_call};

/* docs/protocol.md section 5. */
static int status_errno(uint8_t status)
{
	switch (status) {
	case 0x00:
		return 0;
	case 0x20:
		return ENODEV;
	case 0x21:
		return EBUSY;
	case 0x50:
		return EOPNOTSUPP;
	case 0x51:
	case 0x52:
		return EINVAL;
	case 0x70:
		return EPERM;
	default:
		return EIO;
	}
}

/*
 * The envelope checks of docs/protocol.md 2.4, in order.  Returns 1 when
 * they pass and the data buffer (*data, *dlen) is next, else 0 with *rc.
 */
static int envelope(const struct hostile *h, int rc_transport, size_t room, bool reads_data,
		    const uint8_t **data, size_t *dlen, int *rc)
{
	if (rc_transport) {
		*rc = rc_transport < 0 ? rc_transport : -EIO;
		return 0;
	}
	if (h->fw_size < 8) {
		*rc = -EBADMSG;
		return 0;
	}
	if (h->out_copy[0]) {
		*rc = -status_errno(h->out_copy[0]);
		return 0;
	}
	*rc = 0;
	if (!reads_data)
		return 0;
	if (h->fw_size > 8 + room) {
		*rc = -EMSGSIZE;
		return 0;
	}
	*data = h->out_copy + 8;
	*dlen = h->fw_size - 8;
	return 1;
}

/* Runs one operation and checks its result and the request it sent. */
static void run(struct hostile *h, unsigned op, uint32_t p1, uint32_t p2)
{
	static const unsigned cmd_of[] = {
	    OCXLFS_CMD_IDENTIFY,	     OCXLFS_CMD_ERRLOG_NEXT,   OCXLFS_CMD_ERRLOG_ACK,
	    OCXLFS_CMD_STATS,	     OCXLFS_CMD_SMART,	     OCXLFS_CMD_DUMP_REQUEST,
	    OCXLFS_CMD_DUMP_READ,	     OCXLFS_CMD_DUMP_COMPLETE, OCXLFS_CMD_HEARTBEAT,
	    OCXLFS_CMD_HEALTH_REQUEST, OCXLFS_CMD_EVENT_CHECK,   OCXLFS_CMD_ERASE_START,
	    OCXLFS_CMD_ERASE_STATUS,
	};
	const unsigned cmd = cmd_of[op % (sizeof(cmd_of) / sizeof(cmd_of[0]))];
	struct ocxlfs_op_result res = {.status = 0xAA, .fw_size = 0xAAAA};
	const uint8_t *data = NULL;
	size_t room = 0, dlen = 0, len = 0;
	uint32_t want_in = 0;
	uint64_t want_w0 = 0;
	int rc, want = 0;
	bool called = true;

	switch (cmd) {
	case OCXLFS_CMD_IDENTIFY: {
		struct ocxlfs_identity id, ref;

		room = 4096;
		rc = ocxlfs_op_identify(&h->t, &id, &res);
		if (envelope(h, transport_rc(h), room, true, &data, &dlen, &want)) {
			want = ocxlfs_identity_decode(data, dlen, &ref);
			if (!want)
				FUZZ_ASSERT(!memcmp(&id, &ref, sizeof(id)));
		}
		break;
	}
	case OCXLFS_CMD_ERRLOG_NEXT: {
		/* A caller's buffer of any size, exactly that size on the heap. */
		size_t cap = p1 % (0x48 + 0xFFFF + 0x40);
		uint8_t *buf = malloc(cap ? cap : 1);
		struct ocxlfs_errlog el;

		FUZZ_ASSERT(buf);
		room = cap < 0x48 + 0xFFFF ? cap : 0x48 + 0xFFFF;
		rc = ocxlfs_op_errlog_next(&h->t, buf, cap, &len, NULL, &res);
		if (cap < 0x48) {
			want = -EINVAL;
			called = false;
		} else if (envelope(h, transport_rc(h), room, true, &data, &dlen, &want) && dlen) {
			want = ocxlfs_errlog_decode(data, dlen, &el);
		}
		FUZZ_ASSERT(len <= cap);
		if (!rc && len)
			FUZZ_ASSERT(len == dlen && !memcmp(buf, data, len));
		else
			FUZZ_ASSERT(len == 0);
		free(buf);
		break;
	}
	case OCXLFS_CMD_ERRLOG_ACK:
		want_in = 8;
		want_w0 = p1;
		rc = ocxlfs_op_errlog_ack(&h->t, p1, &res);
		envelope(h, transport_rc(h), 0, false, &data, &dlen, &want);
		break;
	case OCXLFS_CMD_STATS: {
		struct ocxlfs_stats st, ref;

		room = 4096;
		rc = ocxlfs_op_stats(&h->t, &st, &res);
		if (envelope(h, transport_rc(h), room, true, &data, &dlen, &want)) {
			want = ocxlfs_stats_decode(data, dlen, &ref);
			if (!want)
				FUZZ_ASSERT(!memcmp(&st, &ref, sizeof(st)));
		}
		break;
	}
	case OCXLFS_CMD_SMART: {
		struct ocxlfs_smart sm, ref;

		room = 4096;
		rc = ocxlfs_op_smart(&h->t, &sm, &res);
		if (envelope(h, transport_rc(h), room, true, &data, &dlen, &want)) {
			want = ocxlfs_smart_decode(data, dlen, &ref);
			if (!want)
				FUZZ_ASSERT(!memcmp(&sm, &ref, sizeof(sm)));
		}
		break;
	}
	case OCXLFS_CMD_DUMP_READ: {
		/* Mostly valid sizes; the top bit of p2 asks for any size at all. */
		uint32_t size = (p2 & 0x80000000u) ? p2 & 0x7FFFFFFFu : ((p2 % 0x1000) + 1) * 8;
		/* Exactly size bytes; one for sizes the op must refuse without writing. */
		uint8_t *dst = malloc(size && size <= OCXLFS_DUMP_CHUNK_MAX ? size : 1);
		const uint8_t *payload;
		size_t plen = 0, got = 0xAAAA;

		FUZZ_ASSERT(dst);
		want_in = 8;
		want_w0 = ((uint64_t)p1 << 32) | size;
		room = 8 + (size_t)size;
		rc = ocxlfs_op_dump_read(&h->t, p1, size, dst, &got, &res);
		if (size == 0 || size % 8 || size > OCXLFS_DUMP_CHUNK_MAX) {
			want = -EINVAL;
			called = false;
		} else if (envelope(h, transport_rc(h), room, true, &data, &dlen, &want)) {
			want = ocxlfs_dump_chunk_decode(data, dlen, &payload, &plen);
			if (!want && plen > size)
				want = -EMSGSIZE;
		}
		FUZZ_ASSERT(got <= size);
		if (!rc) {
			FUZZ_ASSERT(got == plen);
			FUZZ_ASSERT(!got || !memcmp(dst, payload, got));
		} else {
			FUZZ_ASSERT(got == 0);
		}
		free(dst);
		break;
	}
	case OCXLFS_CMD_EVENT_CHECK: {
		uint64_t mask = 0xAAAA;

		room = 4096;
		rc = ocxlfs_op_event_check(&h->t, &mask, &res);
		if (envelope(h, transport_rc(h), room, true, &data, &dlen, &want))
			want = dlen < 8 ? -EBADMSG : 0;
		FUZZ_ASSERT(mask == (!rc ? fuzz_le64(data) : 0));
		break;
	}
	case OCXLFS_CMD_ERASE_STATUS: {
		struct ocxlfs_erase_status es, ref;

		room = 4096;
		rc = ocxlfs_op_erase_status(&h->t, &es, &res);
		if (envelope(h, transport_rc(h), room, true, &data, &dlen, &want)) {
			want = ocxlfs_erase_status_decode(data, dlen, &ref);
			if (!want)
				FUZZ_ASSERT(!memcmp(&es, &ref, sizeof(es)));
		}
		break;
	}
	default: {
		/* The operations without input or data. */
		int (*simple)(struct ocxlfs_transport *, struct ocxlfs_op_result *) =
		    cmd == OCXLFS_CMD_DUMP_REQUEST     ? ocxlfs_op_dump_request
		    : cmd == OCXLFS_CMD_DUMP_COMPLETE  ? ocxlfs_op_dump_complete
		    : cmd == OCXLFS_CMD_HEARTBEAT	     ? ocxlfs_op_heartbeat
		    : cmd == OCXLFS_CMD_HEALTH_REQUEST ? ocxlfs_op_health_request
						     : ocxlfs_op_erase_start;

		rc = simple(&h->t, &res);
		envelope(h, transport_rc(h), 0, false, &data, &dlen, &want);
		break;
	}
	}

	FUZZ_ASSERT(rc == want);
	FUZZ_ASSERT(h->calls == (called ? 1u : 0u));
	if (!called) {
		FUZZ_ASSERT(res.status == 0 && res.fw_size == 0);
		return;
	}
	/* The request: docs/protocol.md 2.1, 3.1, 3.4. */
	FUZZ_ASSERT(h->family == OCXLFS_ND_FAMILY && h->command == cmd);
	FUZZ_ASSERT(h->size_in == want_in && h->size_out == 8 + room);
	FUZZ_ASSERT(h->in0 == want_w0);
	/* The result: the card's status and size whenever the card answered. */
	if (transport_rc(h) == 0) {
		FUZZ_ASSERT(res.fw_size == h->fw_size);
		FUZZ_ASSERT(res.status == (h->fw_size >= 8 ? h->out_copy[0] : 0));
	} else {
		FUZZ_ASSERT(res.status == 0 && res.fw_size == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hostile h = {.t = {.ops = &hostile_ops, .kind = "hostile"}};

	if (size < IN_HEAD)
		return 0;
	h.mode = data[1];
	h.reply = data + IN_HEAD;
	h.reply_len = size - IN_HEAD;
	h.fw_size = (h.mode & MODE_HONEST) ? (uint32_t)h.reply_len : fuzz_le32(data + 2);
	run(&h, data[0], fuzz_le32(data + 6), fuzz_le32(data + 10));
	free(h.out_copy);
	return 0;
}
