#!/bin/bash
# The health verdict (docs/tree.md section 2.8.1): every rule, driven by
# the simulator, flips the verdict in N/health, N/health.json, the root
# health file and metrics.prom's ocxl_card_verdict, and clearing what drove
# it flips it back where the rule allows.  The state directory is a small
# tmpfs, so that the last rule can fill it.
. "$(dirname "$0")/lib.sh"

state_on_tmpfs 4m

mount_ocxlfs --simulate=4 --sim-dump-size=1048576
serial() { cat "$MNT/$1/serial"; }

# What every view says about card N's verdict, on one line.
views() { # card
	local h j m r
	h=$(head -n 1 "$MNT/$1/health" 2>/dev/null)
	j=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verdict"])' \
		"$MNT/$1/health.json" 2>/dev/null)
	m=$(sed -n "s/^ocxl_card_verdict{card=\"$1\",serial=\"[0-9]*\",verdict=\"\([a-z]*\)\"} 1$/\1/p" \
		"$MNT/metrics.prom")
	r=$(awk -v c="$1" '$2 == c { print $1 }' "$MNT/health")
	echo "health=[$h] json=[$j] metrics=[$m] root=[$r]"
}

# Waits until every view of card N says VERDICT and the reasons name RULE.
expect() { # card verdict rule
	# wait_until evaluates its condition in its own frame: globals, not $1.
	EXP_CARD=$1
	EXP_WANT="health=[verdict: $2] json=[$2] metrics=[$2] root=[$2]"
	wait_until '[ "$(views "$EXP_CARD")" = "$EXP_WANT" ]'
	if [ "$2" != ok ]; then
		grep -q "^reason: [a-z]* $3: " "$MNT/$1/health" ||
			fail "card $1: no $3 reason: $(cat "$MNT/$1/health")"
		grep -q "^$2 $1 $(serial "$1") .*$3: " "$MNT/health" ||
			fail "root health for card $1: $(cat "$MNT/health")"
		python3 -c 'import json,sys
h = json.load(open(sys.argv[1]))
assert any(r["rule"] == sys.argv[2] and r["level"] in ("warning", "critical", "fatal")
           for r in h["reasons"]), h' "$MNT/$1/health.json" "$3" ||
			fail "card $1: health.json reasons lack $3"
	fi
}

# A healthy card: ok everywhere, no reasons, the SMART lines after the verdict.
for c in 0 1 2 3; do expect $c ok; done
assert_eq "verdict: ok" "$(head -n 1 "$MNT/0/health")" "first line of health"
assert_eq 3 "$(grep -c ' id=0x' "$MNT/0/health")" "SMART lines of health"
assert_eq 3 "$(tail -n +2 "$MNT/0/health" | grep -c ' id=0x')" "SMART lines after the verdict"
assert_eq 4 "$(grep -c '^ok ' "$MNT/health")" "root health lines"
assert_eq "" "$(grep -v '^ok' "$MNT/health")" "grep -v ^ok on a healthy host"
ok "healthy cards: verdict ok in health, health.json, metrics.prom and the root health"

# Temperature against the card's limit (85 C), with a 10 C margin.
sim_ctl 0 inject "smart temperature 74"
expect 0 ok
sim_ctl 0 inject "smart temperature 75"
expect 0 warning temperature
sim_ctl 0 inject "smart temperature 90"
expect 0 critical temperature
assert_eq "critical 0" "$(head -n 1 "$MNT/health" | cut -d' ' -f1,2)" "root health: worst first"
assert_eq "critical 0 $(serial 0)" "$(grep -v '^ok' "$MNT/health" | cut -d' ' -f1-3)" "grep -v ^ok"
sim_ctl 0 inject "smart modelled"
expect 0 ok
ok "temperature: 75 C warns, 90 C is critical, worst card first in the root health"

