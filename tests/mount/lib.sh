# Shared helpers for the mount tests (sourced by tests/mount/t_*.sh).
#
# A mount test needs root, /dev/fuse and fusermount3.  Outside CI a missing
# prerequisite skips the test (exit 77); with CI=true it fails, because a
# skipped mount test in CI proves nothing.
#
# OCXLFS_BACKEND chooses how the cards are reached (docs/testing.md):
#   sim     (default) ocxlfs --simulate: the daemon's own simulated cards;
#   kernel  the whole test re-runs itself under tests/harness/ocxl-harness,
#           where the same simulated cards sit behind an emulated sysfs and
#           /dev/nmemN, and ocxlfs finds them with libndctl and talks to them
#           with ND_IOCTL_CALL like to real cards.
# The helpers below hide the difference: mount_ocxlfs takes the --simulate
# options in both cases, sim_ctl steers a card in both cases.

set -u
: "${OCXLFS:?OCXLFS must point at the ocxlfs binary}"
# How much slower than a plain build the daemon runs here.  Deadlines are
# hang guards, never measurements (docs/testing.md): each is a plain
# build's generous bound times this.  OCXLFS_SANITIZER is what configure
# built with (make check passes it); OCXLFS_WRAP runs the daemon under
# valgrind.
case ${OCXLFS_SANITIZER:-} in
thread) SLOWDOWN=6 ;;
address) SLOWDOWN=3 ;;
*) SLOWDOWN=1 ;;
esac
[ -n "${OCXLFS_WRAP:-}" ] && SLOWDOWN=$((SLOWDOWN * 10))
FUSERMOUNT=${FUSERMOUNT:-fusermount3}
OCXLFS_BACKEND=${OCXLFS_BACKEND:-sim}
T_NAME=$(basename "$0" .sh)
[ "$OCXLFS_BACKEND" = sim ] || T_NAME="${T_NAME}[${OCXLFS_BACKEND}]"
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

# True when the cards are ocxlfs's own (--simulate): only then does a card
# directory have its sim/ folder.  Guard lines that test sim/ itself.
backend_is_sim() {
	[ "$OCXLFS_BACKEND" = sim ]
}

# What a card's info file says under "transport:" for this backend.
backend_transport() {
	if backend_is_sim; then echo simulator; else echo ndctl; fi
}

case $OCXLFS_BACKEND in
sim) ;;
kernel)
	OCXL_HARNESS_BIN=${OCXL_HARNESS_BIN:-$(dirname "$OCXLFS")/tests/harness/ocxl-harness}
	export OCXL_HARNESS_BIN
	if [ -z "${OCXL_HARNESS:-}" ]; then
		[ -x "$OCXL_HARNESS_BIN" ] || skip_or_fail "no harness at $OCXL_HARNESS_BIN"
		probe=$("$OCXL_HARNESS_BIN" -- true 2>&1) ||
			skip_or_fail "the harness cannot run here: $probe"
		# From here on the test runs inside the harness's namespace.
		exec "$OCXL_HARNESS_BIN" -- "${BASH:-bash}" "$0" "$@"
	fi
	;;
*)
	echo "FAIL: $T_NAME: unknown OCXLFS_BACKEND '$OCXLFS_BACKEND' (sim or kernel)"
	exit 1
	;;
esac

# The harness's control verbs (tests/harness/main.c); kernel backend only.
harness_ctl() {
	"$OCXL_HARNESS_BIN" ctl "$@"
}

WORK=$(mktemp -d /tmp/ocxlfs-test.XXXXXX)
MNT=$WORK/mnt
STATE=$WORK/state
SIM=$WORK/sim
mkdir -p "$MNT" "$STATE" "$SIM"
OCXLFS_PID=

