// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The card layer over a simulated card: what it drains is journalled before
 * the card forgets it, dumps are stored whole before "dump complete", and a
 * failing card keeps what was already drained.
 */
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "card/card.h"
#include "card/events.h"
#include "card/stream.h"
#include "proto/render_errlog.h"
#include "sim/sim.h"
#include "transport/sim.h"

static char tmpdir[64];
static struct sim_card *sim;
static struct card *card;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* A transport that says a namespace is enabled, whatever the card thinks. */
static struct ocxlfs_transport_ops ns_enabled_ops;

static int says_namespace_enabled(struct ocxlfs_transport *t)
{
	return 1;
}

static void open_card_as(unsigned errlogs, uint32_t dump_size, bool host_sees_namespace)
{
	char simdir[128];
	struct sim_config cfg = { 0 };
	struct ocxlfs_transport *t;

	snprintf(simdir, sizeof(simdir), "%s/sim", tmpdir);
	cfg.dir = simdir;
	cfg.initial_errlogs = errlogs;
	cfg.dump_size = dump_size;
	sim_config_defaults(&cfg);
	ck_assert_int_eq(sim_card_open(&cfg, &sim), 0);
	ck_assert_int_eq(ocxlfs_transport_sim_new(sim, 0, &t), 0);
	if (host_sees_namespace) {
		ns_enabled_ops = *t->ops;
		ns_enabled_ops.namespaces_enabled = says_namespace_enabled;
		t->ops = &ns_enabled_ops;
	}
	ck_assert_int_eq(card_open(0, t, sim, tmpdir, &card), 0);
}

static void open_card(unsigned errlogs, uint32_t dump_size)
{
	open_card_as(errlogs, dump_size, false);
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
	ck_assert_int_eq(card_walk_errlog(card, ocxlfs_errlog_text_record, out), 0);
	fclose(out);
	return text;
}

static int count_entry(void *arg, uint32_t log_id, const uint8_t *raw, size_t len)
{
	(*(unsigned *)arg)++;
	return 0;
}

/* Entries in the journal, as card_walk_errlog() shows them (it drains first). */
static unsigned journalled(void)
{
	unsigned n = 0;

	ck_assert_int_eq(card_walk_errlog(card, count_entry, &n), 0);
	return n;
}

START_TEST(test_identity)
{
	char serial[24];

	open_card(0, 0);
	ck_assert_uint_eq(card_identity(card)->serial, sim_card_serial(sim));
	snprintf(serial, sizeof(serial), "%llu", (unsigned long long)sim_card_serial(sim));
	ck_assert_str_eq(card_serial(card), serial);
	ck_assert_uint_eq(card_label_size(card), SIM_DEFAULT_LABEL_SIZE);
	ck_assert(card_is_simulated(card));
	ck_assert_str_eq(card_state_name(card_get_state(card)), "ready");
}
END_TEST

START_TEST(test_drain_journals_then_acks)
{
	open_card(7, 0);
	ck_assert_uint_eq(sim_card_errlog_queued(sim), 7);
	ck_assert_int_eq(card_drain_errlog(card), 7);
	ck_assert_uint_eq(sim_card_errlog_queued(sim), 0);
	ck_assert_uint_eq(journalled(), 7);
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
	ck_assert_int_eq(sim_card_inject_errlog(sim, 1, OCXLFS_EL_DATA_LOSS), 0);
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
	ck_assert_uint_eq(journalled(), 0);
	ck_assert_int_eq(sim_card_set_fault(sim, SIM_FAULT_NONE, 0), 0);
	ck_assert_int_eq(card_drain_errlog(card), 2);
}
END_TEST

/*
 * A card that keeps every entry: ERRLOG_ACK is answered with success but
 * never reaches it, so ERRLOG_NEXT hands out the same entry again.
 */
static struct {
	struct ocxlfs_transport base;
	struct ocxlfs_transport *inner;
	unsigned next, ack;
} keeper;

static int keeper_call(struct ocxlfs_transport *t, struct nd_cmd_pkg *pkg)
{
	if (pkg->nd_command == OCXLFS_CMD_ERRLOG_NEXT)
		keeper.next++;
	if (pkg->nd_command != OCXLFS_CMD_ERRLOG_ACK)
		return keeper.inner->ops->call(keeper.inner, pkg);
	keeper.ack++;
	ocxlfs_put_le64(pkg->nd_payload + pkg->nd_size_in, OCXLFS_STATUS_SUCCESS);
	pkg->nd_fw_size = OCXLFS_PKG_OUT_HDR;
	return 0;
}

