#!/bin/bash
# A dump is never spliced or lost (docs/protocol.md section 8): requests
# (`echo dump > 0/request`) and dumps the card posts by itself
# (sim/inject "dump SIZE"), overlapping each other and the collections,
# with kills of the daemon mid-collection.  While the card holds a dump or
# it is being collected, a request fails with EBUSY (and the card refuses
# to post another); every stored dump matches the card's generator for
# the sequence number in its header, byte for byte, and every dump the
# card announced is stored.
#
# OCXLFS_TEST_SEED=<n> picks other moments.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/durability.sh"

SEED=${OCXLFS_TEST_SEED:-1201}
RANDOM=$SEED
echo "$T_NAME: seed $SEED"
DSIZE=4194304
DOPTS="--simulate=1 --sim-latency-us=2000 --sim-dump-size=$DSIZE"
mount_ocxlfs $DOPTS
SERIAL=$(cat "$MNT/0/serial")
DUMPS=$STATE/$SERIAL/dumps
BUSY=0 ANNOUNCED=0
declare -A STORED=()

# One request or card-posted dump; counts what the card took.
announce() { # request|inject
	local rc=0
	if [ "$1" = request ]; then
		write_once "$MNT/0/request" dump 2>"$WORK/err" || rc=1
	else
		# The card refuses (EBUSY) while it still holds a dump: counted below.
		sim_try 0 inject "dump $DSIZE" 2>"$WORK/err" || rc=1
	fi
	if [ $rc = 0 ]; then
		ANNOUNCED=$((ANNOUNCED + 1))
	else
		grep -q "Device or resource busy" "$WORK/err" || fail "$1: $(cat "$WORK/err")"
		BUSY=$((BUSY + 1))
	fi
}

# Every stored dump whole and as generated; the sequence numbers seen.
check_stored() { # context
	local f seq len bytes bad
	for f in "$DUMPS"/dump-*.bin; do
		[ -e "$f" ] || continue
		inspect stored "$f" "$CARD"
		read -r seq len bytes bad <<<"$INS"
		assert_eq "$len $len -1" "$len $bytes $bad" "$1: $(basename "$f") (dump $seq)"
		STORED[$seq]=1
	done
}

for round in $(seq 1 8); do
	announce request
	# Overlapping the collection that just started: refused, or new once it is done.
	for _ in 1 2; do
		sleep "0.0$((RANDOM % 10))"
		if ((RANDOM % 2)); then announce request; else announce inject; fi
	done
	if ((round % 3 == 0)); then
		sleep "0.$(printf '%03d' $((RANDOM % 300)))"
		kill_daemon
		mount_ocxlfs $DOPTS
	fi
	# Done once the card holds nothing and nothing is being collected.
	wait_until 'inspect card "$CARD"; read -r _ _ _ _ davail <<<"$INS"; [ "$davail" = 0 ]'
	check_stored "round $round"
done
inspect card "$CARD"
read -r _ _ seq _ _ <<<"$INS"
assert_eq "$ANNOUNCED" "$seq" "dumps announced, as the card counts them"
[ "$BUSY" -gt 0 ] || fail "no request overlapped a held dump"
for k in $(seq 1 "$seq"); do
	[ -n "${STORED[$k]:-}" ] || fail "dump $k of $seq was announced and never stored"
done
ok "$ANNOUNCED dumps announced, $BUSY refused with EBUSY, dumps 1..$seq all stored, none spliced"

umount_ocxlfs || fail "clean unmount"
compgen -G "$DUMPS/.dump-*.tmp" >/dev/null && fail "a partial dump was left behind"
finish
