#!/bin/bash
# A 64 MiB dump collection killed (SIGKILL) mid-way three times commits
# nothing and leaves the dump on the card; after the restart it is
# collected whole and matches what the simulated card generates, byte for
# byte.
#
# OCXLFS_TEST_SEED=<n> picks other moments.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/durability.sh"

SEED=${OCXLFS_TEST_SEED:-4099}
RANDOM=$SEED
echo "$T_NAME: seed $SEED"
DSIZE=67108864
DOPTS="--simulate=1 --sim-latency-us=2000 --sim-dump-size=$DSIZE"
mount_ocxlfs $DOPTS
SERIAL=$(cat "$MNT/0/serial")
DUMPS=$STATE/$SERIAL/dumps
sim_try 0 inject "dump $((DSIZE + 1))" 2>"$WORK/err" &&
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
wait_until '[ "$(stat -c %s "$MNT/0/controller_dump")" = $DSIZE ]'
assert_eq $DSIZE "$(cat "$MNT/0/controller_dump" | wc -c)" "controller_dump bytes read"
# The card's state file still describes the dump it freed (sequence, length).
inspect dump "$MNT/0/controller_dump" "$CARD"
umount_ocxlfs || fail "clean unmount"
read -r bytes bad <<<"$INS"
assert_eq "$DSIZE -1" "$bytes $bad" "controller_dump against the card's generator (bytes, first difference)"
compgen -G "$DUMPS/.dump-*.tmp" >/dev/null && fail "a partial dump was left behind"
assert_eq 1 "$(find "$DUMPS" -name 'dump-*.bin' | wc -l)" "committed dumps"
inspect card "$CARD"
read -r _ _ _ _ davail <<<"$INS"
assert_eq 0 "$davail" "dump still offered after collection"
ok "after the restart the dump is collected whole: $DSIZE bytes, each as the card generated it"

finish
