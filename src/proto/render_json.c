// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Pure JSON renderers (render_json.h).  Objects are built with json-c so
 * that escaping is never hand-made, then serialised compactly; error_log
 * is framed by hand around one serialised object per entry so that the
 * journal is never held as one tree.  Names and types are ABI: docs/json.md.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "proto/json_put.h"
#include "proto/render_json.h"


/* Same normalisation as the firmware_version file: trailing spaces go. */
static struct json_object *trimmed_string(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	while (n > 0 && s[n - 1] == ' ')
		n--;
	return json_object_new_string_len(s, (int)n);
}

int ocxlfs_render_info_json(FILE *out, const struct ocxlfs_identity *id,
			  const struct ocxlfs_info_extra *extra)
{
	static const struct ocxlfs_info_extra none;
	struct json_object *o = json_object_new_object();
	unsigned rev = OCXLFS_CCAP0_REVISION(id->ccap0);
	char revision[16];

	if (!o)
		return -ENOMEM;
	if (!extra)
		extra = &none;
	snprintf(revision, sizeof(revision), "%u.%u", rev >> 4, rev & 0xF);
	if (ocxlfs_json_put_str(o, "schema", OCXLFS_JSON_SCHEMA_INFO) || ocxlfs_json_put_u64(o, "serial", id->serial) ||
	    ocxlfs_json_put(o, "firmware_version", trimmed_string(id->fw_version, sizeof(id->fw_version))) ||
	    ocxlfs_json_put_str(o, "revision", revision) ||
	    ocxlfs_json_put_num(o, "read_latency_ns", OCXLFS_CCAP0_READ_LATENCY_NS(id->ccap0)) ||
	    ocxlfs_json_put_num(o, "ready_timeout_s", OCXLFS_CCAP0_READY_TIMEOUT_S(id->ccap0)) ||
	    ocxlfs_json_put_num(o, "memory_available_timeout_s", OCXLFS_CCAP0_MEM_AVAIL_TIMEOUT_S(id->ccap0)) ||
	    ocxlfs_json_put_num(o, "max_dump_size", (uint32_t)OCXLFS_CCAP1_MAX_DUMP_SIZE(id->ccap1)) ||
	    /* null, not a guess, when an older identity block lacks it */
	    (id->has_admin_buffer_size ? ocxlfs_json_put_num(o, "admin_buffer_size", id->admin_buffer_size)
				       : json_object_object_add(o, "admin_buffer_size", NULL)) ||
	    ocxlfs_json_put_num(o, "label_size", extra->label_size) ||
	    ocxlfs_json_put_num(o, "label_max_xfer", extra->label_max_xfer) ||
	    ocxlfs_json_put_hex64(o, "ccap0", id->ccap0) || ocxlfs_json_put_hex64(o, "ccap1", id->ccap1) ||
	    (extra->transport ? ocxlfs_json_put_str(o, "transport", extra->transport)
			      : json_object_object_add(o, "transport", NULL)) ||
	    (extra->device ? ocxlfs_json_put_str(o, "device", extra->device)
			   : json_object_object_add(o, "device", NULL))) {
		json_object_put(o);
		return -ENOMEM;
	}
	return ocxlfs_json_emit(out, o, "\n");
}

int ocxlfs_render_stats_json(FILE *out, const struct ocxlfs_stats *st)
{
	struct json_object *o = json_object_new_object();
	struct json_object *values = json_object_new_object();
	unsigned f;

	if (!o || !values)
		goto nomem;
	for (f = 0; f < OCXLFS_STAT_NR; f++) {
		if (!(st->present & (1u << f)))
			continue;
		if (ocxlfs_json_put_u64(values, ocxlfs_stat_name((enum ocxlfs_stat_field)f), st->value[f]))
			goto nomem;
	}
	if (ocxlfs_json_put_str(o, "schema", OCXLFS_JSON_SCHEMA_STATISTICS))
		goto nomem;
	if (ocxlfs_json_put(o, "statistics", values)) {
		values = NULL; /* ocxlfs_json_put() dropped it */
		goto nomem;
	}
	values = NULL;
	if (ocxlfs_json_put_num(o, "unknown_blocks", st->unknown_blocks))
		goto nomem;
	return ocxlfs_json_emit(out, o, "\n");
nomem:
	json_object_put(values);
	json_object_put(o);
	return -ENOMEM;
}