fail() {
	echo "FAIL: $T_NAME: $*"
	[ -f "$WORK/daemon.log" ] && { echo "--- daemon log:"; tail -n 30 "$WORK/daemon.log"; }
	# Sanitizer reports, whole: the tail above has only the last one's end.
	[ -f "$WORK/daemon.log" ] && grep -q '^WARNING: ThreadSanitizer\|^==[0-9]*==ERROR' "$WORK/daemon.log" &&
		{ echo "--- sanitizer reports:"; grep -v '^ocxlfs: ' "$WORK/daemon.log" | head -n 300; }
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
# Under the kernel backend the --simulate=N and --sim-* options become the
# harness's card setup (same state directory, same cards), and the daemon
# starts without them, so it discovers the cards like real ones.
mount_ocxlfs() {
	if backend_is_sim; then
		${OCXLFS_WRAP:-} "$OCXLFS" -f --state-dir="$STATE" --sim-dir="$SIM" "$@" "$MNT" \
			>>"$WORK/daemon.log" 2>&1 &
	else
		local a n=0 dir=$SIM
		local -a setup=() pass=()
		for a in "$@"; do
			case $a in
			--simulate=*) n=${a#*=} ;;
			--sim-dir=*) dir=${a#*=} ;;
			--sim-label-size=*) setup+=("label-size=${a#*=}") ;;
			--sim-dump-size=*) setup+=("dump-size=${a#*=}") ;;
			--sim-errlogs=*) setup+=("errlogs=${a#*=}") ;;
			--sim-latency-us=*) setup+=("latency-us=${a#*=}") ;;
			--sim-erase-ms=*) setup+=("erase-ms=${a#*=}") ;;
			*) pass+=("$a") ;;
			esac
		done
		# HARNESS_SETUP: more setup keys (flavour=v4, ...) for harness-only tests.
		# shellcheck disable=SC2086
		harness_ctl setup "$n" dir="$dir" "${setup[@]}" ${HARNESS_SETUP:-} ||
			fail "harness card setup"
		# HARNESS_UNPLUGGED: cards that are not there when the daemon starts.
		for a in ${HARNESS_UNPLUGGED:-}; do
			harness_ctl unplug "$a" || fail "harness unplug $a"
		done
		${OCXLFS_WRAP:-} "$OCXLFS" -f --state-dir="$STATE" "${pass[@]}" "$MNT" \
			>>"$WORK/daemon.log" 2>&1 &
	fi
	OCXLFS_PID=$!
	wait_until -t 10 'mountpoint -q "$MNT" && [ -e "$MNT/0/serial" ] ||
		{ kill -0 "$OCXLFS_PID" 2>/dev/null || fail "ocxlfs exited during start-up"; false; }'
}

# The worker serving the mount now: the one child of the supervisor
# ($OCXLFS_PID), which holds the mount (docs/architecture.md section 5).
worker_pid() {
	pgrep -P "$OCXLFS_PID" 2>/dev/null | head -n 1
}

# Waits until a worker other than OLD serves (after one died): its pid in $WORKER.
wait_worker() { # [old]
	local _
	for _ in $(seq 1 300); do
		WORKER=$(worker_pid)
		# metrics.prom's attributes are never cached: this asks the worker itself.
		if [ -n "$WORKER" ] && [ "$WORKER" != "${1:-}" ] &&
			stat "$MNT/metrics.prom" >/dev/null 2>&1 && [ "$(worker_pid)" = "$WORKER" ]; then
			return 0
		fi
		sleep 0.1
	done
	fail "no worker serves after ${1:-start}"
}

# SIGKILL to the supervisor and its worker together: everything that holds
# the connection is gone, as after a crash of a daemon without systemd.
kill_daemon_all() {
	local w
	w=$(worker_pid)
	kill -KILL "$OCXLFS_PID" ${w:+"$w"} 2>/dev/null
	wait "$OCXLFS_PID" 2>/dev/null
	while [ -n "$w" ] && kill -0 "$w" 2>/dev/null; do sleep 0.05; done
	OCXLFS_PID=
}

