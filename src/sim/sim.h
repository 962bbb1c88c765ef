/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulated card.  It answers the same ioctls the kernel would on
 * /dev/nmemN: ND_IOCTL_CALL envelopes of the passthru contract
 * (<ocxlfs/passthru.h>) and ND_IOCTL_GET_CONFIG_SIZE / GET_CONFIG_DATA /
 * SET_CONFIG_DATA for the label area.  Its persistent state (label area,
 * error-log queue, counter bases, next log id) lives in one file per card
 * under the simulator directory, mapped with libpmem2, so it survives
 * daemon restarts like a card's media does.
 *
 * Thread safety: sim_card_ioctl() and the steering calls may be called
 * from any thread; the card serializes them internally.
 */
#ifndef OCXLFS_SIM_H
#define OCXLFS_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/sim_limits.h"

struct sim_card;

struct sim_config {
	const char *dir;	  /* state directory (created if missing) */
	unsigned index;		  /* card index: state file "<dir>/card<index>.state" */
	uint64_t serial;	  /* 0: derived from index */
	uint32_t label_size;	  /* default 128 KiB; up to 16 MiB */
	uint32_t dump_size;	  /* controller dump size, default 1 MiB */
	unsigned latency_us;	  /* added to every command */
	unsigned initial_errlogs; /* entries queued when the state file is created */
	/* Admin data buffer IDENTIFY reports and DUMP_READ sizes are bound by (0: default). */
	uint32_t admin_buffer_size;
};

#define SIM_DEFAULT_LABEL_SIZE (128u * 1024)
#define SIM_DEFAULT_DUMP_SIZE (1u * 1024 * 1024)

/* Fills defaults for 0 fields. */
void sim_config_defaults(struct sim_config *cfg);

/*
 * Opens (or creates) the card's state file.  An existing file whose
 * geometry (label size) differs from cfg is refused with -EINVAL.
 */
int sim_card_open(const struct sim_config *cfg, struct sim_card **out);
void sim_card_close(struct sim_card *sim);

/* Answers one ioctl on the card's /dev/nmemN; returns 0 or -errno. */
int sim_card_ioctl(struct sim_card *sim, unsigned long request, void *arg);

/* ---- steering, for tests and the sim/ control files ---- */
/* Queue COUNT error-log entries of TYPE (durably); returns 0 or -errno (-ENOSPC when full). */
int sim_card_inject_errlog(struct sim_card *sim, unsigned count, uint8_t type);
/* Number of entries queued on the card (not yet acknowledged). */
unsigned sim_card_errlog_queued(struct sim_card *sim);
/*
 * Fills the label area with a non-zero pattern, as if namespaces had been
 * configured (-EBUSY while a namespace is enabled or an erase runs).
 */
int sim_card_fill_labels(struct sim_card *sim);
/* Completes a running erase now (-EINVAL if none runs), so tests need not wait. */
int sim_card_finish_erase(struct sim_card *sim);
/*
 * Make a dump of SIZE bytes available (CDA set), as the card does after a
 * failure; 0 means the configured size.  -EINVAL if SIZE exceeds the
 * maximum dump size the card reports (CCAP1 = sim_config.dump_size),
 * -EBUSY while the card holds a dump not yet completed (it holds one).
 */
int sim_card_post_dump(struct sim_card *sim, uint32_t size);

/*
 * SMART values that replace the modelled ones (sim/inject "smart ..."):
 * the temperature in degrees (attribute 0xC2's current and raw value), the
 * life remaining in percent (attribute 0xCA and the statistic).
 */
struct sim_smart_override {
	bool temp_set, life_set;
	uint8_t temp_c, life_pct;
};
void sim_card_set_smart(struct sim_card *sim, const struct sim_smart_override *o);
void sim_card_get_smart(struct sim_card *sim, struct sim_smart_override *o);

enum sim_fault_kind {
	SIM_FAULT_NONE,
	SIM_FAULT_DELAY,	/* add arg milliseconds to every command */
	SIM_FAULT_HANG,		/* commands time out after their protocol timeout: -ETIMEDOUT */
	SIM_FAULT_STATUS,	/* every admin command answers status arg */
	SIM_FAULT_CORRUPT,	/* data buffers come back with a wrong identifier */
	SIM_FAULT_FATAL_FW,	/* CFFS: commands fail, event mask shows it */
	SIM_FAULT_FATAL_HW,	/* CHFS */
	SIM_FAULT_VANISH,	/* the device is gone: every ioctl -ENODEV */
};
int sim_card_set_fault(struct sim_card *sim, enum sim_fault_kind kind, unsigned arg);
void sim_card_get_fault(struct sim_card *sim, enum sim_fault_kind *kind, unsigned *arg);

/*
 * Compatibility profiles, to prove the payload rule (docs/protocol.md):
 * LEGACY answers shorter identity blocks and BAD_OPCODE for commands an
 * older firmware would not know; FUTURE appends fields, parameter blocks,
 * SMART IDs and error-log types this daemon does not know.
 */
enum sim_profile { SIM_PROFILE_CURRENT, SIM_PROFILE_LEGACY, SIM_PROFILE_FUTURE };
void sim_card_set_profile(struct sim_card *sim, enum sim_profile p);

/* Namespace enablement, modelled for overwrite's EBUSY rule. */
void sim_card_set_namespace_enabled(struct sim_card *sim, bool enabled);
bool sim_card_namespace_enabled(struct sim_card *sim);

/* Passthru commands the card answered so far (what a reader waited for). */
uint64_t sim_card_commands(struct sim_card *sim);
/*
 * Runs HOOK(arg, nd_command) at the start of every passthru command, in
 * the caller's thread, with the card's channel taken (other commands wait)
 * but not its steering lock: a test can hold a command there.
 */
typedef void sim_command_hook_fn(void *arg, unsigned nd_command);
void sim_card_set_command_hook(struct sim_card *sim, sim_command_hook_fn *hook, void *arg);

/* Per-command timeouts of the protocol (docs/protocol.md, section 3.2), ms. */
unsigned sim_cmd_timeout_ms(unsigned nd_command);

/* ---- modelled sizes, durations and identity ---- */

/*
 * Admin data buffer: the default and largest (a 16-bit 'CD' length still
 * describes all it holds), and the smallest (every reply but a dump chunk
 * fits), in bytes; a multiple of 8.
 */
#define SIM_ADMIN_BUFFER_SIZE 0x10000u
#define SIM_MIN_ADMIN_BUFFER_SIZE 0x1000u
/* Modelled duration of a secure erase. */
#define SIM_DEFAULT_ERASE_MS 2000u
/*
 * Error-log type a SIM_PROFILE_FUTURE card gives every entry it queues
 * through sim_card_inject_errlog(): one this daemon does not know.
 * (Health requests still post type 0x04.)
 */
#define SIM_EL_TYPE_FUTURE 0x09

/* Duration of erases started from now on; 0 restores the default. */
void sim_card_set_erase_ms(struct sim_card *sim, unsigned ms);
/* The card's serial number, as IDENTIFY reports it. */
uint64_t sim_card_serial(struct sim_card *sim);

#endif /* OCXLFS_SIM_H */
