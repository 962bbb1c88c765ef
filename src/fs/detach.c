// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fs/detach.h"
#include "util/log.h"

void ocxlfs_detach_stdio(void)
{
	int fd = open("/dev/null", O_RDWR);

	if (fd < 0) {
		log_warn("cannot open /dev/null: %s; standard streams stay open", strerror(errno));
		return;
	}
	for (int i = 0; i <= 2; i++)
		if (fd != i)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}
