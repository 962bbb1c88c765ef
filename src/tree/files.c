// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What each per-card file shows: a render hook per file that asks the card
 * for data and hands it to the pure renderers.
 */
#include <errno.h>

#include "card/card.h"
#include "proto/render.h"
#include "sim/sim_control.h"
#include "tree/tree.h"

static int render_serial(struct card *c, FILE *out)
{
	return ocxl_render_serial(out, &c->id);
}

static int render_fw_version(struct card *c, FILE *out)
{
	return ocxl_render_fw_version(out, &c->id);
}

static int render_info(struct card *c, FILE *out)
{
	const struct ocxl_info_extra extra = {
		.label_size = c->label_size,
		.label_max_xfer = c->label_max_xfer,
		.transport = c->transport->kind,
		.device = c->transport->device,
	};

	return ocxl_render_info(out, &c->id, &extra);
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
	return card_render_errlog(c, out);
}

static int render_statistics(struct card *c, FILE *out)
{
	struct ocxl_stats st;
	int rc = card_stats(c, &st);

	return rc ? rc : ocxl_render_stats(out, &st);
}

static int render_health(struct card *c, FILE *out)
{
	struct ocxl_smart sm;
	int rc = card_smart(c, &sm);

	return rc ? rc : ocxl_render_smart(out, &sm);
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
};
const size_t tree_card_nfiles = sizeof(tree_card_files) / sizeof(tree_card_files[0]);

static int store_sim_inject(struct card *c, const char *line)
{
	return sim_control_inject(c->sim, line);
}

static int render_sim_fault(struct card *c, FILE *out)
{
	return sim_control_render_fault(c->sim, out);
}

static int store_sim_fault(struct card *c, const char *line)
{
	return sim_control_fault(c->sim, line);
}

const struct tree_file tree_sim_files[] = {
	{ .name = "inject", .mode = 0200, .kind = TREE_FILE_CONTROL, .store = store_sim_inject },
	{ .name = "fault",
	  .mode = 0600,
	  .kind = TREE_FILE_SNAPSHOT,
	  .render = render_sim_fault,
	  .store = store_sim_fault },
};
const size_t tree_sim_nfiles = sizeof(tree_sim_files) / sizeof(tree_sim_files[0]);
