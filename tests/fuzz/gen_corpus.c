// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Seed corpus for the fuzz targets, taken from the simulator at build
 * time: every command's answer from simulated cards of each compatibility
 * profile, with and without the "corrupt" and "status" faults, the fault
 * lines the simulator reads back, and journals written from the error-log
 * entries it produced.  Usage: gen_corpus OUTDIR; writes OUTDIR/<target>/.
 * The names say where each seed came from; there are no hand-made blobs.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/ndctl.h>

#include <ocxlfs/passthru.h>

#include "codec/codec.h"
#include "proto/ops.h"
#include "sim/sim.h"
#include "sim/sim_control.h"
#include "store/journal.h"
#include "util/log.h"

#define OUT_ROOM    (OCXLFS_PKG_OUT_HDR + SIM_ADMIN_BUFFER_SIZE)
#define MAX_ENTRIES 32

static const char *outdir;
static char tmpdir[64];

/* Error-log entries seen, for the journal seeds. */
static uint8_t *entries[MAX_ENTRIES];
static size_t entry_len[MAX_ENTRIES];
static unsigned nentries;

struct reply {
	uint8_t status;
	uint32_t fw_size;
	const uint8_t *out; /* preamble word, then the data buffer */
	size_t out_len;	    /* bytes of out actually written */
};

/* OUTDIR/TARGET/NAME = head + body. */
static int save(const char *target, const char *name, const void *head, size_t hlen,
		const void *body, size_t blen)
{
	char path[4096];
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/%s", outdir, target);
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, name);
	f = fopen(path, "wb");
	if (!f)
		return -errno;
	if ((hlen && fwrite(head, 1, hlen, f) != hlen) ||
	    (blen && fwrite(body, 1, blen, f) != blen))
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	if (ret)
		fprintf(stderr, "gen_corpus: writing %s: %s\n", path, strerror(-ret));
	return ret;
}

static int call(struct sim_card *sim, unsigned cmd, uint64_t w0, unsigned nw, struct reply *r)
{
	static uint8_t pkg_buf[sizeof(struct nd_cmd_pkg) + 8 + OUT_ROOM];
	struct nd_cmd_pkg *pkg = (struct nd_cmd_pkg *)pkg_buf;
	int rc;

	memset(pkg_buf, 0, sizeof(pkg_buf));
	pkg->nd_family = OCXLFS_ND_FAMILY;
	pkg->nd_command = cmd;
	pkg->nd_size_in = 8 * nw;
	pkg->nd_size_out = OUT_ROOM;
	if (nw)
		ocxlfs_put_le64(pkg->nd_payload, w0);
	rc = sim_card_ioctl(sim, ND_IOCTL_CALL, pkg);
	if (rc) {
		fprintf(stderr, "gen_corpus: command %u: %s\n", cmd, strerror(-rc));
		return rc;
	}
	r->out = pkg->nd_payload + pkg->nd_size_in;
	r->fw_size = pkg->nd_fw_size;
	r->out_len = r->fw_size < OUT_ROOM ? r->fw_size : OUT_ROOM;
	r->status = r->out_len ? r->out[0] : 0;
	return 0;
}

