// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Open files: a handle pins its node's snapshot (docs/tree.md section 3.2,
 * rule 3), reads come from that snapshot through the file's kind, and a
 * write to a control file is one command (section 1.2).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "card/card.h"
#include "tree/snapshot.h"
#include "tree/tree_priv.h"
#include "util/log.h"
#include "util/tsan.h"

static bool writable(const struct tree_entry *e)
{
	return (e->store || e->store_mount) && e->kind->write;
}

static uint64_t fh_of(uint32_t id, uint32_t incarnation)
{
	return (uint64_t)incarnation << 32 | id;
}

struct tree_handle *tree_handle_ref(struct tree *t, uint64_t fh, struct tree_ref *ref)
{
	struct tree_handle *h = slots_at(&t->handles, (uint32_t)fh);

	if (!h || slots_state(h) != (uint32_t)(fh >> 32))
		return NULL;
	if (ref && tree_resolve_node(t, h->node, ref)) {
		ocxlfs_tsan_before(h);
		return NULL;
	}
	return h;
}

/* A resent OPEN: the handle the dead worker made for it, if it made one. */
static bool reopen(struct tree *t, const struct tree_caller *who, uint64_t *fh)
{
	for (uint32_t id = slots_next_in_use(&t->handles, 0); id;
	     id = slots_next_in_use(&t->handles, id)) {
		const struct tree_handle *h = slots_at(&t->handles, id);
		uint32_t state = slots_state(h);

		if (state && h->open_key == who->key) {
			*fh = fh_of(id, state);
			return true;
		}
	}
	return false;
}

int tree_open(struct tree *t, uint64_t ino, int flags, const struct tree_caller *who,
	      uint64_t *fh, struct tree_open_mode *mode)
{
	const struct tree_kind *kind;
	struct tree_handle *h;
	struct snapshot *s;
	struct tree_ref ref;
	uint32_t id, snap, view, incarnation;
	int rc = tree_resolve(t, ino, &ref);

	if (rc)
		return rc;
	kind = ref.entry->kind;
	if (!kind)
		return -EISDIR; /* directories and links */
	/*
	 * Writing needs something to do.  A write-only control file reads as
	 * empty (its st_size is 0) for root, so `tar` of the tree stays clean.
	 */
	if ((flags & O_ACCMODE) != O_RDONLY && !writable(ref.entry))
		return -EACCES;
	if (tree_ref_gone(t, &ref))
		return -ENOENT;
	mode->keep_cache = kind->keep_cache;
	mode->direct_io = kind->direct_io;
	if (who->resend && reopen(t, who, fh))
		return 0;
	rc = tree_user_take(t, who->uid);
	if (rc)
		return rc;
	if (slots_alloc(&t->handles, &id)) {
		tree_user_give(t, who->uid);
		return -EMFILE;
	}
	pthread_mutex_lock(&ref.node->lock);
	rc = tree_view_snapshot(t, &ref, who, true, &snap, &view);
	if (!rc) {
		s = snapshot_at(t, snap);
		s->pins++;
		snapshot_get(t, snap);
	}
	pthread_mutex_unlock(&ref.node->lock);
	if (rc) {
		slots_free(&t->handles, id);
		tree_user_give(t, who->uid);
		return rc;
	}
	h = slots_raw(&t->handles, id);
	incarnation = h->incarnation + 1 ? h->incarnation + 1 : 1;
	/*
	 * Field by field: the state word is the slot table's, read without a
	 * lock by anyone resolving a stale handle; slots_publish() sets it.
	 */
	h->node = tree_node_index(t, &ref);
	h->snap = snap;
	h->view = view;
	h->uid = who->uid;
	h->incarnation = incarnation;
	h->open_key = who->key;
	h->poll_kh = 0;
	/* Whole now: a later worker takes it over. */
	slots_publish(&t->handles, id, incarnation);
	*fh = fh_of(id, incarnation);
	return 0;
}

/* A read of open handle H (resolved to REF) from the snapshot it pins. */
static ssize_t read_pinned(struct tree *t, const struct tree_handle *h, struct tree_ref *ref,
			   char *buf, size_t size, off_t off)
{
	const struct snapshot *s;

	if (off < 0)
		return -EINVAL;
	/* The card went away under an open file: say so, even for held snapshots. */
	if (tree_ref_gone(t, ref))
		return -ENODEV;
	/* What a pinned snapshot holds does not change: no lock needed to read it. */
	s = snapshot_at(t, h->snap);
	if (!s)
		return -EIO;
	if ((uint64_t)off >= s->len)
		return 0;
	if (size > s->len - (uint64_t)off)
		size = (size_t)(s->len - (uint64_t)off);
	return ref->entry->kind->read(t, ref, s, buf, size, off);
}

ssize_t tree_read(struct tree *t, uint64_t fh, char *buf, size_t size, off_t off)
{
	struct tree_ref ref;
	struct tree_handle *h = tree_handle_ref(t, fh, &ref);
	ssize_t n;

	if (!h)
		return -EBADF;
	n = read_pinned(t, h, &ref, buf, size, off);
	/* Done with the handle and its snapshot until the RELEASE (util/tsan.h). */
	ocxlfs_tsan_before(h);
	return n;
}

