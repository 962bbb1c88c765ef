// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What each per-card file shows: a render hook per file that asks the card
 * for data and hands it to the pure renderers.
 */
#include <errno.h>
#include <stdlib.h>

#include <string.h>

#include "card/card.h"
#include "card/monitor.h"
#include "proto/render.h"
#include "proto/render_json.h"
#include "proto/render_labels.h"
#include "proto/render_prom.h"
#include "sim/sim_control.h"
#include "tree/tree.h"
#include "util/log.h"

static int render_serial(struct card *c, FILE *out)
{
	return ocxlfs_render_serial(out, &c->id);
}

static int render_fw_version(struct card *c, FILE *out)
{
	return ocxlfs_render_fw_version(out, &c->id);
}

static void info_extra(const struct card *c, struct ocxlfs_info_extra *extra)
{
	*extra = (struct ocxlfs_info_extra){
		.label_size = c->label_size,
		.label_max_xfer = c->label_max_xfer,
		.transport = c->transport->kind,
		.device = c->transport->device,
	};
}

static int render_info(struct card *c, FILE *out)
{
	struct ocxlfs_info_extra extra;

	info_extra(c, &extra);
	return ocxlfs_render_info(out, &c->id, &extra);
}

static int render_info_json(struct card *c, FILE *out)
{
	struct ocxlfs_info_extra extra;

	info_extra(c, &extra);
	return ocxlfs_render_info_json(out, &c->id, &extra);
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
	int rc = card_render_errlog(c, out);

	/* Entries it drained are news for N/events: the monitor posts them. */
	card_monitor_kick(c);
	return rc;
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

static int errlog_json_one(void *arg, uint32_t log_id, const uint8_t *raw, size_t len)
{
	struct ocxlfs_errlog_json *j = arg;
	struct ocxlfs_errlog el;
	int rc = ocxlfs_errlog_decode(raw, len, &el);

	/* The journal's CRC held, so this is what the card sent: say so. */
	return rc ? ocxlfs_errlog_json_undecodable(j, log_id, rc) : ocxlfs_errlog_json_entry(j, &el);
}

static int render_error_log_json(struct card *c, FILE *out)
{
	struct ocxlfs_errlog_json j;
	int rc = ocxlfs_errlog_json_begin(&j, out);

	if (!rc)
		rc = card_walk_errlog(c, errlog_json_one, &j);
	card_monitor_kick(c);
	if (rc)
		return rc;
	return ocxlfs_errlog_json_end(&j);
}

/*
 * labels.json: the index blocks, then each slot in use, read a window of
 * slots at a time so that a 16 MiB area is never held whole.
 */
#define LABEL_WINDOW_SLOTS 64u
static int render_labels_json(struct card *c, FILE *out)
{
	size_t span = ocxlfs_labels_index_span(c->label_size);
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
		rc = ocxlfs_labels_decode_index(index, span, c->label_size, &area);
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
			.index = cards[i]->index,
			.id = &cards[i]->id,
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

static int render_heartbeat(struct card *c, FILE *out)
{
	struct card_heartbeat hb;

	card_last_heartbeat(c, &hb);
	return ocxlfs_render_heartbeat(out, hb.done, hb.rc, hb.latency_us, &hb.when);
}

static int store_heartbeat(struct card *c, const char *line, const struct card_caller *who)
{
	(void)who;
	if (strcmp(line, "1"))
		return -EINVAL;
	return card_heartbeat(c);
}

static int render_overwrite(struct card *c, FILE *out)
{
	struct ocxlfs_erase_status es;
	int rc = card_overwrite_status(c, &es);

	return rc ? rc : ocxlfs_render_erase_status(out, &es);
}

/* The serial, typed out, is the confirmation: nothing else starts an erase. */
static int store_overwrite(struct card *c, const char *line, const struct card_caller *who)
{
	if (strcmp(line, c->serial)) {
		log_warn("card %u (serial %s): overwrite by uid %u pid %d refused: "
			 "the value written is not the card's serial",
			 c->index, c->serial, (unsigned)who->uid, (int)who->pid);
		return -EINVAL;
	}
	return card_overwrite_start(c, who);
}

static int store_request(struct card *c, const char *line, const struct card_caller *who)
{
	int rc;

	if (!strcmp(line, "dump"))
		rc = card_request_dump(c, who);
	else if (!strcmp(line, "health"))
		rc = card_request_health(c, who);
	else
		return -EINVAL;
	/* Collect what the card posts now rather than at the next interval. */
	if (!rc)
		card_monitor_kick(c);
	return rc;
}

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
	{ .name = "labels.json", .mode = 0444, .kind = TREE_FILE_SNAPSHOT, .render = render_labels_json },
};
const size_t tree_card_nfiles = sizeof(tree_card_files) / sizeof(tree_card_files[0]);

static int store_sim_inject(struct card *c, const char *line, const struct card_caller *who)
{
	int rc = sim_control_inject(c->sim, line);

	(void)who;
	/* The card posted something: let the monitor see it now. */
	if (!rc)
		card_monitor_kick(c);
	return rc;
}

static int render_sim_fault(struct card *c, FILE *out)
{
	return sim_control_render_fault(c->sim, out);
}

static int store_sim_fault(struct card *c, const char *line, const struct card_caller *who)
{
	int rc = sim_control_fault(c->sim, line);

	(void)who;
	/* A fatal or vanished card changes state: let the monitor see it now. */
	if (!rc)
		card_monitor_kick(c);
	return rc;
}

static int render_sim_namespace(struct card *c, FILE *out)
{
	return sim_control_render_namespace(c->sim, out);
}

static int store_sim_namespace(struct card *c, const char *line, const struct card_caller *who)
{
	(void)who;
	return sim_control_namespace(c->sim, line);
}

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
