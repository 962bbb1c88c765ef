// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libnvdimm's __nd_ioctl() for the emulated DIMMs (drivers/nvdimm/bus.c;
 * docs/testing.md, 1.1 item 5), then the ocxlpmem provider, which is
 * src/sim.
 *
 * In the kernel's order: only _IOC_NR() of the request counts; ND_CMD_CALL
 * families above the DIMM's mask are EINVAL; a command without a
 * descriptor or not in the DIMM's cmd_mask is ENOTTY; writes on a
 * read-only fd are EPERM; the envelope (sized from the header fields) over
 * ND_IOCTL_MAX_BUFLEN is EINVAL; an unreadable buffer is EFAULT; then
 * nd_cmd_clear_to_send() refuses SET_CONFIG_DATA on a busy DIMM with
 * EBUSY, and it tests the *function* number: an ND_CMD_CALL whose
 * nd_command is 6 is refused the same way (a kernel quirk, kept).  The
 * provider's negative return is the ioctl's result and nothing is copied
 * back; otherwise the whole buffer is, whatever the provider's cmd_rc.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/ndctl.h>
#include <ocxlfs/passthru.h>

#include "harness.h"
#include "codec/codec.h"
#include "transport/ioctl_v4.h"

/* NVDIMM_FAMILY_MAX of a kernel that carries the ocxlpmem UAPI patch. */
#define FAMILY_MAX_WITH_OCXL OCXLFS_ND_FAMILY
/* The v4 driver's cmd_mask: GET_CONFIG_SIZE, GET_CONFIG_DATA, SET_CONFIG_DATA, CALL. */
#define DIMM_CMD_MASK                                                                              \
	((1u << ND_CMD_GET_CONFIG_SIZE) | (1u << ND_CMD_GET_CONFIG_DATA) |                         \
	 (1u << ND_CMD_SET_CONFIG_DATA) | (1u << ND_CMD_CALL))

/* The ND_IOCTL_* number the simulator expects for a command. */
static unsigned long canonical(unsigned nr)
{
	switch (nr) {
	case ND_CMD_GET_CONFIG_SIZE:
		return ND_IOCTL_GET_CONFIG_SIZE;
	case ND_CMD_GET_CONFIG_DATA:
		return ND_IOCTL_GET_CONFIG_DATA;
	case ND_CMD_SET_CONFIG_DATA:
		return ND_IOCTL_SET_CONFIG_DATA;
	default:
		return ND_IOCTL_CALL;
	}
}

/* Input and output envelope sizes from the descriptor table, or -errno. */
static int envelope(unsigned nr, const struct target *t, uint64_t arg, uint64_t *in_len,
		    uint64_t *out_len)
{
	uint32_t hdr[2];
	struct nd_cmd_pkg pkg;
	int rc = 0;

	switch (nr) {
	case ND_CMD_GET_CONFIG_SIZE: /* out: status, config_size, max_xfer */
		*in_len = 0;
		*out_len = 12;
		break;
	case ND_CMD_GET_CONFIG_DATA: /* in: offset, length; out: status, data */
		rc = target_read(t, arg, hdr, sizeof(hdr));
		*in_len = 8;
		*out_len = 4 + (uint64_t)hdr[1];
		break;
	case ND_CMD_SET_CONFIG_DATA: /* in: offset, length, data; out: status */
		rc = target_read(t, arg, hdr, sizeof(hdr));
		*in_len = 8 + (uint64_t)hdr[1];
		*out_len = 4;
		break;
	default: /* ND_CMD_CALL */
		rc = target_read(t, arg, &pkg, sizeof(pkg));
		*in_len = sizeof(pkg) + (uint64_t)pkg.nd_size_in;
		*out_len = pkg.nd_size_out;
		break;
	}
	return rc;
}

/*
 * The v4 driver's ND_CMD_CALL: SMART only, payload { u8 count; u8 rsvd[7];
 * u64 attribs[] } with nd_fw_size = 8 + the card's length; anything else
 * fails in cmd_rc, which libnvdimm drops (the ioctl returns 0, nothing set).
 */
