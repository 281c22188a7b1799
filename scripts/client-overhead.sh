#!/usr/bin/env bash
# Client overhead per query (issue 4 figure): MLMACClient against the simulator on
# loopback, beside the curl command line doing the same requests (one process per request,
# and one keep-alive process). Prints median and p99 and their ratios.
# Usage: scripts/client-overhead.sh [queries, default 1000]
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=${SCRATCH:-.build-api}
if ! log=$(swift build --scratch-path "$scratch" --build-tests 2>&1); then
    grep -E "error" <<<"$log" >&2
    exit 1
fi
ATTRIB_BENCH=1 ATTRIB_BENCH_N=${1:-1000} \
    swift test --scratch-path "$scratch" --skip-build --filter ClientOverheadBenchmark 2>&1 \
    | grep -E '^(Client overhead|MLMACClient|curl CLI|ratio|✘)'
