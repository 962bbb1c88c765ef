// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The ND_CMD_CALL transport: envelopes of the passthru contract and the
 * label area, as ioctls on a libnvdimm DIMM.  The ioctls go through the
 * seam of ioctl_fn.h: ioctl(2) on /dev/nmemN (a DIMM libndctl found, kind
 * "ndctl"), or sim_card_ioctl() of a simulated card (kind "simulator"),
 * which answers the same requests the kernel would.  Everything else here
 * (the size rule, the label chunks, the errno mapping) is one code path for
 * both.  libndctl finds the DIMM (discover.c), says which commands it
 * accepts and whether a namespace on it is enabled; a simulated card says
 * the latter itself.
 *
 * Why the label area does not go through libndctl's cfg_read/cfg_write:
 * libndctl 76.1's do_cmd() restarts its transfer loop at offset 0 whatever
 * extent ndctl_cmd_cfg_{read,write}_set_extent() set, then copies to and
 * from the buffer at the requested offset.  A read at a non-zero offset
 * returns the wrong bytes, and a write there re-writes what it read at
 * offset 0 instead, both with success.  Re-verified under the test harness
 * (docs/testing.md, section 3): an extent of 1000 bytes at 6000 issues
 * GET_CONFIG_DATA and SET_CONFIG_DATA at offset 0.  Its API also has no
 * getter for max_xfer.  So the three config commands are issued directly,
 * with the same structs libndctl uses, chunked by the kernel's max_xfer.
 *
 * Errno mapping (every op returns 0 or a negative errno):
 *   ->call
 *     -EINVAL     envelope over ND_IOCTL_MAX_BUFLEN (4 MiB, checked here
 *                 before the ioctl, as __nd_ioctl would), or the kernel or
 *                 provider refused it: family not registered for the DIMM
 *                 (stock kernels reject nd_family > NVDIMM_FAMILY_MAX = 5),
 *                 non-zero reserved words, bad sizes
 *     -ENOTTY     the DIMM does not accept ND_CMD_CALL (nmemN/commands),
 *                 or the provider does not know the operation
 *     -EPERM      read-only fd (cannot happen here: opened O_RDWR)
 *     -EACCES     open() of the node refused (not root)
 *     -ENODEV     the DIMM is gone: ENXIO/ENODEV from the kernel (no DIMM
 *                 with that minor), the node missing, or the node is not
 *                 the DIMM's character device.  The fd is closed; the
 *                 next call opens and checks the node again.
 *     -EIO        the ioctl returned a positive value (a residual count:
 *                 no part of the contract)
 *     others      kernel errors pass through unchanged (-EFAULT, -ENOMEM,
 *                 -EINTR, -EOPNOTSUPP from clear_to_send, ...)
 *     A reply with nd_fw_size > nd_size_out was truncated by the kernel;
 *     that is not an error here (ops.c checks it), nor is nd_fw_size < 8.
 *   ->label_size / ->label_read / ->label_write
 *     -EOPNOTSUPP the DIMM lacks get_size / get_data / set_data
 *     -EINVAL     off + len outside the label area
 *     -EIO        non-zero firmware status of a config command, a short
 *                 transfer (positive ioctl return), or a label area that
 *                 reports max_xfer 0
 *     -EBUSY      (write) libnvdimm refuses SET_CONFIG_DATA while the DIMM
 *                 is busy (a region on it is active)
 *     -ENODEV, -EACCES and pass-through as for ->call.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <ocxlfs/passthru.h>

#include "sim/sim.h"
#include "transport/ioctl_fn.h"
#include "transport/ndctl.h"
#include "transport/sim.h"
#include "util/log.h"

/* Largest chunk per config-data ioctl, whatever max_xfer the kernel reports. */
#define ND_CHUNK_MAX (1u << 20)

/* Config-data headers are 8 (set) or 12 (get) bytes, plus a 4-byte status. */
#define ND_XFER_OVERHEAD 16u

struct nd_transport {
	struct ocxlfs_transport base;
	ocxlfs_ioctl_fn *ioctl;
	void *dev;			 /* the ioctl's device: this transport, or a sim_card */
	bool can_size, can_get, can_set; /* nmemN/commands, read once; all for a simulated card */
	bool have_size;			 /* label area geometry is cached */
	uint32_t config_size, max_xfer, chunk;
	uint8_t *xfer;			 /* ND_XFER_OVERHEAD + chunk bytes */
	/* A DIMM libndctl found: */
	struct ndctl_ctx *ctx;
	struct ndctl_dimm *dimm;
	unsigned major, minor;
	int fd; /* -1 until first use, or after the DIMM vanished */
};

