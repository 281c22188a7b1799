#!/usr/bin/env bash
# What a perfectly specified drift model would buy: for every fine-tune with a listed base,
# `attrib zoo explain` with the pristine candidates (what runs use), with candidates that also
# have fine-tuned copies on held-out text of the true domain at the true strength (the genre
# known, not the documents), and with oracle worlds (candidates fine-tuned on the fine-tune's
# own domain text at its true strength, the true base replaced by the fine-tune itself).
# Prints how often the truth wins after 5, 10, 30 and 100 answers to random prompts (drawn with replacement from 4 answers
# per pool prompt), and the most fine-tunes each observation model can expect right when a
# total budget of such answers is split over the fine-tunes as well as possible.
# Usage: bash scripts/oracle-margins.sh [ZOO_NAME ...]   (after `attrib demo` filled .cache/demo)
# BUDGET_round1_like / BUDGET_round2_like override the total budgets (60 and 144, the goals);
# ORACLE_MODELS="pristine oracle" leaves out the slow genre-known column.
# Writes Results/floor/<zoo>-oracle.md and <zoo>-ceiling.json (expected right at each answer count per
# fine-tune, per observation model: the oracle ceiling column of `attrib experiment` summaries).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
zoos=("$@")
[[ ${#zoos[@]} -gt 0 ]] || zoos=(round1-like round2-like)
swift build -c release --product attrib >/dev/null
for zoo in "${zoos[@]}"; do
    out="Results/floor/$zoo-oracle.md"
    budget_var="BUDGET_${zoo//-/_}"
    budget="${!budget_var:-}"
    [[ -n "$budget" ]] || { [[ $zoo == round1-like ]] && budget=60 || budget=144; }
    python3 scripts/oracle-margins.py "$zoo" "$budget" > "$out.tmp"
    mv "$out.tmp" "$out"
    echo "wrote $out" >&2
done
