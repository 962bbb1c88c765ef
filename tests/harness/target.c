// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The trapped caller's memory, as copy_from_user()/copy_to_user() see it:
 * any part that cannot be transferred is -EFAULT.
 */
#include <errno.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#include "harness.h"

static int transfer(const struct target *t, uint64_t addr, void *buf, size_t len, bool write)
{
	struct iovec local = {.iov_base = buf, .iov_len = len};
	struct iovec remote = {.iov_base = (void *)(uintptr_t)addr, .iov_len = len};
	ssize_t n;

	if (!len)
		return 0;
	if (addr + len < addr)
		return -EFAULT;
	n = write ? process_vm_writev(t->pid, &local, 1, &remote, 1, 0)
		  : process_vm_readv(t->pid, &local, 1, &remote, 1, 0);
	/* ESRCH: the caller is gone; it will never see the answer anyway. */
	return n == (ssize_t)len ? 0 : -EFAULT;
}

int target_read(const struct target *t, uint64_t addr, void *buf, size_t len)
{
	return transfer(t, addr, buf, len, false);
}

int target_write(const struct target *t, uint64_t addr, const void *buf, size_t len)
{
	return transfer(t, addr, (void *)buf, len, true);
}

int target_valid(const struct target *t)
{
	uint64_t id = t->id;

	return ioctl(t->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0 ? 0 : -ENOENT;
}
