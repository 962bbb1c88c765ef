// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The health verdict's rules (proto/verdict.h, docs/tree.md section 2.8.1):
 * each rule at, just inside and just outside its threshold, the worst
 * reason deciding, reasons worst first, and the two renderers.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/verdict.h"

static struct ocxlfs_smart smart;
static struct ocxlfs_stats stats;

/* A healthy card: what the simulator reports with nothing injected. */
static struct ocxlfs_verdict_input healthy(void)
{
	memset(&smart, 0, sizeof(smart));
	memset(&stats, 0, sizeof(stats));
	smart.attr[0] =
	    (struct ocxlfs_smart_attr){OCXLFS_SMART_POWER_ON_HOURS, 0x32, 100, 0, 100, 5};
	smart.attr[1] = (struct ocxlfs_smart_attr){OCXLFS_SMART_TEMPERATURE, 0x22, 45, 85, 47, 45};
	smart.attr[2] =
	    (struct ocxlfs_smart_attr){OCXLFS_SMART_LIFE_REMAINING, 0x33, 97, 10, 97, 97};
	smart.count = 3;
	stats.present = 1u << OCXLFS_STAT_LIFE_REMAINING;
	stats.value[OCXLFS_STAT_LIFE_REMAINING] = 97;
	return (struct ocxlfs_verdict_input){.state = "ready", .smart = &smart, .stats = &stats};
}

static struct ocxlfs_verdict_result eval(const struct ocxlfs_verdict_input *in)
{
	struct ocxlfs_verdict_result r;

	ocxlfs_verdict_eval(in, &r);
	return r;
}

/* The verdict is WANT and, unless it is ok, the first reason is RULE's. */
static void expect(const struct ocxlfs_verdict_input *in, enum ocxlfs_verdict want,
		   const char *rule)
{
	struct ocxlfs_verdict_result r = eval(in);

	ck_assert_str_eq(ocxlfs_verdict_name(r.verdict), ocxlfs_verdict_name(want));
	if (want == OCXLFS_VERDICT_OK) {
		ck_assert_uint_eq(r.nreasons, 0);
		return;
	}
	ck_assert_uint_ge(r.nreasons, 1);
	ck_assert_str_eq(r.reason[0].rule, rule);
	ck_assert_int_eq(r.reason[0].level, want);
}

START_TEST(test_healthy)
{
	struct ocxlfs_verdict_input in = healthy();

	expect(&in, OCXLFS_VERDICT_OK, NULL);
	in.state = "busy"; /* an overwrite runs: that is no sickness */
	expect(&in, OCXLFS_VERDICT_OK, NULL);
}
END_TEST

START_TEST(test_state)
{
	static const struct {
		const char *state;
		enum ocxlfs_verdict want;
	} cases[] = {
	    {"fatal-firmware", OCXLFS_VERDICT_FATAL}, {"fatal-hardware", OCXLFS_VERDICT_FATAL},
	    {"gone", OCXLFS_VERDICT_FATAL},	      {"unresponsive", OCXLFS_VERDICT_CRITICAL},
	    {"sleeping", OCXLFS_VERDICT_WARNING},
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ocxlfs_verdict_input in = {
		    .state = cases[i].state, .smart_rc = -EIO, .stats_rc = -EIO};
		struct ocxlfs_verdict_result r = eval(&in);

		expect(&in, cases[i].want, "state");
		/* A card in a bad state answers nothing: that is not said twice. */
		ck_assert_uint_eq(r.nreasons, 1);
		ck_assert_ptr_nonnull(strstr(r.reason[0].text, cases[i].state));
	}
}
END_TEST

START_TEST(test_no_answer)
{
	struct ocxlfs_verdict_input in = healthy();

	in.smart = NULL;
	in.smart_rc = -EBADMSG;
	expect(&in, OCXLFS_VERDICT_WARNING, "smart");
	ck_assert_ptr_nonnull(strstr(eval(&in).reason[0].text, "EBADMSG"));
	in = healthy();
	in.stats = NULL;
	in.stats_rc = -EIO;
	expect(&in, OCXLFS_VERDICT_WARNING, "statistics");
}
END_TEST

