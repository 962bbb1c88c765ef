#!/usr/bin/env python3
"""Parses a Prometheus text exposition with prometheus_client's parser and
checks what that lax parser lets through: one HELP/TYPE block per family,
no stray untyped samples, counters named *_total, a card label on every
sample, no duplicate series.  Prints one line per family; exits 1 on the
first problem.  Usage: prom_check.py FILE"""
import math
import sys

from prometheus_client.parser import text_string_to_metric_families


def fail(msg):
    print("prom_check: " + msg, file=sys.stderr)
    sys.exit(1)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    if not text.endswith("\n"):
        fail("exposition does not end in a newline")
    seen_families = set()
    seen_series = set()
    try:
        families = list(text_string_to_metric_families(text))
    except ValueError as e:
        fail("does not parse: %s" % e)
    for fam in families:
        if fam.name in seen_families:
            fail("family %s has more than one block" % fam.name)
        seen_families.add(fam.name)
        if fam.type not in ("counter", "gauge"):
            fail("family %s has type %s (sample outside its block?)" % (fam.name, fam.type))
        if not fam.documentation:
            fail("family %s has no HELP" % fam.name)
        if not fam.name.startswith("ocxl_"):
            fail("family %s lacks the ocxl_ prefix" % fam.name)
        for s in fam.samples:
            if fam.type == "counter" and not s.name.endswith("_total"):
                fail("counter sample %s does not end in _total" % s.name)
            if "card" not in s.labels:
                fail("sample %s has no card label" % s.name)
            if math.isnan(s.value) or s.value < 0:
                fail("sample %s has value %r" % (s.name, s.value))
            key = (s.name, tuple(sorted(s.labels.items())))
            if key in seen_series:
                fail("duplicate series %s%r" % key)
            seen_series.add(key)
        print("%s %s %d" % (fam.name, fam.type, len(fam.samples)))


if __name__ == "__main__":
    main()
