// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Open files per user (docs/tree.md section 4.2): with allow_other, one
 * local user opening files in a loop must not lock root out.  Every user
 * but root and the daemon's own has a share (--max-open-per-user), and
 * together they leave a reserve (--open-reserve) of the total
 * (--max-open) that only root and the daemon's user may take.  The counts
 * are this process's, recounted from the handles in the arena at start.
 */
#include <errno.h>
#include <stdlib.h>

#include "tree/tree_priv.h"

/* With users_lock held: UID's count, made if missing (NULL: no memory). */
static struct tree_user *user_of(struct tree *t, uid_t uid)
{
	struct tree_user *more;

	for (unsigned i = 0; i < t->nusers; i++)
		if (t->users[i].uid == uid)
			return &t->users[i];
	if (t->nusers == t->users_cap) {
		unsigned cap = t->users_cap ? 2 * t->users_cap : 16;

		more = realloc(t->users, cap * sizeof(*more));
		if (!more)
			return NULL;
		t->users = more;
		t->users_cap = cap;
	}
	t->users[t->nusers] = (struct tree_user){ .uid = uid };
	return &t->users[t->nusers++];
}

static bool privileged(const struct tree *t, uid_t uid)
{
	return uid == 0 || uid == t->uid;
}

int tree_users_init(struct tree *t)
{
	for (uint32_t fh = slots_next_in_use(&t->handles, 0); fh;
	     fh = slots_next_in_use(&t->handles, fh)) {
		struct tree_user *u = user_of(t, ((const struct tree_handle *)slots_at(&t->handles,
										       fh))->uid);

		if (!u)
			return -ENOMEM;
		u->open++;
		t->nopen++;
	}
	return 0;
}

void tree_users_destroy(struct tree *t)
{
	pthread_mutex_destroy(&t->users_lock);
	free(t->users);
	t->users = NULL;
}

int tree_user_take(struct tree *t, uid_t uid)
{
	struct tree_user *u;
	int rc = -EMFILE;

	pthread_mutex_lock(&t->users_lock);
	if (t->nopen >= t->max_handles)
		goto out;
	if (!privileged(t, uid) && t->nopen >= t->max_handles - t->reserved)
		goto out;
	u = user_of(t, uid);
	if (!u) {
		rc = -ENOMEM;
		goto out;
	}
	if (!privileged(t, uid) && u->open >= t->max_per_user)
		goto out;
	u->open++;
	t->nopen++;
	rc = 0;
out:
	pthread_mutex_unlock(&t->users_lock);
	return rc;
}

void tree_user_give(struct tree *t, uid_t uid)
{
	struct tree_user *u;

	pthread_mutex_lock(&t->users_lock);
	u = user_of(t, uid);
	if (u && u->open) {
		u->open--;
		t->nopen--;
	}
	pthread_mutex_unlock(&t->users_lock);
}
