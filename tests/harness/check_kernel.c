// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The kernel transports against the harness: discovery with libndctl, the
 * ndctl transport's envelopes, label area and errno mapping, the v4
 * fallback, namespace detection and hot-plug rescans, all through the real
 * sysfs paths and ioctl()s, with nothing in ocxlfs replaced.  The binary
 * re-executes itself under tests/harness/ocxl-harness (OCXL_HARNESS_BIN)
 * and sets the cards up through the harness's control socket.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/ndctl.h>
#include <ocxlfs/passthru.h>

#include "harness.h"
#include "card/card.h"
#include "proto/ops.h"
#include "transport/discover.h"
#include "transport/ioctl_v4.h"
#include "util/log.h"

#define SIM_FIRST_SERIAL 2020000000ULL /* what --simulate gives card 0 */

static char sim_dir[] = "/tmp/ocxl-check-kernel.XXXXXX";

/* Sends one control request; fails the test if the harness refuses it. */
static void ctl(const char *verb, ...)
{
	char *argv[16];
	int argc = 0, rc;
	va_list ap;

	argv[argc++] = (char *)verb;
	va_start(ap, verb);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	rc = harness_request(getenv(HARNESS_ENV), argc, argv, NULL, 0);
	ck_assert_msg(rc == 0, "harness %s: %s", verb, strerror(-rc));
}

/* Fresh cards for one test, state files in their own directory; EXTRA: "key=value ...". */
static void setup_cards(const char *count, const char *extra)
{
	char dir[sizeof(sim_dir) + 32], keys[256] = "", *argv[16], *save = NULL;
	static unsigned seq;
	int argc = 0, rc;

	/* Check runs each test in its own fork: the pid keeps directories apart. */
	snprintf(dir, sizeof(dir), "dir=%s/%d.%u", sim_dir, (int)getpid(), seq++);
	argv[argc++] = "setup";
	argv[argc++] = (char *)count;
	argv[argc++] = dir;
	snprintf(keys, sizeof(keys), "%s", extra ? extra : "");
	for (char *k = strtok_r(keys, " ", &save); k && argc < 16; k = strtok_r(NULL, " ", &save))
		argv[argc++] = k;
	rc = harness_request(getenv(HARNESS_ENV), argc, argv, NULL, 0);
	ck_assert_msg(rc == 0, "harness setup %s: %s", extra ? extra : "", strerror(-rc));
}

static struct ocxlfs_discovered *discover(unsigned want)
{
	struct ocxlfs_discovered *cards = NULL;
	unsigned n = 99;
	int rc = ocxlfs_discover(&cards, &n);

	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(n, want);
	return cards;
}

/* ---- discovery ---- */

START_TEST(test_discover_cards)
{
	struct ocxlfs_discovered *c;

	setup_cards("2", NULL);
	c = discover(2);
	for (unsigned i = 0; i < 2; i++) {
		char name[16], dev[32];

		snprintf(name, sizeof(name), "nmem%u", i);
		snprintf(dev, sizeof(dev), "/dev/nmem%u", i);
		ck_assert_str_eq(c[i].name, name);
		ck_assert_str_eq(c[i].t->kind, "ndctl");
		ck_assert_str_eq(c[i].t->device, dev);
		ck_assert_uint_eq(c[i].serial, SIM_FIRST_SERIAL + i);
		ck_assert_str_eq(c[i].fw_version, "01.02.03");
		ck_assert(c[i].identity_from_sysfs);
	}
	ocxlfs_discover_free(c, 2);
}
END_TEST

START_TEST(test_discover_identity_by_command)
{
	struct ocxlfs_discovered *c;

	/* No ocxlpmem/ sysfs group: the identity comes from IDENTIFY. */
	setup_cards("1", "sysfs-identity=0");
	c = discover(1);
	ck_assert(!c[0].identity_from_sysfs);
	ck_assert_uint_eq(c[0].serial, SIM_FIRST_SERIAL);
	ck_assert_str_eq(c[0].fw_version, "01.02.03");
	ocxlfs_discover_free(c, 1);
}
END_TEST

