// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests for the durable store: the error-log journal and the dump
 * store.  White-box where it must be: the torn-tail and corruption tests
 * know the journal's on-disk layout (see journal.c) to aim at records.
 *
 * OCXLFS_TEST_SEED=<n> reruns with another seed; OCXLFS_LOG=warning shows
 * what recovery logs.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include <zlib.h>

#include "store/dump_store.h"
#include "store/event_log.h"
#include "store/journal.h"
#include "util/log.h"

/* Mirrors journal.c's format. */
#define JRN_HDR_SIZE 32u
#define JRN_REC_HDR  16u

/*
 * The disk failing on demand: these replace libc's for the code under
 * test (linked into this program), and fail with the errno set here.
 */
static int fail_sync, fail_pwrite;

int fsync(int fd)
{
	if (fail_sync) {
		errno = fail_sync;
		return -1;
	}
	return (int)syscall(SYS_fsync, fd);
}

int fdatasync(int fd)
{
	if (fail_sync) {
		errno = fail_sync;
		return -1;
	}
	return (int)syscall(SYS_fdatasync, fd);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	if (fail_pwrite) {
		errno = fail_pwrite;
		return -1;
	}
	return (ssize_t)syscall(SYS_pwrite64, fd, buf, n, off);
}

ssize_t pwritev(int fd, const struct iovec *iov, int n, off_t off)
{
	if (fail_pwrite) {
		errno = fail_pwrite;
		return -1;
	}
	/* The syscall takes the offset in two halves. */
	return (ssize_t)syscall(SYS_pwritev, fd, iov, n, (unsigned long)off,
				(unsigned long)((uint64_t)off >> 32));
}

static uint64_t seed = 0x0c71f5u;
static char tmpdir[64];
static char jpath[128];

/* xorshift64*: reproducible without touching libc's rand state. */
static uint64_t rnd_state;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dull;
}

