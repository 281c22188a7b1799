#!/usr/bin/env bash
# Times `attrib demo` cold (a new working folder: zoo, pool, None references, calibration and
# the EIG store all built from scratch) and then cached (the same folder again).
# Usage: [RUNS=3] [DEMO_ARGS="--zoo Experiments/zoos/round2-like.json"] bash scripts/cold-demo.sh
# Prints one line per run: cold or cached, wall seconds, and the demo's own step times.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
swift build -c release --product attrib >/dev/null 2>&1
runs="${RUNS:-3}"
for r in $(seq 1 "$runs"); do
    work="$(mktemp -d /tmp/attrib-cold-demo.XXXXXX)"
    for kind in cold cached; do
        start=$(date +%s.%N)
        # shellcheck disable=SC2086
        .build/release/attrib demo --work "$work" --json ${DEMO_ARGS:-} > "$work/$kind.json" 2> "$work/$kind.log"
        end=$(date +%s.%N)
        # The demo's JSON: the seconds at which each step ended, and the scored result.
        summary=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
steps = ", ".join(f"{k} at {v:.1f} s" for k, v in sorted(d["step_ends"].items(), key=lambda kv: kv[1]))
correct, total, queries = d["correct"], d["total"], d["queries"]
print(f"{steps}; EIG: {correct}/{total} correct with {queries} queries")' "$work/$kind.json")
        printf '%s run %d: %.1f s wall; %s\n' "$kind" "$r" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" "$summary"
    done
    rm -rf "$work"
done
