// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The health verdict (verdict.h): a table of rules, each of which looks at
 * one part of the input and adds the reasons it finds.  The verdict is the
 * worst reason's level.  Nothing here does I/O.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "proto/verdict.h"

static const char *const verdict_names[] = {
    [OCXLFS_VERDICT_OK] = "ok",
    [OCXLFS_VERDICT_WARNING] = "warning",
    [OCXLFS_VERDICT_CRITICAL] = "critical",
    [OCXLFS_VERDICT_FATAL] = "fatal",
};

const char *ocxlfs_verdict_name(enum ocxlfs_verdict v)
{
	return v < OCXLFS_VERDICT_NR ? verdict_names[v] : "unknown";
}

static const char *errno_name(int rc)
{
	const char *name = strerrorname_np(-rc);

	return name ? name : "error";
}

static void add(struct ocxlfs_verdict_result *out, enum ocxlfs_verdict level, const char *rule,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void add(struct ocxlfs_verdict_result *out, enum ocxlfs_verdict level, const char *rule,
		const char *fmt, ...)
{
	struct ocxlfs_verdict_reason *r;
	va_list ap;

	if (level > out->verdict)
		out->verdict = level;
	if (out->nreasons == OCXLFS_VERDICT_MAX_REASONS)
		return;
	r = &out->reason[out->nreasons++];
	r->level = level;
	r->rule = rule;
	va_start(ap, fmt);
	vsnprintf(r->text, sizeof(r->text), fmt, ap);
	va_end(ap);
}

/* What each word of the state file means for the verdict. */
static const struct {
	const char *state;
	enum ocxlfs_verdict level;
	const char *why;
} state_levels[] = {
    {"ready", OCXLFS_VERDICT_OK, NULL},
    {"busy", OCXLFS_VERDICT_OK, NULL},
    {"fatal-firmware", OCXLFS_VERDICT_FATAL, "the card reports a fatal firmware state"},
    {"fatal-hardware", OCXLFS_VERDICT_FATAL, "the card reports a fatal hardware state"},
    {"unresponsive", OCXLFS_VERDICT_CRITICAL, "the card's last command timed out"},
    {"gone", OCXLFS_VERDICT_FATAL, "the card's device is gone"},
};

static bool rule_state(const struct ocxlfs_verdict_input *in, struct ocxlfs_verdict_result *out)
{
	const char *state = in->state ? in->state : "unknown";

	for (size_t i = 0; i < sizeof(state_levels) / sizeof(state_levels[0]); i++) {
		if (strcmp(state, state_levels[i].state))
			continue;
		if (state_levels[i].why)
			add(out, state_levels[i].level, "state", "%s: %s", state,
			    state_levels[i].why);
		return state_levels[i].level == OCXLFS_VERDICT_OK;
	}
	add(out, OCXLFS_VERDICT_WARNING, "state", "%s: a state this version does not know", state);
	return false;
}

/* A card that answers neither is covered by the state rule; one that is fine otherwise is not. */
static void rule_answers(const struct ocxlfs_verdict_input *in, struct ocxlfs_verdict_result *out)
{
	if (!in->smart)
		add(out, OCXLFS_VERDICT_WARNING, "smart", "the card did not answer SMART (%s)",
		    errno_name(in->smart_rc));
	if (!in->stats)
		add(out, OCXLFS_VERDICT_WARNING, "statistics", "the card did not answer STATS (%s)",
		    errno_name(in->stats_rc));
}

/* The first record with attribute K's id: a repeated id is judged once. */
static bool smart_first(const struct ocxlfs_smart *sm, unsigned k)
{
	for (unsigned j = 0; j < k; j++)
		if (sm->attr[j].id == sm->attr[k].id)
			return false;
	return true;
}

static unsigned smart_count(const struct ocxlfs_smart *sm)
{
	return sm->count < OCXLFS_SMART_MAX_ATTRS ? sm->count : OCXLFS_SMART_MAX_ATTRS;
}

/*
 * Normalised attributes: at or below the threshold is failing, within the
 * margin above it is close.  A threshold of 0 means the attribute never
 * fails (ATA's convention); temperature's threshold is in degrees.
 */
static void rule_smart(const struct ocxlfs_verdict_input *in, struct ocxlfs_verdict_result *out)
{
	const struct ocxlfs_smart *sm = in->smart;

	for (unsigned k = 0; sm && k < smart_count(sm); k++) {
		const struct ocxlfs_smart_attr *a = &sm->attr[k];

		if (!smart_first(sm, k) || a->id == OCXLFS_SMART_TEMPERATURE || !a->threshold)
			continue;
		if (a->current <= a->threshold)
			add(out, OCXLFS_VERDICT_CRITICAL, "smart",
			    "%s (0x%02x) current %u at or below its threshold %u",
			    ocxlfs_smart_attr_name(a->id), a->id, a->current, a->threshold);
		else if (a->current <= a->threshold + OCXLFS_VERDICT_SMART_MARGIN)
			add(out, OCXLFS_VERDICT_WARNING, "smart",
			    "%s (0x%02x) current %u within %u of its threshold %u",
			    ocxlfs_smart_attr_name(a->id), a->id, a->current,
			    OCXLFS_VERDICT_SMART_MARGIN, a->threshold);
	}
}

/* Temperature: the raw value's low byte in degrees against the card's limit, the threshold. */
static void rule_temperature(const struct ocxlfs_verdict_input *in,
			     struct ocxlfs_verdict_result *out)
{
	const struct ocxlfs_smart *sm = in->smart;

	for (unsigned k = 0; sm && k < smart_count(sm); k++) {
		const struct ocxlfs_smart_attr *a = &sm->attr[k];
		unsigned t = (unsigned)(a->raw & 0xFF);

		if (a->id != OCXLFS_SMART_TEMPERATURE || !smart_first(sm, k) || !a->threshold)
			continue;
		if (t >= a->threshold)
			add(out, OCXLFS_VERDICT_CRITICAL, "temperature",
			    "%u C at or above the card's limit %u C", t, a->threshold);
		else if (t + OCXLFS_VERDICT_TEMP_MARGIN_C >= a->threshold)
			add(out, OCXLFS_VERDICT_WARNING, "temperature",
			    "%u C within %u C of the card's limit %u C", t,
			    OCXLFS_VERDICT_TEMP_MARGIN_C, a->threshold);
	}
}

static void rule_life(const struct ocxlfs_verdict_input *in, struct ocxlfs_verdict_result *out)
{
	uint64_t pct;

	if (!in->stats || !(in->stats->present & (1u << OCXLFS_STAT_LIFE_REMAINING)))
		return;
	pct = in->stats->value[OCXLFS_STAT_LIFE_REMAINING];
	if (pct <= OCXLFS_VERDICT_LIFE_CRITICAL_PCT)
		add(out, OCXLFS_VERDICT_CRITICAL, "life", "%llu%% of the media's life remains",
		    (unsigned long long)pct);
	else if (pct <= OCXLFS_VERDICT_LIFE_WARNING_PCT)
		add(out, OCXLFS_VERDICT_WARNING, "life", "%llu%% of the media's life remains",
		    (unsigned long long)pct);
}

static void rule_errlog(const struct ocxlfs_verdict_input *in, struct ocxlfs_verdict_result *out)
{
	const struct {
		unsigned count;
		const char *type;
		enum ocxlfs_verdict level;
	} kinds[] = {
	    {in->errlog.data_loss, "data-loss", OCXLFS_VERDICT_CRITICAL},
	    {in->errlog.predictive_failure, "predictive-failure", OCXLFS_VERDICT_CRITICAL},
	    {in->errlog.thermal_warning, "thermal-warning", OCXLFS_VERDICT_WARNING},
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].count)
			add(out, kinds[i].level, "error_log", "%u %s %s in the last 24 h",
			    kinds[i].count, kinds[i].type,
			    kinds[i].count == 1 ? "entry" : "entries");
}

