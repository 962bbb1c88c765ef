// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What each per-card file shows: a render hook per file that asks the card
 * for data and hands it to the pure renderers.
 */
#include <errno.h>

#include "card/card.h"
#include "proto/render.h"
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
	{ "serial", 0444, TREE_FILE_STATIC, render_serial },
	{ "firmware_version", 0444, TREE_FILE_STATIC, render_fw_version },
	{ "info", 0444, TREE_FILE_STATIC, render_info },
	{ "state", 0444, TREE_FILE_SNAPSHOT, render_state },
	{ "labels", 0400, TREE_FILE_LABELS, NULL },
	{ "error_log", 0444, TREE_FILE_SNAPSHOT, render_error_log },
	{ "statistics", 0444, TREE_FILE_SNAPSHOT, render_statistics },
	{ "health", 0444, TREE_FILE_SNAPSHOT, render_health },
	{ "controller_dump", 0400, TREE_FILE_DUMP, NULL },
};
const size_t tree_card_nfiles = sizeof(tree_card_files) / sizeof(tree_card_files[0]);
