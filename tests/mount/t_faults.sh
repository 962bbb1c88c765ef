#!/bin/bash
# A sick card costs only its own directory: every sim/fault keyword gives
# the documented errno and state on card 0, card 1 keeps answering, and
# the daemon survives all of it.
. "$(dirname "$0")/lib.sh"

# Commands the daemon sends, in order (util/trace.h).
export OCXLFS_TRACE=$WORK/trace
mount_ocxlfs --simulate=2 --sim-errlogs=2
C=$MNT/0

# The errno a fresh open of card 0's statistics fails with ("ok" if none).
# A new snapshot is only made once the last one is 1 s old (docs/tree.md 3.2).
stats_errno() {
	sleep 1.1
	if cat "$C/statistics" >/dev/null 2>"$WORK/err"; then
		echo ok
	else
		sed 's/.*: //' "$WORK/err"
	fi
}

# Card 1 answers in full, however card 0 is doing.
card1_fine() { # context
	grep -q '^host_load_count: ' "$MNT/1/statistics" || fail "$1: card 1 statistics"
	grep -q '^id: 2$' "$MNT/1/error_log" || fail "$1: card 1 error_log"
	[ "$(head -c 65536 "$MNT/1/labels" | wc -c)" = 65536 ] || fail "$1: card 1 labels"
}

state_is() { # word context
	wait_until -t 3 "[ \"\$(cat \"\$C/state\")\" = '$1' ]"
}

check_fault() { # fault expected-errno expected-state
	local got
	sim_ctl 0 fault "$1"
	got=$(stats_errno)
	assert_eq "$2" "$got" "statistics under '$1'"
	state_is "$3" "$1"
	card1_fine "$1"
	sim_ctl 0 fault none
	state_is ready "after '$1'"
	assert_eq ok "$(stats_errno)" "statistics after '$1' is cleared"
}

check_fault "delay 200" ok ready
check_fault "status 0x21" "Device or resource busy" ready
check_fault "status 0x50" "Operation not supported" ready
check_fault "status 0x51" "Invalid argument" ready
check_fault "status 0x70" "Operation not permitted" ready
check_fault "status 0xff" "Input/output error" ready
check_fault "status 0x99" "Input/output error" ready
check_fault corrupt "Bad message" ready
check_fault hang "Connection timed out" unresponsive
check_fault fatal-firmware "Input/output error" fatal-firmware
check_fault fatal-hardware "Input/output error" fatal-hardware
ok "delay, status 0xNN, corrupt, hang, fatal-*: documented errno and state; card 1 unaffected"

# A hung card's labels fail at once after the first timeout; Ctrl-C on a
# reader stuck behind it returns (the command has a protocol timeout).
sim_ctl 0 fault hang
timeout -s INT 10 cat "$C/labels" >/dev/null 2>"$WORK/err" && fail "labels of a hung card"
grep -q "Connection timed out" "$WORK/err" || fail "hung labels: $(cat "$WORK/err")"
for _ in $(seq 1 100); do
	grep -q '^host_load_count: ' "$MNT/1/statistics" || fail "card 1 while card 0 hangs"
done
ls "$MNT" >/dev/null || fail "ls of the root while card 0 hangs"
# metrics.prom while card 0 hangs: whole, both cards listed, card 1 up, and no
# command sent to card 0 on the scraper's behalf.
state_is unresponsive "hang"
dev0=$(sed -n 's/^[0-9]* monitor 0 cmd \([^ ]*\) .*/\1/p' "$WORK/trace" | head -n 1)
[ -n "$dev0" ] || fail "no command of card 0's monitor in the trace"
python3 -c 'import os, sys; print(os.getpid()); sys.stdout.write(open(sys.argv[1]).read())' \
	"$MNT/metrics.prom" >"$WORK/prom" || fail "metrics.prom while card 0 hangs"
scraper=$(head -n 1 "$WORK/prom")
grep -q '^ocxl_card_up{card="0",serial="[0-9]*"} ' "$WORK/prom" || fail "card 0 missing from metrics.prom"
grep -qx 'ocxl_card_up{card="1",serial="[0-9]*"} 1' "$WORK/prom" || fail "card 1 not up in metrics.prom"
assert_eq 0 "$(grep -c "^[0-9]* request $scraper cmd $dev0 " "$WORK/trace")" \
	"commands sent to the hung card for metrics.prom"
sim_ctl 0 fault none
state_is ready "after hang"
ok "a hung card: ETIMEDOUT on its files; card 1 read 100 times, root listed, metrics.prom whole meanwhile"

