#!/usr/bin/env python3
"""Writes a `promtool test rules` file (JSON, which YAML reads) for
contrib/prometheus/ocxlfs.rules.yml from a metrics.prom the daemon
rendered: every sample becomes an input series that keeps its value for
40 minutes, except ocxl_collected_timestamp_seconds, which advances with
the clock, and stays at 0 for the cards named as stale.  EXPECT lines
"ALERTNAME SEVERITY CARD[:TYPE] ..." say which cards each alert must fire
for after 20 minutes; an alert without a line must not fire.  The
expected labels are the series' own (card, serial, and type where the
series has it) and the annotations the rules' templates filled in.
"CARD:TYPE" picks the series of that type.  Usage: alert_tests.py METRICS RULES STALE_CARDS OUT <EXPECT"""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

SUMMARY = {
    "OcxlCardDown": "ocxlfs card {card} (serial {serial}) does not answer its statistics or SMART command",
    "OcxlCardVerdictWarning": "ocxlfs card {card} (serial {serial}) has the health verdict warning: see its health file",
    "OcxlCardVerdictCritical": "ocxlfs card {card} (serial {serial}) has the health verdict critical: see its health file",
    "OcxlCardVerdictFatal": "ocxlfs card {card} (serial {serial}) has the health verdict fatal: see its health file",
    "OcxlErrorLogFailureEntries": "ocxlfs card {card} (serial {serial}) logged {type} error-log entries in the last 24 hours",
    "OcxlMetricsStale": "ocxlfs card {card} (serial {serial}): its metrics were taken more than 5 minutes ago",
    "OcxlStateDirectoryFailing": "ocxlfs card {card} (serial {serial}): its state directory cannot take writes; error-log entries and dumps stay on the card",
}


# The series each alert is about, and the labels that pick it besides card.
SOURCE = {
    "OcxlCardDown": ("ocxl_card_up", {}),
    "OcxlCardVerdictWarning": ("ocxl_card_verdict", {"verdict": "warning"}),
    "OcxlCardVerdictCritical": ("ocxl_card_verdict", {"verdict": "critical"}),
    "OcxlCardVerdictFatal": ("ocxl_card_verdict", {"verdict": "fatal"}),
    "OcxlErrorLogFailureEntries": ("ocxl_error_log_recent_failures", {}),
    "OcxlMetricsStale": ("ocxl_collected_timestamp_seconds", {}),
    "OcxlStateDirectoryFailing": ("ocxl_state_directory_writable", {}),
}


def value(v):
    return str(int(v)) if float(v).is_integer() else repr(v)


def main():
    metrics, rules, stale, out = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4]
    with open(metrics, encoding="utf-8") as f:
        fams = list(text_string_to_metric_families(f.read()))
    series, samples = [], []
    for fam in fams:
        for s in fam.samples:
            labels = ",".join('%s="%s"' % kv for kv in sorted(s.labels.items()))
            if s.name == "ocxl_collected_timestamp_seconds":
                vals = "0+0x40" if s.labels["card"] in stale else "0+60x40"
            else:
                vals = "%s+0x40" % value(s.value)
            series.append({"series": "%s{%s}" % (s.name, labels), "values": vals})
            samples.append(s)
    expected = {name: [] for name in SUMMARY}
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        name, severity = words[0], words[1]
        metric, pick = SOURCE[name]
        for w in words[2:]:
            card, _, typ = w.partition(":")
            want = dict(pick, card=card, **({"type": typ} if typ else {}))
            found = [s for s in samples if s.name == metric
                     and all(s.labels.get(k) == v for k, v in want.items())]
            if len(found) != 1:
                sys.exit("%s: %d series of %s match %r" % (name, len(found), metric, want))
            # An alert has its series' labels (without the name) and the rule's.
            labels = dict(found[0].labels, severity=severity)
            expected[name].append({
                "exp_labels": labels,
                "exp_annotations": {"summary": SUMMARY[name].format(**labels)},
            })
    tests = {
        "rule_files": [rules],
        "evaluation_interval": "1m",
        "tests": [{
            "interval": "1m",
            "input_series": series,
            "alert_rule_test": [{"eval_time": "20m", "alertname": n, "exp_alerts": a}
                                for n, a in expected.items()],
        }],
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(tests, f, indent=1)


main()
