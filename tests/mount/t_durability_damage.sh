#!/bin/bash
# A damaged journal (a flipped byte, then a cut) is recovered up to the
# last good record, the daemon logs what it dropped, and intact records
# after a flipped byte are saved aside whole.
#
# OCXLFS_TEST_SEED=<n> picks other places.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/durability.sh"

SEED=${OCXLFS_TEST_SEED:-4099}
RANDOM=$SEED
echo "$T_NAME: seed $SEED"
N=1000
SIMOPTS="--simulate=1"

# A journal of ids 1..N: reading error_log drains the card into it.
mount_ocxlfs $SIMOPTS --sim-errlogs=$N
SERIAL=$(cat "$MNT/0/serial")
JRN=$STATE/$SERIAL/errlog.journal
assert_eq $N "$(ids_of "$MNT/0/error_log" | wc -l)" "entries drained"
umount_ocxlfs || fail "clean unmount"
inspect journal "$JRN"
assert_eq "$N 1" "$INS" "journal records"

# ---- a flipped byte: kept up to the last good record, drop logged ----
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

# ---- a cut inside a record ----
# Before the end of the entry's fixed 0x48 bytes, never in padding that the
# journal's zero fill would restore, as a torn append leaves it.
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

finish
