"""Scoring throughput and agreement of the worker's engine on one model (a benchmark that
prints figures; no test asserts on time).

    PYTHONPATH=worker python worker/bench_score.py MODEL_SPEC [--prompts 16] [--samples 4] [--json]

The request mix is the precompute's: per prompt of 6 tokens, `samples` continuations of 12
tokens, scored at temperature 3 with the end-of-text term. Figures: scored continuation tokens
per second batched (all requests at once), one request at a time, and the raw batched forward
pass of the same sequences (logits only), their ratio; the largest difference in nats between
the engine's float32 log-probabilities and a float64 evaluation of the same model and tokens.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import time

import torch

from attrib_worker.engine import Decoding, Engine
from attrib_worker.loading import load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("--prompts", type=int, default=16)
    parser.add_argument("--samples", type=int, default=4)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    model = load(args.model, name="bench")
    engine = Engine(model)
    rng = random.Random(1)
    top = min(model.vocab_size, len(model.tokenizer)) - 1
    requests = []
    for _ in range(args.prompts):
        context = [rng.randrange(1, top) for _ in range(6)]
        requests += [(context, [rng.randrange(1, top) for _ in range(12)], 14) for _ in range(args.samples)]
    scored_tokens = sum(len(t) for _, t, _ in requests)

    engine.score(requests[:2], Decoding())  # warm-up
    start = time.perf_counter()
    batched = engine.score(requests, Decoding())
    batched_s = time.perf_counter() - start

    start = time.perf_counter()
    for r in requests[: max(4, len(requests) // 8)]:
        engine.score([r], Decoding())
    single_s = (time.perf_counter() - start) * len(requests) / max(4, len(requests) // 8)

    ids = torch.tensor([[model.start_token] + c + t for c, t, _ in requests])
    start = time.perf_counter()
    with torch.inference_mode():
        model.model(input_ids=ids)
    raw_s = time.perf_counter() - start

    exact = Engine(load(args.model, name="exact", dtype="float64"))
    reference = exact.score(requests[: max(1, 256 // 12)], Decoding())
    error = max(abs(a - b) for s, r in zip(batched, reference) for a, b in zip(s.raw + s.decoded, r.raw + r.decoded))
    figures = {
        "model": args.model, "threads": torch.get_num_threads(), "requests": len(requests),
        "scored_tokens_per_s": round(scored_tokens / batched_s, 1),
        "one_at_a_time_tokens_per_s": round(scored_tokens / single_s, 1),
        "raw_forward_tokens_per_s": round(scored_tokens / raw_s, 1),
        "vs_raw_forward": round(raw_s / batched_s, 3),
        "max_abs_error_nats": error,
        "error_positions": sum(len(r.raw) for r in reference),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(figures) if args.json else "\n".join(f"{k}: {v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
