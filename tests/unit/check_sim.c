// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The simulated card, driven through the same ioctls the kernel answers
 * on /dev/nmemN (raw envelopes) and through the simulator transport.
 */
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/ndctl.h>

#include <ocxlfs/passthru.h>

#include "codec/codec.h"
#include "sim/sim.h"
#include "transport/sim.h"

static char tmpdir[64];

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/check_sim.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static struct sim_card *open_card(unsigned index, uint32_t label_size, uint32_t dump_size,
				  unsigned initial_errlogs)
{
	struct sim_config cfg = {
		.dir = tmpdir,
		.index = index,
		.label_size = label_size,
		.dump_size = dump_size,
		.initial_errlogs = initial_errlogs,
	};
	struct sim_card *sim = NULL;

	sim_config_defaults(&cfg);
	ck_assert_int_eq(sim_card_open(&cfg, &sim), 0);
	ck_assert_ptr_nonnull(sim);
	return sim;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- raw envelopes ---- */

struct reply {
	int rc;
	uint8_t status;
	uint32_t fw_size;
	const uint8_t *data; /* the data buffer (after the response word) */
	size_t dlen;
};

#define OUT_ROOM (OCXLFS_PKG_OUT_HDR + SIM_ADMIN_BUFFER_SIZE)
static uint8_t pkg_buf[sizeof(struct nd_cmd_pkg) + 64 + OUT_ROOM];

static struct reply call(struct sim_card *sim, unsigned cmd, const uint64_t *w, unsigned nw)
{
	struct nd_cmd_pkg *pkg = (struct nd_cmd_pkg *)pkg_buf;
	struct reply r = { 0 };
	uint8_t *out;

	memset(pkg_buf, 0, sizeof(pkg_buf));
	pkg->nd_family = OCXLFS_ND_FAMILY;
	pkg->nd_command = cmd;
	pkg->nd_size_in = 8 * nw;
	pkg->nd_size_out = OUT_ROOM;
	for (unsigned i = 0; i < nw; i++)
		ocxlfs_put_le64(pkg->nd_payload + 8 * i, w[i]);
	r.rc = sim_card_ioctl(sim, ND_IOCTL_CALL, pkg);
	if (r.rc)
		return r;
	out = pkg->nd_payload + pkg->nd_size_in;
	r.status = (uint8_t)ocxlfs_get_le64(out);
	r.fw_size = pkg->nd_fw_size;
	ck_assert_uint_ge(r.fw_size, OCXLFS_PKG_OUT_HDR);
	r.data = out + OCXLFS_PKG_OUT_HDR;
	r.dlen = r.fw_size - OCXLFS_PKG_OUT_HDR;
	return r;
}

static struct reply call0(struct sim_card *sim, unsigned cmd)
{
	return call(sim, cmd, NULL, 0);
}

static struct reply call1(struct sim_card *sim, unsigned cmd, uint64_t w0)
{
	return call(sim, cmd, &w0, 1);
}

static void assert_ok(struct reply r)
{
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.status, OCXLFS_STATUS_SUCCESS);
}

static struct ocxlfs_errlog next_entry(struct sim_card *sim)
{
	struct ocxlfs_errlog el;
	struct reply r = call0(sim, OCXLFS_CMD_ERRLOG_NEXT);

	assert_ok(r);
	ck_assert_int_eq(ocxlfs_errlog_decode(r.data, r.dlen, &el), 0);
	return el;
}

static uint64_t event_mask(struct sim_card *sim)
{
	struct reply r = call0(sim, OCXLFS_CMD_EVENT_CHECK);

	assert_ok(r);
	ck_assert_uint_eq(r.dlen, 8);
	return ocxlfs_get_le64(r.data);
}

/* ---- identity ---- */

START_TEST(test_identity)
{
	struct sim_card *sim = open_card(3, 0, 0, 0);
	struct ocxlfs_identity id;
	struct reply r = call0(sim, OCXLFS_CMD_IDENTIFY);

	assert_ok(r);
	ck_assert_int_eq(ocxlfs_identity_decode(r.data, r.dlen, &id), 0);
	ck_assert_uint_eq(id.serial, 2020000003ULL);
	ck_assert_uint_eq(sim_card_serial(sim), 2020000003ULL);
	ck_assert_str_eq(id.fw_version, "01.02.03");
	ck_assert_uint_eq(OCXLFS_CCAP0_REVISION(id.ccap0), 0x0011);
	ck_assert_uint_eq(OCXLFS_CCAP0_READ_LATENCY_NS(id.ccap0), 300);
	ck_assert_uint_eq(OCXLFS_CCAP0_READY_TIMEOUT_S(id.ccap0), 5);
	ck_assert_uint_eq(OCXLFS_CCAP0_MEM_AVAIL_TIMEOUT_S(id.ccap0), 10);
	ck_assert_uint_eq(OCXLFS_CCAP1_MAX_DUMP_SIZE(id.ccap1), SIM_DEFAULT_DUMP_SIZE);
	ck_assert(id.has_admin_buffer_size);
	ck_assert_uint_eq(id.admin_buffer_size, SIM_ADMIN_BUFFER_SIZE);
	ck_assert_uint_eq(r.dlen, 8 + OCXLFS_ID_LEN_V1);
	sim_card_close(sim);
}
END_TEST

/* ---- label area ---- */

static void fill_pattern(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 31 + seed);
}

START_TEST(test_label_rw)
{
	struct sim_card *sim = open_card(0, 0, 0, 0);
	struct ocxlfs_transport *t;
	uint32_t size, xfer;
	uint8_t w[10000], rd[10000];

	ck_assert_int_eq(ocxlfs_transport_sim_new(sim, 0, &t), 0);
	ck_assert_str_eq(t->kind, "simulator");
	ck_assert_str_eq(t->device, "sim:0");
	ck_assert_int_eq(t->ops->label_size(t, &size, &xfer), 0);
	ck_assert_uint_eq(size, SIM_DEFAULT_LABEL_SIZE);
	ck_assert_uint_eq(xfer, 4096);

	/* Crosses several max_xfer chunks at an unaligned offset. */
	fill_pattern(w, sizeof(w), 7);
	ck_assert_int_eq(t->ops->label_write(t, w, 1000, sizeof(w)), 0);
	memset(rd, 0, sizeof(rd));
	ck_assert_int_eq(t->ops->label_read(t, rd, 1000, sizeof(rd)), 0);
	ck_assert_mem_eq(rd, w, sizeof(w));
	/* Untouched bytes read zero. */
	ck_assert_int_eq(t->ops->label_read(t, rd, 0, 1000), 0);
	for (int i = 0; i < 1000; i++)
		ck_assert_uint_eq(rd[i], 0);
	/* Out of bounds, as the kernel: -EINVAL. */
	ck_assert_int_eq(t->ops->label_read(t, rd, size - 10, 20), -EINVAL);
	ck_assert_int_eq(t->ops->label_write(t, w, size, 1), -EINVAL);
	ocxlfs_transport_destroy(t);
	sim_card_close(sim);
}
END_TEST

