// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "util/durable.h"
#include "util/trace.h"

static void trace_synced(int fd)
{
	char path[PATH_MAX];

	if (!ocxlfs_tracing())
		return;
	ocxlfs_trace_fd_path(fd, path, sizeof(path));
	ocxlfs_trace("fsync", "%s", path);
}

int ocxlfs_fsync(int fd)
{
	if (fsync(fd))
		return -errno;
	trace_synced(fd);
	return 0;
}

int ocxlfs_fdatasync(int fd)
{
	if (fdatasync(fd))
		return -errno;
	trace_synced(fd);
	return 0;
}

static void trace_renamed(int dirfd, const char *to)
{
	char dir[PATH_MAX];

	if (!ocxlfs_tracing())
		return;
	ocxlfs_trace_fd_path(dirfd, dir, sizeof(dir));
	ocxlfs_trace("rename", "%s/%s", dir, to);
}

int ocxlfs_renameat(int fromfd, const char *from, int dirfd, const char *to)
{
	if (renameat(fromfd, from, dirfd, to))
		return -errno;
	trace_renamed(dirfd, to);
	return 0;
}

int ocxlfs_rename_noreplace(int dirfd, const char *from, const char *to)
{
	if (renameat2(dirfd, from, dirfd, to, RENAME_NOREPLACE)) {
		if (errno != EINVAL && errno != ENOSYS)
			return -errno;
		/* No RENAME_NOREPLACE on this filesystem: check, then rename. */
		if (!faccessat(dirfd, to, F_OK, 0))
			return -EEXIST;
		if (renameat(dirfd, from, dirfd, to))
			return -errno;
	}
	trace_renamed(dirfd, to);
	return 0;
}
