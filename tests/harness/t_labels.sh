#!/bin/bash
# N/labels.json against Debian's ndctl read-labels -j of the same card
# (docs/json.md section 7): label areas written by ndctl init-labels, and
# areas holding namespaces' labels that this test builds from the format
# (label_area.py) and writes with ndctl write-labels.  Every index block
# and every label in use is compared field by field.
export OCXLFS_BACKEND=kernel
. "$(dirname "$0")/../mount/lib.sh"

command -v ndctl >/dev/null || skip_or_fail "no ndctl (Debian package ndctl)"
HERE=$(cd "$(dirname "$0")" && pwd)

mount_ocxlfs --simulate=2
SIZE=$(stat -c %s "$MNT/0/labels")
# The static sysfs cannot re-bind a DIMM: start from disabled ones, as
# after `ndctl disable-dimm`, so ndctl's revalidation has nothing to do.
harness_ctl dimm 0 disabled
harness_ctl dimm 1 disabled

cat >"$WORK/compare.py" <<'PY'
import json, sys
# compare.py NDCTL.json LABELS.json FORMAT CURRENT [SLOT...]: the slots
# that must be in use, in labels.json, and equal to ndctl's.
nd = json.load(open(sys.argv[1]))[0]
ours = json.load(open(sys.argv[2]))
fmt, current = sys.argv[3], sys.argv[4]
want_slots = [int(s) for s in sys.argv[5:]]
assert ours["schema"] == "ocxlfs.labels/1", ours["schema"]
assert ours["format"] == fmt, (ours["format"], fmt)
assert str(ours["current_index"]) == current, (ours["current_index"], current)
assert len(ours["index"]) == 2 == len(nd["index"]), (ours["index"], nd["index"])
for o, n in zip(ours["index"], nd["index"]):
    for k in ("signature", "major", "minor", "labelsize", "seq", "nslot"):
        assert o[k] == n[k], ("index", k, o[k], n[k])
for i, o in enumerate(ours["index"]):
    assert o["current"] == (str(i) == current), o
    assert o["valid"] == (fmt not in ("empty", "unformatted")), o
labels = ours["labels"]
assert [l["slot"] for l in labels] == want_slots, ([l["slot"] for l in labels], want_slots)
by_slot = {l["slot"]: l for l in nd.get("label", [])}
for o in labels:
    n = by_slot[o["slot"]]
    assert o["valid"] and o["check"] == "ok", o
    for k in ("uuid", "name", "slot", "position", "nlabel", "flags"):
        assert o[k] == n[k], ("label", o["slot"], k, o[k], n[k])
    for k in ("isetcookie", "lbasize", "dpa", "rawsize"):
        assert isinstance(o[k], str) and int(o[k]) == n[k], ("label", o["slot"], k, o[k], n[k])
    v12 = fmt == "1.2"
    for k in ("type_guid", "abstraction_guid"):
        assert (k in o) == v12 == (k in n), ("label", o["slot"], k)
        if v12:
            assert o[k] == n[k], ("label", o["slot"], k, o[k], n[k])
# ndctl lists every slot whose slot field matches, in use or not (a zeroed
# slot 0 too); anything it lists beyond ours must be free in the current index.
if current != "None":
    ix = ours["index"][int(current)]
    assert ix["free"] == ix["nslot"] - len(labels), (ix["free"], ix["nslot"], len(labels))
print(len(labels), "labels,", len(by_slot), "listed by ndctl")
PY

# read-labels -j of nmemN and N/labels.json after the snapshot rule's
# second (docs/tree.md section 3.2, rule 5), compared.
check() { # card format current [slots...]
	local card=$1
	shift
	sleep 1.1
	ndctl read-labels -j "nmem$card" >"$WORK/nd.json" 2>"$WORK/err" ||
		fail "ndctl read-labels -j nmem$card: $(cat "$WORK/err")"
	cp "$MNT/$card/labels.json" "$WORK/ours.json" || fail "read $card/labels.json"
	python3 "$WORK/compare.py" "$WORK/nd.json" "$WORK/ours.json" "$@" >"$WORK/out" 2>&1 ||
		fail "card $card: labels.json and ndctl differ: $(cat "$WORK/out")
ours: $(cat "$WORK/ours.json")
ndctl: $(cat "$WORK/nd.json")"
}

write_area() { # card spec.json
	python3 "$HERE/label_area.py" "$2" "$WORK/area" || fail "label_area.py $2"
	ndctl write-labels -i "$WORK/area" "nmem$1" >/dev/null 2>"$WORK/err" ||
		fail "ndctl write-labels nmem$1: $(cat "$WORK/err")"
	ndctl check-labels "nmem$1" >"$WORK/err" 2>&1 ||
		fail "ndctl check-labels nmem$1 refuses the built area: $(cat "$WORK/err")"
}

# A new card's area is zero: empty, and no label shown (ndctl lists a
# phantom all-zero label in slot 0).
check 0 empty None
ok "a zeroed label area is 'empty' with no labels; its index fields match ndctl's"

ndctl init-labels nmem0 >"$WORK/out" 2>&1 || fail "ndctl init-labels: $(cat "$WORK/out")"
check 0 1.1 0
ndctl init-labels -V 1.2 nmem1 >"$WORK/out" 2>&1 || fail "ndctl init-labels -V 1.2: $(cat "$WORK/out")"
check 1 1.2 0
ok "after ndctl init-labels (1.1 and 1.2) both index blocks match, index 0 current, no label"

