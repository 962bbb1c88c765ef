/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One object per card: the lock that serializes its commands, its cached
 * identity, its state, and its durable store (error-log journal, dumps).
 * Every function that talks to the card takes the card's lock itself and
 * logs a failure once, with the card index, the command and the status.
 */
#ifndef OCXLFS_CARD_H
#define OCXLFS_CARD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "card/events.h"
#include "codec/codec.h"
#include "transport/transport.h"

struct errlog_journal;
struct dump_store;
struct sim_card;
struct card_monitor;

/* Who asked: logged with destructive commands. */
struct card_caller {
	uid_t uid;
	pid_t pid;
};

/* The outcome of the last heartbeat command. */
struct card_heartbeat {
	bool done;	     /* false: never sent */
	int rc;		     /* 0 or -errno */
	uint8_t status;	     /* card status byte */
	uint64_t latency_us; /* command round trip */
	struct timespec when; /* CLOCK_REALTIME, when it was sent */
};

/*
 * Largest controller dump ocxlfs collects (EFBIG beyond): a card that
 * claims more keeps its dump, rather than filling the state directory.
 */
#define CARD_MAX_DUMP_BYTES ((size_t)1 << 30)

enum card_state {
	CARD_READY,
	CARD_BUSY,	    /* a secure erase runs */
	CARD_FATAL_FW,	    /* CHI.CFFS */
	CARD_FATAL_HW,	    /* CHI.CHFS */
	CARD_UNRESPONSIVE,  /* the last command timed out */
	CARD_GONE,	    /* the device node answers ENODEV */
};

struct card {
	unsigned index;
	pthread_mutex_t lock; /* serializes commands to the card */
	struct ocxlfs_transport *transport;
	struct sim_card *sim; /* the simulated card behind the transport, or NULL */

	/* Fixed after card_open(). */
	struct ocxlfs_identity id;
	char serial[24];
	uint32_t label_size, label_max_xfer;
	struct timespec opened;

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
	size_t max_dump; /* CARD_MAX_DUMP_BYTES unless the daemon says otherwise */

	struct card_events evlog;	/* has its own lock */
	struct card_monitor *monitor;	/* set by card_monitor_start() */
};

/*
 * Identifies the card, sizes its label area and opens its journal and dump
 * store under STATE_DIR/<serial>/.  Takes ownership of the transport.
 */
int card_open(unsigned index, struct ocxlfs_transport *t, struct sim_card *sim,
	      const char *state_dir, struct card **out);
void card_close(struct card *c);

enum card_state card_get_state(struct card *c);
const char *card_state_name(enum card_state s);

/* EVENT_CHECK: refreshes state and events; returns the mask in *events. */
int card_check_events(struct card *c, uint64_t *events);
/*
 * Moves every queued error-log entry into the journal: read it, persist it,
 * and only then acknowledge it to the card.  Returns entries moved or -errno.
 */
int card_drain_errlog(struct card *c);
/* Collects an available controller dump into the dump store, then "dump complete". */
int card_collect_dump(struct card *c);

int card_stats(struct card *c, struct ocxlfs_stats *st);

/* Sends a heartbeat and records the outcome; returns it (0 or -errno). */
int card_heartbeat(struct card *c);
void card_last_heartbeat(struct card *c, struct card_heartbeat *hb);
/*
 * Starts a secure erase of the whole card.  -EBUSY while a namespace on the
 * card is enabled or an erase runs; the caller is logged either way.
 */
int card_overwrite_start(struct card *c, const struct card_caller *who);
int card_overwrite_status(struct card *c, struct ocxlfs_erase_status *es);
/* Ask the card for a fresh controller dump / a health & performance entry. */
int card_request_dump(struct card *c, const struct card_caller *who);
int card_request_health(struct card *c, const struct card_caller *who);
/*
 * Monitor side: posts one event per thing that happened since the last
 * call (entries drained by anyone, dumps collected, state changes).
 */
void card_post_events(struct card *c);
int card_smart(struct card *c, struct ocxlfs_smart *sm);
int card_label_read(struct card *c, void *buf, uint32_t off, uint32_t len);

/*
 * Drains the card, then calls FN for every journalled entry, oldest first,
 * with its raw bytes as the card sent them.
 */
int card_walk_errlog(struct card *c,
		     int (*fn)(void *arg, uint32_t log_id, const uint8_t *raw, size_t len),
		     void *arg);
/* Renders every journalled error-log entry, oldest first. */
int card_render_errlog(struct card *c, FILE *out);
/* Opens the newest collected dump (see dump_store_open_newest). */
int card_open_dump(struct card *c, int *fd, size_t *size, struct timespec *when);

#endif /* OCXLFS_CARD_H */
