// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target: the keyword parsers of the sim/inject, sim/fault and
 * sim/namespace control files (src/sim/sim_control.c).  The simulated card
 * is replaced by stubs that record what the parser asked for, so every
 * input is checked against the grammar of docs/tree.md 4.1, written out
 * again here:
 *
 *   inject:    "errlog" | "errlog COUNT" (1-4096) | "errlog TYPE" | "health"
 *              | "dump SIZE" | "labels" | "erase-done" | "smart temperature C"
 *              (0-255) | "smart life_remaining PCT" (0-100) | "smart modelled"
 *   TYPE:      "predictive-failure" | "thermal-warning" | "data-loss"
 *   fault:     "none" | "delay MS" (1-60000) | "hang" | "status NN" (1-0xFF)
 *              | "corrupt" | "fatal-firmware" | "fatal-hardware" | "vanish"
 *   namespace: "enabled" | "disabled"
 *
 * A number is decimal or 0x-prefixed hex, nothing else (no sign, no
 * spaces, no octal).  SIZE is 1 to 2^32 - 1 for the parser (the card
 * refuses more than its maximum dump size; the stub does not model that).
 * A valid line makes exactly the one call it names and returns that call's
 * result; anything else returns -EINVAL and calls nothing.  A fault or
 * namespace setting reads back as a line that sets it again.
 *
 * Input: one mode byte (bits 1:0: 0 inject, 1 fault, 2 or 3 namespace;
 * bit 2: the card refuses with -ENOSPC), then the line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ocxlfs/passthru.h>

#include "fuzz.h"
#include "sim/sim.h"
#include "sim/sim_control.h"

/* The parser keeps whole lines shorter than this (sim_control.c); tree.c caps writes at 256. */
#define LINE_LIMIT 64

enum file { FILE_INJECT, FILE_FAULT, FILE_NAMESPACE };

/* ---- the card, as stubs ---- */

enum call {
	CALL_NONE,
	CALL_INJECT,
	CALL_DUMP,
	CALL_LABELS,
	CALL_ERASE_DONE,
	CALL_FAULT,
	CALL_NAMESPACE,
	CALL_SMART,
};

static struct {
	unsigned calls;
	enum call what;
	unsigned count;
	uint8_t type;
	uint32_t dump_size;
	enum sim_fault_kind kind;
	unsigned arg;
	bool ns_enabled;
	struct sim_smart_override smart;
	int rc; /* what every stub that can fail answers */
} card;

static int called(enum call what)
{
	card.calls++;
	card.what = what;
	return card.rc;
}

int sim_card_inject_errlog(struct sim_card *sim, unsigned count, uint8_t type)
{
	card.count = count;
	card.type = type;
	return called(CALL_INJECT);
}

int sim_card_post_dump(struct sim_card *sim, uint32_t size)
{
	card.dump_size = size;
	return called(CALL_DUMP);
}

int sim_card_fill_labels(struct sim_card *sim)
{
	return called(CALL_LABELS);
}

int sim_card_finish_erase(struct sim_card *sim)
{
	return called(CALL_ERASE_DONE);
}

int sim_card_set_fault(struct sim_card *sim, enum sim_fault_kind kind, unsigned arg)
{
	card.kind = kind;
	card.arg = arg;
	return called(CALL_FAULT);
}

void sim_card_get_fault(struct sim_card *sim, enum sim_fault_kind *kind, unsigned *arg)
{
	*kind = card.kind;
	*arg = card.arg;
}

void sim_card_set_namespace_enabled(struct sim_card *sim, bool enabled)
{
	card.ns_enabled = enabled;
	called(CALL_NAMESPACE);
}

void sim_card_set_smart(struct sim_card *sim, const struct sim_smart_override *o)
{
	card.smart = *o;
	called(CALL_SMART);
}

void sim_card_get_smart(struct sim_card *sim, struct sim_smart_override *o)
{
	*o = card.smart;
}

bool sim_card_namespace_enabled(struct sim_card *sim)
{
	return card.ns_enabled;
}

/* ---- the oracle ---- */

