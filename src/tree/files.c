// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the tree holds and what each file shows: the tables of table.h,
 * in listing order, and a render or store hook per file that asks the card
 * and hands the answer to the pure renderers of src/proto.
 */
#include <errno.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "card/card.h"
#include "proto/render.h"
#include "proto/render_errlog.h"
#include "proto/render_json.h"
#include "proto/render_labels.h"
#include "proto/render_prom.h"
#include "proto/verdict.h"
#include "tree/table.h"
#include "tree/tree.h"
#include "util/log.h"

#define NENTRIES(a) (sizeof(a) / sizeof((a)[0]))

/* ---- renderers of a card's files ---- */

static int render_serial(struct card *c, FILE *out)
{
	return ocxlfs_render_serial(out, card_identity(c));
}

static int render_fw_version(struct card *c, FILE *out)
{
	return ocxlfs_render_fw_version(out, card_identity(c));
}

static int render_info(struct card *c, FILE *out)
{
	struct ocxlfs_info_extra extra;

	card_info_extra(c, &extra);
	return ocxlfs_render_info(out, card_identity(c), &extra);
}

static int render_info_json(struct card *c, FILE *out)
{
	struct ocxlfs_info_extra extra;

	card_info_extra(c, &extra);
	return ocxlfs_render_info_json(out, card_identity(c), &extra);
}

static int render_state(struct card *c, FILE *out)
{
	uint64_t events;
	int journal, dumps;

	/* A failed check already moved the state (gone, unresponsive): show it. */
	card_check_events(c, &events);
	fprintf(out, "%s\n", card_state_name(card_get_state(c)));
	/* Lines after the word only while the state directory fails (docs/tree.md 2.4). */
	card_store_errors(c, &journal, &dumps);
	if (journal)
		fprintf(out, "journal: %s\n", strerror(-journal));
	if (dumps)
		fprintf(out, "dumps: %s\n", strerror(-dumps));
	return ferror(out) ? -EIO : 0;
}

static int render_error_log(struct card *c, FILE *out)
{
	return card_walk_errlog(c, ocxlfs_errlog_text_record, out);
}

static int render_error_log_json(struct card *c, FILE *out)
{
	struct ocxlfs_errlog_json j;
	int rc = ocxlfs_errlog_json_begin(&j, out);

	if (rc)
		return rc;
	rc = card_walk_errlog(c, ocxlfs_errlog_json_record, &j);
	return rc ? rc : ocxlfs_errlog_json_end(&j);
}

/* One STATS command, rendered by FN: the text and the JSON file share it. */
static int with_stats(struct card *c, FILE *out,
		      int (*fn)(FILE *out, const struct ocxlfs_stats *st))
{
	struct ocxlfs_stats st;
	int rc = card_stats(c, &st);

	return rc ? rc : fn(out, &st);
}

static int render_statistics(struct card *c, FILE *out)
{
	return with_stats(c, out, ocxlfs_render_stats);
}

/*
 * health: the verdict, then the SMART lines.  A card that does not answer
 * SMART fails the read as before (section 2.15); the root health file
 * still gives its verdict.
 */
static int render_health(struct card *c, FILE *out)
{
	struct card_health *h = malloc(sizeof(*h));
	int rc = -ENOMEM;

	if (!h)
		return rc;
	card_health(c, h);
	rc = h->smart_rc;
	if (!rc)
		rc = ocxlfs_render_verdict(out, &h->verdict);
	if (!rc)
		rc = ocxlfs_render_smart(out, &h->smart);
	free(h);
	return rc;
}

static int render_statistics_json(struct card *c, FILE *out)
{
	return with_stats(c, out, ocxlfs_render_stats_json);
}

static int render_health_json(struct card *c, FILE *out)
{
	struct card_health *h = malloc(sizeof(*h));
	int rc = -ENOMEM;

	if (!h)
		return rc;
	card_health(c, h);
	rc = h->smart_rc;
	if (!rc)
		rc = ocxlfs_render_health_json(out, &h->smart, &h->verdict);
	free(h);
	return rc;
}

static int render_heartbeat(struct card *c, FILE *out)
{
	struct card_heartbeat hb;

	card_last_heartbeat(c, &hb);
	return ocxlfs_render_heartbeat(out, hb.done, hb.rc, hb.latency_us, &hb.when);
}

