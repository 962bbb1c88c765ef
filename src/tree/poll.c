// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * poll() on events and the monitor's notifications (docs/tree.md section
 * 2.10): waiters are the front end's pointers, so they live here, in this
 * process's memory, on one short list per card.
 */
#include <errno.h>
#include <stdlib.h>

#include "card/card.h"
#include "tree/tree_priv.h"
#include "util/log.h"

struct tree_waiter {
	uint64_t fh;
	void *waiter;
	struct tree_waiter *next;
};

/*
 * Runs in the monitor thread that posted the event: wakes the card's poll
 * waiters and, when the card vanished or came back, tells the kernel to
 * forget the names it may have cached (static files are cached for an hour).
 */
static void events_posted(void *arg, unsigned card)
{
	struct tree *t = arg;
	struct tree_waiter *w;
	bool shown = tree_card_shown(t, card), changed;

	pthread_mutex_lock(&t->poll_lock);
	while ((w = t->waiting[card])) {
		t->waiting[card] = w->next;
		if (t->hooks.wake)
			t->hooks.wake(t->hooks.ctx, w->waiter);
		free(w);
	}
	changed = shown != t->shown[card];
	t->shown[card] = shown;
	pthread_mutex_unlock(&t->poll_lock);

	if (!changed || !t->hooks.inval_entry)
		return;
	log_notice("card %u (serial %s) %s", card, card_serial(t->cards[card]),
		   shown ? "is back: its directory is shown again"
			 : "vanished: its directory is hidden");
	/* Every name the card has at the mount's level: its directory, its link. */
	for (unsigned s = 0; s < t->layout[0].n; s++) {
		const struct tree_dir *d = t->layout[0].entry[s]->dir;

		if (d && d->per_card)
			t->hooks.inval_entry(t->hooks.ctx, tree_ino(0, s),
					     d->per_card->name(t, card));
	}
}

int tree_poll_init(struct tree *t)
{
	t->waiting = calloc(t->ncards ? t->ncards : 1, sizeof(*t->waiting));
	t->shown = calloc(t->ncards ? t->ncards : 1, sizeof(*t->shown));
	if (!t->waiting || !t->shown)
		return -ENOMEM;
	pthread_mutex_init(&t->poll_lock, NULL);
	for (unsigned i = 0; i < t->ncards; i++) {
		t->shown[i] = tree_card_shown(t, i);
		card_set_event_notify(t->cards[i], events_posted, t);
	}
	return 0;
}

static void waiter_drop(struct tree *t, struct tree_waiter *w)
{
	if (t->hooks.drop)
		t->hooks.drop(t->hooks.ctx, w->waiter);
	free(w);
}

void tree_poll_destroy(struct tree *t)
{
	if (t->waiting) {
		for (unsigned i = 0; i < t->ncards; i++) {
			card_set_event_notify(t->cards[i], NULL, NULL);
			while (t->waiting[i]) {
				struct tree_waiter *w = t->waiting[i];

				t->waiting[i] = w->next;
				waiter_drop(t, w);
			}
		}
		pthread_mutex_destroy(&t->poll_lock);
	}
	free(t->waiting);
	free(t->shown);
}

void tree_set_hooks(struct tree *t, const struct tree_hooks *hooks)
{
	pthread_mutex_lock(&t->poll_lock);
	t->hooks = *hooks;
	pthread_mutex_unlock(&t->poll_lock);
}

/* With poll_lock held: where FH's waiter is on CARD's list (*link NULL: none). */
static struct tree_waiter **waiter_link(struct tree *t, unsigned card, uint64_t fh)
{
	struct tree_waiter **link = &t->waiting[card];

	while (*link && (*link)->fh != fh)
		link = &(*link)->next;
	return link;
}

int tree_poll_events(struct tree *t, uint64_t fh, unsigned card, uint64_t seen, void *waiter)
{
	struct tree_waiter **link, *w;
	int rc = 0;

	pthread_mutex_lock(&t->poll_lock);
	/* Under poll_lock: an event posted after this check finds the waiter. */
	if (card_event_seq(t->cards[card]) != seen) {
		rc = TREE_POLL_READY;
	} else if (waiter) {
		link = waiter_link(t, card, fh);
		if (*link) {
			if (t->hooks.drop)
				t->hooks.drop(t->hooks.ctx, (*link)->waiter);
			(*link)->waiter = waiter;
		} else if ((w = malloc(sizeof(*w)))) {
			*w = (struct tree_waiter){
				.fh = fh, .waiter = waiter, .next = t->waiting[card]
			};
			t->waiting[card] = w;
		} else {
			rc = -ENOMEM;
		}
	}
	pthread_mutex_unlock(&t->poll_lock);
	return rc;
}

void tree_poll_forget(struct tree *t, const struct tree_ref *ref, uint64_t fh)
{
	struct tree_waiter **link, *w;

	if (!ref->scope)
		return; /* nothing at the mount's level waits */
	pthread_mutex_lock(&t->poll_lock);
	link = waiter_link(t, ref->scope - 1, fh);
	w = *link;
	if (w) {
		*link = w->next;
		waiter_drop(t, w);
	}
	pthread_mutex_unlock(&t->poll_lock);
}