static int keeper_label_size(struct ocxlfs_transport *t, uint32_t *size, uint32_t *max_xfer)
{
	return keeper.inner->ops->label_size(keeper.inner, size, max_xfer);
}

static int keeper_label_read(struct ocxlfs_transport *t, void *buf, uint32_t off, uint32_t len)
{
	return keeper.inner->ops->label_read(keeper.inner, buf, off, len);
}

static void keeper_destroy(struct ocxlfs_transport *t)
{
	ocxlfs_transport_destroy(keeper.inner);
}

static const struct ocxlfs_transport_ops keeper_ops = {
	.call = keeper_call,
	.label_size = keeper_label_size,
	.label_read = keeper_label_read,
	.destroy = keeper_destroy,
};

/* Lines of FILE that contain WHAT. */
static unsigned count_lines(FILE *f, const char *what)
{
	char line[512];
	unsigned n = 0;

	rewind(f);
	while (fgets(line, sizeof(line), f))
		n += strstr(line, what) != NULL;
	return n;
}

START_TEST(test_drain_stops_on_a_kept_entry)
{
	char simdir[128];
	struct sim_config cfg = { 0 };
	FILE *log = tmpfile();
	int saved = dup(STDERR_FILENO);

	snprintf(simdir, sizeof(simdir), "%s/sim", tmpdir);
	cfg.dir = simdir;
	cfg.initial_errlogs = 2;
	sim_config_defaults(&cfg);
	ck_assert_int_eq(sim_card_open(&cfg, &sim), 0);
	memset(&keeper, 0, sizeof(keeper));
	keeper.base.ops = &keeper_ops;
	keeper.base.kind = "keeper";
	ck_assert_int_eq(ocxlfs_transport_sim_new(sim, 0, &keeper.inner), 0);
	ck_assert_int_eq(card_open(0, &keeper.base, sim, tmpdir, &card), 0);
	ck_assert_ptr_nonnull(log);
	fflush(stderr);
	dup2(fileno(log), STDERR_FILENO);

	/* Journalled and acknowledged once, seen again: the drain stops there. */
	ck_assert_int_eq(card_drain_errlog(card), 1);
	ck_assert_uint_eq(keeper.next, 2);
	ck_assert_uint_eq(keeper.ack, 1);
	ck_assert_uint_eq(sim_card_errlog_queued(sim), 2);
	/* The next drain asks as much again, stores nothing twice, warns no more. */
	ck_assert_int_eq(card_drain_errlog(card), 1);
	ck_assert_uint_eq(keeper.next, 4);
	ck_assert_uint_eq(keeper.ack, 2);
	/* (Walking the journal drains once more.) */
	ck_assert_uint_eq(journalled(), 1);
	ck_assert_uint_eq(keeper.next, 6);

	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	ck_assert_uint_eq(count_lines(log, "still queued after its acknowledgement"), 1);
	fclose(log);
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
	ck_assert(events & OCXLFS_EVENT_CDA);

	ck_assert_int_eq(card_collect_dump(card), 0);
	ck_assert_int_eq(card_check_events(card, &events), 0);
	ck_assert(!(events & OCXLFS_EVENT_CDA)); /* "dump complete" was sent */

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
	struct ocxlfs_stats st;
	struct ocxlfs_smart sm;
	uint8_t label[64];

	open_card(0, 0);
	ck_assert_int_eq(card_stats(card, &st), 0);
	ck_assert(st.present & (1u << OCXLFS_STAT_HOST_LOAD_COUNT));
	ck_assert_int_eq(card_smart(card, &sm), 0);
	ck_assert_uint_eq(sm.count, 3);
	ck_assert_int_eq(card_label_read(card, label, card_label_size(card) - 64, 64), 0);
	ck_assert_int_eq(card_label_read(card, label, card_label_size(card) - 32, 64), -EINVAL);
	ck_assert_int_eq(sim_card_set_fault(sim, SIM_FAULT_STATUS, OCXLFS_STATUS_BLOCKED_BG), 0);
	ck_assert_int_eq(card_stats(card, &st), -EBUSY);
	ck_assert_int_eq(sim_card_set_fault(sim, SIM_FAULT_NONE, 0), 0);
}
END_TEST

