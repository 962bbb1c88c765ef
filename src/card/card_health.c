// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A card's health verdict (card.h, card_health()): gathers what the pure
 * rules of proto/verdict.h look at (the state, one SMART and one STATS
 * command or what the card last answered to them, the last heartbeat, recent failure entries in the journal and
 * the state directory's last errors) and evaluates them.
 */
#include <errno.h>
#include <stdlib.h>

#include "card/card_priv.h"
#include "store/dump_store.h"
#include "store/journal.h"

/*
 * Journal entries looked at, newest first, for failure entries within the
 * window: bounds the cost of a health read whatever the journal holds.
 */
#define CARD_HEALTH_MAX_SCAN 4096u

/*
 * Counts the failure-type entries the card logged within the window of its
 * power-on clock NOW_S.  The journal is in the order entries were drained,
 * so the walk goes back from the newest one until an entry is older.
 */
static void recent_failures(struct card *c, uint64_t now_s, struct ocxlfs_verdict_errlog *out)
{
	uint8_t *buf = malloc(OCXLFS_EL_MAX_SIZE);
	uint64_t first, end, idx;
	unsigned scanned = 0;

	if (!buf)
		return;
	/* The journal takes no lock of the caller's (store/journal.h). */
	errlog_journal_range(c->journal, &first, &end);
	for (idx = end; idx > first && scanned < CARD_HEALTH_MAX_SCAN; idx--, scanned++) {
		struct journal_entry e;
		struct ocxlfs_errlog el;

		if (errlog_journal_read(c->journal, idx - 1, &e, buf, OCXLFS_EL_MAX_SIZE) ||
		    ocxlfs_errlog_decode(buf, e.len, &el))
			continue;
		/* A clock that went back (an older entry "in the future") still counts. */
		if (el.power_on_seconds < now_s &&
		    now_s - el.power_on_seconds >= OCXLFS_VERDICT_ERRLOG_WINDOW_S)
			break;
		if (el.type == OCXLFS_EL_PREDICTIVE)
			out->predictive_failure++;
		else if (el.type == OCXLFS_EL_THERMAL)
			out->thermal_warning++;
		else if (el.type == OCXLFS_EL_DATA_LOSS)
			out->data_loss++;
	}
	free(buf);
}

/* The rules over SMART and STATS as H holds them, and the rest as it is now. */
static void evaluate(struct card *c, struct card_health *h)
{
	struct ocxlfs_verdict_input in = {0};
	struct journal_stats js;
	struct card_heartbeat hb;

	card_last_heartbeat(c, &hb);
	errlog_journal_stats(c->journal, &js);

	in.state = card_state_name(card_get_state(c));
	in.smart = h->smart_rc ? NULL : &h->smart;
	in.smart_rc = h->smart_rc;
	in.stats = h->stats_rc ? NULL : &h->stats;
	in.stats_rc = h->stats_rc;
	/* The window is on the card's power-on clock, which STATS reports. */
	if (in.stats && (h->stats.present & (1u << OCXLFS_STAT_POWER_ON_UPTIME)))
		recent_failures(c, h->stats.value[OCXLFS_STAT_POWER_ON_UPTIME], &in.errlog);
	in.heartbeat_failed = hb.done && hb.rc;
	in.heartbeat_rc = hb.rc;
	in.journal_rc = js.last_error;
	in.dump_rc = dump_store_last_error(c->dumps);
	h->errlog = in.errlog;
	h->store_writable = !in.journal_rc && !in.dump_rc;
	ocxlfs_verdict_eval(&in, &h->verdict);
}

void card_health(struct card *c, struct card_health *h)
{
	h->smart_rc = card_smart(c, &h->smart);
	h->stats_rc = card_stats(c, &h->stats);
	evaluate(c, h);
}

void card_health_cached(struct card *c, struct card_health *h, double *age_s)
{
	struct card_cached *cc = malloc(sizeof(*cc));

	if (!cc) {
		h->smart_rc = h->stats_rc = -ENOMEM;
	} else {
		card_cached(c, cc);
		h->smart = cc->smart;
		h->stats = cc->stats;
		/* Never answered since the card was opened: nothing to judge yet. */
		h->smart_rc = cc->have_smart ? 0 : -ENODATA;
		h->stats_rc = cc->have_stats ? 0 : -ENODATA;
		if (age_s)
			*age_s = cc->age_s;
		free(cc);
	}
	evaluate(c, h);
}

enum ocxlfs_verdict card_verdict(struct card *c)
{
	struct card_health *h = malloc(sizeof(*h));
	enum ocxlfs_verdict v;

	if (!h)
		return OCXLFS_VERDICT_WARNING;
	card_health_cached(c, h, NULL);
	v = h->verdict.verdict;
	free(h);
	return v;
}
