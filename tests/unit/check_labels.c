// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The label-area decoder (codec/labels.h) and labels.json: libnvdimm's
 * geometry, each index check, the choice of the current index, label
 * validity in both formats, and the JSON document parsed back.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "codec/labels.h"
#include "proto/render_labels.h"

#define AREA 131072u

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* The sum as the format defines it, over a copy with the checksum zeroed. */
static uint64_t sum_without(const uint8_t *p, size_t len, size_t at)
{
	uint8_t *copy = malloc(len);
	uint64_t sum;

	memcpy(copy, p, len);
	memset(copy + at, 0, 8);
	sum = ocxlfs_fletcher64(copy, len);
	free(copy);
	return sum;
}

/* An index block of a 128 KiB area: 256 bytes, every slot free but used[]. */
static void put_index(uint8_t *area, unsigned i, uint32_t ls, uint32_t seq, const int *used)
{
	uint32_t isz = 256, nslot = (AREA - 2 * isz) / ls;
	uint8_t *p = area + i * isz;

	memset(p, 0, isz);
	memcpy(p, "NAMESPACE_INDEX", 16);
	p[19] = ls == 256;
	put32(p + 20, seq);
	put64(p + 24, i * isz);
	put64(p + 32, isz);
	put64(p + 40, (1 - i) * isz);
	put64(p + 48, 2 * isz);
	put32(p + 56, nslot);
	p[60] = 1;
	p[62] = ls == 256 ? 2 : 1;
	for (uint32_t s = 0; s < nslot; s++)
		p[72 + s / 8] |= (uint8_t)(1u << (s % 8));
	for (; used && *used >= 0; used++)
		p[72 + *used / 8] &= (uint8_t)~(1u << (*used % 8));
	put64(p + 64, sum_without(p, isz, 64));
}

static void put_label(uint8_t *area, uint32_t ls, uint32_t slot, const char *name)
{
	uint8_t *p = area + 512 + slot * ls;

	memset(p, 0, ls);
	for (int i = 0; i < 16; i++)
		p[i] = (uint8_t)(0x10 + i);
	strncpy((char *)p + 16, name, 64);
	put32(p + 80, 0x5);
	p[84] = 1;
	put64(p + 88, 0xFFFFFFFFFFFFFFF0ull);
	put64(p + 104, 1ull << 24);
	put64(p + 112, 1ull << 30);
	put32(p + 120, slot);
	if (ls == 256) {
		p[124] = 0xAB;
		put64(p + 248, sum_without(p, 256, 248));
	}
}

static uint8_t *new_area(void)
{
	uint8_t *a = calloc(1, AREA);

	ck_assert_ptr_nonnull(a);
	return a;
}

START_TEST(geometry_as_libnvdimm)
{
	/* 128 KiB: 256-byte blocks, 1020 or 510 slots (what ndctl init-labels writes). */
	ck_assert_uint_eq(ocxlfs_labels_index_span(AREA), 512);
	/* 16 MiB: 130812 slots of 128 bytes need 16424 bytes of index, 16640 aligned. */
	ck_assert_uint_eq(ocxlfs_labels_index_span(16u << 20), 2 * 16640);
	/* Too small for two blocks and two labels: only the first 512 bytes are looked at. */
	ck_assert_uint_eq(ocxlfs_labels_index_span(700), 512);
	ck_assert_uint_eq(ocxlfs_labels_index_span(300), 300);
	ck_assert_uint_eq(ocxlfs_labels_index_span(0), 0);
}
END_TEST

START_TEST(lengths_checked)
{
	uint8_t *a = new_area();
	struct ocxlfs_label_area area;
	struct ocxlfs_nslabel l;

	ck_assert_int_eq(ocxlfs_labels_decode_index(a, 511, AREA, &area), -EMSGSIZE);
	ck_assert_int_eq(ocxlfs_labels_decode_index(a, 512, 0, &area), -EINVAL);
	ck_assert_int_eq(ocxlfs_labels_decode_index(NULL, 0, AREA, &area), -EMSGSIZE);
	ck_assert_int_eq(ocxlfs_labels_decode_index(a, 512, AREA, &area), 0);
	ck_assert_int_eq(area.format, OCXLFS_LABELS_EMPTY);
	ck_assert_int_eq(area.current, -1);
	ck_assert_int_eq(ocxlfs_label_decode(a + 512, 128, &area, 0, &l), -EINVAL);
	/* A tiny area has no index blocks at all. */
	ck_assert_int_eq(ocxlfs_labels_decode_index(a, 300, 300, &area), 0);
	ck_assert_uint_eq(area.nindex, 0);
	ck_assert_uint_eq(area.index_size, 0);
	a[5] = 1;
	ck_assert_int_eq(ocxlfs_labels_decode_index(a, 512, AREA, &area), 0);
	ck_assert_int_eq(area.format, OCXLFS_LABELS_UNFORMATTED);
	free(a);
}
END_TEST

