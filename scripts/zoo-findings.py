#!/usr/bin/env python3
"""Issue 28's comparison of zoos: per experiment (EIG and random, no EIG floor, budgets 3 to 100,
5 seeds) and budget, the fine-tunes right and queries under each strategy, EIG's paired
difference from random by seed, the zoo's ceilings, how many threshold stops were right, and
what the wrong attributions were:

- near: another candidate of the true base's family (the same training corpus, or trained,
  distilled or fine-tuned from a model of it: another size, seed, length, a student, a derived
  candidate);
- other: a candidate of another family;
- None→base: a fine-tune of a model not in the list put on a candidate;
- base→None: a listed base's fine-tune answered `None`.

    python3 scripts/zoo-findings.py [Results/NAME ...]

Then the most frequent wrong attributions per zoo.

Families come from the zoo spec the summary names (`bases`, `references`: `corpus`, else the
family of `from` or `distilFrom`). Standard library only.
"""
from __future__ import annotations

import json
import os
import statistics
import sys
from collections import Counter

from results_table import (ceiling, fine_tune_count, folders_with_results, interval, means, paired, print_table, rows, threshold_stops,
                           totals, zoo_name, zoo_spec)

DEFAULT = ["round1-like-robust-acquisition", "check-b-robust-acquisition",
           "neural-round1-like-budget-sweep", "neural-check-b-budget-sweep"]
KINDS = ["near", "other", "None→base", "base→None"]


def families(spec_path: str) -> dict[str, str]:
    """Each base's and reference's family: its corpus, or its parent's family."""
    try:
        with open(spec_path) as f:
            spec = json.load(f)
    except (OSError, json.JSONDecodeError) as error:
        raise SystemExit(f"{spec_path}: {error}")
    entries = {e["name"]: e for e in spec.get("bases", []) + spec.get("references", [])}

    def family(name: str, seen: tuple[str, ...] = ()) -> str:
        entry = entries.get(name)
        if entry is None or name in seen:
            return name
        if "corpus" in entry:
            return str(entry["corpus"])
        parent = entry.get("from") or entry.get("distilFrom")
        return family(parent, seen + (name,)) if parent else name
    return {name: family(name) for name in entries}


def error_kind(truth: str, attribution: str, family: dict[str, str]) -> str | None:
    if truth == attribution:
        return None
    if truth == "None":
        return "None→base"
    if attribution == "None":
        return "base→None"
    return "near" if family.get(truth, truth) == family.get(attribution, attribution) else "other"


def matched_ratio(folder: str) -> str:
    """The summary's "Mean ratio R over the N of M seeds" line, shortened, or "–"."""
    with open(os.path.join(folder, "summary.md")) as f:
        for line in f:
            if line.startswith("Mean ratio ") and "where eig reaches" in line:
                words = line.split()
                return f"{words[2]} ({words[5]} of {words[7]} seeds)"
    return "–"


def fano_floor(folder: str) -> str:
    """The summary's Fano floor per model (its first ranked row), or "–"."""
    with open(os.path.join(folder, "summary.md")) as f:
        lines = [line for line in f if line.startswith("|")]
    if len(lines) < 3 or "Fano floor per model" not in lines[0]:
        return "–"
    column = [c.strip() for c in lines[0].strip().strip("|").split("|")].index("Fano floor per model")
    return [c.strip() for c in lines[2].strip().strip("|").split("|")][column]


def table(folder: str) -> list[str]:
    zoo = zoo_name(folder)
    family = families(zoo_spec(folder))
    table_rows = [r for r in rows(folder) if r["strategy"] in ("eig", "random") and not r["variant"]]
    sums = totals(table_rows)
    right, queries = means(sums, 0), means(sums, 1)
    stops = threshold_stops(table_rows)
    errors: dict[int, Counter[str]] = {}
    for r in table_rows:
        kind = error_kind(r["truth"], r["attribution"], family)
        if kind:
            errors.setdefault(int(r["budget"]), Counter())[kind] += 1
    lines = []
    for budget in sorted({b for (s, b) in right if s == "eig"} & {b for (s, b) in right if s == "random"}):
        seeds, dc, _ = paired(sums, "eig", "random", budget)
        if not seeds:
            continue
        worst = min(dc)
        e = errors.get(budget, Counter())
        eig_stops, random_stops = stops[("eig", budget)], stops[("random", budget)]
        lines.append(
            f"| {zoo} ({fine_tune_count(table_rows)}) | {budget} | {right[('random', budget)]:.2f} | {right[('eig', budget)]:.2f} | "
            f"{statistics.mean(dc):+.2f} ± {interval(dc):.2f} (worst {worst:+d}, {len(seeds)} seeds) | "
            f"{queries[('random', budget)]:.1f} | {queries[('eig', budget)]:.1f} | "
            f"{ceiling(zoo, 'pristine', budget)} | {ceiling(zoo, 'oracle', budget)} | "
            f"{eig_stops[1]} of {eig_stops[0]}; {random_stops[1]} of {random_stops[0]} | "
            + " / ".join(str(e[k]) for k in KINDS) + " |")
    lines.append(f"| {zoo} | EIG's queries over random's at matched accuracy: {matched_ratio(folder)}; "
                 f"Fano floor {fano_floor(folder)} queries per model | | | | | | | | | |")
    return lines


def confusions(folder: str, top: int = 4) -> list[str]:
    """The `top` most frequent wrong attributions (truth → attribution) over every budget,
    strategy and seed, with their kind."""
    zoo = zoo_name(folder)
    family = families(zoo_spec(folder))
    table_rows = [r for r in rows(folder) if r["strategy"] in ("eig", "random") and not r["variant"]]
    counts = Counter((r["truth"], r["attribution"]) for r in table_rows if r["truth"] != r["attribution"])
    return [f"| {zoo} | {t} → {a} | {n} of {len(table_rows)} | {error_kind(t, a, family)} |"
            for (t, a), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]


def main() -> None:
    folders = folders_with_results(sys.argv[1:], DEFAULT, "zoo-findings")
    print_table(["zoo (fine-tunes)", "budget", "random right", "eig right", "eig − random, paired by seed", "random queries",
                 "eig queries", "pristine ceiling", "oracle ceiling", "threshold stops right (eig; random)",
                 "errors (eig + random): " + " / ".join(KINDS)], [line for folder in folders for line in table(folder)])
    print("\nThe most frequent wrong attributions (over both strategies, every budget and seed):\n")
    print_table(["zoo", "truth → attribution", "times (of attributions)", "kind"],
                [line for folder in folders for line in confusions(folder)])


if __name__ == "__main__":
    main()
