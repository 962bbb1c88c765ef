// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The event stream's JSON line (render_event.h).  Built with json-c, so
 * escaping is never hand-made; the details of each type come from one
 * function per type, picked from a table.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "proto/json_put.h"
#include "proto/render.h"
#include "proto/render_event.h"


/* ---- the details of each type ---- */

static int details_error_log(struct json_object *d, const struct ocxlfs_event *e)
{
	return ocxlfs_json_put_num(d, "entries", e->error_log.entries);
}

static int details_dump(struct json_object *d, const struct ocxlfs_event *e)
{
	return ocxlfs_json_put_u64(d, "bytes", e->dump.bytes);
}

static int details_state(struct json_object *d, const struct ocxlfs_event *e)
{
	int rc = ocxlfs_json_put_str(d, "from", e->state.from);

	return rc ? rc : ocxlfs_json_put_str(d, "to", e->state.to);
}

static int details_overwrite(struct json_object *d, const struct ocxlfs_event *e)
{
	unsigned p = e->overwrite.permille > 1000 ? 1000 : e->overwrite.permille;
	int rc = ocxlfs_json_put_str(d, "state", e->overwrite.state);

	if (!rc)
		rc = ocxlfs_json_put_num(d, "progress_permille", p);
	return rc;
}

static int details_overwrite_complete(struct json_object *d, const struct ocxlfs_event *e)
{
	int rc = ocxlfs_json_put_str(d, "state", e->overwrite.state);

	if (!rc)
		rc = ocxlfs_json_put_u64(d, "accessible_ok", e->overwrite.acc_ok);
	if (!rc)
		rc = ocxlfs_json_put_u64(d, "accessible_tried", e->overwrite.acc_tried);
	if (!rc)
		rc = ocxlfs_json_put_u64(d, "defective_ok", e->overwrite.def_ok);
	if (!rc)
		rc = ocxlfs_json_put_u64(d, "defective_tried", e->overwrite.def_tried);
	if (!rc)
		rc = ocxlfs_json_put_num(d, "ns_status", e->overwrite.ns_status);
	return rc;
}

static int details_heartbeat(struct json_object *d, const struct ocxlfs_event *e)
{
	const char *name = e->heartbeat.rc ? strerrorname_np(-e->heartbeat.rc) : NULL;
	int rc = ocxlfs_json_put_str(d, "error", name ? name : "unknown");

	return rc ? rc : ocxlfs_json_put_num(d, "status", e->heartbeat.status);
}

static int details_none(struct json_object *d, const struct ocxlfs_event *e)
{
	return 0;
}

static int details_verdict(struct json_object *d, const struct ocxlfs_event *e)
{
	int rc = ocxlfs_json_put_str(d, "from", e->verdict.from);

	if (!rc)
		rc = ocxlfs_json_put_str(d, "to", e->verdict.to);
	if (!rc)
		rc = ocxlfs_json_put_str(d, "reasons", e->verdict.reasons);
	return rc;
}

static const struct {
	const char *name;
	int (*details)(struct json_object *d, const struct ocxlfs_event *e);
} event_types[OCXLFS_EV_NTYPES] = {
	[OCXLFS_EV_ERROR_LOG] = { "error-log", details_error_log },
	[OCXLFS_EV_DUMP_COLLECTED] = { "dump-collected", details_dump },
	[OCXLFS_EV_STATE_CHANGE] = { "state-change", details_state },
	[OCXLFS_EV_OVERWRITE_PROGRESS] = { "overwrite-progress", details_overwrite },
	[OCXLFS_EV_OVERWRITE_COMPLETE] = { "overwrite-complete", details_overwrite_complete },
	[OCXLFS_EV_HEARTBEAT_FAILED] = { "heartbeat-failed", details_heartbeat },
	[OCXLFS_EV_CARD_ADDED] = { "card-added", details_none },
	[OCXLFS_EV_CARD_REMOVED] = { "card-removed", details_none },
	[OCXLFS_EV_VERDICT_CHANGE] = { "verdict-change", details_verdict },
};

const char *ocxlfs_event_type_name(enum ocxlfs_event_type type)
{
	return (unsigned)type < OCXLFS_EV_NTYPES ? event_types[type].name : NULL;
}

static int build(struct json_object *o, const struct ocxlfs_event *e)
{
	char stamp[OCXLFS_UTC_STAMP_LEN], ts[32];
	struct json_object *ev, *card, *details;
	int rc;

	/* ndctl monitor's timestamp: seconds.nanoseconds since the epoch. */
	snprintf(ts, sizeof(ts), "%lld.%09ld", (long long)e->when.tv_sec, e->when.tv_nsec);
	ocxlfs_utc_stamp(&e->when, stamp);
	rc = ocxlfs_json_put_str(o, "schema", OCXLFS_JSON_SCHEMA_EVENTS);
	if (!rc)
		rc = ocxlfs_json_put_u64(o, "seq", e->seq);
	if (!rc)
		rc = ocxlfs_json_put_str(o, "timestamp", ts);
	if (!rc)
		rc = ocxlfs_json_put_str(o, "time", stamp);
	if (!rc)
		rc = ocxlfs_json_put_num(o, "pid", (uint32_t)e->pid);
	if (!rc)
		rc = ocxlfs_json_put_str(o, "type", event_types[e->type].name);
	/* ndctl's "event": an object whose one member, the type, is true. */
	if (!rc && !(rc = ocxlfs_json_put(o, "event", ev = json_object_new_object())))
		rc = ocxlfs_json_put(ev, event_types[e->type].name, json_object_new_boolean(1));
	if (!rc && !(rc = ocxlfs_json_put(o, "card", card = json_object_new_object()))) {
		rc = ocxlfs_json_put_num(card, "index", e->index);
		if (!rc)
			rc = ocxlfs_json_put_str(card, "serial", e->serial);
	}
	if (!rc && !(rc = ocxlfs_json_put(o, "details", details = json_object_new_object())))
		rc = event_types[e->type].details(details, e);
	return rc;
}

int ocxlfs_render_event_json(char *buf, size_t cap, const struct ocxlfs_event *e)
{
	struct json_object *o;
	const char *s;
	size_t len;
	int rc;

	if ((unsigned)e->type >= OCXLFS_EV_NTYPES)
		return -EINVAL;
	o = json_object_new_object();
	if (!o)
		return -ENOMEM;
	rc = build(o, e);
	if (rc)
		goto out;
	s = json_object_to_json_string_ext(o, OCXLFS_JSON_FLAGS);
	if (!s) {
		rc = -ENOMEM;
		goto out;
	}
	len = strlen(s);
	if (len + 2 > cap) {
		rc = -ENOSPC;
		goto out;
	}
	memcpy(buf, s, len);
	buf[len] = '\n';
	buf[len + 1] = '\0';
	rc = (int)len + 1;
out:
	json_object_put(o);
	return rc;
}
