// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests for the kernel transports, as far as they can be proven
 * without a card:
 *   - the v4 ABI: struct sizes and offsets and the ioctl numbers of the
 *     posted header (docs/protocol.md, section 9), bit for bit;
 *   - discovery on a machine without an ocxlpmem bus or /dev/ocxlpmem*;
 *   - the ndctl transport's envelope size rule;
 *   - the v4 translation layer, end to end through ->call() and through the
 *     card operations of src/proto/ops.c, on a driver double given to the
 *     transport as its ioctl function (transport/ioctl_fn.h): it answers
 *     the 0xCA requests like the posted v4 driver does (including its
 *     error-log copy defect), or, switched off, like a node that knows none
 *     of them (ENOTTY).
 */
#include <check.h>
#include <errno.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "codec/codec.h"
#include "proto/ops.h"
#include "transport/discover.h"
#include "transport/ioctl_v4.h"
#include "transport/sysfs.h"
#include "util/log.h"

/* ---- the fake v4 driver ---- */

#define FAKE_EL_MAX 8
/* The double's name: no sysfs has an ocxlpmem device of that name. */
#define FAKE_NODE "/dev/ocxlpmem-double"

static struct {
	bool on;
	unsigned calls[8];	 /* per NR 0x30..0x37 */
	int err[8];		 /* errno to fail NR with, 0 = none */
	int status[8];		 /* positive admin status to return, 0 = none */
	/* error-log queue */
	unsigned el_head, el_count;
	uint32_t el_id[FAKE_EL_MAX];
	uint16_t el_addl;	 /* additional data bytes per entry */
	bool el_fixed;		 /* copy like a fixed driver (from 0x48) */
	bool el_end_zero;	 /* no entry: buf_size 0 and nothing filled (the header's comment) */
	/* statistics */
	struct ioctl_ocxlpmem_controller_stats cs;
	/* dump */
	uint32_t dump_size;
	uint16_t admin_data;	 /* admin data buffer size: DUMP_DATA limit */
	bool dump_bad_id;	 /* the card's reply lacks 'CD': the driver's EINVAL */
	bool dump_end_zero;	 /* past the end: buf_size 0 (the header's comment), not 8 */
	uint64_t events;
} fake;

static uint8_t el_byte(uint32_t id, size_t i)
{
	return (uint8_t)(id * 31 + i * 7);
}

static uint8_t dump_byte(size_t i)
{
	return (uint8_t)(i * 13 + (i >> 8));
}

static void put64(uint8_t *p, uint64_t v)
{
	ocxlfs_put_le64(p, v);
}

/* The card's 'EL' data buffer for entry ID. */
static size_t el_image(uint32_t id, uint8_t *img)
{
	memset(img, 0, OCXLFS_EL_FIXED);
	put64(img, ((uint64_t)OCXLFS_ID_ERRLOG << 48) | fake.el_addl);
	put64(img + 0x08, ((uint64_t)id << 32) | 0xABCD);
	put64(img + 0x10, ((uint64_t)OCXLFS_EL_GENERAL << 56) | ((uint64_t)0x800001 << 32) | 4242);
	put64(img + 0x18, 0x1122334455667788ull);
	put64(img + 0x20, 0x5005076000000001ull);
	put64(img + 0x28, 0x0000000000000002ull);
	memcpy(img + 0x30, "FW012345", 8);
	for (size_t i = 0; i < fake.el_addl; i++)
		img[OCXLFS_EL_FIXED + i] = el_byte(id, i);
	return OCXLFS_EL_FIXED + fake.el_addl;
}

static int fake_error_log(struct ioctl_ocxlpmem_error_log *el)
{
	static uint8_t img[OCXLFS_EL_FIXED + 0x10000];
	uint16_t user = el->buf_size, n;
	uint32_t id;

	if (user % 8)
		return -EINVAL;
	if (!fake.el_count && fake.el_end_zero) {
		el->buf_size = 0;
		return 0;
	}
	if (!fake.el_count)
		return -EAGAIN;
	id = fake.el_id[fake.el_head];
	el_image(id, img);
	el->log_identifier = id;
	el->program_reference_code = 0xABCD;
	el->error_log_type = OCXLFS_EL_GENERAL;
	el->action_flags = 0x800001;
	el->power_on_seconds = 4242;
	el->timestamp = 0x1122334455667788ull;
	el->wwid[0] = 0x5005076000000001ull;
	el->wwid[1] = 2;
	memcpy(el->fw_revision, "FW012345", 9);
	el->buf_size = fake.el_addl;
	n = (user < fake.el_addl ? user : fake.el_addl) & ~7u;
	/* v4: from the start of the data buffer; fixed: the additional data alone. */
	memcpy((void *)(uintptr_t)el->buf_ptr, fake.el_fixed ? img + OCXLFS_EL_FIXED : img, n);
	fake.el_head = (fake.el_head + 1) % FAKE_EL_MAX;
	fake.el_count--;
	return 0;
}

static int fake_dump_data(struct ioctl_ocxlpmem_controller_dump_data *dd)
{
	uint8_t *buf = (uint8_t *)(uintptr_t)dd->buf_ptr;
	uint32_t count = 0, n;

	if (dd->buf_size % 8 || dd->buf_size > fake.admin_data || fake.dump_bad_id)
		return -EINVAL;
	if (dd->offset >= fake.dump_size && fake.dump_end_zero) {
		dd->buf_size = 0;
		return 0;
	}
	/* The card gets buf_size as its byte count; the driver copies header + data. */
	if (dd->offset < fake.dump_size)
		count = fake.dump_size - dd->offset < dd->buf_size ? fake.dump_size - dd->offset
								    : dd->buf_size;
	n = (count + 8 < dd->buf_size ? count + 8 : dd->buf_size);
	put64(buf, ((uint64_t)OCXLFS_ID_DUMP << 48) | count);
	for (uint32_t i = 8; i < (n & ~7u); i++)
		buf[i] = dump_byte(dd->offset + i - 8);
	dd->buf_size = (uint16_t)n;
	return 0;
}

/* The driver double, given to the transport as its ioctl function. */
static int fake_ioctl(void *dev, unsigned long request, void *arg)
{
	unsigned nr = _IOC_NR(request) - 0x30;
	int rc = 0;

	(void)dev;
	if (!fake.on || _IOC_TYPE(request) != OCXLPMEM_MAGIC)
		return -ENOTTY; /* a node that is not the v4 driver's, as /dev/null */
	if (nr >= 8)
		return -EINVAL; /* what v4's file_ioctl says to unknown requests */
	fake.calls[nr]++;
	if (fake.err[nr])
		return -fake.err[nr];
	if (fake.status[nr])
		return fake.status[nr];
	switch (request) {
	case IOCTL_OCXLPMEM_ERROR_LOG:
		rc = fake_error_log(arg);
		break;
	case IOCTL_OCXLPMEM_CONTROLLER_DUMP_DATA:
		rc = fake_dump_data(arg);
		break;
	case IOCTL_OCXLPMEM_CONTROLLER_STATS:
		memcpy(arg, &fake.cs, sizeof(fake.cs));
		break;
	case IOCTL_OCXLPMEM_EVENT_CHECK:
		memcpy(arg, &fake.events, sizeof(fake.events));
		break;
	case IOCTL_OCXLPMEM_CONTROLLER_DUMP:
	case IOCTL_OCXLPMEM_CONTROLLER_DUMP_COMPLETE:
	case IOCTL_OCXLPMEM_REQUEST_HEALTH:
		break;
	default: /* right NR, wrong size/direction bits: the driver's switch misses */
		rc = -EINVAL;
	}
	return rc;
}