struct expect {
	enum call what;
	unsigned count;
	uint8_t type;
	uint64_t num;
	enum sim_fault_kind kind;
	bool ns_enabled;
	struct sim_smart_override smart;
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decimal or 0x hex, all of s, within [min, max]. */
static bool number(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;
	int d;

	if (!s)
		return false;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		d = hexval(*s);
		if (d < 0 || (unsigned)d >= base)
			return false;
		v = v * base + (unsigned)d;
		if (v > max)
			return false; /* also keeps v from wrapping */
	}
	*out = v;
	return v >= min;
}

static bool expect_inject(const char *kw, const char *arg, struct expect *e)
{
	uint64_t n = 1;

	static const struct {
		const char *name;
		uint8_t type;
	} types[] = {
	    {"predictive-failure", OCXLFS_EL_PREDICTIVE},
	    {"thermal-warning", OCXLFS_EL_THERMAL},
	    {"data-loss", OCXLFS_EL_DATA_LOSS},
	};

	for (size_t i = 0; arg && !strcmp(kw, "errlog") && i < sizeof(types) / sizeof(types[0]);
	     i++) {
		if (!strcmp(arg, types[i].name)) {
			*e = (struct expect){.what = CALL_INJECT, .count = 1, .type = types[i].type};
			return true;
		}
	}
	if (!strcmp(kw, "smart") && arg) {
		e->smart = card.smart;
		if (!strcmp(arg, "modelled")) {
			*e = (struct expect){.what = CALL_SMART};
			return true;
		}
		if (!strncmp(arg, "temperature ", 12) && number(arg + 12, 0, 255, &n)) {
			e->what = CALL_SMART;
			e->smart.temp_set = true;
			e->smart.temp_c = (uint8_t)n;
			return true;
		}
		if (!strncmp(arg, "life_remaining ", 15) && number(arg + 15, 0, 100, &n)) {
			e->what = CALL_SMART;
			e->smart.life_set = true;
			e->smart.life_pct = (uint8_t)n;
			return true;
		}
		return false;
	}
	if (!strcmp(kw, "errlog") && (!arg || number(arg, 1, SIM_ERRLOG_CAPACITY, &n))) {
		*e = (struct expect){
		    .what = CALL_INJECT, .count = (unsigned)n, .type = OCXLFS_EL_GENERAL};
		return true;
	}
	if (!strcmp(kw, "health") && !arg) {
		*e = (struct expect){.what = CALL_INJECT, .count = 1, .type = OCXLFS_EL_HEALTH_PERF};
		return true;
	}
	if (!strcmp(kw, "dump") && number(arg, 1, UINT32_MAX, &n)) {
		*e = (struct expect){.what = CALL_DUMP, .num = n};
		return true;
	}
	if (!strcmp(kw, "labels") && !arg) {
		*e = (struct expect){.what = CALL_LABELS};
		return true;
	}
	if (!strcmp(kw, "erase-done") && !arg) {
		*e = (struct expect){.what = CALL_ERASE_DONE};
		return true;
	}
	return false;
}

static bool expect_fault(const char *kw, const char *arg, struct expect *e)
{
	static const struct {
		const char *name;
		enum sim_fault_kind kind;
		uint64_t max; /* 0: takes no argument */
	} words[] = {
	    {"none", SIM_FAULT_NONE, 0},
	    {"delay", SIM_FAULT_DELAY, 60000},
	    {"hang", SIM_FAULT_HANG, 0},
	    {"status", SIM_FAULT_STATUS, 0xFF},
	    {"corrupt", SIM_FAULT_CORRUPT, 0},
	    {"fatal-firmware", SIM_FAULT_FATAL_FW, 0},
	    {"fatal-hardware", SIM_FAULT_FATAL_HW, 0},
	    {"vanish", SIM_FAULT_VANISH, 0},
	};
	uint64_t n = 0;

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcmp(kw, words[i].name))
			continue;
		if (words[i].max ? !number(arg, 1, words[i].max, &n) : arg != NULL)
			return false;
		*e = (struct expect){.what = CALL_FAULT, .kind = words[i].kind, .num = n};
		return true;
	}
	return false;
}

