/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The journal's file format (see journal.c for the layout) and the reader
 * that checks a file with pread, as if it were zero-filled to a multiple
 * of the growth step.  Internal to src/store.
 */
#ifndef OCXLFS_STORE_JOURNAL_FORMAT_H
#define OCXLFS_STORE_JOURNAL_FORMAT_H

#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "store/journal_record.h"

#define JRN_MAGIC     "OCXLJRN1"
#define JRN_VERSION   1u
#define JRN_HDR_SIZE  32u
#define JRN_REC_MAGIC 0x31524c45u /* "ELR1" in file byte order */
#define JRN_REC_HDR   16u
#define JRN_REC_MAX   (JRN_REC_HDR + ((JOURNAL_MAX_ENTRY + 7u) & ~7u))
#define JRN_GROW_MIN  (64u * 1024u) /* also covers 64 KiB pages (ppc64) */
#define JRN_SCAN_BUF  (256u * 1024u)

static inline size_t jrn_pad8(size_t n)
{
	return (n + 7u) & ~(size_t)7u;
}

static inline size_t jrn_grow_round(size_t n)
{
	return (n + JRN_GROW_MIN - 1) & ~(size_t)(JRN_GROW_MIN - 1);
}

static inline uint32_t jrn_get_le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static inline void jrn_put_le32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}

uint32_t jrn_rec_crc(uint32_t log_id, uint32_t len, const void *payload);
void jrn_hdr_build(uint8_t *h);
/* NULL if the header is good, else why not. */
const char *jrn_hdr_check(const uint8_t *h);
bool jrn_all_zero(const uint8_t *p, size_t n);
/*
 * Reads the header of an open file.  1 = usable, 0 = empty (needs a
 * header), -EUCLEAN = damaged (reason in *why), other -errno = I/O error.
 */
int jrn_hdr_read(int fd, size_t fsize, const char **why);

/* A file read with pread, as if zero-filled to vsize; buf is JRN_SCAN_BUF bytes. */
struct jrn_scan {
	int fd;
	size_t fsize, vsize;
	uint8_t *buf; /* JRN_SCAN_BUF bytes */
	size_t boff, blen;
};

/* N (<= JRN_SCAN_BUF) bytes at off, off + n <= vsize; NULL with *err on a read error. */
const uint8_t *jrn_scan_at(struct jrn_scan *sb, size_t off, size_t n, int *err);
/* The record at off (its size in r) or why not; *err set on a read error. */
const char *jrn_scan_record(struct jrn_scan *sb, size_t off, struct journal_record *r, int *err);
/* One past the last non-zero byte in [from, vsize), or from if none; holes are skipped. */
int jrn_scan_last_nonzero(struct jrn_scan *sb, size_t from, size_t *out);
/* End of the last intact record that starts in (from, to), or 0 if none. */
int jrn_scan_intact_end(struct jrn_scan *sb, size_t from, size_t to, size_t *out);

#endif /* OCXLFS_STORE_JOURNAL_FORMAT_H */
