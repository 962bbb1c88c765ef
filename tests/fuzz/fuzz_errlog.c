// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target: the 'EL' error-log entry decoder (docs/protocol.md 4.3)
 * and the error_log renderer built on it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec_harness.h"
#include "fuzz.h"
#include "proto/codec.h"
#include "proto/render.h"

static int decode(const uint8_t *buf, size_t len, void *out)
{
	return ocxl_errlog_decode(buf, len, out);
}

/* docs/protocol.md 4.1, 4.3: the length counts only the additional data. */
static int expect(const uint8_t *buf, size_t len, size_t *end)
{
	uint64_t w, addl;

	if (len < 0x48)
		return -EBADMSG;
	w = fuzz_le64(buf);
	if ((w >> 48) != 0x454C)
		return -EBADMSG;
	addl = w & 0xFFFF;
	if (addl > len - 0x48)
		return -EMSGSIZE;
	*end = 0x48 + addl;
	return 0;
}

static bool same(const void *a, const uint8_t *abuf, const void *b, const uint8_t *bbuf)
{
	const struct ocxl_errlog *x = a, *y = b;

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
	return ocxl_render_errlog(out, obj);
}

static int render_flags(FILE *out, const void *obj)
{
	const struct ocxl_errlog *el = obj;

	/* The bare flag list has no newline; the tree always follows it with one. */
	int rc = ocxl_render_action_flags(out, el->action_flags);

	fputc('\n', out);
	return rc ? rc : (ferror(out) ? -EIO : 0);
}

static void check_text(const struct ocxl_errlog *el, const char *text)
{
	const char *addl = strstr(text, "\nadditional_data: ");
	char type[48];

	snprintf(type, sizeof(type), "\ntype: %s (0x%02x)\n", ocxl_errlog_type_name(el->type),
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
	const struct ocxl_errlog *el = out;
	uint64_t w1 = fuzz_le64(buf + 0x08), w2 = fuzz_le64(buf + 0x10);
	uint16_t addl = (uint16_t)fuzz_le64(buf);
	struct ocxl_errlog again;
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

	/* Round trip through the encoder the simulator uses. */
	enc = malloc(elen);
	FUZZ_ASSERT(enc);
	FUZZ_ASSERT(ocxl_errlog_encode(el, enc, elen - 1) == -ENOSPC);
	FUZZ_ASSERT(ocxl_errlog_encode(el, enc, elen) == (int)elen);
	FUZZ_ASSERT(ocxl_errlog_decode(enc, elen, &again) == 0);
	FUZZ_ASSERT(same(el, buf, &again, enc));
	free(enc);
}

static const struct codec_spec spec = {
    .out_size = sizeof(struct ocxl_errlog),
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
