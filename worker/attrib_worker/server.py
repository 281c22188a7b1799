"""The worker's JSON protocol over HTTP on loopback (``protocol.md``): one handler, every
model call through the batcher, every failure one sentence in ``{"error": ...}``."""

from __future__ import annotations

import base64
import json
import math
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import torch

from . import PROTOCOL_VERSION
from .batcher import Batcher
from .continuations import Continuations
from .engine import Decoding, Engine
from .finetune import FineTuneError, FineTuneSpec, fine_tune, mean_loss
from .loading import LoadedModel
from .pieces import pieces


def _finite(value: Any) -> Any:
    """``value`` with every non-finite float as the string ``"inf"``, ``"-inf"`` or ``"nan"``
    (what attrib's JSON decoder reads), since JSON has no infinities."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    return value


class ProtocolError(Exception):
    """A request the protocol refuses: HTTP 400 with this sentence."""


class Worker:
    """The loaded models and their engines, and the batcher they share."""

    def __init__(self, models: list[LoadedModel], batcher: Batcher, cache_bytes: int = 1 << 30) -> None:
        self.models = {m.name: m for m in models}
        # A merged batch holds at most the batcher's tokens; the engine splits a larger request alike.
        # One bound on kept caches for every model, fine-tunes made later included.
        self.continuations = Continuations(cache_bytes)
        self.batcher = batcher
        self.engines = {m.name: self._engine(m) for m in models}
        self.tunes: dict[str, str] = {}  # a fine-tune's name -> the request that made it

    def _engine(self, model: LoadedModel) -> Engine:
        return Engine(model, max_tokens=self.batcher.max_tokens, continuations=self.continuations)

    def describe(self) -> dict[str, Any]:
        return {"protocol": PROTOCOL_VERSION, "models": [
            {"name": m.name, "fingerprint": m.fingerprint, "vocab_size": m.vocab_size, "end_of_text": m.end_of_text, "start_token": m.start_token,
             "context_window": m.context_window, "device": str(m.device), "dtype": str(m.dtype).replace("torch.", "")}
            for m in self.models.values()]}

    def _model(self, body: dict[str, Any]) -> str:
        name = body.get("model")
        if name not in self.models:
            raise ProtocolError(f"model {name!r} is not served here (serving {', '.join(sorted(self.models))})")
        return str(name)

    @staticmethod
    def _decoding(body: dict[str, Any]) -> Decoding:
        d = body.get("decoding") or {}
        decoding = Decoding(temperature=float(d.get("temperature", 3.0)), top_k=d.get("top_k"), top_p=d.get("top_p"))
        if not decoding.temperature > 0:
            raise ProtocolError(f"decoding.temperature must be positive, got {decoding.temperature}")
        return decoding

    def handle(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        version = body.get("protocol", PROTOCOL_VERSION)
        if version != PROTOCOL_VERSION:
            raise ProtocolError(f"this worker speaks protocol {PROTOCOL_VERSION}, the request protocol {version}")
        if path == "/v1/pieces":
            name = self._model(body)
            m = self.models[name]
            return {"pieces": [p.hex() for p in pieces(m.tokenizer, m.vocab_size, m.end_of_text)]}
        if path == "/v1/tokenize":
            m = self.models[self._model(body)]
            return {"tokens": [m.tokenizer.encode(t, add_special_tokens=False) for t in body.get("texts", [])]}
        if path == "/v1/score":
            name, decoding = self._model(body), self._decoding(body)
            items = [(list(r["context"]), list(r["continuation"]), int(r["limit"])) for r in body.get("requests", [])]
            engine = self.engines[name]
            scored = self.batcher.submit(("score", name, decoding), items, sum(len(c) + len(t) + 1 for c, t, _ in items),
                                         lambda batch: engine.score(batch, decoding))
            return {"scores": [{"raw": s.raw, "decoded": s.decoded,
                                "end_of_text": None if s.end_of_text is None else {"raw": s.end_of_text[0], "decoded": s.end_of_text[1]}}
                               for s in scored]}
        if path == "/v1/sample":
            name, decoding = self._model(body), self._decoding(body)
            items = [(list(r["prompt"]), int(r["seed"]), int(r["limit"])) for r in body.get("requests", [])]
            engine = self.engines[name]
            drawn = self.batcher.submit(("sample", name, decoding), items, sum(len(p) + n for p, _, n in items),
                                        lambda batch: engine.sample(batch, decoding))
            return {"generations": [{"tokens": t, "ended": e} for t, e in drawn]}
        if path == "/v1/distributions":
            name = self._model(body)
            contexts = [list(c) for c in body.get("contexts", [])]
            engine = self.engines[name]
            rows = self.batcher.submit(("distributions", name), contexts, sum(len(c) + 1 for c in contexts),
                                       lambda batch: engine.distributions(batch))
            if body.get("encoding") == "f32-base64":
                # Whole vocabularies as text cost more than the model: little-endian float32, base64.
                return {"log_probs_f32": [base64.b64encode(r.to(torch.float32).numpy().astype("<f4").tobytes()).decode("ascii") for r in rows]}
            return {"log_probs": [r.tolist() for r in rows]}
        if path == "/v1/token-log-probs":
            name, decoding = self._model(body), self._decoding(body)
            queries = [(list(r["context"]), list(r["tokens"])) for r in body.get("requests", [])]
            vocab = self.models[name].vocab_size
            if any(not 0 <= t < vocab for _, tokens in queries for t in tokens):
                raise ProtocolError(f"a token id is outside {name}'s vocabulary of {vocab}")
            engine = self.engines[name]
            answered = self.batcher.submit(("tokens", name, decoding), queries, sum(len(c) + 1 for c, _ in queries),
                                           lambda batch: engine.token_log_probs(batch, decoding))
            return {"log_probs": [{"raw": raw, "decoded": decoded} for raw, decoded in answered]}
        if path == "/v1/next-tokens":
            name, decoding = self._model(body), self._decoding(body)
            draws = [(list(r["context"]), int(r["seed"])) for r in body.get("requests", [])]
            engine = self.engines[name]
            tokens = self.batcher.submit(("next", name, decoding), draws, sum(len(c) + 1 for c, _ in draws),
                                         lambda batch: engine.next_tokens(batch, decoding))
            return {"tokens": tokens}
        if path == "/v1/finetune":
            return self._fine_tune(body)
        if path == "/v1/unload":
            name = self._model(body)
            if name not in self.tunes:
                raise ProtocolError(f"model {name!r} was not fine-tuned here: only fine-tunes are unloaded")

            def unload(items: list[Any]) -> list[Any]:  # on the batcher's thread: no batch of it is running
                for table in (self.models, self.engines, self.tunes):
                    table.pop(name, None)
                return [None] * len(items)

            self.batcher.submit(("unload", name), [None], 0, unload)
            return {"unloaded": name}
        raise ProtocolError(f"no endpoint {path} in protocol {PROTOCOL_VERSION}")

    def _fine_tune(self, body: dict[str, Any]) -> dict[str, Any]:
        base = self.models[self._model(body)]
        name = str(body.get("name") or "")
        texts = [str(t) for t in body.get("texts", [])]
        fields = ("method", "steps", "learning_rate", "rank", "batch", "window", "seed")
        spec = FineTuneSpec(**{k: body[k] for k in fields if k in body})
        request = json.dumps({"base": base.fingerprint, "texts": texts, "spec": spec.__dict__}, sort_keys=True)
        if not name or "/" in name:
            raise ProtocolError(f"a fine-tune needs a name without '/', got {name!r}")
        if name in self.models:
            if self.tunes.get(name) != request:
                raise ProtocolError(f"model {name!r} is already served here, not as this fine-tune")
            return self._described(name, losses=None)

        held_out = [str(t) for t in body.get("held_out") or []]

        def run(items: list[Any]) -> list[Any]:  # on the batcher's thread, as every model call
            if name in self.models:  # the same request, merged with this one or answered meanwhile
                return [(self.models[name], None, None)] * len(items)
            try:
                tuned, losses = fine_tune(base, texts, spec, name)
                held = {"base": mean_loss(base, held_out), "tuned": mean_loss(tuned, held_out)} if held_out else None
            except FineTuneError as error:
                raise ProtocolError(f"fine-tuning {base.name} as {name}: {error}") from error
            self.engines[name] = self._engine(tuned)
            self.tunes[name] = request
            self.models[name] = tuned
            return [(tuned, losses, held)] * len(items)

        tuned, losses, held = self.batcher.submit(("finetune", name), [None], 0, run)[0]
        answer = self._described(name, losses=losses)
        if held is not None:
            answer["held_out_loss"] = held
        if body.get("save_to"):
            tuned.model.save_pretrained(str(body["save_to"]))
            tuned.tokenizer.save_pretrained(str(body["save_to"]))
        return answer

    def _described(self, name: str, losses: list[float] | None) -> dict[str, Any]:
        entry = next(m for m in self.describe()["models"] if m["name"] == name)
        return {"model": entry, "losses": losses}


def serve(worker: Worker, host: str, port: int) -> ThreadingHTTPServer:
    """An HTTP server for ``worker`` (not yet serving: call ``serve_forever``)."""

    class Handler(BaseHTTPRequestHandler):
        # Headers and body go out as two writes: without this, Nagle and delayed ACKs cost 40 ms a request.
        disable_nagle_algorithm = True

        def _answer(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(_finite(payload), allow_nan=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            if self.path in ("/v1/models", "/v1/health"):
                self._answer(200, worker.describe())
            elif self.path == "/v1/stats":
                self._answer(200, {"protocol": PROTOCOL_VERSION, "batches": worker.batcher.batches,
                                   "models": {name: e.stats() for name, e in worker.engines.items()}})
            else:
                self._answer(404, {"error": f"no endpoint GET {self.path} in protocol {PROTOCOL_VERSION}"})

        def do_POST(self) -> None:  # noqa: N802
            try:
                with worker.batcher.expecting():
                    length = int(self.headers.get("Content-Length", "0"))
                    body = json.loads(self.rfile.read(length) or b"{}")
                    if not isinstance(body, dict):
                        raise ProtocolError("the request body must be a JSON object")
                    answer = worker.handle(self.path, body)
                self._answer(200, answer)
            except (ProtocolError, KeyError, TypeError, ValueError) as error:
                self._answer(400, {"error": str(error) if not isinstance(error, KeyError) else f"field {error} is missing"})
            except Exception as error:  # a model failure: the worker stays up for the next request
                self._answer(500, {"error": f"{type(error).__name__}: {error}"})

        def log_message(self, format: str, *args: Any) -> None:  # quiet: attrib prints progress
            return

    class Server(ThreadingHTTPServer):
        # Many clients connect at once (attrib's threads, several runs): the default backlog of
        # 5 resets connections under a burst.
        request_queue_size = 1024
        daemon_threads = True

    return Server((host, port), Handler)
