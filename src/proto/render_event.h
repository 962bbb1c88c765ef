/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One line of the event stream (N/events.json, MOUNTPOINT/events.json):
 * a pure renderer from a decoded event to one compact JSON object and its
 * "\n".  Member names follow ndctl monitor's where it has one
 * ("timestamp", "pid", "event"); names, types and the schema string are
 * ABI: docs/json.md section 8.
 */
#ifndef OCXLFS_PROTO_RENDER_EVENT_H
#define OCXLFS_PROTO_RENDER_EVENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define OCXLFS_JSON_SCHEMA_EVENTS "ocxlfs.events/1"

/* The event types, in the order of docs/json.md section 8.1. */
enum ocxlfs_event_type {
	OCXLFS_EV_ERROR_LOG,	      /* entries moved from the card into the journal */
	OCXLFS_EV_DUMP_COLLECTED,     /* a controller dump, whole and durable */
	OCXLFS_EV_STATE_CHANGE,	      /* N/state changed */
	OCXLFS_EV_OVERWRITE_PROGRESS, /* an overwrite's state or progress changed */
	OCXLFS_EV_OVERWRITE_COMPLETE, /* an overwrite ended (done or failed) */
	OCXLFS_EV_HEARTBEAT_FAILED,   /* a heartbeat written to N/heartbeat failed */
	OCXLFS_EV_CARD_ADDED,	      /* plugged in while mounted, or back from gone */
	OCXLFS_EV_CARD_REMOVED,	      /* gone: its directory is hidden */
	OCXLFS_EV_VERDICT_CHANGE,     /* N/health's verdict changed (reserved) */
	OCXLFS_EV_NTYPES
};

struct ocxlfs_event {
	uint64_t seq;	      /* mount-wide, 1, 2, 3... across restarts */
	struct timespec when; /* CLOCK_REALTIME */
	pid_t pid;	      /* the daemon process that posted it */
	unsigned index;	      /* the card's directory number */
	const char *serial;
	enum ocxlfs_event_type type;
	union {
		struct {
			unsigned entries;
		} error_log;
		struct {
			uint64_t bytes;
		} dump;
		struct {
			const char *from, *to; /* N/state words */
		} state;
		struct {
			const char *state; /* "running", "done", "failed", "idle" */
			unsigned permille;
			uint64_t acc_ok, acc_tried, def_ok, def_tried;
			unsigned ns_status;
		} overwrite;
		struct {
			int rc;		 /* -errno */
			unsigned status; /* the card's status byte */
		} heartbeat;
		struct {
			const char *from, *to, *reasons;
		} verdict;
	};
};

/* The type's name in the stream ("state-change"); NULL if out of range. */
const char *ocxlfs_event_type_name(enum ocxlfs_event_type type);

/*
 * Renders E as one JSON object and "\n" into BUF (CAP bytes, NUL-ended).
 * Returns its length, -ENOSPC if it does not fit, -ENOMEM, or -EINVAL
 * for a type out of range.
 */
int ocxlfs_render_event_json(char *buf, size_t cap, const struct ocxlfs_event *e);

#endif /* OCXLFS_PROTO_RENDER_EVENT_H */
