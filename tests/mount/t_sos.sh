#!/bin/bash
# The sos plugin (contrib/sos/ocxlfs.py) under Debian's sos: `sos report
# --batch --only-plugins ocxlfs` against simulated cards puts every file of
# the tree into the archive byte for byte, controller_dump only with the
# plugin's dumps option, and the daemon's version.  While it runs, a holder
# keeps every file open, so everyone sees the snapshots the holder read
# through its own descriptors (docs/tree.md section 3.2, rule 4).
. "$(dirname "$0")/lib.sh"

command -v sos >/dev/null || skip_or_fail "no sos (Debian package sosreport)"
PLUGIN=$top_srcdir/contrib/sos/ocxlfs.py
# The first python3 on PATH may not be Debian's: ask the one sos runs with.
SOS_PYTHON=$(sed -n '1s/^#! *//p' "$(command -v sos)")
SOS_PLUGINS=$($SOS_PYTHON -c 'import os, sos.report.plugins as p; print(os.path.dirname(p.__file__))') ||
	fail "sos's $SOS_PYTHON has no sos.report.plugins"

# sos finds plugins only in its own package directory: run it in a private
# mount namespace where that directory is a copy with the plugin added.
# The plugin collects every ocxlfs mount of the host; in that namespace
# only this test's are left (ours and the dead one), since the tests that
# run beside this one have their own mounts, and sos reading their files
# would drain their error logs and make their snapshots.
cp -a "$SOS_PLUGINS" "$WORK/plugins"
cp "$PLUGIN" "$WORK/plugins/ocxlfs.py"
run_sos() { # output-dir [sos options...]
	local out=$1
	shift
	mkdir -p "$out"
	unshare -m sh -c 'mount --bind "$1" "$2" &&
		for m in $(awk "\$3 == \"fuse.ocxlfs\" { print \$2 }" /proc/mounts); do
			[ "$m" = "$3" ] || [ "$m" = "$4" ] || umount -l "$m" || exit 1
		done && shift 4 && exec "$@"' sh \
		"$WORK/plugins" "$SOS_PLUGINS" "$MNT" "$DEAD" \
		sos report --batch --only-plugins ocxlfs --tmp-dir "$out" "$@" >"$out.log" 2>&1 ||
		fail "sos report: $(tail -20 "$out.log")"
	local tarball
	tarball=$(ls "$out"/sosreport-*.tar.* | grep -v '\.\(md5\|sha256\)$')
	tar -C "$out" -xf "$tarball" || fail "archive: $(ls "$out")"
	ARCHIVE=$(echo "$out"/sosreport-*/)
}

# Reads every regular file through its own descriptor into $1, keeps them
# all open until its standard input closes.
cat >"$WORK/hold.py" <<'PY'
import os, sys
mnt, ref, skip_dumps = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
held = []
for root, dirs, files in os.walk(mnt):
    for name in files:
        path = os.path.join(root, name)
        if skip_dumps and name == "controller_dump":
            continue
        f = open(path, "rb")
        data = f.read()
        held.append(f)
        dest = os.path.join(ref, os.path.relpath(path, mnt))
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        open(dest, "wb").write(data)
print("held", len(held), flush=True)
sys.stdin.read()  # until the test closes the pipe
PY
hold_tree() { # refdir skip-dumps(0|1)
	coproc HOLDER { python3 "$WORK/hold.py" "$MNT" "$1" "$2"; }
	HOLD_PID=$HOLDER_PID HOLD_IN=${HOLDER[1]}
	read -r word count <&"${HOLDER[0]}" || fail "holder did not start"
	[ "$word" = held ] && [ "$count" -gt 20 ] || fail "holder: $word $count"
	# Past the snapshot lifetime: only the pins keep sos's copy the same.
	sleep 1.1
	kill -0 "$HOLD_PID" || fail "the holder exited early"
}

release_tree() {
	exec {HOLD_IN}>&-
	wait "$HOLD_PID"
}

# Every file of the reference is in the archive with the same bytes, and
# the archive has no regular file of the tree that the reference lacks.
compare_tree() { # refdir
	local ref=$1 got=$ARCHIVE/${MNT#/} f n=0
	[ -d "$got" ] || fail "no $MNT in the archive: $(cd "$ARCHIVE" && find . -maxdepth 5 | head -20)
$(grep -i 'ocxlfs' "$ARCHIVE/sos_logs/sos.log" | tail -20)"
	while read -r f; do
		cmp -s "$ref/$f" "$got/$f" || fail "$f differs from the tree: $(cmp "$ref/$f" "$got/$f" 2>&1)"
		n=$((n + 1))
	done < <(cd "$ref" && find . -type f)
	diff <(cd "$ref" && find . -type f | sort) <(cd "$got" && find . -type f | sort) >"$WORK/files" ||
		fail "files in the archive and the tree differ: $(cat "$WORK/files")"
	for link in "$MNT"/by-serial/*; do
		assert_eq "$(readlink "$link")" "$(readlink "$got/by-serial/${link##*/}")" "by-serial link"
	done
	COMPARED=$n
}