static struct json_object *smart_attr(const struct ocxlfs_smart_attr *a)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (ocxlfs_json_put_num(o, "id", a->id) || ocxlfs_json_put_str(o, "name", ocxlfs_smart_attr_name(a->id)) ||
	    ocxlfs_json_put_num(o, "current", a->current) || ocxlfs_json_put_num(o, "worst", a->worst) ||
	    ocxlfs_json_put_num(o, "threshold", a->threshold) || ocxlfs_json_put_num(o, "flags", a->flags) ||
	    ocxlfs_json_put_u64(o, "raw", a->raw)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* The verdict's members of health.json: "verdict" and "reasons". */
static int put_verdict(struct json_object *o, const struct ocxlfs_verdict_result *v)
{
	struct json_object *reasons = json_object_new_array();

	if (!reasons || ocxlfs_json_put_str(o, "verdict", ocxlfs_verdict_name(v->verdict)))
		goto nomem;
	for (unsigned i = 0; i < v->nreasons; i++) {
		struct json_object *r = json_object_new_object();

		if (ocxlfs_json_array_add(reasons, r) ||
		    ocxlfs_json_put_str(r, "level", ocxlfs_verdict_name(v->reason[i].level)) ||
		    ocxlfs_json_put_str(r, "rule", v->reason[i].rule) || ocxlfs_json_put_str(r, "text", v->reason[i].text))
			goto nomem;
	}
	return ocxlfs_json_put(o, "reasons", reasons);
nomem:
	json_object_put(reasons);
	return -ENOMEM;
}

int ocxlfs_render_health_json(FILE *out, const struct ocxlfs_smart *sm,
			      const struct ocxlfs_verdict_result *v)
{
	unsigned i, n = sm->count < OCXLFS_SMART_MAX_ATTRS ? sm->count : OCXLFS_SMART_MAX_ATTRS;
	struct json_object *o = json_object_new_object();
	struct json_object *attrs = json_object_new_array();

	if (!o || !attrs)
		goto nomem;
	for (i = 0; i < n; i++)
		if (ocxlfs_json_array_add(attrs, smart_attr(&sm->attr[i])))
			goto nomem;
	if (ocxlfs_json_put_str(o, "schema", OCXLFS_JSON_SCHEMA_HEALTH))
		goto nomem;
	if (v && put_verdict(o, v))
		goto nomem;
	if (ocxlfs_json_put(o, "attributes", attrs)) {
		attrs = NULL;
		goto nomem;
	}
	return ocxlfs_json_emit(out, o, "\n");
nomem:
	json_object_put(attrs);
	json_object_put(o);
	return -ENOMEM;
}

int ocxlfs_render_smart_json(FILE *out, const struct ocxlfs_smart *sm)
{
	return ocxlfs_render_health_json(out, sm, NULL);
}

/* The same names as the text file's action_flags line, in the same order. */
static struct json_object *action_names(uint32_t flags)
{
	struct json_object *a = json_object_new_array();

	for (unsigned bit = 0; a && bit < 32; bit++) {
		char buf[OCXLFS_ACTION_NAME_LEN];

		if ((flags & (1u << bit)) &&
		    ocxlfs_json_array_add(a, json_object_new_string(ocxlfs_action_name(bit, buf)))) {
			json_object_put(a);
			return NULL;
		}
	}
	return a;
}

static struct json_object *hex_string(const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	struct json_object *s;
	char *hex = malloc(2 * n + 1);
	size_t i;

	if (!hex)
		return NULL;
	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[p[i] >> 4];
		hex[2 * i + 1] = digits[p[i] & 0xF];
	}
	hex[2 * n] = '\0';
	s = json_object_new_string_len(hex, (int)(2 * n));
	free(hex);
	return s;
}

static struct json_object *errlog_entry(const struct ocxlfs_errlog *el)
{
	struct json_object *o = json_object_new_object();
	char wwid[33];

	if (!o)
		return NULL;
	snprintf(wwid, sizeof(wwid), "%016" PRIx64 "%016" PRIx64, el->wwid[0], el->wwid[1]);
	if (ocxlfs_json_put_num(o, "id", el->log_id) ||
	    ocxlfs_json_put_num(o, "program_reference_code", el->program_ref_code) ||
	    ocxlfs_json_put_num(o, "type", el->type) ||
	    ocxlfs_json_put_str(o, "type_name", ocxlfs_errlog_type_name(el->type)) ||
	    ocxlfs_json_put_num(o, "action_flags", el->action_flags) ||
	    ocxlfs_json_put(o, "actions", action_names(el->action_flags)) ||
	    ocxlfs_json_put_num(o, "power_on_seconds", el->power_on_seconds) ||
	    ocxlfs_json_put_u64(o, "timestamp", el->timestamp) || ocxlfs_json_put_str(o, "wwid", wwid) ||
	    ocxlfs_json_put(o, "firmware_revision", trimmed_string(el->fw_revision, sizeof(el->fw_revision))) ||
	    ocxlfs_json_put(o, "additional_data", hex_string(el->addl, el->addl ? el->addl_len : 0))) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* Entries are one per line between the frame's lines, so grep still works. */
static int errlog_emit(struct ocxlfs_errlog_json *j, struct json_object *o)
{
	if (j->rc) {
		json_object_put(o);
		return j->rc;
	}
	if (!o)
		return j->rc = -ENOMEM;
	if (j->entries && fputs(",\n", j->out) == EOF) {
		json_object_put(o);
		return j->rc = -EIO;
	}
	j->rc = ocxlfs_json_emit(j->out, o, "");
	if (!j->rc)
		j->entries++;
	return j->rc;
}

int ocxlfs_errlog_json_begin(struct ocxlfs_errlog_json *j, FILE *out)
{
	j->out = out;
	j->entries = 0;
	fputs("{\"schema\":\"" OCXLFS_JSON_SCHEMA_ERROR_LOG "\",\"entries\":[\n", out);
	j->rc = ferror(out) ? -EIO : 0;
	return j->rc;
}

int ocxlfs_errlog_json_entry(struct ocxlfs_errlog_json *j, const struct ocxlfs_errlog *el)
{
	return errlog_emit(j, j->rc ? NULL : errlog_entry(el));
}

int ocxlfs_errlog_json_undecodable(struct ocxlfs_errlog_json *j, uint32_t log_id, int err)
{
	struct json_object *o;
	const char *name = strerrorname_np(err < 0 ? -err : err);
	char fallback[16];

	if (j->rc)
		return j->rc;
	if (!name) {
		snprintf(fallback, sizeof(fallback), "E%d", err < 0 ? -err : err);
		name = fallback;
	}
	o = json_object_new_object();
	if (o && (ocxlfs_json_put_num(o, "id", log_id) || ocxlfs_json_put_str(o, "error", name))) {
		json_object_put(o);
		o = NULL;
	}
	return errlog_emit(j, o);
}

int ocxlfs_errlog_json_end(struct ocxlfs_errlog_json *j)
{
	if (j->rc)
		return j->rc;
	fputs(j->entries ? "\n]}\n" : "]}\n", j->out);
	j->rc = ferror(j->out) ? -EIO : 0;
	return j->rc;
}
