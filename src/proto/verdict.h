/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The health verdict of one card: a pure function from what the card and
 * its state directory say to ok, warning, critical or fatal, with one
 * reason per rule that fired.  The rules and their thresholds are ABI:
 * docs/tree.md section 2.8.1.
 */
#ifndef OCXLFS_PROTO_VERDICT_H
#define OCXLFS_PROTO_VERDICT_H

#include <stdbool.h>
#include <stdio.h>

#include "codec/codec.h"

/* Ordered: a worse verdict is a larger value. */
enum ocxlfs_verdict {
	OCXLFS_VERDICT_OK,
	OCXLFS_VERDICT_WARNING,
	OCXLFS_VERDICT_CRITICAL,
	OCXLFS_VERDICT_FATAL,
	OCXLFS_VERDICT_NR,
};
/* "ok", "warning", "critical", "fatal". */
const char *ocxlfs_verdict_name(enum ocxlfs_verdict v);

/* The thresholds of docs/tree.md section 2.8.1. */
#define OCXLFS_VERDICT_SMART_MARGIN	 10	/* normalised points above the threshold */
#define OCXLFS_VERDICT_TEMP_MARGIN_C	 10	/* degrees below the card's limit */
#define OCXLFS_VERDICT_LIFE_WARNING_PCT	 20	/* life remaining at or below: warning */
#define OCXLFS_VERDICT_LIFE_CRITICAL_PCT 10	/* ... critical */
#define OCXLFS_VERDICT_ERRLOG_WINDOW_S	 86400u /* failure entries this recent count */

/* Failure-type error-log entries the card logged within the window. */
struct ocxlfs_verdict_errlog {
	unsigned predictive_failure;
	unsigned thermal_warning;
	unsigned data_loss;
};

struct ocxlfs_verdict_input {
	const char *state;		  /* the state file's word */
	const struct ocxlfs_smart *smart; /* NULL: SMART not answered (smart_rc) */
	int smart_rc;
	const struct ocxlfs_stats *stats; /* NULL: STATS not answered (stats_rc) */
	int stats_rc;
	struct ocxlfs_verdict_errlog errlog;
	bool heartbeat_failed; /* the last heartbeat sent failed with heartbeat_rc */
	int heartbeat_rc;
	int journal_rc; /* 0, or -errno of the last error-log append */
	int dump_rc;	/* 0, or -errno of the last dump store */
};

#define OCXLFS_VERDICT_MAX_REASONS 16
#define OCXLFS_VERDICT_TEXT_LEN	   112
struct ocxlfs_verdict_reason {
	enum ocxlfs_verdict level;
	const char *rule; /* the rule's name: "state", "smart", "temperature", ... */
	char text[OCXLFS_VERDICT_TEXT_LEN];
};

struct ocxlfs_verdict_result {
	enum ocxlfs_verdict verdict; /* the worst reason's level, ok without one */
	unsigned nreasons;	     /* at most OCXLFS_VERDICT_MAX_REASONS, worst first */
	struct ocxlfs_verdict_reason reason[OCXLFS_VERDICT_MAX_REASONS];
};

void ocxlfs_verdict_eval(const struct ocxlfs_verdict_input *in, struct ocxlfs_verdict_result *out);

/*
 * The first lines of health: "verdict: V", then "reason: LEVEL RULE: TEXT"
 * per reason.
 */
int ocxlfs_render_verdict(FILE *out, const struct ocxlfs_verdict_result *v);
/*
 * One line of the root health file: "VERDICT INDEX SERIAL", then
 * " RULE: TEXT" per reason, separated by ";".
 */
int ocxlfs_render_verdict_line(FILE *out, unsigned index, const char *serial,
			       const struct ocxlfs_verdict_result *v);

#endif /* OCXLFS_PROTO_VERDICT_H */
