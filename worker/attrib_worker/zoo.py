"""A neural zoo built from its specification (``Experiments/zoos/README.md``, kind ``neural``):
transformer bases trained here from nothing, their near relatives, and fine-tunes by gradient
descent, each saved as a model directory the worker serves.

A model's recipe is exactly one of:
- trained: ``corpus``, ``tokenizer`` (``byte``, ``bpe-N``, ``unigram-N`` or ``char``:
  ``pretrain.train_tokenizer``) or ``tokenizerFrom``, ``shape``, ``steps`` (and
  ``learningRate``, ``seed``): trained from random weights on the corpus;
- distilled: ``distilFrom`` (a teacher), ``shape``, ``steps``: a student of the teacher's
  tokenizer trained toward its next-token distributions on the teacher's corpus;
- derived: ``from``, ``domain``, ``method`` (``lora`` or ``full``), ``steps``: a fine-tune of
  another model that is itself a candidate or reference.
Fine-tunes behind the API are derived models too (``base`` instead of ``from``).

Each model is cached as ``OUT/models/NAME-KEY`` (KEY hashes the recipe, the keys of the models
it starts from, the texts it is trained on and the format version), with ``NAME-KEY.json``
beside it: the recipe, the training losses (nats per token), the seconds, and for a model
trained toward a domain the held-out perplexity of that domain before and after. A fine-tune
that does not fit its domain's held-out text better than its base fails the build.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import time
from collections.abc import Callable
from typing import Any

from .finetune import FineTuneSpec, fine_tune, mean_loss
from .loading import LoadedModel, load, quiet_libraries
from .pretrain import Schedule, Shape, distil, loaded, pretrain, train_tokenizer

FORMAT = "attrib-neural-zoo-v1"

Texts = Callable[[str, str], list[str]]
"""(corpus, split) -> documents; splits: train, finetune, heldout."""


class ZooBuildError(Exception):
    """A specification or a build that fails, as one sentence naming the model and field."""


def _recipe_kind(where: str, model: dict[str, Any]) -> str:
    kinds = [k for k, fields in (("trained", ("corpus",)), ("distilled", ("distilFrom",)), ("derived", ("from", "base"))) if any(f in model for f in fields)]
    if len(kinds) != 1:
        raise ZooBuildError(f"{where}: exactly one of corpus (trained), distilFrom (distilled) or from (derived) is needed")
    return kinds[0]


def plan(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any], str]]:
    """(where, model, kind) of every model, each after the models it starts from."""
    entries = [(f"{role}[{k}]", m) for role in ("bases", "references", "fineTunes") for k, m in enumerate(spec.get(role) or [])]
    named = {}
    for where, model in entries:
        if not isinstance(model.get("name"), str) or not model["name"]:
            raise ZooBuildError(f"{where}.name: every model needs a name")
        if model["name"] in named:
            raise ZooBuildError(f"{where}.name: {model['name']!r} is named twice")
        named[model["name"]] = where
    ordered: list[tuple[str, dict[str, Any], str]] = []
    done: set[str] = set()
    pending = list(entries)
    while pending:
        progressed = False
        for where, model in list(pending):
            kind = _recipe_kind(where, model)
            parents = [model[f] for f in ("tokenizerFrom", "distilFrom", "from", "base") if f in model]
            for field, parent in zip([f for f in ("tokenizerFrom", "distilFrom", "from", "base") if f in model], parents):
                if parent not in named:
                    raise ZooBuildError(f"{where}.{field}: no model named {parent!r}")
            if all(p in done for p in parents):
                ordered.append((where, model, kind))
                done.add(model["name"])
                pending.remove((where, model))
                progressed = True
        if not progressed:
            raise ZooBuildError(f"{pending[0][0]}: its models start from each other in a cycle")
    return ordered


def _key(parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:12]


def _perplexity(model: LoadedModel, texts: list[str]) -> float:
    """exp of the mean loss (nats per token) on ``texts``; inf past a float's range."""
    loss = mean_loss(model, texts, min(64, model.context_window))
    return math.exp(loss) if loss < 700 else math.inf


