// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Controller dump store (see dump_store.h).
 *
 * Layout of a card's directory:
 *   dump-<seq>.bin     committed dumps, seq zero-padded and increasing
 *   .dump-XXXXXX.tmp   a dump being collected
 *
 * A dump is streamed with pwrite into a temporary file whose blocks were
 * allocated up front, cut to its final size and fsync'd once at commit,
 * renamed into place, and the directory fsync'd: only then may the caller
 * tell the card "dump complete".  No mapping: the daemon's memory does not
 * grow with the dump (the page cache holds it until writeback), and a full
 * or failing disk is an -errno from pwrite or fsync, never a SIGBUS.  Readers hold an fd,
 * so a newer commit or the pruning of old dumps never changes what an open
 * file shows.  A .tmp left by a daemon killed mid-collection is incomplete
 * by definition (the card still holds the dump) and is deleted at open.
 *
 * Thread safety: the store has a mutex for the directory (sequence
 * numbers, commit, prune, open_newest); one writer is used by one thread.
 * An exclusive flock on the directory keeps a second daemon out (-EBUSY),
 * since it would delete our temporary files.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/dump_store.h"
#include "util/durable.h"
#include "util/log.h"
#include "util/path.h"
#include "util/pmem.h"

#define DUMP_PREFIX "dump-"
#define DUMP_SUFFIX ".bin"
#define TMP_PREFIX  ".dump-"
#define TMP_SUFFIX  ".tmp"

struct dump_hold {
	uint64_t seq;
	unsigned count;
};

struct dump_store {
	char *dir; /* absolute: the daemon chdirs to / */
	int dirfd;
	unsigned keep;
	uint64_t last_seq;
	pthread_mutex_t lock;
	int last_error; /* atomic: read without the lock */
	/* Dumps a reader still shows (dump_store_hold): pruning leaves them. */
	struct dump_hold *holds;
	size_t nholds;
};

static void note_error(struct dump_store *ds, int rc)
{
	__atomic_store_n(&ds->last_error, rc, __ATOMIC_RELAXED);
}

struct dump_writer {
	struct dump_store *ds;
	char *tmppath;
	int fd;
	size_t max_size;
	int error; /* the first failed write: commit fails with it */
};

static bool has_affixes(const char *name, const char *prefix, const char *suffix)
{
	size_t n = strlen(name), p = strlen(prefix), s = strlen(suffix);

	return n > p + s && !strncmp(name, prefix, p) && !strcmp(name + n - s, suffix);
}

/* "dump-<digits>.bin" -> seq; false for anything else. */
static bool parse_seq(const char *name, uint64_t *seq)
{
	const char *p = name + strlen(DUMP_PREFIX);
	uint64_t v = 0;

	if (!has_affixes(name, DUMP_PREFIX, DUMP_SUFFIX))
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (strcmp(p, DUMP_SUFFIX))
		return false;
	*seq = v;
	return true;
}

static void seq_name(char *buf, size_t size, uint64_t seq)
{
	snprintf(buf, size, DUMP_PREFIX "%012" PRIu64 DUMP_SUFFIX, seq);
}

static int cmp_seq(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Committed dumps, oldest first (*seqs malloc'd, may be NULL when *n is 0).
 * With remove_tmp, also deletes leftover temporary files.
 */
static int list_dumps(struct dump_store *ds, bool remove_tmp, uint64_t **seqs, size_t *n)
{
	uint64_t *v = NULL, seq;
	size_t cnt = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int fd, ret = 0;

	*seqs = NULL;
	*n = 0;
	/* A fresh fd: readdir must not share a position with dirfd. */
	fd = openat(ds->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		ret = -errno;
		close(fd);
		return ret;
	}
	while ((errno = 0, de = readdir(d))) {
		if (remove_tmp && has_affixes(de->d_name, TMP_PREFIX, TMP_SUFFIX)) {
			if (unlinkat(ds->dirfd, de->d_name, 0) && errno != ENOENT)
				log_warn("dump store %s: cannot remove %s: %s", ds->dir, de->d_name,
					 strerror(errno));
			else
				log_notice("dump store %s: removed incomplete dump %s", ds->dir,
					   de->d_name);
			continue;
		}
		if (!parse_seq(de->d_name, &seq))
			continue;
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			uint64_t *nv = realloc(v, ncap * sizeof(*nv));

			if (!nv) {
				ret = -ENOMEM;
				goto out;
			}
			v = nv;
			cap = ncap;
		}
		v[cnt++] = seq;
	}
	if (errno) {
		ret = -errno;
		goto out;
	}
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_seq);
	*seqs = v;
	*n = cnt;
	v = NULL;
out:
	free(v);
	closedir(d);
	return ret;
}

