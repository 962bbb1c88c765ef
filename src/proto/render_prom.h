/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Pure Prometheus renderer: every card's identity, statistics and SMART
 * attributes in the text exposition format (version 0.0.4), for the
 * top-level metrics.prom and node_exporter's textfile collector.  Metric
 * names, labels and units are ABI: docs/json.md section 6.
 */
#ifndef OCXLFS_PROTO_RENDER_PROM_H
#define OCXLFS_PROTO_RENDER_PROM_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "codec/codec.h"
#include "proto/verdict.h"

/* What one card contributes; NULL members leave their samples out. */
struct ocxlfs_prom_card {
	unsigned index;			/* the card label: the card's directory name */
	const char *serial;		/* the serial label of every per-card series */
	const struct ocxlfs_identity *id; /* ocxl_card_info{serial,firmware} */
	const char *state;		/* the state file's word, or NULL */
	const char *const *states;	/* every word state can show: one series each */
	unsigned nstates;
	const struct ocxlfs_stats *stats; /* NULL: the card did not answer STATS */
	const struct ocxlfs_smart *smart; /* NULL: the card did not answer SMART */
	const double *data_age_s;	/* ocxl_card_data_age_seconds, or NULL */
	int journal_errno, dumps_errno; /* ocxl_state_directory_errno: 0 while fine */
	const struct ocxlfs_verdict_result *verdict; /* NULL: no verdict series */
	const struct ocxlfs_verdict_errlog *errlog;  /* recent failure entries, or NULL */
	bool store_writable;		/* the state directory took the last writes */
	struct timespec collected;	/* CLOCK_REALTIME the values were taken */
};

/*
 * Writes one HELP/TYPE block per metric family, then that family's samples
 * for every card in array order.  A family without any sample is left out.
 * Returns 0 or -EIO if the stream failed.
 */
int ocxlfs_render_prom(FILE *out, const struct ocxlfs_prom_card *cards, unsigned n);

#endif /* OCXLFS_PROTO_RENDER_PROM_H */
