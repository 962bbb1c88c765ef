/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The calls that make bytes in the state directory durable, and the rename
 * that puts a finished file under its name.  Each does the call and, once
 * it returned success, says so in the trace (util/trace.h): a test reads
 * the trace to prove that the card is told only after the flush.
 */
#ifndef OCXLFS_UTIL_DURABLE_H
#define OCXLFS_UTIL_DURABLE_H

/* fsync(2) of a file or directory: 0 or -errno. */
int ocxlfs_fsync(int fd);
/* fdatasync(2): 0 or -errno. */
int ocxlfs_fdatasync(int fd);
/* renameat(2) of FROM (relative to FROMFD) to TO in directory DIRFD: 0 or -errno. */
int ocxlfs_renameat(int fromfd, const char *from, int dirfd, const char *to);
/*
 * The same within one directory, failing with -EEXIST rather than replacing
 * TO (RENAME_NOREPLACE, or a check first where the filesystem lacks it).
 */
int ocxlfs_rename_noreplace(int dirfd, const char *from, const char *to);

#endif /* OCXLFS_UTIL_DURABLE_H */
