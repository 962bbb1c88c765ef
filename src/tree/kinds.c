// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The kinds of file (struct tree_kind, table.h), as a table of operations
 * each: what docs/tree.md section 2 says a kind is, and nothing about any
 * one file.
 */
#include <errno.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "card/card.h"
#include "card/stream.h"
#include "tree/snapshot.h"
#include "tree/tree_priv.h"
#include "util/log.h"

/* ---- building ---- */

typedef int render_fn(struct tree *t, const struct tree_ref *ref, struct snapshot *s,
		      FILE *out);

/* Renders into the snapshot's bytes: every rendered kind comes here. */
static int build_rendered_by(struct tree *t, const struct tree_ref *ref, struct snapshot *s,
			     render_fn *render)
{
	char *data = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&data, &len);
	int rc;

	if (!mem)
		return -errno;
	/* Only this thread writes it, in many small writes: no lock per call. */
	__fsetlocking(mem, FSETLOCKING_BYCALLER);
	rc = render(t, ref, s, mem);
	if (fclose(mem) && !rc)
		rc = -EIO;
	if (rc) {
		free(data);
		return rc;
	}
	rc = snapbuf_adopt(&t->bytes, data, len, &s->bytes);
	if (rc) {
		char name[64];

		tree_ref_name(ref, name, sizeof(name));
		log_warn("%s: %zu bytes would pass the snapshot memory limit (%zu MiB)", name, len,
			 t->bytes.limit >> 20);
		return rc;
	}
	s->len = len;
	return 0;
}

static int render_entry(struct tree *t, const struct tree_ref *ref, struct snapshot *s, FILE *out)
{
	if (ref->card)
		return ref->entry->render(ref->card, out);
	return ref->entry->render_mount(t->cards, tree_ncards(t), out);
}

static int build_rendered(struct tree *t, const struct tree_ref *ref, struct snapshot *s)
{
	return build_rendered_by(t, ref, s, render_entry);
}

static int render_events(struct tree *t, const struct tree_ref *ref, struct snapshot *s,
			 FILE *out)
{
	return card_render_events(ref->card, out, &s->seq);
}

static int build_events(struct tree *t, const struct tree_ref *ref, struct snapshot *s)
{
	return build_rendered_by(t, ref, s, render_events);
}

/* events.json: the card's lines of the stream, or every card's at the root. */
static int render_stream(struct tree *t, const struct tree_ref *ref, struct snapshot *s,
			 FILE *out)
{
	return card_stream_render(t->stream, ref->card, out, &s->seq);
}

static int build_stream(struct tree *t, const struct tree_ref *ref, struct snapshot *s)
{
	return build_rendered_by(t, ref, s, render_stream);
}

/* overwrite: what it shows, with the count of overwrite events it follows. */
static int build_overwrite(struct tree *t, const struct tree_ref *ref, struct snapshot *s)
{
	s->seq = card_overwrite_seq(ref->card);
	return build_rendered(t, ref, s);
}

static int build_empty(struct tree *t, const struct tree_ref *ref, struct snapshot *s)
{
	s->when = tree_fixed_time(t, ref);
	return 0;
}

/* Served by offset from the card; the size is fixed by the card. */
static int build_labels(struct tree *t, const struct tree_ref *ref, struct snapshot *s)
{
	s->len = card_label_size(ref->card);
	s->when = tree_fixed_time(t, ref);
	return 0;
}

/*
 * The newest dump, by its number: a later worker opens the same file
 * again for the handles that pin this snapshot (snapshot_dump_fd).
 */
static int build_dump(struct tree *t, const struct tree_ref *ref, struct snapshot *s)
{
	uint64_t seq = 0;
	size_t len = 0;
	int fd, rc = card_open_dump_seq(ref->card, &seq, &fd, &len, &s->when);

	if (rc == -ENOENT) {
		/* No dump collected yet: an empty file, dated when the card was opened. */
		s->when = tree_fixed_time(t, ref);
		return 0;
	}
	if (rc)
		return rc;
	t->dump_fds[snapshot_id(t, s)] = fd + 1;
	s->dump_seq = seq;
	s->len = len;
	return 0;
}

/* ---- how long a snapshot serves ---- */

static bool serves_while_young(struct tree *t, const struct tree_ref *ref,
			       const struct snapshot *s)
{
	return snapshot_may_serve(s);
}

/* Poll waiters must find what woke them: any new event renews it. */
static bool serves_until_an_event(struct tree *t, const struct tree_ref *ref,
				  const struct snapshot *s)
{
	return s->seq == card_event_seq(ref->card);
}

static uint64_t stream_now(struct tree *t, const struct tree_ref *ref)
{
	return ref->card ? card_stream_card_seq(ref->card) : card_stream_seq(t->stream);
}

static bool serves_until_a_stream_event(struct tree *t, const struct tree_ref *ref,
					const struct snapshot *s)
{
	return s->seq == stream_now(t, ref);
}

static uint64_t overwrite_now(struct tree *t, const struct tree_ref *ref)
{
	return card_overwrite_seq(ref->card);
}

