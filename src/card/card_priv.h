/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The card object itself, for src/card only (tests/layering.sh refuses a
 * *_priv.h included from another directory): everything above uses the
 * accessors of card.h.
 */
#ifndef OCXLFS_CARD_PRIV_H
#define OCXLFS_CARD_PRIV_H

#include <pthread.h>

#include "card/card.h"
#include "card/events.h"

struct errlog_journal;
struct dump_store;
struct card_stream;

struct card {
	unsigned index;
	pthread_mutex_t lock; /* serializes commands to the card */
	struct ocxlfs_transport *transport;
	struct sim_card *sim; /* the simulated card behind the transport, or NULL */

	/* Fixed after card_open(). */
	struct ocxlfs_identity id;
	char serial[24];
	char name[32]; /* state directory and by-serial link: the serial unless taken */
	uint32_t label_size, label_max_xfer;
	struct timespec opened;
	size_t max_dump; /* CARD_MAX_DUMP_BYTES unless the daemon says otherwise */

	/* Under lock. */
	enum card_state state;
	uint64_t events; /* last EVENT_CHECK mask */
	struct errlog_journal *journal;
	struct dump_store *dumps;
	struct card_heartbeat heartbeat;
	/* What happened since the monitor last posted events. */
	unsigned new_errlogs;
	size_t new_dump_bytes;
	enum card_state state_posted;
	bool dump_too_big_logged;

	/* The event stream's (stream.c).  Under lock: what it is still to hear. */
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

/* What one monitor pass found, for the event stream (stream.c). */
struct card_news {
	unsigned errlogs;
	size_t dump_bytes;
	bool state_changed;
	enum card_state from, to;
};
void card_stream_post_news(struct card *c, const struct card_news *n);

#endif /* OCXLFS_CARD_PRIV_H */
