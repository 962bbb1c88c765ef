/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The request a worker thread is serving, as the kernel sent it, and the
 * one notification the tree asks for from outside a request (a poll
 * wake-up).  The worker's read hook fills the first and opens the second
 * (fs/worker.c); the operations (fs/fs.c) read them.
 */
#ifndef OCXLFS_FS_REQUEST_H
#define OCXLFS_FS_REQUEST_H

#include <stdint.h>

struct worker_request {
	uint64_t unique;  /* with WIRE_UNIQUE_RESEND when sent again */
	uint64_t poll_kh; /* FUSE_POLL that asks to be woken: its kernel handle */
};

/* This thread's request. */
const struct worker_request *worker_request(void);
/* Set by the read hook, for the thread that read BUF (N bytes). */
void worker_request_note(const void *buf, long n);

/* The connection that poll wake-ups go to (the worker's /dev/fuse descriptor). */
void worker_set_connection(int fd);
/* Wakes a poll() the kernel is waiting in (any thread). */
void worker_notify_poll(uint64_t kh);

#endif /* OCXLFS_FS_REQUEST_H */
