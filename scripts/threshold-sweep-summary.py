#!/usr/bin/env python3
"""Summarises threshold sweeps of several response seeds (scripts/threshold-sweep.sh outputs).

Usage: python3 scripts/threshold-sweep-summary.py Results/demo/round2-like-threshold-sweep*.jsonl

Reads the .jsonl files threshold-sweep.sh writes beside its tables (one `attrib demo --json`
object per tau), never the Markdown.

Prints, per tau, EIG's and random's mean correct and mean queries over the seeds, then the
queries at matched accuracy: for each seed, the fewest queries with which each strategy
reached random's best accuracy on that seed (over the swept taus), and the ratio EIG/random.
"""
import json, statistics as st, sys

rows = {}   # file -> [(tau, eig_c, eig_q, rnd_c, rnd_q)]
for path in sys.argv[1:]:
    for n, line in enumerate(open(path), 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
            rows.setdefault(path, []).append((str(r["tau"]), r["correct"], r["queries"], r["baseline"]["correct"], r["baseline"]["queries"]))
        except (ValueError, KeyError, TypeError) as e:
            sys.exit(f"{path}:{n}: not a threshold-sweep record ({e})")
if not rows:
    sys.exit("no sweep records found in " + " ".join(sys.argv[1:]))
taus = [r[0] for r in next(iter(rows.values()))]
print(f"{len(rows)} seeds: " + ", ".join(rows))
print("\n| tau | EIG correct | EIG queries | random correct | random queries |\n|---|---|---|---|---|")
for k, tau in enumerate(taus):
    col = lambda j: st.mean(r[k][j] for r in rows.values())
    print(f"| {tau} | {col(1):.2f} | {col(2):.1f} | {col(3):.2f} | {col(4):.1f} |")
print("\n| sweep | random's best correct | random's fewest queries for it | EIG's fewest queries for it | ratio |\n|---|---|---|---|---|")
ratios = []
for path, r in rows.items():
    best = max(x[3] for x in r)
    rq = min(x[4] for x in r if x[3] >= best)
    eq = [x[2] for x in r if x[1] >= best]
    ratio = min(eq) / rq if eq else None
    if ratio is not None:
        ratios.append(ratio)
    print(f"| {path} | {best} | {rq} | {min(eq) if eq else 'never'} | {f'{ratio:.2f}' if ratio else '-'} |")
if ratios:
    print(f"\nmean ratio {st.mean(ratios):.2f} (worst {max(ratios):.2f}) over {len(ratios)} seeds where EIG reached it; "
          f"EIG never reached it on {len(rows) - len(ratios)}")
