// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Pure codecs for the card's data-buffer formats (card-protocol.md §2.5,
 * §3.5-§3.8, §3.11 and the ocxlfs blocks in <ocxlfs/passthru.h>).
 *
 * Decoders see untrusted bytes: every read is bounds-checked against
 * [buf, buf + len) first, all lengths are widened to 64 bits before any
 * addition so a hostile 32-bit length cannot wrap.  No I/O, no allocation.
 *
 * Check order in every decoder: buffer shorter than the fixed part or
 * wrong identifier -> -EBADMSG; declared length past the buffer ->
 * -EMSGSIZE.  Bytes past the declared length are ignored.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "proto/codec.h"

#define HDR_SIZE 8u

uint64_t ocxl_get_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

void ocxl_put_le64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

uint64_t ocxl_hdr_make(uint16_t id, uint32_t len)
{
	return ((uint64_t)id << 48) | len;
}

int ocxl_hdr_parse(const uint8_t *buf, size_t len, uint16_t want_id, unsigned len_bits,
		   uint32_t *data_len)
{
	uint64_t w, dlen;

	if (len_bits == 0 || len_bits > 32)
		return -EINVAL;
	if (!buf || len < HDR_SIZE)
		return -EBADMSG;
	w = ocxl_get_le64(buf);
	if ((uint16_t)(w >> 48) != want_id)
		return -EBADMSG;
	dlen = w & ((1ULL << len_bits) - 1);
	if (dlen > len - HDR_SIZE)
		return -EMSGSIZE;
	if (data_len)
		*data_len = (uint32_t)dlen;
	return 0;
}

/*
 * 8 raw firmware bytes to a C string: stop at NUL, '?' for anything
 * outside printable ASCII (it ends up in file contents and logs), trim
 * trailing spaces (FWVER is space padded on some cards).
 */
static void fw_string(char dst[9], const uint8_t *src)
{
	size_t i, n = 0;

	for (i = 0; i < 8 && src[i]; i++)
		dst[n++] = (src[i] >= 0x20 && src[i] < 0x7F) ? (char)src[i] : '?';
	while (n > 0 && dst[n - 1] == ' ')
		n--;
	dst[n] = '\0';
}

/* The inverse: at most 8 chars, NUL padded. */
static void fw_bytes(uint8_t *dst, const char *src)
{
	size_t n = strnlen(src, 8);

	memset(dst, 0, 8);
	memcpy(dst, src, n);
}

/* ---- identity ('ID') ---- */

#define ID_FIXED_DATA 0x20u /* serial, FWVER, CCAP0, CCAP1 */

int ocxl_identity_decode(const uint8_t *buf, size_t len, struct ocxl_identity *id)
{
	uint32_t dlen;
	int rc;

	memset(id, 0, sizeof(*id));
	if (len < HDR_SIZE + ID_FIXED_DATA)
		return -EBADMSG;
	rc = ocxl_hdr_parse(buf, len, OCXL_ID_IDENTITY, 32, &dlen);
	if (rc)
		return rc;
	if (dlen < ID_FIXED_DATA)
		return -EBADMSG;
	id->serial = ocxl_get_le64(buf + 0x08);
	fw_string(id->fw_version, buf + 0x10);
	id->ccap0 = ocxl_get_le64(buf + 0x18);
	id->ccap1 = ocxl_get_le64(buf + 0x20);
	/* Older blocks end before the admin buffer size. */
	if (dlen >= 0x28) {
		id->admin_buffer_size = (uint32_t)ocxl_get_le64(buf + 0x28);
		id->has_admin_buffer_size = true;
	}
	return 0;
}

