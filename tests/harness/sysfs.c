// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The emulated sysfs and /dev of the harness, in a private mount namespace.
 *
 * What libndctl reads is fixed by the library (docs/testing.md, 1.1 item 2): buses
 * are the ndctlN entries of /sys/class/nd, each resolved through
 * /sys/dev/char/M:m/device; DIMMs and regions are directories below that
 * bus; a DIMM's node is opened by name, /dev/nmemN, and must match the
 * DIMM's dev attribute.  So the host's /sys/class, /sys/dev/char,
 * /sys/bus/nd and /dev are replaced, inside the namespace only, by copies
 * that keep every host entry and add the cards'.  Symlinks are absolute:
 * a relative one would resolve against the bind-mount point.
 *
 * Layout of card N (v4 driver: the nvdimm bus hangs below the ocxlpmem
 * class device of the card):
 *   ROOT/sys/devices/ocxlpmem/ocxlpmemN/ndbusN/{provider,commands,wait_probe}
 *     .../ndbusN/ndctl/ndctlN/{dev,device}     /sys/class/nd/ndctlN, /sys/dev/char/M:N
 *     .../ndbusN/nmemN/{dev,commands,modalias,state,...,ocxlpmem/{serial,fw_version}}
 *     .../ndbusN/regionN/[namespaceN.0/]
 *   /dev/nmemN, /dev/ocxlpmemN
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/ndctl.h>
#include <ocxlfs/passthru.h>

#include "harness.h"
#include "codec/codec.h"
#include "util/log.h"
#include "util/path.h"

/* Every node is a clone of /dev/null: harmless if a call ever got through. */
#define NODE_MAJOR 1u
#define NODE_MINOR 3u
/* A region's size is not modelled by src/sim; any plausible value will do. */
#define REGION_SIZE (256ULL << 30)
/* One memory section on ppc64, the v4 driver's unit for the label area and region. */
#define REGION_ALIGN (16u << 20)