static size_t rnd_range(size_t lo, size_t hi) /* [lo, hi] */
{
	return lo + (size_t)(rnd() % (hi - lo + 1));
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void setup(void)
{
	rnd_state = seed;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/check_store.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(jpath, sizeof(jpath), "%s/errlog.jrn", tmpdir);
}

static void teardown(void)
{
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- helpers ---- */

static size_t pad8(size_t n)
{
	return (n + 7u) & ~(size_t)7u;
}

/*
 * Entry content from its id; never a zero byte, so a cut always shows.
 * With zero_tails, up to 7 trailing zeroes, as the NUL padding of a real
 * entry's additional data.
 */
static bool zero_tails;

static void fill_entry(uint32_t id, uint8_t *buf, size_t len)
{
	size_t zeroes = zero_tails ? id % 8u : 0;

	for (size_t i = 0; i < len; i++)
		buf[i] = i + zeroes < len ? (uint8_t)((id * 131u + i * 7u) % 255u + 1u) : 0;
}

static size_t entry_len(uint32_t id)
{
	return 0x48 + (id * 37u) % 300u;
}

static uint32_t nth_id(size_t i)
{
	/* Scattered ids exercise the hash set. */
	return (uint32_t)(i * 2654435761u) ^ 0x5a5a5a5au;
}

static void append_n(struct errlog_journal *j, size_t from, size_t to)
{
	uint8_t buf[JOURNAL_MAX_ENTRY];

	for (size_t i = from; i < to; i++) {
		uint32_t id = nth_id(i);

		fill_entry(id, buf, entry_len(id));
		ck_assert_int_eq(errlog_journal_append(j, id, buf, entry_len(id)), 0);
	}
}

struct expect {
	size_t next;
	size_t total;
};

/* Checks that the journal holds exactly nth_id(0 .. total-1), in order. */
static int visit_expect(void *ctx, uint32_t log_id, const uint8_t *raw, size_t len)
{
	struct expect *e = ctx;
	uint8_t buf[JOURNAL_MAX_ENTRY];
	uint32_t id = nth_id(e->next);

	ck_assert_uint_lt(e->next, e->total);
	ck_assert_uint_eq(log_id, id);
	ck_assert_uint_eq(len, entry_len(id));
	fill_entry(id, buf, len);
	ck_assert_mem_eq(raw, buf, len);
	e->next++;
	return 0;
}

static void check_contents(struct errlog_journal *j, size_t total)
{
	struct expect e = {.next = 0, .total = total};

	ck_assert_uint_eq(errlog_journal_count(j), total);
	ck_assert_int_eq(errlog_journal_foreach(j, visit_expect, &e), 0);
	ck_assert_uint_eq(e.next, total);
}

struct id_search {
	uint32_t id;
	bool found;
};

static int visit_find_id(void *ctx, uint32_t log_id, const uint8_t *raw, size_t len)
{
	struct id_search *s = ctx;

	s->found |= log_id == s->id;
	return 0;
}

/* Whether any retained entry has this log identifier. */
static bool has_id(struct errlog_journal *j, uint32_t id)
{
	struct id_search s = {.id = id};

	ck_assert_int_eq(errlog_journal_foreach(j, visit_find_id, &s), 0);
	return s.found;
}

static struct errlog_journal *jopen(struct journal_recovery *rec)
{
	struct errlog_journal *j = NULL;
	struct journal_recovery dummy;

	ck_assert_int_eq(errlog_journal_open(jpath, &j, rec ? rec : &dummy), 0);
	ck_assert_ptr_nonnull(j);
	return j;
}

static uint8_t *read_file(const char *path, size_t *size)
{
	struct stat st;
	uint8_t *buf;
	int fd = open(path, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(pread(fd, buf, (size_t)st.st_size, 0), st.st_size);
	close(fd);
	*size = (size_t)st.st_size;
	return buf;
}

static size_t file_size(const char *path)
{
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	return (size_t)st.st_size;
}

static void write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

/* Files in tmpdir whose name contains tag; removed with remove. */
static unsigned count_files(const char *tag, int remove)
{
	unsigned n = 0;
	struct dirent *de;
	DIR *d = opendir(tmpdir);

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		char p[512];

		if (!strstr(de->d_name, tag))
			continue;
		n++;
		snprintf(p, sizeof(p), "%s/%s", tmpdir, de->d_name);
		if (remove)
			unlink(p);
	}
	closedir(d);
	return n;
}

/* Builds a journal of n records and returns its bytes up to the last record. */
static uint8_t *make_image(size_t n, size_t *offs, size_t *end)
{
	struct errlog_journal *j = jopen(NULL);
	size_t size, off = JRN_HDR_SIZE;
	uint8_t *img;

	append_n(j, 0, n);
	errlog_journal_close(j);
	for (size_t i = 0; i < n; i++) {
		offs[i] = off;
		off += JRN_REC_HDR + pad8(entry_len(nth_id(i)));
	}
	offs[n] = off;
	img = read_file(jpath, &size);
	ck_assert_uint_ge(size, off);
	*end = off;
	return img;
}

/*
 * What the code under test logs, through log.c's stderr path: recovery
 * must say what it dropped, so the tests read it back.
 */
static int saved_stderr = -1, saved_level;

static void log_capture(void)
{
	char path[192];
	int fd;

	snprintf(path, sizeof(path), "%s/log.txt", tmpdir);
	fflush(stderr);
	saved_stderr = dup(STDERR_FILENO);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(saved_stderr, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(dup2(fd, STDERR_FILENO), 0);
	close(fd);
	saved_level = log_get_level();
	log_set_level(LOG_DEBUG);
}

/* Ends the capture; returns what was logged (malloc'd, NUL-terminated). */
static char *log_captured(void)
{
	char path[192];
	uint8_t *text;
	size_t size;

	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	saved_stderr = -1;
	log_set_level(saved_level);
	snprintf(path, sizeof(path), "%s/log.txt", tmpdir);
	text = read_file(path, &size);
	text[size] = 0;
	unlink(path);
	return (char *)text;
}

/* ---- journal ---- */

START_TEST(test_journal_roundtrip)
{
	struct journal_recovery rec;
	struct errlog_journal *j = jopen(&rec);

	ck_assert_uint_eq(rec.records, 0);
	ck_assert(!rec.damaged);
	append_n(j, 0, 1000);
	check_contents(j, 1000);
	errlog_journal_close(j);

	j = jopen(&rec);
	ck_assert_uint_eq(rec.records, 1000);
	ck_assert(!rec.damaged);
	ck_assert_uint_eq(rec.dropped_bytes, 0);
	check_contents(j, 1000);
	for (size_t i = 0; i < 1000; i++)
		ck_assert(has_id(j, nth_id(i)));
	ck_assert(!has_id(j, nth_id(1000)));
	errlog_journal_close(j);
}
END_TEST

/* Appends nth_id(i) again, with the bytes it was first appended with. */
static int append_again(struct errlog_journal *j, size_t i)
{
	uint8_t buf[JOURNAL_MAX_ENTRY];
	uint32_t id = nth_id(i);

	fill_entry(id, buf, entry_len(id));
	return errlog_journal_append(j, id, buf, entry_len(id));
}

/* An entry re-sent after a lost acknowledgement is stored once. */
START_TEST(test_journal_dedup)
{
	struct errlog_journal *j = jopen(NULL);
	uint8_t before[JRN_HDR_SIZE + 4096], *after;
	size_t size;

	append_n(j, 0, 10);
	ck_assert_int_eq(append_again(j, 3), 1);
	ck_assert_uint_eq(errlog_journal_count(j), 10);
	errlog_journal_close(j);

	j = jopen(NULL);
	after = read_file(jpath, &size);
	memcpy(before, after, sizeof(before));
	free(after);
	ck_assert_int_eq(append_again(j, 9), 1);
	ck_assert_int_eq(append_again(j, 0), 1);
	ck_assert_uint_eq(errlog_journal_count(j), 10);
	check_contents(j, 10);
	/* Nothing was written. */
	after = read_file(jpath, &size);
	ck_assert_mem_eq(before, after, sizeof(before));
	free(after);
	errlog_journal_close(j);
}
END_TEST

START_TEST(test_journal_append_after_reopen)
{
	struct errlog_journal *j = jopen(NULL);

	append_n(j, 0, 10);
	errlog_journal_close(j);
	for (size_t round = 1; round < 5; round++) {
		j = jopen(NULL);
		check_contents(j, round * 10);
		append_n(j, round * 10, round * 10 + 10);
		errlog_journal_close(j);
	}
	j = jopen(NULL);
	check_contents(j, 50);
	errlog_journal_close(j);
}
END_TEST

static int stop_at_3(void *ctx, uint32_t log_id, const uint8_t *raw, size_t len)
{
	return ++*(int *)ctx == 3 ? 42 : 0;
}

START_TEST(test_journal_foreach_stop)
{
	struct errlog_journal *j = jopen(NULL);
	int n = 0;

	append_n(j, 0, 5);
	ck_assert_int_eq(errlog_journal_foreach(j, stop_at_3, &n), 42);
	ck_assert_int_eq(n, 3);
	errlog_journal_close(j);
}
END_TEST

START_TEST(test_journal_busy)
{
	struct errlog_journal *j = jopen(NULL), *j2 = NULL;

	ck_assert_int_eq(errlog_journal_open(jpath, &j2, NULL), -EBUSY);
	ck_assert_ptr_null(j2);
	errlog_journal_close(j);
	j = jopen(NULL);
	errlog_journal_close(j);
}
END_TEST

START_TEST(test_journal_torn_tail)
{
	enum { N = 40 };
	size_t offs[N + 1], end;
	uint8_t *img = make_image(N, offs, &end);

	for (int it = 0; it < 50; it++) {
		struct journal_recovery rec;
		struct errlog_journal *j;
		size_t cut, kept = 0;
		bool torn = false;

		/* A few fixed edges, then random cuts. */
		if (it == 0)
			cut = JRN_HDR_SIZE;
		else if (it == 1)
			cut = end;
		else if (it == 2)
			cut = end - 1;
		else
			cut = rnd_range(JRN_HDR_SIZE, end);
		for (size_t i = 0; i < N; i++) {
			size_t body = offs[i] + JRN_REC_HDR + entry_len(nth_id(i));

			if (body <= cut)
				kept++;
			else if (cut > offs[i])
				torn = true;
		}
		write_file(jpath, img, cut);

		j = jopen(&rec);
		ck_assert_uint_eq(rec.records, kept);
		ck_assert_int_eq(rec.damaged, torn);
		ck_assert_int_eq(rec.dropped_bytes > 0, torn);
		if (torn)
			ck_assert_uint_le(rec.dropped_bytes, cut - offs[kept]);
		check_contents(j, kept);
		/* A torn append is not media damage: nothing to save aside. */
		ck_assert_uint_eq(count_files(".dropped-", 1), 0);
		if (it % 10 == 0) {
			append_n(j, kept, kept + 1);
			errlog_journal_close(j);
			j = jopen(&rec);
			ck_assert(!rec.damaged);
			check_contents(j, kept + 1);
		}
		errlog_journal_close(j);
	}
	free(img);
}
END_TEST

START_TEST(test_journal_corrupt)
{
	enum { N = 30 };
	size_t offs[N + 1], end;
	uint8_t *img = make_image(N, offs, &end);

	for (int it = 0; it < 50; it++) {
		size_t k = it == 0 ? 0 : it == 1 ? N - 1 : rnd_range(0, N - 1);
		size_t at = rnd_range(offs[k], offs[k + 1] - 1);
		struct journal_recovery rec;
		struct errlog_journal *j;
		uint8_t *bad;

		bad = malloc(end);
		ck_assert_ptr_nonnull(bad);
		memcpy(bad, img, end);
		bad[at] ^= (uint8_t)rnd_range(1, 255);
		write_file(jpath, bad, end);
		free(bad);

		j = jopen(&rec);
		ck_assert_uint_eq(rec.records, k);
		ck_assert(rec.damaged);
		ck_assert_uint_gt(rec.dropped_bytes, 0);
		ck_assert_uint_le(rec.dropped_bytes, end - offs[k]);
		check_contents(j, k);
		/* Intact records after the damage are kept aside for a human. */
		ck_assert_uint_eq(count_files(".dropped-", 1), k < N - 1);

		append_n(j, k, k + 1);
		errlog_journal_close(j);
		j = jopen(&rec);
		ck_assert(!rec.damaged);
		ck_assert_uint_eq(rec.records, k + 1);
		check_contents(j, k + 1);
		errlog_journal_close(j);
	}
	free(img);
}
END_TEST

START_TEST(test_journal_bad_header)
{
	for (size_t at = 0; at < JRN_HDR_SIZE; at += 3) {
		struct journal_recovery rec;
		struct errlog_journal *j = jopen(NULL);
		uint8_t *img;
		size_t size;

		append_n(j, 0, 5);
		errlog_journal_close(j);
		img = read_file(jpath, &size);
		img[at] ^= 0x10;
		write_file(jpath, img, size);

		j = jopen(&rec);
		ck_assert(rec.damaged);
		ck_assert_uint_eq(rec.records, 0);
		ck_assert_uint_eq(errlog_journal_count(j), 0);
		ck_assert(!has_id(j, nth_id(0)));
		append_n(j, 0, 2);
		errlog_journal_close(j);
		j = jopen(&rec);
		ck_assert(!rec.damaged);
		check_contents(j, 2);
		errlog_journal_close(j);
		free(img);

		/* The damaged file is kept as it was. */
		ck_assert_uint_eq(count_files(".corrupt-", 1), 1);
		unlink(jpath);
	}
}
END_TEST

START_TEST(test_journal_odd_files)
{
	static const uint8_t junk[] = "not a journal at all";
	struct journal_recovery rec;
	struct errlog_journal *j;
	uint8_t zeroes[100] = {0};

	/* Shorter than a header. */
	write_file(jpath, junk, sizeof(junk));
	j = jopen(&rec);
	ck_assert(rec.damaged);
	check_contents(j, 0);
	errlog_journal_close(j);
	ck_assert_uint_eq(count_files(".corrupt-", 1), 1);

	/* Empty or all-zero: a crash during creation, nothing lost. */
	write_file(jpath, zeroes, 0);
	j = jopen(&rec);
	ck_assert(!rec.damaged);
	append_n(j, 0, 1);
	errlog_journal_close(j);
	write_file(jpath, zeroes, sizeof(zeroes));
	j = jopen(&rec);
	ck_assert(!rec.damaged);
	append_n(j, 0, 3);
	errlog_journal_close(j);
	j = jopen(&rec);
	check_contents(j, 3);
	errlog_journal_close(j);
	ck_assert_uint_eq(count_files(".corrupt-", 1), 0);
}
END_TEST

START_TEST(test_journal_max_entry)
{
	uint8_t *buf = malloc(JOURNAL_MAX_ENTRY + 1);
	struct errlog_journal *j = jopen(NULL);
	size_t sum = 0;

	ck_assert_ptr_nonnull(buf);
	for (size_t i = 0; i <= JOURNAL_MAX_ENTRY; i++)
		buf[i] = (uint8_t)(i * 13 + 1);
	ck_assert_int_eq(errlog_journal_append(j, 1, buf, JOURNAL_MAX_ENTRY + 1), -EINVAL);
	ck_assert_int_eq(errlog_journal_append(j, 2, NULL, 5), -EINVAL);
	ck_assert_uint_eq(errlog_journal_count(j), 0);
	/* Several, so the file has to grow past its first step. */
	for (uint32_t id = 1; id <= 4; id++)
		ck_assert_int_eq(errlog_journal_append(j, id, buf, JOURNAL_MAX_ENTRY), 0);
	ck_assert_int_eq(errlog_journal_append(j, 5, NULL, 0), 0);
	errlog_journal_close(j);

	j = jopen(NULL);
	ck_assert_uint_eq(errlog_journal_count(j), 5);
	for (uint32_t id = 1; id <= 5; id++)
		ck_assert(has_id(j, id));
	errlog_journal_close(j);
	for (size_t i = 0; i < JOURNAL_MAX_ENTRY; i++)
		sum += buf[i];
	ck_assert_uint_gt(sum, 0);
	free(buf);
}
END_TEST

/*
 * A card whose log counter restarted (or a simulator started afresh) hands
 * out identifiers already in the journal for new entries: those are kept,
 * only a byte-for-byte repeat is dropped.
 */
struct reuse_seen {
	char tags[8];
	size_t n;
};

/* Tags the records holding a's, b's or c's bytes in the order visited. */
static int visit_reuse(void *ctx, uint32_t log_id, const uint8_t *raw, size_t len)
{
	struct reuse_seen *seen = ctx;

	if (!len || (raw[0] != 0xa1 && raw[0] != 0xb2))
		return 0;
	for (size_t i = 1; i < len; i++)
		if (raw[i] != raw[0])
			return 0;
	ck_assert_uint_lt(seen->n, sizeof(seen->tags) - 1);
	seen->tags[seen->n++] = raw[0] == 0xb2 ? 'b' : len == 0x60 ? 'c' : 'a';
	return 0;
}

START_TEST(test_journal_id_reuse)
{
	struct reuse_seen seen = {.n = 0};
	uint8_t a[0x50], b[0x50], c[0x60];
	struct journal_recovery rec;
	struct errlog_journal *j = jopen(NULL);
	char *log;

	memset(a, 0xa1, sizeof(a));
	memset(b, 0xb2, sizeof(b));
	memset(c, 0xa1, sizeof(c)); /* a's bytes, longer */
	append_n(j, 0, 100);
	ck_assert_int_eq(errlog_journal_append(j, 7, a, sizeof(a)), 0);
	ck_assert_int_eq(errlog_journal_append(j, 7, a, sizeof(a)), 1);
	log_capture();
	ck_assert_int_eq(errlog_journal_append(j, 7, b, sizeof(b)), 0);
	ck_assert_int_eq(errlog_journal_append(j, 7, c, sizeof(c)), 0);
	log = log_captured();
	ck_assert_ptr_nonnull(strstr(log, "log id 7 reused with other content"));
	free(log);
	ck_assert_int_eq(errlog_journal_append(j, 7, b, sizeof(b)), 1);
	ck_assert_int_eq(errlog_journal_append(j, 7, c, sizeof(c)), 1);
	ck_assert_uint_eq(errlog_journal_count(j), 103);
	ck_assert(has_id(j, 7));
	errlog_journal_close(j);

	j = jopen(&rec);
	ck_assert(!rec.damaged);
	ck_assert_uint_eq(errlog_journal_count(j), 103);
	/* Still deduplicated after the index was rebuilt from the file. */
	ck_assert_int_eq(errlog_journal_append(j, 7, a, sizeof(a)), 1);
	ck_assert_int_eq(errlog_journal_append(j, 7, b, sizeof(b)), 1);
	ck_assert_int_eq(errlog_journal_append(j, nth_id(5), a, sizeof(a)), 0);
	errlog_journal_close(j);
	j = jopen(NULL);
	ck_assert_uint_eq(errlog_journal_count(j), 104);
	/* Each kept once, in the order taken: a, b, c, then a again under another id. */
	ck_assert_int_eq(errlog_journal_foreach(j, visit_reuse, &seen), 0);
	ck_assert_str_eq(seen.tags, "abca");
	errlog_journal_close(j);
}
END_TEST

/* A record written twice (only an older daemon could) is shown once. */
START_TEST(test_journal_duplicate_record)
{
	enum { N = 8 };
	size_t offs[N + 1], end, size, dup_len;
	uint8_t *img = make_image(N, offs, &end);
	struct journal_recovery rec;
	struct errlog_journal *j;
	char *log;

	size = file_size(jpath);
	dup_len = offs[3] - offs[2];
	ck_assert_uint_le(end + dup_len, size);
	memcpy(img + end, img + offs[2], dup_len);
	write_file(jpath, img, size);
	log_capture();
	j = jopen(&rec);
	log = log_captured();
	ck_assert(!rec.damaged);
	ck_assert_uint_eq(rec.records, N + 1);
	check_contents(j, N);
	ck_assert_ptr_nonnull(strstr(log, "repeats log id"));
	free(log);
	errlog_journal_close(j);
	free(img);
}
END_TEST

enum damage_kind { DMG_FLIP, DMG_GARBAGE, DMG_ZERO, DMG_TAIL, DMG_NR };

/*
 * Damages img (size bytes, records up to end) in place; returns the first
 * and last byte that now differ, or false if none does.
 */
static bool damage(uint8_t *img, size_t size, size_t end, enum damage_kind kind, size_t *first,
		   size_t *last)
{
	uint8_t *orig = malloc(size);
	size_t at, len = 1;
	bool any = false;

	ck_assert_ptr_nonnull(orig);
	memcpy(orig, img, size);
	switch (kind) {
	case DMG_FLIP:
		at = rnd_range(JRN_HDR_SIZE, end - 1);
		img[at] ^= (uint8_t)rnd_range(1, 255);
		break;
	case DMG_GARBAGE: /* a stray block write */
	case DMG_ZERO:	  /* a lost page or sector */
		at = rnd_range(JRN_HDR_SIZE, end - 1);
		len = rnd_range(1, 4096);
		if (len > size - at)
			len = size - at;
		for (size_t i = 0; i < len; i++)
			img[at + i] = kind == DMG_ZERO ? 0 : (uint8_t)rnd();
		break;
	default: /* DMG_TAIL: non-zero bytes in the free space after the last record */
		at = rnd_range(end, size - 1);
		img[at] = (uint8_t)rnd_range(1, 255);
		break;
	}
	for (size_t i = 0; i < size; i++) {
		if (img[i] == orig[i])
			continue;
		if (!any)
			*first = i;
		*last = i;
		any = true;
	}
	free(orig);
	return any;
}

static size_t last_nonzero(const uint8_t *img, size_t size)
{
	while (size && !img[size - 1])
		size--;
	return size;
}

/*
 * Random damage of every kind at random places: the journal opens, keeps
 * exactly the records before the first damaged byte, logs how many bytes
 * it dropped after which record, saves intact records found beyond the
 * damage to a side file byte for byte (the last one whole, even when it
 * ends in zeroes), and takes appends again.  Run without and with
 * entries that end in zeroes.
 */
START_TEST(test_journal_random_damage)
{
	enum { N = 40 };
	size_t offs[N + 1], end, size;
	uint8_t *img, *bad;

	zero_tails = _i;
	img = make_image(N, offs, &end);

	size = file_size(jpath);
	bad = malloc(size);
	ck_assert_ptr_nonnull(bad);
	for (int it = 0; it < 200; it++) {
		enum damage_kind kind = (enum damage_kind)(it % DMG_NR);
		size_t first = 0, last = 0, kept = 0, dropped, stop;
		struct journal_recovery rec;
		struct errlog_journal *j;
		bool intact_after = false;
		char want[128], *log;

		memcpy(bad, img, size);
		if (!damage(bad, size, end, kind, &first, &last))
			continue; /* zeroes written over zeroes */
		while (kept < N && offs[kept + 1] <= first)
			kept++;
		for (size_t i = kept + 1; i < N; i++)
			intact_after |= offs[i] > last;
		/*
		 * The previous record's zero padding may end the data; an intact
		 * last record is dropped whole, its trailing zeroes included.
		 */
		stop = last_nonzero(bad, size);
		if (intact_after && stop < end)
			stop = end;
		dropped = stop > offs[kept] ? stop - offs[kept] : 0;
		write_file(jpath, bad, size);

		log_capture();
		j = jopen(&rec);
		log = log_captured();
		ck_assert_msg(rec.records == kept, "kind %d at %zu: kept %zu, want %zu", kind,
			      first, rec.records, kept);
		/*
		 * Zeroes from a record boundary to the end look like a shorter
		 * journal, as a cut at a boundary does: nothing left to see.
		 */
		ck_assert_int_eq(rec.damaged, dropped > 0);
		ck_assert_uint_eq(rec.dropped_bytes, dropped);
		check_contents(j, kept);
		if (dropped) {
			snprintf(want, sizeof(want),
				 "dropped %zu bytes after record %zu (offset %zu)", dropped, kept,
				 offs[kept]);
			ck_assert_msg(strstr(log, want), "log lacks \"%s\": %s", want, log);
		} else {
			ck_assert_str_eq(log, "");
		}
		ck_assert_int_eq(strstr(log, "dropped bytes saved to") != NULL, intact_after);
		free(log);

		/* The side file holds the dropped bytes exactly as they were. */
		ck_assert_uint_eq(count_files(".dropped-", 0), intact_after);
		if (intact_after) {
			struct dirent *de;
			DIR *d = opendir(tmpdir);
			size_t dsize;
			uint8_t *saved;
			char p[512];

			ck_assert_ptr_nonnull(d);
			while ((de = readdir(d)) && !strstr(de->d_name, ".dropped-"))
				;
			ck_assert_ptr_nonnull(de);
			snprintf(p, sizeof(p), "%s/%s", tmpdir, de->d_name);
			closedir(d);
			saved = read_file(p, &dsize);
			ck_assert_uint_eq(dsize, dropped);
			ck_assert_mem_eq(saved, bad + offs[kept], dsize);
			free(saved);
			count_files(".dropped-", 1);
		}

		/* Recovery leaves a journal that takes appends and reopens clean. */
		append_n(j, kept, kept + 2);
		errlog_journal_close(j);
		j = jopen(&rec);
		ck_assert(!rec.damaged);
		check_contents(j, kept + 2);
		errlog_journal_close(j);
	}
	free(bad);
	free(img);
}
END_TEST

/* ---- bounds, indexes, readers ---- */

static struct errlog_journal *jopen_opts(size_t file_bytes, unsigned keep)
{
	struct journal_options opt = {.file_bytes = file_bytes, .keep_files = keep};
	struct errlog_journal *j = NULL;

	ck_assert_int_eq(errlog_journal_open_opts(jpath, &opt, &j, NULL), 0);
	return j;
}

/* Entry INDEX holds nth_id(INDEX)'s bytes. */
static void check_index(struct errlog_journal *j, uint64_t index)
{
	uint8_t buf[JOURNAL_MAX_ENTRY], want[JOURNAL_MAX_ENTRY];
	uint32_t id = nth_id(index);
	struct journal_entry e;

	ck_assert_int_eq(errlog_journal_read(j, index, &e, buf, sizeof(buf)), 0);
	ck_assert_uint_eq(e.log_id, id);
	ck_assert_uint_eq(e.len, entry_len(id));
	fill_entry(id, want, e.len);
	ck_assert_mem_eq(buf, want, e.len);
}

/* Rotated files of the journal at jpath, by name. */
static unsigned count_rotated(void)
{
	const char *base = strrchr(jpath, '/') + 1;
	size_t n = strlen(base);
	unsigned cnt = 0;
	struct dirent *de;
	DIR *d = opendir(tmpdir);

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		cnt += !strncmp(de->d_name, base, n) && de->d_name[n] == '.' &&
		       de->d_name[n + 1] >= '0' && de->d_name[n + 1] <= '9';
	closedir(d);
	return cnt;
}

/*
 * Small files (4 KiB, about 20 entries), 3 kept: rotation names files by
 * the index of their first entry, the oldest go, indexes never move, and
 * all of it survives a reopen.
 */
START_TEST(test_journal_rotation)
{
	struct errlog_journal *j = jopen_opts(4096, 3);
	struct journal_stats st;
	uint64_t first, end;
	size_t total_bytes = 0;
	char name[256];
	char *log;

	log_capture();
	append_n(j, 0, 400);
	log = log_captured();
	ck_assert_ptr_nonnull(strstr(log, "deleted errlog.jrn.0, the oldest"));
	free(log);
	errlog_journal_stats(j, &st);
	ck_assert_uint_eq(st.end, 400);
	ck_assert_uint_eq(st.files, 4);
	ck_assert_uint_eq(st.entries, st.end - st.first);
	ck_assert_uint_eq(st.dropped_entries, st.first);
	ck_assert_uint_gt(st.first, 0);
	ck_assert_uint_eq(count_rotated(), 3);
	/* The oldest retained file is named by its first index. */
	snprintf(name, sizeof(name), "%s.%" PRIu64, jpath, st.first);
	ck_assert_int_eq(access(name, F_OK), 0);
	/* Bounded: every file at most one file's worth, rounded to the growth step. */
	ck_assert_uint_le(st.bytes, 4 * 64 * 1024);
	for (uint64_t i = st.first; i < st.end; i++)
		check_index(j, i);
	ck_assert_int_eq(errlog_journal_read(j, st.first - 1, &(struct journal_entry){0}, NULL, 0),
			 -ENOENT);
	/* Dedup covers the rotated files: the oldest retained entry again. */
	ck_assert_int_eq(append_again(j, st.first), 1);
	errlog_journal_close(j);

	j = jopen_opts(4096, 3);
	errlog_journal_range(j, &first, &end);
	ck_assert_uint_eq(first, st.first);
	ck_assert_uint_eq(end, 400);
	ck_assert_uint_eq(errlog_journal_count(j), 400 - first);
	for (uint64_t i = first; i < end; i++)
		check_index(j, i);
	ck_assert_int_eq(append_again(j, first + 1), 1);
	/* Indexes carry on after the restart. */
	append_n(j, 400, 401);
	check_index(j, 400);
	errlog_journal_stats(j, &st);
	total_bytes = st.bytes;
	ck_assert_uint_gt(total_bytes, 0);
	errlog_journal_close(j);
}
END_TEST

/* A reader's pin keeps rotation from deleting what it still needs. */
START_TEST(test_journal_pins)
{
	struct errlog_journal *j = jopen_opts(4096, 1);
	struct journal_pin pin, pin2;
	struct journal_stats st;

	errlog_journal_pin(j, &pin, 0);
	errlog_journal_pin(j, &pin2, 5);
	append_n(j, 0, 200);
	errlog_journal_stats(j, &st);
	ck_assert_uint_eq(st.first, 0);
	ck_assert_uint_eq(st.dropped_entries, 0);
	ck_assert_uint_gt(st.files, 2);
	check_index(j, 0);
	/* Moving the floor lets the files below it go; the other pin still counts. */
	errlog_journal_pin_move(j, &pin, 150);
	errlog_journal_unpin(j, &pin2);
	errlog_journal_stats(j, &st);
	ck_assert_uint_gt(st.first, 5);
	ck_assert_uint_le(st.first, 150);
	check_index(j, 150);
	errlog_journal_unpin(j, &pin);
	append_n(j, 200, 201);
	errlog_journal_stats(j, &st);
	ck_assert_uint_eq(st.files, 2);
	ck_assert_uint_eq(st.dropped_entries, st.first);
	errlog_journal_close(j);
}
END_TEST

START_TEST(test_journal_read_api)
{
	struct errlog_journal *j = jopen(NULL);
	uint8_t buf[JOURNAL_MAX_ENTRY];
	struct journal_entry e;
	uint64_t first, end;
	int fd;

	errlog_journal_range(j, &first, &end);
	ck_assert_uint_eq(first, 0);
	ck_assert_uint_eq(end, 0);
	ck_assert_int_eq(errlog_journal_read(j, 0, &e, buf, sizeof(buf)), -ENOENT);
	append_n(j, 0, 3);
	/* Info only, too small a buffer, then the whole entry. */
	ck_assert_int_eq(errlog_journal_read(j, 1, &e, NULL, 0), 0);
	ck_assert_uint_eq(e.log_id, nth_id(1));
	ck_assert_uint_eq(e.len, entry_len(nth_id(1)));
	ck_assert_uint_eq(e.offset, JRN_HDR_SIZE + JRN_REC_HDR + pad8(entry_len(nth_id(0))));
	ck_assert_int_eq(errlog_journal_read(j, 1, &e, buf, e.len - 1), -EMSGSIZE);
	check_index(j, 1);
	ck_assert_int_eq(errlog_journal_read(j, 3, &e, buf, sizeof(buf)), -ENOENT);
	/* A byte changed on disk behind the journal's back: -EIO, not other bytes. */
	fd = open(jpath, O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, buf, 1, (off_t)e.offset + JRN_REC_HDR + 3), 1);
	buf[0] ^= 0x40;
	ck_assert_int_eq(pwrite(fd, buf, 1, (off_t)e.offset + JRN_REC_HDR + 3), 1);
	close(fd);
	ck_assert_int_eq(errlog_journal_read(j, 1, &e, buf, sizeof(buf)), -EIO);
	check_index(j, 2);
	errlog_journal_close(j);
}
END_TEST

struct reader_arg {
	struct errlog_journal *j;
	struct journal_pin pin; /* taken before the writer starts */
	size_t total;
	size_t reads;
};

/* Reads every entry by index while they are being appended and rotated. */
static void *reader_thread(void *p)
{
	struct reader_arg *a = p;
	struct journal_pin *pin = &a->pin;
	uint64_t next = 0, first, end;

	while (next < a->total) {
		errlog_journal_range(a->j, &first, &end);
		ck_assert_uint_le(first, next);
		for (; next < end; next++) {
			check_index(a->j, next);
			errlog_journal_pin_move(a->j, pin, next + 1);
			a->reads++;
		}
	}
	errlog_journal_unpin(a->j, pin);
	return NULL;
}

START_TEST(test_journal_concurrent_reader)
{
	struct reader_arg a = {.j = jopen_opts(4096, 2), .total = 3000};
	pthread_t t;

	errlog_journal_pin(a.j, &a.pin, 0);
	ck_assert_int_eq(pthread_create(&t, NULL, reader_thread, &a), 0);
	append_n(a.j, 0, a.total);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_uint_eq(a.reads, a.total);
	errlog_journal_close(a.j);
}
END_TEST

/*
 * A card whose counter is stuck: 20,000 entries with one id and other
 * bytes are all kept, each repeat is still recognised, after a reopen too.
 */
START_TEST(test_journal_one_id)
{
	enum { N = 20000 };
	struct errlog_journal *j = jopen(NULL);
	struct journal_stats st;
	uint8_t buf[0x60];

	memset(buf, 0x11, sizeof(buf));
	for (uint32_t i = 0; i < N; i++) {
		memcpy(buf, &i, sizeof(i));
		ck_assert_int_eq(errlog_journal_append(j, 42, buf, sizeof(buf)), 0);
	}
	for (uint32_t i = 0; i < N; i += 997) {
		memcpy(buf, &i, sizeof(i));
		ck_assert_int_eq(errlog_journal_append(j, 42, buf, sizeof(buf)), 1);
	}
	errlog_journal_stats(j, &st);
	ck_assert_uint_eq(st.entries, N);
	ck_assert_uint_eq(st.reused_ids, N - 1);
	errlog_journal_close(j);
	j = jopen(NULL);
	ck_assert_uint_eq(errlog_journal_count(j), N);
	memcpy(buf, &(uint32_t){N - 1}, sizeof(uint32_t));
	ck_assert_int_eq(errlog_journal_append(j, 42, buf, sizeof(buf)), 1);
	errlog_journal_close(j);
}
END_TEST

/* Every byte of the active file is allocated, however it grew. */
START_TEST(test_journal_allocated)
{
	struct errlog_journal *j = jopen(NULL);
	struct stat st;

	append_n(j, 0, 2000); /* grows past 64 KiB several times */
	ck_assert_int_eq(stat(jpath, &st), 0);
	ck_assert_int_gt(st.st_size, 64 * 1024);
	ck_assert_int_ge((off_t)st.st_blocks * 512, st.st_size);
	errlog_journal_close(j);
}
END_TEST

/* Read-only: what a tool sees, without a byte changed. */
START_TEST(test_journal_read_only)
{
	struct journal_options ro = {.read_only = true};
	enum { N = 20 };
	size_t offs[N + 1], end, size;
	struct journal_recovery rec;
	struct errlog_journal *j, *j2 = NULL;
	uint8_t *img = make_image(N, offs, &end), *after;

	/* Damage record 7: the reader stops there and changes nothing. */
	img[offs[7] + JRN_REC_HDR + 2] ^= 1;
	size = file_size(jpath);
	write_file(jpath, img, size);
	ck_assert_int_eq(errlog_journal_open_opts(jpath, &ro, &j, &rec), 0);
	ck_assert(rec.damaged);
	ck_assert_uint_eq(errlog_journal_count(j), 7);
	check_contents(j, 7);
	ck_assert_int_eq(errlog_journal_append(j, 1, "x", 1), -EROFS);
	/* A writer cannot open it meanwhile. */
	ck_assert_int_eq(errlog_journal_open(jpath, &j2, NULL), -EBUSY);
	errlog_journal_close(j);
	after = read_file(jpath, &end);
	ck_assert_uint_eq(end, size);
	ck_assert_mem_eq(after, img, size);
	ck_assert_uint_eq(count_files(".dropped-", 0), 0);
	free(after);
	free(img);
}
END_TEST

/*
 * The disk fails the sync: the append fails and is not indexed; what it
 * wrote is zeroed by the next append, so a shorter entry after a longer
 * failed one leaves no trailing bytes that the next open takes for damage.
 */
START_TEST(test_journal_sync_fails)
{
	struct errlog_journal *j = jopen(NULL);
	struct journal_recovery rec;
	struct journal_stats st;
	uint8_t big[3000];

	append_n(j, 0, 5);
	memset(big, 0x77, sizeof(big));
	fail_sync = EIO;
	ck_assert_int_eq(errlog_journal_append(j, 99, big, sizeof(big)), -EIO);
	fail_sync = 0;
	errlog_journal_stats(j, &st);
	ck_assert_int_eq(st.last_error, -EIO);
	ck_assert_uint_eq(st.failed_appends, 1);
	ck_assert_uint_eq(st.entries, 5);
	append_n(j, 5, 6);
	errlog_journal_stats(j, &st);
	ck_assert_int_eq(st.last_error, 0);
	errlog_journal_close(j);
	j = jopen(&rec);
	ck_assert(!rec.damaged);
	check_contents(j, 6);
	errlog_journal_close(j);
}
END_TEST

START_TEST(test_journal_write_fails)
{
	struct errlog_journal *j = jopen(NULL);
	uint8_t buf[JOURNAL_MAX_ENTRY];

	append_n(j, 0, 3);
	fill_entry(nth_id(3), buf, entry_len(nth_id(3)));
	fail_pwrite = ENOSPC;
	ck_assert_int_eq(errlog_journal_append(j, nth_id(3), buf, entry_len(nth_id(3))), -ENOSPC);
	fail_pwrite = 0;
	ck_assert_uint_eq(errlog_journal_count(j), 3);
	/* The card sends the same entry again; now it is stored, once. */
	ck_assert_int_eq(errlog_journal_append(j, nth_id(3), buf, entry_len(nth_id(3))), 0);
	ck_assert_int_eq(errlog_journal_append(j, nth_id(3), buf, entry_len(nth_id(3))), 1);
	errlog_journal_close(j);
	j = jopen(NULL);
	check_contents(j, 4);
	errlog_journal_close(j);
}
END_TEST

/* ---- dump store ---- */

static char ddir[128];

static void dsetup(void)
{
	setup();
	/* Nested and missing: open must create it. */
	snprintf(ddir, sizeof(ddir), "%s/card0/dumps", tmpdir);
}

static struct dump_store *dopen(unsigned keep)
{
	struct dump_store *ds = NULL;

	ck_assert_int_eq(dump_store_open(ddir, keep, &ds), 0);
	ck_assert_ptr_nonnull(ds);
	return ds;
}

static void dump_bytes(uint8_t tag, uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(tag + i * 3);
}

/* Commits a dump of len bytes, written in chunks of 1000, max_size len + slack. */
static void commit_dump(struct dump_store *ds, uint8_t tag, size_t len)
{
	struct dump_writer *w = NULL;
	uint8_t *buf = malloc(len + 1);

	ck_assert_ptr_nonnull(buf);
	dump_bytes(tag, buf, len);
	ck_assert_int_eq(dump_store_begin(ds, len + 777, &w), 0);
	for (size_t off = 0; off < len; off += 1000)
		ck_assert_int_eq(
		    dump_writer_write(w, off, buf + off, len - off < 1000 ? len - off : 1000), 0);
	ck_assert_int_eq(dump_writer_commit(w, len), 0);
	free(buf);
}

static void check_fd(int fd, uint8_t tag, size_t len)
{
	uint8_t *want = malloc(len + 1), *got = malloc(len + 1);

	ck_assert(want && got);
	dump_bytes(tag, want, len);
	ck_assert_int_eq(pread(fd, got, len + 1, 0), (ssize_t)len);
	ck_assert_mem_eq(got, want, len);
	free(want);
	free(got);
}

static void check_newest(struct dump_store *ds, uint8_t tag, size_t len)
{
	struct timespec when;
	size_t size;
	int fd;

	ck_assert_int_eq(dump_store_open_newest(ds, &fd, &size, &when), 0);
	ck_assert_uint_eq(size, len);
	ck_assert_int_gt(when.tv_sec, 0);
	check_fd(fd, tag, len);
	close(fd);
}

static unsigned count_dir(const char *prefix)
{
	unsigned n = 0;
	struct dirent *de;
	DIR *d = opendir(ddir);

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		n += !strncmp(de->d_name, prefix, strlen(prefix));
	closedir(d);
	return n;
}

START_TEST(test_dump_keep)
{
	struct dump_store *ds = dopen(2);
	char p[256];

	ck_assert_uint_eq(dump_store_count(ds), 0);
	commit_dump(ds, 1, 5000);
	commit_dump(ds, 2, 7000);
	commit_dump(ds, 3, 6001);
	ck_assert_uint_eq(dump_store_count(ds), 2);
	ck_assert_uint_eq(count_dir("dump-"), 2);
	ck_assert_uint_eq(count_dir(".dump-"), 0);
	check_newest(ds, 3, 6001);
	/* The oldest went. */
	snprintf(p, sizeof(p), "%s/dump-000000000001.bin", ddir);
	ck_assert_int_ne(access(p, F_OK), 0);
	dump_store_close(ds);

	/* Numbering carries on after a restart. */
	ds = dopen(2);
	commit_dump(ds, 4, 100);
	check_newest(ds, 4, 100);
	snprintf(p, sizeof(p), "%s/dump-000000000004.bin", ddir);
	ck_assert_int_eq(access(p, F_OK), 0);
	ck_assert_uint_eq(dump_store_count(ds), 2);
	dump_store_close(ds);
}
END_TEST

START_TEST(test_dump_fd_survives)
{
	struct dump_store *ds = dopen(1);
	size_t size;
	int fd;

	commit_dump(ds, 10, 12345);
	ck_assert_int_eq(dump_store_open_newest(ds, &fd, &size, NULL), 0);
	ck_assert_uint_eq(size, 12345);
	commit_dump(ds, 20, 999);
	commit_dump(ds, 30, 4321);
	ck_assert_uint_eq(dump_store_count(ds), 1);
	/* Deleted by pruning, still whole through the fd. */
	check_fd(fd, 10, 12345);
	close(fd);
	check_newest(ds, 30, 4321);
	dump_store_close(ds);
}
END_TEST

START_TEST(test_dump_stale_tmp)
{
	struct dump_store *ds = dopen(0);
	struct dump_writer *w;
	char p[256];

	commit_dump(ds, 7, 3000);
	/* Killed mid-collection: the temporary file stays. */
	ck_assert_int_eq(dump_store_begin(ds, 4096, &w), 0);
	ck_assert_int_eq(dump_writer_write(w, 0, "partial", 7), 0);
	snprintf(p, sizeof(p), "%s/.dump-zzzzzz.tmp", ddir);
	write_file(p, "x", 1);
	ck_assert_uint_eq(count_dir(".dump-"), 2);
	/* Another daemon on the same directory is refused. */
	{
		struct dump_store *ds2 = NULL;

		ck_assert_int_eq(dump_store_open(ddir, 0, &ds2), -EBUSY);
	}
	dump_store_close(ds);

	ds = dopen(0);
	ck_assert_uint_eq(count_dir(".dump-"), 0);
	ck_assert_uint_eq(dump_store_count(ds), 1);
	check_newest(ds, 7, 3000);
	dump_store_close(ds);
	/* The orphaned writer's memory (its file is already gone). */
	dump_writer_abort(w);
}
END_TEST

START_TEST(test_dump_abort)
{
	struct dump_store *ds = dopen(0);
	struct dump_writer *w = NULL;
	int fd = -1;

	ck_assert_int_eq(dump_store_begin(ds, 100000, &w), 0);
	ck_assert_int_eq(dump_writer_write(w, 0, "abc", 3), 0);
	dump_writer_abort(w);
	ck_assert_uint_eq(count_dir(".dump-"), 0);
	ck_assert_uint_eq(count_dir("dump-"), 0);
	ck_assert_uint_eq(dump_store_count(ds), 0);
	ck_assert_int_eq(dump_store_open_newest(ds, &fd, NULL, NULL), -ENOENT);
	ck_assert_int_eq(fd, -1);

	/* Bounds, and a commit beyond max_size fails and leaves nothing. */
	ck_assert_int_eq(dump_store_begin(ds, 10, &w), 0);
	ck_assert_int_eq(dump_writer_write(w, 8, "abc", 3), -EINVAL);
	ck_assert_int_eq(dump_writer_write(w, 11, "", 0), -EINVAL);
	ck_assert_int_eq(dump_writer_write(w, SIZE_MAX, "abc", 3), -EINVAL);
	ck_assert_int_eq(dump_writer_write(w, 7, "abc", 3), 0);
	ck_assert_int_eq(dump_writer_commit(w, 11), -EINVAL);
	ck_assert_uint_eq(count_dir(".dump-"), 0);
	ck_assert_uint_eq(dump_store_count(ds), 0);
	dump_store_close(ds);
}
END_TEST

START_TEST(test_dump_empty)
{
	struct dump_store *ds = dopen(0);
	struct dump_writer *w = NULL;

	ck_assert_int_eq(dump_store_begin(ds, 0, &w), 0);
	ck_assert_int_eq(dump_writer_write(w, 0, "", 0), 0);
	ck_assert_int_eq(dump_writer_write(w, 0, "a", 1), -EINVAL);
	ck_assert_int_eq(dump_writer_commit(w, 0), 0);
	ck_assert_uint_eq(dump_store_count(ds), 1);
	check_newest(ds, 0, 0);

	/* A larger reservation committed empty. */
	ck_assert_int_eq(dump_store_begin(ds, 5000, &w), 0);
	ck_assert_int_eq(dump_writer_commit(w, 0), 0);
	check_newest(ds, 0, 0);
	dump_store_close(ds);
}
END_TEST

START_TEST(test_dump_large)
{
	const size_t size = 64u << 20, chunk = 32u << 10;
	struct dump_store *ds = dopen(0);
	struct dump_writer *w = NULL;
	uint64_t *buf = malloc(chunk);
	uLong want = crc32(0L, Z_NULL, 0), got = want;
	size_t total = 0, fsize;
	ssize_t n;
	int fd;

	ck_assert_ptr_nonnull(buf);
	/* The card reports an upper bound; the dump ends up shorter. */
	ck_assert_int_eq(dump_store_begin(ds, size + 3 * chunk + 5, &w), 0);
	for (size_t off = 0; off < size; off += chunk) {
		for (size_t i = 0; i < chunk / sizeof(*buf); i++)
			buf[i] = rnd();
		want = crc32(want, (const Bytef *)buf, (uInt)chunk);
		ck_assert_int_eq(dump_writer_write(w, off, buf, chunk), 0);
	}
	ck_assert_int_eq(dump_writer_commit(w, size), 0);
	free(buf);

	ck_assert_int_eq(dump_store_open_newest(ds, &fd, &fsize, NULL), 0);
	ck_assert_uint_eq(fsize, size);
	buf = malloc(1u << 20);
	ck_assert_ptr_nonnull(buf);
	while ((n = pread(fd, buf, 1u << 20, (off_t)total)) > 0) {
		got = crc32(got, (const Bytef *)buf, (uInt)n);
		total += (size_t)n;
	}
	ck_assert_int_eq(n, 0);
	ck_assert_uint_eq(total, size);
	ck_assert_uint_eq(got, want);
	free(buf);
	close(fd);
	dump_store_close(ds);
}
END_TEST

/* A write the disk refuses fails the dump: commit fails, nothing is kept. */
START_TEST(test_dump_write_fails)
{
	struct dump_store *ds = dopen(0);
	struct dump_writer *w = NULL;

	ck_assert_int_eq(dump_store_begin(ds, 10000, &w), 0);
	ck_assert_int_eq(dump_writer_write(w, 0, "abc", 3), 0);
	fail_pwrite = EIO;
	ck_assert_int_eq(dump_writer_write(w, 3, "def", 3), -EIO);
	fail_pwrite = 0;
	/* Sticky: the dump has a hole now. */
	ck_assert_int_eq(dump_writer_write(w, 6, "ghi", 3), -EIO);
	ck_assert_int_eq(dump_writer_commit(w, 9), -EIO);
	ck_assert_int_eq(dump_store_last_error(ds), -EIO);
	ck_assert_uint_eq(dump_store_count(ds), 0);
	ck_assert_uint_eq(count_dir(".dump-"), 0);
	/* The next dump works and clears the error. */
	commit_dump(ds, 5, 4000);
	ck_assert_int_eq(dump_store_last_error(ds), 0);
	check_newest(ds, 5, 4000);
	dump_store_close(ds);
}
END_TEST

/* The data must be durable before the rename that publishes it. */
START_TEST(test_dump_sync_fails)
{
	struct dump_store *ds = dopen(0);
	struct dump_writer *w = NULL;
	uint8_t buf[5000];

	dump_bytes(9, buf, sizeof(buf));
	ck_assert_int_eq(dump_store_begin(ds, sizeof(buf), &w), 0);
	ck_assert_int_eq(dump_writer_write(w, 0, buf, sizeof(buf)), 0);
	fail_sync = EIO;
	ck_assert_int_eq(dump_writer_commit(w, sizeof(buf)), -EIO);
	fail_sync = 0;
	ck_assert_uint_eq(dump_store_count(ds), 0);
	ck_assert_uint_eq(count_dir(".dump-"), 0);
	ck_assert_int_eq(dump_store_last_error(ds), -EIO);
	dump_store_close(ds);
}
END_TEST

/* The space of a dump is allocated when it starts, not as it is written. */
START_TEST(test_dump_allocated)
{
	struct dump_store *ds = dopen(0);
	struct dump_writer *w = NULL;
	struct dirent *de;
	struct stat st;
	char p[512];
	DIR *d;

	ck_assert_int_eq(dump_store_begin(ds, 1 << 20, &w), 0);
	d = opendir(ddir);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) && strncmp(de->d_name, ".dump-", 6))
		;
	ck_assert_ptr_nonnull(de);
	snprintf(p, sizeof(p), "%s/%s", ddir, de->d_name);
	closedir(d);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_size, 1 << 20);
	ck_assert_int_ge((off_t)st.st_blocks * 512, st.st_size);
	dump_writer_abort(w);
	dump_store_close(ds);
}
END_TEST