/* Index of a command in fuzz_ops.c's table. */
static unsigned ops_index(unsigned cmd)
{
	static const unsigned order[] = {
	    OCXLFS_CMD_IDENTIFY,	     OCXLFS_CMD_ERRLOG_NEXT,   OCXLFS_CMD_ERRLOG_ACK,
	    OCXLFS_CMD_STATS,	     OCXLFS_CMD_SMART,	     OCXLFS_CMD_DUMP_REQUEST,
	    OCXLFS_CMD_DUMP_READ,	     OCXLFS_CMD_DUMP_COMPLETE, OCXLFS_CMD_HEARTBEAT,
	    OCXLFS_CMD_HEALTH_REQUEST, OCXLFS_CMD_EVENT_CHECK,   OCXLFS_CMD_ERASE_START,
	    OCXLFS_CMD_ERASE_STATUS,
	};

	for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (order[i] == cmd)
			return i;
	return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/*
 * Sends one command and keeps the answer: the whole reply as an ops seed
 * (p1, p2 are that target's parameters), the data buffer, if the card
 * answered with one, as a seed of the decoder's target (NULL: none).
 */
static int capture(struct sim_card *sim, const char *tag, unsigned cmd, uint64_t w0, unsigned nw,
		   uint32_t p1, uint32_t p2, const char *target, struct reply *out)
{
	char name[128];
	uint8_t head[14] = {0};
	struct reply r;
	int rc;

	rc = call(sim, cmd, w0, nw, &r);
	if (rc)
		return rc;
	head[0] = (uint8_t)ops_index(cmd);
	put32(head + 2, r.fw_size);
	put32(head + 6, p1);
	put32(head + 10, p2);
	snprintf(name, sizeof(name), "%s-%s-status%02x", tag, ocxlfs_cmd_name(cmd), r.status);
	rc = save("ops", name, head, sizeof(head), r.out, r.out_len);
	if (!rc && target && r.status == OCXLFS_STATUS_SUCCESS && r.out_len > OCXLFS_PKG_OUT_HDR) {
		snprintf(name, sizeof(name), "%s-%s", tag, ocxlfs_cmd_name(cmd));
		rc = save(target, name, NULL, 0, r.out + OCXLFS_PKG_OUT_HDR,
			  r.out_len - OCXLFS_PKG_OUT_HDR);
	}
	if (out)
		*out = r;
	return rc;
}

/* Drains the card's error log: each entry is a seed and goes to the journal seeds. */
static int drain_errlog(struct sim_card *sim, const char *tag)
{
	char name[64];
	struct reply r;
	int rc = 0;

	for (unsigned i = 0; i < 16 && !rc; i++) {
		uint32_t id;

		snprintf(name, sizeof(name), "%s-%u", tag, i);
		rc = capture(sim, name, OCXLFS_CMD_ERRLOG_NEXT, 0, 0, 0x48 + 0xFFFF, 0, "errlog", &r);
		if (rc || r.status || r.out_len <= OCXLFS_PKG_OUT_HDR)
			break;
		if (nentries < MAX_ENTRIES) {
			entry_len[nentries] = r.out_len - OCXLFS_PKG_OUT_HDR;
			entries[nentries] = malloc(entry_len[nentries]);
			if (!entries[nentries])
				return -ENOMEM;
			memcpy(entries[nentries++], r.out + OCXLFS_PKG_OUT_HDR,
			       r.out_len - OCXLFS_PKG_OUT_HDR);
		}
		id = (uint32_t)(ocxlfs_get_le64(r.out + OCXLFS_PKG_OUT_HDR + OCXLFS_EL_OFF_ID_PRC) >> 32);
		rc = capture(sim, name, OCXLFS_CMD_ERRLOG_ACK, id, 1, id, 0, NULL, NULL);
	}
	return rc;
}

/*
 * The card holds one dump until "dump complete" and refuses to post
 * another meanwhile (docs/tree.md section 4.1): the dump an earlier
 * DUMP_REQUEST made, or one a fault kept, is freed first, without a fault.
 */
static int free_held_dump(struct sim_card *sim)
{
	enum sim_fault_kind kind;
	struct reply r;
	unsigned arg;
	int rc;

	sim_card_get_fault(sim, &kind, &arg);
	rc = sim_card_set_fault(sim, SIM_FAULT_NONE, 0);
	if (!rc)
		rc = call(sim, OCXLFS_CMD_DUMP_COMPLETE, 0, 0, &r);
	return sim_card_set_fault(sim, kind, arg) ? -EIO : rc;
}

/* Every command once, as the card of this profile and fault answers it. */
static int card_answers(struct sim_card *sim, const char *tag)
{
	char name[64];
	int rc;

	rc = capture(sim, tag, OCXLFS_CMD_IDENTIFY, 0, 0, 0, 0, "identity", NULL);
	if (!rc)
		rc = capture(sim, tag, OCXLFS_CMD_SMART, 0, 0, 0, 0, "smart", NULL);
	if (!rc)
		rc = capture(sim, tag, OCXLFS_CMD_STATS, 0, 0, 0, 0, "stats", NULL);
	if (!rc)
		rc = capture(sim, tag, OCXLFS_CMD_EVENT_CHECK, 0, 0, 0, 0, NULL, NULL);
	if (!rc)
		rc = capture(sim, tag, OCXLFS_CMD_HEARTBEAT, 0, 0, 0, 0, NULL, NULL);
	if (!rc)
		rc = capture(sim, tag, OCXLFS_CMD_HEALTH_REQUEST, 0, 0, 0, 0, NULL, NULL);
	if (!rc)
		rc = drain_errlog(sim, tag);
	/* A 100-byte dump read in 64-byte chunks: full, partial, empty. */
	if (!rc)
		rc = free_held_dump(sim);
	if (!rc)
		rc = sim_card_post_dump(sim, 100);
	for (uint32_t off = 0; off <= 128 && !rc; off += 64) {
		snprintf(name, sizeof(name), "%s-%u", tag, off);
		/* fuzz_ops.c asks for ((p2 % 0x1000) + 1) * 8 bytes: p2 = 7 is 64. */
		rc = capture(sim, name, OCXLFS_CMD_DUMP_READ, ((uint64_t)off << 32) | 64, 1, off, 7,
			     "dump_chunk", NULL);
	}
	if (!rc)
		rc = capture(sim, tag, OCXLFS_CMD_DUMP_COMPLETE, 0, 0, 0, 0, NULL, NULL);
	if (!rc)
		rc = capture(sim, tag, OCXLFS_CMD_DUMP_REQUEST, 0, 0, 0, 0, NULL, NULL);
	/* Erase status before and after a start. */
	if (!rc) {
		snprintf(name, sizeof(name), "%s-before", tag);
		rc = capture(sim, name, OCXLFS_CMD_ERASE_STATUS, 0, 0, 0, 0, "erase_status", NULL);
	}
	if (!rc)
		rc = capture(sim, tag, OCXLFS_CMD_ERASE_START, 0, 0, 0, 0, NULL, NULL);
	if (!rc) {
		snprintf(name, sizeof(name), "%s-after", tag);
		rc = capture(sim, name, OCXLFS_CMD_ERASE_STATUS, 0, 0, 0, 0, "erase_status", NULL);
	}
	return rc;
}

static int fault_seeds(struct sim_card *sim)
{
	static const struct {
		enum sim_fault_kind kind;
		unsigned arg;
	} faults[] = {
	    {SIM_FAULT_NONE, 0},      {SIM_FAULT_DELAY, 50},  {SIM_FAULT_HANG, 0},
	    {SIM_FAULT_STATUS, 0x21}, {SIM_FAULT_CORRUPT, 0}, {SIM_FAULT_FATAL_FW, 0},
	    {SIM_FAULT_FATAL_HW, 0},  {SIM_FAULT_VANISH, 0},
	};
	/* "erase-done" needs the erase card_answers() started (it never ends by itself). */
	static const char *const inject[] = {"errlog",	  "errlog 3",	"health",
					     "dump 4096", "erase-done", "labels"};
	static const char *const namespace[] = {"enabled", "disabled"};
	const uint8_t fault_mode = 1, inject_mode = 0, namespace_mode = 2;
	char name[32];
	int rc = 0;

	/* Each fault as the simulator reads it back, proven to set it again. */
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]) && !rc; i++) {
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);

		if (!f)
			return -ENOMEM;
		rc = sim_card_set_fault(sim, faults[i].kind, faults[i].arg);
		if (!rc)
			rc = sim_control_render_fault(sim, f);
		if (fclose(f) && !rc)
			rc = -EIO;
		if (!rc && len > 1) {
			text[len - 1] = '\0';
			rc = sim_control_fault(sim, text);
			snprintf(name, sizeof(name), "fault-%zu", i);
			if (!rc)
				rc = save("sim_control", name, &fault_mode, 1, text, len - 1);
		}
		free(text);
	}
	if (!rc)
		rc = free_held_dump(sim);
	for (size_t i = 0; i < sizeof(inject) / sizeof(inject[0]) && !rc; i++) {
		rc = sim_control_inject(sim, inject[i]);
		snprintf(name, sizeof(name), "inject-%zu", i);
		if (!rc)
			rc = save("sim_control", name, &inject_mode, 1, inject[i],
				  strlen(inject[i]));
	}
	for (size_t i = 0; i < sizeof(namespace) / sizeof(namespace[0]) && !rc; i++) {
		rc = sim_control_namespace(sim, namespace[i]);
		snprintf(name, sizeof(name), "namespace-%zu", i);
		if (!rc)
			rc = save("sim_control", name, &namespace_mode, 1, namespace[i],
				  strlen(namespace[i]));
	}
	if (rc)
		fprintf(stderr, "gen_corpus: sim control seeds: %s\n", strerror(-rc));
	return sim_card_set_fault(sim, SIM_FAULT_NONE, 0) ? -EIO : rc;
}

