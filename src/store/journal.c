// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The error-log journal (see journal.h).
 *
 * On-disk format, all integers little-endian:
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
 *   to "<path>.corrupt-<epoch>" and an empty journal started.
 *
 *   records, back to back from offset 32, each 8-byte aligned:
 *     0  le32   magic = "ELR1"
 *     4  le32   payload length (<= JOURNAL_MAX_ENTRY)
 *     8  le32   log identifier
 *    12  le32   crc32 over the log identifier, the length and the payload
 *    16  payload, then zero padding to a multiple of 8
 *
 *   then zeroes to the end of the file: an all-zero record header ends the
 *   journal.  The file grows in steps (doubling, 64 KiB multiples) by
 *   ftruncate, which zero-fills, so the end marker never has to be written.
 *
 * An append writes the whole record into the free space after the last one
 * and persists it in one go; nothing else in the file changes.  A crash
 * mid-append therefore leaves either nothing or a record whose CRC fails,
 * and recovery drops it.  Recovery zeroes everything from the first bad
 * record on, so the next append lands where the damage was.  If intact
 * records follow the damage (media corruption, not a torn append) their
 * bytes are first copied to "<path>.dropped-<epoch>" for a human: those
 * entries were already acknowledged to the card and exist nowhere else.
 *
 * Deduplication: an append equal to a record already in the journal (same
 * log identifier, same bytes) writes nothing.  The card re-sends an entry
 * whose acknowledgement was lost (daemon killed between append and ACK)
 * byte for byte; an entry that only shares the identifier is a new one (a
 * card whose log counter restarted, a simulator started afresh) and is
 * kept: dropping it would lose an entry the card then forgets.
 *
 * Thread safety: none inside.  Callers serialize all calls on one journal
 * (the card lock does).  An exclusive flock on the file keeps a second
 * process (another daemon on the same state directory) out: -EBUSY.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <libpmem2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "store/journal.h"
#include "util/log.h"
#include "util/pmem.h"

#define JRN_MAGIC     "OCXLJRN1"
#define JRN_VERSION   1u
#define JRN_HDR_SIZE  32u
#define JRN_REC_MAGIC 0x31524c45u /* "ELR1" in file byte order */
#define JRN_REC_HDR   16u
#define JRN_GROW_MIN  (64u * 1024u) /* also covers 64 KiB pages (ppc64) */

struct jrec {
	size_t off;
	uint32_t id;
	uint32_t len;
};

struct errlog_journal {
	char *path;
	int fd;
	struct pmem2_source *src;
	struct pmem2_config *cfg;
	struct pmem2_map *map;
	uint8_t *base;
	size_t size; /* mapped bytes == file size */
	size_t end;  /* first free byte */
	pmem2_memcpy_fn memcpy_fn;
	pmem2_memset_fn memset_fn;
	pmem2_persist_fn persist_fn;

	/* In order, for foreach. */
	struct jrec *recs;
	size_t nrecs, caprecs;
	/* Open-addressing set of log ids: record index + 1, 0 = empty. */
	uint32_t *slots;
	size_t nslots; /* power of two */
};

static inline size_t pad8(size_t n)
{
	return (n + 7u) & ~(size_t)7u;
}

static inline uint32_t get_le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}

static uint32_t rec_crc(uint32_t log_id, uint32_t len, const void *payload)
{
	uint8_t pre[8];
	uLong crc;

	put_le32(pre, log_id);
	put_le32(pre + 4, len);
	crc = crc32(0L, Z_NULL, 0);
	crc = crc32(crc, pre, sizeof(pre));
	if (len)
		crc = crc32(crc, payload, len);
	return (uint32_t)crc;
}

static void hdr_build(uint8_t *h)
{
	uint64_t now = htole64((uint64_t)time(NULL));

	memset(h, 0, JRN_HDR_SIZE);
	memcpy(h, JRN_MAGIC, 8);
	put_le32(h + 8, JRN_VERSION);
	put_le32(h + 12, JRN_HDR_SIZE);
	memcpy(h + 16, &now, sizeof(now));
	put_le32(h + 28, (uint32_t)crc32(0L, h, 28));
}