mount_ocxlfs --simulate=2 --sim-errlogs=3
sim_ctl 1 inject "dump 65536"
wait_until '[ "$(stat -c %s "$MNT/1/controller_dump")" = 65536 ]'
cat "$MNT/0/error_log" >/dev/null # drain the entries, post their event
wait_until 'grep -q "error-log 3 new entries" "$MNT/0/events"'

# A dead mount beside ours, as a daemon killed without unmounting leaves.
DEAD=$WORK/dead
# Another test's mount, as `make check` runs them side by side: not ours.
OTHER=$WORK/other
mkdir -p "$DEAD" "$OTHER"
stop_other() { "$FUSERMOUNT" -uz "$OTHER" 2>/dev/null; kill "$other_pid" 2>/dev/null; wait "$other_pid"; }
trap '"$FUSERMOUNT" -uz "$DEAD" 2>/dev/null; stop_other; cleanup' EXIT
"$OCXLFS" -f --simulate=1 --sim-errlogs=1 --sim-dir="$WORK/other-sim" \
	--state-dir="$WORK/other-state" "$OTHER" >"$WORK/other.log" 2>&1 &
other_pid=$!
wait_until '[ -e "$OTHER/0/serial" ]'
"$OCXLFS" -f --simulate=1 --sim-dir="$WORK/dead-sim" --state-dir="$WORK/dead-state" "$DEAD" \
	>"$WORK/dead.log" 2>&1 &
dead_pid=$!
wait_until '[ -e "$DEAD/0/serial" ]'
# Every process that holds the connection: the supervisor and its worker.
dead_worker=$(pgrep -P "$dead_pid")
kill -KILL "$dead_pid" $dead_worker
wait "$dead_pid" 2>/dev/null
while [ -n "$dead_worker" ] && kill -0 "$dead_worker" 2>/dev/null; do sleep 0.05; done

hold_tree "$WORK/ref" 1
run_sos "$WORK/sos1"
compare_tree "$WORK/ref"
release_tree
assert_eq "$DEAD: Transport endpoint is not connected" \
	"$(cat "$ARCHIVE"/sos_strings/ocxlfs/unusable_mounts 2>&1)" "the unusable mounts sos lists"
[ -e "$ARCHIVE/${OTHER#/}" ] && fail "sos collected another test's mount $OTHER"
"$FUSERMOUNT" -uz "$DEAD" || fail "unmount the dead mount"
[ -e "$ARCHIVE/${MNT#/}/1/controller_dump" ] && fail "controller_dump collected without the dumps option"
exe=$(realpath "$OCXLFS")
exe=${exe#/}
assert_eq "$("$OCXLFS" --version)" "$(cat "$ARCHIVE/sos_commands/ocxlfs/ocxlfs_--version_of_${exe//\//_}")" \
	"the running daemon's ocxlfs --version"
ok "sos report collects all $COMPARED files of the tree byte for byte, the links, no dump, the version; a dead mount beside it is reported"

hold_tree "$WORK/ref2" 0
run_sos "$WORK/sos2" -k ocxlfs.dumps=on
compare_tree "$WORK/ref2"
release_tree
cmp "$ARCHIVE/${MNT#/}/1/controller_dump" "$WORK/ref2/1/controller_dump" ||
	fail "controller_dump in the archive"
ok "with -k ocxlfs.dumps=on the controller dumps are collected too ($COMPARED files)"
stop_other

# Enabled by a mount: listed among the enabled plugins now, not once unmounted.
unshare -m sh -c 'mount --bind "$1" "$2" && sos report --list-plugins' sh "$WORK/plugins" \
	"$SOS_PLUGINS" >"$WORK/list" 2>&1 || fail "sos report --list-plugins: $(cat "$WORK/list")"
sed -n '/currently enabled/,/currently disabled/p' "$WORK/list" | grep -q '^ *ocxlfs ' ||
	fail "plugin not enabled with a mount: $(cat "$WORK/list")"
umount_ocxlfs || fail "daemon exit status"
# Other ocxlfs mounts of this host are not ours: none in sos's namespace.
unshare -m sh -c 'mount --bind "$1" "$2" &&
	for m in $(awk "\$3 == \"fuse.ocxlfs\" { print \$2 }" /proc/mounts); do umount -l "$m"; done &&
	sos report --list-plugins' sh "$WORK/plugins" \
	"$SOS_PLUGINS" >"$WORK/list" 2>&1 || fail "sos report --list-plugins: $(cat "$WORK/list")"
sed -n '/currently disabled/,$p' "$WORK/list" | grep -q '^ *ocxlfs ' ||
	fail "plugin enabled without a mount or service: $(cat "$WORK/list")"
ok "the plugin is enabled by an ocxlfs mount and disabled without one"
finish