/* Splits at the first space, as the grammar does; false if the line is not valid. */
static bool expect_line(const char *line, enum file file, struct expect *e)
{
	char kw[LINE_LIMIT];
	const char *sp = strchr(line, ' ');
	size_t n = sp ? (size_t)(sp - line) : strlen(line);

	if (file == FILE_NAMESPACE) {
		*e =
		    (struct expect){.what = CALL_NAMESPACE, .ns_enabled = !strcmp(line, "enabled")};
		return !strcmp(line, "enabled") || !strcmp(line, "disabled");
	}
	if (strlen(line) >= LINE_LIMIT)
		return false;
	memcpy(kw, line, n);
	kw[n] = '\0';
	return file == FILE_FAULT ? expect_fault(kw, sp ? sp + 1 : NULL, e)
				  : expect_inject(kw, sp ? sp + 1 : NULL, e);
}

static void check_call(const struct expect *e)
{
	FUZZ_ASSERT(card.calls == 1 && card.what == e->what);
	switch (e->what) {
	case CALL_INJECT:
		FUZZ_ASSERT(card.count == e->count && card.type == e->type);
		break;
	case CALL_DUMP:
		FUZZ_ASSERT(card.dump_size == e->num);
		break;
	case CALL_FAULT:
		FUZZ_ASSERT(card.kind == e->kind && card.arg == e->num);
		break;
	case CALL_NAMESPACE:
		FUZZ_ASSERT(card.ns_enabled == e->ns_enabled);
		break;
	case CALL_SMART:
		FUZZ_ASSERT(!memcmp(&card.smart, &e->smart, sizeof(e->smart)));
		break;
	default:
		break;
	}
}

/* The setting of FILE as read back, without its newline (malloc'd). */
static char *read_back(enum file file)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	FUZZ_ASSERT(f);
	if (file == FILE_FAULT)
		FUZZ_ASSERT(sim_control_render_fault(NULL, f) == 0);
	else
		FUZZ_ASSERT(sim_control_render_namespace(NULL, f) == 0);
	FUZZ_ASSERT(fclose(f) == 0);
	FUZZ_ASSERT(len >= 2 && text[len - 1] == '\n' && !memchr(text, '\n', len - 1));
	text[len - 1] = '\0';
	return text;
}

/* What a fault or namespace file reads back sets the same again. */
static void check_readback(enum file file)
{
	enum sim_fault_kind kind = card.kind;
	unsigned arg = card.arg;
	bool ns = card.ns_enabled;
	char *text = read_back(file);

	card.calls = 0;
	card.rc = 0;
	if (file == FILE_FAULT) {
		FUZZ_ASSERT(sim_control_fault(NULL, text) == 0);
		FUZZ_ASSERT(card.calls == 1 && card.kind == kind && card.arg == arg);
	} else {
		FUZZ_ASSERT(sim_control_namespace(NULL, text) == 0);
		FUZZ_ASSERT(card.calls == 1 && card.ns_enabled == ns);
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct expect e = {.what = CALL_NONE};
	enum file file;
	bool valid;
	char *line;
	int rc;

	if (size < 1)
		return 0;
	file = (data[0] & 3) == 0 ? FILE_INJECT : (data[0] & 3) == 1 ? FILE_FAULT : FILE_NAMESPACE;
	/* The line ends at the first NUL, as a C string handed over by tree.c would. */
	line = calloc(1, size);
	FUZZ_ASSERT(line);
	memcpy(line, data + 1, size - 1);

	memset(&card, 0, sizeof(card));
	card.rc = (data[0] & 4) ? -ENOSPC : 0;
	valid = expect_line(line, file, &e);
	if (file == FILE_INJECT)
		rc = sim_control_inject(NULL, line);
	else if (file == FILE_FAULT)
		rc = sim_control_fault(NULL, line);
	else
		rc = sim_control_namespace(NULL, line);
	if (valid) {
		/* Setting the namespace or SMART values cannot fail. */
		FUZZ_ASSERT(rc == (file == FILE_NAMESPACE || e.what == CALL_SMART ? 0 : card.rc));
		check_call(&e);
		if (file != FILE_INJECT && !rc)
			check_readback(file);
	} else {
		FUZZ_ASSERT(rc == -EINVAL);
		FUZZ_ASSERT(card.calls == 0);
	}
	free(line);
	return 0;
}
