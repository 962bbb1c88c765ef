#!/bin/bash
# The mount outlives the worker (docs/architecture.md section 5): eight
# readers loop over the tree, half of them through a read-only bind mount
# inside a private mount namespace (the container recipe of the README),
# while
#   1. the worker is SIGKILLed at 20 random moments, during error-log
#      drains and dump collections the card is made to start, and then
#   2. the daemon is upgraded 5 times (SIGHUP) to a fresh copy of the
#      binary put in place as a package manager does (rename).
# Pass: no read failed, nothing answered ENOTCONN, every tar exited 0 with
# an empty stderr, the namespace's bind mount is live at the end, and
# error_log has every entry the card queued exactly once.
#
# FAILOVER_SECONDS sets how long each phase runs (default 20).
. "$(dirname "$0")/lib.sh"

SECONDS_PER_PHASE=${FAILOVER_SECONDS:-20}
KILLS=20
UPGRADES=5
RANDOM=${OCXLFS_TEST_SEED:-1515}

# The daemon runs from a copy that the upgrades replace.
mkdir -p "$WORK/bin"
cp "$OCXLFS" "$WORK/bin/ocxlfs"
BUILT=$OCXLFS
OCXLFS=$WORK/bin/ocxlfs
mount_ocxlfs --simulate=2 --sim-errlogs=3 --sim-dump-size=1048576 --sim-latency-us=3000
C=$MNT/0
INITIAL=3

# ---- the readers ----
# readers.sh ROOT TAG UNTIL: four readers of ROOT until the epoch second
# UNTIL; what fails goes to $WORK/fail.TAG.KIND, what ran to
# $WORK/runs.TAG.KIND.
cat >"$WORK/readers.sh" <<'EOF'
root=$1 tag=$2 until=$3 work=$4
cat_all() {
	local n=0 f
	while [ "$(date +%s)" -lt "$until" ]; do
		for f in $(find "$root" -type f 2>>"$work/fail.$tag.cat"); do
			cat "$f" >/dev/null 2>>"$work/fail.$tag.cat" || echo "cat $f: $?" >>"$work/fail.$tag.cat"
		done
		n=$((n + 1))
	done
	echo $n >"$work/runs.$tag.cat"
}
tar_all() {
	local n=0 rc
	while [ "$(date +%s)" -lt "$until" ]; do
		tar -C "$root" -cf - --exclude sim . 2>"$work/tar.$tag.err" >/dev/null
		rc=$?
		if [ $rc != 0 ] || [ -s "$work/tar.$tag.err" ]; then
			{ echo "tar exit $rc:"; cat "$work/tar.$tag.err"; } >>"$work/fail.$tag.tar"
		fi
		n=$((n + 1))
	done
	echo $n >"$work/runs.$tag.tar"
}
json_all() {
	python3 - "$root" "$until" "$work/fail.$tag.json" "$work/runs.$tag.json" <<'PY'
import json, sys, time
root, until, fail, runs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
n = 0
while time.time() < until:
    for c in ("0", "1"):
        for f in ("error_log.json", "statistics.json"):
            try:
                with open("%s/%s/%s" % (root, c, f)) as fh:
                    json.load(fh)
            except Exception as e:
                open(fail, "a").write("%s/%s: %r\n" % (c, f, e))
    n += 1
open(runs, "w").write("%d\n" % n)
PY
}
poll_events() {
	python3 - "$root/0/events" "$until" "$work/fail.$tag.poll" "$work/runs.$tag.poll" <<'PY'
import select, sys, time
path, until, fail, runs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
n = 0
while time.time() < until:
    try:
        with open(path, "rb") as f:
            f.read()
            p = select.poll()
            p.register(f.fileno(), select.POLLIN)
            p.poll(300)
            f.read()
    except Exception as e:
        open(fail, "a").write("%r\n" % e)
    n += 1
open(runs, "w").write("%d\n" % n)
PY
}
cat_all & tar_all & json_all & poll_events &
wait
EOF

# start_readers PHASE: four readers here, four in a private mount namespace
# through a read-only bind mount that must still be live when they end.
start_readers() {
	local until=$(($(date +%s) + SECONDS_PER_PHASE))
	rm -f "$WORK"/fail.* "$WORK"/runs.* "$WORK/ns.$1"
	bash "$WORK/readers.sh" "$MNT" "host" "$until" "$WORK" &
	HOST_READERS=$!
	mkdir -p "$WORK/ns"
	unshare -m --propagation private bash -c '
		mount --bind "$1" "$2" && mount -o remount,bind,ro "$2" || exit 1
		bash "$3/readers.sh" "$2" ns "$4" "$3"
		# Live at the end: it still answers, and answers the same as the host.
		if [ "$(cat "$2/0/serial" 2>&1)" = "$(cat "$1/0/serial")" ]; then
			echo live >"$3/ns.$5"
		else
			echo "dead: $(ls "$2" 2>&1)" >"$3/ns.$5"
		fi' ns "$MNT" "$WORK/ns" "$WORK" "$until" "$1" &
	NS_READERS=$!
	# The readers are running once each has made its first pass.
	sleep 1
}

