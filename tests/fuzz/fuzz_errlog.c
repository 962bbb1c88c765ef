// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target: the 'EL' error-log entry decoder (docs/protocol.md 4.3)
 * and what is rendered from it: error_log and error_log.json, including
 * the entry a journalled buffer that does not decode becomes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec_harness.h"
#include "fuzz.h"
#include "codec/codec.h"
#include "proto/render.h"
#include "proto/render_json.h"
#include "render_check.h"

static int decode(const uint8_t *buf, size_t len, void *out)
{
	return ocxlfs_errlog_decode(buf, len, out);
}

/* docs/protocol.md 4.1, 4.3: the length counts only the additional data. */
static int expect(const uint8_t *buf, size_t len, size_t *end)
{
	static const struct fuzz_block block = {
		.id = 0x454C, .min_len = 0x48, .len_mask = 0xFFFF, .len_base = 0x48, .min_dlen = 0,
	};

	return fuzz_expect_block(&block, buf, len, end);
}

static bool same(const void *a, const uint8_t *abuf, const void *b, const uint8_t *bbuf)
{
	const struct ocxlfs_errlog *x = a, *y = b;

	if (x->log_id != y->log_id || x->program_ref_code != y->program_ref_code ||
	    x->type != y->type || x->action_flags != y->action_flags ||
	    x->power_on_seconds != y->power_on_seconds || x->timestamp != y->timestamp ||
	    x->wwid[0] != y->wwid[0] || x->wwid[1] != y->wwid[1] ||
	    strcmp(x->fw_revision, y->fw_revision) || x->addl_len != y->addl_len)
		return false;
	if (!x->addl_len)
		return !x->addl && !y->addl;
	return x->addl - abuf == y->addl - bbuf && !memcmp(x->addl, y->addl, x->addl_len);
}

static int render(FILE *out, const void *obj)
{
	return ocxlfs_render_errlog(out, obj);
}

static int render_flags(FILE *out, const void *obj)
{
	const struct ocxlfs_errlog *el = obj;

	/* The bare flag list has no newline; the tree always follows it with one. */
	int rc = ocxlfs_render_action_flags(out, el->action_flags);

	fputc('\n', out);
	return rc ? rc : (ferror(out) ? -EIO : 0);
}

static int render_json(FILE *out, const void *obj)
{
	struct ocxlfs_errlog_json j;

	/* Every call after a failure repeats it: only the last result counts. */
	ocxlfs_errlog_json_begin(&j, out);
	ocxlfs_errlog_json_entry(&j, obj);
	return ocxlfs_errlog_json_end(&j);
}

struct undecodable {
	uint32_t log_id;
	int rc;
};

static int render_json_undecodable(FILE *out, const void *obj)
{
	const struct undecodable *u = obj;
	struct ocxlfs_errlog_json j;

	ocxlfs_errlog_json_begin(&j, out);
	ocxlfs_errlog_json_undecodable(&j, u->log_id, u->rc);
	return ocxlfs_errlog_json_end(&j);
}

/* The one entry of an error_log.json document. */
static struct json_object *only_entry(struct json_object *doc)
{
	struct json_object *entries = fuzz_json_get(doc, "entries");

	FUZZ_ASSERT(json_object_is_type(entries, json_type_array));
	FUZZ_ASSERT(json_object_array_length(entries) == 1);
	return json_object_array_get_idx(entries, 0);
}

/* docs/json.md 5: the members of a decoded entry. */
static void check_json(const struct ocxlfs_errlog *el, const char *text)
{
	struct json_object *doc = fuzz_json_check(text, OCXLFS_JSON_SCHEMA_ERROR_LOG);
	struct json_object *e = only_entry(doc), *actions;
	char want[24];

	FUZZ_ASSERT(json_object_get_int64(fuzz_json_get(e, "id")) == el->log_id);
	FUZZ_ASSERT(json_object_get_int64(fuzz_json_get(e, "program_reference_code")) ==
		    el->program_ref_code);
	FUZZ_ASSERT(json_object_get_int(fuzz_json_get(e, "type")) == el->type);
	FUZZ_ASSERT(!strcmp(json_object_get_string(fuzz_json_get(e, "type_name")),
			    ocxlfs_errlog_type_name(el->type)));
	FUZZ_ASSERT(json_object_get_int64(fuzz_json_get(e, "action_flags")) == el->action_flags);
	actions = fuzz_json_get(e, "actions");
	FUZZ_ASSERT(json_object_array_length(actions) ==
		    (size_t)__builtin_popcount(el->action_flags));
	snprintf(want, sizeof(want), "%llu", (unsigned long long)el->timestamp);
	FUZZ_ASSERT(!strcmp(json_object_get_string(fuzz_json_get(e, "timestamp")), want));
	FUZZ_ASSERT(!strcmp(json_object_get_string(fuzz_json_get(e, "firmware_revision")),
			    el->fw_revision));
	FUZZ_ASSERT(json_object_get_string_len(fuzz_json_get(e, "additional_data")) ==
		    2 * el->addl_len);
	FUZZ_ASSERT(!json_object_object_get_ex(e, "error", NULL));
	json_object_put(doc);
}

