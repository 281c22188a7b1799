#!/usr/bin/env python3
"""Continuation-length distribution of the real MLMAC round-1 responses.

Independent cross-check of the Swift parser (Sources/Oracles/ReplayLog*.swift), same
rules: prompts.csv holds one prompt a line; N.csv holds, in prompt order, each prompt
immediately followed by its continuation and a line feed; a continuation may span lines
and ends where the next prompt starts a line. Lengths are in characters (code points).

Usage: python3 scripts/round1-lengths.py [ROUND1_LOG_DIR]   (default ../shared/mlmac/round1-log)
"""
import os
import statistics
import sys


def parse(set_dir):
    with open(os.path.join(set_dir, "prompts.csv"), encoding="utf-8", newline="") as f:
        prompts = f.read().removesuffix("\n").split("\n")
    models = {}
    for name in os.listdir(set_dir):
        stem = name.removesuffix(".csv")
        if not name.endswith(".csv") or not stem.isdigit():
            continue
        with open(os.path.join(set_dir, name), encoding="utf-8", newline="") as f:
            text = f.read()
        pos, records = 0, []
        for i, p in enumerate(prompts):
            # The echo may lose the prompt's trailing spaces (one real case: a tokenizer
            # round trip turned "нужд. " + "C" into "нужд.C").
            echo = p if text.startswith(p, pos) else p.rstrip(" ")
            if not text.startswith(echo, pos):
                sys.exit(f"{set_dir}/{name}: record {i + 1} does not start with its prompt")
            if echo != p:
                print(f"<!-- {os.path.basename(set_dir)}/{name} record {i + 1}: echo lost the prompt's trailing spaces -->")
            body = pos + len(echo)
            if i + 1 < len(prompts):
                end = text.find("\n" + prompts[i + 1].rstrip(" "), body)
                if end < 0:
                    sys.exit(f"{set_dir}/{name}: prompt {i + 2} not found")
                nxt = end + 1
            else:
                end = len(text) - 1 if text.endswith("\n") and len(text) > body else len(text)
                nxt = len(text)
            records.append(text[body:end])
            pos = nxt
        models[int(stem)] = records
    return prompts, models


def quantile(xs, q):
    """Nearest-rank quantile (the smallest value with at least q of the data at or below)."""
    xs = sorted(xs)
    k = max(0, min(len(xs) - 1, -(-int(q * 1000) * len(xs) // 1000) - 1))
    return xs[k]


def row(label, lengths):
    qs = [quantile(lengths, q) for q in (0.5, 0.75, 0.89, 0.90, 0.95, 0.99)]
    short = sum(1 for x in lengths if x <= 5) / len(lengths)
    return (f"| {label} | {len(lengths)} | {statistics.median(lengths):g} | "
            + " | ".join(str(q) for q in qs) + f" | {max(lengths)} | {short:.1%} |")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "shared", "mlmac", "round1-log")
    sets = sorted(d for d in os.listdir(root) if os.path.exists(os.path.join(root, d, "prompts.csv")))
    print("| records | n | median | p50 | p75 | p89 | p90 | p95 | p99 | max | share <= 5 chars |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    everything, others, model10 = [], [], []
    for s in sets:
        prompts, models = parse(os.path.join(root, s))
        plen = [len(p) for p in prompts]
        print(f"<!-- {s}: {len(prompts)} prompts, {len(plen) and min(plen)}-{max(plen)} chars, models {sorted(models)} -->")
        for m in sorted(models):
            lengths = [len(c) for c in models[m]]
            everything += lengths
            (model10 if m == 10 else others).extend(lengths)
            if m == 10:
                print(row(f"{s} model 10", lengths))
        print(row(f"{s} all but model 10", [len(c) for m in models if m != 10 for c in models[m]]))
    print(row("both sets, model 10", model10))
    print(row("both sets, all but model 10", others))
    print(row("both sets, all models", everything))


if __name__ == "__main__":
    main()
