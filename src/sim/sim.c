// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The simulated card: answers the ioctls the kernel would on /dev/nmemN
 * (ND_IOCTL_CALL envelopes of the passthru contract and the three label
 * area ioctls), with the card's own data-buffer formats built by the
 * encoders of src/codec/codec.c.
 *
 * Model:
 * - Counters move with wall-clock time since the card's power-on epoch
 *   (persisted), so two reads are never equal and a restarted daemon sees
 *   them continue.  sim_card_open() is a card reset (IPL).
 * - The error-log queue, the next log id, an available dump and a running
 *   erase are persisted (sim_state.c); faults, profile and namespace
 *   enablement are RAM-only steering.
 * - A real card serializes its admin channel: one command at a time
 *   (channel), the modelled latency and a hang's timeout slept inside it.
 *   The steering (faults, injections) has a lock of its own (lock) that a
 *   sleeping command does not hold, so sim/ answers at once while a command
 *   sleeps, and a changed fault ends or lengthens the sleep under way.
 * - The card holds one dump until DUMP_COMPLETE: a dump it would post by
 *   itself meanwhile is refused (-EBUSY).  DUMP_REQUEST, as the doorbell
 *   does, replaces the held dump: the daemon must not send it then.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include <linux/ndctl.h>

#include <ocxlfs/passthru.h>

#include "codec/codec.h"
#include "sim/sim.h"
#include "sim/sim_state.h"
#include "util/log.h"

#define SIM_SERIAL_BASE 2020000000ULL
#define SIM_FW_VERSION "01.02.03"
#define SIM_REVISION 0x0011u	    /* SCM revision 1.1 */
#define SIM_READ_LATENCY_NS 300u
#define SIM_READY_TIMEOUT_S 5u
#define SIM_MEM_AVAIL_TIMEOUT_S 10u
#define SIM_MEDIA_BYTES (256ULL << 30) /* the PMEM region behind the label area */
#define SIM_LABEL_MAX_XFER 4096u	/* PAGE_SIZE, as the posted driver reports */
#define SIM_LABEL_MAX_CALL (128u * 1024)
#define SIM_LABEL_TIMEOUT_MS 100u
#define SIM_CORRUPT_ID 0x5858u /* 'XX' */

struct sim_card {
	pthread_mutex_t channel; /* one command at a time, sleeps included */
	pthread_mutex_t lock;	 /* the state below: steering never waits for a command */
	pthread_cond_t changed;	 /* a fault changed: a sleeping command looks again */
	uint64_t commands;	 /* passthru commands answered (tests count them) */
	sim_command_hook_fn *hook;
	void *hook_arg;
	struct sim_state st;
	unsigned index;
	unsigned latency_us;
	enum sim_fault_kind fault;
	unsigned fault_arg;
	enum sim_profile profile;
	bool ns_enabled;
	unsigned erase_ms;
	uint32_t admin_buffer;	  /* the admin data buffer: what one reply can hold */
	uint16_t cmd_id;	  /* echoed in the response word like the admin channel */
	uint64_t reset_mono_us;	  /* CLOCK_MONOTONIC at the reset (open) */
	uint64_t last_elapsed_ms; /* counters never run backwards, even if the clock does */
	struct sim_smart_override smart; /* sim_card_set_smart(): values that replace the model */
	/*
	 * Allocated on first use, so that an idle card costs little: the dump
	 * bytes of one DUMP_READ, and the response word + data buffer.
	 */
	uint8_t *chunk;
	uint8_t *rsp;
};

/* ---- time ---- */

static uint64_t clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* How long a command takes on top of its work, as the fault says now. */
static uint64_t sim_stall_us(const struct sim_card *sim, unsigned timeout_ms)
{
	uint64_t us = sim->latency_us;

	if (sim->fault == SIM_FAULT_DELAY)
		us += (uint64_t)sim->fault_arg * 1000;
	if (sim->fault == SIM_FAULT_HANG)
		us += (uint64_t)timeout_ms * 1000;
	return us;
}

/*
 * Sleeps the modelled latency, delay or hang with the state lock held
 * (and so released while waiting): a fault written meanwhile is looked
 * at again, so "none" ends a 20 s delay at once.  True if the command
 * hangs (no answer within TIMEOUT_MS).
 */
static bool sim_sleep(struct sim_card *sim, unsigned timeout_ms)
{
	uint64_t start = mono_us();

	for (;;) {
		uint64_t until = start + sim_stall_us(sim, timeout_ms);
		struct timespec ts = { .tv_sec = (time_t)(until / 1000000),
				       .tv_nsec = (long)(until % 1000000) * 1000 };

		if (mono_us() >= until)
			break;
		pthread_cond_timedwait(&sim->changed, &sim->lock, &ts);
	}
	return sim->fault == SIM_FAULT_HANG;
}

/* ms since the card's power-on epoch, monotonic for this open. */
static uint64_t elapsed_ms(struct sim_card *sim)
{
	uint64_t now = clock_ms(CLOCK_REALTIME), epoch = sim->st.hdr->epoch_ms;
	uint64_t e = now > epoch ? now - epoch : 0;

	if (e < sim->last_elapsed_ms)
		e = sim->last_elapsed_ms;
	sim->last_elapsed_ms = e;
	return e;
}

