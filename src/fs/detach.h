/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A daemon started in the background lets go of the terminal once it
 * serves (ocxlfs(8) DESCRIPTION): the supervisor and the first worker both
 * hold the shell's standard streams until then, so start-up errors still
 * reach it, and both must let go, or `out=$(ocxlfs ...)` never returns.
 */
#ifndef OCXLFS_FS_DETACH_H
#define OCXLFS_FS_DETACH_H

/* Standard streams on /dev/null from now on (the log's copies to stderr go there). */
void ocxlfs_detach_stdio(void);

#endif /* OCXLFS_FS_DETACH_H */