/* Always the full v1 layout; admin_buffer_size is written even if not "has". */
int ocxl_identity_encode(const struct ocxl_identity *id, uint8_t *buf, size_t cap)
{
	const size_t total = HDR_SIZE + OCXL_ID_LEN_V1;

	if (cap < total)
		return -ENOSPC;
	memset(buf, 0, total);
	ocxl_put_le64(buf, ocxl_hdr_make(OCXL_ID_IDENTITY, OCXL_ID_LEN_V1));
	ocxl_put_le64(buf + 0x08, id->serial);
	fw_bytes(buf + 0x10, id->fw_version);
	ocxl_put_le64(buf + 0x18, id->ccap0);
	ocxl_put_le64(buf + 0x20, id->ccap1);
	ocxl_put_le64(buf + 0x28, id->admin_buffer_size);
	return (int)total;
}

/* ---- error log ('EL') ---- */

int ocxl_errlog_decode(const uint8_t *buf, size_t len, struct ocxl_errlog *el)
{
	uint32_t addl;
	uint64_t w;
	int rc;

	memset(el, 0, sizeof(*el));
	if (len < OCXL_EL_FIXED)
		return -EBADMSG;
	/* The length counts only the additional data, which follows the fixed part. */
	rc = ocxl_hdr_parse(buf, len, OCXL_ID_ERRLOG, 16, &addl);
	if (rc)
		return rc;
	if (addl > len - OCXL_EL_FIXED)
		return -EMSGSIZE;

	w = ocxl_get_le64(buf + OCXL_EL_OFF_ID_PRC);
	el->log_id = (uint32_t)(w >> 32);
	el->program_ref_code = (uint32_t)w;
	w = ocxl_get_le64(buf + OCXL_EL_OFF_TYPE_ACT_POS);
	el->type = (uint8_t)(w >> 56);
	el->action_flags = (uint32_t)(w >> 32) & 0xFFFFFF;
	el->power_on_seconds = (uint32_t)w;
	el->timestamp = ocxl_get_le64(buf + OCXL_EL_OFF_TIMESTAMP);
	el->wwid[0] = ocxl_get_le64(buf + OCXL_EL_OFF_WWID);
	el->wwid[1] = ocxl_get_le64(buf + OCXL_EL_OFF_WWID + 8);
	fw_string(el->fw_revision, buf + OCXL_EL_OFF_FWREV);
	el->addl_len = (uint16_t)addl;
	el->addl = addl ? buf + OCXL_EL_FIXED : NULL;
	return 0;
}

int ocxl_errlog_encode(const struct ocxl_errlog *el, uint8_t *buf, size_t cap)
{
	const size_t total = OCXL_EL_FIXED + (size_t)el->addl_len;

	if (cap < total)
		return -ENOSPC;
	if (el->addl_len && !el->addl)
		return -EINVAL;
	memset(buf, 0, OCXL_EL_FIXED);
	ocxl_put_le64(buf, ocxl_hdr_make(OCXL_ID_ERRLOG, el->addl_len));
	ocxl_put_le64(buf + OCXL_EL_OFF_ID_PRC,
		      ((uint64_t)el->log_id << 32) | el->program_ref_code);
	ocxl_put_le64(buf + OCXL_EL_OFF_TYPE_ACT_POS,
		      ((uint64_t)el->type << 56) |
			      ((uint64_t)(el->action_flags & 0xFFFFFF) << 32) |
			      el->power_on_seconds);
	ocxl_put_le64(buf + OCXL_EL_OFF_TIMESTAMP, el->timestamp);
	ocxl_put_le64(buf + OCXL_EL_OFF_WWID, el->wwid[0]);
	ocxl_put_le64(buf + OCXL_EL_OFF_WWID + 8, el->wwid[1]);
	fw_bytes(buf + OCXL_EL_OFF_FWREV, el->fw_revision);
	if (el->addl_len)
		memcpy(buf + OCXL_EL_FIXED, el->addl, el->addl_len);
	return (int)total;
}

const char *ocxl_errlog_type_name(uint8_t type)
{
	switch (type) {
	case OCXL_EL_GENERAL:
		return "general";
	case OCXL_EL_PREDICTIVE:
		return "predictive-failure";
	case OCXL_EL_THERMAL:
		return "thermal-warning";
	case OCXL_EL_DATA_LOSS:
		return "data-loss";
	case OCXL_EL_HEALTH_PERF:
		return "health-performance";
	default:
		return "unknown";
	}
}

