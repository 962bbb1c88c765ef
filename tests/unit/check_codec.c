// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Codec, renderer and card-operation tests.  Every data format gets the
 * same treatment: round trip, every short length, a longer buffer, a wrong
 * identifier, a header length past the buffer and all-0xFF garbage.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "proto/ops.h"
#include "proto/render.h"

/* Sizes of all-0xFF buffers thrown at every decoder. */
static const size_t ff_sizes[] = { 0, 1, 7, 8, 9, 0x28, 0x30, 0x40, 0x48, 0x100, 0x148, 0x1000 };
#define NR_FF_SIZES (sizeof(ff_sizes) / sizeof(ff_sizes[0]))

/* Copy of buf with extra trailing bytes, to prove they are ignored. */
static uint8_t *with_tail(const uint8_t *buf, size_t len, size_t extra)
{
	uint8_t *p = malloc(len + extra);

	ck_assert_ptr_nonnull(p);
	memcpy(p, buf, len);
	memset(p + len, 0xA5, extra);
	return p;
}

/* Runs fn over a heap copy of exactly len bytes, so ASan sees any overread. */
#define DECODE_EXACT(fn, buf, len, out)                                                            \
	({                                                                                         \
		uint8_t *_p = malloc((len) ? (len) : 1);                                           \
		int _rc;                                                                           \
		ck_assert_ptr_nonnull(_p);                                                         \
		if (len)                                                                           \
			memcpy(_p, (buf), (len));                                                  \
		_rc = fn(_p, (len), (out));                                                        \
		free(_p);                                                                          \
		_rc;                                                                               \
	})

static void set_hdr_len(uint8_t *buf, uint32_t len, unsigned bits)
{
	uint64_t w = ocxlfs_get_le64(buf);
	uint64_t mask = (1ULL << bits) - 1;

	ocxlfs_put_le64(buf, (w & ~mask) | (len & mask));
}

static void set_hdr_id(uint8_t *buf, uint16_t id)
{
	uint64_t w = ocxlfs_get_le64(buf);

	ocxlfs_put_le64(buf, (w & 0x0000FFFFFFFFFFFFULL) | ((uint64_t)id << 48));
}

/* ================= header and LE helpers ================= */

START_TEST(test_le_and_hdr)
{
	uint8_t b[9] = { 0 };
	uint32_t dlen = 0;

	/* Unaligned access, little-endian byte order. */
	ocxlfs_put_le64(b + 1, 0x0102030405060708ULL);
	ck_assert_uint_eq(b[1], 0x08);
	ck_assert_uint_eq(b[8], 0x01);
	ck_assert_uint_eq(ocxlfs_get_le64(b + 1), 0x0102030405060708ULL);

	ck_assert_uint_eq(ocxlfs_hdr_make(OCXLFS_ID_SMART, 0x10), 0x534D000000000010ULL);
	ocxlfs_put_le64(b, ocxlfs_hdr_make(OCXLFS_ID_DUMP, 1));
	ck_assert_int_eq(ocxlfs_hdr_parse(b, 9, OCXLFS_ID_DUMP, 16, &dlen), 0);
	ck_assert_uint_eq(dlen, 1);
	ck_assert_int_eq(ocxlfs_hdr_parse(b, 8, OCXLFS_ID_DUMP, 16, &dlen), -EMSGSIZE);
	ck_assert_int_eq(ocxlfs_hdr_parse(b, 9, OCXLFS_ID_SMART, 16, &dlen), -EBADMSG);
	ck_assert_int_eq(ocxlfs_hdr_parse(b, 7, OCXLFS_ID_DUMP, 16, &dlen), -EBADMSG);
	/* A 16-bit length ignores bits 31:16. */
	ocxlfs_put_le64(b, ocxlfs_hdr_make(OCXLFS_ID_DUMP, 0x10000));
	ck_assert_int_eq(ocxlfs_hdr_parse(b, 8, OCXLFS_ID_DUMP, 16, &dlen), 0);
	ck_assert_uint_eq(dlen, 0);
	ck_assert_int_eq(ocxlfs_hdr_parse(b, 8, OCXLFS_ID_DUMP, 32, &dlen), -EMSGSIZE);
}
END_TEST

/* ================= error log ('EL') ================= */

static const uint8_t el_addl[5] = { 0xde, 0xad, 0x00, 0xbe, 0xef };

static void el_sample(struct ocxlfs_errlog *el)
{
	memset(el, 0, sizeof(*el));
	el->log_id = 0x01020304;
	el->program_ref_code = 0xCAFEF00D;
	el->type = OCXLFS_EL_GENERAL;
	el->action_flags = OCXLFS_EL_ACT_RESET | OCXLFS_EL_ACT_TAKE_DUMP;
	el->power_on_seconds = 123456;
	el->timestamp = 0x1122334455667788ULL;
	el->wwid[0] = 0x5000000000000001ULL;
	el->wwid[1] = 0x00000000000000FFULL;
	strcpy(el->fw_revision, "FW1.2");
	el->addl_len = sizeof(el_addl);
	el->addl = el_addl;
}

static int el_encode_sample(uint8_t *buf, size_t cap)
{
	struct ocxlfs_errlog el;

	el_sample(&el);
	return ocxlfs_errlog_encode(&el, buf, cap);
}

static void el_check_sample(const struct ocxlfs_errlog *el)
{
	ck_assert_uint_eq(el->log_id, 0x01020304);
	ck_assert_uint_eq(el->program_ref_code, 0xCAFEF00D);
	ck_assert_uint_eq(el->type, OCXLFS_EL_GENERAL);
	ck_assert_uint_eq(el->action_flags, OCXLFS_EL_ACT_RESET | OCXLFS_EL_ACT_TAKE_DUMP);
	ck_assert_uint_eq(el->power_on_seconds, 123456);
	ck_assert_uint_eq(el->timestamp, 0x1122334455667788ULL);
	ck_assert_uint_eq(el->wwid[0], 0x5000000000000001ULL);
	ck_assert_uint_eq(el->wwid[1], 0xFF);
	ck_assert_str_eq(el->fw_revision, "FW1.2");
	ck_assert_uint_eq(el->addl_len, sizeof(el_addl));
	ck_assert_mem_eq(el->addl, el_addl, sizeof(el_addl));
}

START_TEST(test_el_good)
{
	uint8_t buf[0x100];
	struct ocxlfs_errlog el;
	int n = el_encode_sample(buf, sizeof(buf));

	ck_assert_int_eq(n, OCXLFS_EL_FIXED + sizeof(el_addl));
	/* Wire layout spot checks (card-protocol §3.5). */
	ck_assert_uint_eq(ocxlfs_get_le64(buf), 0x454C000000000005ULL);
	ck_assert_uint_eq(ocxlfs_get_le64(buf + 0x08), 0x01020304CAFEF00DULL);
	ck_assert_uint_eq(ocxlfs_get_le64(buf + 0x10), 0x00800001ULL << 32 | 123456);
	ck_assert_mem_eq(buf + 0x30, "FW1.2\0\0\0", 8);
	ck_assert_int_eq(DECODE_EXACT(ocxlfs_errlog_decode, buf, (size_t)n, &el), 0);
	ck_assert_int_eq(ocxlfs_errlog_decode(buf, (size_t)n, &el), 0);
	el_check_sample(&el);
	ck_assert_ptr_eq(el.addl, buf + OCXLFS_EL_FIXED);
	ck_assert_str_eq(ocxlfs_errlog_type_name(el.type), "general");

	/* No additional data. */
	el_sample(&el);
	el.addl_len = 0;
	el.addl = NULL;
	ck_assert_int_eq(ocxlfs_errlog_encode(&el, buf, sizeof(buf)), OCXLFS_EL_FIXED);
	ck_assert_int_eq(ocxlfs_errlog_decode(buf, OCXLFS_EL_FIXED, &el), 0);
	ck_assert_uint_eq(el.addl_len, 0);
	ck_assert_ptr_null(el.addl);

	/* Encoder refuses a too-small buffer. */
	ck_assert_int_eq(el_encode_sample(buf, OCXLFS_EL_FIXED + 4), -ENOSPC);
}
END_TEST

START_TEST(test_el_short)
{
	uint8_t buf[0x100];
	struct ocxlfs_errlog el;
	size_t n = (size_t)el_encode_sample(buf, sizeof(buf)), l;

	for (l = 0; l < OCXLFS_EL_FIXED; l++)
		ck_assert_int_eq(DECODE_EXACT(ocxlfs_errlog_decode, buf, l, &el), -EBADMSG);
	/* Fixed part whole, additional data cut. */
	for (; l < n; l++)
		ck_assert_int_eq(DECODE_EXACT(ocxlfs_errlog_decode, buf, l, &el), -EMSGSIZE);
}
END_TEST

START_TEST(test_el_long)
{
	uint8_t buf[0x100];
	struct ocxlfs_errlog el;
	size_t n = (size_t)el_encode_sample(buf, sizeof(buf));
	uint8_t *p = with_tail(buf, n, 61);

	ck_assert_int_eq(ocxlfs_errlog_decode(p, n + 61, &el), 0);
	el_check_sample(&el);
	free(p);
}
END_TEST