START_TEST(test_smart_threshold_and_margin)
{
	struct ocxlfs_verdict_input in = healthy();

	smart.attr[2].current = 21; /* threshold 10 + margin 10 < 21 */
	stats.value[OCXLFS_STAT_LIFE_REMAINING] = 50;
	expect(&in, OCXLFS_VERDICT_OK, NULL);
	smart.attr[2].current = 10 + OCXLFS_VERDICT_SMART_MARGIN;
	expect(&in, OCXLFS_VERDICT_WARNING, "smart");
	smart.attr[2].current = 11;
	expect(&in, OCXLFS_VERDICT_WARNING, "smart");
	smart.attr[2].current = 10;
	expect(&in, OCXLFS_VERDICT_CRITICAL, "smart");
	ck_assert_ptr_nonnull(strstr(eval(&in).reason[0].text, "life_remaining (0xca)"));
	smart.attr[2].current = 0;
	expect(&in, OCXLFS_VERDICT_CRITICAL, "smart");
	/* A threshold of 0 never fails (power_on_hours); unknown ids are judged too. */
	in = healthy();
	smart.attr[0].current = 0;
	expect(&in, OCXLFS_VERDICT_OK, NULL);
	smart.attr[3] = (struct ocxlfs_smart_attr){0xE7, 0x32, 5, 10, 5, 1};
	smart.count = 4;
	expect(&in, OCXLFS_VERDICT_CRITICAL, "smart");
	/* A repeated id is judged once, by its first record. */
	smart.attr[4] = smart.attr[3];
	smart.count = 5;
	ck_assert_uint_eq(eval(&in).nreasons, 1);
	smart.attr[3].current = 100;
	expect(&in, OCXLFS_VERDICT_OK, NULL);
}
END_TEST

START_TEST(test_temperature)
{
	struct ocxlfs_verdict_input in = healthy();

	/* Degrees against the card's limit (the threshold), not normalised. */
	smart.attr[1].raw = 85 - OCXLFS_VERDICT_TEMP_MARGIN_C - 1;
	expect(&in, OCXLFS_VERDICT_OK, NULL);
	smart.attr[1].raw = 85 - OCXLFS_VERDICT_TEMP_MARGIN_C;
	expect(&in, OCXLFS_VERDICT_WARNING, "temperature");
	smart.attr[1].raw = 84;
	expect(&in, OCXLFS_VERDICT_WARNING, "temperature");
	smart.attr[1].raw = 85;
	expect(&in, OCXLFS_VERDICT_CRITICAL, "temperature");
	/* Only the low byte is degrees (ATA's convention: min/max above it). */
	smart.attr[1].raw = 0x5a1e2d;
	expect(&in, OCXLFS_VERDICT_OK, NULL);
	smart.attr[1].raw = 0x1e5a;
	expect(&in, OCXLFS_VERDICT_CRITICAL, "temperature");
	ck_assert_str_eq(eval(&in).reason[0].text, "90 C at or above the card's limit 85 C");
	/* No limit, no judgement. */
	smart.attr[1].threshold = 0;
	expect(&in, OCXLFS_VERDICT_OK, NULL);
}
END_TEST

START_TEST(test_life)
{
	struct ocxlfs_verdict_input in = healthy();

	stats.value[OCXLFS_STAT_LIFE_REMAINING] = OCXLFS_VERDICT_LIFE_WARNING_PCT + 1;
	expect(&in, OCXLFS_VERDICT_OK, NULL);
	stats.value[OCXLFS_STAT_LIFE_REMAINING] = OCXLFS_VERDICT_LIFE_WARNING_PCT;
	expect(&in, OCXLFS_VERDICT_WARNING, "life");
	stats.value[OCXLFS_STAT_LIFE_REMAINING] = OCXLFS_VERDICT_LIFE_CRITICAL_PCT;
	expect(&in, OCXLFS_VERDICT_CRITICAL, "life");
	/* Not reported: not judged. */
	stats.present = 0;
	expect(&in, OCXLFS_VERDICT_OK, NULL);
}
END_TEST

START_TEST(test_errlog)
{
	struct ocxlfs_verdict_input in = healthy();

	in.errlog.thermal_warning = 1;
	expect(&in, OCXLFS_VERDICT_WARNING, "error_log");
	ck_assert_str_eq(eval(&in).reason[0].text, "1 thermal-warning entry in the last 24 h");
	in.errlog.predictive_failure = 3;
	expect(&in, OCXLFS_VERDICT_CRITICAL, "error_log");
	ck_assert_str_eq(eval(&in).reason[0].text, "3 predictive-failure entries in the last 24 h");
	in = healthy();
	in.errlog.data_loss = 1;
	expect(&in, OCXLFS_VERDICT_CRITICAL, "error_log");
}
END_TEST

START_TEST(test_heartbeat_and_store)
{
	struct ocxlfs_verdict_input in = healthy();

	in.heartbeat_rc = -ETIMEDOUT; /* not failed: never sent, or an older outcome */
	expect(&in, OCXLFS_VERDICT_OK, NULL);
	in.heartbeat_failed = true;
	expect(&in, OCXLFS_VERDICT_WARNING, "heartbeat");
	ck_assert_str_eq(eval(&in).reason[0].text, "the last heartbeat failed (ETIMEDOUT)");
	in = healthy();
	in.journal_rc = -ENOSPC;
	expect(&in, OCXLFS_VERDICT_WARNING, "state_directory");
	ck_assert_ptr_nonnull(strstr(eval(&in).reason[0].text, "ENOSPC"));
	in = healthy();
	in.dump_rc = -EIO;
	expect(&in, OCXLFS_VERDICT_WARNING, "state_directory");
}
END_TEST

