// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The v4 character-device transport.  ->call() translates each envelope of
 * the passthru contract into the v4 ioctl that does the same work and
 * builds the reply the ND_CMD_CALL path would have carried: status word,
 * then the card's data buffer, rebuilt with the codec's encoders from the
 * fields the driver hands up.
 *
 *   SMART           no v4 ioctl; through the DIMM transport if one was
 *                   attached (the v4 driver's own ND_CMD_CALL, family 6
 *                   command 1), else status BAD_OPCODE
 *   IDENTIFY        serial and fw_version from the DIMM's sysfs group
 *                   "ocxlpmem" (v4 24/25), else from the ocxlpmem class
 *                   device (where v3 had them); CCAP0/CCAP1 and the admin buffer
 *                   size are not exposed by v4: 0, and the block ends before
 *                   the admin buffer size.  No sysfs: BAD_OPCODE
 *   ERRLOG_NEXT     IOCTL_OCXLPMEM_ERROR_LOG into a one-entry buffer
 *   ERRLOG_ACK      drops that buffer if the identifier matches
 *   STATS           IOCTL_OCXLPMEM_CONTROLLER_STATS -> ocxlfs_stats_encode
 *   DUMP_REQUEST    IOCTL_OCXLPMEM_CONTROLLER_DUMP (returns when the dump is
 *                   ready: the v4 driver busy-polls without a timeout)
 *   DUMP_READ       IOCTL_OCXLPMEM_CONTROLLER_DUMP_DATA -> 'CD' chunk
 *   DUMP_COMPLETE   IOCTL_OCXLPMEM_CONTROLLER_DUMP_COMPLETE
 *   HEALTH_REQUEST  IOCTL_OCXLPMEM_REQUEST_HEALTH
 *   EVENT_CHECK     IOCTL_OCXLPMEM_EVENT_CHECK (same bits), plus ELA while
 *                   an entry is held here
 *   HEARTBEAT, ERASE_START, ERASE_STATUS, unknown commands: BAD_OPCODE, so
 *   the daemon shows them as unsupported (v4 has no such ioctls).
 *   Label ops: through the attached DIMM transport, else -EOPNOTSUPP (the
 *   label area is only reachable through libnvdimm).
 *
 * Errors (docs/protocol.md, section 9, says where each rule comes from).
 * The v4 driver returns a non-success admin status as a positive ioctl
 * value: it becomes the reply's status byte.  Negative errnos:
 *   -EINVAL     envelope: family not 6, nd_size_out < 8, over 4 MiB
 *   -EBADMSG    EINVAL from ERROR_LOG, CONTROLLER_STATS or DUMP_DATA at a
 *               size known to fit: the driver refused the card's reply
 *               (its data identifier); this transport never sends the
 *               sizes those ioctls refuse
 *   -ETIMEDOUT  EBUSY from an admin command: it timed out (or the response
 *               carried another command ID)
 *   -EPROTO     ENODEV from CONTROLLER_STATS: the card's parameter blocks
 *               are not the v4 layout the driver insists on
 *   -ENODEV     ENXIO/ENODEV from any other ioctl: the device is gone
 *   ENOTTY      the node does not know the ioctl, or EINVAL from one whose
 *               handler never says EINVAL (CONTROLLER_DUMP, ..._COMPLETE,
 *               EVENT_CHECK, REQUEST_HEALTH: the driver's file_ioctl
 *               answers EINVAL to requests it was built without): status
 *               BAD_OPCODE, then and from then on, without asking again
 *   EAGAIN      ERROR_LOG with no entry available: success, no data; so
 *               is a reply with buf_size 0 and nothing filled in, the "no
 *               more entries" of the header's comment
 *   others      pass through (-EFAULT, -EPERM, -EINTR, ...)
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codec/codec.h"
#include "transport/ioctl_v4.h"
#include "transport/sysfs.h"
#include "util/log.h"

/* Largest multiple of 8 the 16-bit buf_size fields can carry. */
#define V4_BUF_MAX 0xFFF8u
/* Smallest DUMP_DATA size worth retrying with after the driver said EINVAL. */
#define V4_DUMP_MIN 0x200u
#define V4_FIRST_NR 0x30u
#define V4_IOCTLS 8u

