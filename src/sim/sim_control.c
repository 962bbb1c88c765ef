// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <string.h>

#include <ocxlfs/passthru.h>

#include "sim/sim.h"
#include "sim/sim_control.h"

/*
 * An unsigned number that is all of ARG, decimal or hex after "0x", within
 * [min, max].  Not strtoul(): it also takes leading whitespace of any kind
 * and reads a leading 0 as octal ("delay 010" would be 8 ms, "dump 0096"
 * refused), where docs/tree.md promises decimal.
 */
static int parse_uint(const char *arg, unsigned long min, unsigned long max,
		      unsigned long *out)
{
	unsigned long v = 0, base = 10;

	if (!arg)
		return -EINVAL;
	if (arg[0] == '0' && (arg[1] == 'x' || arg[1] == 'X')) {
		base = 16;
		arg += 2;
	}
	if (!*arg)
		return -EINVAL;
	for (; *arg; arg++) {
		unsigned long d;

		if (*arg >= '0' && *arg <= '9')
			d = (unsigned long)(*arg - '0');
		else if (base == 16 && *arg >= 'a' && *arg <= 'f')
			d = (unsigned long)(*arg - 'a' + 10);
		else if (base == 16 && *arg >= 'A' && *arg <= 'F')
			d = (unsigned long)(*arg - 'A' + 10);
		else
			return -EINVAL;
		/* Stop past max, before v * base + d could wrap. */
		if (d > max || v > (max - d) / base)
			return -EINVAL;
		v = v * base + d;
	}
	if (v < min)
		return -EINVAL;
	*out = v;
	return 0;
}

#define LINE_MAX_LEN 64

/*
 * Copies TEXT into LINE and splits it at the first space: LINE keeps the
 * keyword, *arg the rest (NULL when there is none).  -EINVAL if too long.
 */
static int split_keyword(const char *text, char line[LINE_MAX_LEN], char **arg)
{
	char *sp;

	if (strlen(text) >= LINE_MAX_LEN)
		return -EINVAL;
	strcpy(line, text);
	sp = strchr(line, ' ');
	*arg = NULL;
	if (sp) {
		*sp = '\0';
		*arg = sp + 1;
	}
	return 0;
}

/* Error-log types "errlog TYPE" queues one entry of (the failure types of the verdict). */
static const struct {
	const char *name;
	uint8_t type;
} errlog_types[] = {
	{ "predictive-failure", OCXLFS_EL_PREDICTIVE },
	{ "thermal-warning", OCXLFS_EL_THERMAL },
	{ "data-loss", OCXLFS_EL_DATA_LOSS },
};

static int inject_errlog(struct sim_card *sim, const char *arg)
{
	unsigned long n = 1;

	for (size_t i = 0; arg && i < sizeof(errlog_types) / sizeof(errlog_types[0]); i++)
		if (!strcmp(arg, errlog_types[i].name))
			return sim_card_inject_errlog(sim, 1, errlog_types[i].type);
	if (arg && parse_uint(arg, 1, SIM_ERRLOG_CAPACITY, &n))
		return -EINVAL;
	return sim_card_inject_errlog(sim, (unsigned)n, OCXLFS_EL_GENERAL);
}

/* "smart temperature C" (0-255), "smart life_remaining PCT" (0-100), "smart modelled". */
static int inject_smart(struct sim_card *sim, const char *arg)
{
	struct sim_smart_override o;
	const char *what = arg, *val = arg ? strchr(arg, ' ') : NULL;
	unsigned long v = 0;

	if (!arg)
		return -EINVAL;
	sim_card_get_smart(sim, &o);
	if (!strcmp(arg, "modelled")) {
		o = (struct sim_smart_override){ 0 };
		sim_card_set_smart(sim, &o);
		return 0;
	}
	if (!val)
		return -EINVAL;
	if (!strncmp(what, "temperature ", 12) && !parse_uint(val + 1, 0, 255, &v)) {
		o.temp_set = true;
		o.temp_c = (uint8_t)v;
	} else if (!strncmp(what, "life_remaining ", 15) && !parse_uint(val + 1, 0, 100, &v)) {
		o.life_set = true;
		o.life_pct = (uint8_t)v;
	} else {
		return -EINVAL;
	}
	sim_card_set_smart(sim, &o);
	return 0;
}

