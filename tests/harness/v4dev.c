// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * /dev/ocxlpmemN as the posted v4 driver answers it (docs/protocol.md,
 * section 9), on top of the simulated card's admin commands: the reverse of
 * src/transport/ioctl_v4.c, written from the driver's code in the v4
 * series (drivers/nvdimm/ocxl/main.c, patches 16-20/25) rather than from
 * that transport, so the two can disagree.
 *
 * As the driver's code does:
 *   - file_ioctl starts with rc = -EINVAL and returns it for a request it
 *     has no case for: an unknown number, or one of the ioctls a driver
 *     built from part of the series lacks (setup key v4-lacks=);
 *   - ERROR_LOG: buf_size not a multiple of 8 is EINVAL, CHI.ELA clear is
 *     EAGAIN, a reply without the 'EL' identifier EINVAL; it copies
 *     min(buf_size, the entry's length field) bytes from the *start* of
 *     the data buffer (the v4 defect) and returns the length field in
 *     buf_size.  Whether the card then drops the entry the code does not
 *     say (it only acknowledges the admin response through CHIC): the
 *     double makes the card drop it (v4-errlog=consume, the default, the
 *     transport's assumption) or keep it (v4-errlog=keep);
 *   - DUMP_DATA: buf_size not a multiple of 8, or larger than the admin
 *     data buffer the card reports, is EINVAL; buf_size goes to the card
 *     as its byte count unchanged (0 included); a reply without 'CD' is
 *     EINVAL; it copies min(length + 8, buf_size) bytes, header included,
 *     and returns that count: 8 at the end of the dump;
 *   - STATS (declared _IO, copies a struct out): a reply without 'CS' is
 *     EINVAL, parameter blocks other than 0x01/0x38 and 0x02/0xF8 ENODEV;
 *     the fields come from the driver's fixed offsets;
 *   - EVENT_CHECK: the four CHI bits it defines;
 *   - EVENTFD: a second registration is EBUSY; the reserved word is not
 *     looked at;
 *   - a non-success admin status is the ioctl's positive return value, a
 *     command timeout EBUSY.
 * Not modelled: the driver releases the eventfd when any file open on the
 * card is closed (its file_release); here it lives as long as the card,
 * since closes are not trapped.  A card that vanished answers ENXIO, as a
 * node whose device is gone; what the driver's code would answer then
 * (reads of a dead device's MMIO) is not in the series.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <ocxlfs/passthru.h>

#include "harness.h"
#include "codec/codec.h"
#include "transport/ioctl_v4.h"

struct admin {
	struct nd_cmd_pkg pkg;
	uint8_t in[8];
	uint8_t out[OCXLFS_PKG_OUT_HDR + SIM_ADMIN_BUFFER_SIZE];
};

/*
 * One admin command: 0 with the data buffer set, a status (> 0), or -errno
 * as the driver sees it.
 */
static long admin(struct harness_card *c, unsigned cmd, const uint64_t *in, struct admin *a,
		  const uint8_t **data, size_t *len)
{
	uint8_t status;
	int rc;

	memset(&a->pkg, 0, sizeof(a->pkg));
	a->pkg.nd_family = OCXLFS_ND_FAMILY;
	a->pkg.nd_command = cmd;
	a->pkg.nd_size_in = in ? 8 : 0;
	a->pkg.nd_size_out = sizeof(a->out);
	if (in)
		ocxlfs_put_le64(a->pkg.nd_payload, *in);
	rc = sim_card_ioctl(c->sim, ND_IOCTL_CALL, &a->pkg);
	if (rc == -ETIMEDOUT)
		return -EBUSY; /* the driver's "timed out" */
	if (rc == -ENODEV)
		return -ENXIO;
	if (rc)
		return rc;
	if (a->pkg.nd_fw_size < OCXLFS_PKG_OUT_HDR)
		return -EIO;
	status = (uint8_t)ocxlfs_get_le64(a->pkg.nd_payload + a->pkg.nd_size_in);
	if (status)
		return status;
	*data = a->pkg.nd_payload + a->pkg.nd_size_in + OCXLFS_PKG_OUT_HDR;
	*len = a->pkg.nd_fw_size - OCXLFS_PKG_OUT_HDR;
	if (*len > SIM_ADMIN_BUFFER_SIZE)
		*len = SIM_ADMIN_BUFFER_SIZE;
	return 0;
}

/* The data identifier the driver checks, bits 63:48 of the first word. */
static bool has_id(const uint8_t *data, size_t len, uint16_t id)
{
	return len >= 8 && (ocxlfs_get_le64(data) >> 48) == id;
}

static long v4_error_log(struct harness_card *c, const struct target *t, uint64_t arg,
			 struct admin *a)
{
	struct ioctl_ocxlpmem_error_log el;
	struct ocxlfs_errlog e;
	const uint8_t *data;
	size_t len, n;
	uint64_t id;
	long rc;

	rc = target_read(t, arg, &el, sizeof(el));
	if (rc)
		return rc;
	if (el.buf_size % 8)
		return -EINVAL;
	rc = admin(c, OCXLFS_CMD_ERRLOG_NEXT, NULL, a, &data, &len);
	if (rc)
		return rc;
	if (!len)
		return -EAGAIN; /* CHI.ELA clear */
	if (!has_id(data, len, OCXLFS_ID_ERRLOG) || ocxlfs_errlog_decode(data, len, &e) < 0)
		return -EINVAL; /* wrong data identifier */
	el.log_identifier = e.log_id;
	el.program_reference_code = e.program_ref_code;
	el.error_log_type = e.type;
	el.action_flags = e.type == OCXLFS_EL_GENERAL ? e.action_flags : 0;
	el.power_on_seconds = e.power_on_seconds;
	el.timestamp = e.timestamp;
	el.wwid[0] = e.wwid[0];
	el.wwid[1] = e.wwid[1];
	memcpy(el.fw_revision, e.fw_revision, 8);
	el.fw_revision[8] = '\0';
	/* min(user room, length field) bytes, in words, from the start of the buffer. */
	n = (el.buf_size < e.addl_len ? el.buf_size : e.addl_len) & ~(size_t)7;
	if (n > len)
		n = len;
	rc = target_write(t, el.buf_ptr, data, n);
	if (rc)
		return rc;
	el.buf_size = e.addl_len;
	rc = target_write(t, arg, &el, sizeof(el));
	if (rc || c->v4_keeps_errlog)
		return rc;
	/* The double's card drops the entry once read (the transport's assumption). */
	id = e.log_id;
	return admin(c, OCXLFS_CMD_ERRLOG_ACK, &id, a, &data, &len);
}

int v4dev_probe(struct harness_card *c)
{
	struct ocxlfs_identity id;
	const uint8_t *data;
	struct admin *a;
	size_t len;
	long rc;

	a = malloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	rc = admin(c, OCXLFS_CMD_IDENTIFY, NULL, a, &data, &len);
	if (!rc && (ocxlfs_identity_decode(data, len, &id) < 0 || !id.has_admin_buffer_size))
		rc = -EIO;
	if (!rc)
		c->v4_admin_data = id.admin_buffer_size;
	free(a);
	return rc < 0 ? (int)rc : rc ? -EIO : 0;
}

static long v4_dump_data(struct harness_card *c, const struct target *t, uint64_t arg,
			 struct admin *a)
{
	struct ioctl_ocxlpmem_controller_dump_data dd;
	const uint8_t *data;
	size_t len, n;
	uint64_t w;
	long rc;

	rc = target_read(t, arg, &dd, sizeof(dd));
	if (rc)
		return rc;
	if (dd.buf_size % 8 || dd.buf_size > c->v4_admin_data)
		return -EINVAL;
	w = ((uint64_t)dd.offset << 32) | dd.buf_size;
	rc = admin(c, OCXLFS_CMD_DUMP_READ, &w, a, &data, &len);
	if (rc)
		return rc;
	if (!has_id(data, len, OCXLFS_ID_DUMP))
		return -EINVAL;
	/* Header included, as v4 copies it. */
	n = (ocxlfs_get_le64(data) & 0xFFFF) + 8;
	if (n > dd.buf_size)
		n = dd.buf_size;
	if (n > len)
		n = len;
	rc = target_write(t, dd.buf_ptr, data, n);
	if (rc)
		return rc;
	dd.buf_size = (uint16_t)n;
	return target_write(t, arg, &dd, sizeof(dd));
}

/* The driver's fixed offsets into the 'CS' buffer: block 0x01 at 0x08, 0x02 at 0x48. */
#define SPID1 0x08u
#define SPID2 0x48u

static long v4_stats(struct harness_card *c, const struct target *t, uint64_t arg, struct admin *a)
{
	struct ioctl_ocxlpmem_controller_stats cs = {0};
	const uint8_t *data;
	size_t len;
	uint64_t v;
	long rc;

	rc = admin(c, OCXLFS_CMD_STATS, NULL, a, &data, &len);
	if (rc)
		return rc;
	if (!has_id(data, len, OCXLFS_ID_STATS))
		return -EINVAL;
	/* It checks both parameter block headers, and nothing else. */
	if (len < SPID2 + 0xA8 || ocxlfs_get_le64(data + SPID1) != ((0x01ull << 56) | 0x38) ||
	    ocxlfs_get_le64(data + SPID2) != ((0x02ull << 56) | 0xF8))
		return -ENODEV;
	v = ocxlfs_get_le64(data + SPID1 + 0x08);
	cs.reset_count = (uint32_t)(v >> 32);
	cs.reset_uptime = (uint32_t)v;
	v = ocxlfs_get_le64(data + SPID1 + 0x10);
	cs.power_on_uptime = (uint32_t)(v >> 32);
	cs.life_remaining = (uint8_t)v;
	cs.critical_resource_utilization = (uint8_t)ocxlfs_get_le64(data + SPID2 + 0x08);
	cs.host_load_count = ocxlfs_get_le64(data + SPID2 + 0x10);
	cs.host_store_count = ocxlfs_get_le64(data + SPID2 + 0x18);
	cs.host_load_duration = ocxlfs_get_le64(data + SPID2 + 0x20);
	cs.host_store_duration = ocxlfs_get_le64(data + SPID2 + 0x28);
	cs.media_read_count = ocxlfs_get_le64(data + SPID2 + 0x50);
	cs.media_write_count = ocxlfs_get_le64(data + SPID2 + 0x58);
	cs.media_read_duration = ocxlfs_get_le64(data + SPID2 + 0x60);
	cs.media_write_duration = ocxlfs_get_le64(data + SPID2 + 0x68);
	cs.cache_read_hit_count = ocxlfs_get_le64(data + SPID2 + 0x90);
	cs.cache_write_hit_count = ocxlfs_get_le64(data + SPID2 + 0x98);
	cs.fast_write_count = ocxlfs_get_le64(data + SPID2 + 0xA0);
	return target_write(t, arg, &cs, sizeof(cs));
}

static long v4_event_check(struct harness_card *c, const struct target *t, uint64_t arg,
			   struct admin *a)
{
	const uint8_t *data;
	size_t len;
	uint64_t mask;
	long rc;

	rc = admin(c, OCXLFS_CMD_EVENT_CHECK, NULL, a, &data, &len);
	if (rc)
		return rc;
	if (len < 8)
		return -EIO;
	/* v4 computes the mask from CHI: the four bits it defines. */
	mask = ocxlfs_get_le64(data) & 0xF;
	return target_write(t, arg, &mask, sizeof(mask));
}

static long v4_eventfd(struct harness_card *c, const struct target *t, uint64_t arg)
{
	struct ioctl_ocxlpmem_eventfd ev;
	int pidfd, fd;
	long rc;

	rc = target_read(t, arg, &ev, sizeof(ev));
	if (rc)
		return rc;
	/* The driver never looks at ev.reserved. */
	if (c->v4_eventfd >= 0)
		return -EBUSY;
	pidfd = (int)syscall(SYS_pidfd_open, t->pid, 0);
	if (pidfd < 0)
		return -ESRCH;
	fd = (int)syscall(SYS_pidfd_getfd, pidfd, ev.eventfd, 0);
	rc = fd < 0 ? -EBADF : 0;
	close(pidfd);
	if (!rc)
		c->v4_eventfd = fd;
	return rc;
}

void v4dev_kick(struct harness_card *c)
{
	struct admin *a = malloc(sizeof(*a));
	const uint8_t *data;
	uint64_t one = 1;
	size_t len;

	if (a && c->v4_eventfd >= 0 && admin(c, OCXLFS_CMD_EVENT_CHECK, NULL, a, &data, &len) == 0 &&
	    len >= 8 && (ocxlfs_get_le64(data) & 0xF) &&
	    write(c->v4_eventfd, &one, sizeof(one)) != sizeof(one)) {
		/* A full counter already tells the reader to look. */
	}
	free(a);
}

const char *const v4dev_ioctl_names[V4DEV_IOCTLS] = {
	"error-log",	  "controller-dump", "controller-dump-data", "controller-dump-complete",
	"controller-stats", "eventfd",	     "event-check",	     "request-health",
};

long v4dev_ioctl(struct harness *h, struct harness_card *c, const struct target *t, unsigned cmd,
		 uint64_t arg)
{
	const unsigned slot = _IOC_NR(cmd) - V4DEV_FIRST_NR;
	unsigned request = cmd;
	struct admin *a;
	const uint8_t *data;
	size_t len;
	long rc;

	if (_IOC_TYPE(cmd) == OCXLPMEM_MAGIC && slot < V4DEV_IOCTLS)
		__atomic_fetch_add(&c->v4_calls[slot], 1, __ATOMIC_RELAXED);
	a = malloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	/* The driver's switch compares whole request numbers; no case is -EINVAL. */
	rc = -EINVAL;
	if (_IOC_TYPE(cmd) == OCXLPMEM_MAGIC && slot < V4DEV_IOCTLS && (c->v4_lacks & (1u << slot)))
		request = 0; /* a driver built without this one */
	switch (request) {
	case IOCTL_OCXLPMEM_ERROR_LOG:
		rc = v4_error_log(c, t, arg, a);
		break;
	case IOCTL_OCXLPMEM_CONTROLLER_DUMP:
		rc = admin(c, OCXLFS_CMD_DUMP_REQUEST, NULL, a, &data, &len);
		break;
	case IOCTL_OCXLPMEM_CONTROLLER_DUMP_DATA:
		rc = v4_dump_data(c, t, arg, a);
		break;
	case IOCTL_OCXLPMEM_CONTROLLER_DUMP_COMPLETE:
		rc = admin(c, OCXLFS_CMD_DUMP_COMPLETE, NULL, a, &data, &len);
		break;
	case IOCTL_OCXLPMEM_CONTROLLER_STATS:
		rc = v4_stats(c, t, arg, a);
		break;
	case IOCTL_OCXLPMEM_EVENTFD:
		rc = v4_eventfd(c, t, arg);
		break;
	case IOCTL_OCXLPMEM_EVENT_CHECK:
		rc = v4_event_check(c, t, arg, a);
		break;
	case IOCTL_OCXLPMEM_REQUEST_HEALTH:
		rc = admin(c, OCXLFS_CMD_HEALTH_REQUEST, NULL, a, &data, &len);
		break;
	}
	free(a);
	if (h->trace)
		harness_trace(h, "ocxlpmem%u v4 nr=%#x -> %ld", c->id, _IOC_NR(cmd), rc);
	return rc;
}