/* What an EINVAL from each ioctl means, by the driver's code. */
enum v4_einval {
	EINVAL_MISSING,	  /* its handler never says EINVAL: the driver lacks it */
	EINVAL_BAD_REPLY, /* the card's reply had the wrong data identifier */
	EINVAL_AS_IS,	  /* several causes: the caller tells them apart */
};

static const struct {
	const char *name;
	enum v4_einval einval;
} v4_ioctls[V4_IOCTLS] = {
	{ "ERROR_LOG", EINVAL_BAD_REPLY }, /* or buf_size % 8, never sent */
	{ "CONTROLLER_DUMP", EINVAL_MISSING },
	{ "CONTROLLER_DUMP_DATA", EINVAL_AS_IS }, /* the size, or 'CD' */
	{ "CONTROLLER_DUMP_COMPLETE", EINVAL_MISSING },
	{ "CONTROLLER_STATS", EINVAL_BAD_REPLY },
	{ "EVENTFD", EINVAL_AS_IS },
	{ "EVENT_CHECK", EINVAL_MISSING },
	{ "REQUEST_HEALTH", EINVAL_MISSING },
};

struct v4_transport {
	struct ocxlfs_transport base;
	ocxlfs_ioctl_fn *ioctl;
	void *dev; /* the ioctl's device: &fd, or a stand-in's */
	int fd;	   /* the node, or -1 for a stand-in */
	struct ocxlfs_transport *nd; /* the card's DIMM transport, or NULL */
	/*
	 * Whether the card drops an entry once the v4 ERROR_LOG ioctl read it
	 * is not in the driver's code (it only acknowledges the admin response
	 * through CHIC).  The contract's ERRLOG_NEXT leaves an entry queued
	 * until ERRLOG_ACK, so, assuming the worst, the entry is kept here
	 * until acknowledged.  Known limit of the v4 ABI: an entry retrieved
	 * but not yet journalled may then live only in daemon memory, and a
	 * crash in that window loses it.  A card that keeps it hands it out
	 * again after the ACK, and the card layer's drain stops there.
	 */
	uint8_t *held;
	size_t held_len;
	uint32_t held_id;
	/*
	 * DUMP_DATA must not exceed the admin data buffer, which v4 does not
	 * expose: the largest size the card showed it holds (a DUMP_DATA that
	 * succeeded, an error-log entry it returned), and the limit an EINVAL
	 * at a larger size taught.
	 */
	uint32_t admin_fits;
	uint32_t dump_limit;
	unsigned missing; /* bit n: the driver lacks ioctl V4_FIRST_NR + n */
};

static const struct ocxlfs_transport_ops v4_ops;

static struct v4_transport *to_v4(struct ocxlfs_transport *t)
{
	return (struct v4_transport *)t;
}

/* ioctl(2) on the node the transport keeps open. */
static int fd_ioctl(void *dev, unsigned long request, void *arg)
{
	int rc = ioctl(*(int *)dev, request, arg);

	return rc < 0 ? -errno : rc;
}

/*
 * 0, a card status (> 0), or -errno (raw but for EINVAL, see v4_ioctls[];
 * v4_errno() maps the rest).  -ENOTTY for an ioctl the driver lacks, which
 * is not asked again.
 */
static int v4_ioctl(struct v4_transport *vt, unsigned long request, void *arg)
{
	const unsigned slot = _IOC_NR(request) - V4_FIRST_NR;
	int rc;

	if (vt->missing & (1u << slot))
		return -ENOTTY;
	rc = vt->ioctl(vt->dev, request, arg);
	if (rc == -ENOTTY || (rc == -EINVAL && v4_ioctls[slot].einval == EINVAL_MISSING)) {
		vt->missing |= 1u << slot;
		log_info("%s: the driver has no %s ioctl (%s): unsupported", vt->base.device,
			 v4_ioctls[slot].name, strerror(-rc));
		return -ENOTTY;
	}
	if (rc == -EINVAL && v4_ioctls[slot].einval == EINVAL_BAD_REPLY)
		return -EBADMSG;
	/* Not a status byte: not in the v4 ABI. */
	return rc > 0xFF ? OCXLFS_STATUS_FAILED : rc;
}

