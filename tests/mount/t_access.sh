#!/bin/bash
# Everyday consumers: the JSON siblings against their schema, metrics.prom
# through a real Prometheus parser, a reader that is not root, and the
# container recipe (a read-only bind mount in another mount namespace).
. "$(dirname "$0")/lib.sh"

mount_ocxlfs --simulate=2 --sim-errlogs=3 -o allow_other
C=$MNT/0

# ---- JSON ----
python3 - "$MNT" <<'PY' || fail "JSON siblings"
import json, os, re, sys
root = sys.argv[1]
for card in ("0", "1"):
    d = os.path.join(root, card)
    def load(name):
        with open(os.path.join(d, name)) as f:
            return json.load(f)
    def text(name):
        with open(os.path.join(d, name)) as f:
            return f.read()
    info = load("info.json")
    assert info["schema"] == "ocxlfs.info/1", info
    assert info["serial"] == text("serial").strip(), info["serial"]
    assert info["firmware_version"] == text("firmware_version").strip()
    assert info["label_size"] == os.stat(os.path.join(d, "labels")).st_size
    st = load("statistics.json")
    assert st["schema"] == "ocxlfs.statistics/1", st
    lines = dict(l.split(": ", 1) for l in text("statistics").splitlines())
    for k, v in st["statistics"].items():
        # 64-bit counters are decimal strings, so values past 2^53 survive
        assert isinstance(v, str) and re.fullmatch(r"[0-9]+", v), (k, v)
        assert k in lines, k
    assert len(st["statistics"]) == len(lines), (len(st["statistics"]), len(lines))
    h = load("health.json")
    assert h["schema"] == "ocxlfs.health/1", h
    assert len(h["attributes"]) == len([l for l in text("health").splitlines() if " id=0x" in l])
    assert h["verdict"] == text("health").splitlines()[0].split(": ")[1], h
    for a in h["attributes"]:
        assert set(a) >= {"id", "name", "current", "worst", "threshold", "flags", "raw"}, a
        assert isinstance(a["raw"], str)
    el = load("error_log.json")
    assert el["schema"] == "ocxlfs.error_log/1", el
    ids = [e["id"] for e in el["entries"]]
    text_ids = [int(l.split()[1]) for l in text("error_log").splitlines() if l.startswith("id: ")]
    assert ids == text_ids == [1, 2, 3], (ids, text_ids)
    for e in el["entries"]:
        assert isinstance(e["timestamp"], str) and re.fullmatch(r"[0-9]+", e["timestamp"]), e
PY
ok "info/statistics/health/error_log.json: schema, same facts as the text files, u64 as strings"

# ---- Prometheus ----
[ -n "${PROM_PYTHON:-}" ] || skip_or_fail "no python3 with prometheus_client (PROM_PYTHON)"
"$PROM_PYTHON" "$top_srcdir/tests/unit/prom_check.py" "$MNT/metrics.prom" >"$WORK/prom.out" ||
	fail "metrics.prom does not pass the parser"
for i in 0 1; do
	grep -q "^ocxl_card_info{card=\"$i\",serial=\"$(cat "$MNT/$i/serial")\",firmware=\"01.02.03\"} 1$" \
		"$MNT/metrics.prom" || fail "ocxl_card_info of card $i"
	grep -q "^ocxl_card_up{card=\"$i\",serial=\"$(cat "$MNT/$i/serial")\"} 1$" "$MNT/metrics.prom" || fail "ocxl_card_up of card $i"
done
assert_eq 444 "$(stat -c %a "$MNT/metrics.prom")" "mode of metrics.prom"
ok "metrics.prom parses with prometheus_client, one info and up series per card"

# ---- a reader that is not root ----
chmod o+x "$WORK" # mktemp made it 0700
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; }
for f in serial firmware_version info state error_log statistics health events \
	error_log.json statistics.json health.json info.json labels.json; do
	as_nobody cat "$C/$f" >/dev/null 2>"$WORK/err" || fail "nobody cannot read $f: $(cat "$WORK/err")"
done
as_nobody cat "$MNT/metrics.prom" >/dev/null || fail "nobody cannot read metrics.prom"
as_nobody ls "$MNT/by-serial" >/dev/null || fail "nobody cannot list by-serial"
for f in labels controller_dump heartbeat overwrite; do
	as_nobody cat "$C/$f" >/dev/null 2>"$WORK/err" && fail "nobody read $f"
	grep -q "Permission denied" "$WORK/err" || fail "nobody reading $f: $(cat "$WORK/err")"
done
ctl_files="heartbeat overwrite request"
backend_is_sim && ctl_files="$ctl_files sim/inject sim/fault sim/namespace"
for f in $ctl_files; do
	as_nobody sh -c "echo 1 > '$C/$f'" 2>"$WORK/err" && fail "nobody wrote $f"
	grep -q "Permission denied" "$WORK/err" || fail "nobody writing $f: $(cat "$WORK/err")"
done
assert_eq never "$(cat "$C/heartbeat")" "heartbeat after nobody's attempts"
ok "nobody reads the 0444 files and metrics; labels, dumps and control files are EACCES"

# ---- the container recipe: a read-only bind mount in another namespace ----
unshare --mount --propagation private bash -c '
	set -e
	mkdir -p "$2"
	mount --bind "$1" "$2"
	mount -o remount,bind,ro "$2"
	grep -q "^host_load_count: " "$2/0/statistics"
	cmp -s "$1/0/serial" "$2/0/serial"
	if echo 1 2>"$3" >"$2/0/heartbeat"; then exit 3; fi
	grep -q "Read-only file system" "$3"
	setpriv --reuid=nobody --regid=nogroup --clear-groups -- cat "$2/0/health" >/dev/null
' _ "$MNT" "$WORK/ctr" "$WORK/err" || fail "read-only bind mount in a new mount namespace (rc $?): $(cat "$WORK/err")"
mountpoint -q "$WORK/ctr" && fail "the container's bind mount leaked into the host namespace"
ok "bind mount -o ro in a private mount namespace: readable, control files EROFS, nobody reads health"

umount_ocxlfs || fail "daemon exit status"
finish
