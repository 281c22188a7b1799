"""Fine-tuning by gradient descent: it fits the text, it is fixed by its seed, and a saved
fine-tune loads back as the same model."""

from __future__ import annotations

import os
import tempfile
import unittest

from attrib_worker.finetune import FineTuneError, FineTuneSpec, fine_tune, mean_loss
from attrib_worker.loading import load


class FineTuneTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.device = os.environ.get("ATTRIB_WORKER_TEST_DEVICE", "cpu")
        cls.base = load("tiny:4", name="tiny", device=cls.device)
        cls.texts = ["Dear sir, your order has shipped and will arrive on Monday. " * 3] * 8
        cls.held_out = ["Dear sir, your order will arrive on Monday. " * 6]

    def test_full_and_lora_fit_held_out_text_of_the_domain(self) -> None:
        before = mean_loss(self.base, self.held_out, window=32)
        for spec in [FineTuneSpec(method="full", steps=20, learning_rate=3e-3, window=32, seed=1),
                     FineTuneSpec(method="lora", steps=20, learning_rate=2e-2, rank=4, window=32, seed=1)]:
            tuned, losses = fine_tune(self.base, self.texts, spec, "t")
            self.assertEqual(len(losses), 20)
            self.assertLess(losses[-1], losses[0])
            self.assertLess(mean_loss(tuned, self.held_out, window=32), before - 0.5, spec.method)

    def test_the_same_request_makes_the_same_weights_and_the_base_is_untouched(self) -> None:
        fingerprint = self.base.fingerprint
        spec = FineTuneSpec(steps=3, window=32, seed=9)
        a, _ = fine_tune(self.base, self.texts, spec, "a")
        b, _ = fine_tune(self.base, self.texts, spec, "b")
        c, _ = fine_tune(self.base, self.texts, FineTuneSpec(steps=3, window=32, seed=10), "c")
        self.assertEqual(a.fingerprint, b.fingerprint)
        self.assertNotEqual(a.fingerprint, c.fingerprint)
        self.assertEqual(load("tiny:4", device=self.device).fingerprint, fingerprint)
        with tempfile.TemporaryDirectory() as folder:
            a.model.save_pretrained(folder)
            a.tokenizer.save_pretrained(folder)
            self.assertEqual(load(folder, device=self.device).fingerprint, a.fingerprint)

    def test_bad_specs_are_sentences(self) -> None:
        with self.assertRaisesRegex(FineTuneError, "steps must be in 1...100000, got 0"):
            fine_tune(self.base, self.texts, FineTuneSpec(steps=0), "x")
        with self.assertRaisesRegex(FineTuneError, "fewer than one window"):
            fine_tune(self.base, ["hi"], FineTuneSpec(), "x")


if __name__ == "__main__":
    unittest.main()