START_TEST(test_label_raw_ioctls)
{
	struct sim_card *sim = open_card(0, 0, 0, 0);
	struct nd_cmd_get_config_size cs = { .status = 99 };
	uint8_t buf[sizeof(struct nd_cmd_set_config_hdr) + 16 + 4];
	struct nd_cmd_set_config_hdr *sh = (void *)buf;
	struct nd_cmd_get_config_data_hdr *gh = (void *)buf;
	uint32_t status;

	ck_assert_int_eq(sim_card_ioctl(sim, ND_IOCTL_GET_CONFIG_SIZE, &cs), 0);
	ck_assert_uint_eq(cs.status, 0);
	ck_assert_uint_eq(cs.config_size, SIM_DEFAULT_LABEL_SIZE);
	ck_assert_uint_eq(cs.max_xfer, 4096);

	memset(buf, 0xEE, sizeof(buf));
	sh->in_offset = 64;
	sh->in_length = 16;
	memset(sh->in_buf, 0xAB, 16);
	ck_assert_int_eq(sim_card_ioctl(sim, ND_IOCTL_SET_CONFIG_DATA, sh), 0);
	memcpy(&status, sh->in_buf + 16, 4);
	ck_assert_uint_eq(status, 0);

	memset(buf, 0, sizeof(buf));
	gh->in_offset = 64;
	gh->in_length = 16;
	gh->status = 77;
	ck_assert_int_eq(sim_card_ioctl(sim, ND_IOCTL_GET_CONFIG_DATA, gh), 0);
	ck_assert_uint_eq(gh->status, 0);
	for (int i = 0; i < 16; i++)
		ck_assert_uint_eq(gh->out_buf[i], 0xAB);

	/* Offset + length overflowing 32 bits is still out of bounds. */
	gh->in_offset = 0xFFFFFFF0u;
	gh->in_length = 0x20;
	ck_assert_int_eq(sim_card_ioctl(sim, ND_IOCTL_GET_CONFIG_DATA, gh), -EINVAL);
	/* Unknown requests: -ENOTTY. */
	ck_assert_int_eq(sim_card_ioctl(sim, ND_IOCTL_DIMM_FLAGS, buf), -ENOTTY);
	ck_assert_int_eq(sim_card_ioctl(sim, 0x1234, buf), -ENOTTY);
	sim_card_close(sim);
}
END_TEST

START_TEST(test_label_persists)
{
	struct sim_card *sim = open_card(1, 0, 0, 0);
	struct ocxlfs_transport *t;
	uint8_t w[4096], rd[4096];

	fill_pattern(w, sizeof(w), 3);
	ck_assert_int_eq(ocxlfs_transport_sim_new(sim, 1, &t), 0);
	ck_assert_int_eq(t->ops->label_write(t, w, 8192, sizeof(w)), 0);
	ocxlfs_transport_destroy(t);
	sim_card_close(sim);

	sim = open_card(1, 0, 0, 0);
	ck_assert_int_eq(ocxlfs_transport_sim_new(sim, 1, &t), 0);
	ck_assert_int_eq(t->ops->label_read(t, rd, 8192, sizeof(rd)), 0);
	ck_assert_mem_eq(rd, w, sizeof(w));
	ocxlfs_transport_destroy(t);
	sim_card_close(sim);
}
END_TEST

START_TEST(test_label_16m)
{
	struct sim_card *sim = open_card(0, SIM_MAX_LABEL_SIZE, 0, 0);
	struct ocxlfs_transport *t;
	uint32_t size;
	uint8_t w[8192], rd[8192];

	ck_assert_int_eq(ocxlfs_transport_sim_new(sim, 0, &t), 0);
	ck_assert_int_eq(t->ops->label_size(t, &size, NULL), 0);
	ck_assert_uint_eq(size, 16u * 1024 * 1024);
	fill_pattern(w, sizeof(w), 11);
	ck_assert_int_eq(t->ops->label_write(t, w, size - sizeof(w), sizeof(w)), 0);
	ck_assert_int_eq(t->ops->label_read(t, rd, size - sizeof(rd), sizeof(rd)), 0);
	ck_assert_mem_eq(rd, w, sizeof(w));
	ocxlfs_transport_destroy(t);
	sim_card_close(sim);
}
END_TEST

START_TEST(test_geometry_mismatch)
{
	struct sim_config cfg = { .dir = tmpdir, .label_size = 256u * 1024 };
	struct sim_card *sim = open_card(0, 0, 0, 0);

	sim_card_close(sim);
	sim_config_defaults(&cfg);
	ck_assert_int_eq(sim_card_open(&cfg, &sim), -EINVAL);
	ck_assert_ptr_null(sim);
	cfg.label_size = SIM_MAX_LABEL_SIZE + 4096;
	cfg.index = 9;
	ck_assert_int_eq(sim_card_open(&cfg, &sim), -EINVAL);
	/* The original geometry still opens. */
	sim = open_card(0, 0, 0, 0);
	sim_card_close(sim);
}
END_TEST

START_TEST(test_state_dir_created)
{
	char dir[128];
	struct sim_config cfg = { 0 };
	struct sim_card *sim;

	snprintf(dir, sizeof(dir), "%s/a/b/c", tmpdir);
	cfg.dir = dir;
	sim_config_defaults(&cfg);
	ck_assert_int_eq(sim_card_open(&cfg, &sim), 0);
	sim_card_close(sim);
	snprintf(dir, sizeof(dir), "%s/a/b/c/card0.state", tmpdir);
	ck_assert_int_eq(access(dir, R_OK | W_OK), 0);
}
END_TEST

START_TEST(test_busy_when_open_twice)
{
	struct sim_config cfg = { .dir = tmpdir };
	struct sim_card *a = open_card(0, 0, 0, 0), *b = NULL;

	sim_config_defaults(&cfg);
	/* Two owners of one card would tear its state. */
	ck_assert_int_eq(sim_card_open(&cfg, &b), -EBUSY);
	sim_card_close(a);
}
END_TEST

/* ---- envelope validation ---- */

