// SPDX-License-Identifier: LGPL-2.1-or-later
/* libFuzzer target: the 'SE' secure-erase status decoder (docs/protocol.md 4.7). */
#include <errno.h>
#include <string.h>

#include "codec_harness.h"
#include "fuzz.h"
#include "proto/codec.h"

static int decode(const uint8_t *buf, size_t len, void *out)
{
	return ocxl_erase_status_decode(buf, len, out);
}

/* docs/protocol.md 4.1, 4.7: all seven words are the fixed part. */
static int expect(const uint8_t *buf, size_t len, size_t *end)
{
	uint64_t w, dlen;

	if (len < 0x40)
		return -EBADMSG;
	w = fuzz_le64(buf);
	if ((w >> 48) != 0x5345)
		return -EBADMSG;
	dlen = w & 0xFFFFFFFF;
	if (dlen > len - 8)
		return -EMSGSIZE;
	if (dlen < 0x38)
		return -EBADMSG;
	*end = 8 + dlen;
	return 0;
}

static bool same(const void *a, const uint8_t *abuf, const void *b, const uint8_t *bbuf)
{
	const struct ocxl_erase_status *x = a, *y = b;

	return x->state == y->state && x->progress_permille == y->progress_permille &&
	       x->ns_status == y->ns_status && x->acc_ok == y->acc_ok &&
	       x->acc_tried == y->acc_tried && x->def_ok == y->def_ok &&
	       x->def_tried == y->def_tried;
}

static void check(const void *out, const uint8_t *buf, size_t len)
{
	const struct ocxl_erase_status *es = out;
	const uint64_t words[] = {es->state,	es->progress_permille, es->ns_status,
				  es->acc_ok,	es->acc_tried,	       es->def_ok,
				  es->def_tried};
	uint8_t enc[8 + OCXL_SE_LEN_V1];
	struct ocxl_erase_status again;

	for (unsigned i = 0; i < 7; i++)
		FUZZ_ASSERT(words[i] == fuzz_le64(buf + 8 + 8 * i));
	FUZZ_ASSERT(ocxl_erase_status_encode(es, enc, sizeof(enc) - 1) == -ENOSPC);
	FUZZ_ASSERT(ocxl_erase_status_encode(es, enc, sizeof(enc)) == (int)sizeof(enc));
	FUZZ_ASSERT(ocxl_erase_status_decode(enc, sizeof(enc), &again) == 0);
	FUZZ_ASSERT(same(es, buf, &again, enc));
	(void)len;
}

static const struct codec_spec spec = {
    .out_size = sizeof(struct ocxl_erase_status),
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
