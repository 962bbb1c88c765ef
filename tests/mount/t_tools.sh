#!/bin/bash
# Real tools against the mount: GNU tar, cp, rsync, python.
. "$(dirname "$0")/lib.sh"

mount_ocxlfs --simulate=2 --sim-errlogs=3 --sim-dump-size=65536
OUT=$WORK/out
mkdir -p "$OUT"

# Pin every file's snapshot so tar and cp see the same generation.
pins=()
for f in $(tree_files "$MNT"); do
	exec {fd}<"$f"
	pins+=("$fd")
done

tar -C "$MNT" -cf "$OUT/tree.tar" . 2>"$OUT/tar.err" || fail "tar exit status $?: $(cat "$OUT/tar.err")"
[ -s "$OUT/tar.err" ] && fail "tar wrote to stderr: $(cat "$OUT/tar.err")"
mkdir "$OUT/x" && tar -C "$OUT/x" -xf "$OUT/tree.tar" || fail "tar extract"
cp -r "$MNT" "$OUT/cp" || fail "cp -r"
diff -r "$OUT/x" "$OUT/cp" >"$OUT/diff" || fail "tar and cp copies differ: $(head "$OUT/diff")"
ok "tar cf exits 0, silent, and extracts byte-identical to cp -r"

rsync -a "$MNT/" "$OUT/rsync/" 2>"$OUT/rsync.err" || fail "rsync exit status: $(cat "$OUT/rsync.err")"
diff -r "$OUT/rsync" "$OUT/cp" >"$OUT/diff" || fail "rsync copy differs: $(head "$OUT/diff")"
assert_eq "../0" "$(readlink "$OUT/rsync/by-serial/$(cat "$MNT/0/serial")")" "rsync kept the symlink"
ok "rsync -a copies the tree whole"

for fd in "${pins[@]}"; do exec {fd}<&-; done

# 19 files per card, metrics.prom, events.json and health, plus sim/inject,
# sim/fault, sim/namespace where cards have sim/, and the root's sim/plug and
# sim/unplug.
python3 - "$MNT" "$(backend_is_sim && echo 49 || echo 41)" <<'PY' || fail "python reads"
import os, sys
root = sys.argv[1]
n = 0
for d, _, files in os.walk(root):
    for f in files:
        p = os.path.join(d, f)
        with open(p, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            data = fh.read()
        assert len(data) == size, (p, len(data), size)
        n += 1
assert n == int(sys.argv[2]), n
PY
ok "python reads every file whole"

# Statistics move while tar stays clean: three archives over > 2 TTLs.
for i in 1 2 3; do
	tar -C "$MNT" -cf "$OUT/t$i.tar" . 2>"$OUT/t$i.err" || fail "tar $i exit status"
	[ -s "$OUT/t$i.err" ] && fail "tar $i stderr: $(cat "$OUT/t$i.err")"
	sleep 1.1
done
a=$(tar -xOf "$OUT/t1.tar" ./0/statistics)
b=$(tar -xOf "$OUT/t3.tar" ./0/statistics)
[ "$a" != "$b" ] || fail "statistics identical in archives taken seconds apart"
ok "statistics move between archives and every tar run is clean"

umount_ocxlfs || fail "daemon exit status"
finish
