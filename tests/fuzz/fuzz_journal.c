// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target: error-log journal recovery (src/store/journal.c).  The
 * input becomes a journal file, which is then opened.  An oracle written
 * from the on-disk format described in journal.c says what recovery must
 * find, and the target checks:
 *
 *   - opening never fails because of what is in the file;
 *   - the records kept are exactly the valid prefix (a record equal to an
 *     earlier one, same id and bytes, once), every one passes its CRC;
 *   - the recovery report (records, damaged, dropped bytes) is right;
 *   - a damaged file header moves the file aside unchanged; damage with
 *     intact records behind it saves exactly the dropped bytes aside, up to
 *     the end of the last intact record;
 *   - good records are not touched, the damage is cut off (the file then
 *     reads as zeroes from there), and a second open finds a clean journal
 *     with the same records, by walk and by index;
 *   - an append after recovery lands and survives a reopen; an entry
 *     already kept is not appended twice.
 *
 * Input: one byte of fix-ups (bit 0: correct the file-header CRC; bit 1:
 * correct the CRC of every record header found at an 8-byte boundary), so
 * the fuzzer reaches valid-record paths without forging CRC-32s, then the
 * file's bytes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "fuzz.h"
#include "store/journal.h"
#include "util/log.h"

/* The format, from the comment at the top of journal.c. */
#define HDR_SIZE  32u
#define REC_HDR	  16u
#define REC_MAGIC 0x31524c45u
#define GROW	  (64u * 1024u)

#define FIX_HDR_CRC 0x01u
#define FIX_REC_CRC 0x02u

static char dir[64];
static char path[96];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *base = access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm";

	/* Recovery logs every damaged file; millions of them say nothing. */
	if (!getenv("OCXLFS_LOG"))
		log_set_level(LOG_CRIT);
	snprintf(dir, sizeof(dir), "%s/fuzz_journal.XXXXXX", base);
	FUZZ_ASSERT(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/journal", dir);
	return 0;
}