static int path_fmt(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int path_fmt(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
	return (n < 0 || (size_t)n >= cap) ? -ENAMETOOLONG : 0;
}

/* Writes one attribute file DIR/NAME with the formatted content. */
static int attr(const char *dir, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int attr(const char *dir, const char *name, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	FILE *f;
	int rc;

	rc = path_fmt(path, sizeof(path), "%s/%s", dir, name);
	if (rc)
		goto out;
	f = fopen(path, "we");
	if (!f) {
		rc = -errno;
		goto out;
	}
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	rc = fclose(f) ? -errno : 0;
out:
	if (rc)
		log_err("harness: %s/%s: %s", dir, name, strerror(-rc));
	return rc;
}

static int link_abs(const char *target, const char *linkpath)
{
	int rc = 0;

	if (symlink(target, linkpath) < 0 && errno != EEXIST) {
		rc = -errno;
		log_err("harness: symlink %s -> %s: %s", linkpath, target, strerror(errno));
	}
	return rc;
}

static int bind_mount(const char *src, const char *dst, bool rec)
{
	int rc = 0;

	if (mount(src, dst, NULL, MS_BIND | (rec ? MS_REC : 0), NULL) < 0) {
		rc = -errno;
		log_err("harness: bind %s on %s: %s", src, dst, strerror(errno));
	}
	return rc;
}

/* The host's names for our cards must not show through the copies. */
static bool is_card_name(const char *name)
{
	return !strncmp(name, "nmem", 4) || !strncmp(name, "ndctl", 5) ||
	       !strncmp(name, "ocxlpmem", 8);
}

/* ROOT/sys/class: an empty directory per host class, bind-mounted from the host. */
static int mirror_class(const char *root)
{
	char dst[PATH_MAX], src[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int rc = 0;

	d = opendir("/sys/class");
	if (!d)
		return -errno;
	while (!rc && (de = readdir(d))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "nd") ||
		    !strcmp(de->d_name, "ocxlpmem"))
			continue;
		rc = path_fmt(dst, sizeof(dst), "%s/sys/class/%s", root, de->d_name);
		if (!rc)
			rc = path_fmt(src, sizeof(src), "/sys/class/%s", de->d_name);
		if (!rc && mkdir(dst, 0755) < 0)
			rc = -errno;
		if (!rc)
			rc = bind_mount(src, dst, false);
	}
	closedir(d);
	return rc;
}

/* ROOT/sys/dev/char: the host's M:m links, made absolute. */
static int mirror_dev_char(const char *root)
{
	char link[PATH_MAX], target[PATH_MAX], abs_target[PATH_MAX];
	struct dirent *de;
	ssize_t n;
	DIR *d;
	int rc = 0;

	d = opendir("/sys/dev/char");
	if (!d)
		return -errno;
	while (!rc && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		rc = path_fmt(link, sizeof(link), "/sys/dev/char/%s", de->d_name);
		if (rc)
			break;
		n = readlink(link, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		/* "../../devices/x" seen from /sys/dev/char is /sys/devices/x. */
		if (target[0] == '/')
			rc = path_fmt(abs_target, sizeof(abs_target), "%s", target);
		else if (!strncmp(target, "../../", 6))
			rc = path_fmt(abs_target, sizeof(abs_target), "/sys/%s", target + 6);
		else
			continue;
		if (!rc)
			rc = path_fmt(link, sizeof(link), "%s/sys/dev/char/%s", root, de->d_name);
		if (!rc)
			rc = link_abs(abs_target, link);
	}
	closedir(d);
	return rc;
}

/* ROOT/dev: the host's nodes re-made, its directories and other files bound. */
static int mirror_dev(const char *root)
{
	char dst[PATH_MAX], src[PATH_MAX], target[PATH_MAX];
	struct dirent *de;
	struct stat st;
	ssize_t n;
	DIR *d;
	int rc = 0;

	d = opendir("/dev");
	if (!d)
		return -errno;
	while (!rc && (de = readdir(d))) {
		if (de->d_name[0] == '.' || is_card_name(de->d_name))
			continue;
		rc = path_fmt(src, sizeof(src), "/dev/%s", de->d_name);
		if (!rc)
			rc = path_fmt(dst, sizeof(dst), "%s/dev/%s", root, de->d_name);
		if (rc || lstat(src, &st) < 0)
			continue;
		if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
			if (mknod(dst, st.st_mode, st.st_rdev) < 0 ||
			    chown(dst, st.st_uid, st.st_gid) < 0)
				rc = -errno;
		} else if (S_ISLNK(st.st_mode)) {
			n = readlink(src, target, sizeof(target) - 1);
			if (n >= 0) {
				target[n] = '\0';
				rc = link_abs(target, dst);
			}
		} else if (S_ISDIR(st.st_mode)) {
			rc = mkdir(dst, st.st_mode & 07777) < 0 ? -errno
								: bind_mount(src, dst, true);
		} else {
			/* A socket (/dev/log) or file: bind it onto a placeholder. */
			int fd = open(dst, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);

			if (fd < 0)
				rc = -errno;
			else
				close(fd);
			if (!rc)
				rc = bind_mount(src, dst, false);
		}
		if (rc)
			log_err("harness: /dev/%s: %s", de->d_name, strerror(-rc));
	}
	closedir(d);
	return rc;
}

/* The major of the bus entries: the kernel's "ndctl" if it has one. */
static unsigned pick_bus_major(void)
{
	char line[128], name[64];
	unsigned major, best = 254;
	bool in_char = false;
	FILE *f = fopen("/proc/devices", "re");

	if (!f)
		return best;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Character", 9))
			in_char = true;
		else if (!strncmp(line, "Block", 5))
			in_char = false;
		else if (in_char && sscanf(line, "%u %63s", &major, name) == 2 &&
			 !strcmp(name, "ndctl"))
			best = major;
	}
	fclose(f);
	return best;
}

static int mkdirs(const char *root, const char *const *rel, size_t n)
{
	char path[PATH_MAX];
	int rc = 0;

	for (size_t i = 0; !rc && i < n; i++) {
		rc = path_fmt(path, sizeof(path), "%s/%s", root, rel[i]);
		if (!rc)
			rc = mkdir_p(path, 0755);
	}
	return rc;
}

/* A fake /sys/bus/nd/drivers/X: bind and unbind accept writes, to no effect. */
static int fake_driver(const char *root, const char *name)
{
	char dir[PATH_MAX];
	int rc;

	rc = path_fmt(dir, sizeof(dir), "%s/sys/bus/nd/drivers/%s", root, name);
	if (!rc)
		rc = mkdir_p(dir, 0755);
	if (!rc)
		rc = attr(dir, "bind", "%s", "");
	if (!rc)
		rc = attr(dir, "unbind", "%s", "");
	return rc;
}