START_TEST(test_discover_none)
{
	struct ocxlfs_discovered *c;

	ctl("teardown", NULL);
	c = discover(0);
	ck_assert_ptr_nonnull(c);
	ocxlfs_discover_free(c, 0);
}
END_TEST

START_TEST(test_discover_v4_fallback)
{
	struct ocxlfs_op_result res;
	struct ocxlfs_identity id;
	struct ocxlfs_stats st;
	struct ocxlfs_smart sm;
	struct ocxlfs_discovered *c;
	uint8_t entry[OCXLFS_EL_FIXED + 0x100];
	uint32_t size, xfer;
	size_t len;

	/* The posted v4 driver: ND_CMD_CALL knows SMART only. */
	setup_cards("1", "flavour=v4");
	ctl("inject", "0", "errlog 1", NULL);
	c = discover(1);
	ck_assert_str_eq(c[0].name, "ocxlpmem0");
	ck_assert_str_eq(c[0].t->kind, "ioctl-v4");
	ck_assert_str_eq(c[0].t->device, "/dev/ocxlpmem0");
	ck_assert_uint_eq(c[0].serial, SIM_FIRST_SERIAL);
	/* The DIMM is attached: the namespace question goes to libndctl. */
	ck_assert_int_eq(c[0].t->ops->namespaces_enabled(c[0].t), 0);

	ck_assert_int_eq(ocxlfs_op_identify(c[0].t, &id, &res), 0);
	ck_assert_uint_eq(id.serial, SIM_FIRST_SERIAL);
	ck_assert_int_eq(ocxlfs_op_stats(c[0].t, &st, &res), 0);
	ck_assert_uint_eq(st.present, (1u << OCXLFS_STAT_NR) - 1);
	/* SMART through the DIMM's family-6 command 1. */
	ck_assert_int_eq(ocxlfs_op_smart(c[0].t, &sm, &res), 0);
	ck_assert_uint_eq(sm.count, 3);
	ck_assert_int_eq(ocxlfs_op_errlog_next(c[0].t, entry, sizeof(entry), &len, NULL, &res), 0);
	ck_assert_uint_ge(len, OCXLFS_EL_FIXED);
	ck_assert_int_eq(c[0].t->ops->label_size(c[0].t, &size, &xfer), 0);
	ck_assert_uint_eq(size, 131072);
	/* No v4 ioctl for it: unsupported, not broken. */
	ck_assert_int_eq(ocxlfs_op_heartbeat(c[0].t, &res),
			 -ocxlfs_status_errno(OCXLFS_STATUS_BAD_OPCODE));
	ck_assert_uint_eq(res.status, OCXLFS_STATUS_BAD_OPCODE);
	ocxlfs_discover_free(c, 1);
}
END_TEST

/*
 * ocxlfs registers no eventfd (its monitor asks EVENT_CHECK); the double
 * still offers what the driver does, for other programs under the harness.
 */
START_TEST(test_v4_eventfd)
{
	struct ioctl_ocxlpmem_eventfd ev = { .reserved = 7 };
	struct pollfd p;
	int fd, efd;

	setup_cards("1", "flavour=v4");
	fd = open("/dev/ocxlpmem0", O_RDWR | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ck_assert_int_ge(efd, 0);
	ev.eventfd = efd;
	/* The driver does not look at the reserved word. */
	ck_assert_int_eq(ioctl(fd, IOCTL_OCXLPMEM_EVENTFD, &ev), 0);
	ck_assert_int_eq(ioctl(fd, IOCTL_OCXLPMEM_EVENTFD, &ev), -1);
	ck_assert_int_eq(errno, EBUSY);
	/* The card posts an entry: the registered eventfd is signalled. */
	ctl("inject", "0", "errlog 1", NULL);
	p.fd = efd;
	p.events = POLLIN;
	ck_assert_int_eq(poll(&p, 1, 5000), 1);
	close(efd);
	close(fd);
}
END_TEST

/* How many times card 0's v4 node received the ioctl NAME (ctl calls). */
static unsigned long v4_calls(const char *name)
{
	char out[HARNESS_MSG_MAX], *argv[] = { "calls", "0" }, *p;
	size_t len = strlen(name);

	ck_assert_int_eq(harness_request(getenv(HARNESS_ENV), 2, argv, out, sizeof(out)), 0);
	for (p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, name, len) && p[len] == ' ')
			return strtoul(p + len + 1, NULL, 10);
	ck_abort_msg("no count for %s in: %s", name, out);
	return 0;
}