static size_t pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static uint32_t rec_crc(uint32_t id, uint32_t len, const uint8_t *payload)
{
	uint8_t pre[8];
	uLong crc = crc32(0L, Z_NULL, 0);

	for (int i = 0; i < 4; i++) {
		pre[i] = (uint8_t)(id >> (8 * i));
		pre[4 + i] = (uint8_t)(len >> (8 * i));
	}
	crc = crc32(crc, pre, sizeof(pre));
	return (uint32_t)crc32(crc, payload, len);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/*
 * memcmp() against zeroes, not a byte loop: every image is at least 64 KiB
 * and a loop there, instrumented for coverage, costs most of an execution.
 */
static bool zero(const uint8_t *p, size_t n)
{
	static const uint8_t zeroes[4096];

	for (size_t step; n; p += step, n -= step) {
		step = n < sizeof(zeroes) ? n : sizeof(zeroes);
		if (memcmp(p, zeroes, step))
			return false;
	}
	return true;
}

/* ---- the oracle ---- */

struct want_rec {
	size_t off;
	uint32_t id, len;
};

struct want {
	enum { W_NEW, W_GOOD, W_BAD_HEADER } header;
	struct want_rec *recs; /* kept, first of each id */
	size_t nrecs;
	size_t scanned;	  /* valid records walked, duplicates too */
	size_t end, stop; /* first free byte; one past the last damaged byte */
	bool saves_dropped;
};

/* A valid record at off in the image m of size s: its total size, else 0. */
static size_t valid_rec(const uint8_t *m, size_t s, size_t off)
{
	uint32_t len;

	if (s - off < REC_HDR || fuzz_le32(m + off) != REC_MAGIC)
		return 0;
	len = fuzz_le32(m + off + 4);
	if (len > JOURNAL_MAX_ENTRY || REC_HDR + pad8(len) > s - off)
		return 0;
	if (fuzz_le32(m + off + 12) != rec_crc(fuzz_le32(m + off + 8), len, m + off + REC_HDR))
		return 0;
	if (!zero(m + off + REC_HDR + len, pad8(len) - len))
		return 0;
	return REC_HDR + pad8(len);
}

static void oracle(const uint8_t *m, size_t fsize, size_t s, struct want *w)
{
	uLong hcrc = crc32(0L, m, 28);
	size_t off = HDR_SIZE, n;

	memset(w, 0, sizeof(*w));
	if (zero(m, fsize)) {
		w->header = W_NEW;
		return;
	}
	if (fsize < HDR_SIZE || zero(m, HDR_SIZE) || memcmp(m, "OCXLJRN1", 8) ||
	    fuzz_le32(m + 28) != (uint32_t)hcrc || fuzz_le32(m + 8) != 1 ||
	    fuzz_le32(m + 12) != HDR_SIZE) {
		w->header = W_BAD_HEADER;
		return;
	}
	w->header = W_GOOD;
	w->recs = calloc(s / REC_HDR, sizeof(*w->recs));
	FUZZ_ASSERT(w->recs);
	while (off < s && !zero(m + off, s - off < REC_HDR ? s - off : REC_HDR)) {
		bool dup = false;

		n = valid_rec(m, s, off);
		if (!n)
			break;
		/* A repeat is the same entry: same id, same bytes (not just the id). */
		for (size_t i = 0; i < w->nrecs && !dup; i++) {
			const struct want_rec *r = &w->recs[i];

			dup = r->id == fuzz_le32(m + off + 8) && r->len == fuzz_le32(m + off + 4) &&
			      !memcmp(m + r->off + REC_HDR, m + off + REC_HDR, r->len);
		}
		if (!dup)
			w->recs[w->nrecs++] =
			    (struct want_rec){off, fuzz_le32(m + off + 8), fuzz_le32(m + off + 4)};
		w->scanned++;
		off += n;
	}
	w->end = off;
	/* Past the file's own bytes the image is zero fill. */
	for (w->stop = fsize > off ? fsize : off; w->stop > off && !m[w->stop - 1]; w->stop--)
		;
	/*
	 * Intact records after the damage go aside, the last one whole even
	 * where its final bytes are zero: walk 8-byte steps, record by record
	 * where one is found.
	 */
	for (size_t o = off + 8, to = w->stop; o < to;) {
		n = valid_rec(m, s, o);
		if (!n) {
			o += 8;
			continue;
		}
		o += n;
		w->saves_dropped = true;
		if (o > w->stop)
			w->stop = o;
	}
}

/* ---- checks ---- */

struct visit {
	const struct want *w;
	const uint8_t *m;
	size_t i;
};

static int visit(void *ctx, uint32_t id, const uint8_t *raw, size_t len)
{
	struct visit *v = ctx;
	const struct want_rec *r;

	FUZZ_ASSERT(v->i < v->w->nrecs);
	r = &v->w->recs[v->i++];
	FUZZ_ASSERT(id == r->id && len == r->len);
	/* The bytes the file held, whose CRC passed (check_file: still there, as they were). */
	FUZZ_ASSERT(!memcmp(raw, v->m + r->off + REC_HDR, len));
	return 0;
}

/*
 * The records, through both readers: the walk, and entry by index (0 to
 * the count: the journal was empty before, so nothing was dropped), with
 * each entry's offset in the file.
 */
static void check_records(struct errlog_journal *j, const struct want *w, const uint8_t *m)
{
	struct visit v = {.w = w, .m = m};
	uint8_t buf[JOURNAL_MAX_ENTRY];
	struct journal_entry e;
	uint64_t first, end;

	FUZZ_ASSERT(errlog_journal_count(j) == w->nrecs);
	FUZZ_ASSERT(errlog_journal_foreach(j, visit, &v) == 0);
	FUZZ_ASSERT(v.i == w->nrecs);
	errlog_journal_range(j, &first, &end);
	FUZZ_ASSERT(first == 0 && end == w->nrecs);
	for (size_t i = 0; i < w->nrecs; i++) {
		const struct want_rec *r = &w->recs[i];

		FUZZ_ASSERT(errlog_journal_read(j, i, &e, buf, sizeof(buf)) == 0);
		FUZZ_ASSERT(e.log_id == r->id && e.len == r->len && e.offset == r->off);
		FUZZ_ASSERT(!memcmp(buf, m + r->off + REC_HDR, r->len));
	}
	FUZZ_ASSERT(errlog_journal_read(j, w->nrecs, &e, buf, sizeof(buf)) == -ENOENT);
}

/* Whether a retained entry has this id (by index: the journal is one file). */
static bool has_id(struct errlog_journal *j, uint32_t id)
{
	struct journal_entry e;
	uint64_t first, end;

	errlog_journal_range(j, &first, &end);
	for (uint64_t i = first; i < end; i++)
		if (!errlog_journal_read(j, i, &e, NULL, 0) && e.log_id == id)
			return true;
	return false;
}

static uint8_t *read_file(const char *name, size_t *len)
{
	int fd = open(name, O_RDONLY | O_CLOEXEC);
	struct stat st;
	uint8_t *buf;

	FUZZ_ASSERT(fd >= 0 && !fstat(fd, &st));
	*len = (size_t)st.st_size;
	buf = malloc(*len ? *len : 1);
	FUZZ_ASSERT(buf);
	FUZZ_ASSERT(pread(fd, buf, *len, 0) == (ssize_t)*len);
	close(fd);
	return buf;
}

/* The files recovery left beside the journal, checked, then removed. */
static void check_side_files(const struct want *w, const uint8_t *m, size_t fsize)
{
	unsigned corrupt = 0, dropped = 0;
	struct dirent *e;
	DIR *d = opendir(dir);

	FUZZ_ASSERT(d);
	while ((e = readdir(d))) {
		char name[sizeof(path) + 256];
		uint8_t *buf;
		size_t len;

		if (strncmp(e->d_name, "journal.", 8))
			continue;
		snprintf(name, sizeof(name), "%s/%s", dir, e->d_name);
		buf = read_file(name, &len);
		if (!strncmp(e->d_name, "journal.corrupt-", 16)) {
			corrupt++;
			FUZZ_ASSERT(len == fsize && !memcmp(buf, m, fsize));
		} else {
			FUZZ_ASSERT(!strncmp(e->d_name, "journal.dropped-", 16));
			dropped++;
			FUZZ_ASSERT(len == w->stop - w->end && !memcmp(buf, m + w->end, len));
		}
		free(buf);
		FUZZ_ASSERT(!unlink(name));
	}
	closedir(d);
	FUZZ_ASSERT(corrupt == (w->header == W_BAD_HEADER));
	FUZZ_ASSERT(dropped == w->saves_dropped);
}

/* What is on disk after recovery: good records as they were, then zeroes. */
static void check_file(const struct want *w, const uint8_t *m)
{
	size_t len;
	uint8_t *buf = read_file(path, &len);

	FUZZ_ASSERT(len >= GROW && len % GROW == 0);
	FUZZ_ASSERT(!memcmp(buf, "OCXLJRN1", 8));
	if (w->header == W_GOOD) {
		FUZZ_ASSERT(!memcmp(buf, m, w->end));
		FUZZ_ASSERT(zero(buf + w->end, len - w->end));
	} else {
		FUZZ_ASSERT(zero(buf + HDR_SIZE, len - HDR_SIZE));
	}
	free(buf);
}

/*
 * The recovered journal (n entries) rotated in 4 KiB files, two kept: the
 * retained range ends at the count of all entries ever taken, every
 * retained entry reads back (the new ones as appended), and a reopen
 * finds the same range.  Ids above first_new are the appended ones.
 */
enum { MORE = 80 };

static void check_rotation(size_t n, uint32_t first_new)
{
	struct journal_options opt = {.file_bytes = 4096, .keep_files = 2};
	uint8_t buf[JOURNAL_MAX_ENTRY], want[64];
	struct errlog_journal *j;
	struct journal_stats st, st2;
	struct journal_entry e;

	uint32_t added[MORE];
	size_t nadded = 0;
	int rc;

	FUZZ_ASSERT(errlog_journal_open_opts(path, &opt, &j, NULL) == 0);
	for (uint32_t i = 1; i <= MORE; i++) {
		memset(want, (int)i, sizeof(want));
		rc = errlog_journal_append(j, first_new + i, want, sizeof(want));
		/* 1: the input held this very entry already. */
		FUZZ_ASSERT(rc == 0 || rc == 1);
		if (!rc)
			added[nadded++] = i;
	}
	errlog_journal_stats(j, &st);
	FUZZ_ASSERT(st.end == n + nadded && st.entries == st.end - st.first);
	FUZZ_ASSERT(st.files <= 3 && st.dropped_entries == st.first && st.last_error == 0);
	errlog_journal_close(j);
	FUZZ_ASSERT(errlog_journal_open_opts(path, &opt, &j, NULL) == 0);
	errlog_journal_stats(j, &st2);
	FUZZ_ASSERT(st2.first == st.first && st2.end == st.end && st2.entries == st.entries);
	for (uint64_t i = st.first; i < st.end; i++) {
		FUZZ_ASSERT(errlog_journal_read(j, i, &e, buf, sizeof(buf)) == 0);
		if (i >= n) {
			uint32_t k = added[i - n];

			memset(want, (int)k, sizeof(want));
			FUZZ_ASSERT(e.log_id == first_new + k);
			FUZZ_ASSERT(e.len == sizeof(want) && !memcmp(buf, want, sizeof(want)));
		}
	}
	errlog_journal_close(j);
	/* Rotated files go with the journal. */
	for (uint64_t base = 0; base < st.end; base++) {
		char name[sizeof(path) + 24];

		snprintf(name, sizeof(name), "%s.%llu", path, (unsigned long long)base);
		unlink(name);
	}
}

static void fix_crcs(uint8_t *m, size_t fsize, uint8_t fix)
{
	if ((fix & FIX_REC_CRC) && fsize >= HDR_SIZE + REC_HDR) {
		/* Backwards, so a record's CRC covers fixes inside its payload. */
		for (size_t o = (fsize - REC_HDR) & ~(size_t)7; o >= HDR_SIZE; o -= 8) {
			uint32_t len = fuzz_le32(m + o + 4);

			if (fuzz_le32(m + o) == REC_MAGIC && len <= fsize - o - REC_HDR)
				put32(m + o + 12,
				      rec_crc(fuzz_le32(m + o + 8), len, m + o + REC_HDR));
		}
	}
	if ((fix & FIX_HDR_CRC) && fsize >= HDR_SIZE)
		put32(m + 28, (uint32_t)crc32(0L, m, 28));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct journal_recovery rec;
	struct errlog_journal *j;
	struct want w;
	size_t fsize, s;
	uint8_t *m;
	uint8_t extra[8] = {'f', 'u', 'z', 'z'};
	uint32_t new_id;
	int fd;

	if (size < 1)
		return 0;
	fsize = size - 1;
	/* The image recovery sees: the file, zero-filled to the mapped size. */
	s = fsize < GROW ? GROW : (fsize + GROW - 1) / GROW * GROW;
	m = calloc(1, s);
	FUZZ_ASSERT(m);
	memcpy(m, data + 1, fsize);
	fix_crcs(m, fsize, data[0]);
	oracle(m, fsize, s, &w);

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FUZZ_ASSERT(fd >= 0 && write(fd, m, fsize) == (ssize_t)fsize);
	close(fd);

	FUZZ_ASSERT(errlog_journal_open(path, &j, &rec) == 0);
	check_records(j, &w, m);
	FUZZ_ASSERT(rec.records == w.scanned);
	if (w.header == W_BAD_HEADER) {
		FUZZ_ASSERT(rec.damaged && rec.dropped_bytes == fsize);
	} else {
		FUZZ_ASSERT(rec.damaged == (w.stop > w.end));
		FUZZ_ASSERT(rec.dropped_bytes == w.stop - w.end);
	}
	errlog_journal_close(j);
	check_side_files(&w, m, fsize);
	check_file(&w, m);

	/* Recovery is done: the second open is clean and finds the same records. */
	FUZZ_ASSERT(errlog_journal_open(path, &j, &rec) == 0);
	FUZZ_ASSERT(!rec.damaged && rec.dropped_bytes == 0);
	check_records(j, &w, m);
	/* An id no kept record has (there are fewer records than ids). */
	new_id = 0;
	while (has_id(j, new_id))
		new_id++;
	FUZZ_ASSERT(errlog_journal_append(j, new_id, extra, sizeof(extra)) == 0);
	/* A kept entry sent again (its ACK lost) is stored once. */
	if (w.nrecs)
		FUZZ_ASSERT(errlog_journal_append(j, w.recs[0].id, m + w.recs[0].off + REC_HDR,
						  w.recs[0].len) == 1);
	errlog_journal_close(j);
	FUZZ_ASSERT(errlog_journal_open(path, &j, &rec) == 0);
	FUZZ_ASSERT(!rec.damaged && errlog_journal_count(j) == w.nrecs + 1);
	FUZZ_ASSERT(has_id(j, new_id));
	errlog_journal_close(j);
	check_side_files(&(struct want){.header = W_NEW}, m, fsize);
	check_rotation(w.nrecs + 1, new_id);

	FUZZ_ASSERT(!unlink(path));
	free(w.recs);
	free(m);
	return 0;
}
