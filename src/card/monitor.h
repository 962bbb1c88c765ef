/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One thread per card that watches its events (error log available, dump
 * available, fatal) and moves what the card hands over into the durable
 * store, so nothing waits for a reader.  One thread per card keeps a hung
 * card from delaying the others.
 */
#ifndef OCXLFS_CARD_MONITOR_H
#define OCXLFS_CARD_MONITOR_H

struct card;
struct card_monitor;

#define CARD_MONITOR_INTERVAL_MS 1000

/*
 * The thread also runs a pass at once, instead of at the next interval,
 * whenever the card says it has news (card_set_monitor_wake): after a
 * request, a write to sim/inject or sim/fault, a read of error_log.
 */
int card_monitor_start(struct card *c, unsigned interval_ms, struct card_monitor **out);
/* Wakes the thread and joins it. */
void card_monitor_stop(struct card_monitor *m);

#endif /* OCXLFS_CARD_MONITOR_H */
