// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "card/card.h"
#include "card/monitor.h"
#include "util/log.h"
#include "util/trace.h"

struct card_monitor {
	struct card *card;
	unsigned interval_ms;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
	bool kicked;
};

static void monitor_pass(struct card *c)
{
	uint64_t events;

	if (!card_check_events(c, &events)) {
		if (events & OCXLFS_EVENT_ELA)
			card_drain_errlog(c);
		if (events & OCXLFS_EVENT_CDA)
			card_collect_dump(c);
	}
	/*
	 * What metrics.prom and the verdict show, kept no older than
	 * CARD_CACHE_REFRESH_MS; a sick card fails it at once, without a command.
	 */
	card_refresh(c, false);
}

static void monitor_run(struct card *c)
{
	monitor_pass(c);
	/* Also what request handlers did meanwhile (a read of error_log drains). */
	card_post_events(c);
}

static void monitor_kick(void *arg);

static void *monitor_main(void *arg)
{
	struct card_monitor *m = arg;

	/* What this thread sends is the monitor's, not a reader's (util/trace.h). */
	ocxlfs_trace_context("monitor %u", card_index(m->card));
	pthread_mutex_lock(&m->lock);
	while (!m->stop) {
		struct timespec until;

		m->kicked = false;
		pthread_mutex_unlock(&m->lock);
		monitor_run(m->card);
		pthread_mutex_lock(&m->lock);

		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += m->interval_ms / 1000;
		until.tv_nsec += (long)(m->interval_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!m->stop && !m->kicked &&
		       pthread_cond_timedwait(&m->wake, &m->lock, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

int card_monitor_start(struct card *c, unsigned interval_ms, struct card_monitor **out)
{
	struct card_monitor *m = calloc(1, sizeof(*m));
	pthread_condattr_t attr;
	int rc;

	if (!m)
		return -ENOMEM;
	m->card = c;
	m->interval_ms = interval_ms;
	pthread_mutex_init(&m->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&m->wake, &attr);
	pthread_condattr_destroy(&attr);
	rc = pthread_create(&m->thread, NULL, monitor_main, m);
	if (rc) {
		log_err("card %u: monitor thread: %s", card_index(c), strerror(rc));
		pthread_cond_destroy(&m->wake);
		pthread_mutex_destroy(&m->lock);
		free(m);
		return -rc;
	}
	card_set_monitor_wake(c, monitor_kick, m);
	*out = m;
	return 0;
}

static void monitor_kick(void *arg)
{
	struct card_monitor *m = arg;

	pthread_mutex_lock(&m->lock);
	m->kicked = true;
	pthread_cond_signal(&m->wake);
	pthread_mutex_unlock(&m->lock);
}

void card_monitor_stop(struct card_monitor *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->stop = true;
	pthread_cond_signal(&m->wake);
	pthread_mutex_unlock(&m->lock);
	pthread_join(m->thread, NULL);
	card_set_monitor_wake(m->card, NULL, NULL);
	pthread_cond_destroy(&m->wake);
	pthread_mutex_destroy(&m->lock);
	free(m);
}