/* A driver built without some ioctls answers them EINVAL: unsupported, asked once. */
START_TEST(test_v4_driver_without_ioctls)
{
	struct ocxlfs_op_result res;
	struct ocxlfs_discovered *c;
	struct ocxlfs_stats st;
	uint64_t mask;

	setup_cards("1", "flavour=v4 v4-lacks=event-check,request-health");
	c = discover(1);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(ocxlfs_op_event_check(c[0].t, &mask, &res), -EOPNOTSUPP);
		ck_assert_uint_eq(res.status, OCXLFS_STATUS_BAD_OPCODE);
		ck_assert_int_eq(ocxlfs_op_health_request(c[0].t, &res), -EOPNOTSUPP);
	}
	ck_assert_uint_eq(v4_calls("event-check"), 1);
	ck_assert_uint_eq(v4_calls("request-health"), 1);
	/* The ioctls it has still work. */
	ck_assert_int_eq(ocxlfs_op_stats(c[0].t, &st, &res), 0);
	ocxlfs_discover_free(c, 1);
}
END_TEST

/*
 * The driver's code does not say the card drops an entry its ERROR_LOG
 * read.  If it keeps it, the drain sees it again after the ACK and stops.
 */
START_TEST(test_v4_card_keeps_entries)
{
	char state[sizeof(sim_dir) + 32];
	struct ocxlfs_discovered *c;
	struct card *card;

	setup_cards("1", "flavour=v4 v4-errlog=keep errlogs=2");
	c = discover(1);
	snprintf(state, sizeof(state), "%s/state-%d", sim_dir, (int)getpid());
	ck_assert_int_eq(card_open(0, c[0].t, NULL, state, &card), 0);
	c[0].t = NULL;
	ck_assert_int_eq(card_drain_errlog(card), 1);
	ck_assert_uint_eq(v4_calls("error-log"), 2);
	ck_assert_int_eq(card_drain_errlog(card), 1);
	ck_assert_uint_eq(v4_calls("error-log"), 3); /* the held entry, then it again */
	card_close(card);
	ocxlfs_discover_free(c, 1);

	/* A card that drops them, as the transport assumes: all of them, then EAGAIN. */
	setup_cards("1", "flavour=v4 errlogs=2");
	c = discover(1);
	snprintf(state, sizeof(state), "%s/state2-%d", sim_dir, (int)getpid());
	ck_assert_int_eq(card_open(0, c[0].t, NULL, state, &card), 0);
	c[0].t = NULL;
	ck_assert_int_eq(card_drain_errlog(card), 2);
	ck_assert_uint_eq(v4_calls("error-log"), 3);
	card_close(card);
	ocxlfs_discover_free(c, 1);
}
END_TEST

/*
 * DUMP_DATA on a card with a 4 KiB admin buffer: EINVAL above it until the
 * transport finds the size; EINVAL at a size that fits is the 'CD' check.
 */
