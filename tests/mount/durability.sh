# Shared by the durability tests (tests/mount/t_durability_*.sh), sourced
# after lib.sh: offline views of the journal and of the simulated card's
# state through tests/mount/inspect (the daemon's own readers), and the
# kill -9 the README documents the recovery from.

INSPECT=${OCXLFS_INSPECT:-$(dirname "$OCXLFS")/tests/mount/inspect}
[ -x "$INSPECT" ] || fail "no inspector at $INSPECT (make check builds it)"
CARD=$SIM/card0.state

# inspect CMD ARGS...: the inspector's answer in $INS (tests/mount/inspect.c).
inspect() {
	INS=$("$INSPECT" "$@" 2>"$WORK/inspect.err") || fail "inspect $*: $(cat "$WORK/inspect.err")"
}

ids_of() { grep '^id: ' "$1" | cut -d' ' -f2; }

# SIGKILL to the supervisor and the worker (the card's state file is
# inspected with no daemon running), then recover the dead mount exactly
# as the README documents.
kill_daemon() {
	kill_daemon_all
	if [ -n "${READER:-}" ]; then
		wait "$READER" 2>/dev/null
		READER=
	fi
	ls "$MNT" 2>&1 | grep -q "Transport endpoint is not connected" ||
		fail "a killed daemon's mount should answer ENOTCONN"
	"$FUSERMOUNT" -u "$MNT" || fail "'$FUSERMOUNT -u' did not recover the mount"
	mountpoint -q "$MNT" && fail "still mounted after '$FUSERMOUNT -u'"
}
