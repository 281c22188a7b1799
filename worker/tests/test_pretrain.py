"""Models trained from nothing: tokenizers that round-trip every text and whose pieces spell
it, pretraining and distillation that lower their losses, seeded, and a saved model the
worker loads and serves."""

from __future__ import annotations

import random
import tempfile
import unittest

import torch

from attrib_worker.engine import Decoding, Engine
from attrib_worker.finetune import mean_loss
from attrib_worker.loading import load
from attrib_worker.pieces import pieces
from attrib_worker.pretrain import PretrainError, Schedule, Shape, distil, loaded, pretrain, train_tokenizer


def corpus(seed: int, count: int = 300) -> list[str]:
    """Short sentences of a small grammar, seeded: a language a tiny model learns in seconds."""
    rng = random.Random(seed)
    subjects = ["the cat", "a dog", "my neighbour", "the old king", "Émile", "the committee"]
    verbs = ["sees", "likes", "avoids", "writes to", "remembers"]
    objects = ["the river", "a letter", "the garden", "Москва", "the small bird", "東京"]
    return [f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)}." for _ in range(count)]


class PretrainTests(unittest.TestCase):
    def test_tokenizers_round_trip_and_their_pieces_spell_every_text(self) -> None:
        texts = corpus(1) + ["tabs\tand  spaces, émoji 🙂, 中文"]
        for kind, most in [("byte", 257), ("bpe-300", 300), ("unigram-300", 300), ("char", 257 + 60)]:
            tokenizer = train_tokenizer(kind, texts[:-1])
            self.assertLessEqual(len(tokenizer), most)
            table = pieces(tokenizer, len(tokenizer), tokenizer.eos_token_id)
            for text in texts[-5:]:
                ids = tokenizer.encode(text, add_special_tokens=False)
                self.assertEqual(tokenizer.decode(ids), text)
                self.assertEqual(b"".join(table[i] for i in ids), text.encode("utf-8"))
        merged = train_tokenizer("bpe-300", texts)
        self.assertLess(len(merged.encode(texts[0])), len(texts[0].encode("utf-8")))
        with self.assertRaises(PretrainError):
            train_tokenizer("bpe-12", texts)
        with self.assertRaises(PretrainError):
            train_tokenizer("unigram", texts)
        with self.assertRaises(PretrainError):
            train_tokenizer("unigram-257", texts)  # the bytes and end-of-text alone: that is `byte`
        self.assertEqual(len(train_tokenizer("unigram-258", texts)), 258)

    def test_a_char_tokenizer_gives_each_seen_character_one_id_and_the_rest_bytes(self) -> None:
        tokenizer = train_tokenizer("char", ["aab é", "b\u2581"])
        table = pieces(tokenizer, len(tokenizer), tokenizer.eos_token_id)
        # End-of-text, 256 bytes, then by falling count: a (2), b (2), then ' ' and 'é' (1 each, by code point).
        self.assertEqual(len(tokenizer), 1 + 256 + 4)
        self.assertEqual([table[257 + k] for k in range(4)], [b"a", b"b", b" ", "é".encode()])
        for text, expected in [("ab", [257, 258]), ("é", [260]), ("z", [1 + ord("z")]), ("\u2581", [1 + 0xE2, 1 + 0x96, 1 + 0x81])]:
            ids = tokenizer.encode(text, add_special_tokens=False)
            self.assertEqual(ids, expected)
            self.assertEqual(b"".join(table[i] for i in ids), text.encode("utf-8"))
            self.assertEqual(tokenizer.decode(ids), text)

    def test_pretraining_learns_the_corpus_seeded_in_both_families(self) -> None:
        texts, held_out = corpus(2), corpus(3, 60)
        tokenizer = train_tokenizer("bpe-300", texts)
        for family in ("gpt2", "llama"):
            shape = Shape(family=family, layers=2, width=32, heads=2, context=64)
            schedule = Schedule(steps=40, learning_rate=3e-3, batch=8, window=32, seed=4)
            first = pretrain(shape, tokenizer, texts, schedule)
            again = pretrain(shape, tokenizer, texts, schedule)
            self.assertEqual(first.losses, again.losses)
            fresh = loaded(shape.model(tokenizer, 4), tokenizer, "fresh")
            trained = loaded(first.model, tokenizer, family)
            # A trained model predicts held-out text of its language far better than its start.
            self.assertLess(mean_loss(trained, held_out, 32), mean_loss(fresh, held_out, 32) - 1.0)

    def test_a_distilled_student_comes_closer_to_its_teacher(self) -> None:
        texts = corpus(5)
        tokenizer = train_tokenizer("bpe-300", texts)
        teacher = pretrain(Shape(layers=2, width=32, heads=2, context=64), tokenizer, texts, Schedule(steps=40, batch=8, window=32, seed=1)).model
        small = Shape(layers=1, width=16, heads=2, context=64)
        student = distil(teacher, small, tokenizer, texts, Schedule(steps=40, batch=8, window=32, seed=2))
        self.assertLess(sum(student.losses[-5:]) / 5, sum(student.losses[:5]) / 5 - 0.5)

    def test_a_saved_model_loads_and_serves(self) -> None:
        texts = corpus(6)
        tokenizer = train_tokenizer("bpe-280", texts)
        trained = pretrain(Shape(family="llama", layers=1, width=16, heads=2, context=64), tokenizer, texts,
                           Schedule(steps=5, batch=4, window=32, seed=0))
        with tempfile.TemporaryDirectory() as folder:
            trained.model.save_pretrained(folder)
            tokenizer.save_pretrained(folder)
            served = load(folder, name="saved")
            self.assertEqual(served.end_of_text, tokenizer.eos_token_id)
            ids = tokenizer.encode(texts[0], add_special_tokens=False)
            scored = Engine(served).score([(ids[:3], ids[3:], 30)], Decoding())[0]
            with torch.inference_mode():
                row = torch.tensor([[served.start_token] + ids])
                logp = torch.log_softmax(trained.model(input_ids=row).logits[0].double(), dim=-1)
            for j, got in enumerate(scored.raw):
                self.assertLess(abs(got - float(logp[3 + j, ids[3 + j]])), 1e-4)
        with self.assertRaises(PretrainError):
            Shape(width=30, heads=4).model(tokenizer, 0)
