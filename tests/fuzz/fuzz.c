// SPDX-License-Identifier: LGPL-2.1-or-later
/* Helpers shared by the libFuzzer targets (see fuzz.h). */
#include <errno.h>
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

size_t fuzz_count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Renders into a fixed, unbuffered buffer of cap bytes; returns the renderer's rc. */
static int render_bounded(fuzz_render_fn fn, const void *obj, size_t cap, const char *full,
			  size_t full_len)
{
	char *buf = malloc(cap);
	FILE *f;
	int rc;

	FUZZ_ASSERT(buf);
	f = fmemopen(buf, cap, "w");
	FUZZ_ASSERT(f);
	/* Unbuffered: a write that does not fit fails at once, not at fclose. */
	setvbuf(f, NULL, _IONBF, 0);
	rc = fn(f, obj);
	fclose(f);
	FUZZ_ASSERT(rc == 0 || rc == -EIO);
	if (full_len > cap)
		FUZZ_ASSERT(rc == -EIO);
	if (full_len < cap) {
		FUZZ_ASSERT(rc == 0);
		FUZZ_ASSERT(!memcmp(buf, full, full_len));
	}
	free(buf);
	return rc;
}

char *fuzz_render_check(fuzz_render_fn fn, const void *obj, bool allow_empty, size_t *lines)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	f = open_memstream(&text, &len);
	FUZZ_ASSERT(f);
	rc = fn(f, obj);
	FUZZ_ASSERT(fclose(f) == 0);
	FUZZ_ASSERT(rc == 0);
	FUZZ_ASSERT(strlen(text) == len); /* no NUL inside */
	FUZZ_ASSERT(allow_empty || len > 0);
	if (len)
		FUZZ_ASSERT(text[len - 1] == '\n');
	for (size_t i = 0; i < len; i++)
		FUZZ_ASSERT(text[i] == '\n' || (text[i] >= 0x20 && text[i] < 0x7F));

	/* fmemopen() refuses a zero-sized buffer. */
	if (len > 1)
		render_bounded(fn, obj, len - 1, text, len);
	render_bounded(fn, obj, len + 1, text, len);
	*lines = fuzz_count_lines(text);
	return text;
}
