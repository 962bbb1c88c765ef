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
#include "util/trace.h"
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

/* ---- the card lock (card_priv.h) ---- */

static void card_lock_init(struct card_lock *l)
{
	pthread_mutex_init(&l->m, NULL);
	pthread_cond_init(&l->turn, NULL);
	l->next = l->serving = 0;
}

static void card_lock_destroy(struct card_lock *l)
{
	pthread_cond_destroy(&l->turn);
	pthread_mutex_destroy(&l->m);
}

void card_lock(struct card *c)
{
	struct card_lock *l = &c->lock;
	uint64_t ticket;

	pthread_mutex_lock(&l->m);
	ticket = l->next++;
	while (ticket != l->serving)
		pthread_cond_wait(&l->turn, &l->m);
	pthread_mutex_unlock(&l->m);
}

static bool card_trylock(struct card *c)
{
	struct card_lock *l = &c->lock;
	bool taken = false;

	pthread_mutex_lock(&l->m);
	if (l->next == l->serving) {
		l->next++;
		taken = true;
	}
	pthread_mutex_unlock(&l->m);
	return taken;
}

void card_unlock(struct card *c)
{
	struct card_lock *l = &c->lock;

	pthread_mutex_lock(&l->m);
	l->serving++;
	pthread_cond_broadcast(&l->turn);
	pthread_mutex_unlock(&l->m);
}

unsigned card_lock_queued(struct card *c)
{
	struct card_lock *l = &c->lock;
	uint64_t n;

	pthread_mutex_lock(&l->m);
	n = l->next - l->serving;
	pthread_mutex_unlock(&l->m);
	return n > 1 ? (unsigned)(n - 1) : 0;
}

/* ---- state ---- */

static double seconds_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* A state in which the card cannot take the commands readers ask for. */
static bool state_is_sick(enum card_state s)
{
	return s == CARD_FATAL_FW || s == CARD_FATAL_HW || s == CARD_UNRESPONSIVE ||
	       s == CARD_GONE;
}

/*
 * The one place the state changes, with the lock held; read without it by
 * card_get_state().  Logged once when a sick state starts, with WHY (the
 * failure that caused it), and once when a state other than ready ends,
 * with how long it lasted ("card 0: unresponsive for 42 s, recovered").
 */
