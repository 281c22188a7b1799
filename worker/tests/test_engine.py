"""The engine against exact answers: a float64 evaluation of the same tiny model, one
sequence at a time, and attrib's decoding rule written out by hand."""

from __future__ import annotations

import math
import os
import random
import unittest

import torch

from attrib_worker.engine import Decoding, Engine, decoded_log_probs
from attrib_worker.loading import load
from attrib_worker.noise import gumbel, mix32, mix32_tensor


def reference_decoded(raw: list[float], decoding: Decoding) -> list[float]:
    """attrib's ``DecodingSettings.decodedLogProbabilities`` in plain Python, float64."""
    scaled = [r / decoding.temperature for r in raw]
    keep = [True] * len(scaled)
    if decoding.top_k is not None or decoding.top_p is not None:
        order = sorted(range(len(scaled)), key=lambda i: (-scaled[i], i))
        kept = min(decoding.top_k or len(order), len(order))
        if decoding.top_p is not None:
            top = max(scaled[i] for i in order[:kept])
            z = top + math.log(sum(math.exp(scaled[i] - top) for i in order[:kept]))
            mass, needed = 0.0, 0
            for i in order[:kept]:
                mass += math.exp(scaled[i] - z)
                needed += 1
                if mass >= decoding.top_p:
                    break
            kept = max(1, needed)
        keep = [False] * len(scaled)
        for i in order[:kept]:
            keep[i] = True
    filtered = [s if k else -math.inf for s, k in zip(scaled, keep)]
    top = max(filtered)
    z = top + math.log(sum(math.exp(f - top) for f in filtered if f > -math.inf))
    return [f - z for f in filtered]


class EngineTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        # ATTRIB_WORKER_TEST_DEVICE=cuda runs the same checks on a GPU.
        device = os.environ.get("ATTRIB_WORKER_TEST_DEVICE", "cpu")
        cls.model = load("tiny:3", device=device)
        cls.exact = load("tiny:3", device=device, dtype="float64")
        cls.engine = Engine(cls.model)
        encode = cls.model.tokenizer.encode
        # Latin, Cyrillic, CJK, code: multi-byte scripts as single byte tokens.
        cls.texts = [encode(t, add_special_tokens=False) for t in
                     ["The cat sat on the mat. ", "Привет, мир! ", "天気がいいですね。", "for (i = 0; i < n; i++) {"]]

    def direct(self, context: list[int], continuation: list[int]) -> list[float]:
        """Raw log-probabilities of ``continuation`` from one unpadded float64 forward pass."""
        ids = torch.tensor([[self.exact.start_token] + context + continuation], device=self.exact.device)
        with torch.inference_mode():
            logp = torch.log_softmax(self.exact.model(input_ids=ids).logits[0].double(), dim=-1)
        return [float(logp[len(context) + j, t]) for j, t in enumerate(continuation)]

    def test_a_padded_batch_agrees_with_float64_one_sequence_at_a_time(self) -> None:
        requests = [(t[: len(t) // 2], t[len(t) // 2 :], 64) for t in self.texts]
        scored = self.engine.score(requests, Decoding())
        positions = 0
        for (context, continuation, _), s in zip(requests, scored):
            expected = self.direct(context, continuation)
            for a, b in zip(s.raw, expected):
                self.assertLess(abs(a - b), 1e-5)
            positions += len(continuation)
        self.assertGreaterEqual(positions, 50)

    def test_answers_to_one_context_share_its_evaluation_and_agree_with_float64(self) -> None:
        engine = Engine(self.exact)
        context = self.texts[0][:6]
        answers = [t[:n] for t in self.texts for n in (0, 1, 5, 9)]
        requests = [(context, a, 9) for a in answers] + [(self.texts[3][:2], self.texts[1][:4], 4)]
        scored = engine.score(requests, Decoding(2.0))
        for (c, a, limit), s in zip(requests, scored):
            expected = self.direct(c, a + [self.exact.end_of_text])
            for got, want in zip(s.raw + ([s.end_of_text[0]] if s.end_of_text else []), expected):
                self.assertLess(abs(got - want), 1e-9)
            self.assertEqual(s.end_of_text is None, len(a) >= limit)
        # Two distinct contexts, each once (start token included), then every answer's tokens.
        self.assertEqual(engine.counts["positions"], (6 + 1) + (2 + 1) + sum(len(a) for _, a, _ in requests))

    def test_a_long_context_beside_a_long_continuation_scores_within_the_window(self) -> None:
        # The second row's padding columns run past the window's last position.
        ids = self.texts[0] * 12
        requests = [([], ids[:63], 63), (ids[:116], ids[126:137], 20)]
        for (c, t, _), s in zip(requests, Engine(self.exact).score(requests, Decoding())):
            for got, want in zip(s.raw, self.direct(c, t)):
                self.assertLess(abs(got - want), 1e-9)

    def test_the_decoded_terms_follow_attribs_rule(self) -> None:
        rng = random.Random(5)
        for decoding in [Decoding(3.0), Decoding(1.0, top_k=5), Decoding(0.7, top_p=0.8), Decoding(2.0, top_k=40, top_p=0.5)]:
            raw = [rng.gauss(0, 3) for _ in range(257)]
            raw[10] = raw[11]  # a tie at the same value
            got = decoded_log_probs(torch.tensor([raw], dtype=torch.float64), decoding)[0].tolist()
            want = reference_decoded(raw, decoding)
            for a, b in zip(got, want):
                self.assertTrue((a == b == -math.inf) or abs(a - b) < 1e-9, (decoding, a, b))

    def test_the_end_of_text_term_appears_only_below_the_limit(self) -> None:
        t = self.texts[0]
        short, full = self.engine.score([(t[:3], t[3:6], 4), (t[:3], t[3:6], 3)], Decoding())
        self.assertIsNotNone(short.end_of_text)
        self.assertIsNone(full.end_of_text)

    def test_sampling_is_fixed_by_each_requests_seed_and_keeps_the_limit(self) -> None:
        prompt = self.texts[1][:4]
        alone = self.engine.sample([(prompt, 11, 6)], Decoding())
        together = self.engine.sample([(self.texts[0][:2], 3, 6), (prompt, 11, 6)], Decoding())
        self.assertEqual(alone[0], together[1])
        for tokens, ended in together:
            self.assertLessEqual(len(tokens), 6)
            self.assertTrue(ended or len(tokens) == 6)

    def test_distributions_are_the_scored_rows(self) -> None:
        t = self.texts[2]
        row = self.engine.distributions([t[:5]])[0].tolist()
        self.assertAlmostEqual(math.fsum(math.exp(x) for x in row), 1.0, places=5)
        self.assertAlmostEqual(row[t[5]], self.engine.score([(t[:5], [t[5]], 9)], Decoding())[0].raw[0], places=6)

    def test_chunked_and_sorted_runs_score_as_one_batch(self) -> None:
        requests = [(t[:k], t[k : k + 9], 12) for t in self.texts for k in (1, 4, 7)]
        whole = self.engine.score(requests, Decoding(2.0, top_k=7))
        small = Engine(self.model, max_tokens=20).score(requests, Decoding(2.0, top_k=7))
        # Ten rows of logits at most: runs of one request (whose 30 scored rows are over it).
        narrow = Engine(self.model, max_logit_bytes=4 * 257 * 10).score(requests, Decoding(2.0, top_k=7))
        self.assertEqual(len(Engine(self.model, max_logit_bytes=4 * 257 * 10)._chunks([1, 1], [6, 6])), 2)
        for a, b in list(zip(whole, small)) + list(zip(whole, narrow)):
            for x, y in zip(a.raw + a.decoded, b.raw + b.decoded):
                # Batches of other shapes round float32 differently (GPU kernels: up to ~3e-5).
                self.assertTrue(x == y == -math.inf or abs(x - y) < 1e-4, (x, y))

    def test_a_grown_batch_gives_the_distributions_of_a_fresh_evaluation(self) -> None:
        engine = Engine(self.exact)
        fresh = Engine(self.exact, cache_bytes=0)
        prompt = self.texts[0][:3]
        contexts = [list(prompt) for _ in range(4)]
        rng = random.Random(2)
        for step in range(6):
            if step == 3:
                contexts = contexts[1:]  # a response ended: its row leaves the batch
            got = engine.distributions(contexts)
            want = fresh.distributions(contexts)
            for a, b in zip(got, want):
                self.assertLess(float((a - b).abs().max()), 1e-9)
            contexts = [c + [rng.randrange(256)] for c in contexts]
        self.assertEqual(engine.counts["cache_hits"], 4 + 4 + 3 + 3 + 3)

    def test_one_request_growing_two_kept_batches_under_a_tight_cache(self) -> None:
        probe = Engine(self.model)
        probe.distributions([self.texts[0][:4]])
        one = next(iter(probe.continuations.batches.values()))[0].cache_bytes
        engine = Engine(self.model, cache_bytes=int(one * 1.5))  # room for one kept batch, not two
        fresh = Engine(self.model, cache_bytes=0)
        a, b = self.texts[0][:4], self.texts[1][:4]
        engine.distributions([a])
        engine.distributions([b])  # evicts a's batch: the request below grows b's and recomputes a
        contexts = [a + [65], b + [66]]
        for got, want in zip(engine.distributions(contexts), fresh.distributions(contexts)):
            self.assertLess(float((got - want).abs().max()), 1e-5)
        engine.distributions([self.texts[2][:3]])
        both = Engine(self.model, cache_bytes=int(one * 2.1))
        both.distributions([a])
        both.distributions([b])
        # Growing both kept batches at once: keeping the first grown one must not evict the other.
        for got, want in zip(both.distributions(contexts), fresh.distributions(contexts)):
            self.assertLess(float((got - want).abs().max()), 1e-5)
        self.assertEqual(both.counts["cache_hits"], 2)

    def test_kept_batches_hold_only_the_bytes_they_count(self) -> None:
        engine = Engine(self.model)
        engine.distributions([t[:4] for t in self.texts])
        engine.distributions([t[:4] + [65] for t in self.texts])
        self.assertEqual(len(engine.continuations.batches), 2)
        for batch, _ in engine.continuations.batches.values():
            # The answered logits are gone, not hidden behind an empty view of them.
            self.assertEqual(batch.last.untyped_storage().nbytes(), 0)
            held = sum(getattr(layer, name).untyped_storage().nbytes()
                       for layer in batch.cache.layers for name in ("keys", "values"))
            self.assertEqual(held, batch.cache_bytes)

    def test_token_log_probs_are_the_distributions_entries_under_each_decoding(self) -> None:
        engine = Engine(self.exact)
        queries = [(t[:k], [t[k], 3, 200, t[k]]) for t in self.texts for k in (0, 2, 5)]
        rows = Engine(self.exact, cache_bytes=0).distributions([c for c, _ in queries])
        for decoding in [Decoding(3.0), Decoding(1.5, top_k=4), Decoding(0.8, top_p=0.6)]:
            got = engine.token_log_probs(queries, decoding)
            for (_, tokens), (raw, decoded), row in zip(queries, got, rows):
                want = reference_decoded(row.tolist(), decoding)
                self.assertEqual(len(raw), len(tokens))
                for t, r, d in zip(tokens, raw, decoded):
                    self.assertLess(abs(r - float(row[t])), 1e-9)
                    self.assertTrue(d == want[t] == -math.inf or abs(d - want[t]) < 1e-9, (d, want[t]))

    def test_a_kept_context_grows_by_several_tokens_in_several_requests(self) -> None:
        # Scoring over segmentations: one path's context is grown by each of its candidate
        # tokens, in requests at different byte positions; every one costs one position.
        engine = Engine(self.exact)
        fresh = Engine(self.exact, cache_bytes=0)
        parent = self.texts[1][:5]
        engine.token_log_probs([(parent, [7])], Decoding())
        positions = engine.counts["positions"]
        for token in (40, 41, 40):
            query = [(parent + [token], [1, 2, 250])]
            got, want = engine.token_log_probs(query, Decoding()), fresh.token_log_probs(query, Decoding())
            for a, b in zip(got[0][0] + got[0][1], want[0][0] + want[0][1]):
                self.assertLess(abs(a - b), 1e-9)
        self.assertEqual(engine.counts["cache_hits"], 3)
        self.assertEqual(engine.counts["positions"] - positions, 3)

    def test_rows_grown_from_many_kept_batches_in_one_pass_agree_with_fresh_evaluations(self) -> None:
        # GPT-2 (plain dynamic layers) and a Gemma-3 shape whose sliding window of 6 drops
        # columns once a row is longer: merged where the caches allow, grown apart where not.
        from transformers import Gemma3ForCausalLM, Gemma3TextConfig

        from attrib_worker.loading import LoadedModel, tiny_byte_tokenizer

        torch.manual_seed(0)
        config = Gemma3TextConfig(vocab_size=257, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                                  num_key_value_heads=1, head_dim=16, sliding_window=6, max_position_embeddings=128,
                                  layer_types=["sliding_attention", "full_attention"], bos_token_id=256, eos_token_id=256, pad_token_id=0)
        gemma = LoadedModel(name="gemma", model=Gemma3ForCausalLM(config).to(torch.float64).eval(), tokenizer=tiny_byte_tokenizer(),
                            device=torch.device("cpu"), dtype=torch.float64)
        kept: dict[str, int] = {}
        for model in (self.exact, gemma):
            engine, fresh = Engine(model), Engine(model, cache_bytes=0)
            parents = [self.texts[0][:2], self.texts[1][:3], self.texts[2][:5], self.texts[3][:4]]
            for p in parents:  # four kept batches of different widths
                engine.token_log_probs([(p, [1])], Decoding())
            contexts = parents
            for step in range(4):  # each request grows rows of several kept batches
                contexts = [c + [40 + step + k] for k, c in enumerate(contexts)]
                queries = [(c, [1, 2, 100]) for c in contexts]
                for (a_raw, a_dec), (b_raw, b_dec) in zip(engine.token_log_probs(queries, Decoding(2.0)), fresh.token_log_probs(queries, Decoding(2.0))):
                    for x, y in zip(a_raw + a_dec, b_raw + b_dec):
                        self.assertLess(abs(x - y), 1e-9, model.name)
            self.assertEqual(engine.counts["cache_misses"], 4)  # only the parents' first evaluations
            kept[model.name] = len(engine.continuations.batches)
        # GPT-2: each request kept as one batch; Gemma: rows past its window grown apart.
        self.assertEqual(kept["tiny:3"], 4 + 4)
        self.assertGreater(kept["gemma"], 4 + 4)

    def test_each_draw_is_the_gumbel_argmax_of_a_fresh_evaluation(self) -> None:
        decoding = Decoding(1.5, top_p=0.9)
        requests = [(self.texts[3][:5], 7, 8), (self.texts[2][:2], 8, 8)]
        drawn = Engine(self.exact).sample(requests, decoding)
        fresh = Engine(self.exact, cache_bytes=0)
        for (prompt, seed, _), (tokens, ended) in zip(requests, drawn):
            for step in range(len(tokens) + int(ended)):
                raw = torch.stack(fresh.distributions([prompt + tokens[:step]])).to(torch.float64)
                noise = gumbel([seed], step, raw.shape[-1], raw.device)
                expected = int(torch.argmax(decoded_log_probs(raw, decoding) + noise))
                self.assertEqual(expected, tokens[step] if step < len(tokens) else self.exact.end_of_text)

    def test_next_tokens_are_the_gumbel_argmax_of_each_context_and_grow_kept_rows(self) -> None:
        engine = Engine(self.exact)
        fresh = Engine(self.exact, cache_bytes=0)
        decoding = Decoding(2.0, top_k=50)
        contexts = [self.texts[0][:4], self.texts[1][:6], self.texts[0][:4]]
        seeds = [11, 12, 13]
        for step in range(3):
            drawn = engine.next_tokens(list(zip(contexts, seeds)), decoding)
            raw = torch.stack(fresh.distributions(contexts)).to(torch.float64)
            noise = gumbel(seeds, 0, raw.shape[-1], raw.device)
            self.assertEqual(drawn, torch.argmax(decoded_log_probs(raw, decoding) + noise, dim=-1).tolist())
            contexts = [c + [t] for c, t in zip(contexts, drawn)]
            seeds = [s + 100 for s in seeds]
        self.assertEqual(engine.counts["cache_hits"], 6)

    def test_draws_follow_the_decoded_distribution(self) -> None:
        prompt = self.texts[0][:6]
        n = 20000
        drawn = self.engine.sample([(prompt, seed, 1) for seed in range(n)], Decoding(1.0))
        firsts = [t[0] if t else self.model.end_of_text for t, _ in drawn]
        probs = [math.exp(x) for x in self.engine.distributions([prompt])[0].tolist()]
        for token in sorted(range(len(probs)), key=lambda t: -probs[t])[:6]:
            p = probs[token]
            self.assertLess(abs(firsts.count(token) / n - p), 4.5 * math.sqrt(p * (1 - p) / n) + 1e-4, token)

    def test_the_noise_hash_is_the_same_on_tensors_and_integers(self) -> None:
        rng = random.Random(9)
        values = [rng.randrange(1 << 32) for _ in range(500)] + [0, (1 << 32) - 1]
        self.assertEqual(mix32_tensor(torch.tensor(values, dtype=torch.int64)).tolist(), [mix32(v) for v in values])
        both = gumbel([5, 6], 3, 257, self.model.device)
        self.assertTrue(torch.equal(both[1], gumbel([6], 3, 257, self.model.device)[0]))
        # The same hashes everywhere; the logarithms may differ in the last bits between devices.
        self.assertLess(float((both.cpu() - gumbel([5, 6], 3, 257, torch.device("cpu"))).abs().max()), 1e-12)
        self.assertFalse(torch.equal(both[0], both[1]))


if __name__ == "__main__":
    unittest.main()
