"""``python -m attrib_worker --model SPEC [--model SPEC ...] --port P``: load the models and
serve the protocol on 127.0.0.1 until interrupted. Prints one JSON line when ready."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time

import torch

from . import PROTOCOL_VERSION
from .batcher import Batcher
from .loading import LoadedModel, ModelLoadError, load, quiet_libraries
from .server import Worker, serve


def default_cache_mb(device: str) -> int:
    """A quarter of the memory the caches live in (the GPU's, or the machine's), at least 2048 MiB:
    a lockstep walk of 32 answers keeps about 1.5 GB of SmolLM2 caches per byte position, and a
    cache miss evaluates its whole context again (in the 64-prompt real scenario with 2 GiB, 78%
    of calibration's positions were misses)."""
    if device.startswith("cuda"):
        total = torch.cuda.get_device_properties(torch.device(device)).total_memory
    else:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return max(2048, (total >> 20) // 4)


#: Parameters under which a model is small: its forward pass is too little work to split across
#: cores, and PyTorch's threads cost more in synchronisation than they save (much more when the
#: cores are shared with the worker's request threads and its clients).
SMALL_MODEL_PARAMETERS = 20_000_000


def default_threads(models: list[LoadedModel], device: str) -> int:
    """PyTorch threads when ``--threads`` is 0: one on a CPU serving only small models (a
    zoo's, 0.85 ms against 10 ms a token-log-probs batch of a 2-layer, 96-wide model on 2
    shared cores), else PyTorch's own choice (0: left as it is)."""
    if device != "cpu":
        return 0
    small = all(sum(p.numel() for p in m.model.parameters()) < SMALL_MODEL_PARAMETERS for m in models)
    return 1 if small else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="attrib-worker", description=__doc__)
    parser.add_argument("--model", action="append", required=True,
                        help="NAME=SPEC or SPEC: a Hugging Face model directory, a .gguf file or tiny:SEED (repeatable)")
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu", help="cpu or cuda[:N]")
    parser.add_argument("--dtype", default="float32", choices=["float32", "bfloat16", "float64"],
                        help="weights' dtype (log-softmax is float32 or better whatever this is)")
    parser.add_argument("--threads", type=int, default=0,
                        help="CPU threads for PyTorch (0: one when every model is small, under "
                             f"{SMALL_MODEL_PARAMETERS:,} parameters, on a CPU; else PyTorch's default)")
    parser.add_argument("--max-wait-ms", type=float, default=5.0, help="how long a batch waits at most for requests still being read (a lone client is never held)")
    parser.add_argument("--max-batch-tokens", type=int, default=0,
                        help="tokens per model batch at most (0: 4096 on a CPU, 65536 on a GPU)")
    parser.add_argument("--cache-mb", type=int, default=None,
                        help="MiB of key/value caches kept for requests that grow a batch by one token, shared by the models "
                             "(0: none; default: a quarter of the device's memory, at least 2048)")
    parser.add_argument("--exit-with-parent", action="store_true", help="exit when the process that started this one ends")
    args = parser.parse_args(argv)
    # A parent may have blocked these (a Swift test runner does): a worker must die when told.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    if not 0 <= args.port <= 65535:
        parser.error(f"--port must be in 0...65535, got {args.port}")
    if args.max_batch_tokens < 0 or (args.cache_mb or 0) < 0 or args.max_wait_ms < 0:
        parser.error("--max-batch-tokens, --cache-mb and --max-wait-ms must not be negative")
    max_tokens = args.max_batch_tokens or (4096 if args.device == "cpu" else 65536)
    if args.exit_with_parent:
        parent = os.getppid()

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(1)
            os._exit(0)

        threading.Thread(target=watch, daemon=True).start()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    quiet_libraries()
    try:
        models = []
        for entry in args.model:
            name, _, spec = entry.partition("=") if "=" in entry and not entry.startswith("tiny:") else (None, "", entry)
            models.append(load(spec, name=name, device=args.device, dtype=args.dtype))
    except ModelLoadError as error:
        print(f"attrib-worker: {error}", file=sys.stderr)
        return 1
    if args.threads == 0 and (threads := default_threads(models, args.device)) > 0:
        torch.set_num_threads(threads)
    cache_mb = default_cache_mb(args.device) if args.cache_mb is None else args.cache_mb
    worker = Worker(models, Batcher(max_wait_seconds=args.max_wait_ms / 1000, max_tokens=max_tokens), cache_bytes=cache_mb << 20)
    server = serve(worker, "127.0.0.1", args.port)
    ready = {"protocol": PROTOCOL_VERSION, "url": f"http://127.0.0.1:{server.server_address[1]}",
             "models": [m.name for m in models]}
    print(json.dumps(ready), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
