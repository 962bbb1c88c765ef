#!/bin/bash
# No scrape waits on a card (docs/json.md section 6): with card 1 at 20 s a
# command and cards 2 and 3 hung, metrics.prom, the root listing and the
# sim/ files answer from what each card last answered, ocxl_card_up and
# ocxl_card_data_age_seconds say which card is behind.  A hung card's log
# is a line when it starts and one when it ends, with its duration
# (docs/tree.md section 5.6), however many event checks failed meanwhile.
# Every `timeout` here is a hang guard only.
. "$(dirname "$0")/lib.sh"

GUARD=60
mount_ocxlfs --simulate=4
wait_until 'grep -q "^ocxl_card_up{card=\"3\",serial=\"[0-9]*\"} 1$" "$MNT/metrics.prom"'

sim_ctl 1 fault "delay 20000"
sim_ctl 2 fault hang
sim_ctl 3 fault hang
HUNG_AT=$(date +%s)
# Each hung card is found by the monitor's next event check.
wait_until '[ "$(cat "$MNT/2/state")" = unresponsive ] && [ "$(cat "$MNT/3/state")" = unresponsive ]'

prom() { timeout "$GUARD" cat "$MNT/metrics.prom" >"$WORK/prom" || fail "metrics.prom: $1"; }
prom "while cards are sick"
for c in 2 3; do
	wait_until 'prom again; grep -q "^ocxl_card_up{card=\"'$c'\",serial=\"[0-9]*\"} 0$" "$WORK/prom"'
	grep -q "^ocxl_card_state{card=\"$c\",serial=\"[0-9]*\",state=\"unresponsive\"} 1$" "$WORK/prom" ||
		fail "card $c state series"
	grep -q "^ocxl_host_loads_total{card=\"$c\",serial=\"[0-9]*\"}" "$WORK/prom" &&
		fail "card $c: samples of a card that does not answer"
done
# Card 0 is well, card 1 answered its last commands (slowly): both have samples.
for c in 0 1; do
	grep -q "^ocxl_card_up{card=\"$c\",serial=\"[0-9]*\"} 1$" "$WORK/prom" || fail "card $c up"
	grep -q "^ocxl_host_loads_total{card=\"$c\",serial=\"[0-9]*\"} [0-9]" "$WORK/prom" ||
		fail "card $c statistics from its last answer"
done
for c in 0 1 2 3; do
	grep -Eq "^ocxl_card_data_age_seconds\{card=\"$c\",serial=\"[0-9]+\"\} [0-9]+\.[0-9]{3}$" "$WORK/prom" ||
		fail "card $c: data age series"
done
grep -q "^# TYPE ocxl_card_data_age_seconds gauge$" "$WORK/prom" || fail "age family type"
ok "metrics.prom: up 0 and no samples for the hung cards, the slow card's last answers, every card's data age"

timeout "$GUARD" ls "$MNT" >"$WORK/ls" || fail "root listing while cards are sick"
grep -qx 3 "$WORK/ls" || fail "card 3 listed"
if backend_is_sim; then
	assert_eq hang "$(timeout "$GUARD" cat "$MNT/2/sim/fault")" "sim/fault of a hung card"
	# Card 1's monitor is inside a 20 s command now or soon: the fault answers.
	assert_eq "delay 20000" "$(timeout "$GUARD" cat "$MNT/1/sim/fault")" "sim/fault of the slow card"
fi
ok "the root listing and sim/fault answer while a command of the card runs"

# A hang of a few seconds: many failed event checks; a line when it starts
# and one when it ends, and the event stream's (docs/tree.md section 5.6).
sleep 8
sim_ctl 2 fault none
sim_ctl 3 fault none
sim_ctl 1 fault none
wait_until '[ "$(cat "$MNT/2/state")" = ready ]'
wait_until 'grep -q "card 2: unresponsive for [0-9]* s, recovered" "$WORK/daemon.log"'
secs=$(sed -n 's/.*card 2: unresponsive for \([0-9]*\) s, recovered.*/\1/p' "$WORK/daemon.log")
[ "$secs" -ge 5 ] && [ "$secs" -le $(($(date +%s) - HUNG_AT + 1)) ] ||
	fail "duration of the hang: '$secs' s"
grep -q "card 2: unresponsive: " "$WORK/daemon.log" || fail "the start of the hang is logged"
lines=$(grep -c "card 2[ :]" "$WORK/daemon.log")
[ "$lines" -le 4 ] || { grep "card 2[ :]" "$WORK/daemon.log"; fail "$lines log lines about a hung card"; }
ok "a hang of $secs s: $lines log lines about it, its duration logged once when it ended"

wait_until 'grep -q "^ocxl_card_up{card=\"2\",serial=\"[0-9]*\"} 1$" "$MNT/metrics.prom"'
ok "the recovered card is up again in metrics.prom"
umount_ocxlfs || fail "clean unmount"
finish
