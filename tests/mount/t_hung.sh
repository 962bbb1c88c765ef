#!/bin/bash
# Three hung cards under load do not slow the fourth (docs/tree.md section
# 4.2, docs/performance.md "Hung cards under load"): 15 readers keep
# re-opening the command-backed files of cards 1-3 while card 0's reads
# are timed over a window, once with nothing hung and once with cards 1-3
# hung, in the same mount.  A reader of a hung card fails fast instead of
# queueing on its lock, and the worker pool has room for the ones that do
# wait (slow cards, whose readers do wait); without either, card 0's
# requests queue behind them for seconds.
# The bound is a generous ratio of the two arms measured here, plus a
# floor for scheduling noise, scaled for slow builds.
. "$(dirname "$0")/lib.sh"

export OCXLFS_TRACE=$WORK/trace
mount_ocxlfs --simulate=4

cat >"$WORK/load.py" <<'PY'
import os, sys, time
mnt, stop = sys.argv[1], sys.argv[2]
files = sys.argv[3].split(",")
while not os.path.exists(stop):
    for card in (1, 2, 3):
        for f in files:
            try:
                with open("%s/%d/%s" % (mnt, card, f), "rb") as fh:
                    fh.read(4096)
            except OSError:
                pass
    time.sleep(0.02)
PY
# Card 0's slowest open+read of statistics and state within SECONDS, in s.
cat >"$WORK/slowest.py" <<'PY'
import sys, time
mnt, seconds = sys.argv[1], float(sys.argv[2])
end, worst, n = time.monotonic() + seconds, 0.0, 0
while time.monotonic() < end:
    for f in ("statistics", "state"):
        t0 = time.monotonic()
        with open("%s/0/%s" % (mnt, f), "rb") as fh:
            if not fh.read():
                sys.exit("card 0 %s: empty" % f)
        worst = max(worst, time.monotonic() - t0)
        n += 1
print("%.6f %d" % (worst, n))
PY

arm() { # fault-of-cards-1-3 out
	local k pids=() files=state,error_log,statistics,health,labels
	# On slow cards one file each: a reader's round stays a few seconds.
	[ "$1" = none ] || [ "$1" = hang ] || files=statistics
	for k in 1 2 3; do sim_ctl "$k" fault "$1"; done
	if [ "$1" = hang ]; then
		for k in 1 2 3; do
			wait_until "[ \"\$(cat '$MNT/$k/state')\" = unresponsive ]"
		done
	fi
	rm -f "$WORK/stop"
	for _ in $(seq 1 15); do
		python3 "$WORK/load.py" "$MNT" "$WORK/stop" "$files" &
		pids+=($!)
	done
	from=$(wc -l <"$WORK/trace")
	sleep 0.5 # the readers are at it
	python3 "$WORK/slowest.py" "$MNT" 2 >"$2" || fail "card 0 under '$1': $(cat "$2")"
	touch "$WORK/stop"
	# Readers of a card known to be hung fail at once: none queues for it.
	if [ "$1" = hang ]; then
		assert_eq 0 "$(tail -n +"$from" "$WORK/trace" | grep -c '^[0-9]* request [0-9]* wait ')" \
			"readers that queued for a hung card"
	fi
	# Readers queued on a slow card finish their round in seconds: stop them now.
	kill -KILL "${pids[@]}" 2>/dev/null
	for k in "${pids[@]}"; do
		timeout "$(scaled 60)" tail --pid="$k" -f /dev/null || fail "a reader did not stop"
	done
	for k in 1 2 3; do sim_ctl "$k" fault none; done
	for k in 1 2 3; do
		wait_until "[ \"\$(cat '$MNT/$k/state')\" = ready ]"
	done
}

within() { # arm-file what
	local s n
	read -r s n <"$1"
	echo "# card 0's slowest read: ${none_s} s of $none_n with none hung, $s s of $n with $2"
	python3 -c '
import sys
none, arm, slow = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
sys.exit(0 if arm <= 20 * none + 0.25 * slow else 1)' "$none_s" "$s" "$SLOWDOWN" ||
		fail "card 0 slowed by $2: $s s against ${none_s} s (bound 20x + 0.25 s x $SLOWDOWN)"
}

arm none "$WORK/none"
read -r none_s none_n <"$WORK/none"
arm hang "$WORK/hang"
within "$WORK/hang" "3 hung cards"
ok "3 hung cards and 15 readers on them: card 0's slowest read within 20x of none hung (+0.25 s)"

# Slow, not hung: a reader waits for the card (it is not known to be
# sick), and each waiting reader holds a worker thread; the pool has room
# for them besides card 0's requests.
arm "delay 1000" "$WORK/slow"
within "$WORK/slow" "3 cards at 1 s a command"
ok "3 slow cards and 15 readers waiting on them: card 0's slowest read within 20x of none hung (+0.25 s)"

umount_ocxlfs || fail "daemon exit status"
finish