static int v4_call(struct harness_card *c, struct nd_cmd_pkg *pkg)
{
	struct {
		struct nd_cmd_pkg pkg;
		uint8_t out[OCXLFS_PKG_OUT_HDR + 8 + 16 * 64];
	} q = {0};
	uint8_t *dst = pkg->nd_payload + pkg->nd_size_in;
	uint32_t len, room, n;
	int rc;

	if (pkg->nd_command != OCXLPMEM_ND_CMD_SMART || pkg->nd_size_out < 8)
		return 0;
	q.pkg.nd_family = OCXLFS_ND_FAMILY;
	q.pkg.nd_command = OCXLFS_CMD_SMART;
	q.pkg.nd_size_out = sizeof(q.out);
	rc = sim_card_ioctl(c->sim, ND_IOCTL_CALL, &q.pkg);
	if (rc || q.pkg.nd_fw_size < OCXLFS_PKG_OUT_HDR + 8 || (uint8_t)ocxlfs_get_le64(q.out))
		return 0;
	len = (uint32_t)(ocxlfs_get_le64(q.out + OCXLFS_PKG_OUT_HDR) & 0xFFFFFFFF);
	if (len > sizeof(q.out) - OCXLFS_PKG_OUT_HDR - 8)
		len = sizeof(q.out) - OCXLFS_PKG_OUT_HDR - 8;
	room = pkg->nd_size_out - 8;
	n = (len < room ? len : room) & ~15u;
	memset(dst, 0, 8);
	dst[0] = (uint8_t)(n / 16);
	memcpy(dst + 8, q.out + OCXLFS_PKG_OUT_HDR + 8, n);
	pkg->nd_fw_size = 8 + len;
	return 0;
}

static void trace(struct harness *h, struct harness_card *c, unsigned nr, const void *buf, int rc)
{
	const struct nd_cmd_pkg *pkg = buf;
	const uint32_t *w = buf;

	if (!h->trace)
		return;
	if (!buf) {
		harness_trace(h, "nmem%u nr=%u -> %d", c->id, nr, rc);
		return;
	}
	switch (nr) {
	case ND_CMD_GET_CONFIG_SIZE:
		harness_trace(h, "nmem%u get_config_size -> %d", c->id, rc);
		break;
	case ND_CMD_GET_CONFIG_DATA:
		harness_trace(h, "nmem%u get_config_data off=%u len=%u -> %d", c->id, w[0], w[1],
			      rc);
		break;
	case ND_CMD_SET_CONFIG_DATA:
		harness_trace(h, "nmem%u set_config_data off=%u len=%u -> %d", c->id, w[0], w[1],
			      rc);
		break;
	default:
		harness_trace(h, "nmem%u call family=%llu cmd=%llu in=%u out=%u -> %d fw=%u", c->id,
			      (unsigned long long)pkg->nd_family,
			      (unsigned long long)pkg->nd_command, pkg->nd_size_in,
			      pkg->nd_size_out, rc, pkg->nd_fw_size);
		break;
	}
}

int ndcore_dimm_ioctl(struct harness *h, struct harness_card *c, const struct target *t,
		      bool read_only, unsigned cmd, uint64_t arg)
{
	const unsigned nr = _IOC_NR(cmd);
	uint64_t in_len = 0, out_len = 0, func = nr;
	struct nd_cmd_pkg pkg;
	uint8_t *buf = NULL;
	int rc;

	if (nr == ND_CMD_CALL) {
		rc = target_read(t, arg, &pkg, sizeof(pkg));
		if (rc)
			goto out;
		/* The DIMM's family mask holds the ocxl family alone. */
		if (pkg.nd_family > FAMILY_MAX_WITH_OCXL || pkg.nd_family != OCXLFS_ND_FAMILY) {
			rc = -EINVAL;
			goto out;
		}
		func = pkg.nd_command;
	}
	if (nr > ND_CMD_CALL || !(DIMM_CMD_MASK & (1u << nr))) {
		rc = -ENOTTY;
		goto out;
	}
	if (read_only && (nr == ND_CMD_SET_CONFIG_DATA || nr == ND_CMD_CALL)) {
		rc = -EPERM;
		goto out;
	}
	rc = envelope(nr, t, arg, &in_len, &out_len);
	if (rc)
		goto out;
	if (in_len + out_len > OCXLFS_ND_IOCTL_MAX_BUFLEN) {
		rc = -EINVAL;
		goto out;
	}
	buf = calloc(1, in_len + out_len);
	if (!buf) {
		rc = -ENOMEM;
		goto out;
	}
	rc = target_read(t, arg, buf, in_len + out_len);
	if (rc)
		goto out;
	if (func == ND_CMD_SET_CONFIG_DATA && c->ns_enabled) {
		rc = -EBUSY; /* nvdimm->busy: the card's region is active */
		goto out;
	}
	if (c->flavour == FLAVOUR_V4 && nr == ND_CMD_CALL)
		rc = v4_call(c, (struct nd_cmd_pkg *)buf);
	else
		rc = sim_card_ioctl(c->sim, canonical(nr), buf);
	if (rc < 0)
		goto out;
	rc = target_write(t, arg, buf, in_len + out_len);
out:
	trace(h, c, nr, buf, rc);
	free(buf);
	return rc;
}
