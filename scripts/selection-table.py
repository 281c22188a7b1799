#!/usr/bin/env python3
"""Issue 29's cross-zoo table: per zoo and budget, the fine-tunes right under random selection,
EIG and the best of the robust strategies (mean over the response seeds), beside what random
prompts allow under the observation model runs use (pristine) and under oracle worlds, and how
many threshold stops were right. Reads each experiment's results.csv and the zoo's ceiling file
(Results/floor/ZOO-ceiling.json, `attrib zoo ceiling`).

    python3 scripts/selection-table.py [Results/NAME ...] > Results/selection/README-table.md
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections import defaultdict

DEFAULT = ["round1-like-robust-acquisition", "round2-like-robust-acquisition", "check-a-robust-acquisition",
           "check-b-robust-acquisition", "neural-micro-budget-sweep", "neural-check-b-low-budgets"]


def zoo_of(folder: str) -> str:
    """The zoo's name from the summary's first line naming `Experiments/zoos/...json`."""
    for line in open(os.path.join(folder, "summary.md")):
        if "Zoo `" in line:
            return os.path.basename(line.split("Zoo `", 1)[1].split("`", 1)[0]).removesuffix(".json")
    raise SystemExit(f"{folder}/summary.md: no line names the zoo")


def ceiling(zoo: str, model: str, budget: int) -> str:
    path = os.path.join("Results", "floor", f"{zoo}-ceiling.json")
    if not os.path.exists(path):
        return "–"
    c = json.load(open(path))
    values = c["expected_right"].get(model)
    if values is None or budget not in c["counts"]:
        return "–"
    return f"{values[c['counts'].index(budget)]:.2f}"


def table(folder: str) -> list[str]:
    zoo = zoo_of(folder)
    right: dict[tuple[str, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    stops: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    total: dict[str, set[str]] = defaultdict(set)
    for row in csv.DictReader(open(os.path.join(folder, "results.csv"))):
        key = (row["strategy"], int(row["budget"]))
        right[key][row["seed"]] += int(row["correct"])
        total[row["seed"]].add(row["model"])
        if row["stop_reason"].startswith("posterior"):
            stops[key][0] += 1
            stops[key][1] += int(row["correct"])
    size = len(next(iter(total.values())))
    mean = {k: sum(v.values()) / len(v) for k, v in right.items()}
    lines = []
    for budget in sorted({b for _, b in right}):
        others = {s: m for (s, b), m in mean.items() if b == budget and s not in ("random", "eig")}
        best = max(others.items(), key=lambda kv: kv[1]) if others else None
        stopped, ok = stops[("eig", budget)]
        lines.append(f"| {zoo} ({size}) | {budget} | {mean.get(('random', budget), float('nan')):.2f} | "
                     f"{mean.get(('eig', budget), float('nan')):.2f} | "
                     + (f"{best[1]:.2f} ({best[0]})" if best else "–")
                     + f" | {ceiling(zoo, 'pristine', budget)} | {ceiling(zoo, 'oracle', budget)} | {ok} of {stopped} |")
    return lines


def main() -> None:
    folders = sys.argv[1:] or [os.path.join("Results", name) for name in DEFAULT]
    print("| zoo (fine-tunes) | budget | random | eig | best robust strategy | pristine ceiling | oracle ceiling | eig threshold stops right |")
    print("|---|---|---|---|---|---|---|---|")
    for folder in folders:
        if not os.path.exists(os.path.join(folder, "results.csv")):
            print(f"selection-table: {folder}/results.csv not found (run its experiment first)", file=sys.stderr)
            continue
        print("\n".join(table(folder)))


if __name__ == "__main__":
    main()