static void rule_heartbeat(const struct ocxlfs_verdict_input *in, struct ocxlfs_verdict_result *out)
{
	if (in->heartbeat_failed)
		add(out, OCXLFS_VERDICT_WARNING, "heartbeat", "the last heartbeat failed (%s)",
		    errno_name(in->heartbeat_rc));
}

static void rule_store(const struct ocxlfs_verdict_input *in, struct ocxlfs_verdict_result *out)
{
	if (in->journal_rc)
		add(out, OCXLFS_VERDICT_WARNING, "state_directory",
		    "error-log entries cannot be stored (%s): they stay on the card",
		    errno_name(in->journal_rc));
	if (in->dump_rc)
		add(out, OCXLFS_VERDICT_WARNING, "state_directory",
		    "controller dumps cannot be stored (%s): they stay on the card",
		    errno_name(in->dump_rc));
}

static void (*const rules[])(const struct ocxlfs_verdict_input *in,
			     struct ocxlfs_verdict_result *out) = {
    rule_smart, rule_temperature, rule_life, rule_errlog, rule_heartbeat, rule_store,
};

/* Worst first, in rule order within a level. */
static void sort_reasons(struct ocxlfs_verdict_result *out)
{
	for (unsigned i = 1; i < out->nreasons; i++) {
		struct ocxlfs_verdict_reason r = out->reason[i];
		unsigned j = i;

		for (; j > 0 && out->reason[j - 1].level < r.level; j--)
			out->reason[j] = out->reason[j - 1];
		out->reason[j] = r;
	}
}

void ocxlfs_verdict_eval(const struct ocxlfs_verdict_input *in, struct ocxlfs_verdict_result *out)
{
	memset(out, 0, sizeof(*out));
	if (rule_state(in, out))
		rule_answers(in, out);
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		rules[i](in, out);
	sort_reasons(out);
}

int ocxlfs_render_verdict(FILE *out, const struct ocxlfs_verdict_result *v)
{
	fprintf(out, "verdict: %s\n", ocxlfs_verdict_name(v->verdict));
	for (unsigned i = 0; i < v->nreasons; i++)
		fprintf(out, "reason: %s %s: %s\n", ocxlfs_verdict_name(v->reason[i].level),
			v->reason[i].rule, v->reason[i].text);
	return ferror(out) ? -EIO : 0;
}

int ocxlfs_render_verdict_line(FILE *out, unsigned index, const char *serial,
			       const struct ocxlfs_verdict_result *v)
{
	fprintf(out, "%s %u %s", ocxlfs_verdict_name(v->verdict), index, serial);
	for (unsigned i = 0; i < v->nreasons; i++)
		fprintf(out, "%s %s: %s", i ? ";" : "", v->reason[i].rule, v->reason[i].text);
	fputc('\n', out);
	return ferror(out) ? -EIO : 0;
}
