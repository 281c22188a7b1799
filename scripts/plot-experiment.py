#!/usr/bin/env python3
"""Plots of an experiment's results.csv (written by `attrib experiment`), as PNG and SVG in DIR/plots:
accuracy against total queries per strategy with the Pareto front, accuracy against the per-model
budget, calibration (stated confidence against accuracy) and queries per fine-tune by strategy.
Usage: python3 scripts/plot-experiment.py Results/NAME   (bash scripts/install-plotting.sh installs matplotlib)"""
import csv, os, statistics as st, sys
from collections import defaultdict

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

directory = sys.argv[1]
rows = list(csv.DictReader(open(os.path.join(directory, "results.csv"))))
if not rows:
    sys.exit(f"{directory}/results.csv has no rows")
out = os.path.join(directory, "plots")
os.makedirs(out, exist_ok=True)
# Fixed SVG ids and no creation date, so a rerun rewrites the same files.
plt.rcParams.update({"font.size": 11, "figure.dpi": 110, "svg.hashsalt": "attrib"})

# A row's series: its strategy, its decoding when not the zoo's own, and its variant when the spec has them.
label = lambda r: (r["strategy"] + ("" if r.get("decoding", "zoo") == "zoo" else ", " + r["decoding"])
                   + (", " + r["variant"] if r.get("variant") else ""))
# Per cell: correct and queries over its fine-tunes; per configuration: means over seeds.
cells = defaultdict(lambda: [0, 0, 0])
for r in rows:
    key = (label(r), float(r["threshold"]), int(r["budget"]), r["seed"])
    cells[key][0] += int(r["correct"]); cells[key][1] += int(r["queries"]); cells[key][2] += 1
configs = defaultdict(list)
for (s, t, b, seed), (c, q, n) in cells.items():
    configs[(s, t, b)].append((c, q, n))
strategies = sorted({k[0] for k in configs})
colors = {s: plt.cm.tab10(i % 10) for i, s in enumerate(strategies)}
total = next(iter(cells.values()))[2]


def save(fig, name):
    fig.tight_layout()
    fig.savefig(os.path.join(out, f"{name}.png"), metadata={"Software": None})
    fig.savefig(os.path.join(out, f"{name}.svg"), metadata={"Date": None})
    plt.close(fig)


# 1. Accuracy against total queries, with the Pareto front over every configuration.
fig, ax = plt.subplots(figsize=(7, 4.8))
points = []
for (s, t, b), v in configs.items():
    c, q = st.mean(x[0] for x in v), st.mean(x[1] for x in v)
    points.append((q, c))
    ax.scatter(q, c, color=colors[s], s=40, label=s)
    ax.annotate(f"τ {t:g}, b {b}", (q, c), textcoords="offset points", xytext=(5, 4), fontsize=8)
front, best = [], -1
for q, c in sorted(points, key=lambda p: (p[0], -p[1])):  # fewest queries first; at equal queries, best first
    if c > best:
        front.append((q, c)); best = c
ax.plot([p[0] for p in front], [p[1] for p in front], color="grey", linestyle="--", linewidth=1, label="Pareto front")
handles, labels = ax.get_legend_handles_labels()
unique = dict(zip(labels, handles))
ax.legend(unique.values(), unique.keys(), fontsize=9)
ax.set_xlabel("queries over all fine-tunes (mean over seeds)")
ax.set_ylabel(f"correct attributions (of {total}, mean over seeds)")
ax.set_title("Accuracy against queries, per configuration")
save(fig, "accuracy-vs-queries")

# 2. Accuracy against the per-model budget, per strategy (and threshold).
budgets = sorted({k[2] for k in configs})
if len(budgets) > 1:
    fig, ax = plt.subplots(figsize=(7, 4.8))
    for s in strategies:
        for t in sorted({k[1] for k in configs if k[0] == s}):
            xs = [b for b in budgets if (s, t, b) in configs]
            ys = [st.mean(x[0] for x in configs[(s, t, b)]) for b in xs]
            ax.plot(xs, ys, marker="o", color=colors[s], label=f"{s}, threshold {t:g}")
    ax.set_xscale("log")
    # The measured budgets as plain numbers (log-axis defaults print 3x10^0 for small ranges).
    ax.set_xticks(budgets, [str(b) for b in budgets])
    ax.minorticks_off()
    ax.set_xlabel("budget: queries per fine-tune at most (log scale)")
    ax.set_ylabel(f"correct attributions (of {total}, mean over seeds)")
    ax.set_title("Does more budget buy accuracy?")
    ax.legend(fontsize=9)
    save(fig, "accuracy-vs-budget")

# 3. Calibration: stated confidence (the final top posterior) against accuracy, in bins.
fig, ax = plt.subplots(figsize=(5.6, 5))
edges = [0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0001]
for s in strategies:
    xs, ys, ns = [], [], []
    for lo, hi in zip(edges, edges[1:]):
        sel = [r for r in rows if label(r) == s and lo <= float(r["confidence"]) < hi]
        if sel:
            xs.append(st.mean(float(r["confidence"]) for r in sel)); ys.append(st.mean(int(r["correct"]) for r in sel)); ns.append(len(sel))
    ax.plot(xs, ys, marker="o", color=colors[s], label=s)
ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1, label="perfect calibration")
ax.set_xlabel("stated confidence (final top posterior)")
ax.set_ylabel("share right")
ax.set_title("Calibration")
ax.legend(fontsize=9)
save(fig, "calibration")

# 4. Queries per fine-tune, by strategy.
fig, ax = plt.subplots(figsize=(7, 4.5))
data = [[int(r["queries"]) for r in rows if label(r) == s] for s in strategies]
ax.boxplot(data)
ax.set_xticks(range(1, len(strategies) + 1), strategies)
ax.set_ylabel("queries to one fine-tune")
ax.set_title("Queries per fine-tune, by strategy")
save(fig, "queries-per-fine-tune")
# 5. Posterior trajectories: the truth's probability after each answer, for the fine-tunes of
#    one cell (the first seed of the first configuration, by the cell files' names).
import glob, json
files = sorted(glob.glob(os.path.join(directory, "cells", "*.json")))
if files:
    cell = json.load(open(files[0]))
    fig, ax = plt.subplots(figsize=(7, 4.8))
    for row in cell["rows"][:8]:
        path = row.get("truthTrajectory") or []
        if path:
            ax.plot(range(1, len(path) + 1), path, marker=".", label=f"{row['model']}: {row['truth']}"
                    + ("" if row["correct"] else " (wrong)"))
    c = cell["cell"]
    ax.axhline(float(c["threshold"]), color="grey", linestyle=":", linewidth=1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("answers to this fine-tune")
    ax.set_ylabel("posterior probability of the true base")
    ax.set_title(f"Posterior trajectories ({c['strategy']}, threshold {c['threshold']:g}, budget {c['budget']}, seed {c['seed']})",
                 fontsize=10)
    ax.legend(fontsize=7, ncol=2)
    save(fig, "posterior-trajectories")
print(f"plots written to {out}")