START_TEST(test_v4_dump_data_einval)
{
	struct ocxlfs_op_result res;
	struct ocxlfs_discovered *c;
	uint8_t buf[0x8000];
	size_t got;

	setup_cards("1", "flavour=v4 admin-buffer=4096");
	ctl("inject", "0", "dump 65536", NULL);
	c = discover(1);
	ck_assert_int_eq(ocxlfs_op_dump_read(c[0].t, 0, sizeof(buf), buf, &got, &res), 0);
	ck_assert_uint_eq(got, 4096 - 8);
	ck_assert_uint_eq(v4_calls("controller-dump-data"), 5); /* 0x8008, 0x8000 ... 0x1000 */
	ck_assert_int_eq(ocxlfs_op_dump_read(c[0].t, got, sizeof(buf), buf, &got, &res), 0);
	ck_assert_uint_eq(v4_calls("controller-dump-data"), 6);
	/* The card's reply without its identifier: no smaller size is tried. */
	ctl("fault", "0", "corrupt", NULL);
	ck_assert_int_eq(ocxlfs_op_dump_read(c[0].t, 0, sizeof(buf), buf, &got, &res), -EBADMSG);
	ck_assert_uint_eq(v4_calls("controller-dump-data"), 7);
	ctl("fault", "0", "none", NULL);
	ck_assert_int_eq(ocxlfs_op_dump_read(c[0].t, 0, sizeof(buf), buf, &got, &res), 0);
	ck_assert_uint_eq(got, 4096 - 8);
	/* The end: the driver returns the 8 header bytes of an empty 'CD'. */
	ck_assert_int_eq(ocxlfs_op_dump_read(c[0].t, 65536, sizeof(buf), buf, &got, &res), 0);
	ck_assert_uint_eq(got, 0);
	ocxlfs_discover_free(c, 1);
}
END_TEST

/* ---- the ndctl transport ---- */

static uint8_t pattern(uint32_t i)
{
	return (uint8_t)(i * 7 + (i >> 9));
}

START_TEST(test_label_area)
{
	struct ocxlfs_discovered *c;
	struct ocxlfs_transport *t;
	uint32_t size, xfer;
	uint8_t *w, *r;

	setup_cards("1", "label-size=65536");
	c = discover(1);
	t = c[0].t;
	ck_assert_int_eq(t->ops->label_size(t, &size, &xfer), 0);
	ck_assert_uint_eq(size, 65536);
	ck_assert_uint_eq(xfer, 4096);
	w = malloc(size);
	r = malloc(size);
	for (uint32_t i = 0; i < size; i++)
		w[i] = pattern(i);
	ck_assert_int_eq(t->ops->label_write(t, w, 0, size), 0);
	/* Reads at offsets that cross max_xfer chunks return exactly those bytes. */
	ck_assert_int_eq(t->ops->label_read(t, r, 6000, 10000), 0);
	ck_assert_mem_eq(r, w + 6000, 10000);
	ck_assert_int_eq(t->ops->label_read(t, r, size - 1, 1), 0);
	ck_assert_uint_eq(r[0], w[size - 1]);
	/* A write in the middle lands there, and only there. */
	memset(w + 5000, 0xEE, 3000);
	ck_assert_int_eq(t->ops->label_write(t, w + 5000, 5000, 3000), 0);
	ck_assert_int_eq(t->ops->label_read(t, r, 0, size), 0);
	ck_assert_mem_eq(r, w, size);
	/* Out of bounds. */
	ck_assert_int_eq(t->ops->label_read(t, r, size - 10, 11), -EINVAL);
	ck_assert_int_eq(t->ops->label_write(t, r, size, 1), -EINVAL);
	free(w);
	free(r);
	ocxlfs_discover_free(c, 1);
}
END_TEST

/* An envelope with nd_command CMD and no payload, as the transport sends it. */
static int raw_call(struct ocxlfs_transport *t, uint64_t cmd)
{
	struct {
		struct nd_cmd_pkg pkg;
		uint8_t out[OCXLFS_PKG_OUT_HDR];
	} e = { .pkg = { .nd_family = OCXLFS_ND_FAMILY, .nd_command = cmd,
			 .nd_size_out = OCXLFS_PKG_OUT_HDR } };

	return t->ops->call(t, &e.pkg);
}

