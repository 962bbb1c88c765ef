// SPDX-License-Identifier: LGPL-2.1-or-later
/* The hostile-answer checks shared by the decoder targets (codec_harness.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec_harness.h"
#include "fuzz.h"

/* One decode of an exact heap copy: the bytes and the output stay for comparing. */
struct attempt {
	uint8_t *buf;
	void *out;
	int rc;
};

static struct attempt attempt(const struct codec_spec *spec, const uint8_t *src, size_t len,
			      size_t tail)
{
	struct attempt a;

	a.buf = fuzz_dup(src, len + tail);
	a.out = calloc(1, spec->out_size);
	FUZZ_ASSERT(a.out);
	a.rc = spec->decode(a.buf, len + tail, a.out);
	return a;
}

static void attempt_free(struct attempt *a)
{
	free(a->buf);
	free(a->out);
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* Decodes len bytes and checks the result against the oracle; returns the attempt. */
static struct attempt checked(const struct codec_spec *spec, const uint8_t *src, size_t len,
			      size_t tail, size_t *end)
{
	struct attempt a = attempt(spec, src, len, tail);
	size_t e = 0;

	FUZZ_ASSERT(a.rc == 0 || a.rc == -EBADMSG || a.rc == -EMSGSIZE);
	FUZZ_ASSERT(a.rc == spec->expect(a.buf, len + tail, &e));
	if (a.rc)
		FUZZ_ASSERT(all_zero(a.out, spec->out_size));
	else
		FUZZ_ASSERT(e <= len + tail);
	if (end)
		*end = e;
	return a;
}

/* A cut point in [0, end) that depends on the whole input. */
static size_t pick_cut(const uint8_t *data, size_t size, size_t end)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 16777619u;
	return end ? h % end : 0;
}

void codec_fuzz(const struct codec_spec *spec, const uint8_t *data, size_t size)
{
	struct attempt whole, other;
	size_t end;

	whole = checked(spec, data, size, 0, &end);
	if (whole.rc && spec->check_failed)
		spec->check_failed(whole.rc, whole.buf, size);
	if (whole.rc) {
		attempt_free(&whole);
		return;
	}
	spec->check(whole.out, whole.buf, size);

	/* Cut to the declared size: the same result. */
	other = checked(spec, data, end, 0, NULL);
	FUZZ_ASSERT(other.rc == 0);
	FUZZ_ASSERT(spec->same(whole.out, whole.buf, other.out, other.buf));
	attempt_free(&other);

	/* Oversized: 64 more bytes (the input again, or 0xFF) change nothing. */
	{
		uint8_t *big = malloc(size + 64);

		FUZZ_ASSERT(big);
		memcpy(big, data, size);
		for (size_t i = 0; i < 64; i++)
			big[size + i] = size ? data[i % size] : 0xFF;
		other = checked(spec, big, size, 64, NULL);
		free(big);
	}
	FUZZ_ASSERT(other.rc == 0);
	FUZZ_ASSERT(spec->same(whole.out, whole.buf, other.out, other.buf));
	attempt_free(&other);

	/* Truncated: one byte short, and somewhere the input chooses. */
	other = checked(spec, data, end - 1, 0, NULL);
	FUZZ_ASSERT(other.rc != 0);
	attempt_free(&other);
	other = checked(spec, data, pick_cut(data, size, end), 0, NULL);
	FUZZ_ASSERT(other.rc != 0);
	attempt_free(&other);

	/* Wrong identifier: flip bits of its first character. */
	{
		uint8_t *bad = fuzz_dup(data, size);

		bad[7] ^= (uint8_t)(size > 8 ? data[8] | 1 : 0x80);
		other = checked(spec, bad, size, 0, NULL);
		free(bad);
	}
	FUZZ_ASSERT(other.rc == -EBADMSG);
	attempt_free(&other);

	attempt_free(&whole);
}
