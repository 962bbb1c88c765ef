// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * JSON renderer tests: every file is parsed back with json-c's parser and
 * checked field by field against docs/json.md, including the rule that
 * 64-bit values are decimal strings and the escaping of odd firmware text.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "codec/codec.h"
#include "proto/render.h"
#include "proto/render_event.h"
#include "proto/render_json.h"

struct buf {
	char *data;
	size_t len;
	FILE *f;
};

static void buf_open(struct buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->f = open_memstream(&b->data, &b->len);
	ck_assert_ptr_nonnull(b->f);
}

static void buf_close(struct buf *b)
{
	ck_assert_int_eq(fclose(b->f), 0);
}

/*
 * The document must be one JSON value followed by exactly one newline:
 * the text-file rule of docs/tree.md, and what `jq` and json.load expect.
 */
static struct json_object *parse(struct buf *b)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;

	ck_assert_ptr_nonnull(tok);
	ck_assert_uint_gt(b->len, 1);
	ck_assert_int_eq(b->data[b->len - 1], '\n');
	ck_assert_ptr_null(memchr(b->data, '\0', b->len));
	o = json_tokener_parse_ex(tok, b->data, (int)b->len - 1);
	ck_assert_msg(o != NULL, "not JSON: %s (%s)", b->data,
		      json_tokener_error_desc(json_tokener_get_error(tok)));
	ck_assert_int_eq(json_tokener_get_parse_end(tok), b->len - 1);
	json_tokener_free(tok);
	free(b->data);
	b->data = NULL;
	return o;
}

static struct json_object *get(struct json_object *o, const char *key, enum json_type type)
{
	struct json_object *v = NULL;

	ck_assert_msg(json_object_object_get_ex(o, key, &v), "no key %s", key);
	ck_assert_msg(json_object_is_type(v, type), "%s has type %s", key,
		      json_type_to_name(json_object_get_type(v)));
	return v;
}

static void assert_str(struct json_object *o, const char *key, const char *want)
{
	ck_assert_str_eq(json_object_get_string(get(o, key, json_type_string)), want);
}

static void assert_int(struct json_object *o, const char *key, int64_t want)
{
	ck_assert_int_eq(json_object_get_int64(get(o, key, json_type_int)), want);
}

static void assert_absent(struct json_object *o, const char *key)
{
	ck_assert_msg(!json_object_object_get_ex(o, key, NULL), "unexpected key %s", key);
}

static struct ocxlfs_identity sample_identity(void)
{
	struct ocxlfs_identity id = {
	    .serial = 18446744073709551615ULL, /* 2^64 - 1: no double holds it */
	    .fw_version = "FW\"\\/1  ",
	    /* revision 1.2, latency 150 ns, ready 5 s, memory 600 s */
	    .ccap0 = (600ULL << 52) | (5ULL << 48) | (150ULL << 32) | 0x12,
	    .ccap1 = 0x100000,
	    .admin_buffer_size = 4096,
	    .has_admin_buffer_size = true,
	};

	return id;
}

START_TEST(test_info)
{
	struct ocxlfs_identity id = sample_identity();
	struct ocxlfs_info_extra extra = {65536, 256, "simulator", "sim:0"};
	struct buf b;
	struct json_object *o;

	buf_open(&b);
	ck_assert_int_eq(ocxlfs_render_info_json(b.f, &id, &extra), 0);
	buf_close(&b);
	o = parse(&b);
	assert_str(o, "schema", "ocxlfs.info/1");
	assert_str(o, "serial", "18446744073709551615");
	/* Quote, backslash and slash survive; trailing spaces go as in the text file. */
	assert_str(o, "firmware_version", "FW\"\\/1");
	assert_str(o, "revision", "1.2");
	assert_int(o, "read_latency_ns", 150);
	assert_int(o, "ready_timeout_s", 5);
	assert_int(o, "memory_available_timeout_s", 600);
	assert_int(o, "max_dump_size", 0x100000);
	assert_int(o, "admin_buffer_size", 4096);
	assert_int(o, "label_size", 65536);
	assert_int(o, "label_max_xfer", 256);
	assert_str(o, "ccap0", "0x2585009600000012");
	assert_str(o, "ccap1", "0x0000000000100000");
	assert_str(o, "transport", "simulator");
	assert_str(o, "device", "sim:0");
	ck_assert_int_eq(json_object_object_length(o), 15);
	json_object_put(o);
}
END_TEST

