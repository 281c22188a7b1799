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
        .build/release/attrib demo --work "$work" ${DEMO_ARGS:-} > "$work/$kind.log" 2>&1
        end=$(date +%s.%N)
        # The demo's step lines ("[ 12.3 s] zoo round1-like: ..."): seconds since the start and the step.
        steps=$(grep -E '^\[ *[0-9.]+ s\] (zoo |built the|trained [0-9]+ contextual|calibration|simulator|precompute: [0-9]+ tensors from the store, [1-9])' "$work/$kind.log" \
            | sed -E 's/^\[ *([0-9.]+) s\] (zoo|built the [A-Za-z ]+|trained [0-9]+ contextual drift models|calibration|simulator|precompute).*/\2 at \1 s/' | paste -sd',' - || true)
        result=$(grep -E "^EIG:" "$work/$kind.log" | tr -s ' ' || true)
        printf '%s run %d: %.1f s wall; %s; %s\n' "$kind" "$r" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" "$steps" "$result"
    done
    rm -rf "$work"
done
