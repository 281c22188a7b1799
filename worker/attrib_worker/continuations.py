"""The batches a later request is likely to grow by one token: attrib draws a group of
responses in lockstep, asking for the next-token distribution after every live response's
context, each context its previous one plus the token just drawn; and it scores an answer
over its segmentations, each path its parent plus one token, one parent often grown by
several tokens in several requests. Keeping each answered batch (its key/value cache) lets a
later request cost one position per row.

Bounded by the bytes the caches hold, one bound for every model of a worker (the model being
worked on uses what the others do not); the least recently used batch goes first. A kept batch
is grown from a fork of its cache (``batches.select(keep_source=True)``), so it stays usable
for its rows' other continuations.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from .batches import Batch, no_logits


class Continuations:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.batches: OrderedDict[int, tuple[Batch, list[tuple[Any, ...]]]] = OrderedDict()
        self.index: dict[tuple[Any, ...], tuple[int, int]] = {}
        self.next_id = 0
        self.total = 0  # bytes the kept caches hold, kept up to date (summing them each time is quadratic)

    def find(self, key: tuple[Any, ...]) -> tuple[int, int] | None:
        """(batch id, row) of a kept row whose key is ``key`` less its last token (a key is
        the model's name and the context's tokens: one bound for every model of a worker)."""
        return self.index.get(key[:-1]) if len(key) > 1 else None

    def borrow(self, batch_id: int) -> Batch:
        """The kept batch, still kept (grow it from a fork), now the most recently used."""
        self.batches.move_to_end(batch_id)
        return self.batches[batch_id][0]

    def take(self, batch_id: int) -> Batch:
        """The kept batch, removed."""
        batch, contexts = self.batches.pop(batch_id)
        self.total -= batch.cache_bytes
        for c in contexts:
            if self.index.get(c, (None,))[0] == batch_id:
                del self.index[c]
        return batch

    def keep(self, batch: Batch, contexts: list[tuple[Any, ...]]) -> None:
        """Keeps ``batch`` whose row k ends with ``contexts[k]``; drops the oldest past the bound."""
        if self.max_bytes <= 0:
            return
        batch_id = self.next_id
        self.next_id += 1
        # The last logits were answered already; kept, they would hold rows x vocabulary more.
        batch = Batch(cache=batch.cache, mask=batch.mask, lengths=batch.lengths, last=no_logits(batch.last))
        self.batches[batch_id] = (batch, contexts)
        self.total += batch.cache_bytes
        for row, c in enumerate(contexts):
            self.index[c] = (batch_id, row)
        while self.total > self.max_bytes and self.batches:
            self.take(next(iter(self.batches)))