START_TEST(test_namespace_busy)
{
	struct ocxlfs_op_result res;
	uint64_t mask;
	struct ocxlfs_discovered *c;
	struct ocxlfs_transport *t;
	struct ocxlfs_stats st;
	uint8_t b[16] = {1};

	setup_cards("1", NULL);
	c = discover(1);
	t = c[0].t;
	ck_assert_int_eq(t->ops->namespaces_enabled(t), 0);

	ctl("namespace", "0", "enabled", NULL);
	ck_assert_int_eq(t->ops->namespaces_enabled(t), 1);
	/* libnvdimm refuses label writes on a busy DIMM; reads go on. */
	ck_assert_int_eq(t->ops->label_write(t, b, 0, sizeof(b)), -EBUSY);
	ck_assert_int_eq(t->ops->label_read(t, b, 0, sizeof(b)), 0);
	/*
	 * libnvdimm tests the function number, so an ND_CMD_CALL with
	 * nd_command 6 is refused as if it were SET_CONFIG_DATA; the family
	 * never uses 6, and every operation, a dump request too, gets through.
	 */
	ck_assert_int_eq(raw_call(t, 6), -EBUSY);
	ck_assert_int_eq(raw_call(t, OCXLFS_CMD_HEARTBEAT), 0);
	ck_assert_int_eq(ocxlfs_op_dump_request(t, &res), 0);
	ck_assert_uint_eq(res.status, OCXLFS_STATUS_SUCCESS);
	ck_assert_int_eq(ocxlfs_op_event_check(t, &mask, &res), 0);
	ck_assert(mask & OCXLFS_EVENT_CDA);
	ck_assert_int_eq(ocxlfs_op_stats(t, &st, &res), 0);

	ctl("namespace", "0", "disabled", NULL);
	ck_assert_int_eq(t->ops->namespaces_enabled(t), 0);
	ck_assert_int_eq(t->ops->label_write(t, b, 0, sizeof(b)), 0);
	ck_assert_int_eq(raw_call(t, 6), -ENOTTY);

	/* The bus gone: no answer rather than a wrong one. */
	ctl("unplug", "0", NULL);
	ck_assert_int_eq(t->ops->namespaces_enabled(t), -ENODEV);
	ocxlfs_discover_free(c, 1);
}
END_TEST

static struct nd_cmd_pkg *identify_pkg(uint32_t out)
{
	struct nd_cmd_pkg *p = calloc(1, sizeof(*p) + out);

	p->nd_family = OCXLFS_ND_FAMILY;
	p->nd_command = OCXLFS_CMD_IDENTIFY;
	p->nd_size_out = out;
	return p;
}

START_TEST(test_envelope_errnos)
{
	struct ocxlfs_discovered *c;
	struct ocxlfs_transport *t;
	struct nd_cmd_pkg *p;

	setup_cards("1", NULL);
	c = discover(1);
	t = c[0].t;
	p = identify_pkg(256);
	ck_assert_int_eq(t->ops->call(t, p), 0);
	ck_assert_uint_ge(p->nd_fw_size, OCXLFS_PKG_OUT_HDR);
	/* The kernel's family mask: only family 6 on this DIMM. */
	p->nd_family = 5;
	ck_assert_int_eq(t->ops->call(t, p), -EINVAL);
	free(p);
	/* Over ND_IOCTL_MAX_BUFLEN: refused before the ioctl, as the kernel would. */
	p = identify_pkg(OCXLFS_ND_IOCTL_MAX_BUFLEN);
	ck_assert_int_eq(t->ops->call(t, p), -EINVAL);
	free(p);
	ocxlfs_discover_free(c, 1);
}
END_TEST