START_TEST(test_info_unknowns_are_null)
{
	struct ocxlfs_identity id = sample_identity();
	struct buf b;
	struct json_object *o;

	id.has_admin_buffer_size = false;
	buf_open(&b);
	ck_assert_int_eq(ocxlfs_render_info_json(b.f, &id, NULL), 0);
	buf_close(&b);
	o = parse(&b);
	get(o, "admin_buffer_size", json_type_null);
	get(o, "transport", json_type_null);
	get(o, "device", json_type_null);
	assert_int(o, "label_size", 0);
	json_object_put(o);
}
END_TEST

START_TEST(test_stats)
{
	struct ocxlfs_stats st = {0};
	struct buf b;
	struct json_object *o, *v;
	const char *p, *prev;

	st.value[OCXLFS_STAT_RESET_COUNT] = 3;
	st.value[OCXLFS_STAT_LIFE_REMAINING] = 97;
	st.value[OCXLFS_STAT_HOST_LOAD_DURATION] = 18446744073709551615ULL;
	st.value[OCXLFS_STAT_MEDIA_READ_COUNT] = 9007199254740993ULL; /* 2^53 + 1 */
	st.value[OCXLFS_STAT_FAST_WRITE_COUNT] = 0;
	st.present = 1u << OCXLFS_STAT_RESET_COUNT | 1u << OCXLFS_STAT_LIFE_REMAINING |
		     1u << OCXLFS_STAT_HOST_LOAD_DURATION | 1u << OCXLFS_STAT_MEDIA_READ_COUNT |
		     1u << OCXLFS_STAT_FAST_WRITE_COUNT;
	st.value[OCXLFS_STAT_HOST_STORE_COUNT] = 5; /* not present: must not show */
	st.unknown_blocks = 2;

	buf_open(&b);
	ck_assert_int_eq(ocxlfs_render_stats_json(b.f, &st), 0);
	buf_close(&b);
	/* Fields appear in the text file's order (enum order). */
	prev = b.data;
	for (unsigned f = 0; f < OCXLFS_STAT_NR; f++) {
		char key[64];

		if (!(st.present & (1u << f)))
			continue;
		snprintf(key, sizeof(key), "\"%s\"", ocxlfs_stat_name((enum ocxlfs_stat_field)f));
		p = strstr(b.data, key);
		ck_assert_ptr_nonnull(p);
		ck_assert_msg(p > prev, "%s out of order", key);
		prev = p;
	}
	o = parse(&b);
	assert_str(o, "schema", "ocxlfs.statistics/1");
	assert_int(o, "unknown_blocks", 2);
	v = get(o, "statistics", json_type_object);
	ck_assert_int_eq(json_object_object_length(v), 5);
	assert_str(v, "reset_count", "3");
	assert_str(v, "life_remaining", "97");
	assert_str(v, "host_load_duration", "18446744073709551615");
	assert_str(v, "media_read_count", "9007199254740993");
	assert_str(v, "fast_write_count", "0");
	assert_absent(v, "host_store_count");
	json_object_put(o);
}
END_TEST

START_TEST(test_stats_empty)
{
	struct ocxlfs_stats st = {0};
	struct buf b;
	struct json_object *o;

	buf_open(&b);
	ck_assert_int_eq(ocxlfs_render_stats_json(b.f, &st), 0);
	buf_close(&b);
	o = parse(&b);
	ck_assert_int_eq(json_object_object_length(get(o, "statistics", json_type_object)), 0);
	json_object_put(o);
}
END_TEST

