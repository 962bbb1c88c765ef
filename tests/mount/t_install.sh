#!/bin/bash
# `make install` into a DESTDIR; then the installed systemd unit's own Exec
# lines, run without systemd the way systemd runs them (the environment
# file applied, $OCXLFS_OPTS split into words): start serves simulated
# cards at the unit's mount point, to other users too; stop unmounts with
# status 0; after a crash of every process of it, the start line clears
# the dead mount and mounts again.  `make uninstall` removes every file.  The unit's fixed
# paths (/mnt/ocxl, /var/lib/ocxlfs, /etc/default/ocxlfs) are moved into
# this test's scratch directory.
. "$(dirname "$0")/lib.sh"

[ -n "${UNITDIR:-}" ] || skip_or_fail "configured --without-systemdsystemunitdir"
BUILDDIR=$(dirname "$OCXLFS")
DEST=$WORK/dest
# Only the install targets: nothing the running test suite passes down.
mk() { env -u MAKEFLAGS -u MFLAGS "${MAKE:-make}" -s -C "$BUILDDIR" "$@"; }

mk install DESTDIR="$DEST" >"$WORK/install.log" 2>&1 ||
	fail "make install: $(tail -n 5 "$WORK/install.log")"
UNIT=$DEST$UNITDIR/ocxlfs.service
[ -f "$UNIT" ] || fail "no unit at $UNITDIR/ocxlfs.service: $(find "$DEST" -name '*.service')"
[ -n "$(find "$DEST" -path '*/man8/ocxlfs.8')" ] || fail "man page not installed"
ok "make install DESTDIR installs the binary, the man page and ${UNIT#"$DEST"}"

key() { sed -n "s/^$1=//p" "$UNIT"; }
assert_eq "-/etc/default/ocxlfs" "$(key EnvironmentFile)" "EnvironmentFile"
assert_eq ocxlfs "$(key StateDirectory)" "StateDirectory"
assert_eq on-failure "$(key Restart)" "Restart"
assert_eq "mkdir -p /mnt/ocxl" "$(key ExecStartPre)" "ExecStartPre"
assert_eq "$(key ExecStart | cut -d' ' -f1) --unit-stop=/mnt/ocxl" "$(key ExecStop)" "ExecStop"
assert_eq notify "$(key Type)" "Type"
assert_eq 4 "$(key FileDescriptorStoreMax)" "FileDescriptorStoreMax"
assert_eq 'kill -HUP $MAINPID' "$(key ExecReload)" "ExecReload"
case $(key ExecStart) in
*'@'*) fail "unsubstituted variable in ExecStart: $(key ExecStart)" ;;
*" -f "*"-o allow_other"*"--state-dir=/var/lib/ocxlfs"*'$OCXLFS_OPTS /mnt/ocxl') ;;
*) fail "unexpected ExecStart: $(key ExecStart)" ;;
esac
ok "the unit runs ocxlfs in the foreground with allow_other at /mnt/ocxl"

# ExecCondition, through sh as systemd runs it ($$ is a literal $): true
# with --simulate, false (1: skip the unit, not fail it) with neither that
# nor a card; this host has no ocxlpmem class device.
cond=$(key ExecCondition)
case $cond in
"/bin/sh -c "*) ;;
*) fail "unexpected ExecCondition: $cond" ;;
esac
script=${cond#/bin/sh -c \'}
script=${script%\'}
script=${script//\$\$/\$}
if [ -z "$(ls -A /sys/class/ocxlpmem 2>/dev/null)" ]; then
	OCXLFS_OPTS="" /bin/sh -c "$script"
	assert_eq 1 "$?" "ExecCondition without a card or --simulate"
fi
OCXLFS_OPTS="--sim-dir=/x --simulate=2" /bin/sh -c "$script" || fail "ExecCondition false with --simulate"
ok "the unit's condition skips a host without a card unless --simulate is given"

# systemd's own parser, offline: it needs the package, not a running systemd.
if command -v systemd-analyze >/dev/null; then
	# verify checks that the binary exists: it is under DESTDIR here.
	sed -e "s|^ExecStart=|&$DEST|" -e "s|^ExecStop=|&$DEST|" "$UNIT" >"$WORK/ocxlfs.service"
	systemd-analyze verify --man=no "$WORK/ocxlfs.service" >"$WORK/verify.log" 2>&1 ||
		fail "systemd-analyze verify: $(cat "$WORK/verify.log")"
	ok "systemd-analyze verify accepts the unit"
elif [ "${CI:-}" = true ]; then
	fail "no systemd-analyze (scripts/install-deps installs systemd)"
else
	echo "# no systemd-analyze: unit not verified"
fi

# An Exec line as systemd runs it: a leading "-" only ignores the status,
# an unbraced $VAR becomes the variable's words, and the unit's fixed
# paths are moved into $WORK; the installed binary is found under DESTDIR.
ENVFILE=$WORK/default-ocxlfs
printf '# as in /etc/default/ocxlfs\nOCXLFS_OPTS="--simulate=2 --sim-dir=%s"\n' "$SIM" >"$ENVFILE"
(
	set -a
	. "$ENVFILE"
	set +a
	declare -p OCXLFS_OPTS
) >"$WORK/env.sh"
. "$WORK/env.sh"
unit_cmd() { # key: sets cmd[]
	local line w name
	line=$(key "$1")
	line=${line#-}
	read -r -a words <<<"$line"
	cmd=()
	for w in "${words[@]}"; do
		case $w in
		/mnt/ocxl) cmd+=("$MNT") ;;
		--unit-stop=/mnt/ocxl) cmd+=("--unit-stop=$MNT") ;;
		--state-dir=/var/lib/ocxlfs) cmd+=("--state-dir=$STATE") ;;
		\$*)
			name=${w#\$}
			# shellcheck disable=SC2206 # word splitting is the point
			cmd+=(${!name-})
			;;
		*) cmd+=("$w") ;;
		esac
	done
	[ -x "$DEST${cmd[0]}" ] && [ "${cmd[0]#/}" != "${cmd[0]}" ] && cmd[0]=$DEST${cmd[0]}
	return 0
}

