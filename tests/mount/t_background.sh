#!/bin/bash
# Background mode and syslog (ocxlfs(8) DESCRIPTION and DIAGNOSTICS):
# without -f the command returns once the mount serves, exit status 0,
# with every process of the daemon let go of its standard streams (a
# command substitution of it returns); what the daemon says from then on
# goes to syslog, facility daemon, tagged ocxlfs[PID]; a start that cannot
# mount says why on stderr and exits non-zero.  syslog is a socket of the
# test's own, bound at /dev/log in a mount namespace of its own (bwrap),
# so nothing reaches the host's log.
if [ -z "${T_SYSLOG:-}" ]; then
	if ! command -v bwrap >/dev/null; then
		. "$(dirname "$0")/lib.sh"
		skip_or_fail "no bwrap (Debian package bubblewrap)"
	fi
	dir=$(mktemp -d /tmp/ocxlfs-syslog.XXXXXX)
	# One datagram per message, one line each in the file.
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("listening", flush=True)
with open(sys.argv[2], "ab", buffering=0) as out:
    while True:
        out.write(s.recv(65536).rstrip(b"\n") + b"\n")
' "$dir/log.sock" "$dir/messages" >"$dir/listener.out" &
	listener=$!
	for _ in $(seq 1 100); do
		[ -S "$dir/log.sock" ] && grep -q listening "$dir/listener.out" && break
		sleep 0.1
	done
	bwrap --dev-bind / / --dev /dev --dev-bind /dev/fuse /dev/fuse \
		--bind "$dir/log.sock" /dev/log --cap-add ALL -- \
		env T_SYSLOG="$dir/messages" "${BASH:-bash}" "$0" "$@"
	rc=$?
	kill "$listener" 2>/dev/null
	wait "$listener" 2>/dev/null
	rm -rf "$dir"
	exit $rc
fi
. "$(dirname "$0")/lib.sh"

# The daemon is no child of this shell: cleanup finds it by its state directory.
daemon_pids() {
	pgrep -f -- "--state-dir=$STATE " 2>/dev/null
}
cleanup_background() {
	"$FUSERMOUNT" -uz "$MNT" 2>/dev/null
	# shellcheck disable=SC2046
	kill $(daemon_pids) 2>/dev/null
	backend_is_sim || harness_ctl teardown
	cleanup
}
trap cleanup_background EXIT

# The cards: the daemon's own, or the harness's behind an emulated sysfs
# (OCXLFS_BACKEND=kernel), found like real ones.
if backend_is_sim; then
	CARDS=(--simulate=2 --sim-dir="$SIM")
	unplug() { echo "$1" >"$MNT/sim/unplug"; }
else
	harness_ctl setup 2 dir="$SIM" || fail "harness card setup"
	CARDS=()
	unplug() { harness_ctl unplug "$1"; }
fi

# ---- a start that cannot mount ----
out=$(timeout "$(scaled 60)" "$OCXLFS" "${CARDS[@]}" --state-dir="$STATE" "$WORK/no-such-dir" 2>&1)
rc=$?
[ "$rc" != 0 ] && [ "$rc" != 124 ] || fail "a start on a missing mountpoint: exit status $rc"
case $out in *no-such-dir*) ;; *) fail "a failed start does not say why: '$out'" ;; esac
[ -z "$(daemon_pids)" ] || fail "a failed start left a daemon running"
ok "a start that cannot mount: exit status $rc and the reason on stderr"

# ---- a start that serves ----
# The start's streams are a pipe to a cat, which ends only once every
# writer of that pipe is gone: a daemon process that kept stdout or stderr
# keeps it waiting (its timeout is only a guard, 124 then).
out=$(timeout "$(scaled 60)" "$OCXLFS" "${CARDS[@]}" --state-dir="$STATE" "$MNT" 2>&1 |
	timeout "$(scaled 60)" cat
	echo "status ${PIPESTATUS[0]} ${PIPESTATUS[1]}")
assert_eq "status 0 0" "${out##*$'\n'}" "exit status of the start and of the reader of its streams"
out=${out%status*}
assert_eq "" "$out" "what the start printed"
# Served by the time it returned: no wait.
assert_eq 2020000001 "$(cat "$MNT/1/serial")" "card 1's serial right after the start"
grep -qx "transport: $(backend_transport)" "$MNT/0/info" || fail "card 0 is not reached through $(backend_transport)"
pids=$(daemon_pids)
[ "$(echo "$pids" | wc -w)" = 2 ] || fail "expected a supervisor and a worker, found: $pids"
for p in $pids; do
	for fd in 0 1 2; do
		assert_eq /dev/null "$(readlink "/proc/$p/fd/$fd")" "process $p's descriptor $fd"
	done
done
ok "a start that serves returns 0 once it does, every daemon process off the terminal"

# ---- syslog ----
# A card unplugged is logged (docs/tree.md section 5.6), by the worker.
unplug 1 || fail "unplug card 1"
wait_until 'grep -q "card 1 (serial 2020000001) vanished" "$T_SYSLOG"'
line=$(grep -m1 "card 1 (serial 2020000001) vanished" "$T_SYSLOG")
# <PRI>TIMESTAMP ocxlfs[PID]: message; PRI = facility * 8 + severity.
pri=$(sed -n 's/^<\([0-9]*\)>.*/\1/p' <<<"$line")
assert_eq 3 "$((pri / 8))" "the facility (daemon) of: $line"
pid=$(sed -n 's/.* ocxlfs\[\([0-9]*\)\]: .*/\1/p' <<<"$line")
case " $(echo $pids) " in *" $pid "*) ;; *) fail "tagged with pid '$pid', not the daemon's ($pids): $line" ;; esac
ok "what the daemon says goes to syslog: facility daemon, ocxlfs[$pid]"

# ---- unmounting ends it ----
"$FUSERMOUNT" -u "$MNT" || fail "unmount"
wait_until '[ -z "$(daemon_pids)" ]'
grep -q "the mount is gone (unmounted)" "$T_SYSLOG" || fail "the end is not in syslog"
ok "unmounting ends the daemon, and syslog says so"
finish
