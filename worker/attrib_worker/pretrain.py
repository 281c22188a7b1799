"""Models trained here from nothing, for the neural zoos: a tokenizer trained on a corpus with
the ``tokenizers`` library, a GPT-2- or Llama-shaped transformer trained from random weights
by next-token cross-entropy (nats), and a distilled student trained on a teacher's next-token
distributions (the KL divergence from the teacher's, as distilgpt2 came from gpt2).

Everything random is drawn from the seed: the same recipe, the same weights (on the same
device and thread count). Losses are natural logs per token.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

from .finetune import windows
from .loading import LoadedModel

END_OF_TEXT = "<|endoftext|>"


class PretrainError(Exception):
    """A recipe that cannot be carried out, as one sentence."""


def train_tokenizer(kind: str, texts: list[str]) -> PreTrainedTokenizerFast:
    """A tokenizer trained on ``texts``; end-of-text is ``<|endoftext|>``; every text round-trips.

    - ``byte``: one id per byte, no merges;
    - ``bpe-N``: byte-level BPE of N ids;
    - ``unigram-N``: a byte-level unigram model of N ids (SentencePiece's algorithm: the
      vocabulary pruned from many candidates by likelihood, and a text read as its likeliest
      segmentation);
    - ``char``: one id per character of ``texts`` (at most ``CHAR_VOCABULARY``, the most
      frequent), any other character as its UTF-8 bytes ``<0xNN>`` (SentencePiece's byte
      fallback).
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    def sized(prefix: str, least: int) -> int | None:
        tail = kind[len(prefix):]
        return int(tail) if kind.startswith(prefix) and tail.isdigit() and least <= int(tail) <= 65536 else None

    if kind == "char":
        core = Tokenizer(models.BPE(vocab=char_vocabulary(texts), merges=[], byte_fallback=True))
        core.decoder = decoders.Sequence([decoders.ByteFallback(), decoders.Fuse()])
        return PreTrainedTokenizerFast(tokenizer_object=core, eos_token=END_OF_TEXT, bos_token=END_OF_TEXT)
    alphabet = pre_tokenizers.ByteLevel.alphabet()
    if kind == "byte" or (size := sized("bpe-", 257)) is not None:
        core = Tokenizer(models.BPE())
        size = 257 if kind == "byte" else size
        trainer = trainers.BpeTrainer(vocab_size=size, special_tokens=[END_OF_TEXT], show_progress=False, initial_alphabet=alphabet)
    elif (size := sized("unigram-", 258)) is not None:  # 257 ids are the bytes and end-of-text alone
        core = Tokenizer(models.Unigram())
        trainer = trainers.UnigramTrainer(vocab_size=size, special_tokens=[END_OF_TEXT], show_progress=False, initial_alphabet=alphabet)
    else:
        raise PretrainError(f"tokenizer {kind!r} is not byte, char, bpe-N with N in 257...65536 or unigram-N with N in 258...65536")
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    core.train_from_iterator(texts if kind != "byte" else [""], trainer=trainer)
    return PreTrainedTokenizerFast(tokenizer_object=core, eos_token=END_OF_TEXT, bos_token=END_OF_TEXT)


#: Characters a ``char`` tokenizer gives an id of their own, the most frequent first.
CHAR_VOCABULARY = 4096


def char_vocabulary(texts: list[str]) -> dict[str, int]:
    """End-of-text, the 256 byte-fallback ids ``<0x00>``...``<0xFF>``, then the characters of
    ``texts`` by falling count (ties by code point). ``▁`` is left to its bytes: SentencePiece
    reads it as a space."""
    from collections import Counter

    counts = Counter(c for text in texts for c in text if c != "\u2581")
    vocabulary = {END_OF_TEXT: 0} | {f"<0x{b:02X}>": 1 + b for b in range(256)}
    for character, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:CHAR_VOCABULARY]:
        vocabulary[character] = len(vocabulary)
    return vocabulary


