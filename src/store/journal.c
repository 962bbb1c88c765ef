// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The error-log journal (see journal.h).
 *
 * On-disk format of each file, all integers little-endian:
 *
 *   file header (32 bytes), written once at creation, never updated:
 *     0  char   magic[8] = "OCXLJRN1"
 *     8  le32   version = 1
 *    12  le32   header size = 32 (where the first record starts)
 *    16  le64   creation time, seconds since the epoch (informational)
 *    24  le32   reserved, 0
 *    28  le32   crc32 of bytes 0..27
 *   (magic, version and the CRC keep their places in later versions).  A
 *   header that fails these checks is never guessed at: the file is moved
 *   to "<file>.corrupt-<epoch>" (and an empty journal started for PATH).
 *
 *   records, back to back from offset 32, each 8-byte aligned:
 *     0  le32   magic = "ELR1"
 *     4  le32   payload length (<= JOURNAL_MAX_ENTRY)
 *     8  le32   log identifier
 *    12  le32   crc32 over the log identifier, the length and the payload
 *    16  payload, then zero padding to a multiple of 8
 *
 *   then zeroes to the end of the file: an all-zero record header ends the
 *   journal.  A file is read as if zero-filled to a multiple of 64 KiB.
 *   The active file grows in steps (doubling, 64 KiB multiples) by
 *   posix_fallocate, which allocates the blocks and reads back as zeroes,
 *   so the end marker never has to be written and no write can find the
 *   disk full.
 *
 * An append writes the whole record into the free space after the last one
 * and makes it durable in one go; nothing else in the file changes.  A
 * crash mid-append therefore leaves either nothing or a record whose CRC
 * fails, and recovery drops it.  Recovery cuts the file at the first bad
 * record, so the next append lands where the damage was.  If intact
 * records follow the damage (media corruption, not a torn append) their
 * bytes are first copied to "<file>.dropped-<epoch>" for a human: those
 * entries were already acknowledged to the card and exist nowhere else.
 * Opening reads every file with pread, never through a mapping: a read
 * fault on a hole of a full tmpfs is SIGBUS.
 *
 * Rotation: before a record would take the active file past file_bytes,
 * the file is cut to its last record, made durable and renamed to
 * "<path>.<absolute index of its first entry>", and a new active file is
 * started.  When more than keep_files rotated files exist, the oldest one
 * is deleted, unless a pin needs one of its entries.
 *
 * Deduplication: an append equal to a record already retained (same log
 * identifier, same bytes) writes nothing.  The card re-sends an entry
 * whose acknowledgement was lost (daemon killed between append and ACK)
 * byte for byte; an entry that only shares the identifier is a new one (a
 * card whose log counter restarted, a simulator started afresh) and is
 * kept: dropping it would lose an entry the card then forgets.  The index
 * is a hash set keyed on (identifier, record CRC), so an append costs the
 * same whatever the journal holds, one identifier 40,000 times included;
 * only an entry whose identifier, length and CRC all match is compared
 * byte for byte.
 *
 * Thread safety: one mutex around every call.  An exclusive flock on the
 * active file keeps a second process (another daemon on the same state
 * directory) out: -EBUSY.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "store/journal.h"
#include "store/journal_format.h"
#include "store/journal_index.h"
#include "util/durable.h"
#include "util/log.h"
#include "util/pmem.h"
#include "util/trace.h"

#define JRN_FILE_MIN 4096u
#define JRN_FILE_MAX ((size_t)1 << 30) /* offsets are 32-bit */

struct jfile {
	char *name; /* in the journal's directory */
	int fd;
	uint64_t base; /* absolute index of its first entry */
	size_t first;  /* ents[] index of its first entry */
	size_t count;
	uint64_t bytes; /* file size */
};

struct errlog_journal {
	pthread_mutex_t lock;
	char *path; /* the active file, for messages */
	char *name; /* its name in dir */
	int dirfd;
	size_t file_bytes;
	unsigned keep_files;
	bool read_only;

	/* Oldest first; the last one is the active file. */
	struct jfile *files;
	size_t nfiles, capfiles;

	/* The active file. */
	struct ocxlfs_pmem pm; /* pm.base NULL while not mapped */
	bool mapped;
	bool hdr_pending; /* created, but no room for its header yet */
	size_t end;	  /* first free byte */
	size_t dirty_to;  /* a failed append wrote up to here: zeroed by the next */

	struct jindex idx; /* the retained entries */

	struct journal_pin *pins;
	uint64_t dropped_entries, reused_ids, failed_appends;
	int last_error;
	bool pin_logged, read_error_logged;
};

/* ---- files and names ---- */

/* A record written at the end, not yet flushed (util/trace.h). */
static void trace_append(struct errlog_journal *j, size_t len, uint32_t log_id)
{
	char path[PATH_MAX];

	if (!ocxlfs_tracing())
		return;
	ocxlfs_trace_fd_path(j->pm.fd, path, sizeof(path));
	ocxlfs_trace("append", "%s %zu %zu %" PRIu32, path, j->end, len, log_id);
}

