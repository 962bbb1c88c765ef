#!/bin/bash
# When the binary on disk cannot serve (docs/architecture.md section 5):
#   1. a worker that crashes at start 5 times in 10 s: every request gets
#      EIO at once (no hang), the log says why, and SIGHUP with a fixed
#      binary on disk brings the mount back, with what was open;
#   2. one that does not know the arena's version (exit status 11): the
#      supervisor runs the binary it is itself instead, and serves on;
#   3. an upgrade to a binary that crashes: the running one goes on.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/bin"
BUILT=$OCXLFS
OCXLFS=$WORK/bin/ocxlfs
cp "$BUILT" "$OCXLFS"
mount_ocxlfs --simulate=2
wait_worker

# put_on_disk SCRIPT-BODY|--built: what the next worker is started from, renamed into place.
put_on_disk() {
	if [ "$1" = --built ]; then
		cp "$BUILT" "$WORK/bin/ocxlfs.new"
	else
		printf '#!/bin/sh\n%s\n' "$1" >"$WORK/bin/ocxlfs.new"
		chmod +x "$WORK/bin/ocxlfs.new"
	fi
	mv "$WORK/bin/ocxlfs.new" "$OCXLFS"
}

# A read that must not hang: the timeout is only a guard.
read_guarded() { # file
	timeout 20 cat "$1" 2>&1
}

# A reader that holds health open across what follows: it reads 10 bytes
# now, the rest when told (a line on its stdin), and says whether it got
# st_size bytes.
coproc HOLDER {
	exec python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
size = os.fstat(fd).st_size
got = os.read(fd, 10)
print("ready", flush=True)
sys.stdin.readline()
while True:
    b = os.read(fd, 65536)
    if not b:
        break
    got += b
print("whole" if len(got) == size and got.endswith(b"\n") else "short %d of %d" % (len(got), size),
      flush=True)' "$MNT/1/health"
}
read -r line <&"${HOLDER[0]}"
assert_eq ready "$line" "the holder"

# ---- 1. a crash loop ----
put_on_disk 'kill -SEGV $$'
kill -KILL "$WORKER"
wait_until 'grep -q "the worker died 5 times in 10 s" "$WORK/daemon.log"'
out=$(read_guarded "$MNT/0/serial")
assert_eq "cat: $MNT/0/serial: Input/output error" "$out" "a read while crashing"
out=$(timeout 20 ls "$MNT" 2>&1)
case $out in *"Input/output error"*) ;; *) fail "listing while crashing: $out" ;; esac
grep -q "answers EIO to every request until a worker stays up" "$WORK/daemon.log" ||
	fail "the reason is not logged"
ok "5 crashes at start: requests get EIO at once, the log says why"

put_on_disk --built
kill -HUP "$OCXLFS_PID"
wait_until '[ "$(cat "$MNT/0/serial" 2>/dev/null)" = 2020000000 ]'
# The new worker may answer before the supervisor reads that it is ready,
# which is when the recovery is logged.
wait_until 'grep -q "a worker serves again" "$WORK/daemon.log"'
echo go >&"${HOLDER[1]}"
read -r line <&"${HOLDER[0]}"
assert_eq whole "$line" "the file held open across the crash loop"
ok "a fixed binary and SIGHUP: the mount serves again, a file held open reads on"

# ---- 2. a binary that does not know the arena ----
wait_worker
put_on_disk 'exit 11'
kill -KILL "$WORKER"
wait_worker "$WORKER"
assert_eq 2020000000 "$(read_guarded "$MNT/0/serial")" "serial after the fallback"
grep -q "does not know this mount's arena" "$WORK/daemon.log" || fail "fallback not logged"
[ "$(stat -L -c %i "/proc/$WORKER/exe")" = "$(stat -L -c %i "/proc/$OCXLFS_PID/exe")" ] ||
	fail "the worker does not run the supervisor's own binary"
ok "a binary on disk that does not know the arena: the supervisor's own serves"

# ---- 3. an upgrade to a binary that crashes ----
put_on_disk 'kill -SEGV $$'
kill -HUP "$OCXLFS_PID"
wait_until 'grep -q "upgrade: the binary on disk .* could not serve" "$WORK/daemon.log"'
wait_worker
assert_eq 2020000000 "$(read_guarded "$MNT/0/serial")" "serial after the failed upgrade"
kill -0 "$OCXLFS_PID" || fail "the supervisor died in the failed upgrade"
ok "an upgrade to a crashing binary: the running binary goes on serving"

umount_ocxlfs || fail "daemon exit status"
finish
