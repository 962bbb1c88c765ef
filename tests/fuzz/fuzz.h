/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers shared by the libFuzzer targets (tests/fuzz/README).  A broken
 * invariant aborts with file, line and the condition, so libFuzzer keeps
 * the input as a crash artifact exactly as it does for a sanitizer report.
 */
#ifndef OCXLFS_FUZZ_H
#define OCXLFS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

__attribute__((noreturn)) void fuzz_fail(const char *file, int line, const char *what);

#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fuzz_fail(__FILE__, __LINE__, #cond);                                      \
	} while (0)

/*
 * A heap copy of exactly len bytes (len may be 0), so AddressSanitizer
 * reports a decoder that reads even one byte past what it was given.
 */
uint8_t *fuzz_dup(const uint8_t *data, size_t len);

/* Little-endian reads for oracles that must not share code with the decoders. */
uint64_t fuzz_le64(const uint8_t *p);
uint32_t fuzz_le32(const uint8_t *p);

/*
 * The header rule every card data buffer follows (docs/protocol.md 4.1),
 * as the oracles read it: a buffer shorter than min_len or with another
 * identifier is -EBADMSG, a length field (word 0 & len_mask, counting
 * from len_base) past the buffer is -EMSGSIZE, one under min_dlen is
 * -EBADMSG; else *end is where the block ends.
 */
struct fuzz_block {
	uint16_t id;
	size_t min_len;
	uint64_t len_mask;
	size_t len_base;
	uint64_t min_dlen;
};
int fuzz_expect_block(const struct fuzz_block *b, const uint8_t *buf, size_t len, size_t *end);

/*
 * The firmware string rule of docs/protocol.md: the 8 raw bytes up to the
 * first NUL, anything not printable ASCII as '?', trailing spaces trimmed.
 */
void fuzz_check_fw_string(const char got[9], const uint8_t raw[8]);

#endif /* OCXLFS_FUZZ_H */
