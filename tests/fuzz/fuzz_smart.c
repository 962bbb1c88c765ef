// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target: the 'SM' SMART decoder (docs/protocol.md 4.4) and what
 * is rendered from it: health, health.json and the SMART part of
 * metrics.prom.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec_harness.h"
#include "fuzz.h"
#include "codec/codec.h"
#include "proto/render.h"
#include "proto/render_json.h"
#include "proto/render_prom.h"
#include "proto/verdict.h"
#include "render_check.h"

static int decode(const uint8_t *buf, size_t len, void *out)
{
	return ocxlfs_smart_decode(buf, len, out);
}

/* docs/protocol.md 4.1, 4.4: the fixed part is the header alone. */
static int expect(const uint8_t *buf, size_t len, size_t *end)
{
	static const struct fuzz_block block = {
		.id = 0x534D, .min_len = 8, .len_mask = 0xFFFFFFFF, .len_base = 8, .min_dlen = 0,
	};

	return fuzz_expect_block(&block, buf, len, end);
}

static bool attr_eq(const struct ocxlfs_smart_attr *x, const struct ocxlfs_smart_attr *y)
{
	return x->id == y->id && x->flags == y->flags && x->current == y->current &&
	       x->threshold == y->threshold && x->worst == y->worst && x->raw == y->raw;
}

static bool same(const void *a, const uint8_t *abuf, const void *b, const uint8_t *bbuf)
{
	const struct ocxlfs_smart *x = a, *y = b;

	if (x->count != y->count)
		return false;
	for (unsigned i = 0; i < x->count; i++)
		if (!attr_eq(&x->attr[i], &y->attr[i]))
			return false;
	return true;
}

static int render(FILE *out, const void *obj)
{
	return ocxlfs_render_smart(out, obj);
}

static int render_json(FILE *out, const void *obj)
{
	return ocxlfs_render_smart_json(out, obj);
}

static int render_prom(FILE *out, const void *obj)
{
	const struct ocxlfs_prom_card card = {.index = 0, .smart = obj};

	return ocxlfs_render_prom(out, &card, 1);
}

/* docs/json.md 4: one object per record, in card order. */
static void check_json(const struct ocxlfs_smart *sm, const char *text)
{
	struct json_object *doc = fuzz_json_check(text, OCXLFS_JSON_SCHEMA_HEALTH);
	struct json_object *attrs = fuzz_json_get(doc, "attributes");
	char raw[24];

	FUZZ_ASSERT(json_object_array_length(attrs) == sm->count);
	for (unsigned i = 0; i < sm->count; i++) {
		struct json_object *a = json_object_array_get_idx(attrs, i);

		FUZZ_ASSERT(json_object_get_int(fuzz_json_get(a, "id")) == sm->attr[i].id);
		FUZZ_ASSERT(json_object_get_int(fuzz_json_get(a, "flags")) == sm->attr[i].flags);
		snprintf(raw, sizeof(raw), "%llu", (unsigned long long)sm->attr[i].raw);
		FUZZ_ASSERT(!strcmp(json_object_get_string(fuzz_json_get(a, "raw")), raw));
	}
	json_object_put(doc);
}

/*
 * docs/json.md 6: ocxl_card_up, ocxl_state_directory_writable,
 * ocxl_collected_timestamp_seconds, the two ocxl_state_directory_errno
 * series, four series per attribute ID (the first
 * record of an ID that repeats) and the temperature if 0xC2 is among them.
 */
static void check_prom(const struct ocxlfs_smart *sm, const char *text)
{
	size_t ids = 0, temp = 0;

	for (unsigned i = 0; i < sm->count; i++) {
		bool first = true;

		for (unsigned k = 0; k < i; k++)
			first &= sm->attr[k].id != sm->attr[i].id;
		ids += first;
		temp += first && sm->attr[i].id == OCXLFS_SMART_TEMPERATURE;
	}
	FUZZ_ASSERT(fuzz_prom_check(text) == 3 + 2 + 4 * ids + temp);
}

/*
 * docs/tree.md 2.8.1: the verdict of a ready card with these attributes.
 * An attribute (not 0xC2) at or below a non-zero threshold, or a
 * temperature at or above its limit, makes it critical; nothing makes it
 * fatal; the renderers write one line per reason after the verdict.
 */
