/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The FUSE front end: libfuse3 low-level operations that translate kernel
 * requests into node-table calls (src/tree).  Nothing here talks to a card.
 */
#ifndef OCXLFS_FS_H
#define OCXLFS_FS_H

#include <fuse_lowlevel.h>
#include <stdbool.h>

struct cards;
struct tree;

struct ocxlfs {
	struct tree *tree;
	struct cards *cards;
	bool simulated;
	bool no_opendir; /* the kernel takes ENOSYS from opendir as success */
	struct fuse_session *se; /* for notifications from monitor threads */
};

extern const struct fuse_lowlevel_ops ocxlfs_ops;

/* The tree's hooks into the session (notifications, sim/plug); before serving. */
void ocxlfs_install_hooks(struct ocxlfs *fs);

/* Threads for requests: room for those parked on sick cards. */
unsigned ocxlfs_max_threads(unsigned asked, unsigned ncards);

/* Whether the caller of the request this thread serves gave up on it. */
bool ocxlfs_request_interrupted(void);

#endif /* OCXLFS_FS_H */
