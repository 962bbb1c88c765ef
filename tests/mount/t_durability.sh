#!/bin/bash
# Nothing is lost: what a card hands over only once survives kill -9.
#
# 1. A card with 1000 queued error-log entries is drained while error_log
#    is read, and the daemon (supervisor and worker) is killed (SIGKILL) at
#    20 random moments,
#    each time recovered with `fusermount3 -u` as the README says.  After
#    every kill, the journal and the card's queue are inspected offline:
#    nothing was acknowledged before it was persisted, and together they
#    hold every entry.  At the end error_log has ids 1..1000, once each.
# 2. A damaged journal (a flipped byte, a cut) is recovered up to the last
#    good record, and the daemon logs what it dropped.
# 3. A card that reuses log ids for new entries loses none of them.
# 4. A 64 MiB dump collection killed mid-way is collected whole after the
#    restart and matches what the simulated card generates.
#
# OCXLFS_TEST_SEED=<n> picks other random moments.
. "$(dirname "$0")/lib.sh"

SEED=${OCXLFS_TEST_SEED:-4099}
RANDOM=$SEED
echo "$T_NAME: seed $SEED"
N=1000
KILLS=20
CARD=$SIM/card0.state

# Offline views of the journal (docs/tree.md 5.3) and of the simulated
# card's state file (src/sim/sim_state.h), for the moments when no daemon
# runs.  One python3 for the whole test (it starts slowly on a busy
# machine): a coprocess that answers each command with one line.
cat >"$WORK/inspect.py" <<'PY'
import os, struct, sys, zlib

REC_MAGIC = 0x31524C45  # "ELR1"

def records(buf, off, resync=False):
    """Valid journal records from off: (offset, log id, payload)."""
    out = []
    while off + 16 <= len(buf):
        magic, length, lid, crc = struct.unpack_from('<IIII', buf, off)
        end = off + 16 + ((length + 7) & ~7)
        payload = buf[off + 16:off + 16 + length]
        if (magic == REC_MAGIC and end <= len(buf) and
                zlib.crc32(struct.pack('<II', lid, length) + payload) == crc):
            out.append((off, lid, payload))
            off = end
        elif resync:
            off += 8
        else:
            break
    return out

def journal(path):
    buf = open(path, 'rb').read()
    if buf[:8] != b'OCXLJRN1':
        raise ValueError('journal header changed')
    return records(buf, 32)

def card(path):
    h = open(path, 'rb').read(128)
    f = struct.unpack_from('=QIIQIIIIQQQQQQQQ', h)
    if f[0] != 0x314D49534C58434F or f[1] != 1:
        raise ValueError('simulator state layout changed')
    return dict(serial=f[3], head=f[11], tail=f[12], dump_seq=f[13], dump_len=f[14],
                dump_avail=f[15])

def splitmix64(x):
    m = (1 << 64) - 1
    x = (x + 0x9E3779B97F4A7C15) & m
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & m
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & m
    return x ^ (x >> 31)

def dump_word(c, w):
    """Word w of the simulated card's current dump (src/sim/sim.c)."""
    fixed = {0: 0x504D5544534C5843, 1: c['dump_seq'], 2: c['dump_len'], 3: c['serial']}
    if w in fixed:
        return fixed[w]
    return splitmix64(((c['dump_seq'] << 40) ^ (c['serial'] << 20) ^ w) & ((1 << 64) - 1))