/* A journalled entry that does not decode shows its id and the errno's name. */
static void check_failed(int rc, const uint8_t *buf, size_t len)
{
	const struct undecodable u = {
	    .log_id = len >= 16 ? (uint32_t)(fuzz_le64(buf + 8) >> 32) : 0, .rc = rc};
	struct json_object *doc, *e;
	size_t lines;
	char *text;

	text = fuzz_render_check(render_json_undecodable, &u, false, &lines);
	doc = fuzz_json_check(text, OCXLFS_JSON_SCHEMA_ERROR_LOG);
	e = only_entry(doc);
	FUZZ_ASSERT(json_object_object_length(e) == 2);
	FUZZ_ASSERT(json_object_get_int64(fuzz_json_get(e, "id")) == u.log_id);
	FUZZ_ASSERT(!strcmp(json_object_get_string(fuzz_json_get(e, "error")),
			    rc == -EBADMSG ? "EBADMSG" : "EMSGSIZE"));
	json_object_put(doc);
	free(text);
}

static void check_text(const struct ocxlfs_errlog *el, const char *text)
{
	const char *addl = strstr(text, "\nadditional_data: ");
	char type[48];

	snprintf(type, sizeof(type), "\ntype: %s (0x%02x)\n", ocxlfs_errlog_type_name(el->type),
		 (unsigned)el->type);
	FUZZ_ASSERT(strstr(text, type));
	FUZZ_ASSERT(addl);
	addl += strlen("\nadditional_data: ");
	if (el->addl_len) {
		FUZZ_ASSERT(strspn(addl, "0123456789abcdef") == 2u * el->addl_len);
		FUZZ_ASSERT(!strcmp(addl + 2u * el->addl_len, "\n\n"));
	} else {
		FUZZ_ASSERT(!strcmp(addl, "-\n\n"));
	}
}

static void check(const void *out, const uint8_t *buf, size_t len)
{
	const struct ocxlfs_errlog *el = out;
	uint64_t w1 = fuzz_le64(buf + 0x08), w2 = fuzz_le64(buf + 0x10);
	uint16_t addl = (uint16_t)fuzz_le64(buf);
	struct ocxlfs_errlog again;
	size_t lines, elen = 0x48u + addl;
	uint8_t *enc;
	char *text;

	FUZZ_ASSERT(el->log_id == (uint32_t)(w1 >> 32));
	FUZZ_ASSERT(el->program_ref_code == (uint32_t)w1);
	FUZZ_ASSERT(el->type == (uint8_t)(w2 >> 56));
	FUZZ_ASSERT(el->action_flags == ((w2 >> 32) & 0xFFFFFF));
	FUZZ_ASSERT(el->power_on_seconds == (uint32_t)w2);
	FUZZ_ASSERT(el->timestamp == fuzz_le64(buf + 0x18));
	FUZZ_ASSERT(el->wwid[0] == fuzz_le64(buf + 0x20) && el->wwid[1] == fuzz_le64(buf + 0x28));
	fuzz_check_fw_string(el->fw_revision, buf + 0x30);
	/* The additional data is a view into the buffer, inside what was given. */
	FUZZ_ASSERT(el->addl_len == addl);
	FUZZ_ASSERT(addl ? el->addl == buf + 0x48 : el->addl == NULL);
	FUZZ_ASSERT(0x48u + addl <= len);

	text = fuzz_render_check(render, el, false, &lines);
	FUZZ_ASSERT(lines == 10);
	check_text(el, text);
	free(text);
	text = fuzz_render_check(render_flags, el, false, &lines);
	FUZZ_ASSERT(lines == 1);
	free(text);
	text = fuzz_render_check(render_json, el, false, &lines);
	check_json(el, text);
	free(text);

	/* Round trip through the encoder the simulator uses. */
	enc = malloc(elen);
	FUZZ_ASSERT(enc);
	FUZZ_ASSERT(ocxlfs_errlog_encode(el, enc, elen - 1) == -ENOSPC);
	FUZZ_ASSERT(ocxlfs_errlog_encode(el, enc, elen) == (int)elen);
	FUZZ_ASSERT(ocxlfs_errlog_decode(enc, elen, &again) == 0);
	FUZZ_ASSERT(same(el, buf, &again, enc));
	free(enc);
}

static const struct codec_spec spec = {
    .out_size = sizeof(struct ocxlfs_errlog),
    .decode = decode,
    .expect = expect,
    .same = same,
    .check = check,
    .check_failed = check_failed,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	codec_fuzz(&spec, data, size);
	return 0;
}