static int fsync_dir(struct errlog_journal *j)
{
	return ocxlfs_fsync(j->dirfd);
}

/* "<name>.<tag>-<epoch>[.<n>]"; n > 0 only when the plain name is taken. */
static int aside_name(char *buf, size_t size, const char *name, const char *tag, long long epoch,
		      unsigned n)
{
	int len = n ? snprintf(buf, size, "%s.%s-%lld.%u", name, tag, epoch, n)
		    : snprintf(buf, size, "%s.%s-%lld", name, tag, epoch);

	return len < 0 || (size_t)len >= size ? -ENAMETOOLONG : 0;
}

static int move_aside(struct errlog_journal *j, const char *name, char *dst, size_t dstsize)
{
	long long now = (long long)time(NULL);
	int rc = -EEXIST;

	for (unsigned n = 0; n < 1000 && rc == -EEXIST; n++) {
		rc = aside_name(dst, dstsize, name, "corrupt", now, n);
		if (rc)
			break;
		rc = ocxlfs_rename_noreplace(j->dirfd, name, dst);
	}
	if (!rc)
		fsync_dir(j);
	return rc;
}

/* Keeps [from, to) of a file in a side file; best effort, the caller goes on anyway. */
static void save_dropped(struct errlog_journal *j, const char *name, struct jrn_scan *sb,
			 size_t from, size_t to)
{
	long long now = (long long)time(NULL);
	char side[NAME_MAX + 1];
	int fd = -1, err = 0;

	for (unsigned n = 0; n < 1000 && fd < 0; n++) {
		if (aside_name(side, sizeof(side), name, "dropped", now, n))
			return;
		fd = openat(j->dirfd, side, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		log_err("journal %s: cannot save dropped bytes: %s", j->path, strerror(errno));
		return;
	}
	for (size_t off = from; off < to;) {
		size_t n = to - off < JRN_SCAN_BUF ? to - off : JRN_SCAN_BUF;
		const uint8_t *p = jrn_scan_at(sb, off, n, &err);
		ssize_t w;

		if (!p) {
			log_err("journal %s: reading the dropped bytes: %s", j->path,
				strerror(-err));
			goto out;
		}
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			log_err("journal %s: writing %s: %s", j->path, side,
				w < 0 ? strerror(errno) : "short write");
			goto out;
		}
		off += (size_t)w;
	}
	if (ocxlfs_fsync(fd)) {
		log_err("journal %s: fsync %s: %s", j->path, side, strerror(errno));
		goto out;
	}
	fsync_dir(j);
	log_err("journal %s: intact records follow the damage; dropped bytes saved to %s", j->path,
		side);
out:
	close(fd);
}

/* "<active name>.<digits>" -> the index in the name; false for anything else. */
static bool parse_rotated(const char *active, const char *name, uint64_t *base)
{
	size_t n = strlen(active);
	const char *p = name + n + 1;
	uint64_t v = 0;

	if (strncmp(name, active, n) || name[n] != '.' || !*p)
		return false;
	if (*p == '0' && p[1])
		return false; /* one spelling per number */
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*base = v;
	return true;
}

static struct jfile *active(struct errlog_journal *j)
{
	return &j->files[j->nfiles - 1];
}

static void index_add(struct errlog_journal *j, struct jfile *f, const struct journal_record *r,
		      size_t off)
{
	jindex_add(
	    &j->idx,
	    &(struct jent){.id = r->log_id, .crc = r->crc, .len = r->len, .off = (uint32_t)off});
	f->count++;
}

/* The file holding ents[e]. */
static struct jfile *file_of_ent(struct errlog_journal *j, size_t e)
{
	size_t lo = 0, hi = j->nfiles;

	/* The last file whose first entry is at or before e. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (j->files[mid].first <= e)
			lo = mid;
		else
			hi = mid;
	}
	return &j->files[lo];
}

/* The file retaining absolute index idx, or NULL. */
static struct jfile *file_of_index(struct errlog_journal *j, uint64_t idx)
{
	size_t lo = 0, hi = j->nfiles;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (j->files[mid].base <= idx)
			lo = mid;
		else
			hi = mid;
	}
	if (!j->nfiles || idx < j->files[lo].base || idx - j->files[lo].base >= j->files[lo].count)
		return NULL;
	return &j->files[lo];
}

static int pread_all(int fd, void *buf, size_t len, off_t off)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO; /* the file is shorter than its index says */
		p += n;
		off += n;
		len -= (size_t)n;
	}
	return 0;
}

struct same_ctx {
	struct errlog_journal *j;
	const void *raw;
	size_t len;
};

/*
 * Whether entry e holds these bytes (id, length and CRC already match):
 * read in pieces, so that no journal keeps a buffer of the largest entry.
 */