/* ---- helpers ---- */

static struct ocxlfs_transport *v4;

static void v4_setup(void)
{
	memset(&fake, 0, sizeof(fake));
	fake.on = true;
	fake.el_addl = 200;
	fake.admin_data = 0x1000;
	fake.dump_size = 10000;
	ck_assert_int_eq(ocxlfs_transport_ioctl_v4_new_ioctl(FAKE_NODE, fake_ioctl, &fake, &v4), 0);
	ck_assert_str_eq(v4->kind, "ioctl-v4");
	ck_assert_str_eq(v4->device, FAKE_NODE);
}

static void v4_teardown(void)
{
	ocxlfs_transport_destroy(v4);
	v4 = NULL;
	fake.on = false;
}

static void queue_errlogs(unsigned n, uint32_t first_id)
{
	for (unsigned i = 0; i < n; i++) {
		fake.el_id[(fake.el_head + fake.el_count) % FAKE_EL_MAX] = first_id + i;
		fake.el_count++;
	}
}

/* One envelope with IN (0 or 1 word) and OUT bytes of output room. */
static struct nd_cmd_pkg *pkg_new(unsigned cmd, int nin, uint64_t in, uint32_t out)
{
	struct nd_cmd_pkg *p = calloc(1, sizeof(*p) + 8u * nin + out);

	ck_assert_ptr_nonnull(p);
	p->nd_family = OCXLFS_ND_FAMILY;
	p->nd_command = cmd;
	p->nd_size_in = 8u * nin;
	p->nd_size_out = out;
	p->nd_fw_size = 0xDEAD;
	if (nin)
		ocxlfs_put_le64(p->nd_payload, in);
	return p;
}

static uint8_t reply_status(const struct nd_cmd_pkg *p)
{
	return (uint8_t)ocxlfs_get_le64(p->nd_payload + p->nd_size_in);
}

static const uint8_t *reply_data(const struct nd_cmd_pkg *p)
{
	return p->nd_payload + p->nd_size_in + OCXLFS_PKG_OUT_HDR;
}

/* Sends CMD, expects rc 0 and STATUS; returns the envelope for more checks. */
static struct nd_cmd_pkg *call_ok(unsigned cmd, int nin, uint64_t in, uint32_t out,
				  uint8_t status)
{
	struct nd_cmd_pkg *p = pkg_new(cmd, nin, in, out);

	ck_assert_int_eq(v4->ops->call(v4, p), 0);
	ck_assert_uint_ge(p->nd_fw_size, OCXLFS_PKG_OUT_HDR);
	ck_assert_uint_eq(reply_status(p), status);
	return p;
}

/* ---- the v4 ABI ---- */

START_TEST(test_v4_struct_layout)
{
	ck_assert_uint_eq(sizeof(struct ioctl_ocxlpmem_error_log), 88);
	ck_assert_uint_eq(offsetof(struct ioctl_ocxlpmem_error_log, log_identifier), 0);
	ck_assert_uint_eq(offsetof(struct ioctl_ocxlpmem_error_log, program_reference_code), 4);
	ck_assert_uint_eq(offsetof(struct ioctl_ocxlpmem_error_log, action_flags), 8);
	ck_assert_uint_eq(offsetof(struct ioctl_ocxlpmem_error_log, power_on_seconds), 12);
	ck_assert_uint_eq(offsetof(struct ioctl_ocxlpmem_error_log, timestamp), 16);
	ck_assert_uint_eq(offsetof(struct ioctl_ocxlpmem_error_log, wwid), 24);
	ck_assert_uint_eq(offsetof(struct ioctl_ocxlpmem_error_log, fw_revision), 40);
	ck_assert_uint_eq(offsetof(struct ioctl_ocxlpmem_error_log, reserved0), 49);
	ck_assert_uint_eq(offsetof(struct ioctl_ocxlpmem_error_log, buf_size), 56);
	ck_assert_uint_eq(offsetof(struct ioctl_ocxlpmem_error_log, error_log_type), 58);
	ck_assert_uint_eq(offsetof(struct ioctl_ocxlpmem_error_log, reserved1), 59);
	ck_assert_uint_eq(offsetof(struct ioctl_ocxlpmem_error_log, buf_ptr), 64);
	ck_assert_uint_eq(offsetof(struct ioctl_ocxlpmem_error_log, reserved2), 72);

	ck_assert_uint_eq(sizeof(struct ioctl_ocxlpmem_controller_dump_data), 80);
	ck_assert_uint_eq(offsetof(struct ioctl_ocxlpmem_controller_dump_data, buf_ptr), 0);
	ck_assert_uint_eq(offsetof(struct ioctl_ocxlpmem_controller_dump_data, buf_size), 8);
	ck_assert_uint_eq(offsetof(struct ioctl_ocxlpmem_controller_dump_data, reserved0), 10);
	ck_assert_uint_eq(offsetof(struct ioctl_ocxlpmem_controller_dump_data, offset), 12);
	ck_assert_uint_eq(offsetof(struct ioctl_ocxlpmem_controller_dump_data, reserved), 16);

	ck_assert_uint_eq(sizeof(struct ioctl_ocxlpmem_controller_stats), 104);
	ck_assert_uint_eq(offsetof(struct ioctl_ocxlpmem_controller_stats, reset_uptime), 4);
	ck_assert_uint_eq(offsetof(struct ioctl_ocxlpmem_controller_stats, power_on_uptime), 8);
	ck_assert_uint_eq(offsetof(struct ioctl_ocxlpmem_controller_stats, life_remaining), 12);
	ck_assert_uint_eq(
		offsetof(struct ioctl_ocxlpmem_controller_stats, critical_resource_utilization), 13);
	ck_assert_uint_eq(offsetof(struct ioctl_ocxlpmem_controller_stats, host_load_count), 16);
	ck_assert_uint_eq(offsetof(struct ioctl_ocxlpmem_controller_stats, media_read_count), 48);
	ck_assert_uint_eq(offsetof(struct ioctl_ocxlpmem_controller_stats, cache_read_hit_count),
			  80);
	ck_assert_uint_eq(offsetof(struct ioctl_ocxlpmem_controller_stats, fast_write_count), 96);

	ck_assert_uint_eq(sizeof(struct ioctl_ocxlpmem_eventfd), 8);
	ck_assert_uint_eq(offsetof(struct ioctl_ocxlpmem_eventfd, reserved), 4);

	/* The contract's event bits are the v4 ones. */
	ck_assert_uint_eq(IOCTL_OCXLPMEM_EVENT_CONTROLLER_DUMP_AVAILABLE, OCXLFS_EVENT_CDA);
	ck_assert_uint_eq(IOCTL_OCXLPMEM_EVENT_ERROR_LOG_AVAILABLE, OCXLFS_EVENT_ELA);
	ck_assert_uint_eq(IOCTL_OCXLPMEM_EVENT_HARDWARE_FATAL, OCXLFS_EVENT_FATAL_HW);
	ck_assert_uint_eq(IOCTL_OCXLPMEM_EVENT_FIRMWARE_FATAL, OCXLFS_EVENT_FATAL_FW);
}
END_TEST

