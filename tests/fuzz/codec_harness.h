/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The hostile-answer checks every data-buffer decoder gets, driven by one
 * fuzz input (tests/fuzz/README):
 *
 *   - the decoder's result equals the format's spec oracle
 *     (docs/protocol.md section 4), written independently in each target;
 *   - on failure the output is all zeroes: nothing half-decoded leaks out;
 *   - on success the format's own invariants hold (rendering, round trip);
 *   - the same block cut to its declared size, and with garbage appended,
 *     decodes to the same result (excess bytes are ignored);
 *   - the block cut one byte short, or at a point the input picks, fails
 *     as the oracle says (truncated);
 *   - the block with another identifier fails with -EBADMSG (wrong ID).
 */
#ifndef OCXLFS_FUZZ_CODEC_HARNESS_H
#define OCXLFS_FUZZ_CODEC_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct codec_spec {
	size_t out_size;
	int (*decode)(const uint8_t *buf, size_t len, void *out);
	/* Expected result; on 0, *end = bytes the block declares (header + length). */
	int (*expect)(const uint8_t *buf, size_t len, size_t *end);
	/* Two successful decodes agree; pointers compare relative to their buffer. */
	bool (*same)(const void *a, const uint8_t *abuf, const void *b, const uint8_t *bbuf);
	/* Format invariants of a successful decode of buf[0, len). */
	void (*check)(const void *out, const uint8_t *buf, size_t len);
	/* Optional: what is shown for a buffer that failed to decode with rc. */
	void (*check_failed)(int rc, const uint8_t *buf, size_t len);
};

void codec_fuzz(const struct codec_spec *spec, const uint8_t *data, size_t size);

#endif /* OCXLFS_FUZZ_CODEC_HARNESS_H */
