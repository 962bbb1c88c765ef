// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Prometheus renderer tests: exact samples and units, one block per family
 * with several cards, escaping, and a parse of the whole exposition by
 * prometheus_client (tests/unit/prom_check.py, run with $PROM_PYTHON).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "codec/codec.h"
#include "proto/render_prom.h"
#include "proto/verdict.h"

static struct ocxlfs_identity ids[3];
static struct ocxlfs_stats stats[2];
static struct ocxlfs_smart smarts[2];
static struct ocxlfs_prom_card cards[3];
static struct ocxlfs_verdict_result verdicts[2];
static struct ocxlfs_verdict_errlog errlogs[2];
static const char *const states[] = { "ready", "busy", "unresponsive" };

static void fill_cards(void)
{
	memset(ids, 0, sizeof(ids));
	memset(stats, 0, sizeof(stats));
	memset(smarts, 0, sizeof(smarts));

	ids[0].serial = 2020000000;
	strcpy(ids[0].fw_version, "FW010203");
	stats[0].present = (1u << OCXLFS_STAT_NR) - 1;
	for (unsigned f = 0; f < OCXLFS_STAT_NR; f++)
		stats[0].value[f] = 1000 + f;
	stats[0].value[OCXLFS_STAT_RESET_COUNT] = 18446744073709551615ULL;
	stats[0].value[OCXLFS_STAT_LIFE_REMAINING] = 97;
	stats[0].value[OCXLFS_STAT_CRIT_RESOURCE_UTIL] = 5;
	stats[0].value[OCXLFS_STAT_HOST_LOAD_DURATION] = 1000000001;
	stats[0].value[OCXLFS_STAT_MEDIA_WRITE_DURATION] = 18446744073709551615ULL;
	smarts[0].attr[0] =
	    (struct ocxlfs_smart_attr){OCXLFS_SMART_POWER_ON_HOURS, 0x32, 100, 0, 100, 12};
	/* raw: ATA packs min/max above the low byte; the low byte is degrees */
	smarts[0].attr[1] =
	    (struct ocxlfs_smart_attr){OCXLFS_SMART_TEMPERATURE, 0x22, 45, 85, 47, 0x1e002d};
	smarts[0].count = 2;

	ids[1].serial = 2020000001;
	strcpy(ids[1].fw_version, "a\"b\\c  ");
	stats[1].present = 1u << OCXLFS_STAT_RESET_COUNT | 1u << OCXLFS_STAT_HOST_LOAD_COUNT;
	stats[1].value[OCXLFS_STAT_RESET_COUNT] = 2;
	stats[1].value[OCXLFS_STAT_HOST_LOAD_COUNT] = 7;
	stats[1].value[OCXLFS_STAT_HOST_STORE_COUNT] = 99; /* not present */
	/* A repeated id must not make a second series. */
	smarts[1].attr[0] = (struct ocxlfs_smart_attr){0xE7, 0x32, 100, 10, 100, 4711};
	smarts[1].attr[1] = (struct ocxlfs_smart_attr){0xE7, 0x32, 1, 1, 1, 1};
	smarts[1].count = 2;

	ids[2].serial = 2020000002;
	strcpy(ids[2].fw_version, "FW010203");

	static const double ages[] = { 0.25, 12 };

	cards[0] = (struct ocxlfs_prom_card){ .index = 0, .serial = "2020000000", .id = &ids[0],
					      .state = "ready", .states = states, .nstates = 3,
					      .stats = &stats[0], .smart = &smarts[0],
					      .verdict = &verdicts[0], .errlog = &errlogs[0],
					      .store_writable = true, .data_age_s = &ages[0],
					      .collected = { 1796000000, 250000000 } };
	cards[1] = (struct ocxlfs_prom_card){ .index = 1, .serial = "2020000001", .id = &ids[1],
					      .state = "busy", .states = states, .nstates = 3,
					      .stats = &stats[1], .smart = &smarts[1],
					      .verdict = &verdicts[1], .errlog = &errlogs[1],
					      .journal_errno = 28 };
	/* A hung card: identity from start-up, no statistics, no SMART. */
	cards[2] = (struct ocxlfs_prom_card){ .index = 2, .serial = "2020000002", .id = &ids[2],
					      .state = "unresponsive", .states = states,
					      .nstates = 3, .data_age_s = &ages[1], .dumps_errno = 5 };
	memset(verdicts, 0, sizeof(verdicts));
	verdicts[1].verdict = OCXLFS_VERDICT_CRITICAL;
	errlogs[0] = (struct ocxlfs_verdict_errlog){ 0 };
	errlogs[1] = (struct ocxlfs_verdict_errlog){ .predictive_failure = 2, .data_loss = 1 };
}