START_TEST(test_envelope_checks)
{
	struct sim_card *sim = open_card(0, 0, 0, 0);
	struct nd_cmd_pkg *pkg;
	uint8_t *raw = calloc(1, sizeof(*pkg) + 64);

	pkg = (struct nd_cmd_pkg *)raw;
	pkg->nd_family = 5;
	pkg->nd_command = OCXLFS_CMD_HEARTBEAT;
	pkg->nd_size_out = 64;
	ck_assert_int_eq(sim_card_ioctl(sim, ND_IOCTL_CALL, pkg), -EINVAL);

	pkg->nd_family = OCXLFS_ND_FAMILY;
	pkg->nd_command = 0;
	ck_assert_int_eq(sim_card_ioctl(sim, ND_IOCTL_CALL, pkg), -ENOTTY);
	pkg->nd_command = OCXLFS_CMD_MAX + 1;
	ck_assert_int_eq(sim_card_ioctl(sim, ND_IOCTL_CALL, pkg), -ENOTTY);
	/* The numbers libnvdimm treats specially are no operations of the family. */
	for (unsigned cmd = 4; cmd <= 10; cmd += cmd == 6 ? 4 : 1) {
		pkg->nd_command = cmd;
		ck_assert_int_eq(sim_card_ioctl(sim, ND_IOCTL_CALL, pkg), -ENOTTY);
	}
	pkg->nd_command = 1ULL << 40;
	ck_assert_int_eq(sim_card_ioctl(sim, ND_IOCTL_CALL, pkg), -ENOTTY);

	pkg->nd_command = OCXLFS_CMD_HEARTBEAT;
	pkg->nd_reserved2[4] = 1;
	ck_assert_int_eq(sim_card_ioctl(sim, ND_IOCTL_CALL, pkg), -EINVAL);
	pkg->nd_reserved2[4] = 0;

	/* Larger than the kernel's 4 MiB envelope limit (never dereferenced). */
	pkg->nd_size_out = 4u * 1024 * 1024;
	ck_assert_int_eq(sim_card_ioctl(sim, ND_IOCTL_CALL, pkg), -EINVAL);
	pkg->nd_size_in = 0xFFFFFFF0u;
	pkg->nd_size_out = 0xFFFFFFF0u;
	ck_assert_int_eq(sim_card_ioctl(sim, ND_IOCTL_CALL, pkg), -EINVAL);

	pkg->nd_size_in = 0;
	pkg->nd_size_out = 64;
	ck_assert_int_eq(sim_card_ioctl(sim, ND_IOCTL_CALL, pkg), 0);
	ck_assert_uint_eq(pkg->nd_fw_size, 8);
	ck_assert_uint_eq(pkg->nd_payload[0], OCXLFS_STATUS_SUCCESS);
	ck_assert_int_eq(sim_card_ioctl(sim, ND_IOCTL_CALL, NULL), -EFAULT);
	free(raw);
	sim_card_close(sim);
}
END_TEST

START_TEST(test_short_out_buffer)
{
	struct sim_card *sim = open_card(0, 0, 0, 0);
	uint8_t *raw = calloc(1, sizeof(struct nd_cmd_pkg) + 64);
	struct nd_cmd_pkg *pkg = (struct nd_cmd_pkg *)raw;

	/* nd_size_out 4: fw_size still says what the card had, nothing written past 4. */
	memset(pkg->nd_payload, 0xCC, 64);
	pkg->nd_family = OCXLFS_ND_FAMILY;
	pkg->nd_command = OCXLFS_CMD_IDENTIFY;
	pkg->nd_size_out = 4;
	ck_assert_int_eq(sim_card_ioctl(sim, ND_IOCTL_CALL, pkg), 0);
	ck_assert_uint_eq(pkg->nd_fw_size, 8 + 8 + OCXLFS_ID_LEN_V1);
	ck_assert_uint_eq(pkg->nd_payload[0], 0);
	for (int i = 4; i < 64; i++)
		ck_assert_uint_eq(pkg->nd_payload[i], 0xCC);

	/* nd_size_out 20: the response word plus the first 12 bytes of 'ID'. */
	memset(pkg->nd_payload, 0xCC, 64);
	pkg->nd_size_out = 20;
	ck_assert_int_eq(sim_card_ioctl(sim, ND_IOCTL_CALL, pkg), 0);
	ck_assert_uint_eq(ocxlfs_get_le64(pkg->nd_payload + 8) >> 48, OCXLFS_ID_IDENTITY);
	for (int i = 20; i < 64; i++)
		ck_assert_uint_eq(pkg->nd_payload[i], 0xCC);
	free(raw);
	sim_card_close(sim);
}
END_TEST

/* ---- error-log queue ---- */

START_TEST(test_errlog_queue)
{
	struct sim_card *sim = open_card(0, 0, 0, 0);
	struct ocxlfs_errlog el;
	struct reply r;

	r = call0(sim, OCXLFS_CMD_ERRLOG_NEXT);
	assert_ok(r);
	ck_assert_uint_eq(r.fw_size, 8); /* empty: no data */
	ck_assert_uint_eq(event_mask(sim) & OCXLFS_EVENT_ELA, 0);

	ck_assert_int_eq(sim_card_inject_errlog(sim, 3, OCXLFS_EL_GENERAL), 0);
	ck_assert_uint_eq(sim_card_errlog_queued(sim), 3);
	ck_assert(event_mask(sim) & OCXLFS_EVENT_ELA);

	el = next_entry(sim);
	ck_assert_uint_eq(el.log_id, 1);
	ck_assert_uint_eq(el.type, OCXLFS_EL_GENERAL);
	ck_assert_uint_ne(el.action_flags, 0);
	ck_assert_str_eq(el.fw_revision, "01.02.03");
	ck_assert_uint_eq(el.wwid[1], sim_card_serial(sim));
	ck_assert_uint_eq(el.wwid[0] >> 60, 6);
	ck_assert_uint_ge(el.addl_len, 16);
	ck_assert_uint_le(el.addl_len, 64);
	ck_assert_uint_eq(el.addl_len % 8, 0);
	ck_assert_uint_gt(el.power_on_seconds, 0);
	/* NEXT does not consume. */
	el = next_entry(sim);
	ck_assert_uint_eq(el.log_id, 1);
	ck_assert_uint_eq(sim_card_errlog_queued(sim), 3);

	r = call1(sim, OCXLFS_CMD_ERRLOG_ACK, 2);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.status, OCXLFS_STATUS_BAD_REQUEST);
	ck_assert_uint_eq(sim_card_errlog_queued(sim), 3);
	r = call0(sim, OCXLFS_CMD_ERRLOG_ACK); /* no parameter word */
	ck_assert_uint_eq(r.status, OCXLFS_STATUS_BAD_REQUEST);

	assert_ok(call1(sim, OCXLFS_CMD_ERRLOG_ACK, 1));
	ck_assert_uint_eq(sim_card_errlog_queued(sim), 2);
	el = next_entry(sim);
	ck_assert_uint_eq(el.log_id, 2);
	assert_ok(call1(sim, OCXLFS_CMD_ERRLOG_ACK, 2));
	assert_ok(call1(sim, OCXLFS_CMD_ERRLOG_ACK, 3));
	ck_assert_uint_eq(sim_card_errlog_queued(sim), 0);
	/* ACK on an empty queue is a bad parameter too. */
	ck_assert_uint_eq(call1(sim, OCXLFS_CMD_ERRLOG_ACK, 3).status, OCXLFS_STATUS_BAD_REQUEST);
	ck_assert_uint_eq(event_mask(sim) & OCXLFS_EVENT_ELA, 0);
	sim_card_close(sim);
}
END_TEST