int sysfs_enter(struct harness *h)
{
	static const char *const dirs[] = {
	    "sys/class/nd",	    "sys/class/ocxlpmem", "sys/dev/char",
	    "sys/devices/ocxlpmem", "sys/bus/nd/devices", "dev",
	};
	static const char *const drivers[] = {"nvdimm", "nd_region", "nd_pmem", "nd_bus"};
	char path[PATH_MAX];
	struct stat st;
	int rc;

	h->bus_major = pick_bus_major();
	if (unshare(CLONE_NEWNS) < 0) {
		rc = -errno;
		log_err("harness: unshare(CLONE_NEWNS): %s", strerror(errno));
		goto out;
	}
	/* Nothing done in here may reach the host's mount table. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		rc = -errno;
		log_err("harness: making / private: %s", strerror(errno));
		goto out;
	}
	if (mount("ocxl-harness", h->root, "tmpfs", 0, "mode=0755") < 0) {
		rc = -errno;
		log_err("harness: tmpfs on %s: %s", h->root, strerror(errno));
		goto out;
	}
	rc = mkdirs(h->root, dirs, sizeof(dirs) / sizeof(dirs[0]));
	for (size_t i = 0; !rc && i < sizeof(drivers) / sizeof(drivers[0]); i++)
		rc = fake_driver(h->root, drivers[i]);
	if (!rc)
		rc = mirror_class(h->root);
	if (!rc)
		rc = mirror_dev_char(h->root);
	if (!rc)
		rc = mirror_dev(h->root);
	if (rc)
		goto out;

	/* Now swap them in.  /sys/bus/nd only exists if the kernel has libnvdimm. */
	rc = path_fmt(path, sizeof(path), "%s/sys/class", h->root);
	if (!rc)
		rc = bind_mount(path, "/sys/class", true);
	if (!rc)
		rc = path_fmt(path, sizeof(path), "%s/sys/dev/char", h->root);
	if (!rc)
		rc = bind_mount(path, "/sys/dev/char", false);
	if (!rc && stat("/sys/bus/nd", &st) == 0) {
		rc = path_fmt(path, sizeof(path), "%s/sys/bus/nd", h->root);
		if (!rc)
			rc = bind_mount(path, "/sys/bus/nd", true);
	}
	if (!rc)
		rc = path_fmt(path, sizeof(path), "%s/dev", h->root);
	if (!rc)
		rc = bind_mount(path, "/dev", true);
out:
	return rc;
}

/* ---- cards ---- */

struct card_paths {
	char dev[PATH_MAX];    /* ROOT/sys/devices/ocxlpmem/ocxlpmemN */
	char bus[PATH_MAX];    /* .../ndbusN */
	char ctl[PATH_MAX];    /* .../ndbusN/ndctl/ndctlN */
	char nmem[PATH_MAX];   /* .../ndbusN/nmemN */
	char region[PATH_MAX]; /* .../ndbusN/regionN */
	char ns[PATH_MAX];     /* .../regionN/namespaceN.0 */
};

static int card_paths(const struct harness *h, unsigned id, struct card_paths *p)
{
	int rc;

	rc = path_fmt(p->dev, sizeof(p->dev), "%s/sys/devices/ocxlpmem/ocxlpmem%u", h->root, id);
	if (!rc)
		rc = path_fmt(p->bus, sizeof(p->bus), "%s/ndbus%u", p->dev, id);
	if (!rc)
		rc = path_fmt(p->ctl, sizeof(p->ctl), "%s/ndctl/ndctl%u", p->bus, id);
	if (!rc)
		rc = path_fmt(p->nmem, sizeof(p->nmem), "%s/nmem%u", p->bus, id);
	if (!rc)
		rc = path_fmt(p->region, sizeof(p->region), "%s/region%u", p->bus, id);
	if (!rc)
		rc = path_fmt(p->ns, sizeof(p->ns), "%s/namespace%u.0", p->region, id);
	return rc;
}

