/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The worker: the process that serves the connection the supervisor holds
 * (docs/architecture.md section 5).  It is this binary started again with
 * the hidden --worker=FUSE-FD,ARENA-FD,READY-FD; it opens the cards, takes
 * over the arena, and reads /dev/fuse through libfuse with its own read
 * and write hooks:
 *   - a worker that did not read the kernel's FUSE_INIT (every one after
 *     the first) hands libfuse the one kept in the arena and swallows
 *     libfuse's answer, so the kernel sees no second INIT;
 *   - it first asks the kernel to send again every request the previous
 *     worker had read and not answered (FUSE_NOTIFY_RESEND, Linux 6.9);
 *   - it wakes every poll() the previous worker was to wake.
 * SIGTERM, SIGINT or SIGHUP stop it: the requests it already read are
 * answered, it reads no more, and it exits with OCXLFS_EXIT_STOPPED.
 */
#ifndef OCXLFS_FS_WORKER_H
#define OCXLFS_FS_WORKER_H

#include <fuse_lowlevel.h>
#include <stdint.h>

struct options;

/* How a worker ends: what the supervisor does next depends on it. */
enum {
	OCXLFS_EXIT_UNMOUNTED = 0,	/* the connection is gone: the mount was unmounted */
	OCXLFS_EXIT_STOPPED = 10,	/* asked to stop (an upgrade, a stop) */
	OCXLFS_EXIT_ARENA_VERSION = 11, /* the arena was laid out by another version */
	OCXLFS_EXIT_START = 12,		/* could not start serving (no card, state directory) */
};

/* ARGS and CMD as parsed by main(); returns the exit status. */
int worker_main(struct fuse_args *args, const struct options *opt,
		const struct fuse_cmdline_opts *cmd);

#endif /* OCXLFS_FS_WORKER_H */
