#!/bin/bash
# Three hung cards under load do not slow the fourth (docs/tree.md section
# 4.2, docs/performance.md "Hung cards under load"): 15 readers keep
# re-opening the command-backed files of cards 1-3 while card 0's reads
# are timed over a window, once with nothing hung and once with cards 1-3
# hung, in the same mount.  A reader of a hung card fails fast instead of
# queueing on its lock, and the worker pool has room for the ones that do
# wait; without either, card 0's requests queue behind them for seconds.
# The bound is a generous ratio of the two arms measured here, plus a
# floor for scheduling noise, scaled for slow builds.
. "$(dirname "$0")/lib.sh"

mount_ocxlfs --simulate=4

cat >"$WORK/load.py" <<'PY'
import os, sys, time
mnt, stop = sys.argv[1], sys.argv[2]
files = ["state", "error_log", "statistics", "health", "labels"]
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
	local k pids=()
	for k in 1 2 3; do sim_ctl "$k" fault "$1"; done
	if [ "$1" = hang ]; then
		for k in 1 2 3; do
			wait_until "[ \"\$(cat '$MNT/$k/state')\" = unresponsive ]"
		done
	fi
	rm -f "$WORK/stop"
	for _ in $(seq 1 15); do
		python3 "$WORK/load.py" "$MNT" "$WORK/stop" &
		pids+=($!)
	done
	sleep 0.5 # the readers are at it
	python3 "$WORK/slowest.py" "$MNT" 2 >"$2" || fail "card 0 under '$1': $(cat "$2")"
	touch "$WORK/stop"
	for k in "${pids[@]}"; do
		timeout "$(scaled 30)" tail --pid="$k" -f /dev/null || fail "a reader did not stop"
	done
	for k in 1 2 3; do sim_ctl "$k" fault none; done
	for k in 1 2 3; do
		wait_until "[ \"\$(cat '$MNT/$k/state')\" = ready ]"
	done
}

arm none "$WORK/none"
arm hang "$WORK/hang"
read -r none_s none_n <"$WORK/none"
read -r hang_s hang_n <"$WORK/hang"
echo "# card 0's slowest read: ${none_s} s of $none_n with none hung, ${hang_s} s of $hang_n with 3 hung"
python3 -c '
import sys
none, hang, slow = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
sys.exit(0 if hang <= 20 * none + 0.25 * slow else 1)' "$none_s" "$hang_s" "$SLOWDOWN" ||
	fail "card 0 slowed by hung cards: ${hang_s} s against ${none_s} s (bound 20x + 0.25 s x $SLOWDOWN)"
ok "3 hung cards and 15 readers on them: card 0's slowest read within 20x of none hung (+0.25 s)"

umount_ocxlfs || fail "daemon exit status"
finish
