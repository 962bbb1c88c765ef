// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the tree holds and what each file shows: the tables of table.h,
 * in listing order, and a render or store hook per file that asks the card
 * and hands the answer to the pure renderers of src/proto.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "card/card.h"
#include "proto/render.h"
#include "proto/render_errlog.h"
#include "proto/render_json.h"
#include "proto/render_prom.h"
#include "tree/tree.h"
#include "util/log.h"

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

	/* A failed check already moved the state (gone, unresponsive): show it. */
	card_check_events(c, &events);
	fprintf(out, "%s\n", card_state_name(card_get_state(c)));
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

static int with_smart(struct card *c, FILE *out,
		      int (*fn)(FILE *out, const struct ocxlfs_smart *sm))
{
	struct ocxlfs_smart sm;
	int rc = card_smart(c, &sm);

	return rc ? rc : fn(out, &sm);
}

static int render_statistics(struct card *c, FILE *out)
{
	return with_stats(c, out, ocxlfs_render_stats);
}

static int render_health(struct card *c, FILE *out)
{
	return with_smart(c, out, ocxlfs_render_smart);
}

static int render_statistics_json(struct card *c, FILE *out)
{
	return with_stats(c, out, ocxlfs_render_stats_json);
}

static int render_health_json(struct card *c, FILE *out)
{
	return with_smart(c, out, ocxlfs_render_smart_json);
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
 * metrics.prom: every card that is shown, in one exposition.  A card that
 * does not answer is still listed (info, state, up 0), so a scrape of 256
 * cards never fails because of one.
 */
static int render_metrics(struct card **cards, unsigned n, FILE *out)
{
	struct ocxlfs_prom_card *pc = calloc(n ? n : 1, sizeof(*pc));
	struct ocxlfs_stats *st = calloc(n ? n : 1, sizeof(*st));
	struct ocxlfs_smart *sm = calloc(n ? n : 1, sizeof(*sm));
	unsigned k = 0;
	int rc = -ENOMEM;

	if (!pc || !st || !sm)
		goto out;
	for (unsigned i = 0; i < n; i++) {
		enum card_state state = card_get_state(cards[i]);

		if (state == CARD_GONE)
			continue;
		pc[k] = (struct ocxlfs_prom_card){
			.index = card_index(cards[i]),
			.id = card_identity(cards[i]),
			.state = card_state_name(state),
			.stats = card_stats(cards[i], &st[k]) ? NULL : &st[k],
			.smart = card_smart(cards[i], &sm[k]) ? NULL : &sm[k],
		};
		k++;
	}
	rc = ocxlfs_render_prom(out, pc, k);
out:
	free(pc);
	free(st);
	free(sm);
	return rc;
}

const struct tree_file tree_metrics_file = {
	.name = "metrics.prom",
	.mode = 0444,
	.kind = TREE_FILE_METRICS,
	.render_all = render_metrics,
};

const struct tree_file tree_card_files[] = {
	{ .name = "serial", .mode = 0444, .kind = TREE_FILE_STATIC, .render = render_serial },
	{ .name = "firmware_version", .mode = 0444, .kind = TREE_FILE_STATIC, .render = render_fw_version },
	{ .name = "info", .mode = 0444, .kind = TREE_FILE_STATIC, .render = render_info },
	{ .name = "state", .mode = 0444, .kind = TREE_FILE_SNAPSHOT, .render = render_state },
	{ .name = "labels", .mode = 0400, .kind = TREE_FILE_LABELS, },
	{ .name = "error_log", .mode = 0444, .kind = TREE_FILE_SNAPSHOT, .render = render_error_log },
	{ .name = "statistics", .mode = 0444, .kind = TREE_FILE_SNAPSHOT, .render = render_statistics },
	{ .name = "health", .mode = 0444, .kind = TREE_FILE_SNAPSHOT, .render = render_health },
	{ .name = "controller_dump", .mode = 0400, .kind = TREE_FILE_DUMP, },
	{ .name = "events", .mode = 0444, .kind = TREE_FILE_EVENTS, },
	{ .name = "heartbeat",
	  .mode = 0600,
	  .kind = TREE_FILE_SNAPSHOT,
	  .render = render_heartbeat,
	  .store = store_heartbeat },
	{ .name = "overwrite",
	  .mode = 0600,
	  .kind = TREE_FILE_SNAPSHOT,
	  .render = render_overwrite,
	  .store = store_overwrite },
	{ .name = "request", .mode = 0200, .kind = TREE_FILE_CONTROL, .store = store_request },
	/* Machine-readable siblings (docs/json.md), after the text files they mirror. */
	{ .name = "error_log.json",
	  .mode = 0444,
	  .kind = TREE_FILE_SNAPSHOT,
	  .render = render_error_log_json },
	{ .name = "health.json", .mode = 0444, .kind = TREE_FILE_SNAPSHOT, .render = render_health_json },
	{ .name = "info.json", .mode = 0444, .kind = TREE_FILE_STATIC, .render = render_info_json },
	{ .name = "statistics.json",
	  .mode = 0444,
	  .kind = TREE_FILE_SNAPSHOT,
	  .render = render_statistics_json },
};
const size_t tree_card_nfiles = sizeof(tree_card_files) / sizeof(tree_card_files[0]);

const struct tree_file tree_sim_files[] = {
	{ .name = "inject", .mode = 0200, .kind = TREE_FILE_CONTROL, .store = store_sim_inject,
	  .outlives_card = true },
	{ .name = "fault",
	  .mode = 0600,
	  .kind = TREE_FILE_SNAPSHOT,
	  .render = render_sim_fault,
	  .store = store_sim_fault,
	  .outlives_card = true },
	{ .name = "namespace",
	  .mode = 0600,
	  .kind = TREE_FILE_SNAPSHOT,
	  .render = render_sim_namespace,
	  .store = store_sim_namespace,
	  .outlives_card = true },
};
const size_t tree_sim_nfiles = sizeof(tree_sim_files) / sizeof(tree_sim_files[0]);