static int render_overwrite(struct card *c, FILE *out)
{
	struct ocxlfs_erase_status es;
	int rc = card_overwrite_status(c, &es);

	return rc ? rc : ocxlfs_render_erase_status(out, &es);
}

/* ---- what a write to a card's control file does ---- */

static int store_heartbeat(struct card *c, const char *line, const struct card_caller *who)
{
	if (strcmp(line, "1"))
		return -EINVAL;
	return card_heartbeat(c);
}

/* The serial, typed out, is the confirmation: nothing else starts an erase. */
static int store_overwrite(struct card *c, const char *line, const struct card_caller *who)
{
	if (strcmp(line, card_serial(c))) {
		log_warn("card %u (serial %s): overwrite by uid %u pid %d refused: "
			 "the value written is not the card's serial",
			 card_index(c), card_serial(c), (unsigned)who->uid, (int)who->pid);
		return -EINVAL;
	}
	return card_overwrite_start(c, who);
}

static int store_request(struct card *c, const char *line, const struct card_caller *who)
{
	if (!strcmp(line, "dump"))
		return card_request_dump(c, who);
	if (!strcmp(line, "health"))
		return card_request_health(c, who);
	return -EINVAL;
}

/* ---- N/sim/: the simulator's side door (card.h) ---- */

static int store_sim_inject(struct card *c, const char *line, const struct card_caller *who)
{
	return card_sim_write(c, CARD_SIM_INJECT, line);
}

static int render_sim_fault(struct card *c, FILE *out)
{
	return card_sim_render(c, CARD_SIM_FAULT, out);
}

static int store_sim_fault(struct card *c, const char *line, const struct card_caller *who)
{
	return card_sim_write(c, CARD_SIM_FAULT, line);
}

static int render_sim_namespace(struct card *c, FILE *out)
{
	return card_sim_render(c, CARD_SIM_NAMESPACE, out);
}

static int store_sim_namespace(struct card *c, const char *line, const struct card_caller *who)
{
	return card_sim_write(c, CARD_SIM_NAMESPACE, line);
}

/*
 * labels.json: the index blocks, then each slot in use, read a window of
 * slots at a time so that a 16 MiB area is never held whole.
 */
#define LABEL_WINDOW_SLOTS 64u
static int render_labels_json(struct card *c, FILE *out)
{
	size_t span = ocxlfs_labels_index_span(card_label_size(c));
	uint8_t *index = malloc(span ? span : 1);
	uint8_t *window = malloc(LABEL_WINDOW_SLOTS * OCXLFS_NSLABEL_SIZE_V1_2);
	struct ocxlfs_label_area area;
	struct ocxlfs_labels_json j;
	uint32_t first = 0, n = 0;
	int rc = -ENOMEM;

	if (!index || !window)
		goto out;
	rc = card_label_read(c, index, 0, (uint32_t)span);
	if (!rc)
		rc = ocxlfs_labels_decode_index(index, span, card_label_size(c), &area);
	if (!rc)
		rc = ocxlfs_labels_json_begin(&j, out, &area);
	if (rc)
		goto out;
	for (uint32_t slot = 0; slot < area.nslot && !rc; slot++) {
		struct ocxlfs_nslabel l;

		if (!ocxlfs_labels_slot_in_use(&area, slot))
			continue;
		if (slot >= first + n) {
			first = slot;
			n = area.nslot - slot < LABEL_WINDOW_SLOTS ? area.nslot - slot
								     : LABEL_WINDOW_SLOTS;
			rc = card_label_read(c, window, ocxlfs_labels_slot_offset(&area, slot),
					     n * area.label_size);
		}
		if (!rc)
			rc = ocxlfs_label_decode(window + (slot - first) * area.label_size,
						 area.label_size, &area, slot, &l);
		if (!rc)
			ocxlfs_labels_json_label(&j, &l);
	}
	if (!rc)
		rc = ocxlfs_labels_json_end(&j);
out:
	free(index);
	free(window);
	return rc;
}