/*
 * The record of a resent WRITE: the outcome the dead worker recorded, or
 * -EIO when it died while the command ran (whether the card executed it is
 * not known, and running it again could do it twice).  1: not found.
 */
static int write_outcome(struct tree *t, const struct tree_caller *who, ssize_t *result)
{
	for (uint32_t id = slots_next_in_use(&t->writes, 0); id;
	     id = slots_next_in_use(&t->writes, id)) {
		const struct tree_write *w = slots_at(&t->writes, id);

		if (w->key != who->key)
			continue;
		if (slots_state(w) == TREE_WRITE_DONE) {
			*result = w->result;
		} else {
			log_warn("a write by uid %u pid %d was running when its worker died; "
				 "whether the card executed it is unknown: answered EIO",
				 (unsigned)who->uid, (int)who->tid);
			*result = -EIO;
		}
		return 0;
	}
	return 1;
}

/* A record for a write about to run; 0 if there is no room (then it runs unrecorded). */
static uint32_t write_begin(struct tree *t, const struct tree_caller *who)
{
	struct tree_write *w;
	uint32_t id;

	if (slots_alloc(&t->writes, &id)) {
		/* Full of what dead workers left after answering: those are stale. */
		for (uint32_t old = slots_next_in_use(&t->writes, 0); old;
		     old = slots_next_in_use(&t->writes, old))
			if (((struct tree_write *)slots_at(&t->writes, old))->worker < t->worker)
				slots_free(&t->writes, old);
		if (slots_alloc(&t->writes, &id))
			return 0;
	}
	w = slots_raw(&t->writes, id);
	*w = (struct tree_write){ .key = who->key, .worker = t->worker };
	slots_publish(&t->writes, id, TREE_WRITE_RUNNING);
	return id;
}

ssize_t tree_write(struct tree *t, uint64_t fh, const char *buf, size_t size,
		   const struct tree_caller *who, uint32_t *record)
{
	const struct card_caller caller = { .uid = who->uid, .pid = who->tid };
	char line[TREE_CONTROL_MAX + 1];
	struct tree_handle *h;
	struct tree_ref ref;
	size_t len = size;
	ssize_t result;
	int rc;

	*record = 0;
	h = tree_handle_ref(t, fh, &ref);
	if (!h)
		return -EBADF;
	ocxlfs_tsan_before(h); /* only its node was needed */
	if (!writable(ref.entry))
		return -EACCES;
	if (tree_ref_gone(t, &ref) && !ref.entry->outlives_card)
		return -ENODEV;
	if (size == 0 || size > TREE_CONTROL_MAX)
		return -EINVAL;
	if (buf[len - 1] == '\n' || buf[len - 1] == '\0')
		len--;
	if (len == 0 || memchr(buf, '\n', len) || memchr(buf, '\0', len))
		return -EINVAL;
	memcpy(line, buf, len);
	line[len] = '\0';
	if (who->resend && write_outcome(t, who, &result) == 0)
		return result;
	*record = write_begin(t, who);
	rc = ref.entry->kind->write(t, &ref, line, &caller);
	result = rc ? rc : (ssize_t)size;
	if (*record) {
		struct tree_write *w = slots_at(&t->writes, *record);

		w->result = (int32_t)result;
		slots_publish(&t->writes, *record, TREE_WRITE_DONE);
	}
	return result;
}

void tree_write_answered(struct tree *t, uint32_t record)
{
	if (record)
		slots_free(&t->writes, record);
}

int tree_truncate(struct tree *t, uint64_t ino, off_t size, const struct tree_caller *who,
		  struct stat *st, struct tree_cache *cache)
{
	struct tree_ref ref;

	if (tree_resolve(t, ino, &ref) || !ref.entry->kind)
		return -EPERM; /* directories and links */
	if (!writable(ref.entry))
		return -EACCES;
	if (size != 0)
		return -EINVAL;
	return tree_getattr(t, ino, who, st, cache);
}

int tree_poll(struct tree *t, uint64_t fh, uint64_t kh)
{
	struct tree_ref ref;
	struct tree_handle *h = tree_handle_ref(t, fh, &ref);

	int rc;

	if (!h)
		return -EBADF;
	rc = ref.entry->kind->poll ? ref.entry->kind->poll(t, fh, &ref, snapshot_at(t, h->snap), kh)
				   : TREE_POLL_READY;
	ocxlfs_tsan_before(h);
	return rc;
}

void tree_release(struct tree *t, uint64_t fh)
{
	struct tree_ref ref;
	struct tree_handle *h = tree_handle_ref(t, fh, &ref);
	struct snapshot *s;
	uint32_t snap;
	uid_t uid;

	if (!h)
		return; /* a RELEASE a dead worker had executed, resent */
	ocxlfs_tsan_after(h); /* every request on it was answered */
	tree_poll_forget(t, &ref, fh);
	snap = h->snap;
	uid = h->uid;
	pthread_mutex_lock(&ref.node->lock);
	s = snapshot_at(t, snap);
	if (s && s->pins)
		s->pins--;
	tree_view_unhold(t, h->view);
	pthread_mutex_unlock(&ref.node->lock);
	/* Unpublished first: a worker killed after this recounts without it. */
	slots_free(&t->handles, (uint32_t)fh);
	snapshot_put(t, snap);
	tree_user_give(t, uid);
}
