#!/usr/bin/env python3
"""Paired differences by seed between each strategy and a baseline in an experiment's results.

    python3 scripts/paired-strategies.py Results/NAME [--baseline random] > Results/NAME/paired.md

For every (budget, variant) and strategy: per seed, correct and queries summed over the
fine-tunes, minus the baseline's on the same seed; the mean difference, its 95% t interval
over the seeds and the worst seed (the lowest difference in correct). Standard library only.
"""
from __future__ import annotations

import argparse
import csv
import statistics
import sys
from collections import defaultdict

# Two-sided 95% Student t quantiles by degrees of freedom (1 to 30).
T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
       2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]


def interval(values: list[float]) -> float:
    if len(values) < 2:
        return float("nan")
    return T95[min(len(values) - 2, len(T95) - 1)] * statistics.stdev(values) / len(values) ** 0.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", help="an experiment's results folder (with results.csv)")
    parser.add_argument("--baseline", default="random")
    args = parser.parse_args()
    path = f"{args.results}/results.csv"
    try:
        rows = list(csv.DictReader(open(path)))
    except OSError as error:
        print(f"paired-strategies: {path}: {error.strerror}", file=sys.stderr)
        return 1
    totals: dict[tuple[str, str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        key = (r["strategy"], r["budget"], r["variant"], r["seed"])
        totals[key][0] += int(r["correct"])
        totals[key][1] += int(r["queries"])
    strategies = sorted({k[0] for k in totals} - {args.baseline})
    cells = sorted({(k[1], k[2]) for k in totals}, key=lambda c: (int(c[0]), c[1]))
    print(f"Paired by seed against {args.baseline} (`scripts/paired-strategies.py {args.results}`): per seed, the fine-tunes right "
          "and the queries summed, minus the baseline's; mean, 95% t interval over the seeds, worst seed (lowest difference in right).\n")
    print("| budget | variant | strategy | seeds | right − baseline | 95% interval | worst seed | queries − baseline | 95% interval |")
    print("|---|---|---|---|---|---|---|---|---|")
    for budget, variant in cells:
        for s in strategies:
            seeds = sorted({k[3] for k in totals if k[0] == s and k[1] == budget and k[2] == variant}
                           & {k[3] for k in totals if k[0] == args.baseline and k[1] == budget and k[2] == variant}, key=int)
            if not seeds:
                continue
            dc = [totals[(s, budget, variant, x)][0] - totals[(args.baseline, budget, variant, x)][0] for x in seeds]
            dq = [totals[(s, budget, variant, x)][1] - totals[(args.baseline, budget, variant, x)][1] for x in seeds]
            worst = min(zip(dc, seeds))
            print(f"| {budget} | {variant or '–'} | {s} | {len(seeds)} | {statistics.mean(dc):+.2f} | ± {interval(dc):.2f} | "
                  f"{worst[0]:+d} (seed {worst[1]}) | {statistics.mean(dq):+.1f} | ± {interval(dq):.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
