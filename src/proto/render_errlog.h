/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * error_log and error_log.json, one journal record at a time: the record's
 * raw bytes are decoded once, here, and shown by the text renderer
 * (render.h) or the JSON one (render_json.h).  A record whose CRC held but
 * that does not decode is what the card sent, so both files show it as
 * undecodable rather than failing (docs/tree.md section 2.6, docs/json.md
 * section 5).
 *
 * Both have the callback shape of card_walk_errlog() and errlog_journal_foreach():
 * ARG is the FILE * (text) or the struct ocxlfs_errlog_json * (JSON).
 */
#ifndef OCXLFS_PROTO_RENDER_ERRLOG_H
#define OCXLFS_PROTO_RENDER_ERRLOG_H

#include <stddef.h>
#include <stdint.h>

int ocxlfs_errlog_text_record(void *out, uint32_t log_id, const uint8_t *raw, size_t len);
int ocxlfs_errlog_json_record(void *json, uint32_t log_id, const uint8_t *raw, size_t len);

#endif /* OCXLFS_PROTO_RENDER_ERRLOG_H */
