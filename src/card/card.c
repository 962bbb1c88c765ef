// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "card/card_priv.h"
#include "proto/ops.h"
#include "store/dump_store.h"
#include "store/journal.h"
#include "util/log.h"
#include "util/path.h"
#include "transport/transport.h"

static const char *const state_names[] = {
	[CARD_READY] = "ready",
	[CARD_BUSY] = "busy",
	[CARD_FATAL_FW] = "fatal-firmware",
	[CARD_FATAL_HW] = "fatal-hardware",
	[CARD_UNRESPONSIVE] = "unresponsive",
	[CARD_GONE] = "gone",
};

const char *card_state_name(enum card_state s)
{
	return s < sizeof(state_names) / sizeof(state_names[0]) ? state_names[s] : "unknown";
}

/* Written under the card's lock; read without it by card_get_state(). */
static void set_state(struct card *c, enum card_state s)
{
	__atomic_store_n(&c->state, s, __ATOMIC_RELEASE);
}

static int state_errno(enum card_state st)
{
	switch (st) {
	case CARD_FATAL_FW:
	case CARD_FATAL_HW:
		return -EIO;
	case CARD_GONE:
		return -ENODEV;
	case CARD_UNRESPONSIVE:
		return -ETIMEDOUT;
	default:
		return 0;
	}
}

/*
 * A card known to be unable to answer is not sent the commands readers
 * ask for: they fail at once, and only the monitor's event check (once a
 * second) and an explicit heartbeat probe it until it recovers.
 */
static int card_unusable_locked(struct card *c)
{
	return state_errno(c->state);
}

/*
 * The lock for a reader's command.  If it is taken and the card is known
 * to be sick, fail at once: queueing behind a hung card's command would
 * park a file-system worker thread per reader, and enough of them stall
 * the whole mount.
 */
static int card_lock_reader(struct card *c)
{
	int rc;

	if (pthread_mutex_trylock(&c->lock) == 0)
		return 0;
	rc = state_errno(card_get_state(c));
	if (rc)
		return rc;
	pthread_mutex_lock(&c->lock);
	return 0;
}

/*
 * card_lock_reader(), then the card's state: 0 with the lock held, or the
 * errno of a card that cannot take commands, without the lock.
 */
static int card_lock_usable(struct card *c)
{
	int rc = card_lock_reader(c);

	if (rc)
		return rc;
	rc = card_unusable_locked(c);
	if (rc)
		pthread_mutex_unlock(&c->lock);
	return rc;
}

/*
 * The one place a command's outcome is logged and folded into the card's
 * state: WHAT names the command in the log, STATUS is the card's status
 * byte.  Called with the lock held.
 */
static int card_outcome(struct card *c, const char *what, int rc, uint8_t status)
{
	if (rc == 0) {
		if (c->state == CARD_UNRESPONSIVE || c->state == CARD_GONE)
			set_state(c, CARD_READY);
		return 0;
	}
	if (rc == -ENODEV && status == OCXLFS_STATUS_SUCCESS)
		set_state(c, CARD_GONE);
	else if (rc == -ETIMEDOUT)
		set_state(c, CARD_UNRESPONSIVE);

	if (status != OCXLFS_STATUS_SUCCESS)
		log_warn("card %u: %s: card status 0x%02x (%s)", c->index, what, status,
			 ocxlfs_status_name(status));
	else
		log_warn("card %u: %s: %s", c->index, what, strerror(-rc));
	return rc;
}

/* card_outcome() of one passthru operation. */
static int card_note(struct card *c, unsigned cmd, int rc, const struct ocxlfs_op_result *res)
{
	return card_outcome(c, ocxlfs_cmd_name(cmd), rc, res->status);
}

