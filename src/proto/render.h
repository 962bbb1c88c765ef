/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Pure renderers: decoded structs in, text out.  They write to a FILE*
 * (an open_memstream() in the daemon) and touch nothing else.  Every
 * renderer returns 0 or a negative errno (-EIO if the stream failed).
 * Formats are part of the tree's ABI: docs/tree.md and ocxlfs(8).
 */
#ifndef OCXLFS_PROTO_RENDER_H
#define OCXLFS_PROTO_RENDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "codec/codec.h"

/* serial: decimal serial and '\n'. */
int ocxlfs_render_serial(FILE *out, const struct ocxlfs_identity *id);
/* firmware_version: the 8-char FWVER string, trailing spaces/NULs trimmed, '\n'. */
int ocxlfs_render_fw_version(FILE *out, const struct ocxlfs_identity *id);

/* info: "key: value" lines decoded from CCAP0/CCAP1 plus the sizes given. */
struct ocxlfs_info_extra {
	uint32_t label_size;	 /* config_size of the label area */
	uint32_t label_max_xfer; /* max_xfer of the label area */
	const char *transport;	 /* "simulator", "ndctl", "ioctl-v4" */
	const char *device;	 /* "/dev/nmem0", "sim:0", ... */
};
int ocxlfs_render_info(FILE *out, const struct ocxlfs_identity *id,
		     const struct ocxlfs_info_extra *extra);

/* error_log: one block per entry, blank line between entries. */
int ocxlfs_render_errlog(FILE *out, const struct ocxlfs_errlog *el);
/* statistics: "name: value" per present field, in enum order (units: docs/tree.md). */
int ocxlfs_render_stats(FILE *out, const struct ocxlfs_stats *st);
/* health: one line per SMART attribute. */
int ocxlfs_render_smart(FILE *out, const struct ocxlfs_smart *sm);

/*
 * heartbeat: "never", or "OUTCOME LATENCY_US TIME": OUTCOME is "ok" or the
 * errno's symbolic name ("EBUSY", "ETIMEDOUT"), TIME is ISO-8601 UTC.
 */
int ocxlfs_render_heartbeat(FILE *out, bool done, int rc, uint64_t latency_us,
			  const struct timespec *when);
/*
 * overwrite: "idle", "running PERCENT%", "done accessible=OK/TRIED
 * defective=OK/TRIED", "failed status 0xNN", or "unknown STATE".
 */
int ocxlfs_render_erase_status(FILE *out, const struct ocxlfs_erase_status *es);

/* TIME as ISO-8601 UTC to the second ("2026-11-23T11:38:53Z") into buf. */
#define OCXLFS_UTC_STAMP_LEN 32
void ocxlfs_utc_stamp(const struct timespec *when, char buf[OCXLFS_UTC_STAMP_LEN]);

/* action flags by name, comma separated ("none" if 0). */
int ocxlfs_render_action_flags(FILE *out, uint32_t flags);
/*
 * The name of action flag bit BIT: its name ("reset") or, for a bit
 * without one, "bitN" written into BUF.  The text and the JSON error log
 * both name actions with it.
 */
#define OCXLFS_ACTION_NAME_LEN 16
const char *ocxlfs_action_name(unsigned bit, char buf[OCXLFS_ACTION_NAME_LEN]);

#endif /* OCXLFS_PROTO_RENDER_H */
