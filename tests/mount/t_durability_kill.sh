#!/bin/bash
# Nothing is lost: a card with 1000 queued error-log entries is drained
# while error_log is read, and the daemon is killed (SIGKILL) at 20 random
# moments, each time recovered with `fusermount3 -u` as the README says.
# After every kill, the journal and the card's queue are inspected offline:
# nothing was acknowledged before it was persisted, and together they hold
# every entry.  At the end error_log has ids 1..1000, once each.
#
# OCXLFS_TEST_SEED=<n> picks other random moments.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/durability.sh"

SEED=${OCXLFS_TEST_SEED:-4099}
RANDOM=$SEED
echo "$T_NAME: seed $SEED"
N=1000
KILLS=20

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

finish
