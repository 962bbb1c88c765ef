// SPDX-License-Identifier: LGPL-2.1-or-later
/* libFuzzer target: the 'CD' controller-dump chunk decoder (docs/protocol.md 4.6). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec_harness.h"
#include "fuzz.h"
#include "codec/codec.h"

struct chunk {
	const uint8_t *data;
	size_t len;
};

static int decode(const uint8_t *buf, size_t len, void *out)
{
	struct chunk *c = out;

	return ocxlfs_dump_chunk_decode(buf, len, &c->data, &c->len);
}

/* docs/protocol.md 4.1, 4.6: 16-bit length. */
static int expect(const uint8_t *buf, size_t len, size_t *end)
{
	static const struct fuzz_block block = {
		.id = 0x4344, .min_len = 8, .len_mask = 0xFFFF, .len_base = 8, .min_dlen = 0,
	};

	return fuzz_expect_block(&block, buf, len, end);
}

static bool same(const void *a, const uint8_t *abuf, const void *b, const uint8_t *bbuf)
{
	const struct chunk *x = a, *y = b;

	if (x->len != y->len)
		return false;
	if (!x->len)
		return !x->data && !y->data;
	return x->data - abuf == y->data - bbuf && !memcmp(x->data, y->data, x->len);
}

static void check(const void *out, const uint8_t *buf, size_t len)
{
	const struct chunk *c = out;
	size_t want = fuzz_le64(buf) & 0xFFFF;
	uint8_t *enc;
	struct chunk again;

	/* The payload is a view of the bytes after the header, inside the buffer. */
	FUZZ_ASSERT(c->len == want && 8 + c->len <= len);
	FUZZ_ASSERT(c->len ? c->data == buf + 8 : c->data == NULL);

	enc = malloc(8 + c->len);
	FUZZ_ASSERT(enc);
	FUZZ_ASSERT(ocxlfs_dump_chunk_encode(c->data, c->len, enc, 8 + c->len - 1) == -ENOSPC);
	FUZZ_ASSERT(ocxlfs_dump_chunk_encode(c->data, c->len, enc, 8 + c->len) == (int)(8 + c->len));
	FUZZ_ASSERT(decode(enc, 8 + c->len, &again) == 0);
	FUZZ_ASSERT(same(c, buf, &again, enc));
	free(enc);
}

static const struct codec_spec spec = {
    .out_size = sizeof(struct chunk),
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
