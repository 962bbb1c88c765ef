# Shared helpers for the mount tests (sourced by tests/mount/t_*.sh).
#
# A mount test needs root, /dev/fuse and fusermount3.  Outside CI a missing
# prerequisite skips the test (exit 77); with CI=true it fails, because a
# skipped mount test in CI proves nothing.

set -u
: "${OCXLFS:?OCXLFS must point at the ocxlfs binary}"
FUSERMOUNT=${FUSERMOUNT:-fusermount3}
T_NAME=$(basename "$0" .sh)
T_PASSED=0

skip_or_fail() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL: $T_NAME: $* (mount tests must run in CI)"
		exit 1
	fi
	echo "SKIP: $T_NAME: $*"
	exit 77
}

[ "$(id -u)" = 0 ] || skip_or_fail "not root"
[ -c /dev/fuse ] || skip_or_fail "no /dev/fuse"
command -v "$FUSERMOUNT" >/dev/null || skip_or_fail "no $FUSERMOUNT"

WORK=$(mktemp -d /tmp/ocxlfs-test.XXXXXX)
MNT=$WORK/mnt
STATE=$WORK/state
SIM=$WORK/sim
mkdir -p "$MNT" "$STATE" "$SIM"
OCXLFS_PID=

fail() {
	echo "FAIL: $T_NAME: $*"
	[ -f "$WORK/daemon.log" ] && { echo "--- daemon log:"; tail -n 30 "$WORK/daemon.log"; }
	exit 1
}

ok() {
	T_PASSED=$((T_PASSED + 1))
	echo "ok $T_PASSED - $*"
}

assert_eq() { # expected actual message
	[ "$1" = "$2" ] || fail "$3: expected '$1', got '$2'"
}

# Starts the daemon in the foreground (background job) with the given extra
# options and waits until the first card's directory is served.
# OCXLFS_WRAP, if set, is a command line the daemon runs under (valgrind).
mount_ocxlfs() {
	${OCXLFS_WRAP:-} "$OCXLFS" -f --state-dir="$STATE" --sim-dir="$SIM" "$@" "$MNT" \
		>>"$WORK/daemon.log" 2>&1 &
	OCXLFS_PID=$!
	local tries=100
	[ -n "${OCXLFS_WRAP:-}" ] && tries=600 # valgrind starts slowly
	for _ in $(seq 1 "$tries"); do
		if mountpoint -q "$MNT" && [ -e "$MNT/0/serial" ]; then
			return 0
		fi
		kill -0 "$OCXLFS_PID" 2>/dev/null || fail "ocxlfs exited during start-up"
		sleep 0.1
	done
	fail "ocxlfs did not mount within $((tries / 10)) s"
}

umount_ocxlfs() {
	[ -n "$OCXLFS_PID" ] || return 0
	"$FUSERMOUNT" -u "$MNT" 2>/dev/null || "$FUSERMOUNT" -uz "$MNT" 2>/dev/null
	wait "$OCXLFS_PID" 2>/dev/null
	local rc=$?
	OCXLFS_PID=
	return $rc
}

cleanup() {
	if [ -n "$OCXLFS_PID" ]; then
		"$FUSERMOUNT" -uz "$MNT" 2>/dev/null
		kill "$OCXLFS_PID" 2>/dev/null
		wait "$OCXLFS_PID" 2>/dev/null
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

# Every regular file below a directory, for loops over the whole tree.
tree_files() {
	find "$1" -type f | sort
}

# One write(2) of VALUE to FILE (the shell may split a value at newlines).
# Prints the error as strerror does and fails like the write did.
write_once() { # file value
	python3 -c '
import os, sys
try:
    fd = os.open(sys.argv[1], os.O_WRONLY | os.O_TRUNC)
    try:
        os.write(fd, sys.argv[2].encode())
    finally:
        os.close(fd)
except OSError as e:
    print(os.strerror(e.errno), file=sys.stderr)
    sys.exit(1)
' "$1" "$2"
}

# Steers simulated card N: sim_ctl N inject|fault VALUE writes VALUE to
# that card's sim/ control file; sim_ctl N fault (no value) prints the fault.
# Tests go through here so that the same assertions can run when the card
# is reached another way than through the mounted sim/ folder.
sim_ctl() { # card file [value]
	if [ $# -ge 3 ]; then
		printf '%s\n' "$3" >"$MNT/$1/sim/$2"
	else
		cat "$MNT/$1/sim/$2"
	fi
}

finish() {
	echo "$T_NAME: $T_PASSED passed, 0 failed"
	exit 0
}