/* Every state a card can be in: metrics.prom has one series for each. */
static const enum card_state all_states[] = { CARD_READY,    CARD_BUSY,		CARD_FATAL_FW,
					      CARD_FATAL_HW, CARD_UNRESPONSIVE, CARD_GONE };

/*
 * metrics.prom: every card that is shown, in one exposition.  A card that
 * does not answer is still listed (info, state, up 0, verdict), so a
 * scrape of 256 cards never fails because of one.  CARDS may hold NULL: an
 * index whose card is not there now.
 */
static int render_metrics(struct card *const *cards, unsigned n, FILE *out)
{
	struct ocxlfs_prom_card *pc = calloc(n ? n : 1, sizeof(*pc));
	struct card_health *h = calloc(n ? n : 1, sizeof(*h));
	double *age = calloc(n ? n : 1, sizeof(*age));
	const char *states[NENTRIES(all_states)];
	unsigned k = 0;
	int rc = -ENOMEM;

	if (!pc || !h || !age)
		goto out;
	for (unsigned s = 0; s < NENTRIES(all_states); s++)
		states[s] = card_state_name(all_states[s]);
	for (unsigned i = 0; i < n; i++) {
		enum card_state state;
		int journal, dumps;

		if (!cards[i])
			continue;
		state = card_get_state(cards[i]);
		if (state == CARD_GONE)
			continue;
		/* What the card last answered: a scrape never waits for a card. */
		card_health_cached(cards[i], &h[k], &age[k]);
		card_store_errors(cards[i], &journal, &dumps);
		pc[k] = (struct ocxlfs_prom_card){
			.index = card_index(cards[i]),
			.serial = card_serial(cards[i]),
			.id = card_identity(cards[i]),
			.state = card_state_name(state),
			.states = states,
			.nstates = NENTRIES(all_states),
			.stats = h[k].stats_rc ? NULL : &h[k].stats,
			.smart = h[k].smart_rc ? NULL : &h[k].smart,
			.data_age_s = &age[k],
			.journal_errno = -journal,
			.dumps_errno = -dumps,
			.verdict = &h[k].verdict,
			.errlog = &h[k].errlog,
			.store_writable = h[k].store_writable,
		};
		/* When those answers were taken: now, less their age. */
		clock_gettime(CLOCK_REALTIME, &pc[k].collected);
		pc[k].collected.tv_sec -= (time_t)age[k];
		k++;
	}
	rc = ocxlfs_render_prom(out, pc, k);
out:
	free(pc);
	free(h);
	free(age);
	return rc;
}

/* The root health file: one line per card, worst verdict first, then by index. */
static int render_root_health(struct card *const *cards, unsigned n, FILE *out)
{
	struct card_health *h = calloc(n ? n : 1, sizeof(*h));
	int rc = 0;

	if (!h)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++)
		if (cards[i])
			card_health_cached(cards[i], &h[i], NULL);
	for (int v = OCXLFS_VERDICT_NR - 1; v >= 0 && !rc; v--)
		for (unsigned i = 0; i < n && !rc; i++)
			if (cards[i] && h[i].verdict.verdict == (enum ocxlfs_verdict)v)
				rc = ocxlfs_render_verdict_line(out, card_index(cards[i]),
								card_serial(cards[i]),
								&h[i].verdict);
	free(h);
	return rc;
}

/* ---- MOUNTPOINT/sim/: plugging simulated cards in and out ---- */