START_TEST(test_heartbeat_records_outcome)
{
	struct card_heartbeat hb;

	open_card(0, 0);
	card_last_heartbeat(card, &hb);
	ck_assert(!hb.done);
	ck_assert_int_eq(card_heartbeat(card), 0);
	card_last_heartbeat(card, &hb);
	ck_assert(hb.done);
	ck_assert_int_eq(hb.rc, 0);
	ck_assert_int_eq(sim_card_set_fault(sim, SIM_FAULT_STATUS, OCXLFS_STATUS_BLOCKED_BG), 0);
	ck_assert_int_eq(card_heartbeat(card), -EBUSY);
	card_last_heartbeat(card, &hb);
	ck_assert_int_eq(hb.rc, -EBUSY);
	ck_assert_uint_eq(hb.status, OCXLFS_STATUS_BLOCKED_BG);
	ck_assert_int_eq(sim_card_set_fault(sim, SIM_FAULT_HANG, 0), 0);
	ck_assert_int_eq(card_heartbeat(card), -ETIMEDOUT);
	ck_assert_int_eq(card_get_state(card), CARD_UNRESPONSIVE);
}
END_TEST

static bool labels_zero(void)
{
	uint8_t *buf = malloc(card_label_size(card));
	bool zero = true;

	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(card_label_read(card, buf, 0, card_label_size(card)), 0);
	for (uint32_t i = 0; i < card_label_size(card); i++)
		zero = zero && buf[i] == 0;
	free(buf);
	return zero;
}

/*
 * The daemon's own check (docs/tree.md, overwrite): the host sees an
 * enabled namespace (sysfs) while the card itself would accept the erase.
 * The daemon refuses before sending ERASE_START.
 */
START_TEST(test_overwrite_host_namespace_check)
{
	const struct card_caller who = { .uid = 0, .pid = 1 };
	struct ocxlfs_erase_status es;

	open_card_as(0, 0, true);
	sim_card_set_erase_ms(sim, 600000);
	ck_assert_int_eq(sim_card_fill_labels(sim), 0);
	ck_assert(!sim_card_namespace_enabled(sim));
	ck_assert_int_eq(card_overwrite_start(card, &who), -EBUSY);
	ck_assert_int_eq(card_overwrite_status(card, &es), 0);
	ck_assert_uint_eq(es.state, OCXLFS_ERASE_IDLE);
	ck_assert(!labels_zero());
}
END_TEST

START_TEST(test_overwrite_rules)
{
	const struct card_caller who = { .uid = 0, .pid = 1 };
	struct ocxlfs_erase_status es;
	uint64_t events;

	open_card(0, 0);
	/* Ended by hand below: the second start must find it running on any machine. */
	sim_card_set_erase_ms(sim, 600000);
	ck_assert_int_eq(sim_card_fill_labels(sim), 0);
	ck_assert(!labels_zero());
	ck_assert_int_eq(card_overwrite_status(card, &es), 0);
	ck_assert_uint_eq(es.state, OCXLFS_ERASE_IDLE);

	sim_card_set_namespace_enabled(sim, true);
	ck_assert_int_eq(card_overwrite_start(card, &who), -EBUSY);
	ck_assert_int_eq(card_overwrite_status(card, &es), 0);
	ck_assert_uint_eq(es.state, OCXLFS_ERASE_IDLE);
	ck_assert(!labels_zero());
	sim_card_set_namespace_enabled(sim, false);

	ck_assert_int_eq(card_overwrite_start(card, &who), 0);
	ck_assert_int_eq(card_overwrite_start(card, &who), -EBUSY);
	ck_assert_int_eq(card_check_events(card, &events), 0);
	ck_assert(events & OCXLFS_EVENT_ERASE_BUSY);
	ck_assert_int_eq(card_get_state(card), CARD_BUSY);
	ck_assert_int_eq(card_overwrite_status(card, &es), 0);
	ck_assert_uint_eq(es.state, OCXLFS_ERASE_RUNNING);
	ck_assert_int_eq(sim_card_finish_erase(sim), 0);
	ck_assert_int_eq(card_overwrite_status(card, &es), 0);
	ck_assert_uint_eq(es.state, OCXLFS_ERASE_DONE);
	ck_assert_uint_eq(es.acc_ok, es.acc_tried);
	ck_assert_uint_gt(es.acc_tried, 0);
	ck_assert(labels_zero());
	ck_assert_int_eq(card_check_events(card, &events), 0);
	ck_assert_int_eq(card_get_state(card), CARD_READY);
}
END_TEST

