/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Card operations: each builds one ND_CMD_CALL envelope of the passthru
 * contract, sends it through the transport, checks the status byte and
 * decodes the data buffer.  They return 0 or a negative errno; when the
 * card answered with a non-success status, *status (if given) holds it and
 * the errno is ocxl_status_errno(status).  No logging here: the caller
 * (src/card) logs once, with the card's name.
 */
#ifndef OCXLFS_PROTO_OPS_H
#define OCXLFS_PROTO_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "proto/codec.h"
#include "transport/transport.h"

/* Largest data buffer any operation expects (a dump chunk plus header). */
#define OCXL_OP_MAX_DATA (OCXL_DUMP_CHUNK_MAX + 8u)

struct ocxl_op_result {
	uint8_t status;	     /* card status byte, OCXL_STATUS_SUCCESS if none */
	uint32_t fw_size;    /* nd_fw_size of the reply */
};

const char *ocxl_cmd_name(unsigned cmd);

int ocxl_op_identify(struct ocxl_transport *t, struct ocxl_identity *id,
		     struct ocxl_op_result *res);
/*
 * Copies the oldest queued 'EL' entry (raw bytes) into buf; *len = 0 when
 * the card has none.  The entry stays on the card until ocxl_op_errlog_ack().
 */
int ocxl_op_errlog_next(struct ocxl_transport *t, uint8_t *buf, size_t cap,
			size_t *len, struct ocxl_op_result *res);
int ocxl_op_errlog_ack(struct ocxl_transport *t, uint32_t log_id,
		       struct ocxl_op_result *res);
int ocxl_op_stats(struct ocxl_transport *t, struct ocxl_stats *st,
		  struct ocxl_op_result *res);
int ocxl_op_smart(struct ocxl_transport *t, struct ocxl_smart *sm,
		  struct ocxl_op_result *res);
int ocxl_op_dump_request(struct ocxl_transport *t, struct ocxl_op_result *res);
/* Reads up to size (multiple of 8, <= OCXL_DUMP_CHUNK_MAX) at off; *got = 0 at the end. */
int ocxl_op_dump_read(struct ocxl_transport *t, uint32_t off, uint32_t size,
		      uint8_t *dst, size_t *got, struct ocxl_op_result *res);
int ocxl_op_dump_complete(struct ocxl_transport *t, struct ocxl_op_result *res);
int ocxl_op_heartbeat(struct ocxl_transport *t, struct ocxl_op_result *res);
int ocxl_op_health_request(struct ocxl_transport *t, struct ocxl_op_result *res);
int ocxl_op_event_check(struct ocxl_transport *t, uint64_t *mask,
			struct ocxl_op_result *res);
int ocxl_op_erase_start(struct ocxl_transport *t, struct ocxl_op_result *res);
int ocxl_op_erase_status(struct ocxl_transport *t, struct ocxl_erase_status *es,
			 struct ocxl_op_result *res);

#endif /* OCXLFS_PROTO_OPS_H */
