#!/bin/bash
# The alerting rules of contrib/prometheus (README, "Monitoring"):
# `promtool check rules` takes them, and `promtool test rules` runs them on
# the series a simulated mount exports with its cards in every condition an
# alert is for (tests/mount/alert_tests.py turns metrics.prom into the
# test's input): each alert fires for exactly the cards in its condition.
# The Grafana dashboard's queries name only series and labels of that
# metrics.prom.
. "$(dirname "$0")/lib.sh"

command -v promtool >/dev/null || skip_or_fail "no promtool (Debian package prometheus)"
: "${PROM_PYTHON:?PROM_PYTHON comes from make check}"
RULES=$top_srcdir/contrib/prometheus/ocxlfs.rules.yml
DASHBOARD=$top_srcdir/contrib/prometheus/ocxlfs.grafana.json

promtool check rules "$RULES" >"$WORK/check.out" 2>&1 || fail "promtool check rules: $(cat "$WORK/check.out")"
ok "promtool check rules: $(grep -o '[0-9]* rules found' "$WORK/check.out")"

state_on_tmpfs 4m

# Card 0 is fine (its values will be made stale), 1 is hot (warning), 2
# logged a data loss (critical), 3 does not answer (down, warning), 4 is
# fatal (and down), 5 cannot store its dump (state directory, warning).
mount_ocxlfs --simulate=6 --sim-dump-size=1048576
sim_ctl 1 inject "smart temperature 80"
sim_ctl 2 inject "errlog data-loss"
sim_ctl 3 fault "status 0x21"
sim_ctl 4 fault fatal-firmware
wait_until 'grep -q "^critical 2 " "$MNT/health"'
dd if=/dev/zero of="$STATE/filler" bs=64k 2>/dev/null
sim_ctl 5 inject "dump 1048576"
wait_until 'grep -q "^ocxl_state_directory_writable{card=\"5\",serial=\"[0-9]*\"} 0$" "$MNT/metrics.prom"'
wait_until '[ "$(grep -c "^warning " "$MNT/health")" = 3 ] && grep -q "^fatal 4 " "$MNT/health"'
cp "$MNT/metrics.prom" "$WORK/metrics.prom"
cat "$MNT/health" >"$WORK/health"

"$PROM_PYTHON" "$(dirname "$0")/alert_tests.py" "$WORK/metrics.prom" "$RULES" 0 \
	"$WORK/tests.yml" <<'EXPECT' || fail "alert_tests.py"
OcxlCardDown critical 3 4
OcxlCardVerdictWarning warning 1 3 5
OcxlCardVerdictCritical critical 2
OcxlCardVerdictFatal critical 4
OcxlErrorLogFailureEntries warning 2:data-loss
OcxlMetricsStale warning 0
OcxlStateDirectoryFailing warning 5
EXPECT
promtool test rules "$WORK/tests.yml" >"$WORK/test.out" 2>&1 ||
	fail "promtool test rules: $(head -c 3000 "$WORK/test.out"); health: $(cat "$WORK/health")"
ok "promtool test rules: every alert fires for exactly the cards in its condition"

# The checker is a real one: an expectation that is wrong fails.
"$PROM_PYTHON" "$(dirname "$0")/alert_tests.py" "$WORK/metrics.prom" "$RULES" "" \
	"$WORK/wrong.yml" <<<"OcxlCardDown critical 3" || fail "alert_tests.py"
promtool test rules "$WORK/wrong.yml" >/dev/null 2>&1 && fail "promtool passed a wrong expectation"
ok "a wrong expectation fails the rule test"

# The dashboard: every series and label its queries name is exported.
"$PROM_PYTHON" - "$DASHBOARD" "$WORK/metrics.prom" <<'PY' || fail "the dashboard names what metrics.prom lacks"
import json, re, sys
from prometheus_client.parser import text_string_to_metric_families

with open(sys.argv[2]) as f:
    labels = {}
    for fam in text_string_to_metric_families(f.read()):
        for s in fam.samples:
            labels.setdefault(s.name, set()).update(s.labels)

def exprs(o):
    # A data-source variable's query names a plugin, not series.
    if isinstance(o, dict) and o.get("type") != "datasource":
        for k, v in o.items():
            if k in ("expr", "query") and isinstance(v, str):
                yield v
            else:
                yield from exprs(v)
    elif isinstance(o, list):
        for v in o:
            yield from exprs(v)

with open(sys.argv[1]) as f:
    dash = json.load(f)
n = 0
for e in exprs(dash):
    n += 1
    # $variables of the dashboard are not names
    bare = re.sub(r'"[^"]*"', '""', e)
    names = set(re.findall(r"\bocxl_[a-z_]+", bare))
    assert names, "a query without an ocxl series: " + e
    used = set()
    for name in names:
        assert name in labels, "not exported: %s in %s" % (name, e)
        used |= labels[name]
    for sel in re.findall(r"\{([^}]*)\}", bare):
        for lab in re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)", sel):
            assert lab in used, "label %s not on %s: %s" % (lab, names, e)
    for grp in re.findall(r"\b(?:by|without|on|ignoring)\s*\(([^)]*)\)", bare):
        for lab in re.findall(r"[a-zA-Z_][a-zA-Z0-9_]*", grp):
            assert lab in used, "label %s not on %s: %s" % (lab, names, e)
assert n >= 5, "only %d queries" % n
print("# %d dashboard queries checked" % n)
PY
ok "every query of the Grafana dashboard names only series and labels metrics.prom exports"

umount_ocxlfs || fail "unmount"
finish