/* A journal holding the entries seen, as its file bytes up to the last record. */
static int journal_seeds(void)
{
	static const uint8_t as_is = 0x00, fix_crcs = 0x03;
	char path[128];
	struct errlog_journal *j;
	const size_t cap = 1u << 20;
	uint8_t *buf = malloc(cap);
	size_t len;
	FILE *f;
	int rc = 0;

	if (!buf)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/journal", tmpdir);
	for (unsigned round = 0; round < 2 && !rc; round++) {
		rc = errlog_journal_open(path, &j, NULL);
		if (rc)
			break;
		/* First an empty journal, then the same file with every entry. */
		for (unsigned i = 0; round && i < nentries && rc >= 0; i++)
			rc = errlog_journal_append(j,
						   (uint32_t)(ocxlfs_get_le64(entries[i] + 8) >> 32),
						   entries[i], entry_len[i]);
		errlog_journal_close(j);
		if (rc < 0)
			break;
		f = fopen(path, "rb");
		if (!f) {
			rc = -errno;
			break;
		}
		len = fread(buf, 1, cap, f);
		fclose(f);
		/* The zero fill after the last record is the file's growth room: drop it. */
		while (len > 32 && !buf[len - 1])
			len--;
		len = (len + 7) & ~(size_t)7;
		rc = save("journal", round ? "records" : "empty", &as_is, 1, buf, len);
		if (!rc && round)
			rc = save("journal", "records-fix-crcs", &fix_crcs, 1, buf, len);
	}
	free(buf);
	return rc;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int run(void)
{
	static const char *const tags[] = {"current", "legacy", "future"};
	static const enum sim_profile profiles[] = {SIM_PROFILE_CURRENT, SIM_PROFILE_LEGACY,
						    SIM_PROFILE_FUTURE};
	char tag[32];
	int rc = 0;

	for (unsigned p = 0; p < 3 && !rc; p++) {
		struct sim_config cfg = {.dir = tmpdir, .index = p, .initial_errlogs = 5};
		struct sim_card *sim = NULL;

		sim_config_defaults(&cfg);
		rc = sim_card_open(&cfg, &sim);
		if (rc) {
			fprintf(stderr, "gen_corpus: simulated card: %s\n", strerror(-rc));
			break;
		}
		sim_card_set_profile(sim, profiles[p]);
		/* Erases run until "erase-done": the seeds must not depend on timing. */
		sim_card_set_erase_ms(sim, 24u * 3600 * 1000);
		rc = card_answers(sim, tags[p]);
		/* The same commands with a wrong identifier on every buffer, then a failing status.
		 */
		if (!rc)
			rc = sim_card_inject_errlog(sim, 1, OCXLFS_EL_GENERAL);
		if (!rc)
			rc = sim_card_set_fault(sim, SIM_FAULT_CORRUPT, 0);
		snprintf(tag, sizeof(tag), "%s-corrupt", tags[p]);
		if (!rc)
			rc = card_answers(sim, tag);
		if (!rc)
			rc = sim_card_set_fault(sim, SIM_FAULT_STATUS, OCXLFS_STATUS_BLOCKED_BG);
		snprintf(tag, sizeof(tag), "%s-busy", tags[p]);
		if (!rc)
			rc = card_answers(sim, tag);
		if (!rc && p == 0)
			rc = fault_seeds(sim);
		sim_card_close(sim);
	}
	if (!rc)
		rc = journal_seeds();
	return rc;
}

int main(int argc, char **argv)
{
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: gen_corpus OUTDIR\n");
		return 2;
	}
	outdir = argv[1];
	if (mkdir(outdir, 0755) && errno != EEXIST) {
		perror(outdir);
		return 1;
	}
	if (!getenv("OCXLFS_LOG"))
		log_set_level(LOG_ERR);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/gen_corpus.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	rc = run();
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	for (unsigned i = 0; i < nentries; i++)
		free(entries[i]);
	if (rc)
		fprintf(stderr, "gen_corpus: %s\n", strerror(-rc));
	return rc ? 1 : 0;
}