# Life remaining: SMART 0xCA against its threshold 10 (margin 10) and the statistic.
sim_ctl 1 inject "smart life_remaining 20"
expect 1 warning smart
grep -q "^reason: warning life: 20% " "$MNT/1/health" || fail "life rule: $(cat "$MNT/1/health")"
sim_ctl 1 inject "smart life_remaining 10"
expect 1 critical smart
grep -q "^reason: critical life: 10% " "$MNT/1/health" || fail "life rule: $(cat "$MNT/1/health")"
sim_ctl 1 inject "smart modelled"
expect 1 ok
ok "life remaining: 20% warns, 10% is critical (SMART and statistics rules)"

# Failed heartbeats: a card status makes the heartbeat fail; clearing the
# fault leaves the failure shown until a heartbeat succeeds.
sim_ctl 2 fault "status 0x21"
write_once "$MNT/2/heartbeat" 1 2>/dev/null && fail "heartbeat succeeded with a status fault"
sim_ctl 2 fault none
expect 2 warning heartbeat
echo 1 >"$MNT/2/heartbeat" || fail "heartbeat after the fault"
expect 2 ok
ok "a failed heartbeat warns until one succeeds"

# Card states: fatal, unresponsive.  N/health fails as before (section
# 2.15); the root health and metrics.prom give the verdict.
sim_ctl 2 fault fatal-firmware
wait_until 'grep -q "^fatal 2 $(serial 2) state: fatal-firmware" "$MNT/health"'
wait_until 'grep -q "^ocxl_card_verdict{card=\"2\",serial=\"[0-9]*\",verdict=\"fatal\"} 1$" "$MNT/metrics.prom"'
assert_eq "fatal 2" "$(head -n 1 "$MNT/health" | cut -d' ' -f1,2)" "root health: fatal first"
# Once the snapshot read at "ok" above is past its second (3.2 rule 5).
wait_until '! cat "$MNT/2/health" >/dev/null 2>&1' || fail "health of a fatal card read"
sim_ctl 2 fault none
expect 2 ok
sim_ctl 2 fault hang
wait_until 'grep -q "^critical 2 $(serial 2) state: unresponsive" "$MNT/health"'
wait_until 'grep -q "^ocxl_card_verdict{card=\"2\",serial=\"[0-9]*\",verdict=\"critical\"} 1$" "$MNT/metrics.prom"'
sim_ctl 2 fault none
expect 2 ok
ok "card state: fatal-firmware is fatal, unresponsive is critical, both back to ok"

# Failure-type error-log entries of the last 24 hours: they stay.
sim_ctl 3 inject "errlog 3"
sleep 1.1
expect 3 ok
sim_ctl 3 inject "errlog thermal-warning"
expect 3 warning error_log
grep -q "^reason: warning error_log: 1 thermal-warning entry in the last 24 h$" "$MNT/3/health" ||
	fail "errlog rule: $(cat "$MNT/3/health")"
sim_ctl 3 inject "errlog predictive-failure"
expect 3 critical error_log
sim_ctl 3 inject "errlog data-loss"
wait_until 'grep -q "^ocxl_error_log_recent_failures{card=\"3\",serial=\"[0-9]*\",type=\"data-loss\"} 1$" "$MNT/metrics.prom"'
expect 3 critical error_log
ok "error log: a thermal warning warns, a predictive failure or data loss is critical"

# A state directory that cannot take writes: a dump cannot be stored.
dd if=/dev/zero of="$STATE/filler" bs=64k 2>/dev/null
sim_ctl 0 inject "dump 1048576"
expect 0 warning state_directory
wait_until 'grep -q "^ocxl_state_directory_writable{card=\"0\",serial=\"[0-9]*\"} 0$" "$MNT/metrics.prom"'
rm -f "$STATE/filler"
expect 0 ok
wait_until '[ "$(stat -c %s "$MNT/0/controller_dump" 2>/dev/null)" = 1048576 ]'
ok "a full state directory warns until the dump can be stored"

# A card that is gone is fatal; it stays in the root health.
if backend_is_sim; then sim_ctl 1 fault vanish; else harness_ctl unplug 1; fi
wait_until 'grep -q "^fatal 1 2020000001 state: gone" "$MNT/health"'
ok "a card that is gone is fatal in the root health"

umount_ocxlfs || fail "unmount"
finish