static uint64_t since_reset_us(const struct sim_card *sim)
{
	return mono_us() - sim->reset_mono_us;
}

/* ---- error-log entries ---- */

/* NAA-6 WWID with IBM's OUI, the serial as the extension. */
static void card_wwid(const struct sim_card *sim, uint64_t wwid[2])
{
	wwid[0] = (6ULL << 60) | (0x005076ULL << 36) | (sim->index & 0xFFFFFFFFFULL);
	wwid[1] = sim->st.hdr->serial;
}

static uint32_t el_action_flags(uint8_t type, uint32_t id)
{
	static const uint32_t general[] = { OCXLFS_EL_ACT_TAKE_DUMP, OCXLFS_EL_ACT_CHECK_FW,
					    OCXLFS_EL_ACT_RESET | OCXLFS_EL_ACT_TAKE_DUMP };

	/* Only meaningful for general entries; the card reports 0 otherwise. */
	return type == OCXLFS_EL_GENERAL ? general[id % 3] : 0;
}

static int el_build(struct sim_card *sim, uint32_t id, uint8_t type, uint8_t *buf, size_t cap)
{
	struct ocxlfs_errlog el = { 0 };
	uint8_t addl[64] = { 0 };
	int n;

	el.log_id = id;
	el.program_ref_code = 0xB1D40000u | ((uint32_t)type << 8) | (id & 0xFF);
	el.type = type;
	el.action_flags = el_action_flags(type, id);
	el.power_on_seconds = (uint32_t)(elapsed_ms(sim) / 1000);
	el.timestamp = since_reset_us(sim); /* µs since the current IPL */
	card_wwid(sim, el.wwid);
	memcpy(el.fw_revision, SIM_FW_VERSION, 8);
	/* Readable additional data, NUL padded to a multiple of 8 (16..64 bytes). */
	n = snprintf((char *)addl, sizeof(addl), "ocxlfs-sim card %u: %s event, log %u", sim->index,
		     ocxlfs_errlog_type_name(type), id);
	if (n < 0)
		n = 0;
	if (n >= (int)sizeof(addl))
		n = sizeof(addl) - 1;
	el.addl_len = (uint16_t)(((unsigned)n + 1 + 7) & ~7u);
	if (el.addl_len < 16)
		el.addl_len = 16;
	el.addl = addl;
	return ocxlfs_errlog_encode(&el, buf, cap);
}

/* Queues COUNT entries of TYPE (or, if MIXED, cycling the known types) durably, all or nothing. */
static int el_queue(struct sim_card *sim, unsigned count, uint8_t type, bool mixed)
{
	uint8_t buf[SIM_SLOT_DATA];
	uint64_t id = sim->st.hdr->next_log_id;

	if (count > SIM_ERRLOG_CAPACITY - sim_state_el_count(&sim->st))
		return -ENOSPC;
	for (unsigned i = 0; i < count; i++, id++) {
		uint8_t t = mixed ? (uint8_t)(i % OCXLFS_EL_HEALTH_PERF) : type;
		int n = el_build(sim, (uint32_t)id, t, buf, sizeof(buf));

		if (n < 0)
			return n;
		n = sim_state_el_stage(&sim->st, i, (uint32_t)id, buf, (size_t)n);
		if (n)
			return n;
	}
	sim_state_el_publish(&sim->st, count, id);
	return 0;
}

/* ---- controller dump: content from sim_state_dump_fill() ---- */

static void dump_post(struct sim_card *sim, uint32_t size)
{
	struct sim_hdr *h = sim->st.hdr;

	/* Withdraw, describe, then publish: a crash never shows a half-made dump. */
	sim_state_set(&sim->st, &h->dump_avail, 0);
	sim_state_set(&sim->st, &h->dump_seq, h->dump_seq + 1);
	sim_state_set(&sim->st, &h->dump_len, size);
	sim_state_set(&sim->st, &h->dump_avail, 1);
}

/* ---- secure erase ---- */

static uint64_t acc_pages(const struct sim_card *sim)
{
	return ((uint64_t)sim->st.hdr->label_size + SIM_MEDIA_BYTES) / 4096;
}

static uint64_t def_pages(const struct sim_card *sim)
{
	return 2 + sim->st.hdr->serial % 3;
}

/* Per mille done of the running erase. */
static uint64_t erase_progress(const struct sim_card *sim)
{
	const struct sim_hdr *h = sim->st.hdr;
	uint64_t now = clock_ms(CLOCK_REALTIME);
	uint64_t el = now > h->erase_start_ms ? now - h->erase_start_ms : 0;

	if (h->erase_state == OCXLFS_ERASE_DONE)
		return 1000;
	if (h->erase_state != OCXLFS_ERASE_RUNNING)
		return 0;
	if (h->erase_ms == 0 || el >= h->erase_ms)
		return 1000;
	return el * 1000 / h->erase_ms;
}

