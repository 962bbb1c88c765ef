// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target: the 'ID' identity decoder (docs/protocol.md 4.2) and
 * what is rendered from it: serial, firmware_version, info, info.json and
 * the card's identity in metrics.prom.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "codec_harness.h"
#include "fuzz.h"
#include "codec/codec.h"
#include "proto/render.h"
#include "proto/render_json.h"
#include "proto/render_prom.h"
#include "render_check.h"

static int decode(const uint8_t *buf, size_t len, void *out)
{
	return ocxlfs_identity_decode(buf, len, out);
}

/* docs/protocol.md 4.1, 4.2. */
static int expect(const uint8_t *buf, size_t len, size_t *end)
{
	static const struct fuzz_block block = {
		.id = 0x4944, .min_len = 0x28, .len_mask = 0xFFFFFFFF, .len_base = 8, .min_dlen = 0x20,
	};

	return fuzz_expect_block(&block, buf, len, end);
}

static bool same(const void *a, const uint8_t *abuf, const void *b, const uint8_t *bbuf)
{
	const struct ocxlfs_identity *x = a, *y = b;

	return x->serial == y->serial && !strcmp(x->fw_version, y->fw_version) &&
	       x->ccap0 == y->ccap0 && x->ccap1 == y->ccap1 &&
	       x->admin_buffer_size == y->admin_buffer_size &&
	       x->has_admin_buffer_size == y->has_admin_buffer_size;
}

static int render_serial(FILE *out, const void *obj)
{
	return ocxlfs_render_serial(out, obj);
}

static int render_fw(FILE *out, const void *obj)
{
	return ocxlfs_render_fw_version(out, obj);
}

static int render_info_bare(FILE *out, const void *obj)
{
	return ocxlfs_render_info(out, obj, NULL);
}

static const struct ocxlfs_info_extra extra = {
    .label_size = 0x20000,
    .label_max_xfer = 0x1000,
    .transport = "simulator",
    .device = "sim:0",
};

static int render_info(FILE *out, const void *obj)
{
	return ocxlfs_render_info(out, obj, &extra);
}

static int render_info_json(FILE *out, const void *obj)
{
	return ocxlfs_render_info_json(out, obj, &extra);
}

static int render_prom(FILE *out, const void *obj)
{
	const struct ocxlfs_prom_card card = {.index = 3, .id = obj, .state = "online"};

	return ocxlfs_render_prom(out, &card, 1);
}

/* info.json carries what info does (docs/json.md 2). */
static void check_json(const struct ocxlfs_identity *id, const char *text)
{
	struct json_object *o = fuzz_json_check(text, OCXLFS_JSON_SCHEMA_INFO), *v;
	char want[32];

	snprintf(want, sizeof(want), "%" PRIu64, id->serial);
	FUZZ_ASSERT(!strcmp(json_object_get_string(fuzz_json_get(o, "serial")), want));
	FUZZ_ASSERT(
	    !strcmp(json_object_get_string(fuzz_json_get(o, "firmware_version")), id->fw_version));
	v = fuzz_json_get(o, "admin_buffer_size");
	if (id->has_admin_buffer_size)
		FUZZ_ASSERT(json_object_get_int64(v) == id->admin_buffer_size);
	else
		FUZZ_ASSERT(json_object_is_type(v, json_type_null));
	snprintf(want, sizeof(want), "0x%016" PRIx64, id->ccap1);
	FUZZ_ASSERT(!strcmp(json_object_get_string(fuzz_json_get(o, "ccap1")), want));
	json_object_put(o);
}

/* metrics.prom: info, state, up and the state directory's errnos; the labels give back serial and firmware. */
static void check_prom(const struct ocxlfs_identity *id, const char *text)
{
	char want[32], *label;

	/* info, state, up, state_directory_writable, collected_timestamp, 2 errnos */
	FUZZ_ASSERT(fuzz_prom_check(text) == 5 + 2);
	label = fuzz_prom_label(text, "ocxl_card_info", "firmware");
	FUZZ_ASSERT(label && !strcmp(label, id->fw_version));
	free(label);
	label = fuzz_prom_label(text, "ocxl_card_info", "serial");
	snprintf(want, sizeof(want), "%" PRIu64, id->serial);
	FUZZ_ASSERT(label && !strcmp(label, want));
	free(label);
}

static void check(const void *out, const uint8_t *buf, size_t len)
{
	const struct ocxlfs_identity *id = out;
	uint64_t dlen = fuzz_le64(buf) & 0xFFFFFFFF;
	struct ocxlfs_identity again;
	uint8_t enc[8 + OCXLFS_ID_LEN_V1];
	char want[32];
	size_t lines;
	char *text;

	FUZZ_ASSERT(id->serial == fuzz_le64(buf + 0x08));
	fuzz_check_fw_string(id->fw_version, buf + 0x10);
	FUZZ_ASSERT(id->ccap0 == fuzz_le64(buf + 0x18));
	FUZZ_ASSERT(id->ccap1 == fuzz_le64(buf + 0x20));
	FUZZ_ASSERT(id->has_admin_buffer_size == (dlen >= 0x28));
	FUZZ_ASSERT(id->admin_buffer_size ==
		    (id->has_admin_buffer_size ? fuzz_le32(buf + 0x28) : 0));

	text = fuzz_render_check(render_serial, id, false, &lines);
	snprintf(want, sizeof(want), "%" PRIu64 "\n", id->serial);
	FUZZ_ASSERT(!strcmp(text, want));
	free(text);
	text = fuzz_render_check(render_fw, id, false, &lines);
	FUZZ_ASSERT(lines == 1 && strlen(text) == strlen(id->fw_version) + 1);
	FUZZ_ASSERT(!strncmp(text, id->fw_version, strlen(id->fw_version)));
	free(text);
	text = fuzz_render_check(render_info_bare, id, false, &lines);
	FUZZ_ASSERT(lines == 12);
	free(text);
	text = fuzz_render_check(render_info, id, false, &lines);
	FUZZ_ASSERT(lines == 12);
	free(text);
	text = fuzz_render_check(render_info_json, id, false, &lines);
	check_json(id, text);
	free(text);
	text = fuzz_render_check(render_prom, id, false, &lines);
	check_prom(id, text);
	free(text);

	/* Round trip: the encoder writes the full v1 block. */
	FUZZ_ASSERT(ocxlfs_identity_encode(id, enc, sizeof(enc) - 1) == -ENOSPC);
	FUZZ_ASSERT(ocxlfs_identity_encode(id, enc, sizeof(enc)) == (int)sizeof(enc));
	FUZZ_ASSERT(ocxlfs_identity_decode(enc, sizeof(enc), &again) == 0);
	FUZZ_ASSERT(again.has_admin_buffer_size);
	FUZZ_ASSERT(same(id, buf, &again, enc) || !id->has_admin_buffer_size);
	FUZZ_ASSERT(again.serial == id->serial && !strcmp(again.fw_version, id->fw_version));
	FUZZ_ASSERT(again.ccap0 == id->ccap0 && again.ccap1 == id->ccap1);
	(void)len;
}

static const struct codec_spec spec = {
    .out_size = sizeof(struct ocxlfs_identity),
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
