/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A card's event log: the last CARD_EVENTS_KEPT things that happened to it
 * (entries drained, dumps collected, state changes), numbered by a sequence
 * that only grows.  The sequence is what poll() on N/events compares, so a
 * waiter never misses an event that happened between its read and its poll.
 *
 * Only the monitor thread posts events; the notify hook it runs is where the
 * file system wakes poll() waiters, so the kernel is never notified from
 * inside a request handler.
 */
#ifndef OCXLFS_CARD_EVENTS_H
#define OCXLFS_CARD_EVENTS_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define CARD_EVENTS_KEPT 64
#define CARD_EVENT_TEXT	 96

struct card_event {
	uint64_t seq;
	struct timespec when; /* CLOCK_REALTIME */
	char text[CARD_EVENT_TEXT];
};

struct card_events {
	pthread_mutex_t lock;
	uint64_t seq; /* of the newest event; 0 = none yet */
	struct card_event ring[CARD_EVENTS_KEPT];
	void (*notify)(void *arg, unsigned card);
	void *notify_arg;
};

void card_events_init(struct card_events *ev);
void card_events_destroy(struct card_events *ev);
/* Set once, before the monitor starts. */
void card_events_set_notify(struct card_events *ev, void (*notify)(void *arg, unsigned card),
			    void *arg);
/* Records one event, then runs the notify hook (outside the lock). */
void card_events_post(struct card_events *ev, unsigned card, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
uint64_t card_events_seq(struct card_events *ev);
/* Runs the notify hook alone: something else of the card's (the event stream) changed. */
void card_events_wake(struct card_events *ev, unsigned card);
/*
 * Renders the kept events, oldest first, one per line:
 * "SEQ ISO-8601-TIME WHAT...".  *seq gets the sequence of the newest one
 * shown, so a reader knows exactly what it has seen.
 */
int card_events_render(struct card_events *ev, FILE *out, uint64_t *seq);

#endif /* OCXLFS_CARD_EVENTS_H */