/* The worst reason decides; reasons are listed worst first, in rule order within a level. */
START_TEST(test_worst_first)
{
	struct ocxlfs_verdict_input in = healthy();
	struct ocxlfs_verdict_result r;

	in.heartbeat_failed = true;
	in.heartbeat_rc = -EIO;
	smart.attr[1].raw = 80;	   /* temperature warning */
	smart.attr[2].current = 5; /* smart critical */
	in.errlog.data_loss = 1;   /* critical */
	r = eval(&in);
	ck_assert_int_eq(r.verdict, OCXLFS_VERDICT_CRITICAL);
	ck_assert_uint_eq(r.nreasons, 4);
	ck_assert_str_eq(r.reason[0].rule, "smart");
	ck_assert_str_eq(r.reason[1].rule, "error_log");
	ck_assert_str_eq(r.reason[2].rule, "temperature");
	ck_assert_str_eq(r.reason[3].rule, "heartbeat");
	in.state = "fatal-hardware";
	r = eval(&in);
	ck_assert_int_eq(r.verdict, OCXLFS_VERDICT_FATAL);
	ck_assert_str_eq(r.reason[0].rule, "state");
}
END_TEST

/* More reasons than fit: the verdict still counts every one. */
START_TEST(test_many_reasons)
{
	struct ocxlfs_verdict_input in = healthy();
	struct ocxlfs_verdict_result r;

	for (unsigned k = 0; k < OCXLFS_SMART_MAX_ATTRS; k++)
		smart.attr[k] = (struct ocxlfs_smart_attr){(uint8_t)(0x10 + k), 0, 15, 10, 15, 0};
	smart.attr[OCXLFS_SMART_MAX_ATTRS - 1].current = 1;
	smart.count = 1000; /* more than the decoder ever gives: capped */
	r = eval(&in);
	ck_assert_uint_eq(r.nreasons, OCXLFS_VERDICT_MAX_REASONS);
	ck_assert_int_eq(r.verdict, OCXLFS_VERDICT_CRITICAL);
}
END_TEST

static char *render(int (*fn)(FILE *, const struct ocxlfs_verdict_result *),
		    const struct ocxlfs_verdict_result *r)
{
	char *data = NULL;
	size_t len;
	FILE *f = open_memstream(&data, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fn(f, r), 0);
	ck_assert_int_eq(fclose(f), 0);
	return data;
}

static int line_7(FILE *f, const struct ocxlfs_verdict_result *r)
{
	return ocxlfs_render_verdict_line(f, 7, "2020000007", r);
}

START_TEST(test_render)
{
	struct ocxlfs_verdict_input in = healthy();
	struct ocxlfs_verdict_result r = eval(&in);
	char *t;

	t = render(ocxlfs_render_verdict, &r);
	ck_assert_str_eq(t, "verdict: ok\n");
	free(t);
	t = render(line_7, &r);
	ck_assert_str_eq(t, "ok 7 2020000007\n");
	free(t);

	smart.attr[1].raw = 90;
	in.heartbeat_failed = true;
	in.heartbeat_rc = -EIO;
	r = eval(&in);
	t = render(ocxlfs_render_verdict, &r);
	ck_assert_str_eq(t, "verdict: critical\n"
			    "reason: critical temperature: 90 C at or above the card's limit 85 C\n"
			    "reason: warning heartbeat: the last heartbeat failed (EIO)\n");
	free(t);
	t = render(line_7, &r);
	ck_assert_str_eq(t, "critical 7 2020000007 temperature: 90 C at or above the card's "
			    "limit 85 C; heartbeat: the last heartbeat failed (EIO)\n");
	free(t);
}
END_TEST

START_TEST(test_render_stream_error)
{
	char small[8];
	FILE *f = fmemopen(small, sizeof(small), "w");
	struct ocxlfs_verdict_input in = healthy();
	struct ocxlfs_verdict_result r;

	in.state = "gone";
	r = eval(&in);
	ck_assert_ptr_nonnull(f);
	setvbuf(f, NULL, _IONBF, 0);
	ck_assert_int_eq(ocxlfs_render_verdict(f, &r), -EIO);
	fclose(f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("verdict");
	TCase *tc = tcase_create("rules");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_healthy);
	tcase_add_test(tc, test_state);
	tcase_add_test(tc, test_no_answer);
	tcase_add_test(tc, test_smart_threshold_and_margin);
	tcase_add_test(tc, test_temperature);
	tcase_add_test(tc, test_life);
	tcase_add_test(tc, test_errlog);
	tcase_add_test(tc, test_heartbeat_and_store);
	tcase_add_test(tc, test_worst_first);
	tcase_add_test(tc, test_many_reasons);
	tcase_add_test(tc, test_render);
	tcase_add_test(tc, test_render_stream_error);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
