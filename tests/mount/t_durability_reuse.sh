#!/bin/bash
# A card that reuses log ids for new entries (its counter restarted)
# loses none of them: only a byte-for-byte repeat is taken for one.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/durability.sh"

N=5
SIMOPTS="--simulate=1"
mount_ocxlfs $SIMOPTS --sim-errlogs=$N
assert_eq "$(seq 1 $N)" "$(ids_of "$MNT/0/error_log")" "first card's entries"
umount_ocxlfs || fail "clean unmount"

# ocxlfs(8): remove the simulator directory to start afresh.  The new card
# numbers its entries from 1 again; they are new entries all the same.
rm -rf "$SIM"
: >"$WORK/daemon.log"
mount_ocxlfs $SIMOPTS
# Made again by the daemon (or the harness), for its user only (docs/tree.md 5.2).
assert_eq 700 "$(stat -c %a "$SIM")" "mode of a new simulator directory"
sim_ctl 0 inject "errlog 3"
ids_of "$MNT/0/error_log" >"$WORK/ids"
{ seq 1 $N; seq 1 3; } >"$WORK/want"
cmp -s "$WORK/want" "$WORK/ids" ||
	fail "reused ids: error_log ends in $(tail -n 5 "$WORK/ids" | tr '\n' ' ')"
grep -q "log id 1 reused with other content" "$WORK/daemon.log" || fail "reuse not logged"
umount_ocxlfs || fail "clean unmount"
inspect card "$CARD"
assert_eq "3 3" "$(cut -d' ' -f1,2 <<<"$INS")" "new card's queue (acknowledged, queued)"
ok "entries reusing ids 1..3 with new content are kept, not taken for repeats"

finish