/* libndctl contexts and their objects are not thread-safe; all share this. */
static pthread_mutex_t nd_lock = PTHREAD_MUTEX_INITIALIZER;

void ocxlfs_ndctl_lock(void)
{
	pthread_mutex_lock(&nd_lock);
}

void ocxlfs_ndctl_unlock(void)
{
	pthread_mutex_unlock(&nd_lock);
}

static struct nd_transport *to_nd(struct ocxlfs_transport *t)
{
	return (struct nd_transport *)t;
}

/* ---- /dev/nmemN ---- */

/* A vanished DIMM shows as ENXIO (no DIMM with that minor) or ENODEV. */
static int node_errno(int err)
{
	return (err == ENXIO || err == ENODEV) ? -ENODEV : -err;
}

static void node_close(struct nd_transport *nt)
{
	if (nt->fd >= 0)
		close(nt->fd);
	nt->fd = -1;
}

static int node_open(struct nd_transport *nt)
{
	struct stat st;
	int fd;

	if (nt->fd >= 0)
		return 0;
	fd = open(nt->base.device, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENODEV : node_errno(errno);
	/* The check libndctl makes: the node must be this DIMM's char device. */
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != nt->major ||
	    minor(st.st_rdev) != nt->minor) {
		log_warn("%s is not the character device %u:%u of the DIMM", nt->base.device,
			 nt->major, nt->minor);
		close(fd);
		return -ENODEV;
	}
	nt->fd = fd;
	return 0;
}

/* The real ioctl(2), on the node opened (and checked) on first use. */
static int node_ioctl(void *dev, unsigned long request, void *arg)
{
	struct nd_transport *nt = dev;
	int rc;

	rc = node_open(nt);
	if (rc)
		return rc;
	rc = ioctl(nt->fd, request, arg);
	if (rc >= 0)
		return rc;
	rc = node_errno(errno);
	/* Reopen (and recheck) next time: the minor may come back as another DIMM. */
	if (rc == -ENODEV)
		node_close(nt);
	return rc;
}

/* ---- a simulated card ---- */

static int sim_ioctl(void *dev, unsigned long request, void *arg)
{
	return sim_card_ioctl(dev, request, arg);
}

/* ---- the contract, on either ---- */

static int nd_ioctl(struct nd_transport *nt, unsigned long request, void *arg)
{
	int rc = nt->ioctl(nt->dev, request, arg);

	return rc > 0 ? -EIO : rc;
}

static int nd_call(struct ocxlfs_transport *t, struct nd_cmd_pkg *pkg)
{
	if (!ocxlfs_envelope_fits(pkg->nd_size_in, pkg->nd_size_out))
		return -EINVAL;
	return nd_ioctl(to_nd(t), ND_IOCTL_CALL, pkg);
}

/* Reads and caches the label area geometry (it is fixed for the card's life). */
static int nd_config_size(struct nd_transport *nt)
{
	struct nd_cmd_get_config_size cs = { 0 };
	int rc;

	if (nt->have_size)
		return 0;
	if (!nt->can_size)
		return -EOPNOTSUPP;
	rc = nd_ioctl(nt, ND_IOCTL_GET_CONFIG_SIZE, &cs);
	if (rc)
		return rc;
	if (cs.status || (cs.config_size && !cs.max_xfer)) {
		log_warn("%s: config size: status %u, size %u, max_xfer %u", nt->base.device,
			 cs.status, cs.config_size, cs.max_xfer);
		return -EIO;
	}
	nt->chunk = cs.max_xfer < ND_CHUNK_MAX ? cs.max_xfer : ND_CHUNK_MAX;
	free(nt->xfer);
	/*
	 * Zeroed once: the config ioctls' _IOC_SIZE covers only their headers,
	 * so memory checkers (valgrind) never see the kernel fill the data and
	 * would report every label byte as uninitialised.
	 */
	nt->xfer = calloc(1, ND_XFER_OVERHEAD + (size_t)nt->chunk);
	if (!nt->xfer)
		return -ENOMEM;
	nt->config_size = cs.config_size;
	nt->max_xfer = cs.max_xfer;
	nt->have_size = true;
	return 0;
}

static int nd_label_size(struct ocxlfs_transport *t, uint32_t *size, uint32_t *max_xfer)
{
	struct nd_transport *nt = to_nd(t);
	int rc;

	rc = nd_config_size(nt);
	if (rc)
		return rc;
	if (size)
		*size = nt->config_size;
	if (max_xfer)
		*max_xfer = nt->max_xfer;
	return 0;
}

/* Geometry, support and bounds checks shared by read and write. */
static int nd_label_prep(struct nd_transport *nt, bool can, uint32_t off, uint32_t len)
{
	int rc;

	if (!can)
		return -EOPNOTSUPP;
	rc = nd_config_size(nt);
	if (rc)
		return rc;
	return off > nt->config_size || len > nt->config_size - off ? -EINVAL : 0;
}

