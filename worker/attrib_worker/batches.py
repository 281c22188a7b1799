"""Left-padded batches with the model's key/value cache: a batch of sequences is evaluated
once (``prefill``) and then grown one token per row (``extend``), so a response being drawn
costs one position per token instead of its whole prefix again.

Rows are padded on the left, so every row's last token is in the last column: the logits
that predict each row's next token are one slice, and a new token goes in one new column.
Positions are given explicitly (``cumsum(mask) - 1``), so padding never shifts a row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import copy
import functools
import inspect

import torch
from transformers import DynamicCache
from transformers.cache_utils import DynamicLayer, DynamicSlidingWindowLayer

from .loading import LoadedModel


@functools.cache
def _cache_keyword(kind: type) -> str:
    """What ``kind``'s forward pass calls its cache: ``cache`` from transformers 5.2x on,
    ``past_key_values`` before (read once per class: reading a signature costs more than a
    tiny model's forward pass)."""
    return "cache" if "cache" in inspect.signature(kind.forward).parameters else "past_key_values"


def forward(model: LoadedModel, cache: Any, **inputs: Any) -> Any:
    """The model's forward pass filling ``cache`` in place."""
    return model.model(**inputs, **{_cache_keyword(type(model.model)): cache}, use_cache=True)


@dataclass
class Batch:
    """Rows evaluated so far: the cache, the attention mask (rows, width), each row's real
    length, and the logits after each row's last token (rows, vocabulary; weights' dtype)."""

    cache: Any
    mask: torch.Tensor
    lengths: list[int]
    last: torch.Tensor

    @property
    def cache_bytes(self) -> int:
        """What the cache holds, in bytes (keys and values of every layer)."""
        total = 0
        for layer in getattr(self.cache, "layers", []):
            for name in ("keys", "values"):
                tensor = getattr(layer, name, None)
                if isinstance(tensor, torch.Tensor):
                    total += tensor.numel() * tensor.element_size()
        return total


def no_logits(last: torch.Tensor) -> torch.Tensor:
    """No rows of ``last`` (logits answered already): a new empty tensor, not a view such as
    ``last[:0]``, which would keep all rows x vocabulary of them alive, uncounted."""
    return last.new_empty((0, *last.shape[1:]))


def left_padded(rows: list[list[int]], device: torch.device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(ids, mask, positions) for rows padded on the left to the longest (built as one
    tensor each: a row at a time costs more than the model for thousands of short rows)."""
    width = max(len(r) for r in rows)
    ids = torch.tensor([[0] * (width - len(r)) + r for r in rows], dtype=torch.long)
    lengths = torch.tensor([len(r) for r in rows], dtype=torch.long)
    mask = (torch.arange(width).unsqueeze(0) >= (width - lengths).unsqueeze(1)).long()
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    return ids.to(device), mask.to(device), positions.to(device)


def check_window(model: LoadedModel, longest: int) -> None:
    if longest > model.context_window:
        raise ValueError(f"a sequence of {longest} tokens is longer than {model.name}'s context window of {model.context_window}")


def prefill(model: LoadedModel, rows: list[list[int]]) -> Batch:
    """Evaluates ``rows`` (start token included) with the cache kept; each distinct row once."""
    check_window(model, max(len(r) for r in rows))
    distinct = list(dict.fromkeys(tuple(r) for r in rows))
    ids, mask, positions = left_padded([list(r) for r in distinct], model.device)
    cache = DynamicCache(config=model.model.config)
    with torch.inference_mode():
        out = forward(model, cache, input_ids=ids, attention_mask=mask, position_ids=positions, logits_to_keep=1)
    batch = Batch(cache=cache, mask=mask, lengths=[len(r) for r in distinct], last=out.logits[:, -1])
    where = {r: k for k, r in enumerate(distinct)}
    return select(batch, [where[tuple(r)] for r in rows])


def _forked(cache: Any) -> Any:
    """A cache whose layers can be re-pointed without touching ``cache``'s: every layer of
    transformers' dynamic caches replaces its tensors on update and on selection, never
    writes into them, so shallow copies of the cache and its layers share the tensors safely."""
    fork = copy.copy(cache)
    fork.layers = [copy.copy(layer) for layer in cache.layers]
    return fork


def select(batch: Batch, rows: list[int], keep_source: bool = False) -> Batch:
    """The batch of ``rows`` (indices, repeats allowed), in that order. Unless ``keep_source``,
    the cache is changed in place and ``batch`` is not to be used again."""
    if not keep_source and rows == list(range(len(batch.lengths))) and batch.last.shape[0] == len(rows):
        return batch
    index = torch.tensor(rows, dtype=torch.long, device=batch.mask.device)
    cache = _forked(batch.cache) if keep_source else batch.cache
    cache.batch_select_indices(index)
    last = batch.last[index] if batch.last.shape[0] else batch.last  # a kept batch holds no last logits
    return Batch(cache=cache, mask=batch.mask[index], lengths=[batch.lengths[r] for r in rows], last=last)


def extend(model: LoadedModel, batch: Batch, rows: list[int], tokens: list[int], keep_source: bool = False) -> Batch:
    """Row ``rows[k]`` of ``batch`` grown by ``tokens[k]``, for every k (``batch`` is used up
    unless ``keep_source``)."""
    return grow(model, select(batch, rows, keep_source), tokens)


def grow(model: LoadedModel, chosen: Batch, tokens: list[int]) -> Batch:
    """Every row of ``chosen`` grown by its token (``chosen`` is used up): one position per row."""
    check_window(model, max(chosen.lengths) + 1)
    device = chosen.mask.device
    ids = torch.tensor(tokens, dtype=torch.long, device=device).unsqueeze(1)
    mask = torch.cat([chosen.mask, torch.ones((len(tokens), 1), dtype=torch.long, device=device)], dim=1)
    positions = torch.tensor(chosen.lengths, dtype=torch.long, device=device).unsqueeze(1)
    with torch.inference_mode():
        out = forward(model, chosen.cache, input_ids=ids, attention_mask=mask, position_ids=positions)
    return Batch(cache=chosen.cache, mask=mask, lengths=[n + 1 for n in chosen.lengths], last=out.logits[:, -1])


_MERGEABLE = (DynamicLayer, DynamicSlidingWindowLayer)


def merge(batches: list[Batch]) -> Batch | None:
    """The rows of ``batches`` (each used up) as one batch, every cache padded on the left to
    the widest: rows grown from many kept batches then take one forward pass, and are kept as
    one batch (kept one per parent, they would split into ever smaller batches). None where a
    cache is not a plain dynamic one whose every layer holds the whole width (a sliding window
    that has dropped columns): those are grown apart."""
    if len(batches) == 1:
        return batches[0]
    width = max(b.mask.shape[1] for b in batches)
    for b in batches:
        layers = getattr(b.cache, "layers", None)
        if not layers or any(type(layer) not in _MERGEABLE or not isinstance(layer.keys, torch.Tensor)
                             or layer.keys.shape[-2] != b.mask.shape[1] for layer in layers):
            return None

    def padded(tensor: torch.Tensor, axis: int) -> torch.Tensor:
        missing = width - tensor.shape[axis]
        if missing == 0:
            return tensor
        shape = list(tensor.shape)
        shape[axis] = missing
        return torch.cat([torch.zeros(shape, dtype=tensor.dtype, device=tensor.device), tensor], dim=axis)

    cache = _forked(batches[0].cache)
    for k, layer in enumerate(cache.layers):
        layer.keys = torch.cat([padded(b.cache.layers[k].keys, -2) for b in batches], dim=0)
        layer.values = torch.cat([padded(b.cache.layers[k].values, -2) for b in batches], dim=0)
        if hasattr(layer, "cumulative_length"):
            layer.cumulative_length = width
    lasts = [b.last for b in batches]
    last = torch.cat(lasts, dim=0) if all(t.shape[0] for t in lasts) else no_logits(lasts[0])
    return Batch(cache=cache, mask=torch.cat([padded(b.mask, 1) for b in batches], dim=0),
                 lengths=[n for b in batches for n in b.lengths], last=last)
