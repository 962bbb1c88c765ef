// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Pure Prometheus renderer (render_prom.h).  Values are converted to base
 * units with integer arithmetic only, so a 64-bit counter is printed with
 * every digit the card sent: ns become seconds with nine decimals and
 * percentages become ratios with two.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "proto/render_prom.h"

enum conv {
	CONV_NONE,
	CONV_NS_TO_S,
	CONV_PCT_TO_RATIO,
};

struct stat_metric {
	enum ocxlfs_stat_field field;
	const char *name;
	const char *type;
	enum conv conv;
	const char *help;
};

/* Exposition order; names follow Prometheus' naming guide.  A table. */
// clang-format off
static const struct stat_metric stat_metrics[] = {
	{ OCXLFS_STAT_RESET_COUNT, "ocxl_resets_total", "counter", CONV_NONE,
	  "Controller resets." },
	{ OCXLFS_STAT_RESET_UPTIME, "ocxl_reset_uptime_seconds", "gauge", CONV_NONE,
	  "Time since the last controller reset." },
	{ OCXLFS_STAT_POWER_ON_UPTIME, "ocxl_power_on_uptime_seconds", "gauge", CONV_NONE,
	  "Time since the card was powered on." },
	{ OCXLFS_STAT_LIFE_REMAINING, "ocxl_life_remaining_ratio", "gauge", CONV_PCT_TO_RATIO,
	  "Estimated media life left, 1 = new." },
	{ OCXLFS_STAT_CRIT_RESOURCE_UTIL, "ocxl_critical_resource_utilization_ratio", "gauge",
	  CONV_PCT_TO_RATIO, "Utilisation of the card's most critical resource." },
	{ OCXLFS_STAT_HOST_LOAD_COUNT, "ocxl_host_loads_total", "counter", CONV_NONE,
	  "Host loads served." },
	{ OCXLFS_STAT_HOST_STORE_COUNT, "ocxl_host_stores_total", "counter", CONV_NONE,
	  "Host stores served." },
	{ OCXLFS_STAT_HOST_LOAD_DURATION, "ocxl_host_load_seconds_total", "counter", CONV_NS_TO_S,
	  "Cumulative time spent serving host loads." },
	{ OCXLFS_STAT_HOST_STORE_DURATION, "ocxl_host_store_seconds_total", "counter", CONV_NS_TO_S,
	  "Cumulative time spent serving host stores." },
	{ OCXLFS_STAT_MEDIA_READ_COUNT, "ocxl_media_reads_total", "counter", CONV_NONE,
	  "Media reads." },
	{ OCXLFS_STAT_MEDIA_WRITE_COUNT, "ocxl_media_writes_total", "counter", CONV_NONE,
	  "Media writes." },
	{ OCXLFS_STAT_MEDIA_READ_DURATION, "ocxl_media_read_seconds_total", "counter", CONV_NS_TO_S,
	  "Cumulative media read time." },
	{ OCXLFS_STAT_MEDIA_WRITE_DURATION, "ocxl_media_write_seconds_total", "counter",
	  CONV_NS_TO_S, "Cumulative media write time." },
	{ OCXLFS_STAT_CACHE_READ_HIT_COUNT, "ocxl_cache_read_hits_total", "counter", CONV_NONE,
	  "Reads served from the controller cache." },
	{ OCXLFS_STAT_CACHE_WRITE_HIT_COUNT, "ocxl_cache_write_hits_total", "counter", CONV_NONE,
	  "Writes absorbed by the controller cache." },
	{ OCXLFS_STAT_FAST_WRITE_COUNT, "ocxl_fast_writes_total", "counter", CONV_NONE,
	  "Fast writes." },
};
// clang-format on
#define NR_STAT_METRICS (sizeof(stat_metrics) / sizeof(stat_metrics[0]))

enum smart_value {
	SMART_CURRENT,
	SMART_WORST,
	SMART_THRESHOLD,
	SMART_RAW,
};

static const struct {
	const char *name;
	const char *help;
} smart_metrics[] = {
    [SMART_CURRENT] = {"ocxl_smart_current", "SMART attribute, normalised current value."},
    [SMART_WORST] = {"ocxl_smart_worst", "SMART attribute, normalised worst value."},
    [SMART_THRESHOLD] = {"ocxl_smart_threshold", "SMART attribute, failure threshold."},
    [SMART_RAW] = {"ocxl_smart_raw", "SMART attribute, raw value as the card sent it."},
};

