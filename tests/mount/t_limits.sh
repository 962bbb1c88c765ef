#!/bin/bash
# Bounds on what callers can make the daemon hold: open files (EMFILE),
# snapshot memory (ENOMEM) and dump size (EFBIG), each set low here with
# the option an admin would use, and each leaving the daemon serving.
. "$(dirname "$0")/lib.sh"

mount_ocxlfs --simulate=2 --sim-errlogs=50 --sim-dump-size=1048576 \
	--max-open=20 --max-snapshot-size=8192 --max-dump-size=65536
C=$MNT/0

# ---- open files ----
python3 - "$C/serial" <<'PY' || fail "open files limit"
import errno, os, sys
fds = []
try:
    while len(fds) < 100:
        fds.append(os.open(sys.argv[1], os.O_RDONLY))
except OSError as e:
    assert e.errno == errno.EMFILE, e
assert len(fds) == 20, len(fds)
os.close(fds.pop())
fds.append(os.open(sys.argv[1], os.O_RDONLY))  # one slot freed, one open again
for fd in fds:
    os.close(fd)
PY
grep -q '^2020000000$' "$C/serial" || fail "serial after the EMFILE storm"
ok "--max-open=20: the 21st open fails with EMFILE, closing one frees a slot"

# ---- snapshot memory ----
grep -q '^host_load_count: ' "$C/statistics" || fail "statistics within the limit"
cat "$C/error_log" >/dev/null 2>"$WORK/err" && fail "a 50-entry error_log fit in 8 KiB"
grep -q "Cannot allocate memory" "$WORK/err" || fail "error_log: $(cat "$WORK/err")"
grep -q "snapshot memory limit" "$WORK/daemon.log" || fail "the refusal was not logged"
grep -q '^host_load_count: ' "$MNT/1/statistics" || fail "card 1 after ENOMEM"
ok "--max-snapshot-size: a snapshot that would pass it is ENOMEM; small files still served"

# ---- dump size ----
echo dump 2>"$WORK/err" >"$C/request" && fail "a dump request over the limit was sent"
grep -q "File too large" "$WORK/err" || fail "request dump: $(cat "$WORK/err")"
sim_ctl 0 inject "dump 100000"
for _ in $(seq 1 30); do
	grep -q "left on the card" "$WORK/daemon.log" && break
	sleep 0.1
done
grep -q "left on the card" "$WORK/daemon.log" || fail "an oversized dump was not refused"
sleep 1.5 # a second monitor pass: still refused, logged once
assert_eq 1 "$(grep -c "left on the card" "$WORK/daemon.log")" "refusals logged"
assert_eq 0 "$(stat -c %s "$C/controller_dump")" "controller_dump after a refused collection"
assert_eq 0 "$(find "$STATE" -name 'dump-*' | wc -l)" "dump files written"
ok "--max-dump-size: request is EFBIG, an offered larger dump stays on the card, logged once"

kill -0 "$OCXLFS_PID" || fail "the daemon died"
umount_ocxlfs || fail "daemon exit status"

# ---- open files per user: one user, or several, cannot lock root out ----
chmod 0711 "$WORK"
mount_ocxlfs --simulate=2 -o allow_other --max-open=64 --max-open-per-user=16
# hold UID: opens files as UID until EMFILE and keeps them; prints how many.
# The system's python: another user may not reach root's own interpreter.
USER_PY=/usr/bin/python3
[ -x "$USER_PY" ] || USER_PY=python3
hold() {
	local fd
	mkfifo "$WORK/hold.$1"
	setpriv --reuid="$1" --regid="$1" --clear-groups "$USER_PY" -c '
import errno, os, sys
fds = []
try:
    while len(fds) < 1000:
        fds.append(os.open(sys.argv[1], os.O_RDONLY))
except OSError as e:
    if e.errno != errno.EMFILE:
        print("error %r" % e, flush=True)
        sys.exit(1)
print(len(fds), flush=True)
sys.stdin.readline()' "$MNT/0/serial" <"$WORK/hold.$1" >"$WORK/held.$1" &
	# Its stdin stays open until we say: then it closes everything.
	exec {fd}>"$WORK/hold.$1"
	HOLDERS+=("$fd")
	wait_until "[ -s '$WORK/held.$1' ]"
	HELD=$(cat "$WORK/held.$1")
}
root_reads_everything() {
	local f
	for f in $(tree_files "$MNT"); do
		cat "$f" >/dev/null || fail "root cannot read $f: $1"
	done
}
HOLDERS=()
hold 65534
assert_eq 16 "$HELD" "files nobody could open"
root_reads_everything "while nobody holds its share"
ok "--max-open-per-user=16: nobody gets EMFILE at 16; root reads every file"

# Three users use up all but the reserve (a quarter of 64): a fourth gets
# nothing, root still reads every file.
hold 1
assert_eq 16 "$HELD" "files uid 1 could open"
hold 2
assert_eq 16 "$HELD" "files uid 2 could open"
hold 3
assert_eq 0 "$HELD" "files uid 3 could open with only the reserve left"
root_reads_everything "while three users hold all but the reserve"
for fd in "${HOLDERS[@]}"; do echo >&"$fd"; done
wait_until 'setpriv --reuid=3 --regid=3 --clear-groups cat "$MNT/0/serial" >/dev/null 2>&1'
ok "the other users together leave root a reserve of 16; closing gives it back"
umount_ocxlfs || fail "daemon exit status"
finish