umount_ocxlfs() {
	[ -n "$OCXLFS_PID" ] || return 0
	"$FUSERMOUNT" -u "$MNT" 2>/dev/null || "$FUSERMOUNT" -uz "$MNT" 2>/dev/null
	wait "$OCXLFS_PID" 2>/dev/null
	local rc=$?
	OCXLFS_PID=
	# The cards go with the daemon, as simulated ones do: the next mount resets them.
	backend_is_sim || harness_ctl teardown || fail "harness teardown"
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

# The state directory on a tmpfs of its own (SIZE), so a test can fill it;
# unmounted after the daemon at exit.
cleanup_statefs() {
	if [ -n "$OCXLFS_PID" ]; then
		"$FUSERMOUNT" -uz "$MNT" 2>/dev/null
		kill "$OCXLFS_PID" 2>/dev/null
		wait "$OCXLFS_PID" 2>/dev/null
		OCXLFS_PID=
	fi
	umount -l "$FSMNT" 2>/dev/null
	cleanup
}
state_on_tmpfs() { # size
	FSMNT=$WORK/statefs
	trap cleanup_statefs EXIT
	mkdir -p "$FSMNT"
	mount -t tmpfs -o size="$1",mode=0700 ocxlfs-test "$FSMNT" || fail "cannot mount a tmpfs"
	STATE=$FSMNT
}

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

# Steers simulated card N: sim_ctl N inject|fault|namespace VALUE writes
# VALUE to that card's sim/ control file; sim_ctl N fault (no value) prints
# the fault.  Tests go through here so that the same assertions can run
# when the card is reached another way than through the mounted sim/
# folder: under the kernel backend the harness applies the same keywords
# to the card behind /dev/nmemN (and a namespace change also shows in the
# emulated sysfs).  Steering that fails fails the test: a test that meant
# to hang a card and did not proves nothing.  sim_try does the same and
# only returns the status (for values a test expects to be refused), with
# the error's text on stderr.
sim_try() { # card file [value]
	if ! backend_is_sim; then
		harness_ctl "$2" "$1" ${3+"$3"}
	elif [ $# -ge 3 ]; then
		printf '%s\n' "$3" >"$MNT/$1/sim/$2"
	else
		cat "$MNT/$1/sim/$2"
	fi
}

sim_ctl() { # card file [value]
	sim_try "$@" 2>"$WORK/sim_ctl.err" ||
		fail "steering card $1: $2${3+ '$3'}: $(cat "$WORK/sim_ctl.err")"
}

# Scales a plain build's bound in seconds for this build (SLOWDOWN).
scaled() { # seconds
	echo $(($1 * SLOWDOWN))
}

# wait_until [-t SECONDS] CONDITION: evaluates the shell CONDITION every
# 0.1 s until it holds, else fails the test after SECONDS (default 30)
# times SLOWDOWN.  For what a card does on its own (an entry or dump it
# posts shows up after the monitor's next pass or the next snapshot
# refresh) and for whatever a test waits for: the deadline only guards
# against a hang, it never measures.
wait_until() { # [-t seconds] condition
	local limit=30 end
	if [ "$1" = -t ]; then
		limit=$2
		shift 2
	fi
	end=$((SECONDS + limit * SLOWDOWN))
	while :; do
		eval "$1" && return 0
		[ "$SECONDS" -lt "$end" ] || break
		sleep 0.1
	done
	fail "not true within $((limit * SLOWDOWN)) s: $1"
}

finish() {
	# A sanitizer's report in the daemon's log fails the test, even when
	# the daemon went on (TSan reports and continues).
	if [ -f "$WORK/daemon.log" ] &&
		grep -q 'WARNING: ThreadSanitizer\|ERROR: AddressSanitizer\|runtime error:' "$WORK/daemon.log"; then
		grep -m 1 -A 20 'WARNING: ThreadSanitizer\|ERROR: AddressSanitizer\|runtime error:' "$WORK/daemon.log"
		fail "a sanitizer reported (the daemon's log above)"
	fi
	echo "$T_NAME: $T_PASSED passed, 0 failed"
	exit 0
}