check_readers() { # phase
	local f bad= _
	# A hang guard: requests a dead worker had read must be answered.
	for _ in $(seq 1 $((SECONDS_PER_PHASE * 10 + 600))); do
		kill -0 "$HOST_READERS" 2>/dev/null || kill -0 "$NS_READERS" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$HOST_READERS" 2>/dev/null || kill -0 "$NS_READERS" 2>/dev/null ||
		wait "$HOST_READERS" "$NS_READERS"
	if kill -0 "$HOST_READERS" 2>/dev/null || kill -0 "$NS_READERS" 2>/dev/null; then
		fail "$1: readers hung (a request never answered)"
	fi
	for f in "$WORK"/fail.*; do
		[ -s "$f" ] && bad="$bad$f: $(head -n 5 "$f")
"
	done
	[ -z "$bad" ] || fail "$1: reads failed:
$bad"
	grep -rl "Transport endpoint is not connected" "$WORK" --include='fail.*' &&
		fail "$1: ENOTCONN"
	for f in host.cat host.tar host.json host.poll ns.cat ns.tar ns.json ns.poll; do
		[ -s "$WORK/runs.$f" ] || fail "$1: reader $f did not finish"
		[ "$(cat "$WORK/runs.$f")" -ge 1 ] || fail "$1: reader $f never ran"
	done
	assert_eq live "$(cat "$WORK/ns.$1")" "$1: the namespace's bind mount at the end"
	echo "# $1: tar runs $(cat "$WORK/runs.host.tar") + $(cat "$WORK/runs.ns.tar"), cat passes" \
		"$(cat "$WORK/runs.host.cat") + $(cat "$WORK/runs.ns.cat")"
}