class Builder:
    """Builds (or finds cached) every model of a spec into ``out/models``."""

    def __init__(self, spec: dict[str, Any], out: str, texts: Texts, train_bytes: int = 400_000, log: Callable[[str], None] = print) -> None:
        self.spec, self.out, self.texts, self.train_bytes, self.log = spec, out, texts, train_bytes, log
        self.seed = int(spec.get("seed", 0))
        self.keys: dict[str, str] = {}
        self.folders: dict[str, str] = {}
        self.corpora: dict[str, str] = {}  # model -> the corpus it was trained on (distillation reuses it)
        self.loaded: dict[str, LoadedModel] = {}
        self.built: list[str] = []  # the models trained in this build (the rest were cached)

    def documents(self, corpus: str, split: str) -> list[str]:
        out, total = [], 0
        for d in self.texts(corpus, split):
            if total >= self.train_bytes:
                break
            out.append(d)
            total += len(d.encode())
        if not out:
            raise ZooBuildError(f"corpus {corpus!r} has no {split} text")
        return out

    def model(self, name: str) -> LoadedModel:
        if name not in self.loaded:
            self.loaded[name] = load(self.folders[name], name=name)
        return self.loaded[name]

    def build(self) -> dict[str, str]:
        """Every model's directory, by name."""
        os.makedirs(os.path.join(self.out, "models"), exist_ok=True)
        for where, model, kind in plan(self.spec):
            self._build_one(where, model, kind)
        return dict(self.folders)

    def _build_one(self, where: str, model: dict[str, Any], kind: str) -> None:
        name = model["name"]
        seed = int(model.get("seed", self.seed))
        if kind == "trained":
            corpus = model["corpus"]
            texts = self.documents(corpus, "train")
            parents = [model["tokenizerFrom"]] if "tokenizerFrom" in model else []
        elif kind == "distilled":
            corpus = self.corpora[model["distilFrom"]]
            texts = self.documents(corpus, "train")
            parents = [model["distilFrom"]]
        else:
            corpus = model["domain"]
            texts = self.documents(corpus, "finetune")
            parents = [model.get("from") or model["base"]]
        self.corpora[name] = self.corpora.get(parents[0], corpus) if kind == "derived" else corpus
        recipe = {k: v for k, v in model.items() if k != "name"}
        self.keys[name] = _key([FORMAT, recipe, seed, [self.keys[p] for p in parents], texts])
        folder = os.path.join(self.out, "models", f"{name}-{self.keys[name]}")
        self.folders[name] = folder
        if os.path.isfile(os.path.join(folder, "config.json")) and os.path.isfile(folder + ".json"):
            self.log(f"{name}: cached")
            return
        started = time.monotonic()
        record: dict[str, Any] = {"name": name, "kind": kind, "recipe": recipe, "seed": seed}
        try:
            schedule = Schedule(steps=int(model.get("steps", 200)), learning_rate=float(model.get("learningRate", 3e-3)),
                                batch=int(model.get("batch", 16)), window=int(model.get("window", 64)), seed=seed)
            if kind in ("trained", "distilled"):
                shape = Shape(**model.get("shape", {}))
                if kind == "trained":
                    tokenizer = self.model(parents[0]).tokenizer if parents else train_tokenizer(model.get("tokenizer", "bpe-1000"), texts)
                    trained = pretrain(shape, tokenizer, texts, schedule)
                else:
                    teacher = self.model(parents[0])
                    trained = distil(teacher.model, shape, teacher.tokenizer, texts, schedule)
                built, losses = loaded(trained.model, trained.tokenizer, name), trained.losses
                held = self.documents(corpus, "heldout")
                record["heldOutPerplexity"] = {"corpus": corpus, "model": round(_perplexity(built, held), 3)}
            else:
                base = self.model(parents[0])
                tune = FineTuneSpec(method=model.get("method", "lora"), steps=schedule.steps, rank=int(model.get("rank", 8)),
                                    learning_rate=float(model.get("learningRate", 1e-3)), batch=schedule.batch,
                                    window=min(schedule.window, base.context_window), seed=seed)
                built, losses = fine_tune(base, texts, tune, name)
                held = self.documents(corpus, "heldout")
                before, after = _perplexity(base, held), _perplexity(built, held)
                record["heldOutPerplexity"] = {"corpus": corpus, "base": round(before, 3), "tuned": round(after, 3)}
                self.log(f"{name}: {corpus} held-out perplexity {before:.2f} -> {after:.2f}")
                if not after < before:
                    raise ZooBuildError(f"{where}: {name} does not fit {corpus}'s held-out text better than {parents[0]} "
                                        f"(perplexity {before:.2f} -> {after:.2f}); train longer or at a higher rate")
        except (ValueError, TypeError) as error:
            raise ZooBuildError(f"{where}: {error}") from error
        record["losses"] = [round(x, 4) for x in losses]
        record["seconds"] = round(time.monotonic() - started, 1)
        self.log(f"{name}: {kind}, loss {losses[0]:.3f} -> {losses[-1]:.3f} in {len(losses)} steps, {record['seconds']} s")
        partial = folder + ".partial"
        shutil.rmtree(partial, ignore_errors=True)
        built.model.save_pretrained(partial)
        built.tokenizer.save_pretrained(partial)
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(partial, folder)
        with open(folder + ".json", "w") as f:
            json.dump(record, f, indent=2)
        self.loaded[name] = built
        self.built.append(name)


