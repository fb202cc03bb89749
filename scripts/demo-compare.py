#!/usr/bin/env python3
# Usage: scripts/demo-compare.py runs/demo-before runs/demo-after (two `./maestro demo --out DIR` runs, same seed).
# Compares the systems of two demo runs field by field, on the fields both reports have (a newer report may add
# fields; they are listed), ignoring measured wall-clock figures: decision time, episodes/s in the note, and
# mean_latency_ms where it includes measured tool time (blind-tools' image tools). Exit 0 when all are equal.
import json, os, re, sys

a, b = sys.argv[1], sys.argv[2]
bad = 0
for suite in sorted(os.listdir(a)):
    pa, pb = os.path.join(a, suite, "report.json"), os.path.join(b, suite, "report.json")
    if not (os.path.isfile(pa) and os.path.isfile(pb)):
        continue
    ra, rb = json.load(open(pa)), json.load(open(pb))

    def clean(s):
        s = {k: v for k, v in s.items() if "decision" not in k}
        if "note" in s:
            s["note"] = re.sub(r"[\d.]+ episodes/s", "N episodes/s", s["note"])
        if suite == "blind-tools":
            s.pop("mean_latency_ms", None)
        return s

    sa = [clean(s) for s in ra["systems"]]
    sb = [clean(s) for s in rb["systems"]]
    common = sorted({k for s in sa for k in s})  # every field of the first run's systems
    added = sorted({k for s in sb for k in s} - set(common))
    same = [s["name"] for s in sa] == [s["name"] for s in sb] and all(
        all(x.get(k) == y.get(k) for k in x) for x, y in zip(sa, sb))
    bad += 0 if same else 1
    print(f"{suite}: {len(sa)} systems, compared {common}: {'identical' if same else 'DIFFER'}"
          + (f"; only in {b}: {added}" if added else ""))
    if not same:
        for x, y in zip(sa, sb):
            d = {k: (x.get(k), y.get(k)) for k in x if x.get(k) != y.get(k)}
            if d:
                print("   ", x.get("name"), d)
sys.exit(1 if bad else 0)
