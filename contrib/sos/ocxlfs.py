# SPDX-License-Identifier: LGPL-2.1-or-later
# sos plugin for ocxlfs: the tree of every ocxlfs mount (OpenCAPI
# persistent-memory cards as files), the daemon's log and version.
# Installed into sos's plugin package (sos/report/plugins/), where
# `sos report` and `sos collect` find it; written for sos 4.0 (Debian 12).

import os
import re

from sos.report.plugins import Plugin, DebianPlugin, UbuntuPlugin, RedHatPlugin


def ocxlfs_mounts():
    """Mount points of every ocxlfs mount (fuse.ocxlfs in /proc/mounts)."""
    mounts = []
    try:
        with open("/proc/mounts") as f:
            for line in f:
                fields = line.split()
                if len(fields) > 2 and fields[2] == "fuse.ocxlfs":
                    # /proc/mounts escapes space, tab, newline and backslash in octal.
                    mounts.append(re.sub(r"\\([0-7]{3})",
                                         lambda m: chr(int(m.group(1), 8)), fields[1]))
    except OSError:
        pass
    return mounts


def running_daemons():
    """The executables of the ocxlfs processes running now."""
    exes = set()
    for pid in os.listdir("/proc"):
        try:
            with open("/proc/%s/comm" % pid) as f:
                if f.read().strip() != "ocxlfs":
                    continue
            exes.add(os.readlink("/proc/%s/exe" % pid).replace(" (deleted)", ""))
        except (OSError, ValueError):
            continue
    return sorted(e for e in exes if os.access(e, os.X_OK))


class Ocxlfs(Plugin, DebianPlugin, UbuntuPlugin, RedHatPlugin):

    short_desc = "OpenCAPI persistent-memory cards served by ocxlfs"
    plugin_name = "ocxlfs"
    profiles = ("storage", "hardware")
    services = ("ocxlfs",)

    # Controller dumps can be 1 GiB each: only on request.
    option_list = [
        ("dumps", "also collect each card's controller_dump", "slow", False),
    ]

    def check_enabled(self):
        return bool(ocxlfs_mounts()) or super(Ocxlfs, self).check_enabled()

    def setup(self):
        # The whole tree: every card's files, by-serial/ and the root-level
        # files.  A file held open by anyone shows everyone the same snapshot
        # (docs/tree.md section 3.2, rule 4); sizes are exact, so a copy is
        # whole.  The size limit of sos's logs does not apply: only dumps are
        # large, and those are opted into.
        unusable = []
        for mnt in ocxlfs_mounts():
            # A daemon killed without unmounting leaves a dead mount
            # ("Transport endpoint is not connected"): say so, go on.
            try:
                os.listdir(mnt)
            except OSError as e:
                unusable.append("%s: %s\n" % (mnt, e.strerror))
                continue
            if not self.get_option("dumps"):
                self.add_forbidden_path(mnt.rstrip("/") + "/*/controller_dump")
            # sos walks the tree here; a mount that goes away or a card
            # that vanishes meanwhile must not cost the other mounts.
            try:
                self.add_copy_spec(mnt, sizelimit=0)
            except OSError as e:
                unusable.append("%s: %s\n" % (mnt, e.strerror or e))
        if unusable:
            self.add_string_as_file("".join(unusable), "unusable_mounts")

        self.add_copy_spec("/etc/default/ocxlfs")
        # The binary on PATH, and each running daemon's own (it may be an
        # older one still running after an upgrade).
        self.add_cmd_output("ocxlfs --version", suggest_filename="ocxlfs_--version")
        for exe in running_daemons():
            self.add_cmd_output(exe + " --version",
                                suggest_filename="ocxlfs_--version_of_" +
                                exe.strip("/").replace("/", "_"))
        # The daemon's log: the unit's journal, or syslog when it runs elsewhere.
        self.add_journal(units="ocxlfs")
        self.add_journal(identifier="ocxlfs")
        for log in ("/var/log/syslog", "/var/log/daemon.log"):
            if os.path.exists(log):
                self.add_cmd_output("grep -a ocxlfs " + log,
                                    suggest_filename="grep_ocxlfs_" + log.split("/")[-1])

# vim: set et ts=4 sw=4 :
