#!/usr/bin/env bash
# The worker's GPU figures in one run (a few minutes on one H200), for a machine with
# PyTorch and transformers already installed (no network): the engine's tests on the GPU,
# then bench_score.py on GPT-2-shaped models with random weights, bf16 and float32.
#   bash worker/bench_gpu.sh OUT_DIR
set -uo pipefail
out="${1:?usage: bench_gpu.sh OUT_DIR}"
mkdir -p "$out"
export PYTHONPATH=worker PYTHONUNBUFFERED=1
py="${PYTHON:-python3}"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$out/gpu.txt"
"$py" -c 'import torch, transformers; print("torch", torch.__version__, "transformers", transformers.__version__)' | tee -a "$out/gpu.txt"
ATTRIB_WORKER_TEST_DEVICE=cuda timeout 120 "$py" -m unittest discover -s worker/tests 2>&1 | tail -15 | tee "$out/tests.txt"
mix=(--prompts 512 --samples 32 --context 6 --continuation 14 --clients 32 --json)
for run in "gpt2-124m bfloat16" "gpt2-124m float32" "gpt2-355m bfloat16"; do
  set -- $run
  timeout 240 "$py" worker/bench_score.py "shape:$1:1" --device cuda --dtype "$2" "${mix[@]}" --out "$out/$1-$2.json" \
    || echo "bench $1 $2 failed with status $?"
done
