// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target: the 'CS' controller-statistics decoder with its v4
 * parameter blocks (docs/protocol.md 4.5) and what is rendered from it:
 * statistics, statistics.json and the statistics part of metrics.prom.
 * The oracle walks the blocks itself, from the tables in the document.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "codec_harness.h"
#include "fuzz.h"
#include "codec/codec.h"
#include "proto/render.h"
#include "proto/render_json.h"
#include "proto/render_prom.h"
#include "render_check.h"

/* docs/protocol.md 4.5, block tables: block, offset in block, low bit, width. */
static const struct {
	uint8_t block, off, lsb, bits;
} fields[OCXLFS_STAT_NR] = {
    [OCXLFS_STAT_RESET_COUNT] = {1, 0x08, 32, 32},
    [OCXLFS_STAT_RESET_UPTIME] = {1, 0x08, 0, 32},
    [OCXLFS_STAT_POWER_ON_UPTIME] = {1, 0x10, 32, 32},
    [OCXLFS_STAT_LIFE_REMAINING] = {1, 0x10, 0, 8},
    [OCXLFS_STAT_CRIT_RESOURCE_UTIL] = {2, 0x08, 0, 8},
    [OCXLFS_STAT_HOST_LOAD_COUNT] = {2, 0x10, 0, 64},
    [OCXLFS_STAT_HOST_STORE_COUNT] = {2, 0x18, 0, 64},
    [OCXLFS_STAT_HOST_LOAD_DURATION] = {2, 0x20, 0, 64},
    [OCXLFS_STAT_HOST_STORE_DURATION] = {2, 0x28, 0, 64},
    [OCXLFS_STAT_MEDIA_READ_COUNT] = {2, 0x50, 0, 64},
    [OCXLFS_STAT_MEDIA_WRITE_COUNT] = {2, 0x58, 0, 64},
    [OCXLFS_STAT_MEDIA_READ_DURATION] = {2, 0x60, 0, 64},
    [OCXLFS_STAT_MEDIA_WRITE_DURATION] = {2, 0x68, 0, 64},
    [OCXLFS_STAT_CACHE_READ_HIT_COUNT] = {2, 0x90, 0, 64},
    [OCXLFS_STAT_CACHE_WRITE_HIT_COUNT] = {2, 0x98, 0, 64},
    [OCXLFS_STAT_FAST_WRITE_COUNT] = {2, 0xA0, 0, 64},
};

/*
 * The document's decoding rules.  It does not say what a known block that
 * appears twice means; the oracle takes each field from the last block
 * that holds it whole, as a reader walking in order naturally does.
 */
static int oracle(const uint8_t *buf, size_t len, size_t *end, struct ocxlfs_stats *want)
{
	uint64_t w, dlen, off, stop;

	memset(want, 0, sizeof(*want));
	if (len < 8)
		return -EBADMSG;
	w = fuzz_le64(buf);
	if ((w >> 48) != 0x4353)
		return -EBADMSG;
	dlen = w & 0xFFFFFFFF;
	if (dlen > len - 8)
		return -EMSGSIZE;
	stop = 8 + dlen;
	for (off = 8; off < stop;) {
		uint64_t blen;
		unsigned id;

		if (stop - off < 8)
			return -EMSGSIZE;
		w = fuzz_le64(buf + off);
		id = (unsigned)(w >> 56);
		blen = w & 0xFFFFFFFF;
		if (blen > stop - off - 8)
			return -EMSGSIZE;
		if (id != 1 && id != 2)
			want->unknown_blocks++;
		for (unsigned f = 0; f < OCXLFS_STAT_NR; f++) {
			uint64_t v;

			if (fields[f].block != id || fields[f].off + 8u > 8 + blen)
				continue;
			v = fuzz_le64(buf + off + fields[f].off) >> fields[f].lsb;
			if (fields[f].bits < 64)
				v &= (1ULL << fields[f].bits) - 1;
			want->value[f] = v;
			want->present |= 1u << f;
		}
		off += 8 + blen;
	}
	*end = stop;
	return 0;
}

static int decode(const uint8_t *buf, size_t len, void *out)
{
	return ocxlfs_stats_decode(buf, len, out);
}

static int expect(const uint8_t *buf, size_t len, size_t *end)
{
	struct ocxlfs_stats want;

	return oracle(buf, len, end, &want);
}

static bool same(const void *a, const uint8_t *abuf, const void *b, const uint8_t *bbuf)
{
	const struct ocxlfs_stats *x = a, *y = b;

	if (x->present != y->present || x->unknown_blocks != y->unknown_blocks)
		return false;
	for (unsigned f = 0; f < OCXLFS_STAT_NR; f++)
		if ((x->present & (1u << f)) && x->value[f] != y->value[f])
			return false;
	return true;
}

