// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The card layer over a simulated card: what it drains is journalled before
 * the card forgets it, dumps are stored whole before "dump complete", and a
 * failing card keeps what was already drained.
 */
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "card/card.h"
#include "sim/sim.h"
#include "store/journal.h"
#include "transport/sim.h"

static char tmpdir[64];
static struct sim_card *sim;
static struct card *card;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void open_card(unsigned errlogs, uint32_t dump_size)
{
	char simdir[128];
	struct sim_config cfg = { 0 };
	struct ocxl_transport *t;

	snprintf(simdir, sizeof(simdir), "%s/sim", tmpdir);
	cfg.dir = simdir;
	cfg.initial_errlogs = errlogs;
	cfg.dump_size = dump_size;
	sim_config_defaults(&cfg);
	ck_assert_int_eq(sim_card_open(&cfg, &sim), 0);
	ck_assert_int_eq(ocxl_transport_sim_new(sim, 0, &t), 0);
	ck_assert_int_eq(card_open(0, t, sim, tmpdir, &card), 0);
}

static void close_card(void)
{
	card_close(card);
	sim_card_close(sim);
	card = NULL;
	sim = NULL;
}

static void setup(void)
{
	strcpy(tmpdir, "/tmp/ocxlfs-card.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	if (card)
		close_card();
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *render_errlog(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(card_render_errlog(card, out), 0);
	fclose(out);
	return text;
}

START_TEST(test_identity)
{
	open_card(0, 0);
	ck_assert_uint_eq(card->id.serial, sim_card_serial(sim));
	ck_assert_uint_eq(card->label_size, SIM_DEFAULT_LABEL_SIZE);
	ck_assert_str_eq(card_state_name(card_get_state(card)), "ready");
}
END_TEST

START_TEST(test_drain_journals_then_acks)
{
	open_card(7, 0);
	ck_assert_uint_eq(sim_card_errlog_queued(sim), 7);
	ck_assert_int_eq(card_drain_errlog(card), 7);
	ck_assert_uint_eq(sim_card_errlog_queued(sim), 0);
	ck_assert_uint_eq(errlog_journal_count(card->journal), 7);
	/* Nothing left: a second drain moves nothing. */
	ck_assert_int_eq(card_drain_errlog(card), 0);
}
END_TEST

START_TEST(test_errlog_survives_restart)
{
	char *before, *after;

	open_card(3, 0);
	before = render_errlog();
	ck_assert_ptr_nonnull(strstr(before, "id: 3\n"));
	close_card();

	open_card(3, 0);
	ck_assert_int_eq(sim_card_inject_errlog(sim, 1, OCXL_EL_DATA_LOSS), 0);
	after = render_errlog();
	/* Everything shown before, in order, plus the new entry. */
	ck_assert_int_eq(strncmp(before, after, strlen(before)), 0);
	ck_assert_ptr_nonnull(strstr(after + strlen(before), "id: 4\n"));
	ck_assert_ptr_null(strstr(after + strlen(before), "id: 1\n"));
	ck_assert_ptr_nonnull(strstr(after, "type: data-loss (0x03)"));
	free(before);
	free(after);
}
END_TEST

START_TEST(test_failing_card_keeps_journal)
{
	char *text;

	open_card(2, 0);
	ck_assert_int_eq(card_drain_errlog(card), 2);
	ck_assert_int_eq(sim_card_set_fault(sim, SIM_FAULT_VANISH, 0), 0);
	text = render_errlog();
	ck_assert_ptr_nonnull(strstr(text, "id: 2\n"));
	ck_assert_str_eq(card_state_name(card_get_state(card)), "gone");
	free(text);
	ck_assert_int_eq(sim_card_set_fault(sim, SIM_FAULT_NONE, 0), 0);
}
END_TEST

START_TEST(test_corrupt_entry_stays_on_card)
{
	open_card(2, 0);
	ck_assert_int_eq(sim_card_set_fault(sim, SIM_FAULT_CORRUPT, 0), 0);
	ck_assert_int_lt(card_drain_errlog(card), 0);
	ck_assert_uint_eq(sim_card_errlog_queued(sim), 2);
	ck_assert_uint_eq(errlog_journal_count(card->journal), 0);
	ck_assert_int_eq(sim_card_set_fault(sim, SIM_FAULT_NONE, 0), 0);
	ck_assert_int_eq(card_drain_errlog(card), 2);
}
END_TEST

START_TEST(test_collect_dump)
{
	uint64_t events = 0;
	char buf[4096];
	struct timespec when;
	size_t size = 0;
	int fd = -1;

	open_card(0, 256 * 1024);
	ck_assert_int_eq(card_open_dump(card, &fd, &size, &when), -ENOENT);
	ck_assert_int_eq(sim_card_post_dump(sim, 100000), 0);
	ck_assert_int_eq(card_check_events(card, &events), 0);
	ck_assert(events & OCXL_EVENT_CDA);

	ck_assert_int_eq(card_collect_dump(card), 0);
	ck_assert_int_eq(card_check_events(card, &events), 0);
	ck_assert(!(events & OCXL_EVENT_CDA)); /* "dump complete" was sent */

	ck_assert_int_eq(card_open_dump(card, &fd, &size, &when), 0);
	ck_assert_uint_eq(size, 100000);
	/* Deterministic simulator content: not all zeros. */
	ck_assert_int_eq(pread(fd, buf, sizeof(buf), 0), (ssize_t)sizeof(buf));
	size_t nonzero = 0;

	for (size_t i = 0; i < sizeof(buf); i++)
		nonzero += buf[i] != 0;
	ck_assert_uint_gt(nonzero, sizeof(buf) / 2);
	close(fd);
	/* Nothing available: collecting again is a no-op. */
	ck_assert_int_eq(card_collect_dump(card), 0);
}
END_TEST

START_TEST(test_stats_and_smart)
{
	struct ocxl_stats st;
	struct ocxl_smart sm;
	uint8_t label[64];

	open_card(0, 0);
	ck_assert_int_eq(card_stats(card, &st), 0);
	ck_assert(st.present & (1u << OCXL_STAT_HOST_LOAD_COUNT));
	ck_assert_int_eq(card_smart(card, &sm), 0);
	ck_assert_uint_eq(sm.count, 3);
	ck_assert_int_eq(card_label_read(card, label, card->label_size - 64, 64), 0);
	ck_assert_int_eq(card_label_read(card, label, card->label_size - 32, 64), -EINVAL);
	ck_assert_int_eq(sim_card_set_fault(sim, SIM_FAULT_STATUS, OCXL_STATUS_BLOCKED_BG), 0);
	ck_assert_int_eq(card_stats(card, &st), -EBUSY);
	ck_assert_int_eq(sim_card_set_fault(sim, SIM_FAULT_NONE, 0), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("card");
	TCase *tc = tcase_create("card");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_identity);
	tcase_add_test(tc, test_drain_journals_then_acks);
	tcase_add_test(tc, test_errlog_survives_restart);
	tcase_add_test(tc, test_failing_card_keeps_journal);
	tcase_add_test(tc, test_corrupt_entry_stays_on_card);
	tcase_add_test(tc, test_collect_dump);
	tcase_add_test(tc, test_stats_and_smart);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