START_TEST(test_el_bad)
{
	uint8_t buf[0x100];
	struct ocxlfs_errlog el;
	size_t n = (size_t)el_encode_sample(buf, sizeof(buf));

	set_hdr_id(buf, OCXLFS_ID_SMART);
	ck_assert_int_eq(ocxlfs_errlog_decode(buf, n, &el), -EBADMSG);
	set_hdr_id(buf, OCXLFS_ID_ERRLOG);
	set_hdr_len(buf, sizeof(el_addl) + 1, 16);
	ck_assert_int_eq(DECODE_EXACT(ocxlfs_errlog_decode, buf, n, &el), -EMSGSIZE);
	set_hdr_len(buf, 0xFFFF, 16);
	ck_assert_int_eq(DECODE_EXACT(ocxlfs_errlog_decode, buf, n, &el), -EMSGSIZE);
}
END_TEST

START_TEST(test_el_unknown_type)
{
	uint8_t buf[0x100];
	struct ocxlfs_errlog el;
	int n;

	el_sample(&el);
	el.type = 0x7F;
	el.action_flags = 0xFFFFFFFF; /* only 24 bits go on the wire */
	n = ocxlfs_errlog_encode(&el, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(ocxlfs_errlog_decode(buf, (size_t)n, &el), 0);
	ck_assert_uint_eq(el.type, 0x7F);
	ck_assert_uint_eq(el.action_flags, 0xFFFFFF);
	ck_assert_str_eq(ocxlfs_errlog_type_name(el.type), "unknown");
	ck_assert_str_eq(ocxlfs_errlog_type_name(0x00), "general");
	ck_assert_str_eq(ocxlfs_errlog_type_name(0x01), "predictive-failure");
	ck_assert_str_eq(ocxlfs_errlog_type_name(0x02), "thermal-warning");
	ck_assert_str_eq(ocxlfs_errlog_type_name(0x03), "data-loss");
	ck_assert_str_eq(ocxlfs_errlog_type_name(0x04), "health-performance");
	ck_assert_str_eq(ocxlfs_errlog_type_name(0x05), "unknown");
}
END_TEST

START_TEST(test_el_fw_string)
{
	uint8_t buf[0x100];
	struct ocxlfs_errlog el;
	size_t n = (size_t)el_encode_sample(buf, sizeof(buf));

	/* Non-printables become '?', trailing spaces go. */
	memcpy(buf + OCXLFS_EL_OFF_FWREV, "A\x01\x7f\x80 B  ", 8);
	ck_assert_int_eq(ocxlfs_errlog_decode(buf, n, &el), 0);
	ck_assert_str_eq(el.fw_revision, "A??? B");
	/* Stops at NUL. */
	memcpy(buf + OCXLFS_EL_OFF_FWREV, "XY\0ZZZZZ", 8);
	ck_assert_int_eq(ocxlfs_errlog_decode(buf, n, &el), 0);
	ck_assert_str_eq(el.fw_revision, "XY");
	/* All 8 used, still terminated. */
	memcpy(buf + OCXLFS_EL_OFF_FWREV, "12345678", 8);
	ck_assert_int_eq(ocxlfs_errlog_decode(buf, n, &el), 0);
	ck_assert_str_eq(el.fw_revision, "12345678");
}
END_TEST

/* ================= SMART ('SM') ================= */

static void sm_sample(struct ocxlfs_smart *sm)
{
	memset(sm, 0, sizeof(*sm));
	sm->count = 3;
	sm->attr[0] = (struct ocxlfs_smart_attr){ OCXLFS_SMART_POWER_ON_HOURS, 0x0032, 100, 0, 99, 4242 };
	sm->attr[1] = (struct ocxlfs_smart_attr){ OCXLFS_SMART_TEMPERATURE, 0x0022, 37, 90, 45, 310 };
	sm->attr[2] = (struct ocxlfs_smart_attr){ OCXLFS_SMART_LIFE_REMAINING, 0xABCD, 98, 10, 97,
						 0xFFFFFFFFFFFFFFFFULL };
}

static void sm_check_attr(const struct ocxlfs_smart_attr *a, const struct ocxlfs_smart_attr *b)
{
	ck_assert_uint_eq(a->id, b->id);
	ck_assert_uint_eq(a->flags, b->flags);
	ck_assert_uint_eq(a->current, b->current);
	ck_assert_uint_eq(a->threshold, b->threshold);
	ck_assert_uint_eq(a->worst, b->worst);
	ck_assert_uint_eq(a->raw, b->raw);
}

static void sm_check_sample(const struct ocxlfs_smart *sm)
{
	struct ocxlfs_smart want;
	unsigned i;

	sm_sample(&want);
	ck_assert_uint_eq(sm->count, want.count);
	for (i = 0; i < want.count; i++)
		sm_check_attr(&sm->attr[i], &want.attr[i]);
}

START_TEST(test_sm_good)
{
	static struct ocxlfs_smart sm, out;
	uint8_t buf[0x100];
	int n;

	sm_sample(&sm);
	n = ocxlfs_smart_encode(&sm, buf, sizeof(buf));
	ck_assert_int_eq(n, 8 + 3 * 16);
	ck_assert_uint_eq(ocxlfs_get_le64(buf), 0x534D000000000030ULL);
	/* Record word 0: ID 63:56, flags 55:40, current 39:32, threshold 31:24, worst 23:16. */
	ck_assert_uint_eq(ocxlfs_get_le64(buf + 8 + 16), 0xC20022255A2D0000ULL);
	ck_assert_int_eq(DECODE_EXACT(ocxlfs_smart_decode, buf, (size_t)n, &out), 0);
	sm_check_sample(&out);
	ck_assert_str_eq(ocxlfs_smart_attr_name(out.attr[0].id), "power_on_hours");
	ck_assert_str_eq(ocxlfs_smart_attr_name(out.attr[1].id), "temperature");
	ck_assert_str_eq(ocxlfs_smart_attr_name(out.attr[2].id), "life_remaining");

	/* Empty. */
	sm.count = 0;
	ck_assert_int_eq(ocxlfs_smart_encode(&sm, buf, sizeof(buf)), 8);
	ck_assert_int_eq(ocxlfs_smart_decode(buf, 8, &out), 0);
	ck_assert_uint_eq(out.count, 0);
	sm.count = 3;
	ck_assert_int_eq(ocxlfs_smart_encode(&sm, buf, 8 + 3 * 16 - 1), -ENOSPC);
	sm.count = OCXLFS_SMART_MAX_ATTRS + 1;
	ck_assert_int_eq(ocxlfs_smart_encode(&sm, buf, sizeof(buf)), -EINVAL);
}
END_TEST

START_TEST(test_sm_short)
{
	static struct ocxlfs_smart sm, out;
	uint8_t buf[0x100];
	size_t n, l;

	sm_sample(&sm);
	n = (size_t)ocxlfs_smart_encode(&sm, buf, sizeof(buf));
	for (l = 0; l < 8; l++)
		ck_assert_int_eq(DECODE_EXACT(ocxlfs_smart_decode, buf, l, &out), -EBADMSG);
	for (; l < n; l++)
		ck_assert_int_eq(DECODE_EXACT(ocxlfs_smart_decode, buf, l, &out), -EMSGSIZE);
}
END_TEST

START_TEST(test_sm_long)
{
	static struct ocxlfs_smart sm, out;
	uint8_t buf[0x100];
	size_t n;
	uint8_t *p;

	sm_sample(&sm);
	n = (size_t)ocxlfs_smart_encode(&sm, buf, sizeof(buf));
	p = with_tail(buf, n, 40);
	ck_assert_int_eq(ocxlfs_smart_decode(p, n + 40, &out), 0);
	sm_check_sample(&out);
	free(p);
}
END_TEST

START_TEST(test_sm_bad)
{
	static struct ocxlfs_smart sm, out;
	uint8_t buf[0x100];
	size_t n;

	sm_sample(&sm);
	n = (size_t)ocxlfs_smart_encode(&sm, buf, sizeof(buf));
	set_hdr_id(buf, OCXLFS_ID_STATS);
	ck_assert_int_eq(ocxlfs_smart_decode(buf, n, &out), -EBADMSG);
	set_hdr_id(buf, OCXLFS_ID_SMART);
	set_hdr_len(buf, 3 * 16 + 1, 32);
	ck_assert_int_eq(DECODE_EXACT(ocxlfs_smart_decode, buf, n, &out), -EMSGSIZE);
	set_hdr_len(buf, 0xFFFFFFFF, 32);
	ck_assert_int_eq(DECODE_EXACT(ocxlfs_smart_decode, buf, n, &out), -EMSGSIZE);
}
END_TEST

START_TEST(test_sm_partial_and_many)
{
	static struct ocxlfs_smart sm, out;
	const size_t nrec = OCXLFS_SMART_MAX_ATTRS + 6;
	size_t len = 8 + nrec * 16, i;
	uint8_t *buf = calloc(1, len + 16);

	ck_assert_ptr_nonnull(buf);
	/* Trailing partial record: 3 whole records + 5 bytes. */
	sm_sample(&sm);
	ck_assert_int_eq(ocxlfs_smart_encode(&sm, buf, len), 8 + 48);
	set_hdr_len(buf, 48 + 5, 32);
	ck_assert_int_eq(DECODE_EXACT(ocxlfs_smart_decode, buf, (size_t)(8 + 48 + 5), &out), 0);
	sm_check_sample(&out);

	/* More records than the array holds: the first 64 are kept. */
	ocxlfs_put_le64(buf, ocxlfs_hdr_make(OCXLFS_ID_SMART, (uint32_t)(nrec * 16)));
	for (i = 0; i < nrec; i++) {
		ocxlfs_put_le64(buf + 8 + 16 * i, (uint64_t)(i + 1) << 56);
		ocxlfs_put_le64(buf + 16 + 16 * i, 1000 + i);
	}
	ck_assert_int_eq(DECODE_EXACT(ocxlfs_smart_decode, buf, len, &out), 0);
	ck_assert_uint_eq(out.count, OCXLFS_SMART_MAX_ATTRS);
	ck_assert_uint_eq(out.attr[0].id, 1);
	ck_assert_uint_eq(out.attr[63].id, 64);
	ck_assert_uint_eq(out.attr[63].raw, 1063);
	free(buf);
}
END_TEST

START_TEST(test_sm_unknown_id)
{
	static struct ocxlfs_smart sm, out;
	uint8_t buf[0x100];
	int n;

	sm_sample(&sm);
	sm.attr[1].id = 0x42;
	n = ocxlfs_smart_encode(&sm, buf, sizeof(buf));
	ck_assert_int_eq(ocxlfs_smart_decode(buf, (size_t)n, &out), 0);
	ck_assert_uint_eq(out.count, 3);
	ck_assert_uint_eq(out.attr[1].id, 0x42);
	ck_assert_uint_eq(out.attr[1].raw, 310);
	ck_assert_str_eq(ocxlfs_smart_attr_name(0x42), "unknown");
	ck_assert_str_eq(ocxlfs_smart_attr_name(0x00), "unknown");
}
END_TEST

/* ================= statistics ('CS') ================= */

static void cs_sample(struct ocxlfs_stats *st)
{
	unsigned f;

	memset(st, 0, sizeof(*st));
	for (f = 0; f < OCXLFS_STAT_NR; f++)
		st->value[f] = 0x1000000000ULL + f * 0x101;
	/* Narrow fields within their widths. */
	st->value[OCXLFS_STAT_RESET_COUNT] = 7;
	st->value[OCXLFS_STAT_RESET_UPTIME] = 3600;
	st->value[OCXLFS_STAT_POWER_ON_UPTIME] = 0xFFFFFFFF;
	st->value[OCXLFS_STAT_LIFE_REMAINING] = 97;
	st->value[OCXLFS_STAT_CRIT_RESOURCE_UTIL] = 12;
	st->present = (1u << OCXLFS_STAT_NR) - 1;
}

static void cs_check_fields(const struct ocxlfs_stats *st, uint32_t present)
{
	struct ocxlfs_stats want;
	unsigned f;

	cs_sample(&want);
	ck_assert_uint_eq(st->present, present);
	for (f = 0; f < OCXLFS_STAT_NR; f++) {
		if (present & (1u << f))
			ck_assert_uint_eq(st->value[f], want.value[f]);
		else
			ck_assert_uint_eq(st->value[f], 0);
	}
}

#define CS_TOTAL (8 + OCXLFS_CS_LEN_V4)
#define CS_ALL ((1u << OCXLFS_STAT_NR) - 1)

START_TEST(test_cs_good)
{
	struct ocxlfs_stats st, out;
	uint8_t buf[0x200];

	cs_sample(&st);
	ck_assert_int_eq(ocxlfs_stats_encode(&st, buf, sizeof(buf)), CS_TOTAL);
	ck_assert_int_eq(CS_TOTAL, 0x148);
	/* v4 layout (card-protocol §3.7), absolute offsets. */
	ck_assert_uint_eq(ocxlfs_get_le64(buf), 0x4353000000000140ULL);
	ck_assert_uint_eq(ocxlfs_get_le64(buf + 0x08), 0x0100000000000038ULL);
	ck_assert_uint_eq(ocxlfs_get_le64(buf + 0x10), 7ULL << 32 | 3600);
	ck_assert_uint_eq(ocxlfs_get_le64(buf + 0x18), 0xFFFFFFFFULL << 32 | 97);
	ck_assert_uint_eq(ocxlfs_get_le64(buf + 0x48), 0x02000000000000F8ULL);
	ck_assert_uint_eq(ocxlfs_get_le64(buf + 0x50), 12);
	ck_assert_uint_eq(ocxlfs_get_le64(buf + 0x58), st.value[OCXLFS_STAT_HOST_LOAD_COUNT]);
	ck_assert_uint_eq(ocxlfs_get_le64(buf + 0x98), st.value[OCXLFS_STAT_MEDIA_READ_COUNT]);
	ck_assert_uint_eq(ocxlfs_get_le64(buf + 0xB0), st.value[OCXLFS_STAT_MEDIA_WRITE_DURATION]);
	ck_assert_uint_eq(ocxlfs_get_le64(buf + 0xD8), st.value[OCXLFS_STAT_CACHE_READ_HIT_COUNT]);
	ck_assert_uint_eq(ocxlfs_get_le64(buf + 0xE8), st.value[OCXLFS_STAT_FAST_WRITE_COUNT]);
	ck_assert_int_eq(DECODE_EXACT(ocxlfs_stats_decode, buf, (size_t)CS_TOTAL, &out), 0);
	cs_check_fields(&out, CS_ALL);
	ck_assert_uint_eq(out.unknown_blocks, 0);

	/* Fields not present encode as 0 (but blocks are still there). */
	st.present = 1u << OCXLFS_STAT_HOST_STORE_COUNT;
	ck_assert_int_eq(ocxlfs_stats_encode(&st, buf, sizeof(buf)), CS_TOTAL);
	ck_assert_int_eq(ocxlfs_stats_decode(buf, CS_TOTAL, &out), 0);
	ck_assert_uint_eq(out.present, CS_ALL);
	ck_assert_uint_eq(out.value[OCXLFS_STAT_HOST_STORE_COUNT], st.value[OCXLFS_STAT_HOST_STORE_COUNT]);
	ck_assert_uint_eq(out.value[OCXLFS_STAT_HOST_LOAD_COUNT], 0);
	ck_assert_int_eq(ocxlfs_stats_encode(&st, buf, CS_TOTAL - 1), -ENOSPC);
}
END_TEST

START_TEST(test_cs_short)
{
	struct ocxlfs_stats st, out;
	uint8_t buf[0x200];
	size_t l;

	cs_sample(&st);
	ocxlfs_stats_encode(&st, buf, sizeof(buf));
	for (l = 0; l < 8; l++)
		ck_assert_int_eq(DECODE_EXACT(ocxlfs_stats_decode, buf, l, &out), -EBADMSG);
	for (; l < CS_TOTAL; l++)
		ck_assert_int_eq(DECODE_EXACT(ocxlfs_stats_decode, buf, l, &out), -EMSGSIZE);
}
END_TEST

START_TEST(test_cs_long)
{
	struct ocxlfs_stats st, out;
	uint8_t buf[0x200];
	uint8_t *p;

	cs_sample(&st);
	ocxlfs_stats_encode(&st, buf, sizeof(buf));
	p = with_tail(buf, CS_TOTAL, 0x30);
	ck_assert_int_eq(ocxlfs_stats_decode(p, CS_TOTAL + 0x30, &out), 0);
	cs_check_fields(&out, CS_ALL);
	ck_assert_uint_eq(out.unknown_blocks, 0);
	free(p);
}
END_TEST

START_TEST(test_cs_bad)
{
	struct ocxlfs_stats st, out;
	uint8_t buf[0x200];

	cs_sample(&st);
	ocxlfs_stats_encode(&st, buf, sizeof(buf));
	set_hdr_id(buf, OCXLFS_ID_DUMP);
	ck_assert_int_eq(ocxlfs_stats_decode(buf, CS_TOTAL, &out), -EBADMSG);
	set_hdr_id(buf, OCXLFS_ID_STATS);
	set_hdr_len(buf, OCXLFS_CS_LEN_V4 + 8, 32);
	ck_assert_int_eq(DECODE_EXACT(ocxlfs_stats_decode, buf, (size_t)CS_TOTAL, &out), -EMSGSIZE);

	/* Block 2 claims more than the declared length. */
	set_hdr_len(buf, OCXLFS_CS_LEN_V4, 32);
	ocxlfs_put_le64(buf + 0x48, 0x0200000000000100ULL);
	ck_assert_int_eq(DECODE_EXACT(ocxlfs_stats_decode, buf, (size_t)CS_TOTAL, &out), -EMSGSIZE);
	/* ... even when the buffer itself is long enough. */
	ck_assert_int_eq(ocxlfs_stats_decode(buf, sizeof(buf), &out), -EMSGSIZE);
	/* Block length at the 32-bit limit must not wrap. */
	ocxlfs_put_le64(buf + 0x48, 0x02000000FFFFFFFFULL);
	ck_assert_int_eq(ocxlfs_stats_decode(buf, sizeof(buf), &out), -EMSGSIZE);
	/* A partial block header at the end. */
	cs_sample(&st);
	ocxlfs_stats_encode(&st, buf, sizeof(buf));
	set_hdr_len(buf, OCXLFS_CS_LEN_V4 + 4, 32);
	ck_assert_int_eq(ocxlfs_stats_decode(buf, sizeof(buf), &out), -EMSGSIZE);
}
END_TEST

START_TEST(test_cs_unknown_block)
{
	struct ocxlfs_stats st, out;
	uint8_t buf[0x200];
	const size_t extra = 8 + 0x10;

	cs_sample(&st);
	ocxlfs_stats_encode(&st, buf, sizeof(buf));
	ocxlfs_put_le64(buf + CS_TOTAL, 0x7E00000000000010ULL);
	ocxlfs_put_le64(buf + CS_TOTAL + 8, 0x1111111111111111ULL);
	ocxlfs_put_le64(buf + CS_TOTAL + 16, 0x2222222222222222ULL);
	set_hdr_len(buf, OCXLFS_CS_LEN_V4 + extra, 32);
	ck_assert_int_eq(DECODE_EXACT(ocxlfs_stats_decode, buf, CS_TOTAL + extra, &out), 0);
	cs_check_fields(&out, CS_ALL);
	ck_assert_uint_eq(out.unknown_blocks, 1);

	/* Unknown block in front of the known ones (a future layout). */
	memmove(buf + 8 + extra, buf + 8, OCXLFS_CS_LEN_V4);
	ocxlfs_put_le64(buf + 8, 0x9900000000000010ULL);
	memset(buf + 16, 0xEE, 0x10);
	ck_assert_int_eq(DECODE_EXACT(ocxlfs_stats_decode, buf, CS_TOTAL + extra, &out), 0);
	cs_check_fields(&out, CS_ALL);
	ck_assert_uint_eq(out.unknown_blocks, 1);
}
END_TEST

START_TEST(test_cs_truncated_block)
{
	struct ocxlfs_stats st, out;
	uint8_t buf[0x200];
	uint32_t want;
	const size_t len = 0x48 + 8 + 0x20;

	cs_sample(&st);
	ocxlfs_stats_encode(&st, buf, sizeof(buf));
	/* Block 2 only 0x20 data bytes: +0x08..+0x20 present, the rest absent. */
	ocxlfs_put_le64(buf + 0x48, 0x0200000000000020ULL);
	set_hdr_len(buf, (uint32_t)(len - 8), 32);
	ck_assert_int_eq(DECODE_EXACT(ocxlfs_stats_decode, buf, len, &out), 0);
	want = (1u << OCXLFS_STAT_RESET_COUNT) | (1u << OCXLFS_STAT_RESET_UPTIME) |
	       (1u << OCXLFS_STAT_POWER_ON_UPTIME) | (1u << OCXLFS_STAT_LIFE_REMAINING) |
	       (1u << OCXLFS_STAT_CRIT_RESOURCE_UTIL) | (1u << OCXLFS_STAT_HOST_LOAD_COUNT) |
	       (1u << OCXLFS_STAT_HOST_STORE_COUNT) | (1u << OCXLFS_STAT_HOST_LOAD_DURATION);
	cs_check_fields(&out, want);
	ck_assert_uint_eq(out.unknown_blocks, 0);

	/* Block 1 only 0x08: the second word's fields absent; no block 2 at all. */
	ocxlfs_put_le64(buf + 0x08, 0x0100000000000008ULL);
	set_hdr_len(buf, 0x10, 32);
	ck_assert_int_eq(DECODE_EXACT(ocxlfs_stats_decode, buf, (size_t)0x18, &out), 0);
	cs_check_fields(&out, (1u << OCXLFS_STAT_RESET_COUNT) | (1u << OCXLFS_STAT_RESET_UPTIME));

	/* Header only: valid, nothing present. */
	set_hdr_len(buf, 0, 32);
	ck_assert_int_eq(DECODE_EXACT(ocxlfs_stats_decode, buf, (size_t)8, &out), 0);
	ck_assert_uint_eq(out.present, 0);
}
END_TEST

/*
 * Found by tests/fuzz (fuzz_stats): a good block followed by a bad one used
 * to fail with the good block's fields still filled in and marked present.
 */
START_TEST(test_cs_bad_block_leaves_nothing)
{
	struct ocxlfs_stats st, out;
	uint8_t buf[0x200];

	cs_sample(&st);
	ocxlfs_stats_encode(&st, buf, sizeof(buf));
	/* Block 2 claims one byte more than the buffer's length leaves it. */
	ocxlfs_put_le64(buf + 0x48, 0x0200000000000000ULL | (OCXLFS_CS_BLOCK_PERF_LEN + 1));
	memset(&out, 0xA5, sizeof(out));
	ck_assert_int_eq(DECODE_EXACT(ocxlfs_stats_decode, buf, (size_t)(8 + OCXLFS_CS_LEN_V4), &out),
			 -EMSGSIZE);
	ck_assert_uint_eq(out.present, 0);
	ck_assert_uint_eq(out.unknown_blocks, 0);
	for (unsigned f = 0; f < OCXLFS_STAT_NR; f++)
		ck_assert_uint_eq(out.value[f], 0);

	/* The same after an unknown block, and with too few bytes left for a block header. */
	ocxlfs_put_le64(buf + 0x08, 0x0300000000000038ULL);
	ocxlfs_put_le64(buf + 0x48, 0x02000000000000F4ULL);
	memset(&out, 0xA5, sizeof(out));
	ck_assert_int_eq(DECODE_EXACT(ocxlfs_stats_decode, buf, (size_t)(8 + OCXLFS_CS_LEN_V4), &out),
			 -EMSGSIZE);
	ck_assert_uint_eq(out.present, 0);
	ck_assert_uint_eq(out.unknown_blocks, 0);
}
END_TEST

START_TEST(test_cs_names)
{
	static const char *const names[OCXLFS_STAT_NR] = {
		"reset_count", "reset_uptime", "power_on_uptime", "life_remaining",
		"critical_resource_utilization", "host_load_count", "host_store_count",
		"host_load_duration", "host_store_duration", "media_read_count",
		"media_write_count", "media_read_duration", "media_write_duration",
		"cache_read_hit_count", "cache_write_hit_count", "fast_write_count",
	};
	static const char *const units[OCXLFS_STAT_NR] = {
		"", "s", "s", "%", "%", "", "", "ns", "ns", "", "", "ns", "ns", "", "", "",
	};
	unsigned f;

	for (f = 0; f < OCXLFS_STAT_NR; f++) {
		ck_assert_str_eq(ocxlfs_stat_name((enum ocxlfs_stat_field)f), names[f]);
		ck_assert_str_eq(ocxlfs_stat_unit((enum ocxlfs_stat_field)f), units[f]);
	}
	ck_assert_str_eq(ocxlfs_stat_name(OCXLFS_STAT_NR), "unknown");
	ck_assert_str_eq(ocxlfs_stat_unit(OCXLFS_STAT_NR), "");
}
END_TEST

/* ================= dump chunk ('CD') ================= */

static int cd_decode(const uint8_t *buf, size_t len, size_t *plen)
{
	const uint8_t *data;

	return ocxlfs_dump_chunk_decode(buf, len, &data, plen);
}

START_TEST(test_cd_good)
{
	uint8_t payload[24], buf[64];
	const uint8_t *data;
	size_t dlen, i;

	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + 1);
	ck_assert_int_eq(ocxlfs_dump_chunk_encode(payload, sizeof(payload), buf, sizeof(buf)), 32);
	ck_assert_uint_eq(ocxlfs_get_le64(buf), 0x4344000000000018ULL);
	ck_assert_int_eq(ocxlfs_dump_chunk_decode(buf, 32, &data, &dlen), 0);
	ck_assert_uint_eq(dlen, sizeof(payload));
	ck_assert_ptr_eq(data, buf + 8);
	ck_assert_mem_eq(data, payload, sizeof(payload));
	ck_assert_int_eq(DECODE_EXACT(cd_decode, buf, (size_t)32, &dlen), 0);

	/* Empty chunk = end of dump. */
	ck_assert_int_eq(ocxlfs_dump_chunk_encode(NULL, 0, buf, sizeof(buf)), 8);
	ck_assert_int_eq(ocxlfs_dump_chunk_decode(buf, 8, &data, &dlen), 0);
	ck_assert_uint_eq(dlen, 0);

	ck_assert_int_eq(ocxlfs_dump_chunk_encode(payload, sizeof(payload), buf, 31), -ENOSPC);
	ck_assert_int_eq(ocxlfs_dump_chunk_encode(payload, 0x10000, buf, sizeof(buf)), -EINVAL);
}
END_TEST

