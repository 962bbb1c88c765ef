// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "card/events.h"
#include "proto/render.h"
#include "util/log.h"

void card_events_init(struct card_events *ev)
{
	memset(ev, 0, sizeof(*ev));
	pthread_mutex_init(&ev->lock, NULL);
}

void card_events_destroy(struct card_events *ev)
{
	pthread_mutex_destroy(&ev->lock);
}

void card_events_set_notify(struct card_events *ev, void (*notify)(void *arg, unsigned card),
			    void *arg)
{
	pthread_mutex_lock(&ev->lock);
	ev->notify = notify;
	ev->notify_arg = arg;
	pthread_mutex_unlock(&ev->lock);
}

void card_events_post(struct card_events *ev, unsigned card, const char *fmt, ...)
{
	void (*notify)(void *arg, unsigned card);
	struct card_event *e;
	void *arg;
	va_list ap;

	pthread_mutex_lock(&ev->lock);
	ev->seq++;
	e = &ev->ring[ev->seq % CARD_EVENTS_KEPT];
	e->seq = ev->seq;
	clock_gettime(CLOCK_REALTIME, &e->when);
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
	log_notice("card %u: event %llu: %s", card, (unsigned long long)e->seq, e->text);
	notify = ev->notify;
	arg = ev->notify_arg;
	pthread_mutex_unlock(&ev->lock);
	if (notify)
		notify(arg, card);
}

uint64_t card_events_seq(struct card_events *ev)
{
	uint64_t seq;

	pthread_mutex_lock(&ev->lock);
	seq = ev->seq;
	pthread_mutex_unlock(&ev->lock);
	return seq;
}

int card_events_render(struct card_events *ev, FILE *out, uint64_t *seq)
{
	uint64_t first;

	pthread_mutex_lock(&ev->lock);
	first = ev->seq > CARD_EVENTS_KEPT ? ev->seq - CARD_EVENTS_KEPT + 1 : 1;
	for (uint64_t s = first; s <= ev->seq; s++) {
		const struct card_event *e = &ev->ring[s % CARD_EVENTS_KEPT];
		char when[OCXLFS_UTC_STAMP_LEN];

		ocxlfs_utc_stamp(&e->when, when);
		fprintf(out, "%llu %s %s\n", (unsigned long long)e->seq, when, e->text);
	}
	*seq = ev->seq;
	pthread_mutex_unlock(&ev->lock);
	return ferror(out) ? -EIO : 0;
}

void card_events_wake(struct card_events *ev, unsigned card)
{
	void (*notify)(void *arg, unsigned card);
	void *arg;

	pthread_mutex_lock(&ev->lock);
	notify = ev->notify;
	arg = ev->notify_arg;
	pthread_mutex_unlock(&ev->lock);
	if (notify)
		notify(arg, card);
}
