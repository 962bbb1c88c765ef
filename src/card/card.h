/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One object per card: the lock that serializes its commands, its cached
 * identity, its state, and its durable store (error-log journal, dumps).
 * Every function that talks to the card takes the card's lock itself and
 * logs a failure once, with the card index, the command and the status.
 *
 * struct card is private to src/card (card_priv.h): the layers above read
 * it through the accessors below.
 */
#ifndef OCXLFS_CARD_H
#define OCXLFS_CARD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "codec/codec.h"
#include "proto/render.h"
#include "proto/verdict.h"

struct card;
struct ocxlfs_transport;
struct sim_card;

/* Who asked: logged with destructive commands. */
struct card_caller {
	uid_t uid;
	pid_t pid;
};

/*
 * Whether the caller of the request this thread serves has given up on it
 * (Ctrl-C on a reader): the front end says, through the hook it sets once
 * before serving.  A reader that waited for a card behind another command
 * then gets -EINTR without sending its own (docs/tree.md section 4.2).
 */
void card_set_interrupt_check(bool (*interrupted)(void));

/* The outcome of the last heartbeat command. */
struct card_heartbeat {
	bool done;	     /* false: never sent */
	int rc;		     /* 0 or -errno */
	uint8_t status;	     /* card status byte */
	uint64_t latency_us; /* command round trip */
	struct timespec when; /* CLOCK_REALTIME, when it was sent */
};

/*
 * Largest controller dump ocxlfs collects (EFBIG beyond): a card that
 * claims more keeps its dump, rather than filling the state directory.
 */
#define CARD_MAX_DUMP_BYTES ((size_t)1 << 30)

enum card_state {
	CARD_READY,
	CARD_BUSY,	    /* a secure erase runs */
	CARD_FATAL_FW,	    /* CHI.CFFS */
	CARD_FATAL_HW,	    /* CHI.CHFS */
	CARD_UNRESPONSIVE,  /* the last command timed out */
	CARD_GONE,	    /* the device node answers ENODEV */
};

/*
 * Identifies the card, sizes its label area and opens its journal and dump
 * store under STATE_DIR/<serial>/.  Takes ownership of the transport; SIM
 * is the simulated card behind it, or NULL (not owned).
 */
int card_open(unsigned index, struct ocxlfs_transport *t, struct sim_card *sim,
	      const char *state_dir, struct card **out);
/*
 * The same, with the card's index and the name of its state directory and
 * by-serial link chosen by NAME once the serial is known (a card keeps its
 * index across workers, a second card with a serial already served gets
 * another name, docs/tree.md section 1): NAME writes the name to BUF, may
 * change *INDEX, and returns 0 or -errno.
 */
struct card_naming {
	int (*name)(void *arg, const char *serial, char *buf, size_t cap, unsigned *index);
	void *arg;
};
int card_open_named(unsigned index, struct ocxlfs_transport *t, struct sim_card *sim,
		    const char *state_dir, const struct card_naming *naming, struct card **out);
void card_close(struct card *c);
/*
 * A card that was gone is back, at transport T (hot-plug: found again by
 * serial): T replaces the dead transport and the monitor looks at once.
 * Takes ownership of T.
 */
void card_reattach(struct card *c, struct ocxlfs_transport *t);

/* ---- what the card is: fixed after card_open(), no lock, no command ---- */
unsigned card_index(const struct card *c);
/* The decimal serial: the key of its state directory and by-serial link. */
const char *card_serial(const struct card *c);
/* The name of its state directory and by-serial link: the serial, unless it was taken. */
const char *card_link_name(const struct card *c);
const struct ocxlfs_identity *card_identity(const struct card *c);
uint32_t card_label_size(const struct card *c);
/* The label geometry and the transport, for info and info.json. */
void card_info_extra(const struct card *c, struct ocxlfs_info_extra *extra);
/* CLOCK_REALTIME when the card was opened: the time of files that never change. */
const struct timespec *card_opened(const struct card *c);
/* Set before the card's monitor starts; CARD_MAX_DUMP_BYTES by default. */
void card_set_max_dump(struct card *c, size_t bytes);
/*
 * The monitor (card/monitor.h) registers how to run a pass now: the card
 * calls WAKE after a request or a drain that may have news.  Set while
 * no request runs (before the mount serves, after it stopped).
 */
void card_set_monitor_wake(struct card *c, void (*wake)(void *arg), void *arg);

enum card_state card_get_state(struct card *c);
const char *card_state_name(enum card_state s);

/* EVENT_CHECK: refreshes state and events; returns the mask in *events. */
int card_check_events(struct card *c, uint64_t *events);
/*
 * Moves every queued error-log entry into the journal: read it, persist it,
 * and only then acknowledge it to the card.  Returns entries moved or -errno.
 */
int card_drain_errlog(struct card *c);
/* Collects an available controller dump into the dump store, then "dump complete". */
int card_collect_dump(struct card *c);

/*
 * STATS and SMART: each answer (or failure) is also kept as what the card
 * last answered (card_cached), which metrics.prom and the verdict use
 * without sending anything.
 */
int card_stats(struct card *c, struct ocxlfs_stats *st);

/*
 * What metrics.prom and the root's health show is no older than this while
 * the card answers: the monitor asks the card again once its last answers
 * are this old (docs/json.md section 6).
 */
