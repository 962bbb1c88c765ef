#!/bin/bash
# Power-loss order (docs/tree.md section 4.2, docs/protocol.md): a card is
# told an entry or a dump was taken only once the bytes are durable.  The
# daemon's trace (OCXLFS_TRACE, util/trace.h) lists every flush of the
# state directory and every command in the order they happened; this test
# reads it.  SIGKILL keeps the page cache, so only the order proves what a
# power cut would leave: delete a flush and its line is gone.
. "$(dirname "$0")/lib.sh"

export OCXLFS_TRACE=$WORK/trace
mount_ocxlfs --simulate=1 --sim-dump-size=262144
C=$MNT/0

# Entries drained one by one, a dump the card posts, and one asked for.
sim_ctl 0 inject "errlog 5"
wait_until '[ "$(grep -c "^id: " "$C/error_log")" = 5 ]'
sim_ctl 0 inject "dump 262144"
wait_until '[ "$(grep -c " cmd [^ ]* dump-complete " "$WORK/trace")" = 1 ]'
sim_ctl 0 inject "errlog 2"
wait_until '[ "$(grep -c "^id: " "$C/error_log")" = 7 ]'
echo dump >"$C/request" || fail "request dump"
wait_until '[ "$(grep -c " cmd [^ ]* dump-complete " "$WORK/trace")" = 2 ]'
wait_until '[ "$(grep -c " cmd [^ ]* errlog-ack " "$WORK/trace")" = 7 ]'
umount_ocxlfs || fail "daemon exit status"

# Every ERRLOG_ACK of log id N comes after the record of N was appended
# and a persist covering that record's bytes; the journal file and its
# directory entry were made durable before the first record.  Every
# DUMP_COMPLETE comes after the dump's file was synced, renamed into place
# and its directory synced, in that order, all since the previous one.
python3 - "$WORK/trace" >"$WORK/order" 2>&1 <<'EOF' || fail "order: $(cat "$WORK/order")"
import os, sys
ev = []
for line in open(sys.argv[1]):
    f = line.split()
    # NS CONTEXT EVENT ARGS, the context in two words (util/trace.h).
    ev.append((f[3], f[4:]))
acks = dumps = 0
last_complete = -1
for i, (what, a) in enumerate(ev):
    if what != "cmd":
        continue
    if a[1] == "errlog-ack":
        acks += 1
        log_id = a[2]
        app = [j for j in range(i) if ev[j][0] == "append" and ev[j][1][3] == log_id]
        if not app:
            sys.exit("ack of %s at line %d: never appended" % (log_id, i + 1))
        j = app[-1]
        path, off, n = ev[j][1][0], int(ev[j][1][1]), int(ev[j][1][2])
        if not any(ev[k][0] == "persist" and ev[k][1][0] == path and
                   int(ev[k][1][1]) <= off and
                   int(ev[k][1][1]) + int(ev[k][1][2]) >= off + n
                   for k in range(j + 1, i)):
            sys.exit("ack of %s at line %d: bytes %d+%d of %s not persisted since line %d"
                     % (log_id, i + 1, off, n, path, j + 1))
        first = min(k for k in range(len(ev)) if ev[k][0] == "append" and ev[k][1][0] == path)
        if not any(ev[k][0] == "persist" and ev[k][1][0] == path and ev[k][1][1] == "0"
                   for k in range(first)):
            sys.exit("%s: no header persisted before its first record" % path)
        if not any(ev[k][0] == "fsync" and ev[k][1][0] == os.path.dirname(path)
                   for k in range(first)):
            sys.exit("%s: its directory not synced before its first record" % path)
    elif a[1] == "dump-complete":
        dumps += 1
        since = range(last_complete + 1, i)
        ren = [k for k in since if ev[k][0] == "rename"]
        if not ren:
            sys.exit("dump-complete at line %d: no dump renamed into place" % (i + 1))
        r = ren[-1]
        d = os.path.dirname(ev[r][1][0])
        if not any(ev[k][0] == "fsync" and os.path.dirname(ev[k][1][0]) == d and
                   ev[k][1][0] != d for k in range(last_complete + 1, r)):
            sys.exit("dump-complete at line %d: the dump file not synced before its rename"
                     % (i + 1))
        if not any(ev[k][0] == "fsync" and ev[k][1][0] == d for k in range(r + 1, i)):
            sys.exit("dump-complete at line %d: %s not synced after the rename" % (i + 1, d))
        last_complete = i
print("%d acks, %d dump completions in order" % (acks, dumps))
if acks != 7 or dumps != 2:
    sys.exit("expected 7 acks and 2 dump completions")
EOF
echo "# $(cat "$WORK/order")"
ok "every ERRLOG_ACK after its record's persist, every DUMP_COMPLETE after fsync, rename, fsync"
finish
