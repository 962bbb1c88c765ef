/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The supervisor: the ocxlfs a user (or systemd) starts.  It mounts, keeps
 * the /dev/fuse descriptor and the arena (util/arena.h), and runs the
 * serving worker (fs/worker.h), the same binary started again from its
 * path on disk.  When the worker dies a new one serves the same
 * connection; SIGHUP (systemctl reload) starts the supervisor itself again
 * from the binary on disk, keeping both descriptors, and so upgrades it
 * without unmounting.  A worker that keeps crashing (OCXLFS_CRASH_LIMIT
 * times in OCXLFS_CRASH_WINDOW_S seconds: it could not start, or it failed
 * by itself, anything but SIGKILL after it served) leaves the mount
 * answering EIO until the next good start.  docs/architecture.md section 5 has the whole story.
 */
#ifndef OCXLFS_FS_SUPERVISOR_H
#define OCXLFS_FS_SUPERVISOR_H

#include <fuse_lowlevel.h>

struct options;

#define OCXLFS_CRASH_LIMIT 5
#define OCXLFS_CRASH_WINDOW_S 10
/* While answering EIO, a worker is tried again this often. */
#define OCXLFS_CRASH_RETRY_S 60
/* A worker asked to stop that has not after this long is killed. */
#define OCXLFS_STOP_GRACE_S 10

/*
 * Exit status of a supervisor stopped by SIGTERM under systemd while the
 * mount lives on in the service's descriptor store: systemd starts it
 * again (the unit's RestartForceExitStatus) and the new one takes over.
 */
#define OCXLFS_EXIT_KEPT 75

/* ARGV is the command line as given: what workers and a re-exec are started with. */
int supervisor_main(struct fuse_args *args, const struct options *opt,
		    const struct fuse_cmdline_opts *cmd, int argc, char **argv);

#endif /* OCXLFS_FS_SUPERVISOR_H */
