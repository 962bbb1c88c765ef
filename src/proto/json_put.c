// SPDX-License-Identifier: LGPL-2.1-or-later
/* The JSON value helpers of the renderers (json_put.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "proto/json_put.h"

int ocxlfs_json_put(struct json_object *o, const char *key, struct json_object *v)
{
	if (!v)
		return -ENOMEM;
	if (json_object_object_add_ex(o, key, v, JSON_C_OBJECT_ADD_CONSTANT_KEY)) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

int ocxlfs_json_put_null(struct json_object *o, const char *key)
{
	return json_object_object_add_ex(o, key, NULL, JSON_C_OBJECT_ADD_CONSTANT_KEY) ? -ENOMEM
										      : 0;
}

int ocxlfs_json_put_str(struct json_object *o, const char *key, const char *s)
{
	return s ? ocxlfs_json_put(o, key, json_object_new_string(s))
		 : ocxlfs_json_put_null(o, key);
}

int ocxlfs_json_put_num(struct json_object *o, const char *key, uint32_t v)
{
	return ocxlfs_json_put(o, key, json_object_new_int64(v));
}

int ocxlfs_json_put_u64(struct json_object *o, const char *key, uint64_t v)
{
	char s[21];

	snprintf(s, sizeof(s), "%" PRIu64, v);
	return ocxlfs_json_put_str(o, key, s);
}

int ocxlfs_json_put_hex64(struct json_object *o, const char *key, uint64_t v)
{
	char s[19];

	snprintf(s, sizeof(s), "0x%016" PRIx64, v);
	return ocxlfs_json_put_str(o, key, s);
}

int ocxlfs_json_put_bool(struct json_object *o, const char *key, bool v)
{
	return ocxlfs_json_put(o, key, json_object_new_boolean(v));
}

int ocxlfs_json_array_add(struct json_object *a, struct json_object *v)
{
	if (!v)
		return -ENOMEM;
	if (json_object_array_add(a, v)) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

int ocxlfs_json_emit(FILE *out, struct json_object *o, const char *end)
{
	size_t len = 0;
	const char *s = json_object_to_json_string_length(o, OCXLFS_JSON_FLAGS, &len);
	int rc = 0;

	if (!s)
		rc = -ENOMEM;
	else if (fwrite(s, 1, len, out) != len || fputs(end, out) == EOF || ferror(out))
		rc = -EIO;
	json_object_put(o);
	return rc;
}