static int nd_label_read(struct ocxlfs_transport *t, void *buf, uint32_t off, uint32_t len)
{
	struct nd_transport *nt = to_nd(t);
	struct nd_cmd_get_config_data_hdr *hdr;
	uint32_t done = 0, n;
	int rc;

	rc = nd_label_prep(nt, nt->can_get, off, len);
	hdr = (struct nd_cmd_get_config_data_hdr *)nt->xfer;
	while (!rc && done < len) {
		n = len - done < nt->chunk ? len - done : nt->chunk;
		hdr->in_offset = off + done;
		hdr->in_length = n;
		hdr->status = 0;
		rc = nd_ioctl(nt, ND_IOCTL_GET_CONFIG_DATA, hdr);
		if (rc)
			break;
		if (hdr->status) {
			/* The card logs the failure once; the status is detail. */
			log_dbg("%s: label read at %u+%u: status %u", nt->base.device,
				 hdr->in_offset, n, hdr->status);
			rc = -EIO;
			break;
		}
		memcpy((uint8_t *)buf + done, hdr->out_buf, n);
		done += n;
	}
	return rc;
}

/* Not a read-modify-write: that was only libndctl's API requiring one. */
static int nd_label_write(struct ocxlfs_transport *t, const void *buf, uint32_t off, uint32_t len)
{
	struct nd_transport *nt = to_nd(t);
	struct nd_cmd_set_config_hdr *hdr;
	uint32_t done = 0, n, status;
	int rc;

	rc = nd_label_prep(nt, nt->can_set, off, len);
	hdr = (struct nd_cmd_set_config_hdr *)nt->xfer;
	while (!rc && done < len) {
		n = len - done < nt->chunk ? len - done : nt->chunk;
		hdr->in_offset = off + done;
		hdr->in_length = n;
		memcpy(hdr->in_buf, (const uint8_t *)buf + done, n);
		/* The status word follows the data, unaligned: the kernel's out envelope. */
		memset(hdr->in_buf + n, 0, sizeof(status));
		rc = nd_ioctl(nt, ND_IOCTL_SET_CONFIG_DATA, hdr);
		if (rc)
			break;
		memcpy(&status, hdr->in_buf + n, sizeof(status));
		if (status) {
			log_dbg("%s: label write at %u+%u: status %u", nt->base.device,
				 off + done, n, status);
			rc = -EIO;
			break;
		}
		done += n;
	}
	return rc;
}

static void nd_destroy(struct ocxlfs_transport *t)
{
	struct nd_transport *nt = to_nd(t);

	node_close(nt);
	free(nt->xfer);
	if (nt->ctx) {
		ocxlfs_ndctl_lock();
		ndctl_unref(nt->ctx);
		ocxlfs_ndctl_unlock();
	}
	free(nt);
}

static int nd_namespaces_enabled(struct ocxlfs_transport *t)
{
	return ocxlfs_ndctl_namespaces_enabled(to_nd(t)->dimm);
}

static int sim_namespaces_enabled(struct ocxlfs_transport *t)
{
	return sim_card_namespace_enabled(to_nd(t)->dev) ? 1 : 0;
}

/* The two differ only in who knows whether a namespace is enabled. */
static const struct ocxlfs_transport_ops nd_ops = {
	.call = nd_call,
	.label_size = nd_label_size,
	.label_read = nd_label_read,
	.label_write = nd_label_write,
	.namespaces_enabled = nd_namespaces_enabled,
	.destroy = nd_destroy,
};

static const struct ocxlfs_transport_ops sim_ops = {
	.call = nd_call,
	.label_size = nd_label_size,
	.label_read = nd_label_read,
	.label_write = nd_label_write,
	.namespaces_enabled = sim_namespaces_enabled,
	.destroy = nd_destroy,
};

static struct nd_transport *nd_alloc(const struct ocxlfs_transport_ops *ops, const char *kind)
{
	struct nd_transport *nt = calloc(1, sizeof(*nt));

	if (nt) {
		nt->base.ops = ops;
		nt->base.kind = kind;
		nt->fd = -1;
	}
	return nt;
}

int ocxlfs_transport_ndctl_new(struct ndctl_ctx *ctx, struct ndctl_dimm *dimm,
			       struct ocxlfs_transport **out)
{
	struct nd_transport *nt;

