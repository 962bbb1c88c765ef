// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "proto/render.h"
#include "proto/render_errlog.h"
#include "proto/render_json.h"

int ocxlfs_errlog_text_record(void *out, uint32_t log_id, const uint8_t *raw, size_t len)
{
	struct ocxlfs_errlog el;
	int rc = ocxlfs_errlog_decode(raw, len, &el);

	if (!rc)
		return ocxlfs_render_errlog(out, &el);
	fprintf(out, "id: %u\nerror: undecodable entry (%s)\n\n", log_id, strerror(-rc));
	return ferror(out) ? -EIO : 0;
}

int ocxlfs_errlog_json_record(void *json, uint32_t log_id, const uint8_t *raw, size_t len)
{
	struct ocxlfs_errlog el;
	int rc = ocxlfs_errlog_decode(raw, len, &el);

	if (!rc)
		return ocxlfs_errlog_json_entry(json, &el);
	return ocxlfs_errlog_json_undecodable(json, log_id, rc);
}
