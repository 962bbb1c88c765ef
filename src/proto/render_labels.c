// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * labels.json (render_labels.h).  Each index block and each label is one
 * json-c object, so escaping is never hand-made; the document around the
 * labels is framed by hand so that they can be streamed.  Names and types
 * are ABI: docs/json.md section 7.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>
#include <uuid/uuid.h>

#include "proto/render_labels.h"

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* Takes ownership of v (NULL = allocation failed); key must be a literal. */
static int put(struct json_object *o, const char *key, struct json_object *v)
{
	if (!v)
		return -ENOMEM;
	if (json_object_object_add_ex(
		    o, key, v, JSON_C_OBJECT_ADD_KEY_IS_NEW | JSON_C_OBJECT_ADD_CONSTANT_KEY)) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

static int put_null(struct json_object *o, const char *key)
{
	return json_object_object_add_ex(o, key, NULL, JSON_C_OBJECT_ADD_CONSTANT_KEY) ? -ENOMEM
										      : 0;
}

static int put_str(struct json_object *o, const char *key, const char *s)
{
	return put(o, key, json_object_new_string(s));
}

/* 32 bits or fewer: a JSON number; 0 may stand for "unknown" (null). */
static int put_num(struct json_object *o, const char *key, uint32_t v)
{
	return put(o, key, json_object_new_int64(v));
}

static int put_num_or_null(struct json_object *o, const char *key, uint32_t v)
{
	return v ? put_num(o, key, v) : put_null(o, key);
}

/* 64 bits: decimal digits in a string, so no parser rounds them. */
static int put_u64(struct json_object *o, const char *key, uint64_t v)
{
	char s[21];

	snprintf(s, sizeof(s), "%" PRIu64, v);
	return put_str(o, key, s);
}

static int put_hex64(struct json_object *o, const char *key, uint64_t v)
{
	char s[19];

	snprintf(s, sizeof(s), "0x%016" PRIx64, v);
	return put_str(o, key, s);
}

/* As uuid_unparse() writes it, which is what ndctl read-labels shows. */
static int put_uuid(struct json_object *o, const char *key, const uint8_t raw[16])
{
	char s[UUID_STR_LEN];

	uuid_unparse_lower(raw, s);
	return put_str(o, key, s);
}

static int put_bool(struct json_object *o, const char *key, bool v)
{
	return put(o, key, json_object_new_boolean(v));
}

/* Writes o, then end; drops o whatever happened. */
static int emit(FILE *out, struct json_object *o, const char *end)
{
	size_t len = 0;
	const char *s = json_object_to_json_string_length(o, JSON_FLAGS, &len);
	int rc = 0;

	if (!s)
		rc = -ENOMEM;
	else if (fwrite(s, 1, len, out) != len || fputs(end, out) == EOF || ferror(out))
		rc = -EIO;
	json_object_put(o);
	return rc;
}

void ocxlfs_labels_format_name(const struct ocxlfs_label_area *a, char *buf, size_t cap)
{
	if (a->format == OCXLFS_LABELS_FORMATTED && a->current >= 0)
		snprintf(buf, cap, "%u.%u", a->index[a->current].major,
			 a->index[a->current].minor);
	else
		snprintf(buf, cap, "%s", a->format == OCXLFS_LABELS_EMPTY ? "empty" : "unformatted");
}

static struct json_object *index_object(const struct ocxlfs_label_area *a, unsigned i)
{
	const struct ocxlfs_nsindex *ix = &a->index[i];
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (put_num(o, "offset", ix->offset) || put_str(o, "signature", ix->signature) ||
	    put_num(o, "flags", ix->flags) || put_num_or_null(o, "labelsize", ix->label_size) ||
	    put_num(o, "seq", ix->seq) || put_u64(o, "myoff", ix->myoff) ||
	    put_u64(o, "mysize", ix->mysize) || put_u64(o, "otheroff", ix->otheroff) ||
	    put_u64(o, "labeloff", ix->labeloff) || put_num(o, "nslot", ix->nslot) ||
	    put_num(o, "major", ix->major) || put_num(o, "minor", ix->minor) ||
	    put_hex64(o, "checksum", ix->checksum) || put_num(o, "free", ix->free) ||
	    put_bool(o, "valid", ix->check == OCXLFS_NSINDEX_OK) ||
	    put_str(o, "check", ocxlfs_nsindex_check_name(ix->check)) ||
	    put_bool(o, "current", a->current == (int)i)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static int header(struct json_object *o, const struct ocxlfs_label_area *a)
{
	struct json_object *index = json_object_new_array();
	char format[16];

	if (!index)
		return -ENOMEM;
	for (unsigned i = 0; i < a->nindex && i < 2; i++) {
		struct json_object *ix = index_object(a, i);

		if (!ix || json_object_array_add(index, ix)) {
			json_object_put(ix);
			json_object_put(index);
			return -ENOMEM;
		}
	}
	ocxlfs_labels_format_name(a, format, sizeof(format));
	if (put_str(o, "schema", OCXLFS_JSON_SCHEMA_LABELS) ||
	    put_num(o, "label_area_size", a->config_size) || put_str(o, "format", format) ||
	    put_num_or_null(o, "label_size", a->label_size) ||
	    put_num_or_null(o, "index_size", a->index_size) ||
	    (a->current >= 0 ? put_num(o, "current_index", (uint32_t)a->current)
			     : put_null(o, "current_index")) ||
	    (a->current >= 0 ? put_num(o, "nslot", a->nslot) : put_null(o, "nslot"))) {
		json_object_put(index);
		return -ENOMEM;
	}
	return put(o, "index", index);
}

int ocxlfs_labels_json_begin(struct ocxlfs_labels_json *j, FILE *out,
			     const struct ocxlfs_label_area *a)
{
	struct json_object *o = json_object_new_object();
	size_t len = 0;
	const char *s;

	*j = (struct ocxlfs_labels_json){ .out = out };
	if (!o || header(o, a)) {
		json_object_put(o);
		return j->rc = -ENOMEM;
	}
	/* The header is a whole object: reopen it to append "labels". */
	s = json_object_to_json_string_length(o, JSON_FLAGS, &len);
	if (!s || len < 2)
		j->rc = -ENOMEM;
	else if (fwrite(s, 1, len - 1, out) != len - 1 || fputs(",\"labels\":[\n", out) == EOF ||
		 ferror(out))
		j->rc = -EIO;
	json_object_put(o);
	return j->rc;
}

static struct json_object *flag_names(uint32_t flags)
{
	struct json_object *a = json_object_new_array();
	char other[8];

	for (unsigned bit = 0; a && bit < 32; bit++) {
		const char *name = ocxlfs_label_flag_name(bit);

		if (!(flags & (1u << bit)))
			continue;
		if (!name) {
			snprintf(other, sizeof(other), "bit%u", bit);
			name = other;
		}
		if (json_object_array_add(a, json_object_new_string(name))) {
			json_object_put(a);
			return NULL;
		}
	}
	return a;
}

static struct json_object *label_object(const struct ocxlfs_nslabel *l)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (put_uuid(o, "uuid", l->uuid) || put_str(o, "name", l->name) ||
	    put_num(o, "flags", l->flags) || put(o, "flag_names", flag_names(l->flags)) ||
	    put_num(o, "nlabel", l->nlabel) || put_num(o, "position", l->position) ||
	    put_u64(o, "isetcookie", l->isetcookie) || put_u64(o, "lbasize", l->lbasize) ||
	    put_u64(o, "dpa", l->dpa) || put_u64(o, "rawsize", l->rawsize) ||
	    put_num(o, "slot", l->slot))
		goto fail;
	if (l->v1_2 &&
	    (put_num(o, "align", l->align) || put_uuid(o, "type_guid", l->type_guid) ||
	     put_uuid(o, "abstraction_guid", l->abstraction_guid) ||
	     put_hex64(o, "checksum", l->checksum)))
		goto fail;
	if (put_num(o, "offset", l->offset) || put_bool(o, "valid", l->check == OCXLFS_LABEL_OK) ||
	    put_str(o, "check", ocxlfs_label_check_name(l->check)))
		goto fail;
	return o;
fail:
	json_object_put(o);
	return NULL;
}

int ocxlfs_labels_json_label(struct ocxlfs_labels_json *j, const struct ocxlfs_nslabel *l)
{
	struct json_object *o;

	if (j->rc)
		return j->rc;
	o = label_object(l);
	if (!o)
		return j->rc = -ENOMEM;
	if (j->labels && fputs(",\n", j->out) == EOF) {
		json_object_put(o);
		return j->rc = -EIO;
	}
	j->rc = emit(j->out, o, "");
	if (!j->rc)
		j->labels++;
	return j->rc;
}

int ocxlfs_labels_json_end(struct ocxlfs_labels_json *j)
{
	if (j->rc)
		return j->rc;
	fputs(j->labels ? "\n]}\n" : "]}\n", j->out);
	j->rc = ferror(j->out) ? -EIO : 0;
	return j->rc;
}