START_TEST(test_smart)
{
	struct ocxlfs_smart sm = {0};
	struct buf b;
	struct json_object *o, *a, *e;

	sm.attr[0] = (struct ocxlfs_smart_attr){OCXLFS_SMART_TEMPERATURE, 0x0022, 45, 85, 47, 45};
	sm.attr[1] = (struct ocxlfs_smart_attr){0xE7, 0xFFFF, 255, 0, 1, 18446744073709551615ULL};
	sm.count = 2;
	buf_open(&b);
	ck_assert_int_eq(ocxlfs_render_smart_json(b.f, &sm), 0);
	buf_close(&b);
	o = parse(&b);
	assert_str(o, "schema", "ocxlfs.health/1");
	a = get(o, "attributes", json_type_array);
	ck_assert_uint_eq(json_object_array_length(a), 2);
	e = json_object_array_get_idx(a, 0);
	assert_int(e, "id", 0xC2);
	assert_str(e, "name", "temperature");
	assert_int(e, "current", 45);
	assert_int(e, "worst", 47);
	assert_int(e, "threshold", 85);
	assert_int(e, "flags", 0x22);
	assert_str(e, "raw", "45");
	ck_assert_int_eq(json_object_object_length(e), 7);
	e = json_object_array_get_idx(a, 1);
	assert_int(e, "id", 0xE7);
	assert_str(e, "name", "unknown");
	assert_int(e, "flags", 0xFFFF);
	assert_str(e, "raw", "18446744073709551615");
	json_object_put(o);
}
END_TEST

/* health.json with the verdict: "verdict" and "reasons" in the order given. */
START_TEST(test_health_verdict)
{
	struct ocxlfs_smart sm = {0};
	struct ocxlfs_verdict_result v = {0};
	struct buf b;
	struct json_object *o, *a, *e;

	sm.attr[0] = (struct ocxlfs_smart_attr){OCXLFS_SMART_TEMPERATURE, 0x0022, 90, 85, 47, 90};
	sm.count = 1;
	v.verdict = OCXLFS_VERDICT_CRITICAL;
	v.nreasons = 2;
	v.reason[0] = (struct ocxlfs_verdict_reason){OCXLFS_VERDICT_CRITICAL, "temperature", "hot"};
	v.reason[1] = (struct ocxlfs_verdict_reason){OCXLFS_VERDICT_WARNING, "heartbeat", "\"q\""};
	buf_open(&b);
	ck_assert_int_eq(ocxlfs_render_health_json(b.f, &sm, &v), 0);
	buf_close(&b);
	o = parse(&b);
	assert_str(o, "schema", "ocxlfs.health/1");
	assert_str(o, "verdict", "critical");
	a = get(o, "reasons", json_type_array);
	ck_assert_uint_eq(json_object_array_length(a), 2);
	e = json_object_array_get_idx(a, 0);
	assert_str(e, "level", "critical");
	assert_str(e, "rule", "temperature");
	assert_str(e, "text", "hot");
	e = json_object_array_get_idx(a, 1);
	assert_str(e, "level", "warning");
	assert_str(e, "text", "\"q\"");
	ck_assert_uint_eq(json_object_array_length(get(o, "attributes", json_type_array)), 1);
	json_object_put(o);

	/* ok: an empty reasons array, never absent */
	v = (struct ocxlfs_verdict_result){0};
	buf_open(&b);
	ck_assert_int_eq(ocxlfs_render_health_json(b.f, &sm, &v), 0);
	buf_close(&b);
	o = parse(&b);
	assert_str(o, "verdict", "ok");
	ck_assert_uint_eq(json_object_array_length(get(o, "reasons", json_type_array)), 0);
	json_object_put(o);
}
END_TEST

START_TEST(test_smart_count_clamped)
{
	struct ocxlfs_smart sm = {0};
	struct buf b;
	struct json_object *o;

	sm.count = OCXLFS_SMART_MAX_ATTRS + 10; /* a struct filled by hand */
	buf_open(&b);
	ck_assert_int_eq(ocxlfs_render_smart_json(b.f, &sm), 0);
	buf_close(&b);
	o = parse(&b);
	ck_assert_uint_eq(json_object_array_length(get(o, "attributes", json_type_array)),
			  OCXLFS_SMART_MAX_ATTRS);
	json_object_put(o);
}
END_TEST