static void set_state(struct card *c, enum card_state s, const char *why)
{
	enum card_state old = c->state;

	if (s == old)
		return;
	if (old != CARD_READY) {
		if (s == CARD_READY && state_is_sick(old))
			log_notice("card %u: %s for %.0f s, recovered", c->index,
				   card_state_name(old), seconds_since(&c->state_since));
		else
			log_notice("card %u: %s for %.0f s, now %s", c->index,
				   card_state_name(old), seconds_since(&c->state_since),
				   card_state_name(s));
	}
	if (state_is_sick(s))
		log_warn("card %u: %s%s%s", c->index, card_state_name(s), why ? ": " : "",
			 why ? why : "");
	clock_gettime(CLOCK_MONOTONIC, &c->state_since);
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

/* Set once by the front end before it serves; NULL: nobody interrupts. */
static bool (*caller_interrupted)(void);

void card_set_interrupt_check(bool (*interrupted)(void))
{
	caller_interrupted = interrupted;
}

/*
 * The lock for a reader's command.  If it is taken and the card is known
 * to be sick, fail at once: queueing behind a hung card's command would
 * park a file-system worker thread per reader, and enough of them stall
 * the whole mount.  A reader that did wait and whose caller gave up
 * meanwhile sends nothing: it ends with the command it waited for.
 */
static int card_lock_reader(struct card *c)
{
	int rc;

	if (card_trylock(c))
		return 0;
	rc = state_errno(card_get_state(c));
	if (rc)
		return rc;
	ocxlfs_trace("wait", "%s", c->transport->device);
	card_lock(c);
	if (caller_interrupted && caller_interrupted()) {
		card_unlock(c);
		return -EINTR;
	}
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
		card_unlock(c);
	return rc;
}

/*
 * The one place a command's outcome is logged and folded into the card's
 * state: WHAT names the command in the log, STATUS is the card's status
 * byte.  Called with the lock held.
 */
static int card_outcome(struct card *c, unsigned repeat, const char *what, int rc,
			uint8_t status)
{
	enum card_state next = c->state;
	char line[192];

	if (rc == 0) {
		bool recovered = c->state == CARD_UNRESPONSIVE || c->state == CARD_GONE;
		unsigned n;
		double secs;

		if (recovered)
			set_state(c, CARD_READY, NULL);
		log_repeat_end(&c->repeats[repeat], &n, &secs);
		/* One failure was its own line; a recovered state said the rest. */
		if (n > 1 && !recovered)
			log_notice("card %u: %s answers again after %u failures in %.0f s",
				   c->index, what, n, secs);
		return 0;
	}
	if (rc == -ENODEV && status == OCXLFS_STATUS_SUCCESS)
		next = CARD_GONE;
	else if (rc == -ETIMEDOUT)
		next = CARD_UNRESPONSIVE;

	if (status != OCXLFS_STATUS_SUCCESS)
		snprintf(line, sizeof(line), "%s: card status 0x%02x (%s)", what, status,
			 ocxlfs_status_name(status));
	else
		snprintf(line, sizeof(line), "%s: %s", what, strerror(-rc));
	/* The same failure again is counted, not logged again (util/log.h). */
	if (next != c->state) {
		set_state(c, next, line);
		log_repeat_note(&c->repeats[repeat], ((long)-rc << 8) | status);
	} else {
		log_repeat(&c->repeats[repeat], ((long)-rc << 8) | status, LOG_WARNING,
			   "card %u: %s", c->index, line);
	}
	return rc;
}

/* card_outcome() of one passthru operation. */
static int card_note(struct card *c, unsigned cmd, int rc, const struct ocxlfs_op_result *res)
{
	return card_outcome(c, CARD_REPEAT_CMD + (cmd <= OCXLFS_CMD_MAX ? cmd : 0),
			    ocxlfs_cmd_name(cmd), rc, res->status);
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
	card_lock_init(&c->lock);
	pthread_mutex_init(&c->data_lock, NULL);
	pthread_mutex_init(&c->drain_lock, NULL);
	for (unsigned i = 0; i < CARD_REPEAT_NR; i++)
		log_repeat_init(&c->repeats[i]);
	clock_gettime(CLOCK_MONOTONIC, &c->state_since);
	card_events_init(&c->evlog);
	c->max_dump = CARD_MAX_DUMP_BYTES;
	clock_gettime(CLOCK_REALTIME, &c->opened);
	clock_gettime(CLOCK_MONOTONIC, &c->opened_mono);

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
	rc = card_outcome(c, CARD_REPEAT_LABEL, "label area size",
			  t->ops->label_size(t, &c->label_size, &c->label_max_xfer),
			  OCXLFS_STATUS_SUCCESS);
	if (rc)
		goto fail;
	rc = card_open_store(c, state_dir);
	if (rc)
		goto fail;
	log_info("card %u: serial %s, firmware %s, label area %u bytes, via %s %s", c->index,
		 c->serial, c->id.fw_version, c->label_size, t->kind, t->device);
	/* metrics.prom has the card's values from its first scrape on. */
	card_refresh(c, true);
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
	for (unsigned i = 0; i < CARD_REPEAT_NR; i++)
		log_repeat_destroy(&c->repeats[i]);
	pthread_mutex_destroy(&c->drain_lock);
	pthread_mutex_destroy(&c->data_lock);
	card_lock_destroy(&c->lock);
	free(c);
}

void card_reattach(struct card *c, struct ocxlfs_transport *t)
{
	struct ocxlfs_transport *old;

	card_lock(c);
	old = c->transport;
	c->transport = t;
	card_unlock(c);
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
		set_state(c, CARD_FATAL_HW, "the card reports a fatal hardware state (CHI.CHFS)");
	else if (mask & OCXLFS_EVENT_FATAL_FW)
		set_state(c, CARD_FATAL_FW, "the card reports a fatal firmware state (CHI.CFFS)");
	else if (mask & OCXLFS_EVENT_ERASE_BUSY)
		set_state(c, CARD_BUSY, NULL);
	else
		set_state(c, CARD_READY, NULL);
	*events = mask;
	return 0;
}

int card_check_events(struct card *c, uint64_t *events)
{
	int rc = card_lock_reader(c);

	if (rc)
		return rc;
	rc = card_check_events_locked(c, events);
	card_unlock(c);
	return rc;
}

/* The state directory took a write again after failing: said once. */
static void store_recovered(struct card *c, unsigned repeat, const char *what)
{
	unsigned n;
	double secs;

	log_repeat_end(&c->repeats[repeat], &n, &secs);
	if (n)
		log_notice("card %u: state directory takes %s again, after %u failure%s in "
			   "%.0f s", c->index, what, n, n == 1 ? "" : "s", secs);
}

/*
 * Moves every queued entry into the journal, one card command per turn of
 * the card lock (docs/tree.md section 4.2): ERRLOG_NEXT, then, without the
 * card, the durable append, then ERRLOG_ACK.  One drain runs at a time
 * (drain_lock), so no two drainers take the same entry.
 */
static int card_drain(struct card *c)
{
	uint8_t *buf, *prev;
	size_t prev_len = 0;
	bool prev_new = false;
	int moved = 0, rc = 0;

	buf = malloc(2 * (size_t)OCXLFS_EL_MAX_SIZE);
	if (!buf)
		return -ENOMEM;
	prev = buf + OCXLFS_EL_MAX_SIZE;
	pthread_mutex_lock(&c->drain_lock);
	for (;;) {
		struct ocxlfs_op_result res = { 0 };
		uint32_t log_id = 0;
		size_t len = 0;

		card_lock(c);
		/* A card that went sick meanwhile keeps the rest for later. */
		rc = card_unusable_locked(c);
		/*
		 * Only an entry that decodes comes back; one that does not is
		 * left on the card (a later read may get it whole) and logged.
		 */
		if (!rc)
			rc = card_note(c, OCXLFS_CMD_ERRLOG_NEXT,
				       ocxlfs_op_errlog_next(c->transport, buf, OCXLFS_EL_MAX_SIZE,
							     &len, &log_id, &res),
				       &res);
		card_unlock(c);
		if (rc || len == 0)
			break;
		/*
		 * The entry just acknowledged, the same id and bytes, again: the
		 * card kept it (or a driver did not pass the acknowledgement on).
		 * Asking again would get it again, forever; leave the card be
		 * until the next drain.  Warned about once: when the entry was
		 * new to the journal, i.e. the first time.
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
			/* A full disk fails every pass: once, then counted. */
			log_repeat(&c->repeats[CARD_REPEAT_JOURNAL], -rc, LOG_ERR,
				   "card %u: journal append of log %u: %s; the entry stays on "
				   "the card", c->index, log_id, strerror(-rc));
			break;
		}
		store_recovered(c, CARD_REPEAT_JOURNAL, "journal appends");
		prev_new = rc == 0;
		card_lock(c);
		rc = card_note(c, OCXLFS_CMD_ERRLOG_ACK,
			       ocxlfs_op_errlog_ack(c->transport, log_id, &res), &res);
		card_unlock(c);
		if (rc)
			break;
		memcpy(prev, buf, len);
		prev_len = len;
		moved++;
	}
	pthread_mutex_unlock(&c->drain_lock);
	pthread_mutex_lock(&c->data_lock);
	c->new_errlogs += moved;
	pthread_mutex_unlock(&c->data_lock);
	free(buf);
	return rc ? rc : moved;
}