/* The identity the driver would read at probe: IDENTIFY on the card. */
static int card_identity(struct harness_card *c, struct ocxlfs_identity *id)
{
	struct {
		struct nd_cmd_pkg pkg;
		uint8_t out[OCXLFS_PKG_OUT_HDR + 0x100];
	} q = {0};
	int rc;

	q.pkg.nd_family = OCXLFS_ND_FAMILY;
	q.pkg.nd_command = OCXLFS_CMD_IDENTIFY;
	q.pkg.nd_size_out = sizeof(q.out);
	rc = sim_card_ioctl(c->sim, ND_IOCTL_CALL, &q.pkg);
	if (!rc && (q.pkg.nd_fw_size < OCXLFS_PKG_OUT_HDR || (uint8_t)ocxlfs_get_le64(q.out)))
		rc = -EIO;
	if (!rc) {
		uint32_t len = q.pkg.nd_fw_size - OCXLFS_PKG_OUT_HDR;

		rc = ocxlfs_identity_decode(q.out + OCXLFS_PKG_OUT_HDR,
					  len < sizeof(q.out) - 8 ? len : sizeof(q.out) - 8, id);
	}
	return rc < 0 ? rc : 0;
}

static int make_node(const char *name, struct harness_card *c, ino_t *ino)
{
	char path[64];
	struct stat st;
	int rc = 0;

	snprintf(path, sizeof(path), "/dev/%s%u", name, c->id);
	unlink(path);
	if (mknod(path, S_IFCHR | 0600, makedev(NODE_MAJOR, NODE_MINOR)) < 0 ||
	    stat(path, &st) < 0) {
		rc = -errno;
		log_err("harness: %s: %s", path, strerror(errno));
		goto out;
	}
	c->node_dev = st.st_dev;
	*ino = st.st_ino;
out:
	return rc;
}

static int plug_bus(struct harness *h, const struct card_paths *p, unsigned id)
{
	char path[PATH_MAX];
	int rc;

	rc = mkdir_p(p->ctl, 0755);
	/* A bus of the v4 driver offers no bus-level commands. */
	if (!rc)
		rc = attr(p->bus, "provider", "ocxlpmem\n");
	if (!rc)
		rc = attr(p->bus, "commands", "\n");
	if (!rc)
		rc = attr(p->bus, "wait_probe", "1\n");
	if (!rc)
		rc = attr(p->ctl, "dev", "%u:%u\n", h->bus_major, id);
	if (!rc)
		rc = path_fmt(path, sizeof(path), "%s/device", p->ctl);
	if (!rc)
		rc = link_abs(p->bus, path);
	if (!rc)
		rc = path_fmt(path, sizeof(path), "%s/sys/class/nd/ndctl%u", h->root, id);
	if (!rc)
		rc = link_abs(p->ctl, path);
	if (!rc)
		rc = path_fmt(path, sizeof(path), "%s/sys/dev/char/%u:%u", h->root, h->bus_major,
			      id);
	if (!rc)
		rc = link_abs(p->ctl, path);
	if (!rc)
		rc = path_fmt(path, sizeof(path), "%s/sys/bus/nd/devices/ndbus%u", h->root, id);
	if (!rc)
		rc = link_abs(p->bus, path);
	return rc;
}

static int plug_dimm(struct harness *h, const struct card_paths *p, struct harness_card *c)
{
	struct ocxlfs_identity id = {0};
	char path[PATH_MAX], grp[PATH_MAX];
	int rc;

	rc = mkdir_p(p->nmem, 0755);
	if (!rc)
		rc = attr(p->nmem, "dev", "%u:%u\n", NODE_MAJOR, NODE_MINOR);
	/* The kernel prints each name followed by a space (libndctl relies on it). */
	if (!rc)
		rc = attr(p->nmem, "commands", "get_size get_data set_data cmd_call \n");
	if (!rc)
		rc = attr(p->nmem, "modalias", "nd:t%u\n", ND_DEVICE_DIMM);
	if (!rc)
		rc = attr(p->nmem, "state", "%s\n", c->ns_enabled ? "active" : "idle");
	if (!rc)
		rc = attr(p->nmem, "security", "unsupported\n");
	if (!rc)
		rc = attr(p->nmem, "flags", "label \n");
	if (!rc)
		rc = sysfs_sync_dimm(h, c);
	if (!rc)
		rc = path_fmt(path, sizeof(path), "%s/sys/bus/nd/devices/nmem%u", h->root, c->id);
	if (!rc)
		rc = link_abs(p->nmem, path);
	if (rc || !c->sysfs_identity)
		goto out;
	/* v4 24/25: serial (decimal) and fw_version in the DIMM's "ocxlpmem" group. */
	rc = card_identity(c, &id);
	if (!rc)
		rc = path_fmt(grp, sizeof(grp), "%s/ocxlpmem", p->nmem);
	if (!rc)
		rc = mkdir_p(grp, 0755);
	if (!rc)
		rc = attr(grp, "serial", "%llu\n", (unsigned long long)id.serial);
	if (!rc)
		rc = attr(grp, "fw_version", "%.8s\n", id.fw_version);
out:
	return rc;
}

