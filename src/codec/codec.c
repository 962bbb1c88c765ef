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

#include "codec/codec.h"

#define HDR_SIZE 8u

uint64_t ocxlfs_get_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

void ocxlfs_put_le64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

uint64_t ocxlfs_hdr_make(uint16_t id, uint32_t len)
{
	return ((uint64_t)id << 48) | len;
}

int ocxlfs_hdr_parse(const uint8_t *buf, size_t len, uint16_t want_id, unsigned len_bits,
		   uint32_t *data_len)
{
	uint64_t w, dlen;

	if (len_bits == 0 || len_bits > 32)
		return -EINVAL;
	if (!buf || len < HDR_SIZE)
		return -EBADMSG;
	w = ocxlfs_get_le64(buf);
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

int ocxlfs_identity_decode(const uint8_t *buf, size_t len, struct ocxlfs_identity *id)
{
	uint32_t dlen;
	int rc;

	memset(id, 0, sizeof(*id));
	if (len < HDR_SIZE + ID_FIXED_DATA)
		return -EBADMSG;
	rc = ocxlfs_hdr_parse(buf, len, OCXLFS_ID_IDENTITY, 32, &dlen);
	if (rc)
		return rc;
	if (dlen < ID_FIXED_DATA)
		return -EBADMSG;
	id->serial = ocxlfs_get_le64(buf + 0x08);
	fw_string(id->fw_version, buf + 0x10);
	id->ccap0 = ocxlfs_get_le64(buf + 0x18);
	id->ccap1 = ocxlfs_get_le64(buf + 0x20);
	/* Older blocks end before the admin buffer size. */
	if (dlen >= 0x28) {
		id->admin_buffer_size = (uint32_t)ocxlfs_get_le64(buf + 0x28);
		id->has_admin_buffer_size = true;
	}
	return 0;
}

/* Always the full v1 layout; admin_buffer_size is written even if not "has". */
int ocxlfs_identity_encode(const struct ocxlfs_identity *id, uint8_t *buf, size_t cap)
{
	const size_t total = HDR_SIZE + OCXLFS_ID_LEN_V1;

	if (cap < total)
		return -ENOSPC;
	memset(buf, 0, total);
	ocxlfs_put_le64(buf, ocxlfs_hdr_make(OCXLFS_ID_IDENTITY, OCXLFS_ID_LEN_V1));
	ocxlfs_put_le64(buf + 0x08, id->serial);
	fw_bytes(buf + 0x10, id->fw_version);
	ocxlfs_put_le64(buf + 0x18, id->ccap0);
	ocxlfs_put_le64(buf + 0x20, id->ccap1);
	ocxlfs_put_le64(buf + 0x28, id->admin_buffer_size);
	return (int)total;
}

/* ---- error log ('EL') ---- */

int ocxlfs_errlog_decode(const uint8_t *buf, size_t len, struct ocxlfs_errlog *el)
{
	uint32_t addl;
	uint64_t w;
	int rc;

	memset(el, 0, sizeof(*el));
	if (len < OCXLFS_EL_FIXED)
		return -EBADMSG;
	/* The length counts only the additional data, which follows the fixed part. */
	rc = ocxlfs_hdr_parse(buf, len, OCXLFS_ID_ERRLOG, 16, &addl);
	if (rc)
		return rc;
	if (addl > len - OCXLFS_EL_FIXED)
		return -EMSGSIZE;

	w = ocxlfs_get_le64(buf + OCXLFS_EL_OFF_ID_PRC);
	el->log_id = (uint32_t)(w >> 32);
	el->program_ref_code = (uint32_t)w;
	w = ocxlfs_get_le64(buf + OCXLFS_EL_OFF_TYPE_ACT_POS);
	el->type = (uint8_t)(w >> 56);
	el->action_flags = (uint32_t)(w >> 32) & 0xFFFFFF;
	el->power_on_seconds = (uint32_t)w;
	el->timestamp = ocxlfs_get_le64(buf + OCXLFS_EL_OFF_TIMESTAMP);
	el->wwid[0] = ocxlfs_get_le64(buf + OCXLFS_EL_OFF_WWID);
	el->wwid[1] = ocxlfs_get_le64(buf + OCXLFS_EL_OFF_WWID + 8);
	fw_string(el->fw_revision, buf + OCXLFS_EL_OFF_FWREV);
	el->addl_len = (uint16_t)addl;
	el->addl = addl ? buf + OCXLFS_EL_FIXED : NULL;
	return 0;
}

int ocxlfs_errlog_encode(const struct ocxlfs_errlog *el, uint8_t *buf, size_t cap)
{
	const size_t total = OCXLFS_EL_FIXED + (size_t)el->addl_len;

	if (cap < total)
		return -ENOSPC;
	if (el->addl_len && !el->addl)
		return -EINVAL;
	memset(buf, 0, OCXLFS_EL_FIXED);
	ocxlfs_put_le64(buf, ocxlfs_hdr_make(OCXLFS_ID_ERRLOG, el->addl_len));
	ocxlfs_put_le64(buf + OCXLFS_EL_OFF_ID_PRC,
		      ((uint64_t)el->log_id << 32) | el->program_ref_code);
	ocxlfs_put_le64(buf + OCXLFS_EL_OFF_TYPE_ACT_POS,
		      ((uint64_t)el->type << 56) |
			      ((uint64_t)(el->action_flags & 0xFFFFFF) << 32) |
			      el->power_on_seconds);
	ocxlfs_put_le64(buf + OCXLFS_EL_OFF_TIMESTAMP, el->timestamp);
	ocxlfs_put_le64(buf + OCXLFS_EL_OFF_WWID, el->wwid[0]);
	ocxlfs_put_le64(buf + OCXLFS_EL_OFF_WWID + 8, el->wwid[1]);
	fw_bytes(buf + OCXLFS_EL_OFF_FWREV, el->fw_revision);
	if (el->addl_len)
		memcpy(buf + OCXLFS_EL_FIXED, el->addl, el->addl_len);
	return (int)total;
}

const char *ocxlfs_errlog_type_name(uint8_t type)
{
	switch (type) {
	case OCXLFS_EL_GENERAL:
		return "general";
	case OCXLFS_EL_PREDICTIVE:
		return "predictive-failure";
	case OCXLFS_EL_THERMAL:
		return "thermal-warning";
	case OCXLFS_EL_DATA_LOSS:
		return "data-loss";
	case OCXLFS_EL_HEALTH_PERF:
		return "health-performance";
	default:
		return "unknown";
	}
}

/* ---- SMART ('SM') ---- */

int ocxlfs_smart_decode(const uint8_t *buf, size_t len, struct ocxlfs_smart *sm)
{
	uint32_t dlen, n, i;
	int rc;

	memset(sm, 0, sizeof(*sm));
	rc = ocxlfs_hdr_parse(buf, len, OCXLFS_ID_SMART, 32, &dlen);
	if (rc)
		return rc;
	/* A trailing partial record is ignored; records past the array are dropped. */
	n = dlen / OCXLFS_SMART_RECORD;
	if (n > OCXLFS_SMART_MAX_ATTRS)
		n = OCXLFS_SMART_MAX_ATTRS;
	for (i = 0; i < n; i++) {
		const uint8_t *r = buf + HDR_SIZE + (size_t)i * OCXLFS_SMART_RECORD;
		struct ocxlfs_smart_attr *a = &sm->attr[i];
		uint64_t w = ocxlfs_get_le64(r);

		a->id = (uint8_t)(w >> 56);
		a->flags = (uint16_t)(w >> 40);
		a->current = (uint8_t)(w >> 32);
		a->threshold = (uint8_t)(w >> 24);
		a->worst = (uint8_t)(w >> 16);
		a->raw = ocxlfs_get_le64(r + 8);
	}
	sm->count = n;
	return 0;
}

int ocxlfs_smart_encode(const struct ocxlfs_smart *sm, uint8_t *buf, size_t cap)
{
	size_t total;
	unsigned i;

	if (sm->count > OCXLFS_SMART_MAX_ATTRS)
		return -EINVAL;
	total = HDR_SIZE + (size_t)sm->count * OCXLFS_SMART_RECORD;
	if (cap < total)
		return -ENOSPC;
	ocxlfs_put_le64(buf, ocxlfs_hdr_make(OCXLFS_ID_SMART, (uint32_t)(total - HDR_SIZE)));
	for (i = 0; i < sm->count; i++) {
		const struct ocxlfs_smart_attr *a = &sm->attr[i];
		uint8_t *r = buf + HDR_SIZE + (size_t)i * OCXLFS_SMART_RECORD;

		ocxlfs_put_le64(r, ((uint64_t)a->id << 56) | ((uint64_t)a->flags << 40) |
					 ((uint64_t)a->current << 32) |
					 ((uint64_t)a->threshold << 24) | ((uint64_t)a->worst << 16));
		ocxlfs_put_le64(r + 8, a->raw);
	}
	return (int)total;
}

const char *ocxlfs_smart_attr_name(uint8_t id)
{
	switch (id) {
	case OCXLFS_SMART_POWER_ON_HOURS:
		return "power_on_hours";
	case OCXLFS_SMART_TEMPERATURE:
		return "temperature";
	case OCXLFS_SMART_LIFE_REMAINING:
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

static const struct stat_loc stat_locs[OCXLFS_STAT_NR] = {
	[OCXLFS_STAT_RESET_COUNT] = { OCXLFS_CS_BLOCK_RESET, 0x08, 32, 32 },
	[OCXLFS_STAT_RESET_UPTIME] = { OCXLFS_CS_BLOCK_RESET, 0x08, 0, 32 },
	[OCXLFS_STAT_POWER_ON_UPTIME] = { OCXLFS_CS_BLOCK_RESET, 0x10, 32, 32 },
	[OCXLFS_STAT_LIFE_REMAINING] = { OCXLFS_CS_BLOCK_RESET, 0x10, 0, 8 },
	[OCXLFS_STAT_CRIT_RESOURCE_UTIL] = { OCXLFS_CS_BLOCK_PERF, 0x08, 0, 8 },
	[OCXLFS_STAT_HOST_LOAD_COUNT] = { OCXLFS_CS_BLOCK_PERF, 0x10, 0, 64 },
	[OCXLFS_STAT_HOST_STORE_COUNT] = { OCXLFS_CS_BLOCK_PERF, 0x18, 0, 64 },
	[OCXLFS_STAT_HOST_LOAD_DURATION] = { OCXLFS_CS_BLOCK_PERF, 0x20, 0, 64 },
	[OCXLFS_STAT_HOST_STORE_DURATION] = { OCXLFS_CS_BLOCK_PERF, 0x28, 0, 64 },
	[OCXLFS_STAT_MEDIA_READ_COUNT] = { OCXLFS_CS_BLOCK_PERF, 0x50, 0, 64 },
	[OCXLFS_STAT_MEDIA_WRITE_COUNT] = { OCXLFS_CS_BLOCK_PERF, 0x58, 0, 64 },
	[OCXLFS_STAT_MEDIA_READ_DURATION] = { OCXLFS_CS_BLOCK_PERF, 0x60, 0, 64 },
	[OCXLFS_STAT_MEDIA_WRITE_DURATION] = { OCXLFS_CS_BLOCK_PERF, 0x68, 0, 64 },
	[OCXLFS_STAT_CACHE_READ_HIT_COUNT] = { OCXLFS_CS_BLOCK_PERF, 0x90, 0, 64 },
	[OCXLFS_STAT_CACHE_WRITE_HIT_COUNT] = { OCXLFS_CS_BLOCK_PERF, 0x98, 0, 64 },
	[OCXLFS_STAT_FAST_WRITE_COUNT] = { OCXLFS_CS_BLOCK_PERF, 0xA0, 0, 64 },
};

static uint64_t stat_mask(unsigned bits)
{
	return bits >= 64 ? ~0ULL : (1ULL << bits) - 1;
}

/* Fields of one known block; a field is present only if its word is inside the block. */
static void stats_block(struct ocxlfs_stats *st, uint8_t bid, const uint8_t *blk, uint64_t blen)
{
	unsigned f;

	for (f = 0; f < OCXLFS_STAT_NR; f++) {
		const struct stat_loc *l = &stat_locs[f];

		if (l->block != bid || (uint64_t)l->off + 8 > HDR_SIZE + blen)
			continue;
		st->value[f] = (ocxlfs_get_le64(blk + l->off) >> l->shift) & stat_mask(l->bits);
		st->present |= 1u << f;
	}
}

int ocxlfs_stats_decode(const uint8_t *buf, size_t len, struct ocxlfs_stats *st)
{
	uint64_t off, end;
	uint32_t dlen;
	int rc;

	memset(st, 0, sizeof(*st));
	rc = ocxlfs_hdr_parse(buf, len, OCXLFS_ID_STATS, 32, &dlen);
	if (rc)
		return rc;
	end = HDR_SIZE + (uint64_t)dlen;
	/* Each block advances off by at least 8, so this terminates. */
	for (off = HDR_SIZE; off < end;) {
		uint64_t w, blen;
		uint8_t bid;

		if (off + HDR_SIZE > end)
			break;
		w = ocxlfs_get_le64(buf + off);
		bid = (uint8_t)(w >> 56);
		blen = (uint32_t)w;
		if (off + HDR_SIZE + blen > end)
			break;
		if (bid == OCXLFS_CS_BLOCK_RESET || bid == OCXLFS_CS_BLOCK_PERF)
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

int ocxlfs_stats_encode(const struct ocxlfs_stats *st, uint8_t *buf, size_t cap)
{
	const size_t total = HDR_SIZE + OCXLFS_CS_LEN_V4;
	const size_t b1 = HDR_SIZE, b2 = HDR_SIZE + HDR_SIZE + OCXLFS_CS_BLOCK_RESET_LEN;
	unsigned f;

	if (cap < total)
		return -ENOSPC;
	memset(buf, 0, total);
	ocxlfs_put_le64(buf, ocxlfs_hdr_make(OCXLFS_ID_STATS, OCXLFS_CS_LEN_V4));
	ocxlfs_put_le64(buf + b1, ((uint64_t)OCXLFS_CS_BLOCK_RESET << 56) | OCXLFS_CS_BLOCK_RESET_LEN);
	ocxlfs_put_le64(buf + b2, ((uint64_t)OCXLFS_CS_BLOCK_PERF << 56) | OCXLFS_CS_BLOCK_PERF_LEN);
	for (f = 0; f < OCXLFS_STAT_NR; f++) {
		const struct stat_loc *l = &stat_locs[f];
		uint8_t *p = buf + (l->block == OCXLFS_CS_BLOCK_RESET ? b1 : b2) + l->off;

		if (!(st->present & (1u << f)))
			continue;
		/* Shared words: OR each field into place. */
		ocxlfs_put_le64(p, ocxlfs_get_le64(p) |
					 ((st->value[f] & stat_mask(l->bits)) << l->shift));
	}
	return (int)total;
}

static const char *const stat_names[OCXLFS_STAT_NR] = {
	[OCXLFS_STAT_RESET_COUNT] = "reset_count",
	[OCXLFS_STAT_RESET_UPTIME] = "reset_uptime",
	[OCXLFS_STAT_POWER_ON_UPTIME] = "power_on_uptime",
	[OCXLFS_STAT_LIFE_REMAINING] = "life_remaining",
	[OCXLFS_STAT_CRIT_RESOURCE_UTIL] = "critical_resource_utilization",
	[OCXLFS_STAT_HOST_LOAD_COUNT] = "host_load_count",
	[OCXLFS_STAT_HOST_STORE_COUNT] = "host_store_count",
	[OCXLFS_STAT_HOST_LOAD_DURATION] = "host_load_duration",
	[OCXLFS_STAT_HOST_STORE_DURATION] = "host_store_duration",
	[OCXLFS_STAT_MEDIA_READ_COUNT] = "media_read_count",
	[OCXLFS_STAT_MEDIA_WRITE_COUNT] = "media_write_count",
	[OCXLFS_STAT_MEDIA_READ_DURATION] = "media_read_duration",
	[OCXLFS_STAT_MEDIA_WRITE_DURATION] = "media_write_duration",
	[OCXLFS_STAT_CACHE_READ_HIT_COUNT] = "cache_read_hit_count",
	[OCXLFS_STAT_CACHE_WRITE_HIT_COUNT] = "cache_write_hit_count",
	[OCXLFS_STAT_FAST_WRITE_COUNT] = "fast_write_count",
};

const char *ocxlfs_stat_name(enum ocxlfs_stat_field f)
{
	return (unsigned)f < OCXLFS_STAT_NR ? stat_names[f] : "unknown";
}

const char *ocxlfs_stat_unit(enum ocxlfs_stat_field f)
{
	switch (f) {
	case OCXLFS_STAT_RESET_UPTIME:
	case OCXLFS_STAT_POWER_ON_UPTIME:
		return "s";
	case OCXLFS_STAT_LIFE_REMAINING:
	case OCXLFS_STAT_CRIT_RESOURCE_UTIL:
		return "%";
	case OCXLFS_STAT_HOST_LOAD_DURATION:
	case OCXLFS_STAT_HOST_STORE_DURATION:
	case OCXLFS_STAT_MEDIA_READ_DURATION:
	case OCXLFS_STAT_MEDIA_WRITE_DURATION:
		return "ns";
	default:
		return "";
	}
}

/* ---- controller dump chunk ('CD') ---- */

int ocxlfs_dump_chunk_decode(const uint8_t *buf, size_t len, const uint8_t **data,
			   size_t *data_len)
{
	uint32_t dlen;
	int rc;

	*data = NULL;
	*data_len = 0;
	rc = ocxlfs_hdr_parse(buf, len, OCXLFS_ID_DUMP, 16, &dlen);
	if (rc)
		return rc;
	*data = dlen ? buf + HDR_SIZE : NULL;
	*data_len = dlen;
	return 0;
}

int ocxlfs_dump_chunk_encode(const uint8_t *data, size_t data_len, uint8_t *buf, size_t cap)
{
	/* 16-bit length field. */
	if (data_len > 0xFFFF || (data_len && !data))
		return -EINVAL;
	if (cap < HDR_SIZE + data_len)
		return -ENOSPC;
	ocxlfs_put_le64(buf, ocxlfs_hdr_make(OCXLFS_ID_DUMP, (uint32_t)data_len));
	if (data_len)
		memcpy(buf + HDR_SIZE, data, data_len);
	return (int)(HDR_SIZE + data_len);
}

/* ---- secure erase status ('SE') ---- */

int ocxlfs_erase_status_decode(const uint8_t *buf, size_t len, struct ocxlfs_erase_status *es)
{
	uint32_t dlen;
	int rc;

	memset(es, 0, sizeof(*es));
	/* No presence bits in the struct: all seven words are the fixed part. */
	if (len < HDR_SIZE + OCXLFS_SE_LEN_V1)
		return -EBADMSG;
	rc = ocxlfs_hdr_parse(buf, len, OCXLFS_ID_ERASE, 32, &dlen);
	if (rc)
		return rc;
	if (dlen < OCXLFS_SE_LEN_V1)
		return -EBADMSG;
	es->state = ocxlfs_get_le64(buf + 0x08);
	es->progress_permille = ocxlfs_get_le64(buf + 0x10);
	es->ns_status = ocxlfs_get_le64(buf + 0x18);
	es->acc_ok = ocxlfs_get_le64(buf + 0x20);
	es->acc_tried = ocxlfs_get_le64(buf + 0x28);
	es->def_ok = ocxlfs_get_le64(buf + 0x30);
	es->def_tried = ocxlfs_get_le64(buf + 0x38);
	return 0;
}

int ocxlfs_erase_status_encode(const struct ocxlfs_erase_status *es, uint8_t *buf, size_t cap)
{
	const size_t total = HDR_SIZE + OCXLFS_SE_LEN_V1;

	if (cap < total)
		return -ENOSPC;
	ocxlfs_put_le64(buf, ocxlfs_hdr_make(OCXLFS_ID_ERASE, OCXLFS_SE_LEN_V1));
	ocxlfs_put_le64(buf + 0x08, es->state);
	ocxlfs_put_le64(buf + 0x10, es->progress_permille);
	ocxlfs_put_le64(buf + 0x18, es->ns_status);
	ocxlfs_put_le64(buf + 0x20, es->acc_ok);
	ocxlfs_put_le64(buf + 0x28, es->acc_tried);
	ocxlfs_put_le64(buf + 0x30, es->def_ok);
	ocxlfs_put_le64(buf + 0x38, es->def_tried);
	return (int)total;
}

/* ---- card status codes ---- */

const char *ocxlfs_status_name(uint8_t status)
{
	switch (status) {
	case OCXLFS_STATUS_SUCCESS:
		return "success";
	case OCXLFS_STATUS_MEM_UNAVAILABLE:
		return "memory-unavailable";
	case OCXLFS_STATUS_BLOCKED_BG:
		return "blocked-background-task";
	case OCXLFS_STATUS_BAD_OPCODE:
		return "bad-opcode";
	case OCXLFS_STATUS_BAD_REQUEST:
		return "bad-request-parameter";
	case OCXLFS_STATUS_BAD_DATA:
		return "bad-data-parameter";
	case OCXLFS_STATUS_DEBUG_BLOCKED:
		return "debug-blocked";
	case OCXLFS_STATUS_FAILED:
		return "failed";
	default:
		return "unknown";
	}
}

int ocxlfs_status_errno(uint8_t status)
{
	switch (status) {
	case OCXLFS_STATUS_SUCCESS:
		return 0;
	case OCXLFS_STATUS_MEM_UNAVAILABLE:
		return ENODEV;
	case OCXLFS_STATUS_BLOCKED_BG:
		return EBUSY;
	case OCXLFS_STATUS_BAD_OPCODE:
		return EOPNOTSUPP;
	case OCXLFS_STATUS_BAD_REQUEST:
	case OCXLFS_STATUS_BAD_DATA:
		return EINVAL;
	case OCXLFS_STATUS_DEBUG_BLOCKED:
		return EPERM;
	default: /* OCXLFS_STATUS_FAILED and anything undocumented */
		return EIO;
	}
}