static const uint8_t addl[4] = {0x01, 0x02, 0xde, 0xef};

static struct ocxlfs_errlog sample_errlog(uint32_t id)
{
	struct ocxlfs_errlog el = {
	    .log_id = id,
	    .program_ref_code = 0xa01c,
	    .type = OCXLFS_EL_THERMAL,
	    .action_flags = OCXLFS_EL_ACT_RESET | OCXLFS_EL_ACT_TAKE_DUMP | (1u << 5),
	    .power_on_seconds = 86400,
	    .timestamp = 18446744073709551615ULL,
	    .wwid = {0x5005076000000001ULL, 0x500507600000abcdULL},
	    .fw_revision = "FW010203",
	    .addl_len = sizeof(addl),
	    .addl = addl,
	};

	return el;
}

START_TEST(test_errlog)
{
	struct ocxlfs_errlog_json j;
	struct ocxlfs_errlog el = sample_errlog(7), el2 = sample_errlog(8);
	struct buf b;
	struct json_object *o, *a, *e, *acts;
	unsigned lines = 0;

	el2.type = 0x77;
	el2.action_flags = 0;
	el2.addl_len = 0;
	el2.addl = NULL;
	el2.fw_revision[0] = '\0';

	buf_open(&b);
	ck_assert_int_eq(ocxlfs_errlog_json_begin(&j, b.f), 0);
	ck_assert_int_eq(ocxlfs_errlog_json_entry(&j, &el), 0);
	ck_assert_int_eq(ocxlfs_errlog_json_undecodable(&j, 12, -EBADMSG), 0);
	ck_assert_int_eq(ocxlfs_errlog_json_entry(&j, &el2), 0);
	ck_assert_int_eq(ocxlfs_errlog_json_end(&j), 0);
	buf_close(&b);
	/* One entry per line between the frame's two lines, so grep -c works. */
	for (size_t i = 0; i < b.len; i++)
		lines += b.data[i] == '\n';
	ck_assert_uint_eq(lines, 3 + 2);

	o = parse(&b);
	assert_str(o, "schema", "ocxlfs.error_log/1");
	a = get(o, "entries", json_type_array);
	ck_assert_uint_eq(json_object_array_length(a), 3);

	e = json_object_array_get_idx(a, 0);
	assert_int(e, "id", 7);
	assert_int(e, "program_reference_code", 0xa01c);
	assert_int(e, "type", 2);
	assert_str(e, "type_name", "thermal-warning");
	assert_int(e, "action_flags", 0x800021);
	/* The names are the text file's: ascending bit order, bitN for the unnamed. */
	acts = get(e, "actions", json_type_array);
	ck_assert_uint_eq(json_object_array_length(acts), 3);
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(acts, 0)), "reset");
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(acts, 1)), "bit5");
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(acts, 2)), "take-dump");
	assert_int(e, "power_on_seconds", 86400);
	assert_str(e, "timestamp", "18446744073709551615");
	assert_str(e, "wwid", "5005076000000001500507600000abcd");
	assert_str(e, "firmware_revision", "FW010203");
	assert_str(e, "additional_data", "0102deef");
	assert_absent(e, "error");
	ck_assert_int_eq(json_object_object_length(e), 11);

	e = json_object_array_get_idx(a, 1);
	assert_int(e, "id", 12);
	assert_str(e, "error", "EBADMSG");
	ck_assert_int_eq(json_object_object_length(e), 2);

	e = json_object_array_get_idx(a, 2);
	assert_str(e, "type_name", "unknown");
	assert_int(e, "type", 0x77);
	ck_assert_uint_eq(json_object_array_length(get(e, "actions", json_type_array)), 0);
	assert_str(e, "additional_data", "");
	assert_str(e, "firmware_revision", "");
	json_object_put(o);
}
END_TEST

