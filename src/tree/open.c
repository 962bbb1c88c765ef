// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Open files: a handle pins its node's snapshot (docs/tree.md section 3.2,
 * rule 3), reads come from that snapshot through the file's kind, and a
 * write to a control file is one command (section 1.2).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "tree/snapshot.h"
#include "tree/tree_priv.h"

static bool writable(const struct tree_entry *e)
{
	return e->store && e->kind->write;
}

/* The handle FH and its node; NULL for a number that is not an open handle. */
static struct tree_handle *handle_ref(struct tree *t, uint64_t fh, struct tree_ref *ref)
{
	struct tree_handle *h = fh <= UINT32_MAX ? slots_at(&t->handles, (uint32_t)fh) : NULL;

	if (h)
		tree_resolve_node(t, h->node, ref);
	return h;
}

int tree_open(struct tree *t, uint64_t ino, int flags, uint64_t *fh, bool *keep_cache)
{
	const struct tree_kind *kind;
	struct tree_handle *h;
	struct tree_ref ref;
	uint32_t id, snap;
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
	if (slots_alloc(&t->handles, &id))
		return -EMFILE;
	pthread_mutex_lock(&ref.node->lock);
	rc = snapshot_current(t, &ref, &snap);
	if (!rc) {
		struct snapshot *s = snapshot_at(t, snap);

		s->refs++;
		/* Generations, not numbers: a freed snapshot's number comes back. */
		*keep_cache = kind->keep_cache ||
			      (kind->keep_cache_same_gen && s->gen == ref.node->last_open_gen);
		ref.node->last_open_gen = s->gen;
	}
	pthread_mutex_unlock(&ref.node->lock);
	if (rc) {
		slots_free(&t->handles, id);
		return rc;
	}
	h = slots_at(&t->handles, id);
	h->node = tree_node_index(t, &ref);
	h->snap = snap;
	*fh = id;
	return 0;
}

ssize_t tree_read(struct tree *t, uint64_t fh, char *buf, size_t size, off_t off)
{
	struct tree_ref ref;
	struct tree_handle *h = handle_ref(t, fh, &ref);
	const struct snapshot *s;

	if (!h)
		return -EBADF;
	if (off < 0)
		return -EINVAL;
	/* The card went away under an open file: say so, even for held snapshots. */
	if (tree_ref_gone(t, &ref))
		return -ENODEV;
	/* What a pinned snapshot holds does not change: no lock needed to read it. */
	s = snapshot_at(t, h->snap);
	if ((uint64_t)off >= s->len)
		return 0;
	if (size > s->len - (uint64_t)off)
		size = (size_t)(s->len - (uint64_t)off);
	return ref.entry->kind->read(t, &ref, s, buf, size, off);
}

ssize_t tree_write(struct tree *t, uint64_t fh, const char *buf, size_t size,
		   const struct card_caller *who)
{
	char line[TREE_CONTROL_MAX + 1];
	struct tree_ref ref;
	size_t len = size;
	int rc;

	if (!handle_ref(t, fh, &ref))
		return -EBADF;
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
	rc = ref.entry->kind->write(t, &ref, line, who);
	return rc ? rc : (ssize_t)size;
}

int tree_truncate(struct tree *t, uint64_t ino, off_t size, struct stat *st,
		  struct tree_cache *cache)
{
	struct tree_ref ref;

	if (tree_resolve(t, ino, &ref) || !ref.entry->kind)
		return -EPERM; /* directories and links */
	if (!writable(ref.entry))
		return -EACCES;
	if (size != 0)
		return -EINVAL;
	return tree_getattr(t, ino, st, cache);
}

int tree_poll(struct tree *t, uint64_t fh, void *waiter)
{
	struct tree_ref ref;
	struct tree_handle *h = handle_ref(t, fh, &ref);

	if (!h)
		return -EBADF;
	if (!ref.entry->kind->poll)
		return TREE_POLL_READY;
	return ref.entry->kind->poll(t, fh, &ref, snapshot_at(t, h->snap), waiter);
}

void tree_release(struct tree *t, uint64_t fh)
{
	struct tree_ref ref;
	struct tree_handle *h = handle_ref(t, fh, &ref);

	if (!h)
		return;
	tree_poll_forget(t, &ref, fh);
	pthread_mutex_lock(&ref.node->lock);
	snapshot_put(t, h->snap);
	pthread_mutex_unlock(&ref.node->lock);
	slots_free(&t->handles, (uint32_t)fh);
}