START_TEST(test_errlog_persists)
{
	struct sim_card *sim = open_card(2, 0, 0, 0);

	ck_assert_int_eq(sim_card_inject_errlog(sim, 3, OCXLFS_EL_THERMAL), 0);
	assert_ok(call1(sim, OCXLFS_CMD_ERRLOG_ACK, 1));
	sim_card_close(sim);

	sim = open_card(2, 0, 0, 0);
	ck_assert_uint_eq(sim_card_errlog_queued(sim), 2);
	ck_assert_uint_eq(next_entry(sim).log_id, 2);
	ck_assert_uint_eq(next_entry(sim).type, OCXLFS_EL_THERMAL);
	/* The id counter persisted too: no id is ever handed out twice. */
	assert_ok(call1(sim, OCXLFS_CMD_ERRLOG_ACK, 2));
	assert_ok(call1(sim, OCXLFS_CMD_ERRLOG_ACK, 3));
	ck_assert_int_eq(sim_card_inject_errlog(sim, 1, OCXLFS_EL_GENERAL), 0);
	ck_assert_uint_eq(next_entry(sim).log_id, 4);
	sim_card_close(sim);
}
END_TEST

START_TEST(test_initial_errlogs_only_on_create)
{
	struct sim_card *sim = open_card(0, 0, 0, 5);

	ck_assert_uint_eq(sim_card_errlog_queued(sim), 5);
	ck_assert_uint_eq(next_entry(sim).log_id, 1);
	ck_assert_uint_eq(next_entry(sim).type, OCXLFS_EL_GENERAL);
	assert_ok(call1(sim, OCXLFS_CMD_ERRLOG_ACK, 1));
	ck_assert_uint_eq(next_entry(sim).type, OCXLFS_EL_PREDICTIVE);
	sim_card_close(sim);
	sim = open_card(0, 0, 0, 5);
	ck_assert_uint_eq(sim_card_errlog_queued(sim), 4);
	sim_card_close(sim);
}
END_TEST

START_TEST(test_errlog_full)
{
	struct sim_card *sim = open_card(0, 0, 0, 0);

	ck_assert_int_eq(sim_card_inject_errlog(sim, SIM_ERRLOG_CAPACITY - 1, OCXLFS_EL_GENERAL), 0);
	/* All or nothing. */
	ck_assert_int_eq(sim_card_inject_errlog(sim, 2, OCXLFS_EL_GENERAL), -ENOSPC);
	ck_assert_uint_eq(sim_card_errlog_queued(sim), SIM_ERRLOG_CAPACITY - 1);
	ck_assert_int_eq(sim_card_inject_errlog(sim, 1, OCXLFS_EL_GENERAL), 0);
	ck_assert_int_eq(sim_card_inject_errlog(sim, 1, OCXLFS_EL_GENERAL), -ENOSPC);
	ck_assert_uint_eq(sim_card_errlog_queued(sim), SIM_ERRLOG_CAPACITY);
	/* The card cannot post its health entry either. */
	ck_assert_uint_eq(call0(sim, OCXLFS_CMD_HEALTH_REQUEST).status, OCXLFS_STATUS_FAILED);
	/* The ring wraps: consume one, queue one, the order holds. */
	assert_ok(call1(sim, OCXLFS_CMD_ERRLOG_ACK, 1));
	ck_assert_int_eq(sim_card_inject_errlog(sim, 1, OCXLFS_EL_DATA_LOSS), 0);
	ck_assert_uint_eq(next_entry(sim).log_id, 2);
	sim_card_close(sim);
}
END_TEST

START_TEST(test_health_request)
{
	struct sim_card *sim = open_card(0, 0, 0, 0);
	struct ocxlfs_errlog el;

	assert_ok(call0(sim, OCXLFS_CMD_HEALTH_REQUEST));
	ck_assert_uint_eq(sim_card_errlog_queued(sim), 1);
	ck_assert(event_mask(sim) & OCXLFS_EVENT_ELA);
	el = next_entry(sim);
	ck_assert_uint_eq(el.type, OCXLFS_EL_HEALTH_PERF);
	ck_assert_uint_eq(el.action_flags, 0); /* only general entries carry actions */
	sim_card_close(sim);
}
END_TEST

/* ---- SMART, statistics ---- */

static void get_stats(struct sim_card *sim, struct ocxlfs_stats *st)
{
	struct reply r = call0(sim, OCXLFS_CMD_STATS);

	assert_ok(r);
	ck_assert_uint_eq(r.dlen, 8 + OCXLFS_CS_LEN_V4);
	ck_assert_int_eq(ocxlfs_stats_decode(r.data, r.dlen, st), 0);
	ck_assert_uint_eq(st->present, (1u << OCXLFS_STAT_NR) - 1);
	ck_assert_uint_eq(st->unknown_blocks, 0);
}

START_TEST(test_stats_move)
{
	struct sim_card *sim = open_card(0, 0, 0, 0);
	struct ocxlfs_stats a, b;

	get_stats(sim, &a);
	usleep(20000);
	get_stats(sim, &b);
	ck_assert_uint_eq(a.value[OCXLFS_STAT_RESET_COUNT], 1);
	ck_assert_uint_eq(a.value[OCXLFS_STAT_LIFE_REMAINING], 97);
	ck_assert_uint_gt(a.value[OCXLFS_STAT_POWER_ON_UPTIME], 3600);
	for (unsigned f = OCXLFS_STAT_HOST_LOAD_COUNT; f < OCXLFS_STAT_NR; f++)
		ck_assert_msg(b.value[f] > a.value[f], "%s did not move", ocxlfs_stat_name(f));
	ck_assert_uint_ge(b.value[OCXLFS_STAT_POWER_ON_UPTIME], a.value[OCXLFS_STAT_POWER_ON_UPTIME]);
	sim_card_close(sim);

	/* Each open is a card reset. */
	sim = open_card(0, 0, 0, 0);
	get_stats(sim, &b);
	ck_assert_uint_eq(b.value[OCXLFS_STAT_RESET_COUNT], 2);
	ck_assert_uint_ge(b.value[OCXLFS_STAT_HOST_LOAD_COUNT], a.value[OCXLFS_STAT_HOST_LOAD_COUNT]);
	sim_card_close(sim);
}
END_TEST

START_TEST(test_smart)
{
	struct sim_card *sim = open_card(0, 0, 0, 0);
	struct ocxlfs_smart sm;
	struct reply r = call0(sim, OCXLFS_CMD_SMART);
	bool seen[3] = { false };

	assert_ok(r);
	ck_assert_int_eq(ocxlfs_smart_decode(r.data, r.dlen, &sm), 0);
	ck_assert_uint_eq(sm.count, 3);
	for (unsigned i = 0; i < sm.count; i++) {
		switch (sm.attr[i].id) {
		case OCXLFS_SMART_POWER_ON_HOURS:
			seen[0] = true;
			ck_assert_uint_ge(sm.attr[i].raw, 1000);
			break;
		case OCXLFS_SMART_TEMPERATURE:
			seen[1] = true;
			ck_assert_uint_ge(sm.attr[i].raw, 40);
			ck_assert_uint_le(sm.attr[i].raw, 45);
			break;
		case OCXLFS_SMART_LIFE_REMAINING:
			seen[2] = true;
			ck_assert_uint_eq(sm.attr[i].current, 97);
			break;
		default:
			ck_abort_msg("unexpected SMART id 0x%02x", sm.attr[i].id);
		}
	}
	ck_assert(seen[0] && seen[1] && seen[2]);
	sim_card_close(sim);
}
END_TEST

