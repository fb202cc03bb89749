#!/usr/bin/env python3
# Usage: scripts/demo-compare.py runs/demo-before runs/demo-after (two `./maestro demo --out DIR` runs, same seed).
# Compares the systems of two demo runs field by field, ignoring measured wall-clock figures: decision time,
# episodes/s in the note, and mean_latency_ms where it includes measured tool time (blind-tools' image tools).
import json, os, re, sys
a, b = sys.argv[1], sys.argv[2]
bad = 0
for suite in sorted(os.listdir(a)):
    ra = json.load(open(os.path.join(a, suite, "report.json")))
    rb = json.load(open(os.path.join(b, suite, "report.json")))
    def clean(s):
        s = {k: v for k, v in s.items() if "decision" not in k}
        if "note" in s:
            s["note"] = re.sub(r"[\d.]+ episodes/s", "N episodes/s", s["note"])
        if suite == "blind-tools":
            s.pop("mean_latency_ms", None)
        return s
    sa = [clean(s) for s in ra["systems"]]
    sb = [clean(s) for s in rb["systems"]]
    fields = sorted({k for s in sa for k in s})
    same = sa == sb
    bad += 0 if same else 1
    print(f"{suite}: {len(sa)} systems, fields {fields}: {'identical' if same else 'DIFFER'}")
sys.exit(1 if bad else 0)