/*
 * How an architecture packs _IOC(dir, type, nr, size), from its
 * <asm/ioctl.h>: asm-generic's layout (x86, arm, arm64, riscv, s390) puts a
 * 2-bit direction at bit 30 with NONE 0, WRITE 1, READ 2; powerpc's puts a
 * 3-bit direction at bit 29 with NONE 1, READ 2, WRITE 4 and leaves 13
 * size bits.  Chosen at compile time, so the numbers the transport sends
 * are checked against the encoding of the machine it runs on.
 */
struct ioc_encoding {
	const char *arch;
	unsigned none, read, write, dir_shift, size_bits;
	bool powerpc; /* which column of literals below applies */
};

#if defined(__powerpc__) || defined(__powerpc64__)
static const struct ioc_encoding ioc = { "powerpc", 1, 2, 4, 29, 13, true };
#elif defined(__x86_64__) || defined(__i386__) || defined(__aarch64__) || defined(__arm__) ||      \
	defined(__riscv) || defined(__s390__)
static const struct ioc_encoding ioc = { "asm-generic", 0, 2, 1, 30, 14, false };
#else
#error "tests/unit/check_transport.c: add this architecture's ioctl encoding"
#endif

static unsigned long ioc_number(unsigned dir, unsigned type, unsigned nr, unsigned size)
{
	ck_assert_uint_lt(size, 1u << ioc.size_bits);
	return ((unsigned long)dir << ioc.dir_shift) | ((unsigned long)size << 16) | (type << 8) | nr;
}

START_TEST(test_v4_ioctl_numbers)
{
	enum { NONE, R, W, RW };
	static const struct {
		const char *name;
		unsigned long req;
		unsigned nr, dir, size;
		/* The posted header's numbers as each layout encodes them. */
		unsigned long generic, powerpc;
	} t[] = {
		{ "ERROR_LOG", IOCTL_OCXLPMEM_ERROR_LOG, 0x30, RW, 88, 0xC058CA30ul, 0xC058CA30ul },
		{ "CONTROLLER_DUMP", IOCTL_OCXLPMEM_CONTROLLER_DUMP, 0x31, NONE, 0, 0xCA31ul,
		  0x2000CA31ul },
		{ "CONTROLLER_DUMP_DATA", IOCTL_OCXLPMEM_CONTROLLER_DUMP_DATA, 0x32, RW, 80,
		  0xC050CA32ul, 0xC050CA32ul },
		{ "CONTROLLER_DUMP_COMPLETE", IOCTL_OCXLPMEM_CONTROLLER_DUMP_COMPLETE, 0x33, NONE, 0,
		  0xCA33ul, 0x2000CA33ul },
		/* the quirk: _IO although a struct is copied out */
		{ "CONTROLLER_STATS", IOCTL_OCXLPMEM_CONTROLLER_STATS, 0x34, NONE, 0, 0xCA34ul,
		  0x2000CA34ul },
		{ "EVENTFD", IOCTL_OCXLPMEM_EVENTFD, 0x35, W, 8, 0x4008CA35ul, 0x8008CA35ul },
		{ "EVENT_CHECK", IOCTL_OCXLPMEM_EVENT_CHECK, 0x36, R, 8, 0x8008CA36ul, 0x4008CA36ul },
		{ "REQUEST_HEALTH", IOCTL_OCXLPMEM_REQUEST_HEALTH, 0x37, NONE, 0, 0xCA37ul,
		  0x2000CA37ul },
		/* <linux/ndctl.h> (docs/protocol.md, section 2.1) */
		{ "ND_IOCTL_CALL", ND_IOCTL_CALL, ND_CMD_CALL, RW, 64, 0xC0404E0Aul, 0xC0404E0Aul },
	};
	const unsigned dirs[] = { [NONE] = ioc.none, [R] = ioc.read, [W] = ioc.write,
				  [RW] = ioc.read | ioc.write };

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const unsigned type = i + 1 < sizeof(t) / sizeof(t[0]) ? 0xCA : 'N';
		const unsigned long want = ioc_number(dirs[t[i].dir], type, t[i].nr, t[i].size);

		ck_assert_msg(t[i].req == want, "%s on %s: %#lx, the encoding gives %#lx",
			      t[i].name, ioc.arch, t[i].req, want);
		ck_assert_uint_eq(want, ioc.powerpc ? t[i].powerpc : t[i].generic);
		ck_assert_uint_eq(_IOC_TYPE(t[i].req), type);
		ck_assert_uint_eq(_IOC_NR(t[i].req), t[i].nr);
		ck_assert_uint_eq(_IOC_DIR(t[i].req), dirs[t[i].dir]);
		ck_assert_uint_eq(_IOC_SIZE(t[i].req), t[i].size);
	}
	ck_assert_uint_eq(sizeof(struct nd_cmd_pkg), 64);
}
END_TEST

/* ---- discovery and constructors ---- */

/* True if this machine might have a card after all (then only rc is checked). */
static bool machine_has_ocxl(void)
{
	char prov[64] = "";
	bool found = false;
	glob_t g;

	if (glob("/dev/ocxlpmem*", 0, NULL, &g) == 0) {
		found = true;
		globfree(&g);
	}
	if (glob("/sys/class/nd/ndctl*/device/provider", 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			FILE *f = fopen(g.gl_pathv[i], "r");

			if (f && fgets(prov, sizeof(prov), f) &&
			    (!strcmp(prov, "ocxlpmem\n") || !strcmp(prov, "ocxl-pmem\n") ||
			     !strcmp(prov, "scm\n")))
				found = true;
			if (f)
				fclose(f);
		}
		globfree(&g);
	}
	return found;
}

START_TEST(test_discover_none)
{
	struct ocxlfs_discovered *cards = (void *)1;
	unsigned n = 99;
	int rc;

	rc = ocxlfs_discover(&cards, &n);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(cards);
	if (!machine_has_ocxl()) {
		ck_assert_uint_eq(n, 0);
		ck_assert_ptr_null(cards[0].t);
		ck_assert_str_eq(cards[0].name, "");
	}
	ocxlfs_discover_free(cards, n);
	ocxlfs_discover_free(NULL, 0);
}
END_TEST

START_TEST(test_discover_free_takes_the_rest)
{
	struct ocxlfs_discovered *cards = calloc(4, sizeof(*cards));
	struct ocxlfs_transport *t;

	/* Entry 0 taken by the caller, entry 2 past the N it passes: destroyed anyway. */
	ck_assert_ptr_nonnull(cards);
	snprintf(cards[0].name, sizeof(cards[0].name), "taken");
	ck_assert_int_eq(ocxlfs_transport_ioctl_v4_new("/dev/null", &t), 0);
	cards[1].t = t;
	snprintf(cards[1].name, sizeof(cards[1].name), "ocxlpmem1");
	ck_assert_int_eq(ocxlfs_transport_ioctl_v4_new("/dev/null", &t), 0);
	cards[2].t = t;
	snprintf(cards[2].name, sizeof(cards[2].name), "ocxlpmem2");
	ocxlfs_discover_free(cards, 2); /* LeakSanitizer checks the rest */
}
END_TEST

