#!/bin/bash
# The read-side tree of two simulated cards: names, modes, exact sizes,
# contents, snapshots, and what survives a restart.
. "$(dirname "$0")/lib.sh"

mount_ocxlfs --simulate=2 --sim-errlogs=5 --sim-dump-size=65536

# Layout.
assert_eq "0 1 by-serial events.json health metrics.prom$(backend_is_sim && echo ' sim')" "$(ls "$MNT" | tr '
' ' ' | sed 's/ $//')" "root listing"
expected="controller_dump error_log error_log.json events events.json firmware_version health health.json heartbeat info info.json labels labels.json overwrite request serial$(backend_is_sim && echo ' sim') state statistics statistics.json"
assert_eq "$expected" "$(ls "$MNT/0" | tr '\n' ' ' | sed 's/ $//')" "card listing"
ok "root and card directories list the documented names"

for f in serial firmware_version info state error_log statistics health; do
	assert_eq 444 "$(stat -c %a "$MNT/0/$f")" "mode of $f"
done
for f in labels controller_dump; do
	assert_eq 400 "$(stat -c %a "$MNT/0/$f")" "mode of $f"
done
ok "modes: info files 0444, labels and dump 0400"

# Link counts (docs/tree.md section 1.1).
assert_eq "$(backend_is_sim && echo 6 || echo 5)" "$(stat -c %h "$MNT")" \
	"st_nlink of the root (3 + 2 cards, + sim/ of a simulated mount)"
assert_eq "$(backend_is_sim && echo 3 || echo 2)" "$(stat -c %h "$MNT/0")" "st_nlink of a card directory"
assert_eq 2 "$(stat -c %h "$MNT/by-serial")" "st_nlink of by-serial"
if backend_is_sim; then
	assert_eq 2 "$(stat -c %h "$MNT/0/sim")" "st_nlink of sim"
fi
assert_eq 1 "$(stat -c %h "$MNT/0/serial")" "st_nlink of a file"
ok "link counts: root 3 + cards, card directory 2 or 3 with sim/, by-serial and sim 2"

# Exact sizes: what stat says is what cat returns, for every file.
for f in $(tree_files "$MNT"); do
	exec {pin}<"$f" # pin one snapshot for stat and read
	size=$(stat -L -c %s "$f")
	bytes=$(cat "$f" | wc -c)
	exec {pin}<&-
	assert_eq "$size" "$bytes" "st_size of $f"
done
ok "st_size equals the bytes read, for every file"

# Identity.
serial0=$(cat "$MNT/0/serial")
serial1=$(cat "$MNT/1/serial")
[[ "$serial0" =~ ^[0-9]+$ ]] || fail "serial is not decimal: $serial0"
[ "$serial0" != "$serial1" ] || fail "two cards share serial $serial0"
assert_eq "../0" "$(readlink "$MNT/by-serial/$serial0")" "by-serial link of card 0"
assert_eq "../1" "$(readlink "$MNT/by-serial/$serial1")" "by-serial link of card 1"
assert_eq "$serial1" "$(cat "$MNT/by-serial/$serial1/serial")" "serial through by-serial"
[ -n "$(cat "$MNT/0/firmware_version")" ] || fail "empty firmware_version"
ok "serials, firmware version and by-serial links"

grep -qx "label_size: 131072" "$MNT/0/info" || fail "info lacks label_size: $(cat "$MNT/0/info")"
grep -qx "max_dump_size: 65536" "$MNT/0/info" || fail "info lacks max_dump_size"
grep -q "^revision: " "$MNT/0/info" || fail "info lacks revision"
grep -qx "transport: $(backend_transport)" "$MNT/0/info" || fail "info lacks transport"
assert_eq ready "$(cat "$MNT/0/state")" "state"
ok "info decodes capabilities and sizes; state is ready"

# Labels: exactly the configured size, read by offset.
assert_eq 131072 "$(stat -c %s "$MNT/0/labels")" "labels size"
assert_eq 131072 "$(cat "$MNT/0/labels" | wc -c)" "labels bytes"
assert_eq 4096 "$(dd if="$MNT/0/labels" bs=4096 skip=7 count=1 2>/dev/null | wc -c)" "labels chunk at offset"
ok "labels is exactly config_size bytes"

# Error log: the five entries queued on each simulated card, in order.
for c in 0 1; do
	ids=$(grep '^id: ' "$MNT/$c/error_log" | cut -d' ' -f2 | tr '\n' ' ')
	assert_eq "1 2 3 4 5 " "$ids" "error_log ids of card $c"
done
for key in program_reference_code type action_flags power_on_seconds timestamp wwid \
	firmware_revision additional_data; do
	assert_eq 5 "$(grep -c "^$key: " "$MNT/0/error_log")" "error_log field $key"
done
ok "error_log lists every queued entry, decoded"

# Statistics and health.
grep -q '^host_load_count: [0-9]\+$' "$MNT/0/statistics" || fail "statistics: $(cat "$MNT/0/statistics")"
grep -q '^power_on_uptime: [0-9]\+$' "$MNT/0/statistics" || fail "statistics lacks power_on_uptime"
for a in power_on_hours temperature life_remaining; do
	grep -q "^$a id=0x" "$MNT/0/health" || fail "health lacks $a: $(cat "$MNT/0/health")"
done
s1=$(cat "$MNT/0/statistics")
sleep 1.2
s2=$(cat "$MNT/0/statistics")
[ "$s1" != "$s2" ] || fail "statistics did not move between reads 1.2 s apart"
ok "statistics decode and move with time; health has the three SMART attributes"