int card_drain_errlog(struct card *c)
{
	return card_drain(c);
}

/*
 * Collects the dump the card holds.  c->collecting is set from the check
 * that found it until DUMP_COMPLETE, across the turns of the lock between
 * chunks: a DUMP_REQUEST meanwhile would make the card replace the dump
 * under the collection, so card_request_dump() refuses it (EBUSY).
 */
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
		log_repeat(&c->repeats[CARD_REPEAT_DUMPS], EOPNOTSUPP, LOG_WARNING,
			   "card %u: dump available but its maximum size is unknown; left on "
			   "the card", c->index);
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
	c->collecting = true;
	rc = dump_store_begin(c->dumps, max, &w);
	if (rc) {
		log_repeat(&c->repeats[CARD_REPEAT_DUMPS], -rc, LOG_ERR,
			   "card %u: dump store: cannot start a dump of %u bytes: %s; the dump "
			   "stays on the card", c->index, max, strerror(-rc));
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
		if (rc) {
			log_repeat(&c->repeats[CARD_REPEAT_DUMPS], -rc, LOG_ERR,
				   "card %u: dump store: writing at %zu: %s; the dump stays on "
				   "the card", c->index, off, strerror(-rc));
			goto out;
		}
		off += got;
		/*
		 * Let readers' commands in between chunks: a large dump must not
		 * stall the card's other files for the whole collection.  The
		 * lock is fair, so whoever queued meanwhile goes first.  Only
		 * this monitor collects, and DUMP_READ offsets are explicit.
		 */
		card_unlock(c);
		card_lock(c);
		rc = card_unusable_locked(c);
		if (rc)
			goto out;
	}
	/* Whole and durable before the card may free its copy. */
	rc = dump_writer_commit(w, off);
	w = NULL;
	if (rc) {
		log_repeat(&c->repeats[CARD_REPEAT_DUMPS], -rc, LOG_ERR,
			   "card %u: dump store: commit of %zu bytes: %s; the dump stays on the "
			   "card", c->index, off, strerror(-rc));
		goto out;
	}
	store_recovered(c, CARD_REPEAT_DUMPS, "dumps");
	rc = card_note(c, OCXLFS_CMD_DUMP_COMPLETE, ocxlfs_op_dump_complete(c->transport, &res),
		       &res);
	if (!rc) {
		log_notice("card %u: collected a controller dump of %zu bytes", c->index, off);
		pthread_mutex_lock(&c->data_lock);
		c->new_dump_bytes = off;
		pthread_mutex_unlock(&c->data_lock);
	}