/* NULL if the header is good, else why not. */
static const char *hdr_check(const uint8_t *h)
{
	if (memcmp(h, JRN_MAGIC, 8))
		return "bad magic";
	if (get_le32(h + 28) != (uint32_t)crc32(0L, h, 28))
		return "bad header CRC";
	if (get_le32(h + 8) != JRN_VERSION)
		return "unsupported version";
	if (get_le32(h + 12) != JRN_HDR_SIZE)
		return "bad header size";
	return NULL;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* One past the last non-zero byte in [from, to), or from if none. */
static size_t last_nonzero(const uint8_t *base, size_t from, size_t to)
{
	while (to > from && (to - from) >= 8 && !(to & 7)) {
		uint64_t w;

		memcpy(&w, base + to - 8, 8);
		if (w)
			break;
		to -= 8;
	}
	while (to > from && !base[to - 1])
		to--;
	return to;
}

/* NULL if a valid record starts at off (its size in *reclen), else why not. */
static const char *rec_check(const struct errlog_journal *j, size_t off, size_t *reclen)
{
	const uint8_t *r = j->base + off;
	size_t room = j->size - off;
	uint32_t len;

	if (room < JRN_REC_HDR)
		return "truncated record header";
	if (get_le32(r) != JRN_REC_MAGIC)
		return "bad record magic";
	len = get_le32(r + 4);
	if (len > JOURNAL_MAX_ENTRY)
		return "bad record length";
	if (JRN_REC_HDR + pad8(len) > room)
		return "record runs past the end of the file";
	if (get_le32(r + 12) != rec_crc(get_le32(r + 8), len, r + JRN_REC_HDR))
		return "bad record CRC";
	if (!all_zero(r + JRN_REC_HDR + len, pad8(len) - len))
		return "non-zero record padding";
	*reclen = JRN_REC_HDR + pad8(len);
	return NULL;
}

static int fsync_parent(const char *path)
{
	char *copy = strdup(path);
	int dfd, ret = 0;

	if (!copy)
		return -ENOMEM;
	dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		ret = -errno;
		goto out;
	}
	if (fsync(dfd))
		ret = -errno;
	close(dfd);
out:
	free(copy);
	return ret;
}

/* "<path>.<tag>-<epoch>[.<n>]"; n > 0 only when the plain name is taken. */
static int aside_name(char *buf, size_t size, const char *path, const char *tag, long long epoch,
		      unsigned n)
{
	int len = n ? snprintf(buf, size, "%s.%s-%lld.%u", path, tag, epoch, n)
		    : snprintf(buf, size, "%s.%s-%lld", path, tag, epoch);

	return len < 0 || (size_t)len >= size ? -ENAMETOOLONG : 0;
}

static int move_aside(const char *path, char *dst, size_t dstsize)
{
	long long now = (long long)time(NULL);
	int ret = -EEXIST;

	for (unsigned n = 0; n < 1000 && ret == -EEXIST; n++) {
		ret = aside_name(dst, dstsize, path, "corrupt", now, n);
		if (ret)
			break;
		if (!renameat2(AT_FDCWD, path, AT_FDCWD, dst, RENAME_NOREPLACE)) {
			ret = 0;
		} else if (errno == EINVAL || errno == ENOSYS) {
			/* No RENAME_NOREPLACE on this fs: check, then rename. */
			if (!access(dst, F_OK))
				ret = -EEXIST;
			else
				ret = rename(path, dst) ? -errno : 0;
		} else {
			ret = -errno;
		}
	}
	if (!ret)
		fsync_parent(path);
	return ret;
}

/* Keeps [from, to) in a side file; best effort, the caller goes on anyway. */
static void save_dropped(struct errlog_journal *j, size_t from, size_t to)
{
	long long now = (long long)time(NULL);
	char name[4096];
	int fd = -1;

	for (unsigned n = 0; n < 1000 && fd < 0; n++) {
		if (aside_name(name, sizeof(name), j->path, "dropped", now, n))
			return;
		fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		log_err("journal %s: cannot save dropped bytes: %s", j->path, strerror(errno));
		return;
	}
	for (size_t off = from; off < to;) {
		ssize_t w = write(fd, j->base + off, to - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			log_err("journal %s: writing %s: %s", j->path, name,
				w < 0 ? strerror(errno) : "short write");
			goto out;
		}
		off += (size_t)w;
	}
	if (fsync(fd)) {
		log_err("journal %s: fsync %s: %s", j->path, name, strerror(errno));
		goto out;
	}
	fsync_parent(name);
	log_err("journal %s: intact records follow the damage; dropped bytes saved to %s", j->path,
		name);
out:
	close(fd);
}

/*
 * End of the last intact record that starts in (from, to), or 0 if none.
 * A record may end past to: an entry's last bytes can be zero.
 */
static size_t intact_end(const struct errlog_journal *j, size_t from, size_t to)
{
	size_t off = from + 8, end = 0, reclen;

	while (off < to) {
		if (get_le32(j->base + off) == JRN_REC_MAGIC && !rec_check(j, off, &reclen)) {
			end = off + reclen;
			off = end;
		} else {
			off += 8;
		}
	}
	return end;
}