# Snapshots: pinned while open, same size and ctime for stat, open, fstat.
exec {pin}<"$MNT/0/statistics"
c1=$(stat -c %Z.%z "$MNT/0/statistics")
sleep 1.2
c2=$(stat -c %Z.%z "$MNT/0/statistics")
assert_eq "$c1" "$c2" "ctime of a pinned snapshot"
exec {pin}<&-
sleep 1.1
c3=$(stat -c %z "$MNT/0/statistics")
[ "$c3" != "${c1#*.}" ] || fail "snapshot not refreshed after close and TTL"
ok "an open file pins its snapshot; a closed stale one is refreshed"

# controller_dump is what was collected: nothing at mount (no dump was
# posted), then a posted dump, whole, its exact size.
assert_eq 0 "$(stat -c %s "$MNT/0/controller_dump")" "controller_dump before any dump"
assert_eq 0 "$(cat "$MNT/0/controller_dump" | wc -c)" "controller_dump bytes before any dump"
sim_ctl 0 inject "dump 65536"
wait_until '[ "$(stat -c %s "$MNT/0/controller_dump")" = 65536 ]'
assert_eq 65536 "$(cat "$MNT/0/controller_dump" | wc -c)" "controller_dump bytes of a posted dump"
ok "controller_dump: empty until a dump is posted, then exactly its 65536 bytes"

# Restart: the journal keeps what was drained; the card's queue stays empty.
umount_ocxlfs || fail "daemon exit status after unmount"
mount_ocxlfs --simulate=2 --sim-errlogs=5
ids=$(grep '^id: ' "$MNT/0/error_log" | cut -d' ' -f2 | tr '\n' ' ')
assert_eq "1 2 3 4 5 " "$ids" "error_log after restart"
assert_eq "$serial0" "$(cat "$MNT/0/serial")" "serial after restart"
ok "after a restart error_log shows everything shown before, once"
umount_ocxlfs || fail "daemon exit status"

# A 16 MiB label area, as the posted driver carves out on ppc64.
rm -rf "$SIM" "$STATE" && mkdir -p "$SIM" "$STATE"
mount_ocxlfs --simulate=1 --sim-label-size=16777216
assert_eq 16777216 "$(stat -c %s "$MNT/0/labels")" "16 MiB labels size"
assert_eq 16777216 "$(cat "$MNT/0/labels" | wc -c)" "16 MiB labels bytes"
# labels.json reads only the index region: 2 x 16640 bytes for 130812 slots.
grep -q '"label_area_size":16777216,"format":"empty","label_size":128,"index_size":16640,' \
	"$MNT/0/labels.json" || fail "16 MiB labels.json: $(head -c 300 "$MNT/0/labels.json")"
ok "a 16 MiB label area is served whole; labels.json sizes its index blocks as libnvdimm does"
umount_ocxlfs || fail "daemon exit status"

# Two cards with one serial (docs/tree.md section 1): both served, the
# second as by-serial/SERIAL-2 with its state in STATE_DIR/SERIAL-2, and
# an error logged.  A simulated card keeps the serial of its state file.
rm -rf "$SIM" "$STATE" && mkdir -p "$SIM" "$STATE"
mount_ocxlfs --simulate=2
umount_ocxlfs || fail "daemon exit status"
cp "$SIM/card0.state" "$SIM/card1.state"
mount_ocxlfs --simulate=2
assert_eq "2020000000 2020000000" "$(cat "$MNT/0/serial" "$MNT/1/serial" | tr '\n' ' ' | sed 's/ $//')" \
	"serials of the two cards"
assert_eq "2020000000 2020000000-2" "$(ls "$MNT/by-serial" | tr '\n' ' ' | sed 's/ $//')" "by-serial"
assert_eq "../1" "$(readlink "$MNT/by-serial/2020000000-2")" "the second card's link"
[ -d "$STATE/2020000000-2" ] || fail "no state directory 2020000000-2: $(ls "$STATE")"
grep -q "has serial 2020000000, like a card already served: it is served as card 1 with by-serial/2020000000-2" \
	"$WORK/daemon.log" || fail "the duplicate serial was not logged"
cat "$MNT/1/statistics" >/dev/null || fail "the second card's statistics"
ok "two cards with one serial: both served, the second as SERIAL-2, logged"

# Nothing is created, removed or renamed: EPERM, each changing nothing (1.2).
python3 - "$MNT" <<'PY' || fail "create, remove, rename"
import errno, os, sys
m = sys.argv[1]
tries = {
    "create": lambda: os.open(m + "/0/new", os.O_CREAT | os.O_WRONLY, 0o644),
    "mkdir": lambda: os.mkdir(m + "/0/newdir"),
    "mknod": lambda: os.mknod(m + "/0/fifo", 0o600 | 0o10000),
    "symlink": lambda: os.symlink("serial", m + "/0/link"),
    "link": lambda: os.link(m + "/0/serial", m + "/0/serial2"),
    "unlink": lambda: os.unlink(m + "/0/serial"),
    "rmdir": lambda: os.rmdir(m + "/by-serial"),
    "rename": lambda: os.rename(m + "/0/serial", m + "/0/serial.old"),
}
before = sorted(os.listdir(m + "/0")), sorted(os.listdir(m))
for what, f in tries.items():
    try:
        f()
    except OSError as e:
        assert e.errno == errno.EPERM, (what, errno.errorcode[e.errno])
    else:
        raise AssertionError(what + " succeeded")
assert before == (sorted(os.listdir(m + "/0")), sorted(os.listdir(m)))
PY
ok "create, mkdir, mknod, symlink, link, unlink, rmdir, rename: EPERM, nothing changed"
umount_ocxlfs || fail "daemon exit status"

finish
