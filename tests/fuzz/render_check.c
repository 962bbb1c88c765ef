// SPDX-License-Identifier: LGPL-2.1-or-later
/* Checks on the renderers' output (render_check.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "render_check.h"

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

struct json_object *fuzz_json_check(const char *text, const char *schema)
{
	struct json_tokener *tok = json_tokener_new();
	size_t len = strlen(text);
	struct json_object *o;

	FUZZ_ASSERT(tok);
	FUZZ_ASSERT(len >= 2 && text[len - 1] == '\n');
	o = json_tokener_parse_ex(tok, text, (int)len);
	FUZZ_ASSERT(o && json_tokener_get_error(tok) == json_tokener_success);
	/* One document, then only the newline. */
	FUZZ_ASSERT(json_tokener_get_parse_end(tok) >= len - 1);
	FUZZ_ASSERT(strspn(text + json_tokener_get_parse_end(tok), "\n") ==
		    len - json_tokener_get_parse_end(tok));
	json_tokener_free(tok);
	FUZZ_ASSERT(json_object_is_type(o, json_type_object));
	FUZZ_ASSERT(!strcmp(json_object_get_string(fuzz_json_get(o, "schema")), schema));
	return o;
}

struct json_object *fuzz_json_get(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	FUZZ_ASSERT(json_object_object_get_ex(obj, key, &v));
	return v;
}

/* ---- Prometheus text format ---- */

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       (!first && c >= '0' && c <= '9');
}

/* A metric or label name at *p (colons only for metrics); advances past it. */
static size_t name_at(const char **p, bool metric)
{
	const char *s = *p;

	while (name_char(**p, *p == s) && (metric || **p != ':'))
		(*p)++;
	FUZZ_ASSERT(*p > s);
	return (size_t)(*p - s);
}

/* A quoted label value at *p: closed, only the three escapes; advances past it. */
static void label_value_at(const char **p)
{
	FUZZ_ASSERT(**p == '"');
	for ((*p)++; **p != '"'; (*p)++) {
		FUZZ_ASSERT(**p && **p != '\n');
		if (**p == '\\') {
			(*p)++;
			FUZZ_ASSERT(**p == '\\' || **p == '"' || **p == 'n');
		}
	}
	(*p)++;
}

/* Lines of text that start with the n bytes at prefix. */
static size_t lines_starting(const char *text, const char *prefix, size_t n)
{
	size_t count = 0;

	for (const char *p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		count += !strncmp(p, prefix, n);
	return count;
}

size_t fuzz_prom_check(const char *text)
{
	char family[128] = "";
	const char **keys = NULL;
	size_t *key_len = NULL, samples = 0;
	bool help = false;

	for (const char *p = text, *eol; *p; p = eol + 1) {
		const char *q = p;
		size_t n;

		eol = strchr(p, '\n');
		FUZZ_ASSERT(eol);
		if (!strncmp(p, "# HELP ", 7)) {
			q += 7;
			n = name_at(&q, true);
			FUZZ_ASSERT(*q == ' ' && n < sizeof(family));
			memcpy(family, q - n, n);
			family[n] = '\0';
			/* A family is described once. */
			FUZZ_ASSERT(lines_starting(text, p, (size_t)(q + 1 - p)) == 1);
			help = true;
			continue;
		}
		if (!strncmp(p, "# TYPE ", 7)) {
			q += 7;
			n = name_at(&q, true);
			FUZZ_ASSERT(help && n == strlen(family) && !strncmp(q - n, family, n));
			FUZZ_ASSERT(!strncmp(q, " gauge\n", 7) || !strncmp(q, " counter\n", 9));
			help = false;
			continue;
		}
		/* A sample of the current family. */
		n = name_at(&q, true);
		FUZZ_ASSERT(family[0] && !help && n == strlen(family) && !strncmp(p, family, n));
		if (*q == '{') {
			do {
				q++;
				name_at(&q, false);
				FUZZ_ASSERT(*q == '=');
				q++;
				label_value_at(&q);
			} while (*q == ',');
			FUZZ_ASSERT(*q == '}');
			q++;
		}
		/* No series twice: the name and labels are unique. */
		for (size_t i = 0; i < samples; i++)
			FUZZ_ASSERT(key_len[i] != (size_t)(q - p) ||
				    strncmp(keys[i], p, key_len[i]));
		keys = realloc(keys, (samples + 1) * sizeof(*keys));
		key_len = realloc(key_len, (samples + 1) * sizeof(*key_len));
		FUZZ_ASSERT(keys && key_len);
		keys[samples] = p;
		key_len[samples++] = (size_t)(q - p);
		FUZZ_ASSERT(*q == ' ');
		q++;
		n = strspn(q, "0123456789");
		FUZZ_ASSERT(n > 0);
		q += n;
		if (*q == '.') {
			q++;
			n = strspn(q, "0123456789");
			FUZZ_ASSERT(n > 0);
			q += n;
		}
		FUZZ_ASSERT(q == eol);
	}
	FUZZ_ASSERT(!help);
	free(keys);
	free(key_len);
	return samples;
}

char *fuzz_prom_label(const char *text, const char *metric, const char *label)
{
	size_t mlen = strlen(metric), llen = strlen(label);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		const char *q = p + mlen;

		if (strncmp(p, metric, mlen) || *q != '{')
			continue;
		while (*q == '{' || *q == ',') {
			const char *name = ++q, *v;
			char *out, *o;

			q = strchr(q, '=');
			v = q + 1;
			label_value_at(&v);
			if ((size_t)(q - name) != llen || strncmp(name, label, llen)) {
				q = v;
				continue;
			}
			out = malloc((size_t)(v - q));
			FUZZ_ASSERT(out);
			o = out;
			for (const char *c = q + 2; c < v - 1; c++) {
				if (*c == '\\') {
					c++;
					*o++ = *c == 'n' ? '\n' : *c;
				} else {
					*o++ = *c;
				}
			}
			*o = '\0';
			return out;
		}
	}
	return NULL;
}