/* ---- controller dump ---- */

#define SMALL_DUMP 100000u /* not a multiple of the chunk size */

static size_t read_dump(struct sim_card *sim, uint8_t *dst, uint32_t chunk)
{
	uint32_t off = 0;

	for (;;) {
		const uint8_t *d;
		size_t n;
		struct reply r = call1(sim, OCXLFS_CMD_DUMP_READ, ((uint64_t)off << 32) | chunk);

		assert_ok(r);
		ck_assert_int_eq(ocxlfs_dump_chunk_decode(r.data, r.dlen, &d, &n), 0);
		if (n == 0)
			return off;
		ck_assert_uint_le(n, chunk);
		memcpy(dst + off, d, n);
		off += (uint32_t)n;
	}
}

START_TEST(test_dump)
{
	struct sim_card *sim = open_card(0, 0, SMALL_DUMP, 0);
	uint8_t *a = calloc(1, SMALL_DUMP + 64), *b = calloc(1, SMALL_DUMP + 64);
	struct reply r;

	/* Nothing to read yet. */
	ck_assert_uint_eq(call1(sim, OCXLFS_CMD_DUMP_READ, 4096).status, OCXLFS_STATUS_FAILED);
	ck_assert_uint_eq(event_mask(sim) & OCXLFS_EVENT_CDA, 0);

	assert_ok(call0(sim, OCXLFS_CMD_DUMP_REQUEST));
	ck_assert(event_mask(sim) & OCXLFS_EVENT_CDA);
	ck_assert_uint_eq(read_dump(sim, a, OCXLFS_DUMP_CHUNK_MAX), SMALL_DUMP);
	/* Same bytes in different chunk sizes. */
	ck_assert_uint_eq(read_dump(sim, b, 4096), SMALL_DUMP);
	ck_assert_mem_eq(a, b, SMALL_DUMP);
	ck_assert_uint_eq(ocxlfs_get_le64(a + 16), SMALL_DUMP);

	/* Size checks: a multiple of 8, 1..the admin data buffer (docs/protocol.md 3.3). */
	ck_assert_uint_eq(call1(sim, OCXLFS_CMD_DUMP_READ, 12).status, OCXLFS_STATUS_BAD_REQUEST);
	ck_assert_uint_eq(call1(sim, OCXLFS_CMD_DUMP_READ, 0).status, OCXLFS_STATUS_BAD_REQUEST);
	ck_assert_uint_eq(call1(sim, OCXLFS_CMD_DUMP_READ, SIM_ADMIN_BUFFER_SIZE + 8).status,
			  OCXLFS_STATUS_BAD_REQUEST);
	/* As much as the buffer holds, less its header. */
	r = call1(sim, OCXLFS_CMD_DUMP_READ, SIM_ADMIN_BUFFER_SIZE);
	assert_ok(r);
	ck_assert_uint_eq(r.dlen, 8 + (SMALL_DUMP < SIM_ADMIN_BUFFER_SIZE - 8 ? SMALL_DUMP
								: SIM_ADMIN_BUFFER_SIZE - 8));
	ck_assert_uint_eq(call0(sim, OCXLFS_CMD_DUMP_READ).status, OCXLFS_STATUS_BAD_REQUEST);
	/* Past the end: 'CD' with length 0. */
	r = call1(sim, OCXLFS_CMD_DUMP_READ, ((uint64_t)(SMALL_DUMP + 800) << 32) | 64);
	assert_ok(r);
	ck_assert_uint_eq(r.dlen, 8);
	ck_assert_uint_eq(ocxlfs_get_le64(r.data), (uint64_t)OCXLFS_ID_DUMP << 48);

	/* The dump survives a daemon restart until it is completed. */
	sim_card_close(sim);
	sim = open_card(0, 0, SMALL_DUMP, 0);
	ck_assert(event_mask(sim) & OCXLFS_EVENT_CDA);
	memset(b, 0, SMALL_DUMP);
	ck_assert_uint_eq(read_dump(sim, b, OCXLFS_DUMP_CHUNK_MAX), SMALL_DUMP);
	ck_assert_mem_eq(a, b, SMALL_DUMP);

	assert_ok(call0(sim, OCXLFS_CMD_DUMP_COMPLETE));
	ck_assert_uint_eq(event_mask(sim) & OCXLFS_EVENT_CDA, 0);
	ck_assert_uint_eq(call1(sim, OCXLFS_CMD_DUMP_READ, 4096).status, OCXLFS_STATUS_FAILED);

	/* A new dump has new content. */
	ck_assert_int_eq(sim_card_post_dump(sim, 4096), 0);
	ck_assert_uint_eq(read_dump(sim, b, OCXLFS_DUMP_CHUNK_MAX), 4096);
	ck_assert_int_ne(memcmp(a + 64, b + 64, 4096 - 64), 0);
	free(a);
	free(b);
	sim_card_close(sim);
}
END_TEST

START_TEST(test_dump_256m)
{
	struct sim_card *sim = open_card(0, 0, 256u << 20, 0);
	const uint8_t *d;
	size_t n;
	struct reply r;

	assert_ok(call0(sim, OCXLFS_CMD_DUMP_REQUEST));
	r = call1(sim, OCXLFS_CMD_DUMP_READ, ((uint64_t)((256u << 20) - 0x100) << 32) | 0x8000);
	assert_ok(r);
	ck_assert_int_eq(ocxlfs_dump_chunk_decode(r.data, r.dlen, &d, &n), 0);
	ck_assert_uint_eq(n, 0x100);
	sim_card_close(sim);
}
END_TEST

/* ---- faults ---- */

START_TEST(test_fault_delay)
{
	struct sim_card *sim = open_card(0, 0, 0, 0);
	uint64_t t0;

	ck_assert_int_eq(sim_card_set_fault(sim, SIM_FAULT_DELAY, 30), 0);
	t0 = now_ms();
	assert_ok(call0(sim, OCXLFS_CMD_HEARTBEAT));
	ck_assert_uint_ge(now_ms() - t0, 30);
	ck_assert_int_eq(sim_card_set_fault(sim, 99, 0), -EINVAL);
	sim_card_close(sim);
}
END_TEST

