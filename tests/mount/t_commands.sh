#!/bin/bash
# The writable command files of a card: heartbeat, overwrite and request.
# Each accepted write is one command; each rejected one returns the
# documented errno and leaves the card as it was.
. "$(dirname "$0")/lib.sh"

# The erase would take 10 minutes: the test ends it with "erase-done", so
# the second write lands while it runs however slow the machine is.
mount_ocxlfs --simulate=2 --sim-erase-ms=600000 --sim-dump-size=131072
C=$MNT/0

# Writes VALUE once to FILE and checks that it fails with MESSAGE (strerror).
expect_error() { # file value message
	if write_once "$1" "$2" 2>"$WORK/err"; then
		fail "$(basename "$1") accepted '$2'"
	fi
	grep -qx "$3" "$WORK/err" || fail "$(basename "$1") '$2': expected '$3', got '$(cat "$WORK/err")'"
}

# Waits up to 30 s for FILE's first line to match the extended regex.
wait_for() { # file regex
	for _ in $(seq 1 300); do
		grep -Eqx "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "$(basename "$1") never matched '$2' (last: '$(cat "$1" 2>&1)')"
}

garbage=("" $'\n' "0" "2" "1 1" " 1" "1 " "yes" "01" $'1\n1' "$(printf '%0300d' 1)")

# ---- heartbeat ----
assert_eq 600 "$(stat -c %a "$C/heartbeat")" "mode of heartbeat"
assert_eq never "$(cat "$C/heartbeat")" "heartbeat before the first one"
echo 1 >"$C/heartbeat" || fail "echo 1 > heartbeat"
hb='ok [0-9]+ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'
grep -Eqx "$hb" "$C/heartbeat" || fail "heartbeat result: '$(cat "$C/heartbeat")'"
printf 1 >"$C/heartbeat" || fail "printf 1 >"
echo 1 >>"$C/heartbeat" || fail "echo 1 >>"
printf '1\0' >"$C/heartbeat" || fail "1 and NUL"
ok "heartbeat: never, then 'ok LATENCY TIME' for echo, printf, >> and a trailing NUL"

sim_ctl 0 fault "status 0x21"
expect_error "$C/heartbeat" 1 "Device or resource busy"
grep -Eqx 'EBUSY [0-9]+ .*Z' "$C/heartbeat" || fail "after 0x21: '$(cat "$C/heartbeat")'"
sim_ctl 0 fault "status 0xff"
expect_error "$C/heartbeat" 1 "Input/output error"
grep -Eqx 'EIO [0-9]+ .*Z' "$C/heartbeat" || fail "after 0xff: '$(cat "$C/heartbeat")'"
sim_ctl 0 fault "status 0x50"
expect_error "$C/heartbeat" 1 "Operation not supported"
sim_ctl 0 fault hang
expect_error "$C/heartbeat" 1 "Connection timed out"
grep -Eqx 'ETIMEDOUT [0-9]+ .*Z' "$C/heartbeat" || fail "after hang: '$(cat "$C/heartbeat")'"
assert_eq unresponsive "$(cat "$C/state")" "state of a hung card"
sim_ctl 0 fault none
echo 1 >"$C/heartbeat" || fail "heartbeat after the fault is cleared"
grep -Eqx "$hb" "$C/heartbeat" || fail "heartbeat after recovery: '$(cat "$C/heartbeat")'"
ok "card status 0x21/0xff/0x50 and no answer give EBUSY/EIO/EOPNOTSUPP/ETIMEDOUT, shown in heartbeat"

before=$(cat "$C/heartbeat")
for bad in "${garbage[@]}"; do
	[ -z "$bad" ] && continue # an empty write never reaches the file system
	expect_error "$C/heartbeat" "$bad" "Invalid argument"
done
assert_eq "$before" "$(cat "$C/heartbeat")" "heartbeat after rejected writes"
ok "heartbeat: garbage, multi-line and oversized writes give EINVAL and send nothing"