/* ---- the event stream's log (store/event_log.h) ---- */

static char epath[96];

static void esetup(void)
{
	setup();
	snprintf(epath, sizeof(epath), "%s/events.log", tmpdir);
}

static int render_seq(void *arg, uint64_t seq, char *buf, size_t cap)
{
	return snprintf(buf, cap, "{\"seq\":\"%llu\",\"what\":\"%s\"}\n",
			(unsigned long long)seq, (const char *)arg);
}

static int render_fails(void *arg, uint64_t seq, char *buf, size_t cap)
{
	return -ENOMEM;
}

struct seen_events {
	uint64_t first, last, n;
	int bad;
};

static int collect(void *arg, uint64_t seq, const char *line, size_t len)
{
	struct seen_events *s = arg;
	char want[64];

	snprintf(want, sizeof(want), "{\"seq\":\"%llu\",", (unsigned long long)seq);
	if (strncmp(line, want, strlen(want)) || line[len - 1] != '\n')
		s->bad++;
	if (!s->n)
		s->first = seq;
	else if (seq <= s->last)
		s->bad++;
	s->last = seq;
	s->n++;
	return 0;
}

static struct seen_events seen(struct event_log *log, const char *tag)
{
	struct seen_events s = { 0 };

	ck_assert_int_eq(event_log_foreach(log, tag, collect, &s), 0);
	ck_assert_int_eq(s.bad, 0);
	return s;
}

