// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <linux/fuse.h>
#include <string.h>
#include <sys/uio.h>

#include "fs/wire.h"

bool wire_init_has_resend(const struct wire_init *w)
{
	const struct fuse_init_in *in;
	uint32_t len = __atomic_load_n(&w->len, __ATOMIC_ACQUIRE);
	uint64_t flags;

	if (len < sizeof(struct fuse_in_header) + offsetof(struct fuse_init_in, unused))
		return false;
	in = (const struct fuse_init_in *)(w->request + sizeof(struct fuse_in_header));
	flags = in->flags;
	if (in->flags & WIRE_INIT_EXT)
		flags |= (uint64_t)in->flags2 << 32;
	return flags & WIRE_HAS_RESEND;
}

void wire_init_save(struct wire_init *w, const void *buf, size_t len)
{
	if (len > sizeof(w->request))
		len = sizeof(w->request);
	__atomic_store_n(&w->len, 0, __ATOMIC_RELEASE);
	memcpy(w->request, buf, len);
	__atomic_store_n(&w->len, (uint32_t)len, __ATOMIC_RELEASE);
}

/* One message is one write(2): the kernel takes it whole or not at all. */
static int send_message(int fd, int code_or_error, uint64_t unique, const void *body, size_t len)
{
	struct fuse_out_header oh = {
		.len = (uint32_t)(sizeof(oh) + len), .error = code_or_error, .unique = unique
	};
	struct iovec iov[2] = { { &oh, sizeof(oh) }, { (void *)body, len } };
	ssize_t n;

	do
		n = writev(fd, iov, len ? 2 : 1);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

int wire_notify_resend(int fd)
{
	return send_message(fd, WIRE_NOTIFY_RESEND, 0, NULL, 0);
}

int wire_notify_poll(int fd, uint64_t kh)
{
	const struct fuse_notify_poll_wakeup_out out = { .kh = kh };

	return send_message(fd, FUSE_NOTIFY_POLL, 0, &out, sizeof(out));
}

int wire_reply_error(int fd, uint64_t unique, int err)
{
	return send_message(fd, -err, unique, NULL, 0);
}