#define CARD_CACHE_REFRESH_MS 10000
struct card_cached {
	bool up;	 /* the most recent STATS and SMART both succeeded */
	bool have_stats; /* stats holds the answer to the most recent STATS */
	bool have_smart; /* smart holds the answer to the most recent SMART */
	double age_s;	 /* since the older of the last two answers (or the open) */
	struct ocxlfs_stats stats;
	struct ocxlfs_smart smart;
};
/* The last answers, without a command: never waits for the card. */
void card_cached(struct card *c, struct card_cached *out);
/* Monitor side: STATS and SMART again if older than CARD_CACHE_REFRESH_MS (or FORCE). */
void card_refresh(struct card *c, bool force);
/* The card's values may have changed (a sim/ write): the next pass asks again. */
void card_cache_stale(struct card *c);
/*
 * The state directory's trouble, without a command: the -errno of the last
 * journal append and of the last dump stored, each 0 once one succeeded
 * again (docs/tree.md section 5.5).
 */
void card_store_errors(struct card *c, int *journal, int *dumps);
/* Commands queued behind the one that holds the card (tests, diagnostics). */
unsigned card_lock_queued(struct card *c);

/* Sends a heartbeat and records the outcome; returns it (0 or -errno). */
int card_heartbeat(struct card *c);
void card_last_heartbeat(struct card *c, struct card_heartbeat *hb);
/*
 * Starts a secure erase of the whole card.  -EBUSY while a namespace on the
 * card is enabled or an erase runs; the caller is logged either way.
 */
int card_overwrite_start(struct card *c, const struct card_caller *who);
int card_overwrite_status(struct card *c, struct ocxlfs_erase_status *es);
/*
 * Ask the card for a fresh controller dump / a health & performance entry;
 * the monitor then collects what the card posts at once.
 */
int card_request_dump(struct card *c, const struct card_caller *who);
int card_request_health(struct card *c, const struct card_caller *who);
/*
 * Monitor side: posts one event per thing that happened since the last
 * call (entries drained by anyone, dumps collected, state changes).
 */
void card_post_events(struct card *c);
int card_smart(struct card *c, struct ocxlfs_smart *sm);
int card_label_read(struct card *c, void *buf, uint32_t off, uint32_t len);

/*
 * Drains the card, then calls FN for every journalled entry, oldest first,
 * with its log id and its raw bytes as the card sent them
 * (proto/render_errlog.h has the renderers of that shape).  The monitor
 * then posts what was drained to the events file at once.
 */
int card_walk_errlog(struct card *c,
		     int (*fn)(void *arg, uint32_t log_id, const uint8_t *raw, size_t len),
		     void *arg);
/* Opens the newest collected dump (see dump_store_open_newest). */
int card_open_dump(struct card *c, int *fd, size_t *size, struct timespec *when);
/*
 * Opens collected dump *SEQ, or the newest when *SEQ is 0 (and says which),
 * and holds it against pruning (card_dump_unhold drops that), so that a
 * reader's pinned dump can be opened again by a later worker.
 */
int card_open_dump_seq(struct card *c, uint64_t *seq, int *fd, size_t *size,
		       struct timespec *when);
int card_dump_hold(struct card *c, uint64_t seq);
void card_dump_unhold(struct card *c, uint64_t seq);

/* ---- the health verdict (card_health.c, docs/tree.md section 2.8.1) ---- */
struct card_health {
	struct ocxlfs_smart smart; /* valid when smart_rc is 0 */
	int smart_rc;
	struct ocxlfs_stats stats; /* valid when stats_rc is 0 */
	int stats_rc;
	struct ocxlfs_verdict_errlog errlog; /* failure entries in the window */
	bool store_writable; /* the state directory took the last journal and dump writes */
	struct ocxlfs_verdict_result verdict;
};
/* One SMART and one STATS command, the heartbeat, journal and store: the verdict. */
void card_health(struct card *c, struct card_health *h);
/*
 * The same from what the card last answered (card_cached), sending nothing:
 * for metrics.prom and the root's health, which never wait for a card.
 * *AGE_S (if not NULL): the age of those answers.
 */
void card_health_cached(struct card *c, struct card_health *h, double *age_s);
/* The card's verdict now: the hook for whoever reports its changes. */
enum ocxlfs_verdict card_verdict(struct card *c);

/* ---- the card's event log (card/events.h) ---- */
/* NOTIFY runs in the monitor thread after each event posted; set it before the monitor starts. */
void card_set_event_notify(struct card *c, void (*notify)(void *arg, unsigned card), void *arg);
/* The sequence number of the newest event, 0 if none. */
uint64_t card_event_seq(struct card *c);
/* The events file's content; *seq gets the sequence of the newest event shown. */
int card_render_events(struct card *c, FILE *out, uint64_t *seq);

/*
 * ---- the side door to the simulator (card_sim.c) ----
 * The N/sim/ files steer the simulated card behind C (docs/tree.md section
 * 4.1) through here and nowhere else.  Each takes one written line, in the
 * syntax of sim/sim_control.h, or renders the file's content; a write that
 * makes the card post something or change state lets the monitor look at
 * once.  -ENODEV if C is not simulated.
 */
enum card_sim_file {
	CARD_SIM_INJECT,
	CARD_SIM_FAULT,
	CARD_SIM_NAMESPACE,
};
bool card_is_simulated(const struct card *c);
int card_sim_write(struct card *c, enum card_sim_file f, const char *line);
int card_sim_render(struct card *c, enum card_sim_file f, FILE *out);

#endif /* OCXLFS_CARD_H */