START_TEST(current_index_by_sequence)
{
	static const struct {
		uint32_t s0, s1;
		int current;
	} cases[] = { { 3, 2, 0 }, { 1, 2, 1 }, { 2, 3, 1 }, { 3, 1, 1 }, { 1, 3, 0 }, { 2, 2, 1 } };
	uint8_t *a = new_area();
	struct ocxlfs_label_area area;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		put_index(a, 0, 128, cases[i].s0, NULL);
		put_index(a, 1, 128, cases[i].s1, NULL);
		ck_assert_int_eq(ocxlfs_labels_decode_index(a, 512, AREA, &area), 0);
		ck_assert_int_eq(area.format, OCXLFS_LABELS_FORMATTED);
		ck_assert_msg(area.current == cases[i].current, "seq %u/%u: current %d",
			      cases[i].s0, cases[i].s1, area.current);
		ck_assert_uint_eq(area.nslot, 1020);
		ck_assert_uint_eq(area.index[0].free, 1020);
	}
	/* Only one valid block: that one, whatever its sequence. */
	a[256 + 64] ^= 1;
	ck_assert_int_eq(ocxlfs_labels_decode_index(a, 512, AREA, &area), 0);
	ck_assert_int_eq(area.current, 0);
	ck_assert_int_eq(area.index[1].check, OCXLFS_NSINDEX_BAD_CHECKSUM);
	free(a);
}
END_TEST

/* Each check libnvdimm makes, broken alone (then the checksum mended). */
START_TEST(index_checks)
{
	static const struct {
		size_t at;
		uint8_t value;
		enum ocxlfs_nsindex_check check;
	} cases[] = {
		/* 1.2 with 256-byte labels (minor 2, size code 1) where 128 was probed */
		{ 3, 'x', OCXLFS_NSINDEX_BAD_SIGNATURE }, { 19, 1, OCXLFS_NSINDEX_BAD_LABELSIZE },
		{ 20, 4, OCXLFS_NSINDEX_BAD_SEQ },	  { 24, 8, OCXLFS_NSINDEX_BAD_MYOFF },
		{ 41, 0, OCXLFS_NSINDEX_BAD_OTHEROFF },	  { 33, 2, OCXLFS_NSINDEX_BAD_MYSIZE },
		{ 57, 4, OCXLFS_NSINDEX_BAD_NSLOT },
	};
	uint8_t *a = new_area();
	struct ocxlfs_label_area area;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		put_index(a, 0, 128, 3, NULL);
		put_index(a, 1, 128, 2, NULL);
		a[cases[i].at] = cases[i].value;
		if (cases[i].check == OCXLFS_NSINDEX_BAD_LABELSIZE)
			a[62] = 2;
		put64(a + 64, sum_without(a, 256, 64));
		ck_assert_int_eq(ocxlfs_labels_decode_index(a, 512, AREA, &area), 0);
		ck_assert_msg(area.index[0].check == cases[i].check, "case %zu: check %d", i,
			      area.index[0].check);
		ck_assert_int_eq(area.current, 1);
	}
	ck_assert_str_eq(ocxlfs_nsindex_check_name(OCXLFS_NSINDEX_BAD_NSLOT), "nslot");
	free(a);
}
END_TEST

START_TEST(labels_in_both_formats)
{
	static const int used[] = { 0, 9, -1 };
	uint8_t *a = new_area();
	struct ocxlfs_label_area area;
	struct ocxlfs_nslabel l;

	for (uint32_t ls = 128; ls <= 256; ls += 128) {
		memset(a, 0, AREA);
		put_index(a, 0, ls, 1, used);
		put_index(a, 1, ls, 1, NULL); /* equal sequences: block 1, no label in use */
		ck_assert_int_eq(ocxlfs_labels_decode_index(a, 512, AREA, &area), 0);
		ck_assert_int_eq(area.current, 1);
		ck_assert(!ocxlfs_labels_slot_in_use(&area, 0));
		a[20] = 2; /* 1 does not follow 2: block 0 is newer */
		put64(a + 64, sum_without(a, 256, 64));
		ck_assert_int_eq(ocxlfs_labels_decode_index(a, 512, AREA, &area), 0);
		ck_assert_int_eq(area.current, 0);
		ck_assert_uint_eq(area.label_size, ls);
		ck_assert_uint_eq(area.index[0].free, area.nslot - 2);
		ck_assert(ocxlfs_labels_slot_in_use(&area, 0) && ocxlfs_labels_slot_in_use(&area, 9));
		ck_assert(!ocxlfs_labels_slot_in_use(&area, 1));
		ck_assert(!ocxlfs_labels_slot_in_use(&area, area.nslot));
		ck_assert_uint_eq(ocxlfs_labels_slot_offset(&area, 9), 512 + 9 * ls);

		put_label(a, ls, 9, "ns9");
		ck_assert_int_eq(ocxlfs_label_decode(a + 512 + 9 * ls, ls - 1, &area, 9, &l),
				 -EBADMSG);
		ck_assert_int_eq(ocxlfs_label_decode(a + 512 + 9 * ls, ls, &area, 9, &l), 0);
		ck_assert_int_eq(l.check, OCXLFS_LABEL_OK);
		ck_assert_str_eq(l.name, "ns9");
		ck_assert_uint_eq(l.flags, 5);
		ck_assert_uint_eq(l.nlabel, 1);
		ck_assert_uint_eq(l.isetcookie, 0xFFFFFFFFFFFFFFF0ull);
		ck_assert_uint_eq(l.dpa, 1ull << 24);
		ck_assert_uint_eq(l.rawsize, 1ull << 30);
		ck_assert_uint_eq(l.offset, 512 + 9 * ls);
		ck_assert_int_eq(l.v1_2, ls == 256);
		ck_assert_uint_eq(l.align, ls == 256 ? 0xAB : 0);
		/* Read from the wrong slot: its slot field says where it belongs. */
		ck_assert_int_eq(ocxlfs_label_decode(a + 512 + 9 * ls, ls, &area, 0, &l), 0);
		ck_assert_int_eq(l.check, OCXLFS_LABEL_BAD_SLOT);
		a[512 + 9 * ls + 20] ^= 0x40;
		ck_assert_int_eq(ocxlfs_label_decode(a + 512 + 9 * ls, ls, &area, 9, &l), 0);
		/* Only 1.2 labels carry a checksum. */
		ck_assert_int_eq(l.check, ls == 256 ? OCXLFS_LABEL_BAD_CHECKSUM : OCXLFS_LABEL_OK);
	}
	free(a);
}
END_TEST