out:
	c->collecting = false;
	if (w)
		dump_writer_abort(w);
	free(chunk);
	return rc;
}

int card_collect_dump(struct card *c)
{
	int rc;

	card_lock(c);
	rc = card_collect_dump_locked(c);
	card_unlock(c);
	return rc;
}

/* ---- what the card last answered (card_cache) ---- */

static void cache_stats(struct card *c, int rc, const struct ocxlfs_stats *st)
{
	pthread_mutex_lock(&c->data_lock);
	c->cache.stats_ok = rc == 0;
	if (!rc) {
		c->cache.stats = *st;
		c->cache.have_stats = true;
		clock_gettime(CLOCK_MONOTONIC, &c->cache.stats_at);
	}
	pthread_mutex_unlock(&c->data_lock);
}

static void cache_smart(struct card *c, int rc, const struct ocxlfs_smart *sm)
{
	pthread_mutex_lock(&c->data_lock);
	c->cache.smart_ok = rc == 0;
	if (!rc) {
		c->cache.smart = *sm;
		c->cache.have_smart = true;
		clock_gettime(CLOCK_MONOTONIC, &c->cache.smart_at);
	}
	pthread_mutex_unlock(&c->data_lock);
}

int card_stats(struct card *c, struct ocxlfs_stats *st)
{
	struct ocxlfs_op_result res = { 0 };
	int rc;

	rc = card_lock_usable(c);
	if (!rc) {
		rc = card_note(c, OCXLFS_CMD_STATS, ocxlfs_op_stats(c->transport, st, &res), &res);
		card_unlock(c);
	}
	cache_stats(c, rc, st);
	return rc;
}