START_TEST(test_v4_new_errors)
{
	struct ocxlfs_transport *t = (void *)1;
	char path[] = "/tmp/check_transport.XXXXXX";
	int fd;

	ck_assert_int_eq(ocxlfs_transport_ioctl_v4_new("/nonexistent/ocxlpmem0", &t), -ENOENT);
	ck_assert_ptr_null(t);
	ck_assert_int_eq(ocxlfs_transport_ioctl_v4_new("/dev/ocxlpmem-none", &t), -ENOENT);
	/* A regular file is no device node. */
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(ocxlfs_transport_ioctl_v4_new(path, &t), -ENOTTY);
	unlink(path);
	ck_assert_int_eq(ocxlfs_transport_ioctl_v4_set_nd(NULL, NULL), -EINVAL);
}
END_TEST

START_TEST(test_envelope_size)
{
	const uint32_t max = OCXLFS_ND_IOCTL_MAX_BUFLEN;

	ck_assert_uint_eq(max, 4u << 20);
	ck_assert_uint_eq(OCXLFS_PKG_HDR, sizeof(struct nd_cmd_pkg));
	ck_assert(ocxlfs_envelope_fits(0, 0));
	/* 64 + in + out == 4 MiB is the largest the kernel takes. */
	ck_assert(ocxlfs_envelope_fits(8, max - 64 - 8));
	ck_assert(!ocxlfs_envelope_fits(8, max - 64 - 7));
	ck_assert(ocxlfs_envelope_fits(0, max - 64));
	ck_assert(!ocxlfs_envelope_fits(0, max));
	/* The sum must not wrap. */
	ck_assert(!ocxlfs_envelope_fits(UINT32_MAX, UINT32_MAX));
	ck_assert(!ocxlfs_envelope_fits(UINT32_MAX - 63, 0));
}
END_TEST

/* discovery and the v4 transport's IDENTIFY read serials with this parser. */
START_TEST(test_parse_serial)
{
	static const struct {
		const char *text;
		uint64_t value;
	} good[] = {
		{ "2020000000", 2020000000ull }, { "0", 0 }, { "007", 7 },
		{ "0x78563412", 0x78563412ull }, { "0XABCdef", 0xABCDEFull },
		{ "18446744073709551615", UINT64_MAX }, { "0xFFFFFFFFFFFFFFFF", UINT64_MAX },
	};
	static const char *const bad[] = {
		"", "-1", "+1", " 1", "1 ", "1\t", "18446744073709551616", "0x10000000000000000",
		"0x", "0x-1", "0x 1", "0x0x1", "1.0", "12a", "0x1g", "- 5",
	};
	uint64_t v;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 1;
		ck_assert_msg(ocxlfs_parse_serial(good[i].text, &v) == 0, "'%s'", good[i].text);
		ck_assert_uint_eq(v, good[i].value);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 42;
		ck_assert_msg(ocxlfs_parse_serial(bad[i], &v) == -EINVAL, "'%s'", bad[i]);
		ck_assert_uint_eq(v, 42);
	}
}
END_TEST

/* ---- the v4 translation ---- */

START_TEST(test_v4_envelope_checks)
{
	struct nd_cmd_pkg *p;
	struct nd_cmd_pkg big = { .nd_family = OCXLFS_ND_FAMILY, .nd_command = OCXLFS_CMD_STATS };

	p = pkg_new(OCXLFS_CMD_STATS, 0, 0, 0x200);
	p->nd_family = 5;
	ck_assert_int_eq(v4->ops->call(v4, p), -EINVAL);
	free(p);
	p = pkg_new(OCXLFS_CMD_STATS, 0, 0, 4);
	ck_assert_int_eq(v4->ops->call(v4, p), -EINVAL);
	free(p);
	/* Refused on the header alone, before any payload is touched. */
	big.nd_size_out = OCXLFS_ND_IOCTL_MAX_BUFLEN;
	ck_assert_int_eq(v4->ops->call(v4, &big), -EINVAL);
	ck_assert_uint_eq(fake.calls[IOCTL_OCXLPMEM_CONTROLLER_STATS & 7], 0);
}
END_TEST

START_TEST(test_v4_unsupported)
{
	static const unsigned cmds[] = { OCXLFS_CMD_SMART, OCXLFS_CMD_HEARTBEAT, OCXLFS_CMD_ERASE_START,
					 OCXLFS_CMD_ERASE_STATUS, 0, OCXLFS_CMD_MAX + 1, 200 };
	uint32_t size, xfer;
	uint8_t b[8];

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		struct nd_cmd_pkg *p = call_ok(cmds[i], 0, 0, 0x100, OCXLFS_STATUS_BAD_OPCODE);

		ck_assert_uint_eq(p->nd_fw_size, OCXLFS_PKG_OUT_HDR);
		free(p);
	}
	/* The double has no ocxlpmem sysfs: identity is unsupported too. */
	free(call_ok(OCXLFS_CMD_IDENTIFY, 0, 0, 0x100, OCXLFS_STATUS_BAD_OPCODE));
	ck_assert_int_eq(v4->ops->label_size(v4, &size, &xfer), -EOPNOTSUPP);
	ck_assert_int_eq(v4->ops->label_read(v4, b, 0, 8), -EOPNOTSUPP);
	ck_assert_int_eq(v4->ops->label_write(v4, b, 0, 8), -EOPNOTSUPP);
}
END_TEST

START_TEST(test_v4_errlog_held_until_acked)
{
	struct ocxlfs_errlog e;
	struct nd_cmd_pkg *p;
	const unsigned nr = IOCTL_OCXLPMEM_ERROR_LOG & 7;

	queue_errlogs(2, 0x100);
	p = call_ok(OCXLFS_CMD_ERRLOG_NEXT, 0, 0, 0x10000, OCXLFS_STATUS_SUCCESS);
	ck_assert_int_eq(ocxlfs_errlog_decode(reply_data(p), p->nd_fw_size - 8, &e), 0);
	ck_assert_uint_eq(e.log_id, 0x100);
	ck_assert_uint_eq(fake.calls[nr], 1);
	free(p);

	/* Asking again does not consume another entry. */
	p = call_ok(OCXLFS_CMD_ERRLOG_NEXT, 0, 0, 0x10000, OCXLFS_STATUS_SUCCESS);
	ck_assert_int_eq(ocxlfs_errlog_decode(reply_data(p), p->nd_fw_size - 8, &e), 0);
	ck_assert_uint_eq(e.log_id, 0x100);
	ck_assert_uint_eq(fake.calls[nr], 1);
	free(p);

	/* The card says nothing is pending, but the held entry is. */
	fake.events = OCXLFS_EVENT_CDA;
	p = call_ok(OCXLFS_CMD_EVENT_CHECK, 0, 0, 0x100, OCXLFS_STATUS_SUCCESS);
	ck_assert_uint_eq(p->nd_fw_size, 16);
	ck_assert_uint_eq(ocxlfs_get_le64(reply_data(p)), OCXLFS_EVENT_CDA | OCXLFS_EVENT_ELA);
	free(p);

	/* A wrong identifier keeps it, the right one drops it. */
	free(call_ok(OCXLFS_CMD_ERRLOG_ACK, 1, 0x999, 8, OCXLFS_STATUS_SUCCESS));
	p = call_ok(OCXLFS_CMD_ERRLOG_NEXT, 0, 0, 0x10000, OCXLFS_STATUS_SUCCESS);
	ck_assert_int_eq(ocxlfs_errlog_decode(reply_data(p), p->nd_fw_size - 8, &e), 0);
	ck_assert_uint_eq(e.log_id, 0x100);
	free(p);
	free(call_ok(OCXLFS_CMD_ERRLOG_ACK, 1, 0x100, 8, OCXLFS_STATUS_SUCCESS));

	p = call_ok(OCXLFS_CMD_ERRLOG_NEXT, 0, 0, 0x10000, OCXLFS_STATUS_SUCCESS);
	ck_assert_int_eq(ocxlfs_errlog_decode(reply_data(p), p->nd_fw_size - 8, &e), 0);
	ck_assert_uint_eq(e.log_id, 0x101);
	ck_assert_uint_eq(fake.calls[nr], 2);
	free(p);
	free(call_ok(OCXLFS_CMD_ERRLOG_ACK, 1, 0x101, 8, OCXLFS_STATUS_SUCCESS));

	/* ELA clear: success, no data. */
	fake.events = 0;
	p = call_ok(OCXLFS_CMD_ERRLOG_NEXT, 0, 0, 0x10000, OCXLFS_STATUS_SUCCESS);
	ck_assert_uint_eq(p->nd_fw_size, OCXLFS_PKG_OUT_HDR);
	free(p);
	p = call_ok(OCXLFS_CMD_EVENT_CHECK, 0, 0, 0x100, OCXLFS_STATUS_SUCCESS);
	ck_assert_uint_eq(ocxlfs_get_le64(reply_data(p)), 0);
	free(p);

	/* An ACK without its word is a bad request. */
	free(call_ok(OCXLFS_CMD_ERRLOG_ACK, 0, 0, 8, OCXLFS_STATUS_BAD_REQUEST));
}
END_TEST