static int same_payload(void *arg, size_t e)
{
	const struct same_ctx *c = arg;
	const struct jent *r = &c->j->idx.ents[e];
	int fd = file_of_ent(c->j, e)->fd;
	uint8_t buf[4096];

	for (size_t done = 0, n; done < c->len; done += n) {
		int rc;

		n = c->len - done < sizeof(buf) ? c->len - done : sizeof(buf);
		rc = pread_all(fd, buf, n, (off_t)r->off + JRN_REC_HDR + (off_t)done);
		if (rc)
			return rc;
		if (memcmp(buf, (const uint8_t *)c->raw + done, n))
			return 0;
	}
	return 1;
}

/*
 * Whether a retained entry equals (id, crc, raw, len): 1 (its index in
 * *e), 0, or -errno if a stored payload could not be read.
 */
static int find_equal(struct errlog_journal *j, uint32_t id, uint32_t crc, const void *raw,
		      size_t len, size_t *e)
{
	struct same_ctx c = {.j = j, .raw = raw, .len = len};

	return jindex_find(&j->idx, id, crc, (uint32_t)len, same_payload, &c, e);
}

static int open_file(struct errlog_journal *j, const char *name, bool is_active, int *fdp,
		     size_t *sizep)
{
	int flags = (j->read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC;
	struct stat st;
	int fd, rc;

	if (is_active && !j->read_only)
		flags |= O_CREAT;
	fd = openat(j->dirfd, name, flags, 0600);
	if (fd < 0)
		return -errno;
	/* The active file's lock is the journal's: one process at a time. */
	if (is_active && flock(fd, (j->read_only ? LOCK_SH : LOCK_EX) | LOCK_NB)) {
		rc = errno == EWOULDBLOCK ? -EBUSY : -errno;
		goto fail;
	}
	if (fstat(fd, &st)) {
		rc = -errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		goto fail;
	}
	*fdp = fd;
	*sizep = (size_t)st.st_size;
	return 0;
fail:
	close(fd);
	return rc;
}

/* Room for one more file. */
static int files_reserve(struct errlog_journal *j)
{
	struct jfile *f;
	size_t n;

	if (j->nfiles < j->capfiles)
		return 0;
	n = j->capfiles ? j->capfiles * 2 : 8;
	f = realloc(j->files, n * sizeof(*f));
	if (!f)
		return -ENOMEM;
	j->files = f;
	j->capfiles = n;
	return 0;
}

static int files_push(struct errlog_journal *j, const char *name, int fd, uint64_t base)
{
	struct jfile *f;
	int rc = files_reserve(j);

	if (rc)
		return rc;
	f = &j->files[j->nfiles];
	*f = (struct jfile){.fd = fd, .base = base, .first = j->idx.tail};
	f->name = strdup(name);
	if (!f->name)
		return -ENOMEM;
	j->nfiles++;
	return 0;
}

/*
 * Indexes the records of file f (size fsize), cuts it at the first bad one
 * and, if intact records follow, saves the cut bytes first.  *endp: the
 * first free byte.
 */
static int scan_file(struct errlog_journal *j, struct jfile *f, size_t fsize, bool is_active,
		     struct journal_recovery *rec, size_t *endp)
{
	struct jrn_scan sb = {.fd = f->fd, .fsize = fsize, .vsize = jrn_grow_round(fsize)};
	size_t off = JRN_HDR_SIZE, stop = 0, intact = 0, kept = 0;
	struct journal_record r;
	const char *why = NULL;
	int rc = 0, err = 0;

	/*
	 * Its own mapping, given back whole: from the heap, what one open
	 * touched stayed resident behind the next card's small allocations
	 * (40 KiB a card).
	 */
	sb.buf =
	    mmap(NULL, JRN_SCAN_BUF, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sb.buf == MAP_FAILED)
		return -ENOMEM;
	while (off < sb.vsize) {
		const uint8_t *p = jrn_scan_at(
		    &sb, off, sb.vsize - off < JRN_REC_HDR ? sb.vsize - off : JRN_REC_HDR, &err);
		size_t e;

		if (!p) {
			rc = err;
			goto out;
		}
		if (jrn_all_zero(p, sb.vsize - off < JRN_REC_HDR ? sb.vsize - off : JRN_REC_HDR))
			break;
		why = jrn_scan_record(&sb, off, &r, &err);
		if (err) {
			rc = err;
			goto out;
		}
		if (why)
			break;
		rc = jindex_reserve(&j->idx);
		if (rc)
			goto out;
		rc = find_equal(j, r.log_id, r.crc,
				jrn_scan_at(&sb, off, r.size, &err) + JRN_REC_HDR, r.len, &e);
		if (rc < 0)
			goto out;
		if (rc)
			/* Only an older ocxlfs could have written it twice: show it once. */
			log_warn("journal %s: record at offset %zu of %s repeats log id %" PRIu32
				 ", ignored",
				 j->path, off, f->name, r.log_id);
		else
			index_add(j, f, &r, off);
		rc = 0;
		rec->records++;
		kept++;
		off += r.size;
	}
	*endp = off;
	rc = jrn_scan_last_nonzero(&sb, off, &stop);
	if (rc || stop == off)
		goto out;
	/* A zero header with data behind it is damage too. */
	if (!why)
		why = "data after an empty record header";
	/* The side file must hold the last intact record whole, zeroes included. */
	rc = jrn_scan_intact_end(&sb, off, stop, &intact);
	if (rc)
		goto out;
	if (intact > stop)
		stop = intact;
	rec->damaged = true;
	rec->dropped_bytes += stop - off;
	log_warn("journal %s: dropped %zu bytes after record %zu (offset %zu%s%s): %s", j->path,
		 stop - off, kept, off, is_active ? "" : " of ", is_active ? "" : f->name, why);
	if (j->read_only)
		goto out;
	if (intact)
		save_dropped(j, f->name, &sb, off, stop);
	/* Cut: the next append goes here, the next open sees the end. */
	if (ftruncate(f->fd, (off_t)off) || ocxlfs_fsync(f->fd))
		rc = -errno;
	else
		f->bytes = off;
out:
	munmap(sb.buf, JRN_SCAN_BUF);
	return rc;
}

/*
 * Opens one file of the journal and indexes it.  Returns 1 if it was moved
 * aside as damaged (nothing indexed), 0, or -errno.  For the active file,
 * *fresh says it needs a header.
 */
static int load_file(struct errlog_journal *j, const char *name, bool is_active, uint64_t base,
		     struct journal_recovery *rec, bool *fresh)
{
	const char *why = NULL;
	size_t fsize, end = JRN_HDR_SIZE;
	int fd, rc, state;

	rc = open_file(j, name, is_active, &fd, &fsize);
	if (rc)
		return rc;
	state = jrn_hdr_read(fd, fsize, &why);
	if (state == -EUCLEAN) {
		char aside[NAME_MAX + 1];

		rec->damaged = true;
		rec->dropped_bytes += fsize;
		if (j->read_only) {
			log_err("journal %s: %s: %s", j->path, name, why);
			close(fd);
			return 1;
		}
		/* Never guess at a file we do not understand: keep it, start over. */
		rc = move_aside(j, name, aside, sizeof(aside));
		if (rc) {
			log_err("journal %s: %s: %s, and cannot move it aside: %s", j->path, name,
				why, strerror(-rc));
			close(fd);
			return rc;
		}
		close(fd);
		if (!is_active) {
			log_err("journal %s: %s: %s; moved to %s", j->path, name, why, aside);
			return 1;
		}
		log_err("journal %s: %s; moved to %s, starting an empty journal", j->path, why,
			aside);
		rc = open_file(j, name, true, &fd, &fsize);
		if (rc)
			return rc;
		state = 0;
	} else if (state < 0) {
		close(fd);
		return state;
	}
	rc = files_push(j, name, fd, base);
	if (rc) {
		close(fd);
		return rc;
	}
	j->files[j->nfiles - 1].bytes = fsize;
	if (state == 1) {
		rc = scan_file(j, &j->files[j->nfiles - 1], fsize, is_active, rec, &end);
		if (rc)
			return rc;
	}
	if (is_active) {
		j->end = end;
		*fresh = state == 0;
	}
	return 0;
}

struct rotated {
	uint64_t base;
	char *name;
};

static int cmp_rotated(const void *a, const void *b)
{
	uint64_t x = ((const struct rotated *)a)->base, y = ((const struct rotated *)b)->base;

	return x < y ? -1 : x > y;
}

/* The rotated files of the journal, oldest first. */
static int list_rotated(struct errlog_journal *j, struct rotated **out, size_t *n)
{
	struct rotated *v = NULL;
	size_t cnt = 0, cap = 0;
	struct dirent *de;
	uint64_t base;
	DIR *d;
	int fd, rc = 0;

	*out = NULL;
	*n = 0;
	/* A fresh fd: readdir must not share a position with dirfd. */
	fd = openat(j->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -ENOMEM;
	}
	while ((errno = 0, de = readdir(d))) {
		if (!parse_rotated(j->name, de->d_name, &base))
			continue;
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct rotated *nv = realloc(v, ncap * sizeof(*nv));

			if (!nv) {
				rc = -ENOMEM;
				goto out;
			}
			v = nv;
			cap = ncap;
		}
		v[cnt].base = base;
		v[cnt].name = strdup(de->d_name);
		if (!v[cnt].name) {
			rc = -ENOMEM;
			goto out;
		}
		cnt++;
	}
	if (errno)
		rc = -errno;
out:
	closedir(d);
	if (rc) {
		while (cnt)
			free(v[--cnt].name);
		free(v);
		return rc;
	}
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_rotated);
	*out = v;
	*n = cnt;
	return 0;
}

