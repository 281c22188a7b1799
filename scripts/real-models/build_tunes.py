"""Builds the real scenario's fine-tunes (Experiments/real-scenario/spec.json) by gradient
descent on the model worker: each tune is POST /v1/finetune (a tune of a tune after its
base), trained on attrib's finetune split of a corpus (`attrib corpus`) and checked on its
heldout split. Each is saved as a model directory CACHE/NAME-KEY (KEY hashes the recipe, the
base's own key and the text), with NAME-KEY.json beside it (recipe, losses, seconds,
held-out perplexities of the base and the tune). Tunes already built are not trained again;
a worker is started only when one is missing. Fails when a tune does not fit its held-out
text better than its base. Prints one JSON line {name: directory}.

    python3 build_tunes.py SPEC CACHE ATTRIB_BINARY WORKER_PYTHON
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any


def call(url: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(url + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=7200) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as error:
        raise SystemExit(f"build_tunes: {path}: {json.load(error).get('error')}") from error


def documents(attrib: str, corpus: str, split: str, max_bytes: int) -> list[str]:
    out = subprocess.run([attrib, "corpus", corpus, "--split", split, "--max-bytes", str(max_bytes)],
                         check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line]


def main() -> None:
    spec_path, cache, attrib, python = sys.argv[1:5]
    spec = json.load(open(spec_path))
    models = {name: os.path.expandvars(path) for name, path in spec["models"].items()}
    os.makedirs(cache, exist_ok=True)
    keys = {name: hashlib.sha256(os.path.basename(path).encode()).hexdigest()[:12] for name, path in models.items()}
    plan = []
    for tune in spec["tunes"]:
        texts = documents(attrib, tune["corpus"], "finetune", spec["training_bytes"])
        held = documents(attrib, tune["corpus"], "heldout", spec["held_out_bytes"])
        recipe = {k: tune[k] for k in ("method", "steps", "learning_rate", "seed")}
        keys[tune["name"]] = hashlib.sha256(json.dumps([recipe, keys[tune["base"]], texts], sort_keys=True).encode()).hexdigest()[:12]
        plan.append((tune, recipe, texts, held, os.path.join(cache, f"{tune['name']}-{keys[tune['name']]}")))
    folders = {tune["name"]: folder for tune, _, _, _, folder in plan}
    missing = [p for p in plan if not os.path.isfile(os.path.join(p[4], "config.json"))]
    if missing:
        # The worker serves every original model and every built tune that a missing one starts from.
        names = {t["base"] for t, *_ in missing} - {t["name"] for t, *_ in missing}
        specs = [f"{n}={models.get(n) or folders[n]}" for n in sorted(names)]
        env = dict(os.environ, PYTHONPATH=os.path.join(os.path.dirname(__file__), "..", "..", "worker"))
        worker = subprocess.Popen([python, "-m", "attrib_worker", *sum((["--model", s] for s in specs), []), "--port", "0",
                                   "--device", "cpu", "--exit-with-parent"], stdout=subprocess.PIPE, env=env, text=True)
        try:
            ready = worker.stdout.readline() if worker.stdout else ""
            if not ready:
                raise SystemExit(f"build_tunes: the worker did not start ({' '.join(specs)})")
            url = json.loads(ready)["url"]
            for tune, recipe, texts, held, folder in missing:
                print(f"build_tunes: {tune['name']}: {tune['method']} fine-tune of {tune['base']} on {tune['corpus']} "
                      f"({len(texts)} documents), {tune['steps']} steps", file=sys.stderr, flush=True)
                start = time.time()
                answer = call(url, "/v1/finetune", dict(recipe, model=tune["base"], name=tune["name"], texts=texts, held_out=held,
                                                          save_to=folder + ".tmp"))
                loss = answer["held_out_loss"]
                record = dict(tune, seconds=round(time.time() - start, 1), losses=answer["losses"], training_documents=len(texts),
                              held_out_perplexity_base=round(math.exp(loss["base"]), 3),
                              held_out_perplexity_tuned=round(math.exp(loss["tuned"]), 3))
                print(f"build_tunes: {tune['name']}: held-out perplexity {record['held_out_perplexity_base']} -> "
                      f"{record['held_out_perplexity_tuned']} in {record['seconds']:.0f} s", file=sys.stderr, flush=True)
                if loss["tuned"] >= loss["base"]:
                    raise SystemExit(f"build_tunes: {tune['name']} does not fit its held-out text better than {tune['base']}: {loss}")
                with open(folder + ".json", "w") as file:
                    json.dump(record, file, indent=2)
                os.replace(folder + ".tmp", folder)
        finally:
            worker.terminate()
            worker.wait()
    print(json.dumps(folders))


if __name__ == "__main__":
    main()