START_TEST(test_cd_short_long_bad)
{
	uint8_t payload[24] = { 1, 2, 3 }, buf[64], *p;
	const uint8_t *data;
	size_t dlen, l;

	ocxlfs_dump_chunk_encode(payload, sizeof(payload), buf, sizeof(buf));
	for (l = 0; l < 8; l++)
		ck_assert_int_eq(DECODE_EXACT(cd_decode, buf, l, &dlen), -EBADMSG);
	for (; l < 32; l++)
		ck_assert_int_eq(DECODE_EXACT(cd_decode, buf, l, &dlen), -EMSGSIZE);

	p = with_tail(buf, 32, 9);
	ck_assert_int_eq(ocxlfs_dump_chunk_decode(p, 41, &data, &dlen), 0);
	ck_assert_uint_eq(dlen, 24);
	ck_assert_mem_eq(data, payload, 24);
	free(p);

	set_hdr_id(buf, OCXLFS_ID_ERRLOG);
	ck_assert_int_eq(ocxlfs_dump_chunk_decode(buf, 32, &data, &dlen), -EBADMSG);
	set_hdr_id(buf, OCXLFS_ID_DUMP);
	set_hdr_len(buf, 25, 16);
	ck_assert_int_eq(DECODE_EXACT(cd_decode, buf, (size_t)32, &dlen), -EMSGSIZE);
}
END_TEST

