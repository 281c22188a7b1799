"""Counter-based Gumbel noise: the draw of a sampled token is a pure function of the
request's seed, the step and the token id, so it does not depend on the rest of the batch,
on the device or on how rows are padded.

A token is drawn as ``argmax(decoded log-probability + Gumbel noise)`` (the Gumbel-max
trick: exactly a draw from the decoded distribution). The noise of token ``t`` at step ``s``
of seed ``S`` is ``-log(-log(u))`` with ``u = (h + 0.5) / 2^32`` and ``h`` a 32-bit hash
(Chris Wellons' lowbias32, applied in a chain) of ``(S mod 2^32, S div 2^32, s, t)``.
"""

from __future__ import annotations

import torch

MASK = 0xFFFFFFFF
_A, _B = 0x7FEB352D, 0x846CA68B


def _mul32(x: torch.Tensor, c: int) -> torch.Tensor:
    """``x * c mod 2^32`` for 0 <= x < 2^32 in int64 without overflow (16-bit halves of c)."""
    return (x * (c & 0xFFFF) + (((x * (c >> 16)) & 0xFFFF) << 16)) & MASK


def mix32(x: int) -> int:
    """lowbias32 on a Python int (0 <= x < 2^32)."""
    x ^= x >> 16
    x = (x * _A) & MASK
    x ^= x >> 15
    x = (x * _B) & MASK
    return x ^ (x >> 16)


def mix32_tensor(x: torch.Tensor) -> torch.Tensor:
    """lowbias32 elementwise on an int64 tensor of values in 0..<2^32 (equal to ``mix32``)."""
    x = x ^ (x >> 16)
    x = _mul32(x, _A)
    x = x ^ (x >> 15)
    x = _mul32(x, _B)
    return x ^ (x >> 16)


def row_key(seed: int, step: int) -> int:
    """The 32-bit key of one request's draw at one step (seed: any int, taken mod 2^64)."""
    seed &= (1 << 64) - 1
    return mix32(mix32(mix32(seed & MASK) ^ (seed >> 32)) ^ (step & MASK))


def gumbel(seeds: list[int], step: int, vocab: int, device: torch.device) -> torch.Tensor:
    """Gumbel noise, shape (len(seeds), vocab), float64, for each seed's draw at ``step``."""
    keys = torch.tensor([row_key(s, step) for s in seeds], dtype=torch.int64, device=device)
    ids = torch.arange(vocab, dtype=torch.int64, device=device)
    h = mix32_tensor(ids.unsqueeze(0) ^ keys.unsqueeze(1))
    u = (h.to(torch.float64) + 0.5) * (1.0 / 4294967296.0)
    return -torch.log(-torch.log(u))
