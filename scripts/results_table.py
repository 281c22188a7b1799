"""Shared reading of an experiment's results folder (`attrib experiment` writes `results.csv`
and `summary.md`) for the table scripts: `paired-strategies.py`, `selection-table.py`,
`zoo-findings.py`. Standard library only.

A cell's totals are the fine-tunes right and the queries, summed over the fine-tunes of one
(strategy, budget, variant, seed); intervals are two-sided 95% Student t over the seeds.
"""
from __future__ import annotations

import csv
import json
import os
import statistics
from collections import defaultdict

# Two-sided 95% Student t quantiles by degrees of freedom (1 to 30).
T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
       2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]

Key = tuple[str, int, str, str]  # strategy, budget, variant, seed


def interval(values: list[float]) -> float:
    """Half-width of the 95% t interval of the mean of `values` (nan under two values)."""
    if len(values) < 2:
        return float("nan")
    return T95[min(len(values) - 2, len(T95) - 1)] * statistics.stdev(values) / len(values) ** 0.5


def rows(folder: str) -> list[dict[str, str]]:
    """The rows of `folder/results.csv`; SystemExit with the path when it cannot be read."""
    path = os.path.join(folder, "results.csv")
    try:
        with open(path, newline="") as f:
            return list(csv.DictReader(f))
    except OSError as error:
        raise SystemExit(f"{path}: {error.strerror} (run its experiment first)")


def totals(table: list[dict[str, str]]) -> dict[Key, list[int]]:
    """[right, queries] summed over the fine-tunes of each (strategy, budget, variant, seed)."""
    out: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    for r in table:
        key = (r["strategy"], int(r["budget"]), r["variant"], r["seed"])
        out[key][0] += int(r["correct"])
        out[key][1] += int(r["queries"])
    return out


def paired(sums: dict[Key, list[int]], strategy: str, baseline: str, budget: int, variant: str = "") \
        -> tuple[list[str], list[int], list[int]]:
    """The seeds both strategies ran at (budget, variant), sorted, and per seed the strategy's
    right and queries minus the baseline's."""
    def seeds(s: str) -> set[str]:
        return {k[3] for k in sums if k[0] == s and k[1] == budget and k[2] == variant}
    common = sorted(seeds(strategy) & seeds(baseline), key=int)
    right = [sums[(strategy, budget, variant, x)][0] - sums[(baseline, budget, variant, x)][0] for x in common]
    queries = [sums[(strategy, budget, variant, x)][1] - sums[(baseline, budget, variant, x)][1] for x in common]
    return common, right, queries


def zoo_spec(folder: str) -> str:
    """The zoo spec's path named in the summary's line `Zoo `Experiments/zoos/...json``."""
    path = os.path.join(folder, "summary.md")
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError as error:
        raise SystemExit(f"{path}: {error.strerror}")
    for line in lines:
        if "Zoo `" in line:
            return line.split("Zoo `", 1)[1].split("`", 1)[0]
    raise SystemExit(f"{path}: no line names the zoo (`Zoo `...``)")


def zoo_name(folder: str) -> str:
    return os.path.basename(zoo_spec(folder)).removesuffix(".json")


def means(sums: dict[Key, list[int]], index: int = 0, variant: str = "") -> dict[tuple[str, int], float]:
    """Per (strategy, budget) at `variant`, the mean over the seeds of right (index 0) or queries (1)."""
    per: dict[tuple[str, int], list[int]] = defaultdict(list)
    for (strategy, budget, v, _), values in sums.items():
        if v == variant:
            per[(strategy, budget)].append(values[index])
    return {k: statistics.mean(v) for k, v in per.items()}


def threshold_stops(table: list[dict[str, str]]) -> dict[tuple[str, int], list[int]]:
    """Per (strategy, budget), over every seed and variant: [stopped by the posterior threshold, of them right]."""
    out: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    for r in table:
        if r["stop_reason"].startswith("posterior"):
            key = (r["strategy"], int(r["budget"]))
            out[key][0] += 1
            out[key][1] += int(r["correct"])
    return out


def fine_tune_count(table: list[dict[str, str]]) -> int:
    """How many fine-tunes one run attributes (the distinct model ids)."""
    return len({r["model"] for r in table})


def ceiling(zoo: str, model: str, budget: int) -> str:
    """`Results/floor/ZOO-ceiling.json`'s expected right for `model` at `budget` answers per
    fine-tune, formatted, or "–" where the file or the count is absent (`attrib zoo ceiling`)."""
    path = os.path.join("Results", "floor", f"{zoo}-ceiling.json")
    if not os.path.exists(path):
        return "–"
    with open(path) as f:
        c = json.load(f)
    values = c["expected_right"].get(model)
    if values is None or budget not in c["counts"]:
        return "–"
    return f"{values[c['counts'].index(budget)]:.2f}"


def folders_with_results(given: list[str], default: list[str], script: str) -> list[str]:
    """The folders asked for (else `Results/NAME` for each default name) that hold a
    results.csv; each one that does not is named on standard error by `script`."""
    import sys

    folders = given or [os.path.join("Results", name) for name in default]
    present = [f for f in folders if os.path.exists(os.path.join(f, "results.csv"))]
    for folder in folders:
        if folder not in present:
            print(f"{script}: {folder}/results.csv not found (run its experiment first)", file=sys.stderr)
    return present


def print_table(columns: list[str], lines: list[str]) -> None:
    """A markdown table: the header of `columns`, its rule, then `lines` (rows already written)."""
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for line in lines:
        print(line)