static struct event_log *eopen(void)
{
	struct event_log *log;

	ck_assert_int_eq(event_log_open(epath, &log), 0);
	return log;
}

START_TEST(test_events_continue_after_reopen)
{
	struct event_log *log = eopen();
	struct stat st;
	struct seen_events s;

	ck_assert_uint_eq(event_log_seq(log), 0);
	ck_assert(event_log_durable(log));
	for (int i = 1; i <= 5; i++)
		ck_assert_int_eq(event_log_append(log, i % 2 ? "a" : "b", render_seq, "x"), i);
	event_log_close(log);
	/* Allocated whole at open: no append can find the disk full. */
	ck_assert_int_eq(stat(epath, &st), 0);
	ck_assert_int_eq(st.st_size, (off_t)EVENT_LOG_SLOTS * EVENT_LOG_SLOT);
	ck_assert_int_ge(st.st_blocks * 512, st.st_size);

	log = eopen();
	ck_assert_uint_eq(event_log_seq(log), 5);
	s = seen(log, NULL);
	ck_assert_uint_eq(s.first, 1);
	ck_assert_uint_eq(s.last, 5);
	ck_assert_uint_eq(s.n, 5);
	s = seen(log, "a");
	ck_assert_uint_eq(s.n, 3);
	s = seen(log, "b");
	ck_assert_uint_eq(s.n, 2);
	ck_assert_int_eq(event_log_append(log, "a", render_seq, "y"), 6);
	event_log_close(log);
}
END_TEST