START_TEST(test_errlog_empty)
{
	struct ocxlfs_errlog_json j;
	struct buf b;
	struct json_object *o;

	buf_open(&b);
	ck_assert_int_eq(ocxlfs_errlog_json_begin(&j, b.f), 0);
	ck_assert_int_eq(ocxlfs_errlog_json_end(&j), 0);
	buf_close(&b);
	o = parse(&b);
	ck_assert_uint_eq(json_object_array_length(get(o, "entries", json_type_array)), 0);
	json_object_put(o);
}
END_TEST

/* A stream that fails mid-way: -EIO, and every later call repeats it. */
START_TEST(test_errlog_stream_error_sticks)
{
	struct ocxlfs_errlog_json j;
	struct ocxlfs_errlog el = sample_errlog(1);
	char small[64];
	FILE *f = fmemopen(small, sizeof(small), "w");
	int rc = 0;

	ck_assert_ptr_nonnull(f);
	setvbuf(f, NULL, _IONBF, 0);
	ocxlfs_errlog_json_begin(&j, f);
	for (int i = 0; i < 4 && !rc; i++)
		rc = ocxlfs_errlog_json_entry(&j, &el);
	ck_assert_int_eq(rc, -EIO);
	ck_assert_int_eq(ocxlfs_errlog_json_undecodable(&j, 2, -EBADMSG), -EIO);
	ck_assert_int_eq(ocxlfs_errlog_json_end(&j), -EIO);
	fclose(f);
}
END_TEST

START_TEST(test_stream_error)
{
	struct ocxlfs_stats st = {.value = {1}, .present = 1};
	char small[8];
	FILE *f = fmemopen(small, sizeof(small), "w");

	ck_assert_ptr_nonnull(f);
	setvbuf(f, NULL, _IONBF, 0);
	ck_assert_int_eq(ocxlfs_render_stats_json(f, &st), -EIO);
	fclose(f);
}
END_TEST

/* ---- the event stream's line (docs/json.md section 8) ---- */

static struct json_object *event_line(const struct ocxlfs_event *e)
{
	char buf[512];
	int n = ocxlfs_render_event_json(buf, sizeof(buf), e);
	struct json_object *o;

	ck_assert_int_gt(n, 0);
	ck_assert_int_eq((int)strlen(buf), n);
	ck_assert_int_eq(buf[n - 1], '\n');
	ck_assert_ptr_null(memchr(buf, '\n', (size_t)n - 1)); /* one line */
	o = json_tokener_parse(buf);
	ck_assert_ptr_nonnull(o);
	return o;
}

static const char *member_str(struct json_object *o, const char *path1, const char *key)
{
	struct json_object *v = o;

	if (path1)
		ck_assert(json_object_object_get_ex(o, path1, &v));
	ck_assert(json_object_object_get_ex(v, key, &v));
	return json_object_get_string(v);
}

START_TEST(test_event_common)
{
	struct ocxlfs_event e = {
		.seq = 18446744073709551615ull,
		.when = { 1796128001, 993200251 },
		.pid = 4242,
		.index = 3,
		.serial = "2020000003",
		.type = OCXLFS_EV_STATE_CHANGE,
		.state = { "ready", "fatal-firmware" },
	};
	struct json_object *o = event_line(&e), *v;

	ck_assert_str_eq(member_str(o, NULL, "schema"), "ocxlfs.events/1");
	ck_assert(json_object_object_get_ex(o, "seq", &v));
	ck_assert(json_object_is_type(v, json_type_string));
	ck_assert_str_eq(json_object_get_string(v), "18446744073709551615");
	ck_assert_str_eq(member_str(o, NULL, "timestamp"), "1796128001.993200251");
	ck_assert_str_eq(member_str(o, NULL, "time"), "2026-12-01T12:26:41Z");
	ck_assert(json_object_object_get_ex(o, "pid", &v));
	ck_assert_int_eq(json_object_get_int(v), 4242);
	ck_assert_str_eq(member_str(o, NULL, "type"), "state-change");
	ck_assert(json_object_object_get_ex(o, "event", &v));
	ck_assert_int_eq(json_object_object_length(v), 1);
	ck_assert(json_object_object_get_ex(v, "state-change", &v));
	ck_assert(json_object_get_boolean(v));
	ck_assert(json_object_object_get_ex(o, "card", &v));
	ck_assert(json_object_object_get_ex(v, "index", &v));
	ck_assert_int_eq(json_object_get_int(v), 3);
	ck_assert_str_eq(member_str(o, "card", "serial"), "2020000003");
	ck_assert_str_eq(member_str(o, "details", "from"), "ready");
	ck_assert_str_eq(member_str(o, "details", "to"), "fatal-firmware");
	json_object_put(o);
}
END_TEST