/* ================= identity ('ID') ================= */

static void id_sample(struct ocxlfs_identity *id)
{
	memset(id, 0, sizeof(*id));
	id->serial = 18446744073709551615ULL;
	strcpy(id->fw_version, "01.02.03");
	/* rev 0x0011, latency 0x0123 ns, ready 5 s, mem-avail 0x02A s */
	id->ccap0 = 0x02A5012300000011ULL;
	id->ccap1 = 0x0000000000100000ULL;
	id->admin_buffer_size = 0x10000;
	id->has_admin_buffer_size = true;
}

static void id_check_sample(const struct ocxlfs_identity *id)
{
	ck_assert_uint_eq(id->serial, 18446744073709551615ULL);
	ck_assert_str_eq(id->fw_version, "01.02.03");
	ck_assert_uint_eq(id->ccap0, 0x02A5012300000011ULL);
	ck_assert_uint_eq(id->ccap1, 0x100000);
	ck_assert(id->has_admin_buffer_size);
	ck_assert_uint_eq(id->admin_buffer_size, 0x10000);
}

#define ID_TOTAL (8 + OCXLFS_ID_LEN_V1)

START_TEST(test_id_good)
{
	struct ocxlfs_identity id, out;
	uint8_t buf[0x80];

	id_sample(&id);
	ck_assert_int_eq(ocxlfs_identity_encode(&id, buf, sizeof(buf)), ID_TOTAL);
	ck_assert_uint_eq(ocxlfs_get_le64(buf), 0x4944000000000028ULL);
	ck_assert_mem_eq(buf + 0x10, "01.02.03", 8);
	ck_assert_int_eq(DECODE_EXACT(ocxlfs_identity_decode, buf, (size_t)ID_TOTAL, &out), 0);
	id_check_sample(&out);
	ck_assert_int_eq(ocxlfs_identity_encode(&id, buf, ID_TOTAL - 1), -ENOSPC);

	/* Older block: ends after CCAP1, no admin buffer size. */
	ocxlfs_identity_encode(&id, buf, sizeof(buf));
	set_hdr_len(buf, 0x20, 32);
	ck_assert_int_eq(DECODE_EXACT(ocxlfs_identity_decode, buf, (size_t)0x28, &out), 0);
	ck_assert(!out.has_admin_buffer_size);
	ck_assert_uint_eq(out.admin_buffer_size, 0);
	ck_assert_uint_eq(out.ccap1, 0x100000);
	/* Between the two: still absent. */
	set_hdr_len(buf, 0x24, 32);
	ck_assert_int_eq(DECODE_EXACT(ocxlfs_identity_decode, buf, (size_t)0x2C, &out), 0);
	ck_assert(!out.has_admin_buffer_size);
	/* Declared shorter than the fixed part. */
	set_hdr_len(buf, 0x18, 32);
	ck_assert_int_eq(ocxlfs_identity_decode(buf, ID_TOTAL, &out), -EBADMSG);

	/* fw string: non-printables, trailing spaces. */
	ocxlfs_identity_encode(&id, buf, sizeof(buf));
	memcpy(buf + 0x10, "V1\tx    ", 8);
	ck_assert_int_eq(ocxlfs_identity_decode(buf, ID_TOTAL, &out), 0);
	ck_assert_str_eq(out.fw_version, "V1?x");
}
END_TEST

