#!/bin/bash
# Cards that come and go while mounted (docs/tree.md sections 1 and 4.3):
# three cards plugged in after the mount get the next free indexes, with
# their by-serial links and metrics.prom series; one unplugged disappears
# from listings, lookups and metrics.prom, and plugged back in gets its
# old index again (matched by serial).  What the kernel cached changes
# because the daemon tells it (the root's link count is cached for an
# hour otherwise).  Simulated cards are plugged through the root's sim/
# folder; under the kernel backend the harness plugs them, and the daemon
# finds them by its rescan (the harness has no udev), every 300 ms here.
. "$(dirname "$0")/lib.sh"

if backend_is_sim; then
	mount_ocxlfs --simulate=2
	plug() { write_once "$MNT/sim/plug" "$1" || fail "sim/plug $1"; }
	unplug() { write_once "$MNT/sim/unplug" "$1" || fail "sim/unplug $1"; }
	EXTRA=" sim"
	NSIM=1 # the root's sim/ adds a link
else
	HARNESS_UNPLUGGED="2 3 4" mount_ocxlfs --simulate=5 --rescan-interval=300
	plug() { harness_ctl plug "$1" || fail "harness plug $1"; }
	unplug() { harness_ctl unplug "$1" || fail "harness unplug $1"; }
	EXTRA=
	NSIM=0
fi

# The listing in readdir order, not sorted.
listing() { python3 -c 'import os, sys; print(" ".join(os.listdir(sys.argv[1])))' "$1"; }
series() { grep -c "^ocxl_card_up{card=\"$1\"" "$MNT/metrics.prom"; }

assert_eq "0 1 by-serial metrics.prom events.json health$EXTRA" "$(listing "$MNT")" "root before"
stat "$MNT/2" >/dev/null 2>&1 && fail "card 2 before it is plugged in"
assert_eq $((3 + 2 + NSIM)) "$(stat -c %h "$MNT")" "root link count before"
ok "two cards at the start; card 2 not there"

for n in 2 3 4; do plug $n; done
wait_until '[ "$(listing "$MNT")" = "0 1 2 3 4 by-serial metrics.prom events.json health$EXTRA" ]'
for n in 2 3 4; do
	assert_eq $((2020000000 + n)) "$(cat "$MNT/$n/serial")" "serial of card $n"
	assert_eq "../$n" "$(readlink "$MNT/by-serial/$((2020000000 + n))")" "by-serial link of card $n"
	wait_until "[ \"\$(series $n)\" = 1 ]"
done
assert_eq "2020000000 2020000001 2020000002 2020000003 2020000004" "$(listing "$MNT/by-serial")" \
	"by-serial"
assert_eq $((3 + 5 + NSIM)) "$(stat -c %h "$MNT")" "root link count"
ok "three cards plugged in: indexes 2, 3, 4, their links, their metrics.prom series"

unplug 3
wait_until '[ "$(listing "$MNT")" = "0 1 2 4 by-serial metrics.prom events.json health$EXTRA" ]'
stat "$MNT/3" >/dev/null 2>&1 && fail "card 3 is still looked up"
[ -e "$MNT/by-serial/2020000003" ] && fail "card 3's link is still there"
wait_until '[ "$(series 3)" = 0 ]'
assert_eq $((3 + 4 + NSIM)) "$(stat -c %h "$MNT")" "root link count after the unplug"
ok "card 3 unplugged: gone from listings, lookups and metrics.prom"

plug 3
wait_until '[ "$(listing "$MNT")" = "0 1 2 3 4 by-serial metrics.prom events.json health$EXTRA" ]'
assert_eq 2020000003 "$(cat "$MNT/3/serial")" "card 3's serial when back"
assert_eq "../3" "$(readlink "$MNT/by-serial/2020000003")" "card 3's link when back"
wait_until '[ "$(series 3)" = 1 ]'
grep -q '^id: \|^$' "$MNT/3/error_log" || [ ! -s "$MNT/3/error_log" ] || fail "card 3's error_log"
ok "card 3 plugged back: its old index, link and series"

if backend_is_sim; then
	sim_ctl 1 fault vanish
	wait_until '[ "$(listing "$MNT")" = "0 2 3 4 by-serial metrics.prom events.json health sim" ]'
	plug 1
	wait_until '[ "$(listing "$MNT")" = "0 1 2 3 4 by-serial metrics.prom events.json health sim" ]'
	assert_eq none "$(sim_ctl 1 fault)" "card 1's fault after sim/plug"
	for bad in "x" "-1" "1024" "1 2" " 1" "0x1"; do
		write_once "$MNT/sim/plug" "$bad" 2>/dev/null && fail "sim/plug accepted '$bad'"
	done
	write_once "$MNT/sim/unplug" 9 2>"$WORK/err" && fail "unplug of a card that is not there"
	grep -q "No such file or directory" "$WORK/err" || fail "unplug 9: $(cat "$WORK/err")"
	ok "sim/plug brings back a card that vanished; bad numbers are EINVAL"
fi

umount_ocxlfs || fail "daemon exit status"
finish
