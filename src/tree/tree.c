// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Inode numbers are computed, not allocated, so lookups need no table walk
 * and stay valid for the life of the mount:
 *   1                       the root
 *   2                       by-serial/
 *   3                       metrics.prom
 *   CARD_BASE + i*STRIDE    card i's directory
 *   ... + 1 + j             card i's file j (tree_card_files[j])
 *   ... + SIM_DIR_SLOT      card i's sim/ (simulated cards only)
 *   ... + SIM_DIR_SLOT+1+k  sim/ file k (tree_sim_files[k])
 *   ... + SYMLINK_SLOT      by-serial/<serial of card i>
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "card/card.h"
#include "tree/tree.h"
#include "util/log.h"

#define BY_SERIAL_INO 2u
#define METRICS_INO 3u
#define CARD_BASE 0x1000u
#define CARD_STRIDE 0x100u
#define SIM_DIR_SLOT 0x80u
#define SYMLINK_SLOT 0xFFu
#define NODES_PER_CARD (tree_card_nfiles + tree_sim_nfiles)

/*
 * One generation of a file's content.  The node holds one reference to its
 * current snapshot and every open handle one more, so a snapshot with more
 * than one reference is pinned and must not be replaced.
 */
struct snapshot {
	unsigned refs; /* under the node's lock */
	struct tree *owner; /* whose snapshot memory it counts against */
	bool charged;	    /* len bytes counted in owner->snap_bytes */
	uint64_t gen;	    /* per node, increasing: tells generations apart */
	struct timespec when;	  /* CLOCK_REALTIME: st_mtime/st_ctime */
	struct timespec born;	  /* CLOCK_MONOTONIC: for the TTL */
	size_t len;
	uint64_t seq; /* EVENTS: newest event shown */
	char *data; /* SNAPSHOT, STATIC, EVENTS */
	int fd;	    /* DUMP: the dump file, -1 if none */
};

struct tree_node {
	struct tree *tree;
	struct card *card;
	const struct tree_file *file;
	pthread_mutex_t lock;
	struct snapshot *snap;
	uint64_t gens;		/* generations built so far */
	uint64_t last_open_gen; /* generation the last open pinned */
	struct tree_handle *handles; /* open on this node, under lock */
};

struct tree_handle {
	struct tree_node *node;
	struct snapshot *snap;
	/* poll(): the front end's waiter, on its card's list; under poll_lock */
	void *waiter;
	struct tree_handle *wprev, *wnext;
	bool same_content; /* pinned what the previous open pinned */
	/*
	 * On the node's list, under its lock: a handle the kernel never
	 * releases (the file was still open at unmount) is freed by tree_free.
	 */
	struct tree_handle *hprev, *hnext;
};

struct tree {
	unsigned ncards;
	struct card **cards;
	char (*names)[12];	 /* card directory names */
	struct tree_node *nodes; /* ncards * NODES_PER_CARD */
	struct tree_node metrics; /* MOUNTPOINT/metrics.prom (card NULL) */
	struct timespec mounted;
	uid_t uid;
	gid_t gid;

	pthread_mutex_t poll_lock;
	struct tree_hooks hooks;
	struct tree_handle **waiting; /* per card: handles with a waiter */
	bool *shown;		      /* per card: visible at the last notification */

	/* Bounds (docs/tree.md, "Limits"); atomics. */
	size_t snap_bytes;
	unsigned handles;
	struct tree_limits limits;
};

static void tree_events_notify(void *arg, unsigned card);

