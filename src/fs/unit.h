/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Running as a systemd service (systemd/ocxlfs.service.in, libsystemd):
 * readiness, and the service's file-descriptor store, which keeps the
 * /dev/fuse descriptor and the arena while the supervisor itself is
 * restarted (systemctl restart, a crash) so that the mount lives on.
 */
#ifndef OCXLFS_FS_UNIT_H
#define OCXLFS_FS_UNIT_H

#include <stdbool.h>

/* Started by a service manager that listens (NOTIFY_SOCKET). */
bool unit_managed(void);
/* STATE to the manager ("READY=1", "RELOADING=1", "STATUS=..."); nothing if unmanaged. */
void unit_notify(const char *state);
/* The descriptors are kept in the service's store, named "fuse" and "arena". */
int unit_store_fds(int fuse_fd, int arena_fd);
/*
 * The descriptors the manager passed back (LISTEN_FDS, LISTEN_FDNAMES):
 * 0 with both set, -ENOENT if it passed none.
 */
int unit_take_fds(int *fuse_fd, int *arena_fd);
/*
 * The unit's ExecStop: unless the manager is restarting the unit (then the
 * mount lives on through the store), MOUNTPOINT is unmounted.  Returns the
 * exit status.
 */
int unit_stop_main(const char *mountpoint);

/* Unmounts MOUNTPOINT lazily (as root: umount2, else fusermount3 -u -z). */
int unit_unmount(const char *mountpoint);

#endif /* OCXLFS_FS_UNIT_H */