/* The card showed its admin data buffer holds BYTES (rounded down to words). */
static void v4_admin_holds(struct v4_transport *vt, size_t bytes)
{
	bytes = (bytes < V4_BUF_MAX ? bytes : V4_BUF_MAX) & ~(size_t)7;
	if (bytes > vt->admin_fits)
		vt->admin_fits = (uint32_t)bytes;
}

/* The errno mapping for admin-command ioctls (see the top of the file). */
static int v4_errno(int rc)
{
	if (rc == -EBUSY)
		rc = -ETIMEDOUT;
	else if (rc == -ENXIO)
		rc = -ENODEV;
	return rc;
}

/*
 * The reply of the contract: status word, then as much of DATA as fits;
 * nd_fw_size tells how much the card had (the caller checks truncation).
 */
static void v4_reply(struct nd_cmd_pkg *pkg, uint8_t status, const uint8_t *data, size_t len)
{
	uint8_t *out = pkg->nd_payload + pkg->nd_size_in;
	size_t room = pkg->nd_size_out - OCXLFS_PKG_OUT_HDR;

	ocxlfs_put_le64(out, status);
	if (len)
		memcpy(out + OCXLFS_PKG_OUT_HDR, data, len < room ? len : room);
	pkg->nd_fw_size = (uint32_t)(OCXLFS_PKG_OUT_HDR + len);
}

/* Replies with a status if RC is one; returns RC mapped, 0 for a status. */
static int v4_status_or_errno(struct nd_cmd_pkg *pkg, int rc)
{
	if (rc > 0) {
		v4_reply(pkg, (uint8_t)rc, NULL, 0);
		rc = 0;
	} else if (rc < 0) {
		rc = v4_errno(rc);
	}
	return rc;
}

static bool v4_in_word(const struct nd_cmd_pkg *pkg, uint64_t *w)
{
	bool have = pkg->nd_size_in >= 8;

	if (have)
		*w = ocxlfs_get_le64(pkg->nd_payload);
	return have;
}

/* ---- commands ---- */

/*
 * v4 24/25 puts serial and fw_version in the DIMM's "ocxlpmem" group; v3
 * had them on the ocxlpmem class device itself.
 */
static int v4_sysfs_identity(const char *device, struct ocxlfs_identity *id)
{
	const char *name = strrchr(device, '/');
	char dir[PATH_MAX];

	if (ocxlfs_sysfs_v4_nmem_dir(device, dir, sizeof(dir) - sizeof("/ocxlpmem")) == 0 &&
	    ocxlfs_sysfs_identity(strcat(dir, "/ocxlpmem"), &id->serial, id->fw_version) == 0)
		return 0;
	snprintf(dir, sizeof(dir), "/sys/class/ocxlpmem/%s", name ? name + 1 : device);
	return ocxlfs_sysfs_identity(dir, &id->serial, id->fw_version);
}

static int v4_identify(struct v4_transport *vt, struct nd_cmd_pkg *pkg)
{
	uint8_t buf[8 + OCXLFS_ID_LEN_V1];
	struct ocxlfs_identity id = { 0 };
	int rc;

	if (v4_sysfs_identity(vt->base.device, &id)) {
		v4_reply(pkg, OCXLFS_STATUS_BAD_OPCODE, NULL, 0);
		return 0;
	}
	rc = ocxlfs_identity_encode(&id, buf, sizeof(buf));
	if (rc < 0)
		return rc;
	/* No admin buffer size here: end the block before it, as older cards do. */
	ocxlfs_put_le64(buf, ocxlfs_hdr_make(OCXLFS_ID_IDENTITY, 0x20));
	v4_reply(pkg, OCXLFS_STATUS_SUCCESS, buf, 8 + 0x20);
	return 0;
}

/*
 * The header's comment says a buf_size of 0 means "no more entries": a
 * driver that does that fills in nothing else, while a real entry without
 * additional data still has its identifier, WWID and firmware revision.
 */
static bool v4_errlog_is_end(const struct ioctl_ocxlpmem_error_log *el)
{
	struct ioctl_ocxlpmem_error_log fields = *el;

	fields.buf_ptr = 0;
	return el->buf_size == 0 &&
	       !memcmp(&fields, &(struct ioctl_ocxlpmem_error_log){ 0 }, sizeof(fields));
}