/* Checks an 'EL' reply against the fake's entry ID with ADDL bytes of additional data. */
static void check_entry(const struct nd_cmd_pkg *p, uint32_t id, uint16_t addl)
{
	struct ocxlfs_errlog e;

	ck_assert_uint_eq(p->nd_fw_size, 8 + OCXLFS_EL_FIXED + addl);
	ck_assert_int_eq(ocxlfs_errlog_decode(reply_data(p), p->nd_fw_size - 8, &e), 0);
	ck_assert_uint_eq(e.log_id, id);
	ck_assert_uint_eq(e.program_ref_code, 0xABCD);
	ck_assert_uint_eq(e.type, OCXLFS_EL_GENERAL);
	ck_assert_uint_eq(e.action_flags, 0x800001);
	ck_assert_uint_eq(e.power_on_seconds, 4242);
	ck_assert_uint_eq(e.timestamp, 0x1122334455667788ull);
	ck_assert_uint_eq(e.wwid[0], 0x5005076000000001ull);
	ck_assert_uint_eq(e.wwid[1], 2);
	ck_assert_str_eq(e.fw_revision, "FW012345");
	ck_assert_uint_eq(e.addl_len, addl);
	for (size_t i = 0; i < addl; i++)
		ck_assert_uint_eq(e.addl[i], el_byte(id, i));
}

START_TEST(test_v4_errlog_layouts)
{
	struct nd_cmd_pkg *p;

	/* v4 as posted: the data buffer from 0, so the last 0x48 bytes never arrive. */
	fake.el_addl = 200;
	queue_errlogs(1, 7);
	p = call_ok(OCXLFS_CMD_ERRLOG_NEXT, 0, 0, 0x10000, OCXLFS_STATUS_SUCCESS);
	check_entry(p, 7, (200 & ~7) - OCXLFS_EL_FIXED);
	free(p);
	free(call_ok(OCXLFS_CMD_ERRLOG_ACK, 1, 7, 8, OCXLFS_STATUS_SUCCESS));

	/* Shorter than the fixed part: no additional data at all. */
	fake.el_addl = 0x40;
	queue_errlogs(1, 8);
	p = call_ok(OCXLFS_CMD_ERRLOG_NEXT, 0, 0, 0x10000, OCXLFS_STATUS_SUCCESS);
	check_entry(p, 8, 0);
	free(p);
	free(call_ok(OCXLFS_CMD_ERRLOG_ACK, 1, 8, 8, OCXLFS_STATUS_SUCCESS));

	/* A driver with the copy fixed: all of it. */
	fake.el_fixed = true;
	fake.el_addl = 200;
	queue_errlogs(1, 9);
	p = call_ok(OCXLFS_CMD_ERRLOG_NEXT, 0, 0, 0x10000, OCXLFS_STATUS_SUCCESS);
	check_entry(p, 9, 200);
	free(p);

	/* Too little room: truncated, nd_fw_size tells the full size. */
	p = call_ok(OCXLFS_CMD_ERRLOG_NEXT, 0, 0, 8 + 16, OCXLFS_STATUS_SUCCESS);
	ck_assert_uint_eq(p->nd_fw_size, 8 + OCXLFS_EL_FIXED + 200);
	ck_assert_uint_eq(ocxlfs_get_le64(reply_data(p)) >> 48, OCXLFS_ID_ERRLOG);
	free(p);
}
END_TEST

START_TEST(test_v4_status_and_errno)
{
	const unsigned el = IOCTL_OCXLPMEM_ERROR_LOG & 7, st = IOCTL_OCXLPMEM_CONTROLLER_STATS & 7;
	struct nd_cmd_pkg *p;

	/* A positive ioctl value is the card's status byte. */
	queue_errlogs(1, 1);
	fake.status[el] = OCXLFS_STATUS_BLOCKED_BG;
	free(call_ok(OCXLFS_CMD_ERRLOG_NEXT, 0, 0, 0x1000, OCXLFS_STATUS_BLOCKED_BG));
	fake.status[el] = 0;
	fake.status[st] = OCXLFS_STATUS_FAILED;
	free(call_ok(OCXLFS_CMD_STATS, 0, 0, 0x1000, OCXLFS_STATUS_FAILED));
	fake.status[st] = 0;

	/* Admin timeout, vanished device, refused stats layout. */
	p = pkg_new(OCXLFS_CMD_STATS, 0, 0, 0x1000);
	fake.err[st] = EBUSY;
	ck_assert_int_eq(v4->ops->call(v4, p), -ETIMEDOUT);
	fake.err[st] = ENXIO;
	ck_assert_int_eq(v4->ops->call(v4, p), -ENODEV);
	fake.err[st] = ENODEV;
	ck_assert_int_eq(v4->ops->call(v4, p), -EPROTO);
	fake.err[st] = EFAULT;
	ck_assert_int_eq(v4->ops->call(v4, p), -EFAULT);
	fake.err[st] = 0;
	free(p);

	/* A node without the ioctls (ENOTTY, as /dev/null): unsupported, not broken. */
	fake.on = false;
	free(call_ok(OCXLFS_CMD_STATS, 0, 0, 0x1000, OCXLFS_STATUS_BAD_OPCODE));
	free(call_ok(OCXLFS_CMD_HEALTH_REQUEST, 0, 0, 8, OCXLFS_STATUS_BAD_OPCODE));
	free(call_ok(OCXLFS_CMD_EVENT_CHECK, 0, 0, 0x100, OCXLFS_STATUS_BAD_OPCODE));
	fake.on = true;
}
END_TEST