	*out = NULL;
	nt = nd_alloc(&nd_ops, "ndctl");
	if (!nt)
		return -ENOMEM;
	nt->ioctl = node_ioctl;
	nt->dev = nt;
	nt->dimm = dimm;
	ocxlfs_ndctl_lock();
	nt->ctx = ndctl_ref(ctx);
	snprintf(nt->base.device, sizeof(nt->base.device), "/dev/%s",
		 ndctl_dimm_get_devname(dimm));
	nt->major = ndctl_dimm_get_major(dimm);
	nt->minor = ndctl_dimm_get_minor(dimm);
	nt->can_size = ndctl_dimm_is_cmd_supported(dimm, ND_CMD_GET_CONFIG_SIZE);
	nt->can_get = ndctl_dimm_is_cmd_supported(dimm, ND_CMD_GET_CONFIG_DATA);
	nt->can_set = ndctl_dimm_is_cmd_supported(dimm, ND_CMD_SET_CONFIG_DATA);
	ocxlfs_ndctl_unlock();
	*out = &nt->base;
	return 0;
}

int ocxlfs_transport_sim_new(struct sim_card *sim, unsigned index, struct ocxlfs_transport **out)
{
	struct nd_transport *nt;

	*out = NULL;
	if (!sim)
		return -EINVAL;
	nt = nd_alloc(&sim_ops, "simulator");
	if (!nt)
		return -ENOMEM;
	nt->ioctl = sim_ioctl;
	nt->dev = sim;
	/* The simulated DIMM's commands: every one the posted driver offers. */
	nt->can_size = nt->can_get = nt->can_set = true;
	snprintf(nt->base.device, sizeof(nt->base.device), "sim:%u", index);
	*out = &nt->base;
	return 0;
}

__attribute__((format(printf, 6, 0)))
static void nd_log(struct ndctl_ctx *ctx, int priority, const char *file, int line,
		   const char *fn, const char *format, va_list args)
{
	char msg[256];
	size_t n;

	vsnprintf(msg, sizeof(msg), format, args);
	n = strlen(msg);
	if (n && msg[n - 1] == '\n')
		msg[n - 1] = '\0';
	log_msg(priority, "libndctl: %s: %s", fn, msg);
}

void ocxlfs_ndctl_log_setup(struct ndctl_ctx *ctx)
{
	int level = log_get_level();

	/*
	 * Its info messages are chatter ("context released"), and the level
	 * also reaches libdaxctl, whose messages still go to stderr.
	 */
	if (level < LOG_DEBUG && level > LOG_NOTICE)
		level = LOG_NOTICE;
	ndctl_set_log_fn(ctx, nd_log);
	ndctl_set_log_priority(ctx, level);
}

/* true if REGION maps the DIMM named DIMM_NAME (one mapping per DIMM it spans). */
static bool region_maps(struct ndctl_region *region, const char *dimm_name)
{
	struct ndctl_dimm *d;

	ndctl_dimm_foreach_in_region(region, d)
		if (!strcmp(ndctl_dimm_get_devname(d), dimm_name))
			return true;
	return false;
}

int ocxlfs_ndctl_namespaces_enabled(struct ndctl_dimm *dimm)
{
	struct ndctl_ctx *ctx = NULL;
	struct ndctl_namespace *ndns;
	struct ndctl_region *region;
	struct ndctl_bus *bus;
	char busname[32], dimmname[32];
	bool found = false;
	int rc;

	ocxlfs_ndctl_lock();
	snprintf(busname, sizeof(busname), "%s",
		 ndctl_bus_get_devname(ndctl_dimm_get_bus(dimm)));
	snprintf(dimmname, sizeof(dimmname), "%s", ndctl_dimm_get_devname(dimm));
	ocxlfs_ndctl_unlock();

	/*
	 * A private context: libndctl lists a region's namespaces once per
	 * context, so the discovery context would miss namespaces created
	 * since.  Nobody else sees this one, so it needs no lock.
	 */
	rc = ndctl_new(&ctx);
	if (rc) {
		rc = rc < 0 ? rc : -ENOMEM;
		ctx = NULL;
		goto out;
	}
	ocxlfs_ndctl_log_setup(ctx);
	ndctl_bus_foreach(ctx, bus) {
		if (strcmp(ndctl_bus_get_devname(bus), busname) != 0)
			continue;
		found = true;
		/* Only the regions built on this card's media; the bus could carry others. */
		ndctl_region_foreach(bus, region) {
			if (!region_maps(region, dimmname))
				continue;
			ndctl_namespace_foreach(region, ndns) {
				/* Enabled itself, or claimed by an enabled btt/pfn/dax. */
				if (ndctl_namespace_is_enabled(ndns) ||
				    ndctl_namespace_is_active(ndns)) {
					rc = 1;
					goto out;
				}
			}
		}
	}
	rc = found ? 0 : -ENODEV;
out:
	if (ctx)
		ndctl_unref(ctx);
	return rc;
}
