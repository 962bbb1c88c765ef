/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Pure JSON renderer of N/labels.json (docs/json.md section 7): a decoded
 * label area (codec/labels.h) in, schema ocxlfs.labels/1 out.  The labels
 * are streamed, one object per line, because an area of 16 MiB has up to
 * 131072 slots and is never decoded as a whole:
 *
 *	struct ocxlfs_labels_json j;
 *	ocxlfs_labels_json_begin(&j, out, &area);
 *	for each slot in use: ocxlfs_labels_json_label(&j, &label);
 *	return ocxlfs_labels_json_end(&j);
 *
 * Every call returns 0, -ENOMEM (json-c) or -EIO (the stream), and after
 * a failure returns that failure again, so a caller may check only _end().
 */
#ifndef OCXLFS_PROTO_RENDER_LABELS_H
#define OCXLFS_PROTO_RENDER_LABELS_H

#include <stdio.h>

#include "codec/labels.h"

#define OCXLFS_JSON_SCHEMA_LABELS "ocxlfs.labels/1"

struct ocxlfs_labels_json {
	FILE *out;
	unsigned long labels;
	int rc;
};
int ocxlfs_labels_json_begin(struct ocxlfs_labels_json *j, FILE *out,
			     const struct ocxlfs_label_area *area);
int ocxlfs_labels_json_label(struct ocxlfs_labels_json *j, const struct ocxlfs_nslabel *l);
int ocxlfs_labels_json_end(struct ocxlfs_labels_json *j);

/* "empty", "unformatted", or the current index's version ("1.1", "1.2"). */
void ocxlfs_labels_format_name(const struct ocxlfs_label_area *area, char *buf, size_t cap);

#endif /* OCXLFS_PROTO_RENDER_LABELS_H */