def run(cmd, *a):
    if cmd == 'journal':  # "<records> <1 if their ids are 1..records in order>"
        ids = [lid for _, lid, _ in journal(a[0])]
        return '%d %d' % (len(ids), ids == list(range(1, len(ids) + 1)))
    if cmd == 'card':  # "head tail dump_seq dump_len dump_avail"
        c = card(a[0])
        return '%d %d %d %d %d' % (c['head'], c['tail'], c['dump_seq'], c['dump_len'],
                                   c['dump_avail'])
    if cmd == 'offsets':  # each record's offset
        return ' '.join(str(o) for o, _, _ in journal(a[0]))
    if cmd == 'flip':  # flips one payload byte of record a[1] (0-based)
        off, _, payload = journal(a[0])[int(a[1])]
        at = off + 16 + int(a[2]) % len(payload)
        with open(a[0], 'r+b') as f:
            f.seek(at)
            b = f.read(1)[0]
            f.seek(at)
            f.write(bytes([b ^ 0x5A]))
        return str(at)
    if cmd == 'scan':  # ids of the intact records anywhere in a file
        buf = open(a[0], 'rb').read()
        return ' '.join(str(lid) for _, lid, _ in records(buf, 0, True))
    if cmd == 'dump':  # "<words checked> <words wrong>" against the generator
        c, r = card(a[1]), int(a[2])
        size, chunk, bad, checked = os.path.getsize(a[0]), 32768, 0, 0
        words = set(range(0, chunk // 8)) | set(range((size - chunk) // 8, size // 8))
        for base in range(0, size, chunk):  # both ends of every chunk, one word inside
            r = splitmix64(r)
            words |= {base // 8, (base + chunk) // 8 - 1, base // 8 + r % (chunk // 8)}
        fd = os.open(a[0], os.O_RDONLY)
        for w in sorted(x for x in words if x * 8 < size):
            if os.pread(fd, 8, w * 8) != struct.pack('<Q', dump_word(c, w)):
                bad += 1
            checked += 1
        os.close(fd)
        return '%d %d' % (checked, bad)
    raise ValueError('unknown command ' + cmd)

for line in sys.stdin:
    try:
        print(run(*line.split()), flush=True)
    except Exception as e:
        print('ERROR %r' % e, flush=True)
PY
coproc INSPECTOR { exec python3 "$WORK/inspect.py"; }

# inspect CMD ARGS...: the answer in $INS.  Not in a subshell, which would
# not have the coprocess's descriptors.
inspect() {
	echo "$*" >&"${INSPECTOR[1]}" || fail "inspector gone"
	read -r INS <&"${INSPECTOR[0]}" || fail "inspector gone"
	case $INS in ERROR*) fail "inspect $*: $INS" ;; esac
}

ids_of() { grep '^id: ' "$1" | cut -d' ' -f2; }

# SIGKILL to the supervisor and the worker (the card's state file is
# inspected with no daemon running), then recover the dead mount exactly
# as the README documents.
kill_daemon() {
	kill_daemon_all
	if [ -n "${READER:-}" ]; then
		wait "$READER" 2>/dev/null
		READER=
	fi
	ls "$MNT" 2>&1 | grep -q "Transport endpoint is not connected" ||
		fail "a killed daemon's mount should answer ENOTCONN"
	"$FUSERMOUNT" -u "$MNT" || fail "'$FUSERMOUNT -u' did not recover the mount"
	mountpoint -q "$MNT" && fail "still mounted after '$FUSERMOUNT -u'"
}

# ---- 1. kill -9 while draining 1000 entries ----
SIMOPTS="--simulate=1 --sim-latency-us=3000"
mount_ocxlfs $SIMOPTS --sim-errlogs=$N
SERIAL=$(cat "$MNT/0/serial")
JRN=$STATE/$SERIAL/errlog.journal
partial=0
unacked=0
for k in $(seq 1 $KILLS); do
	[ "$k" = 1 ] || mount_ocxlfs $SIMOPTS
	cat "$MNT/0/error_log" >/dev/null 2>&1 &
	READER=$!
	sleep "0.$(printf '%03d' $((RANDOM % 400)))"
	kill_daemon

	inspect journal "$JRN"
	read -r jn jok <<<"$INS"
	inspect card "$CARD"
	read -r head tail _ <<<"$INS"
	assert_eq "1 $N" "$jok $tail" "kill $k: journal ids in order, card queue end"
	# Acknowledged only once persisted; at most one persisted but not acknowledged.
	[ "$head" -le "$jn" ] || fail "kill $k: card forgot $head entries, journal holds $jn"
	[ "$jn" -le $((head + 1)) ] || fail "kill $k: journal $jn ahead of card head $head"
	[ "$head" -gt 0 ] && [ "$head" -lt $N ] && partial=$((partial + 1))
	[ "$jn" -gt "$head" ] && unacked=$((unacked + 1))
	echo "# kill $k: journal $jn, card acknowledged $head"
done
[ "$partial" -ge $((KILLS / 2)) ] ||
	fail "only $partial of $KILLS kills found a partly drained card"
ok "$KILLS kills, $partial mid-drain ($unacked between persist and ack): never acknowledged before persisted, journal + card = all $N"

mount_ocxlfs $SIMOPTS
ids_of "$MNT/0/error_log" >"$WORK/ids"
seq 1 $N >"$WORK/want"
cmp -s "$WORK/want" "$WORK/ids" ||
	fail "error_log after the kills: $(wc -l <"$WORK/ids") entries, $(sort -n "$WORK/ids" | uniq -d | wc -l) repeated"
umount_ocxlfs || fail "clean unmount"
inspect card "$CARD"
read -r head tail _ <<<"$INS"
assert_eq "$N $N" "$head $tail" "card queue after the final drain"
inspect journal "$JRN"
assert_eq "$N 1" "$INS" "journal records"
ok "error_log holds exactly ids 1..$N, each once, in order; the card's queue is empty"

# ---- 2. a damaged journal: kept up to the last good record, drop logged ----
inspect offsets "$JRN"
read -r -a offs <<<"$INS"
kbad=$((2 + RANDOM % (N - 3)))
inspect flip "$JRN" "$kbad" "$RANDOM"
: >"$WORK/daemon.log"
mount_ocxlfs $SIMOPTS
ids_of "$MNT/0/error_log" >"$WORK/ids"
seq 1 "$kbad" >"$WORK/want"
cmp -s "$WORK/want" "$WORK/ids" ||
	fail "after a flipped byte in record $kbad: $(wc -l <"$WORK/ids") entries"
grep -q "dropped [0-9]* bytes after record $kbad (offset ${offs[$kbad]}): bad record CRC" \
	"$WORK/daemon.log" || fail "the dropped records were not logged"
umount_ocxlfs || fail "clean unmount"
set -- "$JRN".dropped-*
[ $# = 1 ] && [ -f "$1" ] || fail "no side file for the intact records after the damage"
inspect scan "$1"
assert_eq "$(seq -s ' ' $((kbad + 2)) $N)" "$INS" "ids saved in $1"
ok "a flipped byte in record $kbad: ids 1..$kbad kept, the drop logged, ids $((kbad + 2))..$N saved aside whole"

# A cut inside a record (before the end of the entry's fixed 0x48 bytes,
# never in padding that the journal's zero fill would restore), as a torn
# append leaves it.
kcut=$((kbad / 2))
cut=$((offs[kcut] + 1 + RANDOM % (16 + 0x48 - 1)))
truncate -s "$cut" "$JRN"
: >"$WORK/daemon.log"
mount_ocxlfs $SIMOPTS
ids_of "$MNT/0/error_log" >"$WORK/ids"
seq 1 $kcut >"$WORK/want"
cmp -s "$WORK/want" "$WORK/ids" || fail "after a cut at $cut: $(wc -l <"$WORK/ids") entries"
grep -q "dropped [0-9]* bytes after record $kcut (offset ${offs[$kcut]})" "$WORK/daemon.log" ||
	fail "the cut was not logged"
umount_ocxlfs || fail "clean unmount"
ok "a journal cut at byte $cut keeps ids 1..$kcut and logs the drop"

# ---- 3. a card that reuses log ids (its counter restarted) ----
# ocxlfs(8): remove the simulator directory to start afresh.  The new card
# numbers its entries from 1 again; they are new entries all the same.
rm -rf "$SIM"
: >"$WORK/daemon.log"
mount_ocxlfs $SIMOPTS
sim_ctl 0 inject "errlog 3"
ids_of "$MNT/0/error_log" >"$WORK/ids"
{ seq 1 $kcut; seq 1 3; } >"$WORK/want"
cmp -s "$WORK/want" "$WORK/ids" ||
	fail "reused ids: error_log ends in $(tail -n 5 "$WORK/ids" | tr '\n' ' ')"
grep -q "log id 1 reused with other content" "$WORK/daemon.log" || fail "reuse not logged"
umount_ocxlfs || fail "clean unmount"
inspect card "$CARD"
assert_eq "3 3" "$(cut -d' ' -f1,2 <<<"$INS")" "new card's queue (acknowledged, queued)"
ok "entries reusing ids 1..3 with new content are kept, not taken for repeats"

# ---- 4. kill -9 while collecting a 64 MiB dump ----
DSIZE=67108864
DUMPS=$STATE/$SERIAL/dumps
DOPTS="--simulate=1 --sim-latency-us=2000 --sim-dump-size=$DSIZE"
mount_ocxlfs $DOPTS
sim_ctl 0 inject "dump $((DSIZE + 1))" 2>"$WORK/err" &&
	fail "the card posted a dump beyond its max_dump_size"
grep -q "Invalid argument" "$WORK/err" || fail "oversized dump: $(cat "$WORK/err")"
sim_ctl 0 inject "dump $DSIZE"
for k in 1 2 3; do
	[ "$k" = 1 ] || mount_ocxlfs $DOPTS
	for _ in $(seq 1 200); do
		compgen -G "$DUMPS/.dump-*.tmp" >/dev/null && break
		sleep 0.05
	done
	compgen -G "$DUMPS/.dump-*.tmp" >/dev/null || fail "collection $k did not start"
	sleep "0.$(printf '%03d' $((100 + RANDOM % 800)))"
	kill_daemon
	compgen -G "$DUMPS/.dump-*.tmp" >/dev/null || fail "kill $k did not land mid-collection"
	compgen -G "$DUMPS/dump-*.bin" >/dev/null && fail "kill $k: a partial dump was committed"
	inspect card "$CARD"
	read -r _ _ _ dlen davail <<<"$INS"
	assert_eq "$DSIZE 1" "$dlen $davail" "kill $k: the card still offers its dump"
done
ok "3 kills mid-collection: nothing committed, the card still holds the dump"

mount_ocxlfs $DOPTS
for _ in $(seq 1 300); do
	[ "$(stat -c %s "$MNT/0/controller_dump")" = $DSIZE ] && break
	sleep 0.1
done
assert_eq $DSIZE "$(stat -c %s "$MNT/0/controller_dump")" "controller_dump size"
assert_eq $DSIZE "$(cat "$MNT/0/controller_dump" | wc -c)" "controller_dump bytes read"
inspect dump "$MNT/0/controller_dump" "$CARD" "$RANDOM"
read -r checked bad <<<"$INS"
assert_eq 0 "$bad" "words of controller_dump unlike the card's ($checked checked)"
umount_ocxlfs || fail "clean unmount"
compgen -G "$DUMPS/.dump-*.tmp" >/dev/null && fail "a partial dump was left behind"
assert_eq 1 "$(find "$DUMPS" -name 'dump-*.bin' | wc -l)" "committed dumps"
inspect card "$CARD"
read -r _ _ _ _ davail <<<"$INS"
assert_eq 0 "$davail" "dump still offered after collection"
ok "after the restart the dump is collected whole: $DSIZE bytes, $checked words match the card"

finish