START_TEST(test_event_details)
{
	struct ocxlfs_event e = { .serial = "1", .type = OCXLFS_EV_DUMP_COLLECTED,
				  .dump.bytes = 1ull << 40 };
	struct json_object *o = event_line(&e), *v;

	ck_assert_str_eq(member_str(o, "details", "bytes"), "1099511627776");
	json_object_put(o);

	e = (struct ocxlfs_event){ .serial = "1", .type = OCXLFS_EV_OVERWRITE_PROGRESS,
				   .overwrite = { .state = "running", .permille = 1234 } };
	o = event_line(&e);
	ck_assert(json_object_object_get_ex(o, "details", &v));
	ck_assert(json_object_object_get_ex(v, "progress_permille", &v));
	ck_assert_int_eq(json_object_get_int(v), 1000); /* clamped */
	json_object_put(o);

	e = (struct ocxlfs_event){ .serial = "1", .type = OCXLFS_EV_HEARTBEAT_FAILED,
				   .heartbeat = { -ETIMEDOUT, 0 } };
	o = event_line(&e);
	ck_assert_str_eq(member_str(o, "details", "error"), "ETIMEDOUT");
	json_object_put(o);

	e = (struct ocxlfs_event){ .serial = "1", .type = OCXLFS_EV_VERDICT_CHANGE,
				   .verdict = { "ok", "warning", "temperature \"90\" C" } };
	o = event_line(&e);
	ck_assert_str_eq(member_str(o, "details", "reasons"), "temperature \"90\" C");
	json_object_put(o);

	e = (struct ocxlfs_event){ .serial = "1", .type = OCXLFS_EV_CARD_ADDED };
	o = event_line(&e);
	ck_assert(json_object_object_get_ex(o, "details", &v));
	ck_assert_int_eq(json_object_object_length(v), 0);
	json_object_put(o);
}
END_TEST

START_TEST(test_event_every_type_named)
{
	for (int t = 0; t < OCXLFS_EV_NTYPES; t++)
		ck_assert_ptr_nonnull(ocxlfs_event_type_name((enum ocxlfs_event_type)t));
	ck_assert_ptr_null(ocxlfs_event_type_name(OCXLFS_EV_NTYPES));
}
END_TEST

START_TEST(test_event_bad_input)
{
	struct ocxlfs_event e = { .serial = "1", .type = OCXLFS_EV_NTYPES };
	char buf[512];

	ck_assert_int_eq(ocxlfs_render_event_json(buf, sizeof(buf), &e), -EINVAL);
	e.type = OCXLFS_EV_CARD_REMOVED;
	ck_assert_int_eq(ocxlfs_render_event_json(buf, 40, &e), -ENOSPC);
}
END_TEST

static Suite *render_json_suite(void)
{
	Suite *s = suite_create("render_json");
	TCase *tc = tcase_create("json");

	tcase_add_test(tc, test_info);
	tcase_add_test(tc, test_info_unknowns_are_null);
	tcase_add_test(tc, test_stats);
	tcase_add_test(tc, test_stats_empty);
	tcase_add_test(tc, test_smart);
	tcase_add_test(tc, test_health_verdict);
	tcase_add_test(tc, test_smart_count_clamped);
	tcase_add_test(tc, test_errlog);
	tcase_add_test(tc, test_errlog_empty);
	tcase_add_test(tc, test_errlog_stream_error_sticks);
	tcase_add_test(tc, test_stream_error);
	tcase_add_test(tc, test_event_common);
	tcase_add_test(tc, test_event_details);
	tcase_add_test(tc, test_event_every_type_named);
	tcase_add_test(tc, test_event_bad_input);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(render_json_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