static struct json_object *render(const struct ocxlfs_label_area *area,
				  const struct ocxlfs_nslabel *l, unsigned n)
{
	struct ocxlfs_labels_json j;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct json_object *o;

	ck_assert_int_eq(ocxlfs_labels_json_begin(&j, f, area), 0);
	for (unsigned i = 0; i < n; i++)
		ck_assert_int_eq(ocxlfs_labels_json_label(&j, &l[i]), 0);
	ck_assert_int_eq(ocxlfs_labels_json_end(&j), 0);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(text[len - 1], '\n');
	o = json_tokener_parse(text);
	ck_assert_msg(o != NULL, "not JSON: %s", text);
	free(text);
	return o;
}

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	ck_assert_msg(json_object_object_get_ex(o, key, &v), "no member %s", key);
	return v;
}

START_TEST(json_document)
{
	static const int used[] = { 3, -1 };
	uint8_t *a = new_area();
	struct ocxlfs_label_area area;
	struct ocxlfs_nslabel l;
	struct json_object *o, *lab, *ix;

	o = render(&(struct ocxlfs_label_area){ .config_size = AREA, .current = -1 }, NULL, 0);
	ck_assert_str_eq(json_object_get_string(get(o, "schema")), "ocxlfs.labels/1");
	ck_assert_str_eq(json_object_get_string(get(o, "format")), "empty");
	ck_assert(json_object_is_type(get(o, "current_index"), json_type_null));
	ck_assert_uint_eq(json_object_array_length(get(o, "labels")), 0);
	json_object_put(o);

	put_index(a, 0, 256, 2, NULL);
	put_index(a, 1, 256, 3, used);
	put_label(a, 256, 3, "tab\there");
	ck_assert_int_eq(ocxlfs_labels_decode_index(a, 512, AREA, &area), 0);
	ck_assert_int_eq(ocxlfs_label_decode(a + 512 + 3 * 256, 256, &area, 3, &l), 0);
	o = render(&area, &l, 1);
	ck_assert_str_eq(json_object_get_string(get(o, "format")), "1.2");
	ck_assert_int_eq(json_object_get_int(get(o, "current_index")), 1);
	ix = json_object_array_get_idx(get(o, "index"), 1);
	ck_assert(json_object_get_boolean(get(ix, "current")));
	ck_assert_int_eq(json_object_get_int(get(ix, "free")), 509);
	ck_assert_str_eq(json_object_get_string(get(ix, "labeloff")), "512");
	lab = json_object_array_get_idx(get(o, "labels"), 0);
	ck_assert_str_eq(json_object_get_string(get(lab, "uuid")),
			 "10111213-1415-1617-1819-1a1b1c1d1e1f");
	ck_assert_str_eq(json_object_get_string(get(lab, "name")), "tab?here");
	ck_assert_str_eq(json_object_get_string(get(lab, "isetcookie")), "18446744073709551600");
	ck_assert_str_eq(json_object_get_string(get(lab, "flag_names")), "[ \"rolabel\", \"btt\" ]");
	ck_assert_int_eq(json_object_get_int(get(lab, "align")), 0xAB);
	ck_assert(json_object_get_boolean(get(lab, "valid")));
	ck_assert_int_eq(json_object_get_int(get(lab, "offset")), 512 + 3 * 256);
	json_object_put(o);
	free(a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("labels");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, geometry_as_libnvdimm);
	tcase_add_test(tc, lengths_checked);
	tcase_add_test(tc, current_index_by_sequence);
	tcase_add_test(tc, index_checks);
	tcase_add_test(tc, labels_in_both_formats);
	tcase_add_test(tc, json_document);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