static int plug_region(struct harness *h, const struct card_paths *p, struct harness_card *c)
{
	char path[PATH_MAX];
	int rc;

	rc = mkdir_p(p->region, 0755);
	if (!rc)
		rc = attr(p->region, "size", "%llu\n", REGION_SIZE);
	if (!rc)
		rc = attr(p->region, "mappings", "1\n");
	if (!rc)
		rc = attr(p->region, "mapping0", "nmem%u,0,%llu,0\n", c->id, REGION_SIZE);
	if (!rc)
		rc = attr(p->region, "nstype", "%u\n", ND_DEVICE_NAMESPACE_PMEM);
	/* v4 uses the card's serial as the interleave-set cookie. */
	if (!rc)
		rc = attr(p->region, "set_cookie", "%#llx\n",
			  (unsigned long long)sim_card_serial(c->sim));
	if (!rc)
		rc = attr(p->region, "read_only", "0\n");
	if (!rc)
		rc = attr(p->region, "modalias", "nd:t%u\n", ND_DEVICE_REGION_PMEM);
	if (!rc)
		rc = attr(p->region, "numa_node", "-1\n");
	if (!rc)
		rc = attr(p->region, "align", "%u\n", REGION_ALIGN);
	if (!rc)
		rc = attr(p->region, "available_size", "%llu\n", c->ns_enabled ? 0 : REGION_SIZE);
	if (!rc)
		rc = path_fmt(path, sizeof(path), "%s/sys/bus/nd/devices/region%u", h->root, c->id);
	if (!rc)
		rc = link_abs(p->region, path);
	if (!rc)
		rc = sysfs_sync_namespace(h, c);
	return rc;
}