# ---- overwrite ----
serial=$(cat "$C/serial")
assert_eq 600 "$(stat -c %a "$C/overwrite")" "mode of overwrite"
assert_eq idle "$(cat "$C/overwrite")" "overwrite before any"
sim_ctl 0 inject labels
labels_sum=$(md5sum <"$C/labels")
zero_sum=$(head -c "$(stat -c %s "$C/labels")" /dev/zero | md5sum)
[ "$labels_sum" != "$zero_sum" ] || fail "label area is already zero before the overwrite"

for bad in "${garbage[@]}" "$((serial + 1))" "$serial$serial" "0$serial" "$(cat "$MNT/1/serial")"; do
	[ -z "$bad" ] && continue
	expect_error "$C/overwrite" "$bad" "Invalid argument"
done
sim_ctl 0 namespace enabled
expect_error "$C/overwrite" "$serial" "Device or resource busy"
sim_ctl 0 namespace disabled
assert_eq idle "$(cat "$C/overwrite")" "overwrite after refused writes"
assert_eq "$labels_sum" "$(md5sum <"$C/labels")" "label area after refused overwrites"
assert_eq ready "$(cat "$C/state")" "state after refused overwrites"
ok "overwrite: a wrong serial is EINVAL, an enabled namespace EBUSY; nothing changes"

echo "$serial" >"$C/overwrite" || fail "overwrite with the right serial"
expect_error "$C/overwrite" "$serial" "Device or resource busy"
grep -Eqx 'running [0-9]+\.[0-9]%' "$C/overwrite" || fail "while running: '$(cat "$C/overwrite")'"
wait_for "$C/state" busy # within the 1 s snapshot lifetime it may still say ready
grep -q "overwrite (secure erase of the whole card) started by uid 0 pid [0-9]" \
	"$WORK/daemon.log" || fail "the overwrite was not logged with uid and pid"
grep -q "overwrite requested by uid 0 pid [0-9]* refused: an overwrite is already running" \
	"$WORK/daemon.log" || fail "the refused second overwrite was not logged"
sim_ctl 0 inject erase-done
wait_for "$C/overwrite" 'done accessible=([0-9]+)/\1 defective=([0-9]+)/\2'
assert_eq "$zero_sum" "$(md5sum <"$C/labels")" "label area after the overwrite"
wait_for "$C/state" ready
grep -q '^host_load_count: ' "$MNT/1/statistics" || fail "card 1 during card 0's overwrite"
ok "overwrite: runs once (a second write is EBUSY), shows progress, finishes, labels read back as zeros"

# ---- request ----
assert_eq 200 "$(stat -c %a "$C/request")" "mode of request"
for bad in "${garbage[@]}" "dump 1" "Dump" "health now" "heartbeat"; do
	[ -z "$bad" ] && continue
	expect_error "$C/request" "$bad" "Invalid argument"
done
echo health >"$C/request" || fail "request health"
wait_until 'grep -q "^type: health-performance (0x04)$" "$C/error_log"'
echo dump >"$C/request" || fail "request dump"
wait_until '[ "$(stat -c %s "$C/controller_dump")" = 131072 ]'
assert_eq 131072 "$(cat "$C/controller_dump" | wc -c)" "requested dump bytes"
assert_eq 0 "$(stat -c %s "$MNT/1/controller_dump")" "card 1 dump untouched"
ok "request: 'health' brings a type 0x04 entry, 'dump' a collected dump; garbage is EINVAL"

umount_ocxlfs || fail "daemon exit status"

# -o ro: every command file refuses with EROFS before reaching the card.
mount_ocxlfs --simulate=1 -o ro
for f in heartbeat overwrite request; do
	expect_error "$MNT/0/$f" 1 "Read-only file system"
done
assert_eq never "$(cat "$MNT/0/heartbeat")" "heartbeat on a ro mount"
ok "-o ro: heartbeat, overwrite and request fail with EROFS"
umount_ocxlfs || fail "daemon exit status"

finish
