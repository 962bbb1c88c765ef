#!/bin/bash
# N/events: a script blocked in poll() wakes when the card posts something
# (an error-log entry, a dump, a state change), finds it by re-opening the
# file, and is not woken by another card's events.
. "$(dirname "$0")/lib.sh"

mount_ocxlfs --simulate=2 --sim-dump-size=65536

# waiter FILE TIMEOUT_S OUT: opens FILE, reads it, touches OUT.ready, blocks
# in poll(); then writes "woke SECONDS" or "timeout" and the lines that are
# new when FILE is opened again to OUT.
cat >"$WORK/waiter.py" <<'EOF'
import os, select, sys, time
path, timeout, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
with open(path, "rb") as f:
    seen = f.read()
    p = select.poll()
    p.register(f.fileno(), select.POLLIN | select.POLLPRI)
    open(out + ".ready", "w").close()
    t0 = time.monotonic()
    r = p.poll(timeout * 1000)
    took = time.monotonic() - t0
with open(path, "rb") as f:
    now = f.read()
with open(out, "w") as o:
    o.write(("woke %.3f\n" % took) if r else "timeout\n")
    o.write(now[len(seen):].decode() if now.startswith(seen) else "NOT-APPENDED\n" + now.decode())
EOF

# Starts a waiter on card N's events and returns once it is about to poll.
start_waiter() { # card timeout out
	rm -f "$3" "$3.ready"
	python3 "$WORK/waiter.py" "$MNT/$1/events" "$2" "$3" &
	WAITER_PID=$!
	for _ in $(seq 1 100); do
		[ -e "$3.ready" ] && return 0
		sleep 0.05
	done
	fail "waiter on card $1 did not start"
}

assert_eq 444 "$(stat -c %a "$MNT/0/events")" "mode of events"
assert_eq 0 "$(stat -c %s "$MNT/0/events")" "events before anything happened"
python3 -c '
import select, sys
with open(sys.argv[1]) as f:
    p = select.poll(); p.register(f.fileno(), select.POLLIN)
    sys.exit(0 if p.poll(0) else 1)' "$MNT/0/statistics" || fail "statistics does not poll readable"
ok "events exists (0444, empty at mount); other files poll readable at once"

# An injected entry wakes the waiter, its event is new, it is in error_log.
start_waiter 0 10 "$WORK/w0"
start=$(date +%s%N)
sim_ctl 0 inject errlog
wait "$WAITER_PID"
grep -q '^woke ' "$WORK/w0" || fail "poll did not wake: $(cat "$WORK/w0")"
echo "# woke $(sed -n 1p "$WORK/w0" | cut -d' ' -f2) s after poll(), $((($(date +%s%N) - start) / 1000000)) ms after the injection"
grep -Eq '^1 [0-9-]+T[0-9:]+Z error-log 1 new entry$' "$WORK/w0" ||
	fail "event line: $(cat "$WORK/w0")"
assert_eq 1 "$(grep -c '^id: ' "$MNT/0/error_log")" "entries in error_log"
grep -q "card 0: event 1: error-log 1 new entry" "$WORK/daemon.log" || fail "event not logged"
ok "poll() on events wakes on an injected entry; the entry is in error_log and the log"

# Events of card 0 do not wake a waiter on card 1.
start_waiter 1 3 "$WORK/w1"
sim_ctl 0 inject "errlog 2"
wait "$WAITER_PID"
assert_eq timeout "$(sed -n 1p "$WORK/w1")" "waiter on card 1"
assert_eq 0 "$(stat -c %s "$MNT/1/events")" "card 1 events"
ok "another card's events do not wake it"

# A dump the card posts, and a state change, are events too.
start_waiter 0 10 "$WORK/w0"
sim_ctl 0 inject "dump 65536"
wait "$WAITER_PID"
grep -q '^woke ' "$WORK/w0" || fail "dump: poll did not wake"
for _ in $(seq 1 50); do
	grep -q 'dump collected 65536 bytes$' "$MNT/0/events" && break
	sleep 0.1
done
grep -q 'dump collected 65536 bytes$' "$MNT/0/events" || fail "no dump event: $(cat "$MNT/0/events")"
start_waiter 0 10 "$WORK/w0"
sim_ctl 0 fault fatal-firmware
wait "$WAITER_PID"
grep -q '^woke ' "$WORK/w0" || fail "fatal: poll did not wake"
grep -Eq 'state fatal-firmware$' "$WORK/w0" || fail "fatal event: $(cat "$WORK/w0")"
assert_eq fatal-firmware "$(cat "$MNT/0/state")" "state"
sim_ctl 0 fault none
for _ in $(seq 1 50); do
	grep -q 'state ready$' "$MNT/0/events" && break
	sleep 0.1
done
grep -q 'state ready$' "$MNT/0/events" || fail "no recovery event"
ok "a collected dump and state changes (fatal-firmware, ready) wake the waiter"

# Sequence numbers only grow and every line has the documented shape.
awk 'BEGIN { n = 0 } { if ($1 != n + 1) exit 1; n = $1 } END { exit n < 4 }' "$MNT/0/events" ||
	fail "sequence: $(cat "$MNT/0/events")"
grep -Evq '^[0-9]+ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z [a-z-]+ .+$' \
	"$MNT/0/events" && fail "malformed line: $(cat "$MNT/0/events")"
ok "events lines are 'SEQ TIME WHAT', numbered 1, 2, 3..."

umount_ocxlfs || fail "daemon exit status"
finish