struct notified {
	unsigned calls, card;
};

static void count_notify(void *arg, unsigned card_index)
{
	struct notified *n = arg;

	n->calls++;
	n->card = card_index;
}

START_TEST(test_events_posted_once)
{
	const struct card_caller who = { .uid = 0, .pid = 1 };
	struct notified n = { 0 };
	char *text = NULL;
	size_t len = 0;
	uint64_t seq, events;
	FILE *out;

	open_card(0, 0);
	card_set_event_notify(card, count_notify, &n);
	card_post_events(card);
	ck_assert_uint_eq(card_event_seq(card), 0); /* nothing happened */

	ck_assert_int_eq(sim_card_inject_errlog(sim, 3, OCXLFS_EL_GENERAL), 0);
	ck_assert_int_eq(card_drain_errlog(card), 3);
	ck_assert_int_eq(card_request_health(card, &who), 0);
	ck_assert_int_eq(card_drain_errlog(card), 1);
	card_post_events(card);
	ck_assert_uint_eq(card_event_seq(card), 1);
	ck_assert_uint_eq(n.calls, 1);
	card_post_events(card);
	ck_assert_uint_eq(card_event_seq(card), 1); /* posted once */

	ck_assert_int_eq(sim_card_set_fault(sim, SIM_FAULT_FATAL_HW, 0), 0);
	ck_assert_int_eq(card_check_events(card, &events), 0);
	card_post_events(card);
	ck_assert_uint_eq(n.calls, 2);

	out = open_memstream(&text, &len);
	ck_assert_int_eq(card_render_events(card, out, &seq), 0);
	fclose(out);
	ck_assert_uint_eq(seq, 2);
	ck_assert_ptr_nonnull(strstr(text, " error-log 4 new entries\n2 "));
	ck_assert_ptr_nonnull(strstr(text, " state fatal-hardware\n"));
	free(text);
}
END_TEST

static char *render_stream(struct card_stream *st, struct card *c, uint64_t *seq)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(card_stream_render(st, c, out, seq), 0);
	fclose(out);
	return text;
}

/* The stream gets each event once, numbered for the mount, kept across a reopen. */
START_TEST(test_stream_posts_and_survives)
{
	struct card_stream *st;
	struct notified n = { 0 };
	uint64_t seq, events;
	char *text;

	ck_assert_int_eq(card_stream_open(tmpdir, &st), 0);
	open_card(0, 0);
	card_set_stream(card, st);
	card_set_event_notify(card, count_notify, &n);
	ck_assert_int_eq(sim_card_inject_errlog(sim, 2, OCXLFS_EL_GENERAL), 0);
	ck_assert_int_eq(card_drain_errlog(card), 2);
	ck_assert_int_eq(sim_card_set_fault(sim, SIM_FAULT_FATAL_FW, 0), 0);
	ck_assert_int_eq(card_check_events(card, &events), 0);
	card_post_events(card);
	card_post_events(card); /* nothing new */
	card_post_verdict(card, "ok", "critical", "state fatal-firmware");
	ck_assert_uint_eq(card_stream_seq(st), 3);
	ck_assert_uint_eq(card_stream_card_seq(card), 3);
	ck_assert_uint_eq(card_overwrite_seq(card), 0);
	ck_assert_uint_ge(n.calls, 3);
	text = render_stream(st, card, &seq);
	ck_assert_uint_eq(seq, 3);
	ck_assert_ptr_nonnull(strstr(text, "\"seq\":\"1\""));
	ck_assert_ptr_nonnull(strstr(text, "\"type\":\"error-log\""));
	ck_assert_ptr_nonnull(strstr(text, "\"details\":{\"entries\":2}"));
	ck_assert_ptr_nonnull(strstr(text, "\"details\":{\"from\":\"ready\",\"to\":\"fatal-firmware\"}"));
	ck_assert_ptr_nonnull(strstr(text, "\"type\":\"verdict-change\""));
	ck_assert_ptr_nonnull(strstr(text, "\"reasons\":\"state fatal-firmware\""));
	free(text);
	close_card();
	card_stream_close(st);

	/* A new process: the same events, and the next one is 4. */
	ck_assert_int_eq(card_stream_open(tmpdir, &st), 0);
	open_card(0, 0);
	card_set_stream(card, st);
	ck_assert_uint_eq(card_stream_seq(st), 3);
	text = render_stream(st, NULL, &seq);
	ck_assert_uint_eq(seq, 3);
	ck_assert_ptr_nonnull(strstr(text, "\"seq\":\"3\""));
	free(text);
	card_mark_added(card);
	card_post_events(card);
	text = render_stream(st, card, &seq);
	ck_assert_ptr_nonnull(strstr(text, "\"seq\":\"4\",") );
	ck_assert_ptr_nonnull(strstr(text, "\"type\":\"card-added\""));
	free(text);
	close_card();
	card_stream_close(st);
}
END_TEST