int tree_new(struct card **cards, unsigned ncards, struct tree **out)
{
	struct tree *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->ncards = ncards;
	t->cards = cards;
	t->names = calloc(ncards ? ncards : 1, sizeof(*t->names));
	t->nodes = calloc(ncards ? ncards * NODES_PER_CARD : 1, sizeof(*t->nodes));
	t->waiting = calloc(ncards ? ncards : 1, sizeof(*t->waiting));
	t->shown = calloc(ncards ? ncards : 1, sizeof(*t->shown));
	pthread_mutex_init(&t->poll_lock, NULL);
	if (!t->names || !t->nodes || !t->waiting || !t->shown) {
		tree_free(t);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < ncards; i++) {
		snprintf(t->names[i], sizeof(t->names[i]), "%u", i);
		for (size_t j = 0; j < NODES_PER_CARD; j++) {
			struct tree_node *n = &t->nodes[i * NODES_PER_CARD + j];

			n->tree = t;
			n->card = cards[i];
			n->file = j < tree_card_nfiles ? &tree_card_files[j]
						       : &tree_sim_files[j - tree_card_nfiles];
			pthread_mutex_init(&n->lock, NULL);
		}
		t->shown[i] = card_get_state(cards[i]) != CARD_GONE;
		card_set_event_notify(cards[i], tree_events_notify, t);
	}
	tree_set_limits(t, &(struct tree_limits){ 0 });
	t->metrics.tree = t;
	t->metrics.file = &tree_metrics_file;
	pthread_mutex_init(&t->metrics.lock, NULL);
	clock_gettime(CLOCK_REALTIME, &t->mounted);
	t->uid = getuid();
	t->gid = getgid();
	*out = t;
	return 0;
}

static void snapshot_put(struct snapshot *s)
{
	if (!s || --s->refs)
		return;
	if (s->charged)
		__atomic_sub_fetch(&s->owner->snap_bytes, s->len, __ATOMIC_RELAXED);
	if (s->fd >= 0)
		close(s->fd);
	free(s->data);
	free(s);
}

static void handle_free(struct tree *t, struct tree_handle *h);

/* Frees the node's snapshot and the handles still open on it (no RELEASE came). */
static void node_free(struct tree *t, struct tree_node *n)
{
	while (n->handles)
		handle_free(t, n->handles);
	snapshot_put(n->snap);
	pthread_mutex_destroy(&n->lock);
}

void tree_free(struct tree *t)
{
	if (!t)
		return;
	for (size_t k = 0; t->nodes && k < t->ncards * NODES_PER_CARD; k++)
		node_free(t, &t->nodes[k]);
	for (unsigned i = 0; t->nodes && i < t->ncards; i++)
		card_set_event_notify(t->cards[i], NULL, NULL);
	node_free(t, &t->metrics);
	pthread_mutex_destroy(&t->poll_lock);
	free(t->waiting);
	free(t->shown);
	free(t->nodes);
	free(t->names);
	free(t);
}

/* A vanished card's directory and link are hidden until it answers again. */
static bool card_shown(const struct tree *t, unsigned i)
{
	return card_get_state(t->cards[i]) != CARD_GONE;
}

void tree_set_limits(struct tree *t, const struct tree_limits *limits)
{
	t->limits.max_handles = limits->max_handles ? limits->max_handles : TREE_MAX_HANDLES;
	t->limits.max_snapshot_bytes = limits->max_snapshot_bytes ? limits->max_snapshot_bytes
								  : TREE_MAX_SNAPSHOT_BYTES;
}

/* ---- inode arithmetic ---- */

static uint64_t card_dir_ino(unsigned i)
{
	return CARD_BASE + (uint64_t)i * CARD_STRIDE;
}

/* Splits ino into card and slot; false if it is not a card inode. */
static bool ino_split(const struct tree *t, uint64_t ino, unsigned *card, unsigned *slot)
{
	if (ino < CARD_BASE)
		return false;
	*card = (ino - CARD_BASE) / CARD_STRIDE;
	*slot = (ino - CARD_BASE) % CARD_STRIDE;
	if (*card >= t->ncards)
		return false;
	if (*slot == 0 || *slot == SYMLINK_SLOT || *slot <= tree_card_nfiles)
		return true;
	return card_is_simulated(t->cards[*card]) && *slot >= SIM_DIR_SLOT &&
	       *slot <= SIM_DIR_SLOT + tree_sim_nfiles;
}

static struct tree_node *ino_node(struct tree *t, uint64_t ino)
{
	unsigned card, slot;
	size_t idx;

