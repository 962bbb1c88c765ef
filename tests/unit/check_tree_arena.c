// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The tree over the arena (docs/architecture.md section 5): what one
 * worker leaves when it dies is what the next one takes over.  A "worker"
 * here is a child process that uses the arena and then dies with
 * _exit(), at a chosen moment; the test process is the next worker, with
 * a tree attached anew to the same memfd.  The root's sim/plug of a
 * simulated mount needs no card; a snapshot file is card 0's, a simulated
 * card each worker opens again.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "card/card.h"
#include "sim/sim.h"
#include "transport/sim.h"
#include "tree/tree.h"
#include "util/arena.h"

static int plugs;      /* sim/plug commands executed by this process */
static bool die_in_plug; /* the "worker" dies while the command runs */

static int count_plug(void *ctx, unsigned number, bool plug)
{
	if (die_in_plug)
		_exit(0);
	plugs++;
	return 0;
}

static const struct tree_limits limits = {
	.max_handles = 64,
	.max_snapshot_bytes = 1 << 20,
};

static int arena_fd = -1;
static char tmpdir[64];
static struct sim_card *sim;
static struct card *card;

/* Card 0: the same simulated card in every worker, as a real one would be. */
static void add_card(struct tree *t)
{
	char simdir[96];
	struct sim_config cfg = { 0 };
	struct ocxlfs_transport *tr;

	if (!tmpdir[0]) {
		strcpy(tmpdir, "/tmp/ocxlfs-arena.XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	}
	snprintf(simdir, sizeof(simdir), "%s/sim", tmpdir);
	cfg.dir = simdir;
	sim_config_defaults(&cfg);
	ck_assert_int_eq(sim_card_open(&cfg, &sim), 0);
	ck_assert_int_eq(ocxlfs_transport_sim_new(sim, 0, &tr), 0);
	ck_assert_int_eq(card_open(0, tr, sim, tmpdir, &card), 0);
	ck_assert_int_eq(tree_add_card(t, 0, card), 0);
}

static void new_arena(void)
{
	ck_assert_int_eq(arena_create(&arena_fd), 0);
}

/* A worker's tree on the arena: attached, with a simulated mount's hooks. */
static struct tree *worker(struct arena *a)
{
	uint64_t sizes[ARENA_SEC_COUNT] = { [ARENA_SEC_INIT] = 4096, [ARENA_SEC_CARDS] = 4096 };
	const struct tree_hooks hooks = { .simulated = true, .sim_plug = count_plug };
	struct tree *t;

	tree_arena_sizes(&limits, sizes);
	ck_assert_int_eq(arena_attach(arena_fd, sizes, a, NULL), 0);
	ck_assert_int_eq(tree_attach(a, &limits, &t), 0);
	tree_set_hooks(t, &hooks);
	return t;
}

static void done(struct tree *t, struct arena *a)
{
	tree_free(t);
	arena_detach(a);
	card_close(card);
	if (sim)
		sim_card_close(sim);
	card = NULL;
	sim = NULL;
}

static uint64_t ino_of(struct tree *t, uint64_t dir, const char *name)
{
	struct tree_caller who = { .tid = 1 };
	struct stat st;

	ck_assert_int_eq(tree_lookup(t, dir, name, &who, &st, NULL), 0);
	return st.st_ino;
}

/* Runs FN in a child "worker" that dies when FN returns (or earlier). */
static void in_dying_worker(void (*fn)(struct tree *t, void *arg), void *arg)
{
	int status;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct arena a;
		struct tree *t = worker(&a);

		fn(t, arg);
		_exit(0); /* no tree_free, no card_close: killed, as far as the arena can tell */
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

struct open_result {
	uint64_t fh;
	uint64_t key;
	char text[64];
};

static int shared_fd = -1;

/* What the dying worker tells the test: through a pipe, as plain data. */
static void tell(const void *p, size_t n)
{
	ck_assert_int_eq(write(shared_fd, p, n), (ssize_t)n);
}

static void hear(void *p, size_t n)
{
	ck_assert_int_eq(read(shared_fd, p, n), (ssize_t)n);
}

/* ---- a resent OPEN gets the handle the dead worker made; RELEASE of an old incarnation is a no-op ---- */

static void open_plug_and_die(struct tree *t, void *arg)
{
	struct tree_caller who = { .uid = 0, .tid = 7, .key = 200 };
	struct tree_open_mode mode;
	struct open_result r = { .key = 200 };

	ck_assert_int_eq(tree_open(t, ino_of(t, ino_of(t, TREE_ROOT_INO, "sim"), "plug"), O_WRONLY,
				   &who, &r.fh, &mode),
			 0);
	tell(&r, sizeof(r)); /* and dies before answering the OPEN */
}

START_TEST(test_resent_open)
{
	struct tree_caller who = { .tid = 7, .key = 200, .resend = true };
	struct tree_open_mode mode;
	struct open_result r;
	struct arena a;
	struct tree *t;
	uint64_t fh, again;
	int p[2];

	new_arena();
	ck_assert_int_eq(pipe(p), 0);
	shared_fd = p[1];
	in_dying_worker(open_plug_and_die, NULL);
	shared_fd = p[0];
	hear(&r, sizeof(r));

	t = worker(&a);
	uint64_t plug = ino_of(t, ino_of(t, TREE_ROOT_INO, "sim"), "plug");

	ck_assert_int_eq(tree_open(t, plug, O_WRONLY, &who, &fh, &mode), 0);
	ck_assert_uint_eq(fh, r.fh); /* the same handle: nothing leaked */
	who = (struct tree_caller){ .tid = 7, .key = 201 };
	ck_assert_int_eq(tree_open(t, plug, O_WRONLY, &who, &again, &mode), 0);
	ck_assert_uint_ne(again, fh);
	/* Released once, its number is taken again: a resent RELEASE of the old one does nothing. */
	tree_release(t, fh);
	who.key = 202;
	ck_assert_int_eq(tree_open(t, plug, O_WRONLY, &who, &fh, &mode), 0);
	ck_assert_uint_eq(fh & 0xffffffffu, r.fh & 0xffffffffu);
	ck_assert_uint_ne(fh, r.fh);
	tree_release(t, r.fh);
	ck_assert_int_eq(tree_write(t, fh, "1", 1, &who, &(uint32_t){ 0 }), 1);
	done(t, &a);
	close(p[0]);
	close(p[1]);
}
END_TEST

/* ---- a resent WRITE is not executed twice ---- */

static void write_plug_and_die(struct tree *t, void *arg)
{
	struct tree_caller who = { .tid = 8, .key = 300 };
	struct tree_open_mode mode;
	struct open_result r = { .key = 300 };
	uint32_t record;

	ck_assert_int_eq(tree_open(t, ino_of(t, ino_of(t, TREE_ROOT_INO, "sim"), "plug"), O_WRONLY,
				   &who, &r.fh, &mode),
			 0);
	who.key = 301;
	die_in_plug = *(bool *)arg;
	tell(&r, sizeof(r));
	/* Executed (or dying in it), never answered: tree_write_answered() does not run. */
	ck_assert_int_eq(tree_write(t, r.fh, "3\n", 2, &who, &record), 2);
}

static void resent_write(bool died_in_command)
{
	struct tree_caller who = { .tid = 8, .key = 301, .resend = true };
	struct open_result r;
	struct arena a;
	struct tree *t;
	uint32_t record;
	int p[2];

	new_arena();
	ck_assert_int_eq(pipe(p), 0);
	shared_fd = p[1];
	in_dying_worker(write_plug_and_die, &died_in_command);
	shared_fd = p[0];
	hear(&r, sizeof(r));

	t = worker(&a);
	plugs = 0;
	/* Done before the death: its outcome, not a second command. */
	ck_assert_int_eq(tree_write(t, r.fh, "3\n", 2, &who, &record),
			 died_in_command ? -EIO : 2);
	ck_assert_int_eq(plugs, 0);
	tree_write_answered(t, record);
	/* A new write is one command again. */
	who = (struct tree_caller){ .tid = 8, .key = 302 };
	ck_assert_int_eq(tree_write(t, r.fh, "3\n", 2, &who, &record), 2);
	ck_assert_int_eq(plugs, 1);
	tree_write_answered(t, record);
	done(t, &a);
	close(p[0]);
	close(p[1]);
}

START_TEST(test_resent_write_done)
{
	resent_write(false);
}
END_TEST

START_TEST(test_resent_write_running)
{
	resent_write(true);
}
END_TEST

/* ---- an open file's snapshot, and its bytes, survive the worker ---- */

static void pin_metrics_and_die(struct tree *t, void *arg)
{
	struct tree_caller who = { .tid = 9, .key = 400 };
	struct tree_open_mode mode;
	struct open_result r = { .key = 400 };
	char buf[sizeof(r.text)];
	ssize_t n;

	add_card(t);
	ck_assert_int_eq(tree_open(t, ino_of(t, ino_of(t, TREE_ROOT_INO, "0"), "health"), O_RDONLY,
				   &who, &r.fh, &mode),
			 0);
	ck_assert(mode.direct_io);
	n = tree_read(t, r.fh, buf, sizeof(buf) - 1, 0);
	ck_assert_int_gt(n, 0);
	memcpy(r.text, buf, (size_t)n);
	tell(&r, sizeof(r));
}

START_TEST(test_pinned_snapshot)
{
	struct tree_caller who = { .tid = 10 };
	struct open_result r;
	char buf[sizeof(r.text)] = { 0 };
	struct arena a;
	struct tree *t;
	struct stat st;
	int p[2];

	new_arena();
	ck_assert_int_eq(pipe(p), 0);
	shared_fd = p[1];
	in_dying_worker(pin_metrics_and_die, NULL);
	shared_fd = p[0];
	hear(&r, sizeof(r));

	t = worker(&a);
	add_card(t);
	ck_assert_int_gt(tree_read(t, r.fh, buf, strlen(r.text), 0), 0);
	ck_assert_str_eq(buf, r.text);
	/* A stat by someone else sees the pinned snapshot: rule 4 across workers. */
	ck_assert_int_eq(tree_getattr(t, ino_of(t, ino_of(t, TREE_ROOT_INO, "0"), "health"), &who,
				      &st, NULL),
			 0);
	ck_assert_int_ge(st.st_size, (off_t)strlen(r.text));
	tree_release(t, r.fh);
	done(t, &a);
	close(p[0]);
	close(p[1]);
}
END_TEST

/* ---- the arena's version ---- */

START_TEST(test_other_version)
{
	struct arena a;
	struct tree *t;
	uint32_t version;
	uint64_t sizes[ARENA_SEC_COUNT] = { 4096, 4096 };

	new_arena();
	t = worker(&a);
	done(t, &a);
	ck_assert_int_eq(arena_peek(arena_fd, &a), 0);
	arena_header(&a)->version = ARENA_VERSION + 1;
	arena_detach(&a);
	tree_arena_sizes(&limits, sizes);
	ck_assert_int_eq(arena_attach(arena_fd, sizes, &a, &version), -EPROTO);
	ck_assert_uint_eq(version, ARENA_VERSION + 1);
}
END_TEST

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void teardown(void)
{
	if (tmpdir[0])
		nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (arena_fd >= 0)
		close(arena_fd);
}

static Suite *tree_arena_suite(void)
{
	Suite *s = suite_create("tree_arena");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_resent_open);
	tcase_add_test(tc, test_resent_write_done);
	tcase_add_test(tc, test_resent_write_running);
	tcase_add_test(tc, test_pinned_snapshot);
	tcase_add_test(tc, test_other_version);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(tree_arena_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