/* The index the entry after f's last one has. */
static uint64_t file_end_index(const struct jfile *f)
{
	return f->base + f->count;
}

/*
 * Maps the active file (allocating it first) and gives a new one its
 * header.  Fails with the disk's -errno when there is no room: the journal
 * stays usable for reading and tries again at the next append.
 */
static int activate(struct errlog_journal *j)
{
	struct jfile *f = active(j);
	size_t size = jrn_grow_round(j->end);
	int rc;

	if (size < JRN_GROW_MIN)
		size = JRN_GROW_MIN;
	/*
	 * Past the end is zeroes (the scan checked): a longer file, with a
	 * hole for a tail say, is cut, so that only what appends need is
	 * allocated.
	 */
	if (f->bytes > size) {
		if (ftruncate(f->fd, (off_t)size))
			return -errno;
		f->bytes = size;
	}
	rc = ocxlfs_pmem_map(&j->pm, f->fd, size, j->path);
	if (rc)
		return rc;
	j->mapped = true;
	f->bytes = size;
	if (j->hdr_pending) {
		uint8_t h[JRN_HDR_SIZE];

		jrn_hdr_build(h);
		rc = ocxlfs_pmem_write(&j->pm, 0, h, sizeof(h));
		if (!rc)
			rc = ocxlfs_pmem_persist(&j->pm, 0, sizeof(h));
		/* The new file's directory entry must be durable as well. */
		if (!rc)
			rc = fsync_dir(j);
		if (rc)
			return rc;
		j->hdr_pending = false;
		j->end = JRN_HDR_SIZE;
	}
	return 0;
}