/* Finishes an erase whose time has come: labels zeroed (persisted), then DONE. */
static void erase_poll(struct sim_card *sim)
{
	struct sim_hdr *h = sim->st.hdr;

	if (h->erase_state != OCXLFS_ERASE_RUNNING || erase_progress(sim) < 1000)
		return;
	sim_state_label_zero(&sim->st);
	sim_state_set(&sim->st, &h->erase_state, OCXLFS_ERASE_DONE);
	log_info("sim: card %u: secure erase complete", sim->index);
}

/* ---- commands ---- */

struct cmd_ctx {
	const uint8_t *in;
	uint32_t in_len;
	uint8_t *data; /* the admin data buffer, cap bytes */
	size_t cap;
	size_t dlen;
};

static uint64_t in_word(const struct cmd_ctx *c, unsigned i)
{
	return ocxlfs_get_le64(c->in + 8 * i);
}

static uint8_t cmd_identify(struct sim_card *sim, struct cmd_ctx *c)
{
	struct ocxlfs_identity id = { 0 };
	int n;

	id.serial = sim->st.hdr->serial;
	memcpy(id.fw_version, SIM_FW_VERSION, 8);
	id.ccap0 = SIM_REVISION | ((uint64_t)SIM_READ_LATENCY_NS << 32) |
		   ((uint64_t)SIM_READY_TIMEOUT_S << 48) | ((uint64_t)SIM_MEM_AVAIL_TIMEOUT_S << 52);
	id.ccap1 = sim->st.hdr->dump_size;
	id.admin_buffer_size = sim->admin_buffer;
	id.has_admin_buffer_size = true;
	n = ocxlfs_identity_encode(&id, c->data, c->cap);
	if (n < 0)
		return OCXLFS_STATUS_FAILED;
	c->dlen = (size_t)n;
	if (sim->profile == SIM_PROFILE_LEGACY) {
		/* An older block ends before the admin buffer size. */
		ocxlfs_put_le64(c->data, ocxlfs_hdr_make(OCXLFS_ID_IDENTITY, 0x20));
		c->dlen = 8 + 0x20;
	} else if (sim->profile == SIM_PROFILE_FUTURE) {
		/* Appended fields: near-storage buffer size, feature bits. */
		ocxlfs_put_le64(c->data + 0x30, 0x1000);
		ocxlfs_put_le64(c->data + 0x38, 0x5);
		ocxlfs_put_le64(c->data, ocxlfs_hdr_make(OCXLFS_ID_IDENTITY, 0x38));
		c->dlen = 8 + 0x38;
	}
	return OCXLFS_STATUS_SUCCESS;
}

static uint8_t cmd_smart(struct sim_card *sim, struct cmd_ctx *c)
{
	struct ocxlfs_smart sm = { 0 };
	uint64_t e = elapsed_ms(sim);
	uint8_t temp = (uint8_t)(40 + ((e / 1000) * 7 + sim->st.hdr->serial) % 6);
	uint8_t life = sim->smart.life_set ? sim->smart.life_pct : 97;
	int n;

	if (sim->smart.temp_set)
		temp = sim->smart.temp_c;
	sm.attr[0] = (struct ocxlfs_smart_attr){ OCXLFS_SMART_POWER_ON_HOURS, 0x0032, 100, 0, 100,
					       e / 3600000 };
	sm.attr[1] = (struct ocxlfs_smart_attr){ OCXLFS_SMART_TEMPERATURE, 0x0022, temp, 85, 47, temp };
	sm.attr[2] = (struct ocxlfs_smart_attr){ OCXLFS_SMART_LIFE_REMAINING, 0x0033, life, 10,
						 life < 97 ? life : 97, life };
	sm.count = 3;
	if (sim->profile == SIM_PROFILE_FUTURE)
		sm.attr[sm.count++] = (struct ocxlfs_smart_attr){ 0xE7, 0x0032, 100, 10, 100, 4711 };
	n = ocxlfs_smart_encode(&sm, c->data, c->cap);
	if (n < 0)
		return OCXLFS_STATUS_FAILED;
	c->dlen = (size_t)n;
	return OCXLFS_STATUS_SUCCESS;
}