static void header(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value with the three escapes the exposition format defines. */
static void label_value(FILE *out, const char *s)
{
	for (;;) {
		size_t plain = strcspn(s, "\\\"\n");

		fwrite(s, 1, plain, out);
		s += plain;
		if (!*s)
			return;
		fputs(*s == '\n' ? "\\n" : *s == '"' ? "\\\"" : "\\\\", out);
		s++;
	}
}

/* The labels that name a card on every per-card series: card and serial. */
static void card_labels(FILE *out, const struct ocxlfs_prom_card *c)
{
	fprintf(out, "card=\"%u\",serial=\"", c->index);
	label_value(out, c->serial ? c->serial : "");
	fputc('"', out);
}

static void value(FILE *out, uint64_t v, enum conv conv)
{
	switch (conv) {
	case CONV_NS_TO_S:
		fprintf(out, "%" PRIu64 ".%09" PRIu64 "\n", v / 1000000000u, v % 1000000000u);
		break;
	case CONV_PCT_TO_RATIO:
		fprintf(out, "%" PRIu64 ".%02" PRIu64 "\n", v / 100u, v % 100u);
		break;
	default:
		fprintf(out, "%" PRIu64 "\n", v);
		break;
	}
}

static void info_family(FILE *out, const struct ocxlfs_prom_card *cards, unsigned n)
{
	bool any = false;
	unsigned i;

	for (i = 0; i < n; i++) {
		const struct ocxlfs_identity *id = cards[i].id;
		size_t len;
		char fw[sizeof(id->fw_version)];

		if (!id)
			continue;
		if (!any)
			header(out, "ocxl_card_info", "gauge",
			       "Always 1; the labels identify the card behind the card label.");
		any = true;
		/* Same normalisation as the firmware_version file. */
		len = strnlen(id->fw_version, sizeof(id->fw_version) - 1);
		while (len > 0 && id->fw_version[len - 1] == ' ')
			len--;
		memcpy(fw, id->fw_version, len);
		fw[len] = '\0';
		fprintf(out, "ocxl_card_info{card=\"%u\",serial=\"%" PRIu64 "\",firmware=\"",
			cards[i].index, id->serial);
		label_value(out, fw);
		fputs("\"} 1\n", out);
	}
}

static void state_sample(FILE *out, const struct ocxlfs_prom_card *c, const char *state, int v)
{
	fputs("ocxl_card_state{", out);
	card_labels(out, c);
	fputs(",state=\"", out);
	label_value(out, state);
	fprintf(out, "\"} %d\n", v);
}

/*
 * One series per word the state file can show: 1 for the card's state, 0
 * for the others.  A state missing from the list still has its series.
 */
static void state_family(FILE *out, const struct ocxlfs_prom_card *cards, unsigned n)
{
	bool any = false;
	unsigned i, s;

	for (i = 0; i < n; i++) {
		bool listed = false;

		if (!cards[i].state)
			continue;
		if (!any)
			header(out, "ocxl_card_state", "gauge",
			       "1 for the word in the card's state file, 0 for the other states.");
		any = true;
		for (s = 0; s < cards[i].nstates; s++) {
			bool current = !strcmp(cards[i].states[s], cards[i].state);

			listed |= current;
			state_sample(out, &cards[i], cards[i].states[s], current);
		}
		if (!listed)
			state_sample(out, &cards[i], cards[i].state, 1);
	}
}

static void verdict_family(FILE *out, const struct ocxlfs_prom_card *cards, unsigned n)
{
	bool any = false;
	unsigned i;
	enum ocxlfs_verdict v;

	for (i = 0; i < n; i++) {
		if (!cards[i].verdict)
			continue;
		if (!any)
			header(out, "ocxl_card_verdict", "gauge",
			       "1 for the card's health verdict, 0 for the other verdicts.");
		any = true;
		for (v = 0; v < OCXLFS_VERDICT_NR; v++) {
			fputs("ocxl_card_verdict{", out);
			card_labels(out, &cards[i]);
			fprintf(out, ",verdict=\"%s\"} %d\n", ocxlfs_verdict_name(v),
				cards[i].verdict->verdict == v);
		}
	}
}

static void up_family(FILE *out, const struct ocxlfs_prom_card *cards, unsigned n)
{
	unsigned i;

	if (!n)
		return;
	header(out, "ocxl_card_up", "gauge",
	       "1 if the card answered both the statistics and the SMART command.");
	for (i = 0; i < n; i++) {
		fputs("ocxl_card_up{", out);
		card_labels(out, &cards[i]);
		fprintf(out, "} %d\n", cards[i].stats && cards[i].smart);
	}
}

/* Failure-type error-log entries of the verdict's window, per type. */
static void errlog_family(FILE *out, const struct ocxlfs_prom_card *cards, unsigned n)
{
	bool any = false;
	unsigned i, k;

	for (i = 0; i < n; i++) {
		const struct ocxlfs_verdict_errlog *e = cards[i].errlog;
		const struct {
			const char *type;
			unsigned count;
		} types[] = {
			{ "predictive-failure", e ? e->predictive_failure : 0 },
			{ "thermal-warning", e ? e->thermal_warning : 0 },
			{ "data-loss", e ? e->data_loss : 0 },
		};

		if (!e)
			continue;
		if (!any)
			header(out, "ocxl_error_log_recent_failures", "gauge",
			       "Failure-type error-log entries the card logged in the last 24 hours.");
		any = true;
		for (k = 0; k < sizeof(types) / sizeof(types[0]); k++) {
			fputs("ocxl_error_log_recent_failures{", out);
			card_labels(out, &cards[i]);
			fprintf(out, ",type=\"%s\"} %u\n", types[k].type, types[k].count);
		}
	}
}

static void writable_family(FILE *out, const struct ocxlfs_prom_card *cards, unsigned n)
{
	unsigned i;

	if (!n)
		return;
	header(out, "ocxl_state_directory_writable", "gauge",
	       "0 if the card's state directory failed its last error-log or dump write.");
	for (i = 0; i < n; i++) {
		fputs("ocxl_state_directory_writable{", out);
		card_labels(out, &cards[i]);
		fprintf(out, "} %d\n", cards[i].store_writable);
	}
}

static void collected_family(FILE *out, const struct ocxlfs_prom_card *cards, unsigned n)
{
	unsigned i;

	if (!n)
		return;
	header(out, "ocxl_collected_timestamp_seconds", "gauge",
	       "When the card's values in this exposition were taken from it, Unix time.");
	for (i = 0; i < n; i++) {
		fputs("ocxl_collected_timestamp_seconds{", out);
		card_labels(out, &cards[i]);
		fprintf(out, "} %lld.%03ld\n", (long long)cards[i].collected.tv_sec,
			cards[i].collected.tv_nsec / 1000000);
	}
}

static void age_family(FILE *out, const struct ocxlfs_prom_card *cards, unsigned n)
{
	bool any = false;

	for (unsigned i = 0; i < n; i++) {
		if (!cards[i].data_age_s)
			continue;
		if (!any)
			header(out, "ocxl_card_data_age_seconds", "gauge",
			       "Seconds since the card last answered the commands these samples come from.");
		any = true;
		fputs("ocxl_card_data_age_seconds{", out);
		card_labels(out, &cards[i]);
		fprintf(out, "} %.3f\n", *cards[i].data_age_s);
	}
}

static void store_errno_family(FILE *out, const struct ocxlfs_prom_card *cards, unsigned n)
{
	if (!n)
		return;
	header(out, "ocxl_state_directory_errno", "gauge",
	       "The errno with which the state directory last failed the card's journal or dumps, 0 once it takes them again.");
	for (unsigned i = 0; i < n; i++) {
		fputs("ocxl_state_directory_errno{", out);
		card_labels(out, &cards[i]);
		fprintf(out, ",store=\"journal\"} %d\n", cards[i].journal_errno);
		fputs("ocxl_state_directory_errno{", out);
		card_labels(out, &cards[i]);
		fprintf(out, ",store=\"dumps\"} %d\n", cards[i].dumps_errno);
	}
}

static void stat_family(FILE *out, const struct stat_metric *m, const struct ocxlfs_prom_card *cards,
			unsigned n)
{
	bool any = false;
	unsigned i;

	for (i = 0; i < n; i++) {
		const struct ocxlfs_stats *st = cards[i].stats;

		/* A statistic the card did not report is absent, never 0. */
		if (!st || !(st->present & (1u << m->field)))
			continue;
		if (!any)
			header(out, m->name, m->type, m->help);
		any = true;
		fprintf(out, "%s{", m->name);
		card_labels(out, &cards[i]);
		fputs("} ", out);
		value(out, st->value[m->field], m->conv);
	}
}

/* The first record with this id; a repeated id would make a duplicate series. */
static const struct ocxlfs_smart_attr *smart_find(const struct ocxlfs_smart *sm, unsigned k)
{
	unsigned j;

	for (j = 0; j < k; j++)
		if (sm->attr[j].id == sm->attr[k].id)
			return NULL;
	return &sm->attr[k];
}

static unsigned smart_count(const struct ocxlfs_smart *sm)
{
	return sm->count < OCXLFS_SMART_MAX_ATTRS ? sm->count : OCXLFS_SMART_MAX_ATTRS;
}

static void temperature_family(FILE *out, const struct ocxlfs_prom_card *cards, unsigned n)
{
	bool any = false;
	unsigned i, k;

	for (i = 0; i < n; i++) {
		const struct ocxlfs_smart *sm = cards[i].smart;

		for (k = 0; sm && k < smart_count(sm); k++) {
			const struct ocxlfs_smart_attr *a = smart_find(sm, k);

			if (!a || a->id != OCXLFS_SMART_TEMPERATURE)
				continue;
			if (!any)
				header(out, "ocxl_temperature_celsius", "gauge",
				       "Card temperature: low byte of SMART attribute 0xc2's raw "
				       "value.");
			any = true;
			/* ATA's convention: the low byte is degrees, the others min/max. */
			fputs("ocxl_temperature_celsius{", out);
			card_labels(out, &cards[i]);
			fprintf(out, "} %u\n", (unsigned)(a->raw & 0xFF));
		}
	}
}

static void smart_family(FILE *out, enum smart_value which, const struct ocxlfs_prom_card *cards,
			 unsigned n)
{
	bool any = false;
	unsigned i, k;

	for (i = 0; i < n; i++) {
		const struct ocxlfs_smart *sm = cards[i].smart;

		for (k = 0; sm && k < smart_count(sm); k++) {
			const struct ocxlfs_smart_attr *a = smart_find(sm, k);
			uint64_t v;

			if (!a)
				continue;
			if (!any)
				header(out, smart_metrics[which].name, "gauge",
				       smart_metrics[which].help);
			any = true;
			switch (which) {
			case SMART_CURRENT:
				v = a->current;
				break;
			case SMART_WORST:
				v = a->worst;
				break;
			case SMART_THRESHOLD:
				v = a->threshold;
				break;
			default:
				v = a->raw;
				break;
			}
			fprintf(out, "%s{", smart_metrics[which].name);
			card_labels(out, &cards[i]);
			fprintf(out, ",id=\"0x%02x\",attribute=\"%s\"} ", (unsigned)a->id,
				ocxlfs_smart_attr_name(a->id));
			value(out, v, CONV_NONE);
		}
	}
}

int ocxlfs_render_prom(FILE *out, const struct ocxlfs_prom_card *cards, unsigned n)
{
	unsigned m;

	info_family(out, cards, n);
	state_family(out, cards, n);
	up_family(out, cards, n);
	verdict_family(out, cards, n);
	errlog_family(out, cards, n);
	writable_family(out, cards, n);
	collected_family(out, cards, n);
	age_family(out, cards, n);
	store_errno_family(out, cards, n);
	for (m = 0; m < NR_STAT_METRICS; m++)
		stat_family(out, &stat_metrics[m], cards, n);
	temperature_family(out, cards, n);
	smart_family(out, SMART_CURRENT, cards, n);
	smart_family(out, SMART_WORST, cards, n);
	smart_family(out, SMART_THRESHOLD, cards, n);
	smart_family(out, SMART_RAW, cards, n);
	return ferror(out) ? -EIO : 0;
}
