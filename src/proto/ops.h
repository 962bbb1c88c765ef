/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Card operations: each builds one ND_CMD_CALL envelope of the passthru
 * contract, sends it through the transport, checks the status byte and
 * decodes the data buffer.  They return 0 or a negative errno; when the
 * card answered with a non-success status, *status (if given) holds it and
 * the errno is ocxlfs_status_errno(status).  No logging here: the caller
 * (src/card) logs once, with the card's name.
 */
#ifndef OCXLFS_PROTO_OPS_H
#define OCXLFS_PROTO_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "codec/codec.h"
#include "transport/transport.h"

struct ocxlfs_op_result {
	uint8_t status;	     /* card status byte, OCXLFS_STATUS_SUCCESS if none */
	uint32_t fw_size;    /* nd_fw_size of the reply */
};

const char *ocxlfs_cmd_name(unsigned cmd);

int ocxlfs_op_identify(struct ocxlfs_transport *t, struct ocxlfs_identity *id,
		     struct ocxlfs_op_result *res);
/*
 * Copies the oldest queued 'EL' entry (raw bytes) into buf and its log
 * identifier into *log_id (may be NULL): only an entry that decodes is
 * handed up, so the caller need not decode it again.  *len = 0 when the
 * card has none.  The entry stays on the card until ocxlfs_op_errlog_ack().
 */
int ocxlfs_op_errlog_next(struct ocxlfs_transport *t, uint8_t *buf, size_t cap, size_t *len,
			  uint32_t *log_id, struct ocxlfs_op_result *res);
int ocxlfs_op_errlog_ack(struct ocxlfs_transport *t, uint32_t log_id,
		       struct ocxlfs_op_result *res);
int ocxlfs_op_stats(struct ocxlfs_transport *t, struct ocxlfs_stats *st,
		  struct ocxlfs_op_result *res);
int ocxlfs_op_smart(struct ocxlfs_transport *t, struct ocxlfs_smart *sm,
		  struct ocxlfs_op_result *res);
int ocxlfs_op_dump_request(struct ocxlfs_transport *t, struct ocxlfs_op_result *res);
/* Reads up to size (multiple of 8, <= OCXLFS_DUMP_CHUNK_MAX) at off; *got = 0 at the end. */
int ocxlfs_op_dump_read(struct ocxlfs_transport *t, uint32_t off, uint32_t size,
		      uint8_t *dst, size_t *got, struct ocxlfs_op_result *res);
int ocxlfs_op_dump_complete(struct ocxlfs_transport *t, struct ocxlfs_op_result *res);
int ocxlfs_op_heartbeat(struct ocxlfs_transport *t, struct ocxlfs_op_result *res);
int ocxlfs_op_health_request(struct ocxlfs_transport *t, struct ocxlfs_op_result *res);
int ocxlfs_op_event_check(struct ocxlfs_transport *t, uint64_t *mask,
			struct ocxlfs_op_result *res);
int ocxlfs_op_erase_start(struct ocxlfs_transport *t, struct ocxlfs_op_result *res);
int ocxlfs_op_erase_status(struct ocxlfs_transport *t, struct ocxlfs_erase_status *es,
			 struct ocxlfs_op_result *res);

#endif /* OCXLFS_PROTO_OPS_H */
