#!/bin/bash
# The event stream (docs/tree.md section 2.17, docs/json.md section 8):
# N/events.json and MOUNTPOINT/events.json get one JSON line per event,
# every type the simulator can produce, with the documented members; the
# sequence continues with no gap and no repeat across a restart of the
# daemon and a kill of its worker; poll() wakes on events.json (card and
# root) and on overwrite; tail -F does not follow (documented).
. "$(dirname "$0")/lib.sh"

OPTS=(--simulate=2 --sim-dump-size=65536 --sim-erase-ms=2500)
if backend_is_sim; then
	mount_ocxlfs "${OPTS[@]}"
	plug() { write_once "$MNT/sim/plug" "$1" || fail "sim/plug $1"; }
	unplug() { write_once "$MNT/sim/unplug" "$1" || fail "sim/unplug $1"; }
else
	mount_ocxlfs "${OPTS[@]}" --rescan-interval=300
	plug() { harness_ctl plug "$1" || fail "harness plug $1"; }
	unplug() { harness_ctl unplug "$1" || fail "harness unplug $1"; }
fi
SERIAL0=$(cat "$MNT/0/serial")

# waiter FILE OUT: opens FILE, reads it, touches OUT.ready, blocks in
# poll() (60 s hang guard); then writes "woke" or "timeout" to OUT.  A
# poll() that runs out of time asks the file once more and may then find
# it readable: that is a timeout too, not a wake-up.
cat >"$WORK/waiter.py" <<'PY'
import select, sys, time
path, out = sys.argv[1], sys.argv[2]
with open(path, "rb") as f:
    f.read()
    p = select.poll()
    p.register(f.fileno(), select.POLLIN | select.POLLPRI)
    open(out + ".ready", "w").close()
    t0 = time.monotonic()
    r = p.poll(60000)
    guard_hit = time.monotonic() - t0 >= 59.9
with open(out, "w") as o:
    o.write("woke\n" if r and not guard_hit else "timeout\n")
