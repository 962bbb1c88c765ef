// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target: the 'SE' secure-erase status decoder (docs/protocol.md
 * 4.7) and the overwrite file's text rendered from it (docs/tree.md).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec_harness.h"
#include "fuzz.h"
#include "codec/codec.h"
#include "proto/render.h"
#include "render_check.h"

static int decode(const uint8_t *buf, size_t len, void *out)
{
	return ocxlfs_erase_status_decode(buf, len, out);
}

/* docs/protocol.md 4.1, 4.7: all seven words are the fixed part. */
static int expect(const uint8_t *buf, size_t len, size_t *end)
{
	static const struct fuzz_block block = {
		.id = 0x5345, .min_len = 0x40, .len_mask = 0xFFFFFFFF, .len_base = 8, .min_dlen = 0x38,
	};

	return fuzz_expect_block(&block, buf, len, end);
}

static bool same(const void *a, const uint8_t *abuf, const void *b, const uint8_t *bbuf)
{
	const struct ocxlfs_erase_status *x = a, *y = b;

	return x->state == y->state && x->progress_permille == y->progress_permille &&
	       x->ns_status == y->ns_status && x->acc_ok == y->acc_ok &&
	       x->acc_tried == y->acc_tried && x->def_ok == y->def_ok &&
	       x->def_tried == y->def_tried;
}

static int render(FILE *out, const void *obj)
{
	return ocxlfs_render_erase_status(out, obj);
}

/* One line, its first word the state: idle, running, done, failed or unknown. */
static void check_text(const struct ocxlfs_erase_status *es, const char *text)
{
	static const char *const words[] = {"idle\n", "running ", "done ", "failed ", "unknown "};
	const char *want = es->state < 4 ? words[es->state] : words[4];

	FUZZ_ASSERT(!strncmp(text, want, strlen(want)));
	if (es->state == OCXLFS_ERASE_RUNNING) {
		/* Per mille as a percentage, never past 100. */
		double pct = strtod(text + strlen(want), NULL);

		FUZZ_ASSERT(pct >= 0 && pct <= 100);
	}
}

static void check(const void *out, const uint8_t *buf, size_t len)
{
	const struct ocxlfs_erase_status *es = out;
	const uint64_t words[] = {es->state,	es->progress_permille, es->ns_status,
				  es->acc_ok,	es->acc_tried,	       es->def_ok,
				  es->def_tried};
	uint8_t enc[8 + OCXLFS_SE_LEN_V1];
	struct ocxlfs_erase_status again;
	size_t lines;
	char *text;

	for (unsigned i = 0; i < 7; i++)
		FUZZ_ASSERT(words[i] == fuzz_le64(buf + 8 + 8 * i));
	text = fuzz_render_check(render, es, false, &lines);
	FUZZ_ASSERT(lines == 1);
	check_text(es, text);
	free(text);

	FUZZ_ASSERT(ocxlfs_erase_status_encode(es, enc, sizeof(enc) - 1) == -ENOSPC);
	FUZZ_ASSERT(ocxlfs_erase_status_encode(es, enc, sizeof(enc)) == (int)sizeof(enc));
	FUZZ_ASSERT(ocxlfs_erase_status_decode(enc, sizeof(enc), &again) == 0);
	FUZZ_ASSERT(same(es, buf, &again, enc));
	(void)len;
}

static const struct codec_spec spec = {
    .out_size = sizeof(struct ocxlfs_erase_status),
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