int card_smart(struct card *c, struct ocxlfs_smart *sm)
{
	struct ocxlfs_op_result res = { 0 };
	int rc;

	rc = card_lock_usable(c);
	if (!rc) {
		rc = card_note(c, OCXLFS_CMD_SMART, ocxlfs_op_smart(c->transport, sm, &res), &res);
		card_unlock(c);
	}
	cache_smart(c, rc, sm);
	return rc;
}

static bool older_than(const struct timespec *t, bool have, unsigned ms)
{
	return !have || seconds_since(t) * 1000.0 >= ms;
}

void card_refresh(struct card *c, bool force)
{
	struct ocxlfs_stats st;
	struct ocxlfs_smart sm;
	bool stats, smart;

	pthread_mutex_lock(&c->data_lock);
	force = force || c->cache.stale;
	c->cache.stale = false;
	stats = force || !c->cache.stats_ok ||
		older_than(&c->cache.stats_at, c->cache.have_stats, CARD_CACHE_REFRESH_MS);
	smart = force || !c->cache.smart_ok ||
		older_than(&c->cache.smart_at, c->cache.have_smart, CARD_CACHE_REFRESH_MS);
	pthread_mutex_unlock(&c->data_lock);
	if (stats)
		card_stats(c, &st);
	if (smart)
		card_smart(c, &sm);
}

void card_cached(struct card *c, struct card_cached *out)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&c->data_lock);
	/* A card that failed its last command has no samples (docs/json.md section 6). */
	out->have_stats = c->cache.have_stats && c->cache.stats_ok;
	out->have_smart = c->cache.have_smart && c->cache.smart_ok;
	out->stats = out->have_stats ? c->cache.stats : (struct ocxlfs_stats){ 0 };
	out->smart = out->have_smart ? c->cache.smart : (struct ocxlfs_smart){ 0 };
	out->up = c->cache.stats_ok && c->cache.smart_ok;
	/* Of the older answer; never answered: since the card was opened. */
	if (c->cache.have_stats && c->cache.have_smart) {
		double a = seconds_since(&c->cache.stats_at), b = seconds_since(&c->cache.smart_at);

		out->age_s = a > b ? a : b;
	} else {
		out->age_s = seconds_since(&c->opened_mono);
	}
	pthread_mutex_unlock(&c->data_lock);
}

void card_store_errors(struct card *c, int *journal, int *dumps)
{
	struct journal_stats st;

	errlog_journal_stats(c->journal, &st);
	*journal = st.last_error;
	*dumps = dump_store_last_error(c->dumps);
}

void card_cache_stale(struct card *c)
{
	pthread_mutex_lock(&c->data_lock);
	c->cache.stale = true;
	pthread_mutex_unlock(&c->data_lock);
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

	card_lock(c);
	clock_gettime(CLOCK_REALTIME, &hb.when);
	clock_gettime(CLOCK_MONOTONIC, &start);
	hb.rc = card_note(c, OCXLFS_CMD_HEARTBEAT, ocxlfs_op_heartbeat(c->transport, &res), &res);
	hb.latency_us = elapsed_us(&start);
	hb.status = res.status;
	card_unlock(c);
	pthread_mutex_lock(&c->data_lock);
	c->heartbeat = hb;
	if (hb.rc) {
		/* For the event stream: the monitor posts it. */
		c->hb_failed = true;
		c->hb_failed_rc = hb.rc;
		c->hb_failed_status = hb.status;
	}
	pthread_mutex_unlock(&c->data_lock);
	if (hb.rc)
		card_wake_monitor(c);
	return hb.rc;
}

