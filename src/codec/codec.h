/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Pure codecs for the card's data-buffer formats.  Decoders take untrusted
 * bytes (firmware, a buggy driver, a fuzzer) and never read outside
 * [buf, buf + len).  Encoders are used by the simulator and the tests.
 *
 * All decoders return 0 or a negative errno:
 *   -EBADMSG  wrong identifier, or a buffer too short for the fixed part
 *   -EMSGSIZE the header's length exceeds the buffer
 * A buffer longer than the header says is accepted and the excess ignored
 * (compatibility rule, docs/protocol.md).  On failure the output is all
 * zeroes (pointers NULL, lengths 0): nothing half-decoded reaches a caller.
 */
#ifndef OCXLFS_PROTO_CODEC_H
#define OCXLFS_PROTO_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ocxlfs/passthru.h>

/* Common header: bits 63:48 identifier, low bits length. */
uint64_t ocxlfs_hdr_make(uint16_t id, uint32_t len);
int ocxlfs_hdr_parse(const uint8_t *buf, size_t len, uint16_t want_id,
		   unsigned len_bits, uint32_t *data_len);

/* Little-endian word access that never assumes alignment. */
uint64_t ocxlfs_get_le64(const uint8_t *p);
void ocxlfs_put_le64(uint8_t *p, uint64_t v);

/* ---- identity ('ID') ---- */
struct ocxlfs_identity {
	uint64_t serial;
	char fw_version[9]; /* NUL-terminated, non-printables replaced by '?' */
	uint64_t ccap0, ccap1;
	uint32_t admin_buffer_size;
	bool has_admin_buffer_size; /* absent in a shorter (older) block */
};
int ocxlfs_identity_decode(const uint8_t *buf, size_t len, struct ocxlfs_identity *id);
/* Returns bytes written (needs >= 8 + OCXLFS_ID_LEN_V1) or -ENOSPC. */
int ocxlfs_identity_encode(const struct ocxlfs_identity *id, uint8_t *buf, size_t cap);

/* ---- error log ('EL') ---- */
/* Largest entry: the fixed part and all that its 16-bit additional-data length allows. */
#define OCXLFS_EL_MAX_SIZE (OCXLFS_EL_FIXED + 0xFFFFu)
struct ocxlfs_errlog {
	uint32_t log_id;
	uint32_t program_ref_code;
	uint8_t type;	       /* enum ocxlfs_errlog_type, or anything else = unknown */
	uint32_t action_flags; /* 24 bits */
	uint32_t power_on_seconds;
	uint64_t timestamp;
	uint64_t wwid[2];
	char fw_revision[9];   /* NUL-terminated, non-printables replaced by '?' */
	uint16_t addl_len;     /* bytes in addl[] */
	const uint8_t *addl;   /* points into the decoded buffer (not copied) */
};
int ocxlfs_errlog_decode(const uint8_t *buf, size_t len, struct ocxlfs_errlog *el);
/* Encoded size is OCXLFS_EL_FIXED + addl_len.  Returns bytes or -ENOSPC. */
int ocxlfs_errlog_encode(const struct ocxlfs_errlog *el, uint8_t *buf, size_t cap);
const char *ocxlfs_errlog_type_name(uint8_t type); /* "unknown" if not known */

/* ---- SMART ('SM') ---- */
struct ocxlfs_smart_attr {
	uint8_t id;
	uint16_t flags;
	uint8_t current, threshold, worst;
	uint64_t raw;
};
#define OCXLFS_SMART_MAX_ATTRS 64
struct ocxlfs_smart {
	unsigned count; /* records decoded (at most OCXLFS_SMART_MAX_ATTRS) */
	struct ocxlfs_smart_attr attr[OCXLFS_SMART_MAX_ATTRS];
};
int ocxlfs_smart_decode(const uint8_t *buf, size_t len, struct ocxlfs_smart *sm);
int ocxlfs_smart_encode(const struct ocxlfs_smart *sm, uint8_t *buf, size_t cap);
const char *ocxlfs_smart_attr_name(uint8_t id); /* "unknown" if not known */

