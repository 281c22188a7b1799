#!/usr/bin/env bash
# SIGKILL crash trials of the journaled MLMAC client (issue 4), at the Oracles level:
# a child process asks a fixed 40-query plan through JournaledOracle against a simulator
# hosted by the test; it is killed 1-3 times at random points, then resumed to the end.
# Per trial: every plan query is answered, the journal's server-counted tally equals the
# server's, and every duplicate count is a reconciled lost answer (none silent).
# Usage: scripts/crash-test.sh [trials, default 20] [seed]
# (The end-to-end version, killing `attrib run` and comparing decisions, needs the CLI and
# the engine; see the plan in Sources/Oracles/README.md.)
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=${SCRATCH:-.build-api}
if ! log=$(swift build --scratch-path "$scratch" --build-tests 2>&1); then
    grep -E "error" <<<"$log" >&2
    exit 1
fi
ATTRIB_CRASH_TRIALS=${1:-20} ATTRIB_CRASH_SEED=${2:-} \
    swift test --scratch-path "$scratch" --skip-build --filter 'CrashTrials/crashTrials' 2>&1 \
    | grep -E '^(CRASH-TALLY|✘|✔ Test run)'