START_TEST(test_v4_stats)
{
	struct ocxlfs_stats st;
	struct nd_cmd_pkg *p;

	fake.cs.reset_count = 3;
	fake.cs.reset_uptime = 100;
	fake.cs.power_on_uptime = 5000;
	fake.cs.life_remaining = 97;
	fake.cs.critical_resource_utilization = 12;
	fake.cs.host_load_count = 1ull << 40;
	fake.cs.host_store_count = 22;
	fake.cs.host_load_duration = 33;
	fake.cs.host_store_duration = 44;
	fake.cs.media_read_count = 55;
	fake.cs.media_write_count = 66;
	fake.cs.media_read_duration = 77;
	fake.cs.media_write_duration = 88;
	fake.cs.cache_read_hit_count = 99;
	fake.cs.cache_write_hit_count = 111;
	fake.cs.fast_write_count = 222;
	p = call_ok(OCXLFS_CMD_STATS, 0, 0, 0x1000, OCXLFS_STATUS_SUCCESS);
	ck_assert_uint_eq(p->nd_fw_size, 8 + 8 + OCXLFS_CS_LEN_V4);
	ck_assert_int_eq(ocxlfs_stats_decode(reply_data(p), p->nd_fw_size - 8, &st), 0);
	ck_assert_uint_eq(st.present, (1u << OCXLFS_STAT_NR) - 1);
	ck_assert_uint_eq(st.value[OCXLFS_STAT_RESET_COUNT], 3);
	ck_assert_uint_eq(st.value[OCXLFS_STAT_RESET_UPTIME], 100);
	ck_assert_uint_eq(st.value[OCXLFS_STAT_POWER_ON_UPTIME], 5000);
	ck_assert_uint_eq(st.value[OCXLFS_STAT_LIFE_REMAINING], 97);
	ck_assert_uint_eq(st.value[OCXLFS_STAT_CRIT_RESOURCE_UTIL], 12);
	ck_assert_uint_eq(st.value[OCXLFS_STAT_HOST_LOAD_COUNT], 1ull << 40);
	ck_assert_uint_eq(st.value[OCXLFS_STAT_HOST_STORE_COUNT], 22);
	ck_assert_uint_eq(st.value[OCXLFS_STAT_HOST_LOAD_DURATION], 33);
	ck_assert_uint_eq(st.value[OCXLFS_STAT_HOST_STORE_DURATION], 44);
	ck_assert_uint_eq(st.value[OCXLFS_STAT_MEDIA_READ_COUNT], 55);
	ck_assert_uint_eq(st.value[OCXLFS_STAT_MEDIA_WRITE_COUNT], 66);
	ck_assert_uint_eq(st.value[OCXLFS_STAT_MEDIA_READ_DURATION], 77);
	ck_assert_uint_eq(st.value[OCXLFS_STAT_MEDIA_WRITE_DURATION], 88);
	ck_assert_uint_eq(st.value[OCXLFS_STAT_CACHE_READ_HIT_COUNT], 99);
	ck_assert_uint_eq(st.value[OCXLFS_STAT_CACHE_WRITE_HIT_COUNT], 111);
	ck_assert_uint_eq(st.value[OCXLFS_STAT_FAST_WRITE_COUNT], 222);
	free(p);
}
END_TEST

START_TEST(test_v4_dump)
{
	const unsigned nr = IOCTL_OCXLPMEM_CONTROLLER_DUMP_DATA & 7;
	const uint8_t *data;
	struct nd_cmd_pkg *p;
	size_t len;
	uint32_t off = 0;
	unsigned chunks = 0;

	free(call_ok(OCXLFS_CMD_DUMP_REQUEST, 0, 0, 8, OCXLFS_STATUS_SUCCESS));
	ck_assert_uint_eq(fake.calls[IOCTL_OCXLPMEM_CONTROLLER_DUMP & 7], 1);

	/* 0x8008 is more than the admin buffer (0x1000): learnt once, by powers of two. */
	for (;;) {
		p = call_ok(OCXLFS_CMD_DUMP_READ, 1, ((uint64_t)off << 32) | 0x8000, 8 + 8 + 0x8000,
			    OCXLFS_STATUS_SUCCESS);
		ck_assert_int_eq(ocxlfs_dump_chunk_decode(reply_data(p), p->nd_fw_size - 8, &data,
							&len),
				 0);
		ck_assert_uint_le(len, 0x8000);
		for (size_t i = 0; i < len; i++)
			ck_assert_uint_eq(data[i], dump_byte(off + i));
		free(p);
		if (!len)
			break;
		off += len;
		chunks++;
		if (chunks == 1)
			ck_assert_uint_eq(fake.calls[nr], 5); /* 0x8008, 0x8000 ... 0x1000 */
	}
	ck_assert_uint_eq(off, fake.dump_size);
	ck_assert_uint_eq(fake.calls[nr], 5 + chunks);

	/* Sizes the contract forbids. */
	free(call_ok(OCXLFS_CMD_DUMP_READ, 1, 12, 0x100, OCXLFS_STATUS_BAD_REQUEST));
	free(call_ok(OCXLFS_CMD_DUMP_READ, 1, 0, 0x100, OCXLFS_STATUS_BAD_REQUEST));
	free(call_ok(OCXLFS_CMD_DUMP_READ, 0, 0, 0x100, OCXLFS_STATUS_BAD_REQUEST));

	free(call_ok(OCXLFS_CMD_DUMP_COMPLETE, 0, 0, 8, OCXLFS_STATUS_SUCCESS));
	ck_assert_uint_eq(fake.calls[IOCTL_OCXLPMEM_CONTROLLER_DUMP_COMPLETE & 7], 1);
	free(call_ok(OCXLFS_CMD_HEALTH_REQUEST, 0, 0, 8, OCXLFS_STATUS_SUCCESS));
	ck_assert_uint_eq(fake.calls[IOCTL_OCXLPMEM_REQUEST_HEALTH & 7], 1);
}
END_TEST