START_TEST(test_fault_hang)
{
	struct sim_card *sim = open_card(0, 0, 0, 0);
	struct nd_cmd_get_config_size cs;
	uint64_t t0;

	ck_assert_uint_eq(sim_cmd_timeout_ms(OCXLFS_CMD_HEARTBEAT), 100);
	ck_assert_uint_eq(sim_cmd_timeout_ms(OCXLFS_CMD_ERRLOG_NEXT), 2000);
	ck_assert_uint_eq(sim_cmd_timeout_ms(OCXLFS_CMD_SMART), 100);
	ck_assert_uint_eq(sim_cmd_timeout_ms(OCXLFS_CMD_STATS), 100);
	ck_assert_uint_eq(sim_cmd_timeout_ms(OCXLFS_CMD_DUMP_READ), 1000);
	ck_assert_uint_eq(sim_cmd_timeout_ms(OCXLFS_CMD_IDENTIFY), 100);

	/*
	 * A hung command waits out its own timeout, at least: no upper bound
	 * (the test's timeout is the hang guard), the machine may be slow.
	 */
	sim_card_set_fault(sim, SIM_FAULT_HANG, 0);
	t0 = now_ms();
	ck_assert_int_eq(call0(sim, OCXLFS_CMD_HEARTBEAT).rc, -ETIMEDOUT);
	ck_assert_uint_ge(now_ms() - t0, 100);
	ck_assert_int_eq(sim_card_ioctl(sim, ND_IOCTL_GET_CONFIG_SIZE, &cs), -ETIMEDOUT);
	/*
	 * Envelope errors are the kernel's, answered without the card: the
	 * hung card would have answered ETIMEDOUT.
	 */
	ck_assert_int_eq(call0(sim, OCXLFS_CMD_MAX + 1).rc, -ENOTTY);
	sim_card_set_fault(sim, SIM_FAULT_NONE, 0);
	assert_ok(call0(sim, OCXLFS_CMD_HEARTBEAT));
	sim_card_close(sim);
}
END_TEST

/*
 * Steering never waits for a command (docs/tree.md section 4.1): while a
 * command sleeps a 60 s delay, the fault is read and changed at once, and
 * "none" ends the sleep under way.  The case's timeout is the hang guard.
 */
static struct {
	struct sim_card *sim;
	struct reply r;
	bool done;
} sleeper;

static void *sleeping_command(void *arg)
{
	sleeper.r = call0(sleeper.sim, OCXLFS_CMD_HEARTBEAT);
	__atomic_store_n(&sleeper.done, true, __ATOMIC_RELEASE);
	return NULL;
}

START_TEST(test_steering_while_a_command_sleeps)
{
	struct timespec tick = { 0, 1000000 };
	enum sim_fault_kind kind;
	pthread_t t;
	unsigned arg;

	sleeper.sim = open_card(0, 0, 0, 0);
	ck_assert_int_eq(sim_card_set_fault(sleeper.sim, SIM_FAULT_DELAY, 60000), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, sleeping_command, NULL), 0);
	while (sim_card_commands(sleeper.sim) == 0)
		nanosleep(&tick, NULL);
	sim_card_get_fault(sleeper.sim, &kind, &arg);
	ck_assert_int_eq(kind, SIM_FAULT_DELAY);
	ck_assert_uint_eq(arg, 60000);
	/* Answered while the command still sleeps. */
	ck_assert(!__atomic_load_n(&sleeper.done, __ATOMIC_ACQUIRE));
	ck_assert_int_eq(sim_card_set_fault(sleeper.sim, SIM_FAULT_NONE, 0), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	assert_ok(sleeper.r);
	ck_assert_uint_eq(sim_card_commands(sleeper.sim), 1);
	sim_card_close(sleeper.sim);
}
END_TEST

START_TEST(test_fault_status)
{
	struct sim_card *sim = open_card(0, 0, 0, 0);
	struct reply r;

	sim_card_set_fault(sim, SIM_FAULT_STATUS, OCXLFS_STATUS_MEM_UNAVAILABLE);
	for (unsigned cmd = 1; cmd <= OCXLFS_CMD_MAX; cmd++) {
		if (!ocxlfs_cmd_defined(cmd))
			continue;
		r = call1(sim, cmd, 8);
		ck_assert_int_eq(r.rc, 0);
		ck_assert_uint_eq(r.status, OCXLFS_STATUS_MEM_UNAVAILABLE);
		ck_assert_uint_eq(r.fw_size, 8);
	}
	sim_card_close(sim);
}
END_TEST

START_TEST(test_fault_corrupt)
{
	struct sim_card *sim = open_card(0, 0, 0, 0);
	struct ocxlfs_identity id;
	struct ocxlfs_stats st;
	struct reply r;

	sim_card_set_fault(sim, SIM_FAULT_CORRUPT, 0);
	r = call0(sim, OCXLFS_CMD_IDENTIFY);
	assert_ok(r);
	ck_assert_uint_eq(ocxlfs_get_le64(r.data) >> 48, 0x5858);
	ck_assert_int_eq(ocxlfs_identity_decode(r.data, r.dlen, &id), -EBADMSG);
	r = call0(sim, OCXLFS_CMD_STATS);
	ck_assert_int_eq(ocxlfs_stats_decode(r.data, r.dlen, &st), -EBADMSG);
	sim_card_set_fault(sim, SIM_FAULT_NONE, 0);
	r = call0(sim, OCXLFS_CMD_STATS);
	ck_assert_int_eq(ocxlfs_stats_decode(r.data, r.dlen, &st), 0);
	sim_card_close(sim);
}
END_TEST

START_TEST(test_fault_fatal)
{
	struct sim_card *sim = open_card(0, 0, 0, 0);

	ck_assert_int_eq(sim_card_inject_errlog(sim, 1, OCXLFS_EL_GENERAL), 0);
	sim_card_set_fault(sim, SIM_FAULT_FATAL_FW, 0);
	ck_assert_uint_eq(call0(sim, OCXLFS_CMD_HEARTBEAT).status, OCXLFS_STATUS_FAILED);
	ck_assert_uint_eq(call0(sim, OCXLFS_CMD_STATS).status, OCXLFS_STATUS_FAILED);
	ck_assert_uint_eq(event_mask(sim), OCXLFS_EVENT_FATAL_FW | OCXLFS_EVENT_ELA);
	sim_card_set_fault(sim, SIM_FAULT_FATAL_HW, 0);
	ck_assert_uint_eq(call0(sim, OCXLFS_CMD_ERRLOG_NEXT).status, OCXLFS_STATUS_FAILED);
	ck_assert_uint_eq(event_mask(sim), OCXLFS_EVENT_FATAL_HW | OCXLFS_EVENT_ELA);
	sim_card_close(sim);
}
END_TEST

START_TEST(test_fault_vanish)
{
	struct sim_card *sim = open_card(0, 0, 0, 0);
	struct nd_cmd_get_config_size cs;

	sim_card_set_fault(sim, SIM_FAULT_VANISH, 0);
	ck_assert_int_eq(call0(sim, OCXLFS_CMD_HEARTBEAT).rc, -ENODEV);
	ck_assert_int_eq(call0(sim, 0).rc, -ENODEV);
	ck_assert_int_eq(sim_card_ioctl(sim, ND_IOCTL_GET_CONFIG_SIZE, &cs), -ENODEV);
	ck_assert_int_eq(sim_card_ioctl(sim, 0x1234, &cs), -ENODEV);
	sim_card_set_fault(sim, SIM_FAULT_NONE, 0);
	assert_ok(call0(sim, OCXLFS_CMD_HEARTBEAT));
	sim_card_close(sim);
}
END_TEST