/*
 * Retrieves the card's next entry into vt->held (the card may forget it
 * now: see struct v4_transport).  0 with nothing held when the card has
 * none, a status (> 0), or -errno.
 */
static int v4_fetch_errlog(struct v4_transport *vt)
{
	struct ioctl_ocxlpmem_error_log el = { 0 };
	struct ocxlfs_errlog e = { 0 };
	size_t copied, total;
	uint8_t *raw;
	int rc;

	raw = calloc(1, V4_BUF_MAX); /* filled through buf_ptr, unseen by valgrind */
	if (!raw)
		return -ENOMEM;
	el.buf_size = V4_BUF_MAX;
	el.buf_ptr = (uintptr_t)raw;
	rc = v4_ioctl(vt, IOCTL_OCXLPMEM_ERROR_LOG, &el);
	if (rc == -EAGAIN || (!rc && v4_errlog_is_end(&el))) { /* nothing queued */
		rc = 0;
		goto out;
	}
	if (rc)
		goto out;
	/* The whole entry fit the admin data buffer. */
	v4_admin_holds(vt, OCXLFS_EL_FIXED + (size_t)el.buf_size);

	e.log_id = el.log_identifier;
	e.program_ref_code = el.program_reference_code;
	e.type = el.error_log_type;
	e.action_flags = el.action_flags & 0xFFFFFF;
	e.power_on_seconds = el.power_on_seconds;
	e.timestamp = el.timestamp;
	e.wwid[0] = el.wwid[0];
	e.wwid[1] = el.wwid[1];
	memcpy(e.fw_revision, el.fw_revision, 8);
	e.fw_revision[8] = '\0';
	/*
	 * buf_size came back as the entry's length field; the driver copied
	 * min(ours, that) bytes, in whole words.  v4 copies from the start of
	 * the data buffer (header and fixed part included, a defect its
	 * reviewers flagged), so the additional data sits at 0x48 and its last
	 * 0x48 bytes never arrive.
	 * A fixed driver would copy the additional data alone; the 'EL'
	 * identifier in the first word tells the two apart.
	 */
	copied = (el.buf_size < V4_BUF_MAX ? el.buf_size : V4_BUF_MAX) & ~(size_t)7;
	if (copied >= 8 && (ocxlfs_get_le64(raw) >> 48) == OCXLFS_ID_ERRLOG) {
		e.addl = raw + OCXLFS_EL_FIXED;
		e.addl_len = copied > OCXLFS_EL_FIXED ? (uint16_t)(copied - OCXLFS_EL_FIXED) : 0;
	} else {
		e.addl = raw;
		e.addl_len = (uint16_t)copied;
	}
	total = OCXLFS_EL_FIXED + (size_t)e.addl_len;
	vt->held = malloc(total);
	if (!vt->held) {
		log_err("%s: error-log entry %#x lost: out of memory", vt->base.device, e.log_id);
		rc = -ENOMEM;
		goto out;
	}
	rc = ocxlfs_errlog_encode(&e, vt->held, total);
	if (rc < 0) {
		free(vt->held);
		vt->held = NULL;
		goto out;
	}
	vt->held_len = total;
	vt->held_id = e.log_id;
	rc = 0;
out:
	free(raw);
	return rc;
}

static int v4_errlog_next(struct v4_transport *vt, struct nd_cmd_pkg *pkg)
{
	int rc = 0;

	if (!vt->held)
		rc = v4_fetch_errlog(vt);
	if (rc)
		rc = v4_status_or_errno(pkg, rc);
	else
		v4_reply(pkg, OCXLFS_STATUS_SUCCESS, vt->held, vt->held ? vt->held_len : 0);
	return rc;
}

static int v4_errlog_ack(struct v4_transport *vt, struct nd_cmd_pkg *pkg)
{
	uint8_t status = OCXLFS_STATUS_SUCCESS;
	uint64_t w;

	if (!v4_in_word(pkg, &w)) {
		status = OCXLFS_STATUS_BAD_REQUEST;
	} else if (vt->held && vt->held_id == (uint32_t)w) {
		free(vt->held);
		vt->held = NULL;
		vt->held_len = 0;
	}
	v4_reply(pkg, status, NULL, 0);
	return 0;
}

