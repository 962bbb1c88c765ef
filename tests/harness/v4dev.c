// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * /dev/ocxlpmemN as the posted v4 driver answers it (docs/protocol.md,
 * section 9), on top of the simulated card's admin commands: the reverse of
 * src/transport/ioctl_v4.c, written from the driver's description rather
 * than from that transport, so the two can disagree.
 *
 * Modelled: the error-log ioctl consumes the entry and copies from the
 * start of the data buffer (the v4 defect); DUMP_DATA returns the 'CD'
 * header inside the buffer; STATS copies a struct although declared _IO;
 * a second EVENTFD registration is EBUSY; a non-success admin status is
 * the ioctl's positive return value; a command timeout is EBUSY; an
 * unknown request is EINVAL.  Not modelled: the driver releases the eventfd
 * when any file open on the card is closed (its file_release); here it
 * lives as long as the card, since closes are not trapped.
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

/* The simulated card's admin data buffer (what IDENTIFY reports). */
#define ADMIN_DATA SIM_ADMIN_BUFFER_SIZE

struct admin {
	struct nd_cmd_pkg pkg;
	uint8_t in[8];
	uint8_t out[OCXLFS_PKG_OUT_HDR + ADMIN_DATA];
};

/* One admin command: 0 with the data buffer set, a status (> 0), or -errno as the driver sees it.
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
	if (*len > ADMIN_DATA)
		*len = ADMIN_DATA;
	return 0;
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
	if (ocxlfs_errlog_decode(data, len, &e) < 0)
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
	/* v4 copies min(user room, length field) bytes from the start of the buffer. */
	n = el.buf_size < e.addl_len ? el.buf_size : e.addl_len;
	if (n > len)
		n = len;
	rc = target_write(t, el.buf_ptr, data, n);
	if (rc)
		return rc;
	el.buf_size = e.addl_len;
	rc = target_write(t, arg, &el, sizeof(el));
	if (rc)
		return rc;
	/* Reading the entry is what hands it over: the card drops it. */
	id = e.log_id;
	return admin(c, OCXLFS_CMD_ERRLOG_ACK, &id, a, &data, &len);
}

static long v4_dump_data(struct harness_card *c, const struct target *t, uint64_t arg,
			 struct admin *a)
{
	struct ioctl_ocxlpmem_controller_dump_data dd;
	const uint8_t *data;
	size_t len, n;
	uint64_t w;
	uint32_t want;
	long rc;

	rc = target_read(t, arg, &dd, sizeof(dd));
	if (rc)
		return rc;
	/* A 16-bit size always fits the simulated card's 64 KiB admin buffer. */
	if (!dd.buf_size || dd.buf_size % 8)
		return -EINVAL;
	/* The simulated card serves chunks of at most OCXLFS_DUMP_CHUNK_MAX: a card may send less. */
	want = dd.buf_size < OCXLFS_DUMP_CHUNK_MAX ? dd.buf_size : OCXLFS_DUMP_CHUNK_MAX;
	w = ((uint64_t)dd.offset << 32) | want;
	rc = admin(c, OCXLFS_CMD_DUMP_READ, &w, a, &data, &len);
	if (rc)
		return rc;
	if (len < 8 || (ocxlfs_get_le64(data) >> 48) != OCXLFS_ID_DUMP)
		return -EINVAL;
	/* Header included, as v4 copies it. */
	n = (ocxlfs_get_le64(data) & 0xFFFF) + 8;
	if (n > len)
		n = len;
	if (n > dd.buf_size)
		n = dd.buf_size;
	rc = target_write(t, dd.buf_ptr, data, n);
	if (rc)
		return rc;
	dd.buf_size = (uint16_t)n;
	return target_write(t, arg, &dd, sizeof(dd));
}

static long v4_stats(struct harness_card *c, const struct target *t, uint64_t arg, struct admin *a)
{
	struct ioctl_ocxlpmem_controller_stats cs = {0};
	struct ocxlfs_stats st;
	const uint8_t *data;
	const uint64_t *v = st.value;
	size_t len;
	long rc;

	rc = admin(c, OCXLFS_CMD_STATS, NULL, a, &data, &len);
	if (rc)
		return rc;
	/* The driver checks both parameter block headers: anything else is ENODEV. */
	if (ocxlfs_stats_decode(data, len, &st) < 0 || st.present != (1u << OCXLFS_STAT_NR) - 1)
		return -ENODEV;
	cs.reset_count = (uint32_t)v[OCXLFS_STAT_RESET_COUNT];
	cs.reset_uptime = (uint32_t)v[OCXLFS_STAT_RESET_UPTIME];
	cs.power_on_uptime = (uint32_t)v[OCXLFS_STAT_POWER_ON_UPTIME];
	cs.life_remaining = (uint8_t)v[OCXLFS_STAT_LIFE_REMAINING];
	cs.critical_resource_utilization = (uint8_t)v[OCXLFS_STAT_CRIT_RESOURCE_UTIL];
	cs.host_load_count = v[OCXLFS_STAT_HOST_LOAD_COUNT];
	cs.host_store_count = v[OCXLFS_STAT_HOST_STORE_COUNT];
	cs.host_load_duration = v[OCXLFS_STAT_HOST_LOAD_DURATION];
	cs.host_store_duration = v[OCXLFS_STAT_HOST_STORE_DURATION];
	cs.media_read_count = v[OCXLFS_STAT_MEDIA_READ_COUNT];
	cs.media_write_count = v[OCXLFS_STAT_MEDIA_WRITE_COUNT];
	cs.media_read_duration = v[OCXLFS_STAT_MEDIA_READ_DURATION];
	cs.media_write_duration = v[OCXLFS_STAT_MEDIA_WRITE_DURATION];
	cs.cache_read_hit_count = v[OCXLFS_STAT_CACHE_READ_HIT_COUNT];
	cs.cache_write_hit_count = v[OCXLFS_STAT_CACHE_WRITE_HIT_COUNT];
	cs.fast_write_count = v[OCXLFS_STAT_FAST_WRITE_COUNT];
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

long v4dev_ioctl(struct harness *h, struct harness_card *c, const struct target *t, unsigned cmd,
		 uint64_t arg)
{
	struct admin *a = malloc(sizeof(*a));
	const uint8_t *data;
	size_t len;
	long rc;

	if (!a)
		return -ENOMEM;
	/* The driver's switch compares whole request numbers. */
	switch (cmd) {
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
	default:
		rc = -EINVAL;
		break;
	}
	free(a);
	if (h->trace)
		harness_trace(h, "ocxlpmem%u v4 nr=%#x -> %ld", c->id, _IOC_NR(cmd), rc);
	return rc;
}