/* ---- profiles (raw buffers; check_compat drives them through ops) ---- */

START_TEST(test_profiles_raw)
{
	struct sim_card *sim = open_card(0, 0, 0, 0);
	struct ocxlfs_stats st;
	struct reply r;

	sim_card_set_profile(sim, SIM_PROFILE_LEGACY);
	r = call0(sim, OCXLFS_CMD_IDENTIFY);
	assert_ok(r);
	ck_assert_uint_eq(r.dlen, 8 + 0x20);
	ck_assert_uint_eq(call0(sim, OCXLFS_CMD_EVENT_CHECK).status, OCXLFS_STATUS_BAD_OPCODE);
	ck_assert_uint_eq(call0(sim, OCXLFS_CMD_ERASE_STATUS).status, OCXLFS_STATUS_BAD_OPCODE);

	sim_card_set_profile(sim, SIM_PROFILE_FUTURE);
	r = call0(sim, OCXLFS_CMD_IDENTIFY);
	ck_assert_uint_eq(r.dlen, 8 + 0x38);
	r = call0(sim, OCXLFS_CMD_STATS);
	ck_assert_uint_eq(r.dlen, 8 + OCXLFS_CS_LEN_V4 + 0x20);
	ck_assert_int_eq(ocxlfs_stats_decode(r.data, r.dlen, &st), 0);
	ck_assert_uint_eq(st.unknown_blocks, 1);
	ck_assert_int_eq(sim_card_inject_errlog(sim, 1, OCXLFS_EL_GENERAL), 0);
	ck_assert_uint_eq(next_entry(sim).type, SIM_EL_TYPE_FUTURE);
	sim_card_close(sim);
}
END_TEST

/* ---- secure erase ---- */

static struct ocxlfs_erase_status erase_status(struct sim_card *sim)
{
	struct ocxlfs_erase_status es;
	struct reply r = call0(sim, OCXLFS_CMD_ERASE_STATUS);

	assert_ok(r);
	ck_assert_int_eq(ocxlfs_erase_status_decode(r.data, r.dlen, &es), 0);
	return es;
}

START_TEST(test_erase_refused_with_namespace)
{
	struct sim_card *sim = open_card(0, 0, 0, 0);
	struct ocxlfs_transport *t;
	uint8_t b[16] = { 1 };

	ck_assert_int_eq(ocxlfs_transport_sim_new(sim, 0, &t), 0);
	ck_assert(!sim_card_namespace_enabled(sim));
	ck_assert_int_eq(t->ops->namespaces_enabled(t), 0);
	sim_card_set_namespace_enabled(sim, true);
	ck_assert(sim_card_namespace_enabled(sim));
	/* The transport asks the simulator, not libndctl. */
	ck_assert_int_eq(t->ops->namespaces_enabled(t), 1);
	ck_assert_uint_eq(call0(sim, OCXLFS_CMD_ERASE_START).status, OCXLFS_STATUS_BLOCKED_BG);
	ck_assert_uint_eq(erase_status(sim).state, OCXLFS_ERASE_IDLE);
	/* As the kernel: labels of an enabled namespace are not rewritten underneath it. */
	ck_assert_int_eq(t->ops->label_write(t, b, 0, sizeof(b)), -EBUSY);
	ck_assert_int_eq(t->ops->label_read(t, b, 0, sizeof(b)), 0);
	sim_card_set_namespace_enabled(sim, false);
	ck_assert_int_eq(t->ops->label_write(t, b, 0, sizeof(b)), 0);
	ocxlfs_transport_destroy(t);
	sim_card_close(sim);
}
END_TEST

START_TEST(test_erase)
{
	struct sim_card *sim = open_card(0, 0, 0, 0);
	struct ocxlfs_transport *t;
	struct ocxlfs_erase_status es;
	uint8_t *buf = malloc(SIM_DEFAULT_LABEL_SIZE);
	size_t nonzero = 0;

	ck_assert_int_eq(ocxlfs_transport_sim_new(sim, 0, &t), 0);
	fill_pattern(buf, SIM_DEFAULT_LABEL_SIZE, 5);
	ck_assert_int_eq(t->ops->label_write(t, buf, 0, SIM_DEFAULT_LABEL_SIZE), 0);
	ck_assert_int_eq(sim_card_inject_errlog(sim, 2, OCXLFS_EL_GENERAL), 0);

	/*
	 * Ended by hand, not by its time: however slow the machine, the checks
	 * below run while it still runs (check_compat and the restart test
	 * below see an erase end by its time).
	 */
	sim_card_set_erase_ms(sim, 600000);
	assert_ok(call0(sim, OCXLFS_CMD_ERASE_START));
	es = erase_status(sim);
	ck_assert_uint_eq(es.state, OCXLFS_ERASE_RUNNING);
	ck_assert_uint_lt(es.progress_permille, 1000);
	ck_assert(event_mask(sim) & OCXLFS_EVENT_ERASE_BUSY);
	ck_assert_uint_eq(call0(sim, OCXLFS_CMD_ERASE_START).status, OCXLFS_STATUS_BLOCKED_BG);
	ck_assert_int_eq(t->ops->label_write(t, buf, 0, 8), -EBUSY);

	ck_assert_int_eq(sim_card_finish_erase(sim), 0);
	es = erase_status(sim);
	ck_assert_uint_eq(es.state, OCXLFS_ERASE_DONE);
	ck_assert_uint_eq(es.progress_permille, 1000);
	ck_assert_uint_eq(es.ns_status, OCXLFS_STATUS_SUCCESS);
	ck_assert_uint_eq(es.acc_tried, ((uint64_t)SIM_DEFAULT_LABEL_SIZE + (256ULL << 30)) / 4096);
	ck_assert_uint_eq(es.acc_ok, es.acc_tried);
	ck_assert_uint_gt(es.def_tried, 0);
	ck_assert_uint_eq(es.def_ok, es.def_tried);
	ck_assert_uint_eq(event_mask(sim) & OCXLFS_EVENT_ERASE_BUSY, 0);

	ck_assert_int_eq(t->ops->label_read(t, buf, 0, SIM_DEFAULT_LABEL_SIZE), 0);
	for (size_t i = 0; i < SIM_DEFAULT_LABEL_SIZE; i++)
		nonzero += buf[i] != 0;
	ck_assert_uint_eq(nonzero, 0);
	ck_assert_uint_eq(sim_card_errlog_queued(sim), 2);
	ocxlfs_transport_destroy(t);
	free(buf);
	sim_card_close(sim);
}
END_TEST