static uint8_t cmd_stats(struct sim_card *sim, struct cmd_ctx *c)
{
	struct ocxlfs_stats st = { 0 };
	uint64_t e = elapsed_ms(sim), *v = st.value;
	int n;

	v[OCXLFS_STAT_RESET_COUNT] = sim->st.hdr->reset_count;
	v[OCXLFS_STAT_RESET_UPTIME] = since_reset_us(sim) / 1000000;
	v[OCXLFS_STAT_POWER_ON_UPTIME] = e / 1000;
	v[OCXLFS_STAT_LIFE_REMAINING] = sim->smart.life_set ? sim->smart.life_pct : 97;
	v[OCXLFS_STAT_CRIT_RESOURCE_UTIL] = 3;
	/* Rates per ms of power-on time; durations from modelled latencies. */
	v[OCXLFS_STAT_HOST_LOAD_COUNT] = e * 37;
	v[OCXLFS_STAT_HOST_STORE_COUNT] = e * 23;
	v[OCXLFS_STAT_HOST_LOAD_DURATION] = e * 37 * 310;
	v[OCXLFS_STAT_HOST_STORE_DURATION] = e * 23 * 420;
	v[OCXLFS_STAT_MEDIA_READ_COUNT] = e * 11;
	v[OCXLFS_STAT_MEDIA_WRITE_COUNT] = e * 7;
	v[OCXLFS_STAT_MEDIA_READ_DURATION] = e * 11 * SIM_READ_LATENCY_NS;
	v[OCXLFS_STAT_MEDIA_WRITE_DURATION] = e * 7 * 800;
	v[OCXLFS_STAT_CACHE_READ_HIT_COUNT] = e * (37 - 11);
	v[OCXLFS_STAT_CACHE_WRITE_HIT_COUNT] = e * 16;
	v[OCXLFS_STAT_FAST_WRITE_COUNT] = e * 5;
	st.present = (1u << OCXLFS_STAT_NR) - 1;
	n = ocxlfs_stats_encode(&st, c->data, c->cap);
	if (n < 0)
		return OCXLFS_STATUS_FAILED;
	c->dlen = (size_t)n;
	if (sim->profile == SIM_PROFILE_FUTURE) {
		/* An appended parameter block this daemon does not know. */
		uint8_t *b = c->data + c->dlen;

		ocxlfs_put_le64(b, (0x03ULL << 56) | 0x18);
		ocxlfs_put_le64(b + 0x08, e / 1000);
		ocxlfs_put_le64(b + 0x10, e * 3);
		ocxlfs_put_le64(b + 0x18, 0);
		c->dlen += 0x20;
		ocxlfs_put_le64(c->data, ocxlfs_hdr_make(OCXLFS_ID_STATS, (uint32_t)(c->dlen - 8)));
	}
	return OCXLFS_STATUS_SUCCESS;
}

static uint8_t cmd_errlog_next(struct sim_card *sim, struct cmd_ctx *c)
{
	const struct sim_el_slot *s = sim_state_el_head(&sim->st);

	/* Nothing queued: success with no data (ELA clear). */
	if (s && s->len <= SIM_SLOT_DATA) {
		memcpy(c->data, s->data, s->len);
		c->dlen = s->len;
	}
	return OCXLFS_STATUS_SUCCESS;
}

static uint8_t cmd_errlog_ack(struct sim_card *sim, struct cmd_ctx *c)
{
	const struct sim_el_slot *s = sim_state_el_head(&sim->st);

	if (c->in_len < 8 || !s || in_word(c, 0) != s->log_id)
		return OCXLFS_STATUS_BAD_REQUEST;
	sim_state_el_pop(&sim->st);
	return OCXLFS_STATUS_SUCCESS;
}

static uint8_t cmd_dump_read(struct sim_card *sim, struct cmd_ctx *c)
{
	const struct sim_hdr *h = sim->st.hdr;
	uint64_t w, off, size;
	int n;

	if (c->in_len < 8)
		return OCXLFS_STATUS_BAD_REQUEST;
	w = in_word(c, 0);
	off = w >> 32;
	size = w & 0xFFFFFFFF;
	if (size == 0 || size % 8 || size > sim->admin_buffer)
		return OCXLFS_STATUS_BAD_REQUEST;
	if (!h->dump_avail)
		return OCXLFS_STATUS_FAILED;
	/* The chunk and its header share the data buffer: a card sends what fits. */
	if (size > c->cap - 8)
		size = c->cap - 8;
	if (off >= h->dump_len)
		size = 0;
	else if (size > h->dump_len - off)
		size = h->dump_len - off;
	if (!sim->chunk)
		sim->chunk = malloc(c->cap - 8);
	if (!sim->chunk)
		return OCXLFS_STATUS_FAILED;
	sim_state_dump_fill(h, off, sim->chunk, (size_t)size);
	n = ocxlfs_dump_chunk_encode(sim->chunk, (size_t)size, c->data, c->cap);
	if (n < 0)
		return OCXLFS_STATUS_FAILED;
	c->dlen = (size_t)n;
	return OCXLFS_STATUS_SUCCESS;
}

static uint64_t event_mask(struct sim_card *sim)
{
	uint64_t m = 0;

	if (sim_state_el_count(&sim->st))
		m |= OCXLFS_EVENT_ELA;
	if (sim->st.hdr->dump_avail)
		m |= OCXLFS_EVENT_CDA;
	if (sim->fault == SIM_FAULT_FATAL_HW)
		m |= OCXLFS_EVENT_FATAL_HW;
	if (sim->fault == SIM_FAULT_FATAL_FW)
		m |= OCXLFS_EVENT_FATAL_FW;
	if (sim->st.hdr->erase_state == OCXLFS_ERASE_RUNNING)
		m |= OCXLFS_EVENT_ERASE_BUSY;
	return m;
}