static int v4_stats(struct v4_transport *vt, struct nd_cmd_pkg *pkg)
{
	struct ioctl_ocxlpmem_controller_stats cs;
	uint8_t buf[8 + OCXLFS_CS_LEN_V4];
	struct ocxlfs_stats st = { 0 };
	int rc;

	memset(&cs, 0, sizeof(cs));
	rc = v4_ioctl(vt, IOCTL_OCXLPMEM_CONTROLLER_STATS, &cs);
	if (rc == -ENODEV)
		rc = -EPROTO;
	if (rc)
		return v4_status_or_errno(pkg, rc);
	st.value[OCXLFS_STAT_RESET_COUNT] = cs.reset_count;
	st.value[OCXLFS_STAT_RESET_UPTIME] = cs.reset_uptime;
	st.value[OCXLFS_STAT_POWER_ON_UPTIME] = cs.power_on_uptime;
	st.value[OCXLFS_STAT_LIFE_REMAINING] = cs.life_remaining;
	st.value[OCXLFS_STAT_CRIT_RESOURCE_UTIL] = cs.critical_resource_utilization;
	st.value[OCXLFS_STAT_HOST_LOAD_COUNT] = cs.host_load_count;
	st.value[OCXLFS_STAT_HOST_STORE_COUNT] = cs.host_store_count;
	st.value[OCXLFS_STAT_HOST_LOAD_DURATION] = cs.host_load_duration;
	st.value[OCXLFS_STAT_HOST_STORE_DURATION] = cs.host_store_duration;
	st.value[OCXLFS_STAT_MEDIA_READ_COUNT] = cs.media_read_count;
	st.value[OCXLFS_STAT_MEDIA_WRITE_COUNT] = cs.media_write_count;
	st.value[OCXLFS_STAT_MEDIA_READ_DURATION] = cs.media_read_duration;
	st.value[OCXLFS_STAT_MEDIA_WRITE_DURATION] = cs.media_write_duration;
	st.value[OCXLFS_STAT_CACHE_READ_HIT_COUNT] = cs.cache_read_hit_count;
	st.value[OCXLFS_STAT_CACHE_WRITE_HIT_COUNT] = cs.cache_write_hit_count;
	st.value[OCXLFS_STAT_FAST_WRITE_COUNT] = cs.fast_write_count;
	/* The driver refuses any other layout, so every field is there. */
	st.present = (1u << OCXLFS_STAT_NR) - 1;
	rc = ocxlfs_stats_encode(&st, buf, sizeof(buf));
	if (rc < 0)
		return rc;
	v4_reply(pkg, OCXLFS_STATUS_SUCCESS, buf, (size_t)rc);
	return 0;
}

/* The next DUMP_DATA size to try after EINVAL: the largest power of two below WANT. */
static uint32_t v4_dump_smaller(uint32_t want)
{
	uint32_t p = V4_DUMP_MIN;

	while (p * 2 < want)
		p *= 2;
	return p;
}

/*
 * One DUMP_DATA into RAW (V4_BUF_MAX bytes) at OFFSET, of *WANT bytes or
 * fewer.  The driver's EINVAL has three causes: a buf_size that is not a
 * multiple of 8 (never sent), one larger than the admin data buffer, or a
 * reply without the 'CD' identifier.  At a size the card has shown it
 * holds, the reply was refused (-EBADMSG); above it, the size may be too
 * large: try the next smaller power of two, and keep the first that works
 * as the limit.  0 with *WANT the size used, a status, or -errno.
 */
static int v4_dump_data(struct v4_transport *vt, uint32_t offset, uint8_t *raw, uint32_t *want,
			struct ioctl_ocxlpmem_controller_dump_data *dd)
{
	uint32_t size = *want < vt->dump_limit ? *want : vt->dump_limit;
	bool smaller = false;
	int rc;

