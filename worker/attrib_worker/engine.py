"""Scoring, sampling and next-token distributions of one model, in batches.

Every context is preceded by the model's start token (``LoadedModel.start_token``). Log-
probabilities are natural logs computed in float32 (float64 for a float64 model) whatever
the weights' dtype. The decoded distribution is attrib's (``DecodingSettings``):
``log_softmax(log p / T)``, then top-k (ties toward the smaller id), then top-p, renormalised.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .loading import LoadedModel


@dataclass(frozen=True)
class Decoding:
    """How an answer is drawn: temperature, optional top-k and top-p."""

    temperature: float = 3.0
    top_k: int | None = None
    top_p: float | None = None


@dataclass
class Scored:
    """One continuation's per-token raw and decoded log-probabilities (nats) and, when it is
    shorter than its limit, the end-of-text term."""

    raw: list[float]
    decoded: list[float]
    end_of_text: tuple[float, float] | None


def decoded_log_probs(raw: torch.Tensor, decoding: Decoding) -> torch.Tensor:
    """The decoded distribution of each row of raw log-probabilities (last axis: vocabulary)."""
    scaled = raw / decoding.temperature
    if decoding.top_k is None and decoding.top_p is None:
        return scaled - torch.logsumexp(scaled, dim=-1, keepdim=True)
    vocab = scaled.shape[-1]
    order = torch.sort(-scaled, dim=-1, stable=True).indices
    ordered = scaled.gather(-1, order)
    rank = torch.arange(vocab, device=raw.device).expand_as(ordered)
    kept = torch.full(ordered.shape[:-1] + (1,), min(decoding.top_k or vocab, vocab), device=raw.device)
    if decoding.top_p is not None:
        head = ordered.masked_fill(rank >= kept, float("-inf"))
        cumulative = torch.cumsum(torch.softmax(head, dim=-1), dim=-1)
        needed = (cumulative < decoding.top_p).sum(dim=-1, keepdim=True) + 1
        kept = torch.clamp(torch.minimum(needed, kept), min=1)
    keep = torch.zeros_like(scaled, dtype=torch.bool).scatter(-1, order, rank < kept)
    filtered = scaled.masked_fill(~keep, float("-inf"))
    return filtered - torch.logsumexp(filtered, dim=-1, keepdim=True)


class Engine:
    """The three batch operations of one loaded model."""

    def __init__(self, loaded: LoadedModel) -> None:
        self.loaded = loaded
        self.math = torch.float64 if loaded.dtype == torch.float64 else torch.float32

    def _logits(self, sequences: list[list[int]]) -> torch.Tensor:
        """The logits after every position of each sequence (start token added), as one
        right-padded batch: shape (batch, longest + 1, vocabulary), the weights' dtype."""
        start = self.loaded.start_token
        rows = [[start] + s for s in sequences]
        longest = max(len(r) for r in rows)
        window = self.loaded.context_window
        if longest > window:
            raise ValueError(f"a sequence of {longest} tokens is longer than {self.loaded.name}'s context window of {window}")
        ids = torch.zeros((len(rows), longest), dtype=torch.long)
        mask = torch.zeros((len(rows), longest), dtype=torch.long)
        for k, r in enumerate(rows):
            ids[k, : len(r)] = torch.tensor(r, dtype=torch.long)
            mask[k, : len(r)] = 1
        device = self.loaded.device
        with torch.inference_mode():
            return self.loaded.model(input_ids=ids.to(device), attention_mask=mask.to(device)).logits

    def _log_probs(self, logits: torch.Tensor) -> torch.Tensor:
        """Raw log-probabilities of logits rows, in float32 (float64 for a float64 model)."""
        return torch.log_softmax(logits.to(self.math), dim=-1)

    def score(self, requests: list[tuple[list[int], list[int], int]], decoding: Decoding) -> list[Scored]:
        """Each (context, continuation, new-token limit): the continuation's terms, and the
        end-of-text term when it has fewer tokens than its limit."""
        if not requests:
            return []
        logits = self._logits([c + t for c, t, _ in requests])
        eos = self.loaded.end_of_text
        out: list[Scored] = []
        for k, (context, continuation, limit) in enumerate(requests):
            first = len(context)  # the row predicting continuation[0] (the start token shifts by one)
            # Only the rows scored: a context's own rows never reach the log-softmax.
            positions = self._log_probs(logits[k, first : first + len(continuation) + 1])
            decoded = decoded_log_probs(positions, decoding)
            tokens = torch.tensor(continuation, dtype=torch.long, device=positions.device)
            steps = torch.arange(len(continuation), device=positions.device)
            raw_terms = positions[steps, tokens].tolist()
            decoded_terms = decoded[steps, tokens].tolist()
            end = None
            if len(continuation) < limit:
                end = (float(positions[len(continuation), eos]), float(decoded[len(continuation), eos]))
            out.append(Scored(raw=raw_terms, decoded=decoded_terms, end_of_text=end))
        return out

    def distributions(self, contexts: list[list[int]]) -> list[list[float]]:
        """The raw next-token distribution after each context (natural log, whole vocabulary)."""
        if not contexts:
            return []
        logits = self._logits(contexts)
        return [self._log_probs(logits[k, len(c)]).tolist() for k, c in enumerate(contexts)]

    def sample(self, requests: list[tuple[list[int], int, int]], decoding: Decoding) -> list[tuple[list[int], bool]]:
        """Each (prompt, seed, new-token limit): tokens drawn from the decoded distribution until
        end-of-text (not included; ``ended`` true) or the limit, with a generator seeded by
        ``seed``, so a request's tokens do not depend on the rest of the batch."""
        eos = self.loaded.end_of_text
        out: list[tuple[list[int], bool]] = []
        for prompt, seed, limit in requests:
            generator = torch.Generator().manual_seed(seed)
            tokens: list[int] = []
            ended = False
            while len(tokens) < limit:
                raw = self._log_probs(self._logits([prompt + tokens])[0, len(prompt) + len(tokens)])
                probs = torch.exp(decoded_log_probs(raw, decoding)).to("cpu", torch.float64)
                token = int(torch.multinomial(probs, 1, generator=generator))
                if token == eos:
                    ended = True
                    break
                tokens.append(token)
            out.append((tokens, ended))
        return out
