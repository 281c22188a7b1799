"""The protocol over real HTTP on loopback: every endpoint, its refusals, and requests that
arrive together merged into one batch with the same answers as alone."""

from __future__ import annotations

import base64
import json
import struct
import threading
import unittest
import urllib.error
import urllib.request
from typing import Any

from attrib_worker import PROTOCOL_VERSION
from attrib_worker.batcher import Batcher
from attrib_worker.engine import Decoding, Engine
from attrib_worker.loading import load
from attrib_worker.pieces import pieces
from attrib_worker.server import Worker, serve


class ServerTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.model = load("tiny:7", name="tiny")
        cls.worker = Worker([cls.model], Batcher(max_wait_seconds=0.2, max_tokens=100_000))
        cls.server = serve(cls.worker, "127.0.0.1", 0)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.url = f"http://127.0.0.1:{cls.server.server_address[1]}"

    @classmethod
    def tearDownClass(cls) -> None:
        cls.server.shutdown()

    def call(self, path: str, body: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    def test_models_describe_the_vocabulary_and_the_protocol(self) -> None:
        status, body = self.call("/v1/models")
        self.assertEqual(status, 200)
        self.assertEqual(body["protocol"], PROTOCOL_VERSION)
        self.assertEqual(body["models"][0]["name"], "tiny")
        self.assertEqual(body["models"][0]["vocab_size"], 257)
        self.assertEqual(body["models"][0]["end_of_text"], 256)

    def test_stats_count_what_the_engine_did(self) -> None:
        _, before = self.call("/v1/stats")
        self.call("/v1/score", {"model": "tiny", "requests": [{"context": [1, 2], "continuation": [3, 4, 5], "limit": 3}]})
        self.call("/v1/distributions", {"model": "tiny", "contexts": [[9, 8], [9, 8]]})
        self.call("/v1/distributions", {"model": "tiny", "contexts": [[9, 8, 7], [9, 8, 6]]})
        _, after = self.call("/v1/stats")
        grew = {k: after["models"]["tiny"][k] - before["models"]["tiny"][k] for k in before["models"]["tiny"]}
        # score: start + 2 + 3 positions; distributions: one distinct row of 3, then 2 grown rows.
        self.assertEqual(grew, {"positions": 6 + 3 + 2, "scored_tokens": 3, "drawn_tokens": 0, "distributions": 4,
                                "cache_hits": 2, "cache_misses": 2})

    def test_a_fine_tune_is_served_fits_its_text_and_is_made_once(self) -> None:
        texts = ["the cat sat on the mat and the cat sat on the hat. " * 4] * 6
        body = {"model": "tiny", "name": "tiny-cats", "texts": texts, "steps": 25, "learning_rate": 0.02, "rank": 4,
                "window": 32, "seed": 5, "held_out": ["the cat sat on the mat and the hat. " * 4]}
        status, answer = self.call("/v1/finetune", body)
        self.assertEqual(status, 200, answer)
        self.assertEqual(len(answer["losses"]), 25)
        self.assertLess(answer["held_out_loss"]["tuned"], answer["held_out_loss"]["base"] - 0.5)
        self.assertNotEqual(answer["model"]["fingerprint"], self.worker.models["tiny"].fingerprint)
        _, again = self.call("/v1/finetune", body)
        self.assertEqual(again["model"]["fingerprint"], answer["model"]["fingerprint"])
        self.assertIsNone(again["losses"])
        status, refused = self.call("/v1/finetune", dict(body, seed=6))
        self.assertEqual(status, 400)
        self.assertIn("already served", refused["error"])
        tokens = self.model.tokenizer.encode("the cat sat on the", add_special_tokens=False)
        request = {"decoding": {"temperature": 1.0}, "requests": [{"context": tokens[:3], "continuation": tokens[3:], "limit": 9}]}
        _, tuned = self.call("/v1/score", dict(request, model="tiny-cats"))
        _, plain = self.call("/v1/score", dict(request, model="tiny"))
        self.assertGreater(sum(tuned["scores"][0]["raw"]), sum(plain["scores"][0]["raw"]))
        # Unloaded, it is no longer served; asked again, it is made again, the same model.
        status, refused = self.call("/v1/unload", {"model": "tiny"})
        self.assertEqual(status, 400)
        self.assertIn("only fine-tunes are unloaded", refused["error"])
        self.assertEqual(self.call("/v1/unload", {"model": "tiny-cats"})[1], {"unloaded": "tiny-cats"})
        self.assertEqual(self.call("/v1/score", dict(request, model="tiny-cats"))[0], 400)
        _, remade = self.call("/v1/finetune", body)
        self.assertEqual(remade["model"]["fingerprint"], answer["model"]["fingerprint"])

    def test_fine_tuning_refusals_are_sentences(self) -> None:
        status, answer = self.call("/v1/finetune", {"model": "tiny", "name": "x", "texts": ["a"], "steps": 2})
        self.assertEqual(status, 400)
        self.assertIn("fewer than one window", answer["error"])
        status, answer = self.call("/v1/finetune", {"model": "tiny", "name": "y", "texts": ["a" * 500], "method": "rl"})
        self.assertEqual(status, 400)
        self.assertIn("method must be lora or full", answer["error"])

    def test_tokenize_and_pieces_round_trip_the_bytes(self) -> None:
        text = "naïve 東京 \t code();"
        _, tokens = self.call("/v1/tokenize", {"model": "tiny", "texts": [text]})
        _, answer = self.call("/v1/pieces", {"model": "tiny"})
        table = [bytes.fromhex(p) for p in answer["pieces"]]
        self.assertEqual(b"".join(table[t] for t in tokens["tokens"][0]).decode(), text)
        self.assertEqual(table[256], b"")

    def test_scores_over_http_are_the_engines(self) -> None:
        tokens = self.model.tokenizer.encode("hello there", add_special_tokens=False)
        body = {"model": "tiny", "decoding": {"temperature": 3.0},
                "requests": [{"context": tokens[:4], "continuation": tokens[4:], "limit": 20}]}
        status, answer = self.call("/v1/score", body)
        self.assertEqual(status, 200)
        direct = Engine(self.model).score([(tokens[:4], tokens[4:], 20)], Decoding(3.0))[0]
        self.assertEqual(answer["scores"][0]["raw"], direct.raw)
        self.assertEqual(answer["scores"][0]["end_of_text"]["decoded"], direct.end_of_text[1])

    def test_requests_that_arrive_together_share_a_batch(self) -> None:
        tokens = self.model.tokenizer.encode("abcdefghij", add_special_tokens=False)
        bodies = [{"model": "tiny", "requests": [{"context": tokens[:k], "continuation": tokens[k:], "limit": 30}]} for k in range(1, 7)]
        answers: list[Any] = [None] * len(bodies)
        before = self.worker.batcher.batches

        def ask(k: int) -> None:
            answers[k] = self.call("/v1/score", bodies[k])[1]

        threads = [threading.Thread(target=ask, args=(k,)) for k in range(len(bodies))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertLess(self.worker.batcher.batches - before, len(bodies))
        engine = Engine(self.model)
        for k, answer in enumerate(answers):
            alone = engine.score([(tokens[: k + 1], tokens[k + 1 :], 30)], Decoding())[0]
            for a, b in zip(answer["scores"][0]["raw"], alone.raw):
                self.assertLess(abs(a - b), 1e-5)

    def test_sampling_and_distributions_over_http(self) -> None:
        _, drawn = self.call("/v1/sample", {"model": "tiny", "requests": [{"prompt": [104, 105], "seed": 4, "limit": 5}]})
        _, again = self.call("/v1/sample", {"model": "tiny", "requests": [{"prompt": [104, 105], "seed": 4, "limit": 5}]})
        self.assertEqual(drawn, again)
        self.assertLessEqual(len(drawn["generations"][0]["tokens"]), 5)
        _, rows = self.call("/v1/distributions", {"model": "tiny", "contexts": [[104], []]})
        self.assertEqual([len(r) for r in rows["log_probs"]], [257, 257])
        _, packed = self.call("/v1/distributions", {"model": "tiny", "contexts": [[104], []], "encoding": "f32-base64"})
        unpacked = [list(struct.unpack("<257f", base64.b64decode(r))) for r in packed["log_probs_f32"]]
        # The second asking grows the kept rows (one position each): the same values up to rounding.
        for got, want in zip(unpacked, rows["log_probs"]):
            self.assertLess(max(abs(a - b) for a, b in zip(got, want)), 1e-5)
        _, picked = self.call("/v1/token-log-probs", {"model": "tiny", "decoding": {"temperature": 1},
                                                       "requests": [{"context": [104], "tokens": [5, 104]}, {"context": [], "tokens": []}]})
        self.assertEqual(picked["log_probs"][1], {"raw": [], "decoded": []})
        for got, t in zip(picked["log_probs"][0]["raw"], [5, 104]):
            self.assertLess(abs(got - rows["log_probs"][0][t]), 1e-5)
        self.assertEqual(picked["log_probs"][0]["raw"], picked["log_probs"][0]["decoded"])  # at temperature 1
        draws = {"model": "tiny", "requests": [{"context": [104, 105], "seed": 4}, {"context": [], "seed": 2 ** 64 - 1}]}
        _, first = self.call("/v1/next-tokens", draws)
        _, again = self.call("/v1/next-tokens", draws)
        self.assertEqual(first, again)
        # Step 0 of /v1/sample with the same seed draws the same token (unless it ends the text).
        _, sampled = self.call("/v1/sample", {"model": "tiny", "requests": [{"prompt": [104, 105], "seed": 4, "limit": 1}]})
        generation = sampled["generations"][0]
        self.assertEqual(generation["tokens"][:1] or ([256] if generation["ended"] else []), first["tokens"][:1])  # 256: end-of-text

    def test_refusals_are_sentences(self) -> None:
        for path, body, fragment in [
            ("/v1/score", {"model": "nope", "requests": []}, "model 'nope' is not served here"),
            ("/v1/score", {"model": "tiny", "protocol": 99, "requests": []}, "speaks protocol 2"),
            ("/v1/token-log-probs", {"model": "tiny", "requests": [{"context": [1], "tokens": [999]}]}, "outside tiny's vocabulary of 257"),
            ("/v1/score", {"model": "tiny", "decoding": {"temperature": -3}, "requests": []}, "temperature must be positive"),
            ("/v1/score", {"model": "tiny", "requests": [{"context": [1]}]}, "field 'continuation' is missing"),
            ("/v1/score", {"model": "tiny", "requests": [{"context": [1] * 200, "continuation": [2], "limit": 3}]}, "context window of 128"),
            ("/v1/forget", {"model": "tiny"}, "no endpoint /v1/forget"),
            ("/v1/finetune", {"model": "tiny"}, "a fine-tune needs a name"),
        ]:
            status, answer = self.call(path, body)
            self.assertIn(status, (400, 500))
            self.assertIn(fragment, answer["error"])


class PiecesTests(unittest.TestCase):
    def test_sentencepiece_conventions(self) -> None:
        class SentencePieceLike:
            all_special_ids = [0, 1]

            def __len__(self) -> int:
                return 5

            def convert_ids_to_tokens(self, ids: list[int]) -> list[str]:
                return ["<eos>", "<bos>", "\u2581the", "<0xE6>", "cat"][: len(ids)]

        self.assertEqual(pieces(SentencePieceLike(), 6, end_of_text=0), [b"", b"<bos>", b" the", b"\xe6", b"cat", b""])



class DefaultsTests(unittest.TestCase):
    def test_the_cache_bound_is_a_quarter_of_the_machine_at_least_2_gib(self) -> None:
        import os

        from attrib_worker.__main__ import default_cache_mb

        physical_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") >> 20
        mb = default_cache_mb("cpu")
        self.assertGreaterEqual(mb, 2048)
        self.assertLessEqual(mb, max(2048, physical_mb // 4))
        self.assertGreaterEqual(mb, physical_mb // 4)


if __name__ == "__main__":
    unittest.main()