static int split_path(struct errlog_journal *j, const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;

	j->name = strdup(slash ? slash + 1 : path);
	if (!j->name || !*j->name)
		return j->name ? -EINVAL : -ENOMEM;
	dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
	if (!dir)
		return -ENOMEM;
	j->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	return j->dirfd < 0 ? -errno : 0;
}

int errlog_journal_open_opts(const char *path, const struct journal_options *opt,
			     struct errlog_journal **out, struct journal_recovery *rec)
{
	struct journal_recovery dummy;
	struct errlog_journal *j;
	struct rotated *rot = NULL;
	size_t nrot = 0;
	bool fresh = false;
	uint64_t next = 0;
	int rc;

	if (!rec)
		rec = &dummy;
	memset(rec, 0, sizeof(*rec));
	*out = NULL;

	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	pthread_mutex_init(&j->lock, NULL);
	j->dirfd = -1;
	j->file_bytes = opt && opt->file_bytes ? opt->file_bytes : JOURNAL_DEFAULT_FILE_BYTES;
	if (j->file_bytes < JRN_FILE_MIN)
		j->file_bytes = JRN_FILE_MIN;
	if (j->file_bytes > JRN_FILE_MAX)
		j->file_bytes = JRN_FILE_MAX;
	j->keep_files = opt && opt->keep_files ? opt->keep_files : JOURNAL_DEFAULT_KEEP_FILES;
	j->read_only = opt && opt->read_only;
	j->path = strdup(path);
	if (!j->path) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = split_path(j, path);
	if (rc)
		goto fail;
	rc = list_rotated(j, &rot, &nrot);
	if (rc)
		goto fail;
	for (size_t i = 0; i < nrot; i++) {
		uint64_t base = rot[i].base;

		/* Names are what was rotated; an overlap (a file renamed by hand) is shifted. */
		if (base < next) {
			log_warn("journal %s: %s overlaps the file before it; its entries are "
				 "numbered from %" PRIu64,
				 path, rot[i].name, next);
			base = next;
		}
		rc = load_file(j, rot[i].name, false, base, rec, &fresh);
		if (rc < 0)
			goto fail;
		if (rc == 0)
			next = file_end_index(active(j));
	}
	rc = load_file(j, j->name, true, next, rec, &fresh);
	if (rc < 0)
		goto fail;
	if (j->read_only)
		goto done;
	j->hdr_pending = fresh;
	rc = activate(j);
	if (rc) {
		/* A full or failing disk: readable now, appends retry. */
		log_err("journal %s: cannot prepare for appends: %s (will retry)", path,
			strerror(-rc));
		j->last_error = rc;
	}
done:
	for (size_t i = 0; i < nrot; i++)
		free(rot[i].name);
	free(rot);
	*out = j;
	return 0;
fail:
	for (size_t i = 0; i < nrot; i++)
		free(rot[i].name);
	free(rot);
	errlog_journal_close(j);
	return rc;
}

int errlog_journal_open(const char *path, struct errlog_journal **out, struct journal_recovery *rec)
{
	return errlog_journal_open_opts(path, NULL, out, rec);
}