START_TEST(test_events_bounded)
{
	struct event_log *log = eopen();
	struct seen_events s;
	struct stat st;

	for (unsigned i = 1; i <= EVENT_LOG_SLOTS + 10; i++)
		ck_assert_int_eq(event_log_append(log, "a", render_seq, "x"), i);
	s = seen(log, NULL);
	ck_assert_uint_eq(s.n, EVENT_LOG_SLOTS);
	ck_assert_uint_eq(s.first, 11);
	event_log_close(log);
	ck_assert_int_eq(stat(epath, &st), 0);
	ck_assert_int_eq(st.st_size, (off_t)EVENT_LOG_SLOTS * EVENT_LOG_SLOT);
	log = eopen();
	s = seen(log, NULL);
	ck_assert_uint_eq(s.n, EVENT_LOG_SLOTS);
	ck_assert_uint_eq(s.first, 11);
	ck_assert_int_eq(event_log_append(log, "a", render_seq, "x"), EVENT_LOG_SLOTS + 11);
	event_log_close(log);
}
END_TEST

/* A torn newest slot was never shown: its number is given again. */
START_TEST(test_events_torn_slot)
{
	struct event_log *log = eopen();
	struct seen_events s;
	int fd;

	for (int i = 1; i <= 3; i++)
		event_log_append(log, "a", render_seq, "x");
	event_log_close(log);
	fd = open(epath, O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, "garbage", 7, 3 * EVENT_LOG_SLOT + 60), 7);
	close(fd);
	log = eopen();
	ck_assert_uint_eq(event_log_seq(log), 2);
	s = seen(log, NULL);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_int_eq(event_log_append(log, "a", render_seq, "x"), 3);
	event_log_close(log);
}
END_TEST