static int card_open_store(struct card *c, const char *state_dir)
{
	/* dir leaves room in path for the longest file name below it. */
	char dir[PATH_MAX - 32], path[PATH_MAX];
	struct journal_recovery rec = { 0 };
	int rc;

	/* Keyed by serial: card indexes can change between boots, serials do not. */
	if (snprintf(dir, sizeof(dir), "%s/%s", state_dir, c->name) >= (int)sizeof(dir)) {
		rc = -ENAMETOOLONG;
		goto fail;
	}
	rc = mkdir_p(dir, 0700);
	if (rc)
		goto fail;
	snprintf(path, sizeof(path), "%s/errlog.journal", dir);
	rc = errlog_journal_open(path, &c->journal, &rec);
	if (rc)
		goto fail;
	if (rec.damaged)
		log_warn("card %u: journal %s recovered %zu records, dropped %zu bytes", c->index,
			 path, rec.records, rec.dropped_bytes);
	snprintf(path, sizeof(path), "%s/dumps", dir);
	rc = dump_store_open(path, DUMP_STORE_DEFAULT_KEEP, &c->dumps);
	if (rc)
		goto fail;
	return 0;
fail:
	log_err("card %u: state directory %s: %s", c->index, dir, strerror(-rc));
	return rc;
}

int card_open(unsigned index, struct ocxlfs_transport *t, struct sim_card *sim,
	      const char *state_dir, struct card **out)
{
	return card_open_named(index, t, sim, state_dir, NULL, out);
}

int card_open_named(unsigned index, struct ocxlfs_transport *t, struct sim_card *sim,
		    const char *state_dir, const struct card_naming *naming, struct card **out)
{
	struct ocxlfs_op_result res = { 0 };
	struct card *c;
	int rc;

	c = calloc(1, sizeof(*c));
	if (!c) {
		ocxlfs_transport_destroy(t);
		return -ENOMEM;
	}
	c->index = index;
	c->transport = t;
	c->sim = sim;
	pthread_mutex_init(&c->lock, NULL);
	card_events_init(&c->evlog);
	c->max_dump = CARD_MAX_DUMP_BYTES;
	clock_gettime(CLOCK_REALTIME, &c->opened);

	rc = card_note(c, OCXLFS_CMD_IDENTIFY, ocxlfs_op_identify(t, &c->id, &res), &res);
	if (rc)
		goto fail;
	snprintf(c->serial, sizeof(c->serial), "%llu", (unsigned long long)c->id.serial);
	snprintf(c->name, sizeof(c->name), "%s", c->serial);
	if (naming) {
		rc = naming->name(naming->arg, c->serial, c->name, sizeof(c->name), &c->index);
		if (rc)
			goto fail;
	}
	rc = card_outcome(c, "label area size",
			  t->ops->label_size(t, &c->label_size, &c->label_max_xfer),
			  OCXLFS_STATUS_SUCCESS);
	if (rc)
		goto fail;
	rc = card_open_store(c, state_dir);
	if (rc)
		goto fail;
	log_info("card %u: serial %s, firmware %s, label area %u bytes, via %s %s", c->index,
		 c->serial, c->id.fw_version, c->label_size, t->kind, t->device);
	*out = c;
	return 0;
fail:
	card_close(c);
	return rc;
}

