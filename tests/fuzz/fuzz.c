// SPDX-License-Identifier: LGPL-2.1-or-later
/* Helpers shared by the libFuzzer targets (see fuzz.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "fuzz invariant broken at %s:%d: %s\n", file, line, what);
	abort();
}

uint8_t *fuzz_dup(const uint8_t *data, size_t len)
{
	/* malloc(0) may return NULL; one spare byte ASan still guards is fine. */
	uint8_t *p = malloc(len ? len : 1);

	FUZZ_ASSERT(p);
	if (len)
		memcpy(p, data, len);
	return p;
}

int fuzz_expect_block(const struct fuzz_block *b, const uint8_t *buf, size_t len, size_t *end)
{
	uint64_t w, dlen;

	if (len < b->min_len)
		return -EBADMSG;
	w = fuzz_le64(buf);
	if ((w >> 48) != b->id)
		return -EBADMSG;
	dlen = w & b->len_mask;
	if (dlen > len - b->len_base)
		return -EMSGSIZE;
	if (dlen < b->min_dlen)
		return -EBADMSG;
	*end = b->len_base + dlen;
	return 0;
}

uint64_t fuzz_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

uint32_t fuzz_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void fuzz_check_fw_string(const char got[9], const uint8_t raw[8])
{
	char want[9];
	size_t n = 0;

	while (n < 8 && raw[n]) {
		want[n] = raw[n] >= 0x20 && raw[n] <= 0x7E ? (char)raw[n] : '?';
		n++;
	}
	while (n && want[n - 1] == ' ')
		n--;
	want[n] = '\0';
	FUZZ_ASSERT(memchr(got, '\0', 9));
	FUZZ_ASSERT(!strcmp(got, want));
}