/* Young, and no overwrite event since: a woken waiter finds what woke it. */
static bool serves_until_overwrite_moves(struct tree *t, const struct tree_ref *ref,
					 const struct snapshot *s)
{
	return snapshot_may_serve(s) && s->seq == overwrite_now(t, ref);
}

/* ---- reading ---- */

static ssize_t read_bytes(struct tree *t, const struct tree_ref *ref, const struct snapshot *s,
			  char *buf, size_t size, off_t off)
{
	memcpy(buf, snapbuf_bytes(&t->bytes, s->bytes) + off, size);
	return (ssize_t)size;
}

static ssize_t read_labels(struct tree *t, const struct tree_ref *ref, const struct snapshot *s,
			   char *buf, size_t size, off_t off)
{
	int rc = card_label_read(ref->card, buf, (uint32_t)off, (uint32_t)size);

	return rc ? rc : (ssize_t)size;
}

static ssize_t read_dump(struct tree *t, const struct tree_ref *ref, const struct snapshot *s,
			 char *buf, size_t size, off_t off)
{
	int fd = snapshot_dump_fd(t, ref, snapshot_id(t, s));
	ssize_t got;

	if (fd < 0)
		return fd;
	got = pread(fd, buf, size, off);
	return got < 0 ? -errno : got;
}

/* ---- writing ---- */

static int write_command(struct tree *t, const struct tree_ref *ref, const char *line,
			 const struct card_caller *who)
{
	if (ref->entry->store_mount)
		return ref->entry->store_mount(t, line, who);
	return ref->entry->store(ref->card, line, who);
}

/*
 * What the file shows may have changed, even by a failed command (the
 * heartbeat's outcome): the next stat or open renders it anew.  Open
 * handles (the writer's own among them) keep their generation.
 */
static int write_then_renew(struct tree *t, const struct tree_ref *ref, const char *line,
			    const struct card_caller *who)
{
	int rc = write_command(t, ref, line, who);

	pthread_mutex_lock(&ref->node->lock);
	snapshot_expire(t, ref);
	pthread_mutex_unlock(&ref->node->lock);
	return rc;
}

/* ---- poll ---- */

static uint64_t events_now(struct tree *t, const struct tree_ref *ref)
{
	return card_event_seq(ref->card);
}

static int poll_events(struct tree *t, uint64_t fh, const struct tree_ref *ref,
		       const struct snapshot *s, uint64_t kh)
{
	return tree_poll_events(t, fh, ref, events_now, s->seq, kh);
}

static int poll_stream(struct tree *t, uint64_t fh, const struct tree_ref *ref,
		       const struct snapshot *s, uint64_t kh)
{
	return tree_poll_events(t, fh, ref, stream_now, s->seq, kh);
}

static int poll_overwrite(struct tree *t, uint64_t fh, const struct tree_ref *ref,
			  const struct snapshot *s, uint64_t kh)
{
	return tree_poll_events(t, fh, ref, overwrite_now, s->seq, kh);
}

/* ---- the kinds ---- */

/* Identity: it cannot change while the card is mounted, so the kernel serves it. */
const struct tree_kind tree_kind_static = {
	.build = build_rendered,
	.read = read_bytes,
	.attr = TREE_ATTR_FIXED,
	.keep_cache = true,
};

/*
 * Two callers may hold two generations of it at once (a view kept for one,
 * a newer one current for another): no page cache, where they would mix.
 */
const struct tree_kind tree_kind_snapshot = {
	.build = build_rendered,
	.serves = serves_while_young,
	.read = read_bytes,
	.attr = TREE_ATTR_NONE,
	.direct_io = true,
	.write = write_then_renew,
};

const struct tree_kind tree_kind_labels = {
	.build = build_labels,
	.read = read_labels,
	.attr = TREE_ATTR_FIXED,
};

const struct tree_kind tree_kind_dump = {
	.build = build_dump,
	.serves = serves_while_young,
	.read = read_dump,
	.attr = TREE_ATTR_NONE,
	.direct_io = true,
};

/* Renewed by any new event, not by age: not cached at all. */
const struct tree_kind tree_kind_events = {
	.build = build_events,
	.serves = serves_until_an_event,
	.read = read_bytes,
	.attr = TREE_ATTR_NONE,
	.direct_io = true,
	.poll = poll_events,
};

/* events.json: as events, for the stream (docs/tree.md section 2.17). */
const struct tree_kind tree_kind_stream = {
	.build = build_stream,
	.serves = serves_until_a_stream_event,
	.read = read_bytes,
	.attr = TREE_ATTR_NONE,
	.direct_io = true,
	.poll = poll_stream,
};

/* overwrite: a snapshot file that poll() waits on until the overwrite moves. */
const struct tree_kind tree_kind_overwrite = {
	.build = build_overwrite,
	.serves = serves_until_overwrite_moves,
	.read = read_bytes,
	.attr = TREE_ATTR_NONE,
	.direct_io = true,
	.write = write_then_renew,
	.poll = poll_overwrite,
};

const struct tree_kind tree_kind_write_only = {
	.build = build_empty,
	.read = read_bytes,
	.attr = TREE_ATTR_FIXED,
	.write = write_command,
};
