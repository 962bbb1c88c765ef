/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What ocxlfs says to /dev/fuse itself, beside libfuse: the kernel's
 * FUSE_INIT kept in the arena for the next worker, the notifications a
 * worker sends when it takes over (resend, poll wake-ups), and the plain
 * error answers of the supervisor while no worker can run.
 *
 * The installed kernel headers may predate Linux 6.9: the resend
 * notification and its flags are defined here, from the kernel's ABI.
 */
#ifndef OCXLFS_FS_WIRE_H
#define OCXLFS_FS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Linux 6.9: re-queue every request a dead server had read. */
#define WIRE_NOTIFY_RESEND 7
/* ... they come back with this bit set in their unique. */
#define WIRE_UNIQUE_RESEND (1ull << 63)
/* FUSE_INIT's flags (flags | flags2 << 32): the kernel has the resend notification. */
#define WIRE_HAS_RESEND (1ull << 39)
#define WIRE_INIT_EXT (1u << 30)

/* The kernel's FUSE_INIT request, for a worker that did not read it (ARENA_SEC_INIT). */
#define WIRE_INIT_MAX 512
struct wire_init {
	uint32_t len; /* published after the bytes: 0 while none */
	uint32_t pad;
	uint8_t request[WIRE_INIT_MAX];
};

/* Whether the kernel that sent the FUSE_INIT of W re-queues requests (WIRE_HAS_RESEND). */
bool wire_init_has_resend(const struct wire_init *w);
/* Keeps the FUSE_INIT request BUF (LEN bytes) in W; publishes it last. */
void wire_init_save(struct wire_init *w, const void *buf, size_t len);

/* One notification or answer, whole, to the connection FD: 0 or -errno. */
int wire_notify_resend(int fd);
int wire_notify_poll(int fd, uint64_t kh);
int wire_reply_error(int fd, uint64_t unique, int err);

#endif /* OCXLFS_FS_WIRE_H */
