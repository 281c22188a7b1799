"""Direct evaluation of a GGUF model with llama.cpp's Python binding, for checking attrib's
server-backed scores. Reads JSON from stdin:
  {"model": PATH, "cases": [{"prompt": [ids], "tokens": [ids]}], "temperature": 3.0,
   "texts": ["..."]}
and prints JSON: per case the raw natural-log probability of each token after the prompt and
the tokens before it, and log sum_w p(w)^(1/T) at each of those positions (the tempered
normaliser); per text its token ids (no BOS, no special parsing). Also the seconds the scoring
took and the tokens scored, for throughput."""
import json, sys, time
import numpy as np
import llama_cpp.llama_cpp as _lc

# No weight repacking ("extra buffer types"), as the servers run with --no-repack: on CPUs
# with AMX, llama.cpp 0.3.36's AMX repacked matmul crashes (SIGSEGV) on the first evaluation.
_default_params = _lc.llama_model_default_params
def _no_repack():
    p = _default_params()
    p.use_extra_bufts = False
    return p
_lc.llama_model_default_params = _no_repack
from llama_cpp import Llama

req = json.load(sys.stdin)
m = Llama(model_path=req["model"], logits_all=True, n_ctx=512, verbose=False, n_threads=1)
T = float(req.get("temperature", 3.0))
out = {"cases": [], "texts": []}
scored = 0
start = time.time()
for case in req["cases"]:
    seq = case["prompt"] + case["tokens"]
    raw, norm = [], []
    for i, tok in enumerate(case["tokens"]):
        # Each position from its own prefix, as one batch, exactly what the server evaluates:
        # on Gemma-3 llama.cpp's logits for a position move by up to 0.24 nats when later
        # tokens share the batch (measured), so one batch over the whole sequence would
        # compare a different computation.
        m.reset()
        m.eval(seq[:len(case["prompt"]) + i])
        row = np.asarray(m._scores[len(case["prompt"]) + i - 1], dtype=np.float64)
        lp = row - np.logaddexp.reduce(row)
        raw.append(float(lp[tok]))
        norm.append(float(np.logaddexp.reduce(lp / T)))
        scored += 1
    out["cases"].append({"raw": raw, "normaliser": norm})
out["seconds"] = time.time() - start
out["tokens"] = scored
for text in req.get("texts", []):
    out["texts"].append(m.tokenize(text.encode("utf-8"), add_bos=False, special=False))
json.dump(out, sys.stdout)