/* ---- SMART ('SM') ---- */

int ocxl_smart_decode(const uint8_t *buf, size_t len, struct ocxl_smart *sm)
{
	uint32_t dlen, n, i;
	int rc;

	memset(sm, 0, sizeof(*sm));
	rc = ocxl_hdr_parse(buf, len, OCXL_ID_SMART, 32, &dlen);
	if (rc)
		return rc;
	/* A trailing partial record is ignored; records past the array are dropped. */
	n = dlen / OCXL_SMART_RECORD;
	if (n > OCXL_SMART_MAX_ATTRS)
		n = OCXL_SMART_MAX_ATTRS;
	for (i = 0; i < n; i++) {
		const uint8_t *r = buf + HDR_SIZE + (size_t)i * OCXL_SMART_RECORD;
		struct ocxl_smart_attr *a = &sm->attr[i];
		uint64_t w = ocxl_get_le64(r);

		a->id = (uint8_t)(w >> 56);
		a->flags = (uint16_t)(w >> 40);
		a->current = (uint8_t)(w >> 32);
		a->threshold = (uint8_t)(w >> 24);
		a->worst = (uint8_t)(w >> 16);
		a->raw = ocxl_get_le64(r + 8);
	}
	sm->count = n;
	return 0;
}

int ocxl_smart_encode(const struct ocxl_smart *sm, uint8_t *buf, size_t cap)
{
	size_t total;
	unsigned i;

	if (sm->count > OCXL_SMART_MAX_ATTRS)
		return -EINVAL;
	total = HDR_SIZE + (size_t)sm->count * OCXL_SMART_RECORD;
	if (cap < total)
		return -ENOSPC;
	ocxl_put_le64(buf, ocxl_hdr_make(OCXL_ID_SMART, (uint32_t)(total - HDR_SIZE)));
	for (i = 0; i < sm->count; i++) {
		const struct ocxl_smart_attr *a = &sm->attr[i];
		uint8_t *r = buf + HDR_SIZE + (size_t)i * OCXL_SMART_RECORD;

		ocxl_put_le64(r, ((uint64_t)a->id << 56) | ((uint64_t)a->flags << 40) |
					 ((uint64_t)a->current << 32) |
					 ((uint64_t)a->threshold << 24) | ((uint64_t)a->worst << 16));
		ocxl_put_le64(r + 8, a->raw);
	}
	return (int)total;
}

const char *ocxl_smart_attr_name(uint8_t id)
{
	switch (id) {
	case OCXL_SMART_POWER_ON_HOURS:
		return "power_on_hours";
	case OCXL_SMART_TEMPERATURE:
		return "temperature";
	case OCXL_SMART_LIFE_REMAINING:
		return "life_remaining";
	default:
		return "unknown";
	}
}

/* ---- controller statistics ('CS') ---- */

/* Where each field lives: block, offset from the block header, shift, width. */
struct stat_loc {
	uint8_t block;
	uint8_t off;
	uint8_t shift;
	uint8_t bits; /* 64 = whole word */
};