void card_close(struct card *c)
{
	if (!c)
		return;
	if (c->journal)
		errlog_journal_close(c->journal);
	if (c->dumps)
		dump_store_close(c->dumps);
	ocxlfs_transport_destroy(c->transport);
	card_events_destroy(&c->evlog);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

void card_reattach(struct card *c, struct ocxlfs_transport *t)
{
	struct ocxlfs_transport *old;

	pthread_mutex_lock(&c->lock);
	old = c->transport;
	c->transport = t;
	pthread_mutex_unlock(&c->lock);
	ocxlfs_transport_destroy(old);
	log_notice("card %u (serial %s) is back, at %s", c->index, c->serial, t->device);
	/* Still gone until it answers: the monitor's check, at once. */
	card_wake_monitor(c);
}

enum card_state card_get_state(struct card *c)
{
	/* Lock-free: listing the root must not wait behind a hung card's command. */
	return __atomic_load_n(&c->state, __ATOMIC_ACQUIRE);
}

static int card_check_events_locked(struct card *c, uint64_t *events)
{
	struct ocxlfs_op_result res = { 0 };
	uint64_t mask = 0;
	int rc;

	rc = ocxlfs_op_event_check(c->transport, &mask, &res);
	if ((rc == -EOPNOTSUPP && res.status == OCXLFS_STATUS_BAD_OPCODE) || rc == -ENOTTY) {
		/*
		 * A card (0x50) or kernel (ENOTTY) without EVENT_CHECK: assume a
		 * log may be waiting; draining an empty queue costs one command.
		 */
		*events = OCXLFS_EVENT_ELA;
		return 0;
	}
	rc = card_note(c, OCXLFS_CMD_EVENT_CHECK, rc, &res);
	if (rc)
		return rc;
	c->events = mask;
	if (mask & OCXLFS_EVENT_FATAL_HW)
		set_state(c, CARD_FATAL_HW);
	else if (mask & OCXLFS_EVENT_FATAL_FW)
		set_state(c, CARD_FATAL_FW);
	else if (mask & OCXLFS_EVENT_ERASE_BUSY)
		set_state(c, CARD_BUSY);
	else
		set_state(c, CARD_READY);
	*events = mask;
	return 0;
}

int card_check_events(struct card *c, uint64_t *events)
{
	int rc = card_lock_reader(c);

	if (rc)
		return rc;
	rc = card_check_events_locked(c, events);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

static int card_drain_errlog_locked(struct card *c)
{
	uint8_t *buf, *prev;
	size_t prev_len = 0;
	bool prev_new = false;
	int moved = 0, rc = 0;

	buf = malloc(2 * (size_t)OCXLFS_EL_MAX_SIZE);
	if (!buf)
		return -ENOMEM;
	prev = buf + OCXLFS_EL_MAX_SIZE;
	for (;;) {
		struct ocxlfs_op_result res = { 0 };
		uint32_t log_id = 0;
		size_t len = 0;

		/*
		 * Only an entry that decodes comes back; one that does not is
		 * left on the card (a later read may get it whole) and logged.
		 */
		rc = card_note(c, OCXLFS_CMD_ERRLOG_NEXT,
			       ocxlfs_op_errlog_next(c->transport, buf, OCXLFS_EL_MAX_SIZE, &len,
						     &log_id, &res),
			       &res);
		if (rc || len == 0)
			break;
		/*
		 * The entry just acknowledged, the same id and bytes, again: the
		 * card kept it (or a driver did not pass the acknowledgement on).
		 * Asking again would get it again, forever, with the lock held;
		 * leave the card be until the next drain.  Warned about once:
		 * when the entry was new to the journal, i.e. the first time.
		 */
		if (len == prev_len && !memcmp(buf, prev, len)) {
			if (prev_new)
				log_warn("card %u: error-log entry %u is still queued after its "
					 "acknowledgement; the card keeps it, and the entries "
					 "behind it wait", c->index, log_id);
			break;
		}
		/* Durable first: the card forgets the entry once acknowledged. */
		rc = errlog_journal_append(c->journal, log_id, buf, len);
		if (rc < 0) {
			log_err("card %u: journal append of log %u: %s", c->index, log_id,
				strerror(-rc));
			break;
		}
		prev_new = rc == 0;
		rc = card_note(c, OCXLFS_CMD_ERRLOG_ACK,
			       ocxlfs_op_errlog_ack(c->transport, log_id, &res), &res);
		if (rc)
			break;
		memcpy(prev, buf, len);
		prev_len = len;
		moved++;
	}
	c->new_errlogs += moved;
	free(buf);
	return rc ? rc : moved;
}

int card_drain_errlog(struct card *c)
{
	int rc;

	pthread_mutex_lock(&c->lock);
	rc = card_drain_errlog_locked(c);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

static int card_collect_dump_locked(struct card *c)
{
	struct ocxlfs_op_result res = { 0 };
	struct dump_writer *w = NULL;
	uint32_t max = OCXLFS_CCAP1_MAX_DUMP_SIZE(c->id.ccap1);
	uint8_t *chunk;
	uint64_t events;
	size_t off = 0;
	int rc;

	rc = card_check_events_locked(c, &events);
	if (rc || !(events & OCXLFS_EVENT_CDA))
		return rc;
	if (max == 0) {
		/*
		 * No size bound (CCAP1 unknown): collecting would store an empty
		 * file and then free the card's copy.  Leave it on the card.
		 */
		log_warn("card %u: dump available but its maximum size is unknown; "
			 "left on the card", c->index);
		return -EOPNOTSUPP;
	}
	if (max > c->max_dump) {
		if (!c->dump_too_big_logged)
			log_err("card %u: dump of up to %u bytes available, more than the %zu "
				"ocxlfs collects; left on the card", c->index, max,
				c->max_dump);
		c->dump_too_big_logged = true;
		return -EFBIG;
	}
	chunk = malloc(OCXLFS_DUMP_CHUNK_MAX);
	if (!chunk)
		return -ENOMEM;
	rc = dump_store_begin(c->dumps, max, &w);
	if (rc) {
		log_err("card %u: dump store: %s", c->index, strerror(-rc));
		goto out;
	}
	while (off < max) {
		size_t got = 0;
		uint32_t want = max - off < OCXLFS_DUMP_CHUNK_MAX ? (uint32_t)(max - off)
								: OCXLFS_DUMP_CHUNK_MAX;

		want = (want + 7) & ~7u;
		rc = card_note(c, OCXLFS_CMD_DUMP_READ,
			       ocxlfs_op_dump_read(c->transport, off, want, chunk, &got, &res), &res);
		if (rc)
			goto out;
		if (got == 0)
			break;
		if (got > max - off)
			got = max - off;
		rc = dump_writer_write(w, off, chunk, got);
		if (rc)
			goto out;
		off += got;
		/*
		 * Let readers' commands in between chunks: a large dump must not
		 * stall the card's other files for the whole collection.  Only
		 * this monitor collects, and DUMP_READ offsets are explicit.
		 */
		pthread_mutex_unlock(&c->lock);
		pthread_mutex_lock(&c->lock);
		rc = card_unusable_locked(c);
		if (rc)
			goto out;
	}
	/* Whole and durable before the card may free its copy. */
	rc = dump_writer_commit(w, off);
	w = NULL;
	if (rc) {
		log_err("card %u: dump commit: %s", c->index, strerror(-rc));
		goto out;
	}
	rc = card_note(c, OCXLFS_CMD_DUMP_COMPLETE, ocxlfs_op_dump_complete(c->transport, &res),
		       &res);
	if (!rc) {
		log_notice("card %u: collected a controller dump of %zu bytes", c->index, off);
		c->new_dump_bytes = off;
	}
out:
	if (w)
		dump_writer_abort(w);
	free(chunk);
	return rc;
}

int card_collect_dump(struct card *c)
{
	int rc;

	pthread_mutex_lock(&c->lock);
	rc = card_collect_dump_locked(c);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

int card_stats(struct card *c, struct ocxlfs_stats *st)
{
	struct ocxlfs_op_result res = { 0 };
	int rc;

	rc = card_lock_usable(c);
	if (rc)
		return rc;
	rc = card_note(c, OCXLFS_CMD_STATS, ocxlfs_op_stats(c->transport, st, &res), &res);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

int card_smart(struct card *c, struct ocxlfs_smart *sm)
{
	struct ocxlfs_op_result res = { 0 };
	int rc;

	rc = card_lock_usable(c);
	if (rc)
		return rc;
	rc = card_note(c, OCXLFS_CMD_SMART, ocxlfs_op_smart(c->transport, sm, &res), &res);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

static uint64_t elapsed_us(const struct timespec *from)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - from->tv_sec) * 1000000u +
	       (uint64_t)((now.tv_nsec - from->tv_nsec) / 1000);
}

int card_heartbeat(struct card *c)
{
	struct ocxlfs_op_result res = { 0 };
	struct card_heartbeat hb = { .done = true };
	struct timespec start;

	pthread_mutex_lock(&c->lock);
	clock_gettime(CLOCK_REALTIME, &hb.when);
	clock_gettime(CLOCK_MONOTONIC, &start);
	hb.rc = card_note(c, OCXLFS_CMD_HEARTBEAT, ocxlfs_op_heartbeat(c->transport, &res), &res);
	hb.latency_us = elapsed_us(&start);
	hb.status = res.status;
	c->heartbeat = hb;
	if (hb.rc) {
		/* For the event stream: the monitor posts it. */
		c->hb_failed = true;
		c->hb_failed_rc = hb.rc;
		c->hb_failed_status = hb.status;
	}
	pthread_mutex_unlock(&c->lock);
	if (hb.rc)
		card_wake_monitor(c);
	return hb.rc;
}

void card_last_heartbeat(struct card *c, struct card_heartbeat *hb)
{
	pthread_mutex_lock(&c->lock);
	*hb = c->heartbeat;
	pthread_mutex_unlock(&c->lock);
}

static int card_erase_status_locked(struct card *c, struct ocxlfs_erase_status *es)
{
	struct ocxlfs_op_result res = { 0 };

	return card_note(c, OCXLFS_CMD_ERASE_STATUS, ocxlfs_op_erase_status(c->transport, es, &res),
			 &res);
}

int card_overwrite_start(struct card *c, const struct card_caller *who)
{
	struct ocxlfs_op_result res = { 0 };
	struct ocxlfs_erase_status es;
	const char *why = NULL;
	int rc;

	pthread_mutex_lock(&c->lock);
	rc = card_unusable_locked(c);
	if (rc) {
		why = "the card cannot take commands";
		goto out;
	}
	rc = c->transport->ops->namespaces_enabled
		     ? c->transport->ops->namespaces_enabled(c->transport)
		     : -EOPNOTSUPP;
	if (rc == 1) {
		why = "a namespace on the card is enabled";
		rc = -EBUSY;
		goto out;
	}
	/* The host cannot tell (v4 without nvdimm): the card still refuses (0x21). */
	if (rc < 0 && rc != -EOPNOTSUPP) {
		why = "cannot list the card's namespaces";
		goto out;
	}
	rc = card_erase_status_locked(c, &es);
	if (rc == 0 && es.state == OCXLFS_ERASE_RUNNING) {
		why = "an overwrite is already running";
		rc = -EBUSY;
		goto out;
	}
	rc = card_note(c, OCXLFS_CMD_ERASE_START, ocxlfs_op_erase_start(c->transport, &res), &res);
	if (rc) {
		why = "the card refused it";
		goto out;
	}
	set_state(c, CARD_BUSY);
	c->overwrite_watch = true; /* the stream follows its progress */
out:
	pthread_mutex_unlock(&c->lock);
	if (!rc)
		card_wake_monitor(c);
	if (rc)
		log_warn("card %u (serial %s): overwrite requested by uid %u pid %d refused: %s "
			 "(%s)", c->index, c->serial, (unsigned)who->uid, (int)who->pid, why,
			 strerror(-rc));
	else
		log_notice("card %u (serial %s): overwrite (secure erase of the whole card) "
			   "started by uid %u pid %d", c->index, c->serial, (unsigned)who->uid,
			   (int)who->pid);
	return rc;
}

int card_overwrite_status(struct card *c, struct ocxlfs_erase_status *es)
{
	int rc;

	rc = card_lock_usable(c);
	if (rc)
		return rc;
	rc = card_erase_status_locked(c, es);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/*
 * A request the card answers later by posting something (a dump, an
 * error-log entry): the monitor looks at once.  Logged with the caller.
 */
static int card_request(struct card *c, unsigned cmd,
			int (*op)(struct ocxlfs_transport *t, struct ocxlfs_op_result *res),
			int prio, const char *what, const struct card_caller *who)
{
	struct ocxlfs_op_result res = { 0 };
	int rc = card_lock_usable(c);

	if (rc)
		return rc;
	rc = card_note(c, cmd, op(c->transport, &res), &res);
	pthread_mutex_unlock(&c->lock);
	if (rc)
		return rc;
	log_msg(prio, "card %u: %s requested by uid %u pid %d", c->index, what,
		(unsigned)who->uid, (int)who->pid);
	card_wake_monitor(c);
	return 0;
}

int card_request_dump(struct card *c, const struct card_caller *who)
{
	if (OCXLFS_CCAP1_MAX_DUMP_SIZE(c->id.ccap1) > c->max_dump)
		return -EFBIG; /* it could not be collected */
	return card_request(c, OCXLFS_CMD_DUMP_REQUEST, ocxlfs_op_dump_request, LOG_NOTICE,
			    "controller dump", who);
}

int card_request_health(struct card *c, const struct card_caller *who)
{
	return card_request(c, OCXLFS_CMD_HEALTH_REQUEST, ocxlfs_op_health_request, LOG_INFO,
			    "health report", who);
}

void card_post_events(struct card *c)
{
	struct card_news news;
	enum card_state state;
	unsigned errlogs;
	size_t dump;
	bool state_changed;

	pthread_mutex_lock(&c->lock);
	errlogs = c->new_errlogs;
	dump = c->new_dump_bytes;
	state = c->state;
	state_changed = state != c->state_posted;
	news = (struct card_news){ errlogs, dump, state_changed, c->state_posted, state };
	c->new_errlogs = 0;
	c->new_dump_bytes = 0;
	c->state_posted = state;
	pthread_mutex_unlock(&c->lock);

	if (errlogs)
		card_events_post(&c->evlog, c->index, "error-log %u new entr%s", errlogs,
				 errlogs == 1 ? "y" : "ies");
	if (dump)
		card_events_post(&c->evlog, c->index, "dump collected %zu bytes", dump);
	if (state_changed)
		card_events_post(&c->evlog, c->index, "state %s", card_state_name(state));
	card_stream_post_news(c, &news);
}

int card_label_read(struct card *c, void *buf, uint32_t off, uint32_t len)
{
	char what[48];
	int rc;

	if (off > c->label_size || len > c->label_size - off)
		return -EINVAL;
	rc = card_lock_usable(c);
	if (rc)
		return rc;
	rc = c->transport->ops->label_read(c->transport, buf, off, len);
	snprintf(what, sizeof(what), "label read %u+%u", off, len);
	rc = card_outcome(c, what, rc, OCXLFS_STATUS_SUCCESS);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

int card_walk_errlog(struct card *c,
		     int (*fn)(void *arg, uint32_t log_id, const uint8_t *raw, size_t len),
		     void *arg)
{
	int rc;

	pthread_mutex_lock(&c->lock);
	/* A sick card still shows what was drained before. */
	if (!card_unusable_locked(c))
		card_drain_errlog_locked(c);
	rc = errlog_journal_foreach(c->journal, fn, arg);
	pthread_mutex_unlock(&c->lock);
	/* Entries it drained are news for N/events: the monitor posts them. */
	card_wake_monitor(c);
	return rc;
}

int card_open_dump(struct card *c, int *fd, size_t *size, struct timespec *when)
{
	int rc;

	pthread_mutex_lock(&c->lock);
	rc = dump_store_open_newest(c->dumps, fd, size, when);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

int card_open_dump_seq(struct card *c, uint64_t *seq, int *fd, size_t *size,
		       struct timespec *when)
{
	return dump_store_open_seq(c->dumps, seq, fd, size, when);
}

int card_dump_hold(struct card *c, uint64_t seq)
{
	return dump_store_hold(c->dumps, seq);
}

void card_dump_unhold(struct card *c, uint64_t seq)
{
	dump_store_unhold(c->dumps, seq);
}

unsigned card_index(const struct card *c)
{
	return c->index;
}

const char *card_serial(const struct card *c)
{
	return c->serial;
}

const char *card_link_name(const struct card *c)
{
	return c->name;
}

const struct ocxlfs_identity *card_identity(const struct card *c)
{
	return &c->id;
}

uint32_t card_label_size(const struct card *c)
{
	return c->label_size;
}

void card_info_extra(const struct card *c, struct ocxlfs_info_extra *extra)
{
	*extra = (struct ocxlfs_info_extra){
		.label_size = c->label_size,
		.label_max_xfer = c->label_max_xfer,
		.transport = c->transport->kind,
		.device = c->transport->device,
	};
}

const struct timespec *card_opened(const struct card *c)
{
	return &c->opened;
}

void card_set_max_dump(struct card *c, size_t bytes)
{
	c->max_dump = bytes;
}

void card_set_monitor_wake(struct card *c, void (*wake)(void *arg), void *arg)
{
	c->wake_arg = arg;
	c->wake = wake;
}

void card_wake_monitor(struct card *c)
{
	if (c->wake)
		c->wake(c->wake_arg);
}

void card_set_event_notify(struct card *c, void (*notify)(void *arg, unsigned card), void *arg)
{
	card_events_set_notify(&c->evlog, notify, arg);
}

uint64_t card_event_seq(struct card *c)
{
	return card_events_seq(&c->evlog);
}

int card_render_events(struct card *c, FILE *out, uint64_t *seq)
{
	return card_events_render(&c->evlog, out, seq);
}