	if (ino == METRICS_INO)
		return &t->metrics;
	if (!ino_split(t, ino, &card, &slot) || slot == 0 || slot == SYMLINK_SLOT ||
	    slot == SIM_DIR_SLOT)
		return NULL;
	idx = slot <= tree_card_nfiles ? slot - 1 : tree_card_nfiles + (slot - SIM_DIR_SLOT - 1);
	return &t->nodes[card * NODES_PER_CARD + idx];
}

/* ---- snapshots ---- */

static long long age_ms(const struct timespec *born)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - born->tv_sec) * 1000LL + (now.tv_nsec - born->tv_nsec) / 1000000;
}

/* Counts LEN bytes of snapshot memory; false (nothing counted) past the limit. */
static bool snapshot_charge(struct tree *t, size_t len)
{
	size_t now = __atomic_load_n(&t->snap_bytes, __ATOMIC_RELAXED);

	do {
		if (len > t->limits.max_snapshot_bytes - now)
			return false;
	} while (!__atomic_compare_exchange_n(&t->snap_bytes, &now, now + len, true,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return true;
}

/* Renders a text file's content into s->data: every rendered kind comes here. */
static int snapshot_render(struct tree_node *n, struct snapshot *s)
{
	FILE *mem = open_memstream(&s->data, &s->len);
	int rc;

	if (!mem)
		return -errno;
	if (n->file->kind == TREE_FILE_EVENTS)
		rc = card_render_events(n->card, mem, &s->seq);
	else if (n->file->kind == TREE_FILE_METRICS)
		rc = n->file->render_all(n->tree->cards, n->tree->ncards, mem);
	else
		rc = n->file->render(n->card, mem);
	if (fclose(mem) && !rc)
		rc = -EIO;
	return rc;
}

static int snapshot_build(struct tree_node *n, struct snapshot **out)
{
	struct snapshot *s = calloc(1, sizeof(*s));
	int rc = 0;

	if (!s)
		return -ENOMEM;
	s->refs = 1;
	s->gen = ++n->gens;
	s->owner = n->tree;
	s->fd = -1;
	clock_gettime(CLOCK_REALTIME, &s->when);
	clock_gettime(CLOCK_MONOTONIC, &s->born);

	switch (n->file->kind) {
	case TREE_FILE_STATIC:
	case TREE_FILE_SNAPSHOT:
	case TREE_FILE_METRICS:
	case TREE_FILE_EVENTS:
		rc = snapshot_render(n, s);
		break;
	case TREE_FILE_CONTROL:
		s->when = *card_opened(n->card);
		break;
	case TREE_FILE_LABELS:
		/* Served by offset from the card; the size is fixed by the card. */
		s->len = card_label_size(n->card);
		s->when = *card_opened(n->card);
		break;
	case TREE_FILE_DUMP:
		rc = card_open_dump(n->card, &s->fd, &s->len, &s->when);
		if (rc == -ENOENT) {
			/* No dump collected yet: an empty file, dated at mount. */
			s->len = 0;
			s->when = *card_opened(n->card);
			rc = 0;
		}
		break;
	}
	if (!rc && s->data) {
		s->charged = snapshot_charge(n->tree, s->len);
	}
	if (!rc && s->data && !s->charged) {
		log_warn("%s%s: %zu bytes would pass the snapshot memory limit (%zu MiB)",
			 n->card ? card_serial(n->card) : "", n->file->name, s->len,
			 n->tree->limits.max_snapshot_bytes >> 20);
		free(s->data);
		s->data = NULL;
		rc = -ENOMEM;
	}
	if (rc) {
		snapshot_put(s);
		return rc;
	}
	*out = s;
	return 0;
}

/*
 * The snapshot getattr and open should see, with the node locked.  A
 * snapshot is replaced only when nobody has it open and it is older than
 * the TTL, so stat-open-read-fstat (tar) sees one size and one ctime.
 */
static int node_current(struct tree_node *n, struct snapshot **out)
{
	struct snapshot *s = n->snap, *fresh;
	int rc;

	if (s) {
		bool fixed = n->file->kind == TREE_FILE_STATIC || n->file->kind == TREE_FILE_LABELS ||
			     n->file->kind == TREE_FILE_CONTROL;

		if (n->file->kind == TREE_FILE_EVENTS) {
			/* Poll waiters must find what woke them: any new event renews it. */
			if (s->seq == card_event_seq(n->card)) {
				*out = s;
				return 0;
			}
		} else if (fixed || s->refs > 1 || age_ms(&s->born) < TREE_SNAPSHOT_TTL_MS) {
			*out = s;
			return 0;
		}
	}
	rc = snapshot_build(n, &fresh);
	if (rc)
		return rc;
	snapshot_put(n->snap);
	n->snap = fresh;
	*out = fresh;
	return 0;
}

/* ---- attributes ---- */

static void stat_dir(const struct tree *t, uint64_t ino, nlink_t nlink, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_mode = S_IFDIR | 0555;
	st->st_nlink = nlink;
	st->st_uid = t->uid;
	st->st_gid = t->gid;
	st->st_mtim = st->st_ctim = st->st_atim = t->mounted;
	st->st_blksize = 4096;
}

static void stat_file(const struct tree *t, uint64_t ino, const struct tree_node *n,
		      const struct snapshot *s, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_mode = S_IFREG | n->file->mode;
	st->st_nlink = 1;
	st->st_uid = t->uid;
	st->st_gid = t->gid;
	st->st_size = (off_t)s->len;
	st->st_blocks = (s->len + 511) / 512;
	st->st_blksize = 4096;
	st->st_mtim = st->st_ctim = st->st_atim = s->when;
}

static void stat_symlink(const struct tree *t, uint64_t ino, unsigned card, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_mode = S_IFLNK | 0777;
	st->st_nlink = 1;
	st->st_uid = t->uid;
	st->st_gid = t->gid;
	st->st_size = (off_t)(3 + strlen(t->names[card])); /* "../N" */
	st->st_mtim = st->st_ctim = st->st_atim = t->mounted;
}

/* What the kernel may cache about node N (NULL: a directory or symlink). */
static void policy_for(const struct tree_node *n, struct tree_cache *cache)
{
	/*
	 * Names and the attributes of directories and links are fixed for the
	 * life of the mount; a card that vanishes or returns has its names
	 * invalidated explicitly by the monitor (tree_events_notify).
	 */
	cache->entry_timeout = 3600.0;
	cache->attr_timeout = 3600.0;
	cache->keep_cache = false;
	if (!n)
		return;
	switch (n->file->kind) {
	case TREE_FILE_STATIC:
		/* Identity cannot change while the card is mounted: let the kernel serve it. */
		cache->keep_cache = true;
		break;
	case TREE_FILE_SNAPSHOT:
	case TREE_FILE_DUMP:
	case TREE_FILE_EVENTS:
	case TREE_FILE_METRICS:
		/* Every stat must reach the snapshot logic, unless stat_cached() says otherwise. */
		cache->attr_timeout = 0.0;
		break;
	case TREE_FILE_LABELS:
	case TREE_FILE_CONTROL:
		break; /* size fixed (label area) or 0 */
	}
}

/*
 * A snapshot cannot be replaced before it is TREE_SNAPSHOT_TTL_MS old, so
 * the kernel may keep its size until shortly before then: stat, open and
 * read then cost no extra GETATTR.  Computed under the node's lock, from
 * the snapshot the attributes came from.  Not for events, which is
 * renewed by any new event.
 */
#define TREE_ATTR_MARGIN_MS 100

static void stat_cached(const struct tree_node *n, const struct snapshot *s,
			struct tree_cache *cache)
{
	long long left;

	if (!cache)
		return;
	policy_for(n, cache);
	if (n->file->kind != TREE_FILE_SNAPSHOT && n->file->kind != TREE_FILE_DUMP &&
	    n->file->kind != TREE_FILE_METRICS)
		return;
	left = TREE_SNAPSHOT_TTL_MS - TREE_ATTR_MARGIN_MS - age_ms(&s->born);
	cache->attr_timeout = left > 0 ? (double)left / 1000.0 : 0.0;
}

static int stat_node(struct tree *t, uint64_t ino, struct tree_node *n, struct stat *st,
		     struct tree_cache *cache)
{
	struct snapshot *s;
	int rc;

	pthread_mutex_lock(&n->lock);
	rc = node_current(n, &s);
	if (!rc) {
		stat_file(t, ino, n, s, st);
		stat_cached(n, s, cache);
	}
	pthread_mutex_unlock(&n->lock);
	return rc;
}

int tree_getattr(struct tree *t, uint64_t ino, struct stat *st, struct tree_cache *cache)
{
	unsigned card, slot;

	if (cache)
		policy_for(NULL, cache);
	if (ino == TREE_ROOT_INO) {
		stat_dir(t, ino, 3 + t->ncards, st);
		return 0;
	}
	if (ino == BY_SERIAL_INO) {
		stat_dir(t, ino, 2, st);
		return 0;
	}
	if (ino == METRICS_INO)
		return stat_node(t, ino, &t->metrics, st, cache);
	if (!ino_split(t, ino, &card, &slot))
		return -ENOENT;
	/* Names of a vanished card are gone (lookup); inodes still held get ENODEV. */
	if (!card_shown(t, card))
		return -ENODEV;
	if (slot == 0) {
		stat_dir(t, ino, card_is_simulated(t->cards[card]) ? 3 : 2, st);
		return 0;
	}
	if (slot == SIM_DIR_SLOT) {
		stat_dir(t, ino, 2, st);
		return 0;
	}
	if (slot == SYMLINK_SLOT) {
		stat_symlink(t, ino, card, st);
		return 0;
	}
	return stat_node(t, ino, ino_node(t, ino), st, cache);
}

void tree_cache_policy(struct tree *t, uint64_t ino, struct tree_cache *cache)
{
	policy_for(ino_node(t, ino), cache);
}

int tree_lookup(struct tree *t, uint64_t parent, const char *name, struct stat *st,
		struct tree_cache *cache)
{
	unsigned card, slot;

	if (parent == TREE_ROOT_INO) {
		if (!strcmp(name, "by-serial"))
			return tree_getattr(t, BY_SERIAL_INO, st, cache);
		if (!strcmp(name, tree_metrics_file.name))
			return tree_getattr(t, METRICS_INO, st, cache);
		for (unsigned i = 0; i < t->ncards; i++)
			if (!strcmp(name, t->names[i]))
				return card_shown(t, i) ? tree_getattr(t, card_dir_ino(i), st, cache)
							: -ENOENT;
		return -ENOENT;
	}
	if (parent == BY_SERIAL_INO) {
		for (unsigned i = 0; i < t->ncards; i++)
			if (!strcmp(name, card_serial(t->cards[i])) && card_shown(t, i))
				return tree_getattr(t, card_dir_ino(i) + SYMLINK_SLOT, st, cache);
		return -ENOENT;
	}
	if (!ino_split(t, parent, &card, &slot) || !card_shown(t, card))
		return -ENOENT;
	if (slot == SIM_DIR_SLOT) {
		for (size_t k = 0; k < tree_sim_nfiles; k++)
			if (!strcmp(name, tree_sim_files[k].name))
				return tree_getattr(t, parent + 1 + k, st, cache);
		return -ENOENT;
	}
	if (slot != 0)
		return -ENOTDIR;
	for (size_t j = 0; j < tree_card_nfiles; j++)
		if (!strcmp(name, tree_card_files[j].name))
			return tree_getattr(t, parent + 1 + j, st, cache);
	if (card_is_simulated(t->cards[card]) && !strcmp(name, "sim"))
		return tree_getattr(t, parent + SIM_DIR_SLOT, st, cache);
	return -ENOENT;
}

int tree_readlink(struct tree *t, uint64_t ino, char *buf, size_t cap)
{
	unsigned card, slot;

	if (!ino_split(t, ino, &card, &slot) || slot != SYMLINK_SLOT)
		return -EINVAL;
	if ((size_t)snprintf(buf, cap, "../%s", t->names[card]) >= cap)
		return -ENAMETOOLONG;
	return 0;
}

/* Directory listings report mode and inode only: sizes come from getattr. */
static void stat_entry(uint64_t ino, mode_t mode, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_mode = mode;
}

int tree_dir_entry(struct tree *t, uint64_t dir, size_t idx, const char **name,
		   struct stat *st)
{
	unsigned card, slot;

	if (dir == TREE_ROOT_INO) {
		if (idx < t->ncards) {
			if (!card_shown(t, (unsigned)idx))
				return -EAGAIN;
			*name = t->names[idx];
			stat_entry(card_dir_ino(idx), S_IFDIR, st);
			return 0;
		}
		if (idx == t->ncards) {
			*name = "by-serial";
			stat_entry(BY_SERIAL_INO, S_IFDIR, st);
			return 0;
		}
		if (idx == t->ncards + 1) {
			*name = tree_metrics_file.name;
			stat_entry(METRICS_INO, S_IFREG, st);
			return 0;
		}
		return -ENOENT;
	}
	if (dir == BY_SERIAL_INO) {
		if (idx >= t->ncards)
			return -ENOENT;
		if (!card_shown(t, (unsigned)idx))
			return -EAGAIN;
		*name = card_serial(t->cards[idx]);
		stat_entry(card_dir_ino(idx) + SYMLINK_SLOT, S_IFLNK, st);
		return 0;
	}
	if (!ino_split(t, dir, &card, &slot) || !card_shown(t, card))
		return -ENOENT;
	if (slot == SIM_DIR_SLOT) {
		if (idx >= tree_sim_nfiles)
			return -ENOENT;
		*name = tree_sim_files[idx].name;
		stat_entry(dir + 1 + idx, S_IFREG, st);
		return 0;
	}
	if (slot != 0)
		return -ENOTDIR;
	if (idx < tree_card_nfiles) {
		*name = tree_card_files[idx].name;
		stat_entry(dir + 1 + idx, S_IFREG, st);
		return 0;
	}
	if (idx == tree_card_nfiles && card_is_simulated(t->cards[card])) {
		*name = "sim";
		stat_entry(dir + SIM_DIR_SLOT, S_IFDIR, st);
		return 0;
	}
	return -ENOENT;
}

/* ---- open files ---- */

int tree_open(struct tree *t, uint64_t ino, int flags, struct tree_handle **out)
{
	struct tree_node *n = ino_node(t, ino);
	struct tree_handle *h;
	struct snapshot *s;
	int rc;

	if (!n) {
		unsigned card, slot;

		return ino_split(t, ino, &card, &slot) || ino <= BY_SERIAL_INO ? -EISDIR : -ENOENT;
	}
	/*
	 * Writing needs something to do.  A write-only control file reads as
	 * empty (its st_size is 0) for root, so `tar` of the tree stays clean.
	 */
	if ((flags & O_ACCMODE) != O_RDONLY && !n->file->store)
		return -EACCES;
	if (n->card && !card_shown(t, (unsigned)((size_t)(n - t->nodes) / NODES_PER_CARD)))
		return -ENOENT;
	if (__atomic_add_fetch(&t->handles, 1, __ATOMIC_RELAXED) > t->limits.max_handles) {
		__atomic_sub_fetch(&t->handles, 1, __ATOMIC_RELAXED);
		return -EMFILE;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		__atomic_sub_fetch(&t->handles, 1, __ATOMIC_RELAXED);
		return -ENOMEM;
	}
	h->node = n;
	pthread_mutex_lock(&n->lock);
	rc = node_current(n, &s);
	if (!rc) {
		s->refs++;
		/*
		 * Compare generations, not pointers: a freed snapshot's address
		 * can come back.  Dumps are files the kernel may not keep across
		 * a newer collection, so only rendered content counts.
		 */
		h->same_content = (n->file->kind == TREE_FILE_SNAPSHOT ||
				   n->file->kind == TREE_FILE_METRICS) &&
				  s->gen == n->last_open_gen;
		n->last_open_gen = s->gen;
		h->snap = s;
		h->hnext = n->handles;
		if (h->hnext)
			h->hnext->hprev = h;
		n->handles = h;
	}
	pthread_mutex_unlock(&n->lock);
	if (rc) {
		free(h);
		__atomic_sub_fetch(&t->handles, 1, __ATOMIC_RELAXED);
		return rc;
	}
	*out = h;
	return 0;
}

bool tree_handle_same_content(const struct tree_handle *h)
{
	return h->same_content;
}

ssize_t tree_read(struct tree *t, struct tree_handle *h, char *buf, size_t size, off_t off)
{
	const struct snapshot *s = h->snap;
	size_t n;
	ssize_t got;
	int rc;

	if (off < 0)
		return -EINVAL;
	/* The card went away under an open file: say so, even for held snapshots. */
	if (h->node->card && card_get_state(h->node->card) == CARD_GONE)
		return -ENODEV;
	if ((size_t)off >= s->len)
		return 0;
	n = s->len - (size_t)off < size ? s->len - (size_t)off : size;

	switch (h->node->file->kind) {
	case TREE_FILE_STATIC:
	case TREE_FILE_SNAPSHOT:
	case TREE_FILE_EVENTS:
	case TREE_FILE_METRICS:
		memcpy(buf, s->data + off, n);
		return (ssize_t)n;
	case TREE_FILE_LABELS:
		rc = card_label_read(h->node->card, buf, (uint32_t)off, (uint32_t)n);
		return rc ? rc : (ssize_t)n;
	case TREE_FILE_DUMP:
		got = pread(s->fd, buf, n, off);
		return got < 0 ? -errno : got;
	case TREE_FILE_CONTROL:
		break;
	}
	return -EIO;
}

ssize_t tree_write(struct tree *t, struct tree_handle *h, const char *buf, size_t size,
		   const struct card_caller *who)
{
	struct tree_node *n = h->node;
	char line[TREE_CONTROL_MAX + 1];
	size_t len = size;
	int rc;

	if (!n->file->store)
		return -EACCES;
	if (card_get_state(n->card) == CARD_GONE && !n->file->outlives_card)
		return -ENODEV;
	if (size == 0 || size > TREE_CONTROL_MAX)
		return -EINVAL;
	if (buf[len - 1] == '\n' || buf[len - 1] == '\0')
		len--;
	if (len == 0 || memchr(buf, '\n', len) || memchr(buf, '\0', len))
		return -EINVAL;
	memcpy(line, buf, len);
	line[len] = '\0';
	rc = n->file->store(n->card, line, who);
	/*
	 * What the file shows may have changed, even by a failed command (the
	 * heartbeat's outcome): the next stat or open regenerates it.  Open
	 * handles (the writer's own among them) keep their generation.
	 */
	pthread_mutex_lock(&n->lock);
	if (n->file->kind == TREE_FILE_SNAPSHOT && n->snap) {
		snapshot_put(n->snap);
		n->snap = NULL;
	}
	pthread_mutex_unlock(&n->lock);
	return rc ? rc : (ssize_t)size;
}

int tree_truncate(struct tree *t, uint64_t ino, off_t size, struct stat *st,
		  struct tree_cache *cache)
{
	struct tree_node *n = ino_node(t, ino);

	if (!n)
		return -EPERM; /* directories and symlinks */
	if (!n->file->store)
		return -EACCES;
	if (size != 0)
		return -EINVAL;
	return tree_getattr(t, ino, st, cache);
}

/* ---- poll ---- */

static unsigned handle_card(const struct tree *t, const struct tree_handle *h)
{
	return (unsigned)((size_t)(h->node - t->nodes) / NODES_PER_CARD);
}

/* With poll_lock held. */
static void waiter_unlink(struct tree *t, struct tree_handle *h)
{
	struct tree_handle **head = &t->waiting[handle_card(t, h)];

	if (h->wprev)
		h->wprev->wnext = h->wnext;
	else if (*head == h)
		*head = h->wnext;
	if (h->wnext)
		h->wnext->wprev = h->wprev;
	h->wprev = h->wnext = NULL;
}

void tree_set_hooks(struct tree *t, const struct tree_hooks *hooks)
{
	pthread_mutex_lock(&t->poll_lock);
	t->hooks = *hooks;
	pthread_mutex_unlock(&t->poll_lock);
}

/*
 * Runs in the monitor thread that posted the event: wakes the card's poll
 * waiters and, when the card vanished or came back, tells the kernel to
 * forget the names it may have cached (static files are cached for an hour).
 */
static void tree_events_notify(void *arg, unsigned card)
{
	struct tree *t = arg;
	struct tree_handle *h;
	bool shown = card_shown(t, card), changed;

	pthread_mutex_lock(&t->poll_lock);
	while ((h = t->waiting[card])) {
		void *w = h->waiter;

		waiter_unlink(t, h);
		h->waiter = NULL;
		if (t->hooks.wake)
			t->hooks.wake(t->hooks.ctx, w);
	}
	changed = shown != t->shown[card];
	t->shown[card] = shown;
	pthread_mutex_unlock(&t->poll_lock);

	if (changed && t->hooks.inval_entry) {
		log_notice("card %u (serial %s) %s", card, card_serial(t->cards[card]),
			   shown ? "is back: its directory is shown again"
				 : "vanished: its directory is hidden");
		t->hooks.inval_entry(t->hooks.ctx, TREE_ROOT_INO, t->names[card]);
		t->hooks.inval_entry(t->hooks.ctx, BY_SERIAL_INO, card_serial(t->cards[card]));
	}
}

int tree_poll(struct tree *t, struct tree_handle *h, void *waiter)
{
	struct tree_node *n = h->node;
	unsigned card;
	int rc = 0;

	if (n->file->kind != TREE_FILE_EVENTS)
		return TREE_POLL_READY;
	card = handle_card(t, h);
	pthread_mutex_lock(&t->poll_lock);
	/* Under poll_lock: an event posted after this check finds the waiter. */
	if (card_event_seq(n->card) != h->snap->seq) {
		rc = TREE_POLL_READY;
	} else if (waiter) {
		if (h->waiter && t->hooks.drop)
			t->hooks.drop(t->hooks.ctx, h->waiter);
		else if (!h->waiter) {
			h->wprev = NULL;
			h->wnext = t->waiting[card];
			if (h->wnext)
				h->wnext->wprev = h;
			t->waiting[card] = h;
		}
		h->waiter = waiter;
	}
	pthread_mutex_unlock(&t->poll_lock);
	return rc;
}

/* Drops H's waiter, snapshot and slot; the node's lock must not be held. */
static void handle_free(struct tree *t, struct tree_handle *h)
{
	struct tree_node *n = h->node;

	pthread_mutex_lock(&t->poll_lock);
	if (h->waiter) {
		waiter_unlink(t, h);
		if (t->hooks.drop)
			t->hooks.drop(t->hooks.ctx, h->waiter);
		h->waiter = NULL;
	}
	pthread_mutex_unlock(&t->poll_lock);

	pthread_mutex_lock(&n->lock);
	if (h->hprev)
		h->hprev->hnext = h->hnext;
	else
		n->handles = h->hnext;
	if (h->hnext)
		h->hnext->hprev = h->hprev;
	snapshot_put(h->snap);
	pthread_mutex_unlock(&n->lock);
	free(h);
	__atomic_sub_fetch(&t->handles, 1, __ATOMIC_RELAXED);
}

void tree_release(struct tree *t, struct tree_handle *h)
{
	handle_free(t, h);
}