	for (;;) {
		memset(dd, 0, sizeof(*dd));
		dd->buf_ptr = (uintptr_t)raw;
		dd->buf_size = (uint16_t)size;
		dd->offset = offset;
		rc = v4_ioctl(vt, IOCTL_OCXLPMEM_CONTROLLER_DUMP_DATA, dd);
		if (rc != -EINVAL)
			break;
		if (size <= vt->admin_fits || size <= V4_DUMP_MIN)
			return -EBADMSG;
		size = v4_dump_smaller(size);
		smaller = true;
	}
	if (rc)
		return rc;
	if (smaller && size < vt->dump_limit) {
		vt->dump_limit = size;
		log_info("%s: dump chunks of %u bytes: more is EINVAL", vt->base.device, size);
	}
	v4_admin_holds(vt, size);
	*want = size;
	return 0;
}

static int v4_dump_read(struct v4_transport *vt, struct nd_cmd_pkg *pkg)
{
	struct ioctl_ocxlpmem_controller_dump_data dd;
	uint32_t size, want, copied, len;
	uint8_t *raw = NULL, *chunk = NULL;
	uint64_t w;
	int rc;

	if (!v4_in_word(pkg, &w) || (uint32_t)w == 0 || (uint32_t)w % 8) {
		v4_reply(pkg, OCXLFS_STATUS_BAD_REQUEST, NULL, 0);
		return 0;
	}
	size = (uint32_t)w;
	/*
	 * v4 copies the 'CD' header inside buf_size and passes buf_size to the
	 * card as the byte count: ask for 8 more than the caller wants data.
	 */
	want = size <= V4_BUF_MAX - 8 ? size + 8 : V4_BUF_MAX;
	raw = calloc(1, V4_BUF_MAX); /* filled through buf_ptr, unseen by valgrind */
	if (!raw)
		return -ENOMEM;
	rc = v4_dump_data(vt, (uint32_t)(w >> 32), raw, &want, &dd);
	if (rc) {
		rc = v4_status_or_errno(pkg, rc);
		goto out;
	}
	/*
	 * buf_size came back as min(header length + 8, ours), copied in whole
	 * words: 8 at the end of the dump (the code), or 0 (the header's
	 * comment: "no more dump data"), an empty chunk either way.
	 */
	copied = (dd.buf_size < want ? dd.buf_size : want) & ~7u;
	len = 0;
	if (copied >= 8) {
		len = (uint32_t)(ocxlfs_get_le64(raw) & 0xFFFF);
		if (len > copied - 8)
			len = copied - 8;
	}
	if (len > size)
		len = size;
	chunk = malloc(8 + (size_t)len);
	if (!chunk) {
		rc = -ENOMEM;
		goto out;
	}
	rc = ocxlfs_dump_chunk_encode(raw + 8, len, chunk, 8 + (size_t)len);
	if (rc < 0)
		goto out;
	v4_reply(pkg, OCXLFS_STATUS_SUCCESS, chunk, (size_t)rc);
	rc = 0;
out:
	free(chunk);
	free(raw);
	return rc;
}

/* Commands that are one argument-less ioctl and carry no data back. */
static int v4_simple(struct v4_transport *vt, struct nd_cmd_pkg *pkg, unsigned long request)
{
	int rc;

	rc = v4_ioctl(vt, request, NULL);
	if (rc)
		rc = v4_status_or_errno(pkg, rc);
	else
		v4_reply(pkg, OCXLFS_STATUS_SUCCESS, NULL, 0);
	return rc;
}

static int v4_event_check(struct v4_transport *vt, struct nd_cmd_pkg *pkg)
{
	uint8_t buf[8];
	__u64 mask = 0;
	int rc;

	rc = v4_ioctl(vt, IOCTL_OCXLPMEM_EVENT_CHECK, &mask);
	if (rc)
		return v4_status_or_errno(pkg, rc);
	/* The held entry is still pending as far as the daemon is concerned. */
	if (vt->held)
		mask |= OCXLFS_EVENT_ELA;
	ocxlfs_put_le64(buf, mask);
	v4_reply(pkg, OCXLFS_STATUS_SUCCESS, buf, sizeof(buf));
	return 0;
}

/*
 * SMART through the v4 driver's ND_CMD_CALL: payload { u8 count; u8
 * reserved[7]; u64 attribs[] } in host order, nd_fw_size = 8 + the card's
 * length.  A failure only shows as an untouched nd_fw_size (the driver
 * puts its errno in cmd_rc, which libnvdimm drops).
 */