# Injections through the card's own sim/ folder may be answered EIO when
# the worker died while the write ran (its outcome is then unknown): those
# are counted apart.
SURE=0
UNSURE=0
inject() { # card value
	if sim_try "$1" inject "$2" 2>"$WORK/inject.err"; then
		[ "${2%% *}" = errlog ] && SURE=$((SURE + ${2#* }))
	elif grep -q "Input/output error" "$WORK/inject.err"; then
		[ "${2%% *}" = errlog ] && UNSURE=$((UNSURE + ${2#* }))
	elif [ "${2%% *}" = dump ] && grep -q "Device or resource busy" "$WORK/inject.err"; then
		: # the card still holds its last dump (docs/tree.md section 4.1): none posted
	else
		fail "inject $2: $(cat "$WORK/inject.err")"
	fi
}

# error_log of card 0 holds ids 1..N once each, N within what was injected.
check_errlog() { # phase
	local ids n
	wait_until '[ "$(grep -c "^id: " "$C/error_log")" -ge $((INITIAL + SURE)) ]'
	ids=$(grep '^id: ' "$C/error_log" | cut -d' ' -f2)
	n=$(echo "$ids" | wc -l)
	assert_eq "$(seq 1 "$n" | tr '\n' ' ')" "$(echo "$ids" | tr '\n' ' ')" \
		"$1: error_log ids, once each, in order"
	[ "$n" -le $((INITIAL + SURE + UNSURE)) ] ||
		fail "$1: $n entries, more than the $((INITIAL + SURE + UNSURE)) injected"
}

# Held across every kill and upgrade below: the newest dump, opened before
# newer ones are collected (and the older ones pruned), read to the end
# afterwards; and a poll() on events, woken by an event posted after kills.
inject 0 "dump 1048576"
wait_until '[ "$(stat -c %s "$C/controller_dump")" = 1048576 ]'
# hold_dump NAME: a reader that opens controller_dump now, reads 4 KiB, and
# the rest when told (release_dump NAME), then says what it got.
hold_dump() {
	local fd
	mkfifo "$WORK/$1.in"
	python3 -c '
import hashlib, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
size = os.fstat(fd).st_size
got = os.read(fd, 4096)
print("ready", flush=True)
sys.stdin.readline()
while True:
    b = os.read(fd, 1 << 20)
    if not b:
        break
    got += b
print(len(got), size, hashlib.sha256(got).hexdigest(), flush=True)' "$C/controller_dump" \
		<"$WORK/$1.in" >"$WORK/$1.out" &
	exec {fd}>"$WORK/$1.in"
	eval "HOLD_$1=$fd"
	wait_until "grep -q ready '$WORK/$1.out'"
}
# release_dump NAME: reads the rest; what it held is a whole dump, still
# stored though four newer ones were collected since (pruning keeps four).
release_dump() {
	local fd f got size sum newer=0 found=
	eval "fd=\$HOLD_$1"
	echo go >&"$fd"
	wait_until "[ \$(wc -l <'$WORK/$1.out') = 2 ]"
	read -r got size sum < <(tail -n 1 "$WORK/$1.out")
	assert_eq "$size" "$got" "$1: bytes of the held dump"
	for f in $(ls -r "$dumps"); do
		if [ "$(sha256sum <"$dumps/$f" | cut -d' ' -f1)" = "$sum" ]; then
			found=$f
			break
		fi
		newer=$((newer + 1))
	done
	[ -n "$found" ] || fail "$1: the held dump is not stored any more: $(ls "$dumps")"
	[ "$newer" -ge 4 ] || fail "$1: only $newer dumps are newer than the held $found"
}
dumps=$STATE/$(cat "$C/serial")/dumps
hold_dump first


# ---- 1. kills ----
start_readers kills
wait_worker
for k in $(seq 1 $KILLS); do
	# Something for the card to hand over while it dies: a drain or a collection.
	if [ $((k % 2)) = 0 ]; then inject 0 "errlog 20"; else inject 0 "dump 1048576"; fi
	sleep "0.$((RANDOM % 300 + 10))"
	kill -KILL "$WORKER"
	wait_worker "$WORKER"
	sleep "0.$((RANDOM % 400 + 100))"
done
check_readers kills
assert_eq $KILLS "$(grep -c 'worker died (killed by signal 9' "$WORK/daemon.log")" "workers killed"
check_errlog kills
ok "$KILLS worker kills: 8 readers, 4 in a namespace: no failed read, tar clean, entries once"

# A poll() that the killed worker was waiting with: the next worker hears of
# it (it wakes the kernel's poll handles the arena kept, and the kernel
# polls again), so an event on the card after the kill wakes it.  Card 1:
# nothing was injected into it.
python3 - "$MNT/1/events" "$WORK/poll.out" <<'PY' &
import os, select, sys, time
with open(sys.argv[1], "rb") as f:
    f.read()
    p = select.poll()
    p.register(f.fileno(), select.POLLIN)
    open(sys.argv[2] + ".ready", "w").close()
    r = p.poll(600000)  # far beyond the test's hang guard: only a wake-up ends it
open(sys.argv[2], "w").write("woke\n" if r else "timeout\n")
PY
POLLER=$!
wait_until '[ -e "$WORK/poll.out.ready" ]'
sleep 0.5 # the poll request reached the worker
kill -KILL "$WORKER"
wait_worker "$WORKER"
sleep 0.5
[ -e "$WORK/poll.out" ] && fail "the poll() returned before the event: $(cat "$WORK/poll.out")"
sim_ctl 1 inject errlog || fail "inject into card 1"
wait_until '[ -s "$WORK/poll.out" ]'
wait "$POLLER"
assert_eq woke "$(cat "$WORK/poll.out")" "a poll() across a kill, at the next event"
ok "a poll() waiting in a killed worker is woken by the next worker's event"

# ---- 2. upgrades ----
start_readers upgrades
for u in $(seq 1 $UPGRADES); do
	old_exe=$(stat -L -c %i "/proc/$(worker_pid)/exe")
	cp "$BUILT" "$WORK/bin/ocxlfs.new"
	mv "$WORK/bin/ocxlfs.new" "$WORK/bin/ocxlfs"
	inject 0 "errlog 5"
	kill -HUP "$OCXLFS_PID"
	wait_until '[ -n "$(worker_pid)" ] && [ "$(stat -L -c %i "/proc/$(worker_pid)/exe" 2>/dev/null)" = "$(stat -c %i "$WORK/bin/ocxlfs")" ]'
	[ "$(stat -L -c %i "/proc/$(worker_pid)/exe")" != "$old_exe" ] ||
		fail "upgrade $u: the worker still runs the old binary"
	# The supervisor starts itself again once that worker serves: after it.
	wait_until '[ "$(stat -L -c %i "/proc/$OCXLFS_PID/exe")" = "$(stat -c %i "$WORK/bin/ocxlfs")" ]' ||
		fail "upgrade $u: the supervisor was not started again from the new binary"
	sleep 2
done
check_readers upgrades
assert_eq $UPGRADES "$(grep -c 'upgraded: serving' "$WORK/daemon.log")" "upgrades logged"
check_errlog upgrades
ok "$UPGRADES upgrades to a new binary: the same readers, no failed read, tar clean"

# Four dumps newer than a held one: it is past the kept ones then.
# "first" was opened before every kill and upgrade, "last" now, when that
# one is closed (so this worker makes a new snapshot of the newest dump).
four_dumps() {
	local newest _
	for _ in 1 2 3 4; do
		newest=$(ls "$dumps" | tail -n 1)
		# Posted once the card has handed over the one before (EBUSY until then).
		wait_until 'sim_try 0 inject "dump 1048576" 2>/dev/null'
		wait_until '[ "$(ls "$dumps" | tail -n 1)" != "$newest" ]'
	done
}
four_dumps
release_dump first
sleep 1.1 # the snapshot "first" pinned is older than a second
hold_dump last
four_dumps
release_dump last
ok "dumps held open, across kills and upgrades or not, read whole and are kept from pruning"

umount_ocxlfs || fail "daemon exit status"
finish
