"""The neural zoo builder on a micro zoo of synthetic corpora: every recipe kind builds, the
cache is reused, a fine-tune that does not fit its domain fails the build, and bad
specifications are named."""

from __future__ import annotations

import json
import os
import random
import tempfile
import unittest

from attrib_worker.loading import load
from attrib_worker.zoo import Builder, ZooBuildError, plan, truths

WORDS = {
    "animals": "cat dog bird horse mouse fox owl hare".split(),
    "kings": "king queen crown throne realm knight castle sword".split(),
    "sea": "ship wave tide harbour sail anchor storm coast".split(),
}


def texts(corpus: str, split: str) -> list[str]:
    """Sentences of one small vocabulary, seeded by corpus and split."""
    rng = random.Random(f"{corpus}/{split}")
    words = WORDS[corpus]
    return [" ".join(rng.choice(words) for _ in range(rng.randint(4, 9))) + "." for _ in range(400 if split == "train" else 120)]


SHAPE = {"family": "gpt2", "layers": 1, "width": 32, "heads": 2, "context": 64}
SPEC = {
    "name": "micro", "kind": "neural", "seed": 3,
    "bases": [
        {"name": "animals", "corpus": "animals", "tokenizer": "bpe-300", "shape": SHAPE, "steps": 60, "batch": 8, "window": 32},
        {"name": "animals-small", "distilFrom": "animals", "shape": dict(SHAPE, width=16), "steps": 40, "batch": 8, "window": 32},
        {"name": "kings", "corpus": "kings", "tokenizer": "byte", "shape": dict(SHAPE, family="llama"), "steps": 60, "batch": 8, "window": 32},
    ],
    "references": [{"name": "other", "corpus": "sea", "tokenizerFrom": "animals", "shape": SHAPE, "steps": 40, "batch": 8, "window": 32}],
    "fineTunes": [
        {"name": "animals-at-sea", "base": "animals", "domain": "sea", "method": "full", "steps": 20, "learningRate": 3e-3, "batch": 8, "window": 32},
        {"name": "kings-lora", "base": "kings", "domain": "animals", "method": "lora", "steps": 20, "learningRate": 1e-2, "batch": 8, "window": 32},
    ],
}


class ZooTests(unittest.TestCase):
    def test_a_micro_zoo_builds_every_recipe_and_is_cached(self) -> None:
        with tempfile.TemporaryDirectory() as out:
            lines: list[str] = []
            builder = Builder(SPEC, out, texts, log=lines.append)
            folders = builder.build()
            self.assertEqual(sorted(builder.built), sorted(folders))
            self.assertEqual(set(folders), {"animals", "animals-small", "kings", "other", "animals-at-sea", "kings-lora"})
            with open(folders["animals-at-sea"] + ".json") as f:
                record = json.load(f)
            shift = record["heldOutPerplexity"]
            self.assertLess(shift["tuned"], shift["base"])
            with open(folders["animals"] + ".json") as f:
                trained = json.load(f)
            self.assertLess(trained["losses"][-1], trained["losses"][0])
            # The distilled student and the reference share the teacher's tokenizer.
            self.assertEqual(load(folders["animals-small"]).tokenizer.get_vocab(), load(folders["animals"]).tokenizer.get_vocab())
            again: list[str] = []
            self.assertEqual(Builder(SPEC, out, texts, log=again.append).build(), folders)
            self.assertEqual(again, [f"{name}: cached" for name in ["animals", "animals-small", "kings", "other", "animals-at-sea", "kings-lora"]])
            # Another seed is another model; the rest stay cached.
            changed = json.loads(json.dumps(SPEC))
            changed["fineTunes"][1]["seed"] = 9
            third: list[str] = []
            rebuilt = Builder(changed, out, texts, log=third.append).build()
            self.assertNotEqual(rebuilt["kings-lora"], folders["kings-lora"])
            self.assertEqual(sum(1 for line in third if line.endswith("cached")), 5)
            self.assertTrue(all(os.path.isdir(f) for f in rebuilt.values()))

    def test_a_fine_tune_that_does_not_fit_its_domain_fails(self) -> None:
        spec = json.loads(json.dumps(SPEC))
        spec["fineTunes"] = [{"name": "barely", "base": "kings", "domain": "sea", "method": "full", "steps": 3, "learningRate": 5.0}]
        spec["bases"], spec["references"] = [spec["bases"][2]], []
        with tempfile.TemporaryDirectory() as out:
            with self.assertRaises(ZooBuildError) as failure:
                Builder(spec, out, texts, log=lambda _: None).build()
            self.assertIn("fineTunes[0]: barely does not fit sea's held-out text better than kings", str(failure.exception))

    def test_bad_specifications_are_named(self) -> None:
        for bases, fragment in [
            ([{"name": "a", "corpus": "sea", "from": "b"}], "bases[0]: exactly one of corpus"),
            ([{"name": "a", "from": "b", "domain": "sea"}, {"name": "b", "from": "a", "domain": "sea"}], "in a cycle"),
            ([{"name": "a", "distilFrom": "nobody"}], "bases[0].distilFrom: no model named 'nobody'"),
            ([{"name": "a", "corpus": "sea"}, {"name": "a", "corpus": "sea"}], "bases[1].name: 'a' is named twice"),
        ]:
            with self.assertRaises(ZooBuildError) as failure:
                plan({"bases": bases, "fineTunes": []})
            self.assertIn(fragment, str(failure.exception))

    def test_each_fine_tune_answers_the_candidate_it_descends_from(self) -> None:
        spec = json.loads(json.dumps(SPEC))
        spec["fineTunes"].append({"name": "stranger", "base": "other", "domain": "kings"})
        spec["fineTunes"].append({"name": "twice", "base": "animals-at-sea", "domain": "kings"})
        self.assertEqual(truths(spec), {"animals-at-sea": "animals", "kings-lora": "kings", "stranger": None, "twice": "animals"})
