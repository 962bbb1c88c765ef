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
#include <time.h>

#include "proto/codec.h"
#include "transport/transport.h"

struct errlog_journal;
struct dump_store;
struct sim_card;

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
	struct ocxl_transport *transport;
	struct sim_card *sim; /* the simulated card behind the transport, or NULL */

	/* Fixed after card_open(). */
	struct ocxl_identity id;
	char serial[24];
	uint32_t label_size, label_max_xfer;
	struct timespec opened;

	/* Under lock. */
	enum card_state state;
	uint64_t events; /* last EVENT_CHECK mask */
	struct errlog_journal *journal;
	struct dump_store *dumps;
};

/*
 * Identifies the card, sizes its label area and opens its journal and dump
 * store under STATE_DIR/<serial>/.  Takes ownership of the transport.
 */
int card_open(unsigned index, struct ocxl_transport *t, struct sim_card *sim,
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

int card_stats(struct card *c, struct ocxl_stats *st);
int card_smart(struct card *c, struct ocxl_smart *sm);
int card_label_read(struct card *c, void *buf, uint32_t off, uint32_t len);

/* Renders every journalled error-log entry, oldest first. */
int card_render_errlog(struct card *c, FILE *out);
/* Opens the newest collected dump (see dump_store_open_newest). */
int card_open_dump(struct card *c, int *fd, size_t *size, struct timespec *when);

#endif /* OCXLFS_CARD_H */
