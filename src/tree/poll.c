// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * poll() on events and the monitor's notifications (docs/tree.md section
 * 2.10): the kernel's poll handles, on one short list per card in this
 * process's memory, and in their handle's record in the arena, so that a
 * worker that takes over wakes what its predecessor was to wake.
 */
#include <errno.h>
#include <stdlib.h>

#include "card/card.h"
#include "tree/tree_priv.h"
#include "util/log.h"

struct tree_waiter {
	uint64_t fh;
	uint64_t kh;
	struct tree_waiter *next;
};

/* The kernel's poll handle of FH, kept in the arena so that a later worker wakes it. */
static void keep_kh(struct tree *t, uint64_t fh, uint64_t kh)
{
	struct tree_handle *h = tree_handle_ref(t, fh, NULL);

	if (h)
		__atomic_store_n(&h->poll_kh, kh, __ATOMIC_RELEASE);
}

/*
 * Runs in the monitor thread that posted the event: wakes the card's poll
 * waiters and, when the card vanished or came back, tells the kernel to
 * forget the names it may have cached (static files are cached for an hour).
 */
/* With poll_lock held: wakes and forgets every waiter on LIST. */
static void wake_list(struct tree *t, unsigned list)
{
	struct tree_waiter *w;

	while ((w = t->waiting[list])) {
		t->waiting[list] = w->next;
		keep_kh(t, w->fh, 0);
		if (t->hooks.wake)
			t->hooks.wake(t->hooks.ctx, w->kh);
		free(w);
	}
}

static void events_posted(void *arg, unsigned card)
{
	struct tree *t = arg;
	bool shown = tree_card_shown(t, card), changed;

	pthread_mutex_lock(&t->poll_lock);
	wake_list(t, card);
	/* The mount's files (events.json) show every card's events. */
	wake_list(t, TREE_MAX_CARDS);
	changed = shown != t->shown[card];
	t->shown[card] = shown;
	pthread_mutex_unlock(&t->poll_lock);

	if (!changed)
		return;
	log_notice("card %u (serial %s) %s", card, card_serial(tree_card(t, card)),
		   shown ? "is back: its directory is shown again"
			 : "vanished: its directory is hidden");
	tree_notify_card(t, card);
}

void tree_notify_card(struct tree *t, unsigned card)
{
	const struct tree_layout *l = &t->layout[TREE_SCOPE_MOUNT];

	/* Every name the card has at the mount's level (its directory, its link) and their parents. */
	for (unsigned s = 0; s < l->n; s++) {
		const struct tree_dir *d = l->entry[s]->dir;

		if (!d || !d->per_card)
			continue;
		if (t->hooks.inval_entry)
			t->hooks.inval_entry(t->hooks.ctx, tree_ino_local(t, 0, s),
					     d->per_card->name(t, card));
		if (t->hooks.inval_inode)
			t->hooks.inval_inode(t->hooks.ctx, tree_ino_local(t, 0, s));
	}
}

void tree_poll_add_card(struct tree *t, unsigned index)
{
	pthread_mutex_lock(&t->poll_lock);
	t->shown[index] = tree_card_shown(t, index);
	pthread_mutex_unlock(&t->poll_lock);
	card_set_event_notify(tree_card(t, index), events_posted, t);
}

/* The waiter list of REF's scope: its card's, or the mount's. */
static unsigned list_of(const struct tree_ref *ref)
{
	return ref->scope ? ref->scope - 1 : TREE_MAX_CARDS;
}

void tree_poll_destroy(struct tree *t)
{
	for (unsigned i = 0; i <= TREE_MAX_CARDS; i++) {
		if (i < tree_ncards(t) && tree_card(t, i))
			card_set_event_notify(tree_card(t, i), NULL, NULL);
		/* The kernel poll handles stay in the handles: the next worker wakes them. */
		while (t->waiting[i]) {
			struct tree_waiter *w = t->waiting[i];

			t->waiting[i] = w->next;
			free(w);
		}
	}
	pthread_mutex_destroy(&t->poll_lock);
}

void tree_set_stream(struct tree *t, struct card_stream *stream)
{
	t->stream = stream;
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

int tree_poll_events(struct tree *t, uint64_t fh, const struct tree_ref *ref,
		     uint64_t (*current)(struct tree *t, const struct tree_ref *ref), uint64_t seen,
		     uint64_t kh)
{
	unsigned card = list_of(ref);
	struct tree_waiter **link, *w;
	int rc = 0;

	pthread_mutex_lock(&t->poll_lock);
	/* Under poll_lock: an event posted after this check finds the waiter. */
	if (current(t, ref) != seen) {
		rc = TREE_POLL_READY;
	} else if (kh) {
		link = waiter_link(t, card, fh);
		if (*link) {
			(*link)->kh = kh;
		} else if ((w = malloc(sizeof(*w)))) {
			*w = (struct tree_waiter){ .fh = fh, .kh = kh, .next = t->waiting[card] };
			t->waiting[card] = w;
		} else {
			rc = -ENOMEM;
		}
		if (rc == 0)
			keep_kh(t, fh, kh);
	}
	pthread_mutex_unlock(&t->poll_lock);
	return rc;
}

void tree_poll_forget(struct tree *t, const struct tree_ref *ref, uint64_t fh)
{
	struct tree_waiter **link, *w;

	pthread_mutex_lock(&t->poll_lock);
	link = waiter_link(t, list_of(ref), fh);
	w = *link;
	if (w) {
		*link = w->next;
		free(w);
	}
	pthread_mutex_unlock(&t->poll_lock);
}

void tree_wake_inherited(struct tree *t, void (*wake)(void *ctx, uint64_t kh), void *ctx)
{
	for (uint32_t id = slots_next_in_use(&t->handles, 0); id;
	     id = slots_next_in_use(&t->handles, id)) {
		struct tree_handle *h = slots_at(&t->handles, id);
		uint64_t kh = __atomic_exchange_n(&h->poll_kh, 0, __ATOMIC_ACQ_REL);

		if (kh)
			wake(ctx, kh);
	}
}
