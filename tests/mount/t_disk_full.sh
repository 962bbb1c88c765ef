#!/bin/bash
# Disk trouble is an error, never a crash (docs/tree.md, section 5.5): the
# state directory on a 200 KiB tmpfs, then on a small loop-mounted ext4,
# filled up.  Card 0 gets 4096 error-log entries and a 1 MiB dump: the
# daemon stays up (also through a restart on the full disk), card 1 stays
# fully readable, and once there is room again every entry is in card 0's
# error_log exactly once, in order, and the dump is the card's, byte for
# byte.  The trouble shows in card 0's state and in metrics.prom, is logged
# once, and clears by itself.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/durability.sh"

N=4096
DSIZE=1048576
OPTS="--simulate=2 --sim-dump-size=$DSIZE"
FSMNT=

# The state file system (FSMNT, a tmpfs or a loop ext4) goes after the
# daemon and before lib.sh's cleanup removes $WORK.
trap cleanup_statefs EXIT

# Takes every free block: fallocate in halving steps down to one page.
fill() { # dir
	local step off=0
	: >"$1/filler"
	for step in 1048576 262144 65536 16384 4096 1024; do
		while fallocate -o "$off" -l "$step" "$1/filler" 2>/dev/null; do
			off=$((off + step))
		done
	done
	echo "# $T_NAME: filler takes $off bytes"
}

readable_card() { # N: every readable file of card N reads without error
	local f n=0
	while read -r f; do
		cat "$f" >/dev/null || fail "card $1: $f: read failed on a full disk"
		n=$((n + 1))
	done < <(find "$MNT/$1" -type f -perm -0400 | sort)
	[ "$n" -gt 10 ] || fail "card $1: only $n readable files"
}

run_case() { # tmpfs|ext4
	local kind=$1 n0
	FSMNT=$WORK/state-$kind
	mkdir -p "$FSMNT"
	case $kind in
	tmpfs)
		mount -t tmpfs -o size=200k,mode=0700 ocxlfs-test "$FSMNT" ||
			fail "cannot mount a 200 KiB tmpfs"
		;;
	ext4)
		# No blocks reserved for root: the daemon runs as root.
		truncate -s 8M "$WORK/state.img"
		mkfs.ext4 -q -F -m 0 -N 256 "$WORK/state.img" || fail "mkfs.ext4"
		mount -o loop "$WORK/state.img" "$FSMNT" || fail "cannot loop-mount an ext4 image"
		;;
	esac
	STATE=$FSMNT
	: >"$WORK/daemon.log"
	rm -rf "$SIM"
	mount_ocxlfs $OPTS
	w0=$(worker_pid)
	fill "$STATE"
	sim_ctl 0 inject "errlog $N"
	sim_ctl 0 inject "dump $DSIZE"
	# The monitor tries, and says why it cannot.
	wait_until 'grep -q "journal append of log [0-9]*: No space left on device" "$WORK/daemon.log"'
	wait_until 'grep -q "cannot start a dump of $DSIZE bytes: No space left on device" "$WORK/daemon.log"'
	# The supervisor would start a new worker: the same one must still serve.
	assert_eq "$w0" "$(worker_pid)" "$kind: the worker serving before the disk filled"
	readable_card 1
	# It shows (docs/tree.md 2.4, json.md 6), and is logged once, then counted.
	wait_until 'grep -qx "dumps: No space left on device" "$MNT/0/state"'
	grep -qx "journal: No space left on device" "$MNT/0/state" || fail "$kind: state: $(cat "$MNT/0/state")"
	assert_eq ready "$(head -n 1 "$MNT/0/state")" "$kind: card 0's state word on a full disk"
	assert_eq ready "$(cat "$MNT/1/state")" "$kind: card 1's state on a full disk"
	grep -q '^ocxl_state_directory_errno{card="0",serial="[0-9]*",store="journal"} 28$' "$MNT/metrics.prom" ||
		fail "$kind: metrics.prom journal errno"
	grep -q '^ocxl_state_directory_errno{card="0",serial="[0-9]*",store="dumps"} 28$' "$MNT/metrics.prom" ||
		fail "$kind: metrics.prom dumps errno"
	grep -q '^ocxl_state_directory_errno{card="1",serial="[0-9]*",store="journal"} 0$' "$MNT/metrics.prom" ||
		fail "$kind: metrics.prom card 1 journal errno"
	sleep 3 # three more passes fail the same way: counted, not logged
	for what in "journal append of log" "cannot start a dump"; do
		assert_eq 1 "$(grep "$what" "$WORK/daemon.log" | grep -vc "more time")" \
			"$kind: lines saying '$what'"
	done
	n0=$(ids_of "$MNT/0/error_log" | wc -l)
	[ "$n0" -lt $N ] || fail "$kind: all $N entries fit on a full disk?"
	assert_eq "$(seq 1 "$n0")" "$(ids_of "$MNT/0/error_log")" "$kind: card 0's entries so far"
	ok "$kind full: the daemon is up, card 1 reads whole, card 0 shows the $n0 entries it could store"

	# A start on the full disk: the journal opens, nothing is lost or doubled.
	umount_ocxlfs || fail "$kind: unmount on a full disk"
	mount_ocxlfs $OPTS
	readable_card 1
	assert_eq "$(seq 1 "$n0")" "$(ids_of "$MNT/0/error_log")" "$kind: card 0 after a restart on a full disk"
	ok "$kind full: a restart comes up and shows the same $n0 entries"

	# Room again.
	rm -f "$STATE/filler"
	[ "$kind" = tmpfs ] && { mount -o remount,size=16m "$FSMNT" || fail "tmpfs remount"; }
	wait_until '[ "$(ids_of "$MNT/0/error_log" | wc -l)" -ge $N ]'
	assert_eq "$(seq 1 $N)" "$(ids_of "$MNT/0/error_log")" "$kind: card 0's entries once there is room"
	wait_until '[ "$(stat -c %s "$MNT/0/controller_dump" 2>/dev/null)" = $DSIZE ]'
	inspect dump "$MNT/0/controller_dump" "$CARD"
	assert_eq "$DSIZE -1" "$INS" "$kind: the dump against the card's generator (bytes, first difference)"
	readable_card 1
	# The trouble clears by itself, and its end is said once.
	wait_until '[ "$(cat "$MNT/0/state")" = ready ]'
	grep -q '^ocxl_state_directory_errno{card="0",serial="[0-9]*",store="journal"} 0$' "$MNT/metrics.prom" ||
		fail "$kind: metrics.prom journal errno once there is room"
	grep -q '^ocxl_state_directory_errno{card="0",serial="[0-9]*",store="dumps"} 0$' "$MNT/metrics.prom" ||
		fail "$kind: metrics.prom dumps errno once there is room"
	grep -q "card 0: state directory takes journal appends again" "$WORK/daemon.log" ||
		fail "$kind: the end of the trouble is not logged"
	umount_ocxlfs || fail "$kind: clean unmount"
	ok "$kind: once there is room, all $N entries are there once each, in order, and the dump is the card's"
	umount "$FSMNT" || fail "$kind: unmount the state file system"
	FSMNT=
}

run_case tmpfs
run_case ext4
finish