static uint8_t cmd_erase_start(struct sim_card *sim, struct cmd_ctx *c)
{
	struct sim_hdr *h = sim->st.hdr;

	if (sim->ns_enabled || h->erase_state == OCXLFS_ERASE_RUNNING)
		return OCXLFS_STATUS_BLOCKED_BG;
	/* Parameters before the state word that makes them live. */
	sim_state_set(&sim->st, &h->erase_start_ms, clock_ms(CLOCK_REALTIME));
	sim_state_set(&sim->st, &h->erase_ms, sim->erase_ms);
	sim_state_set(&sim->st, &h->erase_count, h->erase_count + 1);
	sim_state_set(&sim->st, &h->erase_state, OCXLFS_ERASE_RUNNING);
	log_notice("sim: card %u: secure erase started (%u ms)", sim->index, sim->erase_ms);
	return OCXLFS_STATUS_SUCCESS;
}

static uint8_t cmd_erase_status(struct sim_card *sim, struct cmd_ctx *c)
{
	struct ocxlfs_erase_status es = { 0 };
	uint64_t p = erase_progress(sim);
	int n;

	es.state = sim->st.hdr->erase_state;
	es.progress_permille = p;
	es.ns_status = OCXLFS_STATUS_SUCCESS;
	if (es.state == OCXLFS_ERASE_RUNNING || es.state == OCXLFS_ERASE_DONE) {
		es.acc_tried = acc_pages(sim) * p / 1000;
		es.acc_ok = es.acc_tried;
		es.def_tried = def_pages(sim) * p / 1000;
		es.def_ok = es.def_tried;
	}
	n = ocxlfs_erase_status_encode(&es, c->data, c->cap);
	if (n < 0)
		return OCXLFS_STATUS_FAILED;
	c->dlen = (size_t)n;
	return OCXLFS_STATUS_SUCCESS;
}

static uint8_t dispatch(struct sim_card *sim, unsigned cmd, struct cmd_ctx *c)
{
	switch (cmd) {
	case OCXLFS_CMD_SMART:
		return cmd_smart(sim, c);
	case OCXLFS_CMD_IDENTIFY:
		return cmd_identify(sim, c);
	case OCXLFS_CMD_ERRLOG_NEXT:
		return cmd_errlog_next(sim, c);
	case OCXLFS_CMD_ERRLOG_ACK:
		return cmd_errlog_ack(sim, c);
	case OCXLFS_CMD_STATS:
		return cmd_stats(sim, c);
	case OCXLFS_CMD_DUMP_REQUEST:
		dump_post(sim, sim->st.hdr->dump_size);
		return OCXLFS_STATUS_SUCCESS;
	case OCXLFS_CMD_DUMP_READ:
		return cmd_dump_read(sim, c);
	case OCXLFS_CMD_DUMP_COMPLETE:
		sim_state_set(&sim->st, &sim->st.hdr->dump_avail, 0);
		return OCXLFS_STATUS_SUCCESS;
	case OCXLFS_CMD_HEARTBEAT:
		return OCXLFS_STATUS_SUCCESS;
	case OCXLFS_CMD_HEALTH_REQUEST:
		/* The card answers by posting a health & performance entry. */
		return el_queue(sim, 1, OCXLFS_EL_HEALTH_PERF, false) ? OCXLFS_STATUS_FAILED
							     : OCXLFS_STATUS_SUCCESS;
	case OCXLFS_CMD_EVENT_CHECK:
		ocxlfs_put_le64(c->data, event_mask(sim));
		c->dlen = 8;
		return OCXLFS_STATUS_SUCCESS;
	case OCXLFS_CMD_ERASE_START:
		return cmd_erase_start(sim, c);
	case OCXLFS_CMD_ERASE_STATUS:
		return cmd_erase_status(sim, c);
	default:
		return OCXLFS_STATUS_BAD_OPCODE;
	}
}

/* Commands a LEGACY firmware does not know. */
static bool legacy_unknown(unsigned cmd)
{
	return cmd == OCXLFS_CMD_HEALTH_REQUEST || cmd == OCXLFS_CMD_EVENT_CHECK ||
	       cmd == OCXLFS_CMD_ERASE_START || cmd == OCXLFS_CMD_ERASE_STATUS;
}

unsigned sim_cmd_timeout_ms(unsigned nd_command)
{
	switch (nd_command) {
	case OCXLFS_CMD_HEARTBEAT:
		return 100;
	case OCXLFS_CMD_ERRLOG_NEXT:
	case OCXLFS_CMD_ERRLOG_ACK:
		return 2000;
	case OCXLFS_CMD_SMART:
	case OCXLFS_CMD_STATS:
		return 100;
	case OCXLFS_CMD_DUMP_READ:
		return 1000;
	default:
		return 100;
	}
}

