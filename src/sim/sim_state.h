/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulated card's persistent state: one file per card,
 * "<dir>/card<index>.state", mapped with libpmem2.  What a real card keeps
 * on its media across host restarts lives here; everything else (faults,
 * profile, namespace enablement) is RAM-only steering in sim.c.
 *
 * File layout (host-endian; the file never leaves the host):
 *   [0, 4096)                      struct sim_hdr
 *   [4096, 4096 + ring)            error-log ring, SIM_ERRLOG_CAPACITY slots
 *   [label_off, label_off + size)  label area
 *
 * Every mutation is stored and persisted in an order that a crash at any
 * point leaves a consistent file: data first, then the word that publishes
 * it.  Aligned 8-byte stores are the unit of atomicity.  The whole file is
 * allocated when it is opened (util/pmem.h), so a full file system fails
 * the open with -ENOSPC instead of a store with SIGBUS.  A persist that
 * fails (an I/O error of the medium the file is on) is logged once; the
 * simulated card carries on, as a card whose media failed would not tell.
 *
 * Not thread safe: the caller (sim.c) holds the card's mutex.
 */
#ifndef OCXLFS_SIM_STATE_H
#define OCXLFS_SIM_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/sim_limits.h"
#include "util/pmem.h"

#define SIM_STATE_MAGIC	   0x314D49534C58434FULL /* "OCXLSIM1" read as a LE word */
#define SIM_STATE_VERSION  1u
#define SIM_STATE_HDR_SIZE 4096u
/* One ring slot: an 8-byte slot header, then the raw 'EL' bytes. */
#define SIM_SLOT_SIZE 256u
#define SIM_SLOT_DATA (SIM_SLOT_SIZE - 8u)

struct sim_hdr {
	uint64_t magic; /* written last at creation: a torn create re-initializes */
	uint32_t version;
	uint32_t label_size;
	uint64_t serial;
	uint32_t dump_size; /* configured dump size (may change across opens) */
	uint32_t errlog_capacity;
	uint32_t slot_size;
	uint32_t pad0;
	uint64_t epoch_ms;    /* CLOCK_REALTIME ms of the card's power-on: counter origin */
	uint64_t reset_count; /* card resets (IPLs): one per sim_card_open */
	uint64_t next_log_id; /* identifier of the next error-log entry */
	uint64_t el_head;     /* ring counters, never wrap: count = tail - head */
	uint64_t el_tail;
	/* controller dump, kept until "dump complete" like the card's buffer */
	uint64_t dump_seq;   /* per-dump sequence number, seeds its content */
	uint64_t dump_len;   /* bytes in the available dump */
	uint64_t dump_avail; /* CHI.CDA */
	/* secure erase: persisted so an erase in flight finishes after a restart */
	uint64_t erase_state;	 /* enum ocxlfs_erase_state */
	uint64_t erase_start_ms; /* CLOCK_REALTIME */
	uint64_t erase_ms;	 /* modelled duration of the running erase */
	uint64_t erase_count;
};

struct sim_el_slot {
	uint32_t len; /* bytes of 'EL' data */
	uint32_t log_id;
	uint8_t data[SIM_SLOT_DATA];
};

struct sim_state {
	int fd;
	struct ocxlfs_pmem pm;
	struct sim_hdr *hdr;
	struct sim_el_slot *ring;
	uint8_t *label;
	bool created;	     /* the file was (re)initialized by this open */
	bool persist_failed; /* logged once */
};

/*
 * Opens or creates the state file.  On creation the header gets serial,
 * label_size, dump_size and an epoch; the caller then queues its initial
 * entries and calls sim_state_commit() to publish the file.  An existing
 * file with another label size (or layout) is refused with -EINVAL; one
 * locked by another process with -EBUSY.
 */
int sim_state_open(struct sim_state *st, const char *dir, unsigned index, uint64_t serial,
		   uint32_t label_size, uint32_t dump_size);
/* Publishes a newly created file (writes the magic); no-op otherwise. */
void sim_state_commit(struct sim_state *st);
void sim_state_close(struct sim_state *st);

/* Stores one header word and persists it. */
void sim_state_set(struct sim_state *st, uint64_t *field, uint64_t v);

/* ---- error-log ring ---- */
unsigned sim_state_el_count(const struct sim_state *st);
/*
 * Appending is two steps so a batch costs one persist: stage writes entry
 * number i past the tail (invisible until published; -ENOSPC / -EMSGSIZE),
 * publish persists the staged slots and makes n entries visible.
 */
int sim_state_el_stage(struct sim_state *st, unsigned i, uint32_t log_id, const uint8_t *el,
		       size_t len);
void sim_state_el_publish(struct sim_state *st, unsigned n, uint64_t next_log_id);
/* Oldest entry, or NULL when empty. */
const struct sim_el_slot *sim_state_el_head(const struct sim_state *st);
void sim_state_el_pop(struct sim_state *st);

/* ---- label area ---- */
void sim_state_label_write(struct sim_state *st, uint32_t off, const void *buf, uint32_t len);
void sim_state_label_zero(struct sim_state *st);

/* ---- controller dump ---- */
/*
 * The bytes [off, off + n) of the dump the header describes: a function of
 * (dump_seq, dump_len, serial) only, so that a test can say what a stored
 * dump must hold.  Word 0 is "CXLSDUMP", 1 the sequence number, 2 the
 * length, 3 the serial, the rest splitmix64 of the three.
 */
void sim_state_dump_fill(const struct sim_hdr *h, uint64_t off, uint8_t *dst, size_t n);

/* ---- offline inspection ---- */
/*
 * Reads the header of the state file PATH without opening it for use: no
 * lock, no change.  -EINVAL if it is not a state file of this layout,
 * -ENODATA if its creation never completed.
 */
int sim_state_peek(const char *path, struct sim_hdr *h);

#endif /* OCXLFS_SIM_STATE_H */