static int map_file(struct errlog_journal *j)
{
	struct pmem2_map *map = NULL;
	int r;

	r = pmem2_map_new(&map, j->cfg, j->src);
	if (r) {
		log_err("journal %s: pmem2_map_new: %s", j->path, pmem2_errormsg());
		return pmem2_errno(r);
	}
	/* The new mapping is in place before the old one goes. */
	if (j->map)
		pmem2_map_delete(&j->map);
	j->map = map;
	j->base = pmem2_map_get_address(map);
	j->size = pmem2_map_get_size(map);
	j->memcpy_fn = pmem2_get_memcpy_fn(map);
	j->memset_fn = pmem2_get_memset_fn(map);
	j->persist_fn = pmem2_get_persist_fn(map);
	return 0;
}

static size_t set_hash(uint32_t id, size_t nslots)
{
	return (size_t)((id * 0x9e3779b1u) ^ (id >> 16)) & (nslots - 1);
}

static bool rec_equal(const struct errlog_journal *j, const struct jrec *r, uint32_t id,
		      const void *raw, size_t len)
{
	return r->id == id && r->len == len &&
	       (!len || !memcmp(j->base + r->off + JRN_REC_HDR, raw, len));
}

/*
 * Slot of the record equal to (id, raw, len), or the empty slot where it
 * would go.  Records that share the id but not the bytes are passed over:
 * a card whose log counter restarted reuses identifiers for new entries.
 * *id_seen (may be NULL) says whether one was.
 */
static size_t set_find(const struct errlog_journal *j, uint32_t id, const void *raw, size_t len,
		       bool *id_seen)
{
	size_t i = set_hash(id, j->nslots);
	bool seen = false;

	while (j->slots[i]) {
		const struct jrec *r = &j->recs[j->slots[i] - 1];

		if (rec_equal(j, r, id, raw, len))
			break;
		seen |= r->id == id;
		i = (i + 1) & (j->nslots - 1);
	}
	if (id_seen)
		*id_seen = seen;
	return i;
}

/* The first empty slot on id's probe sequence (for rehashing). */
static size_t set_free_slot(const struct errlog_journal *j, uint32_t id)
{
	size_t i = set_hash(id, j->nslots);

	while (j->slots[i])
		i = (i + 1) & (j->nslots - 1);
	return i;
}

static int set_grow(struct errlog_journal *j)
{
	size_t n = j->nslots ? j->nslots * 2 : 256;
	uint32_t *old = j->slots;
	size_t oldn = j->nslots;

	j->slots = calloc(n, sizeof(*j->slots));
	if (!j->slots) {
		j->slots = old;
		return -ENOMEM;
	}
	j->nslots = n;
	for (size_t i = 0; i < oldn; i++)
		if (old[i])
			j->slots[set_free_slot(j, j->recs[old[i] - 1].id)] = old[i];
	free(old);
	return 0;
}

/* Reserves room to index one more record, so that indexing cannot fail later. */
static int index_reserve(struct errlog_journal *j)
{
	if (j->nrecs == j->caprecs) {
		size_t n = j->caprecs ? j->caprecs * 2 : 256;
		struct jrec *r;

		if (n > UINT32_MAX - 1)
			return -EFBIG;
		r = realloc(j->recs, n * sizeof(*r));
		if (!r)
			return -ENOMEM;
		j->recs = r;
		j->caprecs = n;
	}
	if ((j->nrecs + 1) * 2 > j->nslots)
		return set_grow(j);
	return 0;
}

static void index_add(struct errlog_journal *j, size_t slot, size_t off, uint32_t id, uint32_t len)
{
	j->recs[j->nrecs] = (struct jrec){.off = off, .id = id, .len = len};
	j->slots[slot] = (uint32_t)++j->nrecs;
}

