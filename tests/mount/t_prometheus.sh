#!/bin/bash
# metrics.prom as Prometheus' own tools take it (docs/json.md section 6):
# `promtool check metrics` has no complaint about it, with cards in every
# verdict and one that does not answer, and Debian's node_exporter, with
# its textfile collector pointed at the mount, serves every ocxl series of
# the file and node_textfile_scrape_error 0.
. "$(dirname "$0")/lib.sh"

command -v promtool >/dev/null || skip_or_fail "no promtool (Debian package prometheus)"
NODE_EXPORTER=$(command -v prometheus-node-exporter) ||
	skip_or_fail "no prometheus-node-exporter"
NE_PID=
stop_exporter() {
	[ -n "$NE_PID" ] && { kill "$NE_PID" 2>/dev/null; wait "$NE_PID" 2>/dev/null; }
	NE_PID=
	cleanup
}
trap stop_exporter EXIT

mount_ocxlfs --simulate=3
# Card 0 warns (temperature), card 1 does not answer (no statistics, no
# SMART), card 2 is critical (a data-loss entry).
sim_ctl 0 inject "smart temperature 80"
sim_ctl 2 inject "errlog data-loss"
wait_until 'grep -q "^critical 2 " "$MNT/health"'
sim_ctl 1 fault "status 0x21"
wait_until 'grep -q "^ocxl_card_up{card=\"1\",serial=\"[0-9]*\"} 0$" "$MNT/metrics.prom"'
wait_until 'grep -q "^warning 0 " "$MNT/health"'

lint() { # file: promtool's complaints, and whether it exited 0
	promtool check metrics <"$1" >"$WORK/promtool.out" 2>&1
	echo "rc=$? $(cat "$WORK/promtool.out")"
}
cp "$MNT/metrics.prom" "$WORK/metrics.prom"
assert_eq "rc=0 " "$(lint "$WORK/metrics.prom")" "promtool check metrics"
# The check is a real one: a counter without _total is a complaint.
sed 's/^ocxl_resets_total/ocxl_resets/; s/^# \(HELP\|TYPE\) ocxl_resets_total/# \1 ocxl_resets/' \
	"$WORK/metrics.prom" >"$WORK/bad.prom"
[ "$(lint "$WORK/bad.prom")" != "rc=0 " ] || fail "promtool took a counter without _total"
ok "promtool check metrics: no complaint about metrics.prom"

# node_exporter on a free port of 127.0.0.1, reading *.prom of the mount.
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$NODE_EXPORTER" --collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$MNT" --web.listen-address="127.0.0.1:$PORT" \
	>"$WORK/node_exporter.log" 2>&1 &
NE_PID=$!
scrape() {
	python3 -c 'import sys, urllib.request
sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())' \
		"http://127.0.0.1:$PORT/metrics" >"$WORK/scrape" 2>/dev/null
}
wait_until scrape
cp "$MNT/metrics.prom" "$WORK/metrics.prom"
scrape || fail "scrape"
grep -q '^node_textfile_scrape_error 0$' "$WORK/scrape" ||
	fail "node_textfile_scrape_error: $(grep textfile "$WORK/scrape"; tail -5 "$WORK/node_exporter.log")"
# Every series of the file (name and labels; values move with time) is in the scrape.
"${PROM_PYTHON:?PROM_PYTHON comes from make check}" - "$WORK/metrics.prom" "$WORK/scrape" <<'PY' ||
	fail "the scrape lacks ocxl series"
import sys
from prometheus_client.parser import text_string_to_metric_families

def series(path, prefix):
    with open(path) as f:
        fams = list(text_string_to_metric_families(f.read()))
    return {(s.name, tuple(sorted(s.labels.items())))
            for fam in fams if fam.name.startswith(prefix) for s in fam.samples}

want, got = series(sys.argv[1], "ocxl_"), series(sys.argv[2], "ocxl_")
missing = want - got
if missing or not want:
    print("missing:", sorted(missing)[:5], file=sys.stderr)
    sys.exit(1)
names = {n for n, _ in want}
for n in ("ocxl_card_verdict", "ocxl_card_state", "ocxl_card_up", "ocxl_smart_raw",
          "ocxl_error_log_recent_failures", "ocxl_state_directory_writable"):
    assert n in names, n
print("# %d ocxl series of %d families" % (len(want), len(names)))
PY
ok "node_exporter's textfile collector serves every ocxl series, node_textfile_scrape_error 0"

kill "$NE_PID" && wait "$NE_PID" 2>/dev/null
NE_PID=
umount_ocxlfs || fail "unmount"
finish