void errlog_journal_close(struct errlog_journal *j)
{
	if (!j)
		return;
	ocxlfs_pmem_unmap(&j->pm);
	for (size_t i = 0; i < j->nfiles; i++) {
		close(j->files[i].fd);
		free(j->files[i].name);
	}
	if (j->dirfd >= 0)
		close(j->dirfd);
	free(j->files);
	jindex_free(&j->idx);
	free(j->name);
	free(j->path);
	pthread_mutex_destroy(&j->lock);
	free(j);
}

/* ---- rotation ---- */

static uint64_t min_pin(const struct errlog_journal *j)
{
	uint64_t m = UINT64_MAX;

	for (const struct journal_pin *p = j->pins; p; p = p->next)
		if (p->index < m)
			m = p->index;
	return m;
}

/* Keeps the index compact; the files' ents[] indexes move with it. */
static void compact(struct errlog_journal *j)
{
	size_t moved = jindex_compact(&j->idx);

	for (size_t i = 0; moved && i < j->nfiles; i++)
		j->files[i].first -= moved;
}

/* Deletes the oldest rotated files beyond keep_files that no pin needs. */
static void trim(struct errlog_journal *j)
{
	while (j->nfiles - 1 > j->keep_files) {
		struct jfile *f = &j->files[0];
		uint64_t floor = min_pin(j);
		int rc;

		if (floor < file_end_index(f)) {
			if (!j->pin_logged)
				log_notice("journal %s: %zu files, more than the %u kept, while a "
					   "reader needs entry %" PRIu64,
					   j->path, j->nfiles - 1, j->keep_files, floor);
			j->pin_logged = true;
			return;
		}
		if (unlinkat(j->dirfd, f->name, 0) && errno != ENOENT) {
			log_err("journal %s: cannot delete %s: %s", j->path, f->name,
				strerror(errno));
			return;
		}
		rc = fsync_dir(j);
		log_notice("journal %s: deleted %s, the oldest %zu entries (indexes %" PRIu64
			   " to %" PRIu64 "), to keep %u files of %zu bytes%s%s",
			   j->path, f->name, f->count, f->base, file_end_index(f), j->keep_files,
			   j->file_bytes, rc ? "; directory sync: " : "", rc ? strerror(-rc) : "");
		jindex_drop(&j->idx, f->count);
		j->dropped_entries += f->count;
		close(f->fd);
		free(f->name);
		memmove(j->files, j->files + 1, (j->nfiles - 1) * sizeof(*j->files));
		j->nfiles--;
		j->pin_logged = false;
		compact(j);
	}
}

/*
 * Renames the active file to "<name>.<its first index>" and starts a new
 * one.  Once the rename is done a failure to start the new file leaves an
 * empty, unmapped active file that the next append opens and activates.
 */
static int rotate(struct errlog_journal *j)
{
	struct jfile *f = active(j);
	char rotated[NAME_MAX + 1], *rname = NULL, *aname = NULL;
	size_t fsize;
	int fd, rc;

	if ((size_t)snprintf(rotated, sizeof(rotated), "%s.%" PRIu64, j->name, f->base) >=
	    sizeof(rotated))
		return -ENAMETOOLONG;
	/* Memory first: nothing can fail between the rename and the bookkeeping. */
	rname = strdup(rotated);
	aname = strdup(j->name);
	rc = rname && aname ? files_reserve(j) : -ENOMEM;
	if (rc)
		goto fail;
	f = active(j);
	/* Cut to the last record, so a rotated file has no zero tail to scan. */
	ocxlfs_pmem_unmap(&j->pm);
	j->mapped = false;
	if (ftruncate(f->fd, (off_t)j->end) || ocxlfs_fsync(f->fd)) {
		rc = -errno;
		goto fail;
	}
	f->bytes = j->end;
	rc = ocxlfs_rename_noreplace(j->dirfd, j->name, rotated);
	if (rc)
		goto fail;
	/*
	 * No directory sync here: activate() syncs the directory for the new
	 * file before its first record, and until then a crash leaves the
	 * old name with every record in it (t_flushorder checks the order).
	 */
	free(f->name);
	f->name = rname;
	j->files[j->nfiles] = (struct jfile){
	    .name = aname, .fd = -1, .base = file_end_index(f), .first = j->idx.tail};
	j->nfiles++;
	j->end = JRN_HDR_SIZE;
	j->dirty_to = 0;
	j->hdr_pending = true;
	log_info("journal %s: rotated %zu entries to %s", j->path, f->count, rotated);
	trim(j);
	rc = open_file(j, j->name, true, &fd, &fsize);
	if (rc)
		return rc;
	active(j)->fd = fd;
	active(j)->bytes = fsize;
	return activate(j);
fail:
	free(rname);
	free(aname);
	return rc;
}

