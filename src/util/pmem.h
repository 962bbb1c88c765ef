/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef OCXLFS_UTIL_PMEM_H
#define OCXLFS_UTIL_PMEM_H

/*
 * A libpmem2 return code as 0 or a negative errno: pmem2 returns -errno for
 * system errors and its own codes (<= PMEM2_E_UNKNOWN) otherwise, and
 * pmem2_err_to_errno() is declared but not exported by libpmem2 1.12.
 */
int pmem2_errno(int r);

#endif /* OCXLFS_UTIL_PMEM_H */
