// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The store on a full disk: a small tmpfs of its own, in a private mount
 * namespace (so nothing of it is seen outside, and it goes with the test),
 * filled to the last page.  Every append, dump and state file must fail
 * with -ENOSPC or succeed, never SIGBUS (which would end the test with a
 * signal), and what succeeded must all be there once space returns.
 *
 * Needs root (mount namespaces, tmpfs).  Without it the test is skipped
 * (77), and fails with CI=true: a skipped test in CI proves nothing.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "sim/sim.h"
#include "store/dump_store.h"
#include "store/journal.h"
#include "util/log.h"

static char root[64]; /* the private tmpfs */
static char jpath[128];

/* Mounts a fresh tmpfs of SIZE bytes at root. */
static void mount_small(const char *size)
{
	char opts[64];

	snprintf(opts, sizeof(opts), "size=%s,mode=0700", size);
	ck_assert_msg(!mount("ocxlfs-test", root, "tmpfs", 0, opts), "mount tmpfs: %s",
		      strerror(errno));
	snprintf(jpath, sizeof(jpath), "%s/errlog.journal", root);
}

static void unmount_small(void)
{
	umount2(root, MNT_DETACH);
}

static char filler[128];

/* Takes every free page of the tmpfs; returns the bytes taken. */
static size_t fill(void)
{
	size_t taken = 0;
	off_t off = 0;
	int fd;

	snprintf(filler, sizeof(filler), "%s/filler", root);
	fd = open(filler, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	off = lseek(fd, 0, SEEK_END);
	for (size_t step = 1 << 20; step >= 4096; step /= 2) {
		while (!posix_fallocate(fd, off, (off_t)step)) {
			off += (off_t)step;
			taken += step;
		}
	}
	close(fd);
	return taken;
}

static void unfill(void)
{
	ck_assert_int_eq(unlink(filler), 0);
}

static size_t entry(uint32_t id, uint8_t *buf)
{
	size_t len = 0x48 + 16 + (id % 7) * 8;

	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(id * 31 + i);
	return len;
}

static int append(struct errlog_journal *j, uint32_t id)
{
	uint8_t buf[256];

	return errlog_journal_append(j, id, buf, entry(id, buf));
}

/* The journal holds ids 1..n, in order, each once. */
static void check_ids(struct errlog_journal *j, uint32_t n)
{
	uint8_t buf[JOURNAL_MAX_ENTRY], want[256];
	struct journal_entry e;
	uint64_t first, end;

	errlog_journal_range(j, &first, &end);
	ck_assert_uint_eq(first, 0);
	ck_assert_uint_eq(end, n);
	for (uint64_t i = 0; i < n; i++) {
		ck_assert_int_eq(errlog_journal_read(j, i, &e, buf, sizeof(buf)), 0);
		ck_assert_uint_eq(e.log_id, i + 1);
		ck_assert_uint_eq(e.len, entry((uint32_t)(i + 1), want));
		ck_assert_mem_eq(buf, want, e.len);
	}
}

/*
 * Appends the way a card's drain does: an entry that fails stays "on the
 * card" and is tried again; returns the next id to send.
 */
static uint32_t drain(struct errlog_journal *j, uint32_t id, uint32_t last, int *failed)
{
	int rc;

	*failed = 0;
	for (; id <= last; id++) {
		rc = append(j, id);
		if (rc == -ENOSPC) {
			*failed = rc;
			break;
		}
		ck_assert_int_eq(rc, 0);
	}
	return id;
}

/*
 * A journal on a disk that fills up while it grows and rotates: appends
 * fail with -ENOSPC, never a signal; once space returns, appends go on and
 * every entry is there exactly once, also after a reopen.
 */
START_TEST(test_journal_fills_up)
{
	struct journal_options opt = {.file_bytes = 96 * 1024, .keep_files = 100};
	struct journal_recovery rec;
	struct errlog_journal *j;
	struct journal_stats st;
	uint32_t next = 1;
	int failed;

	mount_small("512k");
	ck_assert_int_eq(errlog_journal_open_opts(jpath, &opt, &j, NULL), 0);
	next = drain(j, next, 200, &failed);
	ck_assert_int_eq(failed, 0);
	fill();
	/* What the active file already has allocated still takes entries. */
	next = drain(j, next, 20000, &failed);
	ck_assert_int_eq(failed, -ENOSPC);
	ck_assert_uint_gt(next, 201);
	errlog_journal_stats(j, &st);
	ck_assert_int_eq(st.last_error, -ENOSPC);
	/* Again and again: still an error, nothing appended. */
	ck_assert_int_eq(append(j, next), -ENOSPC);
	ck_assert_int_eq(append(j, next), -ENOSPC);
	check_ids(j, next - 1);
	unfill();
	next = drain(j, next, next + 3000, &failed);
	ck_assert_int_eq(failed, 0);
	errlog_journal_stats(j, &st);
	ck_assert_int_eq(st.last_error, 0);
	ck_assert_uint_gt(st.files, 2);
	check_ids(j, next - 1);
	errlog_journal_close(j);

	ck_assert_int_eq(errlog_journal_open_opts(jpath, &opt, &j, &rec), 0);
	ck_assert(!rec.damaged);
	check_ids(j, next - 1);
	errlog_journal_close(j);
	unmount_small();
}
END_TEST

/*
 * Start-up on a full disk: a journal whose tail is a hole (a sparse file
 * from an older ocxlfs, or one grown by a crashed one) is read with pread,
 * so the open neither faults nor fails; appends wait for room.
 */
START_TEST(test_journal_opens_full)
{
	struct errlog_journal *j;
	struct journal_stats st;
	uint8_t data[16384];
	ssize_t n;
	uint32_t next;
	int fd, failed;

	mount_small("256k");
	ck_assert_int_eq(errlog_journal_open(jpath, &j, NULL), 0);
	for (uint32_t id = 1; id <= 50; id++)
		ck_assert_int_eq(append(j, id), 0);
	errlog_journal_close(j);
	/* The same bytes, then nothing allocated up to 1 MiB. */
	fd = open(jpath, O_RDWR);
	ck_assert_int_ge(fd, 0);
	n = pread(fd, data, sizeof(data), 0);
	ck_assert_int_eq(n, sizeof(data));
	ck_assert_int_eq(ftruncate(fd, 0), 0);
	ck_assert_int_eq(pwrite(fd, data, sizeof(data), 0), n);
	ck_assert_int_eq(ftruncate(fd, 1 << 20), 0);
	close(fd);
	fill();

	ck_assert_int_eq(errlog_journal_open(jpath, &j, NULL), 0);
	check_ids(j, 50);
	errlog_journal_stats(j, &st);
	ck_assert_int_eq(st.last_error, -ENOSPC);
	ck_assert_int_eq(append(j, 51), -ENOSPC);
	check_ids(j, 50);
	unfill();
	next = drain(j, 51, 1000, &failed);
	ck_assert_int_eq(failed, 0);
	check_ids(j, next - 1);
	errlog_journal_close(j);
	unmount_small();
}
END_TEST

/* A journal created on a full disk: no header yet, and that is no damage. */
START_TEST(test_journal_created_full)
{
	struct journal_recovery rec;
	struct errlog_journal *j;

	mount_small("128k");
	fill();
	ck_assert_int_eq(errlog_journal_open(jpath, &j, &rec), 0);
	ck_assert(!rec.damaged);
	ck_assert_int_eq(append(j, 1), -ENOSPC);
	errlog_journal_close(j);
	/* Reopened still full: an empty file is a new journal. */
	ck_assert_int_eq(errlog_journal_open(jpath, &j, &rec), 0);
	ck_assert(!rec.damaged);
	unfill();
	ck_assert_int_eq(append(j, 1), 0);
	errlog_journal_close(j);
	ck_assert_int_eq(errlog_journal_open(jpath, &j, &rec), 0);
	ck_assert(!rec.damaged);
	check_ids(j, 1);
	errlog_journal_close(j);
	unmount_small();
}
END_TEST

/*
 * A dump's space is taken when it starts: no room is -ENOSPC before the
 * card is asked for anything, and a started dump finishes on a disk that
 * filled up meanwhile.
 */
START_TEST(test_dump_fills_up)
{
	static uint8_t chunk[32768];
	struct dump_store *ds = NULL;
	struct dump_writer *w = NULL;
	char dir[128];
	size_t size;
	int fd;

	mount_small("2m");
	snprintf(dir, sizeof(dir), "%s/dumps", root);
	ck_assert_int_eq(dump_store_open(dir, 0, &ds), 0);
	ck_assert_int_eq(dump_store_begin(ds, 4u << 20, &w), -ENOSPC);
	ck_assert_ptr_null(w);
	ck_assert_int_eq(dump_store_last_error(ds), -ENOSPC);

	ck_assert_int_eq(dump_store_begin(ds, 1u << 20, &w), 0);
	fill();
	memset(chunk, 0x5a, sizeof(chunk));
	for (size_t off = 0; off < (1u << 20); off += sizeof(chunk))
		ck_assert_int_eq(dump_writer_write(w, off, chunk, sizeof(chunk)), 0);
	ck_assert_int_eq(dump_writer_commit(w, 1u << 20), 0);
	ck_assert_int_eq(dump_store_last_error(ds), 0);
	ck_assert_int_eq(dump_store_open_newest(ds, &fd, &size, NULL), 0);
	ck_assert_uint_eq(size, 1u << 20);
	close(fd);
	/* The next one does not fit: refused up front, the stored one untouched. */
	ck_assert_int_eq(dump_store_begin(ds, 1u << 20, &w), -ENOSPC);
	ck_assert_uint_eq(dump_store_count(ds), 1);
	dump_store_close(ds);
	unmount_small();
}
END_TEST

/* A simulated card's state file on a full disk: -ENOSPC at open, no SIGBUS later. */
START_TEST(test_sim_state_full)
{
	struct sim_config cfg = {.dir = root, .index = 0};
	struct sim_card *sim = NULL;

	mount_small("2m"); /* a state file is about 1.2 MiB */
	sim_config_defaults(&cfg);
	fill();
	ck_assert_int_eq(sim_card_open(&cfg, &sim), -ENOSPC);
	ck_assert_ptr_null(sim);
	unfill();
	ck_assert_int_eq(sim_card_open(&cfg, &sim), 0);
	/* Allocated whole: the ring takes a full queue on a disk that is full again. */
	fill();
	ck_assert_int_eq(sim_card_inject_errlog(sim, SIM_ERRLOG_CAPACITY, 0), 0);
	ck_assert_uint_eq(sim_card_errlog_queued(sim), SIM_ERRLOG_CAPACITY);
	sim_card_close(sim);
	unmount_small();
}
END_TEST

static Suite *disk_suite(void)
{
	Suite *s = suite_create("store_disk");
	TCase *tc = tcase_create("full");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_journal_fills_up);
	tcase_add_test(tc, test_journal_opens_full);
	tcase_add_test(tc, test_journal_created_full);
	tcase_add_test(tc, test_dump_fills_up);
	tcase_add_test(tc, test_sim_state_full);
	suite_add_tcase(s, tc);
	return s;
}

/* A private mount namespace and a directory for the test's tmpfs. */
static int private_root(void)
{
	if (unshare(CLONE_NEWNS))
		return -errno;
	/* Nothing mounted here propagates back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return -errno;
	snprintf(root, sizeof(root), "/tmp/check_store_disk.XXXXXX");
	if (!mkdtemp(root))
		return -errno;
	return 0;
}

int main(void)
{
	const char *lvl = getenv("OCXLFS_LOG");
	const char *ci = getenv("CI");
	SRunner *sr;
	int failed, rc;

	log_init(0, lvl && log_level_parse(lvl) >= 0 ? log_level_parse(lvl) : LOG_CRIT);
	rc = private_root();
	if (rc) {
		printf("check_store_disk: cannot make a private tmpfs (%s)%s\n", strerror(-rc),
		       ci && !strcmp(ci, "true") ? "" : ": skipped (needs root)");
		return ci && !strcmp(ci, "true") ? EXIT_FAILURE : 77;
	}
	sr = srunner_create(disk_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	/* A failed test leaves its tmpfs mounted: every one goes, then the directory. */
	while (!umount2(root, MNT_DETACH))
		;
	rmdir(root);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
