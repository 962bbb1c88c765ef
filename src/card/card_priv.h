/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The card object itself, for src/card only (tests/layering.sh refuses a
 * *_priv.h included from another directory): everything above uses the
 * accessors of card.h.
 */
#ifndef OCXLFS_CARD_PRIV_H
#define OCXLFS_CARD_PRIV_H

#include <pthread.h>

#include <ocxlfs/passthru.h>

#include "card/card.h"
#include "card/events.h"
#include "util/log.h"

struct errlog_journal;
struct dump_store;
struct card_stream;

/*
 * The card lock: a ticket lock, so the card is taken in the order it was
 * asked for.  A drain or a dump collection that lets go between commands
 * lets in every reader that queued meanwhile before its own next command,
 * so a reader waits for at most the command in flight.
 */
struct card_lock {
	pthread_mutex_t m;
	pthread_cond_t turn;
	uint64_t next;	  /* the ticket the next taker draws */
	uint64_t serving; /* the ticket that holds the lock */
};

/* What the card last answered to STATS and SMART (docs/json.md section 6). */
struct card_cache {
	bool have_stats, have_smart;  /* ever answered since the card was opened */
	bool stats_ok, smart_ok;      /* the most recent attempt succeeded */
	struct timespec stats_at, smart_at; /* CLOCK_MONOTONIC of the last answer */
	bool stale;		      /* refresh at the next monitor pass */
	struct ocxlfs_stats stats;
	struct ocxlfs_smart smart;
};

/* The failures that are logged once with a count (util/log.h). */
enum card_repeat {
	CARD_REPEAT_CMD,			     /* + the passthru command number */
	CARD_REPEAT_LABEL = CARD_REPEAT_CMD + OCXLFS_CMD_MAX + 1, /* label reads */
	CARD_REPEAT_JOURNAL,			     /* appends to the journal */
	CARD_REPEAT_DUMPS,			     /* the dump store */
	CARD_REPEAT_NR,
};

struct card {
	unsigned index;
	struct card_lock lock; /* serializes commands to the card */
	/*
	 * The fields readers want while a command may run (the heartbeat's
	 * outcome, the cache): never held across a command.
	 */
	pthread_mutex_t data_lock;
	/* One drain at a time; it takes the card lock per command only. */
	pthread_mutex_t drain_lock;
	struct ocxlfs_transport *transport;
	struct sim_card *sim; /* the simulated card behind the transport, or NULL */

	/* Fixed after card_open(). */
	struct ocxlfs_identity id;
	char serial[24];
	char name[32]; /* state directory and by-serial link: the serial unless taken */
	uint32_t label_size, label_max_xfer;
	struct timespec opened;
	struct timespec opened_mono; /* CLOCK_MONOTONIC of the same moment */
	size_t max_dump; /* CARD_MAX_DUMP_BYTES unless the daemon says otherwise */

	/* Under lock. */
	enum card_state state;
	struct timespec state_since; /* CLOCK_MONOTONIC: when it took this state */
	uint64_t events;	     /* last EVENT_CHECK mask */
	bool collecting;	     /* a dump collection runs: the dump may not change */
	struct errlog_journal *journal; /* thread-safe itself */
	struct dump_store *dumps;
	/* What happened since the monitor last posted events (data_lock). */
	unsigned new_errlogs;
	size_t new_dump_bytes;
	enum card_state state_posted;
	bool dump_too_big_logged;

	/* Under data_lock. */
	struct card_heartbeat heartbeat;
	struct card_cache cache;

	struct log_repeat repeats[CARD_REPEAT_NR];
	/* The event stream's (stream.c).  Under data_lock: what it is still to hear. */
	bool stream_added;
	bool hb_failed;
	int hb_failed_rc;
	uint8_t hb_failed_status;
	bool overwrite_watch;
	/* The monitor thread's only. */
	struct ocxlfs_erase_status overwrite_posted;
	/* Set before the monitor starts; counters atomic. */
	struct card_stream *stream;
	uint64_t stream_posts, overwrite_posts;

	struct card_events evlog; /* has its own lock */
	/* The monitor's: makes it run a pass now (card_set_monitor_wake). */
	void (*wake)(void *arg);
	void *wake_arg;
};

/*
 * Something happened that the monitor should look at now rather than at
 * its next interval (a request, an injected entry, a drain by a reader).
 */
void card_wake_monitor(struct card *c);

/* The card lock (card.c). */
void card_lock(struct card *c);
void card_unlock(struct card *c);
/* What one monitor pass found, for the event stream (stream.c). */
struct card_news {
	unsigned errlogs;
	size_t dump_bytes;
	bool state_changed;
	enum card_state from, to;
};
void card_stream_post_news(struct card *c, const struct card_news *n);

#endif /* OCXLFS_CARD_PRIV_H */