START_TEST(test_id_short_long_bad)
{
	struct ocxlfs_identity id, out;
	uint8_t buf[0x80], *p;
	size_t l;

	id_sample(&id);
	ocxlfs_identity_encode(&id, buf, sizeof(buf));
	for (l = 0; l < 0x28; l++)
		ck_assert_int_eq(DECODE_EXACT(ocxlfs_identity_decode, buf, l, &out), -EBADMSG);
	for (; l < ID_TOTAL; l++)
		ck_assert_int_eq(DECODE_EXACT(ocxlfs_identity_decode, buf, l, &out), -EMSGSIZE);

	p = with_tail(buf, ID_TOTAL, 0x18);
	ck_assert_int_eq(ocxlfs_identity_decode(p, ID_TOTAL + 0x18, &out), 0);
	id_check_sample(&out);
	/* A newer block: longer declared length, appended fields ignored. */
	set_hdr_len(p, OCXLFS_ID_LEN_V1 + 0x18, 32);
	ck_assert_int_eq(ocxlfs_identity_decode(p, ID_TOTAL + 0x18, &out), 0);
	id_check_sample(&out);
	free(p);

	set_hdr_id(buf, OCXLFS_ID_ERASE);
	ck_assert_int_eq(ocxlfs_identity_decode(buf, ID_TOTAL, &out), -EBADMSG);
	set_hdr_id(buf, OCXLFS_ID_IDENTITY);
	set_hdr_len(buf, OCXLFS_ID_LEN_V1 + 1, 32);
	ck_assert_int_eq(DECODE_EXACT(ocxlfs_identity_decode, buf, (size_t)ID_TOTAL, &out),
			 -EMSGSIZE);
}
END_TEST

/* ================= erase status ('SE') ================= */

static void se_sample(struct ocxlfs_erase_status *es)
{
	es->state = OCXLFS_ERASE_RUNNING;
	es->progress_permille = 420;
	es->ns_status = 0;
	es->acc_ok = 1000;
	es->acc_tried = 1001;
	es->def_ok = 3;
	es->def_tried = 0xFFFFFFFFFFFFFFFFULL;
}

static void se_check_sample(const struct ocxlfs_erase_status *es)
{
	ck_assert_uint_eq(es->state, OCXLFS_ERASE_RUNNING);
	ck_assert_uint_eq(es->progress_permille, 420);
	ck_assert_uint_eq(es->ns_status, 0);
	ck_assert_uint_eq(es->acc_ok, 1000);
	ck_assert_uint_eq(es->acc_tried, 1001);
	ck_assert_uint_eq(es->def_ok, 3);
	ck_assert_uint_eq(es->def_tried, 0xFFFFFFFFFFFFFFFFULL);
}

#define SE_TOTAL (8 + OCXLFS_SE_LEN_V1)

START_TEST(test_se_good)
{
	struct ocxlfs_erase_status es, out;
	uint8_t buf[0x80];

	se_sample(&es);
	ck_assert_int_eq(ocxlfs_erase_status_encode(&es, buf, sizeof(buf)), SE_TOTAL);
	ck_assert_uint_eq(ocxlfs_get_le64(buf), 0x5345000000000038ULL);
	ck_assert_uint_eq(ocxlfs_get_le64(buf + 0x10), 420);
	ck_assert_uint_eq(ocxlfs_get_le64(buf + 0x28), 1001);
	ck_assert_int_eq(DECODE_EXACT(ocxlfs_erase_status_decode, buf, (size_t)SE_TOTAL, &out), 0);
	se_check_sample(&out);
	ck_assert_int_eq(ocxlfs_erase_status_encode(&es, buf, SE_TOTAL - 1), -ENOSPC);
}
END_TEST

START_TEST(test_se_short_long_bad)
{
	struct ocxlfs_erase_status es, out;
	uint8_t buf[0x80], *p;
	size_t l;

	se_sample(&es);
	ocxlfs_erase_status_encode(&es, buf, sizeof(buf));
	for (l = 0; l < SE_TOTAL; l++)
		ck_assert_int_eq(DECODE_EXACT(ocxlfs_erase_status_decode, buf, l, &out), -EBADMSG);

	p = with_tail(buf, SE_TOTAL, 16);
	ck_assert_int_eq(ocxlfs_erase_status_decode(p, SE_TOTAL + 16, &out), 0);
	se_check_sample(&out);
	set_hdr_len(p, OCXLFS_SE_LEN_V1 + 16, 32);
	ck_assert_int_eq(ocxlfs_erase_status_decode(p, SE_TOTAL + 16, &out), 0);
	se_check_sample(&out);
	free(p);

	set_hdr_id(buf, OCXLFS_ID_IDENTITY);
	ck_assert_int_eq(ocxlfs_erase_status_decode(buf, SE_TOTAL, &out), -EBADMSG);
	set_hdr_id(buf, OCXLFS_ID_ERASE);
	set_hdr_len(buf, OCXLFS_SE_LEN_V1 + 8, 32);
	ck_assert_int_eq(DECODE_EXACT(ocxlfs_erase_status_decode, buf, (size_t)SE_TOTAL, &out),
			 -EMSGSIZE);
	set_hdr_len(buf, OCXLFS_SE_LEN_V1 - 8, 32);
	ck_assert_int_eq(ocxlfs_erase_status_decode(buf, SE_TOTAL, &out), -EBADMSG);
}
END_TEST

/* ================= garbage ================= */

START_TEST(test_all_ff)
{
	static struct ocxlfs_smart sm;
	struct ocxlfs_errlog el;
	struct ocxlfs_stats st;
	struct ocxlfs_identity id;
	struct ocxlfs_erase_status es;
	size_t i, dlen;

	for (i = 0; i < NR_FF_SIZES; i++) {
		size_t n = ff_sizes[i];
		uint8_t *buf = malloc(n ? n : 1);

		ck_assert_ptr_nonnull(buf);
		memset(buf, 0xFF, n);
		/* Identifier 0xFFFF is nobody's. */
		ck_assert_int_eq(ocxlfs_errlog_decode(buf, n, &el), -EBADMSG);
		ck_assert_int_eq(ocxlfs_smart_decode(buf, n, &sm), -EBADMSG);
		ck_assert_int_eq(ocxlfs_stats_decode(buf, n, &st), -EBADMSG);
		ck_assert_int_eq(cd_decode(buf, n, &dlen), -EBADMSG);
		ck_assert_int_eq(ocxlfs_identity_decode(buf, n, &id), -EBADMSG);
		ck_assert_int_eq(ocxlfs_erase_status_decode(buf, n, &es), -EBADMSG);
		free(buf);
	}
}
END_TEST

