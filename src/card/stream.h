/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The event stream (docs/tree.md section 2.17, docs/json.md section 8):
 * one per mount, shared by its cards, kept by store/event_log.c in the
 * state directory.  Cards post into it from their monitor thread (see
 * card_post_events), where events already arise; each post also runs the
 * card's event notify hook (card_set_event_notify), so poll() waiters on
 * N/events.json, MOUNTPOINT/events.json and N/overwrite wake.
 */
#ifndef OCXLFS_CARD_STREAM_H
#define OCXLFS_CARD_STREAM_H

#include <stdint.h>
#include <stdio.h>

struct card;
struct card_stream;

/* STATE_DIR/events.log; 0 or -ENOMEM (disk trouble only degrades it). */
int card_stream_open(const char *state_dir, struct card_stream **out);
void card_stream_close(struct card_stream *s);
/* The newest event's number, mount-wide (0: none ever). */
uint64_t card_stream_seq(struct card_stream *s);
/*
 * The kept events of card C (NULL: of every card), oldest first, one JSON
 * line each.  *seq gets what card_stream_seq() (C NULL) or
 * card_stream_card_seq() (C) said before they were read: the content
 * shows at least that.
 */
int card_stream_render(struct card_stream *s, struct card *c, FILE *out, uint64_t *seq);

/* Set once, before the card's monitor starts. */
void card_set_stream(struct card *c, struct card_stream *s);
/* How many events card C posted into the stream in this process (only grows). */
uint64_t card_stream_card_seq(struct card *c);
/* How many of them were about its overwrite: what poll() on N/overwrite compares. */
uint64_t card_overwrite_seq(struct card *c);
/* The card was plugged in while mounted: its monitor posts "card-added". */
void card_mark_added(struct card *c);
/*
 * The verdict of N/health changed (the health rules call this from the
 * card's monitor thread): posts "verdict-change" with FROM, TO and the
 * reasons, one line.
 */
void card_post_verdict(struct card *c, const char *from, const char *to, const char *reasons);

#endif /* OCXLFS_CARD_STREAM_H */