START_TEST(test_events_ring_keeps_the_newest)
{
	struct card_events ev;
	char *text = NULL;
	size_t len = 0;
	uint64_t seq;
	unsigned lines = 0;
	FILE *out;

	card_events_init(&ev);
	for (unsigned i = 1; i <= CARD_EVENTS_KEPT + 10; i++)
		card_events_post(&ev, 0, "state ready %u", i);
	out = open_memstream(&text, &len);
	ck_assert_int_eq(card_events_render(&ev, out, &seq), 0);
	fclose(out);
	ck_assert_uint_eq(seq, CARD_EVENTS_KEPT + 10);
	for (char *p = text; (p = strchr(p, '\n')); p++)
		lines++;
	ck_assert_uint_eq(lines, CARD_EVENTS_KEPT);
	ck_assert_int_eq(strncmp(text, "11 ", 3), 0); /* oldest kept */
	ck_assert_ptr_nonnull(strstr(text, " state ready 74\n"));
	free(text);
	card_events_destroy(&ev);
}
END_TEST

/*
 * The card lock is fair (docs/tree.md section 5.1): a reader of health that
 * asks while a 4096-entry drain runs waits for the one command in flight.
 * The simulator's command hook records the order in which the card saw
 * the commands; at the 100th ERRLOG_NEXT it lets the reader go and holds
 * that command until the reader is queued for the card.
 */
#define ORDER_MAX 16384
static struct {
	pthread_mutex_t lock;
	pthread_cond_t go;
	bool started;
	unsigned order[ORDER_MAX];
	unsigned n, nexts, mark; /* mark: where the 100th ERRLOG_NEXT is */
} rec = { .lock = PTHREAD_MUTEX_INITIALIZER, .go = PTHREAD_COND_INITIALIZER };

static void record_command(void *arg, unsigned cmd)
{
	bool hold = false;

	pthread_mutex_lock(&rec.lock);
	if (rec.n < ORDER_MAX)
		rec.order[rec.n++] = cmd;
	if (cmd == OCXLFS_CMD_ERRLOG_NEXT && ++rec.nexts == 100) {
		rec.mark = rec.n - 1;
		rec.started = true;
		pthread_cond_broadcast(&rec.go);
		hold = true;
	}
	pthread_mutex_unlock(&rec.lock);
	/* The reader takes a ticket for the card while this command runs. */
	while (hold && card_lock_queued(card) == 0) {
		struct timespec ts = { 0, 1000000 };

		nanosleep(&ts, NULL);
	}
}

static void *health_reader(void *arg)
{
	struct ocxlfs_smart sm;

	pthread_mutex_lock(&rec.lock);
	while (!rec.started)
		pthread_cond_wait(&rec.go, &rec.lock);
	pthread_mutex_unlock(&rec.lock);
	*(int *)arg = card_smart(card, &sm);
	return NULL;
}

START_TEST(test_drain_lets_a_reader_in)
{
	pthread_t reader;
	unsigned smart_at = 0;
	int reader_rc = -1;

	open_card(4096, 0);
	sim_card_set_command_hook(sim, record_command, NULL);
	ck_assert_int_eq(pthread_create(&reader, NULL, health_reader, &reader_rc), 0);
	ck_assert_int_eq(card_drain_errlog(card), 4096);
	ck_assert_int_eq(pthread_join(reader, NULL), 0);
	sim_card_set_command_hook(sim, NULL, NULL);
	ck_assert_int_eq(reader_rc, 0);
	ck_assert_uint_eq(rec.n, 2 * 4096 + 1 + 1); /* NEXT and ACK each, the empty NEXT, SMART */
	for (unsigned i = 0; i < rec.n; i++)
		if (rec.order[i] == OCXLFS_CMD_SMART)
			smart_at = i;
	/* Right after the command it asked during, not after the drain. */
	ck_assert_uint_eq(smart_at, rec.mark + 1);
	ck_assert_uint_eq(journalled(), 4096);
}
END_TEST

