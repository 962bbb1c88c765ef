// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <linux/fuse.h>
#include <string.h>

#include "fs/request.h"
#include "fs/wire.h"
#include "util/log.h"

static __thread struct worker_request current;
static int connection = -1;

const struct worker_request *worker_request(void)
{
	return &current;
}

void worker_request_note(const void *buf, long n)
{
	const struct fuse_in_header *in = buf;

	current = (struct worker_request){ .unique = in->unique };
	if (in->opcode == FUSE_POLL && (size_t)n >= sizeof(*in) + sizeof(struct fuse_poll_in)) {
		const struct fuse_poll_in *p = (const void *)(in + 1);

		if (p->flags & FUSE_POLL_SCHEDULE_NOTIFY)
			current.poll_kh = p->kh;
	}
}

void worker_set_connection(int fd)
{
	connection = fd;
}

void worker_notify_poll(uint64_t kh)
{
	int rc = wire_notify_poll(connection, kh);

	/* ENOENT: nobody waits on it any more. */
	if (rc && rc != -ENOENT)
		log_dbg("poll wake-up %llu: %s", (unsigned long long)kh, strerror(-rc));
}