# Ctrl-C on a reader queued behind another reader's slow command: it
# ends when that command ends, without sending its own (docs/tree.md
# section 4.2).  A's statistics take 5 s a command; B's health (one SMART
# command) waits for the card behind it and is interrupted: B's read
# fails and no SMART command is ever sent on a request's behalf.
cat >"$WORK/reader.py" <<'EOF2'
import signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
try:
    with open(sys.argv[1], "rb") as f:
        f.read()
except KeyboardInterrupt:
    sys.exit(3)
except OSError as e:
    print(e, file=sys.stderr)
    sys.exit(4)
EOF2
sim_ctl 0 fault "delay 5000"
sleep 1.1 # statistics' snapshot is old: opening it sends a command
cat "$C/statistics" >"$WORK/a.out" 2>&1 &
a_pid=$!
wait_until "grep -q '^[0-9]* request $a_pid cmd ' \"\$WORK/trace\""
python3 "$WORK/reader.py" "$C/health" 2>"$WORK/b.err" &
b_pid=$!
wait_until "grep -q '^[0-9]* request $b_pid wait ' \"\$WORK/trace\""
kill -INT "$b_pid"
b_rc=0
wait "$b_pid" || b_rc=$?
assert_eq 3 "$b_rc" "the interrupted reader's status ($(cat "$WORK/b.err"))"
assert_eq 0 "$(grep -c "^[0-9]* request $b_pid cmd " "$WORK/trace")" \
	"commands sent for the interrupted reader"
wait "$a_pid" || fail "the slow reader: $(cat "$WORK/a.out")"
grep -q '^host_load_count: ' "$WORK/a.out" || fail "the slow reader's statistics"
sim_ctl 0 fault none
state_is ready "after delay 5000"
ok "Ctrl-C on a reader queued behind a slow command: it ends with that command, sending none"

# Fatal cards are not hammered: reading fails without a command reaching it.
sim_ctl 0 fault fatal-firmware
state_is fatal-firmware "fatal-firmware"
before=$(grep -c "card 0: stats" "$WORK/daemon.log")
for _ in 1 2 3; do stats_errno >/dev/null; done
assert_eq "$before" "$(grep -c "card 0: stats" "$WORK/daemon.log")" "stats commands sent to a fatal card"
sim_ctl 0 fault none
state_is ready "after fatal-firmware"
ok "a fatal card fails with EIO without being sent the command"

# vanish: the directory and its by-serial link disappear, an open file
# says ENODEV; when the card answers again both come back.
serial=$(cat "$C/serial")
exec {held}<"$C/error_log"
if [ -d "$C/sim" ]; then
	exec {plug}>"$C/sim/fault" # the simulated card's outside world stays reachable
	unplug() { echo "$1" >&"$plug"; }
else
	unplug() { sim_ctl 0 fault "$1"; }
fi
unplug vanish
wait_until -t 3 '! [ -e "$C" ]'
assert_eq "1 by-serial events.json health metrics.prom$(backend_is_sim && echo ' sim')" \
	"$(ls "$MNT" | tr '\n' ' ' | sed 's/ $//')" "root after vanish"
[ -e "$MNT/by-serial/$serial" ] && fail "by-serial link of a vanished card"
cat "$C/serial" 2>"$WORK/err" && fail "serial of a vanished card"
grep -q "No such file or directory" "$WORK/err" || fail "lookup: $(cat "$WORK/err")"
cat <&"$held" >/dev/null 2>"$WORK/err" && fail "read through a held descriptor"
grep -q "No such device" "$WORK/err" || fail "held descriptor: $(cat "$WORK/err")"
card1_fine vanish
unplug none
wait_until -t 3 '[ -e "$C/serial" ]'
assert_eq "$serial" "$(cat "$C/serial")" "serial after the card came back"
assert_eq "0 1 by-serial events.json health metrics.prom$(backend_is_sim && echo ' sim')" \
	"$(ls "$MNT" | tr '\n' ' ' | sed 's/ $//')" "root after return"
assert_eq "../0" "$(readlink "$MNT/by-serial/$serial")" "by-serial link after return"
state_is ready "after return"
grep -q '^id: 2$' "$C/error_log" || fail "error_log after return"
exec {held}<&-
[ -n "${plug:-}" ] && exec {plug}>&-
ok "vanish: directory and link gone, ENOENT, held fd ENODEV; back when the card answers"

kill -0 "$OCXLFS_PID" || fail "the daemon died"
umount_ocxlfs || fail "daemon exit status"
finish