START_TEST(test_erase_finishes_after_restart)
{
	struct sim_card *sim = open_card(0, 0, 0, 0);
	struct ocxlfs_transport *t;
	uint8_t b[64];

	fill_pattern(b, sizeof(b), 1);
	ck_assert_int_eq(ocxlfs_transport_sim_new(sim, 0, &t), 0);
	ck_assert_int_eq(t->ops->label_write(t, b, 0, sizeof(b)), 0);
	ocxlfs_transport_destroy(t);
	sim_card_set_erase_ms(sim, 30);
	assert_ok(call0(sim, OCXLFS_CMD_ERASE_START));
	sim_card_close(sim);
	usleep(50000);

	sim = open_card(0, 0, 0, 0);
	ck_assert_uint_eq(erase_status(sim).state, OCXLFS_ERASE_DONE);
	ck_assert_int_eq(ocxlfs_transport_sim_new(sim, 0, &t), 0);
	ck_assert_int_eq(t->ops->label_read(t, b, 0, sizeof(b)), 0);
	for (size_t i = 0; i < sizeof(b); i++)
		ck_assert_uint_eq(b[i], 0);
	ocxlfs_transport_destroy(t);
	sim_card_close(sim);
}
END_TEST

/* ---- threads ---- */

static void *hammer(void *arg)
{
	struct sim_card *sim = arg;
	uint8_t raw[sizeof(struct nd_cmd_pkg) + 8 + 512];
	struct nd_cmd_pkg *pkg = (struct nd_cmd_pkg *)raw;

	for (int i = 0; i < 200; i++) {
		memset(raw, 0, sizeof(raw));
		pkg->nd_family = OCXLFS_ND_FAMILY;
		pkg->nd_command = (i & 1) ? OCXLFS_CMD_STATS : OCXLFS_CMD_HEALTH_REQUEST;
		pkg->nd_size_out = 8 + 512;
		if (sim_card_ioctl(sim, ND_IOCTL_CALL, pkg) || pkg->nd_payload[0])
			return (void *)1;
	}
	return NULL;
}

START_TEST(test_threads)
{
	struct sim_card *sim = open_card(0, 0, 0, 0);
	pthread_t th[4];
	void *ret;

	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, hammer, sim), 0);
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], &ret);
		ck_assert_ptr_null(ret);
	}
	ck_assert_uint_eq(sim_card_errlog_queued(sim), 400);
	/* Ids are unique and in order. */
	for (uint32_t id = 1; id <= 400; id++) {
		ck_assert_uint_eq(next_entry(sim).log_id, id);
		assert_ok(call1(sim, OCXLFS_CMD_ERRLOG_ACK, id));
	}
	sim_card_close(sim);
}
END_TEST

/*
 * An idle card's buffers are allocated on first use: 64 simulated cards
 * that are only opened take well under their response buffers' 97 KiB each.
 * (Under a sanitizer's allocator mallinfo2() counts nothing: the bound
 * then holds trivially.)
 */
START_TEST(test_idle_cards_are_small)
{
	enum { N = 64 };
	struct sim_card *sims[N];
	size_t before, per_card;

	before = mallinfo2().uordblks;
	for (unsigned i = 0; i < N; i++)
		sims[i] = open_card(i, 4096, 0, 0);
	per_card = (mallinfo2().uordblks - before) / N;
	ck_assert_msg(per_card < 16 * 1024, "%zu bytes of heap per idle card", per_card);
	/* And they answer once asked, dumps included. */
	for (unsigned i = 0; i < N; i++) {
		ck_assert_int_eq(sim_card_post_dump(sims[i], 64), 0);
		assert_ok(call1(sims[i], OCXLFS_CMD_DUMP_READ, 64));
		sim_card_close(sims[i]);
	}
}
END_TEST

/* A smaller admin data buffer: IDENTIFY says so, and dump chunks are cut to it. */
START_TEST(test_admin_buffer)
{
	struct sim_config cfg = { .dir = tmpdir, .dump_size = 0x10000, .admin_buffer_size = 0x1000 };
	struct ocxlfs_identity id;
	struct sim_card *sim;
	struct reply r;

	ck_assert_int_eq(sim_card_open(&cfg, &sim), 0);
	r = call0(sim, OCXLFS_CMD_IDENTIFY);
	assert_ok(r);
	ck_assert_int_eq(ocxlfs_identity_decode(r.data, r.dlen, &id), 0);
	ck_assert_uint_eq(id.admin_buffer_size, 0x1000);
	ck_assert_int_eq(sim_card_post_dump(sim, 0), 0);
	r = call1(sim, OCXLFS_CMD_DUMP_READ, 0x1000);
	assert_ok(r);
	ck_assert_uint_eq(r.dlen, 0x1000);
	ck_assert_uint_eq(ocxlfs_get_le64(r.data) & 0xFFFF, 0x1000 - 8);
	ck_assert_uint_eq(call1(sim, OCXLFS_CMD_DUMP_READ, 0x1008).status,
			  OCXLFS_STATUS_BAD_REQUEST);
	sim_card_close(sim);
	/* Outside 4 KiB..64 KiB, or not a multiple of 8. */
	cfg.index = 1;
	cfg.admin_buffer_size = 0x800;
	ck_assert_int_eq(sim_card_open(&cfg, &sim), -EINVAL);
	cfg.admin_buffer_size = 0x10008;
	ck_assert_int_eq(sim_card_open(&cfg, &sim), -EINVAL);
	cfg.admin_buffer_size = 0x1004;
	ck_assert_int_eq(sim_card_open(&cfg, &sim), -EINVAL);
}
END_TEST

static Suite *sim_suite(void)
{
	Suite *s = suite_create("sim");
	TCase *tc = tcase_create("card");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_identity);
	tcase_add_test(tc, test_label_rw);
	tcase_add_test(tc, test_label_raw_ioctls);
	tcase_add_test(tc, test_label_persists);
	tcase_add_test(tc, test_label_16m);
	tcase_add_test(tc, test_geometry_mismatch);
	tcase_add_test(tc, test_state_dir_created);
	tcase_add_test(tc, test_busy_when_open_twice);
	tcase_add_test(tc, test_envelope_checks);
	tcase_add_test(tc, test_short_out_buffer);
	tcase_add_test(tc, test_errlog_queue);
	tcase_add_test(tc, test_errlog_persists);
	tcase_add_test(tc, test_initial_errlogs_only_on_create);
	tcase_add_test(tc, test_errlog_full);
	tcase_add_test(tc, test_health_request);
	tcase_add_test(tc, test_stats_move);
	tcase_add_test(tc, test_smart);
	tcase_add_test(tc, test_dump);
	tcase_add_test(tc, test_dump_256m);
	tcase_add_test(tc, test_fault_delay);
	tcase_add_test(tc, test_fault_hang);
	tcase_add_test(tc, test_steering_while_a_command_sleeps);
	tcase_add_test(tc, test_fault_status);
	tcase_add_test(tc, test_fault_corrupt);
	tcase_add_test(tc, test_fault_fatal);
	tcase_add_test(tc, test_fault_vanish);
	tcase_add_test(tc, test_profiles_raw);
	tcase_add_test(tc, test_erase_refused_with_namespace);
	tcase_add_test(tc, test_erase);
	tcase_add_test(tc, test_erase_finishes_after_restart);
	tcase_add_test(tc, test_threads);
	tcase_add_test(tc, test_idle_cards_are_small);
	tcase_add_test(tc, test_admin_buffer);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sim_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