void card_last_heartbeat(struct card *c, struct card_heartbeat *hb)
{
	/* Not the card lock: the outcome is there while a hung command runs. */
	pthread_mutex_lock(&c->data_lock);
	*hb = c->heartbeat;
	pthread_mutex_unlock(&c->data_lock);
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

	card_lock(c);
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
	set_state(c, CARD_BUSY, NULL);
	pthread_mutex_lock(&c->data_lock);
	c->overwrite_watch = true; /* the stream follows its progress */
	pthread_mutex_unlock(&c->data_lock);
out:
	card_unlock(c);
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
	card_unlock(c);
	return rc;
}

/*
 * A request the card answers later by posting something (a dump, an
 * error-log entry): the monitor looks at once.  Logged with the caller.
 */
/*
 * A dump request makes the card replace the dump it holds (docs/protocol.md
 * section 8): refused (-EBUSY) while one is held or being collected.  Asked
 * with the lock held, so the answer holds until the request is sent.
 */
static int card_dump_request_allowed(struct card *c)
{
	uint64_t events;
	int rc;

	if (c->collecting)
		return -EBUSY;
	rc = card_check_events_locked(c, &events);
	if (rc)
		return rc;
	return events & OCXLFS_EVENT_CDA ? -EBUSY : 0;
}

static int card_request(struct card *c, unsigned cmd,
			int (*op)(struct ocxlfs_transport *t, struct ocxlfs_op_result *res),
			int prio, const char *what, const struct card_caller *who)
{
	struct ocxlfs_op_result res = { 0 };
	int rc = card_lock_usable(c);

	if (rc)
		return rc;
	if (cmd == OCXLFS_CMD_DUMP_REQUEST) {
		rc = card_dump_request_allowed(c);
		if (rc) {
			card_unlock(c);
			if (rc == -EBUSY) {
				log_info("card %u: %s requested by uid %u pid %d refused: the card "
					 "holds a dump not collected yet", c->index, what,
					 (unsigned)who->uid, (int)who->pid);
				card_wake_monitor(c);
			}
			return rc;
		}
	}
	rc = card_note(c, cmd, op(c->transport, &res), &res);
	card_unlock(c);
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

	pthread_mutex_lock(&c->data_lock);
	errlogs = c->new_errlogs;
	dump = c->new_dump_bytes;
	state = card_get_state(c);
	state_changed = state != c->state_posted;
	news = (struct card_news){ errlogs, dump, state_changed, c->state_posted, state };
	c->new_errlogs = 0;
	c->new_dump_bytes = 0;
	c->state_posted = state;
	pthread_mutex_unlock(&c->data_lock);

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
	ocxlfs_trace("label", "%s %u %u", c->transport->device, off, len);
	rc = c->transport->ops->label_read(c->transport, buf, off, len);
	snprintf(what, sizeof(what), "label read %u+%u", off, len);
	rc = card_outcome(c, CARD_REPEAT_LABEL, what, rc, OCXLFS_STATUS_SUCCESS);
	card_unlock(c);
	return rc;
}

int card_walk_errlog(struct card *c,
		     int (*fn)(void *arg, uint32_t log_id, const uint8_t *raw, size_t len),
		     void *arg)
{
	int rc;

	/* A sick card still shows what was drained before (the drain stops at once). */
	if (!state_errno(card_get_state(c)))
		card_drain(c);
	/* The journal is thread-safe: the walk does not hold the card. */
	rc = errlog_journal_foreach(c->journal, fn, arg);
	/* Entries it drained are news for N/events: the monitor posts them. */
	card_wake_monitor(c);
	return rc;
}

int card_open_dump(struct card *c, int *fd, size_t *size, struct timespec *when)
{
	int rc;

	/* The dump store is thread-safe: opening a dump never waits for the card. */
	rc = dump_store_open_newest(c->dumps, fd, size, when);
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
