#!/bin/bash
# Control files behave like sysfs store(), and a simulated card is steered
# through its sim/ folder: injected entries reach error_log, a posted dump
# is collected into controller_dump, faults show as errnos.
. "$(dirname "$0")/lib.sh"

mount_ocxlfs --simulate=2 --sim-errlogs=2 --sim-dump-size=262144
C=$MNT/0

ids() { grep '^id: ' "$C/error_log" | cut -d' ' -f2 | tr '\n' ' '; }
# One raw write of a value to card 0's sim/FILE, or the same keywords
# handed to the card by the harness under the kernel backend.
write_raw() { # file value
	if backend_is_sim; then write_once "$C/sim/$1" "$2"; else sim_try 0 "$1" "$2"; fi
}

if backend_is_sim; then
	assert_eq 200 "$(stat -c %a "$C/sim/inject")" "mode of sim/inject"
	assert_eq 600 "$(stat -c %a "$C/sim/fault")" "mode of sim/fault"
	assert_eq 0 "$(cat "$C/sim/inject" | wc -c)" "sim/inject reads empty"
	ok "sim/ exists with its documented modes"
fi
assert_eq none "$(sim_ctl 0 fault)" "initial fault"

# Every way a shell writes one value works, and each write is one command.
if backend_is_sim; then
	echo errlog >"$C/sim/inject" || fail "echo >"
	printf 'errlog' >"$C/sim/inject" || fail "printf >"
	echo errlog >>"$C/sim/inject" || fail "echo >>"
	printf 'errlog\0' >"$C/sim/inject" || fail "printf with NUL"
else
	for _ in 1 2 3 4; do sim_ctl 0 inject errlog; done
fi
sim_ctl 0 inject "errlog 2"
assert_eq "1 2 3 4 5 6 7 8 " "$(ids)" "error_log after six injected entries"
ok "echo, printf, >>, trailing NUL: each write injects once"

# Garbage: EINVAL and nothing changes.
before=$(ids)
for bad in $'\n' "errlog 0" "errlog -1" "errlog x" "errlog 1 2" "errlog  1" "Errlog" "dump" \
	"dump 0" "dump 12abc" "health 1" $'errlog\nerrlog' "nonsense"; do
	if write_raw inject "$bad" 2>"$WORK/err"; then
		fail "inject accepted '$bad'"
	fi
	grep -q "Invalid argument" "$WORK/err" || fail "inject '$bad': $(cat "$WORK/err")"
done
if backend_is_sim; then
	write_once "$C/sim/inject" "errlog $(printf '%0300d' 1)" 2>"$WORK/err" &&
		fail "oversized write accepted"
	grep -q "Invalid argument" "$WORK/err" || fail "oversized write: $(cat "$WORK/err")"
	: >"$C/sim/inject" 2>/dev/null # an empty write never reaches the file system
fi
sleep 1.1
assert_eq "$before" "$(ids)" "error_log after rejected writes"
ok "garbage, empty-value, multi-line and oversized writes give EINVAL and change nothing"

for bad in "delay" "delay 0" "status" "status 0x100" "hang 1" "vanish now" "fatal"; do
	write_raw fault "$bad" 2>/dev/null && fail "fault accepted '$bad'"
done
assert_eq none "$(sim_ctl 0 fault)" "fault after rejected writes"
ok "bad fault keywords give EINVAL and change nothing"

# A health request answer arrives as a type 0x04 entry.
sim_ctl 0 inject health
wait_until 'grep -q "^type: health-performance (0x04)$" "$C/error_log"'
ok "an injected health report shows in error_log as type 0x04"

# A dump posted by the card is collected by the monitor, then freed on the card.
sim_ctl 0 inject "dump 200000"
wait_until '[ "$(stat -c %s "$C/controller_dump")" = 200000 ]'
assert_eq 200000 "$(stat -c %s "$C/controller_dump")" "collected dump size"
assert_eq 200000 "$(cat "$C/controller_dump" | wc -c)" "collected dump bytes"
ok "a dump the card posts is collected whole into controller_dump"

# Faults become errnos on the card's files and leave the other card alone.
sim_ctl 0 fault "status 0x21"
assert_eq "status 0x21" "$(sim_ctl 0 fault)" "fault readback"
sleep 1.1
cat "$C/statistics" >/dev/null 2>"$WORK/err" && fail "statistics readable under status 0x21"
grep -q "busy" "$WORK/err" || fail "status 0x21 is not EBUSY: $(cat "$WORK/err")"
grep -q '^host_load_count: ' "$MNT/1/statistics" || fail "card 1 affected by card 0's fault"
sim_ctl 0 fault fatal-firmware
wait_until '[ "$(cat "$C/state")" = fatal-firmware ]'
sim_ctl 0 fault none
wait_until '[ "$(cat "$C/state")" = ready ]'
grep -q '^host_load_count: ' "$C/statistics" || fail "statistics after recovery"
ok "status 0x21 gives EBUSY, fatal-firmware shows in state, card 1 unaffected"

umount_ocxlfs || fail "daemon exit status"

# -o ro: every control file fails with EROFS.
if backend_is_sim; then
	mount_ocxlfs --simulate=1 -o ro
	write_once "$MNT/0/sim/inject" errlog 2>"$WORK/err" && fail "write on a ro mount"
	grep -q "Read-only file system" "$WORK/err" || fail "ro mount: $(cat "$WORK/err")"
	ok "-o ro makes control files fail with EROFS"
	umount_ocxlfs || fail "daemon exit status"
fi

finish
