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

#include "proto/json_put.h"
#include "proto/render_labels.h"


static int put_num_or_null(struct json_object *o, const char *key, uint32_t v)
{
	return v ? ocxlfs_json_put_num(o, key, v) : ocxlfs_json_put_null(o, key);
}

/* As uuid_unparse() writes it, which is what ndctl read-labels shows. */
static int put_uuid(struct json_object *o, const char *key, const uint8_t raw[16])
{
	char s[UUID_STR_LEN];

	uuid_unparse_lower(raw, s);
	return ocxlfs_json_put_str(o, key, s);
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
	if (ocxlfs_json_put_num(o, "offset", ix->offset) || ocxlfs_json_put_str(o, "signature", ix->signature) ||
	    ocxlfs_json_put_num(o, "flags", ix->flags) || put_num_or_null(o, "labelsize", ix->label_size) ||
	    ocxlfs_json_put_num(o, "seq", ix->seq) || ocxlfs_json_put_u64(o, "myoff", ix->myoff) ||
	    ocxlfs_json_put_u64(o, "mysize", ix->mysize) || ocxlfs_json_put_u64(o, "otheroff", ix->otheroff) ||
	    ocxlfs_json_put_u64(o, "labeloff", ix->labeloff) || ocxlfs_json_put_num(o, "nslot", ix->nslot) ||
	    ocxlfs_json_put_num(o, "major", ix->major) || ocxlfs_json_put_num(o, "minor", ix->minor) ||
	    ocxlfs_json_put_hex64(o, "checksum", ix->checksum) || ocxlfs_json_put_num(o, "free", ix->free) ||
	    ocxlfs_json_put_bool(o, "valid", ix->check == OCXLFS_NSINDEX_OK) ||
	    ocxlfs_json_put_str(o, "check", ocxlfs_nsindex_check_name(ix->check)) ||
	    ocxlfs_json_put_bool(o, "current", a->current == (int)i)) {
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
	if (ocxlfs_json_put_str(o, "schema", OCXLFS_JSON_SCHEMA_LABELS) ||
	    ocxlfs_json_put_num(o, "label_area_size", a->config_size) || ocxlfs_json_put_str(o, "format", format) ||
	    put_num_or_null(o, "label_size", a->label_size) ||
	    put_num_or_null(o, "index_size", a->index_size) ||
	    (a->current >= 0 ? ocxlfs_json_put_num(o, "current_index", (uint32_t)a->current)
			     : ocxlfs_json_put_null(o, "current_index")) ||
	    (a->current >= 0 ? ocxlfs_json_put_num(o, "nslot", a->nslot) : ocxlfs_json_put_null(o, "nslot"))) {
		json_object_put(index);
		return -ENOMEM;
	}
	return ocxlfs_json_put(o, "index", index);
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
	s = json_object_to_json_string_length(o, OCXLFS_JSON_FLAGS, &len);
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
	if (put_uuid(o, "uuid", l->uuid) || ocxlfs_json_put_str(o, "name", l->name) ||
	    ocxlfs_json_put_num(o, "flags", l->flags) || ocxlfs_json_put(o, "flag_names", flag_names(l->flags)) ||
	    ocxlfs_json_put_num(o, "nlabel", l->nlabel) || ocxlfs_json_put_num(o, "position", l->position) ||
	    ocxlfs_json_put_u64(o, "isetcookie", l->isetcookie) || ocxlfs_json_put_u64(o, "lbasize", l->lbasize) ||
	    ocxlfs_json_put_u64(o, "dpa", l->dpa) || ocxlfs_json_put_u64(o, "rawsize", l->rawsize) ||
	    ocxlfs_json_put_num(o, "slot", l->slot))
		goto fail;
	if (l->v1_2 &&
	    (ocxlfs_json_put_num(o, "align", l->align) || put_uuid(o, "type_guid", l->type_guid) ||
	     put_uuid(o, "abstraction_guid", l->abstraction_guid) ||
	     ocxlfs_json_put_hex64(o, "checksum", l->checksum)))
		goto fail;
	if (ocxlfs_json_put_num(o, "offset", l->offset) || ocxlfs_json_put_bool(o, "valid", l->check == OCXLFS_LABEL_OK) ||
	    ocxlfs_json_put_str(o, "check", ocxlfs_label_check_name(l->check)))
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
	j->rc = ocxlfs_json_emit(j->out, o, "");
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
