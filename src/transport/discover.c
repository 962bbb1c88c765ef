// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Card discovery: libndctl for the libnvdimm side, a glob of /dev for the
 * v4 character devices, sysfs to pair the two (the v4 driver registers its
 * nvdimm bus under the ocxlpmem class device).
 */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include <ndctl/libndctl.h>
#include <ocxlfs/passthru.h>

#include "codec/codec.h"
#include "transport/discover.h"
#include "transport/ioctl_v4.h"
#include "transport/ndctl.h"
#include "transport/sysfs.h"
#include "util/log.h"

/* The bus provider_name of the posted driver: v4, v3, v1. */
static const char *const ocxlfs_providers[] = { "ocxlpmem", "ocxl-pmem", "scm" };

/* Room for the identity block; a longer (newer) one may come back truncated. */
#define PROBE_DATA 0x100u

struct v4_node {
	char path[PATH_MAX];
	char busdir[PATH_MAX]; /* its nvdimm bus in sysfs, "" if none */
	bool has_sysfs;	       /* /sys/class/ocxlpmem/<name> exists */
	bool claimed;	       /* a libnvdimm bus owns it */
};

struct found {
	struct ocxlfs_discovered *v; /* count + 1 entries: the last one stays zeroed */
	unsigned count, cap;
	int first_err; /* first card left out, reported if no card is found */
	/* Rescan only: the cards the caller serves, and which of them were seen. */
	const struct ocxlfs_card_key *known;
	unsigned nknown;
	bool *seen;
};

/* What discovery learnt about a card before it is listed. */
struct ident {
	uint64_t serial;
	char fw[9];
	bool from_sysfs;
};

