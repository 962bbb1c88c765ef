/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef OCXLFS_UTIL_PATH_H
#define OCXLFS_UTIL_PATH_H

#include <sys/types.h>

/* mkdir -p: creates every missing component with MODE; 0 or -errno. */
int mkdir_p(const char *path, mode_t mode);

#endif /* OCXLFS_UTIL_PATH_H */