/* Removes a directory tree we made (plain files, links and directories). */
static void rm_tree(const char *path)
{
	struct dirent *de;
	char sub[PATH_MAX];
	DIR *d;

	if (unlink(path) == 0 || errno == ENOENT)
		return;
	d = opendir(path);
	if (d) {
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			if (path_fmt(sub, sizeof(sub), "%s/%s", path, de->d_name) == 0)
				rm_tree(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

static void rm_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void rm_fmt(const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(path))
		rm_tree(path);
}

int sysfs_sync_dimm(struct harness *h, struct harness_card *c)
{
	struct card_paths p;
	char link[PATH_MAX], target[PATH_MAX];
	int rc;

	/* "Enabled" is what libndctl checks: the driver link exists. */
	rc = card_paths(h, c->id, &p);
	if (!rc)
		rc = path_fmt(link, sizeof(link), "%s/driver", p.nmem);
	if (rc)
		return rc;
	unlink(link);
	if (c->dimm_disabled)
		return 0;
	rc = path_fmt(target, sizeof(target), "%s/sys/bus/nd/drivers/nvdimm", h->root);
	return rc ? rc : link_abs(target, link);
}

int sysfs_sync_namespace(struct harness *h, struct harness_card *c)
{
	struct card_paths p;
	char link[PATH_MAX], target[PATH_MAX];
	int rc;

	rc = card_paths(h, c->id, &p);
	if (rc)
		goto out;
	rc = attr(p.nmem, "state", "%s\n", c->ns_enabled ? "active" : "idle");
	/* The namespace takes the whole region. */
	if (!rc)
		rc = attr(p.region, "available_size", "%llu\n", c->ns_enabled ? 0 : REGION_SIZE);
	rm_tree(p.ns);
	rm_fmt("%s/driver", p.region);
	rm_fmt("%s/sys/bus/nd/devices/namespace%u.0", h->root, c->id);
	if (rc || !c->ns_enabled)
		goto out;
	/* Enabled: the region is active (its DIMM busy) and holds one fsdax namespace. */
	rc = path_fmt(link, sizeof(link), "%s/driver", p.region);
	if (!rc)
		rc = path_fmt(target, sizeof(target), "%s/sys/bus/nd/drivers/nd_region", h->root);
	if (!rc)
		rc = link_abs(target, link);
	if (!rc)
		rc = mkdir_p(p.ns, 0755);
	if (!rc)
		rc = attr(p.ns, "nstype", "%u\n", ND_DEVICE_NAMESPACE_PMEM);
	if (!rc)
		rc = attr(p.ns, "size", "%llu\n", REGION_SIZE);
	if (!rc)
		rc = attr(p.ns, "force_raw", "0\n");
	if (!rc)
		rc = attr(p.ns, "numa_node", "-1\n");
	if (!rc)
		rc = attr(p.ns, "alt_name", "\n");
	if (!rc)
		rc = attr(p.ns, "uuid", "6f637866-732d-6861-726e-6573732d%04x\n", c->id & 0xFFFF);
	if (!rc)
		rc = attr(p.ns, "mode", "raw\n");
	if (!rc)
		rc = attr(p.ns, "holder", "\n");
	if (!rc)
		rc = attr(p.ns, "modalias", "nd:t%u\n", ND_DEVICE_NAMESPACE_PMEM);
	if (!rc)
		rc = path_fmt(link, sizeof(link), "%s/driver", p.ns);
	if (!rc)
		rc = path_fmt(target, sizeof(target), "%s/sys/bus/nd/drivers/nd_pmem", h->root);
	if (!rc)
		rc = link_abs(target, link);
	if (!rc)
		rc = path_fmt(link, sizeof(link), "%s/sys/bus/nd/devices/namespace%u.0", h->root,
			      c->id);
	if (!rc)
		rc = link_abs(p.ns, link);
out:
	return rc;
}

int sysfs_plug(struct harness *h, struct harness_card *c)
{
	struct card_paths p;
	char path[PATH_MAX];
	int rc;

	rc = card_paths(h, c->id, &p);
	if (!rc)
		rc = mkdir_p(p.dev, 0755);
	if (!rc)
		rc = attr(p.dev, "dev", "%u:%u\n", NODE_MAJOR, NODE_MINOR);
	if (!rc)
		rc = path_fmt(path, sizeof(path), "%s/sys/class/ocxlpmem/ocxlpmem%u", h->root,
			      c->id);
	if (!rc)
		rc = link_abs(p.dev, path);
	if (!rc)
		rc = plug_bus(h, &p, c->id);
	if (!rc)
		rc = plug_dimm(h, &p, c);
	if (!rc)
		rc = plug_region(h, &p, c);
	/* Nodes last: a node appears once its sysfs is complete, as with udev. */
	if (!rc)
		rc = make_node("ocxlpmem", c, &c->v4_ino);
	if (!rc)
		rc = make_node("nmem", c, &c->nmem_ino);
	if (rc) {
		sysfs_unplug(h, c);
		goto out;
	}
	c->plugged = true;
out:
	return rc;
}

void sysfs_unplug(struct harness *h, struct harness_card *c)
{
	char path[64];

	/* Nodes first: nobody may open a card whose sysfs is going away. */
	snprintf(path, sizeof(path), "/dev/nmem%u", c->id);
	unlink(path);
	snprintf(path, sizeof(path), "/dev/ocxlpmem%u", c->id);
	unlink(path);
	for (unsigned i = 0; i < 2; i++) {
		ino_t ino = i ? c->v4_ino : c->nmem_ino;

		if (!ino)
			continue;
		h->retired_dev = c->node_dev;
		h->retired[h->retired_next++ % HARNESS_RETIRED] = ino;
	}
	c->nmem_ino = 0;
	c->v4_ino = 0;
	rm_fmt("%s/sys/class/nd/ndctl%u", h->root, c->id);
	rm_fmt("%s/sys/dev/char/%u:%u", h->root, h->bus_major, c->id);
	rm_fmt("%s/sys/class/ocxlpmem/ocxlpmem%u", h->root, c->id);
	rm_fmt("%s/sys/bus/nd/devices/ndbus%u", h->root, c->id);
	rm_fmt("%s/sys/bus/nd/devices/nmem%u", h->root, c->id);
	rm_fmt("%s/sys/bus/nd/devices/region%u", h->root, c->id);
	rm_fmt("%s/sys/bus/nd/devices/namespace%u.0", h->root, c->id);
	rm_fmt("%s/sys/devices/ocxlpmem/ocxlpmem%u", h->root, c->id);
	c->plugged = false;
}
