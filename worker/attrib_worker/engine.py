"""Scoring, sampling and next-token distributions of one model, in batches.

Every context is preceded by the model's start token (``LoadedModel.start_token``). Log-
probabilities are natural logs computed in float32 (float64 for a float64 model) whatever
the weights' dtype. The decoded distribution is attrib's (``DecodingSettings``):
``log_softmax(log p / T)``, then top-k (ties toward the smaller id), then top-p, renormalised.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Any, Callable

import torch

from .batches import Batch, check_window, extend, forward, grow, merge, prefill, select
from .continuations import Continuations
from .loading import LoadedModel
from .noise import gumbel


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
    """The batch operations of one loaded model. Work is split into chunks of at most
    ``max_tokens`` tokens (what bounds memory); distributions and token log-probabilities keep
    their batches' caches (``Continuations``, at most ``cache_bytes``) for the requests that
    grow them."""

    def __init__(self, loaded: LoadedModel, max_tokens: int = 4096, cache_bytes: int = 1 << 30,
                 max_logit_bytes: int | None = None, continuations: Continuations | None = None) -> None:
        self.loaded = loaded
        self.math = torch.float64 if loaded.dtype == torch.float64 else torch.float32
        self.max_tokens = max_tokens
        # Rows of logits held at once: 512 MiB on a CPU, 16 GiB on a GPU.
        self.max_logit_bytes = max_logit_bytes or (1 << 29 if loaded.device.type == "cpu" else 1 << 34)
        # Shared by every engine of a worker (one bound for all), or this engine's own.
        self.continuations = continuations if continuations is not None else Continuations(cache_bytes)
        # What this engine has done: positions the model evaluated (padding not counted),
        # continuation tokens scored, tokens drawn, next-token distributions answered.
        # Contexts found a kept row to grow (hits) or not (misses).
        self.counts = {"positions": 0, "scored_tokens": 0, "drawn_tokens": 0, "distributions": 0, "cache_hits": 0, "cache_misses": 0}

    def stats(self) -> dict[str, int]:
        return dict(self.counts)

    def _key(self, context: list[int]) -> tuple[Any, ...]:
        return (self.loaded.name, *context)

    def _chunks(self, sizes: list[int], logit_rows: list[int] | None = None, order: list[int] | None = None) -> list[list[int]]:
        """Indices of the items, in runs whose sizes (tokens) sum to at most ``max_tokens`` and
        whose rows of logits (``logit_rows``, default one per item) hold at most
        ``max_logit_bytes`` in float32 (a vocabulary of 262,144 makes a row 1 MiB); an item
        larger than that alone. Taken in ``order`` (default longest first, so that rows of a
        run pad little)."""
        rows = logit_rows or [1] * len(sizes)
        max_rows = max(1, self.max_logit_bytes // (4 * self.loaded.vocab_size))
        order = order if order is not None else sorted(range(len(sizes)), key=lambda k: -sizes[k])
        runs: list[list[int]] = []
        # A run is padded to its longest item and holds as many logit rows per item as its
        # widest one: the bounds apply to count x those.
        width = widest = 0
        for k in order:
            n = len(runs[-1]) + 1 if runs else 0
            if runs and n * max(width, sizes[k]) <= self.max_tokens and n * max(widest, rows[k]) <= max_rows:
                runs[-1].append(k)
                width, widest = max(width, sizes[k]), max(widest, rows[k])
            else:
                runs.append([k])
                width, widest = sizes[k], rows[k]
        return runs

    def _log_probs(self, logits: torch.Tensor) -> torch.Tensor:
        """Raw log-probabilities of logits rows, in float32 (float64 for a float64 model)."""
        return torch.log_softmax(logits.to(self.math), dim=-1)

    def score(self, requests: list[tuple[list[int], list[int], int]], decoding: Decoding) -> list[Scored]:
        """Each (context, continuation, new-token limit): the continuation's terms, and the
        end-of-text term when it has fewer tokens than its limit."""
        out: list[Scored | None] = [None] * len(requests)
        # Each scored row of logits is copied twice more (float32, tempered): count it thrice.
        # The answers to one context go together (their context is evaluated once per run).
        order = sorted(range(len(requests)), key=lambda k: (-len(requests[k][0]), requests[k][0], -len(requests[k][1])))
        for run in self._chunks([len(c) + len(t) + 1 for c, t, _ in requests], [3 * (len(t) + 1) for _, t, _ in requests], order):
            for k, s in zip(run, self._score_run([requests[k] for k in run], decoding)):
                out[k] = s
        return [s for s in out if s is not None]

    def _score_run(self, requests: list[tuple[list[int], list[int], int]], decoding: Decoding) -> list[Scored]:
        # Each distinct context is evaluated once (attrib scores many answers to one prompt),
        # then every continuation in one pass on its context's key/value cache, padded on the
        # right: column j of that pass predicts token j + 1, the context's last logits token 0.
        start = self.loaded.start_token
        check_window(self.loaded, max(len(c) + len(t) + 1 for c, t, _ in requests))
        batch = prefill(self.loaded, [[start] + c for c, _, _ in requests])
        width = max(len(t) for _, t, _ in requests)
        self.counts["positions"] += sum(len(c) + 1 for c in {tuple(c) for c, _, _ in requests}) + sum(len(t) for _, t, _ in requests)
        self.counts["scored_tokens"] += sum(len(t) for _, t, _ in requests)
        with torch.inference_mode():
            device = batch.mask.device
            tail = None
            if width > 0:
                ids = torch.tensor([t + [0] * (width - len(t)) for _, t, _ in requests], dtype=torch.long, device=device)
                real = torch.tensor([[1] * len(t) + [0] * (width - len(t)) for _, t, _ in requests], dtype=torch.long, device=device)
                positions = torch.tensor(batch.lengths, device=device).unsqueeze(1) + torch.arange(width, device=device).unsqueeze(0)
                # A padding column past a short row's end may lie past the window: it is masked, any position will do.
                positions = positions.clamp(max=self.loaded.context_window - 1)
                tail = forward(self.loaded, batch.cache, input_ids=ids, attention_mask=torch.cat([batch.mask, real], dim=1),
                                position_ids=positions).logits
            eos = self.loaded.end_of_text
            # One row per scored term: each continuation token, then end-of-text where it applies.
            counts = [len(t) + int(len(t) < limit) for _, t, limit in requests]
            token_of = [x for _, t, limit in requests for x in (t + [eos] if len(t) < limit else t)]
            terms = torch.tensor(counts, device=device)
            row_of = torch.repeat_interleave(torch.arange(len(requests), device=device), terms)
            starts = torch.cumsum(terms, 0) - terms
            column_of = torch.arange(len(token_of), device=device) - starts[row_of]
            first = column_of == 0
            picked = torch.empty((len(token_of), batch.last.shape[-1]), dtype=self.math, device=device)
            picked[first] = batch.last[row_of[first]].to(self.math)
            if tail is not None:
                picked[~first] = tail[row_of[~first], column_of[~first] - 1].to(self.math)
            tokens = torch.tensor(token_of, device=device).unsqueeze(1)
            raw = (picked.gather(1, tokens) - torch.logsumexp(picked, dim=-1, keepdim=True)).squeeze(1)
            if decoding.top_k is None and decoding.top_p is None:
                scaled = picked / decoding.temperature
                decoded = (scaled.gather(1, tokens) - torch.logsumexp(scaled, dim=-1, keepdim=True)).squeeze(1)
            else:
                decoded = decoded_log_probs(self._log_probs(picked), decoding).gather(1, tokens).squeeze(1)
            raw_terms, decoded_terms = raw.tolist(), decoded.tolist()
        out: list[Scored] = []
        at = 0
        for _, continuation, limit in requests:
            n = len(continuation)
            end = (raw_terms[at + n], decoded_terms[at + n]) if n < limit else None
            out.append(Scored(raw=raw_terms[at : at + n], decoded=decoded_terms[at : at + n], end_of_text=end))
            at += n + (1 if n < limit else 0)
        return out

    def distributions(self, contexts: list[list[int]]) -> list[torch.Tensor]:
        """The raw next-token distribution after each context (natural log, whole vocabulary,
        one CPU tensor per context in the engine's math dtype)."""
        out: list[torch.Tensor | None] = [None] * len(contexts)

        def answer(batch: Batch, ks: list[int]) -> None:
            with torch.inference_mode():
                rows = self._log_probs(batch.last).cpu()
            for i, k in enumerate(ks):
                out[k] = rows[i]

        self._walk(contexts, answer)
        return [row for row in out if row is not None]

    def token_log_probs(self, requests: list[tuple[list[int], list[int]]], decoding: Decoding) -> list[tuple[list[float], list[float]]]:
        """Each (context, tokens): the raw and the decoded log-probabilities (nats) of those
        tokens as the next one after the context, without sending whole vocabularies (what
        scoring an answer over its segmentations asks: a few candidate tokens per path)."""
        out: list[tuple[list[float], list[float]] | None] = [None] * len(requests)

        def answer(batch: Batch, ks: list[int]) -> None:
            with torch.inference_mode():
                raw = self._log_probs(batch.last)
                if decoding.top_k is None and decoding.top_p is None:
                    scaled = raw / decoding.temperature
                    decoded = scaled - torch.logsumexp(scaled, dim=-1, keepdim=True)
                else:
                    decoded = decoded_log_probs(raw, decoding)
                widths = [len(requests[k][1]) for k in ks]
                rows = torch.repeat_interleave(torch.arange(len(ks), device=raw.device), torch.tensor(widths, device=raw.device))
                tokens = torch.tensor([t for k in ks for t in requests[k][1]], dtype=torch.long, device=raw.device)
                raw_terms, decoded_terms = raw[rows, tokens].tolist(), decoded[rows, tokens].tolist()
            at = 0
            for k, n in zip(ks, widths):
                out[k] = (raw_terms[at : at + n], decoded_terms[at : at + n])
                at += n

        self._walk([c for c, _ in requests], answer)
        return [o for o in out if o is not None]

    def next_tokens(self, requests: list[tuple[list[int], int]], decoding: Decoding) -> list[int]:
        """Each (context, seed): one token drawn from the decoded distribution after the
        context, the argmax of its log-probabilities plus the Gumbel noise of the seed at step
        0 (``noise``): what attrib's drift sampler asks for the responses it draws from the
        model, instead of whole vocabularies. End-of-text can be drawn."""
        out = [0] * len(requests)

        def answer(batch: Batch, ks: list[int]) -> None:
            with torch.inference_mode():
                decoded = decoded_log_probs(self._log_probs(batch.last), decoding).to(torch.float64)
                noise = gumbel([requests[k][1] for k in ks], 0, decoded.shape[-1], decoded.device)
                drawn = torch.argmax(decoded + noise, dim=-1).tolist()
            for i, k in enumerate(ks):
                out[k] = drawn[i]

        self._walk([c for c, _ in requests], answer)
        self.counts["drawn_tokens"] += len(requests)
        return out

    def _walk(self, contexts: list[list[int]], answer: Callable[[Batch, list[int]], None]) -> None:
        """Evaluates every context up to its next-token logits and calls ``answer(batch, ks)``
        for each batch of them (``ks``: the contexts' indices, in the batch's row order). A
        context that grows a kept batch's row by one token costs one position; every batch
        answered is kept for the requests that grow it."""
        found = [self.continuations.find(self._key(c)) for c in contexts]
        hits = sum(1 for f in found if f is not None)
        self.counts["cache_hits"] += hits
        self.counts["cache_misses"] += len(found) - hits
        grown = sorted((f[0], k) for k, f in enumerate(found) if f is not None)
        # Every kept batch this request grows is borrowed before any is grown: keeping a grown
        # one may evict the oldest, which must not be one still to grow.
        groups = [(batch_id, [k for _, k in members]) for batch_id, members in groupby(grown, key=lambda pair: pair[0])]
        borrowed = {batch_id: self.continuations.borrow(batch_id) for batch_id, _ in groups}
        chosen = [select(borrowed[batch_id], [found[k][1] for k in ks], keep_source=True) for batch_id, ks in groups]
        # The rows of every kept batch this request grows, grown together (one forward pass,
        # kept as one batch) where their caches merge; else each kept batch's apart.
        merged = merge(chosen) if chosen else None
        parts = [(merged, [k for _, ks in groups for k in ks])] if merged is not None else list(zip(chosen, [ks for _, ks in groups]))
        for part, ks in parts:
            batch = grow(self.loaded, part, [contexts[k][-1] for k in ks])
            self.counts["positions"] += len(ks)
            self._answer(batch, ks, contexts, answer)
        fresh = [k for k, f in enumerate(found) if f is None]
        for run in self._chunks([len(contexts[k]) + 1 for k in fresh]):
            ks = [fresh[i] for i in run]
            batch = prefill(self.loaded, [[self.loaded.start_token] + contexts[k] for k in ks])
            self.counts["positions"] += sum(len(r) + 1 for r in {tuple(contexts[k]) for k in ks})
            self._answer(batch, ks, contexts, answer)

    def _answer(self, batch: Batch, ks: list[int], contexts: list[list[int]], answer: Callable[[Batch, list[int]], None]) -> None:
        answer(batch, ks)
        self.counts["distributions"] += len(ks)
        self.continuations.keep(batch, [self._key(contexts[k]) for k in ks])

    def sample(self, requests: list[tuple[list[int], int, int]], decoding: Decoding) -> list[tuple[list[int], bool]]:
        """Each (prompt, seed, new-token limit): tokens drawn from the decoded distribution until
        end-of-text (not included; ``ended`` true) or the limit. Draws use counter-based noise
        (``noise``) of the seed, the step and the token, so a request's tokens do not depend
        on the rest of the batch (up to floating-point rounding of its distributions)."""
        out: list[tuple[list[int], bool]] = [([], False)] * len(requests)
        for run in self._chunks([len(p) + n + 1 for p, _, n in requests]):
            for k, drawn in zip(run, self._sample_run([requests[k] for k in run], decoding)):
                out[k] = drawn
        return out

    def _sample_run(self, requests: list[tuple[list[int], int, int]], decoding: Decoding) -> list[tuple[list[int], bool]]:
        eos = self.loaded.end_of_text
        tokens: list[list[int]] = [[] for _ in requests]
        ended = [False] * len(requests)
        live = [k for k, (_, _, limit) in enumerate(requests) if limit > 0]
        if not live:
            return [(t, e) for t, e in zip(tokens, ended)]
        batch = prefill(self.loaded, [[self.loaded.start_token] + requests[k][0] for k in live])
        self.counts["positions"] += sum(len(p) + 1 for p in {tuple(requests[k][0]) for k in live})
        step = 0
        while live:
            with torch.inference_mode():
                decoded = decoded_log_probs(self._log_probs(batch.last), decoding).to(torch.float64)
                noise = gumbel([requests[k][1] for k in live], step, decoded.shape[-1], decoded.device)
                drawn = torch.argmax(decoded + noise, dim=-1).tolist()
            rows, next_tokens, still = [], [], []
            for row, (k, token) in enumerate(zip(live, drawn)):
                if token == eos:
                    ended[k] = True
                    continue
                tokens[k].append(token)
                if len(tokens[k]) < requests[k][2]:
                    rows.append(row)
                    next_tokens.append(token)
                    still.append(k)
            live = still
            step += 1
            self.counts["drawn_tokens"] += len(drawn)
            if live:
                batch = extend(self.loaded, batch, rows, next_tokens)
                self.counts["positions"] += len(rows)
        return [(t, e) for t, e in zip(tokens, ended)]