/* Makes room for a record of reclen bytes after j->end. */
static int make_room(struct errlog_journal *j, size_t reclen)
{
	struct jfile *f = active(j);
	int rc;

	if (f->fd < 0) {
		/* A rotation stopped before the new file existed. */
		size_t fsize;
		int fd;

		rc = open_file(j, j->name, true, &fd, &fsize);
		if (rc)
			return rc;
		f->fd = fd;
		f->bytes = fsize;
	}
	if (f->count && j->end + reclen > j->file_bytes) {
		rc = rotate(j);
		if (rc)
			return rc;
	}
	if (!j->mapped) {
		rc = activate(j);
		if (rc)
			return rc;
	}
	if (j->end + reclen > j->pm.size) {
		size_t size = j->pm.size, cap = jrn_grow_round(j->file_bytes);

		while (size < j->end + reclen)
			size *= 2;
		/* Not past the rotation point, unless one record is larger. */
		if (size > cap)
			size = cap > j->end + reclen ? cap : j->end + reclen;
		rc = ocxlfs_pmem_grow(&j->pm, jrn_grow_round(size), j->path);
		if (rc)
			return rc;
		active(j)->bytes = j->pm.size;
	}
	return 0;
}

/* ---- the API ---- */

int errlog_journal_append(struct errlog_journal *j, uint32_t log_id, const void *raw, size_t len)
{
	/* Zero pages, never written: costs no memory. */
	static uint8_t zeroes[JRN_REC_MAX];
	uint8_t hdr[JRN_REC_HDR];
	struct iovec iov[3];
	size_t reclen, write_len, e;
	uint32_t crc;
	bool id_seen;
	int rc;

	if (len > JOURNAL_MAX_ENTRY || (len && !raw))
		return -EINVAL;
	if (j->read_only)
		return -EROFS;
	if (!raw)
		raw = zeroes;
	crc = jrn_rec_crc(log_id, (uint32_t)len, raw);
	reclen = JRN_REC_HDR + jrn_pad8(len);

	pthread_mutex_lock(&j->lock);
	rc = find_equal(j, log_id, crc, raw, len, &e);
	if (rc > 0)
		goto out; /* already there */
	if (rc)
		goto fail;
	/* Index space first, so a record on disk is always indexed. */
	rc = jindex_reserve(&j->idx);
	if (rc)
		goto out;
	rc = make_room(j, reclen);
	if (rc)
		goto fail;

	jrn_put_le32(hdr, JRN_REC_MAGIC);
	jrn_put_le32(hdr + 4, (uint32_t)len);
	jrn_put_le32(hdr + 8, log_id);
	jrn_put_le32(hdr + 12, crc);
	/* Padding, and whatever a failed append left behind this record. */
	write_len = j->dirty_to > j->end + reclen ? j->dirty_to - j->end : reclen;
	iov[0] = (struct iovec){.iov_base = hdr, .iov_len = sizeof(hdr)};
	iov[1] = (struct iovec){.iov_base = (void *)raw, .iov_len = len};
	iov[2] = (struct iovec){.iov_base = zeroes, .iov_len = write_len - JRN_REC_HDR - len};
	rc = ocxlfs_pmem_writev(&j->pm, j->end, iov, 3);
	if (!rc)
		trace_append(j, write_len, log_id);
	/* Durable in one go: torn means a failed CRC, never a bad record. */
	if (!rc)
		rc = ocxlfs_pmem_persist(&j->pm, j->end, write_len);
	if (rc) {
		if (j->end + write_len > j->dirty_to)
			j->dirty_to = j->end + write_len;
		goto fail;
	}
	j->dirty_to = 0;

	id_seen = jindex_has_id(&j->idx, log_id);
	index_add(j, active(j),
		  &(struct journal_record){
		      .log_id = log_id, .len = (uint32_t)len, .crc = crc, .size = reclen},
		  j->end);
	j->end += reclen;
	if (j->last_error)
		log_notice("journal %s: appends work again", j->path);
	j->last_error = 0;
	if (id_seen) {
		uint64_t n = ++j->reused_ids;

		/* Once, then at powers of two: a stuck counter must not flood the log. */
		if (n == 1)
			log_notice("journal %s: log id %" PRIu32 " reused with other content "
				   "(the card's log counter restarted?); kept as a new entry",
				   j->path, log_id);
		else if (!(n & (n - 1)))
			log_notice("journal %s: %" PRIu64 " entries so far reused a log id; "
				   "all kept",
				   j->path, n);
	}
	if (j->nfiles - 1 > j->keep_files)
		trim(j); /* a pin held it back */
	goto out;
fail:
	j->last_error = rc;
	j->failed_appends++;
out:
	pthread_mutex_unlock(&j->lock);
	return rc;
}

size_t errlog_journal_count(struct errlog_journal *j)
{
	size_t n;

	pthread_mutex_lock(&j->lock);
	n = j->idx.tail - j->idx.head;
	pthread_mutex_unlock(&j->lock);
	return n;
}