static const struct stat_loc stat_locs[OCXL_STAT_NR] = {
	[OCXL_STAT_RESET_COUNT] = { OCXL_CS_BLOCK_RESET, 0x08, 32, 32 },
	[OCXL_STAT_RESET_UPTIME] = { OCXL_CS_BLOCK_RESET, 0x08, 0, 32 },
	[OCXL_STAT_POWER_ON_UPTIME] = { OCXL_CS_BLOCK_RESET, 0x10, 32, 32 },
	[OCXL_STAT_LIFE_REMAINING] = { OCXL_CS_BLOCK_RESET, 0x10, 0, 8 },
	[OCXL_STAT_CRIT_RESOURCE_UTIL] = { OCXL_CS_BLOCK_PERF, 0x08, 0, 8 },
	[OCXL_STAT_HOST_LOAD_COUNT] = { OCXL_CS_BLOCK_PERF, 0x10, 0, 64 },
	[OCXL_STAT_HOST_STORE_COUNT] = { OCXL_CS_BLOCK_PERF, 0x18, 0, 64 },
	[OCXL_STAT_HOST_LOAD_DURATION] = { OCXL_CS_BLOCK_PERF, 0x20, 0, 64 },
	[OCXL_STAT_HOST_STORE_DURATION] = { OCXL_CS_BLOCK_PERF, 0x28, 0, 64 },
	[OCXL_STAT_MEDIA_READ_COUNT] = { OCXL_CS_BLOCK_PERF, 0x50, 0, 64 },
	[OCXL_STAT_MEDIA_WRITE_COUNT] = { OCXL_CS_BLOCK_PERF, 0x58, 0, 64 },
	[OCXL_STAT_MEDIA_READ_DURATION] = { OCXL_CS_BLOCK_PERF, 0x60, 0, 64 },
	[OCXL_STAT_MEDIA_WRITE_DURATION] = { OCXL_CS_BLOCK_PERF, 0x68, 0, 64 },
	[OCXL_STAT_CACHE_READ_HIT_COUNT] = { OCXL_CS_BLOCK_PERF, 0x90, 0, 64 },
	[OCXL_STAT_CACHE_WRITE_HIT_COUNT] = { OCXL_CS_BLOCK_PERF, 0x98, 0, 64 },
	[OCXL_STAT_FAST_WRITE_COUNT] = { OCXL_CS_BLOCK_PERF, 0xA0, 0, 64 },
};

static uint64_t stat_mask(unsigned bits)
{
	return bits >= 64 ? ~0ULL : (1ULL << bits) - 1;
}

/* Fields of one known block; a field is present only if its word is inside the block. */
static void stats_block(struct ocxl_stats *st, uint8_t bid, const uint8_t *blk, uint64_t blen)
{
	unsigned f;

	for (f = 0; f < OCXL_STAT_NR; f++) {
		const struct stat_loc *l = &stat_locs[f];

		if (l->block != bid || (uint64_t)l->off + 8 > HDR_SIZE + blen)
			continue;
		st->value[f] = (ocxl_get_le64(blk + l->off) >> l->shift) & stat_mask(l->bits);
		st->present |= 1u << f;
	}
}

int ocxl_stats_decode(const uint8_t *buf, size_t len, struct ocxl_stats *st)
{
	uint64_t off, end;
	uint32_t dlen;
	int rc;

	memset(st, 0, sizeof(*st));
	rc = ocxl_hdr_parse(buf, len, OCXL_ID_STATS, 32, &dlen);
	if (rc)
		return rc;
	end = HDR_SIZE + (uint64_t)dlen;
	/* Each block advances off by at least 8, so this terminates. */
	for (off = HDR_SIZE; off < end;) {
		uint64_t w, blen;
		uint8_t bid;

		if (off + HDR_SIZE > end)
			break;
		w = ocxl_get_le64(buf + off);
		bid = (uint8_t)(w >> 56);
		blen = (uint32_t)w;
		if (off + HDR_SIZE + blen > end)
			break;
		if (bid == OCXL_CS_BLOCK_RESET || bid == OCXL_CS_BLOCK_PERF)
			stats_block(st, bid, buf + off, blen);
		else
			st->unknown_blocks++;
		off += HDR_SIZE + blen;
	}
	if (off == end)
		return 0;
	/* A bad block makes the whole buffer invalid: drop what earlier blocks gave. */
	memset(st, 0, sizeof(*st));
	return -EMSGSIZE;
}