static int scan(struct errlog_journal *j, struct journal_recovery *rec)
{
	const char *why = NULL;
	size_t off = JRN_HDR_SIZE, reclen, stop, intact;
	int ret;

	while (off < j->size) {
		const uint8_t *r = j->base + off;
		uint32_t id, len;
		size_t slot;

		if (all_zero(r, j->size - off < JRN_REC_HDR ? j->size - off : JRN_REC_HDR))
			break;
		why = rec_check(j, off, &reclen);
		if (why)
			break;
		id = get_le32(r + 8);
		len = get_le32(r + 4);
		ret = index_reserve(j);
		if (ret)
			return ret;
		slot = set_find(j, id, r + JRN_REC_HDR, len, NULL);
		if (j->slots[slot])
			/* Only an older ocxlfs could have written it twice: show it once. */
			log_warn("journal %s: record at offset %zu repeats log id %" PRIu32
				 ", ignored",
				 j->path, off, id);
		else
			index_add(j, slot, off, id, len);
		rec->records++;
		off += reclen;
	}

	j->end = off;
	stop = last_nonzero(j->base, off, j->size);
	if (stop == off)
		return 0;
	/* A zero header with data behind it is damage too. */
	if (!why)
		why = "data after an empty record header";
	/* The side file must hold the last intact record whole, zeroes included. */
	intact = intact_end(j, off, stop);
	if (intact > stop)
		stop = intact;
	rec->damaged = true;
	rec->dropped_bytes = stop - off;
	log_warn("journal %s: dropped %zu bytes after record %zu (offset %zu): %s", j->path,
		 rec->dropped_bytes, rec->records, off, why);
	if (intact)
		save_dropped(j, off, stop);
	/* Zeroed and persisted: the next append goes here, the next open sees the end. */
	j->memset_fn(j->base + off, 0, stop - off, 0);
	return 0;
}

/* Sizes the file to hold at least want bytes, in JRN_GROW_MIN multiples. */
static int size_file(int fd, size_t cur, size_t want)
{
	size_t size = cur < JRN_GROW_MIN ? JRN_GROW_MIN : cur;

	while (size < want)
		size *= 2;
	size = (size + JRN_GROW_MIN - 1) & ~(size_t)(JRN_GROW_MIN - 1);
	if (size == cur)
		return 0;
	if (ftruncate(fd, (off_t)size))
		return -errno;
	/* The new size must survive a crash before records are put there. */
	if (fsync(fd))
		return -errno;
	return 0;
}

/*
 * Reads the header of the open file.  1 = usable, 0 = empty (needs a
 * header), -EUCLEAN = damaged (reason in *why), other -errno = I/O error.
 */
static int hdr_read(int fd, size_t fsize, const char **why)
{
	uint8_t h[JRN_HDR_SIZE] = {0};
	ssize_t n;

	if (fsize == 0)
		return 0;
	n = pread(fd, h, sizeof(h), 0);
	if (n < 0)
		return -errno;
	if ((size_t)n < sizeof(h) && !all_zero(h, (size_t)n)) {
		*why = "short header";
		return -EUCLEAN;
	}
	if (all_zero(h, sizeof(h))) {
		/* Crashed between sizing and writing the header? Only if nothing follows. */
		uint8_t buf[4096];
		off_t off = 0;

		while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
			if (!all_zero(buf, (size_t)n)) {
				*why = "zeroed header";
				return -EUCLEAN;
			}
			off += n;
		}
		return n < 0 ? -errno : 0;
	}
	*why = hdr_check(h);
	return *why ? -EUCLEAN : 1;
}

static int open_file(const char *path, int *fdp, size_t *sizep)
{
	struct stat st;
	int fd, ret;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		ret = errno == EWOULDBLOCK ? -EBUSY : -errno;
		goto fail;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		goto fail;
	}
	*fdp = fd;
	*sizep = (size_t)st.st_size;
	return 0;
fail:
	close(fd);
	return ret;
}

int errlog_journal_open(const char *path, struct errlog_journal **out, struct journal_recovery *rec)
{
	struct journal_recovery dummy;
	struct errlog_journal *j;
	const char *why = NULL;
	size_t fsize;
	int ret, state;

	if (!rec)
		rec = &dummy;
	memset(rec, 0, sizeof(*rec));
	*out = NULL;

	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->fd = -1;
	j->path = strdup(path);
	if (!j->path) {
		ret = -ENOMEM;
		goto fail;
	}

	ret = open_file(path, &j->fd, &fsize);
	if (ret)
		goto fail;
	state = hdr_read(j->fd, fsize, &why);
	if (state == -EUCLEAN) {
		char aside[4096];

		/* Never guess at a file we do not understand: keep it, start over. */
		ret = move_aside(path, aside, sizeof(aside));
		if (ret) {
			log_err("journal %s: %s, and cannot move it aside: %s", path, why,
				strerror(-ret));
			goto fail;
		}
		log_err("journal %s: %s; moved to %s, starting an empty journal", path, why, aside);
		rec->damaged = true;
		rec->dropped_bytes = fsize;
		close(j->fd);
		j->fd = -1;
		ret = open_file(path, &j->fd, &fsize);
		if (ret)
			goto fail;
		state = 0;
	} else if (state < 0) {
		ret = state;
		goto fail;
	}

	/* A truncated journal keeps its length only up to the next step. */
	ret = size_file(j->fd, fsize, fsize);
	if (ret)
		goto fail;

	ret = pmem2_errno(pmem2_source_from_fd(&j->src, j->fd));
	if (!ret)
		ret = pmem2_errno(pmem2_config_new(&j->cfg));
	if (!ret)
		ret = pmem2_errno(
		    pmem2_config_set_required_store_granularity(j->cfg, PMEM2_GRANULARITY_PAGE));
	if (ret) {
		log_err("journal %s: pmem2: %s", path, pmem2_errormsg());
		goto fail;
	}
	ret = map_file(j);
	if (ret)
		goto fail;

	if (state == 0) {
		uint8_t h[JRN_HDR_SIZE];

		hdr_build(h);
		j->memcpy_fn(j->base, h, sizeof(h), 0);
		/* The new file's directory entry must be durable as well. */
		ret = fsync_parent(path);
		if (ret)
			goto fail;
	}
	ret = scan(j, rec);
	if (ret)
		goto fail;
	*out = j;
	return 0;
fail:
	errlog_journal_close(j);
	return ret;
}

