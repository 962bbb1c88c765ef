#!/bin/bash
# A client nobody here wrote: Debian's ndctl(1), through its own unmodified
# libndctl, against the simulated cards that ocxlfs serves through the
# kernel transport.  Both must see the same cards and the same label bytes.
export OCXLFS_BACKEND=kernel
. "$(dirname "$0")/../mount/lib.sh"

command -v ndctl >/dev/null || skip_or_fail "no ndctl (Debian package ndctl)"

mount_ocxlfs --simulate=2
SIZE=$(stat -c %s "$MNT/0/labels")

# What ndctl lists is what ocxlfs serves.
ndctl list -B -D >"$WORK/list.json" 2>"$WORK/err" || fail "ndctl list: $(cat "$WORK/err")"
python3 - "$WORK/list.json" <<'PY' || fail "ndctl list -BD: $(cat "$WORK/list.json")"
import json, sys
buses = json.load(open(sys.argv[1]))
assert [b["provider"] for b in buses] == ["ocxlpmem", "ocxlpmem"], buses
assert [d["dev"] for b in buses for d in b["dimms"]] == ["nmem0", "nmem1"], buses
PY
assert_eq "/dev/nmem0" "$(sed -n 's/^device: //p' "$MNT/0/info")" "card 0's device"
assert_eq "/dev/nmem1" "$(sed -n 's/^device: //p' "$MNT/1/info")" "card 1's device"
ok "ndctl list shows both cards' ocxlpmem buses and DIMMs, the ones ocxlfs serves"

# A pattern written by ndctl reads back the same through ocxlfs, whole and by offset.
python3 -c '
import sys
n = int(sys.argv[1])
sys.stdout.buffer.write(bytes((i * 7 + (i >> 9)) & 0xFF for i in range(n)))
' "$SIZE" >"$WORK/pattern"
ndctl write-labels -i "$WORK/pattern" nmem0 >/dev/null 2>"$WORK/err" ||
	fail "ndctl write-labels: $(cat "$WORK/err")"
ndctl read-labels -o "$WORK/read0" nmem0 >/dev/null 2>"$WORK/err" ||
	fail "ndctl read-labels: $(cat "$WORK/err")"
cmp "$WORK/read0" "$WORK/pattern" || fail "read-labels differs from what write-labels wrote"
cmp "$WORK/read0" "$MNT/0/labels" || fail "read-labels differs from $MNT/0/labels"
dd if="$MNT/0/labels" bs=1000 skip=6 count=3 2>/dev/null >"$WORK/part"
cmp "$WORK/part" <(dd if="$WORK/pattern" bs=1000 skip=6 count=3 2>/dev/null) ||
	fail "labels read at offset 6000 differs"
ok "ndctl read-labels returns the bytes of 0/labels ($SIZE bytes)"

# ndctl init-labels writes a namespace index; ocxlfs shows it.  ndctl ends by
# re-binding the DIMM so the kernel re-reads its labels, which static sysfs
# cannot do: start from a disabled DIMM, as after `ndctl disable-dimm`.
cmp -n "$SIZE" "$MNT/1/labels" /dev/zero || fail "a new card's label area is not zeroed"
harness_ctl dimm 1 disabled
ndctl init-labels nmem1 >"$WORK/out" 2>&1 || fail "ndctl init-labels: $(cat "$WORK/out")"
grep -q "initialized 1 nmem" "$WORK/out" || fail "init-labels said: $(cat "$WORK/out")"
harness_ctl dimm 1 enabled
ndctl check-labels nmem1 >"$WORK/out" 2>&1 || fail "ndctl check-labels: $(cat "$WORK/out")"
assert_eq "NAMESPACE_INDEX" "$(head -c 15 "$MNT/1/labels")" "signature at the start of 1/labels"
ndctl read-labels -o "$WORK/read1" nmem1 >/dev/null 2>&1 || fail "read-labels nmem1"
cmp "$WORK/read1" "$MNT/1/labels" || fail "1/labels differs from read-labels after init-labels"
# Both index blocks, where ndctl put the second one.
ndctl read-labels -j nmem1 >"$WORK/index.json" 2>/dev/null || fail "read-labels -j"
python3 - "$WORK/index.json" "$MNT/1/labels" <<'PY' || fail "index blocks in 1/labels"
import json, sys
idx = json.load(open(sys.argv[1]))[0]["index"]
data = open(sys.argv[2], "rb").read()
assert len(idx) == 2 and all(i["signature"] == "NAMESPACE_INDEX" for i in idx), idx
# The second block follows the first, at the next 256-byte boundary after nslot bits.
offs = [o for o in range(0, len(data), 256) if data[o:o + 16] == b"NAMESPACE_INDEX\0"]
assert len(offs) == 2 and offs[0] == 0, offs
PY
ok "ndctl init-labels writes an index that check-labels verifies and 1/labels shows"

# With a namespace enabled the DIMM is busy: ndctl refuses, ocxlfs sees no change.
sim_ctl 1 namespace enabled
cp "$MNT/1/labels" "$WORK/before"
if ndctl init-labels -f nmem1 >"$WORK/out" 2>&1; then
	fail "init-labels ran while a namespace was enabled: $(cat "$WORK/out")"
fi
grep -q "regions active" "$WORK/out" || fail "init-labels said: $(cat "$WORK/out")"
cmp "$WORK/before" "$MNT/1/labels" || fail "labels changed under an enabled namespace"
sim_ctl 1 namespace disabled
ok "an enabled namespace makes ndctl refuse to write labels"

umount_ocxlfs || fail "daemon exit status"
finish
