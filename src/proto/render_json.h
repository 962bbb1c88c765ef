/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Pure JSON renderers for the .json siblings of the text files: decoded
 * structs in, JSON out, written to a FILE* like the text renderers
 * (render.h).  Every function returns 0, -ENOMEM if json-c could not
 * allocate, or -EIO if the stream failed.  Field names, types and the
 * schema strings are ABI: docs/json.md.
 *
 * Rule for numbers: a value ocxlfs holds in 64 bits (serial, statistics,
 * SMART raw values, error-log timestamps) is a string of decimal digits,
 * because JSON parsers lose integers above 2^53; a value of 32 bits or
 * fewer is a JSON number.
 */
#ifndef OCXLFS_PROTO_RENDER_JSON_H
#define OCXLFS_PROTO_RENDER_JSON_H

#include <stdint.h>
#include <stdio.h>

#include "codec/codec.h"
#include "proto/verdict.h"
#include "proto/render.h"

#define OCXLFS_JSON_SCHEMA_INFO	    "ocxlfs.info/1"
#define OCXLFS_JSON_SCHEMA_STATISTICS "ocxlfs.statistics/1"
#define OCXLFS_JSON_SCHEMA_HEALTH	    "ocxlfs.health/1"
#define OCXLFS_JSON_SCHEMA_ERROR_LOG  "ocxlfs.error_log/1"

/* info.json: identity and capabilities; extra as for ocxlfs_render_info(). */
int ocxlfs_render_info_json(FILE *out, const struct ocxlfs_identity *id,
			  const struct ocxlfs_info_extra *extra);
/* statistics.json: the fields present in st, in enum order. */
int ocxlfs_render_stats_json(FILE *out, const struct ocxlfs_stats *st);
/* health.json: the SMART records, in card order. */
int ocxlfs_render_smart_json(FILE *out, const struct ocxlfs_smart *sm);
/* health.json: the SMART attributes and, if V is not NULL, the verdict and its reasons. */
int ocxlfs_render_health_json(FILE *out, const struct ocxlfs_smart *sm,
			      const struct ocxlfs_verdict_result *v);

/*
 * error_log.json is streamed, one entry at a time, because the journal is
 * large (up to its total, docs/tree.md 5.4) and is walked with a callback
 * (errlog_journal_foreach):
 *
 *	struct ocxlfs_errlog_json j;
 *	ocxlfs_errlog_json_begin(&j, out);
 *	for each journal record:
 *		ocxlfs_errlog_json_entry(&j, &el);          decoded, or
 *		ocxlfs_errlog_json_undecodable(&j, id, rc); decoder said rc
 *	return ocxlfs_errlog_json_end(&j);
 *
 * Every call after a failure returns that failure again, so a caller may
 * check only the result of _end().
 */
struct ocxlfs_errlog_json {
	FILE *out;
	unsigned long entries;
	int rc;
};
int ocxlfs_errlog_json_begin(struct ocxlfs_errlog_json *j, FILE *out);
int ocxlfs_errlog_json_entry(struct ocxlfs_errlog_json *j, const struct ocxlfs_errlog *el);
int ocxlfs_errlog_json_undecodable(struct ocxlfs_errlog_json *j, uint32_t log_id, int err);
int ocxlfs_errlog_json_end(struct ocxlfs_errlog_json *j);

#endif /* OCXLFS_PROTO_RENDER_JSON_H */