START_TEST(test_unplug_replug)
{
	struct ocxlfs_discovered *c;
	struct ocxlfs_transport *t;
	struct nd_cmd_pkg *p;

	setup_cards("1", NULL);
	c = discover(1);
	t = c[0].t;
	p = identify_pkg(256);
	ck_assert_int_eq(t->ops->call(t, p), 0);
	/* The DIMM goes away under an open descriptor: ENXIO from the kernel. */
	ctl("unplug", "0", NULL);
	ck_assert_int_eq(t->ops->call(t, p), -ENODEV);
	/* And no node at all on the next try. */
	ck_assert_int_eq(t->ops->call(t, p), -ENODEV);
	/* Back: the transport reopens and checks the node, and the card answers. */
	ctl("plug", "0", NULL);
	p->nd_fw_size = 0;
	ck_assert_int_eq(t->ops->call(t, p), 0);
	ck_assert_uint_ge(p->nd_fw_size, OCXLFS_PKG_OUT_HDR);
	free(p);
	ocxlfs_discover_free(c, 1);
}
END_TEST

/* ---- rescan ---- */

START_TEST(test_rescan)
{
	struct ocxlfs_card_key keys[2];
	struct ocxlfs_discovered *c, *added;
	unsigned nadded;
	bool gone[2];

	setup_cards("2", NULL);
	c = discover(2);
	ocxlfs_discovered_key(&c[0], &keys[0]);
	ocxlfs_discovered_key(&c[1], &keys[1]);
	ck_assert_str_eq(keys[1].device, "/dev/nmem1");

	/* Nothing changed. */
	ck_assert_int_eq(ocxlfs_rescan(keys, 2, &added, &nadded, gone), 0);
	ck_assert_uint_eq(nadded, 0);
	ck_assert(!gone[0] && !gone[1]);
	ocxlfs_discover_free(added, nadded);

	/* Card 1 leaves. */
	ctl("unplug", "1", NULL);
	ck_assert_int_eq(ocxlfs_rescan(keys, 2, &added, &nadded, gone), 0);
	ck_assert_uint_eq(nadded, 0);
	ck_assert(!gone[0] && gone[1]);
	ocxlfs_discover_free(added, nadded);

	/* It comes back: new to a caller that dropped it, with a working transport. */
	ctl("plug", "1", NULL);
	ck_assert_int_eq(ocxlfs_rescan(keys, 1, &added, &nadded, gone), 0);
	ck_assert_uint_eq(nadded, 1);
	ck_assert(!gone[0]);
	ck_assert_str_eq(added[0].t->device, "/dev/nmem1");
	ck_assert_uint_eq(added[0].serial, SIM_FIRST_SERIAL + 1);
	ocxlfs_discover_free(added, nadded);
	ocxlfs_discover_free(c, 2);

	/* Other cards at the same nodes: every known one gone, both new. */
	setup_cards("2", "serial-base=7000");
	ck_assert_int_eq(ocxlfs_rescan(keys, 2, &added, &nadded, gone), 0);
	ck_assert(gone[0] && gone[1]);
	ck_assert_uint_eq(nadded, 2);
	ck_assert_uint_eq(added[0].serial, 7000);
	ocxlfs_discover_free(added, nadded);
}
END_TEST

START_TEST(test_rescan_by_command)
{
	struct ocxlfs_card_key key;
	struct ocxlfs_discovered *c, *added;
	unsigned nadded;
	bool gone;

	/* Without the sysfs group, serials come from IDENTIFY on every rescan. */
	setup_cards("1", "sysfs-identity=0");
	c = discover(1);
	ocxlfs_discovered_key(&c[0], &key);
	ocxlfs_discover_free(c, 1);
	ck_assert_int_eq(ocxlfs_rescan(&key, 1, &added, &nadded, &gone), 0);
	ck_assert(!gone);
	ck_assert_uint_eq(nadded, 0);
	ocxlfs_discover_free(added, nadded);
	/* A card that does not answer is still there, not gone. */
	ctl("fault", "0", "vanish", NULL);
	ck_assert_int_eq(ocxlfs_rescan(&key, 1, &added, &nadded, &gone), 0);
	ck_assert(!gone);
	ck_assert_uint_eq(nadded, 0);
	ocxlfs_discover_free(added, nadded);
}
END_TEST