static void range_locked(struct errlog_journal *j, uint64_t *first, uint64_t *end)
{
	*first = j->nfiles ? j->files[0].base : 0;
	*end = j->nfiles ? file_end_index(active(j)) : 0;
}

void errlog_journal_range(struct errlog_journal *j, uint64_t *first, uint64_t *end)
{
	pthread_mutex_lock(&j->lock);
	range_locked(j, first, end);
	pthread_mutex_unlock(&j->lock);
}

int errlog_journal_read(struct errlog_journal *j, uint64_t index, struct journal_entry *e,
			void *buf, size_t size)
{
	uint8_t hdr[JRN_REC_HDR];
	const struct jent *r;
	struct jfile *f;
	int rc;

	pthread_mutex_lock(&j->lock);
	f = file_of_index(j, index);
	if (!f) {
		rc = -ENOENT;
		goto out;
	}
	r = &j->idx.ents[f->first + (index - f->base)];
	*e = (struct journal_entry){.log_id = r->id, .len = r->len, .offset = r->off};
	if (!buf) {
		rc = 0;
		goto out;
	}
	if (size < r->len) {
		rc = -EMSGSIZE;
		goto out;
	}
	rc = pread_all(f->fd, hdr, sizeof(hdr), (off_t)r->off);
	if (!rc)
		rc = pread_all(f->fd, buf, r->len, (off_t)r->off + JRN_REC_HDR);
	/* What was checked at open or append must still be there. */
	if (!rc && (jrn_get_le32(hdr) != JRN_REC_MAGIC || jrn_get_le32(hdr + 4) != r->len ||
		    jrn_get_le32(hdr + 8) != r->id || jrn_get_le32(hdr + 12) != r->crc ||
		    jrn_rec_crc(r->id, r->len, buf) != r->crc))
		rc = -EIO;
	if (rc && !j->read_error_logged) {
		log_err("journal %s: reading entry %" PRIu64 " (offset %" PRIu32 " of %s): %s",
			j->path, index, r->off, f->name,
			rc == -EIO ? "changed on disk since it was checked" : strerror(-rc));
		j->read_error_logged = true;
	}
out:
	pthread_mutex_unlock(&j->lock);
	return rc;
}

int errlog_journal_foreach(struct errlog_journal *j, journal_visit_fn fn, void *ctx)
{
	struct journal_pin pin;
	struct journal_entry e;
	uint64_t first, end;
	uint8_t *buf;
	int rc = 0;

	buf = malloc(JOURNAL_MAX_ENTRY);
	if (!buf)
		return -ENOMEM;
	pthread_mutex_lock(&j->lock);
	range_locked(j, &first, &end);
	pthread_mutex_unlock(&j->lock);
	errlog_journal_pin(j, &pin, first);
	for (uint64_t i = first; i < end && !rc; i++) {
		rc = errlog_journal_read(j, i, &e, buf, JOURNAL_MAX_ENTRY);
		if (rc == -ENOENT) {
			rc = 0; /* a gap recovery left */
			continue;
		}
		if (!rc)
			rc = fn(ctx, e.log_id, buf, e.len);
		errlog_journal_pin_move(j, &pin, i + 1);
	}
	errlog_journal_unpin(j, &pin);
	free(buf);
	return rc;
}

void errlog_journal_pin(struct errlog_journal *j, struct journal_pin *p, uint64_t index)
{
	pthread_mutex_lock(&j->lock);
	p->index = index;
	p->next = j->pins;
	p->pprev = &j->pins;
	if (j->pins)
		j->pins->pprev = &p->next;
	j->pins = p;
	pthread_mutex_unlock(&j->lock);
}

void errlog_journal_pin_move(struct errlog_journal *j, struct journal_pin *p, uint64_t index)
{
	pthread_mutex_lock(&j->lock);
	p->index = index;
	pthread_mutex_unlock(&j->lock);
}

void errlog_journal_unpin(struct errlog_journal *j, struct journal_pin *p)
{
	pthread_mutex_lock(&j->lock);
	*p->pprev = p->next;
	if (p->next)
		p->next->pprev = p->pprev;
	p->next = NULL;
	p->pprev = NULL;
	/* Files a pin held back go now, not at the next rotation. */
	if (!j->read_only && j->nfiles && j->nfiles - 1 > j->keep_files)
		trim(j);
	pthread_mutex_unlock(&j->lock);
}

void errlog_journal_stats(struct errlog_journal *j, struct journal_stats *st)
{
	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&j->lock);
	range_locked(j, &st->first, &st->end);
	st->entries = j->idx.tail - j->idx.head;
	st->files = (unsigned)j->nfiles;
	for (size_t i = 0; i < j->nfiles; i++)
		st->bytes += j->files[i].bytes;
	st->dropped_entries = j->dropped_entries;
	st->reused_ids = j->reused_ids;
	st->failed_appends = j->failed_appends;
	st->last_error = j->last_error;
	pthread_mutex_unlock(&j->lock);
}
