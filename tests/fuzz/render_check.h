/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Checks on what the renderers make of decoded fuzz input: the text files,
 * their JSON siblings and metrics.prom (docs/tree.md, docs/json.md).
 * Each aborts through FUZZ_ASSERT when the output breaks its format.
 */
#ifndef OCXLFS_FUZZ_RENDER_CHECK_H
#define OCXLFS_FUZZ_RENDER_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <json-c/json.h>

/* A renderer bound to its object: writes text to out, returns 0 or -errno. */
typedef int (*fuzz_render_fn)(FILE *out, const void *obj);

/*
 * Renders obj into memory and checks the text the tree would serve:
 * non-empty unless allow_empty, printable ASCII and '\n' only, ending in a
 * newline.  Then renders again into fixed buffers one byte too small and
 * one byte larger than needed: the renderer must report -EIO exactly when
 * the text does not fit, and never write past the buffer.  Returns the
 * text (malloc'd, NUL-terminated) and its number of lines.
 */
char *fuzz_render_check(fuzz_render_fn fn, const void *obj, bool allow_empty, size_t *lines);

/* Number of '\n' in s. */
size_t fuzz_count_lines(const char *s);

/*
 * docs/json.md section 1: one JSON object and one '\n', with the given
 * schema.  Returns the parsed object; the caller drops it with
 * json_object_put().
 */
struct json_object *fuzz_json_check(const char *text, const char *schema);

/* A member that must be there: its value (borrowed from obj). */
struct json_object *fuzz_json_get(struct json_object *obj, const char *key);

/*
 * Prometheus text exposition format 0.0.4 as docs/json.md section 6 uses
 * it: HELP and TYPE once per family, before its samples; metric and label
 * names well formed; label values closed and escaped; a numeric value; no
 * series twice.  Returns the number of samples.
 */
size_t fuzz_prom_check(const char *text);

/* The unescaped value of LABEL in the first sample of METRIC (malloc'd), or NULL. */
char *fuzz_prom_label(const char *text, const char *metric, const char *label);

#endif /* OCXLFS_FUZZ_RENDER_CHECK_H */
