#!/bin/bash
# Pinned snapshots (docs/tree.md section 3.2, rules 3 and 4): a descriptor
# reads the snapshot it opened, whole, long after the snapshot's 1 s
# lifetime and after the card has something new; while it is held, every
# other opener sees that same snapshot.  Once it is closed, the next open
# more than 1 s later shows what is new.
. "$(dirname "$0")/lib.sh"

mount_ocxlfs --simulate=1 --sim-errlogs=2
C=$MNT/0

# holder FILE OUT: opens FILE, writes its bytes to OUT.first, touches
# OUT.ready, waits for OUT.go, then reads the same descriptor again from
# offset 0 (the pages dropped first, so the daemon answers) into
# OUT.again, and its fstat size into OUT.size.
cat >"$WORK/holder.py" <<'PY'
import os, sys, time
path, out = sys.argv[1], sys.argv[2]
def whole(fd):
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    data, off = b"", 0
    while True:
        b = os.pread(fd, 65536, off)
        if not b:
            return data
        data, off = data + b, off + len(b)
fd = os.open(path, os.O_RDONLY)
open(out + ".first", "wb").write(whole(fd))
open(out + ".ready", "w").close()
while not os.path.exists(out + ".go"):
    time.sleep(0.05)
open(out + ".again", "wb").write(whole(fd))
open(out + ".size", "w").write("%d\n" % os.fstat(fd).st_size)
os.close(fd)
PY

for f in error_log error_log.json; do
	h=$WORK/$f
	python3 "$WORK/holder.py" "$C/$f" "$h" &
	holder=$!
	wait_until "[ -e '$h.ready' ]"
	grep -q . "$h.first" || fail "$f: empty at first"
	# Something new on the card, and the snapshot's lifetime long past.
	sim_ctl 0 inject errlog
	sleep 1.5
	cat "$C/$f" >"$WORK/other" || fail "$f: another reader"
	cmp -s "$h.first" "$WORK/other" || fail "$f: another opener did not see the held snapshot"
	touch "$h.go"
	wait "$holder" || fail "$f: the holder"
	cmp -s "$h.first" "$h.again" || fail "$f: the held descriptor read other bytes after 1.5 s"
	assert_eq "$(stat -c %s "$h.first")" "$(cat "$h.size")" "$f: fstat of the held descriptor"
	# Closed: the next open after the lifetime shows the new entry.
	wait_until "! cmp -s '$h.first' '$C/$f'"
done
assert_eq 4 "$(grep -c "^id: " "$C/error_log")" "entries once nothing is held (2 + 1 per file)"
ok "a held descriptor reads its snapshot after the lifetime; others see it too; closed, the new one shows"

umount_ocxlfs || fail "daemon exit status"
finish