int sim_control_inject(struct sim_card *sim, const char *text)
{
	char line[LINE_MAX_LEN];
	unsigned long n = 1;
	char *arg;

	if (split_keyword(text, line, &arg))
		return -EINVAL;
	if (!strcmp(line, "errlog"))
		return inject_errlog(sim, arg);
	if (!strcmp(line, "smart"))
		return inject_smart(sim, arg);
	if (!strcmp(line, "health") && !arg)
		return sim_card_inject_errlog(sim, 1, OCXLFS_EL_HEALTH_PERF);
	if (!strcmp(line, "labels") && !arg)
		return sim_card_fill_labels(sim);
	if (!strcmp(line, "erase-done") && !arg)
		return sim_card_finish_erase(sim);
	if (!strcmp(line, "dump")) {
		if (parse_uint(arg, 1, UINT32_MAX, &n))
			return -EINVAL;
		return sim_card_post_dump(sim, (uint32_t)n);
	}
	return -EINVAL;
}

static const struct {
	const char *name;
	enum sim_fault_kind kind;
	bool has_arg;
} faults[] = {
	{ "none", SIM_FAULT_NONE, false },
	{ "delay", SIM_FAULT_DELAY, true },
	{ "hang", SIM_FAULT_HANG, false },
	{ "status", SIM_FAULT_STATUS, true },
	{ "corrupt", SIM_FAULT_CORRUPT, false },
	{ "fatal-firmware", SIM_FAULT_FATAL_FW, false },
	{ "fatal-hardware", SIM_FAULT_FATAL_HW, false },
	{ "vanish", SIM_FAULT_VANISH, false },
};

int sim_control_fault(struct sim_card *sim, const char *text)
{
	char line[LINE_MAX_LEN];
	unsigned long v = 0;
	char *arg;

	if (split_keyword(text, line, &arg))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		if (strcmp(line, faults[i].name))
			continue;
		if (faults[i].has_arg != (arg != NULL))
			return -EINVAL;
		if (faults[i].kind == SIM_FAULT_DELAY && parse_uint(arg, 1, 60000, &v))
			return -EINVAL;
		if (faults[i].kind == SIM_FAULT_STATUS && parse_uint(arg, 1, 0xFF, &v))
			return -EINVAL;
		return sim_card_set_fault(sim, faults[i].kind, (unsigned)v);
	}
	return -EINVAL;
}

int sim_control_render_fault(struct sim_card *sim, FILE *out)
{
	enum sim_fault_kind kind;
	unsigned arg;

	sim_card_get_fault(sim, &kind, &arg);
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		if (faults[i].kind != kind)
			continue;
		if (kind == SIM_FAULT_STATUS)
			fprintf(out, "status 0x%02x\n", arg);
		else if (kind == SIM_FAULT_DELAY)
			fprintf(out, "delay %u\n", arg);
		else
			fprintf(out, "%s\n", faults[i].name);
		break;
	}
	return ferror(out) ? -EIO : 0;
}

int sim_control_namespace(struct sim_card *sim, const char *text)
{
	if (!strcmp(text, "enabled"))
		sim_card_set_namespace_enabled(sim, true);
	else if (!strcmp(text, "disabled"))
		sim_card_set_namespace_enabled(sim, false);
	else
		return -EINVAL;
	return 0;
}

int sim_control_render_namespace(struct sim_card *sim, FILE *out)
{
	fprintf(out, "%s\n", sim_card_namespace_enabled(sim) ? "enabled" : "disabled");
	return ferror(out) ? -EIO : 0;
}