/* A simulated card's number: decimal, below TREE_MAX_CARDS, nothing else. */
static int sim_number(const char *line, unsigned *n)
{
	char *end;
	unsigned long v;

	if (line[0] < '0' || line[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(line, &end, 10);
	if (errno || *end || v >= TREE_MAX_CARDS)
		return -EINVAL;
	*n = (unsigned)v;
	return 0;
}

static int store_sim_plug(struct tree *t, const char *line, const struct card_caller *who)
{
	unsigned n;
	int rc = sim_number(line, &n);

	return rc ? rc : tree_sim_plug(t, n, true);
}

static int store_sim_unplug(struct tree *t, const char *line, const struct card_caller *who)
{
	unsigned n;
	int rc = sim_number(line, &n);

	return rc ? rc : tree_sim_plug(t, n, false);
}

/* ---- the tables ---- */

#define FILE_ROW(name_, mode_, kind_, ...)                                                  \
	{ .name = (name_), .mode = S_IFREG | (mode_), .kind = &tree_kind_##kind_, __VA_ARGS__ }

static const struct tree_entry sim_files[] = {
	FILE_ROW("inject", 0200, write_only, .store = store_sim_inject, .outlives_card = true),
	FILE_ROW("fault", 0600, snapshot, .render = render_sim_fault, .store = store_sim_fault,
		 .outlives_card = true),
	FILE_ROW("namespace", 0600, snapshot, .render = render_sim_namespace,
		 .store = store_sim_namespace, .outlives_card = true),
};

static const struct tree_dir sim_dir = { .entries = sim_files, .nentries = NENTRIES(sim_files) };

/* A card's directory, in the order of docs/tree.md section 2. */
static const struct tree_entry card_files[] = {
	FILE_ROW("serial", 0444, static, .render = render_serial),
	FILE_ROW("firmware_version", 0444, static, .render = render_fw_version),
	FILE_ROW("info", 0444, static, .render = render_info),
	FILE_ROW("state", 0444, snapshot, .render = render_state),
	FILE_ROW("labels", 0400, labels),
	FILE_ROW("error_log", 0444, snapshot, .render = render_error_log),
	FILE_ROW("statistics", 0444, snapshot, .render = render_statistics),
	FILE_ROW("health", 0444, snapshot, .render = render_health),
	FILE_ROW("controller_dump", 0400, dump),
	FILE_ROW("events", 0444, events),
	FILE_ROW("heartbeat", 0600, snapshot, .render = render_heartbeat,
		 .store = store_heartbeat),
	FILE_ROW("overwrite", 0600, overwrite, .render = render_overwrite,
		 .store = store_overwrite),
	FILE_ROW("request", 0200, write_only, .store = store_request),
	/* Machine-readable siblings (docs/json.md), after the text files they mirror. */
	FILE_ROW("error_log.json", 0444, snapshot, .render = render_error_log_json),
	FILE_ROW("health.json", 0444, snapshot, .render = render_health_json),
	FILE_ROW("info.json", 0444, static, .render = render_info_json),
	FILE_ROW("statistics.json", 0444, snapshot, .render = render_statistics_json),
	FILE_ROW("labels.json", 0444, snapshot, .render = render_labels_json),
	FILE_ROW("events.json", 0444, stream),
	{ .name = "sim", .mode = S_IFDIR | 0555, .dir = &sim_dir, .present = card_is_simulated },
};

static const struct tree_dir card_dir = { .entries = card_files,
					  .nentries = NENTRIES(card_files) };

static const struct tree_entry card_dir_entry = { .mode = S_IFDIR | 0555, .dir = &card_dir };
static const struct tree_entry card_link_entry = { .mode = S_IFLNK | 0777,
						   .target = tree_card_link_target };

static const struct tree_dir by_serial_dir = {
	.per_card = &(const struct tree_per_card){ &card_link_entry, tree_card_link_name },
};

static const struct tree_entry root_sim_files[] = {
	FILE_ROW("plug", 0200, write_only, .store_mount = store_sim_plug),
	FILE_ROW("unplug", 0200, write_only, .store_mount = store_sim_unplug),
};

static const struct tree_dir root_sim_dir = { .entries = root_sim_files,
					      .nentries = NENTRIES(root_sim_files) };

static const struct tree_entry root_entries[] = {
	{ .name = "by-serial", .mode = S_IFDIR | 0555, .dir = &by_serial_dir },
	FILE_ROW("metrics.prom", 0444, snapshot, .render_mount = render_metrics),
	FILE_ROW("events.json", 0444, stream),
	FILE_ROW("health", 0444, snapshot, .render_mount = render_root_health),
	{ .name = "sim", .mode = S_IFDIR | 0555, .dir = &root_sim_dir,
	  .present_mount = tree_mount_simulated },
};

static const struct tree_dir root_dir = {
	.per_card = &(const struct tree_per_card){ &card_dir_entry, tree_card_dir_name },
	.entries = root_entries,
	.nentries = NENTRIES(root_entries),
};

const struct tree_entry tree_root = { .name = "", .mode = S_IFDIR | 0555, .dir = &root_dir };