/* Right identifier, everything else 0xFF: lengths are hostile. */
START_TEST(test_ff_with_id)
{
	static struct ocxlfs_smart sm;
	struct ocxlfs_errlog el;
	struct ocxlfs_stats st;
	struct ocxlfs_identity id;
	struct ocxlfs_erase_status es;
	size_t i, dlen;

	for (i = 0; i < NR_FF_SIZES; i++) {
		size_t n = ff_sizes[i];
		uint8_t *buf = malloc(n ? n : 1);
		int want_short;

		ck_assert_ptr_nonnull(buf);
		memset(buf, 0xFF, n);
		want_short = n < 8 ? -EBADMSG : -EMSGSIZE;
		if (n >= 8)
			set_hdr_id(buf, OCXLFS_ID_SMART);
		ck_assert_int_eq(ocxlfs_smart_decode(buf, n, &sm), want_short);
		if (n >= 8)
			set_hdr_id(buf, OCXLFS_ID_STATS);
		ck_assert_int_eq(ocxlfs_stats_decode(buf, n, &st), want_short);
		if (n >= 8)
			set_hdr_id(buf, OCXLFS_ID_DUMP);
		ck_assert_int_eq(cd_decode(buf, n, &dlen), n >= 8 && n < 8 + 0xFFFF ? -EMSGSIZE
										   : -EBADMSG);
		if (n >= 8)
			set_hdr_id(buf, OCXLFS_ID_ERRLOG);
		ck_assert_int_eq(ocxlfs_errlog_decode(buf, n, &el),
				 n >= OCXLFS_EL_FIXED ? -EMSGSIZE : -EBADMSG);
		if (n >= 8)
			set_hdr_id(buf, OCXLFS_ID_IDENTITY);
		ck_assert_int_eq(ocxlfs_identity_decode(buf, n, &id), n >= 0x28 ? -EMSGSIZE : -EBADMSG);
		if (n >= 8)
			set_hdr_id(buf, OCXLFS_ID_ERASE);
		ck_assert_int_eq(ocxlfs_erase_status_decode(buf, n, &es),
				 n >= SE_TOTAL ? -EMSGSIZE : -EBADMSG);
		free(buf);
	}
}
END_TEST

/* ================= status codes ================= */