/* Disk trouble degrades: the event is kept and shown, the log says so. */
START_TEST(test_events_sync_fails)
{
	struct event_log *log = eopen();
	struct seen_events s;

	ck_assert_int_eq(event_log_append(log, "a", render_seq, "x"), 1);
	fail_sync = EIO;
	ck_assert_int_eq(event_log_append(log, "a", render_seq, "x"), 2);
	fail_sync = 0;
	ck_assert(!event_log_durable(log));
	s = seen(log, NULL);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_int_eq(event_log_append(log, "a", render_seq, "x"), 3);
	ck_assert(event_log_durable(log));
	event_log_close(log);
}
END_TEST

/* A render that fails takes no number. */
START_TEST(test_events_render_fails)
{
	struct event_log *log = eopen();

	ck_assert_int_eq(event_log_append(log, "a", render_fails, NULL), -ENOMEM);
	ck_assert_uint_eq(event_log_seq(log), 0);
	ck_assert_int_eq(event_log_append(log, "a", render_seq, "x"), 1);
	event_log_close(log);
}
END_TEST

/* A second process's open runs in memory only. */
START_TEST(test_events_busy)
{
	struct event_log *log = eopen(), *other = eopen();

	ck_assert(event_log_durable(log));
	ck_assert(!event_log_durable(other));
	ck_assert_int_eq(event_log_append(other, "a", render_seq, "x"), 1);
	event_log_close(other);
	event_log_close(log);
	log = eopen();
	ck_assert_uint_eq(event_log_seq(log), 0);
	event_log_close(log);
}
END_TEST

