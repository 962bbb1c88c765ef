/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One way to keep a file durable with libpmem2, shared by the journal and
 * the simulator's state file.
 *
 * - Every byte is allocated before it is mapped (posix_fallocate): a store
 *   into a hole of a full file system, or a read fault on one on tmpfs, is
 *   SIGBUS, where an allocation is a clean -ENOSPC.
 * - Writes and persists return -errno.  On page-granularity mappings
 *   (anything but DAX), libpmem2's own persist calls msync and abort()s
 *   when it fails, so there writes go through pwrite and persists through
 *   fdatasync; on DAX they are stores and a CPU cache flush, which cannot
 *   fail.
 */
#ifndef OCXLFS_UTIL_PMEM_H
#define OCXLFS_UTIL_PMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <libpmem2.h>

struct ocxlfs_pmem {
	int fd;	       /* the caller's; never closed here */
	uint8_t *base; /* the mapping: size bytes */
	size_t size;
	bool dax; /* stores are persisted by a cache flush (byte or cache-line granularity) */
	struct pmem2_map *map;
	pmem2_memcpy_fn memcpy_fn;
	pmem2_persist_fn persist_fn;
};

/*
 * Allocates [0, size) of FD (growing the file to size if it is shorter,
 * and then making the new length durable) and maps it whole.  WHAT names
 * the file in the log.  0 or -errno.
 */
int ocxlfs_pmem_map(struct ocxlfs_pmem *pm, int fd, size_t size, const char *what);
/*
 * Allocates the file up to SIZE, makes the new size durable, and maps it
 * again (the new mapping is in place before the old goes).  On failure the
 * old mapping stays as it was.
 */
int ocxlfs_pmem_grow(struct ocxlfs_pmem *pm, size_t size, const char *what);
void ocxlfs_pmem_unmap(struct ocxlfs_pmem *pm);
/* Stores LEN bytes at OFF (not yet durable).  0 or -errno. */
int ocxlfs_pmem_write(struct ocxlfs_pmem *pm, size_t off, const void *src, size_t len);
/* The same for pieces stored back to back from OFF. */
int ocxlfs_pmem_writev(struct ocxlfs_pmem *pm, size_t off, const struct iovec *iov, int n);
/* Makes [off, off + len) durable, stores through base included.  0 or -errno. */
int ocxlfs_pmem_persist(struct ocxlfs_pmem *pm, size_t off, size_t len);

/*
 * posix_fallocate(), as 0 or -errno: the blocks of [off, off + len) exist
 * afterwards (the file grows if it was shorter).
 */
int ocxlfs_file_allocate(int fd, off_t off, off_t len);

/*
 * A libpmem2 return code as 0 or a negative errno: pmem2 returns -errno for
 * system errors and its own codes (<= PMEM2_E_UNKNOWN) otherwise, and
 * pmem2_err_to_errno() is declared but not exported by libpmem2 1.12.
 */
int ocxlfs_pmem_errno(int r);

#endif /* OCXLFS_UTIL_PMEM_H */