START_TEST(test_status)
{
	static const struct {
		uint8_t status;
		int err;
		const char *name;
	} t[] = {
		{ 0x00, 0, "success" },
		{ 0x20, ENODEV, "memory-unavailable" },
		{ 0x21, EBUSY, "blocked-background-task" },
		{ 0x50, EOPNOTSUPP, "bad-opcode" },
		{ 0x51, EINVAL, "bad-request-parameter" },
		{ 0x52, EINVAL, "bad-data-parameter" },
		{ 0x70, EPERM, "debug-blocked" },
		{ 0xFF, EIO, "failed" },
		{ 0x01, EIO, "unknown" },
		{ 0x22, EIO, "unknown" },
		{ 0xFE, EIO, "unknown" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_int_eq(ocxlfs_status_errno(t[i].status), t[i].err);
		ck_assert_str_eq(ocxlfs_status_name(t[i].status), t[i].name);
	}
}
END_TEST

/* ================= renderers ================= */

struct mem {
	FILE *f;
	char *buf;
	size_t len;
};

static void mem_open(struct mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	ck_assert_ptr_nonnull(m->f);
}

/* Closes the stream and returns its text (caller frees). */
static char *mem_close(struct mem *m)
{
	ck_assert_int_eq(fclose(m->f), 0);
	return m->buf;
}

START_TEST(test_render_identity)
{
	struct ocxlfs_identity id;
	const struct ocxlfs_info_extra extra = {
		.label_size = 131072,
		.label_max_xfer = 4096,
		.transport = "simulator",
		.device = "sim:0",
	};
	struct mem m;
	char *s;

	id_sample(&id);
	mem_open(&m);
	ck_assert_int_eq(ocxlfs_render_serial(m.f, &id), 0);
	s = mem_close(&m);
	ck_assert_str_eq(s, "18446744073709551615\n");
	free(s);

	strcpy(id.fw_version, "1.0  ");
	mem_open(&m);
	ck_assert_int_eq(ocxlfs_render_fw_version(m.f, &id), 0);
	s = mem_close(&m);
	ck_assert_str_eq(s, "1.0\n");
	free(s);

	id_sample(&id);
	mem_open(&m);
	ck_assert_int_eq(ocxlfs_render_info(m.f, &id, &extra), 0);
	s = mem_close(&m);
	ck_assert_str_eq(s, "revision: 1.1\n"
			    "read_latency_ns: 291\n"
			    "ready_timeout_s: 5\n"
			    "memory_available_timeout_s: 42\n"
			    "max_dump_size: 1048576\n"
			    "admin_buffer_size: 65536\n"
			    "label_size: 131072\n"
			    "label_max_xfer: 4096\n"
			    "ccap0: 0x02a5012300000011\n"
			    "ccap1: 0x0000000000100000\n"
			    "transport: simulator\n"
			    "device: sim:0\n");
	free(s);

	id.has_admin_buffer_size = false;
	id.ccap0 = 0x00000000000000A3ULL;
	mem_open(&m);
	ck_assert_int_eq(ocxlfs_render_info(m.f, &id, &extra), 0);
	s = mem_close(&m);
	ck_assert_ptr_nonnull(strstr(s, "revision: 10.3\n"));
	ck_assert_ptr_nonnull(strstr(s, "\nadmin_buffer_size: unknown\n"));
	free(s);
}
END_TEST

START_TEST(test_render_errlog)
{
	struct ocxlfs_errlog el;
	struct mem m;
	char *s;

	el_sample(&el);
	mem_open(&m);
	ck_assert_int_eq(ocxlfs_render_errlog(m.f, &el), 0);
	el.log_id = 5;
	el.type = 0x04;
	el.action_flags = 0;
	el.addl_len = 0;
	el.addl = NULL;
	el.wwid[0] = 0;
	el.wwid[1] = 1;
	ck_assert_int_eq(ocxlfs_render_errlog(m.f, &el), 0);
	s = mem_close(&m);
	ck_assert_str_eq(s, "id: 16909060\n"
			    "program_reference_code: 0xcafef00d\n"
			    "type: general (0x00)\n"
			    "action_flags: reset,take-dump (0x800001)\n"
			    "power_on_seconds: 123456\n"
			    "timestamp: 1234605616436508552\n"
			    "wwid: 500000000000000100000000000000ff\n"
			    "firmware_revision: FW1.2\n"
			    "additional_data: dead00beef\n"
			    "\n"
			    "id: 5\n"
			    "program_reference_code: 0xcafef00d\n"
			    "type: health-performance (0x04)\n"
			    "action_flags: none (0x000000)\n"
			    "power_on_seconds: 123456\n"
			    "timestamp: 1234605616436508552\n"
			    "wwid: 00000000000000000000000000000001\n"
			    "firmware_revision: FW1.2\n"
			    "additional_data: -\n"
			    "\n");
	free(s);

	el.type = 0x99;
	mem_open(&m);
	ck_assert_int_eq(ocxlfs_render_errlog(m.f, &el), 0);
	s = mem_close(&m);
	ck_assert_ptr_nonnull(strstr(s, "\ntype: unknown (0x99)\n"));
	free(s);
}
END_TEST

static void check_flags(uint32_t flags, const char *want)
{
	struct mem m;
	char *s;

	mem_open(&m);
	ck_assert_int_eq(ocxlfs_render_action_flags(m.f, flags), 0);
	s = mem_close(&m);
	ck_assert_str_eq(s, want);
	free(s);
}

START_TEST(test_render_action_flags)
{
	check_flags(0, "none");
	check_flags(OCXLFS_EL_ACT_RESET, "reset");
	check_flags(OCXLFS_EL_ACT_CHECK_FW, "check-firmware");
	check_flags(OCXLFS_EL_ACT_REPLACE, "replace");
	check_flags(OCXLFS_EL_ACT_TAKE_DUMP, "take-dump");
	check_flags(0xE00001, "reset,check-firmware,replace,take-dump");
	check_flags((1u << 5) | OCXLFS_EL_ACT_REPLACE | (1u << 1), "bit1,bit5,replace");
	check_flags(0xFFFFFF, "reset,bit1,bit2,bit3,bit4,bit5,bit6,bit7,bit8,bit9,bit10,bit11,"
			      "bit12,bit13,bit14,bit15,bit16,bit17,bit18,bit19,bit20,"
			      "check-firmware,replace,take-dump");
}
END_TEST

START_TEST(test_render_stats)
{
	struct ocxlfs_stats st;
	struct mem m;
	char *s;

	cs_sample(&st);
	mem_open(&m);
	ck_assert_int_eq(ocxlfs_render_stats(m.f, &st), 0);
	s = mem_close(&m);
	ck_assert_str_eq(s, "reset_count: 7\n"
			    "reset_uptime: 3600\n"
			    "power_on_uptime: 4294967295\n"
			    "life_remaining: 97\n"
			    "critical_resource_utilization: 12\n"
			    "host_load_count: 68719478021\n"
			    "host_store_count: 68719478278\n"
			    "host_load_duration: 68719478535\n"
			    "host_store_duration: 68719478792\n"
			    "media_read_count: 68719479049\n"
			    "media_write_count: 68719479306\n"
			    "media_read_duration: 68719479563\n"
			    "media_write_duration: 68719479820\n"
			    "cache_read_hit_count: 68719480077\n"
			    "cache_write_hit_count: 68719480334\n"
			    "fast_write_count: 68719480591\n");
	free(s);

	st.present = (1u << OCXLFS_STAT_LIFE_REMAINING) | (1u << OCXLFS_STAT_FAST_WRITE_COUNT);
	mem_open(&m);
	ck_assert_int_eq(ocxlfs_render_stats(m.f, &st), 0);
	s = mem_close(&m);
	ck_assert_str_eq(s, "life_remaining: 97\nfast_write_count: 68719480591\n");
	free(s);

	st.present = 0;
	mem_open(&m);
	ck_assert_int_eq(ocxlfs_render_stats(m.f, &st), 0);
	s = mem_close(&m);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

START_TEST(test_render_smart)
{
	static struct ocxlfs_smart sm;
	struct mem m;
	char *s;

	sm_sample(&sm);
	sm.count = 4;
	sm.attr[3] = (struct ocxlfs_smart_attr){ 0x42, 0x1, 2, 3, 4, 5 };
	mem_open(&m);
	ck_assert_int_eq(ocxlfs_render_smart(m.f, &sm), 0);
	s = mem_close(&m);
	ck_assert_str_eq(s, "power_on_hours id=0x09 current=100 worst=99 threshold=0 flags=0x0032 "
			    "raw=4242\n"
			    "temperature id=0xc2 current=37 worst=45 threshold=90 flags=0x0022 "
			    "raw=310\n"
			    "life_remaining id=0xca current=98 worst=97 threshold=10 flags=0xabcd "
			    "raw=18446744073709551615\n"
			    "unknown id=0x42 current=2 worst=4 threshold=3 flags=0x0001 raw=5\n");
	free(s);
}
END_TEST

START_TEST(test_render_eio)
{
	static struct ocxlfs_smart sm;
	struct ocxlfs_identity id;
	struct ocxlfs_errlog el;
	struct ocxlfs_stats st;
	FILE *f = fopen("/dev/null", "r");

	/* Writes to a read-only stream fail and set the error flag. */
	ck_assert_ptr_nonnull(f);
	id_sample(&id);
	el_sample(&el);
	cs_sample(&st);
	sm_sample(&sm);
	ck_assert_int_eq(ocxlfs_render_serial(f, &id), -EIO);
	ck_assert_int_eq(ocxlfs_render_fw_version(f, &id), -EIO);
	ck_assert_int_eq(ocxlfs_render_info(f, &id, NULL), -EIO);
	ck_assert_int_eq(ocxlfs_render_errlog(f, &el), -EIO);
	ck_assert_int_eq(ocxlfs_render_stats(f, &st), -EIO);
	ck_assert_int_eq(ocxlfs_render_smart(f, &sm), -EIO);
	ck_assert_int_eq(ocxlfs_render_action_flags(f, 1), -EIO);
	fclose(f);
}
END_TEST

/* ================= card operations over a fake transport ================= */

struct fake {
	struct ocxlfs_transport t;
	int rc;		      /* what call() returns */
	uint8_t status;	      /* status byte to answer */
	uint8_t reply[0x200]; /* data buffer to answer */
	size_t reply_len;
	long fw_size;	      /* >= 0: force nd_fw_size */
	/* What the op sent. */
	struct nd_cmd_pkg seen;
	uint64_t seen_in;
	unsigned calls;
};

static int fake_call(struct ocxlfs_transport *t, struct nd_cmd_pkg *pkg)
{
	struct fake *f = (struct fake *)t;
	uint8_t *out = pkg->nd_payload + pkg->nd_size_in;
	size_t room;

	f->calls++;
	f->seen = *pkg;
	f->seen_in = pkg->nd_size_in >= 8 ? ocxlfs_get_le64(pkg->nd_payload) : 0;
	if (f->rc)
		return f->rc;
	ck_assert_uint_ge(pkg->nd_size_out, 8);
	ocxlfs_put_le64(out, 0xABCD0000ULL | f->status); /* echoed command ID above status */
	room = pkg->nd_size_out - 8;
	memcpy(out + 8, f->reply, f->reply_len < room ? f->reply_len : room);
	pkg->nd_fw_size = f->fw_size >= 0 ? (uint32_t)f->fw_size : (uint32_t)(8 + f->reply_len);
	return 0;
}

static const struct ocxlfs_transport_ops fake_ops = { .call = fake_call };

static void fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->t.ops = &fake_ops;
	f->t.kind = "fake";
	f->fw_size = -1;
}

START_TEST(test_op_identify)
{
	struct ocxlfs_op_result res;
	struct ocxlfs_identity id;
	struct fake f;

	fake_init(&f);
	id_sample(&id);
	f.reply_len = (size_t)ocxlfs_identity_encode(&id, f.reply, sizeof(f.reply));
	memset(&id, 0, sizeof(id));
	ck_assert_int_eq(ocxlfs_op_identify(&f.t, &id, &res), 0);
	id_check_sample(&id);
	ck_assert_uint_eq(res.status, OCXLFS_STATUS_SUCCESS);
	ck_assert_uint_eq(res.fw_size, 8 + ID_TOTAL);
	/* The envelope. */
	ck_assert_uint_eq(f.seen.nd_family, OCXLFS_ND_FAMILY);
	ck_assert_uint_eq(f.seen.nd_command, OCXLFS_CMD_IDENTIFY);
	ck_assert_uint_eq(f.seen.nd_size_in, 0);
	ck_assert_uint_ge(f.seen.nd_size_out, 8 + ID_TOTAL);
	ck_assert_uint_eq(f.seen.nd_reserved2[0], 0);
	ck_assert_uint_eq(f.seen.nd_reserved2[8], 0);

	/* A res of NULL is allowed. */
	ck_assert_int_eq(ocxlfs_op_identify(&f.t, &id, NULL), 0);

	/* Card status: errno from the table, status reported. */
	f.status = OCXLFS_STATUS_MEM_UNAVAILABLE;
	ck_assert_int_eq(ocxlfs_op_identify(&f.t, &id, &res), -ENODEV);
	ck_assert_uint_eq(res.status, OCXLFS_STATUS_MEM_UNAVAILABLE);
	f.status = OCXLFS_STATUS_BAD_OPCODE;
	ck_assert_int_eq(ocxlfs_op_identify(&f.t, &id, &res), -EOPNOTSUPP);
	f.status = 0;

	/* Transport errors pass through, status stays success. */
	f.rc = -ETIMEDOUT;
	ck_assert_int_eq(ocxlfs_op_identify(&f.t, &id, &res), -ETIMEDOUT);
	ck_assert_uint_eq(res.status, OCXLFS_STATUS_SUCCESS);
	f.rc = 0;

	/* No room for the status word. */
	f.fw_size = 7;
	ck_assert_int_eq(ocxlfs_op_identify(&f.t, &id, &res), -EBADMSG);
	/* Truncated reply. */
	f.fw_size = 0x100000;
	ck_assert_int_eq(ocxlfs_op_identify(&f.t, &id, &res), -EMSGSIZE);
	/* Corrupt data buffer. */
	f.fw_size = -1;
	set_hdr_id(f.reply, 0x1234);
	ck_assert_int_eq(ocxlfs_op_identify(&f.t, &id, &res), -EBADMSG);
}
END_TEST

START_TEST(test_op_errlog)
{
	struct ocxlfs_op_result res;
	struct ocxlfs_errlog el;
	uint8_t buf[0x100];
	size_t len = 99;
	uint32_t log_id = 0;
	struct fake f;

	fake_init(&f);
	ck_assert_int_eq(ocxlfs_op_errlog_next(&f.t, buf, sizeof(buf), &len, NULL, &res), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(f.seen.nd_command, OCXLFS_CMD_ERRLOG_NEXT);

	f.reply_len = (size_t)el_encode_sample(f.reply, sizeof(f.reply));
	ck_assert_int_eq(ocxlfs_op_errlog_next(&f.t, buf, sizeof(buf), &len, &log_id, &res), 0);
	ck_assert_uint_eq(len, f.reply_len);
	ck_assert_int_eq(ocxlfs_errlog_decode(buf, len, &el), 0);
	el_check_sample(&el);
	ck_assert_uint_eq(log_id, el.log_id); /* handed up: the caller does not decode again */
	/* Caller's buffer too small for the entry. */
	ck_assert_int_eq(ocxlfs_op_errlog_next(&f.t, buf, OCXLFS_EL_FIXED, &len, NULL, &res),
			 -EMSGSIZE);
	ck_assert_uint_eq(len, 0);

	ck_assert_int_eq(ocxlfs_op_errlog_ack(&f.t, 0x01020304, &res), 0);
	ck_assert_uint_eq(f.seen.nd_command, OCXLFS_CMD_ERRLOG_ACK);
	ck_assert_uint_eq(f.seen.nd_size_in, 8);
	ck_assert_uint_eq(f.seen_in, 0x01020304);
}
END_TEST

START_TEST(test_op_dump_read)
{
	struct ocxlfs_op_result res;
	uint8_t payload[64], dst[64];
	size_t got = 1, i;
	struct fake f;

	fake_init(&f);
	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(0x80 + i);
	ck_assert_int_eq(ocxlfs_op_dump_read(&f.t, 0, 0, dst, &got, &res), -EINVAL);
	ck_assert_int_eq(ocxlfs_op_dump_read(&f.t, 0, 12, dst, &got, &res), -EINVAL);
	ck_assert_int_eq(ocxlfs_op_dump_read(&f.t, 0, OCXLFS_DUMP_CHUNK_MAX + 8, dst, &got, &res),
			 -EINVAL);
	ck_assert_uint_eq(f.calls, 0);

	f.reply_len = (size_t)ocxlfs_dump_chunk_encode(payload, 40, f.reply, sizeof(f.reply));
	ck_assert_int_eq(ocxlfs_op_dump_read(&f.t, 0x1000, 64, dst, &got, &res), 0);
	ck_assert_uint_eq(got, 40);
	ck_assert_mem_eq(dst, payload, 40);
	ck_assert_uint_eq(f.seen.nd_command, OCXLFS_CMD_DUMP_READ);
	ck_assert_uint_eq(f.seen_in, 0x0000100000000040ULL);
	ck_assert_uint_eq(f.seen.nd_size_out, 8 + 8 + 64);

	/* Card sends more than asked: refused, dst untouched beyond size. */
	f.reply_len = (size_t)ocxlfs_dump_chunk_encode(payload, 64, f.reply, sizeof(f.reply));
	ck_assert_int_eq(ocxlfs_op_dump_read(&f.t, 0, 32, dst, &got, &res), -EMSGSIZE);
	ck_assert_uint_eq(got, 0);

	/* End of dump. */
	f.reply_len = (size_t)ocxlfs_dump_chunk_encode(NULL, 0, f.reply, sizeof(f.reply));
	ck_assert_int_eq(ocxlfs_op_dump_read(&f.t, 0x2000, 64, dst, &got, &res), 0);
	ck_assert_uint_eq(got, 0);
}
END_TEST

START_TEST(test_op_misc)
{
	static struct ocxlfs_smart sm;
	struct ocxlfs_erase_status es;
	struct ocxlfs_op_result res;
	struct ocxlfs_stats st;
	uint64_t mask = 0;
	struct fake f;

	fake_init(&f);
	ocxlfs_put_le64(f.reply, OCXLFS_EVENT_ELA | OCXLFS_EVENT_ERASE_BUSY);
	f.reply_len = 8;
	ck_assert_int_eq(ocxlfs_op_event_check(&f.t, &mask, &res), 0);
	ck_assert_uint_eq(mask, OCXLFS_EVENT_ELA | OCXLFS_EVENT_ERASE_BUSY);
	f.reply_len = 4;
	ck_assert_int_eq(ocxlfs_op_event_check(&f.t, &mask, &res), -EBADMSG);

	cs_sample(&st);
	f.reply_len = (size_t)ocxlfs_stats_encode(&st, f.reply, sizeof(f.reply));
	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(ocxlfs_op_stats(&f.t, &st, &res), 0);
	cs_check_fields(&st, CS_ALL);

	sm_sample(&sm);
	f.reply_len = (size_t)ocxlfs_smart_encode(&sm, f.reply, sizeof(f.reply));
	memset(&sm, 0, sizeof(sm));
	ck_assert_int_eq(ocxlfs_op_smart(&f.t, &sm, &res), 0);
	sm_check_sample(&sm);
	ck_assert_uint_eq(f.seen.nd_command, OCXLFS_CMD_SMART);

	se_sample(&es);
	f.reply_len = (size_t)ocxlfs_erase_status_encode(&es, f.reply, sizeof(f.reply));
	memset(&es, 0, sizeof(es));
	ck_assert_int_eq(ocxlfs_op_erase_status(&f.t, &es, &res), 0);
	se_check_sample(&es);

	f.reply_len = 0;
	ck_assert_int_eq(ocxlfs_op_heartbeat(&f.t, &res), 0);
	ck_assert_uint_eq(f.seen.nd_command, OCXLFS_CMD_HEARTBEAT);
	ck_assert_uint_eq(f.seen.nd_size_in, 0);
	ck_assert_int_eq(ocxlfs_op_dump_request(&f.t, &res), 0);
	ck_assert_uint_eq(f.seen.nd_command, OCXLFS_CMD_DUMP_REQUEST);
	ck_assert_int_eq(ocxlfs_op_dump_complete(&f.t, &res), 0);
	ck_assert_uint_eq(f.seen.nd_command, OCXLFS_CMD_DUMP_COMPLETE);
	ck_assert_int_eq(ocxlfs_op_health_request(&f.t, &res), 0);
	ck_assert_uint_eq(f.seen.nd_command, OCXLFS_CMD_HEALTH_REQUEST);
	ck_assert_int_eq(ocxlfs_op_erase_start(&f.t, &res), 0);
	ck_assert_uint_eq(f.seen.nd_command, OCXLFS_CMD_ERASE_START);
	f.status = OCXLFS_STATUS_BLOCKED_BG;
	ck_assert_int_eq(ocxlfs_op_erase_start(&f.t, &res), -EBUSY);
	ck_assert_uint_eq(res.status, OCXLFS_STATUS_BLOCKED_BG);
	f.status = OCXLFS_STATUS_DEBUG_BLOCKED;
	ck_assert_int_eq(ocxlfs_op_heartbeat(&f.t, &res), -EPERM);
}
END_TEST

START_TEST(test_cmd_names)
{
	static const char *const names[OCXLFS_CMD_MAX + 2] = {
		[OCXLFS_CMD_SMART] = "smart",
		[OCXLFS_CMD_IDENTIFY] = "identify",
		[OCXLFS_CMD_ERRLOG_NEXT] = "errlog-next",
		[OCXLFS_CMD_ERRLOG_ACK] = "errlog-ack",
		[OCXLFS_CMD_STATS] = "stats",
		[OCXLFS_CMD_DUMP_REQUEST] = "dump-request",
		[OCXLFS_CMD_DUMP_READ] = "dump-read",
		[OCXLFS_CMD_DUMP_COMPLETE] = "dump-complete",
		[OCXLFS_CMD_HEARTBEAT] = "heartbeat",
		[OCXLFS_CMD_HEALTH_REQUEST] = "health-request",
		[OCXLFS_CMD_EVENT_CHECK] = "event-check",
		[OCXLFS_CMD_ERASE_START] = "erase-start",
		[OCXLFS_CMD_ERASE_STATUS] = "erase-status",
	};
	unsigned i;

	/* Every number, the reserved ones too (docs/protocol.md, section 3.1). */
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ck_assert_str_eq(ocxlfs_cmd_name(i), names[i] ? names[i] : "unknown");
	ck_assert_str_eq(ocxlfs_cmd_name(OCXLFS_CMD_MAX + 1), "unknown");
	ck_assert_str_eq(ocxlfs_cmd_name(~0u), "unknown");
}
END_TEST

static Suite *codec_suite(void)
{
	Suite *s = suite_create("codec");
	TCase *tc;

	tc = tcase_create("header");
	tcase_add_test(tc, test_le_and_hdr);
	suite_add_tcase(s, tc);

	tc = tcase_create("errlog");
	tcase_add_test(tc, test_el_good);
	tcase_add_test(tc, test_el_short);
	tcase_add_test(tc, test_el_long);
	tcase_add_test(tc, test_el_bad);
	tcase_add_test(tc, test_el_unknown_type);
	tcase_add_test(tc, test_el_fw_string);
	suite_add_tcase(s, tc);

	tc = tcase_create("smart");
	tcase_add_test(tc, test_sm_good);
	tcase_add_test(tc, test_sm_short);
	tcase_add_test(tc, test_sm_long);
	tcase_add_test(tc, test_sm_bad);
	tcase_add_test(tc, test_sm_partial_and_many);
	tcase_add_test(tc, test_sm_unknown_id);
	suite_add_tcase(s, tc);

	tc = tcase_create("stats");
	tcase_add_test(tc, test_cs_good);
	tcase_add_test(tc, test_cs_short);
	tcase_add_test(tc, test_cs_long);
	tcase_add_test(tc, test_cs_bad);
	tcase_add_test(tc, test_cs_unknown_block);
	tcase_add_test(tc, test_cs_truncated_block);
	tcase_add_test(tc, test_cs_bad_block_leaves_nothing);
	tcase_add_test(tc, test_cs_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("dump");
	tcase_add_test(tc, test_cd_good);
	tcase_add_test(tc, test_cd_short_long_bad);
	suite_add_tcase(s, tc);

	tc = tcase_create("identity");
	tcase_add_test(tc, test_id_good);
	tcase_add_test(tc, test_id_short_long_bad);
	suite_add_tcase(s, tc);

	tc = tcase_create("erase");
	tcase_add_test(tc, test_se_good);
	tcase_add_test(tc, test_se_short_long_bad);
	suite_add_tcase(s, tc);

	tc = tcase_create("garbage");
	tcase_add_test(tc, test_all_ff);
	tcase_add_test(tc, test_ff_with_id);
	suite_add_tcase(s, tc);

	tc = tcase_create("status");
	tcase_add_test(tc, test_status);
	suite_add_tcase(s, tc);

	tc = tcase_create("render");
	tcase_add_test(tc, test_render_identity);
	tcase_add_test(tc, test_render_errlog);
	tcase_add_test(tc, test_render_action_flags);
	tcase_add_test(tc, test_render_stats);
	tcase_add_test(tc, test_render_smart);
	tcase_add_test(tc, test_render_eio);
	suite_add_tcase(s, tc);

	tc = tcase_create("ops");
	tcase_add_test(tc, test_op_identify);
	tcase_add_test(tc, test_op_errlog);
	tcase_add_test(tc, test_op_dump_read);
	tcase_add_test(tc, test_op_misc);
	tcase_add_test(tc, test_cmd_names);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(codec_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
