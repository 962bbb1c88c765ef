// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <libpmem2.h>

#include "util/pmem.h"

int pmem2_errno(int r)
{
	if (r == PMEM2_E_NOSUPP)
		return -ENOTSUP;
	if (r <= PMEM2_E_UNKNOWN)
		return -EINVAL;
	return r; /* 0, or already -errno */
}