/* ---- the emulated kernel itself ---- */

START_TEST(test_emulated_kernel_rules)
{
	struct nd_cmd_get_config_size cs = {0};
	struct nd_cmd_pkg *p = identify_pkg(256);
	int fd;

	setup_cards("1", NULL);
	/* Read-only descriptor: ND_CMD_CALL is EPERM, GET_CONFIG_SIZE fine. */
	fd = open("/dev/nmem0", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ioctl(fd, ND_IOCTL_CALL, p), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(ioctl(fd, ND_IOCTL_GET_CONFIG_SIZE, &cs), 0);
	ck_assert_uint_eq(cs.max_xfer, 4096);
	close(fd);
	fd = open("/dev/nmem0", O_RDWR | O_CLOEXEC);
	/* A command outside the DIMM's mask. */
	ck_assert_int_eq(ioctl(fd, ND_IOCTL_DIMM_FLAGS, &cs), -1);
	ck_assert_int_eq(errno, ENOTTY);
	/* A bad buffer. */
	ck_assert_int_eq(ioctl(fd, ND_IOCTL_CALL, (void *)8), -1);
	ck_assert_int_eq(errno, EFAULT);
	/* Only the number counts: the size bits of the request are ignored. */
	ck_assert_int_eq(ioctl(fd, _IOC(_IOC_READ | _IOC_WRITE, ND_IOCTL, ND_CMD_CALL, 0), p), 0);
	close(fd);
	free(p);
}
END_TEST

static Suite *kernel_suite(void)
{
	Suite *s = suite_create("kernel");
	TCase *tc = tcase_create("harness");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_discover_cards);
	tcase_add_test(tc, test_discover_identity_by_command);
	tcase_add_test(tc, test_discover_none);
	tcase_add_test(tc, test_discover_v4_fallback);
	tcase_add_test(tc, test_v4_eventfd);
	tcase_add_test(tc, test_v4_driver_without_ioctls);
	tcase_add_test(tc, test_v4_card_keeps_entries);
	tcase_add_test(tc, test_v4_dump_data_einval);
	tcase_add_test(tc, test_label_area);
	tcase_add_test(tc, test_namespace_busy);
	tcase_add_test(tc, test_envelope_errnos);
	tcase_add_test(tc, test_unplug_replug);
	tcase_add_test(tc, test_rescan);
	tcase_add_test(tc, test_rescan_by_command);
	tcase_add_test(tc, test_emulated_kernel_rules);
	suite_add_tcase(s, tc);
	return s;
}

/* Outside the harness: run again inside it, or skip (fail with CI=true). */
static int enter_harness(char **argv)
{
	const char *bin = getenv("OCXL_HARNESS_BIN");
	const char *ci = getenv("CI");
	const bool must = ci && !strcmp(ci, "true");

	if (geteuid() != 0 || !bin) {
		fprintf(stderr, "%s: %s\n", must ? "FAIL" : "SKIP",
			bin ? "the harness needs root" : "OCXL_HARNESS_BIN is not set");
		return must ? 1 : 77;
	}
	execl(bin, bin, "--", argv[0], (char *)NULL);
	fprintf(stderr, "FAIL: %s: %s\n", bin, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	SRunner *sr;
	int failed;

	if (!getenv(HARNESS_ENV))
		return enter_harness(argv);
	log_init(0, LOG_ERR);
	if (!mkdtemp(sim_dir))
		return 1;
	sr = srunner_create(kernel_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	/* Best effort: the state files of every setup. */
	if (fork() == 0)
		execlp("rm", "rm", "-rf", sim_dir, (char *)NULL);
	return failed ? 1 : 0;
}