static bool is_ocxl_provider(const char *p)
{
	for (size_t i = 0; p && i < sizeof(ocxlfs_providers) / sizeof(ocxlfs_providers[0]); i++)
		if (strcmp(p, ocxlfs_providers[i]) == 0)
			return true;
	return false;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* Index of the known card reached by DEVICE with SERIAL, or -1 (rescan only). */
static int known_index(const struct found *f, const char *device, uint64_t serial)
{
	for (unsigned i = 0; i < f->nknown; i++) {
		const struct ocxlfs_card_key *k = &f->known[i];

		/* An unknown serial on either side cannot tell two cards apart. */
		if (!strcmp(k->device, device) && (k->serial == serial || !serial || !k->serial))
			return (int)i;
	}
	return -1;
}

/*
 * Takes T in every case: added, destroyed because the caller already
 * serves that card (rescan), or destroyed on -ENOMEM.
 */
static int found_add(struct found *f, struct ocxlfs_transport *t, const char *name,
		     const struct ident *id)
{
	struct ocxlfs_discovered *v, *d;
	int k;

	k = known_index(f, t->device, id->serial);
	if (k >= 0) {
		f->seen[k] = true;
		ocxlfs_transport_destroy(t);
		return 0;
	}
	if (f->count + 1 >= f->cap) {
		unsigned cap = f->cap ? 2 * f->cap : 8;

		v = realloc(f->v, cap * sizeof(*v));
		if (!v) {
			ocxlfs_transport_destroy(t);
			return -ENOMEM;
		}
		memset(v + f->cap, 0, (cap - f->cap) * sizeof(*v));
		f->v = v;
		f->cap = cap;
	}
	d = &f->v[f->count++];
	d->t = t;
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->serial = id->serial;
	snprintf(d->fw_version, sizeof(d->fw_version), "%s", id->fw);
	d->identity_from_sysfs = id->from_sysfs;
	log_info("card %s: %s transport on %s, serial %llu%s", name, t->kind, t->device,
		 (unsigned long long)id->serial, id->from_sysfs ? " (sysfs)" : "");
	return 0;
}

static void note_err(struct found *f, int err)
{
	if (!f->first_err)
		f->first_err = err;
}

static int by_name(const void *a, const void *b)
{
	return strverscmp(((const struct ocxlfs_discovered *)a)->name,
			  ((const struct ocxlfs_discovered *)b)->name);
}

/* Every /dev/ocxlpmem*, with the sysfs directory of its nvdimm bus if it has one. */
static int list_v4_nodes(struct v4_node **nodes, size_t *count)
{
	char nmem[PATH_MAX], cls[PATH_MAX];
	struct v4_node *v;
	glob_t g;

	*nodes = NULL;
	*count = 0;
	if (glob("/dev/ocxlpmem*", 0, NULL, &g) != 0)
		return 0; /* GLOB_NOMATCH and read errors alike: none */
	v = calloc(g.gl_pathc, sizeof(*v));
	for (size_t i = 0; v && i < g.gl_pathc; i++) {
		snprintf(v[i].path, sizeof(v[i].path), "%s", g.gl_pathv[i]);
		snprintf(cls, sizeof(cls), "/sys/class/ocxlpmem/%s", base_name(v[i].path));
		v[i].has_sysfs = realpath(cls, nmem) != NULL;
		if (ocxlfs_sysfs_v4_nmem_dir(v[i].path, nmem, sizeof(nmem)) == 0) {
			*strrchr(nmem, '/') = '\0';
			snprintf(v[i].busdir, sizeof(v[i].busdir), "%s", nmem);
		}
	}
	*nodes = v;
	*count = v ? g.gl_pathc : 0;
	globfree(&g);
	return v ? 0 : -ENOMEM;
}

/* The DIMM's "ocxlpmem" group, below its bus directory BUSDIR ("" if unknown). */
static bool dimm_sysfs_identity(const char *busdir, const char *name, struct ident *id)
{
	char dir[PATH_MAX];

	id->from_sysfs = busdir[0] &&
			 snprintf(dir, sizeof(dir), "%s/%s/ocxlpmem", busdir, name) <
				 (int)sizeof(dir) &&
			 ocxlfs_sysfs_identity(dir, &id->serial, id->fw) == 0;
	return id->from_sysfs;
}

/*
 * IDENTIFY through T (no side effects).  1 if T answers the passthru
 * contract (ID is then filled when the card also said who it is), 0 if it
 * does not, -errno if it could not be asked.  A driver without the
 * contract either fails the ioctl (stock libnvdimm refuses family 6 with
 * EINVAL; no cmd_call: ENOTTY) or, like the posted v4 driver, returns 0
 * with its errno in the cmd_rc that libnvdimm drops, leaving nd_fw_size as
 * we set it.
 */
static int probe_identity(struct ocxlfs_transport *t, struct ident *id)
{
	struct ocxlfs_identity card;
	struct nd_cmd_pkg *pkg;
	const uint8_t *out;
	uint32_t len;
	int rc;

	pkg = calloc(1, sizeof(*pkg) + OCXLFS_PKG_OUT_HDR + PROBE_DATA);
	if (!pkg)
		return -ENOMEM;
	pkg->nd_family = OCXLFS_ND_FAMILY;
	pkg->nd_command = OCXLFS_CMD_IDENTIFY;
	pkg->nd_size_out = OCXLFS_PKG_OUT_HDR + PROBE_DATA;
	pkg->nd_fw_size = 0;
	rc = t->ops->call(t, pkg);
	if (rc == -EINVAL || rc == -ENOTTY || rc == -EOPNOTSUPP) {
		rc = 0;
		goto out;
	}
	if (rc)
		goto out;
	rc = pkg->nd_fw_size >= OCXLFS_PKG_OUT_HDR;
	out = pkg->nd_payload;
	len = pkg->nd_fw_size < pkg->nd_size_out ? pkg->nd_fw_size : pkg->nd_size_out;
	if (rc && (uint8_t)ocxlfs_get_le64(out) == OCXLFS_STATUS_SUCCESS &&
	    ocxlfs_identity_decode(out + OCXLFS_PKG_OUT_HDR, len - OCXLFS_PKG_OUT_HDR, &card) == 0) {
		id->serial = card.serial;
		snprintf(id->fw, sizeof(id->fw), "%s", card.fw_version);
	}
out:
	free(pkg);
	return rc;
}

static struct v4_node *node_for_bus(struct v4_node *nodes, size_t n, const char *busdir)
{
	for (size_t i = 0; busdir[0] && i < n; i++)
		if (!nodes[i].claimed && strcmp(nodes[i].busdir, busdir) == 0)
			return &nodes[i];
	return NULL;
}

/*
 * Rescan: a known card whose serial sysfs confirms is matched without a
 * transport or a command.  true when so.
 */
static bool known_by_sysfs(struct found *f, const char *devnode, const struct v4_node *node,
			   const struct ident *id)
{
	int k = -1;

	if (!f->known || !id->from_sysfs)
		return false;
	k = known_index(f, devnode, id->serial);
	if (k < 0 && node)
		k = known_index(f, node->path, id->serial);
	if (k >= 0)
		f->seen[k] = true;
	return k >= 0;
}

/*
 * One DIMM of an ocxl bus below BUSDIR ("" if unknown); NODE is its card's
 * character device, if known.
 */
static int add_dimm(struct found *f, struct ndctl_ctx *ctx, struct ndctl_dimm *dimm,
		    const char *busdir, struct v4_node *node)
{
	const char *name = ndctl_dimm_get_devname(dimm);
	struct ocxlfs_transport *nd = NULL, *v4 = NULL;
	struct ident id = { 0 }, probed = { 0 };
	char devnode[64];
	int speaks = 0, rc;

	snprintf(devnode, sizeof(devnode), "/dev/%s", name);
	dimm_sysfs_identity(busdir, name, &id);
	if (known_by_sysfs(f, devnode, node, &id)) {
		if (node)
			node->claimed = true;
		return 0;
	}
	rc = ocxlfs_transport_ndctl_new(ctx, dimm, &nd);
	if (rc)
		return rc;
	if (ndctl_dimm_is_cmd_supported(dimm, ND_CMD_CALL)) {
		speaks = probe_identity(nd, &probed);
		if (speaks < 0)
			log_dbg("%s: passthru probe: %s", name, strerror(-speaks));
	}
	if (speaks || !node) {
		if (!speaks && !ndctl_dimm_is_cmd_supported(dimm, ND_CMD_CALL)) {
			log_warn("%s: no ND_CMD_CALL and no /dev/ocxlpmem node for its bus: "
				 "not served", name);
			ocxlfs_transport_destroy(nd);
			return 0;
		}
		/* Could not be asked (or no other way in): card_open() will say why. */
		return found_add(f, nd, name, id.from_sysfs ? &id : &probed);
	}
	node->claimed = true;
	rc = ocxlfs_transport_ioctl_v4_new(node->path, &v4);
	if (rc) {
		log_warn("%s: %s", node->path, strerror(-rc));
		ocxlfs_transport_destroy(nd);
		return rc;
	}
	log_info("%s: no passthru on %s: using %s, labels and SMART through the DIMM",
		 base_name(node->path), name, node->path);
	ocxlfs_transport_ioctl_v4_set_nd(v4, nd);
	/* The v4 transport's IDENTIFY is the same sysfs, or its class-device fallback. */
	if (!id.from_sysfs && probe_identity(v4, &probed) > 0 && probed.serial) {
		id = probed;
		id.from_sysfs = true;
	}
	return found_add(f, v4, base_name(node->path), &id);
}

/* The libnvdimm side.  Returns -ENOMEM or 0; *nbus counts the ocxl buses. */
static int scan_buses(struct found *f, struct v4_node *nodes, size_t nnodes, unsigned *nbus,
		      bool *bus_unmatched)
{
	char path[64], busdir[PATH_MAX];
	struct ndctl_ctx *ctx;
	struct ndctl_dimm *dimm;
	struct ndctl_bus *bus;
	struct v4_node *node;
	int rc;

	rc = ndctl_new(&ctx);
	if (rc) {
		/* No libnvdimm here: the character devices may still be. */
		log_dbg("libndctl: %s", strerror(rc < 0 ? -rc : ENOMEM));
		return 0;
	}
	ocxlfs_ndctl_log_setup(ctx);
	ndctl_bus_foreach(ctx, bus) {
		if (!is_ocxl_provider(ndctl_bus_get_provider(bus)))
			continue;
		(*nbus)++;
		/* libndctl's own bus path: /sys/class/nd/ndctlN/device. */
		snprintf(path, sizeof(path), "/sys/class/nd/ndctl%u/device", ndctl_bus_get_id(bus));
		if (!realpath(path, busdir)) {
			busdir[0] = '\0';
			*bus_unmatched = true;
		}
		node = node_for_bus(nodes, nnodes, busdir);
		if (node)
			node->claimed = true; /* one card per bus, whatever its DIMMs do */
		ndctl_dimm_foreach(bus, dimm) {
			rc = add_dimm(f, ctx, dimm, busdir, node);
			if (rc == -ENOMEM)
				goto out;
			if (rc)
				note_err(f, rc);
			node = NULL; /* the driver registers one DIMM per bus */
		}
	}
	rc = 0;
out:
	/* The transports hold their own references. */
	ocxlfs_ndctl_lock();
	ndctl_unref(ctx);
	ocxlfs_ndctl_unlock();
	return rc;
}

/* Fills F (whose known list, if any, is set); the entries are sorted. */
static int discover(struct found *f)
{
	struct v4_node *nodes = NULL;
	struct ocxlfs_transport *t;
	struct ident id;
	bool bus_unmatched = false;
	unsigned nbus = 0;
	size_t nnodes = 0;
	int rc;

	rc = list_v4_nodes(&nodes, &nnodes);
	if (rc)
		goto out;
	rc = scan_buses(f, nodes, nnodes, &nbus, &bus_unmatched);
	if (rc)
		goto out;
	for (size_t i = 0; i < nnodes; i++) {
		if (nodes[i].claimed)
			continue;
		/* Unpaired node: only when it cannot be a bus we already serve. */
		if (nbus && (bus_unmatched || !nodes[i].has_sysfs)) {
			log_info("%s: not paired with an nvdimm bus through sysfs: skipped",
				 nodes[i].path);
			continue;
		}
		rc = ocxlfs_transport_ioctl_v4_new(nodes[i].path, &t);
		if (rc) {
			log_warn("%s: %s", nodes[i].path, strerror(-rc));
			note_err(f, rc);
			continue;
		}
		/* Its IDENTIFY reads sysfs only. */
		memset(&id, 0, sizeof(id));
		id.from_sysfs = probe_identity(t, &id) > 0 && id.serial;
		rc = found_add(f, t, base_name(nodes[i].path), &id);
		if (rc)
			goto out;
	}
	rc = 0;
	if (!f->v) {
		/* Always hand back an array: the caller frees it like any other. */
		f->v = calloc(1, sizeof(*f->v));
		if (!f->v) {
			rc = -ENOMEM;
			goto out;
		}
	}
	qsort(f->v, f->count, sizeof(*f->v), by_name);
out:
	free(nodes);
	return rc;
}

int ocxlfs_discover(struct ocxlfs_discovered **cards, unsigned *n)
{
	struct found f = { 0 };
	int rc;

	*cards = NULL;
	*n = 0;
	rc = discover(&f);
	if (!rc && f.count == 0 && f.first_err)
		rc = f.first_err;
	if (rc) {
		ocxlfs_discover_free(f.v, f.count);
	} else {
		*cards = f.v;
		*n = f.count;
	}
	return rc;
}

int ocxlfs_rescan(const struct ocxlfs_card_key *known, unsigned nknown,
		struct ocxlfs_discovered **added, unsigned *nadded, bool *gone)
{
	struct found f = { .known = known, .nknown = nknown };
	int rc;

	*added = NULL;
	*nadded = 0;
	f.seen = calloc(nknown ? nknown : 1, sizeof(*f.seen));
	if (!f.seen)
		return -ENOMEM;
	rc = discover(&f);
	if (rc) {
		ocxlfs_discover_free(f.v, f.count);
		goto out;
	}
	for (unsigned i = 0; i < nknown; i++)
		gone[i] = !f.seen[i];
	*added = f.v;
	*nadded = f.count;
out:
	free(f.seen);
	return rc;
}

void ocxlfs_discovered_key(const struct ocxlfs_discovered *d, struct ocxlfs_card_key *key)
{
	memset(key, 0, sizeof(*key));
	if (d->t)
		snprintf(key->device, sizeof(key->device), "%s", d->t->device);
	key->serial = d->serial;
}

void ocxlfs_discover_free(struct ocxlfs_discovered *cards, unsigned n)
{
	(void)n; /* the terminating entry, not N, ends the array */
	for (struct ocxlfs_discovered *c = cards; c && (c->t || c->name[0]); c++)
		ocxlfs_transport_destroy(c->t);
	free(cards);
}
