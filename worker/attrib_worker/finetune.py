"""Fine-tuning a loaded model toward texts by gradient descent: LoRA (peft) by default, or
full fine-tuning. What attrib's calibration needs from a real base (its models of known
provenance are the candidates fine-tuned on calibration text), and what builds real suspects.

Training: the texts, each as start token + tokens + end-of-text, are concatenated and cut
into windows of ``window`` tokens; each step takes ``batch`` windows drawn with a generator
seeded by ``seed`` and takes one AdamW step on the mean next-token cross-entropy (nats), in
float32 whatever the served dtype. LoRA adapters (rank ``rank``, alpha 2 x rank, on every
linear layer) are merged into a copy of the weights afterwards, so a fine-tune is served
like any model. Everything random is drawn from ``seed``: the same request, the same weights
(on the same device and thread count).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import torch

from .loading import LoadedModel


class FineTuneError(Exception):
    """A fine-tuning request that cannot be carried out, as one sentence."""


@dataclass(frozen=True)
class FineTuneSpec:
    """How to fine-tune: ``method`` lora or full; steps, learning rate, LoRA rank, windows per
    step, tokens per window, seed."""

    method: str = "lora"
    steps: int = 30
    learning_rate: float = 1e-3
    rank: int = 8
    batch: int = 8
    window: int = 64
    seed: int = 0

    def problems(self) -> list[str]:
        out = []
        if self.method not in ("lora", "full"):
            out.append(f"method must be lora or full, got {self.method!r}")
        if not 1 <= self.steps <= 100_000:
            out.append(f"steps must be in 1...100000, got {self.steps}")
        if not (self.learning_rate > 0 and math.isfinite(self.learning_rate)):
            out.append(f"learning_rate must be positive, got {self.learning_rate}")
        if not 1 <= self.rank <= 1024:
            out.append(f"rank must be in 1...1024, got {self.rank}")
        if not 1 <= self.batch <= 4096 or not 2 <= self.window <= 65536:
            out.append(f"batch must be in 1...4096 and window in 2...65536, got {self.batch} and {self.window}")
        return out


def windows(base: LoadedModel, texts: list[str], window: int) -> torch.Tensor:
    """The training windows (rows of ``window`` token ids) of ``texts``."""
    stream: list[int] = []
    for text in texts:
        stream += [base.start_token] + base.tokenizer.encode(text, add_special_tokens=False) + [base.end_of_text]
    window = min(window, base.context_window)
    if len(stream) < window + 1:
        raise FineTuneError(f"the texts make {len(stream)} tokens, fewer than one window of {window}")
    count = len(stream) // window
    return torch.tensor(stream[: count * window], dtype=torch.long).view(count, window)


def fine_tune(base: LoadedModel, texts: list[str], spec: FineTuneSpec, name: str) -> tuple[LoadedModel, list[float]]:
    """A copy of ``base`` fine-tuned on ``texts`` (served under ``name``) and the loss of each step."""
    problems = spec.problems()
    if problems:
        raise FineTuneError("; ".join(problems))
    data = windows(base, texts, spec.window)
    generator = torch.Generator().manual_seed(spec.seed)
    saved = torch.random.get_rng_state()
    torch.manual_seed(spec.seed)  # LoRA's initialisation draws from the global generator
    try:
        model = copy.deepcopy(base.model).to(torch.float32)
        if spec.method == "lora":
            from peft import LoraConfig, get_peft_model

            config = LoraConfig(r=spec.rank, lora_alpha=2 * spec.rank, lora_dropout=0.0, target_modules="all-linear")
            model = get_peft_model(model, config)
        trainable = [p for p in model.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(trainable, lr=spec.learning_rate, weight_decay=0.0)
        model.train()
        losses: list[float] = []
        for _ in range(spec.steps):
            rows = torch.randint(0, data.shape[0], (min(spec.batch, data.shape[0]),), generator=generator)
            batch = data[rows].to(base.device)
            loss = model(input_ids=batch, labels=batch, use_cache=False).loss
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            losses.append(float(loss.detach()))
        if spec.method == "lora":
            model = model.merge_and_unload()
    finally:
        torch.random.set_rng_state(saved)
    model = model.to(base.dtype).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return LoadedModel(name=name, model=model, tokenizer=base.tokenizer, device=base.device, dtype=base.dtype), losses


def mean_loss(model: LoadedModel, texts: list[str], window: int = 64) -> float:
    """The mean next-token cross-entropy (nats) of ``model`` on ``texts``' windows."""
    data = windows(model, texts, window).to(model.device)
    with torch.inference_mode():
        total = 0.0
        for start in range(0, data.shape[0], 16):
            rows = data[start : start + 16]
            total += float(model.model(input_ids=rows, labels=rows, use_cache=False).loss) * rows.shape[0]
    return total / data.shape[0]