int ocxl_stats_encode(const struct ocxl_stats *st, uint8_t *buf, size_t cap)
{
	const size_t total = HDR_SIZE + OCXL_CS_LEN_V4;
	const size_t b1 = HDR_SIZE, b2 = HDR_SIZE + HDR_SIZE + OCXL_CS_BLOCK_RESET_LEN;
	unsigned f;

	if (cap < total)
		return -ENOSPC;
	memset(buf, 0, total);
	ocxl_put_le64(buf, ocxl_hdr_make(OCXL_ID_STATS, OCXL_CS_LEN_V4));
	ocxl_put_le64(buf + b1, ((uint64_t)OCXL_CS_BLOCK_RESET << 56) | OCXL_CS_BLOCK_RESET_LEN);
	ocxl_put_le64(buf + b2, ((uint64_t)OCXL_CS_BLOCK_PERF << 56) | OCXL_CS_BLOCK_PERF_LEN);
	for (f = 0; f < OCXL_STAT_NR; f++) {
		const struct stat_loc *l = &stat_locs[f];
		uint8_t *p = buf + (l->block == OCXL_CS_BLOCK_RESET ? b1 : b2) + l->off;

		if (!(st->present & (1u << f)))
			continue;
		/* Shared words: OR each field into place. */
		ocxl_put_le64(p, ocxl_get_le64(p) |
					 ((st->value[f] & stat_mask(l->bits)) << l->shift));
	}
	return (int)total;
}

static const char *const stat_names[OCXL_STAT_NR] = {
	[OCXL_STAT_RESET_COUNT] = "reset_count",
	[OCXL_STAT_RESET_UPTIME] = "reset_uptime",
	[OCXL_STAT_POWER_ON_UPTIME] = "power_on_uptime",
	[OCXL_STAT_LIFE_REMAINING] = "life_remaining",
	[OCXL_STAT_CRIT_RESOURCE_UTIL] = "critical_resource_utilization",
	[OCXL_STAT_HOST_LOAD_COUNT] = "host_load_count",
	[OCXL_STAT_HOST_STORE_COUNT] = "host_store_count",
	[OCXL_STAT_HOST_LOAD_DURATION] = "host_load_duration",
	[OCXL_STAT_HOST_STORE_DURATION] = "host_store_duration",
	[OCXL_STAT_MEDIA_READ_COUNT] = "media_read_count",
	[OCXL_STAT_MEDIA_WRITE_COUNT] = "media_write_count",
	[OCXL_STAT_MEDIA_READ_DURATION] = "media_read_duration",
	[OCXL_STAT_MEDIA_WRITE_DURATION] = "media_write_duration",
	[OCXL_STAT_CACHE_READ_HIT_COUNT] = "cache_read_hit_count",
	[OCXL_STAT_CACHE_WRITE_HIT_COUNT] = "cache_write_hit_count",
	[OCXL_STAT_FAST_WRITE_COUNT] = "fast_write_count",
};

const char *ocxl_stat_name(enum ocxl_stat_field f)
{
	return (unsigned)f < OCXL_STAT_NR ? stat_names[f] : "unknown";
}

const char *ocxl_stat_unit(enum ocxl_stat_field f)
{
	switch (f) {
	case OCXL_STAT_RESET_UPTIME:
	case OCXL_STAT_POWER_ON_UPTIME:
		return "s";
	case OCXL_STAT_LIFE_REMAINING:
	case OCXL_STAT_CRIT_RESOURCE_UTIL:
		return "%";
	case OCXL_STAT_HOST_LOAD_DURATION:
	case OCXL_STAT_HOST_STORE_DURATION:
	case OCXL_STAT_MEDIA_READ_DURATION:
	case OCXL_STAT_MEDIA_WRITE_DURATION:
		return "ns";
	default:
		return "";
	}
}

/* ---- controller dump chunk ('CD') ---- */

int ocxl_dump_chunk_decode(const uint8_t *buf, size_t len, const uint8_t **data,
			   size_t *data_len)
{
	uint32_t dlen;
	int rc;

	*data = NULL;
	*data_len = 0;
	rc = ocxl_hdr_parse(buf, len, OCXL_ID_DUMP, 16, &dlen);
	if (rc)
		return rc;
	*data = dlen ? buf + HDR_SIZE : NULL;
	*data_len = dlen;
	return 0;
}

