// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
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

int ocxlfs_renameat(int fromfd, const char *from, int dirfd, const char *to)
{
	char dir[PATH_MAX];

	if (renameat(fromfd, from, dirfd, to))
		return -errno;
	if (ocxlfs_tracing()) {
		ocxlfs_trace_fd_path(dirfd, dir, sizeof(dir));
		ocxlfs_trace("rename", "%s/%s", dir, to);
	}
	return 0;
}