/*
 * Readers get the card in the order they asked (a ticket lock, docs/tree.md
 * section 5.1).  A STATS command holds the card in the simulator's hook;
 * eight readers of SMART queue one after another, each only once the one
 * before it is waiting; then the hold ends.  The hook runs in the caller's
 * thread and records which reader each SMART came from.  With a lock that
 * wakes every waiter to race for it, eight arrive in order by chance once
 * in 40,320.
 */
#define FAIR_READERS 8
static struct {
	pthread_mutex_t lock;
	pthread_cond_t released;
	bool holding, release;
	unsigned order[FAIR_READERS], n;
} fair = { .lock = PTHREAD_MUTEX_INITIALIZER, .released = PTHREAD_COND_INITIALIZER };
static __thread unsigned reader_no; /* 1.. in the readers, 0 elsewhere */

static void hold_stats(void *arg, unsigned cmd)
{
	pthread_mutex_lock(&fair.lock);
	if (cmd == OCXLFS_CMD_STATS) {
		fair.holding = true;
		pthread_cond_broadcast(&fair.released);
		while (!fair.release)
			pthread_cond_wait(&fair.released, &fair.lock);
	} else if (cmd == OCXLFS_CMD_SMART && reader_no && fair.n < FAIR_READERS) {
		fair.order[fair.n++] = reader_no;
	}
	pthread_mutex_unlock(&fair.lock);
}

static void *stats_holder(void *arg)
{
	struct ocxlfs_stats st;

	*(int *)arg = card_stats(card, &st);
	return NULL;
}

static void *smart_reader(void *arg)
{
	struct ocxlfs_smart sm;

	reader_no = (unsigned)(uintptr_t)arg;
	return (void *)(intptr_t)card_smart(card, &sm);
}

START_TEST(test_card_taken_in_order_asked)
{
	pthread_t holder, readers[FAIR_READERS];
	int holder_rc = -1;

	open_card(0, 0);
	sim_card_set_command_hook(sim, hold_stats, NULL);
	ck_assert_int_eq(pthread_create(&holder, NULL, stats_holder, &holder_rc), 0);
	pthread_mutex_lock(&fair.lock);
	while (!fair.holding)
		pthread_cond_wait(&fair.released, &fair.lock);
	pthread_mutex_unlock(&fair.lock);
	for (unsigned i = 0; i < FAIR_READERS; i++) {
		struct timespec ms = { 0, 1000000 };

		ck_assert_int_eq(pthread_create(&readers[i], NULL, smart_reader,
						(void *)(uintptr_t)(i + 1)),
				 0);
		while (card_lock_queued(card) < i + 1)
			nanosleep(&ms, NULL);
	}
	pthread_mutex_lock(&fair.lock);
	fair.release = true;
	pthread_cond_broadcast(&fair.released);
	pthread_mutex_unlock(&fair.lock);
	ck_assert_int_eq(pthread_join(holder, NULL), 0);
	ck_assert_int_eq(holder_rc, 0);
	for (unsigned i = 0; i < FAIR_READERS; i++) {
		void *rc;

		ck_assert_int_eq(pthread_join(readers[i], &rc), 0);
		ck_assert_int_eq((int)(intptr_t)rc, 0);
	}
	sim_card_set_command_hook(sim, NULL, NULL);
	ck_assert_uint_eq(fair.n, FAIR_READERS);
	for (unsigned i = 0; i < FAIR_READERS; i++)
		ck_assert_uint_eq(fair.order[i], i + 1);
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
	tcase_add_test(tc, test_drain_stops_on_a_kept_entry);
	tcase_add_test(tc, test_collect_dump);
	tcase_add_test(tc, test_stats_and_smart);
	tcase_add_test(tc, test_heartbeat_records_outcome);
	tcase_add_test(tc, test_overwrite_rules);
	tcase_add_test(tc, test_overwrite_host_namespace_check);
	tcase_add_test(tc, test_events_posted_once);
	tcase_add_test(tc, test_events_ring_keeps_the_newest);
	tcase_add_test(tc, test_drain_lets_a_reader_in);
	tcase_add_test(tc, test_card_taken_in_order_asked);
	tcase_add_test(tc, test_stream_posts_and_survives);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