static void check_verdict(const struct ocxlfs_smart *sm)
{
	struct ocxlfs_verdict_input in = {.state = "ready", .smart = sm, .stats_rc = -EIO};
	struct ocxlfs_verdict_result v;
	bool failing = false;
	char *text = NULL;
	size_t len = 0, nl = 0;
	FILE *f;

	for (unsigned i = 0; i < sm->count; i++) {
		const struct ocxlfs_smart_attr *a = &sm->attr[i];
		bool first = true;

		for (unsigned k = 0; k < i; k++)
			first &= sm->attr[k].id != a->id;
		if (!first || !a->threshold)
			continue;
		if (a->id == OCXLFS_SMART_TEMPERATURE)
			failing |= (a->raw & 0xFF) >= a->threshold;
		else
			failing |= a->current <= a->threshold;
	}
	ocxlfs_verdict_eval(&in, &v);
	FUZZ_ASSERT(v.verdict >= OCXLFS_VERDICT_WARNING); /* STATS did not answer */
	FUZZ_ASSERT(v.verdict < OCXLFS_VERDICT_FATAL);
	FUZZ_ASSERT((v.verdict == OCXLFS_VERDICT_CRITICAL) == failing);
	FUZZ_ASSERT(v.nreasons >= 1 && v.nreasons <= OCXLFS_VERDICT_MAX_REASONS);
	for (unsigned i = 1; i < v.nreasons; i++)
		FUZZ_ASSERT(v.reason[i].level <= v.reason[i - 1].level);
	FUZZ_ASSERT(v.reason[0].level == v.verdict);
	f = open_memstream(&text, &len);
	FUZZ_ASSERT(f);
	FUZZ_ASSERT(ocxlfs_render_verdict(f, &v) == 0);
	FUZZ_ASSERT(fclose(f) == 0);
	for (size_t i = 0; i < len; i++)
		nl += text[i] == '\n';
	FUZZ_ASSERT(nl == 1 + v.nreasons && !strncmp(text, "verdict: ", 9));
	free(text);
}

static void check(const void *out, const uint8_t *buf, size_t len)
{
	const struct ocxlfs_smart *sm = out;
	uint64_t dlen = fuzz_le64(buf) & 0xFFFFFFFF;
	uint64_t want = dlen / 16 < OCXLFS_SMART_MAX_ATTRS ? dlen / 16 : OCXLFS_SMART_MAX_ATTRS;
	struct ocxlfs_smart again;
	uint8_t enc[8 + 16 * OCXLFS_SMART_MAX_ATTRS];
	size_t lines, elen;
	char *text, *line;

	FUZZ_ASSERT(sm->count == want);
	for (unsigned i = 0; i < sm->count; i++) {
		const struct ocxlfs_smart_attr *a = &sm->attr[i];
		uint64_t w = fuzz_le64(buf + 8 + 16 * i);

		FUZZ_ASSERT(8 + 16 * (i + 1) <= len);
		FUZZ_ASSERT(a->id == w >> 56 && a->flags == ((w >> 40) & 0xFFFF));
		FUZZ_ASSERT(a->current == ((w >> 32) & 0xFF) && a->threshold == ((w >> 24) & 0xFF));
		FUZZ_ASSERT(a->worst == ((w >> 16) & 0xFF));
		FUZZ_ASSERT(a->raw == fuzz_le64(buf + 16 + 16 * i));
	}

	text = fuzz_render_check(render, sm, sm->count == 0, &lines);
	FUZZ_ASSERT(lines == sm->count);
	line = text;
	for (unsigned i = 0; i < sm->count; i++) {
		const char *name = ocxlfs_smart_attr_name(sm->attr[i].id);

		FUZZ_ASSERT(!strncmp(line, name, strlen(name)) && line[strlen(name)] == ' ');
		line = strchr(line, '\n') + 1;
	}
	free(text);
	text = fuzz_render_check(render_json, sm, false, &lines);
	check_json(sm, text);
	free(text);
	text = fuzz_render_check(render_prom, sm, false, &lines);
	check_prom(sm, text);
	free(text);
	check_verdict(sm);

	elen = 8 + 16 * (size_t)sm->count;
	if (elen > 8)
		FUZZ_ASSERT(ocxlfs_smart_encode(sm, enc, elen - 1) == -ENOSPC);
	FUZZ_ASSERT(ocxlfs_smart_encode(sm, enc, elen) == (int)elen);
	FUZZ_ASSERT(ocxlfs_smart_decode(enc, elen, &again) == 0);
	FUZZ_ASSERT(same(sm, buf, &again, enc));
}

static const struct codec_spec spec = {
    .out_size = sizeof(struct ocxlfs_smart),
    .decode = decode,
    .expect = expect,
    .same = same,
    .check = check,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	codec_fuzz(&spec, data, size);
	return 0;
}
