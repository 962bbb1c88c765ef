/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Building the JSON objects of the .json files and the event stream
 * (docs/json.md): one helper per value kind, each taking ownership of what
 * it adds and answering -ENOMEM when json-c could not allocate.
 */
#ifndef OCXLFS_PROTO_JSON_PUT_H
#define OCXLFS_PROTO_JSON_PUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

/* Takes ownership of V (NULL: allocation failed); KEY must be a literal. */
int ocxlfs_json_put(struct json_object *o, const char *key, struct json_object *v);
int ocxlfs_json_put_null(struct json_object *o, const char *key);
/* S NULL is written as null. */
int ocxlfs_json_put_str(struct json_object *o, const char *key, const char *s);
/* 32 bits or fewer: a JSON number. */
int ocxlfs_json_put_num(struct json_object *o, const char *key, uint32_t v);
/* 64 bits: decimal digits in a string, so no parser rounds them (json.md 1). */
int ocxlfs_json_put_u64(struct json_object *o, const char *key, uint64_t v);
/* "0x" and 16 hex digits. */
int ocxlfs_json_put_hex64(struct json_object *o, const char *key, uint64_t v);
int ocxlfs_json_put_bool(struct json_object *o, const char *key, bool v);
/* How every ocxlfs JSON text is written: compact, slashes as they are. */
#define OCXLFS_JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
/* Writes O, then END; drops O whatever happened.  -ENOMEM, -EIO. */
int ocxlfs_json_emit(FILE *out, struct json_object *o, const char *end);
/* Takes ownership of V (NULL: allocation failed). */
int ocxlfs_json_array_add(struct json_object *a, struct json_object *v);

#endif /* OCXLFS_PROTO_JSON_PUT_H */
