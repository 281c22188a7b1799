"""Throughput and agreement of the worker on one model (a benchmark that prints figures; no
test asserts on time).

    PYTHONPATH=worker python worker/bench_score.py MODEL_SPEC [--device cuda] [--dtype bfloat16]
        [--prompts 16] [--samples 4] [--json] [--out FILE]

The request mix is the precompute's: per prompt of `--context` tokens, `--samples`
continuations of `--continuation` tokens, scored at temperature 3 with the end-of-text term;
responses drawn at temperature 3. Figures (tokens per second are scored or drawn
continuation tokens):
- scored_tokens_per_s: the engine, all requests at once (split into the worker's batches);
- http_scored_tokens_per_s: the same through the protocol on loopback, `--clients` threads
  each posting one prompt's continuations per request, as attrib's precompute does;
- one_at_a_time_tokens_per_s: one request per forward pass;
- raw_forward_tokens_per_s and vs_raw_forward: the plain forward pass of the same sequences
  in the same batches (logits at every position, nothing gathered), and the engine's share;
- sampled_tokens_per_s (`/v1/sample`) and lockstep_tokens_per_s (`/v1/distributions` grown
  one token per row, as attrib draws responses with answer drift);
- max_abs_error_nats: the largest difference between the engine's raw and decoded terms and
  a float64 evaluation of the same model and tokens, over error_positions positions of
  texts in four scripts (Latin, Cyrillic, CJK, code: multi-byte characters included).
`--raw-only` prints only the raw forward pass and the agreement.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import resource
import threading
import time
import urllib.request
from typing import Any, Callable

import torch

from attrib_worker.batcher import Batcher
from attrib_worker.engine import Decoding, Engine
from attrib_worker.loading import load
from attrib_worker.server import Worker, serve


def timed(run: Callable[[], Any], device: torch.device) -> float:
    """Seconds for ``run``, the device drained before and after; the best of two runs."""
    best = float("inf")
    for _ in range(2):
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        run()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        best = min(best, time.perf_counter() - start)
    return best


def post(url: str, group: list[tuple[list[int], list[int], int]]) -> int:
    """One /v1/score request for ``group``; the number of scores that came back."""
    body = {"model": "bench", "decoding": {"temperature": 3.0},
            "requests": [{"context": c, "continuation": t, "limit": n} for c, t, n in group]}
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=600) as answer:
        return len(json.load(answer)["scores"])


def throughput(args: argparse.Namespace, model: Any, engine: Engine, groups: list[list[tuple[list[int], list[int], int]]],
               max_tokens: int, raw_s: float) -> dict[str, float]:
    """The engine's, the protocol's, one-at-a-time, sampling and lockstep figures."""
    device = model.device
    decoding = Decoding()
    requests = [r for g in groups for r in g]
    scored_tokens = sum(len(t) for _, t, _ in requests)
    top = min(model.vocab_size, len(model.tokenizer)) - 1
    rng = random.Random(2)
    batched_s = timed(lambda: engine.score(requests, decoding), device)
    worker = Worker([model], Batcher(max_wait_seconds=0.005, max_tokens=max_tokens))
    server = serve(worker, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/v1/score"
    # The clients are other processes, as attrib is: in this one they would hold the GIL the server needs.
    with multiprocessing.get_context("spawn").Pool(args.clients) as pool:
        pool.starmap(post, [(url, g) for g in groups[: args.clients]])  # warm-up: the pool's processes start
        http_s = timed(lambda: pool.starmap(post, [(url, g) for g in groups], chunksize=1), device)
    server.shutdown()
    few = requests[: max(4, len(requests) // 64)]
    single_s = timed(lambda: [engine.score([r], decoding) for r in few], device) * len(requests) / len(few)
    prompts = [(g[0][0], 1000 * p + k, args.continuation) for p, g in enumerate(groups) for k in range(args.samples)]
    drawn: list[Any] = []
    sample_s = timed(lambda: drawn.__setitem__(slice(None), engine.sample(prompts, decoding)), device)
    sampled_tokens = sum(len(t) for t, _ in drawn)
    rows = prompts[: args.lockstep_rows]

    def lockstep() -> None:
        contexts = [list(p) for p, _, _ in rows]
        for _ in range(args.continuation):
            engine.distributions(contexts)
            contexts = [c + [rng.randrange(1, top)] for c in contexts]

    lockstep_s = timed(lockstep, device)
    return {
        "scored_tokens_per_s": round(scored_tokens / batched_s, 1),
        "http_scored_tokens_per_s": round(scored_tokens / http_s, 1),
        "one_at_a_time_tokens_per_s": round(scored_tokens / single_s, 1),
        "vs_raw_forward": round(raw_s / batched_s, 3),
        "http_vs_raw_forward": round(raw_s / http_s, 3),
        "sampled_tokens_per_s": round(sampled_tokens / sample_s, 1),
        "lockstep_tokens_per_s": round(len(rows) * args.continuation / lockstep_s, 1),
    }


TEXTS = [
    "The committee will meet again on Thursday to discuss the budget for next year.",
    "Москва — столица России, и в ней живёт больше двенадцати миллионов человек.",
    "東京は日本の首都で、世界で最も人口の多い都市圏の一つです。",
    "def fibonacci(n):\n    if n < 2:\n        return n\n    return fibonacci(n - 1) + fibonacci(n - 2)",
]


def agreement(spec: str, device: str, engine: Engine, at_least: int = 256) -> tuple[float, int]:
    """The largest difference (nats) between the engine's raw and decoded terms and a float64
    evaluation of the same model, over at least ``at_least`` positions of ``TEXTS``."""
    encode = engine.loaded.tokenizer.encode
    requests: list[tuple[list[int], list[int], int]] = []
    copy = 0
    while sum(len(t) for _, t, _ in requests) < at_least:
        for text in TEXTS:
            ids = encode(f"{copy} {text}", add_special_tokens=False)[: engine.loaded.context_window - 1]
            requests.append((ids[: len(ids) // 3], ids[len(ids) // 3 :], len(ids)))
        copy += 1
    exact = Engine(load(spec, name="exact", device=device, dtype="float64"))
    worst = 0.0
    for decoding in (Decoding(), Decoding(1.0)):
        for s, r in zip(engine.score(requests, decoding), exact.score(requests, decoding)):
            worst = max([worst] + [abs(a - b) for a, b in zip(s.raw + s.decoded, r.raw + r.decoded)])
    return worst, sum(len(t) for _, t, _ in requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default="float32", choices=["float32", "bfloat16"])
    parser.add_argument("--prompts", type=int, default=16)
    parser.add_argument("--samples", type=int, default=4)
    parser.add_argument("--context", type=int, default=6)
    parser.add_argument("--continuation", type=int, default=12)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--lockstep-rows", type=int, default=256, help="responses drawn in lockstep (whole vocabularies come back)")
    parser.add_argument("--max-batch-tokens", type=int, default=0, help="0: the worker's default for the device")
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--raw-only", action="store_true", help="only the raw forward pass and the agreement")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--out", help="also write the figures to this JSON file")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    max_tokens = args.max_batch_tokens or (4096 if device.type == "cpu" else 65536)
    model = load(args.model, name="bench", device=args.device, dtype=args.dtype)
    engine = Engine(model, max_tokens=max_tokens)
    rng = random.Random(1)
    top = min(model.vocab_size, len(model.tokenizer)) - 1
    groups = []
    for _ in range(args.prompts):
        context = [rng.randrange(1, top) for _ in range(args.context)]
        groups.append([(context, [rng.randrange(1, top) for _ in range(args.continuation)], args.continuation + 2)
                       for _ in range(args.samples)])
    requests = [r for g in groups for r in g]
    scored_tokens = sum(len(t) for _, t, _ in requests)
    decoding = Decoding()

    engine.score(requests[:2], decoding)  # warm-up

    def raw_forward() -> None:
        for run in engine._chunks([len(c) + len(t) + 1 for c, t, _ in requests]):
            ids = torch.tensor([[model.start_token] + requests[k][0] + requests[k][1] for k in run], device=device)
            with torch.inference_mode():
                model.model(input_ids=ids, use_cache=False).logits.sum().item()

    raw_s = timed(raw_forward, device)
    positions = sum(len(c) + len(t) + 1 for c, t, _ in requests)
    figures: dict[str, Any] = {
        "model": args.model, "device": str(device), "dtype": args.dtype, "threads": torch.get_num_threads(),
        "requests": len(requests), "max_batch_tokens": max_tokens,
        "raw_forward_tokens_per_s": round(scored_tokens / raw_s, 1),
        "raw_forward_positions_per_s": round(positions / raw_s, 1),
    }
    if not args.raw_only:
        figures.update(throughput(args, model, engine, groups, max_tokens, raw_s))
    error, error_positions = agreement(args.model, args.device, engine)
    figures.update({
        "max_abs_error_nats": error,
        "error_positions": error_positions,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    })
    if device.type == "cuda":
        figures["gpu"] = torch.cuda.get_device_name(device)
        figures["peak_gpu_mb"] = round(torch.cuda.max_memory_allocated(device) / 2**20, 1)
    print(json.dumps(figures) if args.json else "\n".join(f"{k}: {v}" for k, v in figures.items()), flush=True)
    if args.out:
        with open(args.out, "w") as file:
            json.dump(figures, file, indent=2)


if __name__ == "__main__":
    main()
