/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One record of the error-log journal's files (docs/tree.md, section 5.3):
 * what a tool needs to read them without the journal.
 */
#ifndef OCXLFS_STORE_JOURNAL_RECORD_H
#define OCXLFS_STORE_JOURNAL_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "codec/codec.h"

/* Largest raw entry accepted: the largest the card can send. */
#define JOURNAL_MAX_ENTRY OCXLFS_EL_MAX_SIZE

struct journal_record {
	uint32_t log_id;
	uint32_t len; /* payload bytes */
	uint32_t crc;
	size_t size; /* header, payload and padding */
};
/*
 * NULL if a valid record starts at p, room bytes of which may be read;
 * else why not.  Pure: touches only [p, p + room).
 */
const char *errlog_journal_record_check(const uint8_t *p, size_t room, struct journal_record *r);

#endif /* OCXLFS_STORE_JOURNAL_RECORD_H */
