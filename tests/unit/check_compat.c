// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The compatibility rule (docs/protocol.md, <ocxlfs/passthru.h>), proved
 * end to end: this daemon's card operations (src/proto/ops.c) over the
 * simulator transport against cards whose firmware is newer (FUTURE: longer
 * blocks, unknown parameter blocks, SMART IDs and error-log types) and
 * older (LEGACY: shorter identity, commands it does not know).
 */
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ocxlfs/passthru.h>

#include "codec/codec.h"
#include "proto/ops.h"
#include "sim/sim.h"
#include "transport/sim.h"

static char tmpdir[64];
static struct sim_card *sim;
static struct ocxlfs_transport *tr;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void setup(void)
{
	struct sim_config cfg = { .dir = tmpdir, .dump_size = 40000 };

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/check_compat.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	sim_config_defaults(&cfg);
	ck_assert_int_eq(sim_card_open(&cfg, &sim), 0);
	ck_assert_int_eq(ocxlfs_transport_sim_new(sim, 0, &tr), 0);
}

static void teardown(void)
{
	ocxlfs_transport_destroy(tr);
	sim_card_close(sim);
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* What a CURRENT card reports, the reference for the other profiles. */
struct baseline {
	struct ocxlfs_identity id;
	struct ocxlfs_stats st;
	struct ocxlfs_smart sm;
};

static void take_baseline(struct baseline *b)
{
	struct ocxlfs_op_result res;

	sim_card_set_profile(sim, SIM_PROFILE_CURRENT);
	ck_assert_int_eq(ocxlfs_op_identify(tr, &b->id, &res), 0);
	ck_assert(b->id.has_admin_buffer_size);
	ck_assert_int_eq(ocxlfs_op_stats(tr, &b->st, &res), 0);
	ck_assert_uint_eq(b->st.unknown_blocks, 0);
	ck_assert_int_eq(ocxlfs_op_smart(tr, &b->sm, &res), 0);
	ck_assert_uint_eq(b->sm.count, 3);
}

static const struct ocxlfs_smart_attr *find_attr(const struct ocxlfs_smart *sm, uint8_t id)
{
	for (unsigned i = 0; i < sm->count; i++)
		if (sm->attr[i].id == id)
			return &sm->attr[i];
	return NULL;
}

static void assert_same_identity(const struct ocxlfs_identity *a, const struct ocxlfs_identity *b)
{
	ck_assert_uint_eq(a->serial, b->serial);
	ck_assert_str_eq(a->fw_version, b->fw_version);
	ck_assert_uint_eq(a->ccap0, b->ccap0);
	ck_assert_uint_eq(a->ccap1, b->ccap1);
}

/* Known stats fields of a later read: equal where static, never smaller where counting. */
static void assert_stats_follow(const struct ocxlfs_stats *before, const struct ocxlfs_stats *now)
{
	ck_assert_uint_eq(now->present, (1u << OCXLFS_STAT_NR) - 1);
	ck_assert_uint_eq(now->value[OCXLFS_STAT_RESET_COUNT], before->value[OCXLFS_STAT_RESET_COUNT]);
	ck_assert_uint_eq(now->value[OCXLFS_STAT_LIFE_REMAINING],
			  before->value[OCXLFS_STAT_LIFE_REMAINING]);
	ck_assert_uint_eq(now->value[OCXLFS_STAT_CRIT_RESOURCE_UTIL],
			  before->value[OCXLFS_STAT_CRIT_RESOURCE_UTIL]);
	for (unsigned f = OCXLFS_STAT_RESET_UPTIME; f < OCXLFS_STAT_NR; f++)
		ck_assert_msg(now->value[f] >= before->value[f], "%s went backwards",
			      ocxlfs_stat_name(f));
	ck_assert_uint_gt(now->value[OCXLFS_STAT_HOST_LOAD_COUNT],
			  before->value[OCXLFS_STAT_HOST_LOAD_COUNT]);
}

static void assert_known_smart(const struct baseline *b, const struct ocxlfs_smart *sm)
{
	const uint8_t ids[] = { OCXLFS_SMART_POWER_ON_HOURS, OCXLFS_SMART_TEMPERATURE,
				OCXLFS_SMART_LIFE_REMAINING };

	for (unsigned i = 0; i < sizeof(ids); i++) {
		const struct ocxlfs_smart_attr *a = find_attr(sm, ids[i]);
		const struct ocxlfs_smart_attr *ref = find_attr(&b->sm, ids[i]);

		ck_assert_ptr_nonnull(a);
		ck_assert_ptr_nonnull(ref);
		ck_assert_str_ne(ocxlfs_smart_attr_name(a->id), "unknown");
		ck_assert_uint_eq(a->flags, ref->flags);
		ck_assert_uint_eq(a->threshold, ref->threshold);
	}
	ck_assert_uint_ge(find_attr(sm, OCXLFS_SMART_POWER_ON_HOURS)->raw,
			  find_attr(&b->sm, OCXLFS_SMART_POWER_ON_HOURS)->raw);
	ck_assert_uint_eq(find_attr(sm, OCXLFS_SMART_LIFE_REMAINING)->current, 97);
	ck_assert_uint_eq(find_attr(sm, OCXLFS_SMART_LIFE_REMAINING)->raw,
			  find_attr(&b->sm, OCXLFS_SMART_LIFE_REMAINING)->raw);
}

/* Drains one entry through ops, acks it, and returns it decoded (addl not kept). */
static struct ocxlfs_errlog drain_one(void)
{
	uint8_t buf[1024];
	struct ocxlfs_op_result res;
	struct ocxlfs_errlog el;
	size_t len;

	ck_assert_int_eq(ocxlfs_op_errlog_next(tr, buf, sizeof(buf), &len, NULL, &res), 0);
	ck_assert_uint_eq(res.status, OCXLFS_STATUS_SUCCESS);
	ck_assert_uint_gt(len, 0);
	ck_assert_int_eq(ocxlfs_errlog_decode(buf, len, &el), 0);
	el.addl = NULL;
	ck_assert_int_eq(ocxlfs_op_errlog_ack(tr, el.log_id, &res), 0);
	return el;
}

static void assert_queue_empty(void)
{
	uint8_t buf[1024];
	struct ocxlfs_op_result res;
	size_t len = 1;

	ck_assert_int_eq(ocxlfs_op_errlog_next(tr, buf, sizeof(buf), &len, NULL, &res), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(res.fw_size, OCXLFS_PKG_OUT_HDR);
}

/* ---- (a) new card, old daemon ---- */

START_TEST(test_future_identity)
{
	struct baseline b;
	struct ocxlfs_identity id;
	struct ocxlfs_op_result res;

	take_baseline(&b);
	sim_card_set_profile(sim, SIM_PROFILE_FUTURE);
	ck_assert_int_eq(ocxlfs_op_identify(tr, &id, &res), 0);
	ck_assert_uint_eq(res.status, OCXLFS_STATUS_SUCCESS);
	ck_assert_uint_eq(res.fw_size, OCXLFS_PKG_OUT_HDR + 8 + 0x38); /* longer than we know */
	assert_same_identity(&id, &b.id);
	ck_assert(id.has_admin_buffer_size);
	ck_assert_uint_eq(id.admin_buffer_size, b.id.admin_buffer_size);
}
END_TEST

START_TEST(test_future_stats)
{
	struct baseline b;
	struct ocxlfs_stats st, st2;
	struct ocxlfs_op_result res;

	take_baseline(&b);
	usleep(5000);
	sim_card_set_profile(sim, SIM_PROFILE_FUTURE);
	ck_assert_int_eq(ocxlfs_op_stats(tr, &st, &res), 0);
	ck_assert_uint_eq(res.fw_size, OCXLFS_PKG_OUT_HDR + 8 + OCXLFS_CS_LEN_V4 + 0x20);
	ck_assert_uint_eq(st.unknown_blocks, 1);
	assert_stats_follow(&b.st, &st);
	usleep(5000);
	ck_assert_int_eq(ocxlfs_op_stats(tr, &st2, &res), 0);
	assert_stats_follow(&st, &st2);
	/* And back: the extra block never confused the known ones. */
	sim_card_set_profile(sim, SIM_PROFILE_CURRENT);
	usleep(2000);
	ck_assert_int_eq(ocxlfs_op_stats(tr, &st, &res), 0);
	assert_stats_follow(&st2, &st);
}
END_TEST

START_TEST(test_future_smart)
{
	struct baseline b;
	struct ocxlfs_smart sm;
	struct ocxlfs_op_result res;
	unsigned unknown = 0;

	take_baseline(&b);
	sim_card_set_profile(sim, SIM_PROFILE_FUTURE);
	ck_assert_int_eq(ocxlfs_op_smart(tr, &sm, &res), 0);
	ck_assert_uint_eq(sm.count, 4);
	assert_known_smart(&b, &sm);
	for (unsigned i = 0; i < sm.count; i++)
		if (!strcmp(ocxlfs_smart_attr_name(sm.attr[i].id), "unknown"))
			unknown++;
	ck_assert_uint_eq(unknown, 1);
	ck_assert_ptr_nonnull(find_attr(&sm, 0xE7));
}
END_TEST

START_TEST(test_future_errlog)
{
	struct ocxlfs_errlog el;
	struct ocxlfs_op_result res;
	uint64_t mask;

	sim_card_set_profile(sim, SIM_PROFILE_FUTURE);
	ck_assert_int_eq(sim_card_inject_errlog(sim, 2, OCXLFS_EL_GENERAL), 0);
	el = drain_one();
	ck_assert_uint_eq(el.log_id, 1);
	ck_assert_uint_eq(el.type, SIM_EL_TYPE_FUTURE);
	ck_assert_str_eq(ocxlfs_errlog_type_name(el.type), "unknown");
	ck_assert_uint_eq(el.action_flags, 0);
	ck_assert_uint_eq(el.wwid[1], sim_card_serial(sim));
	ck_assert_str_eq(el.fw_revision, "01.02.03");
	ck_assert_uint_eq(drain_one().log_id, 2);
	assert_queue_empty();

	/* Commands it shares with us behave as before. */
	ck_assert_int_eq(ocxlfs_op_health_request(tr, &res), 0);
	ck_assert_int_eq(ocxlfs_op_event_check(tr, &mask, &res), 0);
	ck_assert_uint_eq(mask, OCXLFS_EVENT_ELA);
	el = drain_one();
	ck_assert_uint_eq(el.type, OCXLFS_EL_HEALTH_PERF);
	ck_assert_int_eq(ocxlfs_op_heartbeat(tr, &res), 0);
}
END_TEST

/* ---- (b) old card, new daemon ---- */

START_TEST(test_legacy_identity)
{
	struct baseline b;
	struct ocxlfs_identity id;
	struct ocxlfs_op_result res;

	take_baseline(&b);
	sim_card_set_profile(sim, SIM_PROFILE_LEGACY);
	ck_assert_int_eq(ocxlfs_op_identify(tr, &id, &res), 0);
	ck_assert_uint_eq(res.fw_size, OCXLFS_PKG_OUT_HDR + 8 + 0x20);
	assert_same_identity(&id, &b.id);
	ck_assert(!id.has_admin_buffer_size);
}
END_TEST

START_TEST(test_legacy_unknown_commands)
{
	struct ocxlfs_op_result res;
	struct ocxlfs_erase_status es;
	uint64_t mask = 1;

	sim_card_set_profile(sim, SIM_PROFILE_LEGACY);
	ck_assert_int_eq(ocxlfs_op_health_request(tr, &res), -EOPNOTSUPP);
	ck_assert_uint_eq(res.status, OCXLFS_STATUS_BAD_OPCODE);
	ck_assert_uint_eq(sim_card_errlog_queued(sim), 0); /* and nothing happened */
	ck_assert_int_eq(ocxlfs_op_event_check(tr, &mask, &res), -EOPNOTSUPP);
	ck_assert_uint_eq(res.status, OCXLFS_STATUS_BAD_OPCODE);
	ck_assert_uint_eq(mask, 0);
	ck_assert_int_eq(ocxlfs_op_erase_start(tr, &res), -EOPNOTSUPP);
	ck_assert_uint_eq(res.status, OCXLFS_STATUS_BAD_OPCODE);
	ck_assert_int_eq(ocxlfs_op_erase_status(tr, &es, &res), -EOPNOTSUPP);
	ck_assert_uint_eq(res.status, OCXLFS_STATUS_BAD_OPCODE);
}
END_TEST

START_TEST(test_legacy_known_commands)
{
	struct baseline b;
	struct ocxlfs_stats st;
	struct ocxlfs_smart sm;
	struct ocxlfs_op_result res;
	struct ocxlfs_errlog el;
	uint8_t chunk[4096];
	size_t got;

	take_baseline(&b);
	usleep(2000);
	sim_card_set_profile(sim, SIM_PROFILE_LEGACY);
	ck_assert_int_eq(ocxlfs_op_stats(tr, &st, &res), 0);
	ck_assert_uint_eq(st.unknown_blocks, 0);
	assert_stats_follow(&b.st, &st);
	ck_assert_int_eq(ocxlfs_op_smart(tr, &sm, &res), 0);
	ck_assert_uint_eq(sm.count, 3);
	assert_known_smart(&b, &sm);

	ck_assert_int_eq(sim_card_inject_errlog(sim, 1, OCXLFS_EL_PREDICTIVE), 0);
	el = drain_one();
	ck_assert_uint_eq(el.type, OCXLFS_EL_PREDICTIVE);
	ck_assert_str_eq(ocxlfs_errlog_type_name(el.type), "predictive-failure");
	assert_queue_empty();

	ck_assert_int_eq(ocxlfs_op_heartbeat(tr, &res), 0);
	ck_assert_int_eq(ocxlfs_op_dump_request(tr, &res), 0);
	ck_assert_int_eq(ocxlfs_op_dump_read(tr, 0, sizeof(chunk), chunk, &got, &res), 0);
	ck_assert_uint_eq(got, sizeof(chunk));
	ck_assert_int_eq(ocxlfs_op_dump_complete(tr, &res), 0);
}
END_TEST

/* ---- the current profile through ops, and faults as errnos ---- */

START_TEST(test_current_dump_via_ops)
{
	static uint8_t a[40000], b[40000];
	struct ocxlfs_op_result res;
	uint64_t mask;
	uint32_t off;
	size_t got;

	ck_assert_int_eq(ocxlfs_op_dump_read(tr, 0, 4096, a, &got, &res), -EIO);
	ck_assert_uint_eq(res.status, OCXLFS_STATUS_FAILED);
	ck_assert_int_eq(ocxlfs_op_dump_request(tr, &res), 0);
	ck_assert_int_eq(ocxlfs_op_event_check(tr, &mask, &res), 0);
	ck_assert_uint_eq(mask, OCXLFS_EVENT_CDA);
	for (off = 0;; off += (uint32_t)got) {
		ck_assert_int_eq(ocxlfs_op_dump_read(tr, off, OCXLFS_DUMP_CHUNK_MAX, a + off, &got,
						   &res), 0);
		if (!got)
			break;
	}
	ck_assert_uint_eq(off, sizeof(a));
	for (off = 0;; off += (uint32_t)got) {
		ck_assert_int_eq(ocxlfs_op_dump_read(tr, off, 1024, b + off, &got, &res), 0);
		if (!got)
			break;
	}
	ck_assert_mem_eq(a, b, sizeof(a));
	ck_assert_int_eq(ocxlfs_op_dump_complete(tr, &res), 0);
	ck_assert_int_eq(ocxlfs_op_event_check(tr, &mask, &res), 0);
	ck_assert_uint_eq(mask, 0);
}
END_TEST

START_TEST(test_current_erase_via_ops)
{
	struct ocxlfs_op_result res;
	struct ocxlfs_erase_status es;
	uint8_t lab[256];

	memset(lab, 0x5A, sizeof(lab));
	ck_assert_int_eq(tr->ops->label_write(tr, lab, 0, sizeof(lab)), 0);
	sim_card_set_namespace_enabled(sim, true);
	ck_assert_int_eq(ocxlfs_op_erase_start(tr, &res), -EBUSY);
	ck_assert_uint_eq(res.status, OCXLFS_STATUS_BLOCKED_BG);
	sim_card_set_namespace_enabled(sim, false);
	sim_card_set_erase_ms(sim, 20);
	ck_assert_int_eq(ocxlfs_op_erase_start(tr, &res), 0);
	usleep(40000);
	ck_assert_int_eq(ocxlfs_op_erase_status(tr, &es, &res), 0);
	ck_assert_uint_eq(es.state, OCXLFS_ERASE_DONE);
	ck_assert_uint_eq(es.acc_ok, es.acc_tried);
	ck_assert_int_eq(tr->ops->label_read(tr, lab, 0, sizeof(lab)), 0);
	for (size_t i = 0; i < sizeof(lab); i++)
		ck_assert_uint_eq(lab[i], 0);
}
END_TEST

START_TEST(test_faults_via_ops)
{
	struct ocxlfs_op_result res;
	struct ocxlfs_identity id;
	uint64_t mask;

	sim_card_set_fault(sim, SIM_FAULT_HANG, 0);
	ck_assert_int_eq(ocxlfs_op_heartbeat(tr, &res), -ETIMEDOUT);
	sim_card_set_fault(sim, SIM_FAULT_CORRUPT, 0);
	ck_assert_int_eq(ocxlfs_op_identify(tr, &id, &res), -EBADMSG);
	sim_card_set_fault(sim, SIM_FAULT_STATUS, OCXLFS_STATUS_BLOCKED_BG);
	ck_assert_int_eq(ocxlfs_op_heartbeat(tr, &res), -EBUSY);
	ck_assert_uint_eq(res.status, OCXLFS_STATUS_BLOCKED_BG);
	sim_card_set_fault(sim, SIM_FAULT_FATAL_HW, 0);
	ck_assert_int_eq(ocxlfs_op_heartbeat(tr, &res), -EIO);
	ck_assert_int_eq(ocxlfs_op_event_check(tr, &mask, &res), 0);
	ck_assert_uint_eq(mask, OCXLFS_EVENT_FATAL_HW);
	sim_card_set_fault(sim, SIM_FAULT_VANISH, 0);
	ck_assert_int_eq(ocxlfs_op_heartbeat(tr, &res), -ENODEV);
	ck_assert_int_eq(tr->ops->label_size(tr, NULL, NULL), -ENODEV);
	sim_card_set_fault(sim, SIM_FAULT_NONE, 0);
	ck_assert_int_eq(ocxlfs_op_identify(tr, &id, &res), 0);
}
END_TEST

static Suite *compat_suite(void)
{
	Suite *s = suite_create("compat");
	TCase *fut = tcase_create("new-card-old-daemon");
	TCase *leg = tcase_create("old-card-new-daemon");
	TCase *cur = tcase_create("current");

	tcase_add_checked_fixture(fut, setup, teardown);
	tcase_add_test(fut, test_future_identity);
	tcase_add_test(fut, test_future_stats);
	tcase_add_test(fut, test_future_smart);
	tcase_add_test(fut, test_future_errlog);
	suite_add_tcase(s, fut);

	tcase_add_checked_fixture(leg, setup, teardown);
	tcase_add_test(leg, test_legacy_identity);
	tcase_add_test(leg, test_legacy_unknown_commands);
	tcase_add_test(leg, test_legacy_known_commands);
	suite_add_tcase(s, leg);

	tcase_add_checked_fixture(cur, setup, teardown);
	tcase_set_timeout(cur, 30);
	tcase_add_test(cur, test_current_dump_via_ops);
	tcase_add_test(cur, test_current_erase_via_ops);
	tcase_add_test(cur, test_faults_via_ops);
	suite_add_tcase(s, cur);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(compat_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