start_unit() {
	unit_cmd ExecStartPre
	"${cmd[@]}" || fail "ExecStartPre"
	unit_cmd ExecStart
	"${cmd[@]}" >>"$WORK/daemon.log" 2>&1 &
	OCXLFS_PID=$!
	for _ in $(seq 1 100); do
		# A listing, not a cached name: it needs a daemon that answers.
		mountpoint -q "$MNT" && ls "$MNT/1" >/dev/null 2>&1 && return 0
		kill -0 "$OCXLFS_PID" 2>/dev/null || fail "installed ocxlfs exited"
		sleep 0.1
	done
	fail "installed ocxlfs did not mount within 10 s"
}

# The mount point does not exist yet: ExecStartPre makes it.
rmdir "$MNT"
# Other users reach the mount only through allow_other: let them past $WORK.
chmod 0711 "$WORK"
start_unit
case ${cmd[0]} in
"$DEST"/*) ;;
*) fail "ExecStart ran ${cmd[0]}, not the installed binary" ;;
esac
assert_eq "0 1 by-serial events.json health metrics.prom sim" "$(ls "$MNT" | tr '\n' ' ' | sed 's/ $//')" "cards at the mount point"
grep -qE "^[0-9]+$" "$MNT/0/serial" || fail "serial unreadable"
opts=$(awk -v m="$MNT" '$2 == m { print $4 }' /proc/mounts)
case ,$opts, in
*,allow_other,*) ;;
*) fail "mount options lack allow_other: $opts" ;;
esac
serial=$(setpriv --reuid=65534 --regid=65534 --clear-groups cat "$MNT/0/serial") ||
	fail "user nobody cannot read serial"
assert_eq "$(cat "$MNT/0/serial")" "$serial" "serial as read by nobody"
ok "the installed ExecStart line serves two simulated cards, also to user nobody"

# systemctl stop: ExecStop unmounts and the daemon exits with status 0.
unit_cmd ExecStop
"${cmd[@]}" || fail "ExecStop"
wait "$OCXLFS_PID"
rc=$?
OCXLFS_PID=
assert_eq 0 "$rc" "exit status after ExecStop"
mountpoint -q "$MNT" && fail "still mounted after ExecStop"
ok "ExecStop unmounts and the daemon exits with status 0"

# A crash of supervisor and worker, with no service manager to keep the
# mount: a dead mount, which the next ExecStart clears before it mounts.
start_unit
kill_daemon_all
stat "$MNT/0" >/dev/null 2>&1 && fail "mount still answers after kill -9"
start_unit
assert_eq "0 1 by-serial events.json health metrics.prom sim" "$(ls "$MNT" | tr '\n' ' ' | sed 's/ $//')" "cards after the restart"
unit_cmd ExecStop
"${cmd[@]}" || fail "ExecStop after the restart"
wait "$OCXLFS_PID"
OCXLFS_PID=
ok "after kill -9 of everything, ExecStart clears the dead mount and mounts again"

mk uninstall DESTDIR="$DEST" >"$WORK/uninstall.log" 2>&1 ||
	fail "make uninstall: $(tail -n 5 "$WORK/uninstall.log")"
left=$(find "$DEST" -type f -o -type l)
[ -z "$left" ] || fail "make uninstall left: $left"
ok "make uninstall DESTDIR removes every installed file"

finish