int ocxl_dump_chunk_encode(const uint8_t *data, size_t data_len, uint8_t *buf, size_t cap)
{
	/* 16-bit length field. */
	if (data_len > 0xFFFF || (data_len && !data))
		return -EINVAL;
	if (cap < HDR_SIZE + data_len)
		return -ENOSPC;
	ocxl_put_le64(buf, ocxl_hdr_make(OCXL_ID_DUMP, (uint32_t)data_len));
	if (data_len)
		memcpy(buf + HDR_SIZE, data, data_len);
	return (int)(HDR_SIZE + data_len);
}

/* ---- secure erase status ('SE') ---- */

int ocxl_erase_status_decode(const uint8_t *buf, size_t len, struct ocxl_erase_status *es)
{
	uint32_t dlen;
	int rc;

	memset(es, 0, sizeof(*es));
	/* No presence bits in the struct: all seven words are the fixed part. */
	if (len < HDR_SIZE + OCXL_SE_LEN_V1)
		return -EBADMSG;
	rc = ocxl_hdr_parse(buf, len, OCXL_ID_ERASE, 32, &dlen);
	if (rc)
		return rc;
	if (dlen < OCXL_SE_LEN_V1)
		return -EBADMSG;
	es->state = ocxl_get_le64(buf + 0x08);
	es->progress_permille = ocxl_get_le64(buf + 0x10);
	es->ns_status = ocxl_get_le64(buf + 0x18);
	es->acc_ok = ocxl_get_le64(buf + 0x20);
	es->acc_tried = ocxl_get_le64(buf + 0x28);
	es->def_ok = ocxl_get_le64(buf + 0x30);
	es->def_tried = ocxl_get_le64(buf + 0x38);
	return 0;
}

int ocxl_erase_status_encode(const struct ocxl_erase_status *es, uint8_t *buf, size_t cap)
{
	const size_t total = HDR_SIZE + OCXL_SE_LEN_V1;

	if (cap < total)
		return -ENOSPC;
	ocxl_put_le64(buf, ocxl_hdr_make(OCXL_ID_ERASE, OCXL_SE_LEN_V1));
	ocxl_put_le64(buf + 0x08, es->state);
	ocxl_put_le64(buf + 0x10, es->progress_permille);
	ocxl_put_le64(buf + 0x18, es->ns_status);
	ocxl_put_le64(buf + 0x20, es->acc_ok);
	ocxl_put_le64(buf + 0x28, es->acc_tried);
	ocxl_put_le64(buf + 0x30, es->def_ok);
	ocxl_put_le64(buf + 0x38, es->def_tried);
	return (int)total;
}

/* ---- card status codes ---- */

const char *ocxl_status_name(uint8_t status)
{
	switch (status) {
	case OCXL_STATUS_SUCCESS:
		return "success";
	case OCXL_STATUS_MEM_UNAVAILABLE:
		return "memory-unavailable";
	case OCXL_STATUS_BLOCKED_BG:
		return "blocked-background-task";
	case OCXL_STATUS_BAD_OPCODE:
		return "bad-opcode";
	case OCXL_STATUS_BAD_REQUEST:
		return "bad-request-parameter";
	case OCXL_STATUS_BAD_DATA:
		return "bad-data-parameter";
	case OCXL_STATUS_DEBUG_BLOCKED:
		return "debug-blocked";
	case OCXL_STATUS_FAILED:
		return "failed";
	default:
		return "unknown";
	}
}

int ocxl_status_errno(uint8_t status)
{
	switch (status) {
	case OCXL_STATUS_SUCCESS:
		return 0;
	case OCXL_STATUS_MEM_UNAVAILABLE:
		return ENODEV;
	case OCXL_STATUS_BLOCKED_BG:
		return EBUSY;
	case OCXL_STATUS_BAD_OPCODE:
		return EOPNOTSUPP;
	case OCXL_STATUS_BAD_REQUEST:
	case OCXL_STATUS_BAD_DATA:
		return EINVAL;
	case OCXL_STATUS_DEBUG_BLOCKED:
		return EPERM;
	default: /* OCXL_STATUS_FAILED and anything undocumented */
		return EIO;
	}
}