static char *render(const struct ocxlfs_prom_card *c, unsigned n, size_t *len)
{
	char *data = NULL;
	FILE *f = open_memstream(&data, len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(ocxlfs_render_prom(f, c, n), 0);
	ck_assert_int_eq(fclose(f), 0);
	return data;
}

static unsigned count(const char *hay, const char *needle)
{
	unsigned n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void assert_line(const char *text, const char *line)
{
	char *want;

	ck_assert_int_gt(asprintf(&want, "\n%s\n", line), 0);
	ck_assert_msg(strstr(text, want) || strncmp(text, want + 1, strlen(want + 1)) == 0,
		      "missing line: %s", line);
	free(want);
}

START_TEST(test_samples_and_units)
{
	size_t len;
	char *t;

	fill_cards();
	t = render(cards, 3, &len);
	ck_assert_uint_eq(strlen(t), len);
	ck_assert_int_eq(t[len - 1], '\n');

	assert_line(t, "ocxl_card_info{card=\"0\",serial=\"2020000000\",firmware=\"FW010203\"} 1");
	/* Label escaping: quote and backslash; trailing blanks trimmed. */
	assert_line(t,
		    "ocxl_card_info{card=\"1\",serial=\"2020000001\",firmware=\"a\\\"b\\\\c\"} 1");
	assert_line(t, "ocxl_card_state{card=\"2\",serial=\"2020000002\",state=\"unresponsive\"} 1");
	/* One series per state and per verdict: the others are there, 0. */
	assert_line(t, "ocxl_card_state{card=\"2\",serial=\"2020000002\",state=\"ready\"} 0");
	assert_line(t, "ocxl_card_state{card=\"0\",serial=\"2020000000\",state=\"ready\"} 1");
	ck_assert_uint_eq(count(t, "ocxl_card_state{"), 9);
	assert_line(t, "ocxl_card_verdict{card=\"0\",serial=\"2020000000\",verdict=\"ok\"} 1");
	assert_line(t, "ocxl_card_verdict{card=\"0\",serial=\"2020000000\",verdict=\"fatal\"} 0");
	/* The age of what each card last answered; left out where not given. */
	assert_line(t, "# TYPE ocxl_card_data_age_seconds gauge");
	assert_line(t, "ocxl_card_data_age_seconds{card=\"0\",serial=\"2020000000\"} 0.250");
	assert_line(t, "ocxl_card_data_age_seconds{card=\"2\",serial=\"2020000002\"} 12.000");
	ck_assert_ptr_null(strstr(t, "ocxl_card_data_age_seconds{card=\"1\""));
	/* The state directory's errno per store, 0 while it is fine. */
	assert_line(t, "ocxl_state_directory_errno{card=\"0\",serial=\"2020000000\",store=\"journal\"} 0");
	assert_line(t, "ocxl_state_directory_errno{card=\"1\",serial=\"2020000001\",store=\"journal\"} 28");
	assert_line(t, "ocxl_state_directory_errno{card=\"2\",serial=\"2020000002\",store=\"dumps\"} 5");
	assert_line(t,
		    "ocxl_card_verdict{card=\"1\",serial=\"2020000001\",verdict=\"critical\"} 1");
	assert_line(t, "ocxl_card_verdict{card=\"1\",serial=\"2020000001\",verdict=\"ok\"} 0");
	ck_assert_uint_eq(count(t, "ocxl_card_verdict{"), 8);
	assert_line(t, "ocxl_error_log_recent_failures{card=\"1\",serial=\"2020000001\","
		       "type=\"predictive-failure\"} 2");
	assert_line(t, "ocxl_error_log_recent_failures{card=\"1\",serial=\"2020000001\","
		       "type=\"data-loss\"} 1");
	assert_line(t, "ocxl_error_log_recent_failures{card=\"0\",serial=\"2020000000\","
		       "type=\"thermal-warning\"} 0");
	assert_line(t, "ocxl_state_directory_writable{card=\"0\",serial=\"2020000000\"} 1");
	assert_line(t, "ocxl_state_directory_writable{card=\"1\",serial=\"2020000001\"} 0");
	assert_line(t,
		    "ocxl_collected_timestamp_seconds{card=\"0\",serial=\"2020000000\"} 1796000000.250");
	assert_line(t, "ocxl_card_up{card=\"0\",serial=\"2020000000\"} 1");
	assert_line(t, "ocxl_card_up{card=\"2\",serial=\"2020000002\"} 0");
	/* Every digit of a 64-bit counter. */
	assert_line(t, "ocxl_resets_total{card=\"0\",serial=\"2020000000\"} 18446744073709551615");
	assert_line(t, "ocxl_resets_total{card=\"1\",serial=\"2020000001\"} 2");
	/* ns become seconds, % become ratios, exactly. */
	assert_line(t, "ocxl_host_load_seconds_total{card=\"0\",serial=\"2020000000\"} 1.000000001");
	assert_line(t, "ocxl_media_write_seconds_total{card=\"0\",serial=\"2020000000\"} 18446744073.709551615");
	assert_line(t, "ocxl_life_remaining_ratio{card=\"0\",serial=\"2020000000\"} 0.97");
	assert_line(t, "ocxl_critical_resource_utilization_ratio{card=\"0\",serial=\"2020000000\"} 0.05");
	assert_line(t, "ocxl_reset_uptime_seconds{card=\"0\",serial=\"2020000000\"} 1001");
	assert_line(t, "ocxl_host_loads_total{card=\"1\",serial=\"2020000001\"} 7");
	assert_line(t, "ocxl_temperature_celsius{card=\"0\",serial=\"2020000000\"} 45");
	assert_line(t, "ocxl_smart_raw{card=\"0\",serial=\"2020000000\",id=\"0xc2\",attribute=\"temperature\"} 1966125");
	assert_line(t, "ocxl_smart_current{card=\"1\",serial=\"2020000001\",id=\"0xe7\",attribute=\"unknown\"} 100");
	assert_line(t,
		    "ocxl_smart_threshold{card=\"0\",serial=\"2020000000\",id=\"0x09\",attribute=\"power_on_hours\"} 0");

	/* Absent is absent, never 0: card 1 did not report stores, card 2 nothing. */
	ck_assert_ptr_null(strstr(t, "ocxl_host_stores_total{card=\"1\",serial=\"2020000001\"}"));
	ck_assert_uint_eq(count(t, "ocxl_host_stores_total{"), 1);
	ck_assert_uint_eq(count(t, "ocxl_smart_current{card=\"1\",serial=\"2020000001\""), 1);
	/*
	 * info, 3 states, up, writable, collected, data age, 2 store errnos: no
	 * verdict given, none shown
	 */
	ck_assert_uint_eq(count(t, "card=\"2\""), 10);
	/* Every per-card series names the serial too. */
	ck_assert_uint_eq(count(t, "card=\"0\","), count(t, "card=\"0\",serial=\"2020000000\""));
	free(t);
}
END_TEST

/* One HELP and one TYPE per family, then only that family's samples. */
START_TEST(test_one_block_per_family)
{
	char family[128] = "", *t, *save = NULL;
	unsigned types = 0;
	size_t len;

	fill_cards();
	t = render(cards, 3, &len);
	ck_assert_uint_eq(count(t, "# TYPE ocxl_resets_total counter\n"), 1);
	ck_assert_uint_eq(count(t, "# HELP ocxl_resets_total "), 1);
	ck_assert_uint_eq(count(t, "# TYPE ocxl_smart_raw gauge\n"), 1);
	for (char *line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[128];

		if (sscanf(line, "# TYPE %127s", family) == 1) {
			types++;
			continue;
		}
		if (line[0] == '#')
			continue;
		ck_assert_int_eq(sscanf(line, "%127[^{]", name), 1);
		ck_assert_str_eq(name, family);
		ck_assert_ptr_nonnull(strstr(line, "{card=\""));
		ck_assert_ptr_nonnull(strstr(line, ",serial=\""));
	}
	/*
	 * info, state, up, verdict, recent failures, writable, collected, data
	 * age, store errno, 16 statistics, temperature, 4 SMART values
	 */
	ck_assert_uint_eq(types, 9 + OCXLFS_STAT_NR + 1 + 4);
	free(t);
}
END_TEST

/* A state the caller's list lacks still has its series, valued 1. */
START_TEST(test_state_not_listed)
{
	size_t len;
	char *t;

	fill_cards();
	cards[0].state = "sleeping";
	t = render(cards, 1, &len);
	assert_line(t, "ocxl_card_state{card=\"0\",serial=\"2020000000\",state=\"sleeping\"} 1");
	assert_line(t, "ocxl_card_state{card=\"0\",serial=\"2020000000\",state=\"ready\"} 0");
	ck_assert_uint_eq(count(t, "ocxl_card_state{"), 4);
	free(t);
}
END_TEST

START_TEST(test_no_cards)
{
	size_t len;
	char *t = render(NULL, 0, &len);

	ck_assert_uint_eq(len, 0);
	free(t);
}
END_TEST

START_TEST(test_stream_error)
{
	char small[32];
	FILE *f = fmemopen(small, sizeof(small), "w");

	fill_cards();
	ck_assert_ptr_nonnull(f);
	setvbuf(f, NULL, _IONBF, 0);
	ck_assert_int_eq(ocxlfs_render_prom(f, cards, 3), -EIO);
	fclose(f);
}
END_TEST

/* Runs prom_check.py on text; returns its exit status, its stdout in out. */
static int prom_check(const char *text, char *out, size_t cap)
{
	const char *py = getenv("PROM_PYTHON"), *src = getenv("top_srcdir");
	char path[] = "/tmp/ocxl-prom-XXXXXX", *cmd;
	int fd = mkstemp(path), status;
	size_t n;
	FILE *p;

	ck_assert_msg(py && src, "PROM_PYTHON and top_srcdir come from make check");
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	ck_assert_int_gt(asprintf(&cmd, "'%s' '%s/tests/unit/prom_check.py' '%s'", py, src, path),
			 0);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(out, 1, cap - 1, p);
	out[n] = '\0';
	status = pclose(p);
	unlink(path);
	free(cmd);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

START_TEST(test_real_parser)
{
	static char out[8192];
	size_t len;
	char *t;

	fill_cards();
	t = render(cards, 3, &len);
	ck_assert_int_eq(prom_check(t, out, sizeof(out)), 0);
	/* name, type, samples: the parser saw every card under one family */
	ck_assert_ptr_nonnull(strstr(out, "ocxl_card_info gauge 3\n"));
	ck_assert_ptr_nonnull(strstr(out, "ocxl_card_verdict gauge 8\n"));
	ck_assert_ptr_nonnull(strstr(out, "ocxl_resets counter 2\n"));
	ck_assert_ptr_nonnull(strstr(out, "ocxl_host_stores counter 1\n"));
	ck_assert_ptr_nonnull(strstr(out, "ocxl_smart_raw gauge 3\n"));
	free(t);
}
END_TEST

/* The checker itself rejects what the lax parser would accept. */
START_TEST(test_checker_rejects)
{
	static const char *const bad[] = {
	    /* a family split in two blocks */
	    "# HELP ocxl_a_total x\n# TYPE ocxl_a_total counter\nocxl_a_total{card=\"0\"} 1\n"
	    "# HELP ocxl_b x\n# TYPE ocxl_b gauge\nocxl_b{card=\"0\"} 1\n"
	    "# HELP ocxl_a_total x\n# TYPE ocxl_a_total counter\nocxl_a_total{card=\"1\"} 1\n",
	    /* no card label */
	    "# HELP ocxl_b x\n# TYPE ocxl_b gauge\nocxl_b 1\n",
	    /* duplicate series */
	    "# HELP ocxl_b x\n# TYPE ocxl_b gauge\nocxl_b{card=\"0\"} 1\nocxl_b{card=\"0\"} 2\n",
	    /* syntax */
	    "# HELP ocxl_b x\n# TYPE ocxl_b gauge\nocxl_b{card=0} 1\n",
	};
	char out[1024];

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_ne(prom_check(bad[i], out, sizeof(out)), 0);
}
END_TEST

static Suite *render_prom_suite(void)
{
	Suite *s = suite_create("render_prom");
	TCase *tc = tcase_create("prom");

	tcase_add_test(tc, test_samples_and_units);
	tcase_add_test(tc, test_one_block_per_family);
	tcase_add_test(tc, test_state_not_listed);
	tcase_add_test(tc, test_no_cards);
	tcase_add_test(tc, test_stream_error);
	tcase_add_test(tc, test_real_parser);
	tcase_add_test(tc, test_checker_rejects);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(render_prom_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