static int v4_smart(struct v4_transport *vt, struct nd_cmd_pkg *pkg)
{
	const uint32_t out = pkg->nd_size_out < 16 ? 16 : pkg->nd_size_out;
	struct nd_cmd_pkg *q = NULL;
	uint8_t *sm = NULL;
	uint32_t have, full, i;
	uint64_t v;
	int rc = 0;

	if (!vt->nd) {
		v4_reply(pkg, OCXLFS_STATUS_BAD_OPCODE, NULL, 0);
		return 0;
	}
	q = calloc(1, sizeof(*q) + out);
	if (!q)
		return -ENOMEM;
	q->nd_family = OCXLFS_ND_FAMILY;
	q->nd_command = OCXLPMEM_ND_CMD_SMART;
	q->nd_size_out = out;
	rc = vt->nd->ops->call(vt->nd, q);
	if (rc == -EINVAL || rc == -ENOTTY) { /* family 6 unknown to the kernel, or no cmd_call */
		v4_reply(pkg, OCXLFS_STATUS_BAD_OPCODE, NULL, 0);
		rc = 0;
		goto out;
	}
	if (rc)
		goto out;
	if (q->nd_fw_size < 8) {
		v4_reply(pkg, OCXLFS_STATUS_FAILED, NULL, 0);
		goto out;
	}
	full = q->nd_fw_size - 8;
	have = (uint32_t)q->nd_payload[0] * OCXLFS_SMART_RECORD;
	if (have > out - 8)
		have = out - 8;
	sm = malloc(8 + (size_t)have);
	if (!sm) {
		rc = -ENOMEM;
		goto out;
	}
	ocxlfs_put_le64(sm, ocxlfs_hdr_make(OCXLFS_ID_SMART, have));
	for (i = 0; i < have; i += 8) {
		memcpy(&v, q->nd_payload + 8 + i, 8);
		ocxlfs_put_le64(sm + 8 + i, v);
	}
	v4_reply(pkg, OCXLFS_STATUS_SUCCESS, sm, 8 + (size_t)have);
	/* The card had more than came through: show it as a truncated reply. */
	if (full > have)
		pkg->nd_fw_size = OCXLFS_PKG_OUT_HDR + 8 + full;
out:
	free(sm);
	free(q);
	return rc;
}

static int v4_call(struct ocxlfs_transport *t, struct nd_cmd_pkg *pkg)
{
	struct v4_transport *vt = to_v4(t);
	int rc;

	if (pkg->nd_family != OCXLFS_ND_FAMILY || pkg->nd_size_out < OCXLFS_PKG_OUT_HDR ||
	    !ocxlfs_envelope_fits(pkg->nd_size_in, pkg->nd_size_out))
		return -EINVAL;
	switch (pkg->nd_command) {
	case OCXLFS_CMD_SMART:
		rc = v4_smart(vt, pkg);
		break;
	case OCXLFS_CMD_IDENTIFY:
		rc = v4_identify(vt, pkg);
		break;
	case OCXLFS_CMD_ERRLOG_NEXT:
		rc = v4_errlog_next(vt, pkg);
		break;
	case OCXLFS_CMD_ERRLOG_ACK:
		rc = v4_errlog_ack(vt, pkg);
		break;
	case OCXLFS_CMD_STATS:
		rc = v4_stats(vt, pkg);
		break;
	case OCXLFS_CMD_DUMP_REQUEST:
		rc = v4_simple(vt, pkg, IOCTL_OCXLPMEM_CONTROLLER_DUMP);
		break;
	case OCXLFS_CMD_DUMP_READ:
		rc = v4_dump_read(vt, pkg);
		break;
	case OCXLFS_CMD_DUMP_COMPLETE:
		rc = v4_simple(vt, pkg, IOCTL_OCXLPMEM_CONTROLLER_DUMP_COMPLETE);
		break;
	case OCXLFS_CMD_HEALTH_REQUEST:
		rc = v4_simple(vt, pkg, IOCTL_OCXLPMEM_REQUEST_HEALTH);
		break;
	case OCXLFS_CMD_EVENT_CHECK:
		rc = v4_event_check(vt, pkg);
		break;
	default: /* HEARTBEAT, ERASE_*, anything newer */
		v4_reply(pkg, OCXLFS_STATUS_BAD_OPCODE, NULL, 0);
		rc = 0;
		break;
	}
	/* A node without the ioctl: the operation is unsupported, not broken. */
	if (rc == -ENOTTY) {
		v4_reply(pkg, OCXLFS_STATUS_BAD_OPCODE, NULL, 0);
		rc = 0;
	}
	return rc;
}

