#!/bin/bash
# What reaches the cards, counted in the daemon's trace (OCXLFS_TRACE,
# util/trace.h; one line per command, tagged with the requesting pid):
# a directory listing sends nothing to any card (docs/tree.md section
# 3.3), one read of a command-backed file sends its one command, and
# rereading a file sends at most one command per second (rule 5 of
# section 3.2).  Listings come in the documented order, unsorted: card
# directories by index (0, 1, ..., 11: a sorting `ls` would put 10 before
# 2), then by-serial, metrics.prom, events.json and health.
. "$(dirname "$0")/lib.sh"

export OCXLFS_TRACE=$WORK/trace
mount_ocxlfs --simulate=12

# Names in the order readdir returns them, one line; and the pid that read.
cat >"$WORK/listdir.py" <<'PY'
import os, sys
print(os.getpid())
for d in sys.argv[1:]:
    print(" ".join(os.listdir(d)))
PY
# Commands (and label reads) the trace has for process PID.
sent_for() { # pid
	grep -c "^[0-9]* request $1 \(cmd\|label\) " "$WORK/trace"
}

python3 "$WORK/listdir.py" "$MNT" >"$WORK/root"
want="0 1 2 3 4 5 6 7 8 9 10 11 by-serial metrics.prom events.json health$(backend_is_sim && echo ' sim')"
assert_eq "$want" "$(sed -n 2p "$WORK/root")" "root listing, in readdir order"
dirs=()
for k in $(seq 0 11); do dirs+=("$MNT/$k"); done
sleep 1.1 # every snapshot is stale: a listing that rendered one would send a command
python3 "$WORK/listdir.py" "$MNT" "${dirs[@]}" "$MNT/by-serial" >"$WORK/all"
pid=$(head -n 1 "$WORK/all")
assert_eq 0 "$(sent_for "$pid")" "commands sent for listing the root, 12 cards and by-serial"
ok "listings in index order, unsorted; listing every directory sends no command"

# One read of a stale file: exactly its command; again within 1 s: none.
cat >"$WORK/reads.py" <<'PY'
import os, sys, time
path, n = sys.argv[1], int(sys.argv[2])
pause = float(sys.argv[3]) if len(sys.argv) > 3 else 0
print(os.getpid())
t0 = time.monotonic()
for _ in range(n):
    with open(path, "rb") as f:
        f.read()
    time.sleep(pause)
print("%.3f" % (time.monotonic() - t0))
PY
one_read() { # file command [commands in all]
	local pid
	sleep 1.1
	python3 "$WORK/reads.py" "$MNT/0/$1" 1 >"$WORK/r"
	pid=$(head -n 1 "$WORK/r")
	assert_eq 1 "$(grep -c "^[0-9]* request $pid cmd [^ ]* $2 " "$WORK/trace")" "$2 commands for one read of $1"
	assert_eq "${3:-1}" "$(sent_for "$pid")" "commands for one read of $1"
}
one_read statistics stats
one_read statistics.json stats
# health: SMART, and STATS for the verdict's power-on clock (tree.md 2.8.1).
one_read health smart 2
one_read health.json smart 2
ok "one read of statistics(.json) sends its one command, of health(.json) its two"

# 150 reads of statistics 20 ms apart: at most one command per second.
sleep 1.1
python3 "$WORK/reads.py" "$MNT/0/statistics" 150 0.02 >"$WORK/r"
pid=$(head -n 1 "$WORK/r")
took=$(sed -n 2p "$WORK/r")
n=$(sent_for "$pid")
echo "# 150 reads of statistics in $took s: $n command(s)"
python3 -c 'import math, sys; sys.exit(0 if int(sys.argv[1]) <= math.floor(float(sys.argv[2])) + 1 else 1)' \
	"$n" "$took" || fail "$n commands for 150 reads in $took s"
ok "150 rereads of statistics send at most one command per second"

umount_ocxlfs || fail "daemon exit status"
finish