static int do_call(struct sim_card *sim, struct nd_cmd_pkg *pkg)
{
	struct cmd_ctx c = { 0 };
	uint8_t status;
	size_t full, copy;
	unsigned cmd;

	/* Checks in the kernel's order: core (family, size), then the provider. */
	if (pkg->nd_family != OCXLFS_ND_FAMILY)
		return -EINVAL;
	if (!ocxlfs_envelope_fits(pkg->nd_size_in, pkg->nd_size_out))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(pkg->nd_reserved2) / sizeof(pkg->nd_reserved2[0]); i++)
		if (pkg->nd_reserved2[i])
			return -EINVAL;
	if (!ocxlfs_cmd_defined(pkg->nd_command))
		return -ENOTTY;
	cmd = (unsigned)pkg->nd_command;

	if (!sim->rsp)
		sim->rsp = malloc(OCXLFS_PKG_OUT_HDR + (size_t)sim->admin_buffer);
	if (!sim->rsp)
		return -ENOMEM;
	sim->commands++;
	if (sim->hook) {
		sim_command_hook_fn *hook = sim->hook;
		void *arg = sim->hook_arg;

		pthread_mutex_unlock(&sim->lock);
		hook(arg, cmd);
		pthread_mutex_lock(&sim->lock);
	}
	/* No response to a hung card: the driver gives up at the protocol timeout. */
	if (sim_sleep(sim, sim_cmd_timeout_ms(cmd)))
		return -ETIMEDOUT;
	erase_poll(sim);

	c.in = pkg->nd_payload;
	c.in_len = pkg->nd_size_in;
	c.data = sim->rsp + OCXLFS_PKG_OUT_HDR;
	c.cap = sim->admin_buffer;
	if (sim->fault == SIM_FAULT_STATUS)
		status = (uint8_t)sim->fault_arg;
	else if ((sim->fault == SIM_FAULT_FATAL_FW || sim->fault == SIM_FAULT_FATAL_HW) &&
		 cmd != OCXLFS_CMD_EVENT_CHECK)
		status = OCXLFS_STATUS_FAILED;
	else if (sim->profile == SIM_PROFILE_LEGACY && legacy_unknown(cmd))
		status = OCXLFS_STATUS_BAD_OPCODE;
	else
		status = dispatch(sim, cmd, &c);
	if (status != OCXLFS_STATUS_SUCCESS)
		c.dlen = 0;
	/* The event mask is a bare word, every other buffer carries an identifier. */
	if (sim->fault == SIM_FAULT_CORRUPT && c.dlen >= 8 && cmd != OCXLFS_CMD_EVENT_CHECK) {
		uint64_t w = ocxlfs_get_le64(c.data);

		ocxlfs_put_le64(c.data, (w & 0x0000FFFFFFFFFFFFULL) | ((uint64_t)SIM_CORRUPT_ID << 48));
	}

	ocxlfs_put_le64(sim->rsp, status | ((uint64_t)++sim->cmd_id << 16));
	full = OCXLFS_PKG_OUT_HDR + c.dlen;
	pkg->nd_fw_size = (uint32_t)full;
	copy = full < pkg->nd_size_out ? full : pkg->nd_size_out;
	memcpy(pkg->nd_payload + pkg->nd_size_in, sim->rsp, copy);
	return 0;
}

/* ---- label area ---- */

static int label_check(struct sim_card *sim, uint32_t off, uint32_t len)
{
	if (len > SIM_LABEL_MAX_CALL || (uint64_t)off + len > sim->st.hdr->label_size)
		return -EINVAL;
	if (sim_sleep(sim, SIM_LABEL_TIMEOUT_MS))
		return -ETIMEDOUT;
	erase_poll(sim);
	return 0;
}

static int do_get_config_data(struct sim_card *sim, struct nd_cmd_get_config_data_hdr *h)
{
	int rc = label_check(sim, h->in_offset, h->in_length);

	if (rc)
		return rc;
	h->status = 0;
	memcpy(h->out_buf, sim->st.label + h->in_offset, h->in_length);
	return 0;
}

static int do_set_config_data(struct sim_card *sim, struct nd_cmd_set_config_hdr *h)
{
	uint32_t zero = 0;
	int rc = label_check(sim, h->in_offset, h->in_length);

	if (rc)
		return rc;
	/* As the kernel: labels are owned by enabled namespaces; and an erase is wiping them. */
	if (sim->ns_enabled || sim->st.hdr->erase_state == OCXLFS_ERASE_RUNNING)
		return -EBUSY;
	sim_state_label_write(&sim->st, h->in_offset, h->in_buf, h->in_length);
	memcpy(h->in_buf + h->in_length, &zero, sizeof(zero)); /* trailing status */
	return 0;
}

int sim_card_ioctl(struct sim_card *sim, unsigned long request, void *arg)
{
	int rc;

	if (!sim || !arg)
		return -EFAULT;
	pthread_mutex_lock(&sim->channel);
	pthread_mutex_lock(&sim->lock);
	if (sim->fault == SIM_FAULT_VANISH) {
		rc = -ENODEV;
	} else if (request == ND_IOCTL_CALL) {
		rc = do_call(sim, arg);
	} else if (request == ND_IOCTL_GET_CONFIG_SIZE) {
		struct nd_cmd_get_config_size *s = arg;

		rc = label_check(sim, 0, 0);
		if (!rc) {
			s->status = 0;
			s->config_size = sim->st.hdr->label_size;
			s->max_xfer = SIM_LABEL_MAX_XFER;
		}
	} else if (request == ND_IOCTL_GET_CONFIG_DATA) {
		rc = do_get_config_data(sim, arg);
	} else if (request == ND_IOCTL_SET_CONFIG_DATA) {
		rc = do_set_config_data(sim, arg);
	} else {
		rc = -ENOTTY;
	}
	pthread_mutex_unlock(&sim->lock);
	pthread_mutex_unlock(&sim->channel);
	return rc;
}

