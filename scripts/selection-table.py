#!/usr/bin/env python3
"""Issue 29's cross-zoo table: per zoo and budget, the fine-tunes right under random selection,
EIG and the best of the robust strategies (mean over the response seeds), beside what random
prompts allow under the observation model runs use (pristine) and under oracle worlds, and how
many threshold stops were right. Reads each experiment's results.csv and the zoo's ceiling file
(Results/floor/ZOO-ceiling.json, `attrib zoo ceiling`).

    python3 scripts/selection-table.py [Results/NAME ...] > Results/selection/README-table.md
"""

from __future__ import annotations

import sys

from results_table import ceiling, fine_tune_count, folders_with_results, means, print_table, rows, threshold_stops, totals, zoo_name

DEFAULT = ["round1-like-robust-acquisition", "round2-like-robust-acquisition", "check-a-robust-acquisition",
           "check-b-robust-acquisition", "neural-micro-budget-sweep", "neural-check-b-calibration-12"]


def table(folder: str) -> list[str]:
    zoo = zoo_name(folder)
    table_rows = [r for r in rows(folder) if not r["variant"]]  # variants are other experiments' business
    mean = means(totals(table_rows))
    stops = threshold_stops(table_rows)
    lines = []
    for budget in sorted({b for _, b in mean}):
        others = {s: m for (s, b), m in mean.items() if b == budget and s not in ("random", "eig")}
        best = max(others.items(), key=lambda kv: kv[1]) if others else None
        stopped, ok = stops[("eig", budget)]
        lines.append(f"| {zoo} ({fine_tune_count(table_rows)}) | {budget} | {mean.get(('random', budget), float('nan')):.2f} | "
                     f"{mean.get(('eig', budget), float('nan')):.2f} | "
                     + (f"{best[1]:.2f} ({best[0]})" if best else "–")
                     + f" | {ceiling(zoo, 'pristine', budget)} | {ceiling(zoo, 'oracle', budget)} | {ok} of {stopped} |")
    return lines


def main() -> None:
    folders = folders_with_results(sys.argv[1:], DEFAULT, "selection-table")
    print_table(["zoo (fine-tunes)", "budget", "random", "eig", "best robust strategy", "pristine ceiling", "oracle ceiling",
                 "eig threshold stops right"], [line for folder in folders for line in table(folder)])


if __name__ == "__main__":
    main()
