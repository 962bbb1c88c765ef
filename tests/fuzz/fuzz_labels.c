// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target: the namespace label-area decoder (codec/labels.h) and
 * labels.json.  The input's first byte steers, the rest is the whole area
 * (config_size = its length): bit 0 mends both index blocks' checksums for
 * the geometry bit 1 picks (0: 128-byte labels, 1: 256), bit 2 mends the
 * checksum of every 256-byte label slot, so the fuzzer reaches valid
 * indexes and labels without forging Fletcher sums.
 *
 * The oracle is written from the format (docs/json.md section 7 and
 * libnvdimm's rules quoted there), not from the decoder: geometry, each
 * block's validity, the current index, which slots are in use, every
 * label field at its offset, then the JSON document parsed back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "codec/labels.h"
#include "proto/render_labels.h"
#include "render_check.h"

static uint16_t o_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* Fletcher-64 as the format defines it: 32-bit LE words, sum and sum of sums. */
static uint64_t o_fletcher(const uint8_t *p, size_t len, size_t csum_at)
{
	uint64_t lo = 0, hi = 0;

	for (size_t i = 0; i + 4 <= len; i += 4) {
		uint32_t w = (i == csum_at || i == csum_at + 4) ? 0 : fuzz_le32(p + i);

		lo = (lo + w) & 0xFFFFFFFFu;
		hi += lo;
	}
	return hi << 32 | lo;
}

static uint64_t o_round(uint64_t v)
{
	return (v + 255) / 256 * 256;
}

/* Index block size for label size ls, or 0 (too small). */
static uint64_t o_index_size(uint64_t size, uint64_t ls)
{
	uint64_t first = o_round(72 + (size / ls + 7) / 8), nslot, isz;

	if (size < 2 * first)
		return 0;
	nslot = (size - 2 * first) / ls;
	isz = o_round(72 + (nslot + 7) / 8);
	if (nslot < 2 || size - nslot * ls < 2 * isz)
		return 0;
	return isz;
}

static bool o_block_valid(const uint8_t *area, uint64_t size, unsigned i, uint64_t isz,
			  uint64_t ls)
{
	const uint8_t *b = area + i * isz;
	unsigned version = o_le16(b + 60) * 100u + o_le16(b + 62);
	uint64_t declared = version >= 102 ? (b[19] <= 24 ? 128ull << b[19] : 0) : 128;
	uint64_t mysize = fuzz_le64(b + 32);

	return !memcmp(b, "NAMESPACE_INDEX\0", 16) && declared == ls &&
	       o_fletcher(b, isz, 64) == fuzz_le64(b + 64) && (fuzz_le32(b + 20) & 3) &&
	       fuzz_le64(b + 24) == i * isz && fuzz_le64(b + 40) == (1 - i) * isz &&
	       mysize <= isz && mysize >= 72 && fuzz_le32(b + 56) * ls + 2 * isz <= size;
}

/* The newer of two valid sequence numbers: 1 -> 2 -> 3 -> 1. */
static int o_current(const uint8_t *area, uint64_t isz, bool v0, bool v1)
{
	unsigned s0 = fuzz_le32(area + 20) & 3, s1 = fuzz_le32(area + isz + 20) & 3;

	if (!v0 || !v1)
		return v0 ? 0 : v1 ? 1 : -1;
	return (s1 == s0 || s1 == s0 % 3 + 1) ? 1 : 0;
}

static void mend(uint8_t *area, size_t size, uint8_t how)
{
	uint64_t ls = how & 2 ? 256 : 128, isz = o_index_size(size, ls);

	if ((how & 1) && isz)
		for (unsigned i = 0; i < 2; i++) {
			uint64_t sum = o_fletcher(area + i * isz, isz, 64);

			for (int k = 0; k < 8; k++)
				area[i * isz + 64 + k] = (uint8_t)(sum >> (8 * k));
		}
	isz = o_index_size(size, 256);
	if ((how & 4) && isz)
		for (uint64_t off = 2 * isz; off + 256 <= size; off += 256) {
			uint64_t sum = o_fletcher(area + off, 256, 248);

			for (int k = 0; k < 8; k++)
				area[off + 248 + k] = (uint8_t)(sum >> (8 * k));
		}
}

struct rendered {
	const struct ocxlfs_label_area *area;
	const struct ocxlfs_nslabel *labels;
	unsigned n;
};

static int render(FILE *out, const void *obj)
{
	const struct rendered *r = obj;
	struct ocxlfs_labels_json j;

	ocxlfs_labels_json_begin(&j, out, r->area);
	for (unsigned i = 0; i < r->n; i++)
		ocxlfs_labels_json_label(&j, &r->labels[i]);
	return ocxlfs_labels_json_end(&j);
}

static void check_name(const char *got, const uint8_t *raw, size_t max)
{
	size_t n = 0;

	for (; n < max && raw[n]; n++)
		FUZZ_ASSERT(got[n] == ((raw[n] >= 0x20 && raw[n] < 0x7F) ? raw[n] : '?'));
	FUZZ_ASSERT(got[n] == '\0');
}

static void check_label(const struct ocxlfs_nslabel *l, const uint8_t *p, uint64_t ls,
			uint32_t slot, uint64_t off)
{
	FUZZ_ASSERT(l->at_slot == slot && l->offset == off);
	FUZZ_ASSERT(!memcmp(l->uuid, p, 16));
	check_name(l->name, p + 16, 64);
	FUZZ_ASSERT(l->flags == fuzz_le32(p + 80) && l->nlabel == o_le16(p + 84));
	FUZZ_ASSERT(l->position == o_le16(p + 86) && l->isetcookie == fuzz_le64(p + 88));
	FUZZ_ASSERT(l->lbasize == fuzz_le64(p + 96) && l->dpa == fuzz_le64(p + 104));
	FUZZ_ASSERT(l->rawsize == fuzz_le64(p + 112) && l->slot == fuzz_le32(p + 120));
	FUZZ_ASSERT(l->v1_2 == (ls == 256));
	if (ls == 256) {
		FUZZ_ASSERT(l->align == p[124] && !memcmp(l->type_guid, p + 128, 16));
		FUZZ_ASSERT(!memcmp(l->abstraction_guid, p + 144, 16));
		FUZZ_ASSERT(l->checksum == fuzz_le64(p + 248));
	}
	if (fuzz_le32(p + 120) != slot)
		FUZZ_ASSERT(l->check == OCXLFS_LABEL_BAD_SLOT);
	else if (ls == 256 && o_fletcher(p, 256, 248) != fuzz_le64(p + 248))
		FUZZ_ASSERT(l->check == OCXLFS_LABEL_BAD_CHECKSUM);
	else
		FUZZ_ASSERT(l->check == OCXLFS_LABEL_OK);
}

static void check_json(const char *text, const struct ocxlfs_label_area *a, const uint8_t *area,
		       const struct ocxlfs_nslabel *labels, unsigned n)
{
	struct json_object *doc = fuzz_json_check(text, OCXLFS_JSON_SCHEMA_LABELS);
	struct json_object *arr = fuzz_json_get(doc, "labels");
	const char *format = json_object_get_string(fuzz_json_get(doc, "format"));
	char want[16];

	if (a->current < 0)
		snprintf(want, sizeof(want), "%s", a->format == OCXLFS_LABELS_EMPTY ? "empty"
										     : "unformatted");
	else
		snprintf(want, sizeof(want), "%u.%u", o_le16(area + a->current * a->index_size + 60),
			 o_le16(area + a->current * a->index_size + 62));
	FUZZ_ASSERT(!strcmp(format, want));
	FUZZ_ASSERT(json_object_get_int(fuzz_json_get(doc, "label_area_size")) ==
		    (int)a->config_size);
	FUZZ_ASSERT(json_object_array_length(fuzz_json_get(doc, "index")) == a->nindex);
	FUZZ_ASSERT(json_object_array_length(arr) == n);
	for (unsigned i = 0; i < n; i++) {
		struct json_object *l = json_object_array_get_idx(arr, i);
		const uint8_t *u = labels[i].uuid;
		char uuid[40], cookie[24];

		snprintf(uuid, sizeof(uuid),
			 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
			 u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
			 u[13], u[14], u[15]);
		FUZZ_ASSERT(!strcmp(json_object_get_string(fuzz_json_get(l, "uuid")), uuid));
		snprintf(cookie, sizeof(cookie), "%llu", (unsigned long long)labels[i].isetcookie);
		FUZZ_ASSERT(!strcmp(json_object_get_string(fuzz_json_get(l, "isetcookie")), cookie));
		FUZZ_ASSERT(!strcmp(json_object_get_string(fuzz_json_get(l, "name")),
				    labels[i].name));
		FUZZ_ASSERT(json_object_get_boolean(fuzz_json_get(l, "valid")) ==
			    (labels[i].check == OCXLFS_LABEL_OK));
	}
	json_object_put(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len = size ? size - 1 : 0, span;
	uint8_t *area;
	struct ocxlfs_label_area a;
	struct ocxlfs_nslabel *labels;
	uint64_t ls = 0, isz = 0;
	int want_current = -1;
	unsigned n = 0;
	char *text;
	size_t lines;

	if (!len)
		return 0;
	area = fuzz_dup(data + 1, len);
	mend(area, len, data[0]);

	/* Oracle: libnvdimm tries 128-byte labels, then 256. */
	for (uint64_t probe = 128; probe <= 256 && want_current < 0; probe += 128) {
		uint64_t s = o_index_size(len, probe);

		if (!s)
			continue;
		want_current = o_current(area, s, o_block_valid(area, len, 0, s, probe),
					 o_block_valid(area, len, 1, s, probe));
		ls = probe;
		isz = s;
	}
	span = 2 * (o_index_size(len, 128) > o_index_size(len, 256) ? o_index_size(len, 128)
								     : o_index_size(len, 256));
	if (!span)
		span = 512;
	span = span < len ? span : len;
	FUZZ_ASSERT(ocxlfs_labels_index_span((uint32_t)len) == span);
	FUZZ_ASSERT(ocxlfs_labels_decode_index(area, span - 1, (uint32_t)len, &a) == -EMSGSIZE);
	/* Exactly the span: a read past it is ASan's to report. */
	{
		uint8_t *head = fuzz_dup(area, span);

		FUZZ_ASSERT(ocxlfs_labels_decode_index(head, span, (uint32_t)len, &a) == 0);
		FUZZ_ASSERT(a.current == want_current);
		FUZZ_ASSERT(a.config_size == len);
		if (want_current >= 0) {
			const uint8_t *free_map = area + want_current * isz + 72;

			FUZZ_ASSERT(a.format == OCXLFS_LABELS_FORMATTED);
			FUZZ_ASSERT(a.label_size == ls && a.index_size == isz && a.nindex == 2);
			FUZZ_ASSERT(a.nslot == fuzz_le32(area + want_current * isz + 56));
			for (uint32_t s = 0; s < a.nslot + 8; s++) {
				bool used = s < a.nslot && !((free_map[s / 8] >> (s % 8)) & 1);

				FUZZ_ASSERT(ocxlfs_labels_slot_in_use(&a, s) == used);
				n += used;
			}
		} else {
			bool zero = true;

			for (size_t i = 0; i < span; i++)
				zero &= !area[i];
			FUZZ_ASSERT(a.format == (zero ? OCXLFS_LABELS_EMPTY
						      : OCXLFS_LABELS_UNFORMATTED));
			FUZZ_ASSERT(a.nslot == 0 && !ocxlfs_labels_slot_in_use(&a, 0));
		}
		for (unsigned i = 0; i < a.nindex; i++)
			check_name(a.index[i].signature, area + i * a.index_size, 16);

		labels = calloc(n ? n : 1, sizeof(*labels));
		FUZZ_ASSERT(labels);
		n = 0;
		for (uint32_t s = 0; s < a.nslot; s++) {
			uint64_t off = 2 * isz + s * ls;
			uint8_t *one;

			if (!ocxlfs_labels_slot_in_use(&a, s))
				continue;
			FUZZ_ASSERT(ocxlfs_labels_slot_offset(&a, s) == off && off + ls <= len);
			one = fuzz_dup(area + off, ls);
			FUZZ_ASSERT(ocxlfs_label_decode(one, ls - 1, &a, s, &labels[n]) == -EBADMSG);
			FUZZ_ASSERT(ocxlfs_label_decode(one, ls, &a, s, &labels[n]) == 0);
			check_label(&labels[n], one, ls, s, off);
			free(one);
			n++;
		}
		{
			struct ocxlfs_nslabel past;

			FUZZ_ASSERT(ocxlfs_label_decode(area, len, &a, a.nslot, &past) == -EINVAL);
		}

		text = fuzz_render_check(render, &(struct rendered){ &a, labels, n }, false, &lines);
		FUZZ_ASSERT(lines == n + 2); /* the header, a line per label, the end */
		check_json(text, &a, area, labels, n);
		free(text);
		free(labels);
		free(head);
	}
	free(area);
	return 0;
}
