// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-login.h>
#include <unistd.h>

#include "config.h"
#include "fs/unit.h"
#include "util/log.h"

bool unit_managed(void)
{
	const char *s = getenv("NOTIFY_SOCKET");

	return s && *s;
}

void unit_notify(const char *state)
{
	if (unit_managed())
		sd_notify(0, state);
}

static int store_one(int fd, const char *name)
{
	char msg[64];
	int rc;

	snprintf(msg, sizeof(msg), "FDSTORE=1\nFDNAME=%s", name);
	rc = sd_pid_notify_with_fds(0, 0, msg, &fd, 1);
	if (rc <= 0) {
		log_err("service manager: cannot keep the %s descriptor: %s", name,
			rc ? strerror(-rc) : "no notification socket");
		return rc ? rc : -ENOTCONN;
	}
	return 0;
}

int unit_store_fds(int fuse_fd, int arena_fd)
{
	int rc;

	if (!unit_managed())
		return -ENOTCONN;
	rc = store_one(fuse_fd, "fuse");
	return rc ? rc : store_one(arena_fd, "arena");
}

int unit_take_fds(int *fuse_fd, int *arena_fd)
{
	char **names = NULL;
	int n = sd_listen_fds_with_names(1, &names), got = 0;

	*fuse_fd = *arena_fd = -1;
	for (int i = 0; i < n; i++) {
		int fd = SD_LISTEN_FDS_START + i;

		if (names && names[i] && !strcmp(names[i], "fuse"))
			*fuse_fd = fd, got++;
		else if (names && names[i] && !strcmp(names[i], "arena"))
			*arena_fd = fd, got++;
		else
			close(fd); /* not ours */
	}
	for (int i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
	if (*fuse_fd >= 0 && *arena_fd >= 0)
		return 0;
	if (got)
		log_err("service manager passed back only %s of the mount's descriptors",
			*fuse_fd >= 0 ? "the fuse one" : "the arena");
	if (*fuse_fd >= 0)
		close(*fuse_fd);
	if (*arena_fd >= 0)
		close(*arena_fd);
	*fuse_fd = *arena_fd = -1;
	return -ENOENT;
}

int unit_unmount(const char *mountpoint)
{
	pid_t pid;
	int status;

	if (geteuid() == 0)
		return umount2(mountpoint, MNT_DETACH) ? -errno : 0;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execlp(FUSERMOUNT_PATH, FUSERMOUNT_PATH, "-u", "-z", "-q", mountpoint, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

/*
 * The type of the job the manager runs for the unit we are part of: a
 * restart job while the unit is being restarted ("restart", also for
 * try-restart and reload-or-restart), "stop" for a stop.  sd-bus, on the
 * system bus.
 */
static int unit_job_type(char **type)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	char *unit = NULL, *unit_path = NULL;
	const char *job_path;
	sd_bus *bus = NULL;
	uint32_t job_id;
	int rc;

	rc = sd_pid_get_unit(0, &unit);
	if (rc < 0)
		goto out;
	rc = sd_bus_open_system(&bus);
	if (rc < 0)
		goto out;
	rc = sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, &unit_path);
	if (rc < 0)
		goto out;
	rc = sd_bus_get_property(bus, "org.freedesktop.systemd1", unit_path,
				 "org.freedesktop.systemd1.Unit", "Job", &err, &reply, "(uo)");
	if (rc < 0)
		goto out;
	rc = sd_bus_message_read(reply, "(uo)", &job_id, &job_path);
	if (rc < 0)
		goto out;
	if (job_id == 0) {
		rc = -ENOENT;
		goto out;
	}
	rc = sd_bus_get_property_string(bus, "org.freedesktop.systemd1", job_path,
					"org.freedesktop.systemd1.Job", "JobType", &err, type);
out:
	if (rc < 0 && err.message)
		log_warn("asking the service manager about this unit's job: %s", err.message);
	sd_bus_error_free(&err);
	sd_bus_message_unref(reply);
	sd_bus_unref(bus);
	free(unit_path);
	free(unit);
	return rc < 0 ? rc : 0;
}

int unit_stop_main(const char *mountpoint)
{
	char *type = NULL;
	int rc = unit_job_type(&type);

	if (rc == 0 && strstr(type, "restart")) {
		log_notice("%s stays mounted: the unit is being restarted (job %s), and the new "
			   "daemon takes the mount over", mountpoint, type);
		free(type);
		return 0;
	}
	/* A stop, or the manager could not say: a stop unmounts, as it always did. */
	if (rc)
		log_notice("the unit's job is unknown (%s): unmounting %s", strerror(-rc),
			   mountpoint);
	free(type);
	rc = unit_unmount(mountpoint);
	if (rc && rc != -EINVAL && rc != -ENOENT) {
		log_err("unmounting %s: %s", mountpoint, strerror(-rc));
		return 1;
	}
	return 0;
}
