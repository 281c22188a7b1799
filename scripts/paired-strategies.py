#!/usr/bin/env python3
"""Paired differences by seed between each strategy and a baseline in an experiment's results.

    python3 scripts/paired-strategies.py Results/NAME [--baseline random] > Results/NAME/paired.md

For every (budget, variant) and strategy: per seed, correct and queries summed over the
fine-tunes, minus the baseline's on the same seed; the mean difference, its 95% t interval
over the seeds and the worst seed (the lowest difference in correct). Standard library only.
"""
from __future__ import annotations

import argparse
import statistics
import sys

from results_table import interval, paired, rows, totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", help="an experiment's results folder (with results.csv)")
    parser.add_argument("--baseline", default="random")
    args = parser.parse_args()
    sums = totals(rows(args.results))
    strategies = sorted({k[0] for k in sums} - {args.baseline})
    cells = sorted({(k[1], k[2]) for k in sums})
    print(f"Paired by seed against {args.baseline} (`scripts/paired-strategies.py {args.results}`): per seed, the fine-tunes right "
          "and the queries summed, minus the baseline's; mean, 95% t interval over the seeds, worst seed (lowest difference in right).\n")
    print("| budget | variant | strategy | seeds | right − baseline | 95% interval | worst seed | queries − baseline | 95% interval |")
    print("|---|---|---|---|---|---|---|---|---|")
    for budget, variant in cells:
        for s in strategies:
            seeds, dc, dq = paired(sums, s, args.baseline, budget, variant)
            if not seeds:
                continue
            worst = min(zip(dc, seeds))
            print(f"| {budget} | {variant or '–'} | {s} | {len(seeds)} | {statistics.mean(dc):+.2f} | ± {interval(dc):.2f} | "
                  f"{worst[0]:+d} (seed {worst[1]}) | {statistics.mean(dq):+.1f} | ± {interval(dq):.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
