// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * sysfs reads shared by discovery and the v4 transport (see sysfs.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "transport/sysfs.h"

int ocxlfs_sysfs_read_attr(const char *dir, const char *attr, char *buf, size_t cap)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, rc = 0;

	buf[0] = '\0';
	if (snprintf(path, sizeof(path), "%s/%s", dir, attr) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, cap - 1);
	if (n < 0) {
		rc = -errno;
		n = 0;
	}
	close(fd);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return rc;
}

int ocxlfs_parse_serial(const char *text, uint64_t *serial)
{
	const char *digits = text;
	unsigned long long v;
	int base = 10;
	char *end;

	if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		digits = text + 2;
		base = 16;
	}
	/* strtoull would take a sign, spaces, and 0x again after the prefix. */
	if (!digits[0] || strspn(digits, base == 16 ? "0123456789abcdefABCDEF" : "0123456789") !=
				  strlen(digits))
		return -EINVAL;
	errno = 0;
	v = strtoull(digits, &end, base);
	if (errno || *end)
		return -EINVAL;
	*serial = v;
	return 0;
}

int ocxlfs_sysfs_identity(const char *dir, uint64_t *serial, char *fw)
{
	char val[64];

	fw[0] = '\0';
	*serial = 0;
	if (ocxlfs_sysfs_read_attr(dir, "serial", val, sizeof(val)) ||
	    ocxlfs_parse_serial(val, serial))
		return -ENOENT;
	if (ocxlfs_sysfs_read_attr(dir, "fw_version", val, sizeof(val)) == 0)
		snprintf(fw, 9, "%.8s", val);
	return 0;
}

static int first_match(const char *pattern, char *dir, size_t cap)
{
	char real[PATH_MAX];
	glob_t g;
	int rc = -ENOENT;

	if (glob(pattern, 0, NULL, &g) != 0)
		return rc;
	if (g.gl_pathc && realpath(g.gl_pathv[0], real) && strlen(real) < cap) {
		strcpy(dir, real);
		rc = 0;
	}
	globfree(&g);
	return rc;
}

int ocxlfs_sysfs_v4_nmem_dir(const char *devpath, char *dir, size_t cap)
{
	/* v4 registers the bus under the ocxlpmem class device; also try its parent. */
	static const char *const under[] = { "", "/device" };
	const char *name = strrchr(devpath, '/');
	char pattern[PATH_MAX];

	name = name ? name + 1 : devpath;
	for (size_t i = 0; i < sizeof(under) / sizeof(under[0]); i++) {
		if (snprintf(pattern, sizeof(pattern), "/sys/class/ocxlpmem/%s%s/ndbus*/nmem*", name,
			     under[i]) >= (int)sizeof(pattern))
			break;
		if (first_match(pattern, dir, cap) == 0)
			return 0;
	}
	return -ENOENT;
}
