#!/bin/bash
# Power-loss order (docs/tree.md sections 2.6, 2.9, 5.4 and 5.5): a card is
# told an entry or a dump was taken only once the bytes are durable.  The
# daemon's trace (OCXLFS_TRACE, util/trace.h) lists every flush of the
# state directory and every command in the order they happened; this test
# reads it.  SIGKILL keeps the page cache, so only the order proves what a
# power cut would leave: delete a flush and its line is gone.
. "$(dirname "$0")/lib.sh"

export OCXLFS_TRACE=$WORK/trace
mount_ocxlfs --simulate=1 --sim-dump-size=262144
C=$MNT/0

# Entries drained one by one, a dump the card posts, and one asked for;
# then two full queues, which grow the journal file and rotate it once
# (1 MiB, about 7,500 entries: docs/tree.md section 5.4).
acks() { grep -c " cmd [^ ]* errlog-ack " "$WORK/trace"; }
sim_ctl 0 inject "errlog 5"
wait_until '[ "$(grep -c "^id: " "$C/error_log")" = 5 ]'
sim_ctl 0 inject "dump 262144"
wait_until '[ "$(grep -c " cmd [^ ]* dump-complete " "$WORK/trace")" = 1 ]'
sim_ctl 0 inject "errlog 2"
wait_until '[ "$(grep -c "^id: " "$C/error_log")" = 7 ]'
echo dump >"$C/request" || fail "request dump"
wait_until '[ "$(grep -c " cmd [^ ]* dump-complete " "$WORK/trace")" = 2 ]'
wait_until '[ "$(acks)" = 7 ]'
sim_ctl 0 inject "errlog 4096"
wait_until '[ "$(acks)" = 4103 ]'
sim_ctl 0 inject "errlog 4096"
wait_until '[ "$(acks)" = 8199 ]'
umount_ocxlfs || fail "daemon exit status"

# One pass over the trace.  Every ERRLOG_ACK of log id N comes after the
# record of N was appended and a persist covering its bytes, and after a
# sync of the file since any allocation the record lies in (the length
# that makes it reachable).  A journal file's header and its directory
# entry are durable before its first record: the first file's and each
# one a rotation starts.  A rotated file is synced after its last record
# and before its rename.  Every DUMP_COMPLETE comes after the dump's file
# was synced, renamed into place and its directory synced, in that order,
# all since the previous one.
python3 - "$WORK/trace" >"$WORK/order" 2>&1 <<'EOF' || fail "order: $(cat "$WORK/order")"
import os, re, sys
from collections import defaultdict

class File:
    """What the trace said of one journal file (a path, until it rotates)."""
    def __init__(self):
        self.header = self.dir_synced = self.records = False
        self.unsynced = []              # allocations since the last fsync
        self.synced_since_append = True
        self.pending = {}               # log id -> [off, len, persisted, length synced]

files = defaultdict(File)
acks = dumps = rotations = grown = 0
since_complete = []                     # events since the last DUMP_COMPLETE
appended_to = {}                        # log id -> path of its last append
for n, line in enumerate(open(sys.argv[1]), 1):
    f = line.split()
    # NS CONTEXT EVENT ARGS, the context in two words (util/trace.h).
    what, a = f[3], f[4:]
    since_complete.append((what, a))
    if what == "allocate":
        files[a[0]].unsynced.append((int(a[1]), int(a[2])))
        grown += int(a[1]) > 0 and os.path.basename(a[0]) == "errlog.journal"
    elif what == "fsync":
        for path, jf in files.items():
            if path == a[0]:
                jf.unsynced = []
                jf.synced_since_append = True
                for p in jf.pending.values():
                    p[3] = True
            elif os.path.dirname(path) == a[0]:
                jf.dir_synced = True
    elif what == "persist":
        jf, off, ln = files[a[0]], int(a[1]), int(a[2])
        jf.header |= off == 0
        for p in jf.pending.values():
            if off <= p[0] and off + ln >= p[0] + p[1]:
                p[2] = True
    elif what == "append":
        path, off, ln, log_id = a[0], int(a[1]), int(a[2]), a[3]
        jf = files[path]
        if not jf.records:
            if not jf.header:
                sys.exit("%s, line %d: no header persisted before its first record" % (path, n))
            if not jf.dir_synced:
                sys.exit("%s, line %d: its directory not synced before its first record"
                         % (path, n))
            jf.records = True
        in_new_space = any(s < off + ln and off < s + l for s, l in jf.unsynced)
        jf.pending[log_id] = [off, ln, False, not in_new_space]
        jf.synced_since_append = False
        appended_to[log_id] = path
    elif what == "rename":
        m = re.fullmatch(r"(.*/errlog\.journal)\.\d+", a[0])
        if m:
            rotations += 1
            if not files[m[1]].synced_since_append:
                sys.exit("line %d: %s renamed to %s without a sync after its last record"
                         % (n, m[1], a[0]))
            files[m[1]] = File()
    elif what == "cmd" and a[1] == "errlog-ack":
        acks += 1
        log_id = a[2]
        path = appended_to.get(log_id)
        if path is None or log_id not in files[path].pending:
            sys.exit("ack of %s at line %d: not appended since the last rotation" % (log_id, n))
        off, ln, persisted, length_synced = files[path].pending.pop(log_id)
        if not persisted:
            sys.exit("ack of %s at line %d: bytes %d+%d of %s not persisted"
                     % (log_id, n, off, ln, path))
        if not length_synced:
            sys.exit("ack of %s at line %d: %s not synced since the allocation its record is in"
                     % (log_id, n, path))
    elif what == "cmd" and a[1] == "dump-complete":
        dumps += 1
        ev = since_complete
        ren = [k for k, e in enumerate(ev) if e[0] == "rename" and "/dump" in e[1][0]]
        if not ren:
            sys.exit("dump-complete at line %d: no dump renamed into place" % n)
        r = ren[-1]
        d = os.path.dirname(ev[r][1][0])
        if not any(e[0] == "fsync" and os.path.dirname(e[1][0]) == d and e[1][0] != d
                   for e in ev[:r]):
            sys.exit("dump-complete at line %d: the dump file not synced before its rename" % n)
        if not any(e[0] == "fsync" and e[1][0] == d for e in ev[r + 1:]):
            sys.exit("dump-complete at line %d: %s not synced after the rename" % (n, d))
        since_complete = []
print("%d acks, %d dump completions, %d journal growths, %d rotation(s) in order"
      % (acks, dumps, grown, rotations))
if acks != 8199 or dumps != 2 or rotations != 1 or grown < 4:
    sys.exit("expected 8199 acks, 2 dump completions, 1 rotation and 4 or more growths")
EOF
echo "# $(cat "$WORK/order")"
ok "each ERRLOG_ACK after its record's persist and length sync; rotations synced; each DUMP_COMPLETE after fsync, rename, fsync"
finish