def truths(spec: dict[str, Any]) -> dict[str, str | None]:
    """Each fine-tune behind the API's answer: the candidate it descends from, or None."""
    candidates = {m["name"] for m in spec.get("bases") or []}
    parent = {m["name"]: m.get("from") or m.get("base") for role in ("bases", "references", "fineTunes") for m in spec.get(role) or []}
    out: dict[str, str | None] = {}
    for tune in spec.get("fineTunes") or []:
        name = tune["base"]
        while name not in candidates and parent.get(name):
            name = parent[name]
        out[tune["name"]] = name if name in candidates else None
    return out


def main(argv: list[str] | None = None) -> None:
    """``python -m attrib_worker.zoo SPEC OUT CORPORA``: builds the zoo of SPEC into OUT, the
    corpora read from ``CORPORA/NAME-SPLIT.jsonl`` (one JSON string per document, as ``attrib
    corpus NAME --split SPLIT`` prints them), and writes OUT/neural-zoo.json (each model's
    folder and role, each fine-tune's answer). Progress and failures go to standard error."""
    import sys

    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 3:
        raise SystemExit("usage: python -m attrib_worker.zoo SPEC OUT CORPORA")
    spec_path, out, corpora = args
    quiet_libraries()
    with open(spec_path) as f:
        spec = json.load(f)

    def texts(corpus: str, split: str) -> list[str]:
        path = os.path.join(corpora, f"{corpus}-{split}.jsonl")
        if not os.path.isfile(path):
            raise ZooBuildError(f"no {split} text of corpus {corpus!r} at {path}")
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]

    builder = Builder(spec, out, texts, log=lambda line: print(line, file=sys.stderr, flush=True))
    try:
        folders = builder.build()
    except ZooBuildError as error:
        raise SystemExit(f"{spec_path}: {error}") from error
    answers = truths(spec)
    manifest = {"name": spec.get("name"), "seed": spec.get("seed", 0), "built": builder.built, "models": [
        {"name": m["name"], "role": role, "folder": os.path.basename(folders[m["name"]]),
         **({"truth": answers[m["name"]]} if role == "fineTunes" else {})}
        for role in ("bases", "references", "fineTunes") for m in spec.get(role) or []]}
    with open(os.path.join(out, "neural-zoo.json"), "w") as f:
        json.dump(manifest, f, indent=2)


if __name__ == "__main__":
    main()