/* ---- lifetime ---- */

void sim_config_defaults(struct sim_config *cfg)
{
	if (!cfg->serial)
		cfg->serial = SIM_SERIAL_BASE + cfg->index;
	if (!cfg->label_size)
		cfg->label_size = SIM_DEFAULT_LABEL_SIZE;
	if (!cfg->dump_size)
		cfg->dump_size = SIM_DEFAULT_DUMP_SIZE;
	if (!cfg->admin_buffer_size)
		cfg->admin_buffer_size = SIM_ADMIN_BUFFER_SIZE;
}

int sim_card_open(const struct sim_config *cfg, struct sim_card **out)
{
	struct sim_config c = *cfg;
	struct sim_card *sim;
	struct sim_hdr *h;
	int rc;

	*out = NULL;
	sim_config_defaults(&c);
	if (!c.dir || c.label_size > SIM_MAX_LABEL_SIZE ||
	    c.admin_buffer_size < SIM_MIN_ADMIN_BUFFER_SIZE ||
	    c.admin_buffer_size > SIM_ADMIN_BUFFER_SIZE || c.admin_buffer_size % 8)
		return -EINVAL;
	sim = calloc(1, sizeof(*sim));
	if (!sim)
		return -ENOMEM;
	sim->index = c.index;
	sim->latency_us = c.latency_us;
	sim->erase_ms = SIM_DEFAULT_ERASE_MS;
	sim->admin_buffer = c.admin_buffer_size;
	sim->reset_mono_us = mono_us();
	rc = sim_state_open(&sim->st, c.dir, c.index, c.serial, c.label_size, c.dump_size);
	if (rc) {
		free(sim);
		return rc;
	}
	h = sim->st.hdr;
	if (sim->st.created) {
		/* Powered on some time ago, so hours and counters look lived-in. */
		uint64_t hours = 1000 + h->serial % 9000;

		sim_state_set(&sim->st, &h->epoch_ms, clock_ms(CLOCK_REALTIME) - hours * 3600000);
		if (c.initial_errlogs > SIM_ERRLOG_CAPACITY) {
			log_warn("sim: card %u: %u initial error logs, the queue holds %u", c.index,
				 c.initial_errlogs, SIM_ERRLOG_CAPACITY);
			c.initial_errlogs = SIM_ERRLOG_CAPACITY;
		}
		rc = el_queue(sim, c.initial_errlogs, 0, true);
		if (rc) {
			sim_state_close(&sim->st);
			free(sim);
			return rc;
		}
		sim_state_commit(&sim->st);
	} else if (h->serial != c.serial) {
		log_info("sim: card %u keeps its serial %llu", c.index, (unsigned long long)h->serial);
	}
	/* Opening the card is its reset (IPL). */
	sim_state_set(&sim->st, &h->reset_count, h->reset_count + 1);
	pthread_mutex_init(&sim->channel, NULL);
	pthread_mutex_init(&sim->lock, NULL);
	{
		pthread_condattr_t attr;

		pthread_condattr_init(&attr);
		pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		pthread_cond_init(&sim->changed, &attr);
		pthread_condattr_destroy(&attr);
	}
	log_dbg("sim: card %u serial %llu, label %u bytes, %u log entries queued, reset %llu",
		c.index, (unsigned long long)h->serial, h->label_size,
		sim_state_el_count(&sim->st), (unsigned long long)h->reset_count);
	*out = sim;
	return 0;
}

void sim_card_close(struct sim_card *sim)
{
	if (!sim)
		return;
	sim_state_close(&sim->st);
	pthread_cond_destroy(&sim->changed);
	pthread_mutex_destroy(&sim->lock);
	pthread_mutex_destroy(&sim->channel);
	free(sim->chunk);
	free(sim->rsp);
	free(sim);
}

/* ---- steering ---- */

int sim_card_inject_errlog(struct sim_card *sim, unsigned count, uint8_t type)
{
	int rc;

	pthread_mutex_lock(&sim->lock);
	if (sim->profile == SIM_PROFILE_FUTURE)
		type = SIM_EL_TYPE_FUTURE;
	rc = el_queue(sim, count, type, false);
	pthread_mutex_unlock(&sim->lock);
	return rc;
}

unsigned sim_card_errlog_queued(struct sim_card *sim)
{
	unsigned n;

	pthread_mutex_lock(&sim->lock);
	n = sim_state_el_count(&sim->st);
	pthread_mutex_unlock(&sim->lock);
	return n;
}