/* ioctls whose handler never says EINVAL: a driver built without them. */
START_TEST(test_v4_einval_means_missing)
{
	static const struct {
		unsigned cmd;
		unsigned long request;
		uint32_t out;
	} t[] = {
		{ OCXLFS_CMD_EVENT_CHECK, IOCTL_OCXLPMEM_EVENT_CHECK, 0x100 },
		{ OCXLFS_CMD_HEALTH_REQUEST, IOCTL_OCXLPMEM_REQUEST_HEALTH, 8 },
		{ OCXLFS_CMD_DUMP_REQUEST, IOCTL_OCXLPMEM_CONTROLLER_DUMP, 8 },
		{ OCXLFS_CMD_DUMP_COMPLETE, IOCTL_OCXLPMEM_CONTROLLER_DUMP_COMPLETE, 8 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const unsigned nr = t[i].request & 7;

		fake.err[nr] = EINVAL;
		/* Unsupported at the first answer, and not asked again. */
		free(call_ok(t[i].cmd, 0, 0, t[i].out, OCXLFS_STATUS_BAD_OPCODE));
		free(call_ok(t[i].cmd, 0, 0, t[i].out, OCXLFS_STATUS_BAD_OPCODE));
		ck_assert_uint_eq(fake.calls[nr], 1);
		fake.err[nr] = 0;
		free(call_ok(t[i].cmd, 0, 0, t[i].out, OCXLFS_STATUS_BAD_OPCODE));
		ck_assert_uint_eq(fake.calls[nr], 1);
	}
	/* A node that knows no such request (ENOTTY) is not asked twice either. */
	fake.on = false;
	free(call_ok(OCXLFS_CMD_STATS, 0, 0, 0x1000, OCXLFS_STATUS_BAD_OPCODE));
	fake.on = true;
	free(call_ok(OCXLFS_CMD_STATS, 0, 0, 0x1000, OCXLFS_STATUS_BAD_OPCODE));
	ck_assert_uint_eq(fake.calls[IOCTL_OCXLPMEM_CONTROLLER_STATS & 7], 0);
}
END_TEST

/* EINVAL from ERROR_LOG and STATS: the driver refused the card's reply. */
START_TEST(test_v4_einval_bad_reply)
{
	const unsigned el = IOCTL_OCXLPMEM_ERROR_LOG & 7, st = IOCTL_OCXLPMEM_CONTROLLER_STATS & 7;
	struct nd_cmd_pkg *p = pkg_new(OCXLFS_CMD_ERRLOG_NEXT, 0, 0, 0x1000);

	queue_errlogs(1, 5);
	fake.err[el] = EINVAL;
	ck_assert_int_eq(v4->ops->call(v4, p), -EBADMSG);
	ck_assert_int_eq(v4->ops->call(v4, p), -EBADMSG);
	ck_assert_uint_eq(fake.calls[el], 2); /* still asked: the next reply may be whole */
	fake.err[el] = 0;
	free(p);
	p = call_ok(OCXLFS_CMD_ERRLOG_NEXT, 0, 0, 0x1000, OCXLFS_STATUS_SUCCESS);
	check_entry(p, 5, (200 & ~7) - OCXLFS_EL_FIXED);
	free(p);

	p = pkg_new(OCXLFS_CMD_STATS, 0, 0, 0x1000);
	fake.err[st] = EINVAL;
	ck_assert_int_eq(v4->ops->call(v4, p), -EBADMSG);
	fake.err[st] = 0;
	ck_assert_int_eq(v4->ops->call(v4, p), 0);
	ck_assert_uint_eq(reply_status(p), OCXLFS_STATUS_SUCCESS);
	free(p);
}
END_TEST

/* DUMP_DATA's EINVAL: too large for the admin buffer, or a reply without 'CD'. */
START_TEST(test_v4_dump_einval_causes)
{
	const unsigned nr = IOCTL_OCXLPMEM_CONTROLLER_DUMP_DATA & 7;
	struct nd_cmd_pkg *p = pkg_new(OCXLFS_CMD_DUMP_READ, 1, 0x800, 8 + 8 + 0x800);

	/* The card returned a 0x900-byte entry: its admin buffer holds 0x948. */
	fake.el_addl = 0x900;
	queue_errlogs(1, 3);
	free(call_ok(OCXLFS_CMD_ERRLOG_NEXT, 0, 0, 0x10000, OCXLFS_STATUS_SUCCESS));
	/* So an EINVAL at 0x808 is the identifier: refused at once, no smaller try. */
	fake.dump_bad_id = true;
	ck_assert_int_eq(v4->ops->call(v4, p), -EBADMSG);
	ck_assert_uint_eq(fake.calls[nr], 1);
	/* Above what is known to fit, smaller sizes are tried down to that, then the same. */
	free(p);
	p = pkg_new(OCXLFS_CMD_DUMP_READ, 1, 0x4000, 8 + 8 + 0x4000);
	ck_assert_int_eq(v4->ops->call(v4, p), -EBADMSG);
	ck_assert_uint_eq(fake.calls[nr], 1 + 5); /* 0x4008, 0x4000, 0x2000, 0x1000, 0x800 */
	/* None worked, so no limit was learnt from them: the next read tries 0x4008 again. */
	fake.dump_bad_id = false;
	ck_assert_int_eq(v4->ops->call(v4, p), 0);
	ck_assert_uint_eq(reply_status(p), OCXLFS_STATUS_SUCCESS);
	ck_assert_uint_eq(p->nd_fw_size, 8 + 8 + 0xFF8); /* 0x1000 fits, header inside */
	ck_assert_uint_eq(fake.calls[nr], 6 + 4);   /* 0x4008, 0x4000, 0x2000, 0x1000 */
	/* That one did: 0x1000 from now on. */
	ck_assert_int_eq(v4->ops->call(v4, p), 0);
	ck_assert_uint_eq(fake.calls[nr], 10 + 1);
	free(p);
}
END_TEST

/* The header's end markers: buf_size 0 for "no more entries" and "no more dump data". */
START_TEST(test_v4_zero_is_the_end)
{
	struct nd_cmd_pkg *p;
	const uint8_t *data;
	size_t len;

	fake.el_end_zero = true;
	p = call_ok(OCXLFS_CMD_ERRLOG_NEXT, 0, 0, 0x1000, OCXLFS_STATUS_SUCCESS);
	ck_assert_uint_eq(p->nd_fw_size, OCXLFS_PKG_OUT_HDR);
	free(p);
	/* Nothing is held, so nothing is pending. */
	p = call_ok(OCXLFS_CMD_EVENT_CHECK, 0, 0, 0x100, OCXLFS_STATUS_SUCCESS);
	ck_assert_uint_eq(ocxlfs_get_le64(reply_data(p)), 0);
	free(p);
	/* A real entry without additional data is no end marker. */
	fake.el_addl = 0;
	queue_errlogs(1, 11);
	p = call_ok(OCXLFS_CMD_ERRLOG_NEXT, 0, 0, 0x1000, OCXLFS_STATUS_SUCCESS);
	check_entry(p, 11, 0);
	free(p);

	fake.dump_end_zero = true;
	p = call_ok(OCXLFS_CMD_DUMP_READ, 1, ((uint64_t)fake.dump_size << 32) | 0x800,
		    8 + 8 + 0x800, OCXLFS_STATUS_SUCCESS);
	ck_assert_int_eq(ocxlfs_dump_chunk_decode(reply_data(p), p->nd_fw_size - 8, &data, &len),
			 0);
	ck_assert_uint_eq(len, 0);
	free(p);
}
END_TEST

/* The card operations of ops.c on top of the v4 transport. */
START_TEST(test_v4_through_ops)
{
	struct ocxlfs_op_result res;
	struct ocxlfs_errlog e;
	struct ocxlfs_stats st;
	struct ocxlfs_identity id;
	uint8_t buf[0x10000];
	uint64_t mask;
	size_t len, got;

	queue_errlogs(1, 0x42);
	ck_assert_int_eq(ocxlfs_op_errlog_next(v4, buf, sizeof(buf), &len, NULL, &res), 0);
	ck_assert_int_eq(ocxlfs_errlog_decode(buf, len, &e), 0);
	ck_assert_uint_eq(e.log_id, 0x42);
	ck_assert_int_eq(ocxlfs_op_event_check(v4, &mask, &res), 0);
	ck_assert_uint_eq(mask, OCXLFS_EVENT_ELA);
	ck_assert_int_eq(ocxlfs_op_errlog_ack(v4, 0x42, &res), 0);
	ck_assert_int_eq(ocxlfs_op_errlog_next(v4, buf, sizeof(buf), &len, NULL, &res), 0);
	ck_assert_uint_eq(len, 0);

	ck_assert_int_eq(ocxlfs_op_stats(v4, &st, &res), 0);
	ck_assert_int_eq(ocxlfs_op_dump_read(v4, 0, 0x800, buf, &got, &res), 0);
	ck_assert_uint_eq(got, 0x800);
	ck_assert_uint_eq(buf[0x7FF], dump_byte(0x7FF));

	ck_assert_int_eq(ocxlfs_op_heartbeat(v4, &res), -EOPNOTSUPP);
	ck_assert_uint_eq(res.status, OCXLFS_STATUS_BAD_OPCODE);
	ck_assert_int_eq(ocxlfs_op_identify(v4, &id, &res), -EOPNOTSUPP);
}
END_TEST

/* ---- the DIMM companion ---- */

static struct {
	unsigned calls, label_calls, destroyed;
	int rc;
	uint32_t fw_size; /* 0: leave it untouched */
	unsigned nattr;
} nd;

static int nd_fake_call(struct ocxlfs_transport *t, struct nd_cmd_pkg *p)
{
	uint64_t w;

	nd.calls++;
	ck_assert_uint_eq(p->nd_family, OCXLFS_ND_FAMILY);
	ck_assert_uint_eq(p->nd_command, OCXLFS_CMD_SMART);
	ck_assert_uint_eq(p->nd_size_in, 0);
	if (nd.rc)
		return nd.rc;
	if (!nd.fw_size)
		return 0;
	/* v4's nd_ocxl_smart: count, 7 reserved, host-order words. */
	p->nd_payload[0] = (uint8_t)nd.nattr;
	for (unsigned i = 0; i < 2 * nd.nattr; i++) {
		w = i % 2 ? 1000 + i : ((uint64_t)(0xC2 + i) << 56) | (0x55ull << 32);
		memcpy(p->nd_payload + 8 + 8 * i, &w, 8);
	}
	p->nd_fw_size = nd.fw_size;
	return 0;
}

static int nd_fake_label_size(struct ocxlfs_transport *t, uint32_t *size, uint32_t *max_xfer)
{
	nd.label_calls++;
	*size = 4096;
	*max_xfer = 256;
	return 0;
}

static int nd_fake_label_read(struct ocxlfs_transport *t, void *buf, uint32_t off, uint32_t len)
{
	nd.label_calls++;
	memset(buf, 0x5A, len);
	return 0;
}

static int nd_fake_label_write(struct ocxlfs_transport *t, const void *buf, uint32_t off,
			       uint32_t len)
{
	nd.label_calls++;
	return 0;
}

static void nd_fake_destroy(struct ocxlfs_transport *t)
{
	nd.destroyed++;
}

static const struct ocxlfs_transport_ops nd_fake_ops = {
	.call = nd_fake_call,
	.label_size = nd_fake_label_size,
	.label_read = nd_fake_label_read,
	.label_write = nd_fake_label_write,
	.destroy = nd_fake_destroy,
};

static struct ocxlfs_transport nd_fake = { .ops = &nd_fake_ops, .kind = "fake" };

START_TEST(test_v4_with_dimm)
{
	uint32_t size, xfer;
	struct ocxlfs_smart sm;
	struct nd_cmd_pkg *p;
	uint8_t b[16];

	memset(&nd, 0, sizeof(nd));
	ck_assert_int_eq(ocxlfs_transport_ioctl_v4_set_nd(v4, &nd_fake), 0);

	ck_assert_int_eq(v4->ops->label_size(v4, &size, &xfer), 0);
	ck_assert_uint_eq(size, 4096);
	ck_assert_uint_eq(xfer, 256);
	ck_assert_int_eq(v4->ops->label_read(v4, b, 0, sizeof(b)), 0);
	ck_assert_uint_eq(b[15], 0x5A);
	ck_assert_int_eq(v4->ops->label_write(v4, b, 0, sizeof(b)), 0);
	ck_assert_uint_eq(nd.label_calls, 3);

	/* SMART through the v4 driver's ND_CMD_CALL, rebuilt as 'SM'. */
	nd.nattr = 3;
	nd.fw_size = 8 + 3 * 16;
	p = call_ok(OCXLFS_CMD_SMART, 0, 0, 0x1000, OCXLFS_STATUS_SUCCESS);
	ck_assert_uint_eq(p->nd_fw_size, 8 + 8 + 3 * 16);
	ck_assert_int_eq(ocxlfs_smart_decode(reply_data(p), p->nd_fw_size - 8, &sm), 0);
	ck_assert_uint_eq(sm.count, 3);
	ck_assert_uint_eq(sm.attr[0].id, 0xC2);
	ck_assert_uint_eq(sm.attr[0].raw, 1001);
	ck_assert_uint_eq(sm.attr[2].id, 0xC6);
	free(p);

	/* The driver failed (nd_fw_size untouched), or the kernel refused family 6. */
	nd.fw_size = 0;
	free(call_ok(OCXLFS_CMD_SMART, 0, 0, 0x1000, OCXLFS_STATUS_FAILED));
	nd.rc = -EINVAL;
	free(call_ok(OCXLFS_CMD_SMART, 0, 0, 0x1000, OCXLFS_STATUS_BAD_OPCODE));
	nd.rc = -EIO;
	p = pkg_new(OCXLFS_CMD_SMART, 0, 0, 0x1000);
	ck_assert_int_eq(v4->ops->call(v4, p), -EIO);
	free(p);

	/* The v4 transport owns the DIMM transport now. */
	ocxlfs_transport_destroy(v4);
	v4 = NULL;
	ck_assert_uint_eq(nd.destroyed, 1);
}
END_TEST

static Suite *transport_suite(void)
{
	Suite *s = suite_create("transport");
	TCase *ta = tcase_create("abi");
	TCase *td = tcase_create("discovery");
	TCase *tv = tcase_create("v4");

	tcase_add_test(ta, test_v4_struct_layout);
	tcase_add_test(ta, test_v4_ioctl_numbers);
	tcase_add_test(ta, test_envelope_size);
	tcase_add_test(ta, test_parse_serial);
	suite_add_tcase(s, ta);

	tcase_set_timeout(td, 30);
	tcase_add_test(td, test_discover_none);
	tcase_add_test(td, test_discover_free_takes_the_rest);
	tcase_add_test(td, test_v4_new_errors);
	suite_add_tcase(s, td);

	tcase_add_checked_fixture(tv, v4_setup, v4_teardown);
	tcase_add_test(tv, test_v4_envelope_checks);
	tcase_add_test(tv, test_v4_unsupported);
	tcase_add_test(tv, test_v4_errlog_held_until_acked);
	tcase_add_test(tv, test_v4_errlog_layouts);
	tcase_add_test(tv, test_v4_status_and_errno);
	tcase_add_test(tv, test_v4_stats);
	tcase_add_test(tv, test_v4_dump);
	tcase_add_test(tv, test_v4_einval_means_missing);
	tcase_add_test(tv, test_v4_einval_bad_reply);
	tcase_add_test(tv, test_v4_dump_einval_causes);
	tcase_add_test(tv, test_v4_zero_is_the_end);
	tcase_add_test(tv, test_v4_through_ops);
	tcase_add_test(tv, test_v4_with_dimm);
	suite_add_tcase(s, tv);
	return s;
}

int main(void)
{
	const char *lvl = getenv("OCXLFS_LOG");
	SRunner *sr;
	int failed;

	log_init(0, lvl && log_level_parse(lvl) >= 0 ? log_level_parse(lvl) : LOG_CRIT);
	sr = srunner_create(transport_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