# Format 1.1: two namespaces.  Index 1 (seq 2) is newer than index 0 (seq 1)
# and is current; slot 4 still holds a label that only index 0 used, which
# ndctl lists and labels.json, following the current index, does not.
cat >"$WORK/v11.json" <<JSON
{"size": $SIZE, "version": "1.1",
 "index": [{"seq": 1, "used": [0, 4]}, {"seq": 2, "used": [0, 1, 7]}],
 "labels": [
  {"slot": 0, "uuid": "8a5b3c2e-1f40-4d6e-9a7b-0c1d2e3f4a5b", "name": "alpha",
   "flags": 2, "nlabel": 1, "position": 0, "isetcookie": 18446744073709551557,
   "lbasize": 512, "dpa": 16777216, "rawsize": 1073741824},
  {"slot": 1, "uuid": "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9", "name": "beta",
   "flags": 8, "nlabel": 2, "position": 0, "isetcookie": 1311768467463790320,
   "lbasize": 4096, "dpa": 1090519040, "rawsize": 536870912},
  {"slot": 7, "uuid": "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9", "name": "beta",
   "flags": 8, "nlabel": 2, "position": 1, "isetcookie": 1311768467463790320,
   "lbasize": 4096, "dpa": 1627389952, "rawsize": 536870912},
  {"slot": 4, "uuid": "11111111-2222-4333-8444-555555555555", "name": "stale",
   "nlabel": 1, "dpa": 4096, "rawsize": 4096}]}
JSON
write_area 0 "$WORK/v11.json"
check 0 1.1 1 0 1 7
grep -q '"name":"stale"' "$WORK/ours.json" && fail "a label only the old index used is shown"
python3 -c 'import json,sys; assert any(l["slot"] == 4 for l in json.load(open(sys.argv[1]))[0]["label"])' \
	"$WORK/nd.json" || fail "ndctl does not list slot 4: the test proves nothing"
ok "format 1.1 with namespaces: current index 1, its three labels field by field as ndctl reads them"

# Format 1.2: GUIDs and checksums.  Sequence 1 follows 3, so index 0 is current.
cat >"$WORK/v12.json" <<JSON
{"size": $SIZE, "version": "1.2",
 "index": [{"seq": 1, "used": [2, 3]}, {"seq": 3, "used": [2]}],
 "labels": [
  {"slot": 2, "uuid": "c0ffee00-1234-4abc-8def-00112233aabb", "name": "pmem-gamma",
   "flags": 0, "nlabel": 1, "position": 0, "isetcookie": 9223372036854775809,
   "lbasize": 0, "dpa": 268435456, "rawsize": 2147483648,
   "type_guid": "66f0d379-b4f3-4074-ac43-0d3318b78cdb",
   "abstraction_guid": "00000000-0000-0000-0000-000000000000", "align": 0},
  {"slot": 3, "uuid": "deadbeef-0000-4000-8000-feedfacecafe", "name": "delta",
   "flags": 4, "nlabel": 1, "position": 0, "isetcookie": 42,
   "lbasize": 512, "dpa": 2415919104, "rawsize": 134217728,
   "type_guid": "79d3f066-f3b4-7440-ac43-0d3318b78cdb",
   "abstraction_guid": "266c8c8b-4b1d-4f76-9b1c-8d7fa1d14c43", "align": 0}]}
JSON
write_area 1 "$WORK/v12.json"
check 1 1.2 0 2 3
python3 - "$WORK/ours.json" <<'PY' || fail "1.2 members: $(cat "$WORK/ours.json")"
import json, sys
d = json.load(open(sys.argv[1]))
l = {x["slot"]: x for x in d["labels"]}
assert l[3]["flag_names"] == ["btt"] and l[2]["flag_names"] == [], l
assert all(x["checksum"].startswith("0x") and len(x["checksum"]) == 18 for x in l.values()), l
assert d["label_size"] == 256 and d["nslot"] == d["index"][0]["nslot"], d
PY
ok "format 1.2: current index 0 (seq 1 after 3), labels with GUIDs and checksums as ndctl reads them"

# A label area that is no index at all, and one zeroed by ndctl.
python3 -c 'import sys; sys.stdout.buffer.write(bytes((i * 7 + 3) & 0xFF for i in range(int(sys.argv[1]))))' \
	"$SIZE" >"$WORK/pattern"
ndctl write-labels -i "$WORK/pattern" nmem1 >/dev/null 2>"$WORK/err" ||
	fail "ndctl write-labels pattern: $(cat "$WORK/err")"
sleep 1.1
grep -q '"format":"unformatted"' "$MNT/1/labels.json" || fail "pattern: $(cat "$MNT/1/labels.json")"
grep -q '"labels":\[$' "$MNT/1/labels.json" || fail "pattern shows labels: $(cat "$MNT/1/labels.json")"
ndctl zero-labels nmem0 >"$WORK/out" 2>&1 || fail "ndctl zero-labels: $(cat "$WORK/out")"
check 0 empty None
ok "a pattern is 'unformatted' and an area zeroed by ndctl zero-labels is 'empty', neither with labels"

harness_ctl dimm 0 enabled
harness_ctl dimm 1 enabled
umount_ocxlfs || fail "daemon exit status"
finish