int sim_card_post_dump(struct sim_card *sim, uint32_t size)
{
	int rc = 0;

	pthread_mutex_lock(&sim->lock);
	/*
	 * CCAP1 promises the host no dump is larger: the host reads that much
	 * and then frees the card's copy, so a larger one would be cut short.
	 */
	if (size > sim->st.hdr->dump_size)
		rc = -EINVAL;
	else if (sim->st.hdr->dump_avail)
		rc = -EBUSY; /* the card holds one dump until "dump complete" */
	else
		dump_post(sim, size ? size : sim->st.hdr->dump_size);
	pthread_mutex_unlock(&sim->lock);
	return rc;
}

int sim_card_set_fault(struct sim_card *sim, enum sim_fault_kind kind, unsigned arg)
{
	if ((unsigned)kind > SIM_FAULT_VANISH)
		return -EINVAL;
	pthread_mutex_lock(&sim->lock);
	sim->fault = kind;
	sim->fault_arg = arg;
	pthread_cond_broadcast(&sim->changed);
	pthread_mutex_unlock(&sim->lock);
	return 0;
}

uint64_t sim_card_commands(struct sim_card *sim)
{
	uint64_t n;

	pthread_mutex_lock(&sim->lock);
	n = sim->commands;
	pthread_mutex_unlock(&sim->lock);
	return n;
}

void sim_card_set_command_hook(struct sim_card *sim, sim_command_hook_fn *hook, void *arg)
{
	pthread_mutex_lock(&sim->lock);
	sim->hook = hook;
	sim->hook_arg = arg;
	pthread_mutex_unlock(&sim->lock);
}

void sim_card_set_smart(struct sim_card *sim, const struct sim_smart_override *o)
{
	pthread_mutex_lock(&sim->lock);
	sim->smart = *o;
	pthread_mutex_unlock(&sim->lock);
}

void sim_card_get_smart(struct sim_card *sim, struct sim_smart_override *o)
{
	pthread_mutex_lock(&sim->lock);
	*o = sim->smart;
	pthread_mutex_unlock(&sim->lock);
}

void sim_card_get_fault(struct sim_card *sim, enum sim_fault_kind *kind, unsigned *arg)
{
	pthread_mutex_lock(&sim->lock);
	*kind = sim->fault;
	*arg = sim->fault_arg;
	pthread_mutex_unlock(&sim->lock);
}

void sim_card_set_profile(struct sim_card *sim, enum sim_profile p)
{
	pthread_mutex_lock(&sim->lock);
	sim->profile = p;
	pthread_mutex_unlock(&sim->lock);
}

void sim_card_set_namespace_enabled(struct sim_card *sim, bool enabled)
{
	pthread_mutex_lock(&sim->lock);
	sim->ns_enabled = enabled;
	pthread_mutex_unlock(&sim->lock);
}

bool sim_card_namespace_enabled(struct sim_card *sim)
{
	bool v;

	pthread_mutex_lock(&sim->lock);
	v = sim->ns_enabled;
	pthread_mutex_unlock(&sim->lock);
	return v;
}

void sim_card_set_erase_ms(struct sim_card *sim, unsigned ms)
{
	pthread_mutex_lock(&sim->lock);
	sim->erase_ms = ms ? ms : SIM_DEFAULT_ERASE_MS;
	pthread_mutex_unlock(&sim->lock);
}

uint64_t sim_card_serial(struct sim_card *sim)
{
	uint64_t s;

	pthread_mutex_lock(&sim->lock);
	s = sim->st.hdr->serial;
	pthread_mutex_unlock(&sim->lock);
	return s;
}

int sim_card_fill_labels(struct sim_card *sim)
{
	uint8_t block[256];
	uint32_t size;
	int rc = 0;

	pthread_mutex_lock(&sim->lock);
	if (sim->ns_enabled || sim->st.hdr->erase_state == OCXLFS_ERASE_RUNNING) {
		rc = -EBUSY;
		goto out;
	}
	size = (uint32_t)sim->st.hdr->label_size;
	/* Non-zero everywhere, and different at every offset, so wipes and misreads show. */
	for (uint32_t off = 0; off < size; off += sizeof(block)) {
		uint32_t n = size - off < sizeof(block) ? size - off : (uint32_t)sizeof(block);

		for (uint32_t i = 0; i < n; i++)
			block[i] = (uint8_t)(((off + i) * 131u + (off >> 8) + 1u) | 1u);
		sim_state_label_write(&sim->st, off, block, n);
	}
out:
	pthread_mutex_unlock(&sim->lock);
	return rc;
}

int sim_card_finish_erase(struct sim_card *sim)
{
	int rc = 0;

	pthread_mutex_lock(&sim->lock);
	if (sim->st.hdr->erase_state != OCXLFS_ERASE_RUNNING)
		rc = -EINVAL;
	else
		sim_state_set(&sim->st, &sim->st.hdr->erase_ms, 0);
	/* A zero duration is complete: the next poll zeroes labels and says DONE. */
	if (!rc)
		erase_poll(sim);
	pthread_mutex_unlock(&sim->lock);
	return rc;
}