static int v4_label_size(struct ocxlfs_transport *t, uint32_t *size, uint32_t *max_xfer)
{
	struct v4_transport *vt = to_v4(t);

	return vt->nd ? vt->nd->ops->label_size(vt->nd, size, max_xfer) : -EOPNOTSUPP;
}

static int v4_label_read(struct ocxlfs_transport *t, void *buf, uint32_t off, uint32_t len)
{
	struct v4_transport *vt = to_v4(t);

	return vt->nd ? vt->nd->ops->label_read(vt->nd, buf, off, len) : -EOPNOTSUPP;
}

static int v4_label_write(struct ocxlfs_transport *t, const void *buf, uint32_t off, uint32_t len)
{
	struct v4_transport *vt = to_v4(t);

	return vt->nd ? vt->nd->ops->label_write(vt->nd, buf, off, len) : -EOPNOTSUPP;
}

static void v4_destroy(struct ocxlfs_transport *t)
{
	struct v4_transport *vt = to_v4(t);

	if (vt->held)
		log_warn("%s: error-log entry %#x retrieved but never acknowledged: dropped",
			 vt->base.device, vt->held_id);
	free(vt->held);
	ocxlfs_transport_destroy(vt->nd);
	if (vt->fd >= 0)
		close(vt->fd);
	free(vt);
}

/* The v4 driver has no namespace query: ask the nvdimm side when there is one. */
static int v4_namespaces_enabled(struct ocxlfs_transport *t)
{
	struct v4_transport *vt = to_v4(t);

	if (vt->nd && vt->nd->ops->namespaces_enabled)
		return vt->nd->ops->namespaces_enabled(vt->nd);
	return -EOPNOTSUPP;
}

static const struct ocxlfs_transport_ops v4_ops = {
	.call = v4_call,
	.label_size = v4_label_size,
	.label_read = v4_label_read,
	.label_write = v4_label_write,
	.namespaces_enabled = v4_namespaces_enabled,
	.destroy = v4_destroy,
};

static struct v4_transport *v4_alloc(const char *device)
{
	struct v4_transport *vt = calloc(1, sizeof(*vt));

	if (vt) {
		vt->base.ops = &v4_ops;
		vt->base.kind = "ioctl-v4";
		snprintf(vt->base.device, sizeof(vt->base.device), "%s", device);
		vt->fd = -1;
		vt->dump_limit = V4_BUF_MAX;
	}
	return vt;
}

int ocxlfs_transport_ioctl_v4_new(const char *devpath, struct ocxlfs_transport **out)
{
	struct v4_transport *vt;
	struct stat st;
	int fd;

	*out = NULL;
	fd = open(devpath, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode)) {
		close(fd);
		return -ENOTTY;
	}
	vt = v4_alloc(devpath);
	if (!vt) {
		close(fd);
		return -ENOMEM;
	}
	vt->fd = fd;
	vt->ioctl = fd_ioctl;
	vt->dev = &vt->fd;
	*out = &vt->base;
	return 0;
}

int ocxlfs_transport_ioctl_v4_new_ioctl(const char *device, ocxlfs_ioctl_fn *ioctl_fn, void *dev,
					struct ocxlfs_transport **out)
{
	struct v4_transport *vt;

	*out = NULL;
	vt = v4_alloc(device);
	if (!vt)
		return -ENOMEM;
	vt->ioctl = ioctl_fn;
	vt->dev = dev;
	*out = &vt->base;
	return 0;
}

static bool is_v4(const struct ocxlfs_transport *t)
{
	return t && t->ops == &v4_ops;
}

int ocxlfs_transport_ioctl_v4_set_nd(struct ocxlfs_transport *t, struct ocxlfs_transport *labels)
{
	int rc = -EINVAL;

	if (is_v4(t)) {
		ocxlfs_transport_destroy(to_v4(t)->nd);
		to_v4(t)->nd = labels;
		rc = 0;
	}
	return rc;
}