int dump_store_open(const char *dir, unsigned keep, struct dump_store **out)
{
	struct dump_store *ds;
	uint64_t *seqs = NULL;
	size_t n;
	int ret;

	*out = NULL;
	if (!dir || !*dir)
		return -EINVAL;
	ds = calloc(1, sizeof(*ds));
	if (!ds)
		return -ENOMEM;
	ds->dirfd = -1;
	ds->keep = keep ? keep : DUMP_STORE_DEFAULT_KEEP;
	pthread_mutex_init(&ds->lock, NULL);

	ret = mkdir_p(dir, 0700);
	if (ret)
		goto fail;
	ds->dir = realpath(dir, NULL);
	if (!ds->dir) {
		ret = -errno;
		goto fail;
	}
	ds->dirfd = open(ds->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ds->dirfd < 0) {
		ret = -errno;
		goto fail;
	}
	if (flock(ds->dirfd, LOCK_EX | LOCK_NB)) {
		ret = errno == EWOULDBLOCK ? -EBUSY : -errno;
		goto fail;
	}
	ret = list_dumps(ds, true, &seqs, &n);
	if (ret)
		goto fail;
	ds->last_seq = n ? seqs[n - 1] : 0;
	free(seqs);
	*out = ds;
	return 0;
fail:
	log_err("dump store %s: %s", dir, strerror(-ret));
	dump_store_close(ds);
	return ret;
}

void dump_store_close(struct dump_store *ds)
{
	if (!ds)
		return;
	if (ds->dirfd >= 0)
		close(ds->dirfd);
	pthread_mutex_destroy(&ds->lock);
	free(ds->holds);
	free(ds->dir);
	free(ds);
}

static void writer_free(struct dump_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	if (w->tmppath) {
		unlink(w->tmppath);
		free(w->tmppath);
	}
	free(w);
}

int dump_store_begin(struct dump_store *ds, size_t max_size, struct dump_writer **out)
{
	struct dump_writer *w;
	int ret;

	*out = NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->ds = ds;
	w->fd = -1;
	w->max_size = max_size;
	if (asprintf(&w->tmppath, "%s/" TMP_PREFIX "XXXXXX" TMP_SUFFIX, ds->dir) < 0) {
		w->tmppath = NULL;
		ret = -ENOMEM;
		goto fail;
	}
	w->fd = mkostemps(w->tmppath, strlen(TMP_SUFFIX), O_CLOEXEC);
	if (w->fd < 0) {
		ret = -errno;
		free(w->tmppath);
		w->tmppath = NULL;
		goto fail;
	}
	/*
	 * Allocate the blocks now: a full disk is a clean -ENOSPC before the
	 * card is asked for anything, not a failure half-way through.
	 */
	if (max_size > (size_t)INT64_MAX) {
		ret = -EFBIG;
		goto fail;
	}
	ret = ocxlfs_file_allocate(w->fd, 0, (off_t)max_size);
	if (ret)
		goto fail;
	*out = w;
	return 0;
fail:
	/* The caller logs it: a full disk fails every collection, it says so once. */
	log_dbg("dump store %s: cannot start a dump of %zu bytes: %s", ds->dir, max_size,
		strerror(-ret));
	note_error(ds, ret);
	writer_free(w);
	return ret;
}