/* ---- controller statistics ('CS', v4 layout) ---- */
enum ocxlfs_stat_field {
	OCXLFS_STAT_RESET_COUNT,
	OCXLFS_STAT_RESET_UPTIME,		/* s */
	OCXLFS_STAT_POWER_ON_UPTIME,	/* s */
	OCXLFS_STAT_LIFE_REMAINING,	/* % */
	OCXLFS_STAT_CRIT_RESOURCE_UTIL,	/* % */
	OCXLFS_STAT_HOST_LOAD_COUNT,
	OCXLFS_STAT_HOST_STORE_COUNT,
	OCXLFS_STAT_HOST_LOAD_DURATION,	/* ns, cumulative */
	OCXLFS_STAT_HOST_STORE_DURATION,	/* ns, cumulative */
	OCXLFS_STAT_MEDIA_READ_COUNT,
	OCXLFS_STAT_MEDIA_WRITE_COUNT,
	OCXLFS_STAT_MEDIA_READ_DURATION,	/* ns, cumulative */
	OCXLFS_STAT_MEDIA_WRITE_DURATION, /* ns, cumulative */
	OCXLFS_STAT_CACHE_READ_HIT_COUNT,
	OCXLFS_STAT_CACHE_WRITE_HIT_COUNT,
	OCXLFS_STAT_FAST_WRITE_COUNT,
	OCXLFS_STAT_NR,
};
struct ocxlfs_stats {
	uint64_t value[OCXLFS_STAT_NR];
	uint32_t present; /* bit per field: absent when its block is missing or short */
	unsigned unknown_blocks; /* parameter blocks with IDs we do not know (skipped) */
};
int ocxlfs_stats_decode(const uint8_t *buf, size_t len, struct ocxlfs_stats *st);
/* Encodes the v4 layout (header + 0x140).  Fields not present encode as 0. */
int ocxlfs_stats_encode(const struct ocxlfs_stats *st, uint8_t *buf, size_t cap);
const char *ocxlfs_stat_name(enum ocxlfs_stat_field f);  /* e.g. "host_load_count" */
const char *ocxlfs_stat_unit(enum ocxlfs_stat_field f);  /* "", "s", "ns", "%" */

/* ---- controller dump chunk ('CD') ---- */
/* On success, data and data_len describe the chunk's payload inside buf. */
int ocxlfs_dump_chunk_decode(const uint8_t *buf, size_t len, const uint8_t **data,
			   size_t *data_len);
int ocxlfs_dump_chunk_encode(const uint8_t *data, size_t data_len, uint8_t *buf,
			   size_t cap);

/* ---- secure erase status ('SE') ---- */
enum ocxlfs_erase_state {
	OCXLFS_ERASE_IDLE = 0,
	OCXLFS_ERASE_RUNNING = 1,
	OCXLFS_ERASE_DONE = 2,
	OCXLFS_ERASE_FAILED = 3,
};
struct ocxlfs_erase_status {
	uint64_t state; /* enum ocxlfs_erase_state, other values = unknown */
	uint64_t progress_permille;
	uint64_t ns_status;
	uint64_t acc_ok, acc_tried, def_ok, def_tried;
};
int ocxlfs_erase_status_decode(const uint8_t *buf, size_t len, struct ocxlfs_erase_status *es);
int ocxlfs_erase_status_encode(const struct ocxlfs_erase_status *es, uint8_t *buf, size_t cap);

/* ---- card status codes ---- */
const char *ocxlfs_status_name(uint8_t status); /* "success", ..., "unknown" */
/* The errno a card status becomes at the file-system boundary (0 for success). */
int ocxlfs_status_errno(uint8_t status);

#endif /* OCXLFS_PROTO_CODEC_H */
