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
 * The firmware string rule of docs/protocol.md: the 8 raw bytes up to the
 * first NUL, anything not printable ASCII as '?', trailing spaces trimmed.
 */
void fuzz_check_fw_string(const char got[9], const uint8_t raw[8]);

#endif /* OCXLFS_FUZZ_H */