void errlog_journal_close(struct errlog_journal *j)
{
	if (!j)
		return;
	if (j->map)
		pmem2_map_delete(&j->map);
	if (j->cfg)
		pmem2_config_delete(&j->cfg);
	if (j->src)
		pmem2_source_delete(&j->src);
	if (j->fd >= 0)
		close(j->fd);
	free(j->recs);
	free(j->slots);
	free(j->path);
	free(j);
}

int errlog_journal_append(struct errlog_journal *j, uint32_t log_id, const void *raw, size_t len)
{
	static const uint8_t zeroes[8];
	uint8_t hdr[JRN_REC_HDR];
	size_t slot, reclen;
	bool id_seen = false;
	uint8_t *r;
	int ret;

	if (len > JOURNAL_MAX_ENTRY || (len && !raw))
		return -EINVAL;
	if (j->nslots) {
		slot = set_find(j, log_id, raw, len, &id_seen);
		if (j->slots[slot])
			return 1;
	}
	/* Index space first, so a record on disk is always indexed. */
	ret = index_reserve(j);
	if (ret)
		return ret;
	slot = set_find(j, log_id, raw, len, NULL);

	reclen = JRN_REC_HDR + pad8(len);
	if (j->end + reclen > j->size) {
		ret = size_file(j->fd, j->size, j->end + reclen);
		if (!ret)
			ret = map_file(j);
		if (ret)
			return ret;
	}

	put_le32(hdr, JRN_REC_MAGIC);
	put_le32(hdr + 4, (uint32_t)len);
	put_le32(hdr + 8, log_id);
	put_le32(hdr + 12, rec_crc(log_id, (uint32_t)len, raw));
	r = j->base + j->end;
	j->memcpy_fn(r + JRN_REC_HDR, raw ? raw : zeroes, len, PMEM2_F_MEM_NOFLUSH);
	/* The space was zero already, but a stray write there must not pass as padding. */
	j->memcpy_fn(r + JRN_REC_HDR + len, zeroes, pad8(len) - len, PMEM2_F_MEM_NOFLUSH);
	j->memcpy_fn(r, hdr, sizeof(hdr), PMEM2_F_MEM_NOFLUSH);
	/* One persist for the whole record: torn means a failed CRC, never a bad record. */
	j->persist_fn(r, reclen);

	index_add(j, slot, j->end, log_id, (uint32_t)len);
	j->end += reclen;
	if (id_seen)
		log_notice("journal %s: log id %" PRIu32 " reused with other content "
			   "(the card's log counter restarted?); kept as a new entry",
			   j->path, log_id);
	return 0;
}

bool errlog_journal_contains(struct errlog_journal *j, uint32_t log_id)
{
	size_t i;

	if (!j->nslots)
		return false;
	for (i = set_hash(log_id, j->nslots); j->slots[i]; i = (i + 1) & (j->nslots - 1))
		if (j->recs[j->slots[i] - 1].id == log_id)
			return true;
	return false;
}

size_t errlog_journal_count(struct errlog_journal *j)
{
	return j->nrecs;
}

int errlog_journal_foreach(struct errlog_journal *j, journal_visit_fn fn, void *ctx)
{
	for (size_t i = 0; i < j->nrecs; i++) {
		const struct jrec *r = &j->recs[i];
		int ret = fn(ctx, r->id, j->base + r->off + JRN_REC_HDR, r->len);

		if (ret)
			return ret;
	}
	return 0;
}