PY
start_waiter() { # file out [moving: it may wake at once]
	rm -f "$2" "$2.ready"
	python3 "$WORK/waiter.py" "$1" "$2" &
	WAITERS+=("$!")
	wait_until "[ -e '$2.ready' ]"
	# Blocked, not readable at once as every other file is.
	[ $# -gt 2 ] && return 0
	sleep 0.5
	[ -e "$2" ] && fail "poll() on $1 returned before anything happened: $(cat "$2")"
	return 0
}
WAITERS=()
woke() { # out...
	local o
	for p in "${WAITERS[@]}"; do wait "$p"; done
	WAITERS=()
	for o in "$@"; do
		assert_eq woke "$(cat "$o")" "poll() on ${o##*/}"
	done
}

# check.py FILE [TYPE=COUNT...]: every line is a documented event; the
# seq numbers are strictly increasing (and 1, 2, 3... with --contiguous);
# prints "TYPE COUNT" per type.
cat >"$WORK/check.py" <<'PY'
import json, re, sys
path, contiguous = sys.argv[1], "--contiguous" in sys.argv
details = {
    "error-log": {"entries": int},
    "dump-collected": {"bytes": str},
    "state-change": {"from": str, "to": str},
    "overwrite-progress": {"state": str, "progress_permille": int},
    "overwrite-complete": {"state": str, "accessible_ok": str, "accessible_tried": str,
                           "defective_ok": str, "defective_tried": str, "ns_status": int},
    "heartbeat-failed": {"error": str, "status": int},
    "card-added": {}, "card-removed": {},
}
counts, last = {}, None
with open(path) as f:
    data = f.read()
assert data == "" or data.endswith("\n"), "no final newline"
for line in data.splitlines():
    e = json.loads(line)
    assert e["schema"] == "ocxlfs.events/1", e
    seq = int(e["seq"]); assert e["seq"] == str(seq), e
    if last is not None:
        assert seq == last + 1 if contiguous else seq > last, (last, seq)
    last = seq
    assert re.fullmatch(r"\d+\.\d{9}", e["timestamp"]), e
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", e["time"]), e
    assert isinstance(e["pid"], int) and e["pid"] > 0, e
    t = e["type"]
    assert e["event"] == {t: True}, e
    assert isinstance(e["card"]["index"], int) and isinstance(e["card"]["serial"], str), e
    want = details[t]
    assert set(e["details"]) == set(want), e
    for k, ty in want.items():
        assert isinstance(e["details"][k], ty), (k, e)
    counts[t] = counts.get(t, 0) + 1
for t in sorted(counts):
    print(t, counts[t])
print("last", last if last is not None else 0)
PY
count() { # file type
	python3 "$WORK/check.py" "$1" | awk -v t="$2" '$1 == t { print $2 }' | grep . || echo 0
}
last_seq() { python3 "$WORK/check.py" "$1" | awk '$1 == "last" { print $2 }'; }

assert_eq 444 "$(stat -c %a "$MNT/events.json")" "mode of events.json"
assert_eq 444 "$(stat -c %a "$MNT/0/events.json")" "mode of 0/events.json"
assert_eq 0 "$(stat -c %s "$MNT/events.json")" "events.json before anything happened"
assert_eq 0 "$(stat -c %s "$MNT/0/events.json")" "0/events.json before anything happened"
ok "events.json at the root and in each card (0444, empty on a new state directory)"

# Each type, once: poll() on the card's file and the root's wakes.
start_waiter "$MNT/0/events.json" "$WORK/wc"
start_waiter "$MNT/events.json" "$WORK/wr"
sim_ctl 0 inject errlog
woke "$WORK/wc" "$WORK/wr"
wait_until '[ "$(count "$MNT/0/events.json" error-log)" = 1 ]'
ok "poll() on 0/events.json and on events.json wakes on an error-log entry"

sim_ctl 0 inject "dump 65536"
wait_until '[ "$(count "$MNT/0/events.json" dump-collected)" = 1 ]'
grep -q '"type":"dump-collected".*"details":{"bytes":"65536"}' "$MNT/0/events.json" ||
	fail "dump event: $(cat "$MNT/0/events.json")"

sim_ctl 0 fault "status 0xff"
write_once "$MNT/0/heartbeat" 1 2>/dev/null && fail "heartbeat passed with status 0xff"
sim_ctl 0 fault none
wait_until '[ "$(count "$MNT/0/events.json" heartbeat-failed)" = 1 ]'
grep -q '"details":{"error":"EIO","status":255}' "$MNT/0/events.json" ||
	fail "heartbeat event: $(cat "$MNT/0/events.json")"
ok "a collected dump and a failed heartbeat are events"

# overwrite: pollable; progress while it runs, then its completion.
start_waiter "$MNT/0/overwrite" "$WORK/wo"
write_once "$MNT/0/overwrite" "$SERIAL0" || fail "overwrite start"
woke "$WORK/wo"
wait_until '[ "$(count "$MNT/0/events.json" overwrite-progress)" -ge 1 ]'
grep -q '^running' "$MNT/0/overwrite" || fail "overwrite after a progress event: $(cat "$MNT/0/overwrite")"
start_waiter "$MNT/0/overwrite" "$WORK/wo" moving
woke "$WORK/wo"
wait_until '[ "$(count "$MNT/0/events.json" overwrite-complete)" = 1 ]'
grep -q '^done' "$MNT/0/overwrite" || fail "overwrite after completion: $(cat "$MNT/0/overwrite")"
grep -q '"type":"overwrite-complete".*"details":{"state":"done"' "$MNT/0/events.json" ||
	fail "completion: $(grep overwrite "$MNT/0/events.json")"
grep -q '"type":"state-change".*"details":{"from":"ready","to":"busy"}' "$MNT/0/events.json" ||
	fail "no state change to busy: $(cat "$MNT/0/events.json")"
ok "poll() on overwrite wakes as it starts and moves; progress, completion, state changes"

# A card removed and added back: card 1.
unplug 1
wait_until '[ "$(count "$MNT/events.json" card-removed)" = 1 ]'
plug 1
wait_until '[ "$(count "$MNT/events.json" card-added)" = 1 ]'
wait_until '[ -e "$MNT/1/events.json" ]'
grep -q '"type":"card-removed".*"card":{"index":1,' "$MNT/1/events.json" ||
	fail "card 1's file: $(cat "$MNT/1/events.json")"
grep -q '"to":"gone"' "$MNT/1/events.json" || fail "no state change to gone"
ok "a card removed and added back are events, in its file and the root's"

# Every line documented; the root's file is 1, 2, 3...; a card's is its subset.
python3 "$WORK/check.py" "$MNT/events.json" --contiguous >"$WORK/counts" ||
	fail "root stream: $(cat "$MNT/events.json")"
python3 "$WORK/check.py" "$MNT/0/events.json" >/dev/null || fail "card 0's stream"
python3 "$WORK/check.py" "$MNT/1/events.json" >/dev/null || fail "card 1's stream"
for t in error-log dump-collected heartbeat-failed overwrite-complete card-removed card-added; do
	assert_eq 1 "$(awk -v t=$t '$1 == t { print $2 }' "$WORK/counts")" "$t events"
done
assert_eq "$(cat "$MNT/events.json")" "$(grep -h . "$MNT/0/events.json" "$MNT/1/events.json" |
	python3 -c 'import json, sys
print("".join(sorted(sys.stdin, key=lambda l: int(json.loads(l)["seq"]))), end="")')" \
	"the root's lines are the cards' lines"
grep -q '"card":{"index":0,"serial":"'"$SERIAL0"'"}' "$MNT/0/events.json" || fail "card member"
ok "every line parses with the documented members; the root's numbers run 1, 2, 3..."

# tail -F does not follow (a descriptor's content never changes, section 3.2).
tail -F -s 0.1 "$MNT/events.json" >"$WORK/tail" 2>/dev/null &
TAIL=$!
wait_until '[ "$(wc -l <"$WORK/tail")" -ge 10 ]'
before=$(last_seq "$MNT/events.json")
sim_ctl 1 inject errlog
wait_until '[ "$(last_seq "$MNT/events.json")" -gt "$before" ]'
sleep 1 # ten of tail's polls
grep -q "\"seq\":\"$((before + 1))\"" "$WORK/tail" && fail "tail -F followed: $(tail -n 1 "$WORK/tail")"
kill "$TAIL"
wait "$TAIL" 2>/dev/null
ok "tail -F prints the file as it was at open and does not follow it (as documented)"

# What section 2.17 gives instead: poll, reopen, keep the new lines.
python3 -c 'import json, select, sys
last = 0
while True:
    with open(sys.argv[1]) as f:
        for line in f:
            if int(json.loads(line)["seq"]) > last:
                print(line, end="", flush=True); last = int(json.loads(line)["seq"])
        p = select.poll(); p.register(f, select.POLLPRI); p.poll()' "$MNT/events.json" >"$WORK/follow" &
FOLLOW=$!
wait_until '[ "$(wc -l <"$WORK/follow")" = "$(wc -l <"$MNT/events.json")" ]'
before=$(last_seq "$MNT/events.json")
sim_ctl 1 inject errlog
wait_until 'grep -q "\"seq\":\"$((before + 1))\"" "$WORK/follow"'
kill "$FOLLOW"
wait "$FOLLOW" 2>/dev/null
cmp -s "$WORK/follow" "$MNT/events.json" || fail "the follower's lines differ from the file"
ok "the documented poll-and-reopen loop follows the stream, each line once"

# Across a worker kill: no gap, no repeat.
before=$(last_seq "$MNT/events.json")
wait_worker
kill -KILL "$WORKER"
wait_worker "$WORKER"
sim_ctl 0 inject errlog
wait_until '[ "$(last_seq "$MNT/events.json")" -gt "$before" ]'
python3 "$WORK/check.py" "$MNT/events.json" --contiguous >/dev/null ||
	fail "after the worker kill: $(tail -n 3 "$MNT/events.json")"
ok "the sequence continues across a worker kill with no gap and no repeat"

# Across a restart of the daemon (the same state directory): the same.
before=$(last_seq "$MNT/events.json")
umount_ocxlfs || fail "daemon exit status"
mount_ocxlfs "${OPTS[@]}"
assert_eq "$before" "$(last_seq "$MNT/events.json")" "kept events after the restart"
sim_ctl 0 inject errlog
wait_until '[ "$(last_seq "$MNT/events.json")" -gt "$before" ]'
python3 "$WORK/check.py" "$MNT/events.json" --contiguous >/dev/null ||
	fail "after the restart: $(tail -n 3 "$MNT/events.json")"
assert_eq 2097152 "$(stat -c %s "$STATE/events.log")" "events.log allocated whole"
ok "the sequence continues across a daemon restart; events.log is allocated whole"

umount_ocxlfs || fail "daemon exit status"
finish
