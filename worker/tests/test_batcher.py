"""The batcher's wait for company: a request that is being handled and has not yet submitted
its job holds a forming batch (at most ``max_wait``); a lone client is never held; and the
worker's default PyTorch threads for small and large models."""

from __future__ import annotations

import json
import threading
import unittest
import urllib.request
from types import SimpleNamespace

import torch

from attrib_worker.__main__ import SMALL_MODEL_PARAMETERS, default_threads
from attrib_worker.batcher import Batcher
from attrib_worker.loading import load
from attrib_worker.server import Worker, serve


class BatcherTests(unittest.TestCase):
    def test_company_is_a_handled_request_that_has_not_submitted(self) -> None:
        batcher = Batcher(max_wait_seconds=0.0)
        self.assertFalse(batcher.company_coming())
        seen: list[bool] = []
        with batcher.expecting():
            self.assertTrue(batcher.company_coming())
            # Once it has submitted, the request is no longer on its way (building its answer holds nobody).
            batcher.submit(("k",), [1], 1, lambda items: seen.append(batcher.company_coming()) or items)
            self.assertFalse(batcher.company_coming())
        self.assertFalse(batcher.company_coming())
        self.assertEqual(seen, [False])
        # A caller outside any request (a bench, a test) is never company, nor counted against it.
        self.assertEqual(batcher.submit(("k",), [2, 3], 2, lambda items: [x * 10 for x in items]), [20, 30])
        self.assertFalse(batcher.company_coming())

    def test_a_lone_client_is_not_held_for_company(self) -> None:
        # An hour's wait for company: were a lone request held for it, the client's 60 s timeout would fail the test.
        model = load("tiny:3", name="tiny")
        worker = Worker([model], Batcher(max_wait_seconds=3600, max_tokens=100_000))
        server = serve(worker, "127.0.0.1", 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            url = f"http://127.0.0.1:{server.server_address[1]}/v1/token-log-probs"
            for k in range(5):
                body = json.dumps({"model": "tiny", "requests": [{"context": [1, 2, 3 + k], "tokens": [4, 5]}]}).encode()
                with urllib.request.urlopen(urllib.request.Request(url, body, {"Content-Type": "application/json"}), timeout=60) as r:
                    self.assertEqual(len(json.load(r)["log_probs"][0]["raw"]), 2)
            self.assertEqual(worker.batcher.batches, 5)
        finally:
            server.shutdown()
            server.server_close()

    def test_default_threads_one_for_small_models_on_a_cpu(self) -> None:
        tiny = load("tiny:3", name="tiny")
        self.assertEqual(default_threads([tiny], "cpu"), 1)
        self.assertEqual(default_threads([tiny], "cuda:0"), 0)
        large = SimpleNamespace(model=torch.nn.Linear(SMALL_MODEL_PARAMETERS // 1000, 1000, bias=False))
        self.assertEqual(default_threads([tiny, large], "cpu"), 0)


if __name__ == "__main__":
    unittest.main()