/* No directory to write in: memory only, from 1. */
START_TEST(test_events_no_directory)
{
	struct event_log *log;

	snprintf(epath, sizeof(epath), "%s/missing/events.log", tmpdir);
	ck_assert_int_eq(event_log_open(epath, &log), 0);
	ck_assert(!event_log_durable(log));
	ck_assert_int_eq(event_log_append(log, "a", render_seq, "x"), 1);
	ck_assert_uint_eq(seen(log, "a").n, 1);
	event_log_close(log);
}
END_TEST

static Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tj = tcase_create("journal");
	TCase *td = tcase_create("dump_store");
	TCase *te = tcase_create("event_log");

	tcase_add_checked_fixture(tj, setup, teardown);
	tcase_set_timeout(tj, 60);
	tcase_add_test(tj, test_journal_roundtrip);
	tcase_add_test(tj, test_journal_dedup);
	tcase_add_test(tj, test_journal_append_after_reopen);
	tcase_add_test(tj, test_journal_foreach_stop);
	tcase_add_test(tj, test_journal_busy);
	tcase_add_test(tj, test_journal_torn_tail);
	tcase_add_test(tj, test_journal_corrupt);
	tcase_add_test(tj, test_journal_bad_header);
	tcase_add_test(tj, test_journal_odd_files);
	tcase_add_test(tj, test_journal_max_entry);
	tcase_add_test(tj, test_journal_id_reuse);
	tcase_add_test(tj, test_journal_duplicate_record);
	tcase_add_loop_test(tj, test_journal_random_damage, 0, 2);
	tcase_add_test(tj, test_journal_rotation);
	tcase_add_test(tj, test_journal_pins);
	tcase_add_test(tj, test_journal_read_api);
	tcase_add_test(tj, test_journal_concurrent_reader);
	tcase_add_test(tj, test_journal_one_id);
	tcase_add_test(tj, test_journal_allocated);
	tcase_add_test(tj, test_journal_read_only);
	tcase_add_test(tj, test_journal_sync_fails);
	tcase_add_test(tj, test_journal_write_fails);
	suite_add_tcase(s, tj);

	tcase_add_checked_fixture(td, dsetup, teardown);
	tcase_set_timeout(td, 60);
	tcase_add_test(td, test_dump_keep);
	tcase_add_test(td, test_dump_fd_survives);
	tcase_add_test(td, test_dump_stale_tmp);
	tcase_add_test(td, test_dump_abort);
	tcase_add_test(td, test_dump_empty);
	tcase_add_test(td, test_dump_large);
	tcase_add_test(td, test_dump_write_fails);
	tcase_add_test(td, test_dump_sync_fails);
	tcase_add_test(td, test_dump_allocated);
	suite_add_tcase(s, td);

	tcase_add_checked_fixture(te, esetup, teardown);
	tcase_set_timeout(te, 60);
	tcase_add_test(te, test_events_continue_after_reopen);
	tcase_add_test(te, test_events_bounded);
	tcase_add_test(te, test_events_torn_slot);
	tcase_add_test(te, test_events_sync_fails);
	tcase_add_test(te, test_events_render_fails);
	tcase_add_test(te, test_events_busy);
	tcase_add_test(te, test_events_no_directory);
	suite_add_tcase(s, te);
	return s;
}

int main(void)
{
	const char *env = getenv("OCXLFS_TEST_SEED");
	const char *lvl = getenv("OCXLFS_LOG");
	SRunner *sr;
	int failed;

	if (env)
		seed = strtoull(env, NULL, 0) | 1;
	/* Recovery is supposed to complain; keep the output readable. */
	log_init(0, lvl && log_level_parse(lvl) >= 0 ? log_level_parse(lvl) : LOG_CRIT);
	printf("check_store: seed %#" PRIx64 "\n", seed);

	sr = srunner_create(store_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