int dump_writer_write(struct dump_writer *w, size_t off, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (off > w->max_size || len > w->max_size - off)
		return -EINVAL;
	if (w->error)
		return w->error;
	/* Not durable yet: commit syncs the whole file once. */
	while (len) {
		ssize_t n = pwrite(w->fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			w->error = n < 0 ? -errno : -EIO;
			note_error(w->ds, w->error);
			return w->error;
		}
		p += n;
		off += (size_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static struct dump_hold *find_hold(struct dump_store *ds, uint64_t seq)
{
	for (size_t i = 0; i < ds->nholds; i++)
		if (ds->holds[i].seq == seq)
			return &ds->holds[i];
	return NULL;
}

/* Deletes the oldest dumps beyond keep that no reader holds; failures only cost disk space. */
static void prune(struct dump_store *ds)
{
	uint64_t *seqs;
	size_t n;
	char name[64];

	if (list_dumps(ds, false, &seqs, &n))
		return;
	for (size_t i = 0; i + ds->keep < n; i++) {
		if (find_hold(ds, seqs[i]))
			continue;
		seq_name(name, sizeof(name), seqs[i]);
		if (unlinkat(ds->dirfd, name, 0) && errno != ENOENT)
			log_warn("dump store %s: cannot remove %s: %s", ds->dir, name,
				 strerror(errno));
	}
	free(seqs);
}

int dump_writer_commit(struct dump_writer *w, size_t final_size)
{
	struct dump_store *ds = w->ds;
	char name[64];
	uint64_t seq;
	int ret = 0;

	if (final_size > w->max_size) {
		ret = -EINVAL;
		goto out;
	}
	if (w->error) {
		ret = w->error;
		goto out;
	}
	/* futimens: the mtime readers see is the commit time. */
	if (ftruncate(w->fd, (off_t)final_size) || futimens(w->fd, NULL) || ocxlfs_fsync(w->fd)) {
		ret = -errno;
		goto out;
	}

	pthread_mutex_lock(&ds->lock);
	seq = ds->last_seq + 1;
	seq_name(name, sizeof(name), seq);
	ret = ocxlfs_renameat(AT_FDCWD, w->tmppath, ds->dirfd, name);
	if (!ret) {
		ds->last_seq = seq;
		free(w->tmppath);
		w->tmppath = NULL;
		/* The rename is what makes the dump exist after a crash. */
		ret = ocxlfs_fsync(ds->dirfd);
		if (!ret)
			prune(ds);
	}
	pthread_mutex_unlock(&ds->lock);
out:
	if (ret)
		log_dbg("dump store %s: commit of %zu bytes failed: %s", ds->dir, final_size,
			strerror(-ret));
	note_error(ds, ret);
	writer_free(w);
	return ret;
}

void dump_writer_abort(struct dump_writer *w)
{
	if (w)
		writer_free(w);
}

int dump_store_open_newest(struct dump_store *ds, int *fd, size_t *size, struct timespec *when)
{
	uint64_t seq = 0;

	return dump_store_open_seq(ds, &seq, fd, size, when);
}

int dump_store_open_seq(struct dump_store *ds, uint64_t *seq, int *fd, size_t *size,
			struct timespec *when)
{
	uint64_t *seqs = NULL;
	struct stat st;
	char name[64];
	size_t n;
	int ret, f = -1;

	*fd = -1;
	pthread_mutex_lock(&ds->lock);
	if (*seq) {
		seq_name(name, sizeof(name), *seq);
		f = openat(ds->dirfd, name, O_RDONLY | O_CLOEXEC);
		ret = f < 0 ? -errno : 0;
		if (ret)
			goto out;
		goto opened;
	}
	ret = list_dumps(ds, false, &seqs, &n);
	if (ret)
		goto out;
	/* Newest first; one deleted behind our back is skipped. */
	ret = -ENOENT;
	while (n-- > 0 && ret == -ENOENT) {
		seq_name(name, sizeof(name), seqs[n]);
		f = openat(ds->dirfd, name, O_RDONLY | O_CLOEXEC);
		ret = f < 0 ? -errno : 0;
		if (!ret)
			*seq = seqs[n];
	}
	if (ret)
		goto out;
opened:
	if (fstat(f, &st)) {
		ret = -errno;
		close(f);
		goto out;
	}
	*fd = f;
	if (size)
		*size = (size_t)st.st_size;
	if (when)
		*when = st.st_mtim;
out:
	pthread_mutex_unlock(&ds->lock);
	free(seqs);
	return ret;
}

int dump_store_hold(struct dump_store *ds, uint64_t seq)
{
	struct dump_hold *h, *more;
	int ret = 0;

	pthread_mutex_lock(&ds->lock);
	h = find_hold(ds, seq);
	if (h) {
		h->count++;
	} else if ((more = realloc(ds->holds, (ds->nholds + 1) * sizeof(*more)))) {
		ds->holds = more;
		ds->holds[ds->nholds++] = (struct dump_hold){ .seq = seq, .count = 1 };
	} else {
		ret = -ENOMEM;
	}
	pthread_mutex_unlock(&ds->lock);
	return ret;
}

void dump_store_unhold(struct dump_store *ds, uint64_t seq)
{
	struct dump_hold *h;

	pthread_mutex_lock(&ds->lock);
	h = find_hold(ds, seq);
	if (h && --h->count == 0) {
		*h = ds->holds[--ds->nholds];
		/* It may be past the kept ones by now. */
		prune(ds);
	}
	pthread_mutex_unlock(&ds->lock);
}

unsigned dump_store_count(struct dump_store *ds)
{
	uint64_t *seqs;
	size_t n;

	pthread_mutex_lock(&ds->lock);
	if (list_dumps(ds, false, &seqs, &n))
		n = 0;
	pthread_mutex_unlock(&ds->lock);
	free(seqs);
	return n > UINT_MAX ? UINT_MAX : (unsigned)n;
}

int dump_store_last_error(struct dump_store *ds)
{
	return __atomic_load_n(&ds->last_error, __ATOMIC_RELAXED);
}