static int render(FILE *out, const void *obj)
{
	return ocxlfs_render_stats(out, obj);
}

static int render_json(FILE *out, const void *obj)
{
	return ocxlfs_render_stats_json(out, obj);
}

static int render_prom(FILE *out, const void *obj)
{
	const struct ocxlfs_prom_card card = {.index = 1, .stats = obj};

	return ocxlfs_render_prom(out, &card, 1);
}

/* docs/json.md 3: one decimal string per statistic reported, by name. */
static void check_json(const struct ocxlfs_stats *st, const char *text)
{
	struct json_object *doc = fuzz_json_check(text, OCXLFS_JSON_SCHEMA_STATISTICS);
	struct json_object *stats = fuzz_json_get(doc, "statistics"), *v;
	char want[24];

	FUZZ_ASSERT(json_object_object_length(stats) == __builtin_popcount(st->present));
	for (unsigned f = 0; f < OCXLFS_STAT_NR; f++) {
		if (!json_object_object_get_ex(stats, ocxlfs_stat_name((enum ocxlfs_stat_field)f),
					       &v)) {
			FUZZ_ASSERT(!(st->present & (1u << f)));
			continue;
		}
		snprintf(want, sizeof(want), "%" PRIu64, st->value[f]);
		FUZZ_ASSERT(!strcmp(json_object_get_string(v), want));
	}
	FUZZ_ASSERT(json_object_get_int64(fuzz_json_get(doc, "unknown_blocks")) ==
		    st->unknown_blocks);
	json_object_put(doc);
}

static void check(const void *out, const uint8_t *buf, size_t len)
{
	const struct ocxlfs_stats *st = out;
	struct ocxlfs_stats want, again;
	uint8_t enc[8 + OCXLFS_CS_LEN_V4];
	size_t end, lines;
	char *text, *line;

	FUZZ_ASSERT(oracle(buf, len, &end, &want) == 0);
	FUZZ_ASSERT(same(st, buf, &want, buf));
	/* Absent fields are 0, never stale. */
	for (unsigned f = 0; f < OCXLFS_STAT_NR; f++)
		FUZZ_ASSERT((st->present & (1u << f)) || st->value[f] == 0);

	text = fuzz_render_check(render, st, st->present == 0, &lines);
	FUZZ_ASSERT(lines == (size_t)__builtin_popcount(st->present));
	line = text;
	for (unsigned f = 0; f < OCXLFS_STAT_NR; f++) {
		char want_line[96];

		if (!(st->present & (1u << f)))
			continue;
		snprintf(want_line, sizeof(want_line), "%s: %" PRIu64 "\n",
			 ocxlfs_stat_name((enum ocxlfs_stat_field)f), st->value[f]);
		FUZZ_ASSERT(!strncmp(line, want_line, strlen(want_line)));
		line += strlen(want_line);
	}
	free(text);
	text = fuzz_render_check(render_json, st, false, &lines);
	check_json(st, text);
	free(text);
	/* metrics.prom: five per-card series and one per statistic reported. */
	text = fuzz_render_check(render_prom, st, false, &lines);
	/* ocxl_card_up, ocxl_state_directory_writable, ocxl_collected_timestamp_seconds, 2 errnos */
	FUZZ_ASSERT(fuzz_prom_check(text) == 3 + 2 + (size_t)__builtin_popcount(st->present));
	free(text);

	/* The encoder writes both v4 blocks whole: every field comes back present. */
	FUZZ_ASSERT(ocxlfs_stats_encode(st, enc, sizeof(enc) - 1) == -ENOSPC);
	FUZZ_ASSERT(ocxlfs_stats_encode(st, enc, sizeof(enc)) == (int)sizeof(enc));
	FUZZ_ASSERT(ocxlfs_stats_decode(enc, sizeof(enc), &again) == 0);
	FUZZ_ASSERT(again.present == (1u << OCXLFS_STAT_NR) - 1 && again.unknown_blocks == 0);
	for (unsigned f = 0; f < OCXLFS_STAT_NR; f++)
		FUZZ_ASSERT(again.value[f] == st->value[f]);
}

static const struct codec_spec spec = {
    .out_size = sizeof(struct ocxlfs_stats),
    .decode = decode,
    .expect = expect,
    .same = same,
    .check = check,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	codec_fuzz(&spec, data, size);
	return 0;
}