@dataclass(frozen=True)
class Shape:
    """A transformer's shape: ``family`` gpt2 or llama, layers, width, heads, context (tokens)."""

    family: str = "gpt2"
    layers: int = 2
    width: int = 64
    heads: int = 2
    context: int = 128

    def problems(self) -> list[str]:
        out = []
        if self.family not in ("gpt2", "llama"):
            out.append(f"family must be gpt2 or llama, got {self.family!r}")
        if not (1 <= self.layers <= 48 and 8 <= self.width <= 4096 and 1 <= self.heads <= 64 and 16 <= self.context <= 8192):
            out.append(f"layers 1...48, width 8...4096, heads 1...64 and context 16...8192, got {self.layers}, {self.width}, {self.heads}, {self.context}")
        elif self.width % self.heads:
            out.append(f"width {self.width} is not a multiple of heads {self.heads}")
        return out

    def model(self, tokenizer: PreTrainedTokenizerFast, seed: int) -> torch.nn.Module:
        """A model of this shape over ``tokenizer``'s ids with weights drawn from ``seed``."""
        problems = self.problems()
        if problems:
            raise PretrainError("; ".join(problems))
        eos = tokenizer.convert_tokens_to_ids(END_OF_TEXT)
        saved = torch.random.get_rng_state()
        torch.manual_seed(seed)
        try:
            if self.family == "gpt2":
                return GPT2LMHeadModel(GPT2Config(vocab_size=len(tokenizer), n_positions=self.context, n_embd=self.width,
                                                  n_layer=self.layers, n_head=self.heads, bos_token_id=eos, eos_token_id=eos,
                                                  resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0))
            return LlamaForCausalLM(LlamaConfig(vocab_size=len(tokenizer), hidden_size=self.width, intermediate_size=4 * self.width,
                                                num_hidden_layers=self.layers, num_attention_heads=self.heads,
                                                num_key_value_heads=self.heads, max_position_embeddings=self.context,
                                                bos_token_id=eos, eos_token_id=eos, tie_word_embeddings=True))
        finally:
            torch.random.set_rng_state(saved)


@dataclass(frozen=True)
class Schedule:
    """Training: steps, peak learning rate (linear warm-up over a tenth of the steps, then
    cosine to a tenth), windows per step, tokens per window, seed."""

    steps: int = 200
    learning_rate: float = 3e-3
    batch: int = 16
    window: int = 64
    seed: int = 0

    def rate(self, step: int) -> float:
        warm = max(1, self.steps // 10)
        if step < warm:
            return self.learning_rate * (step + 1) / warm
        progress = (step - warm) / max(1, self.steps - warm)
        return self.learning_rate * (0.1 + 0.45 * (1 + math.cos(math.pi * progress)))


@dataclass
class Trained:
    """A trained model, its tokenizer and the loss of each step (nats per token)."""

    model: torch.nn.Module
    tokenizer: PreTrainedTokenizerFast
    losses: list[float] = field(default_factory=list)


def _train(model: torch.nn.Module, data: torch.Tensor, schedule: Schedule, loss_of: Callable[[torch.Tensor], torch.Tensor]) -> list[float]:
    """AdamW on ``loss_of`` of batches of ``data``'s rows drawn with ``schedule.seed``; the loss of each step."""
    generator = torch.Generator().manual_seed(schedule.seed)
    saved = torch.random.get_rng_state()
    torch.manual_seed(schedule.seed)  # anything a model draws while training (no dropout here)
    optimizer = torch.optim.AdamW(model.parameters(), lr=schedule.learning_rate, weight_decay=0.01)
    model.train()
    losses: list[float] = []
    try:
        for step in range(schedule.steps):
            for group in optimizer.param_groups:
                group["lr"] = schedule.rate(step)
            rows = data[torch.randint(0, data.shape[0], (min(schedule.batch, data.shape[0]),), generator=generator)]
            loss = loss_of(rows)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            losses.append(float(loss.detach()))
    finally:
        torch.random.set_rng_state(saved)
    model.eval()
    return losses


def loaded(model: torch.nn.Module, tokenizer: PreTrainedTokenizerFast, name: str) -> LoadedModel:
    """``model`` as the worker serves it (CPU, float32): what ``finetune`` trains and measures."""
    return LoadedModel(name=name, model=model, tokenizer=tokenizer, device=torch.device("cpu"), dtype=torch.float32)


def pretrain(shape: Shape, tokenizer: PreTrainedTokenizerFast, texts: list[str], schedule: Schedule) -> Trained:
    """A model of ``shape`` trained from random weights (seeded by ``schedule.seed``) on ``texts``
    (windows as ``finetune.windows`` cuts them)."""
    model = shape.model(tokenizer, schedule.seed)
    data = windows(loaded(model, tokenizer, "pretraining"), texts, schedule.window)
    losses = _train(model, data, schedule, lambda rows: model(input_ids=rows, labels=rows, use_cache=False).loss)
    return Trained(model=model, tokenizer=tokenizer, losses=losses)


def distil(teacher: torch.nn.Module, shape: Shape, tokenizer: PreTrainedTokenizerFast, texts: list[str],
           schedule: Schedule) -> Trained:
    """A student of ``shape`` trained on ``texts`` toward the teacher's next-token
    distributions: the mean KL divergence (nats) from the teacher's to the student's."""
    student = shape.model(tokenizer, schedule.seed)
    data = windows(loaded(student, tokenizer, "distillation"), texts, schedule.window)

    def loss_of(rows: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            target = torch.log_softmax(teacher(input_ids=rows, use_cache=False).logits.float(), dim=-1)
        guess = torch.log_softmax(student(input_ids=rows, use_cache=False).logits, dim=-1)
        return torch.nn.functional.kl_div(guess.flatten(0, 1), target.flatten(0, 1), log_target=True, reduction="batchmean")

    losses = _train(student, data, schedule, loss_of)
    return Trained(model=student, tokenizer=tokenizer, losses=losses)
