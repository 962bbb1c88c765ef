// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Posting to the event stream (stream.h): the card's side of each event,
 * rendered by proto/render_event.c, stored by store/event_log.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "card/card_priv.h"
#include "card/stream.h"
#include "proto/render_event.h"
#include "store/event_log.h"
#include "util/log.h"

struct card_stream {
	struct event_log *log;
};

int card_stream_open(const char *state_dir, struct card_stream **out)
{
	struct card_stream *s = calloc(1, sizeof(*s));
	char path[PATH_MAX];
	int rc;

	if (!s)
		return -ENOMEM;
	if (snprintf(path, sizeof(path), "%s/events.log", state_dir) >= (int)sizeof(path)) {
		free(s);
		return -ENAMETOOLONG;
	}
	rc = event_log_open(path, &s->log);
	if (rc) {
		free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void card_stream_close(struct card_stream *s)
{
	if (!s)
		return;
	event_log_close(s->log);
	free(s);
}

uint64_t card_stream_seq(struct card_stream *s)
{
	return s ? event_log_seq(s->log) : 0;
}

static int write_line(void *arg, uint64_t seq, const char *line, size_t len)
{
	return fwrite(line, 1, len, arg) == len ? 0 : -EIO;
}

int card_stream_render(struct card_stream *s, struct card *c, FILE *out, uint64_t *seq)
{
	*seq = c ? card_stream_card_seq(c) : card_stream_seq(s);
	if (!s)
		return 0;
	return event_log_foreach(s->log, c ? c->name : NULL, write_line, out);
}

void card_set_stream(struct card *c, struct card_stream *s)
{
	c->stream = s;
}

uint64_t card_stream_card_seq(struct card *c)
{
	return __atomic_load_n(&c->stream_posts, __ATOMIC_ACQUIRE);
}

uint64_t card_overwrite_seq(struct card *c)
{
	return __atomic_load_n(&c->overwrite_posts, __ATOMIC_ACQUIRE);
}

static int render_cb(void *arg, uint64_t seq, char *buf, size_t cap)
{
	struct ocxlfs_event *e = arg;

	e->seq = seq;
	return ocxlfs_render_event_json(buf, cap, e);
}

/* Stores E for card C, durable first, then counts it and wakes the waiters. */
static void post(struct card *c, struct ocxlfs_event *e)
{
	bool overwrite = e->type == OCXLFS_EV_OVERWRITE_PROGRESS ||
			 e->type == OCXLFS_EV_OVERWRITE_COMPLETE;
	int64_t seq;

	if (!c->stream)
		return;
	e->index = c->index;
	e->serial = c->serial;
	e->pid = getpid();
	clock_gettime(CLOCK_REALTIME, &e->when);
	seq = event_log_append(c->stream->log, c->name, render_cb, e);
	if (seq < 0) {
		log_err("card %u: stream event %s: %s", c->index,
			ocxlfs_event_type_name(e->type), strerror((int)-seq));
		return;
	}
	log_info("card %u: stream event %lld: %s", c->index, (long long)seq,
		 ocxlfs_event_type_name(e->type));
	__atomic_add_fetch(&c->stream_posts, 1, __ATOMIC_ACQ_REL);
	if (overwrite)
		__atomic_add_fetch(&c->overwrite_posts, 1, __ATOMIC_ACQ_REL);
	card_events_wake(&c->evlog, c->index);
}

void card_mark_added(struct card *c)
{
	pthread_mutex_lock(&c->data_lock);
	c->stream_added = true;
	pthread_mutex_unlock(&c->data_lock);
}

/* Reasons are cut to what a line of the stream holds with the rest. */
#define VERDICT_REASONS_MAX 200

void card_post_verdict(struct card *c, const char *from, const char *to, const char *reasons)
{
	char cut[VERDICT_REASONS_MAX + 1];
	struct ocxlfs_event e = { .type = OCXLFS_EV_VERDICT_CHANGE,
				  .verdict = { from, to, cut } };

	snprintf(cut, sizeof(cut), "%s", reasons ? reasons : "");
	post(c, &e);
}

static const char *const erase_state_names[] = {
	[OCXLFS_ERASE_IDLE] = "idle",
	[OCXLFS_ERASE_RUNNING] = "running",
	[OCXLFS_ERASE_DONE] = "done",
	[OCXLFS_ERASE_FAILED] = "failed",
};

/*
 * While an overwrite may be running (started here, or the card says it
 * is busy erasing): its state and progress, posted when they change, and
 * its end.  Sampled once per monitor pass.
 */
static void post_overwrite(struct card *c, enum card_state state)
{
	struct ocxlfs_erase_status es;
	struct ocxlfs_event e = { 0 };
	bool watch;

	pthread_mutex_lock(&c->data_lock);
	if (state == CARD_BUSY)
		c->overwrite_watch = true;
	watch = c->overwrite_watch;
	pthread_mutex_unlock(&c->data_lock);
	if (!watch || card_overwrite_status(c, &es))
		return;
	if (es.state == c->overwrite_posted.state &&
	    es.progress_permille == c->overwrite_posted.progress_permille)
		return;
	c->overwrite_posted = es;
	e.overwrite = (typeof(e.overwrite)){
		.state = es.state < sizeof(erase_state_names) / sizeof(erase_state_names[0])
				 ? erase_state_names[es.state]
				 : "unknown",
		.permille = (unsigned)es.progress_permille,
		.acc_ok = es.acc_ok,
		.acc_tried = es.acc_tried,
		.def_ok = es.def_ok,
		.def_tried = es.def_tried,
		.ns_status = (unsigned)es.ns_status,
	};
	if (es.state == OCXLFS_ERASE_DONE || es.state == OCXLFS_ERASE_FAILED) {
		e.type = OCXLFS_EV_OVERWRITE_COMPLETE;
		pthread_mutex_lock(&c->data_lock);
		c->overwrite_watch = false;
		pthread_mutex_unlock(&c->data_lock);
	} else if (es.state == OCXLFS_ERASE_RUNNING) {
		e.type = OCXLFS_EV_OVERWRITE_PROGRESS;
	} else {
		return;
	}
	post(c, &e);
}

void card_stream_post_news(struct card *c, const struct card_news *n)
{
	struct ocxlfs_event e;
	bool added, hb_failed;
	int hb_rc;
	unsigned hb_status;

	pthread_mutex_lock(&c->data_lock);
	added = c->stream_added;
	hb_failed = c->hb_failed;
	hb_rc = c->hb_failed_rc;
	hb_status = c->hb_failed_status;
	c->stream_added = false;
	c->hb_failed = false;
	pthread_mutex_unlock(&c->data_lock);

	if (n->errlogs) {
		e = (struct ocxlfs_event){ .type = OCXLFS_EV_ERROR_LOG,
					   .error_log.entries = n->errlogs };
		post(c, &e);
	}
	if (n->dump_bytes) {
		e = (struct ocxlfs_event){ .type = OCXLFS_EV_DUMP_COLLECTED,
					   .dump.bytes = n->dump_bytes };
		post(c, &e);
	}
	if (n->state_changed) {
		e = (struct ocxlfs_event){ .type = OCXLFS_EV_STATE_CHANGE,
					   .state = { card_state_name(n->from),
						      card_state_name(n->to) } };
		post(c, &e);
		if (n->to == CARD_GONE) {
			e = (struct ocxlfs_event){ .type = OCXLFS_EV_CARD_REMOVED };
			post(c, &e);
		} else if (n->from == CARD_GONE) {
			added = true;
		}
	}
	if (added) {
		e = (struct ocxlfs_event){ .type = OCXLFS_EV_CARD_ADDED };
		post(c, &e);
	}
	if (hb_failed) {
		e = (struct ocxlfs_event){ .type = OCXLFS_EV_HEARTBEAT_FAILED,
					   .heartbeat = { hb_rc, hb_status } };
		post(c, &e);
	}
	post_overwrite(c, n->to);
}
